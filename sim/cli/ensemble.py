"""``sim run --ensemble`` and ``sim compare --ensemble``: under each structural variant."""

from __future__ import annotations

import time
from pathlib import Path

from sim.cli.console import command_line, fail, is_quiet, stderr, stdout, writing
from sim.cli.options import RunOptions
from sim.present.redraw import ensemble_caption
from sim.present.run_text import print_ensemble, print_ensemble_comparison
from sim.results.comparisons import comparison_manifest, write_compared_scenarios


def run_ensemble_to(file: Path, scenario, directory: Path, o: RunOptions) -> None:
    """``sim run --ensemble`` of one scenario into ``directory``."""
    from sim.experiments.ensemble import run_ensemble, variants
    from sim.experiments.runner import default_workers
    from sim.results.store import (
        _git_commit,
        _versions,
        staged_directory,
        write_json,
        write_manifest,
        write_table,
    )

    try:
        members = variants(scenario)
    except ValueError as error:  # pragma: no cover - the loader validates the key
        fail(f"{file}: ensemble: {error}")
    n_runs = scenario.simulation.runs if o.runs is None else o.runs
    if n_runs < 2:
        fail("--ensemble: at least 2 runs per variant")
    seed = scenario.simulation.seed if o.seed is None else o.seed
    workers = o.workers or default_workers(n_runs, scenario.simulation.horizon_days)
    if not is_quiet():  # what is about to run (-q: errors only)
        stderr.print(
            f"{scenario.name}: {len(members)} structural variants x 2 replicates x {n_runs:,} runs",
            markup=False,
        )
    clock = time.perf_counter()
    with (
        writing(f"the ensemble to {directory}", "nothing was written"),
        staged_directory(directory) as staging,
    ):
        result = run_ensemble(
            scenario,
            runs=n_runs,
            seed=seed,
            workers=workers,
            progress=o.progress,
            on_variant=(lambda v: stderr.print(f"  variant {v.name}", markup=False))
            if o.progress
            else None,
        )
        elapsed = time.perf_counter() - clock
        # Parquet like every table; the CSV copies are always written (--csv or not).
        write_table(result.shares, staging / "variants.parquet", csv=True)
        write_table(result.spread, staging / "spread.parquet", csv=True)
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

            caption = ensemble_caption(scenario.name, n_runs, seed)
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
                "command": command_line(),
                "simulation_seconds": round(elapsed, 2),
            },
        )
    print_ensemble(stdout, result, elapsed)
    stdout.print(f"Ensemble written to {directory}/", markup=False)


def compare_ensemble_to(files, hashes, scenarios, runs, seed, workers, out, progress) -> None:
    """``sim compare --ensemble``: the comparison under each structural variant."""
    from sim.experiments.comparison import _unique_names
    from sim.experiments.ensemble import compare_ensemble
    from sim.experiments.runner import default_workers
    from sim.results.store import staged_directory, write_json, write_manifest, write_table

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
        writing(f"the comparison to {directory}", "nothing was written"),
        staged_directory(directory) as staging,
    ):
        table, findings = compare_ensemble(
            scenarios, runs=n_runs, seed=seed, workers=n_workers, progress=progress
        )
        elapsed = time.perf_counter() - clock
        # Parquet like every table; the CSV copy is always written (--csv or not).
        write_table(table, staging / "comparison_by_variant.parquet", csv=True)
        write_json(staging / "findings.json", {"findings": findings})
        write_compared_scenarios(staging, names, scenarios, n_runs, seed)
        write_manifest(
            staging,
            comparison_manifest(
                "comparison_ensemble",
                names,
                files,
                hashes,
                scenarios,
                n_runs,
                seed,
                elapsed,
                n_workers,
                command=command_line(),
            ),
        )
    print_ensemble_comparison(stdout, table, findings, names, n_runs, seed, elapsed)
    stdout.print(f"Comparison written to {directory}/", markup=False)
