"""Everything PostgreSQL-only: the engine, how write transactions queue, how reads see one
snapshot. The counterpart of ``sqlite``; the rest of vipctl speaks portable SQLAlchemy.

SQLite lets one writer in at a time (BEGIN IMMEDIATE); a team's server lets many, and two imports
upserting the same clients at once would then fail on each other's keys. So every vipctl write
transaction first takes one transaction-level advisory lock: writers queue exactly as they do on
SQLite, readers never wait, and the lock goes with the commit or rollback, even a crashed one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, text
from sqlalchemy.engine import URL

from vipctl.errors import NOW, Busy, UserError
from vipctl.i18n import _

WRITE_LOCK = 0x76697063  # "vipc": the advisory lock key every vipctl writer takes
JOB_LOCKS = {"report": 0x76697064}  # one at a time per database, e.g. the cron report
# Reads see one snapshot from their first statement, as SQLite's read transactions do; writes
# read committed, so that a writer that waited for the lock sees what the one before it wrote.
READ_OPTIONS: dict[str, Any] = {"isolation_level": "REPEATABLE READ"}


def engine(url: URL, write_option: str) -> Engine:
    made = create_engine(url, hide_parameters=True, isolation_level="READ COMMITTED")

    @event.listens_for(made, "begin")
    def _begin(conn) -> None:  # type: ignore[no-untyped-def]
        wanted = conn.get_execution_options().get(write_option, False)
        if wanted == NOW:
            got = conn.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({WRITE_LOCK})")
            if not got.scalar():
                raise Busy
        elif wanted:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")

    return made


@contextmanager
def exclusive(engine: Engine, job: str) -> Iterator[None]:
    """Hold the session-level advisory lock of ``job`` while the block runs; fail at once if
    another process holds it. A dead process's lock goes with its connection."""
    with engine.connect() as conn:
        key = JOB_LOCKS[job]
        if not conn.scalar(text(f"SELECT pg_try_advisory_lock({key})")):
            said = _("another vipctl {job} is running on this database; try again later")
            raise UserError(said.format(job=job))
        conn.commit()  # the lock is the session's, not the transaction's
        try:
            yield
        finally:
            conn.execute(text(f"SELECT pg_advisory_unlock({key})"))
            conn.commit()


def analyze(conn: Connection, tables: list[str]) -> None:
    """Fresh planner statistics for tables a bulk load changed, inside its transaction.

    Autovacuum would gather them only later; until then the planner guesses, and one agent's
    morning list on a million-client book took 2.8 s instead of well under one.
    """
    for table in tables:
        conn.execute(text(f"ANALYZE {table}"))


def copy(conn: Connection, table: Table, names: list[str], rows: Iterable[tuple]) -> None:
    """Rows appended to ``table`` by COPY, inside ``conn``'s transaction: a few hundred thousand
    rows take seconds, not the minutes of as many INSERTs."""
    columns = ", ".join(f'"{name}"' for name in names)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copying:
        for row in rows:
            copying.write_row(row)


def rebuild(conn: Connection, table: Table) -> None:
    """Give ``table``'s columns the NULL rules its model now says: PostgreSQL changes them in
    place (``sqlite.rebuild`` is the counterpart)."""
    for column in table.c:
        if not column.primary_key:
            rule = "DROP NOT NULL" if column.nullable else "SET NOT NULL"
            conn.execute(text(f'ALTER TABLE "{table.name}" ALTER COLUMN "{column.name}" {rule}'))
