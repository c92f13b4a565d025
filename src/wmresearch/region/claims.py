"""The claims register: each published headline recomputed from the evidence base, with a
verdict and its reason in words.

A claim (``claims.yaml``) names its area, measure, period and value; one function per measure
(:data:`MEASURES`) recomputes the nearest official figure the evidence base holds. Verdicts:
**matches** (within half the unit of the last digit printed, inside a published range, or on
the stated side of a bound); **close** (within 10% of the value: the size of ONS's annual
revisions and LEP/district boundary differences); **differs** (further away); **cannot be
checked with open data** (the reason names the missing dataset and where to get it). Each
reason says why a figure may differ: vintage, geography, definition or period. A match is
never forced: the period is the document's or, where it states none, the latest year
available at its date (``period_note``), fixed in the register before the data are read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

import pandas as pd
import yaml

from wmresearch.evidence.area import StudyArea, TableSource, study_area
from wmresearch.region import aggregates as ar
from wmresearch.region import decomposition as dec
from wmresearch.region.money import gap_at_uk_rate

SRC_PROD = "ONS subregional productivity, June 2024 release"
SRC_GVA = "ONS regional GVA (balanced) by industry, 2024 release"
SRC_APS = "ONS Annual Population Survey via Explore local statistics (2024 release)"
SRC_POP = "ONS mid-2021 population estimates"
VINTAGE = ("Vintage: ONS has revised regional and district GVA in every annual release since "
           "the document; this is the 2024 vintage.")


@dataclass(frozen=True)
class Recomputed:
    """The nearest official figure: ``value`` (None if none), what it was built from, the
    reasons it may differ, whether it measures what the claim measures, a series to chart."""

    value: float | None
    basis: str
    reasons: tuple[str, ...] = ()
    comparable: bool = True
    series: pd.DataFrame | None = None


def _need(tables: TableSource, *names: str) -> list[pd.DataFrame]:
    frames = [tables.get(n) for n in names]
    absent = [n for n, f in zip(names, frames, strict=True) if f is None]
    if absent:
        raise KeyError(f"evidence table(s) {', '.join(absent)} not built: run `dvc repro "
                       "evidence`")
    return frames


def _area(claim: Claim, tables: TableSource) -> StudyArea:
    _need(tables, "lad_lookup", "lad_itl")
    return study_area(tables, claim.area)


def _geography(area: StudyArea) -> str:
    return (f"Geography: {area.name}, {len(area.lads)} districts as listed in the package's "
            "areas register" + (" (shared LEP districts counted in full)."
                                if area.key == "wm_three_lep" else "."))


def _gva(claim, tables, year: int) -> tuple[float, str, StudyArea]:
    gva, prod, lad_itl = _need(tables, "gva_itl3_industry", "productivity_lad", "lad_itl")
    area = _area(claim, tables)
    value, method = ar.area_gva(gva, prod, lad_itl, area, year)
    return value, method, area


def gva_total(claim, tables) -> Recomputed:
    value, method, area = _gva(claim, tables, claim.period[-1])
    return Recomputed(value / 1e9, f"{SRC_GVA}, {claim.period[-1]}: {method}",
                      (VINTAGE, _geography(area)))


def gva_share_uk(claim, tables) -> Recomputed:
    value, method, area = _gva(claim, tables, claim.period[-1])
    gva = tables.get("gva_itl3_industry")
    uk = gva.loc[(gva["year"] == claim.period[-1]) & (gva["sic07_code"] == "Total"),
                 "gva_gbp_m"].astype(float).sum() * 1e6
    return Recomputed(100 * value / uk, f"{SRC_GVA}: {method}, over the sum of every UK ITL3 "
                      "area (UK less extra-regio)", (VINTAGE, _geography(area)))


def gva_growth(claim, tables) -> Recomputed:
    start, _, area = _gva(claim, tables, claim.period[0])
    end, method, _ = _gva(claim, tables, claim.period[-1])
    years = range(claim.period[0], claim.period[-1] + 1)
    series = pd.DataFrame({"year": list(years),
                           "GVA (£bn)": [_gva(claim, tables, y)[0] / 1e9 for y in years]})
    return Recomputed(100 * (end / start - 1), f"{SRC_GVA}: {method}",
                      (VINTAGE, "Definition: current prices (no deflation), as the claim's "
                       "words suggest.", _geography(area)), series=series)


def productivity_growth_vs_uk(claim, tables) -> Recomputed:
    (prod,) = _need(tables, "productivity_lad")
    area = _area(claim, tables)
    rate = ar.area_rate(prod, area, "gva_per_hour", "hours_worked").set_index("year")
    a, b = claim.period[0], claim.period[-1]
    grow_area = rate.loc[b, "value"] / rate.loc[a, "value"] - 1
    grow_uk = rate.loc[b, "uk"] / rate.loc[a, "uk"] - 1
    series = rate.loc[a - 4:b, ["value", "uk"]].rename(
        columns={"value": area.name, "uk": "UK"}).reset_index()
    return Recomputed(grow_area / grow_uk, f"{SRC_PROD}: GVA per hour worked, districts "
                      f"weighted by hours, {area.name} {grow_area:+.1%} against the UK "
                      f"{grow_uk:+.1%} in {a}-{b}", (VINTAGE, "One year's growth in a district "
                      "productivity estimate moves by whole percentage points between "
                      "releases.", _geography(area)), series=series)


def _rate_claim(claim, tables, indicator: str, weight: str) -> Recomputed:
    local, pop = _need(tables, "explore_local", "population_mye2021")
    area = _area(claim, tables)
    series, basis = ar.area_local_rate(local, pop, area, indicator, weight)
    year = claim.period[-1]
    return Recomputed(float(series.get(year, float("nan"))), f"{SRC_APS}: {basis}, {year}",
                      ("Sampling: district APS rates carry 95% intervals of several "
                       "percentage points.", _geography(area)),
                      series=series.rename(area.name).rename_axis("year").reset_index())


def employment_rate(claim, tables) -> Recomputed:
    return _rate_claim(claim, tables, "Employment rate", "working_age")


def unemployment_rate(claim, tables) -> Recomputed:
    return _rate_claim(claim, tables, "Modelled unemployment rate", "active")


def output_gap_employment(claim, tables) -> Recomputed:
    prod, local, pop = _need(tables, "productivity_lad", "explore_local", "population_mye2021")
    area = _area(claim, tables)
    acc = dec.labour_accounts(prod, local, pop, area.lad_codes, 2021)
    table = dec.per_head_decomposition(acc["area"], acc["uk"]).set_index("component")
    return Recomputed(table.loc["employment_rate", "gap_gbp"] / 1e9,
                      f"{SRC_PROD}, {SRC_APS}, {SRC_POP}: the employment-rate term of the GVA "
                      "per head identity, 2021", ("Period: 2021, the only year with population "
                      "by age in the evidence base, not the document's.", "Definition: the "
                      "document does not state its method; here the gap is GVA x (UK per "
                      "head / area per head - 1) shared by log contributions.",
                      _geography(area)))


def within_industry_share(claim, tables) -> Recomputed:
    gva, bres = _need(tables, "gva_itl3_industry", "bres_itl2_sic2")
    area = _area(claim, tables)
    itl2, exact = list(area.itl2), area.itl2_exact
    year = min(max(claim.period[-1], int(bres["year"].min())), int(bres["year"].max()))
    out = dec.shift_share_productivity(**dec.industry_accounts(gva, bres, itl2, year))
    geography = (_geography(area) if exact else f"Geography: BRES is published for ITL2 "
                 f"areas; {', '.join(itl2)} hold {area.name} and other districts.")
    return Recomputed(out["within_share"], f"{SRC_GVA} and BRES {year} (employment), 17 "
                      f"industries, {', '.join(itl2)} against Great Britain: industry mix "
                      f"{out['mix_share']:.0f}%, within industries {out['within_share']:.0f}% "
                      f"of a gap of £{-out['gap']:,.0f} per job", (geography, "Definition: "
                      "industries (sections), not firms; within-industry gaps include firm "
                      "differences and finer industry mix."))


def emissions_change(claim, tables) -> Recomputed:
    local, pop = _need(tables, "explore_local", "population_mye2021")
    area = _area(claim, tables)
    series, basis = ar.area_local_rate(local, pop, area, "Greenhouse gas emissions", "population")
    a, b = claim.period[0], claim.period[-1]
    return Recomputed(100 * (series[b] / series[a] - 1), "DESNZ local greenhouse gas "
        "emissions via Explore local statistics: " + basis.replace("rates", "emissions per "
                                                                   "head (tCO2e)"),
        ("Definition: all greenhouse gases per head (territorial, 2025 inventory), not total "
         "carbon dioxide; the document does not say which it used.", _geography(area)),
        series=series.rename(area.name).rename_axis("year").reset_index())


def population(claim, tables) -> Recomputed:
    (pop,) = _need(tables, "population_mye2021")
    area = _area(claim, tables)
    rows = pop[(pop["age"] == "All Ages") & pop["lad_code"].isin(area.lads)]
    return Recomputed(float(rows["population"].sum()) / 1e6, f"{SRC_POP}, {len(area.lads)} "
                      "districts summed", (_geography(area),))


def manufacturing_gva(claim, tables) -> Recomputed:
    (gva,) = _need(tables, "gva_itl3_industry")
    area = _area(claim, tables)
    itl2, exact = list(area.itl2), area.itl2_exact
    rows = gva[(gva["year"] == claim.period[-1]) & (gva["sic07_code"] == "C")
               & gva["itl_code"].str[:4].isin(itl2)]
    return Recomputed(float(rows["gva_gbp_m"].sum()) / 1e3, f"{SRC_GVA}, section C, "
                      f"{len(rows)} ITL3 areas", (VINTAGE, _geography(area) if exact else
                                                  "Geography: ITL2 areas larger than the area."))


def business_count(claim, tables) -> Recomputed:
    (local,) = _need(tables, "explore_local")
    area = _area(claim, tables)
    codes = list(area.members) if all(c[:3] == "E12" for c in area.members) else area.lad_codes
    rows = local[(local["indicator"] == "Active businesses") & local["areacd"].isin(codes)
                 & (local["year"] == claim.period[-1])]
    return Recomputed(float(rows["observation"].sum()), "ONS business demography via Explore "
                      f"local statistics: active (VAT or PAYE registered) enterprises, "
                      f"{claim.period[-1]}", ("Definition: the claim's count includes "
                      "unregistered businesses (DBT, Business population estimates, regional "
                      "tables, gov.uk), which the evidence base does not hold; registered "
                      "enterprises are the nearest official figure.",), comparable=False)


def business_growth(claim, tables) -> Recomputed:
    (ukbc,) = _need(tables, "ukbc_sizeband")
    a, b = claim.period[0], claim.period[-1]
    total = ukbc.groupby("year")["enterprises"].sum()
    return Recomputed(None, f"ONS UK Business Counts, Great Britain: {total[b] / total[a] - 1:+.1%}"
                      f" registered enterprises {a}-{b}", ("Missing dataset: UK Business Counts "
                      "by district (NOMIS, 'UK Business Counts - enterprises by industry and "
                      "employment size band', local authority level); the evidence base holds "
                      "Great Britain only, whose growth is given as the national comparator.",))


def output_gap_at_uk_productivity(claim, tables) -> Recomputed:
    gva, method, area = _gva(claim, tables, claim.period[-1])
    rate = ar.area_rate(tables.get("productivity_lad"), area, "gva_per_hour", "hours_worked")
    relative = float(rate.set_index("year").loc[claim.period[-1], "relative"])
    return Recomputed(gap_at_uk_rate(gva / 1e9, relative), f"{SRC_GVA} ({method}, "
                      f"£{gva / 1e9:.1f}bn) x (100 / {relative:.1f} - 1), GVA per hour worked "
                      f"{relative:.1f}% of the UK's ({SRC_PROD}, districts weighted by hours)",
                      (VINTAGE, "Definition: the document quotes £34.50 against £39.50 per hour "
                       "and states no GVA total; the State of the Region page uses this one."))


def _cannot(what: str) -> Callable:
    def check(claim, tables) -> Recomputed:
        return Recomputed(None, "Not recomputed", (what,), comparable=False)
    return check


MEASURES: dict[str, Callable] = {
    "gva_total": gva_total, "gva_share_uk": gva_share_uk, "gva_growth": gva_growth,
    "productivity_growth_vs_uk": productivity_growth_vs_uk,
    "employment_rate": employment_rate, "unemployment_rate": unemployment_rate,
    "business_growth": business_growth, "business_count": business_count,
    "output_gap_employment": output_gap_employment,
    "within_industry_share": within_industry_share, "emissions_change": emissions_change,
    "population": population, "manufacturing_gva": manufacturing_gva,
    "output_gap_at_uk_productivity": output_gap_at_uk_productivity,
    "output_gap_skills": _cannot(
        "Missing dataset: a skills-adjusted labour input (APS qualifications by district, "
        "NOMIS, with wage returns by qualification, or ONS quality-adjusted labour input for "
        "regions); the document does not publish its model."),
    "output_gap_skills_and_employment_share": _cannot(
        "Missing dataset: the skills part (see the £3bn claim) cannot be recomputed, so the "
        "share of the two together cannot; the employment part alone is shown above."),
    "firm_productivity_index": _cannot(
        "Missing dataset: a firm productivity index needs firm-level data (ONS Annual "
        "Business Survey microdata, Secure Research Service), which is not open."),
    "cluster_share": _cannot(
        "Missing dataset: the Plan for Growth does not publish its clusters as SIC lists; with "
        "them, BRES and regional GVA by industry in the evidence base would give the share. "
        "The clusters report sizes the clusters under its own reconstruction of the SIC "
        "codes, which is not the plan's definition, so no verdict is drawn from it."),
}


VERDICTS = ("matches", "close", "differs", "cannot be checked with open data")
CLOSE = 0.10
FIELDS = ("id", "words", "document", "date", "area", "measure", "period", "value", "unit",
          "printed_to")


class ClaimError(ValueError):
    """A malformed claim or one whose measure cannot be recomputed by any check."""


@dataclass(frozen=True)
class Claim:
    """One published claim, as published."""

    id: str
    words: str
    document: str
    date: str
    area: str
    measure: str
    period: tuple[int, ...]
    value: float | tuple[float, float]
    unit: str
    printed_to: float
    comparison: str = "equal"
    period_note: str = ""

    @property
    def period_label(self) -> str:
        return "-".join(str(y) for y in self.period)


def _claim(raw: dict, row: int) -> Claim:
    where = f"claims.yaml claim {row + 1} ({raw.get('id', 'no id')})"
    missing = [f for f in FIELDS if raw.get(f) in (None, "")]
    if missing:
        raise ClaimError(f"{where}: missing {', '.join(missing)}")
    if raw["measure"] not in MEASURES:
        raise ClaimError(f"{where}: measure {raw['measure']!r} is not one the package can "
                         f"recompute (known: {', '.join(sorted(MEASURES))})")
    try:
        period = tuple(int(y) for y in str(raw["period"]).split("-"))
        value = raw["value"]
        value = (float(value[0]), float(value[1])) if isinstance(value, list) else float(value)
    except (TypeError, ValueError, IndexError) as error:
        raise ClaimError(f"{where}: period or value unreadable ({error})") from None
    comparison = raw.get("comparison", "equal")
    if comparison not in ("equal", "above"):
        raise ClaimError(f"{where}: comparison {comparison!r} is not 'equal' or 'above'")
    return Claim(id=str(raw["id"]), words=" ".join(str(raw["words"]).split()),
                 document=str(raw["document"]), date=str(raw["date"]), area=str(raw["area"]),
                 measure=str(raw["measure"]), period=period, value=value,
                 unit=str(raw["unit"]), printed_to=float(raw["printed_to"]),
                 comparison=comparison, period_note=str(raw.get("period_note", "")))


def load_claims(text: str | None = None) -> list[Claim]:
    """The claims of the versioned ``claims.yaml`` (or of ``text``), validated.

    Raises
    ------
    ClaimError
        A claim missing a field, with an unknown measure, or an id used twice (named by its
        position and id).
    """
    if text is None:
        text = resources.files("wmresearch.region").joinpath("claims.yaml").read_text("utf-8")
    claims = [_claim(raw, i) for i, raw in enumerate(yaml.safe_load(text)["claims"])]
    ids = pd.Series([c.id for c in claims])
    if ids.duplicated().any():
        raise ClaimError(f"claims.yaml: id {ids[ids.duplicated()].iloc[0]!r} is used twice")
    return claims


def verdict(claim: Claim, recomputed: float | None) -> str:
    """The verdict on a recomputed figure (rules in the module docstring)."""
    if recomputed is None or pd.isna(recomputed):
        return VERDICTS[3]
    half = claim.printed_to / 2 + 1e-9
    low, high = claim.value if isinstance(claim.value, tuple) else (claim.value, claim.value)
    if claim.comparison == "above":
        high = float("inf")
    if low - half <= recomputed <= high + half:
        return VERDICTS[0]
    nearest = low if recomputed < low else high
    return VERDICTS[1] if abs(recomputed - nearest) <= CLOSE * abs(nearest) else VERDICTS[2]


def check_claim(claim: Claim, tables: TableSource) -> dict:
    """Recompute one claim and judge it.

    Returns
    -------
    dict
        ``id``, ``measure``, ``words``, ``document``, ``area``, ``period``, ``published``,
        ``recomputed`` (None when it cannot be), ``nearest`` (the nearest official figure,
        also when it measures something else), ``verdict``, ``reason`` (in words: the rule,
        then vintage/geography/definition/period or the missing dataset),
        ``basis`` (what was recomputed from), ``series`` (a frame for a chart, or None).
    """
    try:
        result: Recomputed = MEASURES[claim.measure](claim, tables)
    except KeyError as error:
        raise ClaimError(f"claim {claim.id}: {error.args[0]}") from None
    judged = verdict(claim, result.value if result.comparable else None)
    published = (f"{claim.value[0]:g}-{claim.value[1]:g}" if isinstance(claim.value, tuple)
                 else f"{claim.value:,.10g}")
    rule = {
        VERDICTS[0]: "within the precision printed" if claim.comparison == "equal"
        else "on the side of the bound the claim states",
        VERDICTS[1]: f"within {CLOSE:.0%} of the published value but not within its printed "
                     "precision",
        VERDICTS[2]: f"more than {CLOSE:.0%} away from the published value",
        VERDICTS[3]: "no comparable figure in the open data held",
    }[judged]
    reason = " ".join([rule[0].upper() + rule[1:] + ".", *result.reasons])
    return {"id": claim.id, "measure": claim.measure, "words": claim.words,
            "document": claim.document, "area": claim.area, "period": claim.period_label,
            "period_note": claim.period_note, "unit": claim.unit, "published": published,
            "recomputed": result.value if result.comparable else None,
            "nearest": result.value, "verdict": judged, "reason": reason,
            "basis": result.basis, "series": result.series}


def check_claims(claims: list[Claim], tables: TableSource) -> pd.DataFrame:
    """:func:`check_claim` for every claim: one row each, in register order (no claim is
    dropped; a claim that cannot be recomputed says so in its row)."""
    return pd.DataFrame([check_claim(c, tables) for c in claims])


__all__ = ["CLOSE", "VERDICTS", "Claim", "ClaimError", "check_claim", "check_claims",
           "load_claims", "verdict"]
