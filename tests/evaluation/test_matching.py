"""Propensity-score matching on the LaLonde NSW experimental sample (Dehejia-Wahba subset).

Data: ``nsw_mixtape`` from causaldata 0.1.5 (185 treated, 260 experimental controls).
Published: Dehejia & Wahba (1999, JASA, Table 3, "NSW" row): experimental ATT on 1978
earnings $1,794 (SE 633). Checks: the unadjusted difference reproduces $1,794 to $1; since
treatment was randomised, the matched ATT must recover the benchmark within one published SE
($633), and matching must not worsen balance on average.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wmresearch.evaluation.matching import matching

causaldata = pytest.importorskip("causaldata")
COVARIATES = ["age", "age2", "educ", "educ2", "black", "hisp", "marr", "nodegree", "re74",
              "re75", "u74", "u75"]


@pytest.fixture(scope="module")
def nsw() -> pd.DataFrame:
    d = causaldata.nsw_mixtape.load_pandas().data.astype({"age": float, "educ": float})
    return d.assign(age2=d["age"] ** 2, educ2=d["educ"] ** 2,
                    u74=(d["re74"] == 0).astype(int), u75=(d["re75"] == 0).astype(int))


def test_experimental_benchmark(nsw: pd.DataFrame) -> None:
    res = matching(nsw, outcome="re78", treated="treat", covariates=COVARIATES)
    assert res.extra["raw_difference"] == pytest.approx(1794, abs=1)
    assert res.att == pytest.approx(1794, abs=633)
    assert 300 < res.se < 1500
    bal = res.detail
    assert bal["smd_after"].abs().mean() <= bal["smd_before"].abs().mean() + 0.02
    assert res.n_treated + sum(res.extra["dropped"].values()) == 185
    assert "nan" not in res.summary()


def test_caliper_trim_and_seeded_bootstrap(nsw: pd.DataFrame) -> None:
    kw = {"outcome": "re78", "treated": "treat", "covariates": COVARIATES}
    a = matching(nsw, caliper=0.2, trim=(0.05, 0.95), se="bootstrap", n_boot=30, seed=7, **kw)
    b = matching(nsw, caliper=0.2, trim=(0.05, 0.95), se="bootstrap", n_boot=30, seed=7, **kw)
    assert a.se == b.se and np.isfinite(a.se)
    assert set(a.extra["dropped"]) == {"trimmed", "off_support", "outside_caliper"}
    assert a.n_treated + a.extra["dropped"]["off_support"] + \
        a.extra["dropped"]["outside_caliper"] <= 185


def test_errors(nsw: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"column\(s\) \['income'\] not in the panel"):
        matching(nsw, outcome="re78", treated="treat", covariates=["income"])
    with pytest.raises(ValueError, match="column 'treat' must be 0/1"):
        matching(nsw.assign(treat=nsw["treat"] * 2), outcome="re78", treated="treat",
                 covariates=["age"])
    with pytest.raises(ValueError, match="column 're78' must be numeric"):
        matching(nsw.assign(re78="x"), outcome="re78", treated="treat", covariates=["age"])
