"""Companies House BasicCompanyData: hand-made files in the published 55-column format
(header and quoting as in the Free Company Data Product,
https://download.companieshouse.gov.uk/en_output.html), broken files, ONSPD geocoding.
"""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wmresearch.evidence.companies import (
    BASIC_COMPANY_DATA_COLUMNS,
    BASIC_COMPANY_DATA_HEADER,
    FIRM_COLUMNS,
    FORMAT_EXTRACT,
    SCHEMA_FIRM_REGISTER,
    filter_to_region,
    geocode_onspd,
    geocode_postcode_districts,
    ingest_basic_company_data,
    normalise_postcodes,
    read_basic_company_data,
)
from wmresearch.evidence.io import DataFileError


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


# --------------------------------------------------------------------------------------
# Blank lines, malformed rows kept as rejects, line numbers, the region filter


def test_blank_lines_are_rejected_not_dropped(tmp_path):
    path = _three(tmp_path)
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], lines[1], "", lines[2], lines[3], ""]) + "\n")
    cleaned = read_basic_company_data(path, chunk_rows=2)
    # lines: 1 header, 2 firm, 3 blank, 4 firm, 5 firm, 6 blank
    assert cleaned.data["source_row"].tolist() == [2, 4, 5]
    assert cleaned.rejects["source_row"].tolist() == [3, 6]
    assert (cleaned.rejects["reason"] == "blank line (no values)").all()
    assert cleaned.rows_in == 5 == cleaned.rows_kept + cleaned.rows_rejected


@pytest.mark.parametrize("chunk_rows", [100, 1])
def test_bad_rows_can_be_kept_as_rejects(tmp_path, chunk_rows):
    rows = [_firm(f"0000000{i}") for i in range(1, 7)]
    rows[0]["RegAddress.AddressLine1"] = "UNIT 3\nNEWTON"  # record 2 spans lines 2-3
    path = _write(tmp_path / "bad.csv", rows)
    lines = path.read_text().split("\n")
    lines[3] = lines[3].rsplit(",", 1)[0]  # line 4: 54 fields
    lines[5] = lines[5].replace('"FIRM 00000004 LTD"', '"FIRM "00000004" LTD"')  # line 6
    path.write_text("\n".join(lines))
    with pytest.raises(DataFileError) as err:
        read_basic_company_data(path, chunk_rows=chunk_rows)
    assert err.value.row == 4 and "54 fields" in str(err.value)
    cleaned = read_basic_company_data(path, chunk_rows=chunk_rows, bad_rows="reject")
    assert cleaned.data["source_row"].tolist() == [2, 5, 7, 8]
    reasons = cleaned.rejects.set_index("source_row")["reason"]
    assert reasons[4] == "malformed row: 54 fields, fewer than the header's 55"
    assert reasons[6] == "malformed quoting in CompanyName"
    assert cleaned.rows_in == 6 == cleaned.rows_kept + cleaned.rows_rejected
    assert cleaned.data.attrs["reject_counts"] == {"invalid": 2}
    with pytest.raises(ValueError, match="bad_rows"):
        read_basic_company_data(path, bad_rows="skip")


def test_undoubled_quote_inside_a_zip(tmp_path):
    path = _three(tmp_path)
    path.write_text(path.read_text().replace('"B1 1AA"', '"B1 "1AA"', 1))
    zipped = tmp_path / "BasicCompanyDataAsOneFile.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(path, "BasicCompanyDataAsOneFile-2021-06-01.csv")
    with pytest.raises(DataFileError, match="quot") as err:
        read_basic_company_data(zipped)
    assert err.value.row == 2 and err.value.column == "RegAddress.PostCode"


def test_filter_to_region_reasons(tmp_path):
    firms = read_basic_company_data(_write(tmp_path / "f.csv", [
        _firm("00000001", RegAddress__PostCode="B1 1AA"),
        _firm("00000002", RegAddress__PostCode="CV34 4AB"),
        _firm("00000003", RegAddress__PostCode="WS14 9AA"),
        _firm("00000004", RegAddress__PostCode="ZZ9 9ZZ"),
        _firm("00000005", RegAddress__PostCode="")]))
    lads = pd.DataFrame({"postcode_district": ["B1", "CV34", "WS14"],
                         "lad_code": ["E08000025", "E07000222", None],
                         "lad_name": ["Birmingham", "Warwick", "Staffordshire"]})
    wm = filter_to_region(firms, ["E08000025"], lads)
    assert wm.data["company_number"].tolist() == ["00000001"]
    assert wm.rejects["reason"].tolist() == [
        "region filter: district Warwick (E07000222) not in region",
        "region filter: district Staffordshire (no LAD code) not in region",
        "region filter: postcode district ZZ9 not in the postcode district list",
        "region filter: no UK postcode district"]
    assert wm.rows_in == 5 and wm.data.attrs["reject_counts"] == {"region filter": 4}
    direct = read_basic_company_data(tmp_path / "f.csv", region_lads=["E08000025"],
                                     district_lads=lads)
    # the same reasons either way (the rejects of a read keep the raw postcode text)
    pd.testing.assert_frame_equal(direct.rejects[["source_row", "reason"]],
                                  wm.rejects[["source_row", "reason"]])
    with pytest.raises(ValueError, match="district_lads"):
        read_basic_company_data(tmp_path / "f.csv", region_lads=["E08000025"])
