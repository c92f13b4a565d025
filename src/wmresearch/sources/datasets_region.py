"""Registry entries for the State-of-the-Region data: ONS Explore local statistics, Business
demography 2024, English Indices of Deprivation 2025 and mid-2021 population.

``REGION_DATASETS`` is a tuple of :class:`~wmresearch.sources.registry.Dataset` to be added
to ``DATASETS``. Checksums (``sha256_16``) are those of the release the project was tested
on (the mirror's MANIFEST.tsv). The IoD2025 copy tested was re-saved in Excel by a user, so
its bytes (and checksum) differ from gov.uk's file; its ranks and deciles equal MHCLG's.
"""

from __future__ import annotations

from wmresearch.sources.dataset import Dataset, SourceFile

NOMIS_API = "https://www.nomisweb.co.uk/api/v01/dataset"
_IO_PATH = ("economy/nationalaccounts/supplyandusetables/datasets/"
            "ukinputoutputanalyticaltablesindustrybyindustry")

ELS_REPO = "https://raw.githubusercontent.com/ONSdigital/explore-local-statistics-data"
#: Commits of ONSdigital/explore-local-statistics-data the files were taken from (June 2026;
#: gdp-per-head from May 2025, before ONS moved it to the lower-case layout).
ELS_COMMIT = "4972c588"
ELS_COMMIT_GDP = "09b54851"

#: (indicator file, sha256_16 of the .csv, sha256_16 of the .json)
_ELS_FILES = (
    ("apprenticeships", "1f603c480eb5f983", "8c9e5ddaf9d1f71d"),
    ("business-demography", "af9fded708660a7d", "7edc4b48a164180a"),
    ("children-in-relative-poverty", "46f53d5ed5bc8740", "d97f46bd349c0bd6"),
    ("claimant-count", "8e4b5d94cbae6090", "d1f062153f095982"),
    ("employment-rate", "ce716dd803b332f7", "b549fa8ced9ec2be"),
    ("foreign-direct-investment", "9bfbd5ca4c8377cf", "a0fc570b2ca4adcb"),
    ("gdp-per-head", "9f29cfdd56e129ae", "5f47d5b30d412636"),
    ("gigabit-capable-broadband", "e0131154b61d83b6", "350d22f106a0e30f"),
    ("greenhouse-gas-emissions", "4517dd54b540b9cb", "7e24057b3399e0e2"),
    ("gross-disposable-household-income-per-head", "bdc0a5b12185dcf7", "1ec95520200b45b1"),
    ("gross-median-weekly-pay", "285a76982afdfd38", "5d1a1f330fb55595"),
    ("gross-value-added", "10bb77e41ecb370d", "a6c4497500e951e1"),
    ("healthy-life-expectancy", "587fcf04e8bea97b", "1b7f4d6aa37fd173"),
    ("housing-affordability-ratio", "973d3aef791def80", "655a1d6a3413f2ef"),
    ("modelled-unemployment", "96905fd71cc216a7", "ee6f9c98861d9c82"),
    ("personal-wellbeing-estimates", "6d387ce918f8b03a", "4b937e2d2598d035"),
    ("qualifications-level-3-or-above", "dfb5e9312503c56c", "57424ec90d74f8a3"),
    ("qualifications-none-gb", "1b2451aa95b36643", "a4bc35010d7156d3"),
    ("research-and-development-business", "3ea539f039b0a8c5", "2b7ca6d17545878a"),
    ("total-value-of-uk-exports", "d95a1223582e11ac", "03c79afab7e48abf"),
)


def _els(name: str, ext: str, sha: str) -> SourceFile:
    commit = ELS_COMMIT_GDP if name == "gdp-per-head" else ELS_COMMIT
    return SourceFile(f"ons/explore_local_statistics/{name}.{ext}", sha,
                      f"{ELS_REPO}/{commit}/{name}/{name}.{ext}")


_IOD2025 = "https://assets.publishing.service.gov.uk/media"
_BD_PATH = ("businessindustryandtrade/business/activitysizeandlocation/datasets/"
            "businessdemographyreferencetable")

REGION_DATASETS: tuple[Dataset, ...] = (
    Dataset(
        id="explore_local_statistics",
        title="ONS Explore local statistics: indicator files with release metadata",
        publisher="Office for National Statistics",
        landing_page="https://www.ons.gov.uk/explore-local-statistics",
        files=tuple(f for name, csv_sha, json_sha in _ELS_FILES
                    for f in (_els(name, "csv", csv_sha), _els(name, "json", json_sha))),
        getter="wmresearch.evidence.explore_local.read_explore_local",
        notes=("One CSV per indicator family from github.com/ONSdigital/explore-local-"
               "statistics-data; each .json names the underlying release. Getters per "
               "indicator in wmresearch.evidence.indicators"),
        tags=("indicators", "state-of-the-region"),
    ),
    Dataset(
        id="business_demography_2024",
        title="Business demography, UK: 2024, reference tables (births, deaths, active "
              "enterprises by district)",
        publisher="Office for National Statistics",
        landing_page=f"https://www.ons.gov.uk/{_BD_PATH}",
        files=(SourceFile(
            "ons/businessdemographyexceltables2024.xlsx", "cc0c50b6b8daf412",
            f"https://www.ons.gov.uk/file?uri=/{_BD_PATH}/current/"
            "businessdemographyexceltables2024.xlsx"),),
        getter="wmresearch.evidence.demography.get_business_demography",
        notes="The 'current' download URL moves to the next edition when ONS publishes it",
        tags=("business", "state-of-the-region"),
    ),
    Dataset(
        id="iod2025",
        title="English Indices of Deprivation 2025: File 1 (IMD) and File 3 (IDACI, IDAOPI)",
        publisher="Ministry of Housing, Communities and Local Government",
        landing_page=("https://www.gov.uk/government/statistics/"
                      "english-indices-of-deprivation-2025"),
        files=(
            SourceFile("mhclg/File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx",
                       "ab6b1419cc888a5b",
                       f"{_IOD2025}/691dece32c6b98ecdbc500d5/"
                       "File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx"),
            SourceFile("mhclg/File_3_IoD2025_Supplementary_Indices_IDACI_and_IDAOPI.xlsx",
                       "0a62795273373006",
                       f"{_IOD2025}/691ded0a21ef5aaa6543efe9/"
                       "File_3_IoD2025_Supplementary_Indices_IDACI_and_IDAOPI.xlsx"),
        ),
        getter="wmresearch.evidence.iod2025.get_iod2025_imd",
        notes=("LSOA 2021 geography (IoD2019 used LSOA 2011). The tested copy was re-saved "
               "in Excel, so gov.uk's file has a different checksum but the same values"),
        tags=("deprivation", "state-of-the-region"),
    ),
    Dataset(
        id="population_mye2021",
        title="Mid-2021 population estimates by local authority and age (NOMIS NM_2002)",
        publisher="Office for National Statistics via NOMIS",
        landing_page="https://www.nomisweb.co.uk/datasets/pestsyoala",
        files=(SourceFile(
            "nomis/nomis_NM_2002_mye2021_lad.csv", "f252544d0a456d95",
            f"{NOMIS_API}/NM_2002_1.data.csv?geography=TYPE480,TYPE462,TYPE432,TYPE431,"
            "TYPE442&date=2021&gender=0&c_age=200,201,250,207,208,209,1,3,111...120"
            "&measures=20100"),),
        getter="wmresearch.evidence.population.get_population_mye2021",
        tags=("population", "state-of-the-region"),
    ),
    Dataset(
        id="input_output_2019",
        title="UK input-output analytical tables: industry by industry, 2019",
        publisher="Office for National Statistics",
        landing_page=f"https://www.ons.gov.uk/{_IO_PATH}",
        files=(SourceFile(
            "ons/input_output/nasu1719in.xlsx", "377f4dcf17ae5256",
            f"https://www.ons.gov.uk/file?uri=/{_IO_PATH}/2019/nasu1719in.xlsx"),),
        getter="wmresearch.evidence.input_output.get_io_flows",
        notes="105 industries (input-output groups headed by SIC 2007 codes); consistent "
              "with Blue Book 2022 and Pink Book 2022",
        tags=("business", "clusters"),
    ),
    Dataset(
        id="mayoral_combined_authorities",
        title="Mayoral combined authorities in England: members and first mayoral elections",
        publisher="Public record (statutory instruments on legislation.gov.uk; mayoral "
                  "election results), compiled",
        landing_page=("https://www.gov.uk/government/publications/english-devolution-white-"
                      "paper-power-and-partnership-foundations-for-growth"),
        files=(SourceFile(
            "reference/programmes/mayoral_combined_authorities.csv", "8d676921c1ccdd4d",
            derived_from=("compiled from the orders establishing each combined (county) "
                          "authority (https://www.legislation.gov.uk) and the results of each "
                          "first mayoral election: code, name, date of the first election, "
                          "members by name (a county means all its districts), notes")),),
        getter="wmresearch.evidence.devolution.get_mayoral_districts",
        required=False,
        notes=("The treatment dates of mayoral devolution (2017, 2018, 2019, 2021, 2024, "
               "2025); verify a date against legislation.gov.uk before citing it"),
        tags=("devolution", "evaluation"),
    ),
)

__all__ = ["ELS_COMMIT", "ELS_COMMIT_GDP", "ELS_REPO", "REGION_DATASETS"]
