"""Keeping ``client_tier`` and ``tier_history`` in step with the clients, policies and config.

One read of every client with its stored assessment and its annualised premium, the rules applied
in Python, and only the differences written back: recomputing twice writes nothing the second
time. Segments are relative to the whole book, so every client's segment is recomputed each time;
tiers only for the clients asked for (an import's touched clients) and those never assessed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import (
    Connection,
    bindparam,
    case,
    func,
    or_,
    select,
)

from vipctl import segments, tiers
from vipctl.bulk import processor, raw, write
from vipctl.config import Config
from vipctl.contract import NOT_IN_FORCE
from vipctl.models import Client, ClientTier, Policy, TierHistory

_FIELDS = ("tier", "off", "missing", "segment", "annual_premium", "premium_share", "since")


@dataclass
class Recomputed:
    clients: int = 0
    first: int = 0  # clients assessed for the first time
    up: int = 0
    down: int = 0
    segment_changes: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.first or self.up or self.down or self.segment_changes)


def annual_premium_by_client():
    """Each client's premium per year from in-force policies, summed by the database.

    A single premium does not recur, so it does not count; an unknown frequency counts as annual.
    """
    p = Policy.__table__.c
    per_year = case(segments.PER_YEAR, value=p.frequency, else_=1)
    in_force = or_(p.status.is_(None), p.status.not_in(NOT_IN_FORCE))
    return (
        select(p.client_id, func.sum(p.premium * per_year).label("premium"))
        .where(in_force, p.premium.is_not(None))
        .group_by(p.client_id)
        .subquery()
    )


def _csv(names: Collection[str]) -> str:
    return ",".join(names)


def _changed(before: tuple[str, str], after: tuple[str, str]) -> list[str]:
    """Indicators whose state (healthy, off or unknown) differs between two (off, missing)."""

    def state(pair: tuple[str, str], name: str) -> tuple[bool, bool]:
        return name in pair[0].split(","), name in pair[1].split(",")

    return [n for n in tiers.NAMES if state(before, n) != state(after, n)]


def recompute(
    conn: Connection, config: Config, today: dt.date, only: Collection[str] | None = None
) -> Recomputed:
    """Reassess ``only`` these clients (all when None) and resegment everyone, inside ``conn``'s
    transaction; tier changes go to the history dated ``today``.

    Rows stay in the driver's own values (premiums as the database sums them, dates as it stores
    them) from the read to the write: converting 100,000 of each both ways was most of the time.
    """
    c, t = Client.__table__.c, ClientTier.__table__.c
    premiums = annual_premium_by_client()
    query = (
        select(
            c.client_id,
            *(c[name] for name in tiers.NAMES),
            raw(func.coalesce(premiums.c.premium, 0)),
            raw(c.annual_income),
            *(raw(t[name]) for name in _FIELDS),
        )
        .outerjoin(premiums, premiums.c.client_id == c.client_id)
        .outerjoin(ClientTier.__table__, t.client_id == c.client_id)
    )
    rows = conn.execute(query).all()
    n = len(tiers.NAMES)
    segment_of = segments.segment_all({r[0]: r[n + 1] for r in rows}, config.segments)
    rules = config.tiers
    to_driver = processor(t.since, conn.dialect)
    day = to_driver(today) if to_driver else today
    memo: dict[tuple, tuple[str, str, str]] = {}
    report = Recomputed(clients=len(rows))
    inserts: list[tuple] = []
    updates: list[tuple] = []
    history: list[tuple] = []
    for r in rows:
        client, premium, income = r[0], r[n + 1], r[n + 2]
        share = float(premium) * 100 / float(income) if income else None
        stored = r[n + 3 :]  # as _FIELDS

        if stored[0] is None or only is None or client in only:
            values = r[1 : n + 1]
            if values not in memo:
                found = tiers.assess(dict(zip(tiers.NAMES, values, strict=True)), rules)
                memo[values] = (found.tier, _csv(found.off), _csv(found.missing))
            tier, off, missing = memo[values]
        else:
            tier, off, missing = stored[:3]
        segment = segment_of[client]
        if stored[0] is None:
            inserts.append((client, tier, off, missing, segment, premium, share, day, day))
            report.first += 1
            continue
        if (tier, off, missing, segment, premium, share) == stored[:6]:
            continue
        moved, resegmented = tier != stored[0], segment != stored[3]
        since = day if moved or resegmented else stored[6]
        updates.append((tier, off, missing, segment, premium, share, since, client))
        report.segment_changes += resegmented
        if moved:
            if tiers.movement(stored[0], tier) == "up":
                report.up += 1
            else:
                report.down += 1
            changed = _csv(_changed((stored[1], stored[2]), (off, missing)))
            history.append((client, day, stored[0], tier, changed))
    table = ClientTier.__table__
    write(conn, table.insert(), ["client_id", *_FIELDS, "first_seen"], inserts)
    write(conn, table.update().where(t.client_id == bindparam("key")), [*_FIELDS, "key"], updates)
    logged = ["client_id", "date", "from_tier", "to_tier", "changed"]
    write(conn, TierHistory.__table__.insert(), logged, history)
    return report
