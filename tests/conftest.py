"""Shared helpers: the repository's scenarios, scenario variants, and the CLI."""

from __future__ import annotations

import atexit
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from sim.loader import load_scenario
from sim.scenario import Scenario

# Tests never write into the repository: no example database, and hypothesis's
# other files (.hypothesis/) go to a temporary directory.
settings.register_profile("sim", database=None)
settings.load_profile("sim")
_HYPOTHESIS_HOME = tempfile.mkdtemp(prefix="sim-hypothesis-")
set_hypothesis_home_dir(_HYPOTHESIS_HOME)
atexit.register(shutil.rmtree, _HYPOTHESIS_HOME, ignore_errors=True)

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


#: ``python -c PEAK_WRAPPER PEAK_FILE ARGS...`` runs ``sim ARGS...`` and, at exit, writes
#: the process's own peak resident memory (VmHWM, kB) to PEAK_FILE.  (``os.wait4``'s
#: ru_maxrss is no good here: Linux carries the parent's high-water mark over exec.)
PEAK_WRAPPER = """
import atexit, runpy, sys
out = sys.argv.pop(1)
def _peak():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                with open(out, "w") as f:
                    f.write(line.split()[1])
atexit.register(_peak)
sys.argv[0] = "sim"
runpy.run_module("sim.cli", run_name="__main__")
"""


def peak_megabytes(path: Path) -> float:
    """What PEAK_WRAPPER wrote (infinity if the process was killed before writing it)."""
    try:
        return int(Path(path).read_text()) / 1024
    except (OSError, ValueError):
        return float("inf")


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
