"""The dataset registry: every official dataset wmresearch reads, with its provenance.

Each :class:`Dataset` names its publisher, licence, landing page and, where the publisher
offers one, a direct download URL or NOMIS API query per file. ``relpath`` is where the file
sits in a mirror folder (``$WMRESEARCH_MIRROR``) or under ``data/raw/``; ``sha256_16`` is the
first 16 hex digits of the SHA-256 of the release the project was built and tested on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OGL = "Open Government Licence v3.0"
NOMIS_API = "https://www.nomisweb.co.uk/api/v01/dataset"
GEOPORTAL = "https://geoportal.statistics.gov.uk"


@dataclass(frozen=True)
class SourceFile:
    """One file of a dataset as the publisher releases it."""

    relpath: str
    sha256_16: str
    url: str | None = None


@dataclass(frozen=True)
class Dataset:
    """An official dataset and how to obtain it."""

    id: str
    title: str
    publisher: str
    landing_page: str
    files: tuple[SourceFile, ...]
    licence: str = OGL
    getter: str = ""
    notes: str = ""
    required: bool = True
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def how_to_get(self) -> str:
        first = self.files[0]
        where = first.url or self.landing_page
        return (f"{self.title} ({self.publisher}): download from {where} and save as "
                f"data/raw/{first.relpath}, or set WMRESEARCH_MIRROR to a folder holding it")


def _nomis(dataset: str, query: str) -> str:
    return f"{NOMIS_API}/{dataset}.data.csv?{query}"


_BRES_SELECT = "select=date,geography_name,geography_code,industry_name,industry_code,obs_value"

DATASETS: tuple[Dataset, ...] = (
    Dataset(
        id="bres_itl2_sic5",
        title="BRES employment, ITL2 x SIC 2007 5-digit, 2015-2021 (open access)",
        publisher="Office for National Statistics via NOMIS",
        landing_page="https://www.nomisweb.co.uk/datasets/newbrespub",
        files=(SourceFile(
            "nomis/bres_employment_itl2_sic5_2015_2021.csv.gz", "ec65c1d9d439e9aa",
            _nomis("NM_189_1", "geography=TYPE449&date=2015-2021&industry=163577857...163578585"
                   "&employment_status=4&measure=1&measures=20100&" + _BRES_SELECT)),),
        getter="wmresearch.evidence.bres.get_bres_itl2_sic5",
        tags=("employment",),
    ),
    Dataset(
        id="bres_itl2_sic2",
        title="BRES employment, ITL2 x SIC 2007 division, 2015-2021 (open access)",
        publisher="Office for National Statistics via NOMIS",
        landing_page="https://www.nomisweb.co.uk/datasets/newbrespub",
        files=(SourceFile(
            "nomis/bres_employment_itl2_sic2_2015_2021.csv.gz", "a24c3ce1f7eebb85",
            _nomis("NM_189_1", "geography=TYPE449&date=2015-2021&industry=146800641...146800728"
                   "&employment_status=4&measure=1&measures=20100&" + _BRES_SELECT)),),
        getter="wmresearch.evidence.bres.get_bres_itl2_sic2",
        tags=("employment",),
    ),
    Dataset(
        id="bres_nuts2_sic4",
        title="BRES employment, NUTS2 (2013) x SIC 2007 class, 2015 and 2018",
        publisher="Office for National Statistics via NOMIS",
        landing_page="https://www.nomisweb.co.uk/datasets/newbrespub",
        files=(
            SourceFile("nomis/nuts2_sic4/nomis_BRES_2015_TYPE450.csv.gz", "458b2866d56460a0"),
            SourceFile("nomis/nuts2_sic4/nomis_BRES_2018_TYPE450.csv.gz", "0f75b0072fd0c965"),
        ),
        getter="wmresearch.evidence.bres.get_bres_nuts2_sic4",
        notes="cluster_name is a third-party (Nesta) segment, not ONS",
        tags=("employment",),
    ),
    Dataset(
        id="idbr_nuts2_sic4",
        title="UK Business Counts, local units, NUTS2 (2013) x SIC 2007 class, 2015 and 2018",
        publisher="Office for National Statistics via NOMIS",
        landing_page="https://www.nomisweb.co.uk/datasets/idbrlu",
        files=(
            SourceFile("nomis/nuts2_sic4/nomis_IDBR_2015_TYPE450.csv.gz", "af90dee40e8ef039"),
            SourceFile("nomis/nuts2_sic4/nomis_IDBR_2018_TYPE450.csv.gz", "0f963d2f0202bb14"),
        ),
        getter="wmresearch.evidence.bres.get_idbr_nuts2_sic4",
        tags=("business",),
    ),
    Dataset(
        id="ukbc_gb_sic5_sizeband",
        title="UK Business Counts, enterprises, GB x SIC 2007 5-digit x employment size band",
        publisher="Office for National Statistics via NOMIS",
        landing_page="https://www.nomisweb.co.uk/datasets/idbrent",
        files=(SourceFile(
            "nomis/ukbc_enterprises_gb_sic5_sizeband_2016_2021.csv.gz", "58ec9f5f7e04252a",
            _nomis("NM_142_1", "geography=K03000001&date=2016-2021&industry=163577857...163578585"
                   "&employment_sizeband=10,20,30,40,50,60,70,80,90&legal_status=0&measures=20100"
                   "&select=date,geography_name,geography_code,industry_name,industry_code,"
                   "employment_sizeband_name,obs_value")),),
        getter="wmresearch.evidence.business.get_ukbc_sizeband",
        tags=("business",),
    ),
    Dataset(
        id="census2011_workplace_msoa",
        title="Census 2011 workplace population by industry (WP605EW), MSOA x SIC section",
        publisher="Office for National Statistics via NOMIS",
        landing_page="https://www.nomisweb.co.uk/census/2011/wp605ew",
        files=(SourceFile("ons/census2011_workplace_population_msoa_sic_section.csv",
                          "83dff414464a9458"),),
        getter="wmresearch.evidence.census.get_workplace_population",
        tags=("employment",),
    ),
    Dataset(
        id="gva_itl3_industry",
        title="Regional gross value added (balanced) by industry, ITL3, current prices, 1998-2022",
        publisher="Office for National Statistics",
        landing_page=("https://www.ons.gov.uk/economy/grossdomesticproductgdp/datasets/"
                      "regionalgrossvalueaddedbalancedbyindustryallitlregions"),
        files=(SourceFile("ons/regional_gva_itl3_industry_current_prices_1998_2022.csv",
                          "216e324dc6b07a86"),),
        getter="wmresearch.evidence.gva.get_gva_by_industry",
        tags=("productivity",),
    ),
    Dataset(
        id="gva_per_hour_itl",
        title="Subregional productivity: GVA per hour worked, ITL2 and ITL3 (Table A4)",
        publisher="Office for National Statistics",
        landing_page=("https://www.ons.gov.uk/employmentandlabourmarket/peopleinwork/"
                      "labourproductivity/datasets/subregionalproductivitylabourproductivity"
                      "gvaperhourworkedandgvaperfilledjobindicesbyuknuts2andnuts3subregions"),
        files=(SourceFile("ons/gva_per_hour_itl2_itl3_2004_2021.csv", "6ccc4563e0098c27"),),
        getter="wmresearch.evidence.gva.get_gva_per_hour_itl",
        tags=("productivity",),
    ),
    Dataset(
        id="productivity_lad",
        title=("Subregional productivity: labour productivity by local authority district, "
               "June 2024"),
        publisher="Office for National Statistics",
        landing_page=("https://www.ons.gov.uk/employmentandlabourmarket/peopleinwork/"
                      "labourproductivity/datasets/subregionalproductivitylabourproductivity"
                      "indicesbylocalauthoritydistrict"),
        files=(SourceFile("ons/labour_productivity_local_authorities_2024.xls",
                          "1fa104417c674450"),),
        getter="wmresearch.evidence.productivity.get_productivity_lad",
        tags=("productivity",),
    ),
    Dataset(
        id="imd2019",
        title="English Indices of Deprivation 2019: files 1 (IMD), 2 (domains), 6 (population)",
        publisher="Ministry of Housing, Communities and Local Government",
        landing_page="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019",
        files=(
            SourceFile("mhclg/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz",
                       "08eaaf9e55258b7b"),
            SourceFile("mhclg/File_2_-_IoD2019_Domains_of_Deprivation.csv.gz",
                       "c6e6fa32c444bf34"),
            SourceFile("mhclg/File_6_-_IoD2019_Population_Denominators.csv.gz",
                       "f4ee47fbe7a8b2cc"),
        ),
        getter="wmresearch.evidence.imd.get_imd",
        tags=("deprivation",),
    ),
    Dataset(
        id="lad_boundaries_2023",
        title="Local Authority Districts (December 2023) UK BUC boundaries",
        publisher="Office for National Statistics (Open Geography Portal)",
        landing_page=f"{GEOPORTAL}/datasets/ons::local-authority-districts-december-2023-"
                     "boundaries-uk-buc",
        files=(SourceFile("geography/lad_dec2023_uk_buc.geojson", "daf71da594ee8864"),),
        getter="wmresearch.evidence.geography.get_lad_boundaries",
        notes="Contains OS data (c) Crown copyright and database right",
        tags=("geography",),
    ),
    Dataset(
        id="itl3_boundaries_2021",
        title="International Territorial Level 3 (January 2021) UK BUC boundaries",
        publisher="Office for National Statistics (Open Geography Portal)",
        landing_page=f"{GEOPORTAL}/datasets/ons::itl3-jan-2021-uk-buc",
        files=tuple(
            SourceFile(f"geography/itl3_jan2021_uk_buc/ITL3_JAN_2021_UK_BUC_V3.{ext}", sha)
            for ext, sha in (("shp", "eb5c668c02181694"), ("shx", "bf0c8558daa20f89"),
                             ("dbf", "72f20945752f3aac"), ("prj", "d97d276680377a05"),
                             ("cpg", "3ad3031f5503a440"))
        ),
        getter="wmresearch.evidence.geography.get_itl3_boundaries",
        tags=("geography",),
    ),
    Dataset(
        id="wm7_small_area_boundaries",
        title=("LSOA 2011, MSOA 2011 and ward generalised clipped boundaries, "
               "West Midlands metropolitan districts"),
        publisher="Office for National Statistics (Open Geography Portal)",
        landing_page=f"{GEOPORTAL}/search?q=BDY_LSOA",
        files=tuple(
            SourceFile(f"geography/wm7_boundaries/{level}/{lad}.geojson", sha)
            for level, lad, sha in (
                ("lsoa11", "E08000025", "528874d8594a9ff5"),
                ("lsoa11", "E08000026", "1c7fb798ed43a5bf"),
                ("lsoa11", "E08000027", "d95afecd027a5ea9"),
                ("lsoa11", "E08000028", "e8d217a40100f7ff"),
                ("lsoa11", "E08000029", "33f16a24ae36b0cc"),
                ("lsoa11", "E08000030", "1313f1d148bb7684"),
                ("lsoa11", "E08000031", "ccff55e7726c35d3"),
                ("msoa11", "E08000025", "95daceda23432955"),
                ("msoa11", "E08000026", "0e60b53603d06da6"),
                ("msoa11", "E08000027", "3cb3cafe893d5493"),
                ("msoa11", "E08000028", "8367165b8c647d71"),
                ("msoa11", "E08000029", "5aa8a4e6f2fe0499"),
                ("msoa11", "E08000030", "c177a44273a5a1a7"),
                ("msoa11", "E08000031", "0789a5842f7b9625"),
                ("ward", "E08000025", "2d0123df879f1767"),
                ("ward", "E08000026", "5d6ff2cad168d074"),
                ("ward", "E08000027", "ea9257106024ee0a"),
                ("ward", "E08000028", "5bd20f8b4d04efdc"),
                ("ward", "E08000029", "7e40ba473469d808"),
                ("ward", "E08000030", "19ff543a1d95e058"),
                ("ward", "E08000031", "a78fe6f328e62210"),
            )
        ),
        getter="wmresearch.evidence.smallareas.get_small_area_boundaries",
        required=False,
        notes="Only the seven West Midlands metropolitan districts are mirrored",
        tags=("geography",),
    ),
    Dataset(
        id="oa_lookup_2011",
        title="Output Area (2011) to LSOA, MSOA, LAD (2017) and region lookup",
        publisher="Office for National Statistics (Open Geography Portal)",
        landing_page=f"{GEOPORTAL}/search?q=OA11_LSOA11_MSOA11_LAD17",
        files=(SourceFile("geography/oa11_lsoa11_msoa11_lad17_rgn_lookup.csv.gz",
                          "660b224a61705675"),),
        getter="wmresearch.evidence.smallareas.get_oa_lookup",
        tags=("geography",),
    ),
    Dataset(
        id="small_area_centroids",
        title="LSOA and MSOA population-weighted centroids (2011 and 2021 areas)",
        publisher="Office for National Statistics (Open Geography Portal)",
        landing_page=f"{GEOPORTAL}/search?q=PWC",
        files=(
            SourceFile("geography/lsoa_latlong.csv.gz", "28b1378b86bab8c7"),
            SourceFile("geography/msoa_latlong.csv.gz", "d2c03d336218b918"),
        ),
        getter="wmresearch.evidence.smallareas.get_centroids",
        tags=("geography",),
    ),
    Dataset(
        id="msoa_lad_lookup",
        title="MSOA (2011/2021) to local authority district lookup",
        publisher="Office for National Statistics (Open Geography Portal)",
        landing_page=f"{GEOPORTAL}/search?q=MSOA_LAD",
        files=(SourceFile("geography/msoa_la.csv.gz", "6f63a7bbd3ccc5a9"),),
        getter="wmresearch.evidence.smallareas.get_msoa_lad_lookup",
        tags=("geography",),
    ),
    Dataset(
        id="la_codes",
        title="Local authority code history with active codes and combined authorities",
        publisher="Office for National Statistics (Open Geography Portal)",
        landing_page=f"{GEOPORTAL}/search?q=LAD_CAUTH",
        files=(
            SourceFile("geography/la_all_codes.csv.gz", "1ae0300b583bd7cb"),
            SourceFile("geography/cauth_all_codes.csv.gz", "12021dcc1f7953bc"),
        ),
        getter="wmresearch.evidence.geography.get_la_codes",
        tags=("geography",),
    ),
    Dataset(
        id="postcode_districts",
        title="Postcode district (outcode) centroids",
        publisher="ONS Postcode Directory / OS Code-Point Open (derived)",
        landing_page=f"{GEOPORTAL}/search?q=ONSPD",
        files=(SourceFile("geography/postcode_districts.csv", "ce9cfc1d5b155a13"),),
        getter="wmresearch.evidence.smallareas.get_postcode_districts",
        notes="Contains OS data (c) Crown copyright; Region column holds a district name",
        tags=("geography",),
    ),
    Dataset(
        id="sic2007",
        title="SIC 2007 hierarchy (NOMIS naming) and Companies House condensed SIC list",
        publisher="Office for National Statistics; Companies House",
        landing_page=("https://www.ons.gov.uk/methodology/classificationsandstandards/"
                      "ukstandardindustrialclassificationofeconomicactivities/uksic2007"),
        files=(
            SourceFile("sic/sic2007_hierarchy.csv", "ca47f83e967c6f6e"),
            SourceFile("sic/sic07_companies_house_condensed.csv", "d48a74396e1e4d56",
                       "https://resources.companieshouse.gov.uk/sic/"),
        ),
        getter="wmresearch.evidence.sic.get_sic_hierarchy",
        tags=("classification",),
    ),
    Dataset(
        id="companies_house_basic",
        title="Companies House Free Company Data Product (BasicCompanyData), format samples",
        publisher="Companies House",
        landing_page="https://download.companieshouse.gov.uk/en_output.html",
        files=(
            SourceFile("companies-house/basic_company_data_sample_30.csv", "068369b39b943bab"),
            SourceFile("companies-house/basic_company_data_extract_1000.csv",
                       "207b2359b496828d"),
        ),
        getter="wmresearch.evidence.companies.read_basic_company_data",
        required=False,
        notes="The monthly national file (~2.5 GB) is read the same way when supplied",
        tags=("business",),
    ),
)


def get_dataset(dataset_id: str) -> Dataset:
    """Look up a dataset by id; the error lists the known ids."""
    for dataset in DATASETS:
        if dataset.id == dataset_id:
            return dataset
    known = ", ".join(d.id for d in DATASETS)
    raise KeyError(f"unknown dataset {dataset_id!r}; known datasets: {known}")
