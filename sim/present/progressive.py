"""Progressive Monte Carlo runs for interactive use: a first batch soon, the rest later.

A *point* is a scenario with some values set (``--set`` overrides) and a seed.
:class:`ProgressiveRuns` runs a point's runs in batches -- runs 0 to
``first_batch - 1`` first, then ``batch`` more at a time up to ``target`` --
in one background thread, so that whoever asked (the dashboard's event loop)
is never blocked (``pause``: seconds a refinement waits after a first batch
is done, so the asker draws it without competing for the interpreter).
Run *k* of a point is run *k* of ``sim run`` with the same scenario, values
and seed (a run's results depend on its index and the seed only:
:func:`sim.experiments.runner.simulate_range`), so once refined to ``target`` the table is
the one ``sim run --runs TARGET`` writes, whatever the order in which the
batches were computed.

Scheduling.  The thread always works on the most urgent batch: a point that
has no answer yet before any refinement, and among equals the point asked for
last.  A batch in progress is abandoned within a simulated day when a more
urgent point arrives or nobody wants its point any more; its point keeps the
batches already done and resumes later.  Memory and work are bounded: at
most ``max_points`` points are kept (least recently asked dropped first) and
at most ``max_waiting`` points wait for a first answer (a further request is
refused with :class:`Busy`), so that one browser tab cannot queue unbounded
work.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from sim.errors import SimError
from sim.experiments.runner import simulate_range
from sim.scenario.schema import Scenario

__all__ = ["Busy", "PointKey", "ProgressiveRuns", "Snapshot", "point_key"]


class Busy(SimError, RuntimeError):
    """Too many points are waiting for a first answer."""


@dataclass(frozen=True)
class PointKey:
    """What identifies a point's runs: the scenario as validated, and the seed."""

    scenario_sha256: str
    seed: int


def point_key(scenario: Scenario, seed: int) -> PointKey:
    """The key of ``scenario`` (overrides already applied) run with ``seed``.

    Two scenarios with the same validated content share their runs, however
    they were written (a value set to what the file already says is the same point).
    """
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return PointKey(hashlib.sha256(text.encode()).hexdigest(), int(seed))


@dataclass(frozen=True)
class Snapshot:
    """A point's runs so far: the per-run table of runs 0 to ``done - 1`` (None before
    the first batch), how many are wanted, and an error if the runs failed."""

    runs: pd.DataFrame | None
    done: int
    target: int
    error: str | None = None
    version: int = 0

    @property
    def complete(self) -> bool:
        return self.error is not None or self.done >= self.target


@dataclass
class _Point:
    scenario: Scenario
    seed: int
    frames: list[pd.DataFrame] = field(default_factory=list)
    done: int = 0
    wanted: int = 0  # how many askers hold it (request/release)
    asked: int = 0  # order of the last request: later is more urgent
    error: str | None = None
    table: pd.DataFrame | None = None  # frames concatenated, made when asked
    version: int = 0  # bumped at every change an asker can see (runs added, failure)


class _Abandoned(Exception):
    """The batch in progress is no longer the most urgent one."""


class ProgressiveRuns:
    """Points' runs, computed in batches by one background thread (module docstring)."""

    def __init__(
        self,
        target: int = 10_000,
        first_batch: int = 2_000,
        batch: int = 2_000,
        max_points: int = 16,
        max_waiting: int = 4,
        simulate: Callable[..., pd.DataFrame] = simulate_range,
        pause: float = 0.0,
    ) -> None:
        if not 1 <= first_batch <= target or batch < 1:
            raise ValueError("need 1 <= first_batch <= target and batch >= 1")
        self.target, self.first_batch, self.batch = int(target), int(first_batch), int(batch)
        self._max_points, self._max_waiting = int(max_points), int(max_waiting)
        self._simulate = simulate
        # Seconds a refinement waits after a first batch is done, so that whoever
        # asked draws it at full speed (this thread would hold the GIL half the time).
        self._pause = float(pause)
        self._first_done = -math.inf
        self._points: OrderedDict[PointKey, _Point] = OrderedDict()
        self._condition = threading.Condition()
        self._counter = 0
        self._closed = False
        self._thread = threading.Thread(target=self._work, name="sim-progressive", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ askers

    def request(self, key: PointKey, scenario: Scenario) -> None:
        """Ask for ``key``'s runs (``scenario``: the point, overrides applied).

        Every request is matched by one :meth:`release` when the asker moves on.
        Raises :class:`Busy` when ``max_waiting`` other points still wait for a
        first answer.
        """
        with self._condition:
            point = self._points.get(key)
            if point is None:
                waiting = sum(
                    1 for p in self._points.values() if p.wanted and not p.done and not p.error
                )
                if waiting >= self._max_waiting:
                    raise Busy(
                        f"{waiting} settings are already waiting for their first runs; "
                        "try again in a moment"
                    )
                point = self._points[key] = _Point(scenario, key.seed)
            self._counter += 1
            point.wanted += 1
            point.asked = self._counter
            self._points.move_to_end(key)
            self._evict()
            self._condition.notify_all()

    def release(self, key: PointKey) -> None:
        """The asker no longer waits for ``key`` (its runs so far stay cached)."""
        with self._condition:
            point = self._points.get(key)
            if point is not None and point.wanted > 0:
                point.wanted -= 1
            self._condition.notify_all()

    def snapshot(self, key: PointKey) -> Snapshot:
        """``key``'s runs so far (an unknown key: nothing done)."""
        with self._condition:
            point = self._points.get(key)
            if point is None:
                return Snapshot(None, 0, self.target)
            if point.frames and (point.table is None or len(point.table) != point.done):
                point.table = pd.concat(point.frames, ignore_index=True)
                point.frames = [point.table]
            return Snapshot(point.table, point.done, self.target, point.error, point.version)

    def wait(self, key: PointKey, runs: int, timeout: float | None = None) -> Snapshot:
        """Block until ``key`` has at least ``runs`` runs (or failed, or ``timeout``)."""
        with self._condition:
            self._condition.wait_for(
                lambda: (p := self._points.get(key)) is None or p.error or p.done >= runs,
                timeout,
            )
        return self.snapshot(key)

    def close(self) -> None:
        """Stop the background thread (the batch in progress is abandoned)."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()
        self._thread.join(timeout=5)

    # ------------------------------------------------------------------ worker

    def _evict(self) -> None:
        # Least recently asked first; a point someone still waits for is kept.
        while len(self._points) > self._max_points:
            for key, point in self._points.items():
                if not point.wanted:
                    del self._points[key]
                    break
            else:
                return

    def _urgency(self, point: _Point) -> tuple[bool, int]:
        return (point.done == 0, point.asked)

    def _next(self) -> tuple[PointKey, _Point] | None:
        todo = [
            (key, p)
            for key, p in self._points.items()
            if p.wanted and p.error is None and p.done < self.target
        ]
        if not todo:
            return None
        return max(todo, key=lambda item: self._urgency(item[1]))

    def _work(self) -> None:
        # Whatever goes wrong, the thread carries on: it is the only one computing.
        while not self._closed:
            try:
                self._work_once()
            except Exception:  # pragma: no cover - a bug or MemoryError outside a batch
                time.sleep(0.5)

    def _batch_runs(self, point: _Point) -> int:
        # Batches hold about the same run-days whatever the horizon (memory and the
        # time to a first answer grow with runs x days): 2,000 runs of 365 days.
        wanted = self.first_batch if point.done == 0 else self.batch
        horizon = point.scenario.simulation.horizon_days
        return max(1, min(wanted, wanted * 365 // max(horizon, 1)))

    def _work_once(self) -> None:
        """One batch of the most urgent point (or a pause, or nothing when closed)."""
        with self._condition:
            self._condition.wait_for(lambda: self._closed or self._next() is not None)
            if self._closed:
                return
            key, point = self._next()
            start = point.done
            wait = self._first_done + self._pause - time.monotonic()
            if start > 0 and wait > 0:
                self._condition.wait(wait)  # woken early by a new request
                return
            stop = min(self.target, start + self._batch_runs(point))
        try:
            frame = self._simulate(
                point.scenario, point.seed, start, stop, on_day=self._check(key, point)
            )
        except _Abandoned:
            return
        except Exception as error:  # shown to the asker as one line, never a traceback
            lines = str(error).splitlines() or [""]
            with self._condition:
                point.error = f"{type(error).__name__}: {lines[0][:200]}"
                point.version += 1
                self._condition.notify_all()
            return
        with self._condition:
            if point.done == start:
                point.frames.append(frame.drop(columns=_parameter_columns(frame)))
                point.done = stop
                point.version += 1
                if start == 0:
                    self._first_done = time.monotonic()
            self._condition.notify_all()

    def _check(self, key: PointKey, point: _Point) -> Callable[[], None]:
        def on_day() -> None:
            with self._condition:
                if self._closed or not point.wanted or self._points.get(key) is not point:
                    raise _Abandoned
                best = self._next()
                if best is not None and self._urgency(best[1]) > self._urgency(point):
                    # Only a point with no answer yet pre-empts a refinement.
                    if best[1].done == 0 and point.done > 0:
                        raise _Abandoned

        return on_day


def _parameter_columns(frame: pd.DataFrame) -> list[str]:
    # The drawn parameters are not shown; dropping them halves a point's memory.
    return [c for c in frame.columns if c.startswith("param:")]
