"""The compiled (numba) solve-and-select kernel equals the NumPy oracle, bit for bit.

``select_equilibrium(..., backend="numpy")`` is the reference; ``backend="numba"``
runs :func:`sim.games.kernels.select_kernel`.  Every output field must be the
same array: same dtype, same bits (so the same NaN positions and signed zeros),
and the random rule must consume the generator alike.
"""

from __future__ import annotations

import numpy as np
import pandas.testing
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import sim.games.selection as selection
from sim.experiments.runner import simulate
from sim.games import kernels
from sim.games.selection import select_equilibrium
from tests.conftest import variant

FIELDS = ("row_first", "col_first", "label", "n_equilibria", "degenerate")
NASH_RULES = ("risk_dominant", "payoff_dominant", "max_entropy", "random")
RULES = (*NASH_RULES, "logit_qre")


def _bits(x: np.ndarray) -> np.ndarray:
    return x.view(np.uint64) if x.dtype == np.float64 else x


def assert_same(A, B, rule: str, precision: float | np.ndarray = 10.0) -> None:
    """Kernel and oracle agree on every field, and leave the generator in the same state."""
    rng_oracle, rng_kernel = np.random.default_rng(7), np.random.default_rng(7)
    with np.errstate(all="ignore"):
        oracle = select_equilibrium(
            A, B, rule=rule, rng=rng_oracle, precision=precision, backend="numpy"
        )
    kernel = select_equilibrium(
        A, B, rule=rule, rng=rng_kernel, precision=precision, backend="numba"
    )
    for field in FIELDS:
        want, got = getattr(oracle, field), getattr(kernel, field)
        assert got.dtype == want.dtype, field
        assert got.shape == want.shape, field
        assert np.array_equal(_bits(got), _bits(want)), (rule, field, want, got)
    assert rng_oracle.bit_generator.state == rng_kernel.bit_generator.state


def _pairs(elements, max_games: int = 12):
    """Two payoff stacks of the same shape ``(n, 2, 2)``."""
    return st.integers(1, max_games).flatmap(
        lambda n: st.tuples(
            arrays(np.float64, (n, 2, 2), elements=elements),
            arrays(np.float64, (n, 2, 2), elements=elements),
        )
    )


# (a) Any finite doubles: huge (differences overflow to ±inf, products to inf or NaN),
# tiny and subnormal magnitudes.
ANY_FLOAT = st.floats(allow_nan=False, allow_infinity=False, width=64)
# ... and payoffs of mixed magnitudes, near the tie tolerance (1e-12) and far from it.
MAGNITUDES = st.sampled_from([1e-14, 1e-12, 3e-12, 1e-6, 1.0, 1e6, 1e150, 1e300])


def _scaled_pairs(max_games: int = 12):
    def scaled(n: int):
        shape = (n, 2, 2)
        base = arrays(np.float64, shape, elements=st.floats(-10, 10))
        return st.tuples(base, arrays(np.float64, shape, elements=MAGNITUDES)).map(
            lambda pair: pair[0] * pair[1]
        )

    return st.integers(1, max_games).flatmap(lambda n: st.tuples(scaled(n), scaled(n)))


# (b) Tie-heavy: few distinct payoffs, exact duplicates, steps at the tolerance.
TIES = st.sampled_from([0.0, 1.0, 2.0])
NEAR_TIES = st.sampled_from([0.0, 1e-12, 2e-12, 5e-13, 1.0, 1.0 + 1e-12, 1.0 - 1e-12, -1.0, 0.5])


@settings(max_examples=300, deadline=None)
@given(_pairs(ANY_FLOAT), st.sampled_from(NASH_RULES))
def test_random_doubles(games, rule):
    assert_same(*games, rule)


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
@settings(max_examples=300, deadline=None)
@given(_scaled_pairs(), st.sampled_from(NASH_RULES))
def test_random_magnitudes(games, rule):
    assert_same(*games, rule)


@settings(max_examples=300, deadline=None)
@given(_pairs(st.one_of(TIES, NEAR_TIES)), st.sampled_from(NASH_RULES))
def test_tie_heavy_games(games, rule):
    assert_same(*games, rule)


@settings(max_examples=60, deadline=None)
@given(_pairs(st.one_of(TIES, st.floats(-5, 5)), max_games=6), st.floats(0, 50))
def test_logit_qre_counts(games, precision):
    # The QRE itself is NumPy either way; the kernel gives the counts and degeneracy flags.
    assert_same(*games, "logit_qre", precision)


@settings(max_examples=100, deadline=None)
@given(
    _pairs(st.floats(allow_nan=True, allow_infinity=True, width=64)), st.sampled_from(NASH_RULES)
)
def test_non_finite_payoffs(games, rule):
    assert_same(*games, rule)


@pytest.mark.parametrize("rule", NASH_RULES)
@pytest.mark.parametrize(
    "values",
    [
        [0.0, 1.0, 2.0],
        [0.0, 1.0],
        [-1.0, 0.0, 1.0, 1e-12, 2e-12],
        [0.0, 0.1, 0.2, 0.3],  # inexact decimals: sums that round differently
    ],
    ids=["012", "01", "tolerance", "decimals"],
)
def test_many_tie_heavy_games(rule, values):
    rng = np.random.default_rng(11)
    A = rng.choice(values, size=(20_000, 2, 2))
    B = rng.choice(values, size=(20_000, 2, 2))
    assert_same(A, B, rule)


@pytest.mark.parametrize("rule", RULES)
def test_degenerate_and_constant_games(rule):
    constant = np.full((2, 2), 3.0)
    games = [
        (constant, constant),  # all payoffs equal: every profile is an equilibrium
        (np.zeros((2, 2)), np.zeros((2, 2))),
        ([[1, 1], [0, 0]], [[0, 0], [0, 0]]),  # row dominant, column indifferent
        ([[1, 0], [1, 0]], [[1, 1], [0, 2]]),  # row indifferent, column not
        ([[2, 2], [2, 2]], [[1, 0], [0, 1]]),
        ([[1, 0], [0, 1]], [[1, 0], [1, 0]]),
        ([[0, 1], [0, 1]], [[3, 0], [0, 1]]),  # a segment of row mixtures
        ([[1e-13, 0], [0, 1e-13]], [[0, 1e-13], [1e-13, 0]]),  # differences below tolerance
    ]
    A = np.array([g[0] for g in games], dtype=float)
    B = np.array([g[1] for g in games], dtype=float)
    assert_same(A, B, rule)
    assert_same(A[::-1], B[::-1], rule)  # non-contiguous views
    assert_same(A.transpose(0, 2, 1), B.transpose(0, 2, 1), rule)


TEXTBOOK = {
    "prisoners_dilemma": ([[3, 0], [5, 1]], [[3, 5], [0, 1]]),
    "stag_hunt": ([[4, 0], [3, 3]], [[4, 3], [0, 3]]),
    "chicken": ([[0, -1], [1, -10]], [[0, 1], [-1, -10]]),
    "matching_pennies": ([[1, -1], [-1, 1]], [[-1, 1], [1, -1]]),
    "battle_of_the_sexes": ([[2, 0], [0, 1]], [[1, 0], [0, 2]]),
}


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("name", sorted(TEXTBOOK))
def test_textbook_games(name, rule):
    A, B = (np.array(x, dtype=float) for x in TEXTBOOK[name])
    assert_same(A, B, rule)  # a single game, shape (2, 2)
    # Affine transformations of each player's payoffs, and the players' roles swapped.
    scales = np.array([1.0, 0.1, 1e-9, 7.3, 1e12])[:, None, None]
    shifts = np.array([0.0, 0.3, -1e3, 1e-12, 5.0])[:, None, None]
    assert_same(A * scales + shifts, B * scales[::-1] - shifts, rule)
    assert_same(B.T[None], A.T[None], rule)


def test_textbook_selections():
    """The kernel's answers are the textbook ones (not only the oracle's)."""
    pick = {
        name: select_equilibrium(
            *(np.array(x, dtype=float) for x in TEXTBOOK[name]), backend="numba"
        )
        for name in TEXTBOOK
    }
    assert pick["stag_hunt"].label[0] == 3  # (hare, hare) risk-dominates
    assert pick["prisoners_dilemma"].label[0] == 3
    assert pick["battle_of_the_sexes"].label[0] == 0
    assert (pick["matching_pennies"].row_first[0], pick["matching_pennies"].col_first[0]) == (
        0.5,
        0.5,
    )
    assert pick["chicken"].n_equilibria[0] == 3


def test_entropy_margin_fallback(monkeypatch):
    """max_entropy games flagged as close to a tie are re-solved by NumPy, with the same result."""
    rng = np.random.default_rng(5)
    A = rng.choice([0.0, 1.0, 2.0], size=(3000, 2, 2))
    B = rng.choice([0.0, 1.0, 2.0], size=(3000, 2, 2))
    *_, ambiguous = kernels.select_kernel(
        A, B, kernels.RULE_CODES["max_entropy"], np.empty(0), np.inf
    )
    assert ambiguous.all()  # every game has at least one equilibrium here
    monkeypatch.setattr(kernels, "ENTROPY_MARGIN", np.inf)
    assert_same(A, B, "max_entropy")


def test_compiled_entropy_is_within_the_margin():
    """The compiled and NumPy entropies differ far less than ENTROPY_MARGIN."""
    x = np.concatenate([np.linspace(1e-12, 1 - 1e-12, 2001), np.random.default_rng(2).random(2000)])
    oracle = selection._entropy(x)
    compiled = np.array([kernels._entropy(v) for v in x])
    assert np.abs(compiled - oracle).max() < kernels.ENTROPY_MARGIN / 100


def test_backend_switch(monkeypatch):
    A = np.random.default_rng(3).normal(size=(selection.KERNEL_MIN_GAMES, 2, 2))
    calls = []
    compiled = selection._select_compiled
    monkeypatch.setattr(selection, "_select_compiled", lambda *a: calls.append(1) or compiled(*a))
    select_equilibrium(A, A)
    assert len(calls) == 1
    select_equilibrium(A, A, backend="numpy")
    monkeypatch.setenv("SIM_NO_NUMBA", "1")
    select_equilibrium(A, A)
    assert len(calls) == 1
    select_equilibrium(A[:1], A[:1], backend="numba")
    assert len(calls) == 2
    with pytest.raises(ValueError, match="unknown backend"):
        select_equilibrium(A, A, backend="fortran")


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_errors_are_the_oracles(backend):
    A = np.zeros((4, 2, 2))
    with pytest.raises(ValueError, match="expected two arrays"):
        select_equilibrium(A, np.zeros((3, 2, 2)), backend=backend)
    with pytest.raises(ValueError, match="unknown selection rule"):
        select_equilibrium(A, A, rule="coin_toss", backend=backend)
    with pytest.raises(ValueError, match="needs a random generator"):
        select_equilibrium(A, A, rule="random", backend=backend)


def test_a_model_keeps_the_switch_it_read_when_it_was_built(monkeypatch):
    """The days a model simulates use the switch as it was when the model was built
    (read once, not about thirty times a day); outside them the environment decides."""
    from sim.compiled import use_numba
    from sim.engine.model import CrisisModel

    seen = []

    class Spy:
        def start_day(self, world):
            seen.append(use_numba())

        def after_phase(self, name, world, setup):
            seen.append(use_numba())

        def end_day(self, world, setup):
            pass

    scenario = variant("combined.yaml", simulation__horizon_days=3)
    for built, later in (("1", "0"), ("0", "1")):
        monkeypatch.setenv("SIM_NO_NUMBA", built)
        model = CrisisModel(scenario, 4, seed=0)
        model.observers.append(Spy())
        monkeypatch.setenv("SIM_NO_NUMBA", later)
        seen.clear()
        model.step()
        assert set(seen) == {built == "0"}
        assert use_numba() is (later == "0")
        model.release()


@pytest.mark.parametrize(
    ("base", "rule"),
    [
        ("combined.yaml", "risk_dominant"),
        ("sanctions_threat.yaml", "random"),
        ("known_resolve.yaml", "max_entropy"),
        ("baseline.yaml", "payoff_dominant"),
        ("public_good.yaml", "risk_dominant"),
    ],
)
def test_whole_simulation_is_identical(monkeypatch, base, rule):
    scenario = variant(base, simulation__horizon_days=120, games__selection=rule)
    calls = []
    compiled = selection._select_compiled
    monkeypatch.setattr(selection, "_select_compiled", lambda *a: calls.append(1) or compiled(*a))
    monkeypatch.setenv("SIM_NO_NUMBA", "1")
    oracle = simulate(scenario, runs=300, seed=4)
    assert not calls
    monkeypatch.setenv("SIM_NO_NUMBA", "0")
    monkeypatch.setattr(selection, "KERNEL_MIN_GAMES", 1)
    kernel = simulate(scenario, runs=300, seed=4)
    assert calls
    pandas.testing.assert_frame_equal(oracle.runs, kernel.runs, check_exact=True)
    for name, values in oracle.trajectories.items():
        assert np.array_equal(values, kernel.trajectories[name], equal_nan=True), name


# ------------------------------------------------------------------ the coalition phase


class _Params:
    """Coalition parameters as the model holds them (arrays over runs)."""

    def __init__(self, rng: np.random.Generator, runs: int) -> None:
        self.casualty_rate_per_attack = rng.uniform(0, 0.01, runs)
        self.risk_window_days = rng.integers(1, 60, runs)
        self.guarantee_value = rng.uniform(0, 3, runs)
        self.casualty_scale = rng.uniform(1, 200, runs)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), states=st.integers(1, 12), runs=st.integers(1, 40))
def test_coalition_kernels_equal_the_numpy_functions(seed, states, runs):
    """One compiled pass (sim.engine.day_kernels) gives the same bits as the NumPy
    functions of sim.engine.agents, on random states, with ties and whole-number pledges
    that differ from run to run (runs of different sweep points)."""
    from types import SimpleNamespace

    from sim.engine.agents import (
        CoalitionArrays,
        coalition_step,
        participation_terms,
        sum_over_states,
    )
    from sim.engine.day_kernels import own_rule_stays, step_states

    rng = np.random.default_rng(seed)
    pledges = rng.choice([0.0, 500.0, 1234.0, 3000.0], (states, runs))
    arrays = CoalitionArrays(
        pledges, rng.uniform(0, 3, (states, runs)), rng.uniform(0, 1, (states, runs))
    )
    arrays.committed &= rng.random((states, runs)) < 0.8
    arrays.deployed = np.where(arrays.committed, rng.uniform(0, 1, (states, runs)), 0.0)
    arrays.deployed *= arrays.pledge
    model = SimpleNamespace(
        coalition=arrays,
        coalition_params=_Params(rng, runs),
        perceived_targeting_probability=rng.choice([0.0, 0.3, 1.0], runs),
        war_exposure=rng.choice([0.0, 0.05], runs),
        committed_troops=rng.uniform(0, 8000, runs),
        mission_under_way=rng.random(runs) < 0.7,
        deployment_moving=rng.random(runs) < 0.7,
        ramp_days=rng.integers(1, 30, runs).astype(float),
    )
    c = model.coalition_params
    viable = model.committed_troops >= 4000.0
    benefit, cost = participation_terms(model, model.coalition_params)
    expected = benefit * viable - cost >= 0
    risk = 1.0 - (1.0 - model.perceived_targeting_probability) * (1.0 - model.war_exposure)
    stays = own_rule_stays(
        arrays.pledge, arrays.support, arrays.casualty_sensitivity,
        c.casualty_rate_per_attack, c.risk_window_days.astype(float), c.guarantee_value,
        c.casualty_scale, risk, viable,
    )  # fmt: skip
    np.testing.assert_array_equal(stays, expected)

    model.stays = stays
    compiled = CoalitionArrays(pledges, arrays.casualty_sensitivity, arrays.support)
    compiled.committed, compiled.deployed = arrays.committed.copy(), arrays.deployed.copy()
    committed_troops, troops_deployed = np.empty(runs), np.empty(runs)
    step_states(
        compiled.pledge, compiled.committed, compiled.deployed, stays,
        model.mission_under_way, model.deployment_moving, model.ramp_days,
        committed_troops, troops_deployed,
    )  # fmt: skip
    coalition_step(model, model.ramp_days)
    np.testing.assert_array_equal(compiled.committed, arrays.committed)
    np.testing.assert_array_equal(compiled.deployed, arrays.deployed)
    committed_total = sum_over_states(arrays.pledge * arrays.committed)
    np.testing.assert_array_equal(committed_troops, committed_total)
    np.testing.assert_array_equal(troops_deployed, sum_over_states(arrays.deployed))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), states=st.integers(1, 30), runs=st.integers(1, 30))
def test_public_good_kernel_equals_best_response_withdrawals(seed, states, runs):
    """The compiled threshold game plays best_response_withdrawals move for move, with
    ties in gains and pledges, and with fractional pledges whose sums land exactly on
    the threshold (so the order in which pledges are added matters), the same in every
    run or different from run to run."""
    from sim.engine.day_kernels import public_good_stays
    from sim.games.coalition import best_response_withdrawals

    rng = np.random.default_rng(seed)
    whole = rng.choice([0.0, 250.0, 975.0, 2439.0], states)
    pledges = np.where(rng.random(states) < 0.5, whole, rng.uniform(0, 3000, states) / 7.0)
    committed = rng.random((states, runs)) < 0.85
    benefit = rng.choice([0.0, 0.5, 1.0, 2.0], (states, runs)) * rng.random((states, runs))
    cost = rng.choice([0.0, 0.4, 1.0], (states, runs))
    # Thresholds at sums of pledges (added in some order) and in between.
    partial = np.cumsum(pledges[rng.permutation(states)])
    threshold = np.where(
        rng.random(runs) < 0.5,
        partial[rng.integers(0, states, runs)],
        rng.uniform(0.0, pledges.sum() + 1.0, runs),
    )
    mission = rng.random(runs) < 0.8
    if rng.random() < 0.5:  # per run: some runs' pledges scaled (another sweep point)
        pledges = pledges[:, None] * rng.choice([1.0, 0.5, 2.0], runs)
        per_run = pledges.T
    else:
        per_run = pledges
        pledges = np.repeat(pledges[:, None], runs, axis=1)
    stays = public_good_stays(committed, pledges, benefit, cost, threshold, mission)
    after = best_response_withdrawals(committed.T, per_run, benefit.T, cost.T, threshold)
    expected = after.T | ~committed
    np.testing.assert_array_equal(stays[:, mission], expected[:, mission])
    assert stays[:, ~mission].all()
    # Each run alone gives what it gives in the batch (no batch-dependent summation).
    for k in range(min(runs, 3)):
        one = best_response_withdrawals(
            committed.T[k : k + 1], pledges.T[k : k + 1], benefit.T[k : k + 1], cost.T[k : k + 1],
            threshold[k : k + 1],
        )  # fmt: skip
        np.testing.assert_array_equal(one[0], after[k])


# ------------------------------------------------------------------ the ladder's daily chores


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), states=st.integers(1, 30), runs=st.integers(1, 40))
def test_ladder_chores_equal_the_numpy_expressions(seed, states, runs):
    """Each compiled chore of the daily step (sim.engine.day_kernels) gives the bits of the
    NumPy expression it replaces (the SIM_NO_NUMBA path of sim.engine.phases), with ties,
    zeros, never-cached rows and unattacked runs."""
    from types import SimpleNamespace

    from sim.engine.agents import CoalitionArrays, absorb_casualties
    from sim.engine.day_kernels import (
        casualty_exponents,
        pledge_weighted_means,
        pure_actions,
        refresh_changed_rows,
        rung_values,
        scale_columns,
    )
    from sim.engine.scenario_games import pledge_weighted

    rng = np.random.default_rng(seed)
    shape = (states, runs)
    pledge = rng.choice([0.0, 150.0, 2500.0], shape) * rng.choice([1.0, 0.5], runs)
    committed = rng.random(shape) < 0.7
    first, second = rng.uniform(0, 1, shape), rng.choice([0.0, 0.5, 0.8], shape)
    compiled = pledge_weighted_means(pledge, committed, first, second)
    np.testing.assert_array_equal(compiled[0], pledge_weighted(pledge, committed, first))
    np.testing.assert_array_equal(compiled[1], pledge_weighted(pledge, committed, second))

    # Which runs' inputs changed: equal rows, rows differing in one column, NaN rows.
    cache = rng.choice([0.0, 1.0, np.nan], (runs, 9))
    state = np.where(rng.random((runs, 9)) < 0.9, cache, rng.random((runs, 9)))
    active = rng.random(runs) < 0.8
    expected_at = np.flatnonzero(active & (state != cache).any(axis=1))
    expected_before = ~np.isnan(cache[expected_at, 0])
    expected_cache = cache.copy()
    expected_cache[expected_at] = state[expected_at]
    at, before = refresh_changed_rows(state, cache, active)
    np.testing.assert_array_equal(at, expected_at)
    np.testing.assert_array_equal(before, expected_before)
    np.testing.assert_array_equal(cache, expected_cache)

    # Pure and mixed strategies, with ties between actions.
    strategy = rng.choice([0.0, 0.25, 0.5, 1.0], (runs, 4))
    strategy[rng.random(runs) < 0.5] = np.eye(4)[rng.integers(0, 4)]
    action, mixed = pure_actions(strategy)
    np.testing.assert_array_equal(action, strategy.argmax(axis=1))
    np.testing.assert_array_equal(mixed, strategy.max(axis=1) < 1.0)

    rung = rng.integers(0, 4, runs)
    harassment, limited = rng.random(runs), rng.random(runs)
    np.testing.assert_array_equal(
        rung_values(rung, harassment, limited), np.choose(rung, (0.0, harassment, limited, 1.0))
    )

    # Casualties in the attacked runs: the same bits as absorb_casualties.
    attacked = np.flatnonzero(rng.random(runs) < 0.6)
    own = rng.poisson(rng.choice([0.05, 3.0]), (states, attacked.size)).astype(float)
    c = SimpleNamespace(
        shared_casualty_weight=rng.uniform(0, 1, runs), casualty_scale=rng.uniform(1, 200, runs)
    )
    reference = CoalitionArrays(pledge, rng.uniform(0, 3, shape), rng.uniform(0, 1, shape))
    reference.casualties = rng.choice([0.0, 2.0], shape)
    kernel = CoalitionArrays(pledge, reference.casualty_sensitivity, reference.support.copy())
    kernel.casualties = reference.casualties.copy()
    absorb_casualties(SimpleNamespace(coalition=reference), c, own, attacked)
    exponent = casualty_exponents(
        own, attacked, kernel.casualties, kernel.casualty_sensitivity,
        c.shared_casualty_weight, c.casualty_scale,
    )  # fmt: skip
    scale_columns(kernel.support, attacked, np.exp(exponent))
    np.testing.assert_array_equal(kernel.casualties, reference.casualties)
    np.testing.assert_array_equal(kernel.support, reference.support)
