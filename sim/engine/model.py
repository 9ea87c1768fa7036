"""The crisis model: a Mesa model that advances a batch of Monte Carlo runs day by day.

One :class:`CrisisModel` holds a set of independent runs, given by their
indices in the batch, of one scenario or of several that share
:data:`sim.engine.parameters.BATCH_INVARIANTS` (the points of a sweep).  It is the
shell around three things:

* the world (:class:`sim.engine.world.World`): every run's state, one array per
  variable, so a day of 10,000 runs is a handful of vectorised operations;
* the phases of a day (:data:`sim.engine.phases.PHASES`, in the order of
  docs/model.md, "A day in the model"): functions that update the world;
* the runs' random numbers (:class:`sim.engine.streams.RunStreams`, counter-based:
  what run k draws for a purpose on day d depends on the seed, k, the purpose
  and d only).

The model owns the random numbers, the agents (named views of the world,
:mod:`sim.engine.agents`), the data collection (a Mesa ``DataCollector`` of daily
arrays) and the observers that look at the world after each phase
(:class:`sim.engine.tracing.TraceObserver` for ``sim trace``).  Nothing here draws
plots or touches files.
"""

from __future__ import annotations

from collections.abc import Sequence

import mesa
import numpy as np

from sim.compiled import switch_held, use_numba
from sim.engine.agents import CoalitionState, Russia, Ukraine, UnitedStates
from sim.engine.followup import follow_up
from sim.engine.outcomes import attack_channel, classify
from sim.engine.parameters import draw_parameters
from sim.engine.phases import PHASES, start
from sim.engine.scenario_games import pledge_weighted
from sim.engine.streams import MAX_RUNS, RunStreams, purpose_key, replicate_seed
from sim.engine.tracing import TraceObserver
from sim.engine.world import Setup, World
from sim.games.coalition import pivotal_states
from sim.games.tables import GAME_ACTIONS
from sim.scenario.schema import Scenario

__all__ = ["CrisisModel"]

TRAJECTORY_VARIABLES = (
    "escalation_level",
    "troops_deployed",
    "ceasefire_in_force",
    "peacekeeper_casualties",
)


class CrisisModel(mesa.Model):
    """Russia, the coalition states, Ukraine and the US, over ``n_runs`` runs of a scenario.

    ``scenario``: one scenario, or a sequence of scenarios that may differ in
    anything but :data:`sim.engine.parameters.BATCH_INVARIANTS` (sweep points, say),
    with ``points[i]`` the position of run ``i``'s scenario in it.  Every value
    the model reads is held per run (:func:`sim.engine.parameters.draw_parameters`),
    so run ``i`` is the run it would be in a model of its scenario alone.
    ``runs``: the indices of the runs this model advances (an integer n means
    runs 0 to n - 1); ``seed``: the batch's seed.  A run's random numbers
    depend on the seed and its index only, so run k is the same run whether
    it is simulated alone or among others.  ``trace_run``: position (in
    ``runs``) of one run whose day-by-day story is recorded in ``self.trace``
    (see :func:`sim.experiments.runner.trace`).  ``replicate``: 0 (the default) for the
    batch itself; another number keeps each run's parameters and draws its
    chance events afresh (the structural ensemble uses two replicates to tell
    parametric from chance variation).
    """

    def __init__(
        self,
        scenario: Scenario | Sequence[Scenario],
        runs: np.ndarray | int,
        seed: int,
        trace_run: int | None = None,
        points: np.ndarray | None = None,
        replicate: int = 0,
    ) -> None:
        run_ids = np.arange(runs) if np.isscalar(runs) else np.asarray(runs, dtype=np.int64)
        if run_ids.ndim != 1 or (run_ids.size and (run_ids.min() < 0 or run_ids.max() >= MAX_RUNS)):
            raise ValueError(f"run indices must lie in 0 to {MAX_RUNS - 1}")
        scenarios = [scenario] if isinstance(scenario, Scenario) else list(scenario)
        if not scenarios:
            raise ValueError("a model needs at least one scenario")
        # Mesa's own generator is not used by the model; it is seeded all the same.
        super().__init__(rng=np.random.default_rng(purpose_key(int(seed), "mesa")))
        self.seed = int(seed)
        self.run_ids = run_ids
        self.n_runs = run_ids.shape[0]
        # Replicate r > 0 keeps every run's parameters (drawn under the seed) and draws
        # its events from another stream (sim.engine.streams.replicate_seed): the same
        # parameter draws with other chance events.
        self.replicate = int(replicate)
        self.streams = RunStreams(replicate_seed(self.seed, self.replicate), run_ids)
        # What all scenarios share (BATCH_INVARIANTS) is read from the first; every
        # other value is read per run from self.params.
        self.scenario = scenarios[0]
        self.params = draw_parameters(scenarios, run_ids, self.seed, points)
        # The compiled-or-NumPy switch, read once: the days this model simulates use it.
        self.compiled = use_numba()
        self.setup = setup = Setup.of(self.scenario, self.params)
        self.world: World = start(setup, self.streams)

        # The actors, as Mesa agents: named views of the world.
        self.russia = Russia(self)
        self.ukraine = Ukraine(self)
        self.united_states = UnitedStates(self)
        self.states = [CoalitionState(self, name, i) for i, name in enumerate(setup.state_names)]

        self.observers: list[TraceObserver] = []
        self._tracer = None
        if trace_run is not None:
            self._tracer = TraceObserver(trace_run)
            self.observers.append(self._tracer)
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "escalation_level": lambda m: m.world.escalation_level.copy(),
                "troops_deployed": lambda m: m.world.troops_deployed.astype(np.float32),
                "ceasefire_in_force": lambda m: m.world.ceasefire_in_force.copy(),
                "peacekeeper_casualties": lambda m: m.world.total_casualties().astype(np.float32),
            }
        )

    @property
    def day(self) -> int:
        """The day the next step simulates (0 before the first)."""
        return self.world.day

    @property
    def trace(self) -> list[dict]:
        """The traced run's days so far (empty without ``trace_run``)."""
        return self._tracer.days if self._tracer is not None else []

    def step(self) -> None:
        """Advance every run by one day: the phases in order, then data collection."""
        world, setup, streams = self.world, self.setup, self.streams
        with switch_held(self.compiled):
            for observer in self.observers:
                observer.start_day(world)
            for name, phase in PHASES:
                phase(world, setup, streams)
                for observer in self.observers:
                    observer.after_phase(name, world, setup)
            self.datacollector.collect(self)
            for observer in self.observers:
                observer.end_day(world, setup)
        world.day += 1

    # ------------------------------------------------------------------ results

    def run_all(self) -> None:
        """Step through the scenario's horizon."""
        for _ in range(self.scenario.simulation.horizon_days):
            self.step()

    def not_deployed_reason(self) -> np.ndarray:
        """Why the force never entered, per run ("" where it did); docs/model.md, "Outcomes"."""
        w, s = self.world, self.setup
        p = s.params
        deterred = "belief_above_threshold" if s.resolve_private else "deterred"
        no_ceasefire = np.where(p["levers.deploy_only_during_ceasefire"], "no_ceasefire", "")
        reason = np.where(
            w.entry_eligible_days > 0,
            deterred,
            np.where(
                w.deployment_date_reached & (no_ceasefire != ""), no_ceasefire, "not_scheduled"
            ),
        ).astype(object)
        # Dated from a ceasefire that never came.
        dated_from_ceasefire = (p["timeline.deployment.day"] >= 0) & p[
            "timeline.deployment.after_ceasefire_start"
        ]
        reason[dated_from_ceasefire & ~w.ever_ceasefire] = "no_ceasefire"
        reason[~s.launchable] = "below_minimum_viable_force"
        reason[~s.force_pledged] = "no_force_pledged"
        reason[w.deployment_start_day >= 0] = ""
        return reason

    def run_table(self) -> dict[str, np.ndarray]:
        """Per-run metrics and outcome classes, one array per column."""
        w, s = self.world, self.setup
        imposed = w.sanctions_imposed_day >= 0
        # A ceasefire younger than durable_after_days at the horizon is followed up.
        with switch_held(self.compiled):
            followed = follow_up(w, s, self.streams)
        outcome = classify(w, s, followed)
        columns: dict[str, np.ndarray] = {
            "outcome": outcome["outcome"],
            "conflict_state": outcome["conflict_state"],
            "force_fate": outcome["force_fate"],
            "not_deployed_reason": self.not_deployed_reason(),
            "force_attacked": w.attacks_on_peacekeepers > 0,
            "attack_channel": attack_channel(w, s),
            "first_attack_day": w.first_attack_day,
            "force_withdrawn": w.mission_abandoned.copy(),
            "ceasefire_days_held": w.ceasefire_days_held,
            "first_ceasefire_day": np.where(w.ever_ceasefire, w.first_ceasefire_day, -1),
            "ceasefire_collapses": w.ceasefire_collapses,
            "terms_renewed": w.terms_renewed,
            "terms_lapsed": w.terms_lapsed,
            "peak_troops_deployed": np.rint(w.peak_troops_deployed).astype(int),
            "final_troops_deployed": np.rint(w.troops_deployed).astype(int),
            "states_committed_final": w.coalition.committed.sum(axis=0),
            # The publics' support for the mission at the end, pledge-weighted over
            # every state with a pledge (casualties erode it: docs/model.md).
            "coalition_support_final": pledge_weighted(
                w.coalition.pledge, w.coalition.pledge > 0, w.coalition.support
            ),
            "peacekeeper_casualties": np.rint(w.total_casualties()).astype(int),
            "attacks_on_peacekeepers": w.attacks_on_peacekeepers,
            # The strike ladder (zero under the binary strike model): harassment days
            # and how many were attributed, strikes by rung, retaliations in kind.
            "harassment_days": w.harassment_days,
            "harassment_attributed": w.harassment_attributed,
            "limited_strikes": w.limited_strikes,
            "major_strikes": w.major_strikes,
            "retaliations": w.retaliations,
            "ladder_equilibria_max": w.ladder_equilibria_max,
            "ladder_solves": w.ladder_solves,
            "sanctions_imposed": imposed,
            "sanctions_imposed_day": w.sanctions_imposed_day,
            "sanctions_days_in_force": w.sanctions_days_in_force,
            "sanctions_lifted": w.sanctions_lifted,
            "us_backed_down": w.us_backed_down,
            "deadline_complied": w.deadline_complied,
            "threat_met": w.threat_met,
            "escalation_day": w.escalation_day,
            "deployment_start_day": w.deployment_start_day,
            "incidents_observed": w.incidents_observed,
            "belief_resolute_final": w.belief_resolute,
            "states_pivotal_final": pivotal_states(
                w.coalition.committed.T,
                s.pledges.T,
                s.coalition.minimum_viable_force,
            ).sum(axis=1),
            "russia_violation_days": w.russia_violation_days,
            "ukraine_violation_days": w.ukraine_violation_days,
            "russia_deliberate_violation_days": w.russia_deliberate_days,
            "ukraine_deliberate_violation_days": w.ukraine_deliberate_days,
            "ceasefire_days_under_sanctions": w.ceasefire_days_under_sanctions,
            "russia_deliberate_days_under_sanctions": w.russia_deliberate_under_sanctions,
            "ceasefire_days_after_defiance": w.ceasefire_days_after_defiance,
            "russia_deliberate_days_after_defiance": w.russia_deliberate_after_defiance,
            "us_committed_type": w.us_committed,
        }
        trajectories = self.trajectories()
        # The first ceasefire's length in days, and whether it ended before the horizon
        # (if not, the length is right-censored: still holding at the end).
        ended = w.first_ceasefire_end_day >= 0
        end = np.where(ended, w.first_ceasefire_end_day, w.day)
        columns["first_ceasefire_length_days"] = np.where(
            w.ever_ceasefire, end - w.first_ceasefire_day, -1
        )
        columns["first_ceasefire_ended"] = ended
        columns["ceasefire_followed_days"] = followed.days
        for name, days in w.label_days.items():
            _, row_actions, col_actions = GAME_ACTIONS[name]
            names = [f"{r}/{c}" for r in row_actions for c in col_actions] + ["mixed", "qre"]
            modal = np.array(names, dtype=object)[days.argmax(axis=1)]
            columns[f"{name}_equilibrium_played"] = np.where(days.sum(axis=1) > 0, modal, None)
            columns[f"{name}_equilibria_max"] = w.most_equilibria[name]
        columns["mean_escalation_level"] = trajectories["escalation_level"].mean(axis=0)
        columns["max_escalation_level"] = trajectories["escalation_level"].max(axis=0)
        return columns

    def release(self) -> None:
        """Let this model be freed once the caller drops it.

        Mesa 3 numbers agents per model in a class-level registry
        (``mesa.Agent._ids``, keyed by the model), which keeps every model --
        and its data collector -- alive for the life of the process.
        """
        mesa.Agent._ids.pop(self, None)

    def trajectories(self) -> dict[str, np.ndarray]:
        """Daily values, shape (days, runs), from the data collector."""
        data = self.datacollector.model_vars
        return {name: np.stack(data[name]) for name in TRAJECTORY_VARIABLES}
