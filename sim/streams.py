"""Named random streams: one independent generator per purpose, derived from one seed.

A batch of runs has one :class:`numpy.random.SeedSequence`.  Every purpose
that consumes random numbers (a parameter's draws, Russia's strikes, talks,
detection...) gets its own child sequence, keyed by the purpose's *name*
(its CRC-32), not by the order in which purposes are created.  So a purpose
draws the same numbers whatever other purposes consume, and however many:
scenarios that differ in one parameter or one switch share every other
stream (common random numbers for paired comparisons), and a draw whose size
depends on the state (a Poisson count) cannot shift the numbers of another
purpose.

Within a purpose the numbers are consumed day by day, so they still depend on
how many numbers the purpose drew on earlier days; purposes draw one number
per run per day where they can, so that dependence is on the day only.
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["named_stream", "purpose_key"]


def purpose_key(name: str) -> int:
    """The integer that identifies purpose ``name`` in the spawn key (CRC-32 of UTF-8)."""
    return zlib.crc32(name.encode("utf-8"))


def named_stream(seed: np.random.SeedSequence, name: str) -> np.random.Generator:
    """A generator for purpose ``name``: the child of ``seed`` keyed by the name.

    ``SeedSequence(entropy, spawn_key=seed.spawn_key + (purpose_key(name),))``
    -- the construction ``SeedSequence.spawn`` uses, with the name's key in
    place of a counter -- wrapped in a PCG64 ``Generator``.
    """
    child = np.random.SeedSequence(
        entropy=seed.entropy,
        spawn_key=(*seed.spawn_key, purpose_key(name)),
        pool_size=seed.pool_size,
    )
    return np.random.Generator(np.random.PCG64(child))
