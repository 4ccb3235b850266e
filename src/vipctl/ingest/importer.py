"""``vipctl import``: every file validated and upserted inside one transaction.

Records stream through in batches, so memory stays flat however large the export: each batch is
checked, then written while the import is still clean. After the first problem nothing more is
written but validation runs to the end to report every bad row, and the transaction is rolled
back: the database never holds half an import.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import Connection, Dialect, Index, Table, select

from vipctl import readahead
from vipctl.book import assessing, editing, queries
from vipctl.config import Config
from vipctl.contract import Kind
from vipctl.errors import UserError
from vipctl.i18n import _, ngettext
from vipctl.ingest import csvfile
from vipctl.ingest.validate import Checked, Source, Validator, open_sources
from vipctl.rules import plausible
from vipctl.rules.tiers import Recomputed
from vipctl.store import Database, bulk, changes, journal, schema, tracking
from vipctl.store.bulk import CHUNK, Converter, Upsert, is_empty, rows_in
from vipctl.store.tables import Client, Policy, PremiumDue

TABLES: dict[Kind, Table] = {"clients": Client, "policies": Policy}
# What an import writes: the rows, and what it works out from them.
_LOADED = ["client", "policy", "premium_due", "client_tier", "tier_history", "agent_departure"]
BATCH = 5_000


@dataclass
class FileReport:
    path: Path
    kind: Kind
    encoding: str
    ignored_columns: list[str]
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects_path: Path | None = None
    legacy_ids: int = 0  # 15-digit ID numbers converted to 18 digits
    # Values kept but doubtful: (line, column as headed, value, why), by line.
    doubts: list[tuple[int, str, str, str]] = field(default_factory=list)
    doubts_path: Path | None = None
    doubts_unwritten: str | None = None  # why the warnings file could not be written


@dataclass
class ImportResult:
    files: list[FileReport]
    errors: list[str] = field(default_factory=list)
    assessment: Recomputed | None = None  # tiers and segments, when anything changed
    # Doubts about stored values the files do not hold (``vipctl check``'s words, by id).
    book_doubts: list[str] = field(default_factory=list)
    kept_edits: int = 0  # values the files hold that an edit made in vipctl since overrides

    @property
    def changed(self) -> int:
        return sum(f.inserted + f.updated for f in self.files)


class ImportRejected(UserError):
    """Bad rows without ``--skip-invalid``: nothing was written; ``result.errors`` says why."""

    def __init__(self, result: ImportResult) -> None:
        n = len(result.errors)
        said = ngettext(
            "{n} problem found: nothing was imported",
            "{n} problems found: nothing was imported",
            n,
        )
        super().__init__(said.format(n=f"{n:,}"))
        self.result = result


def _defer_indexes(conn: Connection, kinds: set[Kind]) -> list[Index]:
    """Drop the secondary indexes of tables that are still empty, to build them once at the end.

    Loading first and indexing after is the standard bulk-load order (SQLite and PostgreSQL
    alike): it took 7 % off a first import of 100,000 clients, and a third off filling the
    unpaid premiums of 200,000 policies. The DDL is part of the import's transaction, so a
    failed import rolls it back with everything else.
    """
    tables = [TABLES[kind] for kind in kinds]
    if "policies" in kinds:
        tables.append(PremiumDue)
    deferred: list[Index] = []
    for table in tables:
        if is_empty(conn, table):
            deferred.extend(table.indexes)
    for index in deferred:
        index.drop(conn)
    return deferred


def _in_hand(src: Source) -> bool:
    """Whether the file's rows alone tell each policy's unpaid premium."""
    return src.kind == "policies" and set(tracking.SCHEDULE) <= set(src.stored)


class Broken(NamedTuple):
    """File ``n`` stops being CSV part-way: what follows cannot be read, so no part of the import
    may land; ``message`` says where."""

    n: int
    message: str


def _read(
    sources: list[Source], validator: Validator, dialect: Dialect, today: dt.date, grace: int
) -> Iterator[tuple[int, tuple, list | None] | Broken]:
    """The reading side of an import: (file number, its next batch checked and in driver
    values as ``Checked.plain``, the batch's ``Unpaid`` premiums), plain values that cross to
    the writing process fast; or ``Broken``."""
    for n, src in enumerate(sources):
        convert = Converter(TABLES[src.kind], src.stored, dialect)
        unpaid = tracking.Unpaid(dialect, today, grace) if _in_hand(src) else None
        try:
            for batch in src.csv.batches(BATCH):
                checked = validator.check(src, batch)
                due = None
                if unpaid:
                    due = unpaid.column(dict(zip(src.stored, checked.columns, strict=True)))
                checked.columns = convert.native(checked.columns)
                yield n, checked.plain(), due
        except csvfile.BrokenCsv as exc:
            yield Broken(n, str(exc))


@dataclass
class _File:
    """One file of an import on the writing side: its report, and what writing it needs."""

    source: Source
    report: FileReport
    progress: Callable[[int], None] | None = None
    upsert: Upsert | None = None  # made with the first batch written
    dues: tracking.DuesAsImported | None = None  # when the rows alone tell the unpaid premiums
    rejects: list[tuple[list[str], str]] = field(default_factory=list)  # with --skip-invalid
    # (client ids, lines) of each batch of a clients file: where a doubt about an income goes.
    lines: list[tuple[list, array]] = field(default_factory=list)

    def take(self, checked: Checked, skip_invalid: bool) -> None:
        """Count a checked batch in the report."""
        if self.progress:
            self.progress(checked.last_line)
        report = self.report
        report.rows += checked.rows
        report.rejected += len(checked.bad)
        report.legacy_ids += checked.legacy_ids
        report.doubts += checked.doubts
        if self.source.kind == "clients":
            self.lines.append((checked.columns[0], array("L", checked.lines)))
        if skip_invalid:
            self.rejects.extend(checked.bad)

    def write(
        self, conn: Connection, checked: Checked, unpaid: list | None, context: tuple
    ) -> None:
        """Upsert a batch's good rows, and file their unpaid premiums. ``context``: (now, the
        export's day, the grace period, the edits to keep)."""
        now, today, grace, keep = context
        src = self.source
        if self.upsert is None:
            keep = keep if src.kind == "clients" else None
            self.upsert = Upsert(conn, TABLES[src.kind], src.stored, now, keep)
            if unpaid is not None:
                self.dues = tracking.DuesAsImported(conn, today, grace)
        written = len(self.upsert.touched)
        inserted, updated, unchanged = self.upsert.write(checked.columns)
        if self.dues is not None and unpaid is not None:
            rows = dict(zip(src.stored, checked.columns, strict=True))
            self.dues.write(rows, set(self.upsert.touched[written:]), unpaid)
        self.report.inserted += inserted
        self.report.updated += updated
        self.report.unchanged += unchanged


def run(
    db: Database,
    paths: list[Path],
    *,
    kind: Kind | None = None,
    skip_invalid: bool = False,
    encoding: str | None = None,
    sheet: str | None = None,
    today: dt.date,
    config: Config | None = None,
    overwrite_edits: bool = False,
    on_file: Callable[[FileReport, int], Callable[[int], None] | None] | None = None,
) -> ImportResult:
    """Import ``paths`` in one transaction; raise ``ImportRejected`` if a bad row blocks it.

    Clients files go first so that policies may name clients of the same import. A card's
    field edited in vipctl on or after ``today`` (the export's day) keeps its value, unless
    ``overwrite_edits``. ``on_file`` may return a callback that gets the line reached, which the
    CLI uses for a progress bar.
    """
    config = config or Config()
    grace = config.agenda.grace_days
    sources = sorted(
        (s for p in paths for s in open_sources(p, kind, encoding, sheet)),
        key=lambda s: s.kind != "clients",
    )
    files = [_File(s, FileReport(s.csv.path, s.kind, s.csv.encoding, s.ignored)) for s in sources]
    result = ImportResult([f.report for f in files])
    now = schema.now()
    broken = False
    started: set[int] = set()
    with db.write() as conn:
        stored = Client.c.client_id
        needed = any(s.kind == "policies" for s in sources)
        known = set(conn.scalars(select(stored))) if needed else set()
        validator = Validator(today, known, grace)
        keep = {} if overwrite_edits else editing.kept(conn, today)
        deferred = _defer_indexes(conn, {s.kind for s in sources})
        reading = readahead.ahead(lambda: _read(sources, validator, conn.dialect, today, grace))
        for item in reading:
            file = files[item[0]]
            if item[0] not in started:
                started.add(item[0])
                file.progress = on_file(file.report, file.source.csv.lines) if on_file else None
            if isinstance(item, Broken):
                result.errors.append(item.message)
                broken = True
                continue
            _, plain, unpaid = item
            checked = Checked(*plain)
            file.take(checked, skip_invalid)
            result.errors += checked.messages
            if result.errors and not skip_invalid:
                continue  # keep validating to report everything, but write nothing
            file.write(conn, checked, unpaid, (now, today, grace, keep))
        written = [f for f in files if f.upsert is not None]
        result.kept_edits = sum(f.upsert.kept for f in written if f.upsert is not None)
        touched: set[str] = set()  # clients whose tier may have changed
        dues_later: set[str] = set()  # policies whose unpaid premium the batches did not work out
        for f in written:
            assert f.upsert is not None
            if f.source.kind == "clients":
                touched.update(f.upsert.touched)
            elif f.dues is None:
                dues_later.update(f.upsert.touched)
        if broken or (result.errors and not skip_invalid):
            raise ImportRejected(result)  # leaving the block rolls the transaction back
        if result.changed:
            if dues_later:  # first: the annual premiums count the policies still being paid
                tracking.refresh_dues(conn, today, dues_later, grace)
            result.assessment = assessing.recompute(conn, config, today, only=touched)
            tracking.refresh_departures(conn, today, only=touched)
        changed_policies = any(f.source.kind == "policies" for f in written)
        result.book_doubts = _income_doubts(conn, files, now, changed_policies)
        for index in deferred:
            index.create(conn)
        if result.changed:
            journal.imported(conn)  # what came before it, undo no longer takes back
            concerned = _concerned(conn, written)
            changes.declare(conn, changes.EVERYTHING if concerned is None else concerned)
            bulk.loaded(conn, _LOADED)
        else:  # a re-import of the same files changes nothing, not even the book's generation
            changes.declare(conn, changes.NOTHING)
        for f in files:
            _write_aside(f)
    return result


def _concerned(conn: Connection, written: list[_File]) -> set[str] | None:
    """The clients whose agenda the import's writes can change: those of the rows written, and
    a changed policy's former client. None when they are more than a few hundred: the book then
    counts as changed whole. A daily export where a few rows changed so leaves the agenda of
    everyone else as it was kept, instead of having it all made again."""
    clients: set[str] = set()
    p = Policy.c
    for f in written:
        assert f.upsert is not None
        if len(f.upsert.touched) > CHUNK:
            return None
        if f.source.kind == "clients":
            clients.update(f.upsert.touched)
            continue
        owner = f.source.stored.index("client_id")
        clients.update(row[owner] for row in f.upsert.replaced)
        owners = rows_in(conn, select(p.client_id), p.policy_no, f.upsert.touched)
        clients.update(client for (client,) in owners)
    return clients if len(clients) <= CHUNK else None


def _write_aside(file: _File) -> None:
    """The rejects and warnings files beside the source, when there are any."""
    report = file.report
    if file.rejects:
        report.rejects_path = csvfile.write_rejects(file.source.csv, file.rejects)
    if report.doubts:
        report.doubts.sort()
        try:
            report.doubts_path = csvfile.write_doubts(file.source.csv, report.doubts)
        except UserError as exc:  # the warnings are printed all the same
            report.doubts_unwritten = str(exc)


DOUBTS_SHOWN = 50  # warnings printed per file; the warnings file has every one


def doubt_lines(report: FileReport) -> list[str]:
    """The file's warnings as the import prints them: ``warning: FILE:LINE: column: why``."""
    warning = _("warning: {doubt}")
    lines = [
        warning.format(doubt=f"{report.path}:{line}: {column}: {why}")
        for line, column, _value, why in report.doubts[:DOUBTS_SHOWN]
    ]
    if report.doubts_unwritten is not None:
        lines.append(warning.format(doubt=report.doubts_unwritten))
    if report.doubts_path is not None:
        more = len(report.doubts) - DOUBTS_SHOWN
        said = (
            _(
                "{n} warnings of {file}, {more} more than shown, written to {target}; the values "
                "are kept as they are"
            )
            if more > 0
            else _("{n} warnings of {file} written to {target}; the values are kept as they are")
        )
        lines.append(
            said.format(
                n=len(report.doubts), file=report.path, more=more, target=report.doubts_path
            )
        )
    return lines


def _income_doubts(
    conn: Connection, files: list[_File], now: dt.datetime, policies: bool
) -> list[str]:
    """Doubt each client of the import whose income is below the premiums they now pay: at the
    client's row when the import has it; a client whose policies alone were imported is doubted
    as ``vipctl check`` does, by id, as the income is not in these files."""
    below = {row[0]: row[1:] for row in queries.incomes_below_premiums(conn)}
    if not below:
        return []
    found: dict[str, tuple[_File, int]] = {}  # client -> (file, line)
    for file in files:
        for ids, lines in file.lines:
            for client, line in zip(ids, lines, strict=True):
                if client in below and client not in found:
                    found[client] = (file, line)
    wrote: set[str] = set()  # of the others, the clients of policies this import wrote
    if policies and (rest := below.keys() - found.keys()):
        p = Policy.c
        query = select(p.client_id).where(p.updated_at == now).distinct()
        wrote = {client for (client,) in rows_in(conn, query, p.client_id, rest)}
    elsewhere = []
    for client, (income, premium) in below.items():
        why = plausible.income(income, premium)
        if why is None:
            continue
        if client in found:
            file, line = found[client]
            header = file.source.header("annual_income") or "annual_income"
            value = f"{float(income):.2f}".removesuffix(".00")
            file.report.doubts.append((line, header, value, why))
        elif client in wrote:
            elsewhere.append(
                _("client {client}: annual_income: {why}").format(client=client, why=why)
            )
    return elsewhere
