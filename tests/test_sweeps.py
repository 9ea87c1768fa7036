"""Sweeps: batched points that are the runs `sim run` gives, on any executor, resumable."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.experiments.comparison import compare, compare_tables
from sim.experiments.designs import Factor, design_points
from sim.experiments.indices import analyze
from sim.experiments.sweeps import SweepSpec, load_sweep, parse_vary, resolve_sweep, run_sweep
from sim.scenario.loader import ScenarioError, load_scenario

from .conftest import SCENARIOS, as_in_a_terminal, run_cli
from .test_cli_hardening import _one_line, _session_pids, _wait_gone

COMBINED = (SCENARIOS / "combined.yaml").as_posix()
SIM = (sys.executable, "-m", "sim.cli")


def _short_base(tmp_path: Path, days: int = 60) -> Path:
    """combined.yaml over ``days`` days, as a user's own scenario file."""
    path = tmp_path / "short.yaml"
    path.write_text(
        f"extends: {COMBINED}\nname: short\nsimulation: {{horizon_days: {days}}}\n",
        encoding="utf-8",
    )
    return path


def _plan(tmp_path: Path, runs: int = 30, seed: int = 5):
    # Known resolve: the force enters within the short horizon, so the points differ.
    base = load_scenario(_short_base(tmp_path)).with_overrides(
        {"information.russia_resolve": "known"}
    )
    spec = SweepSpec(
        base="short.yaml",
        vary=dict(
            [
                parse_vary("levers.troops_pledged=0,4000,20000"),
                parse_vary("levers.sanctions_credibility=0.2,0.9"),
                parse_vary("levers.us_backstop=false,true"),
            ]
        ),
    )
    return resolve_sweep(spec, base, runs=runs, seed=seed)


# ------------------------------------------------------------------ the same runs


def test_run_k_of_a_point_is_run_k_of_sim_run_with_its_values(tmp_path: Path):
    plan = _plan(tmp_path)
    result = run_sweep(plan, keep_runs=True)
    assert plan.n_points == 12
    for point in range(plan.n_points):
        alone = sim.run(plan.scenario(point), runs=plan.runs, seed=plan.seed)
        rows = result.runs[result.runs["point"] == point].reset_index(drop=True)
        for column in ("outcome", "force_fate", "peacekeeper_casualties", "ceasefire_days_held"):
            pd.testing.assert_series_equal(rows[column], alone[column], check_names=False)
        drawn = [c for c in alone.columns if c.startswith("param:") and c in rows]
        pd.testing.assert_frame_equal(rows[drawn], alone[drawn])
    # The test can fail: the points differ from each other.
    shares = result.points[[f"p:{o}" for o in sim.engine.outcomes.OUTCOMES]]
    assert len(shares.drop_duplicates()) > 3
    assert result.points["mean:peak_troops_deployed"].nunique() > 3


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_a_sweep_does_not_depend_on_the_chunk_width(tmp_path: Path):
    plan = _plan(tmp_path)
    results = [run_sweep(plan, chunk_runs=w, keep_runs=True) for w in (7, 45, 10_000)]
    for other in results[1:]:
        pd.testing.assert_frame_equal(results[0].runs, other.runs)
        pd.testing.assert_frame_equal(results[0].points, other.points)


def test_points_that_differ_in_an_invariant_run_in_separate_models(tmp_path: Path):
    base = load_scenario(_short_base(tmp_path))
    spec = SweepSpec(base="short.yaml", vary={"simulation.horizon_days": [30, 60]})
    plan = resolve_sweep(spec, base, runs=20, seed=1)
    result = run_sweep(plan, keep_runs=True)
    for point in range(2):
        alone = sim.run(plan.scenario(point), runs=20, seed=1)
        rows = result.runs[result.runs["point"] == point].reset_index(drop=True)
        pd.testing.assert_series_equal(rows["ceasefire_days_held"], alone["ceasefire_days_held"])
    assert result.points["mean:ceasefire_days_held"].iat[0] <= 30


# ------------------------------------------------------------------ executors


def test_a_dask_cluster_gives_the_table_of_the_local_pool_and_of_one_worker(tmp_path: Path):
    distributed = pytest.importorskip("dask.distributed")
    plan = _plan(tmp_path, runs=40)
    one = run_sweep(plan, workers=1, chunk_runs=50, keep_runs=True)
    pool = run_sweep(plan, workers=2, chunk_runs=50, keep_runs=True)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        dask = run_sweep(plan, scheduler=cluster.scheduler_address, chunk_runs=50, keep_runs=True)
        # The command line too: `--scheduler ADDRESS`.
        base = _short_base(tmp_path)
        args = [
            "sweep",
            base,
            "--vary",
            "levers.troops_pledged=0,4000,20000",
            "--vary",
            "levers.sanctions_credibility=0.2,0.9",
            "--vary",
            "levers.us_backstop=false,true",
            "--set",
            "information.russia_resolve=known",
            "--runs",
            "40",
            "--seed",
            "5",
            "--no-plots",
            "--no-progress",
        ]
        cli = run_cli(*args, "--scheduler", cluster.scheduler_address, "--out", "d", cwd=tmp_path)
        assert cli.returncode == 0, cli.stderr
    for other in (pool, dask):
        pd.testing.assert_frame_equal(one.runs, other.runs)
        pd.testing.assert_frame_equal(one.points, other.points)
    from_cli = pd.read_parquet(tmp_path / "d" / "points.parquet")
    pd.testing.assert_frame_equal(from_cli, one.points, check_dtype=False)


# ------------------------------------------------------------------ resume


def _sweep_args(base: Path, out: Path) -> list[str]:
    """10 points x 200 runs in 40 chunks of 50."""
    return [
        "sweep",
        str(base),
        "--vary",
        "levers.troops_pledged=0:20000:5000",
        "--vary",
        "levers.sanctions_credibility=0,1",
        "--runs",
        "200",
        "--seed",
        "3",
        "--chunk-runs",
        "50",
        "--no-plots",
        "--no-progress",
        "--out",
        str(out),
    ]


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_a_stopped_sweep_resumes_to_the_uninterrupted_table(tmp_path: Path, stop):
    # Long enough chunks that the sweep is still running when it is stopped.
    base = _short_base(tmp_path, days=120)
    spec = SweepSpec(
        base="short.yaml",
        vary=dict(
            [
                parse_vary("levers.troops_pledged=0:20000:5000"),
                parse_vary("levers.sanctions_credibility=0,1"),
            ]
        ),
    )
    reference = run_sweep(resolve_sweep(spec, load_scenario(base), runs=200, seed=3)).points
    out = tmp_path / "out"
    store = tmp_path / ".out.sweep-chunks"
    process = subprocess.Popen(
        [*SIM, *_sweep_args(base, out), "--workers", "2"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=as_in_a_terminal,
    )
    deadline = time.monotonic() + 120
    while len(list(store.glob("chunk-*.json"))) < 2:  # a chunk's record follows its file
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no chunk finished"
        time.sleep(0.02)
    family = _session_pids(process.pid)
    os.kill(process.pid, stop)
    _, stderr = process.communicate(timeout=60)
    assert _wait_gone(family) == [], "processes outlived the stopped sweep"
    if stop == signal.SIGINT:
        assert process.returncode == 130
        assert "--resume" in _one_line(stderr)
    else:  # the orphaned workers end quietly (no traceback, no resource-tracker warning)
        assert stderr == "", stderr
    assert not out.exists()
    done = len(list(store.glob("chunk-*.json")))
    assert 2 <= done < 40, done  # stopped mid-way
    # Without --resume the stored chunks are neither lost nor silently reused.
    again = run_cli(*_sweep_args(base, out), cwd=tmp_path)
    assert again.returncode == 2 and "--resume" in _one_line(again.stderr)
    resumed = run_cli(*_sweep_args(base, out), "--resume", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["chunks"] == 40
    assert manifest["chunks_resumed"] == done  # no finished chunk was run again
    assert manifest["chunks_run"] == 40 - done
    pd.testing.assert_frame_equal(pd.read_parquet(out / "points.parquet"), reference)
    assert not store.exists()


def test_restart_discards_the_stored_chunks(tmp_path: Path):
    base = _short_base(tmp_path, days=30)
    store = tmp_path / ".out.sweep-chunks"
    store.mkdir()
    (store / "plan.json").write_text("{}")
    (store / "chunk-000000.parquet").write_bytes(b"not parquet")
    (store / "chunk-000000.json").write_text("{}")  # a finished chunk of another sweep
    args = _sweep_args(base, tmp_path / "out")
    refused = run_cli(*args, "--resume", cwd=tmp_path)
    assert refused.returncode == 2 and "not this sweep" in _one_line(refused.stderr)
    restarted = run_cli(*args, "--restart", cwd=tmp_path)
    assert restarted.returncode == 0, restarted.stderr
    assert not store.exists()


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--vary", "levers.troops_pledgd=0,5"], "levers.troops_pledgd"),
        (["--vary", "levers.troops_pledged=10:0:5"], "high (0) is below low (10)"),
        (["--vary", "levers.troops_pledged=a:b"], "'a' is not a number"),
        (["--vary", "levers.troops_pledged=0:100:0"], "the step must be positive"),
        (["--vary", "levers.sanctions_credibility=0:2:0.5"], "levers.sanctions_credibility"),
        (["--vary", "levers.troops_pledged"], "expected PATH=LOW:HIGH:STEP"),
        (["--vary", "levers.troops_pledged=0:9:1", "--design", "grd"], "did you mean 'grid'"),
        (
            ["--vary", "levers.troops_pledged=0:30000", "--design", "sobol", "--samples", "3"],
            "power of 2",
        ),
        (
            ["--vary", "levers.troops_pledged=0,1000", "--design", "latin", "--samples", "4"],
            "needs a range",
        ),
        (["--vary", "levers.troops_pledged=0:10000"], "the grid design needs levels"),
        (["--vary", "levers.troops_pledged=0,1", "--set", "levers.troops_pledged"], "PATH=VALUE"),
        (["--vary", "levers.troops_pledged=0,1", "--set", "levers.nonsense=1"], "--set"),
        ([], "say what to vary with --vary"),
        # Each end is valid alone, a combination is not: every point is checked first.
        (
            [
                "--vary",
                "actors.russia.resolve.low=0.5,1.5",
                "--vary",
                "actors.russia.resolve.high=1.5,4",
            ],
            "(at point 2: actors.russia.resolve.low=1.5, actors.russia.resolve.high=1.5)",
        ),
        (["--vary", "simulation.seed=1,2"], "one seed for all points"),
        (
            ["--vary", "levers.troops_pledged=0:50000:1", "--vary", "levers.un_mandate=true,false"],
            "100,002 points; at most",
        ),
        (["--vary", "levers.troops_pledged=0:10:2.5"], "holds an integer"),
        (["--vary", "levers.troops_pledged=0,5", "--max-runs", "50"], "only with --ci-width"),
    ],
)
def test_vary_and_set_errors_are_one_line_and_write_nothing(tmp_path: Path, args, expected):
    result = run_cli("sweep", COMBINED, *args, "--out", tmp_path / "o", cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    line = _one_line(result.stderr)
    assert expected in line, line
    assert list(tmp_path.iterdir()) == []  # no result, no chunk store


def test_an_unusable_out_directory_is_refused_before_simulating(tmp_path: Path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my notes")
    args = ["--vary", "levers.troops_pledged=0,5000", "--runs", "10", "--out", mine]
    result = run_cli("sweep", _short_base(tmp_path, days=20), *args, cwd=tmp_path)
    assert result.returncode == 2 and "not a result directory" in _one_line(result.stderr)
    assert (mine / "notes.txt").read_text() == "my notes"
    assert not (tmp_path / ".mine.sweep-chunks").exists()  # refused before anything ran


def test_a_resume_keeps_the_stored_chunk_width_whatever_the_workers(tmp_path: Path):
    """The default chunk width follows the workers; a resume on another machine (or with
    other --workers) reads the chunks with the width they were cut to."""
    from sim.experiments.sweep_store import SweepStore, sweep_fingerprint
    from sim.experiments.sweeps import plan_chunks, point_groups, simulate_chunk

    base = _short_base(tmp_path, days=20)
    spec = SweepSpec(base="short.yaml", vary={"levers.troops_pledged": [0, 5000, 10000]})
    plan = resolve_sweep(spec, load_scenario(base), runs=40, seed=2)
    width = 60  # as if two workers had cut 120 runs in two
    fingerprint = {**sweep_fingerprint(plan, width), "ci_width": None, "max_runs": None}
    out = tmp_path / "out"
    with SweepStore.open(out, fingerprint, resume=False, restart=False) as store:
        first = plan_chunks(point_groups(list(plan.scenarios)), plan.runs, width)[0]
        scenarios = [plan.scenario(p) for p in first.points]
        store.save(
            0, simulate_chunk(scenarios, first.points, first.segments, plan.seed), first.segments
        )
    args = ["--vary", "levers.troops_pledged=0,5000,10000", "--runs", "40", "--seed", "2"]
    resumed = run_cli(
        "sweep", base, *args, "--workers", "1", "--resume", "--no-plots", "--out", out, cwd=tmp_path
    )
    assert resumed.returncode == 0, resumed.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["chunks_resumed"] == 1 and manifest["chunks"] == 2
    expected = run_sweep(plan).points
    pd.testing.assert_frame_equal(pd.read_parquet(out / "points.parquet"), expected)


def _sweep_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "sweep.yaml"
    path.write_text(f"base: {COMBINED}\n" + textwrap.dedent(body), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "body, where",
    [
        ("runs: 10\nvary:\n  levers.troops_pledgd: [0, 5]\n", ":4: vary.levers.troops_pledgd:"),
        ("runs: 10\ndesing: grid\nvary:\n  levers.troops_pledged: [0]\n", ":3: desing:"),
        ("runs: 0\nvary:\n  levers.troops_pledged: [0]\n", ":2: runs:"),
        ("vary:\n  levers.troops_pledged: {low: 0, high: 10}\n", ":3: vary.levers.troops_pledged:"),
        ("vary: {}\n", ":2: vary:"),
    ],
)
def test_sweep_file_errors_name_file_line_and_key(tmp_path: Path, body: str, where: str):
    path = _sweep_file(tmp_path, body)
    with pytest.raises(ScenarioError) as error:
        load_sweep(path)
    assert f"{path}{where}" in str(error.value), str(error.value)
    result = run_cli("sweep", path, "--out", tmp_path / "o", cwd=tmp_path)
    assert result.returncode == 2 and where in _one_line(result.stderr)
    assert not (tmp_path / "o").exists()


def test_desing_gets_a_suggestion(tmp_path: Path):
    path = _sweep_file(tmp_path, "desing: grid\nvary:\n  levers.troops_pledged: [0]\n")
    with pytest.raises(ScenarioError, match="did you mean 'design'"):
        load_sweep(path)


# ------------------------------------------------------------------ designs and analyses


def _ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Analytic first- and total-order indices of the Ishigami function (Ishigami &
    Homma 1990; Saltelli et al. 2008, p. 179)."""
    v1 = 0.5 * (1 + b * math.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * math.pi**8 * (1 / 18 - 1 / 50)
    variance = v1 + v2 + v13
    first = np.array([v1, v2, 0.0]) / variance
    total = np.array([v1 + v13, v2, v13]) / variance
    return first, total


def test_sobol_indices_of_the_ishigami_function_match_the_analytic_values():
    from SALib.test_functions import Ishigami

    factors = [Factor(f"x{i}", low=-math.pi, high=math.pi) for i in (1, 2, 3)]
    points = design_points("sobol", factors, 4096, seed=3)
    assert len(points) == 4096 * (3 + 2)
    table = analyze("sobol", factors, points, Ishigami.evaluate(points.to_numpy()), seed=1)
    first, total = _ishigami_indices()
    np.testing.assert_allclose(table["S1"], first, atol=0.03)
    np.testing.assert_allclose(table["ST"], total, atol=0.03)
    # The analysis can fail: swap the outputs' order and the indices are wrong.
    shuffled = np.random.default_rng(0).permutation(Ishigami.evaluate(points.to_numpy()))
    wrong = analyze("sobol", factors, points, shuffled, seed=1)
    assert np.abs(wrong["S1"].to_numpy() - first).max() > 0.1


def test_morris_ranks_a_factor_that_does_nothing_last():
    factors = [Factor("a", low=0, high=1), Factor("b", low=0, high=1), Factor("c", low=0, high=1)]
    points = design_points("morris", factors, 20, seed=1)
    x = points.to_numpy()
    table = analyze("morris", factors, points, 5 * x[:, 0] + x[:, 2] ** 2)
    mu_star = table.set_index("factor")["mu_star"]
    assert mu_star["b"] == 0 and mu_star["a"] > mu_star["c"] > 0


def test_sampled_designs_stay_in_their_ranges_and_round_integers():
    factors = [Factor("n", low=0, high=30000, integer=True), Factor("p", low=0.2, high=0.4)]
    for design, samples in (("latin", 50), ("sobol", 16), ("morris", 5)):
        points = design_points(design, factors, samples, seed=2)
        assert points["n"].dtype.kind == "i" and points["n"].between(0, 30000).all()
        assert points["p"].between(0.2, 0.4).all()
        again = design_points(design, factors, samples, seed=2)
        pd.testing.assert_frame_equal(points, again)


def test_the_shipped_sweep_files_resolve():
    grid = load_sweep(SCENARIOS / "sweeps" / "troops_x_sanctions.yaml")
    assert grid.n_points == 13 * 5 and grid.runs == 400
    sobol = load_sweep(SCENARIOS / "sweeps" / "escalation_drivers_sobol.yaml")
    assert sobol.n_points == 64 * (7 + 2)
    assert sobol.points["levers.troops_pledged"].dtype.kind == "i"


def test_a_sobol_sweep_of_the_model_gives_indices_for_every_outcome(tmp_path: Path):
    base = load_scenario(_short_base(tmp_path))
    spec = SweepSpec(
        base="short.yaml",
        design="sobol",
        samples=8,
        vary={
            "levers.sanctions_credibility": {"low": 0, "high": 1},
            "actors.russia.violation_gain": {"low": 0.2, "high": 1.0},
        },
    )
    result = run_sweep(resolve_sweep(spec, base, runs=20, seed=1))
    table = result.sensitivity
    assert len(table) == 2 * len(sim.engine.outcomes.OUTCOMES)
    varied = table[table["outcome"] == "ceasefire_collapse"]
    assert varied["ST"].notna().all()


# ------------------------------------------------------------------ comparison


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
@pytest.mark.parametrize(
    "base, shift", [(0.30, 0.05), (0.02, 0.01)], ids=["difference 0.05", "rare difference"]
)
def test_paired_intervals_cover_a_known_difference(base: float, shift: float):
    """Scenario b's outcome is a's with the threshold moved: a true difference of ``shift``."""
    rng = np.random.default_rng(7)
    n, covered, repeats = 400, 0, 600
    for _ in range(repeats):
        u = rng.random(n)
        a = pd.Series(np.where(u < base, "durable_ceasefire", "war_continues"))
        b = pd.Series(np.where(u < base + shift, "durable_ceasefire", "war_continues"))
        row = compare_tables(["a", "b"], [a, b]).set_index(["scenario", "outcome"])
        low, high = row.loc[("b", "durable_ceasefire"), ["difference_low", "difference_high"]]
        covered += low <= shift <= high
        paired, independent = row.loc[("b", "durable_ceasefire"), ["se_paired", "se_independent"]]
        assert paired < independent
    # 95% nominal; with 600 repeats the share has a standard error of about 0.009.
    assert 0.93 <= covered / repeats <= 0.995


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_common_random_numbers_shrink_the_standard_error_on_shipped_scenarios():
    scenarios = [load_scenario(SCENARIOS / f"{n}.yaml") for n in ("troops_10000", "combined")]
    table = compare(scenarios, runs=1500, seed=2).query("scenario == 'combined'")
    table = table.set_index("outcome")
    defined = table["se_independent"] > 0
    assert (table.loc[defined, "se_paired"] <= table.loc[defined, "se_independent"] * 1.01).all()
    assert (
        table.at["durable_ceasefire", "se_paired"]
        < 0.9 * table.at["durable_ceasefire", "se_independent"]
    )


def test_sim_compare_writes_the_table_and_the_figure(tmp_path: Path):
    files = [SCENARIOS / "troops_10000.yaml", SCENARIOS / "combined.yaml"]
    result = run_cli("compare", *files, "--runs", "300", "--out", "c", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(tmp_path / "c" / "comparison.csv")
    assert set(table["scenario"]) == {"troops_10000", "combined"}
    first = table[table["scenario"] == "troops_10000"]
    assert (first["difference"] == 0).all()
    assert (tmp_path / "c" / "plots" / "comparison.png").stat().st_size > 10_000
    one = run_cli("compare", files[0], "--out", "d", cwd=tmp_path)
    assert one.returncode == 2 and "at least two" in _one_line(one.stderr)


# ------------------------------------------------------------------ the command and the API


def test_sim_sweep_writes_a_sweep_directory_and_sim_plot_redraws_it(tmp_path: Path):
    _short_base(tmp_path, days=120)
    path = tmp_path / "grid.yaml"
    path.write_text(
        "base: short.yaml\nruns: 40\nvary:\n  levers.troops_pledged: {low: 0, high: 20000, "
        "step: 10000}\n  levers.sanctions_credibility: [0.0, 1.0]\n",
        encoding="utf-8",
    )
    result = run_cli("sweep", path, "--out", "s", "--per-run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "s"
    points = pd.read_parquet(out / "points.parquet")
    assert len(points) == 6 and (points["runs"] == 40).all()
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 6 * 40
    counts = runs.groupby("point")["outcome"].apply(lambda o: (o == "durable_ceasefire").mean())
    np.testing.assert_allclose(points["p:durable_ceasefire"], counts.to_numpy())
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "sweep" and manifest["points"] == 6
    listed = {f["path"] for f in manifest["files"]}
    assert {"points.parquet", "points.csv", "sweep.yaml", "plots/heatmaps.png"} <= listed
    (out / "plots" / "heatmaps.png").unlink()
    redraw = run_cli("plot", out, cwd=tmp_path)
    assert redraw.returncode == 0, redraw.stderr
    assert (out / "plots" / "heatmaps.png").exists()
    # The same command again replaces the sweep it wrote.
    again = run_cli("sweep", path, "--out", "s", "--no-plots", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert not (out / "plots").exists()


def test_dry_run_prints_the_size_and_writes_nothing(tmp_path: Path):
    path = SCENARIOS / "sweeps" / "escalation_drivers_sobol.yaml"
    result = run_cli("sweep", path, "--dry-run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "576 points x 100 runs = 57,600 runs" in result.stdout
    assert "Estimated time" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_a_script_without_a_main_guard_can_use_workers(tmp_path: Path):
    script = tmp_path / "script.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sim
            base = sim.load_scenario({COMBINED!r})
            # Two chunks each (a chunk per worker): both start worker processes.
            table = sim.run(base, runs=200, seed=1, workers=2)
            points = sim.sweep(base, {{"levers.troops_pledged": "0:10000:5000"}}, runs=70,
                               seed=1, workers=2)
            print(len(table), len(points))
            """
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "3"]


def test_evaluate_is_a_point_of_a_sweep(tmp_path: Path):
    base = load_scenario(_short_base(tmp_path))
    table = sim.sweep(base, {"levers.troops_pledged": [0, 15000]}, runs=50, seed=4)
    probabilities = sim.evaluate(base, {"levers.troops_pledged": 15000}, runs=50, seed=4)
    for outcome, p in probabilities.items():
        assert table[f"p:{outcome}"].iat[1] == p


def test_scenario_with_overrides_is_validated():
    base = load_scenario(SCENARIOS / "combined.yaml")
    changed = base.with_overrides(
        {
            "levers.troops_pledged": 5000,
            "actors.russia.resolve": {"dist": "uniform", "low": 1, "high": 3},
        }
    )
    assert changed.levers.troops_pledged == 5000 and changed.actors.russia.resolve.high == 3
    assert base.levers.troops_pledged == 10000  # the original is unchanged
    with pytest.raises(ValueError, match="did you mean 'troops_pledged'"):
        base.with_overrides({"levers.troops_pledgd": 1})
    with pytest.raises(ValueError, match=r"levers\.sanctions_credibility"):
        base.with_overrides({"levers.sanctions_credibility": 2})
