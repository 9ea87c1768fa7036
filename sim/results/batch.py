"""What one batch of runs produced, in memory: :class:`SimulationResult` and :class:`TraceResult`.

:func:`sim.experiments.runner.simulate` and :func:`sim.experiments.runner.trace`
return them; :mod:`sim.results.store` writes and reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.engine.daily import DailyCounts
from sim.scenario.schema import Scenario

__all__ = ["SimulationResult", "TraceResult"]


@dataclass(frozen=True)
class SimulationResult:
    """Everything one batch produced.

    ``runs``: one row per run (outcome, metrics, drawn parameters).
    ``daily``: per day and daily variable, how many runs had each value
    (:class:`sim.engine.daily.DailyCounts`: exact per-day shares and quantiles).
    ``trajectories``: every run's daily values, ``{variable: array of shape
    (days, runs)}``, or ``None`` when not kept (``keep_trajectories=False``:
    memory then grows with the per-run table only, not with runs x days).
    """

    scenario: Scenario
    seed: int
    n_runs: int
    runs: pd.DataFrame
    daily: DailyCounts
    trajectories: dict[str, np.ndarray] | None


@dataclass(frozen=True)
class TraceResult:
    """The day-by-day story of one run and its row of the per-run table."""

    scenario: Scenario
    seed: int
    n_runs: int
    run_index: int
    days: list[dict]
    row: pd.Series
    parameters: dict[str, float]
