"""Taking the book elsewhere: clients and policies in the data contract's columns (so vipctl,
or any tool that reads the contract, imports them back), and what only vipctl knows, the
contacts logged and the payments recorded."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from sqlalchemy import Connection, select

from vipctl.contract import CLIENT_COLUMNS, POLICY_COLUMNS
from vipctl.store.tables import Client, Contact, Payment, Policy

What = Literal["clients", "policies", "contacts", "payments"]

_TABLES = {
    "clients": (Client, [c.name for c in CLIENT_COLUMNS], "client_id"),
    "policies": (Policy, [c.name for c in POLICY_COLUMNS], "policy_no"),
    "contacts": (
        Contact,
        ["client_id", "date", "channel", "outcome", "note", "recorded_at", "by_agent"],
        "id",
    ),
    "payments": (Payment, ["policy_no", "due_date", "paid_on", "recorded_at"], "id"),
}


def rows(conn: Connection, what: What) -> tuple[list[str], Iterable[Sequence]]:
    """The fields and every row of ``what`` in a stable order, unmasked: this is the data."""
    table, fields, key = _TABLES[what]
    query = select(*(table.c[f] for f in fields)).order_by(table.c[key])
    return fields, conn.execute(query).all()
