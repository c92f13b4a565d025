"""ONS input-output analytical tables 2019 (wmresearch.evidence.input_output) and the
input-output statistics built on them (wmresearch.colocation.io_links).

Published values: the workbook's own A (input coefficients), Leontief (Type I inverse) and
Multipliers sheets. Their cells hold ONS's unrounded values (the sheets display 6 decimals),
so our A from the IOT flows and output, the inverse of A and its column sums are compared
with them at 1e-9, and with the 6 printed decimals of a few named cells at 5e-7.
"""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from wmresearch.colocation.io_links import (
    input_coefficients,
    io_relatedness,
    io_relatedness_classes,
    leontief_inverse,
    output_multipliers,
)
from wmresearch.evidence.input_output import get_io_flows, iog_of_sic4, read_multipliers
from wmresearch.evidence.io import DataFileError

BOOK = "ons/input_output/nasu1719in.xlsx"


@pytest.fixture(scope="module")
def book(mirror):
    return mirror / BOOK


@pytest.fixture(scope="module")
def flows(book):
    return get_io_flows(book).data


def _square(flows: pd.DataFrame, value: str) -> pd.DataFrame:
    codes = list(dict.fromkeys(flows["supplier_code"]))
    return flows.pivot(index="supplier_code", columns="user_code", values=value).loc[codes, codes]


def test_shape_and_codes(flows):
    assert len(flows) == 105 * 105
    codes = list(dict.fromkeys(flows["supplier_code"]))
    assert codes[:3] == ["A01", "A02", "A03"] and codes[-1] == "T97"
    assert {"C20A", "C20B", "C20C", "C303", "C3316", "L68A"} <= set(codes)
    a01 = flows[(flows["supplier_code"] == "A01") & (flows["user_code"] == "A01")].iloc[0]
    # printed: IOT A01 x A01 4,635.362757; P1 of A01 30,872; Leontief 1.189597; A 0.150148
    assert a01["flow_gbp_m"] == pytest.approx(4635.362757, abs=5e-7)
    assert a01["user_output_gbp_m"] == 30872
    assert a01["leontief"] == pytest.approx(1.189597, abs=5e-7)
    assert a01["coefficient"] == pytest.approx(0.150148, abs=5e-7)


def test_coefficients_inverse_and_multipliers_match_the_workbook(flows, book):
    published_a = _square(flows, "coefficient")
    assert np.abs(input_coefficients(flows) - published_a).to_numpy().max() < 1e-9
    ours = leontief_inverse(published_a)
    assert np.abs(ours - _square(flows, "leontief")).to_numpy().max() < 1e-9
    printed = read_multipliers(book).set_index("code")["P1"]
    mult = output_multipliers(published_a)
    assert np.abs(mult - printed.reindex(mult.index)).max() < 1e-9
    assert mult["A01"] == pytest.approx(2.034841, abs=5e-7)   # Multipliers sheet, A01, P1
    t97 = read_multipliers(book).set_index("code").loc["T97"]
    # printed "." (not produced: T97 has no direct inputs) and 1 for output
    assert np.isnan(t97["P2"]) and t97["P1"] == 1.0


def test_sic_classes_map_to_input_output_groups(flows):
    codes = list(dict.fromkeys(flows["supplier_code"]))
    got = iog_of_sic4(["2011", "2013", "2015", "2014", "2060", "2012", "2020", "2030", "2351",
                       "2341", "3030", "3020", "3316", "3312", "1101", "1107", "1200", "6820",
                       "6831", "4120", "6512", "9900"], codes)
    assert got.tolist()[:-1] == [
        "C20A", "C20A", "C20A", "C20B", "C20B", "C20C", "C20C", "C203", "C235_6", "C23OTHER",
        "C303", "C30OTHER", "C3316", "C33OTHER", "C1101T1106 & C12", "C1107",
        "C1101T1106 & C12", "L68BXL683", "L683", "F41, F42  & F43", "K65.1-2 & K65.3"]
    assert pd.isna(got.iloc[-1])  # 99: extra-territorial bodies are not measured


def test_io_relatedness_by_hand():
    # z: A sells 10 to B, B sells 30 to A, B uses 20 of its own; outputs A 100, B 200, C 50
    z = {("A", "A"): 0, ("A", "B"): 10, ("A", "C"): 0, ("B", "A"): 30, ("B", "B"): 20,
         ("B", "C"): 5, ("C", "A"): 0, ("C", "B"): 0, ("C", "C"): 0}
    out = {"A": 100.0, "B": 200.0, "C": 50.0}
    flows = pd.DataFrame([{"supplier_code": i, "user_code": j, "flow_gbp_m": v,
                           "user_output_gbp_m": out[j]} for (i, j), v in z.items()])
    rel = io_relatedness(flows)
    # A-B: input_AB = 30/30 (all of A's purchases come from B) = 1
    assert rel.loc["A", "B"] == rel.loc["B", "A"] == 1.0
    # B-C: input_CB = 5/5 = 1 (C buys only from B); output_BC = 5/200
    assert rel.loc["B", "C"] == 1.0
    assert rel.loc["A", "C"] == 0.0
    # own use of B: input_BB = 20/30, output_BB = 20/200
    assert rel.loc["B", "B"] == pytest.approx(20 / 30)
    classes = io_relatedness_classes(pd.concat([flows.replace({"A": "C29", "B": "C22",
                                                               "C": "C303"})]),
                                     ["2910", "2920", "2221", "3030"])
    assert classes.loc["2910", "2920"] == 0.0  # both C29, whose own use is zero here
    assert classes.loc["2910", "2221"] == 1.0
    with pytest.raises(KeyError, match="9900"):
        io_relatedness_classes(flows.replace({"A": "C29", "B": "C22", "C": "C303"}),
                               ["2910", "9900"])


def test_bad_cell_names_sheet_row_and_column(book, tmp_path):
    wb = openpyxl.load_workbook(book)
    wb["IOT"]["D8"] = "n/a"   # supplier A02 (Excel row 8) to user A02 (column D)
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    with pytest.raises(DataFileError, match=r"row 8, column 'D': sheet IOT: not a number"):
        get_io_flows(bad)
