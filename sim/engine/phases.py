"""The phases of a day: functions of ``(world, setup, streams)``, in the model's order.

Each phase reads the world (:class:`sim.engine.world.World`, every run's state as
arrays), the setup (:class:`sim.engine.world.Setup`: parameters and what follows from
them) and the runs' random numbers (:class:`sim.engine.streams.RunStreams`), and
updates the world in place.  :data:`PHASES` lists them in the order of
docs/model.md ("A day in the model"); :class:`sim.engine.model.CrisisModel` calls
them in turn and lets observers (``sim trace``) look at the world after each.
A test or a kernel can call one phase alone.

1. :func:`events` -- talks may produce a ceasefire; an agreed ceasefire may
   start; events dated from a ceasefire's start are fixed; a sanctions threat
   may be issued;
2. :func:`solve_games` -- the three payoff tables are built for every run from
   the day's state and solved (vectorised);
3. :func:`deadlines_and_terms` -- Russia complies with a threat whose deadline
   falls today or defies it; at the end of an agreed term the ceasefire is
   renewed if holding is self-enforcing, else it lapses;
4. :func:`coalition_decisions` -- the coalition's belief about Russia's
   resolve (when it is private), whether the force enters, which states stay;
5. :func:`coalition_moves`, :func:`russia_acts`, :func:`ukraine_acts` -- the
   actors act, in that order;
6. :func:`consequences` -- detection, casualties, a military response,
   ceasefire collapse;
7. :func:`us_replies_to_defiance`, :func:`sanctions_bookkeeping` -- the US
   replies to observed defiance; sanctions in force are lifted after enough
   compliant days;
8. :func:`end_of_day` -- mission viability, counters, the escalation level.

Two paths, the same bits: the NumPy code written out here is the reference
(``SIM_NO_NUMBA=1`` runs it); by default the work between two random draws runs
in compiled passes over the runs (:mod:`sim.engine.table_kernels` for the tables,
:mod:`sim.engine.phase_kernels` for the bookkeeping, :mod:`sim.engine.day_kernels`
for the coalition and the ladder's chores).  ``tests/test_phase_kernels.py`` runs
every phase both ways and compares the worlds.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import expit

from sim.compiled import use_numba
from sim.engine import phase_kernels as kernels
from sim.engine.agents import (
    CoalitionArrays,
    absorb_casualties,
    coalition_step,
    participation_terms,
    strike_risk,
    sum_over_states,
)
from sim.engine.day_kernels import (
    casualty_exponents,
    count_labels,
    own_rule_stays,
    pledge_weighted_means,
    public_good_stays,
    pure_actions,
    refresh_changed_rows,
    rung_values,
    scale_columns,
    step_states,
)
from sim.engine.outcomes import ESCALATION_LEVELS
from sim.engine.scenario_games import GameState, build_tables, pledge_weighted
from sim.engine.streams import RunStreams
from sim.engine.world import DayGames, Setup, World
from sim.games.bayesian import deterrence_threshold, entry_value, update_belief
from sim.games.coalition import best_response_withdrawals
from sim.games.ladder import (
    HARASSMENT,
    LIMITED,
    MAJOR,
    RETALIATE,
    LadderInputs,
    ladder_constants,
    ladder_tables_at,
)
from sim.games.ladder_solver import enumerate_equilibria, logit_qre, select
from sim.games.selection import QRE, Selected, select_equilibrium

__all__ = [
    "PHASES",
    "coalition_decisions",
    "coalition_moves",
    "consequences",
    "deadlines_and_terms",
    "end_of_day",
    "events",
    "russia_acts",
    "sanctions_bookkeeping",
    "solve_games",
    "start",
    "ukraine_acts",
    "us_replies_to_defiance",
]

Phase = Callable[[World, Setup, RunStreams], None]


def start(setup: Setup, streams: RunStreams) -> World:
    """The world before the first day: nothing has happened; every state with a pledge
    is committed, with its drawn domestic support; dates fixed from the start are
    known; the US's type is drawn; beliefs are at their priors."""
    p, prefix = setup.params, "actors.coalition.states"
    coalition = CoalitionArrays(
        setup.pledges,
        np.stack([p[f"{prefix}.{name}.casualty_sensitivity"] for name in setup.state_names]),
        np.stack([p[f"{prefix}.{name}.domestic_support"] for name in setup.state_names]),
    )
    w = World(n_runs=setup.n_runs, coalition=coalition)
    for event, days in (("deployment", "deployment_day"), ("sanctions_threat", "threat_day")):
        day = p[f"timeline.{event}.day"]
        setattr(w, days, np.where(p[f"timeline.{event}.after_ceasefire_start"], -1, day))
    w.credibility_belief = p["levers.sanctions_credibility"].copy()
    w.us_committed = streams.uniform("us.type", day=-1) < w.credibility_belief
    w.detection_probability = p["ceasefire.base_detection_probability"].copy()
    if setup.resolve_private:
        w.belief_resolute = p["information.prior_resolute"].copy()
    return w


# ---------------------------------------------------------------------- helpers


def _start_ceasefire(
    w: World, setup: Setup, starting: np.ndarray, term_days: np.ndarray | None
) -> None:
    """Start a ceasefire where ``starting``; ``term_days``: per run, the agreed term
    (None: open-ended)."""
    starting = starting & ~w.ceasefire_in_force & ~w.escalated
    if not starting.any():
        return
    p = setup.params
    if use_numba():
        (
            w.first_ceasefire_day, w.days_held_consecutive, w.term_end_day, w.deployment_day,
            w.threat_day,
        ) = kernels.ceasefire_starts(
            w.day, starting, term_days,
            (w.ceasefire_in_force, w.ever_ceasefire),
            (w.first_ceasefire_day, w.days_held_consecutive, w.term_end_day, w.deployment_day,
             w.threat_day),
            (p["timeline.deployment.day"], p["timeline.deployment.after_ceasefire_start"],
             p["timeline.sanctions_threat.day"],
             p["timeline.sanctions_threat.after_ceasefire_start"]),
        )  # fmt: skip
        return
    w.ceasefire_in_force |= starting
    first = starting & ~w.ever_ceasefire
    w.first_ceasefire_day = np.where(first, w.day, w.first_ceasefire_day)
    w.ever_ceasefire |= starting
    w.days_held_consecutive = np.where(starting, 0, w.days_held_consecutive)
    end = -1 if term_days is None else w.day + term_days
    w.term_end_day = np.where(starting, end, w.term_end_day)
    # Events dated from the first ceasefire's start are fixed now.
    for event, days in (("deployment", "deployment_day"), ("sanctions_threat", "threat_day")):
        offset = p[f"timeline.{event}.day"]
        fixed = first & p[f"timeline.{event}.after_ceasefire_start"] & (offset >= 0)
        setattr(w, days, np.where(fixed, w.day + offset, getattr(w, days)))


def _end_ceasefire(w: World, ending: np.ndarray) -> None:
    w.ceasefire_collapses += ending
    w.first_ceasefire_end_day = np.where(
        ending & (w.first_ceasefire_end_day < 0), w.day, w.first_ceasefire_end_day
    )
    w.ceasefire_in_force &= ~ending


class _DayUniforms:
    """A ``Generator``-like view of one purpose's uniforms for the runs on one day.

    :func:`sim.games.selection.select_equilibrium` asks its ``rng`` for
    ``random(n)``; this answers with the counter-based numbers instead.
    """

    def __init__(self, streams: RunStreams, purpose: str, day: int, at: np.ndarray | None):
        self._streams, self._purpose, self._day, self._at = streams, purpose, day, at
        self._size = streams.run_ids.shape[0] if at is None else at.shape[0]

    def random(self, size: int) -> np.ndarray:
        if size != self._size:
            raise ValueError(f"expected one number per run ({self._size}), got {size}")
        return self._streams.uniform(self._purpose, self._day, at=self._at)


def _solve(
    w: World,
    setup: Setup,
    streams: RunStreams,
    name: str,
    tables: tuple[np.ndarray, np.ndarray],
    at: np.ndarray | None = None,
) -> DayGames:
    """Solve game ``name`` in every run, or in the runs at positions ``at``."""
    games = setup.scenario.games
    row, col = tables
    selected = select_equilibrium(
        row,
        col,
        rule=games.selection,
        rng=_DayUniforms(streams, f"selection.{name}", w.day, at),
        # The model loads numba for its own kernels anyway, so the compiled
        # selection serves batches of any size.
        backend="numba" if use_numba() else "numpy",
        precision=games.qre_precision,
    )
    return DayGames(row, col, selected)


def _update_force(w: World) -> None:
    states = w.coalition
    w.committed_troops = sum_over_states(states.pledge * states.committed)
    w.troops_deployed = sum_over_states(states.deployed)
    w.peak_troops_deployed = np.maximum(w.peak_troops_deployed, w.troops_deployed)


# ---------------------------------------------------------------------- 1. events


def events(w: World, setup: Setup, streams: RunStreams) -> None:
    """Ceasefires that start today (agreed, or negotiated in talks), and the threat (with
    ``SIM_NO_NUMBA``, in NumPy; else the same bits from compiled passes)."""
    p, day = setup.params, w.day
    if use_numba():
        agreed = p["timeline.ceasefire.day"] == day
        _start_ceasefire(w, setup, agreed, p["timeline.ceasefire.duration_days"])
        chance, fighting = kernels.talks_chance(
            p["ceasefire.talks_daily_probability"], p["ceasefire.imposed_sanctions_talks_effect"],
            w.sanctions_imposed, setup.pledge_talks_factor, w.ceasefire_in_force, w.escalated,
        )  # fmt: skip
        _start_ceasefire(w, setup, streams.bernoulli("talks", day, chance, where=fighting), None)
        w.defiance_observed = np.zeros(w.n_runs, dtype=bool)
        w.deadline_day = kernels.threats_issued(
            day, w.threat_day, p["timeline.sanctions_threat.deadline_days"],
            (w.threat_issued, w.sanctions_imposed, w.escalated, w.threat_active),
            w.deadline_day,
        )  # fmt: skip
        return
    # Talks: a negotiated, open-ended ceasefire may be agreed while fighting goes on.
    # A pledged force without a UN mandate deters talks ([S0]: Russia's "no" to the
    # force "has stopped talks") in proportion to Russia's objection to its size;
    # sanctions in force push Russia towards a deal.
    hazard = p["ceasefire.talks_daily_probability"] * (
        1.0 + p["ceasefire.imposed_sanctions_talks_effect"] * w.sanctions_imposed
    )
    hazard = hazard * setup.pledge_talks_factor
    agreed = p["timeline.ceasefire.day"] == day  # -1 (never) without a dated ceasefire
    _start_ceasefire(w, setup, agreed, p["timeline.ceasefire.duration_days"])
    fighting = ~w.ceasefire_in_force & ~w.escalated
    talks = streams.bernoulli("talks", day, np.clip(hazard, 0.0, 1.0), where=fighting)
    _start_ceasefire(w, setup, talks, None)

    w.defiance_observed = np.zeros(w.n_runs, dtype=bool)
    # threat_day is -1 (never) where the scenario has no threat.
    issued = (w.threat_day == day) & ~w.threat_issued
    w.threat_issued |= issued
    issued &= ~w.sanctions_imposed & ~w.escalated
    w.threat_active |= issued
    w.deadline_day = np.where(
        issued, day + p["timeline.sanctions_threat.deadline_days"], w.deadline_day
    )


# ---------------------------------------------------------------------- 2. games


def _coalition_means(w: World) -> tuple[np.ndarray, np.ndarray]:
    """Pledge-weighted domestic support and casualty sensitivity of the committed states."""
    states = w.coalition
    if use_numba():
        return pledge_weighted_means(
            states.pledge, states.committed, states.support, states.casualty_sensitivity
        )
    return (
        pledge_weighted(states.pledge, states.committed, states.support),
        pledge_weighted(states.pledge, states.committed, states.casualty_sensitivity),
    )


def _game_state(w: World) -> GameState:
    support, sensitivity = _coalition_means(w)
    return GameState(
        committed_troops=w.committed_troops,
        troops_deployed=w.troops_deployed,
        threat_active=w.threat_active,
        days_held=w.days_held_consecutive,
        in_term=(w.term_end_day > w.day) & w.ceasefire_in_force,
        us_committed=w.us_committed,
        sanctions_imposed=w.sanctions_imposed,
        credibility_belief=w.credibility_belief,
        ceasefire_in_force=w.ceasefire_in_force,
        russia_has_struck=w.russia_has_struck,
        unanswered_strikes=w.unanswered_strikes,
        coalition_support=support,
        coalition_casualty_sensitivity=sensitivity,
    )


def solve_games(w: World, setup: Setup, streams: RunStreams) -> None:
    """Build the day's tables; Russia's reply to a force that is there; the ceasefire game
    (solved, one equilibrium selected) and the sanctions game (in sequence)."""
    p, scenario = setup.params, setup.scenario
    day = build_tables(p, scenario, _game_state(w), setup.us_replies, packed=setup.table_parameters)
    w.tables = day
    w.response_probability = day.response_probability
    w.detection_probability = day.detection_probability

    # The deployment game is played in sequence: the coalition moves (enter or stay
    # out), Russia sees the force and replies.  Russia's reply to a force that is
    # there is its best reply in today's table (ties: accept), from what it knows
    # (its belief about the US's type, what unanswered strikes taught it); the
    # coalition's move, by backward induction from its belief about that reply, is
    # taken in coalition_decisions.
    if day.ladder is not None:
        # The strike ladder: Russia's graded reply and the defenders' posture, an
        # equilibrium of the 4×3 game; "targeting" is a limited or a major strike.
        _solve_ladder(w, setup, streams, day.ladder)
        w.targeting_probability = w.ladder_x[:, LIMITED] + w.ladder_x[:, MAJOR]
    else:
        _, russia = day.tables["deployment"]
        targeting_gain = russia[:, 0, 1] - russia[:, 0, 0]
        if scenario.games.selection == "logit_qre":
            # Noisy play: Russia's logit response to a force that is there.
            w.targeting_probability = expit(scenario.games.qre_precision * targeting_gain)
        else:
            w.targeting_probability = (targeting_gain > 0).astype(float)

    w.games["ceasefire"] = _solve(w, setup, streams, "ceasefire", day.tables["ceasefire"])
    ceasefire = w.games["ceasefire"].selected
    hold = p["games.qre_hold_probability"]
    noisy_hold = (
        (ceasefire.label == QRE) & (ceasefire.row_first >= hold) & (ceasefire.col_first >= hold)
    )
    # Self-enforcing: the play selected for today is (hold, hold).
    w.self_enforcing = (ceasefire.label == 0) | noisy_hold

    # The sanctions game is played with Russia moving first: its move, then the US's
    # subgame-perfect reply (docs/games.md).  The path is recorded as the profile played.
    us, russia_s = day.tables["sanctions"]
    complies = day.russia_complies
    imposes = np.where(complies, False, day.us_imposes_if_defied)
    label = np.where(complies, 2, np.where(imposes, 1, 3))
    one = np.ones(w.n_runs, dtype=int)
    w.games["sanctions"] = DayGames(
        us,
        russia_s,
        Selected(imposes.astype(float), complies.astype(float), label, one, ~one.astype(bool)),
    )
    _record_equilibria(w, setup, ("ceasefire", "sanctions"))


def _solve_ladder(w: World, setup: Setup, streams: RunStreams, inputs: LadderInputs) -> None:
    """The ladder's equilibrium in every run with a force pledged, re-solved only where
    today's inputs differ from those last solved (they change with the force, the
    publics' support, monitoring, sanctions and what Russia has learnt)."""
    games = setup.scenario.games
    state = inputs.state()
    active = setup.force_pledged & ~w.escalated
    if use_numba():
        at, solved_before = refresh_changed_rows(state, w.ladder_state, active)
    else:
        at = np.flatnonzero(active & (state != w.ladder_state).any(axis=1))
        solved_before = ~np.isnan(w.ladder_state[at, 0])
        w.ladder_state[at] = state[at]
    if not at.size:
        return
    if w.ladder_constants is None:
        w.ladder_constants = ladder_constants(inputs.rungs)
    row, col = ladder_tables_at(inputs, at, state, w.ladder_constants)
    w.ladder_solves[at] += 1
    if games.selection == "logit_qre":
        # Noisy play: the logit QRE (the equilibria are not counted).
        w.ladder_x[at], w.ladder_y[at] = logit_qre(
            row, col, games.qre_precision, start=(w.ladder_x[at], w.ladder_y[at], solved_before)
        )
        return
    candidates = enumerate_equilibria(row, col)
    # Under the random rule, the equilibrium drawn is kept while the tables stay (the
    # other rules need no number: none is drawn).
    uniforms = None
    if games.selection == "random":
        uniforms = streams.uniform("selection.ladder", w.day, at=at)
    w.ladder_x[at], w.ladder_y[at] = select(candidates, row, col, games.selection, uniforms)
    w.ladder_equilibria_max[at] = np.maximum(w.ladder_equilibria_max[at], candidates.count)


def _record_equilibria(w: World, setup: Setup, names: tuple[str, ...]) -> None:
    # A game is "in play" when its outcome matters that day: the deployment game
    # while a force is pledged, the ceasefire game while a ceasefire is in force,
    # the sanctions game while a threat is pending or sanctions are in force.
    in_play = {
        "deployment": setup.force_pledged,
        "ceasefire": w.ceasefire_in_force,
        "sanctions": w.threat_active | w.sanctions_imposed,
    }
    for name in names:
        playing, selected = in_play[name], w.games[name].selected
        if use_numba():
            count_labels(
                w.label_days[name],
                w.most_equilibria[name],
                selected.label,
                selected.n_equilibria,
                playing,
            )
            continue
        # Each run appears once, so a plain fancy-indexed add (no np.add.at) is exact.
        w.label_days[name][np.arange(w.n_runs), selected.label] += playing
        count = np.where(playing, selected.n_equilibria, 0)
        w.most_equilibria[name] = np.maximum(w.most_equilibria[name], count)


# ---------------------------------------------------------------------- 3. deadlines and terms


def deadlines_and_terms(w: World, setup: Setup, streams: RunStreams) -> None:
    """A threat's deadline (comply or defy) and the end of an agreed term (renew or lapse)."""
    # The deadline: Russia agrees to a ceasefire if complying is its subgame-perfect
    # move (the deal costs it no more than the sanctions it expects), else it defies.
    deadline = w.threat_active & (w.deadline_day == w.day)
    due = deadline & ~w.ceasefire_in_force
    complies = due & w.tables.russia_complies
    w.deadline_complied |= complies
    _start_ceasefire(w, setup, complies, None)
    w.defiance_observed |= due & ~complies
    # The threat was "sanctions if no deal is reached" [S4]: where a ceasefire is in
    # force at the deadline (agreed before it, or now), the deal is reached.  The
    # threat then stays pending, guarding the deal (sanctions.threat_after_deal:
    # stands, the default), or is withdrawn (withdrawn).
    met = deadline & w.ceasefire_in_force
    w.threat_met |= met
    w.threat_active &= ~(met & ~setup.params["sanctions.threat_stands_after_deal"])

    # The end of an agreed term: renewed, open-ended, if holding is self-enforcing
    # without the term's extra penalties (today's game is built without them), else
    # the ceasefire lapses and fighting resumes.
    ending = w.ceasefire_in_force & (w.term_end_day == w.day)
    w.terms_renewed += ending & w.self_enforcing
    lapsed = ending & ~w.self_enforcing
    w.terms_lapsed += lapsed
    _end_ceasefire(w, lapsed)


# ---------------------------------------------------------------------- 4. coalition decisions


def _belief_about_resolve(w: World, setup: Setup, streams: RunStreams) -> None:
    """The coalition's belief that Russia is resolute, after today's signal."""
    p = setup.params
    if setup.resolve_private:
        # A hostile incident is seen with a probability that depends on Russia's
        # type; resolute with the probability that it targets a deployed force.
        resolute = w.targeting_probability
        likely_resolute = p["information.incident_probability_resolute"]
        likely_bluffing = p["information.incident_probability_bluffing"]
        chance = resolute * likely_resolute + (1.0 - resolute) * likely_bluffing
        incident = streams.bernoulli("coalition.incidents", w.day, chance)
        if use_numba():
            w.belief_resolute = kernels.belief_after_signal(
                w.belief_resolute, incident, likely_resolute, likely_bluffing,
                w.incidents_observed,
            )  # fmt: skip
        else:
            w.incidents_observed += incident
            w.belief_resolute = update_belief(
                w.belief_resolute, incident, likely_resolute, likely_bluffing
            )
    else:
        # Complete information: the coalition knows Russia's reply (under logit QRE
        # play, its noisy reply: the agent QRE of the game played in sequence).
        w.belief_resolute = w.targeting_probability
    w.perceived_targeting_probability = w.belief_resolute


def _coalition_decisions_compiled(w: World, setup: Setup, streams: RunStreams) -> None:
    """:func:`coalition_decisions` with its bookkeeping in the kernels of
    :mod:`sim.engine.phase_kernels`: the same draws, the same bits."""
    p, scenario, day = setup.params, setup.scenario, w.day
    _belief_about_resolve(w, setup, streams)
    coalition = w.tables.tables["deployment"][0]
    w.war_exposure, w.entry_threshold, allowed, eligible, value, enters = kernels.entry_inputs(
        day,
        coalition,
        (w.ceasefire_in_force, p["actors.coalition.war_casualty_exposure"], w.deployment_day,
         setup.launchable, p["levers.deploy_only_during_ceasefire"], w.mission_under_way,
         w.mission_abandoned, w.escalated),
        (w.deployment_date_reached,),
        w.belief_resolute,
    )  # fmt: skip
    logit = scenario.games.selection == "logit_qre"
    deploy_probability = expit(scenario.games.qre_precision * value) if logit else enters
    chooses = streams.bernoulli("coalition.entry", day, deploy_probability, where=eligible)
    w.belief_at_decision = w.belief_resolute.copy()
    w.entry_probability, at_entry, w.deployment_moving, label, accept = kernels.entry_outcome(
        day,
        (chooses, p["levers.deployment_forced"], eligible, deploy_probability,
         w.targeting_probability),
        (allowed, w.escalated, w.tables.sanctions_penalty, w.committed_troops),
        (w.mission_under_way,),
        (w.entry_eligible_days,),
        (w.deployment_start_day, w.targeting_at_entry, w.sanctions_penalty_at_entry,
         w.troops_at_entry, w.entry_own_choice),
    )  # fmt: skip
    (
        w.deployment_start_day, w.targeting_at_entry, w.sanctions_penalty_at_entry,
        w.troops_at_entry, w.entry_own_choice,
    ) = at_entry  # fmt: skip
    _record_deployment_profile(w, setup, deploy_probability, accept, label)
    _solve_participation(w, setup)


def coalition_decisions(w: World, setup: Setup, streams: RunStreams) -> None:
    """Belief about Russia's resolve, the start of deployment, and who stays.

    This is the NumPy reference; the model runs :func:`_coalition_decisions_compiled`
    (unless ``SIM_NO_NUMBA`` is set).
    """
    if use_numba():
        _coalition_decisions_compiled(w, setup, streams)
        return
    p, scenario, day = setup.params, setup.scenario, w.day
    # Troops in place during fighting are exposed to it (after today's deadline and
    # term decisions, which may have started or ended a ceasefire).
    w.war_exposure = np.where(
        w.ceasefire_in_force, 0.0, p["actors.coalition.war_casualty_exposure"]
    )
    coalition, _ = w.tables.tables["deployment"]
    # Entry is the coalition's move in the deployment game played in sequence: it
    # enters iff entering pays at least as much as staying out against the reply it
    # expects from Russia -- the perfect Bayesian equilibrium of the deterrence game
    # with types (sim.games.bayesian), or the subgame-perfect one when it knows
    # Russia's payoffs.  It counts on the sanctions Russia expects (public: the US's
    # replies so far), not on its ally's private type.
    deploy_accept = coalition[:, 0, 0] - coalition[:, 1, 0]
    deploy_target = coalition[:, 0, 1] - coalition[:, 1, 1]
    w.entry_threshold = deterrence_threshold(deploy_accept, deploy_target)
    date = (w.deployment_day >= 0) & (day >= w.deployment_day)
    w.deployment_date_reached |= date & setup.launchable
    allowed = w.ceasefire_in_force | ~p["levers.deploy_only_during_ceasefire"]
    eligible = (
        date
        & setup.launchable
        & allowed
        & ~w.mission_under_way
        & ~w.mission_abandoned
        & ~w.escalated
    )
    _belief_about_resolve(w, setup, streams)
    value = entry_value(w.belief_resolute, deploy_accept, deploy_target)
    if scenario.games.selection == "logit_qre":
        # A logit response to the expected payoff of entering (McKelvey & Palfrey 1995).
        deploy_probability = expit(scenario.games.qre_precision * value)
    else:
        deploy_probability = (value >= 0).astype(float)
    chooses = streams.bernoulli("coalition.entry", day, deploy_probability, where=eligible)
    w.entry_probability = deploy_probability
    forced = p["levers.deployment_forced"]
    chooses = chooses | forced
    w.entry_probability = np.where(forced, 1.0, w.entry_probability)
    w.belief_at_decision = w.belief_resolute.copy()

    w.entry_eligible_days += eligible
    newly = eligible & chooses
    w.deployment_start_day = np.where(newly, day, w.deployment_start_day)
    w.mission_under_way |= newly
    w.deployment_moving = w.mission_under_way & allowed & ~w.escalated
    # What the entry was decided on, for the attack channels (docs/model.md, "Why a
    # force was attacked"): Russia's reply as the force entered, the sanctions it
    # expected and the committed force.
    w.targeting_at_entry = np.where(newly, w.targeting_probability, w.targeting_at_entry)
    w.sanctions_penalty_at_entry = np.where(
        newly, w.tables.sanctions_penalty, w.sanctions_penalty_at_entry
    )
    w.troops_at_entry = np.where(newly, w.committed_troops, w.troops_at_entry)
    w.entry_own_choice = np.where(newly, deploy_probability, w.entry_own_choice)
    _record_deployment_path(w, setup, deploy_probability)
    _solve_participation(w, setup)


def _record_deployment_path(w: World, setup: Setup, deploy_probability: np.ndarray) -> None:
    """The deployment game's profile of the day, played in sequence: the coalition's move
    and Russia's reply to a force that is there (label 5 for noisy play)."""
    enters = deploy_probability >= 0.5
    targets = w.targeting_probability > 0.5
    _record_deployment_profile(
        w, setup, deploy_probability, 1.0 - w.targeting_probability, 2 * (~enters) + targets
    )


def _record_deployment_profile(
    w: World, setup: Setup, deploy: np.ndarray, accept: np.ndarray, label: np.ndarray
) -> None:
    """Record the deployment game's play of the day: the coalition's probability of
    entering, Russia's of accepting, the profile's label (5 under noisy play)."""
    coalition, russia = w.tables.tables["deployment"]
    if setup.scenario.games.selection == "logit_qre":
        label = np.full(w.n_runs, QRE)
    one = np.ones(w.n_runs, dtype=int)
    w.games["deployment"] = DayGames(
        coalition, russia, Selected(deploy, accept, label, one, ~one.astype(bool))
    )
    _record_equilibria(w, setup, ("deployment",))


def _solve_participation(w: World, setup: Setup) -> None:
    """Which committed states stay today (``w.stays``), by the scenario's rule."""
    c, states = setup.coalition, w.coalition
    public_good = setup.scenario.actors.coalition.participation == "public_good"
    if not public_good and use_numba():
        w.stays = own_rule_stays(
            states.pledge,
            states.support,
            states.casualty_sensitivity,
            c.casualty_rate_per_attack,
            c.risk_window_days.astype(float),
            c.guarantee_value,
            c.casualty_scale,
            strike_risk(w),
            w.committed_troops >= c.minimum_viable_force,
        )
        return
    benefit, cost = participation_terms(w, c)
    if public_good and use_numba():
        # The same dynamics, compiled, and only in runs where the mission is under way
        # (elsewhere nobody decides).
        w.stays = public_good_stays(
            states.committed,
            states.pledge,
            benefit,
            cost,
            np.broadcast_to(c.minimum_viable_force, (w.n_runs,)).astype(float),
            w.mission_under_way,
        )
    elif public_good:
        # The threshold public-good game: states leave one at a time, the one that
        # gains most first, until every state left is pivotal or stays at no cost.
        after = best_response_withdrawals(
            states.committed.T, states.pledge.T, benefit.T, cost.T, c.minimum_viable_force
        )
        w.stays = after.T | ~states.committed
    else:
        # Each state weighs its own payoff of staying; all decide at once, from the
        # start-of-day committed force.
        viable = w.committed_troops >= c.minimum_viable_force
        w.stays = benefit * viable - cost >= 0


# ---------------------------------------------------------------------- 5. the actors act


def coalition_moves(w: World, setup: Setup, streams: RunStreams) -> None:
    """The states leave or stay and move troops (:func:`sim.engine.agents.coalition_step`)."""
    if not use_numba():
        coalition_step(w, setup.ramp_days)
        _update_force(w)
        return
    w.committed_troops = np.empty(w.n_runs)
    w.troops_deployed = np.empty(w.n_runs)
    step_states(
        w.coalition.pledge,
        w.coalition.committed,
        w.coalition.deployed,
        w.stays,
        w.mission_under_way,
        w.deployment_moving,
        setup.ramp_days,
        w.committed_troops,
        w.troops_deployed,
    )
    w.peak_troops_deployed = np.maximum(w.peak_troops_deployed, w.troops_deployed)


def russia_acts(w: World, setup: Setup, streams: RunStreams) -> None:
    """Russia strikes with today's targeting probability and violates per the ceasefire game.

    Whether to strike: its best reply, in today's deployment game, to a force
    that is there; the table reflects what it has seen (the force left,
    whether it has already carried out its threat, unanswered strikes,
    sanctions pending or in force).  Whether to violate: its strategy in the
    ceasefire game, plus an accidental (unordered) violation with a small daily
    probability.  A strike during a ceasefire is a violation.
    """
    day, truce = w.day, w.ceasefire_in_force
    accident = setup.params["ceasefire.accidental_violation_probability"]
    force_present = (w.troops_deployed > 0) & ~w.escalated
    if w.tables.ladder is not None:
        # A rung drawn from Russia's equilibrium strategy, and the defenders' posture
        # from theirs (both mixed only in a mixed equilibrium or under logit play).
        at = np.flatnonzero(force_present)
        w.russia_rung = np.zeros(w.n_runs, dtype=int)
        w.defenders_posture = np.zeros(w.n_runs, dtype=int)
        if at.size:
            w.russia_rung[at] = _draw(w.ladder_x[at], streams, "russia.strike", day, at)
            w.defenders_posture[at] = _draw(w.ladder_y[at], streams, "defenders.posture", day, at)
        w.russia_attacks = w.russia_rung >= LIMITED
    else:
        w.russia_attacks = streams.bernoulli(
            "russia.strike", day, w.targeting_probability, force_present
        )
    w.russia_deliberate = streams.bernoulli(
        "russia.violation", day, w.games["ceasefire"].violate_row, truce
    )
    accidental = streams.bernoulli("russia.accident", day, accident, truce)
    w.russia_violates = w.russia_deliberate | accidental | (truce & w.russia_attacks)


def _draw(
    strategy: np.ndarray, streams: RunStreams, purpose: str, day: int, at: np.ndarray
) -> np.ndarray:
    """One action per run at positions ``at`` from its strategy (runs, actions): a pure
    strategy's action, or one drawn from a mixed one by inverting a uniform number
    (drawn only there: counter-based numbers make skipping the others harmless)."""
    if use_numba():
        action, is_mixed = pure_actions(strategy)
        mixed = np.flatnonzero(is_mixed)
    else:
        action = strategy.argmax(axis=1)
        mixed = np.flatnonzero(strategy.max(axis=1) < 1.0)
    if mixed.size:
        u = streams.uniform(purpose, day, at=at[mixed])
        below = np.cumsum(strategy[mixed, :-1], axis=1) < u[:, None]
        action[mixed] = below.sum(axis=1)
    return action


def ukraine_acts(w: World, setup: Setup, streams: RunStreams) -> None:
    """Ukraine violates with its equilibrium probability in the ceasefire game, or by accident."""
    day, truce = w.day, w.ceasefire_in_force
    accident = setup.params["ceasefire.accidental_violation_probability"]
    w.ukraine_deliberate = streams.bernoulli(
        "ukraine.violation", day, w.games["ceasefire"].violate_col, truce
    )
    w.ukraine_violates = w.ukraine_deliberate | streams.bernoulli(
        "ukraine.accident", day, accident, truce
    )


# ---------------------------------------------------------------------- 6. consequences


def consequences(w: World, setup: Setup, streams: RunStreams) -> None:
    """Detection, casualties, the military response, and ceasefire collapse.

    This is the NumPy reference; the model runs :func:`_consequences_compiled`, the same
    draws with the bookkeeping in compiled passes (unless ``SIM_NO_NUMBA`` is set).
    """
    if use_numba():
        _consequences_compiled(w, setup, streams)
        return
    p, day = setup.params, w.day
    attacks = w.russia_attacks
    russia_violates, ukraine_violates = w.russia_violates, w.ukraine_violates
    detect = w.detection_probability
    # A strike on the force is always attributed; a violation with probability p.
    russia_detected = streams.bernoulli("detection.russia", day, detect, russia_violates)
    w.russia_detected = attacks | russia_detected
    w.ukraine_detected = streams.bernoulli("detection.ukraine", day, detect, ukraine_violates)
    w.russia_violation_days += russia_violates
    w.ukraine_violation_days += ukraine_violates
    w.russia_deliberate_days += w.russia_deliberate
    w.ukraine_deliberate_days += w.ukraine_deliberate
    under = w.sanctions_imposed & w.ceasefire_in_force
    w.ceasefire_days_under_sanctions += under
    w.russia_deliberate_under_sanctions += under & w.russia_deliberate
    after = w.defied & w.ceasefire_in_force
    w.ceasefire_days_after_defiance += after
    w.russia_deliberate_after_defiance += after & w.russia_deliberate

    # Attacks on peacekeepers: casualties in proportion to each contingent.
    # State i's casualties in run k on day d: a Poisson count from the blocks
    # (k, d, i, *) of the "casualties" key, drawn only for attacked runs.
    ladder = w.tables.ladder is not None
    if ladder:
        # Harassment is deniable: attributed only when monitors detect it.
        harassment = w.russia_rung == HARASSMENT
        attributed_harassment = streams.bernoulli(
            "detection.harassment", day, detect, where=harassment
        )
        w.harassment_days += harassment
        w.harassment_attributed += attributed_harassment
        w.limited_strikes += w.russia_rung == LIMITED
        w.major_strikes += w.russia_rung == MAJOR
        rungs, rung = w.tables.ladder.rungs, w.russia_rung
        hit = rung > 0
        rung_severity = _rung_values(rung, rungs.harassment_severity, rungs.limited_severity)
    else:
        hit, rung_severity = attacks, 1.0
    _absorb(w, setup, streams, hit, rung_severity)
    w.attacks_on_peacekeepers += attacks
    first = attacks & ~w.russia_has_struck
    w.first_attack_day = np.where(first, day, w.first_attack_day)
    w.targeting_at_first_attack = np.where(
        first, w.targeting_probability, w.targeting_at_first_attack
    )
    w.sanctions_penalty_at_first_attack = np.where(
        first, w.tables.sanctions_penalty, w.sanctions_penalty_at_first_attack
    )
    w.troops_at_first_attack = np.where(first, w.committed_troops, w.troops_at_first_attack)
    # The governments answer an attack on their mission: the response probability is
    # r(T) of the committed force, the one both sides' tables use today (not only the
    # troops that have arrived while the force ramps up).
    if ladder:
        # An attributed act meets the defenders' posture: a clash with probability
        # q = 1 - (1 - m_k r)(1 - c_j) (sim.games.ladder).
        answered = attacks | attributed_harassment
        posture = w.defenders_posture
        automatic_share = _rung_values(rung, rungs.harassment_automatic, rungs.limited_automatic)
        chosen = np.choose(posture, (0.0, rungs.retaliation_clash_probability, 1.0))
        chance = 1.0 - (1.0 - automatic_share * w.response_probability) * (1.0 - chosen)
        w.clash = streams.bernoulli("response", day, chance, where=answered)
        w.retaliations += answered & (w.defenders_posture == RETALIATE)
    else:
        attributed_harassment = False
        w.clash = streams.bernoulli("response", day, w.response_probability, where=attacks)
    w.escalation_day = np.where(w.clash & ~w.escalated, day, w.escalation_day)
    w.escalated |= w.clash
    # Russia has carried out its threat; a strike that drew no response teaches it
    # that the next one may not either.
    w.russia_has_struck |= attacks
    w.unanswered_strikes += attacks & ~w.clash

    # Ceasefire collapse: a unilateral violation spirals with probability
    # s (1 - a [attributed]); both violating ends it with probability q; a clash ends it.
    spiral = p["ceasefire.spiral_probability"]
    reduction = p["ceasefire.attribution_spiral_reduction"]
    # With accidents contained (a structural alternative), only deliberate violations
    # and strikes can end a ceasefire; accidents still count as violations.
    contained = p["ceasefire.accidents_contained"]
    russia_violates = np.where(contained, w.russia_deliberate | attacks, russia_violates)
    ukraine_violates = np.where(contained, w.ukraine_deliberate, ukraine_violates)
    russia_only = russia_violates & ~ukraine_violates
    ukraine_only = ukraine_violates & ~russia_violates
    spiral_chance = np.where(
        russia_only,
        spiral * (1.0 - reduction * w.russia_detected),
        np.where(ukraine_only, spiral * (1.0 - reduction * w.ukraine_detected), 0.0),
    )
    spirals = streams.bernoulli("spiral", day, spiral_chance)
    mutual = streams.bernoulli(
        "mutual_collapse",
        day,
        p["ceasefire.mutual_violation_collapse_probability"],
        where=russia_violates & ukraine_violates,
    )
    _end_ceasefire(w, w.ceasefire_in_force & (spirals | mutual | w.escalated))

    # Defiance of a pending threat: an attributed deliberate violation, or a strike.
    # An accidental incident is investigated and not held against Russia (the
    # ceasefire table prices deliberate violations only; docs/model.md, "Sanctions").
    defied = attacks | attributed_harassment | (w.russia_deliberate & w.russia_detected)
    w.defiance_observed |= w.threat_active & defied
    # Sanctions in force are lifted after enough compliant days of a ceasefire; an
    # attributed deliberate violation or a strike restarts the clock.
    compliant = w.sanctions_imposed & w.ceasefire_in_force & ~defied
    w.compliance_days = np.where(defied, 0, w.compliance_days + compliant)
    if setup.resolve_private:
        # A strike proves resolve (a bluffing type never strikes).  A quiet day with
        # troops present is not read as evidence (docs/games.md).
        w.belief_resolute = np.where(attacks, 1.0, w.belief_resolute)


def _absorb(w: World, setup: Setup, streams: RunStreams, hit: np.ndarray, severity) -> None:
    """Casualties in the runs where ``hit`` (``severity``: the rung's, per run, or 1), and
    the publics' support they cost (:func:`sim.engine.agents.absorb_casualties`, or its
    compiled kernels: the same bits)."""
    c = setup.coalition
    attacked = np.flatnonzero(hit)
    if not attacked.size:
        return
    expected = w.coalition.deployed[:, attacked] * (c.casualty_rate_per_attack * severity)[attacked]
    drawn = streams.poisson_slots("casualties", w.day, expected, attacked)
    # Only attacked runs have casualties (elsewhere support would be multiplied by 1).
    if not use_numba():
        absorb_casualties(w, c, drawn, attacked)
        return
    states = w.coalition
    exponent = casualty_exponents(
        drawn,
        attacked,
        states.casualties,
        states.casualty_sensitivity,
        c.shared_casualty_weight,
        c.casualty_scale,
    )
    scale_columns(states.support, attacked, np.exp(exponent))


def _consequences_compiled(w: World, setup: Setup, streams: RunStreams) -> None:
    """:func:`consequences` with its bookkeeping in the kernels of
    :mod:`sim.engine.phase_kernels`: the same draws, in the same order, the same bits."""
    p, day = setup.params, w.day
    attacks = w.russia_attacks
    detect = w.detection_probability
    russia_detected = streams.bernoulli("detection.russia", day, detect, w.russia_violates)
    w.russia_detected = kernels.consequence_counts(
        (attacks, w.russia_violates, w.ukraine_violates, w.russia_deliberate, w.ukraine_deliberate),
        russia_detected,
        (w.sanctions_imposed, w.ceasefire_in_force, w.defied),
        (
            w.russia_violation_days, w.ukraine_violation_days, w.russia_deliberate_days,
            w.ukraine_deliberate_days, w.ceasefire_days_under_sanctions,
            w.russia_deliberate_under_sanctions, w.ceasefire_days_after_defiance,
            w.russia_deliberate_after_defiance,
        ),
    )  # fmt: skip
    w.ukraine_detected = streams.bernoulli("detection.ukraine", day, detect, w.ukraine_violates)
    ladder = w.tables.ladder
    if ladder is not None:
        rung, rungs = w.russia_rung, ladder.rungs
        harassment = rung == HARASSMENT
        attributed = streams.bernoulli("detection.harassment", day, detect, where=harassment)
        _absorb(
            w, setup, streams, rung > 0,
            _rung_values(rung, rungs.harassment_severity, rungs.limited_severity),
        )  # fmt: skip
        chance, answered = kernels.ladder_reply(
            rung,
            w.defenders_posture,
            attacks,
            attributed,
            (rungs.harassment_automatic, rungs.limited_automatic,
             rungs.retaliation_clash_probability),
            w.response_probability,
            (w.harassment_days, w.harassment_attributed, w.limited_strikes, w.major_strikes,
             w.retaliations),
        )  # fmt: skip
        w.clash = streams.bernoulli("response", day, chance, where=answered)
    else:
        attributed = np.zeros(w.n_runs, dtype=bool)
        _absorb(w, setup, streams, attacks, 1.0)
        w.clash = streams.bernoulli("response", day, w.response_probability, where=attacks)
    firsts, w.escalation_day, spiral_chance, both = kernels.after_the_clash(
        day,
        attacks,
        w.clash,
        (w.targeting_probability, w.tables.sanctions_penalty, w.committed_troops),
        (w.first_attack_day, w.targeting_at_first_attack, w.sanctions_penalty_at_first_attack,
         w.troops_at_first_attack, w.escalation_day),
        (w.escalated, w.russia_has_struck),
        (w.attacks_on_peacekeepers, w.unanswered_strikes),
        (w.russia_violates, w.ukraine_violates, w.russia_deliberate, w.ukraine_deliberate,
         w.russia_detected, w.ukraine_detected),
        (p["ceasefire.accidents_contained"], p["ceasefire.spiral_probability"],
         p["ceasefire.attribution_spiral_reduction"]),
    )  # fmt: skip
    (
        w.first_attack_day, w.targeting_at_first_attack, w.sanctions_penalty_at_first_attack,
        w.troops_at_first_attack,
    ) = firsts  # fmt: skip
    spirals = streams.bernoulli("spiral", day, spiral_chance)
    mutual = streams.bernoulli(
        "mutual_collapse", day, p["ceasefire.mutual_violation_collapse_probability"], where=both
    )
    w.first_ceasefire_end_day, w.compliance_days = kernels.settle_the_day(
        day,
        (spirals, mutual),
        (attacks, attributed, w.russia_deliberate, w.russia_detected, w.threat_active,
         w.sanctions_imposed),
        (w.escalated, w.ceasefire_in_force, w.defiance_observed),
        (w.ceasefire_collapses,),
        w.first_ceasefire_end_day,
        w.compliance_days,
    )  # fmt: skip
    if setup.resolve_private:
        w.belief_resolute = np.where(attacks, 1.0, w.belief_resolute)


def _rung_values(rung: np.ndarray, harassment: np.ndarray, limited: np.ndarray) -> np.ndarray:
    """Per run, the value of the rung played: 0, ``harassment``, ``limited`` or 1."""
    if use_numba():
        return rung_values(rung, harassment, limited)
    return np.choose(rung, (0.0, harassment, limited, 1.0))


# ---------------------------------------------------------------------- 7. the US and sanctions


def us_replies_to_defiance(w: World, setup: Setup, streams: RunStreams) -> None:
    """After observed Russian defiance of a pending threat, the US plays its type's
    subgame-perfect reply: impose iff backing down (its audience cost, if committed)
    would cost it more than imposing."""
    w.us_imposes = w.threat_active & w.defiance_observed & w.tables.us_imposes_if_defied


def sanctions_bookkeeping(w: World, setup: Setup, streams: RunStreams) -> None:
    """Sanctions imposed today, a threat spent, and relief after compliance (snap-back)."""
    if use_numba():
        (
            w.sanctions_imposed_day, w.credibility_belief, w.compliance_days, w.us_backs_down,
        ) = kernels.sanctions_counts(
            w.day, w.threat_active, w.defiance_observed, w.us_imposes,
            setup.params["sanctions.relief_after_days"],
            (w.defied, w.sanctions_imposed, w.us_backed_down, w.threat_active),
            (w.sanctions_imposed_day, w.credibility_belief, w.compliance_days,
             w.sanctions_lifted, w.sanctions_days_in_force),
        )  # fmt: skip
        return
    w.defied |= w.threat_active & w.defiance_observed
    imposes = w.us_imposes
    w.sanctions_imposed_day = np.where(
        imposes & (w.sanctions_imposed_day < 0), w.day, w.sanctions_imposed_day
    )
    w.sanctions_imposed |= imposes
    w.us_backs_down = w.threat_active & w.defiance_observed & ~imposes
    w.us_backed_down |= w.us_backs_down
    # Russia learns the US's type from its reply: a US that imposed will impose again;
    # one that backed down will not.  Either way the pending threat is spent.
    w.credibility_belief = np.where(imposes, 1.0, w.credibility_belief)
    w.credibility_belief = np.where(w.us_backs_down, 0.0, w.credibility_belief)
    w.threat_active &= ~w.defiance_observed
    w.compliance_days = np.where(imposes, 0, w.compliance_days)
    # Relief tied to compliance; the threat then stands again (snap-back).
    relief = setup.params["sanctions.relief_after_days"]
    lifted = w.sanctions_imposed & (w.compliance_days >= relief)
    w.sanctions_imposed &= ~lifted
    w.sanctions_lifted += lifted
    w.threat_active |= lifted
    w.compliance_days = np.where(lifted, 0, w.compliance_days)
    w.sanctions_days_in_force += w.sanctions_imposed


# ---------------------------------------------------------------------- 8. end of day


def end_of_day(w: World, setup: Setup, streams: RunStreams) -> None:
    """Mission viability, the ceasefire's counters, and the day's escalation level."""
    # The force is as the coalition phase left it (casualties change support only).
    # The mission ends when the committed force falls below the minimum viable size.
    failing = (
        w.mission_under_way
        & ~w.mission_abandoned
        & (w.committed_troops < setup.coalition.minimum_viable_force)
    )
    if failing.any():
        w.coalition.committed &= ~failing
        w.coalition.deployed = np.where(failing, 0.0, w.coalition.deployed)
        w.mission_abandoned |= failing
        w.mission_under_way &= ~failing
        _update_force(w)

    held = w.ceasefire_in_force
    if use_numba():
        levels = ESCALATION_LEVELS
        w.days_held_consecutive, w.escalation_level = kernels.end_of_day_counts(
            (levels["ceasefire_holding"], levels["war"], levels["ceasefire_violated"],
             levels["peacekeepers_attacked"], levels["nato_russia_clash"]),
            held,
            (w.ceasefire_days_held, w.days_held_consecutive),
            (w.russia_violates, w.ukraine_violates, w.russia_attacks),
            w.escalated,
        )  # fmt: skip
        return
    w.ceasefire_days_held += held
    w.days_held_consecutive = np.where(held, w.days_held_consecutive + 1, 0)

    level = np.where(held, ESCALATION_LEVELS["ceasefire_holding"], ESCALATION_LEVELS["war"])
    violated = w.russia_violates | w.ukraine_violates
    level = np.where(held & violated, ESCALATION_LEVELS["ceasefire_violated"], level)
    level = np.where(w.russia_attacks, ESCALATION_LEVELS["peacekeepers_attacked"], level)
    level = np.where(w.escalated, ESCALATION_LEVELS["nato_russia_clash"], level)
    w.escalation_level = level.astype(np.int8)


#: The day, in order (docs/model.md, "A day in the model").
PHASES: tuple[tuple[str, Phase], ...] = (
    ("events", events),
    ("solve_games", solve_games),
    ("deadlines_and_terms", deadlines_and_terms),
    ("coalition_decisions", coalition_decisions),
    ("coalition_moves", coalition_moves),
    ("russia_acts", russia_acts),
    ("ukraine_acts", ukraine_acts),
    ("consequences", consequences),
    ("us_replies_to_defiance", us_replies_to_defiance),
    ("sanctions_bookkeeping", sanctions_bookkeeping),
    ("end_of_day", end_of_day),
)
