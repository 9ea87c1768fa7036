"""Figures of a result directory (matplotlib, no display needed).

Each ``plot_*`` function draws on the ``matplotlib.axes.Axes`` it is given and
returns it, so figures can be composed; none calls ``plt.show()``.
:func:`draw_all` builds the standard figures of a saved result and writes
them as PNG and SVG.  Figures are made with ``matplotlib.figure.Figure``
directly (no pyplot state), so this works without a screen.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from scipy import stats

from sim.outcomes import ESCALATION_LEVELS, OUTCOMES

__all__ = [
    "draw_all",
    "plot_ceasefire_days",
    "plot_ceasefire_survival",
    "plot_fan",
    "plot_outcomes",
]

OUTCOME_LABELS = {
    "durable_ceasefire": "Durable ceasefire",
    "frozen_conflict": "Frozen conflict",
    "ceasefire_collapse": "Ceasefire collapse (renewed war)",
    "war_continues": "War continues (no ceasefire)",
    "deployment_abandoned": "Deployment abandoned",
    "peacekeepers_attacked": "Peacekeepers attacked",
    "nato_russia_escalation": "NATO–Russia escalation",
}

OUTCOME_COLOURS = {
    "durable_ceasefire": "#1b7837",
    "frozen_conflict": "#7fbf7b",
    "ceasefire_collapse": "#f4a582",
    "war_continues": "#d6604d",
    "deployment_abandoned": "#999999",
    "peacekeepers_attacked": "#b2182b",
    "nato_russia_escalation": "#67001f",
}

#: Tick labels of the escalation ladder, from :data:`sim.outcomes.ESCALATION_LEVELS`.
ESCALATION_LABELS = {
    level: name.replace("_", " ").replace("nato russia", "NATO–Russia")
    for name, level in ESCALATION_LEVELS.items()
}


def plot_outcomes(summary: dict, ax: Axes) -> Axes:
    """Horizontal bars: probability of each outcome class with its 95% Wilson interval."""
    names = list(OUTCOMES)
    probability = np.array([summary["outcomes"][n]["probability"] for n in names])
    low = np.array([summary["outcomes"][n]["ci95"][0] for n in names])
    high = np.array([summary["outcomes"][n]["ci95"][1] for n in names])
    y = np.arange(len(names))
    ax.barh(
        y,
        probability,
        xerr=[probability - low, high - probability],
        color=[OUTCOME_COLOURS[n] for n in names],
        capsize=3,
        error_kw={"elinewidth": 1},
    )
    for yi, p, hi in zip(y, probability, high, strict=True):
        ax.text(hi + 0.01, yi, f"{p:.1%}", va="center", fontsize=9)
    ax.set_yticks(y, [OUTCOME_LABELS[n] for n in names])
    ax.invert_yaxis()
    ax.set_xlim(0, min(1.0, max(high.max() + 0.12, 0.25)))
    ax.set_xlabel("Probability (share of runs; bars show 95% Wilson intervals)")
    ax.grid(axis="x", alpha=0.3)
    return ax


def plot_ceasefire_days(runs: pd.DataFrame, ax: Axes, horizon_days: int) -> Axes:
    """Histogram of the total days a ceasefire was in force, over runs that had one.

    Runs with no ceasefire at all are counted in the title, not drawn, so
    they do not flatten the rest of the histogram.
    """
    days = runs["ceasefire_days_held"].to_numpy()
    had = days > 0
    bins = np.linspace(0, horizon_days, min(horizon_days, 36) + 1)
    ax.hist(days[had], bins=bins, color="#4393c3", edgecolor="white")
    ax.set_xlabel(f"Days a ceasefire was in force (of {horizon_days})")
    ax.set_ylabel("Runs")
    ax.set_xlim(0, horizon_days)
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(
        f"Total days in force: {int(had.sum()):,} runs with a ceasefire "
        f"({int((~had).sum()):,} without, not shown)",
        fontsize=9,
    )
    return ax


def plot_ceasefire_survival(runs: pd.DataFrame, ax: Axes) -> Axes:
    """Kaplan–Meier survival curve of the first ceasefire's length.

    Ceasefires still holding at the horizon are right-censored; the estimate
    is ``scipy.stats.ecdf`` on ``scipy.stats.CensoredData``.
    """
    started = runs["first_ceasefire_length_days"].notna()
    length = runs.loc[started, "first_ceasefire_length_days"].to_numpy(dtype=float)
    ended = runs.loc[started, "first_ceasefire_ended"].to_numpy(dtype=bool)
    ax.set_xlabel("Days since the first ceasefire began")
    ax.set_ylabel("Share of ceasefires still holding")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    if length.size == 0:
        ax.text(
            0.5, 0.5, "No ceasefire in any run", ha="center", va="center", transform=ax.transAxes
        )
        return ax
    data = stats.CensoredData(uncensored=length[ended], right=length[~ended])
    survival = stats.ecdf(data).sf
    x = np.concatenate([[0.0], survival.quantiles])
    y = np.concatenate([[1.0], survival.probabilities])
    ax.step(x, y, where="post", color="#2166ac")
    ax.set_xlim(0, max(float(length.max()), 1.0))
    n_censored = int((~ended).sum())
    ax.set_title(
        f"First ceasefire, Kaplan–Meier: {length.size:,} runs, "
        f"{n_censored:,} still holding at the end",
        fontsize=9,
    )
    return ax


def plot_fan(quantiles: pd.DataFrame, variable: str, ax: Axes, colour: str = "#b2182b") -> Axes:
    """Fan chart of a daily variable: median, 50% and 90% bands over runs, and the mean."""
    data = quantiles[quantiles["variable"] == variable].sort_values("day")
    day = data["day"].to_numpy()
    ax.fill_between(
        day, data["q05"], data["q95"], color=colour, alpha=0.15, step="mid", label="90% of runs"
    )
    ax.fill_between(
        day, data["q25"], data["q75"], color=colour, alpha=0.35, step="mid", label="50% of runs"
    )
    ax.step(day, data["q50"], where="mid", color=colour, lw=1.8, label="median")
    ax.plot(day, data["mean"], color="black", lw=1, ls="--", label="mean")
    ax.set_xlabel("Day")
    ax.set_xlim(day.min(), day.max())
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=8)
    return ax


def _save(figure: Figure, directory: Path, stem: str) -> list[Path]:
    paths = []
    for suffix in (".png", ".svg"):
        path = directory / f"{stem}{suffix}"
        figure.savefig(path, dpi=120, bbox_inches="tight")
        paths.append(path)
    return paths


def draw_all(saved, directory: Path) -> list[Path]:
    """Write the standard figures of a saved result (:class:`sim.results.SavedResult`)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    name = saved.scenario_name
    n_runs = saved.summary["runs"]
    horizon = saved.manifest["scenario"]["simulation"]["horizon_days"]
    subtitle = f"scenario '{name}', {n_runs:,} runs, {horizon}-day horizon"
    paths: list[Path] = []

    figure = Figure(figsize=(8, 4.2), layout="constrained")
    ax = plot_outcomes(saved.summary, figure.add_subplot())
    ax.set_title(f"Outcome probabilities — {subtitle}", fontsize=10)
    paths += _save(figure, directory, "outcomes")

    figure = Figure(figsize=(11, 4.2), layout="constrained")
    left, right = figure.subplots(1, 2)
    plot_ceasefire_days(saved.runs, left, horizon)
    plot_ceasefire_survival(saved.runs, right)
    figure.suptitle(f"How long the ceasefire held — {subtitle}", fontsize=10)
    paths += _save(figure, directory, "ceasefire_days")

    figure = Figure(figsize=(9, 4.2), layout="constrained")
    ax = plot_fan(saved.quantiles, "escalation_level", figure.add_subplot())
    ax.set_yticks(list(ESCALATION_LABELS), list(ESCALATION_LABELS.values()))
    ax.set_ylim(-0.2, 4.2)
    ax.set_ylabel("Escalation level")
    ax.set_title(f"Escalation over time — {subtitle}", fontsize=10)
    paths += _save(figure, directory, "escalation")

    figure = Figure(figsize=(9, 4.2), layout="constrained")
    ax = plot_fan(saved.quantiles, "troops_deployed", figure.add_subplot(), colour="#2166ac")
    ax.set_ylabel("Peacekeeping troops deployed")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter("{x:,.0f}")
    ax.set_title(f"Troops deployed — {subtitle}", fontsize=10)
    paths += _save(figure, directory, "troops_deployed")
    return paths
