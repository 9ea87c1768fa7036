"""The day's three payoff tables of a scenario, from drawn parameters and the state of play.

:func:`build_tables` is a pure function: parameters (arrays over runs), the
scenario's levers, and a :class:`GameState` (what the tables depend on that
changes during a run) go in; the deployment, ceasefire and sanctions tables
come out, with the derived quantities the model also needs (the tripwire
response probability, the detection probability...).  The model
(:mod:`sim.model`) calls it every day; ``sim equilibria`` calls it once, at
the parameters' central values or at one run's draws.  Formulas:
``docs/model.md``, "The three games".

Tables given explicitly in the scenario (``games.tables``) replace the
computed ones, the same in every run and on every day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.games.tables import (
    CeasefireInputs,
    DeploymentInputs,
    SanctionsInputs,
    ceasefire_table,
    deployment_table,
    response_probability,
    sanctions_table,
)
from sim.parameters import RunParameters
from sim.scenario import Scenario

__all__ = ["DayTables", "GameState", "build_tables", "detection_probability"]


@dataclass(frozen=True)
class GameState:
    """What the tables depend on besides parameters (arrays over runs).

    ``committed_troops``: troops of the states still in the mission (the
    pledge, before and during deployment); ``troops_deployed``: troops in
    place (they monitor); ``threat_active``: a US sanctions threat is pending;
    ``days_held``: completed days of the current ceasefire; ``in_term``: an
    agreed ceasefire term is running; ``us_committed``: the US's type.
    """

    committed_troops: np.ndarray
    troops_deployed: np.ndarray
    threat_active: np.ndarray
    days_held: np.ndarray
    in_term: np.ndarray
    us_committed: np.ndarray


@dataclass(frozen=True)
class DayTables:
    """The three games' payoff tables, ``{name: (row payoffs, column payoffs)}``,
    each of shape ``(n, 2, 2)``, and the quantities they were built from."""

    tables: dict[str, tuple[np.ndarray, np.ndarray]]
    response_probability: np.ndarray
    detection_probability: np.ndarray
    expected_sanctions: np.ndarray
    russia_violation_gain: np.ndarray


def detection_probability(params: RunParameters, troops_deployed: np.ndarray) -> np.ndarray:
    """Probability that a ceasefire violation is detected and attributed.

    ``base + (max(maximum, base) - base) (1 - exp(-D / monitoring_scale))`` for
    ``D`` troops deployed; a scale of 0 means any monitor at all gives the
    maximum (and none gives the base).
    """
    base = params["ceasefire.base_detection_probability"]
    maximum = np.maximum(params["ceasefire.max_detection_probability"], base)
    scale = params["ceasefire.monitoring_scale"]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(
            scale > 0, troops_deployed / scale, np.where(troops_deployed > 0, np.inf, 0.0)
        )
    return base + (maximum - base) * (1.0 - np.exp(-ratio))


def build_tables(params: RunParameters, scenario: Scenario, state: GameState) -> DayTables:
    """Build the deployment, ceasefire and sanctions tables of every run."""
    p, levers, coalition = params, scenario.levers, scenario.actors.coalition
    n = params.n_runs
    troops = state.committed_troops
    reply = response_probability(
        troops,
        p["actors.coalition.max_response_probability"],
        p["actors.coalition.tripwire_scale"],
        levers.us_backstop,
        p["actors.united_states.backstop_response_probability"],
    )
    credibility = p["levers.sanctions_credibility"]
    expected_sanctions = state.threat_active * credibility * p["actors.russia.sanctions_cost"]
    un_discount = p["ceasefire.un_mandate_discount"] if levers.un_mandate else 0.0
    deployment = DeploymentInputs(
        troops=troops,
        viable=(troops >= coalition.minimum_viable_force).astype(float),
        response_probability=reply,
        russia_resolve=p["actors.russia.resolve"] * (1.0 - un_discount),
        russia_audience_cost=p["actors.russia.audience_cost"],
        russia_nato_war_cost=p["actors.russia.nato_war_cost"],
        russia_expected_sanctions=expected_sanctions,
        guarantee_value=p["actors.coalition.guarantee_value"],
        deployment_cost=p["actors.coalition.deployment_cost"],
        casualty_cost=p["actors.coalition.casualty_cost"],
        expected_casualties_if_targeted=troops
        * p["actors.coalition.casualty_rate_per_attack"]
        * coalition.risk_window_days,
        coalition_nato_war_cost=p["actors.coalition.nato_war_cost"],
    )

    # Ceasefire: monitors raise detection; the temptation fades as the ceasefire holds.
    detection = detection_probability(params, state.troops_deployed)
    halflife = p["ceasefire.violation_gain_halflife_days"]
    # A half-life of 0 means the temptation is there on the first day only.
    with np.errstate(divide="ignore", invalid="ignore"):
        decay = np.where(
            halflife > 0,
            np.exp2(-state.days_held / halflife),
            (state.days_held == 0).astype(float),
        )
    russia_penalty = (
        p["actors.russia.detected_violation_cost"]
        + state.in_term * p["actors.russia.agreement_violation_cost"]
        + expected_sanctions
    )
    ukraine_penalty = (
        p["actors.ukraine.support_loss_if_detected"]
        + state.in_term * p["actors.ukraine.agreement_violation_cost"]
    )
    ceasefire = CeasefireInputs(
        russia_gain=p["actors.russia.violation_gain"] * decay,
        russia_penalty_if_detected=russia_penalty,
        russia_exploited_cost=p["actors.russia.exploited_cost"],
        russia_war_cost=p["actors.russia.war_cost"],
        ukraine_gain=p["actors.ukraine.violation_gain"] * decay,
        ukraine_penalty_if_detected=ukraine_penalty,
        ukraine_exploited_cost=p["actors.ukraine.exploited_cost"],
        ukraine_war_cost=p["actors.ukraine.war_cost"],
        detection_probability=detection,
        spiral_probability=p["ceasefire.spiral_probability"],
    )
    sanctions = SanctionsInputs(
        us_sanctions_cost=p["actors.united_states.sanctions_cost_to_us"],
        us_audience_cost=state.us_committed * p["actors.united_states.audience_cost"],
        russia_sanctions_cost=p["actors.russia.sanctions_cost"],
        russia_defiance_gain=ceasefire.russia_gain,
    )
    tables = {
        "deployment": deployment_table(deployment),
        "ceasefire": ceasefire_table(ceasefire),
        "sanctions": sanctions_table(sanctions),
    }
    explicit = scenario.games.tables if scenario.games is not None else {}
    for name, table in explicit.items():
        tables[name] = (
            np.broadcast_to(np.asarray(table.row_payoffs, float), (n, 2, 2)).copy(),
            np.broadcast_to(np.asarray(table.col_payoffs, float), (n, 2, 2)).copy(),
        )
    return DayTables(
        tables=tables,
        response_probability=reply,
        detection_probability=detection,
        expected_sanctions=expected_sanctions,
        russia_violation_gain=ceasefire.russia_gain,
    )
