"""The dataset registry: every official dataset wmresearch reads, with its provenance.

Each :class:`Dataset` names its publisher, licence and landing page (the dataset's own page,
never a search page). Per file, ``url`` is a direct download whose response *is* the registered
file (an ArcGIS FeatureServer query); acquisition downloads it and checks
``sha256_16``, so a re-serialised or revised response is reported, not let through.
``derived_from`` names the publisher file a copy was made from when the copy differs in format
or content (a CSV saved from an Excel sheet, a gzip, a third party's compilation); ``url`` is
then ``None``. ``relpath`` is the file's place in a mirror folder (``$WMRESEARCH_MIRROR``) or
under ``data/raw/``; ``sha256_16`` is the first 16 hex digits of the release's SHA-256.
"""

from __future__ import annotations

from wmresearch.sources.dataset import OGL, Dataset, SourceFile

__all__ = ["DATASETS", "OGL", "Dataset", "SourceFile", "get_dataset"]
NOMIS_API = "https://www.nomisweb.co.uk/api/v01/dataset"
GEOPORTAL = "https://geoportal.statistics.gov.uk"
ONS_ARCGIS = "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services"
GOVUK_ASSETS = ("https://assets.publishing.service.gov.uk/government/uploads/system/uploads/"
                "attachment_data/file")
ONS_PRODUCTIVITY = ("https://www.ons.gov.uk/employmentandlabourmarket/peopleinwork/"
                    "labourproductivity/datasets/subregionalproductivitylabourproductivity")
GEO_LOOKUPS = "https://github.com/drkane/geo-lookups"
_KANE = "D. Kane's geo-lookups compilation of ONS Open Geography data"


def _nomis(dataset: str, query: str) -> str:
    return f"{NOMIS_API}/{dataset}.data.csv?{query}"


def _from_nomis(dataset: str, query: str) -> str:
    # not a ``url``: the copies differ from the API's bytes (OBS_VALUE renamed COUNT, gzipped)
    return (f"NOMIS API query {_nomis(dataset, query)} (its CSV re-written with OBS_VALUE "
            "named COUNT, then gzip-compressed)")


def _featureserver(service: str, out_sr: int) -> str:
    """GeoJSON of every feature of layer 0 of an ONS Open Geography FeatureServer service."""
    return (f"{ONS_ARCGIS}/{service}/FeatureServer/0/query?where=1%3D1&outFields=*"
            f"&outSR={out_sr}&f=geojson")


_BRES_SELECT = "select=date,geography_name,geography_code,industry_name,industry_code,obs_value"


def _bres_itl2(digits: int, sha: str, industries: str) -> Dataset:
    """BRES open-access employment by ITL2 area and SIC at ``digits`` digits, 2015-2021."""
    query = (f"geography=TYPE449&date=2015-2021&industry={industries}&employment_status=4"
             f"&measure=1&measures=20100&{_BRES_SELECT}")
    return Dataset(
        id=f"bres_itl2_sic{digits}",
        title=f"BRES employment, ITL2 x SIC 2007 {digits}-digit, 2015-2021 (open access)",
        publisher="Office for National Statistics via NOMIS",
        landing_page="https://www.nomisweb.co.uk/datasets/newbrespub",
        files=(SourceFile(f"nomis/bres_employment_itl2_sic{digits}_2015_2021.csv.gz", sha,
                          derived_from=_from_nomis("NM_189_1", query)),),
        getter=f"wmresearch.evidence.bres.get_bres_itl2_sic{digits}", tags=("employment",),
    )


def _nesta_nuts2(source: str, what: str, nomis_id: str, tag: str,
                 shas: tuple[str, str]) -> Dataset:
    """Nesta's NUTS2 (2013) x SIC 4-digit extracts of a NOMIS dataset for 2015 and 2018."""
    return Dataset(
        id=f"{source}_nuts2_sic4",
        title=f"{what} NUTS2 (2013) x SIC 2007 class, 2015 and 2018",
        publisher="Office for National Statistics via NOMIS",
        landing_page=f"https://www.nomisweb.co.uk/datasets/{nomis_id}",
        files=tuple(
            SourceFile(f"nomis/nuts2_sic4/nomis_{source.upper()}_{year}_TYPE450.csv.gz", sha,
                       derived_from=f"NOMIS {nomis_id} for {year}, NUTS 2013 level 2 (TYPE450) "
                                    "x SIC 4-digit, as reshaped by Nesta; gzip-compressed")
            for year, sha in zip(("2015", "2018"), shas, strict=True)
        ),
        getter=f"wmresearch.evidence.bres.get_{source}_nuts2_sic4", tags=(tag,),
        notes=("Nesta's reshaped NOMIS extracts (github.com/nestauk/beis-indicators); "
               "cluster_name is a third-party (Nesta) segment, not ONS"),
    )


_WM7_LADS = tuple(f"E080000{n}" for n in range(25, 32))
# sha256_16 of each level's seven district files, in _WM7_LADS order
_WM7_SHA = {
    "lsoa11": "528874d8594a9ff5 1c7fb798ed43a5bf d95afecd027a5ea9 e8d217a40100f7ff "
              "33f16a24ae36b0cc 1313f1d148bb7684 ccff55e7726c35d3",
    "msoa11": "95daceda23432955 0e60b53603d06da6 3cb3cafe893d5493 8367165b8c647d71 "
              "5aa8a4e6f2fe0499 c177a44273a5a1a7 0789a5842f7b9625",
    "ward": "2d0123df879f1767 5d6ff2cad168d074 ea9257106024ee0a 5bd20f8b4d04efdc "
            "7e40ba473469d808 19ff543a1d95e058 a78fe6f328e62210",
}

_CORE_DATASETS: tuple[Dataset, ...] = (
    _bres_itl2(5, "ec65c1d9d439e9aa", "163577857...163578585"),
    _bres_itl2(2, "a24c3ce1f7eebb85", "146800641...146800728"),
    _nesta_nuts2("bres", "BRES employment,", "newbrespub", "employment",
                 ("458b2866d56460a0", "0f75b0072fd0c965")),
    _nesta_nuts2("idbr", "UK Business Counts, local units,", "idbrlu", "business",
                 ("af90dee40e8ef039", "0f963d2f0202bb14")),
    Dataset(
        id="ukbc_gb_sic5_sizeband",
        title="UK Business Counts, enterprises, GB x SIC 2007 5-digit x employment size band",
        publisher="Office for National Statistics via NOMIS",
        landing_page="https://www.nomisweb.co.uk/datasets/idbrent",
        files=(SourceFile(
            "nomis/ukbc_enterprises_gb_sic5_sizeband_2016_2021.csv.gz", "58ec9f5f7e04252a",
            derived_from=_from_nomis(
                "NM_142_1", "geography=K03000001&date=2016-2021&industry=163577857...163578585"
                "&employment_sizeband=10,20,30,40,50,60,70,80,90&legal_status=0&measures=20100"
                "&select=date,geography_name,geography_code,industry_name,industry_code,"
                "employment_sizeband_name,obs_value")),),
        getter="wmresearch.evidence.business.get_ukbc_sizeband", tags=("business",),
    ),
    Dataset(
        id="census2011_workplace_msoa",
        title="Census 2011 workplace population by industry (WP605EW), MSOA x SIC section",
        publisher="Office for National Statistics via NOMIS",
        landing_page="https://www.nomisweb.co.uk/census/2011/wp605ew",
        files=(SourceFile("ons/census2011_workplace_population_msoa_sic_section.csv",
                          "83dff414464a9458",
                          derived_from="table WP605EW downloaded as CSV for all MSOAs in "
                                       "England and Wales (first column 'code : name')"),),
        getter="wmresearch.evidence.census.get_workplace_population", tags=("employment",),
    ),
    Dataset(
        id="gva_itl3_industry",
        title="Regional gross value added (balanced) by industry, ITL3, current prices, 1998-2022",
        publisher="Office for National Statistics",
        landing_page=("https://www.ons.gov.uk/economy/grossvalueaddedgva/datasets/"
                      "nominalandrealregionalgrossvalueaddedbalancedbyindustry"),
        files=(SourceFile("ons/regional_gva_itl3_industry_current_prices_1998_2022.csv",
                          "216e324dc6b07a86",
                          derived_from="Table 3c (ITL3, current prices, GBP million) of the "
                                       "2024 edition workbook regionalgrossvalueaddedbalanced"
                                       "byindustryandallitlregions.xlsx, saved as CSV"),),
        getter="wmresearch.evidence.gva.get_gva_by_industry", tags=("productivity",),
        notes="ONS publishes only the Excel workbook; later editions revise the figures",
    ),
    Dataset(
        id="gva_per_hour_itl",
        title="Subregional productivity: GVA per hour worked, ITL2 and ITL3 (Table A4)",
        publisher="Office for National Statistics",
        landing_page=f"{ONS_PRODUCTIVITY}gvaperhourworkedandgvaperfilledjobindicesbyuknuts2"
                     "andnuts3subregions",
        files=(SourceFile("ons/gva_per_hour_itl2_itl3_2004_2021.csv", "6ccc4563e0098c27",
                          derived_from="Table A4 (current price GVA per hour worked, GBP) of "
                                       "the edition covering 2004-2021, saved as CSV"),),
        getter="wmresearch.evidence.gva.get_gva_per_hour_itl", tags=("productivity",),
        notes="ONS publishes only the Excel workbook; later editions revise the figures",
    ),
    Dataset(
        id="productivity_lad",
        title="Subregional productivity: labour productivity by local authority, June 2024",
        publisher="Office for National Statistics",
        landing_page=f"{ONS_PRODUCTIVITY}indicesbylocalauthoritydistrict",
        files=(SourceFile("ons/labour_productivity_local_authorities_2024.xls",
                          "1fa104417c674450",
                          derived_from="the June 2024 edition workbook itself, unchanged "
                                       "(under previous versions on the landing page)"),),
        getter="wmresearch.evidence.productivity.get_productivity_lad", tags=("productivity",),
        notes=("ONS's .../current/ladproductivity.xls link always serves the latest edition, "
               "so it is not registered as this file's URL"),
    ),
    Dataset(
        id="imd2019",
        title="English Indices of Deprivation 2019: files 1 (IMD), 2 (domains), 6 (population)",
        publisher="Ministry of Housing, Communities and Local Government",
        landing_page="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019",
        files=tuple(
            SourceFile(f"mhclg/{name}.csv.gz", sha,
                       derived_from=f"sheet '{sheet}' of {GOVUK_ASSETS}/{asset}/{name}.xlsx, "
                                    "saved as CSV and gzip-compressed")
            for name, sha, sheet, asset in (
                ("File_1_-_IMD2019_Index_of_Multiple_Deprivation", "08eaaf9e55258b7b",
                 "IMD2019", "833970"),
                ("File_2_-_IoD2019_Domains_of_Deprivation", "c6e6fa32c444bf34",
                 "IoD2019 Domains", "833973"),
                ("File_6_-_IoD2019_Population_Denominators", "f4ee47fbe7a8b2cc",
                 "Population Denominators", "833980"),
            )
        ),
        getter="wmresearch.evidence.imd.get_imd", tags=("deprivation",),
        notes=("MHCLG publishes files 1, 2 and 6 as Excel workbooks only; the registered "
               "copies are CSV exports of their data sheets (files 1 and 6 keep Excel's "
               "thousands separators). MHCLG's own CSV is File 7 (all scores, ranks, deciles, "
               f"denominators): {GOVUK_ASSETS}/845345/File_7_-_All_IoD2019_Scores__Ranks__"
               "Deciles_and_Population_Denominators_3.csv"),
    ),
    Dataset(
        id="lad_boundaries_2023",
        title="Local Authority Districts (December 2023) UK BUC boundaries",
        publisher="Office for National Statistics (Open Geography Portal)",
        landing_page=f"{GEOPORTAL}/datasets/ons::local-authority-districts-december-2023-"
                     "boundaries-uk-buc-2",
        files=(SourceFile("geography/lad_dec2023_uk_buc.geojson", "daf71da594ee8864",
                          _featureserver("Local_Authority_Districts_December_2023_Boundaries"
                                         "_UK_BUC", 27700)),),
        getter="wmresearch.evidence.geography.get_lad_boundaries", tags=("geography",),
        notes=("Contains OS data (c) Crown copyright and database right; the query asks for "
               "British National Grid (EPSG:27700), the registered copy's CRS"),
    ),
    Dataset(
        id="itl3_boundaries_2021",
        title="International Territorial Level 3 (January 2021) UK BUC boundaries",
        publisher="Office for National Statistics (Open Geography Portal)",
        landing_page="https://www.ons.gov.uk/methodology/geography/geographicalproducts/"
                     "digitalboundaries",
        files=tuple(
            SourceFile(f"geography/itl3_jan2021_uk_buc/ITL3_JAN_2021_UK_BUC_V3.{ext}", sha,
                       derived_from="member of the shapefile zip 'International Territorial "
                                    "Level 3 (January 2021) Boundaries UK BUC V3' from the "
                                    "Open Geography Portal")
            for ext, sha in (("shp", "eb5c668c02181694"), ("shx", "bf0c8558daa20f89"),
                             ("dbf", "72f20945752f3aac"), ("prj", "d97d276680377a05"),
                             ("cpg", "3ad3031f5503a440"))
        ),
        getter="wmresearch.evidence.geography.get_itl3_boundaries", tags=("geography",),
        notes="Contains OS data (c) Crown copyright; the five files ship in one zip",
    ),
    Dataset(
        id="wm7_small_area_boundaries",
        title=("LSOA 2011, MSOA 2011 and ward generalised clipped boundaries, "
               "West Midlands metropolitan districts"),
        publisher="Office for National Statistics (Open Geography Portal)",
        landing_page=f"{GEOPORTAL}/datasets/ons::lower-layer-super-output-areas-december-"
                     "2011-boundaries-generalised-clipped-bgc-ew-v3",
        files=tuple(
            SourceFile(f"geography/wm7_boundaries/{level}/{lad}.geojson", sha,
                       derived_from=f"{GEO_LOOKUPS}/blob/master/boundaries/"
                                    f"{level.removesuffix('11')}/{lad}.geojson")
            for level, shas in _WM7_SHA.items()
            for lad, sha in zip(_WM7_LADS, shas.split(), strict=True)
        ),
        getter="wmresearch.evidence.smallareas.get_small_area_boundaries", tags=("geography",),
        required=False, notes=f"seven WM districts only; {_KANE} (wards: May 2025 codes)",
        see_also=(f"{GEOPORTAL}/datasets/ons::middle-layer-super-output-areas-december-2011-"
                  "boundaries-generalised-clipped-bgc-ew-v3", GEO_LOOKUPS),
    ),
    Dataset(
        id="oa_lookup_2011",
        title="Output Area (2011) to LSOA, MSOA, LAD (2017) and region lookup",
        publisher="Office for National Statistics (Open Geography Portal)",
        landing_page=f"{GEOPORTAL}/datasets/output-area-to-lsoa-to-msoa-to-local-authority-"
                     "district-december-2017-lookup-with-area-classifications-in-great-britain",
        files=(SourceFile("geography/oa11_lsoa11_msoa11_lad17_rgn_lookup.csv.gz",
                          "660b224a61705675",
                          derived_from="the portal's CSV download of this lookup (with its FID "
                                       "column), gzip-compressed"),),
        getter="wmresearch.evidence.smallareas.get_oa_lookup", tags=("geography",),
    ),
    Dataset(
        id="small_area_centroids",
        title="LSOA and MSOA population-weighted centroids (2011 and 2021 areas)",
        publisher="Office for National Statistics (Open Geography Portal)",
        landing_page=f"{GEOPORTAL}/datasets/ons::lower-layer-super-output-areas-december-"
                     "2011-population-weighted-centroids",
        files=tuple(
            SourceFile(f"geography/{level}_latlong.csv.gz", sha,
                       derived_from=f"{GEO_LOOKUPS}/blob/master/{level}_latlong.csv, "
                                    "gzip-compressed")
            for level, sha in (("lsoa", "28b1378b86bab8c7"), ("msoa", "d2c03d336218b918"))
        ),
        getter="wmresearch.evidence.smallareas.get_centroids", tags=("geography",),
        notes=f"{_KANE}, with NISRA and Scottish Government centroids",
        see_also=(f"{GEOPORTAL}/datasets/middle-layer-super-output-areas-december-2011-"
                  "population-weighted-centroids", GEO_LOOKUPS),
    ),
    Dataset(
        id="msoa_lad_lookup",
        title="MSOA (2011/2021) to local authority district lookup",
        publisher="Office for National Statistics (Open Geography Portal)",
        landing_page=f"{GEOPORTAL}/datasets/output-area-to-lower-layer-super-output-area-to-"
                     "middle-layer-super-output-area-to-local-authority-district-december-"
                     "2021-lookup-in-england-and-wales-v2",
        files=(SourceFile("geography/msoa_la.csv.gz", "6f63a7bbd3ccc5a9",
                          derived_from=f"{GEO_LOOKUPS}/blob/master/msoa_la.csv, "
                                       "gzip-compressed"),),
        getter="wmresearch.evidence.smallareas.get_msoa_lad_lookup", tags=("geography",),
        notes=f"{_KANE}, with House of Commons Library MSOA names",
        see_also=(GEO_LOOKUPS,),
    ),
    Dataset(
        id="la_codes",
        title="Local authority code history with active codes and combined authorities",
        publisher="Office for National Statistics (Open Geography Portal)",
        landing_page=f"{GEOPORTAL}/datasets/ons::local-authority-district-to-combined-"
                     "authority-december-2020-lookup-in-england",
        files=tuple(
            SourceFile(f"geography/{name}.csv.gz", sha,
                       derived_from=f"{GEO_LOOKUPS}/blob/master/{name}.csv, gzip-compressed")
            for name, sha in (("la_all_codes", "1ae0300b583bd7cb"),
                              ("cauth_all_codes", "12021dcc1f7953bc"))
        ),
        getter="wmresearch.evidence.geography.get_la_codes", tags=("geography",),
        notes=f"{_KANE}; its combined authorities are those of the 2020 lookup",
        see_also=(GEO_LOOKUPS,),
    ),
    Dataset(
        id="postcode_districts",
        title="Postcode district (outcode) centroids",
        publisher="ONS Postcode Directory / OS Code-Point Open (derived)",
        landing_page=("https://www.ons.gov.uk/methodology/geography/geographicalproducts/"
                      "postcodeproducts"),
        files=(SourceFile("geography/postcode_districts.csv", "ce9cfc1d5b155a13",
                          derived_from="doogal.co.uk's postcode-district summary of the "
                                       "ONS Postcode Directory (not an ONS product)"),),
        getter="wmresearch.evidence.smallareas.get_postcode_districts", tags=("geography",),
        notes="Contains OS data (c) Crown copyright; Region column holds a district name",
    ),
    Dataset(
        id="sic2007",
        title="SIC 2007 hierarchy (NOMIS naming) and Companies House condensed SIC list",
        publisher="Office for National Statistics; Companies House",
        landing_page=("https://www.ons.gov.uk/methodology/classificationsandstandards/"
                      "ukstandardindustrialclassificationofeconomicactivities/uksic2007"),
        files=(
            SourceFile("sic/sic2007_hierarchy.csv", "ca47f83e967c6f6e",
                       derived_from="SIC 2007 section/division/group/subclass names as NOMIS "
                                    "labels them, one row per subclass"),
            SourceFile("sic/sic07_companies_house_condensed.csv", "d48a74396e1e4d56",
                       derived_from=f"{GOVUK_ASSETS}/527619/SIC07_CH_condensed_list_en.csv "
                                    "re-saved with the header code,description (latin-1)"),
        ),
        getter="wmresearch.evidence.sic.get_sic_hierarchy", tags=("classification",),
        see_also=("https://www.gov.uk/government/publications/standard-industrial-"
                  "classification-of-economic-activities-sic",),
    ),
    Dataset(
        id="companies_house_basic",
        title="Companies House Free Company Data Product (BasicCompanyData), format samples",
        publisher="Companies House",
        landing_page="https://download.companieshouse.gov.uk/en_output.html",
        files=(
            SourceFile("companies-house/basic_company_data_sample_30.csv", "068369b39b943bab",
                       derived_from="first 30 rows of a 2021 BasicCompanyDataAsOneFile "
                                    "monthly CSV, all 55 columns unchanged"),
            SourceFile("companies-house/basic_company_data_extract_1000.csv",
                       "207b2359b496828d",
                       derived_from="first 1,000 companies (alphabetical) of a 2019-20 "
                                    "monthly file, 14 columns"),
        ),
        getter="wmresearch.evidence.companies.read_basic_company_data", tags=("business",),
        required=False, notes="the monthly national file (~2.5 GB zip) is read the same way",
    ),
)


def _all_datasets() -> tuple[Dataset, ...]:
    from wmresearch.sources.datasets_region import REGION_DATASETS

    return _CORE_DATASETS + REGION_DATASETS


DATASETS: tuple[Dataset, ...] = _all_datasets()


def get_dataset(dataset_id: str) -> Dataset:
    """Look up a dataset by id; the error lists the known ids."""
    from wmresearch.sources.datasets_firms import FIRM_LOCATION_DATASETS

    # the national firm-location files are fetched on demand, not by the acquire stage
    for dataset in DATASETS + FIRM_LOCATION_DATASETS:
        if dataset.id == dataset_id:
            return dataset
    known = ", ".join(d.id for d in DATASETS + FIRM_LOCATION_DATASETS)
    raise KeyError(f"unknown dataset {dataset_id!r}; known datasets: {known}")
