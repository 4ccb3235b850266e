"""The day's list as ``today`` and the report ask for it: from the kept occasions when they
cover the day (``occasions``), else from a list kept earlier that day (``snapshots``), else
worked out by the rules (``lists.ranked``); and what a look leaves behind for the next one.
``upcoming``'s first events likewise, and its whole lists."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import TextIO

from sqlalchemy import Connection

from vipctl import readahead
from vipctl.agenda import lists, occasions, snapshots
from vipctl.agenda.lists import Scope, clients, rank, ranked
from vipctl.config import Config
from vipctl.kinds import KINDS
from vipctl.rules import ranking
from vipctl.rules.events import Event
from vipctl.rules.ranking import DayList, Entry
from vipctl.store import changes

# A list of more days than this that the rules make on a book of ``occasions.ALONE`` clients or
# more is made in two processes (``upcoming_shown``, ``upcoming_written``).
SPLIT_DAYS = 60


def _from_snapshot(
    conn: Connection, config: Config, day: dt.date, scope: Scope, first: int | None
) -> DayList | None:
    """The list kept earlier today, with the clients changed since worked out again."""
    kept = snapshots.find(conn, config, day, scope.agent)
    if kept is None:
        return None
    live = []
    if kept.touched:
        live = ranked(conn, config, day, replace(scope, clients=kept.touched))
    stored = [Entry(*line) for line in snapshots.entries(conn, kept, first=first)]
    entries = sorted([*stored, *live], key=ranking.rank)
    kinds, tiers = Counter(kept.kinds), Counter(kept.tiers)
    if kept.touched:
        before = [Entry(*line) for line in snapshots.entries(conn, kept, only=kept.touched)]
        gone, added = ranking.tallies(before), ranking.tallies(live)
        kinds.subtract(gone[0])
        kinds.update(added[0])
        tiers.subtract(gone[1])
        tiers.update(added[1])
        count = kept.clients - len(before) + len(live)
    else:
        count = kept.clients
    return DayList(entries, count, *ranking.ordered(kinds, tiers))


def day_list(
    conn: Connection,
    config: Config,
    day: dt.date,
    scope: Scope,
    *,
    limit: int | None = None,
    whole: bool = False,
) -> DayList:
    """``today``'s list for ``scope``: the first ``limit`` entries (all when None; every entry
    with ``whole``, only the first ``limit`` of them read for what they show) and the whole
    list's size and tallies."""
    found = None
    every = scope.clients is None and set(scope.kinds) == set(KINDS)
    if every:
        if limit is not None and not whole:
            found = occasions.day_list(conn, config, day, scope, limit)
        if found is None and not scope.tiers:
            first = None if limit is None or whole else limit
            found = _from_snapshot(conn, config, day, scope, first)
    if found is None:
        made = changes.generation(conn)
        # The items from the occasions when they hold them all, the rules only scoring them.
        due = occasions.due_today(conn, config, day, scope) if every else None
        if due is None:
            due = lists.due_today(conn, config, day, scope)
        entries = rank(conn, config, day, scope, due)
        found = DayList(entries, len(entries), *ranking.tallies(entries), made=made)
    shown = found.entries[:limit]
    info = clients(conn, [entry.client_id for entry in shown])
    for entry in shown:  # the lines shown: in date order, with what they show
        entry.items.sort(key=lambda e: (e.date, e.kind, e.policy_no or ""))
        entry.client = info[entry.client_id]
    return found


def keep(conn: Connection, config: Config, day: dt.date, scope: Scope, found: DayList) -> bool:
    """After a look at ``day``'s list, in a write transaction: the list kept for the next look
    today if it was worked out afresh and the book has not moved on since (whether it was); the
    occasions brought up to date."""
    kept = False
    if found.made is not None:
        lines = [(e.client_id, e.tier, e.segment, e.items, e.score) for e in found.entries]
        tallied = (found.kinds, found.tiers)
        kept = snapshots.keep(conn, config, day, scope.agent, found.made, lines, tallied)
    occasions.upkeep(conn, config, day)
    return kept


def upcoming_shown(
    conn: Connection, config: Config, day: dt.date, days: int, scope: Scope, limit: int | None
) -> tuple[list[Event], int]:
    """The first ``limit`` events (all when None) from ``day`` to ``days`` later, and how many
    there are: from the occasions when they hold them all, else made by the rules; on a large
    book, over many days, the later days by a second process at the same time, which hands back
    only their first ``limit`` and how many there are (a table of a year's first 50 counts a
    million events)."""
    if scope.clients is None:
        found = occasions.upcoming(conn, config, day, days, scope, limit)
        if found is not None:
            return found
    if limit is None or not _split(conn, days):
        events = lists.upcoming(conn, config, day, days, scope)
        return events[:limit], len(events)
    mine, later = _cut(day, days)

    def theirs(own: Connection) -> tuple[list[Event], int]:
        events = lists.upcoming(own, config, day, days, scope, later)
        return events[:limit], len(events)

    apart = occasions.beside(conn, theirs)
    events = lists.upcoming(conn, config, day, mine, scope)
    first, count = apart()
    return [*events[:limit], *first][:limit], len(events) + count


Writer = Callable[[list[Event], dict[str, str], TextIO], None]


def upcoming_written(
    conn: Connection,
    config: Config,
    day: dt.date,
    days: int,
    scope: Scope,
    write: Writer,
    out: TextIO,
) -> None:
    """Every event from ``day`` to ``days`` later, with its clients' names, handed to ``write``
    for ``out`` in ``lists.upcoming``'s order. Beyond the days the occasions hold, the rules
    make them: a year of a large book is a million events, seconds of Python. So the later days
    are made and written by a second process meanwhile (``readahead.in_two``); as the events go
    by date, its part follows this one's. It reads the book on a connection of its own, as
    committed: a write landing in between would show only in the later days."""
    found = None
    if scope.clients is None:
        found = occasions.upcoming(conn, config, day, days, scope, None)
    if found is not None:
        write(found[0], lists.names(conn, {e.client_id for e in found[0]}), out)
        return
    if not _split(conn, days):
        _write_days(conn, config, day, days, scope, None, write, out)
        return
    mine, later = _cut(day, days)
    readahead.in_two(
        lambda into: _write_days(conn, config, day, mine, scope, None, write, into),
        lambda into: occasions.on_own_connection(
            conn, lambda own: _write_days(own, config, day, days, scope, later, write, into)
        ),
        out,
    )


def _split(conn: Connection, days: int) -> bool:
    """Whether the rules' events of ``days`` are made in two processes."""
    return days > SPLIT_DAYS and occasions.two_processes(conn)


def _cut(day: dt.date, days: int) -> tuple[int, dt.date]:
    """The days this process makes (from ``day``), and the first day of the second process's.
    Fewer here: the first days also hold what is already due (premiums in grace, overdue
    contacts), and this process does what follows."""
    mine = days * 45 // 100
    return mine, day + dt.timedelta(days=mine + 1)


def _write_days(
    conn: Connection,
    config: Config,
    day: dt.date,
    days: int,
    scope: Scope,
    first: dt.date | None,
    write: Writer,
    out: TextIO,
) -> None:
    events = lists.upcoming(conn, config, day, days, scope, first)
    write(events, lists.names(conn, {e.client_id for e in events}), out)
