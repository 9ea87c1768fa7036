"""Outcome probabilities and their 95% Wilson intervals."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.engine.outcomes import OUTCOMES
from sim.results.summary import METRICS, summarise, wilson_interval

Z95 = 1.959963984540054  # the 97.5% quantile of the standard normal


def wilson_by_hand(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson (1927) score interval, written out."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857-872, Table II, method 3 (score).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_published_values(k, n, low, high):
    got_low, got_high = wilson_interval(k, n)
    assert got_low == pytest.approx(low, abs=5e-5)
    assert got_high == pytest.approx(high, abs=5e-5)


@given(st.integers(1, 100_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_matches_the_formula_and_contains_the_estimate(case):
    k, n = case
    low, high = wilson_interval(k, n)
    hand_low, hand_high = wilson_by_hand(k, n)
    assert low == pytest.approx(max(hand_low, 0.0), abs=1e-9)
    assert high == pytest.approx(min(hand_high, 1.0), abs=1e-9)
    assert 0.0 <= low <= k / n <= high <= 1.0


def test_summary_counts_every_outcome_once():
    outcomes = ["durable_ceasefire"] * 6 + ["war_continues"] * 3 + ["peacekeepers_attacked"]
    runs = pd.DataFrame({"outcome": pd.Categorical(outcomes, categories=list(OUTCOMES))})
    for name in ("ceasefire_days_held", "peak_troops_deployed"):
        runs[name] = range(10)
    for name in set(METRICS) - set(runs):
        runs[name] = pd.array([None] * 10, dtype="Int64")
    summary = summarise(runs)
    assert summary["runs"] == 10
    assert list(summary["outcomes"]) == list(OUTCOMES)
    assert summary["outcomes"]["durable_ceasefire"]["count"] == 6
    assert summary["outcomes"]["durable_ceasefire"]["probability"] == 0.6
    assert summary["outcomes"]["frozen_conflict"] == {
        "count": 0,
        "probability": 0.0,
        "ci95": [0.0, pytest.approx(wilson_by_hand(0, 10)[1])],
    }
    assert sum(o["probability"] for o in summary["outcomes"].values()) == pytest.approx(1.0)
    assert summary["metrics"]["ceasefire_days_held"]["mean"] == 4.5
    assert summary["metrics"]["ceasefire_days_held"]["q50"] == 4.5
    # One shape for every metric: a metric defined in no run has nulls, not missing keys.
    assert summary["metrics"]["escalation_day"] == {
        "n": 0,
        "mean": None,
        **{key: None for key in ("q05", "q25", "q50", "q75", "q95")},
    }
    assert all(
        set(entry) == set(summary["metrics"]["ceasefire_days_held"])
        for entry in summary["metrics"].values()
    )
