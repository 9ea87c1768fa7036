"""What a ``sim compare`` directory holds besides its tables: each scenario as compared
(``scenarios/NAME.yaml``) and the manifest's provenance."""

from __future__ import annotations

from pathlib import Path

__all__ = ["as_run", "comparison_manifest", "write_compared_scenarios"]


def as_run(scenario, n_runs: int, seed: int) -> dict:
    """The scenario as a comparison runs it (its runs and seed are the comparison's)."""
    data = scenario.model_dump(mode="json")
    data["simulation"] = {**data["simulation"], "runs": int(n_runs), "seed": int(seed)}
    return data


def write_compared_scenarios(staging: Path, names, scenarios, n_runs: int, seed: int) -> None:
    """``scenarios/NAME.yaml``: each scenario as compared (the comparison's runs and seed)."""
    import yaml as _yaml

    (staging / "scenarios").mkdir(exist_ok=True)
    for name, scenario in zip(names, scenarios, strict=True):
        text = _yaml.safe_dump(as_run(scenario, n_runs, seed), sort_keys=False, allow_unicode=True)
        header = (
            f"# {name} as compared: {n_runs:,} runs, seed {seed} (common random "
            "numbers: one runs and seed for every scenario)\n"
        )
        (staging / "scenarios" / f"{name}.yaml").write_text(header + text, encoding="utf-8")


def comparison_manifest(
    kind: str,
    names: list[str],
    files: list[Path],
    hashes: list[str],
    scenarios: list,
    n_runs: int,
    seed: int,
    elapsed: float,
    workers: int | list[int],
    *,
    command: str,
) -> dict:
    """Provenance of a comparison, as complete as ``sim run``'s (``files``, the outputs
    with their hashes, is added by :func:`sim.results.store.write_manifest`).  ``hashes``: of
    the input files as they were read; ``workers``: the processes each scenario ran on;
    ``command``: the command line."""
    from sim.results.store import RANDOM_NUMBERS, _canonical_sha256, _git_commit, _versions

    inputs = []
    for name, file, digest, scenario in zip(names, files, hashes, scenarios, strict=True):
        inputs.append(
            {
                "name": name,
                "file": str(file),
                "file_sha256": digest,
                "scenario_sha256": _canonical_sha256(as_run(scenario, n_runs, seed)),
            }
        )
    return {
        "kind": kind,
        "scenarios": names,
        "inputs": inputs,
        "scenario_sha256_of": "the JSON of the scenario as run (scenarios/NAME.yaml) with "
        "sorted keys, no spaces, UTF-8",
        "runs": n_runs,
        "seed": seed,
        "random_numbers": RANDOM_NUMBERS,
        "versions": _versions(),
        "git": _git_commit(),
        "command": command,
        "workers": workers,
        "simulation_seconds": round(elapsed, 2),
    }
