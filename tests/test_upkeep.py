"""Backups, restores, checks, and the copy kept before a schema upgrade."""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from helpers import dump
from vipctl import store
from vipctl.store.schema import SCHEMA_VERSION

V1 = Path(__file__).parent / "data" / "schema-v1.db"


def private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o600


def version(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        query = "SELECT value FROM vipctl_meta WHERE key = 'schema_version'"
        return conn.execute(query).fetchone()[0]
    finally:
        conn.close()


@pytest.mark.sqlite_only
def test_an_upgrade_keeps_the_old_file_first(cli):
    shutil.copy(V1, cli.db)
    result = cli("clients", "-f", "csv")
    assert result.exit_code == 0, result.output
    kept = list(cli.db.parent.glob("vipctl.db.schema-1.*.bak"))
    assert len(kept) == 1
    assert f"from schema 1 to {SCHEMA_VERSION}" in result.stderr
    assert str(kept[0]) in result.stderr
    assert private(kept[0])
    assert dump(kept[0]) == dump(V1)  # the book exactly as it was, still at schema 1
    assert version(cli.db) == str(SCHEMA_VERSION)
    # Opening it again upgrades nothing and keeps no second copy.
    assert cli("clients", "-f", "csv").stderr == ""
    assert len(list(cli.db.parent.glob("*.bak"))) == 1


@pytest.mark.sqlite_only
def test_a_failing_upgrade_changes_nothing(cli, monkeypatch):
    shutil.copy(V1, cli.db)
    before = dump(cli.db)

    def broken(conn):
        raise RuntimeError("step 3 went wrong")

    monkeypatch.setitem(store.MIGRATIONS, 3, broken)
    with pytest.raises(RuntimeError):
        store.Database(cli.db)
    assert dump(cli.db) == before  # steps 1 and 2 were rolled back with it
    assert version(cli.db) == "1"


@pytest.mark.sqlite_only
def test_backup_is_a_private_copy_even_while_someone_writes(book, tmp_path):
    target = tmp_path / "copy.db"
    before = dump(book.db)
    writer = sqlite3.connect(book.db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE client SET name = 'changed' WHERE client_id = 'C1'")
    try:
        result = book("backup", str(target))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result.exit_code == 0, result.output
    assert private(target)
    assert dump(target) == before  # the uncommitted change is not in it
    assert not list(tmp_path.glob(".copy.db*"))  # no temporary file left behind
    # Replacing an older backup is fine; backing up onto the database itself is refused.
    assert book("backup", str(target)).exit_code == 0
    refused = book("backup", str(book.db))
    assert refused.exit_code == 1
    assert "the database itself" in refused.stderr
    assert dump(book.db) == before


@pytest.mark.sqlite_only
def test_restore_brings_back_the_backup_and_keeps_what_it_replaces(book, tmp_path):
    target = tmp_path / "copy.db"
    assert book("backup", str(target)).exit_code == 0
    saved = dump(book.db)
    assert book("log", "C1", "--channel", "phone", "--date", "2026-11-02").exit_code == 0
    changed = dump(book.db)
    reader = sqlite3.connect(book.db)  # someone else has the database open meanwhile
    try:
        result = book("restore", str(target))
        assert result.exit_code == 0, result.output
        assert reader.execute("SELECT count(*) FROM contact").fetchone() == (0,)
    finally:
        reader.close()
    # The backup's rows, all of them; only the book's generation has moved past both books'
    # (tests/test_snapshots.py says why).
    assert _but_generation(dump(book.db)) == _but_generation(saved)
    assert _generation(dump(book.db)) > _generation(changed) > _generation(saved)
    kept = list(tmp_path.glob("vipctl.db.before-restore.*.bak"))
    assert len(kept) == 1 and str(kept[0]) in result.stdout
    assert private(kept[0])
    assert dump(kept[0]) == changed
    assert dump(target) == saved  # the backup itself is untouched


_GENERATION = """INSERT INTO "vipctl_meta" VALUES('generation','"""


def _but_generation(lines: list[str]) -> list[str]:
    return [line for line in lines if not line.startswith(_GENERATION)]


def _generation(lines: list[str]) -> int:
    (line,) = [line for line in lines if line.startswith(_GENERATION)]
    return int(line.removeprefix(_GENERATION).split("'")[0])


@pytest.mark.sqlite_only
def test_restore_of_an_older_backup_upgrades_the_copy_not_the_backup(cli, tmp_path):
    backup = tmp_path / "old.db"
    shutil.copy(V1, backup)
    result = cli("restore", str(backup))
    assert result.exit_code == 0, result.output
    assert version(cli.db) == str(SCHEMA_VERSION)
    assert dump(backup) == dump(V1)
    assert not list(tmp_path.glob("*.bak"))  # there was no database to keep
    assert len(json.loads(cli("clients", "-f", "json").stdout)) == 200


def _broken_rules(path: Path) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "UPDATE premium_due SET client_id = (SELECT min(client_id) FROM client"
            " WHERE client_id != premium_due.client_id)"
        )
    conn.close()


@pytest.mark.sqlite_only
@pytest.mark.parametrize("spoil", ["junk", "foreign", "newer", "rules"])
def test_restore_refuses_a_bad_backup_and_changes_nothing(book, tmp_path, spoil):
    backup = tmp_path / "bad.db"
    if spoil == "junk":
        backup.write_bytes(b"not a database at all\n" * 100)
        expected = "not a vipctl backup"
    elif spoil == "foreign":
        with sqlite3.connect(backup) as conn:
            conn.execute("CREATE TABLE things (x)")
        expected = "not a vipctl database"
    else:
        assert book("backup", str(backup)).exit_code == 0
        if spoil == "newer":
            with sqlite3.connect(backup) as conn:
                conn.execute("UPDATE vipctl_meta SET value = '999'")
            expected = "newer vipctl"
        else:
            _broken_rules(backup)
            expected = "unpaid premiums are filed under another client"
    before = dump(book.db)
    backup_before = backup.read_bytes()
    result = book("restore", str(backup))
    assert result.exit_code == 1
    assert expected in result.stderr
    assert "Traceback" not in result.output
    assert dump(book.db) == before
    assert backup.read_bytes() == backup_before
    assert not list(tmp_path.glob("*.bak")) and not list(tmp_path.glob(".*tmp*"))


def test_check_passes_a_sound_database(book):
    result = book("check")
    assert result.exit_code == 0, result.output
    assert "no problems found" in result.stdout


@pytest.mark.sqlite_only
def test_check_finds_broken_rules_and_dangling_keys(book):
    _broken_rules(book.db)
    conn = sqlite3.connect(book.db)
    with conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("UPDATE policy SET client_id = 'GONE' WHERE rowid = 1")
    conn.close()
    result = book("check")
    assert result.exit_code == 1
    assert "policy row 1 refers to a missing client" in result.stderr
    # SQLite's own findings come first; vipctl's rules are checked on a file that passes them.
    conn = sqlite3.connect(book.db)
    with conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute(
            "UPDATE policy SET client_id = (SELECT min(client_id) FROM client)"
            " WHERE client_id = 'GONE'"
        )
    conn.close()
    result = book("check")
    assert result.exit_code == 1
    assert "unpaid premiums are filed under another client" in result.stderr


@pytest.mark.sqlite_only
def test_check_finds_a_damaged_file(book):
    conn = sqlite3.connect(book.db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'ix_policy_client_id'"
    ).fetchone()[0]
    conn.close()
    with book.db.open("r+b") as f:  # scribble over an index page's cells (at its end)
        f.seek(root * page - 300)
        f.write(b"\xff" * 300)
    result = book("check")
    assert result.exit_code == 1
    assert "problem:" in result.stderr
    assert "Traceback" not in result.output
