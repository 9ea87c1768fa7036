"""Logit QRE stays on the principal branch: symmetric games keep to their line of
symmetry through the pitchfork, and other games follow the branch from λ = 0."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import brentq
from scipy.special import expit

from sim.games.qre import logit_qre

CHICKEN = np.array([[0.0, -1.0], [1.0, -10.0]])  # swerve, straight; mixed NE: swerve 0.9
HAWK_DOVE = np.array([[-1.0, 3.0], [0.0, 1.0]])  # hawk, dove (V = 4, C = 6); NE: hawk 2/3
# Battle of the Sexes with each player's actions "insist on my favourite" and "give way":
# symmetric as labelled, B = Aᵀ; mixed NE: insist 2/3.
BOS_SYMMETRIC = np.array([[0.0, 2.0], [1.0, 0.0]])
# The same game as usually labelled (opera, ballet for both): row opera 2/3, column 1/3.
BOS_A, BOS_B = np.array([[2.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 0.0], [0.0, 2.0]])

PRECISIONS = (1.0, 10.0, 100.0, 1e4)


def _residual(A, B, precision, p, q) -> float:
    """How far (p, q) is from solving the logit equations."""
    row_advantage = (A[0, 0] - A[1, 0]) * q + (A[0, 1] - A[1, 1]) * (1 - q)
    col_advantage = (B[0, 0] - B[0, 1]) * p + (B[1, 0] - B[1, 1]) * (1 - p)
    return max(abs(p - expit(precision * row_advantage)), abs(q - expit(precision * col_advantage)))


def _symmetric_mixed_nash(A) -> float:
    """Probability of the first action in the symmetric mixed equilibrium of (A, Aᵀ)."""
    return (A[1, 1] - A[0, 1]) / (A[0, 0] - A[1, 0] - A[0, 1] + A[1, 1])


@pytest.mark.parametrize(
    ("A", "nash"), [(CHICKEN, 0.9), (HAWK_DOVE, 2 / 3), (BOS_SYMMETRIC, 2 / 3)]
)
def test_anti_coordination_games_stay_symmetric_and_reach_the_mixed_equilibrium(A, nash):
    assert _symmetric_mixed_nash(A) == pytest.approx(nash)
    qre = logit_qre(np.stack([A] * 4), np.stack([A.T] * 4), np.array(PRECISIONS))
    p, q = qre.row_first, qre.col_first
    assert np.abs(p - q).max() <= 1e-9
    for k, precision in enumerate(PRECISIONS):
        assert _residual(A, A.T, precision, p[k], q[k]) < 1e-10
    # Regret at most 0.2785 / λ, so the distance to the mixed equilibrium falls like 1 / λ.
    distance = np.abs(p - nash)
    assert (np.diff(distance) < 0).all()
    assert distance[-1] < 1e-3
    assert distance[-1] * 1e4 < 10 * max(np.abs(A).max(), 1)


def test_battle_of_the_sexes_as_usually_labelled_is_the_same_game():
    """Swapping the column player's actions makes BoS symmetric; its line is p = 1 - q."""
    assert np.array_equal(BOS_B[:, ::-1], BOS_SYMMETRIC.T)
    assert np.array_equal(BOS_A[:, ::-1], BOS_SYMMETRIC)
    for precision in PRECISIONS:
        usual = logit_qre(BOS_A, BOS_B, precision)
        symmetric = logit_qre(BOS_SYMMETRIC, BOS_SYMMETRIC.T, precision)
        p, q = usual.row_first[0], usual.col_first[0]
        assert abs(p + q - 1) <= 1e-9
        assert p == pytest.approx(symmetric.row_first[0], abs=1e-12)
        assert _residual(BOS_A, BOS_B, precision, p, q) < 1e-10
    assert p == pytest.approx(2 / 3, abs=1e-3)  # each insists with its mixed-NE probability


def test_chicken_at_lambda_one_is_past_the_pitchfork():
    """The symmetric QRE is a saddle of the logit map here: asymmetric QRE exist."""
    A, precision = CHICKEN, 1.0
    qre = logit_qre(A, A.T, precision)
    s = qre.row_first[0]
    slope = precision * abs(A[0, 0] - A[1, 0] - A[0, 1] + A[1, 1]) * s * (1 - s)
    assert slope > 1  # the symmetric root no longer attracts across the diagonal
    # ... and there is an asymmetric QRE: a root of p = g(p) away from the diagonal.
    r1, r = A[0, 1] - A[1, 1], A[0, 0] - A[1, 0] - A[0, 1] + A[1, 1]

    def f(p):
        q = expit(precision * (r1 + r * p))
        return p - expit(precision * (r1 + r * q))

    assert brentq(f, 1e-9, s - 1e-3) < s - 1e-3


def _line_root(a: float, b: float, mu: float) -> float:
    """The one root of p = σ(mu (a + b p)) for b <= 0, by Brent's method."""
    return brentq(lambda p: p - expit(mu * (a + b * p)), 0.0, 1.0, xtol=1e-15)


payoff = st.integers(-10_000, 10_000).map(lambda x: x / 1000)


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
@settings(max_examples=400, deadline=None)
@given(arrays(np.float64, (2, 2), elements=payoff), st.floats(0.0, 1e4), st.booleans())
def test_random_symmetric_games_stay_on_their_line_of_symmetry(A, precision, relabel):
    B = A.T
    if relabel:  # the same game with the column player's actions swapped: line p = 1 - q
        A, B = A[:, ::-1], B[:, ::-1]
    qre = logit_qre(A, B, precision)
    p, q = qre.row_first[0], qre.col_first[0]
    if relabel:
        assert abs(p - (1 - q)) <= 1e-9
    else:
        assert abs(p - q) <= 1e-9
    # Principal branch: where the advantage falls with the opponent's play (pitchfork
    # case) the line has one QRE; p is it.
    r0, r1 = A[0, 0] - A[1, 0], A[0, 1] - A[1, 1]
    if not relabel:
        a, b = r1, r0 - r1
    else:  # in terms of the opponent's probability 1 - q of the relabelled first action
        a, b = r0, r1 - r0
    if b <= 0:
        assert p == pytest.approx(_line_root(a, b, precision), abs=1e-12)
    if precision <= 100:
        assert _residual(A, B, precision, p, q) < 1e-9


def test_symmetric_games_at_extreme_precision_stay_finite_and_symmetric():
    games = [CHICKEN, HAWK_DOVE, BOS_SYMMETRIC, np.array([[3.0, 0.0], [5.0, 1.0]])]
    with np.errstate(all="raise"):
        for A in games:
            for precision in (1e6, 1e100, 1e300):
                qre = logit_qre(A, A.T, precision)
                p, q = qre.row_first[0], qre.col_first[0]
                assert p == q and 0 <= p <= 1
                usual = logit_qre(A[:, ::-1], A.T[:, ::-1], precision)  # the line p = 1 - q
                assert usual.row_first[0] == pytest.approx(p, abs=1e-15)
                assert usual.col_first[0] == pytest.approx(1 - p, abs=1e-15)
    assert logit_qre(CHICKEN, CHICKEN.T, 1e300).row_first[0] == pytest.approx(0.9, abs=1e-15)


def test_games_symmetric_up_to_rounding_stay_on_the_line():
    rng = np.random.default_rng(5)
    A = rng.normal(size=(200, 2, 2))
    A[:, 0, 0] = A[:, 1, 0] + A[:, 0, 1] - A[:, 1, 1] - rng.uniform(0.5, 3, size=200)  # b < 0
    B = np.swapaxes(A, 1, 2) * (1 + 1e-15)  # the same payoffs but for rounding
    qre = logit_qre(A, B, 1e3)
    assert np.abs(qre.row_first - qre.col_first).max() <= 1e-9


# --- Non-symmetric games: against an independent continuation of the branch ---------------


def _reference_branch(A, B, precision: float) -> tuple[float, float]:
    """The principal branch at ``precision`` by pseudo-arclength continuation.

    Follows the curve of solutions of the two logit equations in (log λ, p, q)
    from near-uniform play at λ = 1e-3, and returns its first point with
    log λ = log precision (where the branch first reaches that precision).
    """
    r1, r = A[0, 1] - A[1, 1], A[0, 0] - A[1, 0] - A[0, 1] + A[1, 1]
    c1, c = B[1, 0] - B[1, 1], B[0, 0] - B[0, 1] - B[1, 0] + B[1, 1]

    def equations(x):
        t, p, q = x
        lam = np.exp(t)
        g, h = expit(lam * (r1 + r * q)), expit(lam * (c1 + c * p))
        value = np.array([p - g, q - h])
        jacobian = np.array(
            [
                [-g * (1 - g) * lam * (r1 + r * q), 1.0, -g * (1 - g) * lam * r],
                [-h * (1 - h) * lam * (c1 + c * p), -h * (1 - h) * lam * c, 1.0],
            ]
        )
        return value, jacobian

    def solve_at(t, p, q):
        for _ in range(50):
            value, jacobian = equations((t, p, q))
            dp, dq = np.linalg.solve(jacobian[:, 1:], -value)
            p, q = p + dp, q + dq
            if max(abs(dp), abs(dq)) < 1e-15:
                break
        return p, q

    t_end = np.log(precision)
    x = np.array([np.log(1e-3), *solve_at(np.log(1e-3), 0.5, 0.5)])
    tangent = np.array([1.0, 0.0, 0.0])
    step = 0.02
    while True:
        _, jacobian = equations(x)
        new_tangent = np.cross(jacobian[0], jacobian[1])
        new_tangent /= np.linalg.norm(new_tangent)
        if new_tangent @ tangent < 0:
            new_tangent = -new_tangent
        tangent = new_tangent
        guess = x + step * tangent
        y = guess.copy()
        for _ in range(20):
            value, jacobian = equations(y)
            system = np.vstack([jacobian, tangent])
            delta = np.linalg.solve(system, -np.append(value, tangent @ (y - guess)))
            y += delta
            if np.abs(delta).max() < 1e-13:
                break
        else:
            step /= 2
            assert step > 1e-9
            continue
        if y[0] >= t_end:
            # Crossed: interpolate to t_end and solve there.
            w = (t_end - x[0]) / (y[0] - x[0])
            return solve_at(t_end, *(x[1:] + w * (y[1:] - x[1:])))
        x = y
        step = min(2 * step, 0.05)


def test_non_symmetric_games_follow_the_branch_from_uniform_play():
    rng = np.random.default_rng(2024)
    n = 60
    A, B = rng.normal(size=(n, 2, 2)), rng.normal(size=(n, 2, 2))
    # Half of them coordination games (several QRE at high λ, some with folds).
    coordination = np.arange(n) < n // 2
    A[coordination, 0, 0] += 2.0
    A[coordination, 1, 1] += 2.0
    B[coordination, 0, 0] += 2.0
    B[coordination, 1, 1] += 2.0
    precision = rng.uniform(0.1, 15.0, size=n)
    qre = logit_qre(A, B, precision)
    for k in range(n):
        p, q = _reference_branch(A[k], B[k], precision[k])
        assert qre.row_first[k] == pytest.approx(p, abs=1e-8)
        assert qre.col_first[k] == pytest.approx(q, abs=1e-8)


@pytest.mark.parametrize("asymmetry", [0.05, -0.05])
def test_nearly_symmetric_chicken_takes_the_side_its_asymmetry_selects(asymmetry):
    """An asymmetric perturbation unfolds the pitchfork: the branch itself bends off the
    diagonal, towards the equilibrium where the player with more to lose swerves."""
    A = CHICKEN.copy()
    B = CHICKEN.T.copy()
    B[1, 1] -= asymmetry  # the column player's crash payoff
    for precision in (1.0, 5.0, 20.0):
        qre = logit_qre(A, B, precision)
        p, q = _reference_branch(A, B, precision)
        assert qre.row_first[0] == pytest.approx(p, abs=1e-8)
        assert qre.col_first[0] == pytest.approx(q, abs=1e-8)
    # At high λ: column swerves (plays its first action) iff its crash is worse.
    assert (qre.col_first[0] > 0.99) == (asymmetry > 0)
    assert (qre.row_first[0] > 0.99) == (asymmetry < 0)


def test_mixed_batches_equal_one_game_at_a_time():
    rng = np.random.default_rng(8)
    A, B = rng.normal(size=(120, 2, 2)), rng.normal(size=(120, 2, 2))
    B[::3] = np.swapaxes(A[::3], 1, 2)  # symmetric
    B[1::3] = np.swapaxes(A[1::3], 1, 2)[:, :, ::-1]
    A[1::3] = A[1::3, :, ::-1]  # symmetric after relabelling
    precision = rng.uniform(0, 200, size=120)
    together = logit_qre(A, B, precision)
    for k in range(120):
        alone = logit_qre(A[k], B[k], precision[k])
        assert together.row_first[k] == alone.row_first[0]
        assert together.col_first[k] == alone.col_first[0]
