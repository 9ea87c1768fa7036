"""Scenario files: loading, composition with extends, distributions, round trips."""

from __future__ import annotations

import json
import math
from pathlib import Path

import jsonschema
import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from sim.scenario.distributions import Distribution
from sim.scenario.loader import ScenarioError, load_scenario
from sim.scenario.schema import Scenario, scenario_json_schema
from tests.conftest import SCENARIOS

SHIPPED = sorted(SCENARIOS.glob("*.yaml"))
DISTRIBUTION = TypeAdapter(Distribution)


def test_shipped_scenarios_match_the_seed_reports():
    baseline = load_scenario(SCENARIOS / "baseline.yaml")
    states = baseline.actors.coalition.states
    # About 15 countries, led by the UK and France, each with its own agent.
    assert len(states) == 15
    for name in ("United Kingdom", "France", "Germany", "Poland", "Estonia", "Latvia", "Lithuania"):
        assert name in states
    assert baseline.levers.troops_pledged == 0
    troops = load_scenario(SCENARIOS / "troops_10000.yaml")
    assert troops.levers.troops_pledged == 10_000
    ceasefire = load_scenario(SCENARIOS / "ceasefire_30_days.yaml")
    assert ceasefire.timeline.ceasefire.day == 0
    assert ceasefire.timeline.ceasefire.duration_days == 30
    threat = load_scenario(SCENARIOS / "sanctions_threat.yaml")
    assert threat.timeline.sanctions_threat is not None


def test_combined_is_the_three_levers_on_the_baseline():
    combined = load_scenario(SCENARIOS / "combined.yaml")
    troops = load_scenario(SCENARIOS / "troops_10000.yaml")
    ceasefire = load_scenario(SCENARIOS / "ceasefire_30_days.yaml")
    threat = load_scenario(SCENARIOS / "sanctions_threat.yaml")
    baseline = load_scenario(SCENARIOS / "baseline.yaml")
    assert combined.levers.troops_pledged == troops.levers.troops_pledged
    assert combined.timeline.deployment == troops.timeline.deployment
    assert combined.timeline.ceasefire == ceasefire.timeline.ceasefire
    assert combined.timeline.sanctions_threat == threat.timeline.sanctions_threat
    assert combined.levers.sanctions_credibility == threat.levers.sanctions_credibility
    assert combined.actors == baseline.actors
    assert combined.ceasefire == baseline.ceasefire
    # combined.yaml copies no values: it only names its parents.
    text = (SCENARIOS / "combined.yaml").read_text()
    body = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    assert {ln.split(":")[0] for ln in body} == {"extends", "name", "description"}


def test_extends_diamond_keeps_both_sides_changes(tmp_path: Path):
    base = (SCENARIOS / "baseline.yaml").as_posix()
    (tmp_path / "a.yaml").write_text(f"extends: {base}\nlevers:\n  troops_pledged: 7000\n")
    (tmp_path / "b.yaml").write_text(f"extends: {base}\nlevers:\n  us_backstop: true\n")
    (tmp_path / "c.yaml").write_text("extends: [a.yaml, b.yaml]\n")
    merged = load_scenario(tmp_path / "c.yaml")
    assert merged.levers.troops_pledged == 7000
    assert merged.levers.us_backstop is True
    assert merged.name == "c"  # the file's stem when it has no name


def test_a_distribution_replaces_a_number_whole(tmp_path: Path):
    base = (SCENARIOS / "baseline.yaml").as_posix()
    (tmp_path / "s.yaml").write_text(f"extends: {base}\nactors:\n  russia:\n    resolve: 2.5\n")
    scenario = load_scenario(tmp_path / "s.yaml")
    assert scenario.actors.russia.resolve.dist == "fixed"
    assert scenario.actors.russia.resolve.value == 2.5


def test_an_error_in_a_parent_names_the_parent(tmp_path: Path):
    base = (SCENARIOS / "baseline.yaml").as_posix()
    (tmp_path / "parent.yaml").write_text(f"extends: {base}\nlevers:\n  sanctions_credibility: 2\n")
    (tmp_path / "child.yaml").write_text("extends: parent.yaml\nname: child\n")
    with pytest.raises(ScenarioError) as error:
        load_scenario(tmp_path / "child.yaml")
    assert "parent.yaml:3: levers.sanctions_credibility" in str(error.value)


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_scenario_round_trips_through_yaml_and_json(path: Path, tmp_path: Path):
    scenario = load_scenario(path)
    data = scenario.model_dump(mode="json")
    copy = tmp_path / f"{scenario.name}.yaml"
    copy.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    assert load_scenario(copy) == scenario
    assert Scenario.model_validate(json.loads(json.dumps(data, allow_nan=False))) == scenario


def test_json_schema_describes_plain_numbers_and_distributions():
    schema = scenario_json_schema()
    resolve = schema["$defs"]["Russia"]["properties"]["resolve"]
    kinds = json.dumps(resolve)
    assert '"type": "number"' in kinds
    for name in ("Fixed", "Uniform", "Normal", "Beta", "Triangular"):
        assert f"#/$defs/{name}" in kinds
    json.dumps(schema, allow_nan=False)  # valid JSON, no NaN or Infinity


finite = st.floats(-100, 100, allow_nan=False, allow_infinity=False)
positive = st.floats(0.05, 20, allow_nan=False)


@st.composite
def distributions(draw) -> dict:
    kind = draw(st.sampled_from(["fixed", "uniform", "normal", "beta", "triangular"]))
    if kind == "fixed":
        return {"dist": "fixed", "value": draw(finite)}
    low = draw(finite)
    high = low + draw(st.floats(0.01, 50))
    if kind == "uniform":
        return {"dist": "uniform", "low": low, "high": high}
    if kind == "beta":
        return {"dist": "beta", "a": draw(positive), "b": draw(positive), "low": low, "high": high}
    if kind == "triangular":
        mode = draw(st.floats(low, high))
        return {"dist": "triangular", "low": low, "mode": mode, "high": high}
    spec = {"dist": "normal", "mean": draw(finite), "sd": draw(positive)}
    if draw(st.booleans()):
        spec.update(low=low, high=high)
    return spec


@settings(max_examples=200, deadline=None)
@given(distributions(), st.integers(0, 2**32 - 1))
def test_distributions_round_trip_and_sample_inside_their_support(spec, seed):
    dist = DISTRIBUTION.validate_python(spec)
    again = DISTRIBUTION.validate_json(DISTRIBUTION.dump_json(dist))
    assert again == dist
    low, high = dist.support()
    values = dist.sample(np.random.default_rng(seed), 200)
    assert values.shape == (200,)
    assert np.all(np.isfinite(values))
    assert np.all((values >= low) & (values <= high))
    assert low <= dist.central() <= high


@pytest.mark.parametrize(
    ("spec", "mean"),
    [
        ({"dist": "uniform", "low": 2, "high": 4}, 3.0),
        ({"dist": "beta", "a": 2, "b": 6, "low": 0, "high": 1}, 0.25),
        ({"dist": "triangular", "low": 0, "mode": 1, "high": 5}, 2.0),
        ({"dist": "normal", "mean": 1.0, "sd": 2.0}, 1.0),
        # truncated at the mean: mean + sd * sqrt(2 / pi)
        ({"dist": "normal", "mean": 0.0, "sd": 1.0, "low": 0.0}, math.sqrt(2 / math.pi)),
    ],
)
def test_sample_means_match_the_textbook_means(spec, mean):
    values = DISTRIBUTION.validate_python(spec).sample(np.random.default_rng(1), 200_000)
    assert values.mean() == pytest.approx(mean, abs=0.02)


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_files_pass_the_json_schema_as_editors_see_them(path: Path):
    raw = yaml.safe_load(path.read_text())
    jsonschema.Draft202012Validator(scenario_json_schema()).validate(raw)


def test_json_schema_catches_what_an_editor_should_flag():
    validator = jsonschema.Draft202012Validator(scenario_json_schema())
    bad = [
        {"levers": {"troop_pledged": 5}},  # unknown key
        {"levers": {"troops_pledged": "many"}},  # wrong type
        {"actors": {"russia": {"resolve": {"dist": "gaussian", "mean": 1}}}},  # unknown dist
        {"actors": {"russia": {"resolve": {"dist": "uniform", "mode": 1}}}},  # wrong field
    ]
    for data in bad:
        assert list(validator.iter_errors(data)), data
    # A child file may override one field of its parent's distribution.
    assert not list(validator.iter_errors({"actors": {"russia": {"resolve": {"high": 6.0}}}}))
