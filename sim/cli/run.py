"""``sim run``: run scenarios many times; write tables, summary, manifest and figures."""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
import typer.core

from sim.cli.console import (
    check_runs,
    command_line,
    fail,
    load,
    parse_set,
    stdout,
    writing,
)
from sim.cli.ensemble import run_ensemble_to
from sim.cli.options import (
    Assign,
    Plots,
    Progress,
    Quiet,
    RunCiWidth,
    RunCsv,
    RunEnsemble,
    RunMaxRuns,
    RunOptions,
    RunOut,
    Runs,
    RunWorkers,
    ScenarioSeed,
    Verbose,
)
from sim.present.run_text import dimensions_table, metrics_table, summary_table, survival_table


def run(
    files: Annotated[list[Path], typer.Argument(help="Scenario YAML file(s).", metavar="FILE")],
    assign: Assign = None,
    runs: Runs = None,
    seed: ScenarioSeed = None,
    workers: RunWorkers = None,
    out: RunOut = None,
    csv: RunCsv = False,
    trajectories: Annotated[
        bool, typer.Option("--trajectories", help="Also write every run's daily values.")
    ] = False,
    ci_width: RunCiWidth = None,
    max_runs: RunMaxRuns = None,
    ensemble: RunEnsemble = False,
    plots: Plots = True,
    progress: Progress = True,
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Run a scenario many times and write tables, summary, manifest and plots."""
    check_runs(runs)
    if ensemble and (ci_width is not None or trajectories):
        fail("--ensemble: not with --ci-width or --trajectories")
    values = dict(parse_set(text) for text in assign or [])
    scenarios = []
    for file in files:
        scenario = load(file)
        if values:
            from sim.scenario.overrides import ScenarioOverrideError, with_overrides

            try:
                scenario = with_overrides(scenario, values)
            except ScenarioOverrideError as error:
                fail(f"--set {error}")
        scenarios.append(scenario)
    if ci_width is not None and not 0 < ci_width < 1:
        fail(f"--ci-width {ci_width}: a width between 0 and 1, e.g. 0.02")
    if max_runs is not None and ci_width is None:
        fail("--max-runs: only with --ci-width (it caps the runs added)")
    options = RunOptions(
        runs, seed, workers, csv, trajectories, plots, progress, ci_width, max_runs
    )
    names = [s.name for s in scenarios]
    if len(set(names)) < len(names):
        twice = next(n for n in names if names.count(n) > 1)
        fail(f"two scenarios are named {twice!r}: their results would share a directory")
    for file, scenario in zip(files, scenarios, strict=True):
        name = f"{scenario.name}-ensemble" if ensemble else scenario.name
        if len(files) == 1:
            directory = out if out is not None else Path("results") / name
        else:
            directory = (out if out is not None else Path("results")) / name
        if ensemble:
            run_ensemble_to(file, scenario, directory, options)
        else:
            run_one(file, scenario, directory, options)


def run_one(file: Path, scenario, directory: Path, o: RunOptions) -> None:
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
        writing(f"results to {directory}", "nothing was written"),
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
            "command": command_line(),
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
    stdout.print(
        summary_table(
            summary, f"{scenario.name}: {result.n_runs:,} runs, seed {result.seed}, {elapsed:.1f} s"
        )
    )
    stdout.print(dimensions_table(summary))
    survival = survival_table(summary)
    if survival is not None:
        stdout.print(survival)
    stdout.print(metrics_table(summary))
    if precision is not None:
        state = "reached" if precision.reached else "NOT reached (--max-runs)"
        stdout.print(
            f"Precision {state}: every outcome's 95% interval at most {precision.ci_width:g} "
            f"wide needed {precision.runs:,} runs ({precision.batches} batches); widest: "
            f"{precision.widest_outcome} ({precision.widest:.4f}).",
            markup=False,
        )
    stdout.print(f"Results written to {directory}/", markup=False)
