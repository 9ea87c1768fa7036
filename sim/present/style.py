"""One look for every figure of :mod:`sim.present.plots` and :mod:`sim.present.sweep_plots`.

What is here:

* colour-blind-safe colours: Paul Tol's *muted* scheme for the outcome classes
  and the escalation ladder (one fixed colour per outcome, the same in every
  figure; the ladder's states share their outcome's colour), the Okabe–Ito
  palette for series without a meaning of their own (scenarios, variants),
  and viridis for ordered levels and heatmaps;
* font sizes (:data:`TITLE_SIZE` ... :data:`CAPTION_SIZE`);
* :data:`RC`, the matplotlib settings of every figure, applied only inside
  :func:`figure_context` (``matplotlib.rc_context``): importing this module
  changes nothing.  They include what makes an SVG the same bytes every time
  (``svg.hashsalt`` fixed; the date is left out by :func:`save`, which passes
  ``metadata={"Date": None}``) and keep SVG text as text (editable);
* helpers: :func:`percent_axis` (an axis in percent, data in percent units),
  :func:`percentage_points_axis`, :func:`format_percent`, :func:`factor_label`
  (``levers.troops_pledged`` -> "Troops pledged"), :func:`format_number`
  (thousands separators), :func:`tidy` and :func:`save`.

Probabilities are drawn in percent (0–100) in every figure: the plot functions
multiply shares by 100 before drawing, so axis limits, tick labels and value
labels are all percentages.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

__all__ = [
    "ANNOTATION_SIZE",
    "CAPTION_SIZE",
    "ESCALATION_COLOURS",
    "LABEL_SIZE",
    "OKABE_ITO",
    "OUTCOME_COLOURS",
    "PNG_DPI",
    "RC",
    "SERIES",
    "SVG_METADATA",
    "TICK_SIZE",
    "TITLE_SIZE",
    "TOL_MUTED",
    "factor_label",
    "figure_context",
    "format_number",
    "format_percent",
    "nice_ceiling",
    "ordered_colours",
    "percent_axis",
    "percentage_points_axis",
    "save",
    "series_colours",
    "styled",
    "text_colour_on",
    "thousands_axis",
    "tidy",
]

#: Paul Tol's muted qualitative scheme (https://personal.sron.nl/~pault/), colour-blind safe.
TOL_MUTED = {
    "indigo": "#332288",
    "cyan": "#88CCEE",
    "teal": "#44AA99",
    "green": "#117733",
    "olive": "#999933",
    "sand": "#DDCC77",
    "rose": "#CC6677",
    "wine": "#882255",
    "purple": "#AA4499",
    "grey": "#DDDDDD",
}

#: The Okabe–Ito palette (Okabe & Ito 2008), colour-blind safe; black left out.
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "bluish_green": "#009E73",
    "reddish_purple": "#CC79A7",
    "sky_blue": "#56B4E9",
    "vermillion": "#D55E00",
    "yellow": "#F0E442",
}

#: Colours of series without a meaning of their own (scenarios, variants), in order.
SERIES = tuple(
    OKABE_ITO[name]
    for name in ("blue", "orange", "bluish_green", "reddish_purple", "sky_blue", "vermillion")
)

#: One colour per outcome class, in every figure: greens for a ceasefire that holds,
#: warm colours for war, purple and wine for attacks and NATO–Russia escalation.
OUTCOME_COLOURS = {
    "durable_ceasefire": TOL_MUTED["green"],
    "frozen_conflict": TOL_MUTED["teal"],
    "ceasefire_collapse": TOL_MUTED["sand"],
    "war_continues": TOL_MUTED["rose"],
    "deployment_abandoned": TOL_MUTED["olive"],
    "peacekeepers_attacked": TOL_MUTED["purple"],
    "nato_russia_escalation": TOL_MUTED["wine"],
}

#: The escalation ladder's states, coloured as the outcome they lead to.
ESCALATION_COLOURS = {
    "ceasefire_holding": TOL_MUTED["green"],
    "ceasefire_violated": TOL_MUTED["cyan"],
    "war": TOL_MUTED["rose"],
    "peacekeepers_attacked": TOL_MUTED["purple"],
    "nato_russia_clash": TOL_MUTED["wine"],
}

#: One colour for a single series (a survival curve, a fan, a share over time).
MAIN = OKABE_ITO["blue"]
#: Colours of an event (ended) and of a censored observation (still holding).
ENDED = TOL_MUTED["rose"]
HOLDING = TOL_MUTED["green"]
#: Error bars, reference lines, event markers.
INK = "#222222"
#: Footers and notes.
MUTED_TEXT = "#404040"

TITLE_SIZE = 10
LABEL_SIZE = 9
TICK_SIZE = 8
ANNOTATION_SIZE = 7
CAPTION_SIZE = 8

#: Resolution of the PNG figures (dots per inch): print quality.
PNG_DPI = 200

#: Settings of every figure, applied by :func:`figure_context` only.
RC: dict[str, Any] = {
    # DejaVu Sans ships with matplotlib: the same glyphs, hence the same PNG, everywhere.
    "font.family": "DejaVu Sans",
    "font.size": LABEL_SIZE,
    "axes.titlesize": LABEL_SIZE,
    "axes.labelsize": LABEL_SIZE,
    "xtick.labelsize": TICK_SIZE,
    "ytick.labelsize": TICK_SIZE,
    "legend.fontsize": TICK_SIZE,
    "legend.title_fontsize": TICK_SIZE,
    "legend.frameon": False,
    "figure.titlesize": TITLE_SIZE,
    "axes.prop_cycle": matplotlib.cycler(color=list(SERIES)),
    "axes.titlepad": 6.0,
    "grid.alpha": 0.35,
    "grid.linewidth": 0.6,
    "image.cmap": "viridis",
    # SVG: text kept as text (editable, searchable); fixed ids, so the same figure is
    # the same bytes (the date is left out by save()).
    "svg.fonttype": "none",
    "svg.hashsalt": "sim",
}

#: Metadata of a saved SVG: no date, so a figure redrawn is the same bytes.
SVG_METADATA = {"Date": None}


def figure_context() -> contextlib.AbstractContextManager:
    """``matplotlib.rc_context(RC)``: the figures' settings, undone on leaving."""
    return matplotlib.rc_context(RC)


def styled(function: Callable) -> Callable:
    """Run a plot function inside :func:`figure_context` (nested contexts are fine)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with figure_context():
            return function(*args, **kwargs)

    return wrapper


def series_colours(n: int) -> list[str]:
    """``n`` colours for unordered series (Okabe–Ito, repeated past six)."""
    return [SERIES[i % len(SERIES)] for i in range(n)]


def ordered_colours(n: int) -> list:
    """``n`` colours for ordered levels (viridis, its pale yellow end left out)."""
    return list(matplotlib.colormaps["viridis"](np.linspace(0.0, 0.8, max(1, n))))


def text_colour_on(colour) -> str:
    """Black or white, whichever reads better on ``colour`` (WCAG relative luminance)."""
    r, g, b = matplotlib.colors.to_rgb(colour)

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    return "black" if luminance > 0.179 else "white"


def format_percent(share: float, signed: bool = False) -> str:
    """A share (0–1) as a percentage: one decimal from 0.1%, two significant digits
    below (a 95% upper bound of 0.0019 is "0.19%", not "0.0%"); exactly 0 is "0%"."""
    value = 100 * float(share)
    sign = "+" if signed and value > 0 else ""
    if value == 0:
        return "0%"
    if abs(value) >= 0.1:
        return f"{sign}{value:.1f}%"
    return f"{sign}{value:.2g}%"


def format_number(value: object) -> str:
    """A factor's value for a tick or a table: thousands separators, no trailing zeros."""
    if isinstance(value, bool | np.bool_):
        return str(value)
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        if float(value).is_integer() and abs(value) >= 1000:
            return f"{int(value):,}"
        return f"{float(value):,.4g}"
    return str(value)


#: Words kept in capitals by :func:`factor_label`.
_ACRONYMS = {"nato": "NATO", "un": "UN", "us": "US", "eu": "EU", "qre": "QRE", "ci": "CI"}


def factor_label(path: str) -> str:
    """A dotted scenario path in words: ``levers.troops_pledged`` -> "Troops pledged",
    ``actors.russia.nato_war_cost`` -> "NATO war cost (Russia)"."""
    parts = path.split(".")
    words = [_ACRONYMS.get(w, w) for w in parts[-1].split("_")]
    text = " ".join(words)
    text = text[:1].upper() + text[1:]
    if len(parts) >= 3 and parts[0] == "actors":
        text += f" ({_ACRONYMS.get(parts[1], parts[1].replace('_', ' ').title())})"
    return text


def percent_axis(
    ax: Axes, axis: str = "y", limits: tuple[float, float] | None = (0, 100), decimals=None
) -> Axes:
    """Label ``axis`` ("x" or "y") of ``ax`` in percent: the data on it are in percent
    units (0–100) and every tick label ends in "%"; ``limits`` (default 0–100%, None
    to keep the current ones)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(PercentFormatter(xmax=100, decimals=decimals))
    if limits is not None:
        (ax.set_ylim if axis == "y" else ax.set_xlim)(*limits)
    return ax


def percentage_points_axis(ax: Axes, axis: str = "x") -> Axes:
    """Label ``axis`` in signed percentage points ("+10 pp", "0 pp", "−5 pp"); the data
    on it are differences in percent units."""

    def label(value: float, _position) -> str:
        if abs(value) < 1e-9:
            return "0 pp"
        return f"{value:+g} pp".replace("-", "−")

    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(FuncFormatter(label))
    return ax


def thousands_axis(ax: Axes, axis: str = "x") -> Axes:
    """Tick labels of ``axis`` with thousands separators (10,000, not 10000)."""
    formatter = FuncFormatter(lambda value, _position: format_number(float(value)))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)
    return ax


def nice_ceiling(value: float) -> float:
    """The smallest round number (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8 or 10 times a power of
    ten) that is at least ``value``: an axis limit with a little headroom."""
    if value <= 0:
        return 1.0
    power = 10 ** np.floor(np.log10(value))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 10):
        if step * power >= value * (1 - 1e-12):
            return float(step * power)
    return float(10 * power)


def tidy(ax: Axes, grid: str | None = "both", spines: bool = True) -> Axes:
    """Tick label sizes set on the axes (so they hold when ticks are made at save time),
    a light grid on ``grid`` ("x", "y", "both" or None) and, with ``spines``, no top or
    right frame."""
    ax.tick_params(labelsize=TICK_SIZE)
    if grid:
        ax.grid(True, axis=grid, alpha=0.35, lw=0.6)
        ax.set_axisbelow(True)
    if spines:
        ax.spines[["top", "right"]].set_visible(False)
    return ax


#: matplotlib's ids of clip paths: "p" and ten hex digits of a hash that, for a clip
#: path (an image clipped by its axes), includes the clip path's ``id()`` -- a memory
#: address, so the same figure drawn twice could get other ids.
_CLIP_ID = re.compile(r"\bp[0-9a-f]{10}\b")


def stable_svg_ids(text: str) -> str:
    """``text`` (an SVG) with its clip-path ids numbered in order of first use
    (``clip1``, ``clip2``, ...): the same figure gives the same bytes whatever the
    memory addresses of its objects."""
    numbers: dict[str, str] = {}

    def number(match: re.Match) -> str:
        return numbers.setdefault(match.group(0), f"clip{len(numbers) + 1}")

    return _CLIP_ID.sub(number, text)


def save(figure: Figure, directory: Path, stem: str, dpi: int = PNG_DPI) -> list[Path]:
    """Write ``figure`` as ``stem.png`` (``dpi``) and ``stem.svg`` (text as text, fixed
    ids, no date) into ``directory``: the same bytes every time."""
    paths = []
    with figure_context():
        png = Path(directory) / f"{stem}.png"
        figure.savefig(png, dpi=dpi)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", dpi=dpi, metadata=SVG_METADATA)
        svg = Path(directory) / f"{stem}.svg"
        svg.write_text(stable_svg_ids(buffer.getvalue()), encoding="utf-8")
        paths += [png, svg]
    return paths
