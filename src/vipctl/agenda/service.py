"""Service requests (vipctl service): a policy change, a claim or a benefit collection the client
asked for, open on the agent's list until closed, and measured against its type's target
(``[agenda] service_target_days``), the seeds' 100 % fast service."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, select

from vipctl.agenda.followup import changing
from vipctl.config import Config
from vipctl.errors import UserError, happened
from vipctl.i18n import N_, _
from vipctl.kinds import LETTER_AFTER, SERVICE_TYPES
from vipctl.store import changes, journal
from vipctl.store.schema import now
from vipctl.store.tables import Client, Policy, ServiceRequest


def known_type(kind: str) -> None:
    if kind not in SERVICE_TYPES:
        said = _("unknown type of service request {type} (known: {types})")
        raise UserError(said.format(type=repr(kind), types=", ".join(SERVICE_TYPES)))


def _policy_of(conn: Connection, client_id: str, policy_no: str) -> None:
    """The policy is the client's: a claim on another client's policy is a typing slip."""
    p = Policy.c
    owner = conn.scalar(select(p.client_id).where(p.policy_no == policy_no))
    if owner is None:
        raise UserError(_("no policy {policy}").format(policy=repr(policy_no)))
    if owner != client_id:
        said = _("policy {policy} is {owner}'s, not {client}'s")
        raise UserError(said.format(policy=policy_no, owner=owner, client=client_id))


def open_request(
    conn: Connection,
    client_id: str,
    kind: str,
    day: dt.date,
    *,
    policy_no: str | None = None,
    note: str | None = None,
    by: str | None = None,
) -> int:
    """A request opened on ``day``; its number."""
    known_type(kind)
    happened(day, N_("a service request"))
    changing(conn, client_id)
    if policy_no is not None:
        _policy_of(conn, client_id, policy_no)
    with journal.step(conn, f"service open {client_id}", [client_id], by=by):
        found = conn.execute(
            ServiceRequest.insert().values(
                client_id=client_id,
                type=kind,
                policy_no=policy_no,
                note=note.strip() if note and note.strip() else None,
                opened=day,
                recorded_at=now(),
                by_agent=by,
            )
        )
    return found.inserted_primary_key[0]


def close_request(
    conn: Connection,
    config: Config,
    number: int,
    day: dt.date,
    *,
    note: str | None = None,
    by: str | None = None,
) -> dict:
    """Close request ``number`` on ``day``: the request as it now stands (``listed``), and
    whether the letter after service is now on the list."""
    happened(day, N_("a service request closed"))
    q = ServiceRequest
    row = conn.execute(select(q).where(q.c.id == number)).mappings().first()
    if row is None:
        raise UserError(_("no service request number {n}").format(n=number))
    if row["closed"] is not None:
        said = _("service request {n} was closed on {day} already")
        raise UserError(said.format(n=number, day=row["closed"]))
    if day < row["opened"]:
        said = _("--date {day} is before service request {n} was opened ({opened})")
        raise UserError(said.format(day=day, n=number, opened=row["opened"]))
    client = row["client_id"]
    changes.declare(conn, [client])
    with journal.step(conn, f"service close {client}", [client], by=by) as step:
        step.keep(conn, "service_request", {"id": number})
        conn.execute(
            q.update()
            .where(q.c.id == number)
            .values(
                closed=day,
                close_note=note.strip() if note and note.strip() else None,
                closed_by=by,
            )
        )
    closed = requests(conn, config, day, number=number)[0]
    closed["letter"] = row["type"] in LETTER_AFTER and "service_letter" not in config.agenda.off
    return closed


def requests(
    conn: Connection,
    config: Config,
    day: dt.date,
    *,
    open_only: bool = False,
    overdue_only: bool = False,
    agent: str | None = None,
    number: int | None = None,
) -> list[dict]:
    """The requests opened by ``day``, oldest first, each with its age in days (to its closing,
    or to ``day`` while open), its target and whether it is (or was closed) past it."""
    q, c = ServiceRequest.c, Client.c
    query = (
        select(
            q.id.label("number"), q.client_id, c.name, c.agent, q.type, q.policy_no, q.opened,
            q.closed, q.note, q.close_note, q.by_agent.label("by"), q.closed_by,
        )
        .join(Client, c.client_id == q.client_id)
        .where(q.opened <= day)
        .order_by(q.opened, q.id)
    )  # fmt: skip
    if open_only or overdue_only:
        query = query.where(q.closed.is_(None) | (q.closed > day))
    if agent is not None:
        query = query.where(c.agent == agent)
    if number is not None:
        query = query.where(q.id == number)
    found = []
    for row in conn.execute(query).mappings():
        item = dict(row)
        closed = item["closed"] if item["closed"] is not None and item["closed"] <= day else None
        if closed is None:  # open as of ``day``, whatever came after it
            item.update(closed=None, close_note=None, closed_by=None)
        target = config.agenda.service_target_days[item["type"]]
        item["target_days"] = target
        item["due"] = item["opened"] + dt.timedelta(days=target)
        item["age_days"] = ((closed or day) - item["opened"]).days
        item["overdue"] = item["age_days"] > target
        if overdue_only and not item["overdue"]:
            continue
        found.append(item)
    return found
