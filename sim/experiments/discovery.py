"""Scenario discovery: which regions of a sweep's inputs lead to an outcome of interest.

A sweep gives, at every point of a design, each outcome's share of runs.
Scenario discovery (Bryant & Lempert 2010) turns that table into a few
readable conditions: the points are split into *cases of interest* (a
share below or above a value) and the others, and an algorithm looks for
boxes -- a range for each of a few inputs, the other inputs free -- where
the cases of interest concentrate.  A box is judged by two numbers:

*coverage*
    the share of all cases of interest that fall in the box (how much of
    the phenomenon the box explains; recall);
*density*
    the share of the points in the box that are cases of interest (how
    pure the box is; precision).

and by its *mass*, the share of all points in the box, and by how few
inputs it restricts (interpretability).  Two algorithms:

PRIM
    the Patient Rule Induction Method (Friedman & Fisher 1999), as EMA
    Workbench implements it for scenario discovery (``ema_workbench.analysis.prim``,
    Kwakkel 2017; an optional extra: ``pip install "sim[discover]"``).  PRIM
    peels thin slices (``PEEL_ALPHA`` of the points) off the box, one input at
    a time, until the box holds ``MASS_MIN`` of the points; every step is a
    candidate box on the *peeling trajectory*.  Of the candidates at least
    ``threshold`` dense, the one with the best balance of coverage and
    density (their harmonic mean) is chosen, and each of its restrictions
    carries the quasi-p-value of Bryant & Lempert (2010): a one-sided
    binomial test of whether lifting it would lower the density.  Restrictions
    that are not significant (above ``QP_SIGNIFICANT``) are lifted one side at a
    time, the least significant first, testing the rest again each time.
CART
    a classification tree (Breiman, Friedman, Olshen & Stone 1984),
    scikit-learn's ``DecisionTreeClassifier`` with Gini splits, at most
    ``CART_MAX_DEPTH`` levels, leaves of at least ``MASS_MIN`` of the points
    and the authors' cost-complexity pruning (``CART_CCP_ALPHA``).  Every leaf
    the tree classes as of interest (most of its points are) is a box.

Everything is deterministic: PRIM draws nothing, and the tree's ties are
broken by a fixed ``random_state``.  The ranges are written in the
scenario's words and units (:func:`describe_range`).

References: Friedman, J. H. & Fisher, N. I. (1999) Bump hunting in
high-dimensional data, *Statistics and Computing* 9: 123-143.  Breiman, L.,
Friedman, J., Olshen, R. & Stone, C. (1984) *Classification and Regression
Trees*, Wadsworth.  Bryant, B. P. & Lempert, R. J. (2010) Thinking inside the
box: a participatory, computer-assisted approach to scenario discovery,
*Technological Forecasting and Social Change* 77: 34-49.  Kwakkel, J. H.
(2017) The Exploratory Modeling Workbench, *Environmental Modelling &
Software* 96: 239-250.
"""

from __future__ import annotations

import contextlib
import logging
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import SimError

__all__ = [
    "DiscoveryError",
    "DiscoveryResult",
    "PrimUnavailableError",
    "describe_input",
    "describe_range",
    "discover",
    "outcome_names",
    "replace_discovery",
    "write_discovery",
]

#: PRIM's share of the box's points peeled off at each step, and of pasting.
PEEL_ALPHA = 0.05
PASTE_ALPHA = 0.05
#: The smallest box, PRIM's and a CART leaf's, as a share of all points.
MASS_MIN = 0.05
#: The density a PRIM box must reach (the default of ``threshold``).
DEFAULT_THRESHOLD = 0.8
#: A PRIM restriction whose quasi-p-value is larger is not significant: lifted if the
#: box stays at least ``threshold`` dense.
QP_SIGNIFICANT = 0.05
CART_MAX_DEPTH = 4
#: Cost-complexity pruning (Breiman et al. 1984, ch. 3): a subtree stays only if it
#: lowers the tree's weighted Gini impurity by at least this much per leaf it adds.
CART_CCP_ALPHA = 0.002

#: Columns of a sweep's points table (or per-run table) that are results, not inputs.
_RESULT_COLUMNS = {"point", "run", "runs", "outcome", "conflict_state", "force_fate"}
_RESULT_PREFIXES = ("p:", "mean:", "q50:", "ci95_")

BOX_COLUMNS = (
    "box",
    "input",
    "description",
    "low",
    "high",
    "range_low",
    "range_high",
    "coverage",
    "density",
    "mass",
    "points",
)
TRAJECTORY_COLUMNS = ("step", "coverage", "density", "mass", "restricted", "chosen")

#: The folder a discovery writes into a sweep directory, and the extra PRIM needs.
DISCOVERY = "discovery"
EXTRA = 'pip install "sim[discover]"'


class DiscoveryError(SimError, ValueError):
    """The table, the outcome or a setting does not allow a discovery (one line)."""


class PrimUnavailableError(SimError, ImportError):
    """EMA Workbench, which PRIM needs, is not installed (the message names the extra)."""


@dataclass(frozen=True)
class Case:
    """Which points are of interest: ``outcome``'s share ``rule`` (below/above) ``value``."""

    outcome: str
    rule: str
    value: float
    chosen_by: str  # "given", or "median" when neither below nor above was given

    def describe(self) -> str:
        what = outcome_words(self.outcome)
        median = " (its median over the points)" if self.chosen_by == "median" else ""
        return f"the share of runs ending in {what} is {self.rule} {self.value:.4g}{median}"


@dataclass(frozen=True)
class DiscoveryResult:
    """What :func:`discover` found.

    ``prim_boxes`` and ``cart_boxes``: one row per box and restricted input
    (:data:`BOX_COLUMNS`: the range ``low`` to ``high`` of the input in the box,
    its whole range ``range_low`` to ``range_high``, the box's coverage,
    density, mass and number of points, and the range in words); PRIM's has
    ``qp``, each restriction's quasi-p-value.  ``prim_trajectory``: one row per
    step of PRIM's peeling and pasting (:data:`TRAJECTORY_COLUMNS`).
    ``settings``: the case of interest, the inputs, the counts and every
    setting of both algorithms.  ``notes``: what the reader should know (a
    median chosen for them, no box dense enough, PRIM not installed).

    Attributes
    ----------
    case : Case
        The case of interest: the outcome, ``below`` or ``above``, the value and
        whether it was given or the median.
    inputs : tuple of str
        The input columns the boxes were looked for in (constant ones left out).
    prim_boxes : pandas.DataFrame
        PRIM's box, one row per restricted input (empty without PRIM or without
        a box dense enough).
    prim_trajectory : pandas.DataFrame
        PRIM's peeling trajectory, with the chosen step marked.
    cart_boxes : pandas.DataFrame
        CART's leaves of interest, one row per leaf and restricted input, the
        largest coverage first.
    settings : dict
        What ``discovery.json`` records.
    notes : tuple of str
        Sentences for the reader.
    """

    case: Case
    inputs: tuple[str, ...]
    prim_boxes: pd.DataFrame
    prim_trajectory: pd.DataFrame
    cart_boxes: pd.DataFrame
    settings: dict
    notes: tuple[str, ...] = field(default=())


# ------------------------------------------------------------------ words and units

_ACTORS = {
    "russia": "Russia's",
    "ukraine": "Ukraine's",
    "united_states": "the US's",
    "coalition": "the coalition's",
}

#: Words for the values a sweep most often varies (docs/model.md, "Parameters").
_WORDS = {
    "levers.troops_pledged": "troops pledged",
    "levers.sanctions_credibility": "credibility of the US sanctions threat",
    "actors.russia.resolve": "Russia's resolve (its cost of tolerating the force)",
    "actors.russia.violation_gain": "Russia's daily gain from violating the ceasefire",
    "actors.ukraine.violation_gain": "Ukraine's daily gain from violating the ceasefire",
    "actors.russia.war_cost": "Russia's cost of renewed full-scale war",
    "actors.ukraine.war_cost": "Ukraine's cost of renewed full-scale war",
    "actors.russia.nato_war_cost": "Russia's cost of a direct war with NATO",
    "actors.russia.deal_cost": "Russia's cost of a ceasefire deal with its demands unmet",
    "actors.russia.sanctions_cost": "Russia's cost of US sanctions",
    "actors.united_states.sanctions_cost_to_us": "the US's cost of imposing sanctions",
    "levers.us_backstop": "a US military backstop",
    "levers.un_mandate": "a UN mandate",
    "timeline.ceasefire.duration_days": "length of the agreed ceasefire",
    "timeline.sanctions_threat.deadline_days": "deadline of the sanctions threat",
}

_PROBABILITY_WORDS = ("probability", "credibility", "prior")
#: Payoffs of the actors (docs/model.md: utility units unless stated).
_UTILITY_ENDINGS = ("_cost", "_gain", "resolve", "_value", "_if_detected", "cost_to_us")


def describe_input(path: str) -> str:
    """A dotted path in words: ``actors.russia.resolve`` -> "Russia's resolve (...)".

    Parameters
    ----------
    path : str
        A dotted scenario path, or a per-run table's ``param:PATH`` column.

    Returns
    -------
    str
        The words: the model's own for the values sweeps most often vary, else
        the path's parts with spaces for underscores.
    """
    path = path.removeprefix("param:")  # a value drawn per run (a per-run table)
    if path in _WORDS:
        return _WORDS[path]
    parts = path.split(".")
    if len(parts) >= 3 and parts[0] == "actors" and parts[1] in _ACTORS:
        owner = _ACTORS[parts[1]]
        if parts[1] == "coalition" and parts[2] == "states" and len(parts) >= 5:
            owner = f"{parts[3]}'s"
            parts = parts[3:]
        return f"{owner} {parts[-1].replace('_', ' ').replace('nato', 'NATO')}"
    if parts[0] in ("levers", "timeline", "simulation") and len(parts) >= 2:
        parts = parts[1:]
    return " ".join(p.replace("_", " ") for p in parts)


def _unit(path: str) -> str:
    """The kind of value at ``path``: troops, days, probability, share, utility or ''."""
    leaf = path.rsplit(".", 1)[-1]
    if "troops" in leaf or leaf.endswith("_force"):
        return "troops"
    if leaf.endswith("_days") or leaf == "day":
        return "days"
    if any(word in leaf for word in _PROBABILITY_WORDS):
        return "probability"
    if leaf == "domestic_support" or leaf.endswith("_share"):
        return "share"
    if path.removeprefix("param:").startswith("actors.") and leaf.endswith(_UTILITY_ENDINGS):
        return "utility"
    return ""


def _number(path: str, value: float) -> str:
    unit = _unit(path)
    if unit in ("troops", "days") or abs(value) >= 1000:
        return f"{value:,.0f}"
    if unit in ("probability", "share"):
        return f"{value:.2f}"
    return f"{value:.3g}"


_UNIT_WORDS = {
    "troops": " troops",
    "days": " days",
    "probability": ", a probability",
    "share": ", a share",
    "utility": " utility units",
    "": "",
}


def describe_range(
    path: str, low: float, high: float, full_low: float, full_high: float, boolean: bool = False
) -> str:
    """A box's range of ``path`` in the scenario's words, against its whole range:
    ``troops pledged: at least 12,500 (of 0 to 30,000 troops)``; a ``boolean``
    value (0 or 1) is "yes" or "no".

    Parameters
    ----------
    path : str
        The input's dotted path (:func:`describe_input`).
    low, high : float
        The box's range of the input.
    full_low, full_high : float
        The input's whole range.
    boolean : bool, default False
        The input is a switch coded 0 or 1.

    Returns
    -------
    str
        One line: the input, ``at most``, ``at least``, ``LOW to HIGH`` or
        ``any value``, and the whole range with its unit.
    """
    if boolean:
        span = "yes" if low >= 1 else "no" if high <= 0 else "yes or no"
        return f"{describe_input(path)}: {span} (of no or yes)"
    n = lambda v: _number(path, v)  # noqa: E731
    at_bottom, at_top = low <= full_low, high >= full_high
    if at_bottom and at_top:
        span = "any value"
    elif at_bottom:
        span = f"at most {n(high)}"
    elif at_top:
        span = f"at least {n(low)}"
    else:
        span = f"{n(low)} to {n(high)}"
    unit = _UNIT_WORDS[_unit(path)]
    return f"{describe_input(path)}: {span} (of {n(full_low)} to {n(full_high)}{unit})"


def outcome_words(outcome: str) -> str:
    """``durable_ceasefire`` -> "a durable ceasefire"; ``force_fate:attacked`` -> ..."""
    if outcome.startswith("force_fate:"):
        return f"the force's fate '{outcome.split(':', 1)[1].replace('_', ' ')}'"
    words = outcome.replace("_", " ").replace("nato russia", "NATO–Russia")
    return f"'{words}'"


# ------------------------------------------------------------------ the case of interest


def outcome_names(table: pd.DataFrame) -> list[str]:
    """The outcomes of a points table: each ``p:NAME`` share (not its interval).

    Parameters
    ----------
    table : pandas.DataFrame
        A sweep's points table (or any table with ``p:NAME`` columns).

    Returns
    -------
    list of str
        The names, without ``p:``, in column order.
    """
    return [
        c.removeprefix("p:")
        for c in table.columns
        if c.startswith("p:") and not c.endswith((":low", ":high"))
    ]


def _case(table: pd.DataFrame, outcome: str, below, above) -> tuple[Case, np.ndarray]:
    names = outcome_names(table)
    name = outcome.removeprefix("p:")
    if name not in names:
        import difflib

        close = difflib.get_close_matches(name, names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        shown = ", ".join(names) if names else "none (no p:NAME columns)"
        raise DiscoveryError(
            f"outcome {outcome!r}: not an outcome of the table{hint}; one of: {shown}"
        )
    if below is not None and above is not None:
        raise DiscoveryError("below and above: give one, not both")
    share = table[f"p:{name}"].to_numpy(dtype=float)
    if not np.isfinite(share).all():
        raise DiscoveryError(f"outcome {name!r}: some shares are missing")
    for label, value in (("below", below), ("above", above)):
        if value is not None and not math.isfinite(value):
            raise DiscoveryError(f"{label} {value}: not a number")
    if np.ptp(share) == 0:
        raise DiscoveryError(
            f"the share of runs ending in {outcome_words(name)} is "
            f"{share[0]:.4g} at every point: nothing to discover"
        )
    if below is None and above is None:
        median = float(np.median(share))
        case = Case(name, "below", median, "median")
        if not (share < median).any():  # a median at the minimum: nothing below it
            case = Case(name, "above", median, "median")
    else:
        case = Case(
            name,
            "below" if below is not None else "above",
            float(below if below is not None else above),
            "given",
        )
    interest = share < case.value if case.rule == "below" else share > case.value
    span = f"shares run from {share.min():.4g} to {share.max():.4g}"
    if not interest.any():
        raise DiscoveryError(f"no point where {case.describe()} ({span}): nothing to discover")
    if interest.all():
        raise DiscoveryError(
            f"every point is one where {case.describe()} ({span}): nothing to tell the points apart"
        )
    return case, interest


def default_inputs(table: pd.DataFrame) -> list[str]:
    """Every column that is not a result: the varied values (and ``param:`` draws)."""
    from sim.results.summary import METRICS

    return [
        c
        for c in table.columns
        if c not in _RESULT_COLUMNS and c not in METRICS and not c.startswith(_RESULT_PREFIXES)
    ]


def _inputs(table: pd.DataFrame, inputs: Sequence[str] | None) -> tuple[pd.DataFrame, list[str]]:
    """The input columns as numbers (booleans as 0/1), without constant ones."""
    names = list(default_inputs(table) if inputs is None else inputs)
    missing = [name for name in names if name not in table.columns]
    if missing:
        raise DiscoveryError(f"input {missing[0]!r}: not a column of the table")
    notes, kept = [], {}
    for name in names:
        column = table[name]
        if pd.api.types.is_bool_dtype(column):
            column = column.astype(np.int64)
        elif not pd.api.types.is_numeric_dtype(column):
            notes.append(f"{name}: not a number, left out")
            continue
        if column.isna().any():
            raise DiscoveryError(f"input {name!r}: some values are missing")
        if column.nunique() < 2:
            notes.append(f"{name}: the same at every point, left out")
            continue
        integer = pd.api.types.is_integer_dtype(column)
        kept[name] = column.astype(np.int64 if integer else np.float64).to_numpy()
    if not kept:
        raise DiscoveryError("no input varies: nothing to find boxes in")
    frame = pd.DataFrame(kept)
    frame.attrs["boolean"] = [n for n in kept if pd.api.types.is_bool_dtype(table[n])]
    return frame, notes


# ------------------------------------------------------------------ boxes


def _stats(inside: np.ndarray, interest: np.ndarray) -> dict:
    k, n = int((inside & interest).sum()), int(inside.sum())
    return {
        "coverage": k / int(interest.sum()),
        "density": k / n if n else 0.0,
        "mass": n / len(interest),
        "points": n,
    }


def _box_rows(box: int, limits: Mapping[str, tuple], x: pd.DataFrame, ranges, stats) -> list:
    """One row per restricted input of a box (or one row saying it restricts none)."""
    rows = []
    for name, (low, high) in limits.items():
        full_low, full_high = ranges[name]
        # A side that keeps every point's value restricts nothing: the whole range's.
        low = full_low if low <= x[name].min() else max(low, full_low)
        high = full_high if high >= x[name].max() else min(high, full_high)
        if low <= full_low and high >= full_high:
            continue
        if pd.api.types.is_integer_dtype(x[name]):  # a bound between two whole numbers
            low, high = math.ceil(low), math.floor(high)
        boolean = name in x.attrs.get("boolean", ())
        words = describe_range(name, low, high, full_low, full_high, boolean)
        rows.append(
            {
                "box": box,
                "input": name,
                "description": words,
                "low": low,
                "high": high,
                "range_low": full_low,
                "range_high": full_high,
                **stats,
            }
        )
    if not rows:
        rows.append(
            {
                "box": box,
                "input": "",
                "description": "no restriction: every point",
                "low": np.nan,
                "high": np.nan,
                "range_low": np.nan,
                "range_high": np.nan,
                **stats,
            }
        )
    return rows


def _frame(rows: list[dict], columns: Sequence[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns))
    return frame.astype({"box": np.int64, "points": np.int64}) if "points" in columns else frame


# ------------------------------------------------------------------ PRIM


def _import_prim():
    """EMA Workbench's Prim, imported quietly (it warns about optional packages)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench.analysis.prim import Prim
    except ImportError as error:
        raise PrimUnavailableError(
            f"PRIM needs EMA Workbench, an optional extra: {EXTRA} (CART works without it; {error})"
        ) from None
    logging.getLogger("EMA").setLevel(logging.WARNING)
    return Prim


def _choose(trajectory: pd.DataFrame, threshold: float) -> int | None:
    """The step at least ``threshold`` dense with the largest harmonic mean of coverage
    and density (ties: fewer restrictions, then the earlier step); ``None`` if none is."""
    dense = trajectory[trajectory["density"] >= threshold]
    if dense.empty:
        return None
    c, d = dense["coverage"], dense["density"]
    score = (2 * c * d / (c + d)).round(12)
    order = pd.DataFrame({"score": -score, "restricted": dense["restricted"], "step": dense.index})
    return int(order.sort_values(["score", "restricted", "step"]).iloc[0]["step"])


def _run_prim(x: pd.DataFrame, interest: np.ndarray):
    """EMA Workbench's PRIM, one box: its peeling trajectory (our columns) and the box."""
    prim_class = _import_prim()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # EMA keeps the trajectory only if its last box passes its threshold; the cases
        # are 0/1, so a threshold just above 0 counts them the same and keeps it always
        # (``threshold`` is applied to the trajectory in `_choose`).  Every input as a
        # real: EMA's pasting of an integer column fails on pandas 2.
        prim = prim_class(
            x.astype(np.float64),
            interest.astype(np.int64),
            threshold=1e-9,
            peel_alpha=PEEL_ALPHA,
            paste_alpha=PASTE_ALPHA,
            mass_min=MASS_MIN,
        )
        box = prim.find_box()
    steps = box.peeling_trajectory
    trajectory = pd.DataFrame(
        {
            "step": np.arange(len(steps), dtype=np.int64),
            "coverage": steps["coverage"].to_numpy(dtype=float),
            "density": steps["density"].to_numpy(dtype=float),
            "mass": steps["mass"].to_numpy(dtype=float),
            "restricted": steps["res_dim"].to_numpy(dtype=np.int64),
        }
    )
    return trajectory, box


def _inside(x: pd.DataFrame, limits: Mapping[str, tuple[float, float]]) -> np.ndarray:
    inside = np.ones(len(x), dtype=bool)
    for name, (low, high) in limits.items():
        inside &= (x[name].to_numpy() >= low) & (x[name].to_numpy() <= high)
    return inside


def _quasi_p(x: pd.DataFrame, interest: np.ndarray, limits: dict, name: str, side: int) -> float:
    """Bryant & Lempert's (2010) quasi-p-value of one side of a restriction: the one-sided
    binomial test of the box's cases of interest against the density of the box with
    that side lifted (as EMA Workbench's ``calculate_qp``)."""
    from scipy.stats import binomtest

    inside = _inside(x, limits)
    wider = _inside(x, _lifted(x, limits, name, side))
    rate = (wider & interest).sum() / wider.sum()
    k, n = int((inside & interest).sum()), int(inside.sum())
    return float(binomtest(k, n, rate, alternative="greater").pvalue)


def _lifted(x: pd.DataFrame, limits: dict, name: str, side: int) -> dict:
    bounds = list(limits[name])
    bounds[side] = x[name].min() if side == 0 else x[name].max()
    return {**limits, name: tuple(bounds)}


def _significant_limits(
    x: pd.DataFrame, interest: np.ndarray, limits: dict, threshold: float
) -> tuple[dict, dict, list[str]]:
    """``limits`` without the sides of restrictions that are not significant: lifted one
    at a time, the largest quasi-p-value above :data:`QP_SIGNIFICANT` first, as long as
    the box stays at least ``threshold`` dense, testing the rest again each time (a
    backward elimination).  Also each kept restriction's quasi-p-value (the larger of
    its sides') and the sides lifted."""
    limits, dropped = dict(limits), []
    while True:
        qp = {}
        for name, (low, high) in limits.items():
            for side, free in enumerate((low <= x[name].min(), high >= x[name].max())):
                if not free:
                    qp[(name, side)] = _quasi_p(x, interest, limits, name, side)
        weak = sorted((k for k in qp if qp[k] > QP_SIGNIFICANT), key=lambda k: (-qp[k], k))
        for name, side in weak:
            wider = _lifted(x, limits, name, side)
            if _stats(_inside(x, wider), interest)["density"] >= threshold:
                limits = wider
                dropped.append(f"{name} ({'lower' if side == 0 else 'upper'})")
                break
        else:  # nothing (more) to lift
            break
    worst: dict[str, float] = {}
    for (name, _), value in qp.items():
        worst[name] = max(worst.get(name, 0.0), value)
    return limits, worst, dropped


def _prim(x: pd.DataFrame, interest: np.ndarray, threshold: float, ranges) -> tuple:
    """PRIM's trajectory, its box (rows), the box's summary and notes."""
    trajectory, box = _run_prim(x, interest)
    chosen = _choose(trajectory, threshold)
    trajectory["chosen"] = trajectory["step"] == chosen
    if chosen is None:
        best = trajectory.loc[trajectory["density"].idxmax()]
        note = (
            f"PRIM: no box reaches density {threshold:g}; the densest on the trajectory "
            f"has density {best['density']:.2f} at coverage {best['coverage']:.2f} "
            f"(base rate {trajectory['density'].iat[0]:.2f})"
        )
        return trajectory, _frame([], [*BOX_COLUMNS, "qp"]), None, [note]
    lims = box.box_lims[chosen]
    limits = {name: (float(lims[name].iat[0]), float(lims[name].iat[1])) for name in x.columns}
    limits, qp, dropped = _significant_limits(x, interest, limits, threshold)
    stats = _stats(_inside(x, limits), interest)
    table = _frame(_box_rows(1, limits, x, ranges, stats), BOX_COLUMNS)
    table["qp"] = table["input"].map(qp).astype(float)
    summary = {"step": chosen, **stats, "dropped": dropped}
    return trajectory, table, summary, _prim_notes(trajectory.loc[chosen], qp, dropped, threshold)


def _prim_notes(step: pd.Series, qp: dict, dropped: list[str], threshold: float) -> list[str]:
    notes = []
    if dropped:
        many = len(dropped) > 1
        notes.append(
            f"PRIM: the box of step {int(step['step'])} (coverage {step['coverage']:.2f}, "
            f"density {step['density']:.2f}) without its restriction{'s' if many else ''} of "
            f"{', '.join(dropped)}, whose quasi-p-value{'s were' if many else ' was'} above "
            f"{QP_SIGNIFICANT:g} (Bryant & Lempert 2010)"
        )
    weak = sorted(name for name, value in qp.items() if value > QP_SIGNIFICANT)
    if weak:
        many = len(weak) > 1
        notes.append(
            f"PRIM: the restriction{'s' if many else ''} of {', '.join(weak)} "
            f"{'have quasi-p-values' if many else 'has a quasi-p-value'} above "
            f"{QP_SIGNIFICANT:g} but {'are' if many else 'is'} kept: lifting "
            f"{'any' if many else 'it'} takes the box below density {threshold:g}"
        )
    return notes


# ------------------------------------------------------------------ CART


def _leaf_limits(tree, x: pd.DataFrame) -> dict[int, dict[str, tuple[float, float]]]:
    """Every leaf's bounds on each input, from the splits on its path (x <= t goes left)."""
    limits: dict[int, dict[str, tuple[float, float]]] = {}
    integer = {name: pd.api.types.is_integer_dtype(x[name]) for name in x.columns}
    start = {name: (-np.inf, np.inf) for name in x.columns}
    stack = [(0, start)]
    while stack:
        node, bounds = stack.pop()
        left, right = tree.children_left[node], tree.children_right[node]
        if left == right:  # a leaf
            limits[node] = bounds
            continue
        name, t = x.columns[tree.feature[node]], float(tree.threshold[node])
        low, high = bounds[name]
        below, above = (math.floor(t), math.floor(t) + 1) if integer[name] else (t, t)
        stack.append((left, {**bounds, name: (low, min(high, below))}))
        stack.append((right, {**bounds, name: (max(low, above), high)}))
    return limits


def _tightened(limits: dict, inside: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """A leaf's split bounds moved to the values its points take: a split falls halfway
    between two values (2,500 between 0 and 5,000 troops), so the words would name a
    value no point has."""
    tight = {}
    for name, (low, high) in limits.items():
        values = inside[name]
        tight[name] = (
            float(values.min()) if np.isfinite(low) else low,
            float(values.max()) if np.isfinite(high) else high,
        )
    return tight


def _cart(x: pd.DataFrame, interest: np.ndarray, ranges, seed: int) -> pd.DataFrame:
    """Leaves of a pruned classification tree classed as of interest, largest coverage
    first."""
    from sklearn.tree import DecisionTreeClassifier

    model = DecisionTreeClassifier(
        max_depth=CART_MAX_DEPTH,
        min_samples_leaf=max(1, math.ceil(MASS_MIN * len(x))),
        ccp_alpha=CART_CCP_ALPHA,
        random_state=seed,
    ).fit(x.to_numpy(dtype=float), interest)
    leaf_of = model.apply(x.to_numpy(dtype=float))
    leaves = []
    for leaf, limits in _leaf_limits(model.tree_, x).items():
        inside = leaf_of == leaf
        stats = _stats(inside, interest)
        if stats["density"] > 0.5:  # the tree classes the leaf as of interest
            limits = _tightened(limits, x[inside])
            leaves.append((-stats["coverage"], -stats["density"], leaf, limits, stats))
    rows = []
    for box, (*_, limits, stats) in enumerate(sorted(leaves, key=lambda e: e[:3]), start=1):
        rows += _box_rows(box, limits, x, ranges, stats)
    return _frame(rows, BOX_COLUMNS)


# ------------------------------------------------------------------ the analysis


def discover(
    points: pd.DataFrame,
    outcome: str,
    *,
    below: float | None = None,
    above: float | None = None,
    inputs: Sequence[str] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    ranges: Mapping[str, tuple[float, float]] | None = None,
    methods: Sequence[str] = ("prim", "cart"),
    seed: int = 0,
) -> DiscoveryResult:
    """Scenario discovery on a sweep's points table: PRIM's box and CART's leaves.

    A point is of interest when ``outcome``'s share (column ``p:OUTCOME``) is
    below ``below`` or above ``above``; with neither, below the median of the
    shares (above it if no point is below; ``result.notes`` says so).
    ``inputs``: the columns to find boxes in (default: every column that is
    not a result, i.e. the varied values).  ``threshold``: the density PRIM's
    box must reach.  ``ranges``: each input's whole range (default: the
    smallest and largest value in the table), what a restricted range is
    compared with.  ``methods``: ``"prim"`` needs EMA Workbench (a
    :class:`PrimUnavailableError`, an ``ImportError``, names the extra to install
    if it is missing); ``"cart"``
    needs scikit-learn only.  ``seed``: the tree's ``random_state``.

    Parameters
    ----------
    points : pandas.DataFrame
        A sweep's points table, or any table with a ``p:OUTCOME`` column.
    outcome : str
        The outcome, with or without ``p:``.
    below, above : float, optional
        The share a point of interest lies below, or above (one of them at most).
    inputs : sequence of str, optional
        The columns to find boxes in (booleans taken as 0/1; columns that are
        not numbers, or are constant, are left out with a note).
    threshold : float, default 0.8
        The density PRIM's box must reach, in (0, 1].
    ranges : mapping of str to (float, float), optional
        Each input's whole range.
    methods : sequence of str, default ("prim", "cart")
        The algorithms to run.
    seed : int, default 0
        The tree's ``random_state``.

    Returns
    -------
    DiscoveryResult
        The boxes, PRIM's trajectory, the settings and the notes.

    Raises
    ------
    DiscoveryError
        (One line) for an unknown outcome or input, both ``below`` and
        ``above``, a threshold outside (0, 1], an unknown method, missing values,
        no input that varies, and a case of interest that is empty or is every
        point.
    PrimUnavailableError
        If ``methods`` holds ``"prim"`` and EMA Workbench is not installed.
    """
    if not 0 < threshold <= 1:
        raise DiscoveryError(f"threshold {threshold}: a density in (0, 1], e.g. 0.8")
    unknown = set(methods) - {"prim", "cart"}
    if unknown or not methods:
        raise DiscoveryError(f"methods {list(methods)}: prim, cart or both")
    case, interest = _case(points, outcome, below, above)
    x, notes = _inputs(points, inputs)
    full = {c: (x[c].min().item(), x[c].max().item()) for c in x.columns}
    given = {c: (float(lo), float(hi)) for c, (lo, hi) in (ranges or {}).items() if c in full}
    ranges = {**full, **given}
    if case.chosen_by == "median":
        notes.insert(0, f"neither below nor above given: the points where {case.describe()}")
    trajectory = pd.DataFrame({c: [] for c in TRAJECTORY_COLUMNS})
    prim_boxes, prim_box = _frame([], [*BOX_COLUMNS, "qp"]), None
    if "prim" in methods:
        trajectory, prim_boxes, prim_box, prim_notes = _prim(x, interest, threshold, ranges)
        notes += prim_notes
    cart_boxes = _frame([], BOX_COLUMNS)
    if "cart" in methods:
        cart_boxes = _cart(x, interest, ranges, seed)
        if cart_boxes.empty:
            notes.append("CART: no leaf in which most points are of interest")
    settings = _settings(case, interest, list(x.columns), threshold, methods, seed)
    settings["prim"]["box"] = prim_box
    return DiscoveryResult(
        case, tuple(x.columns), prim_boxes, trajectory, cart_boxes, settings, tuple(notes)
    )


def _settings(case: Case, interest, inputs, threshold, methods, seed) -> dict:
    from importlib import metadata

    def version(name: str) -> str | None:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    return {
        "outcome": case.outcome,
        "case_of_interest": f"points where {case.describe()}",
        "rule": case.rule,
        "value": case.value,
        "value_chosen_by": case.chosen_by,
        "points": len(interest),
        "points_of_interest": int(interest.sum()),
        "base_rate": float(interest.mean()),
        "inputs": inputs,
        "methods": list(methods),
        "prim": {
            "implementation": "ema_workbench.analysis.prim.Prim (Friedman & Fisher 1999)",
            "threshold": threshold,
            "peel_alpha": PEEL_ALPHA,
            "paste_alpha": PASTE_ALPHA,
            "mass_min": MASS_MIN,
            "objective": "lenient1 (EMA Workbench's default)",
            "box_chosen": "of the steps at least `threshold` dense, the largest harmonic "
            "mean of coverage and density; then the sides of restrictions whose quasi-p-value "
            f"is above {QP_SIGNIFICANT} are lifted one at a time, the largest first, testing "
            "the rest again each time (Bryant & Lempert 2010)",
            "ema_workbench": version("ema_workbench"),
        },
        "cart": {
            "implementation": "sklearn.tree.DecisionTreeClassifier (Breiman et al. 1984)",
            "criterion": "gini",
            "max_depth": CART_MAX_DEPTH,
            "min_samples_leaf_share": MASS_MIN,
            "ccp_alpha": CART_CCP_ALPHA,
            "random_state": seed,
            "boxes": "leaves in which most points are of interest",
            "scikit-learn": version("scikit-learn"),
        },
    }


# ------------------------------------------------------------------ files


def write_discovery(result: DiscoveryResult, directory: Path) -> list[Path]:
    """Write the tables and ``discovery.json`` into ``directory``; return the paths.

    The peeling trajectory's figure is drawn by the presentation layer
    (:func:`sim.present.discovery_plots.draw_discovery`).

    Parameters
    ----------
    result : DiscoveryResult
        What :func:`discover` found.
    directory : pathlib.Path
        An existing folder (e.g. the one :func:`replace_discovery` yields).

    Returns
    -------
    list of pathlib.Path
        ``prim_boxes.csv``, ``prim_trajectory.csv``, ``cart_boxes.csv`` and
        ``discovery.json`` (the settings and the notes).
    """
    from sim.results.store import write_json

    directory = Path(directory)
    paths = []
    for name, frame in (
        ("prim_boxes", result.prim_boxes),
        ("prim_trajectory", result.prim_trajectory),
        ("cart_boxes", result.cart_boxes),
    ):
        frame.to_csv(directory / f"{name}.csv", index=False)
        paths.append(directory / f"{name}.csv")
    write_json(directory / "discovery.json", {**result.settings, "notes": list(result.notes)})
    paths.append(directory / "discovery.json")
    return paths


def replace_discovery(saved) -> contextlib.AbstractContextManager[Path]:
    """Yield a temporary folder; on success it replaces ``discovery/`` of the sweep
    directory ``saved`` (:class:`sim.experiments.sweep_store.SavedSweep`), as ``plots/`` is
    replaced (:func:`sim.results.store.replace_folder`).

    Parameters
    ----------
    saved : sim.experiments.sweep_store.SavedSweep
        The sweep directory, read back (its ``path`` and ``manifest``).

    Returns
    -------
    contextlib.AbstractContextManager of pathlib.Path
        Use in a ``with`` statement; it yields the temporary folder.

    Raises
    ------
    sim.results.store.ResultDirectoryError
        On entering, if ``discovery/`` is not sim's to replace or the temporary
        folder cannot be made.
    """
    from sim.results.store import replace_folder

    return replace_folder(saved, DISCOVERY, "the discovery")
