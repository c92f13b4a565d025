"""Synthetic demo tables, used only when official datasets cannot be acquired.

The demo lets the whole pipeline run on a machine with neither the mirror nor a network, so
that a new user sees every report's shape. Every report built from it carries a DEMO DATA
banner. Levels are calibrated on published headline figures so charts look plausible:
UK GVA per hour worked £38.7 in 2021 and West Midlands metropolitan county 89% of it (ONS
subregional productivity, 2023 release); GB employment ~31 million (BRES 2021).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wmresearch.evidence.area import region_lads
from wmresearch.evidence.io import Cleaned

DEMO_LADS = [  # (code, name, itl3, combined authority)
    ("E08000025", "Birmingham", "TLG31", "E47000007"),
    ("E08000026", "Coventry", "TLG33", "E47000007"),
    ("E08000027", "Dudley", "TLG36", "E47000007"),
    ("E08000028", "Sandwell", "TLG37", "E47000007"),
    ("E08000029", "Solihull", "TLG32", "E47000007"),
    ("E08000030", "Walsall", "TLG38", "E47000007"),
    ("E08000031", "Wolverhampton", "TLG39", "E47000007"),
    ("E08000003", "Manchester", "TLD33", "E47000001"),
    ("E09000001", "City of London", "TLI31", None),
    ("E06000001", "Hartlepool", "TLC11", "E47000006"),
]
CAUTH = {"E47000007": "West Midlands", "E47000001": "Greater Manchester",
         "E47000006": "Tees Valley"}
DIVISIONS = [f"{d:02d}" for d in (10, 20, 25, 29, 41, 45, 46, 47, 49, 55, 56, 62, 64, 68, 70,
                                  72, 84, 85, 86, 93)]


def demo_lookup() -> pd.DataFrame:
    """The demo's LAD lookup (same columns as the evidence table ``lad_lookup``)."""
    rows = [{"lad_code": c, "lad_name": n, "lad_code_active": c, "lad_name_active": n,
             "utla_code": c, "cauth_code": ca, "cauth_name": CAUTH.get(ca),
             "region_code": "E12000005" if i3.startswith("TLG") else "E12000001",
             "region_name": "West Midlands" if i3.startswith("TLG") else "North East",
             "country_code": "E92000001"} for c, n, i3, ca in DEMO_LADS]
    return pd.DataFrame(rows)


def _lad_itl() -> pd.DataFrame:
    return pd.DataFrame([{"lad_code": c, "lad_name": n, "itl3_code": i3, "itl3_name": n,
                          "itl2_code": i3[:4], "itl1_code": i3[:3], "share": 1.0,
                          "primary": True} for c, n, i3, _ in DEMO_LADS])


def _productivity(rng: np.random.Generator) -> pd.DataFrame:
    years = np.arange(2004, 2023)
    uk_hour = 24.8 * (38.7 / 24.8) ** ((years - 2004) / 17)
    uk_job = uk_hour * 1520
    rows = []
    areas = [("UKX", None, "UK less Extra-Regio", 1.0, 3.2e7)] + [
        (c, c, n, float(rng.uniform(0.75, 1.05)), float(rng.uniform(1e5, 6e5)))
        for c, n, _, _ in DEMO_LADS]
    for code, lad, name, rel, jobs in areas:
        noise = 1 + (rng.normal(0, 0.01, len(years)) if code != "UKX" else 0)
        hour = uk_hour * rel * noise
        job = uk_job * rel * (1 + rng.normal(0, 0.005, len(years)))
        filled = jobs * (1 + 0.005 * (years - 2004))
        measures = (("gva_per_hour", "GBP", hour),
                    ("gva_per_hour_index", "UK=100", 100 * hour / uk_hour),
                    ("gva_per_job", "GBP", job),
                    ("gva_per_job_index", "UK=100", 100 * job / uk_job),
                    ("filled_jobs", "jobs", filled),
                    ("hours_worked", "hours per week", filled * 31.5))
        for measure, unit, values in measures:
            rows += [{"area_code": code, "lad_code": lad, "area_name": name,
                      "measure": measure, "unit": unit, "year": int(y), "value": float(v)}
                     for y, v in zip(years, values, strict=True)]
    return pd.DataFrame(rows).astype({"year": "Int64", "value": "Float64"})


def _imd(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for code, name, _, _ in DEMO_LADS[:7]:
        for k in range(30):
            rank = int(rng.integers(1, 32_845))
            rows.append({"lsoa11_code": f"E01{rng.integers(0, 999_999):06d}",
                         "lsoa11_name": f"{name} {k:03d}X", "lad19_code": code,
                         "lad19_name": name, "lad_code": code, "imd_rank": rank,
                         "imd_decile": int(np.ceil(10 * rank / 32_844)),
                         "population_2015": int(rng.integers(1000, 3000))})
    return pd.DataFrame(rows).drop_duplicates("lsoa11_code")


def _bres(rng: np.random.Generator) -> pd.DataFrame:
    itl2 = sorted({i3[:4] for _, _, i3, _ in DEMO_LADS})
    base = rng.lognormal(10, 1, len(DIVISIONS))
    rows = []
    for year in range(2015, 2022):
        for area in itl2:
            tilt = rng.lognormal(0, 0.4, len(DIVISIONS))
            for div, b, t in zip(DIVISIONS, base, tilt, strict=True):
                value = round(b * t * (1 + 0.01 * (year - 2015)), -1)
                rows.append({"year": year, "itl2_code": area, "itl2_name": area,
                             "sic_code": div, "sic_name": f"Division {div}",
                             "employment": float(value)})
    return pd.DataFrame(rows).astype({"year": "Int64", "employment": "Float64"})


def demo_tables(region: str, seed: int = 0) -> list[Cleaned]:
    """All demo tables, deterministic for a given ``seed``."""
    rng = np.random.default_rng(seed)
    lookup = demo_lookup()
    itl = _lad_itl()
    districts = region_lads(lookup, region, itl)
    tables = {"lad_lookup": lookup, "lad_itl": itl, "region_lads": districts,
              "productivity_lad": _productivity(rng), "imd2019_lsoa": _imd(rng),
              "bres_itl2_sic2": _bres(rng)}
    return [Cleaned(name, frame, len(frame), source="synthetic demo (wmresearch.evidence.demo)")
            for name, frame in tables.items()]
