"""Read scenario files: safe YAML → ``extends:`` composition → validated :class:`Scenario`.

This is the only module that opens scenario files.  It keeps, for every key, the
file and line it came from, so that any error -- malformed YAML, an unsafe tag,
a wrong type, an unknown key, a value out of range -- becomes one
:class:`ScenarioError` naming the file, the line and the key, saying what was
expected and, for a misspelt key, suggesting the nearest valid one.

Composition: a file may say ``extends: other.yaml`` (or a list of files, merged
in order); paths are relative to the extending file.  Mappings merge key by key,
the extending file winning; any other value (a number, a list, a
distribution) is replaced whole.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.distributions import DISTRIBUTION_NAMES
from sim.scenario import Scenario

__all__ = ["ScenarioError", "load_scenario", "load_scenario_data"]

Path_ = tuple[str | int, ...]
Provenance = dict[Path_, tuple[str, int]]


class ScenarioError(ValueError):
    """A scenario file is unusable; ``str(error)`` is one line for the user."""

    def __init__(self, file: str | Path, line: int | None, key: str | None, message: str):
        self.file, self.line, self.key, self.message = str(file), line, key, message
        where = self.file if line is None else f"{self.file}:{line}"
        what = f"{key}: " if key else ""
        super().__init__(f"{where}: {what}{message}")


def _key_text(path: Path_) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _parse(file: Path) -> tuple[Any, Provenance]:
    """Parse one file with PyYAML's SafeLoader, recording each key's line."""
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(file, None, None, "file not found") from None
    except IsADirectoryError:
        raise ScenarioError(file, None, None, "is a directory, expected a YAML file") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(file, None, None, f"not UTF-8 text ({exc.reason})") from None

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError(file, 1, None, "file is empty; expected a mapping of scenario keys")
        provenance: Provenance = {}
        _walk(node, (), str(file), provenance)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or str(exc)
        if "python/" in problem or "constructor for the tag" in problem:
            problem = (
                f"unsupported YAML tag; scenario files may hold only plain data ({problem.strip()})"
            )
        else:
            problem = f"malformed YAML: {problem}"
        raise ScenarioError(file, line, None, problem) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(file, None, None, f"malformed YAML: {exc}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ScenarioError(
            file,
            node.start_mark.line + 1,
            None,
            f"expected a mapping of scenario keys at the top level, got {_yaml_type(data)}",
        )
    return data, provenance


def _yaml_type(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "nothing (null)"
    return type(value).__name__


def _walk(node: yaml.Node, path: Path_, file: str, provenance: Provenance) -> None:
    provenance[path] = (file, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                raise ScenarioError(
                    file,
                    line,
                    _key_text((*path, key)),
                    f"duplicate key (first given on line {seen[key]})",
                )
            seen[key] = line
            _walk(value_node, (*path, key), file, provenance)
            provenance[(*path, key)] = (file, line)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), file, provenance)


def _merge(
    base: Any,
    override: Any,
    base_prov: Provenance,
    over_prov: Provenance,
    path: Path_ = (),
    shared: frozenset[str] = frozenset(),
) -> Any:
    """Merge ``override`` into ``base`` (both with provenance), returning the result.

    ``shared``: resolved names of files already merged into ``base``.  A value
    that ``override`` merely inherited from one of them is not applied again, so
    in ``extends: [a.yaml, b.yaml]`` where both extend ``baseline.yaml``, b's copy
    of a baseline value does not undo a's change to it.
    """
    # A mapping with a 'dist' key is one value (a distribution): it replaces, never merges.
    if isinstance(base, dict) and isinstance(override, dict) and "dist" not in override:
        merged = dict(base)
        for key, value in override.items():
            sub = (*path, key)
            if key in base:
                merged[key] = _merge(base[key], value, base_prov, over_prov, sub, shared)
            else:
                merged[key] = value
                _copy_prov(over_prov, base_prov, sub)
        return merged
    source = over_prov.get(path, ("", 0))[0]
    if path in base_prov and source and str(Path(source).resolve()) in shared:
        return base
    # Replaced whole: forget the base's provenance beneath this path.
    for stale in [p for p in base_prov if p[: len(path)] == path and len(p) > len(path)]:
        del base_prov[stale]
    _copy_prov(over_prov, base_prov, path)
    return override


def _copy_prov(source: Provenance, target: Provenance, path: Path_) -> None:
    for p, where in source.items():
        if p[: len(path)] == path:
            target[p] = where


def load_scenario_data(file: str | Path, _chain: tuple[Path, ...] = ()) -> tuple[dict, Provenance]:
    """Parse ``file`` and everything it extends; return merged data and provenance."""
    file = Path(file)
    resolved = file.resolve()
    data, provenance = _parse(file)
    parents = data.pop("extends", None)
    if parents is None:
        return data, provenance
    line = provenance[("extends",)][1]
    if isinstance(parents, str):
        parents = [parents]
    if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents) or not parents:
        raise ScenarioError(file, line, "extends", "expected a file name or a list of file names")
    merged: dict = {}
    merged_prov: Provenance = {}
    for parent in parents:
        parent_path = file.parent / parent
        if not parent_path.is_file():
            raise ScenarioError(
                file, line, "extends", f"cannot find '{parent}' (looked in {file.parent})"
            )
        chain = (*_chain, resolved)
        if parent_path.resolve() in chain:
            cycle = " -> ".join(p.name for p in (*chain, parent_path.resolve()))
            raise ScenarioError(file, line, "extends", f"circular extends: {cycle}")
        parent_data, parent_prov = load_scenario_data(parent_path, chain)
        # A scenario's name and description are its own, never inherited: a file
        # that extends baseline.yaml is not "baseline" (its results would land in
        # results/baseline/).
        for key in ("name", "description"):
            parent_data.pop(key, None)
            parent_prov.pop((key,), None)
        shared = frozenset(str(Path(f).resolve()) for f, _ in merged_prov.values())
        merged = _merge(merged, parent_data, merged_prov, parent_prov, (), shared)
    provenance.pop(("extends",), None)
    merged = _merge(merged, data, merged_prov, provenance)
    merged_prov[()] = (str(file), 1)
    return merged, merged_prov


def load_scenario(file: str | Path) -> Scenario:
    """Load and validate a scenario file (following ``extends:``).

    Raises :class:`ScenarioError` with a one-line message on any problem.
    ``name`` and ``description`` are not inherited through ``extends:``; if the
    file gives no ``name``, the file's stem is used.
    """
    file = Path(file)
    data, provenance = load_scenario_data(file)
    data.setdefault("name", file.stem)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise _explain(exc, file, provenance) from None


# --------------------------------------------------------------------------- errors


def _explain(exc: ValidationError, file: Path, provenance: Provenance) -> ScenarioError:
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = _clean_loc(first["loc"])
    where_file, where_line = _locate(loc, provenance, file)
    message = _message(first, loc)
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return ScenarioError(where_file, where_line, _key_text(loc) or None, message)


def _clean_loc(loc: Iterable[Any]) -> Path_:
    """Drop pydantic's internal union-member tags (e.g. 'uniform', 'function-after[...]')."""
    cleaned: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and (part in DISTRIBUTION_NAMES or "[" in part):
            continue
        cleaned.append(part)
    return tuple(cleaned)


def _locate(loc: Path_, provenance: Provenance, file: Path) -> tuple[str, int | None]:
    for end in range(len(loc), -1, -1):
        if loc[:end] in provenance:
            return provenance[loc[:end]]
    return str(file), None


def _model_at(loc: Path_) -> type[BaseModel] | None:
    """The pydantic model whose fields are valid keys at ``loc`` (for suggestions)."""
    model: Any = Scenario
    for part in loc:
        if isinstance(model, type) and issubclass(model, BaseModel):
            field = model.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None
            model = field.annotation
        elif typing.get_origin(model) is dict:
            model = typing.get_args(model)[1]
        else:
            return None
        # unwrap Optional[...]
        args = [a for a in typing.get_args(model) if a is not type(None)]
        if typing.get_origin(model) in (typing.Union, type(int | None)) and len(args) == 1:
            model = args[0]
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _message(error: dict, loc: Path_) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        key = loc[-1] if loc else "?"
        parent = _model_at(loc[:-1])
        valid = list(parent.model_fields) if parent is not None else []
        if not valid and loc and loc[-2:-1] != ():
            valid = []
        close = difflib.get_close_matches(str(key), valid, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        if valid:
            hint += " Valid keys: " + ", ".join(valid) + "."
        return f"unknown key{hint}"
    if kind in ("too_long", "too_short", "missing") and any("payoffs" in str(p) for p in loc):
        return "expected a 2×2 table: two rows of two numbers, e.g. [[3, 0], [5, 1]]"
    if kind == "missing":
        return "required key is missing"
    if kind == "union_tag_invalid":
        tag = error.get("ctx", {}).get("tag", "?")
        close = difflib.get_close_matches(str(tag), DISTRIBUTION_NAMES, n=1, cutoff=0.5)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown distribution '{tag}'{hint}; expected one of: " + ", ".join(
            DISTRIBUTION_NAMES
        )
    if kind == "finite_number":
        return "expected a finite number, got NaN or infinity"
    if kind == "literal_error":
        # e.g. a misspelt selection rule or game name: suggest the closest choice
        expected = error.get("ctx", {}).get("expected", "")
        choices = [c.strip(" '") for c in expected.replace(" or ", ",").split(",") if c.strip()]
        given = error.get("input")
        close = difflib.get_close_matches(str(given), choices, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"'{given}' is not one of: {', '.join(choices)}{hint}"

    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if kind in (
        "int_type",
        "int_parsing",
        "float_type",
        "float_parsing",
        "bool_type",
        "bool_parsing",
        "string_type",
        "model_type",
        "dict_type",
    ):
        message += f", got {_yaml_type(error.get('input'))} {error.get('input')!r}"
    return message
