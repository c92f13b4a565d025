"""Every registered dataset has a real landing page, and every file says where it comes from.

Sources of the facts checked here (what the publishers publish, and in which format):
ONS Open Geography Portal ArcGIS REST services (services1.arcgis.com/ESMARspQHYMw9BZ9, query
operation with ``f=geojson`` and ``outSR``); NOMIS API v01 (``/api/v01/dataset/<NM_id>.data.csv``
returns the fields named in ``select`` as upper-case CSV headers, the value as OBS_VALUE);
MHCLG, English Indices of Deprivation 2019 (files 1, 2, 6 are .xlsx; File 7 is the only CSV).
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from wmresearch.sources import DATASETS, get_dataset

URL = re.compile(r"https?://[^\s'\"()]+[^\s'\"(),.;]")
PUBLISHER_HOSTS = ("ons.gov.uk", "nomisweb.co.uk", "gov.uk", "arcgis.com",
                   "companieshouse.gov.uk")
GZIP_MAGIC = b"\x1f\x8b"


def _texts(dataset):
    yield dataset.landing_page
    yield from dataset.see_also
    yield dataset.notes
    for spec in dataset.files:
        yield spec.url or ""
        yield spec.derived_from


def _urls(dataset):
    return [u for text in _texts(dataset) for u in URL.findall(text)]


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def _publisher_host(url: str) -> bool:
    host = _host(url)
    on_domain = any(host == d or host.endswith("." + d) for d in PUBLISHER_HOSTS)
    return on_domain or url.startswith((
        "https://github.com/ONSdigital/", "https://raw.githubusercontent.com/ONSdigital/"))


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.id)
def test_no_link_is_a_search_page(dataset):
    for url in _urls(dataset):
        path_and_query = urlsplit(url).path + "?" + urlsplit(url).query
        assert "search?" not in url and "/search" not in path_and_query, (dataset.id, url)


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.id)
def test_every_link_is_https(dataset):
    urls = _urls(dataset)
    assert urls, dataset.id
    assert all(u.startswith("https://") for u in urls), (dataset.id, urls)


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.id)
def test_landing_page_is_a_dataset_page_on_the_publisher_site(dataset):
    page = dataset.landing_page
    assert _publisher_host(page), (dataset.id, page)
    # a bare portal root is not a landing page: it must name the dataset
    assert len(urlsplit(page).path.strip("/")) > 10, (dataset.id, page)


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.id)
def test_direct_urls_are_publisher_downloads(dataset):
    for spec in dataset.files:
        if spec.url:
            assert _publisher_host(spec.url), (spec.relpath, spec.url)


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.id)
def test_every_file_says_where_it_comes_from(dataset):
    """A file has a direct URL (bytes as registered) xor the publisher file it was made from."""
    for spec in dataset.files:
        assert bool(spec.url) != bool(spec.derived_from), spec.relpath


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.id)
def test_how_to_get_names_every_file_and_its_source(dataset):
    text = dataset.how_to_get
    assert dataset.landing_page in text
    for spec in dataset.files:
        assert f"data/raw/{spec.relpath}" in text, spec.relpath
        assert (spec.url or spec.derived_from) in text, spec.relpath
    assert text.count("\n  - data/raw/") == len(dataset.files)


@pytest.mark.parametrize(("dataset_id", "n_files"), [
    ("imd2019", 3), ("itl3_boundaries_2021", 5), ("wm7_small_area_boundaries", 21),
    ("small_area_centroids", 2), ("la_codes", 2), ("sic2007", 2)])
def test_multi_file_datasets_list_all_files(dataset_id, n_files):
    dataset = get_dataset(dataset_id)
    assert len(dataset.files) == n_files
    assert len(set(re.findall(r"data/raw/(\S+):", dataset.how_to_get))) == n_files


def test_imd_points_at_the_publishers_xlsx_and_says_the_format_differs():
    """MHCLG publishes IoD2019 files 1, 2 and 6 only as .xlsx (gov.uk statistics page)."""
    dataset = get_dataset("imd2019")
    for spec in dataset.files:
        assert spec.url is None, spec.relpath
        source = URL.search(spec.derived_from).group(0)
        assert _host(source) == "assets.publishing.service.gov.uk"
        stem = spec.relpath.removeprefix("mhclg/").removesuffix(".csv.gz")
        assert source.endswith(f"/{stem}.xlsx"), source
    assert "Excel" in dataset.notes and "File_7" in dataset.notes


def _gzip_claimed(spec) -> bool:
    return "gzip" in spec.derived_from


def test_gzip_claims_match_the_mirror_copies(mirror_file):
    """Each copy described as gzip-compressed is gzip on disk, and every .gz copy says so."""
    for dataset in DATASETS:
        for spec in dataset.files:
            if not (_gzip_claimed(spec) or spec.relpath.endswith(".gz")):
                continue
            with mirror_file(spec.relpath).open("rb") as fh:
                is_gzip = fh.read(2) == GZIP_MAGIC
            assert is_gzip == _gzip_claimed(spec), spec.relpath


@pytest.mark.parametrize("dataset_id", ["bres_itl2_sic5", "bres_itl2_sic2",
                                        "ukbc_gb_sic5_sizeband"])
def test_nomis_query_fields_match_the_mirror_header(mirror_file, dataset_id):
    """The NOMIS query's ``select`` fields are the copy's header, OBS_VALUE renamed COUNT."""
    spec = get_dataset(dataset_id).files[0]
    query = URL.search(spec.derived_from).group(0)
    parts = urlsplit(query)
    assert parts.hostname == "www.nomisweb.co.uk"
    assert re.fullmatch(r"/api/v01/dataset/NM_\d+_1\.data\.csv", parts.path)
    fields = parse_qs(parts.query)["select"][0].upper().split(",")
    with gzip.open(mirror_file(spec.relpath), "rt", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header == [("COUNT" if f == "OBS_VALUE" else f) for f in fields]


def test_lad_featureserver_query_asks_for_the_mirror_copys_crs(mirror_file):
    """ArcGIS REST query: ``outSR`` sets the output CRS; the registered copy is EPSG:27700."""
    spec = get_dataset("lad_boundaries_2023").files[0]
    parts = urlsplit(spec.url)
    assert parts.hostname == "services1.arcgis.com"
    assert parts.path.endswith("/Local_Authority_Districts_December_2023_Boundaries_UK_BUC"
                               "/FeatureServer/0/query")
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["f"] == "geojson" and query["outFields"] == "*" and query["where"] == "1=1"
    copy = json.loads(mirror_file(spec.relpath).read_text(encoding="utf-8"))
    assert copy["crs"]["properties"]["name"] == f"EPSG:{query['outSR']}"
    # UK LADs at December 2023: 361 (ONS, LAD Dec 2023 names and codes)
    assert len(copy["features"]) == 361
    assert {"LAD23CD", "LAD23NM"} <= set(copy["features"][0]["properties"])
