"""The programme registry (programmes.yaml): schema, errors, and facts against their sources.

Facts are checked against the mirror's reference/programmes/PROGRAMME_FACTS.md (the
publications it cites) and the ONS code history; the Green Book schedule against HM Treasury
Green Book 2022 Annex A6 as listed there (source [75]).
"""

from __future__ import annotations

import copy

import pandas as pd
import pytest
import yaml

from tests.conftest import REPO
from wmresearch.evaluation.appraisal import GREEN_BOOK_STPR
from wmresearch.evaluation.programmes import (
    METHODS,
    ProgrammeError,
    get_programme,
    load_programmes,
    unpublished_facts,
)

FACTS = "reference/programmes/PROGRAMME_FACTS.md"
REQUIRED = {"ukspf", "innovation_accelerator", "investment_zone", "business_growth_wm",
            "skills_bootcamps", "connecting_communities", "enterprise_zones",
            "mayoral_devolution"}


@pytest.fixture(scope="module")
def registry() -> dict:
    params = yaml.safe_load((REPO / "programmes.yaml").read_text(encoding="utf-8"))
    # the devolution evaluation has its own stage and notebook, with the same registry schema
    return {**params["programmes"], "mayoral_devolution": params["mayoral_devolution"]}


def test_every_registered_programme_validates(registry):
    programmes = load_programmes(registry)
    assert REQUIRED <= set(programmes)
    for key, prog in programmes.items():
        assert key.isidentifier() and key == prog.id
        assert prog.design.method in METHODS and prog.logic_model.outcomes
        # first treated years of the registry's programmes lie in 2011-2024 (PROGRAMME_FACTS)
        assert 2000 < prog.start_year < 2030


def test_compatibility_properties(registry):
    ukspf = get_programme(registry, "ukspf")
    assert ukspf.start_year == 2022
    assert ukspf.budget_gbp_m == pytest.approx(88.408357)
    assert get_programme(registry, "business_growth_wm").budget_gbp_m is None


def test_ukspf_budget_matches_published_profile(registry, mirror_file):
    # PROGRAMME_FACTS §1 [5]: £88,408,357 = £10,729,170 + £21,458,339 + £56,220,848.
    text = mirror_file(FACTS).read_text(encoding="utf-8")
    budget = get_programme(registry, "ukspf").budget
    for value in [budget.total_gbp] + [s.gbp for s in budget.spend_profile if s.gbp]:
        assert f"£{value:,.0f}" in text
    published = sum(s.gbp for s in budget.spend_profile if s.gbp is not None)
    assert published == budget.total_gbp == 88_408_357


def test_other_published_figures_appear_in_facts(registry, mirror_file):
    text = mirror_file(FACTS).read_text(encoding="utf-8")
    progs = load_programmes(registry)
    assert "£160m" in text and progs["investment_zone"].budget.total_gbp == 160e6
    assert "£1,015.1m" in text and progs["enterprise_zones"].budget.total_gbp == 1_015.1e6
    assert ">30,000 jobs" in text
    assert {i.target for i in progs["investment_zone"].indicators} >= {30_000, 5.5e9}
    assert "1,123 job starts" in text
    assert 1123 in {i.actual for i in progs["connecting_communities"].indicators}
    assert "first mayoral election 4 May 2017" in text
    dev = progs["mayoral_devolution"]
    assert dev.design.start_date == "2017-05-04" and dev.start_year == 2017


def test_devolution_treats_the_seven_wmca_districts(registry, mirror_file):
    codes = pd.read_csv(mirror_file("geography/la_all_codes.csv.gz"), dtype=str)
    wmca = set(codes.loc[codes["CAUTHCD"] == "E47000007", "LADCD_ACTIVE"])
    design = get_programme(registry, "mayoral_devolution").design
    assert set(design.treated_units) == wmca and len(wmca) == 7


def test_discount_schedule_is_green_book_2022(registry):
    # Green Book 2022 Annex A6 (PROGRAMME_FACTS §8 [75]): 3.5% yrs 0-30, 3.0% 31-75,
    # 2.5% 76-125, 2.0% 126-200, 1.5% 201-300, 1.0% 301+.
    published = [(0, 0.035), (31, 0.030), (76, 0.025), (126, 0.020), (201, 0.015),
                 (301, 0.010)]
    assert list(GREEN_BOOK_STPR) == published
    for prog in load_programmes(registry).values():
        bands = [(b.from_year, b.rate) for b in prog.appraisal.discount_schedule]
        assert bands == published


def test_optimism_bias_is_the_published_upper_bound(registry):
    # HMT optimism-bias guidance (Mott MacDonald 2002), CRAN greenbook optimism_bias.csv
    # (commit 38fe7ad): standard civil engineering capex 44%, duration 20%.
    ob = get_programme(registry, "investment_zone").appraisal.optimism_bias
    assert (ob.category, ob.capex_upper, ob.duration_upper) == (
        "standard_civil_engineering", 0.44, 0.20)


def test_unpublished_facts_are_listed(registry):
    missing = unpublished_facts(get_programme(registry, "business_growth_wm"))
    assert "budget.total_gbp" in missing and "additionality.deadweight" in missing
    assert "budget.spend_profile[2025-26]" in unpublished_facts(
        get_programme(registry, "ukspf"))


def _broken(registry, path: list[str], value=None, delete=False) -> dict:
    reg = copy.deepcopy(registry)
    node = reg["ukspf"]
    for part in path[:-1]:
        node = node[part]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return reg


@pytest.mark.parametrize(("path", "value", "delete", "message"), [
    (["design", "method"], "foo", False,
     r"programmes\.ukspf\.design\.method: expected one of \['did', 'event_study', "
     r"'staggered_did', 'synthetic_control', 'synthetic_did', 'matching', 'descriptive'\], "
     r"got 'foo'"),
    (["funder"], None, True, r"programmes\.ukspf\.funder: required field is missing"),
    (["design", "start_year"], "soon", False, r"programmes\.ukspf\.design\.start_year: .*'soon'"),
    (["area", "code"], "WM", False, r"programmes\.ukspf\.area\.code: .*'WM'"),
    (["budget", "total_gbp"], -5, False, r"programmes\.ukspf\.budget\.total_gbp"),
    (["budget", "source"], None, False, r"programmes\.ukspf\.budget: .*needs its source"),
    (["additionality", "displacement", "low"], 0.9, False,
     r"programmes\.ukspf\.additionality\.displacement: .*low <= central <= high"),
    (["additionality", "displacement", "high"], 1.5, False,
     r"programmes\.ukspf\.additionality: .*displacement: a rate must lie in \[0, 1\]"),
    (["budget_gbp_m"], 88.4, False, r"programmes\.ukspf\.budget_gbp_m: unknown field"),
    (["key_dates"], [{"date": "May 2017", "event": "x", "source": "y"}], False,
     r"programmes\.ukspf\.key_dates\.0\.date"),
])
def test_schema_errors_name_programme_and_field(registry, path, value, delete, message):
    with pytest.raises(ProgrammeError, match=message):
        get_programme(_broken(registry, path, value, delete), "ukspf")


def test_key_must_be_a_simple_identifier(registry):
    with pytest.raises(ProgrammeError, match=r"programmes\.Bad-Key: key must be"):
        get_programme({"Bad-Key": registry["ukspf"]}, "Bad-Key")


def test_unknown_programme_lists_known(registry):
    with pytest.raises(KeyError, match="known: ukspf"):
        get_programme(registry, "nope")


def test_every_cited_source_resolves_to_a_publication(registry, mirror_file):
    # each "[n]" a page cites resolves to the facts document's own source list, word for word
    # apart from the three Green Book entries rewritten for readers
    from wmresearch.evaluation.programme_tables import programme_references, source_list

    text = mirror_file(FACTS).read_text(encoding="utf-8")
    listed = source_list()
    assert len(listed) == 72 and min(listed) == 1 and max(listed) == 77
    for number, words in listed.items():
        if number not in (75, 76, 77):
            assert f"[{number}] {words}." in text, number
    progs = load_programmes(registry)
    for prog in progs.values():
        for entry in programme_references(prog, list(progs.values())):
            assert "not recorded" not in entry, (prog.id, entry)
