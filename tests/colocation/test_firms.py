"""Synthetic firm register: calibration recovered against the official tables it is drawn from.

References (the published aggregates the register must reproduce)
------------------------------------------------------------------
* ONS Census 2011 workplace population by SIC 2007 section, MSOA (WP605EW), mirror file
  ``ons/census2011_workplace_population_msoa_sic_section.csv``: section shares of workers by
  district, recomputed here with a pandas groupby straight from the cleaned table.
* ONS UK Business Counts (IDBR) enterprises by SIC 5-digit and employment size band, Great
  Britain (NOMIS), ``nomis/ukbc_enterprises_gb_sic5_sizeband_2016_2021.csv.gz``: size-band
  shares of the most common subclasses.
* Hand-computed calibration on a toy economy: expected firm counts
  :math:`\\lambda = W \\cdot s_k / \\mu_k` with band means from the band limits.

Tolerances are stated at each assertion: Poisson counts within 4.5 standard deviations; band
shares within 4 binomial standard errors; section shares of employment within 0.10 by
district (one hospital trust or factory drawn in the open 1000+ band holds several per cent
of a small district's employment: 0.084 seen for health in Wolverhampton with seed 2024), mean
absolute deviation 0.015 (0.012 seen), and 0.02 for the whole region.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wmresearch.colocation.firms import (
    PlantedCluster,
    section_group,
    synthetic_firm_register,
)

BANDS = [("0 to 4", 0, 4), ("5 to 9", 5, 9), ("10 to 19", 10, 19), ("1000+", 1000, None)]


def toy() -> dict[str, pd.DataFrame]:
    """Two districts, three MSOAs, sections C and G; every firm in band 5-9 (mean 7)."""
    bands = []
    for code in ["25110", "29100", "47110"]:
        for name, lo, hi in BANDS:
            bands.append({"year": 2021, "sic_code": code, "sizeband": name,
                          "sizeband_lower": lo, "sizeband_upper": hi,
                          "enterprises": 100 if name == "5 to 9" else 0})
    sizebands = pd.DataFrame(bands).astype({"sizeband_upper": "Int64"})
    return {
        "workplace": pd.DataFrame({"msoa11_code": ["M1", "M1", "M2", "M2", "M3", "M3"],
                                   "sic_section": ["C", "G"] * 3,
                                   "workers": [7000, 1400, 700, 2100, 0, 3500]}),
        "bres": pd.DataFrame({"year": 2021, "itl2_code": "TLX1",
                              "sic_code": ["25110", "29100", "47110"],
                              "employment": [300.0, 100.0, 500.0]}),
        "sizebands": sizebands,
        "centroids": pd.DataFrame({"area_type": "msoa", "area_code": ["M1", "M2", "M3"],
                                   "easting": [400000.0, 410000.0, 420000.0],
                                   "northing": [280000.0, 290000.0, 300000.0]}),
        "msoa_lookup": pd.DataFrame({"msoa11_code": ["M1", "M2", "M3"],
                                     "lad_code": ["L1", "L1", "L2"]}),
    }


REGION = pd.DataFrame({"lad_code": ["L1", "L2"], "itl2_code": "TLX1"})
PLANT = (PlantedCluster("metal", "25", 60, 1000.0, centre=(405000.0, 285000.0)),)


def test_toy_expected_counts_by_hand():
    reg = synthetic_firm_register(REGION, seed=3, planted=PLANT, **toy())
    cal = reg.calibration.set_index(["lad_code", "section_group"])
    # L1, C: (7000 + 700) workers, all in 25110/29100 (3:1), mean size (5 + 9) / 2 = 7
    assert cal.loc[("L1", "C"), "expected_firms"] == pytest.approx(7700 / 7, rel=1e-12)
    assert cal.loc[("L1", "G"), "expected_firms"] == pytest.approx(3500 / 7, rel=1e-12)
    assert cal.loc[("L2", "G"), "expected_firms"] == pytest.approx(500, rel=1e-12)
    for lam, n in zip(cal["expected_firms"], cal["firms"], strict=True):
        assert abs(n - lam) < 4.5 * np.sqrt(lam) or n == lam == 0  # Poisson, 4.5 sd
    firms = reg.firms
    assert firms["employment"].between(5, 9).all() and (firms["sizeband"] == "5 to 9").all()
    base = firms[firms["planted"] < 0]
    c1 = base[(base["lad_code"] == "L1") & (base["section"] == "C")]
    assert (c1["sic_code"] == "25110").mean() == pytest.approx(0.75, abs=0.05)  # 3:1 in BRES


def test_planted_cluster_and_synthetic_labels():
    reg = synthetic_firm_register(REGION, seed=3, planted=PLANT, **toy())
    mine = reg.firms[reg.firms["planted"] == 0]
    assert len(mine) == 60 and mine["sic_code"].str.startswith("25").all()
    dist = np.hypot(mine["easting"] - 405000.0, mine["northing"] - 285000.0)
    assert dist.max() <= 1000.0
    truth = reg.truth.iloc[0]
    assert (truth["n_firms"], truth["centre_easting"], truth["radius_m"]) == (60, 405000, 1000)
    assert truth["employment"] == mine["employment"].sum()
    for frame in (reg.firms, reg.truth, reg.calibration):
        assert frame["synthetic"].all() and "Synthetic" in frame.attrs["synthetic"]
    assert set(reg.firms.loc[reg.firms["planted"] < 0, "planted"]) == {-1}


def test_deterministic_for_a_seed():
    a = synthetic_firm_register(REGION, seed=11, planted=PLANT, **toy())
    b = synthetic_firm_register(REGION, seed=11, planted=PLANT, **toy())
    c = synthetic_firm_register(REGION, seed=12, planted=PLANT, **toy())
    pd.testing.assert_frame_equal(a.firms, b.firms)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    assert not a.firms[["easting", "employment"]].equals(c.firms[["easting", "employment"]])


def test_errors_name_the_offender():
    tables = toy()
    with pytest.raises(KeyError, match=r"district\(s\) \['L9'\]"):
        synthetic_firm_register(pd.DataFrame({"lad_code": ["L9"], "itl2_code": "TLX1"}),
                                seed=1, **tables)
    with pytest.raises(KeyError, match="'workplace' lacks column.*workers"):
        synthetic_firm_register(REGION, seed=1, **{**tables, "workplace": tables[
            "workplace"].drop(columns="workers")})
    no_centroid = tables["centroids"].iloc[:2]
    with pytest.raises(KeyError, match="MSOA 'M3' has no population-weighted centroid"):
        synthetic_firm_register(REGION, seed=1, **{**tables, "centroids": no_centroid})
    with pytest.raises(KeyError, match="no BRES subclass starts with '99'"):
        synthetic_firm_register(REGION, seed=1, planted=(PlantedCluster("x", "99", 5),),
                                **tables)


# ---- real data ---------------------------------------------------------------------------

#: The seven WMCA districts (ONS LAD-to-combined-authority lookup), all in ITL2 TLG3.
WMCA = pd.DataFrame({"lad_code": [f"E080000{i}" for i in range(25, 32)], "itl2_code": "TLG3"})


@pytest.fixture(scope="module")
def real_tables(mirror):
    from wmresearch.evidence.bres import get_bres_itl2_sic5
    from wmresearch.evidence.business import get_ukbc_sizeband
    from wmresearch.evidence.census import get_workplace_population
    from wmresearch.evidence.smallareas.centroids import get_centroids
    from wmresearch.evidence.smallareas.lookups import get_msoa_lad_lookup, get_oa_lookup

    oa = get_oa_lookup(mirror / "geography/oa11_lsoa11_msoa11_lad17_rgn_lookup.csv.gz").data
    return {
        "workplace": get_workplace_population(
            mirror / "ons/census2011_workplace_population_msoa_sic_section.csv").data,
        "bres": get_bres_itl2_sic5(
            mirror / "nomis/bres_employment_itl2_sic5_2015_2021.csv.gz").data,
        "sizebands": get_ukbc_sizeband(
            mirror / "nomis/ukbc_enterprises_gb_sic5_sizeband_2016_2021.csv.gz").data,
        "centroids": get_centroids(mirror / "geography/lsoa_latlong.csv.gz",
                                   mirror / "geography/msoa_latlong.csv.gz",
                                   lsoa_to_msoa=oa).data,
        "msoa_lookup": get_msoa_lad_lookup(mirror / "geography/msoa_la.csv.gz").data,
        "oa_lookup": oa,
    }


@pytest.fixture(scope="module")
def wmca_register(real_tables):
    return synthetic_firm_register(WMCA, seed=2024, **real_tables)


def test_real_register_stays_in_the_west_midlands(wmca_register):
    """Four WMCA MSOAs have misplaced centroids in the ONS file (one near Lancaster); they are
    drawn at their LSOAs' mean, so every firm lies in the county's British National Grid box
    (eastings 380-440 km, northings 260-310 km) up to a few jitter s.d. (400 m)."""
    firms, msoas = wmca_register.firms, wmca_register.msoas
    assert set(msoas.loc[msoas["centroid_derived"], "msoa11_code"]) == {
        "E02001854", "E02001864", "E02002068", "E02006901"}
    assert firms["easting"].between(378_000, 442_000).all()
    assert firms["northing"].between(258_000, 312_000).all()


def test_real_section_shares_by_district(real_tables, wmca_register):
    look = real_tables["msoa_lookup"].dropna(subset=["msoa11_code"])
    work = real_tables["workplace"].merge(look[["msoa11_code", "lad_code"]].drop_duplicates(),
                                          on="msoa11_code")
    # BRES publishes no employment in sections T and U (households; extraterritorial)
    work = work[work["lad_code"].isin(WMCA["lad_code"]) & ~work["sic_section"].isin(["T", "U"])]
    census = work.groupby(["lad_code", "sic_section"])["workers"].sum().astype(float)
    firms = wmca_register.firms[wmca_register.firms["planted"] < 0]
    synth = firms.groupby(["lad_code", section_group(firms["sic_code"]).rename(
        "sic_section")])["employment"].sum().reindex(census.index).fillna(0)
    share = census / census.groupby(level=0).transform("sum")
    got = synth / synth.groupby(level=0).transform("sum")
    assert (got - share).abs().max() < 0.10
    assert (got - share).abs().mean() < 0.015
    region = census.groupby(level=1).sum() / census.sum()
    got_region = synth.groupby(level=1).sum() / synth.sum()
    assert (got_region - region).abs().max() < 0.02
    unrep = wmca_register.calibration.query("unrepresented")
    assert set(unrep["section_group"]) == {"T", "U"}


def test_real_size_band_shares(real_tables, wmca_register):
    ukbc = real_tables["sizebands"]
    ukbc = ukbc[ukbc["year"] == ukbc["year"].max()]
    firms = wmca_register.firms[wmca_register.firms["planted"] < 0]
    for code in firms["sic_code"].value_counts().index[:5]:
        pub = ukbc[ukbc["sic_code"] == code]
        pub = pub.set_index(pub["sizeband"].astype(str))["enterprises"].astype(float)
        pub = pub / pub.sum()
        mine = firms.loc[firms["sic_code"] == code, "sizeband"]
        got = mine.value_counts(normalize=True).reindex(pub.index).fillna(0)
        se = np.sqrt(pub * (1 - pub) / len(mine))
        assert ((got - pub).abs() <= 4 * se + 1e-3).all(), code


def test_real_poisson_counts_and_planted(wmca_register):
    cal = wmca_register.calibration.query("not unrepresented")
    z = (cal["firms"] - cal["expected_firms"]) / np.sqrt(cal["expected_firms"].clip(lower=1))
    assert z.abs().max() < 4.5
    truth = wmca_register.truth
    assert list(truth["n_firms"]) == [80, 120, 100]
    assert set(truth["lad_code"]) <= set(WMCA["lad_code"])
