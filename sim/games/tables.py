"""Payoff tables of the three games, built for all Monte Carlo runs at once.

Each function returns ``(row_payoffs, col_payoffs)`` of shape ``(n, 2, 2)``
(index ``[run, row action, column action]``).  Payoffs are in abstract utility
units; only differences within one player's payoffs matter.  The formulas are
written out, with the meaning and source of every term, in ``docs/model.md``
(section "The three games"); keep the two in step.

* **Deployment vs. deterrence** -- coalition (deploy / stay out) × Russia
  (accept the force / treat it as a target).  The force cuts both ways, and
  how each side scales with its size is explicit (docs/model.md, "Force
  size: tripwire and provocation"): as a *tripwire* (Schelling, *Arms and
  Influence*, 1966) attacking it risks a military response whose probability
  rises with its size towards a ceiling and with a US backstop; as a
  *provocation* Russia's cost of tolerating it grows as ``(T / T_ref)^β``,
  with ``β = force_size_elasticity`` (< 1: Russia objects to Western troops
  as such -- "any" Western troops [S0] -- more than to their number).
* **Ceasefire** -- Russia × Ukraine (hold / violate).  Monitors raise the
  probability that a violation is detected and punished (Fortna, *Peace Time*,
  2004) and keep an attributed incident from spiralling; the temptation to
  violate fades as the ceasefire holds.
* **Sanctions** -- US (impose / refrain) × Russia (comply / defy), played
  with Russia moving first (a threat is a conditional move).  A US that
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
    "provocation",
    "response_probability",
    "sanctions_table",
    "unilateral_collapse_probability",
]

#: (row player, column player), (row actions, column actions) of each game.
GAME_ACTIONS: dict[str, tuple[tuple[str, str], tuple[str, str], tuple[str, str]]] = {
    "deployment": (("coalition", "russia"), ("deploy", "stay out"), ("accept", "target")),
    "ceasefire": (("russia", "ukraine"), ("hold", "violate"), ("hold", "violate")),
    "sanctions": (("united_states", "russia"), ("impose", "refrain"), ("comply", "defy")),
}


def _table(n: int) -> np.ndarray:
    return np.zeros((n, 2, 2))


def response_probability(
    troops: np.ndarray,
    max_response_probability: np.ndarray,
    tripwire_scale: np.ndarray,
    us_backstop: bool | np.ndarray,
    backstop_response_probability: np.ndarray,
) -> np.ndarray:
    """Probability that an attack on the force draws a NATO-state military response.

    ``1 - (1 - r_max (1 - exp(-T / s))) (1 - b r_US)``: the coalition's own
    response rises with force size T towards ``r_max`` on the scale ``s``
    (the tripwire), and a US backstop (b = 1) adds an independent chance ``r_US``.
    ``us_backstop``: one switch, or one per run.
    """
    # A scale of 0 means any troops at all trigger the full response; no troops, none.
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(
            tripwire_scale > 0, troops / tripwire_scale, np.where(troops > 0, np.inf, 0.0)
        )
    coalition = max_response_probability * (1.0 - np.exp(-ratio))
    us = np.where(us_backstop, backstop_response_probability, 0.0)
    return 1.0 - (1.0 - coalition) * (1.0 - us)


def provocation(troops: np.ndarray, reference_force: np.ndarray, elasticity: np.ndarray):
    """Size factor of Russia's cost of tolerating a force of ``troops``: ``(T / T_ref)^β``.

    1 at the reference force; 0 without troops; a reference force of 0 means
    any force counts as one reference force.
    """
    troops = np.asarray(troops, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(reference_force > 0, troops / reference_force, 1.0)
    return np.where(troops > 0, np.power(ratio, elasticity), 0.0)


@dataclass(frozen=True)
class DeploymentInputs:
    """Per-run inputs of the deployment game (arrays of length n)."""

    troops: np.ndarray  # force committed, T
    viable: np.ndarray  # T >= minimum viable force (0/1)
    response_probability: np.ndarray  # r(T), see response_probability(): the coalition's view
    russia_expected_response: np.ndarray  # r̂: what Russia expects, after what it has seen
    russia_tolerance_cost: np.ndarray  # R (T / T_ref)^β, after any UN discount
    russia_audience_cost: np.ndarray  # paid for backing down; 0 once Russia has struck
    russia_nato_war_cost: np.ndarray
    russia_sanctions_penalty: np.ndarray  # expected sanctions cost of an attributed attack
    guarantee_value: np.ndarray
    deployment_cost: np.ndarray  # coalition's cost, per 10,000 troops deployed
    casualty_cost: np.ndarray  # per casualty_scale casualties, for a public of sensitivity 1
    casualty_scale: np.ndarray
    expected_casualties_if_targeted: np.ndarray
    coalition_nato_war_cost: np.ndarray
    # The member governments' publics, weighted by pledge (states still committed):
    coalition_support: np.ndarray  # mean domestic support for the mission
    coalition_casualty_sensitivity: np.ndarray  # mean casualty sensitivity
    coalition_audience_cost: np.ndarray  # of backing down from the pledge, at full support


def deployment_table(x: DeploymentInputs) -> tuple[np.ndarray, np.ndarray]:
    """Coalition (row: deploy, stay out) × Russia (column: accept, target).

    Parameters
    ----------
    x : DeploymentInputs
        The per-run inputs, arrays of length n.

    Returns
    -------
    row_payoffs, col_payoffs : numpy.ndarray
        The coalition's and Russia's payoffs, shape ``(n, 2, 2)``.
    """
    n = x.troops.shape[0]
    cost = x.deployment_cost * x.troops / 10_000.0  # a unit: deployment_cost is per 10,000
    coalition, russia = _table(n), _table(n)
    # The coalition values the guarantee, and fears casualties, as its members'
    # publics do (pledge-weighted over the states still committed).
    # Deploy, Russia accepts: the guarantee is worth something only if the force is viable.
    coalition[:, 0, 0] = x.guarantee_value * x.coalition_support * x.viable - cost
    russia[:, 0, 0] = -x.russia_tolerance_cost - x.russia_audience_cost
    # Deploy, Russia targets it: casualties, and the risk of a direct NATO-Russia war.
    coalition[:, 0, 1] = (
        -cost
        - x.casualty_cost
        * x.coalition_casualty_sensitivity
        * x.expected_casualties_if_targeted
        / x.casualty_scale
        - x.response_probability * x.coalition_nato_war_cost
    )
    russia[:, 0, 1] = (
        -x.russia_expected_response * x.russia_nato_war_cost - x.russia_sanctions_penalty
    )
    # Stay out: the status quo for Russia whatever its declared posture; for the
    # coalition, backing down from a public pledge costs its leaders at home, the
    # more so the more their publics back the mission (audience costs, Fearon 1994).
    backing_down = -x.coalition_audience_cost * x.coalition_support * (x.troops > 0)
    coalition[:, 1, 0] = backing_down
    coalition[:, 1, 1] = backing_down
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
    spiral_probability: np.ndarray  # s: an unattributed unilateral violation ends the ceasefire
    attribution_spiral_reduction: np.ndarray  # a: share of the spiral risk attribution removes
    mutual_collapse_probability: np.ndarray  # q: both violate on the same day


def unilateral_collapse_probability(
    spiral: np.ndarray, detection: np.ndarray, attribution_reduction: np.ndarray
) -> np.ndarray:
    """``s (1 - a p)``: chance that one side's violation ends the ceasefire.

    Attribution by monitors keeps an incident from spiralling (Fortna 2004);
    ``a`` is how much of the risk it removes (1: all of it when detected).
    """
    return spiral * (1.0 - attribution_reduction * detection)


def ceasefire_table(x: CeasefireInputs) -> tuple[np.ndarray, np.ndarray]:
    """Russia (row: hold, violate) × Ukraine (column: hold, violate), one day.

    Parameters
    ----------
    x : CeasefireInputs
        The per-run inputs, arrays of length n.

    Returns
    -------
    row_payoffs, col_payoffs : numpy.ndarray
        Russia's and Ukraine's payoffs, shape ``(n, 2, 2)``.
    """
    n = x.russia_gain.shape[0]
    russia, ukraine = _table(n), _table(n)
    p = x.detection_probability
    one = unilateral_collapse_probability(x.spiral_probability, p, x.attribution_spiral_reduction)
    both = x.mutual_collapse_probability
    russia_violates = x.russia_gain - p * x.russia_penalty_if_detected
    ukraine_violates = x.ukraine_gain - p * x.ukraine_penalty_if_detected
    # (hold, hold) = 0 for both: the ceasefire holds today.
    russia[:, 0, 1] = -x.russia_exploited_cost - one * x.russia_war_cost
    ukraine[:, 0, 1] = ukraine_violates - one * x.ukraine_war_cost
    russia[:, 1, 0] = russia_violates - one * x.russia_war_cost
    ukraine[:, 1, 0] = -x.ukraine_exploited_cost - one * x.ukraine_war_cost
    russia[:, 1, 1] = russia_violates - both * x.russia_war_cost
    ukraine[:, 1, 1] = ukraine_violates - both * x.ukraine_war_cost
    return russia, ukraine


@dataclass(frozen=True)
class SanctionsInputs:
    """Per-run inputs of the sanctions game (arrays of length n)."""

    us_sanctions_cost: np.ndarray
    us_audience_cost: np.ndarray  # paid on backing down; 0 for a non-committed type
    russia_sanctions_cost: np.ndarray
    russia_defiance_gain: np.ndarray  # the deal cost it saves, or today's violation gain


def sanctions_table(x: SanctionsInputs) -> tuple[np.ndarray, np.ndarray]:
    """US (row: impose, refrain) × Russia (column: comply, defy).

    Parameters
    ----------
    x : SanctionsInputs
        The per-run inputs, arrays of length n.

    Returns
    -------
    row_payoffs, col_payoffs : numpy.ndarray
        The US's and Russia's payoffs, shape ``(n, 2, 2)``.
    """
    n = x.us_sanctions_cost.shape[0]
    us, russia = _table(n), _table(n)
    us[:, 0, 0] = -x.us_sanctions_cost
    us[:, 0, 1] = -x.us_sanctions_cost
    us[:, 1, 1] = -x.us_audience_cost
    russia[:, 0, 0] = -x.russia_sanctions_cost
    russia[:, 0, 1] = x.russia_defiance_gain - x.russia_sanctions_cost
    russia[:, 1, 1] = x.russia_defiance_gain
    return us, russia
