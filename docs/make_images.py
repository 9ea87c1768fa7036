"""Redraw the README's and the docs' figures and screenshots into docs/img/.

    python docs/make_images.py            # all (about 2 minutes on 2 cores)

It runs the commands a user would (in a temporary folder), copies the figures
they draw, and screenshots the brief and the dashboard in Debian's Chromium
(driven by Playwright).  ``tornado_combined.png`` and ``troops_response.png``
come from ``docs/make_validation.py``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "docs" / "img"


def sim(*args: str, cwd: Path) -> None:
    command = [sys.executable, "-m", "sim.cli", *args]
    print("$ sim", " ".join(args), flush=True)
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise SystemExit("no Chromium: apt-get install chromium")
    return path


def screenshot_brief(html: Path, target: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 1400})
        page.goto(html.resolve().as_uri())
        page.screenshot(path=str(target))
        browser.close()


def screenshot_dashboard(work: Path, target: Path) -> None:
    """The dashboard on combined.yaml after the troops slider is moved to 27,500."""
    from playwright.sync_api import sync_playwright

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "dashboard", str(ROOT / "scenarios" / "combined.yaml"),
         "--port", str(port)],
        cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                time.sleep(0.3)
        done = "document.querySelector('#status').innerText.startsWith('10,000 of')"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 1250})
            page.goto(url)
            page.wait_for_function(done, timeout=300_000)
            line = page.locator(".irs-line").first.bounding_box()
            page.mouse.click(line["x"] + 0.9 * line["width"], line["y"] + line["height"] / 2)
            page.wait_for_function(
                "document.querySelector('#command').innerText.includes('--set')", timeout=60_000
            )
            page.wait_for_function(done, timeout=300_000)
            page.wait_for_timeout(1000)  # the last redraw of the figures
            page.screenshot(path=str(target))
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sim-images-") as folder:
        work = Path(folder)
        sim("run", str(ROOT / "scenarios" / "combined.yaml"), "--runs", "10000",
            "--out", "combined", "--no-progress", cwd=work)  # fmt: skip
        plots = work / "combined" / "plots"
        shutil.copyfile(plots / "outcomes.png", IMG / "outcomes_combined.png")
        shutil.copyfile(plots / "escalation.png", IMG / "escalation_combined.png")
        sim("sweep", str(ROOT / "scenarios" / "sweeps" / "troops_x_sanctions.yaml"),
            "--out", "sweep", "--no-progress", cwd=work)  # fmt: skip
        shutil.copyfile(
            work / "sweep" / "plots" / "lines_by_second_factor.png",
            IMG / "sweep_troops_x_sanctions.png",
        )
        sim("report", "combined", "-o", "combined.html", cwd=work)
        screenshot_brief(work / "combined.html", IMG / "report.png")
        screenshot_dashboard(work, IMG / "dashboard.png")
    for name in ("outcomes_combined", "escalation_combined", "sweep_troops_x_sanctions",
                 "report", "dashboard"):  # fmt: skip
        print(IMG / f"{name}.png")


if __name__ == "__main__":
    main()
