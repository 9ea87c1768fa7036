"""Regenerate docs/validation.md and its figures: ``python docs/make_validation.py``.

What it runs (all with common random numbers: the same seed, and every parameter
and kind of event on its own counter-based random numbers, so paired runs share
every other draw):

1. a low/high sensitivity screen of every parameter of ``scenarios/combined.yaml``
   (:func:`sim.experiments.sensitivity.screen`), as a table and a tornado plot;
2. the direction checks the test-suite asserts (``tests/test_model_v2.py``), with
   their paired differences and standard errors at a larger size;
3. the hazard ratio of ceasefire collapse with and without a monitoring force, set
   beside published estimates;
4. the response curves of outcome shares to the troops pledged;
5. the outcome table of every shipped scenario, with the previous model's;
6. attacked runs split by channel;
7. sweeps that look for cliffs from the calendar or a constant;
8. the structural ensemble of the headline scenarios;
9. every parameter's 10th and 90th percentile, checked for an effect;
10. the Kaplan–Meier survival of ceasefires from their start;
11. the stylised facts of ``sim.experiments.facts``, each also a test;
12. first-order Sobol' indices over every uncertain parameter (given data), and
    first- and total-order indices from Saltelli's design over the parameters'
    distributions (:func:`sim.experiments.sensitivity.distribution_sobol`);
13. the ceasefire calibration to the Donbas record (:mod:`sim.experiments.calibration`);
14. the strike ladder: what Russia and the defenders play, and its response to
    the reply's clash risk and to the automatic response to harassment.

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
from sim.engine.outcomes import OUTCOMES
from sim.experiments.facts import FACTS, SCENARIOS_NEEDED, logrank_hazard_ratio
from sim.experiments.sensitivity import paired_difference, scale_states, screen
from sim.scenario.overrides import with_overrides

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
DOCS = ROOT / "docs"
SEED = 20260311

# Outcome shares of the shipped scenarios under the previous model (v2, commit
# 027afc5), 2,000 runs each with seed 20260311, measured with that commit's code
# (`git worktree add /tmp/v2 027afc5`, then sim.run(..., runs=2000) there).
PREVIOUS_OUTCOMES = {
    "baseline": [0.074, 0.064, 0.534, 0.328, 0.000, 0.000, 0.000],
    "ceasefire_30_days": [0.137, 0.057, 0.806, 0.000, 0.000, 0.000, 0.000],
    "combined": [0.433, 0.040, 0.515, 0.000, 0.004, 0.003, 0.004],
    "forced_deployment": [0.392, 0.031, 0.399, 0.000, 0.042, 0.021, 0.115],
    "private_resolve": [0.376, 0.041, 0.528, 0.000, 0.017, 0.010, 0.029],
    "public_good": [0.421, 0.033, 0.512, 0.000, 0.019, 0.009, 0.005],
    "sanctions_threat": [0.122, 0.083, 0.516, 0.279, 0.000, 0.000, 0.000],
    "troops_10000": [0.088, 0.043, 0.290, 0.579, 0.000, 0.000, 0.000],
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


def _share_pct(x: float) -> str:
    """A share as a plain percentage (``_pct`` signs differences)."""
    return f"{100 * x:.1f}%"


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
            "force 10,000 → 40,000 ⇒ coalition stays out ↑ (share; its own move)",
            combined,
            "levers.troops_pledged",
            10_000,
            40_000,
            lambda r: r["not_deployed_reason"].isin(["deterred", "belief_above_threshold"]),
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
    for rule, credibility in [
        (rule, c) for rule in ("stands", "withdrawn") for c in (0.0, 0.25, 0.5, 0.75, 1.0)
    ]:
        changes = {"levers.sanctions_credibility": credibility}
        changes["sanctions.threat_after_deal"] = rule
        r = sim.run(with_overrides(combined, changes), runs=runs, seed=SEED)
        curve.append(
            [
                rule,
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
                "threat after a deal",
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

**Credibility across its range** (combined.yaml, {runs:,} runs per value), under
both rules for what a threat does once a ceasefire is in force at its deadline
(`sanctions.threat_after_deal`; docs/model.md, "Sanctions"):

{credibility_table}

With the threat standing after a deal (the default), a more credible threat
means fewer Russian violations and more durable ceasefires.  With the threat
withdrawn, a credible threat keeps Russia quiet until the deadline, so the
coalition's belief falls and the force enters; then the threat is withdrawn
under it -- attacks rise with credibility, against the coercion literature:
the reason `stands` is the default.  The coalition counts on the sanctions
Russia expects (the same public belief about the US's type), so v2's attacks
from misperception between the two ends are gone.
"""


def _hr_row(label: str, hr: tuple[float, float, float]) -> str:
    ratio, low, high = hr
    return f"| {label} | {ratio:.2f} | {low:.2f}–{high:.2f} | {100 * (1 - ratio):.0f}% |"


def hazard_section(runs: int) -> str:
    without = _load("ceasefire_30_days")
    base = _load("combined").model_dump(mode="json")
    base["timeline"].pop("sanctions_threat", None)
    base["name"] = "troops_and_ceasefire"
    with_force = sim.scenario.schema.Scenario.model_validate(base)
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
    itt = logrank_hazard_ratio(la, ea, lb, eb)
    # Landmark analysis (Anderson, Cain & Gelber 1983): the force can only enter once the
    # ceasefire has lasted `landmark` days, so "runs in which it deployed" would be
    # credited with those days (immortal-time bias).  Both groups are restricted to
    # ceasefires that reached the landmark, and time is counted from it.
    landmark = with_force.timeline.deployment.day
    keep_a, keep_b = la >= landmark, lb >= landmark
    after_a, after_b = la[keep_a] - landmark, lb[keep_b] - landmark
    landmark_itt = logrank_hazard_ratio(after_a, ea[keep_a], after_b, eb[keep_b])
    in_b = deployed[keep_b]
    treated = logrank_hazard_ratio(after_a, ea[keep_a], after_b[in_b], eb[keep_b][in_b])
    counts = f"{int(keep_a.sum()):,} and {int(keep_b.sum()):,}"
    # Non-proportional hazards: the same treated comparison within windows of time
    # since the landmark (a piecewise hazard ratio; each window counts the ceasefires
    # still holding at its start, censored at its end).
    windows = []
    for t0, t1 in ((0, 25), (25, 85), (85, 175), (175, 360)):
        a_in, b_in = after_a >= t0, after_b[in_b] >= t0
        if a_in.sum() < 20 or b_in.sum() < 20:
            continue
        ta = np.minimum(after_a[a_in], t1) - t0
        tb = np.minimum(after_b[in_b][b_in], t1) - t0
        ea_w = ea[keep_a][a_in] & (after_a[a_in] < t1)
        eb_w = eb[keep_b][in_b][b_in] & (after_b[in_b][b_in] < t1)
        if ea_w.sum() + eb_w.sum() < 10:
            continue
        windows.append(
            _hr_row(
                f"days {t0 + landmark}–{t1 + landmark} of the ceasefire "
                f"({int(a_in.sum()):,} and {int(b_in.sum()):,} still holding)",
                logrank_hazard_ratio(ta, ea_w, tb, eb_w),
            )
        )
    window_rows = "\n".join(windows)
    # Scripted lapses: first ceasefires that ended on the day their 30-day term ran out
    # because holding was not self-enforcing then (a rule of the model, not a spiral).
    term = without.timeline.ceasefire.duration_days

    def lapse_share(r, only=None) -> str:
        started = r["first_ceasefire_length_days"].notna()
        if only is not None:
            started &= only
        ended = started & r["first_ceasefire_ended"].astype(bool)
        lapsed = ended & (r["first_ceasefire_length_days"] == term) & (r["terms_lapsed"] > 0)
        return f"{_share_pct(lapsed.sum() / max(int(ended.sum()), 1))} of {int(ended.sum()):,}"

    lapses = (
        f"no force: {lapse_share(a)}; with the force, every run: {lapse_share(b)}; "
        f"where it deployed: {lapse_share(b, b['deployment_start_day'].notna())}"
    )
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
force entered are those in which the coalition believed Russia would accept it, so it is not a
randomised comparison.

| comparison | hazard ratio (force / no force) | 95% interval | reduction in hazard |
|---|---|---|---|
{rows}

**The hazard ratio is not constant over time** (the third row's comparison,
window by window; a proportional-hazards model would assume one number):

| window | hazard ratio (force / no force) | 95% interval | reduction in hazard |
|---|---|---|---|
{window_rows}

**Scripted lapses.** Share of the first ceasefires that ended which ended
because their 30-day term ran out while holding was not self-enforcing (a rule
of the model, not a spiral; docs/model.md, "Ceasefires"): {lapses}.  The
published estimates count such lapses as failures too (a ceasefire that is not
renewed is over), so they stay in the hazard ratios above.

A force reaches full strength only over `timeline.deployment.ramp_days` (30
days), and monitoring grows with the troops in place, so in the model its
effect builds over the first months; later windows also hold only the
ceasefires that have lasted.

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
                "force deterred": r["not_deployed_reason"]
                .isin(["deterred", "belief_above_threshold"])
                .mean(),
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
often by the coalition's own move ({100 * deterred_10k:.1f}% of runs at 10,000,
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
    rows, previous = [], []
    for path in sorted(SCENARIOS.glob("*.yaml")):
        scenario = sim.load_scenario(path)
        r = sim.run(scenario, runs=runs, seed=SEED)
        shares = r["outcome"].value_counts(normalize=True).reindex(OUTCOMES, fill_value=0.0)
        rows.append([scenario.name, *(f"{100 * s:.1f}%" for s in shares)])
    for name, old in PREVIOUS_OUTCOMES.items():
        previous.append([name, *(f"{100 * s:.1f}%" for s in old)])
    columns = ["scenario", *OUTCOMES]
    return f"""## 5. Outcomes of the shipped scenarios

Model v3, {runs:,} runs each, seed {SEED}:

{_table(pd.DataFrame(rows, columns=columns))}

The previous model (v2, commit 027afc5), 2,000 runs each, same seed
(`private_resolve.yaml` was v2's name for combined with private resolve, now the
default; `known_resolve.yaml` is v3's what-if of complete information):

{_table(pd.DataFrame(previous, columns=columns))}

What changed and why (issue #18):

* **Entry is decided from beliefs, in sequence.** The coalition moves first and
  enters when its belief says Russia would accept the force; with Russia's resolve
  private (the default now, prior argued from the reports) it can misjudge, so
  `troops_10000.yaml` and `combined.yaml` now see attacks, each labelled with its
  channel (section 6).  v2's coalition played a simultaneous game plus a selection
  rule, and its few attacks in combined.yaml came from entering on days when Russia
  would certainly strike.
* **Durable ceasefires are judged over `durable_after_days` from their start**,
  following a young ceasefire past the horizon; v2's "frozen conflict" was mostly
  ceasefires too young to judge at day 365, and is now rare (section 7).
* **What a deal does to the threat is a stated choice**
  (`sanctions.threat_after_deal`): by default the threat keeps guarding a
  ceasefire in force at its deadline, as in v2; withdrawing it instead is a
  structural alternative (sections 2 and 7).
* **The coalition weighs its publics** (support, casualty sensitivity, an audience
  cost for backing down), and the US's audience cost is uncertain.
"""


def _share(runs: pd.DataFrame, column: str, value: str) -> float:
    return float((runs[column].astype(str) == value).mean())


def channels_section(runs: int) -> str:
    from sim.engine.outcomes import ATTACK_CHANNELS

    rows = []
    for name in ("troops_10000", "combined", "known_resolve", "public_good", "forced_deployment"):
        r = sim.run(_load(name), runs=runs, seed=SEED)
        attacked = int(r["force_attacked"].sum())
        entered = int(r["deployment_start_day"].notna().sum())
        cells = [f"{int((r['attack_channel'].astype(str) == c).sum())}" for c in ATTACK_CHANNELS]
        rows.append([name, f"{entered:,}", f"{attacked:,}", *cells])
    table = _table(
        pd.DataFrame(rows, columns=["scenario", "force entered", "attacked", *ATTACK_CHANNELS])
    )
    return f"""## 6. Why forces were attacked

{runs:,} runs each, seed {SEED}: how many runs the force entered, how many saw it
struck, and each attacked run's channel (docs/model.md, "Why a force was
attacked"): the first that applies of a forced entry, a misjudged resolve
(Russia's reply to the force as it entered was already to strike), noisy play
(Russia's reply on the day of the strike was to accept), the sanctions it
expected falling after entry, the force shrinking, another change.

{table}

With complete information (`known_resolve.yaml`) the coalition's belief is right
and no attack is a misjudged one (the test
`test_a_coalition_whose_belief_is_right_never_enters_into_a_strike` checks it
over random resolve, credibility and seeds): what remains are changes after
entry.  Under private resolve, most attacks are misjudged entries: a resolute
Russia that happened to stay quiet long enough for the coalition's belief to
fall below its threshold.
"""


def ensemble_section(runs: int) -> str:
    from sim.experiments.ensemble import run_ensemble

    parts = []
    for name in ("troops_10000", "ceasefire_30_days", "sanctions_threat", "combined"):
        result = run_ensemble(_load(name), runs=runs, seed=SEED)
        shares = result.shares.pivot(index="outcome", columns="variant", values="probability")
        names = [v.name for v in result.variants] + ["pooled"]
        spread = result.spread.set_index("outcome")
        shown = [o for o in OUTCOMES if shares.loc[o].max() > 0]
        rows = [
            [o, *(f"{100 * shares.loc[o, n]:.1f}%" for n in names),
             f"±{100 * 1.96 * spread.loc[o, 'se_sampling']:.1f}",
             f"{100 * spread.loc[o, 'sd_parametric']:.1f}",
             f"{100 * spread.loc[o, 'sd_structural']:.1f}"]
            for o in shown
        ]  # fmt: skip
        table = _table(
            pd.DataFrame(
                rows,
                columns=["outcome", *names, "sampling (95%)", "parametric SD", "structural SD"],
            )
        )
        findings = "\n".join(f"* {f}" for f in result.findings)
        parts.append(f"### {name}\n\n{table}\n\n{findings}\n")
    body = "\n".join(parts)
    return f"""## 8. Structural uncertainty of the headline scenarios

`sim run FILE --ensemble --runs {runs}` for each headline scenario: every
combination of the equilibrium-selection rule (risk dominant, payoff dominant,
maximum entropy, logit QRE) and the accident model (an accidental violation can
spiral, or is contained), each with {runs:,} parameter draws run twice (the same
draws, other chance events), on common random numbers.  Shares in percent; the
spread in percentage points: sampling is the 95% Monte Carlo error of the
pooled share, parametric the standard deviation of the outcome's probability
across parameter draws, structural the standard deviation of the variants'
shares (docs/model.md, "Structural uncertainty").

Among the Nash rules the selection rule hardly matters any more -- entry and
sanctions are played in sequence, and the ceasefire game mostly has a single
equilibrium -- while noisy play (logit QRE) and the accident model move the
answer by more than its sampling error, enough to change the most likely outcome
where the findings say so.

{body}"""


def _max_jump(base, path: str, values: str, runs: int) -> tuple[float, str, str]:
    points = sim.sweep(base, {path: values}, runs=runs, seed=SEED)
    shares = points.set_index(path)[[f"p:{o}" for o in OUTCOMES]]
    jumps = shares.diff().abs().iloc[1:]
    where = jumps.max(axis=1).idxmax()
    column = jumps.loc[where].idxmax()
    return float(jumps.to_numpy().max()), f"{where}", column.removeprefix("p:")


def smoothness_section(runs: int) -> str:
    combined = _load("combined")
    checks = [
        ("timeline.ceasefire.day", "0:300:5", combined),
        ("timeline.sanctions_threat.deadline_days", "5:180:5", combined),
        ("timeline.sanctions_threat.day", "0:300:5", combined),
        ("timeline.ceasefire.duration_days", "5:180:5", combined),
        ("actors.united_states.sanctions_cost_to_us", "0.5:4:0.25", combined),
    ]
    rows, jumps = [], {}
    for path, values, base in checks:
        jump, where, outcome = _max_jump(base, path, values, runs)
        jumps[path] = (jump, where)
        rows.append(
            [f"`{path}`", values, f"{100 * jump:.1f}", f"{outcome} at {where}",
             "yes" if jump <= 0.10 else "**no**"]
        )  # fmt: skip
    lines = []
    for rule in ("stands", "withdrawn"):
        deadline = sim.sweep(
            with_overrides(combined, {"sanctions.threat_after_deal": rule}),
            {"timeline.sanctions_threat.deadline_days": "5,30,90,180"},
            runs=4 * runs,
            seed=SEED,
        )
        for d, durable_share, imposed in zip(
            deadline["timeline.sanctions_threat.deadline_days"],
            deadline["p:durable_ceasefire"],
            deadline["mean:sanctions_imposed"],
            strict=True,
        ):
            lines.append(
                [rule, f"{int(d)}", f"{100 * durable_share:.1f}%", f"{100 * imposed:.1f}%"]
            )
    durable = _table(
        pd.DataFrame(
            lines,
            columns=[
                "threat after a deal",
                "deadline (days)",
                "durable ceasefire",
                "sanctions imposed",
            ],
        )
    )
    threat = combined.timeline.sanctions_threat
    deadline_day = threat.day + threat.deadline_days
    jump, where = jumps["timeline.ceasefire.day"]
    deadline_note = ""
    if int(float(where)) - 5 < deadline_day <= int(float(where)):
        deadline_note = (
            f"The largest step of the ceasefire's start day, {100 * jump:.1f} points at "
            f"{where}, is the threat's deadline (day {deadline_day}), a date in the world "
            "the scenario sets: a ceasefire in force at the deadline meets the threat, "
            "so the threat keeps guarding it without sanctions; one that starts after it "
            "finds that Russia has defied the deadline and a committed US has imposed "
            "sanctions, which then weigh on every attributed violation until relief."
        )
    table = _table(
        pd.DataFrame(
            rows,
            columns=[
                "value swept (combined.yaml)",
                "values",
                "largest jump (points)",
                "where (outcome at the later value)",
                "≤ 10 points",
            ],
        )
    )
    return f"""## 7. No cliff from the calendar or a constant

Each row sweeps one value of `combined.yaml` ({runs:,} runs per point, common
random numbers, `sim sweep`) and reports the largest change of any headline
outcome's share between neighbouring values.  v2 had a 42-point cliff where a
ceasefire started 90 days before the horizon (durable measured at day 365), a
deadline that changed nothing, and a US cost that switched the threat off at
the fixed US audience cost of 2.0.

{table}

{deadline_note}

**The deadline.** With the threat standing after a deal (the default) the
deadline matters where no ceasefire is in force at it -- Russia complies or
defies, and a committed US imposes -- so a later deadline, which more often
finds the 30-day ceasefire lapsed, means more sanctions imposed but moves the
durable share little; with the threat withdrawn after a deal it keeps the
threat over Russia for longer ({4 * runs:,} runs each):

{durable}
"""


def liveness_section(runs: int) -> str:
    """Every numeric parameter of baseline.yaml at its 10th and 90th percentile (a fixed
    value v: v/2 and 3v/2) changes the run table of combined.yaml or of combined with
    every switch on."""
    from sim.engine.parameters import uncertain_parameters
    from sim.experiments.sensitivity import parameter_ranges
    from sim.experiments.sweeps import plan_chunks, point_groups, simulate_chunk
    from sim.scenario.distributions import Fixed

    combined = _load("combined")
    switches = {
        "levers.us_backstop": True,
        "levers.un_mandate": True,
        "actors.coalition.participation": "public_good",
        "levers.deploy_only_during_ceasefire": False,
    }
    everything = with_overrides(combined, switches)
    # The screen's ranges (sim.experiments.sensitivity.parameter_ranges: a fixed value v at v/2 and
    # 3v/2, integers too, within the schema's bounds), with each distribution's ends
    # replaced by its 10th and 90th percentiles.
    drawn = {path: dist for path, dist in uncertain_parameters(combined)}
    trials = []
    for item in parameter_ranges(combined):
        dist = drawn.get(item.path)
        if dist is not None and not isinstance(dist, Fixed):
            low, high = (float(x) for x in dist.quantile(np.array([0.1, 0.9])))
        elif item.integer:
            low, high = int(item.low), int(item.high)
        else:
            low, high = float(item.low), float(item.high)
        trials.append((item.path, low, high))

    def tables(base) -> list[pd.DataFrame]:
        scenarios = []
        for path, low, high in trials:
            scenarios += [with_overrides(base, {path: low}), with_overrides(base, {path: high})]
        chunks = plan_chunks(point_groups(scenarios), runs, 20_000)
        frames = [
            simulate_chunk([scenarios[p] for p in c.points], c.points, c.segments, SEED,
                           all_columns=True)
            for c in chunks
        ]  # fmt: skip
        table = pd.concat(frames, ignore_index=True)
        keep = [c for c in table.columns if not c.startswith("param:") and c != "point"]
        return [rows[keep].reset_index(drop=True) for _, rows in table.groupby("point")]

    first, second = tables(combined), tables(everything)
    rows, dead = [], []
    for k, (path, low, high) in enumerate(trials):
        live_a = not first[2 * k].equals(first[2 * k + 1])
        live_b = not second[2 * k].equals(second[2 * k + 1])
        if not (live_a or live_b):
            dead.append(path)
        rows.append([f"`{path}`", f"{low:g} → {high:g}", "yes" if live_a else "no",
                     "yes" if live_b else "no"])  # fmt: skip
    verdict = (
        "Every parameter changes the run table in one of the two."
        if not dead
        else "**Dead in both:** " + ", ".join(f"`{p}`" for p in dead) + "."
    )
    table = _table(
        pd.DataFrame(
            rows, columns=["parameter", "10th → 90th percentile", "combined", "all switches on"]
        )
    )
    on = ", ".join(f"`{k}: {v}`" for k, v in switches.items())
    return f"""## 9. Every parameter is live

Each numeric parameter at its 10th and then its 90th percentile (a fixed value
`v`: `v/2` and `3v/2`, within the schema's bounds), everything else drawn as
usual from the same streams, {runs:,} runs: does any cell of the run table
change?  In `combined.yaml`, and in combined with every switch on ({on}).

{verdict}

{table}
"""


def survival_section(runs: int) -> str:
    from sim.results.summary import ceasefire_survival

    rows = []
    for name in ("ceasefire_30_days", "combined", "known_resolve", "troops_10000"):
        r = sim.run(_load(name), runs=runs, seed=SEED)
        km = ceasefire_survival(r)
        cells = []
        for t in ("30", "90", "180", "365"):
            entry = km[t]
            if entry["probability"] is None:
                cells.append("—")
            else:
                low, high = entry["ci95"]
                cells.append(
                    f"{100 * entry['probability']:.1f}% ({100 * low:.1f}–{100 * high:.1f})"
                )
        rows.append([name, f"{km['ceasefires']:,}", *cells])
    table = _table(
        pd.DataFrame(
            rows,
            columns=["scenario", "first ceasefires", "30 days", "90 days", "180 days", "365 days"],
        )
    )
    return f"""## 10. How long ceasefires last, from their start

Kaplan–Meier share of first ceasefires still holding 30, 90, 180 and 365 days
after they began ({runs:,} runs, seed {SEED}; 95% intervals; ceasefires still
holding at the horizon are censored), as `sim run` prints and `summary.json`
holds (`ceasefire_survival`).

{table}
"""


def facts_section(runs: int) -> str:
    scenarios = {name: _load(name) for name in SCENARIOS_NEEDED}
    rows = []
    for fact in FACTS:
        result = fact.measure(scenarios, runs, SEED)
        rows.append(
            [fact.name, fact.pattern, fact.source, result.measured,
             "yes" if result.holds else "**no**"]
        )  # fmt: skip
    table = _table(
        pd.DataFrame(rows, columns=["fact", "pattern", "source", "the model shows", "holds"])
    )
    return f"""## 11. Stylised facts (pattern-oriented validation)

Patterns from the literature the model draws on, each measured in the model's
own runs ({runs:,} runs, seed {SEED}, common random numbers; `sim.experiments.facts`), each
also a test (`tests/test_stylised_facts.py`, at 1,500 runs).  A model judged by
several patterns at once is harder to get right by accident than one fitted to
one (Grimm et al. 2005).

{table}
"""


def global_section(runs: int) -> str:
    """First-order Sobol' indices of headline outcomes over every uncertain parameter,
    from one Monte Carlo sample (given data: SALib's delta module, method "sobol")."""
    import contextlib
    import io

    from SALib.analyze import delta

    table = sim.run(_load("combined"), runs=runs, seed=SEED)
    columns = [c for c in table.columns if c.startswith("param:")]
    X = table[columns].to_numpy(float)
    live = [i for i in range(X.shape[1]) if X[:, i].std() > 0]
    X, names = X[:, live], [columns[i].removeprefix("param:") for i in live]
    # A column of random numbers the model never reads: its index is the estimator's
    # noise floor (an index no larger cannot be told from none).
    X = np.column_stack([X, np.random.default_rng(SEED).random(X.shape[0])])
    names.append("(random numbers, read by nothing)")
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [[float(X[:, i].min()), float(X[:, i].max())] for i in range(len(names))],
    }
    outcomes = {
        "durable ceasefire": table["outcome"] == "durable_ceasefire",
        "ceasefire collapse": table["outcome"] == "ceasefire_collapse",
        "force attacked": table["force_attacked"],
    }
    indices = {}
    for label, hits in outcomes.items():
        with contextlib.redirect_stdout(io.StringIO()):  # SALib's bin-merge notices
            result = delta.analyze(
                problem, X, hits.to_numpy(float), num_resamples=20, seed=1, method="sobol"
            )
        indices[label] = (np.asarray(result["S1"]), np.asarray(result["S1_conf"]))
    floor = len(names) - 1
    order = [i for i in np.argsort(-indices["durable ceasefire"][0]) if i != floor]
    rows = []
    for i in [*order[:15], floor]:
        rows.append(
            [f"`{names[i]}`"]
            + [f"{indices[k][0][i]:.3f} ± {indices[k][1][i]:.3f}" for k in outcomes]
        )
    rows.append(
        ["**sum of all parameters**"] + [f"{indices[k][0][:floor].sum():.2f}" for k in outcomes]
    )
    shown = _table(pd.DataFrame(rows, columns=["parameter", *outcomes]))
    return f"""## 12. Global sensitivity over every uncertain parameter

First-order Sobol' indices `S_i = Var(E[Y | θ_i]) / Var(Y)` of three headline
outcomes of `combined.yaml` over all {floor} parameters the scenario draws
(each from its own distribution, so the ranges are the scenario's, not chosen
ends), estimated from one sample of {runs:,} runs (given data: SALib's `delta`
module with `method="sobol"`, Plischke, Borgonovo & Smith 2013; ± its 95%
bootstrap interval).  The fifteen largest for a durable ceasefire; then a
column of random numbers the model never reads, whose index is the
estimator's noise floor (an index no larger than it cannot be told from
none); and the sum over all parameters: what they do not explain one at a
time is interaction and chance within a run (section 8 splits the latter off).

{shown}
"""


def total_order_section(samples: int, runs: int) -> str:
    """First- and total-order Sobol' indices of outcome probabilities over every
    uncertain parameter, each over its own distribution (Saltelli's design:
    :func:`sim.experiments.sensitivity.distribution_sobol`)."""
    from sim.experiments.sensitivity import DUMMY_FACTOR, distribution_sobol

    outcomes = {
        "durable ceasefire": lambda r: r["outcome"] == "durable_ceasefire",
        "ceasefire collapse": lambda r: r["conflict_state"] == "ceasefire_collapse",
        "force deployed": lambda r: r["peak_troops_deployed"] > 0,
    }
    table = distribution_sobol(
        _load("combined"), outcomes, samples=samples, runs=runs, seed=SEED, workers=2
    )
    wide = {name: table[table["outcome"] == name].set_index("factor") for name in outcomes}
    durable = wide["durable ceasefire"]
    order = [f for f in durable["ST"].sort_values(ascending=False).index if f != DUMMY_FACTOR]

    def cell(name: str, factor: str) -> str:
        row = wide[name].loc[factor]
        return f"{row.S1:.2f} ± {row.S1_conf:.2f} / {row.ST:.2f} ± {row.ST_conf:.2f}"

    rows = [[f"`{f}`", *(cell(name, f) for name in outcomes)] for f in [*order[:15], DUMMY_FACTOR]]
    rows.append(
        ["**sum of all parameters**"]
        + [
            f"{wide[name]['S1'].drop(DUMMY_FACTOR).sum():.2f} / "
            f"{wide[name]['ST'].drop(DUMMY_FACTOR).sum():.2f}"
            for name in outcomes
        ]
    )
    shown = _table(pd.DataFrame(rows, columns=["parameter", *outcomes]))
    attrs = table.attrs
    shares, of_runs = [], []
    for name in outcomes:
        v, chance, mean = (attrs[name][k] for k in ("variance", "chance_variance", "mean"))
        shares.append(f"{name} {100 * max(0.0, 1 - chance / v):.0f}%")
        of_runs.append(f"{name} {100 * max(0.0, v - chance) / (mean * (1 - mean)):.0f}%")
    n_factors = len(durable) - 1
    return f"""### Total-order indices, each parameter over its own distribution

The given-data estimate above has a positive bias (the random column's index
is its size) and gives no total-order index.  Saltelli's design does:
{samples} base samples of a scrambled Sobol' sequence over {n_factors}
parameters and one column that nothing reads, {attrs["points"]:,} points
(`samples × (factors + 2)`), each column mapped through its parameter's
quantile function, so every parameter varies over the distribution the
scenario gives it (`sim.experiments.sensitivity.distribution_sobol`; SALib's
`sample.sobol` and `analyze.sobol`, Saltelli et al. 2010).  The output is the
probability of the outcome at a point, estimated from {runs} runs that are the
same runs at every point (common random numbers).  Each cell is
`S1 ± 95% / ST ± 95%`; rows are the fifteen largest total-order indices for a
durable ceasefire, then the column that nothing reads: both its indices are
exactly 0, because with common random numbers a point that differs from
another only in that column repeats its every run (a check that the design
and the runs line up; the estimator's own noise is in the intervals).

A point's probability is itself an estimate; the share of the variance
between points that is not that estimate's binomial noise (what the
parameters can explain at all): {", ".join(shares)}.  Set against the
variance of a single run's outcome (`p(1 − p)`), the parameters' share is
smaller: {", ".join(of_runs)}; the rest is chance within a run, which no
parameter explains (section 8 measures it).  That is why the indices here,
shares of the variance of a probability, are larger than the given-data ones
above, shares of the variance of a run's outcome.
`ST` well above `S1` is interaction (a lever that matters only where another
parameter lets it); a parameter whose `ST` is near 0 could be fixed at any
value in its range without changing these probabilities.

{shown}
"""


CALIBRATION_SPIRAL = (0.025, 0.05, 0.075, 0.1, 0.125, 0.15, 0.2, 0.3)
CALIBRATION_ACCIDENTS = (0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08)


def calibration_section(runs: int) -> str:
    from sim.experiments.calibration import TARGETS, calibrate_ceasefire

    scenario = sim.load_scenario(SCENARIOS / "calibration" / "donbas_truce.yaml")
    grid = calibrate_ceasefire(
        scenario, CALIBRATION_SPIRAL, CALIBRATION_ACCIDENTS, runs=runs, seed=SEED
    )
    shipped = (
        scenario.ceasefire.spiral_probability.central(),
        scenario.ceasefire.accidental_violation_probability.central(),
    )

    def cell(row) -> str:
        mark = "**" if row["accepted"] else ""
        return f"{mark}{100 * row['survival_14']:.0f}% / {100 * row['survival_365']:.1f}%{mark}"

    table = grid.assign(cell=grid.apply(cell, axis=1)).pivot(
        index="spiral_probability", columns="accidental_violation_probability", values="cell"
    )
    table.index = [f"s = {v:g}" for v in table.index]
    table.columns = [f"a = {v:g}" for v in table.columns]
    table = table.reset_index(names="spiral \\ accidents")
    accepted = grid[grid["accepted"]]
    best = grid.sort_values("distance").iloc[0]
    low, high = TARGETS["survival_365"]
    return f"""## 13. Ceasefires calibrated to the Donbas record

What is fitted: `ceasefire.spiral_probability` (s, the chance that an
unattributed unilateral violation ends a ceasefire) and
`ceasefire.accidental_violation_probability` (a, each side's daily chance of an
unordered violation serious enough to count), the two values that set how long
a truce without peacekeepers or sanctions lasts.  Against what (docs/sources.md):
**T1** — of twelve ceasefire recommitments in Donbas in 2015–2018, monitored by
the OSCE Special Monitoring Mission, "an average truce holds for around two
weeks" before violence returns to its earlier level [S5]: accepted, a median of
7 to 28 days; **T2** — the truce of 27 July 2020 cut violations almost
twenty-fold and held until February 2022 [S6], [S7], so one of thirteen
monitored truces outlived a year: accepted, a one-year share in the 95% Wilson
interval of 1/13, {100 * low:.1f}%–{100 * high:.1f}%.

How (`sim.experiments.calibration`, rejection on a grid; Beaumont 2010): the analogue
scenario `scenarios/calibration/donbas_truce.yaml` (baseline's actors and
priors, a truce agreed on day 0 for the whole year, no force, no threat) runs
at every grid point ({runs:,} runs each, seed {SEED}, common random numbers);
the Kaplan–Meier curve of the first ceasefire, followed past the horizon,
gives the share holding at 14 days and at a year.  Cells: share holding at 14
days / at 365 days; **bold**: both targets met.

{_table(table)}

**Result.** {len(accepted)} of {len(grid)} grid points meet both targets,
with s from {accepted["spiral_probability"].min():g} to
{accepted["spiral_probability"].max():g} and a from
{accepted["accidental_violation_probability"].min():g} to
{accepted["accidental_violation_probability"].max():g}: a ridge, along which
rarer spirals need more incidents.  That spread is the calibration's
uncertainty (with thirteen truces it is wide: the one-year target alone spans
1.4%–33%).  Closest to the targets' centres (14 days, 1/13): s =
{best["spiral_probability"]:g}, a = {best["accidental_violation_probability"]:g}.
The shipped values are s = {shipped[0]:g}, a = {shipped[1]:g} (baseline.yaml;
`tests/test_calibration.py` checks that they meet both targets): an accepted
point in the middle of the ridge, chosen from a finer grid at another seed
(with 3,000 runs per point the closest point moves between neighbours of the
ridge from seed to seed, so no single point is better supported).  The
model before calibration (s = 0.15, a = 0.02) held truces too long: a median
above 28 days.

Two things the fit shows.  **A larger spiral risk does not shorten truces by
itself:** with few accidents a feared spiral deters deliberate violations
(they enter both sides' tables as a risk of war), and truces last longer as s
rises; accidents are what turn that fear into collapses.  **Counts of recorded
violations are not the model's violations:** the OSCE counted dozens of
violations a day during the calmest truce (33 a day after July 2020 [S6]); a
model violation is a day on which a side breaks the truce seriously enough
to risk it, of which the calibrated model has about {2 * shipped[1] * 30:.1f}
a month from accidents alone.  Collapse follows severity and attribution in
that sense: deliberate violations are priced in the ceasefire game, and an
attributed violation does not spiral (`attribution_spiral_reduction`).
"""


def ladder_section(runs: int) -> str:
    base = _load("combined")
    rows = []
    variants = [
        ("shipped", {}),
        ("retaliation cannot spiral", {"strike_ladder.retaliation_clash_probability": 0.0}),
        ("harassment_automatic = 0.02", {"strike_ladder.harassment_automatic": 0.02}),
        ("harassment_automatic = 0.1", {"strike_ladder.harassment_automatic": 0.1}),
        ("limited strike coerces fully", {"strike_ladder.limited_coercion": 1.0}),
        ("binary strike model", {"games.strike_model": "binary"}),
    ]  # fmt: skip
    for label, overrides in variants:
        r = sim.run(with_overrides(base, overrides), runs=runs, seed=SEED)
        deployed = r["deployment_start_day"].notna() & (r["deployment_start_day"] >= 0)
        harassed = r["harassment_days"] > 0
        rows.append(
            [
                label,
                _share_pct((r["outcome"] == "durable_ceasefire").mean()),
                _share_pct((r["conflict_state"] == "nato_russia_escalation").mean()),
                _share_pct(harassed[deployed].mean()) if deployed.any() else "—",
                f"{r.loc[harassed, 'harassment_days'].median():.0f}" if harassed.any() else "—",
                f"{int(r['limited_strikes'].sum())} / {int(r['major_strikes'].sum())}",
                f"{int(r['retaliations'].sum()):,}",
            ]
        )
    table = _table(
        pd.DataFrame(
            rows,
            columns=[
                "variant",
                "durable",
                "NATO–Russia escalation",
                "deployed forces harassed",
                "median harassment days (harassed runs)",
                "limited / major strike days",
                "retaliations",
            ],
        )
    )
    return f"""## 14. The strike ladder

`combined.yaml`, {runs:,} runs, seed {SEED}, common random numbers; each row
changes one value (docs/model.md, "The strike ladder").

{table}

With the shipped values Russia's best rung against a force that is there is,
in most runs, to comply or to harass; strikes are rare and the defenders'
equilibrium posture is to absorb (a NATO–Russia war costs them far more than
the guarantee is worth), so retaliation is never played.  Where retaliation
in kind cannot spiral it becomes the equilibrium reply and deters harassment.
Harassment is safe for Russia only because it triggers nothing automatically
(`harassment_automatic: 0`): with a small automatic response Russia keeps
harassing and the small daily risk accumulates into NATO–Russia escalation
(salami tactics).  The binary row is the model before the ladder.
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
    parts.append(channels_section(int(4000 * scale)))
    parts.append(smoothness_section(int(600 * scale)))
    parts.append(ensemble_section(int(1000 * scale)))
    parts.append(liveness_section(int(1500 * scale)))
    parts.append(survival_section(int(4000 * scale)))
    parts.append(facts_section(int(4000 * scale)))
    parts.append(global_section(int(10000 * scale)))
    parts.append(total_order_section(16 if args.quick else 256, 20 if args.quick else 50))
    parts.append(calibration_section(int(3000 * scale)))
    parts.append(ladder_section(int(2000 * scale)))
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
