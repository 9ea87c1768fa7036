"""Every command-line option, declared once as a typed alias; the commands use these.

An option that means the same thing in several commands (``--runs``, ``--seed``,
``--workers``, ``--set``, ``--out``, ``--plots``, ``--progress``, ``--csv``,
``--ci-width``, ``--max-runs``, ``--json``, ``--run``) is built by one function
here, so its name, limits and metavariable are the same everywhere; only the
words of its help and of its default may say what it means for that command.

``-q``/``--quiet`` and ``-v``/``--verbose`` are options of ``sim`` itself and of
every command: ``sim -q run ...`` and ``sim run ... -q`` mean the same (one
rule: before or after the command name, counted together).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from sim.cli.console import configure_logging, is_quiet, workers_callback
from sim.scenario.schema import SEED_MAX

__all__ = [
    "AsJson",
    "Assign",
    "Plots",
    "Progress",
    "Quiet",
    "RunOptions",
    "Verbose",
    "ci_width_option",
    "csv_option",
    "max_runs_option",
    "out_option",
    "run_index_option",
    "runs_option",
    "seed_option",
    "workers_option",
]


def quiet_callback(value: bool) -> bool:
    """``-q`` after the command name (eager: before any other option's callback; the
    options before it were set by the ``sim`` callback, :func:`configure_logging`)."""
    if value:
        configure_logging(quiet=True)
    return value


def verbose_callback(value: int) -> int:
    """``-v`` after the command name: adds to the count given before it."""
    if value:
        configure_logging(more=value)
    return value


def progress_callback(value: bool) -> bool:
    """``--progress`` is off with ``-q`` (processed first: it is eager)."""
    return bool(value) and not is_quiet()


#: The most runs --max-runs may ask for.
MAX_RUNS_OPTION = 10_000_000


def runs_option(help: str, default: str) -> Any:
    """``--runs N``: how many Monte Carlo runs (at least 1)."""
    return Annotated[int | None, typer.Option(min=1, metavar="N", help=help, show_default=default)]


def seed_option(default: str, help: str = "Random seed.") -> Any:
    """``--seed SEED``: the random seed, 0 to 2**63 - 1 (0 is a seed like any other)."""
    return Annotated[
        int | None,
        typer.Option(min=0, max=SEED_MAX, metavar="SEED", help=help, show_default=default),
    ]


def workers_option(default: str) -> Any:
    """``--workers N``: worker processes; more than the cores becomes the default."""
    return Annotated[
        int | None,
        typer.Option(
            min=1,
            metavar="N",
            help="Worker processes, at most one per core. Results do not depend on it.",
            callback=workers_callback,
            show_default=default,
        ),
    ]


def out_option(help: str, default: str) -> Any:
    """``--out DIR``: where results go."""
    return Annotated[Path | None, typer.Option(metavar="DIR", help=help, show_default=default)]


def ci_width_option(help: str) -> Any:
    """``--ci-width W``: add runs until every outcome's 95% interval is at most W wide."""
    return Annotated[float | None, typer.Option(metavar="W", help=help)]


def max_runs_option(help: str, default: str) -> Any:
    """``--max-runs N``: the cap on the runs ``--ci-width`` adds."""
    return Annotated[
        int | None,
        typer.Option(min=1, max=MAX_RUNS_OPTION, metavar="N", help=help, show_default=default),
    ]


def run_index_option(help: str, **extra: Any) -> Any:
    """``--run K``: one run of the batch, 0-based."""
    return typer.Option("--run", min=0, metavar="K", help=help, **extra)


def ensemble_option(help: str) -> Any:
    """``--ensemble``: under each structural variant, on common random numbers."""
    return Annotated[bool, typer.Option("--ensemble", help=help)]


def set_option(help: str) -> Any:
    """``--set PATH=VALUE`` (repeatable): a scenario value."""
    return Annotated[list[str] | None, typer.Option("--set", metavar="PATH=VALUE", help=help)]


Assign = set_option(
    "Set a scenario value, e.g. levers.troops_pledged=5000 or "
    "actors.russia.resolve='{dist: uniform, low: 1, high: 3}'. Repeatable."
)
Plots = Annotated[bool, typer.Option(help="Draw the figures.")]
Progress = Annotated[
    bool,
    typer.Option(
        help="Show progress on standard error: a bar on a terminal, otherwise a line "
        "every 10 s once a job has run that long. Off with -q.",
        callback=progress_callback,
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def csv_option(tables: str) -> Any:
    """``--csv``: also a CSV copy of every Parquet table (``tables`` says which)."""
    return Annotated[
        bool,
        typer.Option(
            "--csv",
            help="Also write a CSV copy of every Parquet table (NAME.csv next to "
            f"NAME.parquet); {tables}.",
        ),
    ]


def quiet_option(callback: Any = None) -> Any:
    """``-q``/``--quiet``: errors only on standard error (no notes, no progress)."""
    return Annotated[
        bool,
        typer.Option(
            "-q",
            "--quiet",
            help="Print only errors on standard error: no notes, no progress. "
            "Before or after the command name.",
            callback=callback,
            is_eager=callback is not None,
        ),
    ]


def verbose_option(callback: Any = None) -> Any:
    """``-v``/``--verbose`` (repeatable): what the job does (INFO), ``-vv`` every step."""
    return Annotated[
        int,
        typer.Option(
            "-v",
            "--verbose",
            count=True,
            show_default=False,
            help="Say more on standard error: -v what the job does (workers, chunks, "
            "files), -vv every step. Before or after the command name.",
            callback=callback,
            is_eager=callback is not None,
        ),
    ]


#: On ``sim`` itself (before the command name): read by its callback.
GlobalQuiet = quiet_option()
GlobalVerbose = verbose_option()
#: On every command (after its name): eager, so they act before any other option.
Quiet = quiet_option(quiet_callback)
Verbose = verbose_option(verbose_callback)

# sim run, sim trace and sim equilibria
Runs = runs_option("Monte Carlo runs.", "the scenario's")
ScenarioSeed = seed_option("the scenario's")
RunWorkers = workers_option(
    "one per CPU core, for batches of at least 5 million run-days per worker"
)
RunOut = out_option(
    "Result directory; with several files, the directory that holds one per scenario.",
    "results/<scenario name>",
)
RunCiWidth = ci_width_option(
    "Add runs until every outcome probability's 95% interval is at most W wide "
    "(e.g. 0.02); --runs is then the first batch."
)
RunMaxRuns = max_runs_option("With --ci-width: at most N runs.", "1,000,000")
RunCsv = csv_option(
    "here runs, trajectory_quantiles, daily_states and, with --trajectories, "
    "trajectories; with --ensemble, variants.csv and spread.csv are written anyway"
)
RunsInBatch = runs_option("Runs in the batch.", "the scenario's")
RunToTrace = Annotated[int, run_index_option("Which run (0-based).")]
RunOfParameters = Annotated[
    int | None,
    run_index_option("Use this run's drawn parameters.", show_default="central values"),
]
RunEnsemble = ensemble_option(
    "Run the scenario under each structural variant (equilibrium-selection "
    "rules x accident model, or the scenario's `ensemble:` key) on common random "
    "numbers; write each variant's outcome shares, the pooled shares and the "
    "spread split into sampling, parametric and structural parts to "
    "results/<scenario>-ensemble."
)

# sim sweep
RunsPerPoint = runs_option("Runs per point.", "the file's")
SweepSeed = seed_option("the file's")
SweepWorkers = workers_option("one per CPU core for large sweeps")
SweepOut = out_option("Sweep directory.", "results/<sweep name>")
SweepCiWidth = ci_width_option(
    "Give points more runs (in rounds of --runs) until every outcome "
    "probability's 95% interval is at most W wide at every point."
)
SweepMaxRuns = max_runs_option("With --ci-width: at most N runs per point.", "100 x --runs")
SweepCsv = csv_option("here sensitivity and, with --per-run, runs; points.csv is written anyway")
SetAtEveryPoint = set_option("With a scenario file: a value fixed at every point. Repeatable.")

# sim compare
RunsEach = runs_option("Runs of each scenario.", "the first file's")
SharedSeed = seed_option("the first file's", help="Random seed, shared by all.")
CompareWorkers = workers_option("as sim run")
CompareOut = out_option("Comparison directory.", "results/compare-<first>-<second>...")
CompareCsv = csv_option(
    "comparison.csv (with --ensemble, comparison_by_variant.csv) is written anyway"
)
CompareEnsemble = ensemble_option(
    "Compare under each structural variant (as sim run --ensemble, the first "
    "file's choices) and say where a difference changes sign."
)


@dataclass(frozen=True)
class RunOptions:
    """What ``sim run`` was asked for, the same for every file."""

    runs: int | None
    seed: int | None
    workers: int | None
    csv: bool
    trajectories: bool
    plots: bool
    progress: bool
    ci_width: float | None
    max_runs: int | None
