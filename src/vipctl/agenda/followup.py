"""Closing the loop: contacts logged, items done, clients snoozed, premiums paid.

Each is one small insert or update in a write transaction. Nothing here invents facts: marking a
renewal done hides it until its next reminder, but only a payment (recorded here, or seen in a
later export) moves the premium's due date on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import Connection, select

from vipctl.agenda import lists
from vipctl.config import Config
from vipctl.errors import UserError, happened, no_client
from vipctl.i18n import N_, _
from vipctl.kinds import BY_NAME, CHANNELS, OUTCOMES, UNANSWERED, activity, outcome_of
from vipctl.rules import schedule
from vipctl.rules.events import Event
from vipctl.store import changes, journal
from vipctl.store.schema import now
from vipctl.store.tables import Client, Contact, DoneMark, Payment, Policy, PremiumDue, Snooze


def client_exists(conn: Connection, client_id: str) -> None:
    c = Client.c
    if conn.scalar(select(c.client_id).where(c.client_id == client_id)) is None:
        raise no_client(client_id)


def changing(conn: Connection, client_id: str) -> None:
    """The client exists, and this write changes their list alone (``agenda.snapshots``)."""
    client_exists(conn, client_id)
    changes.declare(conn, [client_id])


def log(
    conn: Connection,
    config: Config,
    client_id: str,
    channel: str,
    note: str | None,
    day: dt.date,
    *,
    outcome: str | None = None,
    until: dt.date | None = None,
    campaign: str | None = None,
    by: str | None = None,
) -> list[Event]:
    """A contact and what came of it (``kinds.OUTCOMES``). One that reached the client, or sent
    them something, settles the items of the day's list whose kind it settles (a greeting SMS
    a birthday, only a conversation a callback: ``kinds.REGISTRY``) and restarts the tier's
    cadence; a try that reached nobody settles nothing and is counted on the items. A promise
    to pay with ``until`` holds the client back until that day; one that reached them may
    deliver a ``campaign``. ``by``: the agent who made it, on a team's database. Returns the
    items it settled."""
    happened(day, N_("a contact"))
    outcome = outcome_of(channel, outcome)
    if channel not in OUTCOMES[outcome]:
        said = _("--outcome {outcome} does not go with --channel {channel} (it goes with {fits})")
        fits = ", ".join(c for c in CHANNELS if c in OUTCOMES[outcome])
        raise UserError(said.format(outcome=outcome, channel=channel, fits=fits))
    if until is not None and outcome != "promised":
        raise UserError(_("--until is the day promised: give it with --outcome promised"))
    if campaign is not None and activity(outcome) == UNANSWERED:
        raise UserError(_("--campaign: a try that reached nobody delivers nothing"))
    changing(conn, client_id)
    with journal.step(conn, f"log {client_id}", [client_id], by=by) as step:
        if until is not None:
            step.keep(conn, "snooze", {"client_id": client_id})
        conn.execute(
            Contact.insert().values(
                client_id=client_id,
                date=day,
                channel=channel,
                note=note,
                outcome=outcome,
                recorded_at=now(),
                by_agent=by,
            )
        )
        if until is not None:
            _snooze(conn, client_id, until, day, by)
        if campaign is not None:
            from vipctl.agenda import campaigns  # which asks this module whether clients exist

            campaigns.deliver(conn, campaign, client_id, channel, day, by=by, step=step)
        done_by = activity(outcome)
        settled = [
            e
            for e in lists.due_today(conn, config, day, lists.Scope(clients=[client_id]))
            if done_by in BY_NAME[e.kind].settled_by
        ]
        _mark(conn, client_id, settled, day, by)
        return settled


def _mark(
    conn: Connection, client_id: str, items: list[Event], day: dt.date, by: str | None
) -> None:
    """Done marks for ``items``: each hidden until its next reminder."""
    if not items:
        return
    recorded = now()
    rows = [
        {
            "client_id": client_id,
            "kind": e.kind,
            "policy_no": e.policy_no,
            "event_date": e.date,
            "done_on": day,
            "recorded_at": recorded,
            "by_agent": by,
        }
        for e in items
    ]
    conn.execute(DoneMark.insert(), rows)


def done(
    conn: Connection,
    config: Config,
    client_id: str,
    day: dt.date,
    kinds: Collection[str] = (),
    policy_no: str | None = None,
    *,
    by: str | None = None,
) -> list[Event]:
    """Mark the client's items on ``day``'s list handled; returns them."""
    happened(day, N_("an item handled"))
    changing(conn, client_id)
    items = [
        e
        for e in lists.due_today(conn, config, day, lists.Scope(clients=[client_id]))
        if (not kinds or e.kind in kinds) and (policy_no is None or e.policy_no == policy_no)
    ]
    if not items:
        said = _("nothing on {client}'s list for {day} matches")
        raise UserError(said.format(client=client_id, day=day))
    with journal.step(conn, f"done {client_id}", [client_id], by=by):
        _mark(conn, client_id, items, day, by)
    return items


def snooze(
    conn: Connection, client_id: str, until: dt.date, day: dt.date, *, by: str | None = None
) -> None:
    """Hold the client's items back until ``until``; snoozing again replaces the date."""
    changing(conn, client_id)
    with journal.step(conn, f"snooze {client_id}", [client_id], by=by) as step:
        step.keep(conn, "snooze", {"client_id": client_id})
        _snooze(conn, client_id, until, day, by)


def _snooze(conn: Connection, client_id: str, until: dt.date, day: dt.date, by: str | None) -> None:
    if until <= day:
        raise UserError(_("--until {until} is not after {day}").format(until=until, day=day))
    s = Snooze
    values = {"until": until, "by_agent": by}
    if conn.execute(s.update().where(s.c.client_id == client_id).values(values)).rowcount:
        return
    conn.execute(s.insert().values(client_id=client_id, **values))


def paid(
    conn: Connection, policy_no: str, day: dt.date, *, by: str | None = None
) -> tuple[dt.date, dt.date | None]:
    """Record the policy's unpaid premium as paid on ``day``; returns (paid due date, next one)."""
    happened(day, N_("a payment"))
    p, d = Policy.c, PremiumDue.c
    row = conn.execute(
        select(d.due_date, p.effective_date, p.frequency, p.payment_years, d.client_id)
        .join(Policy, p.policy_no == d.policy_no)
        .where(d.policy_no == policy_no)
    ).first()
    if row is None:
        if conn.scalar(select(p.policy_no).where(p.policy_no == policy_no)) is None:
            raise UserError(_("no policy {policy}").format(policy=repr(policy_no)))
        said = _("{policy}: no premium is due (paid up, single premium or not in force)")
        raise UserError(said.format(policy=policy_no))
    due, effective, frequency, years, client_id = row
    changes.declare(conn, [client_id])
    with journal.step(conn, f"paid {policy_no}", [client_id], by=by) as step:
        step.keep(conn, "premium_due", {"policy_no": policy_no})
        return due, _paid(conn, policy_no, due, effective, frequency, years, day)


def _paid(
    conn: Connection,
    policy_no: str,
    due: dt.date,
    effective: dt.date,
    frequency: str,
    years: int | None,
    day: dt.date,
) -> dt.date | None:
    conn.execute(
        Payment.insert().values(policy_no=policy_no, due_date=due, paid_on=day, recorded_at=now())
    )
    # On the schedule through the premium paid: a date the insurer stated off the effective
    # date's schedule carries on one period at a time.
    following = schedule.following(effective, frequency, years, due, due + dt.timedelta(days=1))
    table = PremiumDue
    where = table.c.policy_no == policy_no
    if following is None:
        conn.execute(table.delete().where(where))
    else:
        conn.execute(table.update().where(where).values(due_date=following))
    return following


def history(conn: Connection, client_id: str) -> list[dict]:
    client_exists(conn, client_id)
    k = Contact.c
    query = (
        select(k.date, k.channel, k.outcome, k.note, k.by_agent.label("by"))
        .where(k.client_id == client_id)
        .order_by(k.date.desc(), k.id.desc())
    )
    return [dict(r) for r in conn.execute(query).mappings()]
