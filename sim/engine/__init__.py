"""The engine: every run's state as arrays over runs, stepped one day at a time.

Owns the world (:mod:`~sim.engine.world`), the agents (:mod:`~sim.engine.agents`)
and the Mesa model that steps them (:mod:`~sim.engine.model`), the day's phases
(:mod:`~sim.engine.phases`) and their compiled kernels
(:mod:`~sim.engine.day_kernels`), the random streams (:mod:`~sim.engine.streams`),
each run's drawn parameters (:mod:`~sim.engine.parameters`), the day's payoff
tables built from the state of play (:mod:`~sim.engine.scenario_games`), the
outcome labels (:mod:`~sim.engine.outcomes`), the follow-up past the horizon
(:mod:`~sim.engine.followup`), daily counts (:mod:`~sim.engine.daily`) and the
day-by-day story of one run (:mod:`~sim.engine.tracing`).

May import: :mod:`sim.games`, :mod:`sim.scenario`, :mod:`sim.compiled`,
:mod:`sim.errors`.  Never experiments, results or presentation.
"""
