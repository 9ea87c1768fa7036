"""Structural uncertainty: one scenario under each defensible structural choice.

A structural choice -- which equilibrium the actors play when a game has
several, whether an accidental violation can end a ceasefire -- is an
assumption like any parameter, but it has no distribution to draw from.  The
ensemble runs the scenario under every combination of the chosen
alternatives (:data:`DEFAULT_CHOICES`, or the scenario's ``ensemble`` key),
all on common random numbers, and reports each variant's outcome shares,
the pooled share (variants weighted equally) and how the spread splits:

* **structural** -- how far the variants' shares lie apart (their standard
  deviation around the pooled share, and their range);
* **parametric** -- how much the probability of the outcome changes from one
  draw of the uncertain parameters to another.  Each variant is run twice
  with the same parameter draws and independent chance events (replicates 0
  and 1, :func:`sim.engine.streams.replicate_seed`); the covariance of the two
  replicates' outcomes over the draws estimates the variance of the
  outcome's probability given the parameters, ``Var_θ(P(outcome | θ))``;
* **sampling** -- the Monte Carlo standard error of the pooled share,
  from the spread over parameter draws of each draw's pooled result (so the
  correlation that common random numbers induce is counted).

By the law of total variance, a run's outcome indicator has variance
``p̄ (1 − p̄) = structural + parametric + chance``, chance being what varies
between runs with the same parameters and variant (``variance_shares``).
The findings say in words when the most likely outcome, or the order of the
two most likely, changes across variants.  (On variance decompositions of
ensembles: Hawkins & Sutton, *Bulletin of the American Meteorological
Society* 90, 2009; on structural uncertainty in agent-based models: Lee et
al., *JASSS* 18(4), 2015.)
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.engine.outcomes import OUTCOMES
from sim.errors import whole_number
from sim.experiments.runner import simulate
from sim.scenario.schema import ENSEMBLE_CHOICES, Scenario, require_scenario

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_CHOICES",
    "EnsembleResult",
    "Variant",
    "compare_ensemble",
    "run_ensemble",
    "variants",
]

#: The structural alternatives an ensemble varies unless the scenario says otherwise:
#: the equilibrium-selection rule (docs/games.md) and the accident model
#: (docs/model.md, "Ceasefires").
DEFAULT_CHOICES: dict[str, tuple] = {
    "games.selection": ("risk_dominant", "payoff_dominant", "max_entropy", "logit_qre"),
    "ceasefire.accidents": ("can_spiral", "contained"),
}

#: Replicates per variant: two, so that parametric and chance variation can be told apart.
REPLICATES = 2


@dataclass(frozen=True)
class Variant:
    """One combination of structural choices: its name, its values, its scenario.

    Attributes
    ----------
    name : str
        The chosen alternatives joined by `` / `` (``risk_dominant / contained``).
    values : dict of str to object
        ``{dotted path: alternative}``.
    scenario : Scenario
        The scenario with these values set.
    """

    name: str
    values: dict[str, object]
    scenario: Scenario


def variants(scenario: Scenario, choices: dict[str, tuple] | None = None) -> list[Variant]:
    """Every combination of ``choices`` (default: the scenario's ``ensemble`` key, else
    :data:`DEFAULT_CHOICES`) applied to ``scenario``, in order.

    Parameters
    ----------
    scenario : Scenario
        The scenario to vary.
    choices : dict of str to tuple, optional
        ``{dotted path: alternatives}``; each path one of
        :data:`sim.scenario.schema.ENSEMBLE_CHOICES`.

    Returns
    -------
    list of Variant
        One per combination, the first path's alternatives varying slowest.

    Raises
    ------
    ValueError
        If a path is not a structural choice.
    sim.scenario.overrides.ScenarioOverrideError
        If the schema refuses an alternative.
    """
    if choices is None:
        choices = scenario.ensemble or DEFAULT_CHOICES
    for path in choices:
        if path not in ENSEMBLE_CHOICES:
            allowed = ", ".join(ENSEMBLE_CHOICES)
            raise ValueError(f"{path} is not a structural choice; choose from {allowed}")
    paths = list(choices)
    out = []
    for combination in itertools.product(*(choices[p] for p in paths)):
        values = dict(zip(paths, combination, strict=True))
        name = " / ".join(str(v) for v in combination)
        out.append(Variant(name, values, scenario.with_overrides(values)))
    return out


@dataclass(frozen=True)
class EnsembleResult:
    """What :func:`run_ensemble` found.

    ``shares``: one row per variant and outcome (``variant``, ``outcome``,
    ``probability``, ``ci95_low``, ``ci95_high``, ``runs``) and a ``pooled``
    row per outcome.  ``spread``: one row per outcome: ``pooled``, ``min``,
    ``max``, ``argmin``/``argmax`` (variants), ``sd_structural``,
    ``sd_parametric``, ``se_sampling``, and the shares of the run-level
    variance that are structural, parametric and chance.  ``findings``:
    sentences for the console and the report.

    Attributes
    ----------
    scenario : Scenario
        The scenario the variants were made from.
    runs : int
        Parameter draws per variant (each run twice).
    seed : int
        The seed of every variant.
    variants : list of Variant
        The variants, in order.
    shares : pandas.DataFrame
        Each variant's, and the pooled, outcome shares (above).
    spread : pandas.DataFrame
        How each outcome's share spreads (above; the variance shares are
        ``variance_structural``, ``variance_parametric`` and ``variance_chance``).
    findings : list of str
        The findings in words.
    """

    scenario: Scenario
    runs: int
    seed: int
    variants: list[Variant]
    shares: pd.DataFrame
    spread: pd.DataFrame
    findings: list[str]


def _wilson(k: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return np.clip(centre - half, 0, p), np.clip(centre + half, p, 1)


def run_ensemble(
    scenario: Scenario,
    runs: int | None = None,
    seed: int | None = None,
    choices: dict[str, tuple] | None = None,
    workers: int = 1,
    progress: bool = False,
    on_variant: Callable[[Variant], None] | None = None,
) -> EnsembleResult:
    """Run ``scenario`` under each structural variant, ``runs`` parameter draws each, twice
    (same draws, independent chance events), on common random numbers.

    Parameters
    ----------
    scenario : Scenario
        The scenario to vary.
    runs : int, optional
        Parameter draws per variant, at least 2 (default: the scenario's
        ``simulation.runs``).
    seed : int, optional
        The seed of every variant (default: the scenario's ``simulation.seed``).
    choices : dict of str to tuple, optional
        The structural choices and their alternatives (:func:`variants`).
    workers : int, default 1
        Processes to run each batch on (capped at the available cores).
    progress : bool, default False
        Show a progress bar on standard error (when it is a terminal).
    on_variant : callable, optional
        Called with each :class:`Variant` before it runs.

    Returns
    -------
    EnsembleResult
        The shares, their spread and the findings.

    Raises
    ------
    sim.errors.InputError
        If ``scenario`` is not a :class:`sim.Scenario`, or
        ``runs`` or ``seed`` is not a whole number at least its minimum.
    ValueError
        If ``runs`` is below 2 or a choice is not a structural choice.
    """
    scenario = require_scenario(scenario)
    n = scenario.simulation.runs if runs is None else whole_number("runs", runs, 1)
    seed = scenario.simulation.seed if seed is None else whole_number("seed", seed, 0)
    if n < 2:
        raise ValueError(f"an ensemble needs at least 2 runs per variant, got {n}")
    members = variants(scenario, choices)
    # indicator[v, r, k, o]: run k of replicate r of variant v ended in outcome o.
    indicator = np.zeros((len(members), REPLICATES, n, len(OUTCOMES)), dtype=np.float64)
    logger.info(
        "ensemble of %s: %d structural variants x %d replicates x %s runs (seed %d)",
        scenario.name, len(members), REPLICATES, f"{n:,}", seed,
    )  # fmt: skip
    for v, member in enumerate(members):
        if on_variant is not None:
            on_variant(member)
        logger.debug("variant %d of %d: %s", v + 1, len(members), member.name)
        for r in range(REPLICATES):
            outcome = _outcomes(member.scenario, n, seed, workers, progress, replicate=r)
            codes = pd.Categorical(outcome, categories=list(OUTCOMES)).codes
            indicator[v, r, np.arange(n), codes] = 1.0
    return _summarise(scenario, n, seed, members, indicator)


def _outcomes(
    scenario: Scenario, n: int, seed: int, workers: int, progress: bool, replicate: int = 0
) -> pd.Series:
    """The headline outcome of runs 0..n-1 of ``scenario`` (replicate ``replicate``)."""
    return simulate(
        scenario,
        runs=n,
        seed=seed,
        workers=workers,
        progress=progress,
        keep_trajectories=False,
        keep_columns=("outcome",),
        replicate=replicate,
    ).runs["outcome"]


def _summarise(
    scenario: Scenario, n: int, seed: int, members: list[Variant], indicator: np.ndarray
) -> EnsembleResult:
    n_variants = len(members)
    p = indicator.mean(axis=(1, 2))  # (variants, outcomes)
    # Covariance of the two replicates over parameter draws: Var_θ(P(o | θ, v)).
    centred = indicator - indicator.mean(axis=2, keepdims=True)
    parametric = (centred[:, 0] * centred[:, 1]).sum(axis=1) / (n - 1)  # (variants, outcomes)
    pooled = p.mean(axis=0)
    structural = ((p - pooled) ** 2).mean(axis=0)
    parametric_mean = parametric.mean(axis=0)
    chance = (p * (1 - p)).mean(axis=0) - parametric_mean
    # Monte Carlo error of the pooled share: draws are independent, everything else
    # within a draw (variants, replicates) is correlated by common random numbers.
    per_draw = indicator.mean(axis=(0, 1))  # (n, outcomes)
    se = np.sqrt(per_draw.var(axis=0, ddof=1) / n)

    rows = []
    total_runs = REPLICATES * n
    for v, member in enumerate(members):
        counts = indicator[v].sum(axis=(0, 1))
        low, high = _wilson(counts, total_runs)
        for o, outcome in enumerate(OUTCOMES):
            rows.append(
                {
                    "variant": member.name,
                    "outcome": outcome,
                    "probability": p[v, o],
                    "ci95_low": low[o],
                    "ci95_high": high[o],
                    "runs": total_runs,
                }
            )
    for o, outcome in enumerate(OUTCOMES):
        rows.append(
            {
                "variant": "pooled",
                "outcome": outcome,
                "probability": pooled[o],
                "ci95_low": max(0.0, pooled[o] - 1.96 * se[o]),
                "ci95_high": min(1.0, pooled[o] + 1.96 * se[o]),
                "runs": total_runs * n_variants,
            }
        )
    shares = pd.DataFrame(rows)

    names = [m.name for m in members]
    spread_rows = []
    for o, outcome in enumerate(OUTCOMES):
        total = pooled[o] * (1 - pooled[o])
        parts = np.array([structural[o], max(parametric_mean[o], 0.0), max(chance[o], 0.0)])
        fractions = parts / parts.sum() if total > 0 and parts.sum() > 0 else np.zeros(3)
        spread_rows.append(
            {
                "outcome": outcome,
                "pooled": pooled[o],
                "min": p[:, o].min(),
                "max": p[:, o].max(),
                "argmin": names[int(np.argmin(p[:, o]))],
                "argmax": names[int(np.argmax(p[:, o]))],
                "sd_structural": float(np.sqrt(structural[o])),
                "sd_parametric": float(np.sqrt(max(parametric_mean[o], 0.0))),
                "se_sampling": float(se[o]),
                "variance_structural": fractions[0],
                "variance_parametric": fractions[1],
                "variance_chance": fractions[2],
            }
        )
    spread = pd.DataFrame(spread_rows)
    findings = _findings(members, p, spread)
    return EnsembleResult(scenario, n, seed, members, shares, spread, findings)


def _pct(x: float) -> str:
    return f"{x:.1%}"


def _findings(members: list[Variant], p: np.ndarray, spread: pd.DataFrame) -> list[str]:
    """Sentences: does the most likely outcome, or the order of the top two, depend on
    the structural choice; which outcomes move most, against their sampling error."""
    names = [m.name for m in members]
    out = []
    top = [OUTCOMES[i] for i in p.argmax(axis=1)]
    if len(set(top)) == 1:
        out.append(f"The most likely outcome is {top[0]} under every variant.")
    else:
        groups: dict[str, list[str]] = {}
        for name, outcome in zip(names, top, strict=True):
            groups.setdefault(outcome, []).append(name)
        parts = "; ".join(f"{o} under {', '.join(v)}" for o, v in groups.items())
        out.append(
            "The conclusion changes with the structural choice: the most likely outcome "
            f"is {parts}."
        )
    second = [OUTCOMES[i] for i in np.argsort(-p, axis=1, kind="stable")[:, 1]]
    if len(set(top)) == 1 and len(set(second)) > 1:
        groups = {}
        for name, outcome in zip(names, second, strict=True):
            groups.setdefault(outcome, []).append(name)
        parts = "; ".join(f"{o} under {', '.join(v)}" for o, v in groups.items())
        out.append(f"The second most likely outcome changes: {parts}.")
    for row in spread.itertuples():
        moved = row.max - row.min
        if moved >= 0.05 and moved > 4 * row.se_sampling:
            out.append(
                f"{row.outcome}: {_pct(row.min)} under {row.argmin} to {_pct(row.max)} under "
                f"{row.argmax} (pooled {_pct(row.pooled)}, Monte Carlo error "
                f"±{_pct(1.96 * row.se_sampling)}): the structural choice matters."
            )
    if len(out) == 1 and len(set(top)) == 1:
        out.append(
            "No outcome's share moves by 5 points or more across the variants: the answer "
            "does not hinge on these structural choices."
        )
    return out


def compare_ensemble(
    scenarios: list[Scenario],
    runs: int | None = None,
    seed: int | None = None,
    choices: dict[str, tuple] | None = None,
    workers: int = 1,
    progress: bool = False,
) -> tuple[pd.DataFrame, list[str]]:
    """:func:`sim.experiments.comparison.compare` under every structural variant (of the first
    scenario's choices, or ``choices``): the table with a ``variant`` column, and
    sentences saying where a difference that is clear under one variant has the
    opposite sign, clearly, under another.

    Parameters
    ----------
    scenarios : list of Scenario
        Two or more scenarios; the first is the reference.
    runs : int, optional
        Runs of each scenario under each variant (default: the first scenario's).
    seed : int, optional
        The seed of every run (default: the first scenario's).
    choices : dict of str to tuple, optional
        The structural choices (default: the first scenario's ``ensemble`` key,
        else :data:`DEFAULT_CHOICES`).
    workers : int, default 1
        Processes to run each batch on (capped at the available cores).
    progress : bool, default False
        Show a progress bar on standard error (when it is a terminal).

    Returns
    -------
    table : pandas.DataFrame
        :func:`sim.experiments.comparison.compare_tables`'s rows for each
        variant, with a first column ``variant``.
    findings : list of str
        The sentences.

    Raises
    ------
    ValueError
        If there are fewer than two scenarios or a choice is not a structural
        choice.
    """
    from sim.experiments.comparison import _unique_names, compare_tables

    if len(scenarios) < 2:
        raise ValueError("a comparison needs at least two scenarios")
    n = scenarios[0].simulation.runs if runs is None else int(runs)
    seed = scenarios[0].simulation.seed if seed is None else int(seed)
    choices = choices or scenarios[0].ensemble or DEFAULT_CHOICES
    names = _unique_names([s.name for s in scenarios])
    frames = []
    members = variants(scenarios[0], choices)
    logger.info(
        "comparing %d scenarios under %d structural variants, %s runs each (seed %d)",
        len(scenarios), len(members), f"{n:,}", seed,
    )  # fmt: skip
    for variant in members:
        logger.debug("variant %s", variant.name)
        outcomes = [
            _outcomes(s.with_overrides(variant.values), n, seed, workers, progress)
            for s in scenarios
        ]
        table = compare_tables(names, outcomes)
        table.insert(0, "variant", variant.name)
        frames.append(table)
    table = pd.concat(frames, ignore_index=True)
    return table, _sign_findings(table, names)


def _sign_findings(table: pd.DataFrame, names: list[str]) -> list[str]:
    out = []
    for name in names[1:]:
        for outcome in OUTCOMES:
            rows = table[(table["scenario"] == name) & (table["outcome"] == outcome)]
            up = rows[rows["difference_low"] > 0]
            down = rows[rows["difference_high"] < 0]
            if len(up) and len(down):
                a, b = up.iloc[0], down.iloc[0]
                out.append(
                    f"{name} vs {names[0]}, {outcome}: the sign of the difference depends on "
                    f"the structural choice ({a['difference']:+.1%} under {a['variant']}, "
                    f"{b['difference']:+.1%} under {b['variant']})."
                )
            elif len(up) == len(rows) or len(down) == len(rows):
                sign = "higher" if len(up) else "lower"
                out.append(
                    f"{name} vs {names[0]}, {outcome}: {sign} under every variant "
                    f"({rows['difference'].min():+.1%} to {rows['difference'].max():+.1%})."
                )
    if not any("depends on" in f for f in out):
        out.insert(0, "No clear difference changes sign across the structural variants.")
    return out
