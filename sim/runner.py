"""Monte Carlo: run a scenario many times, split into fixed chunks, on one or more processes.

Reproducibility: runs are cut into chunks of :data:`CHUNK_RUNS` (the last one
shorter), whatever the number of workers.  Chunk ``c`` gets the ``c``-th child
of ``numpy.random.SeedSequence(seed)`` and its own ``Generator``, so the same
seed gives bit-identical per-run results with 1 worker or 8, and run ``k`` is
always the same run (``sim trace`` re-runs only the chunk that holds it).
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim.model import TRAJECTORY_VARIABLES, CrisisModel
from sim.outcomes import CONFLICT_STATES, FORCE_FATES, NOT_DEPLOYED_REASONS, OUTCOMES
from sim.parameters import uncertain_parameters
from sim.scenario import Scenario

__all__ = [
    "CHUNK_RUNS",
    "SimulationResult",
    "TraceResult",
    "chunk_model",
    "run",
    "simulate",
    "trace",
]

#: Runs per chunk: the unit of work and of seeding.  Changing it changes results.
CHUNK_RUNS = 1000

# Columns that hold -1 for "never happened"; they become missing values in tables.
_MISSING_IF_NEGATIVE = (
    "first_ceasefire_day",
    "first_ceasefire_length_days",
    "sanctions_imposed_day",
    "escalation_day",
    "deployment_start_day",
)


@dataclass(frozen=True)
class SimulationResult:
    """Everything one batch produced.

    ``runs``: one row per run (outcome, metrics, drawn parameters).
    ``trajectories``: daily values, ``{variable: array of shape (days, runs)}``.
    """

    scenario: Scenario
    seed: int
    n_runs: int
    runs: pd.DataFrame
    trajectories: dict[str, np.ndarray]


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


def _chunks(n_runs: int) -> list[tuple[int, int]]:
    return [(start, min(start + CHUNK_RUNS, n_runs)) for start in range(0, n_runs, CHUNK_RUNS)]


def _chunk_seeds(seed: int, n_chunks: int) -> list[np.random.SeedSequence]:
    return np.random.SeedSequence(seed).spawn(n_chunks)


def _simulate_chunk(
    scenario: Scenario,
    seed_sequence: np.random.SeedSequence,
    start: int,
    stop: int,
    trace_run: int | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], CrisisModel]:
    model = CrisisModel(
        scenario, stop - start, np.random.default_rng(seed_sequence), trace_run=trace_run
    )
    model.run_all()
    columns = {"run": np.arange(start, stop), **model.run_table()}
    for name, dist in uncertain_parameters(scenario):
        if getattr(dist, "dist", "fixed") != "fixed":
            columns[f"param:{name}"] = model.params[name]
    return columns, model.trajectories(), model


def chunk_model(
    scenario: Scenario, run_index: int, runs: int, seed: int, trace: bool = False
) -> tuple[CrisisModel, int]:
    """The (not yet stepped) model of the chunk that holds run ``run_index``,
    and the run's position in it.  ``trace`` records that run's story."""
    chunks = _chunks(runs)
    c = run_index // CHUNK_RUNS
    start, stop = chunks[c]
    seed_sequence = _chunk_seeds(seed, len(chunks))[c]
    offset = run_index - start
    model = CrisisModel(
        scenario,
        stop - start,
        np.random.default_rng(seed_sequence),
        trace_run=offset if trace else None,
    )
    return model, offset


def _worker(scenario: Scenario, seed_sequence: np.random.SeedSequence, start: int, stop: int):
    columns, trajectories, _ = _simulate_chunk(scenario, seed_sequence, start, stop)
    return columns, trajectories


def _to_frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    frame["outcome"] = pd.Categorical(frame["outcome"], categories=list(OUTCOMES))
    frame["conflict_state"] = pd.Categorical(
        frame["conflict_state"], categories=list(CONFLICT_STATES)
    )
    frame["force_fate"] = pd.Categorical(frame["force_fate"], categories=list(FORCE_FATES))
    # Missing where the force did deploy.
    frame["not_deployed_reason"] = pd.Categorical(
        frame["not_deployed_reason"].replace("", None), categories=list(NOT_DEPLOYED_REASONS)
    )
    for name in _MISSING_IF_NEGATIVE:
        frame[name] = frame[name].astype("Int64").mask(frame[name] < 0)
    return frame


def simulate(
    scenario: Scenario,
    runs: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    progress: bool = False,
) -> SimulationResult:
    """Run ``scenario`` ``runs`` times (default: the scenario's) and collect the results.

    ``workers > 1`` spreads the chunks over that many processes; results do not
    depend on it.  ``progress`` shows a progress bar on standard error.
    """
    n_runs = scenario.simulation.runs if runs is None else int(runs)
    seed = scenario.simulation.seed if seed is None else int(seed)
    if n_runs < 1:
        raise ValueError(f"runs must be at least 1, got {n_runs}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    chunks = _chunks(n_runs)
    seeds = _chunk_seeds(seed, len(chunks))
    parts: list = [None] * len(chunks)
    bar = tqdm(total=n_runs, unit="run", desc=scenario.name, disable=None if progress else True)
    try:
        if workers == 1 or len(chunks) == 1:
            for i, ((start, stop), ss) in enumerate(zip(chunks, seeds, strict=True)):
                parts[i] = _worker(scenario, ss, start, stop)
                bar.update(stop - start)
        else:
            context = multiprocessing.get_context("spawn")
            processes = min(workers, len(chunks))
            pool = ProcessPoolExecutor(max_workers=processes, mp_context=context)
            try:
                futures = {
                    pool.submit(_worker, scenario, ss, start, stop): (i, stop - start)
                    for i, ((start, stop), ss) in enumerate(zip(chunks, seeds, strict=True))
                }
                for future in as_completed(futures):
                    i, size = futures[future]
                    parts[i] = future.result()
                    bar.update(size)
            except BaseException:
                # Ctrl-C or a failed chunk: do not wait for the remaining chunks.
                pool.shutdown(wait=False, cancel_futures=True)
                raise
            pool.shutdown()
    finally:
        bar.close()
    columns = {key: np.concatenate([p[0][key] for p in parts]) for key in parts[0][0]}
    trajectories = {
        name: np.concatenate([p[1][name] for p in parts], axis=1) for name in TRAJECTORY_VARIABLES
    }
    return SimulationResult(scenario, seed, n_runs, _to_frame(columns), trajectories)


def run(
    scenario: Scenario,
    runs: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    progress: bool = False,
) -> pd.DataFrame:
    """Run ``scenario`` and return the per-run table (one row per Monte Carlo run)."""
    return simulate(scenario, runs=runs, seed=seed, workers=workers, progress=progress).runs


def trace(
    scenario: Scenario, run_index: int, runs: int | None = None, seed: int | None = None
) -> TraceResult:
    """Re-run the chunk holding run ``run_index`` and record that run day by day.

    It is the same run as row ``run_index`` of :func:`run` with the same
    scenario, ``runs`` and ``seed``.
    """
    n_runs = scenario.simulation.runs if runs is None else int(runs)
    seed = scenario.simulation.seed if seed is None else int(seed)
    if not 0 <= run_index < n_runs:
        raise ValueError(f"run must be between 0 and {n_runs - 1}, got {run_index}")
    chunks = _chunks(n_runs)
    c = run_index // CHUNK_RUNS
    start, stop = chunks[c]
    seed_sequence = _chunk_seeds(seed, len(chunks))[c]
    columns, _, model = _simulate_chunk(scenario, seed_sequence, start, stop, run_index - start)
    row = _to_frame(columns).iloc[run_index - start].rename(run_index)
    parameters = {
        name: float(values[run_index - start]) for name, values in model.params.values.items()
    }
    return TraceResult(scenario, seed, n_runs, run_index, model.trace, row, parameters)
