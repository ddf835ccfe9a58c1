"""Small-number suppression for sensitive series, shown to the public.

Primary: a count from 1 to the threshold is withheld ("fewer than 5" with the default
threshold of 4); zero is shown, as it identifies no one.
Secondary: where withheld values could be worked out by subtraction, one more value is
withheld so no single value is left alone to be derived. This covers the two linear
relations the data holds: categories with a total (category "") in one area and period,
and a parent area published with all of its child areas for one category and period.
"""

from __future__ import annotations

import pandas as pd

from .reference import AREAS

DEFAULT_THRESHOLD = 4
CHILDREN = {a.code: [c.code for c in AREAS if c.parent_code == a.code] for a in AREAS}


def suppression_label(threshold: int = DEFAULT_THRESHOLD) -> str:
    return f"fewer than {threshold + 1}"


def suppress(frame: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """A copy of a series-values frame with ``suppressed`` set and withheld values removed.

    Expects columns series_id, area_code, period, category, value, unit, sensitive. Only
    sensitive count series are touched; rates derived from a withheld count must be
    withheld by the caller (they are computed after this runs).
    """
    frame = frame.copy()
    frame["suppressed"] = False
    if frame.empty:
        return frame
    eligible = frame["sensitive"].astype(bool) & (frame["unit"] == "count")
    if not eligible.any():
        return frame
    frame.loc[eligible & (frame["value"] >= 1) & (frame["value"] <= threshold), "suppressed"] = True
    # Repeat until stable: a secondary suppression can expose another relation.
    while True:
        before = int(frame["suppressed"].sum())
        _secondary(frame, eligible, ["series_id", "area_code", "period"], _category_groups)
        _secondary(frame, eligible, ["series_id", "category", "period"], _area_groups)
        if int(frame["suppressed"].sum()) == before:
            break
    frame.loc[frame["suppressed"], "value"] = float("nan")
    return frame


def _category_groups(group: pd.DataFrame) -> list[pd.Index]:
    """Categories add up to the total row (category ""), when one is present."""
    if (group["category"] == "").any() and (group["category"] != "").sum() >= 1:
        return [group.index]
    return []


def _area_groups(group: pd.DataFrame) -> list[pd.Index]:
    """A parent area and all its children, when every child is present."""
    present = set(group["area_code"])
    relations = []
    for parent, children in CHILDREN.items():
        if children and parent in present and set(children) <= present:
            relations.append(group.index[group["area_code"].isin([parent, *children])])
    return relations


def _secondary(frame: pd.DataFrame, eligible: pd.Series, keys: list[str], relations) -> None:
    for _key, group in frame[eligible].groupby(keys, sort=False):
        for index in relations(group):
            members = frame.loc[index]
            withheld = members["suppressed"]
            if withheld.sum() == 1:
                # The smallest value still shown joins it, so neither can be derived.
                candidates = members[~withheld].sort_values("value")
                if not candidates.empty:
                    frame.loc[candidates.index[0], "suppressed"] = True
