"""The co-location report's remaining helpers (wmresearch.colocation.report: set-up and save;
report_firms: the method demonstration): they render on small synthetic evidence tables
without printing ``nan``, write finite metrics and their tables, and say in words what cannot
be computed when tables are missing (demo mode). Sections 1-7 are computed in the notebook
itself and checked by rendering it.

These tests check the report's assembly, not the statistics: every statistic it shows is
tested against its published reference in its own test module (test_lq.py: REAT ``locq``;
test_shift_share.py: REAT ``shift``; test_concentration.py: Ellison & Glaeser 1997 and REAT
``ellison.a``; test_kdensity.py: dbmss ``Kdhat``; test_industry_clusters.py; ...).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
import yaml

from wmresearch.colocation import report, report_firms
from wmresearch.config import Paths
from wmresearch.evidence.demo import demo_tables
from wmresearch.evidence.sic import SIC2007_DIVISIONS

ITL2 = ["TLG3", "TLD3", "TLI3", "TLK1"]
BANDS = [("0 to 4", 0, 4), ("5 to 9", 5, 9), ("10 to 49", 10, 49), ("50+", 50, None)]
MODULES = ["wmresearch.colocation.report", "wmresearch.colocation.report_firms",
           "wmresearch.reporting.charts", "wmresearch.reporting.tables",
           "wmresearch.reporting.display"]


@pytest.fixture
def shown(monkeypatch):
    """Everything the sections display, as text (HTML, Markdown or a styled table)."""
    out: list[str] = []

    def capture(obj, *args, **kwargs):
        text = obj.to_html() if hasattr(obj, "to_html") else getattr(obj, "data", repr(obj))
        out.append(str(text))

    for module in MODULES:
        monkeypatch.setattr(f"{module}.display", capture)
    return out


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
    return {"sic2007": sic, "bres_itl2_sic5": bres5, "bres_itl2_sic2": bres2,
            "idbr_nuts2_sic4": idbr, "ukbc_sizeband": ukbc, "region_lads": lads,
            "census2011_workplace_msoa": workplace, "small_area_centroids": centroids,
            "msoa_lad_lookup": lookup}


def _no_nan(texts: list[str]) -> None:
    for text in texts:
        assert not re.search(r"\bnan\b", text, flags=re.IGNORECASE), text[:3000]


def _run_all(ctx: report.Context) -> dict:
    synthetic = {"scale": 1.0, "jitter_m": 300, "min_cluster_size": 10, "n_boot": 2,
                 "groups": {"pharma and R&D": ["21", "72"], "vehicles": ["29", "30"]}}
    report_firms.register(ctx, synthetic)
    report_firms.k_densities(ctx, simulations=19, cell_size=100, rmax_km=5,
                             scheduler="synchronous")
    report_firms.firm_cluster_map(ctx, synthetic, {"min_firms": 10, "dominance_share": 0.5})
    return report.save(ctx)


def test_every_section_renders_without_nan(tmp_path, shown):
    paths = Paths(tmp_path)
    _write(paths, _synthetic_evidence(np.random.default_rng(7)))
    ctx = report.setup(paths, "E47000007", seed=3, min_employment=0, top_n=5)
    metrics = _run_all(ctx)
    text = "\n".join(shown)
    _no_nan(shown)
    assert ctx.area.itl2_label() == "West Midlands met. county (TLG3)"
    assert text.count("<img") >= 4  # K-density x3, map
    assert "Does the method recover the planted clusters?" in text
    assert "Disclosure control, demonstrated" in text
    assert "SYNTHETIC" in text and "this section is not shown" not in text
    saved = json.loads((paths.metrics / "clusters.json").read_text(),
                       parse_constant=lambda c: pytest.fail(f"metric {c} in the JSON"))
    demo = saved["method_demonstration"]
    assert demo["synthetic"] is True
    assert set(demo["kd_planted_recovered"]) == {"pharmaceuticals", "aerospace",
                                                 "research and development"}
    assert {"hdbscan_ari_planted", "hdbscan_clusters_found"} <= set(demo)
    # no finding about a plan cluster from synthetic firms outside the demonstration
    assert not {"kd_localised", "planted_ari", "firm_clusters_found"} & set(saved)
    assert saved["year"] == 2021
    assert set(saved) == set(metrics)  # values rounded to 6 decimals by write_metrics
    written = {p.stem for p in (paths.processed / "colocation").glob("*.parquet")}
    assert {"demo_kd_summary", "firm_cluster_outlines"} <= written


def test_same_inputs_same_metrics(tmp_path, shown):
    first = _synthetic_evidence(np.random.default_rng(11))
    runs = []
    for name in ("a", "b"):
        paths = Paths(tmp_path / name)
        _write(paths, first)
        runs.append(_run_all(report.setup(paths, "E47000007", seed=5, min_employment=0)))
    assert runs[0] == runs[1]


def test_demo_tables_degrade_in_words(tmp_path, shown):
    paths = Paths(tmp_path)
    _write(paths, {t.name: t.data for t in demo_tables("E47000007", seed=1)})
    ctx = report.setup(paths, "E47000007", seed=1, min_employment=0)
    metrics = _run_all(ctx)
    _no_nan(shown)
    text = "\n".join(shown)
    assert text.count("this section is not shown") >= 3
    assert {"synthetic_register", "k_density", "firm_clusters"} <= set(
        metrics["sections_unavailable"])


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


def test_fmt_never_prints_nan():
    assert report.fmt(float("nan")) == "not available"
    assert report.fmt(None) == "not available"
    assert report.fmt(1234.5) == "1,234"  # banker's rounding of .5 by Python's format
    assert report.fmt(0.1234, ".1%") == "12.3%"
