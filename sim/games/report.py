"""What ``sim equilibria`` reports: every game of a scenario, its equilibria and how it is played.

:func:`scenario_report` builds the scenario's three payoff tables at one
parameter point -- the central values of its distributions, or the draws of
one Monte Carlo run -- in a representative state of play (documented in
docs/games.md, "What `sim equilibria` shows"), and describes each game with
:func:`game_report`.  The result is plain JSON-ready data; the command line
prints it as tables or as JSON.
"""

from __future__ import annotations

import numpy as np

from sim.games.analysis import all_equilibria, dominance, is_degenerate, iterated_elimination
from sim.games.scenario_games import GameState, build_tables
from sim.games.selection import QRE, select_equilibrium
from sim.games.tables import GAME_ACTIONS
from sim.parameters import RunParameters, uncertain_parameters
from sim.scenario import Scenario

__all__ = [
    "central_parameters",
    "game_report",
    "representative_state",
    "run_parameters",
    "scenario_report",
]


def central_parameters(scenario: Scenario) -> RunParameters:
    """Every parameter at the centre of its distribution (mean; mode for triangular)."""
    values = {name: np.array([dist.central()]) for name, dist in uncertain_parameters(scenario)}
    return RunParameters(values=values, n_runs=1)


def run_parameters(scenario: Scenario, run_index: int, runs: int, seed: int) -> RunParameters:
    """The parameters drawn for run ``run_index`` of a batch of ``runs`` with ``seed``."""
    from sim.runner import chunk_model  # the runner owns chunking and seeding

    model, offset = chunk_model(scenario, run_index, runs, seed)
    values = {name: v[offset : offset + 1].copy() for name, v in model.params.values.items()}
    return RunParameters(values=values, n_runs=1)


def representative_state(scenario: Scenario) -> GameState:
    """The state in which ``sim equilibria`` evaluates the tables.

    The pledged force is committed and, if the scenario deploys it, fully in
    place (so it monitors at full strength); a ceasefire is in its first day
    (within its agreed term if the timeline has one); the sanctions threat is
    pending if the timeline has one.  The US type is given per table.
    """
    timeline, pledged = scenario.timeline, float(scenario.levers.troops_pledged)
    deployed = pledged if timeline.deployment is not None else 0.0
    return GameState(
        committed_troops=np.array([pledged]),
        troops_deployed=np.array([deployed]),
        threat_active=np.array([timeline.sanctions_threat is not None]),
        days_held=np.array([0]),
        in_term=np.array([timeline.ceasefire is not None]),
        us_committed=np.array([True]),
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
    }


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


def scenario_report(scenario: Scenario, params: RunParameters, where: str) -> dict:
    """Reports of the deployment, ceasefire and sanctions games (the latter for both US types)."""
    rule, precision = scenario.games.selection, scenario.games.qre_precision
    state = representative_state(scenario)
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
        "games": games,
    }
