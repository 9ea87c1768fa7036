"""The world: every run's state as one structure of arrays, and what a model holds fixed.

:class:`World` is what changes during a run -- one array per variable, one
entry per run -- and :class:`Setup` what does not: the drawn parameters and
settings, and what follows from them alone (the pledges, whether the force
can be launched, the US's replies by type).  The phases of a day
(:mod:`sim.engine.phases`) are functions of ``(world, setup, streams)`` that update
the world in place; :class:`sim.engine.model.CrisisModel` strings them together.
Variables are documented in docs/model.md ("A day in the model", "Per-run
metrics").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.engine.agents import CoalitionArrays, sum_over_states
from sim.engine.parameters import RunParameters
from sim.engine.scenario_games import DayTables, table_parameters, us_replies
from sim.games.ladder import LadderInputs
from sim.games.selection import Selected
from sim.games.tables import GAME_ACTIONS, provocation
from sim.scenario.schema import Scenario

__all__ = ["CoalitionParams", "DayGames", "Setup", "World"]


@dataclass(frozen=True)
class DayGames:
    """One game's tables and selected equilibrium for the day (arrays over runs)."""

    row_payoffs: np.ndarray
    col_payoffs: np.ndarray
    selected: Selected

    @property
    def violate_row(self) -> np.ndarray:
        return 1.0 - self.selected.row_first

    @property
    def violate_col(self) -> np.ndarray:
        return 1.0 - self.selected.col_first


class CoalitionParams:
    """Coalition-wide parameters and settings as arrays over runs (attribute access for
    readability): ``actors.coalition.<name>`` is ``.<name>``."""

    def __init__(self, params: RunParameters) -> None:
        prefix = "actors.coalition."
        for name, value in params.values.items():
            if name.startswith(prefix) and name.count(".") == 2:
                setattr(self, name[len(prefix) :], value)


@dataclass(frozen=True, eq=False)
class Setup:
    """What a model holds fixed over its runs' horizon (arrays over runs).

    ``scenario`` gives only what every run shares
    (:data:`sim.engine.parameters.BATCH_INVARIANTS`); every other value is in
    ``params``.
    """

    scenario: Scenario
    params: RunParameters
    coalition: CoalitionParams
    state_names: tuple[str, ...]
    pledges: np.ndarray  # (states, runs)
    pledged_total: np.ndarray
    force_pledged: np.ndarray
    launchable: np.ndarray  # a force is pledged and at least the minimum viable force
    pledge_talks_factor: np.ndarray
    ramp_days: np.ndarray
    us_replies: tuple[np.ndarray, np.ndarray]  # a committed and an uncommitted US impose
    resolve_private: bool
    # The parameters the day's tables read, packed once (sim.engine.table_kernels).
    table_parameters: np.ndarray

    @property
    def n_runs(self) -> int:
        return self.params.n_runs

    @classmethod
    def of(cls, scenario: Scenario, params: RunParameters) -> Setup:
        """The setup of runs with ``params`` (drawn for ``scenario`` and its batch-mates)."""
        p = params
        names = tuple(scenario.actors.coalition.states)
        pledges = np.stack([p[f"actors.coalition.states.{name}.pledge"] for name in names])
        pledged_total = sum_over_states(pledges)
        force_pledged = pledged_total > 0
        # A pledge without a UN mandate deters talks in proportion to Russia's objection
        # to its size (constant over a run, so computed once).
        russia = "actors.russia"
        size = provocation(
            pledged_total, p[f"{russia}.reference_force"], p[f"{russia}.force_size_elasticity"]
        )
        talks_factor = np.where(
            force_pledged & ~p["levers.un_mandate"],
            np.power(1.0 - p["ceasefire.pledge_talks_penalty"], size),
            1.0,
        )
        return cls(
            scenario=scenario,
            params=params,
            coalition=CoalitionParams(params),
            state_names=names,
            pledges=pledges,
            pledged_total=pledged_total,
            force_pledged=force_pledged,
            # A pledge below the run's minimum viable force is never launched.
            launchable=force_pledged
            & (pledged_total >= p["actors.coalition.minimum_viable_force"]),
            pledge_talks_factor=talks_factor,
            ramp_days=p["timeline.deployment.ramp_days"].astype(float),
            # The US's reply to defiance by type depends on the run's parameters only.
            us_replies=us_replies(params),
            resolve_private=scenario.information.russia_resolve == "private",
            table_parameters=table_parameters(params),
        )


def _zeros(n: int, dtype: type = int) -> np.ndarray:
    return np.zeros(n, dtype=dtype)


def _never(n: int) -> np.ndarray:
    return np.full(n, -1)


@dataclass(eq=False)
class World:
    """The state of every run (one entry per run), as the phases of a day leave it.

    Days are day numbers, ``-1`` where the event has not happened (or its date
    is not yet known); counters count days or events since the start.  The
    variables grouped under "today" are the day's decisions and draws; they are
    overwritten each day and read by the phases that follow and by observers.
    """

    n_runs: int
    coalition: CoalitionArrays
    day: int = 0

    # The ceasefire.
    ceasefire_in_force: np.ndarray = field(init=False)
    ever_ceasefire: np.ndarray = field(init=False)
    first_ceasefire_day: np.ndarray = field(init=False)
    first_ceasefire_end_day: np.ndarray = field(init=False)
    term_end_day: np.ndarray = field(init=False)  # first day after an agreed term
    terms_renewed: np.ndarray = field(init=False)
    terms_lapsed: np.ndarray = field(init=False)
    days_held_consecutive: np.ndarray = field(init=False)
    ceasefire_days_held: np.ndarray = field(init=False)
    ceasefire_collapses: np.ndarray = field(init=False)
    self_enforcing: np.ndarray = field(init=False)
    escalated: np.ndarray = field(init=False)
    escalation_day: np.ndarray = field(init=False)
    escalation_level: np.ndarray = field(init=False)

    # Dated events.
    deployment_day: np.ndarray = field(init=False)
    threat_day: np.ndarray = field(init=False)
    deadline_day: np.ndarray = field(init=False)

    # Sanctions.
    threat_active: np.ndarray = field(init=False)
    threat_issued: np.ndarray = field(init=False)
    sanctions_imposed: np.ndarray = field(init=False)
    sanctions_imposed_day: np.ndarray = field(init=False)
    sanctions_days_in_force: np.ndarray = field(init=False)
    sanctions_lifted: np.ndarray = field(init=False)
    compliance_days: np.ndarray = field(init=False)
    credibility_belief: np.ndarray = field(init=False)  # Russia's belief: the US is committed
    us_committed: np.ndarray = field(init=False)  # the US's type
    us_backed_down: np.ndarray = field(init=False)
    deadline_complied: np.ndarray = field(init=False)
    threat_met: np.ndarray = field(init=False)  # a ceasefire was in force at the deadline
    defied: np.ndarray = field(init=False)  # Russia has defied a threat at least once

    # The mission.
    mission_under_way: np.ndarray = field(init=False)
    mission_abandoned: np.ndarray = field(init=False)
    deployment_start_day: np.ndarray = field(init=False)
    deployment_date_reached: np.ndarray = field(init=False)
    entry_eligible_days: np.ndarray = field(init=False)
    attacks_on_peacekeepers: np.ndarray = field(init=False)
    russia_has_struck: np.ndarray = field(init=False)
    unanswered_strikes: np.ndarray = field(init=False)
    committed_troops: np.ndarray = field(init=False)
    troops_deployed: np.ndarray = field(init=False)
    peak_troops_deployed: np.ndarray = field(init=False)

    # Violations, deliberate (the equilibrium strategy) and in all.
    russia_violation_days: np.ndarray = field(init=False)
    ukraine_violation_days: np.ndarray = field(init=False)
    russia_deliberate_days: np.ndarray = field(init=False)
    ukraine_deliberate_days: np.ndarray = field(init=False)
    russia_deliberate_under_sanctions: np.ndarray = field(init=False)
    ceasefire_days_under_sanctions: np.ndarray = field(init=False)
    ceasefire_days_after_defiance: np.ndarray = field(init=False)
    russia_deliberate_after_defiance: np.ndarray = field(init=False)

    # What the coalition believes about Russia's resolve (docs/games.md).
    belief_resolute: np.ndarray = field(init=False)
    incidents_observed: np.ndarray = field(init=False)

    # Why a force was attacked: the state of play as it entered and at the first strike.
    targeting_at_entry: np.ndarray = field(init=False)
    sanctions_penalty_at_entry: np.ndarray = field(init=False)
    troops_at_entry: np.ndarray = field(init=False)
    entry_own_choice: np.ndarray = field(init=False)  # the coalition's own P(enter)
    first_attack_day: np.ndarray = field(init=False)
    targeting_at_first_attack: np.ndarray = field(init=False)
    sanctions_penalty_at_first_attack: np.ndarray = field(init=False)
    troops_at_first_attack: np.ndarray = field(init=False)

    # The strike ladder (games.strike_model: ladder): the inputs of the tables last
    # solved in each run and the equilibrium selected there (re-solved only where the
    # inputs changed), the most extreme equilibria seen, and what was played.
    ladder_state: np.ndarray = field(init=False)  # (runs, 9); NaN: never solved
    # The rungs' constants (runs, 10), stacked on the first solve: parameters do not
    # change during a run.
    ladder_constants: np.ndarray | None = field(init=False, default=None)
    ladder_x: np.ndarray = field(init=False)  # (runs, 4): Russia's strategy
    ladder_y: np.ndarray = field(init=False)  # (runs, 3): the defenders' posture
    ladder_equilibria_max: np.ndarray = field(init=False)
    ladder_solves: np.ndarray = field(init=False)  # days on which the ladder was re-solved
    russia_rung: np.ndarray = field(init=False)  # today's rung (0 comply ... 3 major)
    defenders_posture: np.ndarray = field(init=False)  # today's posture (0 absorb ...)
    harassment_days: np.ndarray = field(init=False)
    harassment_attributed: np.ndarray = field(init=False)
    limited_strikes: np.ndarray = field(init=False)
    major_strikes: np.ndarray = field(init=False)
    retaliations: np.ndarray = field(init=False)

    # Equilibria played: per game and run, on how many days each profile label
    # (0-3 pure cell, 4 mixed, 5 QRE) was played while the game was in play, and
    # the most equilibria the game had on one of those days.
    label_days: dict[str, np.ndarray] = field(init=False)
    most_equilibria: dict[str, np.ndarray] = field(init=False)

    # Today.
    tables: DayTables | None = field(init=False, default=None)
    games: dict[str, DayGames] = field(init=False)
    targeting_probability: np.ndarray = field(init=False)
    perceived_targeting_probability: np.ndarray = field(init=False)
    detection_probability: np.ndarray = field(init=False)
    response_probability: np.ndarray = field(init=False)
    war_exposure: np.ndarray = field(init=False)
    entry_threshold: np.ndarray = field(init=False)
    entry_probability: np.ndarray = field(init=False)
    belief_at_decision: np.ndarray = field(init=False)
    deployment_moving: np.ndarray = field(init=False)
    stays: np.ndarray = field(init=False)  # (states, runs): today's participation decision
    defiance_observed: np.ndarray = field(init=False)
    russia_attacks: np.ndarray = field(init=False)
    russia_violates: np.ndarray = field(init=False)
    russia_deliberate: np.ndarray = field(init=False)
    russia_detected: np.ndarray = field(init=False)
    ukraine_violates: np.ndarray = field(init=False)
    ukraine_deliberate: np.ndarray = field(init=False)
    ukraine_detected: np.ndarray = field(init=False)
    clash: np.ndarray = field(init=False)
    us_imposes: np.ndarray = field(init=False)
    us_backs_down: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        n = self.n_runs
        for name in (
            "ceasefire_in_force", "ever_ceasefire", "self_enforcing", "escalated",
            "threat_active", "threat_issued", "sanctions_imposed", "us_committed",
            "us_backed_down", "deadline_complied", "threat_met", "defied", "mission_under_way",
            "mission_abandoned", "deployment_date_reached", "russia_has_struck",
            "deployment_moving", "defiance_observed", "russia_attacks", "russia_violates",
            "russia_deliberate", "russia_detected", "ukraine_violates", "ukraine_deliberate",
            "ukraine_detected", "clash", "us_imposes", "us_backs_down",
        ):  # fmt: skip
            setattr(self, name, _zeros(n, bool))
        for name in (
            "first_ceasefire_day", "first_ceasefire_end_day", "term_end_day", "escalation_day",
            "deployment_day", "threat_day", "deadline_day", "sanctions_imposed_day",
            "deployment_start_day", "first_attack_day",
        ):  # fmt: skip
            setattr(self, name, _never(n))
        for name in (
            "terms_renewed", "terms_lapsed", "days_held_consecutive", "ceasefire_days_held",
            "ceasefire_collapses", "sanctions_days_in_force", "sanctions_lifted",
            "compliance_days", "entry_eligible_days", "attacks_on_peacekeepers",
            "unanswered_strikes", "russia_violation_days", "ukraine_violation_days",
            "russia_deliberate_days", "ukraine_deliberate_days",
            "russia_deliberate_under_sanctions", "ceasefire_days_under_sanctions",
            "ceasefire_days_after_defiance", "russia_deliberate_after_defiance",
            "incidents_observed", "ladder_equilibria_max", "ladder_solves", "russia_rung",
            "defenders_posture", "harassment_days", "harassment_attributed",
            "limited_strikes", "major_strikes", "retaliations",
        ):  # fmt: skip
            setattr(self, name, _zeros(n))
        for name in (
            "credibility_belief", "belief_resolute", "targeting_probability",
            "perceived_targeting_probability", "detection_probability", "response_probability",
            "war_exposure", "entry_probability", "belief_at_decision", "peak_troops_deployed",
            "troops_deployed", "targeting_at_entry", "sanctions_penalty_at_entry",
            "troops_at_entry", "entry_own_choice", "targeting_at_first_attack",
            "sanctions_penalty_at_first_attack", "troops_at_first_attack",
        ):  # fmt: skip
            setattr(self, name, _zeros(n, float))
        self.escalation_level = _zeros(n, np.int8)
        self.ladder_state = np.full((n, len(LadderInputs.STATE)), np.nan)
        self.ladder_x = np.zeros((n, 4))
        self.ladder_x[:, 0] = 1.0  # comply until solved
        self.ladder_y = np.zeros((n, 3))
        self.ladder_y[:, 0] = 1.0
        self.entry_threshold = np.full(n, np.inf)
        self.committed_troops = sum_over_states(self.coalition.pledge * self.coalition.committed)
        self.stays = np.ones(self.coalition.committed.shape, dtype=bool)
        self.games = {}
        self.label_days = {name: np.zeros((n, 6), dtype=int) for name in GAME_ACTIONS}
        self.most_equilibria = {name: np.zeros(n, dtype=int) for name in GAME_ACTIONS}

    def total_casualties(self) -> np.ndarray:
        """Per run, the coalition's casualties so far."""
        return sum_over_states(self.coalition.casualties)
