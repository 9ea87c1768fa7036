"""The coalition's threshold game: power indices, all pure equilibria, best-response withdrawals.

Checked against textbook weighted voting games, against brute-force enumeration
straight from the definitions, and, for the dynamics, against a plain
per-run reference implementation.
"""

from __future__ import annotations

import itertools
import math
import time
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.games.coalition import (
    best_response_withdrawals,
    pivotal_states,
    power_indices,
    threshold_equilibria,
)

# ---------------------------------------------------------------------------
# Brute force, straight from the definitions
# ---------------------------------------------------------------------------


def _brute_power(weights: list[int], threshold: int) -> tuple[list, list, list]:
    """(raw Banzhaf, normalised Banzhaf, Shapley–Shubik) as Fractions, by enumerating subsets."""
    n = len(weights)
    swings = [0] * n
    shapley = [Fraction(0)] * n
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for size in range(n):
            for coalition in itertools.combinations(others, size):
                weight = sum(weights[j] for j in coalition)
                if weight < threshold <= weight + weights[i]:
                    swings[i] += 1
                    shapley[i] += Fraction(
                        math.factorial(size) * math.factorial(n - size - 1), math.factorial(n)
                    )
    raw = [Fraction(s, 2 ** (n - 1)) for s in swings]
    total = sum(swings)
    normalised = [Fraction(s, total) if total else Fraction(0) for s in swings]
    return raw, normalised, shapley


def _shapley_by_orders(weights: list[int], threshold: int) -> list[Fraction]:
    """Shapley–Shubik by its first definition: the share of orders in which i tips the total."""
    n = len(weights)
    pivots = [0] * n
    for order in itertools.permutations(range(n)):
        running = 0
        for i in order:
            if running < threshold <= running + weights[i]:
                pivots[i] += 1
                break
            running += weights[i]
    return [Fraction(p, math.factorial(n)) for p in pivots]


def _payoff(i: int, profile: tuple[int, ...], pledges, benefits, costs, threshold) -> float:
    total = sum(p for p, x in zip(pledges, profile, strict=True) if x)
    return benefits[i] * (total >= threshold) - costs[i] * profile[i]


def _brute_equilibria(pledges, benefits, costs, threshold) -> set[tuple[int, ...]]:
    """Profiles in which no state gains strictly by switching, by evaluating every payoff."""
    n = len(pledges)
    found = set()
    for profile in itertools.product((0, 1), repeat=n):
        stable = True
        for i in range(n):
            switched = (*profile[:i], 1 - profile[i], *profile[i + 1 :])
            game = (pledges, benefits, costs, threshold)
            if _payoff(i, switched, *game) > _payoff(i, profile, *game):
                stable = False
                break
        if stable:
            found.add(profile)
    return found


def _minimal_winning(pledges, threshold) -> set[tuple[int, ...]]:
    """Coalitions reaching θ none of whose proper subsets does (by checking all subsets)."""
    n = len(pledges)

    def wins(profile):
        return sum(p for p, x in zip(pledges, profile, strict=True) if x) >= threshold

    found = set()
    for profile in itertools.product((0, 1), repeat=n):
        members = [i for i in range(n) if profile[i]]
        subsets = (
            tuple(1 if (j in kept) else 0 for j in range(n))
            for size in range(len(members))
            for kept in itertools.combinations(members, size)
        )
        if wins(profile) and not any(wins(s) for s in subsets):
            found.add(profile)
    return found


def _reference_withdrawals(committed, pledges, benefits, costs, threshold) -> np.ndarray:
    """The best-response dynamics run by run, with plain Python loops."""
    result = np.array(committed, dtype=bool)
    for r in range(result.shape[0]):
        state = [bool(x) for x in result[r]]
        while True:
            total = sum(float(p) for p, x in zip(pledges, state, strict=True) if x)
            leaver, best_gain = None, 0.0
            for i in range(len(state)):
                if not state[i]:
                    continue
                pivotal = total >= threshold and total - float(pledges[i]) < threshold
                gain = costs[r, i] - (benefits[r, i] if pivotal else 0.0)
                if gain > best_gain:  # strict: ties keep the lowest index
                    leaver, best_gain = i, gain
            if leaver is None:
                break
            state[leaver] = False
        result[r] = state
    return result


# ---------------------------------------------------------------------------
# Power indices
# ---------------------------------------------------------------------------


def test_power_indices_of_51_50_49_1():
    indices = power_indices([50, 49, 1], 51)
    np.testing.assert_allclose(indices.shapley_shubik, [2 / 3, 1 / 6, 1 / 6], atol=1e-12)
    np.testing.assert_allclose(indices.banzhaf, [3 / 5, 1 / 5, 1 / 5], atol=1e-12)
    # Swings of the 50-state: {49}, {1}, {49, 1}; of the others: {50} only.
    np.testing.assert_allclose(indices.banzhaf_raw, [3 / 4, 1 / 4, 1 / 4], atol=1e-12)
    assert indices.pivotal_in_full.tolist() == [True, False, False]


def test_power_indices_of_the_1958_eec_council():
    # France, Germany, Italy 4; Belgium, Netherlands 2; Luxembourg 1; quota 12.
    # Luxembourg's vote never decided anything (Felsenthal & Machover 1998).
    indices = power_indices([4, 4, 4, 2, 2, 1], 12)
    np.testing.assert_allclose(
        indices.shapley_shubik, np.array([14, 14, 14, 9, 9, 0]) / 60, atol=1e-12
    )
    np.testing.assert_allclose(indices.banzhaf, np.array([5, 5, 5, 3, 3, 0]) / 21, atol=1e-12)
    assert indices.banzhaf[5] == 0.0
    assert indices.banzhaf_raw[5] == 0.0
    assert not indices.pivotal_in_full.any()  # 17 votes: any one state can be spared


def test_power_indices_of_a_dictator_game():
    indices = power_indices([6, 1, 2, 2], 6)
    for values in (indices.banzhaf, indices.shapley_shubik):
        assert values.tolist() == [1.0, 0.0, 0.0, 0.0]
    assert indices.banzhaf_raw.tolist() == [1.0, 0.0, 0.0, 0.0]
    assert indices.pivotal_in_full.tolist() == [True, False, False, False]


@pytest.mark.parametrize(("pledges", "threshold"), [([0, 0, 0], 1), ([3, 3], 10)])
def test_power_indices_when_no_coalition_wins(pledges, threshold):
    indices = power_indices(pledges, threshold)
    for values in (indices.banzhaf, indices.banzhaf_raw, indices.shapley_shubik):
        assert values.tolist() == [0.0] * len(pledges)
    assert not indices.pivotal_in_full.any()


def test_power_indices_round_the_threshold_up_and_use_common_divisors():
    # Whole troops reach 4000.5 exactly when they reach 4001; the pledges share the
    # divisor 100, and dividing it out must not change the answer.
    pledges = [2500, 2500, 1000, 800, 600, 400, 200]
    raw, normalised, shapley = _brute_power(pledges, 4001)
    for method in ("dynamic", "split"):
        indices = power_indices(np.array(pledges, dtype=float), 4000.5, method=method)
        np.testing.assert_allclose(indices.banzhaf_raw, [float(x) for x in raw], atol=1e-12)
        np.testing.assert_allclose(indices.banzhaf, [float(x) for x in normalised], atol=1e-12)
        np.testing.assert_allclose(indices.shapley_shubik, [float(x) for x in shapley], atol=1e-12)


@pytest.mark.parametrize(
    ("pledges", "threshold", "message"),
    [
        ([100, -5, 20], 50, "non-negative"),
        ([100, 5, 20], 0, "threshold must be a positive"),
        ([100, 5, 20], -3, "threshold must be a positive"),
        ([100, 5.5, 20], 50, "whole numbers"),
        ([], 50, "non-empty"),
    ],
)
def test_power_indices_reject_bad_input(pledges, threshold, message):
    with pytest.raises(ValueError, match=message):
        power_indices(pledges, threshold)


def test_power_indices_of_25_states_with_a_million_troops_are_fast():
    rng = np.random.default_rng(2025)
    pledges = rng.integers(1_000, 79_000, size=25)  # about a million troops in all
    assert 800_000 < pledges.sum() < 1_200_000
    assert np.gcd.reduce(pledges) == 1  # no common divisor to make the game small
    start = time.perf_counter()
    indices = power_indices(pledges, pledges.sum() // 2 + 1)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"took {elapsed:.2f} s"
    assert indices.shapley_shubik.sum() == pytest.approx(1.0, abs=1e-12)
    assert indices.banzhaf.sum() == pytest.approx(1.0, abs=1e-12)


def test_both_counting_methods_agree_exactly_on_a_larger_game():
    rng = np.random.default_rng(7)
    pledges = rng.integers(0, 3_000, size=16)
    threshold = int(pledges.sum() * 0.6)
    dynamic = power_indices(pledges, threshold, method="dynamic")
    split = power_indices(pledges, threshold, method="split")
    for field in ("banzhaf", "banzhaf_raw", "shapley_shubik", "pivotal_in_full"):
        assert np.array_equal(getattr(dynamic, field), getattr(split, field)), field


@st.composite
def weighted_games(draw, max_states: int = 8) -> tuple[list[int], int]:
    n = draw(st.integers(1, max_states))
    scale = draw(st.sampled_from([1, 1, 100]))  # sometimes a common divisor to take out
    pledges = [scale * w for w in draw(st.lists(st.integers(0, 30), min_size=n, max_size=n))]
    threshold = draw(st.integers(1, sum(pledges) + 2 * scale))
    return pledges, threshold


@settings(max_examples=150, deadline=None)
@given(weighted_games(), st.sampled_from(["auto", "dynamic", "split"]))
def test_power_indices_equal_brute_force(game, method):
    pledges, threshold = game
    raw, normalised, shapley = _brute_power(pledges, threshold)
    indices = power_indices(pledges, threshold, method=method)
    np.testing.assert_allclose(indices.banzhaf_raw, [float(x) for x in raw], atol=1e-12)
    np.testing.assert_allclose(indices.banzhaf, [float(x) for x in normalised], atol=1e-12)
    np.testing.assert_allclose(indices.shapley_shubik, [float(x) for x in shapley], atol=1e-12)
    total = sum(pledges)
    expected_veto = [total >= threshold > total - p for p in pledges]
    assert indices.pivotal_in_full.tolist() == expected_veto


@settings(max_examples=30, deadline=None)
@given(weighted_games(max_states=6))
def test_shapley_shubik_equals_the_share_of_orders_in_which_a_state_tips_the_total(game):
    pledges, threshold = game
    expected = _shapley_by_orders(pledges, threshold)
    indices = power_indices(pledges, threshold)
    np.testing.assert_allclose(indices.shapley_shubik, [float(x) for x in expected], atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(weighted_games(max_states=12))
def test_power_indices_sum_to_one_and_grow_with_the_pledge(game):
    pledges, threshold = game
    indices = power_indices(pledges, threshold)
    if sum(pledges) >= threshold:
        assert indices.shapley_shubik.sum() == pytest.approx(1.0, abs=1e-12)
        assert indices.banzhaf.sum() == pytest.approx(1.0, abs=1e-12)
    for values in (indices.banzhaf, indices.banzhaf_raw, indices.shapley_shubik):
        assert (values >= 0).all()
        # Indices are sums of float weights accumulated in different orders for
        # different states: compare up to rounding.
        for i, j in itertools.permutations(range(len(pledges)), 2):
            if pledges[i] > pledges[j]:
                assert values[i] >= values[j] - 1e-12
            elif pledges[i] == pledges[j]:
                assert values[i] == pytest.approx(values[j], abs=1e-12)


# ---------------------------------------------------------------------------
# All pure equilibria of the threshold game
# ---------------------------------------------------------------------------


@st.composite
def threshold_games(draw, max_states: int = 6, positive_costs: bool = False):
    n = draw(st.integers(1, max_states))
    small = st.lists(st.integers(0, 20), min_size=n, max_size=n)
    pledges = draw(small)
    # Small whole payoffs, so that benefit = cost ties come up often.
    benefits = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    cost_values = st.integers(1, 4) if positive_costs else st.integers(0, 4)
    costs = draw(st.lists(cost_values, min_size=n, max_size=n))
    threshold = draw(st.integers(0 if not positive_costs else 1, sum(pledges) + 3))
    return pledges, benefits, costs, threshold


def _as_set(equilibria) -> set[tuple[int, ...]]:
    return {tuple(int(x) for x in row) for row in equilibria.profiles}


@settings(max_examples=200, deadline=None)
@given(threshold_games())
def test_threshold_equilibria_equal_brute_force(game):
    pledges, benefits, costs, threshold = game
    equilibria = threshold_equilibria(pledges, benefits, costs, threshold)
    assert _as_set(equilibria) == _brute_equilibria(pledges, benefits, costs, threshold)
    assert equilibria.count == len(equilibria.profiles)
    minimal = _minimal_winning(pledges, threshold)
    for k, profile in enumerate(equilibria.profiles):
        members = [i for i in range(len(pledges)) if profile[i]]
        total = sum(pledges[i] for i in members)
        assert equilibria.total_troops[k] == total
        assert equilibria.reaches_threshold[k] == (total >= threshold)
        expected_pivotal = [
            bool(profile[i]) and total >= threshold > total - pledges[i]
            for i in range(len(pledges))
        ]
        assert equilibria.pivotal[k].tolist() == expected_pivotal
        assert equilibria.minimal_winning[k] == (tuple(int(x) for x in profile) in minimal)


@settings(max_examples=200, deadline=None)
@given(threshold_games(positive_costs=True))
def test_threshold_equilibria_are_the_empty_profile_and_affordable_minimal_winning_coalitions(
    game,
):
    pledges, benefits, costs, threshold = game
    n = len(pledges)
    expected = {
        profile
        for profile in _minimal_winning(pledges, threshold)
        if all(benefits[i] >= costs[i] for i in range(n) if profile[i])
    }
    if not any(pledges[i] >= threshold and benefits[i] > costs[i] for i in range(n)):
        expected.add((0,) * n)
    equilibria = threshold_equilibria(pledges, benefits, costs, threshold)
    assert _as_set(equilibria) == expected
    non_empty = equilibria.profiles.any(axis=1)
    assert equilibria.minimal_winning[non_empty].all()


def test_threshold_equilibria_of_a_fifteen_state_coalition():
    pledges = [10_000, 10_000, 5_000, 3_000, 2_500, 2_000, 1_500, 1_200, 1_000, 800, 600, 500]
    pledges += [400, 300, 200]
    benefits = np.full(15, 10.0)
    costs = np.array(pledges) / 1_000.0  # the bigger contingent, the dearer
    start = time.perf_counter()
    equilibria = threshold_equilibria(pledges, benefits, costs, 20_000)
    assert time.perf_counter() - start < 2.0
    assert equilibria.profiles.shape == (equilibria.count, 15)
    # The empty profile (nobody reaches 20,000 alone) and minimal winning coalitions
    # of states that can afford to be pivotal (b = 10 ≥ c unless the pledge tops 10,000).
    assert not equilibria.profiles[0].any()
    assert equilibria.minimal_winning[1:].all()
    assert (equilibria.total_troops[1:] >= 20_000).all()
    assert (equilibria.pivotal[1:] == equilibria.profiles[1:]).all()
    assert equilibria.count > 1


def test_threshold_equilibria_refuse_too_many_states():
    with pytest.raises(ValueError, match="max_states=20"):
        threshold_equilibria(np.ones(21), np.ones(21), np.ones(21), 5)
    with pytest.raises(ValueError, match="shape"):
        threshold_equilibria([1, 2, 3], [1, 1], [1, 1, 1], 3)


# ---------------------------------------------------------------------------
# Pivotal states and best-response withdrawals
# ---------------------------------------------------------------------------


@st.composite
def committed_games(draw, whole_payoffs: bool = True):
    runs = draw(st.integers(1, 6))
    n = draw(st.integers(1, 7))
    pledges = np.array(draw(st.lists(st.integers(0, 40), min_size=n, max_size=n)), dtype=float)
    committed = np.array(
        draw(st.lists(st.booleans(), min_size=runs * n, max_size=runs * n))
    ).reshape(runs, n)
    if whole_payoffs:  # ties between states, and between benefit and cost, come up often
        payoff = st.integers(0, 4).map(float)
    else:
        payoff = st.floats(0, 10, allow_nan=False)
    benefits = np.array(draw(st.lists(payoff, min_size=runs * n, max_size=runs * n)))
    costs = np.array(draw(st.lists(payoff, min_size=runs * n, max_size=runs * n)))
    threshold = draw(st.integers(0, int(pledges.sum()) + 5))
    return committed, pledges, benefits.reshape(runs, n), costs.reshape(runs, n), threshold


@settings(max_examples=150, deadline=None)
@given(committed_games())
def test_pivotal_states_equal_brute_force(game):
    committed, pledges, _, _, threshold = game
    pivotal = pivotal_states(committed, pledges, threshold)
    for r in range(committed.shape[0]):
        members = [i for i in range(len(pledges)) if committed[r, i]]
        total = sum(pledges[i] for i in members)
        expected = [
            bool(committed[r, i]) and total >= threshold > total - pledges[i]
            for i in range(len(pledges))
        ]
        assert pivotal[r].tolist() == expected


@settings(max_examples=200, deadline=None)
@given(committed_games())
def test_best_response_withdrawals_end_where_nobody_committed_wants_to_leave(game):
    committed, pledges, benefits, costs, threshold = game
    before = committed.copy()
    after = best_response_withdrawals(committed, pledges, benefits, costs, threshold)
    assert np.array_equal(committed, before)  # the input is left alone
    assert not (after & ~committed).any()  # nobody joins
    # Stable: no state still committed gains by leaving.
    gain = costs - np.where(pivotal_states(after, pledges, threshold), benefits, 0.0)
    assert (gain[after] <= 0).all()
    # A state leaves only for a gain, which needs a positive cost (benefits are ≥ 0).
    assert after[committed & (costs <= 0)].all()
    # A stable profile is left as it is.
    again = best_response_withdrawals(after, pledges, benefits, costs, threshold)
    assert np.array_equal(again, after)


@settings(max_examples=150, deadline=None)
@given(st.one_of(committed_games(), committed_games(whole_payoffs=False)))
def test_best_response_withdrawals_equal_the_per_run_reference(game):
    committed, pledges, benefits, costs, threshold = game
    after = best_response_withdrawals(committed, pledges, benefits, costs, threshold)
    expected = _reference_withdrawals(committed, pledges, benefits, costs, threshold)
    assert np.array_equal(after, expected)


def test_best_response_withdrawals_equal_the_reference_on_many_runs():
    rng = np.random.default_rng(11)
    runs, n = 400, 15
    pledges = rng.integers(0, 3_000, size=n).astype(float)
    committed = rng.random((runs, n)) < 0.85
    benefits = rng.gamma(2.0, 1.0, size=(runs, n))
    costs = rng.gamma(2.0, 0.5, size=(runs, n)) * (rng.random((runs, n)) < 0.9)
    threshold = float(pledges.sum() * 0.4)
    after = best_response_withdrawals(committed, pledges, benefits, costs, threshold)
    expected = _reference_withdrawals(committed, pledges, benefits, costs, threshold)
    assert np.array_equal(after, expected)
    assert (after != committed).any()  # the test does exercise withdrawals


def test_free_riders_leave_until_every_remaining_state_is_pivotal():
    pledges = np.array([2500, 2500, 1000, 800, 600, 400, 200], dtype=float)
    committed = np.ones((1, 7), dtype=bool)
    costs = pledges[None, :] / 1_000.0  # the bigger contingent, the dearer
    benefits = np.full((1, 7), 10.0)
    after = best_response_withdrawals(committed, pledges, benefits, costs, 4_000)
    # 8,000 troops, nobody pivotal: the first 2,500 leaves (ties: lowest index), then
    # the 1,000 (the second 2,500 is now pivotal), then the 400 (800 and 600 are
    # pivotal at 4,500), leaving 2,500 + 800 + 600 + 200 = 4,100, all pivotal.
    assert after[0].tolist() == [False, True, False, True, True, False, True]
    assert pivotal_states(after, pledges, 4_000)[0].tolist() == after[0].tolist()
    # The survivors form a minimal winning coalition that each member can afford: an
    # equilibrium of the full game.
    equilibria = threshold_equilibria(pledges, benefits[0], costs[0], 4_000)
    assert after[0].tolist() in equilibria.profiles.tolist()


def test_a_pivotal_state_that_cannot_afford_its_part_brings_the_force_down():
    pledges = np.array([2500, 2500, 1000, 800, 600, 400, 200], dtype=float)
    committed = np.ones((1, 7), dtype=bool)
    costs = pledges[None, :] / 1_000.0
    benefits = np.full((1, 7), 10.0)
    benefits[0, 1] = 1.0  # the second 2,500 gains less from a viable force than it pays
    after = best_response_withdrawals(committed, pledges, benefits, costs, 4_000)
    # Once it is pivotal it leaves; the force falls short, and nobody left is pivotal.
    assert not after.any()


def test_a_force_short_of_the_threshold_unravels_and_free_states_stay():
    pledges = np.array([1500, 1000, 500, 300], dtype=float)
    committed = np.ones((2, 4), dtype=bool)
    costs = np.array([[1.0, 2.0, 0.5, 0.1], [1.0, 2.0, 0.0, 0.1]])
    after = best_response_withdrawals(committed, pledges, np.full((2, 4), 5.0), costs, 4_000)
    assert after.tolist() == [[False] * 4, [False, False, True, False]]


def test_equal_gains_let_the_lowest_index_leave_first():
    # Two states of 3 with θ = 3: neither is pivotal, both gain 1 by leaving.  The first
    # leaves, and the second, now pivotal, stays.
    after = best_response_withdrawals(np.ones((1, 2), dtype=bool), [3, 3], 5.0, 1.0, 3)
    assert after.tolist() == [[False, True]]


def test_best_response_withdrawals_reject_mismatched_shapes():
    with pytest.raises(ValueError, match="committed must have shape"):
        best_response_withdrawals(np.ones((2, 3), dtype=bool), [1, 2], 1.0, 1.0, 2)
    with pytest.raises(ValueError, match="broadcast"):
        best_response_withdrawals(np.ones((2, 3), dtype=bool), [1, 2, 3], np.ones(4), 1.0, 2)
    with pytest.raises(ValueError, match="non-negative"):
        pivotal_states(np.ones((2, 3), dtype=bool), [1, -2, 3], 2)
