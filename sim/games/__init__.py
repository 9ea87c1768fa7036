"""Games: payoff tables built from parameters, and their vectorised solution.

* :mod:`sim.games.two_by_two` -- all Nash equilibria of many 2×2 bimatrix games at once.
* :mod:`sim.games.selection` -- which equilibrium the agents play.
* :mod:`sim.games.tables` -- the deployment, ceasefire and sanctions payoff tables.
* :mod:`sim.games.scenario_games` -- a scenario's three tables for a day's state of play.
* :mod:`sim.games.analysis` -- every equilibrium of an m×n game, dominance, elimination.
* :mod:`sim.games.qre` -- logit quantal response equilibria (principal branch), vectorised.
* :mod:`sim.games.sequential` -- subgame-perfect play when one player moves first.
* :mod:`sim.games.bayesian` -- the deterrence game with Russian types; Bayes' rule.
* :mod:`sim.games.coalition` -- the coalition's threshold public-good game, power indices.
* :mod:`sim.games.report` -- what ``sim equilibria`` reports.
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
