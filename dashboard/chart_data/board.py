"""The board report's figures: the quarter for the chosen areas against the same quarter a
year earlier and the latest 12 months against the 12 before (each with its exact test),
the monthly trends in words, targets and interventions. Used by the PDF and its CSVs."""

from __future__ import annotations

import pandas as pd

from dashboard.chart_data.common import gap_words, latest, monthly_dispersions, on_calendar, partnership_months
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.interventions import evaluated, shown_interventions
from dashboard.chart_data.spec import ChartSpec, Reader
from dashboard.chart_data.targets import board_rows as target_rows
from dashboard.charts.formatting import list_names
from dashboard.charts.summaries import band_for, describe_change, trend_summary
from queries import periods
from queries.counts import counts
from queries.like_for_like import like_for_like
from queries.reference import AREAS_BY_CODE, ASB

DEFAULTS = Filters()
SUBJECTS = (("All crime (not ASB)", None), ("Anti-social behaviour", (ASB,)))


def quarter_of_report(reader: Reader, filters: Filters) -> tuple[str, str] | None:
    """The latest whole calendar quarter up to the chosen end month (or the latest loaded)."""
    end = filters.end or latest(reader)
    if end is None:
        return None
    last = end if int(end[5:]) % 3 == 0 else periods.add_months(end, -(int(end[5:]) % 3))
    return periods.add_months(last, -2), last


def describe(reader: Reader, filters: Filters) -> str:
    quarter = quarter_of_report(reader, filters)
    names = list_names([AREAS_BY_CODE[a].name for a in filters.areas])
    return f"{periods.months_in_words(*quarter) if quarter else 'no data loaded'}, {names}"


def overview_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    """One row per area and subject (crime, ASB) and comparison (quarter, 12 months): the
    current period's own count over its loaded months ("Now", with "n of 3 months" when some
    are missing), and the change on the months loaded in both periods, named in words,
    tested allowing for overdispersion (``queries.like_for_like``)."""
    quarter = quarter_of_report(reader, filters)
    columns = ["area_name", "subject", "comparison", "previous", "current", "change_percent", "p_value", "verdict",
               "current_months", "compared_on", "current_compared", "test"]
    if quarter is None or not filters.areas:
        return pd.DataFrame(columns=columns)
    year_end = quarter[1]
    comparisons = (
        ("quarter", (periods.add_months(quarter[0], -12), periods.add_months(quarter[1], -12)), quarter,
         f"{periods.months_in_words(*quarter)} against the same months a year earlier"),
        ("12 months", (periods.add_months(year_end, -23), periods.add_months(year_end, -12)),
         (periods.add_months(year_end, -11), year_end),
         f"the 12 months to {periods.month_in_words(year_end)} against the 12 before"),
    )
    rows = []
    for subject, types in SUBJECTS:
        for _key, previous, current, words in comparisons:
            change = reader.get(like_for_like, tuple(filters.areas), previous, current, types)
            for r in change.itertuples():
                now = int(r.current_count) if r.current_months else None
                loaded = f"{r.current_months} of {r.period_months} months"
                if not r.shared_months:
                    verdict = ("no month of the period is loaded" if not r.current_months else
                               "no change shown: none of these months is loaded a year earlier")
                    rows.append([r.area_name, subject, words, None, now, None, None, verdict, loaded, "", None, ""])
                    continue
                percent = None if r.percent_change is None or pd.isna(r.percent_change) else round(float(r.percent_change), 1)
                p = round(float(r.p_value), 4)
                verdict = describe_change(percent, bool(r.significant))
                if r.shared_months < r.period_months:
                    # Said first, so "Before" is read as the shared months' count, not the whole period's.
                    verdict = (f"on the {r.shared_months} of {r.period_months} months loaded in both "
                               f"({r.shared_text}: {int(r.current_shared):,} against {int(r.previous_shared):,}): "
                               + verdict)
                rows.append([r.area_name, subject, words, int(r.previous_shared), now, percent, p, verdict, loaded,
                             r.shared_text, int(r.current_shared), r.test])
    return pd.DataFrame(rows, columns=columns)


def _monthly(reader: Reader, filters: Filters, types) -> pd.DataFrame:
    """Monthly counts over the 36 months to the quarter's end: the band needs the 12 months
    before each of the 24 it is drawn for."""
    quarter = quarter_of_report(reader, filters)
    return reader.get(counts, tuple(filters.areas), types, periods.add_months(quarter[1], -35), quarter[1],
                      periods.MONTH, True)


def _loaded(reader: Reader) -> list[str]:
    return partnership_months(reader)


def trend_sentences(reader: Reader, filters: Filters) -> list[str]:
    """Monthly counts over the 24 months to the quarter's end, in words (tests and months
    outside ordinary variation included)."""
    if quarter_of_report(reader, filters) is None or not filters.areas:
        return []
    quarter = quarter_of_report(reader, filters)
    sentences = []
    for subject, types in SUBJECTS:
        monthly = on_calendar(_monthly(reader, filters, types), periods.MONTH, _loaded(reader),
                              periods.add_months(quarter[1], -35), quarter[1])
        dispersions = monthly_dispersions(reader, tuple(filters.areas), types, quarter[1])
        gaps = gap_words(monthly, periods.MONTH, _loaded(reader))
        sentences.append(f"{subject}: {trend_summary(monthly, 'count', 'police.uk', dispersions)}"
                         + (f" {gaps}" if gaps else ""))
    return sentences


def band_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    """Every month outside the band of ordinary variation, per subject and area: the same
    limits the monthly trend charts shade (``band_for``), listed in full where the sentences
    name only the latest few."""
    columns = ["subject", "area_name", "month", "month_label", "count", "low", "high", "side"]
    if quarter_of_report(reader, filters) is None or not filters.areas:
        return pd.DataFrame(columns=columns)
    rows = []
    for subject, types in SUBJECTS:
        frame = _monthly(reader, filters, types)
        for _code, area in frame.groupby("area_code", sort=False):
            band = band_for(area)
            for b in band[band["side"] != ""].itertuples():
                rows.append([subject, area["area_name"].iloc[0], b.month, periods.month_in_words(b.month),
                             int(b.count), round(b.low, 1), round(b.high, 1), "above" if b.side == "high" else "below"])
    return pd.DataFrame(rows, columns=columns)


def months_with_band(reader: Reader, filters: Filters, first: str, last: str) -> list[str]:
    """The months from first to last that have a band for some subject and area (9 of their
    12 calendar months before loaded, not all zero): the months the band can speak for."""
    if quarter_of_report(reader, filters) is None or not filters.areas:
        return []
    found: set[str] = set()
    for _subject, types in SUBJECTS:
        for _code, area in _monthly(reader, filters, types).groupby("area_code", sort=False):
            found |= {m for m in band_for(area)["month"] if first <= m <= last}
    return sorted(found)


def targets_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    return target_rows(reader, filters)  # judged as the reader may see them (chart_data.targets)


def interventions_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    rows = []
    for record in shown_interventions(reader):  # the latest few: each evaluation queries every place set
        found = reader.get(evaluated, record["id"])
        result = found.get("result")
        row = {"intervention": record["name"], "months": periods.months_in_words(record["start_month"],
                                                                              record["end_month"])}
        if result is None:
            row |= {"verdict": f"Not evaluated: {found.get('error')}"}
        else:
            w = result.wdd
            row |= {"target_before": result.counts["target"]["before"], "target_after": result.counts["target"]["after"],
                    "control_before": result.counts["control"]["before"],
                    "control_after": result.counts["control"]["after"], "wdd": round(w.estimate, 1),
                    "ci_low": round(w.ci95[0], 1), "ci_high": round(w.ci95[1], 1),
                    "p_value": None if w.p_value is None else round(w.p_value, 4), "verdict": result.verdict}
        rows.append(row)
    return pd.DataFrame(rows, columns=["intervention", "months", "target_before", "target_after", "control_before",
                                       "control_after", "wdd", "ci_low", "ci_high", "p_value", "verdict"])


OVERVIEW = ChartSpec("board-overview", overview_data, (
    ("area_name", "Area"), ("subject", "Subject"), ("comparison", "Comparison"), ("previous", "Before, on the months compared"),
    ("current", "Now"), ("current_months", "Months loaded now"), ("compared_on", "Compared on"),
    ("current_compared", "Now, on the months compared"), ("change_percent", "Change (%)"), ("p_value", "p-value"),
    ("test", "Test"), ("verdict", "In words")))
TARGETS = ChartSpec("board-targets", targets_data, (
    ("target", "Target"), ("area_name", "Area"), ("status", "Status"), ("compared", "Months compared"),
    ("change_percent", "Change (%)"),
    ("line_percent", "Target line (%)"), ("p_value", "p-value (above the line)"), ("source", "Source")))
INTERVENTIONS = ChartSpec("board-interventions", interventions_data, (
    ("intervention", "Intervention"), ("months", "Months"), ("target_before", "Target before"),
    ("target_after", "Target after"), ("control_before", "Control before"), ("control_after", "Control after"),
    ("wdd", "WDD"), ("ci_low", "95% CI low"), ("ci_high", "95% CI high"), ("p_value", "p-value"),
    ("verdict", "Verdict")))
BAND = ChartSpec("board-outside-ordinary-variation", band_data, (
    ("subject", "Subject"), ("area_name", "Area"), ("month", "Month"), ("month_label", "Month in words"),
    ("count", "Count"), ("low", "Band low"), ("high", "Band high"), ("side", "Above or below the band")))
CHARTS = (OVERVIEW, BAND, TARGETS, INTERVENTIONS)
