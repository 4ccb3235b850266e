"""The seeds' 100 % service standards: service requests (vipctl service open, list, close),
campaigns (vipctl campaign new, deliver, status, list) and the standards at a glance."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import typer

from vipctl.cli.context import app_of, echo
from vipctl.cli.options import (
    AgentOption,
    ClientArg,
    DateOption,
    EveryoneOption,
    FormatOption,
    ListLimitOption,
    TierOption,
    choices,
    day_of,
    parse_day,
    shown_limit,
)
from vipctl.config import SEGMENTS, TIERS
from vipctl.contract import CATEGORY
from vipctl.i18n import _
from vipctl.kinds import CAMPAIGN_KINDS, CHANNELS, SERVICE_TYPES

ServiceType = Literal[tuple(SERVICE_TYPES)]  # the registry's
CampaignKind = Literal[tuple(CAMPAIGN_KINDS)]
Channel = Literal[CHANNELS]
NoteOption = Annotated[str | None, typer.Option(help="What it is about, in a few words.")]
DueOption = Annotated[
    dt.date | None,
    typer.Option(
        parser=parse_day,
        metavar="YYYY-MM-DD",
        help="Delivered by this day: after it, the undelivered leave the list (default: on "
        "the list until delivered).",
    ),
]


def open_(
    ctx: typer.Context,
    client_id: ClientArg,
    kind: Annotated[ServiceType, typer.Option("--type", help="What the client asked for.")],
    policy: Annotated[
        str | None, typer.Option(metavar="POLICY_NO", help="The policy it is about.")
    ] = None,
    note: NoteOption = None,
    date: DateOption = None,
) -> None:
    """Open a service request: a policy change (保全), a claim (理赔), a benefit to collect.

    It is on your list every day until closed, with its age; past its type's target
    ([agenda] service_target_days) it ranks high. The number it prints is what
    'vipctl service close' takes.
    """
    from vipctl.agenda import service

    day = day_of(date)
    with app_of(ctx).session(write=True) as conn:
        number = service.open_request(
            conn, client_id, kind, day, policy_no=policy, note=note, by=app_of(ctx).me()
        )
    said = _("Service request {n} opened for {client} on {day}: {type}.")
    echo(said.format(n=number, client=client_id, day=day, type=_(SERVICE_TYPES[kind])))


def list_(
    ctx: typer.Context,
    only_open: Annotated[bool, typer.Option("--open", help="Only the open ones.")] = False,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only the open ones past their target.")
    ] = False,
    agent: AgentOption = None,
    everyone: EveryoneOption = False,
    limit: ListLimitOption = None,
    fmt: FormatOption = "table",
    date: DateOption = None,
) -> None:
    """List service requests, oldest first, with their age and target."""
    from vipctl.agenda import service
    from vipctl.views import service as view

    app = app_of(ctx)
    whose = app.whose(agent, everyone)
    day = day_of(date)
    with app.session() as conn:
        found = service.requests(
            conn, app.config(), day, open_only=only_open, overdue_only=overdue, agent=whose
        )
    view.write_requests(found, fmt, shown_limit(limit, fmt))


def close(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(help="The request's number ('vipctl service list').")],
    note: NoteOption = None,
    date: DateOption = None,
) -> None:
    """Close a service request: done, and how long it took against its target.

    A policy change or claim closed puts the letter the seeds send after an important service
    item on the client's list ('vipctl draft CLIENT_ID --occasion service_done').
    """
    from vipctl.agenda import service

    day = day_of(date)
    app = app_of(ctx)
    with app.session(write=True) as conn:
        closed = service.close_request(conn, app.config(), number, day, note=note, by=app.me())
    said = (
        _("Service request {n} of {client} closed on {day}: {days} d, past its {target} d target.")
        if closed["overdue"]
        else _("Service request {n} of {client} closed on {day}: {days} d, within {target} d.")
    )
    echo(
        said.format(
            n=number,
            client=closed["client_id"],
            day=day,
            days=closed["age_days"],
            target=closed["target_days"],
        )
    )
    if closed["letter"]:
        echo(
            _("A letter after the service is on the list: vipctl draft {client} --occasion "
              "service_done").format(client=closed["client_id"])
        )  # fmt: skip


def new(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(help="The campaign's name, as deliver and status take it.")
    ],
    kind: Annotated[CampaignKind, typer.Option(help="What it brings the clients.")],
    tier: TierOption = None,
    segment: Annotated[
        str | None, typer.Option(metavar="S,…", help="Only these segments: " + ", ".join(SEGMENTS))
    ] = None,
    category: Annotated[
        str | None,
        typer.Option(metavar="C,…", help="Only holders of these categories of policy."),
    ] = None,
    agent: Annotated[
        str | None, typer.Option(metavar="A,…", help="Only these agents' clients.")
    ] = None,
    client: Annotated[
        list[str] | None,
        typer.Option(metavar="CLIENT_ID", help="Only these clients (repeat it): the invited."),
    ] = None,
    due: DueOption = None,
    date: DateOption = None,
) -> None:
    """Start a campaign and choose its clients; each is on the list until reached.

    A dividend campaign reaches the holders of participating policies still in force (the
    export's participating column, or 分红 in the product's name); news and product campaigns
    the clients the options choose (every client when none is given); an event only the
    invited, named by the options.
    """
    from vipctl.agenda import campaigns

    day = day_of(date)
    chosen_by = {
        "tiers": choices(TIERS)(tier),
        "segments": choices(SEGMENTS)(segment),
        "categories": choices(tuple(CATEGORY))(category),
        "agents": [a.strip() for a in (agent or "").split(",") if a.strip()],
        "clients": client or [],
    }
    said = "; ".join(f"{key}={','.join(values)}" for key, values in chosen_by.items() if values)
    app = app_of(ctx)
    with app.session(write=True) as conn:
        chosen = campaigns.choose(conn, kind, **chosen_by)
        campaigns.new(conn, name, kind, day, chosen, due=due, said=said, by=app.me())
    reached = _("Campaign {name} begun on {day}: {clients} to reach.")
    count = f"{len(chosen):,}"
    echo(reached.format(name=name.strip(), day=day, clients=count))


def deliver(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The campaign's name.")],
    client_id: ClientArg,
    channel: Annotated[Channel, typer.Option(help="How it reached them.")],
    date: DateOption = None,
) -> None:
    """Record a campaign delivered to a client: it leaves their list and counts toward 100 %.

    'vipctl log CLIENT_ID --channel C --campaign NAME' records the contact and the delivery
    at once.
    """
    from vipctl.agenda import campaigns

    day = day_of(date)
    with app_of(ctx).session(write=True) as conn:
        campaigns.deliver(conn, name, client_id, channel, day, by=app_of(ctx).me())
    said = _("Campaign {name} delivered to {client} on {day} by {channel}.")
    echo(said.format(name=name, client=client_id, day=day, channel=_(channel)))


def status(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The campaign's name.")],
    limit: ListLimitOption = None,
    fmt: FormatOption = "table",
    date: DateOption = None,
) -> None:
    """How far a campaign has reached: delivered of total, by agent, and who is not reached
    yet (CSV: one line per client not reached)."""
    from vipctl.agenda import campaigns
    from vipctl.views import service as view

    day = day_of(date)
    with app_of(ctx).session() as conn:
        found = campaigns.status(conn, name, day)
    view.write_status(found, fmt, day, shown_limit(limit, fmt))


def list_campaigns(
    ctx: typer.Context, fmt: FormatOption = "table", date: DateOption = None
) -> None:
    """List the campaigns, newest first, with how many each has reached."""
    from vipctl.agenda import campaigns
    from vipctl.views import service as view

    with app_of(ctx).session() as conn:
        found = campaigns.campaigns(conn, day_of(date))
    view.write_campaigns(found, fmt)


def standards(
    ctx: typer.Context,
    since: Annotated[
        dt.date | None,
        typer.Option(
            parser=parse_day, metavar="YYYY-MM-DD", help="From this day (default: 30 days back)."
        ),
    ] = None,
    until: Annotated[
        dt.date | None,
        typer.Option(
            "--until",
            "--date",
            parser=parse_day,
            metavar="YYYY-MM-DD",
            help="To this day (default: today).",
        ),
    ] = None,
    agent: AgentOption = None,
    team: Annotated[
        bool, typer.Option("--team", help="Every agent's clients, and each agent's apart.")
    ] = False,
    fmt: FormatOption = "table",
) -> None:
    """The seeds' 100 % service standards over a period: how many fell due, how many were met.

    Callbacks after underwriting and to departed agents' clients, dividend reports, news and
    products, event invitations, and service requests closed within their target (with the
    median days to close of each type). Nothing due says "none due", not 100 %.
    """
    from vipctl.agenda import standards as measured
    from vipctl.views import service as view

    app = app_of(ctx)
    last = day_of(until)
    first = since or last - dt.timedelta(days=29)
    if first > last:
        raise typer.BadParameter(
            _("--since {since} is after --until {until}").format(since=first, until=last)
        )
    whose = app.whose(agent, team)
    with app.session() as conn:
        found = measured.standards(conn, app.config(), first, last, agent=whose, team=team)
    view.write_standards(found, fmt)
