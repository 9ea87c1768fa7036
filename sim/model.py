"""The crisis model: a Mesa model that advances a batch of Monte Carlo runs day by day.

One :class:`CrisisModel` holds ``n_runs`` independent runs of one scenario.
Every piece of state is a NumPy array over the runs, so a day of 10,000 runs is
a handful of vectorised operations, not 10,000 Python objects.  The model owns
the random generator (``model.rng``, one ``numpy.random.Generator``) and the
data collection (a Mesa ``DataCollector`` of daily arrays); agents
(:mod:`sim.agents`) make the decisions.  Nothing here draws plots or touches
files.

A day (documented in ``docs/model.md``, "A day in the model"):

1. dated events and talks: a ceasefire may start (timeline or negotiated), the
   sanctions threat may be issued or its deadline pass;
2. the three payoff tables are built for every run and solved (vectorised);
3. the coalition's decisions: what it believes about Russia's resolve (when
   that is private), whether deployment begins, which states stay (their own
   payoffs, or the threshold public-good game);
4. coalition states, Russia and Ukraine act (in that fixed order);
5. consequences: detection, casualties, military response, ceasefire collapse;
6. the US decides on sanctions after observed defiance;
7. bookkeeping: mission viability, counters, escalation level, data collection.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np
from scipy.special import expit

from sim.agents import CoalitionState, Russia, Ukraine, UnitedStates
from sim.games.bayesian import deterrence_threshold, update_belief
from sim.games.coalition import best_response_withdrawals, pivotal_states
from sim.games.scenario_games import GameState, build_tables
from sim.games.selection import QRE, Selected, select_equilibrium
from sim.games.tables import GAME_ACTIONS, response_probability
from sim.outcomes import ESCALATION_LEVELS, classify
from sim.parameters import RunParameters, draw_parameters, scaled_pledges
from sim.scenario import Scenario

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

    @property
    def impose_probability(self) -> np.ndarray:
        return self.selected.row_first


class _CoalitionParams:
    """Coalition-wide parameters as arrays over runs (attribute access for readability)."""

    def __init__(self, params: RunParameters, scenario: Scenario) -> None:
        prefix = "actors.coalition."
        for name, value in params.values.items():
            if name.startswith(prefix) and name.count(".") == 2:
                setattr(self, name[len(prefix) :], value)
        self.minimum_viable_force = scenario.actors.coalition.minimum_viable_force
        self.risk_window_days = scenario.actors.coalition.risk_window_days


class CrisisModel(mesa.Model):
    """Russia, the coalition states, Ukraine and the US, over ``n_runs`` runs of a scenario.

    ``trace_run``: index (within this batch) of one run whose day-by-day story
    is recorded in ``self.trace`` (see :mod:`sim.trace`).
    """

    def __init__(
        self,
        scenario: Scenario,
        n_runs: int,
        rng: np.random.Generator,
        trace_run: int | None = None,
    ) -> None:
        super().__init__(rng=rng)
        self.scenario = scenario
        self.n_runs = n = n_runs
        self.day = 0
        self.params = draw_parameters(scenario, n, self.rng)
        self.coalition_params = _CoalitionParams(self.params, scenario)
        self.trace_run = trace_run
        self.trace: list[dict] = []

        p = self.params
        self.detection_base = p["ceasefire.base_detection_probability"]
        self.accidental_violation_probability = p["ceasefire.accidental_violation_probability"]
        timeline = scenario.timeline
        self.ramp_days = timeline.deployment.ramp_days if timeline.deployment else 1

        # World state, one entry per run.
        self.ceasefire_in_force = np.zeros(n, dtype=bool)
        self.ever_ceasefire = np.zeros(n, dtype=bool)
        self.first_ceasefire_day = np.full(n, -1)
        self.first_ceasefire_end_day = np.full(n, -1)  # day the first ceasefire collapsed
        self.term_end_day = np.full(n, -1)  # first day after an agreed term; -1: no term
        self.days_held_consecutive = np.zeros(n, dtype=int)
        self.ceasefire_days_held = np.zeros(n, dtype=int)
        self.ceasefire_collapses = np.zeros(n, dtype=int)
        self.escalated = np.zeros(n, dtype=bool)
        self.escalation_day = np.full(n, -1)
        self.threat_active = np.zeros(n, dtype=bool)
        self.sanctions_imposed_day = np.full(n, -1)
        self.defiance_observed = np.zeros(n, dtype=bool)
        self.mission_under_way = np.zeros(n, dtype=bool)
        self.mission_abandoned = np.zeros(n, dtype=bool)
        self.deployment_moving = np.zeros(n, dtype=bool)
        self.attacks_on_peacekeepers = np.zeros(n, dtype=int)
        self.russia_violation_days = np.zeros(n, dtype=int)
        self.ukraine_violation_days = np.zeros(n, dtype=int)
        self.peak_troops_deployed = np.zeros(n)
        self.escalation_level = np.zeros(n, dtype=np.int8)
        self.self_enforcing = np.zeros(n, dtype=bool)
        self.targeting_probability = np.zeros(n)
        self.war_exposure = np.zeros(n)
        self.detection_probability = self.detection_base.copy()
        self.deployment_start_day = np.full(n, -1)

        # What the coalition believes about Russia's resolve (docs/games.md,
        # "Incomplete information"): with private resolve a belief updated by
        # Bayes' rule; with known resolve the coalition sees Russia's strategy.
        self.resolve_private = scenario.information.russia_resolve == "private"
        self.belief_resolute = (
            p["information.prior_resolute"].copy() if self.resolve_private else np.zeros(n)
        )
        self.perceived_targeting_probability = np.zeros(n)
        self.entry_threshold = np.full(n, np.inf)
        self.incidents_observed = np.zeros(n, dtype=int)

        # Agents.  Creation order fixes the order of random draws.
        self.russia = Russia(self)
        self.ukraine = Ukraine(self)
        self.united_states = UnitedStates(self)
        pledges = scaled_pledges(scenario)
        self.states = [
            CoalitionState(self, name, i, pledge)
            for i, (name, pledge) in enumerate(
                zip(scenario.actors.coalition.states, pledges, strict=True)
            )
        ]
        self.pledged_total = float(pledges.sum())
        self.pledges = pledges.astype(float)
        # Today's participation decision, per run and state (read by CoalitionState.step).
        self.stays = np.ones((n, len(self.states)), dtype=bool)
        self.committed_troops = np.full(n, self.pledged_total)
        self.troops_deployed = np.zeros(n)
        self.games: dict[str, DayGames] = {}
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

    def total_casualties(self) -> np.ndarray:
        return sum((s.casualties for s in self.states), np.zeros(self.n_runs))

    def _start_ceasefire(self, starting: np.ndarray, term_days: int | None) -> None:
        starting = starting & ~self.ceasefire_in_force & ~self.escalated
        self.ceasefire_in_force |= starting
        self.first_ceasefire_day = np.where(
            starting & ~self.ever_ceasefire, self.day, self.first_ceasefire_day
        )
        self.ever_ceasefire |= starting
        self.days_held_consecutive = np.where(starting, 0, self.days_held_consecutive)
        end = -1 if term_days is None else self.day + term_days
        self.term_end_day = np.where(starting, end, self.term_end_day)
        if self.trace_run is not None and starting[self.trace_run]:
            kind = "agreed ceasefire" if term_days else "negotiated ceasefire"
            term = f" for {term_days} days" if term_days else " (open-ended)"
            self._note(f"{kind} begins{term}")

    def _note(self, text: str) -> None:
        if self.trace_run is not None:
            self._trace_notes.append(text)

    # ------------------------------------------------------------------ a day

    def step(self) -> None:
        """Advance every run by one day."""
        self._trace_notes: list[str] = []
        self._events()
        self._solve_games()
        self._coalition_decisions()
        for state in self.states:
            state.step()
        self._update_force()
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
        p, t, levers = self.params, self.scenario.timeline, self.scenario.levers
        day = self.day
        # Talks: a negotiated, open-ended ceasefire may be agreed while fighting goes on.
        hazard = p["ceasefire.talks_daily_probability"] * (
            1.0
            + p["ceasefire.sanctions_talks_effect"]
            * self.threat_active
            * p["levers.sanctions_credibility"]
        )
        if levers.troops_pledged > 0 and not levers.un_mandate:
            hazard = hazard * (1.0 - p["ceasefire.pledge_talks_penalty"])
        talks = self.rng.random(self.n_runs) < np.clip(hazard, 0.0, 1.0)
        if t.ceasefire is not None and day == t.ceasefire.day:
            self._start_ceasefire(np.ones(self.n_runs, bool), t.ceasefire.duration_days)
        self._start_ceasefire(talks, None)

        self.defiance_observed = np.zeros(self.n_runs, dtype=bool)
        if t.sanctions_threat is not None:
            if day == t.sanctions_threat.day:
                self.threat_active = self.sanctions_imposed_day < 0
                self._note("US issues its sanctions threat")
            if day == t.sanctions_threat.day + t.sanctions_threat.deadline_days:
                missed = self.threat_active & ~self.ceasefire_in_force
                self.defiance_observed |= missed
                if self.trace_run is not None and missed[self.trace_run]:
                    self._note("sanctions deadline passes with no ceasefire in force")

        # Troops in place during renewed fighting are exposed to it.
        self.war_exposure = np.where(
            self.ceasefire_in_force, 0.0, p["actors.coalition.war_casualty_exposure"]
        )

    def _solve_games(self) -> None:
        state = GameState(
            committed_troops=self.committed_troops,
            troops_deployed=self.troops_deployed,
            threat_active=self.threat_active,
            days_held=self.days_held_consecutive,
            in_term=(self.term_end_day > self.day) & self.ceasefire_in_force,
            us_committed=self.united_states.committed_type,
        )
        day = build_tables(self.params, self.scenario, state)
        self.response_probability_today = day.response_probability
        self.detection_probability = day.detection_probability
        self.russia_violation_gain_today = day.russia_violation_gain

        self.games["deployment"] = self._solve(*day.tables["deployment"])
        dep = self.games["deployment"]
        # Russia's targeting probability against a force that is there: its equilibrium
        # strategy, or -- off the equilibrium path (coalition 'should' stay out) -- its best
        # response to a deployed force (ties: accept).
        targeting_gain = dep.col_payoffs[:, 0, 1] - dep.col_payoffs[:, 0, 0]
        if self.scenario.games.selection == "logit_qre":
            # Noisy play: Russia's logit response to a force that is there.  (Its QRE
            # strategy answers the coalition's QRE play, which may be to stay out --
            # then Russia is indifferent and would "target" half the time.)
            precision = self.scenario.games.qre_precision
            self.targeting_probability = expit(precision * targeting_gain)
        else:
            on_path = dep.selected.row_first > 0
            best_reply = (targeting_gain > 0).astype(float)
            self.targeting_probability = np.where(on_path, 1.0 - dep.selected.col_first, best_reply)

        self.games["ceasefire"] = self._solve(*day.tables["ceasefire"])

        sanctions_game = self._solve(*day.tables["sanctions"])
        # After observed defiance the US best-responds to 'defy' (impose iff that pays more).
        us = sanctions_game.row_payoffs
        impose = (us[:, 0, 1] > us[:, 1, 1]).astype(float)
        self.games["sanctions"] = DayGames(
            us,
            sanctions_game.col_payoffs,
            Selected(
                impose,
                sanctions_game.selected.col_first,
                sanctions_game.selected.label,
                sanctions_game.selected.n_equilibria,
                sanctions_game.selected.degenerate,
            ),
        )
        self._record_equilibria()

    def _coalition_decisions(self) -> None:
        """Belief about Russia's resolve, the start of deployment, and who stays."""
        p, t, levers = self.params, self.scenario.timeline, self.scenario.levers
        coalition = self.games["deployment"].row_payoffs
        # The one-shot deterrence game with types: deploy iff the belief that Russia is
        # resolute is at most mu* (sim.games.bayesian); stay-out payoffs need not be 0
        # in a table given explicitly, so compare deploying with staying out.
        self.entry_threshold = deterrence_threshold(
            coalition[:, 0, 0] - coalition[:, 1, 0], coalition[:, 0, 1] - coalition[:, 1, 1]
        )
        if self.resolve_private:
            # A hostile incident is seen with a probability that depends on Russia's
            # type; resolute with the probability that it targets a deployed force.
            resolute = self.targeting_probability
            likely_resolute = p["information.incident_probability_resolute"]
            likely_bluffing = p["information.incident_probability_bluffing"]
            chance = resolute * likely_resolute + (1.0 - resolute) * likely_bluffing
            incident = self.rng.random(self.n_runs) < chance
            self.incidents_observed += incident
            self.belief_resolute = update_belief(
                self.belief_resolute, incident, likely_resolute, likely_bluffing
            )
            self.perceived_targeting_probability = self.belief_resolute
            enters = self.belief_resolute <= self.entry_threshold
            if self.trace_run is not None and incident[self.trace_run]:
                self._note(
                    "a hostile incident is observed: the coalition's belief that Russia is "
                    f"resolute is now {self.belief_resolute[self.trace_run]:.3f}"
                )
        else:
            # Complete information: the coalition sees Russia's strategy.
            self.belief_resolute = self.targeting_probability
            self.perceived_targeting_probability = self.targeting_probability
            enters = np.ones(self.n_runs, dtype=bool)

        day = self.day
        started = t.deployment is not None and day >= t.deployment.day and self.pledged_total > 0
        allowed = self.ceasefire_in_force | (not levers.deploy_only_during_ceasefire)
        newly = started & allowed & enters & ~self.mission_under_way & ~self.mission_abandoned
        if self.trace_run is not None and newly[self.trace_run]:
            self._note(f"deployment begins ({self.pledged_total:,.0f} troops pledged)")
        self.deployment_start_day = np.where(newly, day, self.deployment_start_day)
        self.mission_under_way |= newly
        self.deployment_moving = self.mission_under_way & allowed & ~self.escalated
        self._solve_participation()

    def _solve_participation(self) -> None:
        """Which committed states stay today (``self.stays``), by the scenario's rule."""
        c = self.coalition_params
        terms = [state.participation_terms() for state in self.states]
        benefit = np.stack([b for b, _ in terms], axis=1)
        cost = np.stack([k for _, k in terms], axis=1)
        committed = np.stack([state.committed for state in self.states], axis=1)
        if self.scenario.actors.coalition.participation == "public_good":
            # The threshold public-good game: states leave one at a time, the one that
            # gains most first, until every state left is pivotal or stays at no cost.
            after = best_response_withdrawals(
                committed, self.pledges, benefit, cost, c.minimum_viable_force
            )
            self.stays = after | ~committed
        else:
            # Each state weighs its own payoff of staying; all decide at once, from the
            # start-of-day committed force.
            viable = self.committed_troops >= c.minimum_viable_force
            self.stays = benefit * viable[:, None] - cost >= 0

    def _record_equilibria(self) -> None:
        # A game is "in play" when its outcome matters that day: the deployment game
        # while a force is pledged, the ceasefire game while a ceasefire is in force,
        # the sanctions game while a threat is pending.
        in_play = {
            "deployment": np.full(self.n_runs, self.pledged_total > 0),
            "ceasefire": self.ceasefire_in_force,
            "sanctions": self.threat_active,
        }
        rows = np.arange(self.n_runs)
        for name, game in self.games.items():
            playing = in_play[name]
            np.add.at(self.label_days[name], (rows[playing], game.selected.label[playing]), 1)
            count = np.where(playing, game.selected.n_equilibria, 0)
            self.most_equilibria[name] = np.maximum(self.most_equilibria[name], count)

    def _solve(self, row: np.ndarray, col: np.ndarray) -> DayGames:
        games = self.scenario.games
        selected = select_equilibrium(
            row, col, rule=games.selection, rng=self.rng, precision=games.qre_precision
        )
        return DayGames(row, col, selected)

    def _update_force(self) -> None:
        self.committed_troops = sum(
            (s.pledge * s.committed for s in self.states), np.zeros(self.n_runs)
        )
        self.troops_deployed = sum((s.deployed for s in self.states), np.zeros(self.n_runs))
        self.peak_troops_deployed = np.maximum(self.peak_troops_deployed, self.troops_deployed)

    def _consequences(self) -> None:
        p, c = self.params, self.coalition_params
        n = self.n_runs
        attacks = self.russia.attacks
        russia_violates, ukraine_violates = self.russia.violates, self.ukraine.violates
        detect = self.detection_probability
        russia_detected = russia_violates & ((self.rng.random(n) < detect) | attacks)
        ukraine_detected = ukraine_violates & (self.rng.random(n) < detect)
        self.russia_violation_days += russia_violates
        self.ukraine_violation_days += ukraine_violates

        # Attacks on peacekeepers: casualties in proportion to each contingent.
        troops_hit = self.troops_deployed.copy()
        for state in self.states:
            expected = np.where(attacks, state.deployed * c.casualty_rate_per_attack, 0.0)
            state.absorb_casualties(self.rng.poisson(expected).astype(float))
        self.attacks_on_peacekeepers += attacks
        reply = response_probability(
            troops_hit,
            c.max_response_probability,
            c.tripwire_scale,
            self.scenario.levers.us_backstop,
            p["actors.united_states.backstop_response_probability"],
        )
        clash = attacks & (self.rng.random(n) < reply)
        self.escalation_day = np.where(clash & ~self.escalated, self.day, self.escalation_day)
        self.escalated |= clash

        # Ceasefire collapse: both violate, or one does and it spirals (less likely when
        # monitors attribute the violation), or a NATO-Russia clash.
        one_side = russia_violates ^ ukraine_violates
        spiral = one_side & (
            self.rng.random(n) < p["ceasefire.spiral_probability"] * (1.0 - detect)
        )
        collapse = self.ceasefire_in_force & (
            (russia_violates & ukraine_violates) | spiral | self.escalated
        )
        self.ceasefire_collapses += collapse
        self.first_ceasefire_end_day = np.where(
            collapse & (self.first_ceasefire_end_day < 0), self.day, self.first_ceasefire_end_day
        )
        self.ceasefire_in_force &= ~collapse
        self.defiance_observed |= russia_detected
        if self.resolve_private:
            # A strike proves resolve (a bluffing type never strikes).  A quiet day with
            # troops present is not read as evidence (docs/games.md).
            self.belief_resolute = np.where(attacks, 1.0, self.belief_resolute)
        # Self-enforcing: the selected play is (hold, hold) -- under logit QRE play,
        # each side holds with probability above 1/2 (its modal action is to hold).
        ceasefire = self.games["ceasefire"].selected
        noisy_hold = (
            (ceasefire.label == QRE) & (ceasefire.row_first > 0.5) & (ceasefire.col_first > 0.5)
        )
        self.self_enforcing = (ceasefire.label == 0) | noisy_hold

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
            if russia_violates[k]:
                self._note(
                    "Russia violates the ceasefire"
                    + (" (detected)" if russia_detected[k] else " (undetected)")
                )
            if ukraine_violates[k]:
                self._note(
                    "Ukraine violates the ceasefire"
                    + (" (detected)" if ukraine_detected[k] else " (undetected)")
                )
            if collapse[k]:
                self._note("the ceasefire collapses: fighting resumes")

    def _sanctions_bookkeeping(self) -> None:
        imposes = self.united_states.imposes
        self.sanctions_imposed_day = np.where(imposes, self.day, self.sanctions_imposed_day)
        if self.trace_run is not None:
            k = self.trace_run
            if imposes[k]:
                self._note("the US imposes sanctions")
            elif self.threat_active[k] and self.defiance_observed[k]:
                self._note("the US does not carry out its threat")
        # A threat is spent once carried out, or once the US has backed down from it.
        self.threat_active &= ~self.defiance_observed

    def _end_of_day(self) -> None:
        c = self.coalition_params
        self._update_force()
        # The mission ends when the committed force falls below the minimum viable size.
        failing = (
            self.mission_under_way
            & ~self.mission_abandoned
            & (self.committed_troops < c.minimum_viable_force)
        )
        if failing.any():
            for state in self.states:
                state.committed &= ~failing
                state.deployed = np.where(failing, 0.0, state.deployed)
            if self.trace_run is not None and failing[self.trace_run]:
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
        if self.trace_run is not None:
            k = self.trace_run
            if held[k] and self.term_end_day[k] == self.day + 1:
                self._note("the agreed ceasefire term ends; the truce continues without it")

        level = np.where(held, ESCALATION_LEVELS["ceasefire_holding"], ESCALATION_LEVELS["war"])
        violated = self.russia.violates | self.ukraine.violates
        level = np.where(held & violated, ESCALATION_LEVELS["ceasefire_violated"], level)
        level = np.where(self.russia.attacks, ESCALATION_LEVELS["peacekeepers_attacked"], level)
        level = np.where(self.escalated, ESCALATION_LEVELS["nato_russia_clash"], level)
        self.escalation_level = level.astype(np.int8)

    def _record_trace(self) -> None:
        k = self.trace_run
        entry = {
            "day": self.day,
            "ceasefire_in_force": bool(self.ceasefire_in_force[k]),
            "troops_committed": float(self.committed_troops[k]),
            "troops_deployed": float(self.troops_deployed[k]),
            "escalation_level": int(self.escalation_level[k]),
            "targeting_probability": float(self.targeting_probability[k]),
            "detection_probability": float(self.detection_probability[k]),
            "belief_resolute": float(self.belief_resolute[k]),
            "entry_threshold": float(np.clip(self.entry_threshold[k], -1.0, 2.0)),
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

    def run_table(self) -> dict[str, np.ndarray]:
        """Per-run metrics and outcome class, one array per column."""
        imposed = self.sanctions_imposed_day >= 0
        outcome = classify(self)
        columns: dict[str, np.ndarray] = {
            "outcome": outcome,
            "ceasefire_days_held": self.ceasefire_days_held,
            "first_ceasefire_day": np.where(self.ever_ceasefire, self.first_ceasefire_day, -1),
            "ceasefire_collapses": self.ceasefire_collapses,
            "peak_troops_deployed": np.rint(self.peak_troops_deployed).astype(int),
            "final_troops_deployed": np.rint(self.troops_deployed).astype(int),
            "states_committed_final": sum(
                (s.committed.astype(int) for s in self.states), np.zeros(self.n_runs, int)
            ),
            "peacekeeper_casualties": np.rint(self.total_casualties()).astype(int),
            "attacks_on_peacekeepers": self.attacks_on_peacekeepers,
            "sanctions_imposed": imposed,
            "sanctions_imposed_day": self.sanctions_imposed_day,
            "escalation_day": self.escalation_day,
            "deployment_start_day": self.deployment_start_day,
            "incidents_observed": self.incidents_observed,
            "belief_resolute_final": self.belief_resolute,
            "states_pivotal_final": pivotal_states(
                np.stack([s.committed for s in self.states], axis=1),
                self.pledges,
                self.coalition_params.minimum_viable_force,
            ).sum(axis=1),
            "russia_violation_days": self.russia_violation_days,
            "ukraine_violation_days": self.ukraine_violation_days,
            "us_committed_type": self.united_states.committed_type,
        }
        trajectories = self.trajectories()
        # The first ceasefire's length in days, and whether it collapsed before the
        # horizon (if not, the length is right-censored: still holding at the end).
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

    def trajectories(self) -> dict[str, np.ndarray]:
        """Daily values, shape (days, runs), from the data collector."""
        data = self.datacollector.model_vars
        return {name: np.stack(data[name]) for name in TRAJECTORY_VARIABLES}
