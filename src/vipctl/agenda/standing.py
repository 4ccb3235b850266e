"""Where a client stands with the list beyond its items: why someone is off it today (snoozed,
items done), the tries that reached nobody, the follow-ups waiting, the client's own dates.
``show``, ``review`` and ``today --explain`` say it, so nobody wonders where a client went."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, select

from vipctl.store.tables import ClientDate, Contact, DoneMark, FollowUp, Snooze

RECENT_DAYS = 30  # how far back the tries that reached nobody are told


def standing(conn: Connection, client_id: str, day: dt.date) -> dict:
    """The client's snooze (until, by; None), the items done on ``day``, the unanswered tries of
    the last ``RECENT_DAYS`` days, the follow-ups not yet done and the client's own dates."""
    s, m, k = Snooze.c, DoneMark.c, Contact.c
    f, d = FollowUp.c, ClientDate.c
    snooze = (
        conn.execute(
            select(s.until, s.by_agent.label("by")).where(s.client_id == client_id, s.until > day)
        )
        .mappings()
        .first()
    )
    done = conn.execute(
        select(m.kind, m.policy_no, m.event_date, m.by_agent.label("by"))
        .where(m.client_id == client_id, m.done_on == day)
        .order_by(m.id)
    ).mappings()
    tries = conn.scalars(
        select(k.date)
        .where(
            k.client_id == client_id,
            k.outcome == "no_answer",
            k.date.between(day - dt.timedelta(days=RECENT_DAYS), day),
        )
        .order_by(k.date)
    )
    follow_ups = conn.execute(
        select(f.due, f.text).where(f.client_id == client_id).order_by(f.due, f.id)
    ).mappings()
    done_ones = {
        (row.event_date, row.policy_no)
        for row in conn.execute(
            select(m.event_date, m.policy_no).where(m.client_id == client_id, m.kind == "follow_up")
        )
    }
    dates = conn.execute(
        select(d.id, d.kind, d.date, d.lunar, d.label).where(d.client_id == client_id)
    ).mappings()
    return {
        "snoozed": dict(snooze) if snooze else None,
        "done_today": [dict(r) for r in done],
        "unanswered": list(tries),
        "follow_ups": [dict(r) for r in follow_ups if (r["due"], None) not in done_ones],
        "dates": [dict(r) for r in dates],
    }
