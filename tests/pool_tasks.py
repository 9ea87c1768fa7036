"""Tasks for the tests that run :func:`sim.experiments.runner.run_pool` directly.

Its workers are spawned: they import what they run, so it lives in a module that does
nothing when imported (a test module would import the suite's fixtures with it).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from pathlib import Path


def busy(marker: str, seconds: float) -> float:
    """Write this process's PID to ``marker``, then sleep ``seconds``."""
    Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(seconds)
    return seconds


def _threads(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


def _pool_workers() -> list:
    return [p for p in multiprocessing.active_children() if "PoolWorker" in p.name]


def kill_the_idle_worker(directory: str) -> None:
    """(Run as a script.) A batch of one long task on two workers; the idle worker is
    killed while it waits for a task.  Prints what the batch raised and how long it took."""
    from sim.experiments.runner import run_pool

    marker = Path(directory) / "busy"
    killed: list[int] = []

    def killer() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            workers = _pool_workers()
            busy_pid = marker.read_text() if marker.exists() else ""
            idle = [p for p in workers if busy_pid and str(p.pid) != busy_pid]
            # Its initializer has started the parent-watching thread: it is past its
            # imports, and waits for a task.
            if len(workers) == 2 and len(idle) == 1 and _threads(idle[0].pid) >= 2:
                time.sleep(0.5)
                killed.append(idle[0].pid)
                os.kill(idle[0].pid, signal.SIGKILL)
                return
            time.sleep(0.05)

    threading.Thread(target=killer, daemon=True).start()
    started = time.monotonic()
    try:
        run_pool([(0, busy, (str(marker), 120.0))], 2, {}, lambda runs: None)
    except ChildProcessError as error:
        print(f"ChildProcessError: {error}")
    print(f"killed {len(killed)}; ended after {time.monotonic() - started:.1f} s")
    print(f"workers left {len(_pool_workers())}")
    sys.stdout.flush()
