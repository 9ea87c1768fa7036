"""Compiled daily step: the 2×2 equilibrium solve and selection fused in one numba kernel.

:func:`select_kernel` does, one game at a time inside a compiled loop, what
:func:`sim.games.two_by_two.solve_2x2` followed by
:func:`sim.games.selection.select_equilibrium` does with whole-array NumPy
operations: the pure equilibria, the completely mixed one, the partially mixed
extreme points of degenerate games, and the profile chosen by the rule.  The
NumPy code stays the reference (the *oracle*): every float the kernel returns
is computed with the same operations in the same order, so the results are
bit-identical (``tests/test_kernels.py`` checks it on random, tie-heavy and
textbook games and on whole simulations).

Rules covered: ``risk_dominant``, ``payoff_dominant``, ``random`` (the caller
draws the uniforms with the same generator call as the NumPy path and passes
them in) and ``max_entropy``; for ``logit_qre`` the kernel gives the number of
equilibria and the degeneracy flags, and the QRE itself stays in NumPy
(:mod:`sim.games.qre`).

``max_entropy`` compares Shannon entropies, which need ``log``; NumPy's
vectorised ``log`` and the compiled one may differ in the last bit.  The
returned profile never contains an entropy, only the choice depends on it, so
the kernel flags every game in which some candidate's entropy lies within
``entropy_margin`` (1e-13; the two entropies differ by at most one unit in the
last place, about 2e-16, on 4 million probabilities checked) of the tie
threshold, and the caller re-solves those games with NumPy.

This module imports numba; :mod:`sim.games.selection` imports it only on the
first call that uses the kernel, so importing :mod:`sim` stays fast.  The
compiled code is cached (``cache=True``) in ``__pycache__``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.games.two_by_two import ROUNDING, TIE_TOLERANCE

__all__ = ["RULE_CODES", "select_kernel"]

#: Selection rules and their codes in the kernel; ``logit_qre`` only counts equilibria.
RULE_CODES = {
    "risk_dominant": 0,
    "payoff_dominant": 1,
    "max_entropy": 2,
    "random": 3,
    "logit_qre": 4,
}

#: Entropy scores this close to the tie threshold are left to NumPy (see module docstring).
ENTROPY_MARGIN = 1e-13

_TOL = TIE_TOLERANCE
_ROUNDING = ROUNDING
_MAX_FLOAT = np.finfo(np.float64).max


@njit(cache=True, error_model="numpy")
def _max_nan(values):
    """``values.max()`` as NumPy computes it: NaN if any value is NaN."""
    best = values[0]
    for c in range(1, values.shape[0]):
        v = values[c]
        if np.isnan(v):
            return v
        if v > best:
            best = v
    return best


@njit(cache=True, error_model="numpy")
def _entropy(x):
    """``selection._entropy`` for one number: -(x log x + (1-x) log(1-x)), NaN -> 0."""
    term = -(x * np.log(x) + (1 - x) * np.log(1 - x))
    if np.isnan(term):
        return 0.0
    if np.isinf(term):
        return _MAX_FLOAT if term > 0 else -_MAX_FLOAT
    return term


@njit(cache=True, error_model="numpy")
def _end_point(d0, d1, tie, tol, scale):
    """Where a player's indifference point lies inside (0, 1), beyond the rounding margin
    (two_by_two.ROUNDING), if it does: (found, root)."""
    root = d1 / (d1 - d0)
    margin = tol + _ROUNDING * scale / np.abs(d1 - d0)
    crossing = tie & (np.abs(d1 - d0) > tol) & (root > margin) & (root < 1 - margin)
    return crossing, (root if crossing else np.nan)


@njit(cache=True, error_model="numpy")
def select_kernel(A, B, rule, uniforms, entropy_margin):
    """Solve and select in each game ``k`` of ``A[k]``, ``B[k]`` (C-contiguous ``(n, 2, 2)``).

    ``rule``: a code of :data:`RULE_CODES`.  ``uniforms``: one number in [0, 1)
    per game for ``random`` (ignored otherwise).  Returns ``row_first``,
    ``col_first``, ``label`` (int8), ``n_equilibria`` (int8), ``degenerate`` and
    ``ambiguous`` (``max_entropy`` games to re-solve with NumPy).
    """
    n = A.shape[0]
    tol = _TOL
    row_first = np.empty(n)
    col_first = np.empty(n)
    label = np.empty(n, dtype=np.int8)
    n_equilibria = np.empty(n, dtype=np.int8)
    degenerate = np.empty(n, dtype=np.bool_)
    ambiguous = np.zeros(n, dtype=np.bool_)

    # Candidates in the order of selection._candidates: pure cells (0, 0), (0, 1),
    # (1, 0), (1, 1); the row player mixing against column 0, 1; the column player
    # mixing against row 0, 1; the completely mixed equilibrium.
    valid = np.empty(9, dtype=np.bool_)
    row = np.empty(9)
    col = np.empty(9)
    row[0], row[1], row[2], row[3] = 1.0, 1.0, 0.0, 0.0
    col[0], col[1], col[2], col[3] = 1.0, 0.0, 1.0, 0.0
    col[4], col[5] = 1.0, 0.0
    row[6], row[7] = 1.0, 0.0
    labels = np.array([0, 1, 2, 3, 4, 4, 4, 4, 4], dtype=np.int8)
    first = np.empty(4)
    second = np.empty(4)
    candidate = np.empty(4, dtype=np.bool_)
    score = np.empty(9)

    for k in range(n):
        a00, a01, a10, a11 = A[k, 0, 0], A[k, 0, 1], A[k, 1, 0], A[k, 1, 1]
        b00, b01, b10, b11 = B[k, 0, 0], B[k, 0, 1], B[k, 1, 0], B[k, 1, 1]

        # Pure: A[1-i, j] - A[i, j] <= tol and B[i, 1-j] - B[i, j] <= tol.
        valid[0] = (a10 - a00 <= tol) & (b01 - b00 <= tol)
        valid[1] = (a11 - a01 <= tol) & (b00 - b01 <= tol)
        valid[2] = (a00 - a10 <= tol) & (b11 - b10 <= tol)
        valid[3] = (a01 - a11 <= tol) & (b10 - b11 <= tol)

        row_tie0 = np.abs(a00 - a10) <= tol
        row_tie1 = np.abs(a01 - a11) <= tol
        col_tie0 = np.abs(b00 - b01) <= tol
        col_tie1 = np.abs(b10 - b11) <= tol
        degenerate[k] = row_tie0 | row_tie1 | col_tie0 | col_tie1

        # Completely mixed (two_by_two.solve_2x2).
        q_den = a00 - a01 - a10 + a11
        p_den = b00 - b10 - b01 + b11
        q = (a11 - a01) / q_den
        p = (b11 - b10) / p_den
        scale_a = max(max(np.abs(a00), np.abs(a01)), max(np.abs(a10), np.abs(a11)))
        scale_b = max(max(np.abs(b00), np.abs(b01)), max(np.abs(b10), np.abs(b11)))
        q_margin = tol + _ROUNDING * scale_a / np.abs(q_den)
        p_margin = tol + _ROUNDING * scale_b / np.abs(p_den)
        interior = (
            (np.abs(q_den) > tol)
            & (np.abs(p_den) > tol)
            & (p > p_margin)
            & (p < 1 - p_margin)
            & (q > q_margin)
            & (q < 1 - q_margin)
        )
        valid[8] = interior
        row[8] = p if interior else np.nan
        col[8] = q if interior else np.nan

        # Partially mixed end points (two_by_two._mixing_end_points).  Row player
        # mixing against column j: other = B transposed, d_a = B[a, j] - B[a, 1-j];
        # column player mixing against row i: other = A, d_a = A[i, a] - A[1-i, a].
        valid[4], row[4] = _end_point(b00 - b01, b10 - b11, row_tie0, tol, scale_b)
        valid[5], row[5] = _end_point(b01 - b00, b11 - b10, row_tie1, tol, scale_b)
        valid[6], col[6] = _end_point(a00 - a10, a01 - a11, col_tie0, tol, scale_a)
        valid[7], col[7] = _end_point(a10 - a00, a11 - a01, col_tie1, tol, scale_a)

        count = 0
        for c in range(9):
            if valid[c]:
                count += 1
        n_equilibria[k] = count

        choice = 0
        if rule == 0 or rule == 1:
            any_pure = valid[0] | valid[1] | valid[2] | valid[3]
            if any_pure:
                # risk: row_loss * col_loss, row_loss = A - A[::-1, :], col_loss = B - B[:, ::-1];
                # welfare: A + B.
                risk0 = (a00 - a10) * (b00 - b01)
                risk1 = (a01 - a11) * (b01 - b00)
                risk2 = (a10 - a00) * (b10 - b11)
                risk3 = (a11 - a01) * (b11 - b10)
                if rule == 0:
                    first[0], first[1], first[2], first[3] = risk0, risk1, risk2, risk3
                    second[0], second[1] = a00 + b00, a01 + b01
                    second[2], second[3] = a10 + b10, a11 + b11
                else:
                    first[0], first[1] = a00 + b00, a01 + b01
                    first[2], first[3] = a10 + b10, a11 + b11
                    second[0], second[1], second[2], second[3] = risk0, risk1, risk2, risk3
                for c in range(4):
                    if not valid[c]:
                        first[c] = -np.inf
                bound = _max_nan(first) - tol
                for c in range(4):
                    candidate[c] = valid[c] & (first[c] >= bound)
                    if not candidate[c]:
                        second[c] = -np.inf
                bound = _max_nan(second) - tol
                for c in range(4):
                    if candidate[c] & (second[c] >= bound):
                        choice = c
                        break
            else:
                choice = 8
        elif rule == 2:
            for c in range(9):
                if valid[c]:
                    score[c] = _entropy(row[c]) + _entropy(col[c])
                else:
                    score[c] = -np.inf
            bound = _max_nan(score) - tol
            for c in range(9):
                if valid[c] & (score[c] >= bound):
                    choice = c
                    break
            for c in range(9):
                if valid[c] and np.abs(score[c] - bound) <= entropy_margin:
                    ambiguous[k] = True
        elif rule == 3:
            target = int(np.floor(uniforms[k] * count))
            rank = -1
            for c in range(9):
                if valid[c]:
                    rank += 1
                    if rank == target:
                        choice = c
                        break

        row_first[k] = row[choice]
        col_first[k] = col[choice]
        label[k] = labels[choice]
    return row_first, col_first, label, n_equilibria, degenerate, ambiguous
