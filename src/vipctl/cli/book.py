"""Importing and looking at the book: import, clients, show, export."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from vipctl.cli.context import app_of, echo, warn
from vipctl.cli.manual import usage_error
from vipctl.cli.options import (
    ClientArg,
    DateOption,
    FormatOption,
    HighEndOption,
    ListLimitOption,
    ShowPii,
    TierOption,
    choices,
    day_of,
    shown_limit,
)
from vipctl.errors import no_client
from vipctl.i18n import _, ngettext

if TYPE_CHECKING:
    from vipctl.ingest.importer import ImportResult


def import_(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(help="Clients and/or policies files: CSV, or Excel (.xlsx, .xls) and .ods."),
    ],
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
    sheet: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Only this sheet of a workbook (default: every sheet with a clients or "
            "policies header).",
        ),
    ] = None,
    overwrite_edits: Annotated[
        bool,
        typer.Option(
            "--overwrite-edits",
            help="Let the files win over the card's fields edited in vipctl since their export.",
        ),
    ] = False,
    date: DateOption = None,
) -> None:
    """Import clients and policies from CSV files or Excel workbooks (UTF-8 or GBK, Chinese or
    English headers).

    --date is the day the files were exported (default: today): a card's field edited in
    vipctl on or after it keeps its value.
    """
    from vipctl.ingest import importer
    from vipctl.views import render

    settings = app_of(ctx).config()
    db = app_of(ctx).open(create=True)
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
                sheet=sheet,
                today=day_of(date),
                config=settings,
                overwrite_edits=overwrite_edits,
                on_file=on_file,
            )
    except importer.ImportRejected as rejected:
        _warn_ignored(rejected.result)
        for message in rejected.result.errors:
            echo(message, err=True)
        raise
    except KeyboardInterrupt:  # the import's one transaction rolled back on the way out
        db.close()
        said = _("vipctl: import interrupted: nothing was written to {database}")
        echo(said.format(database=db.name), err=True)
        raise typer.Exit(130) from None
    finally:
        db.close()
    _warn_ignored(result)
    _import_summary(result, db.name)
    _upkeep(ctx, day_of(date))


def _upkeep(ctx: typer.Context, day: dt.date) -> None:
    """After a write that changed the book whole: the agenda's occasions written again now, so
    that the next look at the list does not wait for them."""
    from vipctl.agenda import occasions

    settings = app_of(ctx).config()
    db = app_of(ctx).open()
    try:
        db.write_if_free(lambda conn: occasions.upkeep(conn, settings, day))
    finally:
        db.close()


def _warn_ignored(result: ImportResult) -> None:
    from vipctl.views import imports

    for line in imports.ignored(result):
        echo(line, err=True)


def _import_summary(result: ImportResult, db_name: str) -> None:
    from vipctl.ingest import importer
    from vipctl.views import imports
    from vipctl.views import tiers as tiers_view

    imports.write_table(result, db_name)
    doubts = {n: importer.doubt_lines(r) for n, r in enumerate(result.files)}
    for line, err in imports.notes(result, doubts):
        echo(line, err=err)
    if result.assessment is not None:
        echo(tiers_view.recomputed_line(result.assessment))


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
    from vipctl.book import queries, reviewing
    from vipctl.views import render
    from vipctl.views import tiers as tiers_view

    with app_of(ctx).session() as conn:
        queries.check_agent(conn, agent)
        only = reviewing.high_end_ids(conn, app_of(ctx).config()) if high_end else None
        rows, total = queries.clients(
            conn, agent=agent, search=search, only=only, limit=shown_limit(limit, fmt)
        )
    render.listing(
        tiers_view.with_shown_tier(rows),
        fmt=fmt,
        fields=[*queries.CLIENT_FIELDS, *tiers_view.TIER_FIELDS, "policies"],
        columns=_client_columns(),
        show_pii=show_pii,
        title=render.shown_of(len(rows), total),
        caption=tiers_view.incomplete_caption(rows),
    )


def _client_columns() -> list:
    from vipctl.views.fit import Col

    return [
        Col("client_id", "Client"),
        Col("name", "Name"),
        Col("gender", "Sex", optional=7),
        Col("birthday", "Birthday", optional=6),
        Col("phone", "Phone", optional=1, under="name"),
        Col("company", "Company", optional=5, comfort=12),
        Col("agent", "Agent", optional=4),
        Col("tier_shown", "Tier"),
        Col("segment", "Segment", optional=2),
        Col("policies", "Policies", optional=3),
    ]


def show(
    ctx: typer.Context,
    client_id: ClientArg,
    fmt: FormatOption = "table",
    show_pii: ShowPii = False,
    date: DateOption = None,
) -> None:
    """The client card: contact data, what to talk about, every policy with its unpaid premium.

    CSV output lists the client's policies; JSON holds the whole card.
    """
    from vipctl.agenda.standing import standing
    from vipctl.book import queries, reviewing
    from vipctl.views import care as care_view
    from vipctl.views import render
    from vipctl.views import tiers as tiers_view

    day = day_of(date)
    with app_of(ctx).session() as conn:
        client = queries.client(conn, client_id)
        if client is None:
            raise no_client(client_id)
        policies = queries.policies_of(conn, client_id)
        client.update(reviewing.high_end_of(conn, app_of(ctx).config(), client_id))
        stands = standing(conn, client_id, day)
    if fmt == "json":
        card = {**render.masked(client, show_pii), "policies": policies, "standing": stands}
        render.write_json(card)
    elif fmt == "csv":
        render.write_csv(policies, queries.POLICY_FIELDS)
    else:
        shown = tiers_view.with_shown_tier([client])[0]
        render.card(
            shown, policies, show_pii=show_pii, standing=care_view.standing_lines(stands, day)
        )


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

    with app_of(ctx).session() as conn:
        fields, found = exporting.rows(conn, what)
    if fmt == "csv":
        text = export_view.to_csv(fields, found)
    else:
        text = export_view.to_json_text(fields, found)
    if output is None:
        sys.stdout.write(text)
    else:  # a BOM so Excel reads the Chinese as UTF-8; vipctl import skips it
        files.write_atomically(output, "\ufeff" + text if fmt == "csv" else text)


def edit(
    ctx: typer.Context,
    client_id: ClientArg,
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="FIELD=VALUE",
            help="A field of the card (its name in the data contract, or its Chinese header) "
            "and its new value; empty clears it. Give as many as you like. Without it, on a "
            "terminal, the card opens in $VISUAL or $EDITOR.",
        ),
    ] = None,
    date: DateOption = None,
) -> None:
    """Change fields of a client's card, checked as an import checks them.

    Every change is kept (vipctl history shows who changed what, when, old and new); a later
    import of an older export keeps it. Changing one of the five indicators or the income
    reassesses the client's tier at once.
    """
    from vipctl.book import editing, queries
    from vipctl.views import render, words
    from vipctl.views import tiers as tiers_view

    given = []
    for item in sets or ():
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise usage_error(
                _("--set: expected FIELD=VALUE (got {given})").format(given=repr(item))
            )
        given.append((name.strip(), value))
    if not given:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise usage_error(_("give --set FIELD=VALUE, or edit the card on a terminal"))
        from vipctl.cli import cardeditor

        with app_of(ctx).session() as conn:
            card = queries.client(conn, client_id)
        if card is None:
            raise no_client(client_id)
        given = cardeditor.ask(card)
        if not given:
            echo(_("Nothing changed: the card was saved as it was."))
            return
    day = day_of(date)
    with app_of(ctx).session(write=True) as conn:
        done = editing.edit(conn, app_of(ctx).config(), client_id, given, day, by=app_of(ctx).me())
    for line in done.doubts:
        warn(line)
    if not done.changes:
        echo(_("Nothing changed: the card already says so."))
    for change in done.changes:
        said = _("{client} {field}: {old} → {new}")
        field = _(render.CARD_LABELS.get(change.field, change.field))
        old, new = (words.word(v) if v else "—" for v in (change.old, change.new))
        echo(said.format(client=client_id, field=field, old=old, new=new))
    if done.assessment is not None:
        echo(tiers_view.recomputed_line(done.assessment))


def reassign(
    ctx: typer.Context,
    source: Annotated[str, typer.Option("--from", metavar="AGENT", help="Whose clients.")],
    target: Annotated[str, typer.Option("--to", metavar="AGENT", help="Who takes them over.")],
    clients: Annotated[
        list[str] | None,
        typer.Option(
            "--client", metavar="CLIENT_ID", help="Only this client; give it again for more."
        ),
    ] = None,
    tier: TierOption = None,
    date: DateOption = None,
) -> None:
    """Move clients from one agent to another (a departed agent's above all), as one change.

    The new agent's list takes over their items; a client whose agent had left keeps the 100 %
    callback owed until someone reaches them. Each card's change is kept (vipctl history), a
    later import of an older export keeps it, and vipctl undo takes the whole move back.
    """
    from vipctl.book import editing
    from vipctl.config import TIERS
    from vipctl.views import words

    with app_of(ctx).session(write=True) as conn:
        done = editing.reassign(
            conn,
            source,
            target,
            day_of(date),
            clients=clients or (),
            tiers_wanted=choices(TIERS)(tier),
            by=app_of(ctx).me(),
        )
    moved = words.counted(len(done.clients), "{n} client", "{n} clients")
    said = _("Reassigned {clients} from {source} to {target}.")
    echo(said.format(clients=moved, source=source, target=target))
    if done.callbacks:
        said = ngettext(
            "{n} departed-agent callback stays on {target}'s list until it is made.",
            "{n} departed-agent callbacks stay on {target}'s list until they are made.",
            done.callbacks,
        )
        echo(said.format(n=done.callbacks, target=target))
