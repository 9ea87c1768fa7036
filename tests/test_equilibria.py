"""`sim equilibria`, explicit tables in scenario files, selection rules, m×n analysis."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments.equilibria import central_parameters, scenario_report
from sim.experiments.runner import simulate
from sim.games.analysis import all_equilibria, dominance, is_degenerate, iterated_elimination
from sim.games.selection import MIXED, select_equilibrium
from sim.scenario.loader import load_scenario
from tests.conftest import SCENARIOS

SHIPPED = sorted(SCENARIOS.glob("*.yaml"))
TROOPS = (SCENARIOS / "troops_10000.yaml").as_posix()


def _invoke(*args: str):
    return CliRunner().invoke(app, ["equilibria", *map(str, args)])


def _is_nash(A, B, row, col) -> bool:
    A, B, row, col = map(np.asarray, (A, B, row, col))
    return (A @ col).max() <= row @ A @ col + 1e-9 and (row @ B).max() <= row @ B @ col + 1e-9


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_equilibria_prints_every_game(path: Path):
    result = _invoke(path)
    assert result.exit_code == 0, result.output
    text = result.stdout
    for heading in (
        "deployment: coalition (rows) × russia (columns)",
        "ceasefire: russia (rows) × ukraine (columns)",
        "sanctions (committed US type)",
        "sanctions (uncommitted US type)",
    ):
        assert heading in text
    # The strike ladder (a 4×3 game) is shown where a force is pledged.
    games = 4 + (load_scenario(path).levers.troops_pledged > 0)
    if games == 5:
        assert "strike_ladder: russia (rows) × defenders (columns)" in text
    assert text.count("Nash equilibria: ") == games
    assert text.count("Played (risk_dominant): ") == games
    assert "Iterated elimination" in text
    assert text.count("moves first (subgame perfect)") == 2 * games  # both orders of each
    assert text.count("Logit QRE at precision") == games
    assert "Belief threshold μ*" in text
    assert "threshold public-good game" in text


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_equilibria_json_round_trips_and_is_correct(path: Path):
    result = _invoke(path, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    scenario = load_scenario(path)
    expected = scenario_report(
        scenario, central_parameters(scenario), "the central values of the distributions"
    )
    assert report == json.loads(json.dumps(expected))
    for game in report["games"]:
        A, B = game["row_payoffs"], game["col_payoffs"]
        assert game["equilibria"], "every finite game has an equilibrium"
        for eq in game["equilibria"]:
            row = list(eq["row_strategy"].values())
            col = list(eq["col_strategy"].values())
            assert _is_nash(A, B, row, col)
            assert eq["row_payoff"] == pytest.approx(np.asarray(row) @ np.asarray(A) @ col)
        played = game["played"]
        assert played["profile"] in [eq["profile"] for eq in game["equilibria"]]


def test_equilibria_at_one_run_uses_that_runs_draws():
    central = json.loads(_invoke(TROOPS, "--json").stdout)
    result = _invoke(TROOPS, "--json", "--run", "7", "--runs", "100")
    assert result.exit_code == 0, result.output
    at_run = json.loads(result.stdout)
    assert "run 7 of 100" in at_run["parameters"]
    assert at_run["games"][0]["col_payoffs"] != central["games"][0]["col_payoffs"]
    # Russia's payoff for tolerating the force is -resolve x size - audience cost,
    # with that run's draws (same seed, same runs -> same draws as `sim run`).
    from sim.engine.parameters import draw_parameters
    from sim.scenario.loader import load_scenario

    params = draw_parameters(load_scenario(TROOPS), np.array([7]), 20260311)
    resolve = params["actors.russia.resolve"][0]
    audience = params["actors.russia.audience_cost"][0]
    assert at_run["games"][0]["col_payoffs"][0][0] == pytest.approx(-resolve - audience)


def test_equilibria_run_out_of_range():
    result = _invoke(TROOPS, "--run", "100", "--runs", "100")
    assert result.exit_code == 2
    assert "0 to 99" in result.stderr


def _explicit(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "game.yaml"
    path.write_text(f"extends: {TROOPS}\nname: game\n{body}")
    return path


def test_explicit_textbook_table_through_the_same_command(tmp_path: Path):
    path = _explicit(
        tmp_path,
        "games:\n  tables:\n    deployment:\n"
        "      row_actions: [swerve, straight]\n      col_actions: [swerve, straight]\n"
        "      row_payoffs: [[0, -1], [1, -10]]\n      col_payoffs: [[0, 1], [-1, -10]]\n",
    )
    report = json.loads(_invoke(path, "--json").stdout)
    chicken = report["games"][0]
    assert chicken["explicit_table"] is True
    assert chicken["row_actions"] == ["swerve", "straight"]
    profiles = [eq["profile"] for eq in chicken["equilibria"]]
    assert "(swerve, straight)" in profiles and "(straight, swerve)" in profiles
    mixed = [eq for eq in chicken["equilibria"] if eq["kind"] == "mixed"]
    assert mixed[0]["row_strategy"]["swerve"] == pytest.approx(0.9)
    assert not chicken["degenerate"]


def test_explicit_table_drives_the_simulation(tmp_path: Path):
    # Targeting strictly dominant for Russia, deploying dominant for the coalition:
    # every run in which troops arrive ends with the peacekeepers attacked.
    path = _explicit(
        tmp_path,
        "levers: {deploy_only_during_ceasefire: false}\n"
        "actors:\n  coalition: {max_response_probability: 0.0}\n"
        "timeline:\n  deployment: {after: start, day: 0, ramp_days: 1}\n"
        "games:\n  tables:\n    deployment:\n"
        "      row_payoffs: [[1, 1], [0, 0]]\n      col_payoffs: [[0, 1], [0, 1]]\n",
    )
    result = simulate(load_scenario(path), runs=300, seed=2)
    runs = result.runs
    assert (runs["peak_troops_deployed"] > 0).all()
    assert runs["force_attacked"].all()
    # Struck from the first day, most forces shrink below the viable size and leave.
    assert runs["outcome"].isin(["peacekeepers_attacked", "deployment_abandoned"]).all()


def test_selection_rules_on_textbook_games():
    stag_hunt = (np.array([[4.0, 0.0], [3.0, 3.0]]), np.array([[4.0, 3.0], [0.0, 3.0]]))
    assert select_equilibrium(*stag_hunt, rule="risk_dominant").label[0] == 3  # (hare, hare)
    assert select_equilibrium(*stag_hunt, rule="payoff_dominant").label[0] == 0  # (stag, stag)
    chosen = select_equilibrium(*stag_hunt, rule="max_entropy")
    assert chosen.label[0] == MIXED and chosen.row_first[0] == pytest.approx(0.75)
    # random: each of the three equilibria about a third of the time
    A = np.broadcast_to(stag_hunt[0], (6000, 2, 2))
    B = np.broadcast_to(stag_hunt[1], (6000, 2, 2))
    drawn = select_equilibrium(A, B, rule="random", rng=np.random.default_rng(0))
    shares = np.bincount(drawn.label, minlength=5)[[0, 3, 4]] / 6000
    np.testing.assert_allclose(shares, [1 / 3] * 3, atol=0.03)
    with pytest.raises(ValueError, match="rng"):
        select_equilibrium(*stag_hunt, rule="random")


@pytest.mark.parametrize("rule", ["risk_dominant", "payoff_dominant", "max_entropy", "random"])
def test_every_rule_selects_a_nash_equilibrium(rule):
    rng = np.random.default_rng(7)
    A = rng.integers(-2, 3, size=(3000, 2, 2)).astype(float)
    B = rng.integers(-2, 3, size=(3000, 2, 2)).astype(float)
    chosen = select_equilibrium(A, B, rule=rule, rng=np.random.default_rng(1))
    for k in range(0, 3000, 7):
        row = [chosen.row_first[k], 1 - chosen.row_first[k]]
        col = [chosen.col_first[k], 1 - chosen.col_first[k]]
        assert _is_nash(A[k], B[k], row, col), (rule, k)


def test_scenario_selection_rule_is_used_and_recorded(tmp_path: Path):
    path = _explicit(tmp_path, "games: {selection: max_entropy}\n")
    scenario = load_scenario(path)
    assert scenario.games.selection == "max_entropy"
    report = json.loads(_invoke(path, "--json").stdout)
    assert report["selection_rule"] == "max_entropy"
    assert all(g["played"]["rule"] == "max_entropy" for g in report["games"])


# ------------------------------------------------------------------ m×n analysis


def test_rock_paper_scissors_and_dominance_by_a_mixed_strategy():
    A = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], float)
    (eq,) = all_equilibria(A, -A)
    np.testing.assert_allclose(eq.row_strategy, [1 / 3] * 3)
    # Row 2 is dominated by no pure row, but by the half-half mix of rows 0 and 1.
    A = np.array([[3, 0], [0, 3], [1, 1]], float)
    B = np.array([[1, 0], [0, 1], [0, 0]], float)
    assert dominance(A, B).row_strictly_dominated == (2,)
    assert dominance(A, B).row_weakly_dominated == ()
    rows, cols, steps = iterated_elimination(A, B)
    assert rows == (0, 1) and cols == (0, 1) and steps == [("row", 2)]


def test_degenerate_game_with_a_continuum_never_crashes_or_returns_nothing():
    for A, B in [
        (np.zeros((3, 3)), np.zeros((3, 3))),
        (
            np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0]]),
            np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),
        ),
    ]:
        assert is_degenerate(A, B)
        found = all_equilibria(A, B)
        assert found
        for eq in found:
            assert _is_nash(A, B, eq.row_strategy, eq.col_strategy)


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_larger_games_find_what_nashpy_finds():
    import nashpy

    rng = np.random.default_rng(3)
    for _ in range(30):
        A, B = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
        ours = {tuple(np.round(e.row_strategy + e.col_strategy, 6)) for e in all_equilibria(A, B)}
        theirs = {
            tuple(np.round(np.concatenate([r, c]), 6))
            for r, c in nashpy.Game(A - A.min() + 1, B - B.min() + 1).vertex_enumeration()
        }
        assert theirs <= ours
        assert len(ours) % 2 == 1  # non-degenerate games have an odd number of equilibria


def test_results_record_the_equilibrium_played_and_how_many(tmp_path: Path):
    path = _explicit(
        tmp_path,
        "games:\n  selection: max_entropy\n  tables:\n    ceasefire:\n"
        "      row_payoffs: [[0, -1], [1, -10]]\n      col_payoffs: [[0, 1], [-1, -10]]\n",
    )
    runs = simulate(load_scenario(path), runs=50, seed=1).runs
    # The ceasefire game is in play only in runs that had a ceasefire; this Chicken
    # has three equilibria, and max_entropy plays the mixed one.
    no_ceasefire = runs["first_ceasefire_day"].isna()
    assert runs.loc[no_ceasefire, "ceasefire_equilibrium_played"].isna().all()
    assert (runs.loc[~no_ceasefire, "ceasefire_equilibrium_played"] == "mixed").all()
    assert (runs.loc[~no_ceasefire, "ceasefire_equilibria_max"] == 3).all()
    # The deployment game is played in sequence: its record is the path, one profile.
    assert (
        runs["deployment_equilibrium_played"]
        .isin(["deploy/accept", "deploy/target", "stay out/accept", "stay out/target"])
        .all()
    )
    assert (runs["deployment_equilibria_max"] == 1).all()


def test_the_worked_example_in_docs_games_md():
    """The numbers docs/games.md derives by hand for combined.yaml's deployment game."""
    report = json.loads(_invoke(SCENARIOS / "combined.yaml", "--json").stdout)
    assert report["state"]["tripwire_response_probability"] == pytest.approx(0.4756, abs=5e-5)
    assert report["state"]["expected_sanctions_cost_to_russia"] == pytest.approx(0.625)
    game = report["games"][0]
    np.testing.assert_allclose(
        game["row_payoffs"], [[0.3196, -6.783], [-0.2598, -0.2598]], atol=5e-4
    )
    np.testing.assert_allclose(game["col_payoffs"], [[-2.1, -4.430], [0, 0]], atol=5e-4)
    assert game["degenerate"]
    by_profile = {eq["profile"]: eq for eq in game["equilibria"]}
    assert by_profile["(deploy, accept)"]["risk_product"] == pytest.approx(1.350, abs=5e-4)
    assert by_profile["(stay out, target)"]["risk_product"] == 0
    partial = [eq for eq in game["equilibria"] if eq["kind"] == "partially mixed"]
    assert partial[0]["col_strategy"]["target"] == pytest.approx(0.0816, abs=5e-5)
    assert game["played"]["profile"] == "(deploy, accept)"
    ceasefire = report["games"][1]
    assert ceasefire["iterated_elimination"]["surviving"] == {
        "russia": ["hold"],
        "ukraine": ["hold"],
    }


def test_logit_qre_selection_runs_the_whole_simulation(tmp_path: Path):
    """Agents play the logit QRE: mixed play, labelled 'qre', recorded per run."""
    path = _explicit(tmp_path, "games: {selection: logit_qre, qre_precision: 2.0}\n")
    runs = simulate(load_scenario(path), runs=100, seed=1).runs
    assert (runs["deployment_equilibrium_played"] == "qre").all()
    report = json.loads(_invoke(path, "--json").stdout)
    game = report["games"][0]
    assert game["played"]["rule"] == "logit_qre"
    assert game["played"]["row_strategy"] == game["qre"]["row_strategy"]
    assert 0 < game["qre"]["col_strategy"]["target"] < 1  # noisy play at finite precision


def test_sequential_play_of_the_deployment_game_in_the_worked_example():
    """docs/games.md: coalition first -> (deploy, accept); Russia first -> it commits to
    targeting and the coalition stays out, worth 2.1 to Russia."""
    report = json.loads(_invoke(SCENARIOS / "combined.yaml", "--json").stdout)
    coalition_first, russia_first = report["games"][0]["sequential"]
    assert coalition_first["leader"] == "coalition"
    assert coalition_first["path"] == "(deploy, accept)"
    assert not coalition_first["differs_from_simultaneous"]
    assert coalition_first["commitment_value"] == pytest.approx(0.0)
    assert russia_first["leader"] == "russia"
    assert russia_first["path"] == "(stay out, target)"
    assert russia_first["follower_strategy"] == {"accept": "deploy", "target": "stay out"}
    assert russia_first["differs_from_simultaneous"]
    assert russia_first["commitment_value"] == pytest.approx(2.1, abs=5e-4)


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_logit_qre_play_approaches_nash_play_as_precision_grows(tmp_path: Path):
    """At a high precision the agents' noisy play is (almost) the Nash play: the same
    runs end the same way as under the default rule (QRE draws no extra random
    numbers, so both use the same stream)."""
    nash = simulate(load_scenario(SCENARIOS / "combined.yaml"), runs=300, seed=8).runs
    path = tmp_path / "sharp.yaml"
    path.write_text(
        f"extends: {(SCENARIOS / 'combined.yaml').as_posix()}\nname: sharp\n"
        "games: {selection: logit_qre, qre_precision: 1000000}\n"
    )
    sharp = simulate(load_scenario(path), runs=300, seed=8).runs
    assert (sharp["outcome"] == nash["outcome"]).mean() > 0.95
    noisy = tmp_path / "noisy.yaml"
    noisy.write_text(path.read_text().replace("1000000", "0.5"))
    blurred = simulate(load_scenario(noisy), runs=300, seed=8).runs
    assert (blurred["outcome"] == nash["outcome"]).mean() < 0.9  # the precision matters
