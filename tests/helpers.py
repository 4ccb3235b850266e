"""What tests share besides fixtures: running vipctl in-process, writing CSV files, reading a
book's rows back the same way on SQLite and PostgreSQL. Fixtures live in ``conftest.py``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import sqlite3
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

import pgserver
from vipctl.cli import app

DATA = Path(__file__).resolve().parent.parent / "data"


class Cli:
    """Runs vipctl in-process against one database: a tmp_path file, or a fresh schema of the
    test cluster when the test runs on PostgreSQL."""

    def __init__(self, db: Path | str) -> None:
        self.db = db
        self.engine = "postgresql" if isinstance(db, str) else "sqlite"
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict[str, str] | None = None):
        return self.runner.invoke(app, ["--db", str(self.db), *args], env=env)


_schemas = itertools.count(1)


def new_schema(cluster: pgserver.Cluster) -> str:
    """The URL of a new, empty schema on the test cluster: a database of the test's own."""
    schema = f"t{next(_schemas)}"
    admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    admin.dispose()
    return f"{cluster.url()}&options=-csearch_path%3D{schema}"


def run_json(cli, *args):
    """A command's JSON output (``-f json``), the command having succeeded."""
    result = cli(*args, "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def write_csv(
    path: Path,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> Path:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


CLIENT_HEADERS = ["client_id", "name", "gender", "birthday", "id_number", "phone"]
POLICY_HEADERS = [
    "policy_no", "client_id", "product", "category", "premium", "frequency", "effective_date",
    "payment_years", "status",
]  # fmt: skip
# A valid ID for a woman born 1985-03-05 and one for a man born 1980-01-31.
ID_F_19850305 = "110105198503051248"
ID_M_19800131 = "110105198001310019"


def _engine(db: Path | str):
    return create_engine(db if isinstance(db, str) else f"sqlite:///{db}")


def _plain(value: object) -> object:
    """A value as SQLite's driver gives it, whichever engine it came from: tests compare rows
    the same way on both."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def rows(db: Path | str, sql: str) -> list[tuple]:
    engine = _engine(db)
    try:
        with engine.connect() as conn:
            return [tuple(map(_plain, row)) for row in conn.exec_driver_sql(sql)]
    finally:
        engine.dispose()


def dump(db: Path | str) -> list[str]:
    """Every row of every table, as a fresh connection (after any recovery) sees it."""
    if isinstance(db, str):
        engine = _engine(db)
        try:
            with engine.connect() as conn:
                names = sorted(inspect(conn).get_table_names())
        finally:
            engine.dispose()
        return [f"{t}: {row!r}" for t in names for row in sorted(rows(db, f"SELECT * FROM {t}"))]
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def count(db: Path | str, table: str) -> int:
    return rows(db, f"SELECT count(*) FROM {table}")[0][0]


def execute(db: Path | str, sql: str) -> None:
    engine = _engine(db)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


def no_clients(db: Path | str) -> bool:
    """Nothing was imported: no database file, no tables yet, or no client rows."""
    if isinstance(db, Path) and not db.exists():
        return True
    engine = _engine(db)
    try:
        with engine.connect() as conn:
            if "client" not in inspect(conn).get_table_names():
                return True
    finally:
        engine.dispose()
    return count(db, "client") == 0


def tables(db: Path | str) -> dict[str, list[dict]]:
    """Every table's rows as dicts of plain values, ordered by the first column."""
    engine = _engine(db)
    try:
        with engine.connect() as conn:
            names = inspect(conn).get_table_names()
            return {
                name: [
                    {k: _plain(v) for k, v in row.items()}
                    for row in conn.exec_driver_sql(f"SELECT * FROM {name} ORDER BY 1").mappings()
                ]
                for name in names
            }
    finally:
        engine.dispose()


def drain(leader: int) -> bytes:
    """Everything a pseudo-terminal's other side writes until it closes."""
    import os

    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # Linux: EIO once the other side has closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


_SCREENS = """
import sys
from vipctl.cli import app
for args in {commands!r}:
    print({marker!r}, flush=True)
    try:
        app(args, prog_name="vipctl")
    except SystemExit:
        pass
    sys.stdout.flush()
"""
SCREEN_MARK = "=== next screen ==="


def screens(
    commands: Sequence[Sequence[str]], columns: int, env: dict[str, str] | None = None
) -> list[str]:
    """What a person sees of each command on a real pseudo-terminal ``columns`` wide, run one
    after another in one process (a process each would cost a second apiece)."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    code = _SCREENS.format(commands=[list(c) for c in commands], marker=SCREEN_MARK)
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={
            **{k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS")},
            "TERM": "xterm",
            **(env or {}),
        },
    )
    os.close(follower)
    said = drain(leader)
    proc.wait(timeout=120)
    os.close(leader)
    text = said.decode().replace("\r\n", "\n")
    return text.split(SCREEN_MARK + "\n")[1:]
