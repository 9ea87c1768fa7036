"""Private Russian resolve (Bayesian coalition, PBE entry) and the coalition's
threshold public-good game, through the whole simulation and `sim equilibria`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments.runner import simulate
from sim.games.bayesian import deterrence_threshold
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario
from tests.conftest import SCENARIOS


def _data(base: str = "combined.yaml") -> dict:
    return load_scenario(SCENARIOS / base).model_dump(mode="json")


def _equilibria(path) -> dict:
    result = CliRunner().invoke(app, ["equilibria", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# ------------------------------------------------------------ incomplete information


def test_a_certainly_resolute_russia_deters_entry_and_a_certain_bluff_does_not():
    data = _data()
    data["information"]["russia_resolve"] = "private"
    data["information"]["prior_resolute"] = 1.0  # beyond every run's threshold
    runs = simulate(Scenario.model_validate(data), runs=300, seed=3).runs
    assert (runs["peak_troops_deployed"] == 0).all()
    assert runs["deployment_start_day"].isna().all()
    assert (runs["belief_resolute_final"] == 1.0).all()  # a prior of 1 is never revised

    data["information"]["prior_resolute"] = 0.0
    bluff = simulate(Scenario.model_validate(data), runs=300, seed=3).runs
    known = simulate(load_scenario(SCENARIOS / "known_resolve.yaml"), runs=300, seed=3).runs
    # With a prior of 0 the coalition enters whenever the timeline lets it (deploying
    # pays when accepted in every run of combined.yaml: mu* > 0).  With known resolve
    # it also enters then, except in the runs where Russia would target the force:
    # there its move in the game played in sequence is to stay out.  Each purpose draws from its own
    # stream, so the runs are comparable one by one.
    entered_known = known["deployment_start_day"].notna()
    entered_bluff = bluff["deployment_start_day"].notna()
    deterred = known["not_deployed_reason"] == "deterred"
    assert entered_known.mean() > 0.5 and deterred.any()
    assert (entered_bluff[entered_known]).all()
    assert (entered_bluff[deterred]).all()
    assert not (bluff["not_deployed_reason"] == "deterred").any()


def test_beliefs_follow_bayes_rule_and_strikes_reveal_resolve():
    data = _data()
    data["information"].update(
        russia_resolve="private",
        prior_resolute=0.2,
        incident_probability_resolute=0.1,
        incident_probability_bluffing=0.03,
    )
    scenario = Scenario.model_validate(data)
    runs = simulate(scenario, runs=400, seed=5).runs
    attacked = runs["attacks_on_peacekeepers"] > 0
    assert (runs.loc[attacked, "belief_resolute_final"] == 1.0).all()
    # Without strikes the final belief is the prior updated by the run's incidents and
    # quiet days: odds x (h_R / h_B)^k x ((1 - h_R) / (1 - h_B))^(days - k).
    quiet = ~attacked
    days = scenario.simulation.horizon_days
    k = runs.loc[quiet, "incidents_observed"].to_numpy()
    log_odds = np.log(0.2 / 0.8) + k * np.log(0.1 / 0.03) + (days - k) * np.log(0.9 / 0.97)
    expected = 1.0 / (1.0 + np.exp(-log_odds))
    np.testing.assert_allclose(runs.loc[quiet, "belief_resolute_final"], expected, rtol=1e-9)


def test_deployment_waits_until_the_belief_is_below_the_threshold():
    data = _data()
    data["simulation"]["horizon_days"] = 120
    data["information"].update(russia_resolve="private", prior_resolute=0.2)
    scenario = Scenario.model_validate(data)
    traced = []
    from sim.experiments.runner import trace

    runs = simulate(scenario, runs=200, seed=9).runs
    started = runs.index[runs["deployment_start_day"].notna()]
    assert len(started) > 20  # the case is not vacuous
    for k in started[:5]:
        story = trace(scenario, int(k), runs=200, seed=9)
        day = int(story.row["deployment_start_day"])
        entry = story.days[day]
        assert entry["belief_resolute"] <= entry["entry_threshold"]
        # Earlier days on which troops could have moved (a ceasefire in force, on or
        # after the deployment day) had the belief above the threshold.
        deployment_day = scenario.timeline.deployment.day
        for earlier in story.days[deployment_day:day]:
            if earlier["ceasefire_in_force"]:
                assert earlier["belief_resolute"] > earlier["entry_threshold"]
        traced.append(day)
    # Learning takes time: the prior 0.2 is above combined.yaml's central threshold
    # (0.0914), so the coalition does not deploy on the first possible day.
    assert min(traced) > scenario.timeline.deployment.day


def test_equilibria_reports_the_pbe_threshold_in_closed_form():
    report = _equilibria(SCENARIOS / "combined.yaml")
    info = report["incomplete_information"]
    A = np.array(report["games"][0]["row_payoffs"])
    expected = deterrence_threshold(A[0, 0] - A[1, 0], A[0, 1] - A[1, 1])
    assert info["threshold"] == pytest.approx(float(expected))
    # docs/model.md, "The coalition's entry": (0.3196 + 0.2598) / (0.3196 + 6.7835).
    assert info["threshold"] == pytest.approx(0.5794 / 7.1031, abs=1e-4)
    assert info["russia_resolve"] == "private"
    assert info["coalition_deploys_at_prior"] is (info["prior_resolute"] <= info["threshold"])
    assert 0 < info["resolute_share_of_draws"] < 1
    # Quiet days needed: the smallest k with prior odds x (0.9 / 0.97)^k <= threshold odds.
    k = info["quiet_days_to_deploy"]
    odds = lambda p: p / (1 - p)  # noqa: E731
    ratio = 0.9 / 0.97
    prior = info["prior_resolute"]
    assert odds(prior) * ratio**k <= odds(info["threshold"]) < odds(prior) * ratio ** (k - 1)


# ------------------------------------------------------------ threshold public good


def _always_targeted(participation: str) -> Scenario:
    """A force that Russia strikes every day and nobody answers, under a long ceasefire."""
    data = _data("troops_10000.yaml")
    data["simulation"]["horizon_days"] = 60
    data["timeline"] = {
        "ceasefire": {"day": 0, "duration_days": 365},
        "deployment": {"day": 0, "ramp_days": 1},
    }
    data["levers"]["deploy_only_during_ceasefire"] = False
    data["actors"]["coalition"]["max_response_probability"] = 0.0
    data["actors"]["coalition"]["participation"] = participation
    # Publics feel only their own casualties here, so support is what the game
    # structure, not allies' losses, decides.
    data["actors"]["coalition"]["shared_casualty_weight"] = 0.0
    data["games"]["tables"] = {
        "deployment": {"row_payoffs": [[1, 1], [0, 0]], "col_payoffs": [[0, 1], [0, 1]]}
    }
    return Scenario.model_validate(data)


def test_public_good_states_free_ride_down_to_a_minimal_winning_coalition():
    runs = simulate(_always_targeted("public_good"), runs=300, seed=4).runs
    # Every state still in at the end is pivotal: what is left is a minimal winning
    # coalition, or nobody (when a pivotal state could not afford its part and the
    # force unravelled).
    np.testing.assert_array_equal(runs["states_pivotal_final"], runs["states_committed_final"])
    kept = runs["states_committed_final"] > 0
    assert kept.mean() > 0.1  # the case is not vacuous
    assert (runs.loc[kept, "states_committed_final"] < 15).all()

    own = simulate(_always_targeted("own_benefit"), runs=300, seed=4).runs
    # Under the own-benefit rule a state stays if staying pays for itself, pivotal or
    # not: in many runs some of those who stay are not needed for the threshold.
    assert (own["states_pivotal_final"] < own["states_committed_final"]).mean() > 0.1


def test_equilibria_reports_power_indices_and_who_stays():
    report = _equilibria(SCENARIOS / "public_good.yaml")
    coalition = report["coalition"]
    assert coalition["participation_rule"] == "public_good"
    states = coalition["states"]
    assert len(states) == 15
    assert sum(s["shapley_shubik"] for s in states) == pytest.approx(1.0)
    assert sum(s["pledge"] for s in states) == 10_000
    # The two co-leaders have the largest pledges and so the most power.
    by_power = sorted(states, key=lambda s: -s["shapley_shubik"])
    assert {s["name"] for s in by_power[:2]} == {"United Kingdom", "France"}
    # 10,000 pledged against a threshold of 4,000: nobody is pivotal in the full force.
    assert not any(s["pivotal_in_full"] for s in states)
    stressed = coalition["if_targeted"]["public_good"]
    assert 4000 <= stressed["troops"] < 10_000
    found = coalition["equilibria_if_targeted"]
    assert found["count"] >= found["winning"] >= 1
