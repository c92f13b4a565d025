"""The methods-and-glossary appendix, the reference list, citation links and a footer in words."""

from __future__ import annotations

import re
import subprocess

import nbformat
import pytest

from wmresearch.reporting.glossary import (
    TERMS,
    glossary_html,
    parse_references,
    references_html,
)
from wmresearch.reporting.provenance import build_info, footer
from wmresearch.reporting.render import link_citations, to_html

#: The methods issue 16 asks every page to explain.
REQUIRED = ("lq", "shift_share", "ellison_glaeser", "coagglomeration", "k_density",
            "synthetic_control", "did", "staggered_did", "mde", "sms", "conformal_interval",
            "wild_bootstrap")
SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")


def _visible(page: str) -> str:
    """The text a reader sees without opening a collapsed block."""
    page = re.sub(r"<details\b.*?</details>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


def test_every_required_method_is_explained_in_words():
    listed = glossary_html(REQUIRED)
    for key in REQUIRED:
        term, meaning = TERMS[key]
        assert f"<dt>{term}</dt>" in listed.replace("&#x27;", "'")
        assert len(meaning.split()) >= 12 and not SNAKE.search(meaning), key


def test_unknown_term_names_the_known_ones():
    with pytest.raises(KeyError, match="'lqq'.*known.*'lq'"):
        glossary_html(["lqq"])


def test_references_are_numbered_as_cited_and_secondary_sources_marked():
    entries = ["[8] blackcountryradio.co.uk £88m, 2022", "[2] gov.uk, WMCA UKSPF evaluation "
               "plan, 4 Apr 2025", "[34] SI 2024/383"]
    assert list(parse_references(entries)) == [2, 8, 34]
    listed = references_html(entries)
    assert re.findall(r'<li id="ref-(\d+)" value="\1"', listed) == ["2", "8", "34"]
    eight = listed.split('id="ref-8"')[1].split("</li>")[0]
    two = listed.split('id="ref-2"')[1].split("</li>")[0]
    assert "secondary source" in eight and "secondary source" not in two


@pytest.mark.parametrize(("entries", "message"), [
    (["[1] a", "WMCA slides"], r"reference 2 \('WMCA slides'\) does not start with '\[n\]'"),
    (["[1] a", "[1] b"], r"reference \[1\] is given twice"),
])
def test_bad_reference_entries_are_named(entries, message):
    with pytest.raises(ValueError, match=message):
        parse_references(entries)


def test_citations_link_to_their_entry_only_in_text():
    page = ('<style>a[1] {}</style><p>Launched [39]; see [7].</p><img alt="x [39]">'
            + references_html(["[39] wmhtc.co.uk, Sep 2023"]))
    out = link_citations(page)
    assert '<p>Launched <a class="wm-cite" href="#ref-39">[39]</a>; see [7].</p>' in out
    assert '<img alt="x [39]">' in out and "<style>a[1] {}</style>" in out
    assert link_citations("<p>[3]</p>") == "<p>[3]</p>"


def test_footer_states_parameters_and_datasets_in_words(tmp_path):
    manifest = {"mode": "real", "datasets": {"la_all_codes": {
        "status": "ok", "title": "Local authority codes", "publisher": "ONS",
        "files": [{"relpath": "raw/la_all_codes.csv", "sha256": "ab" * 32, "verified": True}]}}}
    page = footer(tmp_path, {"first_year": 2004, "pre_mspe_cutoff": 5, "api_key": "x"},
                  manifest)
    seen = _visible(page)
    assert "Parameters: api key [hidden]; first year 2004; pre mspe cutoff 5." in seen
    assert "Local authority codes (ONS)" in seen and "published files" in seen
    assert not SNAKE.search(seen) and "la_all_codes" not in seen and "sha256" not in seen
    analysts = page.split('<details class="wm-analysts">')[1]
    assert "pre_mspe_cutoff" in analysts and "la_all_codes.csv sha256 abababab" in analysts


def _notebook(markdown: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown)])


def test_a_page_without_its_own_appendix_gets_the_whole_glossary_in_its_footer():
    plain = to_html(_notebook("# A page\n\ntext"), title="A", footer="<footer></footer>")
    assert '<details class="wm-glossary-all">' in plain
    assert all(TERMS[k][0].split(" (")[0] in plain for k in REQUIRED)
    own = to_html(_notebook('# A page\n\n<section class="wm-glossary"></section>'), title="A",
                  footer="<footer></footer>")
    assert "wm-glossary-all" not in own


def test_build_is_uncommitted_only_when_an_input_changed(tmp_path):
    """The pipeline rewrites dvc.lock and metrics while it runs: that alone must not make
    the footer say "changes not yet committed"; an edited notebook or params.yaml must."""
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    (tmp_path / "metrics").mkdir()
    for name in ("dvc.lock", "params.yaml", "metrics/region.json"):
        (tmp_path / name).write_text("a\n")
    git("init", "-q")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c")
    (tmp_path / "dvc.lock").write_text("b\n")
    (tmp_path / "metrics" / "region.json").write_text("b\n")
    assert build_info(tmp_path)["dirty"] == "no"
    (tmp_path / "params.yaml").write_text("b\n")
    assert build_info(tmp_path)["dirty"] == "yes"
