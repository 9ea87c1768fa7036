"""Daily variables summarised over runs, chunk by chunk, in memory that does not grow with runs.

:class:`DailyCounts` keeps, for each daily variable and day, how many runs had
each value.  The daily variables take few distinct values (an escalation
level, a yes/no, a force size made of whole pledges, a casualty count), so
these tables stay small however many runs are added, and they are enough for
*exact* per-day shares, means and quantiles: the quantiles are numpy's default
("linear") method applied to the order statistics the counts locate, the same
numbers ``np.quantile`` gives on all the runs' values.  Adding chunks in any
order gives the same tables (counts are integers), so results do not depend on
how runs were split over chunks or workers.

:meth:`DailyCounts.quantile_table` is ``trajectory_quantiles.parquet`` and
:meth:`DailyCounts.daily_states` is ``daily_states.parquet`` (both described
in :mod:`sim.results.store`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.engine.outcomes import ESCALATION_LEVELS

__all__ = ["QUANTILES", "DailyCounts"]

#: The quantile levels reported of every daily variable and every per-run metric.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def _quantile_columns() -> list[str]:
    return [f"q{round(q * 100):02d}" for q in QUANTILES]


def _order_statistics(values: np.ndarray, counts: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """Per row of ``counts`` (days x distinct values), the value of 0-based rank ``ranks``."""
    cumulative = np.cumsum(counts, axis=1)
    index = np.empty(ranks.shape, dtype=np.int64)
    for day in range(counts.shape[0]):
        # The value at rank r is the first whose cumulative count exceeds r.
        index[day] = np.searchsorted(cumulative[day], ranks[day], side="right")
    return values[np.minimum(index, values.size - 1)]


def _numpy_linear_quantiles(values: np.ndarray, counts: np.ndarray, n: np.ndarray) -> np.ndarray:
    """``np.quantile(..., method="linear")`` of each day's runs, from value counts.

    Reproduces numpy's arithmetic (virtual index ``(n - 1) * q`` and its
    two-sided ``_lerp``) so that the result equals ``np.quantile`` on the runs'
    values bit for bit.  Days with ``n == 0`` give NaN.  Shape (quantiles, days).
    """
    out = np.full((len(QUANTILES), counts.shape[0]), np.nan)
    has = n > 0
    if not has.any():
        return out
    counts, n = counts[has], n[has]
    for i, q in enumerate(QUANTILES):
        virtual = (n - 1) * q
        lower = np.floor(virtual)
        gamma = virtual - lower
        lo = np.clip(lower.astype(np.int64), 0, n - 1)
        hi = np.clip(lo + 1, 0, n - 1)
        a = _order_statistics(values, counts, lo[:, None])[:, 0]
        b = _order_statistics(values, counts, hi[:, None])[:, 0]
        diff = b - a
        result = a + diff * gamma
        upper = gamma >= 0.5
        result[upper] = (b - diff * (1 - gamma))[upper]
        out[i, has] = result
    return out


def _unique_with_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` by hashing (``pandas.factorize``), not sorting.

    Daily variables take few distinct values among millions, so hashing and
    sorting only the distinct values is several times faster than a full sort.
    """
    if values.dtype.kind in "bui" and values.size:
        # Booleans and small integers (escalation levels): counted by offset, no hashing.
        low = int(values.min())
        offset = values.astype(np.int64) - low
        if int(offset.max()) < 1 << 16:
            present = np.bincount(offset) > 0
            rank = np.cumsum(present) - 1
            distinct = (np.flatnonzero(present) + low).astype(values.dtype)
            return distinct, rank[offset]
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    distinct = np.asarray(distinct)
    order = np.argsort(distinct, kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return distinct[order], rank[codes]


class DailyCounts:
    """Per daily variable and day, the number of runs at each value (see the module docstring).

    ``days``: the horizon.  Add each chunk's trajectories with :meth:`add`.
    """

    def __init__(self, days: int) -> None:
        self.days = int(days)
        self.runs = 0
        #: Per variable: its distinct values (sorted, float64) and counts (days x values).
        self.values: dict[str, np.ndarray] = {}
        self.counts: dict[str, np.ndarray] = {}

    def add(self, trajectories: dict[str, np.ndarray]) -> None:
        """Count one chunk's daily values, ``{variable: array of shape (days, runs)}``."""
        runs = None
        for name, array in trajectories.items():
            days, runs = array.shape
            if days != self.days:
                raise ValueError(f"{name}: {days} days, expected {self.days}")
            distinct, codes = _unique_with_codes(array.reshape(-1))
            width = distinct.size
            day = np.repeat(np.arange(days, dtype=np.int64), runs)
            counts = np.bincount(day * width + codes.reshape(-1), minlength=days * width)
            self._merge(name, distinct.astype(np.float64), counts.reshape(days, width))
        if runs is not None:
            self.runs += runs

    def merge(self, other: DailyCounts) -> None:
        """Add the counts of another batch of runs (counted with :meth:`add`)."""
        if other.days != self.days:
            raise ValueError(f"{other.days} days, expected {self.days}")
        for name, values in other.values.items():
            self._merge(name, values, other.counts[name])
        self.runs += other.runs

    def _merge(self, name: str, values: np.ndarray, counts: np.ndarray) -> None:
        if name not in self.values:
            self.values[name], self.counts[name] = values, counts.astype(np.int64)
            return
        old_values, old_counts = self.values[name], self.counts[name]
        merged = np.union1d(old_values, values)
        total = np.zeros((self.days, merged.size), dtype=np.int64)
        total[:, np.searchsorted(merged, old_values)] += old_counts
        total[:, np.searchsorted(merged, values)] += counts
        self.values[name], self.counts[name] = merged, total

    # ------------------------------------------------------------------ tables

    def quantile_table(self) -> pd.DataFrame:
        """Per variable and day: mean and 5/25/50/75/95% quantiles over runs (long format)."""
        frames = []
        for name, counts in self.counts.items():
            values = self.values[name]
            n = counts.sum(axis=1)
            frame = pd.DataFrame(
                {"variable": name, "day": np.arange(self.days), "mean": counts @ values / n}
            )
            quantiles = _numpy_linear_quantiles(values, counts, n)
            for column, row in zip(_quantile_columns(), quantiles, strict=True):
                frame[column] = row
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def daily_states(self) -> pd.DataFrame:
        """Per day: share of runs at each escalation level, and where a force is in place.

        Columns as in :func:`sim.results.store.daily_states`; troops statistics are over
        the runs with ``troops_deployed > 0`` that day (missing, NaN, when there are none).
        """
        frame = pd.DataFrame({"day": np.arange(self.days)})
        levels = self.values["escalation_level"]
        level_counts = self.counts["escalation_level"]
        unknown = set(levels.tolist()) - set(ESCALATION_LEVELS.values())
        if unknown:
            raise ValueError("escalation_level holds values outside the escalation ladder")
        for name, level in ESCALATION_LEVELS.items():
            column = np.flatnonzero(levels == level)
            count = level_counts[:, column[0]] if column.size else np.zeros(self.days, int)
            frame[name] = count / self.runs

        troops = self.values["troops_deployed"]
        present = troops > 0
        values, counts = troops[present], self.counts["troops_deployed"][:, present]
        with_force = counts.sum(axis=1)
        frame["force_in_place"] = with_force / self.runs
        frame["runs_with_force"] = with_force
        with np.errstate(invalid="ignore", divide="ignore"):
            frame["troops_in_place_mean"] = np.where(
                with_force > 0, (counts @ values) / with_force, np.nan
            )
        quantiles = np.full((len(QUANTILES), self.days), np.nan)
        has = with_force > 0
        if has.any():
            n = with_force[has]
            for i, q in enumerate(QUANTILES):
                # The interpolation of numpy's linear quantiles: x_lo + (h - lo)(x_hi - x_lo).
                h = q * (n - 1)
                lo = np.floor(h).astype(np.int64)
                hi = np.minimum(lo + 1, n - 1)
                x_lo = _order_statistics(values, counts[has], lo[:, None])[:, 0]
                x_hi = _order_statistics(values, counts[has], hi[:, None])[:, 0]
                quantiles[i, has] = x_lo + (h - lo) * (x_hi - x_lo)
        for q, row in zip(QUANTILES, quantiles, strict=True):
            frame[f"troops_in_place_q{round(q * 100):02d}"] = row
        return frame
