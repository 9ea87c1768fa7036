"""Scenario discovery (`sim discover`, `sim.discover`): PRIM and CART find a planted box."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats import qmc
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments.discovery import (
    DiscoveryError,
    PrimUnavailableError,
    describe_input,
    describe_range,
)
from sim.experiments.discovery import discover as find_boxes
from sim.experiments.sweeps import load_sweep

from .conftest import SCENARIOS, run_cli

SWEEP_FILE = SCENARIOS / "sweeps" / "ceasefire_conditions_latin.yaml"
INPUTS = ["x1", "x2", "x3", "x4"]


def _planted(n: int = 2000, noise: float = 0.01, seed: int = 3) -> pd.DataFrame:
    """A Latin hypercube in four inputs on [0, 1]; a point is of interest (its share
    ``p:hit`` is 1) iff x1 > 0.6 and x2 < 0.3, with a share ``noise`` of labels flipped."""
    x = pd.DataFrame(qmc.LatinHypercube(d=4, seed=seed).random(n), columns=INPUTS)
    hit = (x["x1"] > 0.6) & (x["x2"] < 0.3)
    flip = np.random.default_rng(seed).uniform(size=n) < noise
    return x.assign(**{"p:hit": (hit.to_numpy() ^ flip).astype(float)})


def _limits(boxes: pd.DataFrame, box: int = 1) -> dict[str, tuple[float, float]]:
    rows = boxes[boxes["box"] == box]
    return {r.input: (r.low, r.high) for r in rows.itertuples()}


def _check_planted(boxes: pd.DataFrame) -> None:
    limits = _limits(boxes)
    assert set(limits) == {"x1", "x2"}, boxes  # x3 and x4 unrestricted
    assert limits["x1"][0] == pytest.approx(0.6, abs=0.05)
    assert limits["x1"][1] == pytest.approx(1.0, abs=1e-3)  # no upper limit
    assert limits["x2"][0] == pytest.approx(0.0, abs=1e-3)  # no lower limit
    assert limits["x2"][1] == pytest.approx(0.3, abs=0.05)
    first = boxes[boxes["box"] == 1].iloc[0]
    assert first["density"] > 0.8
    assert first["coverage"] > 0.8


# ------------------------------------------------------------------ the analysis


@pytest.fixture(scope="module")
def planted():
    table = _planted()
    return table, find_boxes(table, "hit", above=0.5, inputs=INPUTS)


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_prim_recovers_a_planted_box(planted):
    table, result = planted
    _check_planted(result.prim_boxes)
    assert (result.prim_boxes["qp"] < 0.05).all()
    # The box's numbers are the table's: recount them.
    limits = _limits(result.prim_boxes)
    inside = np.ones(len(table), dtype=bool)
    for name, (low, high) in limits.items():
        inside &= (table[name] >= low).to_numpy() & (table[name] <= high).to_numpy()
    interest = table["p:hit"].to_numpy() > 0.5
    row = result.prim_boxes.iloc[0]
    assert row["points"] == inside.sum()
    assert row["density"] == pytest.approx((inside & interest).sum() / inside.sum())
    assert row["coverage"] == pytest.approx((inside & interest).sum() / interest.sum())
    # The trajectory starts with every point and marks one chosen step.
    trajectory = result.prim_trajectory
    assert list(trajectory.columns) == [
        "step",
        "coverage",
        "density",
        "mass",
        "restricted",
        "chosen",
    ]
    assert trajectory.iloc[0][["coverage", "mass", "restricted"]].tolist() == [1.0, 1.0, 0]
    assert trajectory.iloc[0]["density"] == pytest.approx(interest.mean())
    assert trajectory["chosen"].sum() == 1


def test_cart_recovers_a_planted_box(planted):
    _, result = planted
    _check_planted(result.cart_boxes)
    assert result.cart_boxes["box"].max() == 1  # one leaf of interest


def test_the_same_table_gives_the_same_boxes(planted):
    table, result = planted
    again = find_boxes(
        table.sample(frac=1.0, random_state=0).reset_index(drop=True),
        "hit",
        above=0.5,
        inputs=INPUTS,
    )
    repeat = find_boxes(table, "hit", above=0.5, inputs=INPUTS)
    for name in ("prim_boxes", "prim_trajectory", "cart_boxes"):
        pd.testing.assert_frame_equal(getattr(repeat, name), getattr(result, name))
    # Reordered rows: the same boxes, up to the order of equal values.
    _check_planted(again.prim_boxes)
    _check_planted(again.cart_boxes)


def test_no_box_where_the_outcome_does_not_depend_on_the_inputs():
    table = _planted()
    table["p:coin"] = np.random.default_rng(11).uniform(size=len(table))
    result = find_boxes(table, "coin", inputs=INPUTS)  # below the median: half the points
    base = result.settings["base_rate"]
    assert base == pytest.approx(0.5, abs=0.01)
    assert result.prim_boxes.empty
    assert any("no box reaches density 0.8" in note for note in result.notes)
    assert any("median" in note for note in result.notes)
    assert result.prim_trajectory["density"].max() < base + 0.1
    assert (result.cart_boxes["density"] < base + 0.15).all()


def test_bad_requests_are_one_line_errors():
    table = _planted(n=200)
    with pytest.raises(DiscoveryError, match=r"not an outcome .*did you mean 'hit'"):
        find_boxes(table, "hits", inputs=INPUTS)
    with pytest.raises(DiscoveryError, match="give one"):
        find_boxes(table, "hit", below=0.5, above=0.5, inputs=INPUTS)
    for threshold in (0, 1.5, float("nan")):
        with pytest.raises(DiscoveryError, match="threshold"):
            find_boxes(table, "hit", above=0.5, threshold=threshold, inputs=INPUTS)
    with pytest.raises(DiscoveryError, match="no point where"):
        find_boxes(table, "hit", above=1.0, inputs=INPUTS)
    with pytest.raises(DiscoveryError, match="every point"):
        find_boxes(table, "hit", below=2.0, inputs=INPUTS)
    with pytest.raises(DiscoveryError, match="'x9': not a column"):
        find_boxes(table, "hit", above=0.5, inputs=["x1", "x9"])


def test_cart_works_without_ema_workbench(monkeypatch):
    monkeypatch.setitem(sys.modules, "ema_workbench.analysis.prim", None)  # import fails
    table = _planted(n=1000)
    with pytest.raises(PrimUnavailableError, match=r'pip install "sim\[discover\]"'):
        find_boxes(table, "hit", above=0.5, inputs=INPUTS)
    result = find_boxes(table, "hit", above=0.5, inputs=INPUTS, methods=("cart",))
    _check_planted(result.cart_boxes)
    assert result.prim_boxes.empty and result.prim_trajectory.empty


def test_sim_discover_is_the_function():
    table = _planted(n=500)
    import sim.experiments.discovery  # importing the module does not shadow the function

    assert "discover" in sim.__all__
    result = sim.discover(table, "hit", above=0.5, inputs=INPUTS, methods=("cart",))
    assert set(_limits(result.cart_boxes)) == {"x1", "x2"}


def test_ranges_in_the_scenarios_words():
    assert describe_input("actors.russia.resolve").startswith("Russia's resolve")
    assert describe_input("actors.united_states.audience_cost") == "the US's audience cost"
    assert describe_input("actors.coalition.states.France.troops") == "France's troops"
    assert (
        describe_range("levers.troops_pledged", 12500, 30000, 0, 30000)
        == "troops pledged: at least 12,500 (of 0 to 30,000 troops)"
    )
    assert (
        describe_range("levers.sanctions_credibility", 0.0, 0.42, 0.0, 1.0)
        == "credibility of the US sanctions threat: at most 0.42 (of 0.00 to 1.00, a probability)"
    )
    assert describe_range("actors.russia.war_cost", 2.0, 3.5, 1.5, 4.0).endswith(
        "2 to 3.5 (of 1.5 to 4 utility units)"
    )


# ------------------------------------------------------------------ the command


def test_the_shipped_latin_sweep_is_a_latin_design_of_six_values():
    plan = load_sweep(SWEEP_FILE)
    assert plan.design == "latin"
    assert plan.n_points == 500 and plan.runs == 100
    assert len(plan.factors) == 6
    assert all(f.is_range for f in plan.factors)


@pytest.fixture(scope="module")
def small_sweep(tmp_path_factory) -> Path:
    """The shipped Latin sweep, 40 points x 40 runs, run by `sim sweep` (no figures)."""
    root = tmp_path_factory.mktemp("discover")
    spec = yaml.safe_load(SWEEP_FILE.read_text(encoding="utf-8"))
    spec.update(base=(SCENARIOS / "combined.yaml").as_posix(), samples=40, runs=40)
    (root / "small.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    done = run_cli("sweep", "small.yaml", "--out", "sweep", "--no-plots", "--no-progress", cwd=root)
    assert done.returncode == 0, done.stderr
    return root / "sweep"


def _hashes(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


BAD_COMMANDS = [
    ("not_a_sweep", ["{parent}", "--outcome", "durable_ceasefire"], "not a sweep directory"),
    ("missing", ["{parent}/nowhere", "--outcome", "durable_ceasefire"], "does not exist"),
    ("unknown_outcome", ["{sweep}", "--outcome", "durable"], "one of: durable_ceasefire,"),
    (
        "both",
        ["{sweep}", "--outcome", "war_continues", "--below", "0.1", "--above", "0.2"],
        "--below and --above",
    ),
    (
        "threshold_zero",
        ["{sweep}", "--outcome", "durable_ceasefire", "--threshold", "0"],
        "--threshold 0.0: a density in (0, 1]",
    ),
    (
        "threshold_above_one",
        ["{sweep}", "--outcome", "durable_ceasefire", "--threshold", "1.5"],
        "--threshold 1.5",
    ),
    ("empty_case", ["{sweep}", "--outcome", "durable_ceasefire", "--above", "1"], "no point where"),
    ("every_point", ["{sweep}", "--outcome", "durable_ceasefire", "--below", "2"], "every point"),
]


@pytest.mark.parametrize(
    ("args", "fragment"), [c[1:] for c in BAD_COMMANDS], ids=[c[0] for c in BAD_COMMANDS]
)
def test_bad_input_is_one_line_and_writes_nothing(small_sweep: Path, args, fragment):
    before = _hashes(small_sweep)
    names = {"sweep": small_sweep, "parent": small_sweep.parent}
    result = CliRunner().invoke(app, ["discover", *(a.format(**names) for a in args)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a crash
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert fragment in lines[0]
    assert "Traceback" not in result.output
    assert _hashes(small_sweep) == before
    assert not (small_sweep / "discovery").exists()


def test_sim_discover_prints_and_writes_the_boxes(small_sweep: Path, tmp_path: Path):
    # A copy: the error tests share the sweep and expect no discovery/ in it.
    directory = tmp_path / "sweep"
    directory.mkdir()
    for path in small_sweep.iterdir():
        (directory / path.name).write_bytes(path.read_bytes())
    first = run_cli("discover", directory, "--outcome", "durable_ceasefire", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert "PRIM box" in out and "CART leaves" in out
    assert "its median over the points" in out  # neither --below nor --above: said so
    assert "coverage" in out and "density" in out
    assert "of 0 to 30,000 troops" in out or "troops pledged" not in out
    written = directory / "discovery"
    names = {
        "prim_boxes.csv",
        "prim_trajectory.csv",
        "cart_boxes.csv",
        "discovery.json",
        "peeling_trajectory.png",
        "peeling_trajectory.svg",
    }
    assert {p.name for p in written.iterdir()} == names
    settings = json.loads((written / "discovery.json").read_text(encoding="utf-8"))
    assert settings["outcome"] == "durable_ceasefire"
    assert settings["value_chosen_by"] == "median" and settings["points"] == 40
    cart = pd.read_csv(written / "cart_boxes.csv")
    assert not cart.empty and set(cart["input"]) <= set(settings["inputs"])
    # The sweep's manifest and marker list the new files.
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    listed = {entry["path"] for entry in manifest["files"]}
    assert {f"discovery/{name}" for name in names} <= listed
    assert "discovery" in json.loads((directory / ".sim-result").read_text())["files"]
    # Again: the same bytes (tables, settings and figures).
    before = _hashes(written)
    again = run_cli("discover", directory, "--outcome", "durable_ceasefire", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout
    assert _hashes(written) == before
    # A file of the user's in discovery/: never replaced.
    (written / "mine.txt").write_text("mine", encoding="utf-8")
    refused = CliRunner().invoke(
        app, ["discover", str(directory), "--outcome", "durable_ceasefire"]
    )
    assert refused.exit_code == 2
    assert "sim did not write" in refused.stderr
    assert (written / "mine.txt").read_text(encoding="utf-8") == "mine"
    assert {k: v for k, v in _hashes(written).items() if k != "mine.txt"} == before


def test_sim_discover_without_ema_workbench_prints_cart_and_says_so(
    small_sweep: Path, tmp_path: Path, monkeypatch
):
    directory = tmp_path / "sweep"
    directory.mkdir()
    for path in small_sweep.iterdir():
        (directory / path.name).write_bytes(path.read_bytes())
    monkeypatch.setitem(sys.modules, "ema_workbench.analysis.prim", None)  # import fails
    result = CliRunner().invoke(app, ["discover", str(directory), "--outcome", "durable_ceasefire"])
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(notes) == 1 and 'pip install "sim[discover]"' in notes[0]
    assert "CART leaves" in result.stdout and "PRIM box" not in result.stdout
    written = {p.name for p in (directory / "discovery").iterdir()}
    assert "cart_boxes.csv" in written and "peeling_trajectory.png" not in written
    settings = json.loads((directory / "discovery" / "discovery.json").read_text())
    assert settings["methods"] == ["cart"]


def test_cart_bounds_are_values_the_points_take():
    """On a grid, a CART bound names a level of the grid (a split falls halfway between
    two levels: 2,500 between 0 and 5,000 troops)."""
    levels = np.arange(0, 30_001, 5_000)
    rng = np.random.default_rng(1)
    troops = rng.choice(levels, size=600)
    table = pd.DataFrame({"levers.troops_pledged": troops, "x2": rng.uniform(size=600)})
    table["p:hit"] = (table["levers.troops_pledged"] >= 15_000).astype(float)
    result = find_boxes(table, "hit", above=0.5, methods=("cart",))
    bounds = _limits(result.cart_boxes)["levers.troops_pledged"]
    assert bounds[0] == 15_000 and bounds[0] in levels
