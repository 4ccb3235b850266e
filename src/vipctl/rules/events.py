"""The agenda's rules (DESIGN "When to start", "Care dates", "100 % rules") as pure functions.

Each rule takes plain rows and a window of event dates [start, end] and yields the events whose
date falls in it. An event knows when it starts to be brought up (its lead time before the date),
on which days it is brought up again, and until when, so the same events make both the
``upcoming`` listing and the ``today`` list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from vipctl.config import NOT_ASSESSED, AgendaRules
from vipctl.contract import NOT_IN_FORCE
from vipctl.kinds import CAMPAIGN_KINDS, LETTER_AFTER, SERVICE_TYPES
from vipctl.rules import details, lunar, schedule


class Event(NamedTuple):  # a named tuple: the morning list makes 100,000s of them
    kind: str
    client_id: str
    date: dt.date
    policy_no: str | None
    lead: int  # days before ``date`` that it is first brought up
    detail: str
    # Days it is brought up again (a "done" lasts until the next); empty: every day.
    reminders: tuple[dt.date, ...] = ()
    until: dt.date | None = None  # the last day it is shown; None: until it is resolved
    amount: Decimal | None = None  # premium at stake
    round_age: int | None = None
    attempts: int = 0  # tries since it came up that reached nobody (``vipctl log --outcome``)

    @property
    def starts(self) -> dt.date:
        return self.date - dt.timedelta(days=self.lead)

    def stage(self, today: dt.date) -> dt.date | None:
        """The reminder ``today`` falls under, or None when the event is not shown today."""
        if today < self.starts or (self.until is not None and today > self.until):
            return None
        if not self.reminders:
            return today
        for reminder in reversed(self.reminders):
            if reminder <= today:
                return reminder
        return None


def _once(
    kind: str, client: str, date: dt.date, policy: str | None, lead: int, detail: str, **extra
) -> Event:
    """An event brought up from ``lead`` days ahead until its day, once."""
    starts = date - dt.timedelta(days=lead)
    return Event(kind, client, date, policy, lead, detail, (starts,), date, **extra)


def _open(
    kind: str,
    client: str,
    date: dt.date,
    policy: str | None,
    detail: str,
    until: dt.date | None = None,
) -> Event:
    """An event brought up every day from its date until something resolves it (or ``until``)."""
    return Event(kind, client, date, policy, 0, detail, (), until)


# The parts of the events' details, remembered: a year of events fills the same few hundred
# (an age, a number of years, a date) a million times, and a look-up is a third of a
# formatting. By type as well as value (``typed``): the values here are whole numbers, dates
# and text, each type spelled one way, so equal values of one type fill alike.
_fill = lru_cache(maxsize=1 << 14, typed=True)(details.fill)


def _money(amount: Decimal | None) -> str:
    return "" if amount is None else f" · ¥{amount:,.0f}"


# --- premiums -------------------------------------------------------------------------------


class Due(NamedTuple):
    """A policy's earliest unpaid premium."""

    client_id: str
    policy_no: str
    effective_date: dt.date
    frequency: str
    payment_years: int | None
    due_date: dt.date
    premium: Decimal | None


def reminder_offsets(frequency: str, rules: AgendaRules) -> tuple[int, ...]:
    """Days before a due date that its reminders come, earliest first: the configured offsets
    shorter than the period, as nobody asks for next month's premium a quarter ahead."""
    gap = schedule.shortest(frequency).days
    offsets = {n for n in rules.renewal_reminders if n < gap}
    return tuple(sorted(offsets, reverse=True)) or (0,)


def renewals(
    dues: Iterable[Due],
    today: dt.date,
    start: dt.date,
    end: dt.date,
    rules: AgendaRules,
    *,
    brought_up: bool = False,
) -> Iterator[Event]:
    """``renewal_due`` for each premium date in the window, from the unpaid one on, and
    ``grace`` for an unpaid premium whose date has passed, dated its last day to pay (the
    policy lapses the day after).

    ``brought_up`` leaves out renewals whose first reminder is still to come: the morning list
    would drop them anyway, after making thousands of them."""
    grace = dt.timedelta(days=rules.grace_days)
    steps = {
        f: [dt.timedelta(days=n) for n in reminder_offsets(f, rules)]
        for f in schedule.PERIOD_MONTHS
    }
    said: dict[tuple[str, Decimal | None], str] = {}  # by frequency and premium: few of them
    for d in dues:
        last_day = d.due_date + grace
        if d.due_date < today and start <= last_day <= end:
            unpaid = _fill(details.UNPAID, date=d.due_date) + _money(d.premium)
            detail = f"{unpaid} · {_fill(details.LAST_DAY, date=last_day)}"
            yield Event(
                "grace",
                d.client_id,
                last_day,
                d.policy_no,
                rules.grace_days - 1,
                detail,
                amount=d.premium,
            )
        detail = said.get((d.frequency, d.premium))
        if detail is None:
            detail = _fill(details.PREMIUM, frequency=d.frequency) + _money(d.premium)
            said[d.frequency, d.premium] = detail
        walk = schedule.dues(
            d.effective_date, d.frequency, d.payment_years, d.due_date, end, since=start
        )
        before = steps[d.frequency]
        for due in walk:
            reminders = tuple([due - step for step in before])
            if brought_up and reminders[0] > today:
                continue
            lead = (due - reminders[0]).days
            yield Event(
                "renewal_due", d.client_id, due, d.policy_no, lead, detail, reminders, due,
                d.premium,
            )  # fmt: skip


# --- care dates -----------------------------------------------------------------------------


def anniversary(origin: dt.date, year: int) -> dt.date:
    """``origin``'s anniversary in ``year``: Feb 29 falls on Feb 28 in a common year."""
    try:
        return origin.replace(year=year)
    except ValueError:
        return origin.replace(year=year, day=28)


def _yearly(origin: dt.date, start: dt.date, end: dt.date) -> Iterator[tuple[dt.date, int]]:
    for year in range(max(start.year, origin.year + 1), end.year + 1):
        day = anniversary(origin, year)
        if start <= day <= end:
            yield day, year - origin.year


class Person(NamedTuple):
    client_id: str
    birthday: dt.date
    birthday_calendar: str | None


def birthdays(
    people: Iterable[Person], start: dt.date, end: dt.date, rules: AgendaRules
) -> Iterator[Event]:
    """Birthdays by the calendar each client celebrates by; round-number ages flagged."""
    people = list(people)
    born = [p.birthday.year for p in people if p.birthday_calendar == "lunar"]
    by_lunar = lunar.birthdays(start, end, min(born)) if born else {}
    for p in people:
        if p.birthday_calendar == "lunar" and lunar.supported(p.birthday):
            days = by_lunar.get(p.birthday, ())
            plain, rounded = details.LUNAR_BIRTHDAY, details.LUNAR_BIRTHDAY_ROUND
        else:
            days = _yearly(p.birthday, start, end)
            plain, rounded = details.BIRTHDAY, details.BIRTHDAY_ROUND
        for day, age in days:
            round_age = age if age in rules.round_ages else None
            detail = _fill(rounded if round_age else plain, age=age)
            yield _once(
                "birthday",
                p.client_id,
                day,
                None,
                rules.birthday_lead_days,
                detail,
                round_age=round_age,
            )


class Wedding(NamedTuple):
    client_id: str
    wedding_anniversary: dt.date


def weddings(
    couples: Iterable[Wedding], start: dt.date, end: dt.date, rules: AgendaRules
) -> Iterator[Event]:
    for w in couples:
        for day, years in _yearly(w.wedding_anniversary, start, end):
            detail = _fill(details.MARRIED, years=years)
            yield _once(
                "wedding_anniversary", w.client_id, day, None, rules.anniversary_lead_days, detail
            )


class PolicyDates(NamedTuple):
    client_id: str
    policy_no: str
    effective_date: dt.date
    survival_benefit_date: dt.date | None
    status: str | None


def policy_anniversaries(
    policies: Iterable[PolicyDates], start: dt.date, end: dt.date, rules: AgendaRules
) -> Iterator[Event]:
    for p in policies:
        if p.status in NOT_IN_FORCE:
            continue
        for day, years in _yearly(p.effective_date, start, end):
            yield _once(
                "policy_anniversary",
                p.client_id,
                day,
                p.policy_no,
                rules.anniversary_lead_days,
                _fill(details.IN_FORCE, years=years),
            )


def survival_benefits(
    policies: Iterable[PolicyDates], start: dt.date, end: dt.date, rules: AgendaRules
) -> Iterator[Event]:
    """A survival benefit falls due: remind ahead to help with the paperwork."""
    for p in policies:
        day = p.survival_benefit_date
        if day is not None and start <= day <= end and p.status not in NOT_IN_FORCE:
            yield _once(
                "survival_benefit",
                p.client_id,
                day,
                p.policy_no,
                rules.survival_benefit_lead_days,
                details.SURVIVAL,
            )


def holidays(
    vips: Iterable[str], start: dt.date, end: dt.date, rules: AgendaRules
) -> Iterator[Event]:
    """Cards before the festivals, for key and important clients."""
    days = []
    for year in range(start.year, end.year + 1):
        days += [(details.NEW_YEAR, dt.date(year, 1, 1)), *lunar.festivals(year)]
        days.append((details.NATIONAL_DAY, dt.date(year, 10, 1)))
    days = [(name, day) for name, day in days if start <= day <= end]
    for client in vips:
        for name, day in days:
            yield _once("holiday", client, day, None, rules.festival_lead_days, name)


# --- 100 % rules and cadence ----------------------------------------------------------------


def _contacted(last_contact: Mapping[str, dt.date], client: str, since: dt.date) -> bool:
    last = last_contact.get(client)
    return last is not None and last >= since


def new_policy_callbacks(
    policies: Iterable[PolicyDates],
    last_contact: Mapping[str, dt.date],
    start: dt.date,
    end: dt.date,
    rules: AgendaRules,
) -> Iterator[Event]:
    """Every new policy gets a callback: from its effective date, until a contact is logged or
    ``new_policy_days`` have passed."""
    for p in policies:
        effective = p.effective_date
        if not start <= effective <= end or p.status in NOT_IN_FORCE:
            continue
        if _contacted(last_contact, p.client_id, effective):
            continue
        until = effective + dt.timedelta(days=rules.new_policy_days)
        detail = _fill(details.NEW_POLICY, date=effective)
        yield _open("callback_new_policy", p.client_id, effective, p.policy_no, detail, until)


class Departure(NamedTuple):
    client_id: str
    agent: str | None
    since: dt.date


def departed_agent_callbacks(
    departures: Iterable[Departure],
    last_contact: Mapping[str, dt.date],
    start: dt.date,
    end: dt.date,
) -> Iterator[Event]:
    """Every client of an agent who left gets a callback, until a contact is logged."""
    for d in departures:
        if start <= d.since <= end and not _contacted(last_contact, d.client_id, d.since):
            if d.agent:
                detail = _fill(details.AGENT_LEFT, agent=d.agent, date=d.since)
            else:
                detail = _fill(details.AGENT_LEFT_UNNAMED, date=d.since)
            yield _open("callback_departed_agent", d.client_id, d.since, None, detail)


class Cadence(NamedTuple):
    client_id: str
    tier: str | None  # None: not assessed, with a cadence of its own
    first_seen: dt.date  # the first import: contact history counts from there


def contacts_overdue(
    clients: Iterable[Cadence],
    last_contact: Mapping[str, dt.date],
    start: dt.date,
    end: dt.date,
    cadence_days: Mapping[str, int],
) -> Iterator[Event]:
    """No contact within the tier's cadence: due the day the cadence runs out."""
    for c in clients:
        last = last_contact.get(c.client_id)
        days = cadence_days[c.tier or NOT_ASSESSED]
        day = (last or c.first_seen) + dt.timedelta(days=days)
        if start <= day <= end:
            if c.tier:
                template = details.LAST_CONTACT if last else details.NO_CONTACT
            else:
                template = (
                    details.LAST_CONTACT_UNASSESSED if last else details.NO_CONTACT_UNASSESSED
                )
            detail = _fill(template, date=last or c.first_seen, tier=c.tier, days=days)
            yield _open("contact_overdue", c.client_id, day, None, detail)


# --- what the agent keeps in vipctl ---------------------------------------------------------


class FollowUpRow(NamedTuple):
    client_id: str
    due: dt.date
    text: str


def follow_ups(rows: Iterable[FollowUpRow], start: dt.date, end: dt.date) -> Iterator[Event]:
    """A follow-up is on the list from its day (not before) until it is done: its one reminder
    is its day, so a done mark hides it for good."""
    for r in rows:
        if start <= r.due <= end:
            yield Event("follow_up", r.client_id, r.due, None, 0, r.text, (r.due,), None)


class ClientDateRow(NamedTuple):
    client_id: str
    kind: str  # career_anniversary, child_birthday or client_date
    date: dt.date
    lunar: bool
    label: str | None


def _date_detail(row: ClientDateRow, years: int) -> str:
    if row.kind == "career_anniversary":
        parts = [_fill(details.CAREER, years=years)]
    elif row.kind == "child_birthday":
        named = row.label is not None
        template = details.CHILD_NAMED if named else details.CHILD
        parts = [
            _fill(template, name=row.label, age=years) if named else _fill(template, age=years)
        ]
    else:
        parts = [_fill(details.DATE_YEARS, years=years)]
    if row.label is not None and row.kind != "child_birthday":
        parts.insert(0, row.label)
    if row.lunar:
        parts.append(details.LUNAR)
    return details.SEPARATOR.join(parts)


def client_dates(
    rows: Iterable[ClientDateRow], start: dt.date, end: dt.date, rules: AgendaRules
) -> Iterator[Event]:
    """The clients' own yearly dates, brought up as their birthdays are (``birthday_lead_days``
    ahead), by the lunar calendar where the date is kept by it."""
    rows = list(rows)
    born = [r.date.year for r in rows if r.lunar]
    by_lunar = lunar.birthdays(start, end, min(born)) if born else {}
    for r in rows:
        if r.lunar and lunar.supported(r.date):
            days = by_lunar.get(r.date, ())
        else:
            days = _yearly(r.date, start, end)
        for day, years in days:
            if years < 1:
                continue
            detail = _date_detail(r, years)
            yield _once(r.kind, r.client_id, day, None, rules.birthday_lead_days, detail)


# --- service and campaigns ------------------------------------------------------------------


class ServiceRow(NamedTuple):
    number: int
    client_id: str
    type: str  # ``kinds.SERVICE_TYPES``
    policy_no: str | None
    opened: dt.date
    closed: dt.date | None
    note: str | None


def service_requests(
    rows: Iterable[ServiceRow], today: dt.date, start: dt.date, end: dt.date, rules: AgendaRules
) -> Iterator[Event]:
    """An open request is on the list every day from its opening until it is closed, dated its
    target (opened + its type's days): its weight grows with its age, and once past the target
    it ranks high (``Kind.targeted``). A change or claim closed brings the letter the seeds
    send after an important service item, from its closing day for ``service_letter_days``.
    A request closed after ``today`` is open as of it."""
    for r in rows:
        label = SERVICE_TYPES[r.type]
        request = _fill(details.SERVICE, type=label, number=r.number)
        days = rules.service_target_days[r.type]
        target = r.opened + dt.timedelta(days=days)
        if r.closed is None or r.closed > today:  # open as of ``today``
            if not start <= target <= end:
                continue
            age = max(0, (today - r.opened).days)
            parts = [request, _fill(details.SERVICE_AGE, days=age, target=days)]
            if today > target:
                late = _fill(details.SERVICE_LATE, days=(today - target).days)
                parts.append(late)
            if r.note:
                parts.append(r.note)
            detail = details.SEPARATOR.join(parts)
            # Open until the day before its closing, when one is known beyond ``today``.
            until = None if r.closed is None else r.closed - dt.timedelta(days=1)
            yield Event(
                "service_request", r.client_id, target, r.policy_no, days, detail, (), until
            )
        elif r.type in LETTER_AFTER and start <= r.closed <= end:
            until = r.closed + dt.timedelta(days=rules.service_letter_days)
            detail = _fill(details.SERVICE_LETTER, request=request, date=r.closed)
            yield Event(
                "service_letter", r.client_id, r.closed, r.policy_no, 0, detail, (r.closed,), until
            )


class CampaignRow(NamedTuple):
    client_id: str
    name: str
    kind: str  # ``kinds.CAMPAIGN_KINDS``
    created: dt.date
    due: dt.date | None


def campaigns(rows: Iterable[CampaignRow], start: dt.date, end: dt.date) -> Iterator[Event]:
    """Each client a campaign has not reached yet, every day from the campaign's start until it
    is delivered or its due date passes: 100 % delivered means each one. An event's is an
    invitation, for which the seeds write a letter (``vipctl draft``)."""
    for r in rows:
        if not start <= r.created <= end:
            continue
        parts = [_fill(details.CAMPAIGN, campaign=r.name, kind=CAMPAIGN_KINDS[r.kind])]
        if r.due is not None:
            parts.append(_fill(details.CAMPAIGN_DUE, date=r.due))
        detail = details.SEPARATOR.join(parts)
        kind = "event_invitation" if r.kind == "event" else "campaign"
        yield Event(kind, r.client_id, r.created, None, 0, detail, (), r.due)
