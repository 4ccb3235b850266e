"""Command-line wiring only: options in, calls into the modules that know the rules, output out.

Heavy modules (SQLAlchemy, SQLModel, Rich) are imported inside the commands, so ``vipctl --help``
and every command start with only what they use.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from vipctl import __version__
from vipctl.errors import UserError
from vipctl.kinds import KINDS, NEEDS

app = typer.Typer(
    name="vipctl",
    help="Whom to contact today, why, and how urgently: your high-value clients, kept local.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals hold client data
)

Format = Literal["table", "json", "csv"]
FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="table for people; json or csv for scripts.")
]
ShowPii = Annotated[bool, typer.Option("--show-pii", help="Show phone and ID numbers unmasked.")]
DateOption = Annotated[
    dt.datetime | None,
    typer.Option(
        "--date", formats=["%Y-%m-%d"], help="Act as if today were this day (YYYY-MM-DD)."
    ),
]


def _today(value: dt.datetime | None) -> dt.date:
    return value.date() if value else dt.date.today()


def _echo(message: str, *, err: bool = False) -> None:
    """One line for a person: ID and phone numbers masked, control characters shown, whatever
    a value in it holds (``safety.scrub``)."""
    from vipctl.safety import scrub

    typer.echo(scrub(message), err=err)


def _fail(message: str) -> typer.Exit:
    _echo(f"vipctl: {message}", err=True)
    return typer.Exit(1)


def user_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the errors a user can fix into one clear line on stderr and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from sqlalchemy.exc import DatabaseError, OperationalError

        try:
            return command(*args, **kwargs)
        except UserError as exc:
            raise _fail(str(exc)) from None
        except BrokenPipeError:  # `| head` read what it wanted: nothing to say
            _silence_stdout()
            raise typer.Exit(0) from None
        except OSError as exc:  # the output cannot be written (a full disk), or a file read
            where = f"{exc.filename}: " if exc.filename else "cannot write the output: "
            raise _fail(f"{where}{exc.strerror or exc}") from None
        except OperationalError as exc:
            if "locked" in str(exc.orig):
                raise _fail("the database is busy (another vipctl is writing); try again") from None
            raise _fail(f"database error: {exc.orig}") from None
        except DatabaseError as exc:
            raise _fail(
                f"database error: {exc.orig} ('vipctl check' tells more; 'vipctl restore FILE' "
                "brings back a backup)"
            ) from None

    return wrapper


def _open(ctx: typer.Context, *, create: bool = False):  # -> store.Database
    from vipctl.store import Database, resolve

    db = Database(resolve(ctx.obj.db), create=create)
    if db.upgraded is not None:
        from vipctl.store.models import SCHEMA_VERSION

        kept = db.upgraded.kept
        _echo(
            f"vipctl: upgraded {db.name} from schema {db.upgraded.from_version} to "
            f"{SCHEMA_VERSION}" + (f"; the file as it was is kept as {kept}" if kept else ""),
            err=True,
        )
        for note in db.upgraded.notes:
            _echo(f"vipctl: {note}", err=True)
    return db


@contextmanager
def _session(ctx: typer.Context, *, write: bool = False) -> Iterator[Any]:  # Connection
    """One read or write transaction on the database, closed after."""
    db = _open(ctx)
    try:
        with db.write() if write else db.read() as conn:
            yield conn
    finally:
        db.close()


ClientArg = Annotated[str, typer.Argument(help="The client's id.")]
ListLimitOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Only the first N (default: 50 in a table; every one in JSON and CSV). "
        "The table's title always counts them all.",
    ),
]
TierOption = Annotated[str | None, typer.Option(metavar="T,…", help="Only these tiers (A,B,C,D).")]
DaysOption = Annotated[int, typer.Option(min=0, max=3660, help="How many days ahead.")]
HighEndOption = Annotated[
    bool,
    typer.Option(
        "--high-end",
        help="Only high-end clients: household income and investable assets at the seeds' "
        "high end, the very rich above their band included (see README).",
    ),
]


def _version(value: bool) -> None:
    if value:
        _echo(f"vipctl {__version__}")
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
    ctx.obj = Global(db, as_agent)


@dataclass(frozen=True)
class Global:
    """The options given before the command."""

    db: str | None
    as_agent: str | None


def _me(ctx: typer.Context, settings: Any) -> str | None:  # settings: config.Config
    """Who is at work: --as, else the config's [team] agent; None when neither says."""
    return ctx.obj.as_agent or settings.team.agent


def _whose(ctx: typer.Context, settings: Any, agent: str | None, everyone: bool) -> str | None:
    """The agent whose clients a listing shows: --agent, else nobody in particular with --all,
    else the user's own when they are known."""
    if agent is not None and everyone:
        raise UserError("--agent and --all: choose one")
    return agent if agent is not None or everyone else _me(ctx, settings)


EveryoneOption = Annotated[
    bool, typer.Option("--all", help="Every agent's clients, not only yours.")
]


@app.command("import")
@user_errors
def import_(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Clients and/or policies CSV files.")],
    kind: Annotated[
        Literal["clients", "policies"] | None,
        typer.Option(help="What the files hold, when their headers do not tell."),
    ] = None,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid", help="Import the good rows; write the bad ones to FILE.rejects.csv."
        ),
    ] = False,
    encoding: Annotated[
        str | None, typer.Option(help="The files' text encoding, when detection gets it wrong.")
    ] = None,
    date: DateOption = None,
) -> None:
    """Import clients and policies from CSV (UTF-8 or GBK, Chinese or English headers)."""
    from vipctl import config
    from vipctl.ingest import importer
    from vipctl.views import render

    settings = config.load()
    db = _open(ctx, create=True)
    progress = None
    if sys.stdout.isatty():
        from rich.progress import Progress

        progress = Progress(console=render.console(stderr=True), transient=True)

    def on_file(report: importer.FileReport, lines: int) -> Callable[[int], None] | None:
        if progress is None or lines < 10_000:
            return None
        task = progress.add_task(report.path.name, total=lines)
        return lambda line: progress.update(task, completed=line)

    try:
        with progress or nullcontext():
            result = importer.run(
                db,
                files,
                kind=kind,
                skip_invalid=skip_invalid,
                encoding=encoding,
                today=_today(date),
                config=settings,
                on_file=on_file,
            )
    except importer.ImportRejected as rejected:
        _warn_ignored(rejected.result)
        for message in rejected.result.errors:
            _echo(message, err=True)
        raise
    finally:
        db.close()
    _warn_ignored(result)
    _import_summary(result, db.name)


def _warn_ignored(result: Any) -> None:
    for report in result.files:
        if report.ignored_columns:
            ignored = report.ignored_columns
            names = ", ".join(ignored[:20]) + (
                f" and {len(ignored) - 20} more" if len(ignored) > 20 else ""
            )
            _echo(
                f"warning: {report.path}: not in the data contract, so not imported: {names}",
                err=True,
            )


def _import_summary(result: Any, db_name: str) -> None:
    from vipctl.ingest import importer
    from vipctl.views import render

    rows = [
        {
            "file": str(r.path),
            "kind": r.kind,
            "encoding": r.encoding,
            "rows": r.rows,
            "inserted": r.inserted,
            "updated": r.updated,
            "unchanged": r.unchanged,
            "rejected": r.rejected,
        }
        for r in result.files
    ]
    columns = [(k, k.capitalize()) for k in rows[0]]
    out = render.console()
    out.print(render.table(columns, rows, title=f"Imported into {db_name}"))
    for r in result.files:
        if r.rejects_path:
            _echo(f"{r.rejected} rejected row(s) of {r.path} written to {r.rejects_path}")
        if r.legacy_ids:
            _echo(f"{r.path}: {r.legacy_ids} 15-digit ID number(s) converted to the 18-digit form")
        for line in importer.doubt_lines(r):
            _echo(line, err=True)
    for line in result.book_doubts:
        _echo(f"warning: {line}", err=True)
    if result.changed == 0 and not any(r.rejected for r in result.files):
        _echo("Nothing changed: the database already holds exactly these rows.")
    if result.assessment is not None:
        from vipctl.views import tiers as tiers_view

        _echo(tiers_view.recomputed_line(result.assessment))


@app.command()
@user_errors
def clients(
    ctx: typer.Context,
    agent: Annotated[str | None, typer.Option(help="Only this agent's clients.")] = None,
    search: Annotated[
        str | None, typer.Option(help="Text in the id, name, company, phone, e-mail or notes.")
    ] = None,
    high_end: HighEndOption = False,
    limit: ListLimitOption = None,
    fmt: FormatOption = "table",
    show_pii: ShowPii = False,
) -> None:
    """List clients, by client id."""
    from vipctl import config
    from vipctl.book import queries, reviewing
    from vipctl.views import render
    from vipctl.views import tiers as tiers_view

    with _session(ctx) as conn:
        only = reviewing.high_end_ids(conn, config.load()) if high_end else None
        rows, total = queries.clients(
            conn, agent=agent, search=search, only=only, limit=_shown(limit, fmt)
        )
    render.listing(
        tiers_view.with_shown_tier(rows),
        fmt=fmt,
        fields=[*queries.CLIENT_FIELDS, *tiers_view.TIER_FIELDS, "policies"],
        columns=[
            ("client_id", "Client"),
            ("name", "Name"),
            ("gender", "Sex"),
            ("birthday", "Birthday"),
            ("phone", "Phone"),
            ("company", "Company"),
            ("agent", "Agent"),
            ("tier_shown", "Tier"),
            ("segment", "Segment"),
            ("policies", "Policies"),
        ],
        show_pii=show_pii,
        title=render.shown_of(len(rows), total),
        caption=tiers_view.incomplete_caption(rows),
    )


@app.command()
@user_errors
def show(
    ctx: typer.Context,
    client_id: ClientArg,
    fmt: FormatOption = "table",
    show_pii: ShowPii = False,
) -> None:
    """The client card: contact data, what to talk about, every policy with its unpaid premium.

    CSV output lists the client's policies; JSON holds the whole card.
    """
    from vipctl import config
    from vipctl.book import queries, reviewing
    from vipctl.views import render
    from vipctl.views import tiers as tiers_view

    with _session(ctx) as conn:
        client = queries.client(conn, client_id)
        if client is None:
            raise UserError(f"no client {client_id!r}")
        policies = queries.policies_of(conn, client_id)
        client.update(reviewing.high_end_of(conn, config.load(), client_id))
    if fmt == "json":
        render.write_json({**render.masked(client, show_pii), "policies": policies})
    elif fmt == "csv":
        render.write_csv(policies, queries.POLICY_FIELDS)
    else:
        render.card(tiers_view.with_shown_tier([client])[0], policies, show_pii=show_pii)


@app.command()
@user_errors
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
    from vipctl import config
    from vipctl.report import brief
    from vipctl.views import review as review_view

    day = _today(date)
    with _session(ctx) as conn:
        found = brief.review(conn, config.load(), client_id, day)
    if found is None:
        raise UserError(f"no client {client_id!r}")
    review_view.write_review(found, day, fmt, show_pii=show_pii)


@app.command()
@user_errors
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
    fmt: FormatOption = "table",
) -> None:
    """Every client with cover absent or short of the guidance, to plan a campaign."""
    from vipctl import config
    from vipctl.book import reviewing
    from vipctl.config import SEGMENTS, TIERS
    from vipctl.views import render
    from vipctl.views import review as review_view

    with _session(ctx) as conn:
        rows = reviewing.gaps(
            conn,
            config.load(),
            tiers=_choices(TIERS)(tier),
            segments=_choices(SEGMENTS)(segment),
            agent=agent,
            wanted=_choices(NEEDS)(need) or NEEDS,
            high_end=high_end,
        )
    rows = reviewing.sort_gaps(rows, sort)
    render.listing(
        review_view.gap_rows_for_people(rows) if fmt == "table" else rows,
        fmt=fmt,
        fields=reviewing.GAP_FIELDS,
        columns=review_view.GAP_COLUMNS,
        show_pii=False,
        title=review_view.gaps_title(rows),
    )


@app.command()
@user_errors
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
        dt.datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Movements from this day (default: the first of the current month).",
        ),
    ] = None,
    detail: Annotated[
        bool, typer.Option("--detail", help="List the clients behind each movement.")
    ] = False,
    date: DateOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Clients per tier (A–D) and value segment, and the tier movements of a period."""
    from vipctl import config
    from vipctl.book import assessing, queries
    from vipctl.views import tiers as tiers_view

    today = _today(date)
    db = _open(ctx)
    try:
        if explain is not None:
            with db.read() as conn:
                client = queries.client(conn, explain)
                history = queries.movements(conn, client_id=explain) if client else []
            if client is None:
                raise UserError(f"no client {explain!r}")
            explained = tiers_view.explanation(client, history, config.load())
            tiers_view.write_explanation(explained, fmt=fmt)
            return
        if recompute:
            settings = config.load()  # a bad config fails before the write lock is taken
            with db.write() as conn:
                done = assessing.reassess(conn, settings, today)
            _echo(tiers_view.recomputed_line(done), err=True)
        start = since.date() if since else today.replace(day=1)
        with db.read() as conn:
            counts = queries.tier_counts(conn)
            moves = queries.movements(conn, since=start, until=today)
            unassessed = queries.unassessed(conn)
    finally:
        db.close()
    data = tiers_view.summary(counts, moves, since=start, until=today, unassessed=unassessed)
    tiers_view.write_summary(data, moves, fmt=fmt, detail=detail)


def _choices(allowed: tuple[str, ...]) -> Callable[[str | None], list[str]]:
    """A comma-separated list option whose every item must be one of ``allowed``."""

    def parse(value: str | None) -> list[str]:
        if not value:
            return []
        items = [v.strip() for v in value.split(",") if v.strip()]
        wrong = [v for v in items if v not in allowed]
        if wrong:
            raise typer.BadParameter(f"{', '.join(wrong)} (choose from {', '.join(allowed)})")
        return items

    return parse


KINDS_HELP = "Only these kinds, comma-separated: " + ", ".join(KINDS)


def _shown(limit: int | None, fmt: str) -> int | None:
    """How many lines a listing shows: a table the first 50 unless told otherwise, as laying
    out a large book's tens of thousands of rows takes minutes; scripts get every one."""
    from vipctl.views.render import TABLE_LIMIT

    return TABLE_LIMIT if limit is None and fmt == "table" else limit


AgentOption = Annotated[str | None, typer.Option(help="Only this agent's clients.")]
KindOption = Annotated[str | None, typer.Option(metavar="K,…", help=KINDS_HELP)]


@app.command()
@user_errors
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
    from vipctl import agenda, config
    from vipctl.config import TIERS
    from vipctl.views import agenda as agenda_view

    kinds = _choices(KINDS)(kind) or KINDS
    day = _today(date)
    settings = config.load()
    whose = _whose(ctx, settings, agent, everyone)
    scope = agenda.Scope(agent=whose, tiers=_choices(TIERS)(tier), kinds=kinds)
    limit = _shown(limit, fmt)
    with _session(ctx) as conn:
        found = agenda.upcoming(conn, settings, day, days, scope)
        names = agenda.names(conn, {e.client_id for e in found[:limit]})
    agenda_view.write_upcoming(found, names, day, days, fmt, limit=limit)


@app.command()
@user_errors
def today(
    ctx: typer.Context,
    date: DateOption = None,
    agent: AgentOption = None,
    everyone: EveryoneOption = False,
    limit: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Only the N most urgent clients (default: 50 in a table; every one in JSON "
            "and CSV). The table's footer always counts the whole list.",
        ),
    ] = None,
    explain: Annotated[
        str | None,
        typer.Option("--explain", metavar="CLIENT_ID", help="How a client's score was made."),
    ] = None,
    fmt: FormatOption = "table",
    show_pii: ShowPii = False,
) -> None:
    """Whom to contact today, most urgent first, with every reason; done and snoozed left out."""
    from vipctl import agenda, config
    from vipctl.views import agenda as agenda_view

    day = _today(date)
    settings = config.load()
    if explain is not None:
        with _session(ctx) as conn:
            if not agenda.clients(conn, [explain]):
                raise UserError(f"no client {explain!r}")
            entries = agenda.ranked(conn, settings, day, agenda.Scope(clients=[explain]))
        found = entries[0] if entries else None
        agenda_view.write_explanation(found, explain, day, fmt, settings.urgency)
        return
    scope = agenda.Scope(agent=_whose(ctx, settings, agent, everyone))
    limit = _shown(limit, fmt)
    db = _open(ctx)
    try:
        with db.read() as conn:
            listed = agenda.day_list(conn, settings, day, scope, limit=limit)
        agenda_view.write_today(listed, day, fmt, limit=limit, show_pii=show_pii)
        if listed.made is not None:  # worked out afresh: the next look today is a read
            db.write_if_free(lambda conn: agenda.keep(conn, settings, day, scope, listed))
    finally:
        db.close()


ChannelOption = Literal["phone", "sms", "email", "wechat", "visit", "letter"]


@app.command()
@user_errors
def log(
    ctx: typer.Context,
    client_id: ClientArg,
    channel: Annotated[ChannelOption, typer.Option(help="How you reached them.")],
    note: Annotated[str | None, typer.Option(help="What was said or agreed.")] = None,
    date: DateOption = None,
) -> None:
    """Record a contact: it restarts the tier's contact cadence and settles callbacks."""
    from vipctl import config
    from vipctl.agenda import followup

    day = _today(date)
    by = _me(ctx, config.load())
    with _session(ctx, write=True) as conn:
        followup.log(conn, client_id, channel, note, day, by=by)
    _echo(f"Logged a {channel} contact with {client_id} on {day}.")


@app.command()
@user_errors
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
    from vipctl import config
    from vipctl.agenda import followup
    from vipctl.views import agenda as agenda_view

    kinds = _choices(KINDS)(kind)
    day = _today(date)
    settings = config.load()
    with _session(ctx, write=True) as conn:
        items = followup.done(conn, settings, client_id, day, kinds, policy, by=_me(ctx, settings))
    for e in items:
        _echo(f"done: {agenda_view.reason(e, day)}")


@app.command()
@user_errors
def snooze(
    ctx: typer.Context,
    client_id: ClientArg,
    until: Annotated[
        dt.datetime,
        typer.Option(formats=["%Y-%m-%d"], help="Leave them off the list until this day."),
    ],
    date: DateOption = None,
) -> None:
    """Keep a client off today's list until a later day."""
    from vipctl import config
    from vipctl.agenda import followup

    day = _today(date)
    by = _me(ctx, config.load())
    with _session(ctx, write=True) as conn:
        followup.snooze(conn, client_id, until.date(), day, by=by)
    _echo(f"{client_id} is snoozed until {until.date()}.")


@app.command()
@user_errors
def paid(
    ctx: typer.Context,
    policy_no: Annotated[str, typer.Argument(help="The policy number.")],
    date: DateOption = None,
) -> None:
    """Record the policy's unpaid premium as paid (until an export says so)."""
    from vipctl.agenda import followup

    day = _today(date)
    with _session(ctx, write=True) as conn:
        due, following = followup.paid(conn, policy_no, day)
    after = f"next due {following}" if following else "nothing more is due"
    _echo(f"{policy_no}: premium of {due} paid on {day}; {after}.")


@app.command()
@user_errors
def history(
    ctx: typer.Context,
    client_id: ClientArg,
    fmt: FormatOption = "table",
) -> None:
    """The contacts logged with a client, latest first."""
    from vipctl.agenda import followup
    from vipctl.views import agenda as agenda_view

    with _session(ctx) as conn:
        contacts = followup.history(conn, client_id)
    agenda_view.write_history(client_id, contacts, fmt)


@app.command()
@user_errors
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
    limit: Annotated[
        int | None, typer.Option(min=1, help="Only the N most urgent clients of the to-do list.")
    ] = None,
    agent: AgentOption = None,
    everyone: EveryoneOption = False,
    team: Annotated[
        bool, typer.Option("--team", help="Every agent's clients, with a table per agent.")
    ] = False,
    show_pii: ShowPii = False,
) -> None:
    """The daily report for cron: to-do list, grace and lapse risk, overdue contacts, tier
    movements since the previous report, counts, and yesterday's work."""
    from vipctl import config, mailing
    from vipctl.report import job

    day = _today(date)
    settings = config.load()
    to = mailing.recipients(mail_to) if mail_to is not None else None
    if smtp is not None and to is None:
        raise UserError("--smtp: only with --mail-to")
    if team and agent is not None:
        raise UserError("--team and --agent: choose one")
    through = mailing.server(settings.mail, smtp)
    if to is not None and (warning := mailing.plaintext_warning(through)):
        _echo(f"warning: {warning}", err=True)
    db = _open(ctx)
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
            agent=None if team else _whose(ctx, settings, agent, everyone),
            team=team,
        )
    finally:
        db.close()
    if not recorded:
        _echo(
            f"vipctl: the report is not recorded, {db.read_only}: the next one covers the "
            "same period again",
            err=True,
        )
    if (output or to) and sys.stderr.isatty():  # cron mails whatever it gets: it gets none
        done = [f"written to {output}" if output else "", f"mailed to {mail_to}" if to else ""]
        _echo(f"Report for {day} {' and '.join(filter(None, done))}.", err=True)


@app.command()
@user_errors
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
    from vipctl import agenda, config, files
    from vipctl.views import calendar as calendar_view

    day = _today(date)
    settings = config.load()
    scope = agenda.Scope(
        agent=_whose(ctx, settings, agent, everyone), kinds=_choices(KINDS)(kind) or KINDS
    )
    with _session(ctx) as conn:
        found = agenda.upcoming(conn, settings, day, days, scope)
        names = agenda.names(conn, {e.client_id for e in found})
    text = calendar_view.ics(found, names)
    if output is None:
        sys.stdout.write(text)
    else:
        files.write_atomically(output, text)


@app.command()
@user_errors
def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The backup file to write (replaced whole).")],
) -> None:
    """Copy the database to FILE, safely even while vipctl or cron is using it."""
    from vipctl.store import upkeep

    db = _open(ctx)
    try:
        upkeep.backup(db, file)
    finally:
        db.close()
    _echo(f"Backed up {db.name} to {file}.")


@app.command()
@user_errors
def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A backup made by 'vipctl backup'.")],
) -> None:
    """Replace the database by a backup, after checking the backup's integrity and schema.

    The database as it was is kept beside it.
    """
    from vipctl import store
    from vipctl.store import upkeep

    path = store.resolve(ctx.obj.db)
    kept = upkeep.restore(path, file)
    _echo(f"Restored {path} from {file}.")
    if kept is not None:
        _echo(f"The database as it was is kept as {kept}.")


@app.command()
@user_errors
def check(ctx: typer.Context, date: DateOption = None) -> None:
    """Check the database: SQLite's integrity check, then the rules vipctl relies on, then
    the values kept that cannot be true (as the import warned of them).

    Exits 1 when something is wrong; values warned of alone are no failure.
    """
    from vipctl.store import upkeep

    db = _open(ctx)
    try:
        problems, advice, doubts = upkeep.check(db, _today(date))
    finally:
        db.close()
    for line in advice:
        _echo(f"note: {line}")
    for line in doubts:
        _echo(f"warning: {line}")
    if problems:
        for line in problems:
            _echo(f"problem: {line}", err=True)
        raise typer.Exit(1)
    _echo(f"{db.name}: no problems found.")


@app.command()
@user_errors
def export(
    ctx: typer.Context,
    what: Annotated[
        Literal["clients", "policies", "contacts", "payments"],
        typer.Argument(metavar="clients|policies|contacts|payments", help="What to export."),
    ],
    fmt: Annotated[
        Literal["csv", "json"], typer.Option("--format", "-f", help="csv (UTF-8 with BOM) or json.")
    ] = "csv",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file (owner-only, replaced whole)."),
    ] = None,
) -> None:
    """Export the data unmasked, to move it to another tool or keep it as CSV.

    Clients and policies come in the data contract's columns, so 'vipctl import' reads them
    back. Cells a spreadsheet would run as a formula are prefixed with ' in CSV.
    """
    from vipctl import files
    from vipctl.book import exporting
    from vipctl.views import export as export_view

    with _session(ctx) as conn:
        fields, found = exporting.rows(conn, what)
    if fmt == "csv":
        text = export_view.to_csv(fields, found)
    else:
        text = export_view.to_json_text(fields, found)
    if output is None:
        sys.stdout.write(text)
    else:  # a BOM so Excel reads the Chinese as UTF-8; vipctl import skips it
        files.write_atomically(output, "\ufeff" + text if fmt == "csv" else text)


config_app = typer.Typer(
    help="The config file: healthy values, tier cadences, segment cut-offs, reminders, urgency."
)
app.add_typer(config_app, name="config")


@config_app.command("path")
def config_path() -> None:
    """Print where vipctl reads its config file ($VIPCTL_CONFIG overrides it)."""
    from vipctl import config

    _echo(str(config.path()))


def _silence_stdout() -> None:
    """Point stdout at the null device, so the flush at exit does not fail again on a pipe
    nobody reads any more."""
    with suppress(OSError, ValueError):  # ValueError: a stream without a file (tests)
        sys.stdout.flush()
    with suppress(OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)


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
        _silence_stdout()
        sys.exit(0)
    except OSError as exc:
        typer.echo(f"vipctl: cannot write the output: {exc.strerror or exc}", err=True)
        _silence_stdout()
        sys.exit(1)
