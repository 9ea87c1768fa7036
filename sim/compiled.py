"""Whether the compiled (numba) code paths are used: one switch for the whole package.

Every compiled kernel has a NumPy reference that gives the same bits; the
environment variable ``SIM_NO_NUMBA`` (set to anything but ``0``) selects the
references, e.g. to test the kernels against them.  This module does not
import numba.

A simulated day asks the switch about thirty times, and reading the
environment costs about a microsecond each time (several per cent of a small
batch's day), so a model reads it once and holds it for the days it simulates
(:func:`switch_held`); outside that, every call reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["switch_held", "use_numba"]

# Per thread (and asyncio task): a simulation on one thread never fixes another's switch.
_HELD: ContextVar[bool | None] = ContextVar("sim_use_numba_held", default=None)


def use_numba() -> bool:
    """True unless ``SIM_NO_NUMBA`` is set to something other than ``0`` (or, within
    :func:`switch_held`, the value held there)."""
    held = _HELD.get()
    if held is not None:
        return held
    return os.environ.get("SIM_NO_NUMBA", "") in ("", "0")


@contextmanager
def switch_held(value: bool) -> Iterator[None]:
    """Within the block, :func:`use_numba` returns ``value`` without reading the
    environment (a model holds the value it read when it was built)."""
    token = _HELD.set(bool(value))
    try:
        yield
    finally:
        _HELD.reset(token)
