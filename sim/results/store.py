"""Result directories: write a batch's tables, summary and manifest; read them back.

A result directory holds:

``runs.parquet``
    one row per Monte Carlo run: outcome, metrics, drawn parameters;
``trajectory_quantiles.parquet``
    per day and daily variable: mean and 5/25/50/75/95% quantiles over runs;
``daily_states.parquet``
    one row per day (:func:`daily_states`), for variables whose quantiles mislead:

    * ``day`` -- 0-based day;
    * ``ceasefire_holding``, ``ceasefire_violated``, ``war``,
      ``peacekeepers_attacked``, ``nato_russia_clash`` -- share of runs at each
      level of the escalation ladder (:data:`sim.engine.outcomes.ESCALATION_LEVELS`)
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
``scenario.yaml``
    the scenario exactly as run (after ``extends:``, with the batch's runs and
    seed): ``sim run scenario.yaml`` repeats the batch bit for bit;
``manifest.json``
    provenance (:func:`write_manifest`): that scenario and its SHA-256, seed,
    runs, package versions and git commit, command, start and end time, and
    every file written with its size and SHA-256;
``plots/``
    figures (written by :mod:`sim.present.plots`).

With ``csv=True`` every Parquet table also gets a CSV copy of the same values next
to it (``runs.csv``, ``trajectory_quantiles.csv``, ``daily_states.csv``,
``trajectories.csv``: :func:`write_table`).

Missing values (a day that never came, a reason that does not apply) are
null in the Parquet files, empty cells in the CSV copies and ``NaN`` when read
with pandas, in every table.

A directory is written under a temporary name next to its final place,
``.NAME.incomplete-HOST-PID-TOKEN``, and renamed only when complete
(:func:`staged_directory`), so an interrupted run never leaves a directory
that looks finished; staging directories left by a process that no longer
runs (killed by SIGKILL, say) are removed by the next run into the same
place.  The last file written is the marker ``.sim-result`` (JSON: the
names of every entry the run wrote).  An existing directory is replaced only
if it is empty, or carries that marker and holds nothing but the entries the
marker lists: a directory with anything of the user's in it -- even next to
a ``manifest.json`` -- is never replaced.  :func:`load_result` reads only
such directories and checks every file it reads.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.engine.daily import QUANTILES as QUANTILE_LEVELS
from sim.engine.daily import DailyCounts
from sim.engine.outcomes import ESCALATION_LEVELS
from sim.errors import SimError
from sim.results.batch import SimulationResult
from sim.results.summary import summarise

__all__ = [
    "ResultDirectoryError",
    "RunsWriter",
    "SavedResult",
    "daily_states",
    "load_result",
    "replace_folder",
    "replace_plots",
    "scenario_as_run",
    "staged_directory",
    "write_json",
    "write_manifest",
    "write_result",
    "write_table",
]

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
SUMMARY = "summary.json"
RUNS = "runs.parquet"
#: Rows per Parquet row group of runs.parquet (independent of the chunk width).
ROW_GROUP_RUNS = 10_000
QUANTILES = "trajectory_quantiles.parquet"
TRAJECTORIES = "trajectories.parquet"
DAILY_STATES = "daily_states.parquet"
SCENARIO = "scenario.yaml"
PLOTS = "plots"
MARKER = ".sim-result"
MANIFEST_VERSION = 2

#: Hidden names of directories being written (``.NAME.incomplete-HOST-PID-TOKEN``) or
#: being replaced (``.NAME.old-HOST-PID-TOKEN``).
_PARTIAL = re.compile(r"^\..+\.partial-[0-9a-f]{8}$")
_STAGING = re.compile(
    r"^\.(?P<name>.+)\.(?P<kind>incomplete|old)-(?P<host>.*)-(?P<pid>\d+)-[0-9a-f]{8}$"
)


class ResultDirectoryError(SimError):
    """A directory cannot be used or read as a result directory; the message is one line."""


@dataclass(frozen=True)
class SavedResult:
    """A result directory read back: what :mod:`sim.present.plots` draws from.

    Returned by :func:`load_result` and :func:`write_result`.

    Attributes
    ----------
    path : pathlib.Path
        The result directory.
    runs : pandas.DataFrame
        ``runs.parquet``: one row per run.
    quantiles : pandas.DataFrame
        ``trajectory_quantiles.parquet``: per daily variable and day, the mean
        and quantiles over runs.
    summary : dict
        ``summary.json``.
    manifest : dict
        ``manifest.json``.
    daily_states : pandas.DataFrame
        ``daily_states.parquet`` (:func:`daily_states`).
    """

    path: Path
    runs: pd.DataFrame
    quantiles: pd.DataFrame
    summary: dict
    manifest: dict
    #: ``daily_states.parquet`` (:func:`daily_states`).
    daily_states: pd.DataFrame

    @property
    def scenario_name(self) -> str:
        """The name of the scenario that was run (from the manifest)."""
        return self.manifest["scenario"]["name"]


def _ours(name: str) -> bool:
    """A hidden name this module gives to what it is writing (left by a killed process)."""
    return bool(_STAGING.match(name) or _PARTIAL.match(name))


def _written_by_sim(directory: Path) -> bool:
    """The directory carries a completed run's marker and nothing the marker does not list
    (apart from this module's own leftovers: figures or JSON being written when killed)."""
    try:
        listed = json.loads((directory / MARKER).read_text(encoding="utf-8"))["files"]
        present = {p.name for p in directory.iterdir()} - {MARKER}
    except (OSError, ValueError, KeyError, TypeError):
        return False
    present = {name for name in present if not _ours(name)}
    return isinstance(listed, list) and present <= set(map(str, listed))


def _check_replaceable(final: Path) -> None:
    if final.is_symlink():
        raise ResultDirectoryError(f"{final}: is a symbolic link; give the directory itself")
    if final.exists() and not final.is_dir():
        raise ResultDirectoryError(f"{final}: exists and is not a directory")
    if final.is_dir() and any(final.iterdir()) and not _written_by_sim(final):
        raise ResultDirectoryError(
            f"{final}: exists and is not a result directory of a completed `sim run` (no "
            f"{MARKER} marker, or files sim did not write); nothing was replaced -- choose "
            "another --out or remove it"
        )


def check_replaceable(final: Path) -> None:
    """Raise :class:`ResultDirectoryError` now if ``final`` could not be replaced by a
    result (a file, a symbolic link, a directory holding anything sim did not write)."""
    _check_replaceable(Path(final))


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9_.]", "_", socket.gethostname())[:64] or "host"


def process_alive(pid: int) -> bool:
    """A process with this PID exists (somebody else's counts; a reaped one does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale(final: Path) -> None:
    """Remove staging directories for ``final`` whose writer no longer runs on this host."""
    host = _host()
    try:
        entries = list(final.parent.iterdir())
    except OSError:
        return
    for entry in entries:
        match = _STAGING.match(entry.name)
        if (
            match is None
            or match["name"] != final.name
            or match["host"] != host
            or entry.is_symlink()
            or not entry.is_dir()
            or process_alive(int(match["pid"]))
        ):
            continue
        if match["kind"] == "old" and not final.exists() and not final.is_symlink():
            # Killed between its two renames: the previous result goes back in place.
            os.replace(entry, final)
            logger.info("%s: put back the previous result left by a killed run", final)
            continue
        shutil.rmtree(entry, ignore_errors=True)
        logger.info("removed %s, left by a run that did not finish", entry)


def _staging_name(final: Path, kind: str, token: str) -> Path:
    return final.parent / f".{final.name}.{kind}-{_host()}-{os.getpid()}-{token}"


@contextlib.contextmanager
def staged_directory(final: Path) -> Iterator[Path]:
    """Yield a fresh temporary directory; on success, move it to ``final``.

    On any exception (including Ctrl-C) the temporary directory is removed and
    ``final`` is left as it was.  Use in a ``with`` statement; the marker
    ``.sim-result`` listing what was written is added before the move.

    Parameters
    ----------
    final : pathlib.Path
        Where the result directory goes: a new path, an empty directory or a
        result directory of a completed run (replaced).

    Yields
    ------
    pathlib.Path
        The temporary directory, next to ``final``, to write into.

    Raises
    ------
    ResultDirectoryError
        If ``final`` may not be replaced or its parent cannot hold a new
        directory.
    """
    final = Path(os.path.abspath(final))
    if not final.name:
        raise ResultDirectoryError(f"{final}: cannot write results to the root directory")
    _check_replaceable(final)
    for parent in final.parents:
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                raise ResultDirectoryError(f"{final}: {parent} is not a directory")
            break
    token = uuid.uuid4().hex[:8]
    staging = _staging_name(final, "incomplete", token)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(final)
        staging.mkdir()
    except OSError as error:
        raise ResultDirectoryError(
            f"{final}: cannot create the result directory ({_os_reason(error)})"
        ) from None
    logger.info("staging the result in %s", staging)
    try:
        yield staging
        entries = sorted(p.name for p in staging.iterdir())
        write_json(staging / MARKER, {"sim_result": 1, "files": entries})
        _check_replaceable(final)
        replaced = final.exists()
        _swap_in(staging, final, _staging_name(final, "old", token))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        logger.debug("removed the staging directory %s", staging)
        raise
    logger.info(
        "%s: %s (%d entr%s)",
        final, "replaced the previous result" if replaced else "moved into place",
        len(entries), "y" if len(entries) == 1 else "ies",
    )  # fmt: skip


def _swap_in(new: Path, final: Path, old: Path) -> None:
    """Put ``new`` at ``final``; a previous ``final`` is kept at ``old`` until then.

    Stop signals are held back for the two renames, and if the second fails the
    previous ``final`` is put back: an interruption never leaves no result.
    """
    mask = getattr(signal, "pthread_sigmask", None)  # POSIX only
    held = {signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)}
    blocked = mask(signal.SIG_BLOCK, held) if mask is not None else None
    try:
        if final.exists():
            os.replace(final, old)
            try:
                os.replace(new, final)
            except BaseException:
                os.replace(old, final)
                raise
        else:
            os.replace(new, final)
    finally:
        if mask is not None:
            mask(signal.SIG_SETMASK, blocked)
    shutil.rmtree(old, ignore_errors=True)


def _os_reason(error: OSError) -> str:
    reason = error.strerror or type(error).__name__
    return f"{reason}: {error.filename}" if error.filename else reason


def _versions() -> dict[str, str]:
    # Every package whose version can change a number, a table or a figure.
    names = (
        "sim", "numpy", "numba", "scipy", "nashpy", "mesa", "pandas", "pyarrow", "pydantic",
        "PyYAML", "SALib", "matplotlib", "dask", "distributed",
    )  # fmt: skip
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
    """Write ``data`` as indented UTF-8 JSON (under a temporary name, then renamed).

    Parameters
    ----------
    path : pathlib.Path
        The file to write (replaced if it exists).
    data : dict
        JSON data; NumPy scalars and paths are written as numbers and text.
    """
    path = Path(path)
    text = json.dumps(data, indent=2, ensure_ascii=False, default=_json_default)
    partial = path.with_name(f".{path.name}.partial-{uuid.uuid4().hex[:8]}")
    try:
        partial.write_text(text + "\n", encoding="utf-8")
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _canonical_sha256(data: dict) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _git_commit() -> dict:
    """The git commit of the installed package's checkout, when it is one."""
    root = Path(__file__).resolve().parents[2]  # sim/results/store.py -> the checkout
    if not (root / ".git").exists():
        return {"commit": None, "dirty": None}
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": head or None, "dirty": bool(status)}


def _files(directory: Path) -> list[dict]:
    """Every regular file below ``directory`` except the manifest and marker: path, size, hash."""
    entries = []
    for path in sorted(directory.rglob("*")):
        if not path.is_file() or path.name in (MANIFEST, MARKER):
            continue
        if any(part.startswith(".") for part in path.relative_to(directory).parts):
            continue  # the marker, or a partial write of our own
        entries.append(
            {
                "path": path.relative_to(directory).as_posix(),
                "bytes": path.stat().st_size,
                "sha256": _sha256(path),
            }
        )
    return entries


def scenario_as_run(result: SimulationResult) -> dict:
    """The resolved scenario with the batch's runs and seed: what ``sim run`` repeats.

    Parameters
    ----------
    result : SimulationResult
        A batch.

    Returns
    -------
    dict
        The scenario as JSON data, with ``simulation.runs`` and
        ``simulation.seed`` those of the batch.
    """
    scenario = result.scenario
    simulation = scenario.simulation.model_copy(update={"runs": result.n_runs, "seed": result.seed})
    return scenario.model_copy(update={"simulation": simulation}).model_dump(mode="json")


def write_manifest(directory: Path, manifest: dict) -> dict:
    """Write ``manifest.json`` with ``files`` listing every file in ``directory`` now.

    Parameters
    ----------
    directory : pathlib.Path
        The result directory.
    manifest : dict
        The manifest's other entries (not changed).

    Returns
    -------
    dict
        The manifest as written: ``manifest`` with ``files``, each file's
        ``path``, ``bytes`` and ``sha256`` (hidden files, the manifest and the
        marker left out).
    """
    manifest = {**manifest, "files": _files(Path(directory))}
    write_json(Path(directory) / MANIFEST, manifest)
    return manifest


def daily_states(trajectories: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per day: share of runs at each escalation level, and where a force is in place.

    Columns are described in the module docstring; computed by
    :meth:`sim.engine.daily.DailyCounts.daily_states` (what :func:`write_result` writes).

    Parameters
    ----------
    trajectories : dict of str to numpy.ndarray
        Every run's daily values, ``{variable: array of shape (days, runs)}``,
        holding at least ``escalation_level`` and ``troops_deployed``.

    Returns
    -------
    pandas.DataFrame
        One row per day.
    """
    days = next(iter(trajectories.values())).shape[0]
    counts = DailyCounts(days)
    counts.add({name: trajectories[name] for name in ("escalation_level", "troops_deployed")})
    return counts.daily_states()


def write_table(frame: pd.DataFrame, path: Path, csv: bool = False) -> list[Path]:
    """Write ``frame`` to the Parquet file ``path`` and, with ``csv``, a CSV copy of the
    same values next to it (``NAME.csv``: no index, missing values as empty cells).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    path : pathlib.Path
        The Parquet file to write (``.parquet``).
    csv : bool, default False
        Write ``path`` with the suffix ``.csv`` as well.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    path = Path(path)
    frame.to_parquet(path, index=False)
    written = [path]
    if csv:
        copy = path.with_suffix(".csv")
        frame.to_csv(copy, index=False)
        written.append(copy)
    logger.debug("wrote %s", " and ".join(p.name for p in written))
    return written


class RunsWriter:
    """Append each chunk's per-run table to ``runs.parquet`` (and ``runs.csv``) as it comes.

    Use as a context manager and pass :meth:`write` to
    :func:`sim.experiments.runner.simulate` as ``on_chunk``; then :func:`write_result`
    with ``runs_written=True``.  Rows go out in Parquet row groups of
    :data:`ROW_GROUP_RUNS` whatever the chunks' width, so the file is the same
    byte for byte however the runs were chunked (the number of workers sets
    the width), and the whole table is never held in memory.

    Parameters
    ----------
    directory : pathlib.Path
        The (staging) result directory to write into.
    csv : bool, default False
        Write ``runs.csv`` as well.
    """

    def __init__(self, directory: Path, csv: bool = False) -> None:
        self.directory = Path(directory)
        self.csv = csv
        self._writer = None
        self._schema = None
        self._pending: list = []
        self._pending_rows = 0

    def __enter__(self) -> RunsWriter:
        return self

    def write(self, frame: pd.DataFrame) -> None:
        """Append a chunk's per-run table (every chunk has the first one's columns).

        Parameters
        ----------
        frame : pandas.DataFrame
            The chunk's rows, in run order after those written before.
        """
        import pyarrow as pa

        table = pa.Table.from_pandas(frame, preserve_index=False)
        if self._schema is None:
            self._schema = table.schema
        self._pending.append(table.cast(self._schema))
        self._pending_rows += table.num_rows
        while self._pending_rows >= ROW_GROUP_RUNS:
            self._flush(ROW_GROUP_RUNS)
        if self.csv:
            first = not (self.directory / "runs.csv").exists()
            frame.to_csv(self.directory / "runs.csv", mode="a", header=first, index=False)

    def _flush(self, rows: int) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pending = pa.concat_tables(self._pending)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.directory / RUNS, self._schema)
        self._writer.write_table(pending.slice(0, rows), row_group_size=rows)
        rest = pending.slice(rows)
        self._pending = [rest] if rest.num_rows else []
        self._pending_rows = rest.num_rows

    def __exit__(self, exc_type, *exc_info: object) -> None:
        try:
            if exc_type is None and self._pending_rows:
                self._flush(self._pending_rows)
        finally:
            if self._writer is not None:
                self._writer.close()


def write_result(
    result: SimulationResult,
    directory: Path,
    *,
    run_info: dict,
    csv: bool = False,
    per_run_trajectories: bool = False,
    runs_written: bool = False,
) -> SavedResult:
    """Write tables, ``summary.json``, ``scenario.yaml`` and ``manifest.json`` into ``directory``.

    ``run_info`` is added to the manifest (command, workers, start and end
    time, elapsed seconds...).  ``runs_written``: ``runs.parquet`` (and
    ``runs.csv``) were already written chunk by chunk (:class:`RunsWriter`),
    and ``result.runs`` may hold only some columns.  Returns the result as
    :func:`load_result` would read it; call :func:`write_manifest` again after
    adding files (plots) so that the manifest lists them.

    Parameters
    ----------
    result : SimulationResult
        The batch.
    directory : pathlib.Path
        An existing directory (e.g. the one :func:`staged_directory` yields).
    run_info : dict
        Entries added to the manifest.
    csv : bool, default False
        Write a CSV copy of every Parquet table too (``runs.csv`` unless
        ``runs_written``, ``trajectory_quantiles.csv``, ``daily_states.csv``, and
        ``trajectories.csv`` with ``per_run_trajectories``).
    per_run_trajectories : bool, default False
        Write ``trajectories.parquet``, every run's daily values.
    runs_written : bool, default False
        The per-run table was already written by a :class:`RunsWriter`.

    Returns
    -------
    SavedResult
        What was written.

    Raises
    ------
    ValueError
        If ``per_run_trajectories`` is asked for but ``result`` did not keep its
        trajectories.
    """
    directory = Path(directory)
    if not runs_written:
        write_table(result.runs, directory / RUNS, csv)
    quantiles = result.daily.quantile_table()
    write_table(quantiles, directory / QUANTILES, csv)
    states = result.daily.daily_states()
    write_table(states, directory / DAILY_STATES, csv)
    if per_run_trajectories:
        if result.trajectories is None:
            raise ValueError(
                "per-run trajectories were not kept (simulate(keep_trajectories=True))"
            )
        days, n_runs = next(iter(result.trajectories.values())).shape
        frame = pd.DataFrame(
            {
                "run": np.tile(np.arange(n_runs), days),
                "day": np.repeat(np.arange(days), n_runs),
            }
        )
        for name, values in result.trajectories.items():
            frame[name] = values.reshape(-1)
        write_table(frame, directory / TRAJECTORIES, csv)
    summary = {"scenario": result.scenario.name, **summarise(result.runs)}
    write_json(directory / SUMMARY, summary)
    scenario = scenario_as_run(result)
    header = (
        f"# The scenario '{result.scenario.name}' exactly as run: after extends:, with the "
        f"batch's runs ({result.n_runs}) and seed ({result.seed}).\n"
        "# `sim run scenario.yaml --out OTHER_DIR` repeats the batch bit for bit "
        "(same package versions).\n"
    )
    text = header + yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True)
    (directory / SCENARIO).write_text(text, encoding="utf-8")
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "scenario": scenario,
        "scenario_sha256": _canonical_sha256(scenario),
        "scenario_sha256_of": "the JSON of `scenario` with sorted keys, no spaces, UTF-8",
        "seed": result.seed,
        "runs": result.n_runs,
        "horizon_days": result.scenario.simulation.horizon_days,
        "random_numbers": RANDOM_NUMBERS,
        "versions": _versions(),
        "git": _git_commit(),
        **run_info,
    }
    manifest = write_manifest(directory, manifest)
    return SavedResult(directory, result.runs, quantiles, summary, manifest, states)


#: How the batch's random numbers were made (recorded in the manifest).
# This text names the scheme in every manifest, and results are paired (``sim report``
# of several runs) only when it is the same: it stays as first written, although the
# module is now sim.engine.streams.
RANDOM_NUMBERS = (
    "counter-based Philox4x32-10 keyed by seed and purpose (sim.streams): each run's "
    "results depend on the seed and the run's index only"
)


def _one_line(error: BaseException, limit: int = 160) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read_json(directory: Path, name: str) -> dict:
    path = directory / name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultDirectoryError(f"{path}: missing; the result directory is incomplete") from None
    except (OSError, ValueError) as error:
        raise ResultDirectoryError(f"{path}: cannot be read ({_one_line(error)})") from None
    if not isinstance(data, dict):
        raise ResultDirectoryError(f"{path}: not written by sim (expected a JSON object)")
    return data


def _read_table(
    directory: Path, name: str, columns: tuple[str, ...], rows: int | None
) -> pd.DataFrame:
    path = directory / name
    if not path.is_file():
        raise ResultDirectoryError(f"{path}: missing; the result directory is incomplete")
    try:
        frame = pd.read_parquet(path)
    except Exception as error:  # pyarrow raises many kinds for a damaged file
        raise ResultDirectoryError(
            f"{path}: not a readable Parquet table ({_one_line(error)})"
        ) from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ResultDirectoryError(
            f"{path}: not written by sim (missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing[:5])})"
        )
    if rows is not None and len(frame) != rows:
        raise ResultDirectoryError(
            f"{path}: holds {len(frame):,} rows but the manifest says {rows:,} runs"
        )
    return frame


def _check_manifest(path: Path, manifest: dict) -> None:
    scenario = manifest.get("scenario")
    ok = (
        isinstance(scenario, dict)
        and isinstance(scenario.get("name"), str)
        and isinstance(scenario.get("simulation"), dict)
        and isinstance(scenario["simulation"].get("horizon_days"), int)
        and isinstance(manifest.get("runs"), int)
        and isinstance(manifest.get("seed"), int)
    )
    if not ok:
        raise ResultDirectoryError(f"{path}: not written by sim (expected scenario, runs and seed)")


def load_result(directory: Path) -> SavedResult:
    """Read a result directory written by :func:`write_result`, checking what it reads.

    Parameters
    ----------
    directory : pathlib.Path
        The result directory.

    Returns
    -------
    SavedResult
        Its tables, summary and manifest.

    Raises
    ------
    ResultDirectoryError
        (One line) for anything but the directory of a completed run: a staging
        directory, a directory without the ``.sim-result`` marker, and missing,
        damaged or foreign files.
    """
    directory = Path(directory)
    if not directory.is_dir():
        what = "does not exist" if not directory.exists() else "is not a directory"
        raise ResultDirectoryError(f"{directory}: {what}")
    match = _STAGING.match(Path(os.path.abspath(directory)).name)
    if match is not None:
        raise ResultDirectoryError(
            f"{directory}: a staging directory of a run that did not finish, not a result"
        )
    if not (directory / MARKER).is_file():
        raise ResultDirectoryError(
            f"{directory}: not the result directory of a completed `sim run` (no {MARKER} marker)"
        )
    marker = _read_json(directory, MARKER)
    if marker.get("sim_result") != 1 or not isinstance(marker.get("files"), list):
        raise ResultDirectoryError(f"{directory / MARKER}: not written by sim")
    manifest = _read_json(directory, MANIFEST)
    _check_manifest(directory / MANIFEST, manifest)
    summary = _read_json(directory, SUMMARY)
    if not isinstance(summary.get("outcomes"), dict):
        raise ResultDirectoryError(f"{directory / SUMMARY}: not written by sim (no outcomes)")
    runs = _read_table(directory, RUNS, ("run", "outcome"), manifest["runs"])
    quantile_columns = (
        "variable",
        "day",
        "mean",
        *(f"q{round(q * 100):02d}" for q in QUANTILE_LEVELS),
    )
    quantiles = _read_table(directory, QUANTILES, quantile_columns, None)
    states = _read_table(directory, DAILY_STATES, ("day", *ESCALATION_LEVELS), None)
    return SavedResult(
        path=directory,
        runs=runs,
        quantiles=quantiles,
        summary=summary,
        manifest=manifest,
        daily_states=states,
    )


def replace_plots(saved: SavedResult) -> contextlib.AbstractContextManager[Path]:
    """Yield a temporary folder for new figures; on success it replaces ``plots/``
    (:func:`replace_folder`).

    Parameters
    ----------
    saved : SavedResult
        The result directory, read back.

    Returns
    -------
    contextlib.AbstractContextManager of pathlib.Path
        Use in a ``with`` statement; it yields the temporary folder.

    Raises
    ------
    ResultDirectoryError
        On entering, if ``plots/`` is not sim's to replace or the temporary
        folder cannot be made.
    """
    return replace_folder(saved, PLOTS, "figures")


@contextlib.contextmanager
def replace_folder(saved, name: str, what: str) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces the folder ``name`` of the result
    directory ``saved.path`` (``plots``, ``discovery``; ``what`` names its contents in
    messages).

    A folder sim did not write, or one holding a file it did not write, is never
    replaced.  The manifest and the marker are rewritten to list the new files.  On
    any exception the temporary folder is removed and the folder is left as it was.

    Parameters
    ----------
    saved : SavedResult or sim.experiments.sweep_store.SavedSweep
        The directory, read back: its ``path`` and its ``manifest``.
    name : str
        The folder to replace, e.g. ``plots``.
    what : str
        Its contents in words, for messages (``figures``).

    Yields
    ------
    pathlib.Path
        The temporary folder, next to the one it replaces.

    Raises
    ------
    ResultDirectoryError
        If the folder is not sim's to replace (a link, a file, not listed by the
        marker, or holding a file sim did not write), or the temporary folder
        cannot be made.
    """
    directory = Path(saved.path)
    target = directory / name
    marker = _read_json(directory, MARKER)
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise ResultDirectoryError(f"{target}: not a folder sim wrote; nothing was replaced")
    if target.exists() and name not in marker.get("files", []):
        raise ResultDirectoryError(f"{target}: not written by sim; nothing was replaced")
    # A file of the user's put in the folder since: it is not sim's alone any more.
    listed = {str(entry.get("path")) for entry in saved.manifest.get("files", [])}
    if target.is_dir():
        foreign = sorted(
            path.relative_to(directory).as_posix()
            for path in target.rglob("*")
            if not path.is_dir() and path.relative_to(directory).as_posix() not in listed
        )
        if foreign:
            more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
            raise ResultDirectoryError(
                f"{target}: holds {foreign[0][:80]!r}{more}, which sim did not "
                "write; move it out of the way (nothing was replaced)"
            )
    token = uuid.uuid4().hex[:8]
    staging = _staging_name(target, "incomplete", token)
    try:
        _remove_stale(target)
        staging.mkdir()
    except OSError as error:
        raise ResultDirectoryError(
            f"{directory}: cannot write {what} here ({_os_reason(error)})"
        ) from None
    try:
        yield staging
        _swap_in(staging, target, _staging_name(target, "old", token))
        files = sorted({*map(str, marker["files"]), name})
        write_json(directory / MARKER, {"sim_result": 1, "files": files})
        write_manifest(directory, saved.manifest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
