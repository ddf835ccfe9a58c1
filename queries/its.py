"""Interrupted time series: a segmented Poisson regression with seasonality.

Follows Bernal, Cummins and Gasparrini (2017): log E[count] = b0 + b1 t + b2 after +
b3 (months since the start) after + two pairs of Fourier terms for the month of the year.
exp(b2) is the change in level at the start, as a rate ratio; exp(b3) the change in the
monthly trend. Standard errors are scaled by the Pearson dispersion when the counts vary
more than Poisson (quasi-Poisson). The model is fitted by iteratively reweighted least
squares; the tests check it against statsmodels' GLM.

Bernal, J. L., Cummins, S. and Gasparrini, A. (2017). Interrupted time series regression
for the evaluation of public health interventions: a tutorial. International Journal of
Epidemiology 46(1), 348-355.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import periods

MIN_MONTHS_BEFORE = 24
MIN_MONTHS_AFTER = 3
MIN_INCIDENTS = 20  # before and after the start
HARMONICS = 2
CAVEATS = (
    ("The model assumes the trend before the start would have continued unchanged: anything "
     "else that changed at the same time (another operation, a change in recording, a "
     "lockdown) is attributed to the intervention."),
    "Counts in small areas are low; a level change is estimated more reliably than a change in trend.",
    "Months are compared with the same area's own past, not with a control.",
)


@dataclass(frozen=True)
class Effect:
    ratio: float
    ci95: tuple[float, float]
    p_value: float


@dataclass(frozen=True)
class ItsResult:
    level: Effect  # rate ratio at the start
    slope: Effect  # rate ratio per month after the start, relative to the trend before
    dispersion: float
    months_before: int
    months_after: int
    coefficients: tuple[float, ...]
    standard_errors: tuple[float, ...]
    caveats: tuple[str, ...] = CAVEATS


def design_matrix(months: list[str], start: str) -> np.ndarray:
    """Columns: intercept, time, after, months since start (after only), Fourier terms."""
    index = np.array([periods.month_index(m) for m in months], dtype=float)
    t = index - index[0]
    start_t = periods.month_index(start) - index[0]
    after = (t >= start_t).astype(float)
    since = (t - start_t) * after
    month_of_year = np.array([int(m[5:7]) for m in months], dtype=float)
    columns = [np.ones_like(t), t, after, since]
    for k in range(1, HARMONICS + 1):
        angle = 2 * math.pi * k * month_of_year / 12
        columns += [np.sin(angle), np.cos(angle)]
    return np.column_stack(columns)


def fit_poisson(x: np.ndarray, y: np.ndarray, iterations: int = 100, tolerance: float = 1e-10):
    """Poisson GLM (log link) by IRLS: coefficients, their covariance and the Pearson dispersion."""
    mu = y + 0.5
    eta = np.log(mu)
    beta = np.zeros(x.shape[1])
    for _ in range(iterations):
        z = eta + (y - mu) / mu
        w = mu
        xtw = x.T * w
        new_beta = np.linalg.solve(xtw @ x, xtw @ z)
        eta = x @ new_beta
        mu = np.exp(eta)
        done = np.max(np.abs(new_beta - beta)) < tolerance * (1 + np.max(np.abs(new_beta)))
        beta = new_beta
        if done:
            break
    covariance = np.linalg.inv((x.T * mu) @ x)
    dof = len(y) - x.shape[1]
    dispersion = float(np.sum((y - mu) ** 2 / mu) / dof) if dof > 0 else float("nan")
    return beta, covariance, dispersion


def interrupted_time_series(months: list[str], counts: list[int], start: str) -> ItsResult | None:
    """The fitted level and trend changes, or None without 24 months before and 3 after, or
    with fewer than 20 incidents on either side of the start (or a fit that does not converge),
    or when the months are not consecutive calendar months (a missing month would shift the
    trend and the season)."""
    # Imported here: at the top, scipy.stats cost half a second of every start of the app.
    from scipy.stats import norm
    if months and list(months) != periods.months_between(months[0], months[-1]):
        return None
    before = sum(1 for m in months if m < start)
    after = len(months) - before
    if before < MIN_MONTHS_BEFORE or after < MIN_MONTHS_AFTER or sum(counts) == 0:
        return None
    x = design_matrix(months, start)
    y = np.asarray(counts, dtype=float)
    if sum(counts[:before]) < MIN_INCIDENTS or sum(counts[before:]) < MIN_INCIDENTS:
        return None  # too few incidents for a regression to say anything
    try:
        # A fit that diverges (a run of empty months drives a fitted mean to 0) yields non-finite
        # values, refused just below: numpy's warnings about them would only fill the log.
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            beta, covariance, dispersion = fit_poisson(x, y)
    except np.linalg.LinAlgError:
        return None
    scale = max(1.0, dispersion)  # quasi-Poisson when overdispersed
    errors = np.sqrt(np.diag(covariance) * scale)
    if not (np.all(np.isfinite(beta)) and np.all(np.isfinite(errors))):
        return None

    def effect(i: int) -> Effect:
        z = beta[i] / errors[i]
        return Effect(
            ratio=float(math.exp(beta[i])),
            ci95=(float(math.exp(beta[i] - 1.959964 * errors[i])), float(math.exp(beta[i] + 1.959964 * errors[i]))),
            p_value=float(2 * norm.sf(abs(z))),
        )

    return ItsResult(effect(2), effect(3), dispersion, before, after, tuple(map(float, beta)), tuple(map(float, errors)))
