"""`sim report`: one self-contained HTML brief of a result directory."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .conftest import SCENARIOS, run_cli
from .test_cli_hardening import _one_line

COMBINED = SCENARIOS / "combined.yaml"


def _result(tmp_path: Path, runs: int = 300) -> Path:
    scenario = tmp_path / "short.yaml"
    scenario.write_text(
        f"extends: {COMBINED.as_posix()}\nname: short\nsimulation: {{horizon_days: 120}}\n"
    )
    ran = run_cli("run", scenario, "--runs", str(runs), "--no-plots", "--out", "r", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    return tmp_path / "r"


def test_the_brief_is_one_offline_file_with_the_results_numbers(tmp_path: Path):
    result = _result(tmp_path)
    made = run_cli("report", result, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    # Nothing to fetch: no script, no stylesheet or image link, no external reference.
    assert "<script" not in page and "<link" not in page and "<img" not in page
    for attribute in re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', page):
        assert not re.match(r"[a-z]+:", attribute), attribute
    assert "default-src 'none'" in page  # the browser is told to fetch nothing either
    # The figures inline, with their text as text.
    assert page.count("<svg") == 4 and "Outcome probabilities" in page
    # The headline and the tables carry the summary's numbers.
    summary = json.loads((result / "summary.json").read_text())
    top = max(summary["outcomes"].values(), key=lambda entry: entry["probability"])
    assert f"{100 * top['probability']:.1f}%" in page
    low, high = top["ci95"]
    assert f"{100 * low:.1f}–{100 * high:.1f}%" in page
    # What was asked: the differences from the shipped baseline, and the provenance.
    assert "<code>levers.troops_pledged</code></td><td>0</td><td>10,000</td>" in page
    manifest = json.loads((result / "manifest.json").read_text())
    assert str(manifest["seed"]) in page and manifest["files"][0]["sha256"] in page
    assert "Not a forecast" in page


def test_the_brief_is_the_same_bytes_every_time(tmp_path: Path):
    result = _result(tmp_path, runs=100)
    first = run_cli("report", result, "-o", "one.html", cwd=tmp_path)
    second = run_cli("report", result, "-o", "two.html", cwd=tmp_path)
    assert first.returncode == second.returncode == 0
    assert (tmp_path / "one.html").read_bytes() == (tmp_path / "two.html").read_bytes()
    # Another report may replace a report; nothing else is overwritten.
    again = run_cli("report", result, "-o", "one.html", cwd=tmp_path)
    assert again.returncode == 0, again.stderr


def test_a_users_file_is_never_overwritten_and_bad_input_is_one_line(tmp_path: Path):
    result = _result(tmp_path, runs=50)
    (tmp_path / "mine.html").write_text("<p>my notes</p>")
    refused = run_cli("report", result, "-o", "mine.html", cwd=tmp_path)
    assert refused.returncode == 2
    assert "not a sim report" in _one_line(refused.stderr)
    assert (tmp_path / "mine.html").read_text() == "<p>my notes</p>"
    for args in (["nowhere"], [str(tmp_path)], [str(result), "-o", str(tmp_path)]):
        bad = run_cli("report", *args, cwd=tmp_path)
        assert bad.returncode == 2, bad.stdout
        _one_line(bad.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.html", "r", "short.yaml"]


def test_figures_are_the_same_bytes_when_redrawn(tmp_path: Path):
    """`sim plot` of a run and of a sweep gives the same PNG and SVG files again (fixed
    SVG ids, no date in the SVG)."""
    result = _result(tmp_path, runs=60)
    sweep = run_cli("sweep", tmp_path / "short.yaml", "--vary", "levers.troops_pledged=0,5000",
                    "--runs", "20", "--no-progress", "--out", "s", cwd=tmp_path)  # fmt: skip
    assert sweep.returncode == 0, sweep.stderr
    for directory in (result, tmp_path / "s"):
        if not (directory / "plots").exists():
            assert run_cli("plot", directory, cwd=tmp_path).returncode == 0
        before = {p.name: p.read_bytes() for p in (directory / "plots").iterdir()}
        assert any(name.endswith(".svg") for name in before)
        redrawn = run_cli("plot", directory, cwd=tmp_path)
        assert redrawn.returncode == 0, redrawn.stderr
        after = {p.name: p.read_bytes() for p in (directory / "plots").iterdir()}
        assert after == before, directory


def _chromium() -> str | None:
    import shutil

    return next(
        (path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None
    )


def test_the_brief_opens_in_a_real_browser_with_no_request(tmp_path: Path):
    """Chromium (driven by Playwright) opens the brief from disk: the only request is the
    file itself, nothing fails, nothing is logged as an error, and the figures' text is
    text the browser can read."""
    import pytest

    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    result = _result(tmp_path, runs=100)
    assert run_cli("report", result, cwd=tmp_path).returncode == 0
    url = (tmp_path / "r.html").resolve().as_uri()
    requests, failed, errors = [], [], []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.on("requestfailed", lambda request: failed.append(request.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(url)
            figure_text = page.locator("svg text").all_text_contents()
            lede = page.inner_text("p.lede")
            page.screenshot(path=str(tmp_path / "brief.png"), full_page=True)
        finally:
            browser.close()
    assert requests == [url] and failed == [] and errors == []
    assert any("Outcome probabilities" in text for text in figure_text)
    summary = json.loads((result / "summary.json").read_text())
    top = max(summary["outcomes"].values(), key=lambda entry: entry["probability"])
    assert f"{100 * top['probability']:.1f}%" in lede
    assert (tmp_path / "brief.png").stat().st_size > 10_000


def test_sim_plot_redraws_a_comparison(tmp_path: Path):
    """`sim plot` accepts a `sim compare` directory: the figure it drew, the same bytes."""
    short = tmp_path / "short.yaml"
    short.write_text(
        f"extends: {COMBINED.as_posix()}\nname: short\nsimulation: {{horizon_days: 60}}\n"
    )
    other = tmp_path / "other.yaml"
    other.write_text(f"extends: {short.as_posix()}\nname: other\nlevers: {{troops_pledged: 0}}\n")
    compared = run_cli("compare", short, other, "--runs", "30", "--out", "c", cwd=tmp_path)
    assert compared.returncode == 0, compared.stderr
    drawn = (tmp_path / "c" / "plots" / "comparison.svg").read_bytes()
    redrawn = run_cli("plot", "c", cwd=tmp_path)
    assert redrawn.returncode == 0, redrawn.stderr
    assert (tmp_path / "c" / "plots" / "comparison.svg").read_bytes() == drawn


def _offline(page: str) -> None:
    assert "<script" not in page and "<link" not in page and "<img" not in page
    for attribute in re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', page):
        assert not re.match(r"[a-z]+:", attribute), attribute


def _short(tmp_path: Path, name: str, extra: str = "") -> Path:
    scenario = tmp_path / f"{name}.yaml"
    scenario.write_text(
        f"extends: {COMBINED.as_posix()}\nname: {name}\nsimulation: {{horizon_days: 90}}\n{extra}"
    )
    return scenario


def test_a_comparison_brief_carries_the_paired_differences(tmp_path: Path):
    import pandas as pd

    one = _short(tmp_path, "one")
    two = _short(tmp_path, "two", "levers: {troops_pledged: 0}\n")
    ran = run_cli("compare", one, two, "--runs", "200", "--out", "c", "--no-progress",
                  "--no-plots", cwd=tmp_path)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    made = run_cli("report", "c", "-o", "c.html", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    page = (tmp_path / "c.html").read_text(encoding="utf-8")
    _offline(page)
    table = pd.read_parquet(tmp_path / "c" / "comparison.parquet")
    row = table[(table["scenario"] == "two") & (table["outcome"] == "durable_ceasefire")].iloc[0]
    shown = f"{100 * row['difference']:+.1f} ({100 * row['difference_low']:+.1f} to"
    assert shown.replace("+0.0", "0.0").replace("-0.0", "0.0") in page
    assert "levers.troops_pledged" in page and page.count("<svg") == 1


def test_two_run_directories_are_paired_only_on_the_same_seed_and_runs(tmp_path: Path):
    one, two = _short(tmp_path, "one"), _short(tmp_path, "two", "levers: {un_mandate: true}\n")
    for scenario, out, seed in ((one, "a", "5"), (two, "b", "5"), (two, "x", "6")):
        ran = run_cli("run", scenario, "--runs", "150", "--seed", seed, "--no-plots",
                      "--no-progress", "--out", out, cwd=tmp_path)  # fmt: skip
        assert ran.returncode == 0, ran.stderr
    made = run_cli("report", "a", "b", "-o", "ab.html", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    page = (tmp_path / "ab.html").read_text(encoding="utf-8")
    assert "Paired difference from one" in page and "levers.un_mandate" in page
    refused = run_cli("report", "a", "x", "-o", "ax.html", cwd=tmp_path)
    assert refused.returncode == 2 and "not paired" in _one_line(refused.stderr)
    several = run_cli("report", "a", "b", cwd=tmp_path)
    assert several.returncode == 2 and "-o" in _one_line(several.stderr)
    assert not (tmp_path / "ax.html").exists()


def test_a_sobol_sweep_brief_lists_the_indices_and_drivers_and_is_reproducible(tmp_path: Path):
    import pandas as pd

    base = _short(tmp_path, "base")
    (tmp_path / "s.yaml").write_text(
        f"name: tiny\nbase: {base.as_posix()}\ndesign: sobol\nsamples: 8\nruns: 40\nseed: 3\n"
        "vary:\n  levers.troops_pledged: {low: 0, high: 30000}\n"
        "  actors.russia.violation_gain: {low: 0.2, high: 1.0}\n"
    )
    ran = run_cli("sweep", "s.yaml", "--out", "sw", "--no-progress", "--no-plots", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    first = run_cli("report", "sw", "-o", "one.html", cwd=tmp_path)
    second = run_cli("report", "sw", "-o", "two.html", cwd=tmp_path)
    assert first.returncode == second.returncode == 0, first.stderr
    page = (tmp_path / "one.html").read_text(encoding="utf-8")
    assert page.encode() == (tmp_path / "two.html").read_bytes()
    _offline(page)
    assert "total order ST" in page and "the answer depends most on" in page
    # The indices of the outcome whose share varies most across the points are shown.
    points = pd.read_parquet(tmp_path / "sw" / "points.parquet")
    spans = {c[2:]: points[c].max() - points[c].min() for c in points if c.count(":") == 1
             and c.startswith("p:") and not c.startswith("p:force_fate")}  # fmt: skip
    varying = max(spans, key=spans.get)
    indices = pd.read_parquet(tmp_path / "sw" / "sensitivity.parquet").dropna(subset=["ST"])
    top = indices[indices["outcome"] == varying].sort_values("ST", ascending=False).iloc[0]
    assert f"{top['ST']:.3f}" in page
    assert "<svg" in page and "Russia: violation gain" in page


def test_an_ensemble_brief_shows_the_structural_spread(tmp_path: Path):
    import pandas as pd

    scenario = _short(tmp_path, "ens")
    ran = run_cli("run", scenario, "--ensemble", "--runs", "30", "--no-progress", "--out", "e",
                  cwd=tmp_path)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    made = run_cli("report", "e", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    page = (tmp_path / "e.html").read_text(encoding="utf-8")
    _offline(page)
    spread = pd.read_csv(tmp_path / "e" / "spread.csv")
    widest = spread.sort_values("sd_structural", ascending=False).iloc[0]
    assert f"{100 * widest['sd_structural']:.1f}%" in page
    assert "structural SD" in page and page.count("<svg") == 1
    assert "not recorded" not in page  # the ensemble's manifest records the commit
    # `sim plot` redraws an ensemble directory too, the same bytes.
    drawn = (tmp_path / "e" / "plots" / "ensemble.svg").read_bytes()
    redrawn = run_cli("plot", "e", cwd=tmp_path)
    assert redrawn.returncode == 0, redrawn.stderr
    assert (tmp_path / "e" / "plots" / "ensemble.svg").read_bytes() == drawn


def test_damaged_or_unpairable_results_are_one_line(tmp_path: Path):
    import json as _json

    one = _short(tmp_path, "one")
    for out in ("a", "b"):
        ran = run_cli("run", one, "--runs", "40", "--seed", "1", "--no-plots", "--no-progress",
                      "--out", out, cwd=tmp_path)  # fmt: skip
        assert ran.returncode == 0, ran.stderr
    manifest = tmp_path / "b" / "manifest.json"
    data = _json.loads(manifest.read_text())
    data["random_numbers"] = "another scheme"
    manifest.write_text(_json.dumps(data))
    refused = run_cli("report", "a", "b", "-o", "ab.html", cwd=tmp_path)
    assert refused.returncode == 2 and "random-number schemes" in _one_line(refused.stderr)
    ens = _short(tmp_path, "ens")
    ran = run_cli("run", ens, "--ensemble", "--runs", "10", "--no-plots", "--no-progress",
                  "--out", "e", cwd=tmp_path)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    (tmp_path / "e" / "ensemble.json").write_text('{"shares": 1}')
    damaged = run_cli("report", "e", cwd=tmp_path)
    assert damaged.returncode == 2 and "ensemble.json" in _one_line(damaged.stderr)
    assert not (tmp_path / "ab.html").exists() and not (tmp_path / "e.html").exists()


def test_a_brief_of_the_current_folder_is_named_after_it(tmp_path: Path):
    result = _result(tmp_path, runs=30)
    made = run_cli("report", ".", cwd=result)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "r.html").is_file() and not (result / ".html").exists()
