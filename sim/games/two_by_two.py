"""All Nash equilibria of many 2×2 bimatrix games at once, in closed form.

For row payoffs ``A`` and column payoffs ``B`` of shape ``(n, 2, 2)`` (one game
per Monte Carlo run), this computes, without a Python loop over games:

* the **pure** equilibria, by best-response checks: cell ``(i, j)`` is an
  equilibrium when ``A[i, j] >= A[1-i, j]`` and ``B[i, j] >= B[i, 1-j]``;
* the **completely mixed** equilibrium, by the indifference conditions
  (e.g. Osborne & Rubinstein, *A Course in Game Theory*, 1994, §3.2): the row
  player mixes ``p`` on its first action so that the column player is
  indifferent, ``p = (B11 - B10) / (B00 - B10 - B01 + B11)``, and symmetrically
  ``q = (A11 - A01) / (A00 - A01 - A10 + A11)``; it exists when both lie strictly
  inside (0, 1).

In a non-degenerate game these are all the equilibria (their number is 1 or 3),
which is what ``nashpy.Game.support_enumeration`` returns; the test-suite checks
this on random games.  A *degenerate* game (a player indifferent between two
actions against a pure strategy) can have a continuum of equilibria; it always
has at least one pure equilibrium (if the row player is indifferent in column
``j``, either ``j`` is a best reply to some row -- a pure equilibrium -- or the
other column is strictly dominant and its best reply is one).  Such games are
flagged in ``degenerate`` and reported by their pure equilibria (plus the
completely mixed one if it exists); the continuum is not enumerated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Equilibria2x2", "solve_2x2"]

# Payoff differences smaller than this are treated as ties.
TIE_TOLERANCE = 1e-12


@dataclass(frozen=True)
class Equilibria2x2:
    """Equilibria of ``n`` 2×2 games.

    ``pure[k, i, j]`` is True when (row action i, column action j) is a pure
    equilibrium of game k.  ``mixed[k]`` is True when game k has a completely
    mixed equilibrium in which the row player plays its first action with
    probability ``mixed_row[k]`` and the column player with ``mixed_col[k]``
    (NaN where there is none).  ``degenerate[k]`` flags games with payoff ties
    against a pure strategy.
    """

    pure: np.ndarray
    mixed: np.ndarray
    mixed_row: np.ndarray
    mixed_col: np.ndarray
    degenerate: np.ndarray

    @property
    def count(self) -> np.ndarray:
        """Number of isolated equilibria found per game (pure + completely mixed)."""
        return self.pure.sum(axis=(1, 2)) + self.mixed

    def as_list(self, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """Equilibria of game ``k`` as (row strategy, column strategy) probability vectors."""
        found = []
        for i in range(2):
            for j in range(2):
                if self.pure[k, i, j]:
                    found.append((np.eye(2)[i], np.eye(2)[j]))
        if self.mixed[k]:
            p, q = self.mixed_row[k], self.mixed_col[k]
            found.append((np.array([p, 1 - p]), np.array([q, 1 - q])))
        return found


def solve_2x2(row_payoffs: np.ndarray, col_payoffs: np.ndarray) -> Equilibria2x2:
    """Find the equilibria of each 2×2 game in ``(row_payoffs[k], col_payoffs[k])``.

    Both arrays have shape ``(n, 2, 2)``; a single game of shape ``(2, 2)`` is
    accepted and treated as ``n = 1``.
    """
    A = np.asarray(row_payoffs, dtype=float)
    B = np.asarray(col_payoffs, dtype=float)
    if A.shape != B.shape or A.shape[-2:] != (2, 2):
        raise ValueError(f"expected two arrays of shape (n, 2, 2), got {A.shape} and {B.shape}")
    if A.ndim == 2:
        A, B = A[None], B[None]

    # Row player's gain from switching to the other row, per column: A[1-i, j] - A[i, j].
    row_gain = A[:, ::-1, :] - A
    col_gain = B[:, :, ::-1] - B
    pure = (row_gain <= TIE_TOLERANCE) & (col_gain <= TIE_TOLERANCE)

    row_ties = np.abs(A[:, 0, :] - A[:, 1, :]) <= TIE_TOLERANCE  # (n, 2): tie in column j
    col_ties = np.abs(B[:, :, 0] - B[:, :, 1]) <= TIE_TOLERANCE  # (n, 2): tie in row i
    degenerate = row_ties.any(axis=1) | col_ties.any(axis=1)

    q_den = A[:, 0, 0] - A[:, 0, 1] - A[:, 1, 0] + A[:, 1, 1]
    p_den = B[:, 0, 0] - B[:, 1, 0] - B[:, 0, 1] + B[:, 1, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = (A[:, 1, 1] - A[:, 0, 1]) / q_den
        p = (B[:, 1, 1] - B[:, 1, 0]) / p_den
    interior = (
        (np.abs(q_den) > TIE_TOLERANCE)
        & (np.abs(p_den) > TIE_TOLERANCE)
        & (p > TIE_TOLERANCE)
        & (p < 1 - TIE_TOLERANCE)
        & (q > TIE_TOLERANCE)
        & (q < 1 - TIE_TOLERANCE)
    )
    return Equilibria2x2(
        pure=pure,
        mixed=interior,
        mixed_row=np.where(interior, p, np.nan),
        mixed_col=np.where(interior, q, np.nan),
        degenerate=degenerate,
    )
