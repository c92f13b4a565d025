"""Dataset registry and acquisition: raw -> mirror -> download, checksums, demo fallback."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import threading
from pathlib import Path

import pytest

from wmresearch.config import Paths
from wmresearch.sources import DATASETS, acquire, get_dataset
from wmresearch.sources.acquire import ChecksumError, download, known_sha256, resolve_file
from wmresearch.sources.registry import Dataset, SourceFile


def test_registry_ids_unique_and_files_named():
    ids = [d.id for d in DATASETS]
    assert len(ids) == len(set(ids))
    relpaths = [f.relpath for d in DATASETS for f in d.files]
    assert len(relpaths) == len(set(relpaths))
    for d in DATASETS:
        assert d.publisher and d.licence and d.landing_page.startswith("http")
        assert all(len(f.sha256_16) == 16 for f in d.files)


def test_unknown_dataset_lists_known_ids():
    with pytest.raises(KeyError, match="imd2019"):
        get_dataset("nope")


def test_registry_matches_mirror_manifest(mirror):
    """Every registered file exists in the mirror with the checksum its MANIFEST.tsv gives."""
    manifest = dict(line.split("\t")[::-1] for line in
                    (mirror / "MANIFEST.tsv").read_text().splitlines() if line.strip())
    for dataset in DATASETS:
        for f in dataset.files:
            assert manifest.get(f.relpath) == f.sha256_16, f.relpath


def _spec(tmp: Path, name: str, content: bytes, url: str | None = None) -> SourceFile:
    return SourceFile(name, hashlib.sha256(content).hexdigest()[:16], url)


def test_resolution_order_raw_then_mirror(tmp_path):
    paths = Paths(tmp_path / "project")
    mirror = tmp_path / "mirror"
    (mirror / "a").mkdir(parents=True)
    (mirror / "a" / "x.csv").write_bytes(b"mirror")
    spec = _spec(tmp_path, "a/x.csv", b"mirror")
    got = resolve_file(spec, paths, mirror=mirror, allow_download=False)
    assert (got.source, got.size, got.verified) == ("mirror", 6, True)
    (paths.raw / "a").mkdir(parents=True)
    (paths.raw / "a" / "x.csv").write_bytes(b"mirror")
    assert resolve_file(spec, paths, mirror=mirror).source == "raw"


def test_checksum_mismatch_is_an_error_naming_the_file(tmp_path):
    paths = Paths(tmp_path)
    (paths.raw).mkdir(parents=True)
    (paths.raw / "x.csv").write_bytes(b"changed")
    spec = SourceFile("x.csv", "0" * 16)
    with pytest.raises(ChecksumError, match="x.csv"):
        resolve_file(spec, paths)
    assert resolve_file(spec, paths, verify=False).verified is False


def test_an_unchanged_file_is_not_read_again_and_a_changed_one_is(tmp_path, monkeypatch):
    """Checksums are reused while a file's size and modification time are unchanged (DVC's
    rule) and recomputed, to the file's real SHA-256, as soon as either changes."""
    path = tmp_path / "x.csv"
    path.write_bytes(b"first")
    known: dict[str, list] = {}
    assert known_sha256(path, known) == hashlib.sha256(b"first").hexdigest()
    reads = []
    real = known_sha256.__globals__["sha256_of"]
    monkeypatch.setitem(known_sha256.__globals__, "sha256_of",
                        lambda p: reads.append(p) or real(p))
    assert known_sha256(path, known) == hashlib.sha256(b"first").hexdigest()
    assert reads == []
    stamp = path.stat().st_mtime_ns
    path.write_bytes(b"other")  # same size: the new modification time is what tells
    os.utime(path, ns=(stamp + 1_000_000_000, stamp + 1_000_000_000))
    assert known_sha256(path, known) == hashlib.sha256(b"other").hexdigest()
    path.write_bytes(b"longer!")
    os.utime(path, ns=(stamp + 1_000_000_000, stamp + 1_000_000_000))  # same time, new size
    assert known_sha256(path, known) == hashlib.sha256(b"longer!").hexdigest()
    assert len(reads) == 2


class _FlakyHandler(http.server.SimpleHTTPRequestHandler):
    failures_left = 1

    def do_GET(self):
        if type(self).failures_left > 0:
            type(self).failures_left -= 1
            self.send_error(503, "try again")
            return
        super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    handler = lambda *a, **k: _FlakyHandler(*a, directory=str(root), **k)  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_download_retries_then_records_source(tmp_path, server):
    root, base = server
    (root / "data.csv").write_bytes(b"a,b\n1,2\n")
    _FlakyHandler.failures_left = 1
    spec = _spec(tmp_path, "pub/data.csv", b"a,b\n1,2\n", f"{base}/data.csv")
    got = resolve_file(spec, Paths(tmp_path / "p"), retries=3, timeout=5)
    assert got.source == "download" and got.verified
    assert (tmp_path / "p" / "data" / "raw" / "pub" / "data.csv").read_bytes() == b"a,b\n1,2\n"


def test_download_gives_up_with_url_in_message(tmp_path, server, monkeypatch):
    _, base = server
    monkeypatch.setattr("time.sleep", lambda s: None)
    with pytest.raises(OSError, match="missing.csv"):
        download(f"{base}/missing.csv", tmp_path / "m.csv", retries=2, timeout=5)
    assert not (tmp_path / "m.csv.part").exists()


def test_no_mirror_no_network_gives_demo_manifest_with_instructions(tmp_path):
    paths = Paths(tmp_path)
    manifest = acquire(paths, mirror=None, allow_download=False)
    assert manifest["mode"] == "demo"
    assert set(manifest["missing"]) == {d.id for d in DATASETS}
    entry = manifest["datasets"]["imd2019"]
    assert "english-indices-of-deprivation-2019" in entry["how_to_get"]
    assert json.loads(paths.manifest.read_text()) == manifest


def test_optional_dataset_missing_keeps_real_mode(tmp_path):
    mirror = tmp_path / "m"
    mirror.mkdir()
    (mirror / "r.csv").write_bytes(b"x")
    required = Dataset("r", "R", "P", "https://example.org", (_spec(tmp_path, "r.csv", b"x"),))
    optional = Dataset("o", "O", "P", "https://example.org", (SourceFile("o.csv", "0" * 16),),
                       required=False)
    manifest = acquire(Paths(tmp_path / "p"), [required, optional], mirror=mirror,
                       allow_download=False)
    assert manifest["mode"] == "real" and manifest["missing"] == ["o"]


def test_acquire_from_real_mirror(mirror, tmp_path):
    manifest = acquire(Paths(tmp_path), mirror=mirror, allow_download=False)
    assert manifest["mode"] == "real" and manifest["missing"] == []
    files = [f for e in manifest["datasets"].values() for f in e["files"]]
    assert all(f["verified"] and f["source"] == "mirror" for f in files)
    manifest_tsv = (mirror / "MANIFEST.tsv").read_text()
    for f in files:
        assert f["sha256"][:16] in manifest_tsv
