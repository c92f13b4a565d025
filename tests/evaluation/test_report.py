"""Evaluation reports: every registered programme renders, never shows nan, and the power gate
hides impact headlines the data cannot support.

Reference figures: UKSPF WMCA core allocation £88,408,357 over 2022-25 in three published
annual amounts (PROGRAMME_FACTS [5], WMCA Local Partnership Group slides); WMCA annual GVA
£76,333m in 2022 (ONS Regional GVA balanced, ITL3 TLG31-TLG39): a plausible effect of about
0.04% of GVA. The synthetic monitoring panel plants a known effect of 0.05 on log employment
(:mod:`wmresearch.evaluation.monitoring_demo`).
"""

from __future__ import annotations

import copy
import json
import math
import re

import pytest
import yaml

import wmresearch.reporting.charts as charts
import wmresearch.reporting.display as display_mod
import wmresearch.reporting.tables as tables_mod
from tests.conftest import REPO
from wmresearch.evaluation import report, report_impact
from wmresearch.evaluation.monitoring_demo import synthetic_monitoring
from wmresearch.evaluation.programmes import get_programme
from wmresearch.reporting import write_metrics

NAN = re.compile(r"\bnan\b|\binf\b|\bNaN\b", re.IGNORECASE)
SEED = 20240601


@pytest.fixture(scope="module")
def registry() -> dict:
    return yaml.safe_load((REPO / "params.yaml").read_text(encoding="utf-8"))["programmes"]


@pytest.fixture(scope="module")
def evidence(district_productivity):
    return district_productivity


@pytest.fixture
def captured(monkeypatch):
    shown: list[str] = []

    def capture(*objects, **_):
        for obj in objects:
            shown.append(obj.to_html() if hasattr(obj, "to_html") else str(obj.data))

    import IPython.display

    for module in (IPython.display, charts, tables_mod, display_mod):
        monkeypatch.setattr(module, "display", capture)
    return shown


def _render(programme, evidence) -> tuple[dict, dict]:
    prod, lookup = evidence
    ctx = report.Context(programme, SEED, 3, prod, lookup)
    metrics = report.summary(ctx)
    for section in (report.programme_section, report.monitoring_section, report.method_section):
        metrics.update(section(ctx))
    power = report_impact.power_section(ctx)
    impact = report_impact.impact_section(ctx, power)
    metrics.update(report_impact.firm_level_section(ctx))
    metrics.update(report_impact.value_for_money(ctx, impact))
    metrics.update(report.caveats(ctx))
    metrics.update(power, **impact)
    return metrics, power


def test_every_programme_renders_without_nan(registry, evidence, captured, tmp_path):
    for key in registry:
        captured.clear()
        metrics, _ = _render(get_programme(registry, key), evidence)
        html = "\n".join(captured)
        assert not NAN.search(html), (key, NAN.findall(html))
        order = [html.find(f"## {n}.") for n in (1, 2, 3, 4, 5, 6, 8, 9)]
        assert all(i >= 0 for i in order) and order == sorted(order), key
        path = write_metrics(tmp_path / f"{key}.json", report_impact.headline(metrics))
        # json.loads rejects nothing by default; refuse NaN/Infinity constants explicitly
        loaded = json.loads(path.read_text(), parse_constant=lambda c: pytest.fail(c))
        assert all(v is None or isinstance(v, bool | int | float | str)
                   for v in loaded.values()), key
        assert loaded["sms_level"] in (1, 2, 3, 4, 5)


def test_power_gate_hides_ukspf_impact(registry, evidence, captured):
    metrics, power = _render(get_programme(registry, "ukspf"), evidence)
    html = "\n".join(captured)
    assert power["detectable"] is False and power["mde"] > power["plausible_effect"]
    assert "No impact estimate is reported" in html
    assert "Effect on GVA per hour" not in html and "att" not in metrics


def test_power_gate_shows_impact_when_detectable(registry, evidence, captured):
    entry = copy.deepcopy(registry["ukspf"])
    # a hypothetical programme spending £20bn a year (about a quarter of WMCA GVA)
    entry["budget"]["spend_profile"] = [{"period": "2019-20", "gbp": 2e10, "source": "test"}]
    metrics, power = _render(get_programme({"big": entry}, "big"), evidence)
    assert power["detectable"] is True
    assert "Effect on GVA per hour" in "\n".join(captured)
    assert math.isfinite(metrics["att"]) and metrics["ci_low"] < metrics["ci_high"]


def test_place_based_evaluation_reports_estimate_with_mde(registry, evidence, captured):
    metrics, _ = _render(get_programme(registry, "mayoral_devolution"), evidence)
    assert metrics["impact_reported"] and metrics["assessed_start"] == 2017
    assert metrics["fake_start"] == 2012 and 0 < metrics["placebo_p"] <= 1
    assert metrics["ci_low"] < metrics["att"] < metrics["ci_high"]


def test_ukspf_plausible_effect_is_about_four_hundredths_of_a_percent(registry):
    prog = get_programme(registry, "ukspf")
    spend, basis = report_impact.annual_spend(prog)
    assert spend == pytest.approx(88_408_357 / 3) and "3 year" in basis
    # £29.5m a year over ONS balanced GVA £76,333m (2022): 0.039%
    assert report_impact.plausible_effect(prog, 76_333e6) == pytest.approx(3.86e-4, rel=0.01)


@pytest.mark.parametrize("seed", [SEED, 1, 2])
def test_demo_naive_misleads_and_trend_did_recovers_truth(seed):
    data = synthetic_monitoring(seed=seed)
    est = report_impact.demo_estimates(data.panel, 2022)
    truth = data.truth["effect_log_employment"]
    # selection on pre-trends inflates before/after and plain DiD by > 0.05; the random-growth
    # DiD recovers the planted 0.05 within 0.012 (about 3.5 standard errors, 3,000 firms)
    assert est["naive"] - truth > 0.05 and est["did"] - truth > 0.05
    assert est["trend_did"] == pytest.approx(truth, abs=0.012)


def test_numbers_never_print_nan():
    for value in (None, float("nan"), float("inf")):
        assert report.number(value) == "not published"
    assert report.number(88_408_357, gbp=True) == "£88.4m"
    assert report.number(0.000386, digits=3, pct=True) == "0.039%"


def test_beneficiary_power_uses_the_published_count(registry):
    """BGP2's 285 SMEs (Birmingham Cabinet, 13 Nov 2018 [43]) and Skills Bootcamps' 6,000
    places (WMCA release [52]) set the sample; with one comparison each, 285 per arm detects
    0.235 SD (Cohen 1988: n = 64 per arm detects 0.50, and the MDE falls as 1/sqrt(n))."""
    n, source = report_impact.beneficiary_count(get_programme(registry, "business_growth_wm"))
    assert n == 285 and "SMEs supported (BGP2), target" in source and "[43]" in source
    n, source = report_impact.beneficiary_count(get_programme(registry, "skills_bootcamps"))
    assert n == 6000 and "[52]" in source
    assert report_impact.beneficiary_count(get_programme(registry, "ukspf")) is None
    one = report_impact.mde_two_sample(285, 285)
    assert one == pytest.approx(0.50 * math.sqrt(64 / 285), rel=0.02)


def test_beneficiary_power_is_said_in_words(registry, captured):
    metrics = report_impact._beneficiary_power(get_programme(registry, "business_growth_wm"))
    assert metrics["beneficiaries"] == 285 and metrics["mdes_1to4"] < metrics["mdes_1to1"]
    text = " ".join(captured)
    assert "285 beneficiaries" in text and "0.24 standard deviations" in text
    report_impact._beneficiary_power(get_programme(registry, "ukspf"))
    assert "no count of beneficiaries is published" in " ".join(captured)
