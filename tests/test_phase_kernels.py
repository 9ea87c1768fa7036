"""Each phase of the day, compiled, leaves the world exactly as its NumPy reference does.

The compiled paths of :mod:`sim.engine.phases` (the tables of
:mod:`sim.engine.table_kernels`, the bookkeeping of :mod:`sim.engine.phase_kernels`,
the kernels of :mod:`sim.engine.day_kernels`) promise the NumPy code's bits.  Here
every phase of every day is run twice from the same world -- once with
``SIM_NO_NUMBA=1``, once compiled -- and the two worlds are compared variable by
variable, bit for bit, including which variables share an array (a kernel that
changed in place an array NumPy would have replaced shows up as a difference in
the variable that still refers to it).  Scenarios and settings are chosen to
reach every branch: the strike ladder and the binary strike model, private and
known resolve, contained accidents, explicit tables, and scales of zero.
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import numpy as np
import pytest
from numpy.lib.array_utils import byte_bounds

from sim.engine.parameters import draw_parameters
from sim.engine.phases import PHASES, start
from sim.engine.streams import RunStreams
from sim.engine.world import Setup
from sim.games import ladder_solver
from sim.scenario.loader import load_scenario
from sim.scenario.overrides import with_overrides

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

#: name: (scenario, settings changed, counters some run must have raised by day 60).
CASES = {
    "combined, the ladder": (
        "combined",
        {},
        ("harassment_days", "attacks_on_peacekeepers", "escalated", "sanctions_days_in_force"),
    ),
    "combined, binary strikes, private resolve, contained accidents": (
        "combined",
        {
            "games.strike_model": "binary",
            "information.russia_resolve": "private",
            "ceasefire.accidents": "contained",
        },
        ("attacks_on_peacekeepers", "unanswered_strikes", "ceasefire_collapses"),
    ),
    "troops, zero scales and half-life": (
        "troops_10000",
        {
            "actors.coalition.tripwire_scale": 0,
            "ceasefire.monitoring_scale": 0,
            "ceasefire.violation_gain_halflife_days": 0,
            "actors.russia.reference_force": 0,
        },
        ("deployment_start_day", "harassment_days", "ceasefire_collapses"),
    ),
    "sanctions threat, random selection, quick relief": (
        "sanctions_threat",
        {"games.selection": "random", "sanctions.relief_after_days": 3},
        ("sanctions_days_in_force", "sanctions_lifted", "compliance_days"),
    ),
    "public good, logit QRE": (
        "public_good",
        {"games.selection": "logit_qre"},
        ("deployment_start_day", "attacks_on_peacekeepers", "terms_lapsed"),
    ),
    "ceasefire of 30 days": ("ceasefire_30_days", {}, ("terms_lapsed", "ceasefire_collapses")),
}


def _same(numpy_value, compiled_value, where: str) -> None:
    """Equal bits, types and shapes, recursively (arrays, dataclasses, dicts, tuples)."""
    if isinstance(numpy_value, np.ndarray):
        assert isinstance(compiled_value, np.ndarray), where
        assert numpy_value.dtype == compiled_value.dtype, f"{where}: dtype"
        assert numpy_value.shape == compiled_value.shape, f"{where}: shape"
        # Floats by their bits (NaN equals NaN, 0.0 differs from -0.0).
        bits = np.ascontiguousarray
        assert np.array_equal(
            bits(numpy_value).view(np.uint8) if numpy_value.dtype.kind == "f" else numpy_value,
            bits(compiled_value).view(np.uint8)
            if compiled_value.dtype.kind == "f"
            else compiled_value,
        ), f"{where}: values differ"
    elif dataclasses.is_dataclass(numpy_value) and not isinstance(numpy_value, type):
        for field in dataclasses.fields(numpy_value):
            if field.compare:
                _same(
                    getattr(numpy_value, field.name),
                    getattr(compiled_value, field.name),
                    f"{where}.{field.name}",
                )
    elif isinstance(numpy_value, dict):
        assert numpy_value.keys() == compiled_value.keys(), where
        for key in numpy_value:
            _same(numpy_value[key], compiled_value[key], f"{where}[{key!r}]")
    elif isinstance(numpy_value, tuple | list):
        assert len(numpy_value) == len(compiled_value), where
        for i, (a, b) in enumerate(zip(numpy_value, compiled_value, strict=True)):
            _same(a, b, f"{where}[{i}]")
    elif hasattr(numpy_value, "__dict__") and not isinstance(numpy_value, type):
        _same(vars(numpy_value), vars(compiled_value), where)
    else:
        assert type(numpy_value) is type(compiled_value), f"{where}: type"
        assert numpy_value == compiled_value or (
            numpy_value != numpy_value and compiled_value != compiled_value  # both NaN
        ), f"{where}: {numpy_value!r} != {compiled_value!r}"


def _comparable(world) -> dict:
    values = dict(vars(world))
    # The compiled public-good rule decides only in runs where a mission is under way
    # and leaves True elsewhere (sim.engine.day_kernels.public_good_stays), where no
    # one reads it; NumPy's decides everywhere.
    values["stays"] = world.stays[:, world.mission_under_way]
    return values


def _shared_arrays(world) -> set[frozenset[str]]:
    """Pairs of the world's variables that share memory."""
    spans = sorted(
        (*byte_bounds(value), name, value)
        for name, value in vars(world).items()
        if isinstance(value, np.ndarray) and value.size
    )
    pairs = set()
    for i, (_, end, name, value) in enumerate(spans):
        # Sorted by start: only the arrays starting before this one ends can overlap it.
        for other_start, _, other_name, other in spans[i + 1 :]:
            if other_start >= end:
                break
            if np.shares_memory(value, other):
                pairs.add(frozenset((name, other_name)))
    return pairs


@pytest.mark.slow  # several seconds: every phase of 60 days, six scenarios, twice
@pytest.mark.parametrize("case", list(CASES))
def test_each_phase_compiled_leaves_the_world_its_numpy_reference_leaves(monkeypatch, case):
    name, changes, reached = CASES[case]
    # The ladder's logit QRE, compiled, may differ from its Python run in the last bit
    # of exp (sim.games.ladder_solver.logit_qre says so): both sides use the compiled one.
    monkeypatch.setattr(ladder_solver, "_qre_batch", ladder_solver._compiled_qre())
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    scenario = with_overrides(scenario, {"simulation.horizon_days": 60, **changes})
    run_ids = np.arange(300)
    setup = Setup.of(scenario, draw_parameters(scenario, run_ids, 5))
    streams = RunStreams(5, run_ids)
    world = start(setup, streams)
    phases_seen = set()
    for _ in range(scenario.simulation.horizon_days):
        for phase_name, phase in PHASES:
            reference = copy.deepcopy(world)
            monkeypatch.setenv("SIM_NO_NUMBA", "1")
            phase(reference, setup, streams)
            monkeypatch.setenv("SIM_NO_NUMBA", "0")
            phase(world, setup, streams)
            where = f"{case}, day {world.day}, after {phase_name}: world"
            _same(_comparable(reference), _comparable(world), where)
            assert _shared_arrays(reference) == _shared_arrays(world), f"{where}: sharing"
            phases_seen.add(phase_name)
        world.day += 1
    assert phases_seen == {name for name, _ in PHASES}
    # The days reached the branches the case is there for.
    for counter in reached:
        assert (getattr(world, counter) > 0).any(), f"{case}: no run has {counter} by day 60"
