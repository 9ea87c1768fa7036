"""The ``sim`` command line: run, sweep, compare, report, dashboard, discover, plot, and more.

Errors in what the user gave (a scenario file, an option, an output
directory) print one line on standard error and exit with code 2, without a
traceback and without writing anything.  A failure to write results
(permissions, a full disk) prints one line and exits with code 1, leaving no
partial directory.  ``sim run`` stops its workers and writes nothing on
Ctrl-C (exit 130), SIGTERM (143) and SIGHUP (129).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shlex
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
import typer.core
from rich.console import Console
from rich.table import Table

try:  # typer >= 0.24 carries its own copy of click, whose errors are that copy's
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer builds on click itself
    from click import exceptions as click_errors

from sim import __version__
from sim.engine.outcomes import OUTCOMES
from sim.scenario.loader import ScenarioError, load_scenario
from sim.scenario.schema import SEED_MAX

__all__ = ["app", "main"]


class _Command(typer.core.TyperCommand):
    """Plain help with real metavariables: ``sim run [OPTIONS] FILE``, not ``{file}``."""

    def collect_usage_pieces(self, ctx) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = (param.metavar or param.name or "ARG").upper()
                name += "..." if param.nargs != 1 else ""
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx, formatter) -> None:
        params = self.get_params(ctx)
        arguments = [
            ((p.metavar or p.name or "").upper(), getattr(p, "help", None) or "")
            for p in params
            if p.param_type_name == "argument"
        ]
        options = [
            record
            for p in params
            if p.param_type_name == "option" and (record := p.get_help_record(ctx)) is not None
        ]
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        if options:
            with formatter.section("Options"):
                formatter.write_dl(options)


app = typer.Typer(
    name="sim",
    help="Scenario simulator for the peacekeeping-deployment crisis around Ukraine.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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


_out = _LazyConsole()
_err = _LazyConsole(stderr=True)

EXIT_USAGE = 2
EXIT_WRITE_FAILED = 1

#: Signals that stop ``sim run`` cleanly: workers stopped, nothing written.
_STOP_SIGNALS = ("SIGTERM", "SIGHUP")


class _Stopped(BaseException):
    """Raised in the main thread by a stop signal (not an Exception: nothing swallows it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_stopped(signum: int, _frame: object) -> None:
    raise _Stopped(signum)


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
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
def _writing(target: str, unchanged: str) -> Iterator[None]:
    """One line and the documented exit code for whatever ends writing ``target`` early.

    ``unchanged`` tells the user what they still have ("nothing was written").
    A directory that may not be used exits 2; a failed write or a dead worker 1;
    Ctrl-C 130; SIGTERM/SIGHUP 128 + the signal.
    """
    from sim.experiments.sweeps import SweepIntegrityError
    from sim.results.store import ResultDirectoryError

    try:
        with _stop_on_signals():
            try:
                yield
            except SystemError as error:
                # A signal's exception raised while a compiled kernel was being called
                # comes back wrapped ("returned a result with an exception set"): it is
                # the signal's.
                cause = error.__cause__ or error.__context__
                if isinstance(cause, KeyboardInterrupt | _Stopped):
                    raise cause from None
                raise
    except (ResultDirectoryError, SweepIntegrityError) as error:
        _fail(str(error))
    except ChildProcessError as error:  # a worker died (an OSError too)
        _err.print(_printable(f"error: {error}"), markup=False)
        raise typer.Exit(EXIT_WRITE_FAILED) from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        where = f" ({error.filename})" if error.filename else ""
        _err.print(
            _printable(f"error: writing {target} failed: {reason}{where}; {unchanged}"),
            markup=False,
        )
        raise typer.Exit(EXIT_WRITE_FAILED) from None
    except KeyboardInterrupt:
        _err.print(f"interrupted: {unchanged}", markup=False)
        raise typer.Exit(130) from None
    except _Stopped as stop:
        name = signal.Signals(stop.signum).name
        _err.print(f"stopped by {name}: {unchanged}", markup=False)
        raise typer.Exit(128 + stop.signum) from None


def _printable(text: object) -> str:
    """``text`` on one line: control characters (a newline in a file name) escaped."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _fail(message: str) -> None:
    """Print one line on standard error and exit with code 2."""
    _err.print(f"error: {_printable(message)}", markup=False, soft_wrap=True)
    raise typer.Exit(EXIT_USAGE)


def _cap_workers(workers: int | None) -> int | None:
    """``--workers``: a request for more processes than cores becomes the default
    (``None``), with a note."""
    if workers is None:
        return None
    from sim.experiments.runner import cap_workers

    cores = cap_workers(workers)
    if cores < workers:
        # More than the machine has: the default (one per core for a batch that keeps
        # them busy), which is never slower than one process per core.
        _note(
            f"--workers {workers}: more than the {cores} core{'s' if cores > 1 else ''} this "
            "machine gives; using the default (at most one per core)"
        )
        return None
    return workers


def _note(message: str) -> None:
    """One line on standard error that the user should know of (the command goes on)."""
    _err.print(f"note: {_printable(message)}", markup=False, soft_wrap=True)


def _load(path: Path):
    try:
        return load_scenario(path)
    except ScenarioError as error:
        _fail(str(error))


def _check_runs(runs: int | None) -> None:
    """The command line's --runs has the scenario files' limit."""
    from sim.scenario.schema import MAX_RUNS

    if runs is not None and runs > MAX_RUNS:
        _fail(f"--runs {runs}: at most {MAX_RUNS:,} runs (the limit of scenario files too)")


def _version(value: bool) -> None:
    if value:
        _out.print(f"sim {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Scenario simulator for the peacekeeping-deployment crisis around Ukraine."""


def _percent(value: float) -> str:
    """A percentage with one decimal, or two below 1% so small values are not shown as 0."""
    return f"{value:.2%}" if 0 < value < 0.01 else f"{value:.1%}"


def _summary_table(summary: dict, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("outcome")
    table.add_column("runs", justify="right")
    table.add_column("probability", justify="right")
    table.add_column("95% interval (Wilson)", justify="right")
    for name in OUTCOMES:
        entry = summary["outcomes"][name]
        low, high = entry["ci95"]
        table.add_row(
            name,
            f"{entry['count']:,}",
            _percent(entry["probability"]),
            f"{_percent(low)} – {_percent(high)}",
        )
    return table


def _dimensions_table(summary: dict) -> Table:
    """The two outcome dimensions, and why a pledged force never deployed."""
    table = Table(
        title="Conflict state at the horizon, the force's fate, why it never deployed, "
        "why it was attacked",
        title_justify="left",
    )
    for column in ("dimension", "class", "runs", "probability", "95% interval (Wilson)"):
        table.add_column(column, justify="left" if column in ("dimension", "class") else "right")
    for dimension in ("conflict_state", "force_fate", "not_deployed_reason", "attack_channel"):
        for name, entry in summary.get(dimension, {}).items():
            if entry["count"] == 0:
                continue
            low, high = entry["ci95"]
            table.add_row(
                dimension,
                name,
                f"{entry['count']:,}",
                _percent(entry["probability"]),
                f"{_percent(low)} – {_percent(high)}",
            )
    return table


def _survival_table(summary: dict) -> Table | None:
    """The first ceasefire's Kaplan–Meier survival at 30, 90, 180 and 365 days."""
    survival = summary.get("ceasefire_survival")
    if not survival or not survival["ceasefires"]:
        return None
    table = Table(
        title=f"First ceasefire still holding, days after it began (Kaplan–Meier; "
        f"{survival['ceasefires']:,} ceasefires, {survival['ended']:,} ended)",
        title_justify="left",
    )
    for column in ("days", "still holding", "95% interval", "followed that long"):
        table.add_column(column, justify="right")
    for key, entry in survival.items():
        if not isinstance(entry, dict):
            continue
        if entry["probability"] is None:
            table.add_row(key, "–", "–", "0")
            continue
        low, high = entry["ci95"]
        table.add_row(
            key,
            _percent(entry["probability"]),
            f"{_percent(low)} – {_percent(high)}",
            f"{entry['at_risk']:,}",
        )
    return table


def _metrics_table(summary: dict) -> Table:
    table = Table(title="Metrics (over runs where defined)", title_justify="left")
    for column in ("metric", "runs", "mean", "5%", "median", "95%"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for name, entry in summary["metrics"].items():
        if entry["n"] == 0:
            table.add_row(name, "0", "–", "–", "–", "–")
            continue
        quantiles = [entry[q] for q in ("q05", "q50", "q95")]
        whole = all(float(v).is_integer() for v in quantiles)
        table.add_row(
            name,
            f"{entry['n']:,}",
            f"{entry['mean']:,.2f}",
            *(f"{v:,.0f}" if whole else f"{v:,.2f}" for v in quantiles),
        )
    return table


@app.command(cls=_Command)
def run(
    files: Annotated[list[Path], typer.Argument(help="Scenario YAML file(s).", metavar="FILE")],
    assign: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="PATH=VALUE",
            help="Set a scenario value, e.g. levers.troops_pledged=5000 or "
            "actors.russia.resolve='{dist: uniform, low: 1, high: 3}'. Repeatable.",
        ),
    ] = None,
    runs: Annotated[
        int | None,
        typer.Option(min=1, metavar="N", help="Monte Carlo runs.", show_default="the scenario's"),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=SEED_MAX,
            metavar="SEED",
            help="Random seed.",
            show_default="the scenario's",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            metavar="N",
            help="Worker processes, at most one per core. Results do not depend on it.",
            callback=_cap_workers,
            show_default="one per CPU core, for batches of at least 5 million run-days per worker",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Result directory; with several files, the directory that holds one per scenario.",
            show_default="results/<scenario name>",
        ),
    ] = None,
    csv: Annotated[bool, typer.Option("--csv", help="Also write runs.csv.")] = False,
    trajectories: Annotated[
        bool, typer.Option("--trajectories", help="Also write every run's daily values.")
    ] = False,
    ci_width: Annotated[
        float | None,
        typer.Option(
            metavar="W",
            help="Add runs until every outcome probability's 95% interval is at most W wide "
            "(e.g. 0.02); --runs is then the first batch.",
        ),
    ] = None,
    max_runs: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=10_000_000,
            metavar="N",
            help="With --ci-width: at most N runs.",
            show_default="1,000,000",
        ),
    ] = None,
    ensemble: Annotated[
        bool,
        typer.Option(
            "--ensemble",
            help="Run the scenario under each structural variant (equilibrium-selection "
            "rules x accident model, or the scenario's `ensemble:` key) on common random "
            "numbers; write each variant's outcome shares, the pooled shares and the "
            "spread split into sampling, parametric and structural parts to "
            "results/<scenario>-ensemble.",
        ),
    ] = False,
    plots: Annotated[bool, typer.Option(help="Draw the figures.")] = True,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Run a scenario many times and write tables, summary, manifest and plots."""
    _check_runs(runs)
    if ensemble and (ci_width is not None or trajectories or csv):
        _fail("--ensemble: not with --ci-width, --trajectories or --csv")
    values = dict(_parse_set(text) for text in assign or [])
    scenarios = []
    for file in files:
        scenario = _load(file)
        if values:
            from sim.scenario.overrides import ScenarioOverrideError, with_overrides

            try:
                scenario = with_overrides(scenario, values)
            except ScenarioOverrideError as error:
                _fail(f"--set {error}")
        scenarios.append(scenario)
    if ci_width is not None and not 0 < ci_width < 1:
        _fail(f"--ci-width {ci_width}: a width between 0 and 1, e.g. 0.02")
    if max_runs is not None and ci_width is None:
        _fail("--max-runs: only with --ci-width (it caps the runs added)")
    options = _RunOptions(
        runs, seed, workers, csv, trajectories, plots, progress, ci_width, max_runs
    )
    names = [s.name for s in scenarios]
    if len(set(names)) < len(names):
        twice = next(n for n in names if names.count(n) > 1)
        _fail(f"two scenarios are named {twice!r}: their results would share a directory")
    for file, scenario in zip(files, scenarios, strict=True):
        name = f"{scenario.name}-ensemble" if ensemble else scenario.name
        if len(files) == 1:
            directory = out if out is not None else Path("results") / name
        else:
            directory = (out if out is not None else Path("results")) / name
        if ensemble:
            _run_ensemble(file, scenario, directory, options)
        else:
            _run_one(file, scenario, directory, options)


def _run_ensemble(file: Path, scenario, directory: Path, o: _RunOptions) -> None:
    """``sim run --ensemble`` of one scenario into ``directory``."""
    from sim.experiments.ensemble import run_ensemble, variants
    from sim.experiments.runner import default_workers
    from sim.results.store import (
        _git_commit,
        _versions,
        staged_directory,
        write_json,
        write_manifest,
    )

    try:
        members = variants(scenario)
    except ValueError as error:  # pragma: no cover - the loader validates the key
        _fail(f"{file}: ensemble: {error}")
    n_runs = scenario.simulation.runs if o.runs is None else o.runs
    if n_runs < 2:
        _fail("--ensemble: at least 2 runs per variant")
    seed = scenario.simulation.seed if o.seed is None else o.seed
    workers = o.workers or default_workers(n_runs, scenario.simulation.horizon_days)
    _err.print(
        f"{scenario.name}: {len(members)} structural variants x 2 replicates x {n_runs:,} runs",
        markup=False,
    )
    clock = time.perf_counter()
    with (
        _writing(f"the ensemble to {directory}", "nothing was written"),
        staged_directory(directory) as staging,
    ):
        result = run_ensemble(
            scenario,
            runs=n_runs,
            seed=seed,
            workers=workers,
            progress=o.progress,
            on_variant=(lambda v: _err.print(f"  variant {v.name}", markup=False))
            if o.progress
            else None,
        )
        elapsed = time.perf_counter() - clock
        result.shares.to_csv(staging / "variants.csv", index=False)
        result.spread.to_csv(staging / "spread.csv", index=False)
        write_json(
            staging / "ensemble.json",
            {
                "scenario": scenario.name,
                "runs_per_variant": n_runs,
                "replicates": 2,
                "seed": seed,
                "variants": [{"name": v.name, "values": v.values} for v in result.variants],
                "findings": result.findings,
                "shares": result.shares.to_dict(orient="records"),
                "spread": result.spread.to_dict(orient="records"),
            },
        )
        if o.plots:
            from sim.present.sweep_plots import draw_ensemble

            caption = _ensemble_caption(scenario.name, n_runs, seed)
            draw_ensemble(result.shares, caption, staging / "plots")
        write_manifest(
            staging,
            {
                "kind": "ensemble",
                "scenario": scenario.name,
                "scenario_file": str(file),
                "runs_per_variant": n_runs,
                "seed": seed,
                "versions": _versions(),
                "git": _git_commit(),
                "command": shlex.join(["sim", *sys.argv[1:]]),
                "simulation_seconds": round(elapsed, 2),
            },
        )
    _print_ensemble(result, elapsed)
    _out.print(f"Ensemble written to {directory}/", markup=False)


def _print_ensemble(result, elapsed: float) -> None:
    names = [v.name for v in result.variants]
    table = Table(
        title=f"{result.scenario.name}: outcome shares by structural variant "
        f"({result.runs:,} parameter draws x 2 each, seed {result.seed}, {elapsed:.1f} s)",
        title_justify="left",
    )
    table.add_column("outcome")
    for name in names:
        table.add_column(name.replace(" / ", "\n"), justify="right")
    table.add_column("pooled", justify="right")
    shares = result.shares.set_index(["variant", "outcome"])["probability"]
    shown = [o for o in OUTCOMES if shares.xs(o, level="outcome").max() > 0]
    for outcome in shown:
        table.add_row(
            outcome,
            *(_percent(shares[(n, outcome)]) for n in names),
            _percent(shares[("pooled", outcome)]),
        )
    _out.print(table)
    spread = Table(
        title="Spread of each share: sampling (Monte Carlo SE of the pooled share), "
        "parametric (SD of the outcome's probability across parameter draws), "
        "structural (SD across variants, and range)",
        title_justify="left",
    )
    for column in ("outcome", "pooled", "sampling SE", "parametric SD", "structural SD",
                   "range across variants"):  # fmt: skip
        spread.add_column(column, justify="left" if column == "outcome" else "right")
    for row in result.spread.itertuples():
        if row.outcome not in shown:
            continue
        spread.add_row(
            row.outcome,
            _percent(row.pooled),
            _percent(row.se_sampling),
            _percent(row.sd_parametric),
            _percent(row.sd_structural),
            f"{_percent(row.min)} – {_percent(row.max)}",
        )
    _out.print(spread)
    for finding in result.findings:
        _out.print(finding, markup=False)


@dataclass(frozen=True)
class _RunOptions:
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


def _run_one(file: Path, scenario, directory: Path, o: _RunOptions) -> None:
    """``sim run`` of one scenario into ``directory``."""
    # Imported after the scenario is checked, so that bad input fails fast.
    from sim.experiments.runner import default_workers, simulate
    from sim.present.plots import RUN_COLUMNS, draw_all
    from sim.results.store import (
        RunsWriter,
        staged_directory,
        write_manifest,
        write_result,
    )
    from sim.results.summary import SUMMARY_COLUMNS

    workers = o.workers
    if workers is None:
        n_runs = scenario.simulation.runs if o.runs is None else o.runs
        workers = default_workers(n_runs, scenario.simulation.horizon_days)
    started = datetime.now(UTC)
    clock = time.perf_counter()
    precision = None
    with (
        _writing(f"results to {directory}", "nothing was written"),
        staged_directory(directory) as staging,
    ):
        # Each chunk's rows go straight to runs.parquet: memory grows with the
        # columns the summary and the figures need, not with the whole table.
        with RunsWriter(staging, csv=o.csv) as writer:
            options = {
                "workers": workers,
                "progress": o.progress,
                "keep_trajectories": o.trajectories,
                "on_chunk": writer.write,
                "keep_columns": (*SUMMARY_COLUMNS, *RUN_COLUMNS),
            }
            if o.ci_width is None:
                result = simulate(scenario, runs=o.runs, seed=o.seed, **options)
            else:
                from sim.experiments.precision import simulate_to_precision

                result, precision = simulate_to_precision(
                    scenario, o.ci_width, o.runs, o.max_runs or 1_000_000, o.seed, **options
                )
        elapsed = time.perf_counter() - clock
        run_info = {
            "command": shlex.join(["sim", *sys.argv[1:]]),
            "scenario_file": str(file),
            "workers": workers,
            "started": started.isoformat(timespec="seconds"),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "simulation_seconds": round(elapsed, 2),
        }
        if precision is not None:
            run_info["precision"] = asdict(precision)
        saved = write_result(
            result,
            staging,
            run_info=run_info,
            csv=o.csv,
            per_run_trajectories=o.trajectories,
            runs_written=True,
        )
        if o.plots:
            draw_all(saved, staging / "plots")
            write_manifest(staging, saved.manifest)
    summary = saved.summary
    _out.print(
        _summary_table(
            summary, f"{scenario.name}: {result.n_runs:,} runs, seed {result.seed}, {elapsed:.1f} s"
        )
    )
    _out.print(_dimensions_table(summary))
    survival = _survival_table(summary)
    if survival is not None:
        _out.print(survival)
    _out.print(_metrics_table(summary))
    if precision is not None:
        state = "reached" if precision.reached else "NOT reached (--max-runs)"
        _out.print(
            f"Precision {state}: every outcome's 95% interval at most {precision.ci_width:g} "
            f"wide needed {precision.runs:,} runs ({precision.batches} batches); widest: "
            f"{precision.widest_outcome} ({precision.widest:.4f}).",
            markup=False,
        )
    _out.print(f"Results written to {directory}/", markup=False)


@app.command(cls=_Command)
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario YAML files.", metavar="FILE")],
) -> None:
    """Check scenario files; print one line per file, exit 2 if any is invalid."""
    failed = False
    for file in files:
        try:
            scenario = load_scenario(file)
        except ScenarioError as error:
            _err.print(f"error: {error}", markup=False, soft_wrap=True)
            failed = True
        else:
            _out.print(f"ok: {_printable(file)} (scenario '{scenario.name}')", markup=False)
    if failed:
        raise typer.Exit(EXIT_USAGE)


@app.command(cls=_Command)
def schema() -> None:
    """Print the JSON Schema of scenario files (for editors and validators)."""
    from sim.scenario.schema import scenario_json_schema

    _out.print_json(json.dumps(scenario_json_schema()))


def _describe_games(games: dict) -> str:
    from sim.games.tables import GAME_ACTIONS

    parts = []
    for name, game in games.items():
        _, row_actions, col_actions = GAME_ACTIONS[name]
        if game["label"] < 4:
            played = f"{row_actions[game['label'] // 2]}/{col_actions[game['label'] % 2]}"
        else:
            played = (
                f"mixed {row_actions[0]} {game['row_first']:.2f}, "
                f"{col_actions[0]} {game['col_first']:.2f}"
            )
        parts.append(f"{name} {played} ({game['n_equilibria']} eq.)")
    return "; ".join(parts)


def _day_state(day: dict) -> tuple:
    return (
        day["ceasefire_in_force"],
        day["escalation_level"],
        len(day["states_committed"]),
        _describe_games(day["games"]),
        day["sanctions_threat_pending"],
        day["sanctions_in_force"],
        round(day["russia_sanctions_penalty"], 3),
        round(day["russia_expected_response"], 3),
        _ladder_strategies(day.get("strike_ladder")),
    )


def _ladder_strategies(ladder: dict | None) -> str:
    """The strike ladder's equilibrium strategies, in words ("" without a ladder)."""
    if ladder is None:
        return ""

    def one(strategy: dict) -> str:
        return " / ".join(f"{a} {p:.2f}" for a, p in strategy.items() if p > 0.005)

    return f"Russia {one(ladder['russia_strategy'])}; defenders {one(ladder['defenders_strategy'])}"


def _print_ladder_table(ladder: dict) -> None:
    rungs, postures = list(ladder["russia_strategy"]), list(ladder["defenders_strategy"])
    width = max(len(r) for r in rungs)
    _out.print(
        "         strike ladder table (Russia's payoff , defenders' payoff): "
        + " | ".join(postures),
        markup=False,
    )
    for i, rung in enumerate(rungs):
        cells = "  ".join(
            f"{ladder['russia_payoffs'][i][j]:8.3g} , {ladder['defenders_payoffs'][i][j]:8.3g}"
            for j in range(len(postures))
        )
        _out.print(f"           {rung:<{width}}  {cells}", markup=False)


def _sanctions_line(day: dict) -> str | None:
    if day["sanctions_in_force"]:
        state = "sanctions in force"
    elif day["sanctions_threat_pending"]:
        state = "threat pending"
    else:
        return None
    return (
        f"sanctions: {state}; Russia's expected sanctions cost of an attributed violation "
        f"{day['russia_sanctions_penalty']:.3g} (it believes the US is committed with "
        f"probability {day['russia_credibility_belief']:.2f}); its payoff of violating "
        f"while Ukraine holds {day['russia_violation_payoff']:.3g}"
    )


def _print_trace(result) -> None:
    from sim.present.plots import ESCALATION_LABELS

    _out.print(
        f"Run {result.run_index} of {result.n_runs:,} (seed {result.seed}) "
        f"of scenario '{result.scenario.name}'",
        markup=False,
    )
    from sim.engine.parameters import uncertain_parameters

    drawn = [name for name, dist in uncertain_parameters(result.scenario) if dist.dist != "fixed"]
    _out.print("Parameters drawn for this run (the others are fixed):", markup=False)
    for name in drawn:
        _out.print(f"  {name} = {result.parameters[name]:.4g}", markup=False)
    previous = None
    quiet_from = None
    days = result.days
    private = result.scenario.information.russia_resolve == "private"
    for i, day in enumerate(days):
        state = _day_state(day)
        changed = state != previous or day["events"] or i == len(days) - 1
        if not changed:
            quiet_from = day["day"] if quiet_from is None else quiet_from
            continue
        if quiet_from is not None:
            _out.print(f"  days {quiet_from}–{day['day'] - 1}: no change", markup=False)
            quiet_from = None
        status = "ceasefire" if day["ceasefire_in_force"] else "fighting"
        _out.print(
            f"day {day['day']:>3}: {status}, {ESCALATION_LABELS[day['escalation_level']]}; "
            f"troops {day['troops_deployed']:,.0f} deployed of {day['troops_committed']:,.0f} "
            f"committed ({len(day['states_committed'])} states); "
            f"P(target force) {day['targeting_probability']:.2f}, "
            f"P(detect violation) {day['detection_probability']:.2f}"
            + (
                f"; coalition's belief Russia is resolute {day['belief_resolute']:.3f} "
                f"(deploys at or below {day['entry_threshold']:.3f})"
                if private
                else ""
            ),
            markup=False,
        )
        _out.print(f"         games: {_describe_games(day['games'])}", markup=False)
        ladder = day.get("strike_ladder")
        if ladder is not None:
            played = ""
            if ladder["rung_played"] is not None:
                played = f"; played today: {ladder['rung_played']}"
                if ladder["posture_played"] is not None:
                    played += f", defenders {ladder['posture_played']}"
            _out.print(
                f"         strike ladder equilibrium: {_ladder_strategies(ladder)}{played}",
                markup=False,
            )
            if previous is None or previous[-1] != _ladder_strategies(ladder):
                _print_ladder_table(ladder)
        if day["troops_committed"] > 0:
            _out.print(
                "         force: the coalition's move, from its belief, deploys with probability "
                f"{day['coalition_deploy_probability']:.2f}; Russia expects a military "
                f"response to a strike with probability {day['russia_expected_response']:.2f}",
                markup=False,
            )
        sanctions = _sanctions_line(day)
        if sanctions:
            _out.print(f"         {sanctions}", markup=False)
        for event in day["events"]:
            _out.print(f"         - {event}", markup=False)
        previous = state
    row = result.row
    _out.print(f"Outcome: {row['outcome']}", markup=False)
    for name, value in row.items():
        if name not in ("run", "outcome") and not str(name).startswith("param:"):
            _out.print(f"  {name} = {value}", markup=False)


@app.command(cls=_Command)
def trace(
    file: Annotated[Path, typer.Argument(help="Scenario YAML file.", metavar="FILE")],
    run_index: Annotated[
        int, typer.Option("--run", min=0, metavar="K", help="Which run (0-based).")
    ],
    runs: Annotated[
        int | None,
        typer.Option(min=1, metavar="N", help="Runs in the batch.", show_default="the scenario's"),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=SEED_MAX,
            metavar="SEED",
            help="Random seed.",
            show_default="the scenario's",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Tell the day-by-day story of one run: decisions, incidents, equilibria played.

    It is the same run as row RUN of `sim run` with the same scenario, runs and seed.
    """
    import pandas as pd

    from sim.experiments.runner import trace as trace_run

    scenario = _load(file)
    _check_runs(runs)
    n_runs = scenario.simulation.runs if runs is None else runs
    if run_index >= n_runs:
        _fail(f"--run {run_index}: the batch has {n_runs} runs (0 to {n_runs - 1})")
    result = trace_run(scenario, run_index, runs=n_runs, seed=seed)
    if as_json:
        from sim.experiments.runner import OPTIONAL_DAY_COLUMNS

        row = {
            k: (None if pd.isna(v) else v.item() if hasattr(v, "item") else v)
            for k, v in result.row.items()
        }
        # Days are whole numbers; the table holds them as floats only to code "never" as NaN.
        for name in OPTIONAL_DAY_COLUMNS:
            if row.get(name) is not None:
                row[name] = int(row[name])
        payload = {
            "scenario": scenario.name,
            "seed": result.seed,
            "runs": result.n_runs,
            "run": run_index,
            "parameters": result.parameters,
            "days": result.days,
            "result": row,
        }
        sys.stdout.write(json.dumps(payload, indent=1, default=str) + "\n")
        return
    _print_trace(result)


def _print_decisions(d: dict) -> None:
    yes = {True: "yes", False: "no"}
    entry = (
        "forced (the scenario ignores the game)"
        if d["deployment"] == "forced"
        else "as the simulation decides it (its move in the game played in sequence: "
        "entering against the reply it expects from Russia -- its prior belief when "
        "Russia's resolve is private, Russia's reply when it is known; under logit QRE a "
        f"logit response), it deploys with probability {d['coalition_deploy_probability']:.3g}"
    )
    lines = [
        f"Coalition entry: {entry}.",
        f"Russia targets a force that is there: {yes[d['russia_targets_a_deployed_force']]}.",
        "US reply to defiance (subgame-perfect, Russia moving first): committed type "
        f"{'imposes' if d['us_imposes_if_defied']['committed'] else 'refrains'}, uncommitted "
        f"type {'imposes' if d['us_imposes_if_defied']['uncommitted'] else 'refrains'}; "
        f"Russia expects imposition with probability "
        f"{d['russia_expected_imposition_probability']:.3g}.",
        f"At a sanctions deadline with no ceasefire, Russia "
        f"{'complies (agrees to a ceasefire)' if d['russia_complies_at_deadline'] else 'defies'}"
        f" (deal cost {d['deal_cost']:.3g}).",
        "Russia's expected sanctions cost of an attributed violation: "
        f"{d['russia_sanctions_penalty']['threat_pending']:.3g} under a pending threat, "
        f"{d['russia_sanctions_penalty']['sanctions_in_force']:.3g} with sanctions in force "
        "(its payoff of violating while Ukraine holds: "
        f"{d['russia_violation_payoff']['threat_pending']:.3g} and "
        f"{d['russia_violation_payoff']['sanctions_in_force']:.3g}).",
    ]
    _out.print("Decisions in this state:", markup=False)
    for line in lines:
        _out.print(f"  {line}", markup=False)


def _print_game(game: dict) -> None:
    row_player, col_player = game["players"]
    _out.print("")
    title = f"{game['game']}: {row_player} (rows) × {col_player} (columns)"
    if game.get("explicit_table"):
        title += " — table given in the scenario"
    table = Table(title=title, title_justify="left")
    table.add_column(f"{row_player} \\ {col_player}")
    for action in game["col_actions"]:
        table.add_column(action, justify="center")
    for i, action in enumerate(game["row_actions"]):
        table.add_row(
            action,
            *(
                f"{game['row_payoffs'][i][j]:.4g} , {game['col_payoffs'][i][j]:.4g}"
                for j in range(len(game["col_actions"]))
            ),
        )
    _out.print(table)
    _out.print(f"(cells: {row_player}'s payoff , {col_player}'s payoff)", markup=False)
    note = " — degenerate game (payoff ties): continua are shown by their extreme points"
    _out.print(
        f"Nash equilibria: {len(game['equilibria'])}{note if game['degenerate'] else ''}",
        markup=False,
    )
    for k, eq in enumerate(game["equilibria"], start=1):
        extra = ""
        if "risk_product" in eq:
            extra = f"; risk product {eq['risk_product']:.4g}, payoff sum {eq['payoff_sum']:.4g}"
        _out.print(
            f"  {k}. {eq['kind']} {eq['profile']}: {row_player} {eq['row_payoff']:.4g}, "
            f"{col_player} {eq['col_payoff']:.4g}{extra}",
            markup=False,
        )
    played = game["played"]
    profile = played["profile"] or "drawn at random"
    _out.print(f"Played ({played['rule']}): {profile} — {played['reason']}", markup=False)
    for player, entry in game["dominance"].items():
        strict = ", ".join(entry["strictly_dominated"]) or "none"
        weak = ", ".join(entry["weakly_dominated"]) or "none"
        _out.print(f"Dominated for {player}: strictly {strict}; weakly {weak}", markup=False)
    elimination = game["iterated_elimination"]
    survivors = "; ".join(
        f"{player}: {', '.join(actions)}" for player, actions in elimination["surviving"].items()
    )
    steps = ", then ".join(elimination["steps"]) or "nothing to eliminate"
    _out.print(
        f"Iterated elimination of strictly dominated strategies: {steps} → {survivors}",
        markup=False,
    )
    for seq in game["sequential"]:
        replies = ", ".join(f"{a} → {b}" for a, b in seq["follower_strategy"].items())
        line = (
            f"If {seq['leader']} moves first (subgame perfect): {seq['path']}, "
            f"{row_player} {seq['row_payoff']:.4g}, {col_player} {seq['col_payoff']:.4g} "
            f"({seq['follower']} replies {replies})"
        )
        if len(seq["all_paths"]) > 1:
            line += f"; other subgame-perfect paths under other tie-breaks: {seq['all_paths']}"
        if "commitment_value" in seq:
            if seq["differs_from_simultaneous"]:
                line += (
                    f" — differs from simultaneous play; value of moving first to "
                    f"{seq['leader']}: {seq['commitment_value']:+.4g}"
                )
            else:
                line += " — same as simultaneous play"
        _out.print(line, markup=False)
    qre = game["qre"]
    _out.print(
        f"Logit QRE at precision {qre['precision']:g}: {row_player} "
        + ", ".join(f"{a} {p:.3g}" for a, p in qre["row_strategy"].items())
        + f"; {col_player} "
        + ", ".join(f"{a} {p:.3g}" for a, p in qre["col_strategy"].items()),
        markup=False,
    )


def _print_information(info: dict) -> None:
    _out.print("")
    _out.print(
        "Incomplete information: the deployment game with a resolute Russia (targets a "
        "deployed force) and a bluffing one (accepts it); the coalition moves first",
        markup=False,
    )
    threshold = info["threshold"]
    if threshold is None:
        meaning = "none (the coalition's choice does not depend on its belief)"
    elif threshold < 0:
        meaning = f"{threshold:.4g}: the coalition stays out whatever it believes"
    elif threshold >= 1:
        meaning = f"{threshold:.4g}: the coalition deploys whatever it believes"
    else:
        meaning = f"{threshold:.4g}: it stays out if it believes Russia resolute with more"
    _out.print(
        f"  Russia's resolve: {info['russia_resolve']}; prior belief that Russia is resolute "
        f"{info['prior_resolute']:.4g} (share of the scenario's draws in which it is: "
        f"{info['resolute_share_of_draws']:.3g}; at these values Russia is "
        f"{info['russia_type_here']})",
        markup=False,
    )
    _out.print(f"  Belief threshold μ*: {meaning}", markup=False)
    action = "deploys" if info["coalition_deploys_at_prior"] else "stays out"
    _out.print(
        f"  Perfect Bayesian equilibrium at the prior: the coalition {action} (expected payoff "
        f"of deploying {info['expected_payoff_deploy']:.4g}, of staying out "
        f"{info['expected_payoff_stay_out']:.4g}); resolute type: {info['resolute_reply']}, "
        f"bluffing type: {info['bluffing_reply']}",
        markup=False,
    )
    likely = info["incident_probability"]
    line = (
        f"  Bayes' rule: a hostile incident is seen with daily probability "
        f"{likely['resolute']:.3g} (resolute) or {likely['bluffing']:.3g} (bluffing); "
        "a strike on the force proves resolve"
    )
    if info["quiet_days_to_deploy"] is not None:
        line += (
            f"; {info['quiet_days_to_deploy']} days without an incident bring the belief "
            "below the threshold"
        )
    _out.print(line, markup=False)


def _print_coalition(report: dict) -> None:
    _out.print("")
    title = (
        f"The coalition's threshold public-good game: the force works if committed troops "
        f"reach {report['threshold_troops']:,} ({report['pledged_total']:,.0f} pledged; "
        f"rule in the model: {report['participation_rule']})"
    )
    table = Table(title=title, title_justify="left")
    indices = "banzhaf" in report["states"][0]
    for column in ("state", "pledge", "benefit", "cost if targeted"):
        table.add_column(column, justify="left" if column == "state" else "right")
    if indices:
        for column in ("pivotal", "Banzhaf", "Shapley–Shubik"):
            table.add_column(column, justify="right")
    for entry in report["states"]:
        cells = [
            entry["name"],
            f"{entry['pledge']:,.0f}",
            f"{entry['benefit']:.3g}",
            f"{entry['cost_if_targeted']:.3g}",
        ]
        if indices:
            cells += [
                "yes" if entry["pivotal_in_full"] else "no",
                f"{entry['banzhaf']:.3f}",
                f"{entry['shapley_shubik']:.3f}",
            ]
        table.add_row(*cells)
    _out.print(table)
    _out.print(
        "(benefit: support × guarantee value, received by every state if the force is viable; "
        "cost: casualty sensitivity × expected casualties / 100, times the risk that Russia "
        "targets the force; pivotal: the others alone fall short)",
        markup=False,
    )
    for key in ("now", "if_targeted"):
        entry = report[key]
        label = (
            "at the expected risk" if key == "now" else "if Russia targets the force"
        ) + f" (risk {entry['risk']:.3g})"
        for rule in ("public_good", "own_benefit"):
            stay = entry[rule]
            names = ", ".join(stay["stay"]) or "none"
            _out.print(
                f"Who stays {label}, {rule}: {len(stay['stay'])} states, "
                f"{stay['troops']:,.0f} troops — {names}",
                markup=False,
            )
    found = report.get("equilibria_if_targeted")
    if found is not None:
        _out.print(
            f"Pure Nash equilibria of the threshold game if Russia targets: {found['count']:,} "
            f"({found['winning']:,} reach the threshold, the smallest with "
            f"{found['smallest_winning_states']} states; nobody contributing is "
            f"{'an' if found['none_contribute_is_equilibrium'] else 'not an'} equilibrium)",
            markup=False,
        )


@app.command(cls=_Command)
def equilibria(
    file: Annotated[Path, typer.Argument(help="Scenario YAML file.", metavar="FILE")],
    run_index: Annotated[
        int | None,
        typer.Option(
            "--run",
            min=0,
            metavar="K",
            help="Use this run's drawn parameters.",
            show_default="central values",
        ),
    ] = None,
    runs: Annotated[
        int | None,
        typer.Option(min=1, metavar="N", help="Runs in the batch.", show_default="the scenario's"),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=SEED_MAX,
            metavar="SEED",
            help="Random seed.",
            show_default="the scenario's",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (docs/games.md).")] = False,
) -> None:
    """Print every payoff table of a scenario, all its Nash equilibria, and which is played."""
    scenario = _load(file)
    from sim.experiments.equilibria import central_parameters, run_parameters, scenario_report

    if run_index is None:
        params, where = central_parameters(scenario), "the central values of the distributions"
    else:
        _check_runs(runs)
        n_runs = scenario.simulation.runs if runs is None else runs
        if run_index >= n_runs:
            _fail(f"--run {run_index}: the batch has {n_runs} runs (0 to {n_runs - 1})")
        batch_seed = scenario.simulation.seed if seed is None else seed
        params = run_parameters(scenario, run_index, batch_seed)
        where = f"the parameters drawn for run {run_index} of {n_runs} (seed {batch_seed})"
    report = scenario_report(scenario, params, where)
    if as_json:
        sys.stdout.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        return
    state = report["state"]
    _out.print(f"Scenario '{scenario.name}': games with {where}.", markup=False)
    _out.print(
        f"State: {state['troops_committed']:,.0f} troops committed, "
        f"{state['troops_deployed']:,.0f} deployed; ceasefire on its first day"
        f"{' (within the agreed term)' if state['within_agreed_term'] else ''}; sanctions threat "
        f"{'pending' if state['sanctions_threat_pending'] else 'not issued'}. "
        f"Tripwire response probability {state['tripwire_response_probability']:.3g}, "
        f"detection probability {state['detection_probability']:.3g}, expected sanctions "
        f"cost to Russia {state['expected_sanctions_cost_to_russia']:.3g}.",
        markup=False,
    )
    _out.print(f"Selection rule: {report['selection_rule']}", markup=False)
    _print_decisions(report["decisions"])
    for game in report["games"]:
        _print_game(game)
    _print_information(report["incomplete_information"])
    _print_coalition(report["coalition"])


def _is_sweep_file(path: Path) -> bool:
    """A sweep file names its base scenario (``base:``); a scenario file does not."""
    from sim.scenario.loader import load_scenario_data

    try:
        data, _ = load_scenario_data(path)
    except ScenarioError:
        return False  # loading it as a scenario reports the problem
    return isinstance(data, dict) and "base" in data and "vary" in data


def _sweep_from_options(
    file: Path,
    vary: list[str],
    assign: list[str],
    design: str,
    samples: int | None,
    runs: int | None,
    seed: int | None,
):
    """The sweep given on the command line: a scenario file and --vary/--set options."""
    import difflib

    from sim.experiments.designs import DESIGNS
    from sim.experiments.sweeps import SweepSpec, parse_vary, resolve_sweep

    base = _load(file)
    if design not in DESIGNS:
        close = difflib.get_close_matches(design, list(DESIGNS), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        _fail(f"--design {design!r}: not one of: {', '.join(DESIGNS)}{hint}")
    factors: dict = {}
    for text in vary:
        try:
            path, spec = parse_vary(text)
        except ValueError as error:
            _fail(str(error))
        if path in factors:
            _fail(f"--vary {path}: given twice")
        factors[path] = spec
    fixed = dict(_parse_set(text) for text in assign)
    try:
        spec = SweepSpec(base=str(file), design=design, samples=samples, vary=factors, set=fixed)
        return resolve_sweep(spec, base, runs=runs, seed=seed)
    except ValueError as error:  # pydantic's ValidationError is one
        head, _, rest = str(error).partition(": ")
        option = "--set" if head == "set" else ("--vary " + head if head in factors else "")
        if option == "--set":
            _fail(f"--set {rest}")
        if hasattr(error, "errors"):  # a ValidationError: several lines; keep the first
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            _fail(f"{where}: {first['msg']}")
        _fail(f"{option}: {rest}" if option else str(error))


def _parse_set(text: str) -> tuple[str, object]:
    from sim.experiments.sweeps import parse_value

    path, sep, value = text.partition("=")
    if not sep or not path.strip():
        _fail(f"--set {text!r}: expected PATH=VALUE, e.g. levers.troops_pledged=5000")
    return path.strip(), parse_value(value.strip())


@app.command(cls=_Command)
def sweep(
    file: Annotated[
        Path,
        typer.Argument(
            help="A sweep file (base:, vary:, design:), or a scenario file with --vary.",
            metavar="FILE",
        ),
    ],
    vary: Annotated[
        list[str] | None,
        typer.Option(
            "--vary",
            metavar="PATH=SPEC",
            help="With a scenario file: a value to vary, LOW:HIGH:STEP (grid levels), "
            "LOW:HIGH (a range, for sampled designs) or A,B,C (levels). Repeatable.",
        ),
    ] = None,
    assign: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="PATH=VALUE",
            help="With a scenario file: a value fixed at every point. Repeatable.",
        ),
    ] = None,
    design: Annotated[
        str,
        typer.Option(metavar="DESIGN", help="With a scenario file: grid, latin, sobol or morris."),
    ] = "grid",
    samples: Annotated[
        int | None,
        typer.Option(
            min=1, metavar="N", help="Samples of a latin, sobol (a power of 2) or morris design."
        ),
    ] = None,
    runs: Annotated[
        int | None,
        typer.Option(min=1, metavar="N", help="Runs per point.", show_default="the file's"),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            min=0, max=SEED_MAX, metavar="SEED", help="Random seed.", show_default="the file's"
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            metavar="N",
            help="Worker processes, at most one per core. Results do not depend on it.",
            callback=_cap_workers,
            show_default="one per CPU core for large sweeps",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            metavar="ADDRESS",
            help="Run on a Dask cluster: its scheduler's address "
            "(tcp://HOST:8786) or scheduler file. Results do not depend on it.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(metavar="DIR", help="Sweep directory.", show_default="results/<sweep name>"),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue an interrupted sweep into the same DIR.")
    ] = False,
    restart: Annotated[
        bool, typer.Option("--restart", help="Discard an interrupted sweep's chunks in DIR.")
    ] = False,
    per_run: Annotated[
        bool, typer.Option("--per-run", help="Also write runs.parquet (one row per run).")
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Print the design's size and an estimated time; simulate nothing."
        ),
    ] = False,
    chunk_runs: Annotated[
        int | None,
        typer.Option(
            min=1,
            metavar="N",
            help="Runs per chunk (a chunk is stored as it finishes; memory grows with it). "
            "Results do not depend on it.",
            show_default="up to 5,000",
        ),
    ] = None,
    ci_width: Annotated[
        float | None,
        typer.Option(
            metavar="W",
            help="Give points more runs (in rounds of --runs) until every outcome "
            "probability's 95% interval is at most W wide at every point.",
        ),
    ] = None,
    max_runs: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=10_000_000,
            metavar="N",
            help="With --ci-width: at most N runs per point.",
            show_default="100 x --runs",
        ),
    ] = None,
    plots: Annotated[bool, typer.Option(help="Draw the figures.")] = True,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Simulate a base scenario at many points (a grid or a sampled design), batched."""
    _check_runs(runs)
    if ci_width is not None and not 0 < ci_width < 1:
        _fail(f"--ci-width {ci_width}: a width between 0 and 1, e.g. 0.05")
    if resume and restart:
        _fail("--resume and --restart: choose one")
    if scheduler is not None and workers is not None:
        _note(f"--workers {workers} is not used with --scheduler (the cluster's workers run)")
    if dry_run and (resume or restart or per_run):
        used = [n for n, on in (("--resume", resume), ("--restart", restart),
                                ("--per-run", per_run)) if on]  # fmt: skip
        _note(f"--dry-run writes nothing: {', '.join(used)} not used")
    if _is_sweep_file(file):
        if vary or assign or design != "grid" or samples is not None:
            _fail(
                f"{file} is a sweep file: put --vary, --set, --design and --samples in it "
                "(vary:, set:, design:, samples:)"
            )
        from sim.experiments.sweeps import load_sweep

        try:
            plan = load_sweep(file, runs=runs, seed=seed)
        except ScenarioError as error:
            _fail(str(error))
    else:
        if not vary:
            _load(file)  # a broken scenario file is reported as such
            _fail(f"{file} is a scenario file: say what to vary with --vary PATH=SPEC")
        plan = _sweep_from_options(file, vary, assign or [], design, samples, runs, seed)
    # The options win over the sweep file's ci_width: and max_runs:.
    ci_width = plan.ci_width if ci_width is None else ci_width
    max_runs = plan.max_runs if max_runs is None else max_runs
    if max_runs is not None and ci_width is None:
        _fail("--max-runs: only with --ci-width (it caps the runs added per point)")
    plan = dataclasses.replace(plan, ci_width=ci_width, max_runs=max_runs)
    from sim.experiments.runner import MIN_RUN_DAYS_PER_WORKER
    from sim.experiments.sweep_store import (
        SweepStore,
        stored_plan,
        sweep_fingerprint,
        write_sweep_result,
    )
    from sim.experiments.sweeps import default_chunk_width, run_sweep
    from sim.results.store import ResultDirectoryError, check_replaceable, staged_directory

    total = plan.n_points * plan.runs
    run_days = plan.runs * sum(plan.point_keys()[1])
    if workers is None:
        from sim.experiments.runner import available_cores

        workers = max(1, min(available_cores(), run_days // MIN_RUN_DAYS_PER_WORKER))
    directory = out if out is not None else Path("results") / plan.name
    width = default_chunk_width(total, workers) if chunk_runs is None else chunk_runs
    if resume and chunk_runs is None:
        # The chunks on disk were cut for the first attempt's workers: keep that width.
        stored_width = (stored_plan(directory) or {}).get("chunk_runs", width)
        if isinstance(stored_width, bool) or not isinstance(stored_width, int) or stored_width < 1:
            _fail(
                f"{directory}: the stored sweep's plan.json is damaged (chunk_runs "
                f"{str(stored_width)[:40]!r}); --restart discards the store"
            )
        width = stored_width
    if dry_run:
        _print_dry_run(plan, width, workers, scheduler)
        return
    if scheduler is not None:
        _quiet_dask()
        scheduler = _check_scheduler(scheduler)
    started = datetime.now(UTC)
    clock = time.perf_counter()
    with _writing(f"the sweep to {directory}", "finished chunks are kept; rerun with --resume"):
        # Before simulating: a directory that may not be replaced fails now, not after.
        check_replaceable(Path(os.path.abspath(directory)))
        if directory.exists() and not directory.is_dir():
            raise ResultDirectoryError(f"{directory}: exists and is not a directory")
        fingerprint = {**sweep_fingerprint(plan, width), "ci_width": ci_width, "max_runs": max_runs}
        with SweepStore.open(directory, fingerprint, resume, restart) as store:
            result = run_sweep(
                plan,
                workers=workers,
                chunk_runs=width,
                progress=progress,
                store=store,
                scheduler=scheduler,
                keep_runs=per_run,
                ci_width=ci_width,
                max_runs=max_runs,
                notify=_note,
            )
            elapsed = time.perf_counter() - clock
            run_info = {
                "command": shlex.join(["sim", *sys.argv[1:]]),
                "sweep_file": str(file),
                "workers": workers if scheduler is None else None,
                "scheduler": scheduler,
                "started": started.isoformat(timespec="seconds"),
                "finished": datetime.now(UTC).isoformat(timespec="seconds"),
                "simulation_seconds": round(elapsed, 2),
                "chunks": result.chunks,
                "chunks_run": result.chunks_run,
                "chunks_resumed": result.chunks_resumed,
                "precision": result.precision,
            }
            with staged_directory(directory) as staging:
                manifest = write_sweep_result(result, staging, run_info=run_info, per_run=per_run)
                if plots:
                    from sim.present.sweep_plots import draw_sweep
                    from sim.results.store import write_manifest

                    draw_sweep(result.points, result.sensitivity, manifest, staging / "plots")
                    write_manifest(staging, manifest)
            store.remove()
    _print_sweep(result, elapsed)
    _out.print(f"Sweep written to {directory}/", markup=False)


def _quiet_dask() -> None:
    """Dask logs a lost connection as tracebacks; the command says it in one line.  Its
    loggers are configured when it is imported, so they are silenced after that."""
    import logging

    import distributed  # noqa: F401

    for name in list(logging.root.manager.loggerDict):
        if name == "distributed" or name.startswith("distributed."):
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def _check_scheduler(scheduler: str) -> str:
    """The Dask scheduler's address (a scheduler file is read); one line if unreachable."""
    from sim.experiments.sweeps import scheduler_address

    try:
        # 7 s to connect, 1 s of grace: one line within about 10 s, whatever answers.
        return scheduler_address(scheduler, timeout=7)
    except ValueError as error:
        _fail(f"--scheduler {scheduler[:200]}: {error}")
    except (OSError, TimeoutError) as error:
        _fail(f"--scheduler {scheduler[:200]}: cannot reach a Dask scheduler ({error})")
    raise AssertionError  # unreachable: _fail exits


def _print_dry_run(plan, width: int, workers: int, scheduler: str | None) -> None:
    """The sweep's size and an estimate of its time, counted, not built: a few hundred
    bytes a point whatever the runs (one short probe of at most 500 runs is timed)."""
    from sim.experiments.sweeps import _chunk_scenarios, _PointRecipe, plan_chunks, simulate_chunk

    groups = plan.groups()
    _, horizons = plan.point_keys()
    total = plan.n_points * plan.runs
    n_chunks = sum(-(-len(group) * plan.runs // width) for group in groups)
    horizon = horizons[0]
    # Calibration: the first chunk's first runs (at most 500, over as many points as
    # that takes), timed once.
    first_points = groups[0][: -(-500 // plan.runs)]
    probe = plan_chunks([first_points], plan.runs, min(width, 500))[0]
    recipe = _chunk_scenarios(plan, probe)
    scenarios = recipe.build() if isinstance(recipe, _PointRecipe) else recipe
    clock = time.perf_counter()
    simulate_chunk(scenarios, probe.points, probe.segments, plan.seed)
    seconds = time.perf_counter() - clock
    per_run_day = seconds / horizons[probe.points[0]] / probe.size
    # A day's cost is roughly fixed + per run; the probe measures both at once, so scaling
    # it by runs overestimates wide chunks.
    estimate = per_run_day * plan.runs * float(sum(horizons))
    where = f"Dask cluster {scheduler}" if scheduler else f"{workers} worker(s)"
    estimate /= 1 if scheduler else workers
    _out.print(
        f"{plan.name}: {plan.design} design, {len(plan.factors)} varied value(s), "
        f"{plan.n_points:,} points x {plan.runs:,} runs = {total:,} runs of {horizon} days "
        f"in {n_chunks:,} chunk(s) of at most {width:,} runs; {len(groups)} model group(s).",
        markup=False,
    )
    _out.print(
        f"Estimated time on {where}: about {estimate:,.0f} s (from {probe.size} runs "
        f"timed: {seconds:.2f} s; an upper estimate).",
        markup=False,
    )


def _print_sweep(result, elapsed: float) -> None:
    """A grid: its points (up to 40).  A sampled design (latin, sobol, morris): what it
    was sampled for first (Sobol' S1 and ST with their 95% intervals, or Morris's μ*
    and σ, for the outcomes at least 2% likely on average, as the sensitivity figure;
    for a Latin hypercube, each outcome's range over the points), then a few points."""
    plan = result.sweep
    header = (
        f"{plan.name}: {plan.n_points:,} points x {plan.runs:,} runs, "
        f"seed {plan.seed}, {elapsed:.1f} s"
    )
    factors = [f.path for f in plan.factors]
    shown = [o for o in OUTCOMES if result.points[f"p:{o}"].max() > 0]
    points = result.points
    sampled = plan.design != "grid"
    if sampled:
        varying = [o for o in shown if points[f"p:{o}"].nunique() > 1] or shown[:1]
        # As sim.present.sweep_plots.RARE_SHARE: a rarer outcome's indices are mostly noise.
        common = [o for o in varying if points[f"p:{o}"].mean() >= 0.02] or varying[:1]
        sensitivity = result.sensitivity
        if sensitivity is not None and plan.design in ("sobol", "morris"):
            sobol = plan.design == "sobol"
            summary = Table(
                title=f"{header}\n"
                + (
                    "Sobol' indices of each outcome's probability (95% bootstrap intervals)"
                    if sobol
                    else "Morris screening of each outcome's probability, in percentage "
                    "points (μ* with its 95% interval)"
                ),
                title_justify="left",
            )
            summary.add_column("outcome")
            summary.add_column("factor")
            for name in ("S1", "ST") if sobol else ("μ* (pp)", "σ (pp)"):
                summary.add_column(name, justify="right")
            for outcome in common:
                rows = sensitivity[sensitivity["outcome"] == outcome]
                rows = rows.sort_values("ST" if sobol else "mu_star", ascending=False)
                for k, (_, row) in enumerate(rows.iterrows()):
                    if sobol:
                        cells = [
                            f"{row['S1']:.2f} ± {row['S1_conf']:.2f}",
                            f"{row['ST']:.2f} ± {row['ST_conf']:.2f}",
                        ]
                    else:
                        cells = [
                            f"{100 * row['mu_star']:.1f} ± {100 * row['mu_star_conf']:.1f}",
                            f"{100 * row['sigma']:.1f}",
                        ]
                    label = outcome.replace("_", " ") if k == 0 else ""
                    summary.add_row(label, row["factor"], *cells, end_section=k == len(rows) - 1)
            _out.print(summary)
            left_out = ", ".join(o.replace("_", " ") for o in shown if o not in common)
            if left_out:
                _out.print(
                    f"(rarer or constant outcomes, {left_out}: in sensitivity.parquet)",
                    markup=False,
                )
        else:
            summary = Table(
                title=f"{header}\nEach outcome's probability over the {len(points):,} points",
                title_justify="left",
            )
            for name in ("outcome", "lowest", "median", "highest"):
                summary.add_column(name, justify="left" if name == "outcome" else "right")
            for outcome in shown:
                column = points[f"p:{outcome}"]
                summary.add_row(
                    outcome.replace("_", " "),
                    *(_percent(v) for v in (column.min(), column.median(), column.max())),
                )
            _out.print(summary)
    table = Table(
        title=f"First points of {len(points):,}" if sampled else header,
        title_justify="left",
    )
    for name in factors:
        table.add_column(name.rsplit(".", 1)[-1], justify="right")
    for outcome in shown:
        table.add_column(outcome.replace("_", " "), justify="right")
    limit = 5 if sampled else 40
    for i in range(min(limit, len(points))):
        row = [
            str(points[f].iat[i])
            if not isinstance(points[f].iat[i], float)
            else f"{points[f].iat[i]:.4g}"
            for f in factors
        ]
        row += [_percent(points[f"p:{o}"].iat[i]) for o in shown]
        table.add_row(*row)
    _out.print(table)
    if len(points) > limit:
        _out.print(f"({len(points) - limit:,} more points in points.parquet)", markup=False)
    if result.precision is not None:
        p = result.precision
        _out.print(
            f"Precision: {p['points_reached']:,} of {p['points']:,} points have every outcome's "
            f"95% interval at most {p['ci_width']:g} wide ({p['runs']:,} runs in "
            f"{p['rounds']} rounds; at most {p['max_runs_per_point']:,} per point).",
            markup=False,
        )
    if result.chunks_resumed:
        _out.print(
            f"Resumed: {result.chunks_resumed} chunk(s) read back, {result.chunks_run} run now.",
            markup=False,
        )


@app.command(cls=_Command)
def compare(
    files: Annotated[
        list[Path], typer.Argument(help="Two or more scenario YAML files.", metavar="FILE")
    ],
    runs: Annotated[
        int | None,
        typer.Option(
            min=1, metavar="N", help="Runs of each scenario.", show_default="the first file's"
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=SEED_MAX,
            metavar="SEED",
            help="Random seed, shared by all.",
            show_default="the first file's",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            metavar="N",
            help="Worker processes, at most one per core. Results do not depend on it.",
            callback=_cap_workers,
            show_default="as sim run",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Comparison directory.",
            show_default="results/compare-<first>-<second>...",
        ),
    ] = None,
    ensemble: Annotated[
        bool,
        typer.Option(
            "--ensemble",
            help="Compare under each structural variant (as sim run --ensemble, the first "
            "file's choices) and say where a difference changes sign.",
        ),
    ] = False,
    plots: Annotated[bool, typer.Option(help="Draw the figure.")] = True,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Run scenarios on common random numbers; compare outcome probabilities, paired."""
    if len(files) < 2:
        _fail("compare needs at least two scenario files")
    scenarios = [_load(f) for f in files]
    # Hashed as read: the manifest describes the files that were run, even if they
    # change or go while the comparison runs.
    hashes = [_file_sha256(f) for f in files]
    _check_runs(runs)
    horizons = [s.simulation.horizon_days for s in scenarios]
    if len(set(horizons)) > 1:
        _note(
            f"the scenarios' horizons differ ({', '.join(f'{h:,}' for h in horizons)} days): "
            "each run's outcome is classified at its own scenario's horizon"
        )
    if ensemble:
        _compare_ensemble(files, hashes, scenarios, runs, seed, workers, out, progress)
        return
    from sim.experiments.comparison import _unique_names, compare_tables
    from sim.experiments.runner import default_workers
    from sim.experiments.runner import run as run_scenario
    from sim.results.store import staged_directory, write_manifest

    n_runs = scenarios[0].simulation.runs if runs is None else runs
    seed = scenarios[0].simulation.seed if seed is None else seed
    names = _unique_names([s.name for s in scenarios])
    directory = out if out is not None else Path("results") / ("compare-" + "-".join(names))[:120]
    clock = time.perf_counter()
    with (
        _writing(f"the comparison to {directory}", "nothing was written"),
        staged_directory(directory) as staging,
    ):
        outcomes, used = [], []
        for scenario in scenarios:
            n_workers = workers or default_workers(n_runs, scenario.simulation.horizon_days)
            used.append(n_workers)
            table = run_scenario(
                scenario, runs=n_runs, seed=seed, workers=n_workers, progress=progress
            )
            outcomes.append(table["outcome"])
        elapsed = time.perf_counter() - clock
        comparison = compare_tables(names, outcomes)
        comparison.to_parquet(staging / "comparison.parquet", index=False)
        comparison.to_csv(staging / "comparison.csv", index=False)
        _write_compared_scenarios(staging, names, scenarios, n_runs, seed)
        caption = _comparison_caption(n_runs, seed)
        manifest = _comparison_manifest(
            "comparison", names, files, hashes, scenarios, n_runs, seed, elapsed, used
        )
        if plots:
            from sim.present.sweep_plots import draw_comparison

            draw_comparison(comparison, caption, staging / "plots")
        write_manifest(staging, manifest)
    _print_comparison(comparison, names, n_runs, seed, elapsed)
    _out.print(f"Comparison written to {directory}/", markup=False)


def _as_run(scenario, n_runs: int, seed: int) -> dict:
    """The scenario as a comparison runs it (its runs and seed are the comparison's)."""
    data = scenario.model_dump(mode="json")
    data["simulation"] = {**data["simulation"], "runs": int(n_runs), "seed": int(seed)}
    return data


def _file_sha256(file: Path) -> str:
    from sim.results.store import _sha256

    try:
        return _sha256(file)
    except OSError as error:
        _fail(f"{file}: cannot read it ({error.strerror})")
        raise AssertionError from None  # unreachable: _fail exits


def _write_compared_scenarios(staging: Path, names, scenarios, n_runs: int, seed: int) -> None:
    """``scenarios/NAME.yaml``: each scenario as compared (the comparison's runs and seed)."""
    import yaml as _yaml

    (staging / "scenarios").mkdir(exist_ok=True)
    for name, scenario in zip(names, scenarios, strict=True):
        text = _yaml.safe_dump(_as_run(scenario, n_runs, seed), sort_keys=False, allow_unicode=True)
        header = (
            f"# {name} as compared: {n_runs:,} runs, seed {seed} (common random "
            "numbers: one runs and seed for every scenario)\n"
        )
        (staging / "scenarios" / f"{name}.yaml").write_text(header + text, encoding="utf-8")


def _comparison_manifest(
    kind: str,
    names: list[str],
    files: list[Path],
    hashes: list[str],
    scenarios: list,
    n_runs: int,
    seed: int,
    elapsed: float,
    workers: int | list[int],
) -> dict:
    """Provenance of a comparison, as complete as ``sim run``'s (``files``, the outputs
    with their hashes, is added by :func:`sim.results.store.write_manifest`).  ``hashes``: of
    the input files as they were read; ``workers``: the processes each scenario ran on."""
    from sim.results.store import RANDOM_NUMBERS, _canonical_sha256, _git_commit, _versions

    inputs = []
    for name, file, digest, scenario in zip(names, files, hashes, scenarios, strict=True):
        inputs.append(
            {
                "name": name,
                "file": str(file),
                "file_sha256": digest,
                "scenario_sha256": _canonical_sha256(_as_run(scenario, n_runs, seed)),
            }
        )
    return {
        "kind": kind,
        "scenarios": names,
        "inputs": inputs,
        "scenario_sha256_of": "the JSON of the scenario as run (scenarios/NAME.yaml) with "
        "sorted keys, no spaces, UTF-8",
        "runs": n_runs,
        "seed": seed,
        "random_numbers": RANDOM_NUMBERS,
        "versions": _versions(),
        "git": _git_commit(),
        "command": shlex.join(["sim", *sys.argv[1:]]),
        "workers": workers,
        "simulation_seconds": round(elapsed, 2),
    }


def _compare_ensemble(files, hashes, scenarios, runs, seed, workers, out, progress) -> None:
    """``sim compare --ensemble``: the comparison under each structural variant."""
    from sim.experiments.comparison import _unique_names
    from sim.experiments.ensemble import compare_ensemble
    from sim.experiments.runner import default_workers
    from sim.results.store import staged_directory, write_json, write_manifest

    n_runs = scenarios[0].simulation.runs if runs is None else runs
    seed = scenarios[0].simulation.seed if seed is None else seed
    names = _unique_names([s.name for s in scenarios])
    directory = (
        out
        if out is not None
        else Path("results") / (("compare-" + "-".join(names))[:110] + "-ensemble")
    )
    n_workers = workers or default_workers(n_runs, scenarios[0].simulation.horizon_days)
    clock = time.perf_counter()
    with (
        _writing(f"the comparison to {directory}", "nothing was written"),
        staged_directory(directory) as staging,
    ):
        table, findings = compare_ensemble(
            scenarios, runs=n_runs, seed=seed, workers=n_workers, progress=progress
        )
        elapsed = time.perf_counter() - clock
        table.to_csv(staging / "comparison_by_variant.csv", index=False)
        write_json(staging / "findings.json", {"findings": findings})
        _write_compared_scenarios(staging, names, scenarios, n_runs, seed)
        write_manifest(
            staging,
            _comparison_manifest(
                "comparison_ensemble",
                names,
                files,
                hashes,
                scenarios,
                n_runs,
                seed,
                elapsed,
                n_workers,
            ),
        )
    view = Table(
        title=f"{' vs '.join(names[1:])} minus {names[0]}, by structural variant "
        f"({n_runs:,} runs each, seed {seed}, {elapsed:.1f} s)",
        title_justify="left",
    )
    view.add_column("variant")
    view.add_column("scenario")
    shown = [
        o for o in OUTCOMES if table.loc[table["outcome"] == o, "difference"].abs().max() >= 0.01
    ]
    for outcome in shown:
        view.add_column(outcome, justify="right")
    for (variant, name), rows in table[table["scenario"] != names[0]].groupby(
        ["variant", "scenario"], sort=False
    ):
        rows = rows.set_index("outcome")
        view.add_row(
            variant,
            name,
            *(
                f"{rows.at[o, 'difference']:+.1%} ({rows.at[o, 'difference_low']:+.1%}, "
                f"{rows.at[o, 'difference_high']:+.1%})"
                for o in shown
            ),
        )
    _out.print(view)
    for finding in findings:
        _out.print(finding, markup=False)
    _out.print(f"Comparison written to {directory}/", markup=False)


def _print_comparison(table, names: list[str], n_runs: int, seed: int, elapsed: float) -> None:
    title = f"{n_runs:,} runs each, seed {seed} (common random numbers), {elapsed:.1f} s"
    view = Table(title=title, title_justify="left")
    view.add_column("outcome")
    for name in names:
        view.add_column(name, justify="right")
    for name in names[1:]:
        view.add_column(f"{name} − {names[0]} (95% CI)", justify="right")
        view.add_column("SE paired / indep.", justify="right")
    for outcome in OUTCOMES:
        rows = table[table["outcome"] == outcome].set_index("scenario")
        if rows["probability"].max() == 0:
            continue
        cells = [outcome.replace("_", " ")]
        cells += [_percent(rows.at[n, "probability"]) for n in names]
        for name in names[1:]:
            r = rows.loc[name]
            cells.append(
                f"{100 * r['difference']:+.1f} pp [{100 * r['difference_low']:+.1f}, "
                f"{100 * r['difference_high']:+.1f}]"
            )
            cells.append(f"{100 * r['se_paired']:.2f} / {100 * r['se_independent']:.2f} pp")
        view.add_row(*cells)
    _out.print(view)


@app.command(cls=_Command)
def discover(
    sweep_dir: Annotated[
        Path, typer.Argument(help="A sweep directory written by `sim sweep`.", metavar="SWEEP_DIR")
    ],
    outcome: Annotated[
        str,
        typer.Option(
            metavar="NAME",
            help="The outcome whose share defines the cases of interest, e.g. "
            "durable_ceasefire (or force_fate:attacked).",
        ),
    ],
    below: Annotated[
        float | None,
        typer.Option(
            metavar="X",
            help="Cases of interest: points whose share is below X.",
            show_default="the median of the shares, without --above",
        ),
    ] = None,
    above: Annotated[
        float | None,
        typer.Option(metavar="X", help="Cases of interest: points whose share is above X."),
    ] = None,
    threshold: Annotated[
        float,
        typer.Option(metavar="D", help="The density PRIM's box must reach, in (0, 1]."),
    ] = 0.8,
) -> None:
    """Scenario discovery: the ranges of the varied values where an outcome's share is
    low (or high), by PRIM and CART; written to SWEEP_DIR/discovery/."""
    import math

    from sim.experiments.discovery import (
        DiscoveryError,
        PrimUnavailableError,
        replace_discovery,
        write_discovery,
    )
    from sim.experiments.discovery import discover as find_boxes
    from sim.experiments.sweep_store import is_sweep_directory, load_sweep_result
    from sim.present.discovery_plots import draw_discovery
    from sim.present.sweep_plots import sweep_caption
    from sim.results.store import ResultDirectoryError

    if below is not None and above is not None:
        _fail("--below and --above: give one (the cases of interest are on one side)")
    for option, value in (("--below", below), ("--above", above)):
        if value is not None and not math.isfinite(value):
            _fail(f"{option} {value}: not a number")
    if not 0 < threshold <= 1:
        _fail(f"--threshold {threshold}: a density in (0, 1], e.g. 0.8")
    if not sweep_dir.exists():
        _fail(f"{sweep_dir}: does not exist")
    if not is_sweep_directory(sweep_dir):
        _fail(f"{sweep_dir}: not a sweep directory (one written by `sim sweep`)")
    try:
        saved = load_sweep_result(sweep_dir)
    except ResultDirectoryError as error:
        _fail(str(error))
    ranges = _sweep_ranges(saved.manifest)
    options = {"below": below, "above": above, "threshold": threshold, "ranges": ranges}
    try:
        try:
            result = find_boxes(saved.points, outcome, **options)
        except PrimUnavailableError as error:  # EMA Workbench is an optional extra
            _note(f"{error}; CART only")
            result = find_boxes(saved.points, outcome, methods=("cart",), **options)
    except DiscoveryError as error:
        _fail(str(error))
    target = sweep_dir / "discovery"
    with _writing(f"the discovery to {target}", "the previous discovery is unchanged"):
        with replace_discovery(saved) as staging:
            write_discovery(result, staging)
            if not result.prim_trajectory.empty:
                draw_discovery(result, staging, sweep_caption(saved.manifest))
    _print_discovery(result)
    _out.print(f"Discovery written to {target}/", markup=False)


def _sweep_ranges(manifest: dict) -> dict[str, tuple[float, float]]:
    """Each varied value's whole range, as the sweep gave it (a range, or its levels)."""
    ranges = {}
    for factor in manifest.get("sweep", {}).get("factors", []):
        values = [factor.get("low"), factor.get("high")]
        if factor.get("low") is None:
            values = factor.get("levels") or []
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if numbers:
            ranges[factor["path"]] = (min(numbers), max(numbers))
    return ranges


def _print_discovery(result) -> None:
    """The case of interest, PRIM's box and CART's leaves, each range in words."""
    s = result.settings
    _out.print(
        f"Cases of interest: {s['case_of_interest']}: {s['points_of_interest']:,} of "
        f"{s['points']:,} points ({s['base_rate']:.0%}).",
        markup=False,
    )
    if "prim" in s["methods"]:
        _print_boxes(result.prim_boxes, "PRIM box (Friedman & Fisher 1999)", quasi_p=True)
    if "cart" in s["methods"]:
        _print_boxes(result.cart_boxes, "CART leaves (Breiman et al. 1984)", quasi_p=False)
    for note in result.notes:
        _out.print(f"Note: {note}.", markup=False)


def _print_boxes(boxes, title: str, quasi_p: bool) -> None:
    if boxes.empty:
        _out.print(f"{title}: none found (see the notes).", markup=False)
        return
    table = Table(title=f"{title}: coverage, density, and the ranges", title_justify="left")
    for name in ("box", "coverage", "density", "points", "input", "range (of the whole range)"):
        table.add_column(name, justify="left" if name.startswith(("input", "range")) else "right")
    if quasi_p:
        table.add_column("quasi-p", justify="right")
    for number, rows in boxes.groupby("box", sort=True):
        for i, row in enumerate(rows.itertuples(index=False)):
            words, _, span = str(row.description).partition(": ")
            first = [str(number), f"{row.coverage:.2f}", f"{row.density:.2f}", f"{row.points:,}"]
            cells = (first if i == 0 else [""] * 4) + [words, span]
            if quasi_p:
                cells.append("" if row.input == "" else f"{row.qp:.2g}")
            table.add_row(*cells)
    _out.print(table)


@app.command(cls=_Command)
def plot(
    result_dir: Annotated[
        Path, typer.Argument(help="A result directory written by `sim run`.", metavar="DIR")
    ],
) -> None:
    """Redraw the figures of a result directory (run, sweep, comparison, ensemble)."""
    from sim.experiments.sweep_store import is_sweep_directory, load_sweep_result
    from sim.present.plots import draw_all
    from sim.results.store import load_result, replace_plots

    with _writing(f"figures to {result_dir / 'plots'}", "the previous figures are unchanged"):
        comparison = _comparison_directory(result_dir)
        ensemble = _ensemble_directory(result_dir)
        if ensemble is not None:
            from sim.present.sweep_plots import draw_ensemble

            shares, saved, caption = ensemble
            with replace_plots(saved) as staging:
                paths = draw_ensemble(shares, caption, staging)
        elif comparison is not None:
            from sim.present.sweep_plots import draw_comparison

            table, saved, caption = comparison
            with replace_plots(saved) as staging:
                paths = draw_comparison(table, caption, staging)
        elif is_sweep_directory(result_dir):
            from sim.present.sweep_plots import draw_sweep

            saved = load_sweep_result(result_dir)
            with replace_plots(saved) as staging:
                paths = draw_sweep(saved.points, saved.sensitivity, saved.manifest, staging)
        else:
            saved = load_result(result_dir)
            with replace_plots(saved) as staging:
                paths = draw_all(saved, staging)
    for path in paths:
        _out.print(str(result_dir / "plots" / path.name), markup=False)


_SHIPPED_SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@app.command(cls=_Command)
def report(
    result_dirs: Annotated[
        list[Path],
        typer.Argument(
            help="Result directories written by `sim run`, `sim compare`, `sim sweep` or "
            "`sim run --ensemble`; several `sim run` directories of one seed are compared.",
            metavar="DIR...",
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE",
            help="The HTML file to write.",
            show_default="DIR.html, next to the directory (required for several)",
        ),
    ] = None,
    reference: Annotated[
        Path | None,
        typer.Option(
            metavar="SCENARIO",
            help="A scenario file whose differences from a run's scenario the brief lists.",
            show_default="the shipped scenarios/baseline.yaml, when present",
        ),
    ] = None,
) -> None:
    """Write a one-file HTML brief of results: the answer, tables, figures, provenance."""
    from sim.present.briefs import BriefError, directory_kind
    from sim.present.report import MARK

    if output is None and len(result_dirs) > 1:
        _fail("several result directories: give the brief's file name with -o FILE")
    first = result_dirs[0].resolve()  # `sim report .` names the file after the folder
    target = output if output is not None else first.parent / f"{first.name}.html"
    if target.is_dir():
        _fail(f"-o {target}: is a directory; give a file name, e.g. brief.html")
    if target.exists():
        try:
            with open(target, encoding="utf-8", errors="replace") as handle:
                ours = MARK in handle.read(4096)
        except OSError as error:
            _fail(f"-o {target}: cannot read it ({error.strerror})")
        if not ours:
            _fail(f"-o {target}: exists and is not a sim report; choose another name")
    try:
        kinds = [directory_kind(directory) for directory in result_dirs]
        if len(result_dirs) > 1 and set(kinds) != {"run"}:
            _fail("several directories make one brief only when each is a `sim run` result")
        if reference is not None and (len(result_dirs) > 1 or kinds[0] != "run"):
            _note("--reference applies to the brief of one `sim run` result; ignored here")
        brief = _brief_of(result_dirs, kinds[0], reference)
    except BriefError as error:
        _fail(str(error))
    with _writing(f"the report {target}", "nothing was written"):
        from sim.present.report import render_brief

        html = render_brief(brief)
        partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
        try:
            partial.write_text(html, encoding="utf-8")
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    _out.print(f"Report written to {target}", markup=False)


def _brief_of(result_dirs: list[Path], kind: str, reference: Path | None):
    """The brief of the directories (all of ``kind``); BriefError for bad input."""
    from sim.present import briefs
    from sim.results.store import ResultDirectoryError, load_result

    if kind == "comparison":
        return briefs.comparison_brief(result_dirs[0])
    if kind == "sweep":
        return briefs.sweep_brief(result_dirs[0])
    if kind == "ensemble":
        return briefs.ensemble_brief(result_dirs[0])
    try:
        saved = [load_result(directory) for directory in result_dirs]
    except ResultDirectoryError as error:
        raise briefs.BriefError(str(error)) from None
    if len(saved) > 1:
        return briefs.runs_brief(saved)
    from sim.present.briefs import run_brief

    reference_file = reference
    if reference_file is None:
        shipped = _SHIPPED_SCENARIOS / "baseline.yaml"
        reference_file = shipped if shipped.is_file() else None
    if reference_file is None:
        return run_brief(saved[0])
    scenario = _load(reference_file)
    name = f"'{scenario.name}' ({reference_file.name})"
    return run_brief(saved[0], scenario.model_dump(mode="json"), name)


def _shown_path(file: Path) -> str:
    """``file`` as a command line run here would name it: relative when below here."""
    try:
        return str(file.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(file)


@app.command(cls=_Command)
def dashboard(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Scenario files to offer.",
            metavar="[SCENARIO]...",
            show_default="the shipped scenarios",
        ),
    ] = None,
    host: Annotated[
        str,
        typer.Option(help="Address to listen on; another than 127.0.0.1 lets other machines in."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    seed: Annotated[
        int | None,
        typer.Option(min=0, max=2**63 - 1, help="Seed shown first.", show_default="the scenario's"),
    ] = None,
    runs: Annotated[
        int,
        typer.Option(
            min=1,
            max=100_000,
            help="Runs per setting: the first 2,000 are shown at once, the rest follow.",
        ),
    ] = 10_000,
) -> None:
    """Serve a local web page: move a scenario's levers and see its outcomes redrawn."""
    import socket

    from sim.present.dashboard import build_app, serve

    library = sorted(_SHIPPED_SCENARIOS.glob("*.yaml")) if _SHIPPED_SCENARIOS.is_dir() else []
    chosen = files or library
    if not chosen:
        _fail("no scenario to show: give scenario files (sim dashboard FILE...)")
    scenarios, sources = {}, {}
    for file in chosen:
        scenario = _load(file)
        label = file.name if file.name not in scenarios else str(file)
        scenarios[label] = scenario
        sources[label] = _shown_path(file)
    if files is None and "combined.yaml" in scenarios:
        # The headline scenario first: it is what the page opens on.
        scenarios = {"combined.yaml": scenarios.pop("combined.yaml"), **scenarios}
    try:
        family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind) as probe:
            probe.bind(address)
    except (OSError, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        _fail(f"--host {host} --port {port}: cannot listen there ({reason})")
    if host not in ("127.0.0.1", "localhost", "::1"):
        _note(f"listening on {host}: anyone who can reach this machine can use the page")
    app_object = build_app(scenarios, library, seed=seed, runs=runs, sources=sources)
    shown = f"[{host}]" if ":" in host else host  # an IPv6 address in a URL
    _err.print(
        f"sim dashboard: http://{shown}:{port}  (Ctrl+C to stop)", markup=False, highlight=False
    )
    with _stop_on_signals():
        try:
            serve(app_object, host, port)
        except _Stopped:
            pass


def _comparison_directory(directory: Path):
    """A `sim compare` directory read back for `sim plot`: (table, saved, caption), or
    ``None`` if it is not one (an ensemble comparison has no figure to redraw)."""
    from types import SimpleNamespace

    import pandas as pd

    from sim.results.store import MANIFEST, ResultDirectoryError

    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("kind") != "comparison":
        return None
    try:
        table = pd.read_parquet(directory / "comparison.parquet")
    except (OSError, ValueError) as error:
        raise ResultDirectoryError(
            f"{directory}: not a readable comparison directory ({type(error).__name__})"
        ) from None
    caption = _comparison_caption(manifest.get("runs", 0), manifest.get("seed"))
    return table, SimpleNamespace(path=directory, manifest=manifest), caption


def _ensemble_caption(name: str, n_runs: int, seed: int | None) -> str:
    """The footer of an ensemble's figure (the same when redrawn)."""
    return (
        f"{name} · structural ensemble, {n_runs:,} parameter draws x 2 per variant, "
        f"seed {seed}, common random numbers · conditional exploration, not a forecast"
    )


def _ensemble_directory(directory: Path):
    """A `sim run --ensemble` directory read back for `sim plot`: (shares, saved,
    caption), or ``None`` if it is not one."""
    from types import SimpleNamespace

    import pandas as pd

    from sim.results.store import MANIFEST, ResultDirectoryError

    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("kind") != "ensemble":
        return None
    try:
        data = json.loads((directory / "ensemble.json").read_text(encoding="utf-8"))
        shares = pd.DataFrame(data["shares"])
        caption = _ensemble_caption(data["scenario"], data["runs_per_variant"], data["seed"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ResultDirectoryError(
            f"{directory}: not a readable ensemble directory ({type(error).__name__})"
        ) from None
    return shares, SimpleNamespace(path=directory, manifest=manifest), caption


def _comparison_caption(n_runs: int, seed: int | None) -> str:
    """The footer of a comparison's figure (the same when redrawn)."""
    return (
        f"Comparison · {n_runs:,} runs each, seed {seed}, common random numbers · "
        "conditional exploration, not a forecast"
    )


#: multiprocessing's resource tracker cleans up a pool's queues after its parent was
#: killed (SIGKILL) -- what it is for -- and warns about "leaked semaphores" on the
#: user's terminal; it reads its warning filters from the environment it starts with.
_QUIET_TRACKER = "ignore::UserWarning:multiprocessing.resource_tracker"


def main() -> None:
    """Entry point of the ``sim`` command: option errors are one line too."""
    filters = os.environ.get("PYTHONWARNINGS", "")
    if _QUIET_TRACKER not in filters:
        os.environ["PYTHONWARNINGS"] = f"{filters},{_QUIET_TRACKER}" if filters else _QUIET_TRACKER
    command = typer.main.get_command(app)
    try:
        code = command.main(args=sys.argv[1:], prog_name="sim", standalone_mode=False)
    except click_errors.NoArgsIsHelpError as error:
        # `sim` alone, or a group without a command: show the help, as click does.
        _out.print(error.ctx.get_help(), markup=False)
        sys.exit(EXIT_USAGE)
    except click_errors.UsageError as error:
        where = f"{error.ctx.command_path}: " if error.ctx is not None else ""
        message = " ".join(error.format_message().split())
        hint = f" (see '{error.ctx.command_path} --help')" if error.ctx is not None else ""
        _err.print(f"error: {where}{message}{hint}", markup=False)
        sys.exit(EXIT_USAGE)
    except click_errors.ClickException as error:
        _err.print(f"error: {' '.join(error.format_message().split())}", markup=False)
        sys.exit(error.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        _err.print("interrupted", markup=False)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
