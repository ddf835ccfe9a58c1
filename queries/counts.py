"""Incident counts and rates per 1,000 residents, for any areas, crime types and months.

Everything is read from ``incident_count`` (monthly counts kept up to date by imports).
A month that was never loaded for an area's force is missing, not zero: periods carry
the number of loaded months they cover so views can mark incomplete ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from . import periods, shared_reads
from .areas import area_name, population_for_year, population_table
from .incident_sources import POLICE_SOURCES
from .reference import ALL_CRIME, AREAS_BY_CODE, FORCE, districts_in, force_of
from .schema import incident_count, loaded_month
from .stats import SIGNIFICANCE_LEVEL, change_p_values, percent_change

# Column names and dtypes of each result, so that empty results have the same shape.
MONTHLY_SCHEMA = {"area_code": "str", "month": "str", "crime_type": "str", "count": "int64", "is_synthetic": "bool"}
COUNT_SCHEMA = {
    "period": "str", "first_month": "str", "last_month": "str", "area_code": "str", "area_name": "str",
    "count": "int64", "population": "Int64", "population_year": "Int64", "rate_per_1000": "Float64",
    "months": "int64", "period_months": "int64", "complete": "bool", "is_synthetic": "bool",
}
CHANGE_SCHEMA = {
    "area_code": "str", "area_name": "str", "crime_type": "str", "previous_count": "int64",
    "current_count": "int64", "previous_months": "int64", "current_months": "int64",
    "comparable": "bool", "change": "int64", "percent_change": "Float64", "p_value": "Float64",
    "significant": "bool",
}
MONTHLY_COLUMNS = list(MONTHLY_SCHEMA)
COUNT_COLUMNS = list(COUNT_SCHEMA)
CHANGE_COLUMNS = list(CHANGE_SCHEMA)
_GRAIN_LABEL = {
    periods.MONTH: lambda m: m,
    periods.QUARTER: periods.quarter_of,
    periods.FINANCIAL_YEAR: periods.financial_year_of,
    periods.CALENDAR_YEAR: periods.calendar_year_of,
}
_GRAIN_LENGTH = {periods.MONTH: 1, periods.QUARTER: 3, periods.FINANCIAL_YEAR: 12, periods.CALENDAR_YEAR: 12}


def loaded_months(engine: Engine, force_code: str | None = None) -> list[str]:
    """Months that hold incidents, for one force or any."""
    query = select(loaded_month.c.month).distinct().order_by(loaded_month.c.month)
    if force_code:
        query = query.where(loaded_month.c.force_code == force_code)
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())


def latest_month(engine: Engine, force_code: str | None = None) -> str | None:
    query = select(func.max(loaded_month.c.month))
    if force_code:
        query = query.where(loaded_month.c.force_code == force_code)
    with engine.connect() as conn:
        return conn.execute(query).scalar()


def monthly_counts(
    engine: Engine,
    area_codes: Sequence[str],
    crime_types: Sequence[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    by_crime_type: bool = False,
    located: bool = False,
) -> pd.DataFrame:
    """Counts per area and loaded month (zero where a loaded month had none).

    ``crime_types`` of None means all crime excluding anti-social behaviour. Without
    ``by_crime_type`` the crime_type column holds "all selected". With ``located`` a force
    counts only the incidents with a location, as its districts and counties do (the sum of
    its districts): rows with no location are counted at force level only.
    """
    codes = [c for c in dict.fromkeys(area_codes) if c in AREAS_BY_CODE]
    if not codes:
        return _empty(MONTHLY_COLUMNS)
    crime_types = list(crime_types) if crime_types else list(ALL_CRIME)
    first, last = start or "0000-01", end or "9999-12"
    key = (id(engine), tuple(crime_types), by_crime_type, located)
    return shared_reads.read_or_slice(
        key, codes, first, last, lambda: _read_monthly(engine, codes, crime_types, first, last, by_crime_type, located),
        lambda: _empty(MONTHLY_COLUMNS))


def months_by(monthly: pd.DataFrame, key: str) -> dict[str, dict[str, int]]:
    """``monthly_counts`` rows as {area code or crime type: {month: count}}, in one pass over
    plain lists (the series a dispersion or a like-for-like comparison is worked out from)."""
    grouped: dict[str, dict[str, int]] = {}
    for name, month, count in zip(monthly[key].tolist(), monthly["month"].tolist(), monthly["count"].tolist()):
        grouped.setdefault(name, {})[month] = int(count)
    return grouped


def _read_monthly(engine: Engine, codes: list[str], crime_types: list[str], first: str, last: str,
                  by_crime_type: bool, located: bool) -> pd.DataFrame:
    # The stored rows each requested area's count is summed from.
    sources = {c: (districts_in(c) if located and AREAS_BY_CODE[c].level == FORCE else (c,)) for c in codes}
    group = [incident_count.c.area_code, incident_count.c.month]
    if by_crime_type:
        group.append(incident_count.c.crime_type)
    query = (
        select(*group, func.sum(incident_count.c.count))
        .where(
            incident_count.c.area_code.in_(sorted({s for group in sources.values() for s in group})),
            incident_count.c.crime_type.in_(crime_types),
            incident_count.c.source.in_(POLICE_SOURCES),
            incident_count.c.month.between(first, last),
        )
        .group_by(*group)
    )
    forces = sorted({force_of(c) for c in codes})
    with engine.connect() as conn:
        stored = {tuple(row[:-1]): int(row[-1]) for row in conn.execute(query)}
        loaded = conn.execute(
            select(loaded_month.c.force_code, loaded_month.c.month, loaded_month.c.is_synthetic)
            .where(loaded_month.c.force_code.in_(forces), loaded_month.c.month.between(first, last))
            .order_by(loaded_month.c.month)
        ).all()
    found: dict[tuple, int] = {}
    owners = {}
    for code, group in sources.items():
        for source in group:
            owners.setdefault(source, []).append(code)
    for key, n in stored.items():
        for code in owners.get(key[0], ()):
            found[(code, *key[1:])] = found.get((code, *key[1:]), 0) + n
    months_by_force: dict[str, list[tuple[str, bool]]] = {}
    for force, month, synthetic in loaded:
        months_by_force.setdefault(force, []).append((month, bool(synthetic)))
    # One row per loaded month (and crime type): a loaded month with none recorded is zero.
    # Rows are made in order of area, month and type (the loaded months come sorted), and
    # each column with its type, so the frame needs neither sorting nor converting.
    types = sorted(crime_types) if by_crime_type else ["all selected"]
    columns = {name: [] for name in MONTHLY_COLUMNS}
    area_column, month_column, type_column = columns["area_code"], columns["month"], columns["crime_type"]
    count_column, synthetic_column = columns["count"], columns["is_synthetic"]
    for code in sorted(codes):
        for month, synthetic in months_by_force.get(force_of(code), []):
            for crime_type in types:
                area_column.append(code)
                month_column.append(month)
                type_column.append(crime_type)
                count_column.append(found.get((code, month, crime_type) if by_crime_type else (code, month), 0))
                synthetic_column.append(synthetic)
    if not area_column:
        return _empty(MONTHLY_COLUMNS)
    return pd.DataFrame({name: pd.array(values, dtype=MONTHLY_SCHEMA[name]) for name, values in columns.items()})


def recorded_total(engine: Engine, area_code: str, crime_types: Sequence[str] | None, start: str | None,
                   end: str | None) -> int:
    """An area's incidents of ``crime_types`` (None: all crime) in the months from ``start``
    to ``end``, as one number: its own stored count, so a force's includes the incidents with
    no location. The sum of ``monthly_counts``' counts, without a row per month."""
    query = select(func.coalesce(func.sum(incident_count.c.count), 0)).where(
        incident_count.c.area_code == area_code,
        incident_count.c.crime_type.in_(list(crime_types) if crime_types else list(ALL_CRIME)),
        incident_count.c.source.in_(POLICE_SOURCES),
        incident_count.c.month.between(start or "0000-01", end or "9999-12"),
    )
    with engine.connect() as conn:
        return int(conn.execute(query).scalar())


def counts(
    engine: Engine,
    area_codes: Sequence[str],
    crime_types: Sequence[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    grain: str = periods.MONTH,
    located: bool = False,
) -> pd.DataFrame:
    """Counts and rates per 1,000 residents by period, one row per area and period.

    Periods are months, calendar quarters, financial years (April to March), calendar
    years, or rolling 12 months labelled by their last month. A rolling value appears
    only where all 12 months are loaded.
    """
    if grain not in periods.GRAINS:
        raise ValueError(f"unknown grain {grain!r}")
    fetch_start = periods.add_months(start, -11) if (grain == periods.ROLLING_12 and start) else start
    monthly = monthly_counts(engine, area_codes, crime_types, fetch_start, end, located=located)
    if monthly.empty:
        return _empty(COUNT_COLUMNS)
    if grain == periods.ROLLING_12:
        table = _rolling_12(monthly, start)
    else:
        table = _by_period(monthly, grain)
    return _with_rates(engine, table)


def _by_period(monthly: pd.DataFrame, grain: str) -> pd.DataFrame:
    if grain == periods.MONTH:
        return _by_month(monthly)
    label = _GRAIN_LABEL[grain]
    frame = monthly.assign(period=monthly["month"].map(label))
    # Numeric aggregations only: min/max of pandas strings fall back to slow Python loops.
    grouped = frame.groupby(["area_code", "period"], as_index=False).agg(
        count=("count", "sum"), months=("count", "size"), is_synthetic=("is_synthetic", "any")
    )
    grouped["period_months"] = _GRAIN_LENGTH[grain]
    grouped["complete"] = grouped["months"] == _GRAIN_LENGTH[grain]
    # A period's bounds are its calendar bounds, not just the loaded months in it.
    bounds = {p: periods.parse_period(p) for p in grouped["period"].unique()}
    grouped["first_month"] = grouped["period"].map(lambda p: bounds[p][1])
    grouped["last_month"] = grouped["period"].map(lambda p: bounds[p][2])
    return grouped


def _by_month(monthly: pd.DataFrame) -> pd.DataFrame:
    """``_by_period`` at the month grain: each month is its own period, so there is nothing
    to group (the group-by cost more than the query on every monthly trend)."""
    month = monthly["month"]
    return pd.DataFrame({
        "area_code": monthly["area_code"], "period": month, "count": monthly["count"], "months": 1,
        "is_synthetic": monthly["is_synthetic"], "period_months": 1, "complete": True,
        "first_month": month, "last_month": month,
    })


def _rolling_12(monthly: pd.DataFrame, start: str | None) -> pd.DataFrame:
    """12-month sums ending at each loaded month whose 12 months are all loaded.

    All areas at once: with rows in order of area and month, a window of 12 rows that starts
    and ends in one area and spans 11 months is 12 consecutive months of that area, and its
    sum is a difference of running totals."""
    code, codes = pd.factorize(monthly["area_code"].to_numpy(dtype=object))
    months = monthly["month"].to_numpy(dtype=object)
    distinct = {m: periods.month_index(m) for m in set(months)}
    index = np.fromiter((distinct[m] for m in months), dtype=np.int64, count=len(months))
    order = np.lexsort((index, code))
    code, months, index = code[order], months[order], index[order]
    count = monthly["count"].to_numpy(dtype=np.int64)[order]
    synthetic = monthly["is_synthetic"].to_numpy(dtype=bool)[order]
    ok = np.zeros(len(order), dtype=bool)
    ok[11:] = (code[11:] == code[:-11]) & (index[11:] - index[:-11] == 11)
    if start:
        ok &= months >= start
    end_at = np.flatnonzero(ok)
    total = np.concatenate([[0], np.cumsum(count)])
    flagged = np.concatenate([[0], np.cumsum(synthetic)])
    first = {m: periods.add_months(m, -11) for m in set(months[end_at])}
    return pd.DataFrame({
        "area_code": codes[code[end_at]].astype(object) if len(end_at) else np.array([], dtype=object),
        "period": months[end_at],
        "count": total[end_at + 1] - total[end_at - 11],
        "first_month": np.array([first[m] for m in months[end_at]], dtype=object),
        "last_month": months[end_at],
        "months": 12,
        "period_months": 12,
        "complete": True,
        "is_synthetic": (flagged[end_at + 1] - flagged[end_at - 11]) > 0,
    }, columns=["area_code", "period", "count", "first_month", "last_month", "months", "period_months", "complete",
                "is_synthetic"])


def _with_rates(engine: Engine, table: pd.DataFrame) -> pd.DataFrame:
    if table.empty:
        return _empty(COUNT_COLUMNS)
    codes = sorted(table["area_code"].unique())
    estimates = shared_reads.once(("population", id(engine), *codes), lambda: population_table(engine, codes))
    # Each (area, year) looked up once: a trend has a row per month and few years.
    pairs = list(zip(table["area_code"], table["last_month"].str[:4].astype(int)))
    chosen = {pair: population_for_year(estimates.get(pair[0], []), pair[1]) for pair in set(pairs)}
    picked = [chosen[pair] for pair in pairs]
    count = table["count"].astype("int64")
    population = pd.array([c[1] for c in picked], dtype="Int64")
    # One frame made with its columns, not a frame assigned and converted column by column.
    frame = pd.DataFrame({
        "period": table["period"], "first_month": table["first_month"], "last_month": table["last_month"],
        "area_code": table["area_code"], "area_name": table["area_code"].map(area_name), "count": count,
        "population": population, "population_year": pd.array([c[0] for c in picked], dtype="Int64"),
        "rate_per_1000": (count / population.astype("Float64") * 1000).astype("Float64"),
        "months": table["months"].astype("int64"), "period_months": table["period_months"].astype("int64"),
        "complete": table["complete"], "is_synthetic": table["is_synthetic"],
    }, index=table.index)
    return frame.sort_values(["area_code", "first_month"]).reset_index(drop=True)[COUNT_COLUMNS]


def change_between(
    engine: Engine,
    area_codes: Sequence[str],
    previous: tuple[str, str],
    current: tuple[str, str],
    crime_types: Sequence[str] | None = None,
    by_crime_type: bool = False,
) -> pd.DataFrame:
    """Counts in two periods (first and last month of each), the change and its p-value.

    The exact conditional test allows for periods of different lengths; ``significant``
    means p < 0.05 (two-sided).
    """
    # Summed here rather than with a pandas group-by and merge: for the few rows of a
    # comparison those cost several times the queries themselves.
    lengths = {}
    totals: dict[tuple[str, str], dict[str, list]] = {}
    for name, (first, last) in (("previous", previous), ("current", current)):
        monthly = monthly_counts(engine, area_codes, crime_types, first, last, by_crime_type)
        for code, month, crime_type, count in zip(monthly["area_code"], monthly["month"], monthly["crime_type"],
                                                  monthly["count"], strict=True):
            entry = totals.setdefault((code, crime_type), {"previous": [0, set()], "current": [0, set()]})
            entry[name][0] += int(count)
            entry[name][1].add(month)
        lengths[name] = len(periods.months_between(first, last))
    if not totals:
        return _empty(CHANGE_COLUMNS)
    keys = sorted(totals)
    previous_count = np.array([totals[k]["previous"][0] for k in keys], dtype=np.int64)
    current_count = np.array([totals[k]["current"][0] for k in keys], dtype=np.int64)
    previous_months = np.array([len(totals[k]["previous"][1]) for k in keys], dtype=np.int64)
    current_months = np.array([len(totals[k]["current"][1]) for k in keys], dtype=np.int64)
    # Only periods whose every month is loaded are compared: a missing month is not a zero.
    comparable = (previous_months == lengths["previous"]) & (current_months == lengths["current"])
    p_values = change_p_values(previous_count, current_count, lengths["previous"], lengths["current"])
    merged = pd.DataFrame({
        "area_code": pd.array([k[0] for k in keys], dtype="str"),
        "area_name": pd.array([area_name(k[0]) for k in keys], dtype="str"),
        "crime_type": pd.array([k[1] for k in keys], dtype="str"),
        "previous_count": previous_count, "current_count": current_count,
        "previous_months": previous_months, "current_months": current_months,
        "comparable": comparable,
        "change": current_count - previous_count,
        "percent_change": pd.array([percent_change(p, c) if ok else None
                                    for p, c, ok in zip(previous_count, current_count, comparable, strict=True)],
                                   dtype="Float64"),
        "p_value": pd.array([float(p) if ok else None for p, ok in zip(p_values, comparable, strict=True)],
                            dtype="Float64"),
    })
    merged["significant"] = (merged["p_value"] < SIGNIFICANCE_LEVEL).fillna(False).astype(bool)
    return merged[CHANGE_COLUMNS]


def _empty(columns: list[str]) -> pd.DataFrame:
    schema = {**MONTHLY_SCHEMA, **COUNT_SCHEMA, **CHANGE_SCHEMA}
    return pd.DataFrame({c: pd.Series(dtype=schema[c]) for c in columns})


def loaded_months_with_source(engine: Engine, force_code: str) -> list[tuple[str, bool]]:
    """(month, is_synthetic) for every loaded month of a force."""
    with engine.connect() as conn:
        return [
            (m, bool(s))
            for m, s in conn.execute(
                select(loaded_month.c.month, loaded_month.c.is_synthetic)
                .where(loaded_month.c.force_code == force_code)
                .order_by(loaded_month.c.month)
            )
        ]


def has_synthetic_months(engine: Engine) -> bool:
    """Whether any loaded month holds synthetic demo incidents."""
    with engine.connect() as conn:
        return conn.execute(select(loaded_month.c.month).where(loaded_month.c.is_synthetic.is_(True)).limit(1)).first() is not None
