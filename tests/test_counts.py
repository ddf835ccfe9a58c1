"""Count queries against hand calculations: grains, rolling sums, rates and change."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy.stats import binomtest

from queries import periods
from queries.counts import CHANGE_COLUMNS, COUNT_COLUMNS, change_between, counts, monthly_counts
from queries.reference import ASB, OXFORD, OXFORDSHIRE, THAMES_VALLEY

from .helpers import seed_counts

CHERWELL = "E07000177"
OXFORD_POPULATION = 151584  # ONS mid-2020, shipped in data/population


MONTHS = periods.months_between("2022-01", "2024-03")
VALUES = {m: i + 1 for i, m in enumerate(MONTHS)}  # 1, 2, 3, ... so every sum is checkable


def test_month_grain_returns_each_month(engine):
    seed_counts(engine, VALUES)
    frame = counts(engine, [OXFORD], start="2023-01", end="2023-03")
    assert frame["period"].tolist() == ["2023-01", "2023-02", "2023-03"]
    assert frame["count"].tolist() == [13, 14, 15]


def test_financial_year_runs_april_to_march(engine):
    seed_counts(engine, VALUES)
    frame = counts(engine, [OXFORD], grain=periods.FINANCIAL_YEAR)
    fy = frame.set_index("period")
    # 2022/23 = April 2022 (value 4) to March 2023 (value 15).
    assert fy.loc["2022/23", "count"] == sum(range(4, 16))
    assert fy.loc["2022/23", "first_month"] == "2022-04" and fy.loc["2022/23", "last_month"] == "2023-03"
    assert bool(fy.loc["2022/23", "complete"]) is True
    # 2021/22 holds only January to March 2022 of the loaded months.
    assert fy.loc["2021/22", "count"] == 1 + 2 + 3
    assert fy.loc["2021/22", "months"] == 3 and bool(fy.loc["2021/22", "complete"]) is False


def test_quarter_and_calendar_year(engine):
    seed_counts(engine, VALUES)
    quarters = counts(engine, [OXFORD], grain=periods.QUARTER).set_index("period")
    assert quarters.loc["2023-Q2", "count"] == 16 + 17 + 18
    years = counts(engine, [OXFORD], grain=periods.CALENDAR_YEAR).set_index("period")
    assert years.loc["2022", "count"] == sum(range(1, 13))
    assert years.loc["2024", "months"] == 3


def test_rolling_12_is_the_sum_of_the_last_12_months(engine):
    seed_counts(engine, VALUES)
    frame = counts(engine, [OXFORD], grain=periods.ROLLING_12)
    rolling = frame.set_index("period")["count"]
    # The first full window ends in December 2022.
    assert rolling.index[0] == "2022-12"
    assert rolling["2022-12"] == sum(range(1, 13))
    assert rolling["2024-03"] == sum(range(16, 28))
    # Asking from a later month still sums 12 months that start before it.
    later = counts(engine, [OXFORD], start="2024-01", grain=periods.ROLLING_12)
    assert later["period"].tolist() == ["2024-01", "2024-02", "2024-03"]
    assert later["count"].tolist() == [sum(range(14, 26)), sum(range(15, 27)), sum(range(16, 28))]


def test_rate_is_count_over_population_times_1000(engine):
    seed_counts(engine, {"2020-01": 303, "2023-01": 303})
    rows = counts(engine, [OXFORD]).set_index("period")
    # Each year's rate uses the estimate for its own year, or the nearest one.
    assert rows.loc["2020-01", "population"] == OXFORD_POPULATION and rows.loc["2020-01", "population_year"] == 2020
    assert rows.loc["2020-01", "rate_per_1000"] == pytest.approx(303 / OXFORD_POPULATION * 1000)
    assert rows.loc["2023-01", "population"] == 163257 and rows.loc["2023-01", "population_year"] == 2022
    assert rows.loc["2023-01", "rate_per_1000"] == pytest.approx(303 / 163257 * 1000)


def test_each_period_uses_the_population_estimate_of_its_year(engine, tmp_path):
    # Two estimates loaded (shipped mid-2020 and an imported mid-2023): as the README says, a
    # period uses the latest estimate not after its year, so 2021 still uses 2020's.
    from queries.importers.population import import_population

    path = tmp_path / "mid-2023.csv"
    path.write_text("code,population\nE07000178,165200\n")
    import_population(engine, path, year=2023, source="test")
    seed_counts(engine, {"2021-06": 300, "2023-06": 330, "2024-06": 340})
    rows = counts(engine, [OXFORD]).set_index("period")
    assert rows.loc["2021-06", "population_year"] == 2020 and rows.loc["2021-06", "population"] == OXFORD_POPULATION
    assert rows.loc["2021-06", "rate_per_1000"] == pytest.approx(300 / 151584 * 1000)
    assert rows.loc["2023-06", "population_year"] == 2023 and rows.loc["2023-06", "population"] == 165200
    assert rows.loc["2023-06", "rate_per_1000"] == pytest.approx(330 / 165200 * 1000)
    assert rows.loc["2024-06", "population_year"] == 2023  # no 2024 estimate yet: the newest before it
    years = counts(engine, [OXFORD], grain=periods.CALENDAR_YEAR).set_index("period")
    assert years.loc["2021", "rate_per_1000"] == pytest.approx(300 / 151584 * 1000)
    assert years.loc["2023", "rate_per_1000"] == pytest.approx(330 / 165200 * 1000)


def test_county_is_the_sum_of_its_districts(engine):
    seed_counts(engine, {"2023-01": 10})
    seed_counts(engine, {"2023-01": 7}, district=CHERWELL)
    frame = counts(engine, [OXFORD, OXFORDSHIRE, THAMES_VALLEY]).set_index("area_code")
    assert frame.loc[OXFORDSHIRE, "count"] == 17
    assert frame.loc[THAMES_VALLEY, "count"] == 17
    assert frame.loc[OXFORDSHIRE, "rate_per_1000"] == pytest.approx(17 / 738276 * 1000)  # mid-2022


def test_unloaded_months_are_missing_and_loaded_empty_months_are_zero(engine):
    seed_counts(engine, {"2023-01": 5, "2023-03": 6})
    seed_counts(engine, {"2023-02": 4}, district=CHERWELL)  # February loaded, none in Oxford
    frame = counts(engine, [OXFORD], start="2022-12", end="2023-04")
    assert frame["period"].tolist() == ["2023-01", "2023-02", "2023-03"]
    assert frame["count"].tolist() == [5, 0, 6]


def test_crime_types_default_to_all_crime_excluding_asb(engine):
    seed_counts(engine, {"2023-01": 5})
    seed_counts(engine, {"2023-01": 50}, crime_type=ASB)
    assert counts(engine, [OXFORD])["count"].tolist() == [5]
    assert counts(engine, [OXFORD], [ASB])["count"].tolist() == [50]
    assert counts(engine, [OXFORD], [ASB, "burglary"])["count"].tolist() == [55]
    by_type = monthly_counts(engine, [OXFORD], [ASB, "burglary"], by_crime_type=True)
    assert dict(zip(by_type["crime_type"], by_type["count"])) == {ASB: 50, "burglary": 5}


def test_empty_results_keep_their_columns(engine):
    frame = counts(engine, [OXFORD], start="2030-01")
    assert frame.empty and list(frame.columns) == COUNT_COLUMNS
    assert str(frame["count"].dtype) == "int64"
    change = change_between(engine, [OXFORD], ("2030-01", "2030-12"), ("2031-01", "2031-12"))
    assert change.empty and list(change.columns) == CHANGE_COLUMNS


def test_change_between_two_periods_with_exact_test(engine):
    seed_counts(engine, {**{f"2022-{m:02d}": 10 for m in range(1, 13)}, **{f"2023-{m:02d}": 12 for m in range(1, 13)}})
    row = change_between(engine, [OXFORD], ("2022-01", "2022-12"), ("2023-01", "2023-12")).iloc[0]
    assert (row["previous_count"], row["current_count"], row["change"]) == (120, 144, 24)
    assert row["percent_change"] == pytest.approx(20.0)
    # The exact conditional test: given 264 crimes, is 144 in the second year a fair coin's share?
    assert row["p_value"] == pytest.approx(binomtest(144, 264, 0.5).pvalue)
    assert row["p_value"] == pytest.approx(0.157, abs=0.001)
    assert bool(row["comparable"]) is True
    assert not row["significant"]  # p = 0.157: a rise of 20% this small is not significant


def test_a_large_change_is_significant_and_a_small_one_is_not(engine):
    seed_counts(engine, {**{f"2022-{m:02d}": 10 for m in range(1, 13)}, **{f"2023-{m:02d}": 15 for m in range(1, 13)}})
    seed_counts(engine, {**{f"2022-{m:02d}": 4 for m in range(1, 13)}, **{f"2023-{m:02d}": 4 for m in range(1, 13)}},
                district=CHERWELL)
    change = change_between(engine, [OXFORD, CHERWELL], ("2022-01", "2022-12"), ("2023-01", "2023-12"))
    change = change.set_index("area_code")
    # Oxford 120 -> 180: SciPy's exact binomial test gives p < 0.001.
    assert binomtest(180, 300, 0.5).pvalue < 0.001
    assert change.loc[OXFORD, "p_value"] == pytest.approx(binomtest(180, 300, 0.5).pvalue)
    assert bool(change.loc[OXFORD, "significant"]) is True
    # Cherwell 48 -> 48: no change at all.
    assert change.loc[CHERWELL, "p_value"] == pytest.approx(1.0)
    assert bool(change.loc[CHERWELL, "significant"]) is False


def test_change_is_not_computed_when_a_period_is_not_fully_loaded(engine):
    seed_counts(engine, {"2023-01": 10, "2023-02": 12})
    row = change_between(engine, [OXFORD], ("2022-01", "2022-12"), ("2023-01", "2023-12")).iloc[0]
    assert bool(row["comparable"]) is False
    assert pd.isna(row["percent_change"]) and pd.isna(row["p_value"]) and not row["significant"]
