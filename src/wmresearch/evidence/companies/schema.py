"""Field names, formats and the pandera schema of the Companies House firm register.

Source: Companies House, *Free Company Data Product* ("BasicCompanyData"),
https://download.companieshouse.gov.uk/en_output.html, and its data description ("Free
Company Data Product - data description", linked from that page), which defines the 55 fields.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

SOURCE_URL = "https://download.companieshouse.gov.uk/en_output.html"

#: The header line of the 55-column product exactly as published (leading spaces included).
BASIC_COMPANY_DATA_HEADER = (
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
    " ConfStmtLastMadeUpDate"
)
#: The 55 field names of the full product, leading spaces stripped.
BASIC_COMPANY_DATA_COLUMNS: tuple[str, ...] = tuple(
    name.strip() for name in BASIC_COMPANY_DATA_HEADER.split(","))
#: The 14 field names of the older extract.
EXTRACT_COLUMNS: tuple[str, ...] = (
    "CompanyName", "CompanyNumber", "RegAddress.AddressLine1", "RegAddress.AddressLine2",
    "RegAddress.PostTown", "RegAddress.County", "RegAddress.Country", "RegAddress.PostCode",
    "CompanyCategory", "CompanyStatus", "SICCode.SicText_1", "SICCode.SicText_2",
    "SICCode.SicText_3", "SICCode.SicText_4")
SIC_FIELDS = tuple(f"SICCode.SicText_{i}" for i in range(1, 5))
DATE_FIELDS = {"incorporation_date": "IncorporationDate", "dissolution_date": "DissolutionDate"}
#: Fields read from either format; the full format also needs :data:`DATE_FIELDS`.
CORE_FIELDS = ("CompanyNumber", "CompanyName", "CompanyCategory", "CompanyStatus",
               "RegAddress.PostCode", *SIC_FIELDS)
FORMAT_FULL = "basic_company_data_55"
FORMAT_EXTRACT = "basic_company_data_extract_14"

#: Default status filter: companies Companies House counts as active (its API reports
#: "Active - Proposal to Strike off" as status ``active`` with a status detail).
ACTIVE_STATUSES = ("Active", "Active - Proposal to Strike off")
#: Postcode areas covering the West Midlands metropolitan county (Birmingham, Coventry,
#: Dudley, Walsall, Wolverhampton). They reach well into neighbouring counties (Warwick,
#: Lichfield, Rugby, ...), so they are a coarse screen only: filter to a combined authority
#: with ``region_lads`` (geocoded local authority districts) instead.
WM_POSTCODE_AREAS = ("B", "CV", "DY", "WS", "WV")

OUTCODE = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
POSTCODE = rf"(?P<outcode>{OUTCODE})(?P<incode>[0-9][A-Z]{{2}})"
COMPANY_NUMBER = r"[A-Z0-9]{8}"
SIC_PATTERN = r"^(?P<code>\d{5})(?:\s*-\s*(?P<description>[\s\S]*))?$"

FIRM_COLUMNS = ("source_row", "company_number", "company_name", "category", "status",
                "incorporation_date", "dissolution_date", "postcode", "postcode_district",
                "sic_code_1", "sic_code_2", "sic_code_3", "sic_code_4", "sic_description_1",
                "primary_sic", "sic_issue")
REJECT_COLUMNS = ("source_row", "company_number", "company_name", "status", "postcode",
                  "reason")
GEOCODE_COLUMNS = ("latitude", "longitude", "easting", "northing", "geocode_precision",
                   "geocode_matched")

#: What to do with a malformed row (ragged, badly quoted): stop with an error, or reject it.
BAD_ROWS = ("error", "reject")

DATE_DTYPE = "datetime64[ms]"


def first_valid(columns: list[pd.Series]) -> pd.Series:
    """Row-wise first non-NA value of aligned series (a fast ``bfill(axis=1)``)."""
    first = columns[0]
    for column in columns[1:]:
        first = first.fillna(column)
    return first


def _primary_sic_consistent(frame: pd.DataFrame) -> pd.Series:
    first = first_valid([frame[f"sic_code_{i}"] for i in range(1, 5)])
    return (first.isna() & frame["primary_sic"].isna()) | (first == frame["primary_sic"])


SCHEMA_FIRM_REGISTER = pa.DataFrameSchema(
    {
        "source_row": pa.Column("int64", pa.Check.ge(2),
                                description="Line of the record in the source file "
                                            "(header = 1)"),
        "company_number": pa.Column(str, pa.Check.str_matches(rf"{COMPANY_NUMBER}$"),
                                    unique=True,
                                    description="Companies House company number, 8 characters "
                                                "(CompanyNumber)"),
        "company_name": pa.Column(str, description="Registered name as published, with any "
                                                   "quotes in it (CompanyName)"),
        "category": pa.Column(str, nullable=True,
                              description="Company category, e.g. 'Private Limited Company' "
                                          "(CompanyCategory)"),
        "status": pa.Column(str, nullable=True,
                            description="Company status, e.g. 'Active', 'Liquidation' "
                                        "(CompanyStatus)"),
        "incorporation_date": pa.Column(DATE_DTYPE, nullable=True,
                                        description="Date of incorporation (IncorporationDate);"
                                                    " NA when absent or in the 14-column "
                                                    "extract"),
        "dissolution_date": pa.Column(DATE_DTYPE, nullable=True,
                                      description="Date of dissolution (DissolutionDate); "
                                                  "NA when absent"),
        "postcode": pa.Column(str, pa.Check.str_matches(rf"{OUTCODE} [0-9][A-Z]{{2}}$"),
                              nullable=True,
                              description="Registered office postcode normalised to "
                                          "'OUTCODE INCODE' (e.g. 'B1 1AA'); NA when not a "
                                          "UK postcode"),
        "postcode_district": pa.Column(str, pa.Check.str_matches(rf"{OUTCODE}$"),
                                       nullable=True,
                                       description="Postcode district (outcode), e.g. 'B1'"),
        **{f"sic_code_{i}": pa.Column(str, pa.Check.str_matches(r"\d{5}$"), nullable=True,
                                      description=f"SIC 2007 code from SICCode.SicText_{i}; "
                                                  "NA when blank, 'None Supplied' or not a "
                                                  "5-digit code")
           for i in range(1, 5)},
        "sic_description_1": pa.Column(str, nullable=True, required=False,
                                       description="Description given with sic_code_1"),
        "primary_sic": pa.Column(str, pa.Check.str_matches(r"\d{5}$"), nullable=True,
                                 description="First valid 5-digit SIC code of the four"),
        "sic_issue": pa.Column(str, nullable=True,
                               description="Why primary_sic is NA ('None Supplied', 'no SIC "
                                           "given', or the code that is not SIC 2007); NA "
                                           "when primary_sic is present"),
        "latitude": pa.Column(float, pa.Check.in_range(-90, 90), nullable=True,
                              required=False, description="WGS84 latitude of the geocode"),
        "longitude": pa.Column(float, pa.Check.in_range(-180, 180), nullable=True,
                               required=False, description="WGS84 longitude of the geocode"),
        "easting": pa.Column(float, nullable=True, required=False,
                             description="British National Grid easting (m)"),
        "northing": pa.Column(float, nullable=True, required=False,
                              description="British National Grid northing (m)"),
        "geocode_precision": pa.Column(str, pa.Check.isin(["postcode", "postcode_district"]),
                                       nullable=True, required=False,
                                       description="'postcode' (ONSPD unit postcode) or "
                                                   "'postcode_district' (district centroid); "
                                                   "NA when not geocoded"),
        "geocode_matched": pa.Column(bool, required=False,
                                     description="True when coordinates were found"),
        "lad_code": pa.Column(str, nullable=True, required=False,
                              description="Local authority district of the postcode "
                                          "(ONSPD district column)"),
    },
    checks=[pa.Check(_primary_sic_consistent,
                     error="primary_sic must be the first non-NA sic_code_N")],
    strict=True,
    description="Companies House firm register (BasicCompanyData): one row per company with "
                "status, dates, normalised registered-office postcode and SIC 2007 codes, "
                "optionally geocoded to a postcode or postcode-district centroid.",
)
