"""Benchmark: stream a national-size Companies House BasicCompanyData file to Parquet.

Generates a synthetic file in the exact 55-column format of the Free Company Data Product
(https://download.companieshouse.gov.uk/en_output.html): the published header with its
leading spaces, every value quoted, quotes inside names doubled, ``dd/mm/yyyy`` dates, SIC
fields as ``"code - description"`` and realistic field lengths (about 500 bytes a row, so the
default 5 million rows is about 2.5 GB, the size of the real monthly file). Generation works
in chunks with numpy and pyarrow and needs little memory. It then runs
:func:`wmresearch.evidence.companies.ingest_basic_company_data` and prints rows, seconds,
rows/s, file size and peak resident memory (psutil, sampled in a thread, and the process
maximum from ``resource.getrusage``).

Usage::

    .venv/bin/python benchmarks/bench_companies_ingest.py --rows 500000
    .venv/bin/python benchmarks/bench_companies_ingest.py          # 5 million rows
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from wmresearch.evidence.companies import BASIC_COMPANY_DATA_HEADER, ingest_basic_company_data

WORDS = ("ACORN", "ALPHA", "APEX", "BIRMINGHAM", "BLUE", "BRIDGE", "CASTLE", "CENTRAL",
         "COVENTRY", "CREATIVE", "DIGITAL", "EAGLE", "EDGE", "ENGINEERING", "FOREST", "GLOBAL",
         "GREEN", "HARBOUR", "HERITAGE", "HOLDINGS", "INNOVATE", "KINGS", "LEGACY", "MERCIA",
         "MIDLAND", "NORTHERN", "OAK", "PHOENIX", "PREMIER", "QUANTUM", "RIVERSIDE", "ROYAL",
         "SOLUTIONS", "SOVEREIGN", "STAR", "SUMMIT", "TECH", "TRADING", "UNITED", "VICTORIA",
         "VISION", "WEST", "WOLVERHAMPTON", "CONSULTING", "PROPERTY", "SERVICES", "LOGISTICS",
         "CONSTRUCTION", "MEDIA", "CAPITAL", "VENTURES", "PARTNERS", "DESIGN", "MOTORS")
SUFFIXES = ("LIMITED", "LTD", "LIMITED", "LTD", "LLP", "PLC", "GROUP LIMITED", "UK LTD")
STREETS = ("HIGH STREET", "STATION ROAD", "CHURCH LANE", "PEPPER ROAD", "OLD STREET",
           "NEWTON BUSINESS CENTRE", "BROAD STREET", "CORPORATION STREET", "LONDON ROAD",
           "MILL LANE", "VICTORIA ROAD", "THE STUDIO HATHERLOW HOUSE", "COLMORE ROW",
           "ROSDEN HOUSE", "KING STREET", "PARK ROAD", "QUEENSWAY", "HAGLEY ROAD")
TOWNS = ("LONDON", "BIRMINGHAM", "MANCHESTER", "LEEDS", "COVENTRY", "WOLVERHAMPTON",
         "SHEFFIELD", "BRISTOL", "WALSALL", "DUDLEY", "SOLIHULL", "NOTTINGHAM", "GLASGOW",
         "CARDIFF", "EDINBURGH", "LIVERPOOL", "READING", "OLDHAM")
COUNTIES = ("", "", "", "WEST MIDLANDS", "YORKSHIRE", "GREATER MANCHESTER", "KENT",
            "HERTFORDSHIRE", "LANCASHIRE", "SURREY")
COUNTRIES = ("UNITED KINGDOM", "ENGLAND", "", "WALES", "SCOTLAND", "UNITED KINGDOM")
OUTCODES = ("B1", "B2", "B3", "B5", "B15", "B90", "CV1", "CV3", "DY1", "WS1", "WV1", "WV10",
            "EC1V", "W6", "SW9", "E4", "LS10", "M40", "SK6", "S35", "OL2", "WD6", "PL4",
            "CR0", "LU4", "HA2", "AB11", "EH1", "CF10", "G2", "BS1", "NG1", "RG26", "TN8")
INWARD_LETTERS = tuple("ABDEFGHJLNPQRSTUWXYZ")
CATEGORIES = ("Private Limited Company",) * 12 + (
    "PRI/LTD BY GUAR/NSC (Private, limited by guarantee, no share capital)",
    "Limited Liability Partnership", "Public Limited Company", "Community Interest Company",
    "Other company type")
STATUSES = ("Active",) * 18 + ("Active - Proposal to Strike off", "Liquidation")
ACCOUNTS = ("TOTAL EXEMPTION FULL", "DORMANT", "MICRO ENTITY", "NO ACCOUNTS FILED",
            "UNAUDITED ABRIDGED", "FULL", "SMALL", "TOTAL EXEMPTION SMALL")
SIC = ("78300 - Human resources provision and management of human resources functions",
       "99999 - Dormant Company", "47710 - Retail sale of clothing in specialised stores",
       "18129 - Printing n.e.c.", "59112 - Video production activities",
       "63120 - Web portals", "74201 - Portrait photographic activities",
       "62090 - Other information technology service activities",
       "70229 - Management consultancy activities other than financial management",
       "68209 - Other letting and operating of own or leased real estate",
       "41201 - Construction of commercial buildings", "56101 - Licensed restaurants",
       "82990 - Other business support service activities n.e.c.",
       "86230 - Dental practice activities", "64209 - Activities of other holding companies "
       "n.e.c.", "29100 - Manufacture of motor vehicles", "49410 - Freight transport by road",
       "62012 - Business and domestic software development", "None Supplied")
URI = "http://business.data.gov.uk/id/company/"
COLUMNS = BASIC_COMPANY_DATA_HEADER.split(",")


def _pick(rng: np.random.Generator, vocab: tuple[str, ...], n: int) -> pa.Array:
    return pa.array(vocab).take(pa.array(rng.integers(0, len(vocab), n)))


def _blank_unless(rng: np.random.Generator, values: pa.Array, share: float) -> pa.Array:
    keep = pa.array(rng.random(len(values)) < share)
    return pc.if_else(keep, values, "")


def _dates(rng: np.random.Generator, n: int, start: str, end: str) -> pa.Array:
    lo, hi = np.datetime64(start, "D").astype(int), np.datetime64(end, "D").astype(int)
    days = rng.integers(lo, hi, n).astype("datetime64[D]").astype("datetime64[s]")
    return pc.strftime(pa.array(days), format="%d/%m/%Y")


def synthetic_chunk(rng: np.random.Generator, start: int, n: int) -> pa.Table:
    """``n`` synthetic BasicCompanyData records numbered from ``start`` (unique numbers)."""
    ids = np.arange(start, start + n)
    prefix = ids % 50
    numbers = [f"{('SC', 'OC', 'NI', 'FC')[p]}{i // 50:06d}" if p < 4 else f"{i:08d}"
               for i, p in zip(ids.tolist(), prefix.tolist(), strict=True)]
    number = pa.array(numbers)
    words = [_pick(rng, WORDS, n) for _ in range(2)]
    name = pc.binary_join_element_wise(words[0], words[1], _pick(rng, SUFFIXES, n), " ")
    quoted = pa.array(rng.random(n) < 0.01)  # some names carry quotes, doubled on output
    name = pc.if_else(quoted, pc.binary_join_element_wise('"', words[0], '" ', name, ""), name)
    house = pa.array(rng.integers(1, 400, n).astype(str))
    inward = pc.binary_join_element_wise(pa.array(rng.integers(0, 10, n).astype(str)),
                                         _pick(rng, INWARD_LETTERS, n),
                                         _pick(rng, INWARD_LETTERS, n), "")
    postcode = pc.binary_join_element_wise(_pick(rng, OUTCODES, n), inward, " ")
    empty = pa.array([""] * n)
    zero = pa.array(["0"] * n)
    incorporated = _dates(rng, n, "1980-01-01", "2021-06-30")
    previous = []
    for k in range(10):
        share = 0.1 / (k + 1)
        previous += [_blank_unless(rng, _dates(rng, n, "1985-01-01", "2021-06-30"), share),
                     _blank_unless(rng, pc.binary_join_element_wise(
                         _pick(rng, WORDS, n), _pick(rng, SUFFIXES, n), " "), share)]
    columns = [
        name, number, _blank_unless(rng, _pick(rng, TOWNS, n), 0.02), empty,
        pc.binary_join_element_wise(house, _pick(rng, STREETS, n), " "),
        _blank_unless(rng, _pick(rng, STREETS, n), 0.6), _pick(rng, TOWNS, n),
        _pick(rng, COUNTIES, n), _pick(rng, COUNTRIES, n), postcode,
        _pick(rng, CATEGORIES, n), _pick(rng, STATUSES, n),
        pa.array(["United Kingdom"] * n), empty, incorporated,
        pa.array(rng.integers(1, 32, n).astype(str)), pa.array(rng.integers(1, 13, n).astype(str)),
        _dates(rng, n, "2021-01-01", "2022-06-30"),
        _blank_unless(rng, _dates(rng, n, "2018-01-01", "2021-01-01"), 0.8),
        _pick(rng, ACCOUNTS, n), _dates(rng, n, "2016-01-01", "2020-12-31"),
        _blank_unless(rng, _dates(rng, n, "2015-01-01", "2016-06-30"), 0.5),
        zero, zero, zero, zero, _pick(rng, SIC, n),
        _blank_unless(rng, _pick(rng, SIC[:-1], n), 0.3),
        _blank_unless(rng, _pick(rng, SIC[:-1], n), 0.1),
        _blank_unless(rng, _pick(rng, SIC[:-1], n), 0.05), zero, zero,
        pc.binary_join_element_wise(URI, number, ""), *previous,
        _dates(rng, n, "2021-01-01", "2022-06-30"),
        _blank_unless(rng, _dates(rng, n, "2019-01-01", "2021-06-30"), 0.85),
    ]
    return pa.Table.from_arrays(columns, names=COLUMNS)


def generate(path: Path, rows: int, *, chunk: int = 100_000, seed: int = 2021) -> None:
    """Write ``rows`` synthetic records to ``path`` in the published format, in chunks."""
    rng = np.random.default_rng(seed)
    options = pacsv.WriteOptions(include_header=False, quoting_style="all_valid")
    with path.open("wb") as fh:
        fh.write((BASIC_COMPANY_DATA_HEADER + "\n").encode())
        schema = pa.schema([(c, pa.string()) for c in COLUMNS])
        with pacsv.CSVWriter(fh, schema, write_options=options) as writer:
            for start in range(0, rows, chunk):
                writer.write_table(synthetic_chunk(rng, start, min(chunk, rows - start)))


class PeakRSS:
    """Sample this process's resident memory in a background thread."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._process = psutil.Process()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._process.memory_info().rss)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000, help="rows to generate")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for the CSV and Parquet (default: a temporary folder, "
                             "removed afterwards)")
    parser.add_argument("--chunk-rows", type=int, default=100_000,
                        help="rows per block for the ingest")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args(argv)

    out = args.out or Path(tempfile.mkdtemp(prefix="bench_companies_"))
    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / "BasicCompanyData-synthetic.csv"
    try:
        started = time.perf_counter()
        generate(csv_path, args.rows)
        generated = time.perf_counter() - started
        size = csv_path.stat().st_size
        print(f"generated {args.rows:,} rows, {size / 1e9:.2f} GB in {generated:.1f} s "
              f"({size / max(args.rows, 1):.0f} bytes/row)", flush=True)

        rss_before = psutil.Process().memory_info().rss
        with PeakRSS() as peak:
            started = time.perf_counter()
            counts = ingest_basic_company_data(csv_path, out / "firm_register.parquet",
                                               chunk_rows=args.chunk_rows)
            seconds = time.perf_counter() - started
        maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        written = pq.ParquetFile(out / "firm_register.parquet").metadata.num_rows
        if written != counts["rows_kept"]:
            raise AssertionError(f"Parquet has {written} rows, ingest reported "
                                 f"{counts['rows_kept']}")
        result = {
            "rows": counts["rows_in"], "file_gb": size / 1e9, "seconds": seconds,
            "rows_per_s": counts["rows_in"] / seconds, "peak_rss_mb": peak.peak / 2**20,
            "rss_before_mb": rss_before / 2**20, "process_maxrss_mb": maxrss_mb,
        }
        print(f"ingest: rows_in={counts['rows_in']:,} kept={counts['rows_kept']:,} "
              f"rejected={counts['rows_rejected']:,} "
              f"(status filtered {counts['rows_status_filtered']:,}, "
              f"invalid {counts['rows_invalid']:,})")
        print(f"rows={result['rows']:,} file={result['file_gb']:.2f} GB "
              f"seconds={result['seconds']:.1f} rows/s={result['rows_per_s']:,.0f} "
              f"peak_rss={result['peak_rss_mb']:.0f} MB (before ingest "
              f"{result['rss_before_mb']:.0f} MB; process max {maxrss_mb:.0f} MB)")
        return result
    finally:
        if args.out is None and not args.keep:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
