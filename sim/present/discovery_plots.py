"""Figures of a scenario discovery (:mod:`sim.experiments.discovery`).

As in :mod:`sim.present.plots`, :func:`plot_peeling_trajectory` draws on the ``Axes``
it is given and returns it; :func:`draw_discovery` writes the figure as PNG
and SVG with :func:`sim.present.plots._save` (fixed SVG ids, no date), so a figure
redrawn from the same sweep is the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure

from sim.present.plots import _save, add_caption

__all__ = ["draw_discovery", "plot_peeling_trajectory"]


def plot_peeling_trajectory(
    trajectory: pd.DataFrame,
    ax: Axes,
    threshold: float | None = None,
    box: tuple[float, float] | None = None,
) -> Axes:
    """PRIM's peeling trajectory: each step's coverage against its density, coloured
    by the number of inputs it restricts; the chosen step ringed and labelled, the
    density threshold (when given) dashed, and ``box`` (coverage, density: the
    chosen box without its restrictions that are not significant, when given) a
    diamond joined to the step it comes from."""
    coverage = trajectory["coverage"].to_numpy(dtype=float)
    density = trajectory["density"].to_numpy(dtype=float)
    restricted = trajectory["restricted"].to_numpy(dtype=np.int64)
    top = max(1, int(restricted.max()))
    colours = ListedColormap(matplotlib.colormaps["viridis"](np.linspace(0, 0.9, top + 1)))
    norm = BoundaryNorm(np.arange(-0.5, top + 1.5), colours.N)
    ax.plot(coverage, density, color="#bbbbbb", lw=0.8, zorder=1)
    points = ax.scatter(coverage, density, c=restricted, cmap=colours, norm=norm, s=18, zorder=2)
    bar = ax.figure.colorbar(points, ax=ax, ticks=range(top + 1), shrink=0.85)
    bar.set_label("inputs restricted")
    chosen = trajectory[trajectory["chosen"].astype(bool)]
    if not chosen.empty:
        c, d = float(chosen["coverage"].iat[0]), float(chosen["density"].iat[0])
        ax.scatter(
            [c],
            [d],
            s=140,
            facecolors="none",
            edgecolors="#b2182b",
            lw=1.6,
            zorder=3,
            label=f"chosen step {int(chosen['step'].iat[0])}: coverage {c:.2f}, density {d:.2f}",
        )
        if box is not None:
            ax.plot([c, box[0]], [d, box[1]], color="#b2182b", lw=0.8, ls=":", zorder=2)
            ax.scatter(
                [box[0]],
                [box[1]],
                marker="D",
                s=40,
                color="#b2182b",
                zorder=3,
                label=f"the box reported, restrictions that are not significant lifted: "
                f"coverage {box[0]:.2f}, density {box[1]:.2f}",
            )
    if threshold is not None:
        ax.axhline(
            threshold,
            color="#b2182b",
            lw=0.8,
            ls="--",
            zorder=0,
            label=f"density threshold {threshold:g}",
        )
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="lower left")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("coverage (share of the cases of interest inside the box)")
    ax.set_ylabel("density (share of the box's points of interest)")
    ax.grid(alpha=0.3)
    return ax


def draw_discovery(result, directory: Path, caption: str) -> list[Path]:
    """Write ``peeling_trajectory.png`` and ``.svg`` into ``directory``; return the paths."""
    figure = Figure(figsize=(7.5, 5.5), layout="constrained")
    prim = result.settings["prim"]
    summary = prim.get("box") or {}
    box = (summary["coverage"], summary["density"]) if summary.get("dropped") else None
    ax = plot_peeling_trajectory(
        result.prim_trajectory, figure.add_subplot(), prim["threshold"], box=box
    )
    ax.set_title(
        f"PRIM's peeling trajectory: {result.settings['case_of_interest']}", fontsize=8, wrap=True
    )
    add_caption(figure, caption)
    return _save(figure, Path(directory), "peeling_trajectory")
