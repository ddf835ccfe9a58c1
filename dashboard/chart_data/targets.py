"""Targets: progress against each target's line, with the judgement and the test behind it.

The chart shows the rolling 12-month count (scaled to the baseline's length) from the end
of the baseline, the target line from the baseline's count to the target at the end
period, and the tolerance above the line."""

from __future__ import annotations

import pandas as pd

from dashboard.chart_data.common import latest, police_caption
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.series import series_exists_for, visible_series
from dashboard.chart_data.spec import ChartSpec, ChartView, Note, Reader
from dashboard.charts.figures import base_layout, new_figure, scatter_trace
from dashboard.charts.plain_figure import PlainFigure
from queries import partnership, periods
from queries.areas import area_name
from queries.counts import counts
from queries.targets import SAME_MONTHS, judge, judge_figures, list_targets, series_figures, withheld_judgement

DEFAULTS = Filters()
CHART_PREFIX = "target-"
COLUMNS = (("period", "12 months to"), ("count", "Count (scaled to the baseline's length)"),
           ("target_line", "Target line"), ("tolerance", "Target line plus tolerance"))


def _judged_counts(engine, target_id: str):
    """A police.uk target's judgement: public figures, the same for every reader (cached)."""
    target = next((t for t in list_targets(engine) if t["id"] == target_id), None)
    return judge(engine, target) if target else None


def judged(reader: Reader, target_id: str) -> dict:
    """A target and its judgement as the reader's audience may see it: a series target is
    judged only from the series' values the audience is shown, so a partner series or a
    withheld small number never reaches the public as a figure, a change or a p-value."""
    target = next((t for t in reader.get(list_targets) if t["id"] == target_id), None)
    if target is None:
        return {"target": None, "judgement": None}
    if not target["series_id"]:
        return {"target": target, "judgement": reader.get(_judged_counts, target_id)}
    if not series_exists_for(reader, target["series_id"]):
        return {"target": target, "judgement": withheld_judgement(target, "its series is for partners only")}
    values = visible_series(reader, (target["series_id"],), (target["area_code"],))
    return {"target": target, "judgement": judge_figures(target, series_figures(values))}


def partnership_targets(reader: Reader) -> list[dict]:
    """The targets for the partnership's areas (another partnership's shipped targets stay out)."""
    known = set(partnership.current().known_areas)
    return [t for t in reader.get(list_targets) if t["area_code"] in known]


def has_published(reader: Reader) -> bool:
    """Whether any shipped (published) target is the partnership's."""
    return any(t["kind"] == "published" for t in partnership_targets(reader))


def target_ids(reader: Reader) -> list[str]:
    return [t["id"] for t in partnership_targets(reader)]


def frame_for(reader: Reader, target_id: str) -> pd.DataFrame:
    found = judged(reader, target_id)
    t, j = found["target"], found["judgement"]
    empty = pd.DataFrame({c: pd.Series(dtype="object") for c, _ in COLUMNS})
    if t is None or j is None or j.baseline is None or t["series_id"]:
        return empty
    baseline_months = len(periods.months_between(t["baseline_from"], t["baseline_to"]))
    # The line starts from the whole baseline, as the rolling 12 months are whole years; the
    # judgement may compare only the same months of the year, and its sentence says so.
    base = reader.get(counts, (t["area_code"],), tuple(t["crime_types"].split(",")), t["baseline_from"],
                      t["baseline_to"], periods.MONTH)
    if len(base) < baseline_months:
        return empty
    baseline = float(base["count"].sum())
    first = periods.add_months(t["baseline_to"], 1)
    rolling = reader.get(counts, (t["area_code"],), tuple(t["crime_types"].split(",")), first, t["end_to"],
                         periods.ROLLING_12)
    if rolling.empty:
        return empty
    whole = periods.month_index(t["end_to"]) - periods.month_index(t["baseline_to"])
    rows = []
    for period, count in zip(rolling["period"], rolling["count"]):
        reached = min(1.0, (periods.month_index(period) - periods.month_index(t["baseline_to"])) / whole)
        line = baseline * (1 + t["target_percent"] / 100 * reached)
        rows.append({"period": period, "count": round(count * baseline_months / 12, 1), "target_line": round(line, 1),
                     "tolerance": round(line + baseline * t["tolerance_points"] / 100, 1)})
    return pd.DataFrame(rows, columns=[c for c, _ in COLUMNS])


def spec_for(target_id: str) -> ChartSpec:
    return ChartSpec(f"{CHART_PREFIX}{target_id}", lambda reader, filters, i=target_id: frame_for(reader, i), COLUMNS)


def progress_figure(frame: pd.DataFrame) -> PlainFigure:
    figure = new_figure(base_layout("Count"))
    x = [f"{p}-01" for p in frame["period"]]
    figure.add_trace(scatter_trace(x=x, y=frame["tolerance"].tolist(), name="Tolerance", mode="lines",
                                   line={"color": "#767676", "dash": "dot", "width": 1.5}))
    figure.add_trace(scatter_trace(x=x, y=frame["target_line"].tolist(), name="Target line", mode="lines",
                                   line={"color": "#D55E00", "dash": "dash", "width": 2}))
    figure.add_trace(scatter_trace(x=x, y=frame["count"].tolist(), name="Rolling 12 months", mode="lines+markers",
                                   line={"color": "#0072B2", "width": 3}))
    figure.update_xaxes(type="date", tickformat="%b %Y")
    return figure


def view_for(reader: Reader, target_id: str) -> ChartView | None:
    found = judged(reader, target_id)
    t, j = found["target"], found["judgement"]
    if t is None:
        return None
    spec = spec_for(target_id)
    title = f"{t['title']}: {j.status}"
    notes = (Note(f"Source: {t['source']}. {t['note']}".strip(), "secondary"),)
    frame = frame_for(reader, target_id)
    if frame.empty:
        return ChartView(spec, title, frame, None, j.sentence, "", notes, message=f"{j.sentence} {notes[0].text}")
    if j.compared and j.compared.startswith(SAME_MONTHS):
        # The chart's points are whole years (every season once); the judgement is not, so the
        # last point can sit on the other side of the line from the verdict. Said beside it.
        notes += (Note(f"The chart follows the rolling 12 months, a whole year at each point, scaled to the "
                       f"baseline's length. The judgement compares {j.compared[len(SAME_MONTHS):].lstrip(': ')} "
                       "(the same months of the year, as crime has seasons), so the chart's last point can sit on "
                       "the other side of the line from the judgement.", "secondary"),)
    return ChartView(spec, title, frame, progress_figure(frame), j.sentence,
                     police_caption(latest(reader), "Target judged by the exact conditional test against the target line."),
                     notes)


def views(reader: Reader, filters: Filters) -> list[ChartView]:
    return [v for v in (view_for(reader, i) for i in target_ids(reader)) if v]


def board_rows(reader: Reader, filters: Filters) -> pd.DataFrame:
    """One row per target for the board report and its CSV, as the reader may see it."""
    rows = []
    for t in partnership_targets(reader):
        j = judged(reader, t["id"])["judgement"]
        rows.append({"target": t["title"], "area_name": area_name(t["area_code"]), "status": j.status,
                     "compared": j.compared or "",
                     "change_percent": None if j.change_percent is None else round(j.change_percent, 1),
                     "line_percent": None if j.line_percent is None else round(j.line_percent, 1),
                     "p_value": None if j.p_value is None else round(j.p_value, 4), "sentence": j.sentence,
                     "source": t["source"]})
    return pd.DataFrame(rows, columns=["target", "area_name", "status", "compared", "change_percent", "line_percent",
                                       "p_value", "sentence", "source"])
