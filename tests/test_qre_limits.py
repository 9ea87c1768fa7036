"""Logit QRE: its two limits, its fixed-point equations, and textbook games."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.special import expit

from sim.games.qre import logit_qre
from sim.games.two_by_two import solve_2x2

games = arrays(np.float64, (2, 2, 2), elements=st.integers(-10_000, 10_000).map(lambda x: x / 1000))


def _residual(A, B, precision, p, q) -> float:
    """How far (p, q) is from solving the logit equations."""
    row_advantage = (A[0, 0] - A[1, 0]) * q + (A[0, 1] - A[1, 1]) * (1 - q)
    col_advantage = (B[0, 0] - B[0, 1]) * p + (B[1, 0] - B[1, 1]) * (1 - p)
    return max(abs(p - expit(precision * row_advantage)), abs(q - expit(precision * col_advantage)))


@settings(max_examples=300, deadline=None)
@given(games)
def test_precision_zero_is_uniform_play(payoffs):
    qre = logit_qre(payoffs[0], payoffs[1], 0.0)
    assert (qre.row_first[0], qre.col_first[0]) == (0.5, 0.5)


@settings(max_examples=500, deadline=None)
@given(games, st.floats(0.0, 50.0))
def test_the_result_solves_the_logit_equations(payoffs, precision):
    A, B = payoffs
    qre = logit_qre(A, B, precision)
    assert _residual(A, B, precision, qre.row_first[0], qre.col_first[0]) < 1e-9


def _distance_to_nash(A, B, p, q) -> float:
    return min(abs(p - row[0]) + abs(q - col[0]) for row, col in solve_2x2(A, B).as_list(0))


@settings(max_examples=500, deadline=None)
@given(games)
def test_qre_approaches_a_nash_equilibrium_as_precision_grows(payoffs):
    A, B = payoffs
    if solve_2x2(A, B).degenerate[0]:
        return  # ties: the limit may be any point of a continuum
    scale = max(np.abs(A).max(), np.abs(B).max(), 1e-3)
    distances = []
    for precision in (1e3, 1e5, 1e7):
        qre = logit_qre(A, B, precision / scale)
        distances.append(_distance_to_nash(A, B, qre.row_first[0], qre.col_first[0]))
    assert distances[-1] < 1e-3
    assert distances[-1] <= distances[0] + 1e-12


@pytest.mark.parametrize("precision", [0.1, 1.0, 10.0, 1000.0])
def test_matching_pennies_stays_uniform(precision):
    A = np.array([[1.0, -1.0], [-1.0, 1.0]])
    qre = logit_qre(A, -A, precision)
    assert qre.row_first[0] == pytest.approx(0.5) and qre.col_first[0] == pytest.approx(0.5)


def test_prisoners_dilemma_and_stag_hunt_limits():
    A, B = np.array([[3.0, 0.0], [5.0, 1.0]]), np.array([[3.0, 5.0], [0.0, 1.0]])
    noisy = logit_qre(A, B, 0.5)
    assert 0 < noisy.row_first[0] < 0.5 and 0 < noisy.col_first[0] < 0.5  # some cooperation
    sharp = logit_qre(A, B, 100.0)
    assert sharp.row_first[0] < 1e-6 and sharp.col_first[0] < 1e-6  # both defect
    # Stag Hunt: the principal branch ends at the risk-dominant (hare, hare), not at
    # the payoff-dominant (stag, stag).
    A, B = np.array([[4.0, 0.0], [3.0, 3.0]]), np.array([[4.0, 3.0], [0.0, 3.0]])
    stag = logit_qre(A, B, 200.0)
    assert stag.row_first[0] < 1e-6 and stag.col_first[0] < 1e-6


def test_goeree_holt_asymmetric_matching_pennies():
    """Goeree & Holt (2001): raising the row player's payoff in one cell leaves its
    Nash mixture at 1/2 but shifts its QRE play towards that action."""
    A = np.array([[320.0, 40.0], [40.0, 80.0]])
    B = np.array([[40.0, 80.0], [80.0, 40.0]])
    ((row, _),) = solve_2x2(A, B).as_list(0)
    assert row[0] == pytest.approx(0.5)
    qre = logit_qre(A, B, 0.05)
    assert qre.row_first[0] > 0.5


def test_vectorised_with_per_game_precision_equals_one_at_a_time():
    rng = np.random.default_rng(11)
    A, B = rng.normal(size=(300, 2, 2)), rng.normal(size=(300, 2, 2))
    precision = rng.uniform(0, 40, size=300)
    together = logit_qre(A, B, precision)
    for k in range(0, 300, 17):
        alone = logit_qre(A[k], B[k], precision[k])
        assert together.row_first[k] == pytest.approx(alone.row_first[0], abs=1e-12)
        assert together.col_first[k] == pytest.approx(alone.col_first[0], abs=1e-12)


def test_large_precision_and_degenerate_games_stay_finite():
    with np.errstate(all="raise"):
        for A, B in [
            (np.zeros((2, 2)), np.zeros((2, 2))),
            (np.ones((2, 2)), np.array([[1.0, 1.0], [0.0, 2.0]])),
            (np.array([[0.8, -7.956], [0.0, 0.0]]), np.array([[-2.1, -4.43], [0.0, 0.0]])),
        ]:
            qre = logit_qre(A, B, 1e6)
            assert 0 <= qre.row_first[0] <= 1 and 0 <= qre.col_first[0] <= 1


def test_bad_precision_and_shape_are_clear_errors():
    with pytest.raises(ValueError):
        logit_qre(np.zeros((2, 2)), np.zeros((2, 2)), -1.0)
    with pytest.raises(ValueError):
        logit_qre(np.zeros((3, 3)), np.zeros((3, 3)), 1.0)
