"""The study area in words: its districts and the ITL areas statistics are published for.

Reports name every area as ONS names it, with its code, and never leave a bare code or an
ambiguous name: ONS calls both the ITL1 region TLG and the ITL2 metropolitan county TLG3
"West Midlands", so the ITL2 area is labelled "West Midlands met. county (TLG3)".
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from wmresearch.config import Paths
from wmresearch.region.profile import itl_coverage


@dataclass(frozen=True)
class StudyArea:
    """A region parameter resolved to names: the districts and their ITL areas."""

    code: str
    name: str
    lads: dict[str, str]
    itl3: dict[str, str]
    itl2: dict[str, str]
    itl_exact: bool
    extra_lads: tuple[str, ...] = ()

    @property
    def lad_codes(self) -> list[str]:
        return list(self.lads)

    @property
    def title(self) -> str:
        return self.name if self.name != self.code else ", ".join(self.lads.values())

    def itl_label(self, code: str) -> str:
        """An ITL area's label: "<ONS name> (<code>)"."""
        name = {**self.itl3, **self.itl2}.get(code, code)
        return f"{name} ({code})" if name != code else code

    def itl2_label(self) -> str:
        return ", ".join(self.itl_label(c) for c in self.itl2)

    def describe(self) -> str:
        """One paragraph naming the area, its districts and its ITL areas."""
        lads = ", ".join(f"{n} ({c})" for c, n in self.lads.items())
        text = (f"**{self.name}** (`{self.code}`): {len(self.lads)} district"
                f"{'s' if len(self.lads) != 1 else ''}, {lads}. Statistics published for ITL "
                f"areas use ITL3 {', '.join(self.itl_label(c) for c in self.itl3)} and ITL2 "
                f"{self.itl2_label()}.")
        if not self.itl_exact:
            text += (f" These ITL2 areas also contain {', '.join(self.extra_lads)}, which "
                     "are outside the study area: ITL2 figures describe a larger area.")
        return text


def _itl2_names(bres: pd.DataFrame | None, a4: pd.DataFrame | None) -> dict[str, str]:
    names: dict[str, str] = {}
    if bres is not None:
        names.update(bres.drop_duplicates("itl2_code").set_index("itl2_code")["itl2_name"])
    itl1: dict[str, str] = {}
    if a4 is not None:
        itl1 = dict(a4.loc[a4["itl_code"].str.len() == 3].drop_duplicates("itl_code")
                    .set_index("itl_code")["itl_name"])
    # ONS reuses the region's name for its metropolitan county (TLG3, TLD3 is distinct)
    return {code: (f"{name} met. county" if itl1.get(code[:3]) == name else str(name))
            for code, name in names.items()}


def study_area(paths: Paths, region: str) -> StudyArea:
    """Resolve ``region`` to names from the evidence base (``region_lads``, ``lad_itl``,
    ``lad_lookup``, BRES and Table A4 for ITL names)."""
    def table(name: str) -> pd.DataFrame | None:
        path = paths.evidence / f"{name}.parquet"
        return pd.read_parquet(path) if path.is_file() else None

    lads = table("region_lads")
    if lads is None or lads.empty:
        raise FileNotFoundError(f"{paths.evidence / 'region_lads.parquet'} not found: run "
                                "`dvc repro evidence`")
    lookup, lad_itl = table("lad_lookup"), table("lad_itl")
    if region not in set(lads[["cauth_code", "region_code", "lad_code"]].stack()) \
            and lookup is not None and lad_itl is not None:
        # the evidence was built for another area (e.g. `wmresearch render region -p
        # region=...`): resolve this one from the code history and the ITL apportionment
        from wmresearch.evidence.geography import region_lads

        primary = lad_itl.loc[lad_itl["primary"], ["lad_code", "itl3_code", "itl3_name",
                                                   "itl2_code", "share"]]
        lads = region_lads(lookup, region).merge(
            primary.rename(columns={"share": "itl3_share"}), on="lad_code", how="left")
    if region.startswith("E47") and lads["cauth_name"].notna().any():
        name = f"{lads['cauth_name'].dropna().iloc[0]} Combined Authority"
    elif region.startswith("E12") and lads["region_name"].notna().any():
        name = f"{lads['region_name'].dropna().iloc[0]} region"
    elif len(lads) == 1:
        name = str(lads["lad_name"].iloc[0])
    elif lookup is not None and region in set(lookup["lad_code"]):
        name = str(lookup.set_index("lad_code").loc[region, "lad_name"])
    else:
        name = region
    itl3 = dict(lads.dropna(subset=["itl3_code"]).drop_duplicates("itl3_code")
                .set_index("itl3_code")["itl3_name"])
    itl2_all = _itl2_names(table("bres_itl2_sic2"), table("gva_per_hour_itl"))
    itl2 = {c: itl2_all.get(c, c) for c in sorted(lads["itl2_code"].dropna().unique())}
    extra = itl_coverage(lad_itl, lads)["extra_lads"] if lad_itl is not None else []
    partial = bool((lads.get("itl3_share", pd.Series(1.0)) < 1).any())
    return StudyArea(code=region, name=name,
                     lads=dict(zip(lads["lad_code"], lads["lad_name"], strict=True)),
                     itl3=itl3, itl2=itl2, itl_exact=not extra and not partial,
                     extra_lads=tuple(extra))
