"""The command line, ``sim``: one module per command, options declared once.

:mod:`~sim.cli.app` registers the commands and is the entry point;
:mod:`~sim.cli.console` holds what they share (consoles, one-line errors, exit
codes, signals); :mod:`~sim.cli.options` declares every option.  Tables and text
are drawn by :mod:`sim.present`; the work is done by :mod:`sim.experiments`.

May import every layer.  Nothing imports the CLI.
"""

from sim.cli.app import app, main

__all__ = ["app", "main"]
