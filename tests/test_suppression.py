"""Small-number suppression: no value from 1 to the threshold survives, none can be derived."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from queries.suppression import suppress, suppress_then_select

OXFORDSHIRE = "E10000025"
DISTRICTS = ["E07000177", "E07000178", "E07000179", "E07000180", "E07000181"]  # all five of Oxfordshire's
CATEGORIES = ["a", "b", "c"]


def frame(rows):
    return pd.DataFrame(rows, columns=["series_id", "area_code", "period", "category", "value", "unit", "sensitive"])


def test_primary_suppression_of_one_to_four_but_not_zero_or_five():
    result = suppress(frame([
        ("s", "E07000178", "2021", c, v, "count", True) for c, v in (("a", 0), ("b", 1), ("c", 4), ("d", 5))
    ]))
    assert result["suppressed"].tolist() == [False, True, True, False]
    assert result["value"].isna().tolist() == [False, True, True, False]


def test_series_not_marked_sensitive_are_untouched():
    result = suppress(frame([("s", "E07000178", "2021", "", 2, "count", False), ("p", "E07000178", "2021", "", 3, "percent", True)]))
    assert not result["suppressed"].any()


def test_a_lone_suppressed_category_beside_a_total_takes_another_with_it():
    result = suppress(frame([
        ("s", "E07000178", "2021", "", 30, "count", True),
        ("s", "E07000178", "2021", "a", 3, "count", True),
        ("s", "E07000178", "2021", "b", 12, "count", True),
        ("s", "E07000178", "2021", "c", 15, "count", True),
    ]))
    assert result["suppressed"].tolist() == [False, True, True, False]  # b (the smallest shown) goes too


def test_a_county_with_all_its_districts_hides_a_second_district():
    districts = {"E07000177": 20, "E07000178": 2, "E07000179": 9, "E07000180": 11, "E07000181": 8}
    rows = [("s", code, "2021", "", v, "count", True) for code, v in districts.items()]
    rows.append(("s", "E10000025", "2021", "", sum(districts.values()), "count", True))
    result = suppress(frame(rows)).set_index("area_code")["suppressed"]
    assert result["E07000178"] and result["E07000181"]  # 2 primary; 8, the smallest shown, secondary
    assert result.sum() == 2


def test_no_suppressed_value_can_be_recovered_by_subtraction():
    # Brute force: for every relation (total = sum of parts), no part is alone unknown.
    rows = [("s", "E07000178", "2021", "", 16, "count", True)]
    rows += [("s", "E07000178", "2021", c, v, "count", True) for c, v in zip("abcd", (1, 5, 0, 10))]
    result = suppress(frame(rows))
    unknown = result.loc[result["category"] != "", "suppressed"]
    assert unknown.sum() != 1
    assert derivable(result, [list(result.index)]) == []


def derivable(result: pd.DataFrame, relations: list[list]) -> list:
    """Withheld rows whose value an attacker can work out from what is shown.

    Independent of the code under test: each relation lists row labels, the first being the
    sum of the rest. For each withheld value, linear programming (SciPy) finds the least and
    greatest values it can take, given every shown value and non-negative counts; when they
    meet, the value is revealed."""
    labels = list(result.index)
    at = {label: i for i, label in enumerate(labels)}
    equations = np.zeros((len(relations), len(labels)))
    for row, members in enumerate(relations):
        equations[row, at[members[0]]] = 1
        for label in members[1:]:
            equations[row, at[label]] = -1
    bounds = [(0, None) if hidden else (value, value)
              for value, hidden in zip(result["value"], result["suppressed"])]
    revealed = []
    for label in result.index[result["suppressed"]]:
        objective = np.zeros(len(labels))
        objective[at[label]] = 1
        low = linprog(objective, A_eq=equations, b_eq=np.zeros(len(relations)), bounds=bounds)
        high = linprog(-objective, A_eq=equations, b_eq=np.zeros(len(relations)), bounds=bounds)
        assert low.status == 0
        if high.status == 0 and high.fun * -1 - low.fun < 1e-6:
            revealed.append(label)
    return revealed


def county_table(values: dict) -> pd.DataFrame:
    """A sensitive count series: Oxfordshire and its five districts, three categories and a
    total per area, the county the sum of its districts, each total the sum of its categories."""
    rows = []
    for area in [*DISTRICTS, OXFORDSHIRE]:
        for category in CATEGORIES:
            value = values[(area, category)] if area != OXFORDSHIRE else sum(values[(d, category)] for d in DISTRICTS)
            rows.append(("s", area, "2023/24", category, value, "count", True))
        area_total = sum(r[4] for r in rows if r[1] == area)
        rows.append(("s", area, "2023/24", "", area_total, "count", True))
    return frame(rows)


def county_relations(table: pd.DataFrame) -> list[list]:
    at = {(r.area_code, r.category): i for i, r in enumerate(table.itertuples())}
    by_area = [[at[(area, "")], *(at[(area, c)] for c in CATEGORIES)] for area in [*DISTRICTS, OXFORDSHIRE]]
    by_category = [[at[(OXFORDSHIRE, c)], *(at[(d, c)] for d in DISTRICTS)] for c in ["", *CATEGORIES]]
    return by_area + by_category


def random_values(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    # Mostly small counts, so that many are withheld and secondary suppression has work to do.
    return {(d, c): int(rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 11, 15, 30])) for d in DISTRICTS for c in CATEGORIES}


@pytest.mark.parametrize("seed", range(40))
def test_a_county_with_all_districts_and_categories_shown_reveals_nothing_by_subtraction(seed):
    table = county_table(random_values(seed))
    result = suppress(table)
    primary = (table["value"] >= 1) & (table["value"] <= 4)
    assert result.loc[primary, "suppressed"].all()
    assert derivable(result, county_relations(table)) == []


def test_a_table_needing_several_rounds_of_secondary_suppression_reveals_nothing():
    # Each district has one small count in a different category: withholding one value per
    # relation exposes the next relation, so one round is not enough.
    values = {(d, c): 20 for d in DISTRICTS for c in CATEGORIES}
    values[(DISTRICTS[0], "a")] = 2
    values[(DISTRICTS[1], "b")] = 3
    values[(DISTRICTS[2], "c")] = 9
    values[(DISTRICTS[3], "a")] = 10
    values[(DISTRICTS[1], "c")] = 11
    table = county_table(values)
    result = suppress(table)
    assert derivable(result, county_relations(table)) == []


def test_a_county_and_four_of_its_five_districts_do_not_reveal_the_fifth():
    values = {(d, c): 20 for d in DISTRICTS for c in CATEGORIES}
    values[(DISTRICTS[4], "a")] = 2  # the district left out of the request
    table = county_table(values)
    shown = suppress_then_select(table, [OXFORDSHIRE, *DISTRICTS[:4]])
    assert DISTRICTS[4] not in set(shown["area_code"])
    category_a = shown[shown["category"] == "a"].set_index("area_code")
    # County minus the four districts would be the fifth's 2: one of those five is withheld.
    assert category_a["suppressed"].any()
    # And with the fifth district's row unknown, nothing in the whole table can be worked out.
    whole = suppress(table)
    assert derivable(whole, county_relations(table)) == []
