"""Summaries of a batch: outcome probabilities with Wilson intervals, metric statistics.

The 95% interval for an outcome probability is the Wilson score interval
(Wilson 1927; recommended over the Wald interval by Newcombe 1998 and by
Brown, Cai & DasGupta 2001), computed with
``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.outcomes import CONFLICT_STATES, FORCE_FATES, NOT_DEPLOYED_REASONS, OUTCOMES

__all__ = ["METRICS", "QUANTILES", "SUMMARY_COLUMNS", "summarise", "wilson_interval"]

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)

METRICS = (
    "ceasefire_days_held",
    "first_ceasefire_day",
    "first_ceasefire_length_days",
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
SUMMARY_COLUMNS = ("outcome", "conflict_state", "force_fate", "not_deployed_reason", *METRICS)


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion ``successes / trials``."""
    if trials < 1:
        raise ValueError("trials must be at least 1")
    from scipy import stats  # deferred: scipy.stats takes half a second to import

    ci = stats.binomtest(int(successes), int(trials)).proportion_ci(
        confidence_level=confidence, method="wilson"
    )
    return float(ci.low), float(ci.high)


def _shares(column: pd.Series, names: tuple[str, ...]) -> dict:
    n = len(column)
    counts = column.value_counts()
    shares = {}
    for name in names:
        k = int(counts.get(name, 0))
        low, high = wilson_interval(k, n)
        shares[name] = {"count": k, "probability": k / n, "ci95": [low, high]}
    return shares


def summarise(runs: pd.DataFrame) -> dict:
    """Probabilities (with 95% Wilson intervals) of the headline outcome, the conflict
    state, the force's fate and why a force never deployed; metric means and quantiles."""
    n = len(runs)
    outcomes = _shares(runs["outcome"], OUTCOMES)
    dimensions = {}
    for column, names in (
        ("conflict_state", CONFLICT_STATES),
        ("force_fate", FORCE_FATES),
        ("not_deployed_reason", NOT_DEPLOYED_REASONS),
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
    return {"runs": n, "outcomes": outcomes, **dimensions, "metrics": metrics}


def trajectory_quantiles(trajectories: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per-day mean and quantiles of each daily variable, as a long table.

    Computed by :meth:`sim.daily.DailyCounts.quantile_table`: equal to
    ``np.quantile`` over runs, from per-day value counts.
    """
    from sim.daily import DailyCounts

    days = next(iter(trajectories.values())).shape[0]
    counts = DailyCounts(days)
    counts.add(trajectories)
    return counts.quantile_table()
