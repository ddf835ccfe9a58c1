"""An estimated harm index from police.uk categories and ONS Crime Severity Score weights (no SQL).

police.uk's categories are broad: "Violence and sexual offences" holds offences from common
assault to rape, whose ONS weights differ a hundredfold. So no single weight is given to a
category: each category maps to the ONS offences it holds, and the index is a range, from
every crime weighted at its category's lowest offence weight to every crime at the highest.
The mapping and the weights come from a file the partnership keeps (``HARM_WEIGHTS_FILE``),
one row per ONS offence: which police.uk category holds it, and its ONS weight. Categories
the file does not map are left out of the index and named.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd

from .importers.files import read_small_text
from .reference import ASB, CRIME_TYPE_SLUG_BY_NAME, CRIME_TYPES_BY_SLUG

MAX_FILE_BYTES = 256 * 1024
MAX_ROWS = 2_000
COLUMNS = ("policeuk_category", "ons_offence", "weight")


class HarmWeightsError(ValueError):
    """A weights file that cannot be used, naming the file, row and field."""


def read_weights(path: str | Path) -> pd.DataFrame:
    """(category slug, offence, weight) rows from a CSV with the columns ``policeuk_category``
    (a police.uk category's name or slug, not ASB), ``ons_offence`` and ``weight`` (the ONS
    weight, above zero)."""
    path = Path(path)
    try:
        text = read_small_text(path, MAX_FILE_BYTES)
    except ValueError as problem:
        raise HarmWeightsError(str(problem)) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise HarmWeightsError(f"{path.name}: row 1: no '{missing[0]}' column")
    rows = []
    for line, row in enumerate(reader, start=2):
        if line > MAX_ROWS + 1:
            raise HarmWeightsError(f"{path.name}: more than {MAX_ROWS} rows")
        category = (row["policeuk_category"] or "").strip()
        slug = category if category in CRIME_TYPES_BY_SLUG else CRIME_TYPE_SLUG_BY_NAME.get(category)
        if slug is None or slug == ASB:
            raise HarmWeightsError(f"{path.name}: row {line}: field 'policeuk_category': '{category}' is not a "
                                   "police.uk crime category (ASB has no ONS weight)")
        offence = (row["ons_offence"] or "").strip()
        if not offence:
            raise HarmWeightsError(f"{path.name}: row {line}: field 'ons_offence' is empty")
        try:
            weight = float((row["weight"] or "").replace(",", ""))
        except ValueError:
            weight = math.nan
        if not math.isfinite(weight) or weight <= 0:
            raise HarmWeightsError(f"{path.name}: row {line}: field 'weight': '{row['weight']}' is not a "
                                   "number above zero")
        rows.append((slug, offence, weight))
    return pd.DataFrame(rows, columns=["crime_type", "ons_offence", "weight"])


def harm_ranges(counts: dict[str, int], weights: pd.DataFrame) -> pd.DataFrame:
    """Per category: its count, the lowest and highest weight of its offences, the harm at
    each, and how many offences map to it (0: left out of the index)."""
    rows = []
    for slug, count in counts.items():
        mine = weights[weights["crime_type"] == slug]["weight"]
        low = float(mine.min()) if len(mine) else None
        high = float(mine.max()) if len(mine) else None
        rows.append({"crime_type": slug, "count": int(count), "offences": int(len(mine)),
                     "lowest_weight": low, "highest_weight": high,
                     "harm_low": None if low is None else count * low,
                     "harm_high": None if high is None else count * high})
    return pd.DataFrame(rows, columns=["crime_type", "count", "offences", "lowest_weight", "highest_weight",
                                       "harm_low", "harm_high"])
