"""sim: scenario simulator for the peacekeeping-deployment crisis around Ukraine.

An agent-based (Mesa 3), game-theoretic Monte Carlo model of Russia, the
coalition-of-the-willing states, Ukraine and the United States.

>>> import sim
>>> scenario = sim.load_scenario("scenarios/troops_10000.yaml")
>>> table = sim.run(scenario, runs=200, seed=1)
>>> len(table), table["outcome"].value_counts().sum()
(200, 200)
"""

from importlib import metadata as _metadata

from sim.loader import ScenarioError, load_scenario
from sim.runner import SimulationResult, run, simulate, trace
from sim.scenario import Scenario

try:
    __version__ = _metadata.version("sim")
except _metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "__version__",
    "load_scenario",
    "run",
    "simulate",
    "trace",
]
