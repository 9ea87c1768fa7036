"""``sim report``: a one-file HTML brief of any directory ``sim`` writes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
import typer.core

from sim.cli.console import SHIPPED_SCENARIOS, fail, load, note, stdout, writing
from sim.cli.options import Quiet, Verbose


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
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Write a one-file HTML brief of results: the answer, tables, figures, provenance."""
    from sim.present.briefs import BriefError, directory_kind
    from sim.present.report import MARK

    if output is None and len(result_dirs) > 1:
        fail("several result directories: give the brief's file name with -o FILE")
    first = result_dirs[0].resolve()  # `sim report .` names the file after the folder
    target = output if output is not None else first.parent / f"{first.name}.html"
    if target.is_dir():
        fail(f"-o {target}: is a directory; give a file name, e.g. brief.html")
    if target.exists():
        try:
            with open(target, encoding="utf-8", errors="replace") as handle:
                ours = MARK in handle.read(4096)
        except OSError as error:
            fail(f"-o {target}: cannot read it ({error.strerror})")
        if not ours:
            fail(f"-o {target}: exists and is not a sim report; choose another name")
    try:
        kinds = [directory_kind(directory) for directory in result_dirs]
        if len(result_dirs) > 1 and set(kinds) != {"run"}:
            fail("several directories make one brief only when each is a `sim run` result")
        if reference is not None and (len(result_dirs) > 1 or kinds[0] != "run"):
            note("--reference applies to the brief of one `sim run` result; ignored here")
        brief = _brief_of(result_dirs, kinds[0], reference)
    except BriefError as error:
        fail(str(error))
    with writing(f"the report {target}", "nothing was written"):
        from sim.present.report import render_brief

        html = render_brief(brief)
        partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
        try:
            partial.write_text(html, encoding="utf-8")
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    stdout.print(f"Report written to {target}", markup=False)


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
        shipped = SHIPPED_SCENARIOS / "baseline.yaml"
        reference_file = shipped if shipped.is_file() else None
    if reference_file is None:
        return run_brief(saved[0])
    scenario = load(reference_file)
    name = f"'{scenario.name}' ({reference_file.name})"
    return run_brief(saved[0], scenario.model_dump(mode="json"), name)
