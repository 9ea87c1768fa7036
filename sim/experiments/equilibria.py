"""What ``sim equilibria`` reports: every game of a scenario, its equilibria and how it is played.

:func:`scenario_report` builds the scenario's three payoff tables at one
parameter point -- the central values of its distributions, or the draws of
one Monte Carlo run -- in a representative state of play (documented in
docs/games.md, "What `sim equilibria` shows"), and describes each game with
:func:`game_report`: all Nash equilibria, the one played and why, dominance,
sequential play (:mod:`sim.games.sequential`) and the logit QRE
(:mod:`sim.games.qre`).  It adds the deterrence game with Russian types
(:func:`information_report`, :mod:`sim.games.bayesian`) and the coalition's
threshold public-good game (:func:`coalition_report`,
:mod:`sim.games.coalition`).  The result is plain JSON-ready data; the
command line prints it as tables or as JSON.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit

from sim.engine.parameters import (
    RunParameters,
    draw_parameters,
    scaled_pledges,
    scenario_settings,
    uncertain_parameters,
)
from sim.engine.scenario_games import DayTables, GameState, build_tables
from sim.games.analysis import all_equilibria, dominance, is_degenerate, iterated_elimination
from sim.games.bayesian import deterrence_pbe, entry_value
from sim.games.coalition import (
    best_response_withdrawals,
    power_indices,
    threshold_equilibria,
)
from sim.games.ladder import LADDER_ACTIONS, ladder_table
from sim.games.ladder_solver import enumerate_equilibria, select
from sim.games.ladder_solver import logit_qre as ladder_qre
from sim.games.qre import logit_qre
from sim.games.selection import QRE, select_equilibrium
from sim.games.sequential import backward_induction, subgame_perfect_equilibria
from sim.games.tables import GAME_ACTIONS
from sim.scenario.schema import Scenario

__all__ = [
    "central_parameters",
    "coalition_report",
    "game_report",
    "information_report",
    "ladder_report",
    "representative_state",
    "run_parameters",
    "scenario_report",
]

#: Parameter draws used to estimate how often Russia is resolute under the scenario.
RESOLUTE_SHARE_DRAWS = 10_000


def central_parameters(scenario: Scenario) -> RunParameters:
    """Every parameter at the centre of its distribution (mean; mode for triangular),
    and the scenario's settings."""
    values = {name: np.array([dist.central()]) for name, dist in uncertain_parameters(scenario)}
    values.update({name: np.array([v]) for name, v in scenario_settings(scenario).items()})
    return RunParameters(values=values, n_runs=1)


def run_parameters(scenario: Scenario, run_index: int, seed: int) -> RunParameters:
    """The parameters drawn for run ``run_index`` of any batch with ``seed``."""
    return draw_parameters(scenario, np.array([run_index]), seed)


def representative_state(scenario: Scenario) -> GameState:
    """The state in which ``sim equilibria`` evaluates the tables.

    The pledged force is committed and, if the scenario deploys it, fully in
    place (so it monitors at full strength); a ceasefire is in its first day
    (within its agreed term if the timeline has one); the sanctions threat is
    pending if the timeline has one.  The US type is given per table.
    """
    timeline, pledged = scenario.timeline, float(scenario.levers.troops_pledged)
    deployed = pledged if timeline.deployment is not None else 0.0
    credibility = scenario.levers.sanctions_credibility.central()
    return GameState(
        committed_troops=np.array([pledged]),
        troops_deployed=np.array([deployed]),
        threat_active=np.array([timeline.sanctions_threat is not None]),
        days_held=np.array([0]),
        in_term=np.array([timeline.ceasefire is not None]),
        us_committed=np.array([True]),
        sanctions_imposed=np.array([False]),
        credibility_belief=np.array([credibility]),
        ceasefire_in_force=np.array([True]),
        russia_has_struck=np.array([False]),
        unanswered_strikes=np.array([0]),
    )


def _strategy(actions: tuple[str, str], probabilities) -> dict[str, float]:
    return {a: round(float(p), 12) for a, p in zip(actions, probabilities, strict=True)}


def _profile_name(row_actions, col_actions, row_first: float, col_first: float) -> str:
    def one(actions, first):
        if first >= 1 - 1e-12:
            return actions[0]
        if first <= 1e-12:
            return actions[1]
        return f"{actions[0]} {first:.3g} / {actions[1]} {1 - first:.3g}"

    return f"({one(row_actions, row_first)}, {one(col_actions, col_first)})"


def game_report(
    name: str,
    row_payoffs: np.ndarray,
    col_payoffs: np.ndarray,
    players: tuple[str, str],
    row_actions: tuple[str, str],
    col_actions: tuple[str, str],
    rule: str,
    precision: float,
) -> dict:
    """All about one 2×2 game: table, equilibria, the profile played and why, dominance."""
    # (+ 0.0 turns -0.0, from negating a zero cost, into 0.0 for display)
    A, B = np.asarray(row_payoffs, float) + 0.0, np.asarray(col_payoffs, float) + 0.0
    equilibria = all_equilibria(A, B)
    row_loss = A - A[::-1, :]
    col_loss = B - B[:, ::-1]
    listed = []
    for eq in equilibria:
        entry = {
            "kind": eq.kind,
            "profile": _profile_name(
                row_actions, col_actions, eq.row_strategy[0], eq.col_strategy[0]
            ),
            "row_strategy": _strategy(row_actions, eq.row_strategy),
            "col_strategy": _strategy(col_actions, eq.col_strategy),
            "row_payoff": eq.row_payoff,
            "col_payoff": eq.col_payoff,
        }
        if eq.kind == "pure":
            i, j = eq.row_strategy.index(1.0), eq.col_strategy.index(1.0)
            entry["risk_product"] = float(row_loss[i, j] * col_loss[i, j])
            entry["payoff_sum"] = float(A[i, j] + B[i, j])
        listed.append(entry)

    played: dict = {"rule": rule}
    if rule == "random":
        played["profile"] = None
        played["reason"] = (
            f"each day one of the {len(equilibria)} equilibria is drawn at random (uniformly)"
        )
    else:
        chosen = select_equilibrium(A, B, rule=rule, precision=precision)
        row_first, col_first = float(chosen.row_first[0]), float(chosen.col_first[0])
        played["profile"] = _profile_name(row_actions, col_actions, row_first, col_first)
        played["row_strategy"] = _strategy(row_actions, (row_first, 1 - row_first))
        played["col_strategy"] = _strategy(col_actions, (col_first, 1 - col_first))
        played["reason"] = _reason(rule, listed, int(chosen.label[0]), precision)
    dominated = dominance(A, B)
    rows_left, cols_left, steps = iterated_elimination(A, B)
    simultaneous = None
    if "row_strategy" in played:
        simultaneous = (
            np.array(list(played["row_strategy"].values())),
            np.array(list(played["col_strategy"].values())),
        )
    qre = logit_qre(A, B, precision)
    qre_row = np.array([qre.row_first[0], 1 - qre.row_first[0]])
    qre_col = np.array([qre.col_first[0], 1 - qre.col_first[0]])
    return {
        "game": name,
        "players": list(players),
        "row_actions": list(row_actions),
        "col_actions": list(col_actions),
        "row_payoffs": A.tolist(),
        "col_payoffs": B.tolist(),
        "degenerate": is_degenerate(A, B),
        "equilibria": listed,
        "played": played,
        "dominance": {
            players[0]: {
                "strictly_dominated": [row_actions[i] for i in dominated.row_strictly_dominated],
                "weakly_dominated": [row_actions[i] for i in dominated.row_weakly_dominated],
            },
            players[1]: {
                "strictly_dominated": [col_actions[j] for j in dominated.col_strictly_dominated],
                "weakly_dominated": [col_actions[j] for j in dominated.col_weakly_dominated],
            },
        },
        "iterated_elimination": {
            "surviving": {
                players[0]: [row_actions[i] for i in rows_left],
                players[1]: [col_actions[j] for j in cols_left],
            },
            "steps": [
                f"{players[0] if who == 'row' else players[1]} drops "
                f"'{(row_actions if who == 'row' else col_actions)[k]}'"
                for who, k in steps
            ],
        },
        "sequential": [
            _sequential(A, B, players, row_actions, col_actions, leader, simultaneous)
            for leader in ("row", "col")
        ],
        "qre": {
            "precision": precision,
            "row_strategy": _strategy(row_actions, qre_row),
            "col_strategy": _strategy(col_actions, qre_col),
            "row_payoff": float(qre_row @ A @ qre_col),
            "col_payoff": float(qre_row @ B @ qre_col),
        },
    }


def _mixed_name(actions, strategy) -> str:
    if strategy.max() >= 1 - 1e-12:
        return actions[int(strategy.argmax())]
    return " / ".join(f"{a} {p:.3g}" for a, p in zip(actions, strategy, strict=True) if p > 1e-12)


def _dominated(payoffs: np.ndarray, alive_own, alive_other, strict: bool) -> list[int]:
    """Own actions (rows of ``payoffs``, own × other) dominated by another pure action."""
    out = []
    for a in alive_own:
        for b in alive_own:
            if a == b:
                continue
            diff = payoffs[b, alive_other] - payoffs[a, alive_other]
            if (diff > 0).all() if strict else ((diff >= 0).all() and (diff > 0).any()):
                out.append(a)
                break
    return out


def ladder_report(tables: DayTables, rule: str, precision: float) -> dict:
    """All about the strike ladder (a 4×3 game), in the form of :func:`game_report`."""
    players, row_actions, col_actions = LADDER_ACTIONS
    A3, B3 = ladder_table(tables.ladder)
    A, B = A3[0] + 0.0, B3[0] + 0.0
    found = enumerate_equilibria(A3, B3, shortcut=False)
    listed = []
    for k in range(int(found.count[0])):
        x, y = found.x[0, k], found.y[0, k]
        pure = x.max() >= 1 - 1e-12 and y.max() >= 1 - 1e-12
        listed.append(
            {
                "kind": "pure" if pure else "mixed",
                "profile": f"({_mixed_name(row_actions, x)}, {_mixed_name(col_actions, y)})",
                "row_strategy": _strategy(row_actions, x),
                "col_strategy": _strategy(col_actions, y),
                "row_payoff": float(x @ A @ y),
                "col_payoff": float(x @ B @ y),
                "payoff_sum": float(x @ (A + B) @ y),
            }
        )
    played: dict = {"rule": rule}
    if rule == "random":
        played["profile"] = None
        played["reason"] = (
            f"one of the {len(listed)} equilibria, drawn at random and kept while the table "
            "stays the same"
        )
        x = y = None
    else:
        if rule == "logit_qre":
            x, y = (v[0] for v in ladder_qre(A3, B3, precision))
            reason = f"logit quantal response equilibrium at precision {precision:g}"
        else:
            x, y = (v[0] for v in select(found, A3, B3, rule))
            if len(listed) == 1:
                reason = "the game's only equilibrium"
            elif rule == "max_entropy":
                reason = "the equilibrium with the largest total entropy"
            else:
                reason = "the equilibrium with the largest sum of expected payoffs"
        played["profile"] = f"({_mixed_name(row_actions, x)}, {_mixed_name(col_actions, y)})"
        played["row_strategy"] = _strategy(row_actions, x)
        played["col_strategy"] = _strategy(col_actions, y)
        played["reason"] = reason
    m, n = A.shape
    # Iterated elimination of strictly dominated pure actions.
    rows, cols, steps = list(range(m)), list(range(n)), []
    while True:
        drop_rows = _dominated(A, rows, cols, strict=True)
        drop_cols = _dominated(B.T, cols, rows, strict=True)
        if not drop_rows and not drop_cols:
            break
        steps += [("row", i) for i in drop_rows] + [("col", j) for j in drop_cols]
        rows = [i for i in rows if i not in drop_rows]
        cols = [j for j in cols if j not in drop_cols]
    sequential = []
    for leader in ("row", "col"):
        lead_pay, follow_pay = (A, B) if leader == "row" else (B.T, A.T)
        replies = follow_pay.argmax(axis=1)  # the follower's reply to each leader action
        outcome = lead_pay[np.arange(lead_pay.shape[0]), replies]
        move = int(outcome.argmax())
        i, j = (move, int(replies[move])) if leader == "row" else (int(replies[move]), move)
        lead_actions, follow_actions = (
            (row_actions, col_actions) if leader == "row" else (col_actions, row_actions)
        )
        lead, follow = (0, 1) if leader == "row" else (1, 0)
        sequential.append(
            {
                "leader": players[lead],
                "follower": players[follow],
                "follower_strategy": {
                    lead_actions[a]: follow_actions[int(replies[a])] for a in range(len(replies))
                },
                "path": f"({row_actions[i]}, {col_actions[j]})",
                "row_payoff": float(A[i, j]),
                "col_payoff": float(B[i, j]),
                "all_paths": [f"({row_actions[i]}, {col_actions[j]})"],
            }
        )
    qre_x, qre_y = (v[0] for v in ladder_qre(A3, B3, precision))
    ties = any((np.abs(B[i] - B[i].max()) <= 1e-12).sum() > 1 for i in range(m)) or any(
        (np.abs(A[:, j] - A[:, j].max()) <= 1e-12).sum() > 1 for j in range(n)
    )
    return {
        "game": "strike_ladder",
        "players": list(players),
        "row_actions": list(row_actions),
        "col_actions": list(col_actions),
        "row_payoffs": A.tolist(),
        "col_payoffs": B.tolist(),
        "degenerate": bool(ties),
        "equilibria": listed,
        "played": played,
        "dominance": {
            players[0]: {
                "strictly_dominated": [
                    row_actions[i] for i in _dominated(A, range(m), range(n), True)
                ],
                "weakly_dominated": [
                    row_actions[i] for i in _dominated(A, range(m), range(n), False)
                ],
            },
            players[1]: {
                "strictly_dominated": [
                    col_actions[j] for j in _dominated(B.T, range(n), range(m), True)
                ],
                "weakly_dominated": [
                    col_actions[j] for j in _dominated(B.T, range(n), range(m), False)
                ],
            },
        },
        "iterated_elimination": {
            "surviving": {
                players[0]: [row_actions[i] for i in rows],
                players[1]: [col_actions[j] for j in cols],
            },
            "steps": [
                f"{players[0] if who == 'row' else players[1]} drops "
                f"'{(row_actions if who == 'row' else col_actions)[k]}'"
                for who, k in steps
            ],
        },
        "sequential": sequential,
        "qre": {
            "precision": precision,
            "row_strategy": _strategy(row_actions, qre_x),
            "col_strategy": _strategy(col_actions, qre_y),
            "row_payoff": float(qre_x @ A @ qre_y),
            "col_payoff": float(qre_x @ B @ qre_y),
        },
        "explicit_table": False,
    }


def _sequential(A, B, players, row_actions, col_actions, leader, simultaneous) -> dict:
    """Backward induction with ``leader`` moving first, compared with simultaneous play."""
    play = backward_induction(A, B, leader)
    lead, follow = (0, 1) if leader == "row" else (1, 0)
    lead_actions = (row_actions, col_actions)[lead]
    follow_actions = (row_actions, col_actions)[follow]
    i, j = int(play.row_action[0]), int(play.col_action[0])
    path = f"({row_actions[i]}, {col_actions[j]})"
    paths = []
    for spe in subgame_perfect_equilibria(A, B, leader):
        r, c = spe.path
        name = f"({row_actions[r]}, {col_actions[c]})"
        if name not in paths:
            paths.append(name)
    entry = {
        "leader": players[lead],
        "follower": players[follow],
        "follower_strategy": {
            lead_actions[a]: follow_actions[int(play.follower_reply[0, a])] for a in (0, 1)
        },
        "path": path,
        "row_payoff": float(play.row_payoff[0]),
        "col_payoff": float(play.col_payoff[0]),
        "all_paths": paths,
    }
    if simultaneous is not None:
        row, col = simultaneous
        leader_payoffs = (A, B)[lead]
        before = float(row @ leader_payoffs @ col)
        after = float((play.row_payoff, play.col_payoff)[lead][0])
        entry["leader_payoff_simultaneous"] = before
        entry["commitment_value"] = after - before
        entry["differs_from_simultaneous"] = not (
            math.isclose(row[i], 1.0, abs_tol=1e-12) and math.isclose(col[j], 1.0, abs_tol=1e-12)
        )
    return entry


def _reason(rule: str, listed: list[dict], label: int, precision: float) -> str:
    pure = [e for e in listed if e["kind"] == "pure"]
    if label == QRE:
        return f"logit quantal response equilibrium at precision {precision:g}"
    if len(listed) == 1:
        return "the game's only equilibrium"
    if not pure:
        return "no pure equilibrium: the completely mixed one"
    if rule == "max_entropy":
        return "the equilibrium with the least predictable play (largest strategy entropy)"
    if len(pure) == 1 and rule in ("risk_dominant", "payoff_dominant"):
        return "the only pure equilibrium (mixed ones are played only when there is none)"
    if rule == "risk_dominant":
        scores = ", ".join(f"{e['profile']} {e['risk_product']:.4g}" for e in pure)
        return (
            "risk dominance (Harsanyi & Selten 1988): largest product of the players' "
            f"losses from deviating: {scores}; ties: larger payoff sum, then cell order"
        )
    scores = ", ".join(f"{e['profile']} {e['payoff_sum']:.4g}" for e in pure)
    return f"largest payoff sum: {scores}; ties: risk dominance, then cell order"


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def resolute_share(scenario: Scenario, draws: int = RESOLUTE_SHARE_DRAWS) -> float:
    """Share of the scenario's parameter draws in which Russia would target the force.

    Parameters are those of runs 0 to ``draws - 1`` under the scenario's seed,
    and the deployment table is built in the representative state; Russia
    is resolute in a draw when targeting a deployed force pays it more than
    accepting it.  A coalition whose prior equals this share holds the common
    prior of the model's own uncertainty.
    """
    params = draw_parameters(scenario, np.arange(draws), scenario.simulation.seed)
    one = representative_state(scenario)
    state = GameState(**{k: np.repeat(v, draws) for k, v in one.__dict__.items() if v is not None})
    russia = build_tables(params, scenario, state).tables["deployment"][1]
    return float(np.mean(russia[:, 0, 1] > russia[:, 0, 0]))


def information_report(
    scenario: Scenario, params: RunParameters, coalition: np.ndarray, russia: np.ndarray
) -> dict:
    """The one-shot deterrence game with a resolute and a bluffing Russian type.

    ``coalition`` and ``russia`` are the deployment game's 2×2 payoffs at this
    parameter point.  The coalition moves first; the resolute type targets a
    deployed force, the bluffing type accepts it; the coalition deploys iff
    its belief that Russia is resolute is at most the threshold.
    """
    info = scenario.information
    prior = float(params["information.prior_resolute"][0])
    likely_resolute = float(params["information.incident_probability_resolute"][0])
    likely_bluffing = float(params["information.incident_probability_bluffing"][0])
    deploy_accept = coalition[0, 0] - coalition[1, 0]
    deploy_target = coalition[0, 1] - coalition[1, 1]
    pbe = deterrence_pbe(deploy_accept, deploy_target, prior)
    threshold = pbe.threshold
    quiet_days = None
    # Incident-free days multiply the odds of resolve by (1 - h_R) / (1 - h_B): how many
    # bring the prior down to the threshold.  A threshold of 0 (or a prior of 1) is never
    # reached by quiet days, so the count is left undefined (None).
    learnable = 0 < threshold < 1 and 0 < prior < 1
    if learnable and prior > threshold and likely_bluffing < likely_resolute < 1:
        odds = math.log((threshold / (1 - threshold)) / (prior / (1 - prior)))
        quiet_days = math.ceil(odds / math.log((1 - likely_resolute) / (1 - likely_bluffing)))
    return {
        "russia_resolve": info.russia_resolve,
        "prior_resolute": prior,
        "threshold": _finite_or_none(threshold),
        "coalition_deploys_at_prior": bool(pbe.coalition_deploys),
        "expected_payoff_deploy": float((1 - prior) * coalition[0, 0] + prior * coalition[0, 1]),
        "expected_payoff_stay_out": float((1 - prior) * coalition[1, 0] + prior * coalition[1, 1]),
        "resolute_reply": pbe.resolute_reply,
        "bluffing_reply": pbe.bluffing_reply,
        "russia_type_here": "resolute" if russia[0, 1] > russia[0, 0] else "bluffing",
        "resolute_share_of_draws": resolute_share(scenario),
        "incident_probability": {"resolute": likely_resolute, "bluffing": likely_bluffing},
        "quiet_days_to_deploy": quiet_days,
    }


def coalition_report(
    scenario: Scenario, params: RunParameters, targeting_probability: float
) -> dict:
    """The coalition's threshold public-good game at this parameter point.

    Each state's benefit (support × guarantee value, received by every state if
    the committed force reaches ``minimum_viable_force``) and cost of taking
    part (docs/model.md, "Coalition states"), power indices of the weighted game
    [threshold; pledges], and who stays under both participation rules, at the
    representative risk and if Russia targets the force (risk 1).
    """
    coalition = scenario.actors.coalition
    names = list(coalition.states)
    pledges = scaled_pledges(scenario)
    prefix = "actors.coalition"
    threshold = float(params[f"{prefix}.minimum_viable_force"][0])
    support = np.array([params[f"{prefix}.states.{name}.domestic_support"][0] for name in names])
    sensitivity = np.array(
        [params[f"{prefix}.states.{name}.casualty_sensitivity"][0] for name in names]
    )
    exposure = (
        pledges
        * params[f"{prefix}.casualty_rate_per_attack"][0]
        * coalition.risk_window_days
        / params[f"{prefix}.casualty_scale"][0]
    )
    benefit = support * params[f"{prefix}.guarantee_value"][0]
    cost_if_targeted = sensitivity * exposure
    indices = power_indices(pledges, threshold) if threshold > 0 else None

    def who_stays(risk: float) -> dict:
        cost = risk * cost_if_targeted
        everyone = pledges > 0
        public = best_response_withdrawals(
            everyone[None], pledges, benefit[None], cost[None], threshold
        )[0]
        viable = pledges.sum() >= threshold
        own = everyone & (benefit * viable - cost >= 0)
        return {
            "risk": risk,
            "public_good": {
                "stay": [n for n, k in zip(names, public, strict=True) if k],
                "troops": float(pledges[public].sum()),
            },
            "own_benefit": {
                "stay": [n for n, k in zip(names, own, strict=True) if k],
                "troops": float(pledges[own].sum()),
            },
        }

    states = []
    for k, name in enumerate(names):
        entry = {
            "name": name,
            "pledge": float(pledges[k]),
            "benefit": float(benefit[k]),
            "cost_if_targeted": float(cost_if_targeted[k]),
        }
        if indices is not None:
            entry["pivotal_in_full"] = bool(indices.pivotal_in_full[k])
            entry["banzhaf"] = float(indices.banzhaf[k])
            entry["shapley_shubik"] = float(indices.shapley_shubik[k])
        states.append(entry)
    report = {
        "participation_rule": coalition.participation,
        "threshold_troops": threshold,
        "pledged_total": float(pledges.sum()),
        "states": states,
        "now": who_stays(targeting_probability),
        "if_targeted": who_stays(1.0),
    }
    if threshold > 0 and len(names) <= 20:
        found = threshold_equilibria(pledges, benefit, cost_if_targeted, threshold)
        sizes = found.profiles.sum(axis=1)
        report["equilibria_if_targeted"] = {
            "count": int(found.profiles.shape[0]),
            "winning": int(found.reaches_threshold.sum()),
            "smallest_winning_states": int(sizes[found.reaches_threshold].min())
            if found.reaches_threshold.any()
            else None,
            "none_contribute_is_equilibrium": bool((sizes == 0).any()),
        }
    return report


def decisions_report(scenario: Scenario, params: RunParameters, state: GameState) -> dict:
    """What each actor does in the representative state, as the simulation decides it.

    The coalition's entry (its strategy in the selected equilibrium of the
    deployment game, unless deployment is forced), Russia's reply to a force
    that is there, the US's subgame-perfect reply to defiance for each type,
    Russia's move at a sanctions deadline with no ceasefire in force, and
    Russia's payoff of violating while Ukraine holds under a pending threat
    and under sanctions in force (docs/model.md, "Sanctions").
    """
    games = scenario.games

    def tables(**changes) -> object:
        return build_tables(params, scenario, GameState(**{**state.__dict__, **changes}))

    today = tables()
    coalition, russia = today.tables["deployment"]
    one = np.array([True])
    pending = tables(threat_active=one, sanctions_imposed=~one)
    imposed = tables(threat_active=~one, sanctions_imposed=one)
    deadline = tables(threat_active=one, ceasefire_in_force=~one, in_term=~one)
    committed = tables(us_committed=one)
    uncommitted = tables(us_committed=~one)

    def violate_payoff(day) -> float:
        return float(day.tables["ceasefire"][0][0, 1, 0])

    targets = bool(russia[0, 0, 1] > russia[0, 0, 0])
    # The entry probability as the simulation decides it (docs/model.md, "Entry"): the
    # coalition's move in the game played in sequence, from its belief about Russia's
    # reply (the prior when resolve is private; Russia's reply itself when it is known).
    deploy_accept = coalition[:, 0, 0] - coalition[:, 1, 0]
    deploy_target = coalition[:, 0, 1] - coalition[:, 1, 1]
    if scenario.information.russia_resolve == "private":
        belief = params["information.prior_resolute"]
    elif games.selection == "logit_qre":
        belief = expit(games.qre_precision * (russia[:, 0, 1] - russia[:, 0, 0]))
    else:
        belief = np.array([float(targets)])
    value = entry_value(belief, deploy_accept, deploy_target)
    if scenario.levers.deployment == "forced":
        deploy = 1.0
    elif games.selection == "logit_qre":
        deploy = float(expit(games.qre_precision * value)[0])
    else:
        deploy = float(value[0] >= 0)
    return {
        "deployment": scenario.levers.deployment,
        "coalition_deploy_probability": deploy,
        "russia_targets_a_deployed_force": targets,
        "us_imposes_if_defied": {
            "committed": bool(committed.us_imposes_if_defied[0]),
            "uncommitted": bool(uncommitted.us_imposes_if_defied[0]),
        },
        "russia_expected_imposition_probability": float(pending.impose_probability_expected[0]),
        "deal_cost": float(params["actors.russia.deal_cost"][0]),
        "russia_complies_at_deadline": bool(deadline.russia_complies[0]),
        "russia_violation_payoff": {
            "threat_pending": violate_payoff(pending),
            "sanctions_in_force": violate_payoff(imposed),
        },
        "russia_sanctions_penalty": {
            "threat_pending": float(pending.sanctions_penalty[0]),
            "sanctions_in_force": float(imposed.sanctions_penalty[0]),
        },
    }


def scenario_report(scenario: Scenario, params: RunParameters, where: str) -> dict:
    """Reports of the deployment, ceasefire and sanctions games (the latter for both US types)."""
    rule, precision = scenario.games.selection, scenario.games.qre_precision
    state = representative_state(scenario)
    # Russia's belief that the US is committed: this parameter point's credibility.
    state = GameState(
        **{**state.__dict__, "credibility_belief": params["levers.sanctions_credibility"]}
    )
    committed = build_tables(params, scenario, state)
    uncommitted_state = GameState(**{**state.__dict__, "us_committed": np.array([False])})
    uncommitted = build_tables(params, scenario, uncommitted_state)
    games = []
    variants = [
        ("deployment", committed, ""),
        ("ceasefire", committed, ""),
        ("sanctions", committed, " (committed US type)"),
        ("sanctions", uncommitted, " (uncommitted US type)"),
    ]
    for name, tables, suffix in variants:
        players, row_actions, col_actions = GAME_ACTIONS[name]
        explicit = scenario.games.tables.get(name)
        if explicit is not None:
            row_actions = explicit.row_actions or row_actions
            col_actions = explicit.col_actions or col_actions
        A, B = tables.tables[name]
        report = game_report(
            name + suffix, A[0], B[0], players, row_actions, col_actions, rule, precision
        )
        report["explicit_table"] = explicit is not None
        games.append(report)
    if committed.ladder is not None and state.committed_troops[0] > 0:
        # The strike ladder is played against a force that is there: shown when one is pledged.
        games.append(ladder_report(committed, rule, precision))
    coalition_payoffs, russia_payoffs = (t[0] for t in committed.tables["deployment"])
    # The risk the states weigh: Russia's targeting (its best reply to a deployed force)
    # if its resolve is known, the coalition's prior belief if it is private.
    if scenario.information.russia_resolve == "private":
        risk = float(params["information.prior_resolute"][0])
    else:
        risk = float(russia_payoffs[0, 1] > russia_payoffs[0, 0])
    return {
        "scenario": scenario.name,
        "parameters": where,
        "state": {
            "troops_committed": float(state.committed_troops[0]),
            "troops_deployed": float(state.troops_deployed[0]),
            "sanctions_threat_pending": bool(state.threat_active[0]),
            "ceasefire_day": 0,
            "within_agreed_term": bool(state.in_term[0]),
            "tripwire_response_probability": float(committed.response_probability[0]),
            "detection_probability": float(committed.detection_probability[0]),
            "expected_sanctions_cost_to_russia": float(committed.expected_sanctions[0]),
        },
        "selection_rule": rule,
        "qre_precision": precision,
        "decisions": decisions_report(scenario, params, state),
        "games": games,
        "incomplete_information": information_report(
            scenario, params, coalition_payoffs, russia_payoffs
        ),
        "coalition": coalition_report(scenario, params, risk),
    }
