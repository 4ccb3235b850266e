"""What the daily report says, as one JSON-ready dict (the README documents its shape).

Everything in it is a function of the database and the report's date, so two runs for the same
date give the same report. The one thing a run adds is a ``report_run`` row: the next report
lists the tier movements recorded after it, which is exact whatever dates the movements carry.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import Connection, func, select

from vipctl import agenda, queries, tierview
from vipctl.agendaview import item, tallies
from vipctl.config import TIERS, Config
from vipctl.followup import now
from vipctl.models import Client, Contact, DoneMark, Policy, PremiumDue, ReportRun, TierHistory

EVERYONE = agenda.Scope()
TIER_FIELDS = ("counts", "segments", "matrix", "incomplete", "unassessed")


def previous(conn: Connection, day: dt.date) -> dict | None:
    """The latest report made for a day before ``day``: a rerun for the same day is unchanged."""
    r = ReportRun.__table__.c
    query = (
        select(r.report_date, r.last_movement)
        .where(r.report_date < day)
        .order_by(r.report_date.desc(), r.id.desc())
        .limit(1)
    )
    found = conn.execute(query).mappings().first()
    return dict(found) if found else None


def record(conn: Connection, day: dt.date, last: int | None) -> None:
    """Note that the report for ``day`` was made, with the newest tier movement it saw."""
    runs = ReportRun.__table__
    conn.execute(runs.insert().values(report_date=day, ran_at=now(), last_movement=last))


def _open_premiums(conn: Connection, config: Config, day: dt.date) -> tuple[list, list]:
    """(in their grace period, past it): unpaid premiums whose date has gone, by lapse date."""
    d, p, c = PremiumDue.__table__.c, Policy.__table__.c, Client.__table__.c
    query = (
        select(d.client_id, c.name, d.policy_no, p.premium, d.due_date)
        .join(Policy.__table__, p.policy_no == d.policy_no)
        .join(Client.__table__, c.client_id == d.client_id)
        .where(d.due_date < day)
        .order_by(d.due_date, d.policy_no)
    )
    grace = dt.timedelta(days=config.agenda.grace_days)
    in_grace, lapsing = [], []
    for row in conn.execute(query).mappings():
        lapses = row["due_date"] + grace
        found = {**row, "lapses_on": lapses, "days_left": (lapses - day).days}
        (in_grace if lapses >= day else lapsing).append(found)
    return in_grace, lapsing


def _yesterday(conn: Connection, config: Config, day: dt.date) -> dict:
    """Contacts logged and items done the day before ``day``; "due" is that day's whole list:
    what was marked done plus what was still open at its end."""
    before = day - dt.timedelta(days=1)
    k, m = Contact.__table__.c, DoneMark.__table__.c
    channels = dict(
        conn.execute(
            select(k.channel, func.count()).where(k.date == before).group_by(k.channel)
        ).all()
    )
    marked = select(m.client_id, m.kind, m.policy_no, m.event_date).where(m.done_on == before)
    done = len(set(conn.execute(marked).all()))
    still_open = agenda.due_today(conn, config, before, EVERYONE, as_it_ended=True)
    return {
        "date": before,
        "contacts": dict(sorted(channels.items())),
        "contacts_total": sum(channels.values()),
        "done": done,
        "due": done + len(still_open),
    }


def build(
    conn: Connection, config: Config, day: dt.date, *, limit: int | None = None
) -> tuple[dict, int | None]:
    """The report for ``day`` (the first ``limit`` clients of the to-do list, all when None, and
    every other section in full), and the newest tier movement it saw, for ``record``."""
    last = conn.scalar(select(func.max(TierHistory.__table__.c.id)))
    entries = agenda.ranked(conn, config, day, EVERYONE, limit=limit)
    by_kind, by_tier = tallies(entries)
    overdue = Counter(
        entry.tier or "?"
        for entry in entries
        if any(e.kind == "contact_overdue" for e in entry.items)
    )
    in_grace, lapsing = _open_premiums(conn, config, day)
    before = previous(conn, day)
    if before is None:  # no report yet: the month so far, as `vipctl tier` shows it
        since = day.replace(day=1)
        moves = queries.movements(conn, since=since, until=day)
    else:
        since = before["report_date"]
        moves = queries.movements(conn, until=day, after=before["last_movement"] or 0)
    tiers = tierview.summary(
        queries.tier_counts(conn),
        moves,
        since=since,
        until=day,
        unassessed=queries.unassessed(conn),
    )
    data = {
        "date": day,
        "previous_report": before["report_date"] if before else None,
        "todo": {
            "clients": len(entries),
            "items": sum(by_kind.values()),
            "by_kind": by_kind,
            "by_tier": by_tier,
            "entries": [
                {
                    **entry.client,
                    "score": entry.score,
                    "items": [item(e, day) for e in entry.items],
                }
                for entry in entries[:limit]
            ],
        },
        "grace": in_grace,
        "lapse_risk": lapsing,
        "contacts_overdue": {tier: overdue[tier] for tier in (*TIERS, "?") if overdue[tier]},
        "tiers": {name: tiers[name] for name in TIER_FIELDS},
        "movements": {"since": since, **tiers["moved"], "list": tiers["movements"]},
        "yesterday": _yesterday(conn, config, day),
    }
    return data, last
