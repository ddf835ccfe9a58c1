"""Hotspot classes, the missing-month rule and "what changed", on planted cases.

Expected values come from the planted counts, from SciPy's own tests (``binomtest``) and
from statsmodels' ``multipletests``, never from the functions under test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest
from statsmodels.stats.multitest import multipletests

from queries import periods
from queries.current_lsoas import current_lsoas
from queries.hotspot_tests import (
    BUSY,
    EMERGING,
    FADING,
    NEW,
    PERSISTENT,
    STEADY,
    TOO_FEW,
    busiest,
    concentration,
    smallest_total,
)
from queries.hotspots import LOCATION, LSOA, changes_between, coverage_of, rank_places

BASELINE = periods.months_between("2023-01", "2023-12")
NOW = "2024-01"
LOADED = [*BASELINE, NOW]


def frame(counts: dict[int, dict[str, int]], lsoa_of=None) -> pd.DataFrame:
    """Place-month counts with each place's details, as ``rank_places`` takes them; place i lies
    in LSOA i // 10 (or ``lsoa_of(i)``: code and name)."""
    lsoa_of = lsoa_of or (lambda i: (f"E0100{i // 10:04d}", f"Oxford {i // 10:03d}A"))
    rows = [
        (place_id, month, n, f"On or near Street {place_id}", *lsoa_of(place_id), -1.25 + place_id * 1e-3, 51.75)
        for place_id, months in counts.items() for month, n in months.items() if n
    ]
    return pd.DataFrame(rows, columns=["place_id", "month", "count", "name", "lsoa_code", "lsoa_name",
                                       "longitude", "latitude"])


def background() -> dict[int, dict[str, int]]:
    """190 places with an incident now and then: about 0.2 a month each."""
    return {i: {m: 1 for k, m in enumerate(LOADED) if (i + k) % 5 == 0} for i in range(20, 210)}


def planted() -> dict[int, dict[str, int]]:
    counts = background()
    counts[0] = {**{m: 8 for m in BASELINE}, NOW: 9}  # busy every month and now, about as usual
    counts[1] = {**{m: 8 for m in BASELINE}, NOW: 1}  # busy before, far below its usual level now
    counts[2] = {**{m: 8 for m in BASELINE}, NOW: 0}  # busy before, nothing now
    counts[3] = {NOW: 7}  # nothing before, 7 now
    counts[4] = {BASELINE[3]: 6, BASELINE[8]: 6, NOW: 12}  # 12 in the baseline, 12 now: far above usual
    counts[5] = {NOW: 1}  # one incident where there were none: too few for any test
    counts[6] = {**{m: 8 for m in BASELINE}, NOW: 7}  # busy place a little below its usual level
    counts[7] = {**{m: 1 for m in BASELINE}, NOW: 3}  # incidents in every baseline month, 3 now: not new
    counts[8] = {BASELINE[0]: 1, BASELINE[5]: 1, NOW: 3}  # p < 0.05 but not q < 0.05: busy now, never emerging
    counts[9] = {NOW: 4}  # none before, 4 now: significant even so
    return counts


def by_place(result: pd.DataFrame) -> dict[str, str]:
    return dict(zip(result["place_code"], result["class"]))


def independent_q(counts: dict[int, dict[str, int]], share: float) -> dict[str, tuple[float, float]]:
    """p and q above the usual level for every place the test can speak for, by SciPy and statsmodels."""
    smallest = next(n for n in range(1, 100) if share ** n < 0.05)
    codes, p = [], []
    for place_id, months in counts.items():
        now = months.get(NOW, 0)
        before = sum(v for m, v in months.items() if m in BASELINE)
        if now + before >= smallest:
            codes.append(str(place_id))
            p.append(binomtest(now, now + before, share, alternative="greater").pvalue if now else 1.0)
    q = multipletests(p, method="fdr_bh")[1]
    return {code: (pv, qv) for code, pv, qv in zip(codes, p, q)}


def test_each_class_on_planted_places():
    result = rank_places(frame(planted()), NOW, NOW, 12, LOCATION, LOADED)
    classes = by_place(result)
    assert classes["0"] == PERSISTENT and classes["6"] == PERSISTENT
    assert classes["1"] == FADING and classes["2"] == FADING
    assert classes["3"] == NEW
    assert classes["4"] == EMERGING
    assert classes["5"] == TOO_FEW
    assert classes["7"] == PERSISTENT  # in every baseline month: never "new", whatever its count now
    assert classes["8"] == BUSY
    assert classes["9"] == NEW
    # Background places are never hotspots.
    assert {c for code, c in classes.items() if int(code) >= 20} <= {STEADY, TOO_FEW}


def test_p_and_q_above_the_usual_level_match_scipy_and_statsmodels():
    counts = planted()
    result = rank_places(frame(counts), NOW, NOW, 12, LOCATION, LOADED).set_index("place_code")
    expected = independent_q(counts, 1 / 13)
    tested = result[result["p_value"].notna()]
    # The family holds every place the test can speak for, those with none now (p = 1, not listed) too.
    assert set(tested.index) == set(expected) & set(result.index)
    assert len(expected) > len(tested)
    for code, (p, q) in expected.items():
        if code not in tested.index:
            continue
        assert tested.loc[code, "p_value"] == pytest.approx(p, rel=1e-9)
        assert tested.loc[code, "q_value"] == pytest.approx(q, rel=1e-9)
    # Emerging and new are judged on q, never on p: place 8 passes on p alone and is not emerging.
    p8, q8 = expected["8"]
    assert p8 < 0.05 <= q8
    rising = {code for code, (_, q) in expected.items() if q < 0.05}
    assert set(result.index[result["class"].isin([NEW, EMERGING])]) == rising
    assert result.loc["5", "p_value"] != result.loc["5", "p_value"]  # NaN: outside the family


def test_p_and_q_below_the_usual_level_match_scipy_and_statsmodels():
    counts = planted()
    result = rank_places(frame(counts), NOW, NOW, 12, LOCATION, LOADED).set_index("place_code")
    below = {str(i): (m.get(NOW, 0), sum(v for k, v in m.items() if k in BASELINE)) for i, m in counts.items()}
    family = {code: nb for code, nb in below.items() if sum(nb) >= 38}  # (12/13) ** 38 < 0.05 <= (12/13) ** 37
    assert (12 / 13) ** 38 < 0.05 <= (12 / 13) ** 37
    p = [binomtest(k, k + b, 1 / 13, alternative="less").pvalue for k, b in family.values()]
    q = multipletests(p, method="fdr_bh")[1]
    for code, pv, qv in zip(family, p, q):
        assert result.loc[code, "p_below"] == pytest.approx(pv, rel=1e-9)
        assert result.loc[code, "q_below"] == pytest.approx(qv, rel=1e-9)
    assert result["p_below"].notna().sum() == len(family)


def test_smallest_count_the_test_can_speak_for():
    for share in (1 / 13, 3 / 15, 0.5, 12 / 13, 1 / 4):
        brute = next(n for n in range(1, 500) if share ** n < 0.05)
        assert smallest_total(share) == brute


def test_busiest_never_names_more_than_its_share_and_concentration_by_hand():
    counts = np.array([9, 7, 7, 5, 3, 3, 3, 1, 0, 0] + [0] * 30)  # 40 places: the busiest 5% is 2
    assert busiest(counts, 40).tolist()[:4] == [True, False, False, False]  # the tie at 7 does not fit in 2
    room, share = concentration(counts, 40)
    assert room == 2 and share == pytest.approx((9 + 7) / counts.sum())
    assert busiest(counts, 60).tolist()[:4] == [True, True, True, False]  # 3 places of 60


def test_classes_do_not_depend_on_older_or_unrelated_months_loaded():
    """The same question with older months and other places loaded gives the same classes."""
    counts = planted()
    alone = rank_places(frame(counts), NOW, NOW, 12, LOCATION, LOADED)
    older = dict(counts)
    for i in range(300, 900):  # places seen only in 2018 and 2022
        older[i] = {"2018-03": 2, "2022-02": 1}
    for i in range(0, 200):
        older.setdefault(i, {})
        older[i] = {**older[i], "2018-03": 5}
    loaded_more = ["2018-03", "2022-01", "2022-02", *LOADED]
    for level in (LOCATION, LSOA):
        a = rank_places(frame(counts), NOW, NOW, 12, level, LOADED)
        b = rank_places(frame(older), NOW, NOW, 12, level, loaded_more)
        columns = ["place_code", "count", "class", "p_value", "q_value", "q_below", "busiest_now"]
        pd.testing.assert_frame_equal(a[columns], b[columns])
    assert len(alone) == len(rank_places(frame(older), NOW, NOW, 12, LOCATION, loaded_more))


def test_retired_2011_codes_are_never_places():
    """A map point filed under 2011 codes in the baseline (merged Oxford 003B, split Oxford
    008E) and under 2021 codes now counts once, in its LSOA as it is today."""
    codes = {1: ("E01028583", "Oxford 003B"), 2: ("E01035740", "Oxford 003E"),
             3: ("E01033282", "Oxford 008E"), 4: ("E01035742", "Oxford 008G"), 5: ("E01035741", "Oxford 008F")}
    data = frame({1: {m: 2 for m in BASELINE[:6]}, 2: {NOW: 3}, 3: {BASELINE[0]: 4}, 4: {NOW: 1}, 5: {NOW: 1}},
                 lambda i: codes[i])
    # Place 3 (2011, split) stands where place 4 (2021) stands, so it goes to 008G.
    data.loc[data["place_id"] == 3, ["longitude", "latitude"]] = (-1.25 + 4e-3, 51.75)
    data.loc[data["place_id"] == 5, ["longitude", "latitude"]] = (-1.20, 51.80)
    data.loc[data["place_id"] == 1, ["name", "longitude"]] = ("On or near Street 2", -1.25 + 2e-3)
    by_lsoa = rank_places(data, NOW, NOW, 12, LSOA, LOADED, units=84).set_index("place_code")
    assert set(by_lsoa.index) == {"E01035740", "E01035742", "E01035741"}
    assert by_lsoa.loc["E01035740", "baseline_count"] == 12 and by_lsoa.loc["E01035740", "count"] == 3
    assert by_lsoa.loc["E01035742", "baseline_count"] == 4
    assert by_lsoa.loc["E01035740", "lsoa_name"] == "Oxford 003E"
    by_point = rank_places(data, NOW, NOW, 12, LOCATION, LOADED)
    merged = by_point[by_point["place_name"] == "On or near Street 2 (Oxford 003E)"]
    assert len(merged) == 1 and merged["baseline_count"].item() == 12  # one point, however filed
    assert not by_point["lsoa_code"].isin(["E01028583", "E01033282"]).any()


def test_oxford_has_84_lsoas_today():
    assert len(current_lsoas(["E07000178"])) == 84


def test_half_the_baseline_months_must_be_loaded():
    data = frame(planted())
    loaded_six = BASELINE[6:] + [NOW]  # 6 of 12: classed
    six = rank_places(data, NOW, NOW, 12, LOCATION, loaded_six).set_index("place_code")
    assert coverage_of(NOW, NOW, 12, loaded_six).classed
    assert six.loc["0", "baseline_mean"] == pytest.approx(8.0)  # 48 over the 6 loaded months, not 48 / 12
    assert six.loc["0", "baseline_count"] == 48  # months that are not loaded are never counted
    assert six.loc["0", "p_value"] == pytest.approx(binomtest(9, 57, 1 / 7, alternative="greater").pvalue)
    assert six.loc["0", "class"] == PERSISTENT

    loaded_five = BASELINE[7:] + [NOW]  # 5 of 12: no class for anyone
    five = rank_places(data, NOW, NOW, 12, LOCATION, loaded_five).set_index("place_code")
    coverage = coverage_of(NOW, NOW, 12, loaded_five)
    assert not coverage.classed
    assert (five["class"] == "").all()
    assert five["p_value"].isna().all()
    assert coverage.missing == tuple(BASELINE[:7])
    assert "January to July 2023" in coverage.note() and "No place is classed" in coverage.note()


def test_a_period_that_is_not_loaded_gives_no_class():
    coverage = coverage_of(NOW, NOW, 12, BASELINE)
    assert coverage.recent_missing == (NOW,) and not coverage.classed
    result = rank_places(frame(planted()), NOW, NOW, 12, LOCATION, BASELINE)
    assert result.empty or (result["class"] == "").all()
    assert "January 2024" in coverage.note()


def test_a_place_has_its_crime_types_and_months():
    data = frame({0: {BASELINE[0]: 2, NOW: 3}})
    data = pd.concat([data, data.assign(count=[1, 4])], ignore_index=True)
    data["crime_type"] = ["burglary", "burglary", "anti-social-behaviour", "anti-social-behaviour"]
    loaded = [m for m in LOADED if m != BASELINE[4]]
    row = rank_places(data, NOW, NOW, 12, LOCATION, loaded).iloc[0]
    assert row["by_type"] == {"anti-social-behaviour": 4, "burglary": 3}
    assert row["by_type_baseline"] == {"burglary": 2, "anti-social-behaviour": 1}
    monthly = row["monthly"]
    assert len(monthly) == 13 and monthly[0] == 3 and monthly[-1] == 7 and math.isnan(monthly[4])
    assert monthly[1] == 0


def test_lsoa_level_names_the_busiest_street():
    result = rank_places(frame(planted()), NOW, NOW, 12, LSOA, LOADED).set_index("place_code")
    first = result.loc["E01000000"]  # places 0-9
    assert first["count"] == 9 + 1 + 0 + 7 + 12 + 1 + 7 + 3 + 3 + 4
    assert first["street"] == "On or near Street 4"  # 12 this period


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
    # The period before not loaded: no changes are claimed, and the window says why.
    empty = changes_between(data, now, now, LOCATION, [now])
    assert empty.empty and "December 2023" in empty.attrs["window"].note()


def test_changes_use_the_loaded_months_of_both_periods_per_month():
    """Three months against the three before, one of which is not loaded: per month, p = 3/5."""
    now = periods.months_between("2024-04", "2024-06")
    before = ["2024-01", "2024-03"]  # 2024-02 not loaded
    data = frame({1: {"2024-01": 2, "2024-03": 2, "2024-04": 10, "2024-05": 10, "2024-06": 10},
                  2: {"2024-01": 1, "2024-04": 1}})
    changes = changes_between(data, "2024-04", "2024-06", LOCATION, [*before, *now])
    row = changes.set_index("place_code").loc["1"]
    assert row["per_month_now"] == pytest.approx(10) and row["per_month_before"] == pytest.approx(2)
    assert row["change"] == pytest.approx(8)
    p = [binomtest(30, 34, 3 / 5).pvalue, binomtest(1, 2, 3 / 5).pvalue]
    assert row["p_value"] == pytest.approx(p[0], rel=1e-9)
    assert row["q_value"] == pytest.approx(multipletests(p, method="fdr_bh")[1][0], rel=1e-9)
    note = changes.attrs["window"].note()
    assert "April to June 2024 against January to March 2024" in note and "February 2024 not loaded" in note
