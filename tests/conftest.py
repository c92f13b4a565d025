"""Shared fixtures: the open-data mirror (real files) and scratch projects.

Tests that read the mirror use the ``mirror`` or ``mirror_file`` fixture and are marked
``mirror`` automatically. Without a mirror they skip with a reason, except in CI: there
``.ci/run`` sets ``WMRESEARCH_REQUIRE_MIRROR=1`` and a mirror test that would skip fails, so a
green CI cannot come from skipping the real-data tests.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REQUIRE_ENV = "WMRESEARCH_REQUIRE_MIRROR"
MIRROR_FIXTURES = {"mirror", "mirror_file", "built"}


def _required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").lower() in {"1", "true", "yes"}


def _mirror() -> Path | None:
    value = os.environ.get("WMRESEARCH_MIRROR")
    if value and Path(value).is_dir():
        return Path(value).resolve()
    return None


def _skip_or_fail(reason: str) -> None:
    if _required():
        pytest.fail(f"{REQUIRE_ENV}=1 but {reason}", pytrace=False)
    pytest.skip(reason)


#: Fixtures that build a whole scratch site (a full ``dvc repro``, about two minutes): tests
#: using them share one pytest-xdist worker (``--dist loadgroup``), so the site is built once.
SITE_FIXTURES = {"built", "scaffolded"}


def pytest_itemcollected(item):
    # marked as each test is collected, before pytest-xdist turns group marks into node ids
    names = set(getattr(item, "fixturenames", ()))
    if MIRROR_FIXTURES & names:
        item.add_marker(pytest.mark.mirror)
    if SITE_FIXTURES & names:
        item.add_marker(pytest.mark.xdist_group("site"))


def pytest_collection_finish(session):
    # on a pytest-xdist worker with --dist loadgroup, a grouped test's id ends in "@site";
    # without it the group is ignored and every worker builds its own scratch site (minutes)
    config = session.config
    if not (hasattr(config, "workerinput") and config.getvalue("loadgroup")):
        return
    lost = [item.nodeid for item in session.items
            if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
    if lost:
        raise pytest.UsageError(f"pytest-xdist did not group {len(lost)} site tests (e.g. "
                                f"{lost[0]}): this pytest and pytest-xdist do not work "
                                "together; install the versions pyproject.toml pins")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and _required() and item.get_closest_marker("mirror") is not None:
        report.outcome = "failed"
        why = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"{REQUIRE_ENV}=1: a mirror test may not skip ({why})"


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The real-data mirror named by WMRESEARCH_MIRROR; tests using it skip without it."""
    path = _mirror()
    if path is None:
        _skip_or_fail("WMRESEARCH_MIRROR is not set to an existing folder: real-data test "
                      "skipped")
    return path


@pytest.fixture
def mirror_file(mirror: Path):
    """Return a function giving the path of a mirror file by its relative path."""

    def _get(relpath: str) -> Path:
        path = mirror / relpath
        if not path.is_file():
            _skip_or_fail(f"{relpath} is not in the mirror {mirror}")
        return path

    return _get


@pytest.fixture(scope="session")
def built(tmp_path_factory, mirror):
    """One scratch project built twice: with no mirror (demo), then with the mirror by a
    plain ``dvc repro``. Returns ``(root, env, demo_pages)``; shared by every pipeline and
    browser test, so the pipeline is built once per session."""
    from tests.pipeline_support import FAKE_KEY, _run, scratch_project

    root = scratch_project(tmp_path_factory.mktemp("pipeline"))
    demo_env = {"WMRESEARCH_MIRROR": "", "WMRESEARCH_OFFLINE": "1"}
    # the demo build stops at the State of the Region (the other stages' demo rendering is
    # covered by their own tests), which keeps `make test` within its time budget
    _run(root, "dvc", "repro", "acquire", "region", env=demo_env)
    demo = {p.name: p.read_text() for p in (root / "reports").glob("*.html")}
    env = {"WMRESEARCH_MIRROR": str(mirror), "WMRESEARCH_OFFLINE": "1",
           "NOMIS_API_KEY": FAKE_KEY, "SOURCE_DATE_EPOCH": "1767225600"}
    _run(root, "dvc", "repro", env=env)  # no -f: the new mirror must be picked up
    return root, env, demo
