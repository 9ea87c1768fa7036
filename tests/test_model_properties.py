"""Invariants of the model, as properties over random scenarios (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.engine.model import CrisisModel
from sim.engine.outcomes import ESCALATION_LEVELS, OUTCOMES
from sim.experiments.runner import simulate
from sim.results.summary import summarise
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario
from tests.conftest import SCENARIOS

BASE = load_scenario(SCENARIOS / "baseline.yaml").model_dump(mode="json")


@st.composite
def scenarios(draw) -> Scenario:
    data = {key: (dict(value) if isinstance(value, dict) else value) for key, value in BASE.items()}
    horizon = draw(st.integers(20, 90))
    data["simulation"] = {"horizon_days": horizon, "runs": 50, "seed": 0}
    data["levers"] = {
        **BASE["levers"],
        "troops_pledged": draw(st.integers(0, 30_000)),
        "sanctions_credibility": draw(st.floats(0.0, 1.0)),
        "us_backstop": draw(st.booleans()),
        "un_mandate": draw(st.booleans()),
        "deploy_only_during_ceasefire": draw(st.booleans()),
    }
    timeline = {}
    if draw(st.booleans()):
        timeline["ceasefire"] = {
            "day": draw(st.integers(0, horizon)),
            "duration_days": draw(st.integers(1, 120)),
        }
    if draw(st.booleans()):
        timeline["sanctions_threat"] = {
            "day": draw(st.integers(0, horizon)),
            "deadline_days": draw(st.integers(1, 60)),
        }
    if draw(st.booleans()):
        timeline["deployment"] = {
            "day": draw(st.integers(0, horizon)),
            "ramp_days": draw(st.integers(1, 40)),
        }
    data["timeline"] = timeline
    # Edge values of scales and half-lives (0 is allowed) must not break the games.
    data["ceasefire"] = {
        **BASE["ceasefire"],
        "violation_gain_halflife_days": draw(st.sampled_from([0.0, 60.0])),
        "monitoring_scale": draw(st.sampled_from([0.0, 5000.0])),
    }
    data["actors"] = {
        **BASE["actors"],
        "coalition": {
            **BASE["actors"]["coalition"],
            "tripwire_scale": draw(st.sampled_from([0.0, 5000.0])),
        },
    }
    return Scenario.model_validate(data)


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenario=scenarios(), runs=st.integers(1, 60), seed=st.integers(0, 2**32 - 1))
def test_model_invariants(scenario: Scenario, runs: int, seed: int):
    result = simulate(scenario, runs=runs, seed=seed)
    table, daily = result.runs, result.trajectories
    horizon = scenario.simulation.horizon_days
    pledged = scenario.levers.troops_pledged

    # Exactly one known outcome per run; outcome probabilities sum to one.
    assert len(table) == runs
    assert table["outcome"].notna().all()
    assert set(table["outcome"].astype(str)) <= set(OUTCOMES)
    summary = summarise(table)
    total = sum(entry["probability"] for entry in summary["outcomes"].values())
    assert abs(total - 1.0) < 1e-12

    # Troops never negative nor above the pledged total.
    troops = daily["troops_deployed"]
    assert troops.shape == (horizon, runs)
    assert (troops >= 0).all()
    assert (troops <= pledged + 1e-9).all()
    assert (table["peak_troops_deployed"] <= pledged).all()
    assert (table["final_troops_deployed"] <= table["peak_troops_deployed"]).all()
    if pledged == 0 or "deployment" not in scenario.timeline.model_fields_set:
        assert (troops == 0).all()

    # Casualties never negative, never decreasing; none without an attack.
    casualties = daily["peacekeeper_casualties"]
    assert (casualties >= 0).all()
    assert (np.diff(casualties, axis=0) >= 0).all()
    # Casualties come from strikes and, on the strike ladder, from harassment.
    unhurt = (table["attacks_on_peacekeepers"] == 0) & (table["harassment_days"] == 0)
    assert (table.loc[unhurt, "peacekeeper_casualties"] == 0).all()

    # The escalation ladder stays on its rungs; metrics agree with the daily record.
    level = daily["escalation_level"]
    assert set(np.unique(level)) <= set(ESCALATION_LEVELS.values())
    np.testing.assert_allclose(table["mean_escalation_level"], level.mean(axis=0))
    in_force = daily["ceasefire_in_force"].astype(bool)
    np.testing.assert_array_equal(table["ceasefire_days_held"], in_force.sum(axis=0))
    assert (table["ceasefire_days_held"] <= horizon).all()
    assert (table["first_ceasefire_length_days"].dropna() <= horizon).all()
    started = table["first_ceasefire_day"].notna()
    assert (table["first_ceasefire_length_days"].notna() == started).all()
    first_length = table.loc[started, "first_ceasefire_length_days"]
    assert (first_length <= table.loc[started, "ceasefire_days_held"]).all()
    assert (table.loc[~started, "ceasefire_days_held"] == 0).all()

    # Outcome classes are consistent with what happened.
    outcome = table["outcome"].astype(str)
    escalated = outcome == "nato_russia_escalation"
    attacked = table["attacks_on_peacekeepers"] > 0
    assert (table["escalation_day"].notna() == escalated).all()
    # A clash needs a strike; a struck force that later withdraws is classed as
    # deployment_abandoned (docs/model.md, "Headline outcome": withdrawal ranks first).
    withdrawn = table["force_withdrawn"].to_numpy()
    assert attacked[escalated].all()
    struck_classes = ["peacekeepers_attacked", "nato_russia_escalation"]
    assert (attacked & ~withdrawn == outcome.isin(struck_classes) & ~withdrawn).all()
    assert (outcome[attacked & withdrawn].isin([*struck_classes, "deployment_abandoned"])).all()
    holding_at_end = in_force[-1]
    at_peace = outcome.isin(["durable_ceasefire", "frozen_conflict"]).to_numpy()
    assert holding_at_end[at_peace].all()
    fighting = outcome.isin(["war_continues", "ceasefire_collapse"]).to_numpy()
    # A ceasefire still holding at the horizon counts as a collapse only when the
    # follow-up past the horizon saw it end (docs/model.md, "Follow-up").
    followed = table["ceasefire_followed_days"].to_numpy() > 0
    assert not holding_at_end[fighting & ~followed].any()
    assert (followed <= holding_at_end).all()
    assert (table.loc[outcome == "war_continues", "first_ceasefire_day"].isna()).all()

    # Sanctions only follow a threat, and carry a day when imposed.
    assert (table["sanctions_imposed_day"].notna() == table["sanctions_imposed"]).all()
    if "sanctions_threat" not in scenario.timeline.model_fields_set:
        assert not table["sanctions_imposed"].any()


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_same_seed_same_numbers_and_seed_zero_is_a_seed():
    scenario = load_scenario(SCENARIOS / "combined.yaml")
    first = simulate(scenario, runs=300, seed=0)
    again = simulate(scenario, runs=300, seed=0)
    pd.testing.assert_frame_equal(first.runs, again.runs)
    for name, values in first.trajectories.items():
        np.testing.assert_array_equal(values, again.trajectories[name])
    other = simulate(scenario, runs=300, seed=1)
    assert not first.runs.equals(other.runs)
    default = simulate(scenario, runs=300)  # the scenario's own seed, not 0
    assert default.seed == scenario.simulation.seed != 0
    assert not first.runs.equals(default.runs)


def test_zero_scales_and_half_life_give_well_defined_games():
    data = load_scenario(SCENARIOS / "combined.yaml").model_dump(mode="json")
    data["ceasefire"]["violation_gain_halflife_days"] = 0.0
    data["ceasefire"]["monitoring_scale"] = 0.0
    data["actors"]["coalition"]["tripwire_scale"] = 0.0
    data["simulation"]["horizon_days"] = 40
    model = CrisisModel(Scenario.model_validate(data), 200, 0)
    for _ in range(40):
        # Detection is set when the day's games are built, from the troops in place at
        # the start of the day.
        monitors_today = model.world.troops_deployed.copy()
        model.step()
        for game in model.world.games.values():
            assert np.isfinite(game.row_payoffs).all() and np.isfinite(game.col_payoffs).all()
            assert np.isfinite(game.selected.row_first).all()
            assert np.isfinite(game.selected.col_first).all()
        assert np.isfinite(model.world.detection_probability).all()
        assert np.isfinite(model.world.targeting_probability).all()
        # no monitors, no extra detection; any monitor at all, the maximum
        no_monitors = monitors_today == 0
        np.testing.assert_allclose(
            model.world.detection_probability[no_monitors],
            model.params["ceasefire.base_detection_probability"][no_monitors],
        )
