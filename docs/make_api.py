"""Build the API reference: HTML pages of sim's public modules, from their docstrings.

    python docs/make_api.py              # into docs/api/ (git-ignored)
    python docs/make_api.py OUT_DIR      # anywhere else

then open ``docs/api/index.html`` (or ``OUT_DIR/index.html``).  docs/api.md says
what is public.  The pages are made by pdoc (``pip install -e ".[test]"``) from the
numpydoc docstrings (``Parameters`` / ``Returns`` / ``Raises`` sections); the
modules are imported, nothing is run.  Only the modules below are documented: the
other modules of ``sim`` (the engine's internals, the figures, the dashboard, the
command line) are not imported.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

#: The modules whose ``__all__`` is the public API: every function and class named
#: there has a docstring with Parameters and Returns sections
#: (tests/test_api_reference.py checks it).
API_MODULES = (
    "sim",
    "sim.scenario.loader",
    "sim.scenario.overrides",
    "sim.experiments.runner",
    "sim.experiments.sweeps",
    "sim.experiments.comparison",
    "sim.experiments.ensemble",
    "sim.experiments.discovery",
    "sim.experiments.sensitivity",
    "sim.experiments.precision",
    "sim.results.store",
    "sim.results.summary",
    "sim.games",
)

#: The packages whose page is in the reference: their docstrings say what each layer
#: owns and what it may import.
PACKAGES = (
    "sim.scenario",
    "sim.engine",
    "sim.games",
    "sim.results",
    "sim.experiments",
    "sim.present",
)

#: Every page of the reference, in the order of its index.
REFERENCE = tuple(dict.fromkeys(("sim", *PACKAGES, *API_MODULES)))

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "api"

#: pdoc's module page, but a package's "Submodules" lists only the modules of the
#: reference: pdoc's own list imports every submodule (the dashboard among them) and
#: would link to pages that are not written.
MODULE_TEMPLATE = """
{% extends "default/module.html.jinja2" %}
{% block nav_submodules %}
    {% set prefix = module.modulename ~ "." %}
    {% set found = namespace(children=[]) %}
    {% for name, submodule in all_modules.items() %}
        {% if name.startswith(prefix) and "." not in name[prefix | length:] %}
            {% set found.children = found.children + [submodule] %}
        {% endif %}
    {% endfor %}
    {% if found.children %}
        <h2>Submodules</h2>
        <ul>
            {% for submodule in found.children %}
                <li>{{ submodule.taken_from | link(text=submodule.name) }}</li>
            {% endfor %}
        </ul>
    {% endif %}
{% endblock %}
"""


def build(output: Path) -> list[Path]:
    """Write the reference's HTML pages into ``output``; return the pages written.

    Parameters
    ----------
    output : pathlib.Path
        The folder to write into (created if missing; pages already there are
        overwritten).

    Returns
    -------
    list of pathlib.Path
        The HTML pages, ``index.html`` among them.
    """
    import pdoc
    import pdoc.render

    import sim

    # `sim` imports its exports on first use (PEP 562), and pdoc looks for the names of
    # __all__ in the module's namespace: put them there, in this process only.
    for name in sim.__all__:
        vars(sim).setdefault(name, getattr(sim, name))
    import jinja2

    pdoc.render.configure(docformat="numpy", footer_text="sim API reference")
    pdoc.render.env.loader = jinja2.ChoiceLoader(
        [jinja2.DictLoader({"module.html.jinja2": MODULE_TEMPLATE}), pdoc.render.env.loader]
    )
    # pdoc documents a package with all its submodules (walking the packages, not
    # importing their modules); a last "!PATTERN" drops every module not in REFERENCE.
    # `sim` and `sim.games` list their exports in __all__, which pdoc also takes as
    # the submodules to document: none.
    keep_only = "!(?!(?:" + "|".join(re.escape(name) for name in REFERENCE) + ")$)"
    output = Path(output)
    pdoc.pdoc("sim", *PACKAGES, keep_only, output_directory=output)
    missing = [
        name for name in REFERENCE if not (output / (name.replace(".", "/") + ".html")).is_file()
    ]
    if missing:  # a module of API_MODULES outside the packages walked above
        raise RuntimeError(f"no page was written for {', '.join(missing)}")
    return sorted(output.rglob("*.html"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "output",
        nargs="?",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"folder for the HTML pages (default: {DEFAULT_OUTPUT})",
    )
    args = parser.parse_args(argv)
    pages = build(args.output)
    print(f"{len(pages)} pages in {args.output}; open {args.output / 'index.html'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
