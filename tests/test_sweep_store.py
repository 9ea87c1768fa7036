"""A sweep's chunk store proves its contents: a resumed sweep never gives a wrong table.

Each case stores part of a sweep through the store's own API (as an interrupted
`sim sweep` leaves it), damages it as a user, a disk or a copy could, and resumes
with the command line: the table must be the uninterrupted sweep's, the damaged
chunks named and run again, and nothing but sim's own files ever deleted.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.experiments.sweep_store import SweepStore, store_path, sweep_fingerprint
from sim.experiments.sweeps import (
    SweepIntegrityError,
    SweepSpec,
    check_runs_complete,
    plan_chunks,
    point_groups,
    resolve_sweep,
    run_sweep,
    simulate_chunk,
)
from sim.scenario.loader import load_scenario

from .conftest import run_cli
from .test_cli_hardening import _one_line
from .test_sweeps import _short_base

WIDTH = 20  # 2 points x 40 runs: chunks 0-3
VARY = ["--vary", "levers.troops_pledged=0,5000", "--runs", "40", "--seed", "2"]


def _plan(tmp_path: Path):
    base = _short_base(tmp_path, days=20)
    spec = SweepSpec(base="short.yaml", vary={"levers.troops_pledged": [0, 5000]})
    return base, resolve_sweep(spec, load_scenario(base), runs=40, seed=2)


def _stored(tmp_path: Path, chunks_done: int = 3) -> tuple[Path, Path, object]:
    """An interrupted sweep: its first ``chunks_done`` chunks stored, as `sim sweep` stores them."""
    base, plan = _plan(tmp_path)
    out = tmp_path / "out"
    fingerprint = {**sweep_fingerprint(plan, WIDTH), "ci_width": None, "max_runs": None}
    chunks = plan_chunks(point_groups(list(plan.scenarios)), plan.runs, WIDTH)
    assert len(chunks) == 4
    with SweepStore.open(out, fingerprint, resume=False, restart=False) as store:
        for chunk in chunks[:chunks_done]:
            scenarios = [plan.scenario(p) for p in chunk.points]
            frame = simulate_chunk(scenarios, chunk.points, chunk.segments, plan.seed)
            store.save(chunk.index, frame, chunk.segments)
    return base, out, plan


def _resume(base: Path, out: Path, tmp_path: Path, *extra: str):
    return run_cli("sweep", base, *VARY, "--resume", "--no-plots", "--no-progress",
                   "--out", out, *extra, cwd=tmp_path)  # fmt: skip


def _edit_outcomes(path: Path) -> None:
    frame = pd.read_parquet(path)
    frame["outcome"] = frame["outcome"].cat.categories[0]
    frame.to_parquet(path, index=False)


def _foreign_schema(path: Path) -> None:
    pd.DataFrame({"point": [0] * 20, "run": range(20), "x": np.arange(20.0)}).to_parquet(path)


TAMPER = {
    "a copy of another chunk with its record": lambda s: [
        shutil.copy(s / "chunk-000001.parquet", s / "chunk-000000.parquet"),
        shutil.copy(s / "chunk-000001.json", s / "chunk-000000.json"),
    ],
    "another chunk's file": lambda s: shutil.copy(
        s / "chunk-000001.parquet", s / "chunk-000000.parquet"
    ),
    "truncated": lambda s: (s / "chunk-000000.parquet").write_bytes(
        (s / "chunk-000000.parquet").read_bytes()[:500]
    ),
    "zero bytes": lambda s: (s / "chunk-000000.parquet").write_bytes(b""),
    "garbage": lambda s: (s / "chunk-000000.parquet").write_bytes(b"\x00garbage" * 100),
    "edited outcomes": lambda s: _edit_outcomes(s / "chunk-000000.parquet"),
    "a table of another schema": lambda s: _foreign_schema(s / "chunk-000000.parquet"),
    "deleted file": lambda s: (s / "chunk-000000.parquet").unlink(),
    "garbage record": lambda s: (s / "chunk-000000.json").write_text("{not json"),
    "record of other runs": lambda s: (s / "chunk-000000.json").write_text(
        json.dumps({**json.loads((s / "chunk-000000.json").read_text()), "segments": [[1, 0, 20]]})
    ),
}


@pytest.mark.parametrize("damage", list(TAMPER))
def test_a_damaged_chunk_is_named_and_run_again(tmp_path: Path, damage: str):
    base, out, plan = _stored(tmp_path)
    TAMPER[damage](store_path(out))
    result = _resume(base, out, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "chunk 0 (" in result.stderr and "again" in result.stderr, result.stderr
    assert "chunk 1 (" not in result.stderr and "chunk 2 (" not in result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["chunks_resumed"], manifest["chunks_run"]) == (2, 2)
    expected = run_sweep(plan).points
    pd.testing.assert_frame_equal(pd.read_parquet(out / "points.parquet"), expected)
    assert not store_path(out).exists()


def test_a_chunk_without_its_record_is_run_again_and_named(tmp_path: Path):
    """Killed between the chunk file and its record, or written by an older sim: the
    chunk is kept until a --resume runs it again (and says so) or --restart discards it."""
    base, out, plan = _stored(tmp_path)
    for record in store_path(out).glob("chunk-*.json"):
        record.unlink()  # as an older sim left it
    unresumed = run_cli("sweep", base, *VARY, "--no-plots", "--out", out, cwd=tmp_path)
    assert unresumed.returncode == 2 and "--resume" in _one_line(unresumed.stderr)
    assert len(list(store_path(out).glob("chunk-*.parquet"))) == 3  # nothing deleted
    result = _resume(base, out, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "it has no record" in result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["chunks_resumed"], manifest["chunks_run"]) == (0, 4)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "points.parquet"), run_sweep(plan).points)


def test_chunk_numbers_past_a_million_are_the_stores_own(tmp_path: Path):
    _, plan = _plan(tmp_path)
    fingerprint = {**sweep_fingerprint(plan, WIDTH), "ci_width": None, "max_runs": None}
    out = tmp_path / "out"
    frame = pd.DataFrame({"point": [0], "run": [0]})
    with SweepStore.open(out, fingerprint, resume=False, restart=False) as store:
        store.save(1_000_000, frame, ((0, 0, 1),))
    with SweepStore.open(out, fingerprint, resume=True, restart=False) as store:
        assert store.finished() == {1_000_000}
        store.remove()
    assert not store_path(out).exists()


@pytest.mark.parametrize("width", ['"x"', "null", "[1]", "0", "-5"])
def test_a_damaged_plan_is_one_line(tmp_path: Path, width: str):
    base, out, _ = _stored(tmp_path)
    plan_file = store_path(out) / "plan.json"
    plan_file.write_text(
        plan_file.read_text().replace('"chunk_runs": 20', f'"chunk_runs": {width}')
    )
    result = _resume(base, out, tmp_path)
    assert result.returncode == 2
    assert "plan.json is damaged" in _one_line(result.stderr)


@pytest.mark.parametrize("restart", [False, True], ids=["resume", "restart"])
@pytest.mark.parametrize("kind", ["file", "directory"])
def test_what_sim_did_not_write_is_refused_and_kept(tmp_path: Path, restart: bool, kind: str):
    base, out, _ = _stored(tmp_path)
    mine = store_path(out) / "my notes.txt"
    if kind == "file":
        mine.write_text("mine")
    else:
        mine.mkdir()
    result = run_cli("sweep", base, *VARY, "--restart" if restart else "--resume",
                     "--no-plots", "--out", out, cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert "did not write" in line and "my notes.txt" in line, line
    assert mine.exists() and not out.exists()
    assert len(list(store_path(out).glob("chunk-*.parquet"))) == 3  # nothing lost either


def test_a_file_put_in_the_store_meanwhile_survives_its_removal(tmp_path: Path):
    _, out, plan = _stored(tmp_path, chunks_done=1)
    fingerprint = {**sweep_fingerprint(plan, WIDTH), "ci_width": None, "max_runs": None}
    with SweepStore.open(out, fingerprint, resume=True, restart=False) as store:
        (store.path / "later.txt").write_text("mine")
        store.remove()
    assert (store_path(out) / "later.txt").read_text() == "mine"
    assert sorted(p.name for p in store_path(out).iterdir()) == ["later.txt"]


def test_the_last_guard_refuses_a_missing_or_repeated_run():
    check_runs_complete(np.array([0, 0, 1]), np.array([1, 0, 0]), np.array([2, 1]))
    cases = [
        (np.array([0, 0, 1]), np.array([0, 0, 0])),  # run 0 of point 0 twice, run 1 missing
        (np.array([0, 1]), np.array([0, 0])),  # run 1 of point 0 missing
        (np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])),  # point 1 has a run too many
        (np.array([0, 0, 2]), np.array([0, 1, 0])),  # a point that is not in the sweep
    ]
    for point, run in cases:
        with pytest.raises(SweepIntegrityError):
            check_runs_complete(point, run, np.array([2, 1]))
    with pytest.raises(SweepIntegrityError, match="run 1 is missing and another appears twice"):
        check_runs_complete(np.array([0, 0, 1]), np.array([0, 0, 0]), np.array([2, 1]))


def test_run_sweep_refuses_chunks_that_do_not_add_up(tmp_path: Path):
    """A store whose check passes but whose chunk holds other runs (the last guard)."""
    from sim.experiments.sweeps import ChunkStore

    _, plan = _plan(tmp_path)

    class Lying(ChunkStore):
        def save(self, index, frame, segments=()):
            super().save(index, frame.assign(run=0) if index == 1 else frame, segments)

    with pytest.raises(SweepIntegrityError, match="point 0"):
        run_sweep(plan, chunk_runs=WIDTH, store=Lying())


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_a_large_sweep_rebuilds_scenarios_per_chunk_with_the_same_table(
    tmp_path: Path, monkeypatch
):
    """Above KEEP_SCENARIOS points the planner keeps a few hundred bytes a point and the
    chunks rebuild their scenarios (here and in worker processes): the same table."""
    import sim.experiments.sweeps as sweeps

    base = _short_base(tmp_path, days=15)
    spec = SweepSpec(
        base="short.yaml",
        vary={"levers.troops_pledged": [0, 4000, 9000], "levers.sanctions_credibility": [0.2, 0.9]},
    )
    kept = resolve_sweep(spec, load_scenario(base), runs=12, seed=4)
    assert len(kept.scenarios) == 6
    monkeypatch.setattr(sweeps, "KEEP_SCENARIOS", 2)
    lean = resolve_sweep(spec, load_scenario(base), runs=12, seed=4)
    assert lean.scenarios == () and len(lean.batch_keys) == 6
    expected = run_sweep(kept, chunk_runs=10, keep_runs=True)
    for workers in (1, 2):
        got = run_sweep(lean, chunk_runs=10, keep_runs=True, workers=workers)
        pd.testing.assert_frame_equal(got.runs, expected.runs)
        pd.testing.assert_frame_equal(got.points, expected.points)
