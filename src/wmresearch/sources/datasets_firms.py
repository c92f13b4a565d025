"""Registry entries for real firm locations, fetched only when asked for.

Two national files place every live company at its registered office postcode:

* Companies House, *Free Company Data Product*: ``BasicCompanyDataAsOneFile-<yyyy-mm>-01.zip``
  (about 0.5 GB zipped, 2.5 GB of CSV), https://download.companieshouse.gov.uk/en_output.html.
  The file is renamed every month and the previous month's is removed, so its URL is made for
  the current month (the previous month is tried if this month's is not out yet).
* ONS, *ONS Postcode Directory (February 2024) for the UK* (about 0.23 GB zipped), ONS Open
  Geography Portal, downloaded from its ArcGIS item. A later release works the same way.

They are not in :data:`~wmresearch.sources.registry.DATASETS`: the acquire stage would fetch
0.7 GB on every run for a report section that is optional, and monthly and quarterly
releases are not pinned by a checksum (``sha256_16`` is empty; a file is never called
verified). :func:`locate` finds a file as the other datasets are found: ``data/raw/``, then
the mirror (``$WMRESEARCH_MIRROR``), then a download when online (any release there, the
latest by its date), or says what to download from where.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from wmresearch.config import Paths, mirror_dir, offline
from wmresearch.sources.dataset import Dataset, SourceFile

CH_PAGE = "https://download.companieshouse.gov.uk/en_output.html"
CH_URL = "https://download.companieshouse.gov.uk/BasicCompanyDataAsOneFile-{month}-01.zip"
ONSPD_PAGE = ("https://geoportal.statistics.gov.uk/datasets/ons::ons-postcode-directory-"
              "february-2024-for-the-uk/about")
ONSPD_URL = ("https://www.arcgis.com/sharing/rest/content/items/"
             "e14b1475ecf74b58804cf667b6740706/data")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
#: File names of each dataset's releases and how to read their date (year, month).
PATTERNS: dict[str, tuple[str, re.Pattern[str]]] = {
    "companies_house_national": ("companies-house", re.compile(
        r"BasicCompanyDataAsOneFile-(\d{4})-(\d{2})-\d{2}\.(?:zip|csv|csv\.gz)", re.I)),
    "onspd": ("geography/onspd", re.compile(
        rf"ONSPD_({'|'.join(_MONTHS)})_(\d{{4}})_UK\.(?:zip|csv|csv\.gz)", re.I)),
}


def companies_house_url(month: date) -> str:
    """Download URL of the national file of ``month`` (named on the first of the month)."""
    return CH_URL.format(month=f"{month.year}-{month.month:02d}")


def _previous(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def firm_location_datasets(today: date | None = None) -> tuple[Dataset, Dataset]:
    """The two datasets, the Companies House file named for ``today``'s month."""
    month = (today or date.today()).replace(day=1)
    companies = Dataset(
        id="companies_house_national",
        title="Companies House Free Company Data Product (BasicCompanyData), national file",
        publisher="Companies House", landing_page=CH_PAGE,
        files=(SourceFile(f"companies-house/BasicCompanyDataAsOneFile-{month:%Y-%m}-01.zip",
                          "", url=companies_house_url(month)),),
        getter="wmresearch.evidence.companies.read_firm_locations", tags=("business",),
        required=False,
        notes=("renamed every month (the previous month's file is removed): any "
               "BasicCompanyDataAsOneFile-<date>.zip saved there is used, the latest first"))
    onspd = Dataset(
        id="onspd", title="ONS Postcode Directory (February 2024) for the UK",
        publisher="Office for National Statistics (Open Geography Portal)",
        landing_page=ONSPD_PAGE,
        files=(SourceFile("geography/onspd/ONSPD_FEB_2024_UK.zip", "", url=ONSPD_URL),),
        getter="wmresearch.evidence.companies.read_firm_locations", tags=("geography",),
        required=False,
        notes=("quarterly: a later ONSPD_<MON>_<YEAR>_UK.zip saved there is used instead; "
               "contains OS data (c) Crown copyright and Royal Mail data (c) Royal Mail"))
    return companies, onspd


FIRM_LOCATION_DATASETS: tuple[Dataset, Dataset] = firm_location_datasets()


def _release(dataset_id: str, name: str) -> tuple[int, int] | None:
    match = PATTERNS[dataset_id][1].fullmatch(name)
    if not match:
        return None
    a, b = match.groups()
    return (int(a), int(b)) if a.isdigit() else (int(b), _MONTHS.index(a.upper()) + 1)


def find_release(dataset_id: str, folders: list[Path]) -> Path | None:
    """The latest release of a dataset saved in any of ``folders`` (checked in order)."""
    for folder in folders:
        place = folder / PATTERNS[dataset_id][0]
        found = [(_release(dataset_id, p.name), p) for p in place.glob("*") if p.is_file()]
        found = [(when, p) for when, p in found if when is not None]
        if found:
            return max(found)[1]
    return None


def how_to_get(dataset_id: str, setting: str) -> str:
    """What to download from where, where to save it, or which setting names a copy."""
    dataset = {d.id: d for d in FIRM_LOCATION_DATASETS}[dataset_id]
    spec = dataset.files[0]
    folder = PATTERNS[dataset_id][0]
    return (f"{dataset.title} ({dataset.publisher}) is not available here and cannot be "
            f"downloaded{' (offline)' if offline() else ''}. Download {spec.url} (from "
            f"{dataset.landing_page}) and save it in data/raw/{folder}/ (or in "
            f"{folder}/ of the mirror folder), or set {setting} in params.yaml to a copy.")


def locate(dataset_id: str, paths: Paths, *, explicit: str | Path | None = None,
           setting: str = "", allow_download: bool | None = None, today: date | None = None,
           timeout: float = 600.0, retries: int = 3) -> Path:
    """Local path of the national Companies House file or the ONSPD.

    ``explicit`` (a user's path, relative to the project root) wins; then the latest
    release in ``data/raw/<folder>/``, then in the mirror, then a download to ``data/raw``
    (unless offline). ``setting`` names the parameter the error message points at.

    Raises
    ------
    FileNotFoundError
        One message: what to download, from where, and where to save it.
    """
    from wmresearch.sources.acquire import download

    setting = setting or f"the {dataset_id} file"
    if explicit is not None:
        path = Path(explicit)
        path = path if path.is_absolute() else paths.root / path
        if not path.is_file():
            raise FileNotFoundError(f"{setting} names {explicit}, which is not a file")
        return path
    mirror = mirror_dir(paths.root)
    found = find_release(dataset_id, [paths.raw] + ([mirror] if mirror else []))
    if found is not None:
        return found
    if allow_download is None:
        allow_download = not offline()
    if allow_download:
        month = (today or date.today()).replace(day=1)
        datasets = {d.id: d for d in firm_location_datasets(today)}
        tries = [datasets[dataset_id].files[0]]
        if dataset_id == "companies_house_national":  # this month's may not be out yet
            tries += firm_location_datasets(_previous(month))[0].files
        for spec in tries:
            try:
                return download(spec.url, paths.raw / spec.relpath, timeout=timeout,
                                retries=retries)
            except OSError:
                continue
    raise FileNotFoundError(how_to_get(dataset_id, setting))
