"""Subgame-perfect play of a 2×2 game when one player moves first, by backward induction.

The leader chooses an action; the follower sees it and best-responds; the
leader, anticipating the follower's replies, chooses the action whose induced
outcome pays it most (backward induction: Selten, "Spieltheoretische
Behandlung eines Oligopolmodells mit Nachfrageträgheit", 1965; Osborne &
Rubinstein, *A Course in Game Theory*, 1994, ch. 6; von Stackelberg, 1934).
Moving first can be worth something -- the **value of commitment**: a
tripwire force is a first move that leaves the last clear chance to avoid
war to the other side (Schelling, *The Strategy of Conflict*, 1960) -- and a
public threat, committed to before the other moves, can deter.

* :func:`backward_induction` -- one subgame-perfect equilibrium of each of
  ``n`` games at once (vectorised), chosen by a stated convention for ties: a
  follower indifferent between its replies takes the one better for the
  leader (favourable tie-breaking, as in a "strong Stackelberg" equilibrium),
  then its first action; a leader indifferent between its actions takes its
  first.
* :func:`subgame_perfect_equilibria` -- every pure subgame-perfect
  equilibrium of one game: every best-reply strategy of the follower (ties
  give several) with every best action of the leader against it.  Never empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from sim.games.two_by_two import TIE_TOLERANCE

__all__ = ["SPE", "SequentialPlay", "backward_induction", "subgame_perfect_equilibria"]

Leader = Literal["row", "col"]


@dataclass(frozen=True)
class SequentialPlay:
    """One subgame-perfect equilibrium of each of ``n`` games (arrays over games)."""

    leader: str
    follower_reply: np.ndarray  # (n, 2): the follower's action after each leader action
    leader_action: np.ndarray  # (n,)
    row_action: np.ndarray  # (n,): the path's cell
    col_action: np.ndarray
    row_payoff: np.ndarray  # (n,): payoffs on the path
    col_payoff: np.ndarray


@dataclass(frozen=True)
class SPE:
    """One pure subgame-perfect equilibrium of one game."""

    leader_action: int
    follower_reply: tuple[int, int]
    path: tuple[int, int]
    row_payoff: float
    col_payoff: float


def _oriented(row_payoffs, col_payoffs, leader: Leader) -> tuple[np.ndarray, np.ndarray]:
    """(leader payoffs, follower payoffs), indexed [game, leader action, follower action]."""
    A = np.asarray(row_payoffs, dtype=float)
    B = np.asarray(col_payoffs, dtype=float)
    if A.shape != B.shape or A.shape[-2:] != (2, 2):
        raise ValueError(f"expected two arrays of shape (n, 2, 2), got {A.shape} and {B.shape}")
    if leader not in ("row", "col"):
        raise ValueError(f"leader must be 'row' or 'col', got {leader!r}")
    if A.ndim == 2:
        A, B = A[None], B[None]
    if leader == "row":
        return A, B
    return np.swapaxes(B, 1, 2), np.swapaxes(A, 1, 2)


def backward_induction(row_payoffs, col_payoffs, leader: Leader) -> SequentialPlay:
    """One subgame-perfect equilibrium of each game when ``leader`` moves first."""
    L, F = _oriented(row_payoffs, col_payoffs, leader)
    n = L.shape[0]
    games = np.arange(n)
    # Follower's reply to each leader action: the better one for itself; when it is
    # indifferent, the better one for the leader; then its first action.
    follower_gain = F[:, :, 1] - F[:, :, 0]  # (n, 2): gain of its second action
    leader_gain = L[:, :, 1] - L[:, :, 0]
    tie = np.abs(follower_gain) <= TIE_TOLERANCE
    reply = np.where(tie, leader_gain > TIE_TOLERANCE, follower_gain > 0).astype(np.int8)
    induced = np.take_along_axis(L, reply[:, :, None].astype(int), axis=2)[:, :, 0]  # (n, 2)
    first = (induced[:, 1] - induced[:, 0] > TIE_TOLERANCE).astype(np.int8)
    second = reply[games, first]
    leader_payoff = L[games, first, second]
    follower_payoff = F[games, first, second]
    if leader == "row":
        row_action, col_action = first, second
        row_payoff, col_payoff = leader_payoff, follower_payoff
    else:
        row_action, col_action = second, first
        row_payoff, col_payoff = follower_payoff, leader_payoff
    return SequentialPlay(
        leader=leader,
        follower_reply=reply,
        leader_action=first,
        row_action=row_action,
        col_action=col_action,
        row_payoff=row_payoff,
        col_payoff=col_payoff,
    )


def subgame_perfect_equilibria(row_payoffs, col_payoffs, leader: Leader) -> list[SPE]:
    """Every pure subgame-perfect equilibrium of one 2×2 game with ``leader`` first."""
    L, F = (x[0] for x in _oriented(row_payoffs, col_payoffs, leader))
    best_replies = [[b for b in (0, 1) if F[a, b] >= F[a].max() - TIE_TOLERANCE] for a in (0, 1)]
    found: list[SPE] = []
    for reply_to_first in best_replies[0]:
        for reply_to_second in best_replies[1]:
            reply = (reply_to_first, reply_to_second)
            induced = [L[a, reply[a]] for a in (0, 1)]
            for a in (0, 1):
                if induced[a] < max(induced) - TIE_TOLERANCE:
                    continue
                b = reply[a]
                path = (a, b) if leader == "row" else (b, a)
                payoffs = (L[a, b], F[a, b]) if leader == "row" else (F[a, b], L[a, b])
                found.append(SPE(a, reply, path, float(payoffs[0]), float(payoffs[1])))
    return found
