"""Compiled pieces of the daily step: the coalition phase, the equilibrium bookkeeping,
and the strike ladder's daily chores.

The coalition phase -- each state's stay-or-leave decision and troop
movements.  The coalition's arrays are (states, runs); in NumPy a day's coalition phase
is a dozen passes over them with as many temporaries.  These numba kernels do
it in one pass, with the same floating-point operations in the same order, so
results are bit-identical to the NumPy functions of :mod:`sim.engine.agents`
(``participation_terms`` with the ``own`` rule, ``coalition_step``), which
stay as the reference the tests compare them with.  The bookkeeping -- on
how many days each profile was played -- is integer counting.  The ladder's
chores (which runs' inputs changed, the action of a pure strategy, a rung's
value, the casualties' bookkeeping) replace handfuls of NumPy calls on small
axes or fancy-indexed columns; ``tests/test_kernels.py`` compares each with the
NumPy expression it replaces.  ``SIM_NO_NUMBA=1`` uses the NumPy code.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = [
    "casualty_exponents",
    "count_labels",
    "own_rule_stays",
    "pledge_weighted_means",
    "public_good_stays",
    "pure_actions",
    "refresh_changed_rows",
    "rung_values",
    "scale_columns",
    "step_states",
]


@numba.njit(cache=True, error_model="numpy")
def own_rule_stays(
    pledge: np.ndarray,
    support: np.ndarray,
    sensitivity: np.ndarray,
    rate: np.ndarray,
    window: np.ndarray,
    guarantee: np.ndarray,
    scale: np.ndarray,
    risk: np.ndarray,
    viable: np.ndarray,
) -> np.ndarray:
    """``benefit × viable − cost ≥ 0`` per state and run (the ``own`` participation rule).

    ``benefit = support × guarantee``; ``cost = risk × sensitivity ×
    (pledge × rate × window) / scale`` (docs/model.md, "Coalition states").
    ``pledge``, ``support``, ``sensitivity``: (states, runs); the rest per run.
    """
    states, runs = support.shape
    stays = np.empty((states, runs), dtype=np.bool_)
    for i in range(states):
        for k in range(runs):
            benefit = support[i, k] * guarantee[k]
            expected = pledge[i, k] * rate[k] * window[k]
            cost = risk[k] * sensitivity[i, k] * expected / scale[k]
            stays[i, k] = benefit * (1.0 if viable[k] else 0.0) - cost >= 0.0
    return stays


@numba.njit(cache=True, error_model="numpy")
def step_states(
    pledge: np.ndarray,
    committed: np.ndarray,
    deployed: np.ndarray,
    stays: np.ndarray,
    mission: np.ndarray,
    moving: np.ndarray,
    ramp_days: np.ndarray,
    committed_troops: np.ndarray,
    troops_deployed: np.ndarray,
) -> None:
    """Leave (for good) where the mission is under way and the state does not stay; ramp in
    by ``pledge / ramp_days`` a day while moving; withdraw the troops of states that left.

    Updates ``committed`` and ``deployed`` in place, and writes the coalition's
    committed troops and deployed troops per run.  ``pledge``: (states, runs);
    ``ramp_days``: per run.
    """
    states, runs = committed.shape
    for k in range(runs):
        committed_troops[k] = 0.0
        troops_deployed[k] = 0.0
    for i in range(states):
        for k in range(runs):
            stays_in = committed[i, k]
            if mission[k] and stays_in and not stays[i, k]:
                stays_in = False
            committed[i, k] = stays_in
            troops = deployed[i, k]
            if moving[k] and stays_in:
                troops = min(pledge[i, k], troops + pledge[i, k] / ramp_days[k])
            if not stays_in:
                troops = 0.0
            deployed[i, k] = troops
            committed_troops[k] += pledge[i, k] * (1.0 if stays_in else 0.0)
            troops_deployed[k] += troops


@numba.njit(cache=True, error_model="numpy")
def count_labels(
    label_days: np.ndarray,
    most: np.ndarray,
    label: np.ndarray,
    n_equilibria: np.ndarray,
    playing: np.ndarray,
) -> None:
    """Where ``playing``: one more day for the profile ``label`` played, and the most
    equilibria seen.  ``label_days`` (runs, 6) and ``most`` (runs,) in place."""
    for k in range(label.shape[0]):
        if playing[k]:
            label_days[k, label[k]] += 1
            if n_equilibria[k] > most[k]:
                most[k] = n_equilibria[k]


@numba.njit(cache=True, error_model="numpy")
def public_good_stays(
    committed: np.ndarray,
    pledge: np.ndarray,
    benefit: np.ndarray,
    cost: np.ndarray,
    threshold: np.ndarray,
    mission: np.ndarray,
) -> np.ndarray:
    """Best-response withdrawals of the threshold public-good game, in runs where the
    mission is under way (:func:`sim.games.coalition.best_response_withdrawals`,
    operation for operation; arrays (states, runs)).

    Returns ``stays``: still committed after the dynamics, or not committed to
    begin with; True in runs without a mission (where nobody decides).
    ``pledge``: (states, runs).
    """
    states, runs = committed.shape
    stays = np.ones((states, runs), dtype=np.bool_)
    member = np.empty(states, dtype=np.bool_)
    for k in range(runs):
        if not mission[k]:
            continue
        for i in range(states):
            member[i] = committed[i, k]
        theta = threshold[k]
        for _ in range(states):
            # The committed pledges, added in the states' order (as pivotal_states does).
            total = pledge[0, k] if member[0] else 0.0
            for i in range(1, states):
                total += pledge[i, k] if member[i] else 0.0
            leaver = 0
            best = -np.inf
            for i in range(states):
                gain = -np.inf
                if member[i]:
                    pivotal = total >= theta and total - pledge[i, k] < theta
                    gain = cost[i, k] - (benefit[i, k] if pivotal else 0.0)
                if gain > best:
                    best = gain
                    leaver = i
            if not best > 0:
                break
            member[leaver] = False
        for i in range(states):
            stays[i, k] = member[i] or not committed[i, k]
    return stays


@numba.njit(cache=True, error_model="numpy")
def pledge_weighted_means(
    pledge: np.ndarray, committed: np.ndarray, first: np.ndarray, second: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per run, ``Σ π_i c_i x_i / Σ π_i c_i`` of two (states, runs) arrays ``x``, the
    states added in order (:func:`sim.engine.scenario_games.pledge_weighted`, the
    reference); 0 where no state with a pledge is committed."""
    states, runs = pledge.shape
    total = np.zeros(runs)
    out_first = np.zeros(runs)
    out_second = np.zeros(runs)
    # States outer, runs inner: contiguous rows (three times faster than run by run
    # at 30 states), and each run's sums still add the states in order.
    for i in range(states):
        for k in range(runs):
            w = pledge[i, k] * (1.0 if committed[i, k] else 0.0)
            total[k] += w
            out_first[k] += w * first[i, k]
            out_second[k] += w * second[i, k]
    for k in range(runs):
        if total[k] > 0:
            out_first[k] = out_first[k] / total[k]
            out_second[k] = out_second[k] / total[k]
        else:
            out_first[k] = 0.0
            out_second[k] = 0.0
    return out_first, out_second


@numba.njit(cache=True, error_model="numpy")
def refresh_changed_rows(
    state: np.ndarray, cache: np.ndarray, active: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The active runs whose row of ``state`` (runs, m) differs from ``cache`` (NaN
    never equals anything, so a row never cached differs), and whether each had been
    cached before; their rows are copied into ``cache``.  Returns ``(at, cached_before)``."""
    runs, columns = state.shape
    at = np.empty(runs, dtype=np.int64)
    cached_before = np.empty(runs, dtype=np.bool_)
    n = 0
    for k in range(runs):
        if not active[k]:
            continue
        differs = False
        for j in range(columns):
            if state[k, j] != cache[k, j]:
                differs = True
                break
        if differs:
            at[n] = k
            cached_before[n] = not np.isnan(cache[k, 0])
            for j in range(columns):
                cache[k, j] = state[k, j]
            n += 1
    return at[:n], cached_before[:n]


@numba.njit(cache=True, error_model="numpy")
def pure_actions(strategy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``strategy`` (runs, actions): the first action of highest probability,
    and whether the row is mixed (its highest probability is below 1)."""
    runs, actions = strategy.shape
    action = np.empty(runs, dtype=np.int64)
    mixed = np.empty(runs, dtype=np.bool_)
    for k in range(runs):
        best = 0
        for j in range(1, actions):
            if strategy[k, j] > strategy[k, best]:
                best = j
        action[k] = best
        mixed[k] = strategy[k, best] < 1.0
    return action, mixed


@numba.njit(cache=True, error_model="numpy")
def rung_values(rung: np.ndarray, harassment: np.ndarray, limited: np.ndarray) -> np.ndarray:
    """Per run, a rung's value: 0 (comply), ``harassment``, ``limited`` or 1 (major)."""
    out = np.empty(rung.shape[0])
    for k in range(rung.shape[0]):
        r = rung[k]
        out[k] = 0.0 if r == 0 else harassment[k] if r == 1 else limited[k] if r == 2 else 1.0
    return out


@numba.njit(cache=True, error_model="numpy")
def casualty_exponents(
    own: np.ndarray,
    runs: np.ndarray,
    casualties: np.ndarray,
    sensitivity: np.ndarray,
    shared_weight: np.ndarray,
    scale: np.ndarray,
) -> np.ndarray:
    """The first half of :func:`sim.engine.agents.absorb_casualties`, operation for operation:
    adds ``own`` (states, len(runs)) to ``casualties`` at columns ``runs`` and returns
    ``−sensitivity × felt / scale`` there (NumPy takes its exponential, so that the
    bits are NumPy's)."""
    states, n = own.shape
    # States outer, runs inner (rows are contiguous); each run's coalition total still
    # adds the states in order.
    coalition = np.zeros(n)
    for i in range(states):
        for t in range(n):
            coalition[t] += own[i, t]
    exponent = np.empty((states, n))
    for i in range(states):
        for t in range(n):
            k = runs[t]
            casualties[i, k] += own[i, t]
            felt = own[i, t] + shared_weight[k] * (coalition[t] - own[i, t])
            exponent[i, t] = -sensitivity[i, k] * felt / scale[k]
    return exponent


@numba.njit(cache=True, error_model="numpy")
def scale_columns(values: np.ndarray, runs: np.ndarray, factor: np.ndarray) -> None:
    """``values[:, runs] *= factor`` in place (``factor``: (rows, len(runs)))."""
    for i in range(values.shape[0]):
        for t in range(runs.shape[0]):
            values[i, runs[t]] *= factor[i, t]
