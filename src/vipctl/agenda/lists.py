"""The agenda from the database: each rule's rows read with the filters that keep them few, then
the rules of ``events`` applied, then (for ``today``) what is done or snoozed taken out.

Every query narrows by an index or a cheap predicate first (due dates, effective dates, the day of
the year of birthdays and anniversaries), so what is read is what can be on the list, not the
whole book.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import attrgetter

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    extract,
    func,
    or_,
    select,
    true,
)

from vipctl.book import queries
from vipctl.config import NOT_ASSESSED, Config
from vipctl.kinds import (
    BY_NAME,
    FOREVER,
    GREETING,
    KINDS,
    LETTER_AFTER,
    REGISTRY,
    SOURCES,
    outcomes_of,
)
from vipctl.rules import events, needs, ranking, schedule, urgency
from vipctl.rules.events import Event
from vipctl.rules.ranking import Entry
from vipctl.store.bulk import CHUNK, chunks
from vipctl.store.sqlite import Unindexed
from vipctl.store.tables import (
    AgentDeparture,
    Campaign,
    CampaignMember,
    Client,
    ClientDate,
    ClientTier,
    Contact,
    DoneMark,
    FollowUp,
    Policy,
    PremiumDue,
    ServiceRequest,
    Snooze,
)

VIP = ("key", "important")


@dataclass(frozen=True)
class Scope:
    """Which clients and kinds of event to look at."""

    agent: str | None = None
    tiers: Collection[str] = ()
    kinds: Collection[str] = KINDS
    clients: Collection[str] | None = None  # only these (done, --explain): nobody else's rows
    # Client ids from the first (included) to the second (excluded; None: to the last): a book
    # read in parts (``occasions``).
    between: tuple[str, str | None] | None = None


def scoped(query: Select, client_id: ColumnElement, scope: Scope) -> Select:
    """``query`` narrowed to the scope's clients, by a join on the indexed columns."""
    if scope.between is not None:
        first, last = scope.between
        query = query.where(client_id >= first)
        if last is not None:
            query = query.where(client_id < last)
    if scope.clients is not None:
        query = query.where(client_id.in_(list(scope.clients)))
    if scope.agent is not None:
        mine = Client.alias("scoped_client")  # the query may read client itself
        query = query.join(mine, mine.c.client_id == client_id).where(mine.c.agent == scope.agent)
    if scope.tiers:
        scoped = ClientTier.alias("scoped_tier")
        query = query.join(scoped, scoped.c.client_id == client_id).where(
            scoped.c.tier.in_(scope.tiers)
        )
    return query


def _fetch(conn: Connection, query: Select, client_id: ColumnElement, scope: Scope) -> list:
    return list(conn.execute(scoped(query, client_id, scope)).all())


def _day_of_year_between(column: ColumnElement, start: dt.date, end: dt.date) -> ColumnElement:
    """Dates whose month and day fall in [start, end] in some year: anniversaries in the window.

    Feb 29 counts as Feb 28, as its anniversary falls there in common years.
    """
    if (end - start).days >= 365:
        return true()
    md = extract("month", column) * 100 + extract("day", column)
    lo, hi = start.month * 100 + start.day, end.month * 100 + end.day
    hi = 229 if hi == 228 else hi
    if start.year == end.year:
        return md.between(lo, hi)
    return or_(md >= lo, md <= hi)


def last_contacts(
    conn: Connection, scope: Scope, activities: Collection[str] = GREETING
) -> dict[str, dt.date]:
    """Each client's last contact of the ``activities`` (``kinds.activity``): an unanswered
    call is no contact, and a callback wants more than a message."""
    k = Contact.c
    query = (
        select(k.client_id, func.max(k.date))
        .where(k.outcome.in_(outcomes_of(activities)))
        .group_by(k.client_id)
    )
    return {client: last for client, last in _fetch(conn, query, k.client_id, scope)}


def _minus(day: dt.date, days: int) -> dt.date:
    return day - dt.timedelta(days=days) if day > dt.date.min + dt.timedelta(days=days) else day


def _overdue_rows(
    conn: Connection, start: dt.date, end: dt.date, cadence: Mapping[str, int], scope: Scope
) -> Iterator[events.Cadence]:
    """Clients whose cadence runs out in the window: the date arithmetic is done on the
    thresholds, per tier, so the database compares plain dates and no dialect's date functions
    are needed. Clients named by the scope are read by their keys alone: the rule checks their
    window, and the database would read every client of the tiers."""
    k, t = Contact.c, ClientTier.c
    if scope.clients is not None:
        query = select(t.client_id, t.tier, t.first_seen).where(t.first_seen.is_not(None))
        return (events.Cadence(*row) for row in _fetch(conn, query, t.client_id, scope))
    settling = k.outcome.in_(outcomes_of(BY_NAME["contact_overdue"].settled_by))
    last = (
        select(k.client_id, func.max(k.date).label("last"))
        .where(settling)
        .group_by(k.client_id)
        .subquery()
    )
    base = func.coalesce(last.c["last"], t.first_seen)
    due_in_window = [
        and_(
            t.tier.is_(None) if tier == NOT_ASSESSED else t.tier == tier,
            base.between(_minus(start, days), _minus(end, days)),
        )
        for tier, days in cadence.items()
    ]
    query = (
        select(t.client_id, t.tier, t.first_seen)
        .outerjoin(last, last.c.client_id == t.client_id)
        .where(t.first_seen.is_not(None), or_(*due_in_window))
    )
    return (events.Cadence(*row) for row in _fetch(conn, query, t.client_id, scope))


def _policy_dates(conn: Connection, where: ColumnElement, scope: Scope):
    p = Policy.c
    query = select(
        p.client_id, p.policy_no, p.effective_date, p.survival_benefit_date, p.status
    ).where(where)
    return [events.PolicyDates(*row) for row in _fetch(conn, query, p.client_id, scope)]


@dataclass
class _Reading:
    """What every reader of one ``gather`` may need: read once, when first needed."""

    conn: Connection
    config: Config
    today: dt.date
    scope: Scope
    shown_today: bool
    # For ``occasions``: every item of the windows whatever day it is looked at from, as of the
    # book's rows (a premium past due is in grace, a request closed later is open until then).
    cover: bool = False
    _contacted: dict[tuple[str, ...], dict[str, dt.date]] = field(default_factory=dict)

    def contacted(self, kind: str) -> dict[str, dt.date]:
        """Each client's last contact that settles ``kind``: the callbacks and the cadence are
        settled by contacts, each by those its kind names (``kinds.REGISTRY``)."""
        activities = BY_NAME[kind].settled_by
        if activities not in self._contacted:
            self._contacted[activities] = last_contacts(self.conn, self.scope, activities)
        return self._contacted[activities]


Reader = Callable[[_Reading, dt.date, dt.date], Iterable[Event]]


def _premiums(r: _Reading, start: dt.date, end: dt.date) -> Iterable[Event]:
    p, d = Policy.c, PremiumDue.c
    # Not through the index by day: every premium owed up to the end is a fifth of the book's
    # or more even for one day (each policy's unpaid premium falls within its next period), and
    # the small table read whole took a third of the time of the index's look-ups.
    due = Unindexed(d.due_date)
    query = (
        select(
            d.client_id, d.policy_no, p.effective_date, p.frequency, p.payment_years, d.due_date,
            p.premium,
        )
        .join(Policy, p.policy_no == d.policy_no)
        .where(due <= end)
    )  # fmt: skip
    rules = r.config.agenda
    if r.shown_today:  # e.g. a monthly premium only on its day: most of the book is not read
        leads = {f: events.reminder_offsets(f, rules)[0] for f in schedule.PERIOD_MONTHS}
        query = query.where(
            or_(
                *(
                    and_(p.frequency == f, due <= r.today + dt.timedelta(days=n))
                    for f, n in leads.items()
                )
            )
        )
    dues = [events.Due(*row) for row in _fetch(r.conn, query, d.client_id, r.scope)]
    today = dt.date.max if r.cover else r.today
    return events.renewals(dues, today, start, end, rules, brought_up=r.shown_today)


def _birthdays(r: _Reading, start: dt.date, end: dt.date) -> Iterable[Event]:
    c = Client.c
    solar = or_(c.birthday_calendar.is_(None), c.birthday_calendar != "lunar")
    query = select(c.client_id, c.birthday, c.birthday_calendar).where(
        c.birthday.is_not(None),
        or_(
            c.birthday_calendar == "lunar",
            and_(solar, _day_of_year_between(c.birthday, start, end)),
        ),
    )
    people = [events.Person(*row) for row in _fetch(r.conn, query, c.client_id, r.scope)]
    return events.birthdays(people, start, end, r.config.agenda)


def _weddings(r: _Reading, start: dt.date, end: dt.date) -> Iterable[Event]:
    c = Client.c
    query = select(c.client_id, c.wedding_anniversary).where(
        c.wedding_anniversary.is_not(None),
        _day_of_year_between(c.wedding_anniversary, start, end),
    )
    rows = [events.Wedding(*row) for row in _fetch(r.conn, query, c.client_id, r.scope)]
    return events.weddings(rows, start, end, r.config.agenda)


def _policy_anniversaries(r: _Reading, start: dt.date, end: dt.date) -> Iterable[Event]:
    p = Policy.c
    rows = _policy_dates(r.conn, _day_of_year_between(p.effective_date, start, end), r.scope)
    return events.policy_anniversaries(rows, start, end, r.config.agenda)


def _survival_benefits(r: _Reading, start: dt.date, end: dt.date) -> Iterable[Event]:
    p = Policy.c
    rows = _policy_dates(r.conn, p.survival_benefit_date.between(start, end), r.scope)
    return events.survival_benefits(rows, start, end, r.config.agenda)


def _holidays(r: _Reading, start: dt.date, end: dt.date) -> Iterable[Event]:
    t = ClientTier.c
    # Not through the segment's index: a few clients' VIPs would be found among every VIP of
    # the book (400,000 index entries on a team's book of a million: 0.2 s of one agent's list).
    query = select(t.client_id).where(Unindexed(t.segment).in_(VIP))
    vips = list(r.conn.scalars(scoped(query, t.client_id, r.scope)))
    return events.holidays(vips, start, end, r.config.agenda)


def _new_policy_callbacks(r: _Reading, start: dt.date, end: dt.date) -> Iterable[Event]:
    p = Policy.c
    rows = _policy_dates(r.conn, p.effective_date.between(start, end), r.scope)
    contacted = r.contacted("callback_new_policy")
    return events.new_policy_callbacks(rows, contacted, start, end, r.config.agenda)


def _departed_agent_callbacks(r: _Reading, start: dt.date, end: dt.date) -> Iterable[Event]:
    a = AgentDeparture.c
    query = select(a.client_id, a.agent, a.since).where(a.since.between(start, end))
    rows = [events.Departure(*row) for row in _fetch(r.conn, query, a.client_id, r.scope)]
    return events.departed_agent_callbacks(rows, r.contacted("callback_departed_agent"), start, end)


def _contacts_overdue(r: _Reading, start: dt.date, end: dt.date) -> Iterable[Event]:
    cadence = r.config.tiers.cadence_days
    rows = _overdue_rows(r.conn, start, end, cadence, r.scope)
    return events.contacts_overdue(rows, r.contacted("contact_overdue"), start, end, cadence)


def _follow_ups(r: _Reading, start: dt.date, end: dt.date) -> Iterable[Event]:
    f = FollowUp.c
    query = select(f.client_id, f.due, f.text).where(f.due.between(start, end))
    rows = [events.FollowUpRow(*row) for row in _fetch(r.conn, query, f.client_id, r.scope)]
    return events.follow_ups(rows, start, end)


def _client_dates(r: _Reading, start: dt.date, end: dt.date) -> Iterable[Event]:
    d = ClientDate.c
    query = select(d.client_id, d.kind, d.date, d.lunar, d.label).where(
        or_(d.lunar, _day_of_year_between(d.date, start, end))
    )
    rows = [events.ClientDateRow(*row) for row in _fetch(r.conn, query, d.client_id, r.scope)]
    return events.client_dates(rows, start, end, r.config.agenda)


def _service_requests(r: _Reading, start: dt.date, end: dt.date) -> Iterable[Event]:
    q = ServiceRequest.c
    today = dt.date.min if r.cover else r.today
    query = select(q.id, q.client_id, q.type, q.policy_no, q.opened, q.closed, q.note).where(
        or_(
            and_(or_(q.closed.is_(None), q.closed > today), q.opened <= end),
            and_(q.closed.between(start, end), q.type.in_(LETTER_AFTER)),
        )
    )
    rows = [events.ServiceRow(*row) for row in _fetch(r.conn, query, q.client_id, r.scope)]
    found = events.service_requests(rows, today, start, end, r.config.agenda)
    if not r.cover:
        return found
    # Every request open until its closing, and as of a day after it, the letter it brings.
    closed = [row for row in rows if row.closed is not None]
    after = events.service_requests(closed, dt.date.max, start, end, r.config.agenda)
    return [*found, *(e for e in after if e.kind == "service_letter")]


def _campaigns(r: _Reading, start: dt.date, end: dt.date) -> Iterable[Event]:
    m, k = CampaignMember.c, Campaign.c
    query = (
        select(m.client_id, k.name, k.kind, k.created, k.due)
        .join(Campaign, k.id == m.campaign_id)
        .where(
            m.delivered.is_(None),
            k.created.between(start, end),
            or_(k.due.is_(None), k.due >= (dt.date.min if r.cover else r.today)),
        )
    )
    rows = [events.CampaignRow(*row) for row in _fetch(r.conn, query, m.client_id, r.scope)]
    return events.campaigns(rows, start, end)


# One reader of the book per source of ``kinds.REGISTRY``: it reads the rows the source's rule
# needs, narrowed to what can fall in the window, and hands them to the rule.
READERS: dict[str, Reader] = {
    "premiums": _premiums,
    "birthdays": _birthdays,
    "weddings": _weddings,
    "policy_anniversaries": _policy_anniversaries,
    "survival_benefits": _survival_benefits,
    "holidays": _holidays,
    "new_policy_callbacks": _new_policy_callbacks,
    "departed_agent_callbacks": _departed_agent_callbacks,
    "contacts_overdue": _contacts_overdue,
    "follow_ups": _follow_ups,
    "client_dates": _client_dates,
    "service_requests": _service_requests,
    "campaigns": _campaigns,
}


_KINDS_OF = {source: {k.name for k in REGISTRY if k.source == source} for source in SOURCES}


def gather(
    conn: Connection,
    config: Config,
    today: dt.date,
    windows: Mapping[str, tuple[dt.date, dt.date]],
    scope: Scope,
    *,
    shown_today: bool = False,
    cover: bool = False,
) -> list[Event]:
    """Every event of the kinds in ``windows`` whose date falls in that kind's window; with
    ``shown_today``, premiums are read only where a reminder can have come by ``today``; with
    ``cover``, as ``occasions`` keeps them. Each source is read once, over the union of its
    kinds' windows."""
    reading = _Reading(conn, config, today, scope, shown_today, cover)
    found: list[Event] = []
    for source in SOURCES:
        wanted = {
            k.name: windows[k.name] for k in REGISTRY if k.source == source and k.name in windows
        }
        if not wanted:
            continue
        start = min(lo for lo, _ in wanted.values())
        end = max(hi for _, hi in wanted.values())
        made = READERS[source](reading, start, end)
        if wanted.keys() == _KINDS_OF[source] and len(set(wanted.values())) == 1:
            # Every kind of the source over one window (a list of days): only the dates to
            # check, in a comprehension, a year's million events in a fraction of the loop's time
            found += [e for e in made if start <= e.date <= end]
            continue
        for e in made:
            window = wanted.get(e.kind)
            if window is not None and window[0] <= e.date <= window[1]:
                found.append(e)
    return found


def upcoming(
    conn: Connection,
    config: Config,
    day: dt.date,
    days: int,
    scope: Scope,
    first: dt.date | None = None,
) -> list[Event]:
    """Every event dated from ``day`` (or a ``first`` day after it) to ``days`` later, as
    looked at on ``day``, by date, then client, kind, policy.

    The events are dealt out by date and each day's sorted apart: a year's million events fall
    on a few hundred dates, and sorting each day's few thousand took a third of the time of one
    sort of them all.
    """
    end = day + dt.timedelta(days=days)
    kinds = [k for k in scope.kinds if k not in config.agenda.off]
    found = gather(conn, config, day, dict.fromkeys(kinds, (first or day, end)), scope)
    by_date: dict[dt.date, list[Event]] = {}
    for event in found:
        by_date.setdefault(event.date, []).append(event)
    del found
    return [e for date in sorted(by_date) for e in _in_order(by_date.pop(date))]


def upcoming_order(e: Event) -> tuple[dt.date, str, str, str]:
    """``upcoming``'s order: by date, then client, kind, policy."""
    return e.date, e.client_id, e.kind, e.policy_no or ""


_CLIENT_KIND_POLICY = attrgetter("client_id", "kind", "policy_no")


def _in_order(day: list[Event]) -> list[Event]:
    """One day's events in ``upcoming_order``, by a key made in C: a year's million keys made
    by a Python function took a third of the sorting. Keys tie on a missing policy only with
    each other (equal, so the order holds); a missing one against a policy number fails to
    compare, and only then is the day sorted with the function, as "" before any number."""
    try:
        return sorted(day, key=_CLIENT_KIND_POLICY)
    except TypeError:
        return sorted(day, key=upcoming_order)


def today_windows(config: Config, day: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """For each kind brought up, the event dates that can be on the list on ``day``: ahead by
    its lead time, and back as far as an unresolved item lingers (``kinds.REGISTRY``)."""
    rules = config.agenda
    windows = {}
    for kind in REGISTRY:
        if kind.name in rules.off:
            continue
        ahead = 0 if kind.ahead is None else getattr(rules, kind.ahead)
        ahead = max(ahead) if isinstance(ahead, tuple) else ahead
        if kind.lingers is None:
            start = day
        elif kind.lingers == FOREVER:
            start = dt.date.min
        else:
            start = _minus(day, getattr(rules, kind.lingers))
        windows[kind.name] = (start, day + dt.timedelta(days=ahead))
    return windows


def _done(
    conn: Connection, since: dt.date, until: dt.date | None, scope: Scope
) -> dict[tuple, dt.date]:
    """The latest done mark of each item, from ``since`` on (older ones cannot hide anything)
    and up to ``until`` when given."""
    m = DoneMark.c
    query = (
        select(m.client_id, m.kind, m.policy_no, m.event_date, func.max(m.done_on))
        .where(m.done_on >= since, true() if until is None else m.done_on <= until)
        .group_by(m.client_id, m.kind, m.policy_no, m.event_date)
    )
    return {tuple(r[:4]): r[4] for r in _fetch(conn, query, m.client_id, scope)}


def _snoozed(conn: Connection, day: dt.date, scope: Scope) -> set[str]:
    s = Snooze.c
    query = select(s.client_id).where(s.until > day)
    return set(conn.scalars(scoped(query, s.client_id, scope)))


def due_today(
    conn: Connection, config: Config, day: dt.date, scope: Scope, *, as_it_ended: bool = False
) -> list[Event]:
    """The items whose reminder has come on ``day`` and that are neither done nor snoozed;
    ``as_it_ended``: as the list stood at the end of that day, later done marks left out."""
    windows = today_windows(config, day)
    found = gather(conn, config, day, windows, scope, shown_today=True)
    # A mark counts from the reminder it was made under: the earliest is the longest lead back.
    since = day - max(end - day for _, end in windows.values())
    done = _done(conn, since, day if as_it_ended else None, scope)
    snoozed = _snoozed(conn, day, scope)
    shown = []
    for e in found:
        stage = e.stage(day)
        if stage is None or e.client_id in snoozed:
            continue
        done_on = done.get((e.client_id, e.kind, e.policy_no, e.date))
        if done_on is None or done_on < stage:
            shown.append(e)
    return with_attempts(conn, shown, day, scope)


def with_attempts(conn: Connection, items: list[Event], day: dt.date, scope: Scope) -> list[Event]:
    """Each item with the tries since it came up that reached nobody (``log --outcome
    no_answer``): it stays on the list, and weighs more with each."""
    if not items:
        return items
    k = Contact.c
    since = min(e.starts for e in items)
    query = select(k.client_id, k.date).where(k.outcome == "no_answer", k.date.between(since, day))
    tries: dict[str, list[dt.date]] = {}
    for client, date in _fetch(conn, query, k.client_id, scope):
        tries.setdefault(client, []).append(date)
    if not tries:
        return items
    counted = []
    for e in items:
        dates = tries.get(e.client_id, ())
        n = sum(e.starts <= d <= day for d in dates)
        counted.append(e._replace(attempts=n) if n else e)
    return counted


def clients(conn: Connection, ids: Collection[str]) -> dict[str, dict]:
    """What a to-do line shows of each client, read in batches of keys."""
    c, t = Client.c, ClientTier.c
    query = select(
        c.client_id, c.name, c.phone, c.best_visit_time, c.agent, *queries.tier_columns()
    ).outerjoin(ClientTier, t.client_id == c.client_id)
    found: dict[str, dict] = {}
    for keys in chunks(sorted(ids)):
        batch = query.where(c.client_id.in_(keys))
        found.update((r["client_id"], dict(r)) for r in conn.execute(batch).mappings())
    return found


def names(conn: Connection, ids: Collection[str]) -> dict[str, str]:
    """Client names for a listing: by key for a few, all in one read for many."""
    c = Client.c
    query = select(c.client_id, c.name)
    if len(ids) > 10 * CHUNK:
        return dict(conn.execute(query).all())
    found: dict[str, str] = {}
    for keys in chunks(sorted(ids)):
        found.update(conn.execute(query.where(c.client_id.in_(keys))).all())
    return found


def _tiers(conn: Connection, scope: Scope) -> dict[str, tuple]:
    """Each client's (tier, segment, premium share of income)."""
    t = ClientTier.c
    query = select(t.client_id, t.tier, t.segment, t.premium_share)
    return {row[0]: row[1:] for row in _fetch(conn, query, t.client_id, scope)}


_PREMIUMS = frozenset({"renewal_due", "grace"})


def _with_burden(items: list[Event], share: float | None, config: Config) -> list[Event]:
    """A renewal of a client whose premiums weigh too much on their income says so: that is
    the premium a client may stop paying (DESIGN "Needs analysis")."""
    note = needs.share_note(share, config.needs)
    if note is None:
        return items
    return [e._replace(detail=f"{e.detail} · {note}") if e.kind in _PREMIUMS else e for e in items]


def ranked(conn: Connection, config: Config, day: dt.date, scope: Scope) -> list[Entry]:
    """One entry per client with something due on ``day``, highest urgency first, worked out
    afresh."""
    return rank(conn, config, day, scope, due_today(conn, config, day, scope))


def rank(
    conn: Connection, config: Config, day: dt.date, scope: Scope, due: Iterable[Event]
) -> list[Entry]:
    """The items ``due`` on ``day`` (``due_today``'s) as one entry per client, highest urgency
    first."""
    by_client: dict[str, list[Event]] = {}
    for e in due:
        by_client.setdefault(e.client_id, []).append(e)
    tiers = _tiers(conn, scope)
    entries = []
    for client_id, items in by_client.items():
        tier, segment, share = tiers.get(client_id, (None, None, None))
        items = _with_burden(items, share, config)
        score = urgency.score(tier, segment, items, day, config.urgency)
        entries.append(Entry(client_id, tier, segment, items, score))
    entries.sort(key=ranking.rank)
    return entries
