"""`vipctl report`: every format for fixed dates, the movements since the previous report,
yesterday's work, the atomic write and the lock."""

import json
import subprocess
import sys

import html5lib

from books import CLIENTS, HEADERS, IMPORTED, POLICY_HEADERS
from helpers import DATA, write_csv
from test_subprocess import ANSI, on_terminal, vipctl
from vipctl import readahead
from vipctl.agenda import occasions

DAY = "2026-11-24"


def report(cli, *args):
    result = cli("report", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def report_json(cli, day, *args):
    return json.loads(report(cli, "--date", day, "-f", "json", *args))


def test_json_holds_every_section(book):
    data = report_json(book, DAY)
    today = json.loads(book("today", "--date", DAY, "-f", "json").stdout)
    assert data["date"] == DAY and data["previous_report"] is None
    todo = data["todo"]
    assert [e["client_id"] for e in todo["entries"]] == [e["client_id"] for e in today]
    assert todo["clients"] == len(today) == 3
    assert todo["items"] == sum(len(e["items"]) for e in today) == sum(todo["by_kind"].values())
    assert todo["by_kind"]["grace"] == 1 and todo["by_kind"]["callback_departed_agent"] == 1
    # P2's premium of 2026-10-01 is unpaid: in grace for 60 days, to 2026-11-30.
    grace = [
        (g["policy_no"], g["due_date"], g["last_day_to_pay"], g["days_left"]) for g in data["grace"]
    ]
    assert grace == [("P2", "2026-10-01", "2026-11-30", 6)]
    assert data["grace"][0]["premium"] == 30000 and data["lapse_risk"] == []
    assert data["contacts_overdue"] == {"D": 1}  # C3, tier D: every 14 days since 2026-11-01
    assert data["tiers"]["counts"] == {"A": 2, "B": 0, "C": 0, "D": 1}
    none = {"since": "2026-11-01", "up": 0, "down": 0, "by_arrow": {}, "list": []}
    assert data["movements"] == none
    assert data["yesterday"]["date"] == "2026-11-23"
    assert all(e["phone"].count("*") == 4 for e in todo["entries"])  # masked even in JSON
    shown = report_json(book, DAY, "--show-pii")["todo"]["entries"]
    assert {e["phone"] for e in shown} >= {"13812345678", "13700002222"}


def test_past_the_grace_period_is_lapse_risk(book):
    data = report_json(book, "2026-12-05")
    assert data["grace"] == []
    assert [(r["policy_no"], r["days_left"]) for r in data["lapse_risk"]] == [("P2", -5)]


def test_text_report_reads_plainly(book):
    text = report(book, "--date", DAY)
    assert ANSI not in text and "│" not in text and "━" not in text
    for title in (
        "To do today",
        "In grace",
        "In grace, last day to pay passed: lapsed unless paid",
        "Contacts overdue",
        "Tier movements since 2026-11-01",
        "Clients per tier and segment",
        "Yesterday (2026-11-23)",
        "The 100 % standards",
    ):
        assert f"\n{title}\n{'-' * len(title)}\n" in text
    assert "3 clients, most urgent first; " in text
    assert "1 policy, ¥30,000 of premium unpaid." in text
    assert "No unpaid premium is past its last day to pay." in text
    assert "138****5678" in text and "13812345678" not in text
    limited = report(book, "--date", DAY, "--limit", "1")
    assert "the first 1 of 3 clients" in limited


def test_a_document_counts_every_unpaid_premium_and_lists_the_first(book, tmp_path):
    more = [
        ["P4", "C1", "1234.56", "annual", "2012-10-20", "20", "2026-10-20", "grace"],
        ["P5", "C2", "999.99", "annual", "2013-11-10", "20", "2026-11-10", "in_force"],
    ]
    policies = write_csv(tmp_path / "more.csv", POLICY_HEADERS, more)
    assert book("import", str(policies), "--date", IMPORTED).exit_code == 0
    text = report(book, "--date", DAY, "--limit", "1")
    assert "the first 1 of 3 policies, ¥32,234.55 of premium unpaid." in text
    in_grace = text.split("\nIn grace\n")[1].split("\nIn grace, last day")[0]
    assert "P2" in in_grace and "P4" not in in_grace and "P5" not in in_grace
    data = report_json(book, DAY, "--limit", "1")  # JSON: every row, whatever the limit
    assert [g["policy_no"] for g in data["grace"]] == ["P2", "P4", "P5"]
    assert data["unpaid"] == {
        "grace": {"policies": 3, "premium": 32234.55},
        "lapse_risk": {"policies": 0, "premium": 0},
    }
    later = report_json(book, "2026-12-20")  # P2's and P4's last days to pay are gone
    assert [g["policy_no"] for g in later["lapse_risk"]] == ["P2", "P4"]
    assert later["unpaid"]["lapse_risk"] == {"policies": 2, "premium": 31234.56}


def test_markdown_report(book):
    md = report(book, "--date", DAY, "-f", "markdown")
    assert md.startswith("# vipctl daily report: Tuesday 2026-11-24\n")
    assert "\n## In grace\n" in md
    assert "| 2026-11-30 | 6 | C3 | 王强 | P2 | 2026-10-01 | 30,000 |" in md
    assert "| D | 1 |" in md  # contacts overdue per tier


def test_html_report_is_one_valid_self_contained_page(book, tmp_path):
    hostile = [["C4", "<script>alert(1)</script>", "1970-11-26", "solar", "13600000000", "王芳",
                "active", "good", "strong", "high", "good", "low"]]  # fmt: skip
    extra = write_csv(tmp_path / "c4.csv", HEADERS, hostile)
    assert book("import", str(extra), "--date", IMPORTED).exit_code == 0
    page = report(book, "--date", "2026-11-24", "-f", "html")
    html5lib.HTMLParser(strict=True).parse(page)  # raises on any parse error
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "src=" not in page and "href=" not in page and "<link" not in page  # no assets
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    titles = [h.text for h in tree.iter("h2")]
    assert titles[0] == "To do today" and titles[-2:] == ["Yesterday (2026-11-23)",
                                                           "The 100 % standards"]  # fmt: skip
    bars = tree.find(".//table[@class='bars']")
    widths = [row.find("td/div").get("style") for row in bars.iter("tr")]
    assert [w.split("width: ")[1] for w in widths] == ["100.0%;", "0.0%;", "0.0%;", "33.3%;"]
    cells = [[td.text for td in tr.iter("td")] for tr in tree.iter("tr")]
    assert ["2026-11-30", "6", "C3", "王强", "P2", "2026-10-01", "30,000"] in cells


def test_movements_since_the_previous_report(book, tmp_path):
    report(book, "--date", DAY)
    worse = [[*CLIENTS[0][:7], "good", "strong", "low", "good", "low"], *CLIENTS[1:]]
    changed = write_csv(tmp_path / "changed.csv", HEADERS, worse)
    assert book("import", str(changed), "--date", "2026-11-25").exit_code == 0
    first = report(book, "--date", "2026-11-26", "-f", "json")
    data = json.loads(first)
    assert data["previous_report"] == DAY
    assert data["movements"]["since"] == DAY
    assert [(m["client_id"], m["from"], m["to"]) for m in data["movements"]["list"]] == [
        ("C1", "A", "B")
    ]
    assert data["movements"]["down"] == 1
    assert report(book, "--date", "2026-11-26", "-f", "json") == first  # same date, same report
    after = report_json(book, "2026-11-27")
    assert after["previous_report"] == "2026-11-26" and after["movements"]["list"] == []


def test_yesterdays_work(book):
    assert book("log", "C2", "--channel", "phone", "--date", "2026-11-23").exit_code == 0
    assert book("log", "C3", "--channel", "visit", "--date", "2026-11-23").exit_code == 0
    listed = json.loads(book("today", "--date", "2026-11-23", "-f", "json").stdout)
    due = sum(len(e["items"]) for e in listed)
    c1 = next(e for e in listed if e["client_id"] == "C1")
    assert book("done", "C1", "--date", "2026-11-23").exit_code == 0
    assert book("done", "C3", "--date", DAY).exit_code == 0  # today's work is not yesterday's
    data = report_json(book, DAY)
    assert data["yesterday"] == {
        "date": "2026-11-23",
        "contacts": {"phone": 1, "visit": 1},
        "contacts_total": 2,
        "done": len(c1["items"]),
        "due": due,
    }
    assert "2 contacts logged: phone 1, visit 1." in report(book, "--date", DAY)


def test_output_is_written_whole_and_private(book, tmp_path):
    out = tmp_path / "reports" / "today.html"
    out.parent.mkdir()
    out.write_text("yesterday's report")
    result = book("report", "--date", DAY, "-f", "html", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert out.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in out.parent.iterdir()] == ["today.html"]  # no temporary file left
    missing = book("report", "--date", DAY, "-o", str(tmp_path / "nowhere" / "r.txt"))
    assert missing.exit_code == 1
    assert "cannot write" in missing.stderr and "Traceback" not in missing.output
    # The failed run does not count as made: the next report still starts at the month.
    assert report_json(book, "2026-11-25")["previous_report"] == DAY


_HOLD_FILE_LOCK = """
import sys
from filelock import FileLock
with FileLock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.read()
"""
_HOLD_ADVISORY_LOCK = """
import sys
from sqlalchemy import create_engine, text
from vipctl.store.postgres import JOB_LOCKS
with create_engine(sys.argv[1]).connect() as conn:
    conn.execute(text(f"SELECT pg_advisory_lock({JOB_LOCKS['report']})"))
    print("held", flush=True)
    sys.stdin.read()
"""


def test_a_second_report_at_once_stops_with_a_clear_message(book, tmp_path):
    # Another report holds the lock: a file beside a SQLite database, an advisory lock on a server.
    if book.engine == "sqlite":
        holding = [_HOLD_FILE_LOCK, f"{book.db}.report.lock"]
    else:
        holding = [_HOLD_ADVISORY_LOCK, book.db]
    holder = subprocess.Popen(
        [sys.executable, "-c", *holding], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        busy = book("report", "--date", DAY)
        assert busy.exit_code == 1
        assert busy.stderr.strip().startswith("vipctl: another vipctl report is running")
    finally:
        holder.communicate("", timeout=10)
    assert book("report", "--date", DAY).exit_code == 0


def test_report_as_a_real_process_has_no_terminal_codes(book, tmp_path):
    db = str(book.db)
    piped = vipctl("--db", db, "report", "--date", DAY)
    assert piped.returncode == 0, piped.stderr
    assert ANSI not in piped.stdout and "To do today" in piped.stdout
    shown = on_terminal("--db", db, "report", "--date", DAY, env={})
    assert ANSI not in shown and "To do today" in shown
    bad = vipctl("--db", db, "report", "--date", DAY, "-o", str(tmp_path / "no" / "r.txt"))
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1


def test_a_large_books_report_is_the_same_read_by_two_processes(cli, monkeypatch):
    """On a large book the sections besides the to-do list are read by a second process while
    this one ranks the list: every format, the team's and an agent's report say what one
    process says."""
    files = [str(DATA / "clients.csv"), str(DATA / "policies.csv")]
    assert cli("import", *files, "--date", "2026-11-01").exit_code == 0
    assert cli("log", "C000003", "--channel", "phone", "--date", "2026-11-23").exit_code == 0
    looks = [["-f", "json"], ["-f", "json", "--team"], ["-f", "json", "--agent", "王芳"]]
    looks += [["-f", "text"], ["-f", "html", "--limit", "5"]]

    def made() -> list[str]:
        return [report(cli, "--date", DAY, *look) for look in looks]

    alone = made()
    assert json.loads(alone[0])["yesterday"]["contacts"] == {"phone": 1}
    forked = []
    ahead = readahead.ahead
    monkeypatch.setattr(readahead, "ahead", lambda produce: forked.append(1) or ahead(produce))
    monkeypatch.setattr(occasions, "ALONE", 1)
    assert made() == alone
    assert len(forked) >= len(looks) and readahead.forks()  # the list's own halves too
