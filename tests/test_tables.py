"""The tables every command works through are the models' own, whether built or loaded from the
cache, and a command loads them without building the models."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlmodel import SQLModel

from vipctl.store import models, tables
from vipctl.store.schema import Stamp

DIALECTS = (sqlite.dialect(), postgresql.dialect())
SAMPLE = [Path(__file__).parents[1] / "data" / name for name in ("clients.csv", "policies.csv")]


def _described(metadata) -> dict[str, tuple]:
    """Each table as the database sees it (its DDL and its indexes' on both engines, the lines of
    each in any order: a table's foreign keys come in no fixed one), and what Core fills in that
    the DDL does not say (the Python-side defaults)."""
    found = {}
    for table in metadata.sorted_tables:
        made = [CreateTable(table), *(CreateIndex(ix) for ix in table.indexes)]
        ddl = sorted(line.strip(" ,") for d in DIALECTS for m in made for line in _lines(m, d))
        defaults = [(c.name, c.default.arg if c.default else None) for c in table.c]
        found[table.name] = (ddl, defaults)
    return found


def _lines(made, dialect) -> list[str]:
    return str(made.compile(dialect=dialect)).splitlines()


def test_the_tables_are_the_models_own():
    assert _described(tables.metadata) == _described(SQLModel.metadata)
    assert _described(tables.build()) == _described(SQLModel.metadata)
    for column in tables.metadata.tables["client"].c:
        assert type(column.type).__module__.split(".")[0] in {"sqlalchemy", "vipctl"}


def test_each_model_has_its_table_by_the_same_name():
    classes = {
        name: cls
        for name, cls in vars(models).items()
        if isinstance(cls, type) and issubclass(cls, SQLModel) and hasattr(cls, "__table__")
    }
    assert len(classes) == len(tables.metadata.tables)
    for name, cls in classes.items():
        assert getattr(tables, name) is tables.metadata.tables[cls.__tablename__]


SCRIPT = """
import pathlib, sys
import platformdirs
platformdirs.user_cache_path = lambda *args, **kwargs: pathlib.Path(sys.argv[1])
from vipctl.store import tables
print("built" if "sqlmodel" in sys.modules else "loaded", len(tables.metadata.tables))
"""


def _start(cache: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(cache)], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_built_once_then_loaded(tmp_path):
    cache = tmp_path / "cache"
    count = len(tables.metadata.tables)
    assert _start(cache) == f"built {count}"
    [kept] = cache.glob("tables-*.pickle")
    if os.name == "posix":
        assert cache.stat().st_mode & 0o777 == 0o700
        assert kept.stat().st_mode & 0o777 == 0o600
    assert _start(cache) == f"loaded {count}"


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_a_cache_others_may_write_is_not_loaded(tmp_path):
    cache = tmp_path / "cache"
    _start(cache)
    [kept] = cache.glob("tables-*.pickle")
    kept.chmod(0o666)
    assert _start(cache).startswith("built")


def test_a_torn_cache_is_built_again(tmp_path):
    cache = tmp_path / "cache"
    _start(cache)
    [kept] = cache.glob("tables-*.pickle")
    kept.write_bytes(kept.read_bytes()[:1000])
    assert _start(cache).startswith("built")
    assert _start(cache).startswith("loaded")


def test_a_cache_that_cannot_be_written_leaves_the_tables_built(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    assert _start(blocked / "cache").startswith("built")
    assert _start(blocked / "cache").startswith("built")


def test_a_command_does_not_build_the_models(tmp_path):
    """The point of the cache: sqlmodel, and the ORM it brings, cost a third of a second. The
    import makes a new database's schema without them too."""
    files = []
    for source in SAMPLE:
        files.append(tmp_path / source.name)
        shutil.copy(source, files[-1])
    script = (
        "import sys\n"
        "from vipctl.cli import main\n"
        "db, *files = sys.argv[1:]\n"
        "for command in (['import', *files, '--date', '2026-11-01'], ['today']):\n"
        "    sys.argv = ['vipctl', '--db', db, *command]\n"
        "    try:\n        main()\n    except SystemExit as exit:\n"
        "        assert not exit.code, command\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sqlmodel'"
        " or m == 'sqlalchemy.orm'))\n"
    )
    database = tmp_path / "vipctl.db"
    done = subprocess.run(
        [sys.executable, "-c", script, str(database), *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.splitlines()[-1] == "[]"


def test_stamps_are_kept_in_utc():
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        tables.Meta.create(conn)
        table = tables.UndoStep
        table.create(conn)
        shanghai = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
        conn.execute(table.insert().values(what="log", steps="{}", made_at=shanghai))
        stored = conn.scalar(select(table.c.made_at))
        assert stored == shanghai and stored.tzinfo == dt.UTC and stored.hour == 1
        with pytest.raises(Exception, match="needs its zone"):
            conn.execute(
                table.insert().values(what="log", steps="{}", made_at=dt.datetime(2026, 3, 1))
            )
    assert isinstance(table.c.made_at.type, Stamp)
