"""The clients' own dates (vipctl dates add, list, remove), the gifts given (vipctl gift), and
greetings and letters written for them (vipctl draft)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import typer

from vipctl.cli.context import app_of, echo
from vipctl.cli.options import ClientArg, DateOption, FormatOption, day_of, parse_day
from vipctl.i18n import _
from vipctl.kinds import DATE_KINDS, LABELS
from vipctl.rules import letters
from vipctl.rules.letters import OCCASIONS

DateKindOption = Literal[tuple(DATE_KINDS)]  # the registry's


def add(
    ctx: typer.Context,
    client_id: ClientArg,
    kind: Annotated[DateKindOption, typer.Option(help="What the date is.")],
    on: Annotated[
        dt.date,
        typer.Option(
            "--on",
            parser=parse_day,
            metavar="YYYY-MM-DD",
            help="The first one: the child's birth, the career's start, the day it began.",
        ),
    ],
    lunar: Annotated[
        bool, typer.Option("--lunar", help="Kept by the lunar calendar, as a lunar birthday is.")
    ] = False,
    label: Annotated[
        str | None,
        typer.Option(help="What it is: the child's name, the day's name (needed for custom)."),
    ] = None,
) -> None:
    """Add a yearly date to a client's card."""
    from vipctl.agenda import care

    with app_of(ctx).session(write=True) as conn:
        number = care.add_date(
            conn, client_id, kind, on, lunar=lunar, label=label, by=app_of(ctx).me()
        )
    said = _("Date {n} added for {client}: {kind} {day}.")
    shown = _(LABELS[DATE_KINDS[kind]])
    echo(said.format(n=number, client=client_id, kind=shown, day=on))


def list_dates(
    ctx: typer.Context,
    client_id: Annotated[
        str | None, typer.Argument(help="Only this client's (default: every client's).")
    ] = None,
    fmt: FormatOption = "table",
) -> None:
    """List the clients' own dates, with the numbers 'vipctl dates remove' takes."""
    from vipctl.agenda import care
    from vipctl.views import care as care_view

    with app_of(ctx).session() as conn:
        found = care.dates(conn, client_id)
    care_view.write_dates(found, fmt)


def remove(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(help="The date's number ('vipctl dates list').")],
) -> None:
    """Take a date off a client's card."""
    from vipctl.agenda import care

    with app_of(ctx).session(write=True) as conn:
        gone = care.remove_date(conn, number, by=app_of(ctx).me())
    said = _("Date {n} of {client} removed: {kind} {day}.")
    shown = _(LABELS[gone["kind"]])
    echo(said.format(n=number, client=gone["client_id"], kind=shown, day=gone["date"]))


def gift(
    ctx: typer.Context,
    client_id: ClientArg,
    item: Annotated[str, typer.Argument(help="What was given.", metavar="ITEM")],
    occasion: Annotated[
        str | None, typer.Option(help="What for: a birthday, 中秋, the policy's anniversary.")
    ] = None,
    cost: Annotated[
        str | None, typer.Option(metavar="AMOUNT", help="What it cost: 300, ¥1,200, 0.5万.")
    ] = None,
    date: DateOption = None,
) -> None:
    """Record a small gift given to a client, so that the next one differs.

    Gifts show in vipctl history and the visit brief (vipctl review). To count it as a
    greeting on the list too, also log it: vipctl log CLIENT_ID --channel gift.
    """
    from vipctl.agenda import care

    day = day_of(date)
    with app_of(ctx).session(write=True) as conn:
        care.give(conn, client_id, item, day, occasion=occasion, cost=cost, by=app_of(ctx).me())
    echo(_("Gift to {client} on {day}: {item}.").format(client=client_id, day=day, item=item))


Occasion = Literal[OCCASIONS]
DraftChannel = Literal[letters.CHANNELS]
ToneChoice = Literal[letters.TONES]


def draft(
    ctx: typer.Context,
    client_id: ClientArg,
    occasion: Annotated[
        Occasion | None,
        typer.Option(
            metavar="OCCASION",
            help="What for: " + ", ".join(OCCASIONS) + " (default: what their item on "
            "today's list is).",
        ),
    ] = None,
    festival: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="With --occasion festival: spring_festival, mid_autumn, dragon_boat, "
            "new_year, national_day, or 春节, 中秋… (default: the next one).",
        ),
    ] = None,
    channel: Annotated[DraftChannel, typer.Option(help="How it goes out.")] = "sms",
    tone: Annotated[
        ToneChoice | None,
        typer.Option(help="formal, warm or neutral (default: by the card's personality style)."),
    ] = None,
    date: DateOption = None,
) -> None:
    """Write a greeting or letter for a client, ready to send.

    In Chinese (English with --lang en), addressed as etiquette wants (王总, 李老师), with the
    occasion's facts, signed by you (--as, [team] agent) or the client's agent, in the tone
    their personality style calls for. An SMS fits two messages. The templates are Jinja2
    files; one of yours in drafts/ beside the config file replaces vipctl's (see
    docs/drafts.md).
    """
    from vipctl import config, i18n
    from vipctl.report import drafts

    app = app_of(ctx)
    day = day_of(date)
    chosen = ctx.find_root().params.get("lang")
    language = "en" if chosen and i18n.known(chosen) == "en" else "zh_CN"
    with app.session() as conn:
        if occasion is None:
            occasion, festival = drafts.occasion_today(conn, app.config(), client_id, day)
        written = drafts.write(
            conn,
            app.config(),
            client_id,
            occasion,
            day,
            channel=channel,
            tone=tone,
            festival=festival,
            language=language,
            signature=app.me(),
            user_templates=drafts.templates_dir(config.path()),
        )
    for line in written.text.splitlines():
        echo(line)
    if written.sms_parts and written.sms_parts > 1:
        echo(_("({n} characters: sent as {parts} SMS)").format(
            n=len(written.text), parts=written.sms_parts), err=True)  # fmt: skip
