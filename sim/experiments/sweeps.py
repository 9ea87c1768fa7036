"""Parameter sweeps: many points of a base scenario, simulated as one batch.

A sweep is a base scenario, a few values to vary (:class:`sim.experiments.designs.Factor`,
by dotted path as in the ``param:`` columns), a design that picks the points
(:data:`sim.experiments.designs.DESIGNS`), and ``runs`` Monte Carlo runs per point.

Batched, not looped: the points' runs are laid end to end (point by point,
runs 0 to ``runs - 1`` each) and cut into chunks of at most ``chunk_runs``
runs; one chunk is one :class:`sim.engine.model.CrisisModel` advancing runs of
several points side by side (every scenario value is held per run), so the
fixed cost of a simulated day is paid per chunk, not per point.  Points that
differ in one of :data:`sim.engine.parameters.BATCH_INVARIANTS` (the horizon, the
selection rule, ...) go to different chunks.

Comparable: run ``k`` of a point is the run ``k`` that ``sim run`` gives for
the base scenario with that point's values, with the same seed (random
numbers are counter-based, :mod:`sim.engine.streams`), so different points share
the draws of everything they share: differences between points are paired
(common random numbers).  Results do not depend on the chunk width, the
workers or the executor.

This module plans and simulates; it reads and writes no files
(:mod:`sim.experiments.sweep_store` stores chunks and results, :mod:`sim.scenario.loader` reads
sweep files).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import os
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from sim.engine.outcomes import FORCE_FATES, OUTCOMES
from sim.engine.parameters import batch_key, uncertain_parameters
from sim.errors import InputError, SimError
from sim.experiments.designs import Factor, design_points, design_size
from sim.results.summary import METRICS, wilson_bounds
from sim.scenario.overrides import ScenarioOverrideError, with_overrides
from sim.scenario.schema import Scenario, require_scenario
from sim.scenario.sweep_file import MAX_POINTS, Level, RangeSpec, SweepSpec

__all__ = [
    "Chunk",
    "RangeSpec",
    "Sweep",
    "SweepSpec",
    "evaluate",
    "load_sweep",
    "parse_value",
    "parse_vary",
    "plan_chunks",
    "points_table",
    "resolve_sweep",
    "simulate_chunk",
    "sweep",
]

logger = logging.getLogger(__name__)

#: Sweeps of at most this many points keep every point's scenario (about 80 KB each);
#: larger ones keep a few hundred bytes a point and rebuild a chunk's scenarios.
KEEP_SCENARIOS = 2_000


@dataclass(frozen=True)
class Sweep:
    """A resolved sweep: the base scenario, its factors and the design's points.

    Made by :func:`resolve_sweep` (or :func:`load_sweep` from a file), which also
    fills ``scenarios``, ``batch_keys`` and ``horizons``.

    Attributes
    ----------
    name : str
        The sweep's name (its result directory).
    base : Scenario
        The base scenario, before the values of ``set`` are set.
    design : str
        The design that picked the points: ``grid``, ``latin``, ``sobol`` or
        ``morris`` (:data:`sim.experiments.designs.DESIGNS`).
    factors : tuple of sim.experiments.designs.Factor
        The varied values, by dotted path.
    points : pandas.DataFrame
        One row per point, one column per factor's path.
    runs : int
        Runs per point (run indices 0 to ``runs - 1`` of ``seed``).
    seed : int
        The seed of every point's runs (and of a sampled design).
    samples : int or None
        The design's ``samples`` (``None`` for a grid).
    set : mapping of str to object
        Values set at every point, by dotted path (the sweep file's ``set:``,
        the command line's ``--set``; ``fixed`` is its deprecated old name).
    ci_width : float or None
        With a value, points whose widest outcome interval is wider get more
        runs, up to ``max_runs``.
    max_runs : int or None
        The most runs a point gets with ``ci_width``.
    scenarios : tuple of Scenario
        Every point's scenario, validated; empty for sweeps of more than
        :data:`KEEP_SCENARIOS` points.
    batch_keys : tuple of str
        Per point, the model group (:func:`sim.engine.parameters.batch_key`).
    horizons : tuple of int
        Per point, the horizon in days.
    """

    name: str
    base: Scenario
    design: str
    factors: tuple[Factor, ...]
    points: pd.DataFrame
    runs: int
    seed: int
    samples: int | None = None
    set: Mapping[str, Any] = field(default_factory=dict)
    #: Runs added to points whose widest interval is wider (``run_sweep``), up to ``max_runs``.
    ci_width: float | None = None
    max_runs: int | None = None
    #: Every point's scenario, built once by :func:`resolve_sweep` (validated); kept
    #: only for sweeps of at most :data:`KEEP_SCENARIOS` points (a scenario is about
    #: 80 KB); larger sweeps rebuild each chunk's from ``base`` and the point's values.
    scenarios: tuple[Scenario, ...] = field(default=(), repr=False, compare=False)
    #: Per point: the model group (:func:`sim.engine.parameters.batch_key`) and the horizon in
    #: days, kept by :func:`resolve_sweep` (computed from the scenarios if empty).
    batch_keys: tuple[str, ...] = field(default=(), repr=False, compare=False)
    horizons: tuple[int, ...] = field(default=(), repr=False, compare=False)

    @property
    def n_points(self) -> int:
        """Number of points."""
        return len(self.points)

    def overrides(self, point: int) -> dict[str, Any]:
        """The values point ``point`` sets (the ones set at every point, then its factors').

        Parameters
        ----------
        point : int
            The point's index, ``0 <= point < n_points``.

        Returns
        -------
        dict of str to object
            ``{dotted path: value}``, NumPy scalars as Python values.
        """
        # Column by column: a row of mixed columns would turn integers into floats.
        values = {f.path: _plain(self.points[f.path].iat[point]) for f in self.factors}
        return {**self.set, **values}

    @property
    def fixed(self) -> Mapping[str, Any]:
        """Deprecated: :attr:`set` (the values set at every point), its old name."""
        warnings.warn(
            "Sweep.fixed is deprecated; use Sweep.set (the same values: --set, set:)",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.set

    def scenario(self, point: int) -> Scenario:
        """The base scenario with point ``point``'s values (validated).

        Parameters
        ----------
        point : int
            The point's index, ``0 <= point < n_points``.

        Returns
        -------
        Scenario
            The point's scenario (kept, or built from ``base`` and
            :meth:`overrides`).

        Raises
        ------
        sim.scenario.overrides.ScenarioOverrideError
            If the point's values make an invalid scenario (only when it is
            built: :func:`resolve_sweep` has checked every point).
        """
        if self.scenarios:
            return self.scenarios[point]
        return with_overrides(self.base, self.overrides(point))

    def point_keys(self) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """Per point: its model group and its horizon (days).

        Returns
        -------
        batch_keys : tuple of str
            Each point's model group (:func:`sim.engine.parameters.batch_key`).
        horizons : tuple of int
            Each point's horizon in days.
        """
        if self.batch_keys and self.horizons:
            return self.batch_keys, self.horizons
        scenarios = [self.scenario(p) for p in range(self.n_points)]
        return (
            tuple(batch_key(s) for s in scenarios),
            tuple(s.simulation.horizon_days for s in scenarios),
        )

    def groups(self) -> list[list[int]]:
        """Points that can share a model, in order of their first point (as
        :func:`point_groups` of their scenarios).

        Returns
        -------
        list of list of int
            The point indices of each group, in order.
        """
        keys, _ = self.point_keys()
        groups: dict[str, list[int]] = {}
        for point, key in enumerate(keys):
            groups.setdefault(key, []).append(point)
        return list(groups.values())


def _plain(value: Any) -> Any:
    """A NumPy scalar as the Python value a scenario file would hold."""
    return value.item() if isinstance(value, np.generic) else value


#: A number in exponent notation without a dot (``1e-3``), which YAML 1.1 reads as text.
_EXPONENT_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+")


def parse_value(text: str) -> Any:
    """A command-line value read as YAML would read it: 5000, 0.5, true, uniform text;
    ``1e-3`` is a number, as it is in a scenario file (where the schema reads it so).

    Parameters
    ----------
    text : str
        The value as typed (``--set PATH=VALUE``, a level of ``--vary``).

    Returns
    -------
    object
        An ``int``, ``float``, ``bool``, ``None`` (for ``null`` or ``~``), a list
        or mapping written in YAML, or ``text`` itself where YAML reads nothing, a
        number out of range or cannot parse it.
    """
    import yaml

    if _EXPONENT_NUMBER.fullmatch(text.strip()):
        number = float(text)
        if not math.isfinite(number):  # 1e400: not a number a scenario can hold
            return text
        # 1e4 is the whole number 10000 (troops, days); 1e-3 a fraction.
        return int(number) if number.is_integer() and "." not in text else number
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return text if value is None and text.strip() not in ("null", "~") else value


def parse_vary(text: str) -> tuple[str, list[Level] | RangeSpec]:
    """``PATH=LOW:HIGH:STEP``, ``PATH=LOW:HIGH`` (a range) or ``PATH=A,B,C`` (levels).

    Parameters
    ----------
    text : str
        A ``--vary`` value; each level is read by :func:`parse_value`.

    Returns
    -------
    path : str
        The dotted path.
    spec : list or RangeSpec
        The levels, or the range (``step`` ``None`` without a step).

    Raises
    ------
    ValueError
        If the text has none of these forms, a bound or step is not a number, or
        the step is not positive and finite.
    """
    path, sep, spec = text.partition("=")
    path = path.strip()
    if not sep or not path or not spec.strip():
        raise ValueError(
            f"--vary {text!r}: expected PATH=LOW:HIGH:STEP, PATH=LOW:HIGH or PATH=A,B,C"
        )
    if ":" in spec:
        parts = spec.split(":")
        if len(parts) not in (2, 3):
            raise ValueError(f"--vary {text!r}: expected LOW:HIGH or LOW:HIGH:STEP")
        numbers = []
        for part in parts:
            value = parse_value(part.strip())
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"--vary {text!r}: {part.strip()!r} is not a number")
            numbers.append(value)
        step = numbers[2] if len(numbers) == 3 else None
        try:
            return path, RangeSpec(low=numbers[0], high=numbers[1], step=step)
        except ValueError:
            raise ValueError(f"--vary {text!r}: the step must be positive and finite") from None
    return path, [parse_value(part.strip()) for part in spec.split(",")]


def _value_at(data: Any, path: str) -> Any:
    node = data
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _factor(path: str, spec: list[Level] | RangeSpec, base_value: Any) -> Factor:
    integer = isinstance(base_value, int) and not isinstance(base_value, bool)
    if isinstance(spec, list):
        return Factor(path, levels=tuple(spec), integer=integer)
    if spec.high < spec.low:
        raise ValueError(f"{path}: high ({spec.high:g}) is below low ({spec.low:g})")
    levels = None
    if integer and not all(float(v).is_integer() for v in (spec.low, spec.high, spec.step or 1)):
        raise ValueError(
            f"{path}: holds an integer; give whole numbers for low, high and step "
            f"(got {spec.low:g}:{spec.high:g}" + (f":{spec.step:g})" if spec.step else ")")
        )
    if spec.step is not None:
        ratio = (spec.high - spec.low) / spec.step
        if not ratio < MAX_POINTS:  # also inf: a tiny step
            raise ValueError(
                f"{path}: more than {MAX_POINTS:,} levels from {spec.low:g} to {spec.high:g} "
                f"in steps of {spec.step:g}; at most {MAX_POINTS:,}"
            )
        count = math.floor(ratio + 1e-9) + 1
        if count > MAX_POINTS:
            raise ValueError(f"{path}: {count:,} levels; at most {MAX_POINTS:,}")
        values = spec.low + spec.step * np.arange(count)
        if integer:
            levels = tuple(int(np.rint(v)) for v in values)
        else:  # 0.1 * 3 is 0.30000000000000004; the user wrote 0.3
            levels = tuple(float(np.round(v, 10)) for v in values)
    return Factor(path, levels=levels, low=spec.low, high=spec.high, integer=integer)


def resolve_sweep(
    spec: SweepSpec,
    base: Scenario,
    runs: int | None = None,
    seed: int | None = None,
) -> Sweep:
    """The sweep ``spec`` describes over ``base``: factors, points, runs and seed.

    Every point's scenario is built and validated here, before anything is
    simulated.

    Parameters
    ----------
    spec : SweepSpec
        The sweep as written.
    base : Scenario
        The base scenario.
    runs : int, optional
        Runs per point (default: the spec's, else the base scenario's after
        ``set``).
    seed : int, optional
        The seed (default: the spec's, else the base scenario's after ``set``).

    Returns
    -------
    Sweep
        The resolved sweep, with every point's model group and horizon (and
        scenario, for at most :data:`KEEP_SCENARIOS` points).

    Raises
    ------
    ValueError
        Whose message starts with the offending key (a varied path, ``set``,
        ``samples``, ``design``, ``vary``) when a factor, a design or any
        point's scenario is invalid, or the design has more than
        :data:`sim.scenario.sweep_file.MAX_POINTS` points.
    """
    try:
        fixed_base = with_overrides(base, spec.set) if spec.set else base
    except ScenarioOverrideError as error:
        raise ValueError(f"set: {error}") from None
    for path in spec.vary:
        if path in ("simulation.runs", "simulation.seed"):
            what = "runs" if path.endswith("runs") else "seed"
            raise ValueError(
                f"{path}: one {what} for all points (--{what}, or {what}: in a sweep file)"
            )
    data = fixed_base.model_dump(mode="python")
    factors = tuple(_factor(p, s, _value_at(data, p)) for p, s in spec.vary.items())
    size = design_size(spec.design, factors, spec.samples)
    if size > MAX_POINTS:
        raise ValueError(f"vary: {size:,} points; at most {MAX_POINTS:,} in one sweep")
    # Runs and seed as `sim run` would take them from the point's scenario (--set included).
    n_runs = spec.runs if runs is None else int(runs)
    n_runs = fixed_base.simulation.runs if n_runs is None else n_runs
    sweep_seed = spec.seed if seed is None else int(seed)
    sweep_seed = fixed_base.simulation.seed if sweep_seed is None else sweep_seed
    # A sampled design's own random numbers follow the sweep's seed.
    points = design_points(spec.design, factors, spec.samples, seed=sweep_seed)
    sweep = Sweep(
        name=spec.name or f"{base.name}-sweep",
        base=base,
        design=spec.design,
        factors=factors,
        points=points,
        runs=n_runs,
        seed=sweep_seed,
        samples=spec.samples,
        set=dict(spec.set),
        ci_width=spec.ci_width,
        max_runs=spec.max_runs,
    )
    # Every point's scenario, built and validated now: nothing fails once simulating.
    keep = sweep.n_points <= KEEP_SCENARIOS
    scenarios, keys, horizons = [], [], []
    for point in range(sweep.n_points):
        try:
            scenario = sweep.scenario(point)
        except ScenarioOverrideError as error:
            values = ", ".join(f"{k}={v!r}" for k, v in sweep.overrides(point).items())
            raise ValueError(f"{error} (at point {point}: {values})") from None
        keys.append(batch_key(scenario))
        horizons.append(scenario.simulation.horizon_days)
        if keep:
            scenarios.append(scenario)
    return dataclasses.replace(
        sweep, scenarios=tuple(scenarios), batch_keys=tuple(keys), horizons=tuple(horizons)
    )


# ------------------------------------------------------------------------ plan


@dataclass(frozen=True)
class Chunk:
    """One batch of runs: ``segments`` are (point, first run, stop run), end to end.

    Attributes
    ----------
    index : int
        The chunk's number in the sweep.
    segments : tuple of (int, int, int)
        ``(point, start, stop)``: runs ``start`` to ``stop - 1`` of the point.
    """

    index: int
    segments: tuple[tuple[int, int, int], ...]

    @property
    def size(self) -> int:
        """Number of runs in the chunk."""
        return sum(stop - start for _, start, stop in self.segments)

    @property
    def points(self) -> list[int]:
        """The points the chunk holds runs of, in order of their first segment."""
        return list(dict.fromkeys(p for p, _, _ in self.segments))


def point_groups(scenarios: Sequence[Scenario]) -> list[list[int]]:
    """Points that can share a model, in order of their first point."""
    groups: dict[str, list[int]] = {}
    for i, scenario in enumerate(scenarios):
        groups.setdefault(batch_key(scenario), []).append(i)
    return list(groups.values())


def plan_chunks(
    groups: Iterable[Sequence[int]],
    runs: int | Mapping[int, tuple[int, int]],
    width: int,
    first_index: int = 0,
) -> list[Chunk]:
    """Cut each group's runs, point by point, into chunks of at most ``width`` runs.

    ``runs``: every point's runs 0 to ``runs - 1``, or for some points a range
    ``(start, stop)`` of run indices (points not in it are skipped).  Chunks
    are numbered from ``first_index``.  A chunk never holds points of two
    groups.

    Parameters
    ----------
    groups : iterable of sequences of int
        Points that can share a model (:meth:`Sweep.groups`).
    runs : int or mapping of int to (int, int)
        Runs per point, or ``{point: (start, stop)}``.
    width : int
        The most runs in a chunk, at least 1.
    first_index : int, default 0
        The first chunk's number.

    Returns
    -------
    list of Chunk
        The chunks, numbered in order.

    Raises
    ------
    ValueError
        If ``width`` is below 1.
    """
    if width < 1:
        raise ValueError(f"chunk width must be at least 1, got {width}")
    chunks: list[Chunk] = []
    for group in groups:
        segments: list[tuple[int, int, int]] = []
        room = width
        for point in group:
            if isinstance(runs, Mapping):
                if point not in runs:
                    continue
                start, end = (int(v) for v in runs[point])
            else:
                start, end = 0, int(runs)
            while start < end:
                stop = min(end, start + room)
                segments.append((point, start, stop))
                room -= stop - start
                start = stop
                if room == 0:
                    chunks.append(Chunk(first_index + len(chunks), tuple(segments)))
                    segments, room = [], width
        if segments:
            chunks.append(Chunk(first_index + len(chunks), tuple(segments)))
    return chunks


# ------------------------------------------------------------------------ simulate

#: Per-run columns kept in a sweep's chunks (what the points table and the
#: per-run table need; the drawn parameters are added as ``param:`` columns).
RUN_COLUMNS = ("point", "run", "outcome", "conflict_state", "force_fate", *METRICS)


def simulate_chunk(
    scenarios: Sequence[Scenario],
    point_ids: Sequence[int],
    segments: Sequence[tuple[int, int, int]],
    seed: int,
    on_day: Callable[[], None] | None = None,
    all_columns: bool = False,
) -> pd.DataFrame:
    """Simulate one chunk: ``scenarios[i]`` is point ``point_ids[i]``'s scenario.

    Returns the chunk's per-run table (:data:`RUN_COLUMNS`, or with
    ``all_columns`` every column of ``sim run``'s table, and the drawn
    parameters), rows in segment order.

    Parameters
    ----------
    scenarios : sequence of Scenario
        The scenarios of the chunk's points, all of one model group (the first
        one's horizon and drawn parameters are the chunk's).
    point_ids : sequence of int
        The point each scenario belongs to.
    segments : sequence of (int, int, int)
        ``(point, start, stop)``: simulate runs ``start`` to ``stop - 1`` of
        the point.
    seed : int
        The sweep's seed.
    on_day : callable, optional
        Called with no arguments after every simulated day.
    all_columns : bool, default False
        Keep every column of the per-run table, not just :data:`RUN_COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        One row per run, with ``point`` and ``run`` columns and ``param:`` columns
        of the drawn parameters.
    """
    from sim.engine.model import CrisisModel
    from sim.experiments.runner import _to_frame

    local = {point: i for i, point in enumerate(point_ids)}
    runs = np.concatenate([np.arange(start, stop) for _, start, stop in segments])
    which = np.concatenate(
        [np.full(stop - start, local[point], dtype=np.int64) for point, start, stop in segments]
    )
    model = CrisisModel(list(scenarios), runs, seed, points=which)
    try:
        for _ in range(scenarios[0].simulation.horizon_days):
            model.step()
            if on_day is not None:
                on_day()
        columns = {
            "point": np.asarray(point_ids, dtype=np.int64)[which],
            "run": runs,
            **model.run_table(),
        }
        frame = _to_frame(columns)
        frame = frame if all_columns else frame[list(RUN_COLUMNS)]
        drawn = {
            f"param:{name}": model.params[name]
            for name, dist in uncertain_parameters(scenarios[0])
            if getattr(dist, "dist", "fixed") != "fixed"
        }
        return pd.concat([frame, pd.DataFrame(drawn)], axis=1) if drawn else frame
    finally:
        model.release()


# ------------------------------------------------------------------------ summarise


def points_table(runs: pd.DataFrame, sweep: Sweep) -> pd.DataFrame:
    """One row per point: its varied values, each outcome's probability with its 95%
    Wilson interval (``p:OUTCOME``, ``p:OUTCOME:low``, ``p:OUTCOME:high``), each
    force fate's probability (``p:force_fate:FATE``), the widest of the outcome
    intervals (``ci95_width_max``), each metric's mean (``mean:METRIC``, missing
    values left out) and median (``q50:METRIC``).

    Parameters
    ----------
    runs : pandas.DataFrame
        The sweep's per-run table (``point``, ``outcome``, ``force_fate`` and the
        metrics, as :func:`simulate_chunk` gives them).
    sweep : Sweep
        The sweep the runs belong to.

    Returns
    -------
    pandas.DataFrame
        One row per point of ``sweep``, in order: ``point``, the varied values,
        ``runs`` (the point's number of runs) and the columns above.
    """
    table = sweep.points.copy()
    table.insert(0, "point", np.arange(sweep.n_points))
    grouped = runs.groupby("point", observed=True, sort=True)
    n = grouped.size().reindex(table["point"], fill_value=0).to_numpy()
    table["runs"] = n
    trials = np.maximum(n, 1)
    columns: dict[str, np.ndarray] = {}
    for column, names, prefix in (
        ("outcome", OUTCOMES, "p:"),
        ("force_fate", FORCE_FATES, "p:force_fate:"),
    ):
        counts = (
            pd.crosstab(runs["point"], runs[column])
            .reindex(index=table["point"], columns=list(names), fill_value=0)
            .to_numpy()
        )
        for j, name in enumerate(names):
            k = counts[:, j]
            columns[f"{prefix}{name}"] = k / trials
            if column == "outcome":
                low, high = wilson_bounds(k, trials)
                columns[f"{prefix}{name}:low"] = low
                columns[f"{prefix}{name}:high"] = high
    widths = np.stack([columns[f"p:{o}:high"] - columns[f"p:{o}:low"] for o in OUTCOMES], axis=1)
    columns["ci95_width_max"] = widths.max(axis=1)
    means = grouped[list(METRICS)].mean().reindex(table["point"])
    medians = grouped[list(METRICS)].median().reindex(table["point"])
    for name in METRICS:
        columns[f"mean:{name}"] = means[name].to_numpy(dtype=float)
        columns[f"q50:{name}"] = medians[name].to_numpy(dtype=float)
    return pd.concat([table, pd.DataFrame(columns, index=table.index)], axis=1)


# ------------------------------------------------------------------------ execute


@dataclass(frozen=True)
class SweepResult:
    """A finished sweep: ``points`` one row per point (:func:`points_table`);
    ``runs`` the per-run table (``None`` unless kept); ``sensitivity`` the design's
    analysis of each outcome's probability (sobol and morris designs), else ``None``."""

    sweep: Sweep
    points: pd.DataFrame
    runs: pd.DataFrame | None
    sensitivity: pd.DataFrame | None
    chunks_run: int
    chunks_resumed: int
    chunks: int = 0
    precision: dict | None = None


class ChunkStore:
    """Where finished chunks go (:class:`sim.experiments.sweep_store.SweepStore` on disk); this
    one keeps them in memory."""

    def __init__(self) -> None:
        self._frames: dict[int, pd.DataFrame] = {}

    def finished(self) -> set[int]:
        return set(self._frames)

    def save(
        self, index: int, frame: pd.DataFrame, segments: Sequence[tuple[int, int, int]] = ()
    ) -> None:
        """Keep chunk ``index``, the runs of ``segments``."""
        self._frames[index] = frame

    def check(self, chunk: Chunk) -> str | None:
        """Why the stored chunk ``chunk.index`` cannot be used for ``chunk``, or ``None``."""
        return None

    def discard(self, index: int) -> None:
        """Forget chunk ``index`` (it will be run again)."""
        self._frames.pop(index, None)

    def load(self, index: int) -> pd.DataFrame:
        return self._frames[index]


class SchedulerLostError(SimError, ChildProcessError):
    """The Dask cluster went away during a sweep (one line; the stored chunks are kept)."""


class SweepIntegrityError(SimError, RuntimeError):
    """The chunks do not add up to the sweep's runs (one line); no table is returned."""


def check_runs_complete(point: np.ndarray, run: np.ndarray, runs_per_point: np.ndarray) -> None:
    """Refuse a per-run table in which some point's runs are not exactly ``0`` to
    ``runs_per_point[p] - 1``, each once."""
    point = np.asarray(point, dtype=np.int64)
    run = np.asarray(run, dtype=np.int64)
    expected = np.asarray(runs_per_point, dtype=np.int64)
    if point.size and (point.min() < 0 or point.max() >= expected.size):
        raise SweepIntegrityError("the stored chunks hold runs of points that are not in the sweep")
    counts = np.bincount(point, minlength=expected.size)
    order = np.lexsort((run, point))
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    position = np.arange(point.size) - starts
    bad = np.flatnonzero(counts != expected)
    afresh = "nothing was written (--restart runs the sweep afresh)"
    if bad.size:
        p = int(bad[0])
        raise SweepIntegrityError(
            f"point {p}: the chunks hold {int(counts[p]):,} runs where the sweep has "
            f"{int(expected[p]):,}; {afresh}"
        )
    if not np.array_equal(run[order], position):
        wrong = np.flatnonzero(run[order] != position)[0]
        p = int(point[order][wrong])
        raise SweepIntegrityError(
            f"point {p}: run {int(position[wrong])} is missing and another appears twice; {afresh}"
        )


def default_chunk_width(total_runs: int, workers: int) -> int:
    """Every worker gets work, no chunk wider than ``sim.experiments.runner.MAX_CHUNK_RUNS``."""
    from sim.experiments.runner import MAX_CHUNK_RUNS

    return max(1, min(MAX_CHUNK_RUNS, -(-total_runs // max(1, workers))))


@dataclass(frozen=True)
class _PointRecipe:
    """How to build a chunk's scenarios where they are simulated: the base scenario
    and each point's values (a few hundred bytes a point, not a scenario's 80 KB)."""

    base: Scenario
    overrides: tuple[dict, ...]

    def build(self) -> list[Scenario]:
        return [with_overrides(self.base, values) for values in self.overrides]


def _chunk_scenarios(sweep: Sweep, chunk: Chunk) -> Sequence[Scenario] | _PointRecipe:
    if sweep.scenarios:
        return [sweep.scenarios[p] for p in chunk.points]
    return _PointRecipe(sweep.base, tuple(sweep.overrides(p) for p in chunk.points))


def _sweep_worker(
    chunk: Chunk, scenarios: Sequence[Scenario] | _PointRecipe, seed: int
) -> pd.DataFrame:
    """A pool's task: one chunk (``scenarios`` holds just the chunk's points, or the
    recipe to build them)."""
    if isinstance(scenarios, _PointRecipe):
        scenarios = scenarios.build()
    from sim.experiments.runner import day_reporter

    points = chunk.points
    on_day = day_reporter(chunk.size)
    return simulate_chunk(scenarios, points, chunk.segments, seed, on_day)


def run_sweep(
    sweep: Sweep,
    workers: int = 1,
    chunk_runs: int | None = None,
    progress: bool = False,
    store: ChunkStore | None = None,
    scheduler: str | None = None,
    keep_runs: bool = False,
    ci_width: float | None = None,
    max_runs: int | None = None,
    notify: Callable[[str], None] | None = None,
) -> SweepResult:
    """Simulate every point of ``sweep`` and summarise it.

    ``workers`` processes on this machine, or the Dask cluster at
    ``scheduler`` (an address ``tcp://HOST:8786`` or a scheduler file's
    path).  ``store`` keeps finished chunks (:class:`ChunkStore`); chunks it
    already holds are not run again -- how a sweep resumes.  ``chunk_runs``:
    the widest chunk (default :func:`default_chunk_width`); results depend on
    neither it nor the executor.  ``keep_runs`` returns the per-run table too.

    ``notify``: called with a line for the user (stored chunks that fail their
    check and are run again).

    ``ci_width``: after the first ``sweep.runs`` runs of every point, points
    whose widest outcome interval is wider get more runs (the next run
    indices, in multiples of ``sweep.runs``, as many as the widest interval
    needs at its current estimate: :func:`sim.experiments.precision.runs_needed`), round
    after round, until every point is narrow enough or has ``max_runs``.  The
    decisions depend on the runs so far only, so a point with ``n`` runs holds
    exactly ``sim run --runs n``'s runs.
    """
    from sim.experiments.precision import runs_needed
    from sim.experiments.runner import cap_workers, progress_bar

    workers = cap_workers(workers)
    groups = sweep.groups()
    n_points = sweep.n_points
    cap = max(sweep.runs, int(max_runs)) if max_runs is not None else 100 * sweep.runs
    width = (
        default_chunk_width(n_points * sweep.runs, workers)
        if chunk_runs is None
        else int(chunk_runs)
    )
    store = ChunkStore() if store is None else store
    stored = store.finished()
    horizon = dict(enumerate(sweep.point_keys()[1]))
    logger.info(
        "sweep %s: %s point%s x %s runs, %d model group%s, chunks of at most %s runs, on %s",
        sweep.name, f"{n_points:,}", "s" if n_points > 1 else "", f"{sweep.runs:,}",
        len(groups), "s" if len(groups) > 1 else "", f"{width:,}",
        f"the Dask cluster {scheduler}" if scheduler is not None
        else f"{workers} worker process{'es' if workers > 1 else ''}",
    )  # fmt: skip
    bar = progress_bar(
        progress,
        0,
        sweep.name,
        "{desc}: {percentage:3.0f}%|{bar}| {postfix} [{elapsed}<{remaining}]",
    )
    have = np.zeros(n_points, dtype=np.int64)  # runs finished, per point
    target = np.full(n_points, sweep.runs, dtype=np.int64)
    counts = np.zeros((n_points, len(OUTCOMES)), dtype=np.int64)
    all_chunks: list[Chunk] = []
    chunks_run = chunks_resumed = rounds = 0

    def show() -> None:
        bar.set_postfix_str(
            f"{int((have >= target).sum()):,}/{n_points:,} points, "
            f"{int(have.sum()):,}/{int(target.sum()):,} runs"
            + (f", round {rounds + 1}" if ci_width is not None else ""),
            refresh=False,
        )

    class _Finished:
        """Where the executors put each finished chunk: stored, then counted."""

        def __setitem__(self, index: int, frame: pd.DataFrame) -> None:
            store.save(index, frame, all_chunks[index].segments)
            for point, start, stop in all_chunks[index].segments:
                have[point] += stop - start
            logger.debug(
                "chunk %d finished and stored (%s runs of point%s %s)",
                index, f"{all_chunks[index].size:,}",
                "s" if len(all_chunks[index].points) > 1 else "",
                _span(all_chunks[index].points),
            )  # fmt: skip
            show()

    finished = _Finished()
    try:
        while True:
            ranges = {p: (have[p], target[p]) for p in range(n_points) if target[p] > have[p]}
            if not ranges:
                break
            chunks = plan_chunks(groups, ranges, width, first_index=len(all_chunks))
            all_chunks += chunks
            done = set()
            damaged = []
            for chunk in chunks:
                if chunk.index in stored:
                    problem = store.check(chunk)
                    if problem is None:
                        done.add(chunk.index)
                    else:
                        store.discard(chunk.index)
                        damaged.append(f"chunk {chunk.index} ({problem})")
            if damaged and notify is not None:
                notify(
                    f"running {len(damaged)} stored chunk{'s' if len(damaged) > 1 else ''} "
                    f"again that failed {'their' if len(damaged) > 1 else 'its'} check: "
                    + "; ".join(damaged[:5])
                    + (f"; and {len(damaged) - 5} more" if len(damaged) > 5 else "")
                )
            bar.total += sum(c.size * horizon[c.segments[0][0]] for c in chunks)
            for chunk in chunks:
                if chunk.index in done:
                    for point, start, stop in chunk.segments:
                        have[point] += stop - start
            show()  # before the bar moves: a plain progress line shows it
            bar.update(sum(c.size * horizon[c.segments[0][0]] for c in chunks if c.index in done))
            todo = [c for c in chunks if c.index not in done]
            round_runs = sum(c.size for c in chunks)
            logger.info(
                "%s%d chunk%s (%s runs)%s",
                f"round {rounds + 1}: " if ci_width is not None else "",
                len(chunks), "s" if len(chunks) > 1 else "", f"{round_runs:,}",
                f": {len(done)} resumed from the store, {len(todo)} to run" if done else "",
            )  # fmt: skip
            _execute(todo, sweep, workers, scheduler, finished, bar, horizon)
            chunks_run += len(todo)
            chunks_resumed += len(done)
            rounds += 1
            if ci_width is None:
                break
            for chunk in chunks:
                frame = store.load(chunk.index)
                outcome = frame["outcome"].astype(str).to_numpy()
                point = frame["point"].to_numpy()
                for j, name in enumerate(OUTCOMES):
                    np.add.at(counts[:, j], point[outcome == name], 1)
            low, high = wilson_bounds(counts, have[:, None])
            wide = (high - low).max(axis=1) > ci_width
            for p in np.flatnonzero(wide & (have < cap)):
                need = runs_needed(counts[p], int(have[p]), ci_width)
                more = -(-max(need - int(have[p]), 1) // sweep.runs) * sweep.runs
                target[p] = min(cap, int(have[p]) + more)
            logger.info(
                "after round %d: %s of %s points have an outcome interval wider than %g; "
                "%s of them get more runs",
                rounds, f"{int(wide.sum()):,}", f"{n_points:,}", ci_width,
                f"{int((target > have).sum()):,}",
            )  # fmt: skip
    finally:
        bar.close()
    frames = [store.load(c.index) for c in all_chunks]
    runs = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    # The last guard: every point's runs 0 to n - 1, each once, or no table at all.
    check_runs_complete(runs["point"].to_numpy(), runs["run"].to_numpy(), have)
    if rounds > 1:
        runs = runs.sort_values(["point", "run"], kind="stable", ignore_index=True)
    points = points_table(runs, sweep)
    sensitivity = sensitivity_table(sweep, points)
    precision = None
    if ci_width is not None:
        reached = points["ci95_width_max"] <= ci_width
        precision = {
            "ci_width": float(ci_width),
            "max_runs_per_point": int(cap),
            "rounds": rounds,
            "points_reached": int(reached.sum()),
            "points": n_points,
            "runs": int(have.sum()),
        }
    return SweepResult(
        sweep,
        points,
        runs if keep_runs else None,
        sensitivity,
        chunks_run=chunks_run,
        chunks_resumed=chunks_resumed,
        chunks=len(all_chunks),
        precision=precision,
    )


def _span(points: list[int]) -> str:
    """``3`` or ``3 to 7``."""
    return f"{points[0]}" if len(points) == 1 else f"{points[0]} to {points[-1]}"


def _execute(todo, sweep: Sweep, workers, scheduler, finished, bar, horizon) -> None:
    """Run the chunks ``todo`` here, on a pool or on Dask; ``finished[index] = frame``."""
    chunks = {c.index: c for c in todo}
    if scheduler is None and (workers == 1 or len(todo) <= 1):
        for chunk in todo:  # each chunk's scenarios built when it runs

            def on_day(size: int = chunk.size) -> None:
                bar.update(size)

            recipe = _chunk_scenarios(sweep, chunk)
            scenarios = recipe.build() if isinstance(recipe, _PointRecipe) else recipe
            finished[chunk.index] = simulate_chunk(
                scenarios, chunk.points, chunk.segments, sweep.seed, on_day
            )
        return
    calls = [(c.index, _sweep_worker, (c, _chunk_scenarios(sweep, c), sweep.seed)) for c in todo]
    if scheduler is not None:
        _run_dask(calls, scheduler, finished, bar.update, horizon, chunks)
    else:
        from sim.experiments.runner import run_pool

        run_pool(calls, min(workers, len(calls)), finished, bar.update)


def scheduler_address(scheduler: str, timeout: float | None = None) -> str:
    """A Dask scheduler's address from ``--scheduler``: an existing file is a scheduler
    file (its ``address``), anything else an address (``tcp://`` if no protocol).
    With ``timeout``, also check that the scheduler answers (``OSError`` if not)."""
    from pathlib import Path

    path = Path(scheduler)
    if path.is_file():
        import json

        try:
            address = json.loads(path.read_text(encoding="utf-8"))["address"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(f"not a Dask scheduler file ({type(error).__name__})") from None
        if not isinstance(address, str) or not address:
            raise ValueError("not a Dask scheduler file (its address is not a text)")
    elif scheduler.endswith(".json") or (os.sep in scheduler and "://" not in scheduler):
        raise ValueError("no such scheduler file")
    else:
        address = scheduler if "://" in scheduler else f"tcp://{scheduler}"
    if timeout is not None:
        _check_answers(address, timeout)
    return address


def _check_answers(address: str, timeout: float) -> None:
    """Connect to the scheduler at ``address`` and disconnect, within ``timeout`` seconds
    whatever is at the other end: Dask's own timeout does not cover a server that
    accepts and never answers, and a server that answers another protocol can make it
    read a length of exabytes.  ``OSError`` (one line) when it does not answer as a
    Dask scheduler."""
    import threading

    outcome: list[BaseException | None] = []

    def connect() -> None:
        try:
            from dask.distributed import Client

            with Client(address, timeout=timeout):
                pass
            outcome.append(None)
        except BaseException as error:  # reported as one line below
            outcome.append(error)

    # A daemon thread: if the connection never returns, the command still ends.
    thread = threading.Thread(target=connect, name="sim-scheduler-check", daemon=True)
    thread.start()
    thread.join(timeout + 1.0)
    if not outcome:
        raise TimeoutError(f"no answer within {timeout:g} s")
    error = outcome[0]
    if error is None:
        return
    if isinstance(error, OSError | TimeoutError):
        raise OSError(str(error).splitlines()[0][:200] if str(error) else type(error).__name__)
    raise OSError(f"it does not answer as a Dask scheduler ({type(error).__name__})")


def _run_dask(calls, scheduler: str, finished, advance, horizon, chunks) -> None:
    """Run ``calls`` on a Dask cluster; results arrive in any order (they do not
    depend on it).  Unfinished tasks are cancelled on any exception."""
    import asyncio
    import concurrent.futures

    from dask.distributed import Client, as_completed
    from distributed.comm.core import CommClosedError

    address = scheduler_address(scheduler)
    # The cluster going away (a chunk's own error is none of these): the chunks already
    # finished are stored, and the sweep can be finished anywhere.
    lost = (
        asyncio.CancelledError,
        concurrent.futures.CancelledError,  # Dask's FutureCancelledError is one
        CommClosedError,
        TimeoutError,
        OSError,
    )

    def lost_error(error: BaseException) -> SchedulerLostError:
        return SchedulerLostError(
            f"the Dask scheduler {address} was lost ({type(error).__name__}); the finished "
            "chunks are kept: run the same command with --resume (without --scheduler to "
            "finish on this machine)"
        )

    try:
        client = Client(address, timeout=30)
    except lost as error:
        raise lost_error(error) from None
    with client:
        futures = {}
        try:
            for index, function, arguments in calls:
                future = client.submit(function, *arguments, pure=False)
                futures[future] = index
            done = as_completed(futures)
            while True:
                try:
                    future = next(done)
                    frame = future.result()
                except StopIteration:
                    break
                except lost as error:
                    raise lost_error(error) from None
                index = futures[future]
                finished[index] = frame  # stored: a failure here is the store's own
                chunk = chunks[index]
                advance(chunk.size * horizon[chunk.segments[0][0]])
        except BaseException:
            with contextlib.suppress(Exception):
                client.cancel(list(futures))
            raise


def sensitivity_table(sweep: Sweep, points: pd.DataFrame) -> pd.DataFrame | None:
    """The design's analysis (:mod:`sim.experiments.indices`) of each outcome's probability:
    one row per outcome and factor; ``None`` for designs without one."""
    from sim.experiments.indices import ANALYSES, INDEX_COLUMNS, analyze

    if sweep.design not in ANALYSES:
        return None
    rows = []
    for outcome in OUTCOMES:
        output = points[f"p:{outcome}"].to_numpy(dtype=float)
        if np.ptp(output) == 0:  # never (or always) happens: nothing to apportion
            columns = {name: np.nan for name in INDEX_COLUMNS[sweep.design]}
            table = pd.DataFrame({"factor": [f.path for f in sweep.factors], **columns})
        else:
            table = analyze(sweep.design, sweep.factors, sweep.points, output, seed=sweep.seed)
        table.insert(0, "outcome", outcome)
        rows.append(table)
    return pd.concat(rows, ignore_index=True)


# ------------------------------------------------------------------------ Python API


def _renamed(value: Any, old_value: Any, function: str, old: str) -> Any:
    """``set=``, or its deprecated old name (``fixed=``, ``overrides=``) with a warning."""
    if old_value is None:
        return value
    if value is not None:
        raise TypeError(f"{function}: give set= only ({old}= is its deprecated old name)")
    warnings.warn(
        f"{function}: {old}= is deprecated; use set= (the same values, named as the "
        "command line's --set and sweep files' set:)",
        DeprecationWarning,
        stacklevel=3,
    )
    return old_value


def load_sweep(file: str | Path, runs: int | None = None, seed: int | None = None) -> Sweep:
    """Load a sweep file (docs/sweeps.md) and its base scenario; resolve its points.

    ``runs`` and ``seed`` replace the file's.

    Parameters
    ----------
    file : str or pathlib.Path
        The sweep file.
    runs : int, optional
        Runs per point (default: the file's, else the base scenario's).
    seed : int, optional
        The seed (default: the file's, else the base scenario's).

    Returns
    -------
    Sweep
        The resolved sweep (:func:`resolve_sweep`).

    Raises
    ------
    sim.scenario.loader.ScenarioError
        On any problem -- in the sweep file, in its base scenario, or a varied
        value that makes some point's scenario invalid -- naming the file, the
        line and the key.
    """
    from sim.scenario.loader import read_sweep_file, sweep_error

    spec, base, provenance = read_sweep_file(file)
    try:
        return resolve_sweep(spec, base, runs=runs, seed=seed)
    except ValueError as error:
        raise sweep_error(str(error), Path(file), provenance, spec.vary) from None


def sweep(
    base: Scenario,
    vary: Mapping[str, Sequence[Level] | Mapping[str, float] | str],
    *,
    design: str = "grid",
    samples: int | None = None,
    runs: int | None = None,
    seed: int | None = None,
    set: Mapping[str, Any] | None = None,
    workers: int = 1,
    progress: bool = False,
    fixed: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Simulate ``base`` at the points of a design and return the points table.

    ``vary`` maps a dotted path to its levels (a list), a range
    (``{"low": 0, "high": 30000, "step": 2500}``; without ``step`` for sampled
    designs) or the command line's text (``"0:30000:2500"``, ``"0,0.5,1"``).
    ``set``: values set at every point (``sim sweep --set``, a sweep file's
    ``set:``).  One row per point
    (:func:`points_table`); with a sobol or morris design the analysis is in
    ``table.attrs["sensitivity"]``.  The same as ``sim sweep``; safe to call
    from a script without an ``if __name__ == "__main__":`` guard.

    Parameters
    ----------
    base : Scenario
        The base scenario.
    vary : mapping of str to list, mapping or str
        ``{dotted path: levels, range or text}``, as above.
    design : str, default "grid"
        ``grid``, ``latin``, ``sobol`` or ``morris`` (docs/sweeps.md).
    samples : int, optional
        The sampled designs' size: points (latin), base samples, a power of 2
        (sobol), or trajectories (morris).
    runs : int, optional
        Runs per point (default: the base scenario's, after ``set``).
    seed : int, optional
        The seed of every point (default: the base scenario's, after ``set``).
    set : mapping of str to object, optional
        ``{dotted path: value}`` set at every point.
    workers : int, default 1
        Processes to run the chunks on (capped at the available cores).
    progress : bool, default False
        Show progress on standard error: a bar on a terminal, else a line every
        :data:`sim.experiments.runner.PROGRESS_INTERVAL` seconds for a long sweep.
    fixed : mapping of str to object, optional
        Deprecated (a ``DeprecationWarning``): the old name of ``set``.

    Returns
    -------
    pandas.DataFrame
        The points table (:func:`points_table`); with a sobol or morris design,
        ``attrs["sensitivity"]`` holds the indices of each outcome's probability.

    Raises
    ------
    sim.errors.InputError
        If ``base`` is not a :class:`sim.Scenario`, or the sweep
        file's schema refuses a setting (an unknown design, ``samples`` below 1, a
        factor without levels; the message names the key).
    TypeError
        If both ``set`` and its old name ``fixed`` are given.
    ValueError
        If a range or a text in ``vary`` is malformed, or a factor, the design or
        a point's scenario is invalid (then the message starts with the
        offending key).
    """
    base = require_scenario(base, "base")
    values = _renamed(set, fixed, "sim.sweep", "fixed")
    factors: dict[str, list[Level] | RangeSpec] = {}
    for path, spec in vary.items():
        if isinstance(spec, str):
            spec = parse_vary(f"{path}={spec}")[1]
        elif isinstance(spec, Mapping):
            spec = RangeSpec(**spec)
        else:
            spec = list(spec)
        factors[path] = spec
    try:
        spec = SweepSpec(
            base=base.name, design=design, samples=samples, vary=factors, set=dict(values or {})
        )
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InputError(f"{where}: {first['msg']}") from None
    plan = resolve_sweep(spec, base, runs=runs, seed=seed)
    result = run_sweep(plan, workers=workers, progress=progress)
    table = result.points
    if result.sensitivity is not None:
        table.attrs["sensitivity"] = result.sensitivity
    return table


def evaluate(
    scenario: Scenario,
    set: Mapping[str, Any] | None = None,
    runs: int | None = None,
    seed: int | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, float]:
    """Each outcome's probability for ``scenario`` with the values of ``set`` set: the
    one-call model for external drivers (EMA Workbench, optimisers).  Run ``k`` is run
    ``k`` of ``sim run --set ...`` with those values, so two calls with the same seed
    share their draws.

    Parameters
    ----------
    scenario : Scenario
        The scenario to start from.
    set : mapping of str to object, optional
        ``{dotted path: value}`` to set, as ``sim run --set PATH=VALUE``
        (:func:`sim.scenario.overrides.with_overrides`).
    runs : int, optional
        Number of runs (default: the scenario's ``simulation.runs``).
    seed : int, optional
        The seed (default: the scenario's ``simulation.seed``).
    overrides : mapping of str to object, optional
        Deprecated (a ``DeprecationWarning``): the old name of ``set``.

    Returns
    -------
    dict of str to float
        Every headline outcome's share of the runs, zero included.

    Raises
    ------
    sim.errors.InputError
        If ``scenario`` is not a :class:`sim.Scenario`, or
        ``runs`` or ``seed`` is not a whole number at least its minimum.
    sim.scenario.overrides.ScenarioOverrideError
        If a value of ``set`` names no key or has a value the schema refuses.
    TypeError
        If both ``set`` and its old name ``overrides`` are given.
    """
    from sim.experiments.runner import run

    scenario = require_scenario(scenario)
    values = _renamed(set, overrides, "sim.evaluate", "overrides")
    point = with_overrides(scenario, values) if values else scenario
    table = run(point, runs=runs, seed=seed)
    shares = table["outcome"].value_counts(normalize=True)
    return {name: float(shares.get(name, 0.0)) for name in OUTCOMES}
