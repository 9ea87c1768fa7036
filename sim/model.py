"""The crisis model: a Mesa model that advances a batch of Monte Carlo runs day by day.

One :class:`CrisisModel` holds a set of independent runs of one scenario,
given by their indices in the batch.  Every piece of state is a NumPy array
over the runs, so a day of 10,000 runs is a handful of vectorised operations,
not 10,000 Python objects.  The model owns the random numbers (counter-based:
what run k draws for a purpose on day d depends on the seed, k, the purpose
and d only, :mod:`sim.streams`) and the data collection (a Mesa
``DataCollector`` of daily arrays); agents (:mod:`sim.agents`) make the
decisions.  Nothing here draws plots or touches files.

A day (documented in ``docs/model.md``, "A day in the model"):

1. events: talks may produce a ceasefire; an agreed ceasefire may start;
   events dated from a ceasefire's start are fixed; a sanctions threat may be
   issued;
2. the three payoff tables are built for every run from the day's state and
   solved (vectorised);
3. decisions at deadlines: Russia complies with a threat whose deadline falls
   today (agrees to a ceasefire) or defies it; at the end of an agreed term
   the ceasefire is renewed if holding is self-enforcing, else it lapses;
4. the coalition's decisions: its belief about Russia's resolve (when that is
   private), whether the force enters (its equilibrium strategy, unless the
   scenario forces deployment), which states stay;
5. coalition states, Russia and Ukraine act (in that fixed order);
6. consequences: detection, casualties, a military response, ceasefire collapse;
7. the US replies to observed defiance with its subgame-perfect move;
   sanctions in force are lifted after enough compliant days;
8. bookkeeping: mission viability, counters, escalation level, data collection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import mesa
import numpy as np
from scipy.special import expit

from sim.agents import (
    CoalitionArrays,
    CoalitionState,
    Russia,
    Ukraine,
    UnitedStates,
    absorb_casualties,
    coalition_step,
    participation_terms,
    strike_risk,
    sum_over_states,
)
from sim.compiled import use_numba
from sim.day_kernels import (
    count_labels,
    own_rule_stays,
    public_good_stays,
    step_states,
)
from sim.games.bayesian import deterrence_threshold, update_belief
from sim.games.coalition import best_response_withdrawals, pivotal_states
from sim.games.qre import sequential_logit_entry
from sim.games.scenario_games import DayTables, GameState, build_tables, us_replies
from sim.games.selection import QRE, Selected, select_equilibrium
from sim.games.tables import GAME_ACTIONS, provocation
from sim.outcomes import ESCALATION_LEVELS, classify
from sim.parameters import RunParameters, draw_parameters
from sim.scenario import Scenario
from sim.streams import MAX_RUNS, bernoulli, poisson, purpose_key, uniforms

__all__ = ["CrisisModel", "DayGames"]

TRAJECTORY_VARIABLES = (
    "escalation_level",
    "troops_deployed",
    "ceasefire_in_force",
    "peacekeeper_casualties",
)


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


class _CoalitionParams:
    """Coalition-wide parameters and settings as arrays over runs (attribute access for
    readability)."""

    def __init__(self, params: RunParameters) -> None:
        prefix = "actors.coalition."
        for name, value in params.values.items():
            if name.startswith(prefix) and name.count(".") == 2:
                setattr(self, name[len(prefix) :], value)


class _DayUniforms:
    """A ``Generator``-like view of one purpose's uniforms for the model's runs on one day.

    :func:`sim.games.selection.select_equilibrium` asks its ``rng`` for
    ``random(n)``; this answers with the counter-based numbers instead.
    """

    def __init__(self, model: CrisisModel, purpose: str, where: np.ndarray | None) -> None:
        self._model, self._purpose = model, purpose
        self._runs = model.run_ids if where is None else model.run_ids[where]

    def random(self, size: int) -> np.ndarray:
        if size != self._runs.shape[0]:
            raise ValueError(f"expected one number per run ({self._runs.shape[0]}), got {size}")
        return uniforms(self._model.key(self._purpose), self._runs, self._model.day)


class CrisisModel(mesa.Model):
    """Russia, the coalition states, Ukraine and the US, over ``n_runs`` runs of a scenario.

    ``scenario``: one scenario, or a sequence of scenarios that may differ in
    anything but :data:`sim.parameters.BATCH_INVARIANTS` (sweep points, say),
    with ``points[i]`` the position of run ``i``'s scenario in it.  Every value
    the model reads is held per run (:func:`sim.parameters.draw_parameters`),
    so run ``i`` is the run it would be in a model of its scenario alone.
    ``runs``: the indices of the runs this model advances (an integer n means
    runs 0 to n - 1); ``seed``: the batch's seed.  A run's random numbers
    depend on the seed and its index only, so run k is the same run whether
    it is simulated alone or among others.  ``trace_run``: position (in
    ``runs``) of one run whose day-by-day story is recorded in ``self.trace``
    (see :func:`sim.runner.trace`).
    """

    def __init__(
        self,
        scenario: Scenario | Sequence[Scenario],
        runs: np.ndarray | int,
        seed: int,
        trace_run: int | None = None,
        points: np.ndarray | None = None,
    ) -> None:
        run_ids = np.arange(runs) if np.isscalar(runs) else np.asarray(runs, dtype=np.int64)
        if run_ids.ndim != 1 or (run_ids.size and (run_ids.min() < 0 or run_ids.max() >= MAX_RUNS)):
            raise ValueError(f"run indices must lie in 0 to {MAX_RUNS - 1}")
        self.seed = int(seed)
        self.run_ids = run_ids
        self._keys: dict[str, np.ndarray] = {}
        # Mesa's own generator is not used by the model; it is seeded all the same.
        super().__init__(rng=np.random.default_rng(purpose_key(self.seed, "mesa")))
        scenarios = [scenario] if isinstance(scenario, Scenario) else list(scenario)
        if not scenarios:
            raise ValueError("a model needs at least one scenario")
        # What all scenarios share (BATCH_INVARIANTS) is read from the first; every
        # other value is read per run from self.params.
        self.scenario = scenarios[0]
        self.n_runs = n = run_ids.shape[0]
        self.day = 0
        self.params = draw_parameters(scenarios, run_ids, self.seed, points)
        self.coalition_params = _CoalitionParams(self.params)
        self.trace_run = trace_run
        self.trace: list[dict] = []
        self._trace_notes: list[str] = []

        p = self.params
        self.accidental_violation_probability = p["ceasefire.accidental_violation_probability"]
        self.ramp_days = p["timeline.deployment.ramp_days"].astype(float)

        # World state, one entry per run.
        self.ceasefire_in_force = np.zeros(n, dtype=bool)
        self.ever_ceasefire = np.zeros(n, dtype=bool)
        self.first_ceasefire_day = np.full(n, -1)
        self.first_ceasefire_end_day = np.full(n, -1)  # day the first ceasefire ended
        self.term_end_day = np.full(n, -1)  # first day after an agreed term; -1: no term
        self.terms_renewed = np.zeros(n, dtype=int)
        self.terms_lapsed = np.zeros(n, dtype=int)
        self.days_held_consecutive = np.zeros(n, dtype=int)
        self.ceasefire_days_held = np.zeros(n, dtype=int)
        self.ceasefire_collapses = np.zeros(n, dtype=int)
        self.escalated = np.zeros(n, dtype=bool)
        self.escalation_day = np.full(n, -1)
        self.self_enforcing = np.zeros(n, dtype=bool)
        self.targeting_probability = np.zeros(n)
        self.war_exposure = np.zeros(n)
        self.detection_probability = p["ceasefire.base_detection_probability"].copy()

        # Dated events: the day each happens in each run (-1: not (yet) known).
        self.deployment_day = self._absolute_day("timeline.deployment")
        self.threat_day = self._absolute_day("timeline.sanctions_threat")
        self.deadline_day = np.full(n, -1)

        # Sanctions: a pending threat, sanctions in force, what Russia believes of the US.
        self.threat_active = np.zeros(n, dtype=bool)
        self.threat_issued = np.zeros(n, dtype=bool)
        self.sanctions_imposed = np.zeros(n, dtype=bool)
        self.sanctions_imposed_day = np.full(n, -1)
        self.sanctions_days_in_force = np.zeros(n, dtype=int)
        self.sanctions_lifted = np.zeros(n, dtype=int)
        self.compliance_days = np.zeros(n, dtype=int)
        self.credibility_belief = p["levers.sanctions_credibility"].copy()
        self.us_backed_down = np.zeros(n, dtype=bool)
        self.deadline_complied = np.zeros(n, dtype=bool)
        self.defiance_observed = np.zeros(n, dtype=bool)

        # The mission.
        self.mission_under_way = np.zeros(n, dtype=bool)
        self.mission_abandoned = np.zeros(n, dtype=bool)
        self.deployment_moving = np.zeros(n, dtype=bool)
        self.deployment_start_day = np.full(n, -1)
        self.deployment_date_reached = np.zeros(n, dtype=bool)
        self.entry_eligible_days = np.zeros(n, dtype=int)
        self.attacks_on_peacekeepers = np.zeros(n, dtype=int)
        self.russia_has_struck = np.zeros(n, dtype=bool)
        self.unanswered_strikes = np.zeros(n, dtype=int)
        self.peak_troops_deployed = np.zeros(n)
        self.escalation_level = np.zeros(n, dtype=np.int8)

        # Violations, deliberate (the equilibrium strategy) and in all.
        self.russia_violation_days = np.zeros(n, dtype=int)
        self.ukraine_violation_days = np.zeros(n, dtype=int)
        self.russia_deliberate_days = np.zeros(n, dtype=int)
        self.ukraine_deliberate_days = np.zeros(n, dtype=int)
        self.russia_deliberate_under_sanctions = np.zeros(n, dtype=int)
        self.ceasefire_days_under_sanctions = np.zeros(n, dtype=int)
        self.defied = np.zeros(n, dtype=bool)  # Russia has defied a threat at least once
        self.ceasefire_days_after_defiance = np.zeros(n, dtype=int)
        self.russia_deliberate_after_defiance = np.zeros(n, dtype=int)

        # What the coalition believes about Russia's resolve (docs/games.md,
        # "Incomplete information"): with private resolve a belief updated by
        # Bayes' rule; with known resolve the coalition sees Russia's strategy.
        self.resolve_private = self.scenario.information.russia_resolve == "private"
        self.belief_resolute = (
            p["information.prior_resolute"].copy() if self.resolve_private else np.zeros(n)
        )
        self.perceived_targeting_probability = np.zeros(n)
        self.entry_threshold = np.full(n, np.inf)
        self.entry_probability = np.zeros(n)
        self.incidents_observed = np.zeros(n, dtype=int)

        # Agents.  Each draws from its own named streams, so creation order is free.
        self.russia = Russia(self)
        self.ukraine = Ukraine(self)
        self.united_states = UnitedStates(self)
        names = list(self.scenario.actors.coalition.states)
        prefix = "actors.coalition.states"
        # Each state's pledge in each run, (states, runs).
        self.pledges = np.stack([p[f"{prefix}.{name}.pledge"] for name in names])
        self.coalition = CoalitionArrays(
            self.pledges,
            np.stack([p[f"{prefix}.{name}.casualty_sensitivity"] for name in names]),
            np.stack([p[f"{prefix}.{name}.domestic_support"] for name in names]),
        )
        self.states = [CoalitionState(self, name, i) for i, name in enumerate(names)]
        self.pledged_total = sum_over_states(self.pledges)
        self.force_pledged = self.pledged_total > 0
        # A pledge below the run's minimum viable force is never launched.
        # A pledge without a UN mandate deters talks in proportion to Russia's objection
        # to its size (constant over a run, so computed once).
        size = provocation(
            self.pledged_total,
            p["actors.russia.reference_force"],
            p["actors.russia.force_size_elasticity"],
        )
        self.pledge_talks_factor = np.where(
            self.force_pledged & ~p["levers.un_mandate"],
            np.power(1.0 - p["ceasefire.pledge_talks_penalty"], size),
            1.0,
        )
        self.launchable = self.force_pledged & (
            self.pledged_total >= p["actors.coalition.minimum_viable_force"]
        )
        # Today's participation decision, per state and run (read by coalition_step).
        self.stays = np.ones((len(self.states), n), dtype=bool)
        self.committed_troops = self.pledged_total.copy()
        self.troops_deployed = np.zeros(n)
        self.games: dict[str, DayGames] = {}
        # The US's reply to defiance by type depends on the run's parameters only.
        self.us_replies = us_replies(self.params)
        self.tables: DayTables | None = None
        # Per game and run: on how many days each profile label (0-3 pure cell,
        # 4 mixed, 5 QRE) was played while the game was in play, and the most
        # equilibria the game had on one of those days.
        self.label_days = {name: np.zeros((n, 6), dtype=int) for name in GAME_ACTIONS}
        self.most_equilibria = {name: np.zeros(n, dtype=int) for name in GAME_ACTIONS}

        self.datacollector = mesa.DataCollector(
            model_reporters={
                "escalation_level": lambda m: m.escalation_level.copy(),
                "troops_deployed": lambda m: m.troops_deployed.astype(np.float32),
                "ceasefire_in_force": lambda m: m.ceasefire_in_force.copy(),
                "peacekeeper_casualties": lambda m: m.total_casualties().astype(np.float32),
            }
        )

    # ------------------------------------------------------------------ helpers

    def key(self, purpose: str) -> np.ndarray:
        """The counter-based generator's key of ``purpose`` (:func:`sim.streams.purpose_key`)."""
        key = self._keys.get(purpose)
        if key is None:
            key = self._keys[purpose] = purpose_key(self.seed, purpose)
        return key

    def uniform(self, purpose: str, slot: int = 0, day: int | None = None) -> np.ndarray:
        """Each run's uniform number of ``purpose`` today (or on ``day``; -1: before day 0)."""
        day = self.day if day is None else day
        return uniforms(self.key(purpose), self.run_ids, day, slot)

    def bernoulli(
        self, purpose: str, probability: np.ndarray | float, where: np.ndarray | None = None
    ) -> np.ndarray:
        """Per run: ``uniform(purpose) < probability``, and False outside ``where``
        (numbers computed only where the outcome is uncertain: :func:`sim.streams.bernoulli`)."""
        return bernoulli(self.key(purpose), self.run_ids, self.day, probability, where)

    def _absolute_day(self, event: str) -> np.ndarray:
        """Per run, the day of ``event`` if it is dated from the start (else -1: not known)."""
        day = self.params[f"{event}.day"]
        return np.where(self.params[f"{event}.after_ceasefire_start"], -1, day)

    def total_casualties(self) -> np.ndarray:
        return sum_over_states(self.coalition.casualties)

    def _start_ceasefire(
        self, starting: np.ndarray, term_days: np.ndarray | None, kind: str
    ) -> None:
        """Start a ceasefire where ``starting``; ``term_days``: per run, the agreed term
        (None: open-ended)."""
        starting = starting & ~self.ceasefire_in_force & ~self.escalated
        if not starting.any():
            return
        self.ceasefire_in_force |= starting
        first = starting & ~self.ever_ceasefire
        self.first_ceasefire_day = np.where(first, self.day, self.first_ceasefire_day)
        self.ever_ceasefire |= starting
        self.days_held_consecutive = np.where(starting, 0, self.days_held_consecutive)
        end = -1 if term_days is None else self.day + term_days
        self.term_end_day = np.where(starting, end, self.term_end_day)
        # Events dated from the first ceasefire's start are fixed now.
        p = self.params
        for event, days in (
            ("timeline.deployment", "deployment_day"),
            ("timeline.sanctions_threat", "threat_day"),
        ):
            fixed = first & p[f"{event}.after_ceasefire_start"] & (p[f"{event}.day"] >= 0)
            setattr(self, days, np.where(fixed, self.day + p[f"{event}.day"], getattr(self, days)))
        if self.trace_run is not None and starting[self.trace_run]:
            term = f" for {term_days[self.trace_run]} days" if term_days is not None else ""
            self._note(f"{kind} begins{term or ' (open-ended)'}")

    def _end_ceasefire(self, ending: np.ndarray) -> None:
        self.ceasefire_collapses += ending
        self.first_ceasefire_end_day = np.where(
            ending & (self.first_ceasefire_end_day < 0), self.day, self.first_ceasefire_end_day
        )
        self.ceasefire_in_force &= ~ending

    def _note(self, text: str) -> None:
        if self.trace_run is not None:
            self._trace_notes.append(text)

    def _traced(self, mask: np.ndarray) -> bool:
        return self.trace_run is not None and bool(mask[self.trace_run])

    # ------------------------------------------------------------------ a day

    def step(self) -> None:
        """Advance every run by one day."""
        self._trace_notes = []
        self._events()
        self._solve_games()
        self._deadlines_and_terms()
        self._coalition_decisions()
        self._coalition_step()
        self.russia.step()
        self.ukraine.step()
        self._consequences()
        self.united_states.step()
        self._sanctions_bookkeeping()
        self._end_of_day()
        self.datacollector.collect(self)
        if self.trace_run is not None:
            self._record_trace()
        self.day += 1

    def _events(self) -> None:
        p, day = self.params, self.day
        # Talks: a negotiated, open-ended ceasefire may be agreed while fighting goes on.
        # A pledged force without a UN mandate deters talks ([S0]: Russia's "no" to the
        # force "has stopped talks") in proportion to Russia's objection to its size;
        # sanctions in force push Russia towards a deal.
        hazard = p["ceasefire.talks_daily_probability"] * (
            1.0 + p["ceasefire.imposed_sanctions_talks_effect"] * self.sanctions_imposed
        )
        hazard = hazard * self.pledge_talks_factor
        self._start_ceasefire(
            p["timeline.ceasefire.day"] == day,
            p["timeline.ceasefire.duration_days"],
            "agreed ceasefire",
        )
        fighting = ~self.ceasefire_in_force & ~self.escalated
        talks = self.bernoulli("talks", np.clip(hazard, 0.0, 1.0), where=fighting)
        self._start_ceasefire(talks, None, "negotiated ceasefire")

        self.defiance_observed = np.zeros(self.n_runs, dtype=bool)
        # threat_day is -1 (never) where the scenario has no threat.
        issued = (self.threat_day == day) & ~self.threat_issued
        self.threat_issued |= issued
        issued &= ~self.sanctions_imposed & ~self.escalated
        self.threat_active |= issued
        self.deadline_day = np.where(
            issued, day + p["timeline.sanctions_threat.deadline_days"], self.deadline_day
        )
        if self._traced(issued):
            self._note("the US issues its sanctions threat")

    def _game_state(self) -> GameState:
        return GameState(
            committed_troops=self.committed_troops,
            troops_deployed=self.troops_deployed,
            threat_active=self.threat_active,
            days_held=self.days_held_consecutive,
            in_term=(self.term_end_day > self.day) & self.ceasefire_in_force,
            us_committed=self.united_states.committed_type,
            sanctions_imposed=self.sanctions_imposed,
            credibility_belief=self.credibility_belief,
            ceasefire_in_force=self.ceasefire_in_force,
            russia_has_struck=self.russia_has_struck,
            unanswered_strikes=self.unanswered_strikes,
        )

    def _solve_games(self) -> None:
        day = build_tables(self.params, self.scenario, self._game_state(), self.us_replies)
        self.tables = day
        self.response_probability_today = day.response_probability
        self.detection_probability = day.detection_probability

        self.games["deployment"] = self._solve("deployment", *day.tables["deployment"])
        dep = self.games["deployment"]
        # Russia's targeting of a force that is there: its best reply to a deployed force
        # today (ties: accept) -- on the equilibrium path once the coalition has entered.
        targeting_gain = dep.col_payoffs[:, 0, 1] - dep.col_payoffs[:, 0, 0]
        if self.scenario.games.selection == "logit_qre":
            # Noisy play: Russia's logit response to a force that is there.
            precision = self.scenario.games.qre_precision
            self.targeting_probability = expit(precision * targeting_gain)
        else:
            self.targeting_probability = (targeting_gain > 0).astype(float)

        # The game the coalition decides entry on.  It knows its ally's type, so it
        # counts on the sanctions Russia would really face -- none from a US that would
        # back down -- rather than on Russia's belief, which the first defiance may
        # overturn (a force let in by a bluff would then be struck).
        # Only Russia's payoff of targeting differs, by the gap between the sanctions it
        # expects and those it would face; the game is solved again only where they differ.
        self.entry_game = dep
        real_penalty = np.where(
            self.sanctions_imposed,
            self.params["actors.russia.sanctions_cost"],
            self.threat_active
            * day.us_imposes_if_defied
            * self.params["actors.russia.sanctions_cost"],
        )
        gap = day.sanctions_penalty - real_penalty
        differs = np.flatnonzero(gap != 0)
        if "deployment" not in self.scenario.games.tables and differs.size:
            # Solved again only where the gap is not zero (elsewhere it is the same
            # game), so what a run plays does not depend on the other runs.
            russia = dep.col_payoffs.copy()
            russia[:, 0, 1] += gap
            again = self._solve("entry", dep.row_payoffs[differs], russia[differs], differs)
            selected = dep.selected
            merged = []
            for field in ("row_first", "col_first", "label", "n_equilibria", "degenerate"):
                values = getattr(selected, field).copy()
                values[differs] = getattr(again.selected, field)
                merged.append(values)
            self.entry_game = DayGames(dep.row_payoffs, russia, Selected(*merged))

        self.games["ceasefire"] = self._solve("ceasefire", *day.tables["ceasefire"])
        ceasefire = self.games["ceasefire"].selected
        hold = self.params["games.qre_hold_probability"]
        noisy_hold = (
            (ceasefire.label == QRE) & (ceasefire.row_first >= hold) & (ceasefire.col_first >= hold)
        )
        # Self-enforcing: the play selected for today is (hold, hold).
        self.self_enforcing = (ceasefire.label == 0) | noisy_hold

        # The sanctions game is played with Russia moving first: its move, then the US's
        # subgame-perfect reply (docs/games.md).  The path is recorded as the profile played.
        us, russia = day.tables["sanctions"]
        complies = day.russia_complies
        imposes = np.where(complies, False, day.us_imposes_if_defied)
        label = np.where(complies, 2, np.where(imposes, 1, 3))
        self.games["sanctions"] = DayGames(
            us,
            russia,
            Selected(
                imposes.astype(float),
                complies.astype(float),
                label,
                np.ones(self.n_runs, dtype=int),
                np.zeros(self.n_runs, dtype=bool),
            ),
        )
        self._record_equilibria()

    def _deadlines_and_terms(self) -> None:
        """A threat's deadline (comply or defy) and the end of an agreed term (renew or lapse)."""
        # The deadline: Russia agrees to a ceasefire if complying is its subgame-perfect
        # move (the deal costs it no more than the sanctions it expects), else it defies.
        due = self.threat_active & (self.deadline_day == self.day) & ~self.ceasefire_in_force
        complies = due & self.tables.russia_complies
        self.deadline_complied |= complies
        self._start_ceasefire(complies, None, "ceasefire agreed under the sanctions deadline")
        self.defiance_observed |= due & ~complies
        if self._traced(due & ~complies):
            self._note("the sanctions deadline passes: Russia defies the threat")

        # The end of an agreed term: renewed, open-ended, if holding is self-enforcing
        # without the term's extra penalties (today's game is built without them), else
        # the ceasefire lapses and fighting resumes.
        ending = self.ceasefire_in_force & (self.term_end_day == self.day)
        renewed = ending & self.self_enforcing
        lapsed = ending & ~self.self_enforcing
        self.terms_renewed += renewed
        self.terms_lapsed += lapsed
        self._end_ceasefire(lapsed)
        if self._traced(renewed):
            self._note("the agreed term ends; holding is self-enforcing: the truce is renewed")
        if self._traced(lapsed):
            self._note("the agreed term ends and holding is not self-enforcing: it lapses")

    def _coalition_decisions(self) -> None:
        """Belief about Russia's resolve, the start of deployment, and who stays."""
        p = self.params
        # Troops in place during fighting are exposed to it (after today's deadline and
        # term decisions, which may have started or ended a ceasefire).
        self.war_exposure = np.where(
            self.ceasefire_in_force, 0.0, p["actors.coalition.war_casualty_exposure"]
        )
        coalition = self.entry_game.row_payoffs
        # The one-shot deterrence game with types: deploy iff the belief that Russia is
        # resolute is at most mu* (sim.games.bayesian); stay-out payoffs need not be 0
        # in a table given explicitly, so compare deploying with staying out.
        self.entry_threshold = deterrence_threshold(
            coalition[:, 0, 0] - coalition[:, 1, 0], coalition[:, 0, 1] - coalition[:, 1, 1]
        )
        day = self.day
        date = (self.deployment_day >= 0) & (day >= self.deployment_day)
        self.deployment_date_reached |= date & self.launchable
        allowed = self.ceasefire_in_force | ~p["levers.deploy_only_during_ceasefire"]
        eligible = (
            date
            & self.launchable
            & allowed
            & ~self.mission_under_way
            & ~self.mission_abandoned
            & ~self.escalated
        )
        if self.resolve_private:
            # A hostile incident is seen with a probability that depends on Russia's
            # type; resolute with the probability that it targets a deployed force.
            resolute = self.targeting_probability
            likely_resolute = p["information.incident_probability_resolute"]
            likely_bluffing = p["information.incident_probability_bluffing"]
            chance = resolute * likely_resolute + (1.0 - resolute) * likely_bluffing
            incident = self.bernoulli("coalition.incidents", chance)
            self.incidents_observed += incident
            self.belief_resolute = update_belief(
                self.belief_resolute, incident, likely_resolute, likely_bluffing
            )
            self.perceived_targeting_probability = self.belief_resolute
            chooses = self.belief_resolute <= self.entry_threshold
            if self._traced(incident):
                self._note(
                    "a hostile incident is observed: the coalition's belief that Russia is "
                    f"resolute is now {self.belief_resolute[self.trace_run]:.3f}"
                )
        else:
            # Complete information: the coalition sees Russia's strategy and plays its
            # own strategy of the selected equilibrium (drawn if it is mixed).  Under
            # logit QRE play it gives a logit response to Russia's noisy reply to a
            # force that is there (the agent QRE of the game played in sequence, as for
            # Russia's targeting): the QRE of the simultaneous game would have it
            # answer Russia's play against a force that stays out, about which Russia
            # is indifferent.
            self.belief_resolute = self.targeting_probability
            self.perceived_targeting_probability = self.targeting_probability
            deploy_probability = self.entry_game.selected.row_first
            if self.scenario.games.selection == "logit_qre":
                deploy_probability = sequential_logit_entry(
                    coalition, self.entry_game.col_payoffs, self.scenario.games.qre_precision
                )
            chooses = self.bernoulli("coalition.entry", deploy_probability, where=eligible)
            self.entry_probability = deploy_probability
        if self.resolve_private:
            self.entry_probability = chooses.astype(float)
        forced = p["levers.deployment_forced"]
        chooses = chooses | forced
        self.entry_probability = np.where(forced, 1.0, self.entry_probability)
        self.belief_at_decision = self.belief_resolute.copy()

        self.entry_eligible_days += eligible
        newly = eligible & chooses
        if self._traced(newly):
            pledged = self.pledged_total[self.trace_run]
            self._note(f"deployment begins ({pledged:,.0f} troops pledged)")
        elif self._traced(eligible):
            self._note("the coalition could deploy today but its equilibrium is to stay out")
        self.deployment_start_day = np.where(newly, day, self.deployment_start_day)
        self.mission_under_way |= newly
        self.deployment_moving = self.mission_under_way & allowed & ~self.escalated
        self._solve_participation()

    def _solve_participation(self) -> None:
        """Which committed states stay today (``self.stays``), by the scenario's rule."""
        c = self.coalition_params
        committed = self.coalition.committed
        if self.scenario.actors.coalition.participation != "public_good" and use_numba():
            states = self.coalition
            self.stays = own_rule_stays(
                states.pledge,
                states.support,
                states.casualty_sensitivity,
                c.casualty_rate_per_attack,
                c.risk_window_days.astype(float),
                c.guarantee_value,
                c.casualty_scale,
                strike_risk(self),
                self.committed_troops >= c.minimum_viable_force,
            )
            return
        benefit, cost = participation_terms(self)
        public_good = self.scenario.actors.coalition.participation == "public_good"
        if public_good and use_numba():
            # The same dynamics, compiled, and only in runs where the mission is under way
            # (elsewhere nobody decides).
            self.stays = public_good_stays(
                committed,
                self.pledges,
                benefit,
                cost,
                np.broadcast_to(c.minimum_viable_force, (self.n_runs,)).astype(float),
                self.mission_under_way,
            )
            return
        if public_good:
            # The threshold public-good game: states leave one at a time, the one that
            # gains most first, until every state left is pivotal or stays at no cost.
            after = best_response_withdrawals(
                committed.T, self.pledges.T, benefit.T, cost.T, c.minimum_viable_force
            )
            self.stays = after.T | ~committed
        else:
            # Each state weighs its own payoff of staying; all decide at once, from the
            # start-of-day committed force.
            viable = self.committed_troops >= c.minimum_viable_force
            self.stays = benefit * viable - cost >= 0

    def _record_equilibria(self) -> None:
        # A game is "in play" when its outcome matters that day: the deployment game
        # while a force is pledged, the ceasefire game while a ceasefire is in force,
        # the sanctions game while a threat is pending or sanctions are in force.
        in_play = {
            "deployment": self.force_pledged,
            "ceasefire": self.ceasefire_in_force,
            "sanctions": self.threat_active | self.sanctions_imposed,
        }
        for name, game in self.games.items():
            playing, selected = in_play[name], game.selected
            if use_numba():
                count_labels(
                    self.label_days[name],
                    self.most_equilibria[name],
                    selected.label,
                    selected.n_equilibria,
                    playing,
                )
                continue
            # Each run appears once, so a plain fancy-indexed add (no np.add.at) is exact.
            self.label_days[name][np.arange(self.n_runs), selected.label] += playing
            count = np.where(playing, selected.n_equilibria, 0)
            self.most_equilibria[name] = np.maximum(self.most_equilibria[name], count)

    def _solve(
        self, name: str, row: np.ndarray, col: np.ndarray, where: np.ndarray | None = None
    ) -> DayGames:
        """Solve game ``name`` in every run, or in the runs at positions ``where``."""
        games = self.scenario.games
        selected = select_equilibrium(
            row,
            col,
            rule=games.selection,
            rng=_DayUniforms(self, f"selection.{name}", where),
            # The model loads numba for its own kernels anyway, so the compiled
            # selection serves batches of any size.
            backend="numba" if use_numba() else "numpy",
            precision=games.qre_precision,
        )
        return DayGames(row, col, selected)

    def _coalition_step(self) -> None:
        """The states leave or stay and move troops (:func:`sim.agents.coalition_step`)."""
        if not use_numba():
            coalition_step(self)
            self._update_force()
            return
        states = self.coalition
        self.committed_troops = np.empty(self.n_runs)
        self.troops_deployed = np.empty(self.n_runs)
        step_states(
            states.pledge,
            states.committed,
            states.deployed,
            self.stays,
            self.mission_under_way,
            self.deployment_moving,
            self.ramp_days,
            self.committed_troops,
            self.troops_deployed,
        )
        self.peak_troops_deployed = np.maximum(self.peak_troops_deployed, self.troops_deployed)

    def _update_force(self) -> None:
        states = self.coalition
        self.committed_troops = sum_over_states(states.pledge * states.committed)
        self.troops_deployed = sum_over_states(states.deployed)
        self.peak_troops_deployed = np.maximum(self.peak_troops_deployed, self.troops_deployed)

    def _consequences(self) -> None:
        p, c = self.params, self.coalition_params
        attacks = self.russia.attacks
        russia_violates, ukraine_violates = self.russia.violates, self.ukraine.violates
        detect = self.detection_probability
        # A strike on the force is always attributed; a violation with probability p.
        russia_detected = attacks | self.bernoulli("detection.russia", detect, russia_violates)
        ukraine_detected = self.bernoulli("detection.ukraine", detect, where=ukraine_violates)
        self.russia_violation_days += russia_violates
        self.ukraine_violation_days += ukraine_violates
        self.russia_deliberate_days += self.russia.deliberate
        self.ukraine_deliberate_days += self.ukraine.deliberate
        under = self.sanctions_imposed & self.ceasefire_in_force
        self.ceasefire_days_under_sanctions += under
        self.russia_deliberate_under_sanctions += under & self.russia.deliberate
        after = self.defied & self.ceasefire_in_force
        self.ceasefire_days_after_defiance += after
        self.russia_deliberate_after_defiance += after & self.russia.deliberate

        # Attacks on peacekeepers: casualties in proportion to each contingent.
        # State i's casualties in run k on day d: a Poisson count from the blocks
        # (k, d, i, *) of the "casualties" key, drawn only for attacked runs.
        attacked = np.flatnonzero(attacks)
        drawn = np.zeros((len(self.states), self.n_runs))
        if attacked.size:
            key, runs = self.key("casualties"), self.run_ids[attacked]
            expected = self.coalition.deployed[:, attacked] * c.casualty_rate_per_attack[attacked]
            for i in range(len(self.states)):
                drawn[i, attacked] = poisson(key, runs, self.day, i, expected[i])
            # Only attacked runs have casualties (elsewhere support would be multiplied by 1).
            absorb_casualties(self, drawn[:, attacked], attacked)
        self.attacks_on_peacekeepers += attacks
        # The governments answer an attack on their mission: the response probability is
        # r(T) of the committed force, the one both sides' tables use today (not only the
        # troops that have arrived while the force ramps up).
        clash = self.bernoulli("response", self.response_probability_today, where=attacks)
        self.escalation_day = np.where(clash & ~self.escalated, self.day, self.escalation_day)
        self.escalated |= clash
        # Russia has carried out its threat; a strike that drew no response teaches it
        # that the next one may not either.
        self.russia_has_struck |= attacks
        self.unanswered_strikes += attacks & ~clash

        # Ceasefire collapse: a unilateral violation spirals with probability
        # s (1 - a [attributed]); both violating ends it with probability q; a clash ends it.
        spiral = p["ceasefire.spiral_probability"]
        reduction = p["ceasefire.attribution_spiral_reduction"]
        russia_only = russia_violates & ~ukraine_violates
        ukraine_only = ukraine_violates & ~russia_violates
        spiral_chance = np.where(
            russia_only,
            spiral * (1.0 - reduction * russia_detected),
            np.where(ukraine_only, spiral * (1.0 - reduction * ukraine_detected), 0.0),
        )
        spirals = self.bernoulli("spiral", spiral_chance)
        mutual = self.bernoulli(
            "mutual_collapse",
            p["ceasefire.mutual_violation_collapse_probability"],
            where=russia_violates & ukraine_violates,
        )
        collapse = self.ceasefire_in_force & (spirals | mutual | self.escalated)
        self._end_ceasefire(collapse)

        # Defiance of a pending threat: an attributed deliberate violation, or a strike.
        # An accidental incident is investigated and not held against Russia (the
        # ceasefire table prices deliberate violations only; docs/model.md, "Sanctions").
        defied = attacks | (self.russia.deliberate & russia_detected)
        self.defiance_observed |= self.threat_active & defied
        # Sanctions in force are lifted after enough compliant days of a ceasefire; an
        # attributed deliberate violation or a strike restarts the clock.
        compliant = self.sanctions_imposed & self.ceasefire_in_force & ~defied
        self.compliance_days = np.where(defied, 0, self.compliance_days + compliant)
        if self.resolve_private:
            # A strike proves resolve (a bluffing type never strikes).  A quiet day with
            # troops present is not read as evidence (docs/games.md).
            self.belief_resolute = np.where(attacks, 1.0, self.belief_resolute)

        if self.trace_run is not None:
            k = self.trace_run
            if attacks[k]:
                self._note(
                    f"Russia strikes the peacekeepers ({self.total_casualties()[k]:.0f} "
                    "casualties so far)"
                )
            if clash[k]:
                self._note(
                    "the coalition and its backers respond militarily: direct NATO-Russia clash"
                )
            for who, violates, deliberate, detected in (
                ("Russia", russia_violates, self.russia.deliberate, russia_detected),
                ("Ukraine", ukraine_violates, self.ukraine.deliberate, ukraine_detected),
            ):
                if violates[k]:
                    how = "deliberately" if deliberate[k] else "by accident"
                    seen = "detected" if detected[k] else "undetected"
                    self._note(f"{who} violates the ceasefire {how} ({seen})")
            if collapse[k]:
                self._note("the ceasefire collapses: fighting resumes")

    def _sanctions_bookkeeping(self) -> None:
        self.defied |= self.threat_active & self.defiance_observed
        imposes = self.united_states.imposes
        relief = self.params["sanctions.relief_after_days"]
        self.sanctions_imposed_day = np.where(
            imposes & (self.sanctions_imposed_day < 0), self.day, self.sanctions_imposed_day
        )
        self.sanctions_imposed |= imposes
        backs_down = self.threat_active & self.defiance_observed & ~imposes
        self.us_backed_down |= backs_down
        # Russia learns the US's type from its reply: a US that imposed will impose again;
        # one that backed down will not.  Either way the pending threat is spent.
        self.credibility_belief = np.where(imposes, 1.0, self.credibility_belief)
        self.credibility_belief = np.where(backs_down, 0.0, self.credibility_belief)
        self.threat_active &= ~self.defiance_observed
        self.compliance_days = np.where(imposes, 0, self.compliance_days)
        # Relief tied to compliance; the threat then stands again (snap-back).
        lifted = self.sanctions_imposed & (self.compliance_days >= relief)
        self.sanctions_imposed &= ~lifted
        self.sanctions_lifted += lifted
        self.threat_active |= lifted
        self.compliance_days = np.where(lifted, 0, self.compliance_days)
        self.sanctions_days_in_force += self.sanctions_imposed
        if self.trace_run is not None:
            k = self.trace_run
            if imposes[k]:
                self._note(
                    "the US imposes sanctions: Russia's cost of an attributed violation is now "
                    f"{self.params['actors.russia.sanctions_cost'][k]:.3g} (relief after "
                    f"{relief[k]} compliant ceasefire days)"
                )
            if backs_down[k]:
                self._note("the US does not carry out its threat: the threat is spent")
            if lifted[k]:
                self._note("sanctions are lifted after compliance; the threat stands again")

    def _end_of_day(self) -> None:
        c = self.coalition_params
        # The force is as the coalition phase left it (casualties change support only).
        # The mission ends when the committed force falls below the minimum viable size.
        failing = (
            self.mission_under_way
            & ~self.mission_abandoned
            & (self.committed_troops < c.minimum_viable_force)
        )
        if failing.any():
            self.coalition.committed &= ~failing
            self.coalition.deployed = np.where(failing, 0.0, self.coalition.deployed)
            if self._traced(failing):
                self._note(
                    "the committed force falls below the minimum viable size: "
                    "the mission is abandoned"
                )
            self.mission_abandoned |= failing
            self.mission_under_way &= ~failing
            self._update_force()

        held = self.ceasefire_in_force
        self.ceasefire_days_held += held
        self.days_held_consecutive = np.where(held, self.days_held_consecutive + 1, 0)

        level = np.where(held, ESCALATION_LEVELS["ceasefire_holding"], ESCALATION_LEVELS["war"])
        violated = self.russia.violates | self.ukraine.violates
        level = np.where(held & violated, ESCALATION_LEVELS["ceasefire_violated"], level)
        level = np.where(self.russia.attacks, ESCALATION_LEVELS["peacekeepers_attacked"], level)
        level = np.where(self.escalated, ESCALATION_LEVELS["nato_russia_clash"], level)
        self.escalation_level = level.astype(np.int8)

    def _record_trace(self) -> None:
        k = self.trace_run
        tables = self.tables
        russia_ceasefire = self.games["ceasefire"].row_payoffs[k]
        entry = {
            "day": self.day,
            "ceasefire_in_force": bool(self.ceasefire_in_force[k]),
            "troops_committed": float(self.committed_troops[k]),
            "troops_deployed": float(self.troops_deployed[k]),
            "escalation_level": int(self.escalation_level[k]),
            "targeting_probability": float(self.targeting_probability[k]),
            "russia_expected_response": float(tables.russia_expected_response[k]),
            "detection_probability": float(self.detection_probability[k]),
            # The belief the coalition decided on today (before any strike revealed more).
            "belief_resolute": float(self.belief_at_decision[k]),
            "entry_threshold": float(np.clip(self.entry_threshold[k], -1.0, 2.0)),
            # The probability with which the coalition would enter today, as decided.
            "coalition_deploy_probability": float(self.entry_probability[k]),
            "sanctions_threat_pending": bool(self.threat_active[k]),
            "sanctions_in_force": bool(self.sanctions_imposed[k]),
            "russia_sanctions_penalty": float(tables.sanctions_penalty[k]),
            "russia_violation_payoff": float(russia_ceasefire[1, 0]),
            "russia_credibility_belief": float(self.credibility_belief[k]),
            "games": {
                name: {
                    "label": int(g.selected.label[k]),
                    "row_first": float(g.selected.row_first[k]),
                    "col_first": float(g.selected.col_first[k]),
                    "n_equilibria": int(g.selected.n_equilibria[k]),
                }
                for name, g in self.games.items()
            },
            "states_committed": [s.name for s in self.states if s.committed[k]],
            "events": list(self._trace_notes),
        }
        self.trace.append(entry)

    # ------------------------------------------------------------------ results

    def run_all(self) -> None:
        """Step through the scenario's horizon."""
        for _ in range(self.scenario.simulation.horizon_days):
            self.step()

    def not_deployed_reason(self) -> np.ndarray:
        """Why the force never entered, per run ("" where it did); docs/model.md, "Outcomes"."""
        p = self.params
        deterred = "belief_above_threshold" if self.resolve_private else "deterred"
        no_ceasefire = np.where(p["levers.deploy_only_during_ceasefire"], "no_ceasefire", "")
        reason = np.where(
            self.entry_eligible_days > 0,
            deterred,
            np.where(
                self.deployment_date_reached & (no_ceasefire != ""), no_ceasefire, "not_scheduled"
            ),
        ).astype(object)
        # Dated from a ceasefire that never came.
        dated_from_ceasefire = (p["timeline.deployment.day"] >= 0) & p[
            "timeline.deployment.after_ceasefire_start"
        ]
        reason[dated_from_ceasefire & ~self.ever_ceasefire] = "no_ceasefire"
        reason[~self.launchable] = "below_minimum_viable_force"
        reason[~self.force_pledged] = "no_force_pledged"
        reason[self.deployment_start_day >= 0] = ""
        return reason

    def run_table(self) -> dict[str, np.ndarray]:
        """Per-run metrics and outcome classes, one array per column."""
        imposed = self.sanctions_imposed_day >= 0
        outcome = classify(self)
        columns: dict[str, np.ndarray] = {
            "outcome": outcome["outcome"],
            "conflict_state": outcome["conflict_state"],
            "force_fate": outcome["force_fate"],
            "not_deployed_reason": self.not_deployed_reason(),
            "force_attacked": self.attacks_on_peacekeepers > 0,
            "force_withdrawn": self.mission_abandoned.copy(),
            "ceasefire_days_held": self.ceasefire_days_held,
            "first_ceasefire_day": np.where(self.ever_ceasefire, self.first_ceasefire_day, -1),
            "ceasefire_collapses": self.ceasefire_collapses,
            "terms_renewed": self.terms_renewed,
            "terms_lapsed": self.terms_lapsed,
            "peak_troops_deployed": np.rint(self.peak_troops_deployed).astype(int),
            "final_troops_deployed": np.rint(self.troops_deployed).astype(int),
            "states_committed_final": self.coalition.committed.sum(axis=0),
            "peacekeeper_casualties": np.rint(self.total_casualties()).astype(int),
            "attacks_on_peacekeepers": self.attacks_on_peacekeepers,
            "sanctions_imposed": imposed,
            "sanctions_imposed_day": self.sanctions_imposed_day,
            "sanctions_days_in_force": self.sanctions_days_in_force,
            "sanctions_lifted": self.sanctions_lifted,
            "us_backed_down": self.us_backed_down,
            "deadline_complied": self.deadline_complied,
            "escalation_day": self.escalation_day,
            "deployment_start_day": self.deployment_start_day,
            "incidents_observed": self.incidents_observed,
            "belief_resolute_final": self.belief_resolute,
            "states_pivotal_final": pivotal_states(
                self.coalition.committed.T,
                self.pledges.T,
                self.coalition_params.minimum_viable_force,
            ).sum(axis=1),
            "russia_violation_days": self.russia_violation_days,
            "ukraine_violation_days": self.ukraine_violation_days,
            "russia_deliberate_violation_days": self.russia_deliberate_days,
            "ukraine_deliberate_violation_days": self.ukraine_deliberate_days,
            "ceasefire_days_under_sanctions": self.ceasefire_days_under_sanctions,
            "russia_deliberate_days_under_sanctions": self.russia_deliberate_under_sanctions,
            "ceasefire_days_after_defiance": self.ceasefire_days_after_defiance,
            "russia_deliberate_days_after_defiance": self.russia_deliberate_after_defiance,
            "us_committed_type": self.united_states.committed_type,
        }
        trajectories = self.trajectories()
        # The first ceasefire's length in days, and whether it ended before the horizon
        # (if not, the length is right-censored: still holding at the end).
        ended = self.first_ceasefire_end_day >= 0
        end = np.where(ended, self.first_ceasefire_end_day, self.day)
        columns["first_ceasefire_length_days"] = np.where(
            self.ever_ceasefire, end - self.first_ceasefire_day, -1
        )
        columns["first_ceasefire_ended"] = ended
        for name, days in self.label_days.items():
            _, row_actions, col_actions = GAME_ACTIONS[name]
            names = [f"{r}/{c}" for r in row_actions for c in col_actions] + ["mixed", "qre"]
            modal = np.array(names, dtype=object)[days.argmax(axis=1)]
            columns[f"{name}_equilibrium_played"] = np.where(days.sum(axis=1) > 0, modal, None)
            columns[f"{name}_equilibria_max"] = self.most_equilibria[name]
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
