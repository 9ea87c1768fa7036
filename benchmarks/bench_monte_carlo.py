"""Benchmarks: the Monte Carlo (runs per second) and the vectorised 2×2 solver vs nashpy.

Run by hand from the repository root (it writes nothing):

    python benchmarks/bench_monte_carlo.py            # 10,000 runs of troops_10000, 1 and 2 workers
    python benchmarks/bench_monte_carlo.py --runs 2000 --workers 1
    python benchmarks/bench_monte_carlo.py --solver-only   # 10,000 runs' 2x2 games only

Timings are wall-clock seconds on whatever machine runs it; compare them only
with timings taken on the same machine.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import nashpy
import numpy as np

from sim.games.selection import select_equilibrium
from sim.loader import load_scenario
from sim.runner import simulate


def time_monte_carlo(scenario_file: str, runs: int, workers: list[int]) -> None:
    scenario = load_scenario(scenario_file)
    days = scenario.simulation.horizon_days
    print(f"Monte Carlo: {scenario.name}, {runs:,} runs x {days} days")
    reference = None
    for count in workers:
        start = time.perf_counter()
        result = simulate(scenario, runs=runs, seed=1, workers=count)
        elapsed = time.perf_counter() - start
        same = (
            ""
            if reference is None
            else ("  (identical to 1 worker)" if result.runs.equals(reference) else "  (DIFFERS!)")
        )
        reference = result.runs if reference is None else reference
        print(
            f"  {count} worker(s): {elapsed:6.1f} s  = {runs / elapsed:7.0f} runs/s, "
            f"{elapsed / (runs * days) * 1e6:.2f} µs per run-day{same}"
        )


def _best_of(repeats: int, function) -> float:
    """Smallest wall-clock time of ``repeats`` calls (seconds)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def _nashpy_per_game(A: np.ndarray, B: np.ndarray, method: str, sample: int) -> float:
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k in range(sample):
            game = nashpy.Game(A[k] - A[k].min() + 1.0, B[k] - B[k].min() + 1.0)
            list(getattr(game, method)())
    return (time.perf_counter() - start) / sample


def time_solver(n_games: int, nashpy_sample: int) -> None:
    rng = np.random.default_rng(0)
    A = rng.normal(size=(n_games, 2, 2))
    B = rng.normal(size=(n_games, 2, 2))
    vectorised = _best_of(5, lambda: select_equilibrium(A, B))
    qre = _best_of(5, lambda: select_equilibrium(A, B, rule="logit_qre", precision=10.0))
    print(f"2x2 games: {n_games:,} random games (one per Monte Carlo run)")
    print(f"  vectorised closed form, all equilibria + selection: {vectorised * 1e3:8.2f} ms")
    print(f"  vectorised logit QRE (precision 10), principal branch: {qre * 1e3:8.2f} ms")
    timings = {}
    for method in ("support_enumeration", "vertex_enumeration"):
        timings[method] = _nashpy_per_game(A, B, method, nashpy_sample)
        print(
            f"  nashpy {method}, one game at a time: {timings[method] * 1e6:.0f} µs per game "
            f"-> {timings[method] * n_games:.2f} s for {n_games:,} games "
            f"(timed on {nashpy_sample})"
        )
    per_game = timings["support_enumeration"]
    print(
        f"  per simulated day (3 games x {n_games:,} runs): vectorised {3 * vectorised:.3f} s, "
        f"nashpy {3 * per_game * n_games:.1f} s; for 365 days: "
        f"{365 * 3 * vectorised:.1f} s vs {365 * 3 * per_game * n_games / 60:.0f} min"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/troops_10000.yaml")
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, os.cpu_count() or 1])
    parser.add_argument(
        "--solver-only", action="store_true", help="time the game solvers, not the Monte Carlo"
    )
    args = parser.parse_args()
    time_solver(10_000, 500)
    if not args.solver_only:
        time_monte_carlo(args.scenario, args.runs, sorted(set(args.workers)))


if __name__ == "__main__":
    main()
