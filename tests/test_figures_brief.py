"""The figures are fit for a brief: percentages in percent, intervals that show, dated
events marked, rare states visible, factors in words, no lines through samples, one
style, and the same bytes when drawn again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.text import Text

import sim
from sim.engine.outcomes import OUTCOMES
from sim.experiments.comparison import compare_tables
from sim.present import plots, style, sweep_plots
from sim.results.store import load_result, staged_directory, write_result
from tests.conftest import SCENARIOS, run_cli


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """combined.yaml (a dated ceasefire, sanctions threat and deployment), 300 runs."""
    result = sim.simulate(sim.load_scenario(SCENARIOS / "combined.yaml"), runs=300, seed=3)
    directory = tmp_path_factory.mktemp("result") / "combined"
    with staged_directory(directory) as staging:
        write_result(result, staging, run_info={"command": "test"})
    return load_result(directory)


def _drawn(figure: Figure) -> Figure:
    figure.draw_without_rendering()
    return figure


def _tick_texts(axis) -> list[str]:
    return [t.get_text() for t in axis.get_ticklabels() if t.get_text()]


def _texts(container) -> list[str]:
    return [t.get_text() for t in container.findobj(Text) if t.get_text()]


# ------------------------------------------------------------------ outcomes


def test_outcome_bars_are_in_percent_with_value_labels_and_visible_upper_bounds(saved):
    figure = Figure(figsize=(8, 4.5), layout="constrained")
    ax = plots.plot_outcomes(saved.summary, figure.add_subplot())
    _drawn(figure)
    ticks = _tick_texts(ax.xaxis)
    assert ticks and all(t.endswith("%") for t in ticks)
    assert ax.get_xlim() == (0, 100)
    bars = [p.get_width() for p in ax.patches]
    outcomes = saved.summary["outcomes"]
    assert bars == pytest.approx([100 * outcomes[o]["probability"] for o in OUTCOMES])
    zero = [o for o in OUTCOMES if outcomes[o]["probability"] == 0]
    assert zero, "combined at 300 runs has outcomes never seen"
    caps = [line for line in ax.get_lines() if line.get_gid() == "upper_bound"]
    assert len(caps) == len(zero)
    for line, outcome in zip(caps, zero, strict=True):
        high = 100 * outcomes[outcome]["ci95"][1]
        assert line.get_visible() and line.get_marker() == "|" and line.get_markersize() >= 6
        assert max(line.get_xdata()) == pytest.approx(high) and high > 0
    texts = [t.get_text() for t in ax.texts]
    assert sum(t.startswith("0% (≤ ") for t in texts) == len(zero)
    for outcome in OUTCOMES:  # every bar carries its value
        if outcomes[outcome]["probability"] > 0:
            value = style.format_percent(outcomes[outcome]["probability"])
            assert any(t.startswith(value + " (") for t in texts), value


def test_format_percent_keeps_small_bounds_visible():
    assert style.format_percent(0) == "0%"
    assert style.format_percent(0.265) == "26.5%"
    assert style.format_percent(0.00038) == "0.038%"
    assert style.format_percent(0.05, signed=True) == "+5.0%"


# ------------------------------------------------------------------ ceasefires


def _many_censoring_times(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    """First ceasefires beginning on many different days: many distinct censoring times."""
    rng = np.random.default_rng(seed)
    start = rng.integers(0, 1000, n)
    length = np.minimum(rng.exponential(400, n).astype(int), 1100 - start)
    ended = length < 1100 - start
    return pd.DataFrame({"first_ceasefire_length_days": length, "first_ceasefire_ended": ended})


def test_kaplan_meier_thins_censoring_ticks_and_draws_a_band():
    runs = _many_censoring_times()
    censored = runs.loc[~runs["first_ceasefire_ended"], "first_ceasefire_length_days"]
    assert censored.nunique() > 300  # a tick per distinct time would be hundreds
    ax = plots.plot_ceasefire_survival(runs, Figure().add_subplot(), 1100)
    ticks = [line for line in ax.get_lines() if line.get_marker() == "|"]
    assert len(ticks) == 1 and 0 < len(ticks[0].get_xdata()) <= plots.MAX_CENSOR_TICKS
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 1 and "95%" in bands[0].get_label()
    # The band holds the estimate: its vertices span below and above the curve.
    curve = next(line for line in ax.get_lines() if line.get_label() == "Kaplan–Meier estimate")
    y = np.asarray(curve.get_ydata(), dtype=float)
    vertices = bands[0].get_paths()[0].vertices[:, 1]
    assert vertices.min() <= y.min() + 1e-9 and vertices.max() >= 100 - 1e-9
    ticks_y = _tick_texts(_drawn(ax.figure).axes[0].yaxis)
    assert all(t.endswith("%") for t in ticks_y)


def test_the_ceasefire_figure_says_its_counts_once(saved):
    figures = {stem: figure for stem, _, figure in plots.standard_figures(saved)}
    texts = _texts(figures["ceasefire_days"])
    assert sum("runs with a ceasefire" in t for t in texts) == 1
    titles = [ax.get_title() for ax in figures["ceasefire_days"].axes]
    assert all("\n" not in title for title in titles)


# ------------------------------------------------------------------ dated events


def test_timeline_events_come_from_the_scenario(saved):
    scenario = saved.manifest["scenario"]
    events = plots.timeline_events(scenario)
    timeline = scenario["timeline"]
    start, term = timeline["ceasefire"]["day"], timeline["ceasefire"]["duration_days"]
    threat, deadline = (
        timeline["sanctions_threat"]["day"],
        timeline["sanctions_threat"]["deadline_days"],
    )
    days = {day for day, _ in events}
    assert {start, start + term, threat, threat + deadline} <= days
    # Moved in the scenario, moved in the figure: nothing is hard-coded.
    moved = {**scenario, "timeline": {**timeline, "sanctions_threat": {
        **timeline["sanctions_threat"], "day": 20}}}  # fmt: skip
    moved_days = {day for day, words in plots.timeline_events(moved) if "sanctions" in words}
    assert moved_days == {20, 20 + deadline}
    # Counted from the ceasefire's start: placed after the scheduled ceasefire.
    anchored = {**scenario, "timeline": {**timeline, "ceasefire": {"day": 7, "duration_days": 30},
                "deployment": {"day": 5, "after": "ceasefire_start", "ramp_days": 30}}}  # fmt: skip
    assert any(day == 12 and "deploy" in w for day, w in plots.timeline_events(anchored))
    assert plots.timeline_events({"timeline": {}, "simulation": {"horizon_days": 9}}) == []


def test_escalation_figure_marks_events_and_shows_rare_states(saved):
    figures = {stem: figure for stem, _, figure in plots.standard_figures(saved)}
    figure = _drawn(figures["escalation"])
    top, bottom = figure.axes[:2]
    events = plots._grouped(plots.timeline_events(saved.manifest["scenario"]))
    for ax in (top, bottom):
        marked = sorted(line.get_xdata()[0] for line in ax.get_lines() if line.get_gid() == "event")
        assert marked == [day for day, _ in events]
    key = [t for t in _texts(top) if t.startswith("3  day ")]
    assert key and events[2][1] in key[0]
    rare = plots.rare_states(saved.daily_states)
    assert rare  # peacekeepers attacked and NATO–Russia clash are slivers in the stack
    lines = [line for line in bottom.get_lines() if line.get_gid() != "event"]
    assert len(lines) == len(rare)
    peak = 100 * max(saved.daily_states[n].max() for n in rare)
    assert bottom.get_ylim()[1] < 100 * plots.RARE_STATE_SHARE + 1e-9
    assert bottom.get_ylim()[1] >= peak
    assert all(t.endswith("%") for t in _tick_texts(bottom.yaxis))


def test_force_share_fits_the_data_and_legends_stay_clear(saved):
    figure = Figure(figsize=(9, 6.7), layout="constrained")
    share, size = plots.plot_force_presence(saved.daily_states, *figure.subplots(2, 1, sharex=True))
    _drawn(figure)
    highest = 100 * saved.daily_states["force_in_place"].max()
    high = share.get_ylim()[1]
    assert highest <= high <= max(highest * 1.6, 5) and high < 100
    assert all(t.endswith("%") for t in _tick_texts(share.yaxis))
    legend = size.get_legend()
    assert legend.get_window_extent().x0 >= size.get_window_extent().x1 - 1


# ------------------------------------------------------------------ sweeps


def _points(
    factors: dict[str, np.ndarray], runs: int = 50, seed: int = 1, occurring: int = 7
) -> pd.DataFrame:
    """A points table as `sim sweep` writes it, with made-up shares (of the first
    ``occurring`` outcomes; the others never occur)."""
    rng = np.random.default_rng(seed)
    n = len(next(iter(factors.values())))
    frame = pd.DataFrame({"point": np.arange(n), **factors, "runs": runs})
    raw = np.zeros((n, len(OUTCOMES)))
    raw[:, :occurring] = rng.dirichlet([6, 0.05, 8, 0.05, 0.4, 0.3, 0.2][:occurring], size=n)
    counts = np.array([rng.multinomial(runs, p) for p in raw])
    low, high = sweep_plots._wilson(counts, np.full_like(counts, runs))
    for j, outcome in enumerate(OUTCOMES):
        frame[f"p:{outcome}"] = counts[:, j] / runs
        frame[f"p:{outcome}:low"], frame[f"p:{outcome}:high"] = low[:, j], high[:, j]
    return frame


def _manifest(design: str, factors: list[str], points: pd.DataFrame) -> dict:
    return {
        "sweep": {"name": "test", "design": design, "factors": [{"path": f} for f in factors]},
        "points": len(points),
        "runs_per_point": 50,
        "seed": 1,
    }


GRID = {
    "levers.troops_pledged": np.repeat(np.arange(0, 30001, 7500), 3),
    "levers.sanctions_credibility": np.tile([0.0, 0.5, 1.0], 5),
}


def test_heatmap_speaks_in_words_with_a_labelled_colour_bar_and_intervals():
    points = _points(GRID)
    figure = Figure(figsize=(6, 4), layout="constrained")
    ax = sweep_plots.plot_heatmap(
        points,
        "levers.troops_pledged",
        "levers.sanctions_credibility",
        "durable_ceasefire",
        figure.add_subplot(),
    )
    _drawn(figure)
    assert ax.get_xlabel() == "Troops pledged"
    assert ax.get_ylabel() == "Sanctions credibility"
    assert "30,000" in _tick_texts(ax.xaxis) and "7,500" in _tick_texts(ax.xaxis)
    colourbar = [a for a in figure.axes if a is not ax]
    assert len(colourbar) == 1 and colourbar[0].get_ylabel() == "Share of runs, %"
    cells = [t.get_text() for t in ax.texts]
    assert len(cells) == 15
    ordered = points.sort_values(["levers.sanctions_credibility", "levers.troops_pledged"])
    for text, (_, row) in zip(cells, ordered.iterrows(), strict=True):
        share, interval = text.split("\n")
        assert share == f"{100 * row['p:durable_ceasefire']:.0f}%"
        low, high = interval.split("–")
        assert float(low) <= float(share[:-1]) <= float(high)


def test_factor_labels_are_words():
    assert style.factor_label("levers.troops_pledged") == "Troops pledged"
    assert style.factor_label("actors.russia.nato_war_cost") == "NATO war cost (Russia)"
    assert style.format_number(30000) == "30,000" and style.format_number(0.25) == "0.25"


SAMPLED = {
    "levers.troops_pledged": np.random.default_rng(3).integers(0, 30000, 40),
    "actors.russia.resolve": np.random.default_rng(4).uniform(0.5, 4, 40),
}


def test_sampled_designs_draw_no_line_through_samples():
    points = _points(SAMPLED)
    ax = sweep_plots.plot_outcome_curves(
        points, "levers.troops_pledged", Figure().add_subplot(), sampled=True
    )
    for line in ax.get_lines():
        # Only markers (binned shares) or straight reference lines, never a path
        # through the samples.
        assert line.get_linestyle() == "None" or len(line.get_xdata()) <= 2
    assert ax.collections, "each point is drawn as a dot"
    assert ax.get_xlabel() == "Troops pledged"


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_grid_curves_are_in_percent_and_sampled_sweeps_draw(tmp_path: Path):
    points = _points(GRID)
    ax = sweep_plots.plot_outcome_curves(points, "levers.troops_pledged", Figure().add_subplot())
    _drawn(ax.figure)
    assert all(t.endswith("%") for t in _tick_texts(ax.yaxis))
    assert ax.get_xlabel() == "Troops pledged"
    latin = _points(SAMPLED)
    paths = sweep_plots.draw_sweep(latin, None, _manifest("latin", list(SAMPLED), latin), tmp_path)
    assert {p.name for p in paths} == {
        f"outcomes_by_{k}_{name}.{ext}"
        for k, name in ((1, "troops_pledged"), (2, "resolve"))
        for ext in ("png", "svg")
    }


# ------------------------------------------------------------------ comparisons


def _comparison() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    a = pd.Series(rng.choice(["durable_ceasefire", "war_continues"], 400, p=[0.3, 0.7]))
    b = a.where(rng.random(400) > 0.2, "ceasefire_collapse")
    return compare_tables(["baseline", "combined"], [a, b])


def test_comparison_is_in_percent_and_percentage_points_with_labels():
    table = _comparison()
    figure = Figure(figsize=(12, 5), layout="constrained")
    left, right = sweep_plots.plot_comparison(table, *figure.subplots(1, 2))
    _drawn(figure)
    assert all(t.endswith("%") for t in _tick_texts(left.xaxis))
    assert all(t.endswith("pp") for t in _tick_texts(right.xaxis))
    assert "percentage points" in right.get_xlabel()
    labels = [t.get_text() for t in right.texts]
    occurring = [o for o in OUTCOMES if table.loc[table["outcome"] == o, "probability"].max() > 0]
    shown = table[(table["scenario"] == "combined") & table["outcome"].isin(occurring)]
    assert len(labels) == len(shown)
    for text, d in zip(labels, shown["difference"], strict=True):
        assert text.startswith(f"{100 * d:+.1f} pp [")
    values = [t.get_text() for t in left.texts]
    assert len(values) == 2 * len(shown) and all("%" in v for v in values)


# ------------------------------------------------------------------ one style, same bytes


def test_one_outcome_colour_everywhere(saved):
    assert plots.OUTCOME_COLOURS is style.OUTCOME_COLOURS is sweep_plots.OUTCOME_COLOURS
    ax = plots.plot_outcomes(saved.summary, Figure().add_subplot())
    for patch, outcome in zip(ax.patches, OUTCOMES, strict=True):
        assert matplotlib.colors.to_hex(patch.get_facecolor()) == (
            style.OUTCOME_COLOURS[outcome].lower()
        )
    assert len(set(style.OUTCOME_COLOURS.values())) == len(OUTCOMES)


def test_percent_axis():
    ax = style.percent_axis(Figure().add_subplot(), "y")
    ax.figure.draw_without_rendering()
    assert ax.get_ylim() == (0, 100)
    assert _tick_texts(ax.yaxis)[-1] == "100%"


def test_style_changes_nothing_at_import_or_after_drawing(saved, tmp_path: Path):
    before = dict(matplotlib.rcParams)
    plots.draw_all(saved, tmp_path / "plots")
    plots.plot_outcomes(saved.summary, Figure().add_subplot())
    assert dict(matplotlib.rcParams) == before
    code = (
        "import matplotlib; before = dict(matplotlib.rcParams); "
        "import sim.present.style, sim.present.plots, sim.present.sweep_plots; "
        "raise SystemExit(dict(matplotlib.rcParams) != before)"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0


def _bytes(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_figures_are_the_same_bytes_when_drawn_twice(tmp_path: Path):
    """The sweep figures (a grid's heatmaps, whose SVG clip paths once took their ids
    from memory addresses; a Sobol' design's indices) and a comparison's, drawn twice.
    A run's figures are redrawn by `sim plot` in tests/test_report.py.  Three outcomes
    occur: three panels a figure are what is checked, in less time than seven."""
    grid, latin = _points(GRID, occurring=3), _points(SAMPLED, occurring=3)
    sobol = pd.DataFrame(
        [
            {"outcome": o, "factor": f, "S1": 0.3, "S1_conf": 0.1, "ST": 0.4, "ST_conf": 0.1}
            for o in OUTCOMES
            for f in SAMPLED
        ]
    )
    for name in ("one", "two"):
        sweep_plots.draw_sweep(
            grid, None, _manifest("grid", list(GRID), grid), tmp_path / name / "grid"
        )
        sweep_plots.draw_sweep(
            latin, sobol, _manifest("sobol", list(SAMPLED), latin), tmp_path / name / "sobol"
        )
        sweep_plots.draw_comparison(_comparison(), "caption", tmp_path / name / "compare")
    for kind in ("grid", "sobol", "compare"):
        one, two = _bytes(tmp_path / "one" / kind), _bytes(tmp_path / "two" / kind)
        assert one.keys() == two.keys() and any(k.endswith(".svg") for k in one)
        assert any(k.endswith(".png") for k in one)
        for key in one:
            assert one[key] == two[key], (kind, key)
    assert (tmp_path / "one" / "grid" / "heatmaps.svg").exists()
    assert (tmp_path / "one" / "sobol" / "sensitivity.png").exists()


# ------------------------------------------------------------------ the console


def test_a_sampled_sweep_prints_its_indices_and_only_a_few_points(tmp_path: Path):
    base = tmp_path / "short.yaml"
    base.write_text(
        f"extends: {(SCENARIOS / 'combined.yaml').as_posix()}\nname: short\n"
        "simulation: {horizon_days: 60}\n",
        encoding="utf-8",
    )
    result = run_cli(
        "sweep", base, "--design", "sobol", "--samples", "4",
        "--vary", "levers.sanctions_credibility=0:1",
        "--vary", "actors.russia.violation_gain=0.2:1",
        "--runs", "20", "--no-plots", "--no-progress", "--out", "s", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Sobol' indices" in out and "S1" in out and "ST" in out and "±" in out
    assert "First points of 16" in out
    assert "(11 more points in points.parquet)" in out
    rows = [line for line in out.splitlines() if line.startswith("│") and "%" in line]
    assert len(rows) <= 5


def test_svg_clip_ids_do_not_depend_on_memory_addresses(tmp_path: Path):
    """matplotlib names a clip path by a hash that includes the clip path's id() (an
    image clipped by its axes): saved SVGs number them in order of first use instead."""
    import re

    import matplotlib.pyplot as plt

    text = (
        '<g clip-path="url(#p0123456789)"/><g clip-path="url(#pabcdefabcd)"/>'
        '<clipPath id="p0123456789"/><clipPath id="pabcdefabcd"/><path d="p0"/>'
    )
    assert style.stable_svg_ids(text) == (
        '<g clip-path="url(#clip1)"/><g clip-path="url(#clip2)"/>'
        '<clipPath id="clip1"/><clipPath id="clip2"/><path d="p0"/>'
    )
    drawn = []
    for name in ("a", "b"):
        figure, ax = plt.subplots()
        ax.imshow([[0, 1], [1, 0]])
        keep = [object() for _ in range(1000)]  # other memory addresses for the second
        (tmp_path / name).mkdir()
        style.save(figure, tmp_path / name, "image")
        plt.close(figure)
        drawn.append((tmp_path / name / "image.svg").read_bytes())
        del keep
    assert drawn[0] == drawn[1]
    assert b"clip1" in drawn[0] and not re.search(rb"#p[0-9a-f]{10}", drawn[0])
