"""Monte Carlo: run a scenario many times, in chunks, on one or more processes.

Reproducibility: every random number is counter-based (:mod:`sim.engine.streams`):
what run ``k`` draws for a purpose on day ``d`` depends on the seed, ``k``,
the purpose and ``d`` only.  So the same seed gives bit-identical per-run
results whatever the chunk width, the number of workers or the batch: run
``k`` simulated alone (``first_run=k, runs=1``; what ``sim trace`` does) is row
``k`` of any batch that holds it.  The chunk width only trades memory and
progress granularity against the fixed cost of each simulated day.

Processes: with ``workers > 1`` the chunks go to a ``multiprocessing`` pool
(``spawn`` start method, which Mesa requires).  Whatever ends the batch early
-- an exception in a chunk, Ctrl-C, or a signal the caller turns into an
exception (the CLI does so for SIGTERM and SIGHUP) -- terminates the pool's
workers before it propagates.  Workers ignore SIGINT (the parent decides) and
exit by themselves within about a second if the parent disappears (SIGKILL),
so no worker outlives the command.  Progress is reported day by day from
inside each chunk.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim.engine.daily import DailyCounts
from sim.engine.model import TRAJECTORY_VARIABLES, CrisisModel
from sim.engine.outcomes import (
    ATTACK_CHANNELS,
    CONFLICT_STATES,
    FORCE_FATES,
    NOT_DEPLOYED_REASONS,
    OUTCOMES,
)
from sim.engine.parameters import uncertain_parameters
from sim.engine.streams import MAX_RUNS
from sim.errors import whole_number
from sim.games.tables import GAME_ACTIONS
from sim.results.batch import SimulationResult, TraceResult
from sim.results.store import process_alive
from sim.scenario.schema import Scenario, require_scenario

__all__ = [
    "MAX_CHUNK_RUNS",
    "SimulationResult",
    "TraceResult",
    "available_cores",
    "cap_workers",
    "default_workers",
    "run",
    "simulate",
    "simulate_range",
    "trace",
]

#: The widest chunk by default.  Memory per chunk grows with it and the fixed cost of
#: a simulated day shrinks; 5,000 was the fastest width measured for 10,000 runs of
#: combined.yaml on one core and peaks at about half a GiB.  Results do not depend on it.
MAX_CHUNK_RUNS = 5_000

# Columns that hold -1 for "never happened"; they become missing values (NaN) in tables,
# so they are floats: one missing-value convention (NaN / Parquet null) in every table.
OPTIONAL_DAY_COLUMNS = (
    "first_ceasefire_day",
    "first_ceasefire_length_days",
    "sanctions_imposed_day",
    "escalation_day",
    "deployment_start_day",
    "first_attack_day",
)


def _chunks(first_run: int, n_runs: int, width: int) -> list[tuple[int, int]]:
    stop = first_run + n_runs
    return [(start, min(start + width, stop)) for start in range(first_run, stop, width)]


#: Run-days each worker process should have before more than one is worth starting
#: (a worker takes about 1.3 s to start and import; 5 million run-days of combined.yaml
#: take about 3.3 s on one core).
MIN_RUN_DAYS_PER_WORKER = 5_000_000


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, else the machine's count).

    Returns
    -------
    int
        At least 1.
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def cap_workers(workers: int) -> int:
    """``workers`` processes, but no more than :func:`available_cores`.

    More processes than cores only add memory and start-up time, never speed
    (each worker holds its own model, about 0.2 GiB).

    Parameters
    ----------
    workers : int
        The processes asked for.

    Returns
    -------
    int
        ``workers`` capped at :func:`available_cores`, and at least 1.
    """
    return max(1, min(int(workers), available_cores()))


def default_workers(n_runs: int, horizon_days: int, cores: int | None = None) -> int:
    """Worker processes for a batch: one per core, but no more than the batch keeps busy.

    A worker is worth starting for every :data:`MIN_RUN_DAYS_PER_WORKER` run-days
    (a worker takes about 1.3 s to start and import).

    Parameters
    ----------
    n_runs : int
        Runs in the batch.
    horizon_days : int
        Days each run simulates.
    cores : int, optional
        Cores to use at most (default: :func:`available_cores`).

    Returns
    -------
    int
        At least 1, at most ``cores``.
    """
    cores = available_cores() if cores is None else cores
    return max(1, min(cores, n_runs * horizon_days // MIN_RUN_DAYS_PER_WORKER))


def default_chunk_runs(n_runs: int, workers: int) -> int:
    """Chunk width: every worker gets work, none more than :data:`MAX_CHUNK_RUNS` runs."""
    return max(1, min(MAX_CHUNK_RUNS, -(-n_runs // max(1, workers))))


def _simulate_chunk(
    scenario: Scenario,
    seed: int,
    start: int,
    stop: int,
    trace_run: int | None = None,
    on_day: Callable[[], None] | None = None,
    replicate: int = 0,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], CrisisModel]:
    model = CrisisModel(
        scenario, np.arange(start, stop), seed, trace_run=trace_run, replicate=replicate
    )
    try:
        for _ in range(scenario.simulation.horizon_days):
            model.step()
            if on_day is not None:
                on_day()
        columns = {"run": np.arange(start, stop), **model.run_table()}
        for name, dist in uncertain_parameters(scenario):
            if getattr(dist, "dist", "fixed") != "fixed":
                columns[f"param:{name}"] = model.params[name]
        return columns, model.trajectories(), model
    finally:
        model.release()


#: Seconds between a worker's checks that its parent is still alive.
_PARENT_CHECK_SECONDS = 0.5

# In a worker process: where to report finished days (set by _init_worker).
_progress_queue = None


def _watch_parent(parent_pid: int) -> None:
    """Exit this worker once its parent is gone (e.g. killed by SIGKILL)."""
    while True:
        time.sleep(_PARENT_CHECK_SECONDS)
        if os.getppid() != parent_pid:
            os._exit(1)


class _QuietWhenOrphaned:
    """A worker's standard error that says nothing once the parent is gone: a worker
    whose parent was killed fails to send its last result, and multiprocessing would
    print that failure as a traceback on the user's terminal after the command ended."""

    def __init__(self, stream, parent_pid: int) -> None:
        self._stream, self._parent_pid = stream, parent_pid

    def write(self, text: str) -> int:
        if os.getppid() != self._parent_pid:
            return len(text)
        return self._stream.write(text)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def _init_worker(progress_queue, parent_pid: int) -> None:
    """Pool initializer: the parent handles Ctrl-C; never outlive the parent; say who we are."""
    global _progress_queue
    if sys.stderr is not None:
        sys.stderr = _QuietWhenOrphaned(sys.stderr, parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _progress_queue = progress_queue
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    progress_queue.put(("worker", os.getpid()))


def day_reporter(runs: int) -> Callable[[], None] | None:
    """In a pool's worker: a function reporting one simulated day of ``runs`` runs to
    the parent's progress bar (``None`` outside a pool)."""
    if _progress_queue is None:
        return None
    report = _progress_queue.put

    def on_day() -> None:
        try:
            report(runs)
        except OSError:  # the parent is gone (killed): end quietly, nobody is listening
            os._exit(1)

    return on_day


def _worker(
    scenario: Scenario,
    seed: int,
    start: int,
    stop: int,
    keep_trajectories: bool = True,
    on_day: Callable[[], None] | None = None,
    replicate: int = 0,
):
    if on_day is None:
        on_day = day_reporter(stop - start)
    columns, trajectories, _ = _simulate_chunk(
        scenario, seed, start, stop, on_day=on_day, replicate=replicate
    )
    frame = _to_frame(columns)  # here, in the worker, not in the parent
    if keep_trajectories:
        return frame, trajectories
    # Counted here, in the worker: the parent receives small counts, not runs x days.
    counts = DailyCounts(scenario.simulation.horizon_days)
    counts.add(trajectories)
    return frame, counts


def simulate_range(
    scenario: Scenario, seed: int, start: int, stop: int, on_day: Callable[[], None] | None = None
) -> pd.DataFrame:
    """The per-run table of runs ``start`` to ``stop - 1`` of the batch of ``seed``, here.

    The rows are those of :func:`run` with the same seed (a run's results depend
    on its index and the seed only).  The runs are simulated in this process,
    as one chunk; their daily values are not kept.

    Parameters
    ----------
    scenario : Scenario
        The scenario to simulate.
    seed : int
        The batch's seed.
    start, stop : int
        The first run index and one past the last, ``0 <= start < stop <= 2**32``.
    on_day : callable, optional
        Called with no arguments after every simulated day; an exception it raises
        stops the runs and propagates (how :mod:`sim.present.progressive` drops a
        batch nobody is waiting for).

    Returns
    -------
    pandas.DataFrame
        One row per run, as :func:`run` returns them.

    Raises
    ------
    ValueError
        If the run indices are out of range.
    """
    if not 0 <= start < stop <= MAX_RUNS:
        raise ValueError(f"runs must lie in 0 to {MAX_RUNS - 1}, got {start} to {stop - 1}")
    frame, _ = _worker(scenario, seed, start, stop, False, on_day or (lambda: None))
    return frame


@contextlib.contextmanager
def _main_not_reimported() -> Iterator[None]:
    """Start processes that do not run the caller's script again.

    A ``spawn`` child imports the parent's ``__main__`` (by its ``__spec__``
    name or its ``__file__``) before it runs anything, so a script that calls
    ``sim.run(..., workers=2)`` without an ``if __name__ == "__main__":``
    guard would start workers that start workers.  The workers run only
    functions of :mod:`sim`, so they do not need the script: while they
    start, ``__main__`` shows neither (``multiprocessing.spawn``'s
    preparation data then names no main module).
    """
    main = sys.modules.get("__main__")
    hidden = {}
    if main is not None:
        for name in ("__spec__", "__file__"):
            if name in vars(main):
                hidden[name] = vars(main)[name]
        for name in hidden:
            if name == "__spec__":
                main.__spec__ = None
            else:
                delattr(main, name)
    try:
        yield
    finally:
        for name, value in hidden.items():
            setattr(main, name, value)


def run_pool(
    calls: list[tuple[int, Callable, tuple]], processes: int, parts, advance: Callable
) -> None:
    """Run ``calls`` (index, function, arguments) on a pool: ``parts[index] = result``.

    ``advance(runs_in_chunk)`` is called once per simulated day of a chunk.
    The pool is terminated (workers killed) on any exception, including
    KeyboardInterrupt and whatever a signal handler raises.  A worker that
    dies (killed by the system when memory runs out, say) would leave its
    chunk unfinished for ever -- ``multiprocessing.Pool`` quietly replaces
    it -- so the death of any worker ends the batch with ``ChildProcessError``.
    """
    context = multiprocessing.get_context("spawn")
    progress_queue = context.SimpleQueue()
    # Workers start with Ctrl-C ignored (inherited), before their initializer runs.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with _main_not_reimported():
            pool = context.Pool(
                processes, initializer=_init_worker, initargs=(progress_queue, os.getpid())
            )
    finally:
        signal.signal(signal.SIGINT, previous)
    workers: set[int] = set()
    try:
        pending = {i: pool.apply_async(function, arguments) for i, function, arguments in calls}

        def drain() -> None:
            while not progress_queue.empty():
                message = progress_queue.get()
                if isinstance(message, tuple):
                    workers.add(message[1])
                else:
                    advance(message)

        while pending:
            drain()
            for i in [i for i, result in pending.items() if result.ready()]:
                parts[i] = pending.pop(i).get()  # re-raises a chunk's exception
            dead = [pid for pid in workers if not process_alive(pid)]  # reaped by the pool
            if dead and pending:
                raise ChildProcessError(
                    f"a worker process (pid {dead[0]}) died before finishing its runs "
                    "(killed by the system, e.g. out of memory?); nothing was written"
                )
            time.sleep(0.05)
        drain()
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
        progress_queue.close()


def _to_frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """The chunk's per-run table: categoricals, missing days as NaN (built in one go)."""
    columns = dict(columns)
    columns["outcome"] = pd.Categorical(columns["outcome"], categories=list(OUTCOMES))
    columns["conflict_state"] = pd.Categorical(
        columns["conflict_state"], categories=list(CONFLICT_STATES)
    )
    columns["force_fate"] = pd.Categorical(columns["force_fate"], categories=list(FORCE_FATES))
    # Missing where the force did deploy.
    reason = np.asarray(columns["not_deployed_reason"], dtype=object)
    columns["not_deployed_reason"] = pd.Categorical(
        np.where(reason == "", None, reason), categories=list(NOT_DEPLOYED_REASONS)
    )
    # Missing where the force was never struck.
    columns["attack_channel"] = pd.Categorical(
        columns["attack_channel"], categories=list(ATTACK_CHANNELS)
    )
    for name in OPTIONAL_DAY_COLUMNS:
        day = np.asarray(columns[name])
        columns[name] = np.where(day >= 0, day.astype(np.float64), np.nan)
    # The modal equilibrium of each game: one of six labels (a byte per run, not a string).
    for game, (_, row_actions, col_actions) in GAME_ACTIONS.items():
        labels = [f"{r}/{c}" for r in row_actions for c in col_actions] + ["mixed", "qre"]
        column = f"{game}_equilibrium_played"
        columns[column] = pd.Categorical(columns[column], categories=labels)
    return pd.DataFrame(columns)


def simulate(
    scenario: Scenario,
    runs: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    progress: bool = False,
    keep_trajectories: bool = True,
    on_chunk: Callable[[pd.DataFrame], None] | None = None,
    keep_columns: tuple[str, ...] | None = None,
    first_run: int = 0,
    chunk_runs: int | None = None,
    replicate: int = 0,
) -> SimulationResult:
    """Run ``scenario`` ``runs`` times (default: the scenario's) and collect the results.

    The runs are ``first_run`` to ``first_run + runs - 1`` of the batch of
    ``seed``: a run's results depend on its index and the seed only.
    ``workers > 1`` spreads the chunks over that many processes (at most one per
    core: :func:`cap_workers`) and
    ``chunk_runs`` sets their width (default :func:`default_chunk_runs`);
    results depend on neither.  ``progress`` shows a progress bar on
    standard error.  ``keep_trajectories=False`` keeps only the per-day
    counts of each chunk's daily values (:class:`sim.engine.daily.DailyCounts`), not
    the values themselves.  ``on_chunk(frame)`` receives each chunk's per-run
    table, in run order (to write it as it comes); ``keep_columns`` then
    limits the result's ``runs`` to those columns, so memory grows with them
    only.  ``replicate > 0`` keeps every run's parameters and draws its chance
    events afresh (:func:`sim.engine.streams.replicate_seed`).

    Parameters
    ----------
    scenario : Scenario
        The scenario to run (:func:`sim.load_scenario` reads one from a file).
    runs : int, optional
        Number of runs, at least 1 (default: the scenario's ``simulation.runs``).
    seed : int, optional
        The batch's seed, at least 0 (default: the scenario's ``simulation.seed``).
    workers : int, default 1
        Processes to spread the chunks over (capped at the available cores).
    progress : bool, default False
        Show a progress bar on standard error (when it is a terminal).
    keep_trajectories : bool, default True
        Keep every run's daily values in ``result.trajectories``; ``False`` keeps
        only their per-day counts (``result.daily``).
    on_chunk : callable, optional
        Called with each chunk's per-run table (a ``pandas.DataFrame``), in run
        order.
    keep_columns : tuple of str, optional
        The columns of the per-run table to keep in ``result.runs`` (default:
        all).
    first_run : int, default 0
        Index of the first run.
    chunk_runs : int, optional
        Runs per chunk, at least 1 (default: :func:`default_chunk_runs`).
    replicate : int, default 0
        0 for the batch itself; ``r > 0`` for the same parameter draws with
        independent chance events.

    Returns
    -------
    SimulationResult
        The per-run table (one row per run: outcome, metrics, ``param:`` columns
        of the drawn parameters), the daily counts and, if kept, the
        trajectories.

    Raises
    ------
    sim.errors.InputError
        If ``scenario`` is not a :class:`sim.Scenario`, or
        ``runs``, ``seed``, ``workers`` or ``first_run`` is not a whole number
        at least its minimum.
    ValueError
        If a run index would reach ``2**32`` or ``chunk_runs`` is below 1.
    ChildProcessError
        If a worker process dies before finishing its runs (killed by the
        system, e.g. out of memory).
    """
    scenario = require_scenario(scenario)
    n_runs = scenario.simulation.runs if runs is None else whole_number("runs", runs, 1)
    seed = scenario.simulation.seed if seed is None else whole_number("seed", seed, 0)
    workers = whole_number("workers", workers, 1)
    first_run = whole_number("first_run", first_run, 0)
    workers = cap_workers(workers)
    if first_run < 0 or first_run + n_runs > MAX_RUNS:
        raise ValueError(f"run indices must lie in 0 to {MAX_RUNS - 1}")
    width = default_chunk_runs(n_runs, workers) if chunk_runs is None else int(chunk_runs)
    if width < 1:
        raise ValueError(f"chunk_runs must be at least 1, got {width}")
    chunks = _chunks(first_run, n_runs, width)
    horizon = scenario.simulation.horizon_days
    daily = DailyCounts(horizon)
    parts = _Parts(len(chunks), daily, keep_trajectories, on_chunk, keep_columns)
    # The bar counts run-days and shows them as runs, so it moves within a chunk.
    bar = tqdm(
        total=n_runs * horizon,
        unit_scale=1 / horizon,
        desc=scenario.name,
        disable=None if progress else True,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:,.0f}/{total:,.0f} runs "
        "[{elapsed}<{remaining}]",
        mininterval=0.2,
    )
    advance = bar.update

    try:
        tasks = [(i, seed, start, stop) for i, (start, stop) in enumerate(chunks)]
        if workers == 1 or len(chunks) == 1:
            for i, _, start, stop in tasks:
                size = stop - start
                parts[i] = _worker(
                    scenario,
                    seed,
                    start,
                    stop,
                    keep_trajectories,
                    lambda s=size: advance(s),
                    replicate,
                )
        else:
            processes = min(workers, len(chunks))
            calls = [
                (i, _worker, (scenario, seed, start, stop, keep_trajectories, None, replicate))
                for i, seed, start, stop in tasks
            ]
            run_pool(calls, processes, parts, advance)
    finally:
        bar.close()
    frames = parts.frames
    table = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    trajectories = None
    if keep_trajectories:
        trajectories = {
            name: np.concatenate([p[name] for p in parts.trajectories], axis=1)
            for name in TRAJECTORY_VARIABLES
        }
    return SimulationResult(scenario, seed, n_runs, table, daily, trajectories)


class _Parts:
    """Chunk results by chunk index.

    Daily values are counted as they arrive (in any order: counts do not
    depend on it); per-run tables are handed to ``on_chunk`` in run order.
    """

    def __init__(
        self,
        n_chunks: int,
        daily: DailyCounts,
        keep_trajectories: bool,
        on_chunk: Callable[[pd.DataFrame], None] | None,
        keep_columns: tuple[str, ...] | None,
    ) -> None:
        self.frames: list = [None] * n_chunks
        self.trajectories: list = [None] * n_chunks
        self._daily = daily
        self._keep = keep_trajectories
        self._on_chunk = on_chunk
        self._columns = list(dict.fromkeys(keep_columns)) if keep_columns is not None else None
        self._waiting: dict[int, pd.DataFrame] = {}
        self._next = 0

    def __setitem__(self, index: int, part: tuple[pd.DataFrame, dict | DailyCounts]) -> None:
        frame, daily = part
        if isinstance(daily, DailyCounts):
            self._daily.merge(daily)
        else:
            self._daily.add(daily)
            if self._keep:
                self.trajectories[index] = daily
        self._waiting[index] = frame
        while self._next in self._waiting:
            frame = self._waiting.pop(self._next)
            if self._on_chunk is not None:
                self._on_chunk(frame)
            # A real copy: a pandas (copy-on-write) column selection would keep the whole
            # chunk table alive.
            kept = frame if self._columns is None else frame[self._columns].copy()
            self.frames[self._next] = kept
            self._next += 1


def run(
    scenario: Scenario,
    runs: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    progress: bool = False,
) -> pd.DataFrame:
    """Run ``scenario`` and return the per-run table (one row per Monte Carlo run).

    The ``runs`` of :func:`simulate` with the same arguments.

    Parameters
    ----------
    scenario : Scenario
        The scenario to run (:func:`sim.load_scenario` reads one from a file).
    runs : int, optional
        Number of runs, at least 1 (default: the scenario's ``simulation.runs``).
    seed : int, optional
        The batch's seed, at least 0 (default: the scenario's ``simulation.seed``).
    workers : int, default 1
        Processes to spread the runs over (capped at the available cores);
        results do not depend on it.
    progress : bool, default False
        Show a progress bar on standard error (when it is a terminal).

    Returns
    -------
    pandas.DataFrame
        One row per run, in run order: ``run``, ``outcome`` and the other
        categorical results, the metrics, and a ``param:PATH`` column for each
        drawn parameter.

    Raises
    ------
    sim.errors.InputError
        If ``scenario`` is not a :class:`sim.Scenario`, or
        ``runs``, ``seed`` or ``workers`` is not a whole number at least its
        minimum.
    """
    return simulate(scenario, runs=runs, seed=seed, workers=workers, progress=progress).runs


def trace(
    scenario: Scenario, run_index: int, runs: int | None = None, seed: int | None = None
) -> TraceResult:
    """Simulate run ``run_index`` alone and record it day by day.

    It is the same run as row ``run_index`` of :func:`run` with the same
    scenario and ``seed`` (``runs`` only bounds the index: it names the batch
    the user has in mind).

    Parameters
    ----------
    scenario : Scenario
        The scenario to run.
    run_index : int
        The run to trace, ``0 <= run_index < runs``.
    runs : int, optional
        The batch's number of runs (default: the scenario's ``simulation.runs``).
    seed : int, optional
        The batch's seed (default: the scenario's ``simulation.seed``).

    Returns
    -------
    TraceResult
        The run's day-by-day record (``days``), its row of the per-run table
        (``row``) and its drawn parameters (``parameters``).

    Raises
    ------
    sim.errors.InputError
        If ``scenario`` is not a :class:`sim.Scenario`, or
        ``runs``, ``seed`` or ``run_index`` is not a whole number at least its
        minimum.
    ValueError
        If ``run_index`` is not below ``runs``.
    """
    scenario = require_scenario(scenario)
    n_runs = scenario.simulation.runs if runs is None else whole_number("runs", runs, 1)
    seed = scenario.simulation.seed if seed is None else whole_number("seed", seed, 0)
    run_index = whole_number("run_index", run_index, 0)
    if not 0 <= run_index < n_runs:
        raise ValueError(f"run must be between 0 and {n_runs - 1}, got {run_index}")
    columns, _, model = _simulate_chunk(scenario, seed, run_index, run_index + 1, trace_run=0)
    row = _to_frame(columns).iloc[0].rename(run_index)
    parameters = {name: float(model.params[name][0]) for name, _ in uncertain_parameters(scenario)}
    return TraceResult(scenario, seed, n_runs, run_index, model.trace, row, parameters)
