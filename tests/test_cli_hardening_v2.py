"""Hardening v2 (#20): bounded workers, one number syntax, user text printed as typed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

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


def test_the_api_never_starts_more_processes_than_cores(tmp_path: Path, monkeypatch):
    import sim.runner as runner
    from sim.loader import load_scenario

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
