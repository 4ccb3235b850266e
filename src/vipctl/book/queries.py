"""Read-side queries: rows come back as plain dicts keyed by the contract's canonical names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import Connection, case, func, or_, select

from vipctl.contract import CLIENT_COLUMNS, POLICY_COLUMNS
from vipctl.errors import UserError
from vipctl.i18n import _
from vipctl.rules import plausible
from vipctl.store.tables import Client, ClientTier, Policy, PremiumDue, TierHistory

CLIENT_FIELDS = [c.name for c in CLIENT_COLUMNS]
POLICY_FIELDS = [c.name for c in POLICY_COLUMNS]
_SEARCHED = ("client_id", "name", "company", "phone", "email", "notes")


def tier_columns() -> list:
    """What listings show of a client's assessment: tier, whether it is incomplete, segment."""
    t = ClientTier.c
    return [t.tier, (t.missing != "").label("tier_incomplete"), t.segment]


def clients(
    conn: Connection,
    *,
    agent: str | None = None,
    search: str | None = None,
    only: Collection[str] | None = None,
    limit: int | None = None,
) -> tuple[list[dict], int]:
    """The first ``limit`` clients by id (all when None) with tier, segment and policy count,
    filtered by agent, a text search and ``only`` these ids; and how many there are in all.

    A limit is the database's, with a count beside it: a table of 50 out of 100,000 clients
    then reads 50 rows, not all of them.
    """
    c, p, t = Client.c, Policy.c, ClientTier.c
    filters = []
    if agent:
        filters.append(c.agent == agent)
    if search:
        filters.append(or_(*(c[n].icontains(search, autoescape=True) for n in _SEARCHED)))
    # Counted per listed client through the index on policy.client_id, not for the whole book.
    policies = select(func.count()).where(p.client_id == c.client_id).scalar_subquery()
    query = (
        select(*(c[n] for n in CLIENT_FIELDS), *tier_columns(), policies.label("policies"))
        .outerjoin(ClientTier, t.client_id == c.client_id)
        .where(*filters)
        .order_by(c.client_id)
    )
    if only is not None:  # a set worked out in Python, too large for an IN list
        found = [dict(row) for row in conn.execute(query).mappings() if row["client_id"] in only]
        return found[:limit], len(found)
    rows = [dict(row) for row in conn.execute(query.limit(limit)).mappings()]
    if limit is None or len(rows) < limit:
        return rows, len(rows)
    return rows, conn.scalar(select(func.count()).select_from(Client).where(*filters))


def client(conn: Connection, client_id: str) -> dict | None:
    """The client's row with its stored assessment (tier, off, missing, segment, premium)."""
    c, t = Client.c, ClientTier.c
    query = (
        select(
            *(c[n] for n in CLIENT_FIELDS),
            *tier_columns(),
            t.off,
            t.missing,
            t.annual_premium,
            t.value_premium,
        )
        .outerjoin(ClientTier, t.client_id == c.client_id)
        .where(c.client_id == client_id)
    )
    found = conn.execute(query).mappings().first()
    return dict(found) if found else None


def tier_counts(conn: Connection, agent: str | None = None) -> list[dict]:
    """Clients per (tier, segment), with how many of them are incompletely assessed; of one
    agent's clients when ``agent`` is given."""
    c, t = Client.c, ClientTier.c
    query = select(
        t.tier,
        t.segment,
        func.count().label("clients"),
        func.sum(case((t.missing != "", 1), else_=0)).label("incomplete"),
    ).group_by(t.tier, t.segment)
    if agent is not None:
        query = query.join(Client, c.client_id == t.client_id).where(c.agent == agent)
    return [dict(row) for row in conn.execute(query).mappings()]


def unassessed(conn: Connection, agent: str | None = None) -> int:
    c, t = Client.c, ClientTier.c
    query = (
        select(func.count())
        .select_from(Client)
        .outerjoin(ClientTier, t.client_id == c.client_id)
        .where(t.client_id.is_(None))
    )
    if agent is not None:
        query = query.where(c.agent == agent)
    return conn.scalar(query) or 0


def movements(
    conn: Connection,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    client_id: str | None = None,
    after: int | None = None,
    agent: str | None = None,
) -> list[dict]:
    """Tier changes, oldest first, in a period and/or of one client or agent's clients, and/or
    recorded after the history row numbered ``after``."""
    h, c = TierHistory.c, Client.c
    query = (
        select(
            h.client_id,
            c.name,
            c.agent,
            h.date,
            h.from_tier.label("from"),
            h.to_tier.label("to"),
            h.changed,
        )
        .join(Client, c.client_id == h.client_id)
        .order_by(h.date, h.client_id, h.id)
    )
    if since is not None:
        query = query.where(h.date >= since)
    if until is not None:
        query = query.where(h.date <= until)
    if client_id is not None:
        query = query.where(h.client_id == client_id)
    if after is not None:
        query = query.where(h.id > after)
    if agent is not None:
        query = query.where(c.agent == agent)
    return [dict(row) for row in conn.execute(query).mappings()]


def policies_of(conn: Connection, client_id: str) -> list[dict]:
    """The client's policies; ``next_due_date`` is the earliest unpaid premium, as the agenda
    sees it (the export's own date, moved on by payments recorded since)."""
    p, d = Policy.c, PremiumDue.c
    columns = [d.due_date.label(n) if n == "next_due_date" else p[n] for n in POLICY_FIELDS]
    query = (
        select(*columns)
        .outerjoin(PremiumDue, d.policy_no == p.policy_no)
        .where(p.client_id == client_id)
        .order_by(p.effective_date, p.policy_no)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def incomes_below_premiums(conn: Connection) -> list[tuple[str, object, object]]:
    """(client id, annual income, annual premium) of clients whose stated income is below the
    premiums they pay a year (``plausible.income``), by client id; amounts as the driver gives
    them."""
    c, t = Client.c, ClientTier.c
    query = (
        select(c.client_id, c.annual_income, t.annual_premium)
        .join(ClientTier, t.client_id == c.client_id)
        .where(c.annual_income.is_not(None), c.annual_income < t.annual_premium)
        .order_by(c.client_id)
    )
    return [tuple(row) for row in conn.execute(query)]


def doubts(conn: Connection, today: dt.date) -> list[str]:
    """The book's implausible values, as an import warns of them: by client, then policy."""
    c, p = Client.c, Policy.c
    found = []
    people = select(c.client_id, c.birthday, c.wedding_anniversary).where(
        or_(c.birthday.is_not(None), c.wedding_anniversary.is_not(None))
    )
    for client, born, wed in conn.execute(people.order_by(c.client_id)):
        found += [
            f"client {client}: {name}: {why}"
            for name, why in plausible.client(born, wed, today, plausible.TODAY)
        ]
    for client, income, premium in incomes_below_premiums(conn):
        found.append(f"client {client}: annual_income: {plausible.income(income, premium)}")
    policies = select(p.policy_no, p.effective_date, p.category, p.premium, p.sum_assured)
    for number, *values in conn.execute(policies.order_by(p.policy_no)):
        found += [
            f"policy {number}: {name}: {why}"
            for name, why in plausible.policy(*values, today, plausible.TODAY)
        ]
    return found


def agent_order(agent: str | None) -> tuple[bool, str]:
    """The order of a table per agent: by name, the clients of no agent last."""
    return agent is None, agent or ""


def agents(conn: Connection) -> list[str]:
    """Every agent with clients in the book, by name."""
    c = Client.c
    query = select(c.agent).where(c.agent.is_not(None)).distinct().order_by(c.agent)
    return list(conn.scalars(query))


def book_is_empty(conn: Connection) -> bool:
    return conn.scalar(select(Client.c.client_id).limit(1)) is None


def book_size(conn: Connection) -> int:
    return conn.scalar(select(func.count()).select_from(Client)) or 0


def check_agent(conn: Connection, agent: str | None) -> None:
    """A list asked for an agent nobody in the book has would be empty and read as "nothing to
    do": a misspelt name is said, with the names there are."""
    c = Client.c
    if agent is None or conn.scalar(select(c.client_id).where(c.agent == agent).limit(1)):
        return
    known = agents(conn)
    if not known:
        said = _("no client of agent {agent}: no client in the book has an agent")
        raise UserError(said.format(agent=repr(agent)))
    names = ", ".join(known[:20])
    if len(known) > 20:
        names = _("{names} and {more} more").format(names=names, more=f"{len(known) - 20:,}")
    said = _("no client of agent {agent}; the agents are: {names}")
    raise UserError(said.format(agent=repr(agent), names=names))
