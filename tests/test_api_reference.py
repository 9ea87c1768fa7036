"""The API reference (docs/api.md): pdoc builds it from the docstrings, and every public
function and class documents its parameters and what it returns (numpydoc sections)."""

from __future__ import annotations

import importlib
import inspect
import re
import runpy
import subprocess
import sys

import pytest

from tests.conftest import REPO

MAKE_API = REPO / "docs" / "make_api.py"
# Read without importing (no bytecode is written into the repository).
API = runpy.run_path(str(MAKE_API), run_name="make_api")

#: Public classes whose docstring need not list their constructor's parameters, and why.
EXEMPT = {
    # Its docstring is the description of the JSON Schema `sim schema` prints (pydantic
    # takes it), and its fields are the scenario file's keys, each described in that
    # schema and in docs/scenarios.md; users get one from sim.load_scenario.
    "sim.scenario.schema.Scenario",
}

#: A numpydoc section heading: a capitalised line underlined with dashes.
SECTION = re.compile(r"^([A-Z][A-Za-z ]+)\n-{3,}\n", re.MULTILINE)


# ------------------------------------------------------------------ (a) the reference builds


def test_the_reference_builds_from_the_public_modules_only(tmp_path):
    out = tmp_path / "api"
    # As `python docs/make_api.py OUT` runs, then: which modules did building import?
    script = (
        "import runpy, sys\n"
        f"sys.argv = [{str(MAKE_API)!r}, {str(out)!r}]\n"
        "try:\n"
        f"    runpy.run_path({str(MAKE_API)!r}, run_name='__main__')\n"
        "except SystemExit as end:\n"
        "    assert not end.code, end.code\n"
        "print(*sorted(m for m in sys.modules if m == 'sim' or m.startswith('sim.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=600
    )
    assert result.returncode == 0, result.stderr
    imported = set(result.stdout.split())
    # Nothing heavy or outside the reference: no dashboard, figures or command line.
    assert "sim.experiments.runner" in imported
    assert not {m for m in imported if m.startswith(("sim.cli", "sim.present."))}

    pages = {p.relative_to(out).as_posix() for p in out.rglob("*.html")}
    expected = {name.replace(".", "/") + ".html" for name in API["REFERENCE"]}
    assert pages == expected | {"index.html"}

    top = (out / "sim.html").read_text(encoding="utf-8")
    runner = (out / "sim" / "experiments" / "runner.html").read_text(encoding="utf-8")
    for page in (top, runner):
        assert 'id="simulate"' in page
        assert '<h6 id="parameters">Parameters</h6>' in page
        assert '<h6 id="returns">Returns</h6>' in page
    # The lazy exports of `sim` (PEP 562) are documented on its page.
    for name in ("load_scenario", "run", "sweep", "compare", "Scenario", "SimError"):
        assert f'id="{name}"' in top, name
    assert "index.html" in pages and (out / "search.js").is_file()


# ------------------------------------------------------------------ (b) the docstrings


def _public_objects() -> dict[str, object]:
    """Every function and class named in the ``__all__`` of the API modules, and the
    public methods and properties those classes define, by a public name."""
    found: dict[int, tuple[str, object]] = {}
    for module_name in API["API_MODULES"]:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue  # a constant
            found.setdefault(id(obj), (f"{module_name}.{name}", obj))
            if inspect.isclass(obj):
                for attribute, member in vars(obj).items():
                    if isinstance(member, staticmethod | classmethod):
                        member = member.__func__
                    if attribute.startswith("_") or not (
                        inspect.isfunction(member) or isinstance(member, property)
                    ):
                        continue
                    found.setdefault(id(member), (f"{module_name}.{name}.{attribute}", member))
    return dict(sorted(found.values()))


def _sections(doc: str) -> dict[str, str]:
    """A docstring's numpydoc sections: heading -> its text."""
    parts = SECTION.split(inspect.cleandoc(doc))
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def _entry_names(section: str) -> set[str]:
    """The names a Parameters or Attributes section describes (``a, b : int`` names two;
    ``**options`` names ``options``)."""
    names = set()
    for line in section.splitlines():
        if line and not line[0].isspace():
            for name in line.split(" : ", 1)[0].split(","):
                names.add(name.strip().lstrip("*"))
    return names


def _docstring(obj: object) -> str:
    """``obj``'s own docstring ('' if it has none: not a base class's, nor the signature
    that ``dataclasses`` writes for a class without one)."""
    if isinstance(obj, property):
        obj = obj.fget
    doc = obj.__doc__ or ""
    if inspect.isclass(obj) and ("__doc__" not in vars(obj) or doc.startswith(f"{obj.__name__}(")):
        return ""
    return doc.strip()


def _parameters(obj: object) -> list[str]:
    """What a caller passes: the signature's parameters (a class's: its constructor's;
    an exception that keeps the built-in constructor takes just its message)."""
    if inspect.isclass(obj) and issubclass(obj, BaseException) and "__init__" not in vars(obj):
        return []
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):  # a built-in's
        return []
    return [name for name in signature.parameters if name not in ("self", "cls")]


def _returns_something(function) -> bool:
    """Unless annotated ``-> None``, a function returns something (annotations are text
    under ``from __future__ import annotations``)."""
    annotation = inspect.signature(function).return_annotation
    return annotation not in (None, "None")


def _problems(obj: object) -> list[str]:
    """What ``obj``'s docstring lacks."""
    doc = _docstring(obj)
    if not doc:
        return ["no docstring"]
    if isinstance(obj, property):
        return []  # read as an attribute: its docstring says what it holds
    sections = _sections(doc)
    problems = []
    cls = inspect.isclass(obj)
    parameters = (
        [] if cls and f"{obj.__module__}.{obj.__qualname__}" in EXEMPT else _parameters(obj)
    )
    if parameters:
        # A class may describe what its constructor takes as the attributes it keeps
        # (a dataclass's fields are both).
        heading = "Attributes" if cls and "Parameters" not in sections else "Parameters"
        if heading not in sections:
            problems.append("no Parameters section")
        else:
            missing = [p for p in parameters if p not in _entry_names(sections[heading])]
            if missing:
                problems.append(f"{heading} section does not describe {', '.join(missing)}")
    if not cls and _returns_something(obj):
        # A generator (a context manager's) yields rather than returns.
        heading = "Yields" if inspect.isgeneratorfunction(inspect.unwrap(obj)) else "Returns"
        if heading not in sections:
            problems.append(f"no {heading} section")
    return problems


def test_every_public_function_and_class_documents_its_parameters_and_returns():
    public = _public_objects()
    assert len(public) > 90  # the walk reached every module's __all__ and the methods
    for name in ("sim.simulate", "sim.Scenario", "sim.results.store.RunsWriter.write"):
        assert name in public, name
    problems = {name: p for name, obj in public.items() if (p := _problems(obj))}
    assert problems == {}


def test_the_docstring_check_can_fail():
    def undocumented(a, b=1):
        return a + b

    def no_returns(scenario: str, *, runs: int = 1) -> dict:
        """Something.

        Parameters
        ----------
        scenario : str
            A scenario.
        """

    def complete(x: int, **options) -> None:
        """Something.

        Parameters
        ----------
        x : int
            A number.
        **options
            Passed on.
        """

    class Result:
        """A result.

        Attributes
        ----------
        runs : int
            Runs.
        """

        def __init__(self, runs: int, seed: int) -> None:
            self.runs, self.seed = runs, seed

    class Failure(ValueError):
        """A failure."""

    assert _problems(undocumented) == ["no docstring"]
    assert _problems(no_returns) == [
        "Parameters section does not describe runs",
        "no Returns section",
    ]
    assert _problems(complete) == []
    assert _problems(Result) == ["Attributes section does not describe seed"]
    assert _problems(Failure) == []
    assert _problems(property(lambda self: 1)) == ["no docstring"]


@pytest.mark.parametrize("module", ["sim", *API["PACKAGES"], *API["API_MODULES"]])
def test_every_module_of_the_reference_has_a_docstring(module):
    assert (importlib.import_module(module).__doc__ or "").strip()
