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
    ``trajectories``: every run's daily values,
    ``{variable: array of shape (days, runs)}``, or ``None`` when not kept
    (``keep_trajectories=False``: memory then grows with the per-run table
    only, not with runs x days).

    Returned by :func:`sim.experiments.runner.simulate`; not built by users.

    Attributes
    ----------
    scenario : Scenario
        The scenario that was run.
    seed : int
        The batch's seed.
    n_runs : int
        Number of runs.
    runs : pandas.DataFrame
        The per-run table, one row per run in run order (only the columns asked
        for when ``simulate`` was given ``keep_columns``).
    daily : sim.engine.daily.DailyCounts
        Per day and daily variable, how many runs had each value.
    trajectories : dict of str to numpy.ndarray, or None
        ``{variable: array of shape (days, runs)}`` for ``escalation_level``,
        ``troops_deployed``, ``ceasefire_in_force`` and
        ``peacekeeper_casualties``, or ``None`` when not kept.
    """

    scenario: Scenario
    seed: int
    n_runs: int
    runs: pd.DataFrame
    daily: DailyCounts
    trajectories: dict[str, np.ndarray] | None


@dataclass(frozen=True)
class TraceResult:
    """The day-by-day story of one run and its row of the per-run table.

    Returned by :func:`sim.experiments.runner.trace`; not built by users.

    Attributes
    ----------
    scenario : Scenario
        The scenario that was run.
    seed : int
        The batch's seed.
    n_runs : int
        The batch's number of runs (it bounds ``run_index``).
    run_index : int
        The run traced.
    days : list of dict
        One record per simulated day, in order (``day`` and what happened).
    row : pandas.Series
        The run's row of the per-run table, named ``run_index``.
    parameters : dict of str to float
        The value drawn for each uncertain parameter, by dotted path.
    """

    scenario: Scenario
    seed: int
    n_runs: int
    run_index: int
    days: list[dict]
    row: pd.Series
    parameters: dict[str, float]
