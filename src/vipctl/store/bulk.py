"""Upserting validated rows in bulk through SQLAlchemy Core.

The statements are SQLAlchemy's, compiled for whatever engine is connected; each value is converted
once, column by column, by the dialect's own bind processors, and the rows go to the driver's
executemany. That is what Core's executemany does too, minus building a parameter dict per row,
which was most of the time on a 300,000-row import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Dialect,
    Row,
    Select,
    Table,
    bindparam,
    literal,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.sql.dml import ValuesBase
from sqlalchemy.sql.expression import Executable
from sqlalchemy.types import NullType

CHUNK = 900  # keys per IN (...) lookup: under every engine's bound-parameter limit
_CONVERTED_LIMIT = 100_000  # distinct values remembered per column


def chunks(items: Sequence[str], size: int = CHUNK) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def rows_in(
    conn: Connection, query: Select, column: ColumnElement, keys: Collection[Any] | None
) -> Iterator[Row]:
    """``query``'s rows whose ``column`` is one of ``keys`` (all rows when None), asked for a
    chunk of keys at a time."""
    if keys is None:
        yield from conn.execute(query)
        return
    for chunk in chunks(list(keys)):
        yield from conn.execute(query.where(column.in_(chunk)))


def is_empty(conn: Connection, table: Table) -> bool:
    return conn.execute(select(*table.primary_key.columns).limit(1)).first() is None


def _literal(column: Column, value: Any, dialect: Dialect) -> ColumnElement:
    """``value`` spelled out in the statement the way ``dialect`` writes such a literal."""
    sql = literal(value, column.type).compile(
        dialect=dialect, compile_kwargs={"literal_binds": True}
    )
    return literal_column(str(sql), column.type)


def processor(column: Column, dialect: Dialect) -> Callable[[Any], Any] | None:
    """The dialect's own conversion of a Python value to what its driver takes, if any."""
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def reader(column: Column, dialect: Dialect) -> Callable[[Any], Any] | None:
    """The dialect's own conversion of what its driver returns to a Python value, if any."""
    return column.type.dialect_impl(dialect).result_processor(dialect, None)


def raw(column: ColumnElement) -> ColumnElement:
    """The value as the driver gives it: compared and written back without conversions."""
    return type_coerce(column, NullType())


def _dialect_insert(dialect: Dialect) -> Callable[[Table], Any]:
    """The dialect's INSERT, which knows ON CONFLICT."""
    if dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def write(conn: Connection, statement: ValuesBase, names: list[str], rows: list[tuple]) -> None:
    """Rows of driver-ready values for ``names``; a name that is not a column is a WHERE param."""
    columns = {n for n in names if n in statement.table.c}
    statement = statement.values({n: bindparam(n) for n in columns})
    Statement(conn, statement, names).executemany(rows)


def append(conn: Connection, table: Table, names: list[str], rows: list[tuple]) -> None:
    """New rows of plain Python values added to ``table``: by COPY on PostgreSQL, where as many
    INSERTs of a whole book's derived rows took minutes."""
    if conn.dialect.name == "postgresql":
        from vipctl.store import postgres

        postgres.copy(conn, table, names, rows)
    else:
        write(conn, table.insert(), names, rows)


def loaded(conn: Connection, tables: list[str]) -> None:
    """After a bulk load into ``tables``: what the engine needs to plan queries on them well.
    SQLite plans by its indexes alone; PostgreSQL wants fresh statistics."""
    if conn.dialect.name == "postgresql":
        from vipctl.store import postgres

        postgres.analyze(conn, tables)


class Converter:
    """Python values to what the driver takes, column by column, by the dialect's own bind
    processors; apart from a connection, so the reading side of an import can do it."""

    def __init__(self, table: Table, names: Sequence[str], dialect: Dialect) -> None:
        processors = [processor(table.c[name], dialect) for name in names]
        self._convert = [(i, proc) for i, proc in enumerate(processors) if proc]
        self._converted: dict[int, dict] = {}

    def native(self, columns: list[list]) -> list[list]:
        columns = list(columns)
        for i, proc in self._convert:
            # Dates and amounts repeat: convert each distinct value once per import.
            done = self._converted.setdefault(i, {None: None})
            if len(done) > _CONVERTED_LIMIT:
                done.clear()
            for value in set(columns[i]).difference(done):
                done[value] = proc(value)
            columns[i] = list(map(done.__getitem__, columns[i]))
        return columns


class Upsert:
    """Insert new keys, update changed rows, leave identical ones alone: re-import is a no-op.

    Stored rows are read first, to leave identical ones alone and to count what changed; what
    is written goes through the dialect's INSERT … ON CONFLICT DO UPDATE.

    ``names`` are the columns being set, key first; columns not named keep their stored values.
    ``keep``: by key, the columns whose stored value stands whatever the rows say (edits made
    after the rows were exported); ``kept`` counts the values that differed.
    """

    def __init__(
        self,
        conn: Connection,
        table: Table,
        names: Sequence[str],
        now: dt.datetime,
        keep: Mapping[object, Collection[str]] | None = None,
    ) -> None:
        self.conn = conn
        self._keep = {
            key: [i for i, n in enumerate(names) if n in fields]
            for key, fields in (keep or {}).items()
        }
        self.kept = 0
        dialect = conn.dialect
        key = table.c[names[0]]
        # The import's one timestamp is written into the statements: binding it on every row
        # would cost as much as a column of data.
        stamp = _literal(table.c.updated_at, now, dialect)
        # New and changed rows go in one statement, the dialect's own INSERT … ON CONFLICT
        # (SQLite and PostgreSQL spell it alike): an update keeps the row's created_at.
        insert = _dialect_insert(dialect)(table).values(
            {n: bindparam(f"p_{n}") for n in names} | {"created_at": stamp, "updated_at": stamp}
        )
        changed = {n: insert.excluded[n] for n in names[1:]} | {"updated_at": stamp}
        self._write = Statement(
            conn,
            insert.on_conflict_do_update(index_elements=[key], set_=changed),
            [f"p_{n}" for n in names],
        )
        # Stored values exactly as the driver returns them, to compare with converted rows.
        self._lookup = select(*(type_coerce(table.c[n], NullType()) for n in names))
        self._key = key
        self._empty = is_empty(conn, table)
        # Into an empty table on PostgreSQL the rows go by COPY, as the derived rows do: the
        # first import of a book is most of what a team's server is ever written.
        self._copy = None
        if self._empty and dialect.name == "postgresql":
            self._copy = (table, [*names, "created_at", "updated_at"], now)
        self.touched: list = []  # keys inserted or updated, in the driver's form
        # The stored rows that updates replaced, the first CHUNK + 1 of them: whom a few changed
        # rows concerned before (a policy's former client). Past that, "many" is all one needs.
        self.replaced: list[tuple] = []

    def _existing(self, keys: list[str]) -> dict[str, tuple]:
        if self._empty:  # nothing stored before this import, and keys are unique within it
            return {}
        return {row[0]: tuple(row) for row in rows_in(self.conn, self._lookup, self._key, keys)}

    def write(self, columns: list[list]) -> tuple[int, int, int]:
        """Write one batch given as a list of driver values per column (``Converter``'s output);
        returns (inserted, updated, unchanged)."""
        if not columns or not columns[0]:
            return 0, 0, 0
        count = len(columns[0])
        existing = self._existing(columns[0])
        if self._copy is not None:
            table, names, now = self._copy
            append(
                self.conn, table, names, [(*row, now, now) for row in zip(*columns, strict=True)]
            )
            self.touched.extend(columns[0])
            return count, 0, 0
        if not existing:
            self._write.executemany(list(zip(*columns, strict=True)))
            self.touched.extend(columns[0])
            return count, 0, 0
        written: list[tuple] = []
        updated = 0
        for row in zip(*columns, strict=True):
            before = existing.get(row[0])
            if before is not None and row[0] in self._keep:
                row = self._kept(row, before)
            if before is None:
                written.append(row)
            elif before != row:
                written.append(row)
                updated += 1
                if len(self.replaced) <= CHUNK:
                    self.replaced.append(before)
        self._write.executemany(written)
        self.touched.extend(row[0] for row in written)
        return len(written) - updated, updated, count - len(written)

    def _kept(self, row: tuple, before: tuple) -> tuple:
        kept = self._keep[row[0]]
        self.kept += sum(row[i] != before[i] for i in kept)
        return tuple(before[i] if i in kept else value for i, value in enumerate(row))


class Statement:
    """A compiled Core statement fed rows of driver-ready values, one per bind parameter named
    in ``params``, in that order."""

    def __init__(self, conn: Connection, statement: Executable, params: list[str]) -> None:
        self.conn = conn
        compiled = statement.compile(dialect=conn.dialect)
        self.sql = str(compiled)
        if compiled.positional:
            order = [params.index(p) for p in compiled.positiontup or ()]
            self._shape = None if order == list(range(len(params))) else itemgetter(*order)
            self._named = None
        else:
            self._shape = None
            self._named = params

    def executemany(self, rows: list[tuple]) -> None:
        if not rows:
            return
        if self._named is not None:
            params: list = [dict(zip(self._named, row, strict=True)) for row in rows]
        elif self._shape is not None:
            params = [self._shape(row) for row in rows]
        else:
            params = rows
        self.conn.exec_driver_sql(self.sql, params)
