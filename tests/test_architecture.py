"""The package's layers (docs/architecture.md): each imports only the layers below it,
no module cycle inside a package, and the provenance that depends on where files sit."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    """`lint-imports` (import-linter, configured in pyproject.toml) keeps every contract."""
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    done = subprocess.run(
        [lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert re.search(r"Contracts: (\d+) kept, 0 broken", done.stdout)


def test_manifest_names_the_commit_of_a_checkout():
    """The manifest's ``git`` entry finds the checkout from the package's own location."""
    from sim.results.store import _git_commit

    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    commit = _git_commit()
    assert re.fullmatch(r"[0-9a-f]{40}", commit["commit"] or ""), commit


def test_the_documented_graph_is_the_code_s():
    """docs/architecture.md's graph is what docs/make_architecture.py generates now."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "make_architecture.py"), "--check"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_graph_check_can_fail(tmp_path, monkeypatch):
    """A graph edited by hand (or left stale) is caught."""
    import runpy

    namespace = runpy.run_path(str(ROOT / "docs" / "make_architecture.py"), run_name="docs")
    stale = tmp_path / "architecture.md"
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    stale.write_text(text.replace("-->|", "-->|1", 1), encoding="utf-8")
    namespace["main"].__globals__["DOC"] = stale
    assert namespace["main"](["--check"]) == 1
    assert namespace["main"]([]) == 0  # rewrites it
    assert stale.read_text(encoding="utf-8") == text


def test_every_command_module_is_short():
    """One module per command, none over 300 lines (issue #22)."""
    long = {
        path.name: n
        for path in (ROOT / "sim" / "cli").glob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 300
    }
    assert not long
