"""``vipctl import``: validate every row of every file, then upsert them in one transaction.

Validation runs to the end even after the first problem so the user fixes a file once, not once
per error. Writing goes through SQLAlchemy Core executemany statements: one INSERT and one UPDATE
per file, never an ORM object per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Table, bindparam, select

from vipctl import contract, csvfile
from vipctl.contract import Column, Kind
from vipctl.errors import UserError
from vipctl.models import Client, Policy
from vipctl.privacy import mask
from vipctl.store import Database
from vipctl.values import IdNumber

TABLES: dict[Kind, Table] = {"clients": Client.__table__, "policies": Policy.__table__}
_CHUNK = 500  # keys per IN (...) lookup: well under every engine's bound-parameter limit


@dataclass
class FileReport:
    path: Path
    kind: Kind
    encoding: str
    delimiter: str
    ignored_columns: list[str]
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects_path: Path | None = None


@dataclass
class ImportResult:
    files: list[FileReport]
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(f.inserted + f.updated for f in self.files)


class ImportRejected(UserError):
    """Bad rows without ``--skip-invalid``: nothing was written; ``result.errors`` says why."""

    def __init__(self, result: ImportResult) -> None:
        n = len(result.errors)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} found: nothing was imported")
        self.result = result


@dataclass
class _Source:
    """A read CSV with its header mapped onto the contract."""

    csv: csvfile.CsvFile
    kind: Kind
    columns: list[tuple[int, Column, str]]  # (position, contract column, header as written)
    report: FileReport

    @property
    def stored(self) -> list[str]:
        """Columns this file sets: those it has, plus what an ID number lets us derive."""
        names = [col.name for _, col, _ in self.columns]
        if "id_number" in names:
            names += [n for n in ("birthday", "gender") if n not in names]
        key = contract.KEY[self.kind]
        return [key] + [n for n in names if n != key]


def _open(path: Path, kind: Kind | None, encoding: str | None) -> _Source:
    data = csvfile.read(path, encoding)
    found = kind or contract.guess_kind(data.headers)
    if found is None:
        raise UserError(
            f"{path}: cannot tell clients from policies by the header; give --kind clients "
            "or --kind policies"
        )
    columns: list[tuple[int, Column, str]] = []
    ignored: list[str] = []
    seen: dict[str, str] = {}
    for pos, header in enumerate(data.headers):
        col = contract.match_header(found, header)
        if col is None:
            ignored.append(header or f"(column {pos + 1}, no header)")
        elif col.name in seen:
            raise UserError(
                f"{path}:1: columns '{seen[col.name]}' and '{header}' both mean {col.name}; "
                "keep one"
            )
        else:
            seen[col.name] = header
            columns.append((pos, col, header))
    for col in contract.COLUMNS[found]:
        if col.required and col.name not in seen:
            names = "/".join((col.name, *col.aliases))
            raise UserError(f"{path}:1: missing the required column {col.name} ({names})")
    report = FileReport(path, found, data.encoding, data.delimiter, ignored)
    return _Source(data, found, columns, report)


def _shown(col: Column, raw: str) -> str:
    return mask(col.name, raw) if col.pii else raw


class _Validator:
    """Checks rows across the whole import: duplicate keys and policies' clients span files."""

    def __init__(self, today: dt.date, known_clients: Callable[[], set[str]]) -> None:
        self.today = today
        self._known_clients = known_clients
        self._clients: set[str] | None = None
        self.rejected_clients: dict[str, str] = {}
        self.seen: dict[tuple[Kind, str], str] = {}
        self.broken = False  # a file stopped being CSV part-way: nothing may be written

    def clients(self) -> set[str]:
        if self._clients is None:
            self._clients = self._known_clients()
        return self._clients

    def rows(
        self, src: _Source, on_line: Callable[[int], None] | None = None
    ) -> tuple[list[dict], list[tuple[list[str], str]], list[str]]:
        """Split a file into good rows, bad rows (fields, problems) and messages for the user."""
        path, key = src.csv.path, contract.KEY[src.kind]
        good: list[dict] = []
        bad: list[tuple[list[str], str]] = []
        messages: list[str] = []
        try:
            for line, fields in src.csv.records():
                if on_line:
                    on_line(line)
                row, problems = self._record(src, line, fields)
                if not problems:
                    good.append(row)
                    continue
                messages.extend(f"{path}:{line}: {p}" for p in problems)
                bad.append((fields, "; ".join(problems)))
                if src.kind == "clients" and row.get(key):
                    self.rejected_clients[row[key]] = f"{path}:{line}"
        except csvfile.BrokenCsv as exc:
            messages.append(str(exc))
            self.broken = True
        if src.kind == "clients":
            self.clients().update(r[key] for r in good)
        return good, bad, messages

    def _record(self, src: _Source, line: int, fields: list[str]) -> tuple[dict, list[str]]:
        width = len(src.csv.headers)
        if len(fields) != width:
            return {}, [f"expected {width} fields as in the header, got {len(fields)}"]
        row, problems = self._row(src, fields)
        return row, problems or self._cross_checks(src, row, line)

    def _row(self, src: _Source, fields: list[str]) -> tuple[dict, list[str]]:
        row: dict = {}
        problems: list[str] = []
        for pos, col, header in src.columns:
            raw = fields[pos].strip()
            if not raw:
                if col.required:
                    problems.append(f"{header}: required, but empty")
                row[col.name] = None
                continue
            try:
                row[col.name] = col.parse(raw)
            except ValueError as exc:
                problems.append(f"{header}: {exc} (got '{_shown(col, raw)}')")
                row[col.name] = None
        if src.kind == "clients":
            problems += self._client_rules(src, row)
        return row, problems

    def _client_rules(self, src: _Source, row: dict) -> list[str]:
        problems: list[str] = []
        headers = {col.name: header for _, col, header in src.columns}
        ident: IdNumber | None = row.get("id_number")
        if isinstance(ident, IdNumber):
            row["id_number"] = ident.number
            for name, derived in (("birthday", ident.birthday), ("gender", ident.gender)):
                given = row.get(name)
                if given is None:
                    row[name] = derived
                elif given != derived:
                    problems.append(
                        f"{headers[name]}: does not match the ID number, which says {derived} "
                        f"(got '{given}')"
                    )
        birthday = row.get("birthday")
        if birthday is not None and birthday > self.today:
            problems.append(f"{headers.get('birthday', 'id_number')}: birthday is in the future")
        return problems

    def _cross_checks(self, src: _Source, row: dict, line: int) -> list[str]:
        problems: list[str] = []
        key_name = contract.KEY[src.kind]
        key = row[key_name]
        where = f"{src.csv.path}:{line}"
        first = self.seen.setdefault((src.kind, key), where)
        if first != where:
            problems.append(f"{_header(src, key_name)}: {key} appears twice; first at {first}")
        if src.kind == "policies":
            client = row["client_id"]
            if client in self.rejected_clients:
                problems.append(
                    f"{_header(src, 'client_id')}: client {client} was rejected at "
                    f"{self.rejected_clients[client]}"
                )
            elif client not in self.clients():
                problems.append(
                    f"{_header(src, 'client_id')}: no client {client} in the database or in "
                    "this import"
                )
            due, start = row.get("next_due_date"), row["effective_date"]
            if due is not None and due < start:
                problems.append(
                    f"{_header(src, 'next_due_date')}: before the effective date {start} "
                    f"(got '{due}')"
                )
        return problems


def _header(src: _Source, name: str) -> str:
    return next(h for _, col, h in src.columns if col.name == name)


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _write(conn: Connection, src: _Source, rows: list[dict], now: dt.datetime) -> None:
    """Insert new keys, update changed rows, leave identical ones alone: re-import is a no-op."""
    table, names = TABLES[src.kind], src.stored
    key = names[0]
    existing: dict[str, tuple] = {}
    cols = [table.c[n] for n in names]
    for chunk in _chunks([r[key] for r in rows], _CHUNK):
        for found in conn.execute(select(*cols).where(table.c[key].in_(chunk))):
            existing[found[0]] = tuple(found)
    inserts: list[dict] = []
    updates: list[dict] = []
    for row in rows:
        before = existing.get(row[key])
        if before is None:
            inserts.append({**row, "created_at": now, "updated_at": now})
        elif before != tuple(row[n] for n in names):
            updates.append({**{n: row[n] for n in names[1:]}, "_key": row[key], "updated_at": now})
    if inserts:
        conn.execute(table.insert(), inserts)
    if updates:
        conn.execute(table.update().where(table.c[key] == bindparam("_key")), updates)
    report = src.report
    report.inserted, report.updated = len(inserts), len(updates)
    report.unchanged = len(rows) - len(inserts) - len(updates)


def run(
    db: Database,
    paths: list[Path],
    *,
    kind: Kind | None = None,
    skip_invalid: bool = False,
    encoding: str | None = None,
    today: dt.date,
    on_file: Callable[[FileReport, int], Callable[[int], None] | None] | None = None,
) -> ImportResult:
    """Import ``paths`` in one transaction; raise ``ImportRejected`` if a bad row blocks it.

    ``on_file(report, lines)`` may return a per-line callback, which the CLI uses for a
    progress bar on large files.
    """
    sources = sorted((_open(p, kind, encoding) for p in paths), key=lambda s: s.kind != "clients")
    result = ImportResult([s.report for s in sources])
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with db.write() as conn:
        client_ids = Client.__table__.c.client_id
        validator = _Validator(today, lambda: set(conn.scalars(select(client_ids))))
        for src in sources:
            on_line = on_file(src.report, src.csv.lines) if on_file else None
            good, bad, messages = validator.rows(src, on_line)
            src.report.rows = len(good) + len(bad)
            src.report.rejected = len(bad)
            result.errors += messages
            if validator.broken or (result.errors and not skip_invalid):
                continue  # keep validating to report everything, but write nothing
            if bad:
                src.report.rejects_path = csvfile.write_rejects(src.csv, bad)
            _write(conn, src, good, now)
        if validator.broken or (result.errors and not skip_invalid):
            raise ImportRejected(result)  # leaving the block rolls the transaction back
    return result
