"""The bookkeeping of a day's phases in compiled passes over the runs.

Between its random draws, a phase of :mod:`sim.engine.phases` updates a few dozen
arrays of one value per run: counters, flags, the day of a first event.  In NumPy
each update is a pass with its temporary (``np.where`` alone costs as much as a
draw); these numba kernels make the updates between two draws one pass, with
the same operations in the same order, so that the bits are those of the NumPy
code in ``phases.py``, which stays the reference (``SIM_NO_NUMBA=1``;
``tests/test_kernels.py`` runs whole simulations both ways and compares them).

What NumPy updates in place (``+=``, ``|=``, ``&=``) is updated in place here;
what NumPy replaces by a new array (``np.where``) is written to a new array, so
that an array another variable still refers to is never changed under it.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = [
    "after_the_clash",
    "belief_after_signal",
    "ceasefire_starts",
    "consequence_counts",
    "end_of_day_counts",
    "entry_inputs",
    "entry_outcome",
    "ladder_reply",
    "sanctions_counts",
    "settle_the_day",
    "talks_chance",
    "threats_issued",
]


@numba.njit(cache=True, error_model="numpy")
def consequence_counts(acts, detected_draw, context, counters):
    """Detection and the violation counters of :func:`sim.engine.phases.consequences`.

    ``acts``: Russia attacks, Russia violates, Ukraine violates, Russia's and
    Ukraine's violations deliberate; ``detected_draw``: a Russian violation
    detected; ``context``: sanctions imposed, ceasefire in force, defied.
    ``counters`` (in place): violation days of Russia and Ukraine, deliberate days of
    both, ceasefire days under sanctions, Russia's deliberate days under them,
    ceasefire days after defiance, Russia's deliberate days after it.
    Returns whether Russia's act was attributed (an attack always is).
    """
    attacks, russia_violates, ukraine_violates, russia_deliberate, ukraine_deliberate = acts
    imposed, in_force, defied = context
    r_days, u_days, r_deliberate, u_deliberate, under, r_under, after, r_after = counters
    n = attacks.shape[0]
    detected = np.empty(n, dtype=np.bool_)
    for k in range(n):
        detected[k] = attacks[k] or detected_draw[k]
        r_days[k] += russia_violates[k]
        u_days[k] += ukraine_violates[k]
        r_deliberate[k] += russia_deliberate[k]
        u_deliberate[k] += ukraine_deliberate[k]
        is_under = imposed[k] and in_force[k]
        under[k] += is_under
        r_under[k] += is_under and russia_deliberate[k]
        is_after = defied[k] and in_force[k]
        after[k] += is_after
        r_after[k] += is_after and russia_deliberate[k]
    return detected


@numba.njit(cache=True, error_model="numpy")
def ladder_reply(rung, posture, attacks, attributed, constants, response, counters):
    """The strike ladder's counters, and the chance that an answered act becomes a clash.

    ``constants``: harassment's and a limited strike's automatic shares, the clash
    probability of a retaliation in kind; ``counters`` (in place): harassment days,
    attributed harassment, limited strikes, major strikes, retaliations.  Returns
    ``(chance, answered)``: ``1 - (1 - m_k r)(1 - c_j)`` and whether the act meets
    the defenders' posture (a strike, or attributed harassment).
    """
    harassment_auto, limited_auto, retaliation_clash = constants
    harassment_days, harassment_attributed, limited, major, retaliations = counters
    n = rung.shape[0]
    chance = np.empty(n)
    answered = np.empty(n, dtype=np.bool_)
    for k in range(n):
        r, j = rung[k], posture[k]
        harassment_days[k] += r == 1
        harassment_attributed[k] += attributed[k]
        limited[k] += r == 2
        major[k] += r == 3
        automatic = (
            0.0 if r == 0 else harassment_auto[k] if r == 1 else limited_auto[k] if r == 2 else 1.0
        )
        chosen = 0.0 if j == 0 else retaliation_clash[k] if j == 1 else 1.0
        chance[k] = 1.0 - (1.0 - automatic * response[k]) * (1.0 - chosen)
        answered[k] = attacks[k] or attributed[k]
        retaliations[k] += answered[k] and j == 1
    return chance, answered


@numba.njit(cache=True, error_model="numpy")
def after_the_clash(day, attacks, clash, context, firsts, flags, counters, acts, spiral):
    """Consequences of the day's attacks and clashes, and the ceasefire's collapse chances.

    ``context``: Russia's targeting probability, the sanctions penalty, the committed
    troops (recorded at a first attack); ``firsts``: the day of the first attack and
    those three at it (new arrays are returned, as ``np.where`` gives); ``flags`` (in
    place): escalated, Russia has struck; ``counters`` (in place): attacks on the
    force, unanswered strikes; ``acts``: Russia and Ukraine violate, deliberately,
    detected; ``spiral``: accidents contained, spiral probability, attribution's
    reduction of it.  Returns ``(firsts, escalation_day, spiral_chance, both_violate)``
    with ``escalation_day`` a new array.
    """
    targeting, penalty, troops = context
    first_day, targeting_at, penalty_at, troops_at, escalation_day = firsts
    escalated, struck = flags
    attacks_count, unanswered = counters
    (russia_violates, ukraine_violates, russia_deliberate, ukraine_deliberate,
     russia_detected, ukraine_detected) = acts  # fmt: skip
    contained, spiral_probability, reduction = spiral
    n = attacks.shape[0]
    new_first_day = np.empty_like(first_day)
    new_targeting = np.empty(n)
    new_penalty = np.empty(n)
    new_troops = np.empty(n)
    new_escalation_day = np.empty_like(escalation_day)
    spiral_chance = np.empty(n)
    both = np.empty(n, dtype=np.bool_)
    for k in range(n):
        attack = attacks[k]
        attacks_count[k] += attack
        first = attack and not struck[k]
        new_first_day[k] = day if first else first_day[k]
        new_targeting[k] = targeting[k] if first else targeting_at[k]
        new_penalty[k] = penalty[k] if first else penalty_at[k]
        new_troops[k] = troops[k] if first else troops_at[k]
        new_escalation_day[k] = day if clash[k] and not escalated[k] else escalation_day[k]
        escalated[k] = escalated[k] or clash[k]
        struck[k] = struck[k] or attack
        unanswered[k] += attack and not clash[k]
        # With accidents contained, only deliberate violations and strikes can end it.
        if contained[k]:
            russia = russia_deliberate[k] or attack
            ukraine = ukraine_deliberate[k]
        else:
            russia = russia_violates[k]
            ukraine = ukraine_violates[k]
        s = spiral_probability[k]
        if russia and not ukraine:
            spiral_chance[k] = s * (1.0 - reduction[k] * (1.0 if russia_detected[k] else 0.0))
        elif ukraine and not russia:
            spiral_chance[k] = s * (1.0 - reduction[k] * (1.0 if ukraine_detected[k] else 0.0))
        else:
            spiral_chance[k] = 0.0
        both[k] = russia and ukraine
    firsts_out = (new_first_day, new_targeting, new_penalty, new_troops)
    return firsts_out, new_escalation_day, spiral_chance, both


@numba.njit(cache=True, error_model="numpy")
def settle_the_day(day, ends, defiance, flags, counters, first_end_day, compliance_days):
    """The ceasefire's end, defiance of a pending threat, the compliance clock.

    ``ends``: a spiral, a mutual collapse; ``defiance``: Russia attacks, attributed
    harassment, a deliberate violation, Russia's act attributed, a threat pending,
    sanctions imposed; ``flags`` (in place): escalated (read), ceasefire in force,
    defiance observed; ``counters`` (in place): ceasefire collapses.  Returns the
    new first-ceasefire end day and the new compliance days.
    """
    spirals, mutual = ends
    attacks, attributed, deliberate, detected, threat, imposed = defiance
    escalated, in_force, observed = flags
    (collapses,) = counters
    n = attacks.shape[0]
    new_end_day = np.empty_like(first_end_day)
    new_compliance = np.empty_like(compliance_days)
    for k in range(n):
        ending = in_force[k] and (spirals[k] or mutual[k] or escalated[k])
        collapses[k] += ending
        new_end_day[k] = day if ending and first_end_day[k] < 0 else first_end_day[k]
        in_force[k] = in_force[k] and not ending
        defied_today = attacks[k] or attributed[k] or (deliberate[k] and detected[k])
        observed[k] = observed[k] or (threat[k] and defied_today)
        compliant = imposed[k] and in_force[k] and not defied_today
        new_compliance[k] = 0 if defied_today else compliance_days[k] + compliant
    return new_end_day, new_compliance


@numba.njit(cache=True, error_model="numpy")
def sanctions_counts(day, threat, observed, imposes, relief, flags, state):
    """:func:`sim.engine.phases.sanctions_bookkeeping` in one pass.

    ``flags`` (in place): defied, sanctions imposed, US backed down, threat active;
    ``state``: the day sanctions were imposed, the credibility belief, the compliance
    days, sanctions lifted, days in force (the last two in place).  Returns the new
    imposition day, credibility belief, compliance days and whether the US backs down.
    """
    defied, imposed, backed_down, threat_out = flags
    imposed_day, belief, compliance, lifted_count, days_in_force = state
    n = threat.shape[0]
    new_day = np.empty_like(imposed_day)
    new_belief = np.empty(n)
    new_compliance = np.empty_like(compliance)
    backs_down = np.empty(n, dtype=np.bool_)
    for k in range(n):
        pending = threat[k] and observed[k]
        defied[k] = defied[k] or pending
        new_day[k] = day if imposes[k] and imposed_day[k] < 0 else imposed_day[k]
        imposed[k] = imposed[k] or imposes[k]
        backs_down[k] = pending and not imposes[k]
        backed_down[k] = backed_down[k] or backs_down[k]
        b = 1.0 if imposes[k] else belief[k]
        new_belief[k] = 0.0 if backs_down[k] else b
        active = threat[k] and not observed[k]
        days = 0 if imposes[k] else compliance[k]
        lifted = imposed[k] and days >= relief[k]
        imposed[k] = imposed[k] and not lifted
        lifted_count[k] += lifted
        threat_out[k] = active or lifted
        new_compliance[k] = 0 if lifted else days
        days_in_force[k] += imposed[k]
    return new_day, new_belief, new_compliance, backs_down


@numba.njit(cache=True, error_model="numpy")
def end_of_day_counts(levels, held, counters, acts, escalated):
    """The ceasefire's counters and the day's escalation level (:func:`end_of_day`).

    ``levels``: the codes of ceasefire holding, war, ceasefire violated, peacekeepers
    attacked, NATO-Russia clash; ``counters``: days held (in place) and consecutive
    days held (a new array is returned); ``acts``: Russia violates, Ukraine
    violates, Russia attacks.  Returns ``(consecutive, level)``.
    """
    holding, war, violated_level, attacked_level, clash_level = levels
    days_held, consecutive = counters
    russia_violates, ukraine_violates, attacks = acts
    n = held.shape[0]
    new_consecutive = np.empty_like(consecutive)
    level = np.empty(n, dtype=np.int8)
    for k in range(n):
        h = held[k]
        days_held[k] += h
        new_consecutive[k] = consecutive[k] + 1 if h else 0
        value = holding if h else war
        if h and (russia_violates[k] or ukraine_violates[k]):
            value = violated_level
        if attacks[k]:
            value = attacked_level
        if escalated[k]:
            value = clash_level
        level[k] = value
    return new_consecutive, level


@numba.njit(cache=True, error_model="numpy")
def entry_inputs(day, deployment_table, context, flags, belief):
    """What the coalition's entry decision rests on (:func:`coalition_decisions`).

    ``deployment_table``: the coalition's payoffs (n, 2, 2); ``context``: ceasefire in
    force, the war-exposure parameter, the deployment day, launchable, deployment
    only during a ceasefire, mission under way, mission abandoned, escalated;
    ``flags`` (in place): the deployment date reached; ``belief``: in Russia's
    resolve.  Returns the new war exposure, entry threshold, ``allowed``,
    ``eligible``, the value of entering and whether it is at least 0 (as 0/1).
    """
    (in_force, exposure, deployment_day, launchable, only_in_ceasefire, mission, abandoned,
     escalated) = context  # fmt: skip
    (date_reached,) = flags
    n = in_force.shape[0]
    war_exposure = np.empty(n)
    threshold = np.empty(n)
    allowed = np.empty(n, dtype=np.bool_)
    eligible = np.empty(n, dtype=np.bool_)
    value = np.empty(n)
    enters = np.empty(n)
    for k in range(n):
        war_exposure[k] = 0.0 if in_force[k] else exposure[k]
        # deterrence_threshold and entry_value (sim.games.bayesian), staying out at 0.
        accept = deployment_table[k, 0, 0] - deployment_table[k, 1, 0]
        target = deployment_table[k, 0, 1] - deployment_table[k, 1, 1]
        spread = accept - target
        if spread == 0:
            threshold[k] = np.inf if accept >= 0.0 else -np.inf
        else:
            threshold[k] = (accept - 0.0) / spread
        date = deployment_day[k] >= 0 and day >= deployment_day[k]
        date_reached[k] = date_reached[k] or (date and launchable[k])
        allowed[k] = in_force[k] or not only_in_ceasefire[k]
        eligible[k] = (
            date
            and launchable[k]
            and allowed[k]
            and not mission[k]
            and not abandoned[k]
            and not escalated[k]
        )
        value[k] = accept + belief[k] * (target - accept)
        enters[k] = 1.0 if value[k] >= 0 else 0.0
    return war_exposure, threshold, allowed, eligible, value, enters


@numba.njit(cache=True, error_model="numpy")
def entry_outcome(day, choice, context, flags, counters, at_entry):
    """The entry decided today and what it was decided on (:func:`coalition_decisions`).

    ``choice``: the entry drawn, entry forced, eligible, the probability of entering,
    Russia's targeting probability; ``context``: allowed, escalated, the sanctions
    penalty, the committed troops; ``flags`` (in place): mission under way;
    ``counters`` (in place): eligible days; ``at_entry``: the deployment start day,
    and targeting, sanctions penalty, troops and own choice at entry.  Returns new
    arrays: the entry probability, the five of ``at_entry``, whether the force is
    moving, the deployment game's profile label and Russia's probability of accepting.
    """
    chooses, forced, eligible, probability, targeting = choice
    allowed, escalated, penalty, troops = context
    (mission,) = flags
    (eligible_days,) = counters
    start_day, targeting_at, penalty_at, troops_at, own_choice = at_entry
    n = chooses.shape[0]
    entry_probability = np.empty(n)
    new_start = np.empty_like(start_day)
    new_targeting = np.empty(n)
    new_penalty = np.empty(n)
    new_troops = np.empty(n)
    new_choice = np.empty(n)
    moving = np.empty(n, dtype=np.bool_)
    label = np.empty(n, dtype=np.int64)
    accept = np.empty(n)
    for k in range(n):
        entry_probability[k] = 1.0 if forced[k] else probability[k]
        eligible_days[k] += eligible[k]
        newly = eligible[k] and (chooses[k] or forced[k])
        new_start[k] = day if newly else start_day[k]
        mission[k] = mission[k] or newly
        moving[k] = mission[k] and allowed[k] and not escalated[k]
        new_targeting[k] = targeting[k] if newly else targeting_at[k]
        new_penalty[k] = penalty[k] if newly else penalty_at[k]
        new_troops[k] = troops[k] if newly else troops_at[k]
        new_choice[k] = probability[k] if newly else own_choice[k]
        # The profile played in sequence: 2 × (stays out) + (Russia targets).
        label[k] = (0 if probability[k] >= 0.5 else 2) + (1 if targeting[k] > 0.5 else 0)
        accept[k] = 1.0 - targeting[k]
    at_entry_out = (new_start, new_targeting, new_penalty, new_troops, new_choice)
    return entry_probability, at_entry_out, moving, label, accept


@numba.njit(cache=True, error_model="numpy")
def belief_after_signal(belief, seen, likely_resolute, likely_bluffing, incidents):
    """Bayes' rule for the day's signal (:func:`sim.games.bayesian.update_belief`, operation
    for operation); ``incidents`` (in place) counts the incidents seen.  Returns the
    new belief."""
    n = belief.shape[0]
    posterior = np.empty(n)
    for k in range(n):
        incidents[k] += seen[k]
        mu = belief[k]
        h_r, h_b = likely_resolute[k], likely_bluffing[k]
        resolute = mu * (h_r if seen[k] else 1.0 - h_r)
        bluffing = (1.0 - mu) * (h_b if seen[k] else 1.0 - h_b)
        total = resolute + bluffing
        posterior[k] = resolute / total if total > 0 else mu
    return posterior


@numba.njit(cache=True, error_model="numpy")
def ceasefire_starts(day, starting, term, flags, dates, timeline):
    """A ceasefire starts where ``starting`` (:func:`sim.engine.phases._start_ceasefire`).

    ``term``: per run, the agreed term's length, or None (open-ended); ``flags`` (in
    place): ceasefire in force, ever a ceasefire; ``dates``: the first ceasefire's
    day, consecutive days held, the term's end, the deployment day, the threat day;
    ``timeline``: the deployment's and the threat's offsets and whether each is
    dated from the first ceasefire's start.  Returns the five ``dates``, new.
    """
    in_force, ever = flags
    first_day, consecutive, term_end, deployment_day, threat_day = dates
    deployment_offset, deployment_after, threat_offset, threat_after = timeline
    n = starting.shape[0]
    new_first = np.empty_like(first_day)
    new_consecutive = np.empty_like(consecutive)
    new_end = np.empty_like(term_end)
    new_deployment = np.empty_like(deployment_day)
    new_threat = np.empty_like(threat_day)
    for k in range(n):
        start = starting[k]
        in_force[k] = in_force[k] or start
        first = start and not ever[k]
        new_first[k] = day if first else first_day[k]
        ever[k] = ever[k] or start
        new_consecutive[k] = 0 if start else consecutive[k]
        if start:
            new_end[k] = -1 if term is None else day + term[k]
        else:
            new_end[k] = term_end[k]
        # Events dated from the first ceasefire's start are fixed now.
        fixed = first and deployment_after[k] and deployment_offset[k] >= 0
        new_deployment[k] = day + deployment_offset[k] if fixed else deployment_day[k]
        fixed = first and threat_after[k] and threat_offset[k] >= 0
        new_threat[k] = day + threat_offset[k] if fixed else threat_day[k]
    return new_first, new_consecutive, new_end, new_deployment, new_threat


@numba.njit(cache=True, error_model="numpy")
def talks_chance(talks, sanctions_effect, imposed, pledge_factor, in_force, escalated):
    """The day's chance of a negotiated ceasefire, clipped to [0, 1], and where talks can
    produce one (fighting goes on: no ceasefire, no escalation) (:func:`events`)."""
    n = talks.shape[0]
    chance = np.empty(n)
    fighting = np.empty(n, dtype=np.bool_)
    for k in range(n):
        hazard = talks[k] * (1.0 + sanctions_effect[k] * (1.0 if imposed[k] else 0.0))
        hazard = hazard * pledge_factor[k]
        # np.clip's order: the lower bound, then the upper (NaN stays NaN).
        chance[k] = min(max(hazard, 0.0), 1.0) if hazard == hazard else hazard
        fighting[k] = not in_force[k] and not escalated[k]
    return chance, fighting


@numba.njit(cache=True, error_model="numpy")
def threats_issued(day, threat_day, deadline_days, flags, deadline_day):
    """A threat dated today is issued (:func:`events`); ``flags`` (in place): threat
    issued, sanctions imposed (read), escalated (read), threat active.  Returns the new
    deadline day."""
    issued_flag, imposed, escalated, active = flags
    n = threat_day.shape[0]
    new_deadline = np.empty_like(deadline_day)
    for k in range(n):
        issued = threat_day[k] == day and not issued_flag[k]
        issued_flag[k] = issued_flag[k] or issued
        issued = issued and not imposed[k] and not escalated[k]
        active[k] = active[k] or issued
        new_deadline[k] = day + deadline_days[k] if issued else deadline_day[k]
    return new_deadline
