"""The typed scenario: what a YAML scenario file becomes after validation.

Every model parameter is a :mod:`sim.scenario.distributions` distribution (a plain number
is a ``fixed`` one), tagged with the interval its values must lie in.  The
loader (:mod:`sim.scenario.loader`) turns YAML into these objects once, at the edge; the
model only ever sees a validated :class:`Scenario`.

Types are strict: a boolean or a string is never a number (``horizon_days:
yes`` and ``troops_pledged: "5000"`` are errors, not 1 and 5000), a number is
never a string, and an integer field takes no fraction (``runs: 100.0`` is an
error); a whole number is accepted where a float is expected.  Every integer
field has an upper bound, with its reason in the field's description.

The meaning, default and source of each parameter are documented in
``docs/model.md`` and in the comments of ``scenarios/baseline.yaml``.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from sim.errors import InputError
from sim.scenario.distributions import Distribution, as_distribution_input

__all__ = [
    "ENSEMBLE_CHOICES",
    "EVENT_ANCHORS",
    "GAME_NAMES",
    "PARTICIPATION_RULES",
    "SELECTION_RULES",
    "CeasefireDynamics",
    "Coalition",
    "CoalitionStateSpec",
    "ExplicitTable",
    "Games",
    "Information",
    "Levers",
    "Russia",
    "Sanctions",
    "Scenario",
    "Simulation",
    "Timeline",
    "Ukraine",
    "UnitedStates",
    "scenario_json_schema",
]


def _within(low: float, high: float, what: str):
    def check(dist):
        lo, hi = dist.support()
        if lo < low or hi > high:
            if high == math.inf:
                raise ValueError(f"{what} must be >= {low:g}, but this value can be {lo:g}")
            side = lo if lo < low else hi
            raise ValueError(
                f"{what} must lie in [{low:g}, {high:g}], but this value can be {side:g}"
            )
        return dist

    return AfterValidator(check)


# A plain number is accepted for a fixed value; the JSON Schema says so too.
_coerce = BeforeValidator(as_distribution_input, json_schema_input_type=float | Distribution)

# Parameter kinds, by the interval their values must lie in.
Probability = Annotated[Distribution, _coerce, _within(0.0, 1.0, "a probability")]
#: The largest value of a non-negative parameter: payoffs are in units of the value of a
#: ceasefire and troops are at most a million, so anything larger is a typo, and values
#: near the floating-point limit would overflow the games' arithmetic (inf - inf).
MAX_VALUE = 1e9
NonNegative = Annotated[Distribution, _coerce, _within(0.0, MAX_VALUE, "this value")]
Share = Annotated[Distribution, _coerce, _within(0.0, 1.0, "a share")]


#: The most Monte Carlo runs a scenario file or the command line may ask for.
MAX_RUNS = 10_000_000

_NAME_PATTERN = r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$"


def _safe_name(name: str) -> str:
    """A scenario name is one safe path component: it names ``results/<name>``."""
    if not re.fullmatch(_NAME_PATTERN, name):
        shown = name if len(name) <= 40 else name[:37] + "..."
        raise ValueError(
            f"{shown!r} cannot name a result directory: use 1-100 letters, digits, '_', '-' "
            "or '.', not starting with '.'"
        )
    return name


class _Section(BaseModel):
    # strict: a boolean or a string is not a number ("yes" is not 1, "5000" not 5000),
    # and a number is not a string; a whole number is still accepted as a float.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, strict=True)


#: Longest horizon and latest day of any dated event: ten years.  The model
#: steps day by day and keeps per-day trajectories, so the horizon bounds a
#: run's time and memory.
_HORIZON_MAX = 3650

#: Largest number of troops: far above any pledge discussed (tens of thousands).
_TROOPS_MAX = 1_000_000

#: Largest seed: a signed 64-bit integer, so manifests and tables store it exactly.
SEED_MAX = 2**63 - 1

#: Largest logit QRE precision.  At lambda = 1e6 a payoff difference of 1e-4 or
#: more already gives a logit choice of 0 or 1 to machine precision (a best
#: response), so larger values change nothing that matters, while values such
#: as 1e100 made runs take minutes.
QRE_PRECISION_MAX = 1e6


class Simulation(_Section):
    """How many runs, how long, which seed."""

    horizon_days: int = Field(
        365,
        ge=1,
        le=_HORIZON_MAX,
        description="days simulated in each run; at most 3,650 (ten years): the model "
        "steps day by day, so this bounds each run's time and memory",
    )
    runs: int = Field(
        1000,
        ge=1,
        le=MAX_RUNS,
        description="Monte Carlo runs; at most 10,000,000, which bounds a batch's time and "
        "the size of its run table",
    )
    seed: int = Field(
        0,
        ge=0,
        le=SEED_MAX,
        description="root seed of numpy.random.SeedSequence; at most 2**63 - 1, a signed "
        "64-bit integer, so that manifests and tables store it exactly",
    )


class Levers(_Section):
    """Policy levers that are not dated events (those are in the timeline)."""

    troops_pledged: int = Field(
        0,
        ge=0,
        le=_TROOPS_MAX,
        description="total troops the coalition pledges (0 = no force); at most 1,000,000, "
        "far above any pledge discussed",
    )
    sanctions_credibility: Probability = Field(
        description="prior probability that the US is a type that carries out its threat"
    )
    us_backstop: bool = Field(False, description="the US pledges to back the force militarily")
    un_mandate: bool = Field(False, description="the force deploys under a UN mandate")
    deploy_only_during_ceasefire: bool = Field(
        True, description="troops move in only while a ceasefire is in force"
    )
    deployment: Literal["equilibrium", "forced"] = Field(
        "equilibrium",
        description="equilibrium: the coalition enters only when its strategy in the day's "
        "deployment game is to deploy; forced: it enters whenever the timeline allows "
        "(a what-if that ignores the game)",
    )


#: What a dated event's ``day`` counts from: the first day of the run, or the
#: first day a ceasefire is in force in that run (the event then never happens in
#: a run without a ceasefire).
EVENT_ANCHORS = ("start", "ceasefire_start")

#: Said of every day and number of days: why it is at most _HORIZON_MAX.
_DAYS = "; at most 3,650, the longest horizon (a later day never comes)"


class CeasefireEvent(_Section):
    day: int = Field(ge=0, le=_HORIZON_MAX, description="day the ceasefire starts" + _DAYS)
    duration_days: int = Field(
        ge=1,
        le=_HORIZON_MAX,
        description="length of the agreed term; renewed at its end "
        "only if holding is then self-enforcing" + _DAYS,
    )


class SanctionsThreatEvent(_Section):
    day: int = Field(
        ge=0,
        le=_HORIZON_MAX,
        description="day the US issues its threat (counted from `after`)" + _DAYS,
    )
    after: Literal["start", "ceasefire_start"] = Field(
        "start", description="what `day` counts from: the run's start or the ceasefire's start"
    )
    deadline_days: int = Field(
        ge=1,
        le=_HORIZON_MAX,
        description="days after the threat by which a ceasefire must be in force" + _DAYS,
    )


class DeploymentEvent(_Section):
    day: int = Field(
        ge=0,
        le=_HORIZON_MAX,
        description="first day troops may move in (counted from `after`)" + _DAYS,
    )
    after: Literal["start", "ceasefire_start"] = Field(
        "start", description="what `day` counts from: the run's start or the ceasefire's start"
    )
    ramp_days: int = Field(
        ge=1,
        le=_HORIZON_MAX,
        description="days to bring each contingent to full strength" + _DAYS,
    )


class Timeline(_Section):
    """Dated events; an event left out does not happen."""

    ceasefire: CeasefireEvent | None = None
    sanctions_threat: SanctionsThreatEvent | None = None
    deployment: DeploymentEvent | None = None


class Russia(_Section):
    resolve: NonNegative
    reference_force: NonNegative
    force_size_elasticity: NonNegative
    audience_cost: NonNegative
    nato_war_cost: NonNegative
    response_prior_strength: NonNegative
    sanctions_cost: NonNegative
    deal_cost: NonNegative
    violation_gain: NonNegative
    exploited_cost: NonNegative
    war_cost: NonNegative
    detected_violation_cost: NonNegative
    agreement_violation_cost: NonNegative


class Ukraine(_Section):
    violation_gain: NonNegative
    exploited_cost: NonNegative
    war_cost: NonNegative
    support_loss_if_detected: NonNegative
    agreement_violation_cost: NonNegative


class UnitedStates(_Section):
    sanctions_cost_to_us: NonNegative
    audience_cost: NonNegative
    backstop_response_probability: Probability


class CoalitionStateSpec(_Section):
    troops: int = Field(
        ge=0,
        le=_TROOPS_MAX,
        description="troops in the reference pledge (a share of the total); at most 1,000,000",
    )
    domestic_support: Share
    casualty_sensitivity: NonNegative


#: How coalition states decide to stay in or leave the mission (docs/model.md).
PARTICIPATION_RULES = ("own_benefit", "public_good")


class Coalition(_Section):
    participation: Literal["own_benefit", "public_good"] = Field(
        "own_benefit",
        description="own_benefit: a state stays while its own payoff of staying is >= 0; "
        "public_good: the threshold public-good game, a state stays only if it is pivotal "
        "or staying costs it nothing",
    )
    guarantee_value: NonNegative
    deployment_cost: NonNegative
    casualty_cost: NonNegative
    audience_cost: NonNegative = Field(
        0.0,
        validate_default=True,
        description="the coalition's cost of backing down from its public pledge (staying "
        "out), at full domestic support; scaled by the members' pledge-weighted support",
    )
    shared_casualty_weight: Share
    casualty_scale: Annotated[Distribution, _coerce, _within(1e-9, math.inf, "casualty_scale")]
    nato_war_cost: NonNegative
    minimum_viable_force: Annotated[
        Distribution, _coerce, _within(0.0, float(_TROOPS_MAX), "minimum_viable_force")
    ]
    max_response_probability: Probability
    tripwire_scale: NonNegative
    casualty_rate_per_attack: Probability
    risk_window_days: int = Field(
        ge=1,
        le=_HORIZON_MAX,
        description="days of exposure a government weighs when deciding to stay" + _DAYS,
    )
    war_casualty_exposure: Probability
    states: dict[str, CoalitionStateSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _some_troops(self) -> Coalition:
        if sum(s.troops for s in self.states.values()) == 0:
            raise ValueError("at least one coalition state needs troops > 0")
        return self


class CeasefireDynamics(_Section):
    base_detection_probability: Probability
    max_detection_probability: Probability
    monitoring_scale: NonNegative
    spiral_probability: Probability
    attribution_spiral_reduction: Probability
    mutual_violation_collapse_probability: Probability
    accidental_violation_probability: Probability
    accidents: Literal["can_spiral", "contained"] = Field(
        "can_spiral",
        description="can_spiral: an accidental violation can end a ceasefire like any other "
        "(it spirals unless attributed); contained: accidents are investigated and never "
        "end a ceasefire (only deliberate violations and strikes do)",
    )
    violation_gain_halflife_days: NonNegative
    durable_after_days: int = Field(
        ge=1,
        le=_HORIZON_MAX,
        description="consecutive days a self-enforcing ceasefire must have held at the end "
        "to count as durable" + _DAYS,
    )
    talks_daily_probability: Probability
    imposed_sanctions_talks_effect: NonNegative
    pledge_talks_penalty: Probability
    un_mandate_discount: Probability


class Sanctions(_Section):
    """What imposed sanctions do (docs/model.md, "Sanctions")."""

    threat_after_deal: Literal["stands", "withdrawn"] = Field(
        "stands",
        description="stands: a threat whose deadline finds a ceasefire in force stays "
        "pending, guarding the deal; withdrawn: the deal meets the threat and it is "
        "withdrawn",
    )

    relief_after_days: int = Field(
        60,
        ge=1,
        le=_HORIZON_MAX,
        description="days of Russian compliance (no detected violation, no strike) after "
        "which imposed sanctions are lifted; the threat then stands again" + _DAYS,
    )


class StrikeLadder(_Section):
    """The strike ladder's rungs and postures (docs/model.md, "The strike ladder").

    A major strike is the unit: severity, coercion and automatic response 1.
    Every default is an assumption, argued in docs/model.md.
    """

    harassment_severity: Share = Field(
        0.05,
        validate_default=True,
        description="casualties of harassment (drones, sabotage), as a share of a major strike's",
    )
    limited_severity: Share = Field(
        0.3,
        validate_default=True,
        description="casualties of a limited strike, as a share of a major strike's",
    )
    harassment_coercion: Share = Field(
        0.2,
        validate_default=True,
        description="share of Russia's objection to the force (tolerance and audience "
        "cost) that harassment relieves",
    )
    limited_coercion: Share = Field(
        0.6,
        validate_default=True,
        description="share of Russia's objection to the force a limited strike relieves",
    )
    harassment_automatic: Share = Field(
        0.0,
        validate_default=True,
        description="share of the tripwire's response probability r(T) that attributed "
        "harassment triggers whatever the governments decide",
    )
    limited_automatic: Share = Field(
        0.5,
        validate_default=True,
        description="share of r(T) a limited strike triggers whatever the governments decide",
    )
    retaliation_clash_probability: Probability = Field(
        0.1,
        validate_default=True,
        description="chance that a retaliation in kind becomes a NATO-Russia clash",
    )
    retaliation_cost_to_russia: NonNegative = Field(
        0.5,
        validate_default=True,
        description="Russia's cost of being retaliated against in kind",
    )
    retaliation_restores: Share = Field(
        0.5,
        validate_default=True,
        description="share of the guarantee's credibility, lost when an act goes "
        "unanswered, that a retaliation in kind restores",
    )
    posture_cost: NonNegative = Field(
        0.01,
        validate_default=True,
        description="daily cost to the defenders of holding a posture of retaliation or "
        "escalation (readiness)",
    )


class Actors(_Section):
    russia: Russia
    ukraine: Ukraine
    united_states: UnitedStates
    coalition: Coalition


#: How agents choose when a game has several equilibria (docs/games.md).
SELECTION_RULES = ("risk_dominant", "payoff_dominant", "max_entropy", "logit_qre", "random")

GAME_NAMES = ("deployment", "ceasefire", "sanctions")


def _as_tuple(value: object) -> object:
    """YAML and JSON give lists; the strict models take tuples for fixed-length rows."""
    return tuple(value) if isinstance(value, list) else value


_tuple = BeforeValidator(_as_tuple)
Row2 = Annotated[tuple[float, float], _tuple]


class ExplicitTable(_Section):
    """A 2×2 payoff table given directly; it replaces the one computed from parameters.

    ``row_payoffs[i][j]`` is the row player's payoff when the row player plays
    its action ``i`` and the column player its action ``j`` (actions in the
    order of docs/games.md: deployment = coalition deploy/stay out × Russia
    accept/target; ceasefire = Russia hold/violate × Ukraine hold/violate;
    sanctions = US impose/refrain × Russia comply/defy).  ``row_actions`` and
    ``col_actions`` only relabel the actions in ``sim equilibria`` output.
    """

    row_payoffs: Annotated[tuple[Row2, Row2], _tuple]
    col_payoffs: Annotated[tuple[Row2, Row2], _tuple]
    row_actions: Annotated[tuple[str, str] | None, _tuple] = None
    col_actions: Annotated[tuple[str, str] | None, _tuple] = None


class Games(_Section):
    """How agents play the games, and tables given explicitly."""

    selection: Literal["risk_dominant", "payoff_dominant", "max_entropy", "logit_qre", "random"] = (
        Field("risk_dominant", description="rule used when a game has several equilibria")
    )
    qre_precision: float = Field(
        10.0,
        ge=0,
        le=QRE_PRECISION_MAX,
        description="precision lambda of the logit QRE (selection: logit_qre); at most 1e6, "
        "where a payoff difference of 1e-4 or more already gives a best response to machine "
        "precision (larger values change nothing but made runs slow)",
    )
    qre_hold_probability: float = Field(
        0.5,
        ge=0,
        le=1,
        description="under logit_qre play a ceasefire counts as self-enforcing when each side "
        "holds with at least this probability",
    )
    strike_model: Literal["ladder", "binary"] = Field(
        "ladder",
        description="ladder: Russia chooses among comply, harassment, a limited and a major "
        "strike and the defenders among absorb, retaliate in kind and escalate, a 4x3 game "
        "solved exactly every day; binary: Russia accepts or targets the force (the "
        "deployment game's reply, the model before v3.1)",
    )
    tables: dict[Literal["deployment", "ceasefire", "sanctions"], ExplicitTable] = Field(
        default_factory=dict, description="payoff tables replacing the computed ones"
    )


class Information(_Section):
    """What the coalition knows about Russia's resolve (docs/games.md, "Incomplete information").

    ``private`` (default): Russia is *resolute* (it targets a deployed force)
    or *bluffing*; the coalition holds a belief, updated by Bayes' rule from
    incidents, and deploys only while that belief is at or below the
    threshold of the one-shot deterrence game's perfect Bayesian equilibrium.
    ``known``: the coalition knows each run's Russian payoffs (a what-if).
    """

    russia_resolve: Literal["known", "private"] = Field(
        "private",
        description="private: the coalition holds a belief about Russia's resolve; known: "
        "it sees Russia's payoffs (a what-if)",
    )
    prior_resolute: Probability = Field(
        0.5,
        validate_default=True,
        description="the coalition's prior probability that Russia is resolute",
    )
    incident_probability_resolute: Probability = Field(
        0.1,
        validate_default=True,
        description="daily probability of an observed hostile incident if Russia is resolute",
    )
    incident_probability_bluffing: Probability = Field(
        0.03,
        validate_default=True,
        description="daily probability of an observed hostile incident if Russia is bluffing",
    )


#: Structural choices a structural ensemble may vary (``sim run --ensemble``,
#: :mod:`sim.experiments.ensemble`), each with its alternatives.
ENSEMBLE_CHOICES: dict[str, tuple[str, ...]] = {
    "games.selection": SELECTION_RULES,
    "ceasefire.accidents": ("can_spiral", "contained"),
    "information.russia_resolve": ("known", "private"),
    "actors.coalition.participation": PARTICIPATION_RULES,
    "sanctions.threat_after_deal": ("stands", "withdrawn"),
    "games.strike_model": ("ladder", "binary"),
}


class Scenario(_Section):
    """A complete, validated scenario."""

    name: Annotated[str, AfterValidator(_safe_name)] = Field(
        description="names the result directory, results/<name>: letters, digits, '_', '-' "
        "and '.', not starting with '.', at most 100 characters",
        json_schema_extra={"pattern": _NAME_PATTERN, "maxLength": 100},
    )
    description: str = ""
    simulation: Simulation = Simulation()
    levers: Levers
    timeline: Timeline = Timeline()
    actors: Actors
    ceasefire: CeasefireDynamics
    sanctions: Sanctions = Sanctions()
    games: Games = Games()
    strike_ladder: StrikeLadder = StrikeLadder()
    information: Information = Information()
    ensemble: (
        dict[
            Literal[
                "games.selection",
                "ceasefire.accidents",
                "information.russia_resolve",
                "actors.coalition.participation",
                "sanctions.threat_after_deal",
                "games.strike_model",
            ],
            list[str],
        ]
        | None
    ) = Field(
        None,
        description="the structural choices `sim run --ensemble` varies, each with the "
        "alternatives to run (default: games.selection over risk_dominant, payoff_dominant, "
        "max_entropy and logit_qre, and ceasefire.accidents over can_spiral and contained)",
    )

    @field_validator("ensemble")
    @classmethod
    def _known_alternatives(cls, value: dict | None) -> dict | None:
        for path, alternatives in (value or {}).items():
            allowed = ENSEMBLE_CHOICES[path]
            if not alternatives:
                raise ValueError(f"{path}: list at least one alternative")
            for alternative in alternatives:
                if alternative not in allowed:
                    raise ValueError(f"{path}: {alternative!r} is not one of {', '.join(allowed)}")
            if len(set(alternatives)) != len(alternatives):
                raise ValueError(f"{path}: an alternative is listed twice")
        return value

    def with_overrides(self, overrides: dict) -> Scenario:
        """This scenario with values changed by dotted path, validated like a file:
        ``scenario.with_overrides({"levers.troops_pledged": 5000})``
        (:func:`sim.scenario.overrides.with_overrides`).

        Parameters
        ----------
        overrides : dict
            ``{dotted path: value}``.

        Returns
        -------
        Scenario
            A new scenario (this one is not changed).

        Raises
        ------
        sim.scenario.overrides.ScenarioOverrideError
            If a path names no key or the schema refuses a value.
        """
        from sim.scenario.overrides import with_overrides

        return with_overrides(self, overrides)


def scenario_json_schema() -> dict:
    """JSON Schema of a scenario file (draft 2020-12), for editors and validators.

    It is the schema of :class:`Scenario` plus the loader's ``extends:`` key.
    """
    schema = Scenario.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "sim scenario"
    # The schema sees one file, and a file that ``extends:`` another may leave any
    # key to its parent -- even single fields of a distribution, since mappings
    # without ``dist`` merge into the parent's (docs/scenarios.md).  So nothing is
    # required here and distributions are matched with anyOf (a partial one fits
    # several); ``sim validate`` checks the merged scenario.
    schema.pop("required", None)

    def relax(node: object) -> None:
        if isinstance(node, dict):
            node.pop("required", None)
            if "discriminator" in node and "oneOf" in node:
                node["anyOf"] = node.pop("oneOf")
                node.pop("discriminator")
            for value in node.values():
                relax(value)
        elif isinstance(node, list):
            for value in node:
                relax(value)

    relax(schema["$defs"])
    schema["properties"]["extends"] = {
        "description": "scenario file(s) this one starts from, relative to this file",
        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
    }
    return schema


def require_scenario(value: object, name: str = "scenario") -> Scenario:
    """``value`` if it is a :class:`Scenario`; :class:`sim.errors.InputError` otherwise
    (a file name, say: load it first with ``sim.load_scenario(path)``)."""
    if isinstance(value, Scenario):
        return value
    hint = " (load the file first: sim.load_scenario(path))" if isinstance(value, str) else ""
    raise InputError(f"{name} must be a sim.Scenario, got {type(value).__name__}{hint}")
