import json
import os
import shutil
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest

from helpers import DATA, execute
from vipctl import store
from vipctl.cli import app
from vipctl.store.schema import SCHEMA_VERSION
from vipctl.store.tables import metadata


def test_default_database_lives_in_the_user_data_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("VIPCTL_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    path = store.resolve(None)
    assert path.name == "vipctl.db" and "vipctl" in path.parent.name
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["import", str(DATA / "clients.csv")])
    assert result.exit_code == 0, result.output
    assert path.exists()
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_env_var_then_option(tmp_path, monkeypatch):
    monkeypatch.setenv("VIPCTL_DB", str(tmp_path / "env.db"))
    assert store.resolve(None) == tmp_path / "env.db"
    assert store.resolve(str(tmp_path / "opt.db")) == tmp_path / "opt.db"


@pytest.mark.sqlite_only
def test_wal_journal_and_busy_timeout(cli, clients_csv):
    assert cli("import", str(clients_csv)).exit_code == 0
    with sqlite3.connect(cli.db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute(
            "SELECT value FROM vipctl_meta WHERE key='schema_version'"
        ).fetchone() == (str(SCHEMA_VERSION),)
    db = store.Database(cli.db)
    with db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    db.close()


@pytest.mark.sqlite_only
def test_a_second_import_waits_for_the_first(cli, clients_csv):
    """A writer holding the lock makes the next import wait (busy timeout), not fail."""
    assert cli("import", str(clients_csv)).exit_code == 0
    holder = sqlite3.connect(cli.db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, lambda: holder.execute("COMMIT"))
    release.start()
    try:
        result = cli("import", str(DATA / "clients.csv"))
    finally:
        release.join()
        holder.close()
    assert result.exit_code == 0, result.output


def test_unknown_schema_version(cli, clients_csv):
    assert cli("import", str(clients_csv)).exit_code == 0
    execute(cli.db, "UPDATE vipctl_meta SET value='banana' WHERE key='schema_version'")
    result = cli("clients")
    assert result.exit_code == 1 and "unknown schema version 'banana'" in result.stderr
    assert not os.environ.get("VIPCTL_DB")


def indexes(db) -> set[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL")
        return {name for (name,) in rows}


@pytest.mark.sqlite_only
def test_indexes_survive_first_imports_good_and_bad(cli, clients_csv, tmp_path):
    """A first import builds the indexes after loading; a failed one leaves them as they were."""
    expected = {ix.name for table in metadata.tables.values() for ix in table.indexes}
    assert "ix_policy_client_id" in expected and "ix_premium_due_due_date" in expected
    bad = tmp_path / "bad.csv"
    bad.write_text("client_id,name,birthday\nC1,x,never\n", encoding="utf-8")
    assert cli("import", str(bad)).exit_code == 1
    assert indexes(cli.db) == expected
    assert cli("import", str(clients_csv)).exit_code == 0
    assert indexes(cli.db) == expected
    with sqlite3.connect(cli.db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.sqlite_only
def test_reading_does_not_wait_for_a_writer(cli, clients_csv):
    assert cli("import", str(clients_csv)).exit_code == 0
    holder = sqlite3.connect(cli.db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        result = cli("clients", "-f", "json")
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 0, result.output
    assert waited < 5  # the busy timeout is 30 s: a reader that waited would show it


@pytest.mark.sqlite_only
def test_a_version_1_database_is_upgraded_in_place(cli):
    """tests/data/schema-v1.db was written by the vipctl of schema 1 from the sample data."""
    shutil.copy(Path(__file__).parent / "data" / "schema-v1.db", cli.db)
    listed = cli("clients", "-f", "json")
    assert listed.exit_code == 0, listed.output
    assert len(json.loads(listed.stdout)) == 200
    with sqlite3.connect(cli.db) as conn:
        version = conn.execute("SELECT value FROM vipctl_meta WHERE key='schema_version'")
        assert version.fetchone() == (str(SCHEMA_VERSION),)
        assert conn.execute("SELECT count(*) FROM client_tier").fetchone() == (0,)
        # The agenda's facts are worked out from the stored rows, as of their last import.
        dues = conn.execute("SELECT count(*) FROM premium_due").fetchone()[0]
        assert 200 < dues < 400
        assert conn.execute("SELECT count(*) FROM agent_departure").fetchone()[0] > 0
    # Nothing assessed yet, and the listing says how to fix that.
    assert "200 clients not assessed yet" in cli("tier", "--date", "2026-11-24").stdout
    recomputed = cli("tier", "--recompute", "--date", "2026-11-24", "-f", "json")
    assert recomputed.exit_code == 0, recomputed.output
    assert sum(json.loads(recomputed.stdout)["counts"].values()) == 200


@pytest.mark.sqlite_only
def test_a_version_2_database_gets_the_agenda_tables(cli):
    """tests/data/schema-v2.db was written by the vipctl of schema 2 (tiers, no agenda) from the
    sample data, on 2026-11-24: its clients' cadence counts from that first import."""
    shutil.copy(Path(__file__).parent / "data" / "schema-v2.db", cli.db)
    entries = cli("today", "--date", "2026-12-09", "-f", "json")
    assert entries.exit_code == 0, entries.output
    with sqlite3.connect(cli.db) as conn:
        version = conn.execute("SELECT value FROM vipctl_meta WHERE key='schema_version'")
        assert version.fetchone() == (str(SCHEMA_VERSION),)
        seen = conn.execute("SELECT DISTINCT first_seen FROM client_tier").fetchall()
        assert seen == [("2026-11-24",)]
        assert conn.execute("SELECT count(*) FROM premium_due").fetchone()[0] > 200
    overdue = {
        e["client_id"]
        for e in json.loads(entries.stdout)
        for i in e["items"]
        if i["kind"] == "contact_overdue"
    }
    tiers = {c["client_id"]: c["tier"] for c in json.loads(cli("clients", "-f", "json").stdout)}
    assert overdue == {c for c, t in tiers.items() if t == "D"}  # 14 days: only tier D so far


@pytest.mark.sqlite_only
def test_a_version_3_database_gets_the_report_runs(cli):
    """tests/data/schema-v3.db was written by the vipctl of schema 3 (the agenda, no report)
    from the sample data, imported on 2026-11-24 with one contact logged that day."""
    shutil.copy(Path(__file__).parent / "data" / "schema-v3.db", cli.db)
    made = cli("report", "--date", "2026-11-25", "-f", "json")
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["yesterday"]["contacts"] == {"phone": 1}
    with sqlite3.connect(cli.db) as conn:
        version = conn.execute("SELECT value FROM vipctl_meta WHERE key='schema_version'")
        assert version.fetchone() == (str(SCHEMA_VERSION),)
        assert conn.execute("SELECT report_date FROM report_run").fetchall() == [("2026-11-25",)]
        # Schema 5 works out each assessed client's premium share of their income.
        shares = conn.execute(
            "SELECT t.premium_share, t.annual_premium * 100.0 / c.annual_income FROM client_tier t"
            " JOIN client c ON c.client_id = t.client_id WHERE c.annual_income > 0"
        ).fetchall()
        assert len(shares) > 100 and all(got == want for got, want in shares)


@pytest.mark.sqlite_only
def test_a_version_6_database_is_assessed_and_owed_by_todays_rules(cli):
    """tests/data/schema-v6.db was written by the vipctl of schema 6 on 2026-11-24: C2 has no
    indicator (then tier A with a mark), C3's P2 was paid up in 2015 yet stored as owing
    2026-10-01 (status grace), C2's P3 is a ¥3,000,000 single premium that counted nothing."""
    shutil.copy(Path(__file__).parent / "data" / "schema-v6.db", cli.db)
    card = cli("show", "C3", "-f", "json")
    assert card.exit_code == 0, card.output
    assert "from schema 6 to" in card.stderr and "run 'vipctl tier --recompute' once" in card.stderr
    assert json.loads(card.stdout)["policies"][0]["next_due_date"] is None  # paid up
    assert json.loads(cli("show", "C2", "-f", "json").stdout)["tier"] is None
    with sqlite3.connect(cli.db) as conn:
        nullable = {row[1]: not row[3] for row in conn.execute("PRAGMA table_info(client_tier)")}
        assert nullable["tier"] and not nullable["value_premium"]
        indexes = {row[1] for row in conn.execute("PRAGMA index_list(client_tier)")}
        assert {"ix_client_tier_counts", "ix_client_tier_segment"} <= indexes
    assert cli("tier", "--recompute", "--date", "2026-11-24").exit_code == 0
    listed = json.loads(cli("clients", "-f", "json").stdout)
    # ¥300,000 a year of the single premium makes C2 key; C3's paid-up policy counts nothing.
    assert {c["client_id"]: c["segment"] for c in listed} == {
        "C1": "maintain",
        "C2": "key",
        "C3": "maintain",
    }
    assert cli("check").exit_code == 0


@pytest.mark.sqlite_only
def test_a_version_7_database_gets_outcomes_follow_ups_and_dates(cli):
    """tests/data/schema-v7.db was written by the vipctl of schema 7 from the sample data, with
    a call, an SMS and a visit logged on 2026-11-20: each takes the outcome its channel implies,
    so the call and the visit still settle callbacks and the SMS does not."""
    shutil.copy(Path(__file__).parent / "data" / "schema-v7.db", cli.db)
    history = cli("history", "C000184", "-f", "json")
    assert history.exit_code == 0, history.output
    assert [h["outcome"] for h in json.loads(history.stdout)["contacts"]] == ["reached"]
    with sqlite3.connect(cli.db) as conn:
        outcomes = conn.execute("SELECT channel, outcome FROM contact ORDER BY id").fetchall()
        assert outcomes == [("phone", "reached"), ("sms", "sent"), ("visit", "visited")]
        assert conn.execute("SELECT count(*) FROM follow_up").fetchone() == (0,)
    assert (
        cli("remind", "C000184", "--on", "2026-11-30", "x", "--date", "2026-11-24").exit_code == 0
    )
    assert cli("dates", "add", "C000184", "--kind", "custom", "--on", "2020-01-01",
               "--label", "x").exit_code == 0  # fmt: skip


@pytest.mark.sqlite_only
def test_a_version_8_database_gets_service_requests_and_campaigns(cli):
    """tests/data/schema-v8.db was written by the vipctl of schema 8 from the sample data (as it
    was before its participating column), with a call, a follow-up and a gift for C000184: they
    stay, policies say nothing of being participating, and the new commands work on it."""
    shutil.copy(Path(__file__).parent / "data" / "schema-v8.db", cli.db)
    history = cli("history", "C000184", "-f", "json")
    assert history.exit_code == 0, history.output
    assert [g["item"] for g in json.loads(history.stdout)["gifts"]] == ["茶叶"]
    with sqlite3.connect(cli.db) as conn:
        assert conn.execute(
            "SELECT count(*) FROM policy WHERE participating IS NULL"
        ).fetchone() == (400,)
        assert conn.execute("SELECT count(*) FROM service_request").fetchone() == (0,)
    opened = cli("service", "open", "C000184", "--type", "claim", "--date", "2026-11-24")
    assert opened.exit_code == 0, opened.output
    made = cli("campaign", "new", "news", "--kind", "news", "--date", "2026-11-24")
    assert made.exit_code == 0 and "200 to reach" in made.stdout
    assert cli("check").exit_code == 0


@pytest.mark.sqlite_only
def test_a_version_10_database_counts_its_tiers_from_an_index(cli):
    """tests/data/schema-v10.db was written by the vipctl of schema 10 from the sample data: the
    index on the tier alone gives way to the one the counts read, and the counts stay."""
    shutil.copy(Path(__file__).parent / "data" / "schema-v10.db", cli.db)
    counted = cli("tier", "--date", "2026-11-24", "-f", "json")
    assert counted.exit_code == 0, counted.output
    assert json.loads(counted.stdout)["counts"] == {"A": 70, "B": 68, "C": 53, "D": 9}
    with sqlite3.connect(cli.db) as conn:
        indexes = {row[1] for row in conn.execute("PRAGMA index_list(client_tier)")}
        assert "ix_client_tier_counts" in indexes and "ix_client_tier_tier" not in indexes
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT tier, segment, count(*) FROM client_tier "
            "WHERE missing != '' GROUP BY tier, segment"
        ).fetchall()
        assert "COVERING INDEX ix_client_tier_counts" in plan[-1][-1]
    assert cli("check").exit_code == 0


@pytest.mark.sqlite_only
def test_a_version_11_database_keeps_what_its_occasions_say(cli):
    """tests/data/schema-v11.db was written by the vipctl of schema 11 from the sample data
    (imported on 2026-11-01, its list looked at on 11-24): the upgrade makes the occasions anew,
    with what each item says, and a whole list is then read from them."""
    import datetime as dt
    from collections import Counter

    from vipctl.agenda import lists, occasions
    from vipctl.config import Config

    shutil.copy(Path(__file__).parent / "data" / "schema-v11.db", cli.db)
    looked = cli("today", "--date", "2026-11-24", "-f", "json")
    assert looked.exit_code == 0, looked.output
    assert len(json.loads(looked.stdout)) == 135  # as the vipctl of schema 11 listed it
    with sqlite3.connect(cli.db) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(occasion)")}
        assert {"detail", "reminders"} <= columns
        query = "SELECT count(*), count(nullif(detail, '')) FROM occasion"
        rows, said = conn.execute(query).fetchone()
        assert rows > 0 and said == rows
    day, config, scope = dt.date(2026, 11, 25), Config(), lists.Scope()
    with store.Database(cli.db).read() as conn:
        due = occasions.due_today(conn, config, day, scope)
        worked_out = lists.due_today(conn, config, day, scope)
    assert due is not None and Counter(due) == Counter(worked_out)
    assert cli("check").exit_code == 0


@pytest.mark.sqlite_only
def test_a_version_12_database_gets_its_occasions_indexed_by_day(cli):
    """tests/data/schema-v12.db was written by the vipctl of schema 12 from the sample data
    (imported on 2026-11-01, its list looked at on 11-24), which listed 201 events in the 30
    days from 11-24. The upgrade indexes the occasions by day; a table's count and first rows
    are read from that index alone, a whole list still from a scan of the rows."""
    shutil.copy(Path(__file__).parent / "data" / "schema-v12.db", cli.db)
    listed = cli("upcoming", "--date", "2026-11-24", "-f", "json")
    assert listed.exit_code == 0, listed.output
    assert len(json.loads(listed.stdout)) == 201
    assert "201" in cli("upcoming", "--date", "2026-11-24").stdout
    with sqlite3.connect(cli.db) as conn:
        indexes = {row[1] for row in conn.execute("PRAGMA index_list(occasion)")}
        assert {"ix_occasion_client", "ix_occasion_day"} <= indexes
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT date, client_id, kind, policy_no FROM occasion "
            "WHERE date BETWEEN 739944 AND 739974 AND kind IN ('birthday', 'grace') "
            "AND (kind NOT IN ('grace') OR starts <= 739944)"
        ).fetchall()
        assert "COVERING INDEX ix_occasion_day" in plan[-1][-1]
    assert cli("check").exit_code == 0
