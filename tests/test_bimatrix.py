"""The m×n solver (sim.games.bimatrix) against textbook answers and nashpy's vertex
enumeration, on random games and degenerate ones."""

from __future__ import annotations

import warnings

import nashpy
import numpy as np
import pytest

from sim.games.bimatrix import extreme_equilibria, is_equilibrium


def _key(profiles) -> set[tuple]:
    return {(tuple(np.round(x, 6) + 0.0), tuple(np.round(y, 6) + 0.0)) for x, y in profiles}


def _nashpy(A, B) -> set[tuple] | None:
    """nashpy's vertex enumeration, or None where it fails (its interior-point LP finds
    no point inside some degenerate polytopes and it raises a TypeError)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _key(nashpy.Game(A, B).vertex_enumeration())
        except TypeError:
            return None


@pytest.mark.parametrize(
    ("name", "A", "B", "expected"),
    [
        ("matching pennies", [[1, -1], [-1, 1]], [[-1, 1], [1, -1]],
         {((0.5, 0.5), (0.5, 0.5))}),
        ("battle of the sexes", [[3, 0], [0, 2]], [[2, 0], [0, 3]],
         {((1, 0), (1, 0)), ((0, 1), (0, 1)), ((0.6, 0.4), (0.4, 0.6))}),
        ("prisoner's dilemma", [[3, 0], [5, 1]], [[3, 5], [0, 1]], {((0, 1), (0, 1))}),
        ("rock-paper-scissors", [[0, -1, 1], [1, 0, -1], [-1, 1, 0]],
         [[0, 1, -1], [-1, 0, 1], [1, -1, 0]], {((1 / 3,) * 3, (1 / 3,) * 3)}),
    ],
)  # fmt: skip
def test_textbook_games(name, A, B, expected):
    assert _key(extreme_equilibria(np.array(A), np.array(B))) == _key(
        [(np.array(x), np.array(y)) for x, y in expected]
    ), name


def test_a_degenerate_game_gives_the_ends_of_its_continuum():
    """Column's two actions pay the same against the row's first: the row's pure first
    action is an equilibrium with the column mixing over a segment, whose two ends are
    both found (support enumeration reports at most one of them)."""
    A = np.array([[1.0, 1.0], [0.0, 2.0]])
    B = np.array([[1.0, 1.0], [0.0, 2.0]])
    found = _key(extreme_equilibria(A, B))
    assert ((1.0, 0.0), (1.0, 0.0)) in found
    assert ((1.0, 0.0), (0.5, 0.5)) in found
    assert ((0.0, 1.0), (0.0, 1.0)) in found
    assert found == _nashpy(A, B)


def _pure_equilibria(A, B) -> set[tuple]:
    """Every pure equilibrium, by checking each cell: an independent reference."""
    m, n = A.shape
    out = set()
    for i in range(m):
        for j in range(n):
            if A[i, j] >= A[:, j].max() and B[i, j] >= B[i, :].max():
                out.add((tuple(np.eye(m)[i]), tuple(np.eye(n)[j])))
    return out


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
@pytest.mark.parametrize("shape", [(2, 2), (3, 2), (3, 3), (4, 3), (4, 4)])
def test_random_games_agree_with_nashpy_and_find_what_it_misses(shape):
    """150 games per shape (750 in all; each shape's sample holds a dozen or more
    degenerate games where nashpy misses an equilibrium).  Continuous payoffs
    (non-degenerate games): the set equals nashpy's vertex enumeration.  Small integer
    payoffs (ties, so often degenerate): it holds every profile nashpy's vertex
    enumeration finds and every pure equilibrium (checked cell by cell) -- nashpy
    misses some of those in degenerate games, e.g. the pure equilibrium (row 2,
    column 1) of A = [[0, 2], [0, 1]], B = [[1, 2], [0, 0]].  Every profile found is
    an equilibrium."""
    rng = np.random.default_rng(sum(shape))
    beyond_nashpy = nashpy_failed = 0
    for k in range(150):
        if k % 2:
            A, B = rng.normal(size=shape), rng.normal(size=shape)
        else:
            A, B = rng.integers(0, 3, size=shape), rng.integers(0, 3, size=shape)
        ours = extreme_equilibria(A, B)
        assert ours, (A, B)  # every finite game has one
        for x, y in ours:
            assert is_equilibrium(A, B, x, y)
            assert np.isclose(x.sum(), 1) and np.isclose(y.sum(), 1)
        found, theirs = _key(ours), _nashpy(A, B)
        assert _key(_pure_equilibria(A, B)) <= found, (A.tolist(), B.tolist())
        if k % 2:
            assert found == theirs, (A.tolist(), B.tolist())
        elif theirs is None:
            nashpy_failed += 1
        else:
            assert theirs <= found, (A.tolist(), B.tolist())
            beyond_nashpy += len(found - theirs) > 0
    assert shape == (2, 2) or beyond_nashpy > 0  # the degenerate case was exercised
    assert nashpy_failed < 25  # the reference answered for most degenerate games


def test_nashpy_misses_a_pure_equilibrium_of_this_degenerate_game():
    A = np.array([[0, 2], [0, 1]])
    B = np.array([[1, 2], [0, 0]])
    pure = ((0.0, 1.0), (1.0, 0.0))
    assert is_equilibrium(A, B, np.array(pure[0]), np.array(pure[1]))
    assert pure in _key(extreme_equilibria(A, B))
    assert pure not in (_nashpy(A, B) or set())


def test_the_comparison_can_fail():
    """A profile that is not an equilibrium is told apart."""
    A = np.array([[3.0, 0.0], [5.0, 1.0]])
    B = A.T
    assert not is_equilibrium(A, B, np.array([1.0, 0.0]), np.array([1.0, 0.0]))
    assert _key(extreme_equilibria(A, B)) != {((1.0, 0.0), (1.0, 0.0))}
