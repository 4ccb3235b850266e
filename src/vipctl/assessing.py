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

from sqlalchemy import Connection, Numeric, bindparam, case, func, or_, select, type_coerce

from vipctl import segments, tiers
from vipctl.config import Config
from vipctl.contract import NOT_IN_FORCE
from vipctl.models import Client, ClientTier, Policy, TierHistory

_FIELDS = ("tier", "off", "missing", "segment", "annual_premium", "since")


@dataclass
class Recomputed:
    clients: int = 0
    assessed: int = 0  # clients whose tier was worked out (the rest kept theirs)
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


def _changed(before: dict, after: dict) -> list[str]:
    """Indicators whose state (healthy, off or unknown) differs between two assessments."""

    def state(row: dict, name: str) -> tuple[bool, bool]:
        return name in row["off"].split(","), name in row["missing"].split(",")

    return [n for n in tiers.NAMES if state(before, n) != state(after, n)]


def recompute(
    conn: Connection, config: Config, today: dt.date, only: Collection[str] | None = None
) -> Recomputed:
    """Reassess ``only`` these clients (all when None) and resegment everyone, inside ``conn``'s
    transaction; tier changes go to the history dated ``today``."""
    c, t = Client.__table__.c, ClientTier.__table__.c
    premiums = annual_premium_by_client()
    amount = type_coerce(func.coalesce(premiums.c.premium, 0), Numeric(16, 2))
    query = (
        select(
            c.client_id,
            *(c[name] for name in tiers.NAMES),
            amount.label("premium"),
            *(t[name].label(f"stored_{name}") for name in _FIELDS),
        )
        .outerjoin(premiums, premiums.c.client_id == c.client_id)
        .outerjoin(ClientTier.__table__, t.client_id == c.client_id)
    )
    rows = conn.execute(query).mappings().all()
    segment_of = segments.segment_all({r["client_id"]: r["premium"] for r in rows}, config.segments)
    rules = config.tiers
    memo: dict[tuple, tiers.Assessment] = {}
    report = Recomputed(clients=len(rows))
    inserts: list[dict] = []
    updates: list[dict] = []
    history: list[dict] = []
    for r in rows:
        client, stored_tier = r["client_id"], r["stored_tier"]
        if stored_tier is None or only is None or client in only:
            values = tuple(r[name] for name in tiers.NAMES)
            if values not in memo:
                memo[values] = tiers.assess(dict(zip(tiers.NAMES, values, strict=True)), rules)
            found = memo[values]
            tier, off, missing = found.tier, _csv(found.off), _csv(found.missing)
            report.assessed += 1
        else:
            tier, off, missing = stored_tier, r["stored_off"], r["stored_missing"]
        row = {
            "client_id": client,
            "tier": tier,
            "off": off,
            "missing": missing,
            "segment": segment_of[client],
            "annual_premium": r["premium"],
        }
        if stored_tier is None:
            inserts.append({**row, "since": today})
            report.first += 1
            continue
        stored = {name: r[f"stored_{name}"] for name in _FIELDS}
        if all(row[name] == stored[name] for name in row if name != "client_id"):
            continue
        moved = tier != stored_tier
        resegmented = row["segment"] != stored["segment"]
        row["since"] = today if moved or resegmented else stored["since"]
        updates.append({"k_client_id": client, **{k: row[k] for k in _FIELDS}})
        report.segment_changes += resegmented
        if moved:
            if tiers.movement(stored_tier, tier) == "up":
                report.up += 1
            else:
                report.down += 1
            history.append(
                {
                    "client_id": client,
                    "date": today,
                    "from_tier": stored_tier,
                    "to_tier": tier,
                    "changed": _csv(_changed(stored, row)),
                }
            )
    table = ClientTier.__table__
    if inserts:
        conn.execute(table.insert(), inserts)
    if updates:
        conn.execute(
            table.update()
            .where(t.client_id == bindparam("k_client_id"))
            .values({name: bindparam(name) for name in _FIELDS}),
            updates,
        )
    if history:
        conn.execute(TierHistory.__table__.insert(), history)
    return report
