"""daily_states.parquet and the figures drawn from it: they count what they say they count."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

import sim
from sim.engine.outcomes import ESCALATION_LEVELS
from sim.present.plots import (
    PNG_DPI,
    draw_all,
    figure_caption,
    plot_ceasefire_lengths,
    plot_ceasefire_survival,
    plot_escalation_shares,
    plot_force_presence,
)
from sim.results.store import (
    ResultDirectoryError,
    daily_states,
    load_result,
    staged_directory,
    write_result,
)
from tests.conftest import SCENARIOS, run_cli

QUANTILE_COLUMNS = [f"troops_in_place_q{q:02d}" for q in (5, 25, 50, 75, 95)]
STEMS = ("outcomes", "ceasefire_days", "escalation", "troops_deployed")


@pytest.fixture(scope="module")
def simulated():
    return sim.simulate(sim.load_scenario(SCENARIOS / "combined.yaml"), runs=300, seed=3)


@pytest.fixture(scope="module")
def saved(simulated, tmp_path_factory):
    """The result written and read back as `sim run` does (staged, then renamed)."""
    directory = tmp_path_factory.mktemp("result") / "combined"
    with staged_directory(directory) as staging:
        write_result(simulated, staging, run_info={"command": "test"})
    return load_result(directory)


def test_daily_states_is_written_and_read_back(saved, simulated):
    assert (saved.path / "daily_states.parquet").is_file()
    assert "daily_states.parquet" in {entry["path"] for entry in saved.manifest["files"]}
    table = saved.daily_states
    days = simulated.trajectories["escalation_level"].shape[0]
    assert list(table["day"]) == list(range(days))
    assert list(table.columns) == [
        "day",
        *ESCALATION_LEVELS,
        "force_in_place",
        "runs_with_force",
        "troops_in_place_mean",
        *QUANTILE_COLUMNS,
    ]


def test_escalation_shares_sum_to_one_and_match_a_direct_count(saved, simulated):
    table = saved.daily_states
    shares = table[list(ESCALATION_LEVELS)].to_numpy()
    np.testing.assert_allclose(shares.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    escalation = simulated.trajectories["escalation_level"]
    for name, level in ESCALATION_LEVELS.items():
        direct = [np.mean(escalation[day] == level) for day in range(escalation.shape[0])]
        np.testing.assert_allclose(table[name], direct, rtol=0, atol=1e-12)
    # The scenario is rich enough for the test to mean something.
    assert (shares > 0).any(axis=0).sum() >= 4


def test_force_share_and_masked_quantiles(saved, simulated):
    table = saved.daily_states
    troops = simulated.trajectories["troops_deployed"]
    np.testing.assert_allclose(table["force_in_place"], (troops > 0).mean(axis=1), atol=1e-12)
    np.testing.assert_array_equal(table["runs_with_force"], (troops > 0).sum(axis=1))
    with_force = np.flatnonzero(table["runs_with_force"] > 0)
    without = np.flatnonzero(table["runs_with_force"] == 0)
    assert with_force.size and without.size  # the force arrives after day 0
    for day in (*with_force[:3], with_force[len(with_force) // 2], with_force[-1]):
        present = troops[day][troops[day] > 0].astype(float)
        expected = np.quantile(present, [0.05, 0.25, 0.5, 0.75, 0.95])
        np.testing.assert_allclose(table.loc[day, QUANTILE_COLUMNS].to_numpy(float), expected)
        assert table.loc[day, "troops_in_place_mean"] == pytest.approx(present.mean())
    assert table.loc[without, ["troops_in_place_mean", *QUANTILE_COLUMNS]].isna().all().all()


def test_daily_states_edge_cases():
    escalation = np.array([[0, 4, 4], [2, 2, 3]], dtype=np.int8)
    troops = np.array([[0, 0, 0], [0, 500, 1500]], dtype=np.float32)
    table = daily_states({"escalation_level": escalation, "troops_deployed": troops})
    assert table.loc[0, "nato_russia_clash"] == pytest.approx(2 / 3)
    assert table.loc[1, "war"] == pytest.approx(2 / 3)
    assert np.isnan(table.loc[0, "troops_in_place_q50"])
    assert table.loc[1, "troops_in_place_q50"] == 1000
    assert table.loc[1, "troops_in_place_q05"] == pytest.approx(550)
    with pytest.raises(ValueError, match="escalation ladder"):
        daily_states({"escalation_level": escalation + 1, "troops_deployed": troops})


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def _title_n(ax) -> int:
    match = re.search(r"n = ([\d,]+) runs with a ceasefire", ax.get_title())
    assert match, ax.get_title()
    return _number(match.group(1))


def _title_ended_censored(ax) -> tuple[int, int]:
    match = re.search(
        r"([\d,]+) ended before the horizon, ([\d,]+) still holding \(censored\)", ax.get_title()
    )
    assert match, ax.get_title()
    return _number(match.group(1)), _number(match.group(2))


def test_ceasefire_panels_count_the_same_runs(saved):
    runs = saved.runs
    horizon = saved.manifest["scenario"]["simulation"]["horizon_days"]
    left, right = Figure().subplots(1, 2)
    plot_ceasefire_lengths(runs, left, horizon)
    plot_ceasefire_survival(runs, right, horizon)
    started = runs["first_ceasefire_length_days"].notna()
    # Stacked bars: every patch is one bin of one series; their heights add up to N.
    drawn = sum(patch.get_height() for patch in left.patches)
    assert drawn == _title_n(left) == _title_n(right) == started.sum()
    ended = int(runs.loc[started, "first_ceasefire_ended"].astype(bool).sum())
    expected = (ended, int(started.sum()) - ended)
    assert _title_ended_censored(left) == _title_ended_censored(right) == expected
    # First ceasefires that collapsed on their first day (length 0) are in the first bar.
    zero = int((runs["first_ceasefire_length_days"] == 0).sum())
    assert zero > 0
    first_bin = [p for p in left.patches if p.get_x() == 0]
    assert min(p.get_x() for p in left.patches) == 0
    assert sum(p.get_height() for p in first_bin) >= zero


def test_ceasefire_panels_when_only_some_runs_have_a_ceasefire(saved):
    runs = saved.runs.copy()
    runs.loc[: len(runs) // 3, "first_ceasefire_length_days"] = pd.NA
    left, right = Figure().subplots(1, 2)
    plot_ceasefire_lengths(runs, left, 365)
    plot_ceasefire_survival(runs, right)
    n = int(runs["first_ceasefire_length_days"].notna().sum())
    assert sum(p.get_height() for p in left.patches) == _title_n(left) == _title_n(right) == n
    for ax in (left, right):
        assert f"{len(runs) - n:,} of {len(runs):,} runs had none" in ax.get_title()


def test_share_and_force_panels(saved):
    figure = Figure()
    ax = plot_escalation_shares(saved.daily_states, figure.add_subplot(3, 1, 1))
    assert ax.get_ylim() == (0, 100)  # percent
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels[0] == "NATO–Russia clash" and labels[-1] == "Ceasefire holding"
    share, size = plot_force_presence(
        saved.daily_states, figure.add_subplot(3, 1, 2), figure.add_subplot(3, 1, 3)
    )
    assert "among runs with a force in place" in size.get_title()
    assert "with a force in place" in share.get_title()


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_draw_all_writes_the_figures(saved, tmp_path: Path):
    paths = draw_all(saved, tmp_path / "plots")
    expected = {f"{stem}.{ext}" for stem in STEMS for ext in ("png", "svg")}
    assert {p.name for p in paths} == expected
    assert {p.name for p in (tmp_path / "plots").iterdir()} == expected
    for stem in STEMS:
        assert (tmp_path / "plots" / f"{stem}.png").stat().st_size > 10_000


def test_a_result_directory_missing_a_table_is_refused(saved, tmp_path: Path):
    """Every table is read and checked: a directory without daily_states.parquet is
    incomplete, and load_result says so in one line instead of drawing less."""
    old = tmp_path / "old"
    shutil.copytree(saved.path, old)
    (old / "daily_states.parquet").unlink()
    with pytest.raises(ResultDirectoryError, match=r"daily_states\.parquet: missing") as error:
        load_result(old)
    assert "\n" not in str(error.value)


def test_figure_caption():
    manifest = {"scenario": {"name": "combined"}, "runs": 10_000, "seed": 1}
    assert figure_caption(manifest) == (
        "Scenario combined · 10,000 runs · seed 1 · conditional exploration under the "
        "scenario's assumptions, not a forecast"
    )
    assert "· 1 run ·" in figure_caption({**manifest, "runs": 1})


def test_drawing_leaves_matplotlib_settings_alone(saved, tmp_path: Path):
    """SVG text is kept as text only while saving: no change at import or after drawing."""
    before = dict(matplotlib.rcParams)
    draw_all(saved, tmp_path / "plots")
    assert dict(matplotlib.rcParams) == before
    code = (
        "import matplotlib; before = dict(matplotlib.rcParams); import sim.present.plots; "
        "raise SystemExit(dict(matplotlib.rcParams) != before)"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0


@pytest.fixture(scope="module")
def cli_result(tmp_path_factory) -> Path:
    """`sim run` of a scenario where only some runs reach a ceasefire, with its figures."""
    out = tmp_path_factory.mktemp("cli") / "baseline"
    args = ("run", SCENARIOS / "baseline.yaml", "--runs", "300", "--workers", "1")
    result = run_cli(*args, "--out", out, "--no-progress", cwd=out.parent)
    assert result.returncode == 0, result.stderr
    return out


def _svg_texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return ["".join(e.itertext()) for e in root.iter("{http://www.w3.org/2000/svg}text")]


def test_cli_svgs_keep_text_and_carry_the_caption(cli_result: Path):
    manifest = pd.read_json(cli_result / "manifest.json", typ="series")
    name, runs, seed = manifest["scenario"]["name"], manifest["runs"], manifest["seed"]
    for stem in STEMS:
        svg = cli_result / "plots" / f"{stem}.svg"
        assert "<text" in svg.read_text(encoding="utf-8")  # text, not glyph outlines
        footers = [t for t in _svg_texts(svg) if "not a forecast" in t]
        assert footers == [
            f"Scenario {name} · {runs:,} runs · seed {seed} · conditional exploration under "
            "the scenario's assumptions, not a forecast"
        ], stem


def test_cli_pngs_are_print_resolution(cli_result: Path):
    for stem in STEMS:
        with Image.open(cli_result / "plots" / f"{stem}.png") as image:
            dpi = image.info["dpi"]  # from pHYs, stored in dots per metre
            width, height = image.size
        assert PNG_DPI >= 200
        assert min(dpi) == pytest.approx(PNG_DPI, abs=0.5), stem
        # Every figure is at least 8 x 4 inches at that resolution.
        assert width >= 8 * PNG_DPI and height >= 4 * PNG_DPI, (stem, image.size)


def test_cli_ceasefire_figure_counts_match_runs_parquet(cli_result: Path):
    runs = pd.read_parquet(cli_result / "runs.parquet")
    started = runs["first_ceasefire_length_days"].notna()
    n = int(started.sum())
    ended = int(runs.loc[started, "first_ceasefire_ended"].astype(bool).sum())
    assert 0 < ended < n < len(runs)  # every clause of the annotation is exercised
    texts = _svg_texts(cli_result / "plots" / "ceasefire_days.svg")
    # The counts are said once, under the figure's title, for both panels (histogram
    # and Kaplan–Meier), not repeated over each.
    assert (
        texts.count(
            f"n = {n:,} runs with a ceasefire ({len(runs) - n:,} of {len(runs):,} runs had none, "
            f"not drawn): {ended:,} ended before the horizon, {n - ended:,} still holding "
            "(censored)"
        )
        == 1
    )
    assert sum("runs with a ceasefire" in t for t in texts) == 1
    assert f"ended: collapsed or lapsed ({ended:,})" in texts
    assert texts.count(f"still holding at the horizon ({n - ended:,}, censored)") == 1
