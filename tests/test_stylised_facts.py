"""Each stylised fact of sim.experiments.facts holds in the model's runs (pattern-oriented
validation; docs/validation.md prints the same facts at more runs)."""

from __future__ import annotations

import pytest

from sim.experiments.facts import FACTS, SCENARIOS_NEEDED, FactResult
from sim.scenario.loader import load_scenario
from tests.conftest import SCENARIOS

RUNS, SEED = 1500, 31


@pytest.fixture(scope="module")
def scenarios():
    return {name: load_scenario(SCENARIOS / f"{name}.yaml") for name in SCENARIOS_NEEDED}


@pytest.mark.parametrize("fact", FACTS, ids=[f.name for f in FACTS])
def test_the_stylised_fact_holds(fact, scenarios):
    result = fact.measure(scenarios, RUNS, SEED)
    assert isinstance(result, FactResult)
    assert result.holds, f"{fact.name}: {result.measured}"


def test_a_fact_can_fail(scenarios):
    """With monitoring and attribution switched off, peacekeepers no longer cut the hazard
    of renewed war: the check says so."""
    fact = next(f for f in FACTS if f.name == "peacekeepers cut the hazard of renewed war")
    blind = {
        name: s.with_overrides(
            {
                "ceasefire.max_detection_probability": 0.0,
                "ceasefire.base_detection_probability": 0.0,
            }
        )
        for name, s in scenarios.items()
    }
    assert not fact.measure(blind, RUNS, SEED).holds
