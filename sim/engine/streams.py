"""Counter-based random numbers: a run's draw depends on (seed, run, purpose, day) only.

Every random number in the model is a function of its coordinates, not of
how many numbers were drawn before it:

* the **key** is the purpose's: ``purpose_key(seed, name)`` is two 64-bit
  words from ``numpy.random.SeedSequence(seed, spawn_key=(crc32(name),))``
  (the construction ``SeedSequence.spawn`` uses, with the name's CRC-32 in
  place of a child counter), so every purpose -- a parameter's draw, Russia's
  strikes, talks, detection... -- has its own independent stream;
* the **counter** is ``(run, day + 1, slot, block)``: ``run`` is the run's
  index in the whole batch (below 2**32), ``day + 1`` is 0 for what is drawn before the
  first day (parameters, the US's type), ``slot`` separates draws of one
  purpose on one day (a coalition state's casualties, a game's selection),
  ``block`` numbers further blocks an algorithm may need (Poisson rejection);
* the generator is **Philox4x32-10** (Salmon, Moraes, Dror & Shaw, "Parallel
  random numbers: as easy as 1, 2, 3", SC'11), checked in the tests against
  Random123's published known-answer vectors.  One block gives four 32-bit
  words; a uniform number takes the top 52 bits of two of them,
  ``(bits + 0.5) / 2**52``, which lies strictly inside (0, 1): ``u < p`` is
  never true for ``p = 0`` and always for ``p = 1``, and inverse CDFs stay
  finite.  (The 32-bit variant is used because it is about three times as
  fast as NumPy's Philox4x64 without 128-bit multiplication.)

So a run's numbers are the same whatever chunk, worker or vectorisation width
it is simulated in, whether it runs alone or in a batch of a million, and
whatever else the scenario draws: scenarios that share a purpose share its
numbers (common random numbers for paired comparisons).

No library evaluates Philox at many counters at once from NumPy (NumPy's
``Philox`` is a sequential stream), so the block function is written here
twice: compiled with numba (used by the model) and in NumPy (the test
oracle; used for uniforms when ``SIM_NO_NUMBA=1``).  Poisson counts are
compiled only.
"""

from __future__ import annotations

import math
import zlib

import numba
import numpy as np

from sim.compiled import use_numba

__all__ = [
    "MAX_RUNS",
    "RunStreams",
    "bernoulli",
    "philox_blocks",
    "poisson",
    "purpose_key",
    "replicate_seed",
    "uniforms",
]

_MASK32 = np.uint64(0xFFFFFFFF)
_M0 = np.uint64(0xD2511F53)
_M1 = np.uint64(0xCD9E8D57)
_W0 = np.uint64(0x9E3779B9)
_W1 = np.uint64(0xBB67AE85)
_S32 = np.uint64(32)
_S12 = np.uint64(12)
_ROUNDS = 10
_HALF = 0.5
_TO_UNIT = 2.0**-52
#: Run indices must fit the counter's 32-bit run word.
MAX_RUNS = 2**32


def purpose_key(seed: int, name: str) -> np.ndarray:
    """The Philox key (two 32-bit words, held as uint64) of purpose ``name`` under ``seed``."""
    sequence = np.random.SeedSequence(int(seed), spawn_key=(zlib.crc32(name.encode("utf-8")),))
    return sequence.generate_state(2, np.uint32).astype(np.uint64)


# --------------------------------------------------------------------- compiled


@numba.njit(cache=True, inline="always", error_model="numpy")
def _block(k0, k1, c0, c1, c2, c3):
    """Philox4x32-10 of counter (c0, c1, c2, c3) under key (k0, k1).

    Every word is a 32-bit value held in a uint64, so the 32 x 32-bit products
    are exact.
    """
    for r in range(_ROUNDS):
        if r > 0:
            k0 = (k0 + _W0) & _MASK32
            k1 = (k1 + _W1) & _MASK32
        p0 = _M0 * c0
        p1 = _M1 * c2
        c0, c1, c2, c3 = (p1 >> _S32) ^ c1 ^ k0, p1 & _MASK32, (p0 >> _S32) ^ c3 ^ k1, p0 & _MASK32
    return c0, c1, c2, c3


@numba.njit(cache=True, inline="always", error_model="numpy")
def _unit(hi, lo):
    """A uniform number in (0, 1) from two 32-bit words: their top 52 bits, centred.

    ``(k + 0.5) / 2**52`` is exact in double precision for every 52-bit ``k``,
    so the numbers lie in [2**-53, 1 - 2**-53] (53 bits would round the top
    value up to 1.0).
    """
    return (np.float64(((hi << _S32) | lo) >> _S12) + _HALF) * _TO_UNIT


@numba.njit(cache=True, error_model="numpy")
def _uniforms_compiled(key, runs, c1, c2, c3):
    out = np.empty(runs.shape[0])
    for i in range(runs.shape[0]):
        w = _block(key[0], key[1], runs[i], c1, c2, c3)
        out[i] = _unit(w[0], w[1])
    return out


@numba.njit(cache=True, error_model="numpy")
def _blocks_compiled(key, runs, c1, c2, c3):
    out = np.empty((runs.shape[0], 4), dtype=np.uint64)
    for i in range(runs.shape[0]):
        w = _block(key[0], key[1], runs[i], c1, c2, c3)
        out[i, 0] = w[0]
        out[i, 1] = w[1]
        out[i, 2] = w[2]
        out[i, 3] = w[3]
    return out


@numba.njit(cache=True, error_model="numpy")
def _poisson_one(k0, k1, run, c1, slot, lam):
    """One Poisson(lam) count from the blocks (run, c1, slot, 0), (run, c1, slot, 1), ...

    lam < 10: inversion by sequential search with one uniform; lam >= 10: Hörmann's
    PTRS transformed rejection ("The transformed rejection method for generating
    Poisson random variables", Insurance: Mathematics and Economics 12, 1993), the
    algorithm NumPy uses for large means, two uniforms per trial.
    """
    if not lam > 0.0:  # zero, negative or NaN: no casualties (NaN would never end PTRS)
        return 0.0
    if lam < 10.0:
        w = _block(k0, k1, run, c1, slot, np.uint64(0))
        u = _unit(w[0], w[1])
        p = np.exp(-lam)
        cumulative = p
        x = 0
        while u > cumulative:
            x += 1
            p *= lam / x
            grown = cumulative + p
            if grown == cumulative:  # the rounded CDF has stopped below u: the tail is empty
                break
            cumulative = grown
        return np.float64(x)
    slam = np.sqrt(lam)
    loglam = np.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    block = 0
    while True:
        w = _block(k0, k1, run, c1, slot, np.uint64(block))
        block += 1
        u = _unit(w[0], w[1]) - 0.5
        v = _unit(w[2], w[3])
        us = 0.5 - abs(u)
        k = np.floor((2 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        if (np.log(v) + np.log(invalpha) - np.log(a / (us * us) + b)) <= (
            -lam + k * loglam - math.lgamma(k + 1.0)
        ):
            return k


@numba.njit(cache=True, error_model="numpy")
def _poisson_compiled(key, runs, c1, slot, lam):
    out = np.zeros(runs.shape[0])
    for i in range(runs.shape[0]):
        out[i] = _poisson_one(key[0], key[1], runs[i], c1, slot, lam[i])
    return out


@numba.njit(cache=True, error_model="numpy")
def _poisson_states_compiled(key, runs, c1, lam):
    """``lam``: (states, runs); state i's count uses slot i, as one call per state would."""
    out = np.zeros(lam.shape)
    for i in range(lam.shape[0]):
        for k in range(runs.shape[0]):
            out[i, k] = _poisson_one(key[0], key[1], runs[k], c1, np.uint64(i), lam[i, k])
    return out


@numba.njit(cache=True, error_model="numpy")
def _bernoulli_compiled(key, runs, c1, probability, where, use_where, scalar):
    """``probability``: one per run, or (``scalar``) one for all, in ``probability[0]``."""
    out = np.zeros(runs.shape[0], dtype=np.bool_)
    for i in range(runs.shape[0]):
        if use_where and not where[i]:
            continue
        p = probability[0] if scalar else probability[i]
        if p >= 1.0:
            out[i] = True
        elif p > 0.0:
            w = _block(key[0], key[1], runs[i], c1, np.uint64(0), np.uint64(0))
            out[i] = _unit(w[0], w[1]) < p
    return out


# --------------------------------------------------------------------- NumPy oracle


def _blocks_numpy(key, runs, c1, c2, c3) -> np.ndarray:
    n = runs.shape[0]
    c = [runs.astype(np.uint64), *(np.full(n, x, dtype=np.uint64) for x in (c1, c2, c3))]
    k0, k1 = np.uint64(key[0]), np.uint64(key[1])
    for r in range(_ROUNDS):
        if r > 0:
            k0, k1 = (k0 + _W0) & _MASK32, (k1 + _W1) & _MASK32
        p0, p1 = _M0 * c[0], _M1 * c[2]
        c = [(p1 >> _S32) ^ c[1] ^ k0, p1 & _MASK32, (p0 >> _S32) ^ c[3] ^ k1, p0 & _MASK32]
    return np.stack(c, axis=1)


# --------------------------------------------------------------------- public


_NO_MASK = np.ones(1, dtype=bool)


def _counter(day: int) -> np.uint64:
    return np.uint64(day + 1)


def philox_blocks(
    key: np.ndarray, runs: np.ndarray, day: int, slot: int = 0, block: int = 0
) -> np.ndarray:
    """Philox4x32-10 blocks at counters ``(run, day + 1, slot, block)``, shape (len(runs), 4).

    Each word is a 32-bit value (dtype uint64).
    """
    runs = np.ascontiguousarray(runs, dtype=np.uint64)
    args = (key, runs, _counter(day), np.uint64(slot), np.uint64(block))
    return _blocks_compiled(*args) if use_numba() else _blocks_numpy(*args)


def uniforms(key: np.ndarray, runs: np.ndarray, day: int, slot: int = 0) -> np.ndarray:
    """One uniform number in (0, 1) per run, from words 0-1 of block ``(run, day + 1, slot, 0)``.

    ``day = -1`` is for what is drawn before the first day.
    """
    runs = np.ascontiguousarray(runs, dtype=np.uint64)
    if use_numba():
        return _uniforms_compiled(key, runs, _counter(day), np.uint64(slot), np.uint64(0))
    words = _blocks_numpy(key, runs, _counter(day), np.uint64(slot), np.uint64(0))
    top = ((words[:, 0] << _S32) | words[:, 1]) >> _S12
    return (top.astype(np.float64) + _HALF) * _TO_UNIT


def poisson(key: np.ndarray, runs: np.ndarray, day: int, slot: int, lam: np.ndarray) -> np.ndarray:
    """One Poisson(``lam[i]``) count per run (floats), from blocks ``(run, day + 1, slot, *)``."""
    runs = np.ascontiguousarray(runs, dtype=np.uint64)
    lam = np.ascontiguousarray(lam, dtype=np.float64)
    return _poisson_compiled(key, runs, _counter(day), np.uint64(slot), lam)


def bernoulli(
    key: np.ndarray,
    runs: np.ndarray,
    day: int,
    probability: np.ndarray | float,
    where: np.ndarray | None = None,
) -> np.ndarray:
    """Per run: ``uniforms(key, runs, day) < probability``, and False outside ``where``.

    The number is computed only where the outcome is uncertain (0 < p < 1)
    and ``where`` holds: counter-based numbers make skipping the others
    harmless.  p >= 1 is always True, p <= 0 (or NaN) never.
    """
    runs = np.ascontiguousarray(runs, dtype=np.uint64)
    p = np.asarray(probability, dtype=float)
    if use_numba():
        # A single probability goes in as it is (broadcasting it costs more than the draws).
        scalar = p.ndim == 0
        if scalar:
            p = p.reshape(1)
        elif p.shape != runs.shape:
            p = np.broadcast_to(p, runs.shape)
        mask = _NO_MASK if where is None else where
        return _bernoulli_compiled(key, runs, _counter(day), p, mask, where is not None, scalar)
    p = np.broadcast_to(p, runs.shape)
    certain = p >= 1.0
    uncertain = (p > 0.0) & ~certain
    if where is not None:
        certain = certain & where
        uncertain &= where
    if not uncertain.any():
        return certain
    index = np.flatnonzero(uncertain)
    out = certain.copy()
    out[index] = uniforms(key, runs[index], day) < p[index]
    return out


class RunStreams:
    """The random numbers of a set of runs under one seed, by purpose.

    ``run_ids``: the runs' indices in the batch.  Keys are computed once per
    purpose.  Each method is the module function of the same name at the
    purpose's key, for these runs (or the runs at positions ``at``).
    """

    def __init__(self, seed: int, run_ids: np.ndarray) -> None:
        self.seed = int(seed)
        # Held as the counters' type once, not converted on every draw.
        self.run_ids = np.ascontiguousarray(run_ids, dtype=np.uint64)
        self._keys: dict[str, np.ndarray] = {}

    def key(self, purpose: str) -> np.ndarray:
        """The key of ``purpose`` (:func:`purpose_key`)."""
        key = self._keys.get(purpose)
        if key is None:
            key = self._keys[purpose] = purpose_key(self.seed, purpose)
        return key

    def uniform(
        self, purpose: str, day: int, slot: int = 0, at: np.ndarray | None = None
    ) -> np.ndarray:
        """One uniform number per run (``day = -1``: drawn before the first day)."""
        runs = self.run_ids if at is None else self.run_ids[at]
        return uniforms(self.key(purpose), runs, day, slot)

    def bernoulli(
        self,
        purpose: str,
        day: int,
        probability: np.ndarray | float,
        where: np.ndarray | None = None,
    ) -> np.ndarray:
        """Per run: ``uniform < probability``, and False outside ``where`` (:func:`bernoulli`)."""
        return bernoulli(self.key(purpose), self.run_ids, day, probability, where)

    def poisson(
        self, purpose: str, day: int, slot: int, lam: np.ndarray, at: np.ndarray
    ) -> np.ndarray:
        """One Poisson(``lam[i]``) count for each run at positions ``at``."""
        return poisson(self.key(purpose), self.run_ids[at], day, slot, lam)

    def poisson_slots(self, purpose: str, day: int, lam: np.ndarray, at: np.ndarray) -> np.ndarray:
        """``lam``: (slots, len(at)); row i is what ``poisson(purpose, day, i, lam[i], at)``
        gives, bit for bit, in one compiled call."""
        runs = np.ascontiguousarray(self.run_ids[at], dtype=np.uint64)
        lam = np.ascontiguousarray(lam, dtype=np.float64)
        return _poisson_states_compiled(self.key(purpose), runs, _counter(day), lam)


def replicate_seed(seed: int, replicate: int) -> int:
    """The seed of a batch's chance events in replicate ``replicate``.

    Replicate 0 is the batch itself (``seed``); replicate ``r > 0`` takes the
    first 63 bits of ``SeedSequence([seed, r])``: events independent of the
    batch's, while its parameters (drawn under ``seed``) stay the same.
    """
    if replicate == 0:
        return int(seed)
    if replicate < 0:
        raise ValueError(f"replicate must be at least 0, got {replicate}")
    state = np.random.SeedSequence([int(seed), int(replicate)]).generate_state(1, np.uint64)
    return int(state[0] >> np.uint64(1))
