"""Counter-based random numbers (sim.engine.streams) and what they promise the user:
results that depend on the seed and the run's index only -- not on the chunk
width, the number of workers, or the rest of the batch."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.engine import streams
from sim.engine.parameters import draw_parameters, uncertain_parameters
from sim.experiments.runner import simulate, trace
from sim.scenario.loader import load_scenario
from sim.scenario.overrides import with_overrides
from tests.conftest import SCENARIOS

# Random123's published known-answer vectors for Philox4x32-10 (tests/kat_vectors of
# the reference implementation): (counter, key, output).
PHILOX_KAT = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    (
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
]


@pytest.mark.parametrize("counter, key, expected", PHILOX_KAT)
def test_philox_matches_the_reference_vectors(counter, key, expected, monkeypatch):
    key = np.array(key, dtype=np.uint64)
    c0, c1, c2, c3 = counter
    for numba_off in ("0", "1"):  # the compiled kernel and the NumPy oracle
        monkeypatch.setenv("SIM_NO_NUMBA", numba_off)
        # The public function's counter is (run, day + 1, slot, block).
        block = streams.philox_blocks(key, np.array([c0]), c1 - 1, c2, c3)
        assert tuple(int(w) for w in block[0]) == expected


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**63 - 1),
    first=st.integers(0, streams.MAX_RUNS - 64),
    day=st.integers(-1, 5000),
    slot=st.integers(0, 50),
)
def test_compiled_uniforms_equal_the_numpy_oracle(seed, first, day, slot):
    key = streams.purpose_key(seed, "talks")
    runs = np.arange(first, first + 64)
    compiled = streams.uniforms(key, runs, day, slot)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SIM_NO_NUMBA", "1")
        oracle = streams.uniforms(key, runs, day, slot)
    np.testing.assert_array_equal(compiled, oracle)
    assert ((compiled > 0) & (compiled < 1)).all()


def test_the_extreme_words_map_inside_the_unit_interval():
    """All-ones and all-zero words give 1 - 2**-53 and 2**-53: never 0 or 1, so
    u < 1 always holds and inverse CDFs stay finite."""
    from sim.engine.streams import _unit

    top = _unit(np.uint64(0xFFFFFFFF), np.uint64(0xFFFFFFFF))
    bottom = _unit(np.uint64(0), np.uint64(0))
    assert top == 1.0 - 2.0**-53 and bottom == 2.0**-53


def test_poisson_edge_cases_end():
    """A NaN or non-positive mean gives 0 (and returns); inversion stops where the
    rounded CDF stops growing instead of running to a cap."""
    key = streams.purpose_key(1, "casualties")
    lam = np.array([np.nan, -1.0, 0.0, 9.99, 1e-300, 12.0])
    x = streams.poisson(key, np.arange(lam.size), 0, 0, lam)
    assert x[0] == 0 and x[1] == 0 and x[2] == 0 and x[4] == 0
    many = streams.poisson(key, np.arange(200_000), 1, 0, np.full(200_000, 9.99))
    assert many.max() < 40


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 300), masked=st.booleans())
def test_compiled_bernoulli_equals_the_numpy_oracle(seed, n, masked):
    rng = np.random.default_rng(seed)
    p = rng.choice([0.0, 1.0, 0.5, -0.1, 1.5, np.nan, 1e-12], n) * rng.choice([1.0, 0.3], n)
    where = rng.random(n) < 0.6 if masked else None
    key, runs = streams.purpose_key(seed, "spiral"), rng.integers(0, 2**32, n)
    compiled = streams.bernoulli(key, runs, 4, p, where)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SIM_NO_NUMBA", "1")
        oracle = streams.bernoulli(key, runs, 4, p, where)
    np.testing.assert_array_equal(compiled, oracle)
    # What it means: u < p where it is drawn, p >= 1 certain, p <= 0 and NaN never.
    u = streams.uniforms(key, runs, 4)
    expected = np.where(p >= 1, True, np.where(p > 0, u < p, False))
    if where is not None:
        expected &= where
    np.testing.assert_array_equal(compiled, expected)
    scalar = streams.bernoulli(key, runs, 4, 0.25)
    np.testing.assert_array_equal(scalar, u < 0.25)


def test_uniforms_are_uniform_and_independent_across_coordinates():
    key = streams.purpose_key(7, "spiral")
    runs = np.arange(200_000)
    u = streams.uniforms(key, runs, day=3)
    assert stats.kstest(u, "uniform").pvalue > 1e-4
    # Neighbouring runs, days, slots and purposes are uncorrelated.
    others = [
        streams.uniforms(key, runs + 1, day=3),
        streams.uniforms(key, runs, day=4),
        streams.uniforms(key, runs, day=3, slot=1),
        streams.uniforms(streams.purpose_key(7, "talks"), runs, day=3),
        streams.uniforms(streams.purpose_key(8, "spiral"), runs, day=3),
    ]
    for v in others:
        assert abs(np.corrcoef(u, v)[0, 1]) < 0.015  # 6.7 standard errors at n = 200,000


@pytest.mark.parametrize("lam", [0.3, 4.0, 9.99, 10.0, 37.5, 400.0])
def test_poisson_counts_have_the_poisson_distribution(lam):
    key = streams.purpose_key(3, "casualties")
    n = 100_000
    x = streams.poisson(key, np.arange(n), day=0, slot=2, lam=np.full(n, lam))
    assert (x >= 0).all() and (x == np.floor(x)).all()
    # Mean and variance within 5 standard errors of lam.
    assert abs(x.mean() - lam) < 5 * np.sqrt(lam / n)
    assert abs(x.var() - lam) < 5 * lam * np.sqrt(2 / n + 1 / (lam * n))
    # The whole distribution: chi-square over the cells that expect 20 or more counts.
    values = np.arange(int(lam + 10 * np.sqrt(lam) + 10))
    expected = stats.poisson.pmf(values, lam) * n
    keep = expected >= 20
    observed = np.array([(x == v).sum() for v in values[keep]])
    rest_obs, rest_exp = n - observed.sum(), n - expected[keep].sum()
    chi2 = ((observed - expected[keep]) ** 2 / expected[keep]).sum()
    chi2 += (rest_obs - rest_exp) ** 2 / max(rest_exp, 1e-9)
    assert stats.chi2.sf(chi2, keep.sum()) > 1e-4
    # Zero mean, zero count; no draw is needed.
    zero = streams.poisson(key, np.arange(5), day=0, slot=0, lam=np.zeros(5))
    assert (zero == 0).all()


def test_parameter_draws_depend_on_seed_run_and_name_only():
    combined = load_scenario(SCENARIOS / "combined.yaml")
    batch = draw_parameters(combined, np.arange(1000), seed=5)
    alone = draw_parameters(combined, np.array([737]), seed=5)
    for name, values in batch.values.items():
        assert values[737] == alone[name][0]
    # Another scenario with a parameter of the same name and distribution: the same draws.
    public_good = load_scenario(SCENARIOS / "public_good.yaml")
    other = draw_parameters(public_good, np.arange(1000), seed=5)
    ours, theirs = dict(uncertain_parameters(combined)), dict(uncertain_parameters(public_good))
    same = [n for n in ours.keys() & theirs.keys() if ours[n] == theirs[n]]
    assert len(same) > 20
    for name in same:
        np.testing.assert_array_equal(batch[name], other[name])
    # A wider range moves every run's draw outwards: each run keeps its quantile.
    name = "actors.russia.resolve"
    wider = with_overrides(combined, {name: {"dist": "uniform", "low": 0.0, "high": 10.0}})
    narrow = with_overrides(combined, {name: {"dist": "uniform", "low": 1.0, "high": 2.0}})
    a = draw_parameters(wider, np.arange(1000), seed=5)[name]
    b = draw_parameters(narrow, np.arange(1000), seed=5)[name]
    np.testing.assert_allclose((a - 0.0) / 10.0, (b - 1.0) / 1.0)


# ------------------------------------------------------------------ the engine


def _short(name: str, **overrides):
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    return with_overrides(scenario, {"simulation.horizon_days": 90, **overrides})


# Every kind of draw: talks, the agreed ceasefire and its violations and collapse, the
# threat and the US's type, deployment (entry, strikes, casualties, the clash), the
# coalition's private belief (incidents), the public-good game, random selection, the
# logit QRE (whose iterations drop games as they converge).
ENGINE_CASES = {
    "combined": {},
    "forced": {"levers.deployment": "forced"},
    "known_resolve": {},
    "public_good": {},
    "random_selection": {"games.selection": "random"},
    "logit_qre": {"games.selection": "logit_qre"},
}


def _case(name: str):
    overrides = ENGINE_CASES[name]
    base = name if name in ("combined", "known_resolve", "public_good") else "combined"
    return _short(base, **overrides)


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
@pytest.mark.parametrize("name", list(ENGINE_CASES))
def test_results_do_not_depend_on_the_chunk_width(name):
    scenario = _case(name)
    # The logit QRE iterates each day's games: at width 1 its runs cost most, so fewer.
    runs = 12 if name == "logit_qre" else 23
    results = [simulate(scenario, runs=runs, seed=9, chunk_runs=w) for w in (1, 7, 1000, 10_000)]
    first = results[0]
    for other in results[1:]:
        pd.testing.assert_frame_equal(first.runs, other.runs)
        for variable, values in first.trajectories.items():
            np.testing.assert_array_equal(values, other.trajectories[variable])
        pd.testing.assert_frame_equal(first.daily.quantile_table(), other.daily.quantile_table())


def test_wide_chunks_equal_narrow_ones_when_the_batch_is_wide_too():
    """Widths of 1,000 and 10,000 only differ from each other on a batch wider than
    1,000: 2,500 runs in three chunks (1,000 + 1,000 + 500) or in one."""
    scenario = _case("combined")
    narrow = simulate(scenario, runs=2500, seed=4, chunk_runs=1000, keep_trajectories=False)
    wide = simulate(scenario, runs=2500, seed=4, chunk_runs=10_000, keep_trajectories=False)
    assert narrow.runs["outcome"].nunique() >= 3
    pd.testing.assert_frame_equal(narrow.runs, wide.runs)
    pd.testing.assert_frame_equal(narrow.daily.quantile_table(), wide.daily.quantile_table())


def test_the_chunk_width_test_sees_every_kind_of_event():
    """The widths test above would pass vacuously if nothing random happened."""
    runs = simulate(_case("forced"), runs=200, seed=9).runs
    assert runs["attacks_on_peacekeepers"].sum() > 0
    assert runs["peacekeeper_casualties"].sum() > 0
    assert runs["ceasefire_collapses"].sum() > 0
    assert runs["russia_violation_days"].sum() > 0
    assert runs["outcome"].nunique() >= 3


def test_results_do_not_depend_on_the_workers():
    scenario = _case("combined")
    one = simulate(scenario, runs=60, seed=2, workers=1, chunk_runs=10)
    default_two = simulate(scenario, runs=60, seed=2, workers=2)  # two chunks of 30
    pd.testing.assert_frame_equal(one.runs, default_two.runs)
    # Six chunks on two workers, which send per-day counts without trajectories, not
    # runs x days: the same runs and the same daily figures.
    counted = simulate(scenario, runs=60, seed=2, workers=2, chunk_runs=10, keep_trajectories=False)
    assert counted.trajectories is None
    pd.testing.assert_frame_equal(one.runs, counted.runs)
    pd.testing.assert_frame_equal(one.daily.quantile_table(), counted.daily.quantile_table())
    pd.testing.assert_frame_equal(one.daily.daily_states(), counted.daily.daily_states())


def test_default_workers_keep_small_batches_in_one_process():
    from sim.experiments.runner import MIN_RUN_DAYS_PER_WORKER, default_workers

    assert default_workers(10_000, 365, cores=2) == 1  # 3.65 million run-days
    assert default_workers(100_000, 365, cores=2) == 2
    assert default_workers(100_000, 365, cores=1) == 1
    assert default_workers(1, 365, cores=8) == 1
    assert default_workers(3 * MIN_RUN_DAYS_PER_WORKER, 1, cores=8) == 3


@pytest.mark.parametrize("name", ["combined", "public_good", "known_resolve"])
def test_run_k_alone_is_run_k_of_the_batch(name):
    scenario = _case(name)
    batch = simulate(scenario, runs=40, seed=13).runs
    for k in (0, 17, 39):
        alone = simulate(scenario, runs=1, seed=13, first_run=k).runs
        pd.testing.assert_frame_equal(alone, batch.iloc[[k]].reset_index(drop=True))
    # A batch that starts elsewhere holds the same runs.
    middle = simulate(scenario, runs=10, seed=13, first_run=15).runs
    pd.testing.assert_frame_equal(middle, batch.iloc[15:25].reset_index(drop=True))
    # The traced run too (sim trace simulates it alone).
    traced = trace(scenario, 17, runs=40, seed=13).row
    expected = batch.iloc[17]
    for column in ("outcome", "ceasefire_days_held", "deployment_start_day", "run"):
        assert (traced[column] == expected[column]) or (
            pd.isna(traced[column]) and pd.isna(expected[column])
        )


def test_run_k_alone_is_run_k_of_the_batch_without_numba(monkeypatch):
    """The NumPy reference path too: no reduction depends on how many runs there are."""
    monkeypatch.setenv("SIM_NO_NUMBA", "1")
    scenario = _case("forced")
    batch = simulate(scenario, runs=12, seed=13).runs
    for k in (3, 11):
        alone = simulate(scenario, runs=1, seed=13, first_run=k).runs
        pd.testing.assert_frame_equal(alone, batch.iloc[[k]].reset_index(drop=True))


def test_a_larger_batch_holds_the_smaller_one():
    scenario = _case("combined")
    small = simulate(scenario, runs=120, seed=4).runs
    large = simulate(scenario, runs=300, seed=4).runs
    pd.testing.assert_frame_equal(small, large.iloc[:120])


def test_run_indices_are_bounded():
    scenario = _case("combined")
    with pytest.raises(ValueError, match="run indices"):
        simulate(scenario, runs=2, seed=1, first_run=streams.MAX_RUNS - 1)
