"""Sweep directories: finished chunks kept as they come, then the sweep's tables.

While a sweep runs, each finished chunk's per-run table is written to a
hidden directory next to the result, ``.NAME.sweep-chunks/`` (under a
temporary name, then renamed: a chunk file is whole or absent), with
``plan.json``, the sweep's fingerprint (base scenario, design, points, runs,
seed, chunk width, package version).  Each chunk file ``chunk-N.parquet`` is
followed by its record ``chunk-N.json``: the runs it holds (its segments of
the plan), its rows, columns and the file's SHA-256.  A chunk counts as
finished only with its record.  A sweep stopped in any way (Ctrl-C, SIGTERM,
SIGKILL, a dead worker, a lost machine) resumes with ``--resume``: every
stored chunk is checked against the plan and its record before anything
runs (:meth:`SweepStore.check`); the good ones are read back, not run again,
and the others -- replaced, truncated, edited, deleted -- are run again,
named on the way.  The result is the table an uninterrupted sweep gives (a
chunk's results depend on its runs and the seed only), and a last check
refuses a table in which a run is missing or appears twice.  One sweep at a
time writes to a chunk store (an advisory lock, released by the system when
its holder dies).  The store holds only what sim writes: a store with any
other file in it is refused, and nothing in it but sim's own files is ever
deleted.

When every chunk is in, the result directory is written in one go, like a
``sim run`` directory (:func:`sim.results.store.staged_directory`: under a
temporary name, then swapped in; a directory holding anything sim did not
write is never replaced):

``points.parquet`` and ``points.csv``
    one row per point (:func:`sim.experiments.sweeps.points_table`);
``sensitivity.parquet``
    sobol and morris designs: the analysis of each outcome's probability;
``runs.parquet``
    with ``--per-run``: one row per run, with ``point`` and ``run``;
``sensitivity.csv``, ``runs.csv``
    with ``--csv``: CSV copies of those Parquet tables (``points.csv`` is always
    written);
``sweep.yaml``
    the sweep as run (design, factors, runs, seed, fixed values) and the base
    scenario in full, after ``extends:``;
``manifest.json``
    provenance and every file's SHA-256 (as for ``sim run``), ``"kind": "sweep"``;
``plots/``
    figures (:func:`sim.present.plots.draw_sweep`).

The chunk store is removed once the result is in place.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from sim.experiments.sweeps import Chunk, ChunkStore, Sweep, SweepResult
from sim.results.store import (
    MANIFEST,
    MARKER,
    RANDOM_NUMBERS,
    ResultDirectoryError,
    _canonical_sha256,
    _git_commit,
    _sha256,
    _versions,
    write_json,
    write_manifest,
    write_table,
)

__all__ = [
    "SavedSweep",
    "SweepStore",
    "is_sweep_directory",
    "load_sweep_result",
    "stored_plan",
    "sweep_as_run",
    "sweep_file",
    "sweep_fingerprint",
    "write_sweep_result",
]

logger = logging.getLogger(__name__)

POINTS = "points.parquet"
POINTS_CSV = "points.csv"
SENSITIVITY = "sensitivity.parquet"
RUNS = "runs.parquet"
SWEEP = "sweep.yaml"
BASE = "base.yaml"
PLAN = "plan.json"
LOCK = ".lock"

#: Every name sim writes in a chunk store: the plan, the lock, chunk files and their
#: records, and the temporary names they are written under.
_OWN_NAME = re.compile(
    r"(plan\.json|\.lock|chunk-\d{6,}\.(parquet|json)"
    r"|\.(plan\.json|chunk-\d{6,}\.(parquet|json))\.partial-[0-9a-f]{8})"
)


def sweep_as_run(sweep: Sweep) -> dict:
    """The sweep as run: what ``sim sweep sweep.yaml`` repeats (base scenario inline)."""
    factors = []
    for f in sweep.factors:
        entry: dict = {"path": f.path}
        if f.levels is not None:
            entry["levels"] = list(f.levels)
        if f.is_range:
            entry["low"], entry["high"] = f.low, f.high
        entry["integer"] = f.integer
        factors.append(entry)
    return {
        "name": sweep.name,
        "design": sweep.design,
        "samples": sweep.samples,
        "runs": sweep.runs,
        "seed": sweep.seed,
        "points": sweep.n_points,
        "factors": factors,
        "set": dict(sweep.set),
        "base": sweep.base.model_dump(mode="json"),
    }


def sweep_file(sweep: Sweep, base_file: str = BASE) -> dict:
    """The sweep as a sweep file (docs/sweeps.md) over ``base_file``, the base scenario
    in full: ``sim sweep`` of it repeats the sweep point for point."""
    vary: dict = {}
    for f in sweep.factors:
        if sweep.design == "grid" or not f.is_range:
            vary[f.path] = [_plain(v) for v in f.levels]
        else:
            vary[f.path] = {"low": _plain(f.low), "high": _plain(f.high)}
    spec = {
        "name": sweep.name,
        "base": base_file,
        "design": sweep.design,
        "samples": sweep.samples,
        "runs": sweep.runs,
        "seed": sweep.seed,
        "vary": vary,
        "set": {k: _plain(v) for k, v in sweep.set.items()},
        "ci_width": sweep.ci_width,
        "max_runs": sweep.max_runs,
    }
    return {k: v for k, v in spec.items() if v is not None}


def _plain(value):
    return value.item() if hasattr(value, "item") else value


def sweep_fingerprint(sweep: Sweep, width: int) -> dict:
    """What a resumed sweep must share with the one that wrote the chunks."""
    from sim import __version__

    points = pd.util.hash_pandas_object(sweep.points, index=True).to_numpy()
    return {
        "sweep_sha256": _canonical_sha256(sweep_as_run(sweep)),
        "points_hash": int(points.sum() % (1 << 63)) if len(points) else 0,
        "chunk_runs": int(width),
        "sim_version": __version__,
    }


def stored_plan(final: Path) -> dict | None:
    """The fingerprint of the unfinished sweep stored for ``final``, if any."""
    try:
        plan = json.loads((store_path(final) / PLAN).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return plan if isinstance(plan, dict) else None


def store_path(final: Path) -> Path:
    """The chunk store of the result directory ``final``."""
    final = Path(os.path.abspath(final))
    return final.parent / f".{final.name}.sweep-chunks"


class SweepStore(ChunkStore):
    """Finished chunks on disk, in :func:`store_path` of the result directory.

    Open it with :meth:`open` (a context manager): it refuses a store that
    another process is writing, that holds a different sweep, or that holds
    anything sim did not write, and says how to go on.
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = Path(path)
        self._lock = None

    @classmethod
    @contextlib.contextmanager
    def open(
        cls, final: Path, fingerprint: dict, resume: bool, restart: bool
    ) -> Iterator[SweepStore]:
        store = cls(store_path(final))
        try:
            store.path.parent.mkdir(parents=True, exist_ok=True)
            if store.path.exists() and not store.path.is_dir():
                raise ResultDirectoryError(
                    f"{store.path}: the sweep's chunk store is not a directory; move it "
                    "out of the way"
                )
            store.path.mkdir(exist_ok=True)
        except OSError as error:
            raise ResultDirectoryError(
                f"{store.path}: cannot create the sweep's chunk store ({error.strerror})"
            ) from None
        store._take_lock()
        try:
            store._refuse_foreign()
            store._remove_partials()
            done = len(store.finished())
            if done and restart:
                store._clear()
                logger.info("--restart: discarded %d stored chunk(s) in %s", done, store.path)
            elif done:
                plan = store._read_plan()
                if not resume:
                    raise ResultDirectoryError(
                        f"{final}: an unfinished sweep is stored in {store.path} ({done} chunk"
                        f"{'s' if done != 1 else ''} done); add --resume to continue it, or "
                        "--restart to discard it"
                    )
                if plan != fingerprint:
                    raise ResultDirectoryError(
                        f"{final}: the unfinished sweep in {store.path} is not this sweep "
                        "(another design, base scenario, seed, runs or chunk width); "
                        "--restart discards it"
                    )
            write_json(store.path / PLAN, fingerprint)
            logger.info(
                "finished chunks are stored in %s%s", store.path,
                f" ({done} already there, checked before reuse)" if done and resume else "",
            )  # fmt: skip
            yield store
        finally:
            store._release_lock()

    def remove(self) -> None:
        """Delete the store (once the result is written): sim's files, then the directory
        if nothing else is in it (a file put there meanwhile stays, with its directory)."""
        self._clear()
        with contextlib.suppress(OSError):
            (self.path / LOCK).unlink()
        self._release_lock()
        with contextlib.suppress(OSError):
            self.path.rmdir()
        logger.debug("removed the chunk store %s", self.path)

    def _take_lock(self) -> None:
        handle = open(self.path / LOCK, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise ResultDirectoryError(
                f"{self.path}: another sweep is writing here now; wait for it or choose "
                "another --out"
            ) from None
        self._lock = handle

    def _release_lock(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def _read_plan(self) -> dict | None:
        try:
            return json.loads((self.path / PLAN).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _refuse_foreign(self) -> None:
        """One line if the store holds anything sim did not write (it is never deleted)."""
        foreign = sorted(
            entry.name
            for entry in self.path.iterdir()
            if not (_OWN_NAME.fullmatch(entry.name) and entry.is_file() and not entry.is_symlink())
        )
        if foreign:
            shown = ", ".join(repr(name[:60]) for name in foreign[:3])
            more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
            raise ResultDirectoryError(
                f"{self.path}: the sweep's chunk store holds what sim did not write "
                f"({shown}{more}); move it out of the way, or choose another --out"
            )

    def _remove_partials(self) -> None:
        for entry in self.path.glob(".*.partial-*"):
            if _OWN_NAME.fullmatch(entry.name):
                entry.unlink(missing_ok=True)

    def _clear(self) -> None:
        """Delete sim's chunk files, records and plan (never anything else)."""
        for entry in self.path.iterdir():
            if entry.name != LOCK and _OWN_NAME.fullmatch(entry.name) and entry.is_file():
                entry.unlink(missing_ok=True)

    def _file(self, index: int) -> Path:
        return self.path / f"chunk-{index:06d}.parquet"

    def _record(self, index: int) -> Path:
        return self.path / f"chunk-{index:06d}.json"

    def finished(self) -> set[int]:
        """The chunks stored: with a record, or a chunk file alone (written by an older
        sim, or a write cut between the file and its record), which :meth:`check`
        then refuses, so that it is run again and named."""
        done = set()
        for pattern in ("chunk-*.json", "chunk-*.parquet"):
            for entry in self.path.glob(pattern):
                with contextlib.suppress(ValueError):
                    done.add(int(entry.stem.split("-")[1]))
        return done

    def save(self, index: int, frame: pd.DataFrame, segments=()) -> None:
        """Write chunk ``index`` (the runs of ``segments``), then its record."""
        final = self._file(index)
        partial = self.path / f".{final.name}.partial-{uuid.uuid4().hex[:8]}"
        try:
            frame.to_parquet(partial, index=False)
            record = {
                "index": int(index),
                "segments": [[int(v) for v in segment] for segment in segments],
                "rows": len(frame),
                "columns": {str(c): str(t) for c, t in frame.dtypes.items()},
                "bytes": partial.stat().st_size,
                "sha256": _sha256(partial),
            }
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        write_json(self._record(index), record)

    def check(self, chunk: Chunk) -> str | None:
        """Why stored chunk ``chunk.index`` cannot be used for ``chunk``, or ``None``:
        its record must be sim's, for the same runs, and its file unchanged since."""
        if not self._record(chunk.index).exists():
            return "it has no record: written by an older sim, or its write was cut"
        try:
            record = json.loads(self._record(chunk.index).read_text(encoding="utf-8"))
            segments = [tuple(segment) for segment in record["segments"]]
            size, digest, rows = record["bytes"], record["sha256"], record["rows"]
        except (OSError, ValueError, KeyError, TypeError):
            return "its record is unreadable"
        if segments != [tuple(segment) for segment in chunk.segments]:
            return "it holds other runs than the plan's"
        if rows != chunk.size:
            return "its record counts other runs than the plan's"
        file = self._file(chunk.index)
        try:
            if file.stat().st_size != size or _sha256(file) != digest:
                return "its file changed after it was written"
        except OSError:
            return "its file is missing"
        return None

    def discard(self, index: int) -> None:
        self._record(index).unlink(missing_ok=True)
        self._file(index).unlink(missing_ok=True)

    def load(self, index: int) -> pd.DataFrame:
        return pd.read_parquet(self._file(index))


def write_sweep_result(
    result: SweepResult,
    directory: Path,
    *,
    run_info: dict,
    per_run: bool = False,
    csv: bool = False,
) -> dict:
    """Write the sweep's tables, ``sweep.yaml`` and ``manifest.json`` into ``directory``
    (a staging directory); return the manifest.  With ``per_run`` the per-run table
    (``result.runs``) too; with ``csv`` a CSV copy of every Parquet table (``points.csv``
    is always written)."""
    directory = Path(directory)
    sweep = result.sweep
    write_table(result.points, directory / POINTS, csv=True)  # points.csv: always
    if result.sensitivity is not None:
        write_table(result.sensitivity, directory / SENSITIVITY, csv)
    if per_run:
        if result.runs is None:
            raise ValueError("per-run table requested but not kept (run_sweep(keep_runs=True))")
        write_table(result.runs, directory / RUNS, csv)
    as_run = sweep_as_run(sweep)
    runs = f"{sweep.runs} runs"
    if result.precision is not None:
        runs += (
            f" first, then more where an outcome's 95% interval is wider than "
            f"{result.precision['ci_width']}, up to {result.precision['max_runs_per_point']:,}"
            " a point (the column `runs` of points.parquet)"
        )
    header = (
        f"# The sweep '{sweep.name}' exactly as run: {sweep.n_points} points x {runs}, seed "
        f"{sweep.seed}.\n# `sim sweep sweep.yaml` repeats it; {BASE} is the base scenario in "
        "full (after extends:).\n"
    )
    text = header + yaml.safe_dump(sweep_file(sweep), sort_keys=False, allow_unicode=True)
    (directory / SWEEP).write_text(text, encoding="utf-8")
    base = yaml.safe_dump(sweep.base.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
    (directory / BASE).write_text(
        f"# The base scenario of the sweep '{sweep.name}' in full.\n" + base, encoding="utf-8"
    )
    manifest = {
        "kind": "sweep",
        "sweep": {k: v for k, v in as_run.items() if k != "base"},
        "base_scenario": sweep.base.name,
        "sweep_sha256": _canonical_sha256(as_run),
        "seed": sweep.seed,
        "runs_per_point": sweep.runs,
        "points": sweep.n_points,
        "random_numbers": RANDOM_NUMBERS,
        "versions": _versions(),
        "git": _git_commit(),
        **run_info,
    }
    return write_manifest(directory, manifest)


@dataclass(frozen=True)
class SavedSweep:
    """A sweep directory read back: what :func:`sim.present.sweep_plots.draw_sweep` draws from."""

    path: Path
    points: pd.DataFrame
    sensitivity: pd.DataFrame | None
    manifest: dict


def is_sweep_directory(directory: Path) -> bool:
    """``directory`` holds a sweep's manifest (``"kind": "sweep"``)."""
    try:
        manifest = json.loads((Path(directory) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("kind") == "sweep"


def load_sweep_result(directory: Path) -> SavedSweep:
    """Read a sweep directory back.  Raises :class:`ResultDirectoryError` (one line)."""
    directory = Path(directory)
    if not (directory / MARKER).is_file():
        raise ResultDirectoryError(
            f"{directory}: not the directory of a completed `sim sweep` (no {MARKER} marker)"
        )
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or manifest.get("kind") != "sweep":
            raise ResultDirectoryError(f"{directory}: not a sweep directory")
        points = pd.read_parquet(directory / POINTS)
        sensitivity = None
        if (directory / SENSITIVITY).exists():
            sensitivity = pd.read_parquet(directory / SENSITIVITY)
    except ResultDirectoryError:
        raise
    except (OSError, ValueError) as error:
        raise ResultDirectoryError(
            f"{directory}: not a readable sweep directory ({error})"
        ) from None
    if len(points) != manifest.get("points"):
        raise ResultDirectoryError(f"{directory / POINTS}: not the manifest's number of points")
    return SavedSweep(directory, points, sensitivity, manifest)
