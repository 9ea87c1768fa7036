"""One-at-a-time sensitivity with common random numbers, and paired differences.

:func:`parameter_ranges` gives every numeric scenario parameter a low and a
high value: the ends of its distribution's support (a normal without bounds:
mean ± 2 sd), or, for a fixed value ``v``, ``v/2`` and ``3v/2`` (clipped to the
parameter's interval; 0 and 1 for a fixed 0).  :func:`screen` runs the
scenario with each parameter fixed at its low and at its high value, all
other parameters drawn as usual from the *same* streams (the model draws each
parameter and each random event from its own named stream, :mod:`sim.engine.streams`),
and reports the paired difference of each metric, high minus low, with its
standard error -- the difference within runs that share every other draw.

:func:`distribution_sobol` is the global counterpart: first- and total-order
Sobol' indices of outcome probabilities over every uncertain parameter at
once, each varied over its own distribution (Saltelli's sample of a scrambled
Sobol' sequence in the unit cube, mapped through each distribution's quantile
function; SALib's ``sample.sobol`` and ``analyze.sobol``, Saltelli et al. 2010).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.engine.parameters import uncertain_parameters
from sim.scenario.distributions import Fixed, Normal
from sim.scenario.overrides import with_overrides
from sim.scenario.schema import Scenario

__all__ = [
    "ParameterRange",
    "distribution_sobol",
    "paired_difference",
    "parameter_ranges",
    "scale_states",
    "screen",
]

# Integer fields that are parameters (the rest of the schema's integers are
# simulation settings: runs, seed, horizon).
INTEGER_PARAMETERS = (
    "actors.coalition.risk_window_days",
    "ceasefire.durable_after_days",
    "sanctions.relief_after_days",
)


@dataclass(frozen=True)
class ParameterRange:
    """A parameter's dotted path and the low and high values a screen sets it to.

    Attributes
    ----------
    path : str
        The parameter's dotted path.
    low, high : float
        The values :func:`screen` fixes it at.
    integer : bool, default False
        The parameter holds an integer (the values are set as ``int``).
    """

    path: str
    low: float
    high: float
    integer: bool = False


def _bounds_of(path: str) -> tuple[float, float]:
    probability_like = (
        "probability",
        "credibility",
        "domestic_support",
        "casualty_rate_per_attack",
        "war_casualty_exposure",
        "discount",
        "penalty",
        "reduction",
        "prior_resolute",
    )
    if any(word in path for word in probability_like):
        return 0.0, 1.0
    return 0.0, math.inf


def parameter_ranges(scenario: Scenario) -> list[ParameterRange]:
    """Low and high values of every numeric parameter of ``scenario`` (module docstring).

    Parameters
    ----------
    scenario : Scenario
        The scenario whose parameters to range.

    Returns
    -------
    list of ParameterRange
        One per uncertain parameter, clipped to the parameter's interval, then
        one per integer parameter (half and one and a half times its value, at
        least 1 and 2).
    """
    ranges = []
    for path, dist in uncertain_parameters(scenario):
        lo_bound, hi_bound = _bounds_of(path)
        if isinstance(dist, Fixed):
            v = float(dist.value)
            low, high = (v / 2, 1.5 * v) if v != 0 else (0.0, 1.0)
        elif isinstance(dist, Normal) and not all(math.isfinite(b) for b in dist.support()):
            low, high = dist.mean - 2 * dist.sd, dist.mean + 2 * dist.sd
        else:
            low, high = dist.support()
        ranges.append(ParameterRange(path, max(low, lo_bound), min(high, hi_bound)))
    data = scenario.model_dump(mode="python")
    for path in INTEGER_PARAMETERS:
        node = data
        for key in path.split("."):
            node = node[key]
        v = int(node)
        ranges.append(ParameterRange(path, max(1, v // 2), max(2, (3 * v) // 2), integer=True))
    return ranges


def scale_states(scenario: Scenario, field: str, factor: float) -> Scenario:
    """``scenario`` with one fixed per-state value (e.g. ``casualty_sensitivity``)
    multiplied by ``factor`` in every coalition state.

    Parameters
    ----------
    scenario : Scenario
        The scenario to start from.
    field : str
        A field of each state under ``actors.coalition.states``.
    factor : float
        The multiplier.

    Returns
    -------
    Scenario
        The new scenario, validated.

    Raises
    ------
    ValueError
        If the value is not fixed in some state (a distribution).
    """
    overrides = {}
    for name, state in scenario.actors.coalition.states.items():
        value = getattr(state, field)
        if not isinstance(value, Fixed):
            raise ValueError(f"actors.coalition.states.{name}.{field}: not a fixed value")
        overrides[f"actors.coalition.states.{name}.{field}"] = factor * float(value.value)
    return with_overrides(scenario, overrides)


def paired_difference(high: pd.Series | np.ndarray, low: pd.Series | np.ndarray):
    """Mean of ``high - low`` over paired runs and its standard error.

    Parameters
    ----------
    high, low : pandas.Series or numpy.ndarray
        One value per run, run ``k`` of each paired.

    Returns
    -------
    mean : float
        The mean difference.
    se : float
        Its standard error, ``sd / sqrt(n)`` (NaN for a single run).
    """
    diff = np.asarray(high, dtype=float) - np.asarray(low, dtype=float)
    se = float(diff.std(ddof=1) / math.sqrt(diff.size)) if diff.size > 1 else math.nan
    return float(diff.mean()), se


def screen(
    scenario: Scenario,
    metrics: dict[str, Callable[[pd.DataFrame], pd.Series]],
    runs: int,
    seed: int,
    ranges: list[ParameterRange] | None = None,
    simulate: Callable[[Scenario, int, int], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Paired low/high differences of each metric for each parameter (one row each).

    ``metrics`` maps a name to a function of the run table giving one value per
    run (e.g. ``lambda r: r["outcome"] == "durable_ceasefire"``).

    Parameters
    ----------
    scenario : Scenario
        The scenario to screen.
    metrics : dict of str to callable
        ``{name: function of the per-run table}``, as above.
    runs : int
        Runs at each value.
    seed : int
        The seed of every batch (common random numbers).
    ranges : list of ParameterRange, optional
        The parameters and values to set (default: :func:`parameter_ranges`).
    simulate : callable, optional
        ``simulate(scenario, runs, seed)`` returning a per-run table (default:
        :func:`sim.experiments.runner.run`).

    Returns
    -------
    pandas.DataFrame
        One row per parameter: ``parameter``, ``low``, ``high``, for each metric
        its mean difference (high minus low) and ``NAME_se``, and ``identical``
        (the two run tables agree apart from the drawn parameters).
    """
    if simulate is None:
        from sim.experiments.runner import run

        def simulate(s: Scenario, n: int, k: int) -> pd.DataFrame:
            return run(s, runs=n, seed=k)

    rows = []
    for item in ranges if ranges is not None else parameter_ranges(scenario):
        cast = int if item.integer else float
        low = simulate(with_overrides(scenario, {item.path: cast(item.low)}), runs, seed)
        high = simulate(with_overrides(scenario, {item.path: cast(item.high)}), runs, seed)
        row = {"parameter": item.path, "low": item.low, "high": item.high}
        for name, metric in metrics.items():
            mean, se = paired_difference(metric(high), metric(low))
            row[name], row[f"{name}_se"] = mean, se
        row["identical"] = _identical(low, high)
        rows.append(row)
    return pd.DataFrame(rows)


def _identical(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """The two run tables agree in every column except the drawn parameters."""
    columns = [c for c in a.columns if not c.startswith("param:")]
    return bool(a[columns].equals(b[columns]))


INDEX_KEYS = ("S1", "S1_conf", "ST", "ST_conf")

#: The name of the factor no run reads (its indices are the estimator's noise floor).
DUMMY_FACTOR = "(random numbers, read by nothing)"


def distribution_sobol(
    scenario: Scenario,
    outcomes: dict[str, Callable[[pd.DataFrame], pd.Series]],
    samples: int,
    runs: int,
    seed: int,
    workers: int = 1,
) -> pd.DataFrame:
    """First- and total-order Sobol' indices of each outcome's probability over every
    uncertain parameter of ``scenario``, each over its own distribution.

    Saltelli's sample (``samples`` base samples, a power of 2, times factors + 2
    points) is drawn in the unit cube with one extra column that no run reads
    (:data:`DUMMY_FACTOR`: its indices show the estimator's noise); each
    parameter's column goes through its distribution's quantile function (and is
    rounded for an integer parameter), and the point's scenario fixes the
    parameters at those values.  Every point runs the same ``runs`` run indices
    under ``seed`` (common random numbers: chance events the same wherever the
    parameters allow), and its probability of an outcome is the share of its runs
    for which ``outcomes[name]`` (a function of the run table) holds.

    Returns one row per outcome and factor: ``S1``, ``S1_conf``, ``ST``,
    ``ST_conf`` (95% bootstrap half-widths), and per outcome in ``attrs``:
    ``mean`` and ``variance`` of the points' probabilities and ``chance_variance`` (the
    mean binomial variance of a point's estimate, ``p(1-p)/runs``: the part of
    ``variance`` that no factor explains).

    Parameters
    ----------
    scenario : Scenario
        The scenario whose uncertain parameters to vary.
    outcomes : dict of str to callable
        ``{name: function of the per-run table giving a boolean per run}``.
    samples : int
        Saltelli's base samples, a power of 2.
    runs : int
        Runs at every point.
    seed : int
        The seed of the sample, of the runs and of the bootstrap.
    workers : int, default 1
        Processes to run the points on (capped at the available cores).

    Returns
    -------
    pandas.DataFrame
        Columns ``outcome``, ``factor``, ``S1``, ``S1_conf``, ``ST``, ``ST_conf``;
        ``attrs`` holds ``points``, ``runs_per_point`` and, per outcome, the
        statistics above.

    Raises
    ------
    ValueError
        If the scenario has no uncertain parameter.
    """
    from SALib.analyze import sobol as salib_analyze
    from SALib.sample import sobol as salib_sample

    from sim.experiments.sweeps import Sweep, run_sweep

    parameters = [
        (path, dist)
        for path, dist in uncertain_parameters(scenario)
        if not isinstance(dist, Fixed) and dist.support()[0] < dist.support()[1]
    ]
    if not parameters:
        raise ValueError("the scenario has no uncertain parameter")
    names = [path for path, _ in parameters] + [DUMMY_FACTOR]
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    unit = salib_sample.sample(problem, int(samples), calc_second_order=False, seed=int(seed))
    # Open interval: an unbounded distribution's quantile at 0 or 1 is infinite.
    unit = np.clip(unit, 1e-9, 1.0 - 1e-9)
    values = {}
    for j, (path, dist) in enumerate(parameters):
        column = np.asarray(dist.quantile(unit[:, j]), dtype=float)
        values[path] = np.rint(column).astype(int) if path in INTEGER_PARAMETERS else column
    scenarios = tuple(
        with_overrides(scenario, {path: values[path][i].item() for path in values})
        for i in range(unit.shape[0])
    )
    sweep = Sweep(
        name=f"{scenario.name}-sobol",
        base=scenario,
        design="given",
        factors=(),
        points=pd.DataFrame(index=pd.RangeIndex(unit.shape[0])),
        runs=int(runs),
        seed=int(seed),
        scenarios=scenarios,
    )
    table = run_sweep(sweep, workers=workers, keep_runs=True).runs
    rows, attrs = [], {}
    for name, outcome in outcomes.items():
        hits = pd.Series(np.asarray(outcome(table), dtype=float), index=table.index)
        share = hits.groupby(table["point"].to_numpy()).mean().sort_index().to_numpy()
        attrs[name] = {
            "mean": float(share.mean()),
            "variance": float(share.var()),
            "chance_variance": float((share * (1 - share)).mean() / runs),
        }
        if np.ptp(share) == 0:
            result = {key: np.full(len(names), np.nan) for key in INDEX_KEYS}
        else:
            result = salib_analyze.analyze(
                problem, share, calc_second_order=False, conf_level=0.95, seed=int(seed)
            )
        for j, factor in enumerate(names):
            rows.append(
                {"outcome": name, "factor": factor}
                | {key: float(result[key][j]) for key in INDEX_KEYS}
            )
    frame = pd.DataFrame(rows)
    frame.attrs = {"points": int(unit.shape[0]), "runs_per_point": int(runs), **attrs}
    return frame
