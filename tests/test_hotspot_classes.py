"""Hotspot classes, the missing-month rule and "what changed", on planted cases.

Expected values come from the planted counts and from SciPy's own tests (``binomtest``,
``poisson``), never from the functions under test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest, false_discovery_control, poisson

from queries import periods
from queries.hotspot_tests import EMERGING, FADING, NEW, PERSISTENT, high_flags
from queries.hotspots import LOCATION, LSOA, changes_between, coverage_of, rank_places

BASELINE = periods.months_between("2023-01", "2023-12")
NOW = "2024-01"
UNITS = 200


def frame(counts: dict[int, dict[str, int]]) -> pd.DataFrame:
    """Place-month counts with each place's details, as ``rank_places`` takes them; place i lies
    in LSOA i // 10."""
    rows = [
        (place_id, month, n, f"On or near Street {place_id}", f"E0100{place_id // 10:04d}",
         f"Oxford {place_id // 10:03d}A", -1.25 + place_id * 1e-3, 51.75)
        for place_id, months in counts.items() for month, n in months.items() if n
    ]
    return pd.DataFrame(rows, columns=["place_id", "month", "count", "name", "lsoa_code", "lsoa_name",
                                       "longitude", "latitude"])


def background() -> dict[int, dict[str, int]]:
    """200 places with an incident now and then: about 0.2 a month each."""
    return {i: {m: 1 for k, m in enumerate([*BASELINE, NOW]) if (i + k) % 5 == 0} for i in range(10, UNITS)}


def planted() -> pd.DataFrame:
    counts = background()
    counts[0] = {**{m: 8 for m in BASELINE}, NOW: 9}  # high every month and now, a little above usual
    counts[1] = {**{m: 8 for m in BASELINE}, NOW: 3}  # high before, below its usual level now
    counts[2] = {**{m: 8 for m in BASELINE}, NOW: 0}  # high before, nothing now
    counts[3] = {NOW: 7}  # nothing before, high now
    counts[4] = {BASELINE[3]: 6, BASELINE[8]: 6, NOW: 12}  # high in two baseline months, far above usual now
    counts[5] = {NOW: 2}  # two incidents where there were none: not enough to be high
    counts[6] = {**{m: 8 for m in BASELINE}, NOW: 7}  # persistent place a little below its usual level
    return frame(counts)


def by_place(result: pd.DataFrame) -> dict[str, str]:
    return dict(zip(result["place_code"], result["class"]))


def test_each_class_on_planted_places():
    result = rank_places(planted(), NOW, NOW, 12, LOCATION, [*BASELINE, NOW], units=UNITS)
    classes = by_place(result)
    assert classes["0"] == PERSISTENT
    assert classes["2"] == FADING
    assert classes["3"] == NEW
    assert classes["4"] == EMERGING
    assert classes["5"] == ""
    # Below its usual level is never a hotspot, however busy the place is.
    assert classes["1"] == "" and classes["6"] == ""
    assert set(classes.values()) <= {PERSISTENT, FADING, NEW, EMERGING, ""}
    # Background places are never classed.
    assert all(c == "" for code, c in classes.items() if int(code) >= 10)


def test_usual_level_and_tests_against_scipy():
    result = rank_places(planted(), NOW, NOW, 12, LOCATION, [*BASELINE, NOW], units=UNITS).set_index("place_code")
    row = result.loc["4"]
    assert row["baseline_mean"] == pytest.approx(12 / 12)
    assert row["p_value"] == pytest.approx(binomtest(12, 24, 1 / 13, alternative="greater").pvalue)
    assert row["high_months"] == 2
    # Place 2 had nothing this period: it is listed only because it is fading.
    assert result.loc["2", "count"] == 0
    assert (result.drop(index="2")["count"] > 0).all()


def test_high_in_a_month_is_an_fdr_corrected_poisson_test():
    counts = np.array([[0], [1], [2], [5]])
    flags = high_flags(counts, np.array([40]), units=200)
    # By hand: mean per place 0.2; p-values of the four places, the other 196 places are 1.
    p = np.concatenate([[1.0, poisson.sf(0, 0.2), poisson.sf(1, 0.2), poisson.sf(4, 0.2)], np.ones(196)])
    q = false_discovery_control(p, method="bh")[:4]
    assert flags[:, 0].tolist() == (q < 0.05).tolist() == [False, False, False, True]


def test_half_the_baseline_months_must_be_loaded():
    data = planted()
    loaded_six = BASELINE[6:] + [NOW]  # 6 of 12: classed
    six = rank_places(data, NOW, NOW, 12, LOCATION, loaded_six, units=UNITS).set_index("place_code")
    assert coverage_of(NOW, NOW, 12, loaded_six).classed
    assert six.loc["0", "baseline_mean"] == pytest.approx(8.0)  # 48 over the 6 loaded months, not 48 / 12
    assert six.loc["0", "baseline_months_loaded"] == 6
    assert six.loc["0", "baseline_count"] == 48  # months that are not loaded are never counted
    assert six.loc["0", "class"] == PERSISTENT

    loaded_five = BASELINE[7:] + [NOW]  # 5 of 12: no class for anyone
    five = rank_places(data, NOW, NOW, 12, LOCATION, loaded_five, units=UNITS).set_index("place_code")
    coverage = coverage_of(NOW, NOW, 12, loaded_five)
    assert not coverage.classed
    assert (five["class"] == "").all()
    assert five["p_value"].isna().all()
    assert five.loc["0", "baseline_mean"] == pytest.approx(8.0)
    assert coverage.missing == tuple(BASELINE[:7])
    assert "January to July 2023" in coverage.note() and "No place is classed" in coverage.note()


def test_a_period_that_is_not_loaded_gives_no_class():
    coverage = coverage_of(NOW, NOW, 12, BASELINE)
    assert coverage.recent_missing == (NOW,) and not coverage.classed
    result = rank_places(planted(), NOW, NOW, 12, LOCATION, BASELINE, units=UNITS)
    assert result.empty or (result["class"] == "").all()
    assert "January 2024" in coverage.note()


def test_lsoa_level_uses_the_same_rule_and_names_the_busiest_street():
    result = rank_places(planted(), NOW, NOW, 12, LSOA, [*BASELINE, NOW], units=UNITS // 10).set_index("place_code")
    first = result.loc["E01000000"]  # places 0-9
    assert first["count"] == 9 + 3 + 0 + 7 + 12 + 2 + 7
    assert first["street"] == "On or near Street 4"  # 12 this period
    assert first["baseline_mean"] == pytest.approx((8 * 12 * 4 + 12) / 12)


def test_changes_list_only_significant_ones_by_size():
    before, now = "2023-12", "2024-01"
    data = frame({
        1: {before: 10, now: 30},  # up 20
        2: {before: 20, now: 2},  # down 18
        3: {before: 1, now: 3},  # up 2, not significant
        4: {before: 5, now: 5},  # tie
        5: {now: 1},  # one against none
    })
    changes = changes_between(data, now, now, LOCATION, [before, now])
    assert changes["place_code"].tolist() == ["1", "2"]
    assert changes["change"].tolist() == [20, -18]
    assert changes["p_value"].tolist() == pytest.approx([binomtest(30, 40, 0.5).pvalue, binomtest(2, 22, 0.5).pvalue])
    # The period before not loaded: no changes are claimed.
    assert changes_between(data, now, now, LOCATION, [now]).empty
