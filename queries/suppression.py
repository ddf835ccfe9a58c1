"""Small-number suppression for sensitive series, shown to the public.

Primary: a count from 1 to the threshold is withheld ("fewer than 5" with the default
threshold of 4); zero is shown, as it identifies no one. So the public knows each such
value lies in 1..threshold.

Secondary: no withheld value may be narrowed from what is published. The data holds three
kinds of linear relation, within one series: categories with their total (category "") in
one area and period; a parent area with all of its child areas (districts and their
county) for one category and period; and a period with the shorter periods that tile it
(months in a quarter or year, quarters in a year) for one area and category. The attacker
of the audit step (Cox 1980, "Suppression methodology and statistical disclosure
control"; Hundepool et al., *Statistical Disclosure Control*, 2012, ch. 4-5) knows every
shown value, these relations, that a primary value lies in 1..threshold and that a
secondary one is above the threshold (it is labelled as protecting another). For each
primary value, linear programming finds the least and greatest values it can take; while
any can be narrowed below 1..threshold, or a secondary value is fixed, the smallest shown
value above the threshold in one of its relations is withheld too, and the audit runs
again. Zeros are never withheld, as a withheld zero labelled above the threshold would be
false.

Suppression runs over the whole series, every area, category and period, and only then
are the areas asked for selected (``suppress_then_select``): suppressing a selection would
let a request for a county and four of its five districts reveal the fifth by subtraction.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from . import periods
from .reference import AREAS

DEFAULT_THRESHOLD = 4
CHILDREN = {a.code: [c.code for c in AREAS if c.parent_code == a.code] for a in AREAS}
SMALL, PROTECTIVE = "small", "protective"  # why a value is withheld (the ``withheld`` column)
TOLERANCE = 1e-6


def suppression_label(threshold: int = DEFAULT_THRESHOLD) -> str:
    return f"fewer than {threshold + 1}"


def protective_label() -> str:
    return "withheld (protects a small number)"


def withheld_label(kind: str, threshold: int = DEFAULT_THRESHOLD) -> str:
    return suppression_label(threshold) if kind == SMALL else protective_label()


def suppress_then_select(
    frame: pd.DataFrame, area_codes: Sequence[str] | None, threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Suppress over every area, category and period of the frame, then keep the areas asked for."""
    result = suppress(frame, threshold)
    if area_codes:
        result = result[result["area_code"].isin(list(area_codes))].reset_index(drop=True)
    return result


def suppress(frame: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """A copy of a series-values frame with ``suppressed`` and ``withheld`` (SMALL or
    PROTECTIVE, else "") set and withheld values removed.

    Expects columns series_id, area_code, period, category, value, unit, sensitive. Only
    sensitive count series are touched; rates derived from a withheld count must be
    withheld by the caller (they are computed after this runs). Pass the whole series:
    relations with areas, categories or periods left out of the frame cannot be protected.
    """
    frame = frame.copy()
    frame["suppressed"] = False
    frame["withheld"] = ""
    if frame.empty:
        return frame
    eligible = frame["sensitive"].astype(bool) & (frame["unit"] == "count")
    if not eligible.any():
        return frame
    primary = eligible & (frame["value"] >= 1) & (frame["value"] <= threshold)
    frame.loc[primary, ["suppressed", "withheld"]] = [True, SMALL]
    for _series, group in frame[eligible].groupby("series_id", sort=False):
        if group["suppressed"].any():
            _protect(frame, group, threshold)
    frame.loc[frame["suppressed"], "value"] = float("nan")
    return frame


def relations(group: pd.DataFrame) -> list[pd.Index]:
    """Each linear relation in one series, as the index labels of its rows (the first label
    is the total, parent or longer period, the rest its parts)."""
    found = []
    for _key, rows in group.groupby(["area_code", "period"], sort=False):
        total = rows.index[rows["category"] == ""]
        parts = rows.index[rows["category"] != ""]
        if len(total) == 1 and len(parts):
            found.append(total.append(parts))
    for _key, rows in group.groupby(["category", "period"], sort=False):
        by_area = pd.Series(rows.index, index=rows["area_code"])
        by_area = by_area[~by_area.index.duplicated()]
        for parent, children in CHILDREN.items():
            if children and parent in by_area.index and by_area.index.isin(children).sum() == len(children):
                found.append(pd.Index([by_area[parent], *by_area[children]]))
    for _key, rows in group.groupby(["area_code", "category"], sort=False):
        found += _period_tilings(rows)
    return found


def _period_tilings(rows: pd.DataFrame) -> list[pd.Index]:
    """A period with the shorter periods of one length that exactly cover its months (a
    year and its four quarters, a quarter and its three months)."""
    spans = {}
    for label, period in zip(rows.index, rows["period"]):
        parsed = periods.parse_period(period)
        if parsed:
            spans[label] = (periods.month_index(parsed[1]), periods.month_index(parsed[2]))
    found = []
    for label, (first, last) in spans.items():
        inside: dict[int, list] = {}
        for other, (f, t) in spans.items():
            if other != label and first <= f and t <= last and (t - f) < (last - first):
                inside.setdefault(t - f + 1, []).append(other)
        for length, parts in inside.items():
            covered = sorted(spans[p][0] for p in parts)
            if len(parts) * length == last - first + 1 and covered == list(range(first, last + 1, length)):
                found.append(pd.Index([label, *parts]))
    return found


def _protect(frame: pd.DataFrame, group: pd.DataFrame, threshold: int) -> None:
    """Withhold more values of one series until the audit narrows no withheld value."""
    found = relations(group)
    if not found:
        return
    safe: set = set()  # withholding more only widens what the attacker allows: a safe value stays safe
    while True:
        exposed = narrowed(frame, found, threshold, safe, first_only=True)
        if not exposed:
            return
        added = _protector(frame, [m for m in found if exposed[0] in m], threshold)
        if added is None:
            added = _protector(frame, [m for m in found if frame.loc[m, "suppressed"].any()], threshold)
        if added is None:
            return  # nothing above the threshold is left to withhold beside it
        frame.loc[added, ["suppressed", "withheld"]] = [True, PROTECTIVE]


def narrowed(frame: pd.DataFrame, found: list[pd.Index], threshold: int, safe: set | None = None,
             first_only: bool = False) -> list:
    """Withheld labels the attacker can narrow: a small value to less than 1..threshold, or a
    protective value to one number. Linear programming over the withheld values, with the
    shown ones as constants; labels in ``safe`` are skipped and those found safe added."""
    safe = set() if safe is None else safe
    members = pd.Index([]).append(found).unique() if found else pd.Index([])
    hidden = [label for label in members if frame.at[label, "suppressed"]]
    if not hidden:
        return []
    at = {label: i for i, label in enumerate(hidden)}
    rows, constants = [], []
    for relation in found:
        if not any(label in at for label in relation):
            continue
        row, constant = np.zeros(len(hidden)), 0.0
        for position, label in enumerate(relation):
            sign = 1.0 if position == 0 else -1.0
            if label in at:
                row[at[label]] += sign
            else:
                constant -= sign * float(frame.at[label, "value"])
        rows.append(row)
        constants.append(constant)
    # Imported here: at the top, scipy.optimize cost 0.4 s of every start of the app.
    from scipy.optimize import linprog

    equations, targets = np.array(rows), np.array(constants)
    bounds = [(1, threshold) if frame.at[label, "withheld"] == SMALL else (threshold + 1, None) for label in hidden]
    exposed = []
    for label in hidden:
        if label in safe:
            continue
        objective = np.zeros(len(hidden))
        objective[at[label]] = 1.0
        low = linprog(objective, A_eq=equations, b_eq=targets, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=equations, b_eq=targets, bounds=bounds, method="highs")
        if low.status != 0:
            continue  # infeasible only if the data break their own relations: nothing to audit
        least = low.fun
        most = -high.fun if high.status == 0 else float("inf")
        small = frame.at[label, "withheld"] == SMALL
        if (small and (least > 1 + TOLERANCE or most < threshold - TOLERANCE)) or (not small and most - least < TOLERANCE):
            exposed.append(label)
            if first_only:
                return exposed
        else:
            safe.add(label)
    return exposed


def _protector(frame: pd.DataFrame, found: list[pd.Index], threshold: int):
    """The label of the smallest value above the threshold still shown in these relations."""
    labels = pd.Index([]).append(found).unique() if found else pd.Index([])
    shown = frame.loc[labels]
    shown = shown[~shown["suppressed"] & (shown["value"] > threshold)]
    if shown.empty:
        return None
    return shown["value"].astype(float).idxmin()
