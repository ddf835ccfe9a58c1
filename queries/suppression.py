"""Small-number suppression for sensitive series, shown to the public.

Primary: a count from 1 to the threshold is withheld ("fewer than 5" with the default
threshold of 4); zero is shown, as it identifies no one.
Secondary: no withheld value may be worked out from the values shown. The data holds two
kinds of linear relation: categories with a total (category "") in one area and period,
and a parent area with all of its child areas for one category and period. For each
series and period these relations form a linear system whose unknowns are the withheld
values; a withheld value is exposed when it is fixed by that system (its unit vector lies
in the row space of the relations restricted to the unknowns; Cox 1980, "Suppression
methodology and statistical disclosure control", and the audit step of Hundepool et al.,
*Statistical Disclosure Control*, 2012, ch. 5). While any is exposed, the smallest non-zero value shown in one of
its relations is withheld too, and the system is checked again, until stable.

Suppression runs over the whole series, every area and category, and only then are the
areas asked for selected (``suppress_then_select``): suppressing a selection would let a
request for a county and four of its five districts reveal the fifth by subtraction.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .reference import AREAS

DEFAULT_THRESHOLD = 4
CHILDREN = {a.code: [c.code for c in AREAS if c.parent_code == a.code] for a in AREAS}


def suppression_label(threshold: int = DEFAULT_THRESHOLD) -> str:
    return f"fewer than {threshold + 1}"


def suppress_then_select(
    frame: pd.DataFrame, area_codes: Sequence[str] | None, threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Suppress over every area and category of the frame, then keep the areas asked for."""
    result = suppress(frame, threshold)
    if area_codes:
        result = result[result["area_code"].isin(list(area_codes))].reset_index(drop=True)
    return result


def suppress(frame: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """A copy of a series-values frame with ``suppressed`` set and withheld values removed.

    Expects columns series_id, area_code, period, category, value, unit, sensitive. Only
    sensitive count series are touched; rates derived from a withheld count must be
    withheld by the caller (they are computed after this runs). Pass the whole series:
    relations with areas or categories left out of the frame cannot be protected.
    """
    frame = frame.copy()
    frame["suppressed"] = False
    if frame.empty:
        return frame
    eligible = frame["sensitive"].astype(bool) & (frame["unit"] == "count")
    if not eligible.any():
        return frame
    frame.loc[eligible & (frame["value"] >= 1) & (frame["value"] <= threshold), "suppressed"] = True
    for _key, group in frame[eligible].groupby(["series_id", "period"], sort=False):
        if group["suppressed"].any():
            _protect(frame, group)
    frame.loc[frame["suppressed"], "value"] = float("nan")
    return frame


def _relations(group: pd.DataFrame) -> list[pd.Index]:
    """Each linear relation in one series and period, as the index labels of its rows (the
    first label is the total or parent, the rest its parts)."""
    relations = []
    for _area, rows in group.groupby("area_code", sort=False):
        total = rows.index[rows["category"] == ""]
        parts = rows.index[rows["category"] != ""]
        if len(total) == 1 and len(parts):
            relations.append(total.append(parts))
    for _category, rows in group.groupby("category", sort=False):
        by_area = pd.Series(rows.index, index=rows["area_code"])
        by_area = by_area[~by_area.index.duplicated()]
        for parent, children in CHILDREN.items():
            if children and parent in by_area.index and by_area.index.isin(children).sum() == len(children):
                relations.append(pd.Index([by_area[parent], *by_area[children]]))
    return relations


def _protect(frame: pd.DataFrame, group: pd.DataFrame) -> None:
    """Withhold more values of one series and period until no withheld value is fixed by
    the relations; repeated until stable, as each new one changes the system."""
    relations = _relations(group)
    if not relations:
        return
    cells = list(group.index)
    position = {label: i for i, label in enumerate(cells)}
    matrix = np.zeros((len(relations), len(cells)))
    for row, members in enumerate(relations):
        matrix[row, position[members[0]]] = 1.0
        for label in members[1:]:
            matrix[row, position[label]] = -1.0
    while True:
        withheld = [label for label in cells if frame.at[label, "suppressed"]]
        exposed = _exposed(matrix, [position[label] for label in withheld])
        if not exposed:
            return
        label = withheld[exposed[0]]
        added = _smallest_shown(frame, [m for m in relations if label in m])
        if added is None:
            added = _smallest_shown(frame, [pd.Index(cells)])
        if added is None:
            return  # everything is withheld already
        frame.at[added, "suppressed"] = True


def _exposed(matrix: np.ndarray, unknown: list[int]) -> list[int]:
    """Positions (within ``unknown``) of the unknowns the relations fix on their own."""
    part = matrix[:, unknown]
    part = part[np.any(part != 0, axis=1)]
    if not len(part):
        return []
    rank = np.linalg.matrix_rank(part)
    exposed = []
    for i in range(len(unknown)):
        unit = np.zeros((1, len(unknown)))
        unit[0, i] = 1.0
        if np.linalg.matrix_rank(np.vstack([part, unit])) == rank:
            exposed.append(i)
    return exposed


def _smallest_shown(frame: pd.DataFrame, relations: list[pd.Index]):
    """The label of the smallest value still shown in these relations, preferring a non-zero
    one (a withheld zero beside another could be fixed at zero by non-negativity)."""
    labels = pd.Index([]).append(relations).unique() if relations else pd.Index([])
    shown = frame.loc[labels]
    shown = shown[~shown["suppressed"]]
    if shown.empty:
        return None
    nonzero = shown[shown["value"] > 0]
    pick = nonzero if not nonzero.empty else shown
    return pick["value"].astype(float).idxmin()
