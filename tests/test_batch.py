"""One model, runs of several scenarios: every scenario value is held per run.

A model given several scenarios (sweep points, say) with ``points`` saying
which run belongs to which must simulate each run exactly as a model of its
scenario alone would: same table row, same daily values, bit for bit.  The
scenarios below differ in every value the model reads per run
(:func:`sim.engine.parameters.scenario_settings`), so a value read from the first
scenario instead of per run would make some run differ.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.engine.model import CrisisModel
from sim.engine.parameters import (
    BATCH_INVARIANTS,
    check_batchable,
    draw_parameters,
    scenario_settings,
    uncertain_parameters,
)
from sim.experiments.runner import _to_frame, simulate
from sim.scenario.loader import load_scenario
from sim.scenario.overrides import with_overrides

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
RUNS, SEED = 30, 11

#: Each point changes some per-run settings of the base scenario.
POINTS = [
    {},
    {"levers.troops_pledged": 4000, "levers.un_mandate": True, "levers.us_backstop": True},
    {"levers.troops_pledged": 0},
    {
        "levers.deploy_only_during_ceasefire": False,
        "levers.deployment": "forced",
        "timeline.deployment.after": "start",
        "timeline.deployment.day": 20,
        "timeline.deployment.ramp_days": 3,
    },
    {
        "timeline.ceasefire.day": 12,
        "timeline.ceasefire.duration_days": 45,
        "timeline.sanctions_threat.after": "ceasefire_start",
        "timeline.sanctions_threat.deadline_days": 7,
        "sanctions.relief_after_days": 4,
        "ceasefire.durable_after_days": 145,  # more days than its ceasefire can hold
        "ceasefire.accidents": "contained",
        "sanctions.threat_after_deal": "withdrawn",
    },
    {
        "timeline.sanctions_threat": None,
        "actors.coalition.risk_window_days": 5,
        "ceasefire.durable_after_days": 20,
        "games.qre_hold_probability": 0.9,
        "actors.coalition.states.Germany.troops": 9000,
    },
    {"timeline.ceasefire": None, "timeline.deployment": None, "levers.troops_pledged": 25000},
]


def _points(base: str) -> list:
    scenario = load_scenario(SCENARIOS / f"{base}.yaml")
    scenario = with_overrides(scenario, {"simulation.horizon_days": 150})
    return [with_overrides(scenario, changes) for changes in POINTS]


def _mixed_batch(scenarios: list, order: np.ndarray) -> tuple[pd.DataFrame, dict]:
    """Every point's runs 0..RUNS-1 in one model, in the given (shuffled) order."""
    runs = np.tile(np.arange(RUNS), len(scenarios))[order]
    points = np.repeat(np.arange(len(scenarios)), RUNS)[order]
    model = CrisisModel(scenarios, runs, SEED, points=points)
    try:
        model.run_all()
        table = _to_frame({"point": points, "run": runs, **model.run_table()})
        return table, model.trajectories()
    finally:
        model.release()


# The NumPy reference is checked on one scenario: on the other two it gives the compiled
# path's bits (tests/test_phase_kernels.py, phase by phase, on public_good; the whole
# simulation in tests/test_kernels.py on both).
@pytest.mark.slow  # about a second or more in-process; not in the quick layer
@pytest.mark.parametrize(
    ("base", "compiled"),
    [("combined", True), ("public_good", True), ("known_resolve", True), ("combined", False)],
    ids=["numba-combined", "numba-public_good", "numba-known_resolve", "numpy-combined"],
)
def test_a_mixed_batch_simulates_each_run_as_its_scenario_alone(base, compiled, monkeypatch):
    if not compiled:
        monkeypatch.setenv("SIM_NO_NUMBA", "1")
    scenarios = _points(base)
    # Every scenario value differs between some two points (so this test can fail).
    settings = [scenario_settings(s) for s in scenarios]
    for name in settings[0]:
        assert len({s[name] for s in settings}) > 1, name
    order = np.random.default_rng(0).permutation(RUNS * len(scenarios))
    mixed, trajectories = _mixed_batch(scenarios, order)
    for j, scenario in enumerate(scenarios):
        alone = simulate(scenario, runs=RUNS, seed=SEED)
        rows = mixed[mixed["point"] == j].sort_values("run")
        expected = alone.runs.drop(columns=[c for c in alone.runs if c.startswith("param:")])
        got = rows[list(expected.columns)].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected)
        positions = np.flatnonzero(mixed["point"].to_numpy() == j)
        positions = positions[np.argsort(mixed["run"].to_numpy()[positions])]
        for name, daily in alone.trajectories.items():
            np.testing.assert_array_equal(trajectories[name][:, positions], daily, err_msg=name)


def test_points_share_the_draws_of_every_parameter():
    scenarios = _points("combined")
    runs = np.arange(40)
    both = draw_parameters(scenarios[:2], np.concatenate([runs, runs]), 3, np.repeat([0, 1], 40))
    for name, _ in uncertain_parameters(scenarios[0]):
        np.testing.assert_array_equal(both[name][:40], both[name][40:], err_msg=name)
    # ... and each point keeps its own settings.
    assert set(both["levers.troops_pledged"][:40]) == {10_000}
    assert set(both["levers.troops_pledged"][40:]) == {4_000}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("simulation.horizon_days", 200),
        ("games.selection", "random"),
        ("games.qre_precision", 3.0),
        ("information.russia_resolve", "known"),
        ("actors.coalition.participation", "public_good"),
    ],
)
def test_scenarios_that_differ_in_an_invariant_cannot_share_a_model(path, value):
    assert path in BATCH_INVARIANTS
    base = load_scenario(SCENARIOS / "combined.yaml")
    other = with_overrides(base, {path: value})
    with pytest.raises(ValueError, match=path):
        check_batchable([base, other])
    with pytest.raises(ValueError, match=path):
        CrisisModel([base, other], np.arange(4), 0, points=np.array([0, 1, 0, 1]))


def test_different_coalition_states_cannot_share_a_model():
    base = load_scenario(SCENARIOS / "combined.yaml")
    states = base.actors.coalition.model_dump(mode="json")["states"]
    states.pop("Germany")
    other = with_overrides(base, {"actors.coalition.states": states})
    with pytest.raises(ValueError, match="coalition states"):
        check_batchable([base, other])


def test_points_must_name_a_scenario():
    base = load_scenario(SCENARIOS / "combined.yaml")
    with pytest.raises(ValueError, match="points"):
        CrisisModel([base, base], np.arange(3), 0, points=np.array([0, 2, 1]))
    with pytest.raises(ValueError, match="points"):
        CrisisModel([base, base], np.arange(3), 0, points=np.array([0, 1]))
