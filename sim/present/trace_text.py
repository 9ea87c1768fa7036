"""The console story of one run (``sim trace``): what changed day by day, the games
played and the strike ladder's tables."""

from __future__ import annotations

from rich.console import Console


def _describe_games(games: dict) -> str:
    from sim.games.tables import GAME_ACTIONS

    parts = []
    for name, game in games.items():
        _, row_actions, col_actions = GAME_ACTIONS[name]
        if game["label"] < 4:
            played = f"{row_actions[game['label'] // 2]}/{col_actions[game['label'] % 2]}"
        else:
            played = (
                f"mixed {row_actions[0]} {game['row_first']:.2f}, "
                f"{col_actions[0]} {game['col_first']:.2f}"
            )
        parts.append(f"{name} {played} ({game['n_equilibria']} eq.)")
    return "; ".join(parts)


def _day_state(day: dict) -> tuple:
    return (
        day["ceasefire_in_force"],
        day["escalation_level"],
        len(day["states_committed"]),
        _describe_games(day["games"]),
        day["sanctions_threat_pending"],
        day["sanctions_in_force"],
        round(day["russia_sanctions_penalty"], 3),
        round(day["russia_expected_response"], 3),
        _ladder_strategies(day.get("strike_ladder")),
    )


def _ladder_strategies(ladder: dict | None) -> str:
    """The strike ladder's equilibrium strategies, in words ("" without a ladder)."""
    if ladder is None:
        return ""

    def one(strategy: dict) -> str:
        return " / ".join(f"{a} {p:.2f}" for a, p in strategy.items() if p > 0.005)

    return f"Russia {one(ladder['russia_strategy'])}; defenders {one(ladder['defenders_strategy'])}"


def print_ladder_table(console: Console, ladder: dict) -> None:
    rungs, postures = list(ladder["russia_strategy"]), list(ladder["defenders_strategy"])
    width = max(len(r) for r in rungs)
    console.print(
        "         strike ladder table (Russia's payoff , defenders' payoff): "
        + " | ".join(postures),
        markup=False,
    )
    for i, rung in enumerate(rungs):
        cells = "  ".join(
            f"{ladder['russia_payoffs'][i][j]:8.3g} , {ladder['defenders_payoffs'][i][j]:8.3g}"
            for j in range(len(postures))
        )
        console.print(f"           {rung:<{width}}  {cells}", markup=False)


def _sanctions_line(day: dict) -> str | None:
    if day["sanctions_in_force"]:
        state = "sanctions in force"
    elif day["sanctions_threat_pending"]:
        state = "threat pending"
    else:
        return None
    return (
        f"sanctions: {state}; Russia's expected sanctions cost of an attributed violation "
        f"{day['russia_sanctions_penalty']:.3g} (it believes the US is committed with "
        f"probability {day['russia_credibility_belief']:.2f}); its payoff of violating "
        f"while Ukraine holds {day['russia_violation_payoff']:.3g}"
    )


def print_trace(console: Console, result) -> None:
    from sim.present.plots import ESCALATION_LABELS

    console.print(
        f"Run {result.run_index} of {result.n_runs:,} (seed {result.seed}) "
        f"of scenario '{result.scenario.name}'",
        markup=False,
    )
    from sim.engine.parameters import uncertain_parameters

    drawn = [name for name, dist in uncertain_parameters(result.scenario) if dist.dist != "fixed"]
    console.print("Parameters drawn for this run (the others are fixed):", markup=False)
    for name in drawn:
        console.print(f"  {name} = {result.parameters[name]:.4g}", markup=False)
    previous = None
    quiet_from = None
    days = result.days
    private = result.scenario.information.russia_resolve == "private"
    for i, day in enumerate(days):
        state = _day_state(day)
        changed = state != previous or day["events"] or i == len(days) - 1
        if not changed:
            quiet_from = day["day"] if quiet_from is None else quiet_from
            continue
        if quiet_from is not None:
            console.print(f"  days {quiet_from}–{day['day'] - 1}: no change", markup=False)
            quiet_from = None
        status = "ceasefire" if day["ceasefire_in_force"] else "fighting"
        console.print(
            f"day {day['day']:>3}: {status}, {ESCALATION_LABELS[day['escalation_level']]}; "
            f"troops {day['troops_deployed']:,.0f} deployed of {day['troops_committed']:,.0f} "
            f"committed ({len(day['states_committed'])} states); "
            f"P(target force) {day['targeting_probability']:.2f}, "
            f"P(detect violation) {day['detection_probability']:.2f}"
            + (
                f"; coalition's belief Russia is resolute {day['belief_resolute']:.3f} "
                f"(deploys at or below {day['entry_threshold']:.3f})"
                if private
                else ""
            ),
            markup=False,
        )
        console.print(f"         games: {_describe_games(day['games'])}", markup=False)
        ladder = day.get("strike_ladder")
        if ladder is not None:
            played = ""
            if ladder["rung_played"] is not None:
                played = f"; played today: {ladder['rung_played']}"
                if ladder["posture_played"] is not None:
                    played += f", defenders {ladder['posture_played']}"
            console.print(
                f"         strike ladder equilibrium: {_ladder_strategies(ladder)}{played}",
                markup=False,
            )
            if previous is None or previous[-1] != _ladder_strategies(ladder):
                print_ladder_table(console, ladder)
        if day["troops_committed"] > 0:
            console.print(
                "         force: the coalition's move, from its belief, deploys with probability "
                f"{day['coalition_deploy_probability']:.2f}; Russia expects a military "
                f"response to a strike with probability {day['russia_expected_response']:.2f}",
                markup=False,
            )
        sanctions = _sanctions_line(day)
        if sanctions:
            console.print(f"         {sanctions}", markup=False)
        for event in day["events"]:
            console.print(f"         - {event}", markup=False)
        previous = state
    row = result.row
    console.print(f"Outcome: {row['outcome']}", markup=False)
    for name, value in row.items():
        if name not in ("run", "outcome") and not str(name).startswith("param:"):
            console.print(f"  {name} = {value}", markup=False)
