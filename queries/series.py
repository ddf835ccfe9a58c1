"""Published and partner series: figures from the partnership's reports and partners' systems."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Engine, func, select

from .areas import area_name
from .db import plain_rows
from .schema import series, series_value

CATALOGUE_SCHEMA = {
    "id": "str", "title": "str", "theme": "str", "unit": "str", "kind": "str",
    "sensitive": "bool", "first_period": "str", "last_period": "str", "values": "int64",
}
VALUE_SCHEMA = {
    "series_id": "str", "title": "str", "unit": "str", "kind": "str", "sensitive": "bool",
    "area_code": "str", "area_name": "str", "period": "str", "period_type": "str",
    "period_start": "str", "category": "str", "value": "float64", "source": "str",
    "source_table": "str", "note": "str",
}


def series_catalogue(engine: Engine, theme: str | None = None) -> pd.DataFrame:
    """One row per series, with the span of periods it covers."""
    query = (
        select(
            series.c.id, series.c.title, series.c.theme, series.c.unit, series.c.kind,
            series.c.sensitive,
            func.min(series_value.c.period_start).label("first_start"),
            func.max(series_value.c.period_start).label("last_start"),
            func.count(series_value.c.id).label("values"),
        )
        .join(series_value, series_value.c.series_id == series.c.id)
        .group_by(series.c.id, series.c.title, series.c.theme, series.c.unit, series.c.kind, series.c.sensitive)
        .order_by(series.c.theme, series.c.id)
    )
    if theme:
        query = query.where(series.c.theme == theme)
    with engine.connect() as conn:
        rows = plain_rows(conn.execute(query))
        labels = _period_labels(conn)
    frame = pd.DataFrame(rows, columns=["id", "title", "theme", "unit", "kind", "sensitive", "first_start", "last_start", "values"])
    frame["first_period"] = [labels.get((i, s), s) for i, s in zip(frame["id"], frame["first_start"])]
    frame["last_period"] = [labels.get((i, s), s) for i, s in zip(frame["id"], frame["last_start"])]
    return _typed(frame, CATALOGUE_SCHEMA)


def _period_labels(conn) -> dict[tuple[str, str], str]:
    rows = conn.execute(select(series_value.c.series_id, series_value.c.period_start, series_value.c.period).distinct())
    return {(sid, start): period for sid, start, period in rows}


def series_values(
    engine: Engine,
    series_ids: Sequence[str] | None = None,
    theme: str | None = None,
    area_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Values of the chosen series, in period order, with their units and sources."""
    query = (
        select(
            series_value.c.series_id, series.c.title, series.c.unit, series.c.kind, series.c.sensitive,
            series_value.c.area_code, series_value.c.period, series_value.c.period_type,
            series_value.c.period_start, series_value.c.category, series_value.c.value,
            series_value.c.source, series_value.c.source_table, series_value.c.note,
        )
        .join(series, series.c.id == series_value.c.series_id)
        .order_by(series_value.c.series_id, series_value.c.period_start, series_value.c.area_code, series_value.c.category)
    )
    if series_ids is not None:
        query = query.where(series_value.c.series_id.in_(list(series_ids)))
    if theme:
        query = query.where(series.c.theme == theme)
    if area_codes:
        query = query.where(series_value.c.area_code.in_(list(area_codes)))
    with engine.connect() as conn:
        rows = plain_rows(conn.execute(query))
    columns = [c for c in VALUE_SCHEMA if c != "area_name"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["area_name"] = frame["area_code"].map(area_name)
    return _typed(frame, VALUE_SCHEMA)


def _typed(frame: pd.DataFrame, schema: dict[str, str]) -> pd.DataFrame:
    return frame.reindex(columns=list(schema)).astype(schema)
