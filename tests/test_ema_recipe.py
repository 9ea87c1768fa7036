"""The EMA Workbench recipe of docs/sweeps.md runs as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from .conftest import REPO

MARKER = "<!-- ema-recipe -->"


def _recipe() -> str:
    text = (REPO / "docs" / "sweeps.md").read_text(encoding="utf-8")
    after = text.split(MARKER, 1)[1]
    return re.search(r"```python\n(.*?)```", after, re.S).group(1)


def test_the_ema_workbench_recipe_runs_and_returns_sims_probabilities(tmp_path: Path):
    code = _recipe().replace('"scenarios/', f'"{(REPO / "scenarios").as_posix()}/')
    code += (
        "\nimport json\n"
        "print(json.dumps({'n': len(experiments), 'durable': list(map(float, "
        "outcomes['durable'])), 'troops': [int(t) for t in experiments['troops']], "
        "'credibility': [float(c) for c in experiments['credibility']]}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300
    )
    assert result.returncode == 0, result.stderr
    import json

    import sim

    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["n"] == 8
    # Each experiment's outcome is sim.evaluate's for its values.
    base = sim.load_scenario(REPO / "scenarios" / "combined.yaml")
    values = {
        "levers.troops_pledged": data["troops"][0],
        "levers.sanctions_credibility": data["credibility"][0],
    }
    expected = sim.evaluate(base, values, runs=200, seed=1)["durable_ceasefire"]
    assert data["durable"][0] == expected
    assert len(set(data["durable"])) > 1
