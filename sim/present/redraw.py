"""Redraw the figures of any directory ``sim`` writes (``sim plot``): a run, a sweep,
a comparison or a structural ensemble, each with the footer it was first drawn with."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = [
    "comparison_caption",
    "comparison_directory",
    "ensemble_caption",
    "ensemble_directory",
    "redraw_figures",
]


def comparison_directory(directory: Path):
    """A `sim compare` directory read back for `sim plot`: (table, saved, caption), or
    ``None`` if it is not one (an ensemble comparison has no figure to redraw)."""
    from types import SimpleNamespace

    import pandas as pd

    from sim.results.store import MANIFEST, ResultDirectoryError

    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("kind") != "comparison":
        return None
    try:
        table = pd.read_parquet(directory / "comparison.parquet")
    except (OSError, ValueError) as error:
        raise ResultDirectoryError(
            f"{directory}: not a readable comparison directory ({type(error).__name__})"
        ) from None
    caption = comparison_caption(manifest.get("runs", 0), manifest.get("seed"))
    return table, SimpleNamespace(path=directory, manifest=manifest), caption


def ensemble_caption(name: str, n_runs: int, seed: int | None) -> str:
    """The footer of an ensemble's figure (the same when redrawn)."""
    return (
        f"{name} · structural ensemble, {n_runs:,} parameter draws x 2 per variant, "
        f"seed {seed}, common random numbers · conditional exploration, not a forecast"
    )


def ensemble_directory(directory: Path):
    """A `sim run --ensemble` directory read back for `sim plot`: (shares, saved,
    caption), or ``None`` if it is not one."""
    from types import SimpleNamespace

    import pandas as pd

    from sim.results.store import MANIFEST, ResultDirectoryError

    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("kind") != "ensemble":
        return None
    try:
        data = json.loads((directory / "ensemble.json").read_text(encoding="utf-8"))
        shares = pd.DataFrame(data["shares"])
        caption = ensemble_caption(data["scenario"], data["runs_per_variant"], data["seed"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ResultDirectoryError(
            f"{directory}: not a readable ensemble directory ({type(error).__name__})"
        ) from None
    return shares, SimpleNamespace(path=directory, manifest=manifest), caption


def comparison_caption(n_runs: int, seed: int | None) -> str:
    """The footer of a comparison's figure (the same when redrawn)."""
    return (
        f"Comparison · {n_runs:,} runs each, seed {seed}, common random numbers · "
        "conditional exploration, not a forecast"
    )


def redraw_figures(result_dir: Path) -> list[Path]:
    """Redraw ``result_dir``'s figures into a fresh ``plots/`` (replaced only when all are
    drawn); return their paths.  Raises :class:`sim.results.store.ResultDirectoryError`
    for a directory ``sim`` did not write or cannot read."""
    from sim.experiments.sweep_store import is_sweep_directory, load_sweep_result
    from sim.present.plots import draw_all
    from sim.results.store import load_result, replace_plots

    comparison = comparison_directory(result_dir)
    ensemble = ensemble_directory(result_dir)
    if ensemble is not None:
        from sim.present.sweep_plots import draw_ensemble

        shares, saved, caption = ensemble
        with replace_plots(saved) as staging:
            paths = draw_ensemble(shares, caption, staging)
    elif comparison is not None:
        from sim.present.sweep_plots import draw_comparison

        table, saved, caption = comparison
        with replace_plots(saved) as staging:
            paths = draw_comparison(table, caption, staging)
    elif is_sweep_directory(result_dir):
        from sim.present.sweep_plots import draw_sweep

        saved = load_sweep_result(result_dir)
        with replace_plots(saved) as staging:
            paths = draw_sweep(saved.points, saved.sensitivity, saved.manifest, staging)
    else:
        saved = load_result(result_dir)
        with replace_plots(saved) as staging:
            paths = draw_all(saved, staging)
    return paths
