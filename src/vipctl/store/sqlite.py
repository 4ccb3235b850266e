"""Everything SQLite-only lives here: the owner-only file, pragmas, how transactions begin, and
copying and checking the file.

The rest of vipctl speaks portable SQLAlchemy; ``postgres`` is this module's counterpart for a
team's server.
"""

from __future__ import annotations

import os
import sqlite3
import warnings
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Table,
    create_engine,
    event,
    insert,
    select,
    text,
)
from sqlalchemy.exc import OperationalError, SAWarning
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

from vipctl.errors import NOW, Busy
from vipctl.i18n import _

# SQLite keeps NUMERIC(16,2) amounts as REAL; two decimals survive the round trip exactly, and
# PostgreSQL will store them as true decimals, so the dialect's general warning is noise here.
warnings.filterwarnings("ignore", r".*does \*not\* support Decimal objects", SAWarning)

BUSY_TIMEOUT_MS = 30_000  # a person and the cron report may touch the file at the same moment
READ_OPTIONS: dict[str, Any] = {}  # a read transaction is a snapshot already


def create_private_file(path: Path) -> None:
    """Create an empty database file readable by its owner only, before SQLite opens it.

    SQLite would create the file with the umask's mode; making it ourselves (O_EXCL, 0600) leaves
    no moment when another user could read it. SQLite gives its -wal and -shm files the same mode.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def read_only(path: Path) -> str | None:
    """Why the database at ``path`` can only be read here, or None when it can be written: a
    file, or a directory, this user may not write (a share, a read-only mount, a backup kept
    read-only). SQLite keeps its -wal and -shm files beside the database, so the directory
    counts as much as the file."""
    if not path.exists():
        return None
    if not os.access(path, os.W_OK):
        return _("the file {path} is read-only").format(path=path)
    if not os.access(path.parent, os.W_OK) or _mounted_read_only(path.parent):
        return _("its directory {path} is read-only").format(path=path.parent)
    return None


def _mounted_read_only(directory: Path) -> bool:
    """os.access says yes to root on a read-only mount; the mount itself says no."""
    try:
        return bool(os.statvfs(directory).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs (Windows)
        return False


def engine(path: Path, write_option: str, *, writable: bool = True) -> Engine:
    """The engine on the file ``path``; transactions run with ``write_option`` set take the
    write lock when they begin. Not ``writable``: opened read-only and immutable, as SQLite
    must open a database whose directory it cannot create its -wal and -shm files in (it then
    reads the file as it is, so a writer elsewhere at the same moment is not seen)."""
    # hide_parameters: an error message must never echo a client's row into a terminal or log.
    if writable:
        made = create_engine(f"sqlite:///{path}", hide_parameters=True)
    else:
        uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
        made = create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
            hide_parameters=True,
        )
    _configure(made, write_option, writable)
    return made


def _configure(engine: Engine, write_option: str, writable: bool) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the sqlite3 module, decide when a transaction begins (see below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if writable:  # both write to the file
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
        immediate = conn.get_execution_options().get(write_option, False)
        if immediate == NOW:  # the write lock now, or not at all
            conn.exec_driver_sql("PRAGMA busy_timeout = 0")
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except OperationalError:
                raise Busy from None
            finally:
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            return
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Unindexed(ColumnElement):
    """A column that SQLite must not read through its index: ``GROUP BY`` it groups a scan of
    the table instead of walking the index and looking every row up. Over the agenda's 330,000
    occasion rows, of which a fifth are shown on a day, the scan and its sort of the groups
    took 0.22 s where the walk took 0.28 s. The unary plus is SQLite's documented way to keep
    an index out of a term; other engines plan this themselves and get the column as it is."""

    inherit_cache = True
    _traverse_internals: ClassVar = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: ColumnElement) -> None:
        self.column = column
        self.type = column.type


@compiles(Unindexed)
def _column(element: Unindexed, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column, **kw)


@compiles(Unindexed, "sqlite")
def _unindexed(element: Unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + compiler.process(element.column, **kw)


def rebuild(conn: Connection, table: Table) -> None:
    """Make ``table`` as its model now says, keeping its rows (SQLite's documented way to change
    a column's constraints, which ALTER TABLE cannot): a new table, the rows copied, the old one
    dropped. Inside the caller's transaction; the columns are the same, only their rules move."""
    old = f"{table.name}_before_rebuild"
    for index in table.indexes:  # index names are the database's: free them for the new table
        conn.execute(text(f'DROP INDEX IF EXISTS "{index.name}"'))
    conn.execute(text(f'ALTER TABLE "{table.name}" RENAME TO "{old}"'))
    table.create(conn)
    columns = [c.name for c in table.c]
    source = select(*(text(f'"{name}"') for name in columns)).select_from(text(f'"{old}"'))
    conn.execute(insert(table).from_select(columns, source))
    conn.execute(text(f'DROP TABLE "{old}"'))


def copy(source: Any, target: Path) -> None:
    """Copy the database behind the sqlite3 connection ``source`` into a new private file.

    SQLite's online backup API reads a consistent snapshot page by page, so the copy is right
    even while another process writes; inside a read transaction the copy is what that
    transaction sees, but ``source`` must not hold a write transaction (SQLite would wait on it
    for ever). The copy is a single self-contained file (no -wal beside it).
    """
    create_private_file(target)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")
    except BaseException:
        dest.close()
        target.unlink(missing_ok=True)
        raise
    dest.close()


NotADatabase = sqlite3.DatabaseError
Error = sqlite3.Error  # what the sqlite3 module raises: a full disk, a damaged file, …


def copy_file(source: Path, target: Path) -> None:
    """Copy the database file ``source``, opened read-only so a backup is never changed."""
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        copy(src, target)
    finally:
        src.close()


def overwrite(source: Path, target: Any) -> None:
    """Replace the database behind the sqlite3 connection ``target`` by the file ``source``.

    Through the backup API, not a rename: processes that have the database open see the new
    content at their next transaction instead of a deleted file with a stale -wal beside it.
    """
    src = sqlite3.connect(source)
    try:
        src.backup(target)
    finally:
        src.close()


def damage(dbapi_connection: Any) -> list[str]:
    """What SQLite itself finds wrong with the file: broken pages or indexes, dangling keys."""
    try:
        found = [row[0] for row in dbapi_connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:  # too broken to even list what is wrong
        return [_("the file is damaged: {why}").format(why=exc)]
    problems = [] if found == ["ok"] else found
    for table, rowid, parent, _fkid in dbapi_connection.execute("PRAGMA foreign_key_check"):
        said = _("{table} row {row} refers to a missing {parent}")
        problems.append(said.format(table=table, row=rowid, parent=parent))
    return problems
