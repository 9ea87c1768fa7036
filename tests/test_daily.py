"""Per-day counts (sim.engine.daily): exact per-day tables whatever the chunks, and no model
kept."""

from __future__ import annotations

import gc

import mesa
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.engine.daily import DailyCounts
from sim.engine.model import CrisisModel
from sim.experiments.runner import simulate
from sim.results.summary import QUANTILES
from sim.scenario.loader import load_scenario
from tests.conftest import SCENARIOS

values = st.sampled_from([0.0, 1.0, 2.5, 1000.0, 6666.6665, 10000.0])


@settings(max_examples=60, deadline=None, database=None)
@given(
    data=arrays(np.float32, st.tuples(st.integers(1, 6), st.integers(1, 40)), elements=values),
    cut=st.integers(0, 40),
)
def test_quantiles_equal_numpy_whatever_the_split(data: np.ndarray, cut: int):
    """Counts give np.quantile's numbers bit for bit, whether runs come in one chunk or two."""
    days = data.shape[0]
    cut = min(cut, data.shape[1])
    whole, split = DailyCounts(days), DailyCounts(days)
    whole.add({"x": data})
    for part in (data[:, cut:], data[:, :cut]):  # the second chunk first
        if part.shape[1]:
            split.add({"x": part})
    expected = np.quantile(data.astype(float), QUANTILES, axis=1)
    for counts in (whole, split):
        table = counts.quantile_table()
        for q, row in zip(QUANTILES, expected, strict=True):
            assert np.array_equal(table[f"q{round(q * 100):02d}"].to_numpy(), row)
        assert np.allclose(table["mean"], data.astype(float).mean(axis=1), rtol=1e-12)
    assert split.counts["x"].tolist() == whole.counts["x"].tolist()


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_results_do_not_depend_on_keeping_trajectories():
    scenario = load_scenario(SCENARIOS / "combined.yaml")
    kept = simulate(scenario, runs=1500, seed=4)
    lean = simulate(scenario, runs=1500, seed=4, keep_trajectories=False)
    assert lean.trajectories is None
    assert kept.runs.equals(lean.runs)
    assert kept.daily.quantile_table().equals(lean.daily.quantile_table())
    assert kept.daily.daily_states().equals(lean.daily.daily_states())


def test_escalation_outside_the_ladder_is_an_error():
    counts = DailyCounts(1)
    counts.add({"escalation_level": np.array([[7]]), "troops_deployed": np.array([[0.0]])})
    with pytest.raises(ValueError, match="outside the escalation ladder"):
        counts.daily_states()


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_no_model_outlives_its_chunk():
    """Mesa's agent registry would keep every finished model (and its data) alive."""
    scenario = load_scenario(SCENARIOS / "combined.yaml")
    registered = len(mesa.Agent._ids)
    simulate(scenario, runs=2500, seed=1, keep_trajectories=False)
    gc.collect()
    assert [o for o in gc.get_objects() if isinstance(o, CrisisModel)] == []
    assert len(mesa.Agent._ids) == registered


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_scenarios_that_differ_in_one_lever_share_every_other_draw():
    """Common random numbers: each parameter draws from its own named stream, so two
    scenarios that differ only in a lever (here the troop pledge and the sanctions
    threat) give every run the same values of every parameter they share."""
    import sim

    base = sim.load_scenario(SCENARIOS / "baseline.yaml")
    combined = sim.load_scenario(SCENARIOS / "combined.yaml")
    a = sim.run(base, runs=1500, seed=11)
    b = sim.run(combined, runs=1500, seed=11)
    shared = sorted(c for c in set(a.columns) & set(b.columns) if c.startswith("param:"))
    assert len(shared) >= 10
    for column in shared:
        assert np.array_equal(a[column].to_numpy(), b[column].to_numpy()), column
    # ...while the outcomes do differ: the levers matter.
    assert not a["outcome"].equals(b["outcome"])
