"""Sensitivity analyses of a sampled sweep: one function per design, as in SALib.

:data:`ANALYSES` maps a design of :mod:`sim.experiments.designs` to the analysis its
sample was made for:

``sobol``
    first-order (S1) and total-order (ST) Sobol' indices with 95% bootstrap
    confidence intervals (Saltelli et al. 2010 estimators, Jansen's for ST),
    SALib's ``SALib.analyze.sobol.analyze`` with ``calc_second_order=False``;
``morris``
    Morris's mean absolute elementary effect mu* (Campolongo et al. 2007) with
    its 95% bootstrap interval, the mean mu and the standard deviation sigma,
    SALib's ``SALib.analyze.morris.analyze``.

Each takes the factors, the design's points (in the design's order) and one
output value per point -- for a sweep, an outcome's probability at each point
-- and returns one row per factor.  The output of a Monte Carlo simulation is
itself an estimate: its noise adds to the indices (for Sobol', it inflates
every index by roughly the noise's share of the output's variance).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from sim.experiments.designs import MORRIS_LEVELS, Factor, problem_of

__all__ = ["ANALYSES", "INDEX_COLUMNS", "analyze"]

#: The columns each analysis gives, after ``factor``.
INDEX_COLUMNS = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu_star", "mu_star_conf", "mu", "sigma"),
}


def sobol(
    factors: Sequence[Factor], points: pd.DataFrame, output: np.ndarray, seed: int = 0
) -> pd.DataFrame:
    """First- and total-order Sobol' indices, with 95% confidence half-widths."""
    from SALib.analyze import sobol as salib_sobol

    del points  # Saltelli's estimators read the outputs in the sample's order only
    result = salib_sobol.analyze(
        problem_of(factors),
        np.asarray(output, dtype=float),
        calc_second_order=False,
        conf_level=0.95,
        seed=int(seed),
    )
    return pd.DataFrame(
        {
            "factor": [f.path for f in factors],
            "S1": result["S1"],
            "S1_conf": result["S1_conf"],
            "ST": result["ST"],
            "ST_conf": result["ST_conf"],
        }
    )


def morris(
    factors: Sequence[Factor], points: pd.DataFrame, output: np.ndarray, seed: int = 0
) -> pd.DataFrame:
    """Morris's mu*, its 95% confidence half-width, mu and sigma for each factor."""
    from SALib.analyze import morris as salib_morris

    result = salib_morris.analyze(
        problem_of(factors),
        points[[f.path for f in factors]].to_numpy(dtype=float),
        np.asarray(output, dtype=float),
        conf_level=0.95,
        num_levels=MORRIS_LEVELS,
        seed=int(seed),
    )
    return pd.DataFrame(
        {
            "factor": [f.path for f in factors],
            "mu_star": result["mu_star"],
            "mu_star_conf": result["mu_star_conf"],
            "mu": result["mu"],
            "sigma": result["sigma"],
        }
    )


#: Design name -> analysis(factors, points, output, seed) -> one row per factor.
ANALYSES: dict[str, Callable[..., pd.DataFrame]] = {"sobol": sobol, "morris": morris}


def analyze(
    design: str,
    factors: Sequence[Factor],
    points: pd.DataFrame,
    output: np.ndarray,
    seed: int = 0,
) -> pd.DataFrame:
    """The analysis made for ``design`` (see :data:`ANALYSES`)."""
    if design not in ANALYSES:
        raise ValueError(f"no sensitivity analysis for the {design} design")
    return ANALYSES[design](factors, points, output, seed)
