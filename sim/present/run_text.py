"""The console tables of a run, an ensemble and a comparison: shares with their 95%
intervals, the outcome dimensions, ceasefire survival and the metrics."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from sim.engine.outcomes import OUTCOMES


def percent(value: float) -> str:
    """A percentage with one decimal, or two below 1% so small values are not shown as 0."""
    return f"{value:.2%}" if 0 < value < 0.01 else f"{value:.1%}"


def summary_table(summary: dict, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("outcome")
    table.add_column("runs", justify="right")
    table.add_column("probability", justify="right")
    table.add_column("95% interval (Wilson)", justify="right")
    for name in OUTCOMES:
        entry = summary["outcomes"][name]
        low, high = entry["ci95"]
        table.add_row(
            name,
            f"{entry['count']:,}",
            percent(entry["probability"]),
            f"{percent(low)} – {percent(high)}",
        )
    return table


def dimensions_table(summary: dict) -> Table:
    """The two outcome dimensions, and why a pledged force never deployed."""
    table = Table(
        title="Conflict state at the horizon, the force's fate, why it never deployed, "
        "why it was attacked",
        title_justify="left",
    )
    for column in ("dimension", "class", "runs", "probability", "95% interval (Wilson)"):
        table.add_column(column, justify="left" if column in ("dimension", "class") else "right")
    for dimension in ("conflict_state", "force_fate", "not_deployed_reason", "attack_channel"):
        for name, entry in summary.get(dimension, {}).items():
            if entry["count"] == 0:
                continue
            low, high = entry["ci95"]
            table.add_row(
                dimension,
                name,
                f"{entry['count']:,}",
                percent(entry["probability"]),
                f"{percent(low)} – {percent(high)}",
            )
    return table


def survival_table(summary: dict) -> Table | None:
    """The first ceasefire's Kaplan–Meier survival at 30, 90, 180 and 365 days."""
    survival = summary.get("ceasefire_survival")
    if not survival or not survival["ceasefires"]:
        return None
    table = Table(
        title=f"First ceasefire still holding, days after it began (Kaplan–Meier; "
        f"{survival['ceasefires']:,} ceasefires, {survival['ended']:,} ended)",
        title_justify="left",
    )
    for column in ("days", "still holding", "95% interval", "followed that long"):
        table.add_column(column, justify="right")
    for key, entry in survival.items():
        if not isinstance(entry, dict):
            continue
        if entry["probability"] is None:
            table.add_row(key, "–", "–", "0")
            continue
        low, high = entry["ci95"]
        table.add_row(
            key,
            percent(entry["probability"]),
            f"{percent(low)} – {percent(high)}",
            f"{entry['at_risk']:,}",
        )
    return table


def metrics_table(summary: dict) -> Table:
    table = Table(title="Metrics (over runs where defined)", title_justify="left")
    for column in ("metric", "runs", "mean", "5%", "median", "95%"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for name, entry in summary["metrics"].items():
        if entry["n"] == 0:
            table.add_row(name, "0", "–", "–", "–", "–")
            continue
        quantiles = [entry[q] for q in ("q05", "q50", "q95")]
        whole = all(float(v).is_integer() for v in quantiles)
        table.add_row(
            name,
            f"{entry['n']:,}",
            f"{entry['mean']:,.2f}",
            *(f"{v:,.0f}" if whole else f"{v:,.2f}" for v in quantiles),
        )
    return table


def print_ensemble(console: Console, result, elapsed: float) -> None:
    names = [v.name for v in result.variants]
    table = Table(
        title=f"{result.scenario.name}: outcome shares by structural variant "
        f"({result.runs:,} parameter draws x 2 each, seed {result.seed}, {elapsed:.1f} s)",
        title_justify="left",
    )
    table.add_column("outcome")
    for name in names:
        table.add_column(name.replace(" / ", "\n"), justify="right")
    table.add_column("pooled", justify="right")
    shares = result.shares.set_index(["variant", "outcome"])["probability"]
    shown = [o for o in OUTCOMES if shares.xs(o, level="outcome").max() > 0]
    for outcome in shown:
        table.add_row(
            outcome,
            *(percent(shares[(n, outcome)]) for n in names),
            percent(shares[("pooled", outcome)]),
        )
    console.print(table)
    spread = Table(
        title="Spread of each share: sampling (Monte Carlo SE of the pooled share), "
        "parametric (SD of the outcome's probability across parameter draws), "
        "structural (SD across variants, and range)",
        title_justify="left",
    )
    for column in ("outcome", "pooled", "sampling SE", "parametric SD", "structural SD",
                   "range across variants"):  # fmt: skip
        spread.add_column(column, justify="left" if column == "outcome" else "right")
    for row in result.spread.itertuples():
        if row.outcome not in shown:
            continue
        spread.add_row(
            row.outcome,
            percent(row.pooled),
            percent(row.se_sampling),
            percent(row.sd_parametric),
            percent(row.sd_structural),
            f"{percent(row.min)} – {percent(row.max)}",
        )
    console.print(spread)
    for finding in result.findings:
        console.print(finding, markup=False)


def print_comparison(
    console: Console, table, names: list[str], n_runs: int, seed: int, elapsed: float
) -> None:
    """``sim compare``: each scenario's shares and its paired difference from the first."""
    title = f"{n_runs:,} runs each, seed {seed} (common random numbers), {elapsed:.1f} s"
    view = Table(title=title, title_justify="left")
    view.add_column("outcome")
    for name in names:
        view.add_column(name, justify="right")
    for name in names[1:]:
        view.add_column(f"{name} − {names[0]} (95% CI)", justify="right")
        view.add_column("SE paired / indep.", justify="right")
    for outcome in OUTCOMES:
        rows = table[table["outcome"] == outcome].set_index("scenario")
        if rows["probability"].max() == 0:
            continue
        cells = [outcome]  # the name in the result files, as every console table
        cells += [percent(rows.at[n, "probability"]) for n in names]
        for name in names[1:]:
            r = rows.loc[name]
            cells.append(
                f"{100 * r['difference']:+.1f} pp [{100 * r['difference_low']:+.1f}, "
                f"{100 * r['difference_high']:+.1f}]"
            )
            cells.append(f"{100 * r['se_paired']:.2f} / {100 * r['se_independent']:.2f} pp")
        view.add_row(*cells)
    console.print(view)


def print_ensemble_comparison(
    console: Console,
    table,
    findings: list[str],
    names: list[str],
    n_runs: int,
    seed: int,
    elapsed: float,
) -> None:
    """``sim compare --ensemble``: each scenario minus the first, by structural variant."""
    view = Table(
        title=f"{' vs '.join(names[1:])} minus {names[0]}, by structural variant "
        f"({n_runs:,} runs each, seed {seed}, {elapsed:.1f} s)",
        title_justify="left",
    )
    view.add_column("variant")
    view.add_column("scenario")
    shown = [
        o for o in OUTCOMES if table.loc[table["outcome"] == o, "difference"].abs().max() >= 0.01
    ]
    for outcome in shown:
        view.add_column(outcome, justify="right")
    for (variant, name), rows in table[table["scenario"] != names[0]].groupby(
        ["variant", "scenario"], sort=False
    ):
        rows = rows.set_index("outcome")
        view.add_row(
            variant,
            name,
            *(
                f"{rows.at[o, 'difference']:+.1%} ({rows.at[o, 'difference_low']:+.1%}, "
                f"{rows.at[o, 'difference_high']:+.1%})"
                for o in shown
            ),
        )
    console.print(view)
    for finding in findings:
        console.print(finding, markup=False)
