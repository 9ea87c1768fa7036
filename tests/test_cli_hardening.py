"""Signals, I/O failures and damaged result directories: one line, the documented exit
code, no traceback, no process left behind and nothing of the user's lost.

Signals and resource limits are tried on a real `sim run` in a subprocess; each
case must end within 5 s of the signal (or of the failure) and stay under 500 MB.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario.loader import load_scenario
from tests.conftest import (
    PEAK_WRAPPER,
    REPO,
    SCENARIOS,
    as_in_a_terminal,
    peak_megabytes,
    run_cli,
)

COMBINED = (SCENARIOS / "combined.yaml").as_posix()
LIMIT_SECONDS = 5.0
LIMIT_BYTES = 500 * 2**20
SIM = (sys.executable, "-m", "sim.cli")  # `sim`, as a user runs it


def _one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def _session_pids(session: int) -> list[int]:
    """PIDs of the processes in ``session`` (the `sim run` and everything it started)."""
    table = subprocess.run(["ps", "-eo", "pid=,sid=,stat="], capture_output=True, text=True)
    pids = []
    for row in table.stdout.splitlines():
        pid, sid, stat = row.split()[:3]
        if int(sid) == session and not stat.startswith("Z"):
            pids.append(int(pid))
    return pids


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    try:  # a zombie waiting for its parent to reap it is not running
        return stat.read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _start_run(tmp_path: Path, out: Path) -> subprocess.Popen:
    """A `sim run` that lasts long enough to be interrupted, with its workers started."""
    process = subprocess.Popen(
        [
            *SIM,
            "run",
            COMBINED,
            "--runs",
            "40000",
            "--workers",
            "2",
            "--no-progress",
            "--no-plots",
            "--out",
            str(out),
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=as_in_a_terminal,
    )
    deadline = time.monotonic() + 60
    # Wait until the pool is up: the parent, two workers (and the resource tracker).
    while len(_session_pids(process.pid)) < 3:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "workers never started"
        time.sleep(0.1)
    time.sleep(0.5)
    return process


def _wait_gone(pids: list[int]) -> list[int]:
    deadline = time.monotonic() + LIMIT_SECONDS
    while time.monotonic() < deadline:
        left = [pid for pid in pids if _alive(pid)]
        if not left:
            return []
        time.sleep(0.1)
    return [pid for pid in pids if _alive(pid)]


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        ("SIGTERM", 143, "stopped by SIGTERM: nothing was written"),
        ("SIGHUP", 129, "stopped by SIGHUP: nothing was written"),
        ("SIGINT", 130, "interrupted: nothing was written"),
    ],
)
def test_a_signal_stops_the_run_and_its_workers(tmp_path: Path, name, code, message):
    out = tmp_path / "out"
    process = _start_run(tmp_path, out)
    family = _session_pids(process.pid)
    assert len(family) >= 3
    signalled = time.monotonic()
    os.kill(process.pid, getattr(signal, name))  # the parent only, as `kill PID` does
    _, stderr = process.communicate(timeout=30)
    assert time.monotonic() - signalled < LIMIT_SECONDS
    assert process.returncode == code
    assert _one_line(stderr) == message
    assert _wait_gone(family) == [], "processes left after the signal"
    assert list(tmp_path.iterdir()) == [], "a signal left files behind"


def test_kill_9_leaves_no_process_and_the_next_run_cleans_up(tmp_path: Path):
    out = tmp_path / "out"
    process = _start_run(tmp_path, out)
    family = _session_pids(process.pid)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    # Workers notice that their parent is gone and exit; so does the resource tracker.
    assert _wait_gone(family) == [], "workers outlived a killed parent"
    # The killed run's staging directory stays hidden; it never looks like a result.
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".out.incomplete-"), left
    plot = run_cli("plot", tmp_path / left[0], cwd=tmp_path)
    assert plot.returncode == 2
    assert "staging directory of a run that did not finish" in _one_line(plot.stderr)
    # The next run into the same place removes it.
    again = run_cli(
        "run", COMBINED, "--runs", "20", "--no-plots", "--no-progress", "--out", out, cwd=tmp_path
    )
    assert again.returncode == 0, again.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def _run_limited(args: list[str], cwd: Path, file_bytes: int):
    """Run `sim` with a file-size limit (`ulimit -f`); return the result, seconds and
    the child's own peak resident memory in bytes (its VmHWM, see PEAK_WRAPPER)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))

    peak = Path(tempfile.mkdtemp()) / "peak"
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", PEAK_WRAPPER, str(peak), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit,
    )
    megabytes = peak_megabytes(peak)
    shutil.rmtree(peak.parent, ignore_errors=True)
    return result, time.monotonic() - started, megabytes * 2**20


def test_a_full_disk_is_one_line_and_leaves_nothing(tmp_path: Path):
    """`ulimit -f`: writing runs.parquet fails with EFBIG, as on a full disk."""
    args = ["run", COMBINED, "--runs", "1000", "--workers", "1", "--no-progress"]
    result, elapsed, peak = _run_limited([*args, "--out", "out"], tmp_path, file_bytes=50_000)
    assert result.returncode == 1
    line = _one_line(result.stderr)
    assert line.startswith("error: writing results to out failed:") and "File too large" in line
    assert line.endswith("nothing was written")
    assert list(tmp_path.iterdir()) == []
    assert elapsed < 30  # a 1,000-run simulation comes first
    assert peak < LIMIT_BYTES


def test_output_directory_problems_are_one_line(tmp_path: Path):
    (tmp_path / "a_file").write_text("mine")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    cases = [
        ("a_file/result", "a_file is not a directory"),
        ("a_file", "exists and is not a directory"),
        ("dangling", "is a symbolic link"),
    ]
    for out, fragment in cases:
        result = run_cli("run", COMBINED, "--runs", "10", "--out", out, cwd=tmp_path)
        assert result.returncode == 2, out
        assert fragment in _one_line(result.stderr)
    assert (tmp_path / "a_file").read_text() == "mine"
    assert (tmp_path / "dangling").is_symlink() and not (tmp_path / "nowhere").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file", "dangling"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only directory")
def test_a_read_only_parent_is_one_line(tmp_path: Path):
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        result = run_cli("run", COMBINED, "--runs", "10", "--out", parent / "x", cwd=tmp_path)
    finally:
        parent.chmod(0o755)
    assert result.returncode == 2
    assert "cannot create the result directory" in _one_line(result.stderr)


# ------------------------------------------------------------------ damaged result directories


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    cwd = tmp_path_factory.mktemp("finished")
    result = run_cli(
        "run", COMBINED, "--runs", "200", "--workers", "1", "--no-progress", "--csv",
        "--no-plots", "--out", "result", cwd=cwd,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return cwd / "result"


def _damaged(finished: Path, tmp_path: Path, name: str, content: bytes | None) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(finished, copy)
    if content is None:
        (copy / name).unlink()
    else:
        (copy / name).write_bytes(content)
    return copy


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(frame), sink)
    return sink.getvalue().to_pybytes()


DAMAGE = [
    ("runs.parquet", b"", "not a readable Parquet table"),
    ("runs.parquet", b"PAR1 garbage", "not a readable Parquet table"),
    ("runs.parquet", "truncated", "not a readable Parquet table"),
    ("runs.parquet", "wrong_schema", "missing column"),
    ("runs.parquet", "fewer_rows", "rows but the manifest says 200 runs"),
    ("runs.parquet", None, "runs.parquet: missing"),
    ("trajectory_quantiles.parquet", b"\x00" * 64, "not a readable Parquet table"),
    ("manifest.json", b"", "manifest.json: cannot be read"),
    ("manifest.json", b"{not json", "manifest.json: cannot be read"),
    ("manifest.json", b"[1, 2]", "expected a JSON object"),
    ("manifest.json", b'{"scenario": {}}', "expected scenario, runs and seed"),
    ("summary.json", b"\xff\xfe garbage", "summary.json: cannot be read"),
    ("summary.json", b"{}", "no outcomes"),
    (".sim-result", None, "no .sim-result marker"),
    (".sim-result", b'{"files": 3}', "not written by sim"),
]


@pytest.mark.parametrize(("name", "content", "fragment"), DAMAGE)
def test_sim_plot_refuses_a_damaged_result_directory(
    finished: Path, tmp_path: Path, name, content, fragment
):
    runs = (finished / "runs.parquet").read_bytes()
    if content == "truncated":
        content = runs[: len(runs) // 2]
    elif content == "wrong_schema":
        content = _parquet_bytes(pd.DataFrame({"x": [1, 2, 3]}))
    elif content == "fewer_rows":
        content = _parquet_bytes(pd.read_parquet(finished / "runs.parquet").head(10))
    copy = _damaged(finished, tmp_path, name, content)
    before = sorted((p.relative_to(copy), p.read_bytes()) for p in copy.rglob("*") if p.is_file())
    result = CliRunner().invoke(app, ["plot", str(copy)])
    assert result.exit_code == 2, result.output
    assert fragment in _one_line(result.stderr)
    after = sorted((p.relative_to(copy), p.read_bytes()) for p in copy.rglob("*") if p.is_file())
    assert after == before, "a refused directory was changed"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only directory")
def test_sim_plot_in_a_read_only_result_directory(finished: Path, tmp_path: Path):
    copy = _damaged(finished, tmp_path, "runs.csv", None)
    copy.chmod(0o555)
    try:
        result = CliRunner().invoke(app, ["plot", str(copy)])
    finally:
        copy.chmod(0o755)
    assert result.exit_code == 2
    assert "cannot write figures here" in _one_line(result.stderr)


def test_sim_plot_keeps_a_plots_folder_it_did_not_write(finished: Path, tmp_path: Path):
    copy = tmp_path / "copy"
    shutil.copytree(finished, copy)
    (copy / "plots").mkdir()
    (copy / "plots" / "mine.txt").write_text("my notes")
    result = CliRunner().invoke(app, ["plot", str(copy)])
    assert result.exit_code == 2
    assert "not written by sim; nothing was replaced" in _one_line(result.stderr)
    assert (copy / "plots" / "mine.txt").read_text() == "my notes"


# ------------------------------------------------------------------ tables and the command line


def test_one_missing_value_convention_in_every_table(finished: Path):
    """Missing is null in Parquet (never a NaN value), NaN in pandas, empty in CSV."""
    for name in ("runs.parquet", "daily_states.parquet", "trajectory_quantiles.parquet"):
        table = pq.read_table(finished / name)
        for column in table.column_names:
            values = table[column]
            if pa.types.is_floating(values.type):
                assert pc.sum(pc.is_nan(values)).as_py() in (0, None), (name, column)
        frame = pd.read_parquet(finished / name)
        for column in frame.columns:
            missing = frame[column][frame[column].isna()].tolist()
            assert all(isinstance(v, float) and np.isnan(v) for v in missing), (name, column)
    runs = pd.read_parquet(finished / "runs.parquet")
    assert runs["escalation_day"].isna().any() and runs["not_deployed_reason"].isna().any()
    assert runs["escalation_day"].dtype == np.float64
    csv = (finished / "runs.csv").read_text().splitlines()
    header = csv[0].split(",")
    column = header.index("escalation_day")
    never = [i for i, value in enumerate(runs["escalation_day"]) if np.isnan(value)]
    assert csv[1 + never[0]].split(",")[column] == ""


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["run", COMBINED, "--runs", "many"], "sim run: Invalid value for '--runs'"),
        (["run", COMBINED, "--bogus"], "sim run: No such option: --bogus"),
        (["run"], "sim run: Missing argument 'FILE'"),
        (["nonsense"], "sim: No such command 'nonsense'"),
        (["trace", COMBINED], "sim trace: Missing option '--run'"),
    ],
)
def test_option_errors_are_one_line(tmp_path: Path, args, fragment):
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert line.startswith("error: ") and fragment in line
    assert result.stdout == ""


def test_help_shows_real_metavariables(tmp_path: Path):
    text = run_cli("run", "--help", cwd=tmp_path).stdout
    assert "Usage: sim run [OPTIONS] FILE" in text
    for fragment in ("--runs N", "--seed SEED", "--workers N", "--out DIR"):
        assert fragment in text
    for bad in ("<bool>", "<int range>", "{file}", "{FILE}", "<path>"):
        assert bad not in text


def test_piped_output_is_not_cut(tmp_path: Path):
    result = run_cli("equilibria", SCENARIOS / "public_good.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Netherlands" in result.stdout
    assert "…" not in result.stdout


def test_the_progress_bar_moves_within_a_chunk(tmp_path: Path):
    """5,000 runs are one chunk: the bar still moves day by day (on a terminal).

    (A whole chunk: the run must last long enough for the bar to redraw a few times
    at its 0.2 s interval, whatever the engine's speed.)"""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(
        [*SIM, "run", COMBINED, "--runs", "5000", "--workers", "1", "--no-plots", "--out", "out"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    assert process.wait(timeout=120) == 0
    counts = {
        int(part.split("/5,000 runs")[0].split()[-1].replace(",", ""))
        for part in output.decode(errors="replace").split("\r")
        if "/5,000 runs" in part
    }
    assert {0, 5000} <= counts
    assert len(counts - {0, 5000}) >= 2, counts


# ------------------------------------------------------------------ found in review


def test_ctrl_c_while_the_pool_starts_is_not_lost(monkeypatch):
    """Ctrl-C while the worker processes start (SIGINT is ignored then, so that they
    inherit the ignoring) stops the run once the pool is up; it was silently lost,
    and the run went on to the end (a clean-clone run of this suite caught it)."""
    import contextlib
    import multiprocessing

    from sim.experiments import runner

    starting = runner._main_not_reimported

    @contextlib.contextmanager
    def interrupted_while_starting():
        os.kill(os.getpid(), signal.SIGINT)  # the user's Ctrl-C, at the worst moment
        with starting():
            yield

    monkeypatch.setattr(runner, "_main_not_reimported", interrupted_while_starting)
    scenario = load_scenario(SCENARIOS / "combined.yaml")
    # Ctrl-C raises KeyboardInterrupt, as in `sim run` (a test worker may ignore it).
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            runner.simulate(scenario, runs=40, seed=0, workers=2, chunk_runs=20)
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, set())
    finally:
        signal.signal(signal.SIGINT, before)
    deadline = time.monotonic() + 10
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)  # terminated workers are reaped
    assert multiprocessing.active_children() == []


def test_a_worker_killed_by_the_system_ends_the_run_with_one_line(tmp_path: Path):
    """multiprocessing.Pool replaces a dead worker silently; its chunk would never finish."""
    out = tmp_path / "out"
    process = _start_run(tmp_path, out)
    workers = [
        pid
        for pid in _session_pids(process.pid)
        if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]
    assert len(workers) == 2
    # Past its start-up (imports take about 2 CPU-seconds): the worker is in a chunk.
    # (A worker killed before it takes any work loses nothing; the pool replaces it.)
    deadline = time.monotonic() + 60
    while _cpu_seconds(workers[0]) < 4:
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.2)
    os.kill(workers[0], signal.SIGKILL)
    try:
        _, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("sim run hung after a worker died")
    assert process.returncode == 1
    assert "died before finishing its runs" in _one_line(stderr)
    assert list(tmp_path.iterdir()) == []
    assert _wait_gone(_session_pids(process.pid)) == []


def test_a_worker_killed_while_idle_ends_the_batch_at_once(tmp_path: Path):
    """An idle worker holds the lock of the pool's task queue while it waits for a task;
    killed then, it never gives it back, and Pool.terminate() (which takes that lock
    first) would wait for ever.  The batch ends within seconds all the same, with
    ChildProcessError, and no worker is left.  (In an interpreter of its own, so that a
    batch that waits for ever fails the test instead of stopping the suite.)"""
    script = f"from tests.pool_tasks import kill_the_idle_worker as k; k({str(tmp_path)!r})"
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=100)  # the busy task lasts 120 s
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("the batch did not end after its idle worker died")
    lines = stdout.splitlines()
    assert process.returncode == 0, stderr
    assert lines[0].startswith("ChildProcessError: ") and "died before" in lines[0], stdout
    killed, ended = re.fullmatch(r"killed (\d); ended after ([\d.]+) s", lines[1]).groups()
    assert killed == "1" and float(ended) < 60, stdout
    assert lines[2] == "workers left 0", stdout


def test_nohup_keeps_sighup_ignored(tmp_path: Path):
    args = [*SIM, "run", COMBINED, "--runs", "2000", "--workers", "1"]
    process = subprocess.Popen(
        [*args, "--no-progress", "--no-plots", "--out", "out"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN),
    )
    time.sleep(3)
    process.send_signal(signal.SIGHUP)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert (tmp_path / "out" / ".sim-result").is_file()


def test_leftovers_of_a_killed_sim_plot_do_not_block_the_directory(finished: Path, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(finished, copy)
    # What `sim plot` killed with SIGKILL leaves: a half-drawn staging folder and a partial JSON.
    stale = copy / ".plots.incomplete-elsewhere-999999999-0123abcd"
    stale.mkdir()
    (stale / "outcomes.png").write_bytes(b"half")
    (copy / ".manifest.json.partial-0123abcd").write_text("{")
    result = CliRunner().invoke(app, ["plot", str(copy)])
    assert result.exit_code == 0, result.output
    manifest = (copy / "manifest.json").read_text()
    assert "incomplete" not in manifest and "partial" not in manifest
    again = run_cli(
        "run", COMBINED, "--runs", "20", "--no-plots", "--no-progress", "--out", copy, cwd=tmp_path
    )
    assert again.returncode == 0, again.stderr


def test_an_interruption_between_the_renames_keeps_the_previous_result(tmp_path, monkeypatch):
    from sim.results import store as results

    final = tmp_path / "out"
    with results.staged_directory(final) as staging:
        (staging / "a.txt").write_text("first")
    real_replace = os.replace
    calls = []

    def interrupted(source, target):
        calls.append(source)
        if len(calls) == 2:  # after the old result moved aside, before the new moves in
            raise KeyboardInterrupt
        real_replace(source, target)

    monkeypatch.setattr(results.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt), results.staged_directory(final) as staging:
        (staging / "a.txt").write_text("second")
    monkeypatch.setattr(results.os, "replace", real_replace)
    assert (final / "a.txt").read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
