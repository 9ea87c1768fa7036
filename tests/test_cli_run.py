"""`sim run`, `sim plot`, `sim trace`, `sim schema`: what a user gets on disk and on screen."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim.engine.outcomes import OUTCOMES
from tests.conftest import SCENARIOS, run_cli

COMBINED = (SCENARIOS / "combined.yaml").as_posix()


@pytest.fixture(scope="module")
def short_scenario(tmp_path_factory) -> Path:
    """The combined scenario over 120 days: quick, but every mechanism is in play."""
    directory = tmp_path_factory.mktemp("scenario")
    path = directory / "short.yaml"
    path.write_text(
        f"extends: {COMBINED}\nname: short\nsimulation:\n  horizon_days: 120\n  runs: 300\n"
    )
    return path


@pytest.fixture(scope="module")
def result_dir(short_scenario: Path, tmp_path_factory) -> Path:
    cwd = tmp_path_factory.mktemp("run")
    result = run_cli(
        "run",
        short_scenario,
        "--runs",
        "600",
        "--seed",
        "7",
        "--workers",
        "2",
        "--csv",
        "--trajectories",
        "--no-progress",
        cwd=cwd,
    )
    assert result.returncode == 0, result.stderr
    assert "Results written to" in result.stdout
    return cwd / "results" / "short"


def test_run_writes_a_complete_result_directory(result_dir: Path):
    names = {p.name for p in result_dir.iterdir()}
    assert names == {
        "runs.parquet",
        "runs.csv",
        "trajectories.parquet",
        "trajectories.csv",
        "trajectory_quantiles.parquet",
        "trajectory_quantiles.csv",
        "daily_states.parquet",
        "daily_states.csv",
        "summary.json",
        "manifest.json",
        "scenario.yaml",
        "plots",
        ".sim-result",
    }
    plots = {p.name for p in (result_dir / "plots").iterdir()}
    for stem in ("outcomes", "ceasefire_days", "escalation", "troops_deployed"):
        assert {f"{stem}.png", f"{stem}.svg"} <= plots
        assert (result_dir / "plots" / f"{stem}.png").stat().st_size > 10_000
    # No staging directory is left next to it.
    assert [p.name for p in result_dir.parent.iterdir()] == ["short"]


def test_manifest_records_how_the_result_was_made(result_dir: Path):
    manifest = json.loads((result_dir / "manifest.json").read_text())
    assert manifest["seed"] == 7
    assert manifest["runs"] == 600
    assert manifest["workers"] == 2
    assert manifest["scenario"]["name"] == "short"
    assert manifest["scenario"]["simulation"]["horizon_days"] == 120
    # The resolved scenario carries the levers inherited through extends.
    assert manifest["scenario"]["levers"]["troops_pledged"] == 10000
    assert manifest["scenario"]["timeline"]["ceasefire"]["duration_days"] == 30
    assert manifest["command"].startswith("sim run ")
    assert "--seed 7" in manifest["command"]
    assert manifest["versions"]["mesa"].startswith("3.")
    assert manifest["started"] <= manifest["finished"]
    # The scenario as run: the batch's runs and seed, not the file's.
    assert manifest["scenario"]["simulation"]["runs"] == 600
    assert manifest["scenario"]["simulation"]["seed"] == 7
    assert manifest["horizon_days"] == 120
    canonical = json.dumps(
        manifest["scenario"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert manifest["scenario_sha256"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert set(manifest["git"]) == {"commit", "dirty"}
    # Every file written, plots included, with its size and hash; nothing else.
    listed = {entry["path"]: entry for entry in manifest["files"]}
    on_disk = {
        p.relative_to(result_dir).as_posix()
        for p in result_dir.rglob("*")
        if p.is_file() and p.name not in ("manifest.json", ".sim-result")
    }
    assert set(listed) == on_disk
    assert "plots/outcomes.svg" in listed and "scenario.yaml" in listed
    for path, entry in listed.items():
        data = (result_dir / path).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()


def test_the_manifest_reproduces_the_run(result_dir: Path, tmp_path: Path):
    """`sim run` of the scenario embedded in manifest.json (or of scenario.yaml) with
    its seed gives a byte-identical runs.parquet, whatever the number of workers."""
    manifest = json.loads((result_dir / "manifest.json").read_text())
    embedded = tmp_path / "embedded.yaml"
    embedded.write_text(json.dumps(manifest["scenario"]))  # JSON is YAML
    for source, name in ((embedded, "again"), (result_dir / "scenario.yaml", "again_yaml")):
        result = run_cli(
            "run",
            source,
            "--workers",
            "1",
            "--no-plots",
            "--no-progress",
            "--out",
            tmp_path / name,
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
        assert (tmp_path / name / "runs.parquet").read_bytes() == (
            result_dir / "runs.parquet"
        ).read_bytes()
        again = json.loads((tmp_path / name / "manifest.json").read_text())
        assert again["scenario_sha256"] == manifest["scenario_sha256"]


def test_tables_agree_with_each_other(result_dir: Path):
    runs = pd.read_parquet(result_dir / "runs.parquet")
    csv = pd.read_csv(result_dir / "runs.csv")
    summary = json.loads((result_dir / "summary.json").read_text())
    assert len(runs) == len(csv) == summary["runs"] == 600
    assert list(runs["run"]) == list(range(600))
    # Every run has exactly one known outcome; probabilities sum to one.
    assert runs["outcome"].notna().all()
    assert set(runs["outcome"].astype(str)) <= set(OUTCOMES)
    counts = runs["outcome"].value_counts()
    total = 0.0
    for name in OUTCOMES:
        entry = summary["outcomes"][name]
        assert entry["count"] == counts.get(name, 0)
        low, high = entry["ci95"]
        assert 0.0 <= low <= entry["probability"] <= high <= 1.0
        total += entry["probability"]
    assert total == pytest.approx(1.0, abs=1e-12)
    assert summary["metrics"]["peak_troops_deployed"]["mean"] == pytest.approx(
        runs["peak_troops_deployed"].mean()
    )
    # Per-day quantiles come from the per-run trajectories.
    trajectories = pd.read_parquet(result_dir / "trajectories.parquet")
    quantiles = pd.read_parquet(result_dir / "trajectory_quantiles.parquet")
    assert len(trajectories) == 600 * 120
    day_50 = trajectories[trajectories["day"] == 50]["troops_deployed"]
    row = quantiles[(quantiles["variable"] == "troops_deployed") & (quantiles["day"] == 50)]
    assert row["q50"].item() == pytest.approx(day_50.median())
    assert row["mean"].item() == pytest.approx(day_50.mean())


def test_same_seed_same_table_whatever_the_workers(short_scenario: Path, result_dir, tmp_path):
    result = run_cli(
        "run",
        short_scenario,
        "--runs",
        "600",
        "--seed",
        "7",
        "--workers",
        "1",
        "--no-plots",
        "--no-progress",
        "--out",
        "one_worker",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    one = pd.read_parquet(tmp_path / "one_worker" / "runs.parquet")
    two = pd.read_parquet(result_dir / "runs.parquet")
    pd.testing.assert_frame_equal(one, two)


def test_plot_redraws_figures(result_dir: Path, tmp_path: Path):
    copy = tmp_path / "copy"
    shutil.copytree(result_dir, copy)
    shutil.rmtree(copy / "plots")
    result = run_cli("plot", copy, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert {p.name for p in (copy / "plots").iterdir()} == {
        f"{stem}.{ext}"
        for stem in ("outcomes", "ceasefire_days", "escalation", "troops_deployed")
        for ext in ("png", "svg")
    }
    # The manifest lists the new figures with their hashes; the marker still covers
    # every entry, so the directory stays a replaceable result.
    manifest = json.loads((copy / "manifest.json").read_text())
    listed = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    for path in (copy / "plots").iterdir():
        assert listed[f"plots/{path.name}"] == hashlib.sha256(path.read_bytes()).hexdigest()
    marker = json.loads((copy / ".sim-result").read_text())
    assert {p.name for p in copy.iterdir()} - {".sim-result"} <= set(marker["files"])
    assert [p.name for p in copy.iterdir() if p.name.startswith(".")] == [".sim-result"]


def test_plot_of_a_directory_that_is_not_a_result(tmp_path: Path):
    result = run_cli("plot", tmp_path, cwd=tmp_path)
    assert result.returncode == 2
    assert "not the result directory of a completed `sim run`" in result.stderr
    assert "Traceback" not in result.stderr


def test_rerun_replaces_a_previous_result(short_scenario: Path, tmp_path: Path):
    for seed in ("1", "2"):
        result = run_cli(
            "run",
            short_scenario,
            "--runs",
            "50",
            "--seed",
            seed,
            "--no-plots",
            "--no-progress",
            "--out",
            "result",
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "result" / "manifest.json").read_text())
    assert manifest["seed"] == 2
    assert [p.name for p in tmp_path.iterdir()] == ["result"]


def test_trace_is_the_same_run_as_in_the_batch(short_scenario: Path, result_dir: Path, tmp_path):
    runs = pd.read_parquet(result_dir / "runs.parquet")
    for k in (3, 550):  # one in each worker's chunk (runs 0-299 and 300-599)
        result = run_cli(
            "trace",
            short_scenario,
            "--run",
            str(k),
            "--runs",
            "600",
            "--seed",
            "7",
            "--json",
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
        story = json.loads(result.stdout)
        assert len(story["days"]) == 120
        row = runs.iloc[k]
        for name, value in story["result"].items():
            expected = row[name]
            if pd.isna(expected):
                assert value is None, name
            elif isinstance(value, float):
                assert value == pytest.approx(float(expected), rel=1e-12), name
            else:
                assert value == expected, name


def test_trace_text_tells_the_story(short_scenario: Path, tmp_path: Path):
    result = run_cli("trace", short_scenario, "--run", "0", "--runs", "10", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "Run 0 of 10" in text
    assert "agreed ceasefire begins for 30 days" in text
    assert "games: deployment" in text
    assert "Outcome: " in text


def test_trace_run_out_of_range(short_scenario: Path, tmp_path: Path):
    result = run_cli("trace", short_scenario, "--run", "10", "--runs", "10", cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "0 to 9" in result.stderr


def test_schema_is_json_schema_for_scenarios(tmp_path: Path):
    result = run_cli("schema", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert {"simulation", "levers", "timeline", "actors", "ceasefire", "extends"} <= set(
        schema["properties"]
    )


# ------------------------------------------------------------------ never lose a user's data


@pytest.mark.parametrize("name", [".", "..", ".hidden", "a/b", "x" * 101])
def test_a_name_that_is_not_one_safe_path_component_is_refused_before_anything_runs(
    tmp_path: Path, name: str
):
    results = tmp_path / "results"
    (results / "other").mkdir(parents=True)
    (results / "other" / "keep.txt").write_text("someone's result")
    path = tmp_path / "bad.yaml"
    path.write_text(
        f"extends: {(SCENARIOS / 'baseline.yaml').as_posix()}\nname: {json.dumps(name)}\n"
    )
    result = run_cli("run", path, "--runs", "10", "--no-plots", cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "name" in result.stderr and "Traceback" not in result.stderr
    assert [p.name for p in results.iterdir()] == ["other"]
    assert (results / "other" / "keep.txt").read_text() == "someone's result"


def test_an_out_directory_with_the_users_files_and_a_manifest_is_never_replaced(tmp_path: Path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "manifest.json").write_text("{}")
    (mine / "notes.txt").write_text("precious")
    result = run_cli(
        "run", SCENARIOS / "baseline.yaml", "--runs", "10", "--no-plots", "--out", mine,
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in mine.iterdir()) == ["manifest.json", "notes.txt"]
    assert (mine / "notes.txt").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]  # no staging left


def test_a_result_directory_the_user_added_a_file_to_is_not_replaced(tmp_path: Path):
    args = ("run", SCENARIOS / "baseline.yaml", "--runs", "10", "--no-plots", "--out", "r")
    assert run_cli(*args, cwd=tmp_path).returncode == 0
    assert (tmp_path / "r" / ".sim-result").is_file()
    assert run_cli(*args, cwd=tmp_path).returncode == 0  # sim's own result: replaced
    (tmp_path / "r" / "analysis.ipynb").write_text("my work")
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert (tmp_path / "r" / "analysis.ipynb").read_text() == "my work"


def test_the_streamed_table_equals_the_python_api(short_scenario: Path, result_dir: Path):
    """`sim run` writes runs.parquet as chunks come (never the whole table in memory);
    it is the table `sim.run` returns."""
    import sim

    streamed = pd.read_parquet(result_dir / "runs.parquet")
    in_memory = sim.run(sim.load_scenario(short_scenario), runs=600, seed=7)
    pd.testing.assert_frame_equal(streamed, in_memory)


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_runs_parquet_has_fixed_row_groups_whatever_the_chunks(
    short_scenario: Path, tmp_path: Path, monkeypatch
):
    """Rows go out in row groups of ROW_GROUP_RUNS as chunks arrive, so the file is the
    same byte for byte whatever the chunk width (which the number of workers sets)."""
    import pyarrow.parquet as pq

    import sim
    from sim.results import store as results

    monkeypatch.setattr(results, "ROW_GROUP_RUNS", 40)
    scenario = sim.load_scenario(short_scenario)
    files = []
    for width in (7, 40, 100, 1000):
        directory = tmp_path / f"w{width}"
        directory.mkdir()
        with results.RunsWriter(directory, csv=True) as writer:
            sim.simulate(scenario, runs=130, seed=3, chunk_runs=width, on_chunk=writer.write)
        files.append(
            ((directory / "runs.parquet").read_bytes(), (directory / "runs.csv").read_bytes())
        )
        meta = pq.ParquetFile(directory / "runs.parquet").metadata
        assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [40, 40, 40, 10]
    assert all(f == files[0] for f in files[1:])
    table = pd.read_parquet(tmp_path / "w7" / "runs.parquet")
    pd.testing.assert_frame_equal(table, sim.run(scenario, runs=130, seed=3))
