"""One self-contained HTML brief of a ``sim run`` result directory (``sim report``).

The page holds what was asked (the scenario as run and, in words, how it
differs from a reference scenario), the headline answer with its 95%
intervals, the outcome tables, the standard figures as inline SVG with real
text (:func:`sim.present.plots.standard_figures`), the caveats, and the provenance
(seed, runs, versions, commit, every file's SHA-256, also as a JSON block).

Offline by construction: no script, no stylesheet, font or image is fetched
(the CSS is inline, the figures are inline SVG).  Reproducible byte for byte:
the SVG ids come from a fixed hash salt, no figure carries a date, and nothing
on the page depends on the clock or on where it was written.  The template is
``sim/present/templates/brief.html.j2`` (Jinja2, autoescaped).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from sim.present.briefs import Brief, run_brief

__all__ = ["MARK", "render_brief", "render_report"]

#: The generator mark of a report: a file with it may be replaced by a new report.
MARK = '<meta name="generator" content="sim report">'


def render_report(saved, reference: dict | None = None, reference_name: str = "") -> str:
    """The HTML brief of a ``sim run`` result (:func:`sim.present.briefs.run_brief`)."""
    return render_brief(run_brief(saved, reference, reference_name))


def render_brief(brief: Brief) -> str:
    """One self-contained HTML page of ``brief`` (:class:`sim.present.briefs.Brief`)."""
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
