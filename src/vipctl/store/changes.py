"""The book's change journal: every write transaction says what it changes, and the book's
*generation* moves on with it, so whatever was worked out from the book (the day's kept list,
``agenda.snapshots``) can tell whether it still holds.

A write declares, inside its transaction, one of: the clients whose data it changed (a contact
logged, an item done, a snooze, a payment: those clients' lines are worked out again, everyone
else's stand); ``NOTHING`` (a report recorded, a list kept, an import that found every row as
it was); or ``EVERYTHING`` (an import that changed rows, a tier recompute, a restore, an
upgrade). ``Database.write`` refuses to commit a transaction that declared nothing: a write
path that forgot would otherwise either serve stale lists or silently throw them all away.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from sqlalchemy import Connection, select

from vipctl.store import meta
from vipctl.store.bulk import write
from vipctl.store.tables import AgendaTouch

_KEY = "generation"
_DECLARED = "vipctl_changes"  # Connection.info: what this write transaction changes


class _Everything:
    def __repr__(self) -> str:
        return "EVERYTHING"


EVERYTHING: Final = _Everything()
NOTHING: frozenset[str] = frozenset()


class Undeclared(RuntimeError):
    """A write transaction that said nothing of what it changed: a fault of vipctl's code."""


def generation(conn: Connection) -> int:
    found = meta.get(conn, _KEY)
    return int(found) if found is not None else 0


def begin(conn: Connection) -> None:
    """At the start of a write transaction: nothing declared yet."""
    conn.info.pop(_DECLARED, None)


def declare(conn: Connection, changed: Collection[str] | _Everything) -> None:
    """Say what this write transaction changes; declarations add up (the book, once declared,
    stays declared whole)."""
    if conn.info.get(_DECLARED) is EVERYTHING:
        return
    if changed is EVERYTHING:
        conn.info[_DECLARED] = EVERYTHING
    else:
        conn.info.setdefault(_DECLARED, set()).update(changed)


def end(conn: Connection) -> None:
    """At the end of a write transaction, inside it: move the generation on, noting which
    clients changed when only some did."""
    if _DECLARED not in conn.info:
        raise Undeclared("a write transaction must declare what it changes (store.changes)")
    changed = conn.info.pop(_DECLARED)
    if changed is not EVERYTHING and not changed:
        return
    now = generation(conn) + 1
    _set_generation(conn, now)
    if changed is not EVERYTHING:
        rows = [(now, client) for client in sorted(changed)]
        write(conn, AgendaTouch.insert(), ["generation", "client_id"], rows)


def move_past(conn: Connection, replaced: int) -> None:
    """After the book was replaced whole (a restore), in a write transaction: its generation
    moves past both its own and the replaced book's, so that nothing worked out from either,
    kept or still being worked out, can be taken for the new book's."""
    declare(conn, EVERYTHING)
    if generation(conn) < replaced:
        _set_generation(conn, replaced)


def touched_since(conn: Connection, made: int) -> frozenset[str] | None:
    """The clients changed by the writes after generation ``made``; None when one of them
    changed the book whole (or its touches were forgotten)."""
    now = generation(conn)
    t = AgendaTouch.c
    touches = conn.execute(
        select(t.generation, t.client_id).where(t.generation > made, t.generation <= now)
    ).all()
    if len({g for g, _ in touches}) != now - made:
        return None
    return frozenset(client for _, client in touches)


def forget_until(conn: Connection, made: int) -> None:
    """Touches up to generation ``made`` are no longer asked for: nothing kept is older."""
    t = AgendaTouch
    conn.execute(t.delete().where(t.c.generation <= made))


def _set_generation(conn: Connection, value: int) -> None:
    meta.put(conn, _KEY, str(value))
