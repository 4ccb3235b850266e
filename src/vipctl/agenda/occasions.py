"""The agenda kept as the book changes: every item the rules bring up over a month of days
(the *cover*), kept as rows, so that the morning's list is a query and not a run of every rule
over the whole book.

A row is an item as the rules make it (``lists.gather`` with ``cover``): the days it is shown,
its kind, closeness, premium at stake and round age, which scoring needs, and what it says. The
list of a covered day is then ranked in SQL: each client's urgency summed by the database, the
clients near the top picked out, and only those scored exactly by the rules, from their rows'
items (the few clients whose rows do not say it all worked out by the rules in full), so that
what is shown is exactly what working the whole list out would show (``tests/test_occasions.py``
holds the two to each other). A whole list is the rows' items, scored by the rules.

The rows hold while the book's change journal (``store.changes``) says which clients changed
since they were written: those clients are worked out afresh at each look, and their rows are
written again after it. A write that changed the book whole (an import that changed rows, a tier
recompute, a restore, an upgrade), other rules, or a day past the cover: the rows are written
again whole, after the look that found them so (and after an import or a report, before anyone
looks). A day before the cover is worked out from the rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import math
import operator
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import islice
from typing import TypeVar

import orjson
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Float,
    Subquery,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)

from vipctl import __version__, readahead
from vipctl.agenda import lists
from vipctl.agenda.lists import Scope
from vipctl.book.queries import book_size
from vipctl.config import Config
from vipctl.kinds import KINDS, REGISTRY, SOURCES
from vipctl.rules import ranking
from vipctl.rules.events import Event
from vipctl.rules.ranking import DayList
from vipctl.store import changes, meta
from vipctl.store.bulk import CHUNK, append, chunks, loaded
from vipctl.store.sqlite import Unindexed
from vipctl.store.tables import (
    AgendaSnapshot,
    Client,
    ClientTier,
    Contact,
    DoneMark,
    Occasion,
    Snooze,
)

COVER_DAYS = 31  # days past the day the rows were written that they still cover
T = TypeVar("T")
_PART = 200_000  # clients whose rows are made at once (a few readers scan the book each part)
_SHARE = 3  # a large book's parts: this process makes one in so many, the second the rest
ALONE = 20_000  # a book this large has its rows made by two processes
UPCOMING_DAYS = 30  # days past the cover that the rows hold every event of: upcoming's default
# Kinds whose item is there on a day only from its first day shown (a premium is in grace once
# past due; a letter is owed once its request is closed) or only until its last (a request is
# open, a campaign to deliver, until then): ``upcoming`` from a day lists them so.
_FROM_FIRST_DAY = ("grace", "service_letter")
_UNTIL_LAST_DAY = ("service_request", "campaign", "event_invitation")
# A kind whose item says how long it has been open: its words change each day, so its clients'
# items in a whole list are made by the rules (they are few: open service requests).
_WORDED_EACH_DAY = ("service_request",)
_KEY = "occasions"
OVERDUE = "contact_overdue"  # the kind whose clients the report counts per tier
_FAR = dt.date.max.toordinal()  # shown until resolved
# Summed by the database, a client's score can differ from Python's exact sum in its last bits:
# clients within this of the last one shown are worked out in full too.
_MARGIN = 0.05
_TARGETED = tuple(kind.name for kind in REGISTRY if kind.targeted)
_ORDER = operator.itemgetter(0, 1, 2, 3, 4)  # client, kind, policy, date, first day shown
_NAMES = [
    "client_id", "kind", "policy_no", "date", "starts", "starts_on", "until", "lead", "open",
    "amount", "round_age", "detail", "reminders",
]  # fmt: skip


def rules_digest(config: Config) -> str:
    """What the agenda depends on besides the book and the day."""
    return hashlib.sha256(f"{__version__}\n{config!r}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Cover:
    """The days the rows cover, the rules they were made by, and the book's generation then."""

    first: dt.date
    last: dt.date
    rules: str
    generation: int


def cover(conn: Connection) -> Cover | None:
    found = meta.get(conn, _KEY)
    if found is None:
        return None
    data = orjson.loads(found)
    day = dt.date.fromisoformat
    return Cover(day(data["first"]), day(data["last"]), data["rules"], data["generation"])


def _put(conn: Connection, kept: Cover) -> None:
    data = {
        "first": kept.first.isoformat(),
        "last": kept.last.isoformat(),
        "rules": kept.rules,
        "generation": kept.generation,
    }
    meta.put(conn, _KEY, orjson.dumps(data).decode())


def windows(config: Config, first: dt.date, last: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """The event dates that can be on the list some day from ``first`` to ``last``, and those
    ``upcoming`` lists by default from any of these days."""
    early, late = lists.today_windows(config, first), lists.today_windows(config, last)
    ahead = last + dt.timedelta(days=UPCOMING_DAYS)
    return {kind: (early[kind][0], max(late[kind][1], ahead)) for kind in early}


class _Spelling(dict):
    """Dates as the rows keep them, each worked out once: a book's 330,000 rows start on a few
    dozen days and share a few hundred sets of reminders, and spelling each again took a
    quarter of the time of making the rows."""

    def __missing__(self, key: object) -> object:
        if isinstance(key, tuple):  # reminders: their days, comma-separated
            found = ",".join(map(dt.date.isoformat, key))
        else:  # a first day shown, by its ordinal
            found = dt.date.fromordinal(key).isoformat()
        self[key] = found
        return found


def _row(e: Event, spelled: _Spelling) -> tuple:
    day = e.date.toordinal()
    starts = day - e.lead
    return (
        e.client_id,
        e.kind,
        e.policy_no or "",
        day,
        starts,
        spelled[starts],  # plain, to cross between processes
        _FAR if e.until is None else e.until.toordinal(),
        e.lead,
        not e.reminders,
        None if e.amount is None else float(e.amount),
        e.round_age,
        e.detail,
        spelled[e.reminders],
    )


def _rows(conn: Connection, config: Config, kept: Cover, scope: Scope) -> Iterator[list[tuple]]:
    """The rows of ``scope``'s clients, a source of items at a time."""
    every = windows(config, kept.first, kept.last)
    for source in SOURCES:
        wanted = {k.name: every[k.name] for k in REGISTRY if k.source == source and k.name in every}
        if not wanted:
            continue
        found = lists.gather(conn, config, kept.first, wanted, scope, cover=True)
        spelled = _Spelling()
        rows = [_row(e, spelled) for e in found]
        del found
        rows.sort(key=_ORDER)  # the same rows in the same order on every engine
        yield rows


def _write(conn: Connection, config: Config, kept: Cover, scope: Scope) -> None:
    for rows in _rows(conn, config, kept, scope):
        append(conn, Occasion, _NAMES, rows)


def _parts(conn: Connection, size: int) -> list[tuple[str, str | None]]:
    """The book in parts of ``size`` clients, by client id: what one part's items take in
    memory stays the same however large the book."""
    c = Client.c
    firsts = list(conn.scalars(select(c.client_id).order_by(c.client_id)))[::size]
    lasts: list[str | None] = [*firsts[1:], None]
    return list(zip(firsts, lasts[: len(firsts)], strict=True))


def _theirs(
    engine: Engine, config: Config, kept: Cover, parts: list[tuple[str, str | None]]
) -> Iterator[list[tuple]]:
    """In the second process: the rows of ``parts``, read on a connection of its own (the
    parent's must not be touched from a fork). It reads the book as committed, which is the
    book the parent's transaction sees: a rebuild follows the commit of what changed it."""
    engine.dispose(close=False)
    with engine.connect() as conn:
        for part in parts:
            yield from _rows(conn, config, kept, Scope(between=part))


def _made(conn: Connection, config: Config, kept: Cover, clients: int) -> Iterator[list[tuple]]:
    """Every row of the book, a part's source at a time. A large book is cut into parts by
    thirds: a second process makes two parts of every three while this one makes the third and
    writes them all. Making the rows is Python's work, and the machine has a second core; with
    the parts made half and half, this process (its half, and all the writing and indexing)
    was busy twice as long as the other: 3.1–4.1 s of a 100,000-client book, against 1.8–2 s."""
    if clients < ALONE or not readahead.forks():
        for part in _parts(conn, _PART):
            yield from _rows(conn, config, kept, Scope(between=part))
        return
    n = _SHARE
    parts = _parts(conn, math.ceil(clients / (n * math.ceil(clients / (n * _PART)))))
    mine, others = parts[::n], [part for i, part in enumerate(parts) if i % n]
    theirs = readahead.ahead(lambda: _theirs(conn.engine, config, kept, others))
    for part in mine:
        for rows in _rows(conn, config, kept, Scope(between=part)):
            yield rows
            yield from islice(theirs, n - 1)
    yield from theirs


def two_processes(conn: Connection) -> bool:
    """Whether long work on this book is shared with a second process: a book of ``ALONE``
    clients or more, where there is fork."""
    return readahead.forks() and book_size(conn) >= ALONE


def beside(conn: Connection, work: Callable[[Connection], T]) -> Callable[[], T]:
    """``work`` started now in a forked process on a connection of its own (``readahead``),
    while this one does its own; the function returned waits for its result, or raises its
    exception. The result comes back pickled: plain values, dates, decimals."""

    def theirs() -> Iterator[T]:
        yield on_own_connection(conn, work)

    done = readahead.ahead(theirs)

    def result() -> T:
        [found] = list(done)
        return found

    return result


def on_own_connection(conn: Connection, work: Callable[[Connection], T]) -> T:
    """``work`` done in a forked process on a connection of its own: the parent's connections
    are not touched from a fork. It reads the book as committed."""
    engine = conn.engine
    engine.dispose(close=False)
    with engine.connect() as own:
        return work(own)


def rebuild(conn: Connection, config: Config, day: dt.date) -> None:
    """Every row written again, covering ``day`` and the month after it; the indexes built
    after the rows, the standard order of a bulk load."""
    table = Occasion
    conn.execute(table.delete())
    for index in table.indexes:
        index.drop(conn)
    kept = Cover(
        day, day + dt.timedelta(days=COVER_DAYS), rules_digest(config), changes.generation(conn)
    )
    for rows in _made(conn, config, kept, book_size(conn)):
        append(conn, table, _NAMES, rows)
    for index in table.indexes:
        index.create(conn)
    loaded(conn, ["occasion"])
    _put(conn, kept)


def _refresh(conn: Connection, config: Config, kept: Cover, clients: frozenset[str]) -> None:
    """The rows of ``clients`` written again, as of the book now."""
    o = Occasion
    for keys in chunks(sorted(clients)):
        conn.execute(o.delete().where(o.c.client_id.in_(keys)))
        _write(conn, config, kept, Scope(clients=keys))
    _put(conn, replace(kept, generation=changes.generation(conn)))


def touched(conn: Connection, config: Config, day: dt.date) -> frozenset[str] | None:
    """The clients whose rows no longer say it all on ``day``; None when the rows do not cover
    ``day`` at all."""
    kept = cover(conn)
    if kept is None or kept.rules != rules_digest(config) or not kept.first <= day <= kept.last:
        return None
    changed = changes.touched_since(conn, kept.generation)
    if changed is None or len(changed) > CHUNK:
        return None
    return changed


def upkeep(conn: Connection, config: Config, day: dt.date) -> None:
    """After a look at ``day`` (or an import or a report made on it), in a write transaction:
    the rows brought up to date, if they cover ``day`` or the days after it."""
    changes.declare(conn, changes.NOTHING)  # what is worked out from the book changes nobody
    kept = cover(conn)
    current = kept is not None and kept.rules == rules_digest(config)
    if current and day < kept.first:
        return  # a look back: the rows are for the days ahead
    changed = touched(conn, config, day) if current else None
    if changed is None:
        rebuild(conn, config, day)
    elif changed:
        _refresh(conn, config, kept, changed)
    forget_touches(conn)


def forget_touches(conn: Connection) -> None:
    """Touches older than every kept list and the rows can no longer matter."""
    s = AgendaSnapshot.c
    kept = cover(conn)
    made = [conn.scalar(select(func.min(s.generation))), kept and kept.generation]
    known = [g for g in made if g is not None]
    if known:
        changes.forget_until(conn, min(known))


def _closeness(config: Config, day: int):
    """``urgency.closeness`` in SQL: an owed item grows each day; one ahead is nearer each day."""
    o = Occasion.c
    owed = 1.0 + cast(day - o.starts, Float) * config.urgency.overdue_per_day
    near = 1.0 - cast(case((o.date > day, o.date - day), else_=0), Float) / (o.lead + 1)
    return case((o.open, owed), (near < 0.1, literal(0.1, Float)), else_=near)


def _value(config: Config, day: int):
    """An item's part of its client's score: its kind's weight times closeness, past its
    target, a round age."""
    o, w = Occasion.c, config.urgency
    weight = case({kind: float(w.kind.get(kind, 0.0)) for kind in KINDS}, value=o.kind, else_=0.0)
    late = case((and_(o.kind.in_(_TARGETED), o.date < day), w.past_target), else_=0.0)
    aged = case((o.round_age > 0, w.round_age), else_=0.0)
    return weight * _closeness(config, day) + late + aged


def _special(conn: Connection, config: Config, day: dt.date, scope: Scope) -> set[str]:
    """Clients with a done mark that may hide one of their items: worked out in full."""
    windows_ = lists.today_windows(config, day)
    since = day - max(end - day for _, end in windows_.values())
    m = DoneMark.c
    query = select(m.client_id).where(m.done_on >= since).distinct()
    return set(conn.scalars(lists.scoped(query, m.client_id, scope)))


def _shown(day: int, scope: Scope, apart: set[str]) -> ColumnElement:
    """The rows shown on ``day``: not of a snoozed client, nor of one worked out apart."""
    o, s = Occasion.c, Snooze.c
    snoozed = select(s.client_id).where(s.until > dt.date.fromordinal(day))
    shown = and_(o.starts <= day, o.until >= day, o.client_id.not_in(snoozed))
    return and_(shown, o.client_id.not_in(sorted(apart))) if apart else shown


def _clients(
    config: Config, day: int, scope: Scope, apart: set[str], part: tuple[str | None, str | None]
) -> Subquery:
    """Each client's shown rows summed: the items' value and the premium at stake; whether a
    contact is overdue. Only the clients of ``part`` (``_scores``), from a scan of the rows."""
    o = Occasion.c
    query = (
        select(
            o.client_id,
            func.sum(_value(config, day)).label("value"),
            func.coalesce(func.sum(o.amount), 0.0).label("at_stake"),
            func.max(case((o.kind == OVERDUE, 1), else_=0)).label("overdue"),
        )
        .where(_shown(day, scope, apart))
        .group_by(Unindexed(o.client_id))
    )
    first, last = part
    if first is not None:
        query = query.where(Unindexed(o.client_id) >= first)
    if last is not None:
        query = query.where(Unindexed(o.client_id) < last)
    return lists.scoped(query, o.client_id, scope).subquery("shown_client")


def _tries(day: int, scope: Scope, apart: set[str]) -> Subquery:
    """Each client's most tries that reached nobody since one of their items came up."""
    o, k = Occasion.c, Contact.c
    reached_nobody = and_(
        k.client_id == o.client_id,
        k.outcome == "no_answer",
        k.date >= o.starts_on,
        k.date <= dt.date.fromordinal(day),
    )
    ever = select(k.client_id).where(k.outcome == "no_answer")  # few: read first
    per_item = (
        select(o.client_id, func.count().label("tries"))
        .join(Contact, reached_nobody)
        .where(_shown(day, scope, apart), o.client_id.in_(ever))
        .group_by(o.client_id, o.id)
    )
    per_item = lists.scoped(per_item, o.client_id, scope).subquery("tried_item")
    return (
        select(per_item.c.client_id, func.max(per_item.c.tries).label("tries"))
        .group_by(per_item.c.client_id)
        .subquery("tried")
    )


def _score(config: Config, shown: Subquery, tried: Subquery):
    """``urgency.score`` less its rounding, in SQL: the client's terms added to its items'."""
    w, t = config.urgency, ClientTier.c
    tier = case({k: float(v) for k, v in w.tier.items()}, value=t.tier, else_=0.0)
    segment = case({k: float(v) for k, v in w.segment.items()}, value=t.segment, else_=0.0)
    tries = func.coalesce(tried.c.tries, 0) * w.attempt
    cap = w.premium_max / w.premium_per_10k if w.premium_per_10k else 0.0
    factor = shown.c.at_stake / 10_000.0
    premium = case(
        (shown.c.at_stake <= 0, 0.0),
        (factor > cap, cap * w.premium_per_10k),
        else_=factor * w.premium_per_10k,
    )
    return shown.c.value + tier + segment + tries + premium


def _apart(conn: Connection, config: Config, day: dt.date, scope: Scope) -> set[str] | None:
    """The clients whose rows do not say it all on ``day`` (changed since they were written, or
    with a done mark that may hide an item), worked out by the rules apart; None when the rows
    do not cover ``day``, or so many clients are apart that working it all out is as quick."""
    changed = touched(conn, config, day)
    if changed is None:
        return None
    if changed and (scope.agent is not None or scope.tiers):
        c = Client.c
        mine = select(c.client_id).where(c.client_id.in_(sorted(changed)))
        changed = frozenset(conn.scalars(lists.scoped(mine, c.client_id, scope)))
    apart = set(changed) | _special(conn, config, day, scope)
    return apart if len(apart) <= CHUNK else None


def _only(clients: set[str]) -> Scope:
    """These clients, already known to be in the scope: read by their keys alone (with the
    agent's too, the database reads all the agent's rows)."""
    return Scope(clients=clients)


@dataclass(frozen=True)
class _Scores:
    """What ranking a part of the book's clients needs of the database's sums: how many clients
    have something shown, the part's ``limit`` highest scores, every client within the margin
    of the last of them (a superset of those near the whole list's top: its ``limit``-th score
    is no lower than a part's), and the clients per tier, with a contact overdue per tier."""

    clients: int
    top: list[float]
    near: list[tuple[str, float]]
    tiers: Counter
    overdue: Counter

    def joined(self, other: _Scores) -> _Scores:
        return _Scores(
            self.clients + other.clients,
            self.top + other.top,
            self.near + other.near,
            self.tiers + other.tiers,
            self.overdue + other.overdue,
        )


def _scores(
    conn: Connection,
    config: Config,
    n: int,
    scope: Scope,
    apart: set[str],
    limit: int,
    part: tuple[str | None, str | None] = (None, None),
) -> _Scores:
    """The database's sums of the clients from ``part``'s first id (included) to its last
    (excluded; None: no bound), summed up for ranking."""
    t = ClientTier
    shown, tried = _clients(config, n, scope, apart, part), _tries(n, scope, apart)
    scores = (
        select(shown.c.client_id, t.c.tier, _score(config, shown, tried), shown.c.overdue)
        .outerjoin(t, t.c.client_id == shown.c.client_id)
        .outerjoin(tried, tried.c.client_id == shown.c.client_id)
    )
    found = conn.execute(scores).all()  # a row a client: cheaper than the database's sort
    top = heapq.nlargest(limit, (row[2] for row in found))
    floor = top[-1] - _MARGIN if len(top) == limit else -math.inf
    return _Scores(
        len(found),
        top,
        [(client, value) for client, _, value, _ in found if value >= floor],
        Counter(tier or "?" for _, tier, _, _ in found),
        Counter(tier or "?" for _, tier, _, late in found if late),
    )


def _kinds(conn: Connection, n: int, scope: Scope, apart: set[str]) -> Counter:
    """The rows shown, by kind."""
    o = Occasion.c
    by_kind = select(o.kind, func.count()).where(_shown(n, scope, apart)).group_by(o.kind)
    return Counter(dict(conn.execute(lists.scoped(by_kind, o.client_id, scope)).all()))


def _middle_client(conn: Connection) -> str:
    """The client id half the book's clients come before: each process sums one half."""
    c = Client.c
    query = select(c.client_id).order_by(c.client_id).offset(book_size(conn) // 2).limit(1)
    return conn.scalar(query)


def day_list(
    conn: Connection, config: Config, day: dt.date, scope: Scope, limit: int
) -> DayList | None:
    """The first ``limit`` entries of ``day``'s list, exact, and the whole list's size and
    tallies, from the rows; None when they cannot tell (``_apart``)."""
    apart = _apart(conn, config, day, scope)
    if apart is None:
        return None
    n = day.toordinal()
    whole = scope == Scope()
    if whole and two_processes(conn):
        half = _middle_client(conn)

        def theirs(own: Connection) -> tuple[_Scores, Counter]:
            return _scores(own, config, n, scope, apart, limit, (half, None)), _kinds(
                own, n, scope, apart
            )

        summed = beside(conn, theirs)
        mine = _scores(conn, config, n, scope, apart, limit, (None, half))
        other, kinds = summed()
        found = mine.joined(other)
    else:
        found = _scores(conn, config, n, scope, apart, limit)
        kinds = _kinds(conn, n, scope, apart)
    # The first ``limit`` by the database's sums, and every client within the margin of the
    # last of them: among these are the first ``limit`` by the exact scores.
    top = heapq.nlargest(limit, found.top)
    floor = top[-1] - _MARGIN if len(top) == limit else -math.inf
    near_top = {client for client, value in found.near if value >= floor}
    # Their items as a whole list has them: 4 reads, where the rules make 17 (on a server, each
    # a round trip).
    items = _items(conn, config, day, _only(near_top), apart)
    those = _only(near_top | apart)
    if items is None:
        exact = lists.ranked(conn, config, day, those)
    else:
        exact = lists.rank(conn, config, day, those, items)
    tiers, overdue = found.tiers, found.overdue
    clients = found.clients
    for entry in exact:
        if entry.client_id in apart:
            kinds.update(e.kind for e in entry.items)
            tiers[entry.tier or "?"] += 1
            overdue[entry.tier or "?"] += any(e.kind == OVERDUE for e in entry.items)
            clients += 1
    return DayList(exact, clients, *ranking.ordered(kinds, tiers), overdue=+overdue)


def _events(conn: Connection, where: ColumnElement, scope: Scope) -> list[Event]:
    """The items the rows ``where`` selects were made from, as the rules make them. A client's
    rows are written in the order the rules make its items, so in the row ids' order two items
    alike in every key (two reminders of one day) keep the rules' order too."""
    o = Occasion.c
    query = select(
        o.kind, o.client_id, o.date, o.policy_no, o.lead, o.detail, o.reminders, o.until,
        o.amount, o.round_age,
    ).where(where)  # fmt: skip
    query = lists.scoped(query, o.client_id, scope).order_by(o.id)
    return [_event(row) for row in conn.execute(query).all()]


def _event(row: tuple) -> Event:
    """The item a row was made from, as the rules make it."""
    kind, client, date, policy, lead, detail, reminders, until, amount, round_age = row
    return Event(
        kind,
        client,
        dt.date.fromordinal(date),
        policy or None,
        lead,
        detail,
        tuple(map(dt.date.fromisoformat, reminders.split(","))) if reminders else (),
        None if until == _FAR else dt.date.fromordinal(until),
        # Amounts are the book's, to the cent, as the database hands them to the rules.
        None if amount is None else Decimal(f"{amount:.2f}"),
        round_age,
    )


def due_today(conn: Connection, config: Config, day: dt.date, scope: Scope) -> list[Event] | None:
    """Every item shown on ``day`` (``lists.due_today``'s), read from the rows; None when they
    cannot tell. What a whole list (``today -f json``, ``report --team``) is made of: the rules
    then only score them, as they score the items they make."""
    apart = _apart(conn, config, day, scope)
    return None if apart is None else _items(conn, config, day, scope, apart)


def _items(
    conn: Connection, config: Config, day: dt.date, scope: Scope, apart: set[str]
) -> list[Event] | None:
    """The items shown on ``day`` of ``scope``'s clients read from the rows, and the items of
    the clients ``apart`` and of those with an item worded each day made by the rules; None when
    these are so many that working it all out is as quick."""
    n = day.toordinal()
    apart = apart | _worded(conn, _shown(n, scope, apart), scope)
    if len(apart) > CHUNK:
        return None
    found = lists.with_attempts(conn, _events(conn, _shown(n, scope, apart), scope), day, scope)
    if apart:
        found += lists.due_today(conn, config, day, _only(apart))
    return found


def items_open(
    conn: Connection, config: Config, day: dt.date, scope: Scope, *, as_it_ended: bool = False
) -> int | None:
    """How many items ``day``'s list holds (``as_it_ended``: at the end of that day, later done
    marks left out), from the rows; None when they cannot tell."""
    apart = _apart(conn, config, day, scope)
    if apart is None:
        return None
    o = Occasion
    query = select(func.count()).select_from(o).where(_shown(day.toordinal(), scope, apart))
    count = conn.scalar(lists.scoped(query, o.c.client_id, scope)) or 0
    if apart:
        count += len(lists.due_today(conn, config, day, _only(apart), as_it_ended=as_it_ended))
    return count


def upcoming(
    conn: Connection, config: Config, day: dt.date, days: int, scope: Scope, limit: int | None
) -> tuple[list[Event], int] | None:
    """The first ``limit`` events (every one when None) from ``day`` to ``days`` later, in
    ``lists.upcoming``'s order, and how many there are, from the rows; None when they do not
    hold every one."""
    kept = cover(conn)
    end = day + dt.timedelta(days=days)
    if kept is None or end > kept.last + dt.timedelta(days=UPCOMING_DAYS):
        return None
    changed = touched(conn, config, day)
    if changed is None:
        return None
    kinds = [k for k in scope.kinds if k not in config.agenda.off]
    o, n = Occasion.c, day.toordinal()

    def there_by(event_day: ColumnElement) -> ColumnElement:
        return and_(
            event_day.between(n, end.toordinal()),
            *([] if set(kinds) == set(KINDS) else [o.kind.in_(kinds)]),
            or_(o.kind.not_in(_FROM_FIRST_DAY), o.starts <= n),
            or_(o.kind.not_in(_UNTIL_LAST_DAY), o.until >= n),
        )

    if limit is None:
        # Whole rows over days that hold a quarter of them or more (the rows cover the month
        # ahead): a scan in the rows' order takes half the time of the index's look-ups.
        there = there_by(Unindexed(o.date))
        return _every_upcoming(conn, config, day, days, replace(scope, kinds=kinds), there, changed)
    there = there_by(o.date)  # the index holds all the count and the 50th event's day need
    if changed:
        there = and_(there, o.client_id.not_in(sorted(changed)))
    total, worded = _counted(conn, there, scope)
    apart = set(changed)
    if worded:  # rare: the clients with an open service request are made by the rules too
        apart |= _worded(conn, there, scope)
        if len(apart) > CHUNK:
            return None
        there = and_(there, o.client_id.not_in(sorted(apart)))
        total, _ = _counted(conn, there, scope)
    made = []
    if apart:
        made = lists.upcoming(conn, config, day, days, replace(scope, kinds=kinds, clients=apart))
        total += len(made)
    # The rows up to the day of the ``limit``-th, which keep what each event says.
    dates = select(o.date).where(there).order_by(o.date).offset(limit - 1).limit(1)
    last = conn.scalar(lists.scoped(dates, o.client_id, scope))
    first = _events(conn, there if last is None else and_(there, o.date <= last), scope)
    return sorted([*first, *made], key=lists.upcoming_order)[:limit], total


def _counted(conn: Connection, where: ColumnElement, scope: Scope) -> tuple[int, int]:
    """How many rows ``where`` selects, and how many of them say something that changes each
    day: in one reading of the index."""
    o = Occasion.c
    worded = func.count(case((o.kind.in_(_WORDED_EACH_DAY), 1)))
    query = select(func.count(), worded).select_from(Occasion).where(where)
    counted, said = conn.execute(lists.scoped(query, o.client_id, scope)).one()
    return counted or 0, said or 0


def _worded(conn: Connection, where: ColumnElement, scope: Scope) -> set[str]:
    """The clients of the rows ``where`` selects with an item whose words change each day: the
    rules make their items."""
    o = Occasion.c
    query = select(o.client_id).where(where, o.kind.in_(_WORDED_EACH_DAY))
    return set(conn.scalars(lists.scoped(query, o.client_id, scope)))


def _every_upcoming(
    conn: Connection,
    config: Config,
    day: dt.date,
    days: int,
    scope: Scope,
    there: ColumnElement,
    changed: frozenset[str],
) -> tuple[list[Event], int] | None:
    """Every event ``there`` selects, read from the rows and not made again (a whole list as
    JSON or CSV, a calendar): those of the clients changed since, and of the clients with an
    item whose words count its days, made by the rules. None when those are too many."""
    apart = set(changed) | _worded(conn, there, scope)
    if len(apart) > CHUNK:
        return None
    if apart:
        there = and_(there, Occasion.c.client_id.not_in(sorted(apart)))
    found = _events(conn, there, scope)
    if apart:
        found += lists.upcoming(conn, config, day, days, replace(scope, clients=apart))
    found.sort(key=lists.upcoming_order)
    return found, len(found)
