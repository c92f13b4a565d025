"""IoD2025 against IoD2019: decile-1 shares by district, on the MHCLG files."""

from __future__ import annotations

import pandas as pd
import pytest

from wmresearch.evidence.imd import get_imd
from wmresearch.evidence.iod2025 import get_iod2025_imd
from wmresearch.region.deprivation import CAVEAT, decile_one_share, deprivation_change

WM7 = [f"E080000{i}" for i in range(25, 32)]
IOD2019 = ["mhclg/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz",
           "mhclg/File_2_-_IoD2019_Domains_of_Deprivation.csv.gz",
           "mhclg/File_6_-_IoD2019_Population_Denominators.csv.gz"]


@pytest.fixture(scope="module")
def iod2025(mirror):
    return get_iod2025_imd(mirror / "mhclg/File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx"
                           ).data


@pytest.fixture(scope="module")
def iod2019(mirror):
    return get_imd(*(mirror / f for f in IOD2019)).data


def test_wmca_decile_one_counts_2025(iod2025, iod2019):
    # IoD2025 File 1: 466 LSOAs of the seven WMCA districts in national decile 1, 282 of
    # them in Birmingham (counted independently from the workbook cells with openpyxl in
    # tests/evidence/test_iod2025.py).
    out = deprivation_change(iod2025, iod2019, WM7, total_label="WMCA")
    table = out.table.set_index("lad_code")
    assert table.loc["total", "decile1_2025"] == 466
    assert table.loc["E08000025", "decile1_2025"] == 282
    assert table.loc["total", "lsoas_2025"] == table.loc[WM7, "lsoas_2025"].sum()
    assert out.caveat == CAVEAT and "2011" in CAVEAT and "2021" in CAVEAT
    assert table["change_pp"].to_numpy() == pytest.approx(
        (table["share_2025"] - table["share_2019"]).to_numpy())


def test_iod2019_top_five_districts_match_the_statistical_release(iod2019):
    # MHCLG, IoD2019 Statistical Release (26 Sep 2019), key findings: "Middlesbrough,
    # Liverpool, Knowsley, Kingston upon Hull and Manchester are the local authorities with
    # the highest proportions of neighbourhoods among the most deprived in England".
    shares = decile_one_share(iod2019, "lad19_code")["share"].sort_values(ascending=False)
    assert shares.index[:5].tolist() == ["E06000002", "E08000012", "E08000011", "E06000010",
                                         "E08000003"]


def test_single_district_has_no_total_row(iod2025, iod2019):
    out = deprivation_change(iod2025, iod2019, ["E08000025"]).table
    assert out["lad_code"].tolist() == ["E08000025"]
    assert out["share_2025"].iloc[0] == pytest.approx(100 * 282 / out["lsoas_2025"].iloc[0])


def test_missing_district_names_the_edition(iod2025, iod2019):
    with pytest.raises(KeyError, match=r"E08009999.*IoD2025"):
        deprivation_change(iod2025, iod2019, ["E08009999"])


def test_bad_decile_is_reported_with_its_row():
    lsoas = pd.DataFrame({"lad": ["A", "A", "B"], "imd_decile": [1, 11, 3]})
    with pytest.raises(ValueError, match=r"'imd_decile': row 1 has decile 11"):
        decile_one_share(lsoas, "lad")
    ok = decile_one_share(lsoas.iloc[[0, 2]], "lad")
    assert ok.loc["A", "share"] == 100 and ok.loc["B", "share"] == 0
