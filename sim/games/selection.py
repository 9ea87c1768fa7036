"""Which equilibrium agents play when a 2×2 game has several.

The scenario declares the rule (``games.selection``; docs/games.md):

``risk_dominant`` (default)
    a game with one equilibrium: play it; several pure equilibria: the
    **risk-dominant** one -- the largest product of the two players' losses
    from deviating unilaterally (Harsanyi & Selten, *A General Theory of
    Equilibrium Selection in Games*, 1988, ch. 5) -- ties broken by the larger
    sum of payoffs, then by cell order (row 0 before row 1, column 0 before
    column 1); mixed equilibria only when there is no pure one;
``payoff_dominant``
    among pure equilibria the largest sum of the two payoffs (this picks the
    payoff-dominant equilibrium of Harsanyi & Selten whenever one Pareto-
    dominates the others), ties by risk dominance, then cell order;
``max_entropy``
    among all equilibria found (pure, partially and completely mixed), the one
    whose strategies have the largest total Shannon entropy -- the least
    predictable play; ties by the order pure, partially mixed, completely mixed;
``random``
    one of the equilibria found, uniformly at random, drawn from the model's
    generator (one uniform number per game per day);
``logit_qre``
    not a Nash equilibrium: both players play the logit quantal response
    equilibrium at precision ``qre_precision`` (McKelvey & Palfrey 1995;
    :mod:`sim.games.qre`).

Every selected profile except ``logit_qre`` is a Nash equilibrium of its game
(a property the test-suite checks).  ``label`` codes the profile played:
0 = (0, 0), 1 = (0, 1), 2 = (1, 0), 3 = (1, 1), 4 = a mixed equilibrium,
5 = logit QRE play.

The simulation's batches are solved and selected by a compiled kernel
(:mod:`sim.games.kernels`, numba); the array code here is its reference and
gives the same results bit for bit (``backend`` of :func:`select_equilibrium`,
environment variable ``SIM_NO_NUMBA``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from sim.compiled import use_numba
from sim.games.two_by_two import TIE_TOLERANCE, Equilibria2x2, solve_2x2

__all__ = ["MIXED", "QRE", "Selected", "select_equilibrium"]

MIXED = 4
QRE = 5

#: ``backend`` values of :func:`select_equilibrium`.
BACKENDS = ("numba", "numpy")
#: With ``backend=None``, a batch of at least this many games loads the compiled kernel
#: (numba); once it is loaded, batches of any size use it.
KERNEL_MIN_GAMES = 500
_KERNEL_RULES = frozenset(
    {"risk_dominant", "payoff_dominant", "max_entropy", "random", "logit_qre"}
)


@dataclass(frozen=True)
class Selected:
    """The equilibrium played in each of ``n`` games.

    ``row_first`` / ``col_first``: probability that the row / column player
    plays its first action.  ``label``: see the module docstring.
    ``n_equilibria``: isolated equilibria found.  ``degenerate``: payoff ties.

    Attributes
    ----------
    row_first, col_first : numpy.ndarray
        Shape ``(n,)``: the probabilities of each player's first action.
    label : numpy.ndarray
        Shape ``(n,)``, ``int8``: the profile played, 0 to 5.
    n_equilibria : numpy.ndarray
        Shape ``(n,)``, ``int8``: equilibria found (:attr:`Equilibria2x2.count`).
    degenerate : numpy.ndarray
        Shape ``(n,)``, bool: games with payoff ties against a pure strategy.
    """

    row_first: np.ndarray
    col_first: np.ndarray
    label: np.ndarray
    n_equilibria: np.ndarray
    degenerate: np.ndarray


def _entropy(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = -(x * np.log(x) + (1 - x) * np.log(1 - x))
    return np.nan_to_num(terms, nan=0.0)


def _candidates(eq: Equilibria2x2) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """All equilibria found, as (valid, row_first, col_first, label) arrays of shape (n, 9):
    the four pure cells, the four partially mixed extreme points, the completely mixed one."""
    n = eq.pure.shape[0]
    cells = np.arange(4)
    valid = [eq.pure.reshape(n, 4)]
    row = [np.broadcast_to((cells // 2 == 0).astype(float), (n, 4))]
    col = [np.broadcast_to((cells % 2 == 0).astype(float), (n, 4))]
    # Row player mixing against pure column j; column player mixing against pure row i.
    valid += [np.isfinite(eq.row_mixing), np.isfinite(eq.col_mixing)]
    row += [eq.row_mixing, np.broadcast_to([1.0, 0.0], (n, 2))]
    col += [np.broadcast_to([1.0, 0.0], (n, 2)), eq.col_mixing]
    valid.append(eq.mixed[:, None])
    row.append(eq.mixed_row[:, None])
    col.append(eq.mixed_col[:, None])
    label = np.broadcast_to(np.array([0, 1, 2, 3, 4, 4, 4, 4, 4]), (n, 9))
    return (
        np.concatenate(valid, axis=1),
        np.concatenate(row, axis=1),
        np.concatenate(col, axis=1),
        label,
    )


def _pick(valid: np.ndarray, row, col, label, choice: np.ndarray, eq: Equilibria2x2) -> Selected:
    index = choice[:, None]
    return Selected(
        row_first=np.take_along_axis(row, index, axis=1)[:, 0],
        col_first=np.take_along_axis(col, index, axis=1)[:, 0],
        label=np.take_along_axis(label, index, axis=1)[:, 0].astype(np.int8),
        n_equilibria=eq.count.astype(np.int8),
        degenerate=eq.degenerate,
    )


def _kernel_wanted(backend: str | None, n: int) -> bool:
    if backend is None:
        # Loading numba costs about half a second per process, so the kernel is first
        # loaded by a batch big enough to repay it; once loaded it serves every batch.
        return (n >= KERNEL_MIN_GAMES or "sim.games.kernels" in sys.modules) and use_numba()
    return backend == "numba"


def _select_compiled(
    A: np.ndarray,
    B: np.ndarray,
    rule: str,
    rng: np.random.Generator | None,
    precision: float | np.ndarray,
) -> Selected:
    """:func:`select_equilibrium` through the numba kernel (:mod:`sim.games.kernels`)."""
    from sim.games.kernels import ENTROPY_MARGIN, RULE_CODES, select_kernel

    n = A.shape[0]
    # The same generator call as the NumPy path, so the stream is consumed alike.
    uniforms = rng.random(n) if rule == "random" else np.empty(0)
    row_first, col_first, label, n_equilibria, degenerate, ambiguous = select_kernel(
        np.ascontiguousarray(A), np.ascontiguousarray(B), RULE_CODES[rule], uniforms, ENTROPY_MARGIN
    )
    if rule == "logit_qre":
        from sim.games.qre import logit_qre

        qre = logit_qre(A, B, precision)
        row_first, col_first = qre.row_first, qre.col_first
        label = np.full(n, QRE, dtype=np.int8)
    elif ambiguous.any():
        # max_entropy games whose choice could hinge on the last bit of a logarithm.
        redo = np.flatnonzero(ambiguous)
        oracle = select_equilibrium(A[redo], B[redo], rule=rule, backend="numpy")
        row_first[redo] = oracle.row_first
        col_first[redo] = oracle.col_first
        label[redo] = oracle.label
    return Selected(row_first, col_first, label, n_equilibria, degenerate)


def select_equilibrium(
    row_payoffs: np.ndarray,
    col_payoffs: np.ndarray,
    equilibria: Equilibria2x2 | None = None,
    rule: str = "risk_dominant",
    rng: np.random.Generator | None = None,
    precision: float | np.ndarray = 10.0,
    *,
    backend: str | None = None,
) -> Selected:
    """Solve each 2×2 game (unless ``equilibria`` is given) and pick the profile played.

    ``rule``: see the module docstring.  ``rng`` is needed for ``random``;
    ``precision`` (λ) for ``logit_qre``.  ``backend``: ``"numba"`` (the compiled
    kernel of :mod:`sim.games.kernels`), ``"numpy"`` (the array code below, the
    reference the kernel is tested against) or ``None``: the kernel for
    :data:`KERNEL_MIN_GAMES` games or more, or for any number once the kernel
    is loaded, unless the environment variable ``SIM_NO_NUMBA`` is set (to
    anything but ``0``).  Both give the same results, bit for bit.

    Parameters
    ----------
    row_payoffs, col_payoffs : numpy.ndarray
        The games, shape ``(n, 2, 2)`` (``[game, row action, column action]``);
        one game of shape ``(2, 2)`` is taken as ``n = 1``.
    equilibria : Equilibria2x2, optional
        The games' equilibria, if already solved (:func:`solve_2x2`).
    rule : str, default "risk_dominant"
        ``risk_dominant``, ``payoff_dominant``, ``max_entropy``, ``random`` or
        ``logit_qre``.
    rng : numpy.random.Generator, optional
        The generator for ``random`` (one uniform number per game).
    precision : float or numpy.ndarray, default 10.0
        The logit precision λ for ``logit_qre`` (one, or one per game).
    backend : str, optional
        ``"numba"``, ``"numpy"`` or ``None``, as above.

    Returns
    -------
    Selected
        The profile played in each game.

    Raises
    ------
    ValueError
        For an unknown backend or rule, or ``random`` without ``rng``.
    """
    if backend is not None and backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; expected one of {BACKENDS}")
    A = np.asarray(row_payoffs, dtype=float)
    B = np.asarray(col_payoffs, dtype=float)
    if A.ndim == 2:
        A, B = A[None], B[None]
    if (
        equilibria is None
        and A.ndim == 3
        and A.shape == B.shape
        and A.shape[1:] == (2, 2)
        and rule in _KERNEL_RULES
        and (rule != "random" or rng is not None)
        and _kernel_wanted(backend, A.shape[0])
    ):
        return _select_compiled(A, B, rule, rng, precision)
    eq = equilibria if equilibria is not None else solve_2x2(A, B)
    n = A.shape[0]
    if rule == "logit_qre":
        from sim.games.qre import logit_qre

        qre = logit_qre(A, B, precision)
        return Selected(
            row_first=qre.row_first,
            col_first=qre.col_first,
            label=np.full(n, QRE, dtype=np.int8),
            n_equilibria=eq.count.astype(np.int8),
            degenerate=eq.degenerate,
        )
    valid, row, col, label = _candidates(eq)
    if rule in ("max_entropy", "random"):
        if rule == "max_entropy":
            score = np.where(valid, _entropy(row) + _entropy(col), -np.inf)
            best = score >= score.max(axis=1, keepdims=True) - TIE_TOLERANCE
            choice = np.argmax(best & valid, axis=1)
        else:
            if rng is None:
                raise ValueError("rule 'random' needs a random generator (rng)")
            count = valid.sum(axis=1)
            target = np.floor(rng.random(n) * count).astype(int)  # which valid one
            rank = np.cumsum(valid, axis=1) - 1
            choice = np.argmax(valid & (rank == target[:, None]), axis=1)
        return _pick(valid, row, col, label, choice, eq)
    if rule not in ("risk_dominant", "payoff_dominant"):
        raise ValueError(f"unknown selection rule {rule!r}")

    row_loss = A - A[:, ::-1, :]  # loss of switching rows, >= 0 at an equilibrium
    col_loss = B - B[:, :, ::-1]
    pure = eq.pure.reshape(n, 4)
    risk = np.where(pure, (row_loss * col_loss).reshape(n, 4), -np.inf)
    welfare = np.where(pure, (A + B).reshape(n, 4), -np.inf)
    first, second = (risk, welfare) if rule == "risk_dominant" else (welfare, risk)
    candidates = pure & (first >= first.max(axis=1, keepdims=True) - TIE_TOLERANCE)
    second = np.where(candidates, second, -np.inf)
    candidates &= second >= second.max(axis=1, keepdims=True) - TIE_TOLERANCE
    cell = np.argmax(candidates, axis=1)  # first True
    # No pure equilibrium: the completely mixed one (index 8).
    choice = np.where(pure.any(axis=1), cell, 8)
    return _pick(valid, row, col, label, choice, eq)
