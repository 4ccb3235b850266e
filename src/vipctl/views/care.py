"""What ``vipctl dates list`` shows (the clients' own dates, numbered for ``dates remove``), and
where a client stands with the list, as ``show``, ``review`` and ``today --explain`` say it."""

from __future__ import annotations

import datetime as dt

from vipctl.i18n import _
from vipctl.kinds import LABELS
from vipctl.views import render, words
from vipctl.views.fit import Col

DATE_FIELDS = ["id", "client_id", "name", "kind", "date", "lunar", "label", "by"]
DATE_COLUMNS = [
    Col("id", "No."),
    Col("client_id", "Client"),
    Col("name", "Name", optional=2, under="client_id"),
    Col("kind_shown", "What"),
    Col("date", "Date"),
    Col("calendar", "Calendar", optional=3),
    Col("label", "Label", optional=1),
]


def write_dates(found: list[dict], fmt: render.Format) -> None:
    rows = [
        {
            **d,
            "kind_shown": _(LABELS[d["kind"]]),
            "calendar": _("lunar") if d["lunar"] else _("solar"),
        }
        for d in found
    ]
    count = words.counted(len(found), "{n} date", "{n} dates")
    render.listing(
        rows, fmt=fmt, fields=DATE_FIELDS, columns=DATE_COLUMNS, show_pii=False, title=count
    )


def standing_lines(found: dict, day: dt.date) -> list[str]:
    """Where the client stands, one sentence each; none when there is nothing to say."""
    lines = []
    if found["snoozed"]:
        snoozed = found["snoozed"]
        said = (
            _("Off the list until {day} (snoozed by {by}).")
            if snoozed["by"]
            else _("Off the list until {day} (snoozed).")
        )
        lines.append(said.format(day=words.day(snoozed["until"]), by=snoozed["by"]))
    for done in found["done_today"]:
        what = " · ".join(filter(None, [_(LABELS[done["kind"]]), done["policy_no"]]))
        said = _("Done today: {what} (by {by}).") if done["by"] else _("Done today: {what}.")
        lines.append(said.format(what=what, by=done["by"]))
    if found["unanswered"]:
        tries = found["unanswered"]
        said = words.counted(
            len(tries),
            "{n} try in the last 30 days reached nobody",
            "{n} tries in the last 30 days reached nobody",
        )
        lines.append(
            _("{tries}: {days}.").format(
                tries=said, days=words.listing([words.day(d) for d in tries])
            )
        )
    for follow in found["follow_ups"]:
        said = _("Follow-up from {day}: {text}")
        lines.append(said.format(day=words.day(follow["due"]), text=follow["text"]))
    for date in found["dates"]:
        calendar = _("lunar") if date["lunar"] else _("solar")
        said = _("{kind}: {date} ({calendar}){label}")
        label = f" · {date['label']}" if date["label"] else ""
        lines.append(
            said.format(
                kind=_(LABELS[date["kind"]]), date=date["date"], calendar=calendar, label=label
            )
        )
    return lines
