"""Hostile scenario files: one line on stderr, exit code 2, quickly, in little memory.

Every file a scenario touches -- the file named on the command line and each
``extends:`` parent -- goes through the same checks (sim/scenario/loader.py).  The
checks run through the real command in a fresh interpreter, several files per
``sim validate`` (which prints one line per file), timed and with the child's
peak memory measured.  A property test then feeds random and mutated
documents to ``sim validate`` in-process.
"""

from __future__ import annotations

import errno
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import sim.scenario.loader
from sim.cli import app
from sim.scenario.loader import MAX_FILE_BYTES, ScenarioError, load_scenario
from tests.conftest import PEAK_WRAPPER, SCENARIOS, peak_megabytes

pytestmark = pytest.mark.skipif(os.name != "posix", reason="FIFOs, sockets, os.wait4")

BASELINE = (SCENARIOS / "baseline.yaml").as_posix()
SECONDS = 5.0  # each `sim validate` call, interpreter start included
MEGABYTES = 500  # peak resident memory of that process
KILL_AFTER = 60.0  # a hung child is killed (and the test fails) after this


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    seconds: float
    megabytes: float


def sim_validate(*files: str | Path, cwd: Path) -> Outcome:
    """``python -m sim.cli validate FILES`` in a fresh interpreter, timed, with its peak RSS."""
    peak = Path(tempfile.mkdtemp()) / "peak"
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        child = subprocess.Popen(
            [sys.executable, "-c", PEAK_WRAPPER, str(peak), "validate", *map(str, files)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            cwd=cwd,
        )
        timer = threading.Timer(KILL_AFTER, child.kill)
        timer.start()
        try:
            _, status, _ = os.wait4(child.pid, 0)
        finally:
            timer.cancel()
        seconds = time.monotonic() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    megabytes = peak_megabytes(peak)
    shutil.rmtree(peak.parent, ignore_errors=True)
    return Outcome(child.returncode, stdout, stderr, seconds, megabytes)


def check_refused(outcome: Outcome, expected: list[tuple[str, int | None, list[str]]]) -> None:
    """Each file refused with one line ``error: FILE[:LINE]: ...`` holding the fragments."""
    assert outcome.code == 2, outcome
    assert "Traceback" not in outcome.stderr
    assert outcome.stdout == ""
    lines = outcome.stderr.splitlines()
    assert len(lines) == len(expected), outcome.stderr
    for message, (file, line, fragments) in zip(lines, expected, strict=True):
        assert message.startswith("error: "), message
        # (no line given: the message may or may not name one)
        where = f"error: {file}:{line}: " if line is not None else f"error: {file}:"
        assert message.startswith(where), (where, message)
        for fragment in fragments:
            assert fragment in message, (fragment, message)
        assert len(message) < 1000, message[:200]
    assert outcome.seconds < SECONDS, outcome.seconds
    assert outcome.megabytes < MEGABYTES, outcome.megabytes


def billion_laughs(levels: int = 9) -> str:
    lines = ["lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        lines.append(f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


#: (case, file content, line of the error or None, fragments of the message).
#: The same content is also tried as a parent that a child file extends.
HOSTILE: list[tuple[str, str | bytes, int | None, list[str]]] = [
    ("nul_byte", b"name: a\x00b\n", 1, ["control character \\x00"]),
    ("control_bytes", b"levers:\n  a: \x1b[31mred\n", 2, ["control character \\x1b"]),
    ("not_utf8", b"levers:\n  a: \xff\xfe\n", 2, ["not UTF-8"]),
    ("billion_laughs", billion_laughs(), None, ["too many nodes after alias expansion"]),
    ("recursive_alias", "a: &r [*r]\n", 1, ["a[0]: recursive alias"]),
    ("recursive_merge", "a: &r {x: 1, <<: *r}\n", 1, ["recursive alias"]),
    ("deep_flow_nesting", "a: " + "[" * 5000 + "]" * 5000 + "\n", 1, ["nested more than 50"]),
    (
        "deep_block_nesting",
        "".join(" " * i + f"k{i}:\n" for i in range(60)) + " " * 60 + "v\n",
        50,  # k49: the 51st level counting the document's mapping
        ["nested more than 50"],
    ),
    ("list_as_key", "? [a, b]\n: 1\n", 1, ["key must be a plain name"]),
    ("flow_list_as_key", "{[1]: 2}\n", 1, ["key must be a plain name"]),
    ("set_as_key", "!!set a: 1\n", 1, ["key must be a plain name"]),
    ("mapping_as_key", "levers:\n  ? {a: 1}\n  : 2\n", 2, ["levers: a key must be a plain"]),
    ("impossible_date", f"extends: {BASELINE}\ndescription: 2024-13-45\n", 2, ["cannot read"]),
    (
        "number_with_5000_digits",
        f"extends: {BASELINE}\nsimulation:\n  seed: {'7' * 5000}\n",
        3,
        ["too many digits"],
    ),
    (
        "boolean_for_integer",
        f"extends: {BASELINE}\nsimulation:\n  horizon_days: yes\n",
        3,
        ["simulation.horizon_days", "valid integer", "boolean"],
    ),
    (
        "string_for_integer",
        f'extends: {BASELINE}\nlevers:\n  troops_pledged: "5000"\n',
        3,
        ["levers.troops_pledged", "valid integer", "string '5000'"],
    ),
    (
        "float_for_integer",
        f"extends: {BASELINE}\nsimulation:\n  runs: 100.0\n",
        3,
        ["simulation.runs", "valid integer"],
    ),
    (
        "string_for_float",
        f"extends: {BASELINE}\ngames:\n  qre_hold_probability: '0.5'\n",
        3,
        ["games.qre_hold_probability", "valid number"],
    ),
    (
        "string_in_distribution",
        f"extends: {BASELINE}\nactors:\n  russia:\n"
        "    resolve: {dist: uniform, low: '1', high: 2}\n",
        4,
        ["actors.russia.resolve.low", "valid number"],
    ),
    (
        "number_for_string",
        f"extends: {BASELINE}\ndescription: 5\n",
        2,
        ["description", "valid string"],
    ),
    (
        "number_for_choice",
        f"extends: {BASELINE}\ngames:\n  selection: 1\n",
        3,
        ["games.selection", "an integer 1 is not one of"],
    ),
    (
        "integer_overflow",
        f"extends: {BASELINE}\ntimeline:\n  ceasefire:\n    day: 0\n"
        f"    duration_days: 1{'0' * 100}\n",
        5,
        ["timeline.ceasefire.duration_days", "less than or equal to 3650"],
    ),
    (
        "seed_beyond_64_bits",
        f"extends: {BASELINE}\nsimulation:\n  seed: {2**64}\n",
        3,
        ["simulation.seed", "less than or equal to 9223372036854775807"],
    ),
    (
        "qre_precision_1e100",  # 1e100 is a number (as in YAML 1.2), and too large
        f"extends: {BASELINE}\ngames:\n  qre_precision: 1e100\n",
        3,
        ["games.qre_precision", "less than or equal to 1000000"],
    ),
    (
        "key_named_like_a_distribution",
        f"extends: {BASELINE}\nlevers: {{uniform: 5}}\n",
        2,
        ["levers.uniform: unknown key"],
    ),
    (
        "key_with_brackets",
        f"extends: {BASELINE}\nlevers:\n  'troops[0]': 5\n",
        3,
        ["levers.troops[0]: unknown key"],
    ),
    (
        "key_with_newline",
        f'extends: {BASELINE}\nlevers:\n  "a\\nb": 5\n',
        3,
        ["levers.a\\nb: unknown key"],
    ),
    (
        "key_with_terminal_escape",
        f'extends: {BASELINE}\nlevers:\n  "\\e[31m\\x85\\u2028": 5\n',
        3,
        ["levers.\\x1b[31m\\x85\\u2028: unknown key"],
    ),
    (
        "name_with_newline",
        f'extends: {BASELINE}\nname: "bad\\nname"\n',
        2,
        ["name: ", "'bad\\nname' cannot name a result directory"],
    ),
    (
        "huge_value_is_shortened",
        f'extends: {BASELINE}\nlevers:\n  troops_pledged: "{"x" * 500_000}"\n',
        3,
        ["levers.troops_pledged", "got a string 'xxx", "…"],
    ),
    (
        "huge_key_is_shortened",
        f'extends: {BASELINE}\nlevers:\n  ? "{"y" * 100_000}"\n  : 1\n',
        3,
        ["levers.yyy", "…: unknown key"],
    ),
    ("merge_of_a_number", "a: {<<: 5}\n", 1, ["merge key"]),
]
#: Cases about a file's own name and description, which a child never inherits.
OWN_ONLY = {"name_with_newline", "number_for_string"}


def _write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def test_hostile_content_is_one_line_each(tmp_path: Path):
    names = []
    for case, content, _, _ in HOSTILE:
        names.append(_write(tmp_path / f"{case}.yaml", content).name)
    outcome = sim_validate(*names, cwd=tmp_path)
    check_refused(
        outcome,
        [(name, line, frags) for name, (_, _, line, frags) in zip(names, HOSTILE, strict=True)],
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)  # nothing written


def test_hostile_content_in_a_parent_names_the_parent(tmp_path: Path):
    children = []
    cases = [case for case in HOSTILE if case[0] not in OWN_ONLY]
    for case, content, _, _ in cases:
        _write(tmp_path / f"parent_{case}.yaml", content)
        child = tmp_path / f"child_{case}.yaml"
        child.write_text(f"extends: parent_{case}.yaml\nname: child\n")
        children.append(child.name)
    outcome = sim_validate(*children, cwd=tmp_path)
    check_refused(
        outcome,
        [(f"parent_{case}.yaml", line, frags) for case, _, line, frags in cases],
    )


def _special_files(tmp_path: Path) -> list[tuple[str, list[str]]]:
    """Files that are no YAML files, each with the fragment of its refusal."""
    os.mkfifo(tmp_path / "fifo.yaml")  # opening it for reading would block
    (tmp_path / "directory.yaml").mkdir()
    os.symlink("loop.yaml", tmp_path / "loop.yaml")
    (tmp_path / "big.yaml").write_text(f"extends: {BASELINE}\n" + "k: 1\n" * 400_000)
    assert (tmp_path / "big.yaml").stat().st_size > 2 * MAX_FILE_BYTES - 100_000
    special = [
        ("fifo.yaml", ["named pipe"]),
        ("/dev/zero", ["device"]),
        ("directory.yaml", ["is a directory"]),
        ("loop.yaml", ["symbolic links"]),
        ("big.yaml", ["file too large", f"at most {MAX_FILE_BYTES:,} bytes"]),
    ]
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        try:
            server.bind(str(tmp_path / "socket.yaml"))  # the file stays after close
        except OSError:  # a path too long for a socket: nothing to test
            pass
        else:
            special.append(("socket.yaml", ["socket"]))
    return special


def test_special_files_are_refused_without_blocking(tmp_path: Path):
    special = _special_files(tmp_path)
    names = [name for name, _ in special]
    outcome = sim_validate(*names, cwd=tmp_path)
    check_refused(outcome, [(name, None, frags) for name, frags in special])


def test_special_files_as_parents(tmp_path: Path):
    special = _special_files(tmp_path)
    children = []
    for i, (name, _) in enumerate(special):
        (tmp_path / f"child{i}.yaml").write_text(f"extends: {name}\n")
        children.append(f"child{i}.yaml")
    outcome = sim_validate(*children, cwd=tmp_path)
    check_refused(outcome, [(name, None, frags) for name, frags in special])


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path: Path):
    secret = tmp_path / "secret.yaml"
    secret.write_text(f"extends: {BASELINE}\n")
    secret.chmod(0)
    (tmp_path / "child.yaml").write_text("extends: secret.yaml\n")
    outcome = sim_validate("secret.yaml", "child.yaml", cwd=tmp_path)
    check_refused(
        outcome,
        [("secret.yaml", None, ["permission denied"]), ("secret.yaml", None, ["permission"])],
    )


@pytest.mark.parametrize(
    ("call", "error", "fragment"),
    [
        ("open", PermissionError(errno.EACCES, "Permission denied"), "permission denied"),
        ("open", OSError(errno.EMFILE, "Too many open files"), "Too many open files"),
        ("read", OSError(errno.EIO, "Input/output error"), "Input/output error"),
    ],
)
def test_any_os_error_is_one_line(tmp_path: Path, monkeypatch, call, error, fragment):
    """Errors of the system (also those a test running as root cannot provoke)."""
    (tmp_path / "parent.yaml").write_text(f"extends: {BASELINE}\n")
    (tmp_path / "child.yaml").write_text("extends: parent.yaml\n")
    real = getattr(os, call)

    def failing(*args, **kwargs):
        if call == "read" or "parent" in str(args[0]):
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(sim.scenario.loader.os, call, failing)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "child.yaml")
    message = str(caught.value)
    assert "\n" not in message
    named = "child.yaml" if call == "read" else "parent.yaml"
    assert message.startswith(f"{tmp_path / named}: "), message
    assert fragment in message


def test_long_extends_chains_and_fans_are_refused(tmp_path: Path):
    # A chain of 1,000 files, each extending the next.
    for i in range(1000):
        parent = f"chain{i + 1}.yaml" if i < 999 else BASELINE
        (tmp_path / f"chain{i}.yaml").write_text(f"extends: {parent}\n")
    # One file extending the same parent 500 times (each a file to read).
    (tmp_path / "leaf.yaml").write_text("levers: {troops_pledged: 1}\n")
    (tmp_path / "fan.yaml").write_text("extends: [" + ", ".join(["leaf.yaml"] * 500) + "]\n")
    # Ten levels of ten parents each: 10^10 files to read.  Depth first, the
    # 101st file is the 3rd parent of the 9th tree9.yaml.
    for level in range(10):
        parent = f"tree{level + 1}.yaml" if level < 9 else BASELINE
        (tmp_path / f"tree{level}.yaml").write_text(f"extends: [{', '.join([parent] * 10)}]\n")
    outcome = sim_validate("chain0.yaml", "fan.yaml", "tree0.yaml", cwd=tmp_path)
    check_refused(
        outcome,
        [
            ("chain20.yaml", 1, ["extends: more than 20 levels"]),
            ("fan.yaml", 1, ["extends: more than 100 files"]),
            ("tree9.yaml", 1, ["extends: more than 100 files"]),
        ],
    )


def test_legitimate_anchors_aliases_and_merge_keys_still_work(tmp_path: Path):
    (tmp_path / "anchors.yaml").write_text(
        f"extends: {BASELINE}\n"
        "actors:\n  coalition:\n    states:\n"
        "      Narnia: &state {troops: 100, domestic_support: 0.5, casualty_sensitivity: 0.4}\n"
        "      Gondor: {<<: *state, troops: 200}\n"
        "      Rohan: *state\n"
        "games:\n  qre_precision: 1e3\n"  # a number, as in YAML 1.2
    )
    scenario = load_scenario(tmp_path / "anchors.yaml")
    states = scenario.actors.coalition.states
    assert states["Gondor"].troops == 200
    assert states["Gondor"].domestic_support == states["Rohan"].domestic_support
    assert scenario.games.qre_precision == 1000.0
    # An error in a value brought in by a merge key points where it was written.
    (tmp_path / "merged.yaml").write_text(
        f"extends: {BASELINE}\n"
        "actors:\n  coalition:\n    states:\n"
        "      Narnia: &state {troops: 100, domestic_support: 0.5, casualty_sensitivity: 0.4}\n"
        "      Gondor:\n        <<: *state\n        domestic_support: 3\n"
    )
    with pytest.raises(ScenarioError) as error:
        load_scenario(tmp_path / "merged.yaml")
    assert "merged.yaml:8: actors.coalition.states.Gondor.domestic_support" in str(error.value)


@pytest.mark.parametrize("fast", [True, False], ids=["libyaml", "pure_python"])
def test_both_yaml_parsers_keep_the_limits(tmp_path: Path, monkeypatch, fast):
    """The loader uses libyaml's parser when PyYAML has it, else PyYAML's own."""
    if fast and sim.scenario.loader._CParser is None:
        pytest.skip("PyYAML without libyaml")
    if not fast:
        monkeypatch.setattr(sim.scenario.loader, "_LOADER", sim.scenario.loader._PyLoader)
    for case in ("billion_laughs", "recursive_alias", "deep_flow_nesting", "list_as_key"):
        _, content, line, fragments = next(c for c in HOSTILE if c[0] == case)
        path = _write(tmp_path / f"{case}.yaml", content)
        start = time.monotonic()
        with pytest.raises(ScenarioError) as error:
            load_scenario(path)
        assert time.monotonic() - start < SECONDS
        message = str(error.value)
        assert "\n" not in message
        assert message.startswith(f"{path}:{line}:" if line else f"{path}:")
        assert all(fragment in message for fragment in fragments), message
    assert load_scenario(SCENARIOS / "combined.yaml").name == "combined"


# --------------------------------------------------------------------------- property test

SCENARIO_KEYS = [
    "extends",
    "name",
    "description",
    "simulation",
    "runs",
    "seed",
    "horizon_days",
    "levers",
    "troops_pledged",
    "sanctions_credibility",
    "timeline",
    "ceasefire",
    "day",
    "duration_days",
    "actors",
    "russia",
    "resolve",
    "coalition",
    "states",
    "games",
    "tables",
    "row_payoffs",
    "selection",
    "qre_precision",
    "dist",
    "uniform",
    "low",
    "high",
    "value",
    "[key]",
    "<<",
]

text_with_controls = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"])
    | st.sampled_from("\n\x00\x1b\ud800"),
    max_size=30,
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.sampled_from([10**100, 2**64, -1, 0, 3650, 3651]),
    st.floats(allow_nan=True, allow_infinity=True),
    text_with_controls,
    st.sampled_from(["yes", "no", "~", "1e100", "2024-01-01", "baseline.yaml", "uniform"]),
)
keys = st.sampled_from(SCENARIO_KEYS) | text_with_controls | st.integers(-5, 5) | st.booleans()
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=25,
)


#: Pieces of raw YAML text, well-formed or not, joined at random.
RAW_PIECES = [
    "a",
    "levers",
    "troops_pledged",
    ": ",
    "- ",
    "\n",
    "  ",
    "[",
    "]",
    "{",
    "}",
    ", ",
    "&x ",
    "*x",
    "&y ",
    "*y",
    "? ",
    "<<: ",
    "!!python/object:os.system ",
    "!!binary ",
    "!!set ",
    "!!timestamp ",
    "!foo ",
    "'",
    '"',
    '"\\n\\e\\x85"',
    "\\x1b",
    "1e5",
    "yes",
    "~",
    "---\n",
    "%YAML 1.1\n",
    "#",
    "\t",
    "\x00",
    "\x1b",
    "\x7f",
    "2024-13-45",
    "7" * 5000,
    "0x" + "f" * 3000,
    "? [a, b]\n: 1\n",
    "{[1]: 2}",
    "a: &r [*r]\n",
    f"extends: {BASELINE}\n",
    "extends: case.yaml\n",
    "extends: baseline.yaml\n",
]


@st.composite
def raw_documents(draw) -> str:
    return "".join(draw(st.lists(st.sampled_from(RAW_PIECES), min_size=1, max_size=40)))


@st.composite
def data_documents(draw) -> str:
    """Data dumped by PyYAML; values repeated under ``x`` and ``y`` become anchors and aliases."""
    data = draw(st.dictionaries(keys, values, max_size=6))
    if draw(st.booleans()):
        shared = draw(st.lists(values, min_size=1, max_size=3))
        data = {**data, "extends": BASELINE, "x": shared, "y": shared}
    return yaml.safe_dump(data, allow_unicode=draw(st.booleans()))


def _flow(value: object) -> str:
    """``value`` as one line of YAML."""
    return yaml.safe_dump(value, default_flow_style=True, width=10**9).split("\n")[0]


def _mutate(text: str, draw) -> str:
    """``text`` with one to three lines dropped, repeated, retyped, rekeyed or garbled."""
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        # a line "key: value" (not a comment)
        content = [i for i, ln in enumerate(lines) if ":" in ln and not ln.lstrip().startswith("#")]
        if not content:
            break
        i = draw(st.sampled_from(content))
        line = lines[i]
        indent = line[: len(line) - len(line.lstrip())]
        key = line.split(":", 1)[0]
        action = draw(st.sampled_from(["drop", "duplicate", "retype", "rekey", "garbage"]))
        if action == "drop":
            lines[i] = ""
        elif action == "duplicate":
            lines.insert(i, line)
        elif action == "retype":
            lines[i] = f"{key}: {_flow(draw(scalars))}"
        elif action == "rekey":
            lines[i] = f"{indent}{_flow(draw(keys))}:{line.split(':', 1)[1]}"
        else:
            lines.insert(i, indent + draw(raw_documents()))
    return "\n".join(lines) + "\n"


SHIPPED = {p.name: p.read_text(encoding="utf-8") for p in sorted(SCENARIOS.glob("*.yaml"))}


@st.composite
def mutated_scenarios(draw) -> str:
    return _mutate(SHIPPED[draw(st.sampled_from(sorted(SHIPPED)))], draw)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    """A directory holding copies of the shipped scenarios (so extends: resolves)."""
    directory = tmp_path_factory.mktemp("property")
    for path in SCENARIOS.glob("*.yaml"):
        shutil.copy(path, directory / path.name)
    return directory


@settings(
    max_examples=200,
    deadline=None,
    database=None,  # nothing written into the repository
    suppress_health_check=[HealthCheck.too_slow],
)
@given(document=st.one_of(raw_documents(), data_documents(), mutated_scenarios()))
def test_validate_never_crashes(scratch: Path, document: str):
    case = scratch / "case.yaml"
    case.write_text(document, encoding="utf-8", errors="surrogatepass")
    result = CliRunner().invoke(app, ["validate", str(case)])
    assert result.exit_code in (0, 2), (result.exception, document)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    output = (result.stdout + result.stderr).splitlines()
    assert len(output) == 1, output
    assert "Traceback" not in result.stdout + result.stderr
    if result.exit_code == 0:
        assert output[0].startswith("ok: ")
    else:
        assert result.stderr.startswith("error: ") and result.stdout == ""


def test_docs_state_the_limits():
    docs = (SCENARIOS.parent / "docs" / "scenarios.md").read_text(encoding="utf-8")
    for number in (
        sim.scenario.loader.MAX_FILE_BYTES,
        sim.scenario.loader.MAX_TOTAL_BYTES,
        sim.scenario.loader.MAX_NODES,
    ):
        assert f"{number:,}" in docs
    assert f"nest at most {sim.scenario.loader.MAX_DEPTH} levels" in docs
    assert f"at most {sim.scenario.loader.MAX_EXTENDS_DEPTH} files deep" in docs
    assert f"at most {sim.scenario.loader.MAX_FILES}\n  files" in docs
