"""The console report of a scenario's games (``sim equilibria``): each payoff table,
all its equilibria and which is played, incomplete information and the coalition."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table


def print_decisions(console: Console, d: dict) -> None:
    yes = {True: "yes", False: "no"}
    entry = (
        "forced (the scenario ignores the game)"
        if d["deployment"] == "forced"
        else "as the simulation decides it (its move in the game played in sequence: "
        "entering against the reply it expects from Russia -- its prior belief when "
        "Russia's resolve is private, Russia's reply when it is known; under logit QRE a "
        f"logit response), it deploys with probability {d['coalition_deploy_probability']:.3g}"
    )
    lines = [
        f"Coalition entry: {entry}.",
        f"Russia targets a force that is there: {yes[d['russia_targets_a_deployed_force']]}.",
        "US reply to defiance (subgame-perfect, Russia moving first): committed type "
        f"{'imposes' if d['us_imposes_if_defied']['committed'] else 'refrains'}, uncommitted "
        f"type {'imposes' if d['us_imposes_if_defied']['uncommitted'] else 'refrains'}; "
        f"Russia expects imposition with probability "
        f"{d['russia_expected_imposition_probability']:.3g}.",
        f"At a sanctions deadline with no ceasefire, Russia "
        f"{'complies (agrees to a ceasefire)' if d['russia_complies_at_deadline'] else 'defies'}"
        f" (deal cost {d['deal_cost']:.3g}).",
        "Russia's expected sanctions cost of an attributed violation: "
        f"{d['russia_sanctions_penalty']['threat_pending']:.3g} under a pending threat, "
        f"{d['russia_sanctions_penalty']['sanctions_in_force']:.3g} with sanctions in force "
        "(its payoff of violating while Ukraine holds: "
        f"{d['russia_violation_payoff']['threat_pending']:.3g} and "
        f"{d['russia_violation_payoff']['sanctions_in_force']:.3g}).",
    ]
    console.print("Decisions in this state:", markup=False)
    for line in lines:
        console.print(f"  {line}", markup=False)


def print_game(console: Console, game: dict) -> None:
    row_player, col_player = game["players"]
    console.print("")
    title = f"{game['game']}: {row_player} (rows) × {col_player} (columns)"
    if game.get("explicit_table"):
        title += " — table given in the scenario"
    table = Table(title=title, title_justify="left")
    table.add_column(f"{row_player} \\ {col_player}")
    for action in game["col_actions"]:
        table.add_column(action, justify="center")
    for i, action in enumerate(game["row_actions"]):
        table.add_row(
            action,
            *(
                f"{game['row_payoffs'][i][j]:.4g} , {game['col_payoffs'][i][j]:.4g}"
                for j in range(len(game["col_actions"]))
            ),
        )
    console.print(table)
    console.print(f"(cells: {row_player}'s payoff , {col_player}'s payoff)", markup=False)
    note = " — degenerate game (payoff ties): continua are shown by their extreme points"
    console.print(
        f"Nash equilibria: {len(game['equilibria'])}{note if game['degenerate'] else ''}",
        markup=False,
    )
    for k, eq in enumerate(game["equilibria"], start=1):
        extra = ""
        if "risk_product" in eq:
            extra = f"; risk product {eq['risk_product']:.4g}, payoff sum {eq['payoff_sum']:.4g}"
        console.print(
            f"  {k}. {eq['kind']} {eq['profile']}: {row_player} {eq['row_payoff']:.4g}, "
            f"{col_player} {eq['col_payoff']:.4g}{extra}",
            markup=False,
        )
    played = game["played"]
    profile = played["profile"] or "drawn at random"
    console.print(f"Played ({played['rule']}): {profile} — {played['reason']}", markup=False)
    for player, entry in game["dominance"].items():
        strict = ", ".join(entry["strictly_dominated"]) or "none"
        weak = ", ".join(entry["weakly_dominated"]) or "none"
        console.print(f"Dominated for {player}: strictly {strict}; weakly {weak}", markup=False)
    elimination = game["iterated_elimination"]
    survivors = "; ".join(
        f"{player}: {', '.join(actions)}" for player, actions in elimination["surviving"].items()
    )
    steps = ", then ".join(elimination["steps"]) or "nothing to eliminate"
    console.print(
        f"Iterated elimination of strictly dominated strategies: {steps} → {survivors}",
        markup=False,
    )
    for seq in game["sequential"]:
        replies = ", ".join(f"{a} → {b}" for a, b in seq["follower_strategy"].items())
        line = (
            f"If {seq['leader']} moves first (subgame perfect): {seq['path']}, "
            f"{row_player} {seq['row_payoff']:.4g}, {col_player} {seq['col_payoff']:.4g} "
            f"({seq['follower']} replies {replies})"
        )
        if len(seq["all_paths"]) > 1:
            line += f"; other subgame-perfect paths under other tie-breaks: {seq['all_paths']}"
        if "commitment_value" in seq:
            if seq["differs_from_simultaneous"]:
                line += (
                    f" — differs from simultaneous play; value of moving first to "
                    f"{seq['leader']}: {seq['commitment_value']:+.4g}"
                )
            else:
                line += " — same as simultaneous play"
        console.print(line, markup=False)
    qre = game["qre"]
    console.print(
        f"Logit QRE at precision {qre['precision']:g}: {row_player} "
        + ", ".join(f"{a} {p:.3g}" for a, p in qre["row_strategy"].items())
        + f"; {col_player} "
        + ", ".join(f"{a} {p:.3g}" for a, p in qre["col_strategy"].items()),
        markup=False,
    )


def print_information(console: Console, info: dict) -> None:
    console.print("")
    console.print(
        "Incomplete information: the deployment game with a resolute Russia (targets a "
        "deployed force) and a bluffing one (accepts it); the coalition moves first",
        markup=False,
    )
    threshold = info["threshold"]
    if threshold is None:
        meaning = "none (the coalition's choice does not depend on its belief)"
    elif threshold < 0:
        meaning = f"{threshold:.4g}: the coalition stays out whatever it believes"
    elif threshold >= 1:
        meaning = f"{threshold:.4g}: the coalition deploys whatever it believes"
    else:
        meaning = f"{threshold:.4g}: it stays out if it believes Russia resolute with more"
    console.print(
        f"  Russia's resolve: {info['russia_resolve']}; prior belief that Russia is resolute "
        f"{info['prior_resolute']:.4g} (share of the scenario's draws in which it is: "
        f"{info['resolute_share_of_draws']:.3g}; at these values Russia is "
        f"{info['russia_type_here']})",
        markup=False,
    )
    console.print(f"  Belief threshold μ*: {meaning}", markup=False)
    action = "deploys" if info["coalition_deploys_at_prior"] else "stays out"
    console.print(
        f"  Perfect Bayesian equilibrium at the prior: the coalition {action} (expected payoff "
        f"of deploying {info['expected_payoff_deploy']:.4g}, of staying out "
        f"{info['expected_payoff_stay_out']:.4g}); resolute type: {info['resolute_reply']}, "
        f"bluffing type: {info['bluffing_reply']}",
        markup=False,
    )
    likely = info["incident_probability"]
    line = (
        f"  Bayes' rule: a hostile incident is seen with daily probability "
        f"{likely['resolute']:.3g} (resolute) or {likely['bluffing']:.3g} (bluffing); "
        "a strike on the force proves resolve"
    )
    if info["quiet_days_to_deploy"] is not None:
        line += (
            f"; {info['quiet_days_to_deploy']} days without an incident bring the belief "
            "below the threshold"
        )
    console.print(line, markup=False)


def print_coalition(console: Console, report: dict) -> None:
    console.print("")
    title = (
        f"The coalition's threshold public-good game: the force works if committed troops "
        f"reach {report['threshold_troops']:,} ({report['pledged_total']:,.0f} pledged; "
        f"rule in the model: {report['participation_rule']})"
    )
    table = Table(title=title, title_justify="left")
    indices = "banzhaf" in report["states"][0]
    for column in ("state", "pledge", "benefit", "cost if targeted"):
        table.add_column(column, justify="left" if column == "state" else "right")
    if indices:
        for column in ("pivotal", "Banzhaf", "Shapley–Shubik"):
            table.add_column(column, justify="right")
    for entry in report["states"]:
        cells = [
            entry["name"],
            f"{entry['pledge']:,.0f}",
            f"{entry['benefit']:.3g}",
            f"{entry['cost_if_targeted']:.3g}",
        ]
        if indices:
            cells += [
                "yes" if entry["pivotal_in_full"] else "no",
                f"{entry['banzhaf']:.3f}",
                f"{entry['shapley_shubik']:.3f}",
            ]
        table.add_row(*cells)
    console.print(table)
    console.print(
        "(benefit: support × guarantee value, received by every state if the force is viable; "
        "cost: casualty sensitivity × expected casualties / 100, times the risk that Russia "
        "targets the force; pivotal: the others alone fall short)",
        markup=False,
    )
    for key in ("now", "if_targeted"):
        entry = report[key]
        label = (
            "at the expected risk" if key == "now" else "if Russia targets the force"
        ) + f" (risk {entry['risk']:.3g})"
        for rule in ("public_good", "own_benefit"):
            stay = entry[rule]
            names = ", ".join(stay["stay"]) or "none"
            console.print(
                f"Who stays {label}, {rule}: {len(stay['stay'])} states, "
                f"{stay['troops']:,.0f} troops — {names}",
                markup=False,
            )
    found = report.get("equilibria_if_targeted")
    if found is not None:
        console.print(
            f"Pure Nash equilibria of the threshold game if Russia targets: {found['count']:,} "
            f"({found['winning']:,} reach the threshold, the smallest with "
            f"{found['smallest_winning_states']} states; nobody contributing is "
            f"{'an' if found['none_contribute_is_equilibrium'] else 'not an'} equilibrium)",
            markup=False,
        )
