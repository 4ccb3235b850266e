"""`vipctl calendar`: an RFC 5545 file that the icalendar library reads back, all-day events with
their reminders as alarms, and UIDs that stay the same from one export to the next."""

import datetime as dt
import json

from icalendar import Calendar

DAY = "2026-11-24"


def export(book, tmp_path, day, *args):
    out = tmp_path / f"agenda-{day}.ics"
    result = book("calendar", "--date", day, "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    assert out.stat().st_mode & 0o777 == 0o600
    return Calendar.from_ical(out.read_bytes())


def events(cal):
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_every_upcoming_event_as_an_all_day_event(book, tmp_path):
    cal = export(book, tmp_path, DAY, "--days", "30")
    assert str(cal["version"]) == "2.0" and "vipctl" in str(cal["prodid"])
    listed = json.loads(book("upcoming", "--date", DAY, "--days", "30", "-f", "json").stdout)
    found = events(cal)
    assert len(found) == len(listed) == len(list(cal.walk("VEVENT")))  # UIDs are unique
    assert {(str(e["categories"].cats[0]), e.decoded("dtstart")) for e in found.values()} == {
        (e["kind"], dt.date.fromisoformat(e["event_date"])) for e in listed
    }
    for e in found.values():
        start, end = e.decoded("dtstart"), e.decoded("dtend")
        assert type(start) is dt.date and end - start == dt.timedelta(days=1)  # all-day
    renewal = found["renewal_due.C1.P1.20261210@vipctl"]
    assert str(renewal["summary"]) == "renewal due: 张伟 (C1)"
    assert "P1 · annual premium · ¥12,000" in str(renewal["description"])
    # Reminded a quarter before, a month before and on the day, each at 09:00.
    triggers = sorted(a.decoded("trigger") for a in renewal.walk("VALARM"))
    assert triggers == [
        dt.timedelta(days=-90, hours=9),
        dt.timedelta(days=-30, hours=9),
        dt.timedelta(hours=9),
    ]
    birthday = found["birthday.C1.-.20261128@vipctl"]
    assert [a.decoded("trigger") for a in birthday.walk("VALARM")] == [
        dt.timedelta(days=-7, hours=9)
    ]


def test_uids_stay_the_same_from_one_export_to_the_next(book, tmp_path):
    first = events(export(book, tmp_path, DAY, "--days", "30"))
    later = events(export(book, tmp_path, "2026-11-26", "--days", "30"))
    both = first.keys() & later.keys()
    assert "renewal_due.C1.P1.20261210@vipctl" in both
    for uid in both:  # the same event, the same identity and content
        assert first[uid]["summary"] == later[uid]["summary"]
        assert first[uid].decoded("dtstart") == later[uid].decoded("dtstart")
    only = book("calendar", "--date", DAY, "--kind", "birthday")
    assert only.exit_code == 0
    assert set(events(Calendar.from_ical(only.stdout)).keys()) == {"birthday.C1.-.20261128@vipctl"}
