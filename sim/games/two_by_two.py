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

* in a **degenerate** game (a player indifferent between its two actions
  against some pure strategy of the other), the *partially mixed* extreme
  equilibria: when the row player is indifferent in column ``j``, every
  ``p`` for which ``j`` stays the column player's best reply gives an
  equilibrium; that set is an interval of ``p`` and its end points inside
  (0, 1) are reported (likewise for the column player mixing against a row).

In a non-degenerate game the pure and completely mixed equilibria are all the
equilibria (their number is odd, 1 or 3), which is what
``nashpy.Game.support_enumeration`` returns.  In a degenerate game the
equilibria can form continua (segments of one player mixing); they are
reported by their extreme points, the same set as
``nashpy.Game.vertex_enumeration`` returns (Avis, Rosenberg, Savani & von
Stengel, "Enumeration of Nash equilibria for two-player games", *Economic
Theory* 42, 2010).  The test-suite checks both claims on thousands of random
games.  Every 2×2 game has at least one pure equilibrium or a completely mixed
one, so the list is never empty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Equilibria2x2", "solve_2x2"]

# Payoff differences smaller than this are treated as ties.
TIE_TOLERANCE = 1e-12
#: A mixing probability ``num / den`` computed from payoffs of magnitude up to ``s`` is
#: off by at most about ``6 eps s / |den|`` (eps: the float64 machine epsilon; two
#: rounded differences over three); it counts as strictly inside (0, 1) only beyond
#: ``TIE_TOLERANCE + ROUNDING * s / |den|`` from either end, so that rounding cannot
#: turn a pure equilibrium into a spurious mixed one.
ROUNDING = 8 * float(np.finfo(np.float64).eps)


@dataclass(frozen=True)
class Equilibria2x2:
    """Equilibria of ``n`` 2×2 games.

    ``pure[k, i, j]`` is True when (row action i, column action j) is a pure
    equilibrium of game k.  ``mixed[k]`` is True when game k has a completely
    mixed equilibrium in which the row player plays its first action with
    probability ``mixed_row[k]`` and the column player with ``mixed_col[k]``
    (NaN where there is none).  ``degenerate[k]`` flags games with payoff ties
    against a pure strategy.

    Attributes
    ----------
    pure : numpy.ndarray
        Shape ``(n, 2, 2)``, bool: the pure equilibria.
    mixed : numpy.ndarray
        Shape ``(n,)``, bool: the game has a completely mixed equilibrium.
    mixed_row, mixed_col : numpy.ndarray
        Shape ``(n,)``: its probabilities of each player's first action (NaN:
        none).
    degenerate : numpy.ndarray
        Shape ``(n,)``, bool: payoff ties against a pure strategy.
    row_mixing : numpy.ndarray
        Shape ``(n, 2)``: ``row_mixing[k, j]``, the extreme ``p`` inside (0, 1) at
        which the row player mixes against pure column ``j`` in an equilibrium of
        a degenerate game (NaN: none).
    col_mixing : numpy.ndarray
        Shape ``(n, 2)``: likewise, ``q`` of the column player against row ``i``.
    """

    pure: np.ndarray
    mixed: np.ndarray
    mixed_row: np.ndarray
    mixed_col: np.ndarray
    degenerate: np.ndarray
    #: ``row_mixing[k, j]``: the extreme ``p`` inside (0, 1) at which the row player
    #: mixes against pure column ``j`` in an equilibrium of a degenerate game (NaN: none).
    row_mixing: np.ndarray
    #: ``col_mixing[k, i]``: likewise, ``q`` of the column player against row ``i``.
    col_mixing: np.ndarray

    @property
    def count(self) -> np.ndarray:
        """Number of equilibria found per game: pure, completely mixed and, in
        degenerate games, the partially mixed extreme points of continua."""
        partial = np.isfinite(self.row_mixing).sum(axis=1) + np.isfinite(self.col_mixing).sum(
            axis=1
        )
        return self.pure.sum(axis=(1, 2)) + self.mixed + partial

    def as_list(self, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """Equilibria of game ``k`` as (row strategy, column strategy) probability vectors.

        Parameters
        ----------
        k : int
            The game's index.

        Returns
        -------
        list of (numpy.ndarray, numpy.ndarray)
            Pure ones first (cell order), then partially mixed, then the
            completely mixed one; each strategy of length 2.
        """
        found = []
        for i in range(2):
            for j in range(2):
                if self.pure[k, i, j]:
                    found.append((np.eye(2)[i], np.eye(2)[j]))
        for j in range(2):
            p = self.row_mixing[k, j]
            if np.isfinite(p):
                found.append((np.array([p, 1 - p]), np.eye(2)[j]))
        for i in range(2):
            q = self.col_mixing[k, i]
            if np.isfinite(q):
                found.append((np.eye(2)[i], np.array([q, 1 - q])))
        if self.mixed[k]:
            p, q = self.mixed_row[k], self.mixed_col[k]
            found.append((np.array([p, 1 - p]), np.array([q, 1 - q])))
        return found


def solve_2x2(row_payoffs: np.ndarray, col_payoffs: np.ndarray) -> Equilibria2x2:
    """Find the equilibria of each 2×2 game in ``(row_payoffs[k], col_payoffs[k])``.

    Both arrays have shape ``(n, 2, 2)``; a single game of shape ``(2, 2)`` is
    accepted and treated as ``n = 1``.

    Parameters
    ----------
    row_payoffs, col_payoffs : numpy.ndarray
        The row and column players' payoffs,
        ``[game, row action, column action]``.

    Returns
    -------
    Equilibria2x2
        Every game's equilibria.

    Raises
    ------
    ValueError
        If the arrays differ in shape or their last two axes are not 2 × 2.
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
    scale_a, scale_b = _scale(A), _scale(B)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        q = (A[:, 1, 1] - A[:, 0, 1]) / q_den
        p = (B[:, 1, 1] - B[:, 1, 0]) / p_den
        q_margin = TIE_TOLERANCE + ROUNDING * scale_a / np.abs(q_den)
        p_margin = TIE_TOLERANCE + ROUNDING * scale_b / np.abs(p_den)
    interior = (
        (np.abs(q_den) > TIE_TOLERANCE)
        & (np.abs(p_den) > TIE_TOLERANCE)
        & (p > p_margin)
        & (p < 1 - p_margin)
        & (q > q_margin)
        & (q < 1 - q_margin)
    )
    return Equilibria2x2(
        pure=pure,
        mixed=interior,
        mixed_row=np.where(interior, p, np.nan),
        mixed_col=np.where(interior, q, np.nan),
        degenerate=degenerate,
        row_mixing=_mixing_end_points(row_ties, np.swapaxes(B, 1, 2), scale_b),
        col_mixing=_mixing_end_points(col_ties, A, scale_a),
    )


def _scale(payoffs: np.ndarray) -> np.ndarray:
    """Per game, the largest payoff in magnitude (the scale of its rounding errors)."""
    return np.abs(payoffs).max(axis=(1, 2))


def _mixing_end_points(indifferent: np.ndarray, other: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Interior end points of the mixing intervals of one player against a pure action.

    ``indifferent[k, j]``: the mixing player is indifferent between its actions
    when the other plays ``j``.  ``other[k, j, a]`` is the *other* player's
    payoff for its action ``j`` when the mixing player plays ``a`` (so for the
    row player mixing, ``other`` is ``B`` transposed).  The mixing player puts
    ``x`` on its first action; ``j`` stays the other's best reply while
    ``g(x) = x d0 + (1 - x) d1 >= 0`` with ``d_a = other[j, a] - other[1-j, a]``.
    Returns shape ``(n, 2)``: per ``j``, the interval's end point strictly inside
    (0, 1) (beyond the rounding margin of :data:`ROUNDING`; ``scale``: per game, the
    largest of ``other`` in magnitude), NaN where there is none (ends at 0 and 1 are
    pure equilibria).
    """
    n = other.shape[0]
    result = np.full((n, 2), np.nan)
    for j in (0, 1):
        d0 = other[:, j, 0] - other[:, 1 - j, 0]
        d1 = other[:, j, 1] - other[:, 1 - j, 1]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            root = d1 / (d1 - d0)  # g(root) = 0
            margin = TIE_TOLERANCE + ROUNDING * scale / np.abs(d1 - d0)
        crossing = (
            indifferent[:, j]
            & (np.abs(d1 - d0) > TIE_TOLERANCE)
            & (root > margin)
            & (root < 1 - margin)
        )
        # The interval is [0, root] if g falls, [root, 1] if it rises: either way
        # the root is its only interior end point.
        result[:, j] = np.where(crossing, root, np.nan)
    return result
