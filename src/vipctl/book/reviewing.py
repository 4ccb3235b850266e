"""What the needs analysis reads, and the visit brief and gap list it makes.

Cover is summed by the database (in-force sum assured per client and category); households are
read whole, since who the main earner is and what the family earns depend on every member. The
rules themselves are in ``needs``.
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal

from sqlalchemy import Connection, func, or_, select

from vipctl.config import SEGMENTS, Config
from vipctl.contract import NOT_IN_FORCE
from vipctl.rules import needs
from vipctl.store.bulk import rows_in
from vipctl.store.tables import Client, ClientTier, Policy


def cover(
    conn: Connection, client_ids: Collection[str] | None = None
) -> dict[str, dict[str, Decimal]]:
    """In-force sum assured per client and category (these clients', or everyone's)."""
    p = Policy.c
    query = (
        select(p.client_id, p.category, func.sum(p.sum_assured))
        .where(
            or_(p.status.is_(None), p.status.not_in(NOT_IN_FORCE)),
            p.category.is_not(None),
            p.sum_assured.is_not(None),
        )
        .group_by(p.client_id, p.category)
    )
    found: dict[str, dict[str, Decimal]] = {}
    for client, category, total in rows_in(conn, query, p.client_id, client_ids):
        found.setdefault(client, {})[category] = total
    return found


def households(
    conn: Connection, client_ids: Collection[str] | None = None
) -> dict[str, needs.Household]:
    """Household facts of these clients (of everyone when None), each judged with every member
    of their household."""
    c = Client.c
    query = select(c.client_id, c.household_id, c.relation, c.annual_income, c.investable_assets)
    if client_ids is None:
        rows = list(conn.execute(query))
    else:
        homes = select(c.household_id).where(c.household_id.is_not(None))
        shared = {h for (h,) in rows_in(conn, homes, c.client_id, client_ids)}
        rows = list(rows_in(conn, query, c.client_id, client_ids))
        rows += [r for r in rows_in(conn, query, c.household_id, shared) if r[0] not in client_ids]
    groups: dict[str, list] = {}
    for member_id, household_id, *facts in rows:
        groups.setdefault(household_id or f"\0{member_id}", []).append((member_id, *facts))
    return {
        member[0]: needs.household(member[0], members)
        for members in groups.values()
        for member in members
        if client_ids is None or member[0] in client_ids
    }


def high_end_ids(conn: Connection, config: Config) -> set[str]:
    """Clients whose household is high-end by the seeds' definition."""
    return {
        client for client, home in households(conn).items() if needs.high_end(home, config.needs)
    }


def high_end_of(conn: Connection, config: Config, client_id: str) -> dict:
    """``high_end`` (True, False or None: unknown) and ``high_end_band`` (``needs.band``)."""
    home = households(conn, {client_id})[client_id]
    return {
        "high_end": needs.high_end(home, config.needs),
        "high_end_band": needs.band(home, config.needs),
    }


_NO_AMOUNT = Decimal(-1)
_GAP_ORDERS = {
    "shortfall": lambda r: (-(r["short_by"] or _NO_AMOUNT), r["client_id"]),
    "client": lambda r: (r["client_id"], needs.NEEDS.index(r["need"])),
    "tier": lambda r: (r["tier"] or "~", -(r["short_by"] or _NO_AMOUNT), r["client_id"]),
    "segment": lambda r: (
        SEGMENTS.index(r["segment"]) if r["segment"] in SEGMENTS else len(SEGMENTS),
        -(r["short_by"] or _NO_AMOUNT),
        r["client_id"],
    ),
}


def sort_gaps(rows: list[dict], by: str) -> list[dict]:
    """``shortfall``: the largest amount short first (absent property cover, which has no
    amount, last); ``tier``: A to D, then shortfall; ``segment``: key clients first."""
    return sorted(rows, key=_GAP_ORDERS[by])


GAP_FIELDS = [
    "client_id",
    "name",
    "tier",
    "segment",
    "agent",
    "need",
    "state",
    "have",
    "guidance_min",
    "short_by",
]


def gaps(
    conn: Connection,
    config: Config,
    *,
    tiers: Collection[str] = (),
    segments: Collection[str] = (),
    agent: str | None = None,
    wanted: Collection[str] = needs.NEEDS,
    high_end: bool = False,
) -> list[dict]:
    """One row per client and need that is absent or short, in client order; of high-end
    clients only with ``high_end`` (the seeds' guidance is written for them)."""
    c, t = Client.c, ClientTier.c
    query = (
        select(c.client_id, c.name, t.tier, t.segment, c.agent, c.owns_property)
        .outerjoin(ClientTier, t.client_id == c.client_id)
        .order_by(c.client_id)
    )
    if tiers:
        query = query.where(t.tier.in_(tiers))
    if segments:
        query = query.where(t.segment.in_(segments))
    if agent:
        query = query.where(c.agent == agent)
    chosen = list(conn.execute(query))
    if high_end:
        rich = high_end_ids(conn, config)
        chosen = [row for row in chosen if row[0] in rich]
    narrowed = bool(tiers or segments or agent or high_end)
    ids = {row[0] for row in chosen} if narrowed else None
    held, homes = cover(conn, ids), households(conn, ids)
    rows = []
    for client_id, name, tier, segment, agent_name, owns in chosen:
        lines = needs.coverage(held.get(client_id, {}), homes[client_id], owns, config.needs)
        for line in lines:
            if line.state in needs.GAPS and line.need in wanted:
                rows.append(
                    {
                        "client_id": client_id,
                        "name": name,
                        "tier": tier,
                        "segment": segment,
                        "agent": agent_name,
                        "need": line.need,
                        "state": line.state,
                        "have": line.have,
                        "guidance_min": line.minimum,
                        "short_by": line.short_by,
                    }
                )
    return rows
