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

Limits.  The main file and every file it extends go through the same checks,
so that no input can hang the loader, exhaust memory or end in a traceback
(scenario files are a few kilobytes and a few hundred values):

* only regular files are read -- a directory, a named pipe, a device
  (``/dev/zero``) or a socket is refused before it is opened for reading, and
  any error of the operating system (a symlink loop, no permission) is one
  line;
* a file holds at most :data:`MAX_FILE_BYTES` bytes, and all the files of
  one scenario at most :data:`MAX_TOTAL_BYTES`;
* a file is UTF-8 text without control characters (NUL and the like);
* at most :data:`MAX_NODES` YAML nodes (keys, values, list items) per
  scenario, counting a value reached through an alias (``*name``) once per
  use -- so "billion laughs" documents are refused -- and no alias may refer
  to a value that contains it;
* values nest at most :data:`MAX_DEPTH` levels deep;
* ``extends:`` goes at most :data:`MAX_EXTENDS_DEPTH` files deep, and one
  scenario reads at most :data:`MAX_FILES` files (counting a file each time
  it is extended);
* keys are plain scalars (a list or a mapping cannot be a key).

Anchors, aliases and merge keys (``<<: *defaults``) are plain YAML and allowed
within these limits.  In error messages, control characters are escaped and
long values shortened, so that a message is always one line.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from sim.errors import SimError
from sim.scenario.messages import (
    _ABSENT,
    _SCALARS,
    _SHOWN,
    _WRONG_FORM,
    Path_,
    _clean_loc,
    _escape,
    _key_text,
    _message,
    _shorten,
    _show_text,
    _yaml_type,
)
from sim.scenario.schema import Scenario
from sim.scenario.sweep_file import SweepSpec

__all__ = [
    "MAX_DEPTH",
    "MAX_EXTENDS_DEPTH",
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "MAX_TOTAL_BYTES",
    "ScenarioError",
    "load_scenario",
    "load_scenario_data",
    "load_scenario_text",
    "read_sweep_file",
    "sweep_error",
]

#: Largest scenario file, in bytes (the shipped ones are below 15 kB).
MAX_FILE_BYTES = 1_000_000
#: Largest total size of the files one scenario reads (itself and what it extends).
MAX_TOTAL_BYTES = 2_000_000
#: Most YAML nodes in one scenario, each use of an alias counting its whole value.
MAX_NODES = 100_000
#: Deepest nesting of values (the shipped scenarios nest 6 levels deep).
MAX_DEPTH = 50
#: Longest chain of files extending files (the shipped scenarios use 3).
MAX_EXTENDS_DEPTH = 20
#: Most files read for one scenario, a file counting each time it is extended.
MAX_FILES = 100


_MERGE_TAG = "tag:yaml.org,2002:merge"
_VALUE_TAG = "tag:yaml.org,2002:value"

Provenance = dict[Path_, tuple[str, int]]


# --------------------------------------------------------------------------- messages


class ScenarioError(SimError, ValueError):
    """A scenario file is unusable; ``str(error)`` is one line for the user.

    The line reads ``FILE:LINE: KEY: MESSAGE`` (``:LINE`` and ``KEY:`` left out
    when unknown), with control characters escaped.  The parts are kept as the
    attributes ``file`` (text), ``line``, ``key`` and ``message``.

    Parameters
    ----------
    file : str or pathlib.Path
        The file the problem is in.
    line : int or None
        Its line, counted from 1, or ``None`` when no line can be named.
    key : str or None
        The key the problem is about, as a dotted path, or ``None``.
    message : str
        What is wrong and what was expected.
    """

    def __init__(self, file: str | Path, line: int | None, key: str | None, message: str):
        self.file, self.line, self.key, self.message = str(file), line, key, message
        name = _escape(self.file)
        where = name if line is None else f"{name}:{line}"
        what = f"{_escape(key)}: " if key else ""
        super().__init__(f"{where}: {what}{_escape(message)}")


# --------------------------------------------------------------------------- reading


@dataclass
class _Budget:
    """What one scenario has used of the limits, over all its files."""

    files: int = 0
    bytes: int = 0
    nodes: int = 0
    #: file name as given (and recorded in provenance) -> its real path
    real: dict[str, str] = field(default_factory=dict)
    #: Only plain file names in the same folder may be extended (untrusted text).
    confined: bool = False


def _os_problem(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    if isinstance(exc, NotADirectoryError):
        return "file not found (a part of the path is not a directory)"
    if isinstance(exc, PermissionError):
        return "permission denied: cannot read the file"
    if exc.errno == errno.ELOOP:
        return "cannot read the file: too many levels of symbolic links (a symlink loop?)"
    return f"cannot read the file: {exc.strerror or type(exc).__name__}"


def _check_regular(file: Path, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        what = "is a directory"
    elif stat.S_ISFIFO(mode):
        what = "is a named pipe (FIFO)"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = "is a device"
    elif stat.S_ISSOCK(mode):
        what = "is a socket"
    else:
        what = "is not a regular file"
    raise ScenarioError(file, None, None, f"{what}, expected a YAML file")


def _too_big(file: Path, size: str) -> ScenarioError:
    return ScenarioError(
        file,
        None,
        None,
        f"file too large ({size} bytes): a scenario file may hold at most {MAX_FILE_BYTES:,} bytes",
    )


def _read(file: Path, budget: _Budget) -> str:
    """The text of ``file``, if it is a regular, small, UTF-8 text file."""
    try:
        info = os.stat(file)
    except OSError as exc:
        raise ScenarioError(file, None, None, _os_problem(exc)) from None
    except ValueError:  # e.g. an embedded NUL
        raise ScenarioError(file, None, None, "not a valid file name") from None
    # Refused before opening: opening a FIFO for reading would block.
    _check_regular(file, info.st_mode)
    if info.st_size > MAX_FILE_BYTES:
        raise _too_big(file, f"{info.st_size:,}")
    flags = os.O_RDONLY
    for name in ("O_NONBLOCK", "O_NOCTTY", "O_CLOEXEC", "O_BINARY"):
        flags |= getattr(os, name, 0)
    chunks: list[bytes] = []
    size = 0
    try:
        fd = os.open(file, flags)
        try:
            # The file may have been replaced since the check above.
            _check_regular(file, os.fstat(fd).st_mode)
            while size <= MAX_FILE_BYTES:
                chunk = os.read(fd, MAX_FILE_BYTES + 1 - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(fd)
    except OSError as exc:
        raise ScenarioError(file, None, None, _os_problem(exc)) from None
    if size > MAX_FILE_BYTES:
        raise _too_big(file, f"more than {MAX_FILE_BYTES:,}")
    budget.bytes += size
    if budget.bytes > MAX_TOTAL_BYTES:
        raise ScenarioError(
            file,
            None,
            None,
            f"the files of this scenario (with those it extends) hold more than "
            f"{MAX_TOTAL_BYTES:,} bytes in all",
        )
    raw = b"".join(chunks)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ScenarioError(
            file, line, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    bad = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise ScenarioError(
            file,
            line,
            None,
            f"control character {_escape(bad.group())} is not allowed: a scenario file is "
            "plain text (tabs, line breaks and printable characters)",
        )
    return text


class _ValueProblem(Exception):
    """An exception other than a YAMLError while constructing ``node``."""

    def __init__(self, node: yaml.Node, error: Exception):
        super().__init__(str(error))
        self.node, self.error = node, error


class _Limits:
    """Mixed into a safe loader: refuses deep nesting and too many nodes while composing.

    PyYAML composes nodes recursively: without the depth check a document of
    thousands of nested brackets ends in a RecursionError.
    """

    def _limit(self, file: Path) -> None:
        self._file = file
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        self._depth += 1
        self._nodes += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ScenarioError(
                    self._file, event.start_mark.line + 1, None, _too_deep_message()
                )
            if self._nodes > MAX_NODES:
                raise ScenarioError(
                    self._file, event.start_mark.line + 1, None, _too_many_message()
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (yaml.YAMLError, ScenarioError, _ValueProblem):
            raise
        except Exception as exc:
            raise _ValueProblem(node, exc) from None


class _PyLoader(_Limits, yaml.SafeLoader):
    """PyYAML's SafeLoader, all in Python, within the limits."""

    def __init__(self, text: str, file: Path):
        yaml.SafeLoader.__init__(self, text)
        self._limit(file)


try:  # libyaml's scanner and parser, in C: ten times faster on large files
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - a PyYAML built without libyaml
    _CParser = None

_LOADER: type = _PyLoader
if _CParser is not None:

    class _CLoader(_Limits, Composer, _CParser, SafeConstructor, Resolver):
        """libyaml's parser with PyYAML's own composer (so the limits apply) and
        SafeConstructor, within the limits."""

        def __init__(self, text: str, file: Path):
            _CParser.__init__(self, text)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._limit(file)

    _LOADER = _CLoader

# YAML 1.1, which PyYAML follows, reads 1e-3 and 1.0e100 (no sign in the exponent,
# or no dot) as strings; YAML 1.2, JSON and editors read them as numbers, and so
# does this loader: with strict types a string is never a number.
for _cls in {_PyLoader, _LOADER}:
    _cls.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
        list("-+0123456789."),
    )
del _cls


def _too_deep_message() -> str:
    return f"values nested more than {MAX_DEPTH} levels deep"


def _too_many_message() -> str:
    return (
        f"more than {MAX_NODES:,} YAML nodes (keys, values and list items, counting an "
        "alias each time it is used): too many nodes after alias expansion"
    )


class _Walker:
    """Records each key's file and line, checking keys and the limits on the way.

    An alias resolves to the very node it names, so a walk through aliases can
    visit exponentially many nodes ("billion laughs"): every visit counts
    against :data:`MAX_NODES`, and a node met again among its own ancestors is
    a recursive alias.
    """

    def __init__(self, loader: Any, file: Path, budget: _Budget):
        self.loader, self.file, self.name, self.budget = loader, file, str(file), budget
        self.provenance: Provenance = {}
        self.active: set[int] = set()

    def _error(self, node: yaml.Node, path: Path_, message: str) -> ScenarioError:
        return ScenarioError(self.file, node.start_mark.line + 1, _key_text(path) or None, message)

    def _count(self, node: yaml.Node) -> None:
        self.budget.nodes += 1
        if self.budget.nodes > MAX_NODES:
            raise ScenarioError(self.file, node.start_mark.line + 1, None, _too_many_message())

    def walk(self, node: yaml.Node, path: Path_) -> None:
        self._count(node)
        if len(path) > MAX_DEPTH:
            raise self._error(node, path[:MAX_DEPTH], _too_deep_message())
        self.provenance[path] = (self.name, node.start_mark.line + 1)
        if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            return
        if id(node) in self.active:
            raise self._error(node, path, "recursive alias: this value contains an alias of itself")
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                for index, item in enumerate(node.value):
                    self.walk(item, (*path, index))
            else:
                for key, (key_node, value_node) in self._entries(node, path).items():
                    self.walk(value_node, (*path, key))
                    self.provenance[(*path, key)] = (self.name, key_node.start_mark.line + 1)
        finally:
            self.active.discard(id(node))

    def _key(self, key_node: yaml.Node, path: Path_) -> Any:
        self._count(key_node)
        problem = "a key must be a plain name or number, not a list or a mapping"
        if not isinstance(key_node, yaml.ScalarNode):
            raise self._error(key_node, path, problem)
        if key_node.tag == _VALUE_TAG:  # as SafeConstructor.flatten_mapping does
            key_node.tag = "tag:yaml.org,2002:str"
        key = self.loader.construct_object(key_node)
        try:
            hash(key)
        except TypeError:  # e.g. a scalar tagged !!set
            raise self._error(key_node, path, problem) from None
        return key

    def _entries(self, node: yaml.MappingNode, path: Path_) -> dict[Any, tuple]:
        """The mapping's keys and their (key node, value node), as PyYAML will build it.

        Merge keys (``<<``) bring in the entries of other mappings, which the
        mapping's own keys override; its own keys must not repeat.
        """
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        own: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merged.extend(self._merge_entries(key_node, value_node, path, 1))
            else:
                own.append((key_node, value_node))
        entries: dict[Any, tuple] = {}
        for key_node, value_node in merged:
            entries[self._key(key_node, path)] = (key_node, value_node)
        seen: dict[Any, int] = {}
        for key_node, value_node in own:
            key = self._key(key_node, path)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise ScenarioError(
                    self.file,
                    line,
                    _key_text((*path, key)),
                    f"duplicate key (first given on line {seen[key]})",
                )
            seen[key] = line
            entries[key] = (key_node, value_node)
        return entries

    def _merge_entries(
        self, key_node: yaml.Node, value: yaml.Node, path: Path_, depth: int
    ) -> list[tuple[yaml.Node, yaml.Node]]:
        """The entries a merge key brings in, in the order SafeConstructor applies them."""
        self._count(value)
        if depth > MAX_DEPTH:
            raise self._error(key_node, path, _too_deep_message())
        if isinstance(value, yaml.MappingNode):
            sources = [value]
        elif isinstance(value, yaml.SequenceNode):
            sources = list(reversed(value.value))  # the first mapping listed wins
        else:
            sources = []
        if not sources or not all(isinstance(s, yaml.MappingNode) for s in sources):
            raise self._error(key_node, path, "a merge key '<<' needs a mapping or a list of them")
        entries: list[tuple[yaml.Node, yaml.Node]] = []
        for source in sources:
            if id(source) in self.active:
                raise self._error(
                    key_node, path, "recursive alias: this value merges an alias of itself"
                )
            self.active.add(id(source))
            try:
                own = []
                for sub_key, sub_value in source.value:
                    self._count(sub_value)
                    if sub_key.tag == _MERGE_TAG:
                        entries.extend(self._merge_entries(sub_key, sub_value, path, depth + 1))
                    else:
                        own.append((sub_key, sub_value))
                entries.extend(own)
            finally:
                self.active.discard(id(source))
        return entries


def _parse(file: Path, budget: _Budget) -> tuple[Any, Provenance]:
    """Parse one file with PyYAML's SafeLoader, recording each key's line."""
    text = _read(file, budget)
    try:
        loader = _LOADER(text, file)
    except yaml.YAMLError as exc:  # pragma: no cover - _read refuses what the reader refuses
        raise ScenarioError(file, None, None, f"malformed YAML: {_first_line(exc)}") from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError(file, 1, None, "file is empty; expected a mapping of scenario keys")
        walker = _Walker(loader, file, budget)
        walker.walk(node, ())
        provenance = walker.provenance
        data = loader.construct_document(node)
    except ScenarioError:
        raise
    except _ValueProblem as problem:
        raise ScenarioError(
            file, problem.node.start_mark.line + 1, None, _value_problem(problem.error)
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        if _nesting_refused(exc):
            # libyaml (PyYAML >= 6.0.4) scans a whole line ahead of the composer and
            # refuses more than 1,000 levels itself, before the loader's own limit
            # of MAX_DEPTH can fire: the file nests too deep by that limit too, so
            # it gets the same message whichever parser read it.
            raise ScenarioError(file, line, None, _too_deep_message()) from None
        raise ScenarioError(file, line, None, _yaml_problem(exc, text)) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(file, None, None, f"malformed YAML: {_first_line(exc)}") from None
    except RecursionError:
        raise ScenarioError(file, None, None, _too_deep_message()) from None
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


def _nesting_refused(exc: yaml.MarkedYAMLError) -> bool:
    """Whether the parser refused the document for nesting deeper than it allows."""
    words = f"{exc.context or ''} {exc.problem or ''}".lower()
    return "nesting depth" in words or "flow level" in words


def _yaml_problem(exc: yaml.MarkedYAMLError, text: str) -> str:
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    if "python/" in problem or "constructor for the tag" in problem:
        return _shorten(
            f"unsupported YAML tag; scenario files may hold only plain data ({problem})",
            4 * _SHOWN,
        )
    if context.endswith("first occurrence") and exc.context_mark is not None:
        problem = f"{context} on line {exc.context_mark.line + 1}"  # a duplicate anchor
    elif problem.startswith("but found") and context:
        problem = f"{context}, {problem}"  # e.g. a second document
    elif not problem:
        problem = _first_line(exc)
    mark = exc.problem_mark
    if mark is not None:
        lines = text.splitlines()
        row = lines[mark.line] if 0 <= mark.line < len(lines) else ""
        if "\t" in row[: mark.column + 1]:
            problem += " (a tab: YAML indents with spaces only)"
    return _shorten(f"malformed YAML: {problem}", 4 * _SHOWN)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return _shorten(lines[0] if lines else type(exc).__name__, 4 * _SHOWN)


def _value_problem(error: Exception) -> str:
    text = str(error)
    if "integer string conversion" in text:
        return "cannot read this value: a number with too many digits"
    return f"cannot read this value: {_shorten(_first_line(error))}"


# --------------------------------------------------------------------------- extends


def _sub_paths(value: Any, path: Path_) -> Iterator[Path_]:
    """``path`` and the path of every key and list item inside ``value``."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _sub_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _sub_paths(item, (*path, index))


def _merge(
    base: Any,
    override: Any,
    base_prov: Provenance,
    over_prov: Provenance,
    path: Path_ = (),
    shared: frozenset[str] = frozenset(),
    real: dict[str, str] | None = None,
) -> Any:
    """Merge ``override`` into ``base`` (both with provenance), returning the result.

    ``shared``: real paths of files already merged into ``base``.  A value
    that ``override`` merely inherited from one of them is not applied again, so
    in ``extends: [a.yaml, b.yaml]`` where both extend ``baseline.yaml``, b's copy
    of a baseline value does not undo a's change to it.  ``real`` maps the file
    names in provenance to their real paths.
    """
    # A mapping with a 'dist' key is one value (a distribution): it replaces, never merges.
    if isinstance(base, dict) and isinstance(override, dict) and "dist" not in override:
        merged = dict(base)
        for key, value in override.items():
            sub = (*path, key)
            if key in base:
                merged[key] = _merge(base[key], value, base_prov, over_prov, sub, shared, real)
            else:
                merged[key] = value
                _copy_prov(over_prov, base_prov, sub, value)
        return merged
    source = over_prov.get(path, ("", 0))[0]
    if path in base_prov and source and (real or {}).get(source, source) in shared:
        return base
    # Replaced whole: forget the base's provenance beneath this path.
    for stale in _sub_paths(base, path):
        if stale != path:
            base_prov.pop(stale, None)
    _copy_prov(over_prov, base_prov, path, override)
    return override


def _copy_prov(source: Provenance, target: Provenance, path: Path_, value: Any) -> None:
    for p in _sub_paths(value, path):
        if p in source:
            target[p] = source[p]


def _real_path(path: Path) -> str:
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return os.path.abspath(path)


def load_scenario_data(file: str | Path) -> tuple[dict, Provenance]:
    """Parse ``file`` and everything it extends; return merged data and provenance.

    Provenance maps each key's path (a tuple of keys and list indices) to the
    file and line it was written on.  The data are not validated against the
    schema (:func:`load_scenario` does that).

    Parameters
    ----------
    file : str or pathlib.Path
        The scenario file; the files it extends are found relative to it.

    Returns
    -------
    data : dict
        The merged mapping, without the ``extends`` key.
    provenance : dict
        ``{path: (file name, line)}`` for every key and list item; the empty
        path ``()`` is the file itself.

    Raises
    ------
    ScenarioError
        On any problem reading, parsing or composing the files (one line).
    """
    return _load_tree(Path(file), (), _Budget(files=1))


def _load_tree(file: Path, chain: tuple[str, ...], budget: _Budget) -> tuple[dict, Provenance]:
    data, provenance = _parse(file, budget)
    resolved = budget.real[str(file)] = _real_path(file)
    parents = data.pop("extends", None)
    if parents is None:
        return data, provenance
    line = provenance[("extends",)][1]
    if isinstance(parents, str):
        parents = [parents]
    if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents) or not parents:
        raise ScenarioError(file, line, "extends", "expected a file name or a list of file names")
    chain = (*chain, resolved)
    if len(chain) > MAX_EXTENDS_DEPTH:
        raise ScenarioError(
            file,
            line,
            "extends",
            f"more than {MAX_EXTENDS_DEPTH} levels of extends: (files extending files)",
        )
    merged: dict = {}
    merged_prov: Provenance = {}
    for parent in parents:
        if budget.confined and (
            Path(parent).name != parent or parent.startswith(".") or "\\" in parent
        ):
            raise ScenarioError(
                file,
                line,
                "extends",
                f"'{_show_text(parent)}': here only a shipped scenario can be extended, "
                "by its file name (e.g. baseline.yaml)",
            )
        budget.files += 1
        if budget.files > MAX_FILES:
            raise ScenarioError(
                file,
                line,
                "extends",
                f"more than {MAX_FILES} files to read for one scenario "
                "(a file counts each time it is extended)",
            )
        parent_path = file.parent / parent
        try:
            os.stat(parent_path)
        except (FileNotFoundError, NotADirectoryError):
            raise ScenarioError(
                file,
                line,
                "extends",
                f"cannot find '{_show_text(parent)}' (looked in {file.parent})",
            ) from None
        except ValueError:
            raise ScenarioError(
                file, line, "extends", f"'{_show_text(parent)}' is not a valid file name"
            ) from None
        except OSError:
            pass  # reading the parent reports it, naming the parent
        if _real_path(parent_path) in chain:
            names = [Path(p).name for p in chain] + [parent_path.name]
            raise ScenarioError(file, line, "extends", f"circular extends: {' -> '.join(names)}")
        parent_data, parent_prov = _load_tree(parent_path, chain, budget)
        # A scenario's name and description are its own, never inherited: a file
        # that extends baseline.yaml is not "baseline" (its results would land in
        # results/baseline/).
        for key in ("name", "description"):
            parent_data.pop(key, None)
            parent_prov.pop((key,), None)
        files = {name for name, _ in merged_prov.values()}
        shared = frozenset(budget.real.get(name, name) for name in files)
        merged = _merge(merged, parent_data, merged_prov, parent_prov, (), shared, budget.real)
    provenance.pop(("extends",), None)
    merged = _merge(merged, data, merged_prov, provenance, (), frozenset(), budget.real)
    merged_prov[()] = (str(file), 1)
    return merged, merged_prov


def load_scenario(file: str | Path) -> Scenario:
    """Load and validate a scenario file (following ``extends:``).

    ``name`` and ``description`` are not inherited through ``extends:``; if the
    file gives no ``name``, the file's stem is used.

    Parameters
    ----------
    file : str or pathlib.Path
        The scenario file (YAML, docs/scenarios.md).

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    ScenarioError
        With a one-line message on any problem (the file, the line and the key).
    """
    return _load_validated(Path(file), _Budget(files=1))


def load_scenario_text(text: str, name: str, library: Iterable[Path] = ()) -> Scenario:
    """Load and validate a scenario given as text (an upload: untrusted input).

    The same bounded loader as :func:`load_scenario`, with one more rule: the
    text may extend only the files of ``library`` (e.g. the shipped
    scenarios), by their file names, never a path.  Errors name ``name``
    (e.g. the uploaded file's name) and its line.  Nothing is written where the
    user can see it: the text is read from a private temporary folder that is
    removed before this returns.

    Parameters
    ----------
    text : str
        The scenario file's text.
    name : str
        The name to read it under and to give in errors; without a ``.yaml`` or
        ``.yml`` suffix one is added, and characters other than letters, digits,
        ``_``, ``.`` and ``-`` become ``_``.  Its stem is the scenario's name if
        the text gives none.
    library : iterable of pathlib.Path, optional
        The files the text may extend, by file name (default: none).

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    ScenarioError
        On any problem, including text longer than :data:`MAX_FILE_BYTES` bytes
        and an ``extends:`` of anything but a file of ``library``.
    """
    import shutil
    import tempfile

    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(name).name).lstrip(".")[:80] or "scenario"
    if not stem.endswith((".yaml", ".yml")):
        stem += ".yaml"
    data = text.encode("utf-8", errors="surrogatepass")
    if len(data) > MAX_FILE_BYTES:
        raise _too_big(Path(stem), f"{len(data):,}")
    with tempfile.TemporaryDirectory(prefix="sim-upload-") as folder:
        for source in library:
            if source.name != stem:
                shutil.copyfile(source, Path(folder) / source.name)
        target = Path(folder) / stem
        target.write_bytes(data)
        try:
            scenario = _load_validated(target, _Budget(files=1, confined=True))
        except ScenarioError as error:
            message = error.message.replace(f"(looked in {folder})", "(not a shipped scenario)")
            raise ScenarioError(Path(error.file).name, error.line, error.key, message) from None
    return scenario


def _load_validated(file: Path, budget: _Budget) -> Scenario:
    try:
        data, provenance = _load_tree(file, (), budget)
        data.setdefault("name", file.stem)
        try:
            return Scenario.model_validate(data)
        except ValidationError as exc:
            raise _explain(exc, file, provenance, data) from None
    except ScenarioError:
        raise
    except RecursionError:
        raise ScenarioError(file, None, None, _too_deep_message()) from None
    except MemoryError:
        raise ScenarioError(file, None, None, "too large to load") from None
    except Exception as exc:
        # Whatever was missed above: still one line naming the file, not a traceback.
        raise ScenarioError(
            file,
            None,
            None,
            f"cannot load this scenario ({type(exc).__name__}: {_first_line(exc)})",
        ) from None


# --------------------------------------------------------------------------- errors


def _explain(
    exc: ValidationError,
    file: Path,
    provenance: Provenance,
    data: Any = _ABSENT,
    root: type[BaseModel] = Scenario,
) -> ScenarioError:
    errors = exc.errors(include_url=False)
    # Where a value may take several forms (levels or a range), the form it was not is
    # the least useful thing to say: the errors of the form it was come first.
    errors.sort(key=lambda e: e["type"] in _WRONG_FORM)
    first = errors[0]
    loc = _clean_loc(first["loc"], data)
    where_file, where_line = _locate(loc, provenance, file)
    message = _message(first, loc, root)
    scalar_forms = {e["loc"][-1] for e in errors if e["loc"][:-1] == first["loc"][:-1]}
    if first["loc"] and first["loc"][-1] in _SCALARS and scalar_forms >= _SCALARS:
        # A level of a sweep (a number, true/false or text) given as something else.
        got = type(first.get("input")).__name__
        got = {"dict": "a mapping", "list": "a list", "NoneType": "nothing"}.get(got, got)
        message = f"should be a number, true/false or text, got {got}"
        errors = [e for e in errors if e["loc"][:-1] != first["loc"][:-1]] + [first]
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return ScenarioError(where_file, where_line, _key_text(loc) or None, message)


def _locate(loc: Path_, provenance: Provenance, file: Path) -> tuple[str, int | None]:
    for end in range(len(loc), -1, -1):
        if loc[:end] in provenance:
            return provenance[loc[:end]]
    return str(file), None


# --------------------------------------------------------------------------- sweep files


def read_sweep_file(file: str | Path) -> tuple[SweepSpec, Scenario, Provenance]:
    """Read a sweep file (docs/sweeps.md) and its base scenario, both validated.

    Returns the file as written, its base scenario and where each key is (for
    :func:`sweep_error`).  :func:`sim.experiments.sweeps.load_sweep` resolves
    its points.

    Parameters
    ----------
    file : str or pathlib.Path
        The sweep file; its ``base`` is found relative to it.

    Returns
    -------
    spec : SweepSpec
        The sweep file as written, validated.
    base : Scenario
        Its base scenario (loaded with :func:`load_scenario`).
    provenance : dict
        ``{path: (file name, line)}`` for every key of the sweep file.

    Raises
    ------
    ScenarioError
        On any problem -- in the sweep file or in its base scenario -- naming the
        file, the line and the key.
    """
    file = Path(file)
    try:
        data, provenance = _parse(file, _Budget(files=1))
    except RecursionError:
        raise ScenarioError(file, None, None, _too_deep_message()) from None
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise _explain(exc, file, provenance, data, root=SweepSpec) from None
    base_file = file.parent / spec.base
    if not base_file.is_file():
        line = provenance.get(("base",), (str(file), None))[1]
        shown = _show_text(spec.base)
        if base_file.exists():  # a directory, a device, a pipe: not a scenario file
            kind = "a directory" if base_file.is_dir() else "not a regular file"
            raise ScenarioError(file, line, "base", f"'{shown}' is {kind}, not a scenario file")
        raise ScenarioError(file, line, "base", f"cannot find '{shown}' (looked in {file.parent})")
    return spec, load_scenario(base_file), provenance


def sweep_error(
    message: str, file: Path, provenance: Provenance, vary: dict | None = None
) -> ScenarioError:
    """A :func:`sim.experiments.sweeps.resolve_sweep` error as one line naming the sweep file's key.

    Its message starts with the key it is about: a varied path, ``set``,
    ``samples`` or ``vary``.

    Parameters
    ----------
    message : str
        The error's message, ``KEY: what is wrong`` (a message that starts with
        no known key is kept whole and names the file only).
    file : pathlib.Path
        The sweep file.
    provenance : dict
        Where each key of the sweep file is, as :func:`read_sweep_file` returns it.
    vary : dict, optional
        The sweep file's ``vary`` mapping, to recognise a varied path.

    Returns
    -------
    ScenarioError
        The error to raise, naming the file, the line and the key.
    """
    head, _, rest = message.partition(": ")
    if vary and head in vary:
        key: Path_ = ("vary", head)
    elif head in ("samples", "design", "vary", "set", "runs", "seed"):
        key = (head,)
    else:
        key, rest = (), message
    where_file, where_line = _locate(key, provenance, file)
    return ScenarioError(where_file, where_line, _key_text(key) or None, rest)
