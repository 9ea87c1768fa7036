"""Figures of a result directory (matplotlib, no display needed).

Each ``plot_*`` function draws on the ``matplotlib.axes.Axes`` it is given and
returns it (:func:`plot_force_presence` takes and returns two), so figures
can be composed; none calls ``plt.show()``.  :func:`draw_all` builds the
standard figures of a saved result and writes them as PNG (200 dpi, for print)
and SVG (text kept as text, so it stays editable); every figure it writes
carries a footer (:func:`figure_caption`) with the scenario's name, the number
of runs and the seed, and says it is a conditional exploration, not a
forecast.  Matplotlib settings are applied only while saving
(``matplotlib.rc_context``): importing this module changes nothing.  The
escalation ladder is ordinal and the deployed force is either absent or
sizeable, so those figures show shares of runs (from ``daily_states``), not
quantiles (:func:`plot_fan` draws quantile fans of ``trajectory_quantiles``
for other daily variables).  Figures are made with
``matplotlib.figure.Figure`` directly (no pyplot state), so this works without
a screen.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from scipy import stats

from sim.outcomes import ESCALATION_LEVELS, OUTCOMES

__all__ = [
    "PNG_DPI",
    "add_caption",
    "draw_all",
    "figure_caption",
    "plot_ceasefire_lengths",
    "plot_ceasefire_survival",
    "plot_escalation_shares",
    "plot_fan",
    "plot_force_presence",
    "plot_force_share",
    "plot_force_size",
    "plot_outcomes",
    "standard_figures",
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

#: Resolution of the PNG figures (dots per inch): print quality.
PNG_DPI = 200

#: Matplotlib settings used while saving: SVG text stays text (editable), not paths.
SAVE_RC = {"svg.fonttype": "none", "svg.hashsalt": "sim"}  # text as text; fixed SVG ids

#: Height (inches) kept free at the bottom of a figure for its caption.
CAPTION_HEIGHT = 0.3

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


#: The per-run columns :func:`draw_all` reads.
RUN_COLUMNS = ("first_ceasefire_length_days", "first_ceasefire_ended")


def _first_ceasefires(runs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Length (days) and collapsed-or-not of the first ceasefire, over runs where one began.

    Both ceasefire panels draw exactly these runs.  A first ceasefire that
    collapsed on the day it began has length 0 and is included.
    """
    started = runs["first_ceasefire_length_days"].notna().to_numpy()
    length = runs["first_ceasefire_length_days"].to_numpy(dtype=float, na_value=np.nan)[started]
    ended = runs["first_ceasefire_ended"].to_numpy(dtype=bool)[started]
    return length, ended


def _counts_text(length: np.ndarray, ended: np.ndarray, n_runs: int) -> str:
    """Which runs a ceasefire panel counts, and why its bars and its curve differ.

    Both panels draw the same ``n`` runs, those where a first ceasefire began;
    the ones that ended before the horizon are events, the rest are
    right-censored (still holding when the simulation stopped).
    """
    n = int(length.size)
    n_ended = int(ended.sum())
    without = "" if n == n_runs else f"; {n_runs - n:,} of {n_runs:,} runs had none, not drawn"
    return (
        f"n = {n:,} runs with a ceasefire{without}\n"
        f"{n_ended:,} ended before the horizon; the other {n - n_ended:,} are censored "
        "(still holding)"
    )


def _length_bins(length: np.ndarray, horizon_days: int) -> np.ndarray:
    """Whole-day bin edges 0, w, 2w, ... past the horizon (about 36 bins)."""
    top = max(horizon_days, int(length.max()) if length.size else 0)
    width = max(1, int(np.ceil((top + 1) / 36)))
    return np.arange(0, top + width + 1, width)


def plot_ceasefire_lengths(runs: pd.DataFrame, ax: Axes, horizon_days: int) -> Axes:
    """Histogram of the first ceasefire's length, over runs where a ceasefire began.

    Bars stack ceasefires that collapsed and ceasefires still holding at the
    horizon (right-censored: their true length is longer).  Bins are
    whole-day ranges ``[a, b)`` starting at 0, so a ceasefire that collapsed on
    the day it began (length 0) is counted.  Same runs as
    :func:`plot_ceasefire_survival`.
    """
    length, ended = _first_ceasefires(runs)
    bins = _length_bins(length, horizon_days)
    ax.hist(
        [length[ended], length[~ended]],
        bins=bins,
        stacked=True,
        color=["#d6604d", "#4393c3"],
        edgecolor="white",
        linewidth=0.5,
        label=[
            f"ended: collapsed or lapsed ({int(ended.sum()):,})",
            f"still holding at the horizon ({int((~ended).sum()):,}, censored)",
        ],
    )
    ax.set_xlabel(f"Length of the first ceasefire, days (horizon {horizon_days})")
    ax.set_ylabel("Runs")
    ax.yaxis.set_major_formatter("{x:,.0f}")
    ax.set_xlim(0, bins[-1])
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper center", fontsize=8)
    ax.set_title(
        f"Length of the first ceasefire\n{_counts_text(length, ended, len(runs))}", fontsize=9
    )
    return ax


def plot_ceasefire_survival(runs: pd.DataFrame, ax: Axes, horizon_days: int | None = None) -> Axes:
    """Kaplan–Meier survival curve of the first ceasefire's length.

    Ceasefires still holding at the horizon are right-censored (ticks mark
    them); the estimate is ``scipy.stats.ecdf`` on ``scipy.stats.CensoredData``.
    Same runs as :func:`plot_ceasefire_lengths`; given ``horizon_days``, the
    x axis spans the same days as that histogram.
    """
    length, ended = _first_ceasefires(runs)
    ax.set_xlabel("Days since the first ceasefire began")
    ax.set_ylabel("Share of first ceasefires still holding")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title(
        f"Kaplan–Meier survival of the same ceasefires\n{_counts_text(length, ended, len(runs))}",
        fontsize=9,
    )
    if length.size == 0:
        ax.text(
            0.5, 0.5, "No ceasefire in any run", ha="center", va="center", transform=ax.transAxes
        )
        return ax
    data = stats.CensoredData(uncensored=length[ended], right=length[~ended])
    survival = stats.ecdf(data).sf
    x = np.concatenate([[0.0], survival.quantiles])
    y = np.concatenate([[1.0], survival.probabilities])
    ax.step(x, y, where="post", color="#2166ac", label="Kaplan–Meier estimate")
    censored = length[~ended]
    if censored.size:
        # Mark where censoring happens (one tick per distinct censoring time).
        times = np.unique(censored)
        ax.plot(
            times,
            np.interp(times, x, y, right=y[-1]),
            ls="none",
            marker="|",
            ms=6,
            mew=0.8,
            color="#4393c3",
            label=f"still holding at the horizon ({censored.size:,}, censored)",
        )
    if horizon_days is None:
        ax.set_xlim(0, max(float(length.max()), 1.0) * 1.02)
    else:
        ax.set_xlim(0, _length_bins(length, horizon_days)[-1])
    ax.legend(loc="upper right", fontsize=8)
    return ax


#: Colours of the escalation ladder, from green (holding) to dark red (NATO–Russia clash).
ESCALATION_COLOURS = {
    "ceasefire_holding": "#1a9850",
    "ceasefire_violated": "#fee08b",
    "war": "#f46d43",
    "peacekeepers_attacked": "#d73027",
    "nato_russia_clash": "#67001f",
}


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def plot_escalation_shares(daily_states: pd.DataFrame, ax: Axes) -> Axes:
    """Stacked areas: share of runs in each escalation state, per day.

    The escalation ladder is ordinal, so its per-day quantiles jump between
    levels and hide how many runs are where; the shares do not.
    """
    data = daily_states.sort_values("day")
    day = data["day"].to_numpy()
    names = list(ESCALATION_LEVELS)
    areas = ax.stackplot(
        day,
        *(data[n].to_numpy() for n in names),
        colors=[ESCALATION_COLOURS[n] for n in names],
        labels=[_sentence_case(ESCALATION_LABELS[ESCALATION_LEVELS[n]]) for n in names],
        linewidth=0,
    )
    ax.set_xlim(day.min(), day.max())
    ax.set_ylim(0, 1)
    ax.set_xlabel("Day")
    ax.set_ylabel("Share of runs")
    ax.yaxis.set_major_formatter("{x:.0%}")
    ax.grid(alpha=0.3)
    ax.set_axisbelow(False)
    # Legend top-down in the order of the stack (most severe on top).
    ax.legend(
        areas[::-1],
        [a.get_label() for a in areas[::-1]],
        loc="center left",
        bbox_to_anchor=(1.01, 0.5),
        fontsize=8,
        title="State that day",
        title_fontsize=8,
    )
    return ax


def plot_force_share(daily_states: pd.DataFrame, ax: Axes, colour: str = "#2166ac") -> Axes:
    """Share of runs with a force in place (``troops_deployed > 0``), per day."""
    data = daily_states.sort_values("day")
    day = data["day"].to_numpy()
    ax.step(day, data["force_in_place"], where="mid", color=colour, lw=1.8)
    ax.set_xlim(day.min(), day.max())
    ax.set_ylim(-0.02, 1.02)  # a share of 0 stays visible above the axis
    ax.set_xlabel("Day")
    ax.set_ylabel("Share of runs")
    ax.yaxis.set_major_formatter("{x:.0%}")
    ax.grid(alpha=0.3)
    return ax


def plot_force_size(daily_states: pd.DataFrame, ax: Axes, colour: str = "#2166ac") -> Axes:
    """Troops deployed among runs with a force in place: median, 50% and 90% bands, mean.

    Days with no force in any run are left blank.
    """
    data = daily_states.sort_values("day")
    day = data["day"].to_numpy()
    ax.set_xlim(day.min(), day.max())
    ax.set_xlabel("Day")
    ax.set_ylabel("Troops deployed")
    ax.grid(alpha=0.3)
    if not (data["runs_with_force"] > 0).any():
        ax.text(
            0.5,
            0.5,
            "No force in place in any run",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
        ax.set_ylim(0, 1)
        ax.set_yticks([])
        return ax
    for low, high, alpha, share in (("q05", "q95", 0.15, "90%"), ("q25", "q75", 0.35, "50%")):
        ax.fill_between(
            day,
            data[f"troops_in_place_{low}"],
            data[f"troops_in_place_{high}"],
            color=colour,
            alpha=alpha,
            step="mid",
            label=f"{share} of those runs",
        )
    ax.step(day, data["troops_in_place_q50"], where="mid", color=colour, lw=1.8, label="median")
    ax.plot(day, data["troops_in_place_mean"], color="black", lw=1, ls="--", label="mean")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter("{x:,.0f}")
    ax.legend(loc="lower right", fontsize=8)
    return ax


def plot_force_presence(
    daily_states: pd.DataFrame, ax_share: Axes, ax_dist: Axes
) -> tuple[Axes, Axes]:
    """Both force panels, titled: :func:`plot_force_share` and :func:`plot_force_size`."""
    plot_force_share(daily_states, ax_share)
    ax_share.set_title("Share of runs with a force in place", fontsize=9)
    plot_force_size(daily_states, ax_dist)
    ax_dist.set_title("Troops deployed among runs with a force in place", fontsize=9)
    return ax_share, ax_dist


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


def figure_caption(manifest: dict) -> str:
    """The footer of every figure of a result: scenario, runs, seed, and what it is not.

    From a result's ``manifest.json``, e.g. "Scenario combined · 10,000 runs ·
    seed 1 · conditional exploration under the scenario's assumptions, not a
    forecast".
    """
    runs = manifest["runs"]
    return (
        f"Scenario {manifest['scenario']['name']} · {runs:,} run{'' if runs == 1 else 's'} · "
        f"seed {manifest['seed']} · conditional exploration under the scenario's assumptions, "
        "not a forecast"
    )


def add_caption(figure: Figure, text: str) -> Figure:
    """Write ``text`` as a footer at the bottom of ``figure``, clear of its axes.

    With constrained layout the axes are laid out above the footer's strip;
    otherwise the subplots' bottom is raised by the strip's height.
    """
    strip = CAPTION_HEIGHT / figure.get_figheight()
    engine = figure.get_layout_engine()
    if engine is not None and hasattr(engine, "set") and "rect" in engine.get():
        engine.set(rect=(0, strip, 1, 1 - strip))
    else:
        figure.subplots_adjust(bottom=max(figure.subplotpars.bottom, strip + 0.08))
    figure.text(0.5, strip / 2, text, ha="center", va="center", fontsize=8, color="#404040")
    return figure


def _save(figure: Figure, directory: Path, stem: str) -> list[Path]:
    """Write PNG at :data:`PNG_DPI` and SVG with text kept as text."""
    paths = []
    with matplotlib.rc_context(SAVE_RC):
        for suffix in (".png", ".svg"):
            path = directory / f"{stem}{suffix}"
            # No date in the SVG: a figure redrawn from the same result is the same bytes.
            metadata = {"Date": None} if suffix == ".svg" else None
            figure.savefig(path, dpi=PNG_DPI, metadata=metadata)
            paths.append(path)
    return paths


def standard_figures(saved) -> list[tuple[str, str, Figure]]:
    """The standard figures of a saved result (:class:`sim.results.SavedResult`):
    ``(stem, description, figure)``, each with the footer :func:`figure_caption`.
    The description says in words what the figure shows (alt text)."""
    horizon = saved.manifest["scenario"]["simulation"]["horizon_days"]
    subtitle = f"scenario '{saved.scenario_name}', {horizon}-day horizon"
    caption = figure_caption(saved.manifest)
    figures: list[tuple[str, str, Figure]] = []

    def add(figure: Figure, stem: str, description: str) -> None:
        add_caption(figure, caption)
        figures.append((stem, description, figure))

    figure = Figure(figsize=(8, 4.5), layout="constrained")
    ax = plot_outcomes(saved.summary, figure.add_subplot())
    ax.set_title(f"Outcome probabilities — {subtitle}", fontsize=10)
    add(figure, "outcomes", "Bar chart of the probability of each outcome, with 95% intervals.")

    figure = Figure(figsize=(11, 4.8), layout="constrained")
    left, right = figure.subplots(1, 2)
    plot_ceasefire_lengths(saved.runs, left, horizon)
    plot_ceasefire_survival(saved.runs, right, horizon)
    figure.suptitle(f"How long the first ceasefire held — {subtitle}", fontsize=10)
    add(
        figure,
        "ceasefire_days",
        "Histogram of how long the first ceasefire held, and the share of ceasefires "
        "still holding by day (Kaplan-Meier).",
    )

    figure = Figure(figsize=(10, 4.5), layout="constrained")
    ax = plot_escalation_shares(saved.daily_states, figure.add_subplot())
    ax.set_title(f"Escalation state per day, share of runs — {subtitle}", fontsize=10)
    add(figure, "escalation", "Stacked shares of runs in each escalation state, day by day.")

    figure = Figure(figsize=(9, 6.7), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True)
    plot_force_presence(saved.daily_states, top, bottom)
    top.set_xlabel("")
    figure.suptitle(f"Peacekeeping force — {subtitle}", fontsize=10)
    add(
        figure,
        "troops_deployed",
        "The share of runs with a force in place, and the troops deployed, day by day.",
    )
    return figures


def draw_all(saved, directory: Path) -> list[Path]:
    """Write the standard figures of a saved result (:func:`standard_figures`) as PNG
    and SVG."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for stem, _, figure in standard_figures(saved):
        paths.extend(_save(figure, directory, stem))
    return paths
