"""``sim trace``'s story of one run: an observer that reads the world after each phase.

The phases (:mod:`sim.engine.phases`) know nothing of tracing.  A
:class:`TraceObserver` is told by the model when a day starts, after each
phase, and when the day ends; it compares the traced run's state with what
it was before the phase and writes down what happened ("the US issues its
sanctions threat"), and at the end of the day records the day's state, the
games' selected equilibria and those notes (docs/model.md, "What `sim trace`
records").
"""

from __future__ import annotations

import numpy as np

from sim.engine.world import Setup, World
from sim.games.ladder import HARASSMENT, LADDER_ACTIONS, ladder_table
from sim.games.tables import GAME_ACTIONS

#: The games in their documented order.
_ORDER = {name: i for i, name in enumerate(GAME_ACTIONS)}

__all__ = ["TraceObserver"]

#: The traced run's variables whose change over a phase tells what happened in it.
_WATCHED = (
    "ceasefire_in_force",
    "term_end_day",
    "threat_active",
    "defiance_observed",
    "terms_renewed",
    "terms_lapsed",
    "incidents_observed",
    "deployment_start_day",
    "entry_eligible_days",
    "ceasefire_collapses",
    "sanctions_lifted",
    "mission_abandoned",
    "harassment_attributed",
    "retaliations",
)


class TraceObserver:
    """Records run ``run`` (a position in the model's runs) day by day in ``days``."""

    def __init__(self, run: int) -> None:
        self.run = run
        self.days: list[dict] = []
        self._notes: list[str] = []
        self._before: dict[str, object] = {}

    def _watch(self, w: World) -> dict[str, object]:
        return {name: getattr(w, name)[self.run].item() for name in _WATCHED}

    def start_day(self, w: World) -> None:
        self._notes = []
        self._before = self._watch(w)

    def after_phase(self, phase: str, w: World, setup: Setup) -> None:
        now = self._watch(w)
        notes = getattr(self, f"_{phase}", None)
        if notes is not None:
            self._notes.extend(notes(self._before, now, w, setup))
        self._before = now

    # What each phase may have done, in the order it does it.

    @staticmethod
    def _events(before, now, w: World, setup: Setup) -> list[str]:
        notes = []
        if now["ceasefire_in_force"] and not before["ceasefire_in_force"]:
            if now["term_end_day"] >= 0:
                notes.append(f"agreed ceasefire begins for {now['term_end_day'] - w.day} days")
            else:
                notes.append("negotiated ceasefire begins (open-ended)")
        if now["threat_active"] and not before["threat_active"]:
            notes.append("the US issues its sanctions threat")
        return notes

    @staticmethod
    def _deadlines_and_terms(before, now, w: World, setup: Setup) -> list[str]:
        notes = []
        if now["ceasefire_in_force"] and not before["ceasefire_in_force"]:
            notes.append("ceasefire agreed under the sanctions deadline begins (open-ended)")
        if now["defiance_observed"] and not before["defiance_observed"]:
            notes.append("the sanctions deadline passes: Russia defies the threat")
        if now["terms_renewed"] > before["terms_renewed"]:
            notes.append("the agreed term ends; holding is self-enforcing: the truce is renewed")
        if now["terms_lapsed"] > before["terms_lapsed"]:
            notes.append("the agreed term ends and holding is not self-enforcing: it lapses")
        return notes

    def _coalition_decisions(self, before, now, w: World, setup: Setup) -> list[str]:
        notes = []
        if now["incidents_observed"] > before["incidents_observed"]:
            notes.append(
                "a hostile incident is observed: the coalition's belief that Russia is "
                f"resolute is now {w.belief_resolute[self.run]:.3f}"
            )
        if now["deployment_start_day"] != before["deployment_start_day"]:
            pledged = setup.pledged_total[self.run]
            notes.append(f"deployment begins ({pledged:,.0f} troops pledged)")
        elif now["entry_eligible_days"] > before["entry_eligible_days"]:
            notes.append("the coalition could deploy today but its equilibrium is to stay out")
        return notes

    def _consequences(self, before, now, w: World, setup: Setup) -> list[str]:
        k, notes = self.run, []
        ladder = w.tables.ladder is not None
        if w.russia_attacks[k]:
            casualties = w.total_casualties()[k]
            what = f"a {LADDER_ACTIONS[1][w.russia_rung[k]]}" if ladder else "a strike"
            notes.append(
                f"Russia strikes the peacekeepers: {what} ({casualties:.0f} casualties so far)"
            )
        if ladder and w.russia_rung[k] == HARASSMENT:
            seen = (
                "attributed"
                if now["harassment_attributed"] > before["harassment_attributed"]
                else "deniable: not attributed"
            )
            notes.append(f"Russia harasses the force (drones, sabotage; {seen})")
        if ladder and now["retaliations"] > before["retaliations"]:
            notes.append("the defenders retaliate in kind")
        if w.clash[k]:
            notes.append(
                "the coalition and its backers respond militarily: direct NATO-Russia clash"
            )
        for who, violates, deliberate, detected in (
            ("Russia", w.russia_violates, w.russia_deliberate, w.russia_detected),
            ("Ukraine", w.ukraine_violates, w.ukraine_deliberate, w.ukraine_detected),
        ):
            if violates[k]:
                how = "deliberately" if deliberate[k] else "by accident"
                seen = "detected" if detected[k] else "undetected"
                notes.append(f"{who} violates the ceasefire {how} ({seen})")
        if now["ceasefire_collapses"] > before["ceasefire_collapses"]:
            notes.append("the ceasefire collapses: fighting resumes")
        return notes

    def _sanctions_bookkeeping(self, before, now, w: World, setup: Setup) -> list[str]:
        k, p, notes = self.run, setup.params, []
        if w.us_imposes[k]:
            notes.append(
                "the US imposes sanctions: Russia's cost of an attributed violation is now "
                f"{p['actors.russia.sanctions_cost'][k]:.3g} (relief after "
                f"{p['sanctions.relief_after_days'][k]} compliant ceasefire days)"
            )
        if w.us_backs_down[k]:
            notes.append("the US does not carry out its threat: the threat is spent")
        if now["sanctions_lifted"] > before["sanctions_lifted"]:
            notes.append("sanctions are lifted after compliance; the threat stands again")
        return notes

    @staticmethod
    def _end_of_day(before, now, w: World, setup: Setup) -> list[str]:
        if now["mission_abandoned"] and not before["mission_abandoned"]:
            return [
                "the committed force falls below the minimum viable size: the mission is abandoned"
            ]
        return []

    def _ladder(self, w: World, setup: Setup) -> dict | None:
        """The traced run's strike ladder today: its table, both strategies, what was played."""
        k = self.run
        if w.tables.ladder is None or not setup.force_pledged[k]:
            return None
        russia, defenders = ladder_table(w.tables.ladder.take(np.array([k])))
        _, rungs, postures = LADDER_ACTIONS
        present = w.troops_deployed[k] > 0 and not w.escalated[k]
        return {
            "russia_payoffs": russia[0].tolist(),
            "defenders_payoffs": defenders[0].tolist(),
            "russia_strategy": dict(zip(rungs, w.ladder_x[k].tolist(), strict=True)),
            "defenders_strategy": dict(zip(postures, w.ladder_y[k].tolist(), strict=True)),
            "rung_played": rungs[w.russia_rung[k]] if present else None,
            "posture_played": postures[w.defenders_posture[k]]
            if present and w.russia_rung[k] > 0
            else None,
        }

    def end_day(self, w: World, setup: Setup) -> None:
        """Record the day's state of the traced run, its games and what happened."""
        k, tables = self.run, w.tables
        russia_ceasefire = w.games["ceasefire"].row_payoffs[k]
        self.days.append(
            {
                "day": w.day,
                "ceasefire_in_force": bool(w.ceasefire_in_force[k]),
                "troops_committed": float(w.committed_troops[k]),
                "troops_deployed": float(w.troops_deployed[k]),
                "escalation_level": int(w.escalation_level[k]),
                "targeting_probability": float(w.targeting_probability[k]),
                "russia_expected_response": float(tables.russia_expected_response[k]),
                "detection_probability": float(w.detection_probability[k]),
                # The belief the coalition decided on today (before any strike revealed more).
                "belief_resolute": float(w.belief_at_decision[k]),
                "entry_threshold": float(np.clip(w.entry_threshold[k], -1.0, 2.0)),
                # The probability with which the coalition would enter today, as decided.
                "coalition_deploy_probability": float(w.entry_probability[k]),
                "sanctions_threat_pending": bool(w.threat_active[k]),
                "sanctions_in_force": bool(w.sanctions_imposed[k]),
                "russia_sanctions_penalty": float(tables.sanctions_penalty[k]),
                "russia_violation_payoff": float(russia_ceasefire[1, 0]),
                "russia_credibility_belief": float(w.credibility_belief[k]),
                "games": {
                    name: {
                        "label": int(g.selected.label[k]),
                        "row_first": float(g.selected.row_first[k]),
                        "col_first": float(g.selected.col_first[k]),
                        "n_equilibria": int(g.selected.n_equilibria[k]),
                    }
                    # In the order of the games' table (docs/model.md), whichever
                    # phase solved each.
                    for name, g in sorted(w.games.items(), key=lambda kv: _ORDER[kv[0]])
                },
                "strike_ladder": self._ladder(w, setup),
                "states_committed": [
                    name
                    for name, committed in zip(
                        setup.state_names, w.coalition.committed[:, k], strict=True
                    )
                    if committed
                ],
                "events": list(self._notes),
            }
        )
