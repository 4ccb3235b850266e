"""The agenda's kept occasions: a look at the list ranked from them shows exactly what working
the list out by the rules shows, whatever was written since they were and whichever covered day
is looked at; outside the cover, and for other rules, the rules work it out."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select

from conftest import ENGINES
from helpers import DATA, Cli, new_schema
from vipctl import readahead
from vipctl.agenda import daylist, lists, occasions
from vipctl.agenda.lists import Scope
from vipctl.agenda.occasions import OVERDUE
from vipctl.config import INDICATORS, Config
from vipctl.rules.ranking import tallies
from vipctl.store import Database, changes
from vipctl.store.tables import Occasion

EXPORTED = dt.date(2026, 11, 1)
CLIENTS = [f"C{n:06d}" for n in range(1, 201)]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample book imported on its export day, with its occasions written by the import."""
    db = tmp_path_factory.mktemp("occasions") / "sample.db"
    files = [str(DATA / "clients.csv"), str(DATA / "policies.csv")]
    result = Cli(db)("import", *files, "--date", EXPORTED.isoformat())
    assert result.exit_code == 0, result.output
    return db


def _compare(db: Path | str, day: dt.date, limit: int, scope: Scope | None = None) -> None:
    """The list from the occasions against the list worked out by the rules."""
    config, scope = Config(), scope or Scope()
    with Database(db).read() as conn:
        assert occasions.touched(conn, config, day) is not None, "the occasions cover the day"
        made = daylist.day_list(conn, config, day, scope, limit=limit)
        worked_out = lists.ranked(conn, config, day, scope)
    assert made.made is None  # ranked from the occasions, not worked out
    shown = [(e.client_id, e.score, sorted(e.items)) for e in made.entries[:limit]]
    expected = [(e.client_id, e.score, sorted(e.items)) for e in worked_out[:limit]]
    assert shown == expected
    assert made.clients == len(worked_out)
    assert (made.kinds, made.tiers) == tallies(worked_out)
    late = Counter(e.tier or "?" for e in worked_out if any(i.kind == OVERDUE for i in e.items))
    assert made.overdue == late
    with Database(db).read() as conn:  # the whole list: the rows' items, scored by the rules
        due = occasions.due_today(conn, config, day, scope)
        assert due is not None
        whole = lists.rank(conn, config, day, scope, due)
    assert [_entry(e) for e in whole] == [_entry(e) for e in worked_out]


def _entry(entry) -> tuple:
    return entry.client_id, entry.tier, entry.segment, entry.score, sorted(entry.items)


client = st.sampled_from(CLIENTS)
days = st.integers(0, occasions.COVER_DAYS).map(lambda n: EXPORTED + dt.timedelta(days=n))
write = st.one_of(
    st.tuples(st.just("log"), client, st.sampled_from(["phone", "visit", "wechat", "sms"])),
    st.tuples(st.just("no_answer"), client),
    st.tuples(st.just("done"), client),
    st.tuples(st.just("snooze"), client, st.integers(1, 20)),
    st.tuples(st.just("remind"), client, st.integers(0, 20)),
    st.tuples(st.just("service"), client, st.sampled_from(["claim", "change", "other"])),
    # A card edit that reassesses: a tier moves, and with it the contact cadence.
    st.tuples(
        st.just("edit"),
        client,
        st.sampled_from(
            [f"{name}={value}" for name, values in INDICATORS.items() for value in values]
            + ["annual_income=50000", "annual_income=9000000", "annual_income="]
        ),
    ),
    st.tuples(st.just("upkeep")),
)


def _apply(cli: Cli, step: tuple, day: dt.date) -> None:
    on = ["--date", day.isoformat()]
    name, *args = step
    if name == "log":
        command = ["log", args[0], "--channel", args[1], *on]
    elif name == "no_answer":
        command = ["log", args[0], "--channel", "phone", "--outcome", "no_answer", *on]
    elif name == "done":
        command = ["done", args[0], *on]
    elif name == "snooze":
        until = day + dt.timedelta(days=args[1])
        command = ["snooze", args[0], "--until", until.isoformat(), *on]
    elif name == "remind":
        when = day + dt.timedelta(days=args[1])
        command = ["remind", args[0], "call back", "--on", when.isoformat(), *on]
    elif name == "service":
        command = ["service", "open", args[0], "--type", args[1], *on]
    elif name == "edit":
        command = ["edit", args[0], "--set", args[1], *on]
    else:  # a look at the list, which brings the occasions up to date after it
        command = ["today", *on]
    result = cli(*command)
    assert result.exit_code in (0, 1), result.output  # 1: nothing due to mark done


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    steps=st.lists(st.tuples(write, days), max_size=6),
    day=days,
    limit=st.integers(1, 60),
    ahead=st.integers(0, occasions.UPCOMING_DAYS),
)
def test_the_list_from_the_occasions_is_the_list_worked_out(
    sample, tmp_path, steps, day, limit, ahead
):
    db = tmp_path / "book.db"
    shutil.copy(sample, db)
    cli = Cli(db)
    for step, on in steps:
        _apply(cli, step, on)
    _compare(db, day, limit)
    _compare_upcoming(db, day, ahead, limit)


def _compare_upcoming(db: Path | str, day: dt.date, days: int, limit: int) -> None:
    """``upcoming``'s first events and count from the occasions against the rules'."""
    config, scope = Config(), Scope()
    with Database(db).read() as conn:
        made = occasions.upcoming(conn, config, day, days, scope, limit)
        every = occasions.upcoming(conn, config, day, days, scope, None)
        worked_out = lists.upcoming(conn, config, day, days, scope)
    assert made is not None, "the occasions hold the days asked for"
    assert made == (worked_out[:limit], len(worked_out))
    assert every == (worked_out, len(worked_out))  # a whole list: JSON, CSV, the calendar


def test_one_agents_list_and_a_tiers_from_the_occasions(sample, tmp_path):
    db = tmp_path / "book.db"
    shutil.copy(sample, db)
    day = EXPORTED + dt.timedelta(days=23)
    agents = Cli(db)("today", "--date", day.isoformat(), "-f", "json").stdout
    assert agents
    for scope in (Scope(agent="王芳"), Scope(tiers=("A", "B")), Scope(agent="刘洋")):
        _compare(db, day, 50, scope)


def test_an_edit_that_reassesses_leaves_the_rest_of_the_book_to_the_occasions(tmp_path):
    """Every client an edit's reassessment moves is a change of the book, and only those: the
    next look reads everyone else from the occasions. Here a large single premium stops
    counting between the import and the edit, so the edit resegments other clients too."""
    from test_snapshots import _query

    day = EXPORTED + dt.timedelta(days=9)
    spread_until = day - dt.timedelta(days=4)  # a single premium's years end before the edit
    effective = spread_until.replace(year=spread_until.year - 10).isoformat()
    policies = (DATA / "policies.csv").read_text(encoding="utf-8")
    policies = policies.replace("200000.00,single,2019-07-29", f"200000.00,single,{effective}")
    (tmp_path / "policies.csv").write_text(policies, encoding="utf-8")
    db = tmp_path / "book.db"
    cli = Cli(db)
    files = [str(DATA / "clients.csv"), str(tmp_path / "policies.csv")]
    assert cli("import", *files, "--date", EXPORTED.isoformat()).exit_code == 0
    assessed = "SELECT * FROM client_tier"
    before = set(_query(cli, assessed))
    with Database(db).read() as conn:
        made = changes.generation(conn)
    [(client, satisfaction)] = _query(cli, "SELECT client_id, satisfaction FROM client LIMIT 1")
    other = next(value for value in INDICATORS["satisfaction"] if value != satisfaction)
    edited = cli("edit", client, "--set", f"satisfaction={other}", "--date", day.isoformat())
    assert edited.exit_code == 0, edited.output
    moved = {row[0] for row in set(_query(cli, assessed)) - before}
    assert client in moved and "C000005" in moved and len(moved) > 2
    with Database(db).read() as conn:
        assert changes.touched_since(conn, made) == moved
    _compare(db, day, 50)


def test_an_import_that_changes_a_few_rows_leaves_the_rest_of_the_book_to_the_occasions(
    sample, tmp_path, monkeypatch
):
    """The next export with a few rows changed: the clients those rows concern, a moved
    policy's former client among them, have their occasions written again, and only they; the
    next look reads everyone else from the occasions and shows what the rules show."""
    db = tmp_path / "book.db"
    shutil.copy(sample, db)
    policies = (DATA / "policies.csv").read_text(encoding="utf-8")
    # A single premium of 2013 no longer counts in any premium, so no reassessment notices the
    # move; its anniversary on Dec 7 is on the list of the day looked at.
    moved = "P20130000082,C000082,"
    changed = "P20130000256,C000002,附加意外医疗保险,accident_medical,20000,200,"
    assert moved in policies and changed in policies
    policies = policies.replace(moved, "P20130000082,C000001,")
    policies = policies.replace(changed, changed.replace(",200,", ",260,"))
    (tmp_path / "policies.csv").write_text(policies, encoding="utf-8")
    refreshed: list[set[str]] = []
    real = occasions._refresh

    def refresh(conn, config, kept, clients):
        refreshed.append(set(clients))
        real(conn, config, kept, clients)

    monkeypatch.setattr(occasions, "_refresh", refresh)
    monkeypatch.setattr(occasions, "rebuild", lambda *args: pytest.fail("made again whole"))
    imported = Cli(db)("import", str(tmp_path / "policies.csv"), "--date", EXPORTED.isoformat())
    assert imported.exit_code == 0, imported.output
    [written_again] = refreshed
    assert {"C000082", "C000001", "C000002"} <= written_again and len(written_again) < 20
    monkeypatch.undo()
    _compare(db, dt.date(2026, 12, 2), 200)


def test_sqlite_sums_the_shown_occasions_from_a_scan_not_the_client_index(sample):
    """A fifth of the rows are shown on a day: walking the client index to group them looks up
    every row, which took a quarter longer than scanning the table (``sqlite.Unindexed``)."""
    from sqlalchemy import select
    from sqlalchemy.dialects import postgresql

    for part in [(None, None), ("C000100", None), (None, "C000100")]:  # halves: ``_scores``
        shown = occasions._clients(Config(), EXPORTED.toordinal(), Scope(), set(), part)
        query = select(shown.c.client_id, shown.c.value)
        with Database(sample).read() as conn:
            literal = query.compile(conn, compile_kwargs={"literal_binds": True})
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {literal}").all()
        steps = [row[-1] for row in plan]
        assert "SCAN occasion" in steps and not any("ix_occasion_client" in s for s in steps)
    on_postgres = str(query.compile(dialect=postgresql.dialect()))
    assert "GROUP BY occasion.client_id" in on_postgres


def test_a_few_clients_holidays_are_read_by_their_ids_not_every_vip(sample, monkeypatch):
    """A few clients worked out in full (changed since the occasions were written, or asked
    for by id): their VIPs are looked up by id, not found among every VIP of the book through
    the segment's index (0.2 s on a million)."""
    from sqlalchemy import event

    plans: list[str] = []
    with Database(sample).read() as conn:

        @event.listens_for(conn, "before_cursor_execute")
        def explain(conn_, cursor, statement, params, context, many):
            if "segment IN" in " ".join(statement.split()) and not statement.startswith("EXP"):
                plans.extend(
                    row[-1] for row in cursor.execute(f"EXPLAIN QUERY PLAN {statement}", params)
                )

        lists.ranked(conn, Config(), EXPORTED, Scope(clients={f"C{i:06d}" for i in range(1, 60)}))
    assert plans and all("client_tier_1" in step for step in plans), plans


def test_sqlite_reads_the_owed_premiums_whole_not_through_the_index_by_day(sample):
    """Every premium owed up to a window's end is a fifth of the book or more, even for one day:
    the small table is read whole, not looked up row by row from the index by day (a third of
    the time), for a list of days and for the morning's list alike."""
    from sqlalchemy import event

    plans: list[str] = []
    with Database(sample).read() as conn:

        @event.listens_for(conn, "before_cursor_execute")
        def explain(conn_, cursor, statement, params, context, many):
            if "FROM premium_due JOIN policy" in " ".join(statement.split()):
                plans.append(
                    " / ".join(
                        row[-1] for row in cursor.execute(f"EXPLAIN QUERY PLAN {statement}", params)
                    )
                )

        lists.upcoming(conn, Config(), EXPORTED, 30, Scope())
        lists.ranked(conn, Config(), EXPORTED, Scope())
    assert len(plans) == 2, plans
    assert all("SCAN premium_due" in plan and "due_date" not in plan for plan in plans), plans


def _forget(cli) -> None:
    """No occasions: the next look works the list out by the rules (and writes them again)."""
    from test_snapshots import _query

    _query(cli, "DELETE FROM occasion")
    _query(cli, "DELETE FROM vipctl_meta WHERE key = 'occasions'")


def test_the_table_from_the_occasions_is_the_table_worked_out(book):
    """On both engines, after the writes of a day, the table and its title are the same."""
    from test_snapshots import DAY

    writes = [
        (),
        ("log", "C2", "--channel", "phone", "--outcome", "no_answer"),
        ("done", "C3"),
        ("snooze", "C1", "--until", "2026-12-01"),
        ("remind", "C2", "call back", "--on", DAY),
        ("paid", "P2"),
    ]
    for write in writes:
        if write:
            assert book(*write, "--date", DAY).exit_code == 0
        for shown in ((), ("--limit", "1")):
            made = book("today", "--date", DAY, *shown)
            assert made.exit_code == 0, made.output
            _forget(book)
            worked_out = book("today", "--date", DAY, *shown)
            assert worked_out.stdout == made.stdout


def test_the_whole_list_from_the_occasions_is_the_list_worked_out(book, monkeypatch):
    """On both engines, after the writes of a day, every client's items, scores and tallies
    (``today -f json``) are the same read from the occasions as worked out by the rules, days
    later too (a service request says how many days it has been open); the rules work out only
    the clients the rows cannot tell."""
    from test_snapshots import DAY, worked_out
    from test_snapshots import _forget as _forget_kept

    later = "2026-11-27"  # covered by the rows, also once a look by the rules has made them anew
    writes = [
        (),
        ("log", "C2", "--channel", "phone", "--outcome", "no_answer"),
        ("service", "open", "C3", "--type", "claim"),
        ("snooze", "C1", "--until", "2026-12-01"),
        ("paid", "P2"),
    ]
    for write in writes:
        if write:
            assert book(*write, "--date", DAY).exit_code == 0
        _forget_kept(book)  # no list kept earlier that day: the items come from the rows
        scopes = worked_out(monkeypatch)
        made = book("today", "--date", later, "-f", "json")
        assert made.exit_code == 0, made.output
        assert all(scope.clients is not None for scope in scopes)
        monkeypatch.undo()
        _forget(book)
        _forget_kept(book)
        by_rules = book("today", "--date", later, "-f", "json")
        assert json.loads(by_rules.stdout) == json.loads(made.stdout)


def test_the_first_look_after_an_import_reads_the_occasions(book, monkeypatch):
    """The rules work out none of the book: the clients near the top have their items read
    from the rows too, as a whole list does; only a client changed since is worked out."""
    from test_snapshots import DAY, worked_out

    scopes = worked_out(monkeypatch)
    assert book("today", "--date", DAY, "--limit", "1").exit_code == 0
    assert scopes == []
    assert book("log", "C3", "--channel", "visit", "--date", DAY).exit_code == 0
    scopes.clear()
    assert book("today", "--date", DAY, "--limit", "1").exit_code == 0
    assert [scope.clients for scope in scopes] == [{"C3"}]


def _cover(cli) -> tuple[str, str]:
    from test_snapshots import _query

    [(found,)] = _query(cli, "SELECT value FROM vipctl_meta WHERE key = 'occasions'")
    data = json.loads(found)
    return data["first"], data["last"]


def test_a_look_past_the_cover_moves_it_and_a_look_back_leaves_it(book, own_config):
    import books

    first = dt.date.fromisoformat(books.IMPORTED)
    assert _cover(book) == (books.IMPORTED, str(first + dt.timedelta(days=occasions.COVER_DAYS)))
    later = first + dt.timedelta(days=occasions.COVER_DAYS + 1)
    assert book("today", "--date", str(later)).exit_code == 0
    assert _cover(book)[0] == str(later)
    assert book("today", "--date", books.IMPORTED).exit_code == 0
    assert _cover(book)[0] == str(later)  # a look back is worked out, the cover kept
    own_config.write_text("[agenda]\nbirthday_lead_days = 3\n", encoding="utf-8")
    assert book("today", "--date", books.IMPORTED).exit_code == 0
    assert _cover(book)[0] == books.IMPORTED  # other rules: written again for the day


def test_the_report_from_the_occasions_is_the_report_worked_out(book):
    """The cron report's to-do section, overdue contacts and yesterday's count, on both
    engines, after a day's writes (yesterday's done marks among them)."""
    from test_snapshots import DAY, _query

    yesterday = str(dt.date.fromisoformat(DAY) - dt.timedelta(days=1))
    for write in (("done", "C3"), ("log", "C2", "--channel", "phone")):
        assert book(*write, "--date", yesterday).exit_code == 0
    reports = []
    for _ in range(2):
        made = book("report", "--date", DAY, "--limit", "1", "-f", "json")
        assert made.exit_code == 0, made.output
        reports.append(json.loads(made.stdout))
        _forget(book)
        _query(book, "DELETE FROM report_run")
    assert reports[0] == reports[1]
    assert reports[0]["todo"]["clients"] > 1  # more than the one line shown


def _watched(monkeypatch) -> list:
    """What each ``occasions.upcoming`` gave: None where the rules made the list."""
    given, real = [], occasions.upcoming
    monkeypatch.setattr(
        occasions, "upcoming", lambda *a, **k: given.append(real(*a, **k)) or given[-1]
    )
    return given


def test_upcoming_from_the_occasions_is_upcoming_worked_out(book, monkeypatch):
    """The table and its title, whole lists and the calendar, on both engines, after writes;
    past the days the occasions hold, the rules make them."""
    from test_snapshots import DAY

    given = _watched(monkeypatch)

    for write in (
        (),
        ("service", "open", "C2", "--type", "claim"),
        ("log", "C1", "--channel", "visit"),
    ):
        if write:
            assert book(*write, "--date", DAY).exit_code == 0
        for shown in (
            (),
            ("--limit", "2"),
            ("--days", "90"),
            ("--kind", "birthday"),
            ("-f", "json"),
            ("-f", "csv", "--kind", "renewal_due,service_request"),
            # Days later: an open request's words count the days it has been open.
            ("-f", "json", "--date", "2026-11-27"),
        ):
            made = book("upcoming", "--date", DAY, *shown)
            assert made.exit_code == 0, made.output
            assert (given[-1] is None) == ("90" in shown)  # 90 days: more than they hold
            _forget(book)
            worked_out = book("upcoming", "--date", DAY, *shown)
            assert worked_out.stdout == made.stdout
            assert book("today", "--date", DAY).exit_code == 0  # the occasions written again
        made = _unstamped(book("calendar", "--date", DAY, "--days", "30").stdout)
        assert given[-1] is not None
        _forget(book)
        assert _unstamped(book("calendar", "--date", DAY, "--days", "30").stdout) == made
        assert book("today", "--date", DAY).exit_code == 0


def _unstamped(ics: str) -> list[str]:
    """A calendar's lines but the moment it was made."""
    return [line for line in ics.splitlines() if not line.startswith("DTSTAMP:")]


def test_upcoming_as_of_a_day_leaves_out_what_is_not_there_yet(book, own_config, monkeypatch):
    """A premium not yet past due is not in grace, a request closed later is open, and its
    letter not yet owed, as of the day looked from: the occasions, made for every day, say so
    as the rules do."""
    from test_snapshots import DAY

    own_config.write_text("[agenda]\ngrace_days = 5\n", encoding="utf-8")
    opened = str(dt.date.fromisoformat(DAY) - dt.timedelta(days=2))
    closed = str(dt.date.fromisoformat(DAY) + dt.timedelta(days=3))
    assert book("service", "open", "C2", "--type", "claim", "--date", opened).exit_code == 0
    assert book("service", "close", "1", "--date", closed).exit_code == 0
    before = str(dt.date.fromisoformat(DAY) - dt.timedelta(days=1))
    assert book("service", "open", "C1", "--type", "other", "--date", opened).exit_code == 0
    assert book("service", "close", "2", "--date", before).exit_code == 0  # target still ahead
    assert book("today", "--date", DAY).exit_code == 0  # the occasions, under these rules
    given = _watched(monkeypatch)
    for shown in ((), ("--kind", "grace"), ("--kind", "service_request"), ("--days", "10")):
        made = book("upcoming", "--date", DAY, *shown)
        assert made.exit_code == 0, made.output
        assert given[-1] is not None
        _forget(book)
        worked_out = book("upcoming", "--date", DAY, *shown)
        assert worked_out.stdout == made.stdout
        assert book("today", "--date", DAY).exit_code == 0


def _sample_on(engine: str, request, tmp_path: Path) -> tuple[Path | str, Cli]:
    """The sample book imported on its export day into a fresh database of ``engine``."""
    if engine == "sqlite":
        db: Path | str = tmp_path / "book.db"
    else:
        db = new_schema(request.getfixturevalue("pg_cluster"))
    cli = Cli(db)
    files = [str(DATA / "clients.csv"), str(DATA / "policies.csv")]
    assert cli("import", *files, "--date", EXPORTED.isoformat()).exit_code == 0
    return db, cli


@pytest.mark.parametrize("engine", ENGINES)
def test_two_processes_make_the_rows_one_process_makes(engine, request, tmp_path, monkeypatch):
    """On a large book two parts in three are made by a second process, reading the committed
    book on a connection of its own (SQLite's file, or the server): the same rows as one process
    makes, the index built after them."""
    db, _cli = _sample_on(engine, request, tmp_path)
    alone = _occasions(db)
    forked = []
    ahead = readahead.ahead
    monkeypatch.setattr(readahead, "ahead", lambda produce: forked.append(1) or ahead(produce))
    monkeypatch.setattr(occasions, "ALONE", 1)
    monkeypatch.setattr(occasions, "_PART", 30)  # 200 clients: 9 parts, 6 made elsewhere
    with Database(db).write() as conn:
        changes.declare(conn, changes.NOTHING)
        occasions.rebuild(conn, Config(), EXPORTED)
    assert forked and readahead.forks()
    assert _occasions(db) == alone
    with Database(db).read() as conn:
        names = {index["name"] for index in inspect(conn).get_indexes("occasion")}
    assert names == {"ix_occasion_client", "ix_occasion_day"}


@pytest.mark.parametrize("engine", ENGINES)
def test_the_days_list_summed_in_two_halves_is_the_list(engine, request, tmp_path, monkeypatch):
    """On a large book each process sums half the clients (by id) and hands back only what
    ranking needs: every day's first entries, its size and tallies are one process's."""
    db, cli = _sample_on(engine, request, tmp_path)
    # A client worked out apart by the rules: changed since the rows were written.
    assert cli("log", "C000007", "--channel", "phone", "--date", "2026-11-20").exit_code == 0
    looks = [
        (EXPORTED + dt.timedelta(days=days), limit) for days in (0, 23) for limit in (1, 7, 50)
    ]

    def made() -> list:
        with Database(db).read() as conn:
            return [occasions.day_list(conn, Config(), day, Scope(), limit) for day, limit in looks]

    alone = made()
    assert all(found is not None and found.entries for found in alone)
    forked = []
    ahead = readahead.ahead
    monkeypatch.setattr(readahead, "ahead", lambda produce: forked.append(1) or ahead(produce))
    monkeypatch.setattr(occasions, "ALONE", 1)
    assert made() == alone
    assert len(forked) == len(looks) and readahead.forks()


def _occasions(db: Path | str) -> list[tuple]:
    o = Occasion
    with Database(db).read() as conn:
        return sorted(tuple(row[1:]) for row in conn.execute(select(o)))


@pytest.mark.parametrize("engine", ENGINES)
def test_a_long_upcoming_list_made_in_two_processes_is_the_list(
    engine, request, tmp_path, monkeypatch
):
    """On a large book the later days of a long list are made, and written, by a second process
    reading the book on a connection of its own: byte for byte what one process writes, as CSV,
    as a calendar and as a table of the first 50 counting them all, with or without fork, with
    the agent's and the kinds' scopes."""
    _db, cli = _sample_on(engine, request, tmp_path)
    looks = [
        ["--days", "400"],
        ["--days", "61", "--kind", "renewal_due,birthday,contact_overdue"],
        ["--days", "365", "--agent", "王芳"],
    ]
    day = ["--date", "2027-01-10"]  # past the occasions' days: the rules make it
    kinds = ["--kind", "survival_benefit,wedding_anniversary"]
    looks = [["upcoming", *look, "-f", "csv", *day] for look in looks]
    looks.append(["calendar", "--days", "120", "--agent", "刘洋", *day])
    # Tables: the first 50, and a kind too rare for the first days to hold 50 of.
    looks += [["upcoming", "--days", "400", *day], ["upcoming", "--days", "200", *kinds, *day]]

    def made() -> list[str]:
        said = [cli(*look) for look in looks]
        assert all(result.exit_code == 0 for result in said)
        return [re.sub(r"DTSTAMP:\w+", "DTSTAMP", result.output) for result in said]

    alone = made()
    assert len(alone[0].splitlines()) > 1000 and alone[3].count("BEGIN:VEVENT") > 100
    shown = [line for line in alone[-1].splitlines() if line.startswith("2027-")]
    assert len(shown) == 50 and shown[-1] > "2027-04-10"  # past this process's 90 days
    forked = []
    cut = daylist._cut
    monkeypatch.setattr(daylist, "_cut", lambda *args: forked.append(1) or cut(*args))
    monkeypatch.setattr(occasions, "ALONE", 1)
    monkeypatch.setattr(daylist, "SPLIT_DAYS", 1)
    assert made() == alone
    assert len(forked) == len(looks) and readahead.forks()
    monkeypatch.setattr(readahead, "forks", lambda: False)
    assert made() == alone
