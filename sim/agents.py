"""The actors: one Mesa agent per actor, each holding its state as arrays over runs.

A single model instance advances a whole batch of Monte Carlo runs; an agent's
attribute such as ``CoalitionState.deployed`` is an array with one entry per
run.  Agents decide in ``step``: they read the equilibria the model has solved
for the day (``model.games``) and draw their actions from the model's named
random numbers (counter-based, one key per purpose:
:meth:`sim.model.CrisisModel.bernoulli`).  The
consequences of the actions (detection, casualties, collapse, escalation) are
worked out by the model.  Decision rules are documented in ``docs/model.md``
("Actors and decision rules").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import CrisisModel

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
        return self.model.coalition.pledge[self.index]

    @property
    def committed(self) -> np.ndarray:
        return self.model.coalition.committed[self.index]

    @property
    def deployed(self) -> np.ndarray:
        return self.model.coalition.deployed[self.index]

    @property
    def support(self) -> np.ndarray:
        return self.model.coalition.support[self.index]

    @property
    def casualties(self) -> np.ndarray:
        return self.model.coalition.casualties[self.index]


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


def strike_risk(m: CrisisModel) -> np.ndarray:
    """Per run, ``1 − (1 − τ̂)(1 − w)``: the chance that troops are struck by Russia or
    caught in renewed fighting (see :func:`participation_terms`)."""
    return 1.0 - (1.0 - m.perceived_targeting_probability) * (1.0 - m.war_exposure)


def participation_terms(m: CrisisModel) -> tuple[np.ndarray, np.ndarray]:
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
    c, states = m.coalition_params, m.coalition
    risk = strike_risk(m)
    expected_casualties = states.pledge * c.casualty_rate_per_attack * c.risk_window_days
    benefit = states.support * c.guarantee_value
    cost = risk * states.casualty_sensitivity * expected_casualties / c.casualty_scale
    return benefit, cost


def coalition_step(m: CrisisModel) -> None:
    """Each state stays or withdraws as the day's participation decision says, then moves troops.

    While the mission is under way, a committed state leaves for good if the
    model's participation rule (own benefit, or the threshold public-good
    game) has it leave today (``m.stays``, (states, runs)).  Then its troops
    move in (ramp: ``pledge / ramp_days`` a day) or out (withdrawal).
    """
    states = m.coalition
    evaluating = m.mission_under_way & states.committed
    states.committed &= ~(evaluating & ~m.stays)
    moving_in = m.deployment_moving & states.committed
    ramp = states.pledge / m.ramp_days  # (states, runs) / (runs,)
    deployed = np.where(
        moving_in, np.minimum(states.pledge, states.deployed + ramp), states.deployed
    )
    states.deployed = np.where(states.committed, deployed, 0.0)


def absorb_casualties(m: CrisisModel, own: np.ndarray, runs: np.ndarray) -> None:
    """Support falls by ``exp(−casualty_sensitivity × felt / casualty_scale)``.

    ``own``: (states, len(runs)) casualties today in the runs at positions
    ``runs``.  ``felt = own + shared_casualty_weight × (coalition − own)``: a
    public counts its own country's casualties and a share of its allies'
    (the threat of "European coffins" [S4] is addressed to Europe as a whole).
    """
    c, states = m.coalition_params, m.coalition
    coalition = own.sum(axis=0)
    states.casualties[:, runs] += own
    felt = own + c.shared_casualty_weight[runs] * (coalition - own)
    sensitivity = states.casualty_sensitivity[:, runs]
    states.support[:, runs] *= np.exp(-sensitivity * felt / c.casualty_scale[runs])


class Russia(mesa.Agent):
    """Russia: decides each day whether to strike a deployed force and whether to violate."""

    def __init__(self, model: CrisisModel) -> None:
        super().__init__(model)
        n = model.n_runs
        self.attacks = np.zeros(n, dtype=bool)
        self.violates = np.zeros(n, dtype=bool)
        self.deliberate = np.zeros(n, dtype=bool)

    def step(self) -> None:
        """Strike with today's targeting probability; violate per the ceasefire game.

        Whether to strike: Russia's best reply, in today's deployment game, to
        a force that is there; the table reflects what it has seen (the force
        left, whether it has already carried out its threat, unanswered
        strikes, sanctions pending or in force).  Whether to violate: its
        strategy in the ceasefire game, plus an accidental (unordered)
        violation with a small daily probability.  A strike during a ceasefire
        is a violation.
        """
        m = self.model
        force_present = (m.troops_deployed > 0) & ~m.escalated
        truce = m.ceasefire_in_force
        self.attacks = m.bernoulli("russia.strike", m.targeting_probability, force_present)
        self.deliberate = m.bernoulli("russia.violation", m.games["ceasefire"].violate_row, truce)
        accident = m.bernoulli("russia.accident", m.accidental_violation_probability, truce)
        self.violates = self.deliberate | accident | (truce & self.attacks)


class Ukraine(mesa.Agent):
    """Ukraine: decides whether to violate a ceasefire."""

    def __init__(self, model: CrisisModel) -> None:
        super().__init__(model)
        self.violates = np.zeros(model.n_runs, dtype=bool)
        self.deliberate = np.zeros(model.n_runs, dtype=bool)

    def step(self) -> None:
        """Violate with its equilibrium probability in the ceasefire game, or by accident."""
        m = self.model
        truce = m.ceasefire_in_force
        self.deliberate = m.bernoulli("ukraine.violation", m.games["ceasefire"].violate_col, truce)
        accident = m.bernoulli("ukraine.accident", m.accidental_violation_probability, truce)
        self.violates = self.deliberate | accident


class UnitedStates(mesa.Agent):
    """The US: mediator, possible backstop, and author of the sanctions threat.

    Its type is drawn once per run: *committed* with probability equal to the
    threat's credibility (it pays an audience cost if it backs down), otherwise
    not (Zagare & Kilgour, *Perfect Deterrence*, 2000: threats credible by type).
    """

    def __init__(self, model: CrisisModel) -> None:
        super().__init__(model)
        credibility = model.params["levers.sanctions_credibility"]
        self.committed_type = model.uniform("us.type", day=-1) < credibility
        self.imposes = np.zeros(model.n_runs, dtype=bool)

    def step(self) -> None:
        """After observed Russian defiance of a pending threat, play its subgame-perfect reply.

        The reply of its type in the sanctions game with Russia moving first:
        impose iff backing down (its audience cost, if committed) would cost it
        more than imposing.
        """
        m = self.model
        self.imposes = m.threat_active & m.defiance_observed & m.tables.us_imposes_if_defied
