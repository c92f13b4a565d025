"""The study area of every report: one type (:class:`StudyArea`) and one resolver.

An area is given as an ONS code: a combined authority (E47), a region (E12), a country
(E92/W92/S92/N92) or a district (E06/E07/E08/E09/W06/S12/N09, a replaced code followed to its
successor); or as the key of a named area in the versioned ``areas.yaml`` beside this module
(``wmca``, ``midlands_engine``, ``wm_three_lep``), a union of such codes. Every member is
resolved through the ONS code history (the evidence table ``lad_lookup``) to today's
districts, and members may not share a district, so a total over an area counts each district
once.

The resolved area also carries the ITL areas its statistics are published for (from the
evidence table ``lad_itl``), whether they describe exactly the area, and its peers: the
comparable areas ONS publishes figures for, chosen by the area's ``kind`` (regions against
English regions, combined authorities against combined authorities, a district against the
other districts of its region).

Examples
--------
>>> from wmresearch.evidence.tables import Tables       # doctest: +SKIP
>>> area = study_area(Tables(paths), "midlands_engine")  # doctest: +SKIP
>>> len(area.lads), area.peers.label                     # doctest: +SKIP
(65, 'English regions')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Protocol

import pandas as pd
import yaml

from wmresearch.config import Paths
from wmresearch.evidence.tables import Tables

#: Leading characters of the ONS codes an area may be given as.
CODE_PREFIXES = ("E47", "E12", "E92", "W92", "S92", "N92", "E06", "E07", "E08", "E09", "W06",
                 "S12", "N09")
#: Peer groups by kind: (ONS code prefix of the peers, their name in words).
PEER_GROUPS = {"combined authority": ("E47", "combined authorities"),
               "region": ("E12", "English regions"),
               "country": ("", "countries of the United Kingdom")}
COUNTRIES = ("E92000001", "N92000002", "S92000003", "W92000004")


class AreaError(ValueError):
    """An area that cannot be resolved: unknown code or key, or overlapping members."""


class TableSource(Protocol):
    """Anything that gives evidence tables by name (e.g. :class:`~.tables.Tables`)."""

    def get(self, name: str) -> pd.DataFrame | None: ...


@dataclass(frozen=True)
class PeerGroup:
    """The areas a study area is compared with.

    ``kind`` is the kind of peer; ``label`` names the group in words; ``prefix`` selects
    peers by the start of their ONS code (``"E47"``) and ``codes`` lists them when a prefix
    cannot (districts of one region); ``own`` is the area's own code among them (``None``
    when ONS publishes no figure for the area, which is then aggregated from its districts);
    ``excluded`` are peers sharing districts with the area, left out of a comparison;
    ``reason`` says in words why this group, when the kind does not.
    """

    kind: str
    label: str
    prefix: str = ""
    codes: tuple[str, ...] = ()
    own: str | None = None
    excluded: tuple[str, ...] = ()
    reason: str = ""

    def selects(self, code: str) -> bool:
        """Whether ``code`` is a peer (before exclusions)."""
        return code in self.codes if self.codes else code.startswith(self.prefix)


@dataclass(frozen=True)
class StudyArea:
    """A resolved area: its districts, ITL areas and peers.

    ``key`` is the area as given (a named area's key or an ONS code); ``lads`` maps each
    current district code to its name; ``members`` each member code to its districts;
    ``itl3``/``itl2`` map the ITL areas holding its districts to their names;
    ``itl3_exact``/``itl2_exact`` say whether those ITL areas hold exactly the area (no
    district outside it, none split), so that figures published for them describe it;
    ``extra_lads`` names the districts outside the area inside its ITL2 areas; ``code`` is
    the ONS code of the area when it is one ONS area (``wmca`` -> E47000007, a replaced
    district code -> its successor), else its key: the code ONS's own figures are looked up
    by.
    """

    key: str
    name: str
    lads: dict[str, str]
    code: str = ""
    kind: str = ""
    members: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""
    lad_itl3: dict[str, str] = field(default_factory=dict)
    itl3: dict[str, str] = field(default_factory=dict)
    itl2: dict[str, str] = field(default_factory=dict)
    itl3_exact: bool = True
    itl2_exact: bool = True
    extra_lads: tuple[str, ...] = ()
    peers: PeerGroup | None = None

    @property
    def lad_codes(self) -> list[str]:
        return sorted(self.lads)

    @property
    def title(self) -> str:
        return self.name

    def itl_label(self, code: str) -> str:
        """An ITL area's label: "<ONS name> (<code>)"."""
        name = {**self.itl3, **self.itl2}.get(code, code)
        return f"{name} ({code})" if name != code else code

    def itl2_label(self) -> str:
        return ", ".join(self.itl_label(c) for c in self.itl2)

    @property
    def itl2_codes(self) -> list[str]:
        return list(self.itl2)

    @property
    def districts(self) -> pd.DataFrame:
        """One row per district: ``lad_code``, ``lad_name``, ``itl3_code``, ``itl2_code``."""
        codes = self.lad_codes
        itl3 = [self.lad_itl3.get(c) for c in codes]
        return pd.DataFrame({"lad_code": codes, "lad_name": [self.lads[c] for c in codes],
                             "itl3_code": itl3, "itl2_code": [i[:4] if i else None
                                                              for i in itl3]})


def load_areas() -> dict[str, dict]:
    """The named areas of the versioned ``areas.yaml`` shipped with the package."""
    text = resources.files("wmresearch.evidence").joinpath("areas.yaml").read_text("utf-8")
    return yaml.safe_load(text)["areas"]


def _members(spec: dict, key: str) -> list[str]:
    codes: list[str] = []
    groups = spec.get("groups") or {"": spec.get("members") or []}
    for group in groups.values():
        for code in map(str, group):
            if code in codes:
                raise AreaError(f"area {key!r}: member {code} is listed twice")
            codes.append(code)
    if not codes:
        raise AreaError(f"area {key!r} has no members")
    return codes


def resolve_code(lookup: pd.DataFrame, code: str) -> dict[str, str]:
    """Current districts (code -> name) of one ONS code, through the code history.

    A combined authority, region or country code selects the districts whose current code
    carries it; a district code (current or replaced) gives its current district.

    Raises
    ------
    AreaError
        If ``code`` is not a combined authority, region, country or district in ``lookup``.
    """
    columns = {"E47": "cauth_code", "E12": "region_code"}
    column = columns.get(code[:3], "country_code" if code in COUNTRIES else None)
    if column is not None and code in set(lookup[column].dropna()):
        rows = lookup[lookup[column] == code]
        # a current district belongs to the area when its row under the current code does
        current = rows[rows["lad_code"] == rows["lad_code_active"]]
        codes = set((current if len(current) else rows)["lad_code_active"])
    elif code in set(lookup["lad_code"]) or code in set(lookup["lad_code_active"]):
        codes = set(lookup.loc[(lookup["lad_code"] == code)
                               | (lookup["lad_code_active"] == code), "lad_code_active"])
    else:
        raise AreaError(f"unknown area code {code!r}: not a combined authority, region, "
                        "country or district in the ONS code history")
    names = lookup[["lad_code_active", "lad_name_active"]].drop_duplicates()
    names = names[names["lad_code_active"].isin(codes)]
    return dict(zip(names["lad_code_active"], names["lad_name_active"], strict=True))


def _kind_and_name(code: str, lookup: pd.DataFrame, lads: dict[str, str]) -> tuple[str, str]:
    if code.startswith("E47"):
        rows = lookup.loc[lookup["cauth_code"] == code, "cauth_name"].dropna()
        return "combined authority", f"{rows.iloc[0]} Combined Authority"
    if code.startswith("E12"):
        rows = lookup.loc[lookup["region_code"] == code, "region_name"].dropna()
        return "region", f"{rows.iloc[0]} region"
    if code in COUNTRIES:
        return "country", {"E92000001": "England", "N92000002": "Northern Ireland",
                           "S92000003": "Scotland", "W92000004": "Wales"}[code]
    return "district", ", ".join(lads.values())


def _peers(kind: str, own: str | None, lads: Mapping[str, str],
           lookup: pd.DataFrame, reason: str = "") -> PeerGroup:
    active = lookup[(lookup["lad_code"] == lookup["lad_code_active"])
                    & lookup["lad_code"].isin(list(lads))]
    if kind == "district":
        region = active["region_code"].dropna()
        if region.empty:
            return PeerGroup("district", "districts", prefix="E0", own=own)
        name = lookup.loc[lookup["region_code"] == region.iloc[0], "region_name"].iloc[0]
        codes = sorted(resolve_code(lookup, str(region.iloc[0])))
        return PeerGroup("district", f"districts of the {name} region", codes=tuple(codes),
                         own=own, reason=reason)
    prefix, label = PEER_GROUPS.get(kind, PEER_GROUPS["combined authority"])
    kind = kind if kind in PEER_GROUPS else "combined authority"
    column = {"combined authority": "cauth_code", "region": "region_code"}.get(kind,
                                                                             "country_code")
    touching = sorted(set(active[column].dropna()) - {own})
    return PeerGroup(kind, label, prefix=prefix, codes=COUNTRIES if kind == "country" else (),
                     own=own, excluded=tuple(touching), reason=reason)


def _itl(lads: Mapping[str, str], lad_itl: pd.DataFrame,
         itl2_names: Mapping[str, str]) -> dict[str, object]:
    rows = lad_itl[lad_itl["lad_code"].isin(list(lads))]
    missing = sorted(set(lads) - set(rows["lad_code"]))
    if missing:
        raise AreaError(f"district(s) {', '.join(missing)} have no ITL3 area in lad_itl")
    primary = rows[rows["primary"].astype(bool)]
    out: dict[str, object] = {
        "lad_itl3": dict(zip(primary["lad_code"], primary["itl3_code"], strict=True)),
        "itl3": dict(rows.drop_duplicates("itl3_code").sort_values("itl3_code")
                     .set_index("itl3_code")["itl3_name"])}
    for level in ("itl3", "itl2"):
        codes = set(rows[f"{level}_code"])
        inside = lad_itl[lad_itl[f"{level}_code"].isin(codes)]
        # a district split between ITL areas is covered by all of them: only an outsider
        # sharing one of them makes the match inexact
        out[f"{level}_exact"] = set(inside["lad_code"]) <= set(lads)
    itl2 = sorted(set(rows["itl2_code"].dropna()))
    out["itl2"] = {c: str(itl2_names.get(c, c)) for c in itl2}
    outside = lad_itl[lad_itl["itl2_code"].isin(itl2) & ~lad_itl["lad_code"].isin(list(lads))]
    out["extra_lads"] = tuple(sorted(set(outside["lad_name"])))
    return out


def resolve_area(key: str, lookup: pd.DataFrame, *, lad_itl: pd.DataFrame | None = None,
                 itl2_names: Mapping[str, str] | None = None,
                 areas: Mapping[str, dict] | None = None) -> StudyArea:
    """A :class:`StudyArea` from a named area's key or an ONS code.

    Parameters
    ----------
    key
        A key of ``areas`` (e.g. ``"wm_three_lep"``) or an ONS code (``"E47000007"``).
    lookup
        The ONS code history (evidence table ``lad_lookup``).
    lad_itl
        Districts apportioned to ITL areas (evidence table ``lad_itl``); without it the area
        has no ITL areas.
    itl2_names
        ITL2 code -> name (:func:`itl2_labels`); default the codes.
    areas
        Named areas (default :func:`load_areas`).

    Raises
    ------
    AreaError
        An unknown key or member code (named in the message), two members sharing a district
        (both members and the shared districts named), or a district without an ITL area.
    """
    areas = load_areas() if areas is None else areas
    if key in areas:
        spec = dict(areas[key])
        codes = _members(spec, key)
    elif key[:3] in CODE_PREFIXES:
        spec, codes = {}, [key]
    else:
        raise AreaError(f"unknown area {key!r}: not a named area ({', '.join(sorted(areas))}) "
                        "nor the ONS code of a combined authority, region, country or district")
    lads: dict[str, str] = {}
    members: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for code in codes:
        try:
            districts = resolve_code(lookup, code)
        except AreaError as error:
            raise AreaError(f"area {key!r}: {error}" if key != code else str(error)) from None
        shared = sorted(set(districts) & set(lads))
        if shared:
            raise AreaError(f"area {key!r}: members {owner[shared[0]]} and {code} overlap "
                            f"(both contain {', '.join(shared)})")
        lads.update(districts)
        owner.update(dict.fromkeys(districts, code))
        members[code] = tuple(sorted(districts))
    lads = dict(sorted(lads.items()))
    kind, name = _kind_and_name(codes[0], lookup, lads)
    own = None if len(codes) > 1 else next(iter(lads)) if kind == "district" else codes[0]
    peers = _peers(spec.get("peers", spec.get("kind", kind)), own, lads, lookup,
                   spec.get("peers_reason", ""))
    itl: dict[str, object] = {}
    if lad_itl is not None:
        # lad_itl is keyed by the boundaries' district codes, which may predate the lookup's
        current = dict(zip(lookup["lad_code"], lookup["lad_code_active"], strict=True))
        lad_itl = lad_itl.assign(lad_code=lad_itl["lad_code"].map(current)
                                 .fillna(lad_itl["lad_code"]))
        itl = _itl(lads, lad_itl, itl2_names or {})
    return StudyArea(key=key, name=spec.get("name", name), lads=lads, code=own or key,
                     kind=spec.get("kind", kind), members=members,
                     source=spec.get("source", "ONS local authority district code history"),
                     peers=peers, **itl)  # type: ignore[arg-type]


def region_lads(lookup: pd.DataFrame, region: str,
                lad_itl: pd.DataFrame | None = None) -> pd.DataFrame:
    """The current districts of ``region`` (``global.region``: an ONS code or a named area of
    ``areas.yaml``, resolved by :func:`resolve_area`) with their
    combined authority, region and, given ``lad_itl``, the ITL3 area holding most of each
    (columns of :data:`wmresearch.evidence.geography.SCHEMA_REGION_LADS`).

    Raises
    ------
    AreaError
        If ``region`` is not a known area (the message names it).
    """
    area = resolve_area(region, lookup)
    active = lookup[lookup["lad_code"] == lookup["lad_code_active"]]
    out = (active[active["lad_code"].isin(area.lads)]
           [["lad_code", "lad_name", "cauth_code", "cauth_name", "region_code", "region_name"]]
           .sort_values("lad_code").reset_index(drop=True))
    if lad_itl is None:
        return out
    # imported here: pages that only list an area's districts need neither pandera nor
    # geopandas, which the geography module loads
    from wmresearch.evidence.geography import SCHEMA_REGION_LADS, current_lad_codes

    current = current_lad_codes(lookup)
    # the boundaries' district codes may predate the code history's current ones
    itl = lad_itl.loc[lad_itl["primary"], ["lad_code", "itl3_code", "itl3_name", "itl2_code",
                                           "share"]].rename(columns={"share": "itl3_share"})
    itl = itl.assign(lad_code=itl["lad_code"].map(current).fillna(itl["lad_code"]))
    return SCHEMA_REGION_LADS.validate(out.merge(itl, on="lad_code", how="left"))


def itl2_labels(itl2: pd.DataFrame | None, itl1: pd.DataFrame | None) -> dict[str, str]:
    """ITL2 code -> name for reports, from a table with ``itl2_code``/``itl2_name`` (BRES) and
    one with ITL1 ``itl_code``/``itl_name`` (GVA per hour by ITL area).

    ONS reuses a region's name for its metropolitan county (ITL1 TLG and ITL2 TLG3 are both
    "West Midlands"), so an ITL2 area named as its ITL1 region is labelled "... met. county".
    """
    names: dict[str, str] = {}
    if itl2 is not None:
        names.update(itl2.drop_duplicates("itl2_code").set_index("itl2_code")["itl2_name"])
    regions: dict[str, str] = {}
    if itl1 is not None:
        rows = itl1[itl1["itl_code"].str.len() == 3].drop_duplicates("itl_code")
        regions = dict(zip(rows["itl_code"], rows["itl_name"], strict=True))
    return {code: f"{name} met. county" if regions.get(code[:3]) == name else str(name)
            for code, name in names.items()}


def study_area(source: TableSource | Paths, key: str) -> StudyArea:
    """:func:`resolve_area` with the evidence tables it reads: ``lad_lookup``, ``lad_itl``
    and, for ITL names, ``bres_itl2_sic2`` (or ``bres_itl2_sic5``) and ``gva_per_hour_itl``.

    Parameters
    ----------
    source
        The evidence base: a :class:`~wmresearch.evidence.tables.Tables` (or anything with
        ``get(name)``), or the project's :class:`~wmresearch.config.Paths`.
    key
        A named area's key or an ONS code (``global.region``).

    Raises
    ------
    FileNotFoundError
        If the code history is not in the evidence base.
    AreaError
        See :func:`resolve_area`.
    """
    tables = Tables(source) if isinstance(source, Paths) else source
    lookup = tables.get("lad_lookup")
    if lookup is None:
        raise FileNotFoundError("the ONS code history (evidence table lad_lookup) is not built:"
                                " run `dvc repro evidence`")
    bres = tables.get("bres_itl2_sic2")
    bres = bres if bres is not None else tables.get("bres_itl2_sic5")
    return resolve_area(key, lookup, lad_itl=tables.get("lad_itl"),
                        itl2_names=itl2_labels(bres, tables.get("gva_per_hour_itl")))


__all__ = ["AreaError", "PeerGroup", "StudyArea", "itl2_labels", "load_areas", "region_lads",
           "resolve_area", "resolve_code", "study_area"]
