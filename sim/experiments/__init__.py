"""Experiments: what users run -- batches, sweeps, comparisons and analyses of them.

Owns the Monte Carlo runner and its worker pool (:mod:`~sim.experiments.runner`),
sweeps and their store (:mod:`~sim.experiments.sweeps`,
:mod:`~sim.experiments.sweep_store`), designs (:mod:`~sim.experiments.designs`),
Sobol' and Morris indices (:mod:`~sim.experiments.indices`), paired comparisons
(:mod:`~sim.experiments.comparison`), precision targets
(:mod:`~sim.experiments.precision`), the one-at-a-time screen and distribution
Sobol' (:mod:`~sim.experiments.sensitivity`), scenario discovery
(:mod:`~sim.experiments.discovery`), structural ensembles
(:mod:`~sim.experiments.ensemble`), calibration
(:mod:`~sim.experiments.calibration`), stylised facts
(:mod:`~sim.experiments.facts`) and what ``sim equilibria`` reports
(:mod:`~sim.experiments.equilibria`).

May import: :mod:`sim.results`, :mod:`sim.engine`, :mod:`sim.games`,
:mod:`sim.scenario` and the foundation modules.  Never presentation or the CLI.
"""
