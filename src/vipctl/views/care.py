"""What ``vipctl dates list`` shows: the clients' own dates, numbered for ``dates remove``."""

from __future__ import annotations

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
