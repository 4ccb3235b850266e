"""What vipctl keeps track of between exports: each policy's earliest unpaid premium and since when
a client's agent has been gone.

Both are worked out when rows arrive (import, ``vipctl paid``, a schema upgrade) and stored, so
the morning agenda reads two small indexed tables instead of every policy's schedule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import Connection, Table, bindparam, func, literal, or_, select

from vipctl import schedule
from vipctl.bulk import Statement, processor
from vipctl.models import AgentDeparture, Client, Payment, Policy, PremiumDue


def _sync(
    conn: Connection, table: Table, wanted: dict[str, tuple], stored: dict[str, tuple]
) -> None:
    """Make ``table``'s rows for the keys considered match ``wanted`` (key -> other columns)."""
    key, *names = (c.name for c in table.c)
    (day,) = (i for i, n in enumerate(names) if n in ("due_date", "since"))
    to_driver = processor(table.c[names[day]], conn.dialect) or (lambda value: value)
    converted: dict = {}  # due dates repeat: convert each once

    def driver(row: tuple, at: int) -> tuple:
        value = row[at]
        if value not in converted:
            converted[value] = to_driver(value)
        return (*row[:at], converted[value], *row[at + 1 :])

    gone = [(k,) for k in stored if k not in wanted]
    new = [driver((k, *v), day + 1) for k, v in wanted.items() if k not in stored]
    changed = [driver((*v, k), day) for k, v in wanted.items() if k in stored and stored[k] != v]
    Statement(conn, table.delete().where(table.c[key] == bindparam("k")), ["k"]).executemany(gone)
    insert = table.insert().values({n: bindparam(n) for n in [key, *names]})
    Statement(conn, insert, [key, *names]).executemany(new)
    update = table.update().where(table.c[key] == bindparam("k"))
    Statement(conn, update.values({n: bindparam(n) for n in names}), [*names, "k"]).executemany(
        changed
    )


def refresh_dues(
    conn: Connection, as_of: dt.date | None, only: Collection[str] | None = None
) -> None:
    """Recompute the unpaid premium of ``only`` these policies (all when None).

    ``as_of`` is the export's day (an import's date); None takes each row's last update.
    """
    p, d, pay = Policy.__table__.c, PremiumDue.__table__.c, Payment.__table__.c
    paid = select(pay.policy_no, func.max(pay.due_date).label("paid")).group_by(pay.policy_no)
    paid = paid.subquery()
    query = (
        select(
            p.policy_no,
            p.client_id,
            p.effective_date,
            p.frequency,
            p.payment_years,
            p.next_due_date,
            p.status,
            p.updated_at if as_of is None else literal(None),  # datetimes are slow to read
            paid.c.paid,
            d.due_date,
        )
        .outerjoin(paid, paid.c.policy_no == p.policy_no)
        .outerjoin(PremiumDue.__table__, d.policy_no == p.policy_no)
    )
    wanted: dict[str, tuple] = {}
    stored: dict[str, tuple] = {}
    for (
        no,
        client,
        effective,
        frequency,
        years,
        stated,
        status,
        updated,
        paid_due,
        due,
    ) in conn.execute(query):
        if only is not None and no not in only:
            continue
        if due is not None:
            stored[no] = (client, due)
        day = as_of or updated.date()
        new = schedule.outstanding(effective, frequency, years, stated, status, day, paid_due)
        if new is not None:
            wanted[no] = (client, new)
    _sync(conn, PremiumDue.__table__, wanted, stored)


def refresh_departures(
    conn: Connection, as_of: dt.date | None, only: Collection[str] | None = None
) -> None:
    """Note since when each client of ``only`` (all when None) has had an agent who left.

    The date only moves when the agent does: re-importing the same file keeps the callback owed.
    """
    c, a = Client.__table__.c, AgentDeparture.__table__.c
    query = (
        select(c.client_id, c.agent, c.agent_status, c.updated_at, a.agent, a.since)
        .outerjoin(AgentDeparture.__table__, a.client_id == c.client_id)
        .where(or_(c.agent_status == "left", a.client_id.is_not(None)))
    )
    wanted: dict[str, tuple] = {}
    stored: dict[str, tuple] = {}
    for client, agent, status, updated, was_agent, since in conn.execute(query):
        if only is not None and client not in only:
            continue
        if since is not None:
            stored[client] = (was_agent, since)
        if status == "left":
            keep = since is not None and was_agent == agent
            wanted[client] = (agent, since if keep else as_of or updated.date())
    _sync(conn, AgentDeparture.__table__, wanted, stored)
