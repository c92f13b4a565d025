"""Companies House BasicCompanyData: real format samples, broken files, geocoding.

Expected values on the real files come from an independent read with Python's csv module (or
from the file text itself), never from the function under test.
"""

from __future__ import annotations

import csv
import gzip
import re
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from wmresearch.evidence.companies import (
    ACTIVE_STATUSES,
    BASIC_COMPANY_DATA_COLUMNS,
    BASIC_COMPANY_DATA_HEADER,
    FIRM_COLUMNS,
    FORMAT_EXTRACT,
    FORMAT_FULL,
    SCHEMA_FIRM_REGISTER,
    WM_POSTCODE_AREAS,
    geocode_onspd,
    geocode_postcode_districts,
    ingest_basic_company_data,
    normalise_postcodes,
    read_basic_company_data,
    read_postcode_districts,
)
from wmresearch.evidence.io import DataFileError

SAMPLE = "companies-house/basic_company_data_sample_30.csv"
EXTRACT = "companies-house/basic_company_data_extract_1000.csv"
DISTRICTS = "geography/postcode_districts.csv"


def _csv_records(path: Path) -> list[dict[str, str]]:
    """Independent read: the csv module, header names stripped."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = [h.strip() for h in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def _by_number(cleaned) -> pd.DataFrame:
    return cleaned.data.set_index("company_number")


# --------------------------------------------------------------------------------------
# The real 55-column sample


@pytest.mark.mirror
def test_sample_accounting_matches_csv_module(mirror_file):
    path = mirror_file(SAMPLE)
    records = _csv_records(path)
    cleaned = read_basic_company_data(path)
    active_like = {s.casefold() for s in ACTIVE_STATUSES}
    n_kept = sum(r["CompanyStatus"].casefold() in active_like for r in records)
    assert cleaned.rows_in == len(records) == 31
    assert cleaned.rows_kept == n_kept
    assert cleaned.rows_in == cleaned.rows_kept + cleaned.rows_rejected
    assert cleaned.data.attrs["format"] == FORMAT_FULL
    assert list(cleaned.data.columns) == list(FIRM_COLUMNS)
    expected = {r["CompanyNumber"] for r in records if r["CompanyStatus"].casefold()
                in active_like}
    assert set(cleaned.data["company_number"]) == expected
    assert cleaned.data["company_number"].str.len().eq(8).all()
    SCHEMA_FIRM_REGISTER.validate(cleaned.data)


@pytest.mark.mirror
def test_sample_doubled_quotes_are_unescaped_once(mirror_file):
    path = mirror_file(SAMPLE)
    firms = _by_number(read_basic_company_data(path))
    # the file has """A TASTE OF TUSCANY"" LTD" and """ALLWELL"" ORGANIC LTD"
    assert firms.loc["06473722", "company_name"] == '"A TASTE OF TUSCANY" LTD'
    assert firms.loc["11191833", "company_name"] == '"ALLWELL" ORGANIC LTD'
    records = {r["CompanyNumber"]: r["CompanyName"] for r in _csv_records(path)}
    for number, name in firms["company_name"].items():
        assert name == records[number].strip()


@pytest.mark.mirror
def test_sample_dates_parsed(mirror_file):
    path = mirror_file(SAMPLE)
    firms = _by_number(read_basic_company_data(path, statuses=None))
    assert firms.loc["12778855", "incorporation_date"] == pd.Timestamp("2020-07-29")
    for record in _csv_records(path):
        got = firms.loc[record["CompanyNumber"]]
        for column, field in (("incorporation_date", "IncorporationDate"),
                              ("dissolution_date", "DissolutionDate")):
            if record[field]:
                assert got[column] == pd.Timestamp(datetime.strptime(record[field],
                                                                     "%d/%m/%Y"))
            else:
                assert pd.isna(got[column])


@pytest.mark.mirror
def test_sample_sic_codes_split(mirror_file):
    path = mirror_file(SAMPLE)
    firms = _by_number(read_basic_company_data(path, statuses=None))
    # "18129 - Printing n.e.c.","59112 - ...","63120 - ...","74201 - ..." in the file
    row = firms.loc["11743365"]
    assert [row[f"sic_code_{i}"] for i in range(1, 5)] == ["18129", "59112", "63120", "74201"]
    assert row["primary_sic"] == "18129"
    assert row["sic_description_1"] == "Printing n.e.c."
    # "None Supplied": no code, flagged
    assert pd.isna(firms.loc["FC027187", "primary_sic"])
    assert firms.loc["FC027187", "sic_issue"] == "None Supplied"
    for record in _csv_records(path):
        got = firms.loc[record["CompanyNumber"]]
        for i in range(1, 5):
            text = record[f"SICCode.SicText_{i}"]
            code = text[:5] if re.match(r"\d{5} - ", text) else None
            assert (pd.isna(got[f"sic_code_{i}"]) if code is None
                    else got[f"sic_code_{i}"] == code)


@pytest.mark.mirror
def test_sample_postcodes(mirror_file):
    path = mirror_file(SAMPLE)
    firms = _by_number(read_basic_company_data(path, statuses=None))
    assert firms.loc["12778855", ["postcode", "postcode_district"]].tolist() == ["S35 2PH",
                                                                                 "S35"]
    assert pd.isna(firms.loc["FC027187", "postcode"])  # Mongolian company, no postcode
    for record in _csv_records(path):
        expected = record["RegAddress.PostCode"] or None
        got = firms.loc[record["CompanyNumber"], "postcode"]
        assert (pd.isna(got) if expected is None else got == expected)


@pytest.mark.mirror
def test_streaming_ingest_writes_the_same_rows(mirror_file, tmp_path):
    path = mirror_file(SAMPLE)
    in_memory = read_basic_company_data(path, statuses=None)
    counts = ingest_basic_company_data(path, tmp_path / "firms.parquet", statuses=None,
                                       chunk_rows=4)
    streamed = pd.read_parquet(tmp_path / "firms.parquet")
    expected = in_memory.data.copy()
    expected.attrs = {}
    pd.testing.assert_frame_equal(streamed, expected)
    assert streamed["incorporation_date"].notna().sum() == expected[
        "incorporation_date"].notna().sum() > 0
    assert counts["rows_in"] == in_memory.rows_in == 31
    assert counts["rows_kept"] == pq.ParquetFile(tmp_path / "firms.parquet").metadata.num_rows
    assert counts["rows_rejected"] == 0
    assert (tmp_path / "firms.rejects.parquet").exists()


# --------------------------------------------------------------------------------------
# The real 14-column extract


@pytest.mark.mirror
def test_extract_status_counts_match_csv_module(mirror_file):
    path = mirror_file(EXTRACT)
    records = _csv_records(path)
    n_active = sum(r["CompanyStatus"] == "Active" for r in records)
    assert n_active == 839
    only_active = read_basic_company_data(path, statuses=("Active",))
    assert only_active.data.attrs["format"] == FORMAT_EXTRACT
    assert only_active.rows_in == 1000
    assert only_active.rows_kept == n_active
    assert only_active.rows_rejected == 1000 - n_active
    assert only_active.rejects["reason"].str.startswith("status filter: ").all()
    liquidation = (only_active.rejects["reason"] == "status filter: Liquidation").sum()
    assert liquidation == sum(r["CompanyStatus"] == "Liquidation" for r in records)

    default = read_basic_company_data(path)
    expected = sum(r["CompanyStatus"] in ("Active", "Active - Proposal to Strike off")
                   for r in records)
    assert default.rows_kept == expected
    everything = read_basic_company_data(path, statuses=None)
    assert everything.rows_kept == 1000 and everything.rows_rejected == 0
    assert everything.data["incorporation_date"].isna().all()  # no dates in the extract


@pytest.mark.mirror
def test_extract_west_midlands_postcode_areas(mirror_file):
    path = mirror_file(EXTRACT)
    records = _csv_records(path)
    areas = [re.match(r"[A-Z]*", r["RegAddress.PostCode"].upper()).group(0) for r in records]
    expected = sum(a in WM_POSTCODE_AREAS for a in areas)
    assert expected == 76  # the count stated in the mirror's SOURCES.md
    wm = read_basic_company_data(path, statuses=None, region_postcode_areas=WM_POSTCODE_AREAS)
    assert wm.rows_kept == 76
    assert wm.rows_in == wm.rows_kept + wm.rows_rejected == 1000
    assert wm.rejects["reason"].str.startswith("region filter: ").all()
    assert set(wm.data["postcode_district"].str.extract(r"^([A-Z]+)")[0]) <= set(
        WM_POSTCODE_AREAS)
    b1_b3 = read_basic_company_data(path, statuses=None, region_postcode_districts={"B3"})
    assert b1_b3.rows_kept == sum(r["RegAddress.PostCode"].startswith("B3 ") for r in records)


@pytest.mark.mirror
def test_extract_quotes_and_old_sic_codes(mirror_file):
    path = mirror_file(EXTRACT)
    records = _csv_records(path)
    firms = _by_number(read_basic_company_data(path, statuses=None))
    # the line is: """2 ECOUTE"" LIMITED",06439541,...
    assert firms.loc["06439541", "company_name"] == '"2 ECOUTE" LIMITED'
    old = [r for r in records if re.match(r"\d{4} - ", r["SICCode.SicText_1"])
           and not any(re.match(r"\d{5} - ", r[f"SICCode.SicText_{i}"]) for i in range(1, 5))]
    assert old
    for record in old:
        got = firms.loc[record["CompanyNumber"]]
        assert pd.isna(got["primary_sic"])
        assert record["SICCode.SicText_1"][:4] in got["sic_issue"]
    with_code = sum(any(re.match(r"\d{5} - ", r[f"SICCode.SicText_{i}"]) for i in range(1, 5))
                    for r in records)
    assert firms["primary_sic"].notna().sum() == with_code


@pytest.mark.mirror
def test_extract_odd_postcodes_flagged_not_dropped(mirror_file):
    path = mirror_file(EXTRACT)
    records = _csv_records(path)
    firms = _by_number(read_basic_company_data(path, statuses=None))
    blank = [r["CompanyNumber"] for r in records if not r["RegAddress.PostCode"].strip()]
    assert blank and firms.loc[blank, "postcode"].isna().all()
    outcode_only = [r["CompanyNumber"] for r in records if r["RegAddress.PostCode"] == "W6"]
    assert outcode_only
    assert firms.loc[outcode_only, "postcode"].isna().all()
    assert (firms.loc[outcode_only, "postcode_district"] == "W6").all()
    junk = [r["CompanyNumber"] for r in records if r["RegAddress.PostCode"] == "XXX"]
    assert junk and firms.loc[junk, "postcode_district"].isna().all()


@pytest.mark.mirror
def test_blocks_do_not_change_the_result(mirror_file):
    path = mirror_file(EXTRACT)
    whole = read_basic_company_data(path, chunk_rows=100_000)
    pieces = read_basic_company_data(path, chunk_rows=37)
    pd.testing.assert_frame_equal(whole.data, pieces.data)
    pd.testing.assert_frame_equal(whole.rejects, pieces.rejects)
    assert whole.data["source_row"].is_monotonic_increasing


# --------------------------------------------------------------------------------------
# Hand-made files in the published 55-column format


def _write(path: Path, rows: list[dict[str, str]], *, header: str = BASIC_COMPANY_DATA_HEADER,
           bom: bool = False, eol: str = "\n") -> Path:
    names = [h.strip() for h in header.split(",")]
    buffer = []
    for row in rows:
        unknown = set(row) - set(names)
        assert not unknown, unknown
        values = [row.get(n, "") for n in names]
        buffer.append(",".join('"' + v.replace('"', '""') + '"' for v in values))
    text = header + eol + eol.join(buffer) + (eol if buffer else "")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def _firm(number: str, **fields: str) -> dict[str, str]:
    row = {"CompanyName": f"FIRM {number} LTD", "CompanyNumber": number,
           "RegAddress.PostCode": "B1 1AA", "CompanyCategory": "Private Limited Company",
           "CompanyStatus": "Active", "IncorporationDate": "01/02/2003",
           "SICCode.SicText_1": "62012 - Business and domestic software development"}
    row.update({k.replace("__", "."): v for k, v in fields.items()})
    return row


def _three(tmp_path: Path, **kwargs) -> Path:
    return _write(tmp_path / "firms.csv",
                  [_firm("00000001"), _firm("00000002"), _firm("SC000003")], **kwargs)


def test_header_with_leading_spaces_and_bom(tmp_path):
    plain = read_basic_company_data(_three(tmp_path))
    with_bom = read_basic_company_data(_write(
        tmp_path / "bom.csv", [_firm("00000001"), _firm("00000002"), _firm("SC000003")],
        bom=True))
    assert BASIC_COMPANY_DATA_HEADER.startswith("CompanyName, CompanyNumber,")
    assert len(BASIC_COMPANY_DATA_COLUMNS) == 55
    assert plain.rows_kept == with_bom.rows_kept == 3
    pd.testing.assert_frame_equal(plain.data, with_bom.data)
    assert plain.data["source_row"].tolist() == [2, 3, 4]


def test_crlf_gzip_and_zip(tmp_path):
    rows = [_firm("00000001"), _firm("00000002")]
    crlf = _write(tmp_path / "crlf.csv", rows, eol="\r\n")
    expected = read_basic_company_data(_write(tmp_path / "lf.csv", rows)).data
    pd.testing.assert_frame_equal(read_basic_company_data(crlf).data, expected)
    gz = tmp_path / "firms.csv.gz"
    gz.write_bytes(gzip.compress(crlf.read_bytes()))
    pd.testing.assert_frame_equal(read_basic_company_data(gz).data, expected)
    zipped = tmp_path / "BasicCompanyDataAsOneFile.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(crlf, "BasicCompanyDataAsOneFile-2021-06-01.csv")
    pd.testing.assert_frame_equal(read_basic_company_data(zipped).data, expected)


def test_missing_column_names_file_and_column(tmp_path):
    header = BASIC_COMPANY_DATA_HEADER.replace("CompanyStatus,", "")
    path = _write(tmp_path / "no_status.csv", [], header=header)
    with pytest.raises(DataFileError) as err:
        read_basic_company_data(path)
    assert err.value.column == "CompanyStatus"
    assert "no_status.csv" in str(err.value) and "CompanyStatus" in str(err.value)
    assert err.value.row == 1


def test_missing_date_column_in_full_format(tmp_path):
    header = BASIC_COMPANY_DATA_HEADER.replace("IncorporationDate,", "")
    path = _write(tmp_path / "no_dates.csv", [], header=header)
    with pytest.raises(DataFileError) as err:
        ingest_basic_company_data(path, tmp_path / "out.parquet")
    assert err.value.column == "IncorporationDate"
    assert not (tmp_path / "out.parquet").exists()


def test_extract_header_detected(tmp_path):
    path = tmp_path / "extract.csv"
    path.write_text("CompanyName,CompanyNumber,RegAddress.AddressLine1,RegAddress.AddressLine2,"
                    "RegAddress.PostTown,RegAddress.County,RegAddress.Country,"
                    "RegAddress.PostCode,CompanyCategory,CompanyStatus,SICCode.SicText_1,"
                    "SICCode.SicText_2,SICCode.SicText_3,SICCode.SicText_4\n"
                    '"""Q"" LTD",12345,1 HIGH ST,,WALSALL,,,ws1 1aa,Private Limited Company,'
                    "Active,7499 - Non-trading company,62012 - Software,,\n", encoding="utf-8")
    cleaned = read_basic_company_data(path)
    assert cleaned.data.attrs["format"] == FORMAT_EXTRACT
    row = cleaned.data.iloc[0]
    assert row["company_number"] == "00012345"  # leading zeros restored
    assert row["company_name"] == '"Q" LTD'
    assert (row["postcode"], row["postcode_district"]) == ("WS1 1AA", "WS1")
    assert pd.isna(row["sic_code_1"]) and row["sic_code_2"] == "62012"
    assert row["primary_sic"] == "62012" and pd.isna(row["sic_issue"])


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(DataFileError, match="empty") as err:
        read_basic_company_data(path)
    assert err.value.row == 1


def test_header_only_gives_empty_register(tmp_path):
    cleaned = read_basic_company_data(_write(tmp_path / "header.csv", []))
    assert cleaned.rows_in == 0 and len(cleaned.data) == 0
    assert list(cleaned.data.columns) == list(FIRM_COLUMNS)


@pytest.mark.parametrize("chunk_rows", [100, 1])
def test_ragged_row_names_its_line(tmp_path, chunk_rows):
    path = _three(tmp_path)
    lines = path.read_text().splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0]  # line 4 loses its last field
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataFileError) as err:
        read_basic_company_data(path, chunk_rows=chunk_rows)
    assert err.value.row == 4
    assert "54 fields" in str(err.value)
    assert str(path) in str(err.value)


def test_extra_field_names_its_line(tmp_path):
    path = _three(tmp_path)
    lines = path.read_text().splitlines()
    lines[2] += ',"surplus"'
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataFileError) as err:
        read_basic_company_data(path)
    assert err.value.row == 3 and "56 fields" in str(err.value)


def test_undoubled_quote_inside_value(tmp_path):
    path = _three(tmp_path)
    text = path.read_text().replace('"FIRM 00000002 LTD"', '"FIRM "00000002" LTD"')
    path.write_text(text)
    with pytest.raises(DataFileError, match="quot") as err:
        read_basic_company_data(path)
    assert err.value.row == 3
    assert err.value.column == "CompanyName"


@pytest.mark.parametrize(("number", "line"), [("SC000003", 4), ("00000002", 3)])
@pytest.mark.parametrize("chunk_rows", [100, 1])
def test_unterminated_quote(tmp_path, number, line, chunk_rows):
    path = _three(tmp_path)
    text = path.read_text().replace(f'"FIRM {number} LTD"', f'"FIRM {number} LTD')
    path.write_text(text)
    with pytest.raises(DataFileError) as err:
        read_basic_company_data(path, chunk_rows=chunk_rows)
    assert err.value.row == line


def test_non_utf8_byte(tmp_path):
    path = _three(tmp_path)
    path.write_bytes(path.read_bytes().replace(b"FIRM SC000003", b"FIRM SC\xe9000003"))
    with pytest.raises(DataFileError, match="UTF-8") as err:
        read_basic_company_data(path)
    assert err.value.row == 4 and err.value.column == "CompanyName"


def test_bad_dates_are_rejected_with_the_column(tmp_path):
    rows = [_firm("00000001"), _firm("00000002", IncorporationDate="31/02/2020"),
            _firm("00000003", DissolutionDate="2020-01-01"), _firm("00000004",
                                                                   IncorporationDate="")]
    cleaned = read_basic_company_data(_write(tmp_path / "dates.csv", rows))
    assert cleaned.rows_in == 4 and cleaned.rows_kept == 2 and cleaned.rows_rejected == 2
    reasons = dict(zip(cleaned.rejects["source_row"], cleaned.rejects["reason"],
                       strict=True))
    assert "IncorporationDate" in reasons[3] and "31/02/2020" in reasons[3]
    assert "DissolutionDate" in reasons[4]
    assert cleaned.data["company_number"].tolist() == ["00000001", "00000004"]
    assert cleaned.data["incorporation_date"].iloc[0] == pd.Timestamp("2003-02-01")
    assert pd.isna(cleaned.data["incorporation_date"].iloc[1])


def test_old_dates_and_leap_days(tmp_path):
    rows = [_firm("RC000001", IncorporationDate="02/05/1670"),
            _firm("00000002", IncorporationDate="29/02/2000"),
            _firm("00000003", IncorporationDate="29/02/1900")]
    cleaned = read_basic_company_data(_write(tmp_path / "old.csv", rows))
    assert cleaned.data["incorporation_date"].tolist() == [pd.Timestamp("1670-05-02"),
                                                           pd.Timestamp("2000-02-29")]
    assert cleaned.rejects["source_row"].tolist() == [4]  # 1900 was not a leap year


def test_duplicates_invalid_numbers_and_blank_names(tmp_path):
    rows = [_firm("00000001"), _firm("00000001"), _firm("0000/002"),
            _firm("00000004", CompanyName="  "), _firm("00000005")]
    cleaned = read_basic_company_data(_write(tmp_path / "dups.csv", rows), chunk_rows=1)
    assert cleaned.data["company_number"].tolist() == ["00000001", "00000005"]
    reasons = cleaned.rejects.set_index("source_row")["reason"]
    assert reasons[3].startswith("duplicate CompanyNumber 00000001")
    assert reasons[4].startswith("invalid CompanyNumber")
    assert reasons[5] == "blank CompanyName"
    assert cleaned.data.attrs["reject_counts"] == {"duplicate": 1, "invalid": 2}


def test_status_filter_accounting(tmp_path):
    rows = [_firm("00000001"), _firm("00000002", CompanyStatus="Liquidation"),
            _firm("00000003", CompanyStatus="Active - Proposal to Strike off"),
            _firm("00000004", CompanyStatus="")]
    path = _write(tmp_path / "status.csv", rows)
    cleaned = read_basic_company_data(path)
    assert cleaned.data["company_number"].tolist() == ["00000001", "00000003"]
    assert sorted(cleaned.rejects["reason"]) == ["status filter: (blank)",
                                                 "status filter: Liquidation"]
    counts = ingest_basic_company_data(path, tmp_path / "o.parquet",
                                       rejects_parquet=tmp_path / "r.parquet")
    assert (counts["rows_in"], counts["rows_kept"], counts["rows_status_filtered"]) == (4, 2, 2)
    assert pd.read_parquet(tmp_path / "r.parquet")["source_row"].tolist() == [3, 5]


def test_line_break_inside_quoted_value(tmp_path):
    rows = [_firm("00000001", RegAddress__AddressLine1="UNIT 3\nNEWTON"), _firm("00000002")]
    cleaned = read_basic_company_data(_write(tmp_path / "nl.csv", rows))
    assert cleaned.data["source_row"].tolist() == [2, 4]
    assert cleaned.data["company_number"].tolist() == ["00000001", "00000002"]


def test_normalise_postcodes():
    raw = pd.Series(["b11aa", " B1  1AA ", "WV10 0AB", "EC1V 9LT", "W6", "XXX", "", "XXXX XXX",
                     "DY1-4PQ"], dtype="str")
    got = normalise_postcodes(raw)
    assert got["postcode"].tolist()[:4] == ["B1 1AA", "B1 1AA", "WV10 0AB", "EC1V 9LT"]
    assert got["postcode"].iloc[4:8].isna().all()
    assert got["postcode"].iloc[8] == "DY1 4PQ"
    assert got["postcode_district"].tolist()[:5] == ["B1", "B1", "WV10", "EC1V", "W6"]
    assert got["postcode_district"].iloc[5:8].isna().all()


# --------------------------------------------------------------------------------------
# Geocoding


@pytest.mark.mirror
def test_read_postcode_districts(mirror_file):
    path = mirror_file(DISTRICTS)
    districts = read_postcode_districts(path)
    with path.open(encoding="utf-8", newline="") as fh:
        records = list(csv.DictReader(fh))
    assert len(districts) == len(records) == 3114
    b1 = districts.set_index("postcode_district").loc["B1"]
    assert (b1["latitude"], b1["longitude"]) == (52.4796, -1.90779)  # from the file's B1 line
    assert districts.set_index("postcode_district").loc["GIR", ["latitude"]].isna().all()


@pytest.mark.mirror
def test_geocode_extract_to_districts(mirror_file):
    firms = read_basic_company_data(mirror_file(EXTRACT), statuses=None).data
    districts = read_postcode_districts(mirror_file(DISTRICTS))
    coded = geocode_postcode_districts(firms, districts)
    assert len(coded) == len(firms)
    assert coded["company_number"].tolist() == firms["company_number"].tolist()
    with mirror_file(DISTRICTS).open(encoding="utf-8", newline="") as fh:
        centroids = {r["Postcode"]: r for r in csv.DictReader(fh)}
    b3 = coded[coded["postcode_district"] == "B3"]
    assert len(b3) and (b3["latitude"] == float(centroids["B3"]["Latitude"])).all()
    assert (b3["northing"] == float(centroids["B3"]["Northing"])).all()
    unmatched = coded[~coded["geocode_matched"]]
    assert unmatched["postcode_district"].isna().sum() == firms["postcode_district"].isna().sum()
    assert unmatched["geocode_precision"].isna().all()
    assert (coded.loc[coded["geocode_matched"], "geocode_precision"] == "postcode_district").all()
    SCHEMA_FIRM_REGISTER.validate(coded)


def test_geocode_onspd_falls_back_to_district(tmp_path):
    firms = read_basic_company_data(_write(tmp_path / "f.csv", [
        _firm("00000001", RegAddress__PostCode="B1 1AA"),
        _firm("00000002", RegAddress__PostCode="B1 2AB"),
        _firm("00000003", RegAddress__PostCode="CV1 5FB"),
        _firm("00000004", RegAddress__PostCode="ZZ9 9ZZ"),
        _firm("00000005", RegAddress__PostCode="")])).data
    districts = pd.DataFrame({"postcode_district": ["B1", "CV1"], "latitude": [52.48, 52.41],
                              "longitude": [-1.91, -1.51], "easting": [406360.0, 433000.0],
                              "northing": [286856.0, 279000.0]})
    onspd = tmp_path / "ONSPD.csv"
    onspd.write_text("pcd,pcds,dointr,oseast1m,osnrth1m,laua,lat,long\n"
                     "B1  1AA,B1 1AA,198001,406400,286900,E08000025,52.4800,-1.9071\n"
                     "CV1 5FB,CV1 5FB,198001,,,E08000026,99.999999,0.000000\n"
                     "SW1A1AA,SW1A 1AA,198001,529090,179645,E09000033,51.501009,-0.141588\n",
                     encoding="utf-8")
    coded = geocode_onspd(geocode_postcode_districts(firms, districts), onspd)
    coded = coded.set_index("company_number")
    assert coded.loc["00000001", "geocode_precision"] == "postcode"
    assert coded.loc["00000001", "easting"] == 406400.0
    assert coded.loc["00000001", "lad_code"] == "E08000025"
    assert coded.loc["00000002", "geocode_precision"] == "postcode_district"
    assert coded.loc["00000002", "latitude"] == 52.48
    # no grid reference in ONSPD: district centroid kept
    assert coded.loc["00000003", "geocode_precision"] == "postcode_district"
    assert not coded.loc[["00000004", "00000005"], "geocode_matched"].any()
    assert coded.loc[["00000004", "00000005"], "latitude"].isna().all()
    SCHEMA_FIRM_REGISTER.validate(coded.reset_index())
    alone = geocode_onspd(firms, onspd).set_index("company_number")
    assert alone["geocode_matched"].tolist() == [True, False, False, False, False]
    assert np.isnan(alone.loc["00000002", "latitude"])


def test_geocode_onspd_missing_column(tmp_path):
    onspd = tmp_path / "ONSPD.csv"
    onspd.write_text("pcds,lat,long\nB1 1AA,52.48,-1.90\n", encoding="utf-8")
    firms = pd.DataFrame({"postcode": ["B1 1AA"], "postcode_district": ["B1"]})
    with pytest.raises(DataFileError) as err:
        geocode_onspd(firms, onspd)
    assert err.value.column == "oseast1m"
