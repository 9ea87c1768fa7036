"""Experimental designs: which points of the parameter space a sweep simulates.

A design turns factors -- scenario values by dotted path, each with levels or a
range -- into a table of points, one row per point and one column per factor.
One function per design, listed in :data:`DESIGNS` (name -> function):

``grid``
    every combination of every factor's levels (a full factorial), first factor
    slowest;
``latin``
    Latin hypercube sample of ``samples`` points (McKay, Beckman & Conover
    1979), SALib's ``SALib.sample.latin.sample``;
``sobol``
    Saltelli's extension of a scrambled Sobol' sequence for first- and
    total-order Sobol' indices (Saltelli 2002; Saltelli et al. 2010):
    ``samples`` x (factors + 2) points, SALib's ``SALib.sample.sobol.sample``
    with ``calc_second_order=False``; ``samples`` must be a power of 2;
``morris``
    Morris's elementary-effects trajectories (Morris 1991; Campolongo,
    Cariboni & Saltelli 2007): ``samples`` trajectories of factors + 1 points
    on a 4-level grid, SALib's ``SALib.sample.morris.sample``.

The matching analyses are in :mod:`sim.experiments.indices`.  Sampled designs need a range
(``low``, ``high``) for every factor; an integer factor's sampled values are
rounded to the nearest integer.  Every design is a pure function of its
factors, ``samples`` and ``seed``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["DESIGNS", "Factor", "design_points", "design_size", "problem_of"]


@dataclass(frozen=True)
class Factor:
    """One varied scenario value: its dotted path and its levels or its range.

    ``levels``: the values a grid takes (numbers, booleans or strings).
    ``low``/``high``: the range a sampled design draws from.  ``integer``:
    sampled values are rounded (the scenario field holds an integer).
    """

    path: str
    levels: tuple | None = None
    low: float | None = None
    high: float | None = None
    integer: bool = False

    @property
    def is_range(self) -> bool:
        return self.low is not None and self.high is not None


def problem_of(factors: Sequence[Factor]) -> dict:
    """SALib's problem definition for ``factors`` (each needs a range)."""
    return {
        "num_vars": len(factors),
        "names": [f.path for f in factors],
        "bounds": [[float(f.low), float(f.high)] for f in factors],
    }


def _needs_ranges(design: str, factors: Sequence[Factor]) -> None:
    for factor in factors:
        if not factor.is_range:
            raise ValueError(
                f"{factor.path}: the {design} design needs a range (low and high, e.g. "
                f"{factor.path}=1:3), not a list of levels"
            )


def _table(factors: Sequence[Factor], values: np.ndarray) -> pd.DataFrame:
    columns = {}
    for j, factor in enumerate(factors):
        column = values[:, j]
        columns[factor.path] = np.rint(column).astype(np.int64) if factor.integer else column
    return pd.DataFrame(columns)


def grid(factors: Sequence[Factor], samples: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Every combination of the factors' levels (``samples`` and ``seed`` unused)."""
    for factor in factors:
        if factor.levels is None:
            raise ValueError(
                f"{factor.path}: the grid design needs levels (a list, or low:high:step)"
            )
    rows = list(itertools.product(*(f.levels for f in factors)))
    return pd.DataFrame(rows, columns=[f.path for f in factors])


def latin(factors: Sequence[Factor], samples: int | None, seed: int = 0) -> pd.DataFrame:
    """Latin hypercube of ``samples`` points over the factors' ranges."""
    from SALib.sample import latin as salib_latin

    _needs_ranges("latin", factors)
    _positive("latin", samples)
    values = salib_latin.sample(problem_of(factors), int(samples), seed=int(seed))
    return _table(factors, values)


def sobol(factors: Sequence[Factor], samples: int | None, seed: int = 0) -> pd.DataFrame:
    """Saltelli's sample for first- and total-order Sobol' indices."""
    from SALib.sample import sobol as salib_sobol

    _needs_ranges("sobol", factors)
    _positive("sobol", samples)
    if samples & (samples - 1):
        raise ValueError(
            f"samples: the sobol design needs a power of 2 (Sobol' sequences lose their "
            f"balance otherwise), got {samples}"
        )
    values = salib_sobol.sample(
        problem_of(factors), int(samples), calc_second_order=False, seed=int(seed)
    )
    return _table(factors, values)


#: Levels of the Morris grid (SALib's default; Saltelli et al. 2008 recommend 4).
MORRIS_LEVELS = 4


def morris(factors: Sequence[Factor], samples: int | None, seed: int = 0) -> pd.DataFrame:
    """``samples`` Morris trajectories (factors + 1 points each); at least 2, since the
    spread of the elementary effects (``sigma``) needs two."""
    from SALib.sample import morris as salib_morris

    _needs_ranges("morris", factors)
    _positive("morris", samples)
    if samples < 2:
        raise ValueError(
            "samples: the morris design needs at least 2 trajectories (the spread of the "
            "elementary effects, sigma, needs two)"
        )
    values = salib_morris.sample(
        problem_of(factors), int(samples), num_levels=MORRIS_LEVELS, seed=int(seed)
    )
    return _table(factors, values)


def _positive(design: str, samples: int | None) -> None:
    if samples is None or samples < 1:
        raise ValueError(f"samples: the {design} design needs samples (a positive integer)")


#: Design name -> function(factors, samples, seed) -> points table.
DESIGNS: dict[str, Callable[..., pd.DataFrame]] = {
    "grid": grid,
    "latin": latin,
    "sobol": sobol,
    "morris": morris,
}


def design_size(design: str, factors: Sequence[Factor], samples: int | None = None) -> int:
    """How many points ``design`` makes (computed, not built: a check before building)."""
    n = len(factors)
    if design == "grid":
        size = 1
        for factor in factors:
            size *= len(factor.levels) if factor.levels is not None else 1
        return size
    samples = samples or 0
    return {"latin": samples, "sobol": samples * (n + 2), "morris": samples * (n + 1)}.get(
        design, 0
    )


def design_points(
    design: str, factors: Sequence[Factor], samples: int | None = None, seed: int = 0
) -> pd.DataFrame:
    """The points of ``design`` over ``factors``: one row per point, a column per path."""
    if design not in DESIGNS:
        raise ValueError(f"design: {design!r} is not one of: {', '.join(DESIGNS)}")
    if not factors:
        raise ValueError("vary: a sweep needs at least one varied value")
    paths = [f.path for f in factors]
    if len(set(paths)) != len(paths):
        twice = next(p for p in paths if paths.count(p) > 1)
        raise ValueError(f"{twice}: varied twice")
    return DESIGNS[design](factors, samples, seed).reset_index(drop=True)
