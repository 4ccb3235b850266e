"""The seeds' 100 % service standards through the command line, on the agenda's small book
(tests/books.py) and fixed dates: service requests, campaigns with per-client delivery, the
standards at a glance and the report's section."""

import datetime as dt
import json

from hypothesis import given
from hypothesis import strategies as st

from helpers import run_json, write_csv
from vipctl.config import AgendaRules
from vipctl.rules import events

DAY = "2026-11-24"


def items(cli, day, client):
    """The client's items on the day's list, by kind."""
    found = next(
        (e for e in run_json(cli, "today", "--date", day) if e["client_id"] == client), None
    )
    return {i["kind"]: i for i in found["items"]} if found else {}


def ok(cli, *args):
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


# --- service requests ------------------------------------------------------------------------


def test_a_request_is_on_the_list_until_closed_and_ranks_high_past_its_target(book):
    said = ok(book, "service", "open", "C1", "--type", "claim", "--policy", "P1", "--note",
              "住院理赔", "--date", "2026-11-20")  # fmt: skip
    assert said == "Service request 1 opened for C1 on 2026-11-20: claim.\n"
    early = items(book, "2026-11-22", "C1")["service_request"]
    assert early["detail"] == "claim no. 1 · open 2 days (target 3 d) · 住院理赔"
    assert early["policy_no"] == "P1" and early["event_date"] == "2026-11-23"
    on_time = run_json(book, "today", "--date", "2026-11-23", "--explain", "C1")
    late = run_json(book, "today", "--date", "2026-11-24", "--explain", "C1")
    assert "past_target" not in {t["term"] for t in on_time["terms"]}
    assert [t["value"] for t in late["terms"] if t["term"] == "past_target"] == [10.0]
    assert late["score"] - on_time["score"] > 10
    assert "1 day past target" in items(book, DAY, "C1")["service_request"]["detail"]
    listed = run_json(book, "service", "list", "--overdue", "--all", "--date", DAY)
    assert [(r["number"], r["age_days"], r["overdue"], r["due"]) for r in listed] == [
        (1, 4, True, "2026-11-23")
    ]
    closed = ok(book, "service", "close", "1", "--note", "已赔付", "--date", DAY)
    assert closed.splitlines() == [
        "Service request 1 of C1 closed on 2026-11-24: 4 d, past its 3 d target.",
        "A letter after the service is on the list: vipctl draft C1 --occasion service_done",
    ]
    now = items(book, DAY, "C1")
    assert "service_request" not in now
    assert now["service_letter"]["detail"] == (
        "claim no. 1 closed 2026-11-24: send the letter after service"
    )
    assert now["service_letter"]["draft"] == "service_done"
    assert run_json(book, "service", "list", "--open", "--all", "--date", DAY) == []
    sent = ok(book, "log", "C1", "--channel", "letter", "--date", DAY)
    assert "settled: letter after service" in sent
    assert "service_letter" not in items(book, "2026-11-25", "C1")
    again = book("service", "close", "1", "--date", DAY)
    assert again.exit_code == 1
    assert again.stderr == "vipctl: service request 1 was closed on 2026-11-24 already\n"


def test_the_letter_after_service_lingers_for_its_days_only(book):
    ok(book, "service", "open", "C3", "--type", "change", "--date", "2026-11-01")
    ok(book, "service", "close", "1", "--date", "2026-11-03")
    assert "service_letter" in items(book, "2026-11-17", "C3")
    assert "service_letter" not in items(book, "2026-11-18", "C3")  # 14 days on
    ok(book, "service", "open", "C3", "--type", "benefit", "--date", "2026-11-20")
    said = ok(book, "service", "close", "2", "--date", "2026-11-21")
    assert "letter" not in said  # only a change or a claim is answered by a letter
    assert "service_letter" not in items(book, "2026-11-21", "C3")


def test_bad_requests_are_refused_and_nothing_is_written(book):
    cases = [
        (("service", "open", "C9", "--type", "claim"), 1, "vipctl: no client 'C9'\n"),
        (("service", "open", "C1", "--type", "claim", "--policy", "P2"), 1,
         "vipctl: policy P2 is C3's, not C1's\n"),
        (("service", "open", "C1", "--type", "claim", "--policy", "P9"), 1,
         "vipctl: no policy 'P9'\n"),
        (("service", "open", "C1", "--type", "refund"), 2, None),
        (("service", "open", "C1", "--type", "claim", "--date", "2099-01-01"), 1, None),
        (("service", "close", "7"), 1, "vipctl: no service request number 7\n"),
    ]  # fmt: skip
    for args, code, said in cases:
        result = book(*args)
        assert result.exit_code == code, (args, result.output)
        if said is not None:
            assert result.stderr == said
    assert run_json(book, "service", "list", "--all") == []
    ok(book, "service", "open", "C1", "--type", "other", "--date", DAY)
    early = book("service", "close", "1", "--date", "2026-11-23")
    assert early.exit_code == 1
    assert early.stderr == (
        "vipctl: --date 2026-11-23 is before service request 1 was opened (2026-11-24)\n"
    )


def test_a_request_records_who_and_undo_takes_a_close_back(book):
    ok(book, "--as", "王芳", "service", "open", "C3", "--type", "change", "--date", "2026-11-20")
    said = ok(book, "--as", "王芳", "service", "close", "1", "--date", "2026-11-21")
    assert "1 d, within 5 d" in said
    [closed] = run_json(book, "service", "list", "--all", "--date", DAY)
    assert (closed["by"], closed["closed_by"], closed["closed"]) == ("王芳", "王芳", "2026-11-21")
    ok(book, "undo")
    [request] = run_json(book, "service", "list", "--all", "--date", DAY)
    assert request["closed"] is None and request["closed_by"] is None
    assert "service_request" in items(book, DAY, "C3")
    ok(book, "undo")
    assert run_json(book, "service", "list", "--all") == []


def test_the_table_and_csv_of_requests(book):
    ok(book, "service", "open", "C1", "--type", "claim", "--date", "2026-11-20")
    ok(book, "service", "open", "C3", "--type", "change", "--date", "2026-11-22")
    table = ok(book, "service", "list", "--all", "--date", DAY)
    assert "2 service requests (2 open, 1 past target)" in table
    assert "open 4 d, past target 3 d" in table and "open 2 d of 5 d" in table
    first = ok(book, "service", "list", "--all", "--limit", "1", "--date", DAY)
    assert "the first 1 of 2 service requests (2 open, 1 past target)" in first
    csv = book("service", "list", "--all", "--date", DAY, "-f", "csv").stdout.splitlines()
    assert csv[0].startswith("number,client_id,name,agent,type,policy_no,opened,closed")
    assert len(csv) == 3


def test_service_targets_come_from_the_config(book, own_config):
    own_config.write_text("[agenda.service_target_days]\nclaim = 1\n", encoding="utf-8")
    ok(book, "service", "open", "C1", "--type", "claim", "--date", "2026-11-22")
    [request] = run_json(book, "service", "list", "--all", "--date", DAY)
    assert request["target_days"] == 1 and request["overdue"]
    own_config.write_text("[agenda.service_target_days]\nrefund = 1\n", encoding="utf-8")
    wrong = book("service", "list", "--all")
    assert wrong.exit_code == 1
    assert "[agenda.service_target_days] refund: unknown setting" in wrong.stderr


@given(
    opened=st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)),
    kind=st.sampled_from(["change", "claim", "benefit", "other"]),
    after=st.integers(0, 60),
    closed_after=st.none() | st.integers(0, 60),
)
def test_a_request_is_brought_up_from_its_opening_until_closed(opened, kind, after, closed_after):
    """Every day from its opening to its closing, the open request is on the list, past its
    target exactly when the day is later than opened + target; a closed change or claim brings
    its letter for the letter's days."""
    rules = AgendaRules()
    today = opened + dt.timedelta(days=after)
    closed = None if closed_after is None else opened + dt.timedelta(days=closed_after)
    row = events.ServiceRow(1, "C1", kind, None, opened, closed, None)
    if closed is not None and closed > today:
        closed = None  # not closed yet as of today: the rule sees it open
    start, end = dt.date.min, today + dt.timedelta(days=rules.service_target_most)
    found = list(events.service_requests([row], today, start, end, rules))
    target = opened + dt.timedelta(days=rules.service_target_days[kind])
    if closed is None:
        [event] = found
        assert event.kind == "service_request" and event.stage(today) == today
        assert ("past target" in event.detail) == (today > target)
        assert f"open {after} day" in event.detail
    elif kind in ("change", "claim"):
        [event] = found
        shown = event.stage(today) is not None
        assert shown == (today <= closed + dt.timedelta(days=rules.service_letter_days))
    else:
        assert found == []


# --- campaigns --------------------------------------------------------------------------------


def test_a_dividend_campaign_reaches_the_holders_of_participating_policies(cli, tmp_path):
    clients = write_csv(
        tmp_path / "c.csv",
        ["client_id", "name", "agent"],
        [[f"C{n}", f"客户{n}", "王芳" if n % 2 else "李四"] for n in range(1, 7)],
    )
    policies = write_csv(
        tmp_path / "p.csv",
        ["policy_no", "client_id", "product", "effective_date", "status", "分红型"],
        [
            ["P1", "C1", "鑫如意终身寿险", "2020-01-01", "in_force", "是"],  # said so
            ["P2", "C2", "福禄双全两全保险(分红型)", "2020-01-01", "in_force", ""],  # its name
            ["P3", "C3", "福禄双全两全保险(分红型)", "2020-01-01", "in_force", "否"],  # said not
            ["P4", "C4", "鑫享年金(分红型)", "2020-01-01", "lapsed", "是"],  # not in force
            ["P5", "C5", "定期寿险", "2020-01-01", "in_force", ""],
        ],
    )  # fmt: skip
    ok(cli, "import", str(clients), str(policies), "--date", "2026-11-01")
    said = ok(cli, "campaign", "new", "2026分红报告", "--kind", "dividend", "--date", "2026-11-20")
    assert said == "Campaign 2026分红报告 begun on 2026-11-20: 2 to reach.\n"
    status = run_json(cli, "campaign", "status", "2026分红报告", "--date", DAY)
    assert [c["client_id"] for c in status["undelivered"]] == ["C1", "C2"]
    assert (status["total"], status["delivered"], status["percent"]) == (2, 0, 0.0)
    narrowed = ok(cli, "campaign", "new", "王芳的", "--kind", "dividend", "--agent", "王芳",
                  "--date", "2026-11-20")  # fmt: skip
    assert "1 to reach" in narrowed
    everyone = ok(cli, "campaign", "new", "新品", "--kind", "product", "--date", "2026-11-20")
    assert "6 to reach" in everyone


def test_campaign_delivery_clears_the_list_and_counts_toward_100_percent(book):
    ok(book, "campaign", "new", "年终答谢会", "--kind", "event", "--client", "C1", "--client",
       "C3", "--due", "2026-11-30", "--date", "2026-11-20")  # fmt: skip
    invitation = items(book, "2026-11-22", "C1")["event_invitation"]
    assert invitation["detail"] == "年终答谢会: client event to deliver · deliver by 2026-11-30"
    assert invitation["draft"] == "event_invite"
    unanswered = book("log", "C1", "--channel", "phone", "--outcome", "no_answer", "--campaign",
                      "年终答谢会", "--date", "2026-11-22")  # fmt: skip
    assert unanswered.exit_code == 1
    assert run_json(book, "history", "C1")["contacts"] == []  # nothing logged
    logged = ok(book, "log", "C1", "--channel", "visit", "--campaign", "年终答谢会", "--date",
                "2026-11-22")  # fmt: skip
    assert "Campaign 年终答谢会 delivered." in logged
    assert "event_invitation" not in items(book, "2026-11-22", "C1")
    ok(book, "--as", "王芳", "campaign", "deliver", "年终答谢会", "C3", "--channel", "wechat",
       "--date", "2026-11-23")  # fmt: skip
    status = run_json(book, "campaign", "status", "年终答谢会", "--date", DAY)
    assert (status["delivered"], status["total"], status["percent"]) == (2, 2, 100.0)
    assert status["by_agent"] == [{"agent": "王芳", "total": 2, "delivered": 2, "percent": 100.0}]
    assert status["undelivered"] == []
    on_the_day_before = run_json(book, "campaign", "status", "年终答谢会", "--date", "2026-11-22")
    assert on_the_day_before["delivered"] == 1
    table = ok(book, "campaign", "list", "--date", DAY)
    assert "1 campaign" in table and "2 of 2 (100%)" in table
    cases = [
        (("campaign", "new", "年终答谢会", "--kind", "news"),
         "vipctl: a campaign named '年终答谢会' exists already\n"),
        (("campaign", "new", "x", "--kind", "event"),
         "vipctl: say whom the event invites: --client, --tier, --segment, --category or "
         "--agent\n"),
        (("campaign", "new", "x", "--kind", "news", "--tier", "A", "--agent", "nobody"),
         "vipctl: no client matches: the campaign would reach nobody\n"),
        (("campaign", "new", "x", "--kind", "news", "--date", DAY, "--due", "2026-11-01"),
         "vipctl: --due 2026-11-01 is before 2026-11-24\n"),
        (("campaign", "deliver", "nope", "C1", "--channel", "sms"),
         "vipctl: no campaign named 'nope'\n"),
        (("campaign", "deliver", "年终答谢会", "C2", "--channel", "sms"),
         "vipctl: C2 is not among the clients of campaign '年终答谢会'\n"),
        (("campaign", "deliver", "年终答谢会", "C3", "--channel", "sms"),
         "vipctl: campaign '年终答谢会' reached C3 on 2026-11-23 already\n"),
        (("campaign", "status", "nope"), "vipctl: no campaign named 'nope'\n"),
    ]  # fmt: skip
    for args, said in cases:
        result = book(*args)
        assert (result.exit_code, result.stderr) == (1, said), args
    assert len(run_json(book, "campaign", "list")) == 1


def test_undelivered_clients_leave_the_list_after_the_due_date(book):
    ok(book, "campaign", "new", "新品", "--kind", "product", "--due", "2026-11-22", "--date",
       "2026-11-20")  # fmt: skip
    assert "campaign" in items(book, "2026-11-22", "C2")
    assert "campaign" not in items(book, "2026-11-23", "C2")
    csv = book("campaign", "status", "新品", "-f", "csv", "--date", DAY).stdout.splitlines()
    assert csv == ["client_id,name,agent", "C1,张伟,王芳", "C2,李娜,李四", "C3,王强,王芳"]
    ok(book, "undo")
    assert run_json(book, "campaign", "list") == []


# --- the standards ---------------------------------------------------------------------------


def _fixed_book(book):
    """The small book's month: its new policy (P3 of C2, effective 11-05) and its departed
    agent's client (C2, since the import on 11-01) both called back on 11-10; a claim closed in
    2 days (met), a change in 10 (not), a claim still within its target."""
    ok(book, "log", "C2", "--channel", "phone", "--date", "2026-11-10")
    for client, kind, opened, closed in (("C1", "claim", "2026-11-10", "2026-11-12"),
                                         ("C3", "change", "2026-11-10", "2026-11-20"),
                                         ("C3", "claim", "2026-11-23", None)):  # fmt: skip
        number = ok(book, "service", "open", client, "--type", kind, "--date", opened).split()[2]
        if closed:
            ok(book, "service", "close", number, "--date", closed)


def test_the_standards_of_a_fixed_book(book):
    _fixed_book(book)
    found = run_json(book, "standards", "--since", "2026-11-01", "--until", DAY)
    rates = {s["standard"]: (s["done"], s["total"], s["pending"], s["percent"])
             for s in found["standards"]}  # fmt: skip
    assert rates == {
        "new_policy_callbacks": (1, 1, 0, 100.0),
        "departed_agent_callbacks": (1, 1, 0, 100.0),
        "dividend_reports": (0, 0, 0, None),  # none due: not 100 %
        "news_and_products": (0, 0, 0, None),
        "event_invitations": (0, 0, 0, None),
        "fast_service": (1, 3, 1, 33.3),
    }
    by_type = {t["type"]: t for t in found["fast_service_by_type"]}
    assert (by_type["claim"]["done"], by_type["claim"]["total"]) == (1, 2)
    assert by_type["claim"]["median_days_to_close"] == 2.0
    assert by_type["change"]["median_days_to_close"] == 10.0
    assert by_type["other"]["percent"] is None and by_type["other"]["target_days"] == 7
    table = ok(book, "standards", "--since", "2026-11-01", "--until", DAY)
    assert "The 100 % standards, 2026-11-01 to 2026-11-24" in table
    assert "none due" in table and "1 of 3 (33.3%)" in table and "1 of 1 (100%)" in table
    before = run_json(book, "standards", "--since", "2026-11-01", "--until", "2026-11-09")
    assert before["standards"][0]["pending"] == 1  # the callback is still within its 30 days
    assert run_json(book, "standards", "--since", "2026-11-01", "--date", DAY) == found
    nothing = run_json(book, "standards", "--since", "2025-01-01", "--until", "2025-01-31")
    assert {s["percent"] for s in nothing["standards"]} == {None}


def test_the_standards_per_agent(book):
    _fixed_book(book)
    found = run_json(book, "standards", "--since", "2026-11-01", "--until", DAY, "--team")
    agents = {a["agent"]: {s["standard"]: (s["done"], s["total"]) for s in a["standards"]}
              for a in found["agents"]}  # fmt: skip
    assert set(agents) == {"王芳", "李四"}
    assert agents["李四"]["departed_agent_callbacks"] == (1, 1)
    assert agents["王芳"]["fast_service"] == (1, 3)
    mine = run_json(book, "standards", "--since", "2026-11-01", "--until", DAY, "--agent", "李四")
    assert mine["agent"] == "李四" and mine["standards"][5]["total"] == 0
    csv = book("standards", "--since", "2026-11-01", "--until", DAY, "--team", "-f", "csv")
    lines = csv.stdout.splitlines()
    assert lines[0] == (
        "agent,standard,type,total,done,pending,percent,target_days,median_days_to_close"
    )
    assert ",fast_service,claim,2,1,1,50.0,3,2.0" in lines
    assert "李四,departed_agent_callbacks,,1,1,0,100.0,," in lines
    both = book("standards", "--agent", "李四", "--team")
    assert both.exit_code == 2
    wrong = book("standards", "--since", DAY, "--until", "2026-11-01")
    assert wrong.exit_code == 2


def test_the_report_shows_the_standards_in_every_format(book):
    _fixed_book(book)
    data = json.loads(ok(book, "report", "--date", DAY, "-f", "json", "--team"))
    assert data["standards"]["since"] == "2026-10-26" and data["standards"]["until"] == DAY
    assert {a["agent"] for a in data["standards"]["agents"]} == {"王芳", "李四"}
    text = ok(book, "report", "--date", DAY)
    assert "\nThe 100 % standards\n" in text and "none due" in text
    markdown = ok(book, "report", "--date", DAY, "-f", "markdown", "--team")
    assert "## The 100 % standards per agent" in markdown
    assert "| service requests closed within target | 1 of 3 (33.3%) | 1 |" in markdown
    html = ok(book, "report", "--date", DAY, "-f", "html")
    assert "<h2>The 100 % standards</h2>" in html
