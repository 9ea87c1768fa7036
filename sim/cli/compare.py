"""``sim compare``: scenarios on common random numbers, their outcome shares paired."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
import typer.core

from sim.cli.console import (
    check_runs,
    command_line,
    fail,
    file_sha256,
    load,
    note,
    stdout,
    writing,
)
from sim.cli.ensemble import compare_ensemble_to
from sim.cli.options import (
    CompareCsv,
    CompareEnsemble,
    CompareOut,
    CompareWorkers,
    Progress,
    Quiet,
    RunsEach,
    SharedSeed,
    Verbose,
)
from sim.present.redraw import comparison_caption
from sim.present.run_text import print_comparison
from sim.results.comparisons import comparison_manifest, write_compared_scenarios


def compare(
    files: Annotated[
        list[Path], typer.Argument(help="Two or more scenario YAML files.", metavar="FILE")
    ],
    runs: RunsEach = None,
    seed: SharedSeed = None,
    workers: CompareWorkers = None,
    out: CompareOut = None,
    ensemble: CompareEnsemble = False,
    csv: CompareCsv = False,
    plots: Annotated[bool, typer.Option(help="Draw the figure.")] = True,
    progress: Progress = True,
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Run scenarios on common random numbers; compare outcome probabilities, paired."""
    if len(files) < 2:
        fail("compare needs at least two scenario files")
    scenarios = [load(f) for f in files]
    # Hashed as read: the manifest describes the files that were run, even if they
    # change or go while the comparison runs.
    hashes = [file_sha256(f) for f in files]
    check_runs(runs)
    horizons = [s.simulation.horizon_days for s in scenarios]
    if len(set(horizons)) > 1:
        note(
            f"the scenarios' horizons differ ({', '.join(f'{h:,}' for h in horizons)} days): "
            "each run's outcome is classified at its own scenario's horizon"
        )
    if ensemble:
        compare_ensemble_to(files, hashes, scenarios, runs, seed, workers, out, progress)
        return
    from sim.experiments.comparison import _unique_names, compare_tables
    from sim.experiments.runner import default_workers
    from sim.experiments.runner import run as run_scenario
    from sim.results.store import staged_directory, write_manifest, write_table

    n_runs = scenarios[0].simulation.runs if runs is None else runs
    seed = scenarios[0].simulation.seed if seed is None else seed
    names = _unique_names([s.name for s in scenarios])
    directory = out if out is not None else Path("results") / ("compare-" + "-".join(names))[:120]
    clock = time.perf_counter()
    with (
        writing(f"the comparison to {directory}", "nothing was written"),
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
        # comparison.csv is always written: --csv (a CSV copy of every table) adds nothing.
        write_table(comparison, staging / "comparison.parquet", csv=True)
        write_compared_scenarios(staging, names, scenarios, n_runs, seed)
        caption = comparison_caption(n_runs, seed)
        manifest = comparison_manifest(
            "comparison",
            names,
            files,
            hashes,
            scenarios,
            n_runs,
            seed,
            elapsed,
            used,
            command=command_line(),
        )
        if plots:
            from sim.present.sweep_plots import draw_comparison

            draw_comparison(comparison, caption, staging / "plots")
        write_manifest(staging, manifest)
    print_comparison(stdout, comparison, names, n_runs, seed, elapsed)
    stdout.print(f"Comparison written to {directory}/", markup=False)
