"""Shared fixtures: the open-data mirror (real files) and scratch projects."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _mirror() -> Path | None:
    value = os.environ.get("WMRESEARCH_MIRROR")
    if value and Path(value).is_dir():
        return Path(value).resolve()
    return None


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The real-data mirror named by WMRESEARCH_MIRROR; tests using it skip without it."""
    path = _mirror()
    if path is None:
        pytest.skip("WMRESEARCH_MIRROR is not set to an existing folder: real-data test skipped")
    return path


@pytest.fixture
def mirror_file(mirror: Path):
    """Return a function giving the path of a mirror file by its relative path."""

    def _get(relpath: str) -> Path:
        path = mirror / relpath
        if not path.is_file():
            pytest.skip(f"{relpath} is not in the mirror {mirror}")
        return path

    return _get
