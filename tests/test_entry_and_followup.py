"""Model v3: entry as the coalition's move in a sequential game, decided from its belief;
attacks labelled by channel; ceasefires followed past the horizon; Kaplan–Meier survival.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.results.summary import ceasefire_survival

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _combined(**changes) -> sim.Scenario:
    return sim.load_scenario(SCENARIOS / "combined.yaml").with_overrides(changes)


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
@settings(max_examples=12, deadline=None)
@given(
    resolve=st.floats(0.5, 6.0),
    credibility=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32),
)
def test_a_coalition_whose_belief_is_right_never_enters_into_a_strike(resolve, credibility, seed):
    """Known resolve: the coalition's belief is Russia's reply itself, so it enters only
    where Russia would accept the force as it enters; no attack is a misjudged one."""
    scenario = _combined(
        **{
            "information.russia_resolve": "known",
            "actors.russia.resolve": resolve,
            "levers.sanctions_credibility": credibility,
        }
    )
    runs = sim.run(scenario, runs=150, seed=seed)
    assert not (runs["attack_channel"] == "misjudged_resolve").any()
    # A strike on the day of entry would mean the coalition walked into it.
    entered = runs["deployment_start_day"].notna()
    assert not (
        runs.loc[entered, "first_attack_day"] == runs.loc[entered, "deployment_start_day"]
    ).any()


def test_a_certain_belief_in_resolve_keeps_the_force_out_and_a_wrong_one_walks_into_strikes():
    """Russia always strikes a force that is there (huge resolve).  A coalition sure of
    that stays out; one sure of the opposite enters and is struck, and the attacks are
    labelled as a misjudged resolve."""
    certain = {"actors.russia.resolve": 50.0, "information.russia_resolve": "private"}
    right = sim.run(_combined(**certain, **{"information.prior_resolute": 1.0}), runs=300, seed=3)
    assert right["deployment_start_day"].isna().all()
    reasons = right["not_deployed_reason"].astype(str)
    # Where entry was possible at all (a ceasefire, a viable pledge), the belief kept it out.
    assert reasons.isin(
        ["belief_above_threshold", "no_ceasefire", "below_minimum_viable_force"]
    ).all()
    assert (reasons == "belief_above_threshold").mean() > 0.5
    assert not right["force_attacked"].any()

    wrong = sim.run(_combined(**certain, **{"information.prior_resolute": 0.0}), runs=300, seed=3)
    entered = wrong["deployment_start_day"].notna()
    assert entered.mean() > 0.5
    assert wrong.loc[entered, "force_attacked"].all()
    assert (wrong.loc[entered, "attack_channel"] == "misjudged_resolve").all()


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
@pytest.mark.parametrize("name", ["troops_10000", "combined"])
def test_the_headline_scenarios_see_some_attacks(name):
    runs = sim.run(sim.load_scenario(SCENARIOS / f"{name}.yaml"), runs=4000, seed=11)
    attacked = runs["force_attacked"]
    assert attacked.sum() > 0
    # Every attacked run has its channel, and only attacked runs do.
    assert runs.loc[attacked, "attack_channel"].notna().all()
    assert runs.loc[~attacked, "attack_channel"].isna().all()


def _entered_share(**changes) -> float:
    runs = sim.run(_combined(**changes), runs=1500, seed=5)
    return float(runs["deployment_start_day"].notna().mean())


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_the_coalition_audience_cost_and_domestic_support_raise_entry():
    """Backing down from a public pledge costs more the more the publics back the
    mission: both raise the entry threshold, on common random numbers."""
    low, high = (_entered_share(**{"actors.coalition.audience_cost": c}) for c in (0.0, 2.0))
    assert high > low + 0.02
    weak, strong = (
        _entered_share(
            **{
                f"actors.coalition.states.{state}.domestic_support": value
                for state in ("United Kingdom", "France", "Germany", "Poland")
            }
        )
        for value in (0.2, 0.9)
    )
    assert strong > weak + 0.02


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_the_coalition_costs_move_its_entry():
    """With Russia's resolve private the coalition weighs what a strike would cost it."""
    cheap = _entered_share(**{"actors.coalition.nato_war_cost": 2.0})
    dear = _entered_share(**{"actors.coalition.nato_war_cost": 30.0})
    assert cheap > dear + 0.02


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_durable_does_not_fall_off_a_cliff_at_the_horizon():
    """A ceasefire that starts fewer than durable_after_days before the horizon is
    followed up: its start day moves the durable share smoothly, 270 to 285."""
    shares = []
    for day in (270, 275, 276, 280, 285):
        runs = sim.run(_combined(**{"timeline.ceasefire.day": day}), runs=600, seed=9)
        shares.append(runs["conflict_state"].value_counts(normalize=True))
        late = runs["first_ceasefire_day"] == day
        if day > 275:
            # Ceasefires still young at the horizon were followed past it.
            assert runs.loc[late, "ceasefire_followed_days"].max() > 0
    table = pd.DataFrame(shares).fillna(0.0)
    assert (table.diff().abs().max() < 0.10).all(), table


def test_a_followed_ceasefire_is_the_same_run_continued():
    """The follow-up is the same run simulated for longer: a run's days do not depend on
    the horizon, so the ceasefire in force at day 364 has the same fate in a run of
    480 days, whose daily values show it."""
    scenario = _combined(**{"timeline.ceasefire.day": 300})
    horizon, durable = 365, scenario.ceasefire.durable_after_days
    short = sim.run(scenario, runs=300, seed=2)
    longer = sim.simulate(
        scenario.with_overrides({"simulation.horizon_days": 480}), runs=300, seed=2
    )
    in_force = longer.trajectories["ceasefire_in_force"].astype(bool)  # (days, runs)
    followed = np.flatnonzero(short["ceasefire_followed_days"].to_numpy() > 0)
    assert followed.size > 10
    for k in followed:
        before = np.flatnonzero(~in_force[:horizon, k])
        start = before[-1] + 1 if before.size else 0
        assert horizon - start < durable  # young at the horizon
        after = np.flatnonzero(~in_force[horizon:, k])
        end = horizon + after[0] if after.size else None
        collapsed = end is not None and end - start < durable
        verdict = short.loc[k, "conflict_state"]
        assert (verdict == "ceasefire_collapse") == collapsed, (k, start, end, verdict)
        assert verdict in ("ceasefire_collapse", "durable_ceasefire", "frozen_conflict")


def test_kaplan_meier_survival_has_the_textbook_values():
    """Four first ceasefires: ended after 10 and 30 days, still holding after 20 and 40."""
    runs = pd.DataFrame(
        {
            "first_ceasefire_length_days": [10.0, 20.0, 30.0, 40.0, np.nan],
            "first_ceasefire_ended": [True, False, True, False, False],
        }
    )
    out = ceasefire_survival(runs, days=(10, 11, 30, 31, 41))
    assert out["ceasefires"] == 4 and out["ended"] == 2
    # P(held >= 10) = 1; one of four ends at 10: 3/4; at 30, one of the two at risk ends.
    assert out["10"]["probability"] == pytest.approx(1.0)
    assert out["11"]["probability"] == pytest.approx(0.75)
    assert out["30"]["probability"] == pytest.approx(0.75)
    assert out["31"]["probability"] == pytest.approx(0.375)
    assert out["31"]["at_risk"] == 1
    assert out["41"]["probability"] is None and out["41"]["at_risk"] == 0
    low, high = out["11"]["ci95"]
    assert 0.0 <= low <= 0.75 <= high <= 1.0


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_the_sanctions_deadline_and_what_a_deal_does_to_the_threat():
    """At the deadline a ceasefire in force is the deal the threat asked for.  If the
    threat then stands (the default) it keeps guarding the deal, and the deadline
    matters only where no ceasefire is in force at it (Russia complies or defies);
    if it is withdrawn, a later deadline keeps it over Russia for longer."""
    combined = _combined()
    # Default: a later deadline finds fewer ceasefires in force, so more defiance and
    # more sanctions imposed at it.
    stands = sim.sweep(
        combined, {"timeline.sanctions_threat.deadline_days": "5,180"}, runs=1500, seed=4
    ).set_index("timeline.sanctions_threat.deadline_days")
    assert stands.loc[180, "mean:sanctions_imposed"] > stands.loc[5, "mean:sanctions_imposed"]
    withdrawn = sim.sweep(
        combined.with_overrides({"sanctions.threat_after_deal": "withdrawn"}),
        {"timeline.sanctions_threat.deadline_days": "5,180"},
        runs=1500,
        seed=4,
    ).set_index("timeline.sanctions_threat.deadline_days")
    gain = withdrawn.loc[180, "p:durable_ceasefire"] - withdrawn.loc[5, "p:durable_ceasefire"]
    assert gain > 0.03
    runs = sim.run(
        combined.with_overrides({"sanctions.threat_after_deal": "withdrawn"}), runs=500, seed=4
    )
    assert runs["threat_met"].any()
    # A withdrawn threat is never defied afterwards: no sanctions follow a deal met.
    assert not (runs["threat_met"] & (runs["sanctions_imposed"] | runs["us_backed_down"])).any()
    no_threat = sim.run(sim.load_scenario(SCENARIOS / "troops_10000.yaml"), runs=200, seed=4)
    assert not no_threat["threat_met"].any()


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_no_us_cost_switches_the_threat_off():
    """The US's audience cost is uncertain, so its own cost of sanctions moves outcomes
    gradually (v2: a 15-point step at the fixed audience cost of 2.0)."""
    costs = sim.sweep(
        _combined(), {"actors.united_states.sanctions_cost_to_us": "0.5:4:0.25"}, runs=400, seed=4
    ).set_index("actors.united_states.sanctions_cost_to_us")
    shares = costs[[f"p:{o}" for o in sim.engine.outcomes.OUTCOMES]]
    assert shares.diff().abs().max().max() <= 0.06
    durable = costs["p:durable_ceasefire"]
    assert durable.iloc[0] > durable.iloc[-1]  # a costlier threat for the US helps less
