"""Mayoral combined authorities -> current districts with their first mayoral election.

Facts checked on the mirror (public record; the source file's own notes): the WMCA's seven
metropolitan districts elected their first mayor on 4 May 2017; Greater Lincolnshire
(Lincolnshire's seven districts, North and North East Lincolnshire) on 1 May 2025; the East
Midlands (Derby, Nottingham and the 8 + 7 districts of Derbyshire and Nottinghamshire) on
2 May 2024; Newcastle, North Tyneside and Northumberland were in North of Tyne (2019) before
the North East (2024).
"""

from __future__ import annotations

import pandas as pd
import pytest

from wmresearch.evidence.devolution import (
    get_mayoral_districts,
    normalise_name,
    read_county_names,
)
from wmresearch.evidence.geography import get_la_codes
from wmresearch.evidence.io import DataFileError

FILE = "reference/programmes/mayoral_combined_authorities.csv"
WM7 = [f"E080000{i}" for i in range(25, 32)]
HEADER = "ca_code,ca_name,first_mayoral_election,constituent_members,status_note\n"


def _lookup() -> pd.DataFrame:
    rows = [  # lad_code, name, active code, active name, utla
        ("E08000025", "Birmingham", "E08000025", "Birmingham", "E08000025"),
        ("E08000026", "Coventry", "E08000026", "Coventry", "E08000026"),
        ("E06000023", "Bristol, City of", "E06000023", "Bristol, City of", "E06000023"),
        ("E07000136", "Boston", "E07000136", "Boston", "E10000019"),
        ("E07000138", "Lincoln", "E07000138", "Lincoln", "E10000019"),
        ("E06000048", "Northumberland", "E06000057", "Northumberland", "E06000057"),
        ("E06000057", "Northumberland", "E06000057", "Northumberland", "E06000057"),
    ]
    frame = pd.DataFrame(rows, columns=["lad_code", "lad_name", "lad_code_active",
                                        "lad_name_active", "utla_code"])
    return frame.assign(country_code="E92000001")


COUNTIES = {"lincolnshire": "E10000019"}


def _write(tmp_path, body: str):
    path = tmp_path / "mca.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_tiny_file_resolves_districts_counties_and_moves(tmp_path) -> None:
    path = _write(tmp_path, (
        "E47000007,West Midlands,2017-05-04,Birmingham;Coventry,\n"
        "E47000017,Greater Lincolnshire,2025-05-01,Lincolnshire (county: all its districts),"
        "\n"
        "E47000011,North of Tyne,2019-05-02,Northumberland;Bristol,dissolved\n"
        "E47000014,North East,2024-05-02,Northumberland,\n"))
    cleaned = get_mayoral_districts(path, _lookup(), COUNTIES)
    data = cleaned.data.set_index("lad_code")
    assert cleaned.rows_in == 4 and cleaned.rows_kept == 4 and cleaned.rows_rejected == 0
    assert list(data.loc[["E07000136", "E07000138"], "treatment_year"]) == [2025, 2025]
    assert data.loc["E06000023", "lad_name"] == "Bristol, City of"
    north = data.loc["E06000057"]
    assert north["ca_code"] == "E47000011" and north["treatment_year"] == 2019
    assert bool(north["composition_changed"]) and north["later_ca_code"] == "E47000014"
    assert "later in E47000014" in north["note"]
    assert not data.loc["E08000025", "composition_changed"]
    assert data.index.is_unique


@pytest.mark.parametrize(("body", "row", "column", "message"), [
    ("E47000007,West Midlands,2017-05-04,Birmingham;Brimingham,\n", 2,
     "constituent_members", "'Brimingham' matches no district"),
    ("E47000007,West Midlands,2017-05-04,Birmingham,\n"
     "E47000017,Greater Lincolnshire,2025-05-01,Lincs (county: all its districts),\n", 3,
     "constituent_members", "county 'Lincs'"),
    ("E47000007,West Midlands,4 May 2017,Birmingham,\n", 2, "first_mayoral_election",
     "not a date"),
    ("W47000007,West Midlands,2017-05-04,Birmingham,\n", 2, "ca_code", "not a combined"),
    ("E47000007,West Midlands,2017-05-04,Birmingham,\n"
     "E47000007,West Midlands,2017-05-04,Coventry,\n", 3, "ca_code", "listed twice"),
    ("E47000007,West Midlands,2017-05-04,,\n", 2, "constituent_members", "no constituent"),
])
def test_bad_input_names_file_row_and_column(tmp_path, body, row, column, message) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(DataFileError, match=message) as info:
        get_mayoral_districts(path, _lookup(), COUNTIES)
    assert info.value.file == str(path) and info.value.row == row
    assert info.value.column == column
    assert "mca.csv" in str(info.value) and f"row {row}" in str(info.value)


def test_missing_column_is_an_error(tmp_path) -> None:
    path = tmp_path / "mca.csv"
    path.write_text("ca_code,ca_name\nE47000007,West Midlands\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="missing column"):
        get_mayoral_districts(path, _lookup(), COUNTIES)


def test_names_compare_without_punctuation_or_city_of() -> None:
    assert normalise_name("Bristol, City of") == normalise_name("Bristol") == "bristol"
    assert normalise_name("St. Helens") == "st helens"
    assert normalise_name("Kingston upon Hull, City of") == "kingston upon hull"


@pytest.fixture(scope="module")
def real(mirror):
    la = mirror / "geography/la_all_codes.csv.gz"
    lookup = get_la_codes(la).data
    return get_mayoral_districts(mirror / FILE, lookup, read_county_names(la))


def test_mirror_every_member_resolves_with_published_dates(real) -> None:
    data = real.data.set_index("lad_code")
    assert real.rows_in == 16 and real.rows_rejected == 0
    assert (data.loc[WM7, "ca_code"] == "E47000007").all()
    assert (data.loc[WM7, "treatment_year"] == 2017).all()
    assert (data.loc[WM7, "first_election"] == pd.Timestamp("2017-05-04")).all()
    lincs = data[data["ca_code"] == "E47000017"]
    assert len(lincs) == 9 and (lincs["treatment_year"] == 2025).all()
    counts = real.data.groupby("ca_code").size().to_dict()
    assert counts == {"E47000001": 10, "E47000002": 4, "E47000003": 5, "E47000004": 6,
                      "E47000006": 5, "E47000007": 7, "E47000008": 6, "E47000009": 3,
                      "E47000011": 3, "E47000012": 2, "E47000013": 17, "E47000014": 4,
                      "E47000015": 9, "E47000016": 2, "E47000017": 9, "E47000018": 14}
    cohorts = real.data.groupby("treatment_year").size().to_dict()
    assert cohorts == {2017: 37, 2018: 4, 2019: 3, 2021: 5, 2024: 23, 2025: 11}
    assert real.data["treatment_year"].isna().sum() == 23  # Devon and Torbay, Lancashire


def test_mirror_north_of_tyne_keeps_first_treatment(real) -> None:
    moved = real.data[real.data["composition_changed"]].set_index("lad_code")
    assert sorted(moved.index) == ["E06000057", "E08000021", "E08000022"]
    assert (moved["ca_code"] == "E47000011").all()
    assert (moved["treatment_year"] == 2019).all()
    assert (moved["later_ca_code"] == "E47000014").all()
    # North Yorkshire and County Durham are unitary districts now, one row each
    data = real.data.set_index("lad_code")
    assert data.loc["E06000065", "ca_code"] == "E47000012"
    assert data.loc["E06000047", "ca_code"] == "E47000014"
