"""The firm register of the firm-level methods: synthetic (a method demonstration) or real.

``clusters.firm_register`` in ``params.yaml`` chooses it:

* ``synthetic`` (the default, and what runs offline): invented firms calibrated on official
  aggregates with planted clusters, :func:`~wmresearch.colocation.firms.synthetic_firm_register`.
  It can only show that a method recovers what was planted; it states no finding.
* ``companies_house``: every live company of the area at the full postcode of its
  registered office, :func:`wmresearch.evidence.companies.read_firm_locations` (Companies
  House *Free Company Data Product*, https://download.companieshouse.gov.uk/en_output.html,
  joined to the ONS Postcode Directory, ONS Open Geography Portal, with DuckDB). Real firms,
  with the caveat :data:`~wmresearch.evidence.companies.CAVEAT`: registered office, not
  trading site, and no employment (each company counts as one).

Both give one row per firm with ``firm_id``, ``easting``, ``northing`` (British National
Grid metres), ``sic_code`` (5-digit SIC 2007), ``section``, ``lad_code`` and ``synthetic``,
the columns the K-density and firm-cluster functions read; the synthetic register adds
``employment``, ``sizeband``, ``msoa11_code`` and ``planted``, the real one the company name,
postcode, all four SIC codes, latitude and longitude and the geocode's precision.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from wmresearch.colocation.firms import (
    SYNTHETIC_NOTE,
    SyntheticRegister,
    load_calibration_tables,
    synthetic_firm_register,
)
from wmresearch.config import Paths
from wmresearch.evidence.companies import read_firm_locations
from wmresearch.sources.datasets_firms import locate

KINDS = ("synthetic", "companies_house")
#: Columns both registers share, first in each.
SHARED_COLUMNS = ("firm_id", "easting", "northing", "sic_code", "section", "lad_code",
                  "synthetic")
REAL_EXTRA = ("company_name", "status", "postcode", "sic_code_1", "sic_code_2", "sic_code_3",
              "sic_code_4", "latitude", "longitude", "postcode_terminated", "grid_quality",
              "geocode_precision")


@dataclass
class FirmRegister:
    """One firm register and what a report must say about it.

    ``label`` is ``"synthetic"`` or ``"real"``; ``caveat`` the sentence to print with any
    result from it; ``accounting`` (real register) the companies read, left out by reason
    and located; ``synthetic`` the full synthetic register (planted truth, calibration).
    """

    kind: str
    label: str
    firms: pd.DataFrame
    caveat: str
    accounting: pd.DataFrame | None = None
    rejects: pd.DataFrame | None = None
    synthetic: SyntheticRegister | None = None
    sources: dict[str, str] = field(default_factory=dict)


def firm_register(kind: str, region_lads: pd.DataFrame, *, paths: Paths, seed: int,
                  tables: Mapping[str, pd.DataFrame] | None = None,
                  oa_lookup: pd.DataFrame | None = None,
                  synthetic_options: Mapping[str, Any] | None = None,
                  companies_house_file: str | Path | None = None,
                  onspd_file: str | Path | None = None,
                  statuses: Collection[str] | None = None,
                  allow_download: bool | None = None) -> FirmRegister:
    """The firm register of ``kind`` for the districts of ``region_lads``.

    Parameters
    ----------
    kind
        ``"synthetic"`` or ``"companies_house"`` (``clusters.firm_register``).
    region_lads
        The area's districts: ``lad_code`` and, for the synthetic register, ``itl2_code``
        (``StudyArea.districts`` of :mod:`wmresearch.evidence.area`).
    paths
        The project's folders: evidence tables, ``data/raw`` and the work folder
        ``data/interim/firm_locations`` (the zips' extracted CSVs, reused).
    seed
        Seed of the synthetic register (unused for the real one).
    tables, oa_lookup, synthetic_options
        Synthetic register: its calibration tables (default: read from the evidence folder,
        :func:`~wmresearch.colocation.firms.load_calibration_tables`), the OA lookup and
        ``scale``, ``jitter_m``, ``planted``.
    companies_house_file, onspd_file
        Real register: the national Companies House file and the ONSPD (zip or CSV);
        ``None`` finds the registered dataset in ``data/raw``, the mirror, or downloads it
        (``clusters.companies_house_file``, ``clusters.onspd_file``).
    statuses
        ``CompanyStatus`` values kept (default ``Active`` and ``Active - Proposal to Strike
        off``).
    allow_download
        ``None``: download unless ``WMRESEARCH_OFFLINE`` is set.

    Raises
    ------
    ValueError
        An unknown ``kind``.
    FileNotFoundError
        ``companies_house`` chosen and a file absent and not downloadable: one message
        saying what to download from where.
    """
    if kind not in KINDS:
        raise ValueError(f"clusters.firm_register = {kind!r}: use one of {', '.join(KINDS)}")
    if kind == "synthetic":
        return _synthetic(region_lads, paths, seed, tables, oa_lookup, synthetic_options)
    companies = locate("companies_house_national", paths, explicit=companies_house_file,
                       setting="clusters.companies_house_file", allow_download=allow_download)
    onspd = locate("onspd", paths, explicit=onspd_file, setting="clusters.onspd_file",
                   allow_download=allow_download)
    options = {} if statuses is None else {"statuses": tuple(statuses)}
    found = read_firm_locations(companies, onspd, districts=list(region_lads["lad_code"]),
                                work_dir=paths.interim / "firm_locations", **options)
    firms = found.firms.assign(synthetic=False)
    firms = firms[[*SHARED_COLUMNS, *REAL_EXTRA]].sort_values("firm_id").reset_index(drop=True)
    firms.attrs["caveat"] = found.caveat
    return FirmRegister("companies_house", "real", firms, found.caveat, found.accounting,
                        found.rejects, None, found.sources)


def _synthetic(region_lads: pd.DataFrame, paths: Paths, seed: int,
               tables: Mapping[str, pd.DataFrame] | None, oa_lookup: pd.DataFrame | None,
               options: Mapping[str, Any] | None) -> FirmRegister:
    tables = dict(tables) if tables is not None else load_calibration_tables(paths.evidence)
    wanted = {k: v for k, v in (options or {}).items() if k in ("scale", "jitter_m", "planted")}
    reg = synthetic_firm_register(region_lads, seed=seed, oa_lookup=oa_lookup, **tables,
                                  **wanted)
    firms = reg.firms
    order = [*SHARED_COLUMNS, *(c for c in firms.columns if c not in SHARED_COLUMNS)]
    caveat = firms.attrs.get("synthetic", SYNTHETIC_NOTE.format(n=len(reg.truth)))
    firms = firms[order]
    firms.attrs["synthetic"] = caveat
    return FirmRegister("synthetic", "synthetic", firms, caveat, None, None, reg)
