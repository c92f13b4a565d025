"""The firm register by kind, and where the national files come from.

Publishers' facts checked: Companies House names its national file
``BasicCompanyDataAsOneFile-<yyyy>-<mm>-01.zip`` on download.companieshouse.gov.uk (the
Free Company Data Product page, https://download.companieshouse.gov.uk/en_output.html); the
ONS Postcode Directory zips are named ``ONSPD_<MON>_<YEAR>_UK.zip``.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

import wmresearch.colocation as co
from tests.colocation.test_firms import PLANT, REGION, toy
from tests.evidence.test_firm_locations import (
    CH_HEADER,
    COMPANIES,
    ONSPD_2024,
    POSTCODES,
    WMCA,
    ch_line,
    onspd_line,
    write,
)
from wmresearch.config import Paths
from wmresearch.sources import get_dataset
from wmresearch.sources.datasets_firms import (
    FIRM_LOCATION_DATASETS,
    companies_house_url,
    find_release,
    locate,
)


def test_exported_lazily():
    assert co.firm_register.__module__ == "wmresearch.colocation.register_source"
    assert {"firm_register", "FirmRegister"} <= set(co.__all__)


def test_unknown_kind_names_the_choices(tmp_path):
    with pytest.raises(ValueError, match="synthetic, companies_house"):
        co.firm_register("osm", REGION, paths=Paths(tmp_path), seed=1)


def test_synthetic_kind_is_labelled_synthetic(tmp_path):
    reg = co.firm_register("synthetic", REGION, paths=Paths(tmp_path), seed=3, tables=toy(),
                           synthetic_options={"planted": PLANT, "unknown": 1})
    assert (reg.kind, reg.label) == ("synthetic", "synthetic")
    assert list(reg.firms.columns[:7]) == ["firm_id", "easting", "northing", "sic_code",
                                           "section", "lad_code", "synthetic"]
    assert reg.firms["synthetic"].all() and "Not real firms" in reg.caveat
    assert reg.synthetic.truth["n_firms"].tolist() == [60]
    assert reg.accounting is None


def test_companies_house_kind_is_real_with_its_caveat(files, tmp_path):
    ch, on = files()
    lads = REGION.assign(lad_code=WMCA[:2]).head(2)
    reg = co.firm_register("companies_house", lads, paths=Paths(tmp_path), seed=1,
                           companies_house_file=ch, onspd_file=on, allow_download=False)
    assert (reg.kind, reg.label) == ("companies_house", "real")
    # the four companies of E08000025 (tests/evidence/test_firm_locations.py, by hand)
    assert reg.firms["firm_id"].tolist() == ["00000001", "00000004", "00000009", "00000010"]
    assert not reg.firms["synthetic"].any() and "employment" not in reg.firms
    assert "registered office" in reg.caveat and reg.firms.attrs["caveat"] == reg.caveat
    steps = reg.accounting.set_index("step")["companies"]
    assert (steps["companies read"], steps["companies located"]) == (11, 4)


@pytest.fixture
def files(tmp_path):
    def make():
        return (write(tmp_path / "ch.csv", CH_HEADER, [ch_line(*c) for c in COMPANIES]),
                write(tmp_path / "on.csv", ONSPD_2024,
                      [onspd_line(ONSPD_2024, p) for p in POSTCODES]))
    return make


def test_offline_and_absent_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("WMRESEARCH_OFFLINE", "1")
    monkeypatch.setenv("WMRESEARCH_MIRROR", str(tmp_path / "mirror"))
    (tmp_path / "mirror").mkdir()
    with pytest.raises(FileNotFoundError) as error:
        co.firm_register("companies_house", REGION, paths=Paths(tmp_path), seed=1)
    message = str(error.value)
    assert "download.companieshouse.gov.uk/BasicCompanyDataAsOneFile-" in message
    assert "data/raw/companies-house/" in message and "clusters.companies_house_file" in message
    assert "(offline)" in message and len(message.splitlines()) == 1


def test_a_named_file_that_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="clusters.onspd_file names nope.zip"):
        locate("onspd", Paths(tmp_path), explicit="nope.zip", setting="clusters.onspd_file")


def test_latest_release_found_in_raw_then_mirror(tmp_path, monkeypatch):
    raw, mirror = tmp_path / "data" / "raw", tmp_path / "mirror"
    for name in ("BasicCompanyDataAsOneFile-2024-01-01.zip",
                 "BasicCompanyDataAsOneFile-2024-03-01.zip", "BasicCompanyData-notes.txt"):
        (mirror / "companies-house").mkdir(parents=True, exist_ok=True)
        (mirror / "companies-house" / name).write_bytes(b"x")
    for name in ("ONSPD_NOV_2023_UK.zip", "ONSPD_FEB_2024_UK.zip", "ONSPD_AUG_2023_UK.csv"):
        (mirror / "geography" / "onspd").mkdir(parents=True, exist_ok=True)
        (mirror / "geography" / "onspd" / name).write_bytes(b"x")
    monkeypatch.setenv("WMRESEARCH_MIRROR", str(mirror))
    paths = Paths(tmp_path)
    assert locate("companies_house_national", paths).name == \
        "BasicCompanyDataAsOneFile-2024-03-01.zip"
    assert locate("onspd", paths).name == "ONSPD_FEB_2024_UK.zip"
    (raw / "geography" / "onspd").mkdir(parents=True)
    (raw / "geography" / "onspd" / "ONSPD_MAY_2019_UK.zip").write_bytes(b"x")
    assert find_release("onspd", [raw, mirror]).name == "ONSPD_MAY_2019_UK.zip"  # raw first


def test_registered_with_publisher_urls():
    assert companies_house_url(date(2026, 9, 15)) == (
        "https://download.companieshouse.gov.uk/BasicCompanyDataAsOneFile-2026-09-01.zip")
    for dataset in FIRM_LOCATION_DATASETS:
        assert get_dataset(dataset.id) is dataset
        spec = dataset.files[0]
        assert spec.url.startswith("https://") and dataset.landing_page.startswith("https://")
        assert spec.sha256_16 == ""  # monthly/quarterly releases: never called verified
        assert spec.url in dataset.how_to_get and f"data/raw/{spec.relpath}" in \
            dataset.how_to_get
    companies, onspd = FIRM_LOCATION_DATASETS
    assert re.fullmatch(r"companies-house/BasicCompanyDataAsOneFile-\d{4}-\d{2}-01\.zip",
                        companies.files[0].relpath)
    assert companies.landing_page == "https://download.companieshouse.gov.uk/en_output.html"
    assert onspd.files[0].relpath == "geography/onspd/ONSPD_FEB_2024_UK.zip"
    assert onspd.landing_page.startswith("https://geoportal.statistics.gov.uk/datasets/")
