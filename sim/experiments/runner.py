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
inside each chunk: as a bar on a terminal, as a plain line every
:data:`PROGRESS_INTERVAL` seconds on any other standard error
(:func:`progress_bar`); it is output only, results never depend on it.  What
the runner decides (workers, chunks) is logged to this module's logger
(INFO; each chunk at DEBUG).
"""

from __future__ import annotations

import contextlib
import logging
import math
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
    "PROGRESS_INTERVAL",
    "ProgressLines",
    "SimulationResult",
    "TraceResult",
    "available_cores",
    "cap_workers",
    "default_workers",
    "progress_bar",
    "run",
    "simulate",
    "simulate_range",
    "trace",
]

logger = logging.getLogger(__name__)

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
    workers = max(1, min(cores, n_runs * horizon_days // MIN_RUN_DAYS_PER_WORKER))
    logger.debug(
        "default workers: %d (%s run-days; one worker per %s run-days, at most %d core%s)",
        workers, f"{n_runs * horizon_days:,}", f"{MIN_RUN_DAYS_PER_WORKER:,}", cores,
        "s" if cores > 1 else "",
    )  # fmt: skip
    return workers


#: Seconds between two plain progress lines (:class:`ProgressLines`), and before the
#: first: a job that ends sooner prints none.  The environment variable
#: ``SIM_PROGRESS_INTERVAL`` (seconds) replaces it.
PROGRESS_INTERVAL = 10.0


def progress_interval() -> float:
    """:data:`PROGRESS_INTERVAL`, or ``SIM_PROGRESS_INTERVAL`` when it holds a number >= 0."""
    text = os.environ.get("SIM_PROGRESS_INTERVAL", "").strip()
    try:
        value = float(text) if text else PROGRESS_INTERVAL
    except ValueError:
        return PROGRESS_INTERVAL
    return value if math.isfinite(value) and value >= 0 else PROGRESS_INTERVAL


def _duration(seconds: float) -> str:
    """``7 s``, ``2 min 5 s``, ``1 h 20 min``."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes, rest = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


class ProgressLines:
    """Progress for a standard error that is not a terminal (a log file, a pipe, a CI
    job): a plain line every ``interval`` seconds, none for a job that ends sooner::

        combined: 40% (4,000 of 10,000 runs), 12 s elapsed, about 18 s left

    and a last one at 100% if any was written.  The time left is estimated from the
    pace since the first work was reported (a pool's start-up does not count).  It
    has the part of ``tqdm``'s interface the runner and sweeps use (``update``,
    ``total``, ``set_postfix_str``, ``close``); ``total`` and ``update`` count in
    units that ``unit_scale`` turns into ``unit`` (run-days shown as runs).

    Parameters
    ----------
    total : float
        The work to do (it may grow: sweeps add rounds).
    desc : str
        What is running (the scenario's or the sweep's name).
    stream : file-like
        Where the lines go (standard error).
    unit_scale : float, default 1.0
        Shown amount per counted unit.
    unit : str, default "runs"
        The shown amount's unit.
    interval : float, optional
        Seconds between lines (default: :func:`progress_interval`).
    clock : callable, default time.monotonic
        The time in seconds.
    """

    def __init__(
        self,
        total: float,
        desc: str,
        stream,
        unit_scale: float = 1.0,
        unit: str = "runs",
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.n = 0.0
        self._desc, self._stream, self._scale, self._unit = desc, stream, unit_scale, unit
        self._interval = progress_interval() if interval is None else interval
        self._clock = clock
        self._start = clock()
        self._due = self._start + self._interval
        self._postfix = ""
        self._written = False
        self._written_at = (0.0, "")  # what the last line said
        self._first: tuple[float, float] | None = None  # (time, done) at the first work
        self._closed = False

    def update(self, n: float = 1) -> None:
        """Count ``n`` more units done; write a line if one is due and says something new.

        Parameters
        ----------
        n : float, default 1
            Units done since the last call.
        """
        now = self._clock()
        self.n += n
        if self._first is None and n > 0:
            # The estimate counts from the first work reported, not from the start-up.
            self._first = (now, self.n)
        new = self._written_at != (self.n, self._postfix)  # nothing new: no line
        if now >= self._due and new and not self._closed:
            self._write(now)
            self._due = now + self._interval

    def set_postfix_str(self, text: str = "", refresh: bool = True) -> None:
        """What the line says in parentheses instead of ``N of TOTAL runs``.

        Parameters
        ----------
        text : str, default ""
            The words ("3/65 points, 1,200/26,000 runs"); empty for the runs.
        refresh : bool, default True
            Ignored (``tqdm``'s; a line is written only when due).
        """
        self._postfix = text

    def close(self) -> None:
        """The last line (100%) if any was written and the work is done since."""
        done = self.total and self.n >= self.total
        changed = self._written_at != (self.n, self._postfix)
        if not self._closed and self._written and done and changed:
            self._write(self._clock())
        self._closed = True

    def line(self, now: float) -> str:
        """The line at time ``now``.

        Parameters
        ----------
        now : float
            The clock's time.

        Returns
        -------
        str
            ``DESC: P% (N of TOTAL runs), T elapsed, about T left``.
        """
        elapsed = now - self._start
        fraction = min(1.0, self.n / self.total) if self.total else 0.0
        detail = self._postfix or (
            f"{self.n * self._scale:,.0f} of {self.total * self._scale:,.0f} {self._unit}"
        )
        text = f"{self._desc}: {math.floor(100 * fraction):.0f}% ({detail}), "
        text += f"{_duration(elapsed)} elapsed"
        if self._first is not None and fraction < 1:
            since, done_then = self._first
            rate = (self.n - done_then) / (now - since) if now > since else 0.0
            if rate > 0:  # the pace since the first work was reported
                text += f", about {_duration((self.total - self.n) / rate)} left"
        return text

    def _write(self, now: float) -> None:
        try:
            self._stream.write(self.line(now) + "\n")
            self._stream.flush()
        except (OSError, ValueError):  # the reader went away: say nothing more
            self._closed = True
        self._written = True
        self._written_at = (self.n, self._postfix)


def _is_terminal(stream) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):
        return False


def progress_bar(
    progress: bool,
    total: float,
    desc: str,
    bar_format: str,
    unit_scale: float = 1.0,
):
    """Progress on standard error: a ``tqdm`` bar on a terminal, :class:`ProgressLines`
    anywhere else, nothing (a disabled bar) without ``progress``.

    Parameters
    ----------
    progress : bool
        Show progress at all.
    total : float
        The work to do, in counted units.
    desc : str
        What is running.
    bar_format : str
        The terminal bar's ``tqdm`` format.
    unit_scale : float, default 1.0
        Shown runs per counted unit.

    Returns
    -------
    tqdm.tqdm or ProgressLines
        Something with ``update``, ``total``, ``set_postfix_str`` and ``close``.
    """
    stream = sys.stderr
    if not progress or stream is None:
        return tqdm(total=total, disable=True)
    if _is_terminal(stream):
        return tqdm(
            total=total,
            unit_scale=unit_scale,
            desc=desc,
            bar_format=bar_format,
            mininterval=0.2,
        )
    return ProgressLines(total, desc, stream, unit_scale=unit_scale)


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
    if hasattr(signal, "pthread_sigmask"):  # blocked by the parent while it started us
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
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
    # Workers start with Ctrl-C blocked (the mask is inherited) until their initializer
    # ignores it.  Here a Ctrl-C while they start is noted, not raised half-way through
    # the pool's construction, and raised once the pool can be terminated.
    interrupted: list[int] = []
    mask = _block_sigint()
    previous = signal.signal(signal.SIGINT, lambda number, frame: interrupted.append(number))
    try:
        with _main_not_reimported():
            pool = context.Pool(
                processes, initializer=_init_worker, initargs=(progress_queue, os.getpid())
            )
    except BaseException:
        signal.signal(signal.SIGINT, previous)
        _restore_mask(mask)
        raise
    logger.debug(
        "started a pool of %d worker processes (spawn) for %d tasks", processes, len(calls)
    )
    workers: set[int] = set()
    stopped = False  # whether the pool can be joined
    try:
        signal.signal(signal.SIGINT, previous)
        _restore_mask(mask)
        if interrupted:
            raise KeyboardInterrupt
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
        stopped = True
    except BaseException:
        stopped = _terminate(pool)
        raise
    finally:
        if stopped:
            pool.join()
        progress_queue.close()


#: Seconds ``Pool.terminate`` gets before the pool's workers are killed outright.
_TERMINATE_SECONDS = 2.0


def _terminate(pool) -> bool:
    """``pool.terminate()``, in bounded time; False if it could not finish.

    ``Pool.terminate`` first takes the lock of the pool's task queue, which an idle
    worker holds while it waits for a task.  A worker killed while it held that lock
    (idle at the end of a batch, or taking its next task) never gives it back, and
    ``terminate`` would wait for ever.  So it runs in a thread; if it has not finished
    within :data:`_TERMINATE_SECONDS` (it stopped asking for replacement workers at
    once), the workers are killed and the pool, whose threads are daemons, is left
    behind.
    """
    stopper = threading.Thread(target=pool.terminate, name="sim-pool-terminate", daemon=True)
    stopper.start()
    stopper.join(_TERMINATE_SECONDS)
    if not stopper.is_alive():
        return True
    # The pool's own list of its worker processes: killing by PID could hit a reaped
    # worker's PID reused by another process.
    for process in list(getattr(pool, "_pool", ())):
        if process.exitcode is None:
            process.kill()
            process.join()
    logger.debug("the pool could not be terminated (a worker died holding its lock)")
    return False


def _block_sigint():
    """Block SIGINT in this thread; the previous mask (None where there are no masks)."""
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def _restore_mask(mask) -> None:
    if mask is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


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
    results depend on neither.  ``progress`` shows progress on
    standard error (:func:`progress_bar`).  ``keep_trajectories=False`` keeps only the per-day
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
        Show progress on standard error: a bar on a terminal, else a line every
        :data:`PROGRESS_INTERVAL` seconds for a long batch.
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
    asked, workers = workers, cap_workers(workers)
    if workers < asked:
        logger.info("workers=%d: capped at the %d available cores", asked, workers)
    if first_run < 0 or first_run + n_runs > MAX_RUNS:
        raise ValueError(f"run indices must lie in 0 to {MAX_RUNS - 1}")
    width = default_chunk_runs(n_runs, workers) if chunk_runs is None else int(chunk_runs)
    if width < 1:
        raise ValueError(f"chunk_runs must be at least 1, got {width}")
    chunks = _chunks(first_run, n_runs, width)
    horizon = scenario.simulation.horizon_days
    daily = DailyCounts(horizon)
    parts = _Parts(chunks, daily, keep_trajectories, on_chunk, keep_columns)
    processes = 1 if workers == 1 or len(chunks) == 1 else min(workers, len(chunks))
    logger.info(
        "%s: %s run%s of %d days (runs %s to %s, seed %d) in %d chunk%s of at most %s runs, "
        "on %d worker process%s",
        scenario.name, f"{n_runs:,}", "s" if n_runs > 1 else "", horizon, f"{first_run:,}",
        f"{first_run + n_runs - 1:,}", seed, len(chunks), "s" if len(chunks) > 1 else "",
        f"{width:,}", processes, "es" if processes > 1 else "",
    )  # fmt: skip
    # The bar counts run-days and shows them as runs, so it moves within a chunk.
    bar = progress_bar(
        progress,
        n_runs * horizon,
        scenario.name,
        "{desc}: {percentage:3.0f}%|{bar}| {n:,.0f}/{total:,.0f} runs [{elapsed}<{remaining}]",
        unit_scale=1 / horizon,
    )
    advance = bar.update

    try:
        tasks = [(i, seed, start, stop) for i, (start, stop) in enumerate(chunks)]
        if processes == 1:
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
        chunks: list[tuple[int, int]],
        daily: DailyCounts,
        keep_trajectories: bool,
        on_chunk: Callable[[pd.DataFrame], None] | None,
        keep_columns: tuple[str, ...] | None,
    ) -> None:
        self._chunks = chunks
        self.frames: list = [None] * len(chunks)
        self.trajectories: list = [None] * len(chunks)
        self._daily = daily
        self._keep = keep_trajectories
        self._on_chunk = on_chunk
        self._columns = list(dict.fromkeys(keep_columns)) if keep_columns is not None else None
        self._waiting: dict[int, pd.DataFrame] = {}
        self._next = 0

    def __setitem__(self, index: int, part: tuple[pd.DataFrame, dict | DailyCounts]) -> None:
        frame, daily = part
        start, stop = self._chunks[index]
        logger.debug(
            "chunk %d of %d finished (runs %s to %s)",
            index + 1, len(self._chunks), f"{start:,}", f"{stop - 1:,}",
        )  # fmt: skip
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
        Show progress on standard error: a bar on a terminal, else a line every
        :data:`PROGRESS_INTERVAL` seconds for a long batch.

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
