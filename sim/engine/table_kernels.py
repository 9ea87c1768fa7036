"""The day's payoff tables built in two compiled passes over the runs.

:func:`sim.engine.scenario_games.build_tables` in NumPy is about a hundred passes
over arrays of one value per run (the tripwire, the provocation, the monitors,
three 2×2 tables and the ladder's inputs), each with its temporary.  Here the
same floating-point operations, in the same order, run in two numba loops:

1. :func:`table_arguments` -- the arguments of the four transcendental
   functions (the tripwire's and the monitors' exponents, the size ratio of the
   provocation, the exponent of the fading temptation);
2. NumPy takes ``exp``, ``power`` and ``exp2`` of them (so the bits are NumPy's,
   whose SIMD functions need not round as numba's do);
3. :func:`fill_tables` -- everything else, written into the tables and arrays
   that :class:`sim.engine.scenario_games.DayTables` holds.

The NumPy functions (:mod:`sim.games.tables`, ``build_tables``) stay the
reference: ``SIM_NO_NUMBA=1`` uses them, and ``tests/test_table_kernels.py``
compares the two bit for bit.  Parameters come as one matrix, a row per run and a
column per name of :data:`TABLE_PARAMETERS`, so that a run's values lie side by
side in memory (float64: booleans as 0/1 and integers exactly, which is what
NumPy's arithmetic converts them to).
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["TABLE_PARAMETERS", "fill_tables", "table_arguments"]

#: The per-run parameters the tables read, in the order of the matrix's columns.
TABLE_PARAMETERS = (
    # The four table_arguments reads first, side by side (one cache line per run).
    "actors.coalition.tripwire_scale",  # 0
    "actors.russia.reference_force",
    "ceasefire.monitoring_scale",
    "ceasefire.violation_gain_halflife_days",
    "actors.coalition.max_response_probability",
    "levers.us_backstop",  # 5
    "actors.united_states.backstop_response_probability",
    "actors.russia.response_prior_strength",
    "actors.united_states.sanctions_cost_to_us",
    "actors.united_states.audience_cost",
    "actors.russia.sanctions_cost",  # 10
    "levers.un_mandate",
    "ceasefire.un_mandate_discount",
    "actors.coalition.casualty_scale",
    "actors.coalition.minimum_viable_force",
    "actors.russia.resolve",  # 15
    "actors.russia.audience_cost",
    "actors.russia.nato_war_cost",
    "actors.coalition.guarantee_value",
    "actors.coalition.deployment_cost",
    "actors.coalition.casualty_cost",  # 20
    "actors.coalition.casualty_rate_per_attack",
    "actors.coalition.risk_window_days",
    "actors.coalition.nato_war_cost",
    "actors.coalition.audience_cost",
    "ceasefire.base_detection_probability",  # 25
    "ceasefire.max_detection_probability",
    "actors.russia.detected_violation_cost",
    "actors.russia.agreement_violation_cost",
    "actors.ukraine.support_loss_if_detected",
    "actors.ukraine.agreement_violation_cost",  # 30
    "actors.russia.violation_gain",
    "actors.russia.exploited_cost",
    "actors.russia.war_cost",
    "actors.ukraine.violation_gain",
    "actors.ukraine.exploited_cost",  # 35
    "actors.ukraine.war_cost",
    "ceasefire.spiral_probability",
    "ceasefire.attribution_spiral_reduction",
    "ceasefire.mutual_violation_collapse_probability",
    "actors.russia.deal_cost",  # 40
)
(
    TRIPWIRE_SCALE, REFERENCE_FORCE, MONITORING_SCALE, HALFLIFE, MAX_RESPONSE,
    US_BACKSTOP, BACKSTOP_RESPONSE, PRIOR_STRENGTH, US_SANCTIONS_COST, US_AUDIENCE,
    RUSSIA_SANCTIONS_COST, UN_MANDATE, UN_DISCOUNT, CASUALTY_SCALE, MINIMUM_FORCE,
    RESOLVE, RUSSIA_AUDIENCE, RUSSIA_NATO_WAR, GUARANTEE, DEPLOYMENT_COST,
    CASUALTY_COST, CASUALTY_RATE, RISK_WINDOW, COALITION_NATO_WAR, COALITION_AUDIENCE,
    BASE_DETECTION, MAX_DETECTION, R_DETECTED_COST, R_AGREEMENT_COST, U_SUPPORT_LOSS,
    U_AGREEMENT_COST, R_VIOLATION_GAIN, R_EXPLOITED, R_WAR, U_VIOLATION_GAIN,
    U_EXPLOITED, U_WAR, SPIRAL, REDUCTION, MUTUAL,
    DEAL_COST,
) = range(len(TABLE_PARAMETERS))  # fmt: skip

#: Rows of the arrays :func:`fill_tables` writes besides the tables.
REPLY, RUSSIA_REPLY, DETECTION, SANCTIONS_PENALTY, RUSSIA_GAIN, IMPOSE_EXPECTED = range(6)


@numba.njit(cache=True, error_model="numpy")
def table_arguments(
    P: np.ndarray,
    troops: np.ndarray,
    deployed: np.ndarray,
    days_held: np.ndarray,
    out: np.ndarray,
) -> None:
    """Written to the rows of ``out`` (4, n): the tripwire ratio ``T / s``, the
    provocation ratio ``T / T_ref``, the monitors' ratio ``D / scale`` (each as
    :mod:`sim.games.tables` and ``detection_probability`` define it at a scale of 0)
    and ``-days_held / halflife``."""
    n = troops.shape[0]
    inf = np.inf
    for k in range(n):
        t, d = troops[k], deployed[k]
        scale = P[k, TRIPWIRE_SCALE]
        out[0, k] = t / scale if scale > 0 else (inf if t > 0 else 0.0)
        reference = P[k, REFERENCE_FORCE]
        out[1, k] = t / reference if reference > 0 else 1.0
        monitoring = P[k, MONITORING_SCALE]
        out[2, k] = d / monitoring if monitoring > 0 else (inf if d > 0 else 0.0)
        out[3, k] = -days_held[k] / P[k, HALFLIFE]


@numba.njit(cache=True, error_model="numpy")
def fill_tables(P, state, replies, transcendental, tables, derived, flags, ladder_state):
    """Everything of ``build_tables`` but its transcendental functions, run by run.

    ``state``: the :class:`~sim.engine.scenario_games.GameState` arrays (committed
    troops, troops deployed, threat active, days held, in term, US committed,
    sanctions imposed, credibility belief, ceasefire in force, Russia has struck,
    unanswered strikes, coalition support, casualty sensitivity); ``replies``: a
    committed and an uncommitted US impose after defiance; ``transcendental``:
    ``exp(-tripwire ratio)``, ``provocation ratio ** elasticity``, ``exp(-monitors'
    ratio)``, ``exp2(-days held / halflife)``.  Written: ``tables`` (deployment,
    ceasefire, sanctions: row and column payoffs, each (n, 2, 2)); ``derived``
    (rows :data:`REPLY` ...); ``flags`` (the US imposes if defied, Russia complies);
    ``ladder_state`` ((n, 9), the ladder's changing inputs, when it has rows).
    """
    (
        troops_c, _deployed, threat, days_held, in_term, us_committed, imposed,
        belief, in_force, struck, unanswered, support, sensitivity,
    ) = state  # fmt: skip
    committed_replies, uncommitted_replies = replies
    e_tripwire, size_power, e_monitors, decay_power = transcendental
    dep_row, dep_col, cf_row, cf_col, sa_row, sa_col = tables
    us_imposes, complies = flags
    ladder = ladder_state.shape[0] > 0
    for k in range(troops_c.shape[0]):
        troops = troops_c[k]
        # response_probability
        coalition = P[k, MAX_RESPONSE] * (1.0 - e_tripwire[k])
        us = P[k, BACKSTOP_RESPONSE] if P[k, US_BACKSTOP] != 0 else 0.0
        reply = 1.0 - (1.0 - coalition) * (1.0 - us)
        # expected_response
        strikes = float(unanswered[k])
        prior = P[k, PRIOR_STRENGTH]
        weight = prior / (prior + strikes) if strikes > 0 else 1.0
        russia_reply = reply * weight
        # Sanctions: the US's reply by type, what Russia expects, the penalty.
        b = belief[k]
        committed_imposes = 1.0 if committed_replies[k] else 0.0
        uncommitted_imposes = 1.0 if uncommitted_replies[k] else 0.0
        impose_expected = b * committed_imposes + (1.0 - b) * uncommitted_imposes
        us_imposes[k] = committed_replies[k] if us_committed[k] else uncommitted_replies[k]
        russia_sanctions_cost = P[k, RUSSIA_SANCTIONS_COST]
        threat_on = 1.0 if threat[k] else 0.0
        if imposed[k]:
            penalty = russia_sanctions_cost
        else:
            penalty = threat_on * impose_expected * russia_sanctions_cost
        # The deployment game.
        un_discount = P[k, UN_DISCOUNT] if P[k, UN_MANDATE] != 0 else 0.0
        size = size_power[k] if troops > 0 else 0.0
        viable = 1.0 if troops >= P[k, MINIMUM_FORCE] else 0.0
        tolerance = P[k, RESOLVE] * (1.0 - un_discount) * size
        audience = P[k, RUSSIA_AUDIENCE] * (0.0 if struck[k] else 1.0)
        casualty_scale = P[k, CASUALTY_SCALE]
        expected_casualties = troops * P[k, CASUALTY_RATE] * P[k, RISK_WINDOW]
        s, sens = support[k], sensitivity[k]
        cost = P[k, DEPLOYMENT_COST] * troops / 10_000.0
        dep_row[k, 0, 0] = P[k, GUARANTEE] * s * viable - cost
        dep_row[k, 0, 1] = (
            -cost
            - P[k, CASUALTY_COST] * sens * expected_casualties / casualty_scale
            - reply * P[k, COALITION_NATO_WAR]
        )
        backing_down = -P[k, COALITION_AUDIENCE] * s * (1.0 if troops > 0 else 0.0)
        dep_row[k, 1, 0] = backing_down
        dep_row[k, 1, 1] = backing_down
        dep_col[k, 0, 0] = -tolerance - audience
        dep_col[k, 0, 1] = -russia_reply * P[k, RUSSIA_NATO_WAR] - penalty
        dep_col[k, 1, 0] = 0.0
        dep_col[k, 1, 1] = 0.0
        # The ceasefire game.
        base = P[k, BASE_DETECTION]
        top = P[k, MAX_DETECTION]
        maximum = top if top >= base else base
        detection = base + (maximum - base) * (1.0 - e_monitors[k])
        halflife = P[k, HALFLIFE]
        if halflife > 0:
            decay = decay_power[k]
        else:
            decay = 1.0 if days_held[k] == 0 else 0.0
        term = 1.0 if in_term[k] else 0.0
        russia_penalty = P[k, R_DETECTED_COST] + term * P[k, R_AGREEMENT_COST] + penalty
        ukraine_penalty = P[k, U_SUPPORT_LOSS] + term * P[k, U_AGREEMENT_COST]
        russia_gain = P[k, R_VIOLATION_GAIN] * decay
        ukraine_gain = P[k, U_VIOLATION_GAIN] * decay
        one = P[k, SPIRAL] * (1.0 - P[k, REDUCTION] * detection)
        both = P[k, MUTUAL]
        russia_violates = russia_gain - detection * russia_penalty
        ukraine_violates = ukraine_gain - detection * ukraine_penalty
        r_war, u_war = P[k, R_WAR], P[k, U_WAR]
        cf_row[k, 0, 0] = 0.0
        cf_col[k, 0, 0] = 0.0
        cf_row[k, 0, 1] = -P[k, R_EXPLOITED] - one * r_war
        cf_col[k, 0, 1] = ukraine_violates - one * u_war
        cf_row[k, 1, 0] = russia_violates - one * r_war
        cf_col[k, 1, 0] = -P[k, U_EXPLOITED] - one * u_war
        cf_row[k, 1, 1] = russia_violates - both * r_war
        cf_col[k, 1, 1] = ukraine_violates - both * u_war
        # The sanctions game (US row, Russia column).
        defiance_gain = russia_gain if in_force[k] else P[k, DEAL_COST]
        us_cost = P[k, US_SANCTIONS_COST]
        sa_row[k, 0, 0] = -us_cost
        sa_row[k, 0, 1] = -us_cost
        sa_row[k, 1, 0] = 0.0
        sa_row[k, 1, 1] = -((1.0 if us_committed[k] else 0.0) * P[k, US_AUDIENCE])
        sa_col[k, 0, 0] = -russia_sanctions_cost
        sa_col[k, 0, 1] = defiance_gain - russia_sanctions_cost
        sa_col[k, 1, 0] = 0.0
        sa_col[k, 1, 1] = defiance_gain
        complies[k] = defiance_gain <= impose_expected * russia_sanctions_cost

        derived[REPLY, k] = reply
        derived[RUSSIA_REPLY, k] = russia_reply
        derived[DETECTION, k] = detection
        derived[SANCTIONS_PENALTY, k] = penalty
        derived[RUSSIA_GAIN, k] = russia_gain
        derived[IMPOSE_EXPECTED, k] = impose_expected
        if ladder:
            # LadderInputs.STATE, in order.
            ladder_state[k, 0] = tolerance + audience
            ladder_state[k, 1] = penalty
            ladder_state[k, 2] = P[k, RUSSIA_NATO_WAR]
            ladder_state[k, 3] = russia_reply
            ladder_state[k, 4] = reply
            ladder_state[k, 5] = P[k, COALITION_NATO_WAR]
            ladder_state[k, 6] = (
                P[k, CASUALTY_COST] * sens * (troops * P[k, CASUALTY_RATE]) / casualty_scale
            )
            ladder_state[k, 7] = P[k, GUARANTEE] * s * viable
            ladder_state[k, 8] = detection
