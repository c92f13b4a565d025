"""Real-data fixtures shared by the evaluation tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def district_productivity(mirror):
    """The ONS district productivity panel (June 2024, current district codes) and the LAD
    code history it was mapped with."""
    from wmresearch.evidence.geography import current_lad_codes, get_la_codes
    from wmresearch.evidence.productivity import get_productivity_lad

    la = mirror / "geography/la_all_codes.csv.gz"
    book = mirror / "ons/labour_productivity_local_authorities_2024.xls"
    if not (la.is_file() and book.is_file()):
        pytest.skip("productivity workbook or code history not in the mirror")
    lookup = get_la_codes(la).data
    return get_productivity_lad(book, current_lad_codes(lookup)).data, lookup
