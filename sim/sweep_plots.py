"""Figures of sweeps and comparisons: outcome probabilities across points or
scenarios, sensitivity indices, paired differences.

As in :mod:`sim.plots`, each ``plot_*`` function draws on the ``Axes`` it is
given and returns it; :func:`draw_sweep` writes a sweep directory's standard
figures (PNG and SVG, with a footer naming the sweep, its size and seed, and
saying it is a conditional exploration, not a forecast).  Bands are 95%
Wilson intervals of each point's probability (from ``points.parquet``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.outcomes import OUTCOMES
from sim.plots import OUTCOME_COLOURS, OUTCOME_LABELS, _save, add_caption

__all__ = [
    "draw_comparison",
    "draw_sweep",
    "plot_comparison",
    "plot_heatmap",
    "plot_morris",
    "plot_outcome_curves",
    "plot_sobol",
    "sweep_caption",
]


def _numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _positions(values: pd.Series) -> tuple[np.ndarray, list | None]:
    """x positions of a factor's values, and tick labels when it is categorical."""
    if _numeric(values):
        return values.to_numpy(dtype=float), None
    levels = list(dict.fromkeys(values))
    return np.array([levels.index(v) for v in values], dtype=float), [str(v) for v in levels]


def _short(path: str) -> str:
    return path.rsplit(".", 1)[-1].replace("_", " ")


def _pooled(frame: pd.DataFrame, factor: str, outcome: str) -> pd.DataFrame:
    """Per value of ``factor``: the outcome's share over all runs of the points there,
    with the 95% Wilson interval of that pooled share."""
    from sim.sweeps import wilson_bounds

    counts = frame.assign(_k=frame[f"p:{outcome}"] * frame["runs"])
    pooled = counts.groupby(factor, sort=True)[["_k", "runs"]].sum().reset_index()
    k = np.rint(pooled["_k"].to_numpy())
    n = np.maximum(pooled["runs"].to_numpy(), 1)
    low, high = wilson_bounds(k, n)
    return pd.DataFrame({factor: pooled[factor], "p": k / n, "low": low, "high": high})


def plot_outcome_curves(
    points: pd.DataFrame,
    factor: str,
    ax: Axes,
    outcomes: Sequence[str] | None = None,
    by: str | None = None,
) -> Axes:
    """Each outcome's probability against ``factor``, with its 95% band.

    With ``by``, one outcome (the first of ``outcomes``) and one line per level
    of ``by``.  Where other values vary too, the curve pools the runs of every
    point at each value of ``factor`` (a main effect over the design) and the
    band is the pooled share's Wilson interval.  Outcomes that never happen in
    the sweep are left out.
    """
    outcomes = list(OUTCOMES if outcomes is None else outcomes)
    groups = [(None, points)] if by is None else list(points.groupby(by, sort=True))
    shown = outcomes if by is None else outcomes[:1]
    shown = [o for o in shown if points[f"p:{o}"].max() > 0] or shown[:1]
    shades = matplotlib.colormaps["viridis"](np.linspace(0.0, 0.85, max(1, len(groups))))
    labels = None
    for g, (level, frame) in enumerate(groups):
        for outcome in shown:
            curve = _pooled(frame, factor, outcome)
            x, labels = _positions(curve[factor])
            if by is None:
                colour, label = OUTCOME_COLOURS[outcome], OUTCOME_LABELS[outcome]
            else:
                colour, label = shades[g], f"{_short(by)} = {level}"
            ax.plot(x, curve["p"], color=colour, lw=1.6, marker="o", ms=3, label=label)
            ax.fill_between(x, curve["low"], curve["high"], color=colour, alpha=0.18, lw=0)
    if labels is not None:
        ax.set_xticks(range(len(labels)), labels)
    ax.set_xlabel(factor)
    ax.set_ylabel("Probability" if by is None else f"P({OUTCOME_LABELS[shown[0]]})")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    return ax


def plot_heatmap(points: pd.DataFrame, x: str, y: str, outcome: str, ax: Axes) -> Axes:
    """``outcome``'s probability over a grid of two factors (averaged over any others)."""
    table = points.pivot_table(index=y, columns=x, values=f"p:{outcome}", aggfunc="mean")
    image = ax.imshow(
        table.to_numpy(), origin="lower", aspect="auto", vmin=0, vmax=1, cmap="viridis"
    )
    ax.set_xticks(range(table.shape[1]), [f"{v:g}" if _isnum(v) else str(v) for v in table.columns])
    ax.set_yticks(range(table.shape[0]), [f"{v:g}" if _isnum(v) else str(v) for v in table.index])
    ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    ax.tick_params(axis="y", labelsize=7)
    for (i, j), value in np.ndenumerate(table.to_numpy()):
        ax.text(
            j,
            i,
            f"{value:.2f}",
            ha="center",
            va="center",
            fontsize=6,
            color="white" if value < 0.55 else "black",
        )
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"P({OUTCOME_LABELS[outcome]})", fontsize=9)
    ax.figure.colorbar(image, ax=ax, shrink=0.8)
    return ax


def _isnum(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def plot_sobol(sensitivity: pd.DataFrame, outcome: str, ax: Axes) -> Axes:
    """First-order and total-order Sobol' indices of ``outcome``'s probability, with
    95% bootstrap intervals."""
    rows = sensitivity[sensitivity["outcome"] == outcome]
    y = np.arange(len(rows))
    ax.barh(y - 0.2, rows["S1"], 0.4, xerr=rows["S1_conf"], color="#4393c3", label="first order S1")
    ax.barh(y + 0.2, rows["ST"], 0.4, xerr=rows["ST_conf"], color="#d6604d", label="total order ST")
    ax.set_yticks(y, [_short(f) for f in rows["factor"]], fontsize=7)
    ax.axvline(0, color="black", lw=0.6)
    ax.set_xlabel("Sobol' index (share of variance)")
    ax.set_title(f"P({OUTCOME_LABELS[outcome]})", fontsize=9)
    ax.grid(alpha=0.3, axis="x")
    ax.legend(fontsize=7, loc="lower right")
    return ax


def plot_morris(sensitivity: pd.DataFrame, outcome: str, ax: Axes) -> Axes:
    """Morris's mu* (with its 95% interval) against sigma for ``outcome``'s probability."""
    rows = sensitivity[sensitivity["outcome"] == outcome]
    ax.errorbar(
        rows["mu_star"],
        rows["sigma"],
        xerr=rows["mu_star_conf"],
        fmt="o",
        ms=4,
        color="#2166ac",
        ecolor="#92c5de",
    )
    for _, row in rows.iterrows():
        ax.annotate(
            _short(row["factor"]),
            (row["mu_star"], row["sigma"]),
            fontsize=6,
            xytext=(3, 3),
            textcoords="offset points",
        )
    ax.set_xlabel("μ* (mean absolute elementary effect)")
    ax.set_ylabel("σ (interactions, non-linearity)")
    ax.set_title(f"P({OUTCOME_LABELS[outcome]})", fontsize=9)
    ax.grid(alpha=0.3)
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


def draw_sweep(
    points: pd.DataFrame, sensitivity: pd.DataFrame | None, manifest: dict, directory: Path
) -> list[Path]:
    """Write a sweep's standard figures into ``directory``; return their paths.

    Every design: each outcome's probability against each factor (a main
    effect when other factors vary).  A grid of two or more factors: the
    outcome that varies most, one line per level of the second factor, and a
    heatmap of the first two factors for each outcome that varies.  Sobol' and
    Morris designs: their indices for each outcome that varies.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    caption = sweep_caption(manifest)
    factors = [f["path"] for f in manifest["sweep"]["factors"]]
    design = manifest["sweep"]["design"]
    varying = _varying(points) or list(OUTCOMES[:1])
    paths: list[Path] = []

    def save(figure: Figure, stem: str) -> None:
        add_caption(figure, caption)
        paths.extend(_save(figure, directory, stem))

    for k, factor in enumerate(factors):
        figure = Figure(figsize=(9, 5), layout="constrained")
        ax = plot_outcome_curves(points, factor, figure.add_subplot(), outcomes=OUTCOMES)
        what = "" if len(factors) == 1 else " (all runs at each value, over the other values)"
        ax.set_title(f"Outcome probabilities against {factor}{what}", fontsize=9)
        save(figure, f"outcomes_by_{k + 1}_{factor.rsplit('.', 1)[-1]}")
    if design == "grid" and len(factors) >= 2:
        x, y = factors[0], factors[1]
        spread = {o: float(np.ptp(points[f"p:{o}"])) for o in varying}
        top = max(spread, key=spread.get)
        figure = Figure(figsize=(9, 5), layout="constrained")
        ax = plot_outcome_curves(points, x, figure.add_subplot(), outcomes=[top], by=y)
        ax.set_title(f"P({OUTCOME_LABELS[top]}) against {x}, by {y}", fontsize=9)
        save(figure, "lines_by_second_factor")
        n = len(varying)
        columns = min(3, n)
        rows = -(-n // columns)
        figure = Figure(figsize=(4.6 * columns, 3.8 * rows), layout="constrained")
        axes = np.atleast_1d(figure.subplots(rows, columns)).ravel()
        for ax, outcome in zip(axes, varying, strict=False):
            plot_heatmap(points, x, y, outcome, ax)
        for ax in axes[n:]:
            ax.set_visible(False)
        save(figure, "heatmaps")
    if sensitivity is not None and design in ("sobol", "morris"):
        # A rare outcome's indices are mostly Monte Carlo noise (a point's share of a
        # 1% outcome over 100 runs is 0, 1 or 2 runs): shown only from 2% on average.
        common = [o for o in varying if points[f"p:{o}"].mean() >= RARE_SHARE] or varying[:1]
        n = len(common)
        columns = min(3, n)
        rows = -(-n // columns)
        figure = Figure(
            figsize=(4.8 * columns, 0.5 * len(factors) * rows + 2.4 * rows), layout="constrained"
        )
        axes = np.atleast_1d(figure.subplots(rows, columns)).ravel()
        draw = plot_sobol if design == "sobol" else plot_morris
        for ax, outcome in zip(axes, common, strict=False):
            draw(sensitivity, outcome, ax)
        for ax in axes[n:]:
            ax.set_visible(False)
        name = "Sobol' indices" if design == "sobol" else "Morris screening"
        figure.suptitle(
            f"{name} of outcome probabilities (outcomes at least {RARE_SHARE:.0%} likely on "
            "average; all in sensitivity.parquet)",
            fontsize=10,
        )
        save(figure, "sensitivity")
    return paths


def plot_comparison(table: pd.DataFrame, left: Axes, right: Axes) -> tuple[Axes, Axes]:
    """Left: each outcome's probability per scenario (95% Wilson intervals).  Right:
    each scenario's paired difference from the first, with its 95% interval."""
    names = list(dict.fromkeys(table["scenario"]))
    outcomes = [o for o in OUTCOMES if table.loc[table["outcome"] == o, "probability"].max() > 0]
    outcomes = outcomes or list(OUTCOMES[:1])
    y = np.arange(len(outcomes))
    height = 0.8 / len(names)
    shades = matplotlib.colormaps["viridis"](np.linspace(0.0, 0.85, len(names)))
    for j, name in enumerate(names):
        rows = table[table["scenario"] == name].set_index("outcome").loc[outcomes]
        offset = (j - (len(names) - 1) / 2) * height
        p = rows["probability"].to_numpy()
        # Clipped at 0: for p = 0 the Wilson bound is 0 up to rounding.
        errors = np.maximum([p - rows["low"].to_numpy(), rows["high"].to_numpy() - p], 0)
        left.barh(
            y + offset, p, height, xerr=errors, color=shades[j], label=name, error_kw={"lw": 0.8}
        )
        if j > 0:
            d = rows["difference"].to_numpy()
            spread = [d - rows["difference_low"].to_numpy(), rows["difference_high"].to_numpy() - d]
            right.errorbar(
                d,
                y + offset,
                xerr=spread,
                fmt="o",
                ms=4,
                color=shades[j],
                label=f"{name} − {names[0]}",
            )
    labels = [OUTCOME_LABELS[o] for o in outcomes]
    left.set_yticks(y, labels, fontsize=8)
    left.invert_yaxis()
    left.set_xlim(0, 1)
    left.set_xlabel("Probability (95% interval)")
    left.grid(alpha=0.3, axis="x")
    left.legend(fontsize=7, loc="lower right")
    right.set_yticks(y, [""] * len(y))
    right.set_ylim(left.get_ylim())
    right.axvline(0, color="black", lw=0.8)
    right.set_xlabel("Paired difference from the first scenario (95% interval)")
    right.grid(alpha=0.3, axis="x")
    right.legend(fontsize=7, loc="lower right")
    return left, right


def draw_comparison(table: pd.DataFrame, caption: str, directory: Path) -> list[Path]:
    """Write the comparison figure (PNG and SVG) into ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    figure = Figure(figsize=(11, 4.8), layout="constrained")
    left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1]})
    plot_comparison(table, left, right)
    figure.suptitle("Outcome probabilities on common random numbers", fontsize=10)
    add_caption(figure, caption)
    return _save(figure, directory, "comparison")


def plot_ensemble(shares: pd.DataFrame, ax: Axes) -> Axes:
    """Each outcome's share under every structural variant (dots, with 95% intervals) and
    pooled (a bar), for the outcomes that occur."""
    variants = [v for v in dict.fromkeys(shares["variant"]) if v != "pooled"]
    table = shares.set_index(["variant", "outcome"])
    outcomes = [o for o in OUTCOMES if table.xs(o, level="outcome")["probability"].max() > 0]
    width = 0.8
    markers = "osD^v<>ph*"
    for i, outcome in enumerate(outcomes):
        pooled = table.loc[("pooled", outcome), "probability"]
        ax.bar(i, pooled, width=width, color=OUTCOME_COLOURS[outcome], alpha=0.35)
        for j, variant in enumerate(variants):
            row = table.loc[(variant, outcome)]
            x = i - width / 2 + width * (j + 0.5) / len(variants)
            ax.errorbar(
                x,
                row["probability"],
                yerr=[
                    [row["probability"] - row["ci95_low"]],
                    [row["ci95_high"] - row["probability"]],
                ],
                fmt=markers[j % len(markers)],
                ms=4,
                color=f"C{j % 10}",
                elinewidth=0.8,
                label=variant if i == 0 else None,
            )
    ax.set_xticks(range(len(outcomes)), [OUTCOME_LABELS[o] for o in outcomes], fontsize=8)
    ax.set_ylabel("Share of runs")
    ax.set_ylim(0, 1)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(title="variant (bars: pooled)", fontsize=7, title_fontsize=8, loc="upper right")
    return ax


def draw_ensemble(shares: pd.DataFrame, caption: str, directory: Path) -> list[Path]:
    """Write the structural ensemble's figure (PNG and SVG) into ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    figure = Figure(figsize=(11, 5), layout="constrained")
    plot_ensemble(shares, figure.subplots())
    figure.suptitle("Outcome shares under each structural variant", fontsize=10)
    add_caption(figure, caption)
    return _save(figure, directory, "ensemble")
