"""Power of the test of a correlation across teams, as R's ``pwr::pwr.r.test`` computes it, and what it implies.

Three figures answer three different questions, and reports give all three so that none is read for another: the
smallest *observed* r that is significant at this number of teams, the power to detect a given *true* r once the
unreliability of team means has shrunk it, and the number of teams that power would need.
"""

from __future__ import annotations

import math

from scipy import optimize, stats

MAX_TEAMS = 1_000_000_000
"""Upper end of the search for a number of teams, as in ``pwr.r.test``."""


def _check(n: float, alpha: float) -> None:
    if not n > 3:
        raise ValueError(f"`n` must exceed 3 teams, got {n}")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"`alpha` must lie strictly between 0 and 1, got {alpha}")


def critical_correlation(n: int, *, alpha: float = 0.05) -> float:
    r"""The smallest observed correlation, in absolute value, that a two-sided test at `alpha` finds significant.

    Notes
    -----
    From the t test of a correlation with n - 2 degrees of freedom:
    :math:`r_c = t_c / \sqrt{t_c^2 + n - 2}` with :math:`t_c = t_{1-\alpha/2,\,n-2}`.

    Examples
    --------
    >>> round(critical_correlation(35), 3)
    0.334

    """
    _check(n, alpha)
    t = float(stats.t.isf(alpha / 2, n - 2))
    return t / math.sqrt(t**2 + n - 2)


def correlation_power(r: float, n: float, *, alpha: float = 0.05) -> float:
    r"""Power of the two-sided test at `alpha` of a correlation among `n` teams whose true value is `r`.

    Notes
    -----
    As ``pwr::pwr.r.test``: the critical r from the t distribution, both on Fisher's z scale with the bias term
    :math:`r / (2(n - 1))` added to the true value,
    :math:`\Phi((z_r - z_c)\sqrt{n-3}) + \Phi((-z_r - z_c)\sqrt{n-3})`.

    References
    ----------
    Cohen, J. (1988). *Statistical power analysis for the behavioral sciences* (2nd ed.), chapter 3.

    Examples
    --------
    >>> round(correlation_power(0.3, 84), 4)
    0.7996

    """
    _check(n, alpha)
    if not -1.0 < r < 1.0:
        raise ValueError(f"`r` must lie strictly between -1 and 1, got {r}")
    t = float(stats.t.isf(alpha / 2, n - 2))
    critical = math.atanh(math.sqrt(t**2 / (t**2 + n - 2)))
    true = math.atanh(r) + r / (2 * (n - 1))
    scale = math.sqrt(n - 3)
    return float(stats.norm.cdf((true - critical) * scale) + stats.norm.cdf((-true - critical) * scale))


def teams_for_power(r: float, *, power: float = 0.8, alpha: float = 0.05) -> float:
    """The number of teams at which the test reaches `power` for a true correlation `r` (not rounded).

    As ``pwr.r.test(r = r, power = power)$n``: round it up for a plan. Infinite when `r` is 0; 4, the fewest teams a
    correlation can be tested on, when 4 already give `power` (where ``pwr.r.test`` finds no root).

    Examples
    --------
    >>> math.ceil(teams_for_power(0.3))
    85

    """
    if not 0.0 < power < 1.0:
        raise ValueError(f"`power` must lie strictly between 0 and 1, got {power}")
    if r == 0:
        return math.inf
    if correlation_power(abs(r), MAX_TEAMS, alpha=alpha) < power:
        return math.inf
    if correlation_power(abs(r), 4, alpha=alpha) >= power:
        return 4.0
    return float(
        optimize.brentq(lambda n: correlation_power(abs(r), n, alpha=alpha) - power, 4 + 1e-10, MAX_TEAMS, xtol=1e-9)
    )
