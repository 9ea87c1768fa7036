"""``sim sweep``: a base scenario at many points (a grid or a sampled design), batched."""

from __future__ import annotations

import dataclasses
import os
import time
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
    note,
    stdout,
    writing,
)
from sim.cli.options import (
    Plots,
    Progress,
    Quiet,
    RunsPerPoint,
    SetAtEveryPoint,
    SweepCiWidth,
    SweepCsv,
    SweepMaxRuns,
    SweepOut,
    SweepSeed,
    SweepWorkers,
    Verbose,
)
from sim.cli.sweep_setup import (
    check_scheduler,
    is_sweep_file,
    print_dry_run,
    quiet_dask,
    sweep_from_options,
)
from sim.present.sweep_text import print_sweep
from sim.scenario.loader import ScenarioError


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
    assign: SetAtEveryPoint = None,
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
    runs: RunsPerPoint = None,
    seed: SweepSeed = None,
    workers: SweepWorkers = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            metavar="ADDRESS",
            help="Run on a Dask cluster: its scheduler's address "
            "(tcp://HOST:8786) or scheduler file. Results do not depend on it.",
        ),
    ] = None,
    out: SweepOut = None,
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
    ci_width: SweepCiWidth = None,
    max_runs: SweepMaxRuns = None,
    csv: SweepCsv = False,
    plots: Plots = True,
    progress: Progress = True,
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Simulate a base scenario at many points (a grid or a sampled design), batched."""
    check_runs(runs)
    if ci_width is not None and not 0 < ci_width < 1:
        fail(f"--ci-width {ci_width}: a width between 0 and 1, e.g. 0.05")
    if resume and restart:
        fail("--resume and --restart: choose one")
    if scheduler is not None and workers is not None:
        note(f"--workers {workers} is not used with --scheduler (the cluster's workers run)")
    if dry_run and (resume or restart or per_run):
        used = [n for n, on in (("--resume", resume), ("--restart", restart),
                                ("--per-run", per_run)) if on]  # fmt: skip
        note(f"--dry-run writes nothing: {', '.join(used)} not used")
    if is_sweep_file(file):
        if vary or assign or design != "grid" or samples is not None:
            fail(
                f"{file} is a sweep file: put --vary, --set, --design and --samples in it "
                "(vary:, set:, design:, samples:)"
            )
        from sim.experiments.sweeps import load_sweep

        try:
            plan = load_sweep(file, runs=runs, seed=seed)
        except ScenarioError as error:
            fail(str(error))
    else:
        if not vary:
            load(file)  # a broken scenario file is reported as such
            fail(f"{file} is a scenario file: say what to vary with --vary PATH=SPEC")
        plan = sweep_from_options(file, vary, assign or [], design, samples, runs, seed)
    # The options win over the sweep file's ci_width: and max_runs:.
    ci_width = plan.ci_width if ci_width is None else ci_width
    max_runs = plan.max_runs if max_runs is None else max_runs
    if max_runs is not None and ci_width is None:
        fail("--max-runs: only with --ci-width (it caps the runs added per point)")
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
            fail(
                f"{directory}: the stored sweep's plan.json is damaged (chunk_runs "
                f"{str(stored_width)[:40]!r}); --restart discards the store"
            )
        width = stored_width
    if dry_run:
        print_dry_run(plan, width, workers, scheduler)
        return
    if scheduler is not None:
        quiet_dask()
        scheduler = check_scheduler(scheduler)
    started = datetime.now(UTC)
    clock = time.perf_counter()
    with writing(f"the sweep to {directory}", "finished chunks are kept; rerun with --resume"):
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
                notify=note,
            )
            elapsed = time.perf_counter() - clock
            run_info = {
                "command": command_line(),
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
                manifest = write_sweep_result(
                    result, staging, run_info=run_info, per_run=per_run, csv=csv
                )
                if plots:
                    from sim.present.sweep_plots import draw_sweep
                    from sim.results.store import write_manifest

                    draw_sweep(result.points, result.sensitivity, manifest, staging / "plots")
                    write_manifest(staging, manifest)
            store.remove()
    print_sweep(stdout, result, elapsed)
    stdout.print(f"Sweep written to {directory}/", markup=False)
