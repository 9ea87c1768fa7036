"""Adaptive precision: add runs until every outcome probability is known well enough.

:func:`simulate_to_precision` runs a first batch, then adds batches of further
runs (the next run indices of the same seed) until the 95% Wilson interval of
every headline outcome's probability is at most ``ci_width`` wide, or
``max_runs`` is reached.  The size of each next batch is the number of runs the
widest interval needs at its current estimate -- a Wilson interval of a
probability ``p`` over ``n`` runs is about ``2 z sqrt(p (1 - p) / n)`` wide, and
at least ``z^2 / n`` for an outcome not seen yet -- rounded up to a multiple of
:data:`BATCH_STEP` runs.  Every decision depends on the runs so far only, so
the procedure is reproducible: the same scenario, seed and width stop at the
same number of runs ``N``, and the result is exactly ``sim run --runs N``
(runs 0 to ``N - 1``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.engine.outcomes import OUTCOMES
from sim.experiments.runner import SimulationResult, simulate
from sim.results.summary import wilson_bounds
from sim.scenario.schema import Scenario

__all__ = ["BATCH_STEP", "Precision", "runs_needed", "simulate_to_precision"]

#: Batches after the first are whole multiples of this many runs.
BATCH_STEP = 1_000
#: z for a 95% interval.
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Precision:
    """How an adaptive run ended: the target width, the widest interval reached,
    the runs it took, the batches, and whether the target was reached.

    Attributes
    ----------
    ci_width : float
        The target width of every outcome's 95% interval.
    widest : float
        The widest interval's width at the end.
    widest_outcome : str
        The outcome it belongs to.
    runs : int
        Runs in all (runs 0 to ``runs - 1``).
    batches : int
        Batches simulated.
    reached : bool
        Whether every interval is at most ``ci_width`` wide.
    """

    ci_width: float
    widest: float
    widest_outcome: str
    runs: int
    batches: int
    reached: bool


def _widths(counts: np.ndarray, n: int) -> np.ndarray:
    low, high = wilson_bounds(counts, np.full(counts.shape, n))
    return high - low


def runs_needed(counts: np.ndarray, n: int, ci_width: float) -> int:
    """Runs the widest outcome interval needs for ``ci_width``, at the current shares.

    ``4 z^2 p (1 - p) / ci_width^2`` for the largest ``p (1 - p)``, and at least
    ``z^2 / ci_width`` (an outcome not seen yet still has a Wilson interval).

    Parameters
    ----------
    counts : numpy.ndarray
        Runs that ended in each outcome.
    n : int
        Runs so far.
    ci_width : float
        The target width.

    Returns
    -------
    int
        Runs in all (not more runs) the widest interval needs.
    """
    p = counts / n
    normal = 4 * Z95**2 * p * (1 - p) / ci_width**2
    floor = Z95**2 / ci_width  # an outcome not seen yet still has a Wilson interval
    return math.ceil(max(float(normal.max()), floor))


def simulate_to_precision(
    scenario: Scenario,
    ci_width: float,
    first_runs: int | None = None,
    max_runs: int = 1_000_000,
    seed: int | None = None,
    simulate_batch: Callable[..., SimulationResult] | None = None,
    **options,
) -> tuple[SimulationResult, Precision]:
    """Simulate ``scenario`` until every outcome's 95% interval is at most ``ci_width``
    wide (module docstring).  ``first_runs``: the first batch (default: the
    scenario's runs); ``options`` go to :func:`sim.experiments.runner.simulate` for every
    batch (``workers``, ``progress``, ``on_chunk``, ``keep_columns``,
    ``keep_trajectories``).

    Parameters
    ----------
    scenario : Scenario
        The scenario to run.
    ci_width : float
        The target width, between 0 and 1.
    first_runs : int, optional
        Runs of the first batch (default: the scenario's ``simulation.runs``).
    max_runs : int, default 1_000_000
        The most runs in all.
    seed : int, optional
        The seed (default: the scenario's ``simulation.seed``).
    simulate_batch : callable, optional
        What simulates a batch, called as
        ``simulate_batch(scenario, runs=..., seed=..., first_run=..., **options)``
        (default: :func:`sim.experiments.runner.simulate`).
    **options
        Passed on to ``simulate_batch``.

    Returns
    -------
    result : SimulationResult
        Runs 0 to ``N - 1``, the batches merged: exactly ``sim run --runs N``.
    precision : Precision
        How it ended.

    Raises
    ------
    ValueError
        If ``ci_width`` is not between 0 and 1, or ``first_runs`` or ``max_runs``
        is below 1.
    """
    if not 0 < ci_width < 1:
        raise ValueError(f"ci_width must lie between 0 and 1, got {ci_width}")
    batch = scenario.simulation.runs if first_runs is None else int(first_runs)
    if batch < 1 or max_runs < 1:
        raise ValueError("runs must be at least 1")
    seed = scenario.simulation.seed if seed is None else int(seed)
    simulate_batch = simulate if simulate_batch is None else simulate_batch
    batch = min(batch, max_runs)
    results: list[SimulationResult] = []
    counts = np.zeros(len(OUTCOMES), dtype=np.int64)
    n = 0
    while True:
        result = simulate_batch(scenario, runs=batch, seed=seed, first_run=n, **options)
        results.append(result)
        outcome = result.runs["outcome"].astype(str)
        counts += np.array([(outcome == name).sum() for name in OUTCOMES])
        n += batch
        widths = _widths(counts, n)
        if widths.max() <= ci_width or n >= max_runs:
            break
        more = max(runs_needed(counts, n, ci_width) - n, 1)
        batch = min(max_runs - n, -(-more // BATCH_STEP) * BATCH_STEP)
    widest = int(np.argmax(widths))
    precision = Precision(
        ci_width=float(ci_width),
        widest=float(widths[widest]),
        widest_outcome=OUTCOMES[widest],
        runs=n,
        batches=len(results),
        reached=bool(widths.max() <= ci_width),
    )
    return _merged(scenario, seed, results), precision


def _merged(scenario: Scenario, seed: int, results: list[SimulationResult]) -> SimulationResult:
    if len(results) == 1:
        return results[0]
    daily = results[0].daily
    for other in results[1:]:
        daily.merge(other.daily)
    runs = pd.concat([r.runs for r in results], ignore_index=True)
    trajectories = None
    if results[0].trajectories is not None:
        trajectories = {
            name: np.concatenate([r.trajectories[name] for r in results], axis=1)
            for name in results[0].trajectories
        }
    n = sum(r.n_runs for r in results)
    return SimulationResult(scenario, seed, n, runs, daily, trajectories)
