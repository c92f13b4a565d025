"""Inter-industry flows of the UK economy: ONS input-output analytical tables, 2019.

Source
------
ONS, *UK input-output analytical tables: industry by industry*, 2019 (consistent with Blue
Book 2022 and Pink Book 2022), workbook ``nasu1719in.xlsx``. Sheets used:

* ``IOT``: domestic use at basic prices, industry by industry, GBP million; 105 industries
  in rows (suppliers) and columns (users), headed by "SIC" codes in row 4 / column A, then
  final demand columns and, below, primary inputs down to ``P1`` (total output);
* ``A``: direct input coefficients (flow / user's total output), printed to 6 decimals;
* ``Leontief``: the Type I inverse :math:`(I - A)^{-1}`, printed to 6 decimals;
* ``Multipliers``: Type I multipliers (``P1`` output, ``GVA``, ``D1`` compensation ...).

The 105 industry codes are input-output groups (IOGs), each one SIC 2007 division, group,
class or a combination: ``C101`` (group 10.1), ``C102_3`` (groups 10.2-10.3),
``C1101T1106 & C12`` (classes 11.01-11.06 and division 12), ``C23OTHER`` (the rest of
division 23), ``C20A`` (classes 20.11, 20.13, 20.15; the ``IOGs`` sheet spells them out),
``L68A`` (imputed rental, which has no employment). :data:`IOG_SIC` lists every code's SIC
prefixes; :func:`iog_of_sic4` maps a SIC class to its IOG by the longest matching prefix.

Quirks found in the real workbook (checked by the tests): multiplier cells printed as "."
or ".." where ONS does not produce one (T97: no direct inputs); a header row of codes and a
row of names above the data; primary-input rows coded ``D1``, ``GOS & MI``, ``GVA``, ``P1``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl.utils
import pandas as pd
import pandera.pandas as pa

from wmresearch.evidence.io import Cleaned, DataFileError, string_columns

N_INDUSTRIES = 105

#: SIC 2007 prefixes (division, group or class, no dots) of each IOG code of the workbook.
#: Where an "OTHER" code is the rest of a division, the division is listed and the more
#: specific codes win by longest prefix (:func:`iog_of_sic4`).
IOG_SIC: dict[str, tuple[str, ...]] = {
    "C102_3": ("102", "103"), "C1101T1106 & C12": ("1101", "1102", "1103", "1104", "1105",
                                                   "1106", "12"),
    "C20A": ("2011", "2013", "2015"), "C20B": ("2014", "2016", "2017", "2060"),
    "C20C": ("2012", "2020"), "C235_6": ("235", "236"), "C23OTHER": ("23",),
    "C241T243": ("241", "242", "243"), "C244_5": ("244", "245"), "C25OTHER": ("25",),
    "C30OTHER": ("30",), "C33OTHER": ("33",), "D352_3": ("352", "353"),
    "F41, F42  & F43": ("41", "42", "43"), "H491_2": ("491", "492"),
    "H493T495": ("493", "494", "495"), "J59 & J60": ("59", "60"),
    "K65.1-2 & K65.3": ("65",), "L68A": (), "L68BXL683": ("681", "682"),
    "B06 & B07": ("06", "07"), "Q87 & Q88": ("87", "88"),
}

SCHEMA_IO_FLOWS = pa.DataFrameSchema(
    {
        "supplier_code": pa.Column("string", description="Supplying industry (IOG code as "
                                   "printed, e.g. C20A)"),
        "supplier_name": pa.Column("string", description="Supplying industry name"),
        "user_code": pa.Column("string", description="Using industry (IOG code)"),
        "user_name": pa.Column("string", description="Using industry name"),
        "flow_gbp_m": pa.Column(float, pa.Check.ge(0), description="Domestic intermediate "
                                "use, basic prices, GBP million, 2019 (IOT sheet)"),
        "user_output_gbp_m": pa.Column(float, pa.Check.ge(0), description="Total output of "
                                       "the using industry at basic prices (IOT row P1)"),
        "coefficient": pa.Column(float, description="Direct input coefficient as printed "
                                 "(A sheet)"),
        "leontief": pa.Column(float, description="Type I Leontief inverse entry as printed "
                              "(Leontief sheet)"),
    },
    strict=True, unique=["supplier_code", "user_code"],
    description="ONS UK input-output analytical tables 2019, industry by industry: 105 x 105 "
    "domestic flows with the published coefficients and Type I inverse (Crown copyright, "
    "OGL v3)",
)


def _sheet(path: Path, name: str) -> pd.DataFrame:
    try:
        return pd.read_excel(path, sheet_name=name, header=None, engine="openpyxl")
    except ValueError as exc:
        raise DataFileError(path, f"sheet {name!r} not found ({exc})") from exc


def _square(path: Path, sheet: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The 105 x 105 industry block of a sheet whose codes head column A and one row."""
    col_a = frame.iloc[:, 0].astype("string").str.strip()
    header_rows = [i for i in range(min(10, len(frame)))
                   if str(frame.iat[i, 1]).strip() == "SIC" and str(frame.iat[i, 2]).strip()]
    if not header_rows:
        raise DataFileError(path, f"sheet {sheet}: no row headed 'SIC' in column B")
    head = header_rows[0]
    codes = [str(c).strip() for c in frame.iloc[head, 2:2 + N_INDUSTRIES]]
    if "_T" in codes or len(codes) != N_INDUSTRIES:
        raise DataFileError(path, f"sheet {sheet}: expected {N_INDUSTRIES} industry columns",
                            row=head + 1)
    first = col_a[col_a.eq(codes[0])].index
    if first.empty:
        raise DataFileError(path, f"sheet {sheet}: industry row {codes[0]!r} not found",
                            column="A")
    block = frame.iloc[first[0]:first[0] + N_INDUSTRIES]
    rows = [str(c).strip() for c in block.iloc[:, 0]]
    if rows != codes:
        bad = next(i for i, (a, b) in enumerate(zip(rows, codes, strict=True)) if a != b)
        raise DataFileError(path, f"sheet {sheet}: industry {rows[bad]!r} where the columns "
                            f"have {codes[bad]!r}", row=first[0] + bad + 1, column="A")
    values = block.iloc[:, 2:2 + N_INDUSTRIES].apply(pd.to_numeric, errors="coerce")
    if values.isna().any().any():
        i, j = np.argwhere(values.isna().to_numpy())[0]
        raise DataFileError(path, f"sheet {sheet}: not a number ({block.iat[i, j + 2]!r})",
                            row=first[0] + i + 1,
                            column=openpyxl.utils.get_column_letter(j + 3))
    values.index, values.columns = codes, codes
    return values.astype(float), [str(n).strip() for n in block.iloc[:, 1]]


def read_multipliers(path: Path | str) -> pd.DataFrame:
    """The ``Multipliers`` sheet as printed: one row per industry (``code``, ``name``), one
    column per multiplier code (``P1`` output, ``GVA``, ``D1``, ...); "." and ".." (not
    produced) become NaN."""
    path = Path(path)
    frame = _sheet(path, "Multipliers")
    head = next((i for i in range(10) if str(frame.iat[i, 0]).strip() == "SIC"), None)
    if head is None:
        raise DataFileError(path, "sheet Multipliers: no row headed 'SIC'", column="A")
    body = frame.iloc[head + 1:head + 1 + N_INDUSTRIES]
    out = pd.DataFrame({"code": body.iloc[:, 0].astype(str).str.strip(),
                        "name": body.iloc[:, 1].astype(str).str.strip()})
    for j in range(2, frame.shape[1]):
        code, name = (str(frame.iat[head - k, j]).strip() for k in (2, 1))
        key = code if code not in ("", "nan") else name
        if key not in ("", "nan"):
            out[key] = pd.to_numeric(body.iloc[:, j], errors="coerce").to_numpy()
    return out.reset_index(drop=True)


def get_io_flows(path: Path | str) -> Cleaned:
    """Domestic inter-industry flows, total output, published A and Type I inverse, 2019.

    Parameters
    ----------
    path
        ``nasu1719in.xlsx`` (ONS UK input-output analytical tables, industry by industry,
        2019).

    Returns
    -------
    Cleaned
        ``name="io_flows_2019"``, long (105 x 105 rows), columns of :data:`SCHEMA_IO_FLOWS`.
        ``rows_in`` counts cells of the IOT industry block; none is rejected (a non-numeric
        cell is an error).

    Raises
    ------
    DataFileError
        Missing sheet, industry codes out of order between rows and columns, a non-numeric
        cell, no ``P1`` row (naming sheet, Excel row and column).
    """
    path = Path(path)
    iot = _sheet(path, "IOT")
    flows, names = _square(path, "IOT", iot)
    coef, _ = _square(path, "A", _sheet(path, "A"))
    leon, _ = _square(path, "Leontief", _sheet(path, "Leontief"))
    p1 = iot.index[iot.iloc[:, 0].astype("string").str.strip().eq("P1")]
    if p1.empty:
        raise DataFileError(path, "sheet IOT: no row P1 (total output)", column="A")
    head = next(i for i in range(10) if str(iot.iat[i, 1]).strip() == "SIC")
    cols = [str(c).strip() for c in iot.iloc[head, 2:2 + N_INDUSTRIES]]
    output = pd.Series(pd.to_numeric(iot.iloc[p1[0], 2:2 + N_INDUSTRIES]).to_numpy(float),
                       index=cols)
    codes = list(flows.index)
    name_of = dict(zip(codes, names, strict=True))
    long = flows.stack().rename("flow_gbp_m").rename_axis(["supplier_code", "user_code"])
    data = long.reset_index()
    data["supplier_name"] = data["supplier_code"].map(name_of)
    data["user_name"] = data["user_code"].map(name_of)
    data["user_output_gbp_m"] = data["user_code"].map(output)
    data["coefficient"] = coef.stack().to_numpy()
    data["leontief"] = leon.stack().to_numpy()
    schema = SCHEMA_IO_FLOWS
    data = data[list(schema.columns)].astype(string_columns(schema))
    schema.validate(data, lazy=True)
    return Cleaned(name="io_flows_2019", data=data, rows_in=len(data))


def iog_of_sic4(codes: pd.Series | list[str], iog_codes: list[str]) -> pd.Series:
    """IOG code of each SIC 2007 class (4 digits, no dot), by the longest matching prefix.

    Codes not listed in :data:`IOG_SIC` are read from their form: a section letter then two
    digits (division), three (group) or four (class). A class no IOG covers maps to NA.
    """
    prefixes: dict[str, str] = {}
    for code in iog_codes:
        own = IOG_SIC.get(code)
        if own is None:
            digits = code[1:]
            if not digits.isdigit() or len(digits) not in (2, 3, 4):
                raise ValueError(f"IOG code {code!r} has no SIC prefix rule; add it to IOG_SIC")
            own = (digits,)
        for p in own:
            prefixes[p] = code
    out = []
    for c in pd.Series(codes, dtype="string").fillna(""):
        hit = next((prefixes[c[:n]] for n in (4, 3, 2) if c[:n] in prefixes), None)
        out.append(hit)
    return pd.Series(out, index=pd.Series(codes).index if isinstance(codes, pd.Series)
                     else None, dtype="string", name="iog_code")


__all__ = ["IOG_SIC", "SCHEMA_IO_FLOWS", "get_io_flows", "iog_of_sic4", "read_multipliers"]
