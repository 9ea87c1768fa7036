"""The day as a list of phases: called alone, in the documented order, watched by observers."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from sim.engine.model import CrisisModel
from sim.engine.parameters import draw_parameters
from sim.engine.phases import (
    PHASES,
    deadlines_and_terms,
    end_of_day,
    events,
    sanctions_bookkeeping,
    solve_games,
    start,
)
from sim.engine.streams import RunStreams
from sim.engine.world import Setup
from sim.scenario.loader import load_scenario
from sim.scenario.overrides import with_overrides

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


def _fresh(name: str = "combined", runs: int = 6, seed: int = 4, **changes):
    """A world before its first day, built from the phases' own pieces (no Mesa model)."""
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    if changes:
        scenario = with_overrides(scenario, changes)
    run_ids = np.arange(runs)
    setup = Setup.of(scenario, draw_parameters(scenario, run_ids, seed))
    streams = RunStreams(seed, run_ids)
    return start(setup, streams), setup, streams


def test_the_phases_run_in_the_order_docs_model_md_lists_them():
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    section = text.split("## A day in the model", 1)[1].split("\n## ", 1)[0]
    names = {name for name, _ in PHASES}
    listed = [m for m in re.findall(r"\(`([a-z_]+)`", section) if m in names]
    assert listed == [name for name, _ in PHASES]


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_observers_see_every_phase_in_order_and_change_nothing():
    scenario = with_overrides(
        load_scenario(SCENARIOS / "combined.yaml"), {"simulation.horizon_days": 30}
    )

    class Watcher:
        def __init__(self) -> None:
            self.seen: list[str] = []

        def start_day(self, world) -> None:
            self.seen.append("start")

        def after_phase(self, phase, world, setup) -> None:
            self.seen.append(phase)

        def end_day(self, world, setup) -> None:
            self.seen.append("end")

    watched, plain = CrisisModel(scenario, 50, 1), CrisisModel(scenario, 50, 1)
    watcher = Watcher()
    watched.observers.append(watcher)
    for model in (watched, plain):
        model.run_all()
    assert watcher.seen[: len(PHASES) + 2] == ["start", *(n for n, _ in PHASES), "end"]
    assert len(watcher.seen) == 30 * (len(PHASES) + 2)
    for column, values in plain.run_table().items():
        np.testing.assert_array_equal(watched.run_table()[column], values, err_msg=column)


def test_an_agreed_ceasefire_starts_on_its_day_in_the_events_phase():
    world, setup, streams = _fresh(**{"timeline.ceasefire.day": 3})
    world.day = 3
    events(world, setup, streams)
    assert world.ceasefire_in_force.all()
    np.testing.assert_array_equal(world.term_end_day, 3 + 30)
    # The deployment dated from the ceasefire's start is fixed now (5 days after it).
    np.testing.assert_array_equal(world.deployment_day, 3 + 5)


def test_sanctions_are_lifted_after_the_relief_period_and_the_threat_stands_again():
    world, setup, streams = _fresh(**{"sanctions.relief_after_days": 4})
    world.sanctions_imposed[:] = True
    world.ceasefire_in_force[:] = True
    world.compliance_days[:] = [4, 3, 9, 0, 4, 1]
    sanctions_bookkeeping(world, setup, streams)
    lifted = np.array([True, False, True, False, True, False])
    np.testing.assert_array_equal(world.sanctions_lifted, lifted.astype(int))
    np.testing.assert_array_equal(world.threat_active, lifted)
    np.testing.assert_array_equal(world.sanctions_imposed, ~lifted)
    np.testing.assert_array_equal(world.compliance_days, [0, 3, 0, 0, 0, 1])


@pytest.mark.parametrize("self_enforcing", [True, False])
def test_an_agreed_term_is_renewed_only_if_holding_is_self_enforcing(self_enforcing):
    world, setup, streams = _fresh()
    world.day = 30
    solve_games(world, setup, streams)  # today's tables (read at a threat's deadline)
    world.ceasefire_in_force[:] = True
    world.term_end_day[:] = 30
    world.self_enforcing[:] = self_enforcing
    world.threat_active[:] = False
    deadlines_and_terms(world, setup, streams)
    assert world.ceasefire_in_force.all() == self_enforcing
    assert (world.terms_renewed == int(self_enforcing)).all()
    assert (world.terms_lapsed == int(not self_enforcing)).all()
    assert (world.ceasefire_collapses == int(not self_enforcing)).all()


def test_a_mission_below_the_minimum_viable_force_is_abandoned_at_the_end_of_the_day():
    world, setup, streams = _fresh(runs=4)
    world.mission_under_way[:] = True
    world.coalition.deployed[:] = world.coalition.pledge
    minimum = setup.coalition.minimum_viable_force
    world.committed_troops = np.array([minimum[0] - 1, minimum[1], minimum[2] + 1, 0.0])
    end_of_day(world, setup, streams)
    np.testing.assert_array_equal(world.mission_abandoned, [True, False, False, True])
    assert (world.coalition.deployed[:, world.mission_abandoned] == 0).all()
    assert not world.coalition.committed[:, world.mission_abandoned].any()
    assert (world.troops_deployed[~world.mission_abandoned] > 0).all()
