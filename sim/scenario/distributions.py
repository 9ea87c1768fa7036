"""Probability distributions for uncertain scenario parameters.

A scenario value is either a plain number (a fixed value) or a mapping with a
``dist`` key, e.g. ``{dist: uniform, low: 0.2, high: 0.6}``.  Each distribution
is a small pydantic model with two methods:

* ``quantile(u)`` is the inverse CDF at ``u`` in (0, 1): the model draws a
  parameter as ``quantile(u)`` of the run's counter-based uniform number
  (:mod:`sim.engine.streams`), so a run keeps its place in the distribution when the
  distribution changes (a wider range moves every draw outwards, monotonically:
  clean paired comparisons);
* ``sample(rng, size)`` draws ``size`` independent values with a
  :class:`numpy.random.Generator` (``quantile`` of its uniforms);
* ``central()`` is the value used when a single representative number is needed
  (the mean, or the mode for the triangular distribution).

``support()`` gives the closed interval the draws can fall in; scenario
validation uses it to reject, for example, a probability that could exceed 1.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "DISTRIBUTION_NAMES",
    "Beta",
    "Distribution",
    "Fixed",
    "Normal",
    "Triangular",
    "Uniform",
]


class _Dist(BaseModel):
    # strict: booleans and strings are not numbers (a whole number is a float, though).
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, strict=True)

    def quantile(self, u: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return self.quantile(rng.random(size))

    def central(self) -> float:  # pragma: no cover
        raise NotImplementedError

    def support(self) -> tuple[float, float]:  # pragma: no cover
        raise NotImplementedError


class Fixed(_Dist):
    """A known value: every run uses ``value``."""

    dist: Literal["fixed"] = "fixed"
    value: float

    def quantile(self, u: np.ndarray) -> np.ndarray:
        return np.full(np.shape(u), self.value, dtype=float)

    def central(self) -> float:
        return self.value

    def support(self) -> tuple[float, float]:
        return (self.value, self.value)


class Uniform(_Dist):
    """Uniform on ``[low, high]``."""

    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError(f"uniform needs low < high (got low={self.low}, high={self.high})")
        return self

    def quantile(self, u: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) * np.asarray(u, dtype=float)

    def central(self) -> float:
        return 0.5 * (self.low + self.high)

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


class Normal(_Dist):
    """Normal with ``mean`` and ``sd``, optionally truncated to ``[low, high]``.

    Truncation uses :func:`scipy.stats.truncnorm` (the distribution conditioned
    on the bounds, not clipped), so a bounded parameter such as a probability
    can be given a bell-shaped prior.
    """

    dist: Literal["normal"]
    mean: float
    sd: float = Field(gt=0)
    low: float | None = Field(None, description="lower truncation bound (none if omitted)")
    high: float | None = Field(None, description="upper truncation bound (none if omitted)")

    @property
    def _bounds(self) -> tuple[float, float]:
        low = -math.inf if self.low is None else self.low
        high = math.inf if self.high is None else self.high
        return low, high

    @model_validator(mode="after")
    def _ordered(self) -> Normal:
        low, high = self._bounds
        if not low < high:
            raise ValueError(f"normal needs low < high (got low={self.low}, high={self.high})")
        return self

    def _standard_bounds(self) -> tuple[float, float]:
        low, high = self._bounds
        return ((low - self.mean) / self.sd, (high - self.mean) / self.sd)

    def quantile(self, u: np.ndarray) -> np.ndarray:
        a, b = self._standard_bounds()
        if math.isinf(a) and math.isinf(b):
            from scipy.special import ndtri

            return self.mean + self.sd * ndtri(np.asarray(u, dtype=float))
        from scipy import stats  # deferred: scipy.stats takes a second to import

        return stats.truncnorm.ppf(u, a, b, loc=self.mean, scale=self.sd)

    def central(self) -> float:
        a, b = self._standard_bounds()
        from scipy import stats

        # SciPy computes higher moments on the way, which can overflow harmlessly
        # for truncation far in a tail.
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            return float(stats.truncnorm.mean(a, b, loc=self.mean, scale=self.sd))

    def support(self) -> tuple[float, float]:
        return self._bounds


class Beta(_Dist):
    """Beta(``a``, ``b``) rescaled to ``[low, high]`` (default ``[0, 1]``)."""

    dist: Literal["beta"]
    a: float = Field(gt=0)
    b: float = Field(gt=0)
    low: float = 0.0
    high: float = 1.0

    @model_validator(mode="after")
    def _ordered(self) -> Beta:
        if not self.low < self.high:
            raise ValueError(f"beta needs low < high (got low={self.low}, high={self.high})")
        return self

    def quantile(self, u: np.ndarray) -> np.ndarray:
        from scipy.special import betaincinv

        return self.low + (self.high - self.low) * betaincinv(self.a, self.b, u)

    def central(self) -> float:
        return self.low + (self.high - self.low) * self.a / (self.a + self.b)

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


class Triangular(_Dist):
    """Triangular with minimum ``low``, most likely value ``mode`` and maximum ``high``."""

    dist: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                "triangular needs low <= mode <= high and low < high "
                f"(got low={self.low}, mode={self.mode}, high={self.high})"
            )
        return self

    def quantile(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        width = self.high - self.low
        left = self.mode - self.low
        below = u * width < left  # u below the mode's CDF value, left / width
        return np.where(
            below,
            self.low + np.sqrt(u * width * left),
            self.high - np.sqrt((1.0 - u) * width * (self.high - self.mode)),
        )

    def central(self) -> float:
        return self.mode

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


Distribution = Annotated[Fixed | Uniform | Normal | Beta | Triangular, Field(discriminator="dist")]

DISTRIBUTION_NAMES: tuple[str, ...] = ("fixed", "uniform", "normal", "beta", "triangular")


def as_distribution_input(value: Any) -> Any:
    """Turn a plain number into ``{dist: fixed, value: ...}``; leave mappings alone.

    Used as a pydantic ``BeforeValidator`` so that scenario authors can write
    ``resolve: 1.5`` as well as ``resolve: {dist: uniform, low: 1, high: 2}``.
    """
    if isinstance(value, bool):
        raise ValueError("expected a number or a distribution, got a boolean")
    if isinstance(value, int | float):
        return {"dist": "fixed", "value": value}
    if isinstance(value, dict):
        if "dist" not in value:
            raise ValueError(
                "a distribution needs a 'dist' key, one of: " + ", ".join(DISTRIBUTION_NAMES)
            )
        return value
    if isinstance(value, Fixed | Uniform | Normal | Beta | Triangular):
        return value
    raise ValueError(
        f"expected a number or a distribution such as {{dist: uniform, low: 0, high: 1}}, "
        f"got {type(value).__name__}"
    )
