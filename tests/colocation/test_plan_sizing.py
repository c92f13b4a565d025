"""Like-for-like plan sizing (wmresearch.colocation.plan_sizing): GVA groups of the ONS
regional GVA Table 3c layout, employment-share apportionment, tier flips and the size-band
year and coverage rules, each checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wmresearch.colocation.plan_sizing import (
    apportion_gva,
    class_sizebands,
    gva_groups,
    sizeband_year,
    tier_flips,
)

# (code, divisions, description, level, GVA): Table 3c's layout, a section with its
# subsection and divisions, and a section published only as a whole
TABLE = [("Total", None, "All industries", "total", 1000.0),
         ("C", "10-33", "Manufacturing", "section", 300.0),
         ("CK-CL", "28-30", "Machinery and transport equipment", "subsection", 200.0),
         ("H", "49-53", "Transportation and storage", "section", 150.0),
         ("49-51", None, "Land, water and air transport", "division", 90.0),
         ("52", None, "Warehousing", "division", 60.0),
         ("68IMP", None, "Owner-occupiers' imputed rental", "division", 100.0),
         ("O", "84", "Public administration and defence", "section", 50.0)]


def _gva(areas=("TLG31", "TLG32")) -> pd.DataFrame:
    return pd.DataFrame([{"itl_code": a, "year": 2021, "sic07_code": c, "sic07_divisions": d,
                          "sic07_description": n, "industry_level": lv, "gva_gbp_m": v / 2}
                         for a in areas for c, d, n, lv, v in TABLE])


def test_each_division_takes_its_finest_group():
    groups = gva_groups(_gva()).set_index("sic2_code")["group"]
    assert groups[["29", "49", "51", "52", "84"]].tolist() == ["CK-CL", "49-51", "49-51",
                                                              "52", "O"]
    assert "10" in groups and groups["10"] == "C"  # no subsection published for it here


def test_gva_shared_by_jobs_within_its_group():
    jobs = pd.DataFrame({"sic_code": ["29100", "28110", "52100", "84110"],
                         "employment": [60.0, 40.0, 30.0, 10.0]})
    out = apportion_gva(_gva(), jobs, {"vehicles": {"29100"}, "mixed": {"29100", "52100"}},
                        areas=["TLG3"], year=2021)
    assert out.loc["vehicles", "gva"] == pytest.approx(200 * 60 / 100)
    assert out.loc["mixed", "gva"] == pytest.approx(120 + 60)
    assert out.loc["mixed", "gva_share"] == pytest.approx(180 / 1000)
    assert out.attrs["imputed_rent"] == 100 and out.attrs["unmatched_jobs"] == 0


def test_missing_year_is_named():
    jobs = pd.DataFrame({"sic_code": ["29100"], "employment": [1.0]})
    with pytest.raises(KeyError, match="2030"):
        apportion_gva(_gva(), jobs, {"x": {"29100"}}, areas=["TLG3"], year=2030)


def test_flip_and_the_extended_codes_alone():
    rows = [("c", "core", 0.01, 2.0, 100, 110, 0.10, 5.0),
            ("c", "core+extended", 0.03, 0.75, 400, 380, -0.05, -20.0)]
    sizes = pd.DataFrame(rows, columns=["cluster", "scope", "share_of_region", "lq",
                                        "employment_start", "employment", "growth",
                                        "regional_shift"]).assign(name="C")
    flips = tier_flips(sizes, threshold=1.25).set_index("result")
    assert set(flips.index) == {"LQ above 1", "specialised", "growth", "regional shift"}
    # extended alone: area share 0.02, GB share 0.03/0.75 - 0.01/2 = 0.035
    assert flips.loc["growth", "extended_lq"] == pytest.approx(0.02 / 0.035)
    assert flips.loc["growth", "extended_jobs"] == 270
    assert flips.loc["growth", "extended_growth"] == pytest.approx(270 / 300 - 1)


def test_no_flip_no_row():
    rows = [("c", "core", 0.01, 2.0, 100, 110, 0.10, 5.0),
            ("c", "core+extended", 0.02, 1.9, 200, 230, 0.15, 9.0)]
    sizes = pd.DataFrame(rows, columns=["cluster", "scope", "share_of_region", "lq",
                                        "employment_start", "employment", "growth",
                                        "regional_shift"]).assign(name="C")
    assert tier_flips(sizes).empty


def test_sizeband_year_matches_else_nearest():
    assert sizeband_year([2016, 2021, 2022], 2021) == 2021
    assert sizeband_year([2016, 2017], 2015) == 2016
    assert sizeband_year([2016, 2018], 2017) == 2016


def test_bands_that_cannot_hold_the_jobs_are_left_out():
    bands = [("0 to 4", 0, 4), ("5 to 9", 5, 9), ("1000+", 1000, None)]
    counts = {"24460": [5, 0, 0], "25620": [900, 100, 0], "29100": [10, 0, 2]}
    ukbc = pd.DataFrame([{"year": 2021, "sic_code": s, "sizeband": b, "sizeband_lower": lo,
                          "sizeband_upper": hi, "enterprises": n}
                         for s, ns in counts.items() for (b, lo, hi), n in zip(bands, ns,
                                                                                strict=True)])
    ukbc["sizeband_upper"] = ukbc["sizeband_upper"].astype("Int64")
    jobs = pd.Series({"2446": 10810.0, "2562": 4000.0, "2910": 9000.0})
    kept, dropped = class_sizebands(ukbc, 2021, jobs)
    assert dropped == ["2446"]  # 5 firms of at most 4 cannot hold 10,810 jobs
    assert sorted(kept["sic4_code"].unique()) == ["2562", "2910"]
    assert np.isclose(kept.loc[kept["sic4_code"] == "2562", "enterprises"].sum(), 1000)
