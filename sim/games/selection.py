"""Which equilibrium agents play when a 2×2 game has several.

The rule (documented in ``docs/model.md``):

1. a game with a single equilibrium: play it;
2. several pure equilibria: play the **risk-dominant** one -- the largest
   product of the two players' losses from deviating unilaterally
   (Harsanyi & Selten, *A General Theory of Equilibrium Selection in Games*,
   1988, ch. 5) -- ties broken by the larger sum of payoffs (payoff dominance),
   then by cell order (row 0 before row 1, column 0 before column 1);
3. the completely mixed equilibrium is played only when there is no pure one.

Every selected equilibrium is a Nash equilibrium of its game (a property the
test-suite checks).  ``label`` codes the cell played: 0 = (0, 0), 1 = (0, 1),
2 = (1, 0), 3 = (1, 1), 4 = the completely mixed equilibrium.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.games.two_by_two import TIE_TOLERANCE, Equilibria2x2, solve_2x2

__all__ = ["MIXED", "Selected", "select_equilibrium"]

MIXED = 4


@dataclass(frozen=True)
class Selected:
    """The equilibrium played in each of ``n`` games.

    ``row_first`` / ``col_first``: probability that the row / column player
    plays its first action.  ``label``: see the module docstring.
    ``n_equilibria``: isolated equilibria found.  ``degenerate``: payoff ties.
    """

    row_first: np.ndarray
    col_first: np.ndarray
    label: np.ndarray
    n_equilibria: np.ndarray
    degenerate: np.ndarray


def select_equilibrium(
    row_payoffs: np.ndarray, col_payoffs: np.ndarray, equilibria: Equilibria2x2 | None = None
) -> Selected:
    """Solve each 2×2 game (unless ``equilibria`` is given) and select one equilibrium."""
    A = np.asarray(row_payoffs, dtype=float)
    B = np.asarray(col_payoffs, dtype=float)
    if A.ndim == 2:
        A, B = A[None], B[None]
    eq = equilibria if equilibria is not None else solve_2x2(A, B)
    n = A.shape[0]

    row_loss = A - A[:, ::-1, :]  # loss of switching rows, >= 0 at an equilibrium
    col_loss = B - B[:, :, ::-1]
    pure = eq.pure.reshape(n, 4)
    risk = np.where(pure, (row_loss * col_loss).reshape(n, 4), -np.inf)
    best_risk = risk.max(axis=1, keepdims=True)
    candidates = pure & (risk >= best_risk - TIE_TOLERANCE)
    welfare = np.where(candidates, (A + B).reshape(n, 4), -np.inf)
    best_welfare = welfare.max(axis=1, keepdims=True)
    candidates &= welfare >= best_welfare - TIE_TOLERANCE
    cell = np.argmax(candidates, axis=1)  # first True

    has_pure = pure.any(axis=1)
    label = np.where(has_pure, cell, MIXED)
    row_first = np.where(has_pure, (cell // 2 == 0).astype(float), eq.mixed_row)
    col_first = np.where(has_pure, (cell % 2 == 0).astype(float), eq.mixed_col)
    return Selected(
        row_first=row_first,
        col_first=col_first,
        label=label.astype(np.int8),
        n_equilibria=eq.count.astype(np.int8),
        degenerate=eq.degenerate,
    )
