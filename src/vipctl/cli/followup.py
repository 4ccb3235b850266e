"""Closing the loop: log, remind, done, snooze, paid, history."""

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
    ShowPii,
    choices,
    day_of,
    parse_day,
    shown_limit,
)
from vipctl.i18n import _
from vipctl.kinds import CHANNELS, KINDS, OUTCOMES

ChannelOption = Literal[CHANNELS]  # the registry's, one per channel


OutcomeOption = Literal[tuple(OUTCOMES)]  # the registry's
OUTCOME_HELP = (
    "What came of it: " + ", ".join(OUTCOMES) + " (default: a call or visit reached them; "
    "anything else was sent)."
)
UntilOption = Annotated[
    dt.date | None,
    typer.Option(
        parser=parse_day,
        metavar="YYYY-MM-DD",
        help="With --outcome promised: the day they promised to pay; their items wait until then.",
    ),
]


def log(
    ctx: typer.Context,
    client_id: ClientArg,
    channel: Annotated[ChannelOption, typer.Option(help="How you reached them.")],
    outcome: Annotated[
        OutcomeOption | None,
        typer.Option(metavar="OUTCOME", help=OUTCOME_HELP),
    ] = None,
    note: Annotated[str | None, typer.Option(help="What was said or agreed.")] = None,
    until: UntilOption = None,
    campaign: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="It delivered this campaign ('vipctl campaign list')."),
    ] = None,
    date: DateOption = None,
) -> None:
    """Record a contact and what came of it.

    A call or visit that reached the client settles their callbacks; a greeting sent (an SMS,
    a card) settles a birthday, an anniversary or a festival, not a callback. Either restarts
    the tier's contact cadence. A call nobody answered settles nothing: the items stay on the
    list, counting the tries.
    """
    from vipctl.agenda import followup
    from vipctl.kinds import outcome_of
    from vipctl.views import agenda as agenda_view

    day = day_of(date)
    by = app_of(ctx).me()
    settings = app_of(ctx).config()
    with app_of(ctx).session(write=True) as conn:
        settled = followup.log(
            conn, settings, client_id, channel, note, day, outcome=outcome, until=until,
            campaign=campaign, by=by,
        )  # fmt: skip
    said = _("Logged a {channel} contact with {client} on {day}: {outcome}.")
    what = _(outcome_of(channel, outcome))
    echo(said.format(channel=_(channel), client=client_id, day=day, outcome=what))
    for e in settled:
        echo(_("settled: {item}").format(item=agenda_view.reason(e, day)))
    if until is not None:
        echo(_("{client} is snoozed until {day}.").format(client=client_id, day=until))
    if campaign is not None:
        echo(_("Campaign {name} delivered.").format(name=campaign))


def remind(
    ctx: typer.Context,
    client_id: ClientArg,
    text: Annotated[str, typer.Argument(help="What to come back to them about.", metavar="WHAT")],
    on: Annotated[
        dt.date,
        typer.Option(
            "--on", parser=parse_day, metavar="YYYY-MM-DD", help="The day it comes on the list."
        ),
    ],
    date: DateOption = None,
) -> None:
    """Put a follow-up on a client's list from a day on, until it is marked done.

    It shows in today, upcoming, the calendar and the report from that day (not before); mark
    it handled with 'vipctl done CLIENT_ID --kind follow_up'.
    """
    from vipctl.agenda import care

    day = day_of(date)
    with app_of(ctx).session(write=True) as conn:
        care.remind(conn, client_id, on, text, day, by=app_of(ctx).me())
    echo(_("Follow-up for {client} on {day}: {text}").format(client=client_id, day=on, text=text))


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
        due, following = followup.paid(conn, policy_no, day, by=app_of(ctx).me())
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
    show_pii: ShowPii = False,
) -> None:
    """The contacts logged with a client, the changes made to their card and the gifts given,
    latest first."""
    from vipctl.agenda import care, followup
    from vipctl.book import editing
    from vipctl.views import agenda as agenda_view

    with app_of(ctx).session() as conn:
        contacts = followup.history(conn, client_id)
        changes = editing.history(conn, client_id)
        gifts = care.gifts(conn, client_id)
    agenda_view.write_history(
        client_id,
        contacts,
        changes,
        gifts,
        fmt,
        limit=shown_limit(limit, fmt),
        show_pii=show_pii,
    )


def undo(ctx: typer.Context, date: DateOption = None) -> None:
    """Take back the last change made through vipctl: an edit, a contact logged, a done, a
    snooze, a payment, a follow-up, a client's date; again, the one before.

    Imports are not taken back, nor anything before one: 'vipctl restore' brings back a backup.
    """
    from vipctl.book import editing

    with app_of(ctx).session(write=True) as conn:
        undone = editing.undo(conn, app_of(ctx).config(), day_of(date))
    when = f"{undone.made_at:%Y-%m-%d %H:%M} UTC"
    said = (
        _("Took back: {what} (by {by}, {when}).") if undone.by else _("Took back: {what} ({when}).")
    )
    echo(said.format(what=undone.what, by=undone.by, when=when))
