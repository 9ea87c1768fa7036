"""Outcome classes and the daily escalation ladder.

Every run ends in exactly one outcome class, assigned by the first rule that
applies, in this order (the order is a modelling choice: the most serious event
that happened defines the run):

1. ``nato_russia_escalation`` -- an attack on the force drew a military
   response: a direct NATO–Russia clash;
2. ``peacekeepers_attacked`` -- Russia struck the force at least once;
3. ``deployment_abandoned`` -- the mission began but the committed force fell
   below the minimum viable size (states withdrew);
4. ``ceasefire_collapse`` -- fighting at the end, after a ceasefire that broke down;
5. ``war_continues`` -- fighting at the end, and no ceasefire ever took hold;
6. ``durable_ceasefire`` -- a ceasefire in force at the end, unbroken for at
   least ``durable_after_days`` and self-enforcing (both sides' equilibrium
   choice is to hold; under logit QRE play, both hold with probability > 1/2);
7. ``frozen_conflict`` -- a ceasefire in force at the end that is younger or
   not self-enforcing: the front is frozen without a settlement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import CrisisModel

__all__ = ["ESCALATION_LEVELS", "OUTCOMES", "classify"]

OUTCOMES: tuple[str, ...] = (
    "durable_ceasefire",
    "frozen_conflict",
    "ceasefire_collapse",
    "war_continues",
    "deployment_abandoned",
    "peacekeepers_attacked",
    "nato_russia_escalation",
)

#: Daily escalation ladder (an ordinal scale).
ESCALATION_LEVELS: dict[str, int] = {
    "ceasefire_holding": 0,
    "ceasefire_violated": 1,
    "war": 2,
    "peacekeepers_attacked": 3,
    "nato_russia_clash": 4,
}


def classify(model: CrisisModel) -> np.ndarray:
    """Outcome class of every run at the end of the horizon (array of strings)."""
    durable_days = model.scenario.ceasefire.durable_after_days
    holding = model.ceasefire_in_force
    rules = [
        ("nato_russia_escalation", model.escalated),
        ("peacekeepers_attacked", model.attacks_on_peacekeepers > 0),
        ("deployment_abandoned", model.mission_abandoned),
        ("ceasefire_collapse", ~holding & model.ever_ceasefire),
        ("war_continues", ~holding),
        (
            "durable_ceasefire",
            holding & (model.days_held_consecutive >= durable_days) & model.self_enforcing,
        ),
    ]
    outcome = np.full(model.n_runs, "frozen_conflict", dtype=object)
    decided = np.zeros(model.n_runs, dtype=bool)
    for name, condition in rules:
        outcome[condition & ~decided] = name
        decided |= condition
    return outcome
