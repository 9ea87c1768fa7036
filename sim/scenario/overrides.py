"""Scenario overrides by dotted path: a new validated scenario with some values changed.

Paths are the dotted names of the ``param:`` columns and of the scenario file
(``levers.troops_pledged``, ``actors.russia.resolve``,
``actors.coalition.states.United Kingdom.casualty_sensitivity``).  A value
may be a plain number (a fixed value), a distribution mapping, a boolean or
a string, as in a scenario file.  The result is validated like a file, so a
bad path or value raises :class:`ScenarioOverrideError` naming the path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from pydantic import ValidationError

from sim.errors import SimError
from sim.scenario.messages import _clean_loc, _key_text, _message

if TYPE_CHECKING:  # the schema calls this module (Scenario.with_overrides)
    from sim.scenario.schema import Scenario

__all__ = ["ScenarioOverrideError", "with_overrides"]


class ScenarioOverrideError(SimError, ValueError):
    """An override names no scenario key, or gives it a value the schema refuses."""


def with_overrides(scenario: Scenario, overrides: Mapping[str, object]) -> Scenario:
    """``scenario`` with each dotted path in ``overrides`` set to its value, validated.

    A path may name an optional section the scenario leaves out (a timeline
    event): it is created.  A NumPy scalar is taken as its Python value, and a
    whole float (``2961.0``, as SALib and pandas hand them out) as an ``int``
    where the scenario holds an ``int``.

    Parameters
    ----------
    scenario : Scenario
        The scenario to start from (it is not changed).
    overrides : mapping of str to object
        ``{dotted path: value}``, e.g. ``{"levers.troops_pledged": 5000}``; a
        value is what a scenario file could hold there (a number, a
        distribution mapping, a boolean or a string).

    Returns
    -------
    Scenario
        A new scenario, validated like a file.

    Raises
    ------
    ScenarioOverrideError
        If a path names no key or runs through a value that is not a section,
        or the schema refuses a value (the message names the path).
    """
    data = scenario.model_dump(mode="json")
    for path, value in overrides.items():
        keys = path.split(".")
        node = data
        for depth, key in enumerate(keys[:-1]):
            child = node.get(key) if isinstance(node, dict) else None
            if child is None and isinstance(node, dict):
                # An optional section left out (a timeline event): create it.
                child = node[key] = {}
            if not isinstance(child, dict):
                where = ".".join(keys[: depth + 1])
                raise ScenarioOverrideError(f"{path}: {where} is not a section")
            node = child
        node[keys[-1]] = _plain(value, node.get(keys[-1]))
    try:
        return type(scenario).model_validate(data)
    except ValidationError as error:
        # The scenario files' wording (and suggestions for a misspelt key).
        first = error.errors(include_url=False)[0]
        loc = _clean_loc(first["loc"], data)
        message = _message(first, loc, type(scenario))
        raise ScenarioOverrideError(f"{_key_text(loc)}: {message}") from None


def _plain(value: object, current: object) -> object:
    """``value`` as the schema takes it: a NumPy scalar as its Python value, and a
    whole float (2961.0, as SALib and pandas hand them out) as an int where the
    scenario holds an int."""
    if hasattr(value, "item") and type(value).__module__ == "numpy":
        value = value.item()
    if (
        isinstance(value, float)
        and value.is_integer()
        and isinstance(current, int)
        and not isinstance(current, bool)
    ):
        return int(value)
    return value
