"""Companies House BasicCompanyData: a firm register read with bounded memory.

Source: Companies House, *Free Company Data Product* ("BasicCompanyData"),
https://download.companieshouse.gov.uk/en_output.html. The product is a monthly snapshot of
every live company on the register (about 5 million rows, ~2.5 GB as one CSV). Its data
description defines 55 fields: company name and number, registered office address, category,
status, country of origin, dissolution and incorporation dates (``dd/mm/yyyy``), accounts and
returns dates, mortgage counts, up to four SIC codes (``SICCode.SicText_1..4``, each
``"<5-digit SIC 2007 code> - <description>"`` or ``"None Supplied"``), limited partnership
counts, the URI, up to ten previous names and confirmation statement dates. As published, most
header names after the first carry a leading space and every value is quoted, with quotes
inside values doubled. An older 14-column extract (no dates; quoted only where needed) is also
read: the format is detected from the header.

Where to look
-------------
* :mod:`.register`: :func:`read_basic_company_data` (in memory),
  :func:`ingest_basic_company_data` (streamed to Parquet), :func:`filter_to_region`.
* :mod:`.reading`: file formats (csv, gz, zip), streaming blocks, line numbers, malformed
  rows (pyarrow and DuckDB).
* :mod:`.cleaning`: validation and rejects (company numbers, dates, duplicates, status and
  region filters, postcodes, SIC codes).
* :mod:`.geocoding`: postcode-district centroids, local authority districts, the ONSPD.
* :mod:`.locations`: :func:`read_firm_locations`, live companies geocoded to full postcodes
  with the ONSPD at national scale (DuckDB), with the row accounting and the caveat
  (registered office, not trading site; no employment); :mod:`.locations_sql` its query.
* :mod:`.schema`: field names and :data:`SCHEMA_FIRM_REGISTER`.
"""

from wmresearch.evidence.companies.cleaning import normalise_postcodes
from wmresearch.evidence.companies.geocoding import (
    geocode_district_lads,
    geocode_onspd,
    geocode_postcode_districts,
    postcode_district_lads,
    read_postcode_districts,
)
from wmresearch.evidence.companies.locations import (
    CAVEAT,
    FIRM_LOCATION_COLUMNS,
    FirmLocations,
    read_firm_locations,
)
from wmresearch.evidence.companies.register import (
    filter_to_region,
    ingest_basic_company_data,
    iter_basic_company_data,
    read_basic_company_data,
)
from wmresearch.evidence.companies.schema import (
    ACTIVE_STATUSES,
    BASIC_COMPANY_DATA_COLUMNS,
    BASIC_COMPANY_DATA_HEADER,
    EXTRACT_COLUMNS,
    FIRM_COLUMNS,
    FORMAT_EXTRACT,
    FORMAT_FULL,
    REJECT_COLUMNS,
    SCHEMA_FIRM_REGISTER,
    SOURCE_URL,
    WM_POSTCODE_AREAS,
)

__all__ = [
    "ACTIVE_STATUSES", "BASIC_COMPANY_DATA_COLUMNS", "BASIC_COMPANY_DATA_HEADER", "CAVEAT",
    "EXTRACT_COLUMNS", "FIRM_COLUMNS", "FIRM_LOCATION_COLUMNS", "FORMAT_EXTRACT",
    "FORMAT_FULL", "FirmLocations", "REJECT_COLUMNS",
    "SCHEMA_FIRM_REGISTER", "SOURCE_URL", "WM_POSTCODE_AREAS", "filter_to_region",
    "geocode_district_lads", "geocode_onspd", "geocode_postcode_districts",
    "ingest_basic_company_data", "iter_basic_company_data", "normalise_postcodes",
    "postcode_district_lads", "read_basic_company_data", "read_firm_locations",
    "read_postcode_districts",
]
