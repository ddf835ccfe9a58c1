"""Targets compare like for like: an end period that is not a whole year is set against the
same months of the baseline, and the tolerance keeps its significance clause. Expected
values come from hand sums and SciPy's exact binomial test, not from the code under test."""

from __future__ import annotations

import pytest
from scipy.stats import binomtest

from queries import periods
from queries.importers.series import import_series
from queries.reference import OXFORD
from queries.targets import OFF_TRACK, ON_TRACK, UNCLEAR, WITHIN_TOLERANCE, check_target, judge, save_targets

# A year of crime with a winter low: November to April hold 47.5% of it (real force data: 47-48%).
SHARE = {"01": 780, "02": 720, "03": 800, "04": 800, "05": 880, "06": 900, "07": 920, "08": 900, "09": 880,
         "10": 870, "11": 820, "12": 830}  # 10,100 a year; Nov-Apr 4,750


def store(engine, tmp_path, values: dict[str, int], target: dict) -> dict:
    lines = ["series_id,title,theme,unit,area_code,period,value,source,sensitive"]
    lines += [f"recorded-crime,Recorded crime,crime,count,{OXFORD},{m},{v},Thames Valley Police,no"
              for m, v in values.items()]
    path = tmp_path / "recorded-crime.csv"
    path.write_text("\n".join(lines) + "\n")
    import_series(engine, path, kind="published")
    problems = []
    row = check_target({"id": "crime-oxford", "title": "Cut crime", "crime_types": "", "series_id": "recorded-crime",
                        "area_code": OXFORD, "source": "Oxford Safer Communities Partnership", **target},
                       lambda f, m: problems.append((f, m)), {"recorded-crime"})
    assert problems == [] and row is not None
    save_targets(engine, [row], "published", "pat")
    return row


def year(first: str, last: str, scale: float = 1.0) -> dict[str, int]:
    return {m: round(SHARE[m[5:]] * scale) for m in periods.months_between(first, last)}


WINTER = {"baseline_from": "2023-05", "baseline_to": "2024-04", "end_from": "2024-11", "end_to": "2025-04",
          "target_percent": "-5", "tolerance_points": "2"}


def test_a_winter_end_period_is_set_against_the_same_winter_months_of_the_baseline(engine, tmp_path):
    # Baseline May 2023 to April 2024 (10,100). The end period, November 2024 to April 2025,
    # is 0.8% up on the baseline's November to April (4,750 -> 4,788): off the -5% line and
    # significantly so. Against the whole year scaled to six months (5,050) it would read -5.2%.
    current = {m: v for m, v in year("2024-11", "2025-04").items()}
    current["2025-04"] += 38  # 4,788
    t = store(engine, tmp_path, {**year("2023-05", "2024-04"), **year("2024-05", "2024-10"), **current}, WINTER)
    result = judge(engine, t)
    baseline_winter = sum(SHARE[m] for m in ("11", "12", "01", "02", "03", "04"))
    assert result.baseline == baseline_winter == 4750 and result.current == 4788
    assert result.change_percent == pytest.approx((4788 - 4750) / 4750 * 100)  # +0.8%
    assert result.line_percent == pytest.approx(-5.0)
    expected = binomtest(4788, 4788 + 4750, 0.95 / 1.95, alternative="greater").pvalue
    assert result.p_value == pytest.approx(expected, rel=1e-6)
    assert expected < 0.05 and result.status == OFF_TRACK
    assert result.compared == ("the same months of the year: November 2024 to April 2025 against "
                               "November 2023 to April 2024")
    assert "4,788 in November 2024 to April 2025 against 4,750 in November 2023 to April 2024" in result.sentence
    assert "the same months of the year" in result.sentence


def test_baseline_months_not_loaded_leave_the_months_loaded_in_both(engine, tmp_path):
    baseline = year("2023-05", "2024-04")
    del baseline["2023-12"]  # December 2023 was never supplied
    t = store(engine, tmp_path, {**baseline, **year("2024-05", "2025-04")}, WINTER)
    result = judge(engine, t)
    assert result.baseline == 4750 - 830 and result.current == 4750 - 830  # December left out of both
    assert result.change_percent == pytest.approx(0.0)
    assert "only months loaded in both periods are compared" in result.compared
    assert "November 2024 and January to April 2025" in result.sentence


WHOLE = {"baseline_from": "2023-01", "baseline_to": "2023-12", "end_from": "2024-01", "end_to": "2024-12",
         "target_percent": "0", "tolerance_points": "5"}


@pytest.mark.parametrize(("current", "status"), [
    (114, ON_TRACK),  # -5% on a line of 0%
    (125, WITHIN_TOLERANCE),  # +4.2%: above the line by no more than the 5-point tolerance
    (138, UNCLEAR),  # +15%: beyond the 5-point tolerance but not significantly above the line
    (160, OFF_TRACK),  # +33%: beyond the tolerance and significant
])
def test_the_tolerance_keeps_its_significance_clause(engine, tmp_path, current, status):
    # 10 a month in 2023 (120); 2024 spread evenly with the remainder in December.
    base = {m: 10 for m in periods.months_between("2023-01", "2023-12")}
    now = {m: current // 12 for m in periods.months_between("2024-01", "2024-12")}
    now["2024-12"] += current - sum(now.values())
    t = store(engine, tmp_path, {**base, **now}, WHOLE)
    result = judge(engine, t)
    p = binomtest(current, current + 120, 0.5, alternative="greater").pvalue
    change = (current - 120) / 120 * 100
    assert result.change_percent == pytest.approx(change) and result.p_value == pytest.approx(p, rel=1e-6)
    if status == WITHIN_TOLERANCE:
        assert 0 < change <= 5
    if status == UNCLEAR:
        assert change > 5 and p >= 0.05  # beyond the tolerance, but the test cannot tell it from chance
        # 138 against 120 is +15.0%, 15.0 points above a line of 0: the sentence says so.
        assert ("unclear: 15.0 points above the line, more than its tolerance, but too few to tell that "
                "from chance.") in result.sentence
    if status == OFF_TRACK:
        assert change > 5 and p < 0.05
    assert result.status == status


class _Direct:
    def __init__(self, engine):
        self.engine = engine

    def get(self, function, *args):
        return function(self.engine, *args)


def test_the_chart_of_a_part_year_target_says_its_points_are_whole_years_unlike_the_judgement(engine):
    from dashboard.chart_data import targets as target_charts
    from dashboard.chart_data.spec import Reader

    from .helpers import seed_counts

    # police.uk burglary: the baseline year as SHARE (10,100; its winter 4,750), then a quiet
    # summer (May to October 2024 at 80%: 4,280) and the winter of the earlier test (4,788).
    summer = year("2024-05", "2024-10", 0.8)
    winter = year("2024-11", "2025-04")
    winter["2025-04"] += 38
    seed_counts(engine, {**year("2023-05", "2024-04"), **summer, **winter})
    problems = []
    row = check_target({"id": "burglary-oxford", "title": "Cut burglary", "crime_types": "burglary", "series_id": "",
                        "area_code": OXFORD, "source": "Oxford Safer Communities Partnership", **WINTER},
                       lambda f, m: problems.append((f, m)), set())
    assert problems == [] and row is not None
    save_targets(engine, [row], "published", "pat")
    view = target_charts.view_for(Reader(_Direct(engine)), "burglary-oxford")
    # The judgement: 4,788 against the baseline winter's 4,750, +0.8% against a -5% line: off track.
    assert sum(summer.values()) == 4280 and view.title == f"Cut burglary: {OFF_TRACK}"
    # The chart's last point is the whole year to April 2025, 4,280 + 4,788 = 9,068, under the
    # line's 10,100 x 0.95 = 9,595: a chart alone would read on track.
    last = view.frame.iloc[-1]
    assert (last["period"], last["count"], last["target_line"]) == ("2025-04", 9068, 9595)
    said = " ".join(n.text for n in view.notes)
    assert ("The judgement compares November 2024 to April 2025 against November 2023 to April 2024 (the same "
            "months of the year, as crime has seasons), so the chart's last point can sit on the other side of the "
            "line from the judgement.") in said
