"""sim: scenario simulator for the peacekeeping-deployment crisis around Ukraine.

An agent-based (Mesa 3), game-theoretic Monte Carlo model of Russia, the
coalition-of-the-willing states, Ukraine and the United States.

>>> import sim
>>> scenario = sim.load_scenario("scenarios/troops_10000.yaml")
>>> table = sim.run(scenario, runs=200, seed=1)
>>> len(table), int(table["outcome"].value_counts().sum())  # one outcome per run
(200, 200)
"""

import logging as _logging
from importlib import import_module as _import_module
from importlib import metadata as _metadata

# The library logs to ``logging.getLogger(__name__)`` of each module and never
# configures handlers: an application (the ``sim`` command does) chooses where they go.
_logging.getLogger(__name__).addHandler(_logging.NullHandler())

try:
    __version__ = _metadata.version("sim")
except _metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

# Public names and the modules that define them.  They are imported on first
# use (PEP 562) so that `sim validate` does not pay for Mesa, pandas and SciPy.
_EXPORTS = {
    "InputError": "sim.errors",
    "Scenario": "sim.scenario.schema",
    "ScenarioError": "sim.scenario.loader",
    "ScenarioOverrideError": "sim.scenario.overrides",
    "SimError": "sim.errors",
    "SimulationResult": "sim.results.batch",
    "compare": "sim.experiments.comparison",
    "discover": "sim.experiments.discovery",
    "evaluate": "sim.experiments.sweeps",
    "load_scenario": "sim.scenario.loader",
    "run": "sim.experiments.runner",
    "run_ensemble": "sim.experiments.ensemble",
    "simulate": "sim.experiments.runner",
    "sweep": "sim.experiments.sweeps",
    "trace": "sim.experiments.runner",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(_import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
