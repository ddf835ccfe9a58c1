"""Published recorded crime beside police.uk's own count for 2021: the sentence gives
police.uk's count, and a synthetic demo count is named as made up, never as police.uk's."""

from __future__ import annotations

from sqlalchemy import update

from dashboard.chart_data import crime
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.spec import Reader
from queries import periods
from queries.reference import OXFORD
from queries.schema import incident_count, loaded_month

from .helpers import seed_counts

# The published 2021 and 2020 totals for Oxford (OSCP Rolling Plan 2022-23, Table 1).
PUBLISHED_2021, PUBLISHED_2020 = 15964, 14490


class _Direct:
    def __init__(self, engine):
        self.engine = engine

    def get(self, function, *args):
        return function(self.engine, *args)


def _seed(engine):
    monthly = {m: 1000 + i for i, m in enumerate(periods.months_between("2020-01", "2021-12"))}
    seed_counts(engine, monthly)
    return sum(v for m, v in monthly.items() if m.startswith("2021"))  # 12,000 + 12..23 = 12,210


def test_police_uk_counts_are_named_as_such(engine):
    held = _seed(engine)
    view = crime.published_view(Reader(_Direct(engine)), Filters(areas=(OXFORD,)))
    change = (PUBLISHED_2021 - PUBLISHED_2020) / PUBLISHED_2020 * 100
    assert held == 12210
    # Two published years cannot show whether the change is more than the usual difference
    # between years, and the sentence says so rather than giving a verdict.
    assert view.summary == (f"Oxford: 15,964 crimes recorded in 2021 as published, up {change:.0f}% on 2020, too few "
                            "earlier years to tell that from the usual difference between years; police.uk street-level "
                            "data holds 12,210.")
    assert "usually run below the published ones" in view.caption
    assert set(view.frame["category"]) >= {"2021 published", "2021 data.police.uk"}


def test_synthetic_counts_are_never_called_police_uks(engine):
    _seed(engine)
    with engine.begin() as conn:
        conn.execute(update(incident_count).values(is_synthetic=True))
        conn.execute(update(loaded_month).values(is_synthetic=True))  # as the demo loader marks its months
    view = crime.published_view(Reader(_Direct(engine)), Filters(areas=(OXFORD,)))
    assert "police.uk street-level data holds" not in view.summary
    assert view.summary.endswith("; the synthetic demo data holds 12,210, a made-up figure.")
    assert "made up: they say nothing of the published figures" in view.caption
    assert "2021 synthetic demo" in set(view.frame["category"]) and "2021 data.police.uk" not in set(view.frame["category"])
