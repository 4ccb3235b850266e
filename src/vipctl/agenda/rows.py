"""Row numbers of the last list shown: ``vipctl done @3`` is row 3 of the last ``today`` this
database showed, whoever's list it was. Kept in the meta table, written without moving the
book's generation (it changes nobody's list)."""

from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import Connection, select

from vipctl.errors import UserError
from vipctl.i18n import _
from vipctl.store import changes, meta
from vipctl.store.tables import Client

KEY = "last_list"
REFERENCE = re.compile(r"@(\d+)")


def remember(conn: Connection, day: dt.date, clients: list[str]) -> None:
    """The clients of the rows just shown, in order."""
    meta.put(conn, KEY, json.dumps({"day": day.isoformat(), "clients": clients}))
    changes.declare(conn, changes.NOTHING)


def resolve(conn: Connection, reference: str) -> tuple[str, str] | None:
    """The client (id, name) of ``@N``; None for anything else, a client id as it is."""
    found = REFERENCE.fullmatch(reference.strip())
    if found is None:
        return None
    c = Client.c
    stored = meta.get(conn, KEY)
    if stored is None:
        raise UserError(
            _("{reference}: no list shown yet: run 'vipctl today' first").format(
                reference=reference
            )
        )
    shown = json.loads(stored)
    n = int(found.group(1))
    if not shown["clients"]:
        said = _("{reference}: the last list (of {day}) had nobody on it")
        raise UserError(said.format(reference=reference, day=shown["day"]))
    if not 1 <= n <= len(shown["clients"]):
        said = _("{reference}: the last list (of {day}) has rows 1 to {rows}")
        raise UserError(
            said.format(reference=reference, day=shown["day"], rows=len(shown["clients"]))
        )
    client = shown["clients"][n - 1]
    name = conn.scalar(select(c.name).where(c.client_id == client))
    return client, name or ""
