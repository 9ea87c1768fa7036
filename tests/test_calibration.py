"""The ceasefire calibration (sim.experiments.calibration): the shipped parameters meet the Donbas
targets in the analogue scenario, points far from them do not, and the verdict reads
the Kaplan-Meier curve correctly."""

from __future__ import annotations

import pandas as pd

from sim.experiments.calibration import TARGETS, calibrate_ceasefire, survival_targets
from sim.scenario.loader import load_scenario

from .conftest import SCENARIOS

ANALOGUE = SCENARIOS / "calibration" / "donbas_truce.yaml"


def test_the_shipped_values_meet_both_targets():
    """Baseline's spiral and accident probabilities (inherited by the analogue) give a
    median truce of 7-28 days and a one-year share within 1/13's interval."""
    scenario = load_scenario(ANALOGUE)
    spiral = scenario.ceasefire.spiral_probability.central()
    accidents = scenario.ceasefire.accidental_violation_probability.central()
    table = calibrate_ceasefire(scenario, [spiral], [accidents], runs=2000, seed=3)
    row = table.iloc[0]
    assert row["median_in_band"] and row["one_year_in_band"], row.to_dict()


def test_points_far_from_the_record_are_rejected():
    """The model before calibration (0.15, 0.02) held truces too long (median > 28 days);
    a fearsome spiral with rare accidents holds almost every truce a year."""
    scenario = load_scenario(ANALOGUE)
    table = calibrate_ceasefire(scenario, [0.15, 0.6], [0.02, 0.0], runs=1500, seed=3)
    by_point = table.set_index(["spiral_probability", "accidental_violation_probability"])
    assert not by_point.loc[(0.15, 0.02), "median_in_band"]
    assert not by_point.loc[(0.6, 0.0), "accepted"]
    assert by_point.loc[(0.6, 0.0), "survival_365"] > 0.9


def _runs(lengths, ended):
    return pd.DataFrame({"first_ceasefire_length_days": lengths, "first_ceasefire_ended": ended})


def test_the_verdict_reads_the_survival_curve():
    """Half the truces end by day 10 and one in ten holds a year: accepted.  All end on
    day 2: the median is below the band."""
    lengths = [10] * 50 + [200] * 40 + [365] * 10
    ended = [True] * 90 + [False] * 10
    verdict = survival_targets(_runs(lengths, ended))
    assert verdict["median_in_band"] and verdict["one_year_in_band"]
    assert verdict["survival_365"] == 0.1
    early = survival_targets(_runs([2] * 20, [True] * 20))
    assert not early["median_in_band"] and not early["accepted"]
    assert TARGETS["median_days"] == (7, 28)
