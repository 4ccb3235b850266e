"""Closing the loop: log, done, snooze, paid, history."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import typer

from vipctl.cli.context import app_of, echo
from vipctl.cli.options import (
    ClientArg,
    DateOption,
    FormatOption,
    KindOption,
    ListLimitOption,
    choices,
    day_of,
    parse_day,
    shown_limit,
)
from vipctl.i18n import _
from vipctl.kinds import CHANNELS, KINDS

ChannelOption = Literal[CHANNELS]  # the registry's, one per channel


def log(
    ctx: typer.Context,
    client_id: ClientArg,
    channel: Annotated[ChannelOption, typer.Option(help="How you reached them.")],
    note: Annotated[str | None, typer.Option(help="What was said or agreed.")] = None,
    date: DateOption = None,
) -> None:
    """Record a contact: it restarts the tier's contact cadence and settles callbacks."""
    from vipctl.agenda import followup

    day = day_of(date)
    by = app_of(ctx).me()
    with app_of(ctx).session(write=True) as conn:
        followup.log(conn, client_id, channel, note, day, by=by)
    said = _("Logged a {channel} contact with {client} on {day}.")
    echo(said.format(channel=_(channel), client=client_id, day=day))


def done(
    ctx: typer.Context,
    client_id: ClientArg,
    kind: KindOption = None,
    policy: Annotated[str | None, typer.Option(help="Only the items of this policy.")] = None,
    date: DateOption = None,
) -> None:
    """Mark a client's items on today's list handled, until their next reminder.

    A renewal marked done is not a payment: record one with 'vipctl paid'.
    """
    from vipctl.agenda import followup
    from vipctl.views import agenda as agenda_view

    kinds = choices(KINDS)(kind)
    day = day_of(date)
    settings = app_of(ctx).config()
    with app_of(ctx).session(write=True) as conn:
        items = followup.done(conn, settings, client_id, day, kinds, policy, by=app_of(ctx).me())
    for e in items:
        echo(_("done: {item}").format(item=agenda_view.reason(e, day)))


def snooze(
    ctx: typer.Context,
    client_id: ClientArg,
    until: Annotated[
        dt.date,
        typer.Option(
            parser=parse_day, metavar="YYYY-MM-DD", help="Leave them off the list until this day."
        ),
    ],
    date: DateOption = None,
) -> None:
    """Keep a client off today's list until a later day."""
    from vipctl.agenda import followup

    day = day_of(date)
    by = app_of(ctx).me()
    with app_of(ctx).session(write=True) as conn:
        followup.snooze(conn, client_id, until, day, by=by)
    echo(_("{client} is snoozed until {day}.").format(client=client_id, day=until))


def paid(
    ctx: typer.Context,
    policy_no: Annotated[str, typer.Argument(help="The policy number.")],
    date: DateOption = None,
) -> None:
    """Record the policy's unpaid premium as paid (until an export says so)."""
    from vipctl.agenda import followup

    day = day_of(date)
    with app_of(ctx).session(write=True) as conn:
        due, following = followup.paid(conn, policy_no, day)
    said = (
        _("{policy}: premium of {due} paid on {day}; next due {next}.")
        if following
        else _("{policy}: premium of {due} paid on {day}; nothing more is due.")
    )
    echo(said.format(policy=policy_no, due=due, day=day, next=following))


def history(
    ctx: typer.Context,
    client_id: ClientArg,
    limit: ListLimitOption = None,
    fmt: FormatOption = "table",
) -> None:
    """The contacts logged with a client, latest first."""
    from vipctl.agenda import followup
    from vipctl.views import agenda as agenda_view

    with app_of(ctx).session() as conn:
        contacts = followup.history(conn, client_id)
    agenda_view.write_history(client_id, contacts, fmt, limit=shown_limit(limit, fmt))
