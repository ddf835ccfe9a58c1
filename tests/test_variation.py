"""Calibration of the band of ordinary variation and of the test of a change, on simulated
overdispersed monthly counts (negative binomial, stable mean) from numpy's seeded generator.

A rule that flags more ordinary months than its nominal rate, or calls more unchanged years
significant than 5%, fails here; Poisson-only rules are run on the same series to show the
tests can fail."""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import binomtest

from queries import periods
from queries.like_for_like import change_test, series_dispersion
from queries.variation import FALSE_FLAG_RATE, ordinary_variation, poisson_limits, quasi_poisson_limits

MEAN = 300.0
DISPERSION = 5.0  # variance / mean, as in a district's monthly all-crime counts
REPLICATIONS = 40_000


def negative_binomial(rng, shape, mean=MEAN, dispersion=DISPERSION):
    """Counts with the given mean and variance = dispersion * mean."""
    size = mean / (dispersion - 1)
    return rng.negative_binomial(size, size / (size + mean), size=shape).astype(float)


def test_quasi_poisson_band_flags_ordinary_months_at_its_nominal_rate_and_poisson_limits_far_more():
    rng = np.random.default_rng(20260601)
    # Independent replications: 12 baseline months, then the month judged against them.
    series = negative_binomial(rng, (REPLICATIONS, 13))
    flagged = poisson_flagged = 0
    for row in series:
        _, low, high, _ = quasi_poisson_limits(row[:12])
        flagged += not (low <= row[12] <= high)
        _, p_low, p_high = poisson_limits(row[:12])
        poisson_flagged += not (p_low <= row[12] <= p_high)
    rate = flagged / REPLICATIONS
    # Tolerance: four binomial standard errors of the rate at its nominal value.
    tolerance = 4 * math.sqrt(FALSE_FLAG_RATE * (1 - FALSE_FLAG_RATE) / REPLICATIONS)
    assert abs(rate - FALSE_FLAG_RATE) < tolerance, (rate, tolerance)
    # Mean +/- 3 square roots assumes dispersion 1: on the same months it flags ~20%.
    assert poisson_flagged / REPLICATIONS > 20 * FALSE_FLAG_RATE


def test_the_band_reads_calendar_months_not_the_previous_loaded_ones():
    """October 2025 with eight of its 12 months before loaded has no band; with nine it has
    one computed from exactly those nine (a hand calculation)."""
    counts = {m: 100 + (i % 5) * 10 for i, m in enumerate(periods.months_between("2023-01", "2025-10"))}
    for m in periods.months_between("2024-11", "2025-02"):  # four of October's 12 months before
        del counts[m]
    band = ordinary_variation(counts).set_index("month")
    assert "2025-10" not in band.index  # 8 of 12: no band, although 20 earlier months are loaded
    counts["2025-02"] = 120
    band = ordinary_variation(counts).set_index("month")
    baseline = np.array([counts[m] for m in periods.months_between("2024-10", "2025-09") if m in counts])
    assert len(baseline) == 9
    from scipy.stats import t

    mean = baseline.mean()
    phi = max(1.0, baseline.var(ddof=1) / mean)
    half = t.ppf(1 - 0.0027 / 2, 8) * math.sqrt(phi * mean * (1 + 1 / 9))
    assert math.isclose(band.loc["2025-10", "high"], mean + half) and band.loc["2025-10", "baseline_months"] == 9


def test_the_change_test_holds_its_size_on_overdispersed_counts_where_the_exact_poisson_test_does_not():
    """Two years of monthly counts with no change: the quasi-Poisson test of the two totals,
    with dispersion estimated from the 24 months, rejects about 5%; the exact Poisson test far
    more."""
    rng = np.random.default_rng(7)
    months = periods.months_between("2024-01", "2025-12")
    replications = 2000
    quasi = exact = 0
    for _ in range(replications):
        y = negative_binomial(rng, 24).astype(int)
        counts = dict(zip(months, y))
        before, after = int(y[:12].sum()), int(y[12:].sum())
        p_quasi, _ = change_test(before, after, series_dispersion(counts))
        quasi += p_quasi < 0.05
        exact += binomtest(after, before + after, 0.5).pvalue < 0.05
    tolerance = 4 * math.sqrt(0.05 * 0.95 / replications)
    assert abs(quasi / replications - 0.05) < tolerance, quasi / replications
    assert exact / replications > 0.15  # the Poisson test calls ordinary years significant


def test_series_dispersion_matches_a_hand_built_poisson_regression():
    """Pearson's statistic over residual degrees of freedom of a Poisson GLM on a trend and
    the month of the year, fitted here with statsmodels' formula interface."""
    import pandas as pd
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(3)
    months = [m for m in periods.months_between("2023-01", "2025-12") if m not in ("2024-03", "2024-04")]
    y = negative_binomial(rng, len(months), mean=200, dispersion=4).astype(int)
    frame = pd.DataFrame({"y": y, "t": [periods.month_index(m) for m in months], "moy": [m[5:] for m in months]})
    fit = smf.glm("y ~ t + C(moy)", data=frame, family=sm.families.Poisson()).fit()
    phi, df = series_dispersion(dict(zip(months, y)))
    assert df == fit.df_resid
    assert math.isclose(phi, fit.pearson_chi2 / fit.df_resid, rel_tol=1e-6)


def test_a_calendar_month_with_no_incident_in_any_year_says_nothing_of_dispersion():
    """A sparse series (a few incidents a month; every August empty): the Poisson fit's August
    parameter runs to minus infinity, and the fit diverged, so the change test fell back to the
    exact Poisson test. The Pearson dispersion is that of the same regression on the other
    months (statsmodels), August's rows and term left out: they fit exactly (0 against 0)."""
    import pandas as pd
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(11)
    months = periods.months_between("2022-01", "2025-12")
    y = negative_binomial(rng, len(months), mean=6, dispersion=3).astype(int)
    counts = {m: (0 if m[5:] == "08" else int(v)) for m, v in zip(months, y)}
    kept = [m for m in months if m[5:] != "08"]
    frame = pd.DataFrame({"y": [counts[m] for m in kept], "t": [periods.month_index(m) for m in kept],
                          "moy": [m[5:] for m in kept]})
    fit = smf.glm("y ~ t + C(moy)", data=frame, family=sm.families.Poisson()).fit()
    phi, df = series_dispersion(counts)
    assert df == fit.df_resid
    assert math.isclose(phi, fit.pearson_chi2 / fit.df_resid, rel_tol=1e-6)


def test_a_yearly_published_change_is_tested_against_the_spread_of_the_years_before(sqlite_engine):
    """Oxfordshire's domestic abuse offences, 2017 to 2021 as published: 2021 against 2020,
    with the dispersion of 2017 to 2020 (s^2 / mean) and Student's t on 3 degrees of freedom,
    computed here by hand; the exact Poisson test alone would call the fall significant."""
    from scipy.stats import t

    from dashboard.chart_data.domestic_abuse import offences_view
    from dashboard.chart_data.filters import Filters
    from dashboard.chart_data.spec import Reader
    from queries.reference import OXFORDSHIRE

    class Direct:
        def get(self, function, *args):
            return function(sqlite_engine, *args)

    view = offences_view(Reader(Direct()), Filters(areas=(OXFORDSHIRE,), measure="count"))
    values = view.frame.sort_values("period")["value"].astype(float).tolist()
    earlier, (before, after) = np.array(values[:-1]), values[-2:]
    phi = earlier.var(ddof=1) / earlier.mean()
    z = math.log(after / before) / math.sqrt(phi * (1 / after + 1 / before))
    p = 2 * t.sf(abs(z), len(earlier) - 1)
    assert phi > 1 and p > 0.05 and binomtest(int(after), int(before + after), 0.5).pvalue < 0.05
    assert "down 9%, not a significant change on 2020" in view.summary
