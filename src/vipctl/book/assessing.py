"""Keeping ``client_tier`` and ``tier_history`` in step with the clients, policies and config.

The whole book is reassessed set-wise by the database, into a temporary table, and only the
differences are written back: recomputing twice writes nothing the second time. Segments are
relative to the whole book, so every client's segment is recomputed each time; tiers only for the
clients asked for (an import's touched clients) and those never assessed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection

from dateutil.relativedelta import relativedelta
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    Connection,
    Float,
    MetaData,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
)

from vipctl.book import queries
from vipctl.config import SEGMENTS, TIERS, Config
from vipctl.contract import NOT_IN_FORCE
from vipctl.rules import segments, tiers
from vipctl.rules.tiers import Recomputed
from vipctl.store import changes, meta
from vipctl.store.bulk import CHUNK, write
from vipctl.store.schema import Amount
from vipctl.store.sqlite import Unindexed
from vipctl.store.tables import Client, ClientTier, Policy, PremiumDue, TierHistory


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
    p, d = Policy.c, PremiumDue.c
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
        .outerjoin(PremiumDue, d.policy_no == p.policy_no)
        .where(in_force, p.premium.is_not(None))
        .group_by(Unindexed(p.client_id))  # every policy: a scan and a sort, not a look-up each
        .subquery()
    )


def _listed(found: dict[str, ColumnElement]) -> ColumnElement:
    """The names whose condition holds, comma-separated in ``tiers.NAMES`` order ("" for none),
    as ``off`` and ``missing`` are kept."""
    listed: ColumnElement = literal("")
    for name in tiers.NAMES:
        listed = listed.concat(case((found[name], name + ","), else_=""))
    return func.rtrim(listed, ",")


def _named(kept: ColumnElement, name: str) -> ColumnElement:
    """Whether the comma-separated ``kept`` names ``name``: 1 or 0."""
    return case((literal(",").concat(kept).concat(",").like(f"%,{name},%"), 1), else_=0)


def _assessed(config: Config) -> tuple[ColumnElement, ColumnElement, ColumnElement]:
    """``tiers.assess`` in SQL over a client row: (tier, off, missing)."""
    c, rules = Client.c, config.tiers
    off = {n: and_(c[n].is_not(None), c[n] != rules.healthy[n]) for n in tiers.NAMES}
    missing = {n: c[n].is_(None) for n in tiers.NAMES}
    n_off = sum((case((off[n], 1), else_=0) for n in tiers.NAMES), literal(0))
    n_missing = sum((case((missing[n], 1), else_=0) for n in tiers.NAMES), literal(0))
    tier = case(
        (n_missing == len(tiers.NAMES), null()),
        *((n_off <= rules.most_off[name], name) for name in TIERS[:-1]),
        else_=TIERS[-1],
    )
    return tier, _listed(off), _listed(missing)


def _segment(conn: Connection, config: Config) -> None:
    """``segments.segment_all`` in SQL over ``_WORK``'s value premiums: the premium of the
    clients ranked above each tie, in whole cents, against each cut-off of the whole book."""
    a = _WORK.c
    cents = cast(func.round(a.value_premium * 100), BigInteger)
    above = func.sum(cents).over(order_by=cents.desc(), groups=(None, -1))
    ranked = select(
        a.client_id,
        cents.label("cents"),
        func.coalesce(above, 0).label("above"),
        func.sum(cents).over().label("total"),
    ).subquery("ranked")
    r, cuts = ranked.c, config.segments.up_to_percent
    segment = case(
        (r.cents <= 0, "maintain"),
        *((r.above * 100 < r.total * float(cuts[name]), name) for name in SEGMENTS[:-1]),
        else_="maintain",
    )
    conn.execute(_WORK.update().where(a.client_id == r.client_id).values(segment=segment))


_WORK = Table(  # one reassessment's results, before they are compared and written
    "assessment",
    MetaData(),
    Column("client_id", String, primary_key=True),
    Column("known", Boolean, nullable=False),  # assessed before
    Column("tier", String),
    Column("off", String),
    Column("missing", String),
    Column("segment", String),
    Column("annual_premium", Amount),
    Column("value_premium", Amount),
    Column("premium_share", Float),
    prefixes=["TEMPORARY"],
)
_ONLY = Table(  # the clients an import or an edit asks to reassess
    "assessment_only",
    MetaData(),
    Column("client_id", String, primary_key=True),
    prefixes=["TEMPORARY"],
)
_FIELDS = ("tier", "off", "missing", "segment", "annual_premium", "value_premium", "premium_share")


def _fill(conn: Connection, config: Config, today: dt.date, only: Collection[str] | None) -> None:
    """The reassessment of every client into ``_WORK``: tiers for ``only`` these and those never
    assessed (the stored one for the rest), segments and premiums for all."""
    c, t = Client.c, ClientTier.c
    premiums = premiums_by_client(today, config.segments.single_premium_years)
    premium = func.coalesce(premiums.c.premium, 0)
    reassess: ColumnElement = literal(True)
    if only is not None:
        _ONLY.create(conn)
        write(conn, _ONLY.insert(), ["client_id"], [(key,) for key in only])
        reassess = or_(t.client_id.is_(None), c.client_id.in_(select(_ONLY.c.client_id)))
    tier, off, missing = _assessed(config)
    income = c.annual_income
    share = case(
        (or_(income.is_(None), income == 0), null()),
        else_=cast(premium, Float) * 100 / cast(income, Float),
    )
    fresh = (
        select(
            c.client_id,
            t.client_id.is_not(None),
            case((reassess, tier), else_=t.tier),
            case((reassess, off), else_=t.off),
            case((reassess, missing), else_=t.missing),
            premium,
            func.coalesce(premiums.c.value, 0),
            share,
        )
        .outerjoin(premiums, premiums.c.client_id == c.client_id)
        .outerjoin(ClientTier, t.client_id == c.client_id)
    )
    filled = ["client_id", "known", *(name for name in _FIELDS if name != "segment")]
    conn.execute(_WORK.insert().from_select(filled, fresh))
    if only is not None:
        _ONLY.drop(conn)
    _segment(conn, config)


def _tallied(conn: Connection) -> tuple[Recomputed, int]:
    """What the reassessment in ``_WORK`` changes, counted before it is written: the report,
    and how many rows it writes."""
    a, t = _WORK.c, ClientTier.c
    known, moved = a.known, a.tier.is_distinct_from(t.tier)
    rank = case({name: i for i, name in enumerate(TIERS)}, value=t.tier)
    ranked = case({name: i for i, name in enumerate(TIERS)}, value=a.tier)
    both = and_(known, moved, t.tier.is_not(None), a.tier.is_not(None))

    def count(condition: ColumnElement) -> ColumnElement:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = select(
        func.count(),
        count(or_(and_(~known, a.tier.is_not(None)), and_(known, moved, t.tier.is_(None)))),
        count(and_(~known, a.tier.is_(None))),
        count(and_(both, ranked < rank)),
        count(and_(both, ranked > rank)),
        count(and_(known, a.segment != t.segment)),
        count(or_(~known, _differs())),
    ).outerjoin(ClientTier, t.client_id == a.client_id)
    clients, first, unassessed, up, down, resegmented, written = conn.execute(query).one()
    return Recomputed(clients, first, unassessed, up, down, resegmented), written


def _differs() -> ColumnElement:
    a, t = _WORK.c, ClientTier.c
    return or_(*(a[name].is_distinct_from(t[name]) for name in _FIELDS))


def recompute(
    conn: Connection, config: Config, today: dt.date, only: Collection[str] | None = None
) -> Recomputed:
    """Reassess ``only`` these clients (all when None) and resegment everyone, inside ``conn``'s
    transaction; tier changes go to the history dated ``today``.

    A few statements over the whole book, the rules written in SQL (``tiers.assess`` and
    ``segments.segment_all`` stay the rules' statement, and the tests hold the two equal):
    reading 100,000 clients into Python, ranking them there and writing them back took seconds.
    """
    if only is not None and len(only) > CHUNK and len(only) >= queries.book_size(conn):
        only = None  # every client: a first import asks for them all, and matching took 0.2 s
    _WORK.create(conn)
    _fill(conn, config, today, only)
    report, written = _tallied(conn)
    a, t = _WORK.c, ClientTier.c
    # A client's tier, segment and premium share are on their lines of the day's list and shape
    # their items (contact cadences go by tier, greetings by segment): the clients whose
    # assessment changes are what this changes of the book, and the next look works out just
    # them again. An edit resegments the whole book, yet moves a handful of clients: the book
    # declared changed whole would have the look after it make every client's agenda again.
    if written > CHUNK:
        changes.declare(conn, changes.EVERYTHING)
    elif written:
        fresh = select(a.client_id).outerjoin(ClientTier, t.client_id == a.client_id)
        changes.declare(conn, conn.scalars(fresh.where(or_(~a.known, _differs()))).all())
    else:
        changes.declare(conn, changes.NOTHING)
    moved = a.tier.is_distinct_from(t.tier)
    changed = _listed(
        {
            name: or_(
                _named(a.off, name) != _named(t.off, name),
                _named(a.missing, name) != _named(t.missing, name),
            )
            for name in tiers.NAMES
        }
    )
    history = select(a.client_id, literal(today), t.tier, a.tier, changed).join(
        ClientTier, t.client_id == a.client_id
    )
    history = history.where(moved, t.tier.is_not(None), a.tier.is_not(None))
    logged = ["client_id", "date", "from_tier", "to_tier", "changed"]
    conn.execute(TierHistory.insert().from_select(logged, history))
    table = ClientTier
    since = case((or_(moved, a.segment != t.segment), literal(today)), else_=t.since)
    update = table.update().where(t.client_id == a.client_id, _differs())
    conn.execute(update.values({**{name: a[name] for name in _FIELDS}, "since": since}))
    new = select(*(a[name] for name in ["client_id", *_FIELDS]), literal(today), literal(today))
    columns = ["client_id", *_FIELDS, "since", "first_seen"]
    conn.execute(table.insert().from_select(columns, new.where(~a.known)))
    _WORK.drop(conn)
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
