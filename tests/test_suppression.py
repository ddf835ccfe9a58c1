"""Small-number suppression: no value from 1 to the threshold survives, none can be derived."""

from __future__ import annotations

import pandas as pd

from queries.suppression import suppress


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
