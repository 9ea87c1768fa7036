"""``sim dashboard``: serve the local page where a scenario's levers are moved."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import typer.core

from sim.cli.console import (
    SHIPPED_SCENARIOS,
    Stopped,
    fail,
    is_quiet,
    load,
    note,
    shown_path,
    stderr,
    stop_on_signals,
)
from sim.cli.options import Quiet, Verbose


def dashboard(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Scenario files to offer.",
            metavar="[SCENARIO]...",
            show_default="the shipped scenarios",
        ),
    ] = None,
    host: Annotated[
        str,
        typer.Option(help="Address to listen on; another than 127.0.0.1 lets other machines in."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    seed: Annotated[
        int | None,
        typer.Option(min=0, max=2**63 - 1, help="Seed shown first.", show_default="the scenario's"),
    ] = None,
    runs: Annotated[
        int,
        typer.Option(
            min=1,
            max=100_000,
            help="Runs per setting: the first 2,000 are shown at once, the rest follow.",
        ),
    ] = 10_000,
    quiet: Quiet = False,
    verbose: Verbose = 0,
) -> None:
    """Serve a local web page: move a scenario's levers and see its outcomes redrawn."""
    import socket

    from sim.present.dashboard import build_app, serve

    library = sorted(SHIPPED_SCENARIOS.glob("*.yaml")) if SHIPPED_SCENARIOS.is_dir() else []
    chosen = files or library
    if not chosen:
        fail("no scenario to show: give scenario files (sim dashboard FILE...)")
    scenarios, sources = {}, {}
    for file in chosen:
        scenario = load(file)
        label = file.name if file.name not in scenarios else str(file)
        scenarios[label] = scenario
        sources[label] = shown_path(file)
    if files is None and "combined.yaml" in scenarios:
        # The headline scenario first: it is what the page opens on.
        scenarios = {"combined.yaml": scenarios.pop("combined.yaml"), **scenarios}
    try:
        family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind) as probe:
            probe.bind(address)
    except (OSError, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        fail(f"--host {host} --port {port}: cannot listen there ({reason})")
    if host not in ("127.0.0.1", "localhost", "::1"):
        note(f"listening on {host}: anyone who can reach this machine can use the page")
    app_object = build_app(scenarios, library, seed=seed, runs=runs, sources=sources)
    shown = f"[{host}]" if ":" in host else host  # an IPv6 address in a URL
    if not is_quiet():  # -q: errors only (the address is the one given)
        stderr.print(
            f"sim dashboard: http://{shown}:{port}  (Ctrl+C to stop)", markup=False, highlight=False
        )
    with stop_on_signals():
        try:
            serve(app_object, host, port)
        except Stopped:
            pass
