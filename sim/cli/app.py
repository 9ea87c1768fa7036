"""The ``sim`` command: its commands, registered in one list, and its entry point.

Each command is a plain function in its own module (:mod:`sim.cli.run`,
:mod:`sim.cli.sweep`, ...); :data:`COMMANDS` registers them, in the order
``sim --help`` lists them.  Option errors, like every other error, are one line
on standard error and exit code 2 (:func:`main`).
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
import typer.core

try:  # typer >= 0.24 carries its own copy of click, whose errors are that copy's
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer builds on click itself
    from click import exceptions as click_errors

from sim import __version__
from sim.cli import compare, dashboard, discover, games, plot, report, run, sweep, validate
from sim.cli.console import EXIT_USAGE, configure_logging, stderr, stdout
from sim.cli.options import GlobalQuiet, GlobalVerbose

__all__ = ["COMMANDS", "app", "main"]


class _Command(typer.core.TyperCommand):
    """Plain help with real metavariables: ``sim run [OPTIONS] FILE``, not ``{file}``."""

    def collect_usage_pieces(self, ctx) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = (param.metavar or param.name or "ARG").upper()
                name += "..." if param.nargs != 1 else ""
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx, formatter) -> None:
        params = self.get_params(ctx)
        arguments = [
            ((p.metavar or p.name or "").upper(), getattr(p, "help", None) or "")
            for p in params
            if p.param_type_name == "argument"
        ]
        options = [
            record
            for p in params
            if p.param_type_name == "option" and (record := p.get_help_record(ctx)) is not None
        ]
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        if options:
            with formatter.section("Options"):
                formatter.write_dl(options)


app = typer.Typer(
    name="sim",
    help="Scenario simulator for the peacekeeping-deployment crisis around Ukraine.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        stdout.print(f"sim {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    quiet: GlobalQuiet = False,
    verbose: GlobalVerbose = 0,
) -> None:
    """Scenario simulator for the peacekeeping-deployment crisis around Ukraine."""
    # Before the command's own options are read: theirs add to these.
    configure_logging(quiet=quiet, verbose=verbose)


#: Every command, in the order of ``sim --help``.
COMMANDS = (
    run.run,
    validate.validate,
    validate.schema,
    games.trace,
    games.equilibria,
    sweep.sweep,
    compare.compare,
    discover.discover,
    plot.plot,
    report.report,
    dashboard.dashboard,
)
for _command in COMMANDS:
    app.command(cls=_Command)(_command)


#: multiprocessing's resource tracker cleans up a pool's queues after its parent was
#: killed (SIGKILL) -- what it is for -- and warns about "leaked semaphores" on the
#: user's terminal; it reads its warning filters from the environment it starts with.
_QUIET_TRACKER = "ignore::UserWarning:multiprocessing.resource_tracker"


def main() -> None:
    """Entry point of the ``sim`` command: option errors are one line too."""
    filters = os.environ.get("PYTHONWARNINGS", "")
    if _QUIET_TRACKER not in filters:
        os.environ["PYTHONWARNINGS"] = f"{filters},{_QUIET_TRACKER}" if filters else _QUIET_TRACKER
    command = typer.main.get_command(app)
    try:
        code = command.main(args=sys.argv[1:], prog_name="sim", standalone_mode=False)
    except click_errors.NoArgsIsHelpError as error:
        # `sim` alone, or a group without a command: show the help, as click does.
        stdout.print(error.ctx.get_help(), markup=False)
        sys.exit(EXIT_USAGE)
    except click_errors.UsageError as error:
        where = f"{error.ctx.command_path}: " if error.ctx is not None else ""
        message = " ".join(error.format_message().split())
        hint = f" (see '{error.ctx.command_path} --help')" if error.ctx is not None else ""
        stderr.print(f"error: {where}{message}{hint}", markup=False)
        sys.exit(EXIT_USAGE)
    except click_errors.ClickException as error:
        stderr.print(f"error: {' '.join(error.format_message().split())}", markup=False)
        sys.exit(error.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        stderr.print("interrupted", markup=False)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
