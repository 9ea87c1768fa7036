"""Follow-up past the horizon: whether a ceasefire still young at the horizon becomes durable.

A ceasefire counts as durable when it has held ``durable_after_days``
consecutive days and holding is then self-enforcing (docs/model.md,
"Conflict state").  Judged at the calendar horizon alone, a ceasefire that
began fewer than ``durable_after_days`` days before it could never count,
however it went on: the share of durable ceasefires would drop off a cliff
at a start day of ``horizon − durable_after_days``.  So a run whose ceasefire
is in force at the horizon but younger than that is *followed up*: the same
model goes on, day by day, with the same random numbers it would have drawn,
until the ceasefire reaches that age (durable if self-enforcing then, frozen
if not) or ends (a collapse).  Everything else in the run -- its metrics,
daily values and the other labels -- is as at the horizon.

:func:`follow_up` works on a copy of the pending runs only (a run's random
numbers depend on its index, not on the runs simulated with it), so it
costs days of the few runs that need it, and leaves the world untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from sim.engine.agents import CoalitionArrays
from sim.engine.parameters import RunParameters
from sim.engine.phases import PHASES
from sim.engine.streams import RunStreams
from sim.engine.world import Setup, World

__all__ = ["FollowUp", "follow_up"]

#: What became of a ceasefire that was followed up (codes in ``FollowUp.fate``;
#: sim.engine.outcomes repeats DURABLE and COLLAPSED).
NOT_FOLLOWED, DURABLE, FROZEN, COLLAPSED = 0, 1, 2, 3


@dataclass(frozen=True)
class FollowUp:
    """Per run: ``fate`` (:data:`NOT_FOLLOWED`, :data:`DURABLE`, :data:`FROZEN` or
    :data:`COLLAPSED`) and ``days``, the days followed past the horizon (0 where
    the run was not followed)."""

    fate: np.ndarray
    days: np.ndarray


def _take(value: object, at: np.ndarray, n: int) -> object:
    if isinstance(value, np.ndarray) and value.ndim >= 1 and value.shape[0] == n:
        return value[at].copy()
    if isinstance(value, dict):
        return {k: _take(v, at, n) for k, v in value.items()}
    return value


def _subset_world(world: World, at: np.ndarray) -> World:
    """The state of the runs at positions ``at`` (copies); today's games are dropped
    (the next day computes them afresh)."""
    states = world.coalition
    coalition = CoalitionArrays.__new__(CoalitionArrays)
    for name, value in vars(states).items():
        setattr(coalition, name, value[:, at].copy())
    sub = World(n_runs=at.shape[0], coalition=coalition, day=world.day)
    n = world.n_runs
    for f in fields(World):
        # Today's games and the (states, runs) participation decision are computed
        # afresh on the next day; the coalition's arrays were taken above.
        if f.name in ("n_runs", "coalition", "day", "tables", "games", "stays"):
            continue
        setattr(sub, f.name, _take(getattr(world, f.name), at, n))
    return sub


def follow_up(world: World, setup: Setup, streams: RunStreams) -> FollowUp:
    """Follow every run whose ceasefire is in force at the horizon but younger than
    ``durable_after_days`` until it reaches that age or ends (see the module's text)."""
    n = world.n_runs
    fate = np.full(n, NOT_FOLLOWED, dtype=np.int8)
    days = np.zeros(n, dtype=np.int64)
    durable_days = setup.params["ceasefire.durable_after_days"]
    young = world.ceasefire_in_force & (world.days_held_consecutive < durable_days)
    at = np.flatnonzero(young & ~world.escalated)
    if not at.size:
        return FollowUp(fate, days)
    params = RunParameters({k: v[at] for k, v in setup.params.values.items()}, at.shape[0])
    sub_setup = Setup.of(setup.scenario, params)
    sub_streams = RunStreams(streams.seed, streams.run_ids[at])
    sub = _subset_world(world, at)
    sub_fate = np.full(at.shape[0], NOT_FOLLOWED, dtype=np.int8)
    sub_days = np.zeros(at.shape[0], dtype=np.int64)
    pending = np.ones(at.shape[0], dtype=bool)
    need = durable_days[at]
    for _ in range(int((need - sub.days_held_consecutive).max())):
        for _name, phase in PHASES:
            phase(sub, sub_setup, sub_streams)
        sub.day += 1
        sub_days += pending
        ended = pending & ~sub.ceasefire_in_force
        aged = pending & ~ended & (sub.days_held_consecutive >= need)
        sub_fate[ended] = COLLAPSED
        sub_fate[aged & sub.self_enforcing] = DURABLE
        sub_fate[aged & ~sub.self_enforcing] = FROZEN
        pending &= ~(ended | aged)
        if not pending.any():
            break
    fate[at], days[at] = sub_fate, sub_days
    return FollowUp(fate, days)
