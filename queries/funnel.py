"""Funnel plot limits for rates, allowing for over-dispersion (no SQL).

Spiegelhalter, D. J. (2005), "Handling over-dispersion of performance indicators", Quality and
Safety in Health Care 14(5), 347-351; and "Funnel plots for comparing institutional
performance", Statistics in Medicine 24(8), 1185-1202. Each area's rate y = O / n is set
against the pooled rate theta (sum O / sum n) with Poisson standard error s = sqrt(theta / n).
The z-scores are winsorised (the lowest and highest 10% pulled in to the 10th and 90th
percentiles) so that the areas being judged do not inflate the dispersion they are judged by;
phi = mean(z_w ^ 2). When I * phi exceeds I - 1 the additive random-effects variance

    tau^2 = (I * phi - (I - 1)) / (sum w - sum w^2 / sum w),   w = 1 / s^2

widens every limit to theta +/- z sqrt(s^2 + tau^2) (Spiegelhalter 2005, section "additive
random-effects"), and the multiplicative alternative gives theta +/- z sqrt(phi) s. Areas
counted in residents are large, and with large denominators the additive model is the one
Spiegelhalter recommends: multiplying Poisson limits narrows them to nothing as n grows,
while real places differ by more than chance at every size.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

WINSOR_PERCENT = 10
# Two-sided limits: 95% ("about 1 in 20 areas outside by chance") and 99.8% ("about 1 in 500").
INNER, OUTER = 0.95, 0.998
ADDITIVE, MULTIPLICATIVE = "additive", "multiplicative"


@dataclass(frozen=True)
class Funnel:
    theta: float  # the pooled rate (events per resident)
    phi: float  # winsorised dispersion of the z-scores
    tau2: float  # additive between-area variance (0 when there is no over-dispersion)
    model: str
    areas: int
    overdispersed: bool

    def sd(self, n) -> np.ndarray:
        """Standard deviation of a rate around theta for denominators ``n`` under the model."""
        n = np.asarray(n, dtype=float)
        poisson = self.theta / n
        if not self.overdispersed:
            return np.sqrt(poisson)
        if self.model == MULTIPLICATIVE:
            return np.sqrt(self.phi * poisson)
        return np.sqrt(poisson + self.tau2)

    def limits(self, n, coverage: float) -> tuple[np.ndarray, np.ndarray]:
        """(lower, upper) limits on the rate scale, the lower never below zero."""
        # The standard library's quantile: SciPy's stats module costs a start-up a third of a second.
        z = NormalDist().inv_cdf(0.5 + coverage / 2)
        spread = z * self.sd(n)
        return np.maximum(self.theta - spread, 0.0), self.theta + spread

    def z_scores(self, observed, n) -> np.ndarray:
        observed, n = np.asarray(observed, dtype=float), np.asarray(n, dtype=float)
        return (observed / n - self.theta) / self.sd(n)


def winsorised(z: np.ndarray, percent: float = WINSOR_PERCENT) -> np.ndarray:
    """z with values below the ``percent`` percentile and above 100 - ``percent`` set to those
    percentiles (linear interpolation between order statistics, numpy's default)."""
    low, high = np.percentile(z, [percent, 100 - percent])
    return np.clip(z, low, high)


def fit(observed, n, model: str = ADDITIVE) -> Funnel:
    """The funnel for events ``observed`` among ``n`` residents in each area."""
    if model not in (ADDITIVE, MULTIPLICATIVE):
        raise ValueError(f"unknown model {model!r}")
    observed, n = np.asarray(observed, dtype=float), np.asarray(n, dtype=float)
    if observed.size == 0 or np.any(n <= 0):
        raise ValueError("every area needs a positive population")
    theta = observed.sum() / n.sum()
    if theta <= 0:
        raise ValueError("no events in any area")
    s = np.sqrt(theta / n)
    z = (observed / n - theta) / s
    areas = observed.size
    phi = float(np.mean(winsorised(z) ** 2))
    overdispersed = areas * phi > areas - 1 and areas > 1
    tau2 = 0.0
    if overdispersed:
        w = 1 / s ** 2
        tau2 = max(0.0, (areas * phi - (areas - 1)) / (w.sum() - (w ** 2).sum() / w.sum()))
    return Funnel(theta=float(theta), phi=phi, tau2=float(tau2), model=model, areas=areas,
                  overdispersed=bool(overdispersed))
