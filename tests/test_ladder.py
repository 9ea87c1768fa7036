"""The strike ladder (sim.games.ladder) and its compiled m×n solver (sim.games.ladder_solver):
the solver against independent references on random and degenerate games, the ladder's
tables against the deployment game they refine, and the ladder in whole simulations."""

from __future__ import annotations

import json
import warnings

import nashpy
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.engine.parameters import draw_parameters
from sim.engine.scenario_games import GameState, build_tables
from sim.games.bimatrix import extreme_equilibria, is_equilibrium
from sim.games.ladder import MAJOR, LadderInputs, LadderRungs, ladder_table, ladder_tables_at
from sim.games.ladder_solver import enumerate_equilibria, logit_qre, select
from sim.scenario.loader import load_scenario
from sim.scenario.overrides import with_overrides

from .conftest import SCENARIOS, run_cli


def _key(profiles) -> set[tuple]:
    return {(tuple(np.round(x, 6) + 0.0), tuple(np.round(y, 6) + 0.0)) for x, y in profiles}


def _found(candidates, g) -> set[tuple]:
    return _key([(candidates.x[g, k], candidates.y[g, k]) for k in range(candidates.count[g])])


def _games(seed: int, count: int, shape=(4, 3)):
    """Random games of three kinds: continuous payoffs (non-degenerate), small integers
    (many ties: degenerate), and a dominant column plus noise (the ladder's usual case)."""
    rng = np.random.default_rng(seed)
    third = count // 3
    continuous = rng.normal(size=(2, third, *shape))
    integer = rng.integers(-2, 3, size=(2, third, *shape)).astype(float)
    dominant_col = rng.normal(size=(2, count - 2 * third, *shape))
    dominant_col[1] = dominant_col[1] * 0.1 - np.arange(shape[1])
    return [continuous, integer, dominant_col]


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
@pytest.mark.parametrize("shortcut", [True, False])
def test_every_extreme_equilibrium_matches_the_numpy_solver_on_1500_games(shortcut):
    """1,500 4×3 games (a third degenerate): the compiled enumeration finds exactly the
    extreme equilibria that the independent NumPy solver finds, with or without the
    dominance shortcut, and each is a Nash equilibrium."""
    checked = 0
    for A, B in _games(19, 1500):
        found = enumerate_equilibria(A, B, shortcut=shortcut)
        assert not found.truncated.any()
        for g in range(A.shape[0]):
            assert _found(found, g) == _key(extreme_equilibria(A[g], B[g])), (A[g], B[g])
            for k in range(found.count[g]):
                assert is_equilibrium(A[g], B[g], found.x[g, k], found.y[g, k])
            checked += 1
    assert checked == 1500


def test_near_ties_lose_no_equilibrium():
    """Games within 1e-6 to 1e-9 of a tie (the model's tables have them: Russia's payoffs
    of complying and of harassing a retaliating force can differ by 4e-6) have distinct
    vertices closer than 1e-7; merging them lost the only equilibrium.  Every such game
    has at least one, and each one found is an equilibrium."""
    rng = np.random.default_rng(23)
    for scale in (1e-6, 1e-7, 1e-8, 1e-9):
        A, B = rng.integers(-2, 3, size=(2, 600, 4, 3)).astype(float)
        A += rng.normal(scale=scale, size=A.shape)
        B += rng.normal(scale=scale, size=B.shape)
        found = enumerate_equilibria(A, B)
        assert (found.count >= 1).all(), scale
        for g in range(0, 600, 7):
            for k in range(found.count[g]):
                assert is_equilibrium(A[g], B[g], found.x[g, k], found.y[g, k])
            assert len(extreme_equilibria(A[g], B[g])) >= 1


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_non_degenerate_games_match_nashpy_vertex_enumeration():
    """On continuous (non-degenerate) games of several sizes the equilibria are exactly
    those of nashpy's vertex enumeration, an independent implementation."""
    rng = np.random.default_rng(7)
    for shape in ((4, 3), (3, 4), (2, 5), (5, 2), (3, 3)):
        A, B = rng.normal(size=(2, 60, *shape))
        found = enumerate_equilibria(A, B)
        for g in range(60):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                reference = _key(nashpy.Game(A[g], B[g]).vertex_enumeration())
            assert _found(found, g) == reference, shape


def test_a_degenerate_ladder_like_game_gives_both_ends_of_its_continuum():
    """When Russia complies, every posture pays the defenders the same (no posture
    cost): a continuum of equilibria whose ends are both found; support enumeration
    would miss one of them (nashpy issues #82, #231)."""
    A = np.array([[0.0, 0.0], [1.0, -1.0]])  # Russia: comply / strike vs absorb / escalate
    B = np.array([[0.0, 0.0], [-0.5, -2.0]])  # defenders: indifferent when Russia complies
    found = enumerate_equilibria(A[None], B[None])
    assert _found(found, 0) == _key(extreme_equilibria(A, B))
    assert found.count[0] >= 2


def test_the_python_and_the_compiled_solver_give_the_same_bits(monkeypatch):
    """SIM_NO_NUMBA runs the same loops as Python: identical equilibria, bit for bit."""
    A, B = _games(3, 90)[1]
    compiled = enumerate_equilibria(A, B)
    monkeypatch.setenv("SIM_NO_NUMBA", "1")
    python = enumerate_equilibria(A, B)
    np.testing.assert_array_equal(compiled.count, python.count)
    np.testing.assert_array_equal(compiled.x, python.x)
    np.testing.assert_array_equal(compiled.y, python.y)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-10, 10, allow_nan=False, width=32), min_size=24, max_size=24))
def test_selected_profiles_are_equilibria(values):
    """Whatever the payoffs, every rule but logit_qre plays one of the game's equilibria."""
    A = np.array(values[:12], dtype=float).reshape(1, 4, 3)
    B = np.array(values[12:], dtype=float).reshape(1, 4, 3)
    found = enumerate_equilibria(A, B)
    for rule in ("risk_dominant", "payoff_dominant", "max_entropy", "random"):
        x, y = select(found, A, B, rule, np.array([0.7]))
        assert is_equilibrium(A[0], B[0], x[0], y[0]), rule


def test_payoff_dominant_selection_takes_the_largest_sum():
    """A coordination game with pure equilibria worth 2+2 and 1+1: payoff dominance takes
    the first; random takes each for some uniform number."""
    A = np.array([[[2.0, 0, 0], [0, 1, 0], [0, 0, -5], [0, 0, -5]]])
    B = A.copy()
    found = enumerate_equilibria(A, B)
    x, y = select(found, A, B, "payoff_dominant")
    assert x[0, 0] == 1 and y[0, 0] == 1
    seen = {
        tuple(np.round(select(found, A, B, "random", np.array([u]))[0][0], 6))
        for u in np.linspace(0.01, 0.99, 25)
    }
    assert len(seen) == found.count[0] >= 3


def test_logit_qre_goes_from_uniform_play_to_the_strict_equilibrium():
    A = np.array([[[1.0, 1, 1], [0, 0, 0], [-1, -1, -1], [-2, -2, -2]]])
    B = np.array([[[1.0, 0, -1]] * 4]).reshape(1, 4, 3)
    x, y = logit_qre(A, B, 0.0)
    np.testing.assert_allclose(x, 0.25)
    x, y = logit_qre(A, B, 1e3)
    assert x[0, 0] > 0.999 and y[0, 0] > 0.999
    # Started at its own solution, it stays there.
    x2, y2 = logit_qre(A, B, 1e3, start=(x, y, np.array([True])))
    np.testing.assert_allclose(y2, y, atol=1e-9)
    np.testing.assert_allclose(x2, x, atol=1e-9)


def _day_tables(name: str, runs: int = 400):
    scenario = load_scenario(SCENARIOS / name)
    params = draw_parameters(scenario, np.arange(runs), seed=5)
    n = params.n_runs
    troops = np.full(n, float(scenario.levers.troops_pledged))
    state = GameState(
        committed_troops=troops,
        troops_deployed=troops,
        threat_active=np.zeros(n, bool),
        days_held=np.zeros(n),
        in_term=np.zeros(n, bool),
        us_committed=np.zeros(n, bool),
        sanctions_imposed=np.zeros(n, bool),
        credibility_belief=params["levers.sanctions_credibility"],
        ceasefire_in_force=np.ones(n, bool),
        russia_has_struck=np.zeros(n, bool),
        unanswered_strikes=np.zeros(n),
    )
    return build_tables(params, scenario, state)


def test_the_ladder_restricted_to_comply_and_major_strike_is_the_deployment_game():
    """Russia's gain from a major strike over complying, when the defenders absorb, is its
    targeting gain in the deployment game (the ladder refines that game's reply)."""
    day = _day_tables("troops_10000.yaml")
    russia_ladder, _ = ladder_table(day.ladder)
    _, russia = day.tables["deployment"]
    np.testing.assert_allclose(
        russia_ladder[:, MAJOR, 0] - russia_ladder[:, 0, 0],
        russia[:, 0, 1] - russia[:, 0, 0],
        rtol=1e-12,
        atol=1e-12,
    )


def test_the_compiled_tables_are_the_numpy_tables_bit_for_bit(monkeypatch):
    """The daily step builds the changed runs' tables in compiled loops; they are
    ladder_table's, bit for bit, and SIM_NO_NUMBA uses ladder_table itself."""
    rng = np.random.default_rng(8)
    n = 3000
    rungs = LadderRungs(**{k: rng.uniform(0, 1, n) for k in LadderRungs.CONSTANTS})
    values = {k: rng.uniform(0, 10, n) for k in LadderInputs.STATE}
    values["detection_probability"] = rng.uniform(0, 1, n)
    inputs = LadderInputs(rungs=rungs, **values)
    at = np.sort(rng.choice(n, 1200, replace=False))
    reference = ladder_table(inputs.take(at))
    for compiled, expected in zip(ladder_tables_at(inputs, at), reference, strict=True):
        np.testing.assert_array_equal(compiled, expected)
    monkeypatch.setenv("SIM_NO_NUMBA", "1")
    for python, expected in zip(ladder_tables_at(inputs, at), reference, strict=True):
        np.testing.assert_array_equal(python, expected)


def test_higher_rungs_hurt_more_and_escalation_is_costlier_than_absorbing():
    """The defenders lose more from a higher rung whatever their posture (severity and
    coercion rise), and escalating costs them more than absorbing a harassment."""
    _, defenders = ladder_table(_day_tables("troops_10000.yaml").ladder)
    assert (np.diff(defenders[:, 1:, 0], axis=1) <= 1e-12).all()
    assert (defenders[:, 1, 2] < defenders[:, 1, 0]).all()


def _run(name, runs=1500, seed=11, **overrides):
    scenario = with_overrides(load_scenario(SCENARIOS / name), overrides)
    return sim.run(scenario, runs=runs, seed=seed)


def test_the_binary_model_leaves_the_ladder_columns_at_zero():
    runs = _run("troops_10000.yaml", runs=300, **{"games.strike_model": "binary"})
    for column in ("harassment_days", "limited_strikes", "major_strikes", "ladder_solves"):
        assert (runs[column] == 0).all(), column


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_a_retaliation_that_cannot_spiral_is_chosen_and_deters_harassment():
    """Paired runs (common random numbers): when retaliation in kind cannot become a
    NATO-Russia clash it is the defenders' equilibrium reply in some runs, and Russia,
    facing it, harasses less."""
    default = _run("troops_10000.yaml")
    safe = _run("troops_10000.yaml", **{"strike_ladder.retaliation_clash_probability": 0})
    assert default["retaliations"].sum() == 0
    assert safe["retaliations"].sum() > 0
    assert safe["harassment_days"].sum() < default["harassment_days"].sum()


def test_every_rung_is_reachable_in_the_headline_scenario():
    """Russia harasses, and strikes, in some runs of the combined scenario; the defenders'
    tables are re-solved only on some days (the cache works) and never truncated."""
    runs = _run("combined.yaml", runs=2000)
    assert (runs["harassment_days"] > 0).mean() > 0.05
    assert (runs["limited_strikes"] + runs["major_strikes"]).sum() > 0
    deployed = runs["deployment_start_day"] >= 0
    assert (runs.loc[deployed, "ladder_solves"] < 365).all()
    assert (runs["ladder_equilibria_max"] <= 16).all()


def test_sim_equilibria_json_shows_the_ladder_as_a_four_by_three_game(tmp_path):
    result = run_cli("equilibria", SCENARIOS / "combined.yaml", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    (ladder,) = [g for g in report["games"] if g["game"] == "strike_ladder"]
    assert ladder["row_actions"] == ["comply", "harassment", "limited strike", "major strike"]
    assert ladder["col_actions"] == ["absorb", "retaliate in kind", "escalate"]
    assert len(ladder["row_payoffs"]) == 4 and len(ladder["row_payoffs"][0]) == 3
    assert ladder["equilibria"], "at least one equilibrium"
    for eq in ladder["equilibria"]:
        assert is_equilibrium(
            np.array(ladder["row_payoffs"]),
            np.array(ladder["col_payoffs"]),
            np.array(list(eq["row_strategy"].values())),
            np.array(list(eq["col_strategy"].values())),
        )
    assert max(len(g["row_actions"]) for g in report["games"]) > 2


def test_sim_trace_shows_the_ladder_table_and_what_was_played(tmp_path):
    """A traced run with a force prints the ladder's 4×3 table and, each printed day,
    the equilibrium strategies; the day's rung is in the JSON-ready record too."""
    result = run_cli("trace", SCENARIOS / "combined.yaml", "--run", "3", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "strike ladder table (Russia's payoff , defenders' payoff)" in result.stdout
    assert "strike ladder equilibrium: Russia " in result.stdout
    for rung in ("comply", "harassment", "limited strike", "major strike"):
        assert f"  {rung}  " in result.stdout or f"  {rung} " in result.stdout


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_the_strike_model_is_a_structural_choice_of_the_ensemble():
    """`ensemble: {games.strike_model: [ladder, binary]}` runs both models on common
    random numbers, one variant each."""
    from sim.experiments.ensemble import run_ensemble

    scenario = with_overrides(
        load_scenario(SCENARIOS / "combined.yaml"),
        {"ensemble": {"games.strike_model": ["ladder", "binary"]}},
    )
    result = run_ensemble(scenario, runs=200, seed=4)
    names = [v.name for v in result.variants]
    assert len(names) == 2 and any("binary" in n for n in names)
    assert set(result.shares["variant"]) >= set(names)
