"""Every report opens from disk, offline, in headless Chromium without a fault.

Chromium comes from the distribution's packages (``.ci/run`` installs ``chromium`` where it
is missing); Playwright drives it with ``executable_path``, so no browser is downloaded.
Any request that is not a local file is blocked and counted as a failure: the pages must be
self-contained. A screenshot of each page is saved under ``reports/screenshots/`` of the
project the pipeline test built.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.test_pipeline import _reports, built  # noqa: F401  (module fixture)

pytestmark = pytest.mark.pipeline
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.fail("chromium is not installed: `apt-get install chromium` (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chrome = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chrome
        chrome.close()


def test_every_page_loads_offline_without_faults(built, browser):  # noqa: F811
    root, _, _ = built
    shots = root / "reports" / "screenshots"
    shots.mkdir(exist_ok=True)
    start = time.perf_counter()
    problems: dict[str, list[str]] = {}
    for rel in _reports(root):
        page_path = root / "reports" / rel
        found: list[str] = []
        context = browser.new_context(offline=True)
        page = context.new_page()
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
            "file:") else (found.append(f"network request {route.request.url}"),
                           route.abort()))
        page.on("console", lambda msg: found.append(f"console {msg.type}: {msg.text}")
                if msg.type == "error" else None)
        page.on("pageerror", lambda err: found.append(f"page error: {err}"))
        page.on("requestfailed", lambda req: found.append(f"failed request {req.url}"))
        page.goto(page_path.as_uri(), wait_until="load")
        images = page.eval_on_selector_all(
            "img", "els => els.map(e => [e.naturalWidth, e.getAttribute('alt') || ''])")
        for width, alt in images:
            if not width:
                found.append("broken image")
            if not alt.strip() or "No description has been provided" in alt:
                found.append("image without alt text")
        if rel == "index.html":
            for href in page.eval_on_selector_all("a[href]", "els => els.map(e => "
                                                  "e.getAttribute('href'))"):
                if not href.startswith(("http", "#", "mailto:")) and \
                        not (page_path.parent / href).is_file():
                    found.append(f"index link {href} does not resolve")
        page.screenshot(path=str(shots / (Path(rel).with_suffix(".png").as_posix()
                                          .replace("/", "-"))), full_page=False)
        context.close()
        if found:
            problems[rel] = found
    print(f"browser test: {len(_reports(root))} pages in {time.perf_counter() - start:.1f} s; "
          f"screenshots in {shots}")
    assert not problems, problems
