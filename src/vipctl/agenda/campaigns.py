"""Campaigns (vipctl campaign): a dividend report, company news, a new product or an event
invitation that must reach each of its clients (the seeds' 分红报告100%送达客户, 公司重大经营和
新产品动向100%传达给客户). A campaign chooses its clients when it is made; each one not yet
reached is an item on their agent's list until delivered or the campaign's due date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import ColumnElement, Connection, and_, case, exists, func, or_, select

from vipctl.agenda.followup import client_exists
from vipctl.agenda.standards import percent
from vipctl.book.queries import agent_order
from vipctl.contract import NOT_IN_FORCE
from vipctl.errors import UserError, happened
from vipctl.i18n import N_, _
from vipctl.kinds import CAMPAIGN_KINDS, CHANNELS
from vipctl.store import changes, journal
from vipctl.store.schema import now
from vipctl.store.tables import Campaign, CampaignMember, Client, ClientTier, Policy

# A campaign made for more clients than this is declared a change of the whole book: the kept
# lists are worked out again rather than client by client.
_MANY = 1000


def _participating() -> ColumnElement[bool]:
    """A policy whose yearly dividend report is owed: marked participating by the export, or,
    where the export does not say, a product named 分红 (participating), still in force."""
    p = Policy.c
    marked = or_(
        p.participating.is_(True), and_(p.participating.is_(None), p.product.like("%分红%"))
    )
    return and_(marked, or_(p.status.is_(None), p.status.not_in(sorted(NOT_IN_FORCE))))


def choose(
    conn: Connection,
    kind: str,
    *,
    tiers: Collection[str] = (),
    segments: Collection[str] = (),
    categories: Collection[str] = (),
    agents: Collection[str] = (),
    clients: Collection[str] = (),
) -> list[str]:
    """The clients a campaign of ``kind`` reaches: a dividend report its participating policies'
    holders, any other kind the clients the options choose (all of them when none is given;
    an event invites only whom the options name), narrowed by every option given."""
    c, t, p = Client.c, ClientTier.c, Policy.c
    query = select(c.client_id).outerjoin(ClientTier, t.client_id == c.client_id)
    if kind == "dividend":
        holds = select(p.policy_no).where(p.client_id == c.client_id, _participating())
        query = query.where(exists(holds))
    elif kind == "event" and not (tiers or segments or categories or agents or clients):
        raise UserError(
            _("say whom the event invites: --client, --tier, --segment, --category or --agent")
        )
    if tiers:
        query = query.where(t.tier.in_(list(tiers)))
    if segments:
        query = query.where(t.segment.in_(list(segments)))
    if categories:
        holds = select(p.policy_no).where(
            p.client_id == c.client_id, p.category.in_(list(categories))
        )
        query = query.where(exists(holds))
    if agents:
        query = query.where(c.agent.in_(list(agents)))
    if clients:
        for client in clients:
            client_exists(conn, client)
        query = query.where(c.client_id.in_(list(clients)))
    return list(conn.scalars(query.order_by(c.client_id)))


def new(
    conn: Connection,
    name: str,
    kind: str,
    day: dt.date,
    chosen: list[str],
    *,
    due: dt.date | None = None,
    said: str = "",
    by: str | None = None,
) -> int:
    """Campaign ``name`` started on ``day`` for the ``chosen`` clients; its number."""
    name = name.strip()
    if not name:
        raise UserError(_("a campaign needs a name"))
    if kind not in CAMPAIGN_KINDS:
        said_kind = _("unknown kind of campaign {kind} (known: {kinds})")
        raise UserError(said_kind.format(kind=repr(kind), kinds=", ".join(CAMPAIGN_KINDS)))
    happened(day, N_("a campaign"))
    if due is not None and due < day:
        raise UserError(_("--due {due} is before {day}").format(due=due, day=day))
    k = Campaign
    if conn.scalar(select(k.c.id).where(k.c.name == name)) is not None:
        raise UserError(_("a campaign named {name} exists already").format(name=repr(name)))
    if not chosen:
        raise UserError(_("no client matches: the campaign would reach nobody"))
    changes.declare(conn, changes.EVERYTHING if len(chosen) > _MANY else chosen)
    with journal.step(conn, f"campaign new {name}", chosen if len(chosen) <= _MANY else [], by=by):
        number = conn.execute(
            k.insert().values(
                name=name, kind=kind, created=day, due=due, chosen=said, recorded_at=now(),
                by_agent=by,
            )
        ).inserted_primary_key[0]  # fmt: skip
        conn.execute(
            CampaignMember.insert(),
            [{"campaign_id": number, "client_id": client} for client in chosen],
        )
    return number


def _campaign(conn: Connection, name: str) -> dict:
    k = Campaign
    found = conn.execute(select(k).where(k.c.name == name)).mappings().first()
    if found is None:
        raise UserError(_("no campaign named {name}").format(name=repr(name)))
    return dict(found)


def deliver(
    conn: Connection,
    name: str,
    client_id: str,
    channel: str,
    day: dt.date,
    *,
    by: str | None = None,
    step: journal.Step | None = None,
) -> None:
    """The campaign reached the client on ``day`` by ``channel``; inside ``step`` when a logged
    contact delivered it (``vipctl log --campaign``)."""
    if channel not in CHANNELS:
        said = _("unknown channel {channel} (known: {channels})")
        raise UserError(said.format(channel=repr(channel), channels=", ".join(CHANNELS)))
    happened(day, N_("a delivery"))
    campaign = _campaign(conn, name)
    client_exists(conn, client_id)
    m = CampaignMember
    member = (
        conn.execute(select(m).where(m.c.campaign_id == campaign["id"], m.c.client_id == client_id))
        .mappings()
        .first()
    )
    if member is None:
        said = _("{client} is not among the clients of campaign {name}")
        raise UserError(said.format(client=client_id, name=repr(name)))
    if member["delivered"] is not None:
        said = _("campaign {name} reached {client} on {day} already")
        raise UserError(said.format(name=repr(name), client=client_id, day=member["delivered"]))
    if day < campaign["created"]:
        said = _("--date {day} is before campaign {name} began ({created})")
        raise UserError(said.format(day=day, name=repr(name), created=campaign["created"]))
    changes.declare(conn, [client_id])

    def write(made: journal.Step) -> None:
        made.keep(conn, "campaign_member", {"id": member["id"]})
        conn.execute(
            m.update()
            .where(m.c.id == member["id"])
            .values(delivered=day, channel=channel, by_agent=by)
        )

    if step is not None:
        write(step)
        return
    with journal.step(conn, f"campaign deliver {client_id}", [client_id], by=by) as made:
        write(made)


def _counts(conn: Connection, day: dt.date) -> dict[int, tuple[int, int]]:
    """Each campaign's (clients, reached by ``day``)."""
    m = CampaignMember.c
    reached = func.sum(case((m.delivered <= day, 1), else_=0))
    query = select(m.campaign_id, func.count(), reached).group_by(m.campaign_id)
    return {row[0]: (row[1], int(row[2] or 0)) for row in conn.execute(query)}


def campaigns(conn: Connection, day: dt.date) -> list[dict]:
    """Every campaign begun by ``day``, newest first, with how many it reached of how many."""
    k = Campaign.c
    counts = _counts(conn, day)
    query = (
        select(k.id, k.name, k.kind, k.created, k.due, k.chosen, k.by_agent.label("by"))
        .where(k.created <= day)
        .order_by(k.created.desc(), k.id.desc())
    )
    found = []
    for row in conn.execute(query).mappings():
        item = dict(row)
        total, delivered = counts.get(item.pop("id"), (0, 0))
        found.append({**item, **tallied(total, delivered)})
    return found


def tallied(total: int, done: int) -> dict:
    """Reached of total, and the percentage (``standards.percent``)."""
    return {"total": total, "delivered": done, "percent": percent(done, total)}


def status(conn: Connection, name: str, day: dt.date) -> dict:
    """How far campaign ``name`` has reached, as of ``day``: in all, by agent, and whom not."""
    campaign = _campaign(conn, name)
    m, c = CampaignMember.c, Client.c
    query = (
        select(m.client_id, c.name, c.agent, m.delivered, m.channel, m.by_agent)
        .join(Client, c.client_id == m.client_id)
        .where(m.campaign_id == campaign["id"])
        .order_by(m.client_id)
    )
    members = [dict(r) for r in conn.execute(query).mappings()]
    by_agent: dict[str | None, list[int]] = {}
    undelivered = []
    for member in members:
        reached = member["delivered"] is not None and member["delivered"] <= day
        counts = by_agent.setdefault(member["agent"], [0, 0])
        counts[0] += 1
        counts[1] += reached
        if not reached:
            undelivered.append(
                {"client_id": member["client_id"], "name": member["name"], "agent": member["agent"]}
            )
    delivered = sum(n for _, n in by_agent.values())
    agents = [
        {"agent": agent, **tallied(total, done)}
        for agent, (total, done) in sorted(by_agent.items(), key=lambda a: agent_order(a[0]))
    ]
    return {
        "name": campaign["name"],
        "kind": campaign["kind"],
        "created": campaign["created"],
        "due": campaign["due"],
        "chosen": campaign["chosen"],
        **tallied(len(members), delivered),
        "by_agent": agents,
        "undelivered": undelivered,
    }
