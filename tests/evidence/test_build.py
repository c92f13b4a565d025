"""The evidence build: real-data accounting and the demo fallback."""

from __future__ import annotations

import pandas as pd

from wmresearch.config import Paths
from wmresearch.evidence.build import TABLES, build_evidence
from wmresearch.sources import acquire


def test_demo_build_writes_every_table_the_reports_read(tmp_path):
    paths = Paths(tmp_path)
    manifest = acquire(paths, mirror=None, allow_download=False)
    out = build_evidence(paths, manifest, "E47000007", seed=7)
    assert out["mode"] == "demo"
    for name in ("region_lads", "productivity_lad", "imd2019_lsoa", "bres_itl2_sic2"):
        assert (paths.evidence / f"{name}.parquet").is_file()
    lads = pd.read_parquet(paths.evidence / "region_lads.parquet")
    assert len(lads) == 7


def test_demo_is_deterministic_for_a_seed(tmp_path):
    frames = []
    for run in ("a", "b"):
        paths = Paths(tmp_path / run)
        manifest = acquire(paths, mirror=None, allow_download=False)
        build_evidence(paths, manifest, "E47000007", seed=3)
        frames.append(pd.read_parquet(paths.evidence / "bres_itl2_sic2.parquet"))
    pd.testing.assert_frame_equal(*frames)


def test_missing_optional_dataset_skips_its_table(tmp_path, mirror):
    paths = Paths(tmp_path)
    manifest = acquire(paths, mirror=mirror, allow_download=False)
    manifest["datasets"]["companies_house_basic"]["status"] = "missing"
    tables = [t for t in TABLES if t.name in ("lad_lookup", "firm_register")]
    out = build_evidence(paths, manifest, "E47000007", tables=tables)
    assert list(out["tables"]) == ["lad_lookup"]
    assert "companies_house_basic" in out["skipped"]["firm_register"]
    assert out["tables"]["lad_lookup"]["balanced"]


def test_a_table_built_alongside_is_the_table_built_in_sequence(tmp_path, mirror):
    """explore_local is built in another process (Table.alongside): the saved table, its
    rejects and its accounting are those of the same builder run here, in the same order."""
    import dataclasses

    out = {}
    for how in ("alongside", "sequence"):
        paths = Paths(tmp_path / how)
        manifest = acquire(paths, mirror=mirror, allow_download=False)
        tables = [t if how == "alongside" else dataclasses.replace(t, alongside=None)
                  for t in TABLES if t.name in ("lad_lookup", "explore_local")]
        assert (tables[1].alongside is not None) == (how == "alongside")
        out[how] = (build_evidence(paths, manifest, "E47000007", tables=tables),
                    (paths.evidence / "explore_local.parquet").read_bytes(),
                    (paths.rejects / "explore_local.csv").read_bytes())
    assert list(out["alongside"][0]["tables"]) == ["lad_lookup", "explore_local"]
    assert out["alongside"] == out["sequence"]
