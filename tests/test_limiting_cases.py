"""Limiting scenarios whose answer the payoff tables dictate.

Each case fixes parameters so that one action is strictly dominant (or an
event cannot happen) and checks that the whole simulation -- agents, events,
outcome classes -- delivers what the tables imply.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.experiments.runner import simulate
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario
from tests.conftest import SCENARIOS


def _data(base: str) -> dict:
    return load_scenario(SCENARIOS / base).model_dump(mode="json")


def _deployed_force(casualty_sensitivity: float) -> dict:
    """10,000 troops, moving in on day 0 under a year-long ceasefire, no sanctions threat."""
    data = _data("troops_10000.yaml")
    data["simulation"]["horizon_days"] = 90
    data["timeline"] = {
        "ceasefire": {"day": 0, "duration_days": 365},
        "deployment": {"day": 0, "ramp_days": 1},
    }
    data["levers"]["deploy_only_during_ceasefire"] = False
    # Limiting cases of the game with known payoffs: the coalition reads Russia's reply.
    data["information"]["russia_resolve"] = "known"
    for state in data["actors"]["coalition"]["states"].values():
        state["casualty_sensitivity"] = casualty_sensitivity
    return data


def test_targeting_strictly_dominant_deters_entry_or_every_forced_force_is_attacked():
    # No military response and no sanctions: targeting costs Russia nothing, while
    # accepting costs resolve x size + audience cost > 0 -- targeting strictly dominates.
    data = _deployed_force(casualty_sensitivity=0.0)  # and no state ever withdraws
    data["actors"]["coalition"]["max_response_probability"] = 0.0
    data["levers"]["us_backstop"] = False
    data["actors"]["russia"]["resolve"] = {"dist": "uniform", "low": 0.5, "high": 4.0}
    # Publics indifferent to casualties would rather see a struck force than a pledge
    # broken (the audience cost exceeds the deployment cost): without that cost,
    # being struck costs the coalition its deployment cost, so it stays out.
    data["actors"]["coalition"]["audience_cost"] = 0.0
    # The coalition foresees it: its move is to stay out, in every run.
    runs = simulate(Scenario.model_validate(data), runs=400, seed=11).runs
    assert (runs["peak_troops_deployed"] == 0).all()
    assert (runs["force_fate"] == "not_deployed").all()
    assert (runs["not_deployed_reason"] == "deterred").all()
    # Forced in anyway (the what-if), every force is struck.
    data["levers"]["deployment"] = "forced"
    runs = simulate(Scenario.model_validate(data), runs=400, seed=11).runs
    deployed = runs["peak_troops_deployed"] > 0
    assert deployed.mean() > 0.95  # the case is not vacuous
    assert (runs.loc[deployed, "outcome"] == "peacekeepers_attacked").all()
    assert (runs.loc[deployed, "attacks_on_peacekeepers"] > 0).all()
    assert (runs["outcome"] != "nato_russia_escalation").all()  # nobody can respond


def test_accepting_strictly_dominant_means_no_attack_ever():
    # Tolerating the force costs Russia nothing; targeting risks a NATO response.
    data = _deployed_force(casualty_sensitivity=0.5)
    data["actors"]["russia"]["resolve"] = 0.0
    data["actors"]["russia"]["audience_cost"] = 0.0
    data["actors"]["coalition"]["max_response_probability"] = 0.5
    result = simulate(Scenario.model_validate(data), runs=400, seed=11)
    runs = result.runs
    assert (runs["peak_troops_deployed"] > 0).mean() > 0.95
    assert (runs["attacks_on_peacekeepers"] == 0).all()
    assert (runs["peacekeeper_casualties"] == 0).all()
    assert not runs["outcome"].isin(["peacekeepers_attacked", "nato_russia_escalation"]).any()


def test_no_troops_means_no_peacekeeper_outcomes():
    data = _data("combined.yaml")
    data["levers"]["troops_pledged"] = 0
    data["simulation"]["horizon_days"] = 120
    result = simulate(Scenario.model_validate(data), runs=500, seed=5)
    runs = result.runs
    assert (runs["peak_troops_deployed"] == 0).all()
    assert (runs["peacekeeper_casualties"] == 0).all()
    assert (
        not runs["outcome"]
        .isin(["peacekeepers_attacked", "nato_russia_escalation", "deployment_abandoned"])
        .any()
    )
    assert (result.trajectories["troops_deployed"] == 0).all()


def _sanctions_case(sanctions_cost: float | dict) -> Scenario:
    """A ceasefire under a fully credible sanctions threat, no troops, no accidents.

    Ukraine gains nothing from violating, so it holds whatever Russia does.
    Russia's war costs are small next to the cost of being exploited, so with
    no sanctions it violates; the threat's expected cost is its only restraint.
    """
    data = _data("combined.yaml")
    data["simulation"]["horizon_days"] = 60
    data["levers"]["troops_pledged"] = 0
    data["levers"]["sanctions_credibility"] = 1.0
    # A committed US that would carry the threat out (backing down costs it more).
    data["actors"]["united_states"].update(sanctions_cost_to_us=1.0, audience_cost=2.0)
    data["timeline"] = {
        "ceasefire": {"day": 0, "duration_days": 60},
        "sanctions_threat": {"day": 0, "deadline_days": 60},
    }
    data["ceasefire"]["accidental_violation_probability"] = 0.0
    russia, ukraine = data["actors"]["russia"], data["actors"]["ukraine"]
    russia.update(
        violation_gain=2.0, war_cost=0.1, exploited_cost=1.0, sanctions_cost=sanctions_cost
    )
    ukraine["violation_gain"] = 0.0
    return Scenario.model_validate(data)


def _russian_violation_share(runs: pd.DataFrame) -> float:
    """Share of days that began under a ceasefire on which Russia violated it."""
    ceasefire_days = runs["ceasefire_days_held"] + runs["ceasefire_collapses"]
    return float(runs["russia_violation_days"].sum() / ceasefire_days.sum())


def test_raising_the_sanctions_cost_lowers_the_violation_rate():
    shares = [
        _russian_violation_share(simulate(_sanctions_case(cost), runs=500, seed=3).runs)
        for cost in (0.0, 100.0)
    ]
    cheap, dear = shares
    assert cheap > 0.9  # violating is Russia's best reply to a holding Ukraine
    assert dear == 0.0  # with the threat's cost above the gain, hold is its best reply
    # and Ukraine, holding dominantly, never violates in either case
    for cost in (0.0, 100.0):
        assert (
            simulate(_sanctions_case(cost), runs=200, seed=3).runs["ukraine_violation_days"] == 0
        ).all()


def test_violation_rate_falls_as_sanctions_cost_rises_all_else_fixed():
    # The cost is uncertain (uniform over a 10-unit band) so the share of runs in
    # which the threat deters moves smoothly as the band is shifted up; the same
    # seed gives every case the same draws of everything else.
    shifts = [0.0, 1.0, 2.0, 3.0, 4.0]
    shares = np.array(
        [
            _russian_violation_share(
                simulate(
                    _sanctions_case({"dist": "uniform", "low": shift, "high": shift + 10.0}),
                    runs=400,
                    seed=9,
                ).runs
            )
            for shift in shifts
        ]
    )
    assert np.all(np.diff(shares) < 0), shares
    assert 0.0 < shares[-1] < shares[0] < 1.0
