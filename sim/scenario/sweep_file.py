"""A sweep file as written (``docs/sweeps.md``): :class:`SweepSpec` and its ranges.

Only the file's shape lives here, next to the scenario schema;
:func:`sim.experiments.sweeps.resolve_sweep` turns it into a design's points.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from sim.scenario.schema import MAX_RUNS, SEED_MAX, _safe_name

__all__ = ["MAX_POINTS", "Level", "RangeSpec", "SweepSpec"]

#: Most points in one sweep (a design larger than this is almost surely a typo).
MAX_POINTS = 100_000


class RangeSpec(BaseModel):
    """A factor's range: ``low`` and ``high``, and for a grid the ``step`` between levels.

    Attributes
    ----------
    low, high : float
        The range's ends (finite numbers).
    step : float or None
        For a grid, the step between levels (positive and finite); ``None`` for a
        range that a sampled design draws from.
    """

    model_config = ConfigDict(extra="forbid")

    low: float = Field(allow_inf_nan=False)
    high: float = Field(allow_inf_nan=False)
    step: float | None = Field(None, gt=0, allow_inf_nan=False)


Level = bool | int | float | str


class SweepSpec(BaseModel):
    """A sweep file, as written (``docs/sweeps.md``).

    Attributes
    ----------
    name : str or None
        The result directory's name (default: ``<base scenario's name>-sweep``).
    description : str
        Free text.
    base : str
        The base scenario's file, relative to the sweep file.
    design : str
        ``grid`` (default), ``latin``, ``sobol`` or ``morris``.
    samples : int or None
        Points (latin), base samples (sobol) or trajectories (morris), from 1 to
        :data:`MAX_POINTS`.
    runs : int or None
        Runs per point (default: the base scenario's).
    seed : int or None
        The seed of every point (default: the base scenario's).
    vary : dict of str to list or RangeSpec
        ``{dotted path: levels or range}``, at least one.
    set : dict of str to object
        ``{dotted path: value}`` fixed at every point.
    ci_width : float or None
        Optional, in (0, 1): more runs where an outcome's 95% interval is wider.
    max_runs : int or None
        With ``ci_width``: the most runs a point gets.
    """

    model_config = ConfigDict(extra="forbid")

    # The same rule as a scenario's name (it names the result directory).
    name: Annotated[str, AfterValidator(_safe_name)] | None = None
    description: str = ""
    base: str = Field(min_length=1)
    design: Literal["grid", "latin", "sobol", "morris"] = "grid"
    samples: int | None = Field(None, ge=1, le=MAX_POINTS)
    runs: int | None = Field(None, ge=1, le=MAX_RUNS)
    seed: int | None = Field(None, ge=0, le=SEED_MAX)
    vary: dict[str, list[Level] | RangeSpec] = Field(min_length=1)
    set: dict[str, Any] = Field(default_factory=dict)
    ci_width: float | None = Field(None, gt=0, lt=1)
    max_runs: int | None = Field(None, ge=1, le=MAX_RUNS)

    @field_validator("vary")
    @classmethod
    def _levels_not_empty(cls, vary: dict) -> dict:
        for path, spec in vary.items():
            if isinstance(spec, list) and not spec:
                raise ValueError(f"{path}: no levels")
        return vary
