"""Two checkouts' engines timed in interleaved pairs: a comparison that survives a noisy machine.

    python benchmarks/pairs.py OLD_CHECKOUT NEW_CHECKOUT    # combined.yaml, 10,000 runs, 10 pairs
    python benchmarks/pairs.py OLD NEW --scenario public_good.yaml --runs 10000 --pairs 8

On a shared machine the same code can take a third longer from one minute to
the next, more than most changes worth measuring.  This starts one long-lived
Python process per checkout (each imports its own ``sim`` and warms up with
2,000 runs), then asks them in turn, never both at once, to simulate the same
batch -- ``simulate(scenario, runs, seed=1, workers=1)`` -- alternating which
goes first.  It prints the CPU seconds of each, the ratio of the medians and
the median (and range) of the ratios of each pair.  The scenario is read from
each checkout's own ``scenarios/`` folder.  Checkouts from before the
restructuring of issue #22 (``sim.runner``, ``sim.loader``) work too.  Not a
test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

WORKER = """
import os, sys, time
root = {root!r}
sys.path.insert(0, root)
if os.path.isdir(os.path.join(root, "sim", "experiments")):
    from sim.experiments.runner import simulate
    from sim.scenario.loader import load_scenario
else:  # the layout before issue #22
    from sim.runner import simulate
    from sim.loader import load_scenario
scenario = load_scenario(os.path.join(root, "scenarios", {scenario!r}))
simulate(scenario, runs=2000, seed=1, workers=1)
print("ready", flush=True)
for line in sys.stdin:
    start = time.process_time()
    simulate(scenario, runs={runs}, seed=1, workers=1)
    print(time.process_time() - start, flush=True)
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path, help="the checkout to compare against")
    parser.add_argument("new", type=Path, help="the checkout to compare")
    parser.add_argument("--scenario", default="combined.yaml", help="a file in scenarios/")
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--pairs", type=int, default=10)
    args = parser.parse_args(argv)
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER.format(root=str(root.resolve()), scenario=args.scenario, runs=args.runs),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for root in (args.old, args.new)
    ]
    try:
        for process in processes:
            if process.stdout.readline().strip() != "ready":
                raise SystemExit("a checkout's process did not start (see its error above)")
        seconds: list[list[float]] = [[], []]
        for i in range(args.pairs):
            for j in (0, 1) if i % 2 == 0 else (1, 0):
                processes[j].stdin.write("go\n")
                processes[j].stdin.flush()
                seconds[j].append(float(processes[j].stdout.readline()))
    finally:
        for process in processes:
            process.stdin.close()
            process.wait()
    old, new = seconds
    ratios = [b / a for a, b in zip(old, new, strict=True)]
    print(
        f"{args.scenario}, {args.runs:,} runs, {args.pairs} pairs (CPU seconds): "
        f"old median {statistics.median(old):.2f} (min {min(old):.2f}), "
        f"new median {statistics.median(new):.2f} (min {min(new):.2f}); "
        f"ratio of medians {statistics.median(new) / statistics.median(old):.3f}; "
        f"ratios of pairs: median {statistics.median(ratios):.3f}, "
        f"{min(ratios):.2f} to {max(ratios):.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
