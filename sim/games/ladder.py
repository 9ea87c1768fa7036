"""The strike ladder: Russia's graded answer to a force that is there, and the defenders' reply.

A 4×3 bimatrix game, built for all Monte Carlo runs at once
(:func:`ladder_table`, shape ``(n, 4, 3)``) and solved exactly every day
(:mod:`sim.games.ladder_solver`).  It refines the deployment game's single
"target" column (:mod:`sim.games.tables`): the reports' threat that troops
would be "legitimate military targets" [S0] spans deniable harassment to a
deliberate strike, and the governments' answer spans absorbing the blow to
escalating.  Formulas, parameters and their reasons: docs/model.md, "The
strike ladder".

Russia (row), rung ``k``: **comply**, **harassment** (drones, sabotage, fire
near the force: deniable, attributed only when monitors detect it), **limited
strike**, **major strike** (the deployment game's strike).  Each rung has a
*severity* ``s_k`` (casualties, as a share of a major strike's), a
*coercion* ``g_k`` (the share of Russia's objection to the force it relieves:
by pressing the states to leave and by carrying out its public threat) and an
*automatic response* ``m_k`` (the share of the tripwire's response
probability ``r(T)`` it triggers whatever the governments decide -- Schelling's
threat "that leaves something to chance").  Major: ``s = g = m = 1``.

The defenders (column: the coalition with any US backstop), posture ``j``:
**absorb**, **retaliate in kind** (strike the launch sites; ``ρ``: the chance
that this exchange becomes a NATO-Russia clash), **escalate** (a military
response: a clash).  A non-absorbing posture costs ``c`` to hold (readiness),
so a reply the defenders would not carry out deters nothing.

Payoffs, with ``a_k`` the chance the act is attributed (``p``, the day's
detection probability, for harassment; 1 for strikes), ``q_kj = 1 - (1 - m_k
r)(1 - c_j)`` the chance of a clash (``c_j`` = 0, ρ, 1), ``T`` Russia's
tolerance cost and ``A_R`` its audience cost (:mod:`sim.games.tables`)::

    Russia     U_R(0, j) = -(T + A_R)
               U_R(k, j) = -(1 - g_k)(T + A_R) - a_k (S + q̂_kj W_R + [j = retaliate] L)
    Defenders  U_D(k, j) = -cost_j - s_k C - a_k (ℓ_j g_k V + q_kj W_C)

``S``: the sanctions Russia expects for an attributed act; ``q̂`` uses the
response probability Russia expects (``r̂``, learnt from unanswered strikes);
``W_R``, ``W_C``: each side's cost of a NATO-Russia war; ``L``: Russia's cost
of a retaliation in kind; ``C``: the defenders' cost of a major strike's
casualties; ``V``: the guarantee's value (weighted by the publics' support);
``ℓ_j``: the share of it an unanswered (absorbed) act destroys -- 1 for
absorb, ``1 - h`` for retaliation in kind (``h``: what retaliation restores),
0 for escalation.  Restricted to {comply, major} × {absorb}, the ladder is the
deployment game's reply to a force that is there.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cache

import numpy as np

from sim.compiled import use_numba

__all__ = [
    "LADDER_ACTIONS",
    "LadderInputs",
    "LadderRungs",
    "clash_probability",
    "ladder_constants",
    "ladder_table",
    "ladder_tables_at",
]

#: (row player, column player), (row actions), (column actions).
LADDER_ACTIONS: tuple[tuple[str, str], tuple[str, ...], tuple[str, ...]] = (
    ("russia", "defenders"),
    ("comply", "harassment", "limited strike", "major strike"),
    ("absorb", "retaliate in kind", "escalate"),
)
COMPLY, HARASSMENT, LIMITED, MAJOR = range(4)
ABSORB, RETALIATE, ESCALATE = range(3)


@dataclass(frozen=True)
class LadderRungs:
    """Per-rung and per-posture constants of each run (arrays of length n)."""

    harassment_severity: np.ndarray
    limited_severity: np.ndarray
    harassment_coercion: np.ndarray
    limited_coercion: np.ndarray
    harassment_automatic: np.ndarray
    limited_automatic: np.ndarray
    retaliation_clash_probability: np.ndarray  # ρ
    retaliation_cost_to_russia: np.ndarray  # L
    retaliation_restores: np.ndarray  # h
    posture_cost: np.ndarray  # c

    CONSTANTS = (
        "harassment_severity", "limited_severity", "harassment_coercion", "limited_coercion",
        "harassment_automatic", "limited_automatic", "retaliation_clash_probability",
        "retaliation_cost_to_russia", "retaliation_restores", "posture_cost",
    )  # fmt: skip

    def take(self, at: np.ndarray) -> LadderRungs:
        """The constants of the runs at positions ``at``."""
        return LadderRungs(**{f.name: getattr(self, f.name)[at] for f in fields(self)})

    def per_rung(self, attribution: np.ndarray) -> tuple[np.ndarray, ...]:
        """Severity, coercion, automatic share and attribution, each (n, 4)."""
        n = attribution.shape[0]
        zero, one = np.zeros(n), np.ones(n)
        severity = np.stack([zero, self.harassment_severity, self.limited_severity, one], 1)
        coercion = np.stack([zero, self.harassment_coercion, self.limited_coercion, one], 1)
        automatic = np.stack([zero, self.harassment_automatic, self.limited_automatic, one], 1)
        attributed = np.stack([zero, attribution, one, one], 1)
        return severity, coercion, automatic, attributed


def clash_probability(
    automatic: np.ndarray, response: np.ndarray, retaliation_clash: np.ndarray
) -> np.ndarray:
    """``q_kj = 1 - (1 - m_k r)(1 - c_j)``, shape (n, 4, 3), given the act is attributed.

    ``automatic``: (n, 4) shares ``m_k``; ``response``: (n,) ``r``;
    ``retaliation_clash``: (n,) ``ρ``.
    """
    n = response.shape[0]
    chosen = np.stack([np.zeros(n), retaliation_clash, np.ones(n)], 1)  # c_j
    auto = automatic * response[:, None]
    return 1.0 - (1.0 - auto[:, :, None]) * (1.0 - chosen[:, None, :])


@dataclass(frozen=True)
class LadderInputs:
    """Per-run inputs of the ladder (arrays of length n); see the module docstring."""

    rungs: LadderRungs
    russia_objection: np.ndarray  # T + A_R: tolerance cost plus audience cost
    russia_sanctions_penalty: np.ndarray  # S
    russia_nato_war_cost: np.ndarray  # W_R
    russia_expected_response: np.ndarray  # r̂
    response_probability: np.ndarray  # r
    coalition_nato_war_cost: np.ndarray  # W_C
    major_strike_casualty_cost: np.ndarray  # C
    guarantee_value: np.ndarray  # V, weighted by support
    detection_probability: np.ndarray  # p: harassment is attributed with it
    # The STATE columns already stacked, (n, 9), when the builder wrote them so (the
    # fields are then its columns); None: state() stacks them.
    stacked: np.ndarray | None = field(default=None, repr=False, compare=False)

    #: The inputs that change during a run (the rungs' constants do not).
    STATE = (
        "russia_objection", "russia_sanctions_penalty", "russia_nato_war_cost",
        "russia_expected_response", "response_probability", "coalition_nato_war_cost",
        "major_strike_casualty_cost", "guarantee_value", "detection_probability",
    )  # fmt: skip

    def state(self) -> np.ndarray:
        """The inputs that change during a run, (n, 9): the tables are a function of
        them and of the rungs' constants, so equal rows give equal tables."""
        if self.stacked is not None:
            return self.stacked
        return np.stack([getattr(self, name) for name in self.STATE], axis=1)

    def take(self, at: np.ndarray) -> LadderInputs:
        """The inputs of the runs at positions ``at``."""
        values = {name: getattr(self, name)[at] for name in self.STATE}
        return LadderInputs(rungs=self.rungs.take(at), **values)


def ladder_table(x: LadderInputs) -> tuple[np.ndarray, np.ndarray]:
    """Russia (row: comply, harassment, limited, major) × defenders (column: absorb,
    retaliate in kind, escalate); two arrays of shape (n, 4, 3)."""
    r = x.rungs
    severity, coercion, automatic, attributed = r.per_rung(x.detection_probability)
    n = severity.shape[0]
    q_russia = clash_probability(
        automatic, x.russia_expected_response, r.retaliation_clash_probability
    )
    q_defenders = clash_probability(
        automatic, x.response_probability, r.retaliation_clash_probability
    )
    retaliation = np.stack([np.zeros(n), r.retaliation_cost_to_russia, np.zeros(n)], 1)
    russia = -(1.0 - coercion[:, :, None]) * x.russia_objection[:, None, None] - attributed[
        :, :, None
    ] * (
        x.russia_sanctions_penalty[:, None, None]
        + q_russia * x.russia_nato_war_cost[:, None, None]
        + retaliation[:, None, :]
    )
    # Comply: nothing happens, whatever the posture.
    russia[:, COMPLY, :] = -x.russia_objection[:, None]

    lost = np.stack([np.ones(n), 1.0 - r.retaliation_restores, np.zeros(n)], 1)  # ℓ_j
    posture = np.stack([np.zeros(n), r.posture_cost, r.posture_cost], 1)
    defenders = (
        -posture[:, None, :]
        - (severity * x.major_strike_casualty_cost[:, None])[:, :, None]
        - attributed[:, :, None]
        * (
            lost[:, None, :] * (coercion * x.guarantee_value[:, None])[:, :, None]
            + q_defenders * x.coalition_nato_war_cost[:, None, None]
        )
    )
    return russia, defenders


def _tables_at(state, constants, at, russia, defenders):
    """The tables of the runs at positions ``at``, cell by cell: the same operations,
    in the same order, as :func:`ladder_table` (plain loops, compiled by numba)."""
    for t in range(at.shape[0]):
        r = at[t]
        objection, sanctions, war_r, expected = state[r, 0], state[r, 1], state[r, 2], state[r, 3]
        response, war_c, casualties, value = state[r, 4], state[r, 5], state[r, 6], state[r, 7]
        detection = state[r, 8]
        c = constants[r]
        severity = (0.0, c[0], c[1], 1.0)
        coercion = (0.0, c[2], c[3], 1.0)
        automatic = (0.0, c[4], c[5], 1.0)
        attributed = (0.0, detection, 1.0, 1.0)
        chosen = (0.0, c[6], 1.0)
        retaliation = (0.0, c[7], 0.0)
        lost = (1.0, 1.0 - c[8], 0.0)
        posture = (0.0, c[9], c[9])
        for k in range(4):
            for j in range(3):
                q_russia = 1.0 - (1.0 - automatic[k] * expected) * (1.0 - chosen[j])
                q_defenders = 1.0 - (1.0 - automatic[k] * response) * (1.0 - chosen[j])
                if k == 0:
                    russia[t, k, j] = -objection
                else:
                    russia[t, k, j] = -(1.0 - coercion[k]) * objection - attributed[k] * (
                        sanctions + q_russia * war_r + retaliation[j]
                    )
                defenders[t, k, j] = (
                    -posture[j]
                    - severity[k] * casualties
                    - attributed[k] * (lost[j] * (coercion[k] * value) + q_defenders * war_c)
                )


@cache
def _compiled_tables():
    from numba import njit  # loaded only when tables are built in the daily step

    return njit(cache=True, error_model="numpy")(_tables_at)


def ladder_constants(rungs: LadderRungs) -> np.ndarray:
    """The rungs' constants as one (n, 10) array, columns in :attr:`LadderRungs.CONSTANTS`."""
    return np.ascontiguousarray(
        np.stack([getattr(rungs, name) for name in LadderRungs.CONSTANTS], axis=1), dtype=float
    )


def ladder_tables_at(
    x: LadderInputs,
    at: np.ndarray,
    state: np.ndarray | None = None,
    constants: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``ladder_table(x.take(at))`` without the intermediate arrays: compiled loops
    over the runs at positions ``at`` (the daily step builds only the tables that
    changed).  ``state``: ``x.state()``, and ``constants``:
    ``ladder_constants(x.rungs)``, if the caller has them.  Under
    ``SIM_NO_NUMBA`` it is :func:`ladder_table` itself; the two give the same
    bits (``tests/test_ladder.py``)."""
    if not use_numba():
        return ladder_table(x.take(at))
    state = np.ascontiguousarray(x.state() if state is None else state)
    if constants is None:
        constants = ladder_constants(x.rungs)
    russia = np.empty((at.shape[0], 4, 3))
    defenders = np.empty((at.shape[0], 4, 3))
    _compiled_tables()(
        state, constants, np.ascontiguousarray(at, dtype=np.int64), russia, defenders
    )
    return russia, defenders
