"""Executed documentation: the README's Python examples and module docstrings run as written;
the sources the documentation cites, and its links, resolve inside the repository."""

from __future__ import annotations

import doctest
import importlib
import os
import re
from pathlib import Path

import pytest

from tests.conftest import REPO


def test_readme_examples(monkeypatch):
    monkeypatch.chdir(REPO)  # the examples use paths relative to the repository
    result = doctest.testfile(
        str(REPO / "README.md"), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted >= 4
    assert result.failed == 0


@pytest.mark.parametrize("module", ["sim"])
def test_module_docstring_examples(module, monkeypatch):
    monkeypatch.chdir(REPO)
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted >= 1
    assert result.failed == 0


def test_readme_commands_are_the_ones_ci_runs():
    readme = (REPO / "README.md").read_text()
    assert "pip install -e . && sim run scenarios/troops_10000.yaml --runs 10000" in readme
    test_command = 'pip install -e ".[test]" && python -m pytest -q'
    assert test_command in readme
    assert "python -m pytest -q" in (REPO / ".ci" / "run").read_text()


# --- Sources: the repository carries its own register (docs/sources.md) -------------------------

SOURCES = REPO / "docs" / "sources.md"
# Written in two parts so that this file does not match itself.
OUTSIDE_REFERENCES = ("../" + "shared", "shared/" + "seeds", "DOMAIN" + ".md")
# Generated, cached or installed content is not part of the repository's text.
SKIP_DIRS = {
    ".git",
    ".venv",
    "venv",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    "build",
    "dist",
    "node_modules",
}
CITATION = re.compile(r"\[S(\d+)\]")
FENCED_CODE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`")
# [text](target), [![image](img.png)](target) and [[S0]](target): one level of nested brackets
MARKDOWN_LINK = re.compile(
    r"!?\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)"
)
EXPLICIT_ANCHOR = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.M)


def _repository_files(root: Path) -> list[Path]:
    """Every file under ``root`` except VCS data, caches, builds and generated run results."""
    files = []
    for directory, subdirs, names in os.walk(root):
        here = Path(directory)
        subdirs[:] = [
            d
            for d in subdirs
            if d not in SKIP_DIRS
            and not d.endswith(".egg-info")
            and not (here == root / "results")  # results/<scenario>/ is generated
            and not (here / d / "pyvenv.cfg").exists()  # a virtual environment
        ]
        files.extend(here / name for name in names)
    return files


def _outside_references(root: Path) -> list[str]:
    found = []
    for path in _repository_files(root):
        data = path.read_bytes()
        for ref in OUTSIDE_REFERENCES:
            if ref.encode() in data:
                found.append(f"{path.relative_to(root)}: {ref}")
    return found


def test_nothing_refers_outside_the_repository():
    """A clone has only the repository: facts are cited through docs/sources.md instead."""
    assert _outside_references(REPO) == []


def test_outside_reference_check_can_fail(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "x.md").write_text("see " + OUTSIDE_REFERENCES[1] + "/000.txt\n")
    (tmp_path / "results" / "run").mkdir(parents=True)
    (tmp_path / "results" / "run" / "y.md").write_text(OUTSIDE_REFERENCES[0] + "\n")
    assert _outside_references(tmp_path) == ["docs/x.md: " + OUTSIDE_REFERENCES[1]]


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = path.read_text()
    anchors = set(EXPLICIT_ANCHOR.findall(text))
    seen: dict[str, int] = {}
    for match in HEADING.finditer(FENCED_CODE.sub("", text)):
        slug = _slug(match.group(1))
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        anchors.add(slug if n == 0 else f"{slug}-{n}")
    return anchors


def _cited_files() -> list[Path]:
    return [
        REPO / "README.md",
        *sorted((REPO / "docs").glob("*.md")),
        *sorted((REPO / "scenarios").glob("*.yaml")),
        *sorted((REPO / "sim").rglob("*.py")),
    ]


def test_the_source_register_defines_the_reports():
    anchors = _anchors(SOURCES)
    assert {"s0", "s4"} <= anchors
    text = SOURCES.read_text()
    for n in (0, 4):
        # each report's section gives its outlet, date and headline, and the register quotes it
        section = text.split(f'<a id="s{n}"></a>', 1)[1].split("<a id=", 1)[0]
        for field in ("Outlet", "Date", "Headline"):
            assert f"| {field} |" in section, (n, field)
        assert f'| [S{n}] | "' in text, f"no quoted fact from [S{n}] in the register"


def test_every_cited_source_is_in_the_register():
    defined = {a for a in _anchors(SOURCES) if re.fullmatch(r"s\d+", a)}
    cited = {}
    for path in _cited_files():
        for n in CITATION.findall(path.read_text()):
            cited.setdefault(f"s{n}", path.relative_to(REPO).as_posix())
    assert cited, "no [S<n>] citation found: the pattern is broken"
    missing = {f"[S{a[1:]}]": where for a, where in cited.items() if a not in defined}
    assert missing == {}, f"cited but not defined in docs/sources.md: {missing}"


def _broken_links(path: Path, root: Path) -> list[str]:
    broken = []
    text = INLINE_CODE.sub("", FENCED_CODE.sub("", path.read_text()))
    for target in MARKDOWN_LINK.findall(text):
        if re.match(r"[a-zA-Z][a-zA-Z+.-]*:", target):  # http:, https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        if not dest.is_relative_to(root) or not dest.exists():
            broken.append(f"{path.name}: {target} (no such file in the repository)")
        elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
            broken.append(f"{path.name}: {target} (no such anchor)")
    return broken


def test_markdown_links_resolve_inside_the_repository():
    broken = []
    for path in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        broken += _broken_links(path, REPO)
    assert broken == []


def test_link_check_can_fail(tmp_path):
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "sources.md").write_text('<a id="s0"></a>\n\n## [S0] A report\n')
    (tmp_path / "elsewhere.md").write_text("outside the repository\n")
    readme = root / "README.md"
    readme.write_text(
        "[ok](docs/sources.md#s0) [ok](docs/sources.md#s0-a-report) [web](https://example.org)\n"
        "[gone](docs/missing.md) [[S4]](docs/sources.md#s4) [outside](../elsewhere.md)\n"
        "`[code](docs/missing.md)`\n"
    )
    assert _broken_links(readme, root) == [
        "README.md: docs/missing.md (no such file in the repository)",
        "README.md: docs/sources.md#s4 (no such anchor)",
        "README.md: ../elsewhere.md (no such file in the repository)",
    ]


def _scenario_keys(model=None, prefix: str = "") -> list[str]:
    """Every key a scenario file may hold, as a dotted path (a coalition state's keys
    under ``actors.coalition.states``; a distribution's own fields are not keys)."""
    import typing

    from pydantic import BaseModel

    from sim.scenario.schema import Scenario

    model = Scenario if model is None else model
    keys = []
    for name, field in model.model_fields.items():
        path = prefix + name
        keys.append(path)
        nested = [field.annotation, *typing.get_args(field.annotation)]
        nested += [u for t in list(nested) for u in typing.get_args(t)]
        for kind in nested:
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                if kind.__module__ == "sim.scenario.schema":
                    keys += _scenario_keys(kind, path + ".")
                break
    return keys


def _undocumented(keys: list[str], texts: list[str]) -> list[str]:
    """Keys named in none of ``texts``, by dotted path or by their last part, in backticks."""
    return [
        key
        for key in keys
        if not any(f"`{key}`" in t or f"`{key.rsplit('.', 1)[-1]}`" in t for t in texts)
    ]


def test_every_scenario_key_is_in_the_odd_description_or_the_model_document():
    """docs/ODD.md (ODD+D, Grimm et al. 2020; Müller et al. 2013) or docs/model.md names
    every key of a scenario file, and ODD.md has every element of the protocol."""
    odd = (REPO / "docs" / "ODD.md").read_text(encoding="utf-8")
    model = (REPO / "docs" / "model.md").read_text(encoding="utf-8")
    keys = _scenario_keys()
    assert len(keys) > 90  # the walk reached the whole schema
    assert _undocumented(keys, [odd, model]) == []
    for element in (
        "Purpose and patterns", "Entities, state variables and scales",
        "Process overview and scheduling", "Theoretical and empirical background",
        "Individual decision-making", "Learning", "Individual sensing",
        "Individual prediction", "Interaction", "Collectives", "Heterogeneity",
        "Stochasticity", "Observation", "Emergence, adaptation, objectives",
        "Implementation details", "Initialisation",
        "Input data", "Submodels",
    ):  # fmt: skip
        assert re.search(rf"^### .*{re.escape(element)}$", odd, re.MULTILINE), element


def test_the_key_coverage_check_can_fail():
    assert _undocumented(["actors.russia.made_up_key"], ["`resolve` and `audience_cost`"]) == [
        "actors.russia.made_up_key"
    ]
    assert _undocumented(["actors.russia.resolve"], ["`resolve`"]) == []
