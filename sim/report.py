"""One self-contained HTML brief of a ``sim run`` result directory (``sim report``).

The page holds what was asked (the scenario as run and, in words, how it
differs from a reference scenario), the headline answer with its 95%
intervals, the outcome tables, the standard figures as inline SVG with real
text (:func:`sim.plots.standard_figures`), the caveats, and the provenance
(seed, runs, versions, commit, every file's SHA-256, also as a JSON block).

Offline by construction: no script, no stylesheet, font or image is fetched
(the CSS is inline, the figures are inline SVG).  Reproducible byte for byte:
the SVG ids come from a fixed hash salt, no figure carries a date, and nothing
on the page depends on the clock or on where it was written.  The template is
``sim/templates/brief.html.j2`` (Jinja2, autoescaped).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import matplotlib
import yaml

from sim.briefs import OUTCOME_WORDS
from sim.outcomes import FORCE_FATES, OUTCOMES

__all__ = [
    "MARK",
    "render_brief",
    "render_report",
    "run_brief",
    "scenario_differences",
    "svg_element",
]

#: The generator mark of a report: a file with it may be replaced by a new report.
MARK = '<meta name="generator" content="sim report">'

#: Settings that make the SVG reproducible and its text selectable.
_SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "sim-report"}

_FATE_WORDS = {
    "no_force": "no force pledged",
    "not_deployed": "pledged, not deployed",
    "deployed_intact": "deployed, never attacked",
    "attacked": "deployed and attacked",
    "withdrawn": "withdrawn",
}


def _percent(p: float) -> str:
    return f"{100 * p:.1f}%"


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
    return svg_element(buffer.getvalue())


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
        f"{OUTCOME_WORDS[name]} in {_percent(summary['outcomes'][name]['probability'])} of "
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
                _percent(entry["probability"]),
                _interval(entry),
            ]
        )
    return rows


def run_brief(saved, reference: dict | None = None, reference_name: str = ""):
    """The :class:`sim.briefs.Brief` of a ``sim run`` result (:class:`sim.results.SavedResult`);
    ``reference``: a scenario (its JSON dict) to list the differences from."""
    from sim.briefs import Brief, Table
    from sim.plots import OUTCOME_LABELS, standard_figures

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


def render_report(saved, reference: dict | None = None, reference_name: str = "") -> str:
    """The HTML brief of a ``sim run`` result (:func:`run_brief`)."""
    return render_brief(run_brief(saved, reference, reference_name))


def render_brief(brief) -> str:
    """One self-contained HTML page of ``brief`` (:class:`sim.briefs.Brief`)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    environment = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    template = environment.get_template("brief.html.j2")
    html = template.render(
        mark=MARK,
        brief=brief,
        git=brief.provenance.get("git") or {},
        provenance_json=json.dumps(
            brief.provenance, indent=2, sort_keys=True, ensure_ascii=False, default=str
        ),
    )
    # One trailing newline, no trailing spaces: the same bytes whatever the template's
    # whitespace.
    return re.sub(r"[ \t]+\n", "\n", html).strip("\n") + "\n"
