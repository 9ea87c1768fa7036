"""One exception hierarchy (sim.SimError), arguments checked at every public entry point,
`-h`, and a reader that goes away (`sim ... | head -1`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.scenario.overrides import with_overrides

from .conftest import SCENARIOS, run_cli

COMBINED = SCENARIOS / "combined.yaml"


@pytest.fixture(scope="module")
def scenario() -> sim.Scenario:
    return sim.load_scenario(COMBINED)


def test_every_error_sim_raises_on_purpose_is_a_sim_error():
    from sim.experiments.discovery import DiscoveryError, PrimUnavailableError
    from sim.experiments.sweeps import SchedulerLostError, SweepIntegrityError
    from sim.present.briefs import BriefError
    from sim.present.progressive import Busy
    from sim.results.store import ResultDirectoryError

    for kind in (sim.ScenarioError, sim.ScenarioOverrideError, sim.InputError, BriefError,
                 DiscoveryError, PrimUnavailableError, Busy, ResultDirectoryError,
                 SchedulerLostError, SweepIntegrityError):  # fmt: skip
        assert issubclass(kind, sim.SimError), kind
    # ... and the built-in kind it specialises, so existing handlers keep working.
    assert issubclass(sim.ScenarioError, ValueError)
    assert issubclass(sim.InputError, ValueError)
    with pytest.raises(sim.SimError):
        sim.load_scenario("no/such/file.yaml")


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda s: sim.run("scenarios/combined.yaml", runs=10), "sim.load_scenario(path)"),
        (lambda s: sim.run(s, runs=10.5), "runs must be a whole number"),
        (lambda s: sim.run(s, runs=0), "runs must be at least 1"),
        (lambda s: sim.run(s, runs=True), "runs must be a whole number"),
        (lambda s: sim.run(s, runs=5, seed=-1), "seed must be at least 0"),
        (lambda s: sim.run(s, runs=5, seed="1"), "seed must be a whole number"),
        (lambda s: sim.trace(s, 1.5, runs=5), "run_index must be a whole number"),
        (lambda s: sim.evaluate("x"), "must be a sim.Scenario"),
        (lambda s: sim.compare([s, "x"]), "must be a sim.Scenario"),
        (
            lambda s: sim.sweep(s, {"levers.troops_pledged": "0:1000:500"}, design="sobel"),
            "design",
        ),
    ],
)
def test_bad_arguments_are_one_input_error(scenario, call, words):
    with pytest.raises(sim.InputError) as raised:
        call(scenario)
    assert words in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_whole_numbers_of_any_type_are_accepted_and_give_the_same_runs(scenario):
    short = with_overrides(scenario, {"simulation.horizon_days": 60})  # the types matter here
    expected = sim.run(short, runs=12, seed=3)
    for runs, seed in ((np.int64(12), np.int64(3)), (12.0, 3.0), (np.float64(12), 3)):
        pd.testing.assert_frame_equal(sim.run(short, runs=runs, seed=seed), expected)


def test_overrides_take_what_salib_and_pandas_hand_out(scenario):
    expected = with_overrides(scenario, {"levers.troops_pledged": 2961})
    for value in (np.int64(2961), 2961.0, np.float64(2961.0)):
        assert with_overrides(scenario, {"levers.troops_pledged": value}) == expected
    with pytest.raises(sim.ScenarioOverrideError):
        with_overrides(scenario, {"levers.troops_pledged": 2961.5})
    # A float value stays a float where the scenario holds a float.
    changed = with_overrides(scenario, {"levers.sanctions_credibility": np.float64(1.0)})
    assert changed.levers.sanctions_credibility.value == 1.0


def test_dash_h_is_help(tmp_path: Path):
    for args in (["-h"], ["run", "-h"], ["dashboard", "-h"]):
        shown = run_cli(*args, cwd=tmp_path)
        assert shown.returncode == 0 and "Usage:" in shown.stdout


def test_a_reader_that_goes_away_ends_nothing_and_the_run_writes_its_results(tmp_path: Path):
    """`sim run ... | head -1`: the run goes on, writes its results and exits 0, with
    nothing on standard error."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "run", str(COMBINED), "--runs", "100",
         "--no-progress", "--no-plots", "--out", "r"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    # The reader goes away before the run prints anything, so every line it prints
    # meets a closed pipe (closing after the first line would not: the rest fits in
    # the pipe's buffer).
    process.stdout.close()
    _, error = process.communicate(timeout=300)
    assert process.returncode == 0, error
    assert error == b""
    assert (tmp_path / "r" / "summary.json").is_file()
