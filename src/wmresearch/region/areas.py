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
        members, title, kind, source = {name: ""}, "", "", "ONS district code history"
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


def district_gva(productivity: pd.DataFrame) -> pd.DataFrame:
    """GVA (£) of each district and year as ONS used it for its district rates: GVA per filled
    job x filled jobs (``lad_code``, ``year``, ``gva``)."""
    rows = productivity[productivity["lad_code"].notna()
                        & productivity["measure"].isin(["gva_per_job", "filled_jobs"])]
    wide = rows.pivot_table(index=["area_code", "year"], columns="measure", values="value",
                            aggfunc="first").dropna().reset_index()
    return pd.DataFrame({"lad_code": wide["area_code"], "year": wide["year"].astype(int),
                         "gva": (wide["gva_per_job"] * wide["filled_jobs"]).astype(float)})


def area_gva(gva_itl3: pd.DataFrame, productivity: pd.DataFrame, lad_itl: pd.DataFrame,
             area: Area, year: int) -> tuple[float, str]:
    """Regional GVA (balanced, current prices, £) of the area in ``year``, and how it was built.

    ONS publishes balanced GVA for ITL3 areas, not districts. An ITL3 area wholly inside the
    area counts in full; one the area shares with other districts is split by its districts'
    shares of the GVA behind ONS's district productivity rates (:func:`district_gva`).

    Raises
    ------
    AreaError
        If a district has no ITL3 area or no GVA that year (named).
    """
    primary = lad_itl[lad_itl["primary"]].set_index("lad_code")["itl3_code"]
    missing = sorted(set(area.lads) - set(primary.index))
    if missing:
        raise AreaError(f"area {area.key!r}: no ITL3 area for {', '.join(missing)}")
    itl3 = sorted(set(primary[area.lad_codes]))
    totals = gva_itl3[(gva_itl3["year"] == year) & (gva_itl3["sic07_code"] == "Total")
                      ].set_index("itl_code")["gva_gbp_m"].astype(float) * 1e6
    dgva = district_gva(productivity)
    dgva = dgva[dgva["year"] == year].set_index("lad_code")["gva"]
    value, split = 0.0, []
    for code in itl3:
        if code not in totals.index:
            raise AreaError(f"area {area.key!r}: no regional GVA for ITL3 {code} in {year}")
        members = list(primary.index[primary == code])
        inside = [m for m in members if m in area.lads]
        if len(inside) == len(members):
            value += totals[code]
            continue
        absent = sorted(set(members) - set(dgva.index))
        if absent:
            raise AreaError(f"area {area.key!r}: no district GVA for {', '.join(absent)} in "
                            f"{year}, needed to split ITL3 {code}")
        value += totals[code] * dgva[inside].sum() / dgva[members].sum()
        split.append(code)
    method = (f"sum of {len(itl3)} ITL3 areas' regional GVA" if not split else
              f"regional GVA of {len(itl3)} ITL3 areas, {len(split)} of them ({', '.join(split)})"
              " split by their districts' shares of ONS's district GVA")
    return value, method


def area_local_rate(local: pd.DataFrame, population: pd.DataFrame, area: Area, indicator: str,
                    weight: str) -> tuple[pd.Series, str]:
    """A rate published for districts (Explore local statistics ``indicator``) over the area,
    by year: the weighted mean of its districts' rates, weights by ``weight``:
    ``"working_age"`` (mid-2021 residents aged 16-64: rates of that population, e.g. the
    employment rate), ``"active"`` (economically active residents, employed / (1 -
    unemployment rate): the unemployment rate) or ``"population"`` (all residents: a per-head
    figure). Returns the series and how it was built.

    Raises
    ------
    AreaError
        A district without the indicator or a population (named).
    """
    rows = local[(local["indicator"] == indicator) & local["areacd"].isin(area.lads)]
    wide = rows.pivot_table(index="year", columns="areacd", values="observation").astype(float)
    wide.columns = wide.columns.astype(str)
    lm = population[population["age_type"] == "Labour Market category"].pivot_table(
        index="lad_code", columns="age", values="population", aggfunc="sum").astype(float)
    lm.index = lm.index.astype(str)
    working = lm[["Aged 16 to 24", "Aged 25 to 49", "Aged 50 to 64"]].sum(axis=1)
    missing = sorted((set(area.lads) - set(wide.columns)) | (set(area.lads) - set(working.index)))
    if missing:
        raise AreaError(f"area {area.key!r}: no {indicator} or population for "
                        f"{', '.join(missing)}")
    wide = wide[area.lad_codes].dropna()
    w = working[area.lad_codes]
    if weight == "active":
        rate = local[(local["indicator"] == "Employment rate") & local["areacd"].isin(area.lads)
                     ].pivot_table(index="year", columns="areacd", values="observation")
        rate.columns = rate.columns.astype(str)
        # economically active = employed / (1 - unemployment rate), employed = rate x 16-64
        active = (rate[area.lad_codes].astype(float) / 100 * w / (1 - wide / 100)).dropna()
        series = (wide * active).dropna().sum(axis=1) / active.sum(axis=1)
        how = "weighted by economically active residents (APS rate x mid-2021 16-64s)"
    else:
        if weight == "population":
            w = lm.loc[area.lad_codes, "All Ages"]
        series = (wide * w).sum(axis=1) / w.sum()
        who = "residents" if weight == "population" else "residents aged 16-64"
        how = f"weighted by mid-2021 {who}"
    return series.dropna(), f"{len(area.lads)} districts' rates {how}"



def area_rate(productivity: pd.DataFrame, area: Area, rate: str, weight: str) -> pd.DataFrame:
    """A rate over the area's districts, weighted by its denominator (e.g. GVA per hour by
    hours worked), with the UK built the same way: see
    :func:`wmresearch.evidence.aggregate.aggregate_rate`."""
    return aggregate_rate(productivity, area.lad_codes, rate, weight)


__all__ = ["Area", "AreaError", "area_gva", "area_local_rate", "area_rate", "area_total",
           "district_gva", "itl2_cover", "load_areas", "resolve_area", "resolve_code"]
