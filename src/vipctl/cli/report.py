"""The daily report for cron."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from vipctl.cli.context import app_of, echo, warn
from vipctl.cli.manual import usage_error
from vipctl.cli.options import (
    AgentOption,
    DateOption,
    EveryoneOption,
    ShowPii,
    day_of,
    limit_option,
)
from vipctl.i18n import _

ReportLimit = limit_option(
    "At most N rows in each table, the most urgent first (default: 50; JSON: every one). "
    "The sentence above each table counts them all."
)


def report(
    ctx: typer.Context,
    date: DateOption = None,
    fmt: Annotated[
        Literal["text", "markdown", "html", "json"],
        typer.Option("--format", "-f", help="text, markdown; html for browsers and mail; json."),
    ] = "text",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report to this file (replaced whole)."),
    ] = None,
    mail_to: Annotated[
        str | None,
        typer.Option(
            "--mail-to",
            metavar="ADDR[,ADDR]",
            help="Mail the report (HTML, with the text as alternative) via the config's [mail].",
        ),
    ] = None,
    smtp: Annotated[
        str | None,
        typer.Option(metavar="HOST[:PORT]", help="The SMTP server, instead of the config's."),
    ] = None,
    limit: ReportLimit = None,
    agent: AgentOption = None,
    everyone: EveryoneOption = False,
    team: Annotated[
        bool, typer.Option("--team", help="Every agent's clients, with a table per agent.")
    ] = False,
    show_pii: ShowPii = False,
) -> None:
    """The daily report for cron: to-do list, grace and lapse risk, overdue contacts, tier
    movements since the previous report, counts, and yesterday's work."""
    from vipctl import mailing
    from vipctl.report import job

    day = day_of(date)
    settings = app_of(ctx).config()
    to = mailing.recipients(mail_to) if mail_to is not None else None
    if smtp is not None and to is None:
        raise usage_error(_("--smtp: only with --mail-to"))
    if team and agent is not None:
        raise usage_error(_("--team and --agent: choose one"))
    through = mailing.server(settings.mail, smtp)
    if to is not None and (warning := mailing.plaintext_warning(through)):
        warn(warning)
    db = app_of(ctx).open()
    try:
        recorded = job.run(
            db,
            settings,
            day,
            fmt,
            output=output,
            mail_to=to,
            mail=through,
            limit=limit,
            show_pii=show_pii,
            agent=None if team else app_of(ctx).whose(agent, everyone),
            team=team,
        )
    finally:
        db.close()
    if not recorded:
        said = _(
            "vipctl: the report is not recorded, {why}: the next one covers the same period again"
        )
        echo(said.format(why=db.read_only), err=True)
    if (output or to) and sys.stderr.isatty():  # cron mails whatever it gets: it gets none
        if output and to:
            said = _("Report for {day} written to {file} and mailed to {to}.")
        elif output:
            said = _("Report for {day} written to {file}.")
        else:
            said = _("Report for {day} mailed to {to}.")
        echo(said.format(day=day, file=output, to=mail_to), err=True)
