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

__all__ = ["CoalitionState", "Russia", "Ukraine", "UnitedStates"]


class CoalitionState(mesa.Agent):
    """One coalition-of-the-willing state: keeps, scales down or withdraws its contingent.

    State (arrays over runs): ``committed`` (still in the mission),
    ``deployed`` (troops in Ukraine), ``support`` (domestic support, 0-1),
    ``casualties`` (cumulative).  ``pledge`` is the state's share of the
    coalition's pledged total (the same in every run).
    """

    def __init__(self, model: CrisisModel, name: str, index: int, pledge: float) -> None:
        super().__init__(model)
        self.name = name
        self.index = index
        self.pledge = float(pledge)
        prefix = f"actors.coalition.states.{name}"
        self.casualty_sensitivity = model.params[f"{prefix}.casualty_sensitivity"]
        self.support = model.params[f"{prefix}.domestic_support"].copy()
        n = model.n_runs
        self.committed = np.full(n, self.pledge > 0)
        self.deployed = np.zeros(n)
        self.casualties = np.zeros(n)

    def participation_terms(self) -> tuple[np.ndarray, np.ndarray]:
        """This state's benefit and cost of taking part today (arrays over runs).

        ``benefit = support × guarantee_value`` (received if the force is
        viable); ``cost = risk × casualty_sensitivity × expected_casualties /
        casualty_scale`` with ``risk = 1 − (1 − τ̂)(1 − w)``: the chance of being
        struck either by Russia (``τ̂``: its equilibrium targeting probability
        if its resolve is known, the coalition's belief that it is resolute if
        not) or by renewed fighting (``w``), two independent risks; and
        ``expected_casualties = pledge × casualty_rate_per_attack ×
        risk_window_days``.  The model's participation rule (docs/model.md,
        "Coalition states") weighs them.
        """
        m = self.model
        c = m.coalition_params
        risk = 1.0 - (1.0 - m.perceived_targeting_probability) * (1.0 - m.war_exposure)
        expected_casualties = self.pledge * c.casualty_rate_per_attack * c.risk_window_days
        benefit = self.support * c.guarantee_value
        cost = risk * self.casualty_sensitivity * expected_casualties / c.casualty_scale
        return benefit, cost

    def step(self) -> None:
        """Stay or withdraw as the day's participation decision says, then move troops.

        While the mission is under way, a committed state leaves for good if
        the model's participation rule (own benefit, or the threshold
        public-good game) has it leave today.  Then its troops move in (ramp)
        or out (withdrawal).
        """
        m = self.model
        evaluating = m.mission_under_way & self.committed
        self.committed &= ~(evaluating & ~m.stays[:, self.index])
        moving_in = m.deployment_moving & self.committed
        ramp = self.pledge / m.ramp_days
        self.deployed = np.where(
            moving_in, np.minimum(self.pledge, self.deployed + ramp), self.deployed
        )
        self.deployed = np.where(self.committed, self.deployed, 0.0)

    def absorb_casualties(self, own: np.ndarray, coalition: np.ndarray) -> None:
        """Support falls by ``exp(−casualty_sensitivity × felt / casualty_scale)``.

        ``felt = own + shared_casualty_weight × (coalition − own)``: a public
        counts its own country's casualties and a share of its allies' (the
        threat of "European coffins" [S4] is addressed to Europe as a whole).
        """
        self.casualties += own
        c = self.model.coalition_params
        felt = own + c.shared_casualty_weight * (coalition - own)
        self.support *= np.exp(-self.casualty_sensitivity * felt / c.casualty_scale)


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
