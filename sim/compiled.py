"""Whether the compiled (numba) code paths are used: one switch for the whole package.

Every compiled kernel has a NumPy reference that gives the same bits; the
environment variable ``SIM_NO_NUMBA`` (set to anything but ``0``) selects the
references, e.g. to test the kernels against them.  This module does not
import numba.
"""

from __future__ import annotations

import os

__all__ = ["use_numba"]


def use_numba() -> bool:
    """True unless ``SIM_NO_NUMBA`` is set to something other than ``0``."""
    return os.environ.get("SIM_NO_NUMBA", "") in ("", "0")
