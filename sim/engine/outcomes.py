"""Outcome classes of a run, in two dimensions and one headline, and the daily escalation ladder.

Every run ends with two labels (docs/model.md, "Outcomes"):

**Conflict state at the horizon** (:data:`CONFLICT_STATES`), the first that applies:

1. ``nato_russia_escalation`` -- an attack on the force drew a military
   response: a direct NATO–Russia clash;
2. ``durable_ceasefire`` -- a ceasefire in force at the end, unbroken for at
   least ``durable_after_days`` and self-enforcing (both sides' selected play
   is to hold; under logit QRE play, both hold with probability at least
   ``games.qre_hold_probability``);
3. ``frozen_conflict`` -- a ceasefire in force at the end that is younger or
   not self-enforcing: the front is frozen without a settlement;
4. ``ceasefire_collapse`` -- fighting at the end, after a ceasefire that broke
   down or lapsed;
5. ``war_continues`` -- fighting at the end, and no ceasefire ever took hold.

**The force's fate** (:data:`FORCE_FATES`):

* ``no_force`` -- nothing pledged;
* ``not_deployed`` -- pledged but never entered (the run's
  ``not_deployed_reason`` says why: below the minimum viable force, no
  ceasefire to deploy into, deterred by the deployment game's equilibrium,
  the coalition's belief above the entry threshold, or not scheduled);
* ``withdrawn`` -- entered, then the committed force fell below the minimum
  viable size and the mission was abandoned (whether or not it was attacked:
  the ``force_attacked`` column says);
* ``attacked`` -- in place at the end, struck at least once;
* ``deployed_intact`` -- in place at the end, never struck.

**Headline class** (:data:`OUTCOMES`, one per run, kept for continuity),
defined from the two: ``nato_russia_escalation`` if that is the conflict
state; else ``deployment_abandoned`` if the force was withdrawn; else
``peacekeepers_attacked`` if it was attacked; else the conflict state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from sim.engine.followup import FollowUp
    from sim.engine.world import Setup, World

# Codes of sim.engine.followup.FollowUp.fate (repeated here: the follow-up module imports
# the phases, which import this module).
DURABLE, COLLAPSED = 1, 3

__all__ = [
    "ATTACK_CHANNELS",
    "CONFLICT_STATES",
    "ESCALATION_LEVELS",
    "FORCE_FATES",
    "NOT_DEPLOYED_REASONS",
    "OUTCOMES",
    "attack_channel",
    "classify",
]

OUTCOMES: tuple[str, ...] = (
    "durable_ceasefire",
    "frozen_conflict",
    "ceasefire_collapse",
    "war_continues",
    "deployment_abandoned",
    "peacekeepers_attacked",
    "nato_russia_escalation",
)

CONFLICT_STATES: tuple[str, ...] = (
    "durable_ceasefire",
    "frozen_conflict",
    "ceasefire_collapse",
    "war_continues",
    "nato_russia_escalation",
)

FORCE_FATES: tuple[str, ...] = (
    "no_force",
    "not_deployed",
    "deployed_intact",
    "attacked",
    "withdrawn",
)

NOT_DEPLOYED_REASONS: tuple[str, ...] = (
    "no_force_pledged",
    "below_minimum_viable_force",
    "not_scheduled",
    "no_ceasefire",
    "deterred",
    "belief_above_threshold",
)

#: Why a force was attacked (docs/model.md, "Why a force was attacked"), the first
#: that applies, judged at the first strike against the state of play at entry.
ATTACK_CHANNELS: tuple[str, ...] = (
    "forced_entry",
    "misjudged_resolve",
    "noisy_play",
    "sanctions_weakened",
    "force_shrank",
    "other_change",
)

#: Daily escalation ladder (an ordinal scale).
ESCALATION_LEVELS: dict[str, int] = {
    "ceasefire_holding": 0,
    "ceasefire_violated": 1,
    "war": 2,
    "peacekeepers_attacked": 3,
    "nato_russia_clash": 4,
}


def _first(n: int, rules: list[tuple[str, np.ndarray]], default: str) -> np.ndarray:
    label = np.full(n, default, dtype=object)
    decided = np.zeros(n, dtype=bool)
    for name, condition in rules:
        label[condition & ~decided] = name
        decided |= condition
    return label


def classify(world: World, setup: Setup, followed: FollowUp | None = None) -> dict[str, np.ndarray]:
    """``{"conflict_state", "force_fate", "outcome"}`` of every run at the end of the horizon.

    ``followed``: what became of ceasefires still younger than
    ``durable_after_days`` at the horizon (:func:`sim.engine.followup.follow_up`);
    without it they count as frozen.
    """
    n = world.n_runs
    durable_days = setup.params["ceasefire.durable_after_days"]
    holding = world.ceasefire_in_force
    fate = followed.fate if followed is not None else np.zeros(n, dtype=np.int8)
    aged = holding & (world.days_held_consecutive >= durable_days) & world.self_enforcing
    conflict = _first(
        n,
        [
            ("nato_russia_escalation", world.escalated),
            ("durable_ceasefire", aged | (holding & (fate == DURABLE))),
            ("frozen_conflict", holding & (fate != COLLAPSED)),
            ("ceasefire_collapse", world.ever_ceasefire),
        ],
        "war_continues",
    )
    entered = world.deployment_start_day >= 0
    attacked = world.attacks_on_peacekeepers > 0
    fate = _first(
        n,
        [
            ("no_force", ~setup.force_pledged),
            ("not_deployed", ~entered),
            ("withdrawn", world.mission_abandoned),
            ("attacked", attacked),
        ],
        "deployed_intact",
    )
    outcome = _first(
        n,
        [
            ("nato_russia_escalation", conflict == "nato_russia_escalation"),
            ("deployment_abandoned", fate == "withdrawn"),
            ("peacekeepers_attacked", fate == "attacked"),
        ],
        "",
    )
    outcome = np.where(outcome == "", conflict, outcome).astype(object)
    return {"conflict_state": conflict, "force_fate": fate, "outcome": outcome}


def attack_channel(world: World, setup: Setup) -> np.ndarray:
    """Per run, why the force was first struck (missing, ``None``, where it never was).

    1. ``forced_entry`` -- the force went in although the coalition's own choice
       was to stay out (``levers.deployment: forced``);
    2. ``misjudged_resolve`` -- Russia's reply to the force as it entered was
       already to strike it (targeting probability above 1/2 that day): the
       coalition entered on a belief about Russia's resolve that was wrong;
    3. ``noisy_play`` -- Russia's best reply on the day of the strike was to
       accept the force (targeting probability below 1/2): a strike of noisy
       play (logit QRE);
    4. ``sanctions_weakened`` -- Russia would have accepted the force as it
       entered, and the sanctions it expects for a strike fell before it struck
       (the US backed down, or sanctions in force were lifted);
    5. ``force_shrank`` -- the same, and the committed force shrank (states
       left), changing Russia's balance of provocation and tripwire;
    6. ``other_change`` -- any other change after entry.
    """
    attacked = world.first_attack_day >= 0
    changed = attacked & (world.targeting_at_entry < 0.5)
    rules = [
        (
            "forced_entry",
            attacked & setup.params["levers.deployment_forced"] & (world.entry_own_choice < 0.5),
        ),
        ("misjudged_resolve", attacked & (world.targeting_at_entry >= 0.5)),
        ("noisy_play", attacked & (world.targeting_at_first_attack < 0.5)),
        (
            "sanctions_weakened",
            changed & (world.sanctions_penalty_at_first_attack < world.sanctions_penalty_at_entry),
        ),
        ("force_shrank", changed & (world.troops_at_first_attack < world.troops_at_entry)),
        ("other_change", attacked),
    ]
    label = _first(world.n_runs, rules, "")
    return np.where(attacked, label, None).astype(object)
