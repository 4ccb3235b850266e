"""Activities with outcomes, follow-ups and the clients' own dates, through the command line on
the agenda's small book (tests/books.py) and fixed dates: what each settles, what it leaves,
and what it adds to the list."""

import datetime as dt
import json
import sys

from hypothesis import given
from hypothesis import strategies as st

from helpers import run_json
from vipctl.config import AgendaRules
from vipctl.rules import events

DAY = "2026-11-24"


def entry(cli, day, client):
    """The client's line of the day's list, or None."""
    return next(
        (e for e in run_json(cli, "today", "--date", day) if e["client_id"] == client), None
    )


def kinds(cli, day, client):
    found = entry(cli, day, client)
    return {i["kind"] for i in found["items"]} if found else set()


def test_an_unanswered_call_keeps_the_items_and_counts_the_tries(book):
    before = entry(book, DAY, "C2")
    said = book("log", "C2", "--channel", "phone", "--outcome", "no_answer", "--date", DAY)
    assert said.exit_code == 0, said.output
    assert "settled" not in said.stdout
    after = entry(book, DAY, "C2")
    assert {i["kind"] for i in after["items"]} == {i["kind"] for i in before["items"]}
    assert {i["attempts"] for i in after["items"]} == {1} and after["score"] > before["score"]
    book("log", "C2", "--channel", "wechat", "--outcome", "no_answer", "--date", "2026-11-25")
    shown = book("today", "--date", "2026-11-25").stdout
    assert "2 tries unanswered" in shown
    explained = run_json(book, "today", "--date", "2026-11-25", "--explain", "C2")
    tries = [t for t in explained["terms"] if t["term"] == "attempts"]
    assert len(tries) == 1 and tries[0]["factor"] == 2.0  # once per client, not per item
    history = run_json(book, "history", "C2")["contacts"]
    assert [h["outcome"] for h in history] == ["no_answer", "no_answer"]


def test_a_greeting_settles_a_birthday_but_not_a_callback(book):
    assert "callback_departed_agent" in kinds(book, DAY, "C2")
    sent = book("log", "C2", "--channel", "sms", "--note", "问候", "--date", DAY)
    assert sent.exit_code == 0 and "sent" in sent.stdout
    assert "callback_departed_agent" in kinds(book, DAY, "C2")  # a callback wants a talk
    assert "birthday" in kinds(book, DAY, "C1")
    card = book("log", "C1", "--channel", "card", "--date", DAY)
    assert "settled: birthday" in card.stdout
    assert "birthday" not in kinds(book, DAY, "C1")
    reached = book("log", "C2", "--channel", "phone", "--date", DAY)
    assert "reached" in reached.stdout
    assert not {"callback_departed_agent", "callback_new_policy"} & kinds(book, DAY, "C2")


def test_a_wechat_call_that_got_through_settles_a_callback(book):
    book("log", "C2", "--channel", "wechat", "--date", DAY)  # a message: sent
    assert "callback_departed_agent" in kinds(book, "2026-11-25", "C2")
    book("log", "C2", "--channel", "wechat", "--outcome", "reached", "--date", DAY)
    assert "callback_departed_agent" not in kinds(book, "2026-11-25", "C2")


def test_outcomes_that_do_not_fit_are_refused_and_nothing_is_logged(book):
    wrong = book("log", "C1", "--channel", "sms", "--outcome", "visited", "--date", DAY)
    assert wrong.exit_code == 1
    assert wrong.stderr == (
        "vipctl: --outcome visited does not go with --channel sms (it goes with visit)\n"
    )
    alone = book("log", "C1", "--channel", "phone", "--until", "2026-12-01", "--date", DAY)
    assert alone.exit_code == 1 and "--outcome promised" in alone.stderr
    assert book("log", "C1", "--channel", "phone", "--outcome", "maybe").exit_code == 2
    assert run_json(book, "history", "C1") == {"contacts": [], "changes": [], "gifts": []}


def test_a_promise_to_pay_holds_the_premium_back_until_the_day_promised(book):
    assert "grace" in kinds(book, DAY, "C3")
    promised = book(
        "log", "C3", "--channel", "phone", "--outcome", "promised", "--until", "2026-11-28",
        "--date", DAY,
    )  # fmt: skip
    assert promised.exit_code == 0, promised.output
    assert "snoozed until 2026-11-28" in promised.stdout
    assert entry(book, "2026-11-27", "C3") is None
    assert "grace" in kinds(book, "2026-11-28", "C3")


def test_a_follow_up_comes_on_its_day_and_stays_until_done(book):
    made = book("remind", "C3", "--on", "2026-11-26", "带分红报告", "--date", DAY)
    assert made.exit_code == 0, made.output
    assert "follow_up" not in kinds(book, "2026-11-25", "C3")
    for day in ("2026-11-26", "2026-12-03"):
        assert "follow_up" in kinds(book, day, "C3")
    ahead = run_json(book, "upcoming", "--date", DAY, "--days", "7", "--kind", "follow_up")
    assert [(e["client_id"], e["event_date"], e["detail"]) for e in ahead] == [
        ("C3", "2026-11-26", "带分红报告")
    ]
    assert "带分红报告" in book("calendar", "--date", DAY).stdout
    done = book("done", "C3", "--kind", "follow_up", "--date", "2026-11-27")
    assert done.exit_code == 0, done.output
    assert "follow_up" not in kinds(book, "2026-12-03", "C3")
    early = book("remind", "C3", "--on", "2026-11-20", "迟了", "--date", DAY)
    assert early.exit_code == 1 and "before 2026-11-24" in early.stderr
    assert book("remind", "C9", "--on", "2026-11-26", "x", "--date", DAY).exit_code == 1


def test_the_clients_own_dates_come_ahead_as_birthdays_do(book):
    added = book("dates", "add", "C1", "--kind", "career_anniversary", "--on", "2008-12-01")
    assert added.exit_code == 0 and "Date 1 added for C1" in added.stdout
    book("dates", "add", "C3", "--kind", "child_birthday", "--on", "2015-11-30", "--label", "小明")
    book("dates", "add", "C3", "--kind", "custom", "--on", "2019-12-20", "--label", "公司开业")
    assert "career_anniversary" not in kinds(book, "2026-11-23", "C1")
    line = entry(book, DAY, "C1")  # 7 days ahead
    career = next(i for i in line["items"] if i["kind"] == "career_anniversary")
    assert career["event_date"] == "2026-12-01" and career["detail"] == "18 years in the career"
    child = next(i for i in entry(book, DAY, "C3")["items"] if i["kind"] == "child_birthday")
    assert child["detail"] == "小明 turns 11"
    own = run_json(book, "upcoming", "--date", DAY, "--days", "30", "--kind", "client_date")
    assert [e["detail"] for e in own] == ["公司开业 · 7 years since"]
    chinese = book("--lang", "zh_CN", "today", "--date", DAY).stdout
    assert "从业18周年" in chinese and "小明满11岁" in chinese
    listed = run_json(book, "dates", "list")
    assert [(d["id"], d["client_id"], d["kind"]) for d in listed] == [
        (1, "C1", "career_anniversary"), (2, "C3", "child_birthday"), (3, "C3", "client_date"),
    ]  # fmt: skip
    assert book("dates", "add", "C3", "--kind", "custom", "--on", "2019-12-20").exit_code == 1
    assert book("dates", "remove", "1").exit_code == 0
    assert "career_anniversary" not in kinds(book, DAY, "C1")
    gone = book("dates", "remove", "1")
    assert gone.exit_code == 1 and gone.stderr == "vipctl: no client date number 1\n"


def test_a_lunar_date_comes_on_its_lunar_anniversary(book):
    # Born 2015-03-02 (lunar 2015-01-12): lunar 1-12 of 2027 is 2027-02-17.
    book("dates", "add", "C1", "--kind", "child_birthday", "--on", "2015-03-02", "--lunar")
    found = run_json(book, "upcoming", "--date", "2027-02-01", "--days", "30", "--kind",
                     "child_birthday")  # fmt: skip
    assert [(e["event_date"], e["detail"]) for e in found] == [
        ("2027-02-17", "a child turns 12 · by the lunar calendar")
    ]


@given(
    st.dates(dt.date(1950, 1, 1), dt.date(2030, 12, 31)),
    st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)),
    st.integers(0, 400),
    st.sampled_from(["career_anniversary", "child_birthday", "client_date"]),
)
def test_a_solar_date_comes_once_a_year_on_its_day(origin, start, days, kind):
    end = start + dt.timedelta(days=days)
    row = events.ClientDateRow("C1", kind, origin, False, "x")
    found = list(events.client_dates([row], start, end, AgendaRules()))
    for e in found:
        assert start <= e.date <= end and e.kind == kind
        assert (e.date.month, e.date.day) == (origin.month, origin.day) or (
            (origin.month, origin.day) == (2, 29) and (e.date.month, e.date.day) == (2, 28)
        )
        assert e.date.year > origin.year and e.starts == e.date - dt.timedelta(days=7)
    years = {y for y in range(start.year, end.year + 1) if y > origin.year}
    assert len(found) <= len(years)


def test_an_edit_is_checked_kept_in_the_history_and_reassesses_the_tier(book):
    tier = {c["client_id"]: c["tier"] for c in run_json(book, "clients")}["C1"]
    edited = book("edit", "C1", "--set", "phone=13912345678", "--set", "满意度=低", "--date", DAY)
    assert edited.exit_code == 0, edited.output
    assert "C1 Phone: 138****5678 → 139****5678" in edited.stdout
    assert "C1 Satisfaction: high → low" in edited.stdout
    assert "1 moved down" in edited.stdout
    after = {c["client_id"]: c for c in run_json(book, "clients")}["C1"]
    assert after["satisfaction"] == "low" and after["tier"] != tier
    changes = run_json(book, "history", "C1")["changes"]
    assert [(c["date"], c["field"], c["old"], c["new"]) for c in changes] == [
        ("2026-11-24", "satisfaction", "high", "low"),
        ("2026-11-24", "phone", "138****5678", "139****5678"),  # masked unless --show-pii
    ]
    shown = run_json(book, "history", "C1", "--show-pii")["changes"]
    assert shown[1]["new"] == "13912345678"
    assert "Changes to C1's card: 2 changes" in book("history", "C1").stdout
    movement = run_json(book, "tier", "--date", DAY, "--detail")
    assert any(m["client_id"] == "C1" for m in movement["movements"])


def test_a_bad_edit_says_why_and_changes_nothing(book):
    for args, said in [
        (("--set", "birthday=2024-02-30"), "birthday: not a real calendar date"),
        (("--set", "colour=red"), "no card field 'colour'; the fields are: name, gender"),
        (("--set", "name="), "name: required, but empty"),
        (("--set", "phone=13912345678", "--set", "gender=x"), "gender: expected one of"),
    ]:
        done = book("edit", "C1", *args, "--date", DAY)
        assert done.exit_code == 1 and said in done.stderr, done.stderr
    assert book("edit", "C1", "--set", "phone").exit_code == 2
    assert book("edit", "C1", "--set", "phone=1", "--date", "2031-01-01").exit_code == 1
    assert book("edit", "C9", "--set", "phone=13912345678").exit_code == 1
    assert run_json(book, "history", "C1")["changes"] == []
    odd = book("edit", "C1", "--set", "birthday=1890-01-01", "--date", DAY)
    assert odd.exit_code == 0 and "warning: birthday: born 1890-01-01" in odd.stderr


def test_an_import_of_an_older_export_keeps_the_edit(book, tmp_path):
    from books import CLIENTS, HEADERS
    from helpers import write_csv

    assert book("edit", "C1", "--set", "phone=13912345678", "--date", DAY).exit_code == 0
    older = write_csv(tmp_path / "older.csv", HEADERS, CLIENTS)  # says 13812345678
    again = book("import", str(older), "--date", "2026-11-20")
    assert again.exit_code == 0, again.output
    assert "Kept 1 edit made in vipctl since the export" in again.stdout
    assert "Nothing changed" in again.stdout  # the same file again changes nothing
    card = {c["client_id"]: c for c in run_json(book, "clients", "--show-pii")}["C1"]
    assert card["phone"] == "13912345678"
    newer = book("import", str(older), "--date", "2026-11-30")  # exported after the edit
    assert "Kept" not in newer.stdout
    card = {c["client_id"]: c for c in run_json(book, "clients", "--show-pii")}["C1"]
    assert card["phone"] == "13812345678"
    book("edit", "C1", "--set", "phone=13912345678", "--date", DAY)
    book("import", str(older), "--date", "2026-11-20", "--overwrite-edits")
    card = {c["client_id"]: c for c in run_json(book, "clients", "--show-pii")}["C1"]
    assert card["phone"] == "13812345678"


def test_rows_of_the_last_list_stand_for_their_clients(book):
    none = book("show", "@1")
    assert none.exit_code == 1 and "no list shown yet" in none.stderr
    shown = book("today", "--date", DAY).stdout
    order = [e["client_id"] for e in run_json(book, "today", "--date", DAY)]
    assert len(order) == 3 and all(c in shown for c in order)
    card = book("show", "@2")
    assert card.exit_code == 0 and card.stderr.startswith(f"@2 = {order[1]} ")
    assert card.stdout.startswith(order[1])
    done = book("done", "@1", "--date", DAY)
    assert done.exit_code == 0 and done.stderr.startswith(f"@1 = {order[0]}")
    assert order[0] not in {e["client_id"] for e in run_json(book, "today", "--date", DAY)}
    # JSON is for scripts: it leaves the rows people saw as they were.
    assert book("log", "@1", "--channel", "sms", "--date", DAY).stderr.startswith(
        f"@1 = {order[0]}"
    )
    far = book("snooze", "@4", "--until", "2026-12-01", "--date", DAY)
    assert far.exit_code == 1 and far.stderr == (
        "vipctl: @4: the last list (of 2026-11-24) has rows 1 to 3\n"
    )
    assert book("show", "C1").exit_code == 0  # a plain id is itself


def test_undo_takes_back_the_last_change_and_steps_further_back(book):
    before = run_json(book, "today", "--date", DAY)
    card = {c["client_id"]: c for c in run_json(book, "clients")}["C1"]
    writes = [
        ("log", "C3", "--channel", "phone", "--outcome", "promised", "--until", "2026-11-28",
         "--date", DAY),
        ("done", "C1", "--date", DAY),
        ("snooze", "C2", "--until", "2026-12-01", "--date", DAY),
        ("paid", "P2", "--date", DAY),
        ("remind", "C1", "--on", DAY, "x", "--date", DAY),
        ("dates", "add", "C1", "--kind", "career_anniversary", "--on", "2008-11-26"),
        ("edit", "C1", "--set", "满意度=低", "--set", "phone=13900000000", "--date", DAY),
    ]  # fmt: skip
    for write in writes:
        assert book(*write).exit_code == 0
    assert run_json(book, "today", "--date", DAY) != before
    took = [book("undo").stdout for _ in writes]
    assert [t.split(" (")[0] for t in took] == [
        "Took back: edit C1", "Took back: dates add C1", "Took back: remind C1",
        "Took back: paid P2", "Took back: snooze C2", "Took back: done C1", "Took back: log C3",
    ]  # fmt: skip
    assert run_json(book, "today", "--date", DAY) == before
    assert {c["client_id"]: c for c in run_json(book, "clients")}["C1"] == card
    assert run_json(book, "history", "C1") == {"contacts": [], "changes": [], "gifts": []}
    first = book("undo")  # the book's own import is as far back as undo goes
    assert first.exit_code == 1 and "the last change was an import" in first.stderr


def test_undo_does_not_reach_past_an_import(book, tmp_path):
    from books import CLIENTS, HEADERS
    from helpers import write_csv

    assert book("log", "C1", "--channel", "phone", "--date", DAY).exit_code == 0
    rows = [[*CLIENTS[0][:4], "13911112222", *CLIENTS[0][5:]], *CLIENTS[1:]]
    assert book("import", str(write_csv(tmp_path / "new.csv", HEADERS, rows))).exit_code == 0
    refused = book("undo")
    assert refused.exit_code == 1 and "the last change was an import" in refused.stderr
    assert len(run_json(book, "history", "C1")["contacts"]) == 1


def test_tiers_assessed_under_other_rules_are_never_silent(book, own_config):
    assert "warning" not in book("today", "--date", DAY).stderr
    own_config.write_text('[tiers.healthy]\nsatisfaction = "low"\n', encoding="utf-8")
    said = "tiers were assessed under other tier rules than the config's now"
    assert said in book("today", "--date", DAY).stderr
    assert said in book("tier", "--date", DAY).stderr
    assert said in book("report", "--date", DAY).stdout
    assert run_json(book, "report", "--date", DAY)["tiers"]["assessed_under_other_rules"]
    one = book("tier", "--explain", "C1", "--recompute", "--date", DAY)
    assert one.exit_code == 0 and "Recomputed" in one.stderr
    assert said in book("today", "--date", DAY).stderr  # one client is not all of them
    assert book("tier", "--recompute", "--date", DAY).exit_code == 0
    assert said not in book("today", "--date", DAY).stderr
    assert not run_json(book, "report", "--date", DAY)["tiers"]["assessed_under_other_rules"]


def test_a_departed_agent_s_clients_are_reassigned_with_their_callback(book, tmp_path):
    from books import CLIENTS, HEADERS
    from helpers import write_csv

    # C2's agent 李四 has left: the callback is owed.
    assert "callback_departed_agent" in kinds(book, DAY, "C2")
    moved = book("--as", "陈静", "reassign", "--from", "李四", "--to", "王芳", "--date", DAY)
    assert moved.exit_code == 0, moved.output
    assert "Reassigned 1 client from 李四 to 王芳." in moved.stdout
    assert "1 departed-agent callback stays on 王芳's list until it is made" in moved.stdout
    mine = run_json(book, "today", "--date", DAY, "--agent", "王芳")
    assert "callback_departed_agent" in {
        i["kind"] for e in mine if e["client_id"] == "C2" for i in e["items"]
    }
    card = {c["client_id"]: c for c in run_json(book, "clients")}["C2"]
    assert (card["agent"], card["agent_status"]) == ("王芳", "active")
    changes = run_json(book, "history", "C2")["changes"]
    assert {(c["field"], c["old"], c["new"], c["by"]) for c in changes} == {
        ("agent", "李四", "王芳", "陈静"), ("agent_status", "left", "active", "陈静"),
    }  # fmt: skip
    # The export of before the move still says 李四: the move is kept, and so is the callback.
    older = write_csv(tmp_path / "older.csv", HEADERS, CLIENTS)
    assert "Kept 2 edits" in book("import", str(older), "--date", "2026-11-20").stdout
    assert "callback_departed_agent" in kinds(book, DAY, "C2")
    book("log", "C2", "--channel", "phone", "--date", DAY)
    assert "callback_departed_agent" not in kinds(book, DAY, "C2")


def test_a_reassignment_names_whom_it_moves_and_undo_takes_it_back(book):
    wrong = book("reassign", "--from", "王芳", "--to", "李明", "--client", "C2", "--date", DAY)
    assert wrong.exit_code == 1 and "not clients of 王芳" in wrong.stderr
    same = book("reassign", "--from", "王芳", "--to", "王芳")
    assert same.exit_code == 1 and "the same agent" in same.stderr
    nobody = book("reassign", "--from", "无人", "--to", "王芳")
    assert nobody.exit_code == 1 and "no client of 无人 to reassign" in nobody.stderr
    before = run_json(book, "clients")
    some = book("reassign", "--from", "王芳", "--to", "李明", "--tier", "D", "--date", DAY)
    assert some.exit_code == 0 and "Reassigned 1 client" in some.stdout  # C3 is tier D
    assert {c["client_id"]: c["agent"] for c in run_json(book, "clients")}["C3"] == "李明"
    assert book("undo").stdout.startswith("Took back: reassign 王芳 → 李明")
    assert run_json(book, "clients") == before


def test_show_review_and_explain_say_why_a_client_is_off_the_list(book):
    book("--as", "陈静", "snooze", "C3", "--until", "2026-12-01", "--date", DAY)
    book("--as", "王芳", "done", "C1", "--date", DAY)
    book("log", "C2", "--channel", "phone", "--outcome", "no_answer", "--date", DAY)
    book("remind", "C2", "--on", "2026-11-30", "带分红报告", "--date", DAY)
    book("dates", "add", "C2", "--kind", "child_birthday", "--on", "2015-03-02", "--label", "小明")
    explained = book("today", "--date", DAY, "--explain", "C3").stdout
    assert "C3 has nothing on the list for Tue 2026-11-24." in explained
    assert "Off the list until Tue 2026-12-01 (snoozed by 陈静)." in explained
    card = book("show", "C1", "--date", DAY).stdout
    assert "On the list" in card and "Done today: birthday (by 王芳)." in card
    brief = book("review", "C2", "--date", DAY).stdout
    assert "1 try in the last 30 days reached nobody: Tue 2026-11-24." in brief
    assert "Follow-up from Mon 2026-11-30: 带分红报告" in brief
    assert "child's birthday: 2015-03-02 (solar) · 小明" in brief
    stands = run_json(book, "show", "C3", "--date", DAY)["standing"]
    assert stands["snoozed"] == {"until": "2026-12-01", "by": "陈静"}
    chinese = book("--lang", "zh_CN", "show", "C3", "--date", DAY).stdout
    assert "暂缓至12月1日 周二（陈静）" in chinese


EDITOR = """\
import pathlib, re, sys
card = pathlib.Path(sys.argv[1])
text = card.read_text(encoding="utf-8")
seen = pathlib.Path(sys.argv[0]).with_suffix(".seen")
seen.write_text(seen.read_text(encoding="utf-8") + text if seen.exists() else text, "utf-8")
mode = pathlib.Path(sys.argv[0]).with_suffix(".mode").read_text(encoding="utf-8")
if mode == "fix" and "# error:" in text:
    text = text.replace('"2024-02-30"', '"1970-01-01"')
elif mode in ("fix", "change"):
    text = re.sub(r'satisfaction = "[a-z]*"', 'satisfaction = "low"', text)
    text = text.replace('birthday = "1966-11-28"', 'birthday = "2024-02-30"' if mode == "fix"
                        else 'birthday = "1966-11-28"')
card.write_text(text, encoding="utf-8")
"""


def test_the_card_opens_in_the_editor_on_a_terminal(book, tmp_path):
    from helpers import screens

    script = tmp_path / "editor.py"
    script.write_text(EDITOR, encoding="utf-8")
    env = {"VISUAL": f"{sys.executable} {script}", "NO_COLOR": "1"}
    base = ["--db", str(book.db), "edit", "C1", "--date", DAY]

    (script.with_suffix(".mode")).write_text("keep", encoding="utf-8")
    (kept,) = screens([base], 80, env)
    assert "Nothing changed: the card was saved as it was." in kept
    seen = script.with_suffix(".seen").read_text(encoding="utf-8")
    assert 'satisfaction = "high"  # 满意度' in seen and 'phone = "13812345678"' in seen

    (script.with_suffix(".mode")).write_text("fix", encoding="utf-8")
    script.with_suffix(".seen").unlink()
    (fixed,) = screens([base], 80, env)
    assert (
        "C1 Satisfaction: high → low" in fixed and "C1 Birthday: 1966-11-28 → 1970-01-01" in fixed
    )
    seen = script.with_suffix(".seen").read_text(encoding="utf-8")
    assert "# error: birthday: not a real calendar date" in seen  # the card came back with it
    assert run_json(book, "history", "C1")["changes"][0]["field"] in ("birthday", "satisfaction")
    piped = book("edit", "C1")
    assert piped.exit_code == 2 and "give --set FIELD=VALUE" in piped.stderr


def test_a_morning_worked_in_vipctl_end_to_end(book, tmp_path):
    """Issue 25's morning: every step through the command line, on the small book."""
    from books import CLIENTS, HEADERS
    from helpers import write_csv

    # Edit a card.
    assert book("edit", "C1", "--set", "best_visit_time=周六上午", "--date", DAY).exit_code == 0
    # A call nobody answered: the callbacks stay, the try is counted.
    book("log", "C2", "--channel", "phone", "--outcome", "no_answer", "--date", DAY)
    assert "1 try unanswered" in book("today", "--date", DAY).stdout
    # A greeting SMS does not settle the departed-agent callback; a call that reached C2 does.
    book("log", "C2", "--channel", "sms", "--note", "问候", "--date", DAY)
    assert "callback_departed_agent" in kinds(book, DAY, "C2")
    book("log", "C2", "--channel", "phone", "--date", DAY)
    assert "callback_departed_agent" not in kinds(book, DAY, "C2")
    # A follow-up comes on its day; a career anniversary comes a week ahead.
    book("remind", "C3", "--on", "2026-11-26", "带分红报告", "--date", DAY)
    book("dates", "add", "C3", "--kind", "career_anniversary", "--on", "2010-12-01")
    assert "follow_up" not in kinds(book, "2026-11-25", "C3")
    assert {"follow_up", "career_anniversary"} <= kinds(book, "2026-11-26", "C3")
    # done @N, then undo.
    listed = book("today", "--date", "2026-11-26").stdout
    first = run_json(book, "today", "--date", "2026-11-26")[0]["client_id"]
    assert first in listed
    done = book("done", "@1", "--date", DAY)
    assert done.exit_code == 0 and done.stderr.startswith(f"@1 = {first}")
    assert book("undo").stdout.startswith(f"Took back: done {first}")
    # A reassignment of the departed agent's client.
    assert book("reassign", "--from", "李四", "--to", "王芳", "--date", DAY).exit_code == 0
    # An import of an older export keeps the edit and the move.
    older = write_csv(tmp_path / "older.csv", HEADERS, CLIENTS)
    again = book("import", str(older), "--date", "2026-11-20")
    assert "Kept 2 edits made in vipctl since the export" in again.stdout  # agent, status
    cards = {c["client_id"]: c for c in run_json(book, "clients")}
    assert cards["C2"]["agent"] == "王芳"
    assert json.loads(book("show", "C1", "-f", "json").stdout)["best_visit_time"] == "周六上午"


def test_gifts_are_kept_so_that_the_next_one_differs(book):
    given = book("--as", "王芳", "gift", "C1", "茶叶一盒", "--occasion", "中秋", "--cost", "0.03万",
                 "--date", "2026-09-30")  # fmt: skip
    assert given.exit_code == 0 and "Gift to C1 on 2026-09-30: 茶叶一盒." in given.stdout
    book("gift", "C1", "围巾", "--date", DAY)
    history = run_json(book, "history", "C1")["gifts"]
    assert [(g["date"], g["item"], g["occasion"], g["cost"], g["by"]) for g in history] == [
        (DAY, "围巾", None, None, None), ("2026-09-30", "茶叶一盒", "中秋", 300, "王芳"),
    ]  # fmt: skip
    assert "Gifts to C1: 2 gifts" in book("history", "C1").stdout
    brief = book("review", "C1", "--date", DAY).stdout
    assert "Gifts given" in brief and "茶叶一盒" in brief
    assert [g["item"] for g in run_json(book, "review", "C1", "--date", DAY)["gifts"]] == [
        "围巾", "茶叶一盒",
    ]  # fmt: skip
    bad = book("gift", "C1", "花", "--cost", "many", "--date", DAY)
    assert bad.exit_code == 1 and "--cost: expected an amount" in bad.stderr
    assert book("gift", "C1", "花", "--date", "2031-01-01").exit_code == 1
    assert book("gift", "C9", "花", "--date", DAY).exit_code == 1
    assert book("undo").stdout.startswith("Took back: gift C1")
    assert len(run_json(book, "history", "C1")["gifts"]) == 1
