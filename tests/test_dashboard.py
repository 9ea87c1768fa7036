"""`sim dashboard`: the page in a real browser, its numbers against `sim run`, its engine."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from .conftest import SCENARIOS, run_cli
from .test_report import _chromium

COMBINED = SCENARIOS / "combined.yaml"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Server:
    """`sim dashboard` in its own process group, stopped (with its children) at the end."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = open(tmp_path / "server.log", "w+")  # closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sim.cli", "dashboard", *args, "--port", str(self.port)],
            cwd=tmp_path,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the dashboard exited: {self.output()}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise AssertionError("the dashboard did not answer within 120 s")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> int:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()
        return self.process.returncode


def _browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    return sync_api, executable


def _table(page) -> pd.DataFrame:
    rows = page.locator("#differences table tbody tr").all()
    headers = page.locator("#differences table thead th").all_text_contents()
    cells = [row.locator("td").all_text_contents() for row in rows]
    return pd.DataFrame(cells, columns=[h.strip() for h in headers])


def _wait_complete(page, runs: int) -> None:
    page.wait_for_function(
        f"document.querySelector('#status').innerText.startsWith('{runs:,} of {runs:,} runs')",
        timeout=180_000,
    )
    # The table and the command follow the status within one redraw.
    page.wait_for_function(
        f"document.querySelector('#command').innerText.includes('--runs {runs}')",
        timeout=30_000,
    )


def test_moving_a_lever_redraws_and_equals_sim_run(tmp_path: Path):
    """Chromium moves the troops slider: the status, the figure and the table change,
    and the numbers at the end equal those of `sim run` with the command the page shows."""
    sync_api, executable = _browser()
    runs = 3000
    server = _Server(tmp_path, str(COMBINED), "--runs", str(runs), "--seed", "7")
    errors: list[str] = []
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1300})
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.goto(server.url)
                _wait_complete(page, runs)
                before_table = _table(page)
                before_figure = page.locator("#outcomes img").get_attribute("src")
                assert "--set" not in page.inner_text("#command")
                # Drag the troops slider from 10,000 to near the right end.
                line = page.locator(".irs-line").first.bounding_box()
                page.mouse.click(line["x"] + 0.9 * line["width"], line["y"] + line["height"] / 2)
                page.wait_for_function(
                    "document.querySelector('#command').innerText.includes('--set')",
                    timeout=30_000,
                )
                _wait_complete(page, runs)
                after_table = _table(page)
                after_figure = page.locator("#outcomes img").get_attribute("src")
                command = page.inner_text("#command").strip()
                page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
                with page.expect_download() as download:
                    page.click("#download_yaml")
                download.value.save_as(tmp_path / "settings.yaml")
                with page.expect_download(timeout=120_000) as download:
                    page.click("#download_brief")
                download.value.save_as(tmp_path / "brief.html")
            finally:
                browser.close()
    finally:
        server.stop()
    assert errors == [], errors
    assert after_figure != before_figure
    assert not after_table["With these settings"].equals(before_table["With these settings"])
    assert after_table["Unchanged"].equals(before_table["Unchanged"])
    troops = int(re.search(r"levers\.troops_pledged=(\d+)", command).group(1))
    assert 20_000 <= troops <= 30_000
    # The page's own command, run from the shipped file, gives the page's numbers.
    args = shlex.split(command)[2:]
    args[0] = str(COMBINED)
    done = run_cli("run", *args, "--out", "r", "--no-plots", "--no-progress", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    from sim.present.plots import OUTCOME_LABELS

    shown = dict(zip(after_table["Outcome"], after_table["With these settings"], strict=True))
    for name, entry in summary["outcomes"].items():
        assert shown[OUTCOME_LABELS[name]] == f"{100 * entry['probability']:.1f}%", name
    # The downloads: the scenario with the lever as set, and the brief of these runs.
    import sim

    assert sim.load_scenario(tmp_path / "settings.yaml").levers.troops_pledged == troops
    brief = (tmp_path / "brief.html").read_text(encoding="utf-8")
    assert '<meta name="generator" content="sim report">' in brief
    assert "levers.troops_pledged" in brief and f"{runs:,}" in brief
    top = max(summary["outcomes"].values(), key=lambda entry: entry["probability"])
    assert f"{100 * top['probability']:.1f}%" in brief


def test_an_uploaded_scenario_is_checked_and_nothing_is_written(tmp_path: Path):
    """A pasted scenario that extends a path outside the shipped ones is refused with one
    line on the page; a valid one is offered; the server writes nothing to its folder."""
    sync_api, executable = _browser()
    server = _Server(tmp_path, str(COMBINED), "--runs", "500")
    before = sorted(p.name for p in tmp_path.iterdir())
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
            try:
                page = browser.new_page()
                page.goto(server.url)
                page.wait_for_function(
                    "document.querySelector('#status').innerText.includes('runs')",
                    timeout=120_000,
                )
                page.fill("#pasted", "extends: /etc/passwd\nname: x\n")
                page.click("#use_pasted")
                page.wait_for_function(
                    "document.querySelector('#load_error').innerText.length > 0", timeout=30_000
                )
                refused = page.inner_text("#load_error")
                mine = "extends: combined.yaml\nname: mine\nlevers: {un_mandate: true}\n"
                page.fill("#pasted", mine)
                page.click("#use_pasted")
                page.wait_for_function(
                    "document.querySelector('#scenario').value === 'mine (pasted)'",
                    timeout=30_000,
                )
                page.wait_for_function(
                    "document.querySelector('#status').innerText.startsWith('500 of 500')",
                    timeout=120_000,
                )
                # An uploaded file with a bad value: one line naming the file, line and key.
                page.set_input_files(
                    "#upload",
                    files=[{"name": "bad.yaml", "mimeType": "text/yaml",
                            "buffer": b"extends: combined.yaml\nlevers: {troops_pledged: -1}\n"}],
                )  # fmt: skip
                page.wait_for_function(
                    "document.querySelector('#load_error').innerText.startsWith('upload')",
                    timeout=30_000,
                )
                uploaded = page.inner_text("#load_error")
            finally:
                browser.close()
    finally:
        server.stop()
    assert "pasted.yaml:1: extends:" in refused and "\n" not in refused.strip()
    assert "bad.yaml:2: levers.troops_pledged" in uploaded
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_the_dashboard_refuses_bad_options_in_one_line(tmp_path: Path):
    missing = run_cli("dashboard", tmp_path / "nope.yaml", cwd=tmp_path)
    assert missing.returncode == 2
    assert "nope.yaml" in missing.stderr and "Traceback" not in missing.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = run_cli("dashboard", COMBINED, "--port", port, cwd=tmp_path)
    assert busy.returncode == 2 and "cannot listen" in busy.stderr
    assert len(busy.stderr.strip().splitlines()) == 1


# --------------------------------------------------------------------------- engine


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_progressive_runs_equal_sim_run_and_a_new_point_preempts_refinement():
    """The engine's runs are `sim run`'s, batch by batch; a point with no answer yet is
    served before another point's refinement continues."""
    import sim
    from sim.present.progressive import ProgressiveRuns, point_key
    from sim.scenario.overrides import with_overrides

    scenario = sim.load_scenario(COMBINED)
    engine = ProgressiveRuns(target=900, first_batch=300, batch=300)
    try:
        first = point_key(scenario, 3)
        engine.request(first, scenario)
        engine.wait(first, 300, timeout=120)

        changed = with_overrides(scenario, {"levers.troops_pledged": 20_000})
        second = point_key(changed, 3)
        engine.request(second, changed)
        assert engine.wait(second, 300, timeout=120).done >= 300
        # The first point's refinement gave way: it still has its first batch only.
        assert engine.snapshot(first).done == 300
        full = engine.wait(first, 900, timeout=300)
    finally:
        engine.close()
    expected = sim.run(scenario, runs=900, seed=3)
    expected = expected.drop(columns=[c for c in expected if c.startswith("param:")])
    pd.testing.assert_frame_equal(full.runs, expected)


@pytest.mark.slow  # about a second or more in-process; not in the quick layer
def test_the_engine_bounds_waiting_points_and_keeps_errors_to_one_line():
    import sim
    from sim.present.progressive import Busy, ProgressiveRuns, point_key

    def slow(scenario, seed, start, stop, on_day):
        for _ in range(200):
            on_day()
            time.sleep(0.01)
        raise ValueError("boom\nsecond line")

    scenario = sim.load_scenario(COMBINED)
    engine = ProgressiveRuns(target=10, first_batch=10, max_waiting=2, simulate=slow)
    try:
        keys = [point_key(scenario, seed) for seed in range(3)]
        engine.request(keys[0], scenario)
        engine.request(keys[1], scenario)
        with pytest.raises(Busy):
            engine.request(keys[2], scenario)
        snap = engine.wait(keys[0], 10, timeout=30)
    finally:
        engine.close()
    assert snap.error == "ValueError: boom"


def test_batches_hold_about_the_same_run_days_whatever_the_horizon():
    """A scenario of 3,650 days is run in batches a tenth as wide (memory and the time to a
    first answer grow with runs x days)."""
    import sim
    from sim.present.progressive import ProgressiveRuns, point_key
    from sim.scenario.overrides import with_overrides

    widths = []

    def record(scenario, seed, start, stop, on_day):
        widths.append(stop - start)
        return pd.DataFrame({"run": range(start, stop), "outcome": "war_continues"})

    long = with_overrides(sim.load_scenario(COMBINED), {"simulation.horizon_days": 3650})
    engine = ProgressiveRuns(target=1000, first_batch=400, batch=400, simulate=record)
    try:
        key = point_key(long, 1)
        engine.request(key, long)
        snap = engine.wait(key, 1000, timeout=30)
    finally:
        engine.close()
    assert snap.done == 1000 and widths[0] == 40 and max(widths) == 40
    assert snap.version == len(widths)  # one version per batch added


def test_a_failed_point_changes_its_version_so_the_page_shows_the_error():
    import sim
    from sim.present.progressive import ProgressiveRuns, point_key

    def fail(scenario, seed, start, stop, on_day):
        raise MemoryError()

    scenario = sim.load_scenario(COMBINED)
    engine = ProgressiveRuns(target=10, first_batch=10, simulate=fail)
    try:
        key = point_key(scenario, 1)
        engine.request(key, scenario)
        snap = engine.wait(key, 10, timeout=30)
    finally:
        engine.close()
    assert snap.error == "MemoryError: " and snap.version == 1 and snap.complete


def test_request_bodies_past_the_limit_are_refused_whatever_they_declare():
    import asyncio

    from sim.present.dashboard import _limit_requests

    seen = []

    async def app(scope, receive, send):
        while True:
            message = await receive()
            seen.append(len(message.get("body", b"")))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    def call(headers, chunks):
        sent = []
        queue = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
                 for i, c in enumerate(chunks)]  # fmt: skip

        async def receive():
            return queue.pop(0)

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "headers": headers}
        asyncio.run(_limit_requests(app, limit=100)(scope, receive, send))
        return sent[0]["status"]

    assert call([(b"content-length", b"50")], [b"x" * 50]) == 200
    assert call([(b"content-length", b"500")], [b"x" * 500]) == 413
    # Chunked: no declared length, refused once the body goes past the limit.
    assert call([], [b"x" * 60, b"x" * 60]) == 413


def test_the_downloaded_scenario_carries_the_pages_seed_and_runs():
    import yaml

    import sim
    from sim.present.dashboard import _scenario_yaml, _seed

    scenario = sim.load_scenario(COMBINED)
    text = _scenario_yaml(scenario, {"levers.un_mandate": True}, 7, 3000)
    simulation = yaml.safe_load(text)["simulation"]
    assert (simulation["seed"], simulation["runs"]) == (7, 3000)
    assert [_seed(v) for v in (0, 7.0, -1, 1.5, True, 2**63, "3")] == [0, 7] + [None] * 5


def test_an_upload_is_read_only_up_to_its_limit(tmp_path: Path):
    from sim.present.dashboard import MAX_SCENARIO_BYTES, _read_upload
    from sim.scenario.loader import ScenarioError

    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_SCENARIO_BYTES + 10))
    with pytest.raises(ScenarioError, match="too large"):
        _read_upload(big, "big.yaml")
    latin1 = tmp_path / "l.yaml"
    latin1.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(ScenarioError, match="UTF-8"):
        _read_upload(latin1, "l.yaml")
