"""Hardening v2 (#20): bounded workers, one number syntax, user text printed as typed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import SCENARIOS, run_cli
from .test_cli_hardening import _one_line

COMBINED = SCENARIOS / "combined.yaml"


def _short(tmp_path: Path, days: int = 20) -> Path:
    path = tmp_path / "short.yaml"
    path.write_text(f"extends: {COMBINED.as_posix()}\nsimulation: {{horizon_days: {days}}}\n")
    return path


def test_more_workers_than_cores_fall_back_to_the_default(tmp_path: Path):
    cores = len(os.sched_getaffinity(0))
    result = run_cli("run", _short(tmp_path), "--runs", "300", "--workers", "1000",
                     "--no-plots", "--out", "o", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"--workers 1000: more than the {cores} core" in result.stderr
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert manifest["workers"] <= cores


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_the_api_never_starts_more_processes_than_cores(tmp_path: Path, monkeypatch):
    import sim.experiments.runner as runner
    from sim.scenario.loader import load_scenario

    started = []
    real = runner.cap_workers
    monkeypatch.setattr(runner, "cap_workers", lambda w: started.append(real(w)) or real(w))
    result = runner.simulate(load_scenario(_short(tmp_path)), runs=50, seed=0, workers=10_000)
    assert len(result.runs) == 50
    assert started == [min(10_000, len(os.sched_getaffinity(0)))]


@pytest.mark.parametrize(
    "setting, value",
    [("ceasefire.accidental_violation_probability", "1e-3"), ("levers.troops_pledged", "1e4")],
)
def test_exponent_notation_is_a_number_on_the_command_line(tmp_path: Path, setting, value):
    run = run_cli("run", _short(tmp_path), "--runs", "5", "--set", f"{setting}={value}",
                  "--no-plots", "--out", "o", cwd=tmp_path)  # fmt: skip
    assert run.returncode == 0, run.stderr
    sweep = run_cli("sweep", _short(tmp_path), "--vary", f"{setting}=0:{value}:{value}",
                    "--runs", "5", "--dry-run", cwd=tmp_path)  # fmt: skip
    assert sweep.returncode == 0, sweep.stderr


@pytest.mark.parametrize(
    "args, shown",
    [
        (["validate", "sc/:fire:.yaml"], "sc/:fire:.yaml"),
        (["sweep", str(COMBINED), "--vary", "levers.troops_pledged=a:b:c"], "a:b:c"),
        (["run", ":smile:.yaml"], ":smile:.yaml"),
    ],
)
def test_user_text_is_printed_as_typed(tmp_path: Path, args, shown):
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert shown in _one_line(result.stderr), result.stderr


def test_a_comparison_writes_the_scenarios_as_run_with_full_provenance(tmp_path: Path):
    """A second scenario with its own runs and seed is run with the comparison's (common
    random numbers); what is written says so, and the manifest holds the inputs' hashes,
    the versions and the commit, and lists the outputs separately."""
    import hashlib

    import yaml

    other = tmp_path / "b.yaml"
    other.write_text(
        f"extends: {COMBINED.as_posix()}\nname: b\nsimulation: {{runs: 50, seed: 7}}\n"
    )
    first = _short(tmp_path, days=365)
    result = run_cli("compare", first, other, "--runs", "30", "--seed", "4", "--no-plots",
                     "--out", "c", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    written = yaml.safe_load((tmp_path / "c" / "scenarios" / "b.yaml").read_text())
    assert (written["simulation"]["runs"], written["simulation"]["seed"]) == (30, 4)
    manifest = json.loads((tmp_path / "c" / "manifest.json").read_text())
    assert [entry["file"] for entry in manifest["inputs"]] == [str(first), str(other)]
    digest = hashlib.sha256(other.read_bytes()).hexdigest()
    assert manifest["inputs"][1]["file_sha256"] == digest
    for package in ("numpy", "numba", "scipy", "pandas", "pyarrow", "SALib", "mesa", "nashpy"):
        assert package in manifest["versions"], package
    assert "git" in manifest and {f["path"] for f in manifest["files"]} >= {"comparison.csv"}
    # Re-running a written scenario gives the runs of the comparison.
    again = run_cli("run", tmp_path / "c" / "scenarios" / "b.yaml", "--no-plots",
                    "--out", "r", cwd=tmp_path)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert json.loads((tmp_path / "r" / "manifest.json").read_text())["runs"] == 30


def test_a_comparison_of_different_horizons_says_so(tmp_path: Path):
    result = run_cli("compare", _short(tmp_path, days=20), COMBINED, "--runs", "10",
                     "--no-plots", "--out", "c", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "horizons differ (20, 365 days)" in result.stderr


@pytest.mark.parametrize(
    "options",
    [
        [
            "--vary",
            "levers.troops_pledged=0,5000",
            "--vary",
            "levers.sanctions_credibility=0.2,0.9",
        ],
        ["--vary", "levers.troops_pledged=0:20000", "--design", "latin", "--samples", "3"],
    ],
    ids=["grid", "latin"],
)
def test_the_written_sweep_file_repeats_the_sweep(tmp_path: Path, options):
    """`sim sweep DIR/sweep.yaml` gives the same table, --ci-width and --max-runs included."""
    import pandas as pd

    first = run_cli("sweep", _short(tmp_path, days=60), *options, "--runs", "10",
                    "--ci-width", "0.45", "--max-runs", "40", "--no-plots", "--no-progress",
                    "--out", "s1", cwd=tmp_path)  # fmt: skip
    assert first.returncode == 0, first.stderr
    points = pd.read_parquet(tmp_path / "s1" / "points.parquet")
    assert points["runs"].max() > 10  # the runs grew where intervals were wide
    again = run_cli("sweep", tmp_path / "s1" / "sweep.yaml", "--no-plots", "--no-progress",
                    "--out", "s2", cwd=tmp_path)  # fmt: skip
    assert again.returncode == 0, again.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "s2" / "points.parquet"), points)


# ------------------------------------------------------------------ Dask schedulers


def _sweep_on(tmp_path: Path, scheduler: str, timeout: float = 60, wait: float | None = None):
    """`sim sweep --scheduler` in its own process (a hang ends at ``timeout``); ``wait``:
    SIM_SCHEDULER_TIMEOUT, the seconds it waits to connect."""
    import subprocess
    import sys

    env = dict(os.environ)
    if wait is not None:
        env["SIM_SCHEDULER_TIMEOUT"] = str(wait)
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", "sweep", str(_short(tmp_path)), "--vary",
         "levers.troops_pledged=0,5000", "--runs", "10", "--scheduler", scheduler,
         "--no-plots", "--out", "o"],
        capture_output=True, text=True, cwd=tmp_path, timeout=timeout, env=env,
    )  # fmt: skip


@pytest.fixture
def odd_server():
    """A local server that is not a Dask scheduler: one that accepts and never answers,
    or one that answers HTTP."""
    import http.server
    import socket
    import threading

    servers = []

    def start(kind: str) -> str:
        if kind == "http":
            server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers.append(server.shutdown)
            return f"tcp://127.0.0.1:{server.server_address[1]}"
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        held = []
        threading.Thread(target=lambda: [held.append(listener.accept()) for _ in range(16)],
                         daemon=True).start()  # fmt: skip
        servers.append(listener.close)
        return f"tcp://127.0.0.1:{listener.getsockname()[1]}"

    yield start
    for stop in servers:
        stop()


@pytest.mark.parametrize("kind", ["silent", "http"])
def test_a_server_that_is_not_a_dask_scheduler_is_one_line(tmp_path: Path, odd_server, kind):
    # Waiting 2 s to connect (SIM_SCHEDULER_TIMEOUT), not the default 7: a hang fails here.
    result = _sweep_on(tmp_path, odd_server(kind), timeout=40, wait=2)
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert "cannot reach a Dask scheduler" in line, line
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "content, expected",
    [(None, "no such scheduler file"), ('{"address": 5}', "not a Dask scheduler file"),
     ("[]", "not a Dask scheduler file")],
)  # fmt: skip
def test_a_missing_or_broken_scheduler_file_is_one_line(tmp_path: Path, content, expected):
    if content is not None:
        (tmp_path / "scheduler.json").write_text(content)
    # A file that is read, not a server that is waited for: in this interpreter.
    result = run_cli("sweep", _short(tmp_path), "--vary", "levers.troops_pledged=0,5000",
                     "--runs", "10", "--scheduler", "scheduler.json", "--no-plots", "--out", "o",
                     cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2
    assert expected in _one_line(result.stderr)


def test_a_lost_scheduler_is_one_line_and_the_sweep_resumes_here(tmp_path: Path):
    """The scheduler is killed mid-sweep: one line naming --resume, exit 1, and a local
    --resume gives the table of an uninterrupted sweep."""
    import signal
    import socket
    import subprocess
    import sys
    import time

    import pandas as pd

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    bin_dir = Path(sys.executable).parent
    scheduler = subprocess.Popen(
        [bin_dir / "dask", "scheduler", "--port", str(port), "--no-dashboard"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    worker = None
    try:
        deadline = time.monotonic() + 60
        while True:  # until the scheduler listens
            with socket.socket() as knock:
                if knock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.1)
        worker = subprocess.Popen(
            [bin_dir / "dask", "worker", address, "--nthreads", "1", "--no-dashboard"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        args = [sys.executable, "-m", "sim.cli", "sweep", str(_short(tmp_path, days=120)),
                "--vary", "levers.troops_pledged=0:20000:2000", "--runs", "100",
                "--chunk-runs", "25", "--no-plots", "--no-progress", "--out", "o"]  # fmt: skip
        sweep = subprocess.Popen(
            [*args, "--scheduler", address], cwd=tmp_path, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        store = tmp_path / ".o.sweep-chunks"
        deadline = time.monotonic() + 120
        while len(list(store.glob("chunk-*.json"))) < 2:
            assert sweep.poll() is None, sweep.communicate()
            assert time.monotonic() < deadline, "no chunk finished"
            time.sleep(0.05)
        os.killpg(scheduler.pid, signal.SIGKILL)
        _, stderr = sweep.communicate(timeout=120)
    finally:
        for process in (scheduler, worker):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    assert sweep.returncode == 1, stderr
    line = _one_line(stderr)
    assert "was lost" in line and "--resume" in line, line
    resumed = run_cli(*args[3:], "--resume", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    alone = run_cli(*args[3:-1], "fresh", cwd=tmp_path)
    assert alone.returncode == 0, alone.stderr
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "o" / "points.parquet"),
        pd.read_parquet(tmp_path / "fresh" / "points.parquet"),
    )


# ------------------------------------------------------------------ clean ends, no warnings


@pytest.mark.parametrize("stop", ["interrupt", "sigterm"])
def test_a_signal_inside_a_compiled_kernel_ends_as_the_signal(stop):
    """A KeyboardInterrupt (or SIGTERM's exception) raised while numba dispatches a call
    reaches Python as a SystemError caused by it; the command ends as for the signal."""
    import signal

    import typer

    from sim.cli import console

    signal_error = KeyboardInterrupt() if stop == "interrupt" else console.Stopped(signal.SIGTERM)
    with pytest.raises(typer.Exit) as ended, console.writing("x", "nothing was written"):
        try:
            raise signal_error
        except BaseException as error:
            raise SystemError("CPUDispatcher(select_kernel) returned a result") from error
    assert ended.value.exit_code == (130 if stop == "interrupt" else 128 + signal.SIGTERM)
    with pytest.raises(SystemError), console.writing("x", "nothing was written"):
        raise SystemError("a SystemError of its own is not a signal")


def test_morris_needs_two_trajectories(tmp_path: Path):
    vary = ["--vary", "levers.troops_pledged=0:20000"]
    result = run_cli("sweep", _short(tmp_path), *vary, "--design", "morris", "--samples", "1",
                     "--out", "o", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2
    assert "at least 2 trajectories" in _one_line(result.stderr)
    assert list(tmp_path.iterdir()) == [tmp_path / "short.yaml"]


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_every_parameter_at_its_extremes_runs_without_a_warning(tmp_path: Path):
    """Each numeric parameter at 0, at a tiny 1e-300, and at the largest value the schema
    allows (1e9 for an unbounded one; values near the floating-point limit are refused)
    simulates with no exception and no numpy warning (overflow, invalid, division).

    The scenarios are simulated as a sweep simulates its points, as few models as their
    invariants allow, each run as it runs alone (tests/test_batch.py)."""
    import warnings

    import sim
    from sim.experiments.sensitivity import parameter_ranges
    from sim.experiments.sweeps import plan_chunks, point_groups, simulate_chunk
    from sim.scenario.overrides import ScenarioOverrideError, with_overrides
    from sim.scenario.schema import MAX_VALUE

    base = with_overrides(sim.load_scenario(COMBINED), {"simulation.horizon_days": 40})
    scenarios = []
    for item in parameter_ranges(base):
        if item.integer:
            continue
        for value in (0.0, 1e-300, MAX_VALUE, 1.0):
            try:
                scenarios.append(with_overrides(base, {item.path: value}))
            except ScenarioOverrideError:
                continue  # outside this parameter's interval: refused, as tested elsewhere
    assert len(scenarios) > 100
    runs = 10
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for chunk in plan_chunks(point_groups(scenarios), runs, 20_000):
            table = simulate_chunk(
                [scenarios[p] for p in chunk.points], chunk.points, chunk.segments, 0,
                all_columns=True,
            )  # fmt: skip
            assert len(table) == runs * len(chunk.points)
    with pytest.raises(ScenarioOverrideError, match="1e\\+09"):
        with_overrides(base, {"actors.russia.nato_war_cost": 1e308})


# ------------------------------------------------------------------ messages, fuzzed


@pytest.mark.parametrize(
    "body, expected",
    [
        ("vary: {levers.troops_pledged: {low: 0, high: x}}", "vary.levers.troops_pledged.high:"),
        ("vary: {levers.troops_pledged: [{a: 1}]}", "should be a number, true/false or text"),
        ("vary: {levers.sanctions_credibility: {low: 0, high: 1, step: 1.0e-300}}",
         "more than 100,000 levels"),
        ("base: /dev/null\nvary: {levers.troops_pledged: [0, 1]}", "not a regular file"),
        ("base: .\nvary: {levers.troops_pledged: [0, 1]}", "is a directory"),
    ],
)  # fmt: skip
def test_sweep_file_messages_speak_the_files_terms(tmp_path: Path, body: str, expected: str):
    head = "" if body.startswith("base:") else f"base: {COMBINED.as_posix()}\n"
    (tmp_path / "s.yaml").write_text(head + body + "\n")
    result = run_cli("sweep", "s.yaml", "--dry-run", cwd=tmp_path)
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert expected in line, line
    for internal in ("list[", "union[", "RangeSpec", ".bool", "Traceback"):
        assert internal not in line, line
    assert len(line) < 400


_PIECES = [*"0123456789.:,=-+eE[]{};'\" abxyz_", "levers.", "1e-3", ":fire:", "\n", "inf"]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=12).map("".join)
_SLOW_OK = [HealthCheck.function_scoped_fixture]


@settings(max_examples=25, deadline=None, suppress_health_check=_SLOW_OK)
@given(vary=_TEXT, assign=_TEXT)
def test_fuzzed_vary_and_set_are_a_dry_run_or_one_line(tmp_path: Path, vary: str, assign: str):
    """Whatever the --vary and --set strings, the command plans the sweep or says why in
    one line with exit code 2; no traceback, nothing written."""
    out = tmp_path / "fuzz"
    result = run_cli("sweep", COMBINED, "--vary", f"levers.troops_pledged={vary}",
                     "--set", f"levers.sanctions_credibility={assign}", "--runs", "10",
                     "--dry-run", "--out", out, cwd=tmp_path)  # fmt: skip
    assert result.returncode in (0, 2), result.stderr
    assert "Traceback" not in result.stderr
    if result.returncode == 2:
        _one_line(result.stderr)
    assert not out.exists()


def test_sim_plot_never_moves_a_users_file(tmp_path: Path):
    ran = run_cli("run", _short(tmp_path), "--runs", "20", "--out", "r", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    mine = tmp_path / "r" / "plots" / "my notes.txt"
    mine.write_text("mine")
    before = sorted(p.name for p in mine.parent.iterdir())
    result = run_cli("plot", "r", cwd=tmp_path)
    assert result.returncode == 2
    assert "my notes.txt" in _one_line(result.stderr)
    assert mine.read_text() == "mine"
    assert sorted(p.name for p in mine.parent.iterdir()) == before
    mine.unlink()
    assert run_cli("plot", "r", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("name", ["'bad name!'", "'.hidden'", "'a/b'"])
def test_a_sweep_name_follows_the_scenario_name_rule(tmp_path: Path, name: str):
    (tmp_path / "s.yaml").write_text(
        f"name: {name}\nbase: {COMBINED.as_posix()}\nvary: {{levers.troops_pledged: [0, 1]}}\n"
    )
    result = run_cli("sweep", "s.yaml", "--dry-run", cwd=tmp_path)
    assert result.returncode == 2
    assert "cannot name a result directory" in _one_line(result.stderr)


def test_options_that_do_nothing_together_are_named(tmp_path: Path):
    vary = ["--vary", "levers.troops_pledged=0,5000", "--runs", "5"]
    dry = run_cli("sweep", _short(tmp_path), *vary, "--dry-run", "--resume", "--per-run",
                  cwd=tmp_path)  # fmt: skip
    assert dry.returncode == 0, dry.stderr
    assert "--dry-run writes nothing: --resume, --per-run not used" in dry.stderr
    both = run_cli("sweep", _short(tmp_path), *vary, "--workers", "1", "--scheduler",
                   "nowhere.json", cwd=tmp_path)  # fmt: skip
    assert both.returncode == 2
    assert "--workers 1 is not used with --scheduler" in both.stderr


def test_a_huge_scheduler_address_is_a_short_line(tmp_path: Path):
    (tmp_path / "big.json").write_text(json.dumps({"address": "tcp://" + "a" * 5_000_000}))
    result = _sweep_on(tmp_path, "big.json")
    assert result.returncode == 2
    assert len(_one_line(result.stderr)) < 400


def test_an_out_below_a_regular_file_says_so(tmp_path: Path):
    (tmp_path / "plain").write_text("mine")
    result = run_cli("run", _short(tmp_path), "--runs", "5", "--out", "plain/sub", cwd=tmp_path)
    assert result.returncode == 2
    assert "not a directory" in _one_line(result.stderr)
    assert (tmp_path / "plain").read_text() == "mine"


def test_a_sweep_base_that_is_a_pipe_is_refused_at_once(tmp_path: Path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "s.yaml").write_text("base: pipe\nvary: {levers.troops_pledged: [0, 1]}\n")
    # In its own process: were the pipe read, the timeout would end the test.
    result = run_cli("sweep", "s.yaml", "--dry-run", cwd=tmp_path, process=True)
    assert result.returncode == 2
    assert "not a regular file" in _one_line(result.stderr)


_YAML_PIECES = [
    "base: ", "vary: ", "set: ", "design: ", "samples: ", "runs: ", "name: ", "ci_width: ",
    "levers.troops_pledged", "{low: 0, high: 1}", "[0, 1]", "sobol", "latin", "2", "-1",
    "1e-3", "x", "\n", "  ", ": ", "[", "{", "}", "]", "&a", "*a", "!!python/object", "~",
]  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=_SLOW_OK)
@given(body=st.lists(st.sampled_from(_YAML_PIECES), max_size=16).map("".join))
def test_fuzzed_sweep_files_are_a_dry_run_or_one_line(tmp_path: Path, body: str):
    """Whatever a sweep file holds, a dry run plans it or says why in one line (exit 2)."""
    path = tmp_path / "fuzz.yaml"
    path.write_text(f"base: {COMBINED.as_posix()}\n{body}\n")
    result = run_cli("sweep", path, "--runs", "5", "--dry-run", cwd=tmp_path)
    assert result.returncode in (0, 2), result.stderr
    assert "Traceback" not in result.stderr
    if result.returncode == 2:
        _one_line(result.stderr)


def test_a_number_beyond_the_floating_point_range_is_not_a_number(tmp_path: Path):
    result = run_cli("sweep", _short(tmp_path), "--vary", "actors.russia.resolve=0.5:1e400",
                     "--design", "latin", "--samples", "2", "--dry-run", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2
    assert "'1e400' is not a number" in _one_line(result.stderr)


def test_the_dry_run_estimate_spans_points_when_each_has_few_runs(tmp_path: Path):
    """The timed probe takes up to 500 runs over as many points as that needs, so the
    fixed cost of a day is not charged to a handful of runs (the estimate stays an
    upper bound of the right order, not a hundred times the real time)."""
    result = run_cli("sweep", _short(tmp_path), "--vary", "levers.troops_pledged=0:20000:100",
                     "--runs", "20", "--dry-run", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "from 500 runs timed" in result.stdout


def test_a_comparison_hashes_its_inputs_as_read(tmp_path: Path):
    """The manifest's input hashes are those of the files that were run, and the
    comparison under the structural ensemble writes its scenarios as run too."""
    import hashlib

    first, second = _short(tmp_path), tmp_path / "b.yaml"
    second.write_text(f"extends: {first.as_posix()}\nname: b\nlevers: {{troops_pledged: 0}}\n")
    result = run_cli("compare", first, second, "--runs", "20", "--ensemble", "--out", "e",
                     cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "e" / "manifest.json").read_text())
    digest = hashlib.sha256(second.read_bytes()).hexdigest()
    assert manifest["inputs"][1]["file_sha256"] == digest
    assert (tmp_path / "e" / "scenarios" / "b.yaml").is_file()


@pytest.mark.parametrize(
    "text, seconds", [(None, 7.0), ("2.5", 2.5), ("0", 7.0), ("-1", 7.0), ("x", 7.0), ("1e9", 7.0)]
)
def test_the_scheduler_wait_is_set_by_the_environment_or_the_default(monkeypatch, text, seconds):
    from sim.cli.sweep_setup import scheduler_timeout

    if text is None:
        monkeypatch.delenv("SIM_SCHEDULER_TIMEOUT", raising=False)
    else:
        monkeypatch.setenv("SIM_SCHEDULER_TIMEOUT", text)
    assert scheduler_timeout() == seconds
