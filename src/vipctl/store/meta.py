"""Facts about the book kept in the meta table, by key: the book's generation, the rules its
tiers were assessed under, the rows of the last list shown."""

from __future__ import annotations

from sqlalchemy import Connection, select

from vipctl.store.tables import Meta


def get(conn: Connection, key: str) -> str | None:
    m = Meta.c
    return conn.scalar(select(m.value).where(m.key == key))


def put(conn: Connection, key: str, value: str) -> None:
    m = Meta
    if not conn.execute(m.update().where(m.c.key == key).values(value=value)).rowcount:
        conn.execute(m.insert().values(key=key, value=value))
