"""Bad scenario input: one clear line on stderr, exit code 2, no traceback, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from tests.conftest import SCENARIOS, run_cli

BASELINE = (SCENARIOS / "baseline.yaml").as_posix()

# (case id, file text, expected line number or None, fragments the message must contain)
BAD_INPUTS = [
    ("empty_file", "", 1, ["file is empty"]),
    ("comments_only", "# nothing here\n", 1, ["file is empty"]),
    ("not_a_mapping", "- troops\n- sanctions\n", 1, ["expected a mapping"]),
    (
        "wrong_type",
        f"extends: {BASELINE}\nlevers:\n  troops_pledged: many\n",
        3,
        ["levers.troops_pledged", "valid integer"],
    ),
    (
        "unknown_key_with_suggestion",
        f"extends: {BASELINE}\nlevers:\n  troop_pledged: 5000\n",
        3,
        ["levers.troop_pledged", "did you mean 'troops_pledged'"],
    ),
    (
        "unknown_section_with_suggestion",
        f"extends: {BASELINE}\nsimulaton:\n  runs: 5\n",
        2,
        ["simulaton", "did you mean 'simulation'"],
    ),
    (
        "negative_troops",
        f"extends: {BASELINE}\nlevers:\n  troops_pledged: -100\n",
        3,
        ["levers.troops_pledged", "greater than or equal to 0"],
    ),
    (
        "probability_above_one",
        f"extends: {BASELINE}\nlevers:\n  sanctions_credibility: 1.5\n",
        3,
        ["levers.sanctions_credibility", "probability", "[0, 1]"],
    ),
    (
        "distribution_outside_probability",
        f"extends: {BASELINE}\nlevers:\n"
        "  sanctions_credibility: {dist: uniform, low: 0.5, high: 1.5}\n",
        3,
        ["levers.sanctions_credibility", "probability"],
    ),
    (
        "nan",
        f"extends: {BASELINE}\nlevers:\n  sanctions_credibility: .nan\n",
        3,
        ["levers.sanctions_credibility", "finite"],
    ),
    (
        "unknown_distribution",
        f"extends: {BASELINE}\nactors:\n  russia:\n"
        "    resolve: {dist: gaussian, mean: 1, sd: 0.5}\n",
        4,
        ["actors.russia.resolve", "unknown distribution 'gaussian'", "normal"],
    ),
    (
        "uniform_low_above_high",
        f"extends: {BASELINE}\nactors:\n  russia:\n"
        "    resolve: {dist: uniform, low: 5, high: 1}\n",
        4,
        ["actors.russia.resolve", "low < high"],
    ),
    (
        "state_share_above_one",
        f"extends: {BASELINE}\nactors:\n  coalition:\n    states:\n"
        "      France: {troops: 100, domestic_support: 2, casualty_sensitivity: 0.5}\n",
        5,
        ["actors.coalition.states.France.domestic_support", "[0, 1]"],
    ),
    ("malformed_yaml", f"extends: {BASELINE}\nlevers: [unclosed\n", 3, ["malformed YAML"]),
    (
        "tab_indentation",
        f"extends: {BASELINE}\nlevers:\n\ttroops_pledged: 5\n",
        3,
        ["malformed YAML"],
    ),
    (
        "python_tag",
        f"extends: {BASELINE}\nname: !!python/object/apply:os.system ['echo pwned']\n",
        2,
        ["unsupported YAML tag"],
    ),
    (
        "duplicate_key",
        f"extends: {BASELINE}\nlevers:\n  troops_pledged: 5\n  troops_pledged: 6\n",
        4,
        ["levers.troops_pledged", "duplicate key", "line 3"],
    ),
    (
        "misspelt_selection_rule",
        f"extends: {BASELINE}\ngames:\n  selection: risk_dominent\n",
        3,
        ["games.selection", "did you mean 'risk_dominant'"],
    ),
    (
        "payoff_table_not_2x2",
        f"extends: {BASELINE}\ngames:\n  tables:\n    deployment:\n"
        "      row_payoffs: [[0, -1, 3], [1, -10]]\n      col_payoffs: [[0, 1], [-1, -10]]\n",
        5,
        ["games.tables.deployment.row_payoffs", "2×2 table"],
    ),
    ("missing_extends", "extends: not_there.yaml\n", 1, ["extends", "not_there.yaml"]),
    ("extends_itself", "extends: scenario.yaml\n", 1, ["circular extends"]),
]


def _check_one_clear_line(stderr: str, file_name: str, line: int | None, fragments: list[str]):
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    message = lines[0]
    assert "Traceback" not in stderr
    assert message.startswith("error: ")
    location = f"{file_name}:{line}:" if line is not None else f"{file_name}:"
    assert location in message, message
    for fragment in fragments:
        assert fragment in message, message


@pytest.mark.parametrize(
    ("text", "line", "fragments"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_scenario_run_fails_cleanly(tmp_path: Path, monkeypatch, text, line, fragments):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["run", "scenario.yaml", "--runs", "20", "--out", "out"])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a crash
    _check_one_clear_line(result.stderr, "scenario.yaml", line, fragments)
    assert result.stdout == ""
    # Nothing written: no result directory, no staging leftovers, no default results/.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario.yaml"]


@pytest.mark.parametrize("case", ["empty_file", "unknown_key_with_suggestion", "python_tag", "nan"])
def test_bad_scenario_in_a_real_process(tmp_path: Path, case):
    """The same, through the installed entry point in a fresh interpreter."""
    _, text, line, fragments = next(c for c in BAD_INPUTS if c[0] == case)
    (tmp_path / "scenario.yaml").write_text(text, encoding="utf-8")
    result = run_cli("run", "scenario.yaml", "--runs", "20", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2
    _check_one_clear_line(result.stderr, "scenario.yaml", line, fragments)
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario.yaml"]


def test_missing_scenario_file(tmp_path: Path):
    result = run_cli("run", "nowhere.yaml", cwd=tmp_path)
    assert result.returncode == 2
    _check_one_clear_line(result.stderr, "nowhere.yaml", None, ["file not found"])
    assert list(tmp_path.iterdir()) == []


def test_validate_reports_each_file_and_fails_if_any_is_bad(tmp_path: Path):
    good = tmp_path / "good.yaml"
    good.write_text(f"extends: {BASELINE}\nlevers:\n  troops_pledged: 5000\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {BASELINE}\nlevers:\n  troops_pledgd: 5000\n")
    result = run_cli("validate", "good.yaml", "bad.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert "ok: good.yaml" in result.stdout
    _check_one_clear_line(result.stderr, "bad.yaml", 3, ["did you mean 'troops_pledged'"])


def test_validate_accepts_every_shipped_scenario(tmp_path: Path):
    files = sorted(SCENARIOS.glob("*.yaml"))
    assert len(files) >= 5
    result = run_cli("validate", *files, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ok: ") == len(files)


def test_bad_options_exit_2(tmp_path: Path):
    result = run_cli("run", SCENARIOS / "baseline.yaml", "--runs", "0", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_out_directory_that_is_not_a_result_is_not_overwritten(tmp_path: Path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    result = run_cli(
        "run",
        SCENARIOS / "baseline.yaml",
        "--runs",
        "10",
        "--out",
        "precious",
        "--no-plots",
        cwd=tmp_path,
    )
    assert result.returncode == 2
    _check_one_clear_line(result.stderr, "precious", None, ["not a result directory"])
    assert [p.name for p in precious.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious"]


@pytest.mark.parametrize("command", ["run", "trace", "equilibria"])
def test_runs_beyond_the_scenario_files_limit_are_refused_at_once(tmp_path: Path, command):
    args = [command, SCENARIOS / "baseline.yaml", "--runs", "1000000000"]
    if command != "run":
        args += ["--run", "0"]
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--runs" in result.stderr and "10,000,000" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_equilibria_on_a_deployment_table_whose_first_column_ties(tmp_path: Path):
    # The coalition is indifferent when Russia accepts: the entry threshold mu* is 0,
    # which no run of quiet days can reach (once a math domain error).
    path = tmp_path / "tied.yaml"
    path.write_text(
        f"extends: {(SCENARIOS / 'combined.yaml').as_posix()}\nname: tied\n"
        "games:\n  tables:\n    deployment:\n"
        "      row_payoffs: [[1, 0], [1, 1]]\n      col_payoffs: [[0, 1], [0, 1]]\n"
    )
    result = run_cli("equilibria", path, "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)["incomplete_information"]
    assert info["threshold"] == 0.0
    assert info["quiet_days_to_deploy"] is None
