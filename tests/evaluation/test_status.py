"""What a page may claim: an SMS level only for an executed analysis (What Works Centre for
Local Economic Growth 2016 scores studies, not plans), and index cards that say what the page
established. Programme facts: UKSPF starts 2022 and Investment Zone 2024 (PROGRAMME_FACTS
§1, §3); the June 2024 district productivity workbook ends in 2022."""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import REPO
from wmresearch.evaluation import programme_tables as tables
from wmresearch.evaluation.programmes import get_programme
from wmresearch.evaluation.status import card_headline, evaluation_status, sms_statement


@pytest.fixture(scope="module")
def registry() -> dict:
    return yaml.safe_load((REPO / "programmes.yaml").read_text(encoding="utf-8"))["programmes"]


def test_programme_after_the_data_is_not_yet_evaluable(registry):
    status = evaluation_status(get_programme(registry, "investment_zone"), last_data_year=2022)
    assert status.state == "not_yet_evaluable" and status.post_years == 0
    assert status.sms_achieved is None and status.sms_planned == 3
    card = card_headline(status)
    assert card["Finding"].startswith("not yet evaluable") and "2024" in card["Finding"]
    assert card["Standard of evidence"] == "planned: SMS 3 once data obtained"


def test_planned_design_is_called_planned(registry):
    status = evaluation_status(get_programme(registry, "ukspf"), last_data_year=2022,
                               detectable=False)
    assert status.state == "not_detectable" and status.post_years == 1
    text = sms_statement(status)
    assert text.startswith("no SMS level") and "planned: SMS 3 once" in text
    card = card_headline(status, mde=0.12)
    assert card["Finding"].endswith("(MDE 12.0% of GVA per hour worked)")


def test_sms_only_for_an_executed_analysis(registry):
    status = evaluation_status(get_programme(registry, "ukspf"), last_data_year=2022,
                               estimated=True)
    assert status.sms_achieved == 3 and "analysis carried out" in sms_statement(status)
    assert card_headline(status)["Standard of evidence"] == "SMS 3"


def test_ukspf_spend_is_the_published_profile(registry):
    # PROGRAMME_FACTS §1 [5]: £10,729,170 + £21,458,339 + £56,220,848 = £88,408,357
    prog = get_programme(registry, "ukspf")
    spend = tables.spend_table(prog)
    assert spend.loc[0, "Amount (£)"] == 88_408_357
    assert spend["Amount (£)"].iloc[1:4].tolist() == [10_729_170, 21_458_339, 56_220_848]
    mean, basis = tables.annual_spend(prog)
    assert mean == pytest.approx(88_408_357 / 3) and "3 year" in basis


def test_beneficiary_count_is_the_published_one(registry):
    # BGP2's 285 SMEs (Birmingham Cabinet, 13 Nov 2018 [43]); Bootcamps 6,000 places [52]
    n, source = tables.beneficiary_count(get_programme(registry, "business_growth_wm"))
    assert n == 285 and "[43]" in source
    n, source = tables.beneficiary_count(get_programme(registry, "skills_bootcamps"))
    assert n == 6000 and "[52]" in source
    assert tables.beneficiary_count(get_programme(registry, "ukspf")) is None


def test_diverging_pre_trends_cost_a_level(registry):
    status = evaluation_status(get_programme(registry, "ukspf"), last_data_year=2022,
                               estimated=True, downgrade="pre-treatment trends differ")
    assert status.sms_achieved == 2 and status.sms_planned == 3
    assert "one level lower because pre-treatment trends differ" in sms_statement(status)
    assert card_headline(status)["Standard of evidence"] == "SMS 2 (pre-treatment trends differ)"
