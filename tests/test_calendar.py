"""`vipctl calendar`: an RFC 5545 file that the icalendar library reads back, all-day events with
their reminders as alarms, and UIDs that stay the same from one export to the next."""

import datetime as dt
import json
import re
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar
from icalendar.prop import vDuration

import books
from helpers import Cli, write_csv
from vipctl.views import calendar

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


# --- the file as RFC 5545 wants it, whatever the data holds ------------------------------------


def _unescaped(value: str) -> str:
    """RFC 5545 §3.3.11 read back in one pass (the icalendar library's sequence of replaces
    misreads a backslash before an N)."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


@given(st.text())
def test_a_text_value_reads_back_as_written_less_control_characters(value):
    escaped = calendar.text(value)
    assert not re.search(r"[\x00-\x08\x0a-\x1f\x7f]", escaped)  # no line break, no control
    assert not re.search(r"(?<!\\)(?:\\\\)*[;,]", escaped)  # every ; and , escaped
    kept = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", value.replace("\r\n", "\n").replace("\r", "\n"))
    assert _unescaped(escaped) == kept


@given(st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n")))
def test_a_folded_line_unfolds_to_itself_in_lines_of_75_octets(line):
    folded = calendar.fold(line)
    parts = folded.split("\r\n ")
    assert "".join(parts) == line
    for i, part in enumerate(parts):
        assert len(part.encode("utf-8")) <= 74  # 75 with the leading space of a folded line
        assert part or len(parts) == 1
        if i < len(parts) - 1 and len(part) > 1:
            assert not part.endswith("\\")  # an escape stays whole for older readers


@given(st.integers(-800, 800), st.integers(0, 23))
def test_an_alarm_s_offset_is_written_as_the_library_writes_it(days, hours):
    expected = vDuration(dt.timedelta(days=days, hours=hours)).to_ical().decode()
    assert calendar.duration(days, hours) == expected


HOSTILE_NAMES = [
    "客户\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:pwned",
    "a;b,c\\d\\n",
    "\x1b[31m红\x1b]0;pwned\x07",
    "欧阳" * 30,  # a summary longer than a line: folded, never inside a character
]


def test_nothing_in_the_data_starts_a_line_of_the_calendar(cli, tmp_path):
    rows = [
        [f"C{i}", name, "1966-11-28", "solar", "13812345678", "王芳", "active", *books.HEALTHY]
        for i, name in enumerate(HOSTILE_NAMES)
    ]
    clients = write_csv(tmp_path / "c.csv", books.HEADERS, rows)
    assert cli("import", str(clients), "--date", DAY).exit_code == 0
    out = tmp_path / "hostile.ics"
    assert cli("calendar", "--date", DAY, "-o", str(out)).exit_code == 0
    data = out.read_bytes()
    lines = data.split(b"\r\n")
    assert lines[-1] == b"" and all(len(line) <= 75 for line in lines)
    for line in lines:
        line.decode("utf-8")  # no character cut in two by a fold
    assert b"\r\nUID:pwned" not in data and b"\x1b" not in data and b"\x07" not in data
    listed = json.loads(cli("upcoming", "--date", DAY, "--days", "90", "-f", "json").stdout)
    assert lines.count(b"BEGIN:VEVENT") == len(listed)  # no event of the data's making
    unfolded = data.decode("utf-8").replace("\r\n ", "").split("\r\n")
    summaries = [
        _unescaped(line.removeprefix("SUMMARY:"))
        for line in unfolded
        if line.startswith("SUMMARY:birthday")
    ]
    shown = [
        re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", n.replace("\r\n", "\n")) for n in HOSTILE_NAMES
    ]
    assert summaries == [f"birthday: {name} (C{i})" for i, name in enumerate(shown)]
    read = {str(e["uid"]): str(e["summary"]) for e in Calendar.from_ical(data).walk("VEVENT")}
    assert read["birthday.C3.-.20261128@vipctl"] == f"birthday: {'欧阳' * 30} (C3)"
    assert read["birthday.C0.-.20261128@vipctl"].startswith("birthday: 客户\nEND:VEVENT")


WINDOWS_STDOUT = """
import io, sys
from vipctl.cli import main
# Standard output as Windows makes it for a pipe: the console's code page, LF written CR LF.
sys.stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="gbk", newline="\\r\\n")
sys.argv = ["vipctl", "--db", sys.argv[1], "calendar", "--date", sys.argv[2], "--days", "30"]
main()
"""


def test_a_calendar_on_standard_output_is_utf8_in_crlf_lines_on_any_platform(tmp_path):
    """What ``vipctl calendar > agenda.ics`` writes is the file ``-o agenda.ics`` writes (one
    engine: this is about the output stream)."""
    book = Cli(tmp_path / "vipctl.db")
    clients = write_csv(tmp_path / "clients.csv", books.HEADERS, books.CLIENTS)
    policies = write_csv(tmp_path / "policies.csv", books.POLICY_HEADERS, books.POLICIES)
    assert book("import", str(clients), str(policies), "--date", books.IMPORTED).exit_code == 0
    written = export(book, tmp_path, DAY, "--days", "30")
    done = subprocess.run(
        [sys.executable, "-c", WINDOWS_STDOUT, str(book.db), DAY], capture_output=True
    )
    assert done.returncode == 0, done.stderr
    assert b"\r\r\n" not in done.stdout and "张伟".encode() in done.stdout
    assert done.stdout.count(b"\r\n") == done.stdout.count(b"\n")
    assert events(Calendar.from_ical(done.stdout)).keys() == events(written).keys()
