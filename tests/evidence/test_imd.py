"""English Indices of Deprivation 2019 (files 1, 2, 6) getter."""

from __future__ import annotations

import csv
import gzip

import pytest

from wmresearch.evidence.imd import N_LSOA, expected_decile, get_imd
from wmresearch.evidence.io import DataFileError

FILES = ("mhclg/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz",
         "mhclg/File_2_-_IoD2019_Domains_of_Deprivation.csv.gz",
         "mhclg/File_6_-_IoD2019_Population_Denominators.csv.gz")


@pytest.fixture(scope="module")
def real(mirror):
    return get_imd(*(mirror / f for f in FILES))


def test_all_lsoas_kept_and_ranks_are_a_competition_ranking(real):
    """Published ranks share a rank where scores tie (1, 2, 2, 4): 26 tied pairs in 2019."""
    assert real.rows_in == N_LSOA == len(real.data) and real.rows_rejected == 0
    ranks = real.data["imd_rank"].astype(int)
    assert (ranks.rank(method="min").astype(int) == ranks).all()
    assert ranks.min() == 1 and ranks.max() <= N_LSOA


def test_birmingham_matches_an_independent_read(real, mirror):
    with gzip.open(mirror / FILES[0], "rt", encoding="utf-8-sig") as fh:
        rows = [r for r in csv.DictReader(fh)
                if r["Local Authority District code (2019)"] == "E08000025"]
    decile1 = sum(r["Index of Multiple Deprivation (IMD) Decile"] == "1" for r in rows)
    got = real.data[real.data["lad19_code"] == "E08000025"]
    assert len(got) == len(rows)
    assert int((got["imd_decile"] == 1).sum()) == decile1
    first = rows[0]
    row = got.set_index("lsoa11_code").loc[first["LSOA code (2011)"]]
    assert row["imd_rank"] == int(first["Index of Multiple Deprivation (IMD) Rank"]
                                  .replace(",", ""))


def test_population_total_matches_file6(real, mirror):
    with gzip.open(mirror / FILES[2], "rt", encoding="utf-8-sig") as fh:
        total = sum(int(r["Total population: mid 2015 (excluding prisoners)"].replace(",", ""))
                    for r in csv.DictReader(fh))
    assert int(real.data["population_2015"].sum()) == total


def _write(path, header, rows):
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        fh.write("\ufeff")
        csv.writer(fh).writerows([header, *rows])
    return path


@pytest.fixture
def small(tmp_path, mirror):
    """Three tiny files with the real headers and two LSOAs."""
    out = []
    for i, rel in enumerate(FILES):
        with gzip.open(mirror / rel, "rt", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            rows = [next(reader), next(reader)]
        out.append((tmp_path / f"f{i}.csv.gz", header, rows))
    return out


def test_rank_mismatch_between_files_is_rejected(small):
    (p1, h1, r1), (p2, h2, r2), (p6, h6, r6) = small
    r1[1][4] = "1"  # File 1 says rank 1 for the second LSOA; File 2 disagrees
    cleaned = get_imd(_write(p1, h1, r1), _write(p2, h2, r2), _write(p6, h6, r6))
    assert cleaned.rows_in == 2 and cleaned.rows_rejected == 1
    assert "differs between File 1 and File 2" in cleaned.rejects["reason"].iloc[0]


def test_non_numeric_rank_names_file_row_column(small):
    (p1, h1, r1), (p2, h2, r2), (p6, h6, r6) = small
    r2[0][6] = "n.a."
    with pytest.raises(DataFileError, match=r"f1.csv.gz, row 2, column 'Income Rank"):
        get_imd(_write(p1, h1, r1), _write(p2, h2, r2), _write(p6, h6, r6))


def test_missing_column_is_named(small):
    (p1, h1, r1), (p2, h2, r2), (p6, h6, r6) = small
    h6 = [h.replace("Total population", "Population") for h in h6]
    with pytest.raises(DataFileError, match="Total population: mid 2015"):
        get_imd(_write(p1, h1, r1), _write(p2, h2, r2), _write(p6, h6, r6))


def test_expected_decile_boundaries():
    import pandas as pd

    ranks = pd.Series([1, 3284, 3285, 32844])
    assert expected_decile(ranks).tolist() == [1, 1, 2, 10]
