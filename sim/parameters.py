"""Draw every uncertain parameter of a scenario, once per Monte Carlo run.

``uncertain_parameters(scenario)`` lists the scenario's distributions with a
dotted name (``actors.russia.resolve``,
``actors.coalition.states.United Kingdom.domestic_support``) in a fixed order,
the order of the scenario schema.  ``draw_parameters`` gives run ``k`` the
value ``dist.quantile(u)``, where ``u`` is run ``k``'s counter-based uniform
number for purpose ``"param:" + name`` (:mod:`sim.streams`): what a parameter
draws depends on the seed, the run and the parameter's name only -- not on
the batch, the chunk, or which other parameters the scenario has -- so two
scenarios that differ in one parameter share the draws of all the others
(common random numbers), and a run keeps its quantile when a distribution
changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel

from sim.distributions import Beta, Fixed, Normal, Triangular, Uniform
from sim.scenario import Scenario
from sim.streams import purpose_key, uniforms

__all__ = ["RunParameters", "draw_parameters", "scaled_pledges", "uncertain_parameters"]

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


@dataclass(frozen=True)
class RunParameters:
    """Drawn values: ``values[name]`` is an array with one value per run."""

    values: dict[str, np.ndarray]
    n_runs: int

    def __getitem__(self, name: str) -> np.ndarray:
        return self.values[name]


def draw_parameters(scenario: Scenario, runs: np.ndarray, seed: int) -> RunParameters:
    """Each parameter's value in each of ``runs`` (run indices in the batch of ``seed``).

    Run ``k``'s value of parameter ``name`` is ``dist.quantile(u)`` with ``u``
    the uniform number at counter ``(k, 0, 0, 0)`` under the key of
    ``"param:" + name`` (:func:`sim.streams.uniforms` with ``day=-1``).
    """
    runs = np.asarray(runs)
    values = {}
    for name, dist in uncertain_parameters(scenario):
        if isinstance(dist, Fixed):
            values[name] = np.full(runs.shape[0], dist.value, dtype=float)
        else:
            u = uniforms(purpose_key(seed, f"param:{name}"), runs, day=-1)
            values[name] = np.asarray(dist.quantile(u), dtype=float)
    return RunParameters(values=values, n_runs=runs.shape[0])
