"""Figures of a result directory (matplotlib, no display needed).

Each ``plot_*`` function draws on the ``matplotlib.axes.Axes`` it is given and
returns it (:func:`plot_force_presence` takes and returns two), so figures
can be composed; none calls ``plt.show()``.  :func:`draw_all` builds the
standard figures of a saved result and writes them as PNG (200 dpi, for print)
and SVG (text kept as text, so it stays editable); every figure it writes
carries a footer (:func:`figure_caption`) with the scenario's name, the number
of runs and the seed, and says it is a conditional exploration, not a
forecast.

Every figure has the look of :mod:`sim.present.style` (colour-blind-safe colours, one
colour per outcome in every figure, the same font sizes), applied only while a
figure is drawn and saved (``matplotlib.rc_context``): importing this module
changes nothing.  Shares of runs are drawn in percent.  The escalation ladder
is ordinal and the deployed force is either absent or sizeable, so those
figures show shares of runs (from ``daily_states``), not quantiles
(:func:`plot_fan` draws quantile fans of ``trajectory_quantiles`` for other
daily variables).  Figures over days mark the scenario's dated events
(:func:`timeline_events`: the ceasefire's start and the end of its term, the
sanctions threat and its deadline, the first day troops may deploy) with
numbered dotted lines.  Figures are made with ``matplotlib.figure.Figure``
directly (no pyplot state), so this works without a screen.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from scipy import stats

from sim.engine.outcomes import ESCALATION_LEVELS, OUTCOMES
from sim.present import style
from sim.present.style import ESCALATION_COLOURS, OUTCOME_COLOURS, PNG_DPI

__all__ = [
    "ESCALATION_COLOURS",
    "OUTCOME_COLOURS",
    "PNG_DPI",
    "add_caption",
    "draw_all",
    "figure_caption",
    "mark_events",
    "plot_ceasefire_lengths",
    "plot_ceasefire_survival",
    "plot_escalation_shares",
    "plot_fan",
    "plot_force_presence",
    "plot_force_share",
    "plot_force_size",
    "plot_outcomes",
    "plot_rare_states",
    "standard_figures",
    "timeline_events",
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

#: Matplotlib settings used while saving (those of :data:`sim.present.style.RC` that make the
#: SVG editable and the same bytes every time).
SAVE_RC = {key: style.RC[key] for key in ("svg.fonttype", "svg.hashsalt")}

#: Height (inches) kept free at the bottom of a figure for its caption.
CAPTION_HEIGHT = 0.3

#: Tick labels of the escalation ladder, from :data:`sim.engine.outcomes.ESCALATION_LEVELS`.
ESCALATION_LABELS = {
    level: name.replace("_", " ").replace("nato russia", "NATO–Russia")
    for name, level in ESCALATION_LEVELS.items()
}

#: At most this many censoring ticks on a Kaplan–Meier curve (one per span of days).
MAX_CENSOR_TICKS = 40

#: Escalation states whose share of runs stays below this on every day are drawn again,
#: on their own scale, by :func:`plot_rare_states` (in the stack they are slivers).
RARE_STATE_SHARE = 0.05


def _interval_text(p: float, low: float, high: float) -> str:
    """A share and its interval, e.g. "26.5% (24.6–28.5%)"; for a share of 0, the upper
    bound: "0% (≤ 0.19%)"."""
    percent = style.format_percent
    if p == 0:  # two significant digits: an upper bound of 0.19% is not "0.2%"
        return f"0% (≤ {100 * high:.2g}%)"
    return f"{percent(p)} ({percent(low)[:-1]}–{percent(high)})"


def _interval_bars(
    ax: Axes,
    y: np.ndarray,
    share: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    colours: Sequence,
    height: float = 0.7,
    labels: bool = True,
    label_size: float = style.ANNOTATION_SIZE,
) -> Axes:
    """Horizontal bars of shares (0–1) drawn in percent on a 0–100% axis, each with its
    95% interval and a value label.

    A bar of 0 has no width, and the upper bound of its interval (a fraction of a
    percent) would hide in the axis line: it is drawn as a whisker from 0 with a cap
    of fixed size (``gid="upper_bound"``) and labelled "0% (≤ x%)".
    """
    p, lo, hi = (100 * np.asarray(a, dtype=float) for a in (share, low, high))
    lo, hi = np.minimum(lo, p), np.maximum(hi, p)  # rounding never puts p outside
    ax.barh(y, p, height, color=colours, zorder=2)
    width_inches = ax.get_position().width * ax.figure.get_figwidth()
    for yi, pi, li, ui, colour in zip(y, p, lo, hi, colours, strict=True):
        if pi > 0:
            ax.errorbar(
                pi,
                yi,
                xerr=[[pi - li], [ui - pi]],
                fmt="none",
                ecolor=style.INK,
                elinewidth=1,
                capsize=3,
                zorder=3,
            )
        else:
            ax.plot(
                [0, ui],
                [yi, yi],
                color=style.INK,
                lw=1.2,
                marker="|",
                markevery=[1],
                ms=min(9, 40 * height),
                mew=1.6,
                gid="upper_bound",
                zorder=3,
                clip_on=False,
            )
        if not labels:
            continue
        text = _interval_text(pi / 100, li / 100, ui / 100)
        # Width of the label as a share of the axis (0.6 em a character).
        room = len(text) * 0.6 * label_size / 72 / max(width_inches, 1e-6) * 100
        if ui + 1.5 + room <= 100 or li - 1.5 - room < 0:
            ax.text(ui + 1.2, yi, text, va="center", ha="left", fontsize=label_size, zorder=4)
        else:  # no room right of the whisker: inside the bar, left of it
            ax.text(
                li - 1.2,
                yi,
                text,
                va="center",
                ha="right",
                fontsize=label_size,
                color=style.text_colour_on(colour),
                zorder=4,
            )
    style.percent_axis(ax, "x", (0, 100))
    return ax


@style.styled
def plot_outcomes(summary: dict, ax: Axes) -> Axes:
    """Horizontal bars: share of runs (in percent, 0–100%) ending in each outcome class,
    with its 95% Wilson interval and a value label; an outcome never seen shows the
    upper bound of its interval ("0% (≤ x%)")."""
    names = list(OUTCOMES)
    probability = np.array([summary["outcomes"][n]["probability"] for n in names])
    low = np.array([summary["outcomes"][n]["ci95"][0] for n in names])
    high = np.array([summary["outcomes"][n]["ci95"][1] for n in names])
    y = np.arange(len(names))
    _interval_bars(ax, y, probability, low, high, [OUTCOME_COLOURS[n] for n in names])
    ax.set_yticks(y, [OUTCOME_LABELS[n] for n in names])
    ax.invert_yaxis()
    ax.set_xlabel("Share of runs (whiskers: 95% Wilson intervals)")
    style.tidy(ax, grid="x")
    ax.spines["left"].set_visible(False)  # the bars start at 0: a 0 bar's cap stays visible
    ax.tick_params(axis="y", length=0)
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


def ceasefire_counts(runs: pd.DataFrame) -> str:
    """Which runs the ceasefire panels count, in one line.

    Both panels draw the same ``n`` runs, those where a first ceasefire began;
    the ones that ended before the horizon are events, the rest are
    right-censored (still holding when the simulation stopped).
    """
    length, ended = _first_ceasefires(runs)
    n, n_runs, n_ended = int(length.size), len(runs), int(ended.sum())
    without = "" if n == n_runs else f" ({n_runs - n:,} of {n_runs:,} runs had none, not drawn)"
    return (
        f"n = {n:,} runs with a ceasefire{without}: {n_ended:,} ended before the horizon, "
        f"{n - n_ended:,} still holding (censored)"
    )


def _length_bins(length: np.ndarray, horizon_days: int) -> np.ndarray:
    """Whole-day bin edges 0, w, 2w, ... past the horizon (about 36 bins)."""
    top = max(horizon_days, int(length.max()) if length.size else 0)
    width = max(1, int(np.ceil((top + 1) / 36)))
    return np.arange(0, top + width + 1, width)


@style.styled
def plot_ceasefire_lengths(
    runs: pd.DataFrame, ax: Axes, horizon_days: int, *, counts: bool = True
) -> Axes:
    """Histogram of the first ceasefire's length, over runs where a ceasefire began.

    Bars stack ceasefires that collapsed and ceasefires still holding at the
    horizon (right-censored: their true length is longer).  Bins are
    whole-day ranges ``[a, b)`` starting at 0, so a ceasefire that collapsed on
    the day it began (length 0) is counted.  Same runs as
    :func:`plot_ceasefire_survival`; with ``counts`` the title says which
    (:func:`ceasefire_counts`; a figure with both panels says it once instead).
    """
    length, ended = _first_ceasefires(runs)
    bins = _length_bins(length, horizon_days)
    ax.hist(
        [length[ended], length[~ended]],
        bins=bins,
        stacked=True,
        color=[style.ENDED, style.HOLDING],
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
    style.tidy(ax, grid="y")
    ax.legend(loc="upper center")
    title = "Length of the first ceasefire"
    ax.set_title(f"{title}\n{ceasefire_counts(runs)}" if counts else title)
    return ax


def _censoring_ticks(censored: np.ndarray, xmax: float) -> tuple[np.ndarray, int]:
    """At most :data:`MAX_CENSOR_TICKS` censoring times to mark, one per span of
    ``width`` days that holds any (the first such time in the span); and ``width``."""
    width = max(1, int(np.ceil((xmax + 1) / MAX_CENSOR_TICKS)))
    times = np.sort(censored)
    _, first = np.unique(np.floor(times / width), return_index=True)
    return times[first], width


@style.styled
def plot_ceasefire_survival(
    runs: pd.DataFrame, ax: Axes, horizon_days: int | None = None, *, counts: bool = True
) -> Axes:
    """Kaplan–Meier survival curve of the first ceasefire's length, in percent, with its
    95% confidence band.

    The estimate is ``scipy.stats.ecdf`` on ``scipy.stats.CensoredData``;
    ceasefires still holding at the horizon are right-censored.  The band is
    pointwise, from Greenwood's variance formula on the log(−log S) scale
    (scipy's ``method="log-log"``, as in ``summary.json``'s
    ``ceasefire_survival``): it stays within 0–100%; where S is 0 or 100% it is
    undefined and drawn as the estimate itself.  Censoring is marked with at
    most :data:`MAX_CENSOR_TICKS` ticks, one per span of days that holds any.
    Same runs as :func:`plot_ceasefire_lengths`; given ``horizon_days``, the x
    axis spans the same days as that histogram.  With ``counts`` the title says
    which runs (:func:`ceasefire_counts`).
    """
    length, ended = _first_ceasefires(runs)
    ax.set_xlabel("Days since the first ceasefire began")
    ax.set_ylabel("First ceasefires still holding")
    style.percent_axis(ax, "y", (0, 102))
    style.tidy(ax)
    title = "Share still holding (Kaplan–Meier, 95% band)"
    ax.set_title(f"{title}\n{ceasefire_counts(runs)}" if counts else title)
    if length.size == 0:
        ax.text(
            0.5, 0.5, "No ceasefire in any run", ha="center", va="center", transform=ax.transAxes
        )
        return ax
    data = stats.CensoredData(uncensored=length[ended], right=length[~ended])
    survival = stats.ecdf(data).sf
    x = np.concatenate([[0.0], survival.quantiles])
    y = np.concatenate([[1.0], survival.probabilities])
    if ended.any():
        with warnings.catch_warnings():
            # Where S is 0 or 1 the log-log interval is undefined (NaN): drawn as S.
            warnings.simplefilter("ignore", RuntimeWarning)
            band = survival.confidence_interval(0.95, method="log-log")
        low = np.concatenate([[1.0], band.low.probabilities])
        high = np.concatenate([[1.0], band.high.probabilities])
        low, high = np.where(np.isnan(low), y, low), np.where(np.isnan(high), y, high)
        ax.fill_between(
            x,
            100 * low,
            100 * high,
            step="post",
            color=style.MAIN,
            alpha=0.22,
            lw=0,
            label="95% confidence band (Greenwood, log-log)",
        )
    ax.step(x, 100 * y, where="post", color=style.MAIN, lw=1.6, label="Kaplan–Meier estimate")
    xmax = (
        max(float(length.max()), 1.0) * 1.02
        if horizon_days is None
        else float(_length_bins(length, horizon_days)[-1])
    )
    censored = length[~ended]
    if censored.size:
        times, width = _censoring_ticks(censored, xmax)
        span = "day" if width == 1 else f"{width}-day span"
        ax.plot(
            times,
            100 * np.interp(times, x, y, right=y[-1]),
            ls="none",
            marker="|",
            ms=7,
            mew=1.0,
            color=style.INK,
            label=f"censored: still holding (at most a tick per {span})",
        )
    ax.set_xlim(0, xmax)
    ax.legend(loc="upper right")
    return ax


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _state_label(name: str) -> str:
    return _sentence_case(ESCALATION_LABELS[ESCALATION_LEVELS[name]])


# ------------------------------------------------------------------ dated events


def timeline_events(scenario: dict) -> list[tuple[int, str]]:
    """The dated events of a scenario (its JSON dict, as in ``manifest.json``):
    ``(day, words)``, by day, days from the run's start.

    The ceasefire's start and the end of its agreed term, the sanctions threat
    and its deadline, the first day troops may deploy.  An event counted from
    the ceasefire's start (``after: ceasefire_start``) is placed after the
    scheduled ceasefire (``timeline.ceasefire.day``); without a scheduled
    ceasefire its day differs from run to run and it is left out.  Only days
    before the horizon are kept.
    """
    timeline = scenario.get("timeline") or {}
    horizon = scenario.get("simulation", {}).get("horizon_days")
    events: list[tuple[int, str]] = []
    ceasefire = timeline.get("ceasefire")
    start = None
    if ceasefire:
        start = int(ceasefire["day"])
        events.append((start, f"ceasefire begins ({ceasefire['duration_days']}-day term)"))
        events.append((start + int(ceasefire["duration_days"]), "ceasefire term ends"))

    def placed(event: dict) -> tuple[int | None, str]:
        if event.get("after", "start") == "start":
            return int(event["day"]), ""
        if start is None:
            return None, ""
        return start + int(event["day"]), f" (ceasefire start + {event['day']} d)"

    threat = timeline.get("sanctions_threat")
    if threat:
        day, note = placed(threat)
        if day is not None:
            events.append((day, f"US sanctions threat{note}"))
            deadline = int(threat["deadline_days"])
            events.append((day + deadline, f"sanctions deadline (threat + {deadline} d)"))
    deployment = timeline.get("deployment")
    if deployment:
        day, note = placed(deployment)
        if day is not None:
            events.append((day, f"troops may deploy{note}"))
    # Days run from 0 to horizon - 1: an event on the horizon's day never comes.
    events = [e for e in events if horizon is None or e[0] < horizon]
    return sorted(events, key=lambda e: e[0])


def _grouped(events: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """Events of the same day as one: ``(day, "a; b")``."""
    days: dict[int, list[str]] = {}
    for day, words in events:
        days.setdefault(int(day), []).append(words)
    return [(day, "; ".join(words)) for day, words in sorted(days.items())]


def _event_key(
    ax: Axes, events: Sequence[tuple[int, str]], numbers: bool = True, **legend: object
) -> None:
    """A legend of ``events`` ("1  day 10: US sanctions threat", numbered as
    :func:`mark_events` numbers them) with ``legend``'s placement; draws no line and
    keeps any legend ``ax`` already has."""
    grouped = _grouped(events)
    handles = [Line2D([], [], color=style.INK, ls=(0, (1.5, 2)), lw=0.9) for _ in grouped]
    labels = [
        f"{i}  day {day}: {words}" if numbers else f"day {day}: {words}"
        for i, (day, words) in enumerate(grouped, start=1)
    ]
    previous = ax.get_legend()
    ax.legend(handles, labels, **{"title": "Dated events (scenario)", "borderaxespad": 0, **legend})
    if previous is not None:
        ax.add_artist(previous)


def mark_events(
    ax: Axes, events: Sequence[tuple[int, str]], key: dict | None = None, numbers: bool = True
) -> Axes:
    """Dotted vertical lines at ``events`` (``(day, words)``, e.g. from
    :func:`timeline_events`), numbered in small circles near the top of ``ax``
    (staggered where they crowd); with ``key`` (``ax.legend`` keywords), a legend
    "1 day 10: US sanctions threat" that keeps any legend ``ax`` already has."""
    grouped = [(d, w) for d, w in _grouped(events) if ax.get_xlim()[0] <= d <= ax.get_xlim()[1]]
    if not grouped:
        return ax
    left, right = ax.get_xlim()
    rows: list[float] = []  # x (axes fraction) of the last marker in each row
    for i, (day, _) in enumerate(grouped, start=1):
        ax.axvline(day, color=style.INK, ls=(0, (1.5, 2)), lw=0.9, zorder=5, gid="event")
        if not numbers:
            continue
        where = (day - left) / (right - left)
        row = next((r for r, last in enumerate(rows) if where - last >= 0.03), len(rows))
        if row == len(rows):
            rows.append(where)
        rows[row] = where
        ax.annotate(
            str(i),
            (day, 1),
            xycoords=("data", "axes fraction"),
            xytext=(0, -8 - 13 * row),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=style.ANNOTATION_SIZE,
            bbox={"boxstyle": "circle,pad=0.2", "fc": "white", "ec": style.INK, "lw": 0.6},
            zorder=6,
        )
    if key is not None:
        _event_key(ax, grouped, numbers=numbers, **key)
    return ax


# ------------------------------------------------------------------ escalation


@style.styled
def plot_escalation_shares(
    daily_states: pd.DataFrame, ax: Axes, events: Sequence[tuple[int, str]] | None = None
) -> Axes:
    """Stacked areas: share of runs (in percent) in each escalation state, per day.

    The escalation ladder is ordinal, so its per-day quantiles jump between
    levels and hide how many runs are where; the shares do not.  States rarer
    than a few percent are slivers here: :func:`plot_rare_states` draws them on
    their own scale.  ``events`` (:func:`timeline_events`) are marked and keyed.
    """
    data = daily_states.sort_values("day")
    day = data["day"].to_numpy()
    names = list(ESCALATION_LEVELS)
    areas = ax.stackplot(
        day,
        *(100 * data[n].to_numpy() for n in names),
        colors=[ESCALATION_COLOURS[n] for n in names],
        labels=[_state_label(n) for n in names],
        linewidth=0,
    )
    ax.set_xlim(day.min(), day.max())
    ax.set_xlabel("Day")
    ax.set_ylabel("Share of runs")
    style.percent_axis(ax, "y", (0, 100))
    style.tidy(ax)
    ax.set_axisbelow(False)
    if events:
        mark_events(
            ax, events, key={"loc": "lower left", "bbox_to_anchor": (1.01, 0), "borderaxespad": 0}
        )
    previous = ax.get_legend()
    # Legend top-down in the order of the stack (most severe on top).
    ax.legend(
        areas[::-1],
        [a.get_label() for a in areas[::-1]],
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        borderaxespad=0,
        title="State that day",
    )
    if previous is not None:
        ax.add_artist(previous)
    return ax


def rare_states(daily_states: pd.DataFrame, threshold: float = RARE_STATE_SHARE) -> list[str]:
    """Escalation states whose share of runs is below ``threshold`` on every day."""
    return [n for n in ESCALATION_LEVELS if daily_states[n].max() < threshold]


@style.styled
def plot_rare_states(
    daily_states: pd.DataFrame,
    ax: Axes,
    threshold: float = RARE_STATE_SHARE,
    events: Sequence[tuple[int, str]] | None = None,
    numbers: bool = True,
) -> Axes:
    """The escalation states rarer than ``threshold`` on every day (:func:`rare_states`),
    as lines on their own percent scale: in the stack of
    :func:`plot_escalation_shares` they are too thin to see.  A state never reached
    is drawn at 0 and says so."""
    data = daily_states.sort_values("day")
    day = data["day"].to_numpy()
    names = rare_states(data, threshold)
    ax.set_xlim(day.min(), day.max())
    ax.set_xlabel("Day")
    ax.set_ylabel("Share of runs")
    style.tidy(ax)
    if not names:
        ax.text(
            0.5,
            0.5,
            f"Every state reaches {threshold:.0%} of runs on some day",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
        style.percent_axis(ax, "y", (0, 100))
        return ax
    peak = max(float(data[n].max()) for n in names)
    for n in names:
        share = 100 * data[n].to_numpy()
        most = float(share.max())
        note = "never reached" if most == 0 else f"peak {style.format_percent(most / 100)}"
        ax.step(
            day,
            share,
            where="mid",
            color=ESCALATION_COLOURS[n],
            lw=1.6,
            label=f"{_state_label(n)} ({note})",
        )
    top = style.nice_ceiling(100 * peak * 1.25) if peak > 0 else 1.0
    decimals = 0 if top >= 10 else 1 if top >= 1 else 2
    style.percent_axis(ax, "y", (-0.02 * top, top), decimals=decimals)
    if events:
        mark_events(ax, events, numbers=numbers)
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        borderaxespad=0,
        title=f"Below {threshold:.0%} of runs every day",
    )
    return ax


# ------------------------------------------------------------------ the force


@style.styled
def plot_force_share(
    daily_states: pd.DataFrame,
    ax: Axes,
    colour: str = style.MAIN,
    events: Sequence[tuple[int, str]] | None = None,
) -> Axes:
    """Share of runs with a force in place (``troops_deployed > 0``), per day, in
    percent; the axis fits the data with headroom (not 0–100%)."""
    data = daily_states.sort_values("day")
    day = data["day"].to_numpy()
    share = 100 * data["force_in_place"].to_numpy(dtype=float)
    ax.step(day, share, where="mid", color=colour, lw=1.8)
    ax.set_xlim(day.min(), day.max())
    top = min(100.0, style.nice_ceiling(max(float(share.max()) * 1.1, 5.0)))
    # From a little below 0, so a share of 0 stays visible above the axis.
    style.percent_axis(ax, "y", (-0.02 * top, top), decimals=0 if top >= 10 else 1)
    ax.set_xlabel("Day")
    ax.set_ylabel("Share of runs")
    style.tidy(ax)
    if events:
        mark_events(ax, events)
    return ax


@style.styled
def plot_force_size(
    daily_states: pd.DataFrame,
    ax: Axes,
    colour: str = style.MAIN,
    events: Sequence[tuple[int, str]] | None = None,
) -> Axes:
    """Troops deployed among runs with a force in place: median, 50% and 90% bands, mean.

    Days with no force in any run are left blank.  The legend sits right of the
    axes, clear of the bands.
    """
    data = daily_states.sort_values("day")
    day = data["day"].to_numpy()
    ax.set_xlim(day.min(), day.max())
    ax.set_xlabel("Day")
    ax.set_ylabel("Troops deployed")
    style.tidy(ax)
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
    for low, high, alpha, share in (("q05", "q95", 0.18, "90%"), ("q25", "q75", 0.4, "50%")):
        ax.fill_between(
            day,
            data[f"troops_in_place_{low}"],
            data[f"troops_in_place_{high}"],
            color=colour,
            alpha=alpha,
            step="mid",
            lw=0,
            label=f"middle {share} of those runs",
        )
    ax.step(day, data["troops_in_place_q50"], where="mid", color=colour, lw=1.8, label="median")
    ax.plot(day, data["troops_in_place_mean"], color=style.INK, lw=1, ls="--", label="mean")
    top = float(np.nanmax(data["troops_in_place_q95"].to_numpy(dtype=float)))
    ax.set_ylim(0, top * 1.08 if top > 0 else 1)
    ax.yaxis.set_major_formatter("{x:,.0f}")
    if events:
        mark_events(ax, events)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    return ax


def plot_force_presence(
    daily_states: pd.DataFrame,
    ax_share: Axes,
    ax_dist: Axes,
    events: Sequence[tuple[int, str]] | None = None,
) -> tuple[Axes, Axes]:
    """Both force panels, titled: :func:`plot_force_share` and :func:`plot_force_size`;
    ``events`` marked on both, keyed beside the first."""
    plot_force_share(daily_states, ax_share, events=events)
    ax_share.set_title("Share of runs with a force in place", fontsize=style.LABEL_SIZE)
    if events:
        with style.figure_context():
            _event_key(ax_share, events, loc="upper left", bbox_to_anchor=(1.01, 1))
    plot_force_size(daily_states, ax_dist, events=events)
    ax_dist.set_title("Troops deployed among runs with a force in place", fontsize=style.LABEL_SIZE)
    return ax_share, ax_dist


@style.styled
def plot_fan(
    quantiles: pd.DataFrame,
    variable: str,
    ax: Axes,
    colour: str = style.OKABE_ITO["vermillion"],
    events: Sequence[tuple[int, str]] | None = None,
) -> Axes:
    """Fan chart of a daily variable: median, 50% and 90% bands over runs, and the mean;
    ``events`` (:func:`timeline_events`) marked and keyed.  For ``escalation_level``
    the y ticks name the ladder's states."""
    data = quantiles[quantiles["variable"] == variable].sort_values("day")
    day = data["day"].to_numpy()
    ax.fill_between(
        day, data["q05"], data["q95"], color=colour, alpha=0.18, step="mid", lw=0,
        label="middle 90% of runs",
    )  # fmt: skip
    ax.fill_between(
        day, data["q25"], data["q75"], color=colour, alpha=0.4, step="mid", lw=0,
        label="middle 50% of runs",
    )  # fmt: skip
    ax.step(day, data["q50"], where="mid", color=colour, lw=1.8, label="median")
    ax.plot(day, data["mean"], color=style.INK, lw=1, ls="--", label="mean")
    ax.set_xlabel("Day")
    ax.set_xlim(day.min(), day.max())
    if variable == "escalation_level":
        levels = sorted(ESCALATION_LABELS)
        ax.set_yticks(levels, [_sentence_case(ESCALATION_LABELS[v]) for v in levels])
    style.tidy(ax)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    if events:
        mark_events(
            ax, events, key={"loc": "lower left", "bbox_to_anchor": (1.01, 0), "borderaxespad": 0}
        )
    return ax


# ------------------------------------------------------------------ figures


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
    figure.text(
        0.5,
        strip / 2,
        text,
        ha="center",
        va="center",
        fontsize=style.CAPTION_SIZE,
        color=style.MUTED_TEXT,
    )
    return figure


def _save(figure: Figure, directory: Path, stem: str) -> list[Path]:
    """Write PNG at :data:`PNG_DPI` and SVG with text kept as text
    (:func:`sim.present.style.save`)."""
    return style.save(figure, directory, stem, dpi=PNG_DPI)


def standard_figures(saved) -> list[tuple[str, str, Figure]]:
    """The standard figures of a saved result (:class:`sim.results.store.SavedResult`):
    ``(stem, description, figure)``, each with the footer :func:`figure_caption`.
    The description says in words what the figure shows (alt text)."""
    with style.figure_context():
        return _standard_figures(saved)


def _standard_figures(saved) -> list[tuple[str, str, Figure]]:
    scenario = saved.manifest["scenario"]
    horizon = scenario["simulation"]["horizon_days"]
    subtitle = f"scenario '{saved.scenario_name}', {horizon}-day horizon"
    caption = figure_caption(saved.manifest)
    events = timeline_events(scenario)
    figures: list[tuple[str, str, Figure]] = []

    def add(figure: Figure, stem: str, description: str) -> None:
        add_caption(figure, caption)
        figures.append((stem, description, figure))

    figure = Figure(figsize=(8.5, 4.5), layout="constrained")
    ax = plot_outcomes(saved.summary, figure.add_subplot())
    ax.set_title(f"Outcome probabilities — {subtitle}", fontsize=style.TITLE_SIZE)
    add(
        figure,
        "outcomes",
        "Bar chart of the share of runs ending in each outcome, in percent, with 95% "
        "intervals; an outcome never seen is labelled with the upper bound of its interval.",
    )

    figure = Figure(figsize=(11, 4.8), layout="constrained")
    left, right = figure.subplots(1, 2)
    plot_ceasefire_lengths(saved.runs, left, horizon, counts=False)
    plot_ceasefire_survival(saved.runs, right, horizon, counts=False)
    figure.suptitle(
        f"How long the first ceasefire held — {subtitle}\n{ceasefire_counts(saved.runs)}",
        fontsize=style.TITLE_SIZE,
    )
    add(
        figure,
        "ceasefire_days",
        "Histogram of how long the first ceasefire held, and the share of ceasefires "
        "still holding by day (Kaplan-Meier, with a 95% confidence band).",
    )

    rare = rare_states(saved.daily_states)
    if rare:
        figure = Figure(figsize=(10.5, 6.6), layout="constrained")
        top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[2.4, 1])
    else:
        figure = Figure(figsize=(10.5, 4.6), layout="constrained")
        top, bottom = figure.add_subplot(), None
    plot_escalation_shares(saved.daily_states, top, events=events)
    top.set_title("Escalation state per day, share of runs", fontsize=style.LABEL_SIZE)
    if bottom is not None:
        top.set_xlabel("")
        plot_rare_states(saved.daily_states, bottom, events=events, numbers=False)
        bottom.set_title(
            f"Rare states on their own scale (below {RARE_STATE_SHARE:.0%} of runs every day)",
            fontsize=style.LABEL_SIZE,
        )
    figure.suptitle(f"Escalation — {subtitle}", fontsize=style.TITLE_SIZE)
    add(
        figure,
        "escalation",
        "Stacked shares of runs in each escalation state, day by day, with the scenario's "
        "dated events marked; below, the rare states on their own scale.",
    )

    figure = Figure(figsize=(10, 6.7), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True)
    plot_force_presence(saved.daily_states, top, bottom, events=events)
    top.set_xlabel("")
    figure.suptitle(f"Peacekeeping force — {subtitle}", fontsize=style.TITLE_SIZE)
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
    with style.figure_context():
        for stem, _, figure in standard_figures(saved):
            paths.extend(_save(figure, directory, stem))
    return paths
