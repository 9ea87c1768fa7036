"""Logit quantal response equilibria of many 2×2 bimatrix games at once.

For row payoffs ``A`` and column payoffs ``B`` of shape ``(n, 2, 2)`` and a
precision ``λ >= 0`` per game, this computes the **logit quantal response
equilibrium** (QRE) of McKelvey & Palfrey, "Quantal Response Equilibria for
Normal Form Games", *Games and Economic Behavior* 10, 1995: each player plays
its first action with the logistic probability of its payoff advantage,

    p = σ(λ · (A[0] - A[1]) · (q, 1 - q)),   q = σ(λ · (p, 1 - p) · (B[:, 0] - B[:, 1])),

where ``p`` / ``q`` are the row / column player's probabilities of its first
action and ``σ`` is the logistic function.  Substituting ``q`` into the first
equation leaves one equation ``F(p) = p - g(p) = 0`` on [0, 1] with
``F(0) <= 0 <= F(1)``, so there is always a solution.

**Which QRE.**  A game can have several QRE at one ``λ``; the one returned
lies on the **principal branch**, the branch of the QRE correspondence that
starts at uniform play ``p = q = 1/2`` at ``λ = 0`` (McKelvey & Palfrey 1995;
Turocy, "A dynamic homotopy interpretation of the logistic quantal response
equilibrium correspondence", *Games and Economic Behavior* 51, 2005).  It is
followed by continuation in ``λ``, vectorised over the games (the loops run
over continuation and Newton steps, never over games):

* ``g`` has slope ``λ² r c · g(1 - g) q(1 - q)``, with ``r`` and ``c`` the
  interaction terms of the two players' payoff advantages (``r = A00 - A10 -
  A01 + A11``, ``c = B00 - B01 - B10 + B11``).  While ``λ² r c < 16`` (always when
  ``r c <= 0``) ``F`` is strictly increasing, the QRE is unique and is solved
  directly at ``λ`` (or at ``λ₀ = 4 / √(r c)`` if ``λ`` is larger);
* beyond ``λ₀`` the root is tracked in steps of ``log λ`` of at most
  ``LOG_STEP``: at each new ``λ`` the sign of ``F`` at the previous root tells
  which way the root moved, and a safeguarded Newton iteration (Newton steps
  kept inside a sign-change bracket, bisection otherwise; Press et al.,
  *Numerical Recipes*, §9.4 ``rtsafe``) starts from the previous root with
  the bracket [previous root, 1] or [0, previous root] on that side;
* **folds**: if the tracked root meets another root and both vanish (a
  turning point of the branch in ``λ``), the same bracketed iteration falls
  back to the next root on the side the root was moving to -- a jump to the
  part of the branch that continues after it has turned back and forward
  again.  The returned profile is then a QRE on the principal branch, but the
  branch also passes through this ``λ`` at other points.

**Symmetric games.**  A game is symmetric when the two players' payoff
advantages agree (``B = Aᵀ`` up to payoff constants), either as labelled or
after swapping one player's two actions (Battle of the Sexes as usually
written).  Its QRE correspondence is then unchanged by exchanging the players,
so the line ``p = q`` (``p = 1 - q`` after the swap) is invariant, and the
principal branch starts on it at ``λ = 0``.  Where an action's advantage falls
as the opponent plays it more (anti-coordination: Chicken, Hawk-Dove, Battle
of the Sexes), the line holds exactly one QRE at every ``λ``, but at some ``λ``
it loses stability across the line in a **pitchfork**: two asymmetric branches
leave it, the symmetric root becomes the middle root of ``F``, and the
continuation above would leave the line onto one of them, chosen by rounding.
The rule for these games is to stay on the symmetric branch, which continues
the principal branch straight through the pitchfork: the equation on the line,

    p = σ(λ · (a + b p)),   b <= 0,

(``a + b p``: a player's advantage of its first action when the other plays
its own first action with probability ``p``), has ``p - σ(…)`` strictly
increasing, so its one root is found directly at ``λ`` by the same safeguarded
Newton iteration, and ``q = p`` (or ``1 - p``) exactly.  As ``λ → ∞`` it
approaches the symmetric Nash equilibrium, the mixed one when there is one.
A game counts as symmetric when its payoff advantages, divided by the largest,
agree to ``SYMMETRY_TOLERANCE`` (1e-12; the players' coefficients are then
averaged), so payoffs that differ only by rounding do not pick a side.
Symmetric games with ``b > 0`` (coordination: Stag Hunt) have no QRE off the
line, so the continuation above stays on it; all other games are solved by it.

**Limits.**  ``λ = 0`` gives exactly uniform play, ``(1/2, 1/2)``.  As ``λ → ∞``
the principal branch approaches a Nash equilibrium -- for generic games the
*limiting logit equilibrium* (McKelvey & Palfrey 1995, Theorem 2), which in
symmetric 2×2 coordination games is the risk-dominant equilibrium (e.g. Stag
Hunt: hare, hare); in symmetric anti-coordination games (not generic) it is,
by the rule above, the symmetric equilibrium (Chicken: the mixed one); in
games with only a completely mixed equilibrium the QRE approaches it from the
side of the larger stakes (Goeree & Holt, "Ten Little Treasures of Game Theory
and Ten Intuitive Contradictions", *American Economic Review* 91, 2001).  At
any ``λ > 0`` each player's regret (best pure payoff minus expected payoff) is
at most ``0.2785 / λ``.  Computation is in doubles after dividing each game's
payoff differences by their largest absolute value, so ties, constant and
all-zero games and large ``λ`` need no special cases; probabilities smaller
than the smallest double become 0 (or 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

__all__ = ["LogitQRE", "logit_qre"]

#: Largest continuation step, in log λ, beyond λ₀ (where several QRE may exist).
LOG_STEP = 0.2
#: Steps whose root moves further than MAX_MOVE, or lands further than MAX_CORRECTION from
#: the tangent prediction, are retried shorter, down to MIN_LOG_STEP.
MAX_MOVE = 0.05
MAX_CORRECTION = 0.01
MIN_LOG_STEP = 1e-6
#: Newton / bisection stops when the step in p is at most this.
P_TOLERANCE = 1e-15
#: Intermediate continuation steps take TRACK_ITERATIONS Newton steps and must end with
#: one of at most TRACK_TOLERANCE, else they are retried shorter.
TRACK_ITERATIONS = 3
TRACK_TOLERANCE = 1e-8
#: Safeguarded-Newton iterations per solve (bisection alone needs about 55).
MAX_ITERATIONS = 200
#: Cap on λ × payoff scale (everything saturates long before).
MAX_SCALED_PRECISION = 1e200
#: A game is symmetric when its payoff advantages, divided by the largest, agree to this.
SYMMETRY_TOLERANCE = 1e-12

EPS = np.finfo(float).eps


@dataclass(frozen=True)
class LogitQRE:
    """Logit QRE on the principal branch of ``n`` games.

    ``row_first[k]`` / ``col_first[k]``: probability that the row / column
    player of game k plays its first action.
    """

    row_first: np.ndarray
    col_first: np.ndarray


def logit_qre(
    row_payoffs: np.ndarray, col_payoffs: np.ndarray, precision: float | np.ndarray
) -> LogitQRE:
    """The logit QRE on the principal branch of each game at its precision λ.

    ``row_payoffs`` and ``col_payoffs`` have shape ``(n, 2, 2)``; one game of
    shape ``(2, 2)`` is treated as ``n = 1``.  ``precision`` is a finite
    ``λ >= 0``, one for all games or an array of shape ``(n,)``.
    """
    A = np.asarray(row_payoffs, dtype=float)
    B = np.asarray(col_payoffs, dtype=float)
    if A.shape != B.shape or A.ndim not in (2, 3) or A.shape[-2:] != (2, 2):
        raise ValueError(f"expected two arrays of shape (n, 2, 2), got {A.shape} and {B.shape}")
    if A.ndim == 2:
        A, B = A[None], B[None]
    if not (np.isfinite(A).all() and np.isfinite(B).all()):
        raise ValueError("payoffs must be finite")
    n = A.shape[0]
    lam = np.asarray(precision, dtype=float)
    if lam.ndim == 0:
        lam = np.full(n, float(lam))
    elif lam.shape != (n,):
        raise ValueError(
            f"precision must be a number or an array of shape ({n},), got shape {lam.shape}"
        )
    if not np.isfinite(lam).all() or (lam < 0).any():
        raise ValueError("precision λ must be finite and >= 0")

    with np.errstate(over="ignore"):
        # Payoff advantage of each player's first action against the other's pure actions.
        r0 = A[:, 0, 0] - A[:, 1, 0]
        r1 = A[:, 0, 1] - A[:, 1, 1]
        c0 = B[:, 0, 0] - B[:, 0, 1]
        c1 = B[:, 1, 0] - B[:, 1, 1]
        scale = np.max(np.abs([r0, r1, c0, c1]), axis=0)
    if not np.isfinite(scale).all():
        raise ValueError("payoff differences overflow; rescale the payoffs")
    scale = np.where(scale > 0, scale, 1.0)
    # Advantages of the first action: row r1 + r q, column c1 + c p (divided by scale).
    coef = np.stack([r1 / scale, (r0 - r1) / scale, c1 / scale, (c0 - c1) / scale])
    with np.errstate(over="ignore"):
        mu = np.minimum(lam * scale, MAX_SCALED_PRECISION)  # precision on the scaled payoffs

    line, swapped, line_coef = _symmetric_line(np.array([r0, r1, c0, c1]) / scale)
    p, q = np.empty(n), np.empty(n)
    rest = ~line
    p[rest] = _principal_branch(mu[rest], coef[:, rest])
    q[rest] = expit(mu[rest] * (coef[2, rest] + coef[3, rest] * p[rest]))
    if line.any():
        # Symmetric anti-coordination games: the one root on the line of symmetry.  On the
        # line p = 1 - q a root above 1/2 is solved for 1 - p = σ(-μ(a + b - b (1 - p)))
        # instead, so that the smaller of p and q keeps its relative accuracy.
        mu_line, (a, b), swap = mu[line], line_coef[:, line], swapped[line]
        flip = swap & (a + b / 2 > 0)
        coef_line = np.stack([np.where(flip, -(a + b), a), b])
        half = np.full(mu_line.size, 0.5)
        x = _bracketed_newton(
            half, half, mu_line, coef_line, np.ones(half.size, bool), _line_residual
        )
        p[line] = np.where(flip, 1 - x, x)
        q[line] = np.where(flip, x, np.where(swap, 1 - x, x))
    return LogitQRE(row_first=p, col_first=q)


def _symmetric_line(
    advantages: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Games solved on their line of symmetry, and the line equation ``p = σ(μ(a + b p))``.

    ``advantages`` holds the scaled ``r0, r1, c0, c1``.  Returns the mask of
    symmetric games whose line equation has ``b <= 0`` (the pitchfork case),
    the mask of those whose line is ``p = 1 - q`` (symmetric after swapping
    one player's actions) rather than ``p = q``, and ``(a, b)`` of shape
    ``(2, n)`` (the average of the two players' coefficients).
    """
    r0, r1, c0, c1 = advantages
    # B ≅ Aᵀ as labelled: (p, q) -> (q, p).  Row: r1 + (r0 - r1) q; column: c1 + (c0 - c1) p.
    same = np.maximum(np.abs(r0 - c0), np.abs(r1 - c1)) <= SYMMETRY_TOLERANCE
    same_coef = np.stack([(r1 + c1) / 2, ((r0 - r1) + (c0 - c1)) / 2])
    # Symmetric after swapping one player's actions: (p, q) -> (1 - q, 1 - p).  In terms
    # of q' = 1 - q, row: r0 - (r0 - r1) q'; column: q' = σ(-μ (c1 + (c0 - c1) p)).
    swapped = np.maximum(np.abs(r0 + c1), np.abs(r1 + c0)) <= SYMMETRY_TOLERANCE
    swap_coef = np.stack([(r0 - c1) / 2, (-(r0 - r1) - (c0 - c1)) / 2])
    on_same = same & (same_coef[1] <= 0)
    on_swapped = swapped & (swap_coef[1] <= 0) & ~on_same
    line_coef = np.where(on_swapped, swap_coef, same_coef)
    return on_same | on_swapped, on_swapped, line_coef


def _line_residual(
    p: np.ndarray, mu: np.ndarray, coef: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``p - σ(mu (a + b p))`` on the line of symmetry, its derivative (>= 1 as b <= 0), p."""
    a, b = coef
    g = expit(mu * (a + b * p))
    return p - g, 1.0 - mu * (b * (g * (1 - g))), p


def _residual(
    p: np.ndarray, mu: np.ndarray, coef: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``F(p) = p - g(p)``, ``F'(p)`` and the column player's response ``q(p)``."""
    r1, r, c1, c = coef
    q = expit(mu * (c1 + c * p))
    g = expit(mu * (r1 + r * q))
    with np.errstate(over="ignore"):
        slope = (mu * (r * (g * (1 - g)))) * (mu * (c * (q * (1 - q))))
    return p - g, 1.0 - slope, q


def _principal_branch(mu: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """Row player's probability ``p`` on the principal branch at precision ``mu``."""
    coupling = coef[1] * coef[3]
    with np.errstate(divide="ignore"):
        mu_unique = np.where(coupling > 0, 4.0 / np.sqrt(np.maximum(coupling, 0.0)), np.inf)
    # Where F is strictly increasing (always below mu_unique) its one root is found directly.
    mu_start = np.where(_increasing(mu, coef), mu, np.minimum(mu, mu_unique))
    coef_all = coef
    half = np.full(mu.size, 0.5)
    p = _bracketed_newton(half, half, mu_start, coef, final=mu_start == mu)

    # Continuation from mu_start to mu in steps of log mu, for the games still to go.
    track = np.flatnonzero(mu > mu_start)
    x, coef, mu_end, mu_before = p[track], coef[:, track], mu[track], mu_start[track]
    log_left = np.log(mu_end / mu_before)  # log mu still to go
    step = np.full(track.size, LOG_STEP)
    anchor = p.copy()  # for tracked games: the root one step before the end
    while track.size:
        h = np.minimum(step, log_left)
        last = h == log_left
        mu_now = np.where(last, mu_end, mu_before * np.exp(h))
        predicted = np.clip(x + _tangent(x, mu_before, coef) * h, 0.0, 1.0)
        now, converged = _newton_steps(x, predicted, mu_now, coef)
        # Step control: a root far from the tangent prediction (or from the last root)
        # may lie on another branch beyond a sharp bend, so the step is retried shorter,
        # down to MIN_LOG_STEP (at a fold the root jumps whatever the step).
        shortest = step <= MIN_LOG_STEP
        slow = shortest & ~converged
        if slow.any():
            now[slow] = _bracketed_newton(
                x[slow], now[slow], mu_now[slow], coef[:, slow], last[slow]
            )
        accept = (
            converged & (np.abs(now - predicted) <= MAX_CORRECTION) & (np.abs(now - x) <= MAX_MOVE)
        ) | shortest
        finished = accept & last
        anchor[track[finished]] = x[finished]
        x = np.where(accept, now, x)
        mu_before = np.where(accept, mu_now, mu_before)
        log_left = np.where(accept, log_left - h, log_left)
        step = np.where(accept, np.minimum(2 * step, LOG_STEP), step / 4)
        if finished.any():
            p[track[finished]] = x[finished]
            going = ~finished
            track, x, mu_end, mu_before, log_left, step = (
                a[going] for a in (track, x, mu_end, mu_before, log_left, step)
            )
            coef = coef[:, going]
    # Polish the tracked roots to full accuracy, bracketed from the root one step before.
    tracked = np.flatnonzero(mu > mu_start)
    p[tracked] = _bracketed_newton(
        anchor[tracked], p[tracked], mu[tracked], coef_all[:, tracked], np.ones(tracked.size, bool)
    )
    return p


def _tangent(p: np.ndarray, mu: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """``dp / d log mu`` along the branch through the root ``p``: ``-mu F_mu / F_p``.

    Zero where ``F_p <= 0`` (a middle root: only in non-generic games; symmetric
    games with a pitchfork are solved on their line of symmetry instead).
    """
    r1, r, c1, c = coef
    q = expit(mu * (c1 + c * p))
    row = r1 + r * q
    g = expit(mu * row)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        row_density = mu * (g * (1 - g))
        dg = row_density * (row + (mu * (r * (q * (1 - q)))) * (c1 + c * p))
        df = 1.0 - (row_density * r) * (mu * (c * (q * (1 - q))))
        return np.where(df > 0, dg / np.maximum(df, 1e-300), 0.0)


def _increasing(mu: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """True where ``F`` is certainly strictly increasing on [0, 1] at ``mu`` (one QRE).

    ``F' = 1 - mu² r c · g(1 - g) q(1 - q)``; each factor is bounded by the
    logistic density at the smallest ``|argument|`` over the range of ``p``.
    """
    r1, r, c1, c = coef

    def nearest_zero(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.where(a * b <= 0, 0.0, np.minimum(np.abs(a), np.abs(b)))

    def density(z: np.ndarray) -> np.ndarray:
        return expit(z) * expit(-z)

    q_low = expit(mu * np.minimum(c1, c1 + c))
    q_high = expit(mu * np.maximum(c1, c1 + c))
    col = density(mu * nearest_zero(c1, c1 + c))
    row = density(mu * nearest_zero(r1 + r * q_low, r1 + r * q_high))
    with np.errstate(over="ignore"):
        return (mu * (r * row)) * (mu * (c * col)) < 1.0


def _newton_steps(
    anchor: np.ndarray, guess: np.ndarray, mu: np.ndarray, coef: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A few bracketed Newton steps towards the root next to ``anchor``, for continuation.

    Same bracket and start as :func:`_bracketed_newton` but a fixed number of
    steps (``TRACK_ITERATIONS``) and no bookkeeping; also returns whether the last
    step was a Newton step of at most ``TRACK_TOLERANCE``.
    """
    f, _, _ = _residual(anchor, mu, coef)
    lo = np.where(f < 0, anchor, 0.0)
    hi = np.where(f > 0, anchor, 1.0)
    exact = f == 0
    x = np.where((guess > lo) & (guess < hi) & ~exact, guess, anchor)
    for _ in range(TRACK_ITERATIONS):
        f, df, _ = _residual(x, mu, coef)
        lo = np.where(f < 0, x, lo)
        hi = np.where(f > 0, x, hi)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            newton = x - f / df
        inside = (df > 0) & (newton >= lo) & (newton <= hi)
        x_new = np.where(inside, newton, 0.5 * (lo + hi))
        x_new = np.where(f == 0, x, x_new)
        converged = (f == 0) | (inside & (np.abs(x_new - x) <= TRACK_TOLERANCE))
        x = x_new
    return x, converged


def _bracketed_newton(
    anchor: np.ndarray,
    guess: np.ndarray,
    mu: np.ndarray,
    coef: np.ndarray,
    final: np.ndarray,
    residual=_residual,
) -> np.ndarray:
    """The root of ``F`` next to ``anchor`` on the side where ``F`` crosses zero.

    The bracket is ``[anchor, 1]`` when ``F(anchor) < 0`` and ``[0, anchor]``
    when ``F(anchor) > 0`` (``F(0) <= 0 <= F(1)`` always).  The iteration starts
    from ``guess`` if it lies inside, else from ``anchor``, and takes Newton
    steps that stay inside the bracket and shrink fast enough, bisection
    otherwise (``rtsafe``); every evaluated point replaces one end of the
    bracket.  Games are dropped as they converge: to about 1e-15 (relative near
    0 and 1) where ``final``, else to ``TRACK_TOLERANCE``.  ``residual`` is
    :func:`_residual` or, on the line of symmetry, :func:`_line_residual`.
    """
    f, df, _ = residual(anchor, mu, coef)
    lo = np.where(f < 0, anchor, 0.0)
    hi = np.where(f > 0, anchor, 1.0)
    start = (guess > lo) & (guess < hi) & (guess != anchor) & (f != 0)
    x = anchor.copy()
    if start.any():
        f_guess, df_guess, _ = residual(guess[start], mu[start], coef[:, start])
        x[start], f[start], df[start] = guess[start], f_guess, df_guess
        lo[start] = np.where(f_guess < 0, guess[start], lo[start])
        hi[start] = np.where(f_guess > 0, guess[start], hi[start])
    out = x.copy()
    idx = np.arange(x.size)
    loose = np.where(final, 0.0, TRACK_TOLERANCE)
    dx = dx_before = hi - lo
    for _ in range(MAX_ITERATIONS):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            newton = x - f / df
        # 1e-15, relative to p or 1 - p near 0 and 1 but not below a few doubles'
        # spacing (a Newton step that small is taken as the last one).
        tol = np.minimum(P_TOLERANCE, (2 * P_TOLERANCE) * np.minimum(x, 1 - x)) + (4 * EPS) * x
        tol = np.maximum(tol, loose)
        inside = (df > 0) & (newton >= lo) & (newton <= hi)
        done = (f == 0) | (hi - lo <= tol) | (inside & (np.abs(newton - x) <= tol))
        out[idx] = np.where(inside, newton, x)
        if done.all():
            break
        if done.any():
            going = ~done
            idx, x, f, df, lo, hi, mu, newton, inside, dx, dx_before, loose = (
                a[going] for a in (idx, x, f, df, lo, hi, mu, newton, inside, dx, dx_before, loose)
            )
            coef = coef[:, going]
        bisect = ~inside | (np.abs(2 * f) > np.abs(dx_before * df))
        x_new = np.where(bisect, 0.5 * (lo + hi), newton)
        dx_before, dx = dx, np.abs(x_new - x)
        x = x_new
        f, df, _ = residual(x, mu, coef)
        lo = np.where(f < 0, x, lo)
        hi = np.where(f > 0, x, hi)
    return out
