"""What the agent keeps in vipctl that no export carries: follow-ups to come back to a client
about, the gifts given, and the client's own yearly dates (a career anniversary, a child's
birthday, a day of their own), which the list brings up as it brings up birthdays."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, select

from vipctl.agenda.followup import changing, client_exists
from vipctl.errors import UserError, happened
from vipctl.i18n import N_, _
from vipctl.kinds import DATE_KINDS
from vipctl.store import changes, journal
from vipctl.store.schema import now
from vipctl.store.tables import Client, ClientDate, FollowUp, Gift
from vipctl.values import parse_amount


def remind(
    conn: Connection,
    client_id: str,
    on: dt.date,
    text: str,
    day: dt.date,
    *,
    by: str | None = None,
) -> int:
    """A follow-up from ``on`` on; its number. Not before ``day``: a reminder is for later."""
    if on < day:
        raise UserError(
            _("--on {on} is before {day}: a follow-up is for a day to come").format(on=on, day=day)
        )
    if not text.strip():
        raise UserError(_("say what to follow up on: the text is empty"))
    changing(conn, client_id)
    with journal.step(conn, f"remind {client_id}", [client_id], by=by):
        found = conn.execute(
            FollowUp.insert().values(
                client_id=client_id, due=on, text=text.strip(), recorded_at=now(), by_agent=by
            )
        )
    return found.inserted_primary_key[0]


def add_date(
    conn: Connection,
    client_id: str,
    kind: str,
    date: dt.date,
    *,
    lunar: bool = False,
    label: str | None = None,
    by: str | None = None,
) -> int:
    """A yearly date of the client's; its number. ``date`` is the first one (a child's birth,
    the start of a career), which says how many years a later one marks."""
    if kind not in DATE_KINDS:
        raise UserError(
            _("unknown kind of date {kind} (known: {kinds})").format(
                kind=repr(kind), kinds=", ".join(DATE_KINDS)
            )
        )
    if DATE_KINDS[kind] == "client_date" and not (label and label.strip()):
        raise UserError(_("a date of the client's own needs --label: what it is"))
    changing(conn, client_id)
    with journal.step(conn, f"dates add {client_id}", [client_id], by=by):
        found = conn.execute(
            ClientDate.insert().values(
                client_id=client_id,
                kind=DATE_KINDS[kind],
                date=date,
                lunar=lunar,
                label=label.strip() if label else None,
                recorded_at=now(),
                by_agent=by,
            )
        )
    return found.inserted_primary_key[0]


def dates(conn: Connection, client_id: str | None) -> list[dict]:
    """The clients' own dates (one client's, or everyone's), by client and date."""
    d, c = ClientDate.c, Client.c
    if client_id is not None:
        client_exists(conn, client_id)
    query = (
        select(d.id, d.client_id, c.name, d.kind, d.date, d.lunar, d.label, d.by_agent.label("by"))
        .join(Client, c.client_id == d.client_id)
        .order_by(d.client_id, d.date, d.id)
    )
    if client_id is not None:
        query = query.where(d.client_id == client_id)
    return [dict(r) for r in conn.execute(query).mappings()]


def remove_date(conn: Connection, number: int, *, by: str | None = None) -> dict:
    """Take a client's date away by its number; what it was."""
    d = ClientDate
    row = conn.execute(select(d).where(d.c.id == number)).mappings().first()
    if row is None:
        raise UserError(_("no client date number {n}").format(n=number))
    changes.declare(conn, [row["client_id"]])
    with journal.step(conn, f"dates remove {row['client_id']}", [row["client_id"]], by=by) as s:
        s.keep(conn, "client_date", {"id": number})
        conn.execute(d.delete().where(d.c.id == number))
    return dict(row)


def give(
    conn: Connection,
    client_id: str,
    item: str,
    day: dt.date,
    *,
    occasion: str | None = None,
    cost: str | None = None,
    by: str | None = None,
) -> None:
    """A gift given on ``day``; ``cost`` as people write amounts (1200, ¥1,200, 0.12万)."""
    happened(day, N_("a gift"))
    if not item.strip():
        raise UserError(_("say what was given: the item is empty"))
    amount = None
    if cost is not None:
        try:
            amount = parse_amount(cost)
        except ValueError as exc:
            raise UserError(
                _("--cost: {problem} (got '{value}')").format(problem=exc, value=cost)
            ) from None
    changing(conn, client_id)
    with journal.step(conn, f"gift {client_id}", [client_id], by=by):
        conn.execute(
            Gift.insert().values(
                client_id=client_id,
                date=day,
                item=item.strip(),
                occasion=occasion.strip() if occasion else None,
                cost=amount,
                recorded_at=now(),
                by_agent=by,
            )
        )


def gifts(conn: Connection, client_id: str) -> list[dict]:
    """The gifts given to a client, latest first."""
    g = Gift.c
    query = (
        select(g.date, g.item, g.occasion, g.cost, g.by_agent.label("by"))
        .where(g.client_id == client_id)
        .order_by(g.date.desc(), g.id.desc())
    )
    return [dict(r) for r in conn.execute(query).mappings()]
