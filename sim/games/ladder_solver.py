"""Exact equilibria of a batch of small m×n bimatrix games, compiled, and the one played.

The strike ladder (:mod:`sim.games.ladder`) is a 4×3 game solved every day in
every run where a force is pledged.  This module does, for a whole batch of
games, what :func:`sim.games.bimatrix.extreme_equilibria` does for one: it
enumerates the vertices of the two best-response polytopes and pairs those
whose labels cover every action (Avis, Rosenberg, Savani & von Stengel,
*Economic Theory* 42, 2010, §3) -- every extreme equilibrium, degenerate
games included.  The loops are written once, in plain Python that numba can
compile (:func:`enumerate_equilibria` compiles them on first use; with
``SIM_NO_NUMBA`` set they run as Python, with the same operations in the same
order).  The reference it is tested against is independent: the NumPy
solver in :mod:`sim.games.bimatrix` and nashpy's vertex enumeration
(``tests/test_ladder.py``, on thousands of random and degenerate games).

Which equilibrium is played (:func:`select`), by the scenario's rule:
``risk_dominant`` and ``payoff_dominant`` -- the largest sum of the two
players' expected payoffs (Harsanyi and Selten's risk dominance is defined for
2×2 games; for m×n games both rules take the payoff-dominant choice);
``max_entropy`` -- the largest total Shannon entropy; ``random`` -- one at
random from the day's uniform number; ties go to the first in enumeration
order.  Non-credible threats need no refinement here: the ladder's postures
cost something to hold (:mod:`sim.games.ladder`), so a reply the defender
would not carry out is never part of an equilibrium.
``logit_qre``: not an equilibrium of the list; the logit quantal response
equilibrium at the scenario's precision, traced from ``λ = 0`` along the
principal branch (:func:`logit_qre`; McKelvey & Palfrey 1995; Turocy 2005).
"""

from __future__ import annotations

import itertools
from functools import cache

import numpy as np
from numba.extending import register_jitable

from sim.compiled import use_numba

__all__ = [
    "MAX_EQUILIBRIA",
    "Candidates",
    "enumerate_equilibria",
    "logit_qre",
    "select",
]

#: At most this many extreme equilibria are kept per game (the ladder's games have
#: far fewer; a game with more is flagged ``truncated``).
MAX_EQUILIBRIA = 16
#: Feasibility and tightness tolerance, and the pivot below which a choice of
#: constraints is singular (payoffs are shifted to [1, 1 + range] first).
_TOL = 1e-9
_PIVOT = 1e-12
#: Two vertices closer than this are one (rounding); distinct vertices of a game with
#: near ties can be as close as 1e-8, so this is far below the tightness tolerance.
_SAME = 1e-12


@register_jitable
def _solve_augmented(mat, size, z):
    """Solve the ``size`` x ``size`` system whose augmented matrix is ``mat[:size, :size + 1]``
    by Gaussian elimination with partial pivoting (``mat`` is overwritten), into ``z``;
    False if a pivot is below ``_PIVOT`` (singular: that vertex does not exist).  Plain
    Python when called from Python (``SIM_NO_NUMBA``), compiled inside the kernels."""
    for col in range(size):
        best = col
        for r in range(col + 1, size):
            if abs(mat[r, col]) > abs(mat[best, col]):
                best = r
        if abs(mat[best, col]) < _PIVOT:
            return False
        if best != col:
            for cc in range(size + 1):
                tmp = mat[col, cc]
                mat[col, cc] = mat[best, cc]
                mat[best, cc] = tmp
        for r in range(col + 1, size):
            f = mat[r, col] / mat[col, col]
            for cc in range(col, size + 1):
                mat[r, cc] -= f * mat[col, cc]
    for r in range(size - 1, -1, -1):
        s = mat[r, size]
        for cc in range(r + 1, size):
            s -= mat[r, cc] * z[cc]
        z[r] = s / mat[r, r]
    return True


def _enumerate_batch(A_all, B_all, p_sets, q_sets, shortcut, out_x, out_y, out_count, out_flags):
    """Fill ``out_*`` with every extreme equilibrium of each game ``(A_all[g], B_all[g])``.

    ``p_sets`` / ``q_sets``: every choice of m (n) of the m + n constraints of
    P (Q).  ``out_flags[g]``: 1 if the game has more than MAX_EQUILIBRIA
    extreme equilibria (the rest are dropped).  ``shortcut``: first look for a
    strictly dominant action (see :func:`enumerate_equilibria`).
    Plain Python loops, compiled by numba (see the module docstring).  The two
    polytopes' loops are written out twice, not shared through a helper: a
    function compiled on first use (:func:`_compiled`) can only call compiled
    functions, and compiling helpers up front would load numba at import.
    """
    games, m, n = A_all.shape
    k_max = out_x.shape[1]
    full = (1 << (m + n)) - 1
    cp = p_sets.shape[0]
    cq = q_sets.shape[0]
    for g in range(games):
        # Payoffs shifted to be at least 1 keep both polytopes bounded.
        a_min = A_all[g, 0, 0]
        b_min = B_all[g, 0, 0]
        for i in range(m):
            for j in range(n):
                a_min = min(a_min, A_all[g, i, j])
                b_min = min(b_min, B_all[g, i, j])
        A = np.empty((m, n))
        B = np.empty((m, n))
        for i in range(m):
            for j in range(n):
                A[i, j] = A_all[g, i, j] - a_min + 1.0
                B[i, j] = B_all[g, i, j] - b_min + 1.0

        if shortcut:
            # A strictly dominant action of one player, and a unique best reply of the
            # other to it: the game's only equilibrium.
            solved = False
            for player in range(2):
                k_own = n if player == 0 else m
                k_other = m if player == 0 else n
                for a in range(k_own):
                    dominant = True
                    for b in range(k_own):
                        if b == a:
                            continue
                        for o in range(k_other):
                            if player == 0:
                                d = B[o, a] - B[o, b]
                            else:
                                d = A[a, o] - A[b, o]
                            if d <= _TOL:
                                dominant = False
                                break
                        if not dominant:
                            break
                    if not dominant:
                        continue
                    best = 0
                    for o in range(1, k_other):
                        if (A[o, a] if player == 0 else B[a, o]) > (
                            A[best, a] if player == 0 else B[a, best]
                        ):
                            best = o
                    unique = True
                    for o in range(k_other):
                        if o != best:
                            if player == 0:
                                gap = A[best, a] - A[o, a]
                            else:
                                gap = B[a, best] - B[a, o]
                            if gap <= _TOL:
                                unique = False
                    if unique:
                        for i in range(m):
                            out_x[g, 0, i] = 0.0
                        for j in range(n):
                            out_y[g, 0, j] = 0.0
                        if player == 0:
                            out_y[g, 0, a] = 1.0
                            out_x[g, 0, best] = 1.0
                        else:
                            out_x[g, 0, a] = 1.0
                            out_y[g, 0, best] = 1.0
                        out_count[g] = 1
                        out_flags[g] = 0
                        solved = True
                    break
                if solved:
                    break
            if solved:
                continue

        # Vertices of P = {x >= 0, B^T x <= 1}: rows 0..m-1 are -x_i <= 0, rows m.. B[:, j].
        p_vert = np.empty((cp, m))
        p_lab = np.zeros(cp, dtype=np.int64)
        n_p = 0
        mat = np.empty((m, m + 1))
        for c in range(cp):
            for r in range(m):
                k = p_sets[c, r]
                for col in range(m):
                    if k < m:
                        mat[r, col] = -1.0 if col == k else 0.0
                    else:
                        mat[r, col] = B[col, k - m]
                mat[r, m] = 0.0 if k < m else 1.0
            z = np.empty(m)
            if not _solve_augmented(mat, m, z):
                continue
            feasible = True
            labels = 0
            for k in range(m + n):
                if k < m:
                    slack = z[k]
                else:
                    s = 0.0
                    for i in range(m):
                        s += B[i, k - m] * z[i]
                    slack = 1.0 - s
                if slack < -_TOL:
                    feasible = False
                    break
                if slack <= _TOL:
                    labels |= 1 << k
            if not feasible:
                continue
            # The same vertex reached from another choice of tight constraints (a
            # degenerate polytope): keep one, with the tight constraints of both.
            duplicate = False
            for v in range(n_p):
                same = True
                for i in range(m):
                    if abs(p_vert[v, i] - z[i]) > _SAME:
                        same = False
                        break
                if same:
                    p_lab[v] |= labels
                    duplicate = True
                    break
            if duplicate:
                continue
            for i in range(m):
                p_vert[n_p, i] = z[i]
            p_lab[n_p] = labels
            n_p += 1

        # Vertices of Q = {A y <= 1, y >= 0}: rows 0..m-1 are A[i, :], rows m.. -y_j <= 0.
        q_vert = np.empty((cq, n))
        q_lab = np.zeros(cq, dtype=np.int64)
        n_q = 0
        mat = np.empty((n, n + 1))
        for c in range(cq):
            for r in range(n):
                k = q_sets[c, r]
                for col in range(n):
                    if k < m:
                        mat[r, col] = A[k, col]
                    else:
                        mat[r, col] = -1.0 if col == k - m else 0.0
                mat[r, n] = 1.0 if k < m else 0.0
            z = np.empty(n)
            if not _solve_augmented(mat, n, z):
                continue
            feasible = True
            labels = 0
            for k in range(m + n):
                if k < m:
                    s = 0.0
                    for j in range(n):
                        s += A[k, j] * z[j]
                    slack = 1.0 - s
                else:
                    slack = z[k - m]
                if slack < -_TOL:
                    feasible = False
                    break
                if slack <= _TOL:
                    labels |= 1 << k
            if not feasible:
                continue
            # The same vertex reached from another choice of tight constraints (a
            # degenerate polytope): keep one, with the tight constraints of both.
            duplicate = False
            for v in range(n_q):
                same = True
                for j in range(n):
                    if abs(q_vert[v, j] - z[j]) > _SAME:
                        same = False
                        break
                if same:
                    q_lab[v] |= labels
                    duplicate = True
                    break
            if duplicate:
                continue
            for j in range(n):
                q_vert[n_q, j] = z[j]
            q_lab[n_q] = labels
            n_q += 1

        # Completely labelled pairs of non-zero vertices are the extreme equilibria.
        count = 0
        flags = 0
        for u in range(n_p):
            sx = 0.0
            for i in range(m):
                sx += p_vert[u, i]
            if sx <= _TOL:
                continue
            for v in range(n_q):
                if (p_lab[u] | q_lab[v]) != full:
                    continue
                sy = 0.0
                for j in range(n):
                    sy += q_vert[v, j]
                if sy <= _TOL:
                    continue
                if count == k_max:
                    flags = 1
                    continue
                for i in range(m):
                    out_x[g, count, i] = p_vert[u, i] / sx
                for j in range(n):
                    out_y[g, count, j] = q_vert[v, j] / sy
                count += 1
        out_count[g] = count
        out_flags[g] = flags


@cache
def _compiled():
    from numba import njit  # loaded only when a batch is solved

    return njit(cache=True, error_model="numpy")(_enumerate_batch)


@cache
def _constraint_sets(m: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    p = np.array(list(itertools.combinations(range(m + n), m)), dtype=np.int64)
    q = np.array(list(itertools.combinations(range(m + n), n)), dtype=np.int64)
    return p, q


class Candidates:
    """Every extreme equilibrium of each game of a batch.

    ``x``: (games, MAX_EQUILIBRIA, m) and ``y``: (games, MAX_EQUILIBRIA, n)
    mixed strategies (rows past ``count`` are unused); ``count``: equilibria
    found; ``truncated``: more than MAX_EQUILIBRIA were found.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, count: np.ndarray, flags: np.ndarray):
        self.x, self.y, self.count = x, y, count
        self.truncated = flags.astype(bool)


def enumerate_equilibria(
    row_payoffs: np.ndarray, col_payoffs: np.ndarray, shortcut: bool = True
) -> Candidates:
    """Every extreme Nash equilibrium of each game of a batch ``(games, m, n)``.

    ``shortcut``: where one player has a strictly dominant action (better than
    each other by more than 1e-9 against everything) and the other a unique
    best reply to it, that pure profile is the only equilibrium (a strictly
    dominated action is in no equilibrium), found without enumeration; in the
    ladder this is most days (the defenders' posture is dominant).  Near ties
    always go to the enumeration.  Compiled with numba unless ``SIM_NO_NUMBA``
    is set (then the same loops run as Python: slow, for tests of the
    compiled code).
    """
    A = np.ascontiguousarray(row_payoffs, dtype=float)
    B = np.ascontiguousarray(col_payoffs, dtype=float)
    if A.shape != B.shape or A.ndim != 3:
        raise ValueError(f"payoffs must be (games, m, n) of one shape, got {A.shape}, {B.shape}")
    games, m, n = A.shape
    p_sets, q_sets = _constraint_sets(m, n)
    x = np.zeros((games, MAX_EQUILIBRIA, m))
    y = np.zeros((games, MAX_EQUILIBRIA, n))
    count = np.zeros(games, dtype=np.int64)
    flags = np.zeros(games, dtype=np.int64)
    kernel = _compiled() if use_numba() else _enumerate_batch
    if games:
        kernel(A, B, p_sets, q_sets, shortcut, x, y, count, flags)
    return Candidates(x, y, count, flags)


def _entropy(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0).sum(axis=-1)


def _choose(x, y, count, total, rule, uniforms):
    """Index of the equilibrium the rule picks in each game (games with several)."""
    eligible = np.arange(x.shape[1])[None, :] < count[:, None]
    if rule == "random":
        if uniforms is None:
            raise ValueError("rule 'random' needs one uniform number per game")
        rank = np.floor(uniforms * eligible.sum(axis=1)).astype(int)
        # The rank-th candidate, in enumeration order.
        return np.argmax(np.cumsum(eligible, axis=1) > rank[:, None], axis=1)
    if rule == "max_entropy":
        score = _entropy(x) + _entropy(y)
    else:  # risk_dominant, payoff_dominant: the largest sum of expected payoffs
        # x_k · total · y_k, summed in a fixed order (no BLAS: the same bits in any batch).
        score = (x[:, :, :, None] * total[:, None, :, :] * y[:, :, None, :]).sum(axis=(2, 3))
    score = np.where(eligible, score, -np.inf)
    # Ties (within rounding) go to the first candidate in enumeration order.
    best = score.max(axis=1, keepdims=True)
    near = score >= best - 1e-12 * np.maximum(1.0, np.abs(best))
    return np.argmax(near, axis=1)


def select(
    candidates: Candidates,
    row_payoffs: np.ndarray,
    col_payoffs: np.ndarray,
    rule: str,
    uniforms: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The equilibrium played in each game: ``(x, y)``, shapes (games, m) and (games, n).

    The scenario's ``rule`` (module docstring); ``uniforms`` (one per game) for
    ``random``.  Vectorised over games.
    """
    x, y, count = candidates.x, candidates.y, candidates.count
    games = x.shape[0]
    if games == 0:
        return x[:, 0], y[:, 0]
    if (count == 0).any():
        raise ValueError("a game without an equilibrium found (non-finite payoffs?)")
    choice = np.zeros(games, dtype=int)
    several = np.flatnonzero(count > 1)  # most games have one equilibrium: nothing to choose
    if several.size:
        choice[several] = _choose(
            x[several],
            y[several],
            count[several],
            np.asarray(row_payoffs)[several] + np.asarray(col_payoffs)[several],
            rule,
            None if uniforms is None else np.asarray(uniforms)[several],
        )
    rows = np.arange(games)
    return x[rows, choice], y[rows, choice]


def _qre_batch(A_all, B_all, precision, steps, tolerance, warm, out_x, out_y):
    """The logit QRE of each game by damped fixed-point iteration (plain loops, compiled
    by numba; see :func:`logit_qre`).  ``out_x``/``out_y`` hold the starting points;
    games with ``warm[g]`` start there at the target precision, the others at uniform
    play and follow λ up in ``steps`` steps."""
    games, m, n = A_all.shape
    ux = np.empty(m)
    uy = np.empty(n)
    x = np.empty(m)
    y = np.empty(n)
    start = min(precision, 1e-2)
    for g in range(games):
        first = 0
        if warm[g]:
            first = steps - 1
            for i in range(m):
                x[i] = out_x[g, i]
            for j in range(n):
                y[j] = out_y[g, j]
        else:
            for i in range(m):
                x[i] = 1.0 / m
            for j in range(n):
                y[j] = 1.0 / n
        for s in range(first, steps):
            lam = start * (precision / start) ** (s / (steps - 1)) if steps > 1 else precision
            for _ in range(500):
                for i in range(m):
                    ux[i] = 0.0
                    for j in range(n):
                        ux[i] += A_all[g, i, j] * y[j]
                for j in range(n):
                    uy[j] = 0.0
                    for i in range(m):
                        uy[j] += B_all[g, i, j] * x[i]
                top = ux.max()
                total = 0.0
                for i in range(m):
                    ux[i] = np.exp(lam * (ux[i] - top))
                    total += ux[i]
                change = 0.0
                for i in range(m):
                    new = 0.5 * x[i] + 0.5 * ux[i] / total
                    change = max(change, abs(new - x[i]))
                    x[i] = new
                top = uy.max()
                total = 0.0
                for j in range(n):
                    uy[j] = np.exp(lam * (uy[j] - top))
                    total += uy[j]
                for j in range(n):
                    new = 0.5 * y[j] + 0.5 * uy[j] / total
                    change = max(change, abs(new - y[j]))
                    y[j] = new
                if change < tolerance:
                    break
        for i in range(m):
            out_x[g, i] = x[i]
        for j in range(n):
            out_y[g, j] = y[j]


@cache
def _compiled_qre():
    from numba import njit  # loaded only when a batch is solved

    return njit(cache=True, error_model="numpy")(_qre_batch)


def logit_qre(
    row_payoffs: np.ndarray,
    col_payoffs: np.ndarray,
    precision: float,
    steps: int = 20,
    start: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The logit QRE of each game at ``precision``, followed from uniform play.

    λ rises geometrically over ``steps`` values from ``min(precision, 0.01)``;
    at each the damped fixed point ``x = softmax(λ A y)``, ``y = softmax(λ Bᵀ
    x)`` is iterated from the previous λ's solution until no probability
    moves by more than 1e-10 (at most 500 iterations): a simple
    path-following of the principal branch (McKelvey & Palfrey 1995; Turocy,
    *Games and Economic Behavior* 51, 2005).  ``start = (x0, y0, warm)``:
    games where ``warm`` holds start from ``(x0, y0)`` at the target precision
    instead -- the model passes yesterday's QRE of a game whose payoffs moved
    a little, so that play follows the same branch from day to day.  Compiled
    like :func:`enumerate_equilibria`; ``exp`` may differ in the last bit
    between the compiled and the Python run.
    """
    A = np.ascontiguousarray(row_payoffs, dtype=float)
    B = np.ascontiguousarray(col_payoffs, dtype=float)
    games, m, n = A.shape
    x = np.full((games, m), 1.0 / m)
    y = np.full((games, n), 1.0 / n)
    warm = np.zeros(games, dtype=np.bool_)
    if start is not None:
        x[:], y[:] = start[0], start[1]
        warm = np.ascontiguousarray(start[2], dtype=np.bool_)
    if precision <= 0 or games == 0:
        return np.full((games, m), 1.0 / m), np.full((games, n), 1.0 / n)
    kernel = _compiled_qre() if use_numba() else _qre_batch
    kernel(A, B, float(precision), steps, 1e-10, warm, x, y)
    return x, y
