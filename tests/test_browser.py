"""Every report opens from disk, offline, in headless Chromium without a fault.

Chromium comes from the distribution's packages (``make test`` installs it where it is
missing and it can); Playwright drives it with ``executable_path``, so no browser is
downloaded.
Any request that is not a local file is blocked and counted as a failure: the pages must be
self-contained. Every report must also link back to the index, keep each table within its
column (at a 1000 px window), give every figure the CSV that carries its number, point every
"[n]" citation to an entry of its reference list, explain its methods (its own glossary
appendix or the site's, collapsed in the footer) and keep developer words (snake_case
parameter and column names, file and module names, checksums) out of everything a reader
sees: they belong in the collapsed block for analysts, or in ``<code>`` where a page quotes
the column names a user's file must have. A screenshot of each page is saved under
``reports/screenshots/`` of the project the pipeline test built.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from tests.pipeline_support import _reports

pytestmark = pytest.mark.pipeline
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.fail("chromium is not installed: `apt-get install chromium` (`make test` does it "
                    "when it can)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chrome = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chrome
        chrome.close()


def _faults(browser, page_path: Path, rel: str, shot: Path) -> list[str]:
    """Open one page offline and list what went wrong."""
    found: list[str] = []
    context = browser.new_context(offline=True)
    page = context.new_page()

    def route(route):
        if route.request.url.startswith("file:"):
            return route.continue_()
        found.append(f"network request {route.request.url}")
        return route.abort()

    page.route("**/*", route)
    page.on("console", lambda msg: found.append(f"console error: {msg.text}")
            if msg.type == "error" else None)
    page.on("pageerror", lambda err: found.append(f"page error: {err}"))
    page.on("requestfailed", lambda req: found.append(f"failed request {req.url}"))
    page.set_viewport_size({"width": 1000, "height": 800})
    page.goto(page_path.as_uri(), wait_until="load")
    images = page.eval_on_selector_all(
        "img", "els => els.map(e => [e.naturalWidth, e.getAttribute('alt') || ''])")
    for width, alt in images:
        if not width:
            found.append("broken image")
        if not alt.strip() or "No description has been provided" in alt:
            found.append("image without alt text")
    if rel == "index.html":
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => "
                                          "e.getAttribute('href'))")
        found += [f"index link {href} does not resolve" for href in hrefs
                  if not href.startswith(("http", "#", "mailto:"))
                  and not (page_path.parent / href).is_file()]
    if rel != "index.html":
        found += _page_rules(page, page_path)
    page.screenshot(path=str(shot))
    context.close()
    return found


def _page_rules(page, page_path: Path) -> list[str]:
    """Every report links back to the index, fits its tables in their column, and gives each
    figure the CSV of its own number."""
    found: list[str] = []
    back = page.eval_on_selector_all("nav.wm-back a", "els => els.map(e => "
                                     "e.getAttribute('href'))")
    if not back:
        found.append("no link back to the index")
    found += [f"back link {href} does not resolve" for href in back
              if not (page_path.parent / href).is_file()]
    wide = page.eval_on_selector_all(
        "table.wm-table", "els => els.filter(e => e.scrollWidth > "
        "e.parentElement.clientWidth + 1).map(e => [e.id, e.scrollWidth, "
        "e.parentElement.clientWidth])")
    found += [f"table {i} is {w}px wide in a {c}px column" for i, w, c in wide]
    figures = page.eval_on_selector_all("figure.wm-figure", "els => els.length")
    links = page.eval_on_selector_all("p.wm-download a[href$='.csv']",
                                      "els => els.map(e => e.getAttribute('href'))")
    numbered = {href.rsplit("/", 1)[-1] for href in links if "/figure-" in href}
    expected = {f"figure-{n:02d}.csv" for n in range(1, figures + 1)}
    found += [f"figure {name} has no CSV link" for name in sorted(expected - numbered)]
    found += [f"download {href} does not resolve" for href in links
              if not (page_path.parent / href).is_file()]
    return found + _words_rules(page)


def _words_rules(page) -> list[str]:
    """Citations resolve, methods are explained, and every visible word is a reader's."""
    found: list[str] = []
    # innerText leaves out the contents of closed <details> blocks, as a reader sees the page
    text = page.eval_on_selector("main, body", "e => e.innerText")
    entries = set(page.eval_on_selector_all("ol.wm-references li[id^='ref-']",
                                            "els => els.map(e => e.id.slice(4))"))
    listed = page.eval_on_selector_all("ol.wm-references", "els => els.map(e => e.innerText)")
    for shown in listed:
        text = text.replace(shown, " ")
    cited = set(re.findall(r"\[(\d{1,3})\]", text))
    found += [f"citation [{n}] has no entry in a reference list"
              for n in sorted(cited - entries, key=int)]
    if not page.eval_on_selector_all(".wm-glossary, details.wm-glossary-all",
                                     "els => els.length"):
        found.append("no methods-and-glossary appendix")
    # every visible word, footer included, is a reader's word; text set in <code> (the
    # column names a monitoring return must use) is quoted on purpose
    for literal in page.eval_on_selector_all("code", "els => els.map(e => e.innerText)"):
        if literal.strip():  # code in a closed <details> has no visible text
            text = text.replace(literal, " ")
    jargon = sorted(set(re.findall(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b|\b[\w-]+\.(?:csv|gz|xlsx?|"
                                   r"zip|json|geojson|shp|parquet|py|ya?ml)\b|sha256", text)))
    found += [f"page shows developer word {w!r}" for w in jargon]
    return found


def test_every_page_loads_offline_without_faults(built, browser):
    root, _, _ = built
    shots = root / "reports" / "screenshots"
    shots.mkdir(exist_ok=True)
    start = time.perf_counter()
    problems = {}
    for rel in _reports(root):
        shot = shots / Path(rel).with_suffix(".png").as_posix().replace("/", "-")
        found = _faults(browser, root / "reports" / rel, rel, shot)
        if found:
            problems[rel] = found
    print(f"browser test: {len(_reports(root))} pages in {time.perf_counter() - start:.1f} s; "
          f"screenshots in {shots}")
    assert not problems, problems
