"""Games: payoff tables built from parameters, and their vectorised solution.

* :mod:`sim.games.two_by_two` -- all Nash equilibria of many 2×2 bimatrix games at once.
* :mod:`sim.games.selection` -- which equilibrium the agents play.
* :mod:`sim.games.tables` -- the deployment, ceasefire and sanctions payoff tables.
* :mod:`sim.games.analysis` -- every equilibrium of an m×n game, dominance, elimination.
* :mod:`sim.games.qre` -- logit quantal response equilibria (principal branch), vectorised.
* :mod:`sim.games.sequential` -- subgame-perfect play when one player moves first.
* :mod:`sim.games.bayesian` -- the deterrence game with Russian types; Bayes' rule.
* :mod:`sim.games.coalition` -- the coalition's threshold public-good game, power indices.

Pure game theory: arrays of payoffs in, equilibria out.  May import only the
foundation module :mod:`sim.compiled` (whether numba kernels are used); never a
scenario, the engine or anything above.  The engine builds the tables from the
state of play (:mod:`sim.engine.scenario_games`); :mod:`sim.experiments.equilibria`
reports them.
"""

from sim.games.selection import Selected, select_equilibrium
from sim.games.tables import (
    GAME_ACTIONS,
    ceasefire_table,
    deployment_table,
    sanctions_table,
)
from sim.games.two_by_two import Equilibria2x2, solve_2x2

__all__ = [
    "GAME_ACTIONS",
    "Equilibria2x2",
    "Selected",
    "ceasefire_table",
    "deployment_table",
    "sanctions_table",
    "select_equilibrium",
    "solve_2x2",
]
