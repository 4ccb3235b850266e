"""The daily report as text, Markdown, HTML or JSON, always as a string: the command writes it to
a file atomically or mails it, so nothing here touches a terminal.

The sections are shaped once (``sections``) and each format lays them out; phones are masked in
every format, JSON included, unless asked otherwise, since a report travels by mail.
"""

from __future__ import annotations

from typing import Literal

from vipctl.config import SEGMENTS, TIERS
from vipctl.i18n import _
from vipctl.kinds import LABELS
from vipctl.views import layout, render, words
from vipctl.views import tiers as tiers_view
from vipctl.views.agenda import NOTHING_DUE, TODO_COLUMNS, reason_of, todo_row
from vipctl.views.layout import Section

ReportFormat = Literal["text", "markdown", "html", "json"]
TITLE = "vipctl daily report"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _masked(data: dict, show_pii: bool) -> dict:
    todo = data["todo"]
    entries = [render.masked(entry, show_pii) for entry in todo["entries"]]
    return {**data, "todo": {**todo, "entries": entries}}


def _todo(data: dict, limit: int | None) -> Section:
    todo, day = data["todo"], data["date"]
    entries = todo["entries"][:limit]
    section = Section("To do today", columns=TODO_COLUMNS, empty=NOTHING_DUE)
    count = render.shown_of(len(entries), todo["clients"])
    kinds = ", ".join(f"{LABELS[k]} {n:,}" for k, n in todo["by_kind"].items())
    tiers = ", ".join(f"{tiers_view.tally_label(t)} {n:,}" for t, n in todo["by_tier"].items())
    if todo["clients"]:
        section.lines = [
            f"{count}, most urgent first; {_plural(todo['items'], 'item')}: {kinds}.",
            f"Clients per tier: {tiers}.",
        ]
    for rank, entry in enumerate(entries, 1):
        items = entry["items"]
        reasons = [
            reason_of(i["kind"], i["event_date"], i["policy_no"], i["detail"], day) for i in items
        ]
        days_left = min(i["days_left"] for i in items)
        section.rows.append(todo_row(rank, entry, entry["score"], reasons, days_left))
    return section


PREMIUM_COLUMNS = [
    ("last_day_to_pay", "Last day to pay"),
    ("days_left", "Days"),
    ("client_id", "Client"),
    ("name", "Name"),
    ("policy_no", "Policy"),
    ("due_date", "Premium due"),
    ("premium", "Premium"),
]


def _premiums(title: str, rows: list[dict], empty: str, limit: int | None) -> Section:
    shown = rows[:limit]
    policies = render.shown_of(
        len(shown), len(rows), words.counted(len(rows), "{n} policy", "{n} policies")
    )
    at_stake = render.text_value(sum(r["premium"] or 0 for r in rows))
    lines = [f"{policies}, ¥{at_stake} of premium unpaid."] if rows else []
    return Section(title, lines, PREMIUM_COLUMNS, shown, empty)


def _overdue(data: dict) -> Section:
    per_tier = data["contacts_overdue"]
    rows = [{"tier": tiers_view.tally_label(t), "clients": n} for t, n in per_tier.items()]
    total = sum(per_tier.values())
    lines = [f"{_plural(total, 'client')} not contacted within their tier's cadence."]
    columns = [("tier", "Tier"), ("clients", "Clients")]
    everyone = "Every client has been contacted within their tier's cadence."
    return Section("Contacts overdue", lines if total else [], columns, rows, everyone)


def _movements(data: dict, limit: int | None) -> Section:
    moved = data["movements"]
    since = "the previous report" if data["previous_report"] else "the start of the month"
    lines = [f"Since {since}: {moved['up']:,} up, {moved['down']:,} down."]
    if limit is not None and len(moved["list"]) > limit:
        total = len(moved["list"])
        count = words.counted(total, "{n} movement", "{n} movements")
        lines.append(_("Listed: {count}.").format(count=render.shown_of(limit, total, count)))
    return Section(
        f"Tier movements since {moved['since']}",
        lines,
        tiers_view.MOVEMENT_COLUMNS,
        moved["list"][:limit],
        "No client changed tier.",
    )


def _tiers(data: dict) -> Section:
    tiers = data["tiers"]
    rows = [{"tier": t, **tiers["matrix"][t], "total": tiers["counts"][t]} for t in TIERS]
    rows.append({"tier": "all", **tiers["segments"], "total": sum(tiers["segments"].values())})
    lines = []
    if tiers["incomplete"]:
        lines.append(f"{_plural(tiers['incomplete'], 'client')} assessed on incomplete data.")
    if tiers["unassessed"]:
        lines.append(f"{_plural(tiers['unassessed'], 'client')} not assessed yet.")
    if tiers["no_indicators"]:
        lines.append(
            f"{_plural(tiers['no_indicators'], 'client')} not assessed: no indicator known."
        )
    columns = [("tier", "Tier"), *((s, s) for s in SEGMENTS), ("total", "Total")]
    section = Section("Clients per tier and segment", lines, columns, rows)
    section.chart = _bars(tiers["counts"])
    return section


def _yesterday(data: dict) -> Section:
    y = data["yesterday"]
    channels = ", ".join(f"{c} {n:,}" for c, n in y["contacts"].items())
    contacts = f"{_plural(y['contacts_total'], 'contact')} logged"
    if data["previous_report"]:
        done = f"{y['done']:,} of {_plural(y['due'], 'item')} on the list marked done."
    else:  # nobody had a list yesterday to work through
        done = "The first report: from the next one on, this says how much of its list was done."
    return Section(
        f"Yesterday ({y['date']})", [f"{contacts}{': ' + channels if channels else ''}.", done]
    )


TEAM_COLUMNS = [
    ("agent", "Agent"),
    ("clients", "Clients due"),
    ("items", "Items"),
    ("overdue", "Past their date"),
    ("done", "Done today"),
    ("up", "Tier up"),
    ("down", "Tier down"),
]


def _team(data: dict) -> list[Section]:
    if "team" not in data:
        return []
    rows = [{**row, "agent": row["agent"] or "(no agent)"} for row in data["team"]]
    lines = ["Per agent: today's list, what was marked done today, tier movements of the period."]
    return [Section("Team", lines, TEAM_COLUMNS, rows, "No agents.")]


def sections(data: dict, limit: int | None = None) -> list[Section]:
    """The report's sections, each table at most ``limit`` rows (all when None), its sentence
    counting them all."""
    return [
        *_team(data),
        _todo(data, limit),
        _premiums("In grace", data["grace"], "No premium is in grace.", limit),
        _premiums(
            "In grace, last day to pay passed: lapsed unless paid",
            data["lapse_risk"],
            "No unpaid premium is past its last day to pay.",
            limit,
        ),
        _overdue(data),
        _movements(data, limit),
        _tiers(data),
        _yesterday(data),
    ]


def subject(data: dict) -> str:
    clients = data["todo"]["clients"]
    whose = f" for {data['agent']}" if data.get("agent") else ""
    return f"{TITLE}{whose} {data['date']}: {_plural(clients, 'client')} to contact"


def render_report(
    data: dict, fmt: ReportFormat, *, show_pii: bool = False, limit: int | None = None
) -> str:
    """The report in ``fmt``; a document's tables show at most ``limit`` rows, JSON all."""
    data = _masked(data, show_pii)
    if fmt == "json":
        return render.to_json(data)
    parts = sections(data, limit)
    whose = f" for {data['agent']}" if data.get("agent") else ""
    heading = f"{TITLE}{whose}: {data['date']:%A} {data['date']}"
    if fmt == "markdown":
        return layout.markdown(heading, parts)
    if fmt == "html":
        return _html(heading, parts)
    return layout.text(heading, parts)


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
    return env.get_template("report.html").render(heading=heading, sections=parts)
