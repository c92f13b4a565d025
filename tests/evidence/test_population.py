"""Mid-2021 population estimates (NOMIS NM_2002).

Published figures used:

* WMCA (seven districts) mid-2021 population 2,916,100 "(ONS, 2022)", i.e. the mid-2021
  estimates published in 2022, rounded to the nearest 100: Lancaster University Work
  Foundation, "West Midlands City Region Employment Profile"
  (https://lancaster.ac.uk/work-foundation/publications/west-midlands). Tolerance: +-50.
* Birmingham, Census 2021 (21 March 2021): 1,144,900, rounded to the nearest 100 (ONS,
  quoted by Birmingham City Council, https://www.birmingham.gov.uk/info/20057/
  about_birmingham/1294/population_and_census). The mid-year estimate (30 June 2021) rolls
  the Census forward three months, so it must lie within 0.5% of it (not equal).
* NOMIS's own combined-authority row (E47000007) in the same extract, which the getter
  rejects as an aggregate: the seven districts must add to it exactly.
"""

from __future__ import annotations

import csv

import pytest

from wmresearch.evidence.geography import current_lad_codes, get_la_codes
from wmresearch.evidence.io import DataFileError
from wmresearch.evidence.population import get_population_mye2021, population_totals

FILE = "nomis/nomis_NM_2002_mye2021_lad.csv"
WM7 = [f"E080000{i}" for i in range(25, 32)]


@pytest.fixture(scope="module")
def real(mirror):
    lookup = current_lad_codes(get_la_codes(mirror / "geography/la_all_codes.csv.gz").data)
    return get_population_mye2021(mirror / FILE, lookup)


def test_wmca_total_matches_published_and_nomis_aggregate(real):
    totals = population_totals(real.data).set_index("lad_code")["population"]
    wmca = int(totals[WM7].sum())
    assert abs(wmca - 2_916_100) <= 50
    ca = real.rejects[(real.rejects["GEOGRAPHY_CODE"] == "E47000007")
                      & (real.rejects["C_AGE_NAME"] == "All Ages")]
    assert int(ca["OBS_VALUE"].iloc[0]) == wmca


def test_birmingham_close_to_census_2021(real):
    bham = population_totals(real.data).set_index("lad_code").loc["E08000025", "population"]
    assert abs(bham - 1_144_900) / 1_144_900 < 0.005


def test_labour_market_age_groups_partition_all_ages(real):
    lm = real.data[real.data["age_type"] == "Labour Market category"]
    wide = lm.pivot(index="lad_code_original", columns="age", values="population")
    parts = ["Aged 0 to 15", "Aged 16 to 24", "Aged 25 to 49", "Aged 50 to 64", "Aged 65+"]
    assert (wide[parts].sum(axis=1) == wide["All Ages"]).all()


def test_april_2021_districts_merge_into_current_codes(real):
    originals = {"E07000026", "E07000028", "E07000029"}  # Allerdale, Carlisle, Copeland
    data = real.data[real.data["age"] == "All Ages"]
    parts = data[data["lad_code_original"].isin(originals)]
    assert set(parts["lad_code"]) == {"E06000063"}
    totals = population_totals(real.data).set_index("lad_code")["population"]
    assert totals["E06000063"] == parts["population"].sum()
    assert real.rows_in == real.rows_kept + real.rows_rejected


def test_truncated_extract_names_the_row(tmp_path, mirror):
    with open(mirror / FILE, encoding="utf-8") as fh:
        lines = fh.readlines()[:5]
    path = tmp_path / "nm2002.csv"
    path.write_text("".join(lines) + lines[5 - 1][:60], encoding="utf-8")
    with pytest.raises(DataFileError, match="row 6.*truncated"):
        get_population_mye2021(path)


def test_non_numeric_value_names_row_and_column(tmp_path, mirror):
    with open(mirror / FILE, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[:4]
    rows[3][rows[0].index("OBS_VALUE")] = "1,0x2"
    path = tmp_path / "nm2002.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    with pytest.raises(DataFileError, match="row 4, column 'OBS_VALUE'"):
        get_population_mye2021(path)
