"""Stylised facts the model is checked against (pattern-oriented validation).

Pattern-oriented modelling judges a model by several patterns at once, each
known from the field (Grimm et al., "Pattern-oriented modeling of
agent-based complex systems", *Science* 310, 2005).  Each entry of
:data:`FACTS` states a pattern from the literature this model draws on, and
a function that measures it in the model's own runs and says whether it
holds.  ``tests/test_stylised_facts.py`` asserts every one;
``docs/make_validation.py`` prints them as a table, at more runs.  All
comparisons use common random numbers (the same seed), so a paired
difference compares the same runs with one value changed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from sim.experiments.runner import run
from sim.results.summary import ceasefire_survival, wilson_interval
from sim.scenario.schema import Scenario

__all__ = ["FACTS", "SCENARIOS_NEEDED", "Fact", "FactResult", "logrank_hazard_ratio"]

#: The shipped scenarios the facts are measured on (the caller loads them).
SCENARIOS_NEEDED = ("combined", "ceasefire_30_days", "forced_deployment")

Scenarios = Mapping[str, Scenario]


@dataclass(frozen=True)
class FactResult:
    """What the model shows: a number (with its uncertainty, in words) and a verdict."""

    measured: str
    holds: bool


@dataclass(frozen=True)
class Fact:
    """A stylised fact: the pattern, its source, and how the model's runs measure it."""

    name: str
    pattern: str
    source: str
    measure: Callable[[Scenarios, int, int], FactResult]


def _paired(scenario: Scenario, path: str, low, high, column: str, runs: int, seed: int):
    a = run(scenario.with_overrides({path: low}), runs=runs, seed=seed)[column]
    b = run(scenario.with_overrides({path: high}), runs=runs, seed=seed)[column]
    d = b.to_numpy(dtype=float) - a.to_numpy(dtype=float)
    return float(d.mean()), float(d.std(ddof=1) / math.sqrt(d.size)), float(a.mean())


def logrank_hazard_ratio(
    length_a: np.ndarray, ended_a: np.ndarray, length_b: np.ndarray, ended_b: np.ndarray
) -> tuple[float, float, float]:
    """Peto's log-rank estimate of the hazard ratio of group b relative to group a, with
    a 95% interval: HR = exp((O_b − E_b) / V), var(log HR) = 1 / V (Peto et al. 1977)."""
    times = np.unique(np.concatenate([length_a[ended_a], length_b[ended_b]]))
    o_b = e_b = v = 0.0
    for t in times:
        at_risk_a, at_risk_b = (length_a >= t).sum(), (length_b >= t).sum()
        d = ((length_a == t) & ended_a).sum() + ((length_b == t) & ended_b).sum()
        n = at_risk_a + at_risk_b
        if n == 0:
            continue
        o_b += ((length_b == t) & ended_b).sum()
        e_b += d * at_risk_b / n
        if n > 1:
            v += d * (at_risk_a / n) * (at_risk_b / n) * (n - d) / (n - 1)
    log_hr = (o_b - e_b) / v
    half = 1.96 / math.sqrt(v)
    return math.exp(log_hr), math.exp(log_hr - half), math.exp(log_hr + half)


# ---------------------------------------------------------------------- the facts


def _violations_outlived(scenarios: Scenarios, runs: int, seed: int) -> FactResult:
    table = run(scenarios["combined"], runs=runs, seed=seed)
    durable = table["outcome"] == "durable_ceasefire"
    days = (
        table.loc[durable, "russia_violation_days"] + table.loc[durable, "ukraine_violation_days"]
    )
    median = float(days.median())
    share = float((days >= 5).mean())
    return FactResult(
        f"durable ceasefires of combined.yaml ({int(durable.sum()):,} runs) saw a median of "
        f"{median:.0f} violation-days (Russia + Ukraine); {share:.0%} saw 5 or more",
        median >= 5,
    )


def _peacekeepers_halve_hazard(scenarios: Scenarios, runs: int, seed: int) -> FactResult:
    without = run(scenarios["ceasefire_30_days"], runs=runs, seed=seed)
    force = scenarios["combined"].with_overrides({"timeline.sanctions_threat": None})
    with_force = run(force, runs=runs, seed=seed)
    landmark = force.timeline.deployment.day

    def first(r):
        length = r["first_ceasefire_length_days"].to_numpy(float)
        ended = r["first_ceasefire_ended"].to_numpy(bool)
        keep = length >= landmark
        return length[keep] - landmark, ended[keep], r["deployment_start_day"].notna()[keep]

    la, ea, _ = first(without)
    lb, eb, deployed = first(with_force)
    deployed = deployed.to_numpy()
    ratio, low, high = logrank_hazard_ratio(la, ea, lb[deployed], eb[deployed])
    return FactResult(
        f"hazard ratio of the first ceasefire's end, force deployed vs none (landmark at "
        f"day {landmark}): {ratio:.2f} (95% {low:.2f}–{high:.2f})",
        high < 1.0 and ratio <= 0.6,
    )


def _tripwire(scenarios: Scenarios, runs: int, seed: int) -> FactResult:
    forced = scenarios["forced_deployment"].with_overrides({"levers.troops_pledged": 5000})
    diff, se, base = _paired(
        forced, "actors.coalition.max_response_probability", 0.0, 0.55, "force_attacked",
        runs, seed,
    )  # fmt: skip
    return FactResult(
        f"a forced force of 5,000 is attacked in {base:.1%} of runs when no government would "
        f"answer; a response risk of at most 55% changes that by {diff:+.1%} (SE {se:.1%})",
        diff < -3 * se and -diff >= 0.3 * base,
    )


def _credible_threats_deter(scenarios: Scenarios, runs: int, seed: int) -> FactResult:
    diff, se, base = _paired(
        scenarios["combined"], "levers.sanctions_credibility", 0.0, 1.0,
        "russia_deliberate_violation_days", runs, seed,
    )  # fmt: skip
    return FactResult(
        f"Russian deliberate violation-days per run: {base:.2f} at credibility 0, "
        f"{diff:+.2f} (SE {se:.2f}) at 1",
        diff < -3 * se,
    )


def _audience_costs(scenarios: Scenarios, runs: int, seed: int) -> FactResult:
    scenario = scenarios["combined"]
    imposed, se_i, base_i = _paired(
        scenario, "actors.united_states.audience_cost", 0.5, 4.0, "sanctions_imposed", runs, seed
    )
    violations, se_v, _ = _paired(
        scenario, "actors.united_states.audience_cost", 0.5, 4.0,
        "russia_deliberate_violation_days", runs, seed,
    )  # fmt: skip
    return FactResult(
        f"US audience cost 0.5 → 4: runs with sanctions imposed {base_i:.1%} → "
        f"{imposed:+.1%} (SE {se_i:.1%}); Russian deliberate violation-days "
        f"{violations:+.2f} (SE {se_v:.2f})",
        imposed > 3 * se_i and violations < 0,
    )


def _escalation_rare(scenarios: Scenarios, runs: int, seed: int) -> FactResult:
    table = run(scenarios["combined"], runs=runs, seed=seed)
    k = int((table["conflict_state"] == "nato_russia_escalation").sum())
    low, high = wilson_interval(k, len(table))
    return FactResult(
        f"combined.yaml: a NATO–Russia clash in {k / len(table):.2%} of runs "
        f"(95% {low:.2%}–{high:.2%})",
        low > 0.0005 and high < 0.05,
    )


def _early_fragility(scenarios: Scenarios, runs: int, seed: int) -> FactResult:
    survival = ceasefire_survival(run(scenarios["combined"], runs=runs, seed=seed))
    s30, s180, s365 = (survival[t]["probability"] for t in ("30", "180", "365"))
    early = -math.log(s30) / 30
    late = -math.log(s365 / s180) / 185
    return FactResult(
        f"first ceasefires of combined.yaml end at {early:.2%} a day in their first 30 days "
        f"and {late:.2%} a day between days 180 and 365",
        early > 3 * late,
    )


#: The stylised facts, in the order of docs/validation.md.
FACTS: tuple[Fact, ...] = (
    Fact(
        "ceasefires outlive minor violations",
        "Monitored ceasefires survive many small, often unattributed violations; "
        "collapse takes more than an incident",
        "Fortna 2004 (Peace Time): agreements outlive violations they handle",
        _violations_outlived,
    ),
    Fact(
        "peacekeepers cut the hazard of renewed war",
        "A peacekeeping mission in place roughly halves the hazard of renewed war, or more",
        "Fortna 2004, 2008: hazard ratios of about 0.25–0.5",
        _peacekeepers_halve_hazard,
    ),
    Fact(
        "tripwires deter beyond their size",
        "A force too small to defend deters by the response an attack on it would draw",
        "Schelling 1966 (Arms and Influence)",
        _tripwire,
    ),
    Fact(
        "credible threats deter",
        "The more credible the threat of sanctions, the fewer the target's violations",
        "Zagare & Kilgour 2000; Drezner 1999",
        _credible_threats_deter,
    ),
    Fact(
        "audience costs make threats credible",
        "A leader who pays for backing down carries out threats more often, and the "
        "target complies more",
        "Fearon 1994",
        _audience_costs,
    ),
    Fact(
        "escalation is rare but not negligible",
        "A direct NATO–Russia clash is a tail risk: rare, but not zero",
        '[S4]: a deployment would be "an act of war", with "severe devastation for '
        'Europe" -- a threat of escalation; its realisation is rare',
        _escalation_rare,
    ),
    Fact(
        "ceasefires are most fragile early",
        "The hazard of a ceasefire's collapse falls with the time it has held",
        "Fortna 2004: hazard falls with time",
        _early_fragility,
    ),
)
