"""What a brief says about each kind of result directory (``sim report``).

Each ``*_brief`` function reads one kind of directory that ``sim`` writes and
returns a :class:`Brief`: the page's title, its answer in one paragraph, the
values that drive that answer (for the caveats), what was asked, the tables,
the figures (as :class:`matplotlib.figure.Figure` or as SVG text drawn by
:mod:`sim.present.sweep_plots`) and the provenance.  :func:`sim.present.report.render_brief`
turns a brief into one HTML file.  Kinds:

* a ``sim run`` directory (:func:`run_brief`);
* several ``sim run`` directories of the same seed and runs: the runs are
  paired (run *k* of each is run *k* of the same random numbers), so the
  differences are paired differences (:func:`runs_brief`);
* a ``sim compare`` directory (:func:`comparison_brief`);
* a ``sim sweep`` directory, with its Sobol' or Morris indices and, when
  ``sim discover`` has been run on it, its scenario-discovery boxes
  (:func:`sweep_brief`);
* a ``sim run --ensemble`` directory (:func:`ensemble_brief`).
"""

from __future__ import annotations

import io
import json
import math
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd
import yaml

from sim.engine.outcomes import FORCE_FATES, OUTCOMES
from sim.errors import SimError
from sim.present import style

__all__ = [
    "Brief",
    "BriefError",
    "Table",
    "comparison_brief",
    "directory_kind",
    "ensemble_brief",
    "run_brief",
    "runs_brief",
    "scenario_differences",
    "svg_element",
    "sweep_brief",
]

#: Outcomes in words, as a sentence uses them.
OUTCOME_WORDS = {
    "durable_ceasefire": "a durable ceasefire",
    "frozen_conflict": "a frozen conflict",
    "ceasefire_collapse": "a ceasefire that collapsed (renewed war)",
    "war_continues": "war without a ceasefire",
    "deployment_abandoned": "the deployment abandoned",
    "peacekeepers_attacked": "peacekeepers attacked",
    "nato_russia_escalation": "NATO-Russia escalation",
}

#: Most rows of a sweep's points shown in its brief (the file has them all).
MAX_POINT_ROWS = 60


class BriefError(SimError, ValueError):
    """The directories cannot make one brief; ``str(error)`` is one line."""


@dataclass
class Table:
    """A table of the page: ``rows`` of strings; the first column names the row."""

    caption: str
    columns: list[str]
    rows: list[list[str]]
    numeric_from: int = 1  # columns from this index on are numbers (right-aligned)


@dataclass
class Brief:
    """Everything a page says; rendered by :func:`sim.present.report.render_brief`."""

    title: str
    subtitle: str
    headline: str
    provenance: dict[str, Any]
    description: str = ""
    drivers: list[str] = field(default_factory=list)  # "which values drive it" lines
    differences: list[tuple[str, str, str]] | None = None
    reference_name: str = ""
    scenarios_yaml: list[tuple[str, str]] = field(default_factory=list)
    asked_tables: list[Table] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[dict[str, str]] = field(default_factory=list)  # description, svg
    notes: list[str] = field(default_factory=list)


def percent(p: float) -> str:
    return f"{100 * p:.1f}%"


def points(d: float) -> str:
    """A difference of shares in percentage points, signed; 0.0 has no sign."""
    text = f"{100 * d:+.1f}"
    return "0.0" if text in ("+0.0", "-0.0") else text


def _label(outcome: str) -> str:
    from sim.present.plots import OUTCOME_LABELS

    return OUTCOME_LABELS.get(outcome, outcome.replace("_", " "))


def factor_words(path: str) -> str:
    """``actors.russia.violation_gain`` -> "Russia: violation gain" (a factor in words)."""
    parts = path.split(".")
    leaf = parts[-1].replace("_", " ").replace("nato", "NATO").replace("un ", "UN ")
    if parts[0] == "actors" and len(parts) >= 3:
        owner = {"united_states": "US", "russia": "Russia", "ukraine": "Ukraine"}.get(
            parts[1], parts[1].replace("_", " ").capitalize()
        )
        return f"{owner}: {leaf}"
    return leaf[:1].upper() + leaf[1:]


def value_text(value: Any) -> str:
    """A factor's value as a brief prints it: 12,500 / 0.589 / 1.5."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if float(value).is_integer() or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BriefError(f"{path}: not readable ({type(error).__name__})") from None
    if not isinstance(data, dict):
        raise BriefError(f"{path}: not a manifest")
    return data


def directory_kind(directory: Path) -> str:
    """ "run", "comparison", "sweep" or "ensemble" (from its manifest), or BriefError."""
    if not Path(directory).is_dir():
        raise BriefError(f"{directory}: no such result directory")
    manifest_file = Path(directory) / "manifest.json"
    if not manifest_file.is_file():
        raise BriefError(f"{directory}: not a directory written by sim (no manifest.json)")
    kind = _read_json(manifest_file).get("kind", "run")
    if kind not in ("run", "comparison", "sweep", "ensemble"):
        raise BriefError(f"{directory}: a '{kind}' directory has no brief")
    return kind


def _provenance(manifest: dict, keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: manifest.get(key) for key in keys if key in manifest}


def _svgs_drawn(draw) -> list[dict[str, str]]:
    """Figures drawn by a ``sim.present.sweep_plots.draw_*`` function, read back as inline SVG."""

    with tempfile.TemporaryDirectory(prefix="sim-brief-") as folder:
        paths = draw(Path(folder))
        figures = []
        for path in sorted(p for p in paths if Path(p).suffix == ".svg"):
            text = Path(path).read_text(encoding="utf-8")
            figures.append(
                {"description": _figure_words(Path(path).stem), "svg": svg_element(text)}
            )
    return figures


def _figure_words(stem: str) -> str:
    """A description (alt text) of a sweep figure, from its file name."""
    if stem.startswith("outcomes_by_"):
        factor = stem.removeprefix("outcomes_by_").split("_", 1)[-1].replace("_", " ")
        return (
            f"Share of runs with each outcome against {factor} (points, or bins of sampled "
            "points, with 95% intervals)"
        )
    known = {
        "heatmaps": "Share of runs with each outcome over the first two factors (cells with "
        "their share and 95% interval)",
        "lines_by_second_factor": "The most variable outcome against the first factor, one "
        "line per level of the second",
        "sensitivity": "Sensitivity indices of each outcome's share, with 95% intervals",
        "ensemble": "Outcome shares under each structural variant (dots, 95% intervals) and "
        "pooled over the variants (bars)",
    }
    words = stem.replace("_", " ")
    return known.get(stem, words[:1].upper() + words[1:])


# --------------------------------------------------------------------------- comparisons


def _paired_headline(table: pd.DataFrame, names: list[str]) -> str:
    """The largest paired differences of each scenario from the first, in words."""
    sentences = []
    for name in names[1:]:
        rows = table[(table["scenario"] == name) & (table["difference"].abs() > 0)]
        rows = rows.reindex(rows["difference"].abs().sort_values(ascending=False).index)[:2]
        if rows.empty:
            sentences.append(f"{name} gives the same outcomes as {names[0]} in every run.")
            continue
        parts = [
            f"{OUTCOME_WORDS.get(r.outcome, r.outcome)} by {points(r.difference)} points "
            f"(95% interval {points(r.difference_low)} to {points(r.difference_high)})"
            for r in rows.itertuples()
        ]
        sentences.append(
            f"Against {names[0]}, {name} changes the share of " + " and ".join(parts) + "."
        )
    runs = int(table["runs"].iloc[0])
    return f"On the same {runs:,} runs (common random numbers): " + " ".join(sentences)


def _comparison_tables(table: pd.DataFrame, names: list[str]) -> list[Table]:
    shown = [o for o in OUTCOMES if table.loc[table["outcome"] == o, "probability"].max() > 0]
    shares = Table(
        "Share of runs with each outcome (95% Wilson interval)",
        ["outcome", *names],
        [],
    )
    differences = Table(
        f"Paired difference from {names[0]}, percentage points (95% interval, "
        "Bonett-Price, from the runs whose outcome differs)",
        ["outcome", *names[1:]],
        [],
    )
    for outcome in shown:
        rows = table[table["outcome"] == outcome].set_index("scenario")
        shares.rows.append(
            [_label(outcome)]
            + [
                f"{percent(rows.loc[n, 'probability'])} ({percent(rows.loc[n, 'low'])}–"
                f"{percent(rows.loc[n, 'high'])})"
                for n in names
            ]
        )
        differences.rows.append(
            [_label(outcome)]
            + [
                f"{points(rows.loc[n, 'difference'])} ({points(rows.loc[n, 'difference_low'])}"
                f" to {points(rows.loc[n, 'difference_high'])})"
                for n in names[1:]
            ]
        )
    return [shares, differences]


def _comparison_figures(table: pd.DataFrame, caption: str) -> list[dict[str, str]]:
    from sim.present.sweep_plots import draw_comparison

    figures = _svgs_drawn(lambda folder: draw_comparison(table, caption, folder))
    for figure in figures:
        figure["description"] = (
            "Outcome shares of each scenario with 95% intervals, and the paired "
            "difference of each from the first, in percentage points"
        )
    return figures


def _asked_for(scenarios: dict[str, dict]) -> tuple[list[Table], list[tuple[str, str]]]:
    """Each scenario's differences from the first, as one table, and each as YAML."""

    names = list(scenarios)
    first = scenarios[names[0]]
    rows = []
    for name in names[1:]:
        for path, theirs, ours in scenario_differences(scenarios[name], first):
            if path.startswith("simulation."):
                continue
            rows.append([name, path, theirs, ours])
    table = Table(
        f"How each scenario differs from {names[0]}",
        ["scenario", "setting", names[0], "this scenario"],
        rows,
        numeric_from=4,
    )
    texts = [
        (f"{name} as run (YAML)", yaml.safe_dump(s, sort_keys=False, allow_unicode=True))
        for name, s in scenarios.items()
    ]
    return [table], texts


_COMPARISON_PROVENANCE = (
    "seed", "runs", "inputs", "random_numbers", "versions", "git", "command", "files",
)  # fmt: skip


def comparison_brief(directory: Path) -> Brief:
    """The brief of a ``sim compare`` directory."""
    directory = Path(directory)
    manifest = _read_json(directory / "manifest.json")
    try:
        table = pd.read_parquet(directory / "comparison.parquet")
    except (OSError, ValueError) as error:
        raise BriefError(f"{directory}: no readable comparison table ({error})") from None
    if "probability" not in table:
        raise BriefError(f"{directory}: an ensemble comparison has no brief yet")
    names = list(dict.fromkeys(table["scenario"]))
    scenarios = _scenarios_of(directory, manifest, names)
    asked, texts = _asked_for(scenarios)
    runs, seed = int(manifest.get("runs", table["runs"].iloc[0])), manifest.get("seed")
    caption = f"{' vs '.join(names)} · {runs:,} runs each, seed {seed}, common random numbers"
    return Brief(
        title=f"Comparison: {', '.join(names)}",
        subtitle=f"{runs:,} Monte Carlo runs of each scenario on common random numbers, "
        f"seed {seed}.",
        headline=_paired_headline(table, names),
        provenance=_provenance(manifest, _COMPARISON_PROVENANCE),
        asked_tables=asked,
        scenarios_yaml=texts,
        tables=_comparison_tables(table, names),
        figures=_comparison_figures(table, caption),
    )


def _scenarios_of(directory: Path, manifest: dict, names: list[str]) -> dict[str, dict]:
    scenarios = manifest.get("scenarios")
    if isinstance(scenarios, dict) and all(n in scenarios for n in names):
        return {n: scenarios[n] for n in names}
    found = {}
    for name in names:
        path = directory / "scenarios" / f"{name}.yaml"
        try:
            found[name] = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            raise BriefError(f"{directory}: the scenario '{name}' as run is missing") from None
    return found


def runs_brief(saved: list) -> Brief:
    """The brief of several ``sim run`` results (:class:`sim.results.store.SavedResult`) of the
    same seed and runs: their outcomes side by side and paired differences."""
    from sim.experiments.comparison import _unique_names, compare_tables

    seeds = {s.manifest.get("seed") for s in saved}
    sizes = {len(s.runs) for s in saved}
    schemes = {s.manifest.get("random_numbers") for s in saved}
    if len(schemes) != 1:
        raise BriefError(
            "these results were made with different random-number schemes (different "
            "versions of sim), so their runs are not paired: run them again with one version"
        )
    if len(seeds) != 1 or len(sizes) != 1:
        raise BriefError(
            "these results do not share a seed and a number of runs, so their runs are not "
            "paired: run them together with `sim compare`, or with the same --seed and --runs"
        )
    names = _unique_names([s.manifest["scenario"]["name"] for s in saved])
    table = compare_tables(names, [s.runs["outcome"].reset_index(drop=True) for s in saved])
    scenarios = {n: s.manifest["scenario"] for n, s in zip(names, saved, strict=True)}
    asked, texts = _asked_for(scenarios)
    runs, seed = sizes.pop(), seeds.pop()
    caption = f"{' vs '.join(names)} · {runs:,} runs each, seed {seed}, common random numbers"
    provenance = {
        "seed": seed,
        "runs": runs,
        "results": [
            _provenance(s.manifest, ("command", "scenario_sha256", "versions", "git", "files"))
            for s in saved
        ],
    }
    return Brief(
        title=f"Comparison: {', '.join(names)}",
        subtitle=f"{runs:,} Monte Carlo runs of each scenario, seed {seed}: run k of each "
        "scenario used the same random numbers, so differences are paired.",
        headline=_paired_headline(table, names),
        provenance=provenance,
        asked_tables=asked,
        scenarios_yaml=texts,
        tables=_comparison_tables(table, names),
        figures=_comparison_figures(table, caption),
    )


# --------------------------------------------------------------------------- sweeps


def _top_sensitivity(
    sensitivity: pd.DataFrame, design: str, outcomes: list[str], limit: int = 3
) -> list[str]:
    """The largest indices of the outcomes that vary most, in words (for the caveats)."""
    column, name = (
        ("ST", "total-order Sobol' index") if design == "sobol" else ("mu_star", "Morris mu*")
    )
    lines = []
    valid = sensitivity.dropna(subset=[column])
    for outcome in outcomes:
        rows = valid[valid["outcome"] == outcome].sort_values(column, ascending=False)[:limit]
        if rows.empty:
            continue
        conf = f"{column}_conf"
        parts = [
            f"{factor_words(r.factor)} {getattr(r, column):.2f} ± {getattr(r, conf):.2f}"
            for r in rows.itertuples()
        ]
        lines.append(f"{_label(outcome)} ({name}): " + "; ".join(parts))
    return lines


def _sensitivity_table(sensitivity: pd.DataFrame, design: str, outcomes: list[str]) -> Table:
    if design == "sobol":
        columns = ["S1", "S1_conf", "ST", "ST_conf"]
        head = ["first order S1", "± (95%)", "total order ST", "± (95%)"]
        caption = (
            "Sobol' indices of each outcome's share: the part of its variance across points "
            "each factor explains alone (S1) and with its interactions (ST)"
        )
        order = "ST"
    else:
        columns = ["mu_star", "mu_star_conf", "mu", "sigma"]
        head = ["mu* (mean |effect|), pp", "± (95%), pp", "mu (mean effect), pp", "sigma, pp"]
        caption = (
            "Morris elementary effects on each outcome's share, in percentage points over "
            "the factor's whole range: mu* ranks the factors, sigma shows interactions"
        )
        order = "mu_star"
    caption += (
        "; the outcomes whose share varies most across the points (every outcome's indices "
        "are in sensitivity.parquet)"
    )
    rows = []
    valid = sensitivity.dropna(subset=[order])
    for outcome in outcomes:
        group = valid[valid["outcome"] == outcome]
        for r in group.sort_values(order, ascending=False).itertuples():
            scale = 1.0 if design == "sobol" else 100.0  # Morris effects in points
            rows.append(
                [_label(outcome), factor_words(r.factor)]
                + [f"{scale * getattr(r, c):.3f}" for c in columns]
            )
    return Table(caption, ["outcome", "factor", *head], rows, numeric_from=2)


def _point_rows(points_table: pd.DataFrame, factors: list[str], outcomes: list[str]) -> Table:
    shown = points_table.head(MAX_POINT_ROWS)
    rows = []
    for _, point in shown.iterrows():
        row = [f"{int(point['point'])}"]
        for factor in factors:
            row.append(value_text(point[factor]))
        for outcome in outcomes:
            row.append(
                f"{percent(point[f'p:{outcome}'])} ({percent(point[f'p:{outcome}:low'])}–"
                f"{percent(point[f'p:{outcome}:high'])})"
            )
        rows.append(row)
    more = len(points_table) - len(shown)
    caption = "Outcome shares at each point (95% Wilson interval)" + (
        f"; the first {len(shown)} of {len(points_table):,} points (all are in points.csv)"
        if more > 0
        else ""
    )
    return Table(
        caption,
        ["point", *(factor_words(f) for f in factors), *(_label(o) for o in outcomes)],
        rows,
    )


def _sweep_headline(points_table: pd.DataFrame, factors: list[str], outcomes: list[str]) -> str:
    """How far the most variable outcomes move across the points, and where."""

    def where(point) -> str:
        return ", ".join(f"{factor_words(f).lower()} {value_text(point[f])}" for f in factors[:2])

    parts = []
    for outcome in outcomes[:2]:
        column = points_table[f"p:{outcome}"]
        low, high = points_table.loc[column.idxmin()], points_table.loc[column.idxmax()]
        parts.append(
            f"{OUTCOME_WORDS.get(outcome, outcome)} ranges from {percent(column.min())} "
            f"(at {where(low)}) to {percent(column.max())} (at {where(high)})"
        )
    more = "" if len(factors) <= 2 else " (and the other factors' values there)"
    return (
        f"Across the {len(points_table):,} points, the share of runs with "
        + "; with ".join(parts)
        + f"{more}. Each point's share is an estimate from its runs: see the intervals below."
    )


def _varying_outcomes(points_table: pd.DataFrame) -> list[str]:
    spans = {
        o: float(points_table[f"p:{o}"].max() - points_table[f"p:{o}"].min())
        for o in OUTCOMES
        if f"p:{o}" in points_table
    }
    return [o for o, span in sorted(spans.items(), key=lambda kv: -kv[1]) if span > 0]


def _discovery_tables(directory: Path) -> tuple[list[Table], list[str], list[dict]]:
    """The boxes of ``sim discover`` (tables, notes, figures), when it has been run."""

    folder = directory / "discovery"
    settings_file = folder / "discovery.json"
    if not settings_file.is_file():
        return [], [], []
    settings = _read_json(settings_file)
    case = settings.get("case_of_interest", "the case of interest")
    tables, notes = [], []
    for stem, what in (("prim_boxes", "PRIM"), ("cart_boxes", "CART")):
        path = folder / f"{stem}.csv"
        if not path.is_file():
            continue
        try:
            frame = pd.read_csv(path)
            frame[["box", "description", "coverage", "density", "points"]]  # read below
        except (OSError, ValueError, KeyError) as error:
            raise BriefError(f"{path}: not a discovery table ({type(error).__name__})") from None
        if frame.empty:
            notes.append(f"Scenario discovery ({what}) found no box for {case}.")
            continue
        rows = []
        for box, group in frame.groupby("box", sort=True):
            first = group.iloc[0]
            rows.append(
                [
                    str(box),
                    "; ".join(group["description"]),
                    f"{first['coverage']:.2f}",
                    f"{first['density']:.2f}",
                    f"{int(first['points']):,}",
                ]
            )
        tables.append(
            Table(
                f"Scenario discovery ({what}) of {case} (base rate "
                f"{settings.get('base_rate', float('nan')):.2f}): coverage is the share of those "
                "points inside the box, density the share of the box's points that are such "
                "points",
                ["box", "where", "coverage", "density", "points"],
                rows,
                numeric_from=2,
            )
        )
    figures = []
    trajectory = folder / "peeling_trajectory.svg"
    if trajectory.is_file():
        figures.append(
            {
                "description": "PRIM's peeling trajectory: coverage against density of each "
                "box it tried, the box shown marked",
                "svg": svg_element(trajectory.read_text(encoding="utf-8")),
            }
        )
    return tables, notes, figures


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:,.4g}"
    return str(value)


_SWEEP_PROVENANCE = (
    "seed", "runs_per_point", "points", "sweep_sha256", "sweep_file", "random_numbers",
    "versions", "git", "command", "files",
)  # fmt: skip


def sweep_brief(directory: Path) -> Brief:
    """The brief of a ``sim sweep`` directory."""
    from sim.experiments.sweep_store import load_sweep_result
    from sim.present.sweep_plots import draw_sweep
    from sim.results.store import ResultDirectoryError

    try:
        saved = load_sweep_result(directory)
    except ResultDirectoryError as error:
        raise BriefError(str(error)) from None
    manifest = saved.manifest
    sweep = manifest.get("sweep", {})
    design = sweep.get("design", "grid")
    factors = [f["path"] for f in sweep.get("factors", [])] or [
        c for c in saved.points.columns if "." in c and not c.startswith(("p:", "mean:", "q50:"))
    ]
    outcomes = _varying_outcomes(saved.points)
    runs = manifest.get("runs_per_point")
    drivers = []
    if saved.sensitivity is not None:
        drivers = _top_sensitivity(saved.sensitivity, design, outcomes[:3])
    design_table = Table(
        "The factors and the values they took",
        ["factor", "path", "values"],
        [[factor_words(f["path"]), f["path"], _factor_values(f)] for f in sweep.get("factors", [])],
        numeric_from=3,
    )
    tables = []
    if saved.sensitivity is not None:
        tables.append(_sensitivity_table(saved.sensitivity, design, outcomes[:3]))
    discovery, notes, discovery_figures = _discovery_tables(Path(directory))
    tables += discovery
    if discovery:  # the first box found, in words, as what the answer depends on
        first = discovery[0]
        drivers.append(
            f"{first.caption.split(':')[0]}: {first.rows[0][1]} (coverage {first.rows[0][2]}, "
            f"density {first.rows[0][3]})"
        )
    tables.append(_point_rows(saved.points, factors, outcomes[:3]))
    figures = _svgs_drawn(
        lambda folder: draw_sweep(saved.points, saved.sensitivity, manifest, folder)
    )
    figures += discovery_figures
    base = manifest.get("base_scenario", "")
    return Brief(
        title=f"Sweep {sweep.get('name', Path(directory).name)}: {design} design",
        subtitle=f"{manifest.get('points', len(saved.points)):,} points × {runs:,} runs each "
        f"on {base}, seed {manifest.get('seed')}; every point uses the same random numbers.",
        headline=_sweep_headline(saved.points, factors, outcomes)
        if outcomes
        else ("No outcome's share varies across the points."),
        description=sweep.get("description", ""),
        drivers=drivers,
        provenance=_provenance(manifest, _SWEEP_PROVENANCE),
        asked_tables=[design_table],
        scenarios_yaml=_sweep_yaml(Path(directory)),
        tables=tables,
        figures=figures,
        notes=notes,
    )


def _factor_values(factor: dict) -> str:
    levels = factor.get("levels")
    if levels is not None:
        shown = ", ".join(value_text(v) for v in levels[:12])
        return shown + (f", … ({len(levels)} levels)" if len(levels) > 12 else "")
    return f"sampled from {value_text(factor.get('low'))} to {value_text(factor.get('high'))}"


def _sweep_yaml(directory: Path) -> list[tuple[str, str]]:
    texts = []
    for name, what in (("sweep.yaml", "The sweep file"), ("base.yaml", "The base scenario")):
        path = directory / name
        if path.is_file():
            texts.append((f"{what} as run (YAML)", path.read_text(encoding="utf-8")))
    return texts


# --------------------------------------------------------------------------- ensembles


def ensemble_brief(directory: Path) -> Brief:
    """The brief of a ``sim run --ensemble`` directory."""
    from sim.present.sweep_plots import draw_ensemble

    directory = Path(directory)
    manifest = _read_json(directory / "manifest.json")
    data = _read_json(directory / "ensemble.json")
    try:
        shares = pd.DataFrame(data["shares"])
        spread = pd.DataFrame(data["spread"])
        names = [v["name"] for v in data["variants"]]
        spread[["outcome", "pooled", "se_sampling", "sd_parametric", "sd_structural"]]  # read below
    except (KeyError, TypeError, ValueError) as error:
        raise BriefError(
            f"{directory / 'ensemble.json'}: not an ensemble's results ({type(error).__name__})"
        ) from None
    variants = Table(
        "The structural variants: each a defensible modelling choice",
        ["variant", "settings"],
        [[v["name"], json.dumps(v["values"], sort_keys=True)] for v in data["variants"]],
        numeric_from=2,
    )
    spread_rows = [
        [
            _label(r.outcome),
            percent(r.pooled),
            percent(r.se_sampling),
            percent(r.sd_parametric),
            percent(r.sd_structural),
            f"{percent(r.min)} – {percent(r.max)}",
        ]
        for r in spread.itertuples()
        if r.max > 0
    ]
    spread_table = Table(
        "Spread of each outcome's share: sampling (Monte Carlo SE of the pooled share), "
        "parametric (SD across parameter draws), structural (SD across variants, and range)",
        ["outcome", "pooled", "sampling SE", "parametric SD", "structural SD", "range"],
        spread_rows,
    )
    caption = f"{data['scenario']} · structural ensemble, seed {data['seed']}"
    figures = _svgs_drawn(lambda folder: draw_ensemble(shares, caption, folder))
    largest = max(spread.itertuples(), key=lambda r: r.sd_structural)
    headline = (
        f"Across {len(names)} structural variants of {data['scenario']}, the share of "
        f"{OUTCOME_WORDS.get(largest.outcome, largest.outcome)} depends most on the modelling "
        f"choice: from {percent(largest.min)} to {percent(largest.max)} (pooled "
        f"{percent(largest.pooled)})."
    )
    return Brief(
        title=f"{data['scenario']}: structural ensemble",
        subtitle=f"{data['runs_per_variant']:,} parameter draws × {data['replicates']} per "
        f"variant, {len(names)} variants, seed {data['seed']}, common random numbers.",
        headline=headline,
        drivers=list(data.get("findings", [])),
        provenance=_provenance(manifest, ("seed", "versions", "git", "command", "files")),
        asked_tables=[variants],
        tables=[spread_table],
        figures=figures,
    )


# --------------------------------------------------------------------------- a run

#: Settings that make the SVG reproducible and its text selectable.
_SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "sim-report"}

_FATE_WORDS = {
    "no_force": "no force pledged",
    "not_deployed": "pledged, not deployed",
    "deployed_intact": "deployed, never attacked",
    "attacked": "deployed and attacked",
    "withdrawn": "withdrawn",
}


def _interval(entry: dict) -> str:
    low, high = entry["ci95"]
    return f"{100 * low:.1f}–{100 * high:.1f}%"


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict):
        flat: dict[str, Any] = {}
        for key, value in data.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: data}


def _shown(value: Any) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, float):
        return f"{value:,.6g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def scenario_differences(scenario: dict, reference: dict) -> list[tuple[str, str, str]]:
    """The settings in which ``scenario`` differs from ``reference`` (both as their
    JSON dicts): ``(dotted path, reference value, scenario value)``, in the scenario's
    order; a distribution is compared as a whole.  Name and description are left out."""
    ours = _flatten({k: v for k, v in scenario.items() if k not in ("name", "description")})
    theirs = _flatten({k: v for k, v in reference.items() if k not in ("name", "description")})

    # A distribution is one value: cut the path at its "dist" key.
    def grouped(flat: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for path, value in flat.items():
            head, _, leaf = path.rpartition(".")
            if head and any(p.startswith(head + ".dist") for p in flat):
                out.setdefault(head, {})[leaf] = value
            else:
                out[path] = value
        return out

    ours, theirs = grouped(ours), grouped(theirs)
    rows = []
    for path, value in ours.items():
        before = theirs.get(path, "(not set)")
        if before != value:
            # A seed is a label, not a quantity: no thousands separators.
            show = str if path.endswith(".seed") else _shown
            rows.append((path, show(before), show(value)))
    return rows


def _svg(figure: matplotlib.figure.Figure) -> str:
    """The figure as an inline ``<svg>`` element: text as text, fixed ids, no date."""
    buffer = io.StringIO()
    with matplotlib.rc_context(_SVG_RC):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return svg_element(style.stable_svg_ids(buffer.getvalue()))


def svg_element(text: str) -> str:
    """An SVG file's text as an element to inline in HTML."""
    text = text[text.index("<svg") :]  # no XML declaration or doctype inside HTML
    # matplotlib's RDF metadata names web addresses (never fetched); the brief has its own.
    return re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.DOTALL)


def _headline(summary: dict) -> str:
    runs = summary["runs"]
    ranked = sorted(
        (name for name in OUTCOMES if summary["outcomes"][name]["count"] > 0),
        key=lambda name: -summary["outcomes"][name]["probability"],
    )
    parts = [
        f"{OUTCOME_WORDS[name]} in {percent(summary['outcomes'][name]['probability'])} of "
        f"runs (95% interval {_interval(summary['outcomes'][name])})"
        for name in ranked[:3]
    ]
    text = f"Across {runs:,} runs, the most frequent outcome is " + parts[0]
    if len(parts) > 1:
        text += "; then " + "; ".join(parts[1:])
    return text + "."


def _table(summary: dict, key: str, names, words: dict[str, str]) -> list[list[str]]:
    rows = []
    for name in names:
        entry = summary[key].get(name)
        if entry is None:
            continue
        label = words.get(name, name.replace("_", " "))
        rows.append(
            [
                label[:1].upper() + label[1:],
                f"{entry['count']:,}",
                percent(entry["probability"]),
                _interval(entry),
            ]
        )
    return rows


def run_brief(saved, reference: dict | None = None, reference_name: str = ""):
    """The :class:`Brief` of a ``sim run`` result (:class:`sim.results.store.SavedResult`);
    ``reference``: a scenario (its JSON dict) to list the differences from."""
    from sim.present.plots import OUTCOME_LABELS, standard_figures

    manifest, summary = saved.manifest, saved.summary
    scenario = manifest["scenario"]
    figures = [
        {"description": description, "svg": _svg(figure)}
        for _, description, figure in standard_figures(saved)
    ]
    keys = ("seed", "runs", "horizon_days", "random_numbers", "versions", "git", "command",
            "scenario_sha256", "files")  # fmt: skip
    columns = ["runs", "share", "95% interval"]
    return Brief(
        title=f"{scenario['name']}: what the simulation says",
        subtitle=f"{summary['runs']:,} Monte Carlo runs of "
        f"{scenario['simulation']['horizon_days']} days, seed {manifest.get('seed')}.",
        headline=_headline(summary),
        provenance={key: manifest.get(key) for key in keys},
        description=scenario.get("description", ""),
        differences=scenario_differences(scenario, reference) if reference else None,
        reference_name=reference_name,
        scenarios_yaml=[("The scenario as run (YAML)", yaml.safe_dump(scenario, sort_keys=False))],
        tables=[
            Table(
                "Headline outcome of each run, with the 95% Wilson interval of its share",
                ["outcome", *columns],
                _table(summary, "outcomes", OUTCOMES, OUTCOME_LABELS),
            ),
            Table(
                "The peacekeeping force's fate",
                ["fate", *columns],
                _table(summary, "force_fate", FORCE_FATES, _FATE_WORDS),
            ),
        ],
        figures=figures,
    )
