"""Regenerate docs/validation.md and its figures: ``python docs/make_validation.py``.

What it runs (all with common random numbers: the same seed, and every parameter
and kind of event on its own counter-based random numbers, so paired runs share
every other draw):

1. a low/high sensitivity screen of every parameter of ``scenarios/combined.yaml``
   (:func:`sim.sensitivity.screen`), as a table and a tornado plot;
2. the direction checks the test-suite asserts (``tests/test_model_v2.py``), with
   their paired differences and standard errors at a larger size;
3. the hazard ratio of ceasefire collapse with and without a monitoring force, set
   beside published estimates;
4. the response curves of outcome shares to the troops pledged;
5. the outcome table of every shipped scenario, with the previous model's.

Takes about ten minutes on two cores.  ``--quick`` runs a tenth of the runs
(for checking the script, not for the document).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

import sim
from sim.outcomes import OUTCOMES
from sim.overrides import with_overrides
from sim.sensitivity import paired_difference, scale_states, screen

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
DOCS = ROOT / "docs"
SEED = 20260311

# Outcome shares of the shipped scenarios under the previous model (v1, commit
# 20fcb59), 2,000 runs each with seed 20260311, measured with that commit's code
# (`git checkout 20fcb59 && sim run scenarios/NAME.yaml --runs 2000`).
V1_OUTCOMES = {
    "baseline": [0.088, 0.060, 0.500, 0.352, 0.000, 0.000, 0.000],
    "ceasefire_30_days": [0.156, 0.054, 0.791, 0.000, 0.000, 0.000, 0.000],
    "combined": [0.377, 0.026, 0.412, 0.000, 0.000, 0.083, 0.102],
    "known_resolve": [0.356, 0.024, 0.530, 0.000, 0.000, 0.034, 0.058],
    "public_good": [0.374, 0.021, 0.422, 0.000, 0.018, 0.065, 0.100],
    "sanctions_threat": [0.099, 0.060, 0.503, 0.338, 0.000, 0.000, 0.000],
    "troops_10000": [0.088, 0.034, 0.194, 0.600, 0.000, 0.042, 0.042],
}

METRICS = {
    "durable": lambda r: r["outcome"] == "durable_ceasefire",
    "collapse": lambda r: r["conflict_state"] == "ceasefire_collapse",
    "escalation": lambda r: r["conflict_state"] == "nato_russia_escalation",
    "attacked": lambda r: r["force_attacked"],
    "russia_violations": lambda r: r["russia_deliberate_violation_days"],
}


def _load(name: str):
    return sim.load_scenario(SCENARIOS / f"{name}.yaml")


def _pct(x: float) -> str:
    return f"{100 * x:+.1f}"


def _table(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.to_numpy()]
    return "\n".join([header, rule, *rows])


def plot_tornado(frame: pd.DataFrame, metric: str, ax, top: int = 20, label: str = ""):
    """Horizontal bars of the paired high-minus-low difference of ``metric``, largest first,
    with ±2 standard errors; takes ``ax`` and returns it."""
    data = frame.reindex(frame[metric].abs().sort_values(ascending=False).index).head(top)
    y = np.arange(len(data))[::-1]
    colours = np.where(data[metric] >= 0, "#2166ac", "#b2182b")
    ax.barh(y, 100 * data[metric], xerr=200 * data[f"{metric}_se"], color=colours, capsize=2)
    ax.set_yticks(
        y, [p.replace("actors.", "").replace("coalition.states.", "") for p in data["parameter"]]
    )
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel(f"{label}\nhigh − low, percentage points (bars: ±2 SE)")
    ax.grid(axis="x", alpha=0.3)
    return ax


def sensitivity_section(runs: int) -> tuple[str, pd.DataFrame]:
    frame = screen(_load("combined"), METRICS, runs=runs, seed=SEED)
    figure = Figure(figsize=(13, 7), layout="constrained")
    left, right = figure.subplots(1, 2)
    plot_tornado(frame, "durable", left, label="P(durable ceasefire)")
    plot_tornado(frame, "escalation", right, label="P(NATO–Russia escalation)")
    figure.suptitle(
        f"combined.yaml: each parameter at the low and high end of its range, {runs:,} paired runs",
        fontsize=11,
    )
    figure.savefig(DOCS / "img" / "tornado_combined.png", dpi=110)
    shown = frame.reindex(frame["durable"].abs().sort_values(ascending=False).index)
    table = pd.DataFrame(
        {
            "parameter": shown["parameter"],
            "low → high": [
                f"{lo:g} → {hi:g}" for lo, hi in zip(shown["low"], shown["high"], strict=True)
            ],
            **{
                name: [
                    f"{_pct(m)} ± {200 * s:.1f}"
                    if name != "russia_violations"
                    else f"{m:+.2f} ± {2 * s:.2f}"
                    for m, s in zip(shown[name], shown[f"{name}_se"], strict=True)
                ]
                for name in METRICS
            },
            "anything changes": ["no" if same else "yes" for same in shown["identical"]],
        }
    )
    text = f"""## 1. Sensitivity screen of combined.yaml

Every parameter of `scenarios/combined.yaml` is set to the low and then the high
end of its range (a distribution's support; a fixed value `v`: `v/2` and `3v/2`),
all others drawn as usual from the same streams, {runs:,} runs each.  Each cell is
the paired difference high − low with ±2 standard errors: outcome shares in
percentage points, `russia_violations` in deliberate Russian violation days per run.
"anything changes" compares the whole run table: a "no" here is a parameter that
is live only in another scenario or behind a switch (the test
`test_every_parameter_changes_some_output_in_a_shipped_scenario` checks that each
is live somewhere).

![Tornado plot](img/tornado_combined.png)

Reading the screen: a lever that makes Russia more willing to accept the force
(a costlier war with NATO, a more credible or costlier sanctions threat, a larger
reference force) also lets the coalition in more often under equilibrium entry,
so it can raise the share of runs in which a force is attacked even though it
makes each deployed force safer (section 2 separates the two by forcing
deployment).  Monitoring that keeps attributed violations from spiralling
(`attribution_spiral_reduction`) makes a violation less dangerous to the violator,
so Russia violates more often while ceasefires still last longer.

{_table(table)}
"""
    return text, frame


def _paired_row(check, scenario, path, low, high, metric, runs, expect):
    a = sim.run(with_overrides(scenario, {path: low}), runs=runs, seed=SEED)
    b = sim.run(with_overrides(scenario, {path: high}), runs=runs, seed=SEED)
    diff, se = paired_difference(metric(b), metric(a))
    holds = diff < -3 * se if expect == "down" else diff > 3 * se
    return [
        check,
        f"`{path}` {low} → {high}",
        f"{diff:+.4f}",
        f"{se:.4f}",
        "yes" if holds else "**no**",
    ]


def direction_section(runs: int) -> str:
    combined, forced = _load("combined"), _load("forced_deployment")
    rows = [
        _paired_row(
            "credibility ↑ ⇒ Russian violations ↓ (days per run)",
            combined,
            "levers.sanctions_credibility",
            0.0,
            1.0,
            lambda r: r["russia_deliberate_violation_days"],
            runs,
            "down",
        ),
        _paired_row(
            "credibility ↑ ⇒ strikes on a forced force ↓ (per run)",
            forced,
            "levers.sanctions_credibility",
            0.0,
            1.0,
            lambda r: r["attacks_on_peacekeepers"],
            runs,
            "down",
        ),
        _paired_row(
            "US backstop ⇒ force attacked ↓ (share)",
            forced,
            "levers.us_backstop",
            False,
            True,
            lambda r: r["force_attacked"],
            runs,
            "down",
        ),
        _paired_row(
            "Russia's NATO-war cost ↑ ⇒ force attacked ↓ (share)",
            forced,
            "actors.russia.nato_war_cost",
            3.0,
            15.0,
            lambda r: r["force_attacked"],
            runs,
            "down",
        ),
        _paired_row(
            "Ukraine's violation gain ↑ ⇒ Ukrainian violations ↑ (days per run)",
            combined,
            "actors.ukraine.violation_gain",
            0.1,
            1.0,
            lambda r: r["ukraine_deliberate_violation_days"],
            runs,
            "up",
        ),
        _paired_row(
            "force 10,000 → 40,000 ⇒ forced force attacked ↑ (share; provocation)",
            forced,
            "levers.troops_pledged",
            10_000,
            40_000,
            lambda r: r["force_attacked"],
            runs,
            "up",
        ),
        _paired_row(
            "force 10,000 → 40,000 ⇒ coalition deterred ↑ (share; equilibrium entry)",
            combined,
            "levers.troops_pledged",
            10_000,
            40_000,
            lambda r: r["not_deployed_reason"] == "deterred",
            runs,
            "up",
        ),
    ]
    # Casualty sensitivity: all states' scaled together.
    states = forced.actors.coalition.states

    def scaled(factor):
        return scale_states(forced, "casualty_sensitivity", factor)

    def left(r):
        return np.where(
            r["deployment_start_day"].notna(), len(states) - r["states_committed_final"], 0
        )

    a, b = sim.run(scaled(0.5), runs=runs, seed=SEED), sim.run(scaled(2.0), runs=runs, seed=SEED)
    diff, se = paired_difference(left(b), left(a))
    rows.append(
        [
            "casualty sensitivity ↑ ⇒ states withdrawn ↑ (per run)",
            "every state's `casualty_sensitivity` × 0.5 → × 2",
            f"{diff:+.4f}",
            f"{se:.4f}",
            "yes" if diff > 3 * se else "**no**",
        ]
    )
    # Imposed sanctions: a randomised comparison within one scenario (the US type is
    # drawn independently of everything Russia is).
    r = sim.run(combined, runs=4 * runs, seed=SEED)
    days = r["ceasefire_days_after_defiance"]
    after = r[days > 0]
    rate = after["russia_deliberate_days_after_defiance"] / days[days > 0]
    imposed, backed = rate[after["sanctions_imposed"]], rate[after["us_backed_down"]]
    diff = imposed.mean() - backed.mean()
    se = math.sqrt(imposed.var() / len(imposed) + backed.var() / len(backed))
    rows.append(
        [
            "imposed sanctions ⇒ fewer Russian violations afterwards (per ceasefire day)",
            f"US imposed ({len(imposed)} runs) vs backed down ({len(backed)}), combined.yaml",
            f"{diff:+.4f}",
            f"{se:.4f}",
            "yes" if diff < -3 * se else "**no**",
        ]
    )
    frame = pd.DataFrame(rows, columns=["check", "comparison", "difference", "SE", "holds (3 SE)"])
    curve = []
    for credibility in (0.0, 0.25, 0.5, 0.75, 1.0):
        r = sim.run(
            with_overrides(combined, {"levers.sanctions_credibility": credibility}),
            runs=runs,
            seed=SEED,
        )
        curve.append(
            [
                f"{credibility:g}",
                f"{r['russia_deliberate_violation_days'].mean():.2f}",
                f"{100 * r['force_attacked'].mean():.1f}%",
                f"{100 * (r['conflict_state'] == 'nato_russia_escalation').mean():.1f}%",
                f"{100 * (r['outcome'] == 'durable_ceasefire').mean():.1f}%",
            ]
        )
    credibility_table = _table(
        pd.DataFrame(
            curve,
            columns=[
                "sanctions_credibility",
                "Russian deliberate violation days",
                "force attacked",
                "NATO–Russia escalation",
                "durable ceasefire",
            ],
        )
    )
    return f"""## 2. Direction checks against theory

Each row but the last is a paired difference (high minus low, same seed, {runs:,}
runs) with its standard error; the last compares two groups of runs of one
scenario, those in which the US imposed and those in which it backed down after
Russia's first defiance (the US's type is drawn independently of everything
Russia is, so this is a randomised comparison).  "holds" means the difference
has the expected sign and exceeds three standard errors.  Checks on attacks use
`forced_deployment.yaml`: with equilibrium entry the coalition stays out wherever
Russia would strike, so a lever that deters Russia also lets the force in more
often, and the share of runs attacked mixes the two effects.  The same checks run,
at smaller sizes, in `tests/test_model_v2.py`.

**Force size.** The model's documented choice (docs/model.md, "Force size:
tripwire and provocation") is that Russia's cost of tolerating the force grows as
`(T / 10,000)^0.5` while the chance of a military response levels off at its
ceiling (it reaches 95% of it at three times `tripwire_scale`, 15,000 troops in the
baseline): beyond that, a larger force provokes more than it deters.  The last two
force rows test what this implies; section 4 has the whole curve.

{_table(frame)}

**Credibility in between.** With equilibrium entry (combined.yaml, {runs:,} runs
per value), Russian violations fall steadily with the threat's credibility, and
attacks on the force are zero at both ends but not in between:

{credibility_table}

At credibility 0 or 1 Russia knows what the US will do.  In between, the
coalition, which knows its ally, enters on the sanctions a committed US would
really impose, while Russia, which does not, may underrate them and strike --
until the US's reply reveals its type (docs/model.md, "The coalition's entry").
Deterrence fails here through misperception (Fearon 1995), not for want of a
credible threat; the direction check above compares the two ends.
"""


def _logrank_hazard_ratio(length_a, ended_a, length_b, ended_b):
    """Peto's log-rank estimate of the hazard ratio of group b relative to group a,
    with a 95% interval: HR = (O_b / E_b) / (O_a / E_a), var(log HR) = 1 / V."""
    times = np.unique(np.concatenate([length_a[ended_a], length_b[ended_b]]))
    o_b = e_b = v = 0.0
    for t in times:
        at_risk_a, at_risk_b = (length_a >= t).sum(), (length_b >= t).sum()
        d_a = ((length_a == t) & ended_a).sum()
        d_b = ((length_b == t) & ended_b).sum()
        n, d = at_risk_a + at_risk_b, d_a + d_b
        if n == 0:
            continue
        o_b += d_b
        e_b += d * at_risk_b / n
        if n > 1:
            v += d * (at_risk_a / n) * (at_risk_b / n) * (n - d) / (n - 1)
    log_hr = (o_b - e_b) / v
    half = 1.96 / math.sqrt(v)
    return math.exp(log_hr), math.exp(log_hr - half), math.exp(log_hr + half)


def _hr_row(label: str, hr: tuple[float, float, float]) -> str:
    ratio, low, high = hr
    return f"| {label} | {ratio:.2f} | {low:.2f}–{high:.2f} | {100 * (1 - ratio):.0f}% |"


def hazard_section(runs: int) -> str:
    without = _load("ceasefire_30_days")
    base = _load("combined").model_dump(mode="json")
    base["timeline"].pop("sanctions_threat", None)
    base["name"] = "troops_and_ceasefire"
    with_force = sim.scenario.Scenario.model_validate(base)
    a = sim.run(without, runs=runs, seed=SEED)
    b = sim.run(with_force, runs=runs, seed=SEED)

    def first(r):
        started = r["first_ceasefire_length_days"].notna()
        return (
            r.loc[started, "first_ceasefire_length_days"].to_numpy(float),
            r.loc[started, "first_ceasefire_ended"].to_numpy(bool),
            r.loc[started, "deployment_start_day"].notna().to_numpy(),
        )

    la, ea, _ = first(a)
    lb, eb, deployed = first(b)
    itt = _logrank_hazard_ratio(la, ea, lb, eb)
    # Landmark analysis (Anderson, Cain & Gelber 1983): the force can only enter once the
    # ceasefire has lasted `landmark` days, so "runs in which it deployed" would be
    # credited with those days (immortal-time bias).  Both groups are restricted to
    # ceasefires that reached the landmark, and time is counted from it.
    landmark = with_force.timeline.deployment.day
    keep_a, keep_b = la >= landmark, lb >= landmark
    after_a, after_b = la[keep_a] - landmark, lb[keep_b] - landmark
    landmark_itt = _logrank_hazard_ratio(after_a, ea[keep_a], after_b, eb[keep_b])
    in_b = deployed[keep_b]
    treated = _logrank_hazard_ratio(after_a, ea[keep_a], after_b[in_b], eb[keep_b][in_b])
    counts = f"{int(keep_a.sum()):,} and {int(keep_b.sum()):,}"
    rows = "\n".join(
        [
            _hr_row(f"every run of both scenarios ({len(la):,} and {len(lb):,})", itt),
            _hr_row(
                f"ceasefires that lasted {landmark} days, from day {landmark} ({counts})",
                landmark_itt,
            ),
            _hr_row(
                f"the same, force scenario only where the force deployed ({int(in_b.sum()):,})",
                treated,
            ),
        ]
    )
    return f"""## 3. Monitoring and ceasefire durability, against the literature

The hazard of the first ceasefire's collapse (or lapse) with a monitoring force
and without: `ceasefire_30_days.yaml` (no force) against `combined.yaml` without
its sanctions threat (the 30-day ceasefire and 10,000 peacekeepers), {runs:,} runs
each, first ceasefires right-censored at the horizon; Peto's log-rank estimate of
the hazard ratio with a 95% interval.  The force can only move in once the
ceasefire has held for `timeline.deployment.day` days, so the second and third
rows start the clock at that landmark in both groups (a landmark analysis:
Anderson, Cain & Gelber 1983); comparing all runs in which the force deployed
with all runs without a force would credit the force with the days before it
arrived.  The third row is the closest to the published estimates, which compare
ceasefires with and without a mission in place; even there the runs in which the
force entered are those in which Russia would accept it, so it is not a
randomised comparison.

| comparison | hazard ratio (force / no force) | 95% interval | reduction in hazard |
|---|---|---|---|
{rows}

Published estimates: Fortna (*Peace Time*, 2004; *Does Peacekeeping Work?*, 2008)
finds that peacekeepers reduce the risk of renewed fighting by roughly 50–75% (a
hazard ratio of about 0.25–0.5, larger for stronger missions); Gilligan & Sergenti
(2008), matching on observables, estimate about 85% for UN missions after civil
wars (a hazard ratio near 0.15).

What explains the difference: in the model a force acts on durability only
through detection and attribution (violations are deterred by a higher chance of
being caught and keep an attributed incident from spiralling), while the
published estimates include what missions also do and the model leaves out --
separating forces, disarmament, mediation and the reassurance of a guarantor --
and concern civil wars, where the monitored parties are weaker relative to the
monitors than Russia is.  The first row also counts the runs in which the
coalition was deterred or had no ceasefire to deploy into, and the ceasefires
that broke down before any force could arrive, so it is diluted towards 1.
"""


def curve_section(runs: int) -> str:
    levels = list(range(0, 40_001, 2_500))
    frames = {}
    for name in ("combined", "forced_deployment"):
        scenario = _load(name)
        shares = {}
        for troops in levels:
            r = sim.run(
                with_overrides(scenario, {"levers.troops_pledged": troops}), runs=runs, seed=SEED
            )
            shares[troops] = {
                "durable ceasefire": (r["outcome"] == "durable_ceasefire").mean(),
                "force attacked": r["force_attacked"].mean(),
                "NATO–Russia escalation": (r["conflict_state"] == "nato_russia_escalation").mean(),
                "force deterred": (r["not_deployed_reason"] == "deterred").mean(),
            }
        frames[name] = pd.DataFrame(shares).T
    figure = Figure(figsize=(12, 4.2), layout="constrained")
    for ax, (name, frame) in zip(figure.subplots(1, 2), frames.items(), strict=True):
        for column in frame.columns:
            ax.plot(frame.index, frame[column], marker="o", ms=3, label=column)
        low, high = _load(name).actors.coalition.minimum_viable_force.support()
        ax.axvspan(low, high, color="grey", alpha=0.12, lw=0)
        ax.set_title(f"{name}.yaml", fontsize=10)
        ax.set_xlabel("troops pledged (shaded: range of the minimum viable force)")
        ax.set_ylabel("share of runs")
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_formatter("{x:,.0f}")
    ax.legend(fontsize=8, loc="upper right")
    figure.savefig(DOCS / "img" / "troops_response.png", dpi=110)
    combined, forced = frames["combined"], frames["forced_deployment"]
    durable = combined["durable ceasefire"]
    plateau = durable.index[durable >= durable.max() - 0.01]
    plateau_low, plateau_high = int(plateau.min()), int(plateau.max())
    attacked_10k, attacked_40k = (
        forced.loc[10_000, "force attacked"],
        forced.loc[40_000, "force attacked"],
    )
    deterred_10k, deterred_40k = (
        combined.loc[10_000, "force deterred"],
        combined.loc[40_000, "force deterred"],
    )
    table = frames["combined"].copy()
    table.index = [f"{t:,}" for t in table.index]
    table = table.map(lambda x: f"{100 * x:.1f}%").reset_index(names="troops pledged")
    terms = []
    base = _load("ceasefire_30_days")
    for days in (15, 30, 60, 90, 120, 180, 365):
        r = sim.run(
            with_overrides(base, {"timeline.ceasefire.duration_days": days}), runs=runs, seed=SEED
        )
        terms.append(
            [
                f"{days}",
                f"{100 * (r['conflict_state'] == 'durable_ceasefire').mean():.1f}%",
                f"{100 * (r['terms_lapsed'] > 0).mean():.1f}%",
                f"{100 * (r['terms_renewed'] > 0).mean():.1f}%",
            ]
        )
    term_table = _table(
        pd.DataFrame(terms, columns=["agreed term, days", "durable ceasefire", "lapsed", "renewed"])
    )
    return f"""## 4. Response to the force's size

Outcome shares against the troops pledged, 0 to 40,000 in steps of 2,500,
{runs:,} runs per point with the same seed.  A pledge below the run's minimum viable
force (uncertain, 3,000-6,000, shaded) is not launched, so the curves rise over that
range rather than jump at one number (the test-suite checks that no headline share
moves by more than 10 points between pledges 500 apart).  In combined.yaml the share
of durable ceasefires is within a point of its highest between {plateau_low:,} and
{plateau_high:,} troops.  Larger pledges are deterred more
often under equilibrium entry ({100 * deterred_10k:.1f}% of runs at 10,000,
{100 * deterred_40k:.1f}% at 40,000), and a force that goes in regardless
(forced_deployment.yaml, right) is attacked in {100 * attacked_10k:.1f}% of runs at
10,000 and {100 * attacked_40k:.1f}% at 40,000: past the tripwire's ceiling, Russia's
objection to a larger force outgrows the risk of a response.

![Troops response](img/troops_response.png)

combined.yaml:

{_table(table)}

**The agreed term's length** (ceasefire_30_days.yaml, no force, {runs:,} runs per
value).  A term adds a penalty to violating while it runs; at its end the
ceasefire is renewed only if holding is then self-enforcing without it.  A
longer term lets the temptation to violate fade (half-life
`violation_gain_halflife_days`, 60 days) before that test, so more ceasefires
survive it; once the temptation has faded far enough that holding is
self-enforcing anyway, a longer term changes nothing more -- the reason the
shares stop moving for long terms, not a code threshold.  "lapsed" and
"renewed" count runs whose ceasefire reached the term's end (the rest broke
down before it, or the horizon came first).

{term_table}
"""


def outcomes_section(runs: int) -> str:
    rows, v1 = [], []
    for path in sorted(SCENARIOS.glob("*.yaml")):
        scenario = sim.load_scenario(path)
        r = sim.run(scenario, runs=runs, seed=SEED)
        shares = r["outcome"].value_counts(normalize=True).reindex(OUTCOMES, fill_value=0.0)
        rows.append([scenario.name, *(f"{100 * s:.1f}%" for s in shares)])
        old = V1_OUTCOMES.get(scenario.name)
        cells = [f"{100 * s:.1f}%" for s in old] if old else ["—"] * len(OUTCOMES)
        v1.append([scenario.name, *cells])
    columns = ["scenario", *OUTCOMES]
    return f"""## 5. Outcomes of the shipped scenarios

Model v2, {runs:,} runs each, seed {SEED}:

{_table(pd.DataFrame(rows, columns=columns))}

The previous model (v1, commit 20fcb59), 2,000 runs each, same seed:

{_table(pd.DataFrame(v1, columns=columns))}

What changed and why:

* **Attacks and escalation fall where the coalition decides by its game.** v1
  deployed whatever its own deployment game said (issue #8 measured that 193 of
  195 NATO–Russia escalations in v1's combined.yaml came from runs whose game
  said stay out).  In v2 the
  coalition enters only when its equilibrium strategy is to deploy, i.e. where
  Russia would accept the force, so with known resolve attacks come only from what
  changes after entry (a sanctions threat spent when the US backs down, Russia
  emboldened by unanswered strikes, a shrinking force).  `forced_deployment.yaml`
  keeps v1's "they go anyway" as an explicit what-if and has v1's order of magnitude
  of attacks and escalation.
* **troops_10000 deploys after a ceasefire begins** (dated from the ceasefire's
  start), and without the US-backed ceasefire most runs never get one.
* **Agreed terms can lapse.** At the end of the 30-day term the ceasefire is renewed
  only if holding is self-enforcing without the term's penalties; otherwise
  fighting resumes (section 4 shows how the term's length matters).  v1 and v2
  draw from different random streams, so their runs are not paired and
  differences of a point or two between the tables are noise.
* **Sanctions have teeth.** Imposed sanctions keep a cost on every attributed
  violation until relief after compliance, Russia may comply at a threat's deadline,
  and a US that backs down loses its credibility.
* **deployment_abandoned is no longer confined to one scenario**, and the two
  outcome dimensions (`conflict_state`, `force_fate`) say what the headline hides
  (an attacked force that then withdrew, a force that never entered and why).
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the runs")
    args = parser.parse_args(argv)
    scale = 0.1 if args.quick else 1.0
    start = time.time()
    parts = [
        """# Validation of the model

Generated by `python docs/make_validation.py` (do not edit by hand); every number
below is from that run.  Comparisons use common random numbers: the same seed,
and every parameter and kind of event on its own counter-based random numbers
(docs/model.md, "Randomness"), so two runs that differ in one value share every
other draw.
"""
    ]
    text, _ = sensitivity_section(int(1000 * scale))
    parts.append(text)
    parts.append(direction_section(int(2000 * scale)))
    parts.append(hazard_section(int(4000 * scale)))
    parts.append(curve_section(int(1000 * scale)))
    parts.append(outcomes_section(int(2000 * scale)))
    minutes = (time.time() - start) / 60
    parts.append(f"\n_Generated in {minutes:.1f} minutes._\n")
    target = DOCS / "validation.md"
    temporary = target.with_suffix(".md.tmp")
    temporary.write_text("\n".join(parts), encoding="utf-8")
    temporary.replace(target)
    print(f"wrote {target} in {minutes:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
