"""Crime and ASB per 1,000 residents over one 12-month window, for the districts compared.

The window is the 12 months ending at the home district's latest loaded month, the same for
every district, so that no area's figures cover other months than another's. A district
whose force is missing any of those months is not compared (its total would be short, not
low), and the result says which months it lacks.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Engine

from . import periods
from .areas import population_for_year, population_table
from .counts import latest_month, loaded_months, monthly_counts
from .reference import ALL_CRIME, AREAS_BY_CODE, ASB, DISTRICT, force_of

WINDOW_MONTHS = 12
RATE_COLUMNS = ["code", "crime", "asb", "months_loaded", "population", "population_year", "crime_rate",
                "asb_rate", "compared", "reason", "synthetic"]


def loaded_districts(engine: Engine) -> tuple[str, ...]:
    """Districts whose force has any month loaded: the areas a funnel plot can compare."""
    return tuple(sorted(a.code for a in AREAS_BY_CODE.values()
                        if a.level == DISTRICT and loaded_months(engine, force_of(a.code))))


def window_for(engine: Engine, home: str) -> tuple[str, str] | None:
    """(first, last) month of the 12 months ending at the home district's latest loaded month."""
    if home not in AREAS_BY_CODE:
        return None
    last = latest_month(engine, force_of(home))
    if last is None:
        return None
    return periods.add_months(last, -(WINDOW_MONTHS - 1)), last


def window_rates(engine: Engine, codes: Sequence[str], first: str, last: str) -> pd.DataFrame:
    """One row per code: counts, months loaded in the window, population, rates per 1,000, and
    whether it is compared (every month loaded and a population known) or why not."""
    codes = list(dict.fromkeys(codes))
    known = [c for c in codes if c in AREAS_BY_CODE]
    crime = monthly_counts(engine, known, ALL_CRIME, first, last)
    asb = monthly_counts(engine, known, (ASB,), first, last)
    year = int(last[:4])
    estimates = population_table(engine, codes)
    window = periods.months_between(first, last)
    forces_loaded: dict[str, bool] = {}
    rows = []
    for code in codes:
        months = sorted(crime.loc[crime["area_code"] == code, "month"])
        population_year, population = population_for_year(estimates.get(code, []), year)
        crime_count = int(crime.loc[crime["area_code"] == code, "count"].sum())
        asb_count = int(asb.loc[asb["area_code"] == code, "count"].sum())
        synthetic = bool(crime.loc[crime["area_code"] == code, "is_synthetic"].any())
        reason = ""
        # Every December 2023 district of England and Wales is known: one whose force has nothing
        # loaded says so. A 2022 district merged into a unitary in April 2023 (Allerdale into
        # Cumberland, say) has no figures of its own: imports count its rows in the unitary.
        if code not in AREAS_BY_CODE:
            reason = "not a district since April 2023: counted in the unitary authority it joined"
        elif not forces_loaded.setdefault(force_of(code), bool(loaded_months(engine, force_of(code)))):
            reason = "no police.uk months loaded for the force"
        elif len(months) < len(window):
            missing = periods.months_list_in_words([m for m in window if m not in months])
            reason = f"{len(window) - len(months)} of the {len(window)} months not loaded ({missing})"
        elif not population:
            reason = "no population estimate"
        compared = reason == ""
        rows.append({
            "code": code, "crime": crime_count if compared else None, "asb": asb_count if compared else None,
            "months_loaded": len(months), "population": population, "population_year": population_year,
            "crime_rate": round(crime_count / population * 1000, 2) if compared else None,
            "asb_rate": round(asb_count / population * 1000, 2) if compared else None,
            "compared": compared, "reason": reason, "synthetic": synthetic,
        })
    frame = pd.DataFrame(rows, columns=RATE_COLUMNS)
    return frame.astype({"crime": "Int64", "asb": "Int64", "population": "Int64", "population_year": "Int64",
                         "crime_rate": "Float64", "asb_rate": "Float64"})
