"""Figures of sweeps and comparisons: outcome probabilities across points or
scenarios, sensitivity indices, paired differences.

As in :mod:`sim.present.plots`, each ``plot_*`` function draws on the ``Axes`` it is
given and returns it; :func:`draw_sweep` writes a sweep directory's standard
figures (PNG and SVG, with a footer naming the sweep, its size and seed, and
saying it is a conditional exploration, not a forecast).  Bands and whiskers
are 95% Wilson intervals of the runs they pool (from ``points.parquet``).
Every figure has the look of :mod:`sim.present.style`, shares are in percent and
differences in percentage points, and factors are named in words
("Troops pledged", not ``levers.troops_pledged``).

A grid's levels are joined by lines; a sampled design's points (latin, sobol,
morris) are not: each point is a dot, and the runs are pooled in bins of the
factor's values with their 95% intervals (a line through samples would zigzag
with the other factors, not with this one).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.engine.outcomes import OUTCOMES
from sim.present import style
from sim.present.plots import OUTCOME_LABELS, _interval_bars, _save, add_caption
from sim.present.style import OUTCOME_COLOURS, factor_label, format_number

__all__ = [
    "draw_comparison",
    "draw_ensemble",
    "draw_sweep",
    "plot_comparison",
    "plot_ensemble",
    "plot_heatmap",
    "plot_morris",
    "plot_outcome_curves",
    "plot_sobol",
    "sweep_caption",
]

#: Sampled designs: the designs whose points are samples, not levels of a grid.
SAMPLED_DESIGNS = ("latin", "sobol", "morris")

#: A sampled design's runs are pooled in at most this many bins of a factor's values.
BINS = 8


def _numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _positions(values: pd.Series) -> tuple[np.ndarray, list | None]:
    """x positions of a factor's values, and tick labels when it is categorical."""
    if _numeric(values):
        return values.to_numpy(dtype=float), None
    levels = list(dict.fromkeys(values))
    return np.array([levels.index(v) for v in values], dtype=float), [str(v) for v in levels]


def _short(path: str) -> str:
    """A factor in words (kept for callers of the old name):
    :func:`sim.present.style.factor_label`."""
    return factor_label(path)


def _wilson(k: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from sim.results.summary import wilson_bounds

    return wilson_bounds(k, np.maximum(n, 1))


def _pooled(frame: pd.DataFrame, factor: str | list[str], outcome: str) -> pd.DataFrame:
    """Per value of ``factor`` (or of several): the outcome's share over all runs of the
    points there, with the 95% Wilson interval of that pooled share (shares 0–1)."""
    counts = frame.assign(_k=frame[f"p:{outcome}"] * frame["runs"])
    keys = [factor] if isinstance(factor, str) else list(factor)
    pooled = counts.groupby(keys, sort=True)[["_k", "runs"]].sum().reset_index()
    k = np.rint(pooled["_k"].to_numpy())
    n = np.maximum(pooled["runs"].to_numpy(), 1)
    low, high = _wilson(k, n)
    return pd.DataFrame(
        {**{key: pooled[key] for key in keys}, "p": k / n, "low": low, "high": high, "runs": n}
    )


def _binned(frame: pd.DataFrame, factor: str, outcome: str, bins: int = BINS) -> pd.DataFrame:
    """A sampled design's runs pooled in at most ``bins`` bins of ``factor``'s values
    with about as many points each (one bin per value when there are few, as in a
    Morris design): per bin the runs-weighted mean value ``x``, the bin's range
    ``x_low``–``x_high``, and the pooled share with its 95% Wilson interval."""
    values = frame[factor].to_numpy(dtype=float)
    levels = np.unique(values)
    if levels.size <= bins:
        edges_index = np.searchsorted(levels, values)
    else:
        order = np.argsort(values, kind="stable")
        edges_index = np.empty(values.size, dtype=int)
        edges_index[order] = np.arange(values.size) * bins // values.size
    runs = frame["runs"].to_numpy(dtype=float)
    k = frame[f"p:{outcome}"].to_numpy(dtype=float) * runs
    table = pd.DataFrame({"bin": edges_index, "x": values, "w": values * runs, "k": k, "n": runs})
    grouped = table.groupby("bin", sort=True).agg(
        x_low=("x", "min"), x_high=("x", "max"), w=("w", "sum"), k=("k", "sum"), n=("n", "sum")
    )
    k, n = np.rint(grouped["k"].to_numpy()), grouped["n"].to_numpy()
    low, high = _wilson(k, n)
    x_low, x_high = grouped["x_low"].to_numpy(), grouped["x_high"].to_numpy()
    return pd.DataFrame(
        {
            # Rounding could put the weighted mean a hair outside the bin.
            "x": np.clip(grouped["w"].to_numpy() / np.maximum(n, 1), x_low, x_high),
            "x_low": x_low,
            "x_high": x_high,
            "p": k / np.maximum(n, 1),
            "low": low,
            "high": high,
        }
    )


def _factor_axis(ax: Axes, factor: str, values: pd.Series, labels: list | None) -> None:
    """Label the x axis with the factor in words, its ticks with thousands separators."""
    if labels is not None:
        ax.set_xticks(range(len(labels)), labels)
    elif _numeric(values):
        style.thousands_axis(ax, "x")
    ax.set_xlabel(factor_label(factor))


@style.styled
def plot_outcome_curves(
    points: pd.DataFrame,
    factor: str,
    ax: Axes,
    outcomes: Sequence[str] | None = None,
    by: str | None = None,
    *,
    sampled: bool = False,
) -> Axes:
    """Each outcome's share of runs (in percent) against ``factor``, with 95% intervals.

    A grid (``sampled`` false): one line through the levels per outcome, with
    its band; with ``by``, one outcome (the first of ``outcomes``) and one line
    per level of ``by``.  Where other values vary too, the curve pools the runs
    of every point at each value of ``factor`` (a main effect over the design)
    and the band is the pooled share's Wilson interval.

    A sampled design (``sampled`` true): no line through the samples; each
    point is a dot, and the runs are pooled in at most :data:`BINS` bins of
    ``factor``'s values (about as many points each), drawn as a marker at the
    bin's mean value with its 95% Wilson interval; the y axis fits the data.
    Outcomes that never happen in the sweep are left out.
    """
    outcomes = list(OUTCOMES if outcomes is None else outcomes)
    groups = [(None, points)] if by is None else list(points.groupby(by, sort=True))
    shown = outcomes if by is None else outcomes[:1]
    shown = [o for o in shown if points[f"p:{o}"].max() > 0] or shown[:1]
    shades = style.ordered_colours(len(groups))
    labels = None
    if sampled:
        _, labels = _positions(points[factor])
        x_all = _positions(points[factor])[0]
        top = 100 * max(float(points[f"p:{o}"].max()) for o in shown)
        for outcome in shown:
            colour = OUTCOME_COLOURS[outcome]
            ax.scatter(
                x_all,
                100 * points[f"p:{outcome}"].to_numpy(dtype=float),
                s=10,
                color=colour,
                alpha=0.55,
                lw=0,
                label=f"{OUTCOME_LABELS[outcome]}: each point" if len(shown) > 1 else "each point",
            )
            if labels is None:
                binned = _binned(points, factor, outcome)
                p, lo, hi = (100 * binned[c].to_numpy() for c in ("p", "low", "high"))
                top = max(top, float(hi.max()))
                ax.errorbar(
                    binned["x"],
                    p,
                    yerr=[p - lo, hi - p],
                    xerr=[binned["x"] - binned["x_low"], binned["x_high"] - binned["x"]],
                    fmt="o",
                    ms=5,
                    color=colour,
                    mec=style.INK,
                    mew=0.6,
                    ecolor=style.INK,
                    elinewidth=0.9,
                    capsize=2,
                    label="runs pooled in bins (95% interval; horizontal: the bin)"
                    if len(shown) == 1
                    else f"{OUTCOME_LABELS[outcome]}: pooled in bins",
                )
        top = min(100.0, style.nice_ceiling(max(top * 1.05, 1.0)))
        # A little below 0, so the points and bins at 0 are not cut in half.
        style.percent_axis(ax, "y", (-0.02 * top, top), decimals=0 if top >= 5 else 1)
    else:
        for g, (level, frame) in enumerate(groups):
            for outcome in shown:
                curve = _pooled(frame, factor, outcome)
                x, labels = _positions(curve[factor])
                if by is None:
                    colour, label = OUTCOME_COLOURS[outcome], OUTCOME_LABELS[outcome]
                else:
                    colour, label = shades[g], format_number(level)
                ax.plot(x, 100 * curve["p"], color=colour, lw=1.6, marker="o", ms=3, label=label)
                ax.fill_between(
                    x, 100 * curve["low"], 100 * curve["high"], color=colour, alpha=0.18, lw=0
                )
        style.percent_axis(ax, "y", (0, 100))
    _factor_axis(ax, factor, points[factor], labels)
    ax.set_ylabel(
        "Share of runs" if by is None else f"Share of runs: {OUTCOME_LABELS[shown[0]].lower()}"
    )
    style.tidy(ax)
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        borderaxespad=0,
        title=None if by is None else factor_label(by),
    )
    return ax


#: Heatmap cells carry their share and its 95% interval up to this many columns and
#: rows, their share alone up to twice as many, nothing beyond.
ANNOTATE_CELLS = 16

#: A heatmap's colour scale runs from 0 to at least this share (percent).
HEATMAP_MIN_TOP = 10.0


@style.styled
def plot_heatmap(
    points: pd.DataFrame, x: str, y: str, outcome: str, ax: Axes, *, colorbar: bool = True
) -> Axes:
    """``outcome``'s share of runs (percent) over a grid of two factors, pooling the
    runs of the points in each cell (over any other factors).

    Each cell is annotated with its share and, below, its 95% Wilson interval
    (on smaller grids).  The colour scale runs from 0 to a round number above
    the largest share, at least :data:`HEATMAP_MIN_TOP` (so a rare outcome's
    pattern shows without one run lighting a cell up); ``colorbar`` adds its
    labelled colour bar ("Share of runs, %").
    """
    pooled = _pooled(points, [y, x], outcome)
    xs, ys = sorted(pooled[x].unique()), sorted(pooled[y].unique())
    shape = (len(ys), len(xs))
    share, low, high = (np.full(shape, np.nan) for _ in range(3))
    for y_value, x_value, p, p_low, p_high, _ in pooled.itertuples(index=False, name=None):
        i, j = ys.index(y_value), xs.index(x_value)
        share[i, j], low[i, j], high[i, j] = p, p_low, p_high
    # At least 0–10%: a rare outcome's pattern shows, but one run in a hundred does not
    # light a cell up as brightly as the commonest outcome.
    top = min(100.0, style.nice_ceiling(max(100 * float(np.nanmax(share)), HEATMAP_MIN_TOP)))
    norm = Normalize(0, top)
    image = ax.imshow(100 * share, origin="lower", aspect="auto", norm=norm, cmap="viridis")
    ax.set_xticks(range(len(xs)), [format_number(v) for v in xs])
    ax.set_yticks(range(len(ys)), [format_number(v) for v in ys])
    ax.tick_params(axis="x", labelrotation=45 if len(xs) > 6 else 0)
    style.tidy(ax, grid=None, spines=False)
    big = max(shape)
    for (i, j), value in np.ndenumerate(share):
        if np.isnan(value) or big > 2 * ANNOTATE_CELLS:
            continue
        text = f"{100 * value:.0f}%"
        if big <= ANNOTATE_CELLS:
            text += f"\n{100 * low[i, j]:.0f}–{100 * high[i, j]:.0f}"
        ax.text(
            j,
            i,
            text,
            ha="center",
            va="center",
            fontsize=5.5 if big > 10 else 6.5,
            linespacing=1.0,
            color=style.text_colour_on(image.cmap(norm(100 * value))),
        )
    ax.set_xlabel(factor_label(x))
    ax.set_ylabel(factor_label(y))
    ax.set_title(OUTCOME_LABELS[outcome])
    if colorbar:
        bar = ax.figure.colorbar(image, ax=ax, shrink=0.85, pad=0.02)
        bar.set_label("Share of runs, %")
        bar.ax.tick_params(labelsize=style.TICK_SIZE)
    return ax


@style.styled
def plot_sobol(sensitivity: pd.DataFrame, outcome: str, ax: Axes) -> Axes:
    """First-order and total-order Sobol' indices of ``outcome``'s probability, with
    95% bootstrap intervals; the first factor on top."""
    rows = sensitivity[sensitivity["outcome"] == outcome]
    y = np.arange(len(rows))
    common = {"error_kw": {"elinewidth": 0.9, "ecolor": style.INK}, "capsize": 2}
    ax.barh(
        y - 0.2, rows["S1"], 0.4, xerr=rows["S1_conf"], color=style.OKABE_ITO["blue"],
        label="first order S1", **common,
    )  # fmt: skip
    ax.barh(
        y + 0.2, rows["ST"], 0.4, xerr=rows["ST_conf"], color=style.OKABE_ITO["vermillion"],
        label="total order ST", **common,
    )  # fmt: skip
    ax.set_yticks(y, [factor_label(f) for f in rows["factor"]])
    ax.invert_yaxis()
    ax.axvline(0, color=style.INK, lw=0.6)
    ax.set_xlabel("Sobol' index (share of variance; 95% interval)")
    ax.set_title(OUTCOME_LABELS[outcome])
    style.tidy(ax, grid="x")
    ax.legend(loc="lower right")
    return ax


@style.styled
def plot_morris(sensitivity: pd.DataFrame, outcome: str, ax: Axes) -> Axes:
    """Morris's μ* (with its 95% interval) against σ for ``outcome``'s probability, both
    in percentage points (elementary effects of a share)."""
    rows = sensitivity[sensitivity["outcome"] == outcome]
    ax.errorbar(
        100 * rows["mu_star"],
        100 * rows["sigma"],
        xerr=100 * rows["mu_star_conf"],
        fmt="o",
        ms=4,
        color=style.MAIN,
        ecolor=style.OKABE_ITO["sky_blue"],
    )
    for _, row in rows.iterrows():
        ax.annotate(
            factor_label(row["factor"]),
            (100 * row["mu_star"], 100 * row["sigma"]),
            fontsize=style.ANNOTATION_SIZE,
            xytext=(3, 3),
            textcoords="offset points",
        )
    ax.set_xlabel("μ*, percentage points (mean absolute elementary effect)")
    ax.set_ylabel("σ, percentage points (interactions, non-linearity)")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.set_title(OUTCOME_LABELS[outcome])
    style.tidy(ax)
    return ax


def sweep_caption(manifest: dict) -> str:
    """The footer of a sweep's figures."""
    return (
        f"Sweep {manifest['sweep']['name']} · {manifest['points']:,} points × "
        f"{manifest['runs_per_point']:,} runs · seed {manifest['seed']} · "
        "conditional exploration, not a forecast"
    )


#: Sensitivity figures leave out outcomes rarer than this on average over the points.
RARE_SHARE = 0.02


def _varying(points: pd.DataFrame) -> list[str]:
    """Outcomes whose probability is not the same at every point."""
    return [o for o in OUTCOMES if np.ptp(points[f"p:{o}"].to_numpy()) > 0]


def common_outcomes(points: pd.DataFrame) -> list[str]:
    """The outcomes whose indices the sensitivity figure and ``sim sweep`` show: those
    that vary and are at least :data:`RARE_SHARE` likely on average (a rare outcome's
    indices are mostly Monte Carlo noise: a point's share of a 1% outcome over 100
    runs is 0, 1 or 2 runs)."""
    varying = _varying(points) or list(OUTCOMES[:1])
    return [o for o in varying if points[f"p:{o}"].mean() >= RARE_SHARE] or varying[:1]


def _sampled_key() -> list[Line2D]:
    """Legend of a sampled design's panels (each in its outcome's colour)."""
    grey = "#777777"
    return [
        Line2D([], [], ls="none", marker="o", ms=3, color=grey, alpha=0.5,
               label="a point of the design"),
        Line2D([], [], ls="none", marker="o", ms=5, color=grey, mec=style.INK, mew=0.6,
               label="its runs pooled in a bin of\nthe factor's values: share,\n"
               "95% interval (vertical) and\nthe bin's range (horizontal)"),
    ]  # fmt: skip


def _grid(figure: Figure, n: int, columns: int = 3) -> list[Axes]:
    columns = min(columns, n)
    rows = -(-n // columns)
    axes = list(np.atleast_1d(figure.subplots(rows, columns)).ravel())
    for ax in axes[n:]:
        ax.set_visible(False)
    return axes[:n]


def draw_sweep(
    points: pd.DataFrame, sensitivity: pd.DataFrame | None, manifest: dict, directory: Path
) -> list[Path]:
    """Write a sweep's standard figures into ``directory``; return their paths.

    A grid: each outcome's share against each factor (a main effect when other
    factors vary); with two or more factors, the outcome that varies most, one
    line per level of the second factor, and a heatmap of the first two
    factors for each outcome that varies (cells with their 95% intervals).  A
    sampled design (latin, sobol, morris): against each factor, one panel per
    outcome that occurs, with each point as a dot and the runs pooled in bins
    (no line through samples); Sobol' and Morris designs also draw their
    indices for each outcome that varies.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with style.figure_context():
        return _draw_sweep(points, sensitivity, manifest, directory)


def _draw_sweep(
    points: pd.DataFrame, sensitivity: pd.DataFrame | None, manifest: dict, directory: Path
) -> list[Path]:
    caption = sweep_caption(manifest)
    factors = [f["path"] for f in manifest["sweep"]["factors"]]
    design = manifest["sweep"]["design"]
    sampled = design in SAMPLED_DESIGNS
    varying = _varying(points) or list(OUTCOMES[:1])
    paths: list[Path] = []

    def save(figure: Figure, stem: str) -> None:
        add_caption(figure, caption)
        paths.extend(_save(figure, directory, stem))

    occurring = [o for o in OUTCOMES if points[f"p:{o}"].max() > 0] or list(OUTCOMES[:1])
    for k, factor in enumerate(factors):
        words = factor_label(factor)
        if sampled:
            n = len(occurring)
            columns = min(3, n)
            rows = -(-n // columns)
            figure = Figure(figsize=(4.4 * columns + 2.6, 3.1 * rows + 0.7), layout="constrained")
            for ax, outcome in zip(_grid(figure, n), occurring, strict=True):
                plot_outcome_curves(points, factor, ax, outcomes=[outcome], sampled=True)
                ax.set_title(OUTCOME_LABELS[outcome])
                ax.set_ylabel("Share of runs")
                legend = ax.get_legend()
                if legend is not None:
                    legend.remove()
            figure.legend(handles=_sampled_key(), loc="outside right upper", frameon=False)
            figure.suptitle(
                f"Share of runs ending in each outcome against {words.lower()} "
                f"({design} design, {len(points):,} points; other factors vary too)"
            )
        else:
            figure = Figure(figsize=(10, 5), layout="constrained")
            ax = plot_outcome_curves(points, factor, figure.add_subplot(), outcomes=OUTCOMES)
            what = "" if len(factors) == 1 else " (all runs at each value, over the other values)"
            ax.set_title(f"Share of runs ending in each outcome against {words.lower()}{what}")
        save(figure, f"outcomes_by_{k + 1}_{factor.rsplit('.', 1)[-1]}")
    if design == "grid" and len(factors) >= 2:
        x, y = factors[0], factors[1]
        spread = {o: float(np.ptp(points[f"p:{o}"])) for o in varying}
        top = max(spread, key=spread.get)
        figure = Figure(figsize=(10, 5), layout="constrained")
        ax = plot_outcome_curves(points, x, figure.add_subplot(), outcomes=[top], by=y)
        ax.set_title(
            f"{OUTCOME_LABELS[top]}: share of runs against {factor_label(x).lower()}, "
            f"by {factor_label(y).lower()}"
        )
        save(figure, "lines_by_second_factor")
        n = len(varying)
        columns = min(3, n)
        rows = -(-n // columns)
        figure = Figure(figsize=(5.4 * columns, 4.3 * rows + 0.4), layout="constrained")
        for ax, outcome in zip(_grid(figure, n), varying, strict=True):
            plot_heatmap(points, x, y, outcome, ax)
        figure.suptitle(
            "Share of runs ending in each outcome, % (cells: share and its 95% interval; "
            "each panel has its own colour scale)"
        )
        save(figure, "heatmaps")
    if sensitivity is not None and design in ("sobol", "morris"):
        common = common_outcomes(points)
        n = len(common)
        columns = min(3, n)
        rows = -(-n // columns)
        figure = Figure(
            figsize=(5.2 * columns, 0.5 * len(factors) * rows + 2.4 * rows), layout="constrained"
        )
        draw = plot_sobol if design == "sobol" else plot_morris
        for ax, outcome in zip(_grid(figure, n), common, strict=True):
            draw(sensitivity, outcome, ax)
        name = "Sobol' indices" if design == "sobol" else "Morris screening"
        figure.suptitle(
            f"{name} of outcome probabilities (outcomes at least {RARE_SHARE:.0%} likely on "
            "average; all in sensitivity.parquet)"
        )
        save(figure, "sensitivity")
    return paths


def _difference_text(d: float, low: float, high: float) -> str:
    """A paired difference in percentage points, as ``sim compare`` prints it."""
    return f"{d:+.1f} pp [{low:+.1f}, {high:+.1f}]"


@style.styled
def plot_comparison(table: pd.DataFrame, left: Axes, right: Axes) -> tuple[Axes, Axes]:
    """Left: each outcome's share of runs per scenario, in percent, with 95% Wilson
    intervals and value labels.  Right: each scenario's paired difference from the
    first, in percentage points, with its 95% interval and a label
    ("+22.2 pp [+20.3, +24.2]", as ``sim compare`` prints it)."""
    names = list(dict.fromkeys(table["scenario"]))
    outcomes = [o for o in OUTCOMES if table.loc[table["outcome"] == o, "probability"].max() > 0]
    outcomes = outcomes or list(OUTCOMES[:1])
    y = np.arange(len(outcomes))
    height = 0.8 / len(names)
    colours = style.series_colours(len(names))
    spans = []
    for j, name in enumerate(names):
        rows = table[table["scenario"] == name].set_index("outcome").loc[outcomes]
        offset = (j - (len(names) - 1) / 2) * height
        _interval_bars(
            left,
            y + offset,
            rows["probability"].to_numpy(),
            rows["low"].to_numpy(),
            rows["high"].to_numpy(),
            [colours[j]] * len(outcomes),
            height=height * 0.92,
            label_size=6.5 if len(names) <= 2 else 5.5,
        )
        if j > 0:
            d = 100 * rows["difference"].to_numpy()
            lo = 100 * rows["difference_low"].to_numpy()
            hi = 100 * rows["difference_high"].to_numpy()
            right.errorbar(
                d,
                y + offset,
                xerr=[d - lo, hi - d],
                fmt="o",
                ms=4,
                color=colours[j],
                ecolor=colours[j],
                capsize=2,
                label=f"{name} − {names[0]}",
            )
            for yi, di, li, hi_ in zip(y + offset, d, lo, hi, strict=True):
                right.annotate(
                    _difference_text(di, li, hi_),
                    (hi_, yi),
                    xytext=(4, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=6.5 if len(names) <= 2 else 5.5,
                )
            spans.append((lo.min(), hi.max()))
    labels = [OUTCOME_LABELS[o] for o in outcomes]
    left.set_yticks(y, labels)
    left.invert_yaxis()
    left.set_xlabel("Share of runs (whiskers: 95% Wilson intervals)")
    style.tidy(left, grid="x")
    left.spines["left"].set_visible(False)
    left.tick_params(axis="y", length=0)
    left.legend(
        handles=[Patch(color=c, label=name) for c, name in zip(colours, names, strict=True)],
        loc="lower right",
        title="Scenario",
    )
    right.set_yticks(y, [""] * len(y))
    right.set_ylim(left.get_ylim())
    right.axvline(0, color=style.INK, lw=0.8)
    if spans:
        low = min(0.0, min(s[0] for s in spans))
        high = max(0.0, max(s[1] for s in spans))
        width = max(high - low, 1.0)
        # Room on the right for the labels (about a third of the panel).
        right.set_xlim(low - 0.05 * width, high + 0.55 * width)
    style.percentage_points_axis(right, "x")
    right.set_xlabel(f"Paired difference from {names[0]}, percentage points (95% interval)")
    style.tidy(right, grid="x")
    right.tick_params(axis="y", length=0)
    if len(names) > 1:
        right.legend(loc="lower right")
    return left, right


def draw_comparison(table: pd.DataFrame, caption: str, directory: Path) -> list[Path]:
    """Write the comparison figure (PNG and SVG) into ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with style.figure_context():
        figure = Figure(figsize=(12, 5), layout="constrained")
        left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1]})
        plot_comparison(table, left, right)
        figure.suptitle("Outcome probabilities on common random numbers")
        add_caption(figure, caption)
        return _save(figure, directory, "comparison")


@style.styled
def plot_ensemble(shares: pd.DataFrame, ax: Axes) -> Axes:
    """Each outcome's share of runs (percent) under every structural variant (dots, with
    95% intervals) and pooled (a bar, labelled), for the outcomes that occur."""
    variants = [v for v in dict.fromkeys(shares["variant"]) if v != "pooled"]
    table = shares.set_index(["variant", "outcome"])
    outcomes = [o for o in OUTCOMES if table.xs(o, level="outcome")["probability"].max() > 0]
    width = 0.8
    markers = "osD^v<>ph*"
    colours = style.series_colours(len(variants))
    for i, outcome in enumerate(outcomes):
        pooled = 100 * table.loc[("pooled", outcome), "probability"]
        ax.bar(i, pooled, width=width, color=OUTCOME_COLOURS[outcome], alpha=0.45)
        ax.annotate(
            f"pooled {style.format_percent(pooled / 100)}",
            (i, pooled),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=style.ANNOTATION_SIZE,
        )
        for j, variant in enumerate(variants):
            row = table.loc[(variant, outcome)]
            x = i - width / 2 + width * (j + 0.5) / len(variants)
            p = 100 * row["probability"]
            ax.errorbar(
                x,
                p,
                yerr=[[p - 100 * row["ci95_low"]], [100 * row["ci95_high"] - p]],
                fmt=markers[j % len(markers)],
                ms=4,
                color=colours[j],
                elinewidth=0.8,
                label=variant if i == 0 else None,
            )
    ax.set_xticks(range(len(outcomes)), [OUTCOME_LABELS[o] for o in outcomes])
    ax.set_ylabel("Share of runs")
    style.percent_axis(ax, "y", (0, 100))
    style.tidy(ax, grid="y")
    ax.legend(title="Variant (bars: pooled)", loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax


def draw_ensemble(shares: pd.DataFrame, caption: str, directory: Path) -> list[Path]:
    """Write the structural ensemble's figure (PNG and SVG) into ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with style.figure_context():
        figure = Figure(figsize=(12, 5), layout="constrained")
        plot_ensemble(shares, figure.subplots())
        figure.suptitle("Outcome shares under each structural variant")
        add_caption(figure, caption)
        return _save(figure, directory, "ensemble")
