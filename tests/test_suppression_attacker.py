"""An attacker on what the public is actually served (``/api/v1/series/<id>`` signed out):
it knows every shown value, that a value withheld as "fewer than 5" lies in 1..4 and one
withheld to protect another lies above 4, and the relations the product publishes
(categories summing to their total, districts to their county, quarters to their year).
For each withheld value, linear programming (SciPy, independent of the code under test)
finds the least and greatest values it can take; none may be narrower than 1..4 (a
protective one must not be fixed)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

from app import create_app
from queries.bootstrap import init_db
from queries.db import make_engine
from queries.importers.series import import_series

THRESHOLD = 4
OXFORDSHIRE = "E10000025"
DISTRICTS = ["E07000177", "E07000178", "E07000179", "E07000180", "E07000181"]
HEADER = "series_id,title,theme,unit,area_code,period,category,value,source,source_table,sensitive,note\n"


@pytest.fixture
def publish(tmp_path):
    """Store rows as a published sensitive series and return what the public is served."""
    url = f"sqlite:///{tmp_path / 'attack.sqlite'}"
    engine = make_engine(url)
    init_db(engine)
    client = create_app({"database_url": url}).server.test_client()

    def served(series_id: str, rows: list[tuple[str, str, str, int]]) -> list[dict]:
        path = tmp_path / f"{series_id}.csv"
        path.write_text(HEADER + "".join(f"{series_id},Sensitive,exploitation,count,{area},{period},{category},{value},"
                                         "Example,,yes,\n" for area, period, category, value in rows))
        import_series(engine, path, kind="published")
        response = client.get(f"/api/v1/series/{series_id}")
        assert response.status_code == 200
        return response.get_json()["values"]

    return served


def published_relations(values: list[dict]) -> list[list[int]]:
    """Every relation the public can see in the served rows: (whole, *parts) as row positions."""
    at = {(v["area_code"], v["period"], v["category"]): i for i, v in enumerate(values)}
    found = []
    keys = set(at)
    for area, period, category in keys:
        if category == "":  # categories of one area and period sum to its total
            parts = [at[k] for k in keys if k[0] == area and k[1] == period and k[2] != ""]
            if parts:
                found.append([at[(area, period, "")], *parts])
        if area == OXFORDSHIRE and all((d, period, category) in at for d in DISTRICTS):
            found.append([at[(area, period, category)], *(at[(d, period, category)] for d in DISTRICTS)])
        if period.isdigit() and all((area, f"{period}-Q{q}", category) in at for q in range(1, 5)):
            found.append([at[(area, period, category)], *(at[(area, f"{period}-Q{q}", category)] for q in range(1, 5))])
    return found


def narrowed(values: list[dict]) -> list[tuple]:
    """The withheld values the attacker pins tighter than the public's bounds, with their intervals."""
    relations = published_relations(values)
    equations = np.zeros((len(relations), len(values)))
    for row, (whole, *parts) in enumerate(relations):
        equations[row, whole] = 1
        equations[row, parts] = -1
    bounds = []
    for v in values:
        if not v["suppressed"]:
            bounds.append((v["value"], v["value"]))
        elif v.get("withheld", "fewer than 5") == "fewer than 5":
            bounds.append((1, THRESHOLD))
        else:
            bounds.append((THRESHOLD + 1, None))
    found = []
    for i, v in enumerate(values):
        if not v["suppressed"]:
            continue
        objective = np.zeros(len(values))
        objective[i] = 1
        low = linprog(objective, A_eq=equations, b_eq=np.zeros(len(relations)), bounds=bounds)
        high = linprog(-objective, A_eq=equations, b_eq=np.zeros(len(relations)), bounds=bounds)
        assert low.status == 0, "the served figures contradict their own labels"
        least, most = low.fun, (-high.fun if high.status == 0 else float("inf"))
        small = bounds[i] == (1, THRESHOLD)
        if (small and (least > 1 + 1e-6 or most < THRESHOLD - 1e-6)) or (not small and most - least < 1e-6):
            found.append((v["area_code"], v["period"], v["category"], round(least, 3), round(most, 3)))
    return found


def test_a_total_of_12_with_10_shown_does_not_pin_its_two_withheld_ones(publish):
    values = publish("total-12", [("E07000178", "2024", "", 12), ("E07000178", "2024", "a", 10),
                                  ("E07000178", "2024", "b", 1), ("E07000178", "2024", "c", 1)])
    assert narrowed(values) == []
    assert [v["value"] for v in values if not v["suppressed"]] == [12]


def test_a_total_of_16_with_8_shown_does_not_pin_4_and_4(publish):
    values = publish("total-16", [("E07000178", "2024", "", 16), ("E07000178", "2024", "a", 8),
                                  ("E07000178", "2024", "b", 4), ("E07000178", "2024", "c", 4)])
    assert narrowed(values) == []


def test_a_year_of_20_with_three_quarters_shown_does_not_give_the_fourth(publish):
    rows = [("E07000178", "2024", "", 20)] + [("E07000178", f"2024-Q{q}", "", v) for q, v in zip(range(1, 5), (6, 5, 6, 3))]
    values = publish("year-20", rows)
    assert narrowed(values) == []
    assert any(v["suppressed"] for v in values if v["period"] == "2024-Q4")


@pytest.mark.parametrize("seed", range(6))
def test_a_county_table_by_category_and_quarter_reveals_nothing_narrower(publish, seed):
    # Five districts and their county, three categories and a total, four quarters and the
    # year: small counts, so that many relations cross.
    rng = np.random.default_rng(seed)
    cells = {(d, q, c): int(rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 11, 15, 30]))
             for d in DISTRICTS for q in range(1, 5) for c in "abc"}
    rows = []
    for area in [*DISTRICTS, OXFORDSHIRE]:
        members = DISTRICTS if area == OXFORDSHIRE else [area]
        for q in [*range(1, 5), None]:
            quarters = range(1, 5) if q is None else [q]
            period = "2024" if q is None else f"2024-Q{q}"
            for c in ["a", "b", "c"]:
                rows.append((area, period, c, sum(cells[(d, qq, c)] for d in members for qq in quarters)))
            rows.append((area, period, "", sum(cells[(d, qq, c)] for d in members for qq in quarters for c in "abc")))
    values = publish(f"county-{seed}", rows)
    assert narrowed(values) == []
    # Every count from 1 to 4 is withheld as "fewer than 5".
    served = {(v["area_code"], v["period"], v["category"]): v for v in values}
    for area, period, category, value in rows:
        if 1 <= value <= THRESHOLD:
            assert served[(area, period, category)]["withheld"] == "fewer than 5"


def test_counts_beside_a_withheld_value_print_as_whole_numbers(publish):
    # A withheld value (null) once turned every value of the column into a float: "20.0".
    values = publish("whole", [("E07000178", "2024", "", 20), ("E07000178", "2024", "a", 2),
                               ("E07000178", "2024", "b", 9), ("E07000178", "2024", "c", 9)])
    shown = [v["value"] for v in values if not v["suppressed"]]
    assert shown and all(type(v) is int for v in shown)
