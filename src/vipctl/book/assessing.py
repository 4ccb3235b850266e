"""Keeping ``client_tier`` and ``tier_history`` in step with the clients, policies and config.

One read of every client with its stored assessment and its annualised premium, the rules applied
in Python, and only the differences written back: recomputing twice writes nothing the second
time. Segments are relative to the whole book, so every client's segment is recomputed each time;
tiers only for the clients asked for (an import's touched clients) and those never assessed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection

from dateutil.relativedelta import relativedelta
from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
)

from vipctl.config import Config
from vipctl.contract import NOT_IN_FORCE
from vipctl.rules import segments, tiers
from vipctl.rules.tiers import Recomputed
from vipctl.store import changes, meta
from vipctl.store.bulk import processor, raw, write
from vipctl.store.models import Client, ClientTier, Policy, PremiumDue, TierHistory

_FIELDS = (
    "tier",
    "off",
    "missing",
    "segment",
    "annual_premium",
    "value_premium",
    "premium_share",
    "since",
)
_SAME = len(_FIELDS) - 1  # what is compared: all but ``since``


def premiums_by_client(today: dt.date, single_premium_years: int):
    """Each client's (annual premium, value premium) from in-force policies, summed by the
    database.

    The annual premium counts the regular premiums still being paid: a policy paid up, or paid
    through its last premium with ``vipctl paid``, has no unpaid premium kept and weighs on
    nobody's income any more; a policy of unknown frequency counts as annual. The value premium,
    which the 80/20 ranking uses, adds each single premium spread evenly over
    ``single_premium_years`` from its effective date (rounded to the cent, so recomputing again
    finds nothing changed).
    """
    p, d = Policy.__table__.c, PremiumDue.__table__.c
    regular = [f for f in segments.PER_YEAR if f != "single"]
    per_year = case(segments.PER_YEAR, value=p.frequency, else_=1)
    annual = case(
        (p.frequency.is_(None), p.premium),
        (and_(p.frequency.in_(regular), d.policy_no.is_not(None)), p.premium * per_year),
        else_=0,
    )
    spread_from = today - relativedelta(years=single_premium_years)
    single = case(
        (
            and_(p.frequency == "single", p.effective_date > spread_from),
            func.round(p.premium / single_premium_years, 2),
        ),
        else_=0,
    )
    in_force = or_(p.status.is_(None), p.status.not_in(NOT_IN_FORCE))
    return (
        select(
            p.client_id,
            func.sum(annual).label("premium"),
            func.sum(annual + single).label("value"),
        )
        .outerjoin(PremiumDue.__table__, d.policy_no == p.policy_no)
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
    premiums = premiums_by_client(today, config.segments.single_premium_years)
    query = (
        select(
            c.client_id,
            *(c[name] for name in tiers.NAMES),
            raw(func.coalesce(premiums.c.premium, 0)),
            raw(func.coalesce(premiums.c.value, 0)),
            raw(c.annual_income),
            t.client_id.is_not(None),  # assessed before
            *(raw(t[name]) for name in _FIELDS),
        )
        .outerjoin(premiums, premiums.c.client_id == c.client_id)
        .outerjoin(ClientTier.__table__, t.client_id == c.client_id)
    )
    rows = conn.execute(query).all()
    n = len(tiers.NAMES)
    segment_of = segments.segment_all({r[0]: r[n + 2] for r in rows}, config.segments)
    rules = config.tiers
    to_driver = processor(t.since, conn.dialect)
    day = to_driver(today) if to_driver else today
    memo: dict[tuple, tuple[str | None, str, str]] = {}
    report = Recomputed(clients=len(rows))
    inserts: list[tuple] = []
    updates: list[tuple] = []
    history: list[tuple] = []
    for r in rows:
        client, premium, value, income, known = r[0], *r[n + 1 : n + 5]
        share = float(premium) * 100 / float(income) if income else None
        stored = r[n + 5 :]  # as _FIELDS

        if not known or only is None or client in only:
            values = r[1 : n + 1]
            if values not in memo:
                found = tiers.assess(dict(zip(tiers.NAMES, values, strict=True)), rules)
                memo[values] = (found.tier, _csv(found.off), _csv(found.missing))
            tier, off, missing = memo[values]
        else:
            tier, off, missing = stored[:3]
        fields = (tier, off, missing, segment_of[client], premium, value, share)
        if not known:
            inserts.append((client, *fields, day, day))
            if tier is None:
                report.no_indicators += 1
            else:
                report.first += 1
            continue
        if fields == stored[:_SAME]:
            continue
        moved, resegmented = tier != stored[0], fields[3] != stored[3]
        updates.append((*fields, day if moved or resegmented else stored[_SAME], client))
        report.segment_changes += resegmented
        if moved and stored[0] is None:
            report.first += 1  # indicators known at last: no movement, a first assessment
        elif moved and tier is not None:
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
    # Tiers, segments and premium shares are on every line of the day's list.
    changes.declare(conn, changes.EVERYTHING if inserts or updates else changes.NOTHING)
    if only is None or meta.get(conn, RULES_KEY) is None:  # every client assessed by them
        meta.put(conn, RULES_KEY, rules_digest(config))
    return report


RULES_KEY = "tier_rules"


def rules_digest(config: Config) -> str:
    """What the tiers and segments are worked out by: the config's tier and segment rules."""
    return hashlib.sha256(f"{config.tiers!r}\n{config.segments!r}".encode()).hexdigest()[:32]


def assessed_under_other_rules(conn: Connection, config: Config) -> bool:
    """Whether the stored tiers were last assessed, all of them, under other rules than the
    config's now: a changed cadence or healthy value is not silently half applied."""
    stored = meta.get(conn, RULES_KEY)
    return stored is not None and stored != rules_digest(config)


def reassess(conn: Connection, config: Config, today: dt.date) -> Recomputed:
    """``tier --recompute``: every client reassessed, and everything worked out from the book
    (the day's kept lists) retired, changed or not: it is the way to fresh lists after the
    database was changed by other means than vipctl (a ``pg_restore``, a hand-made fix)."""
    done = recompute(conn, config, today)
    changes.declare(conn, changes.EVERYTHING)
    return done
