"""Upcoming events as an iCalendar (RFC 5545) file.

Each event gets a UID made of what identifies it (kind, client, policy, date), never of when it
was exported, so importing a newer export into a calendar app updates the events it already has
instead of adding them twice. Events are all-day; an alarm rings at 09:00 on each day the agenda
would bring the event up (a renewal: a quarter before, a month before and on the day).

The file is written here, line by line, rather than through the icalendar library: its
components cost about 0.4 ms an event, so a whole book's 90 days (350,000 events) took 140 s
and 1.2 GB; written here, a few seconds and a quarter of the memory. The lines are the
library's own, in its order, byte for byte; the tests read every file back with the library
and hold the escaping, the folding and the alarms' offsets to what it writes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from typing import TextIO

from vipctl.i18n import _
from vipctl.kinds import LABELS
from vipctl.rules.events import Event
from vipctl.views import words

PRODID = "-//vipctl//upcoming events//EN"
ALARM_HOUR = 9  # each alarm rings at 09:00 of its day

# RFC 5545 §3.3.11: a TEXT value escapes backslash, semicolon, comma and line breaks, and holds
# no other control character. A client's name is imported text, so this is what stops a name
# from ending the event and starting properties of its own.
_TEXT = str.maketrans(
    {
        **{chr(c): None for c in (*range(0x20), 0x7F) if c != 0x09},
        "\\": "\\\\",
        ";": "\\;",
        ",": "\\,",
        "\n": "\\n",
        "\r": "\\n",
    }
)
_ESCAPED = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\\;,]")  # what _TEXT changes: most values hold none
_FOLD = 74  # octets of a line before it folds: 75 with the folded line's leading space


def uid(event: Event) -> str:
    return f"{event.kind}.{event.client_id}.{event.policy_no or '-'}.{_date(event.date)}@vipctl"


def _reminders(event: Event) -> tuple[dt.date, ...]:
    return event.reminders or (event.starts,)


def text(value: str) -> str:
    """``value`` as an escaped TEXT value."""
    if _ESCAPED.search(value) is None:
        return value
    return value.replace("\r\n", "\n").translate(_TEXT)


def fold(line: str) -> str:
    """``line`` folded into lines of at most 75 octets (RFC 5545 §3.1), never inside a UTF-8
    character and, as the icalendar library does for older readers, never right after a
    backslash."""
    data = line.encode("utf-8")
    if len(data) <= _FOLD:
        return line
    parts, start = [], 0
    while len(data) - start > _FOLD:
        end = start + _FOLD
        while data[end] & 0xC0 == 0x80:  # a continuation byte: back to its character's start
            end -= 1
        if data[end - 1] == 0x5C and end - 1 > start:
            end -= 1
        parts.append(data[start:end])
        start = end
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode("utf-8")


def duration(days: int, hours: int = 0) -> str:
    """An RFC 5545 duration of ``days`` days and ``hours`` hours, as the library writes it:
    -P6DT15H for seven days before, nine hours on."""
    total = days * 24 + hours
    sign = "-" if total < 0 else ""
    whole, left = divmod(abs(total), 24)
    return f"{sign}P{f'{whole}D' if whole or not left else ''}{f'T{left}H' if left else ''}"


def _date(day: dt.date) -> str:
    return day.isoformat().replace("-", "")  # a quarter of strftime's time, for each event


HEAD = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:{PRODID}\r\nX-WR-CALNAME:vipctl\r\n"
TAIL = "END:VCALENDAR\r\n"


def stamp() -> str:
    """When the file is made (every event's DTSTAMP): taken once, as a file may be written in
    parts (``agenda.upcoming_written``)."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def write_events(made: str, events: Sequence[Event], names: dict[str, str], out: TextIO) -> None:
    """Each event's VEVENT, stamped ``made``, between ``HEAD`` and ``TAIL``: an event at a
    time, as a whole book's quarter is 150 MB of text."""
    out.writelines(_vevents(made, events, names))


def _vevents(made: str, events: Sequence[Event], names: dict[str, str]) -> Iterator[str]:
    said = _("{kind}: {name} ({client})")  # the UID and categories: the same in any language
    labels = {kind: _(label) for kind, label in LABELS.items()}
    for e in events:
        name = names.get(e.client_id, "")
        title = text(said.format(kind=labels[e.kind], name=name, client=e.client_id))
        # What the event is, not how far off: the file is read on other days than it was made.
        detail = " · ".join([*filter(None, [e.policy_no]), words.detail(e.detail, e.date)])
        lines = [
            "BEGIN:VEVENT",
            fold(f"SUMMARY:{title}"),
            f"DTSTART;VALUE=DATE:{_date(e.date)}",  # a date, not a time: an all-day event
            f"DTEND;VALUE=DATE:{_date(e.date + dt.timedelta(days=1))}",
            f"DTSTAMP:{made}",
            fold(f"UID:{text(uid(e))}"),
            f"CATEGORIES:{e.kind}",  # a name of vipctl's own: nothing to escape
            fold(f"DESCRIPTION:{text(detail)}"),
            "TRANSP:TRANSPARENT",  # a reminder, not a meeting: the day stays free
        ]
        alarm = fold(f"DESCRIPTION:{title}")
        for when in sorted(set(_reminders(e))):
            trigger = duration((when - e.date).days, ALARM_HOUR)  # from the day's start
            lines += ("BEGIN:VALARM", "ACTION:DISPLAY", alarm, f"TRIGGER:{trigger}", "END:VALARM")
        lines.append("END:VEVENT\r\n")
        yield "\r\n".join(lines)
