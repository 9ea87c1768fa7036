"""Result directories: write a batch's tables, summary and manifest; read them back.

A result directory holds:

``runs.parquet``
    one row per Monte Carlo run: outcome, metrics, drawn parameters
    (``runs.csv`` as well with ``csv=True``);
``trajectory_quantiles.parquet``
    per day and daily variable: mean and 5/25/50/75/95% quantiles over runs;
``daily_states.parquet``
    one row per day (:func:`daily_states`), for variables whose quantiles mislead:

    * ``day`` -- 0-based day;
    * ``ceasefire_holding``, ``ceasefire_violated``, ``war``,
      ``peacekeepers_attacked``, ``nato_russia_clash`` -- share of runs at each
      level of the escalation ladder (:data:`sim.outcomes.ESCALATION_LEVELS`)
      that day; the five shares sum to 1;
    * ``force_in_place`` -- share of runs with a force deployed
      (``troops_deployed > 0``); ``runs_with_force`` -- their number;
    * ``troops_in_place_mean`` and ``troops_in_place_q05``, ``_q25``, ``_q50``,
      ``_q75``, ``_q95`` -- mean and quantiles of ``troops_deployed`` over the
      runs with a force in place that day (missing, NaN, when there are none);
``trajectories.parquet``
    (only with ``per_run_trajectories=True``) every run's daily values, long format;
``summary.json``
    outcome probabilities with 95% Wilson intervals, metric means and quantiles;
``manifest.json``
    the resolved scenario, seed, runs, package versions, command, start and end time;
``plots/``
    figures (written by :mod:`sim.plots`).

A directory is written under a temporary name next to its final place and
renamed only when complete (:func:`staged_directory`), so an interrupted run
never leaves a directory that looks finished.  The last file written is the
marker ``.sim-result`` (JSON: the names of every entry the run wrote).  An
existing directory is replaced only if it is empty, or carries that marker and
holds nothing but the entries the marker lists: a directory with anything of
the user's in it -- even next to a ``manifest.json`` -- is never replaced.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from sim.outcomes import ESCALATION_LEVELS
from sim.runner import CHUNK_RUNS, SimulationResult
from sim.summary import QUANTILES as QUANTILE_LEVELS
from sim.summary import summarise, trajectory_quantiles

__all__ = [
    "ResultDirectoryError",
    "SavedResult",
    "daily_states",
    "load_result",
    "staged_directory",
    "write_json",
    "write_result",
]

MANIFEST = "manifest.json"
SUMMARY = "summary.json"
RUNS = "runs.parquet"
QUANTILES = "trajectory_quantiles.parquet"
TRAJECTORIES = "trajectories.parquet"
DAILY_STATES = "daily_states.parquet"
MARKER = ".sim-result"

#: Days handled at once by :func:`daily_states` (bounds its temporary memory).
_DAY_BLOCK = 32


class ResultDirectoryError(Exception):
    """The output directory cannot be used (it exists and is not a result directory)."""


@dataclass(frozen=True)
class SavedResult:
    """A result directory read back: what :mod:`sim.plots` draws from."""

    path: Path
    runs: pd.DataFrame
    quantiles: pd.DataFrame
    summary: dict
    manifest: dict
    #: ``daily_states.parquet``; ``None`` for result directories written before it existed.
    daily_states: pd.DataFrame | None = None

    @property
    def scenario_name(self) -> str:
        return self.manifest["scenario"]["name"]


def _written_by_sim(directory: Path) -> bool:
    """The directory carries a completed run's marker and nothing the marker does not list."""
    try:
        listed = json.loads((directory / MARKER).read_text(encoding="utf-8"))["files"]
        present = {p.name for p in directory.iterdir()} - {MARKER}
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return isinstance(listed, list) and present <= set(map(str, listed))


def _check_replaceable(final: Path) -> None:
    if final.is_symlink() or (final.exists() and not final.is_dir()):
        raise ResultDirectoryError(f"{final}: exists and is not a directory")
    if final.is_dir() and any(final.iterdir()) and not _written_by_sim(final):
        raise ResultDirectoryError(
            f"{final}: exists and is not a result directory of a completed `sim run` (no "
            f"{MARKER} marker, or files sim did not write); nothing was replaced -- choose "
            "another --out or remove it"
        )


@contextlib.contextmanager
def staged_directory(final: Path) -> Iterator[Path]:
    """Yield a fresh temporary directory; on success, move it to ``final``.

    On any exception (including Ctrl-C) the temporary directory is removed and
    ``final`` is left as it was.
    """
    final = Path(final)
    _check_replaceable(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex[:8]
    staging = final.parent / f".{final.name}.incomplete-{token}"
    staging.mkdir()
    try:
        yield staging
        entries = sorted(p.name for p in staging.iterdir())
        write_json(staging / MARKER, {"sim_result": 1, "files": entries})
        _check_replaceable(final)
        if final.exists():
            old = final.parent / f".{final.name}.old-{token}"
            os.replace(final, old)
            os.replace(staging, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _versions() -> dict[str, str]:
    names = ("sim", "numpy", "scipy", "nashpy", "mesa", "pandas", "pyarrow", "pydantic")
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover - always installed
            versions[name] = "not installed"
    return versions


def _json_default(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def write_json(path: Path, data: dict) -> None:
    """Write ``data`` as indented UTF-8 JSON."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=_json_default)
    Path(path).write_text(text + "\n", encoding="utf-8")


def _masked_quantiles(sorted_values: np.ndarray, n_positive: np.ndarray) -> np.ndarray:
    """Quantiles of each row's positive values, from rows sorted in ascending order.

    In a row of ``runs`` values that are 0 or positive, sorted, the ``n``
    positive ones are the last ``n``; the quantiles use numpy's default
    ("linear") interpolation, so they equal ``np.quantile`` of those values.
    Rows with no positive value give NaN.  Returns shape (len(QUANTILE_LEVELS), rows).
    """
    rows, runs = sorted_values.shape
    n = n_positive.astype(np.int64)
    out = np.full((len(QUANTILE_LEVELS), rows), np.nan)
    has = n > 0
    if not has.any():
        return out
    row = np.flatnonzero(has)
    n = n[has]
    first = runs - n
    for i, q in enumerate(QUANTILE_LEVELS):
        h = q * (n - 1)
        lo = np.floor(h).astype(np.int64)
        hi = np.minimum(lo + 1, n - 1)
        x_lo = sorted_values[row, first + lo].astype(np.float64)
        x_hi = sorted_values[row, first + hi].astype(np.float64)
        out[i, row] = x_lo + (h - lo) * (x_hi - x_lo)
    return out


def daily_states(trajectories: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per day: share of runs at each escalation level, and where a force is in place.

    Columns are described in the module docstring.  Escalation shares are
    counted level by level (``np.count_nonzero`` over runs); troops are
    sorted a block of days at a time (a float32 copy of that block only), so
    365 days x 100,000 runs needs a few tens of MB beyond the trajectories.
    """
    escalation = trajectories["escalation_level"]
    troops = trajectories["troops_deployed"]
    days, runs = escalation.shape
    frame = pd.DataFrame({"day": np.arange(days)})
    counted = np.zeros(days, dtype=np.int64)
    for name, level in ESCALATION_LEVELS.items():
        count = np.count_nonzero(escalation == level, axis=1)
        frame[name] = count / runs
        counted += count
    if not np.all(counted == runs):
        raise ValueError("escalation_level holds values outside the escalation ladder")

    with_force = np.empty(days, dtype=np.int64)
    total = np.empty(days, dtype=np.float64)
    quantiles = np.empty((len(QUANTILE_LEVELS), days))
    for start in range(0, days, _DAY_BLOCK):
        block = slice(start, min(start + _DAY_BLOCK, days))
        values = np.sort(np.asarray(troops[block], dtype=np.float32), axis=1)
        # A force is in place where troops_deployed > 0; anything else counts as none.
        np.maximum(values, 0, out=values)
        with_force[block] = np.count_nonzero(values > 0, axis=1)
        total[block] = values.sum(axis=1, dtype=np.float64)
        quantiles[:, block] = _masked_quantiles(values, with_force[block])
    frame["force_in_place"] = with_force / runs
    frame["runs_with_force"] = with_force
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["troops_in_place_mean"] = np.where(with_force > 0, total / with_force, np.nan)
    for q, row in zip(QUANTILE_LEVELS, quantiles, strict=True):
        frame[f"troops_in_place_q{round(q * 100):02d}"] = row
    return frame


def write_result(
    result: SimulationResult,
    directory: Path,
    *,
    run_info: dict,
    csv: bool = False,
    per_run_trajectories: bool = False,
) -> dict:
    """Write tables, ``summary.json`` and ``manifest.json`` into ``directory``.

    ``run_info`` is added to the manifest (command, workers, start and end
    time, elapsed seconds...).  Returns the summary.
    """
    directory = Path(directory)
    result.runs.to_parquet(directory / RUNS, index=False)
    if csv:
        result.runs.to_csv(directory / "runs.csv", index=False)
    trajectory_quantiles(result.trajectories).to_parquet(directory / QUANTILES, index=False)
    daily_states(result.trajectories).to_parquet(directory / DAILY_STATES, index=False)
    if per_run_trajectories:
        days, n_runs = next(iter(result.trajectories.values())).shape
        frame = pd.DataFrame(
            {
                "run": np.tile(np.arange(n_runs), days),
                "day": np.repeat(np.arange(days), n_runs),
            }
        )
        for name, values in result.trajectories.items():
            frame[name] = values.reshape(-1)
        frame.to_parquet(directory / TRAJECTORIES, index=False)
    summary = {"scenario": result.scenario.name, **summarise(result.runs)}
    write_json(directory / SUMMARY, summary)
    manifest = {
        "scenario": result.scenario.model_dump(mode="json"),
        "seed": result.seed,
        "runs": result.n_runs,
        "chunk_runs": CHUNK_RUNS,
        "versions": _versions(),
        "files": [*sorted(p.name for p in directory.iterdir()), MANIFEST],
        **run_info,
    }
    write_json(directory / MANIFEST, manifest)
    return summary


def load_result(directory: Path) -> SavedResult:
    """Read a result directory written by :func:`write_result`."""
    directory = Path(directory)
    if not (directory / MANIFEST).is_file():
        raise ResultDirectoryError(f"{directory}: not a result directory (no {MANIFEST})")
    states = directory / DAILY_STATES
    return SavedResult(
        path=directory,
        runs=pd.read_parquet(directory / RUNS),
        quantiles=pd.read_parquet(directory / QUANTILES),
        summary=json.loads((directory / SUMMARY).read_text(encoding="utf-8")),
        manifest=json.loads((directory / MANIFEST).read_text(encoding="utf-8")),
        daily_states=pd.read_parquet(states) if states.is_file() else None,
    )
