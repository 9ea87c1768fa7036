"""Everything about one bimatrix game: all equilibria, dominance, iterated elimination.

:func:`all_equilibria` returns every Nash equilibrium of an ``m × n`` game
(``row_payoffs[i, j]``, ``col_payoffs[i, j]``), reported as the extreme points
of the equilibrium set:

* 2×2 games use the closed form of :mod:`sim.games.two_by_two` (checked
  against nashpy's vertex enumeration in the test-suite, degenerate games
  included);
* larger games use ``nashpy.Game.vertex_enumeration`` (complete for
  non-degenerate games; in degenerate games it returns the extreme points of
  the equilibrium components -- Avis, Rosenberg, Savani & von Stengel,
  *Economic Theory* 42, 2010), on payoffs shifted to be positive (nashpy fails
  on constant games otherwise; adding a constant changes no equilibrium),
  cross-checked with ``support_enumeration`` and the pure equilibria found by
  brute force; anything either finds is kept.  Should neither find an
  equilibrium (numerically difficult degenerate games), Lemke–Howson is run
  from every starting label (Lemke & Howson 1964), which finds at least one.
  nashpy's support enumeration alone is not enough: it misses equilibria of
  degenerate games and, measured on random 3×3 and 5×5 games, of some
  non-degenerate ones.  Results are
  cached per distinct table.

:func:`dominance` lists strictly and weakly dominated pure strategies
(strict dominance also by mixed strategies, by linear programming), and
:func:`iterated_elimination` removes strictly dominated strategies until none
is left (the result does not depend on the order; e.g. Osborne & Rubinstein,
*A Course in Game Theory*, 1994, §4.2).
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass

import nashpy
import numpy as np
from scipy.optimize import linprog

from sim.games.two_by_two import TIE_TOLERANCE, solve_2x2

__all__ = [
    "Dominance",
    "Equilibrium",
    "all_equilibria",
    "dominance",
    "is_degenerate",
    "iterated_elimination",
]


@dataclass(frozen=True)
class Equilibrium:
    """One equilibrium: both mixed strategies and both expected payoffs."""

    row_strategy: tuple[float, ...]
    col_strategy: tuple[float, ...]
    row_payoff: float
    col_payoff: float

    @property
    def kind(self) -> str:
        """``pure``, ``partially mixed`` (one player mixes) or ``mixed`` (both do)."""
        mixing = [max(s) < 1.0 - 1e-9 for s in (self.row_strategy, self.col_strategy)]
        return {0: "pure", 1: "partially mixed", 2: "mixed"}[sum(mixing)]


def _equilibrium(A: np.ndarray, B: np.ndarray, row: np.ndarray, col: np.ndarray) -> Equilibrium:
    row = np.where(np.abs(row) < 1e-12, 0.0, row)
    col = np.where(np.abs(col) < 1e-12, 0.0, col)
    return Equilibrium(
        tuple(float(x) for x in row),
        tuple(float(x) for x in col),
        float(row @ A @ col),
        float(row @ B @ col),
    )


def is_degenerate(row_payoffs: np.ndarray, col_payoffs: np.ndarray) -> bool:
    """True when some pure strategy has more than one pure best reply.

    That is the usual sufficient sign of degeneracy (a mixed strategy with more
    best replies than the size of its support); for 2×2 games it is exact.
    """
    A, B = np.asarray(row_payoffs, float), np.asarray(col_payoffs, float)
    col_best = np.abs(A - A.max(axis=0, keepdims=True)) <= TIE_TOLERANCE
    row_best = np.abs(B - B.max(axis=1, keepdims=True)) <= TIE_TOLERANCE
    return bool((col_best.sum(axis=0) > 1).any() or (row_best.sum(axis=1) > 1).any())


def _is_nash(A: np.ndarray, B: np.ndarray, row: np.ndarray, col: np.ndarray) -> bool:
    return bool((A @ col).max() <= row @ A @ col + 1e-9 and (row @ B).max() <= row @ B @ col + 1e-9)


@functools.lru_cache(maxsize=4096)
def _cached(shape: tuple[int, int], a_bytes: bytes, b_bytes: bytes) -> tuple[Equilibrium, ...]:
    A = np.frombuffer(a_bytes).reshape(shape)
    B = np.frombuffer(b_bytes).reshape(shape)
    if shape == (2, 2):
        return tuple(_equilibrium(A, B, r, c) for r, c in solve_2x2(A, B).as_list(0))
    found: list[tuple[np.ndarray, np.ndarray]] = []
    m, n = shape
    for i in range(m):
        for j in range(n):
            if A[i, j] >= A[:, j].max() - TIE_TOLERANCE and B[i, j] >= B[i].max() - TIE_TOLERANCE:
                found.append((np.eye(m)[i], np.eye(n)[j]))
    game = nashpy.Game(A - A.min() + 1.0, B - B.min() + 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nashpy warns about degenerate games
        for method in (game.vertex_enumeration, game.support_enumeration):
            try:
                found.extend(method())
            except (ValueError, TypeError, np.linalg.LinAlgError):  # pragma: no cover
                continue  # the other method, and the pure equilibria, remain
        if not any(_is_nash(A, B, row, col) for row, col in found):  # pragma: no cover
            # Every finite game has an equilibrium; should both enumerations fail (say,
            # on a degenerate game's numerics), Lemke-Howson from every starting label
            # finds at least one (Lemke & Howson 1964; not all of them).
            for label in range(m + n):
                try:
                    found.append(game.lemke_howson(initial_dropped_label=label))
                except (ValueError, TypeError, np.linalg.LinAlgError):
                    continue
    unique: list[Equilibrium] = []
    seen: set[tuple] = set()
    for row, col in found:
        if not _is_nash(A, B, row, col):  # pragma: no cover - defensive
            continue
        key = tuple(np.round(np.concatenate([row, col]), 9))
        if key not in seen:
            seen.add(key)
            unique.append(_equilibrium(A, B, row, col))
    return tuple(sorted(unique, key=lambda e: (e.kind != "pure", e.row_strategy[::-1])))


def all_equilibria(row_payoffs: np.ndarray, col_payoffs: np.ndarray) -> list[Equilibrium]:
    """All Nash equilibria (extreme points) of the game, pure ones first."""
    A = np.ascontiguousarray(row_payoffs, dtype=float)
    B = np.ascontiguousarray(col_payoffs, dtype=float)
    if A.shape != B.shape or A.ndim != 2:
        raise ValueError(
            f"expected two payoff matrices of the same shape, got {A.shape}, {B.shape}"
        )
    return list(_cached(A.shape, A.tobytes(), B.tobytes()))


@dataclass(frozen=True)
class Dominance:
    """Dominated pure strategies of each player (indices)."""

    row_strictly_dominated: tuple[int, ...]
    row_weakly_dominated: tuple[int, ...]
    col_strictly_dominated: tuple[int, ...]
    col_weakly_dominated: tuple[int, ...]


def _strictly_dominated_by_mixed(payoffs: np.ndarray, action: int) -> bool:
    """Is row ``action`` of ``payoffs`` (own payoff by own action × other's action)
    strictly dominated by a mixture of the other rows?  LP: maximise ε subject to
    Σ σ_k u[k, j] ≥ u[action, j] + ε for every column j, σ a distribution."""
    others = [k for k in range(payoffs.shape[0]) if k != action]
    if not others:
        return False
    k, n = len(others), payoffs.shape[1]
    # variables: σ (k), ε; minimise -ε
    cost = np.zeros(k + 1)
    cost[-1] = -1.0
    upper = np.hstack([-payoffs[others].T, np.ones((n, 1))])  # -Σσu + ε <= -u[action]
    bound = -payoffs[action]
    equality = np.hstack([np.ones((1, k)), np.zeros((1, 1))])
    result = linprog(
        cost,
        A_ub=upper,
        b_ub=bound,
        A_eq=equality,
        b_eq=[1.0],
        bounds=[(0, 1)] * k + [(None, None)],
        method="highs",
    )
    return bool(result.status == 0 and -result.fun > TIE_TOLERANCE)


def _weakly_dominated(payoffs: np.ndarray, action: int) -> bool:
    for other in range(payoffs.shape[0]):
        if other == action:
            continue
        difference = payoffs[other] - payoffs[action]
        if (difference >= -TIE_TOLERANCE).all() and (difference > TIE_TOLERANCE).any():
            return True
    return False


def dominance(row_payoffs: np.ndarray, col_payoffs: np.ndarray) -> Dominance:
    """Strictly (by pure or mixed strategies) and weakly (by pure) dominated strategies.

    A strictly dominated strategy is also listed as weakly dominated only if a
    pure strategy weakly dominates it.
    """
    A = np.asarray(row_payoffs, float)
    B_own = np.asarray(col_payoffs, float).T  # column player's payoffs, own action first
    return Dominance(
        row_strictly_dominated=tuple(
            i for i in range(A.shape[0]) if _strictly_dominated_by_mixed(A, i)
        ),
        row_weakly_dominated=tuple(i for i in range(A.shape[0]) if _weakly_dominated(A, i)),
        col_strictly_dominated=tuple(
            j for j in range(B_own.shape[0]) if _strictly_dominated_by_mixed(B_own, j)
        ),
        col_weakly_dominated=tuple(j for j in range(B_own.shape[0]) if _weakly_dominated(B_own, j)),
    )


def iterated_elimination(
    row_payoffs: np.ndarray, col_payoffs: np.ndarray
) -> tuple[tuple[int, ...], tuple[int, ...], list[tuple[str, int]]]:
    """Iterated elimination of strictly dominated strategies.

    Returns the surviving row and column actions (original indices) and the
    eliminations in order, as ``("row" | "col", action index)``.
    """
    A = np.asarray(row_payoffs, float)
    B = np.asarray(col_payoffs, float)
    rows, cols = list(range(A.shape[0])), list(range(A.shape[1]))
    steps: list[tuple[str, int]] = []
    changed = True
    while changed:
        changed = False
        sub_a = A[np.ix_(rows, cols)]
        for position, i in enumerate(rows):
            if len(rows) > 1 and _strictly_dominated_by_mixed(sub_a, position):
                rows.remove(i)
                steps.append(("row", i))
                changed = True
                break
        if changed:
            continue
        sub_b = B[np.ix_(rows, cols)].T
        for position, j in enumerate(cols):
            if len(cols) > 1 and _strictly_dominated_by_mixed(sub_b, position):
                cols.remove(j)
                steps.append(("col", j))
                changed = True
                break
    return tuple(rows), tuple(cols), steps
