"""One vocabulary (issue #22): -q/-v and logging, progress off a terminal, outcome names,
``set=`` in the Python API, and ``--csv`` meaning the same for every command."""

from __future__ import annotations

import itertools
import os
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.engine.outcomes import OUTCOMES
from sim.experiments.runner import ProgressLines, _duration
from sim.experiments.sweeps import SweepSpec, parse_vary, resolve_sweep
from sim.scenario.loader import load_scenario
from tests.conftest import SCENARIOS, run_cli

COMBINED = (SCENARIOS / "combined.yaml").as_posix()

#: A duration as progress lines give it: "7 s", "2 min 5 s", "1 h 20 min".
DURATION = r"(\d+ s|\d+ min \d+ s|\d+ h \d+ min)"
#: A plain progress line (standard error not a terminal).
PROGRESS_LINE = re.compile(
    rf"^short: \d{{1,3}}% \([\d,]+ of [\d,]+ runs\), {DURATION} elapsed(, about {DURATION} left)?$"
)
#: Seconds in the console's titles ("0.4 s"): the only thing two runs print differently.
TIMING = re.compile(r"\d+\.\d s")


def _short(directory: Path, days: int = 60, extra: str = "") -> Path:
    """combined.yaml over ``days`` days: quick, every mechanism in play."""
    path = directory / "short.yaml"
    path.write_text(
        f"extends: {COMBINED}\nname: short\nsimulation: {{horizon_days: {days}, runs: 40}}\n"
        + extra,
        encoding="utf-8",
    )
    return path


def _sim(*args, cwd: Path, interval: str | None = None):
    """``sim ARGS`` as a user runs it, with ``SIM_PROGRESS_INTERVAL`` set or unset."""
    previous = os.environ.pop("SIM_PROGRESS_INTERVAL", None)
    try:
        if interval is not None:
            os.environ["SIM_PROGRESS_INTERVAL"] = interval
        return run_cli(*args, cwd=cwd)
    finally:
        os.environ.pop("SIM_PROGRESS_INTERVAL", None)
        if previous is not None:
            os.environ["SIM_PROGRESS_INTERVAL"] = previous


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# ------------------------------------------------------------------ -q, -v and progress


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """The same `sim run` (with a note and progress due at every day) plainly, with -q
    before the command, -v after it, and -vv before it with --no-progress."""
    scenario = _short(tmp_path_factory.mktemp("scenario"))
    common = ("--runs", "40", "--seed", "7", "--workers", "4096", "--out", "out", "--no-plots")
    done = {}
    for name, before, after in (
        ("plain", [], ["--csv", "--trajectories"]),
        ("quiet", ["-q"], []),
        ("verbose", [], ["-v"]),
        ("debug", ["-vv"], ["--no-progress"]),
    ):
        cwd = tmp_path_factory.mktemp(name)
        result = _sim(*before, "run", scenario, *common, *after, cwd=cwd, interval="0")
        assert result.returncode == 0, result.stderr
        done[name] = (result, cwd)
    return done


def test_notes_and_progress_go_to_standard_error_only(runs):
    result, _ = runs["plain"]
    lines = _lines(result.stderr)
    assert lines[0].startswith("note: --workers 4096: more than the ")
    assert lines[0].endswith("; using the default (at most one per core)")
    progress = lines[1:]
    assert progress and all(PROGRESS_LINE.match(line) for line in progress), progress
    assert progress[-1].startswith("short: 100% (40 of 40 runs)")
    assert not any(PROGRESS_LINE.match(line) for line in result.stdout.splitlines())
    assert "elapsed" not in result.stdout


def test_quiet_silences_notes_and_progress(runs):
    result, _ = runs["quiet"]
    assert result.stderr == ""
    assert "Results written to out/" in result.stdout


def test_verbose_says_what_the_job_does(runs):
    result, _ = runs["verbose"]
    lines = _lines(result.stderr)
    info = [line for line in lines if line.startswith("info: ")]
    assert any("40 runs of 60 days" in line and "chunk" in line for line in info), lines
    assert any(line.startswith("info: staging the result in ") for line in info)
    assert any(re.search(r"/out: moved into place \(\d+ entries\)$", line) for line in info)
    assert not any(line.startswith("debug: ") for line in lines)
    assert any(line.startswith("note: --workers 4096") for line in lines)
    result, _ = runs["debug"]
    lines = _lines(result.stderr)
    assert any(line.startswith("debug: chunk 1 of 1 finished") for line in lines), lines
    assert not any(PROGRESS_LINE.match(line) for line in lines)  # --no-progress


def test_standard_output_does_not_depend_on_verbosity(runs):
    outputs = {name: TIMING.sub("T", result.stdout) for name, (result, _) in runs.items()}
    assert outputs["plain"] == outputs["quiet"] == outputs["verbose"] == outputs["debug"]
    assert "nato_russia_escalation" in outputs["plain"]


def test_progress_and_verbosity_change_no_result(runs):
    tables = {
        name: pd.read_parquet(cwd / "out" / "runs.parquet") for name, (_, cwd) in runs.items()
    }
    for name in ("quiet", "verbose", "debug"):
        pd.testing.assert_frame_equal(tables["plain"], tables[name])


@pytest.mark.parametrize("where", ["before", "after"])
def test_quiet_keeps_the_one_error_line(tmp_path: Path, where: str):
    args = ["-q", "run", "missing.yaml"] if where == "before" else ["run", "missing.yaml", "-q"]
    result = _sim(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert _lines(result.stderr) == ["error: missing.yaml: file not found"]
    assert result.stdout == ""


def test_quiet_and_verbose_together_are_refused(tmp_path: Path):
    result = _sim("-q", "validate", "missing.yaml", "-v", cwd=tmp_path)
    assert result.returncode == 2
    assert _lines(result.stderr) == ["error: --quiet and --verbose: choose one"]


def test_the_rule_is_in_the_help(tmp_path: Path):
    for args in (["--help"], ["run", "--help"], ["sweep", "--help"], ["plot", "--help"]):
        result = _sim(*args, cwd=tmp_path)
        text = " ".join(result.stdout.split())
        assert "-q, --quiet Print only errors on standard error" in text, args
        assert "-v, --verbose Say more on standard error" in text, args
        assert text.count("Before or after the command name.") == 2, args


# ------------------------------------------------------------------ plain progress lines


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class _Stream:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, text: str) -> None:
        self.lines += text.splitlines()

    def flush(self) -> None:
        pass


@given(
    steps=st.lists(st.tuples(st.floats(0, 5), st.integers(0, 50)), min_size=1, max_size=60),
    interval=st.floats(0.5, 10),
)
def test_a_progress_line_at_most_every_interval_and_none_for_a_short_job(steps, interval):
    clock, stream = _Clock(), _Stream()
    done = sum(n for _, n in steps)
    total = done or 1
    bar = ProgressLines(total, "short", stream, interval=interval, clock=clock)
    times = []  # when each line written while working was written
    for seconds, n in steps:
        clock.now += seconds
        before = len(stream.lines)
        bar.update(n)
        times += [clock.now] * (len(stream.lines) - before)
    working = len(stream.lines)
    bar.close()
    if clock.now < interval:
        assert stream.lines == []  # a job that ends within the interval says nothing
    assert all(b - a >= interval - 1e-9 for a, b in itertools.pairwise(times))
    assert all(t >= interval - 1e-9 for t in times)
    shares = [int(line.split(": ", 1)[1].split("%")[0]) for line in stream.lines]
    assert shares == sorted(shares) and all(0 <= s <= 100 for s in shares)
    assert all(s < 100 for s in shares[:-1])  # 100% once, as the last line
    if stream.lines and done:
        assert stream.lines[-1].startswith(f"short: 100% ({total:,} of {total:,} runs)")
        assert len(stream.lines) - working <= 1  # at most one more line at the end
    assert all(PROGRESS_LINE.match(line) for line in stream.lines), stream.lines


def test_a_progress_line_reads_as_the_documented_one():
    clock, stream = _Clock(), _Stream()
    bar = ProgressLines(
        10_000 * 365, "combined", stream, unit_scale=1 / 365, interval=10, clock=clock
    )
    bar.update(1)  # the first day of the first run: the pace is counted from here
    clock.now += 12
    bar.update(4_000 * 365 - 1)
    assert stream.lines == ["combined: 40% (4,000 of 10,000 runs), 12 s elapsed, about 18 s left"]
    bar.close()  # not done: no last line (an interrupted job ends with its own line)
    assert len(stream.lines) == 1
    assert [_duration(s) for s in (0.4, 59.6, 125, 4_800)] == [
        "0 s", "1 min 0 s", "2 min 5 s", "1 h 20 min",
    ]  # fmt: skip


def test_progress_lines_of_a_long_sweep_never_on_standard_output(tmp_path: Path):
    """A sweep longer than the interval prints progress lines on standard error only;
    its console tables name the outcomes as the files do."""
    scenario = _short(tmp_path)
    result = _sim(
        "sweep", scenario, "--vary", "levers.troops_pledged=0,10000", "--runs", "30",
        "--no-plots", "--out", "sw", cwd=tmp_path, interval="0",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = _lines(result.stderr)
    line = re.compile(rf"^short-sweep: \d+% \(\d/2 points, \d+/60 runs\), {DURATION} elapsed")
    assert lines and all(line.match(text) for text in lines), lines
    assert lines[-1].startswith("short-sweep: 100% (2/2 points, 60/60 runs)")
    assert not any(line.match(text) for text in result.stdout.splitlines())
    assert "ceasefire_collapse" in result.stdout and "ceasefire collapse" not in result.stdout


# ------------------------------------------------------------------ --csv and outcome names


def _same_values(directory: Path, stem: str) -> None:
    """``stem.parquet`` and ``stem.csv`` hold the same table."""
    parquet = pd.read_parquet(directory / f"{stem}.parquet")
    csv = pd.read_csv(directory / f"{stem}.csv")
    assert list(parquet.columns) == list(csv.columns)
    assert len(parquet) == len(csv) > 0
    for column in parquet.columns:
        a, b = parquet[column], csv[column]
        if pd.api.types.is_numeric_dtype(a) or pd.api.types.is_bool_dtype(a):
            # Every bit: a CSV copy is the same numbers, not a rounding of them.
            # Every bit, at the table's own precision (float32 columns are written as
            # float32's shortest text): a CSV copy is the same numbers.
            assert a.tolist() == b.astype(a.dtype).tolist() or (
                a.isna().equals(b.isna()) and (a[a.notna()] == b[b.notna()].astype(a.dtype)).all()
            ), column
        else:  # text or categories; missing as an empty cell
            assert [None if pd.isna(x) else str(x) for x in a] == [
                None if pd.isna(x) else str(x) for x in b
            ], column


def test_run_csv_copies_every_parquet_table(runs):
    _, cwd = runs["plain"]
    directory = cwd / "out"
    stems = ("runs", "trajectory_quantiles", "daily_states", "trajectories")
    for stem in stems:
        _same_values(directory, stem)
    parquet = {p.stem for p in directory.glob("*.parquet")}
    assert parquet == {p.stem for p in directory.glob("*.csv")} == set(stems)
    # Without --csv, Parquet only.
    _, quiet_cwd = runs["quiet"]
    assert not list((quiet_cwd / "out").glob("*.csv"))


def test_run_ensemble_takes_csv(tmp_path: Path):
    scenario = _short(tmp_path, extra="ensemble:\n  information.russia_resolve: [known, private]\n")
    result = _sim("run", scenario, "--ensemble", "--csv", "--runs", "20", "--no-plots",
                  "--out", "e", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    for stem in ("variants", "spread"):
        _same_values(tmp_path / "e", stem)
    assert not any(PROGRESS_LINE.match(line) for line in _lines(result.stderr))


def test_sweep_csv_copies_every_parquet_table(tmp_path: Path):
    scenario = _short(tmp_path, days=30)
    result = _sim(
        "sweep", scenario, "--vary", "levers.troops_pledged=0:20000",
        "--vary", "levers.sanctions_credibility=0:1", "--design", "sobol", "--samples", "4",
        "--runs", "10", "--per-run", "--csv", "--no-plots", "--out", "s", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    directory = tmp_path / "s"
    for stem in ("points", "sensitivity", "runs"):
        _same_values(directory, stem)
    # A job shorter than the interval (10 s): no progress line.
    assert not any("% (" in line for line in _lines(result.stderr)), result.stderr
    # Sobol' indices and points: outcomes named as in the files' `p:NAME` columns.
    assert "ceasefire_collapse" in result.stdout
    for outcome in OUTCOMES:
        assert outcome.replace("_", " ") not in result.stdout
    # Without --csv: points.csv only (as always).
    again = _sim(
        "sweep", scenario, "--vary", "levers.troops_pledged=0,20000", "--runs", "10",
        "--no-plots", "--out", "t", cwd=tmp_path,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert {p.name for p in (tmp_path / "t").glob("*.csv")} == {"points.csv"}


def test_compare_takes_csv_and_names_outcomes_as_the_files(tmp_path: Path):
    a = _short(tmp_path)
    b = tmp_path / "b.yaml"
    b.write_text(f"extends: {a.as_posix()}\nname: other\nlevers: {{troops_pledged: 0}}\n")
    result = _sim("compare", a, b, "--runs", "40", "--csv", "--no-plots", "--out", "c",
                  cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    _same_values(tmp_path / "c", "comparison")
    table = pd.read_parquet(tmp_path / "c" / "comparison.parquet")
    shown = [o for o in OUTCOMES if o in set(table.loc[table["probability"] > 0, "outcome"])]
    rows = [line.split("│")[1].strip() for line in result.stdout.splitlines() if "│" in line]
    assert rows == shown
    assert not any(PROGRESS_LINE.match(line) for line in _lines(result.stderr))


# ------------------------------------------------------------------ set= in the Python API


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return load_scenario(_short(tmp_path_factory.mktemp("api"), days=30))


VARY = {"levers.troops_pledged": [0, 10_000]}
SET = {"levers.us_backstop": True}


def test_sweep_set_is_the_new_name_of_fixed(base):
    new = sim.sweep(base, VARY, runs=12, seed=3, set=SET)
    with pytest.warns(DeprecationWarning, match=r"sim\.sweep: fixed= is deprecated; use set="):
        old = sim.sweep(base, VARY, runs=12, seed=3, fixed=SET)
    pd.testing.assert_frame_equal(new, old)
    # The values are set at every point: the sweep of the scenario with them set.
    pd.testing.assert_frame_equal(new, sim.sweep(base.with_overrides(SET), VARY, runs=12, seed=3))
    with pytest.raises(TypeError, match="give set= only"):
        sim.sweep(base, VARY, runs=12, set=SET, fixed=SET)


def test_evaluate_set_is_the_new_name_of_overrides(base):
    new = sim.evaluate(base, set={"levers.troops_pledged": 0}, runs=15, seed=2)
    assert new == sim.evaluate(base, {"levers.troops_pledged": 0}, runs=15, seed=2)
    with pytest.warns(DeprecationWarning, match=r"sim\.evaluate: overrides= is deprecated"):
        old = sim.evaluate(base, overrides={"levers.troops_pledged": 0}, runs=15, seed=2)
    assert new == old


def test_a_sweep_holds_its_values_as_set(base):
    spec = SweepSpec(base="short.yaml", vary=dict([parse_vary("levers.troops_pledged=0,1")]),
                     set=SET)  # fmt: skip
    plan = resolve_sweep(spec, base, runs=2)
    assert plan.set == SET
    with pytest.warns(DeprecationWarning, match=r"Sweep\.fixed is deprecated; use Sweep\.set"):
        assert plan.fixed == SET
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert plan.overrides(0) == {**SET, "levers.troops_pledged": 0}
