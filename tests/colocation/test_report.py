"""The co-location report's helpers: the study area and outputs (wmresearch.colocation.report)
and the method demonstration on the synthetic register (wmresearch.colocation.demonstration).

The clusters notebook computes, shows and words every section itself, so these tests check
what the helpers compute, by hand where the answer is known, and that the science layer
displays nothing (it imports neither ``wmresearch.reporting`` nor IPython). The rendered page
is checked by tests/test_pipeline.py; each statistic it shows is tested against its published
reference in its own module (test_lq.py: REAT ``locq``; test_kdensity.py: dbmss ``Kdhat``;
test_firm_clusters.py: recovery of planted clusters by HDBSCAN; ...).
"""

from __future__ import annotations

import ast
import json
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import yaml

from tests.conftest import REPO
from wmresearch.colocation import demonstration as demo
from wmresearch.colocation import report
from wmresearch.colocation.firm_clusters import firm_clusters
from wmresearch.colocation.firms import EVIDENCE_FILES, synthetic_firm_register
from wmresearch.colocation.kdensity import KdResult, k_density
from wmresearch.config import Paths
from wmresearch.evidence.demo import demo_tables
from wmresearch.evidence.sic import SIC2007_DIVISIONS
from wmresearch.reporting.disclosure import (
    CONFIDENTIAL,
    cell_contributions,
    disclosure_check,
)

ITL2 = ["TLG3", "TLD3", "TLI3", "TLK1"]
BANDS = [("0 to 4", 0, 4), ("5 to 9", 5, 9), ("10 to 49", 10, 49), ("50+", 50, None)]
GROUPS = {"pharma and R&D": ["21", "72"], "vehicles": ["29", "30"]}


def _plan_subclasses() -> list[str]:
    """One 5-digit subclass per code of the packaged plan (codes padded with zeros), so the
    plan loader's validation against the SIC hierarchy passes on a small table."""
    from importlib import resources

    doc = yaml.safe_load(resources.files("wmresearch.colocation").joinpath("clusters.yaml")
                         .read_text(encoding="utf-8"))
    codes = {str(e["code"]) for c in doc["clusters"] for t in ("core", "extended")
             for e in c.get(t) or []}
    extra = {"10110", "21100", "21200", "29100", "29320", "30300", "47110", "72190", "85200"}
    return sorted({c.ljust(5, "0") for c in codes} | extra)


def _write(paths: Paths, tables: dict[str, pd.DataFrame]) -> None:
    paths.evidence.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_parquet(paths.evidence / f"{name}.parquet", index=False)


def _synthetic_evidence(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    subs = _plan_subclasses()
    sic = pd.DataFrame({"sic5_code": subs, "sic5_name": [f"Subclass {s}" for s in subs],
                        "sic4_code": [s[:4] for s in subs], "sic3_code": [s[:3] for s in subs],
                        "sic3_name": [f"Group {s[:3]}" for s in subs],
                        "sic2_code": [s[:2] for s in subs],
                        "sic2_name": [f"Division {s[:2]}" for s in subs],
                        "section": [SIC2007_DIVISIONS[s[:2]] for s in subs],
                        "nomis_hierarchy": True})
    base = rng.lognormal(7, 1, len(subs))
    bres5 = pd.DataFrame([{"year": y, "itl2_code": a,
                           "itl2_name": "West Midlands" if a == "TLG3" else f"Area {a}",
                           "sic_code": s, "sic_name": f"Subclass {s}",
                           "employment": float(round(b * rng.lognormal(0, 0.6), -1))}
                          for y in (2015, 2021) for a in ITL2
                          for s, b in zip(subs, base, strict=True)])
    bres2 = (bres5.assign(sic_code=bres5["sic_code"].str[:2])
             .groupby(["year", "itl2_code", "itl2_name", "sic_code"], as_index=False)
             ["employment"].sum().assign(sic_name=lambda d: "Division " + d["sic_code"]))
    idbr = pd.DataFrame([{"year": 2018, "nuts2_code": n, "sic4_code": c, "local_units": 20}
                         for n in ("UKG3", "UKD3", "UKI3", "UKK1")
                         for c in sorted({s[:4] for s in subs})])
    ukbc = pd.DataFrame([{"year": 2021, "geography_code": "K03000001", "sic_code": s,
                          "sizeband": b, "sizeband_lower": lo, "sizeband_upper": hi,
                          "enterprises": int(rng.integers(1, 400) // (i + 1) ** 2)}
                         for s in subs for i, (b, lo, hi) in enumerate(BANDS)])
    ukbc["sizeband_upper"] = ukbc["sizeband_upper"].astype("Int64")
    lads = pd.DataFrame({"lad_code": ["E08000025", "E08000026"],
                         "lad_name": ["Birmingham", "Coventry"], "cauth_code": "E47000007",
                         "cauth_name": "West Midlands", "region_code": "E12000005",
                         "region_name": "West Midlands", "itl3_code": ["TLG31", "TLG33"],
                         "itl3_name": ["Birmingham", "Coventry"], "itl2_code": "TLG3",
                         "itl3_share": 1.0})
    msoas = [f"E0200{i:04d}" for i in range(8)]
    xy = [(400000 + 3000 * (i % 4), 280000 + 4000 * (i // 4)) for i in range(8)]
    sections = sorted({SIC2007_DIVISIONS[s[:2]] for s in subs} - {"R", "S"}) + ["R,S"]
    workplace = pd.DataFrame([{"msoa11_code": m, "sic_section": s,
                               "workers": int(rng.integers(200, 2000))}
                              for m in msoas for s in sections])
    centroids = pd.DataFrame({"area_type": "msoa", "area_code": msoas, "area_code_2011": msoas,
                              "easting": [p[0] for p in xy], "northing": [p[1] for p in xy]})
    lookup = pd.DataFrame({"msoa11_code": msoas, "lad_code": ["E08000025"] * 4
                           + ["E08000026"] * 4})
    # the ONS code history and ITL lookup of the demo evidence base, cut to the two districts
    demo = {t.name: t.data for t in demo_tables("E47000007", seed=1)
            if t.name in ("lad_lookup", "lad_itl")}
    history = demo["lad_lookup"][demo["lad_lookup"]["lad_code_active"].isin(lads["lad_code"])]
    itl = demo["lad_itl"][demo["lad_itl"]["lad_code"].isin(lads["lad_code"])]
    return {"lad_lookup": history, "lad_itl": itl,
            "sic2007": sic, "bres_itl2_sic5": bres5, "bres_itl2_sic2": bres2,
            "idbr_nuts2_sic4": idbr, "ukbc_sizeband": ukbc, "region_lads": lads,
            "census2011_workplace_msoa": workplace, "small_area_centroids": centroids,
            "msoa_lad_lookup": lookup}


def test_the_science_layer_displays_nothing():
    """No colocation module imports the reporting layer or IPython: the notebook joins a
    statistic to its presentation (issue 17)."""
    offenders = []
    for path in sorted((REPO / "src" / "wmresearch" / "colocation").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [(path.name, n) for n in names
                          if n.startswith(("wmresearch.reporting", "IPython"))]
    assert not offenders


def _result(table: pd.DataFrame, gamma: float, n_firms: int = 50) -> KdResult:
    return KdResult("21", table, gamma, 0.0, 100.0, n_firms, 1000, "binned", 19, 0, 0.05,
                    200.0, np.zeros((1, 1)))


def test_kd_recovery_by_hand():
    """Above the upper global band from 0.2 to 1.4 km with a 2 km disc: recovered; from 2.5
    km: localised but not at the planted distance; never above: not recovered, no distance."""
    r = np.arange(0, 5001, 100.0)
    band = np.full(len(r), 1.0)

    def curve(low_km: float, high_km: float) -> pd.DataFrame:
        kd = np.where((r >= 1000 * low_km) & (r <= 1000 * high_km), 2.0, 0.5)
        return pd.DataFrame({"r": r, "kd": kd, "global_hi": band})

    truth = pd.DataFrame({"name": ["a", "b", "c"], "sic_prefix": ["21", "30", "72"],
                          "n_firms": [80, 120, 100], "radius_m": [1000.0, 1000.0, 1500.0]})
    runs = {"a": _result(curve(0.2, 1.4), 0.5), "b": _result(curve(2.5, 3.0), 0.1),
            "c": _result(curve(9, 9), 0.0)}
    out = demo.kd_recovery(runs, truth).set_index("planted")
    assert out.loc["a", ["above_from_km", "above_to_km", "diameter_km"]].tolist() == \
        pytest.approx([0.2, 1.4, 2.0])
    assert out["recovered"].tolist() == [True, False, False]
    assert np.isnan(out.loc["c", "above_from_km"]) and out["synthetic"].all()
    assert out.loc["b", "planted_firms"] == 120 and out.loc["b", "division_firms"] == 50


def _labels(assign: dict[str, tuple[str, int]]) -> pd.DataFrame:
    return pd.DataFrame([{"firm_id": f, "industry_group": g, "cluster": c}
                         for f, (g, c) in assign.items()])


def test_planted_matches_and_ari_by_hand():
    """Planted cluster 0: 10 firms, 8 of them in found cluster g #1, which has 16 firms:
    share found 0.8, share planted 0.5 (not above one half), Jaccard 8 / 18. Planted 1: 5
    firms, all in g #2 with no other firm: recovered, Jaccard 1."""
    firms = pd.DataFrame({"firm_id": [f"F{i}" for i in range(25)],
                          "planted": [0] * 10 + [1] * 5 + [-1] * 10, "employment": 1})
    assign = {f"F{i}": ("g", 0) for i in range(8)} | {"F8": ("g", -1), "F9": ("g", -1)}
    assign |= {f"F{i}": ("g", 1) for i in range(10, 15)}
    assign |= {f"F{i}": ("g", 0) for i in range(15, 23)} | {"F23": ("g", -1), "F24": ("g", -1)}
    truth = pd.DataFrame({"planted": [0, 1], "name": ["p", "q"], "sic_prefix": ["21", "72"]})
    out = demo.planted_matches(_labels(assign), firms, truth).set_index("planted")
    assert out.loc["p", "matched"] == "g #1" and out.loc["q", "matched"] == "g #2"
    assert out.loc["p", ["share_found", "share_planted", "jaccard"]].tolist() == \
        pytest.approx([0.8, 0.5, 8 / 18])
    assert out["recovered"].tolist() == [False, True] and out.loc["q", "jaccard"] == 1.0
    exact = {f: ("g", p) if p >= 0 else ("g", -1)
             for f, p in zip(firms["firm_id"], firms["planted"], strict=True)}
    assert demo.planted_ari(_labels(exact), firms) == pytest.approx(1.0)
    assert demo.planted_ari(_labels(assign), firms) < 1.0


def test_cluster_members_leave_noise_out_and_name_clusters_from_one():
    firms = pd.DataFrame({"firm_id": ["a", "b", "c"], "planted": -1, "employment": [5, 6, 7]})
    members = demo.cluster_members(firms, _labels({"a": ("g", 0), "b": ("g", -1),
                                                   "c": ("h", 2)}))
    assert members.to_dict("list") == {"firm_id": ["a", "c"], "cluster_name": ["g #1", "h #3"],
                                       "employment": [5, 7]}


def test_disclosure_table_publishes_only_safe_cells():
    """A cluster of 4 firms is suppressed (threshold 10), and one complement with it so that
    it cannot be recovered from the total; area and stability stay, composition does not."""
    sizes = {"g #1": 4, "g #2": 12, "g #3": 15}
    members = pd.DataFrame([{"firm_id": f"{c}-{i}", "cluster_name": c, "employment": 10 + i}
                            for c, n in sizes.items() for i in range(n)])
    checked = disclosure_check(cell_contributions(members, ["cluster_name"], "employment"),
                               row="cluster_name", count_col="firms", value_col="employment",
                               contributors="largest", second_col="second", min_count=10)
    outlines = pd.DataFrame({"industry_group": "g", "cluster": [0, 1, 2],
                             "area_km2": [1.234, 2.0, 3.0], "stability": [0.9, 0.8, 0.7],
                             "composition": ["21100 (100%)", "72190 (100%)", "21200 (100%)"]})
    out = demo.disclosure_table(checked.table, outlines, symbol=CONFIDENTIAL).set_index(
        "cluster")
    assert out.loc["g #1", ["firms", "employment", "composition"]].tolist() == [CONFIDENTIAL] * 3
    assert out.loc["g #1", "area_km2"] == "1.23" and out.loc["Total", "area_km2"] == ""
    assert int(out["suppressed"].sum()) == 2 and out.loc["Total", "firms"] == "31"
    published = out.loc[~out["suppressed"] & (out.index != "Total"), "firms"]
    assert all(int(v) >= 10 for v in published) and out["synthetic"].all()


def test_msoas_outside_the_districts():
    square = shapely.box(0, 0, 1000, 1000)
    districts = gpd.GeoDataFrame({"lad_code": ["A"], "lad_name": ["Alpha"]},
                                 geometry=[square], crs="EPSG:27700")
    msoas = pd.DataFrame({"msoa11_code": ["in", "edge", "out"], "easting": [500, 1000.5, 1200],
                          "northing": [500, 500, 500]})
    assert demo.msoas_outside(msoas, districts) == ["out"]
    assert demo.msoas_outside(msoas, None) == []
    boundaries = gpd.GeoDataFrame({"lad_code": ["A", "A", "B"]}, crs="EPSG:27700",
                                  geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1),
                                            shapely.box(5, 5, 6, 6)])
    lads = pd.DataFrame({"lad_code": ["A"], "lad_name": ["Alpha"]})
    out = demo.district_outlines(boundaries, lads)
    assert out["lad_name"].tolist() == ["Alpha"] and out.geometry.iloc[0].area == 2.0
    assert demo.district_outlines(boundaries, lads.assign(lad_code="Z")) is None


def test_every_register_table_has_a_plain_title():
    """The notebook names a missing calibration table by its title, never its file name."""
    assert set(EVIDENCE_FILES.values()) <= set(demo.TABLE_TITLES)
    assert not any("_" in title for title in demo.TABLE_TITLES.values())
    absent = {t.name for t in demo_tables("E47000007", seed=1)}
    assert set(EVIDENCE_FILES.values()) - absent  # demo mode: the notebook says so in words


def _demonstrate(paths: Paths, seed: int) -> tuple[pd.DataFrame, float, pd.DataFrame]:
    """The notebook's section 8 on small evidence tables: register, K-densities, HDBSCAN."""
    ctx = report.setup(paths, "E47000007", seed=seed, min_employment=0)
    calibration = {key: ctx.tables.get(name) for key, name in EVIDENCE_FILES.items()}
    register = synthetic_firm_register(ctx.area.districts, **calibration, seed=seed, scale=1.0,
                                       jitter_m=300)
    firms = register.firms
    runs = {}
    for cluster in register.truth.itertuples():
        with warnings.catch_warnings():  # bandwidth under two cells: fine at km scale
            warnings.simplefilter("ignore", UserWarning)
            runs[cluster.name] = k_density(
                firms.assign(division=firms["sic_code"].str[:2]), cluster.sic_prefix,
                x="easting", y="northing", label="division", method="binned", cell_size=100,
                rmax=5000, n_simulations=19, seed=seed, scheduler="synchronous",
                progress=False)
    found = firm_clusters(firms, industry_groups=GROUPS, min_cluster_size=10, n_boot=2,
                          seed=seed)
    return (demo.kd_recovery(runs, register.truth), demo.planted_ari(found.labels, firms),
            demo.planted_matches(found.labels, firms, register.truth))


def test_the_demonstration_recovers_the_planted_clusters(tmp_path):
    """On a small register (8 MSOAs, every planted disc 1-1.5 km across) both methods find
    the planted clusters (the truth is where the register planted them; the ARI threshold
    on a real-sized register is tested in test_firm_clusters.py)."""
    paths = Paths(tmp_path)
    _write(paths, _synthetic_evidence(np.random.default_rng(7)))
    recovery, ari, matches = _demonstrate(paths, seed=3)
    assert set(recovery["planted"]) == {"pharmaceuticals", "aerospace",
                                        "research and development"}
    assert recovery["recovered"].all() and matches["recovered"].all()
    assert 0 < ari <= 1.0  # better than chance; unplanted dense groups keep it below 1
    assert recovery["synthetic"].all() and matches["synthetic"].all()


def test_same_inputs_same_demonstration(tmp_path):
    tables = _synthetic_evidence(np.random.default_rng(11))
    runs = []
    for name in ("a", "b"):
        paths = Paths(tmp_path / name)
        _write(paths, tables)
        runs.append(_demonstrate(paths, seed=5))
    pd.testing.assert_frame_equal(runs[0][0], runs[1][0])
    pd.testing.assert_frame_equal(runs[0][2], runs[1][2])
    assert runs[0][1] == runs[1][1]


def test_save_writes_tables_and_returns_finite_metrics(tmp_path):
    paths = Paths(tmp_path)
    _write(paths, _synthetic_evidence(np.random.default_rng(7)))
    ctx = report.setup(paths, "E47000007", seed=3)
    # no ITL1 names in this evidence base (gva_per_hour_itl), so TLG3 keeps BRES's own name
    assert ctx.year == 2021 and ctx.area.itl2_label() == "West Midlands (TLG3)"
    ctx.outputs["shapes"] = gpd.GeoDataFrame({"n": [1]}, geometry=[shapely.box(0, 0, 1, 1)])
    ctx.metrics |= {"gamma": float("nan"), "count": 3}
    metrics = report.save(ctx)
    assert metrics == {"region": "E47000007", "year": 2021, "count": 3}
    saved = pd.read_parquet(paths.processed / "colocation" / "shapes.parquet")
    assert saved["geometry"].iloc[0].startswith("POLYGON")
    json.dumps(metrics)  # the notebook writes them as they are


def test_area_resolved_for_another_combined_authority(tmp_path):
    """region_lads built for the WMCA; the report for Tees Valley (E47000006) resolves its
    districts from lad_lookup and lad_itl instead of rebuilding the evidence base."""
    paths = Paths(tmp_path)
    _write(paths, {t.name: t.data for t in demo_tables("E47000007", seed=1)})
    area = report.study_area(report.Tables(paths), "E47000006")
    assert area.name == "Tees Valley Combined Authority"
    assert area.itl2_codes and all(c.startswith("TLC") for c in area.itl2_codes)
    with pytest.raises(ValueError, match="E47000099"):
        report.study_area(report.Tables(paths), "E47000099")
