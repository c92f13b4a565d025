"""The index as the front page: executive summary from each report's metrics, the commit,
and each dataset's latest year."""

from __future__ import annotations

import json

from wmresearch.reporting.site import _latest_year, index_page, record_status


def test_index_opens_with_an_executive_summary_written_from_the_metrics(tmp_path):
    (tmp_path / "reports" / "evaluate").mkdir(parents=True)
    (tmp_path / "metrics" / "evaluate").mkdir(parents=True)
    for href, metrics in {
            "region.html": {"key_messages": ["The gap is £11.6bn.", "Second."],
                            "gva_gbp_bn": 76.3},
            "evaluate/ez.html": {"headline": {"Finding": "not detectable (MDE 3.8%)"},
                                 "summary": "Rates relief.", "last_data_year": 2022},
            # a nested "data as of" is detail: the card falls back to the next date key
            "claims.html": {"data_as_of": {"decomposition_year": 2021}, "year": 2019}
            }.items():
        (tmp_path / "reports" / href).write_text("<title>T</title>")
        (tmp_path / "metrics" / href.replace(".html", ".json")).write_text(
            json.dumps(metrics))
        record_status(tmp_path, href, status="built", title=href.split(".")[0])
    page = index_page(tmp_path, manifest={"mode": "mirror", "datasets": {"x": {
        "title": "BRES employment, 2015-2021", "publisher": "ONS", "licence": "OGL",
        "landing_page": "https://ons.gov.uk", "status": "ok"}}})
    summary = page[page.index("Executive summary"):page.index("</section>")]
    assert '<a href="region.html">region</a>: The gap is £11.6bn.' in summary
    assert "Second." not in summary
    assert "Finding: not detectable (MDE 3.8%)." in summary
    assert "Data as of 2022." in page  # last_data_year is a "data as of" key
    assert "Data as of 2019." in page and "decomposition_year" not in page
    assert "Built from commit" in page and "uncommitted" not in page
    assert "<td>2021</td>" in page


def test_latest_year_is_the_last_year_in_the_title():
    assert _latest_year("GVA by industry, 1998-2022 (Table 3c)") == "2022"
    assert _latest_year("Census 2011 workplace population (WP605EW)") == "2011"
    assert _latest_year("Boundaries") == "as published"
