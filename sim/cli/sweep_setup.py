"""What ``sim sweep`` settles before it simulates: the sweep (a sweep file, or a scenario
file and ``--vary``), the Dask scheduler, and a dry run's size and time."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sim.cli.console import fail, load, parse_set, stdout
from sim.scenario.loader import ScenarioError


def is_sweep_file(path: Path) -> bool:
    """A sweep file names its base scenario (``base:``); a scenario file does not."""
    from sim.scenario.loader import load_scenario_data

    try:
        data, _ = load_scenario_data(path)
    except ScenarioError:
        return False  # loading it as a scenario reports the problem
    return isinstance(data, dict) and "base" in data and "vary" in data


def sweep_from_options(
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

    base = load(file)
    if design not in DESIGNS:
        close = difflib.get_close_matches(design, list(DESIGNS), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        fail(f"--design {design!r}: not one of: {', '.join(DESIGNS)}{hint}")
    factors: dict = {}
    for text in vary:
        try:
            path, spec = parse_vary(text)
        except ValueError as error:
            fail(str(error))
        if path in factors:
            fail(f"--vary {path}: given twice")
        factors[path] = spec
    fixed = dict(parse_set(text) for text in assign)
    try:
        spec = SweepSpec(base=str(file), design=design, samples=samples, vary=factors, set=fixed)
        return resolve_sweep(spec, base, runs=runs, seed=seed)
    except ValueError as error:  # pydantic's ValidationError is one
        head, _, rest = str(error).partition(": ")
        option = "--set" if head == "set" else ("--vary " + head if head in factors else "")
        if option == "--set":
            fail(f"--set {rest}")
        if hasattr(error, "errors"):  # a ValidationError: several lines; keep the first
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            fail(f"{where}: {first['msg']}")
        fail(f"{option}: {rest}" if option else str(error))


def quiet_dask() -> None:
    """Dask logs a lost connection as tracebacks; the command says it in one line.  Its
    loggers are configured when it is imported, so they are silenced after that."""
    import logging

    import distributed  # noqa: F401

    for name in list(logging.root.manager.loggerDict):
        if name == "distributed" or name.startswith("distributed."):
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)


#: Seconds to wait for a Dask scheduler to answer, unless SIM_SCHEDULER_TIMEOUT says.
SCHEDULER_TIMEOUT = 7.0


def scheduler_timeout() -> float:
    """``SIM_SCHEDULER_TIMEOUT`` seconds (a positive number), else :data:`SCHEDULER_TIMEOUT`."""
    text = os.environ.get("SIM_SCHEDULER_TIMEOUT", "")
    try:
        seconds = float(text)
    except ValueError:
        return SCHEDULER_TIMEOUT
    return seconds if 0 < seconds < 3600 else SCHEDULER_TIMEOUT


def check_scheduler(scheduler: str) -> str:
    """The Dask scheduler's address (a scheduler file is read); one line if unreachable."""
    from sim.experiments.sweeps import scheduler_address

    try:
        # 7 s to connect (SIM_SCHEDULER_TIMEOUT), 1 s of grace: one line within about
        # 10 s, whatever answers.
        return scheduler_address(scheduler, timeout=scheduler_timeout())
    except ValueError as error:
        fail(f"--scheduler {scheduler[:200]}: {error}")
    except (OSError, TimeoutError) as error:
        fail(f"--scheduler {scheduler[:200]}: cannot reach a Dask scheduler ({error})")
    raise AssertionError  # unreachable: fail exits


def print_dry_run(plan, width: int, workers: int, scheduler: str | None) -> None:
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
    stdout.print(
        f"{plan.name}: {plan.design} design, {len(plan.factors)} varied value(s), "
        f"{plan.n_points:,} points x {plan.runs:,} runs = {total:,} runs of {horizon} days "
        f"in {n_chunks:,} chunk(s) of at most {width:,} runs; {len(groups)} model group(s).",
        markup=False,
    )
    stdout.print(
        f"Estimated time on {where}: about {estimate:,.0f} s (from {probe.size} runs "
        f"timed: {seconds:.2f} s; an upper estimate).",
        markup=False,
    )
