"""The console summaries of a sweep (its indices or ranges, then its points) and of
scenario discovery (PRIM's box and CART's leaves).  Outcomes are named as in the result
files (``nato_russia_escalation``), as in every console table."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from sim.engine.outcomes import OUTCOMES
from sim.present.run_text import percent


def print_sweep(console: Console, result, elapsed: float) -> None:
    """A grid: its points (up to 40).  A sampled design (latin, sobol, morris): what it
    was sampled for first (Sobol' S1 and ST with their 95% intervals, or Morris's μ*
    and σ, for the outcomes at least 2% likely on average, as the sensitivity figure;
    for a Latin hypercube, each outcome's range over the points), then a few points."""
    plan = result.sweep
    header = (
        f"{plan.name}: {plan.n_points:,} points x {plan.runs:,} runs, "
        f"seed {plan.seed}, {elapsed:.1f} s"
    )
    factors = [f.path for f in plan.factors]
    shown = [o for o in OUTCOMES if result.points[f"p:{o}"].max() > 0]
    points = result.points
    sampled = plan.design != "grid"
    if sampled:
        varying = [o for o in shown if points[f"p:{o}"].nunique() > 1] or shown[:1]
        # As sim.present.sweep_plots.RARE_SHARE: a rarer outcome's indices are mostly noise.
        common = [o for o in varying if points[f"p:{o}"].mean() >= 0.02] or varying[:1]
        sensitivity = result.sensitivity
        if sensitivity is not None and plan.design in ("sobol", "morris"):
            sobol = plan.design == "sobol"
            summary = Table(
                title=f"{header}\n"
                + (
                    "Sobol' indices of each outcome's probability (95% bootstrap intervals)"
                    if sobol
                    else "Morris screening of each outcome's probability, in percentage "
                    "points (μ* with its 95% interval)"
                ),
                title_justify="left",
            )
            summary.add_column("outcome")
            summary.add_column("factor")
            for name in ("S1", "ST") if sobol else ("μ* (pp)", "σ (pp)"):
                summary.add_column(name, justify="right")
            for outcome in common:
                rows = sensitivity[sensitivity["outcome"] == outcome]
                rows = rows.sort_values("ST" if sobol else "mu_star", ascending=False)
                for k, (_, row) in enumerate(rows.iterrows()):
                    if sobol:
                        cells = [
                            f"{row['S1']:.2f} ± {row['S1_conf']:.2f}",
                            f"{row['ST']:.2f} ± {row['ST_conf']:.2f}",
                        ]
                    else:
                        cells = [
                            f"{100 * row['mu_star']:.1f} ± {100 * row['mu_star_conf']:.1f}",
                            f"{100 * row['sigma']:.1f}",
                        ]
                    label = outcome if k == 0 else ""
                    summary.add_row(label, row["factor"], *cells, end_section=k == len(rows) - 1)
            console.print(summary)
            left_out = ", ".join(o for o in shown if o not in common)
            if left_out:
                console.print(
                    f"(rarer or constant outcomes, {left_out}: in sensitivity.parquet)",
                    markup=False,
                )
        else:
            summary = Table(
                title=f"{header}\nEach outcome's probability over the {len(points):,} points",
                title_justify="left",
            )
            for name in ("outcome", "lowest", "median", "highest"):
                summary.add_column(name, justify="left" if name == "outcome" else "right")
            for outcome in shown:
                column = points[f"p:{outcome}"]
                summary.add_row(
                    outcome,
                    *(percent(v) for v in (column.min(), column.median(), column.max())),
                )
            console.print(summary)
    table = Table(
        title=f"First points of {len(points):,}" if sampled else header,
        title_justify="left",
    )
    for name in factors:
        table.add_column(name.rsplit(".", 1)[-1], justify="right")
    for outcome in shown:
        table.add_column(outcome, justify="right")
    limit = 5 if sampled else 40
    for i in range(min(limit, len(points))):
        row = [
            str(points[f].iat[i])
            if not isinstance(points[f].iat[i], float)
            else f"{points[f].iat[i]:.4g}"
            for f in factors
        ]
        row += [percent(points[f"p:{o}"].iat[i]) for o in shown]
        table.add_row(*row)
    console.print(table)
    if len(points) > limit:
        console.print(f"({len(points) - limit:,} more points in points.parquet)", markup=False)
    if result.precision is not None:
        p = result.precision
        console.print(
            f"Precision: {p['points_reached']:,} of {p['points']:,} points have every outcome's "
            f"95% interval at most {p['ci_width']:g} wide ({p['runs']:,} runs in "
            f"{p['rounds']} rounds; at most {p['max_runs_per_point']:,} per point).",
            markup=False,
        )
    if result.chunks_resumed:
        console.print(
            f"Resumed: {result.chunks_resumed} chunk(s) read back, {result.chunks_run} run now.",
            markup=False,
        )


def print_discovery(console: Console, result) -> None:
    """The case of interest, PRIM's box and CART's leaves, each range in words."""
    s = result.settings
    console.print(
        f"Cases of interest: {s['case_of_interest']}: {s['points_of_interest']:,} of "
        f"{s['points']:,} points ({s['base_rate']:.0%}).",
        markup=False,
    )
    if "prim" in s["methods"]:
        print_boxes(console, result.prim_boxes, "PRIM box (Friedman & Fisher 1999)", quasi_p=True)
    if "cart" in s["methods"]:
        print_boxes(console, result.cart_boxes, "CART leaves (Breiman et al. 1984)", quasi_p=False)
    for note in result.notes:
        console.print(f"Note: {note}.", markup=False)


def print_boxes(console: Console, boxes, title: str, quasi_p: bool) -> None:
    if boxes.empty:
        console.print(f"{title}: none found (see the notes).", markup=False)
        return
    table = Table(title=f"{title}: coverage, density, and the ranges", title_justify="left")
    for name in ("box", "coverage", "density", "points", "input", "range (of the whole range)"):
        table.add_column(name, justify="left" if name.startswith(("input", "range")) else "right")
    if quasi_p:
        table.add_column("quasi-p", justify="right")
    for number, rows in boxes.groupby("box", sort=True):
        for i, row in enumerate(rows.itertuples(index=False)):
            words, _, span = str(row.description).partition(": ")
            first = [str(number), f"{row.coverage:.2f}", f"{row.density:.2f}", f"{row.points:,}"]
            cells = (first if i == 0 else [""] * 4) + [words, span]
            if quasi_p:
                cells.append("" if row.input == "" else f"{row.qp:.2g}")
            table.add_row(*cells)
    console.print(table)
