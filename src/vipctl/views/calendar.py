"""Upcoming events as an iCalendar (RFC 5545) file, through the icalendar library.

Each event gets a UID made of what identifies it (kind, client, policy, date), never of when it
was exported, so importing a newer export into a calendar app updates the events it already has
instead of adding them twice. Events are all-day; an alarm rings at 09:00 on each day the agenda
would bring the event up (a renewal: a quarter before, a month before and on the day).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from vipctl.i18n import _
from vipctl.kinds import LABELS
from vipctl.rules.events import Event
from vipctl.views import words

PRODID = "-//vipctl//upcoming events//EN"
ALARM_HOUR = dt.timedelta(hours=9)


def uid(event: Event) -> str:
    return f"{event.kind}.{event.client_id}.{event.policy_no or '-'}.{event.date:%Y%m%d}@vipctl"


def _reminders(event: Event) -> tuple[dt.date, ...]:
    return event.reminders or (event.starts,)


def ics(events: Sequence[Event], names: dict[str, str]) -> str:
    from icalendar import Alarm, Calendar
    from icalendar import Event as VEvent

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "vipctl")
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for e in events:
        said = _("{kind}: {name} ({client})")  # the UID and categories: the same in any language
        title = said.format(
            kind=_(LABELS[e.kind]), name=names.get(e.client_id, ""), client=e.client_id
        )
        entry = VEvent()
        entry.add("uid", uid(e))
        entry.add("dtstamp", stamp)
        entry.add("dtstart", e.date)  # a date, not a time: an all-day event
        entry.add("dtend", e.date + dt.timedelta(days=1))
        entry.add("summary", title)
        # What the event is, not how far off: the file is read on other days than it was made.
        detail = words.detail(e.detail, e.date)
        entry.add("description", " · ".join([*filter(None, [e.policy_no]), detail]))
        entry.add("categories", [e.kind])
        entry.add("transp", "TRANSPARENT")  # a reminder, not a meeting: the day stays free
        for when in sorted(set(_reminders(e))):
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", title)
            alarm.add("trigger", (when - e.date) + ALARM_HOUR)  # relative to the day's start
            entry.add_component(alarm)
        cal.add_component(entry)
    return cal.to_ical().decode("utf-8")
