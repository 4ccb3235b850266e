"""The needs analysis and tiers: review, gaps, tier."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import typer

from vipctl.cli.context import app_of, echo, warn
from vipctl.cli.options import (
    AgentOption,
    ClientArg,
    DateOption,
    FormatOption,
    HighEndOption,
    ListLimitOption,
    ShowPii,
    TierOption,
    choices,
    day_of,
    parse_day,
    shown_limit,
)
from vipctl.errors import no_client
from vipctl.i18n import _
from vipctl.kinds import NEEDS


def review(
    ctx: typer.Context,
    client_id: ClientArg,
    date: DateOption = None,
    fmt: Annotated[
        Literal["table", "json", "markdown"],
        typer.Option("--format", "-f", help="table on screen; markdown to print; json."),
    ] = "table",
    show_pii: ShowPii = False,
) -> None:
    """A one-page visit brief: cover against the guidance, premium burden, talking points."""
    from vipctl.report import brief
    from vipctl.views import review as review_view

    day = day_of(date)
    with app_of(ctx).session() as conn:
        found = brief.review(conn, app_of(ctx).config(), client_id, day)
    if found is None:
        raise no_client(client_id)
    review_view.write_review(found, day, fmt, show_pii=show_pii)


def gaps(
    ctx: typer.Context,
    tier: TierOption = None,
    segment: Annotated[
        str | None,
        typer.Option(metavar="S,…", help="Only these segments (key,important,general,maintain)."),
    ] = None,
    need: Annotated[
        str | None, typer.Option(metavar="N,…", help="Only these needs: " + ", ".join(NEEDS))
    ] = None,
    agent: AgentOption = None,
    sort: Annotated[
        Literal["shortfall", "client", "tier", "segment"],
        typer.Option(help="shortfall: largest first; client; tier: A to D; segment: key first."),
    ] = "shortfall",
    high_end: HighEndOption = False,
    limit: ListLimitOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Every client with cover absent or short of the guidance, to plan a campaign."""
    from vipctl.book import queries, reviewing
    from vipctl.config import SEGMENTS, TIERS
    from vipctl.views import render
    from vipctl.views import review as review_view

    with app_of(ctx).session() as conn:
        queries.check_agent(conn, agent)
        rows = reviewing.gaps(
            conn,
            app_of(ctx).config(),
            tiers=choices(TIERS)(tier),
            segments=choices(SEGMENTS)(segment),
            agent=agent,
            wanted=choices(NEEDS)(need) or NEEDS,
            high_end=high_end,
        )
    found = reviewing.sort_gaps(rows, sort)
    rows = found[: shown_limit(limit, fmt)]
    render.listing(
        review_view.gap_rows_for_people(rows) if fmt == "table" else rows,
        fmt=fmt,
        fields=reviewing.GAP_FIELDS,
        columns=review_view.GAP_COLUMNS,
        show_pii=False,
        title=review_view.gaps_title(rows, found),
    )


def tier(
    ctx: typer.Context,
    recompute: Annotated[
        bool, typer.Option("--recompute", help="Reassess every client and store the changes.")
    ] = False,
    explain: Annotated[
        str | None,
        typer.Option("--explain", metavar="CLIENT_ID", help="Why a client is in their tier."),
    ] = None,
    since: Annotated[
        dt.date | None,
        typer.Option(
            parser=parse_day,
            metavar="YYYY-MM-DD",
            help="Movements from this day (default: the first of the current month).",
        ),
    ] = None,
    detail: Annotated[
        bool, typer.Option("--detail", help="List the clients behind each movement.")
    ] = False,
    limit: ListLimitOption = None,
    date: DateOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Clients per tier (A–D) and value segment, and the tier movements of a period."""
    from vipctl.book import assessing, queries
    from vipctl.views import tiers as tiers_view

    today = day_of(date)
    db = app_of(ctx).open()
    try:
        if explain is not None:
            if recompute:  # that client alone, under the config's rules now
                with db.write() as conn:
                    if queries.client(conn, explain) is None:
                        raise no_client(explain)
                    done = assessing.recompute(conn, app_of(ctx).config(), today, only={explain})
                echo(tiers_view.recomputed_line(done), err=True)
            with db.read() as conn:
                client = queries.client(conn, explain)
                history = queries.movements(conn, client_id=explain) if client else []
            if client is None:
                raise no_client(explain)
            explained = tiers_view.explanation(client, history, app_of(ctx).config())
            tiers_view.write_explanation(explained, fmt=fmt)
            return
        if recompute:
            settings = app_of(ctx).config()  # a bad config fails before the write lock is taken
            with db.write() as conn:
                done = assessing.reassess(conn, settings, today)
            echo(tiers_view.recomputed_line(done), err=True)
        start = since or today.replace(day=1)
        with db.read() as conn:
            counts = queries.tier_counts(conn)
            moves = queries.movements(conn, since=start, until=today)
            unassessed = queries.unassessed(conn)
            if assessing.assessed_under_other_rules(conn, app_of(ctx).config()):
                warn(_(tiers_view.STALE))
    finally:
        db.close()
    data = tiers_view.summary(counts, moves, since=start, until=today, unassessed=unassessed)
    tiers_view.write_summary(data, moves, fmt=fmt, detail=detail, limit=shown_limit(limit, fmt))
