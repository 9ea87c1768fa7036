"""Executed documentation: the README's Python examples and module docstrings run as written."""

from __future__ import annotations

import doctest
import importlib

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
