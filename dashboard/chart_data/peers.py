"""Peers: the partnership's district among the districts most like it, and a funnel plot of
every loaded district's rate against its population.

Rates cover one 12-month window for every district (``queries.peer_rates``); a district
missing any of its months is named and left out, never compared as if complete. The funnel's
limits allow for over-dispersion (``queries.funnel``, Spiegelhalter 2005).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.chart_data.common import latest, police_caption
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.harm import harm_frame
from dashboard.chart_data.spec import ChartSpec, ChartView, Note, Reader
from dashboard.charts.figures import bar_trace, base_layout, new_figure, scatter_trace
from dashboard.charts.formatting import list_names, rate
from dashboard.charts.plain_figure import PlainFigure
from queries import periods
from queries.funnel import ADDITIVE, INNER, OUTER, fit
from queries.peer_rates import loaded_districts, window_for, window_rates
from queries.peers import (
    VARIABLE_WORDS,
    VARIABLES,
    Neighbours,
    PeerGroupFileError,
    district_names,
    nearest,
    peer_variables,
    read_group_file,
)

DEFAULTS = Filters()
MEASURES = {"crime": ("crime", "crime_rate", "crimes (all crime, not ASB)"),
            "asb": ("asb", "asb_rate", "ASB incidents")}
HOME_COLOUR, PEER_COLOUR, LIMIT_COLOUR = "#D55E00", "#0072B2", "#595959"
# Below this many areas the dispersion the limits allow for rests on too few places to be more
# than a rough guide (Spiegelhalter 2005 works with over a hundred institutions).
FEW_AREAS = 30
OWN, LOADED, OFFICIAL = "own", "loaded", "official"
GROUP_LABELS = {OWN: "the partnership's peers", LOADED: "the most similar loaded districts",
                OFFICIAL: "the official peer group"}


@dataclass(frozen=True)
class Group:
    """A peer group: the districts in it (home first), where it came from, and any problem."""

    kind: str
    codes: tuple[str, ...]
    source: str
    problem: str = ""


def names() -> dict[str, str]:
    return district_names()


def neighbours(reader: Reader) -> Neighbours | None:
    try:
        return nearest(reader.peers.home, reader.peers.count)
    except KeyError:
        return None


def own_group(reader: Reader) -> Group:
    home, chosen = reader.peers.home, reader.peers.group
    if chosen:
        codes = tuple(c for c in chosen if c != home)
        return Group(OWN, (home, *codes), "the group the partnership chose (PEER_GROUP)")
    found = neighbours(reader)
    if found is None:
        return Group(OWN, (home,), "", f"{home} has no peer variables: it is not a district of England or Wales")
    return Group(OWN, tuple(found.table["code"]), f"the {len(found.table) - 1} most similar districts, computed "
                 f"from {len(found.variables)} public variables")


def loaded_group(reader: Reader) -> Group | None:
    """The nearest districts among those loaded, when fewer than all of the partnership's own
    peers are loaded: with one force loaded, its districts are the only ones to compare with."""
    own = own_group(reader)
    loaded = set(reader.get(loaded_districts))
    if own.problem or reader.peers.home not in loaded or all(c in loaded for c in own.codes):
        return None
    found = nearest(reader.peers.home, reader.peers.count, candidates=tuple(sorted(loaded)))
    if len(found.table) < 2:
        return None
    return Group(LOADED, tuple(found.table["code"]), f"the {len(found.table) - 1} districts most similar to the "
                 "partnership among those with police.uk months loaded (the same variables and distance)")


def official_group(reader: Reader) -> Group | None:
    path = reader.peers.official_file
    if not path:
        return None
    home = reader.peers.home
    try:
        codes = read_group_file(path, set(names()))
    except PeerGroupFileError as error:
        return Group(OFFICIAL, (home,), "an official group", f"The official group cannot be used: {error}")
    return Group(OFFICIAL, (home, *[c for c in codes if c != home]), "the official group an analyst imported")


def groups(reader: Reader) -> list[Group]:
    return [g for g in (own_group(reader), loaded_group(reader), official_group(reader)) if g is not None]


def window(reader: Reader) -> tuple[str, str] | None:
    return reader.get(window_for, reader.peers.home)


def group_rates(reader: Reader, group: Group) -> pd.DataFrame:
    found = window(reader)
    if found is None:
        return pd.DataFrame()
    frame = reader.get(window_rates, group.codes, *found).copy()
    frame.insert(1, "name", frame["code"].map(names()).fillna(frame["code"]))
    frame.insert(2, "role", ["partnership" if c == reader.peers.home else "peer" for c in frame["code"]])
    return frame


RATE_COLUMNS = (("name", "District"), ("code", "Code"), ("role", "Role"), ("count", "Count"),
                ("population", "Population"), ("population_year", "Population estimate (mid-year)"),
                ("rate", "Rate per 1,000 residents"))


def rates_frame(reader: Reader, kind: str, measure: str) -> pd.DataFrame:
    group = next((g for g in groups(reader) if g.kind == kind), None)
    empty = pd.DataFrame({c: pd.Series(dtype="object") for c, _ in RATE_COLUMNS})
    if group is None:
        return empty
    frame = group_rates(reader, group)
    if frame.empty:
        return empty
    count, rate_column, _ = MEASURES[measure]
    shown = frame[frame["compared"]].rename(columns={count: "count", rate_column: "rate"})
    return shown[[c for c, _ in RATE_COLUMNS]].reset_index(drop=True)


def rates_spec(kind: str, measure: str) -> ChartSpec:
    return ChartSpec(f"peers-{kind}-{measure}", lambda reader, filters: rates_frame(reader, kind, measure),
                     RATE_COLUMNS)


def rates_figure(frame: pd.DataFrame, measure: str) -> PlainFigure:
    ordered = frame.sort_values("rate")
    layout = base_layout("", "Per 1,000")
    layout.update(hovermode="closest", height=max(260, 34 * len(ordered) + 90), showlegend=False,
                  margin={"l": 8, "r": 16, "t": 16, "b": 48})
    layout["yaxis"] = {"automargin": True, "title": {"text": ""}}
    # Room beyond the longest bar for its value, which is written outside it.
    layout["xaxis"].update(range=[0, float(ordered["rate"].max()) * 1.22], gridcolor="#e3e3e3", showgrid=True)
    figure = new_figure(layout)
    colours = [HOME_COLOUR if r == "partnership" else PEER_COLOUR for r in ordered["role"]]
    labels = [f"{n} (partnership)" if r == "partnership" else n for n, r in zip(ordered["name"], ordered["role"])]
    figure.add_trace(bar_trace(
        x=[float(v) for v in ordered["rate"]], y=labels, orientation="h", marker={"color": colours},
        text=[rate(v) for v in ordered["rate"]], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:.1f} per 1,000<extra></extra>", name=MEASURES[measure][2]))
    return figure


def _window_words(found: tuple[str, str]) -> str:
    return f"the 12 months to {periods.month_in_words(found[1])}"


def left_out_notes(frame: pd.DataFrame) -> tuple[Note, ...]:
    left = frame[~frame["compared"]]
    if left.empty:
        return ()
    # One clause per reason ("Cambridge and Exeter (no police.uk months loaded for their force)").
    parts = [f"{list_names(list(rows['name']))} ({reason})" for reason, rows in left.groupby("reason", sort=False)]
    return (Note(f"Not compared, because a short or missing total would pass for a low rate: {'; '.join(parts)}.",
                 "secondary"),)


def rates_view(reader: Reader, kind: str, measure: str) -> ChartView | None:
    group = next((g for g in groups(reader) if g.kind == kind), None)
    if group is None:
        return None
    spec = rates_spec(kind, measure)
    what = MEASURES[measure][2]
    label = GROUP_LABELS[kind]
    title = f"{what[0].upper()}{what[1:]} per 1,000 residents: {label}"
    if group.problem:
        return ChartView.nothing_to_draw(spec, title, group.problem)
    found = window(reader)
    if found is None:
        return ChartView.nothing_to_draw(spec, title, "No police.uk months are loaded for the partnership's force.")
    frame = group_rates(reader, group)
    shown = rates_frame(reader, kind, measure)
    notes = (Note(f"The group: {group.source}.", "secondary"), *left_out_notes(frame))
    home_rows = shown[shown["role"] == "partnership"]
    if home_rows.empty:
        return ChartView(spec, title, shown, None, message="The partnership's own district does not have every month "
                         f"of {_window_words(found)} loaded.", notes=notes)
    home = home_rows.iloc[0]
    others = shown[shown["role"] == "peer"]
    summary = f"In {_window_words(found)}, {home['name']} recorded {rate(home['rate'])} {what} per 1,000 residents."
    if others.empty:
        summary += " None of its peers has every month of the window loaded, so there is nothing to compare it with."
        message = " ".join([summary, *(n.text for n in notes)])
        return ChartView(spec, title, shown, None, summary, message=message, notes=notes)
    else:
        higher = int((others["rate"] > home["rate"]).sum())
        summary += (f" Its {len(others)} compared peers ranged from {rate(others['rate'].min())} to "
                    f"{rate(others['rate'].max())} (median {rate(float(others['rate'].median()))}); "
                    f"{higher} of them had a higher rate. Similar places still differ in visitors, night-time "
                    "economy and recording, so a difference here is a question to ask, not a verdict: the funnel plot "
                    "below says whether a rate is outside what is expected of a district of its size.")
    caption = police_caption(latest(reader), f"Rates use ONS mid-year population estimates ({_window_words(found)}).")
    return ChartView(spec, title, shown, rates_figure(shown, measure), summary, caption, notes)


SIMILARITY_COLUMNS = (("name", "District"), ("code", "Code"), ("distance", "Distance (standardised units)"),
                      *((c, label) for c, label in VARIABLES))


def similarity_frame(reader: Reader, filters: Filters | None = None) -> pd.DataFrame:
    found = neighbours(reader)
    if found is None:
        return pd.DataFrame({c: pd.Series(dtype="object") for c, _ in SIMILARITY_COLUMNS})
    frame = found.table.copy()
    frame["distance"] = frame["distance"].round(3)
    for column, _ in VARIABLES:
        if column not in frame:
            frame[column] = None
        else:
            frame[column] = frame[column].astype(float).round(4)
    return frame[[c for c, _ in SIMILARITY_COLUMNS]]


SIMILARITY_SPEC = ChartSpec("peers-similarity", similarity_frame, SIMILARITY_COLUMNS)


def similarity_view(reader: Reader) -> ChartView:
    title = "How similar the nearest districts are"
    found = neighbours(reader)
    if found is None:
        return ChartView.nothing_to_draw(SIMILARITY_SPEC, title, f"{reader.peers.home} is not a district of England "
                                         "or Wales, so no peers can be computed for it.")
    frame = similarity_frame(reader)
    peers_only = frame.iloc[1:].sort_values("distance", ascending=False)
    layout = base_layout("", "Distance")
    layout.update(hovermode="closest", height=max(260, 30 * len(peers_only) + 90), showlegend=False,
                  margin={"l": 8, "r": 16, "t": 16, "b": 48})
    layout["yaxis"] = {"automargin": True, "title": {"text": ""}}
    figure = new_figure(layout)
    figure.add_trace(bar_trace(x=peers_only["distance"].tolist(), y=peers_only["name"].tolist(), orientation="h",
                               marker={"color": PEER_COLOUR}, hovertemplate="%{y}: %{x:.2f}<extra></extra>"))
    used = [VARIABLE_WORDS[c] for c in found.variables]
    home_name = frame.iloc[0]["name"]
    summary = (f"The {len(peers_only)} districts of England and Wales nearest {home_name} on {list_names(used)}, "
               f"each variable standardised over the {len(peer_variables()) - len(found.left_out)} districts that "
               f"have them all: the nearest is {peers_only.iloc[-1]['name']} "
               f"({peers_only.iloc[-1]['distance']:.2f}), the furthest shown {peers_only.iloc[0]['name']} "
               f"({peers_only.iloc[0]['distance']:.2f}). A distance of 0 is identical on every variable; 1 is one "
               "standard deviation apart on one of them.")
    notes = []
    if len(found.variables) < len(VARIABLES):
        notes.append(Note("Deprivation is left out of the distance: the English index of deprivation does not cover "
                          "Welsh districts, and the Welsh index ranks Welsh areas only.", "secondary"))
    if not found.left_out.empty:
        # By reason, with how many: the names are in the shipped file's "missing" column.
        reasons = found.left_out["reason"].str.split("; ").explode().value_counts(sort=False)
        notes.append(Note(f"{len(found.left_out)} districts are not candidates because a variable is missing: "
                          + "; ".join(f"{n} for {reason}" for reason, n in reasons.items())
                          + " (data/geography/lad_peer_variables.csv names them).", "secondary"))
    caption = ("Sources: ONS mid-2020 population estimates; ONS Standard Area Measurements (December 2023, land "
               "area); English Indices of Deprivation 2019 (MHCLG). Derived in data/geography/lad_peer_variables.csv.")
    return ChartView(SIMILARITY_SPEC, title, frame, figure, summary, caption, tuple(notes))


FUNNEL_COLUMNS = (("name", "District"), ("code", "Code"), ("population", "Population"), ("count", "Count"),
                  ("rate", "Rate per 1,000 residents"), ("lower_95", "95% lower limit"), ("upper_95", "95% upper limit"),
                  ("lower_998", "99.8% lower limit"), ("upper_998", "99.8% upper limit"), ("position", "Position"))


def funnel_inputs(reader: Reader, measure: str) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """(compared districts, districts left out) of every loaded district, for one measure."""
    found = window(reader)
    if found is None:
        return None
    codes = reader.get(loaded_districts)
    frame = reader.get(window_rates, tuple(codes), *found).copy()
    frame.insert(1, "name", frame["code"].map(names()).fillna(frame["code"]))
    count, rate_column, _ = MEASURES[measure]
    compared = frame[frame["compared"]].rename(columns={count: "count", rate_column: "rate"})
    return compared.reset_index(drop=True), frame[~frame["compared"]].reset_index(drop=True)


def position_words(rate_value: float, lower_95, upper_95, lower_998, upper_998) -> str:
    if rate_value > upper_998:
        return "above the 99.8% limit"
    if rate_value < lower_998:
        return "below the 99.8% limit"
    if rate_value > upper_95:
        return "above the 95% limit, within the 99.8% limit"
    if rate_value < lower_95:
        return "below the 95% limit, within the 99.8% limit"
    return "within the 95% limits"


def funnel_frame(reader: Reader, measure: str) -> pd.DataFrame:
    empty = pd.DataFrame({c: pd.Series(dtype="object") for c, _ in FUNNEL_COLUMNS})
    inputs = funnel_inputs(reader, measure)
    if inputs is None or len(inputs[0]) < 2 or int(inputs[0]["count"].sum()) == 0:
        return empty
    compared = inputs[0]
    model = fit(compared["count"].astype(float), compared["population"].astype(float), ADDITIVE)
    n = compared["population"].astype(float).to_numpy()
    low95, up95 = model.limits(n, INNER)
    low998, up998 = model.limits(n, OUTER)
    frame = compared[["name", "code", "population", "count", "rate"]].copy()
    frame["lower_95"], frame["upper_95"] = np.round(low95 * 1000, 2), np.round(up95 * 1000, 2)
    frame["lower_998"], frame["upper_998"] = np.round(low998 * 1000, 2), np.round(up998 * 1000, 2)
    # Positions are judged on the unrounded rate and limits; the table shows both rounded.
    exact = compared["count"].astype(float).to_numpy() / n
    frame["position"] = [position_words(r, a, b, c, d) for r, a, b, c, d in zip(exact, low95, up95, low998, up998)]
    frame.attrs["funnel"] = model
    return frame.sort_values("population").reset_index(drop=True)


def funnel_spec(measure: str) -> ChartSpec:
    return ChartSpec(f"funnel-{measure}", lambda reader, filters: funnel_frame(reader, measure), FUNNEL_COLUMNS)


def funnel_figure(frame: pd.DataFrame, home: str) -> PlainFigure:
    model = frame.attrs["funnel"]
    low, high = float(frame["population"].min()), float(frame["population"].max())
    grid = np.geomspace(low * 0.8, high * 1.25, 80)
    layout = base_layout("Rate per 1,000 residents", "Population (log scale)")
    layout.update(hovermode="closest", legend={"orientation": "h", "y": -0.25, "x": 0})
    layout["xaxis"].update(type="log", showgrid=True, gridcolor="#e3e3e3")
    figure = new_figure(layout)
    x = grid.tolist()
    for coverage, dash, label in ((OUTER, "dash", "99.8% limits"), (INNER, "dot", "95% limits")):
        lower, upper = model.limits(grid, coverage)
        for values, show in ((upper, True), (lower, False)):
            figure.add_trace(scatter_trace(x=x, y=(values * 1000).round(3).tolist(), mode="lines", name=label,
                                           legendgroup=label, showlegend=show, hoverinfo="skip",
                                           line={"color": LIMIT_COLOUR, "dash": dash, "width": 1.5}))
    figure.add_trace(scatter_trace(x=x, y=[model.theta * 1000] * len(x), mode="lines", name="All compared districts",
                                   hoverinfo="skip", line={"color": LIMIT_COLOUR, "width": 1}))
    others = frame[frame["code"] != home]
    figure.add_trace(scatter_trace(
        x=others["population"].astype(float).tolist(), y=others["rate"].astype(float).tolist(), mode="markers",
        name="Other districts", marker={"color": PEER_COLOUR, "size": 9}, text=others["name"].tolist(),
        hovertemplate="%{text}: %{y:.1f} per 1,000, population %{x:,.0f}<extra></extra>"))
    mine = frame[frame["code"] == home]
    if not mine.empty:
        figure.add_trace(scatter_trace(
            x=mine["population"].astype(float).tolist(), y=mine["rate"].astype(float).tolist(),
            mode="markers+text", name=f"{mine.iloc[0]['name']} (partnership)", text=mine["name"].tolist(),
            textposition="top center", marker={"color": HOME_COLOUR, "size": 14, "symbol": "diamond",
                                               "line": {"color": "#1b1b1b", "width": 1}},
            hovertemplate="%{text}: %{y:.1f} per 1,000, population %{x:,.0f}<extra></extra>"))
    return figure


def funnel_summary(frame: pd.DataFrame, home: str, what: str, found: tuple[str, str]) -> str:
    model = frame.attrs["funnel"]
    areas = len(frame)
    text = ""
    mine = frame[frame["code"] == home]
    if not mine.empty:
        row = mine.iloc[0]
        position = row["position"]
        if position == "within the 95% limits":
            verdict = "within the limits expected of areas of this size"
        elif position.startswith(("above the 99.8%", "below the 99.8%")):
            allowing = (", even allowing for how much these districts differ" if model.overdispersed else "")
            direction = "higher" if position.startswith("above") else "lower"
            verdict = f"{direction} than expected of areas of this size{allowing} (outside the 99.8% limits)"
        else:
            verdict = (f"{position}: a warning, not a signal (about 1 district in 20 falls outside the 95% limits by "
                       "chance alone)")
        text = f"{row['name']}, at {rate(row['rate'])} per 1,000, is {verdict}. "
    text += (f"The plot compares {areas} districts with every month of {_window_words(found)} loaded, each "
             f"district's rate of {what} against its population, with limits around the rate of all of them together "
             f"({rate(model.theta * 1000)} per 1,000).")
    outside = frame[frame["position"].str.contains("99.8% limit") & ~frame["position"].str.contains("within")]
    text += (f" None of the {areas} districts is outside the 99.8% limits." if outside.empty else
             f" {len(outside)} of the {areas} districts {'is' if len(outside) == 1 else 'are'} outside the 99.8% limits: "
             f"{list_names(list(outside['name']))}.")
    if model.overdispersed:
        text += (" The districts differ by more than chance alone would make them, so the limits are widened by that "
                 "difference (additive random effects, Spiegelhalter 2005).")
    else:
        text += " The districts differ by no more than chance would make them, so the limits are Poisson limits."
    if areas < FEW_AREAS:
        text += (f" With only {areas} districts, the spread the limits allow for is itself estimated from few places: "
                 "read the limits as rough.")
    return text


def funnel_view(reader: Reader, measure: str) -> ChartView:
    spec = funnel_spec(measure)
    what = MEASURES[measure][2]
    title = f"Funnel plot: {what} per 1,000 residents in every loaded district"
    found = window(reader)
    if found is None:
        return ChartView.nothing_to_draw(spec, title, "No police.uk months are loaded for the partnership's force.")
    frame = funnel_frame(reader, measure)
    inputs = funnel_inputs(reader, measure)
    notes = left_out_notes(inputs[1]) if inputs else ()
    if frame.empty:
        return ChartView(spec, title, frame, None, message="Fewer than two districts have every month of "
                         f"{_window_words(found)} loaded, so there is nothing to draw limits from.", notes=notes)
    caption = police_caption(latest(reader), "Limits: Spiegelhalter (2005), winsorised z-scores (10%), additive "
                             "random effects.")
    return ChartView(spec, title, frame, funnel_figure(frame, reader.peers.home),
                     funnel_summary(frame, reader.peers.home, what, found), caption, notes)


CHARTS = (SIMILARITY_SPEC, *(rates_spec(kind, m) for kind in (OWN, LOADED, OFFICIAL) for m in MEASURES),
          funnel_spec("crime"), funnel_spec("asb"))


def views(reader: Reader, filters: Filters) -> list[ChartView]:
    found = [similarity_view(reader)]
    for kind in (OWN, LOADED, OFFICIAL):
        found += [v for v in (rates_view(reader, kind, m) for m in MEASURES) if v is not None]
    found += [funnel_view(reader, m) for m in MEASURES]
    return found



def api_frames(reader: Reader) -> dict:
    """What ``GET /api/v1/peers`` answers, as plain values and frames: the window, every group
    with its rates (and why districts are left out), the similarity table and both funnels."""
    found = window(reader)
    answer = {"home": reader.peers.home, "window": list(found) if found else None,
              "variables": [{"column": c, "label": label} for c, label in VARIABLES],
              "similarity": similarity_frame(reader), "groups": [], "funnels": {}}
    for group in groups(reader):
        frame = group_rates(reader, group) if found and not group.problem else pd.DataFrame()
        answer["groups"].append({"kind": group.kind, "source": group.source, "problem": group.problem or None,
                                 "rates": frame})
    for measure in MEASURES:
        frame = funnel_frame(reader, measure)
        model = frame.attrs.get("funnel")
        answer["funnels"][measure] = {
            "rows": frame,
            "pooled_rate_per_1000": round(model.theta * 1000, 4) if model else None,
            "phi": round(model.phi, 4) if model else None,
            "tau2_per_1000_squared": round(model.tau2 * 1e6, 6) if model else None,
            "model": model.model if model else None, "areas": model.areas if model else 0,
        }
    harm = harm_frame(reader)
    index = harm.attrs.get("index")
    answer["harm_estimate"] = {"rows": harm, "per_resident_low": round(index[0], 4) if index else None,
                               "per_resident_high": round(index[1], 4) if index else None,
                               "weights_file_set": bool(reader.peers.harm_weights_file)}
    return answer
