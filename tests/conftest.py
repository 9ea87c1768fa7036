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

from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

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


def run_cli(*args: str, cwd: Path, process: bool = False) -> subprocess.CompletedProcess:
    """Run the `sim` command as a user would, and return its exit code and output.

    By default in this interpreter: ``sim.cli.main`` with ``sys.argv``, the working
    directory and the environment set as the command line would, its standard
    output and error captured, and all three restored afterwards -- the command a
    user runs, without paying a new interpreter's start-up (about 2 s) each time.
    ``process=True`` starts a fresh interpreter (``python -m sim.cli``): for what
    only a process shows (start-up, signals, a blocked read ended by a timeout).
    """
    if process:
        return subprocess.run(
            [sys.executable, "-m", "sim.cli", *map(str, args)],
            capture_output=True,
            text=True,
            cwd=cwd,
            timeout=600,
        )
    return _run_cli_here([str(a) for a in args], Path(cwd))


def _run_cli_here(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    import contextlib
    import io
    import os

    from sim.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    saved_argv, saved_cwd, saved_environ = sys.argv, os.getcwd(), dict(os.environ)
    code: int = 0
    try:
        os.chdir(cwd)
        sys.argv = ["sim", *args]
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                main()
            except SystemExit as ended:
                code = ended.code if isinstance(ended.code, int) else int(ended.code is not None)
    finally:
        sys.argv = saved_argv
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_environ)
    return subprocess.CompletedProcess(["sim", *args], code, stdout.getvalue(), stderr.getvalue())


@pytest.fixture
def scenarios_dir() -> Path:
    return SCENARIOS


# --------------------------------------------------------------------------- the quick layer

#: What makes a test slow: it starts another interpreter (the command line as a user
#: runs it, a worker pool, a server, a browser).  Found in the test's own source or in
#: the helpers of its module it calls, so a new test is classed without a list to keep.
_SLOW_CALLS = ("run_cli", "subprocess", "Popen", "CliRunner", "sync_playwright", "workers=2")

#: Modules whose tests simulate many runs in-process (model checks, solver comparisons).
_SLOW_MODULES = {
    "test_model_v2",
    "test_stylised_facts",
    "test_limiting_cases",
    "test_qre_limits",
    "test_calibration",
    "test_sensitivity",
    "test_ema_recipe",
}


def _sources(function, module, seen: set) -> list[str]:
    """The source of ``function`` and of the module's own functions it calls."""
    import ast
    import inspect
    import textwrap

    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return []
    found = [source]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and node.id not in seen:
            helper = getattr(module, node.id, None)
            if inspect.isfunction(helper) and helper.__module__ == module.__name__:
                seen.add(node.id)
                found += _sources(helper, module, seen)
            elif inspect.isclass(helper) and helper.__module__ == module.__name__:
                seen.add(node.id)
                found += [inspect.getsource(helper)]
    return found


#: What makes a test time-sensitive: it stops, kills or waits for other processes (a
#: sweep killed after its first chunks, a lost Dask scheduler, a server, a browser).
#: A test that only waits for an answer (an address that is no Dask scheduler) is not
#: one of them: it does not compete for the cores.
#: Under pytest-xdist these run one after another on one worker
#: (``--dist loadgroup``), so they never compete with each other for the two cores.
_PROCESS_CALLS = ("Popen", "os.kill", "killpg", "SIGKILL", "SIGTERM", "SIGINT", "SIGHUP",
                  "sync_playwright", "process=True")  # fmt: skip


#: Modules whose module-scoped fixtures cost seconds (a finished run, a sweep): their
#: tests run on one xdist worker, so the fixture is made once, not once per worker.
_ONE_WORKER_MODULES = {"test_cli_run", "test_discover", "test_plots", "test_figures_brief"}


def pytest_collection_modifyitems(config, items):
    """Mark the slow tests (`pytest -m "not slow"` is the quick layer) and put the
    process-controlling ones in one xdist group."""
    cache: dict = {}
    grouped: dict = {}
    for item in items:
        module = item.module
        name = module.__name__.rsplit(".", 1)[-1]
        key = (name, item.originalname)
        if key not in cache:
            text = "\n".join(_sources(item.function, module, {item.function.__name__}))
            fixtures = "\n".join(
                "\n".join(_sources(getattr(module, f), module, set()))
                for f in item.fixturenames
                if callable(getattr(module, f, None))
            )
            cache[key] = name in _SLOW_MODULES or any(
                call in text or call in fixtures for call in _SLOW_CALLS
            )
            grouped[key] = any(call in text or call in fixtures for call in _PROCESS_CALLS)
        if cache[key]:
            item.add_marker(pytest.mark.slow)
        if grouped[key]:
            item.add_marker(pytest.mark.xdist_group("processes"))
        elif name in _ONE_WORKER_MODULES:
            item.add_marker(pytest.mark.xdist_group(name))
