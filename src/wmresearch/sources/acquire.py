"""Resolve every registered dataset to a local file and record where it came from.

Order of resolution for each file: ``data/raw/<relpath>`` (a copy the user placed there or an
earlier download), then the mirror folder ``$WMRESEARCH_MIRROR``, then a download from the
publisher's URL (with a timeout and retries). The outcome is written to
``data/raw/manifest.json``: source, size and SHA-256 of every file, and for each dataset that
could not be found, how to get it. When a required dataset is missing the manifest's ``mode``
is ``"demo"`` and the downstream stages use the synthetic demo data instead.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from wmresearch.config import Paths, mirror_dir, offline
from wmresearch.files import write_text
from wmresearch.sources.registry import DATASETS, Dataset, SourceFile, get_dataset

log = logging.getLogger(__name__)

USER_AGENT = "wmresearch/0.1 (+https://github.com/wmca/wmresearch)"


class ChecksumError(RuntimeError):
    """A file's SHA-256 differs from the release the registry names."""


@dataclass(frozen=True)
class Resolution:
    """Where one source file was found."""

    relpath: str
    path: str | None
    source: str  # "raw", "mirror", "download" or "missing"
    size: int | None = None
    sha256: str | None = None
    verified: bool = False
    detail: str = ""


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def download(url: str, dest: Path, *, timeout: float = 60.0, retries: int = 3,
             backoff: float = 2.0) -> Path:
    """Download ``url`` to ``dest`` atomically, retrying transient failures.

    Raises
    ------
    OSError
        After ``retries`` failed attempts, naming the URL and the last error.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    last: Exception | None = None
    for attempt in range(1, retries + 1):
        try:
            request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
            with urllib.request.urlopen(request, timeout=timeout) as response, \
                    part.open("wb") as out:
                shutil.copyfileobj(response, out)
            part.replace(dest)
            return dest
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            last = exc
            part.unlink(missing_ok=True)
            log.warning("download %s failed (attempt %d/%d): %s", url, attempt, retries, exc)
            if attempt < retries:
                time.sleep(backoff * attempt)
    raise OSError(f"could not download {url} after {retries} attempts: {last}")


#: Beside the manifest: each resolved file's size, modification time and SHA-256 from the
#: last run, so that an unchanged file is not read again (as DVC's own state database does).
#: Every ``dvc repro`` resolves every file, and reading them all took a quarter of a second.
CHECKSUMS = ".checksums.json"


def known_sha256(path: Path, known: dict[str, list] | None) -> str:
    """``path``'s SHA-256, from ``known`` (path -> [size, mtime_ns, sha256]) while its size
    and modification time are those recorded, else computed (and recorded in ``known``)."""
    if known is None:
        return sha256_of(path)
    info = path.stat()
    key = str(path.resolve())
    seen = known.get(key)
    if seen is not None and seen[:2] == [info.st_size, info.st_mtime_ns]:
        return seen[2]
    digest = sha256_of(path)
    known[key] = [info.st_size, info.st_mtime_ns, digest]
    return digest


def _checked(path: Path, spec: SourceFile, source: str, verify: bool,
             known: dict[str, list] | None = None) -> Resolution:
    digest = known_sha256(path, known)
    verified = digest.startswith(spec.sha256_16)
    if verify and not verified:
        raise ChecksumError(
            f"{path}: SHA-256 {digest[:16]}... differs from the registered release "
            f"{spec.sha256_16}... of {spec.relpath}; the file is corrupt or a newer release. "
            "Replace it, or set acquire.verify_checksums: false in params.yaml to accept it."
        )
    return Resolution(spec.relpath, str(path), source, path.stat().st_size, digest, verified)


def resolve_file(spec: SourceFile, paths: Paths, *, mirror: Path | None = None,
                 allow_download: bool = True, verify: bool = True, timeout: float = 60.0,
                 retries: int = 3, known: dict[str, list] | None = None) -> Resolution:
    """Find one file: ``data/raw`` first, then the mirror, then the publisher's URL
    (``known``: checksums already computed, see :func:`known_sha256`)."""
    local = paths.raw / spec.relpath
    if local.is_file():
        return _checked(local, spec, "raw", verify, known)
    if mirror is not None and (mirror / spec.relpath).is_file():
        return _checked(mirror / spec.relpath, spec, "mirror", verify, known)
    if allow_download and spec.url:
        try:
            download(spec.url, local, timeout=timeout, retries=retries)
        except OSError as exc:
            return Resolution(spec.relpath, None, "missing", detail=str(exc))
        return _checked(local, spec, "download", verify)
    why = "no mirror copy" + ("" if spec.url else " and no direct download URL")
    return Resolution(spec.relpath, None, "missing", detail=why)


FROM_ENV = Path("$WMRESEARCH_MIRROR")


def acquire(paths: Paths, datasets: Iterable[Dataset] = DATASETS, *,
            mirror: Path | None = FROM_ENV, allow_download: bool | None = None,
            verify: bool = True, timeout: float = 60.0, retries: int = 3) -> dict[str, Any]:
    """Resolve every dataset and write ``data/raw/manifest.json``.

    Returns
    -------
    dict
        The manifest: ``mode`` (``"real"`` or ``"demo"``), ``missing`` (dataset ids) and per
        dataset its provenance and files. ``mirror`` defaults to ``$WMRESEARCH_MIRROR``;
        pass ``None`` for no mirror.
    """
    if mirror == FROM_ENV:
        mirror = mirror_dir(paths.root)
    if allow_download is None:
        allow_download = not offline()
    paths.raw.mkdir(parents=True, exist_ok=True)
    entries: dict[str, Any] = {}
    missing: list[str] = []
    checksums = paths.raw / CHECKSUMS
    try:
        known = json.loads(checksums.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    before = dict(known)
    for dataset in datasets:
        files = [resolve_file(spec, paths, mirror=mirror, allow_download=allow_download,
                              verify=verify, timeout=timeout, retries=retries, known=known)
                 for spec in dataset.files]
        ok = all(f.source != "missing" for f in files)
        if not ok:
            missing.append(dataset.id)
        entries[dataset.id] = {
            "title": dataset.title,
            "publisher": dataset.publisher,
            "licence": dataset.licence,
            "landing_page": dataset.landing_page,
            "required": dataset.required,
            "status": "ok" if ok else "missing",
            "how_to_get": "" if ok else dataset.how_to_get,
            "files": [asdict(f) for f in files],
        }
    required_missing = [d for d in missing if entries[d]["required"]]
    unverified = [f["relpath"] for e in entries.values() for f in e["files"]
                  if f["source"] != "missing" and not f["verified"]]
    manifest = {
        "mode": "demo" if required_missing else "real",
        "mirror": str(mirror) if mirror else None,
        "missing": missing,
        "unverified": unverified,
        "datasets": entries,
    }
    if known != before:
        write_text(checksums, json.dumps(known, indent=1, sort_keys=True) + "\n")
    text = json.dumps(manifest, indent=2) + "\n"
    # unchanged content is not rewritten, so downstream stages stay up to date
    if not paths.manifest.is_file() or paths.manifest.read_text(encoding="utf-8") != text:
        write_text(paths.manifest, text)
    return manifest


def load_manifest(paths: Paths) -> dict[str, Any]:
    """Read ``data/raw/manifest.json``; run the acquire stage first if it is absent."""
    if not paths.manifest.is_file():
        raise FileNotFoundError(
            f"{paths.manifest} not found: run `dvc repro acquire` (or the acquire notebook)")
    return json.loads(paths.manifest.read_text(encoding="utf-8"))


def resolve_path(manifest: dict[str, Any], dataset_id: str, relpath: str | None = None) -> Path:
    """Local path of a dataset's file (its first file unless ``relpath`` is given)."""
    get_dataset(dataset_id)
    entry = manifest["datasets"].get(dataset_id)
    if entry is None or entry["status"] != "ok":
        raise FileNotFoundError(f"dataset {dataset_id!r} was not acquired: "
                                f"{get_dataset(dataset_id).how_to_get}")
    for f in entry["files"]:
        if relpath is None or f["relpath"] == relpath:
            return Path(f["path"])
    raise KeyError(f"{dataset_id!r} has no file {relpath!r}")


def missing_report(manifest: dict[str, Any]) -> list[dict[str, str]]:
    """One row per missing *file* of every missing dataset: where to download it from (the
    publisher's direct link where there is one, else its landing page) and where to save it.
    """
    rows = []
    for dataset_id in manifest["missing"]:
        entry = manifest["datasets"][dataset_id]
        specs = {f.relpath: f for f in get_dataset(dataset_id).files}
        for file in entry["files"]:
            if file["source"] != "missing":
                continue
            spec = specs.get(file["relpath"])
            url = spec.url if spec and spec.url else entry["landing_page"]
            rows.append({"dataset": entry["title"], "required": "yes" if entry["required"]
                         else "no", "file": file["relpath"], "download": url,
                         "direct link": "yes" if spec and spec.url else "no (landing page)",
                         "save as": f"data/raw/{file['relpath']}"})
    return rows


def datasets_table(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per dataset: publisher, licence, status, where found, size, checksum state."""
    rows = []
    for entry in manifest["datasets"].values():
        found = [f for f in entry["files"] if f["source"] != "missing"]
        rows.append({
            "dataset": entry["title"],
            "publisher": entry["publisher"],
            "licence": entry["licence"],
            "status": entry["status"],
            "found in": ", ".join(sorted({f["source"] for f in entry["files"]})),
            "files": len(entry["files"]),
            "MB": round(sum(f["size"] or 0 for f in found) / 1e6, 2),
            "checksum": ("matches the tested release" if found and all(
                f["verified"] for f in found) else "NOT verified" if found else "-"),
        })
    return rows
