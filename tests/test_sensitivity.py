"""Global sensitivity over the scenario's distributions
(sim.experiments.sensitivity.distribution_sobol)."""

from __future__ import annotations

import pytest

from sim.engine.parameters import uncertain_parameters
from sim.experiments.sensitivity import DUMMY_FACTOR, INTEGER_PARAMETERS, distribution_sobol
from sim.scenario.distributions import Fixed
from sim.scenario.overrides import with_overrides
from tests.conftest import variant

DURABLE = {"durable": lambda r: r["outcome"] == "durable_ceasefire"}


def _only_uncertain(scenario, keep: str):
    """``scenario`` with every distribution but ``keep``'s fixed at its central value."""
    fixed = {}
    for path, dist in uncertain_parameters(scenario):
        if path != keep and not isinstance(dist, Fixed):
            value = dist.central()
            fixed[path] = round(value) if path in INTEGER_PARAMETERS else value
    return with_overrides(scenario, fixed)


def test_one_uncertain_parameter_explains_all_and_the_unread_column_nothing():
    """A reference case with a known answer: with one parameter left uncertain, the
    probability at a point is a function of it alone (the runs are the same runs at
    every point), so its first- and total-order indices are 1 up to the estimator's
    noise; the column that nothing reads changes no run, so its indices are exactly 0."""
    base = variant("combined.yaml", simulation__horizon_days=120)
    scenario = _only_uncertain(base, "actors.ukraine.violation_gain")
    table = distribution_sobol(scenario, DURABLE, samples=32, runs=40, seed=3)
    indices = table.set_index("factor")
    assert list(indices.index) == ["actors.ukraine.violation_gain", DUMMY_FACTOR]
    assert table.attrs["points"] == 32 * 4
    assert indices.loc[DUMMY_FACTOR, "S1"] == 0.0
    assert indices.loc[DUMMY_FACTOR, "ST"] == 0.0
    gain = indices.loc["actors.ukraine.violation_gain"]
    assert gain.ST == pytest.approx(1.0, abs=0.25)
    assert gain.S1 == pytest.approx(1.0, abs=0.35)
    assert table.attrs["durable"]["variance"] > table.attrs["durable"]["chance_variance"] > 0


def test_the_design_follows_each_distribution():
    """A parameter with a narrow distribution explains less than one with a wide one
    (the indices are over the scenario's distributions, not over chosen ends): the
    same parameter, twice as wide, takes a larger share."""
    base = variant("combined.yaml", simulation__horizon_days=120)
    two = _only_uncertain(base, "actors.ukraine.violation_gain")
    dist = dict(uncertain_parameters(base))["levers.sanctions_credibility"]
    assert not isinstance(dist, Fixed)
    shares = []
    for width in (0.05, 0.5):
        scenario = with_overrides(
            two, {"levers.sanctions_credibility": {"dist": "uniform", "low": 0.5 - width / 2,
                                                   "high": 0.5 + width / 2}}
        )  # fmt: skip
        table = distribution_sobol(scenario, DURABLE, samples=32, runs=40, seed=3)
        shares.append(table.set_index("factor").loc["levers.sanctions_credibility", "ST"])
    assert shares[1] > shares[0] + 0.05, shares


def test_a_scenario_without_uncertain_parameters_is_refused():
    base = variant("combined.yaml", simulation__horizon_days=30)
    scenario = _only_uncertain(base, "none")
    with pytest.raises(ValueError, match="no uncertain parameter"):
        distribution_sobol(scenario, DURABLE, samples=4, runs=5, seed=0)
