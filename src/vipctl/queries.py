"""Read-side queries: rows come back as plain dicts keyed by the contract's canonical names."""

from __future__ import annotations

from sqlalchemy import Connection, func, or_, select

from vipctl.contract import CLIENT_COLUMNS, POLICY_COLUMNS
from vipctl.models import Client, Policy

CLIENT_FIELDS = [c.name for c in CLIENT_COLUMNS]
POLICY_FIELDS = [c.name for c in POLICY_COLUMNS]
_SEARCHED = ("client_id", "name", "company", "phone", "email", "notes")


def clients(conn: Connection, *, agent: str | None = None, search: str | None = None) -> list[dict]:
    """Clients with their policy counts, filtered by agent and a case-insensitive text search."""
    c, p = Client.__table__.c, Policy.__table__.c
    policies = select(p.client_id, func.count().label("policies")).group_by(p.client_id).subquery()
    query = (
        select(
            *(c[n] for n in CLIENT_FIELDS), func.coalesce(policies.c.policies, 0).label("policies")
        )
        .outerjoin(policies, policies.c.client_id == c.client_id)
        .order_by(c.client_id)
    )
    if agent:
        query = query.where(c.agent == agent)
    if search:
        query = query.where(or_(*(c[n].icontains(search, autoescape=True) for n in _SEARCHED)))
    return [dict(row) for row in conn.execute(query).mappings()]


def client(conn: Connection, client_id: str) -> dict | None:
    c = Client.__table__.c
    row = conn.execute(select(*(c[n] for n in CLIENT_FIELDS)).where(c.client_id == client_id))
    found = row.mappings().first()
    return dict(found) if found else None


def policies_of(conn: Connection, client_id: str) -> list[dict]:
    p = Policy.__table__.c
    query = (
        select(*(p[n] for n in POLICY_FIELDS))
        .where(p.client_id == client_id)
        .order_by(p.effective_date, p.policy_no)
    )
    return [dict(row) for row in conn.execute(query).mappings()]
