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
from collections.abc import Callable, Collection, Iterator
from typing import Any

from sqlalchemy import (
    Connection,
    Dialect,
    Row,
    Select,
    Table,
    bindparam,
    func,
    literal,
    or_,
    select,
)

from vipctl.rules import schedule
from vipctl.store.bulk import Statement, is_empty, processor, raw, reader, rows_in, write
from vipctl.store.tables import AgentDeparture, Client, Payment, Policy, PremiumDue


def _dates(dialect: Dialect) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """(driver value -> date, date -> driver value) for this dialect."""
    column = PremiumDue.c.due_date
    read, write = reader(column, dialect), processor(column, dialect)

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


SCHEDULE = ("effective_date", "frequency", "payment_years", "next_due_date", "status")


class _Outstanding:
    """``schedule.outstanding`` in driver values, each distinct schedule worked out once."""

    def __init__(self, dialect: Dialect, grace_days: int, *, python_dates: bool = False) -> None:
        to_date, self._to_driver = _dates(dialect)
        self._grace_days = grace_days
        self._to_date = (lambda value: value) if python_dates else to_date
        self._memo: dict[tuple, Any] = {}

    def get(self, key: tuple) -> Any:
        """``key``: (effective, frequency, payment years, stated due, status, as of, paid)."""
        found = self._memo.get(key, self)
        if found is self:
            effective, frequency, years, stated, status, day, paid = key
            to_date = self._to_date
            due = schedule.outstanding(
                to_date(effective),
                frequency,
                years,
                to_date(stated),
                status,
                day,
                to_date(paid),
                self._grace_days,
            )
            found = self._memo[key] = None if due is None else self._to_driver(due)
        return found


def _paid_through() -> Select:
    """Each policy's latest premium recorded as paid with ``vipctl paid``, in driver values."""
    pay = Payment.c
    return select(pay.policy_no, raw(func.max(pay.due_date)).label("paid")).group_by(pay.policy_no)


def refresh_dues(
    conn: Connection,
    as_of: dt.date | None,
    only: Collection[str] | None = None,
    grace_days: int = schedule.GRACE_DAYS,
) -> None:
    """Recompute the unpaid premium of ``only`` these policies (all when None).

    ``as_of`` is the export's day (an import's date); None takes each row's last update.
    """
    p, d = Policy.c, PremiumDue.c
    paid = _paid_through().subquery()
    query = (
        select(
            raw(p.policy_no),
            raw(p.client_id),
            *(raw(p[name]) for name in SCHEDULE),
            p.updated_at if as_of is None else literal(None),
            raw(paid.c.paid),
            raw(d.due_date),
        )
        .outerjoin(paid, paid.c.policy_no == p.policy_no)
        .outerjoin(PremiumDue, d.policy_no == p.policy_no)
    )
    outstanding = _Outstanding(conn.dialect, grace_days)
    wanted: dict[str, tuple] = {}
    stored: dict[str, tuple] = {}
    rows = conn.execute(query.execution_options(yield_per=10_000))  # memory stays flat
    for no, client, *schedule_of, updated, paid_due, due in rows:
        if only is not None and no not in only:
            continue
        if due is not None:
            stored[no] = (client, due)
        found = outstanding.get((*schedule_of, as_of or updated.date(), paid_due))
        if found is not None:
            wanted[no] = (client, found)
    _sync(conn, PremiumDue, wanted, stored)


class Unpaid:
    """Each policy's earliest unpaid premium as if none were recorded with ``vipctl paid``,
    worked out from validated rows (Python values) into driver values.

    It needs no connection, so the reading side of an import works it out while the writing side
    is busy; ``DuesAsImported`` then only redoes the few policies with a recorded payment.
    """

    def __init__(self, dialect: Dialect, as_of: dt.date, grace_days: int) -> None:
        self._get = _Outstanding(dialect, grace_days, python_dates=True).get
        self.as_of = as_of

    def column(self, rows: dict[str, list]) -> list:
        """``rows``: one batch as validated, column name -> values."""
        get, day = self._get, self.as_of
        schedules = zip(*(rows[name] for name in SCHEDULE), strict=True)
        return [get((*schedule, day, None)) for schedule in schedules]


def _rows_of(conn: Connection, query: Select, keys: Collection[str]) -> Iterator[Row]:
    """``query``'s rows whose first column is one of ``keys``."""
    return rows_in(conn, query, query.selected_columns[0], keys)


class DuesAsImported:
    """The unpaid premiums of an import's policies, written batch by batch from the rows in
    hand: reading 200,000 policies back after the import cost as much as working them out.

    Only for files that carry every ``SCHEDULE`` column; without one, an updated row keeps a
    stored value the batch does not have, and ``refresh_dues`` reads it back instead.
    """

    def __init__(self, conn: Connection, as_of: dt.date, grace_days: int) -> None:
        self.conn = conn
        self.as_of = as_of
        self._outstanding = _Outstanding(conn.dialect, grace_days)
        self._any_stored = not is_empty(conn, PremiumDue)
        self._any_paid = not is_empty(conn, Payment)

    def write(self, rows: dict[str, list], keys: Collection[str], unpaid: list) -> None:
        """``rows``: one batch in driver values, column name -> values; ``keys``: the policy
        numbers of it that were inserted or updated; ``unpaid``: ``Unpaid.column`` of it."""
        if not keys:
            return
        d = PremiumDue.c
        paid = dict(_rows_of(self.conn, _paid_through(), keys)) if self._any_paid else {}
        stored = {}
        if self._any_stored:
            query = select(d.policy_no, d.client_id, raw(d.due_date))
            stored = {no: (client, due) for no, client, due in _rows_of(self.conn, query, keys)}
        numbers = rows["policy_no"]
        every = len(keys) == len(numbers)
        get, day = self._outstanding.get, self.as_of
        wanted: dict[str, tuple] = {}
        columns = zip(numbers, rows["client_id"], unpaid, *(rows[n] for n in SCHEDULE), strict=True)
        for no, client, found, *schedule_of in columns:
            if every or no in keys:
                if no in paid:
                    found = get((*schedule_of, day, paid[no]))
                if found is not None:
                    wanted[no] = (client, found)
        _sync(self.conn, PremiumDue, wanted, stored)


def refresh_departures(
    conn: Connection, as_of: dt.date | None, only: Collection[str] | None = None
) -> None:
    """Note since when each client of ``only`` (all when None) has had an agent who left.

    The date only moves when the agent does: re-importing the same file keeps the callback owed.
    """
    c, a = Client.c, AgentDeparture.c
    query = (
        select(c.client_id, c.agent, c.agent_status, c.updated_at, a.agent, raw(a.since), a.kept)
        .outerjoin(AgentDeparture, a.client_id == c.client_id)
        .where(or_(c.agent_status == "left", a.client_id.is_not(None)))
    )
    _, to_driver = _dates(conn.dialect)
    wanted: dict[str, tuple] = {}
    stored: dict[str, tuple] = {}
    for client, agent, status, updated, was_agent, since, kept in conn.execute(query).all():
        if (only is not None and client not in only) or kept:
            continue  # a reassignment keeps its callback owed until it is made
        if since is not None:
            stored[client] = (was_agent, since, False)
        if status == "left":
            keep = since is not None and was_agent == agent
            wanted[client] = (agent, since if keep else to_driver(as_of or updated.date()), False)
    _sync(conn, AgentDeparture, wanted, stored)
