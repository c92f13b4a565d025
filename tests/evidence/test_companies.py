"""Companies House BasicCompanyData on the real files of the mirror: format samples, the
region filter by geocoded district, geocoding.

Expected values come from an independent read with Python's csv module (or from the file text
itself), never from the function under test. Sources: Companies House Free Company Data
Product (https://download.companieshouse.gov.uk/en_output.html); the postcode-district file and
the ONS LAD code history described in the mirror's SOURCES.md.
"""

from __future__ import annotations

import csv
import gzip
import re
from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from wmresearch.evidence.companies import (
    ACTIVE_STATUSES,
    FIRM_COLUMNS,
    FORMAT_EXTRACT,
    FORMAT_FULL,
    SCHEMA_FIRM_REGISTER,
    WM_POSTCODE_AREAS,
    filter_to_region,
    geocode_district_lads,
    geocode_postcode_districts,
    ingest_basic_company_data,
    postcode_district_lads,
    read_basic_company_data,
    read_postcode_districts,
)
from wmresearch.evidence.geography import get_la_codes

SAMPLE = "companies-house/basic_company_data_sample_30.csv"
EXTRACT = "companies-house/basic_company_data_extract_1000.csv"
DISTRICTS = "geography/postcode_districts.csv"
LA_CODES = "geography/la_all_codes.csv.gz"
#: The seven WMCA districts (ONS code history, CAUTHCD E47000007).
WMCA = ("E08000025", "E08000026", "E08000027", "E08000028", "E08000029", "E08000030",
        "E08000031")

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


def test_sample_doubled_quotes_are_unescaped_once(mirror_file):
    path = mirror_file(SAMPLE)
    firms = _by_number(read_basic_company_data(path))
    # the file has """A TASTE OF TUSCANY"" LTD" and """ALLWELL"" ORGANIC LTD"
    assert firms.loc["06473722", "company_name"] == '"A TASTE OF TUSCANY" LTD'
    assert firms.loc["11191833", "company_name"] == '"ALLWELL" ORGANIC LTD'
    records = {r["CompanyNumber"]: r["CompanyName"] for r in _csv_records(path)}
    for number, name in firms["company_name"].items():
        assert name == records[number].strip()


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


def test_blocks_do_not_change_the_result(mirror_file):
    path = mirror_file(EXTRACT)
    # validation does not change the data; skipping it keeps the 27-block read fast
    whole = read_basic_company_data(path, chunk_rows=100_000, validate=False)
    pieces = read_basic_company_data(path, chunk_rows=37, validate=False)
    pd.testing.assert_frame_equal(whole.data, pieces.data)
    pd.testing.assert_frame_equal(whole.rejects, pieces.rejects)
    assert whole.data["source_row"].is_monotonic_increasing


# --------------------------------------------------------------------------------------
# Geocoding


def test_read_postcode_districts(mirror_file):
    path = mirror_file(DISTRICTS)
    districts = read_postcode_districts(path)
    with path.open(encoding="utf-8", newline="") as fh:
        records = list(csv.DictReader(fh))
    assert len(districts) == len(records) == 3114
    b1 = districts.set_index("postcode_district").loc["B1"]
    assert (b1["latitude"], b1["longitude"]) == (52.4796, -1.90779)  # from the file's B1 line
    assert districts.set_index("postcode_district").loc["GIR", ["latitude"]].isna().all()


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




# --------------------------------------------------------------------------------------
# The region filter: firms geocoded to the combined authority's districts


def _outcode(postcode: str) -> str | None:
    """Independent outcode rule (UK postcode format: outward code, then digit + 2 letters)."""
    compact = re.sub(r"[^A-Z0-9]", "", postcode.upper())
    full = re.fullmatch(r"([A-Z]{1,2}[0-9][A-Z0-9]?)[0-9][A-Z]{2}", compact)
    if full:
        return full.group(1)
    return compact if re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]?", compact) else None


def _raw_district_names(mirror_file) -> dict[str, str]:
    """Outcode -> the local-authority name in the raw file's Region column."""
    with mirror_file(DISTRICTS).open(encoding="utf-8", newline="") as fh:
        return {r["Postcode"].strip(): r["Region"].strip() for r in csv.DictReader(fh)}


def _raw_lads(mirror_file) -> list[dict[str, str]]:
    with gzip.open(mirror_file(LA_CODES), "rt", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def district_lads(mirror):
    lookup = get_la_codes(mirror / LA_CODES).data
    return postcode_district_lads(read_postcode_districts(mirror / DISTRICTS), lookup)


def test_region_filter_keeps_the_wmca_districts_only(mirror_file, district_lads, tmp_path):
    path = mirror_file(EXTRACT)
    names = _raw_district_names(mirror_file)
    lads = _raw_lads(mirror_file)
    wmca_names = {r["LADNM"] for r in lads if r["CAUTHCD"] == "E47000007"
                  and r["LADCD"] == r["LADCD_ACTIVE"]}
    assert {r["LADCD"] for r in lads if r["LADNM"] in wmca_names} == set(WMCA)
    records = _csv_records(path)
    listed = [names.get(_outcode(r["RegAddress.PostCode"]) or "") for r in records]
    expected = sum(name in wmca_names for name in listed)
    assert expected == 57  # Birmingham 36, Coventry 7, Solihull 5, Dudley 4, Sandwell,
    # Wolverhampton 2 each, Walsall 1 (raw files, csv module)
    wm = read_basic_company_data(path, statuses=None, region_lads=WMCA,
                                 district_lads=district_lads)
    assert wm.rows_kept == expected
    assert wm.rows_in == wm.rows_kept + wm.rows_rejected == 1000
    assert wm.rejects["reason"].str.startswith("region filter: ").all()
    kept_names = {names.get(_outcode(p) or "") for p in wm.data["postcode_district"]}
    assert kept_names <= wmca_names
    active = {r["LADNM"]: r["LADCD_ACTIVE"] for r in lads}
    for name in ("Warwick", "Lichfield", "Rugby"):
        code = active[name]
        n_raw = listed.count(name)
        assert n_raw > 0
        assert wm.rejects["reason"].eq(f"region filter: district {name} ({code}) not in "
                                       "region").sum() == n_raw
    # the postcode-area screen keeps the 76 firms of SOURCES.md, 19 of them outside WMCA
    by_area = read_basic_company_data(path, statuses=None,
                                      region_postcode_areas=WM_POSTCODE_AREAS)
    assert by_area.rows_kept - wm.rows_kept == 76 - 57
    after = filter_to_region(read_basic_company_data(path, statuses=None), WMCA,
                             district_lads)
    pd.testing.assert_frame_equal(after.data, wm.data, check_like=True)
    assert after.rows_rejected == wm.rows_rejected and after.rows_in == 1000
    counts = ingest_basic_company_data(path, tmp_path / "wm.parquet", statuses=None,
                                       region_lads=WMCA, district_lads=district_lads)
    assert (counts["rows_kept"], counts["rows_region_filtered"]) == (57, 1000 - 57)


def test_postcode_district_lads_match_the_code_history(mirror_file, district_lads):
    lads = _raw_lads(mirror_file)
    code = {r["LADNM"]: r["LADCD_ACTIVE"] for r in lads}
    table = district_lads.set_index("postcode_district")
    names = _raw_district_names(mirror_file)
    assert len(table) == len(names) == 3114
    # the raw file writes "Birmingham " (trailing space) for some, and "Nuneaton & Bedworth"
    trailing = [d for d, n in names.items() if n == "Birmingham"]
    assert table.loc["B1", "lad_code"] == code["Birmingham"] == "E08000025"
    assert (table.loc[trailing, "lad_code"] == "E08000025").all()
    bedworth = [d for d, n in names.items() if n == "Nuneaton & Bedworth"]
    assert bedworth
    assert (table.loc[bedworth, "lad_code"] == code["Nuneaton and Bedworth"]).all()
    # a county is not a district: not assigned, never guessed
    staffordshire = [d for d, n in names.items() if n == "Staffordshire"]
    assert staffordshire and table.loc[staffordshire, "lad_code"].isna().all()
    firms = read_basic_company_data(mirror_file(EXTRACT), statuses=None).data
    coded = geocode_district_lads(firms, district_lads)
    assert len(coded) == len(firms)
    assert coded["lad_code"].isin(WMCA).sum() == 57
