"""Games: payoff tables built from parameters, and their vectorised solution.

* :mod:`sim.games.two_by_two` -- all Nash equilibria of many 2×2 bimatrix games at once.
* :mod:`sim.games.selection` -- which equilibrium the agents play.
* :mod:`sim.games.tables` -- the deployment, ceasefire and sanctions payoff tables.
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
