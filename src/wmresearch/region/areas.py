"""Any area as a named union of ONS codes, resolved to current districts.

An area is a combined authority (E47), a region (E12), a district (E06/E07/E08/E09, old codes
followed to their successor), or a named union of these in the versioned ``areas.yaml``
(``wmca``, ``midlands_engine``, ``wm_three_lep``). Every member is resolved through the ONS code
history (the evidence table ``lad_lookup``) and members may not share a district, so a total
over an area counts each district once.

Aggregates use the right weights: totals are sums over districts (:func:`area_total`), rates
are the denominator-weighted mean of district rates, i.e. total numerator over total
denominator (:func:`area_rate`, through
:func:`wmresearch.evidence.aggregate.aggregate_rate`, the way ONS aggregates subregional
productivity).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

import pandas as pd
import yaml

from wmresearch.evidence.aggregate import aggregate_rate


class AreaError(ValueError):
    """An area that cannot be resolved: unknown code or name, or overlapping members."""


@dataclass(frozen=True)
class Area:
    """A resolved area: its key, name, current districts and how each member resolved."""

    key: str
    name: str
    lads: dict[str, str]
    members: dict[str, tuple[str, ...]] = field(default_factory=dict)
    kind: str = ""
    source: str = ""

    @property
    def lad_codes(self) -> list[str]:
        return sorted(self.lads)


def load_areas() -> dict[str, dict]:
    """The named areas of the versioned ``areas.yaml`` shipped with the package."""
    text = resources.files("wmresearch.region").joinpath("areas.yaml").read_text("utf-8")
    return yaml.safe_load(text)["areas"]


def _members(spec: dict, key: str) -> dict[str, str]:
    """Member code -> group label (the group's name, or the area's own name)."""
    out: dict[str, str] = {}
    groups = spec.get("groups") or {"": spec.get("members") or []}
    for group, codes in groups.items():
        for code in codes:
            if code in out:
                raise AreaError(f"area {key!r}: member {code} is listed twice")
            out[str(code)] = group
    if not out:
        raise AreaError(f"area {key!r} has no members")
    return out


def resolve_code(lookup: pd.DataFrame, code: str) -> dict[str, str]:
    """Current districts (code -> name) of one ONS code, through the code history.

    A combined authority or region code selects the districts whose current code carries it;
    a district code (current or replaced) gives its current district.

    Raises
    ------
    AreaError
        If ``code`` is not a combined authority, region or district in ``lookup``.
    """
    active = lookup[["lad_code_active", "lad_name_active"]].drop_duplicates()
    if code in set(lookup["cauth_code"].dropna()) or code in set(lookup["region_code"].dropna()):
        column = "cauth_code" if code.startswith("E47") else "region_code"
        rows = lookup[lookup[column] == code]
        # a current district belongs to the area when its rows under the current code do
        rows = rows[rows["lad_code"] == rows["lad_code_active"]] if \
            (rows["lad_code"] == rows["lad_code_active"]).any() else rows
        codes = set(rows["lad_code_active"])
    elif code in set(lookup["lad_code"]) or code in set(lookup["lad_code_active"]):
        codes = set(lookup.loc[(lookup["lad_code"] == code)
                               | (lookup["lad_code_active"] == code), "lad_code_active"])
    else:
        raise AreaError(f"unknown area code {code!r}: not a combined authority, region or "
                        "district in the ONS code history (lad_lookup)")
    names = active[active["lad_code_active"].isin(codes)]
    return dict(zip(names["lad_code_active"], names["lad_name_active"], strict=True))


def resolve_area(name: str, lookup: pd.DataFrame,
                 areas: dict[str, dict] | None = None) -> Area:
    """An area from its key in ``areas.yaml`` or a single ONS code.

    Parameters
    ----------
    name
        A key of ``areas`` (e.g. ``"wm_three_lep"``) or an ONS code (``"E47000007"``).
    lookup
        The ONS code history (evidence table ``lad_lookup``).
    areas
        Named areas (default: :func:`load_areas`).

    Raises
    ------
    AreaError
        Unknown name or member code (named in the message), or two members sharing a
        district (both members and the shared districts named).
    """
    areas = load_areas() if areas is None else areas
    if name in areas:
        spec = areas[name]
        members = _members(spec, name)
        title, kind, source = spec.get("name", name), spec.get("kind", ""), spec.get("source", "")
    elif name[:3] in {"E47", "E12", "E06", "E07", "E08", "E09", "W06", "S12", "N09"}:
        members, title, kind, source = {name: ""}, "", "", "ONS code history (lad_lookup)"
    else:
        raise AreaError(f"unknown area {name!r}: not a named area ({', '.join(sorted(areas))}) "
                        "nor an ONS code")
    lads: dict[str, str] = {}
    owner: dict[str, str] = {}
    resolved: dict[str, tuple[str, ...]] = {}
    for code in members:
        try:
            districts = resolve_code(lookup, code)
        except AreaError as error:
            raise AreaError(f"area {name!r}: {error}") from None
        shared = sorted(set(districts) & set(lads))
        if shared:
            raise AreaError(f"area {name!r}: members {owner[shared[0]]} and {code} overlap "
                            f"(both contain {', '.join(shared)})")
        lads.update(districts)
        owner.update(dict.fromkeys(districts, code))
        resolved[code] = tuple(sorted(districts))
    if not title:
        row = lookup[lookup["cauth_code"] == name]
        title = (f"{row['cauth_name'].iloc[0]} Combined Authority" if name.startswith("E47")
                 and len(row) else
                 f"{lookup.loc[lookup['region_code'] == name, 'region_name'].iloc[0]} region"
                 if name.startswith("E12") else ", ".join(lads.values()))
    return Area(key=name, name=title, lads=dict(sorted(lads.items())), members=resolved,
                kind=kind, source=source)


def itl2_cover(area: Area, lad_itl: pd.DataFrame) -> tuple[list[str], bool]:
    """The ITL2 areas holding the area's districts, and whether they hold exactly the area
    (no district outside it, none split): statistics published only for ITL2 areas (BRES by
    industry) describe the area only when exact."""
    rows = lad_itl[lad_itl["lad_code"].isin(area.lads)]
    codes = sorted(rows["itl2_code"].unique())
    inside = lad_itl[lad_itl["itl2_code"].isin(codes)]
    exact = set(inside["lad_code"]) == set(area.lads) and bool((inside["share"] == 1).all())
    return codes, exact


def area_total(frame: pd.DataFrame, area: Area, value: str, *, code: str = "lad_code",
               by: str = "year") -> pd.Series:
    """A total (jobs, GVA, people) over the area's districts, by ``by``: a plain sum.

    Raises
    ------
    AreaError
        If a district of the area has no row for a value of ``by`` that others have (a sum
        over fewer districts would be silently short).
    """
    rows = frame[frame[code].isin(area.lads)]
    counts = rows.groupby(by)[code].nunique()
    short = counts[counts < len(area.lads)]
    if len(short):
        missing = sorted(set(area.lads) - set(rows.loc[rows[by] == short.index[0], code]))
        raise AreaError(f"area {area.key!r}: {value} missing for {', '.join(missing)} in "
                        f"{by} {short.index[0]}")
    return rows.groupby(by)[value].sum().astype(float)


def area_rate(productivity: pd.DataFrame, area: Area, rate: str, weight: str) -> pd.DataFrame:
    """A rate over the area's districts, weighted by its denominator (e.g. GVA per hour by
    hours worked), with the UK built the same way: see
    :func:`wmresearch.evidence.aggregate.aggregate_rate`."""
    return aggregate_rate(productivity, area.lad_codes, rate, weight)


__all__ = ["Area", "AreaError", "area_rate", "area_total", "itl2_cover", "load_areas",
           "resolve_area", "resolve_code"]
