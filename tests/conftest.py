"""Shared helpers: the repository's scenarios, scenario variants, and the CLI."""

from __future__ import annotations

import atexit
import functools
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
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


def as_in_a_terminal() -> None:
    """``preexec_fn`` for a command a test stops with SIGINT or SIGHUP, as a user at a
    terminal would: both at their defaults in the command, whatever this process
    inherited (a suite started in the background ignores SIGINT, one under ``nohup``
    SIGHUP, and a command started with a signal ignored rightly keeps ignoring it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


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


@functools.cache
def _definitions(path: Path) -> dict[str, tuple[str, list[str]]]:
    """A test module's top-level functions and classes: name -> (source with its
    decorators, the names of its parameters).  Read from the file, not imported, so
    that pytest-xdist's controller can class tests it never collects."""
    import ast

    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    found = {}
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([d.lineno for d in node.decorator_list] + [node.lineno])
            source = "\n".join(lines[first - 1 : node.end_lineno])
            arguments = [] if isinstance(node, ast.ClassDef) else node.args.args
            found[node.name] = (source, [a.arg for a in arguments])
    return found


def _sources(name: str, definitions: dict, seen: set) -> list[str]:
    """The source of ``name`` and of the module's own functions and classes it uses."""
    import ast

    source = definitions[name][0]
    found = [source]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and node.id in definitions and node.id not in seen:
            seen.add(node.id)
            found += _sources(node.id, definitions, seen)
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


def _fixture_names(name: str, definitions: dict) -> set[str]:
    """The module's own fixtures the test asks for, and those they ask for."""
    names: set[str] = set()
    waiting = list(definitions[name][1])
    while waiting:
        asked = waiting.pop()
        if asked in names or asked not in definitions:
            continue
        names.add(asked)
        waiting += definitions[asked][1]
    return names


@functools.cache
def _classify(path: Path, function_name: str) -> tuple[bool, str | None]:
    """(whether the test is slow, its xdist group or None), from its source."""
    definitions = _definitions(path)
    name = path.stem
    text = "\n".join(_sources(function_name, definitions, {function_name}))
    fixtures = "\n".join(
        "\n".join(_sources(f, definitions, {f}))
        for f in sorted(_fixture_names(function_name, definitions))
    )
    slow = name in _SLOW_MODULES or any(c in text or c in fixtures for c in _SLOW_CALLS)
    if any(c in text or c in fixtures for c in _PROCESS_CALLS):
        return slow, "processes"
    return slow, name if name in _ONE_WORKER_MODULES else None


def _group_of(nodeid: str) -> str:
    """The scheduling unit of a test: its group, or the test alone."""
    path, _, rest = nodeid.partition("::")
    if not path.endswith(".py") or not rest or "::" in rest:
        return nodeid
    _, group = _classify(REPO / path, rest.split("[", 1)[0])
    return group or nodeid


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark the slow tests (`pytest -m "not slow"` is the quick layer) and the groups
    the tests that must share one xdist worker belong to."""
    for item in items:
        slow, group = _classify(Path(item.module.__file__), item.originalname)
        if slow:
            item.add_marker(pytest.mark.slow)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


# pytest-xdist's --dist loadgroup stopped grouping with pytest 9.2: it appends the
# group to `item._nodeid`, which pytest no longer reads (pytest-xdist#1386, open).
# This scheduler finds each test's group from the node id itself, so the tests that
# stop or kill processes run one after another on one worker, and the modules with
# costly module fixtures make them once.
@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.rfind("@") > nodeid.rfind("]"):  # a pytest-xdist that groups again
                return nodeid.rsplit("@", 1)[-1]
            return _group_of(nodeid)

    return GroupScheduling(config, log)


# --------------------------------------------------------------------------- compiled kernels


class _KernelCompiler:
    """Compiles the numba kernels in a process of its own, and says when it is done:
    numba caches them next to the sources, so the workers and every interpreter a test
    starts load them instead of compiling them again (about 15 s each)."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="sim-kernels-"))
        self.done = self.directory / "done"
        self.log = open(self.directory / "log", "w")  # closed in finish()
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from tests.conftest import _compile_kernels as c; c()"],
            cwd=REPO,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        # The marker is written when the process ends, however it ends.
        self.waiter = threading.Thread(target=self._mark_done, daemon=True)
        self.waiter.start()

    def _mark_done(self) -> None:
        self.done.write_text(str(self.process.wait()))

    def finish(self) -> None:
        if self.process.poll() is None:  # the session ended first (e.g. Ctrl-C)
            self.process.kill()
        self.waiter.join()
        self.log.close()
        shutil.rmtree(self.directory, ignore_errors=True)


def pytest_configure(config):
    """Under pytest-xdist, where no kernel is cached yet (as in a fresh clone), compile
    the numba kernels once, in a process of their own, while the workers start and
    collect the tests; each worker waits for it before its first test
    (:func:`pytest_runtestloop`).  A kernel whose source changed since is compiled by
    the first test that needs it."""
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return
    import sim
    from sim.compiled import use_numba

    if use_numba() and not any(Path(sim.__file__).parent.rglob("__pycache__/*.nbi")):
        config.stash[_COMPILER] = _KernelCompiler()


_COMPILER = pytest.StashKey[_KernelCompiler]()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """(pytest-xdist, in the controller) Tell each worker where the compiler's marker is."""
    compiler = node.config.stash.get(_COMPILER, None)
    if compiler is not None:
        node.workerinput["sim_kernels_done"] = str(compiler.done)


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session):
    """In a worker, after collecting: wait until the kernels are compiled."""
    done = getattr(session.config, "workerinput", {}).get("sim_kernels_done")
    if done is None:
        return None
    deadline = time.monotonic() + 600
    while not Path(done).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return None


def pytest_terminal_summary(terminalreporter, config):
    """Say so if compiling the kernels failed (the tests then compiled what they needed)."""
    compiler = config.stash.get(_COMPILER, None)
    if compiler is not None and compiler.process.poll() not in (None, 0):
        compiler.log.flush()
        tail = (compiler.directory / "log").read_text(errors="replace").splitlines()[-5:]
        terminalreporter.write_line("compiling the kernels ahead failed: " + " | ".join(tail))


def pytest_unconfigure(config):
    compiler = config.stash.get(_COMPILER, None)
    if compiler is not None:
        compiler.finish()


def _compile_kernels() -> None:
    """Four runs of 60 days of three shipped scenarios, one with the logit QRE selection:
    every kernel the model uses, at the types it uses them (the same signatures as all
    seven scenarios under both selections, in half the time)."""
    import sim
    from sim.scenario.overrides import with_overrides

    for name, selection in (
        ("combined", None),
        ("public_good", "logit_qre"),
        ("known_resolve", None),
    ):
        scenario = with_overrides(
            sim.load_scenario(SCENARIOS / f"{name}.yaml"), {"simulation.horizon_days": 60}
        )
        if selection is not None:
            scenario = with_overrides(scenario, {"games.selection": selection})
        sim.run(scenario, runs=4, seed=0)
