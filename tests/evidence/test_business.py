"""Tests for wmresearch.evidence.business: UK Business Counts enterprises by size band.

Real-file tests compare the cleaned table with an independent read of the raw CSV using the
csv module; broken-file tests write small files in tmp_path, one per failure mode.
"""

from __future__ import annotations

import csv
import gzip
import random
import re
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from wmresearch.evidence.business import SCHEMA_UKBC_SIZEBAND, get_ukbc_sizeband
from wmresearch.evidence.io import DataFileError

UKBC_FILE = "nomis/ukbc_enterprises_gb_sic5_sizeband_2016_2021.csv.gz"
HEADER = ("DATE,GEOGRAPHY_NAME,GEOGRAPHY_CODE,INDUSTRY_NAME,INDUSTRY_CODE,"
          "EMPLOYMENT_SIZEBAND_NAME,COUNT")
GB = "Great Britain,K03000001"


def _raw(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _band_bounds(label: str) -> tuple[int, int | None]:
    """Parse a NOMIS size-band label independently of the module's lookup table."""
    if match := re.fullmatch(r"(\d+) to (\d+)", label):
        return int(match[1]), int(match[2])
    match = re.fullmatch(r"(\d+)\+", label)
    assert match, label
    return int(match[1]), None


def _row(band: str, count: str, code: str = "29100", year: str = "2021") -> str:
    return f"{year},{GB},{code} : Manufacture of motor vehicles,{code},{band},{count}"


def _write(tmp_path: Path, rows: list[str], *, name: str = "ukbc.csv", bom: bool = False,
           gz: bool = False, encoding: str = "utf-8") -> Path:
    data = ("\n".join([HEADER, *rows]) + "\n").encode(encoding)
    data = (b"\xef\xbb\xbf" if bom else b"") + data
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


# --------------------------------------------------------------------------- real file

@pytest.fixture(scope="module")
def ukbc_path(mirror: Path) -> Path:
    path = mirror / UKBC_FILE
    if not path.is_file():
        pytest.skip(f"{UKBC_FILE} is not in the mirror {mirror}")
    return path


@pytest.fixture(scope="module")
def ukbc_raw(ukbc_path: Path) -> list[dict[str, str]]:
    return _raw(ukbc_path)


@pytest.fixture(scope="module")
def ukbc(ukbc_path: Path):
    return get_ukbc_sizeband(ukbc_path)


def test_rows_balance(ukbc, ukbc_raw) -> None:
    keys = {(r["DATE"], r["INDUSTRY_CODE"], r["EMPLOYMENT_SIZEBAND_NAME"]) for r in ukbc_raw}
    assert len(keys) == len(ukbc_raw)  # no duplicate keys in the raw file ...
    assert ukbc.rows_in == len(ukbc_raw)
    assert ukbc.rows_rejected == 0  # ... so nothing is rejected
    assert ukbc.rows_kept + ukbc.rows_rejected == ukbc.rows_in == len(ukbc.data)
    assert ukbc.name == "ukbc_sizeband"


def test_shape_and_years(ukbc, ukbc_raw) -> None:
    data = ukbc.data
    years = sorted({int(r["DATE"]) for r in ukbc_raw})
    assert years == list(range(2016, 2023))  # the file name says 2016-2021; it has 2022
    assert sorted(data["year"].unique()) == years
    n_codes = len({r["INDUSTRY_CODE"] for r in ukbc_raw})
    assert len(data) == len(years) * n_codes * 9
    assert set(data["geography_code"]) == {"K03000001"}
    assert data["sic_code"].str.fullmatch(r"\d{5}").all()
    assert list(data.columns) == list(SCHEMA_UKBC_SIZEBAND.columns)


def test_sizeband_order_and_bounds(ukbc, ukbc_raw) -> None:
    labels = sorted({r["EMPLOYMENT_SIZEBAND_NAME"] for r in ukbc_raw},
                    key=lambda s: _band_bounds(s)[0])
    band = ukbc.data["sizeband"]
    assert isinstance(band.dtype, pd.CategoricalDtype) and band.dtype.ordered
    assert list(band.cat.categories) == labels
    assert labels[0] == "0 to 4" and labels[-1] == "1000+"
    for label in labels:
        lo, hi = _band_bounds(label)
        rows = ukbc.data[band == label]
        assert (rows["sizeband_lower"] == lo).all()
        assert rows["sizeband_upper"].isna().all() if hi is None else \
            (rows["sizeband_upper"] == hi).all()
    # bands tile the employee range without gaps
    bounds = [_band_bounds(label) for label in labels]
    assert all(b[1] + 1 == nxt[0] for b, nxt in zip(bounds, bounds[1:], strict=False))


def test_totals_by_year_match_raw(ukbc, ukbc_raw) -> None:
    expected: dict[int, int] = defaultdict(int)
    for r in ukbc_raw:
        expected[int(r["DATE"])] += int(r["COUNT"])
    got = ukbc.data.groupby("year")["enterprises"].sum()
    assert {int(k): int(v) for k, v in got.items()} == dict(expected)


def test_sampled_rows_match_raw(ukbc, ukbc_raw) -> None:
    indexed = ukbc.data.set_index(["year", "sic_code", "sizeband"])
    for raw in random.Random(11).sample(ukbc_raw, 40):
        out = indexed.loc[(int(raw["DATE"]), raw["INDUSTRY_CODE"],
                           raw["EMPLOYMENT_SIZEBAND_NAME"])]
        assert out["enterprises"] == int(raw["COUNT"])
        assert out["sic_name"] == raw["INDUSTRY_NAME"].split(" : ", 1)[1]


# --------------------------------------------------------------------------- schema

def test_schema_documented() -> None:
    assert SCHEMA_UKBC_SIZEBAND.description and SCHEMA_UKBC_SIZEBAND.strict is True
    assert all(c.description for c in SCHEMA_UKBC_SIZEBAND.columns.values())


# --------------------------------------------------------------------------- broken files

def test_small_file_and_bom(tmp_path: Path) -> None:
    path = _write(tmp_path, [_row("1000+", "5"), _row("0 to 4", "100")], bom=True, gz=True,
                  name="b.csv.gz")
    data = get_ukbc_sizeband(path).data
    assert data["sizeband"].astype(str).tolist() == ["0 to 4", "1000+"]  # sorted by band
    assert data["enterprises"].tolist() == [100, 5]
    assert data["sizeband_upper"].isna().tolist() == [False, True]


def test_thousands_separator(tmp_path: Path) -> None:
    data = get_ukbc_sizeband(_write(tmp_path, [_row("0 to 4", '"15,225"')])).data
    assert data["enterprises"].tolist() == [15225]


def test_suppressed_count(tmp_path: Path) -> None:
    data = get_ukbc_sizeband(_write(tmp_path, [_row("0 to 4", "*"), _row("5 to 9", "")])).data
    assert data["enterprises"].isna().all() and len(data) == 2


def test_non_numeric_count(tmp_path: Path) -> None:
    path = _write(tmp_path, [_row("0 to 4", "10"), _row("5 to 9", "ten")], name="nn.csv")
    with pytest.raises(DataFileError) as info:
        get_ukbc_sizeband(path)
    assert "nn.csv" in str(info.value) and "row 3" in str(info.value)
    assert "'COUNT'" in str(info.value)


def test_fractional_count(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"frac\.csv, row 2, column 'COUNT'"):
        get_ukbc_sizeband(_write(tmp_path, [_row("0 to 4", "2.5")], name="frac.csv"))


def test_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "noband.csv"
    path.write_text(HEADER.replace(",EMPLOYMENT_SIZEBAND_NAME", "") + "\n"
                    f"2021,{GB},29100 : Cars,29100,5\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"noband\.csv.*EMPLOYMENT_SIZEBAND_NAME"):
        get_ukbc_sizeband(path)


def test_latin1_bytes(tmp_path: Path) -> None:
    row = _row("0 to 4", "5").replace("motor", "m\u00f6tor")
    path = _write(tmp_path, [_row("5 to 9", "5"), row], encoding="latin-1", name="l1.csv")
    with pytest.raises(DataFileError) as info:
        get_ukbc_sizeband(path)
    assert "l1.csv" in str(info.value) and info.value.row == 3


def test_truncated_file(tmp_path: Path) -> None:
    path = _write(tmp_path, [_row("0 to 4", "5"), "2021,Great Britain,K030"], name="t.csv")
    with pytest.raises(DataFileError, match=r"t\.csv, row 3.*truncated"):
        get_ukbc_sizeband(path)


def test_unknown_sizeband_rejected(tmp_path: Path) -> None:
    cleaned = get_ukbc_sizeband(_write(tmp_path, [_row("0 to 4", "5"), _row("0-4", "5"),
                                                  _row("250+", "1")]))
    assert len(cleaned.data) == 1
    assert cleaned.rejects["source_row"].tolist() == [3, 4]
    assert cleaned.rejects["reason"].str.contains("size band").all()


def test_bad_code_and_duplicate_rejected(tmp_path: Path) -> None:
    rows = [_row("0 to 4", "5"), _row("0 to 4", "5"), _row("0 to 4", "5", code="X9100")]
    cleaned = get_ukbc_sizeband(_write(tmp_path, rows))
    assert len(cleaned.data) == 1
    assert sorted(cleaned.rejects["source_row"]) == [3, 4]
    reasons = dict(zip(cleaned.rejects["source_row"], cleaned.rejects["reason"], strict=True))
    assert "repeats row 2" in reasons[3] and "SIC" in reasons[4]
