"""Shared helpers: the repository's scenarios, scenario variants, and the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.loader import load_scenario
from sim.scenario import Scenario

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"


def variant(base: str = "baseline.yaml", **changes: object) -> Scenario:
    """A shipped scenario with some values replaced, validated again.

    Keys are dotted paths with ``__`` for dots, e.g.
    ``levers__troops_pledged=0`` or ``actors__russia__resolve=2.0``.
    """
    data = load_scenario(SCENARIOS / base).model_dump(mode="json")
    for dotted, value in changes.items():
        *parents, leaf = dotted.split("__")
        node = data
        for key in parents:
            node = node[key]
        node[leaf] = value
    return Scenario.model_validate(data)


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run the `sim` command in a fresh interpreter, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


@pytest.fixture
def scenarios_dir() -> Path:
    return SCENARIOS
