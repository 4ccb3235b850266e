"""What the daily report says, as one JSON-ready dict (docs/report.md documents its shape).

Everything in it is a function of the database and the report's date, so two runs for the same
date give the same report. The one thing a run adds is a ``report_run`` row: the next report
lists the tier movements recorded after it, which is exact whatever dates the movements carry.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from sqlalchemy import Connection, func, select

from vipctl import agenda
from vipctl.agenda import occasions, standards
from vipctl.agenda.followup import now
from vipctl.book import assessing, queries
from vipctl.config import TIERS, Config
from vipctl.rules import tiers
from vipctl.rules.ranking import DayList, Entry
from vipctl.store import changes
from vipctl.store.tables import (
    Client,
    Contact,
    DoneMark,
    Policy,
    PremiumDue,
    ReportRun,
    TierHistory,
)
from vipctl.views import tiers as tiers_view
from vipctl.views.agenda import item

STANDARDS_DAYS = 30  # the period the report's standards cover, to its day
TIER_FIELDS = ("counts", "segments", "matrix", "incomplete", "unassessed", "no_indicators")


def previous(conn: Connection, day: dt.date, agent: str | None = None) -> dict | None:
    """The latest report of the same agent (or of the whole book) made for a day before
    ``day``: a rerun for the same day is unchanged."""
    r = ReportRun.c
    query = (
        select(r.report_date, r.last_movement)
        .where(r.report_date < day, r.agent.is_(None) if agent is None else r.agent == agent)
        .order_by(r.report_date.desc(), r.id.desc())
        .limit(1)
    )
    found = conn.execute(query).mappings().first()
    return dict(found) if found else None


def record(conn: Connection, day: dt.date, last: int | None, agent: str | None = None) -> None:
    """Note that ``agent``'s report (None: the whole book's) for ``day`` was made, with the
    newest tier movement it saw."""
    changes.declare(conn, changes.NOTHING)  # a report made changes nobody's list
    runs = ReportRun
    values = {"report_date": day, "ran_at": now(), "last_movement": last, "agent": agent}
    conn.execute(runs.insert().values(values))


def _open_premiums(
    conn: Connection, config: Config, day: dt.date, agent: str | None, rows: int | None
) -> dict[str, tuple[list[dict], dict]]:
    """Unpaid premiums whose date has gone, "grace" while their last day to pay (the policy
    lapses the day after) is still to come and "lapse_risk" past it: each the first ``rows``
    by date (all when None) and how many policies and how much premium there are in all, so
    that a document's table need not read tens of thousands."""
    d, p, c = PremiumDue.c, Policy.c, Client.c
    grace = dt.timedelta(days=config.agenda.grace_days)
    first_in_grace = day - grace  # the earliest due date whose last day to pay is not gone
    where = {
        "grace": d.due_date.between(first_in_grace, day - dt.timedelta(days=1)),
        "lapse_risk": d.due_date < first_in_grace,
    }
    scope = agenda.Scope(agent=agent)
    found = {}
    for section, condition in where.items():
        listed = (
            select(d.client_id, c.name, d.policy_no, p.premium, d.due_date)
            .join(Policy, p.policy_no == d.policy_no)
            .join(Client, c.client_id == d.client_id)
            .where(condition)
            .order_by(d.due_date, d.policy_no)
            .limit(rows)
        )
        listed = agenda.scoped(listed, d.client_id, scope)
        summed = (
            select(func.count(), func.coalesce(func.sum(func.round(p.premium * 100)), 0))
            .select_from(PremiumDue)
            .join(Policy, p.policy_no == d.policy_no)
            .where(condition)
        )
        policies, cents = conn.execute(agenda.scoped(summed, d.client_id, scope)).one()
        shown = [
            {
                "client_id": client_id,
                "name": name,
                "policy_no": policy_no,
                "premium": premium,
                "due_date": due_date,
                "last_day_to_pay": due_date + grace,
                "days_left": (due_date + grace - day).days,
            }
            for client_id, name, policy_no, premium, due_date in conn.execute(listed)
        ]
        found[section] = (shown, {"policies": policies, "premium": Decimal(int(cents)).scaleb(-2)})
    return found


def _yesterday(conn: Connection, config: Config, day: dt.date, agent: str | None) -> dict:
    """Contacts logged and items done the day before ``day``; "due" is that day's whole list:
    what was marked done plus what was still open at its end."""
    before = day - dt.timedelta(days=1)
    k, m = Contact.c, DoneMark.c
    scope = agenda.Scope(agent=agent)
    logged = select(k.channel, func.count()).where(k.date == before).group_by(k.channel)
    channels = dict(conn.execute(agenda.scoped(logged, k.client_id, scope)).all())
    marked = select(m.client_id, m.kind, m.policy_no, m.event_date).where(m.done_on == before)
    done = len(set(conn.execute(agenda.scoped(marked, m.client_id, scope)).all()))
    still_open = occasions.items_open(conn, config, before, scope, as_it_ended=True)
    if still_open is None:
        still_open = len(agenda.due_today(conn, config, before, scope, as_it_ended=True))
    return {
        "date": before,
        "contacts": dict(sorted(channels.items())),
        "contacts_total": sum(channels.values()),
        "done": done,
        "due": done + still_open,
    }


def _team(conn: Connection, day: dt.date, entries: list[Entry], moves: list[dict]) -> list[dict]:
    """The lead's table: per agent, today's list (clients, items, items past their date), the
    items marked done today, and the tier movements of the period."""
    c, m = Client.c, DoneMark.c
    agent_of = dict(conn.execute(select(c.client_id, c.agent)).all())
    rows: dict[str | None, Counter] = {agent: Counter() for agent in set(agent_of.values())}
    for entry in entries:
        row = rows[agent_of.get(entry.client_id)]
        row["clients"] += 1
        row["items"] += len(entry.items)
        row["overdue"] += sum(1 for e in entry.items if e.date < day)
    marked = select(m.client_id, m.kind, m.policy_no, m.event_date).where(m.done_on == day)
    for client_id, *_ in set(conn.execute(marked).all()):
        rows[agent_of.get(client_id)]["done"] += 1
    for move in moves:
        way = "up" if tiers.movement(move["from"], move["to"]) == "up" else "down"
        rows[move["agent"]][way] += 1
    fields = ("clients", "items", "overdue", "done", "up", "down")
    return [
        {"agent": agent, **{f: rows[agent][f] for f in fields}}
        for agent in sorted(rows, key=queries.agent_order)
    ]


def build(
    conn: Connection,
    config: Config,
    day: dt.date,
    *,
    limit: int | None = None,
    tables: int | None = None,
    agent: str | None = None,
    team: bool = False,
) -> tuple[dict, int | None, DayList]:
    """The report for ``day``: of ``agent``'s clients, or the whole book when None; the first
    ``limit`` clients of the to-do list (all when None), the first ``tables`` rows of the
    unpaid premiums (all when None) with their totals, and every other section in full; with
    ``team``, the per-agent table too. Also the newest tier movement it saw, for ``record``,
    and the day's list, for ``agenda.keep``. On a large book the sections besides the list are
    read by a second process meanwhile (``agenda.beside``): a third of the cron run's time."""
    queries.check_agent(conn, agent)
    scope = agenda.Scope(agent=agent)

    def sections(own: Connection) -> tuple[dict, int | None, list[dict]]:
        return _besides_the_list(own, config, day, agent, tables, team)

    apart = agenda.beside(conn, sections) if agenda.two_processes(conn) else None
    listed = agenda.day_list(conn, config, day, scope, limit=limit, whole=team)
    overdue = listed.overdue
    if overdue is None and len(listed.entries) < listed.clients:  # cut, not by the occasions
        listed = agenda.day_list(conn, config, day, scope, limit=limit, whole=True)
    entries, by_kind, by_tier = listed.entries, listed.kinds, listed.tiers
    if overdue is None:
        overdue = Counter(
            entry.tier or "?"
            for entry in entries
            if any(e.kind == occasions.OVERDUE for e in entry.items)
        )
    besides, last, moves = sections(conn) if apart is None else apart()
    data = {
        "date": day,
        "agent": agent,
        "previous_report": besides.pop("previous_report"),
        "todo": {
            "clients": listed.clients,
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
        "grace": besides.pop("grace"),
        "lapse_risk": besides.pop("lapse_risk"),
        "unpaid": besides.pop("unpaid"),
        "contacts_overdue": {t: overdue[t] for t in (*TIERS, "?") if overdue.get(t)},
        **besides,
    }
    if team:
        data["team"] = _team(conn, day, entries, moves)
    return data, last, listed


def _besides_the_list(
    conn: Connection,
    config: Config,
    day: dt.date,
    agent: str | None,
    tables: int | None,
    team: bool,
) -> tuple[dict, int | None, list[dict]]:
    """Every section of the report but the to-do list, the newest tier movement and the
    movements of the period, all as of one reading of the book."""
    last = conn.scalar(select(func.max(TierHistory.c.id)))
    unpaid = _open_premiums(conn, config, day, agent, tables)
    before = previous(conn, day, agent)
    if before is None:  # no report yet: the month so far, as `vipctl tier` shows it
        since = day.replace(day=1)
        moves = queries.movements(conn, since=since, until=day, agent=agent)
    else:
        since = before["report_date"]
        after = before["last_movement"] or 0
        moves = queries.movements(conn, until=day, after=after, agent=agent)
    summary = tiers_view.summary(
        queries.tier_counts(conn, agent),
        moves,
        since=since,
        until=day,
        unassessed=queries.unassessed(conn, agent),
    )
    sections = {
        "previous_report": before["report_date"] if before else None,
        "grace": unpaid["grace"][0],
        "lapse_risk": unpaid["lapse_risk"][0],
        "unpaid": {section: totals for section, (_, totals) in unpaid.items()},
        "tiers": {
            **{name: summary[name] for name in TIER_FIELDS},
            "assessed_under_other_rules": assessing.assessed_under_other_rules(conn, config),
        },
        "movements": {"since": since, **summary["moved"], "list": summary["movements"]},
        "yesterday": _yesterday(conn, config, day, agent),
        "standards": standards.standards(
            conn, config, day - dt.timedelta(days=STANDARDS_DAYS - 1), day, agent=agent, team=team
        ),
    }
    return sections, last, moves
