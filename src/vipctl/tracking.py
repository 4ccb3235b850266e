"""What vipctl keeps track of between exports: each policy's earliest unpaid premium and since when
a client's agent has been gone.

Both are worked out when rows arrive (import, ``vipctl paid``, a schema upgrade) and stored, so
the morning agenda reads two small indexed tables instead of every policy's schedule.

Rows stay in the driver's own values from the read to the write, and each distinct schedule is
worked out once: a first import of 200,000 policies otherwise spent two seconds here converting
dates back and forth.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, literal, or_, select

from vipctl import schedule
from vipctl.bulk import Statement, processor, raw, reader, write
from vipctl.models import AgentDeparture, Client, Payment, Policy, PremiumDue


def _dates(conn: Connection) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """(driver value -> date, date -> driver value) for this connection's dialect."""
    column = PremiumDue.__table__.c.due_date
    read, write = reader(column, conn.dialect), processor(column, conn.dialect)

    def to_date(value: Any) -> dt.date | None:
        return read(value) if read and value is not None else value

    return to_date, write or (lambda value: value)


def _sync(
    conn: Connection, table: Table, wanted: dict[str, tuple], stored: dict[str, tuple]
) -> None:
    """Make ``table``'s rows for the keys considered match ``wanted`` (key -> other columns),
    all in driver values."""
    key, *names = (c.name for c in table.c)
    gone = [(k,) for k in stored if k not in wanted]
    new = [(k, *v) for k, v in wanted.items() if k not in stored]
    changed = [(*v, k) for k, v in wanted.items() if k in stored and stored[k] != v]
    Statement(conn, table.delete().where(table.c[key] == bindparam("k")), ["k"]).executemany(gone)
    write(conn, table.insert(), [key, *names], new)
    write(conn, table.update().where(table.c[key] == bindparam("k")), [*names, "k"], changed)


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
            raw(p.policy_no),
            raw(p.client_id),
            raw(p.effective_date),
            raw(p.frequency),
            raw(p.payment_years),
            raw(p.next_due_date),
            raw(p.status),
            p.updated_at if as_of is None else literal(None),
            raw(paid.c.paid),
            raw(d.due_date),
        )
        .outerjoin(paid, paid.c.policy_no == p.policy_no)
        .outerjoin(PremiumDue.__table__, d.policy_no == p.policy_no)
    )
    to_date, to_driver = _dates(conn)
    worked_out: dict[tuple, Any] = {}
    wanted: dict[str, tuple] = {}
    stored: dict[str, tuple] = {}
    rows = conn.execute(query.execution_options(yield_per=10_000))  # memory stays flat
    for no, client, *schedule_of, updated, paid_due, due in rows:
        if only is not None and no not in only:
            continue
        if due is not None:
            stored[no] = (client, due)
        day = as_of or updated.date()
        memo = (*schedule_of, day, paid_due)
        if memo not in worked_out:
            effective, frequency, years, stated, status = schedule_of
            found = schedule.outstanding(
                to_date(effective),
                frequency,
                years,
                to_date(stated),
                status,
                day,
                to_date(paid_due),
            )
            worked_out[memo] = None if found is None else to_driver(found)
        if worked_out[memo] is not None:
            wanted[no] = (client, worked_out[memo])
    _sync(conn, PremiumDue.__table__, wanted, stored)


def refresh_departures(
    conn: Connection, as_of: dt.date | None, only: Collection[str] | None = None
) -> None:
    """Note since when each client of ``only`` (all when None) has had an agent who left.

    The date only moves when the agent does: re-importing the same file keeps the callback owed.
    """
    c, a = Client.__table__.c, AgentDeparture.__table__.c
    query = (
        select(c.client_id, c.agent, c.agent_status, c.updated_at, a.agent, raw(a.since))
        .outerjoin(AgentDeparture.__table__, a.client_id == c.client_id)
        .where(or_(c.agent_status == "left", a.client_id.is_not(None)))
    )
    _, to_driver = _dates(conn)
    wanted: dict[str, tuple] = {}
    stored: dict[str, tuple] = {}
    for client, agent, status, updated, was_agent, since in conn.execute(query).all():
        if only is not None and client not in only:
            continue
        if since is not None:
            stored[client] = (was_agent, since)
        if status == "left":
            keep = since is not None and was_agent == agent
            wanted[client] = (agent, since if keep else to_driver(as_of or updated.date()))
    _sync(conn, AgentDeparture.__table__, wanted, stored)
