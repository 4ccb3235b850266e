"""What is PostgreSQL's own: writers queue on the advisory lock, readers never wait, backups are
pg_dump's, migrations run in one transaction. Every other test runs on both engines (conftest's
``engine`` fixture), a team working at once among them (test_team)."""

from __future__ import annotations

import subprocess
import threading
import time

import pytest
from sqlalchemy import create_engine, text

import pgserver
from helpers import DATA, Cli, count, dump, execute, new_schema, rows
from vipctl import store
from vipctl.store.postgres import WRITE_LOCK
from vipctl.store.schema import SCHEMA_VERSION
from vipctl.store.tables import metadata


@pytest.fixture
def pg(pg_cluster) -> Cli:
    return Cli(new_schema(pg_cluster))


VERSION = "SELECT value FROM vipctl_meta WHERE key = 'schema_version'"


def _imported(pg: Cli) -> Cli:
    result = pg("import", *map(str, DATA.glob("*.csv")), "--date", "2026-11-01")
    assert result.exit_code == 0, result.output
    return pg


def test_backup_and_restore_point_to_pg_dump(pg, tmp_path):
    _imported(pg)
    for command in (("backup", str(tmp_path / "b.db")), ("restore", str(tmp_path / "b.db"))):
        result = pg(*command)
        assert result.exit_code == 1
        assert result.stderr.startswith("vipctl: not on PostgreSQL: back up with pg_dump")
    checked = pg("check")
    assert checked.exit_code == 0 and "no problems found" in checked.stdout


def test_a_writer_waits_for_the_one_before_it(pg, tmp_path):
    _imported(pg)
    holder = create_engine(pg.db).connect()
    holder.execute(text(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})"))  # a writer mid-way
    release = threading.Timer(0.5, holder.commit)
    release.start()
    try:
        started = time.monotonic()
        result = pg("log", "C000001", "--channel", "phone", "--date", "2026-11-24")
        waited = time.monotonic() - started
    finally:
        release.join()
        holder.close()
    assert result.exit_code == 0, result.output
    assert waited >= 0.4


def test_a_reader_does_not_wait_for_a_writer(pg):
    _imported(pg)
    holder = create_engine(pg.db).connect()
    holder.execute(text(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})"))
    holder.execute(text("UPDATE client SET name = 'x' WHERE client_id = 'C000001'"))
    try:
        started = time.monotonic()
        result = pg("show", "C000001", "-f", "json")
        waited = time.monotonic() - started
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 0 and '"name": "x"' not in result.stdout
    assert waited < 5


def test_an_older_schema_is_upgraded_in_one_transaction(pg):
    """Schema 1 had clients, policies and the meta table: built here by taking today's schema
    apart, then opened by vipctl, which runs every step."""
    _imported(pg)
    later = ("client_tier", "tier_history", "premium_due", "payment", "agent_departure",
             "contact", "done_mark", "snooze", "report_run", "agenda_entry", "agenda_snapshot",
             "agenda_touch", "follow_up", "client_date", "card_change", "undo_step",
             "gift", "service_request", "campaign_member", "campaign")  # fmt: skip
    engine = create_engine(pg.db)
    with engine.begin() as conn:
        for name in later:
            metadata.tables[name].drop(conn)
        for index in metadata.tables["policy"].indexes:
            if index.name != "ix_policy_client_id":
                index.drop(conn)
        conn.execute(text("UPDATE vipctl_meta SET value = '1' WHERE key = 'schema_version'"))
    engine.dispose()
    listed = pg("clients", "-f", "json")
    assert listed.exit_code == 0, listed.output
    assert listed.stderr.startswith("vipctl: upgraded postgresql+psycopg://vipctl@/postgres")
    assert f"from schema 1 to {SCHEMA_VERSION}" in listed.stderr
    assert "kept as" not in listed.stderr  # no file to copy: the server's own backups apply
    assert rows(pg.db, VERSION) == [(str(SCHEMA_VERSION),)]
    assert 200 < count(pg.db, "premium_due") < 400  # worked out from the stored policies
    assert pg("tier", "--recompute", "--date", "2026-11-24").exit_code == 0
    assert count(pg.db, "client_tier") == 200


def test_schema_6_is_upgraded_in_place_on_the_server(pg):
    """Schema 6 had no value premium and a tier for every assessed client: made here from
    today's tables, then opened by vipctl, which loosens the tier in place (ALTER COLUMN)."""
    _imported(pg)
    execute(pg.db, "UPDATE client_tier SET tier = 'A' WHERE tier IS NULL")
    execute(pg.db, "ALTER TABLE client_tier DROP COLUMN value_premium")
    execute(pg.db, "ALTER TABLE client_tier ALTER COLUMN tier SET NOT NULL")
    execute(pg.db, "DROP TABLE follow_up, client_date, card_change, undo_step, gift")
    execute(pg.db, "DROP TABLE service_request, campaign_member, campaign")
    execute(pg.db, "ALTER TABLE policy DROP COLUMN participating")
    execute(pg.db, "ALTER TABLE contact DROP COLUMN outcome")
    execute(pg.db, "ALTER TABLE agent_departure DROP COLUMN kept")
    execute(pg.db, "UPDATE vipctl_meta SET value = '6' WHERE key = 'schema_version'")
    listed = pg("clients", "-f", "json")
    assert listed.exit_code == 0, listed.output
    assert "from schema 6 to" in listed.stderr
    columns = dict(
        rows(
            pg.db,
            "SELECT column_name, is_nullable FROM information_schema.columns WHERE table_name ="
            " 'client_tier' AND table_schema = current_schema()"
            " AND column_name IN ('tier', 'value_premium')",
        )
    )
    assert columns == {"tier": "YES", "value_premium": "NO"}
    assert rows(pg.db, "SELECT count(*) FROM client_tier WHERE value_premium IS NULL") == [(0,)]
    assert pg("tier", "--recompute", "--date", "2026-11-01").exit_code == 0


def test_a_failing_upgrade_leaves_the_old_schema(pg, monkeypatch):
    _imported(pg)
    execute(pg.db, "DROP TABLE report_run")
    execute(pg.db, "UPDATE vipctl_meta SET value = '3' WHERE key = 'schema_version'")

    def broken(conn):
        conn.execute(text("CREATE TABLE report_run (x int)"))
        raise RuntimeError("step failed")

    monkeypatch.setitem(store.MIGRATIONS, 3, broken)
    assert isinstance(pg("clients").exception, RuntimeError)
    assert rows(pg.db, VERSION) == [("3",)]
    assert not rows(
        pg.db,
        "SELECT 1 FROM information_schema.tables WHERE table_name = 'report_run'"
        " AND table_schema = current_schema()",
    )


def test_a_pg_dump_backup_restores_with_pg_restore(pg, tmp_path):
    """The README's backup on a server, as written there: pg_dump -Fc, then pg_restore."""
    _imported(pg)
    assert pg("log", "C000001", "--channel", "phone", "--date", "2026-11-24").exit_code == 0
    before = dump(pg.db)
    plain = pg.db.replace("postgresql+psycopg://", "postgresql://")
    url, _, options = plain.partition("&options=-csearch_path%3D")
    dumped = tmp_path / "vipctl.dump"
    run = [pgserver._binary("pg_dump"), "-Fc", "-n", options, "-f", str(dumped), url]
    subprocess.run(run, check=True, capture_output=True)
    execute(pg.db, f"DROP SCHEMA {options} CASCADE")
    execute(pg.db, f"CREATE SCHEMA {options}")
    restore = [pgserver._binary("pg_restore"), "--clean", "--if-exists", "-d", url, str(dumped)]
    subprocess.run(restore, check=True, capture_output=True)
    assert dump(pg.db) == before
    assert pg("check").exit_code == 0
    generation = "SELECT value FROM vipctl_meta WHERE key = 'generation'"
    restored = int(rows(pg.db, generation)[0][0])
    assert pg("tier", "--recompute", "--date", "2026-11-24").exit_code == 0
    assert int(rows(pg.db, generation)[0][0]) > restored  # kept lists retired


def test_check_applies_vipctl_s_rules_on_the_server(pg):
    _imported(pg)
    execute(pg.db, "UPDATE client_tier SET tier = 'Z' WHERE client_id = 'C000001'")
    result = pg("check")
    assert result.exit_code == 1
    assert "problem: 1 clients have a tier other than A, B, C, D" in result.stderr


def test_the_plain_postgresql_url_as_psql_takes_it_works_too(pg):
    plain = Cli(pg.db.replace("postgresql+psycopg://", "postgresql://"))
    result = plain("import", *map(str, DATA.glob("*.csv")), "--date", "2026-11-01")
    assert result.exit_code == 0, result.output
    assert count(pg.db, "client") == 200


def test_a_first_import_copies_the_rows_and_a_second_upserts_them(pg, monkeypatch):
    """COPY into the empty tables; the same values as SQLite stores are checked by
    test_import's engine comparison."""
    from vipctl.store import postgres

    copied: list[str] = []
    copy = postgres.copy
    monkeypatch.setattr(
        postgres,
        "copy",
        lambda conn, table, *rest: copied.append(table.name) or copy(conn, table, *rest),
    )
    _imported(pg)
    assert {"client", "policy", "occasion"} <= set(copied)
    copied.clear()
    execute(pg.db, "UPDATE client SET name = 'x' WHERE client_id = 'C000001'")
    _imported(pg)
    assert {"client", "policy"}.isdisjoint(copied)  # the tables hold rows: upserted
    assert rows(pg.db, "SELECT name FROM client WHERE client_id = 'C000001'") != [("x",)]
