"""Benchmark: real firm locations at national scale, the package against DuckDB's own SQL.

Generates, in a temporary folder, a national-size pair of files in the publishers' exact
layouts: a Companies House BasicCompanyData CSV (the 55 published columns with the leading
spaces in their names, every value quoted, ``dd/mm/yyyy`` dates, SIC fields as ``"code -
description"``; https://download.companieshouse.gov.uk/en_output.html) and an ONS Postcode
Directory CSV (the February 2023 ONSPD header, strings quoted and numbers not, terminated
postcodes with ``doterm``, postcodes without a grid reference at ``lat`` 99.999999 and blank
``oseast1m``/``osnrth1m``; ONSPD user guide). DuckDB writes both (seconds, not minutes).

It then times, on the same files in the same run and in the same order each time:

* the package: :func:`wmresearch.evidence.companies.read_firm_locations` (read, filter,
  join, row accounting), once for the whole country written to Parquet and once for a study
  area of seven districts returned as a table;
* DuckDB's own read-filter-join SQL doing the same work (same status filter, same postcode
  normalisation, same join and area filter) without the accounting.

Each run is a fresh subprocess, so its peak resident memory (``VmHWM`` in
``/proc/self/status``, the kernel's high-water mark; ``resource.getrusage`` elsewhere) and
its CPU time (``resource.getrusage``) are its own. Prints wall and CPU seconds, the ratio
package / DuckDB (target at most 1.2) and the package's peak RSS (target at most 2 GB).

Usage::

    .venv/bin/python benchmarks/bench_companies_house.py                 # 5M x 2.6M
    .venv/bin/python benchmarks/bench_companies_house.py --companies 500000 --postcodes 260000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from wmresearch.evidence.companies import BASIC_COMPANY_DATA_HEADER

#: ONSPD header (February 2023 onwards, before the 2025 renaming), as published.
ONSPD_HEADER = (
    "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,oseast1m,osnrth1m,"
    "osgrdind,oshlthau,nhser,ctry,rgn,streg,pcon,eer,teclec,ttwa,pct,itl,statsward,oa01,"
    "casward,npark,lsoa01,msoa01,ur01ind,oac01,oa11,lsoa11,msoa11,wz11,sicbl,bua11,buasd11,"
    "ru11ind,oac11,lat,long,lep1,lep2,pfa,imd,calncv,icb,oa21,lsoa21,msoa21")
#: ONSPD columns written unquoted (numbers); the others are quoted strings.
ONSPD_NUMBERS = ("lat", "long", "imd")
AREAS = (
    "AB AL B BA BB BD BH BL BN BR BS CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT "
    "DY E EC EH EN EX FK FY G GL GU HA HD HG HP HR HS HU HX IG IP IV KA KT KW KY L LA LD LE "
    "LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG "
    "SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV "
    "YO ZE").split()
WM_AREAS = ("B", "CV", "DY", "WS", "WV")
#: The seven West Midlands Combined Authority districts (the benchmark's study area).
WMCA = tuple(f"E080000{n}" for n in range(25, 32))
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
SIC = (
    "62020 - Information technology consultancy activities", "99999 - Dormant Company",
    "70229 - Management consultancy activities other than financial management",
    "68209 - Other letting and operating of own or leased real estate",
    "82990 - Other business support service activities n.e.c.",
    "41201 - Construction of commercial buildings", "56101 - Licensed restaurants",
    "47710 - Retail sale of clothing in specialised stores",
    "29100 - Manufacture of motor vehicles", "30300 - Manufacture of air and spacecraft and "
    "related machinery", "72110 - Research and experimental development on biotechnology",
    "21200 - Manufacture of pharmaceutical preparations", "49410 - Freight transport by road",
    "64209 - Activities of other holding companies n.e.c.", "96090 - Other service "
    "activities n.e.c.", "7499 - Non-trading company", "None Supplied")
STATUSES = ("Active",) * 90 + ("Active - Proposal to Strike off",) * 4 + (
    "Liquidation",) * 4 + ("In Administration",) * 2


def _list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _macros(con: duckdb.DuckDBPyConnection) -> None:
    """Postcode number j -> a unique postcode (4,000 inward codes per outward code)."""
    con.execute(f"""
        CREATE OR REPLACE MACRO pc_area(j) AS {_list(tuple(AREAS))}[(j // 4000) % {len(AREAS)} + 1];
        CREATE OR REPLACE MACRO pc_out(j) AS
            pc_area(j) || CAST((j // 4000) // {len(AREAS)} + 1 AS VARCHAR);
        CREATE OR REPLACE MACRO pc_in(j) AS
            CAST((j % 4000) // 400 AS VARCHAR) || '{LETTERS}'[(j % 400) // 20 + 1]
            || '{LETTERS}'[j % 20 + 1];
        CREATE OR REPLACE MACRO pick(values, k) AS
            values[CAST(hash(k) % len(values) AS BIGINT) + 1];
        CREATE OR REPLACE MACRO chance(k, salt, share) AS
            hash(k * 31 + salt) % 1000000 < share * 1000000;
    """)


def generate_onspd(con: duckdb.DuckDBPyConnection, path: Path, n: int) -> None:
    """``n`` unique postcodes in the ONSPD layout: a third terminated, 0.5% without a grid
    reference, the West Midlands outward codes in the seven WMCA districts."""
    names = ONSPD_HEADER.split(",")
    values = {name: "'E99999999'" for name in names}
    wm = "pc_area(j) IN (" + ", ".join(f"'{a}'" for a in WM_AREAS) + ")"
    nogrid = "chance(j, 7, 0.005)"
    values.update(
        pcd="rpad(pc_out(j), 4, ' ') || pc_in(j)",
        pcd2="rpad(pc_out(j), 4, ' ') || ' ' || pc_in(j)",
        pcds="pc_out(j) || ' ' || pc_in(j)",
        dointr="'198001'", doterm="CASE WHEN chance(j, 3, 0.33) THEN '201506' ELSE '' END",
        oslaua=f"CASE WHEN {wm} THEN 'E080000' || CAST(25 + (j // 400) % 7 AS VARCHAR) "
               "ELSE 'E0' || lpad(CAST(6000000 + (j // 4000) % 330 AS VARCHAR), 7, '0') END",
        osward="'E05' || lpad(CAST(j % 9000 AS VARCHAR), 6, '0')", usertype="'0'",
        oseast1m=f"CASE WHEN {nogrid} THEN '' ELSE CAST(300000 + (j * 37) % 350000 AS VARCHAR)"
                 " END",
        osnrth1m=f"CASE WHEN {nogrid} THEN '' ELSE CAST(100000 + (j * 53) % 700000 AS "
                 "VARCHAR) END",
        osgrdind=f"CASE WHEN {nogrid} THEN '9' ELSE '1' END", ctry="'E92000001'",
        rgn="'E12000005'", lat=f"CASE WHEN {nogrid} THEN 99.999999 ELSE "
                               "round(50.0 + (j * 53) % 700000 / 100000.0, 6) END",
        long=f"CASE WHEN {nogrid} THEN 0.0 ELSE round(-5.0 + (j * 37) % 350000 / 50000.0, 6)"
             " END", imd="CAST(1 + j % 32844 AS INTEGER)",
        oa21="'E00' || lpad(CAST(j % 180000 AS VARCHAR), 6, '0')",
        lsoa21="'E01' || lpad(CAST(j % 33000 AS VARCHAR), 6, '0')",
        msoa21="'E02' || lpad(CAST(j % 7000 AS VARCHAR), 6, '0')")
    select = ", ".join(f'{values[c]} AS "{c}"' for c in names)
    quoted = ", ".join(f'"{c}"' for c in names if c not in ONSPD_NUMBERS)
    body = path.with_suffix(".body")
    con.execute(f"COPY (SELECT {select} FROM range({n}) t(j) ORDER BY j) TO '{body}' "
                f"(HEADER false, FORCE_QUOTE ({quoted}))")
    _prepend(ONSPD_HEADER, body, path)


def generate_companies(con: duckdb.DuckDBPyConnection, path: Path, n: int,
                       n_postcodes: int) -> None:
    """``n`` companies in the 55-column BasicCompanyData layout, each at a postcode of the
    ONSPD (2% blank, 1% foreign, 1% unknown to the ONSPD, 3% lower case without a space)."""
    names = [c.strip() for c in BASIC_COMPANY_DATA_HEADER.split(",")]
    values = {name: "''" for name in names}
    date = "lpad(CAST(1 + i % 28 AS VARCHAR), 2, '0') || '/' || lpad(CAST(1 + i % 12 AS " \
           "VARCHAR), 2, '0') || '/' || CAST({y} + i % {span} AS VARCHAR)"
    j = f"CAST(hash(i) % {n_postcodes} AS BIGINT)"
    postcode = f"pc_out({j}) || ' ' || pc_in({j})"
    values.update({
        "CompanyName": "pick(['ACORN', 'APEX', 'MERCIA', 'PHOENIX', 'SUMMIT', 'VISION'], i) "
                       "|| ' ' || upper(to_hex(i * 7919)) || ' LIMITED'",
        "CompanyNumber": "lpad(CAST(i AS VARCHAR), 8, '0')",
        "RegAddress.AddressLine1": "CAST(1 + i % 400 AS VARCHAR) || ' HIGH STREET'",
        "RegAddress.AddressLine2": "CASE WHEN i % 3 = 0 THEN 'UNIT ' || CAST(i % 40 AS "
                                   "VARCHAR) ELSE '' END",
        "RegAddress.PostTown": "pick(['BIRMINGHAM', 'LONDON', 'LEEDS', 'COVENTRY'], i)",
        "RegAddress.Country": "'UNITED KINGDOM'",
        "RegAddress.PostCode": f"""CASE WHEN chance(i, 1, 0.02) THEN ''
            WHEN chance(i, 2, 0.01) THEN '75008'
            WHEN chance(i, 3, 0.01) THEN 'XX' || CAST(i % 90 + 1 AS VARCHAR) || ' 1AA'
            WHEN chance(i, 4, 0.03) THEN lower(replace({postcode}, ' ', ''))
            ELSE {postcode} END""",
        "CompanyCategory": "'Private Limited Company'",
        "CompanyStatus": f"pick({_list(STATUSES)}, i * 3)",
        "CountryOfOrigin": "'United Kingdom'",
        "IncorporationDate": date.format(y=1980, span=44),
        "Accounts.AccountRefDay": "CAST(1 + i % 28 AS VARCHAR)",
        "Accounts.AccountRefMonth": "CAST(1 + i % 12 AS VARCHAR)",
        "Accounts.NextDueDate": date.format(y=2024, span=2),
        "Accounts.LastMadeUpDate": date.format(y=2022, span=2),
        "Accounts.AccountCategory": "pick(['MICRO ENTITY', 'DORMANT', 'TOTAL EXEMPTION FULL',"
                                    " 'NO ACCOUNTS FILED'], i)",
        "Returns.NextDueDate": date.format(y=2016, span=1),
        **{f"Mortgages.{m}": "'0'" for m in ("NumMortCharges", "NumMortOutstanding",
                                             "NumMortPartSatisfied", "NumMortSatisfied")},
        "SICCode.SicText_1": f"pick({_list(SIC)}, i * 5)",
        "SICCode.SicText_2": f"CASE WHEN i % 4 = 0 THEN pick({_list(SIC[:-2])}, i * 11) "
                             "ELSE '' END",
        "SICCode.SicText_3": f"CASE WHEN i % 10 = 0 THEN pick({_list(SIC[:-2])}, i * 13) "
                             "ELSE '' END",
        "LimitedPartnerships.NumGenPartners": "'0'", "LimitedPartnerships.NumLimPartners": "'0'",
        "URI": "'http://business.data.gov.uk/id/company/' || lpad(CAST(i AS VARCHAR), 8, '0')",
        "PreviousName_1.CONDATE": f"CASE WHEN i % 8 = 0 THEN {date.format(y=2000, span=20)} "
                                  "ELSE '' END",
        "PreviousName_1.CompanyName": "CASE WHEN i % 8 = 0 THEN 'FORMER ' || "
                                      "upper(to_hex(i)) || ' LTD' ELSE '' END",
        "ConfStmtNextDueDate": date.format(y=2024, span=2),
        "ConfStmtLastMadeUpDate": date.format(y=2023, span=1),
    })
    select = ", ".join(f'{values[c]} AS "{c}"' for c in names)
    body = path.with_suffix(".body")
    con.execute(f"COPY (SELECT {select} FROM range({n}) t(i) ORDER BY i) TO '{body}' "
                "(HEADER false, FORCE_QUOTE *)")
    _prepend(BASIC_COMPANY_DATA_HEADER, body, path)


def _prepend(header: str, body: Path, path: Path) -> None:
    with path.open("wb") as out, body.open("rb") as src:
        out.write((header + "\n").encode())
        shutil.copyfileobj(src, out, 1 << 24)
    body.unlink()


# ---------------------------------------------------------------- the two contenders
def baseline_sql(companies: Path, onspd: Path, districts: tuple[str, ...] | None) -> str:
    """DuckDB's own read-filter-join: the same reading, status filter, postcode key, join,
    grid-reference and area filters and output columns as the package, with no accounting."""
    from wmresearch.evidence.companies.locations_sql import (
        company_layout,
        onspd_layout,
        onspd_types,
        postcode_key,
        read_csv_sql,
        sic_class,
    )
    from wmresearch.evidence.sic import SIC2007_DIVISIONS

    c_layout, o_layout = company_layout(companies), onspd_layout(onspd)
    sics = [sic_class(f'c."SICCode.SicText_{i}"') for i in range(1, 5)]
    divisions = ", ".join(f"('{d}', '{s}')" for d, s in SIC2007_DIVISIONS.items())
    area = "" if districts is None else "AND o.oslaua IN (" + ", ".join(
        f"'{d}'" for d in districts) + ")"
    return f"""
        WITH f AS (
            SELECT c.CompanyNumber AS firm_id, c.CompanyName AS company_name,
                c.CompanyStatus AS status, o.pcds AS postcode,
                coalesce({', '.join(sics)}) AS sic_code,
                {', '.join(f'{s} AS sic_code_{i}' for i, s in enumerate(sics, 1))},
                o.oslaua AS lad_code, o.oseast1m AS easting, o.osnrth1m AS northing,
                o.lat AS latitude, o.long AS longitude, o.doterm <> '' AS postcode_terminated,
                o.osgrdind AS grid_quality
            FROM {read_csv_sql(c_layout, {})} AS c
            JOIN {read_csv_sql(o_layout, onspd_types(o_layout))} AS o
              ON {postcode_key('c."RegAddress.PostCode"')} = replace(o.pcds, ' ', '')
            WHERE c.CompanyStatus IN ('Active', 'Active - Proposal to Strike off')
              AND o.oseast1m IS NOT NULL AND o.osnrth1m IS NOT NULL AND o.lat < 99.9
              AND o.osgrdind <> 9 {area})
        SELECT f.* EXCLUDE (sic_code_1, sic_code_2, sic_code_3, sic_code_4, lad_code, easting,
                            northing, latitude, longitude, postcode_terminated, grid_quality),
            f.sic_code_1, f.sic_code_2, f.sic_code_3, f.sic_code_4, d.section, f.lad_code,
            f.easting, f.northing, f.latitude, f.longitude, f.postcode_terminated,
            f.grid_quality, 'postcode' AS geocode_precision
        FROM f LEFT JOIN (VALUES {divisions}) AS d(division, section)
          ON f.sic_code[1:2] = d.division"""


def worker(kind: str, scenario: str, companies: Path, onspd: Path, out: Path) -> None:
    """One timed run in this (fresh) process; prints a JSON line."""
    from wmresearch.evidence.companies import read_firm_locations

    districts = WMCA if scenario == "area" else None
    sql = baseline_sql(companies, onspd, districts)  # imports and reads headers: untimed
    started = time.perf_counter()
    if kind == "package":
        result = read_firm_locations(companies, onspd, districts=districts,
                                     out=out if scenario == "national" else None)
        rows = result.rows_out
        extra = {"rows_in": result.rows_in, "rejected": result.rejected}
    else:
        con = duckdb.connect()
        if scenario == "national":
            con.execute(f"COPY ({sql}) TO '{out}' (FORMAT parquet)")
            rows = con.execute(f"SELECT count(*) FROM '{out}'").fetchone()[0]
        else:
            rows = len(con.sql(sql).df())
        extra = {}
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"kind": kind, "scenario": scenario, "seconds": seconds, "rows": rows,
                      "cpu_seconds": usage.ru_utime + usage.ru_stime,
                      "peak_rss_mb": peak_rss_mb(), **extra}))


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started (``VmHWM``). ``ru_maxrss`` of
    ``resource.getrusage`` is not used on Linux: a child started from a large parent
    inherits the parent's resident size at the fork in it."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(kind: str, scenario: str, companies: Path, onspd: Path, folder: Path) -> dict:
    out = folder / f"{kind}_{scenario}.parquet"
    done = subprocess.run([sys.executable, __file__, "--worker", kind, scenario,
                           str(companies), str(onspd), str(out)], capture_output=True,
                          text=True)
    if done.returncode:
        raise RuntimeError(f"{kind} {scenario} failed:\n{done.stderr}")
    out.unlink(missing_ok=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=5_000_000)
    parser.add_argument("--postcodes", type=int, default=2_600_000)
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of each contender per scenario, interleaved")
    parser.add_argument("--scenario", choices=("national", "area"), action="append",
                        help="run only this scenario (repeatable; default both)")
    parser.add_argument("--folder", type=Path, default=None,
                        help="where to write the files (default: a temporary folder, removed)")
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        kind, scenario, *files = args.worker
        worker(kind, scenario, *map(Path, files))
        return
    folder = args.folder or Path(tempfile.mkdtemp(prefix="bench_companies_house_"))
    folder.mkdir(parents=True, exist_ok=True)
    companies, onspd = folder / "BasicCompanyData.csv", folder / "ONSPD_UK.csv"
    try:
        if not (companies.is_file() and onspd.is_file()):
            started = time.perf_counter()
            con = duckdb.connect()
            _macros(con)
            generate_onspd(con, onspd, args.postcodes)
            generate_companies(con, companies, args.companies, args.postcodes)
            con.close()
            print(f"generated {args.companies:,} companies ({companies.stat().st_size / 1e9:.2f}"
                  f" GB) and {args.postcodes:,} postcodes ({onspd.stat().st_size / 1e9:.2f} GB)"
                  f" in {time.perf_counter() - started:.0f} s")
        print(f"{os.cpu_count()} cores; load average before: "
              f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (a shared machine: "
              "compare the contenders within this run only)")
        for scenario in args.scenario or ("national", "area"):
            runs: dict[str, list[dict]] = {"package": [], "duckdb": []}
            for _ in range(args.repeats):
                for kind in runs:
                    runs[kind].append(run(kind, scenario, companies, onspd, folder))
            _report(scenario, runs)
        print(f"load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        if args.folder is None:
            shutil.rmtree(folder, ignore_errors=True)


def _report(scenario: str, runs: dict[str, list[dict]]) -> None:
    package, baseline = runs["package"], runs["duckdb"]
    if {r["rows"] for r in package} != {r["rows"] for r in baseline}:
        raise AssertionError(f"{scenario}: the package located {package[0]['rows']} firms, "
                             f"DuckDB's SQL {baseline[0]['rows']}")
    first = package[0]
    what = ("whole country, written to Parquet" if scenario == "national"
            else f"study area of {len(WMCA)} districts, returned as a table")
    print(f"\n{scenario}: {what}; {first['rows_in']:,} companies read, "
          f"{first['rows']:,} located; left out: "
          + "; ".join(f"{k} {v:,}" for k, v in first["rejected"].items()))
    for label, key in (("wall seconds", "seconds"), ("CPU seconds", "cpu_seconds")):
        p = sorted(r[key] for r in package)
        b = sorted(r[key] for r in baseline)
        print(f"  {label:13s} package {', '.join(f'{x:.1f}' for x in p)} | DuckDB SQL "
              f"{', '.join(f'{x:.1f}' for x in b)} | ratio of minima {p[0] / b[0]:.2f}, "
              f"of medians {p[len(p) // 2] / b[len(b) // 2]:.2f} (target <= 1.2)")
    print(f"  peak RSS      package {max(r['peak_rss_mb'] for r in package):,.0f} MB "
          f"(target <= 2,048) | DuckDB SQL {max(r['peak_rss_mb'] for r in baseline):,.0f} MB")


if __name__ == "__main__":
    main()
