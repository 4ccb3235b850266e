"""What ``vipctl service list``, ``campaign list`` and ``campaign status`` show: the seeds' 100 %
service standards' working lists, numbered as the commands that close and deliver take them."""

from __future__ import annotations

import datetime as dt

from vipctl.i18n import N_, _
from vipctl.kinds import CAMPAIGN_KINDS, SERVICE_TYPES
from vipctl.views import render, words
from vipctl.views.fit import Col

REQUEST_FIELDS = [
    "number", "client_id", "name", "agent", "type", "policy_no", "opened", "closed",
    "target_days", "due", "age_days", "overdue", "note", "close_note", "by", "closed_by",
]  # fmt: skip
REQUEST_COLUMNS = [
    Col("number", "No."),
    Col("client_id", "Client"),
    Col("name", "Name", optional=3, under="client_id"),
    Col("type_shown", "Type"),
    Col("policy_no", "Policy", optional=2),
    Col("opened", "Opened"),
    Col("status", "Status"),
    Col("note", "Note", optional=1),
]


def status(request: dict) -> str:
    """Open, past its target, or closed on a day (and how long it took)."""
    if request["closed"] is not None:
        said = (
            _("closed {day}, {days} d (past target)")
            if request["overdue"]
            else _("closed {day}, {days} d")
        )
        return said.format(day=request["closed"], days=request["age_days"])
    if request["overdue"]:
        said = _("open {days} d, past target {target} d")
    else:
        said = _("open {days} d of {target} d")
    return said.format(days=request["age_days"], target=request["target_days"])


def write_requests(found: list[dict], fmt: render.Format, limit: int | None) -> None:
    rows = [
        {**r, "type_shown": _(SERVICE_TYPES[r["type"]]), "status": status(r)} for r in found[:limit]
    ]
    opened = sum(r["closed"] is None for r in found)
    late = sum(r["closed"] is None and r["overdue"] for r in found)
    title = _("{requests} ({open} open, {late} past target)").format(
        requests=render.shown_of(
            len(rows),
            len(found),
            words.counted(len(found), "{n} service request", "{n} service requests"),
        ),
        open=f"{opened:,}",
        late=f"{late:,}",
    )
    render.listing(
        rows, fmt=fmt, fields=REQUEST_FIELDS, columns=REQUEST_COLUMNS, show_pii=False, title=title
    )


CAMPAIGN_FIELDS = [
    "name",
    "kind",
    "created",
    "due",
    "total",
    "delivered",
    "percent",
    "chosen",
    "by",
]
CAMPAIGN_COLUMNS = [
    Col("name", "Campaign"),
    Col("kind_shown", "Kind"),
    Col("created", "Began", optional=2),
    Col("due", "Due", optional=1),
    Col("reached", "Delivered"),
]


def share(done: int, total: int, percent: float | None) -> str:
    """``12 of 14 (85.7 %)``; ``none due`` for 0 of 0, which is not 100 %."""
    if total == 0:
        return _("none due")
    return _("{done} of {total} ({percent}%)").format(
        done=f"{done:,}", total=f"{total:,}", percent=f"{percent:g}"
    )


def write_campaigns(found: list[dict], fmt: render.Format) -> None:
    rows = [
        {
            **c,
            "kind_shown": _(CAMPAIGN_KINDS[c["kind"]]),
            "reached": share(c["delivered"], c["total"], c["percent"]),
        }
        for c in found
    ]
    title = words.counted(len(found), "{n} campaign", "{n} campaigns")
    render.listing(
        rows, fmt=fmt, fields=CAMPAIGN_FIELDS, columns=CAMPAIGN_COLUMNS, show_pii=False,
        title=title,
    )  # fmt: skip


AGENT_COLUMNS = [Col("agent_shown", "Agent"), Col("reached", "Delivered")]
UNDELIVERED_FIELDS = ["client_id", "name", "agent"]
UNDELIVERED_COLUMNS = [
    Col("client_id", "Client"),
    Col("name", "Name", optional=1),
    Col("agent", "Agent", optional=2),
]


def write_status(found: dict, fmt: render.Format, day: dt.date, limit: int | None) -> None:
    """A campaign's reach: JSON as it is, CSV one line per client not reached, a table the
    whole, by agent, and the first of those not reached."""
    if fmt == "json":
        render.write_json(found)
        return
    if fmt == "csv":
        render.write_csv(found["undelivered"], UNDELIVERED_FIELDS)
        return
    console = render.console()
    kind = _(CAMPAIGN_KINDS[found["kind"]])
    due = _(", due {day}").format(day=found["due"]) if found["due"] else ""
    head = _("Campaign {name} ({kind}, began {day}{due}): delivered {share}").format(
        name=found["name"],
        kind=kind,
        day=found["created"],
        due=due,
        share=share(found["delivered"], found["total"], found["percent"]),
    )
    console.print(head, highlight=False)
    agents = [
        {
            "agent_shown": a["agent"] or _("(no agent)"),
            "reached": share(a["delivered"], a["total"], a["percent"]),
        }
        for a in found["by_agent"]
    ]
    console.print(render.table(AGENT_COLUMNS, agents, _("By agent"), None))
    missing = found["undelivered"]
    if missing:
        shown = missing[:limit]
        title = render.shown_of(
            len(shown),
            len(missing),
            words.counted(len(missing), "{n} client not reached", "{n} clients not reached"),
        )
        console.print(render.table(UNDELIVERED_COLUMNS, shown, title, None))


# The seeds' own words for each standard (``agenda.standards.STANDARDS``).
STANDARD_LABELS = {
    "new_policy_callbacks": N_("callbacks after underwriting"),
    "departed_agent_callbacks": N_("callbacks to departed agents' clients"),
    "dividend_reports": N_("dividend reports delivered"),
    "news_and_products": N_("company news and new products passed on"),
    "event_invitations": N_("event invitations delivered"),
    "fast_service": N_("service requests closed within target"),
}
# The same, short, as the headings of the lead's table of every agent's standards.
STANDARD_HEADINGS = {
    "new_policy_callbacks": N_("New policies"),
    "departed_agent_callbacks": N_("Agent left"),
    "dividend_reports": N_("Dividends"),
    "news_and_products": N_("News"),
    "event_invitations": N_("Events"),
    "fast_service": N_("Service"),
}
STANDARD_FIELDS = [
    "agent", "standard", "type", "total", "done", "pending", "percent", "target_days",
    "median_days_to_close",
]  # fmt: skip
STANDARD_COLUMNS = [
    Col("label", "Standard", comfort=20),
    Col("met", "Met"),
    Col("pending_shown", "Not yet due", optional=1),
]
TYPE_COLUMNS = [
    Col("label", "Type"),
    Col("target", "Target"),
    Col("met", "Closed in time"),
    Col("median", "Median", optional=1),
]


def standard_rows(found: dict) -> list[dict]:
    return [
        {
            **s,
            "label": _(STANDARD_LABELS[s["standard"]]),
            "met": share(s["done"], s["total"], s["percent"]),
            "pending_shown": f"{s['pending']:,}" if s["pending"] else "",
        }
        for s in found["standards"]
    ]


def _type_rows(found: dict) -> list[dict]:
    return [
        {
            **t,
            "label": _(SERVICE_TYPES[t["type"]]),
            "target": _("{days} d").format(days=t["target_days"]),
            "met": share(t["done"], t["total"], t["percent"]),
            "median": ""
            if t["median_days_to_close"] is None
            else _("{days} d").format(days=f"{t['median_days_to_close']:g}"),
        }
        for t in found["fast_service_by_type"]
    ]


def standard_lines(found: dict) -> list[dict]:
    """One CSV line per standard and per type of service, each agent's after the whole's."""
    lines = []
    for part in [found, *found.get("agents", [])]:
        who = part.get("agent")
        lines += [{"agent": who, "type": None, **s} for s in part["standards"]]
        lines += [
            {"agent": who, "standard": "fast_service", **t} for t in part["fast_service_by_type"]
        ]
    return lines


def write_standards(found: dict, fmt: render.Format) -> None:
    if fmt == "json":
        render.write_json(found)
        return
    if fmt == "csv":
        render.write_csv(standard_lines(found), STANDARD_FIELDS)
        return
    console = render.console()
    agents = [{**a, "agent": a["agent"] or _("(no agent)")} for a in found.get("agents", [])]
    for part in [found, *agents]:
        whose = part.get("agent")
        title = (
            _("The 100 % standards of {agent}'s clients, {since} to {until}")
            if whose
            else _("The 100 % standards, {since} to {until}")
        )
        said = title.format(agent=whose, since=found["since"], until=found["until"])
        console.print(render.table(STANDARD_COLUMNS, standard_rows(part), said, None))
        console.print(render.table(TYPE_COLUMNS, _type_rows(part), _("Service by type"), None))
