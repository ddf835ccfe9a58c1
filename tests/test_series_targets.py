"""Targets set on a partner series (figures a partner reports, here by quarter) rather than on
police.uk crime types: the judgement against a hand calculation of the change, the target
line and the exact test (binomial tail summed from its terms, not SciPy)."""

from __future__ import annotations

import math

import pytest

from queries.importers.series import import_series
from queries.reference import OXFORD
from queries.targets import OFF_TRACK, ON_TRACK, UNCLEAR, WAITING, WITHIN_TOLERANCE, check_target, judge, save_targets

BASELINE = {"2023-Q2": 100, "2023-Q3": 110, "2023-Q4": 90, "2024-Q1": 100}  # April 2023 to March 2024: 400


def upper_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), term by term in logs."""
    log_terms = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * math.log(p)
                 + (n - i) * math.log1p(-p) for i in range(k, n + 1)]
    top = max(log_terms)
    return math.exp(top) * sum(math.exp(t - top) for t in log_terms)


def store(engine, tmp_path, quarters: dict[str, float], unit: str = "count") -> dict:
    lines = ["series_id,title,theme,unit,area_code,period,value,source,sensitive"]
    lines += [f"asb-reports,ASB reports to the council,asb,{unit},{OXFORD},{q},{v},Oxford City Council,no"
              for q, v in {**BASELINE, **quarters}.items()]
    path = tmp_path / "asb-reports.csv"
    path.write_text("\n".join(lines) + "\n")
    import_series(engine, path, kind="partner")
    problems = []
    row = check_target({"id": "asb-reports-oxford", "title": "Cut ASB reports by 10%", "crime_types": "",
                        "series_id": "asb-reports", "area_code": OXFORD, "baseline_from": "2023-04",
                        "baseline_to": "2024-03", "end_from": "2025-04", "end_to": "2026-03", "target_percent": "-10",
                        "tolerance_points": "2", "source": "Oxford Safer Communities Partnership"},
                       lambda field, message: problems.append((field, message)), {"asb-reports"})
    assert problems == [] and row is not None
    save_targets(engine, [row], "partner", "pat")
    return row


# The latest quarter ends June 2025: 15 of the 24 months from the baseline's end to the end
# period's end, so the line stands at -10% x 15/24 = -6.25%. The latest 12 months are July
# 2024 to June 2025 (four quarters), the same length as the baseline, so no scaling.
@pytest.mark.parametrize(("current", "status"), [
    ((100, 85, 90, 80), ON_TRACK),  # 355: -11.25%, below the line
    ((95, 95, 95, 95), WITHIN_TOLERANCE),  # 380: -5%, 1.25 points above the line
    ((130, 120, 125, 125), OFF_TRACK),  # 500: +25%, far above and significant
])
def test_a_partner_series_target_is_judged_by_hand(engine, tmp_path, current, status):
    quarters = {"2024-Q2": 97, **dict(zip(("2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"), current, strict=True))}
    t = store(engine, tmp_path, quarters)
    result = judge(engine, t)
    total = sum(current)
    assert result.baseline == 400 and result.current == total  # the 2024-Q2 figure is outside both
    assert result.current_period == ("2024-07", "2025-06")
    assert result.line_percent == pytest.approx(-6.25)
    assert result.change_percent == pytest.approx((total - 400) / 400 * 100)
    # On the line the current rate is 0.9375 of the baseline's: p = 0.9375 / (1 + 0.9375).
    assert result.p_value == pytest.approx(upper_tail(total, 400 + total, 0.9375 / 1.9375), rel=1e-6)
    assert result.status == status
    assert f"{total:,} in July 2024 to June 2025 against 400 in 2023/24" in result.sentence
    assert result.sentence.endswith(".") and f": {status}." in result.sentence


def test_a_partner_series_with_a_quarter_missing_waits_for_it(engine, tmp_path):
    t = store(engine, tmp_path, {"2024-Q3": 100, "2025-Q1": 90, "2025-Q2": 80})  # no 2024-Q4
    result = judge(engine, t)
    assert result.status == WAITING
    assert "July 2024 to June 2025 is not all loaded" in result.sentence


def test_a_partner_series_of_rates_is_judged_without_a_count_test(engine, tmp_path):
    # Not whole numbers (a rate per 1,000, say): no binomial test, so a figure far above the line
    # is never called off track on a test it cannot have, nor within a tolerance it is beyond.
    t = store(engine, tmp_path, {"2024-Q3": 130.5, "2024-Q4": 120.25, "2025-Q1": 125.0, "2025-Q2": 125.0},
              "rate_per_1000")
    result = judge(engine, t)
    assert result.current == pytest.approx(500.75)
    assert result.change_percent == pytest.approx((500.75 - 400) / 400 * 100)
    assert result.p_value is None and result.status == UNCLEAR
    # +25.2% against a line of -6.25%: 31.4 points above it.
    assert ("unclear: 31.4 points above the line, more than its tolerance, but figures that are not counts cannot "
            "be tested against the line.") in result.sentence
    assert "Exact test" not in result.sentence
