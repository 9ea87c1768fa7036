"""``sim dashboard``: move a scenario's levers and see its outcome distribution redrawn.

A local web app (Shiny for Python).  The analyst chooses one of the scenarios
it was started with (by default the shipped ones) or uploads or pastes one,
moves its levers and the uncertain values that drive the answers most (the top
rows of the total-order Sobol' indices, docs/validation.md section 12), and sees
redrawn: the outcome distribution, the survival of the first ceasefire, and the
paired difference from the unchanged scenario on the same runs.

Runs are computed off the event loop by :class:`sim.present.progressive.ProgressiveRuns`
(a first batch of 2,000 runs, refined to 10,000 in the background, cached by
the scenario's validated content and the seed).  Run *k* is run *k* of
``sim run`` with the same values and seed, so the page's numbers at 10,000 runs
are those of the ``sim run`` command it shows.

Untrusted input: an uploaded or pasted scenario goes through the same bounded
loader as a file (:func:`sim.scenario.loader.load_scenario_text`; it may extend only the
shipped scenarios), errors are one line on the page, and nothing is written.
The app listens on 127.0.0.1 unless told otherwise; requests larger than
:data:`MAX_REQUEST_BYTES` are refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import shlex
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.engine.outcomes import OUTCOMES
from sim.present.progressive import Busy, ProgressiveRuns, point_key
from sim.scenario.distributions import Fixed
from sim.scenario.loader import ScenarioError, load_scenario_text
from sim.scenario.overrides import ScenarioOverrideError, with_overrides
from sim.scenario.schema import SEED_MAX, Scenario

__all__ = ["CONTROLS", "Control", "build_app", "controls_for", "serve"]

#: Largest HTTP request body (an upload) the app accepts.
MAX_REQUEST_BYTES = 1_000_000
#: How long a refinement waits after a first batch, so the page draws it first (seconds).
_DRAWING_SECONDS = 0.8
#: Largest scenario text an upload or a paste may hold (the shipped files are below 15 kB).
MAX_SCENARIO_BYTES = 200_000
_TOO_LARGE = f"too large: a scenario here may hold at most {MAX_SCENARIO_BYTES:,} bytes"

#: Matplotlib's settings are global (``rc_context``): figures are drawn one at a time,
#: whether for the page or for a brief in another thread.
DRAWING = threading.Lock()
#: One brief at a time (each runs its scenario again): a second click is told to wait.
_BRIEFS = threading.Lock()
#: One uploaded or pasted scenario parsed at a time.
_PARSING = asyncio.Lock()


@dataclass(frozen=True)
class Control:
    """One value the page lets the analyst set: a scenario path and how to show it."""

    path: str
    label: str
    kind: str  # "number", "integer" or "switch"
    low: float = 0.0
    high: float = 1.0
    step: float = 0.01
    default: Any = None
    distribution: bool = False  # the scenario draws it; the page can fix it

    @property
    def input_id(self) -> str:
        return "v_" + self.path.replace(".", "__").replace(" ", "_")

    @property
    def fix_id(self) -> str:
        return "fix_" + self.input_id


#: The levers, and the uncertain values with the largest total-order Sobol'
#: indices for a durable ceasefire (docs/validation.md, section 12).
CONTROLS: tuple[tuple[str, str], ...] = (
    ("levers.troops_pledged", "Troops pledged"),
    ("levers.sanctions_credibility", "Sanctions credibility (chance the US follows through)"),
    ("levers.us_backstop", "US military backstop"),
    ("levers.un_mandate", "UN mandate"),
    ("levers.deploy_only_during_ceasefire", "Deploy only during a ceasefire"),
    ("actors.russia.violation_gain", "Russia's gain from a ceasefire violation"),
    ("actors.ukraine.violation_gain", "Ukraine's gain from a ceasefire violation"),
    ("actors.ukraine.support_loss_if_detected", "Ukraine's loss of support if a violation is seen"),
    ("actors.united_states.audience_cost", "US audience cost of backing down"),
    ("actors.russia.resolve", "Russia's resolve (cost of tolerating the force)"),
)


def _value_at(scenario: Scenario, path: str) -> Any:
    node: Any = scenario
    for key in path.split("."):
        node = node.get(key) if isinstance(node, dict) else getattr(node, key, None)
        if node is None:
            return None
    return node


def controls_for(scenario: Scenario) -> list[Control]:
    """The controls of :data:`CONTROLS` that ``scenario`` has, with its values as defaults."""
    controls = []
    for path, label in CONTROLS:
        value = _value_at(scenario, path)
        if isinstance(value, bool):
            controls.append(Control(path, label, "switch", default=value))
        elif isinstance(value, int):
            high = max(30_000, int(value) * 2)
            controls.append(Control(path, label, "integer", 0, high, 500, int(value)))
        elif isinstance(value, Fixed | float):
            number = float(value.value if isinstance(value, Fixed) else value)
            high = 1.0 if number <= 1 else math.ceil(2 * number)
            controls.append(Control(path, label, "number", 0.0, high, high / 100, number))
        elif value is not None and hasattr(value, "quantile"):
            low, high = (float(q) for q in value.quantile(_TAILS))
            step = _nice_step(high - low)
            low, high = math.floor(low / step) * step, math.ceil(high / step) * step
            centre = round(float(value.central()) / step) * step
            controls.append(
                Control(path, label, "number", low, high, step, centre, distribution=True)
            )
    return controls


_TAILS = __import__("numpy").array([0.001, 0.999])


def _nice_step(span: float) -> float:
    raw = max(span, 1e-9) / 50
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def overrides_from(controls: list[Control], values: dict[str, Any]) -> dict[str, Any]:
    """The ``--set`` values the page's inputs stand for: only what differs from the file.

    ``values`` maps a control's ``input_id`` (and ``fix_id``) to the input's value.
    """
    overrides: dict[str, Any] = {}
    for control in controls:
        value = values.get(control.input_id)
        if value is None:
            continue
        if control.distribution:
            if values.get(control.fix_id):
                overrides[control.path] = float(value)
        elif control.kind == "switch":
            if bool(value) != control.default:
                overrides[control.path] = bool(value)
        elif control.kind == "integer":
            if int(value) != control.default:
                overrides[control.path] = int(value)
        elif float(value) != control.default:
            overrides[control.path] = float(value)
    return overrides


def run_command(file_label: str, overrides: dict[str, Any], runs: int, seed: int) -> str:
    """The ``sim run`` command that gives the same numbers."""
    parts = ["sim", "run", file_label]
    for path, value in overrides.items():
        text = str(value).lower() if isinstance(value, bool) else repr(value)
        parts += ["--set", f"{path}={text}"]
    parts += ["--runs", str(runs), "--seed", str(seed)]
    return shlex.join(parts)


def difference_rows(unchanged: pd.Series, changed: pd.Series) -> list[dict[str, str]]:
    """Outcome shares of both on the same runs and their paired difference (pp, 95%)."""
    from sim.experiments.comparison import compare_tables

    table = compare_tables(["unchanged", "changed"], [unchanged, changed])
    rows = []
    for outcome in OUTCOMES:
        both = table[table["outcome"] == outcome].set_index("scenario")
        before, after = both.loc["unchanged"], both.loc["changed"]
        rows.append(
            {
                "Outcome": _outcome_label(outcome),
                "Unchanged": f"{100 * before['probability']:.1f}%",
                "With these settings": f"{100 * after['probability']:.1f}%",
                "Difference (points)": _points(after["difference"]),
                "95% interval (points)": f"{_points(after['difference_low'])} to "
                f"{_points(after['difference_high'])}",
            }
        )
    return rows


def _points(share: float) -> str:
    text = f"{100 * share:+.1f}"
    return "0.0" if text in ("+0.0", "-0.0") else text


def _outcome_label(outcome: str) -> str:
    from sim.present.plots import OUTCOME_LABELS

    return OUTCOME_LABELS[outcome]


def headline_sentence(runs: pd.DataFrame) -> str:
    """One sentence: the most frequent outcomes with their shares and 95% intervals."""
    from sim.results.summary import summarise

    outcomes = summarise(runs)["outcomes"]
    ranked = sorted(outcomes, key=lambda name: -outcomes[name]["probability"])[:3]
    parts = []
    for name in ranked:
        entry = outcomes[name]
        low, high = entry["ci95"]
        parts.append(
            f"{_outcome_label(name)} {100 * entry['probability']:.1f}% "
            f"({100 * low:.1f}–{100 * high:.1f}%)"
        )
    return f"Over {len(runs):,} runs: " + "; ".join(parts) + "."


# --------------------------------------------------------------------------- the app


@dataclass(frozen=True)
class _Choice:
    """A scenario the page can show: its label (file name) and the scenario."""

    label: str
    scenario: Scenario


def build_app(
    scenarios: dict[str, Scenario],
    library: list[Path],
    engine: ProgressiveRuns | None = None,
    seed: int | None = None,
    runs: int = 10_000,
    sources: dict[str, str] | None = None,
):
    """The Shiny app over ``scenarios`` (label -> scenario); ``library``: the files an
    uploaded scenario may extend.  ``seed``: the seed shown first (default: the
    first scenario's); ``runs``: the runs each setting is refined to; ``sources``:
    label -> the file name the ``sim run`` command shown should use (default: the label)."""
    from matplotlib.figure import Figure
    from shiny import App, reactive, render, req, ui

    engine = engine or ProgressiveRuns(
        target=runs, first_batch=min(2_000, runs), pause=_DRAWING_SECONDS
    )
    labels = list(scenarios)
    first_seed = scenarios[labels[0]].simulation.seed if seed is None else int(seed)

    app_ui = ui.page_sidebar(
        ui.sidebar(
            ui.input_select("scenario", "Scenario", choices=labels, selected=labels[0]),
            ui.input_numeric("seed", "Seed", value=first_seed, min=0, max=SEED_MAX),
            ui.output_ui("controls"),
            ui.input_action_button("reset", "Reset to the file's values"),
            ui.hr(),
            ui.input_file("upload", "Or upload a scenario (YAML)", accept=[".yaml", ".yml"]),
            ui.input_text_area(
                "pasted", "Or paste one", rows=4, placeholder="extends: combined.yaml"
            ),
            ui.input_action_button("use_pasted", "Use the pasted scenario"),
            ui.output_text("load_error"),
            width=360,
        ),
        # No favicon request (it would be a failed request in the browser's console).
        ui.head_content(ui.tags.link(rel="icon", href="data:,")),
        ui.output_text("status"),
        ui.output_text("headline"),
        ui.layout_columns(
            ui.card(
                ui.card_header("Outcome distribution"),
                ui.output_plot("outcomes", height="420px"),
            ),
            ui.card(
                ui.card_header("Survival of the first ceasefire"),
                ui.output_plot("survival", height="420px"),
            ),
        ),
        ui.card(
            ui.card_header("Paired difference from the unchanged scenario (same runs)"),
            ui.output_table("differences"),
        ),
        ui.card(
            ui.card_header("The same numbers from the command line"),
            ui.output_code("command"),
            ui.layout_columns(
                ui.download_button("download_yaml", "Scenario (YAML)"),
                ui.download_button("download_brief", "HTML brief of these runs"),
            ),
        ),
        title="sim dashboard: peacekeeping-deployment crisis",
    )

    def server(input, output, session):
        extra = reactive.value({})  # uploaded or pasted scenarios: label -> scenario
        files = dict(sources or {})  # label -> file name for the command
        problem = reactive.value("")  # the settings' problem (a value the schema refuses)
        load_problem = reactive.value("")  # an uploaded or pasted scenario's problem
        held: dict[str, Any] = {}  # the keys this session asked for
        progress = reactive.value((0, 0))

        @reactive.calc
        def choice() -> _Choice:
            label = input.scenario()
            pool = {**scenarios, **extra.get()}
            return _Choice(label, pool.get(label, scenarios[labels[0]]))

        @reactive.calc
        def active_controls() -> list[Control]:
            return controls_for(choice().scenario)

        @render.ui
        def controls():
            input.reset()  # "Reset" draws the controls afresh, at the file's values
            return ui.TagList(*[_control_ui(ui, c) for c in active_controls()])

        def _values() -> dict[str, Any]:
            values = {}
            for control in active_controls():
                for name in (control.input_id, control.fix_id):
                    if name in input:
                        values[name] = input[name]()
            return values

        @reactive.calc
        def point():
            """(key, scenario, overrides, seed) of what the page shows, or an error."""
            base = choice().scenario
            seed = _seed(input.seed())
            if seed is None:
                return None, f"The seed must be a whole number from 0 to {SEED_MAX:,}."
            overrides = overrides_from(active_controls(), _values())
            try:
                scenario = with_overrides(base, overrides)
            except ScenarioOverrideError as error:
                return None, str(error)
            return (point_key(scenario, seed), scenario, overrides, seed), ""

        @reactive.calc
        def unchanged_key():
            seed = _seed(input.seed())
            if seed is None:
                return None
            return point_key(choice().scenario, seed), choice().scenario

        @reactive.effect
        def _ask():
            wanted = {}
            current, error = point()
            problem.set(error)
            if current is not None:
                wanted["point"] = (current[0], current[1])
            base = unchanged_key()
            if base is not None:
                wanted["unchanged"] = base
            for role in [r for r in held if r not in wanted]:
                engine.release(held.pop(role))  # e.g. the settings became invalid
            for role, (key, scenario) in wanted.items():
                if held.get(role) == key:
                    continue
                if role in held:
                    engine.release(held.pop(role))  # the page no longer shows it
                try:
                    engine.request(key, scenario)
                except Busy as busy:
                    problem.set(str(busy))
                    reactive.invalidate_later(0.5)  # ask again shortly
                    continue
                held[role] = key

        @reactive.effect
        def _poll():
            reactive.invalidate_later(0.05)
            with reactive.isolate():
                current, _ = point()
                base = unchanged_key()
            # The versions change with every batch added and with a failure.
            seen = (
                engine.snapshot(current[0]).version if current is not None else -1,
                engine.snapshot(base[0]).version if base is not None else -1,
            )
            if seen != progress.get():
                progress.set(seen)

        session.on_ended(lambda: [engine.release(key) for key in held.values()])

        def snapshots():
            progress.get()
            current, _ = point()
            base = unchanged_key()
            if current is None or base is None:
                return None, None
            return engine.snapshot(current[0]), engine.snapshot(base[0])

        @render.text
        def status():
            if problem.get():
                return f"Problem: {problem.get()}"
            snap, _ = snapshots()
            if snap is None:
                return ""
            if snap.error:
                return f"The runs failed: {snap.error}"
            if snap.done == 0:
                return f"Running the first {engine.first_batch:,} runs…"
            more = "" if snap.complete else " — refining in the background…"
            return f"{snap.done:,} of {snap.target:,} runs{more}"

        def shown():
            """(point, its runs, the unchanged scenario's runs); while the point has no
            runs yet, the outputs keep what they show (the status says it is running)."""
            current, _ = point()
            snap, base = snapshots()
            req(current is not None and snap is not None, cancel_output=True)
            req(snap.runs is not None and base.runs is not None, cancel_output=True)
            return current, snap, base

        @render.text
        def headline():
            _, snap, _ = shown()
            return headline_sentence(snap.runs)

        @render.plot(alt="Outcome distribution with 95% intervals")
        def outcomes():
            from sim.present.plots import plot_outcomes
            from sim.results.summary import summarise

            _, snap, _ = shown()
            figure = Figure(figsize=(6.4, 4.2), layout="tight")
            with DRAWING:
                ax = plot_outcomes(summarise(snap.runs), figure.subplots())
            ax.set_xlabel("Share of runs (95% intervals)")  # the card is narrower than a file
            return figure

        @render.plot(alt="Kaplan-Meier survival of the first ceasefire")
        def survival():
            from sim.present.plots import plot_ceasefire_survival

            _, snap, _ = shown()
            figure = Figure(figsize=(6.4, 4.2), layout="tight")
            horizon = choice().scenario.simulation.horizon_days
            with DRAWING:
                ax = plot_ceasefire_survival(snap.runs, figure.subplots(), horizon, counts=False)
            ax.set_title("")  # the card's header says what it is
            return figure

        @render.table
        def differences():
            _, snap, base = shown()
            n = min(snap.done, base.done)
            rows = difference_rows(base.runs["outcome"][:n], snap.runs["outcome"][:n])
            return pd.DataFrame(rows)

        @render.code
        def command():
            current, snap, _ = shown()
            return run_command(
                files.get(choice().label, choice().label), current[2], snap.done, current[3]
            )

        @render.download_button(filename=lambda: f"{choice().scenario.name}-dashboard.yaml")
        def download_yaml():
            current, _ = point()
            snap, _ = snapshots()
            if current is None or snap is None:
                return
            yield _scenario_yaml(current[1], current[2], current[3], max(snap.done, 1))

        @render.download_button(filename=lambda: f"{choice().scenario.name}-brief.html")
        async def download_brief():
            current, _ = point()
            snap, _ = snapshots()
            if current is None or snap is None or not snap.done:
                return
            reference = choice()
            command = run_command(
                files.get(reference.label, reference.label), current[2], snap.done, current[3]
            )
            if not _BRIEFS.acquire(blocking=False):
                yield _busy_page("Another brief is being prepared; try again in a moment.")
                return
            try:
                html = await asyncio.to_thread(
                    _brief, current[1], snap.done, current[3], reference, command
                )
            finally:
                _BRIEFS.release()
            yield html

        @render.text
        def load_error():
            return load_problem.get()

        @reactive.effect
        @reactive.event(input.upload)
        async def _upload():
            uploaded = input.upload()
            if not uploaded:
                return
            item = uploaded[0]
            try:
                text = _read_upload(Path(item["datapath"]), item["name"])
                scenario = await _parse(text, item["name"])
            except ScenarioError as error:
                load_problem.set(f"upload: {_one_line(error)}")
                return
            _add(f"{item['name']} (uploaded)", scenario, item["name"])

        @reactive.effect
        @reactive.event(input.use_pasted)
        async def _pasted():
            text = input.pasted() or ""
            try:
                if len(text.encode("utf-8", "surrogatepass")) > MAX_SCENARIO_BYTES:
                    raise ScenarioError("pasted.yaml", None, None, _TOO_LARGE)
                scenario = await _parse(text, "pasted.yaml")
            except ScenarioError as error:
                load_problem.set(f"pasted: {_one_line(error)}")
                return
            _add(f"{scenario.name} (pasted)", scenario, "pasted.yaml")

        async def _parse(text: str, name: str) -> Scenario:
            # Off the event loop, one at a time: a large file takes a while to parse.
            async with _PARSING:
                return await asyncio.to_thread(load_scenario_text, text, name, library)

        def _add(label: str, scenario: Scenario, file: str) -> None:
            files[label] = file
            pool = dict(extra.get())
            pool[label] = scenario
            extra.set(pool)
            load_problem.set("")
            choices = [*labels, *pool]
            ui.update_select("scenario", choices=choices, selected=label)

    return App(app_ui, server)


def _control_ui(ui, control: Control):
    if control.kind == "switch":
        return ui.input_switch(control.input_id, control.label, value=bool(control.default))
    slider = ui.input_slider(
        control.input_id,
        control.label,
        min=control.low,
        max=control.high,
        value=control.default,
        step=control.step,
    )
    # Send each new value at once: Shiny otherwise waits 250 ms after a slider moves
    # (its debounce), a sixth of the page's time to answer.  A value passed while
    # dragging only starts runs that the next value abandons within a simulated day.
    slider.children[1].attrs["data-immediate"] = "true"
    if not control.distribution:
        return slider
    return ui.div(
        ui.tags.label(control.label, class_="control-label"),
        ui.input_switch(control.fix_id, "One value for every run (off: as drawn)", value=False),
        ui.panel_conditional(f"input.{control.fix_id}", slider),
    )


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:300]


def _seed(value: object) -> int | None:
    """The seed box's value as a seed, or None if it is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value != value or value < 0 or value > SEED_MAX or value != int(value):
        return None
    return int(value)


def _read_upload(path: Path, name: str) -> str:
    """An uploaded file's text, read only up to the limit (the size the browser
    announced is not trusted)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_SCENARIO_BYTES + 1)
    except OSError as error:
        raise ScenarioError(
            name, None, None, f"cannot read the upload ({error.strerror})"
        ) from None
    if len(data) > MAX_SCENARIO_BYTES:
        raise ScenarioError(name, None, None, _TOO_LARGE)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(name, None, None, "not UTF-8 text") from None


def _busy_page(message: str) -> str:
    return f"<!DOCTYPE html><meta charset=utf-8><title>sim</title><p>{message}</p>\n"


def _scenario_yaml(scenario: Scenario, overrides: dict[str, Any], seed: int, runs: int) -> str:
    """The scenario as the page ran it: its values set, with the page's seed and runs, so
    that ``sim run`` of the file gives the page's numbers."""
    as_run = with_overrides(scenario, {"simulation.seed": seed, "simulation.runs": runs})
    header = "# Written by sim dashboard: `sim run` of this file gives the page's numbers.\n"
    header += "".join(f"#   {path} = {value!r}\n" for path, value in overrides.items())
    return header + yaml.safe_dump(
        as_run.model_dump(mode="json", exclude_none=True), sort_keys=False, allow_unicode=True
    )


def _brief(scenario: Scenario, runs: int, seed: int, unchanged: _Choice, command: str) -> str:
    """The HTML brief of ``runs`` runs of ``scenario`` (the runs the page shows), listing
    how it differs from the ``unchanged`` scenario; ``command`` repeats the runs."""
    from sim.experiments.runner import simulate
    from sim.present.report import render_report
    from sim.results.store import write_result

    # Chunks of about 500,000 run-days bound the memory whatever the horizon.
    horizon = scenario.simulation.horizon_days
    result = simulate(
        scenario,
        runs=runs,
        seed=seed,
        keep_trajectories=False,
        chunk_runs=max(1, 500_000 // horizon),
    )
    with tempfile.TemporaryDirectory(prefix="sim-brief-") as folder:
        saved = write_result(result, Path(folder), run_info={"command": command})
        reference = unchanged.scenario.model_dump(mode="json")
        with DRAWING:
            return render_report(
                saved, reference, f"'{unchanged.scenario.name}' ({unchanged.label})"
            )


def _limit_requests(app, limit: int = MAX_REQUEST_BYTES):
    """Wrap the ASGI ``app``: an HTTP request whose body is, or turns out to be, larger
    than ``limit`` bytes is refused with 413 (whatever length it declared, or none)."""

    async def refuse(send) -> None:
        await send({"type": "http.response.start", "status": 413, "headers": []})
        await send({"type": "http.response.body", "body": b"request too large"})

    async def limited(scope, receive, send):
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await refuse(send)
            return
        received = 0

        async def counted():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        try:
            await app(scope, counted, send)
        except _TooLarge:
            with contextlib.suppress(Exception):  # unless the app had already answered
                await refuse(send)

    return limited


class _TooLarge(Exception):
    """A request body went past the limit while it was being read."""


def serve(app, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve ``app`` until interrupted (no browser is opened)."""
    import uvicorn

    uvicorn.run(
        _limit_requests(app),
        host=host,
        port=port,
        log_level="warning",
        ws_max_size=MAX_REQUEST_BYTES * 2,
        lifespan="off",
    )
