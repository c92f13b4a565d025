"""The programme registry: what each evaluated programme is, from ``programmes.yaml``.

Every entry of the ``programmes:`` section of ``programmes.yaml`` is validated against
:class:`Programme` (pydantic v2). Facts (budgets, spend profiles, dates, targets, achieved
outputs) come only from the publications listed in the mirror's
``reference/programmes/PROGRAMME_FACTS.md`` and carry their source note; a figure that is not
published is ``null`` and is reported as "not published". Assumptions (additionality factors,
appraisal settings) carry a source and a rationale.

A malformed entry raises :class:`ProgrammeError` naming the programme key and the field, e.g.
``programmes.ukspf.design.method: expected one of ['did', ...], got 'foo'``.
"""

from __future__ import annotations

import re
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

#: Evaluation designs the project's estimators implement (``wmresearch.evaluation``).
Method = Literal["did", "event_study", "staggered_did", "synthetic_control", "synthetic_did",
                 "matching", "descriptive"]
#: What one treated unit is.
Unit = Literal["firm", "individual", "site", "ward", "msoa", "lsoa", "lad", "combined_authority"]
METHODS: tuple[str, ...] = get_args(Method)
UNITS: tuple[str, ...] = get_args(Unit)

#: Each design, unit and exposure as a report names it (plural units for "on ...").
METHOD_NAMES = {
    "did": "difference in differences", "event_study": "event study (dynamic difference in "
    "differences)", "staggered_did": "staggered difference in differences (Callaway and "
    "Sant'Anna)", "synthetic_control": "synthetic control", "synthetic_did":
    "synthetic difference in differences", "matching": "matching, then difference in "
    "differences", "descriptive": "descriptive monitoring (no comparison group)"}
UNIT_NAMES = {"firm": "firms", "individual": "individuals", "site": "sites", "ward": "wards",
              "msoa": "neighbourhoods (MSOAs)", "lsoa": "small areas (LSOAs)",
              "lad": "local authority districts", "combined_authority": "combined authorities"}
EXPOSURE_NAMES = {"binary": "treated or not", "spend_profile": "intensity by annual spend"}

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_AREA_CODE = r"^[EWSNK]\d{8}$"
_WHEN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
NOT_PUBLISHED = "not published"


class ProgrammeError(ValueError):
    """A programme entry of ``programmes.yaml`` that does not follow the registry schema."""


class _Model(BaseModel):
    # frozen: a programme read from params is a record, not a working object;
    # extra=forbid: a misspelt field must fail, not vanish.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class Area(_Model):
    """The place a programme belongs to (not ``global.region``)."""

    code: str = Field(pattern=_AREA_CODE, description="GSS code of the treated area")
    name: str = Field(min_length=1)


class KeyDate(_Model):
    """A dated event in the programme's life, with its source."""

    date: str = Field(pattern=_WHEN, description="YYYY, YYYY-MM or YYYY-MM-DD as published")
    event: str = Field(min_length=1)
    source: str = Field(min_length=1)


class SpendItem(_Model):
    """Money allocated or spent in one financial year (``2022-23``)."""

    period: str = Field(pattern=r"^\d{4}-\d{2}$")
    gbp: float | None = Field(default=None, ge=0)
    source: str = Field(min_length=1)


class Budget(_Model):
    """Budget of the programme in the treated area, nominal pounds."""

    total_gbp: float | None = Field(ge=0, description="null = not published")
    source: str | None = None
    note: str = ""
    spend_profile: tuple[SpendItem, ...] = ()

    @model_validator(mode="after")
    def _sourced(self) -> Budget:
        if self.total_gbp is not None and not self.source:
            raise ValueError("a published budget needs its source")
        return self


class LogicModel(_Model):
    """Theory of change: inputs -> activities -> outputs -> outcomes -> impacts."""

    inputs: tuple[str, ...] = Field(min_length=1)
    activities: tuple[str, ...] = Field(min_length=1)
    outputs: tuple[str, ...] = Field(min_length=1)
    outcomes: tuple[str, ...] = Field(min_length=1)
    impacts: tuple[str, ...] = Field(min_length=1)
    assumptions: tuple[str, ...] = Field(min_length=1)


class Indicator(_Model):
    """An output/outcome indicator with its published target and achieved value."""

    name: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    target: float | None = None
    actual: float | None = None
    period: str = ""
    source: str = Field(min_length=1, description="publication, or 'not published'")
    note: str = ""


class Design(_Model):
    """How the programme's impact is to be estimated."""

    method: Method
    unit: Unit
    treated_units: tuple[str, ...] | None = Field(
        description="codes/ids of treated units; null when they come from monitoring data")
    treated_units_note: str = ""
    start_year: int = Field(ge=1990, le=2040, description="first treated year")
    start_date: str | None = Field(default=None, pattern=_WHEN)
    exposure: Literal["binary", "spend_profile"] = "binary"
    outcomes: tuple[str, ...] = Field(min_length=1)
    comparison_pool: str = Field(min_length=1)
    covariates: tuple[str, ...] = ()
    data: tuple[str, ...] = Field(min_length=1)
    monitoring_return: str | None = Field(
        default=None, description="the programme's monitoring return (.xlsx or folder of "
        "CSVs), relative to the project; when given, the report estimates impact from it")
    comparison_outcomes: str | None = Field(
        default=None, description="CSV of non-supported firms' outcomes (the return's outcomes "
        "columns), linked from the IDBR/BSD, for a single-cohort design")


class Factor(_Model):
    """One additionality factor: a central value with a low-high range, source and reason.

    Rates (deadweight, leakage, displacement, substitution) lie in [0, 1]; the composite
    multiplier is >= 1. ``central`` null means no sourced value is available.
    """

    central: float | None
    low: float | None = None
    high: float | None = None
    source: str = Field(min_length=1)
    rationale: str = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Factor:
        values = [v for v in (self.low, self.central, self.high) if v is not None]
        if values != sorted(values):
            raise ValueError(f"expected low <= central <= high, got "
                             f"{self.low}, {self.central}, {self.high}")
        return self


class Additionality(_Model):
    """Gross-to-net assumptions (HCA Additionality Guide, 4th ed., 2014)."""

    deadweight: Factor
    leakage: Factor
    displacement: Factor
    substitution: Factor
    multiplier: Factor

    @model_validator(mode="after")
    def _ranges(self) -> Additionality:
        for name in ("deadweight", "leakage", "displacement", "substitution"):
            factor: Factor = getattr(self, name)
            for value in (factor.low, factor.central, factor.high):
                if value is not None and not 0 <= value <= 1:
                    raise ValueError(f"{name}: a rate must lie in [0, 1], got {value}")
        for value in (self.multiplier.low, self.multiplier.central, self.multiplier.high):
            if value is not None and value < 1:
                raise ValueError(f"multiplier: must be >= 1, got {value}")
        return self


class DiscountBand(_Model):
    """Green Book STPR for years ``from_year``..``to_year`` (inclusive; null = open)."""

    from_year: int = Field(ge=0)
    to_year: int | None
    rate: float = Field(ge=0, lt=1)


class OptimismBias(_Model):
    """Green Book optimism-bias upper bound for the programme's capital element."""

    category: str = Field(min_length=1)
    capex_upper: float = Field(ge=0)
    duration_upper: float = Field(ge=0)
    source: str = Field(min_length=1)


class AppraisalSettings(_Model):
    """Value-for-money settings (HM Treasury Green Book 2022)."""

    discount_schedule: tuple[DiscountBand, ...] = Field(min_length=1)
    discount_source: str = Field(min_length=1)
    persistence_years: int | None = Field(ge=1)
    persistence_source: str = Field(min_length=1)
    optimism_bias: OptimismBias | None = None
    price_base_year: int = Field(ge=1990, le=2040)

    @model_validator(mode="after")
    def _contiguous(self) -> AppraisalSettings:
        expected = 0
        for band in self.discount_schedule:
            if band.from_year != expected:
                raise ValueError(f"discount_schedule: band starts at year {band.from_year}, "
                                 f"expected {expected}")
            if band.to_year is None:
                break
            expected = band.to_year + 1
        return self


class Programme(BaseModel):
    """An evaluated programme: one entry of ``programmes:`` in ``programmes.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_KEY.pattern)
    name: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    area: Area
    funder: str = Field(min_length=1)
    lead: str = Field(min_length=1)
    rationale: str = Field(min_length=1)
    key_dates: tuple[KeyDate, ...] = Field(min_length=1)
    budget: Budget
    logic_model: LogicModel
    indicators: tuple[Indicator, ...] = ()
    design: Design
    additionality: Additionality
    appraisal: AppraisalSettings
    sources: tuple[str, ...] = Field(min_length=1)

    @property
    def start_year(self) -> int:
        """First treated year of the evaluation design."""
        return self.design.start_year

    @property
    def budget_gbp_m(self) -> float | None:
        """Published budget in £ million, ``None`` if not published."""
        total = self.budget.total_gbp
        return None if total is None else total / 1e6


def _where(key: str, loc: tuple[Any, ...]) -> str:
    return ".".join(["programmes", key, *(str(part) for part in loc)])


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    given = error.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (misspelt?)"
    if kind == "literal_error":
        allowed = [a.strip().strip("'") for a in error["ctx"]["expected"].replace(" or ", ", ")
                   .split(",")]
        return f"expected one of {allowed}, got {given!r}"
    return f"{error['msg']}, got {given!r}"


def get_programme(programmes: dict[str, dict[str, Any]], programme_id: str) -> Programme:
    """The validated programme ``programme_id`` from the ``programmes`` section of the registry.

    Parameters
    ----------
    programmes
        The ``programmes`` mapping of ``programmes.yaml`` (key -> entry).
    programme_id
        The entry's key (a simple identifier: it names the DVC stage ``evaluate@<key>``).

    Raises
    ------
    KeyError
        If the key is not in the registry (the message lists the known keys).
    ProgrammeError
        If the entry breaks the schema; the message names ``programmes.<key>.<field>``.
    """
    if programme_id not in programmes:
        known = ", ".join(programmes)
        raise KeyError(f"programme {programme_id!r} is not in programmes.yaml (known: {known})")
    if not _KEY.match(programme_id):
        raise ProgrammeError(f"programmes.{programme_id}: key must be a simple lower-case "
                             "identifier ([a-z][a-z0-9_]*), it names a DVC stage")
    entry = programmes[programme_id]
    if not isinstance(entry, dict):
        raise ProgrammeError(f"programmes.{programme_id}: expected a mapping, got "
                             f"{type(entry).__name__}")
    if "id" in entry:
        raise ProgrammeError(f"programmes.{programme_id}.id: the id is the key; remove it")
    try:
        return Programme.model_validate({"id": programme_id, **entry})
    except ValidationError as exc:
        problems = [f"{_where(programme_id, err['loc'])}: {_message(err)}"
                    for err in exc.errors()]
        raise ProgrammeError("; ".join(problems)) from None


def load_programmes(programmes: dict[str, dict[str, Any]]) -> dict[str, Programme]:
    """Validate every entry of the registry; the first bad entry raises ``ProgrammeError``."""
    return {key: get_programme(programmes, key) for key in programmes}


def unpublished_facts(programme: Programme) -> list[str]:
    """Fields of a programme whose published value is missing, for a "not published" list."""
    missing = []
    if programme.budget.total_gbp is None:
        missing.append("budget.total_gbp")
    missing += [f"budget.spend_profile[{s.period}]" for s in programme.budget.spend_profile
                if s.gbp is None]
    for ind in programme.indicators:
        if ind.target is None:
            missing.append(f"indicators[{ind.name}].target")
        if ind.actual is None:
            missing.append(f"indicators[{ind.name}].actual")
    for name in ("deadweight", "leakage", "displacement", "substitution", "multiplier"):
        if getattr(programme.additionality, name).central is None:
            missing.append(f"additionality.{name}")
    if programme.appraisal.persistence_years is None:
        missing.append("appraisal.persistence_years")
    return missing
