"""Import the ONS Crime Severity Score table by community safety partnership, as ONS publishes it.

ONS's Crime Severity Score data tool (Experimental Statistics, Open Government Licence v3.0)
has a sheet by community safety partnership: a title row or two, then a header row with the
area's code, its name, the offence group and one column per financial year ("Apr '08 to
Mar '09", or "Apr 2021 to Mar 2022", or "Year ending Mar 2022"), each cell a score. The sheet
is read from the workbook (``.xlsx``) or from a CSV saved from it, checked whole, and stored
as the published series ``crime-severity-score`` (the offence groups as its categories): rows
of the areas the dashboard knows are kept, matched by code or by name, as ONS's partnership
codes (E22...) are not district codes; the others are counted and left out.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ..reference import AREAS_BY_CODE
from .errors import ErrorCollector, ImportRejected, RowError
from .files import decode_utf8
from .series import SeriesFile, import_series

SERIES_ID = "crime-severity-score"
TITLE = "Crime Severity Score (ONS)"
SOURCE = "Office for National Statistics, Crime Severity Score (Experimental Statistics)"
TOTAL_GROUPS = {"total recorded crime", "total recorded crime (excluding fraud)", "all offences", "total"}
MISSING = {"", "[x]", "[z]", "[c]", "..", ":", "-", "x"}
MAX_ROWS = 20_000
_YY = r"'?\s*(\d{2}|\d{4})"
PERIOD_PATTERNS = (
    re.compile(rf"^apr(?:il)?\s*{_YY}\s*to\s*mar(?:ch)?\s*{_YY}$", re.IGNORECASE),
    re.compile(r"^year\s+ending\s+mar(?:ch)?\s+(\d{4})$", re.IGNORECASE),
    re.compile(r"^(\d{4})/(\d{2})$"),
)


@dataclass
class SeverityImport:
    stored: SeriesFile | None
    rows_read: int
    areas: list[str]  # codes of the areas stored
    left_out: list[str]  # names of the areas in the file the dashboard does not know


def financial_year(heading: str) -> str | None:
    """'2021/22' for a column heading naming the year April 2021 to March 2022, else None."""
    text = " ".join(heading.replace("\n", " ").split())
    for pattern in PERIOD_PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        if pattern is PERIOD_PATTERNS[1]:
            end = int(match.group(1))
            return f"{end - 1}/{str(end)[2:]}"
        start = match.group(1)
        start = int(start) if len(start) == 4 else 2000 + int(start)
        return f"{start}/{str(start + 1)[2:]}"
    return None


def _rows(name: str, data: bytes, sheet: str | None) -> list[list[str]]:
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook  # only an import of a workbook needs it

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
            raise ImportRejected([RowError(name, None, None, f"not a readable .xlsx workbook ({error})")]) from None
        if sheet is None:
            # The partnership sheet: the first whose rows name a community safety partnership.
            sheet = next((s.title for s in book.worksheets if _header_index(_cells(s)) is not None), None)
            if sheet is None:
                raise ImportRejected([RowError(name, None, None, "no sheet has a header row with a code column, "
                                               "a community safety partnership column and financial years")])
        if sheet not in book.sheetnames:
            raise ImportRejected([RowError(name, None, None, f"no sheet named '{sheet}'")])
        return _cells(book[sheet])
    text = decode_utf8(name, data)
    return [row for row in csv.reader(io.StringIO(text))]


def _cells(worksheet) -> list[list[str]]:
    rows = []
    for row in worksheet.iter_rows(values_only=True, max_row=MAX_ROWS + 20):
        rows.append(["" if v is None else str(v) for v in row])
    return rows


def _header_index(rows: list[list[str]]) -> int | None:
    for index, row in enumerate(rows[:30]):
        cells = [c.strip().lower() for c in row]
        has_code = any(c in ("code", "area code", "csp code") for c in cells)
        has_name = any("partnership" in c or c in ("name", "area name") for c in cells)
        if has_code and has_name and any(financial_year(c) for c in row):
            return index
    return None


def parse_severity(name: str, data: bytes, sheet: str | None = None) -> tuple[list[dict], int, list[str]]:
    """Template rows of the known areas, rows read, and the names of areas left out."""
    rows = _rows(name, data, sheet)
    header_at = _header_index(rows)
    if header_at is None:
        raise ImportRejected([RowError(name, None, None, "no header row with a code column, a community safety "
                                       "partnership column and financial years (\"Apr '21 to Mar '22\")")])
    # Headings as one line ("Apr '20 to\nMar '21" wraps in the sheet): errors name them so.
    header = [" ".join(c.split()) for c in rows[header_at]]
    lowered = [c.lower() for c in header]
    code_at = next(i for i, c in enumerate(lowered) if c in ("code", "area code", "csp code"))
    name_at = next(i for i, c in enumerate(lowered) if "partnership" in c or c in ("name", "area name"))
    group_at = next((i for i, c in enumerate(lowered) if "offence group" in c), None)
    years = {i: financial_year(c) for i, c in enumerate(header) if financial_year(c)}
    known_names = {a.name.lower(): a.code for a in AREAS_BY_CODE.values()}
    errors = ErrorCollector(name)
    values, left_out, read = [], [], 0
    # Rows are numbered as a spreadsheet shows them (a heading that wraps is still one row).
    for number, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        if not any(c.strip() for c in row):
            continue
        read += 1
        if read > MAX_ROWS:
            raise ImportRejected([RowError(name, number, None, f"more than {MAX_ROWS:,} rows")])
        cells = [c.strip() for c in row] + [""] * max(0, len(header) - len(row))
        code, area_name = cells[code_at], cells[name_at]
        if not code and not area_name:
            continue  # footnotes below the table
        area = code if code in AREAS_BY_CODE else known_names.get(area_name.lower())
        group = cells[group_at] if group_at is not None else ""
        for index, period in years.items():
            text = cells[index].replace(",", "")
            if text.lower() in MISSING:
                continue
            try:
                value = float(text)
            except ValueError:
                errors.add(number, header[index], f"'{cells[index]}' is not a number")
                continue
            if value < 0:
                errors.add(number, header[index], f"{value} is negative: a severity score cannot be")
                continue
            if area is None:
                continue
            values.append({"series_id": SERIES_ID, "title": TITLE, "theme": "crime", "unit": "score",
                           "area_code": area, "period": period,
                           "category": "" if group.lower() in TOTAL_GROUPS or not group else group,
                           "value": repr(value), "source": SOURCE, "source_table": Path(name).name
                           + (f", sheet {sheet}" if sheet else ""), "sensitive": "no", "note": ""})
        if area is None and area_name and area_name not in left_out:
            left_out.append(area_name)
    if errors.errors:
        raise ImportRejected(errors.errors)
    return values, read, left_out


def import_severity(engine, path: str | Path, sheet: str | None = None, imported_by: str | None = None,
                    data: bytes | None = None) -> SeverityImport:
    """Check the table and store the known areas' scores as one published series (all or nothing)."""
    name = str(path)
    data = Path(path).read_bytes() if data is None else data
    values, read, left_out = parse_severity(name, data, sheet)
    if not values:
        return SeverityImport(None, read, [], left_out)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(values[0]))
    writer.writeheader()
    writer.writerows(values)
    stored = import_series(engine, name, kind="published", imported_by=imported_by, data=out.getvalue().encode())
    return SeverityImport(stored, read, sorted({v["area_code"] for v in values}), left_out)
