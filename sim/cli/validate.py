"""``sim validate`` and ``sim schema``: check scenario files; print their JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
import typer.core

from sim.cli.console import EXIT_USAGE, printable, stderr, stdout
from sim.cli.options import Quiet, Verbose
from sim.scenario.loader import ScenarioError, load_scenario


def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario YAML files.", metavar="FILE")],
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Check scenario files; print one line per file, exit 2 if any is invalid."""
    failed = False
    for file in files:
        try:
            scenario = load_scenario(file)
        except ScenarioError as error:
            stderr.print(f"error: {error}", markup=False, soft_wrap=True)
            failed = True
        else:
            stdout.print(f"ok: {printable(file)} (scenario '{scenario.name}')", markup=False)
    if failed:
        raise typer.Exit(EXIT_USAGE)


def schema(quiet: Quiet = False, verbose: Verbose = 0) -> None:
    """Print the JSON Schema of scenario files (for editors and validators)."""
    from sim.scenario.schema import scenario_json_schema

    stdout.print_json(json.dumps(scenario_json_schema()))
