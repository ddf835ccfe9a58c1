"""Interventions evaluated: for each stored intervention, before and after counts in the
target, control and buffer, the weighted displacement difference and its verdict, and the
interrupted time series where there are 24 months before the start.

An intervention judged on a health-derived source (A&E assaults) shows its evaluation to
partners only: for anyone else it is withheld, with no figure, as its records are."""

from __future__ import annotations

import pandas as pd

from dashboard.chart_data.common import latest, police_caption
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.spec import Audience, ChartSpec, ChartView, Note, Reader
from dashboard.charts.figures import bar_trace, base_layout, new_figure
from dashboard.charts.plain_figure import PlainFigure
from queries import partnership, periods
from queries.evaluation import Evaluation, EvaluationError, crime_subject
from queries.incident_sources import HEALTH_DERIVED, POLICE_CRIME, SOURCES_BY_SLUG
from queries.interventions import evaluate_intervention, list_interventions

DEFAULTS = Filters()
CHART_PREFIX = "intervention-"
ROLE_NAMES = {"target": "Target area", "control": "Control", "buffer": "Displacement buffer"}
BEFORE_COLOUR, AFTER_COLOUR = "#767676", "#0072B2"  # 4.5:1 and 5.3:1 on white
COLUMNS = (("intervention", "Intervention"), ("place", "Place"), ("period", "Period"), ("months", "Months"),
           ("count", "Incidents"))


def evaluated(engine, intervention_id: int) -> dict:
    """One intervention with its evaluation, or the reason it cannot be evaluated (cached)."""
    record = next((r for r in list_interventions(engine) if r["id"] == intervention_id), None)
    if record is None:
        return {"record": None}
    try:
        result, method = evaluate_intervention(engine, record)
        return {"record": record, "result": result, "method": method, "error": None}
    except EvaluationError as exc:
        return {"record": record, "result": None, "method": None, "error": exc.message, "error_field": exc.field}


def withheld_reason(audience: Audience, outcome_source: str) -> str | None:
    """Why this audience may not see an evaluation on this outcome source, or None if it may."""
    if outcome_source in HEALTH_DERIVED and not audience.partner:
        return (f"Its outcome is {SOURCES_BY_SLUG[outcome_source].title}, health-derived records shown to partners "
                "only: sign in as a partner to see its evaluation.")
    return None


def evaluated_for(reader: Reader, intervention_id: int) -> dict:
    """One intervention's evaluation as the reader's audience may see it: withheld whole
    (``withheld`` says why) when its outcome is a source the audience may not read."""
    record = next((r for r in reader.get(list_interventions) if r["id"] == intervention_id), None)
    if record is None:
        return {"record": None}
    reason = withheld_reason(reader.audience, record["outcome_source"])
    if reason:
        return {"record": record, "result": None, "method": None, "error": None, "withheld": reason}
    return {**reader.get(evaluated, intervention_id), "withheld": None}


def evaluation_record(result: Evaluation) -> dict:
    """An evaluation in the API's documented JSON shape (``/api/v1/evaluation`` and each
    intervention of ``/api/v1/interventions``)."""
    w = result.wdd
    record = {
        "target": result.counts["target"],
        "control": result.counts["control"],
        "buffer": result.counts["buffer"],
        "wdd": {"estimate": round(w.estimate, 4), "variance": round(w.variance, 4),
                "z": None if w.z is None else round(w.z, 4),
                "p_value": None if w.p_value is None else round(w.p_value, 6),
                "ci95": [round(w.ci95[0], 4), round(w.ci95[1], 4)]},
        "verdict": result.verdict,
        "before": {"from": result.before[0], "to": result.before[1], "label": periods.months_in_words(*result.before),
                   "months": len(periods.months_between(*result.before))},
        "after": {"from": result.after[0], "to": result.after[1], "label": periods.months_in_words(*result.after),
                  "months": len(periods.months_between(*result.after))},
        "scale": w.scale,
        "notes": result.notes,
        "its": None,
        "its_note": result.its_reason,
    }
    if result.its is not None:
        its = result.its
        record["its"] = {
            "level_change": {"rate_ratio": round(its.level.ratio, 4), "ci95": [round(v, 4) for v in its.level.ci95],
                             "p_value": round(its.level.p_value, 6)},
            "slope_change": {"rate_ratio_per_month": round(its.slope.ratio, 5),
                             "ci95": [round(v, 5) for v in its.slope.ci95], "p_value": round(its.slope.p_value, 6)},
            "dispersion": round(its.dispersion, 4),
            "months_before": its.months_before, "months_after": its.months_after,
            "caveats": list(its.caveats),
        }
    return record


API_FIELDS = ("id", "name", "description", "start_month", "end_month", "crime_types", "outcome_source", "target",
              "control", "buffer")


def intervention_records(reader: Reader, offset: int, limit: int) -> list[dict]:
    """A page of ``/api/v1/interventions``: each intervention with the page's own evaluation as
    the reader's audience may see it (withheld, saying why, when its outcome is partner-only)."""
    records = []
    for record in reader.get(list_interventions)[offset:offset + limit]:
        item = {k: record[k] for k in API_FIELDS}
        item["recorded_at"] = record["recorded_at"].isoformat() if record["recorded_at"] else None
        found = evaluated_for(reader, record["id"])
        if found["withheld"]:
            item.update(evaluation=None, evaluation_withheld=found["withheld"])
        elif found["result"] is None:
            item.update(evaluation=None, evaluation_error={"field": found["error_field"], "message": found["error"]})
        else:
            item.update(evaluation=evaluation_record(found["result"]), control_method=found["method"])
        records.append(item)
    return records


def outcome_subject(record: dict) -> str:
    """What the evaluation counts, for titles: "robbery", "all crime", "A&E assault attendances"."""
    if record["outcome_source"] != POLICE_CRIME:
        title = SOURCES_BY_SLUG[record["outcome_source"]].title.split(" (")[0]
        # "needle finds" mid-sentence, but "A&E" keeps its capitals.
        return title[0].lower() + title[1:] if title[1:2].islower() else title
    subject = crime_subject(record["crime_types"] or None)
    return subject.lower() if subject != "All crime" else "all crime"


SHOWN = 20  # evaluated on a page or in the board report: each evaluation queries every place set


def shown_interventions(reader: Reader) -> list[dict]:
    """The latest-starting interventions a page or report evaluates; the API pages through all."""
    return reader.get(list_interventions)[:SHOWN]


def unshown_count(reader: Reader) -> int:
    return max(0, len(reader.get(list_interventions)) - SHOWN)


def intervention_ids(reader: Reader) -> list[int]:
    return [r["id"] for r in shown_interventions(reader)]


def frame_for(reader: Reader, intervention_id: int) -> pd.DataFrame:
    """The plotted counts: one row per place and period."""
    found = evaluated_for(reader, intervention_id)
    result = found.get("result")
    if result is None:
        return pd.DataFrame({name: pd.Series(dtype="object") for name, _ in COLUMNS})
    rows = []
    for role in ("target", "control", "buffer"):
        counts = result.counts.get(role)
        if not counts:
            continue
        for key, (first, last) in (("before", result.before), ("after", result.after)):
            rows.append({"intervention": found["record"]["name"], "place": ROLE_NAMES[role],
                         "period": f"{key.capitalize()}: {periods.months_in_words(first, last)}",
                         "months": len(periods.months_between(first, last)), "count": counts[key]})
    return pd.DataFrame(rows, columns=[c for c, _ in COLUMNS])


def spec_for(intervention_id: int) -> ChartSpec:
    return ChartSpec(f"{CHART_PREFIX}{intervention_id}",
                     lambda reader, filters, i=intervention_id: frame_for(reader, i), COLUMNS)


def before_after_figure(frame: pd.DataFrame, y_title: str = "Incidents") -> PlainFigure:
    figure = new_figure(base_layout(y_title))
    for index, (period, rows) in enumerate(frame.groupby("period", sort=False)):
        figure.add_trace(bar_trace(
            # "Displacement buffer" on two lines, so a phone's narrow bars keep their names apart.
            x=[p.replace(" ", "<br>", 1) if len(p) > 12 else p for p in rows["place"]], y=rows["count"].tolist(), name=period,
            marker={"color": BEFORE_COLOUR if index == 0 else AFTER_COLOUR,
                    "pattern": {"shape": "/" if index == 0 else ""}},
            hovertemplate=f"{period}: %{{y:,}}<extra></extra>",
        ))
    figure.update_layout(barmode="group", hovermode="x unified", height=360)
    figure.update_xaxes(type="category")
    return figure


def its_text(result) -> str:
    if result.its is None:
        return f"No interrupted time series: {result.its_reason}."
    its = result.its
    level, slope = its.level, its.slope
    return (
        f"Interrupted time series of the target area ({its.months_before} months before the start, "
        f"{its.months_after} after; Poisson regression with seasonality"
        f"{', standard errors scaled for overdispersion' if its.dispersion > 1 else ''}): at the start the level "
        f"changed by a factor of {level.ratio:.2f} (95% CI {level.ci95[0]:.2f} to {level.ci95[1]:.2f}, "
        f"p = {level.p_value:.3f}{', significant' if level.p_value < 0.05 else ', not significant'}); the monthly "
        f"trend by a factor of {slope.ratio:.3f} a month (95% CI {slope.ci95[0]:.3f} to {slope.ci95[1]:.3f}, "
        f"p = {slope.p_value:.3f}). " + " ".join(its.caveats)
    )


def view_for(reader: Reader, intervention_id: int) -> ChartView | None:
    found = evaluated_for(reader, intervention_id)
    record = found.get("record")
    if record is None:
        return None
    spec = spec_for(intervention_id)
    title = f"{record['name']}: {outcome_subject(record)} before and after"
    if found["withheld"]:
        return ChartView.nothing_to_draw(spec, title, f"This evaluation is withheld. {found['withheld']}")
    if found["error"]:
        return ChartView.nothing_to_draw(spec, title, f"This intervention cannot be evaluated yet: {found['error']}")
    result = found["result"]
    frame = frame_for(reader, intervention_id)
    # What was done stands above the chart; the verdict is the summary, a sentence of its own.
    description = record["description"].strip()
    notes = [Note(f"What was done: {description}{'' if description[-1] in '.!?' else '.'}", "secondary")] \
        if description else []
    notes += [Note(n) for n in result.notes]
    if found["method"]:
        notes.append(Note(found["method"], "secondary"))
    notes.append(Note(its_text(result), "secondary"))
    w = result.wdd
    test = (f"Weighted displacement difference (Wheeler & Ratcliffe 2018): {w.estimate:+.1f} "
            f"(variance {w.variance:.1f}, z = {w.z:.2f}, p = {w.p_value:.3f})." if w.z is not None else "")
    if result.source is None:
        caption = police_caption(latest(reader), test)
    else:
        source = SOURCES_BY_SLUG[result.source]
        caption = f"Source: {source.title}, recorded by {partnership.current().owner_of(source.slug)}. {test}".strip()
    return ChartView(spec, title, frame, before_after_figure(frame, "Incidents" if result.source is None else "Records"),
                     result.verdict, caption, tuple(notes))


def views(reader: Reader, filters: Filters) -> list[ChartView]:
    return [v for v in (view_for(reader, i) for i in intervention_ids(reader)) if v]
