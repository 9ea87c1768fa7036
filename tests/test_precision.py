"""Adaptive precision: runs are added until every outcome's interval is narrow enough."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.engine.outcomes import OUTCOMES
from sim.experiments.precision import simulate_to_precision
from sim.experiments.runner import simulate
from sim.results.summary import wilson_bounds
from sim.scenario.loader import load_scenario
from sim.scenario.overrides import with_overrides

from .conftest import SCENARIOS, run_cli
from .test_cli_hardening import _one_line


def _short():
    scenario = load_scenario(SCENARIOS / "combined.yaml")
    return with_overrides(scenario, {"simulation.horizon_days": 60})


def test_it_stops_once_every_interval_is_narrow_and_equals_a_plain_run_of_that_size():
    scenario = _short()
    result, precision = simulate_to_precision(scenario, 0.06, first_runs=100, seed=4)
    assert precision.reached and precision.batches >= 2
    n = precision.runs
    outcome = result.runs["outcome"].astype(str)
    counts = np.array([(outcome == o).sum() for o in OUTCOMES])
    low, high = wilson_bounds(counts, np.full(counts.shape, n))
    assert (high - low).max() <= 0.06
    # Fewer runs would not have done (the last batch was needed).
    assert n > 100
    plain = simulate(scenario, runs=n, seed=4)
    pd.testing.assert_frame_equal(result.runs, plain.runs)
    for name, values in plain.trajectories.items():
        np.testing.assert_array_equal(result.trajectories[name], values)
    pd.testing.assert_frame_equal(result.daily.quantile_table(), plain.daily.quantile_table())


def test_it_stops_at_the_cap_and_says_so():
    result, precision = simulate_to_precision(_short(), 0.001, first_runs=50, max_runs=120, seed=1)
    assert not precision.reached
    assert precision.runs == result.n_runs == len(result.runs) == 120
    assert precision.widest > 0.001


def test_sim_run_ci_width_records_the_runs_it_took(tmp_path: Path):
    path = tmp_path / "short.yaml"
    path.write_text(
        f"extends: {(SCENARIOS / 'combined.yaml').as_posix()}\nname: short\n"
        "simulation: {horizon_days: 60}\n"
    )
    args = ["run", path, "--runs", "100", "--ci-width", "0.06", "--no-plots", "--out", "p"]
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Precision reached" in result.stdout
    manifest = json.loads((tmp_path / "p" / "manifest.json").read_text())
    precision = manifest["precision"]
    assert precision["reached"] and precision["ci_width"] == 0.06
    assert (
        manifest["runs"]
        == precision["runs"]
        == len(pd.read_parquet(tmp_path / "p" / "runs.parquet"))
    )
    bad = run_cli("run", path, "--ci-width", "2", "--out", "q", cwd=tmp_path)
    assert bad.returncode == 2 and "--ci-width" in _one_line(bad.stderr)
    assert not (tmp_path / "q").exists()


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_a_sweep_to_a_width_gives_each_point_the_runs_sim_run_gives(tmp_path: Path):
    import sim
    from sim.experiments.sweeps import SweepSpec, resolve_sweep, run_sweep

    spec = SweepSpec(base="short", vary={"levers.troops_pledged": [0, 20000]})
    plan = resolve_sweep(spec, _short(), runs=50, seed=6)
    result = run_sweep(plan, ci_width=0.12, keep_runs=True)
    assert result.precision["rounds"] >= 2
    assert result.precision["points_reached"] == 2
    points = result.points
    assert (points["ci95_width_max"] <= 0.12).all()
    assert points["runs"].nunique() >= 1 and (points["runs"] % 50 == 0).all()
    for point in range(2):
        n = int(points["runs"].iat[point])
        alone = sim.run(plan.scenario(point), runs=n, seed=6)
        rows = result.runs[result.runs["point"] == point].reset_index(drop=True)
        pd.testing.assert_series_equal(rows["run"], alone["run"], check_dtype=False)
        pd.testing.assert_series_equal(rows["outcome"], alone["outcome"])
    # Rounds and chunks: the same table whatever the chunk width.
    narrow = run_sweep(plan, ci_width=0.12, chunk_runs=37)
    pd.testing.assert_frame_equal(narrow.points, points)
