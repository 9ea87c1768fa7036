"""Summaries of a batch: outcome probabilities with Wilson intervals, metric statistics.

The 95% interval for an outcome probability is the Wilson score interval
(Wilson 1927; recommended over the Wald interval by Newcombe 1998 and by
Brown, Cai & DasGupta 2001), computed with
``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from sim.engine.daily import QUANTILES
from sim.engine.outcomes import (
    ATTACK_CHANNELS,
    CONFLICT_STATES,
    FORCE_FATES,
    NOT_DEPLOYED_REASONS,
    OUTCOMES,
)

__all__ = [
    "METRICS",
    "QUANTILES",
    "SUMMARY_COLUMNS",
    "summarise",
    "wilson_bounds",
    "wilson_interval",
]

METRICS = (
    "ceasefire_days_held",
    "first_ceasefire_day",
    "first_ceasefire_length_days",
    "first_attack_day",
    "ceasefire_collapses",
    "peak_troops_deployed",
    "final_troops_deployed",
    "states_committed_final",
    "peacekeeper_casualties",
    "attacks_on_peacekeepers",
    "sanctions_imposed",
    "sanctions_imposed_day",
    "escalation_day",
    "deployment_start_day",
    "russia_violation_days",
    "ukraine_violation_days",
    "russia_deliberate_violation_days",
    "ukraine_deliberate_violation_days",
    "sanctions_days_in_force",
    "terms_lapsed",
    "mean_escalation_level",
    "max_escalation_level",
)


#: The per-run columns :func:`summarise` reads.
SUMMARY_COLUMNS = (
    "outcome",
    "conflict_state",
    "force_fate",
    "not_deployed_reason",
    "attack_channel",
    "first_ceasefire_ended",
    *METRICS,
)


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion ``successes / trials``.

    Parameters
    ----------
    successes : int
        Trials with the event.
    trials : int
        Trials in all, at least 1.
    confidence : float, default 0.95
        The interval's confidence level.

    Returns
    -------
    low, high : float
        The interval's bounds.

    Raises
    ------
    ValueError
        If ``trials`` is below 1.
    """
    if trials < 1:
        raise ValueError("trials must be at least 1")
    from scipy import stats  # deferred: scipy.stats takes half a second to import

    ci = stats.binomtest(int(successes), int(trials)).proportion_ci(
        confidence_level=confidence, method="wilson"
    )
    return float(ci.low), float(ci.high)


def wilson_bounds(successes: np.ndarray, trials: np.ndarray, z: float = 1.959963984540054):
    """Vectorised 95% Wilson score interval (the closed form scipy's ``binomtest``
    ``proportion_ci(method="wilson")`` computes; Wilson 1927).

    Parameters
    ----------
    successes : numpy.ndarray
        Trials with the event, any shape.
    trials : numpy.ndarray
        Trials in all (broadcast against ``successes``), each at least 1.
    z : float, default 1.959963984540054
        The normal quantile (the default gives 95%).

    Returns
    -------
    low, high : numpy.ndarray
        The bounds, within [0, 1] and holding ``successes / trials``.
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # The interval holds k / n; rounding could put a bound a hair beyond it.
    return np.clip(np.minimum(centre - half, p), 0.0, 1.0), np.clip(
        np.maximum(centre + half, p), 0.0, 1.0
    )


def _shares(column: pd.Series, names: tuple[str, ...]) -> dict:
    n = len(column)
    counts = column.value_counts()
    shares = {}
    for name in names:
        k = int(counts.get(name, 0))
        low, high = wilson_interval(k, n)
        shares[name] = {"count": k, "probability": k / n, "ci95": [low, high]}
    return shares


#: Days after a ceasefire began at which its survival is reported.
SURVIVAL_DAYS = (30, 90, 180, 365)


def ceasefire_survival(runs: pd.DataFrame, days: tuple[int, ...] = SURVIVAL_DAYS) -> dict:
    """Kaplan–Meier share of first ceasefires still holding ``t`` days after they began.

    A first ceasefire that ended had held ``first_ceasefire_length_days``
    complete days; one still holding at the horizon had held at least that
    many (right-censored).  The estimate of P(held ≥ t days) is
    ``scipy.stats.ecdf`` on ``scipy.stats.CensoredData`` (Kaplan & Meier
    1958), with a 95% interval (log-log); ``at_risk`` counts the ceasefires
    followed for at least ``t`` days, and every value is null where none was.
    """
    from scipy import stats  # deferred: scipy.stats takes half a second to import

    started = runs["first_ceasefire_length_days"].notna()
    length = runs.loc[started, "first_ceasefire_length_days"].to_numpy(dtype=float)
    ended = runs.loc[started, "first_ceasefire_ended"].to_numpy(dtype=bool)
    out: dict = {"ceasefires": int(length.size), "ended": int(ended.sum())}
    estimate = None
    if ended.any():
        # Censored at L - 0.5: a ceasefire still holding after L days held at least L.
        data = stats.CensoredData(uncensored=length[ended], right=length[~ended] - 0.5)
        estimate = stats.ecdf(data).sf
        with warnings.catch_warnings():
            # Where the estimate is 0 or 1 the log-log interval is undefined (NaN);
            # _finite reports the limits there instead.
            warnings.simplefilter("ignore", RuntimeWarning)
            band = estimate.confidence_interval(0.95, method="log-log")
    for t in days:
        at_risk = int(np.sum(length >= t))
        entry: dict = {"probability": None, "ci95": [None, None], "at_risk": at_risk}
        if at_risk and estimate is None:  # nothing ended: every ceasefire still holds
            entry.update(probability=1.0, ci95=[1.0, 1.0])
        elif at_risk:
            x = t - 0.5
            low, high = band.low.evaluate(x), band.high.evaluate(x)
            entry.update(
                probability=float(estimate.evaluate(x)),
                ci95=[_finite(low, 0.0), _finite(high, 1.0)],
            )
        out[str(t)] = entry
    return out


def _finite(value: float, fallback: float) -> float:
    value = float(value)
    return value if np.isfinite(value) else fallback


def summarise(runs: pd.DataFrame) -> dict:
    """Probabilities (with 95% Wilson intervals) of the headline outcome, the conflict
    state, the force's fate and why a force never deployed; metric means and quantiles.

    Parameters
    ----------
    runs : pandas.DataFrame
        A per-run table holding at least ``outcome`` and the :data:`METRICS`
        (the other :data:`SUMMARY_COLUMNS` are summarised when present).

    Returns
    -------
    dict
        What ``summary.json`` holds: ``runs``; ``outcomes`` and, when present,
        ``conflict_state``, ``force_fate``, ``not_deployed_reason`` and
        ``attack_channel``, each ``{name: {"count", "probability", "ci95"}}``;
        ``ceasefire_survival`` (Kaplan-Meier, or ``None`` without
        ``first_ceasefire_ended``); and ``metrics``, each
        ``{"n", "mean", "q05", ..., "q95"}`` (``None`` where no run has a value).
    """
    n = len(runs)
    outcomes = _shares(runs["outcome"], OUTCOMES)
    dimensions = {}
    for column, names in (
        ("conflict_state", CONFLICT_STATES),
        ("force_fate", FORCE_FATES),
        ("not_deployed_reason", NOT_DEPLOYED_REASONS),
        ("attack_channel", ATTACK_CHANNELS),
    ):
        if column in runs:
            dimensions[column] = _shares(runs[column], names)
    metrics = {}
    for name in METRICS:
        values = runs[name].dropna().to_numpy(dtype=float)
        # One shape for every metric: mean and quantiles are null where undefined.
        entry: dict = {"n": int(values.size), "mean": None}
        entry.update({f"q{round(q * 100):02d}": None for q in QUANTILES})
        if values.size:
            entry["mean"] = float(values.mean())
            for q, v in zip(QUANTILES, np.quantile(values, QUANTILES), strict=True):
                entry[f"q{round(q * 100):02d}"] = float(v)
        metrics[name] = entry
    survival = ceasefire_survival(runs) if "first_ceasefire_ended" in runs else None
    return {
        "runs": n,
        "outcomes": outcomes,
        **dimensions,
        "ceasefire_survival": survival,
        "metrics": metrics,
    }


def trajectory_quantiles(trajectories: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per-day mean and quantiles of each daily variable, as a long table.

    Computed by :meth:`sim.engine.daily.DailyCounts.quantile_table`: equal to
    ``np.quantile`` over runs, from per-day value counts.
    """
    from sim.engine.daily import DailyCounts

    days = next(iter(trajectories.values())).shape[0]
    counts = DailyCounts(days)
    counts.add(trajectories)
    return counts.quantile_table()
