"""Performance benchmark of the simulator: one command, one run, every figure side by side.

    python benchmarks/run.py                      # the default set (several minutes)
    python benchmarks/run.py --quick              # a sanity check: 2,000 runs scaled to
                                                  # 10,000, 1 repeat, no 100,000 runs
    python benchmarks/run.py --full               # adds peak memory at 1,000,000 runs
    python benchmarks/run.py --out /tmp/new.json  # where the JSON goes
    python benchmarks/run.py --compare old.json new.json   # two results side by side
    python benchmarks/pairs.py OLD_CHECKOUT NEW_CHECKOUT   # two engines in interleaved pairs

It benchmarks the checkout that holds this file (its root is put first on
``sys.path``, and on ``PYTHONPATH`` for the child processes), prints a table and
writes a JSON file (default ``benchmarks/results/<commit>.json``, a git-ignored
folder) with the machine (CPU, cores, load, library versions), the commit and
the date, so that commits can be compared on the same machine.

Sections (docs/performance.md describes the method):

A  this engine: 10,000 runs of combined.yaml and public_good.yaml on one
   worker and on all cores; 100,000 runs of combined.yaml on 1 and 2 workers
   (each in a fresh process, which also gives E's figure at 100,000);
B  the same model the standard Mesa way: one run per model instance through
   ``mesa.batch_run``, timed on 100 runs (--b-runs) and scaled to 10,000;
C  the floor: the 64-bit random words the engine consumed for 10,000 runs of
   combined.yaml, counted exactly from every PCG64 stream's state, and the time
   to draw that many doubles;
D  equilibria of 10,000 runs' 2x2 tables: vectorised selection vs nashpy one
   game at a time (and a compiled kernel, when ``sim.games.kernels`` exists);
E  peak memory (RSS) of a fresh process simulating 10,000 / 100,000
   (/ 1,000,000 with --full) runs of combined.yaml, killed above a limit;
F  fixed cost: ``sim.run(scenario, runs=1)`` and ``runs=200`` after import;
W  ``sim dashboard`` in Chromium (Playwright; skipped without them): seconds from a
   click on the troops slider to the redrawn outcome figure (first 2,000 runs)
   and to 10,000 runs;
P  a cProfile of 2,000 runs of combined.yaml on one worker.

Benchmarks are not tests: nothing here asserts a timing.  Timings are
wall-clock seconds (with CPU seconds beside them where they help: the load of
other jobs inflates wall time); compare them only with timings from the same
machine.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as _dt
import importlib
import json
import os
import platform
import pstats
import resource
import signal
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import sim  # noqa: E402
from sim.experiments.runner import simulate  # noqa: E402
from sim.scenario.loader import load_scenario  # noqa: E402

COMBINED = ROOT / "scenarios" / "combined.yaml"
PUBLIC_GOOD = ROOT / "scenarios" / "public_good.yaml"
SEED = 1
GB = 1024**3  # printed as GiB

# The targets of issue #10, checked against the measured figures in the summary.
TARGETS = {
    "combined_10k_one_core_s": ("10,000 runs of combined.yaml on one core", "<= 0.9 s"),
    "public_good_vs_combined": ("public_good.yaml vs combined.yaml (one core)", "<= 1.5x"),
    "speedup_2_workers_100k": ("2 cores vs one core at 100,000 runs", ">= 1.7x"),
    "run_1_s": ("sim.run(scenario, runs=1) after import", "<= 50 ms"),
    "peak_memory_1m_gb": ("peak memory at 1,000,000 runs", "< 1 GB (1e9 B)"),
    "a_vs_b_per_run": ("this engine vs the standard Mesa way, per run", ">= 1,000x"),
    "engine_vs_floor": ("engine time / random-number floor", "<= 8x"),
}


# ----------------------------------------------------------------------------- helpers


def log(text: str = "") -> None:
    print(text, flush=True)


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and of its reaped children
    (a pool's workers once it is joined)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def repeat(function: Callable[[], object], repeats: int) -> dict:
    """Wall-clock seconds of ``repeats`` calls, all of them and their median; and the
    CPU seconds of each (this process and its workers: less sensitive to other load)."""
    times, cpu = [], []
    for _ in range(repeats):
        before = cpu_seconds()
        times.append(timed(function))
        cpu.append(cpu_seconds() - before)
    return {
        "median_s": statistics.median(times),
        "times_s": times,
        "median_cpu_s": statistics.median(cpu),
        "cpu_s": cpu,
    }


def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 100:
        return f"{seconds:.0f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.1f} µs"


def _gb(n: float | None) -> str:
    return "-" if n is None else f"{n / GB:.2f} GiB"


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover - not on every platform
        return []


def _version(module: str) -> str | None:
    try:
        return importlib.import_module(module).__version__
    except Exception:  # any failure means "not available"
        return None


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def machine_info() -> dict:
    cpu = platform.processor() or platform.machine()
    memory_gb = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) * 1024 / GB, 1)
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gb": memory_gb,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": {
            name: _version(name)
            for name in ("numpy", "numba", "scipy", "pandas", "mesa", "nashpy", "sim")
        },
        "sim_imported_from": str(Path(sim.__file__).resolve().parent),
        "git_commit": _git("rev-parse", "HEAD"),
        "git_branch": _git("rev-parse", "--abbrev-ref", "HEAD"),
        "git_dirty": bool(status) if status is not None else None,
        "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "loadavg_start": loadavg(),
    }


# ----------------------------------------------------------------------------- children


CHILD_CODE = """
import json, resource, sys, tempfile, time
sys.path.insert(0, {root!r})
from sim.scenario.loader import load_scenario
from sim.present.plots import RUN_COLUMNS
from sim.results.store import RunsWriter
from sim.experiments.runner import simulate
from sim.results.summary import SUMMARY_COLUMNS
def cpu():
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime
scenario = load_scenario({path!r})
cpu_start, start = cpu(), time.perf_counter()
# What `sim run` does: rows streamed to runs.parquet, no per-run trajectories kept.
with tempfile.TemporaryDirectory() as directory, RunsWriter(directory) as writer:
    result = simulate(
        scenario, runs={runs}, seed={seed}, workers={workers}, keep_trajectories=False,
        on_chunk=writer.write, keep_columns=(*SUMMARY_COLUMNS, *RUN_COLUMNS),
    )
seconds, cpu_s = time.perf_counter() - start, cpu() - cpu_start
status = open("/proc/self/status").read()
hwm = int(status.split("VmHWM:")[1].split()[0]) * 1024
rows = len(result.runs)
print(json.dumps({{"seconds": seconds, "cpu_s": cpu_s, "rows": rows, "vm_hwm_bytes": hwm}}))
"""


def _tree_rss(pid: int) -> int:
    """Resident memory (bytes) of ``pid`` and all its descendants, from /proc."""
    total, stack, seen = 0, [pid], set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
                    break
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                stack.extend(int(c) for c in children)
        except (OSError, ValueError):
            continue
    return total


_child_cache: dict[tuple, dict] = {}


def run_child(path: Path, runs: int, workers: int, limit_bytes: int) -> dict:
    """Simulate in a fresh Python process; its wall time, and its peak memory.

    Peak memory: the child's own high-water mark (``VmHWM`` of
    ``/proc/self/status``, read by the child when it is done), and the largest
    sum of the RSS of the child and its descendants, sampled every 0.2 s; with
    one worker ``peak_rss_bytes`` is the larger of the two, with several it is
    the main process's VmHWM (the sampled sum includes the workers).  The
    child (its whole process group) is killed as soon as the sampled RSS
    exceeds ``limit_bytes``; that is recorded, not raised.

    Not ``ru_maxrss`` from ``os.wait4`` alone: Linux carries the parent's
    high-water mark into a child over fork/exec (``exec_mmap`` keeps the old
    mm's ``hiwater_rss`` in ``signal->maxrss``), so a child of this (large)
    process reports at least this process's peak.  It is recorded as
    ``wait4_maxrss_bytes`` for reference only.
    """
    key = (str(path), runs, workers)
    if key in _child_cache:
        return dict(_child_cache[key], reused="the same child process as above")
    code = CHILD_CODE.format(root=str(ROOT), path=str(path), runs=runs, seed=SEED, workers=workers)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    sampled_peak, killed = 0, False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        rss = _tree_rss(proc.pid)
        sampled_peak = max(sampled_peak, rss)
        if rss > limit_bytes and not killed:
            killed = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        time.sleep(0.2)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stdout, stderr = proc.stdout.read().decode(), proc.stderr.read().decode()
    proc.stdout.close()
    proc.stderr.close()
    record = {
        "scenario": path.name,
        "runs": runs,
        "workers": workers,
        "peak_rss_bytes": None,  # the child's VmHWM, below
        "sampled_tree_rss_bytes": sampled_peak,
        "wait4_maxrss_bytes": usage.ru_maxrss * 1024,  # Linux: kilobytes; see above
        "limit_bytes": limit_bytes,
        "exceeded_limit": killed,
        "process_wall_s": wall,
        "returncode": proc.returncode,
    }
    if killed:
        record["note"] = f"killed: memory exceeded {limit_bytes / GB:g} GiB after {wall:.0f} s"
    elif proc.returncode != 0:
        last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
        record["note"] = f"child failed (exit {proc.returncode}): {last}"
    else:
        reported = json.loads(stdout.strip().splitlines()[-1])
        record["vm_hwm_bytes"] = reported.pop("vm_hwm_bytes")
        record.update(reported)
        # One process: the larger of its high-water mark and the sampled RSS (the
        # child reads VmHWM just before it exits, so the samples can catch a little more).
        record["peak_rss_bytes"] = (
            max(record["vm_hwm_bytes"], sampled_peak) if workers == 1 else record["vm_hwm_bytes"]
        )
    if workers > 1:
        record["note_memory"] = (
            "peak_rss_bytes is the main process only; sampled_tree_rss_bytes adds the workers"
        )
    record["loadavg"] = loadavg()
    _child_cache[key] = record
    return dict(record)


# ----------------------------------------------------------------------------- sections


def section_f(scenario, repeats: int) -> dict:
    """Fixed cost: sim.run(runs=1) and runs=200, first call reported apart."""
    log("F  fixed cost: sim.run(scenario, runs=1 / 200), combined.yaml, one worker")
    import_time = timed(
        lambda: subprocess.run(
            [sys.executable, "-c", "import sim.experiments.runner"],
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
            check=True,
        )
    )
    first = timed(lambda: sim.run(scenario, runs=1, seed=SEED))
    n = max(5, 2 * repeats + 1)
    one = repeat(lambda: sim.run(scenario, runs=1, seed=SEED), n)
    two_hundred = repeat(lambda: sim.run(scenario, runs=200, seed=SEED), max(3, repeats))
    out = {
        "process_start_and_import_s": import_time,
        "first_call_runs_1_s": first,
        "runs_1": one,
        "runs_200": two_hundred,
        "loadavg": loadavg(),
    }
    log(f"   fresh python + import sim.experiments.runner : {fmt_s(import_time)}")
    log(f"   first sim.run(runs=1)            : {fmt_s(first)}")
    log(
        f"   sim.run(runs=1), median of {n}    : {fmt_s(one['median_s'])}"
        f" (CPU {fmt_s(one['median_cpu_s'])})"
    )
    log(
        f"   sim.run(runs=200), median of {len(two_hundred['times_s'])}  : "
        f"{fmt_s(two_hundred['median_s'])}"
    )
    return out


def section_a(runs: int, repeats: int, with_100k: bool, limit_bytes: int) -> dict:
    """This engine: ``runs`` (10,000) runs on 1 worker and on all cores; 100,000 runs
    on 1 and 2 workers."""
    cores = os.cpu_count() or 1
    log(f"A  this engine: simulate(), median of {repeats}, seed {SEED}")
    out: dict = {"base": [], "runs_100k": []}
    for path in (COMBINED, PUBLIC_GOOD):
        scenario = load_scenario(path)
        for workers in sorted({1, cores}):
            r = repeat(lambda s=scenario, w=workers: simulate(s, runs, SEED, w), repeats)
            r.update(scenario=path.name, runs=runs, workers=workers, loadavg=loadavg())
            r["per_run_s"] = r["median_s"] / runs
            r["per_10k_runs_s"] = r["per_run_s"] * 10_000
            out["base"].append(r)
            scaled = "" if runs == 10_000 else f" -> {fmt_s(r['per_10k_runs_s'])} per 10,000 runs"
            log(
                f"   {path.name:18s} {runs:,} runs, {workers} worker(s): {fmt_s(r['median_s'])}"
                f"{scaled}  ({fmt_s(r['per_run_s'])} per run; all: "
                + ", ".join(fmt_s(t) for t in r["times_s"])
                + f"; CPU {fmt_s(r['median_cpu_s'])})"
            )
    if with_100k:
        log("   100,000 runs of combined.yaml, each in a fresh process (timed inside it)")
        for workers in (1, 2):
            r = run_child(COMBINED, 100_000, workers, limit_bytes)
            out["runs_100k"].append(r)
            log(
                f"   combined.yaml      100,000 runs, {workers} worker(s): "
                f"{fmt_s(r.get('seconds'))} (CPU {fmt_s(r.get('cpu_s'))})  {r.get('note', '')}"
            )
    return out


def section_s(points: int, runs: int, repeats: int, single_calls: int) -> dict:
    """Sweeps (issue #11): ``points`` x ``runs`` of combined.yaml (troops pledged on a
    grid) batched, on 1 and 2 workers; against one ``sim.run`` of the same total runs,
    and against one call per point (``single_calls`` calls timed, scaled)."""
    from sim.experiments.sweeps import SweepSpec, resolve_sweep, run_sweep

    base = load_scenario(COMBINED)
    step = max(1, 30_000 // points)
    spec = SweepSpec(
        base="combined.yaml",
        vary={"levers.troops_pledged": {"low": 0, "high": step * (points - 1), "step": step}},
    )
    plan = resolve_sweep(spec, base, runs=runs, seed=SEED)
    total = plan.n_points * runs
    log(f"S  sweeps: {plan.n_points} points x {runs} runs of combined.yaml (troops on a grid)")
    out: dict = {"points": plan.n_points, "runs_per_point": runs, "total_runs": total}
    for workers in (1, 2):
        r = repeat(lambda w=workers: run_sweep(plan, workers=w), repeats)
        r["runs_per_s"] = total / r["median_s"]
        out[f"batched_{workers}_workers"] = r
        log(
            f"   batched sweep, {workers} worker(s): {fmt_s(r['median_s'])} "
            f"({r['runs_per_s']:,.0f} runs/s; CPU {fmt_s(r['median_cpu_s'])})"
        )
    single = repeat(lambda: simulate(base, total, SEED, 1), repeats)
    out["one_run_call"] = single
    log(f"   one sim.run of {total:,} runs, 1 worker: {fmt_s(single['median_s'])}")
    scenarios = [plan.scenario(p) for p in range(single_calls)]
    clock = time.perf_counter()
    for scenario in scenarios:
        sim.run(scenario, runs=runs, seed=SEED)
    per_call = (time.perf_counter() - clock) / single_calls
    out["one_call_per_point_s"] = per_call * plan.n_points
    out["one_call_per_point_timed"] = single_calls
    batched = out["batched_1_workers"]["median_s"]
    out["batched_vs_one_run"] = batched / single["median_s"]
    out["per_point_calls_vs_batched"] = out["one_call_per_point_s"] / batched
    log(
        f"   one sim.run per point: {fmt_s(per_call)} per call -> "
        f"{fmt_s(out['one_call_per_point_s'])} for {plan.n_points} "
        f"(scaled from {single_calls}, not run)"
    )
    log(
        f"   batched / one run of the same total: {out['batched_vs_one_run']:.2f}x (target "
        f"<= 1.5x); one call per point / batched: {out['per_point_calls_vs_batched']:.1f}x"
    )
    out["loadavg"] = loadavg()
    return out


def section_b(runs: int, scale_to: int = 10_000) -> dict:
    """The standard Mesa way: one run per model instance, through mesa.batch_run."""
    import mesa

    from sim.engine.model import CrisisModel

    scenario = load_scenario(COMBINED)
    horizon = scenario.simulation.horizon_days

    class OneRun(CrisisModel):
        """One Monte Carlo run per model instance; stops itself after the horizon."""

        def __init__(self, scenario, seed: int) -> None:
            # Run ``seed`` of the batch of SEED: the same run as row ``seed`` of A.
            super().__init__(scenario, np.array([seed]), SEED)

        def step(self) -> None:
            super().step()
            if self.day >= horizon:
                self.running = False
                self.table = self.run_table()  # the per-run row, as A produces

    log(f"B  the standard Mesa way: mesa.batch_run, one run per model, {runs} runs of combined")
    results: list = []

    def batch() -> None:
        results[:] = mesa.batch_run(
            OneRun,
            parameters={"scenario": [scenario], "seed": range(runs)},
            number_processes=1,  # in this process (batch_run would use spawned workers)
            iterations=1,
            max_steps=horizon + 1,
            display_progress=False,
        )

    cpu_before = cpu_seconds()
    seconds = timed(batch)
    cpu = cpu_seconds() - cpu_before
    per_run = seconds / runs
    out = {
        "runs_timed": runs,
        "seconds": seconds,
        "cpu_s": cpu,
        "per_run_cpu_s": cpu / runs,
        "per_run_s": per_run,
        "scaled_to_runs": scale_to,
        "scaled_s": per_run * scale_to,
        "rows_returned": len(results),
        "mesa": mesa.__version__,
        "loadavg": loadavg(),
    }
    log(
        f"   {runs} runs: {fmt_s(seconds)} (CPU {fmt_s(cpu)}) = {fmt_s(per_run)} per run -> "
        f"{fmt_s(per_run * scale_to)} for {scale_to:,} runs (scaled from {runs}, not run)"
    )
    return out


def count_random_blocks(function: Callable[[], object]) -> dict:
    """Call ``function`` with the model's counter-based draws counted.

    Every random number comes through :func:`sim.engine.streams.uniforms`,
    :func:`sim.engine.streams.bernoulli` or :func:`sim.engine.streams.poisson` (as imported
    by ``sim.engine.model``, ``sim.engine.parameters``); one uniform is one Philox4x32-10
    block, a Bernoulli draw one block where it is uncertain (0 < p < 1, and
    ``where``), one Poisson count at least one (a PTRS rejection may take
    more: counted as one, so the count is a lower bound).  Purposes are named from the keys
    :func:`sim.engine.streams.purpose_key` made.
    """
    streams_module = importlib.import_module("sim.engine.streams")
    names: dict[bytes, str] = {}
    by_purpose: dict[str, int] = {}
    original_key = streams_module.purpose_key
    originals = {}

    def purpose_key(seed, name):
        key = original_key(seed, name)
        names[key.tobytes()] = "param:*" if name.startswith("param:") else name
        return key

    def counting(original):
        def wrapper(key, runs, *args, **kwargs):
            name = names.get(np.asarray(key).tobytes(), "?")
            by_purpose[name] = by_purpose.get(name, 0) + len(runs)
            return original(key, runs, *args, **kwargs)

        return wrapper

    def counting_bernoulli(original):
        # A number is computed only where 0 < p < 1 (and ``where`` holds).
        def wrapper(key, runs, day, probability, where=None):
            p = np.broadcast_to(np.asarray(probability, dtype=float), np.shape(runs))
            drawn = (p > 0.0) & (p < 1.0)
            if where is not None:
                drawn &= where
            name = names.get(np.asarray(key).tobytes(), "?")
            by_purpose[name] = by_purpose.get(name, 0) + int(drawn.sum())
            return original(key, runs, day, probability, where)

        return wrapper

    modules = (
        "sim.engine.streams",
        "sim.engine.model",
        "sim.engine.parameters",
        "sim.engine.agents",
    )
    for module_name in modules:
        module = importlib.import_module(module_name)
        for attribute in ("purpose_key", "uniforms", "poisson", "bernoulli"):
            if hasattr(module, attribute):
                original = originals[(module, attribute)] = getattr(module, attribute)
                if attribute == "purpose_key":
                    wrapped = purpose_key
                elif attribute == "bernoulli":
                    wrapped = counting_bernoulli(original)
                else:
                    wrapped = counting(original)
                setattr(module, attribute, wrapped)
    try:
        seconds = timed(function)
    finally:
        for (module, attribute), original in originals.items():
            setattr(module, attribute, original)
    top = sorted(by_purpose.items(), key=lambda item: -item[1])
    return {"blocks": sum(by_purpose.values()), "by_purpose": dict(top), "seconds": seconds}


def _floor_time(blocks: int, width: int, repeats: int) -> float:
    """Seconds to compute ``blocks`` uniforms with sim.engine.streams, ``width`` at a time."""
    from sim.engine.streams import purpose_key, uniforms

    key = purpose_key(SEED, "floor")
    runs = np.arange(width)

    def draw() -> None:
        left, day = blocks, 0
        while left > 0:
            uniforms(key, runs[: min(width, left)], day)
            left -= width
            day += 1

    uniforms(key, runs[:10], 0)  # compiled before timing
    return min(timed(draw) for _ in range(repeats))


def _pcg64_time(words: int, repeats: int) -> float:
    rng = np.random.Generator(np.random.PCG64(SEED))

    def draw() -> None:
        left = words
        while left > 0:
            rng.random(min(1_000_000, left))
            left -= 1_000_000

    return min(timed(draw) for _ in range(repeats))


def section_c(runs: int, engine_s: float | None, repeats: int) -> dict:
    """The floor: time to draw the random numbers ``runs`` runs of combined consume."""
    log(f"C  the floor: random numbers consumed by {runs:,} runs of combined.yaml (1 worker)")
    scenario = load_scenario(COMBINED)
    # Sanity check of the counter on a known draw.
    streams = importlib.import_module("sim.engine.streams")
    check = count_random_blocks(
        lambda: streams.uniforms(streams.purpose_key(1, "x"), np.arange(12_345), 0)
    )
    if check["blocks"] != 12_345:
        raise RuntimeError(f"the block counter is broken: {check}")
    counted = count_random_blocks(lambda: simulate(scenario, runs, SEED, 1))
    blocks = counted["blocks"]
    big = _floor_time(blocks, 1_000_000, max(3, repeats))
    small = _floor_time(blocks, 1_000, max(3, repeats))
    pcg64 = _pcg64_time(blocks, max(3, repeats))
    engine = engine_s if engine_s is not None else counted["seconds"]
    out = {
        "runs": runs,
        "philox_blocks": blocks,
        "blocks_by_purpose": counted["by_purpose"],
        "counted_run_s": counted["seconds"],
        "floor_s": big,
        "floor_blocks_of_1000_s": small,
        "pcg64_same_count_s": pcg64,
        "engine_s": engine,
        "engine_vs_floor": engine / big,
        "engine_vs_floor_blocks_of_1000": engine / small,
        "loadavg": loadavg(),
    }
    top = ", ".join(f"{k} {v / blocks:.0%}" for k, v in list(counted["by_purpose"].items())[:5])
    log(
        f"   {blocks:,} Philox4x32-10 blocks "
        f"({blocks / runs / scenario.simulation.horizon_days:.2f} per run-day); "
        f"largest: {top}"
    )
    log(
        f"   computing {blocks:,} uniforms: {fmt_s(big)} in calls of 10^6, "
        f"{fmt_s(small)} in calls of 1,000 (PCG64 for as many doubles: {fmt_s(pcg64)})"
    )
    log(
        f"   engine {fmt_s(engine)} = {out['engine_vs_floor']:.0f}x the floor "
        f"({out['engine_vs_floor_blocks_of_1000']:.0f}x the calls-of-1,000 floor)"
    )
    return out


def _nashpy_per_game(A: np.ndarray, B: np.ndarray, method: str, sample: int) -> float:
    import nashpy

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k in range(sample):
            game = nashpy.Game(A[k] - A[k].min() + 1.0, B[k] - B[k].min() + 1.0)
            list(getattr(game, method)())
    return (time.perf_counter() - start) / sample


def _best_of(repeats: int, function: Callable[[], object]) -> float:
    return min(timed(function) for _ in range(repeats))


def section_d(n_games: int, nashpy_sample: int) -> dict:
    """Equilibria of n_games 2x2 tables: vectorised, nashpy per game, compiled kernel."""
    from sim.games.selection import select_equilibrium

    rng = np.random.default_rng(0)
    A = rng.normal(size=(n_games, 2, 2))
    B = rng.normal(size=(n_games, 2, 2))
    log(f"D  equilibria: {n_games:,} random 2x2 games (one per run), nashpy on {nashpy_sample}")
    # The NumPy oracle; the compiled kernel is timed separately (_kernel).
    vectorised = _best_of(5, lambda: select_equilibrium(A, B, backend="numpy"))
    qre = _best_of(5, lambda: select_equilibrium(A, B, rule="logit_qre", precision=10.0))
    support = _nashpy_per_game(A, B, "support_enumeration", nashpy_sample)
    vertex = _nashpy_per_game(A, B, "vertex_enumeration", nashpy_sample)
    out: dict = {
        "games": n_games,
        "vectorised_select_s": vectorised,
        "vectorised_logit_qre_s": qre,
        "nashpy_sample": nashpy_sample,
        "nashpy_support_enumeration_per_game_s": support,
        "nashpy_support_enumeration_scaled_s": support * n_games,
        "nashpy_vertex_enumeration_per_game_s": vertex,
        "nashpy_vertex_enumeration_scaled_s": vertex * n_games,
        "kernel": _kernel(A, B),
        "loadavg": loadavg(),
    }
    log(f"   vectorised select_equilibrium (risk dominant): {fmt_s(vectorised)}")
    log(f"   vectorised logit QRE (precision 10)          : {fmt_s(qre)}")
    log(
        f"   nashpy support_enumeration: {fmt_s(support)} per game -> "
        f"{fmt_s(support * n_games)} for {n_games:,} (scaled from {nashpy_sample}); "
        f"{support * n_games / vectorised:,.0f}x the vectorised selection"
    )
    log(
        f"   nashpy vertex_enumeration : {fmt_s(vertex)} per game -> "
        f"{fmt_s(vertex * n_games)} for {n_games:,} (scaled)"
    )
    kernel = out["kernel"]
    if kernel.get("seconds") is not None:
        log(
            f"   compiled kernel sim.games.kernels.{kernel['function']}: {fmt_s(kernel['seconds'])}"
            f" (first call, with compilation: {fmt_s(kernel['first_call_s'])})"
        )
    else:
        log(f"   compiled kernel: {kernel['note']}")
    return out


def _kernel(A: np.ndarray, B: np.ndarray) -> dict:
    """Time the compiled kernel (``select_equilibrium(..., backend="numba")``)."""
    from sim.games.selection import select_equilibrium

    def call() -> object:
        return select_equilibrium(A, B, backend="numba")

    try:
        first = timed(call)
        seconds = _best_of(5, call)
    except Exception as error:  # report, never fail the benchmark
        return {"seconds": None, "note": f"select_equilibrium(backend='numba') failed: {error!r}"}
    return {"seconds": seconds, "first_call_s": first, "function": "select_kernel"}


def section_e(runs_list: list[int], limit_bytes: int) -> dict:
    """Peak memory of a fresh process simulating combined.yaml on one worker."""
    log(
        f"E  peak memory: a fresh process per size, combined.yaml, 1 worker, "
        f"killed above {limit_bytes / GB:g} GiB"
    )
    out = []
    for runs in runs_list:
        r = run_child(COMBINED, runs, 1, limit_bytes)
        out.append(r)
        peak, sampled = r["peak_rss_bytes"], r["sampled_tree_rss_bytes"]
        log(
            f"   {runs:>9,} runs: peak RSS {_gb(peak)} (sampled {_gb(sampled)}),"
            f" simulate {fmt_s(r.get('seconds'))}  {r.get('note', '')}"
        )
    return {"runs": out}


def section_profile(runs: int, top: int = 15) -> dict:
    """cProfile of ``runs`` runs of combined.yaml on one worker: top entries."""
    log(f"P  profile: cProfile of {runs:,} runs of combined.yaml, one worker")
    scenario = load_scenario(COMBINED)
    profiler = cProfile.Profile()
    profiler.enable()
    simulate(scenario, runs, SEED, 1)
    profiler.disable()
    stats = pstats.Stats(profiler)
    entries = []
    for (filename, line, function), (_cc, calls, tottime, cumtime, _) in stats.stats.items():
        entries.append(
            {
                "function": f"{_short_path(filename)}:{line}({function})",
                "calls": calls,
                "tottime_s": round(tottime, 4),
                "cumtime_s": round(cumtime, 4),
            }
        )
    out = {
        "runs": runs,
        "total_s": stats.total_tt,
        "loadavg": loadavg(),
        "by_cumulative": sorted(entries, key=lambda e: -e["cumtime_s"])[:top],
        "by_total": sorted(entries, key=lambda e: -e["tottime_s"])[:top],
    }
    for key, title in (("by_cumulative", "cumulative"), ("by_total", "total (own) time")):
        log(f"   top {top} by {title} (profiled total {fmt_s(stats.total_tt)}):")
        log(f"   {'calls':>10} {'own s':>8} {'cum s':>8}  function")
        for e in out[key]:
            log(
                f"   {e['calls']:>10,} {e['tottime_s']:8.3f} {e['cumtime_s']:8.3f}  {e['function']}"
            )
    return out


def _short_path(filename: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


# ----------------------------------------------------------------------------- summary


def evaluate_targets(res: dict) -> list[dict]:
    """The issue's targets with the measured values (None: not measured)."""
    a = {(r["scenario"], r["workers"]): r for r in res.get("A", {}).get("base", [])}
    combined = a.get(("combined.yaml", 1), {}).get("per_10k_runs_s")
    public = a.get(("public_good.yaml", 1), {}).get("per_10k_runs_s")
    base_runs = a.get(("combined.yaml", 1), {}).get("runs", 10_000)
    scaled = "" if base_runs == 10_000 else f" (scaled from {base_runs:,})"
    hundred = {r["workers"]: r.get("seconds") for r in res.get("A", {}).get("runs_100k", [])}
    memory = {r["runs"]: r for r in res.get("E", {}).get("runs", [])}
    b = res.get("B", {})
    values: dict[str, tuple[float | None, str, bool | None]] = {}

    def put(key, value, text, met):
        values[key] = (value, text if value is not None else "not measured", met)

    put(
        "combined_10k_one_core_s",
        combined,
        fmt_s(combined) + scaled,
        combined and combined <= 0.9,
    )
    ratio = public / combined if public and combined else None
    put("public_good_vs_combined", ratio, f"{ratio:.2f}x" if ratio else "", ratio and ratio <= 1.5)
    speedup = hundred[1] / hundred[2] if hundred.get(1) and hundred.get(2) else None
    put(
        "speedup_2_workers_100k",
        speedup,
        f"{speedup:.2f}x" if speedup else "",
        speedup and speedup >= 1.7,
    )
    one = res.get("F", {}).get("runs_1", {}).get("median_s")
    put("run_1_s", one, fmt_s(one), one and one <= 0.05)
    million = memory.get(1_000_000)
    if million is None:
        values["peak_memory_1m_gb"] = (None, "not measured (--full)", None)
    elif million.get("exceeded_limit"):
        limit = million["limit_bytes"] / GB
        values["peak_memory_1m_gb"] = (None, f"> {limit:g} GiB (killed at the limit)", False)
    elif million["peak_rss_bytes"] is None:
        values["peak_memory_1m_gb"] = (None, million.get("note", "failed"), None)
    else:
        gb = million["peak_rss_bytes"] / GB
        put("peak_memory_1m_gb", gb, f"{gb:.2f} GiB", million["peak_rss_bytes"] < 1e9)
    a_vs_b = b["per_run_s"] / (combined / 10_000) if b and combined else None
    put("a_vs_b_per_run", a_vs_b, f"{a_vs_b:,.0f}x" if a_vs_b else "", a_vs_b and a_vs_b >= 1000)
    floor = res.get("C", {}).get("engine_vs_floor")
    put("engine_vs_floor", floor, f"{floor:.0f}x" if floor else "", floor and floor <= 8)
    return [
        {
            "key": key,
            "target": TARGETS[key][0],
            "goal": TARGETS[key][1],
            "value": values[key][0],
            "measured": values[key][1],
            "met": None if values[key][2] is None else bool(values[key][2]),
        }
        for key in TARGETS
        if key in values
    ]


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


#: The outcome figure was redrawn from at least the first batch of a moved lever.
_REDRAWN = """([src, command]) => {
  const img = document.querySelector('#outcomes img');
  const out = document.querySelector('#outcomes');
  const now = document.querySelector('#command').innerText;
  const runs = /--set levers.troops_pledged=[0-9]+ --runs ([0-9]+)/.exec(now);
  return img && img.src !== src && !out.classList.contains('recalculating')
    && now !== command && runs && Number(runs[1]) >= 2000;
}"""


def section_w(moves: int = 5) -> dict:
    """The dashboard's response in Chromium: from a click on the troops slider to the
    redrawn outcome figure at the first batch (2,000 runs) and at 10,000 runs."""
    import shutil
    import urllib.request

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"note": "skipped: Playwright is not installed"}
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return {"note": "skipped: no Chromium (apt-get install chromium)"}
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "dashboard", str(COMBINED), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    first, full = [], []
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 1300})
            page.goto(url)
            done = "document.querySelector('#status').innerText.startsWith('10,000 of')"
            page.wait_for_function(done, timeout=300_000)
            line = page.locator(".irs-line").first.bounding_box()
            # Away from 1/3 (10,000 troops: the unchanged value, no new point to compute).
            for fraction in (0.1, 0.55, 0.25, 0.8, 0.95, 0.65, 0.45)[:moves]:
                src = page.locator("#outcomes img").get_attribute("src")
                command = page.inner_text("#command")
                start = time.perf_counter()
                page.mouse.click(line["x"] + fraction * line["width"], line["y"] + 4)
                page.wait_for_function(_REDRAWN, arg=[src, command], timeout=60_000)
                first.append(time.perf_counter() - start)
                page.wait_for_function(done, timeout=300_000)
                full.append(time.perf_counter() - start)
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    log(
        f"W  dashboard: first answer {[round(t, 2) for t in first]} s; 10,000 runs "
        f"{[round(t, 2) for t in full]} s"
    )
    return {
        "moves": moves,
        "first_answer_s": first,
        "first_answer_median_s": statistics.median(first),
        "first_answer_max_s": max(first),
        "refined_10000_median_s": statistics.median(full),
    }


def print_summary(res: dict) -> None:
    m = res["machine"]
    log()
    log("=" * 100)
    log(
        f"Summary  commit {str(m['git_commit'])[:10]}{' (dirty)' if m['git_dirty'] else ''}  "
        f"{m['date']}  {m['cpu']}, {m['cores']} cores  load {m['loadavg_start']} -> "
        f"{m.get('loadavg_end')}"
    )
    log("-" * 100)
    rows: list[tuple[str, str, str]] = []
    for r in res.get("A", {}).get("base", []):
        rows.append(
            (
                "A",
                f"{r['scenario']} {r['runs']:,} runs, {r['workers']} worker(s)",
                f"{fmt_s(r['median_s'])}  ({fmt_s(r['per_run_s'])}/run; "
                f"CPU {fmt_s(r['median_cpu_s'])})",
            )
        )
    for r in res.get("A", {}).get("runs_100k", []):
        text = (
            f"{fmt_s(r['seconds'])}  (CPU {fmt_s(r['cpu_s'])})"
            if "seconds" in r
            else r.get("note", "-")
        )
        rows.append(("A", f"combined.yaml 100,000 runs, {r['workers']} worker(s)", text))
    if "B" in res:
        b = res["B"]
        rows.append(
            (
                "B",
                f"mesa.batch_run, 1 run/model, 10,000 runs (scaled from {b['runs_timed']})",
                f"{fmt_s(b['scaled_s'])}  ({fmt_s(b['per_run_s'])}/run)",
            )
        )
    if "C" in res:
        c = res["C"]
        rows.append(
            (
                "C",
                f"Philox blocks consumed, {c['runs']:,} runs of combined",
                f"{c['philox_blocks']:,}",
            )
        )
        rows.append(("C", "floor: computing them (sim.engine.streams)", fmt_s(c["floor_s"])))
    if "D" in res:
        d = res["D"]
        rows.append(("D", "vectorised selection, 10,000 games", fmt_s(d["vectorised_select_s"])))
        rows.append(
            (
                "D",
                f"nashpy support enumeration, 10,000 games (scaled from {d['nashpy_sample']})",
                fmt_s(d["nashpy_support_enumeration_scaled_s"]),
            )
        )
        kernel = d["kernel"]
        rows.append(
            (
                "D",
                "compiled kernel, 10,000 games",
                fmt_s(kernel["seconds"]) if kernel.get("seconds") is not None else "not available",
            )
        )
    for r in res.get("E", {}).get("runs", []):
        text = (
            f"> {r['limit_bytes'] / GB:g} GiB (killed)"
            if r.get("exceeded_limit")
            else _gb(r["peak_rss_bytes"]) + ("" if r["peak_rss_bytes"] else " " + r.get("note", ""))
        )
        rows.append(("E", f"peak RSS, {r['runs']:,} runs of combined, 1 worker", text))
    if "F" in res:
        f = res["F"]
        rows.append(("F", "sim.run(runs=1), first call", fmt_s(f["first_call_runs_1_s"])))
        rows.append(("F", "sim.run(runs=1), median", fmt_s(f["runs_1"]["median_s"])))
        rows.append(("F", "sim.run(runs=200), median", fmt_s(f["runs_200"]["median_s"])))
    if "first_answer_median_s" in res.get("W", {}):
        w = res["W"]
        rows.append(
            (
                "W",
                f"dashboard: slider moved -> figure redrawn (2,000 runs), {w['moves']} moves",
                f"median {fmt_s(w['first_answer_median_s'])}, max {fmt_s(w['first_answer_max_s'])}",
            )
        )
        rows.append(
            ("W", "dashboard: ... -> refined to 10,000 runs", fmt_s(w["refined_10000_median_s"]))
        )
    for section, what, value in rows:
        log(f"{section}  {what:68s} {value}")
    log("-" * 100)
    log(f"{'target':52s} {'goal':>10s}  {'measured':>28s}  met")
    for t in res.get("targets", []):
        met = {True: "yes", False: "NO", None: "-"}[t["met"]]
        log(f"{t['target']:52s} {t['goal']:>10s}  {t['measured']:>28s}  {met}")
    log("=" * 100)


def headline(res: dict) -> dict[str, float]:
    """Flat key figures (seconds, bytes, ratios) for --compare."""
    flat: dict[str, float] = {}
    for r in res.get("A", {}).get("base", []):
        flat[f"A {r['scenario']} {r['runs']} runs w{r['workers']} s"] = r["median_s"]
        if "median_cpu_s" in r:
            flat[f"A {r['scenario']} {r['runs']} runs w{r['workers']} CPU s"] = r["median_cpu_s"]
    for r in res.get("A", {}).get("runs_100k", []):
        if r.get("seconds") is not None:
            flat[f"A combined.yaml 100k w{r['workers']} s"] = r["seconds"]
            flat[f"A combined.yaml 100k w{r['workers']} CPU s"] = r.get("cpu_s")
    if "B" in res:
        flat["B per run s"] = res["B"]["per_run_s"]
    if "C" in res:
        flat["C blocks"] = res["C"]["philox_blocks"]
        flat["C floor s"] = res["C"]["floor_s"]
    if "D" in res:
        flat["D vectorised s"] = res["D"]["vectorised_select_s"]
        if res["D"]["kernel"].get("seconds") is not None:
            flat["D kernel s"] = res["D"]["kernel"]["seconds"]
    for r in res.get("E", {}).get("runs", []):
        if r["peak_rss_bytes"] is not None:
            flat[f"E peak {r['runs']} GiB"] = r["peak_rss_bytes"] / GB
    if "F" in res:
        flat["F run(1) s"] = res["F"]["runs_1"]["median_s"]
        flat["F run(200) s"] = res["F"]["runs_200"]["median_s"]
    for t in res.get("targets", []):
        if t["value"] is not None:
            flat[f"target: {t['target']}"] = t["value"]
    return flat


def compare(old_path: str, new_path: str) -> None:
    old, new = (json.loads(Path(p).read_text()) for p in (old_path, new_path))
    a, b = headline(old), headline(new)

    def name(r: dict) -> str:
        return f"{str(r['machine']['git_commit'])[:10]} {r['machine']['date'][:10]}"

    log(f"{'figure':60s} {name(old):>22s} {name(new):>22s}  new/old")
    for key in dict.fromkeys([*a, *b]):
        x, y = a.get(key), b.get(key)
        ratio = f"{y / x:.2f}" if x and y else "-"
        fx = "-" if x is None else f"{x:.4g}"
        fy = "-" if y is None else f"{y:.4g}"
        log(f"{key:60s} {fx:>22s} {fy:>22s}  {ratio}")
    if old["machine"]["cpu"] != new["machine"]["cpu"]:
        log("warning: the two results come from different CPUs")


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="2,000 runs (scaled to 10,000), 1 repeat, no 100,000 runs, 50 B runs",
    )
    parser.add_argument("--full", action="store_true", help="also peak memory at 1,000,000 runs")
    parser.add_argument("--repeats", type=int, help="repeats per timing (default 3; --quick 1)")
    parser.add_argument(
        "--runs", type=int, help="runs for A, C (default 10,000; --quick 2,000, scaled to 10,000)"
    )
    parser.add_argument("--b-runs", type=int, help="runs timed for B (default 100; --quick 50)")
    parser.add_argument(
        "--memory-runs",
        help="comma-separated run counts for E (default 10000,100000; --quick: --runs; "
        "--full adds 1000000)",
    )
    parser.add_argument(
        "--memory-limit-gb", type=float, default=8.0, help="kill a child above this RSS, GiB (8)"
    )
    parser.add_argument(
        "--only", help="sections to run, e.g. A,C (default all: A,B,C,D,E,F,P,S,W)", default=None
    )
    parser.add_argument("--out", help="JSON output (default benchmarks/results/<commit>.json)")
    parser.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"), help="compare two JSON files")
    args = parser.parse_args(argv)
    if args.compare:
        compare(*args.compare)
        return

    repeats = args.repeats or (1 if args.quick else 3)
    b_runs = args.b_runs or (50 if args.quick else 100)
    runs = args.runs or (2_000 if args.quick else 10_000)
    if args.memory_runs:
        memory_runs = list(dict.fromkeys(int(x) for x in args.memory_runs.split(",") if x.strip()))
    else:
        memory_runs = [runs] if args.quick else [10_000, 100_000]
        if args.full:
            memory_runs.append(1_000_000)
    sections = set((args.only or "A,B,C,D,E,F,P,S,W").upper().replace(" ", "").split(","))
    limit = int(args.memory_limit_gb * GB)

    started = time.perf_counter()
    res: dict = {
        "machine": machine_info(),
        "settings": {
            "quick": args.quick,
            "full": args.full,
            "repeats": repeats,
            "runs": runs,
            "b_runs": b_runs,
            "memory_runs": memory_runs,
            "memory_limit_gb": args.memory_limit_gb,
            "sections": sorted(sections),
            "seed": SEED,
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
        },
    }
    m = res["machine"]
    log(
        f"sim benchmark: commit {str(m['git_commit'])[:10]}{' (dirty)' if m['git_dirty'] else ''}"
        f", {m['cpu']}, {m['cores']} cores, python {m['python']}, numpy "
        f"{m['versions']['numpy']}, numba {m['versions']['numba']}, load {m['loadavg_start']}"
    )
    busy = m["loadavg_start"] and m["loadavg_start"][0] > 0.5 * (m["cores"] or 1)
    if busy:
        log(
            f"warning: the machine is busy (load {m['loadavg_start'][0]} on {m['cores']} cores);"
            " wall-clock timings will be inflated (CPU times less so)"
        )
    if Path(m["sim_imported_from"]) != ROOT / "sim":
        log(f"warning: sim imported from {m['sim_imported_from']}, not {ROOT / 'sim'}")
    combined = load_scenario(COMBINED)
    section_times: dict[str, float] = {}

    def run(name: str, function: Callable[[], dict]) -> None:
        if name in sections:
            start = time.perf_counter()
            res[name] = function()
            section_times[name] = time.perf_counter() - start
            log(f"   ({name}: {fmt_s(section_times[name])})")

    # F first: its "first call" is the process's first simulation.
    run("F", lambda: section_f(combined, repeats))
    run("D", lambda: section_d(10_000, 100 if args.quick else 500))
    run("P", lambda: section_profile(2_000))
    run("A", lambda: section_a(runs, repeats, not args.quick, limit))
    engine = None
    for r in res.get("A", {}).get("base", []):
        if r["scenario"] == "combined.yaml" and r["workers"] == 1:
            engine = r["median_s"]
    run("C", lambda: section_c(runs, engine, repeats))
    run("B", lambda: section_b(b_runs))
    run("E", lambda: section_e(memory_runs, limit))
    run("S", lambda: section_s(100, 200, repeats, 5 if args.quick else 10))
    run("W", lambda: section_w(3 if args.quick else 5))

    res["targets"] = evaluate_targets(res)
    res["machine"]["loadavg_end"] = loadavg()
    res["section_seconds"] = section_times
    res["total_seconds"] = time.perf_counter() - started
    print_summary(res)
    commit = (m["git_commit"] or "unknown")[:12] + ("-dirty" if m["git_dirty"] else "")
    out = Path(args.out) if args.out else ROOT / "benchmarks" / "results" / f"{commit}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2, default=str) + "\n")
    log(f"total {fmt_s(res['total_seconds'])}; JSON written to {out}")


if __name__ == "__main__":
    main()
