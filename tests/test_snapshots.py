"""The day's list kept in the database: a kept list is used only while it is what working the
list out again would give, on both engines.

Each test compares what ``today`` prints from a kept list with what it prints from a copy of the
book that has no kept list at all, after the writes a day brings: contacts, done marks, snoozes,
payments, imports, tier recomputes and config changes.
"""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

import books
from helpers import write_csv
from vipctl import agenda
from vipctl.agenda import lists, snapshots
from vipctl.config import Config
from vipctl.store import Database, changes

DAY = "2026-11-24"


def _query(cli, sql: str) -> list[tuple]:
    engine = create_engine(cli.db if isinstance(cli.db, str) else f"sqlite:///{cli.db}")
    with engine.begin() as conn:
        result = conn.execute(text(sql))
        found = [tuple(r) for r in result] if result.returns_rows else []
    engine.dispose()
    return found


def _kept(cli) -> list[tuple]:
    return _query(cli, "SELECT day, agent, clients FROM agenda_snapshot ORDER BY id")


def _forget(cli) -> None:
    """No kept list: the next ``today`` works everything out."""
    _query(cli, "DELETE FROM agenda_entry")
    _query(cli, "DELETE FROM agenda_snapshot")


def _today(cli, *args: str, day: str = DAY) -> str:
    result = cli("today", "--date", day, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def _compare(cli, *args: str, day: str = DAY) -> str:
    """``today`` from the kept list (when there is one) equals ``today`` worked out afresh."""
    kept = _today(cli, *args, day=day)
    _forget(cli)
    fresh = _today(cli, *args, day=day)  # works it out, and keeps it again
    assert kept == fresh
    return kept


FORMATS = [("-f", "json"), ("-f", "csv"), ("--limit", "2"), ()]


@pytest.mark.parametrize("fmt", FORMATS, ids=["json", "csv", "table-limit", "table"])
def test_a_second_look_reads_the_kept_list(book, fmt):
    """A whole list is kept; a table's first lines are ranked from the occasions instead, and
    nothing is kept for them (``test_occasions``)."""
    first = _today(book, *fmt)
    whole = fmt[:1] == ("-f",)
    assert [(str(day), agent) for day, agent, _ in _kept(book)] == ([(DAY, None)] if whole else [])
    generation = _query(book, "SELECT value FROM vipctl_meta WHERE key = 'generation'")
    assert _today(book, *fmt) == first
    assert _query(book, "SELECT value FROM vipctl_meta WHERE key = 'generation'") == generation
    assert len(_kept(book)) == int(whole)


def worked_out(monkeypatch) -> list:
    """The scope of every list the rules work out from now on."""
    scopes = []
    real = lists.due_today

    def counting(*args, **kwargs):
        scopes.append(kwargs.get("scope") or args[3])
        return real(*args, **kwargs)

    monkeypatch.setattr(lists, "due_today", counting)
    return scopes


def test_the_kept_list_is_not_worked_out_again(book, monkeypatch):
    _today(book, "-f", "json")
    calls = worked_out(monkeypatch)
    _today(book, "-f", "json")
    assert calls == []
    assert book("log", "C1", "--channel", "phone", "--date", DAY).exit_code == 0
    calls.clear()  # the log read the client's own list, to settle what it settles
    _today(book, "-f", "json")
    assert [set(scope.clients) for scope in calls] == [{"C1"}]  # only the one who changed


@pytest.mark.parametrize(
    "write",
    [
        ("log", "C2", "--channel", "phone"),
        ("log", "C3", "--channel", "visit"),
        ("done", "C3"),
        ("done", "C2", "--kind", "callback_departed_agent"),
        ("snooze", "C1", "--until", "2026-12-01"),
        ("paid", "P2"),
    ],
    ids=["log-C2", "log-C3", "done", "done-kind", "snooze", "paid"],
)
def test_a_write_about_one_client_redoes_that_client(book, write):
    before = json.loads(_today(book, "-f", "json"))
    result = book(*write, "--date", DAY)
    assert result.exit_code == 0, result.output
    after = _compare(book, "-f", "json")
    assert json.loads(after) != before  # the write did change the list
    _compare(book, "--limit", "1")


def test_several_writes_then_tallies_and_ranks_still_agree(book):
    _today(book)
    for write in (
        ("log", "C1", "--channel", "phone"),
        ("done", "C3"),
        ("log", "C2", "--channel", "sms"),
    ):
        assert book(*write, "--date", DAY).exit_code == 0
        for fmt in FORMATS:
            _compare(book, *fmt)


def test_an_import_retires_the_kept_list(book, tmp_path):
    _today(book)
    changed = [[*row] for row in books.CLIENTS]
    changed[0][5] = "赵六"  # C1's agent changes: nothing says which clients' lists moved
    clients = write_csv(tmp_path / "changed.csv", books.HEADERS, changed)
    assert book("import", str(clients), "--date", DAY).exit_code == 0
    _compare(book, "-f", "json")


def test_a_reimport_that_changes_nothing_keeps_the_list(book, tmp_path):
    _today(book)
    generation = _query(book, "SELECT value FROM vipctl_meta WHERE key = 'generation'")
    clients = write_csv(tmp_path / "same.csv", books.HEADERS, books.CLIENTS)
    assert book("import", str(clients), "--date", books.IMPORTED).exit_code == 0
    assert _query(book, "SELECT value FROM vipctl_meta WHERE key = 'generation'") == generation


def test_a_config_change_or_another_day_works_it_out_again(book, own_config):
    before = _today(book, "-f", "json")
    own_config.write_text("[urgency]\npremium_per_10k = 3.0\n", encoding="utf-8")
    changed = _compare(book, "-f", "json")
    assert changed != before
    _compare(book, "-f", "json", day="2026-11-25")
    assert {str(row[0]) for row in _kept(book)} == {"2026-11-25"}  # earlier days go


def test_a_report_keeps_its_list_and_today_reads_it(book, tmp_path, monkeypatch):
    out = tmp_path / "report.json"
    result = book("report", "--date", DAY, "-f", "json", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert len(_kept(book)) == 1
    calls = []
    monkeypatch.setattr(lists, "due_today", lambda *a, **k: calls.append(a) or [])
    kept = _today(book, "-f", "json")
    assert calls == []
    monkeypatch.undo()
    report = json.loads(out.read_text(encoding="utf-8"))
    assert [e["client_id"] for e in json.loads(kept)] == [
        e["client_id"] for e in report["todo"]["entries"]
    ]
    _compare(book, "-f", "json")


def test_a_write_that_declares_nothing_is_refused_and_rolled_back(book):
    db = Database(book.db)
    try:
        with pytest.raises(changes.Undeclared), db.write() as conn:
            conn.execute(text("UPDATE client SET name = '张伟伟' WHERE client_id = 'C1'"))
        with db.read() as conn:
            assert conn.scalar(text("SELECT name FROM client WHERE client_id = 'C1'")) == "张伟"
    finally:
        db.close()


def test_a_list_worked_out_while_the_book_moved_is_not_kept(book):
    db = Database(book.db)
    try:
        day = dt.date.fromisoformat(DAY)
        with db.read() as conn:
            listed = agenda.day_list(conn, Config(), day, agenda.Scope())
        assert listed.made is not None
        with db.write() as conn:  # someone changes the book in between
            conn.execute(text("UPDATE client SET name = '张伟伟' WHERE client_id = 'C1'"))
            changes.declare(conn, changes.EVERYTHING)
        with db.write() as conn:
            assert not agenda.keep(conn, Config(), day, agenda.Scope(), listed)
        with db.read() as conn:
            assert snapshots.find(conn, Config(), day, None) is None
    finally:
        db.close()
    assert _kept(book) == []


def test_today_keeps_its_list_only_when_no_one_else_is_writing(book):
    """A person's look at the list never waits behind an import to keep it."""
    writer, other = Database(book.db), Database(book.db)
    ran = []

    def work(conn) -> None:
        ran.append(conn)
        changes.declare(conn, changes.NOTHING)

    try:
        with writer.write() as conn:
            changes.declare(conn, changes.NOTHING)
            started = time.monotonic()
            assert not other.write_if_free(work)
            assert time.monotonic() - started < 5
        assert ran == []
        assert other.write_if_free(work)
        assert len(ran) == 1
    finally:
        writer.close()
        other.close()
    result = book("today", "--date", DAY, "-f", "json")
    assert result.exit_code == 0
    assert len(_kept(book)) == 1


def test_tier_recompute_retires_the_kept_list(book, monkeypatch):
    """The way to a fresh list after changing the database by other means than vipctl."""
    _today(book)
    assert book("tier", "--recompute", "--date", DAY).exit_code == 0
    calls = worked_out(monkeypatch)
    _today(book)
    assert len(calls) == 1


def test_today_that_cannot_keep_its_list_still_shows_it(book, monkeypatch):
    """A read-only file or a role without write rights: the list, as before, kept nowhere."""

    def refused(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("attempt to write a readonly database"))

    monkeypatch.setattr(snapshots, "keep", refused)
    result = book("today", "--date", DAY)
    assert result.exit_code == 0, result.output
    assert "C1" in result.stdout
    assert _kept(book) == []


@pytest.mark.sqlite_only
def test_a_restored_book_has_a_generation_of_its_own(book, tmp_path, monkeypatch):
    """No list worked out before a restore, from the backup or the book it replaces, is kept
    for the restored book."""
    _today(book)
    copy = tmp_path / "copy.db"
    assert book("backup", str(copy)).exit_code == 0
    for client in ("C2", "C3"):
        assert book("log", client, "--channel", "phone", "--date", DAY).exit_code == 0
    replaced = int(_query(book, "SELECT value FROM vipctl_meta WHERE key = 'generation'")[0][0])
    assert book("restore", str(copy)).exit_code == 0
    now = int(_query(book, "SELECT value FROM vipctl_meta WHERE key = 'generation'")[0][0])
    assert now > replaced
    calls = worked_out(monkeypatch)
    kept = _today(book, "-f", "json")
    assert len(calls) == 1
    monkeypatch.undo()
    assert kept == _compare(book, "-f", "json")


def test_each_list_kept_replaces_its_own_and_sweeps_a_few_old_ones(book, monkeypatch, tmp_path):
    monkeypatch.setattr(snapshots, "_SWEEP", 2)
    more = write_csv(
        tmp_path / "more.csv", ["client_id", "name", "agent"], [["N1", "赵一", "nobody"],
        ["N2", "钱二", "也没有"]]
    )  # fmt: skip
    assert book("import", str(more), "--date", DAY).exit_code == 0
    for agent in ("李四", "nobody", "也没有"):
        assert book("today", "--agent", agent, "--date", DAY, "-f", "json").exit_code == 0
    assert book("today", "--all", "--date", DAY, "-f", "json").exit_code == 0
    assert book("today", "--agent", "王芳", "--date", DAY, "-f", "json").exit_code == 0
    assert book("tier", "--recompute", "--date", DAY).exit_code == 0  # retires them all
    assert (
        book("today", "--agent", "王芳", "--date", DAY, "-f", "json").exit_code == 0
    )  # replaces its own
    agents = [agent for _, agent, _ in _kept(book)]
    assert agents == ["李四", "nobody", "也没有", None, "王芳"]
    assert book("today", "--agent", "王芳", "--date", "2026-11-25", "-f", "json").exit_code == 0
    kept = [(str(day), agent) for day, agent, _ in _kept(book)]
    # Its own older list, and the two oldest of the others.
    assert kept == [(DAY, "也没有"), (DAY, None), ("2026-11-25", "王芳")]
    assert book("today", "--all", "--date", "2026-11-25", "-f", "json").exit_code == 0
    assert [agent for _, agent, _ in _kept(book)] == ["王芳", None]
