"""Plan for Growth clusters in SIC 2007: the packaged definition and the sizing.

References: WMCA Plan for Growth cluster list and published figures (mirror
reference/sector_definitions/README.md); DCMS creative industries and digital sector 2016
SIC definitions (mirror dcms_creative_sic2007.csv, dcms_digital_sic2007.csv); UK Industrial
Strategy IS-8 sector definitions, 23 June 2025 (is8_sector_definitions_2025.csv); Isard (1960)
location quotient; Dunn (1960) shift-share.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

from wmresearch.colocation.plan_clusters import (
    UNION_ALL,
    UNION_PRIMARY,
    PlanClusterError,
    compare_with_published,
    load_plan_clusters,
    size_plan_clusters,
)

# The eight primary clusters exactly as WMCA names them (mirror sector_definitions/README.md)
PUBLISHED_NAMES = {
    "Creative Content Production and Gaming", "Health Tech and Med Tech",
    "Professional & Financial Services and Supply Chain", "Logistics and Distribution",
    "Modern and Low Carbon Utilities (smart energy systems)", "Manufacture of Future Housing",
    "Manufacturing of Electric Light Vehicles and Associated Battery Storage Devices",
    "Aerospace",
}


@pytest.fixture(scope="module")
def real_sic(mirror):
    from wmresearch.evidence.sic import get_sic_hierarchy

    return get_sic_hierarchy(mirror / "sic/sic2007_hierarchy.csv",
                             mirror / "sic/sic07_companies_house_condensed.csv").data


def test_packaged_definition_is_valid_sic2007_and_matches_the_published_list(real_sic):
    plan = load_plan_clusters(real_sic)
    primary = plan.clusters[~plan.clusters["enabler"]]
    assert set(primary["name"]) == PUBLISHED_NAMES
    assert plan.clusters.loc[plan.clusters["enabler"], "name"].tolist() == ["Digital Economy"]
    assert plan.meta["published_sic_definition"] is False
    assert (plan.codes["rationale"].str.len() > 0).all()
    assert (plan.codes["source"].str.len() > 0).all()
    assert set(plan.codes["tier"]) == {"core", "extended"}


def test_codes_citing_dcms_are_in_the_dcms_lists(real_sic, mirror):
    """Every code whose source cites a DCMS list is in that published list (4-digit level)."""
    plan = load_plan_clusters(real_sic)
    folder = mirror / "reference/sector_definitions"
    for key, file in (("DCMS creative", "dcms_creative_sic2007.csv"),
                      ("DCMS digital", "dcms_digital_sic2007.csv")):
        listed = set(pd.read_csv(folder / file, dtype=str)["sic2007_4digit"]
                     .str.replace(".", "", regex=False))
        cited = plan.codes[plan.codes["source"].str.contains(key)]
        assert len(cited) > 5
        expanded = {c for code in cited["code"] for c in
                    ([code[:4]] if len(code) >= 4 else
                     [s[:4] for s in real_sic["sic5_code"] if s.startswith(code)])}
        assert expanded <= listed, sorted(expanded - listed)


def test_codes_citing_is8_frontier_are_in_is8(real_sic, mirror):
    plan = load_plan_clusters(real_sic)
    is8 = pd.read_csv(mirror / "reference/sector_definitions/is8_sector_definitions_2025.csv",
                      dtype=str)
    codes = set(is8["sic_code"].dropna())
    cited = plan.codes[plan.codes["source"].str.contains("IS-8") &
                       plan.codes["source"].str.contains("frontier")]
    assert len(cited) >= 5
    for code in cited["code"]:
        # a frontier code is cited at its published level or finer (e.g. 3030 inside 303)
        assert any(code.startswith(c) for c in codes), code


SMALL_SIC = pd.DataFrame({"sic5_code": ["29100", "29320", "30300", "25620", "62011", "62012",
                                        "01000"],
                          "nomis_hierarchy": [True] * 7})


def _yaml(tmp_path, body: str):
    path = tmp_path / "c.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


GOOD = """
clusters:
  - id: auto
    name: Automotive
    description: vehicles
    enabler: false
    core:
      - {code: "2910", rationale: cars, source: "IS-8"}
    extended:
      - {code: "2932", rationale: parts, source: "IS-8"}
      - {code: "25620", rationale: machining, source: "judgement", overlaps_with: [aero]}
  - id: aero
    name: Aerospace
    description: aircraft
    enabler: false
    core:
      - {code: "303", rationale: aircraft, source: "IS-8"}
    extended:
      - {code: "2562", rationale: machining, source: "judgement", overlaps_with: [auto]}
  - id: dig
    name: Digital
    description: software
    enabler: true
    core:
      - {code: "6201", rationale: software, source: "DCMS"}
published:
  - {id: share, metric: share of regional employment, low: 0.5, high: 0.9,
     scope: all_primary, comparable: true, source: "made-up test figure"}
"""


def test_bad_code_is_named_with_its_cluster(tmp_path):
    path = _yaml(tmp_path, GOOD.replace('"2932"', '"2999"'))
    with pytest.raises(PlanClusterError, match=r"'auto'.*'2999'.*not a SIC 2007"):
        load_plan_clusters(SMALL_SIC, path)
    # the NOMIS pseudo-code 01000 is not a SIC 2007 subclass
    path = _yaml(tmp_path, GOOD.replace('"2932"', '"01000"'))
    with pytest.raises(PlanClusterError, match="01000"):
        load_plan_clusters(SMALL_SIC, path)
    path = _yaml(tmp_path, GOOD.replace('"2932"', '"29.32"'))
    with pytest.raises(PlanClusterError, match=r"29\.32"):
        load_plan_clusters(SMALL_SIC, path)


def test_undeclared_overlap_and_double_listing_are_refused(tmp_path):
    path = _yaml(tmp_path, GOOD.replace(", overlaps_with: [auto]", ""))
    with pytest.raises(PlanClusterError, match=r"'aero'.*'2562'.*25620.*overlaps_with"):
        load_plan_clusters(SMALL_SIC, path)
    path = _yaml(tmp_path, GOOD.replace('"2932"', '"29"'))
    with pytest.raises(PlanClusterError, match=r"'auto'.*29100"):
        load_plan_clusters(SMALL_SIC, path)


def _bres():
    """Two areas (TLR = region, TLX), four subclasses, 2015 and 2021 (hand-made numbers)."""
    rows = []
    e = {("TLR", 2015): [100, 50, 20, 30, 0, 800], ("TLR", 2021): [120, 40, 30, 30, 10, 770],
         ("TLX", 2015): [100, 150, 80, 70, 50, 2550],
         ("TLX", 2021): [100, 150, 100, 70, 60, 2520]}
    codes = ["29100", "29320", "30300", "25620", "62011", "62012"]
    for (area, year), values in e.items():
        rows += [{"year": year, "itl2_code": area, "sic_code": c, "employment": float(v)}
                 for c, v in zip(codes, values, strict=True)]
    return pd.DataFrame(rows)


def test_sizing_by_hand(tmp_path):
    plan = load_plan_clusters(SMALL_SIC, _yaml(tmp_path, GOOD))
    idbr = pd.DataFrame({"year": 2018, "nuts2_code": ["UKR", "UKR", "UKR", "UKX"],
                         "sic4_code": ["2910", "2562", "6201", "2910"],
                         "local_units": [3, 7, 11, 100]})
    sizes = size_plan_clusters(plan, _bres(), idbr, ["TLR"], sic=SMALL_SIC)
    got = sizes.set_index(["cluster", "scope"])
    # region 2021 total = 120+40+30+30+10+770 = 1000; GB = 1000 + 3000 = 4000
    auto = got.loc[("auto", "core+extended")]  # 29100, 29320, 25620
    assert auto["employment"] == 190 and auto["employment_start"] == 180
    assert auto["share_of_region"] == pytest.approx(0.19)
    # LQ = 0.19 / ((190 + 320) / 4000)
    assert auto["lq"] == pytest.approx(0.19 / (510 / 4000))
    assert auto["growth"] == pytest.approx(190 / 180 - 1)
    # Dunn: national growth G = 4000/4000 - 1 = 0; mix for 29100: G_i = 220/200 - 1 = 0.1
    # -> 100*0.1 = 10; 29320: G_i = 190/200 - 1 = -0.05 -> -2.5; 25620: 0 -> mix 7.5
    assert auto["national_growth"] == pytest.approx(0.0)
    assert auto["industry_mix"] == pytest.approx(7.5)
    assert auto["regional_shift"] == pytest.approx(10 - 7.5)
    # local units: classes 2910, 2932, 2562 in UKR -> 3 + 0 + 7
    assert auto["local_units"] == 10
    # the machining overlap is counted once in the union of the primary clusters
    union = got.loc[(UNION_PRIMARY, "core+extended")]
    assert union["employment"] == 120 + 40 + 30 + 30
    assert union["sum_of_clusters"] == union["employment"] + 30
    # digital lists 6201 (both subclasses); creative-style partial classes are flagged
    assert got.loc[(UNION_ALL, "core"), "employment"] == 120 + 30 + 10 + 770
    comparison = compare_with_published(plan, sizes)
    assert {"published", "source", "measured", "within_range"} <= set(comparison.columns)
    row = comparison[comparison["scope"] == "core+extended"].iloc[0]
    assert row["measured"] == pytest.approx(0.22) and not row["within_range"]


def test_real_sizing_west_midlands(real_sic, mirror):
    from wmresearch.evidence.bres import get_bres_itl2_sic5, get_idbr_nuts2_sic4

    bres = get_bres_itl2_sic5(mirror / "nomis/bres_employment_itl2_sic5_2015_2021.csv.gz").data
    folder = mirror / "nomis/nuts2_sic4"
    idbr = get_idbr_nuts2_sic4([folder / "nomis_IDBR_2015_TYPE450.csv.gz",
                                folder / "nomis_IDBR_2018_TYPE450.csv.gz"]).data
    plan = load_plan_clusters(real_sic)
    sizes = size_plan_clusters(plan, bres, idbr, ["TLG3"], sic=real_sic)
    parts = sizes[["national_growth", "industry_mix", "regional_shift"]].sum(axis=1)
    np.testing.assert_allclose(parts, sizes["change"], atol=1e-6)
    unions = sizes[sizes["cluster"].isin([UNION_PRIMARY, UNION_ALL])]
    assert (unions["sum_of_clusters"] >= unions["employment"]).all()
    # independent path: the union's employment straight from the BRES table
    members = plan.members(UNION_ALL)
    direct = bres[(bres["year"] == 2021) & (bres["itl2_code"] == "TLG3")
                  & bres["sic_code"].isin(members)]["employment"].fillna(0).sum()
    assert unions.loc[unions["scope"] == "core+extended", "employment"].iloc[-1] == direct
    assert sizes.attrs["idbr_year"] == 2018 and not sizes.attrs["idbr_missing_areas"]
    comparison = compare_with_published(plan, sizes)
    assert comparison["source"].str.contains("Plan for Growth").all()
