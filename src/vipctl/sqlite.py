"""Everything SQLite-only lives here: the owner-only file, pragmas and how transactions begin.

The rest of vipctl speaks portable SQLAlchemy, so this module is the one to give a PostgreSQL
counterpart when teams share a server.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from sqlalchemy import Engine, event
from sqlalchemy.exc import SAWarning

# SQLite keeps NUMERIC(16,2) amounts as REAL; two decimals survive the round trip exactly, and
# PostgreSQL will store them as true decimals, so the dialect's general warning is noise here.
warnings.filterwarnings("ignore", r".*does \*not\* support Decimal objects", SAWarning)

BUSY_TIMEOUT_MS = 30_000  # a person and the cron report may touch the file at the same moment
IMMEDIATE = "vipctl_immediate"  # execution option: take the write lock when the transaction begins


def create_private_file(path: Path) -> None:
    """Create an empty database file readable by its owner only, before SQLite opens it.

    SQLite would create the file with the umask's mode; making it ourselves (O_EXCL, 0600) leaves
    no moment when another user could read it. SQLite gives its -wal and -shm files the same mode.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def configure(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the sqlite3 module, decide when a transaction begins (see below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # 32 MB of page cache (the default is 2 MB) keeps the indexes of a large import in
        # memory; SQLite only takes what it uses.
        cursor.execute("PRAGMA cache_size = -32768")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:  # type: ignore[no-untyped-def]
        # A writer that starts deferred and upgrades later fails at once with "database is
        # locked" when another process wrote in between; BEGIN IMMEDIATE waits on the busy
        # timeout instead, so concurrent imports queue rather than fail.
        immediate = conn.get_execution_options().get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
