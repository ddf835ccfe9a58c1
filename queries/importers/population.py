"""Import mid-year population estimates from an ONS-style CSV (areas or LSOAs).

Accepts the shapes ONS publishes: a code column (``code``, ``area_code``, ``Code``,
``lsoacd``, ``LSOA21CD`` ...), a population column (``population``, ``All ages`` ...),
numbers with or without thousands separators, and a ``year`` column or a year given
by the caller. Codes of areas outside the dashboard's areas are counted and skipped.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, delete, insert, tuple_

from ..reference import AREAS_BY_CODE
from ..schema import population
from .bookkeeping import bump_data_version, log_import
from .errors import ErrorCollector, ImportRejected, RowError
from .files import checksum, decode_utf8, text_stream

CODE_COLUMNS = ("code", "area_code", "lsoacd", "lsoa21cd", "lsoa11cd", "lsoa code", "lad21cd", "geography code")
POPULATION_COLUMNS = ("population", "all ages", "all_ages", "obs_value")
LSOA_CODE = re.compile(r"^[EW]01\d{6}$")


@dataclass
class PopulationSummary:
    rows_read: int
    rows_stored: int
    skipped_unknown: int
    years: list[int]


def import_population(
    engine: Engine,
    path: str | Path,
    *,
    year: int | None = None,
    source: str | None = None,
    imported_by: str | None = None,
) -> PopulationSummary:
    name = str(path)
    raw = Path(path).read_bytes()
    if name.endswith(".gz"):
        import gzip

        raw = gzip.decompress(raw)
    reader = csv.DictReader(text_stream(decode_utf8(name, raw)))
    if not reader.fieldnames:
        raise ImportRejected([RowError(name, None, None, "the file is empty")])
    by_lower = {c.strip().lower(): c for c in reader.fieldnames if c}
    code_col = next((by_lower[c] for c in CODE_COLUMNS if c in by_lower), None)
    pop_col = next((by_lower[c] for c in POPULATION_COLUMNS if c in by_lower), None)
    year_col = by_lower.get("year")
    errors = ErrorCollector(name)
    if code_col is None:
        errors.add(1, None, f"no area code column (one of {', '.join(CODE_COLUMNS)})")
    if pop_col is None:
        errors.add(1, None, f"no population column (one of {', '.join(POPULATION_COLUMNS)})")
    if year_col is None and year is None:
        errors.add(1, "year", "the file has no year column: give the year of the estimates")
    errors.raise_if_any()

    rows: dict[tuple[str, int], dict] = {}
    read = skipped = 0
    for row in reader:
        line = reader.line_num
        read += 1
        code = (row.get(code_col) or "").strip()
        if code not in AREAS_BY_CODE and not LSOA_CODE.match(code):
            skipped += 1
            continue
        row_year = year
        if year_col:
            text = (row.get(year_col) or "").strip()
            if not re.fullmatch(r"\d{4}", text):
                errors.add(line, year_col, f"'{text}' is not a year")
                continue
            row_year = int(text)
        text = (row.get(pop_col) or "").strip().replace(",", "")
        if not text.isdigit():
            errors.add(line, pop_col, f"'{row.get(pop_col)}' is not a whole number")
            continue
        if (code, row_year) in rows:
            errors.add(line, code_col, f"'{code}' appears twice for {row_year}")
            continue
        rows[(code, row_year)] = {
            "code": code, "year": row_year, "population": int(text),
            "source": source or f"Imported from {Path(name).name}",
        }
        if errors.full:
            break
    if read == 0:
        errors.add(None, None, "the file has a header but no rows")
    elif not rows and not errors.errors:
        errors.add(None, code_col, "no row names an area of England and Wales or an LSOA")
    errors.raise_if_any()

    with engine.begin() as conn:
        keys = list(rows)
        for start in range(0, len(keys), 500):
            conn.execute(
                delete(population).where(
                    tuple_(population.c.code, population.c.year).in_(keys[start : start + 500])
                )
            )
        conn.execute(insert(population), list(rows.values()))
        log_import(
            conn, kind="population", filename=name, checksum=checksum(raw), rows_read=read,
            rows_stored=len(rows), outcome="stored", imported_by=imported_by,
        )
        bump_data_version(conn)
    return PopulationSummary(read, len(rows), skipped, sorted({y for _, y in rows}))
