"""The ``vipctl`` command: its global options, and every command of the families registered in
the order ``--help`` lists them. The commands themselves live with their family (``book``,
``review``, ``agenda``, ``followup``, ``report``, ``upkeep``) and are wiring only: options in,
calls into the modules that know the rules, output out.
"""

from __future__ import annotations

import gc
import sys
from typing import Annotated

import typer

from vipctl import __version__
from vipctl.cli import agenda, book, followup, report, review, upkeep
from vipctl.cli.context import App, echo, silence_stdout, user_errors

app = typer.Typer(
    name="vipctl",
    help="Whom to contact today, why, and how urgently: your high-value clients, kept local.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals hold client data
)


def _version(value: bool) -> None:
    if value:
        echo(f"vipctl {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="VIPCTL_DB",
            help="Database: a file, or a PostgreSQL URL (default: vipctl.db in your user data "
            "directory).",
            show_envvar=True,
        ),
    ] = None,
    as_agent: Annotated[
        str | None,
        typer.Option(
            "--as",
            metavar="AGENT",
            help="Work as this agent (default: [team] agent in the config file).",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    ctx.obj = App(db, as_agent)


COMMANDS = (
    ("import", book.import_),
    ("clients", book.clients),
    ("show", book.show),
    ("review", review.review),
    ("gaps", review.gaps),
    ("tier", review.tier),
    ("upcoming", agenda.upcoming),
    ("today", agenda.today),
    ("log", followup.log),
    ("done", followup.done),
    ("snooze", followup.snooze),
    ("paid", followup.paid),
    ("history", followup.history),
    ("report", report.report),
    ("calendar", agenda.calendar),
    ("backup", upkeep.backup),
    ("restore", upkeep.restore),
    ("check", upkeep.check),
    ("export", book.export),
)
for name, command in COMMANDS:
    app.command(name)(user_errors(command))

config_app = typer.Typer(
    help="The config file: healthy values, tier cadences, segment cut-offs, reminders, urgency."
)
app.add_typer(config_app, name="config")
config_app.command("path")(upkeep.config_path)


def main() -> None:
    """The process's entry. A command is one short process whose bulk (rows read, events,
    lines out) makes no reference cycles, yet hundreds of thousands of them set the cycle
    collector off over and over, walking everything still alive each time: a third of the
    day's first ``today`` on 100,000 clients, a fifth of an import. Without it memory is the
    same (measured) and what little a library leaves in cycles goes when the process ends."""
    gc.disable()
    try:
        try:
            app()
        finally:
            sys.stdout.flush()  # what is still buffered fails here, if it fails
    except BrokenPipeError:
        silence_stdout()
        sys.exit(0)
    except OSError as exc:
        typer.echo(f"vipctl: cannot write the output: {exc.strerror or exc}", err=True)
        silence_stdout()
        sys.exit(1)
