"""Presentation: figures, HTML briefs and the dashboard -- outside the model.

Owns the house style (:mod:`~sim.present.style`), the figures of runs, sweeps and
discovery (:mod:`~sim.present.plots`, :mod:`~sim.present.sweep_plots`,
:mod:`~sim.present.discovery_plots`), the briefs and their one template
(:mod:`~sim.present.briefs`, :mod:`~sim.present.report`), and the dashboard with
its progressive runs (:mod:`~sim.present.dashboard`,
:mod:`~sim.present.progressive`).

May import every layer below: experiments, results, engine, games, scenario.
Never the CLI.
"""
