"""The coalition as a threshold public good and as a weighted voting game.

Each coalition state ``i`` pledges ``π_i`` troops; the force works only if the
committed troops reach the threshold ``θ`` (the scenario's
``minimum_viable_force``).  That is a threshold public good (Olson &
Zeckhauser, "An Economic Theory of Alliances", *Review of Economics and
Statistics* 48, 1966; Palfrey & Rosenthal, "Participation and the provision of
discrete public goods", *Journal of Public Economics* 24, 1984).  State ``i``
contributes (1) or withholds (0); with ``S`` the contributors,

    u_i(S) = b_i · [Σ_{j∈S} π_j ≥ θ] − c_i · [i ∈ S],

the benefit ``b_i`` being public (every state gets it if the force is viable)
and the cost ``c_i`` private.  State ``i`` is *pivotal* in ``S`` when ``S``
reaches ``θ`` and ``S`` without ``i`` does not.  This module computes:

* :func:`power_indices` -- who is pivotal how often, in the weighted voting game
  ``[θ; π_1, …, π_n]``: the Banzhaf index (Banzhaf, "Weighted voting doesn't
  work", *Rutgers Law Review* 19, 1965), raw (the share of the ``2^(n-1)``
  coalitions of the others in which ``i`` swings) and normalised, and the
  Shapley–Shubik index (Shapley & Shubik, "A method for evaluating the
  distribution of power in a committee system", *American Political Science
  Review* 48, 1954), ``φ_i = Σ_S |S|! (n−|S|−1)! / n!`` over the coalitions
  ``S`` of the others in which ``i`` swings.  Both exactly, from the number of
  swing coalitions of each size, counted either by the generating-function
  dynamic programme over (size, weight) with weights at or above ``θ`` dropped
  (Mann & Shapley, "Values of large games VI", RAND RM-3158, 1962; Matsui &
  Matsui, "A survey of algorithms for calculating power indices of weighted
  majority games", *J. Oper. Res. Soc. Japan* 43, 2000), or by splitting the
  other states into two halves, enumerating each half's subsets and counting
  the matching pairs by binary search (Horowitz & Sahni, "Computing partitions
  with applications to the knapsack problem", *J. ACM* 21, 1974).  The first
  costs ``O(n² θ)``, the second ``O(n³ 2^(n/2))`` and does not depend on ``θ``;
  the cheaper one is used.

* :func:`threshold_equilibria` -- every pure Nash equilibrium of the threshold
  game, by enumerating the ``2^n`` profiles.  A contributing state gains
  ``c_i − b_i · pivotal_i`` by withholding and a withholding one gains
  ``b_i · pivotal_i − c_i`` by contributing (pivotal: its switch decides
  viability); a profile is an equilibrium when no state gains strictly.  With
  all ``c_i > 0``, ``b_i ≥ 0`` and ``θ > 0`` the equilibria are exactly
  (cf. Palfrey & Rosenthal 1984):

  - the empty profile, unless some state could reach ``θ`` alone and strictly
    prefers doing so (``π_i ≥ θ`` and ``b_i > c_i``);
  - every minimal winning coalition (it reaches ``θ``, and every member is
    pivotal) whose members all have ``b_i ≥ c_i``.

  A non-empty losing coalition is no equilibrium (its members pay for
  nothing), nor is a winning one with a member who is not pivotal (a free
  rider saving ``c_i``).  The test-suite checks this.

* :func:`best_response_withdrawals` -- the states that leave, one at a time, by
  best-response dynamics, in many Monte Carlo runs at once; and
  :func:`pivotal_states`, who is pivotal in each run's committed force.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

__all__ = [
    "PowerIndices",
    "ThresholdEquilibria",
    "best_response_withdrawals",
    "pivotal_states",
    "power_indices",
    "threshold_equilibria",
]

# Swing counts are exact int64 counts of subsets, at most C(n, n/2) < 2^62 for n ≤ 62.
MAX_POWER_STATES = 62


@dataclass(frozen=True)
class PowerIndices:
    """Power indices of the weighted voting game ``[θ; π_1, …, π_n]``, one value per state.

    ``banzhaf_raw[i]`` is the probability that ``i`` swings when each other state
    joins with probability 1/2; ``banzhaf`` is it normalised to sum to 1 (all
    zeros when no state is ever pivotal, e.g. when all pledges together fall
    short).  ``shapley_shubik`` sums to 1 when the grand coalition reaches
    ``θ`` (and is all zeros otherwise).  ``pivotal_in_full[i]``: all states
    together reach ``θ`` and all but ``i`` do not (``i`` has a veto).
    """

    banzhaf: np.ndarray
    banzhaf_raw: np.ndarray
    shapley_shubik: np.ndarray
    pivotal_in_full: np.ndarray


@dataclass(frozen=True)
class ThresholdEquilibria:
    """All pure Nash equilibria of one threshold public-good game.

    Row ``k`` is one equilibrium: ``profiles[k, i]`` is True when state ``i``
    contributes; ``total_troops[k]`` is what the contributors pledge;
    ``reaches_threshold[k]`` whether that is at least ``θ``; ``pivotal[k, i]``
    whether contributor ``i`` is pivotal; ``minimal_winning[k]`` whether the
    contributors reach ``θ`` and every one of them is pivotal.  Rows are in the
    order of the profile read as a binary number with state ``i`` as bit ``i``
    (so the empty profile, if it is an equilibrium, comes first).
    """

    profiles: np.ndarray
    total_troops: np.ndarray
    reaches_threshold: np.ndarray
    pivotal: np.ndarray
    minimal_winning: np.ndarray

    @property
    def count(self) -> int:
        """Number of pure equilibria."""
        return int(self.profiles.shape[0])


# ---------------------------------------------------------------------------
# Power indices
# ---------------------------------------------------------------------------


def _integer_pledges(pledges: np.ndarray | list[float]) -> np.ndarray:
    values = np.asarray(pledges, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"pledges must be a non-empty 1-D array, got shape {values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError("pledges must be finite")
    if np.any(values < 0):
        raise ValueError(f"pledges must be non-negative troop numbers, got {values.min():g}")
    if np.any(values != np.round(values)):
        raise ValueError("pledges must be whole numbers of troops for exact power indices")
    return values.astype(np.int64)


def _swings_by_dynamic_programme(weights: np.ndarray, quota: int) -> np.ndarray:
    """``swings[i, k]``: coalitions ``S`` of the others with ``|S| = k`` in which ``i`` swings.

    ``counts[k, w]`` is the number of coalitions of all states with ``k``
    members and weight ``w < quota`` (heavier ones never matter: ``i`` swings
    only in a coalition that falls short without it).  The coalitions without
    ``i`` follow by undoing ``i``'s step of the programme:
    ``counts[k, w] = without[k, w] + without[k−1, w − w_i]``.
    """
    n = weights.size
    counts = np.zeros((n + 1, quota), dtype=np.int64)
    counts[0, 0] = 1
    for w in weights:
        if w < quota:
            # Coalitions with one more member, w heavier; the copy keeps this step's
            # inputs apart from its outputs.
            counts[1:, w:] += counts[:-1, : quota - w].copy()
    swings = np.zeros((n, n), dtype=np.int64)
    for i, w in enumerate(weights):
        if w == 0:
            continue  # a state with no troops never decides anything
        without = counts[0].copy()
        for k in range(n):
            if k > 0:
                row = counts[k].copy()
                if w < quota:
                    row[w:] -= without[: quota - w]
                without = row
            swings[i, k] = without[max(quota - w, 0) :].sum()
    return swings


def _subset_sums(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weight and size of every subset of ``weights`` (subset ``s`` holds item ``j`` if bit j)."""
    membership = (np.arange(2**weights.size)[:, None] >> np.arange(weights.size)) & 1
    return membership @ weights, membership.sum(axis=1)


def _swings_by_splitting(weights: np.ndarray, quota: int) -> np.ndarray:
    """The same counts as :func:`_swings_by_dynamic_programme`, by meeting in the middle.

    The others are split into two halves; a coalition is a pair (left subset,
    right subset), and ``i`` swings when the pair's weight lies in
    ``[quota − w_i, quota)``.  For each size of the right subset, the right
    weights are sorted and the matching ones counted for all left subsets at
    once by binary search.
    """
    n = weights.size
    swings = np.zeros((n, n), dtype=np.int64)
    for i, w in enumerate(weights):
        if w == 0:
            continue
        others = np.delete(weights, i)
        left_sums, left_sizes = _subset_sums(others[: others.size // 2])
        right_sums, right_sizes = _subset_sums(others[others.size // 2 :])
        for size in range(right_sizes.max() + 1):
            right = np.sort(right_sums[right_sizes == size])
            matching = np.searchsorted(right, quota - left_sums, side="left") - np.searchsorted(
                right, quota - w - left_sums, side="left"
            )
            np.add.at(swings[i], left_sizes + size, matching)
    return swings


def power_indices(
    pledges: np.ndarray | list[float],
    threshold: float,
    method: Literal["auto", "dynamic", "split"] = "auto",
) -> PowerIndices:
    """Exact Banzhaf and Shapley–Shubik indices of the weighted voting game ``[θ; π]``.

    ``pledges`` are non-negative whole numbers of troops (one per state) and
    ``threshold`` (``θ``) is positive.  ``method`` chooses how swing coalitions
    are counted: ``"dynamic"`` (the dynamic programme over size and weight,
    ``O(n² θ)``), ``"split"`` (subset enumeration meeting in the middle,
    ``O(n³ 2^(n/2))``), or ``"auto"``, the cheaper of the two; the results are
    identical.  Pledges are first divided by their greatest common divisor
    (with ``θ`` rounded up accordingly), which changes no coalition's outcome.
    """
    weights = _integer_pledges(pledges)
    if not (np.isfinite(threshold) and threshold > 0):
        raise ValueError(f"threshold must be a positive number of troops, got {threshold}")
    n = weights.size
    if n > MAX_POWER_STATES:
        raise ValueError(f"exact power indices need at most {MAX_POWER_STATES} states, got {n}")
    if method not in ("auto", "dynamic", "split"):
        raise ValueError(f"method must be 'auto', 'dynamic' or 'split', got {method!r}")

    # Sums of whole troops reach θ exactly when they reach ⌈θ⌉.
    quota = math.ceil(threshold)
    total = int(weights.sum())
    pivotal_in_full = (total >= quota) & (total - weights < quota)

    divisor = int(np.gcd.reduce(weights))
    if divisor == 0:  # nobody pledges anything, so nobody ever swings
        swings = np.zeros((n, n), dtype=np.int64)
    else:
        reduced_quota = -(-quota // divisor)
        # A weight at or above the quota wins alone; capping it there changes no
        # coalition's outcome and keeps the sums small.
        reduced = np.minimum(weights // divisor, reduced_quota)
        if method == "auto":
            # Operation counts, the enumeration's scaled by its measured ~8× lower cost
            # per operation (whole-array binary searches against row-by-row updates).
            dynamic_work = n * n * reduced_quota
            split_work = n**3 * 2 ** ((n + 1) // 2) // 8
            method = "dynamic" if dynamic_work <= split_work else "split"
        if method == "dynamic":
            swings = _swings_by_dynamic_programme(reduced, reduced_quota)
        else:
            swings = _swings_by_splitting(reduced, reduced_quota)

    total_swings = swings.sum(axis=1)
    banzhaf_raw = total_swings / 2.0 ** (n - 1)
    all_swings = total_swings.sum()
    banzhaf = total_swings / all_swings if all_swings > 0 else np.zeros(n)
    # |S|! (n − |S| − 1)! / n! = 1 / (n · C(n − 1, |S|)): the chance that, in a random
    # order, exactly the members of S come before i.
    order_weights = np.array([1.0 / (n * math.comb(n - 1, k)) for k in range(n)])
    shapley_shubik = swings @ order_weights
    return PowerIndices(
        banzhaf=banzhaf,
        banzhaf_raw=banzhaf_raw,
        shapley_shubik=shapley_shubik,
        pivotal_in_full=pivotal_in_full,
    )


# ---------------------------------------------------------------------------
# The threshold game
# ---------------------------------------------------------------------------


def _pledge_vector(pledges: np.ndarray | list[float]) -> np.ndarray:
    values = np.asarray(pledges, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"pledges must be a 1-D array (one per state), got shape {values.shape}")
    if np.any(values < 0):
        raise ValueError(f"pledges must be non-negative troop numbers, got {values.min():g}")
    return values


def threshold_equilibria(
    pledges: np.ndarray | list[float],
    benefits: np.ndarray | list[float],
    costs: np.ndarray | list[float],
    threshold: float,
    max_states: int = 20,
) -> ThresholdEquilibria:
    """Every pure Nash equilibrium of the threshold game at one parameter point.

    ``pledges``, ``benefits`` and ``costs`` have one entry per state.  All
    ``2^n`` profiles are checked at once (vectorised over profiles, a loop over
    states), so ``n`` may not exceed ``max_states``.  Ties go to no move: a
    state indifferent between switching and not does not switch.
    """
    pledge = _pledge_vector(pledges)
    benefit = np.asarray(benefits, dtype=float)
    cost = np.asarray(costs, dtype=float)
    n = pledge.size
    if benefit.shape != (n,) or cost.shape != (n,):
        raise ValueError(
            f"benefits and costs need shape ({n},) like pledges, "
            f"got {benefit.shape} and {cost.shape}"
        )
    if n > max_states:
        raise ValueError(
            f"{n} states means 2^{n} profiles to enumerate; the limit is max_states={max_states}"
        )

    codes = np.arange(2**n, dtype=np.int64)
    member = [((codes >> i) & 1).astype(bool) for i in range(n)]
    total = np.zeros(codes.size)
    for i in range(n):
        total += np.where(member[i], pledge[i], 0.0)

    stable = np.ones(codes.size, dtype=bool)
    for i in range(n):
        without = total - np.where(member[i], pledge[i], 0.0)
        decides = (without + pledge[i] >= threshold) & (without < threshold)
        value_of_deciding = np.where(decides, benefit[i], 0.0)
        # In: withholding saves c_i and loses b_i if i decides.  Out: the reverse.
        stays = np.where(member[i], cost[i] <= value_of_deciding, value_of_deciding <= cost[i])
        stable &= stays

    profiles = np.stack(member, axis=1)[stable] if n else np.zeros((1, 0), dtype=bool)
    total_troops = total[stable]
    reaches = total_troops >= threshold
    pivotal = profiles & reaches[:, None] & (total_troops[:, None] - pledge < threshold)
    minimal_winning = reaches & (pivotal == profiles).all(axis=1)
    return ThresholdEquilibria(
        profiles=profiles,
        total_troops=total_troops,
        reaches_threshold=reaches,
        pivotal=pivotal,
        minimal_winning=minimal_winning,
    )


def _run_pledges(pledges: np.ndarray | list[float], committed: np.ndarray) -> np.ndarray:
    """Pledges one per state ``(n,)``, or one per run and state ``(R, n)``, checked
    against ``committed`` ``(R, n)``."""
    values = np.asarray(pledges, dtype=float)
    n = values.shape[-1] if values.ndim else 0
    if committed.ndim != 2 or committed.shape[1] != n:
        raise ValueError(f"committed must have shape (runs, {n}), got {committed.shape}")
    if values.ndim == 2 and values.shape != committed.shape:
        raise ValueError(f"per-run pledges must have shape {committed.shape}, got {values.shape}")
    if values.ndim == 1:
        return _pledge_vector(values)
    if values.ndim != 2:
        raise ValueError(f"pledges must be (states,) or (runs, states), got shape {values.shape}")
    if np.any(values < 0):
        raise ValueError(f"pledges must be non-negative troop numbers, got {values.min():g}")
    return values


def pivotal_states(
    committed: np.ndarray, pledges: np.ndarray | list[float], threshold: float | np.ndarray
) -> np.ndarray:
    """``(R, n)`` bool: committed states whose withdrawal would leave the force short of ``θ``.

    ``committed`` is ``(R, n)`` bool (run × state); ``pledges`` one per state
    ``(n,)`` or one per run and state ``(R, n)``; ``threshold`` is one number
    or one per run.  A state is pivotal only in a run whose committed force
    reaches ``θ``.
    """
    committed = np.asarray(committed, dtype=bool)
    pledge = _run_pledges(pledges, committed)
    counted = np.where(committed, pledge, 0.0)
    # Added state by state, in the states' order: ``sum(axis=1)`` may add pairwise or
    # not depending on the array's layout and on how many runs there are.
    total = counted[:, 0].copy()
    for j in range(1, counted.shape[1]):
        total += counted[:, j]
    # One threshold for every run, or one per run.
    theta = np.asarray(threshold, dtype=float)
    theta = theta[:, None] if theta.ndim == 1 else theta
    return committed & (total[:, None] >= theta) & (total[:, None] - pledge < theta)


def best_response_withdrawals(
    committed: np.ndarray,
    pledges: np.ndarray | list[float],
    benefits: np.ndarray,
    costs: np.ndarray,
    threshold: float | np.ndarray,
) -> np.ndarray:
    """Best-response dynamics of the committed states, in ``R`` runs at once.

    ``committed`` is ``(R, n)`` bool; ``pledges`` ``(n,)`` or ``(R, n)``; ``benefits`` and
    ``costs`` ``(R, n)`` (or anything that broadcasts to it); ``threshold`` one
    number or one per run.  Each round, a
    committed state's gain from withdrawing is ``c_i − b_i · pivotal_i``, with
    ``pivotal_i`` judged against the other states committed at that moment;
    the state with the largest strictly positive gain withdraws (ties: the
    lowest index), and everyone reconsiders.  Withdrawn states do not come
    back: in the model a state that leaves leaves for good.  Since every round
    removes a state or ends the dynamics, ``n`` rounds suffice.

    Returns the committed array after the dynamics (a new array).  In every
    run, no state still committed gains by withdrawing: the result is a Nash
    equilibrium of the threshold game restricted to the states still committed
    (those that left might want to rejoin; they are not allowed to).
    """
    committed = np.array(committed, dtype=bool)  # a copy: the input is not changed
    pledge = _run_pledges(pledges, committed)
    try:
        benefit = np.broadcast_to(np.asarray(benefits, dtype=float), committed.shape)
        cost = np.broadcast_to(np.asarray(costs, dtype=float), committed.shape)
    except ValueError:
        raise ValueError(
            f"benefits and costs must broadcast to committed's shape {committed.shape}, "
            f"got {np.shape(benefits)} and {np.shape(costs)}"
        ) from None

    runs = np.arange(committed.shape[0])
    for _ in range(committed.shape[1]):
        pivotal = pivotal_states(committed, pledge, threshold)
        gain = np.where(committed, cost - np.where(pivotal, benefit, 0.0), -np.inf)
        leaver = np.argmax(gain, axis=1)  # the first maximum: ties go to the lowest index
        leaves = gain[runs, leaver] > 0
        if not leaves.any():
            break
        committed[runs[leaves], leaver[leaves]] = False
    return committed
