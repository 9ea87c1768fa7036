"""Every extreme Nash equilibrium of an m×n bimatrix game, by vertex enumeration.

The strike ladder of issue #19 gives Russia four or more actions and its
opponents three or more, so its games are no longer 2×2.  This module finds
all the extreme equilibria of such a game exactly -- degenerate games
included, where equilibria form continua and support enumeration misses
some (nashpy issues #82, #231) -- by enumerating the vertices of the two
best-response polytopes (Avis, Rosenberg, Savani & von Stengel, "Enumeration
of Nash equilibria for two-player games", *Economic Theory* 42, 2010, §3;
von Stengel, "Computing equilibria for two-person games", *Handbook of Game
Theory* 3, 2002, ch. 45):

    P = {x ∈ R^m : x ≥ 0, Bᵀx ≤ 1},     Q = {y ∈ R^n : A y ≤ 1, y ≥ 0}

with the payoffs shifted to be positive (which changes no equilibrium).  A
vertex of P carries the labels of its tight constraints (row ``i`` where
``x_i = 0``, column ``j`` where ``(Bᵀx)_j = 1``), a vertex of Q likewise
(row ``i`` where ``(A y)_i = 1``, column ``j`` where ``y_j = 0``); a pair of
non-zero vertices whose labels cover every row and column is an
equilibrium, once normalised.  Vertices are found by brute force: each
choice of ``m`` of P's ``m + n`` constraints held with equality (and ``n``
of Q's), solved and kept if feasible.  For the ladder's sizes (4×3: 35
choices a side) this is exact, small and needs no LP solver.

:func:`extreme_equilibria` is the one verb; it is checked against nashpy's
vertex enumeration on thousands of random and degenerate games
(``tests/test_bimatrix.py``).
"""

from __future__ import annotations

import itertools

import numpy as np

__all__ = ["extreme_equilibria", "is_equilibrium"]

#: Tolerance of feasibility and tightness.
TOLERANCE = 1e-9
#: Two vertices closer than this are one point (rounding).
SAME_VERTEX = 1e-12


def _vertices(constraints: np.ndarray, bounds: np.ndarray, dim: int) -> list[tuple]:
    """Vertices of ``{z : constraints @ z <= bounds}`` in R^dim and their tight rows."""
    out = []
    for chosen in itertools.combinations(range(constraints.shape[0]), dim):
        rows = list(chosen)
        matrix = constraints[rows]
        if abs(np.linalg.det(matrix)) < 1e-12:
            continue
        z = np.linalg.solve(matrix, bounds[rows])
        slack = bounds - constraints @ z
        if (slack < -TOLERANCE).any():
            continue
        tight = frozenset(np.flatnonzero(np.abs(slack) <= TOLERANCE).tolist())
        # The same vertex from another choice of tight rows (degenerate polytopes) is
        # kept once with the tight rows of both; distinct vertices of a game with near
        # ties can be as close as 1e-8, so "the same" is within rounding only.
        for k, (other, other_tight) in enumerate(out):
            if np.abs(z - other).max() <= SAME_VERTEX:
                out[k] = (other, other_tight | tight)
                break
        else:
            out.append((z, tight))
    return out


def extreme_equilibria(
    row_payoffs: np.ndarray, col_payoffs: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """All extreme Nash equilibria ``(x, y)`` of the bimatrix game, as mixed strategies.

    ``row_payoffs``, ``col_payoffs``: (m, n) arrays, ``[row action, column action]``.
    Equilibria come in the order of P's vertices, each once.
    """
    A = np.asarray(row_payoffs, dtype=float)
    B = np.asarray(col_payoffs, dtype=float)
    if A.shape != B.shape or A.ndim != 2:
        raise ValueError(f"payoff matrices must be (m, n) of one shape, got {A.shape}, {B.shape}")
    m, n = A.shape
    # Positive payoffs keep both polytopes bounded; equilibria do not change.
    A = A - A.min() + 1.0
    B = B - B.min() + 1.0
    # P: -x_i <= 0 (labels 0..m-1), B^T x <= 1 (labels m..m+n-1).
    p_vertices = _vertices(
        np.vstack([-np.eye(m), B.T]), np.concatenate([np.zeros(m), np.ones(n)]), m
    )
    # Q: A y <= 1 (labels 0..m-1), -y_j <= 0 (labels m..m+n-1).
    q_vertices = _vertices(np.vstack([A, -np.eye(n)]), np.concatenate([np.ones(m), np.zeros(n)]), n)
    everything = frozenset(range(m + n))
    found: list[tuple[np.ndarray, np.ndarray]] = []
    for x, x_labels in p_vertices:
        if x.sum() <= TOLERANCE:
            continue
        for y, y_labels in q_vertices:
            if y.sum() <= TOLERANCE or (x_labels | y_labels) != everything:
                continue
            profile = (x / x.sum(), y / y.sum())
            if not any(
                np.allclose(profile[0], a, atol=1e-7) and np.allclose(profile[1], b, atol=1e-7)
                for a, b in found
            ):
                found.append(profile)
    return found


def is_equilibrium(
    row_payoffs: np.ndarray, col_payoffs: np.ndarray, x: np.ndarray, y: np.ndarray
) -> bool:
    """Whether no player gains more than the tolerance by deviating from ``(x, y)``."""
    A = np.asarray(row_payoffs, dtype=float)
    B = np.asarray(col_payoffs, dtype=float)
    scale = max(1.0, float(np.abs(A).max()), float(np.abs(B).max()))
    row_best = (A @ y).max() - x @ A @ y
    col_best = (x @ B).max() - x @ B @ y
    return bool(row_best <= 1e-7 * scale and col_best <= 1e-7 * scale)
