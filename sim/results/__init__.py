"""Results: what a batch produced, its summaries, and the directories that hold them.

Owns the in-memory result of a batch (:mod:`~sim.results.batch`), its summaries
with intervals (:mod:`~sim.results.summary`) and the result directory: atomic
writing, the manifest, reading back, replacing only what ``sim`` wrote
(:mod:`~sim.results.store`).

May import: :mod:`sim.engine`, :mod:`sim.games`, :mod:`sim.scenario`,
:mod:`sim.errors`.
"""
