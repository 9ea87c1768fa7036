"""The structural ensemble: every variant on common random numbers, pooled shares, and the
spread split into sampling, parametric and structural parts (sim.experiments.ensemble,
sim run --ensemble).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.engine.outcomes import OUTCOMES
from sim.experiments.ensemble import DEFAULT_CHOICES, _summarise, run_ensemble, variants
from tests.conftest import SCENARIOS, run_cli


def _indicator(outcome_index: np.ndarray) -> np.ndarray:
    """(variants, replicates, runs) outcome indices -> one-hot indicators."""
    out = np.zeros((*outcome_index.shape, len(OUTCOMES)))
    np.put_along_axis(out, outcome_index[..., None], 1.0, axis=-1)
    return out


def _variants(n: int) -> list:
    base = sim.load_scenario(SCENARIOS / "combined.yaml")
    return variants(base, {"games.selection": DEFAULT_CHOICES["games.selection"][:n]})


def test_an_outcome_fixed_by_the_parameters_is_all_parametric():
    """Both replicates agree in every run (the parameters decide): no chance part."""
    rng = np.random.default_rng(0)
    n = 4000
    theta = rng.random(n) < 0.3  # the parameters decide: outcome 0 or 2
    outcome = np.where(theta, 0, 2)
    index = np.broadcast_to(outcome, (2, 2, n))
    result = _summarise(None, n, 0, _variants(2), _indicator(index))
    row = result.spread.set_index("outcome").loc[OUTCOMES[0]]
    p = theta.mean()
    assert row["pooled"] == pytest.approx(p)
    assert row["sd_parametric"] == pytest.approx(np.sqrt(p * (1 - p)), rel=1e-3)
    assert row["variance_chance"] == pytest.approx(0.0, abs=1e-3)
    assert row["sd_structural"] == pytest.approx(0.0)


def test_an_outcome_of_pure_chance_has_no_parametric_part_and_variants_give_structure():
    """Replicates independent of each other and of the draw: only chance; two variants
    at 0.2 and 0.6 give a structural SD of 0.2 and the sampling SE of their mean."""
    rng = np.random.default_rng(1)
    n = 20000
    rates = np.array([0.2, 0.6])
    draws = rng.random((2, 2, n)) < rates[:, None, None]
    index = np.where(draws, 0, 2)
    result = _summarise(None, n, 0, _variants(2), _indicator(index))
    row = result.spread.set_index("outcome").loc[OUTCOMES[0]]
    assert row["pooled"] == pytest.approx(0.4, abs=0.01)
    assert row["sd_structural"] == pytest.approx(0.2, abs=0.01)
    assert row["sd_parametric"] < 0.03
    # Var of the per-draw mean of four independent Bernoullis, two at 0.2 and two at 0.6.
    expected_se = np.sqrt((2 * 0.2 * 0.8 + 2 * 0.6 * 0.4) / 16 / n)
    assert row["se_sampling"] == pytest.approx(expected_se, rel=0.05)
    assert row["min"] == pytest.approx(0.2, abs=0.01) and row["max"] == pytest.approx(0.6, abs=0.01)
    # The most likely outcome is outcome 2 under the first variant, 0 under the second.
    assert "changes with the structural choice" in result.findings[0]


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_the_ensemble_runs_each_variant_on_common_random_numbers():
    scenario = sim.load_scenario(SCENARIOS / "combined.yaml")
    choices = {"ceasefire.accidents": ("can_spiral", "contained")}
    result = run_ensemble(scenario, runs=300, seed=4, choices=choices)
    shares = result.shares.set_index(["variant", "outcome"])["probability"]
    # Replicate 0 of a variant is `sim run` of that variant with the same seed.
    alone = sim.run(scenario, runs=300, seed=4)["outcome"].value_counts()
    replicate_1 = sim.simulate(scenario, runs=300, seed=4, replicate=1).runs["outcome"]
    both = (alone.reindex(OUTCOMES, fill_value=0) + replicate_1.value_counts()) / 600
    for outcome in OUTCOMES:
        assert shares[("can_spiral", outcome)] == pytest.approx(both.get(outcome, 0.0))
    # Replicate 1 keeps the parameters and draws other chance events.
    again = sim.simulate(scenario, runs=300, seed=4, replicate=1).runs
    first = sim.simulate(scenario, runs=300, seed=4).runs
    params = [c for c in first.columns if c.startswith("param:")]
    pd.testing.assert_frame_equal(first[params], again[params])
    assert not first["outcome"].equals(again["outcome"])
    # Containing accidents makes durable ceasefires more likely (the accident model matters).
    assert shares[("contained", "durable_ceasefire")] > shares[("can_spiral", "durable_ceasefire")]


def _shortened(tmp_path: Path, name: str, days: int = 90) -> Path:
    """``scenarios/NAME.yaml`` on a shorter horizon, under its own name: what these
    tests check is what is printed and written, not the outcomes of a whole year."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(
        f"extends: {(SCENARIOS / f'{name}.yaml').as_posix()}\n"
        f"simulation: {{horizon_days: {days}}}\n",
        encoding="utf-8",
    )
    return path


def test_sim_run_ensemble_prints_and_writes_every_variant(tmp_path: Path):
    result = run_cli(
        "run", _shortened(tmp_path, "combined"), "--ensemble", "--runs", "40", "--no-progress",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for rule in ("risk_dominant", "payoff_dominant", "max_entropy", "logit_qre"):
        assert rule in out
    assert "pooled" in out and "structural SD" in out and "parametric SD" in out
    directory = tmp_path / "results" / "combined-ensemble"
    report = json.loads((directory / "ensemble.json").read_text())
    assert len(report["variants"]) == 8
    assert report["findings"] and all(f in out for f in report["findings"][:1])
    shares = pd.read_csv(directory / "variants.csv")
    assert set(shares["variant"]) == {v["name"] for v in report["variants"]} | {"pooled"}
    sums = shares.groupby("variant")["probability"].sum()
    assert np.allclose(sums, 1.0)
    spread = pd.read_csv(directory / "spread.csv")
    assert {"se_sampling", "sd_parametric", "sd_structural"} <= set(spread.columns)
    assert (directory / "plots" / "ensemble.png").stat().st_size > 10_000
    assert (directory / "manifest.json").exists()


def test_a_scenario_names_its_own_structural_choices(tmp_path: Path):
    path = tmp_path / "mine.yaml"
    path.write_text(
        f"extends: {SCENARIOS / 'combined.yaml'}\nname: mine\n"
        "ensemble:\n  information.russia_resolve: [known, private]\n"
    )
    result = run_cli("run", path, "--ensemble", "--runs", "30", "--no-progress", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "results" / "mine-ensemble" / "ensemble.json").read_text())
    assert [v["name"] for v in report["variants"]] == ["known", "private"]

    path.write_text(
        f"extends: {SCENARIOS / 'combined.yaml'}\nname: mine\n"
        "ensemble:\n  games.selection: [risk_dominant, best_guess]\n"
    )
    bad = run_cli("run", path, "--ensemble", "--runs", "30", cwd=tmp_path)
    assert bad.returncode == 2
    lines = bad.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "best_guess" in lines[0]
    assert "ensemble" in lines[0]


def test_sim_compare_ensemble_says_whether_a_difference_keeps_its_sign(tmp_path: Path):
    files = [_shortened(tmp_path, "ceasefire_30_days"), _shortened(tmp_path, "combined")]
    result = run_cli("compare", *files, "--ensemble", "--runs", "200", "--no-progress",
                     cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    directory = tmp_path / "results" / "compare-ceasefire_30_days-combined-ensemble"
    table = pd.read_csv(directory / "comparison_by_variant.csv")
    assert table["variant"].nunique() == 8
    findings = json.loads((directory / "findings.json").read_text())["findings"]
    assert findings and findings[0] in result.stdout
    # Every finding about a sign is backed by the table: under each variant the
    # interval of the difference it names lies on the side it says.
    for finding in findings:
        if "under every variant" not in finding:
            continue
        outcome = finding.split(", ")[1].split(":")[0]
        rows = table[(table["scenario"] == "combined") & (table["outcome"] == outcome)]
        if "higher" in finding:
            assert (rows["difference_low"] > 0).all()
        else:
            assert (rows["difference_high"] < 0).all()
