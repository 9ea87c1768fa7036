"""One-at-a-time sensitivity with common random numbers, and paired differences.

:func:`parameter_ranges` gives every numeric scenario parameter a low and a
high value: the ends of its distribution's support (a normal without bounds:
mean ± 2 sd), or, for a fixed value ``v``, ``v/2`` and ``3v/2`` (clipped to the
parameter's interval; 0 and 1 for a fixed 0).  :func:`screen` runs the
scenario with each parameter fixed at its low and at its high value, all
other parameters drawn as usual from the *same* streams (the model draws each
parameter and each random event from its own named stream, :mod:`sim.streams`),
and reports the paired difference of each metric, high minus low, with its
standard error -- the difference within runs that share every other draw.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.distributions import Fixed, Normal
from sim.overrides import with_overrides
from sim.parameters import uncertain_parameters
from sim.scenario import Scenario

__all__ = [
    "ParameterRange",
    "paired_difference",
    "parameter_ranges",
    "scale_states",
    "screen",
]

# Integer fields that are parameters (the rest of the schema's integers are
# simulation settings: runs, seed, horizon).
INTEGER_PARAMETERS = (
    "actors.coalition.risk_window_days",
    "ceasefire.durable_after_days",
    "sanctions.relief_after_days",
)


@dataclass(frozen=True)
class ParameterRange:
    """A parameter's dotted path and the low and high values a screen sets it to."""

    path: str
    low: float
    high: float
    integer: bool = False


def _bounds_of(path: str) -> tuple[float, float]:
    probability_like = (
        "probability",
        "credibility",
        "domestic_support",
        "casualty_rate_per_attack",
        "war_casualty_exposure",
        "discount",
        "penalty",
        "reduction",
        "prior_resolute",
    )
    if any(word in path for word in probability_like):
        return 0.0, 1.0
    return 0.0, math.inf


def parameter_ranges(scenario: Scenario) -> list[ParameterRange]:
    """Low and high values of every numeric parameter of ``scenario`` (module docstring)."""
    ranges = []
    for path, dist in uncertain_parameters(scenario):
        lo_bound, hi_bound = _bounds_of(path)
        if isinstance(dist, Fixed):
            v = float(dist.value)
            low, high = (v / 2, 1.5 * v) if v != 0 else (0.0, 1.0)
        elif isinstance(dist, Normal) and not all(math.isfinite(b) for b in dist.support()):
            low, high = dist.mean - 2 * dist.sd, dist.mean + 2 * dist.sd
        else:
            low, high = dist.support()
        ranges.append(ParameterRange(path, max(low, lo_bound), min(high, hi_bound)))
    data = scenario.model_dump(mode="python")
    for path in INTEGER_PARAMETERS:
        node = data
        for key in path.split("."):
            node = node[key]
        v = int(node)
        ranges.append(ParameterRange(path, max(1, v // 2), max(2, (3 * v) // 2), integer=True))
    return ranges


def scale_states(scenario: Scenario, field: str, factor: float) -> Scenario:
    """``scenario`` with one fixed per-state value (e.g. ``casualty_sensitivity``)
    multiplied by ``factor`` in every coalition state."""
    overrides = {}
    for name, state in scenario.actors.coalition.states.items():
        value = getattr(state, field)
        if not isinstance(value, Fixed):
            raise ValueError(f"actors.coalition.states.{name}.{field}: not a fixed value")
        overrides[f"actors.coalition.states.{name}.{field}"] = factor * float(value.value)
    return with_overrides(scenario, overrides)


def paired_difference(high: pd.Series | np.ndarray, low: pd.Series | np.ndarray):
    """Mean of ``high - low`` over paired runs and its standard error."""
    diff = np.asarray(high, dtype=float) - np.asarray(low, dtype=float)
    se = float(diff.std(ddof=1) / math.sqrt(diff.size)) if diff.size > 1 else math.nan
    return float(diff.mean()), se


def screen(
    scenario: Scenario,
    metrics: dict[str, Callable[[pd.DataFrame], pd.Series]],
    runs: int,
    seed: int,
    ranges: list[ParameterRange] | None = None,
    simulate: Callable[[Scenario, int, int], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Paired low/high differences of each metric for each parameter (one row each).

    ``metrics`` maps a name to a function of the run table giving one value per
    run (e.g. ``lambda r: r["outcome"] == "durable_ceasefire"``).
    """
    if simulate is None:
        from sim.runner import run

        def simulate(s: Scenario, n: int, k: int) -> pd.DataFrame:
            return run(s, runs=n, seed=k)

    rows = []
    for item in ranges if ranges is not None else parameter_ranges(scenario):
        cast = int if item.integer else float
        low = simulate(with_overrides(scenario, {item.path: cast(item.low)}), runs, seed)
        high = simulate(with_overrides(scenario, {item.path: cast(item.high)}), runs, seed)
        row = {"parameter": item.path, "low": item.low, "high": item.high}
        for name, metric in metrics.items():
            mean, se = paired_difference(metric(high), metric(low))
            row[name], row[f"{name}_se"] = mean, se
        row["identical"] = _identical(low, high)
        rows.append(row)
    return pd.DataFrame(rows)


def _identical(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """The two run tables agree in every column except the drawn parameters."""
    columns = [c for c in a.columns if not c.startswith("param:")]
    return bool(a[columns].equals(b[columns]))
