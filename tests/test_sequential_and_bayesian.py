"""Backward induction (sequential play) and the deterrence game with types (PBE, Bayes' rule)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.games.bayesian import (
    coalition_deploys,
    deterrence_pbe,
    deterrence_threshold,
    update_belief,
)
from sim.games.sequential import backward_induction, subgame_perfect_equilibria
from sim.games.two_by_two import solve_2x2

# ------------------------------------------------------------------ sequential play

# (row payoffs, column payoffs, SPE path with the row player first, with the column first)
HAND_COMPUTED = {
    # Entry deterrence: entrant (enter, stay out) x incumbent (accommodate, fight).
    # Entrant first: fighting an entrant costs the incumbent (-1 < 1), so it
    # accommodates and the entrant enters.  Incumbent first: committing to fight keeps
    # the entrant out (3 > 1).
    "entry_deterrence": ([[2, -1], [0, 0]], [[1, -1], [3, 3]], (0, 0), (1, 1)),
    # Battle of the Sexes: the leader gets its favourite equilibrium.
    "battle_of_the_sexes": ([[2, 0], [0, 1]], [[1, 0], [0, 2]], (0, 0), (1, 1)),
    # Chicken (swerve, straight): the first mover goes straight.
    "chicken": ([[0, -1], [1, -10]], [[0, 1], [-1, -10]], (1, 0), (0, 1)),
    # Prisoner's Dilemma: defection dominates whoever moves first.
    "prisoners_dilemma": ([[3, 0], [5, 1]], [[3, 5], [0, 1]], (1, 1), (1, 1)),
    # The deployment game of combined.yaml at its central values (docs/games.md).
    "deployment": ([[0.8, -7.956], [0, 0]], [[-2.1, -4.43], [0, 0]], (0, 0), (1, 1)),
}


@pytest.mark.parametrize("name", sorted(HAND_COMPUTED))
def test_backward_induction_matches_hand_computation(name):
    A, B, row_first, col_first = HAND_COMPUTED[name]
    for leader, path in (("row", row_first), ("col", col_first)):
        play = backward_induction(np.array(A, float), np.array(B, float), leader)
        assert (int(play.row_action[0]), int(play.col_action[0])) == path, leader
        paths = {spe.path for spe in subgame_perfect_equilibria(A, B, leader)}
        assert paths == {path}, leader  # no ties in these games: a unique SPE path


def test_matching_pennies_second_mover_wins():
    A = np.array([[1.0, -1.0], [-1.0, 1.0]])
    for leader in ("row", "col"):
        play = backward_induction(A, -A, leader)
        leader_payoff = play.row_payoff[0] if leader == "row" else -play.row_payoff[0]
        assert leader_payoff == -1.0
        assert len(subgame_perfect_equilibria(A, -A, leader)) == 2  # the leader is indifferent


def test_entry_deterrence_fight_is_nash_but_not_subgame_perfect():
    A, B, *_ = HAND_COMPUTED["entry_deterrence"]
    nash = solve_2x2(np.array(A, float), np.array(B, float))
    assert nash.pure[0, 1, 1]  # (stay out, fight) is a Nash equilibrium ...
    spe = backward_induction(np.array(A, float), np.array(B, float), "row")
    assert (spe.row_action[0], spe.col_action[0]) == (0, 0)  # ... resting on an empty threat


def test_the_value_of_russias_commitment_in_the_deployment_game():
    A, B, *_ = HAND_COMPUTED["deployment"]
    russia_first = backward_induction(np.array(A), np.array(B), "col")
    # Russia commits to target; the coalition's replies: accept -> deploy, target -> stay out.
    assert russia_first.follower_reply[0].tolist() == [0, 1]
    assert russia_first.col_payoff[0] - B[0][0] == pytest.approx(2.1)


games = arrays(np.float64, (2, 2, 2), elements=st.integers(-10_000, 10_000).map(lambda x: x / 1000))
tie_heavy = arrays(np.int64, (2, 2, 2), elements=st.integers(-2, 2)).map(lambda g: g.astype(float))


def _is_subgame_perfect(L, F, leader_action, reply) -> bool:
    """Follower best-responds at both nodes; the leader is optimal against that reply."""
    follower_ok = all(F[a, reply[a]] >= F[a].max() for a in (0, 1))
    induced = [L[a, reply[a]] for a in (0, 1)]
    return follower_ok and induced[leader_action] >= max(induced)


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
@settings(max_examples=1200, deadline=None)
@given(st.one_of(games, tie_heavy), st.sampled_from(["row", "col"]))
def test_backward_induction_is_subgame_perfect_and_among_all_spe(payoffs, leader):
    A, B = payoffs
    play = backward_induction(A, B, leader)
    every = subgame_perfect_equilibria(A, B, leader)
    assert every, "a finite game of perfect information has a pure SPE"
    L, F = (A, B) if leader == "row" else (B.T, A.T)
    for spe in every:
        assert _is_subgame_perfect(L, F, spe.leader_action, spe.follower_reply)
    chosen = (int(play.leader_action[0]), tuple(int(x) for x in play.follower_reply[0]))
    assert chosen in {(spe.leader_action, spe.follower_reply) for spe in every}
    # Brute force: the SPE list is exactly the (leader action, follower strategy) pairs
    # that satisfy the definition.
    brute = {
        (a, (r0, r1))
        for a in (0, 1)
        for r0 in (0, 1)
        for r1 in (0, 1)
        if _is_subgame_perfect(L, F, a, (r0, r1))
    }
    assert brute == {(spe.leader_action, spe.follower_reply) for spe in every}


@settings(max_examples=300, deadline=None)
@given(st.one_of(games, tie_heavy))
def test_moving_first_guarantees_the_leaders_best_pure_nash_payoff(payoffs):
    """With ties broken for the leader, leading is worth at least any pure Nash
    equilibrium: at a Nash cell the follower's action is a best reply, so the leader
    can induce a cell it values at least as much (Osborne & Rubinstein 1994, ch. 6)."""
    A, B = payoffs
    nash = solve_2x2(A, B).pure[0]
    play = backward_induction(A, B, "row")
    if nash.any():
        assert play.row_payoff[0] >= A[nash].max() - 1e-9


def test_vectorised_equals_one_game_at_a_time():
    rng = np.random.default_rng(5)
    A = rng.integers(-2, 3, size=(500, 2, 2)).astype(float)
    B = rng.normal(size=(500, 2, 2))
    for leader in ("row", "col"):
        together = backward_induction(A, B, leader)
        for k in range(0, 500, 13):
            alone = backward_induction(A[k], B[k], leader)
            assert together.row_action[k] == alone.row_action[0]
            assert together.col_action[k] == alone.col_action[0]
            np.testing.assert_array_equal(together.follower_reply[k], alone.follower_reply[0])


def test_sequential_errors_are_clear():
    with pytest.raises(ValueError, match="shape"):
        backward_induction(np.zeros((3, 3)), np.zeros((3, 3)), "row")
    with pytest.raises(ValueError, match="leader"):
        backward_induction(np.zeros((2, 2)), np.zeros((2, 2)), "first")


# ------------------------------------------------------------------ deterrence with types


def test_threshold_of_the_worked_example():
    assert float(deterrence_threshold(0.8, -7.956)) == pytest.approx(0.8 / 8.756)
    pbe = deterrence_pbe(0.8, -7.956, prior=0.2)
    assert not pbe.coalition_deploys and pbe.deterrence_succeeds
    assert deterrence_pbe(0.8, -7.956, prior=0.05).coalition_deploys


payoff = st.floats(-20, 20, allow_nan=False).map(lambda x: round(x, 3))


@settings(max_examples=500, deadline=None)
@given(payoff, payoff, payoff, st.floats(0, 1))
def test_deploys_iff_the_belief_is_at_most_the_threshold(a, t, o, belief):
    threshold = float(deterrence_threshold(a, t, o))
    deploys = bool(coalition_deploys(belief, a, t, o))
    if a > t:  # the model's case: being targeted is worse than being accepted
        assert threshold == pytest.approx((a - o) / (a - t))
        if abs(belief - threshold) > 1e-9:
            assert deploys == (belief <= threshold)
        if 0 <= threshold <= 1:  # at the threshold the coalition is indifferent
            value = (1 - threshold) * a + threshold * t
            assert value == pytest.approx(o, abs=1e-9)
    elif a == t:
        assert threshold == (math.inf if a >= o else -math.inf)
        assert deploys == (a >= o)


def test_bayes_rule_by_hand():
    seen = update_belief(np.array([0.2]), np.array([True]), 0.1, 0.03)
    assert seen[0] == pytest.approx(0.02 / (0.02 + 0.024))
    quiet = update_belief(np.array([0.2]), np.array([False]), 0.1, 0.03)
    assert quiet[0] == pytest.approx(0.2 * 0.9 / (0.2 * 0.9 + 0.8 * 0.97))


likelihood = st.floats(0.0, 1.0)


@settings(max_examples=500, deadline=None)
@given(
    st.floats(0.001, 0.999),
    st.lists(st.booleans(), min_size=1, max_size=30),
    st.floats(0.01, 0.99),
    st.floats(0.01, 0.99),
)
def test_sequential_updates_equal_one_batch_update(prior, signals, h_r, h_b):
    """Bayes' rule is order-independent: the posterior after a sequence of days is the
    prior updated once with the product of the days' likelihoods.

    Up to rounding: a belief is held as a probability, so each day's update can
    lose about machine epsilon relative to min(mu, 1 - mu); the tolerance is
    that bound summed over the path (beliefs within 1e-12 of 0 or 1 are not tried).
    """
    belief = np.array([prior])
    log_odds = math.log(prior / (1 - prior))
    bound = 0.0
    for seen in signals:
        belief = update_belief(belief, np.array([seen]), h_r, h_b)
        log_odds += math.log(h_r / h_b) if seen else math.log((1 - h_r) / (1 - h_b))
        exact = 1 / (1 + math.exp(-log_odds))
        assume(min(exact, 1 - exact) > 1e-12)
        bound += 8 * np.finfo(float).eps / min(exact, 1 - exact)
    assert belief[0] == pytest.approx(exact, rel=max(bound, 1e-12), abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(st.floats(0, 1), likelihood, likelihood)
def test_the_posterior_is_a_martingale(prior, h_r, h_b):
    """Averaged over what may be observed, the posterior equals the prior."""
    p_seen = prior * h_r + (1 - prior) * h_b
    seen = update_belief(np.array([prior]), np.array([True]), h_r, h_b)[0]
    quiet = update_belief(np.array([prior]), np.array([False]), h_r, h_b)[0]
    expected = (p_seen * seen if p_seen > 0 else 0.0) + (
        (1 - p_seen) * quiet if p_seen < 1 else 0.0
    )
    assert expected == pytest.approx(prior, abs=1e-12)


def test_edge_cases_of_bayes_rule():
    with np.errstate(all="raise"):  # no division warnings
        beliefs = np.array([0.0, 1.0, 0.3, 0.3, 0.3])
        observed = np.array([True, True, True, True, False])
        h_r = np.array([0.5, 0.5, 0.2, 0.0, 1.0])
        h_b = np.array([0.5, 0.5, 0.2, 0.0, 0.0])
        out = update_belief(beliefs, observed, h_r, h_b)
    assert out[0] == 0.0 and out[1] == 1.0  # dogmatic beliefs stay
    assert out[2] == pytest.approx(0.3)  # equal likelihoods: nothing learned
    assert out[3] == pytest.approx(0.3)  # impossible under both types: unchanged
    assert out[4] == 0.0  # a quiet day a resolute type could not have: a bluff
    # A signal only a resolute type sends proves resolve.
    assert update_belief(np.array([0.01]), np.array([True]), 0.1, 0.0)[0] == 1.0
