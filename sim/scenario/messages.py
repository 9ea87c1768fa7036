"""How a problem with a user's YAML is said: one line, the user's own key path.

Shared by the scenario loader (files) and ``--set`` overrides, so both speak the
same words: values shown short and on one line, pydantic's error locations
turned back into the user's keys, and the closest valid key suggested.
"""

from __future__ import annotations

import difflib
import reprlib
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from sim.scenario.distributions import DISTRIBUTION_NAMES

Path_ = tuple[Any, ...]

#: Values and keys are shown in messages up to this many characters.
_SHOWN = 80


def _escape(text: str) -> str:
    """``text`` with every non-printable character escaped, so it stays on one line."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char.isprintable():
            out.append(char)
        elif char in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[char])
        else:
            code = ord(char)
            out.append(
                f"\\x{code:02x}"
                if code < 0x100
                else (f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
            )
    return "".join(out)


def _shorten(text: str, limit: int = _SHOWN) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_repr = reprlib.Repr()


_repr.maxstring = _repr.maxother = _SHOWN


_repr.maxlong = 40


_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 6


_repr.maxlevel = 3


def _show(value: Any) -> str:
    """A short, one-line rendering of a user's value for a message (repr-like)."""
    if isinstance(value, str):
        if len(value) <= _SHOWN:
            return _escape(repr(value))
        text = repr(value[: _SHOWN - 1])
        return _escape(text[:-1] + "…" + text[-1])
    try:
        text = _repr.repr(value)
    except ValueError:  # an integer too long to write in decimal
        text = f"<an integer of {value.bit_length():,} bits>"
    return _shorten(_escape(text))


def _show_text(value: Any) -> str:
    """A short, one-line rendering of a key or a name (str, without quotes)."""
    if isinstance(value, str):
        return _shorten(_escape(value[: 4 * _SHOWN]))
    return _show(value)


def _key_text(path: Path_) -> str:
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{_show(part)}]"
        else:
            shown = _show_text(part)
            text += f".{shown}" if text else shown
    return text


def _yaml_type(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if value is None:
        return "nothing (null)"
    return type(value).__name__


_ABSENT = object()  # no data (at this path)


#: The members of a union of plain values, as pydantic names them in an error's location.
_SCALARS = frozenset({"bool", "int", "float", "str"})


#: Pydantic error types that say a value is not of one of a union's forms.
_WRONG_FORM = frozenset({"list_type", "model_type", "dict_type", "model_attributes_type"})


def _clean_loc(loc: Iterable[Any], data: Any = _ABSENT) -> Path_:
    """The path of the user's key for pydantic's error location ``loc``.

    ``loc`` also holds pydantic's own steps: the member of a distribution
    union (``uniform``), ``fixed`` and ``value`` for a plain number given as a
    distribution, and ``[key]`` for an error in a mapping's key.  They are told
    apart from the user's keys by following ``loc`` through the data, so a key
    that happens to be called ``uniform`` is kept.
    """
    cleaned: list[Any] = []
    node = data
    tagged = False  # the union member was just skipped at this node
    for part in loc:
        if isinstance(node, dict):
            is_name = isinstance(part, str) and part in DISTRIBUTION_NAMES
            if is_name and not tagged and node.get("dist") == part:
                tagged = True
                continue
            if part in node:
                cleaned.append(part)
                node, tagged = node[part], False
                continue
        elif isinstance(node, list | tuple):
            index_ok = isinstance(part, int) and not isinstance(part, bool)
            if index_ok and 0 <= part < len(node):
                cleaned.append(part)
                node, tagged = node[part], False
                continue
        elif node is not _ABSENT and part in (*DISTRIBUTION_NAMES, "value"):
            continue  # a plain number, read as {dist: fixed, value: ...}
        if part == "[key]" or (isinstance(part, str) and "[" in part and node is _ABSENT):
            continue
        # A union member pydantic names by its type ("list[union[...]]", "RangeSpec"),
        # not a key of the user's.
        if isinstance(part, str) and ("[" in part or part[:1].isupper() or part in _SCALARS):
            if not (isinstance(node, dict) and part in node):
                continue
        cleaned.append(part)
        node, tagged = _ABSENT, False
    return tuple(cleaned)


def _model_at(loc: Path_, root: type[BaseModel]) -> type[BaseModel] | None:
    """The pydantic model whose fields are valid keys at ``loc`` (for suggestions)."""
    model: Any = root
    for part in loc:
        if isinstance(model, type) and issubclass(model, BaseModel):
            field_ = model.model_fields.get(part) if isinstance(part, str) else None
            if field_ is None:
                return None
            model = field_.annotation
        elif typing.get_origin(model) is dict:
            model = typing.get_args(model)[1]
        else:
            return None
        # unwrap Optional[...]
        args = [a for a in typing.get_args(model) if a is not type(None)]
        if typing.get_origin(model) in (typing.Union, type(int | None)) and len(args) == 1:
            model = args[0]
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


_TYPE_ERRORS = (
    "int_type",
    "int_parsing",
    "float_type",
    "float_parsing",
    "bool_type",
    "bool_parsing",
    "string_type",
    "model_type",
    "model_attributes_type",
    "dict_type",
    "list_type",
    "tuple_type",
)


def _message(error: dict, loc: Path_, root: type[BaseModel]) -> str:
    kind = error["type"]
    in_key = bool(error["loc"]) and error["loc"][-1] == "[key]"
    if kind == "extra_forbid" or kind == "extra_forbidden":
        key = loc[-1] if loc else "?"
        parent = _model_at(loc[:-1], root)
        valid = list(parent.model_fields) if parent is not None else []
        shown = str(key) if isinstance(key, str) and len(key) <= 100 else ""
        close = difflib.get_close_matches(shown, valid, n=1, cutoff=0.6) if shown else []
        hint = f"; did you mean '{close[0]}'?" if close else ""
        if valid:
            hint += (" " if close else ". ") + "Valid keys: " + ", ".join(valid) + "."
        return f"unknown key{hint}"
    if kind in ("too_long", "too_short", "missing") and any("payoffs" in str(p) for p in loc):
        return "expected a 2×2 table: two rows of two numbers, e.g. [[3, 0], [5, 1]]"
    if kind == "missing":
        return "required key is missing"
    if kind == "union_tag_invalid":
        tag = error.get("ctx", {}).get("tag", "?")
        close = difflib.get_close_matches(str(tag)[:100], DISTRIBUTION_NAMES, n=1, cutoff=0.5)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown distribution '{_show_text(tag)}'{hint}; expected one of: " + ", ".join(
            DISTRIBUTION_NAMES
        )
    if kind == "finite_number":
        return "expected a finite number, got NaN or infinity"
    if kind == "literal_error":
        # e.g. a misspelt selection rule or game name: suggest the closest choice
        expected = error.get("ctx", {}).get("expected", "")
        choices = [c.strip(" '") for c in expected.replace(" or ", ",").split(",") if c.strip()]
        given = error.get("input")
        if isinstance(given, str):
            close = difflib.get_close_matches(given[:100], choices, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            shown = f"'{_show_text(given)}'"
        else:
            hint, shown = "", f"{_yaml_type(given)} {_show(given)}"
        message = f"{shown} is not one of: {', '.join(choices)}{hint}"
        return f"invalid key: {message}" if in_key else message

    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    message = _shorten(message, 4 * _SHOWN)
    if kind in _TYPE_ERRORS:
        given = error.get("input")
        message += f", got {_yaml_type(given)} {_show(given)}"
    return f"invalid key: {message}" if in_key else message
