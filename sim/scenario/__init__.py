"""Scenario input: what a YAML file may say, read once at the edge.

Owns the scenario schema (:mod:`~sim.scenario.schema`, pydantic models of every
key), the distributions an uncertain value may take
(:mod:`~sim.scenario.distributions`), the bounded, line-numbering YAML loader
(:mod:`~sim.scenario.loader`), ``--set`` overrides
(:mod:`~sim.scenario.overrides`) and the shape of sweep files
(:mod:`~sim.scenario.sweep_file`).

May import: :mod:`sim.errors` only.  The layers above receive typed
:class:`~sim.scenario.schema.Scenario` objects and never open files.
"""
