"""Input-output links between industries: Leontief inverse and DPS (2016) IO relatedness.

From a long table of domestic inter-industry flows :math:`z_{ij}` (supplier *i* to user
*j*, GBP million) and each industry's total output :math:`x_j` (the evidence table
``io_flows_2019``, ONS input-output analytical tables 2019, 105 industries):

* direct input coefficients :math:`a_{ij} = z_{ij} / x_j` and the Type I Leontief inverse
  :math:`L = (I - A)^{-1}`, whose column sums are the Type I output multipliers (Miller &
  Blair 2009, *Input-Output Analysis*, 2nd ed., eqs. 2.4, 2.11 and 6.4);
* DPS input-output relatedness (Delgado, Porter & Stern 2016, *J. Econ. Geography* 16(1),
  section 3.2): :math:`IO_{ij} = \\max(input_{ij}, input_{ji}, output_{ij}, output_{ji})`
  with :math:`input_{ij}` the share of industry *i*'s purchased intermediate inputs that come
  from *j* (:math:`z_{ji} / \\sum_k z_{ki}`) and :math:`output_{ij}` the share of *i*'s
  output sold to *j* (:math:`z_{ij} / x_i`). DPS use the US benchmark IO accounts at 6-digit
  NAICS; the UK tables have 105 industries, so SIC classes inherit their input-output group's
  links (:func:`io_relatedness_classes`): two classes of one group (e.g. 20.11 and 20.13,
  both in C20A) are related by the group's own-use share, and a group is never split by
  weights, because no open table says how its flows divide between its classes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from wmresearch.evidence.input_output import iog_of_sic4

FLOW_COLUMNS = ("supplier_code", "user_code", "flow_gbp_m", "user_output_gbp_m")


def _matrix(flows: pd.DataFrame, value: str) -> pd.DataFrame:
    missing = [c for c in FLOW_COLUMNS if c not in flows]
    if missing:
        raise KeyError(f"flow table lacks columns {missing}")
    codes = list(dict.fromkeys(flows["supplier_code"].astype(str)))
    wide = flows.pivot(index="supplier_code", columns="user_code", values=value)
    if wide.isna().any().any() or sorted(wide.columns) != sorted(codes):
        raise ValueError("flow table is not a complete square of supplier x user industries")
    return wide.loc[codes, codes].astype(float)


def output_by_industry(flows: pd.DataFrame) -> pd.Series:
    """Total output :math:`x_j` of each industry (one value per user, checked constant)."""
    out = flows.groupby("user_code", sort=False)["user_output_gbp_m"]
    if (out.nunique() > 1).any():
        raise ValueError("user_output_gbp_m differs between rows of one user industry")
    return out.first().astype(float)


def input_coefficients(flows: pd.DataFrame) -> pd.DataFrame:
    """Direct input coefficients :math:`a_{ij} = z_{ij}/x_j` (Miller & Blair eq. 2.4);
    a column with zero output (no production) is all zero."""
    z = _matrix(flows, "flow_gbp_m")
    x = output_by_industry(flows).reindex(z.columns)
    return z.div(x.where(x > 0), axis=1).fillna(0.0)


def leontief_inverse(coefficients: pd.DataFrame) -> pd.DataFrame:
    """Type I Leontief inverse :math:`(I - A)^{-1}` (Miller & Blair eq. 2.11).

    Raises
    ------
    ValueError
        A non-square matrix, or :math:`I - A` singular.
    """
    a = coefficients.to_numpy(float)
    if a.shape[0] != a.shape[1] or list(coefficients.index) != list(coefficients.columns):
        raise ValueError("coefficients must be square with the same industries as rows/columns")
    try:
        inv = np.linalg.inv(np.eye(len(a)) - a)
    except np.linalg.LinAlgError as exc:
        raise ValueError("I - A is singular: no Leontief inverse") from exc
    return pd.DataFrame(inv, index=coefficients.index, columns=coefficients.columns)


def output_multipliers(coefficients: pd.DataFrame) -> pd.Series:
    """Type I output multipliers: column sums of the Leontief inverse (Miller & Blair 6.4)."""
    return leontief_inverse(coefficients).sum(axis=0).rename("output_multiplier")


def io_relatedness(flows: pd.DataFrame) -> pd.DataFrame:
    """DPS (2016) input-output relatedness between input-output industries (see module).

    Returns
    -------
    pandas.DataFrame
        Symmetric industries x industries :math:`IO_{ij}` in [0, 1]; the diagonal is the
        industry's own-use share :math:`\\max(input_{ii}, output_{ii})`.
    """
    z = _matrix(flows, "flow_gbp_m").to_numpy()
    x = output_by_industry(flows).reindex(_matrix(flows, "flow_gbp_m").index).to_numpy()
    bought = z.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        inputs = np.where(bought[:, None] > 0, z.T / bought[:, None], 0.0)   # i buys from j
        outputs = np.where(x[:, None] > 0, z / x[:, None], 0.0)              # i sells to j
    rel = np.maximum.reduce([inputs, inputs.T, outputs, outputs.T])
    codes = list(dict.fromkeys(flows["supplier_code"].astype(str)))
    return pd.DataFrame(rel, index=codes, columns=codes)


def io_relatedness_classes(flows: pd.DataFrame, classes: Sequence[str]) -> pd.DataFrame:
    """DPS IO relatedness between SIC 2007 classes, each inheriting its group's links.

    Raises
    ------
    KeyError
        A class no input-output industry covers (e.g. 98xx, 99xx), named.
    """
    rel = io_relatedness(flows)
    iog = iog_of_sic4(list(classes), list(rel.index))
    absent = [c for c, g in zip(classes, iog, strict=True) if pd.isna(g)]
    if absent:
        raise KeyError(f"SIC classes {absent[:10]} are in no input-output industry")
    codes = iog.astype(str).to_numpy()
    out = rel.loc[codes, codes].to_numpy()
    return pd.DataFrame(out, index=list(classes), columns=list(classes))


__all__ = ["input_coefficients", "io_relatedness", "io_relatedness_classes",
           "leontief_inverse", "output_by_industry", "output_multipliers"]
