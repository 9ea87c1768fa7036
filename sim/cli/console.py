"""What every command shares: its two consoles, one-line errors and exit codes, signals.

Errors in what the user gave (a scenario file, an option, an output directory)
print one line on standard error and exit with code 2, without a traceback and
without writing anything (:func:`fail`).  A failure to write results
(permissions, a full disk) prints one line and exits with code 1, leaving no
partial directory; Ctrl-C exits 130, SIGTERM 143 and SIGHUP 129
(:func:`writing`).

Notes and the library's log messages go through :mod:`logging`, to one handler on
standard error (:func:`configure_logging`); ``-q`` silences them, errors always print.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shlex
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import typer
import typer.core
from rich.console import Console

from sim.scenario.loader import ScenarioError, load_scenario


def _console(stderr: bool = False) -> Console:
    """A console as wide as the terminal, or unlimited when piped (no cut-off names)."""
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else 1000
    # No emoji codes: a user's ":fire:" in a file name or a value is printed as typed.
    return _Console(stderr=stderr, highlight=False, soft_wrap=True, width=width, emoji=False)


class _Console(Console):
    def on_broken_pipe(self) -> None:
        # The reader went away (`sim run ... | head -1`): the rest of the output goes
        # nowhere and the command carries on, so a run still writes its results (Rich's
        # default ends the program with exit code 1).
        self.quiet = True
        _silence(self.file)


class _LazyConsole:
    """Built on first use, so the width follows the stream actually in use."""

    def __init__(self, stderr: bool = False) -> None:
        self._stderr = stderr

    def print(self, *args, **kwargs) -> None:
        self._call("print", *args, **kwargs)

    def print_json(self, *args, **kwargs) -> None:
        self._call("print_json", *args, **kwargs)

    def _call(self, method: str, *args, **kwargs) -> None:
        getattr(_console(self._stderr), method)(*args, **kwargs)


def _silence(stream) -> None:
    """Point ``stream``'s file descriptor at /dev/null (nothing more can be said there)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


#: What a command prints for the user (standard output) and its errors and notes
#: (standard error).
stdout = _LazyConsole()
stderr = _LazyConsole(stderr=True)

EXIT_USAGE = 2
EXIT_WRITE_FAILED = 1


#: Signals that stop ``sim run`` cleanly: workers stopped, nothing written.
_STOP_SIGNALS = ("SIGTERM", "SIGHUP")


class Stopped(BaseException):
    """Raised in the main thread by a stop signal (not an Exception: nothing swallows it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_stopped(signum: int, _frame: object) -> None:
    raise Stopped(signum)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into an exception for the duration of the block."""
    previous = {}
    for name in _STOP_SIGNALS:
        number = getattr(signal, name, None)
        # A signal the caller ignores (`nohup` ignores SIGHUP) stays ignored.
        if number is not None and signal.getsignal(number) is not signal.SIG_IGN:
            previous[number] = signal.signal(number, _raise_stopped)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextlib.contextmanager
def writing(target: str, unchanged: str) -> Iterator[None]:
    """One line and the documented exit code for whatever ends writing ``target`` early.

    ``unchanged`` tells the user what they still have ("nothing was written").
    A directory that may not be used exits 2; a failed write or a dead worker 1;
    Ctrl-C 130; SIGTERM/SIGHUP 128 + the signal.
    """
    from sim.experiments.sweeps import SweepIntegrityError
    from sim.results.store import ResultDirectoryError

    try:
        with stop_on_signals():
            try:
                yield
            except SystemError as error:
                # A signal's exception raised while a compiled kernel was being called
                # comes back wrapped ("returned a result with an exception set"): it is
                # the signal's.
                cause = error.__cause__ or error.__context__
                if isinstance(cause, KeyboardInterrupt | Stopped):
                    raise cause from None
                raise
    except (ResultDirectoryError, SweepIntegrityError) as error:
        fail(str(error))
    except ChildProcessError as error:  # a worker died (an OSError too)
        stderr.print(printable(f"error: {error}"), markup=False)
        raise typer.Exit(EXIT_WRITE_FAILED) from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        where = f" ({error.filename})" if error.filename else ""
        stderr.print(
            printable(f"error: writing {target} failed: {reason}{where}; {unchanged}"),
            markup=False,
        )
        raise typer.Exit(EXIT_WRITE_FAILED) from None
    except KeyboardInterrupt:
        stderr.print(f"interrupted: {unchanged}", markup=False)
        raise typer.Exit(130) from None
    except Stopped as stop:
        name = signal.Signals(stop.signum).name
        stderr.print(f"stopped by {name}: {unchanged}", markup=False)
        raise typer.Exit(128 + stop.signum) from None


def printable(text: object) -> str:
    """``text`` on one line: control characters (a newline in a file name) escaped."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def fail(message: str) -> None:
    """Print one line on standard error and exit with code 2."""
    stderr.print(f"error: {printable(message)}", markup=False, soft_wrap=True)
    raise typer.Exit(EXIT_USAGE)


def workers_callback(workers: int | None) -> int | None:
    """``--workers``: a request for more processes than cores becomes the default
    (``None``), with a note."""
    if workers is None:
        return None
    from sim.experiments.runner import cap_workers

    cores = cap_workers(workers)
    if cores < workers:
        # More than the machine has: the default (one per core for a batch that keeps
        # them busy), which is never slower than one process per core.
        note(
            f"--workers {workers}: more than the {cores} core{'s' if cores > 1 else ''} this "
            "machine gives; using the default (at most one per core)"
        )
        return None
    return workers


def note(message: str) -> None:
    """One line on standard error that the user should know of (the command goes on):
    ``note: MESSAGE``, a warning of the ``sim.cli`` logger (``-q`` silences it)."""
    logging.getLogger("sim.cli").warning("%s", message)


#: How each level's lines start on standard error (ERROR and above: ``error: ``).
_PREFIXES = {logging.DEBUG: "debug: ", logging.INFO: "info: ", logging.WARNING: "note: "}


class _StderrHandler(logging.Handler):
    """The command's one log handler: each record as one line on standard error
    (``note: ...`` for a warning), through the same console as the errors."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            prefix = _PREFIXES.get(record.levelno, "error: ")
            stderr.print(prefix + printable(record.getMessage()), markup=False, soft_wrap=True)
        except Exception:  # pragma: no cover - logging's own convention
            self.handleError(record)


#: ``-q`` and ``-v``'s count, before and after the command name together.
_verbosity = {"quiet": False, "verbose": 0}


def is_quiet() -> bool:
    """``-q`` was given: nothing but errors on standard error."""
    return _verbosity["quiet"]


def configure_logging(quiet: bool | None = None, verbose: int | None = None, more: int = 0) -> None:
    """Set (``quiet``, ``verbose``: the options before the command name) or add to (``-q``,
    ``more`` times ``-v`` after it) the verbosity, and give the ``sim`` logger one handler
    on standard error at its level (ERROR with -q, WARNING, INFO with -v, DEBUG with -vv);
    its records do not propagate to the root logger."""
    if quiet is not None:
        _verbosity["quiet"] = bool(quiet)
    if verbose is not None:
        _verbosity["verbose"] = int(verbose)
    _verbosity["verbose"] += more
    if _verbosity["quiet"] and _verbosity["verbose"]:
        fail("--quiet and --verbose: choose one")
    logger = logging.getLogger("sim")
    for handler in [h for h in logger.handlers if isinstance(h, _StderrHandler)]:
        logger.removeHandler(handler)
    logger.addHandler(_StderrHandler())
    levels = {0: logging.WARNING, 1: logging.INFO}
    level = levels.get(_verbosity["verbose"], logging.DEBUG)
    logger.setLevel(logging.ERROR if _verbosity["quiet"] else level)
    logger.propagate = False


def load(path: Path):
    try:
        return load_scenario(path)
    except ScenarioError as error:
        fail(str(error))


def check_runs(runs: int | None) -> None:
    """The command line's --runs has the scenario files' limit."""
    from sim.scenario.schema import MAX_RUNS

    if runs is not None and runs > MAX_RUNS:
        fail(f"--runs {runs}: at most {MAX_RUNS:,} runs (the limit of scenario files too)")


def parse_set(text: str) -> tuple[str, object]:
    from sim.experiments.sweeps import parse_value

    path, sep, value = text.partition("=")
    if not sep or not path.strip():
        fail(f"--set {text!r}: expected PATH=VALUE, e.g. levers.troops_pledged=5000")
    return path.strip(), parse_value(value.strip())


def file_sha256(file: Path) -> str:
    from sim.results.store import _sha256

    try:
        return _sha256(file)
    except OSError as error:
        fail(f"{file}: cannot read it ({error.strerror})")
        raise AssertionError from None  # unreachable: fail exits


def shown_path(file: Path) -> str:
    """``file`` as a command line run here would name it: relative when below here."""
    try:
        return str(file.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(file)


#: The scenarios shipped with a checkout (sim/cli/console.py -> the checkout's scenarios/).
SHIPPED_SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def command_line() -> str:
    """The command as the user typed it, for a manifest."""
    return shlex.join(["sim", *sys.argv[1:]])
