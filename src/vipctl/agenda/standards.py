"""The seeds' 100 % service standards over a period (vipctl standards, the report's section):
for each, how many fell due and how many were met, per agent for a team lead.

What falls due in the period [since, until]:
- a new policy's callback: each policy that took effect in it, met by a conversation with the
  client within ``new_policy_days`` of the effective date (and by ``until``);
- a departed agent's callback: each client whose agent was known to have left in it, met by a
  conversation on or after that day;
- a campaign's delivery (dividend reports; news and new products; event invitations): each
  client of a campaign begun in it, met by the delivery;
- fast service: each request opened in it, met by closing it within its type's target.

One not yet met whose time has not run out by ``until`` (a callback still within its days, a
campaign not yet due, a request within its target) counts as due and not met, and is counted
as ``pending`` too, so a lead can tell late from not yet. Nothing due is ``percent: None``,
which people read as "none due": 0 of 0 is not 100 %.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

from sqlalchemy import Connection, Select, select

from vipctl.book.queries import agent_order
from vipctl.config import Config
from vipctl.kinds import SERVICE_TYPES, TALK, outcomes_of
from vipctl.store.tables import (
    AgentDeparture,
    Campaign,
    CampaignMember,
    Client,
    Contact,
    Policy,
    ServiceRequest,
)

# Each standard by the name scripts see, in the order people read them; the campaign ones with
# the campaign kinds they count.
STANDARDS = (
    "new_policy_callbacks",
    "departed_agent_callbacks",
    "dividend_reports",
    "news_and_products",
    "event_invitations",
    "fast_service",
)
WHOLE = object()  # the key of the whole (or one agent's) book in what ``measure`` counts
_CAMPAIGNS = {
    "dividend_reports": ("dividend",),
    "news_and_products": ("news", "product"),
    "event_invitations": ("event",),
}


class _Tally:
    """Due, met and pending, per agent."""

    def __init__(self) -> None:
        self.counts: dict[object, list[int]] = defaultdict(lambda: [0, 0, 0])

    def add(self, keys: tuple, met: bool, pending: bool) -> None:
        for key in keys:
            found = self.counts[key]
            found[0] += 1
            found[1] += met
            found[2] += pending and not met


def percent(done: int, total: int) -> float | None:
    """Done of total as a percentage; None when nothing fell due (0 of 0 is not 100 %)."""
    return None if total == 0 else round(100 * done / total, 1)


def rate(total: int, done: int, pending: int = 0) -> dict:
    return {"total": total, "done": done, "pending": pending, "percent": percent(done, total)}


def _talks(conn: Connection, since: dt.date, until: dt.date) -> dict[str, list[dt.date]]:
    """Each client's conversations in the period, by date: what a callback wants."""
    k = Contact.c
    query = select(k.client_id, k.date).where(
        k.outcome.in_(outcomes_of(TALK)), k.date.between(since, until)
    )
    found: dict[str, list[dt.date]] = defaultdict(list)
    for client, day in conn.execute(query):
        found[client].append(day)
    return found


def measure(
    conn: Connection,
    config: Config,
    since: dt.date,
    until: dt.date,
    *,
    agent: str | None = None,
    by_agent: bool = False,
) -> dict[object, dict]:
    """Each standard's rate, and fast service by type with the median days to close, of
    ``agent``'s clients (every client's when None), under ``WHOLE``; with ``by_agent``, also
    each agent's under the agent, counted in the same pass over the rows."""
    c = Client.c
    tallies = {name: _Tally() for name in STANDARDS}
    by_type = {t: _Tally() for t in SERVICE_TYPES}
    closing: dict[tuple[object, str], list[int]] = defaultdict(list)

    def mine(query: Select) -> Select:
        return query if agent is None else query.where(c.agent == agent)

    def key(who: str | None) -> tuple:
        return (WHOLE, who) if by_agent else (WHOLE,)

    window = dt.timedelta(days=config.agenda.new_policy_days)
    talks = _talks(conn, since, until)

    p = Policy.c
    query = mine(
        select(p.client_id, c.agent, p.effective_date)
        .join(Client, c.client_id == p.client_id)
        .where(p.effective_date.between(since, until))
    )
    for client, who, effective in conn.execute(query):
        last = min(effective + window, until)
        met = any(effective <= d <= last for d in talks.get(client, ()))
        tallies["new_policy_callbacks"].add(key(who), met, until < effective + window)

    a = AgentDeparture.c
    query = mine(
        select(a.client_id, c.agent, a.since)
        .join(Client, c.client_id == a.client_id)
        .where(a.since.between(since, until))
    )
    for client, who, left in conn.execute(query):
        met = any(left <= d <= until for d in talks.get(client, ()))
        tallies["departed_agent_callbacks"].add(key(who), met, False)

    m, k = CampaignMember.c, Campaign.c
    query = mine(
        select(k.kind, c.agent, m.delivered, k.due)
        .join(Campaign, k.id == m.campaign_id)
        .join(Client, c.client_id == m.client_id)
        .where(k.created.between(since, until))
    )
    standard_of = {kind: name for name, kinds in _CAMPAIGNS.items() for kind in kinds}
    for kind, who, delivered, due in conn.execute(query):
        met = delivered is not None and delivered <= until
        tallies[standard_of[kind]].add(key(who), met, due is None or until <= due)

    q = ServiceRequest.c
    query = mine(
        select(q.type, c.agent, q.opened, q.closed)
        .join(Client, c.client_id == q.client_id)
        .where(q.opened.between(since, until))
    )
    targets = config.agenda.service_target_days
    for kind, who, opened, closed in conn.execute(query):
        closed = closed if closed is not None and closed <= until else None
        met = closed is not None and (closed - opened).days <= targets[kind]
        pending = closed is None and (until - opened).days <= targets[kind]
        tallies["fast_service"].add(key(who), met, pending)
        by_type[kind].add(key(who), met, pending)
        if closed is not None:
            for counted in key(who):
                closing[counted, kind].append((closed - opened).days)

    keys = {who for tally in (*tallies.values(), *by_type.values()) for who in tally.counts}
    keys.add(WHOLE)
    if by_agent and agent is not None:
        keys.add(agent)
    return {
        who: {
            "standards": [_rate(name, tallies[name], who) for name in STANDARDS],
            "fast_service_by_type": [
                {
                    "type": kind,
                    "target_days": targets[kind],
                    **rate(*by_type[kind].counts.get(who, (0, 0, 0))),
                    "median_days_to_close": _median(closing.get((who, kind), [])),
                }
                for kind in SERVICE_TYPES
            ],
        }
        for who in keys
    }


def _rate(name: str, tally: _Tally, who: object) -> dict:
    return {"standard": name, **rate(*tally.counts.get(who, (0, 0, 0)))}


def _median(days: list[int]) -> float | None:
    return float(statistics.median(days)) if days else None


def standards(
    conn: Connection,
    config: Config,
    since: dt.date,
    until: dt.date,
    *,
    agent: str | None = None,
    team: bool = False,
) -> dict:
    """The standards of the period: the book's (or ``agent``'s) and, with ``team``, each
    agent's. JSON-ready (docs/commands.md gives the shape)."""
    per = measure(conn, config, since, until, agent=agent, by_agent=team)
    found: dict = {"since": since, "until": until, "agent": agent, **per.pop(WHOLE)}
    if team:
        found["agents"] = [{"agent": who, **per[who]} for who in sorted(per, key=agent_order)]
    return found
