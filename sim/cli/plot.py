"""``sim plot``: redraw the figures of a result directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import typer.core

from sim.cli.console import stdout, writing
from sim.cli.options import Quiet, Verbose


def plot(
    result_dir: Annotated[
        Path, typer.Argument(help="A result directory written by `sim run`.", metavar="DIR")
    ],
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Redraw the figures of a result directory (run, sweep, comparison, ensemble)."""
    from sim.present.redraw import redraw_figures

    with writing(f"figures to {result_dir / 'plots'}", "the previous figures are unchanged"):
        paths = redraw_figures(result_dir)
    for path in paths:
        stdout.print(str(result_dir / "plots" / path.name), markup=False)
