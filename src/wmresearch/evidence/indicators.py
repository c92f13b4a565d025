"""The State-of-the-Region indicator set: one getter per ONS Explore local statistics indicator.

:data:`INDICATORS` maps an indicator id to its file (relative to the mirror or ``data/raw``),
the value of the file's ``indicator`` column, a definition (ONS's own subtitle in the file's
.json metadata), unit, direction (``higher_is_better``; ``None`` where neither direction is
good in itself) and the WMCA Inclusive Growth Framework *fundamental* it reports on (WMCA,
*Inclusive Growth Framework*, 2020: Inclusive economy; Education and learning; Health and
wellbeing; Affordable and safe places; Climate resilience; Connected communities).

Every getter is :func:`get_indicator` for its id: ``getter(path, lad_lookup=None)`` with
``path`` the indicator's CSV (its .json beside it) and returns a :class:`Cleaned` with the
columns of :data:`wmresearch.evidence.explore_local.SCHEMA_EXPLORE_LOCAL`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from wmresearch.evidence.explore_local import read_explore_local
from wmresearch.evidence.io import Cleaned

ELS_DIR = "ons/explore_local_statistics"

ECONOMY = "Inclusive economy"
EDUCATION = "Education and learning"
HEALTH = "Health and wellbeing"
PLACES = "Affordable and safe places"
CLIMATE = "Climate resilience"
CONNECTED = "Connected communities"


@dataclass(frozen=True)
class Indicator:
    """One indicator of an Explore local statistics file."""

    id: str
    file: str
    indicator: str
    definition: str
    unit: str
    higher_is_better: bool | None
    fundamental: str

    @property
    def relpath(self) -> str:
        return f"{ELS_DIR}/{self.file}.csv"


def _i(id_: str, file: str, indicator: str, definition: str, unit: str,
       higher: bool | None, fundamental: str) -> tuple[str, Indicator]:
    return id_, Indicator(id_, file, indicator, definition, unit, higher, fundamental)


_SURVIVAL = "Percentage of businesses born in the year that were still active {} later"

INDICATORS: dict[str, Indicator] = dict([
    _i("employment_rate", "employment-rate", "Employment rate",
       "Percentage of people aged 16 to 64 in employment (APS)", "%", True, ECONOMY),
    _i("economic_inactivity_rate", "employment-rate", "Economically inactive",
       "Percentage of people aged 16 to 64 not in work and not seeking work (APS)", "%",
       False, ECONOMY),
    _i("modelled_unemployment_rate", "modelled-unemployment", "Modelled unemployment rate",
       "Modelled percentage of economically active people aged 16+ who are unemployed", "%",
       False, ECONOMY),
    _i("claimant_count_rate", "claimant-count", "Claimant Count",
       "Claimants of unemployment-related benefits, % of residents aged 16 to 64", "%",
       False, ECONOMY),
    _i("median_weekly_pay", "gross-median-weekly-pay", "Gross median weekly pay",
       "Gross median weekly pay of residents (ASHE, residence-based)", "£", True, ECONOMY),
    _i("gdhi_per_head", "gross-disposable-household-income-per-head",
       "Gross disposable household income",
       "Gross disposable household income per head, after taxes and benefits", "£", True,
       ECONOMY),
    _i("gva_per_hour", "gross-value-added", "Gross value added per hour worked",
       "GVA per hour worked (subregional productivity)", "£", True, ECONOMY),
    _i("gva_per_job", "gross-value-added", "Gross value added per filled job",
       "GVA per filled job (subregional productivity)", "£", True, ECONOMY),
    _i("gdp_per_head_current_prices", "gdp-per-head",
       "Gross domestic product per head at current market price",
       "GDP per head at current market prices (with inflation)", "£", True, ECONOMY),
    _i("gdp_per_head_chained_volume", "gdp-per-head",
       "Gross domestic product per head in chained volume measure",
       "GDP per head in chained volume measures (inflation removed)", "£", True, ECONOMY),
    _i("business_birth_rate", "business-demography", "Business births",
       "Enterprise births as a percentage of active enterprises", "%", True, ECONOMY),
    _i("business_death_rate", "business-demography", "Business deaths",
       "Enterprise deaths as a percentage of active enterprises", "%", False, ECONOMY),
    _i("high_growth_rate", "business-demography", "High growth businesses",
       "High-growth enterprises (>20% a year employment growth over 3 years) as % of "
       "active enterprises with 10+ employees", "%", True, ECONOMY),
    _i("active_businesses", "business-demography", "Active businesses",
       "Enterprises with turnover or employment in the year", "enterprises", True, ECONOMY),
    _i("survival_1y", "business-demography", "One-year survival rate",
       _SURVIVAL.format("one year"), "%", True, ECONOMY),
    _i("survival_2y", "business-demography", "Two-year survival rate",
       _SURVIVAL.format("two years"), "%", True, ECONOMY),
    _i("survival_3y", "business-demography", "Three-year survival rate",
       _SURVIVAL.format("three years"), "%", True, ECONOMY),
    _i("survival_4y", "business-demography", "Four-year survival rate",
       _SURVIVAL.format("four years"), "%", True, ECONOMY),
    _i("survival_5y", "business-demography", "Five-year survival rate",
       _SURVIVAL.format("five years"), "%", True, ECONOMY),
    _i("exports", "total-value-of-uk-exports", "Value of UK exports",
       "Total value of exports of goods and services", "£ million", True, ECONOMY),
    _i("berd", "research-and-development-business",
       "Business expenditure on research and development",
       "Business enterprise expenditure on R&D within the area", "£ million", True, ECONOMY),
    _i("fdi_inward", "foreign-direct-investment", "Inward foreign direct investment",
       "Inward FDI positions of non-resident companies", "£ million", True, ECONOMY),
    _i("fdi_outward", "foreign-direct-investment", "Outward foreign direct investment",
       "Outward FDI positions of UK-resident companies", "£ million", None, ECONOMY),
    _i("qualifications_level3_plus", "qualifications-level-3-or-above",
       "Level 3 or above qualifications (Great Britain)",
       "Percentage of people aged 16 to 64 with RQF level 3 or above", "%", True, EDUCATION),
    _i("no_qualifications", "qualifications-none-gb", "No qualifications",
       "Percentage of people aged 16 to 64 with no qualifications", "%", False, EDUCATION),
    _i("apprenticeship_starts", "apprenticeships", "Apprenticeship starts (England)",
       "Apprenticeship starts by people aged 16+, per 100,000 people", "per 100,000", True,
       EDUCATION),
    _i("apprenticeship_achievements", "apprenticeships",
       "Apprenticeship achievements (England)",
       "Apprenticeship achievements by people aged 16+, per 100,000 people", "per 100,000",
       True, EDUCATION),
    _i("healthy_life_expectancy_male", "healthy-life-expectancy",
       "Male healthy life expectancy", "Years expected in good health, males at birth",
       "years", True, HEALTH),
    _i("healthy_life_expectancy_female", "healthy-life-expectancy",
       "Female healthy life expectancy", "Years expected in good health, females at birth",
       "years", True, HEALTH),
    _i("life_satisfaction", "personal-wellbeing-estimates", "Satisfaction",
       "Mean life satisfaction, 0-10, people aged 16+", "score", True, HEALTH),
    _i("happiness", "personal-wellbeing-estimates", "Happiness",
       "Mean happiness yesterday, 0-10, people aged 16+", "score", True, HEALTH),
    _i("worthwhile", "personal-wellbeing-estimates", "Worthwhile",
       "Mean feeling that things done in life are worthwhile, 0-10", "score", True, HEALTH),
    _i("anxiety", "personal-wellbeing-estimates", "Anxiety",
       "Mean anxiety yesterday, 0-10, people aged 16+", "score", False, HEALTH),
    _i("child_poverty_bhc", "children-in-relative-poverty",
       "Children in relative poverty before housing costs",
       "Percentage of children under 16 in relative low income families, before housing "
       "costs", "%", False, PLACES),
    _i("child_poverty_ahc", "children-in-relative-poverty",
       "Children in relative poverty after housing costs",
       "Percentage of children under 16 in relative low income families, after housing "
       "costs", "%", False, PLACES),
    # The file says unit "%", but the measure is a ratio (house price / annual earnings).
    _i("housing_affordability_ratio", "housing-affordability-ratio",
       "Housing affordability ratio (residence-based)",
       "Median house price / median gross annual residence-based earnings", "ratio", False,
       PLACES),
    _i("ghg_emissions_per_capita", "greenhouse-gas-emissions", "Greenhouse gas emissions",
       "Territorial greenhouse gas emissions per resident", "tCO2e per capita", False,
       CLIMATE),
    _i("gigabit_broadband", "gigabit-capable-broadband", "Gigabit capable broadband",
       "Percentage of premises with gigabit-capable coverage", "%", True, CONNECTED),
])


def get_indicator(indicator_id: str, path: Path | str,
                  lad_lookup: Mapping[str, str] | None = None) -> Cleaned:
    """One indicator of :data:`INDICATORS` as a validated long table.

    Parameters
    ----------
    indicator_id
        Key of :data:`INDICATORS`.
    path
        The indicator's CSV (``Indicator.relpath`` under the mirror or ``data/raw``).
    lad_lookup
        Any LAD code -> current LAD code, to map obsolete district codes.

    Returns
    -------
    Cleaned
        ``name="els_<id>"``; ``rows_in`` counts the file's rows for this indicator.

    Raises
    ------
    KeyError
        Unknown id (the message lists the known ids).
    DataFileError
        Malformed file (see :func:`~wmresearch.evidence.explore_local.read_explore_local`).
    """
    if indicator_id not in INDICATORS:
        raise KeyError(f"unknown indicator {indicator_id!r}; known: {sorted(INDICATORS)}")
    spec = INDICATORS[indicator_id]
    return read_explore_local(path, lad_lookup, indicators=[spec.indicator],
                              name=f"els_{indicator_id}")


def _getter(indicator_id: str):
    spec = INDICATORS[indicator_id]

    def getter(path: Path | str, lad_lookup: Mapping[str, str] | None = None) -> Cleaned:
        return get_indicator(indicator_id, path, lad_lookup)

    getter.__name__ = getter.__qualname__ = f"get_{indicator_id}"
    getter.__doc__ = (
        f"{spec.definition} ({spec.unit}; higher is better: {spec.higher_is_better}).\n\n"
        f"ONS Explore local statistics, ``{spec.relpath}``, indicator {spec.indicator!r}. "
        "Parameters, returns and errors as :func:`get_indicator`.\n")
    return getter


get_employment_rate = _getter("employment_rate")
get_economic_inactivity_rate = _getter("economic_inactivity_rate")
get_modelled_unemployment_rate = _getter("modelled_unemployment_rate")
get_claimant_count_rate = _getter("claimant_count_rate")
get_median_weekly_pay = _getter("median_weekly_pay")
get_gdhi_per_head = _getter("gdhi_per_head")
get_gva_per_hour = _getter("gva_per_hour")
get_gva_per_job = _getter("gva_per_job")
get_gdp_per_head_current_prices = _getter("gdp_per_head_current_prices")
get_gdp_per_head_chained_volume = _getter("gdp_per_head_chained_volume")
get_business_birth_rate = _getter("business_birth_rate")
get_business_death_rate = _getter("business_death_rate")
get_high_growth_rate = _getter("high_growth_rate")
get_active_businesses = _getter("active_businesses")
get_survival_1y = _getter("survival_1y")
get_survival_2y = _getter("survival_2y")
get_survival_3y = _getter("survival_3y")
get_survival_4y = _getter("survival_4y")
get_survival_5y = _getter("survival_5y")
get_exports = _getter("exports")
get_berd = _getter("berd")
get_fdi_inward = _getter("fdi_inward")
get_fdi_outward = _getter("fdi_outward")
get_qualifications_level3_plus = _getter("qualifications_level3_plus")
get_no_qualifications = _getter("no_qualifications")
get_apprenticeship_starts = _getter("apprenticeship_starts")
get_apprenticeship_achievements = _getter("apprenticeship_achievements")
get_healthy_life_expectancy_male = _getter("healthy_life_expectancy_male")
get_healthy_life_expectancy_female = _getter("healthy_life_expectancy_female")
get_life_satisfaction = _getter("life_satisfaction")
get_happiness = _getter("happiness")
get_worthwhile = _getter("worthwhile")
get_anxiety = _getter("anxiety")
get_child_poverty_bhc = _getter("child_poverty_bhc")
get_child_poverty_ahc = _getter("child_poverty_ahc")
get_housing_affordability_ratio = _getter("housing_affordability_ratio")
get_ghg_emissions_per_capita = _getter("ghg_emissions_per_capita")
get_gigabit_broadband = _getter("gigabit_broadband")

#: Indicator id -> its getter (one per entry of :data:`INDICATORS`).
GETTERS = {i: globals()[f"get_{i}"] for i in INDICATORS}

__all__ = ["ELS_DIR", "GETTERS", "INDICATORS", "Indicator", "get_indicator",
           *(f"get_{i}" for i in INDICATORS)]
