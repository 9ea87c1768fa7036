"""Draw every uncertain parameter of a scenario, once per Monte Carlo run.

``uncertain_parameters(scenario)`` lists the scenario's distributions with a
dotted name (``actors.russia.resolve``,
``actors.coalition.states.United Kingdom.domestic_support``) in a fixed order,
the order of the scenario schema.  ``draw_parameters`` gives run ``k`` the
value ``dist.quantile(u)``, where ``u`` is run ``k``'s counter-based uniform
number for purpose ``"param:" + name`` (:mod:`sim.engine.streams`): what a parameter
draws depends on the seed, the run and the parameter's name only -- not on
the batch, the chunk, or which other parameters the scenario has -- so two
scenarios that differ in one parameter share the draws of all the others
(common random numbers), and a run keeps its quantile when a distribution
changes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel

from sim.engine.streams import purpose_key, uniforms
from sim.scenario.distributions import Beta, Fixed, Normal, Triangular, Uniform
from sim.scenario.schema import Scenario

__all__ = [
    "BATCH_INVARIANTS",
    "RunParameters",
    "batch_key",
    "check_batchable",
    "draw_parameters",
    "scaled_pledges",
    "scenario_settings",
    "uncertain_parameters",
]

_DISTRIBUTIONS = (Fixed, Uniform, Normal, Beta, Triangular)


def _walk(obj: object, prefix: str) -> Iterator[tuple[str, object]]:
    if isinstance(obj, _DISTRIBUTIONS):
        yield prefix, obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _walk(getattr(obj, name), f"{prefix}.{name}" if prefix else name)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield from _walk(value, f"{prefix}.{key}")


def uncertain_parameters(scenario: Scenario) -> list[tuple[str, object]]:
    """All (dotted name, distribution) pairs of the scenario, fixed values included."""
    return list(_walk(scenario, ""))


def scaled_pledges(scenario: Scenario) -> np.ndarray:
    """Each coalition state's pledge, scaled so that they add up to ``levers.troops_pledged``.

    The states' ``troops`` give the shares; the total is the lever.  Rounding uses
    the largest-remainder method so the integer pledges sum exactly to the lever.
    """
    reference = np.array([s.troops for s in scenario.actors.coalition.states.values()], float)
    total = scenario.levers.troops_pledged
    exact = reference / reference.sum() * total
    pledges = np.floor(exact)
    shortfall = round(float(total - pledges.sum()))
    if shortfall > 0:
        order = np.argsort(-(exact - pledges), kind="stable")
        pledges[order[:shortfall]] += 1
    return pledges


def scenario_settings(scenario: Scenario) -> dict[str, bool | int | float]:
    """Every value of ``scenario`` the model reads per run that is not a distribution.

    Levers, the timeline's days (``-1``: the event is left out) and anchors,
    thresholds in days, and each coalition state's pledge (its share of
    ``levers.troops_pledged``, :func:`scaled_pledges`).  The model holds them
    as arrays over runs, like the drawn parameters, so that one model can
    advance runs of different scenarios or sweep points; what cannot be held
    per run is listed in :data:`BATCH_INVARIANTS`.  Names are documented in
    docs/model.md ("Per-run settings").
    """
    levers, t = scenario.levers, scenario.timeline
    ceasefire, threat, deployment = t.ceasefire, t.sanctions_threat, t.deployment
    settings: dict[str, bool | int | float] = {
        "levers.troops_pledged": float(levers.troops_pledged),
        "levers.us_backstop": levers.us_backstop,
        "levers.un_mandate": levers.un_mandate,
        "levers.deploy_only_during_ceasefire": levers.deploy_only_during_ceasefire,
        "levers.deployment_forced": levers.deployment == "forced",
        "timeline.ceasefire.day": ceasefire.day if ceasefire else -1,
        "timeline.ceasefire.duration_days": ceasefire.duration_days if ceasefire else 0,
        "timeline.sanctions_threat.day": threat.day if threat else -1,
        "timeline.sanctions_threat.after_ceasefire_start": bool(
            threat and threat.after == "ceasefire_start"
        ),
        "timeline.sanctions_threat.deadline_days": threat.deadline_days if threat else 0,
        "timeline.deployment.day": deployment.day if deployment else -1,
        "timeline.deployment.after_ceasefire_start": bool(
            deployment and deployment.after == "ceasefire_start"
        ),
        "timeline.deployment.ramp_days": deployment.ramp_days if deployment else 1,
        "actors.coalition.risk_window_days": scenario.actors.coalition.risk_window_days,
        "ceasefire.durable_after_days": scenario.ceasefire.durable_after_days,
        "ceasefire.accidents_contained": scenario.ceasefire.accidents == "contained",
        "sanctions.relief_after_days": scenario.sanctions.relief_after_days,
        "sanctions.threat_stands_after_deal": scenario.sanctions.threat_after_deal == "stands",
        "games.qre_hold_probability": scenario.games.qre_hold_probability,
    }
    for name, pledge in zip(
        scenario.actors.coalition.states, scaled_pledges(scenario), strict=True
    ):
        settings[f"actors.coalition.states.{name}.pledge"] = float(pledge)
    return settings


#: What must be the same in every scenario of one model (a sweep over one of
#: them runs one model per value): the horizon sets the number of steps, the
#: others choose which code runs (a rule, a solver, explicit tables) or the shape
#: of the coalition's arrays.
BATCH_INVARIANTS = (
    "simulation.horizon_days",
    "games.selection",
    "games.qre_precision",
    "games.strike_model",
    "games.tables",
    "information.russia_resolve",
    "actors.coalition.participation",
    "actors.coalition.states",
)


def _invariant(scenario: Scenario, path: str) -> object:
    value: object = scenario
    for key in path.split("."):
        value = getattr(value, key)
    if path == "actors.coalition.states":
        return list(value)  # the states' names, in order; their values are per run
    return value.model_dump() if isinstance(value, BaseModel) else value


def batch_key(scenario: Scenario) -> str:
    """A text equal for two scenarios exactly when they agree on every one of
    :data:`BATCH_INVARIANTS` (so they can share one model)."""
    return repr([_invariant(scenario, path) for path in BATCH_INVARIANTS])


def check_batchable(scenarios: Sequence[Scenario]) -> None:
    """Raise ``ValueError`` naming the first of :data:`BATCH_INVARIANTS` on which
    ``scenarios`` differ (they cannot then share one model)."""
    first = scenarios[0]
    for other in scenarios[1:]:
        for path in BATCH_INVARIANTS:
            if _invariant(other, path) != _invariant(first, path):
                what = "names of the coalition states" if path.endswith("states") else path
                raise ValueError(
                    f"scenarios {first.name!r} and {other.name!r} differ in {what}, "
                    "which one model cannot vary from run to run"
                )


@dataclass(frozen=True)
class RunParameters:
    """Per-run values: ``values[name]`` is an array with one value per run.

    Names are the dotted paths of the scenario's distributions
    (:func:`uncertain_parameters`, drawn) and of its settings
    (:func:`scenario_settings`, the same in every run of one scenario).
    """

    values: dict[str, np.ndarray]
    n_runs: int

    def __getitem__(self, name: str) -> np.ndarray:
        return self.values[name]


def _draw_one(scenario: Scenario, runs: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    values = {}
    for name, dist in uncertain_parameters(scenario):
        if isinstance(dist, Fixed):
            values[name] = np.full(runs.shape[0], dist.value, dtype=float)
        else:
            u = uniforms(purpose_key(seed, f"param:{name}"), runs, day=-1)
            values[name] = np.asarray(dist.quantile(u), dtype=float)
    for name, value in scenario_settings(scenario).items():
        values[name] = np.full(runs.shape[0], value)
    return values


def draw_parameters(
    scenario: Scenario | Sequence[Scenario],
    runs: np.ndarray,
    seed: int,
    points: np.ndarray | None = None,
) -> RunParameters:
    """Each parameter's and setting's value in each of ``runs`` (run indices in the batch
    of ``seed``).

    Run ``k``'s value of parameter ``name`` is ``dist.quantile(u)`` with ``u``
    the uniform number at counter ``(k, 0, 0, 0)`` under the key of
    ``"param:" + name`` (:func:`sim.engine.streams.uniforms` with ``day=-1``).
    With a sequence of scenarios, ``points[i]`` is the position of run ``i``'s
    scenario in it; runs of different scenarios with the same index draw from
    the same uniform numbers (common random numbers).
    """
    runs = np.asarray(runs)
    if isinstance(scenario, Scenario):
        return RunParameters(values=_draw_one(scenario, runs, seed), n_runs=runs.shape[0])
    scenarios = list(scenario)
    points = np.asarray(points if points is not None else np.zeros(runs.shape[0], int))
    if points.shape != runs.shape:
        raise ValueError(f"points must have one entry per run ({runs.shape}), got {points.shape}")
    if points.size and (points.min() < 0 or points.max() >= len(scenarios)):
        raise ValueError(f"points must lie in 0 to {len(scenarios) - 1}")
    check_batchable(scenarios)
    values: dict[str, np.ndarray] = {}
    for j, member in enumerate(scenarios):
        where = np.flatnonzero(points == j)
        if not where.size:
            continue
        for name, drawn in _draw_one(member, runs[where], seed).items():
            if name not in values:
                values[name] = np.empty(runs.shape[0], dtype=drawn.dtype)
            values[name][where] = drawn
    return RunParameters(values=values, n_runs=runs.shape[0])
