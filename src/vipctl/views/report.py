"""The daily report as text, Markdown, HTML or JSON, always as a string: the command writes it to
a file atomically or mails it, so nothing here touches a terminal.

The sections are shaped once (``sections``) and each format lays them out; phones are masked in
every format, JSON included, unless asked otherwise, since a report travels by mail.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from vipctl.config import SEGMENTS, TIERS
from vipctl.i18n import N_, _, chinese, language
from vipctl.kinds import LABELS
from vipctl.views import layout, render, words
from vipctl.views import service as service_view
from vipctl.views import tiers as tiers_view
from vipctl.views.agenda import NOTHING_DUE, TODO_COLUMNS, reason_of, todo_row
from vipctl.views.layout import Section
from vipctl.views.tiers import STALE

ReportFormat = Literal["text", "markdown", "html", "json"]
_HTML_LANG = {"en": "en", "zh_CN": "zh-CN"}  # the report's <html lang>, per interface language
TITLE = N_("vipctl daily report")


def _clients(n: int) -> str:
    return words.counted(n, "{n} client", "{n} clients")


def _items(n: int) -> str:
    return words.counted(n, "{n} item", "{n} items")


def _masked(data: dict, show_pii: bool) -> dict:
    todo = data["todo"]
    entries = [render.masked(entry, show_pii) for entry in todo["entries"]]
    return {**data, "todo": {**todo, "entries": entries}}


def _todo(data: dict, limit: int | None) -> Section:
    todo, day = data["todo"], data["date"]
    entries = todo["entries"][:limit]
    section = Section(_("To do today"), columns=TODO_COLUMNS, empty=_(NOTHING_DUE))
    count = render.shown_of(len(entries), todo["clients"])
    kinds = words.listing([f"{_(LABELS[k])} {n:,}" for k, n in todo["by_kind"].items()])
    tiers = words.listing(
        [f"{tiers_view.tally_label(t)} {n:,}" for t, n in todo["by_tier"].items()]
    )
    if todo["clients"]:
        section.lines = [
            _("{clients}, most urgent first; {items}: {kinds}.").format(
                clients=count, items=_items(todo["items"]), kinds=kinds
            ),
            _("Clients per tier: {tiers}.").format(tiers=tiers),
        ]
    for rank, entry in enumerate(entries, 1):
        items = entry["items"]
        reasons = [
            reason_of(
                i["kind"], i["event_date"], i["policy_no"], i["detail"], day, i.get("attempts", 0)
            )
            for i in items
        ]
        days_left = min(i["days_left"] for i in items)
        section.rows.append(todo_row(rank, entry, entry["score"], reasons, days_left))
    return section


PREMIUM_COLUMNS = [
    ("last_day_to_pay", N_("Last day to pay")),
    ("days_left", N_("Days")),
    ("client_id", N_("Client")),
    ("name", N_("Name")),
    ("policy_no", N_("Policy")),
    ("due_date", N_("Premium due")),
    ("premium", N_("Premium")),
]


def _premiums(title: str, rows: list[dict], totals: dict, empty: str, limit: int | None) -> Section:
    shown = rows[:limit]
    count = totals["policies"]
    policies = render.shown_of(
        len(shown), count, words.counted(count, "{n} policy", "{n} policies")
    )
    at_stake = "¥" + render.text_value(totals["premium"])
    said = _("{policies}, {amount} of premium unpaid.")
    lines = [said.format(policies=policies, amount=words.amount(at_stake))] if count else []
    return Section(_(title), lines, PREMIUM_COLUMNS, shown, _(empty))


def _overdue(data: dict) -> Section:
    per_tier = data["contacts_overdue"]
    rows = [{"tier": tiers_view.tally_label(t), "clients": n} for t, n in per_tier.items()]
    total = sum(per_tier.values())
    lines = [
        _("{clients} not contacted within their tier's cadence.").format(clients=_clients(total))
    ]
    columns = [("tier", N_("Tier")), ("clients", N_("Clients"))]
    everyone = _("Every client has been contacted within their tier's cadence.")
    return Section(_("Contacts overdue"), lines if total else [], columns, rows, everyone)


def _movements(data: dict, limit: int | None) -> Section:
    moved = data["movements"]
    said = (
        _("Since the previous report: {up} up, {down} down.")
        if data["previous_report"]
        else _("Since the start of the month: {up} up, {down} down.")
    )
    lines = [said.format(up=f"{moved['up']:,}", down=f"{moved['down']:,}")]
    if limit is not None and len(moved["list"]) > limit:
        total = len(moved["list"])
        count = words.counted(total, "{n} movement", "{n} movements")
        lines.append(_("Listed: {count}.").format(count=render.shown_of(limit, total, count)))
    return Section(
        _("Tier movements since {date}").format(date=moved["since"]),
        lines,
        tiers_view.MOVEMENT_COLUMNS,
        tiers_view.moves_shown(moved["list"][:limit]),
        _("No client changed tier."),
    )


def _tiers(data: dict) -> Section:
    tiers = data["tiers"]
    rows = [{"tier": t, **tiers["matrix"][t], "total": tiers["counts"][t]} for t in TIERS]
    rows.append({"tier": _("all"), **tiers["segments"], "total": sum(tiers["segments"].values())})
    lines = [_(STALE)] if tiers.get("assessed_under_other_rules") else []
    if tiers["incomplete"]:
        said = _("{clients} assessed on incomplete data.")
        lines.append(said.format(clients=_clients(tiers["incomplete"])))
    if tiers["unassessed"]:
        lines.append(_("{clients} not assessed yet.").format(clients=_clients(tiers["unassessed"])))
    if tiers["no_indicators"]:
        said = _("{clients} not assessed: no indicator known.")
        lines.append(said.format(clients=_clients(tiers["no_indicators"])))
    columns = [("tier", N_("Tier")), *((s, s) for s in SEGMENTS), ("total", N_("Total"))]
    section = Section(_("Clients per tier and segment"), lines, columns, rows)
    section.chart = _bars(tiers["counts"])
    return section


def _yesterday(data: dict) -> Section:
    y = data["yesterday"]
    channels = words.listing([f"{words.word(c)} {n:,}" for c, n in y["contacts"].items()])
    contacts = words.counted(y["contacts_total"], "{n} contact logged", "{n} contacts logged")
    logged = _("{contacts}: {channels}.") if channels else _("{contacts}.")
    if data["previous_report"]:
        done = _("{done} of {items} on the list marked done.").format(
            done=f"{y['done']:,}", items=_items(y["due"])
        )
    else:  # nobody had a list yesterday to work through
        done = _("The first report: from the next one on, this says how much of its list was done.")
    return Section(
        _("Yesterday ({date})").format(date=y["date"]),
        [logged.format(contacts=contacts, channels=channels), done],
    )


TEAM_COLUMNS = [
    ("agent", N_("Agent")),
    ("clients", N_("Clients due")),
    ("items", N_("Items")),
    ("overdue", N_("Past their date")),
    ("done", N_("Done today")),
    ("up", N_("Tier up")),
    ("down", N_("Tier down")),
]


def _team(data: dict) -> list[Section]:
    if "team" not in data:
        return []
    rows = [{**row, "agent": row["agent"] or _("(no agent)")} for row in data["team"]]
    lines = [
        _("Per agent: today's list, what was marked done today, tier movements of the period.")
    ]
    return [Section(_("Team"), lines, TEAM_COLUMNS, rows, _("No agents."))]


def _standards(data: dict) -> list[Section]:
    """The 100 % standards of the last 30 days; in the lead's report, each agent's too."""
    found = data["standards"]
    said = _("From {since} to {until}; those not yet due are still within their time.")
    lines = [said.format(since=found["since"], until=found["until"])]
    parts = [
        Section(
            _("The 100 % standards"),
            lines,
            [("label", N_("Standard")), ("met", N_("Met")), ("pending_shown", N_("Not yet due"))],
            service_view.standard_rows(found),
        )
    ]
    if "agents" in found:
        columns = [("agent", N_("Agent"))] + [
            (name, service_view.STANDARD_HEADINGS[name]) for name in service_view.STANDARD_LABELS
        ]
        rows = [
            {
                "agent": a["agent"] or _("(no agent)"),
                **{
                    s["standard"]: service_view.share(s["done"], s["total"], s["percent"])
                    for s in a["standards"]
                },
            }
            for a in found["agents"]
        ]
        parts.append(
            Section(_("The 100 % standards per agent"), [], columns, rows, _("No agents."))
        )
    return parts


def sections(data: dict, limit: int | None = None) -> list[Section]:
    """The report's sections, each table at most ``limit`` rows (all when None), its sentence
    counting them all."""
    return [
        *_team(data),
        _todo(data, limit),
        _premiums(
            N_("In grace"),
            data["grace"],
            data["unpaid"]["grace"],
            N_("No premium is in grace."),
            limit,
        ),
        _premiums(
            N_("In grace, last day to pay passed: lapsed unless paid"),
            data["lapse_risk"],
            data["unpaid"]["lapse_risk"],
            N_("No unpaid premium is past its last day to pay."),
            limit,
        ),
        _overdue(data),
        _movements(data, limit),
        _tiers(data),
        _yesterday(data),
        *_standards(data),
    ]


def subject(data: dict) -> str:
    said = (
        _("{title} for {agent} {date}: {clients} to contact")
        if data.get("agent")
        else _("{title} {date}: {clients} to contact")
    )
    clients = words.counted(data["todo"]["clients"], "{n} client", "{n} clients")
    return said.format(title=_(TITLE), agent=data.get("agent"), date=data["date"], clients=clients)


def render_report(
    data: dict, fmt: ReportFormat, *, show_pii: bool = False, limit: int | None = None
) -> str:
    """The report in ``fmt``; a document's tables show at most ``limit`` rows, JSON all."""
    data = _masked(data, show_pii)
    if fmt == "json":
        return render.to_json(data)
    parts = sections(data, limit)
    said = _("{title} for {agent}: {day}") if data.get("agent") else _("{title}: {day}")
    heading = said.format(title=_(TITLE), agent=data.get("agent"), day=_long_day(data["date"]))
    if fmt == "markdown":
        return layout.markdown(heading, parts)
    if fmt == "html":
        return _html(heading, parts)
    return layout.text(heading, parts)


def _long_day(day: date) -> str:
    """The report's day in its heading: ``Tuesday 2026-11-24`` / ``2026年11月24日 周二``."""
    return f"{day.year}年{words.day(day)}" if chinese() else f"{day:%A} {day}"


def _bars(counts: dict[str, int]) -> list[dict]:
    """The tier distribution as bar widths in percent of the largest tier."""
    top = max(counts.values(), default=0) or 1
    return [{"label": t, "value": n, "width": round(100 * n / top, 1)} for t, n in counts.items()]


def _html(heading: str, parts: list[Section]) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("vipctl.views", "templates"),
        autoescape=select_autoescape(default=True),  # client data must never become markup
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cell"] = render.text_value
    return env.get_template("report.html").render(
        heading=heading, sections=parts, headings=layout.headings, lang=_HTML_LANG[language()]
    )
