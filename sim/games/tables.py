"""Payoff tables of the three games, built for all Monte Carlo runs at once.

Each function returns ``(row_payoffs, col_payoffs)`` of shape ``(n, 2, 2)``
(index ``[run, row action, column action]``).  Payoffs are in abstract utility
units; only differences within one player's payoffs matter.  The formulas are
written out, with the meaning and source of every term, in ``docs/model.md``
(section "Payoff tables"); keep the two in step.

* **Deployment vs. deterrence** -- coalition (deploy / stay out) × Russia
  (accept the force / treat it as a target).  A force is a *tripwire*
  (Schelling, *Arms and Influence*, 1966): attacking it risks a military
  response whose probability grows with its size and with a US backstop.
* **Ceasefire** -- Russia × Ukraine (hold / violate).  Monitors raise the
  probability that a violation is detected and punished (Fortna, *Peace Time*,
  2004); the temptation to violate fades as the ceasefire holds.
* **Sanctions** -- US (impose / refrain) × Russia (comply / defy).  A US that
  refrains after a public threat pays an audience cost (Fearon 1994) only if it
  is a committed type; the probability of that type is the threat's credibility.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "GAME_ACTIONS",
    "CeasefireInputs",
    "DeploymentInputs",
    "SanctionsInputs",
    "ceasefire_table",
    "deployment_table",
    "response_probability",
    "sanctions_table",
]

#: (row player, column player), (row actions, column actions) of each game.
GAME_ACTIONS: dict[str, tuple[tuple[str, str], tuple[str, str], tuple[str, str]]] = {
    "deployment": (("coalition", "russia"), ("deploy", "stay out"), ("accept", "target")),
    "ceasefire": (("russia", "ukraine"), ("hold", "violate"), ("hold", "violate")),
    "sanctions": (("united_states", "russia"), ("impose", "refrain"), ("comply", "defy")),
}

REFERENCE_FORCE = 10_000.0  # troops; the coalition's planned force in the seed reports


def _table(n: int) -> np.ndarray:
    return np.zeros((n, 2, 2))


def response_probability(
    troops: np.ndarray,
    max_response_probability: np.ndarray,
    tripwire_scale: np.ndarray,
    us_backstop: bool,
    backstop_response_probability: np.ndarray,
) -> np.ndarray:
    """Probability that an attack on the force draws a NATO-state military response.

    ``1 - (1 - r_max (1 - exp(-T / s))) (1 - b r_US)``: the coalition's own
    response rises with force size T towards ``r_max`` on the scale ``s``
    (the tripwire), and a US backstop (b = 1) adds an independent chance ``r_US``.
    """
    # A scale of 0 means any troops at all trigger the full response; no troops, none.
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(
            tripwire_scale > 0, troops / tripwire_scale, np.where(troops > 0, np.inf, 0.0)
        )
    coalition = max_response_probability * (1.0 - np.exp(-ratio))
    us = backstop_response_probability if us_backstop else 0.0
    return 1.0 - (1.0 - coalition) * (1.0 - us)


@dataclass(frozen=True)
class DeploymentInputs:
    """Per-run inputs of the deployment game (arrays of length n)."""

    troops: np.ndarray  # force committed, T
    viable: np.ndarray  # T >= minimum viable force (0/1)
    response_probability: np.ndarray  # see response_probability()
    russia_resolve: np.ndarray  # cost to Russia per 10,000 troops tolerated (after UN discount)
    russia_audience_cost: np.ndarray
    russia_nato_war_cost: np.ndarray
    russia_expected_sanctions: np.ndarray  # threat active × credibility × sanctions cost
    guarantee_value: np.ndarray
    deployment_cost: np.ndarray  # per 10,000 troops
    casualty_cost: np.ndarray  # per 100 casualties
    expected_casualties_if_targeted: np.ndarray
    coalition_nato_war_cost: np.ndarray


def deployment_table(x: DeploymentInputs) -> tuple[np.ndarray, np.ndarray]:
    """Coalition (row: deploy, stay out) × Russia (column: accept, target)."""
    n = x.troops.shape[0]
    size = x.troops / REFERENCE_FORCE
    coalition, russia = _table(n), _table(n)
    # Deploy, Russia accepts: the guarantee is worth something only if the force is viable.
    coalition[:, 0, 0] = x.guarantee_value * x.viable - x.deployment_cost * size
    russia[:, 0, 0] = -x.russia_resolve * size - x.russia_audience_cost
    # Deploy, Russia targets it: casualties, and the risk of a direct NATO-Russia war.
    coalition[:, 0, 1] = (
        -x.deployment_cost * size
        - x.casualty_cost * x.expected_casualties_if_targeted / 100.0
        - x.response_probability * x.coalition_nato_war_cost
    )
    russia[:, 0, 1] = -x.response_probability * x.russia_nato_war_cost - x.russia_expected_sanctions
    # Stay out: the status quo, 0 for both whatever Russia's declared posture.
    return coalition, russia


@dataclass(frozen=True)
class CeasefireInputs:
    """Per-run inputs of the ceasefire game (arrays of length n)."""

    russia_gain: np.ndarray  # temptation to violate today (already decayed)
    russia_penalty_if_detected: np.ndarray
    russia_exploited_cost: np.ndarray
    russia_war_cost: np.ndarray  # cost of the ceasefire collapsing into full-scale war
    ukraine_gain: np.ndarray
    ukraine_penalty_if_detected: np.ndarray
    ukraine_exploited_cost: np.ndarray
    ukraine_war_cost: np.ndarray
    detection_probability: np.ndarray  # p: a violation is detected and attributed
    spiral_probability: np.ndarray  # s: an undetected unilateral violation ends the ceasefire


def ceasefire_table(x: CeasefireInputs) -> tuple[np.ndarray, np.ndarray]:
    """Russia (row: hold, violate) × Ukraine (column: hold, violate), one day."""
    n = x.russia_gain.shape[0]
    russia, ukraine = _table(n), _table(n)
    p = x.detection_probability
    # A unilateral violation ends the ceasefire with probability s (1 - p): attribution by
    # monitors keeps an incident from spiralling (Fortna 2004).  Both sides bear that risk.
    collapse = x.spiral_probability * (1.0 - p)
    # (hold, hold) = 0 for both: the ceasefire holds today.
    russia[:, 0, 1] = -x.russia_exploited_cost - collapse * x.russia_war_cost
    ukraine[:, 0, 1] = (
        x.ukraine_gain - p * x.ukraine_penalty_if_detected - collapse * x.ukraine_war_cost
    )
    russia[:, 1, 0] = (
        x.russia_gain - p * x.russia_penalty_if_detected - collapse * x.russia_war_cost
    )
    ukraine[:, 1, 0] = -x.ukraine_exploited_cost - collapse * x.ukraine_war_cost
    russia[:, 1, 1] = -x.russia_war_cost
    ukraine[:, 1, 1] = -x.ukraine_war_cost
    return russia, ukraine


@dataclass(frozen=True)
class SanctionsInputs:
    """Per-run inputs of the sanctions game (arrays of length n)."""

    us_sanctions_cost: np.ndarray
    us_audience_cost: np.ndarray  # paid on backing down; 0 for a non-committed type
    russia_sanctions_cost: np.ndarray
    russia_defiance_gain: np.ndarray


def sanctions_table(x: SanctionsInputs) -> tuple[np.ndarray, np.ndarray]:
    """US (row: impose, refrain) × Russia (column: comply, defy)."""
    n = x.us_sanctions_cost.shape[0]
    us, russia = _table(n), _table(n)
    us[:, 0, 0] = -x.us_sanctions_cost
    us[:, 0, 1] = -x.us_sanctions_cost
    us[:, 1, 1] = -x.us_audience_cost
    russia[:, 0, 0] = -x.russia_sanctions_cost
    russia[:, 0, 1] = x.russia_defiance_gain - x.russia_sanctions_cost
    russia[:, 1, 1] = x.russia_defiance_gain
    return us, russia
