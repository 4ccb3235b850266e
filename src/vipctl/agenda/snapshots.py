"""The day's ranked list kept in the database, so that the morning's second look is a read.

Working the list out runs every rule over the whole book: seconds on 100,000 clients. It changes
only when the book, the rules or the day do, so the list as worked out (by the cron report or the
first ``today``) is kept with the book's *generation*, a counter every write transaction moves on.
A kept list is used only while it is provably what working it out again would give:

- same day, same agent's scope, same rules (a digest of the config and of vipctl's version);
- every write since it was made changed only some clients (``store.changes``: a contact logged,
  an item done, a snooze, a payment). Those clients' lines are worked out again; everyone
  else's stand. A write that changed the book whole (an import, a tier recompute, a restore,
  an upgrade) retires every kept list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

import orjson
from sqlalchemy import Connection, select

from vipctl.agenda.occasions import rules_digest
from vipctl.config import Config
from vipctl.rules.events import Event
from vipctl.store import changes
from vipctl.store.bulk import CHUNK, chunks, write
from vipctl.store.tables import AgendaEntry, AgendaSnapshot

_SWEEP = 10  # other lists of earlier days removed by each list kept


@dataclass
class Kept:
    """A kept list still good but for the lines of ``touched`` clients."""

    id: int
    clients: int
    kinds: dict[str, int]
    tiers: dict[str, int]
    touched: frozenset[str]


def find(conn: Connection, config: Config, day: dt.date, agent: str | None) -> Kept | None:
    s = AgendaSnapshot.c
    query = (
        select(s.id, s.generation, s.clients, s.tallies)
        .where(
            s.day == day,
            s.agent.is_(None) if agent is None else s.agent == agent,
            s.rules == rules_digest(config),
        )
        .order_by(s.id.desc())
        .limit(1)
    )
    row = conn.execute(query).first()
    if row is None:
        return None
    snapshot, made, clients, tallies = row
    touched = changes.touched_since(conn, made)
    if touched is None:
        return None  # a write since then changed the book whole
    if len(touched) > CHUNK:
        return None  # so much changed that working it all out is quicker
    counts = orjson.loads(tallies)
    return Kept(snapshot, clients, counts["kinds"], counts["tiers"], touched)


def _event(data: list) -> Event:
    kind, client, date, policy_no, lead, detail, reminders, until, amount, round_age, tries = data
    day = dt.date.fromisoformat
    return Event(
        kind,
        client,
        day(date),
        policy_no,
        lead,
        detail,
        tuple(map(day, reminders)),
        None if until is None else day(until),
        None if amount is None else Decimal(amount),
        round_age,
        tries,
    )


def _plain(value: object) -> object:
    """What orjson does not write by itself: an event (a named tuple) and its amount."""
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot keep {type(value).__name__}")


def _items(events: list[Event]) -> str:
    """The events as JSON, every field as it is (dates as ISO dates, amounts exact)."""
    return orjson.dumps(events, default=_plain).decode()


def entries(
    conn: Connection,
    kept: Kept,
    *,
    first: int | None = None,
    only: Collection[str] | None = None,
) -> list[tuple]:
    """The kept lines in rank order, without the touched clients': the ``first`` of them (all
    when None), or ``only`` these clients' (touched ones included). Each as (client, tier,
    segment, events, score), as ``ranking.Entry`` takes them."""
    e = AgendaEntry.c
    query = (
        select(e.client_id, e.tier, e.segment, e.score, e["items"])
        .where(e.snapshot_id == kept.id)
        .order_by(e.position)
    )
    if only is not None:
        query = query.where(e.client_id.in_(list(only)))
    elif kept.touched:
        query = query.where(e.client_id.not_in(list(kept.touched)))
    if first is not None:
        query = query.limit(first)
    return [
        (client, tier, segment, [_event(data) for data in orjson.loads(items)], score)
        for client, tier, segment, score, items in conn.execute(query)
    ]


def keep(
    conn: Connection,
    config: Config,
    day: dt.date,
    agent: str | None,
    made: int,
    lines: list[tuple],
    tallies: tuple[dict[str, int], dict[str, int]],
) -> bool:
    """Keep a list worked out at generation ``made``, unless the book has moved on since; it
    replaces the same list's older ones, and sweeps away a few of other agents' from earlier
    days (a team's thousand lists of yesterday go a few at a time, not all on one person's
    morning). ``lines``: (client, tier, segment, events, score) in rank order."""
    changes.declare(conn, changes.NOTHING)  # a list kept changes nobody's list
    if changes.generation(conn) != made:
        return False
    s, e = AgendaSnapshot, AgendaEntry
    mine = s.c.agent.is_(None) if agent is None else s.c.agent == agent
    earlier = select(s.c.id).where(s.c.day < day).order_by(s.c.id).limit(_SWEEP)
    stale = sorted({*conn.scalars(select(s.c.id).where(mine)), *conn.scalars(earlier)})
    for ids in chunks(stale):
        conn.execute(e.delete().where(e.c.snapshot_id.in_(ids)))
        conn.execute(s.delete().where(s.c.id.in_(ids)))
    kinds, tiers = tallies
    values = {
        "day": day,
        "agent": agent,
        "rules": rules_digest(config),
        "generation": made,
        "clients": len(lines),
        "tallies": orjson.dumps({"kinds": kinds, "tiers": tiers}).decode(),
    }
    snapshot = conn.execute(s.insert().values(values)).inserted_primary_key[0]
    rows = [
        (snapshot, position, client, tier, segment, score, _items(events))
        for position, (client, tier, segment, events, score) in enumerate(lines)
    ]
    names = ["snapshot_id", "position", "client_id", "tier", "segment", "score", "items"]
    write(conn, e.insert(), names, rows)
    return True
