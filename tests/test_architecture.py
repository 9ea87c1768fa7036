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
