"""``sim trace`` and ``sim equilibria``: one run day by day, and a scenario's games solved."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
import typer.core

from sim.cli.console import check_runs, fail, load, stdout
from sim.cli.options import (
    AsJson,
    Quiet,
    RunOfParameters,
    RunsInBatch,
    RunToTrace,
    ScenarioSeed,
    Verbose,
)
from sim.present.equilibria_text import (
    print_coalition,
    print_decisions,
    print_game,
    print_information,
)
from sim.present.trace_text import print_trace


def trace(
    file: Annotated[Path, typer.Argument(help="Scenario YAML file.", metavar="FILE")],
    run_index: RunToTrace,
    runs: RunsInBatch = None,
    seed: ScenarioSeed = None,
    as_json: AsJson = False,
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Tell the day-by-day story of one run: decisions, incidents, equilibria played.

    It is the same run as row RUN of `sim run` with the same scenario, runs and seed.
    """
    import pandas as pd

    from sim.experiments.runner import trace as trace_run

    scenario = load(file)
    check_runs(runs)
    n_runs = scenario.simulation.runs if runs is None else runs
    if run_index >= n_runs:
        fail(f"--run {run_index}: the batch has {n_runs} runs (0 to {n_runs - 1})")
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
    print_trace(stdout, result)


def equilibria(
    file: Annotated[Path, typer.Argument(help="Scenario YAML file.", metavar="FILE")],
    run_index: RunOfParameters = None,
    runs: RunsInBatch = None,
    seed: ScenarioSeed = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (docs/games.md).")] = False,
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Print every payoff table of a scenario, all its Nash equilibria, and which is played."""
    scenario = load(file)
    from sim.experiments.equilibria import central_parameters, run_parameters, scenario_report

    if run_index is None:
        params, where = central_parameters(scenario), "the central values of the distributions"
    else:
        check_runs(runs)
        n_runs = scenario.simulation.runs if runs is None else runs
        if run_index >= n_runs:
            fail(f"--run {run_index}: the batch has {n_runs} runs (0 to {n_runs - 1})")
        batch_seed = scenario.simulation.seed if seed is None else seed
        params = run_parameters(scenario, run_index, batch_seed)
        where = f"the parameters drawn for run {run_index} of {n_runs} (seed {batch_seed})"
    report = scenario_report(scenario, params, where)
    if as_json:
        sys.stdout.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        return
    state = report["state"]
    stdout.print(f"Scenario '{scenario.name}': games with {where}.", markup=False)
    stdout.print(
        f"State: {state['troops_committed']:,.0f} troops committed, "
        f"{state['troops_deployed']:,.0f} deployed; ceasefire on its first day"
        f"{' (within the agreed term)' if state['within_agreed_term'] else ''}; sanctions threat "
        f"{'pending' if state['sanctions_threat_pending'] else 'not issued'}. "
        f"Tripwire response probability {state['tripwire_response_probability']:.3g}, "
        f"detection probability {state['detection_probability']:.3g}, expected sanctions "
        f"cost to Russia {state['expected_sanctions_cost_to_russia']:.3g}.",
        markup=False,
    )
    stdout.print(f"Selection rule: {report['selection_rule']}", markup=False)
    print_decisions(stdout, report["decisions"])
    for game in report["games"]:
        print_game(stdout, game)
    print_information(stdout, report["incomplete_information"])
    print_coalition(stdout, report["coalition"])
