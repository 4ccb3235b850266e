"""The agenda: upcoming, today, calendar."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from vipctl.cli.context import app_of, echo, warn
from vipctl.cli.options import (
    AgentOption,
    DateOption,
    DaysOption,
    EveryoneOption,
    FormatOption,
    KindOption,
    ListLimitOption,
    ShowPii,
    TierOption,
    choices,
    day_of,
    limit_option,
    shown_limit,
)
from vipctl.errors import UserError, no_client
from vipctl.i18n import _
from vipctl.kinds import KINDS

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from vipctl.agenda import Scope
    from vipctl.config import Config
    from vipctl.rules.ranking import DayList

TodayLimit = limit_option(
    "Only the N most urgent clients (default: 50 in a table; every one in JSON and CSV). "
    "The table's footer always counts the whole list."
)


def upcoming(
    ctx: typer.Context,
    date: DateOption = None,
    days: DaysOption = 30,
    kind: KindOption = None,
    tier: TierOption = None,
    agent: AgentOption = None,
    everyone: EveryoneOption = False,
    limit: ListLimitOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Every event from the day to N days later, by date: dues, care dates, callbacks, holidays."""
    from vipctl import agenda
    from vipctl.book import queries
    from vipctl.config import TIERS
    from vipctl.views import agenda as agenda_view

    kinds = choices(KINDS)(kind) or KINDS
    day = day_of(date)
    settings = app_of(ctx).config()
    whose = app_of(ctx).whose(agent, everyone)
    scope = agenda.Scope(agent=whose, tiers=choices(TIERS)(tier), kinds=kinds)
    limit = shown_limit(limit, fmt)
    with app_of(ctx).session() as conn:
        queries.check_agent(conn, whose)
        if fmt == "csv" and limit is None:  # a year of a book: written as it is made
            agenda_view.write_upcoming_header()
            write = functools.partial(agenda_view.write_upcoming_rows, day)
            agenda.upcoming_written(conn, settings, day, days, scope, write, sys.stdout)
            return
        found, total = agenda.upcoming_shown(conn, settings, day, days, scope, limit)
        names = agenda.names(conn, {e.client_id for e in found})
    agenda_view.write_upcoming(found, total, names, day, days, fmt)


def today(
    ctx: typer.Context,
    date: DateOption = None,
    agent: AgentOption = None,
    everyone: EveryoneOption = False,
    limit: TodayLimit = None,
    explain: Annotated[
        str | None,
        typer.Option("--explain", metavar="CLIENT_ID", help="How a client's score was made."),
    ] = None,
    fmt: FormatOption = "table",
    show_pii: ShowPii = False,
) -> None:
    """Whom to contact today, most urgent first, with every reason; done and snoozed left out."""
    from vipctl import agenda
    from vipctl.agenda.standing import standing
    from vipctl.book import assessing, queries
    from vipctl.views import agenda as agenda_view
    from vipctl.views import care as care_view
    from vipctl.views import render
    from vipctl.views import tiers as tiers_view

    day = day_of(date)
    settings = app_of(ctx).config()
    if explain is not None:
        with app_of(ctx).session() as conn:
            if not agenda.clients(conn, [explain]):
                raise no_client(explain)
            entries = agenda.ranked(conn, settings, day, agenda.Scope(clients=[explain]))
            stands = standing(conn, explain, day)
        found = entries[0] if entries else None
        agenda_view.write_explanation(found, explain, day, fmt, settings.urgency)
        if fmt == "table":
            for line in care_view.standing_lines(stands, day):
                echo(render.bullet(line))
        return
    scope = agenda.Scope(agent=app_of(ctx).whose(agent, everyone))
    limit = shown_limit(limit, fmt)
    db = app_of(ctx).open()
    try:
        with db.read() as conn:
            if queries.book_is_empty(conn):
                said = _(
                    "no clients in {database} yet: import your exports first, e.g. 'vipctl "
                    "import clients.csv policies.csv' (see 'vipctl import --help')"
                )
                raise UserError(said.format(database=db.name))
            queries.check_agent(conn, scope.agent)
            listed = agenda.day_list(conn, settings, day, scope, limit=limit)
            stale = assessing.assessed_under_other_rules(conn, settings)
        agenda_view.write_today(listed, day, fmt, limit=limit, show_pii=show_pii)
        if stale:
            warn(_(tiers_view.STALE))
        shown = [e.client_id for e in listed.entries[:limit]] if fmt == "table" else None
        db.write_if_free(lambda conn: _after_the_list(conn, settings, day, scope, listed, shown))
    finally:
        db.close()


def _after_the_list(
    conn: Connection,
    settings: Config,
    day: dt.date,
    scope: Scope,
    listed: DayList,
    shown: list[str] | None,
) -> None:
    """What a look at the list leaves behind, when the database is free: the list worked out
    afresh, kept for the next look today, and the occasions brought up to date; the rows shown,
    for ``@N``."""
    from vipctl import agenda
    from vipctl.agenda import rows

    agenda.keep(conn, settings, day, scope, listed)
    if shown is not None:
        rows.remember(conn, day, shown)


def calendar(
    ctx: typer.Context,
    date: DateOption = None,
    days: DaysOption = 90,
    kind: KindOption = None,
    agent: AgentOption = None,
    everyone: EveryoneOption = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="The .ics file to write (replaced whole)."),
    ] = None,
) -> None:
    """Upcoming events as an iCalendar file: import it again and events update, not double."""
    from vipctl import agenda, files
    from vipctl.book import queries
    from vipctl.views import calendar as calendar_view

    day = day_of(date)
    settings = app_of(ctx).config()
    scope = agenda.Scope(
        agent=app_of(ctx).whose(agent, everyone), kinds=choices(KINDS)(kind) or KINDS
    )
    write = functools.partial(calendar_view.write_events, calendar_view.stamp())
    if output is None and hasattr(sys.stdout, "reconfigure"):
        # An iCalendar stream is UTF-8 in CR LF lines on every platform: Windows' standard
        # output would write it in the console's code page, each line ending in CR CR LF.
        sys.stdout.reconfigure(encoding="utf-8", newline="")
    target = contextlib.nullcontext(sys.stdout) if output is None else files.replacing(output)
    with app_of(ctx).session() as conn:
        queries.check_agent(conn, scope.agent)
        with target as out:
            out.write(calendar_view.HEAD)
            agenda.upcoming_written(conn, settings, day, days, scope, write, out)
            out.write(calendar_view.TAIL)
