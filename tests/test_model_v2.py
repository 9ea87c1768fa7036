"""Model v2: the games drive every actor, every parameter is live, levers move outcomes
the way theory says, and outcome shares have no cliff without a cause in the world.

Comparisons are paired: both sides use the same seed, and the model draws every
parameter and every kind of event from its own counter-based key (sim.engine.streams), so
two scenarios that differ in one value share every other draw.  A direction check
asserts a difference of at least three standard errors of the paired difference.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.engine.model import CrisisModel
from sim.engine.outcomes import CONFLICT_STATES, FORCE_FATES, OUTCOMES
from sim.experiments.runner import run
from sim.experiments.sensitivity import paired_difference, parameter_ranges, scale_states
from sim.experiments.sweeps import plan_chunks, point_groups, simulate_chunk, sweep
from sim.scenario.loader import load_scenario
from sim.scenario.overrides import with_overrides

from .conftest import SCENARIOS


def _scenario(name: str, **overrides: object):
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    return with_overrides(scenario, overrides) if overrides else scenario


# ------------------------------------------------------------------ dead parameters

# Parameters whose effect is gated by a switch, and the switch that turns them on
# (docs/model.md, "Parameter reference", says so for each).
GATED = {
    "ceasefire.un_mandate_discount": {"levers.un_mandate": True},
    "actors.united_states.backstop_response_probability": {"levers.us_backstop": True},
    # The strike ladder: retaliation in kind is a best reply only where it rarely spirals,
    # and limited strikes are chosen only where they coerce as a major strike would
    # (docs/model.md, "The strike ladder").
    "strike_ladder.posture_cost": {"strike_ladder.retaliation_clash_probability": 0.0},
    "strike_ladder.retaliation_cost_to_russia": {
        "strike_ladder.retaliation_clash_probability": 0.0
    },
    "strike_ladder.retaliation_restores": {"strike_ladder.retaliation_clash_probability": 0.0},
    "strike_ladder.limited_severity": {
        "strike_ladder.limited_coercion": 1.0,
        "strike_ladder.limited_automatic": 0.0,
    },
}
# Settings outside the distributions: (path, low, high, the switch that makes them matter).
GATED_SETTINGS = [
    ("games.qre_precision", 2.0, 50.0, {"games.selection": "logit_qre"}),
    ("games.qre_hold_probability", 0.3, 0.7, {"games.selection": "logit_qre"}),
]
# Where an ungated parameter is tried, in this order, until its two ends differ.
SCENARIOS_TRIED = ("combined", "known_resolve", "forced_deployment", "public_good")
# A small contingent takes few casualties, so its public's casualty sensitivity only
# matters when strikes are heavy (docs/model.md, "Coalition states"): tried last with
# forced deployment and 20 casualties per 1,000 troops per strike.
HEAVY_CASUALTIES = {"actors.coalition.casualty_rate_per_attack": 0.02}
DEAD_RUNS, DEAD_SEED = 150, 11
FIRST_RUNS = 40  # a first look: most parameters change one of the first 40 runs


def _without_params(runs: pd.DataFrame) -> pd.DataFrame:
    return runs[[c for c in runs.columns if not c.startswith("param:") and c != "point"]]


def _run_tables(scenarios: list, runs: int = DEAD_RUNS) -> list[pd.DataFrame]:
    """Each scenario's run table (``runs`` runs, DEAD_SEED), all simulated in as few
    models as their invariants allow (sim.experiments.sweeps: a point's runs are the runs `sim run`
    gives, tests/test_sweeps.py)."""
    chunks = plan_chunks(point_groups(scenarios), runs, 20_000)
    frames = [
        simulate_chunk(
            [scenarios[p] for p in c.points], c.points, c.segments, DEAD_SEED, all_columns=True
        )
        for c in chunks
    ]
    table = pd.concat(frames, ignore_index=True)
    return [
        _without_params(rows).reset_index(drop=True)
        for _, rows in table.groupby("point", sort=True)
    ]


def _dead_paths(
    trials: list[tuple[str, object, object, object]], runs: int = DEAD_RUNS
) -> set[str]:
    """Paths whose (base, low, high) trials all leave every run unchanged.

    A path whose first ``FIRST_RUNS`` runs already differ is live without more: those
    runs are the first runs of the ``runs`` (each run's numbers come from its index),
    so only the others are simulated ``runs`` times."""
    if runs > FIRST_RUNS:
        unchanged = _dead_paths(trials, FIRST_RUNS)
        trials = [t for t in trials if t[0] in unchanged]
        if not trials:
            return set()
    scenarios = []
    for path, base, low, high in trials:
        scenarios += [with_overrides(base, {path: low}), with_overrides(base, {path: high})]
    tables = _run_tables(scenarios, runs)
    changed = {
        path for k, (path, *_) in enumerate(trials) if not tables[2 * k].equals(tables[2 * k + 1])
    }
    return {path for path, *_ in trials} - changed


def test_every_parameter_changes_some_output_in_a_shipped_scenario():
    """The schema is walked (every distribution-valued parameter, the integer
    parameters): a parameter added later that changes nothing fails here."""
    bases = {name: _scenario(name) for name in SCENARIOS_TRIED}
    ranges = parameter_ranges(bases["combined"])
    assert len(ranges) > 70  # the walk found the whole schema
    ends = {}
    for item in ranges:
        cast = int if item.integer else float
        ends[item.path] = (cast(item.low), cast(item.high))
    tried = {}
    for item in ranges:
        if item.path in GATED:
            tried[item.path] = [with_overrides(bases["combined"], GATED[item.path])]
        else:
            tried[item.path] = [bases[name] for name in SCENARIOS_TRIED]
        if item.path.endswith(".casualty_sensitivity"):
            tried[item.path].append(with_overrides(bases["forced_deployment"], HEAVY_CASUALTIES))
    for path, low, high, switch in GATED_SETTINGS:
        ends[path] = (low, high)
        tried[path] = [with_overrides(bases["combined"], switch)]
    # Each path on its first base; the paths that changed nothing there on their next.
    dead = set(tried)
    attempt = 0
    while True:
        trials = [(p, tried[p][attempt], *ends[p]) for p in sorted(dead) if attempt < len(tried[p])]
        if not trials:
            break
        dead -= {p for p, *_ in trials} - _dead_paths(trials)
        attempt += 1
    assert sorted(dead) == []


def test_the_dead_parameter_check_can_fail():
    """A value the model never reads (the batch size, read by the runner) shows as
    dead, and a live one does not."""
    combined = _scenario("combined")
    assert _dead_paths(
        [
            ("simulation.runs", combined, 10, 20),  # read by the runner, not the model
            ("actors.russia.resolve", combined, 0.5, 4.0),
        ]
    ) == {"simulation.runs"}


# ------------------------------------------------------------------ directions

DIRECTION_RUNS = 1500


def _paired(scenario, path, low, high, metric, runs=DIRECTION_RUNS, seed=21):
    a = run(with_overrides(scenario, {path: low}), runs=runs, seed=seed)
    b = run(with_overrides(scenario, {path: high}), runs=runs, seed=seed)
    return paired_difference(metric(b), metric(a))


def test_credible_sanctions_mean_fewer_russian_violations_and_no_more_attacks():
    combined = _scenario("combined")
    path = "levers.sanctions_credibility"
    diff, se = _paired(combined, path, 0.0, 1.0, lambda r: r["russia_deliberate_violation_days"])
    assert diff < -3 * se
    forced = _scenario("forced_deployment")
    # A small effect (about 0.05 strikes per run), so more runs: z is about 5 at 4,000.
    attacks = _paired(forced, path, 0.0, 1.0, lambda r: r["attacks_on_peacekeepers"], runs=4000)
    diff, se = attacks
    assert diff < -3 * se  # the threat covers strikes too: fewer, not merely not more


def test_a_us_backstop_means_fewer_attacks():
    forced = _scenario("forced_deployment")
    diff, se = _paired(forced, "levers.us_backstop", False, True, lambda r: r["force_attacked"])
    assert diff < -3 * se


def test_a_costlier_war_with_nato_means_fewer_attacks():
    forced = _scenario("forced_deployment")
    diff, se = _paired(
        forced, "actors.russia.nato_war_cost", 3.0, 15.0, lambda r: r["force_attacked"]
    )
    assert diff < -3 * se


def test_casualty_sensitive_publics_mean_more_withdrawals():
    forced = _scenario("forced_deployment")
    states = forced.actors.coalition.states

    def scaled(factor):
        return scale_states(forced, "casualty_sensitivity", factor)

    low = run(scaled(0.5), runs=DIRECTION_RUNS, seed=21)
    high = run(scaled(2.0), runs=DIRECTION_RUNS, seed=21)
    # States that left the mission (among runs where it went in).
    left = lambda r: np.where(  # noqa: E731
        r["deployment_start_day"].notna(), len(states) - r["states_committed_final"], 0
    )
    diff, se = paired_difference(left(high), left(low))
    assert diff > 3 * se


def test_a_larger_violation_gain_makes_ukraine_violate_more():
    combined = _scenario("combined")
    diff, se = _paired(
        combined,
        "actors.ukraine.violation_gain",
        0.1,
        1.0,
        lambda r: r["ukraine_deliberate_violation_days"],
    )
    assert diff > 3 * se


def test_ukraine_violates_on_purpose_in_some_runs_of_a_shipped_scenario():
    runs = run(_scenario("combined"), runs=500, seed=4)
    on_purpose = runs["ukraine_deliberate_violation_days"] > 0
    assert 0.02 < on_purpose.mean() < 0.9
    assert (runs["ukraine_violation_days"] >= runs["ukraine_deliberate_violation_days"]).all()


def test_imposed_sanctions_mean_fewer_russian_violations_afterwards():
    """After Russia first defies the threat, the US imposes (committed type) or backs
    down; its type is drawn independently of everything Russia is, so comparing the
    two groups' violation rates after the defiance is a randomised comparison."""
    runs = run(_scenario("combined"), runs=4000, seed=5)
    days = runs["ceasefire_days_after_defiance"]
    after = runs[days > 0]
    rate = after["russia_deliberate_days_after_defiance"] / days[days > 0]
    imposed, backed_down = rate[after["sanctions_imposed"]], rate[after["us_backed_down"]]
    assert len(imposed) > 100 and len(backed_down) > 100
    diff = imposed.mean() - backed_down.mean()
    se = np.sqrt(imposed.var() / len(imposed) + backed_down.var() / len(backed_down))
    assert diff < -3 * se


def test_provocation_outgrows_the_tripwire_at_large_force_sizes():
    """docs/model.md, "Force size": Russia's cost of tolerating the force grows as
    (T / 10,000)^0.5 while the chance of a military response levels off, so a force
    that goes in regardless is attacked more often at 40,000 than at 10,000."""
    forced = _scenario("forced_deployment")
    diff, se = _paired(
        forced, "levers.troops_pledged", 10_000, 40_000, lambda r: r["force_attacked"]
    )
    assert diff > 3 * se


# ------------------------------------------------------------------ response curve


def test_no_outcome_share_jumps_between_troop_levels_500_apart():
    """Shares of the headline outcomes over pledges 0-40,000 in steps of 500.  The
    minimum viable force is uncertain (3,000-6,000), so even crossing it is gradual."""
    combined = _scenario("combined")
    # One batched sweep: each point's runs are the runs `sim run` gives for that pledge.
    points = sweep(combined, {"levers.troops_pledged": "0:40000:500"}, runs=300, seed=2)
    assert len(points) == 81
    shares = points.set_index("levers.troops_pledged")[[f"p:{o}" for o in OUTCOMES]]
    shares.columns = list(OUTCOMES)
    jumps = shares.diff().abs().iloc[1:]
    assert jumps.to_numpy().max() <= 0.10, jumps.max()
    # The curve is not flat: a force changes outcomes.
    assert shares.loc[10_000, "durable_ceasefire"] > shares.loc[0, "durable_ceasefire"] + 0.1


# ------------------------------------------------------------------ entry by the game


def _step_and_check_entry(scenario, days=120, runs=400):
    model = CrisisModel(scenario, runs, 3)
    entered_against_equilibrium = 0
    for _ in range(days):
        before = model.world.mission_under_way.copy()
        model.step()
        newly = model.world.mission_under_way & ~before
        # The coalition's own move today, from its belief (docs/model.md, "The
        # coalition's entry"): 1 or 0 under Nash play.
        deploy = model.world.games["deployment"].selected.row_first
        entered_against_equilibrium += int((newly & (deploy == 0)).sum())
        assert ((deploy == 0) | (deploy == 1)).all()
    return entered_against_equilibrium, model


def test_the_coalition_never_enters_where_its_equilibrium_is_to_stay_out_unless_forced():
    against, model = _step_and_check_entry(_scenario("combined"))
    assert against == 0
    assert model.world.mission_under_way.any()  # some runs did enter
    against, _ = _step_and_check_entry(_scenario("forced_deployment"))
    assert against > 0  # forced: the what-if enters regardless


@pytest.mark.parametrize(
    ("name", "reason"), [("combined", "belief_above_threshold"), ("known_resolve", "deterred")]
)
def test_every_run_says_why_its_force_never_entered(name, reason):
    runs = run(_scenario(name), runs=600, seed=6)
    never = runs["deployment_start_day"].isna()
    assert never.any() and (~never).any()
    assert (runs.loc[never, "force_fate"] == "not_deployed").all()
    assert runs.loc[never, "not_deployed_reason"].notna().all()
    assert runs.loc[~never, "not_deployed_reason"].isna().all()
    assert reason in set(runs["not_deployed_reason"])


def test_a_pledge_below_the_minimum_viable_force_is_not_launched():
    runs = run(_scenario("combined", **{"levers.troops_pledged": 2500}), runs=300, seed=1)
    assert (runs["not_deployed_reason"] == "below_minimum_viable_force").all()
    assert (runs["outcome"] != "deployment_abandoned").all()
    assert (runs["peak_troops_deployed"] == 0).all()


# ------------------------------------------------------------------ outcomes


def test_outcomes_have_two_dimensions_and_a_headline_defined_from_them():
    runs = run(_scenario("forced_deployment"), runs=1000, seed=8)
    assert set(runs["conflict_state"]) <= set(CONFLICT_STATES)
    assert set(runs["force_fate"]) <= set(FORCE_FATES)
    escalated = runs["conflict_state"] == "nato_russia_escalation"
    withdrawn = ~escalated & (runs["force_fate"] == "withdrawn")
    attacked = ~escalated & ~withdrawn & (runs["force_fate"] == "attacked")
    rest = ~(escalated | withdrawn | attacked)
    assert (runs.loc[escalated, "outcome"] == "nato_russia_escalation").all()
    assert (runs.loc[withdrawn, "outcome"] == "deployment_abandoned").all()
    assert (runs.loc[attacked, "outcome"] == "peacekeepers_attacked").all()
    assert (
        runs.loc[rest, "outcome"].astype(str) == runs.loc[rest, "conflict_state"].astype(str)
    ).all()
    # "attacked" no longer hides "withdrawn", nor the other way round.
    assert (runs["force_attacked"] & runs["force_withdrawn"]).any()


def test_every_headline_class_occurs_in_some_shipped_scenario():
    seen = set()
    for path in sorted(SCENARIOS.glob("*.yaml")):
        seen |= set(run(load_scenario(path), runs=1000, seed=3)["outcome"])
    # A frozen conflict -- a ceasefire that has held durable_after_days without
    # holding being self-enforcing -- is rare once young ceasefires are followed up
    # (docs/model.md, "Follow-up"); a temptation that never fades makes one.
    lasting = {"ceasefire.violation_gain_halflife_days": 1e6, "actors.russia.violation_gain": 0.9}
    seen |= set(run(_scenario("combined", **lasting), runs=1000, seed=3)["outcome"])
    assert seen == set(OUTCOMES)


# ------------------------------------------------------------------ sanctions and time


def test_imposed_sanctions_change_russias_payoffs_in_sim_trace():
    path = SCENARIOS / "combined.yaml"
    runs = run(load_scenario(path), runs=300, seed=7)
    candidates = runs.index[
        runs["sanctions_imposed"] & (runs["ceasefire_days_under_sanctions"] > 0)
    ]
    assert len(candidates) > 0
    k = int(candidates[0])
    result = CliRunner().invoke(
        app, ["trace", str(path), "--run", str(k), "--runs", "300", "--seed", "7", "--json"]
    )
    assert result.exit_code == 0, result.output
    story = json.loads(result.stdout)
    imposed_day = story["result"]["sanctions_imposed_day"]
    cost = story["parameters"]["actors.russia.sanctions_cost"]
    before = story["days"][imposed_day]  # the tables of that day predate the imposition
    after = next(d for d in story["days"][imposed_day + 1 :] if d["sanctions_in_force"])
    assert after["russia_sanctions_penalty"] == pytest.approx(cost)
    assert before["russia_sanctions_penalty"] < after["russia_sanctions_penalty"]
    assert any("imposes sanctions" in e for e in story["days"][imposed_day]["events"])


def test_the_agreed_terms_length_matters():
    shares = {}
    for days in (30, 120):
        scenario = _scenario("ceasefire_30_days", **{"timeline.ceasefire.duration_days": days})
        runs = run(scenario, runs=1500, seed=9)
        shares[days] = (runs["conflict_state"] == "durable_ceasefire").mean()
        assert (runs["terms_renewed"] + runs["terms_lapsed"]).max() <= 1
    assert shares[120] > shares[30] + 0.03  # a longer term lets the temptation fade


def test_deployment_can_be_dated_from_the_ceasefires_start():
    scenario = _scenario(
        "combined",
        **{"timeline.ceasefire.day": 30, "timeline.deployment.after": "ceasefire_start"},
    )
    runs = run(scenario, runs=300, seed=2)
    entered = runs["deployment_start_day"].notna()
    assert entered.any()
    # Five days after the run's first ceasefire: the agreed one on day 30, or one that
    # talks produced earlier.
    first = runs.loc[entered, "first_ceasefire_day"]
    assert (runs.loc[entered, "deployment_start_day"] >= first + 5).all()
