"""``sim discover``: the ranges of a sweep's varied values where an outcome is rare (or
common), by PRIM and CART."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import typer.core

from sim.cli.console import fail, note, stdout, writing
from sim.cli.options import Quiet, Verbose
from sim.present.sweep_text import print_discovery


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
    quiet: Quiet = False,
    verbose: Verbose = 0,
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
        fail("--below and --above: give one (the cases of interest are on one side)")
    for option, value in (("--below", below), ("--above", above)):
        if value is not None and not math.isfinite(value):
            fail(f"{option} {value}: not a number")
    if not 0 < threshold <= 1:
        fail(f"--threshold {threshold}: a density in (0, 1], e.g. 0.8")
    if not sweep_dir.exists():
        fail(f"{sweep_dir}: does not exist")
    if not is_sweep_directory(sweep_dir):
        fail(f"{sweep_dir}: not a sweep directory (one written by `sim sweep`)")
    try:
        saved = load_sweep_result(sweep_dir)
    except ResultDirectoryError as error:
        fail(str(error))
    ranges = _sweep_ranges(saved.manifest)
    options = {"below": below, "above": above, "threshold": threshold, "ranges": ranges}
    try:
        try:
            result = find_boxes(saved.points, outcome, **options)
        except PrimUnavailableError as error:  # EMA Workbench is an optional extra
            note(f"{error}; CART only")
            result = find_boxes(saved.points, outcome, methods=("cart",), **options)
    except DiscoveryError as error:
        fail(str(error))
    target = sweep_dir / "discovery"
    with writing(f"the discovery to {target}", "the previous discovery is unchanged"):
        with replace_discovery(saved) as staging:
            write_discovery(result, staging)
            if not result.prim_trajectory.empty:
                draw_discovery(result, staging, sweep_caption(saved.manifest))
    print_discovery(stdout, result)
    stdout.print(f"Discovery written to {target}/", markup=False)


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
