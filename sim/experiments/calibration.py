"""Calibrate the ceasefire's collapse mechanics to the record of monitored truces in Donbas.

What it fits: ``ceasefire.spiral_probability`` (the chance that an
unattributed unilateral violation ends a ceasefire) and
``ceasefire.accidental_violation_probability`` (each side's daily chance of
an unordered violation), the two parameters that set how long a ceasefire
without peacekeepers or sanctions holds.

Against what (docs/sources.md, [S5]-[S7]):

* **T1, two weeks.** Of the twelve ceasefire recommitments of 2015-2018 in
  Donbas, monitored by the OSCE Special Monitoring Mission, "an average
  truce holds for around two weeks before the return to the level of
  violence which was before" [S5].  Accepted: a median length between 7
  and 28 days.
* **T2, one in thirteen holds a year.** The ceasefire of 27 July 2020 cut
  the daily violations almost twenty-fold and held until the invasion of
  February 2022 [S6], [S7]: one of the thirteen monitored truces outlived a
  year.  Accepted: the share still holding after 365 days within the 95%
  Wilson interval of 1/13 (1.4%-33.3%).

How: the analogue scenario (``scenarios/calibration/donbas_truce.yaml``:
an agreed truce without peacekeepers or a sanctions threat, monitored at the
base detection probability) is run on a grid of the two parameters with
common random numbers; the Kaplan-Meier survival of the first ceasefire
(:func:`sim.results.summary.ceasefire_survival`, followed up past the horizon) gives
the median band and the one-year share; the grid points meeting both
targets are the accepted set (rejection ABC with a uniform prior on the
grid; Beaumont 2010), and the distance of each point to the targets' centres
(``|log2(median / 14)| + |logit S365 - logit(1/13)|``) ranks them.  The
accepted set, not one point, is the result: its spread is the calibration's
uncertainty.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from sim.experiments.runner import simulate
from sim.results.summary import ceasefire_survival
from sim.scenario.overrides import with_overrides
from sim.scenario.schema import Scenario

__all__ = ["TARGETS", "calibrate_ceasefire", "survival_targets"]

#: The targets: the median truce in [7, 28] days; one-year survival in [1.4%, 33.3%].
TARGETS = {
    "median_days": (7, 28),
    "median_centre": 14,
    "survival_365": (0.014, 0.333),
    "survival_365_centre": 1 / 13,
}


def survival_targets(runs: pd.DataFrame) -> dict:
    """Kaplan-Meier survival of the first ceasefire at 7, 14, 28 and 365 days; whether
    the median lies in T1's band and the one-year share in T2's; the distance."""
    survival = ceasefire_survival(runs, days=(7, 14, 28, 365))
    s = {t: survival[str(t)]["probability"] for t in (7, 14, 28, 365)}
    s = {t: (0.0 if v is None else v) for t, v in s.items()}
    low, high = TARGETS["survival_365"]
    # The median lies in [7, 28] iff S(7) >= 0.5 >= S(28).
    median_ok = s[7] >= 0.5 >= s[28]
    one_year_ok = low <= s[365] <= high
    # log2 distance of the median from 14 days, read off the three survival points.
    if s[14] >= 0.5:
        median_gap = 0.0 if s[28] <= 0.5 else 1.0 + (s[28] - 0.5)
        median_gap = min(median_gap, (s[14] - 0.5) / max(s[14] - s[28], 1e-9))
    else:
        median_gap = min(1.0 + (0.5 - s[7]), (0.5 - s[14]) / max(s[7] - s[14], 1e-9))
    clip = min(max(s[365], 1e-4), 1 - 1e-4)
    logit = math.log(clip / (1 - clip))
    centre = TARGETS["survival_365_centre"]
    distance = median_gap + abs(logit - math.log(centre / (1 - centre)))
    return {
        "survival_7": s[7],
        "survival_14": s[14],
        "survival_28": s[28],
        "survival_365": s[365],
        "median_in_band": median_ok,
        "one_year_in_band": one_year_ok,
        "accepted": median_ok and one_year_ok,
        "distance": distance,
    }


def calibrate_ceasefire(
    scenario: Scenario,
    spiral: Sequence[float],
    accidents: Sequence[float],
    runs: int,
    seed: int,
) -> pd.DataFrame:
    """One row per grid point: the two parameters, the survival figures and the verdict."""
    rows = []
    for s in spiral:
        for a in accidents:
            point = with_overrides(
                scenario,
                {
                    "ceasefire.spiral_probability": float(s),
                    "ceasefire.accidental_violation_probability": float(a),
                },
            )
            result = simulate(point, runs=runs, seed=seed, workers=1, progress=False)
            rows.append(
                {
                    "spiral_probability": s,
                    "accidental_violation_probability": a,
                    **survival_targets(result.runs),
                }
            )
    return pd.DataFrame(rows)
