"""The exceptions ``sim`` raises for its users: one hierarchy under :class:`SimError`.

Catch :class:`SimError` to handle anything ``sim`` refuses or cannot do; its
subclasses say what kind of problem it is, and ``str(error)`` is always one line
a user can act on.  Each also derives from the built-in exception it
specialises (``ValueError`` for bad input, ``RuntimeError`` for a failed run,
...), so code that catches those keeps working.  This module imports nothing
from ``sim``: every layer may raise these.
"""

from __future__ import annotations

__all__ = ["InputError", "SimError", "whole_number"]


class SimError(Exception):
    """Base class of every error ``sim`` raises on purpose."""


class InputError(SimError, ValueError):
    """An argument of a public function is of the wrong kind or out of range."""


def whole_number(name: str, value: object, minimum: int | None = None) -> int:
    """``value`` as an ``int`` if it is a whole number (an ``int``, a NumPy integer, or a
    float such as ``10.0``, as SALib and pandas hand them out); :class:`InputError`
    otherwise (``10.5``, ``True``, ``"10"``), or if it is below ``minimum``."""
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(f"{name} must be a whole number, got {value!r}")
    if isinstance(value, numbers.Integral):
        number = int(value)
    else:
        as_float = float(value)
        if not as_float.is_integer():
            raise InputError(f"{name} must be a whole number, got {value!r}")
        number = int(as_float)
    if minimum is not None and number < minimum:
        raise InputError(f"{name} must be at least {minimum}, got {number}")
    return number
