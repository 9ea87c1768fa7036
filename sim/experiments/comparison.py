"""Scenario comparison on common random numbers.

Every scenario is run with the same seed, so run ``k`` of each draws the same
random numbers for what the scenarios share (:mod:`sim.engine.streams`: draws depend
on the seed, the run and the purpose only).  Each outcome's probability in
scenario ``j`` is compared with the first scenario's by the paired
difference over runs,
``d_k = 1[run k of j ends in the outcome] - 1[run k of the first does]``:
its mean and its standard error ``sd(d) / sqrt(n)``.  The standard error
independent samples would have, ``sqrt(p1 (1 - p1) / n + pj (1 - pj) / n)``,
is reported next to it: their ratio is the variance reduction that common
random numbers buy (Law, *Simulation Modeling and Analysis*, 5th ed., 2015,
§11.2).

The 95% interval of the difference is Bonett & Price's adjusted Wald interval
for paired proportions (2012, *Journal of Educational and Behavioral
Statistics* 37: 479-488): the Wald interval after adding 1 to each count of
discordant runs and 2 to the number of runs.  The plain Wald interval
``mean ± 1.96 se`` covers too rarely when the runs that differ are few (92%
instead of 95% for a difference of 0.05 over 400 runs) and has zero width
when none differ; Agresti & Min's 1/2-per-cell version still fell to 87-90%
for differences of 0.005-0.01 over 400 runs, Bonett & Price's stayed at or
above 94% in every case tried (this package's tests check two).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.engine.outcomes import OUTCOMES
from sim.errors import InputError, whole_number
from sim.results.summary import wilson_bounds
from sim.scenario.schema import Scenario, require_scenario

logger = logging.getLogger(__name__)

__all__ = ["Z95", "compare", "compare_tables", "paired_interval"]

#: The standard normal's 97.5% quantile.
Z95 = 1.959963984540054


def compare_tables(names: Sequence[str], outcomes: Sequence[pd.Series]) -> pd.DataFrame:
    """The comparison of per-run outcome columns of equal length (run k in row k).

    One row per scenario and outcome: ``probability`` with its Wilson 95%
    interval, and against the first scenario ``difference``, its interval
    (``difference_low``/``_high``), ``se_paired`` and ``se_independent``.

    Parameters
    ----------
    names : sequence of str
        The scenarios' names, one per column.
    outcomes : sequence of pandas.Series
        Each scenario's ``outcome`` column of the per-run table, all of one length.

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario``, ``outcome``, ``runs``, ``probability``, ``low``,
        ``high`` (its Wilson 95% interval), ``difference``, ``difference_low``,
        ``difference_high`` (:func:`paired_interval`), ``se_paired`` and
        ``se_independent``; the first scenario's differences are 0.

    Raises
    ------
    ValueError
        If the columns are not all of one length, or there are not as many names
        as columns.
    """
    n = len(outcomes[0])
    if any(len(o) != n for o in outcomes):
        raise ValueError("every scenario needs the same runs to be paired")
    first = {o: (outcomes[0].to_numpy() == o).astype(float) for o in OUTCOMES}
    rows = []
    for name, column in zip(names, outcomes, strict=True):
        values = column.to_numpy()
        for outcome in OUTCOMES:
            hits = (values == outcome).astype(float)
            k = hits.sum()
            low, high = wilson_bounds(np.array([k]), np.array([n]))
            d = hits - first[outcome]
            mean = float(d.mean())
            se = float(d.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
            low_d, high_d = paired_interval(int((d > 0).sum()), int((d < 0).sum()), n)
            p1, pj = first[outcome].mean(), k / n
            se_independent = math.sqrt(p1 * (1 - p1) / n + pj * (1 - pj) / n)
            rows.append(
                {
                    "scenario": name,
                    "outcome": outcome,
                    "runs": n,
                    "probability": k / n,
                    "low": float(low[0]),
                    "high": float(high[0]),
                    "difference": mean,
                    "difference_low": low_d,
                    "difference_high": high_d,
                    "se_paired": se,
                    "se_independent": se_independent,
                }
            )
    return pd.DataFrame(rows)


def paired_interval(gained: int, lost: int, n: int) -> tuple[float, float]:
    """95% interval of a paired difference of proportions from its discordant runs:
    ``gained`` where only the second scenario has the outcome, ``lost`` where only
    the first has it, of ``n`` runs (Bonett & Price 2012).

    Parameters
    ----------
    gained : int
        Runs in which only the second scenario has the outcome.
    lost : int
        Runs in which only the first scenario has it.
    n : int
        Runs in all.

    Returns
    -------
    low, high : float
        The interval of the difference (second minus first), within [-1, 1].
    """
    p_gained, p_lost = (gained + 1) / (n + 2), (lost + 1) / (n + 2)
    centre = p_gained - p_lost
    half = Z95 * math.sqrt(max(p_gained + p_lost - centre**2, 0.0) / (n + 2))
    return max(centre - half, -1.0), min(centre + half, 1.0)


def compare(
    scenarios: Sequence[Scenario],
    runs: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    progress: bool = False,
) -> pd.DataFrame:
    """Run each scenario with the same runs and seed (default: the first scenario's)
    and compare them with the first (:func:`compare_tables`).

    Parameters
    ----------
    scenarios : sequence of Scenario
        Two or more scenarios; the first is the reference.
    runs : int, optional
        Runs of each scenario (default: the first scenario's ``simulation.runs``).
    seed : int, optional
        The seed of every scenario (default: the first scenario's).
    workers : int, default 1
        Processes to run each scenario on (capped at the available cores).
    progress : bool, default False
        Show a progress bar on standard error (when it is a terminal).

    Returns
    -------
    pandas.DataFrame
        One row per scenario and outcome (:func:`compare_tables`); scenarios of
        one name are numbered (``name (2)``).

    Raises
    ------
    sim.errors.InputError
        If an element is not a :class:`sim.Scenario`, there are
        fewer than two, or ``runs`` or ``seed`` is not a whole number at least
        its minimum.
    """
    from sim.experiments.runner import run

    scenarios = [require_scenario(s, "each scenario") for s in scenarios]
    if len(scenarios) < 2:
        raise InputError("a comparison needs at least two scenarios")
    n = scenarios[0].simulation.runs if runs is None else whole_number("runs", runs, 1)
    seed = scenarios[0].simulation.seed if seed is None else whole_number("seed", seed, 0)
    names = _unique_names([s.name for s in scenarios])
    logger.info(
        "comparing %s on common random numbers: %s runs each (seed %d)",
        ", ".join(names), f"{n:,}", seed,
    )  # fmt: skip
    outcomes = [
        run(s, runs=n, seed=seed, workers=workers, progress=progress)["outcome"] for s in scenarios
    ]
    return compare_tables(names, outcomes)


def _unique_names(names: Sequence[str]) -> list[str]:
    """Scenario names, numbered where two are the same."""
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique
