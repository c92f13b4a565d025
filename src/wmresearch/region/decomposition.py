"""Gap decompositions: why an area's output per head differs from the UK's.

Two identities, each exact:

* the GVA per head gap split into productivity, hours per job, commuting, employment rate and
  working-age share (:func:`per_head_decomposition`), additive in logs;
* the productivity gap split into industry mix and within-industry productivity
  (:func:`shift_share_productivity`), additive in £ per worker.

:func:`labour_accounts` assembles the inputs of the first for any area from ONS's published
district statistics.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The five components of GVA per head, in the order of the identity, with reader labels.
COMPONENTS = {
    "productivity": "Productivity (GVA per hour worked)",
    "hours_per_job": "Hours worked per job",
    "commuting": "Commuting (jobs per employed resident)",
    "employment_rate": "Employment rate (employed residents per working-age resident)",
    "working_age_share": "Working-age share of the population",
}
#: The unit of each component's ratio (and of GVA per head, the total).
UNITS = {
    "productivity": "£ per hour", "hours_per_job": "hours a year per job",
    "commuting": "jobs per employed resident",
    "employment_rate": "employed per resident aged 16-64",
    "working_age_share": "residents aged 16-64 per resident", "total": "£ per resident",
}
#: Quantities an account needs: GVA (£), hours worked (annual, implied), filled jobs,
#: employed residents aged 16-64, residents aged 16-64, all residents.
ACCOUNT = ("gva", "hours", "jobs", "employed", "working_age", "population")


def _ratios(account: pd.Series) -> pd.Series:
    a = account.astype(float)
    return pd.Series({
        "productivity": a["gva"] / a["hours"],
        "hours_per_job": a["hours"] / a["jobs"],
        "commuting": a["jobs"] / a["employed"],
        "employment_rate": a["employed"] / a["working_age"],
        "working_age_share": a["working_age"] / a["population"],
    })


def per_head_decomposition(area: pd.Series, uk: pd.Series) -> pd.DataFrame:
    """The GVA per head gap to the UK, split into five components, in logs, £ and %.

    GVA per head factors exactly as

    ``GVA/P = GVA/H x H/J x J/E x E/W x W/P``

    (H hours worked, J filled jobs at workplaces, E employed residents aged 16-64, W residents
    aged 16-64, P all residents), so the log gap is the sum of the components' log gaps:

    ``ln(y_a / y_uk) = sum_k ln(x_ka / x_kuk)``.

    The output gap in £ is the output the area would add with the UK's GVA per head,
    ``P_a (y_uk - y_a) = GVA_a (y_uk / y_a - 1)``; each component's £ share is its share of
    the total log gap (a log-share allocation, exact and order-free). References: ONS,
    *Regional economic activity by GDP* and *Subregional productivity* (the productivity,
    labour-market and demographic split of GDP per head); West Midlands LIS evidence base
    (2019), the output gap split into productivity, participation and demography; Martin,
    Gardiner & Tyler (2014), *The evolving economic performance of UK cities*.

    Parameters
    ----------
    area, uk
        Series indexed by ``ACCOUNT``: ``gva`` (£), ``hours``, ``jobs``, ``employed``,
        ``working_age``, ``population``. Any consistent units (ratios to the UK cancel them).

    Returns
    -------
    pandas.DataFrame
        One row per component then ``total``: ``component``, ``label``, ``area``, ``uk``
        (the ratio in each), ``log_points`` (100 x log ratio, negative = below the UK),
        ``gap_gbp`` (contribution to the output gap, positive = output missing) and
        ``share_of_gap`` (% of the total gap).

    Raises
    ------
    ValueError
        If a quantity is missing or not positive (named).
    """
    for name, account in (("area", area), ("UK", uk)):
        missing = [k for k in ACCOUNT if k not in account.index or not account[k] > 0]
        if missing:
            raise ValueError(f"{name} account: {', '.join(missing)} missing or not positive")
    ra, ru = _ratios(area), _ratios(uk)
    logs = np.log(ra / ru)
    head_a = area["gva"] / area["population"]
    head_uk = uk["gva"] / uk["population"]
    total_log = float(np.log(head_a / head_uk))
    gap = float(area["gva"]) * (head_uk / head_a - 1)
    out = pd.DataFrame({"component": list(COMPONENTS), "label": list(COMPONENTS.values()),
                        "area": ra.to_numpy(), "uk": ru.to_numpy(),
                        "log_points": 100 * logs.to_numpy()})
    out["gap_gbp"] = gap * logs.to_numpy() / total_log if total_log else 0.0
    out["share_of_gap"] = 100 * out["gap_gbp"] / gap if gap else 0.0
    total = pd.DataFrame([{"component": "total", "label": "GVA per head", "area": head_a,
                           "uk": head_uk, "log_points": 100 * total_log, "gap_gbp": gap,
                           "share_of_gap": 100.0}])
    return pd.concat([out, total], ignore_index=True)


def shift_share_productivity(area: pd.DataFrame, uk: pd.DataFrame) -> dict[str, float]:
    """The productivity gap to the UK split into industry mix and within-industry terms.

    With industry shares of employment ``s_i = E_i / E`` and productivity ``p_i = GVA_i /
    E_i``, aggregate productivity is ``p = sum_i s_i p_i``, and

    ``p_a - p_uk = sum_i (s_ai - s_ui) p_ui  +  sum_i s_ai (p_ai - p_ui)``

    : the first term (industry mix) is the gap the area would have if each of its industries
    were as productive as the UK's; the second (within industry) is the gap from its
    industries being less productive than the same industries in the UK. The split is exact
    (the static shift-share of e.g. ONS, *Understanding spatial labour productivity in the UK*
    (2018), and Harris & Moffat; Cambridge Econometrics for the LIS evidence bases).

    Parameters
    ----------
    area, uk
        One row per industry (same industries in both, index = industry): ``gva`` and
        ``employment``.

    Returns
    -------
    dict
        ``area`` and ``uk`` productivity (£ per job), ``gap`` (area - UK), ``mix``,
        ``within``, and ``mix_share`` / ``within_share`` (% of the gap).

    Raises
    ------
    ValueError
        If the industries differ, or an industry has GVA but no employment (named).
    """
    if set(area.index) != set(uk.index):
        raise ValueError("industries differ between the area and the UK: "
                         f"{sorted(set(area.index) ^ set(uk.index))}")
    uk = uk.loc[area.index]
    for name, frame in (("area", area), ("UK", uk)):
        bad = frame.index[(frame["employment"] <= 0) | frame["employment"].isna()
                          | frame["gva"].isna()]
        if len(bad):
            raise ValueError(f"{name}: no employment or GVA for industries {list(bad)}")
    s_a = area["employment"] / area["employment"].sum()
    s_u = uk["employment"] / uk["employment"].sum()
    p_a = area["gva"] / area["employment"]
    p_u = uk["gva"] / uk["employment"]
    mix = float(((s_a - s_u) * p_u).sum())
    within = float((s_a * (p_a - p_u)).sum())
    agg_a = float(area["gva"].sum() / area["employment"].sum())
    agg_u = float(uk["gva"].sum() / uk["employment"].sum())
    gap = agg_a - agg_u
    return {"area": agg_a, "uk": agg_u, "gap": gap, "mix": mix, "within": within,
            "mix_share": 100 * mix / gap if gap else float("nan"),
            "within_share": 100 * within / gap if gap else float("nan")}


def labour_accounts(productivity: pd.DataFrame, local: pd.DataFrame,
                    population: pd.DataFrame, lads: list[str], year: int,
                    uk_code: str = "K02000001") -> pd.DataFrame:
    """The six quantities of :func:`per_head_decomposition` for a group of districts and the
    UK, one year, from ONS's published district statistics.

    * ``jobs``: filled jobs (subregional productivity, district workbook); ``gva`` = the sum
      of GVA per filled job x filled jobs, i.e. the GVA ONS used for its district rates;
    * ``hours``: ``gva / (GVA per hour worked)``, the hours implied by ONS's two published
      rates, the group's rates being hours- and jobs-weighted means of its districts';
    * ``employed``: APS employment rate aged 16-64 (ONS, Explore local statistics) x residents
      aged 16-64, summed over districts; the UK's from its published UK rate;
    * ``working_age``, ``population``: mid-2021 population estimates, summed.

    The UK's rates are built from every district the same way (like for like with the group).

    Returns
    -------
    pandas.DataFrame
        Index ``ACCOUNT``; columns ``area`` and ``uk``.

    Raises
    ------
    ValueError
        If a district of the group lacks a quantity (named).
    """
    wide = productivity[productivity["year"] == year].pivot_table(
        index="area_code", columns="measure", values="value", aggfunc="first")
    districts = wide[wide.index.isin(set(productivity["lad_code"].dropna()))]
    pop = population[population["age_type"] == "Labour Market category"].pivot_table(
        index="lad_code", columns="age", values="population", aggfunc="sum")
    pop["working_age"] = pop[["Aged 16 to 24", "Aged 25 to 49", "Aged 50 to 64"]].sum(axis=1)
    rate = local[(local["indicator"] == "Employment rate") & (local["year"] == year)]
    rates = rate.drop_duplicates("areacd").set_index("areacd")["observation"].astype(float)

    def account(codes: list[str]) -> pd.Series:
        rows = districts.loc[districts.index.isin(codes)]
        missing = sorted(set(codes) - set(rows.dropna(subset=["filled_jobs", "gva_per_job",
                                                              "gva_per_hour",
                                                              "hours_worked"]).index))
        if missing:
            raise ValueError(f"productivity {year}: no jobs, hours or GVA rates for "
                             f"{', '.join(missing)}")
        gva = float((rows["gva_per_job"] * rows["filled_jobs"]).sum())
        per_hour = float((rows["gva_per_hour"] * rows["hours_worked"]).sum()
                         / rows["hours_worked"].sum())
        return pd.Series({"gva": gva, "hours": gva / per_hour,
                          "jobs": float(rows["filled_jobs"].sum())})

    no_pop = sorted(set(lads) - set(pop.index))
    no_rate = sorted(set(lads) - set(rates.index))
    if no_pop or no_rate:
        raise ValueError(f"{year}: no mid-2021 population for {no_pop or 'none'}, no "
                         f"employment rate for {no_rate or 'none'}")
    area = account(lads)
    area["employed"] = float((rates[lads] / 100 * pop.loc[lads, "working_age"]).sum())
    area["working_age"] = float(pop.loc[lads, "working_age"].sum())
    area["population"] = float(pop.loc[lads, "All Ages"].sum())
    uk = account(list(districts.index))
    uk["working_age"] = float(pop["working_age"].sum())
    uk["population"] = float(pop["All Ages"].sum())
    uk["employed"] = float(rates[uk_code]) / 100 * uk["working_age"]
    return pd.DataFrame({"area": area, "uk": uk}).loc[list(ACCOUNT)]


#: SIC 2007 divisions of each industry of ONS's regional GVA by industry (sections, with A+B
#: and D+E combined as ONS publishes them; L is real estate excluding owner-occupiers'
#: imputed rent, which has output but no jobs; T, households as employers, is left out:
#: BRES counts no jobs there).
GVA_INDUSTRIES = {
    "AB": range(1, 10), "C": range(10, 34), "DE": range(35, 40), "F": range(41, 44),
    "G": range(45, 48), "H": range(49, 54), "I": range(55, 57), "J": range(58, 64),
    "K": range(64, 67), "68": range(68, 69), "M": range(69, 76), "N": range(77, 83),
    "O": range(84, 85), "P": range(85, 86), "Q": range(86, 89), "R": range(90, 94),
    "S": range(94, 97),
}


def industry_accounts(gva: pd.DataFrame, bres: pd.DataFrame, itl2: list[str],
                      year: int) -> dict[str, pd.DataFrame]:
    """GVA (£, current prices) and employment by industry for a group of ITL2 areas and for
    Great Britain, one year: the inputs of :func:`shift_share_productivity`.

    GVA: ONS regional GVA by industry, ITL3 areas summed to ITL2 (and, for Great Britain, all
    ITL3 areas outside Northern Ireland, TLN). Employment: BRES employment by SIC division at
    ITL2 (employees and working owners; BRES covers Great Britain only), grouped to the GVA
    industries by :data:`GVA_INDUSTRIES`. Households as employers (T, 97-98) and
    extraterritorial bodies (99) are left out: BRES counts no jobs in T and ONS no GVA in 99.

    Returns
    -------
    dict
        ``area`` and ``uk`` (Great Britain), each indexed by industry code with ``gva``,
        ``employment`` and ``name``.

    Raises
    ------
    ValueError
        If an ITL2 code has no BRES rows that year, or a GVA cell is suppressed (named).
    """
    division = {f"{d:02d}": code for code, divs in GVA_INDUSTRIES.items() for d in divs}
    g = gva[(gva["year"] == year) & gva["sic07_code"].isin(GVA_INDUSTRIES)].copy()
    g["itl2_code"] = g["itl_code"].str[:4]
    g = g[~g["itl_code"].str.startswith("TLN")]
    b = bres[(bres["year"] == year) & bres["sic_code"].isin(division)].copy()
    b["industry"] = b["sic_code"].map(division)
    absent = sorted(set(itl2) - set(b["itl2_code"]))
    if absent:
        raise ValueError(f"BRES {year}: no employment for ITL2 {', '.join(absent)}")
    names = g.drop_duplicates("sic07_code").set_index("sic07_code")["sic07_description"]

    def frame(gva_rows: pd.DataFrame, bres_rows: pd.DataFrame, where: str) -> pd.DataFrame:
        if gva_rows["gva_gbp_m"].isna().any():
            bad = gva_rows[gva_rows["gva_gbp_m"].isna()].iloc[0]
            raise ValueError(f"GVA {year}: {where} {bad['itl_code']} {bad['sic07_code']} "
                             "is suppressed")
        out = pd.DataFrame({
            "gva": 1e6 * gva_rows.groupby("sic07_code")["gva_gbp_m"].sum().astype(float),
            "employment": bres_rows.groupby("industry")["employment"].sum().astype(float)})
        return out.loc[list(GVA_INDUSTRIES)].assign(name=names.reindex(list(GVA_INDUSTRIES)))

    return {"area": frame(g[g["itl2_code"].isin(itl2)], b[b["itl2_code"].isin(itl2)], "area"),
            "uk": frame(g, b, "Great Britain")}


__all__ = ["ACCOUNT", "COMPONENTS", "GVA_INDUSTRIES", "UNITS", "industry_accounts",
           "labour_accounts", "per_head_decomposition", "shift_share_productivity"]
