"""Real firm locations: Companies House companies joined to the ONS Postcode Directory.

The files are written here in the publishers' exact layouts:

* Companies House *Free Company Data Product* (BasicCompanyData), the 55-column header as
  published (https://download.companieshouse.gov.uk/en_output.html; leading spaces in some
  names, every value quoted, quotes inside values doubled), typed out below, and the real
  30-row sample and 1,000-row extract of the mirror;
* the ONS Postcode Directory (ONSPD user guide, ONS Open Geography Portal): the header of the
  releases up to 2024 (``pcd, pcd2, pcds, ..., oslaua, ..., oseast1m, osnrth1m, osgrdind,
  ..., lat, long, ...``) and the renamed header from 2025 (``pcd7, pcd8, pcds, ..., east1m,
  north1m, gridind, ..., lad25cd, ...``); strings quoted, numbers not; a postcode without a
  grid reference has blank eastings and northings, ``lat`` 99.999999, ``long`` 0.000000 and
  quality indicator 9; a terminated postcode has ``doterm`` (year and month).

Every expected count below is worked out by hand from the rows written in this file.
"""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from wmresearch.evidence.companies import CAVEAT, FIRM_LOCATION_COLUMNS, read_firm_locations
from wmresearch.evidence.io import DataFileError

CH_HEADER = (
    "CompanyName, CompanyNumber,RegAddress.CareOf,RegAddress.POBox,RegAddress.AddressLine1,"
    " RegAddress.AddressLine2,RegAddress.PostTown,RegAddress.County,RegAddress.Country,"
    "RegAddress.PostCode,CompanyCategory,CompanyStatus,CountryOfOrigin,DissolutionDate,"
    "IncorporationDate,Accounts.AccountRefDay,Accounts.AccountRefMonth,Accounts.NextDueDate,"
    "Accounts.LastMadeUpDate,Accounts.AccountCategory,Returns.NextDueDate,"
    "Returns.LastMadeUpDate,Mortgages.NumMortCharges,Mortgages.NumMortOutstanding,"
    "Mortgages.NumMortPartSatisfied,Mortgages.NumMortSatisfied,SICCode.SicText_1,"
    "SICCode.SicText_2,SICCode.SicText_3,SICCode.SicText_4,"
    "LimitedPartnerships.NumGenPartners,LimitedPartnerships.NumLimPartners,URI,"
    "PreviousName_1.CONDATE, PreviousName_1.CompanyName, PreviousName_2.CONDATE,"
    " PreviousName_2.CompanyName,PreviousName_3.CONDATE, PreviousName_3.CompanyName,"
    "PreviousName_4.CONDATE, PreviousName_4.CompanyName,PreviousName_5.CONDATE,"
    " PreviousName_5.CompanyName,PreviousName_6.CONDATE, PreviousName_6.CompanyName,"
    "PreviousName_7.CONDATE, PreviousName_7.CompanyName,PreviousName_8.CONDATE,"
    " PreviousName_8.CompanyName,PreviousName_9.CONDATE, PreviousName_9.CompanyName,"
    "PreviousName_10.CONDATE, PreviousName_10.CompanyName,ConfStmtNextDueDate,"
    " ConfStmtLastMadeUpDate")
ONSPD_2024 = (
    "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,oseast1m,osnrth1m,"
    "osgrdind,oshlthau,nhser,ctry,rgn,streg,pcon,eer,teclec,ttwa,pct,itl,statsward,oa01,"
    "casward,npark,lsoa01,msoa01,ur01ind,oac01,oa11,lsoa11,msoa11,wz11,sicbl,bua11,buasd11,"
    "ru11ind,oac11,lat,long,lep1,lep2,pfa,imd,calncv,icb,oa21,lsoa21,msoa21")
ONSPD_2025 = (
    "pcd7,pcd8,pcds,dointr,doterm,usrtypind,east1m,north1m,gridind,oa21cd,cty25cd,ced25cd,"
    "lad25cd,wd25cd,nhser24cd,ctry25cd,rgn25cd,pcon24cd,ttwa15cd,itl25cd,npark16cd,lsoa21cd,"
    "msoa21cd,wz11cd,sicbl24cd,bua24cd,ruc21ind,oac11ind,lat,long,lep21cd1,lep21cd2,pfa23cd,"
    "imd20ind,icb23cd")
#: the same fields under the 2025 names
RENAMED = {"pcd": "pcd7", "pcd2": "pcd8", "oslaua": "lad25cd", "oseast1m": "east1m",
           "osnrth1m": "north1m", "osgrdind": "gridind"}
WMCA = [f"E080000{n}" for n in range(25, 32)]
SIC = {"62020": "62020 - Information technology consultancy activities",
       "70229": "70229 - Management consultancy activities other than financial management",
       "29100": "29100 - Manufacture of motor vehicles", "7499": "7499 - Non-trading company"}

#: (number, name, status, postcode as given, SIC 1, SIC 2)
COMPANIES = [
    ("00000001", "A LTD", "Active", "B1 1AA", SIC["62020"], ""),            # located
    ("00000002", "B LTD", "Liquidation", "B1 1AA", SIC["62020"], ""),       # not live
    ("00000003", "C LTD", "Active", "", SIC["62020"], ""),                  # no postcode
    ("00000004", "D LTD", "Active - Proposal to Strike off", "b11ab",       # terminated pc
     SIC["70229"], ""),
    ("00000005", "E LTD", "Active", "75008", SIC["62020"], ""),             # not UK: no pc
    ("00000006", "F LTD", "Active", "B99 9ZZ", SIC["62020"], ""),           # not in ONSPD
    ("00000007", "G LTD", "Active", "GY1 1EW", SIC["62020"], ""),           # no grid ref
    ("00000008", "H LTD", "Active", "CV1 2AB", SIC["62020"], ""),           # Warwick
    ("00000009", "I LTD", "Active", "B1  1AA", "None Supplied", SIC["29100"]),
    ("00000010", 'J "QUOTED" LTD', "Active", "B1.1AA", SIC["7499"], ""),    # no SIC class
    ("00000011", "K LTD", "Active", "BT1 1AA", SIC["62020"], ""),           # Belfast
]
#: (pcds, doterm, district, easting, northing, quality, lat, long); None: blank
POSTCODES = [
    ("B1 1AA", "", "E08000025", 406000, 286800, 1, 52.478, -1.905),
    ("B1 1AB", "202001", "E08000025", 406100, 286900, 1, 52.479, -1.904),
    ("GY1 1EW", "", "L99999999", None, None, 9, 99.999999, 0.0),
    ("CV1 2AB", "", "E07000222", 433000, 279000, 1, 52.410, -1.510),
    ("BT1 1AA", "", "N09000003", 333900, 374200, 1, 54.597, -5.930),
]


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def ch_line(number: str, name: str, status: str, postcode: str, sic1: str, sic2: str) -> str:
    names = [n.strip() for n in CH_HEADER.split(",")]
    values = dict.fromkeys(names, "")
    values.update({"CompanyName": name, "CompanyNumber": number, "RegAddress.PostCode":
                   postcode, "CompanyStatus": status, "SICCode.SicText_1": sic1,
                   "SICCode.SicText_2": sic2, "CompanyCategory": "Private Limited Company",
                   "IncorporationDate": "01/02/2015"})
    return ",".join(_quote(values[n]) for n in names)


def onspd_line(header: str, row: tuple) -> str:
    pcds, doterm, district, east, north, quality, lat, lon = row
    names = header.split(",")
    out, outward, inward = dict.fromkeys(names, '"E99999999"'), *pcds.split(" ")
    given = {"pcd": outward.ljust(4) + inward, "pcd2": outward.ljust(4) + " " + inward,
             "pcds": pcds, "dointr": "198001", "doterm": doterm, "oslaua": district,
             "oseast1m": "" if east is None else str(east),
             "osnrth1m": "" if north is None else str(north), "osgrdind": str(quality)}
    for name, value in given.items():
        out[RENAMED.get(name, name) if header == ONSPD_2025 else name] = _quote(value)
    out["lat"], out["long"] = f"{lat:.6f}", f"{lon:.6f}"
    out["imd" if "imd" in names else "imd20ind"] = "1234"
    return ",".join(out[n] for n in names)


def write(path, header: str, lines: list[str]):
    path.write_text(header + "\n" + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path):
    def make(onspd_header: str = ONSPD_2024, companies=COMPANIES, postcodes=POSTCODES):
        ch = write(tmp_path / "BasicCompanyData.csv", CH_HEADER,
                   [ch_line(*c) for c in companies])
        on = write(tmp_path / "ONSPD_FEB_2024_UK.csv", onspd_header,
                   [onspd_line(onspd_header, p) for p in postcodes])
        return ch, on
    return make


@pytest.mark.parametrize("header", [ONSPD_2024, ONSPD_2025], ids=["onspd2024", "onspd2025"])
def test_study_area_accounting_by_hand(files, header):
    found = read_firm_locations(*files(header), districts=WMCA)
    assert found.rows_in == 11 and found.rows_out == 4
    assert found.rejected == {
        "not live (status other than Active or Active - Proposal to Strike off)": 1,
        "no postcode (blank, or not a UK postcode)": 2,                      # 3, 5
        "postcode not in the ONS Postcode Directory": 1,                     # 6
        "postcode without a grid reference in the ONS Postcode Directory": 1,  # 7
        "registered office outside the study area": 2}                       # 8, 11
    assert found.rows_in == found.rows_out + found.rows_rejected
    assert found.notes == {"at a terminated postcode": 1, "without a 5-digit SIC class": 1,
                           "in Northern Ireland (Irish Grid)": 0}
    firms = found.firms.sort_values("firm_id").reset_index(drop=True)
    assert list(firms.columns) == list(FIRM_LOCATION_COLUMNS)
    assert firms["firm_id"].tolist() == ["00000001", "00000004", "00000009", "00000010"]
    assert firms["postcode"].tolist() == ["B1 1AA", "B1 1AB", "B1 1AA", "B1 1AA"]
    assert firms["sic_code"].tolist()[:3] == ["62020", "70229", "29100"]
    assert pd.isna(firms.loc[3, "sic_code"]) and pd.isna(firms.loc[3, "section"])
    assert firms["section"].tolist()[:3] == ["J", "M", "C"]
    assert pd.isna(firms.loc[2, "sic_code_1"]) and firms.loc[2, "sic_code_2"] == "29100"
    assert firms["easting"].tolist() == [406000.0, 406100.0, 406000.0, 406000.0]
    assert firms["northing"].tolist() == [286800.0, 286900.0, 286800.0, 286800.0]
    assert firms["lad_code"].eq("E08000025").all()
    assert firms["postcode_terminated"].tolist() == [False, True, False, False]
    assert firms.loc[3, "company_name"] == 'J "QUOTED" LTD'
    assert firms["geocode_precision"].eq("postcode").all()
    assert found.rejects["firm_id"].tolist() == ["00000003", "00000005", "00000006",
                                                 "00000007"]
    given = found.rejects["postcode_given"]
    assert pd.isna(given[0]) and given.tolist()[1:] == ["75008", "B99 9ZZ", "GY1 1EW"]


def test_whole_country_written_to_parquet(files, tmp_path):
    found = read_firm_locations(*files(), out=tmp_path / "firms.parquet")
    assert found.firms is None and found.rows_in == 11 and found.rows_out == 6
    assert "registered office outside the study area" not in found.rejected
    assert found.rows_rejected == 5
    assert found.notes["in Northern Ireland (Irish Grid)"] == 1
    written = pd.read_parquet(tmp_path / "firms.parquet")
    assert sorted(written["firm_id"]) == ["00000001", "00000004", "00000008", "00000009",
                                          "00000010", "00000011"]
    steps = found.accounting.set_index("step")["companies"]
    assert steps["companies read"] == 11 and steps["companies located"] == 6
    assert found.caveat == CAVEAT
    assert "registered office" in CAVEAT and "no employment" in CAVEAT


def test_published_zips_are_read(files, tmp_path):
    ch, on = files()
    with zipfile.ZipFile(tmp_path / "BasicCompanyDataAsOneFile-2024-02-01.zip", "w") as zf:
        zf.write(ch, "BasicCompanyDataAsOneFile-2024-02-01.csv")
    with zipfile.ZipFile(tmp_path / "ONSPD_FEB_2024_UK.zip", "w") as zf:
        zf.write(on, "Data/ONSPD_FEB_2024_UK.csv")
        zf.writestr("Data/multi_csv/ONSPD_FEB_2024_UK_B.csv", ONSPD_2024 + "\n")
        zf.writestr("Documents/readme.txt", "user guide")
    work = tmp_path / "work"
    found = read_firm_locations(tmp_path / "BasicCompanyDataAsOneFile-2024-02-01.zip",
                                tmp_path / "ONSPD_FEB_2024_UK.zip", districts=WMCA,
                                work_dir=work)
    assert (found.rows_in, found.rows_out) == (11, 4)
    assert (work / "ONSPD_FEB_2024_UK.csv").is_file()  # kept for the next run


def test_statuses_are_matched_as_published(files):
    found = read_firm_locations(*files(), districts=WMCA, statuses=["Active"])
    assert found.rows_out == 3  # 00000004 ("Active - Proposal to Strike off") now left out
    assert found.rejected["not live (status other than Active)"] == 2


def test_missing_columns_name_file_row_and_column(files, tmp_path):
    ch, on = files()
    bad = write(tmp_path / "ch.csv", CH_HEADER.replace(",SICCode.SicText_4", ""), [])
    with pytest.raises(DataFileError, match=r"ch\.csv, row 1, column 'SICCode\.SicText_4'"):
        read_firm_locations(bad, on)
    no_lat = write(tmp_path / "on.csv", ONSPD_2024.replace(",lat,", ",latitude,"), [])
    with pytest.raises(DataFileError, match=r"on\.csv, row 1, column 'lat'"):
        read_firm_locations(ch, no_lat)


def test_malformed_rows_name_file_row_and_column(files, tmp_path):
    ch, on = files()
    lines = ch.read_text(encoding="utf-8").splitlines()
    ragged = lines.copy()
    ragged[3] = ragged[3].rsplit(",", 1)[0]  # line 4: 54 fields
    (tmp_path / "ragged.csv").write_text("\n".join(ragged) + "\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"ragged\.csv, row 4, .*Expected Number of "
                                            r"Columns: 55 Found: 54"):
        read_firm_locations(tmp_path / "ragged.csv", on)
    quote = lines.copy()
    quote[2] = quote[2].replace('"B LTD"', '"B "X" LTD"')  # line 3: quote not doubled
    (tmp_path / "quote.csv").write_text("\n".join(quote) + "\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"quote\.csv, row 3, column 'CompanyName'"):
        read_firm_locations(tmp_path / "quote.csv", on)
    rows = on.read_text(encoding="utf-8").splitlines()
    rows[2] = rows[2].replace(",52.479000,", ",north,")  # line 3: B1 1AB
    (tmp_path / "lat.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"lat\.csv, row 3, column 'lat'.*\"north\""):
        read_firm_locations(ch, tmp_path / "lat.csv")


def test_a_postcode_listed_twice_in_the_onspd_is_an_error(files):
    ch, on = files(postcodes=POSTCODES + POSTCODES[:1])
    # companies 1, 2, 9 and 10 give B1 1AA: each would be joined twice
    with pytest.raises(DataFileError, match=r"ONSPD_FEB_2024_UK\.csv, column 'pcds': "
                                            r"postcode 'B1 1AA' is listed 2 times.*4 companies "
                                            r"were joined twice \(11 read, 15 after the join\)"):
        read_firm_locations(ch, on)


def test_bad_arguments(files):
    ch, on = files()
    nowhere = read_firm_locations(ch, on, districts=[])
    assert nowhere.rows_out == 0 and nowhere.rejected[
        "registered office outside the study area"] == 6  # the six located nationally
    with pytest.raises(ValueError, match="E08000025"):
        read_firm_locations(ch, on, districts=["Birmingham"])
    with pytest.raises(ValueError, match="collection"):
        read_firm_locations(ch, on, statuses="Active")
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        read_firm_locations(ch.with_name("nope.csv"), on)


def test_real_sample_of_the_product(mirror_file, tmp_path):
    """The mirror's first 31 records of a 2021 monthly file, all Active; two have a blank
    postcode; the ONSPD written here lists four of their postcodes (S35 2PH Sheffield, B3 3LP
    Birmingham, AB11 7SY Aberdeen for two companies, GY1 1EW Guernsey without a grid
    reference), so in the WMCA 1 is located, 3 are outside, 1 has no grid reference, 2 have
    no postcode and the other 24 postcodes are not in this ONSPD."""
    postcodes = [("S35 2PH", "", "E08000019", 430000, 396000, 1, 53.46, -1.55),
                 ("B3 3LP", "", "E08000025", 406500, 287300, 1, 52.48, -1.90),
                 ("AB11 7SY", "", "S12000033", 394000, 805000, 1, 57.14, -2.09),
                 ("GY1 1EW", "", "L99999999", None, None, 9, 99.999999, 0.0)]
    on = write(tmp_path / "onspd.csv", ONSPD_2024,
               [onspd_line(ONSPD_2024, p) for p in postcodes])
    found = read_firm_locations(mirror_file("companies-house/basic_company_data_sample_30.csv"),
                                on, districts=WMCA)
    assert (found.rows_in, found.rows_out) == (31, 1)
    assert list(found.rejected.values()) == [0, 2, 24, 1, 3]
    firm = found.firms.iloc[0]
    assert (firm["firm_id"], firm["sic_code"], firm["section"]) == ("05914136", "98000", "T")
    assert firm["company_name"] == '"243 RUGBY ROAD MANAGEMENT COMPANY LIMITED"'


def test_real_14_column_extract(mirror_file, tmp_path):
    """1,000 companies: 839 Active, 23 Active - Proposal to Strike off and 138 others
    (133 Liquidation, 2 Voluntary Arrangement, 2 In Administration, 1 ADMINISTRATION ORDER).
    This ONSPD lists three postcodes of live companies (B3 1JJ, CV1 4PB, B3 1AB)."""
    postcodes = [("B3 1JJ", "", "E08000025", 406400, 287100, 1, 52.48, -1.90),
                 ("CV1 4PB", "", "E08000026", 433400, 279300, 1, 52.41, -1.51),
                 ("B3 1AB", "", "E08000025", 406600, 287200, 1, 52.48, -1.90)]
    on = write(tmp_path / "onspd.csv", ONSPD_2024,
               [onspd_line(ONSPD_2024, p) for p in postcodes])
    found = read_firm_locations(
        mirror_file("companies-house/basic_company_data_extract_1000.csv"), on)
    assert (found.rows_in, found.rows_out) == (1000, 3)
    assert list(found.rejected.values())[0] == 138
    assert sum(list(found.rejected.values())[1:3]) == 1000 - 138 - 3
    firms = found.firms.set_index("firm_id")
    assert firms.loc["05914136", "sic_code"] == "98000"
    assert firms.loc["08487237", "lad_code"] == "E08000026"
    assert pd.isna(firms.loc["00103598", "sic_code"])  # "7499 - Non-trading company"


def test_onspd_column_names_are_found_whatever_their_case(tmp_path):
    from wmresearch.evidence.companies.locations_sql import onspd_layout

    upper = onspd_layout(write(tmp_path / "upper.csv", ONSPD_2024.upper(), []))
    assert (upper.roles["district"], upper.roles["easting"], upper.roles["quality"]) == \
        ("OSLAUA", "OSEAST1M", "OSGRDIND")
    renamed = onspd_layout(write(tmp_path / "new.csv", ONSPD_2025, []))
    assert (renamed.roles["district"], renamed.roles["northing"]) == ("lad25cd", "north1m")
    nspl = onspd_layout(write(tmp_path / "nspl.csv", ONSPD_2024.replace("oslaua", "laua"), []))
    assert nspl.roles["district"] == "laua"
    later = onspd_layout(write(tmp_path / "2026.csv", ONSPD_2025.replace("lad25", "lad26"), []))
    assert later.roles["district"] == "lad26cd"


@pytest.mark.parametrize("header", [
    ONSPD_2024, ONSPD_2025, ONSPD_2024.replace("oslaua", "laua"),
    ONSPD_2025.replace("lad25cd", "lad26cd").replace("cty25cd", "cty26cd")],
    ids=["onspd2024", "onspd2025", "nspl_laua", "onspd2026"])
def test_unit_postcode_geocoder_reads_every_release(tmp_path, header):
    """``geocode_onspd`` (the pandas geocoder) on the publisher's headers, not only ``laua``.

    The two headers are those this module's docstring describes (ONSPD user guide); their
    names agree with the header lines of ONSPD files quoted in public code (2023 release:
    ``pcd,pcd2,pcds,...,oslaua,...,oseast1m,osnrth1m,osgrdind,...``; 2025 release:
    ``pcd7,pcd8,pcds,...,east1m,north1m,gridind,...,lad25cd,...``). The 2026 names change
    only the boundary year (``lad26cd``).
    """
    from wmresearch.evidence.companies import geocode_onspd

    # rows laid out by the release the header renames (same columns, same order)
    base = ONSPD_2025 if header.startswith("pcd7") else ONSPD_2024
    body = [onspd_line(base, p) for p in POSTCODES]
    onspd = write(tmp_path / "ONSPD.csv", header, body)
    firms = pd.DataFrame({"postcode": ["B1 1AA", "B1 1AB", "GY1 1EW", "CV1 2AB", "B99 9ZZ"]})
    coded = geocode_onspd(firms, onspd)
    # B1 1AA and B1 1AB (terminated, kept its grid reference) and CV1 2AB from the rows above;
    # GY1 1EW has no grid reference and B99 9ZZ is not in the file
    assert coded["geocode_matched"].tolist() == [True, True, False, True, False]
    assert coded["lad_code"].tolist()[:2] == ["E08000025", "E08000025"]
    assert coded.loc[3, "lad_code"] == "E07000222"
    assert coded["easting"].tolist()[:2] == [406000.0, 406100.0]
    assert coded.loc[3, ["northing", "latitude", "longitude"]].tolist() == \
        [279000.0, 52.41, -1.51]
    assert coded["latitude"].isna().tolist() == [False, False, True, False, True]


def test_unit_postcode_geocoder_names_the_missing_district_column(tmp_path):
    from wmresearch.evidence.companies import geocode_onspd

    onspd = write(tmp_path / "ONSPD.csv", ONSPD_2024.replace("oslaua,", ""), [])
    with pytest.raises(DataFileError) as err:
        geocode_onspd(pd.DataFrame({"postcode": ["B1 1AA"]}), onspd)
    assert err.value.column == "oslaua" and err.value.row == 1
