"""The day's three payoff tables of a scenario, from drawn parameters and the state of play.

:func:`build_tables` is a pure function: parameters (arrays over runs), the
scenario's levers, and a :class:`GameState` (what the tables depend on that
changes during a run) go in; the deployment, ceasefire and sanctions tables
come out, with the derived quantities the model also needs (the tripwire
response probability, the detection probability...).  The model
(:mod:`sim.engine.model`) calls it every day; ``sim equilibria`` calls it once, at
the parameters' central values or at one run's draws.  Formulas:
``docs/model.md``, "The three games".

Tables given explicitly in the scenario (``games.tables``) replace the
computed ones, the same in every run and on every day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.compiled import use_numba
from sim.engine.parameters import RunParameters
from sim.games.ladder import LadderInputs, LadderRungs
from sim.games.sequential import backward_induction
from sim.games.tables import (
    CeasefireInputs,
    DeploymentInputs,
    SanctionsInputs,
    ceasefire_table,
    deployment_table,
    provocation,
    response_probability,
    sanctions_table,
)
from sim.scenario.schema import Scenario

__all__ = [
    "DayTables",
    "GameState",
    "build_tables",
    "detection_probability",
    "expected_response",
    "initial_coalition_means",
    "ladder_rungs",
    "pledge_weighted",
    "table_parameters",
    "us_imposes_after_defiance",
    "us_replies",
]


@dataclass(frozen=True)
class GameState:
    """What the tables depend on besides parameters (arrays over runs).

    ``committed_troops``: troops of the states still in the mission (the
    pledge, before and during deployment); ``troops_deployed``: troops in
    place (they monitor); ``threat_active``: a US sanctions threat is pending;
    ``sanctions_imposed``: sanctions are in force; ``credibility_belief``:
    Russia's belief that the US is a committed type; ``days_held``: completed
    days of the current ceasefire; ``in_term``: an agreed ceasefire term is
    running; ``ceasefire_in_force``; ``us_committed``: the US's type;
    ``russia_has_struck``: Russia has carried out its threat against the force
    at least once; ``unanswered_strikes``: strikes on the force that drew no
    military response.
    """

    committed_troops: np.ndarray
    troops_deployed: np.ndarray
    threat_active: np.ndarray
    days_held: np.ndarray
    in_term: np.ndarray
    us_committed: np.ndarray
    sanctions_imposed: np.ndarray
    credibility_belief: np.ndarray
    ceasefire_in_force: np.ndarray
    russia_has_struck: np.ndarray
    unanswered_strikes: np.ndarray
    # Pledge-weighted over the states still committed: their publics' support for the
    # mission and casualty sensitivity (None: every state committed, support as drawn).
    coalition_support: np.ndarray | None = None
    coalition_casualty_sensitivity: np.ndarray | None = None


def pledge_weighted(pledges: np.ndarray, committed: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per run, ``Σ π_i c_i x_i / Σ π_i c_i`` over states (rows), added in the states'
    order; 0 where no state with a pledge is committed."""
    weights = pledges * committed
    total = weights[0].astype(float)
    weighted = (weights[0] * values[0]).astype(float)
    for w, x in zip(weights[1:], values[1:], strict=True):
        total += w
        weighted += w * x
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, weighted / np.where(total > 0, total, 1.0), 0.0)


def initial_coalition_means(params: RunParameters) -> tuple[np.ndarray, np.ndarray]:
    """Pledge-weighted domestic support and casualty sensitivity before anything happened."""
    prefix = "actors.coalition.states."
    names = [
        k[len(prefix) : -len(".pledge")]
        for k in params.values
        if k.startswith(prefix) and k.endswith(".pledge")
    ]
    pledges = np.stack([params[f"{prefix}{n}.pledge"] for n in names])
    support = np.stack([params[f"{prefix}{n}.domestic_support"] for n in names])
    sensitivity = np.stack([params[f"{prefix}{n}.casualty_sensitivity"] for n in names])
    committed = pledges > 0
    return (
        pledge_weighted(pledges, committed, support),
        pledge_weighted(pledges, committed, sensitivity),
    )


@dataclass(frozen=True)
class DayTables:
    """The three games' payoff tables, ``{name: (row payoffs, column payoffs)}``,
    each of shape ``(n, 2, 2)``, and the quantities they were built from.

    ``us_imposes_if_defied``: the US's subgame-perfect reply to Russian
    defiance, for its actual type; ``impose_probability_expected``: the
    probability Russia gives that reply (its belief over US types);
    ``russia_complies``: Russia's subgame-perfect first move in the sanctions
    game; ``sanctions_penalty``: Russia's expected sanctions cost of an
    attributed violation or strike today; ``ladder``: the strike ladder's
    inputs (:mod:`sim.games.ladder`), under the ladder strike model.
    """

    tables: dict[str, tuple[np.ndarray, np.ndarray]]
    response_probability: np.ndarray
    russia_expected_response: np.ndarray
    detection_probability: np.ndarray
    sanctions_penalty: np.ndarray
    russia_violation_gain: np.ndarray
    us_imposes_if_defied: np.ndarray
    impose_probability_expected: np.ndarray
    russia_complies: np.ndarray
    # The strike ladder's inputs (games.strike_model: ladder; None under the binary
    # strike model): sim.games.ladder.ladder_table makes its (n, 4, 3) tables.
    ladder: LadderInputs | None = None

    @property
    def expected_sanctions(self) -> np.ndarray:  # the name used by reports before v2
        return self.sanctions_penalty


def detection_probability(params: RunParameters, troops_deployed: np.ndarray) -> np.ndarray:
    """Probability that a ceasefire violation is detected and attributed.

    ``base + (max(maximum, base) - base) (1 - exp(-D / monitoring_scale))`` for
    ``D`` troops deployed; a scale of 0 means any monitor at all gives the
    maximum (and none gives the base).
    """
    base = params["ceasefire.base_detection_probability"]
    maximum = np.maximum(params["ceasefire.max_detection_probability"], base)
    scale = params["ceasefire.monitoring_scale"]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(
            scale > 0, troops_deployed / scale, np.where(troops_deployed > 0, np.inf, 0.0)
        )
    return base + (maximum - base) * (1.0 - np.exp(-ratio))


def expected_response(
    response: np.ndarray, prior_strength: np.ndarray, unanswered_strikes: np.ndarray
) -> np.ndarray:
    """Russia's expected probability of a military response to its next strike.

    Its prior is a Beta distribution with mean ``r(T)`` worth ``n0 =
    response_prior_strength`` observations; after ``k`` strikes that drew no
    response the posterior mean is ``n0 r(T) / (n0 + k)`` (with ``n0 = 0``,
    one unanswered strike convinces Russia there will be none).
    """
    k = np.asarray(unanswered_strikes, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(k > 0, prior_strength / (prior_strength + k), 1.0)
    return response * weight


def us_imposes_after_defiance(us_sanctions_cost: np.ndarray, audience_cost: np.ndarray):
    """The US's subgame-perfect reply to Russian defiance: impose iff refraining costs more.

    Solved by backward induction on the sanctions table with Russia moving
    first (:func:`sim.games.sequential.backward_induction`; an indifferent US
    refrains).  ``audience_cost`` is 0 for an uncommitted type.
    """
    n = us_sanctions_cost.shape[0]
    # Russia's own payoffs only break the US's ties (in Russia's favour: refrain), so
    # any positive sanctions cost and zero gain will do.
    us, russia = sanctions_table(
        SanctionsInputs(us_sanctions_cost, audience_cost, np.ones(n), np.zeros(n))
    )
    play = backward_induction(us, russia, leader="col")
    return play.follower_reply[:, 1] == 0


def us_replies(params: RunParameters) -> tuple[np.ndarray, np.ndarray]:
    """Per run: whether a committed and an uncommitted US impose after defiance.

    They depend on the run's parameters only, so a model computes them once
    and passes them to :func:`build_tables` every day.
    """
    us_cost = params["actors.united_states.sanctions_cost_to_us"]
    committed = us_imposes_after_defiance(us_cost, params["actors.united_states.audience_cost"])
    uncommitted = us_imposes_after_defiance(us_cost, np.zeros(params.n_runs))
    return committed, uncommitted


def table_parameters(params: RunParameters) -> np.ndarray:
    """The parameters the tables read, (runs, names) in float64, a column per name of
    :data:`sim.engine.table_kernels.TABLE_PARAMETERS` (the compiled tables' input;
    a model packs them once)."""
    from sim.engine.table_kernels import TABLE_PARAMETERS  # numba: loaded when needed

    columns = [np.asarray(params[name], dtype=np.float64) for name in TABLE_PARAMETERS]
    return np.ascontiguousarray(np.stack(columns, axis=1))


def build_tables(
    params: RunParameters,
    scenario: Scenario,
    state: GameState,
    replies: tuple[np.ndarray, np.ndarray] | None = None,
    packed: np.ndarray | None = None,
) -> DayTables:
    """Build the deployment, ceasefire and sanctions tables of every run.

    Levers and other settings are read per run from ``params``
    (:func:`sim.engine.parameters.scenario_settings`); ``scenario`` gives only the
    tables given explicitly (the same in every run).  ``replies``:
    :func:`us_replies` of ``params`` (computed here if not given).  ``packed``:
    :func:`table_parameters` of ``params``; with it (and the coalition's means in
    ``state``) the tables are built by the compiled kernels of
    :mod:`sim.engine.table_kernels`, bit for bit what this function computes in NumPy.
    """
    if replies is None:
        replies = us_replies(params)
    if (
        packed is not None
        and state.coalition_support is not None
        and state.coalition_casualty_sensitivity is not None
        and use_numba()
    ):
        return _build_tables_compiled(params, packed, scenario, state, replies)
    p = params
    troops = state.committed_troops
    reply = response_probability(
        troops,
        p["actors.coalition.max_response_probability"],
        p["actors.coalition.tripwire_scale"],
        p["levers.us_backstop"],
        p["actors.united_states.backstop_response_probability"],
    )
    russia_reply = expected_response(
        reply, p["actors.russia.response_prior_strength"], state.unanswered_strikes
    )

    # Sanctions: the US's reply to defiance by type, what Russia expects of it, and the
    # expected cost to Russia of an attributed violation or strike today.
    us_cost = p["actors.united_states.sanctions_cost_to_us"]
    audience = p["actors.united_states.audience_cost"]
    imposes_committed, imposes_uncommitted = replies
    belief = state.credibility_belief
    impose_expected = belief * imposes_committed + (1.0 - belief) * imposes_uncommitted
    us_imposes = np.where(state.us_committed, imposes_committed, imposes_uncommitted)
    russia_sanctions_cost = p["actors.russia.sanctions_cost"]
    # Pending threat: sanctions follow with the expected probability.  Sanctions in force:
    # an attributed violation restarts the compliance clock that lifts them, which Russia
    # values at their full cost (docs/model.md, "Sanctions").
    sanctions_penalty = np.where(
        state.sanctions_imposed,
        russia_sanctions_cost,
        state.threat_active * impose_expected * russia_sanctions_cost,
    )

    un_discount = np.where(p["levers.un_mandate"], p["ceasefire.un_mandate_discount"], 0.0)
    size = provocation(
        troops, p["actors.russia.reference_force"], p["actors.russia.force_size_elasticity"]
    )
    casualty_scale = p["actors.coalition.casualty_scale"]
    support, sensitivity = state.coalition_support, state.coalition_casualty_sensitivity
    if support is None or sensitivity is None:
        support, sensitivity = initial_coalition_means(p)
    deployment = DeploymentInputs(
        troops=troops,
        viable=(troops >= p["actors.coalition.minimum_viable_force"]).astype(float),
        response_probability=reply,
        russia_expected_response=russia_reply,
        russia_tolerance_cost=p["actors.russia.resolve"] * (1.0 - un_discount) * size,
        russia_audience_cost=p["actors.russia.audience_cost"] * ~state.russia_has_struck,
        russia_nato_war_cost=p["actors.russia.nato_war_cost"],
        russia_sanctions_penalty=sanctions_penalty,
        guarantee_value=p["actors.coalition.guarantee_value"],
        deployment_cost=p["actors.coalition.deployment_cost"],
        casualty_cost=p["actors.coalition.casualty_cost"],
        casualty_scale=casualty_scale,
        expected_casualties_if_targeted=troops
        * p["actors.coalition.casualty_rate_per_attack"]
        * p["actors.coalition.risk_window_days"],
        coalition_nato_war_cost=p["actors.coalition.nato_war_cost"],
        coalition_support=support,
        coalition_casualty_sensitivity=sensitivity,
        coalition_audience_cost=p["actors.coalition.audience_cost"],
    )

    # Ceasefire: monitors raise detection; the temptation fades as the ceasefire holds.
    detection = detection_probability(params, state.troops_deployed)
    halflife = p["ceasefire.violation_gain_halflife_days"]
    # A half-life of 0 means the temptation is there on the first day only.
    with np.errstate(divide="ignore", invalid="ignore"):
        decay = np.where(
            halflife > 0,
            np.exp2(-state.days_held / halflife),
            (state.days_held == 0).astype(float),
        )
    russia_penalty = (
        p["actors.russia.detected_violation_cost"]
        + state.in_term * p["actors.russia.agreement_violation_cost"]
        + sanctions_penalty
    )
    ukraine_penalty = (
        p["actors.ukraine.support_loss_if_detected"]
        + state.in_term * p["actors.ukraine.agreement_violation_cost"]
    )
    ceasefire = CeasefireInputs(
        russia_gain=p["actors.russia.violation_gain"] * decay,
        russia_penalty_if_detected=russia_penalty,
        russia_exploited_cost=p["actors.russia.exploited_cost"],
        russia_war_cost=p["actors.russia.war_cost"],
        ukraine_gain=p["actors.ukraine.violation_gain"] * decay,
        ukraine_penalty_if_detected=ukraine_penalty,
        ukraine_exploited_cost=p["actors.ukraine.exploited_cost"],
        ukraine_war_cost=p["actors.ukraine.war_cost"],
        detection_probability=detection,
        spiral_probability=p["ceasefire.spiral_probability"],
        attribution_spiral_reduction=p["ceasefire.attribution_spiral_reduction"],
        mutual_collapse_probability=p["ceasefire.mutual_violation_collapse_probability"],
    )
    # Russia's defiance: with no ceasefire in force, refusing a deal (it saves the deal's
    # cost to it); with one, violating it (today's violation gain).
    defiance_gain = np.where(
        state.ceasefire_in_force, ceasefire.russia_gain, p["actors.russia.deal_cost"]
    )
    sanctions = SanctionsInputs(
        us_sanctions_cost=us_cost,
        us_audience_cost=state.us_committed * audience,
        russia_sanctions_cost=russia_sanctions_cost,
        russia_defiance_gain=defiance_gain,
    )
    # Russia moves first, not knowing the US type: it complies when defying gains it no
    # more than the sanctions it expects (an indifferent leader takes its first action).
    russia_complies = defiance_gain <= impose_expected * russia_sanctions_cost
    tables = {
        "deployment": deployment_table(deployment),
        "ceasefire": ceasefire_table(ceasefire),
        "sanctions": sanctions_table(sanctions),
    }
    us_imposes, impose_expected, russia_complies = _explicit_tables(
        scenario, tables, us_imposes, impose_expected, russia_complies
    )
    ladder = None
    if scenario.games.strike_model == "ladder":
        casualties = troops * p["actors.coalition.casualty_rate_per_attack"]
        ladder = LadderInputs(
            rungs=ladder_rungs(p),
            russia_objection=deployment.russia_tolerance_cost + deployment.russia_audience_cost,
            russia_sanctions_penalty=sanctions_penalty,
            russia_nato_war_cost=deployment.russia_nato_war_cost,
            russia_expected_response=russia_reply,
            response_probability=reply,
            coalition_nato_war_cost=deployment.coalition_nato_war_cost,
            major_strike_casualty_cost=p["actors.coalition.casualty_cost"]
            * sensitivity
            * casualties
            / casualty_scale,
            guarantee_value=deployment.guarantee_value * support * deployment.viable,
            detection_probability=detection,
        )
    return DayTables(
        tables=tables,
        response_probability=reply,
        russia_expected_response=russia_reply,
        detection_probability=detection,
        sanctions_penalty=sanctions_penalty,
        russia_violation_gain=ceasefire.russia_gain,
        us_imposes_if_defied=us_imposes,
        impose_probability_expected=impose_expected,
        russia_complies=russia_complies,
        ladder=ladder,
    )


def _explicit_tables(
    scenario: Scenario,
    tables: dict[str, tuple[np.ndarray, np.ndarray]],
    us_imposes: np.ndarray,
    impose_expected: np.ndarray,
    russia_complies: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Put the tables the scenario gives explicitly into ``tables`` (in place); returns
    the sanctions game's play, which an explicit sanctions table decides."""
    explicit = scenario.games.tables if scenario.games is not None else {}
    n = us_imposes.shape[0]
    for name, table in explicit.items():
        tables[name] = (
            np.broadcast_to(np.asarray(table.row_payoffs, float), (n, 2, 2)).copy(),
            np.broadcast_to(np.asarray(table.col_payoffs, float), (n, 2, 2)).copy(),
        )
    if "sanctions" in explicit:
        # A sanctions table given explicitly is the game both sides play, whatever the
        # US's type: Russia's move and the US's reply are its subgame-perfect play.
        play = backward_induction(*tables["sanctions"], leader="col")
        us_imposes = play.follower_reply[:, 1] == 0
        impose_expected = us_imposes.astype(float)
        russia_complies = play.leader_action == 0
    return us_imposes, impose_expected, russia_complies


def _build_tables_compiled(
    params: RunParameters,
    packed: np.ndarray,
    scenario: Scenario,
    state: GameState,
    replies: tuple[np.ndarray, np.ndarray],
) -> DayTables:
    """:func:`build_tables` by the kernels of :mod:`sim.engine.table_kernels`."""
    from sim.engine import table_kernels as kernels  # numba: loaded when needed

    n = state.committed_troops.shape[0]
    arguments = np.empty((4, n))
    kernels.table_arguments(
        packed, state.committed_troops, state.troops_deployed, state.days_held, arguments
    )
    # NumPy's own exp, power and exp2 (the bits of the NumPy reference).
    transcendental = (
        np.exp(-arguments[0]),
        np.power(arguments[1], params["actors.russia.force_size_elasticity"]),
        np.exp(-arguments[2]),
        np.exp2(arguments[3]),
    )
    payoffs = tuple(np.empty((n, 2, 2)) for _ in range(6))
    derived = np.empty((6, n))
    flags = (np.empty(n, dtype=bool), np.empty(n, dtype=bool))
    ladder_model = scenario.games.strike_model == "ladder"
    ladder_state = np.empty((n if ladder_model else 0, len(LadderInputs.STATE)))
    game_state = (
        state.committed_troops, state.troops_deployed, state.threat_active, state.days_held,
        state.in_term, state.us_committed, state.sanctions_imposed, state.credibility_belief,
        state.ceasefire_in_force, state.russia_has_struck, state.unanswered_strikes,
        state.coalition_support, state.coalition_casualty_sensitivity,
    )  # fmt: skip
    kernels.fill_tables(
        packed, game_state, replies, transcendental, payoffs, derived, flags, ladder_state
    )
    tables = {
        "deployment": (payoffs[0], payoffs[1]),
        "ceasefire": (payoffs[2], payoffs[3]),
        "sanctions": (payoffs[4], payoffs[5]),
    }
    us_imposes, impose_expected, russia_complies = _explicit_tables(
        scenario, tables, flags[0], derived[kernels.IMPOSE_EXPECTED], flags[1]
    )
    ladder = None
    if ladder_model:
        ladder = LadderInputs(
            rungs=ladder_rungs(params),
            **{name: ladder_state[:, j] for j, name in enumerate(LadderInputs.STATE)},
            stacked=ladder_state,
        )
    return DayTables(
        tables=tables,
        response_probability=derived[kernels.REPLY],
        russia_expected_response=derived[kernels.RUSSIA_REPLY],
        detection_probability=derived[kernels.DETECTION],
        sanctions_penalty=derived[kernels.SANCTIONS_PENALTY],
        russia_violation_gain=derived[kernels.RUSSIA_GAIN],
        us_imposes_if_defied=us_imposes,
        impose_probability_expected=impose_expected,
        russia_complies=russia_complies,
        ladder=ladder,
    )


def ladder_rungs(params: RunParameters) -> LadderRungs:
    """The strike ladder's per-run constants (``strike_ladder.*``)."""
    return LadderRungs(**{name: params[f"strike_ladder.{name}"] for name in LadderRungs.CONSTANTS})
