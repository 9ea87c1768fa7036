"""The actors as Mesa agents, and the coalition states' arrays and rules.

One model advances a whole batch of Monte Carlo runs, and every run's state
lives in the model's :class:`sim.engine.world.World`, one array per variable.  An
agent is a named view of its part of it -- ``CoalitionState.deployed`` is row
``index`` of the coalition's (states, runs) arrays, ``Russia.attacks`` today's
strikes, one entry per run -- so the actors can be inspected the Mesa way.
The decisions themselves are the phases of :mod:`sim.engine.phases`.  This module
also holds the coalition's arrays and the NumPy functions of its phase
(:func:`participation_terms`, :func:`coalition_step`,
:func:`absorb_casualties`), the reference for the compiled kernels of
:mod:`sim.engine.day_kernels`.  Decision rules are documented in ``docs/model.md``
("Actors and decision rules").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from sim.engine.model import CrisisModel
    from sim.engine.world import CoalitionParams, World

__all__ = [
    "CoalitionArrays",
    "CoalitionState",
    "Russia",
    "Ukraine",
    "UnitedStates",
    "absorb_casualties",
    "coalition_step",
    "participation_terms",
    "strike_risk",
    "sum_over_states",
]


class CoalitionState(mesa.Agent):
    """One coalition-of-the-willing state: keeps, scales down or withdraws its contingent.

    The states' state is held by the model as (states, runs) arrays, so that
    a day's coalition phase is a few array operations whatever the number of
    states (:func:`participation_terms`, :func:`coalition_step`,
    :func:`absorb_casualties`); this agent is row ``index`` of them:
    ``committed`` (still in the mission), ``deployed`` (troops in Ukraine),
    ``support`` (domestic support, 0-1), ``casualties`` (cumulative), and
    ``pledge``: its share of the coalition's pledged total (per run, since one
    model may hold runs of different scenarios).
    """

    def __init__(self, model: CrisisModel, name: str, index: int) -> None:
        super().__init__(model)
        self.name = name
        self.index = index

    @property
    def pledge(self) -> np.ndarray:
        return self.model.world.coalition.pledge[self.index]

    @property
    def committed(self) -> np.ndarray:
        return self.model.world.coalition.committed[self.index]

    @property
    def deployed(self) -> np.ndarray:
        return self.model.world.coalition.deployed[self.index]

    @property
    def support(self) -> np.ndarray:
        return self.model.world.coalition.support[self.index]

    @property
    def casualties(self) -> np.ndarray:
        return self.model.world.coalition.casualties[self.index]


class CoalitionArrays:
    """The coalition states' state, one row per state and one column per run.

    ``pledge``, ``casualty_sensitivity``, ``support``, ``committed``,
    ``deployed``, ``casualties``: (states, runs).
    """

    def __init__(self, pledges: np.ndarray, sensitivity: np.ndarray, support: np.ndarray) -> None:
        self.pledge = np.asarray(pledges, dtype=float)
        self.casualty_sensitivity = sensitivity
        self.support = support
        self.committed = self.pledge > 0
        self.deployed = np.zeros(support.shape)
        self.casualties = np.zeros(support.shape)


def sum_over_states(values: np.ndarray) -> np.ndarray:
    """Per run, the sum over states (rows) of ``values``, added in the states' order.

    Not ``values.sum(axis=0)``: NumPy may add the rows pairwise when there is one
    run, so a run's sum would depend on how many runs are simulated with it.
    """
    total = values[0].astype(float)
    for row in values[1:]:
        total += row
    return total


def strike_risk(w: World) -> np.ndarray:
    """Per run, ``1 − (1 − τ̂)(1 − w)``: the chance that troops are struck by Russia or
    caught in renewed fighting (see :func:`participation_terms`)."""
    return 1.0 - (1.0 - w.perceived_targeting_probability) * (1.0 - w.war_exposure)


def participation_terms(w: World, c: CoalitionParams) -> tuple[np.ndarray, np.ndarray]:
    """Each state's benefit and cost of taking part today, arrays (states, runs).

    ``benefit = support × guarantee_value`` (received if the force is
    viable); ``cost = risk × casualty_sensitivity × expected_casualties /
    casualty_scale`` with ``risk = 1 − (1 − τ̂)(1 − w)``: the chance of being
    struck either by Russia (``τ̂``: its equilibrium targeting probability if
    its resolve is known, the coalition's belief that it is resolute if not)
    or by renewed fighting (``w``), two independent risks; and
    ``expected_casualties = pledge × casualty_rate_per_attack ×
    risk_window_days``.  The model's participation rule (docs/model.md,
    "Coalition states") weighs them.
    """
    states = w.coalition
    risk = strike_risk(w)
    expected_casualties = states.pledge * c.casualty_rate_per_attack * c.risk_window_days
    benefit = states.support * c.guarantee_value
    cost = risk * states.casualty_sensitivity * expected_casualties / c.casualty_scale
    return benefit, cost


def coalition_step(w: World, ramp_days: np.ndarray) -> None:
    """Each state stays or withdraws as the day's participation decision says, then moves troops.

    While the mission is under way, a committed state leaves for good if the
    model's participation rule (own benefit, or the threshold public-good
    game) has it leave today (``w.stays``, (states, runs)).  Then its troops
    move in (ramp: ``pledge / ramp_days`` a day, per run) or out (withdrawal).
    """
    states = w.coalition
    evaluating = w.mission_under_way & states.committed
    states.committed &= ~(evaluating & ~w.stays)
    moving_in = w.deployment_moving & states.committed
    ramp = states.pledge / ramp_days  # (states, runs) / (runs,)
    deployed = np.where(
        moving_in, np.minimum(states.pledge, states.deployed + ramp), states.deployed
    )
    states.deployed = np.where(states.committed, deployed, 0.0)


def absorb_casualties(w: World, c: CoalitionParams, own: np.ndarray, runs: np.ndarray) -> None:
    """Support falls by ``exp(−casualty_sensitivity × felt / casualty_scale)``.

    ``own``: (states, len(runs)) casualties today in the runs at positions
    ``runs``.  ``felt = own + shared_casualty_weight × (coalition − own)``: a
    public counts its own country's casualties and a share of its allies'
    (the threat of "European coffins" [S4] is addressed to Europe as a whole).
    """
    states = w.coalition
    coalition = sum_over_states(own)
    states.casualties[:, runs] += own
    felt = own + c.shared_casualty_weight[runs] * (coalition - own)
    sensitivity = states.casualty_sensitivity[:, runs]
    states.support[:, runs] *= np.exp(-sensitivity * felt / c.casualty_scale[runs])


class Russia(mesa.Agent):
    """Russia: each day, whether it strikes a deployed force and whether it violates a
    ceasefire (:func:`sim.engine.phases.russia_acts`); today's choices, per run."""

    @property
    def attacks(self) -> np.ndarray:
        return self.model.world.russia_attacks

    @property
    def violates(self) -> np.ndarray:
        return self.model.world.russia_violates

    @property
    def deliberate(self) -> np.ndarray:
        return self.model.world.russia_deliberate


class Ukraine(mesa.Agent):
    """Ukraine: each day, whether it violates a ceasefire
    (:func:`sim.engine.phases.ukraine_acts`)."""

    @property
    def violates(self) -> np.ndarray:
        return self.model.world.ukraine_violates

    @property
    def deliberate(self) -> np.ndarray:
        return self.model.world.ukraine_deliberate


class UnitedStates(mesa.Agent):
    """The US: mediator, possible backstop, and author of the sanctions threat.

    Its type is drawn once per run: *committed* with probability equal to the
    threat's credibility (it pays an audience cost if it backs down), otherwise
    not (Zagare & Kilgour, *Perfect Deterrence*, 2000: threats credible by type).
    Its reply to defiance: :func:`sim.engine.phases.us_replies_to_defiance`.
    """

    @property
    def committed_type(self) -> np.ndarray:
        return self.model.world.us_committed

    @property
    def imposes(self) -> np.ndarray:
        return self.model.world.us_imposes
