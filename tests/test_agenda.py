"""The agenda through the command line: upcoming, today, and closing the loop, on fixed dates."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from books import POLICIES, POLICY_HEADERS
from helpers import DATA, run_json, write_csv
from vipctl.agenda import lists
from vipctl.rules.events import Event


def today(cli, day, *args):
    return run_json(cli, "today", "--date", day, *args)


def items(cli, day, client):
    return {(i["kind"], i["policy_no"]) for e in today(cli, day) if e["client_id"] == client
            for i in e["items"]}  # fmt: skip


def test_upcoming_lists_every_event_of_the_window_by_date(book):
    found = run_json(book, "upcoming", "--date", "2026-11-24", "--days", "30")
    assert found == sorted(found, key=lambda e: e["event_date"])
    assert set(found[0]) == {
        "client_id", "name", "kind", "event_date", "policy_no", "days_left", "detail",
    }  # fmt: skip
    got = {
        (e["client_id"], e["kind"], e["event_date"], e["policy_no"], e["days_left"]) for e in found
    }
    assert ("C1", "birthday", "2026-11-28", None, 4) in got
    assert ("C3", "grace", "2026-11-30", "P2", 6) in got  # lapses 60 days after Oct 1
    assert ("C1", "renewal_due", "2026-12-10", "P1", 16) in got
    assert ("C1", "policy_anniversary", "2026-12-10", "P1", 16) in got
    assert ("C2", "renewal_due", "2026-12-05", "P3", 11) in got  # monthly from Nov 5
    assert ("C3", "contact_overdue", "2026-11-15", None, -9) not in got  # before the window
    assert all(0 <= e["days_left"] <= 30 for e in found)


def test_upcoming_filters(book):
    base = ["upcoming", "--date", "2026-11-24", "--days", "30"]
    kinds = run_json(book, *base, "--kind", "renewal_due,grace")
    assert {e["kind"] for e in kinds} == {"renewal_due", "grace"}
    assert {e["client_id"] for e in run_json(book, *base, "--tier", "D")} == {"C3"}
    assert {e["client_id"] for e in run_json(book, *base, "--agent", "王芳")} == {"C1", "C3"}
    wrong = book(*base, "--kind", "renewal")
    assert wrong.exit_code == 2 and "renewal" in wrong.output


def test_holidays_are_for_key_and_important_clients(book):
    found = run_json(book, "upcoming", "--date", "2026-12-26", "--days", "7", "--kind", "holiday")
    tiers = {c["client_id"]: c["segment"] for c in run_json(book, "clients")}
    vips = {c for c, s in tiers.items() if s in ("key", "important")}
    assert vips and {e["client_id"] for e in found} == vips
    assert {(e["event_date"], e["detail"]) for e in found} == {("2027-01-01", "New Year")}


def test_today_ranks_clients_with_their_reasons(book):
    entries = today(book, "2026-11-24")
    assert set(entries[0]) == {"client_id", "name", "tier", "segment", "score", "items"}
    assert [e["score"] for e in entries] == sorted((e["score"] for e in entries), reverse=True)
    by_id = {e["client_id"]: e for e in entries}
    # C3: tier D, a premium in its grace period and no contact within 14 days of import.
    assert entries[0]["client_id"] == "C3"
    assert {i["kind"] for i in by_id["C3"]["items"]} == {"grace", "contact_overdue"}
    # C1: the renewal's month-before reminder came on Nov 10; the birthday's 7 days ahead.
    assert {(i["kind"], i["days_left"]) for i in by_id["C1"]["items"]} == {
        ("renewal_due", 16),
        ("birthday", 4),
    }
    # C2: the agent left, and the new policy of Nov 5 wants its callback.
    assert {i["kind"] for i in by_id["C2"]["items"]} == {
        "callback_departed_agent",
        "callback_new_policy",
    }


def test_today_table_masks_phones_and_explains(book):
    shown = book("today", "--date", "2026-11-24")
    assert shown.exit_code == 0, shown.output
    assert "138****5678" in shown.stdout and "13812345678" not in shown.stdout
    assert "\x1b[" not in shown.stdout
    assert "renewal due in 16 d · P1 · annual premium · ¥12,000" in shown.stdout
    assert "birthday Sat · birthday, turns 60 (round age)" in shown.stdout
    assert "Clients per tier:" in shown.stdout
    entry = next(e for e in today(book, "2026-11-24") if e["client_id"] == "C1")
    explained = run_json(book, "today", "--date", "2026-11-24", "--explain", "C1")
    assert explained["score"] == entry["score"]
    assert {t["term"] for t in explained["terms"]} >= {
        "tier",
        "renewal_due",
        "birthday",
        "round_age",
    }
    assert sum(t["value"] for t in explained["terms"]) == pytest.approx(entry["score"], abs=0.05)
    limited = today(book, "2026-11-24", "--limit", "1")
    assert [e["client_id"] for e in limited] == ["C3"]
    table = book("today", "--date", "2026-11-24", "--limit", "1").stdout
    assert "To do on Tue 2026-11-24: the first 1 of 3 clients" in table
    assert "Clients per tier: A 2, D 1" in table  # the footer counts the whole list
    assert "C1" not in table


def test_done_hides_an_item_until_its_next_reminder(book):
    assert ("renewal_due", "P1") in items(book, "2026-11-24", "C1")
    done = book("done", "C1", "--kind", "renewal_due", "--date", "2026-11-24")
    assert done.exit_code == 0, done.output
    assert "done: renewal due in 16 d · P1" in done.stdout
    assert ("renewal_due", "P1") not in items(book, "2026-11-25", "C1")
    assert ("birthday", None) in items(book, "2026-11-25", "C1")  # only the kind asked for
    assert ("renewal_due", "P1") in items(book, "2026-12-10", "C1")  # the due date's reminder
    # Grace is brought up every day: done lasts the day.
    assert book("done", "C3", "--policy", "P2", "--date", "2026-11-24").exit_code == 0
    assert ("grace", "P2") not in items(book, "2026-11-24", "C3")
    assert ("grace", "P2") in items(book, "2026-11-25", "C3")
    nothing = book("done", "C1", "--kind", "holiday", "--date", "2026-11-24")
    assert nothing.exit_code == 1 and "nothing on C1's list" in nothing.output


def test_snooze_until_a_day(book):
    assert book("snooze", "C3", "--until", "2026-11-26", "--date", "2026-11-24").exit_code == 0
    assert "C3" not in {e["client_id"] for e in today(book, "2026-11-25")}
    assert "C3" in {e["client_id"] for e in today(book, "2026-11-26")}
    past = book("snooze", "C3", "--until", "2026-11-20", "--date", "2026-11-24")
    assert past.exit_code == 1 and "not after" in past.output


def test_log_settles_callbacks_and_restarts_the_cadence(book):
    logged = book("log", "C2", "--channel", "phone", "--note", "谈续保", "--date", "2026-11-24")
    assert logged.exit_code == 0, logged.output
    assert "C2" not in {e["client_id"] for e in today(book, "2026-11-25")}
    assert book("log", "C3", "--channel", "visit", "--date", "2026-11-24").exit_code == 0
    assert ("contact_overdue", None) not in items(book, "2026-11-25", "C3")
    assert ("contact_overdue", None) in items(book, "2026-12-08", "C3")  # tier D: 14 days later
    history = run_json(book, "history", "C2")["contacts"]
    assert history == [
        {
            "date": "2026-11-24",
            "channel": "phone",
            "outcome": "reached",
            "note": "谈续保",
            "by": None,
        }
    ]
    assert book("log", "C9", "--channel", "phone").exit_code == 1
    assert book("log", "C1", "--channel", "pigeon").exit_code == 2


def test_paid_moves_the_due_date_on(book):
    paid = book("paid", "P2", "--date", "2026-11-24")
    assert paid.exit_code == 0, paid.output
    assert "premium of 2026-10-01 paid on 2026-11-24; next due 2027-10-01" in paid.stdout
    assert ("grace", "P2") not in items(book, "2026-11-25", "C3")
    later = run_json(
        book, "upcoming", "--date", "2027-09-01", "--days", "60", "--kind", "renewal_due"
    )
    assert ("P2", "2027-10-01") in {(e["policy_no"], e["event_date"]) for e in later}
    assert book("paid", "P9").exit_code == 1


def test_a_recorded_payment_outlives_a_reimport_of_the_policy(book, tmp_path):
    assert book("paid", "P2", "--date", "2026-11-24").exit_code == 0
    dearer = [row if row[0] != "P2" else [*row[:2], "31000", *row[3:]] for row in POLICIES]
    policies = write_csv(tmp_path / "policies2.csv", POLICY_HEADERS, dearer)
    imported = book("import", str(policies), "--date", "2026-11-24")
    row = next(line.split() for line in imported.stdout.splitlines() if "policies2" in line)
    assert row[-4:] == ["0", "1", "2", "0"], imported.stdout  # inserted, updated, unchanged, …
    assert ("grace", "P2") not in items(book, "2026-11-25", "C3")
    later = run_json(book, "upcoming", "--date", "2027-09-01", "--days", "60")
    assert ("P2", "2027-10-01") in {(e["policy_no"], e["event_date"]) for e in later}


def test_a_new_export_that_says_paid_clears_grace(book, tmp_path):
    paid = [row if row[0] != "P2" else [*row[:6], "2027-10-01", "in_force"] for row in POLICIES]
    policies = write_csv(tmp_path / "policies2.csv", POLICY_HEADERS, paid)
    assert book("import", str(policies), "--date", "2026-11-20").exit_code == 0
    assert ("grace", "P2") not in items(book, "2026-11-24", "C3")


def test_csv_listings(book):
    upcoming = book("upcoming", "--date", "2026-11-24", "-f", "csv")
    assert (
        upcoming.stdout.splitlines()[0]
        == "client_id,name,kind,event_date,policy_no,days_left,detail"
    )
    listed = book("today", "--date", "2026-11-24", "-f", "csv")
    assert listed.stdout.splitlines()[0] == (
        "client_id,name,tier,segment,score,kind,event_date,policy_no,days_left,detail,attempts"
    )


def test_unpaid_premiums_follow_the_last_file_that_wrote_a_policy(book, tmp_path):
    """Files with every schedule column are worked out from the rows in hand; a file without
    them (here: no status, term or due date) makes vipctl read the policy back."""
    moved = [[*POLICIES[0][:4], "2020-12-15", *POLICIES[0][5:]]]
    whole = write_csv(tmp_path / "whole.csv", POLICY_HEADERS, moved)
    part = write_csv(
        tmp_path / "part.csv",
        ["policy_no", "client_id", "frequency", "effective_date"],
        [["P1", "C1", "annual", "2020-12-20"]],
    )
    for path, due in ((whole, "2026-12-15"), (part, "2026-12-20"), (whole, "2026-12-15")):
        assert book("import", str(path), "--date", "2026-11-20").exit_code == 0
        found = run_json(book, "upcoming", "--date", "2026-11-24", "--kind", "renewal_due")
        assert {e["event_date"] for e in found if e["policy_no"] == "P1"} == {due}


def test_a_table_shows_the_first_50_and_scripts_get_every_client(cli):
    """The sample book has over 50 clients with something due on the day."""
    files = [str(DATA / "clients.csv"), str(DATA / "policies.csv")]
    assert cli("import", *files, "--date", "2026-11-01").exit_code == 0
    every = today(cli, "2026-11-24")
    assert len(every) > 50
    table = cli("today", "--date", "2026-11-24")
    assert table.exit_code == 0, table.output
    assert f"the first 50 of {len(every)} clients" in table.stdout
    assert every[49]["client_id"] in table.stdout and every[50]["client_id"] not in table.stdout
    longer = cli("today", "--date", "2026-11-24", "--limit", "60").stdout
    assert f"the first 60 of {len(every)} clients" in longer
    rows = cli("today", "--date", "2026-11-24", "-f", "csv").stdout.splitlines()[1:]
    assert len({row.split(",")[0] for row in rows}) == len(every)


def test_upcoming_orders_a_day_by_client_then_kind_then_policy(cli):
    files = [str(DATA / "clients.csv"), str(DATA / "policies.csv")]
    assert cli("import", *files, "--date", "2026-11-01").exit_code == 0
    found = run_json(cli, "upcoming", "--date", "2026-11-24", "--days", "365")
    keys = [(e["event_date"], e["client_id"], e["kind"], e["policy_no"] or "") for e in found]
    assert keys == sorted(keys)
    # Ties the order has to settle: clients sharing a date, kinds a client, policies a kind.
    assert len({k[:2] for k in keys}) > len({k[0] for k in keys})
    assert len({k[:3] for k in keys}) > len({k[:2] for k in keys})
    assert len(set(keys)) > len({k[:3] for k in keys})


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["C1", "C2", "C3"]),
            st.sampled_from(["service_request", "renewal_due", "birthday"]),
            st.sampled_from([None, "", "P1", "P2"]),
        ),
        max_size=12,
    )
)
def test_a_days_events_are_ordered_as_upcoming_order_says(keys):
    """``upcoming``'s day sorted by a key made in C, a missing policy before any number (a
    service request with and without one, for one client on one day) as the function says."""
    day = [
        Event(kind, client, dt.date(2026, 11, 24), policy, 0, str(n))
        for n, (client, kind, policy) in enumerate(keys)
    ]
    assert lists._in_order(day) == sorted(day, key=lists.upcoming_order)


def test_upcoming_as_a_table_shows_the_first_50_events_and_scripts_get_every_one(cli):
    files = [str(DATA / "clients.csv"), str(DATA / "policies.csv")]
    assert cli("import", *files, "--date", "2026-11-01").exit_code == 0
    base = ["upcoming", "--date", "2026-11-24", "--days", "60"]
    every = run_json(cli, *base)
    assert len(every) > 60
    table = cli(*base)
    assert table.exit_code == 0, table.output
    assert f"the first 50 of {len(every):,} events from 2026-11-24 to 2027-01-23" in table.stdout
    lines = [line for line in table.stdout.splitlines() if line[:10].count("-") == 2]
    assert len(lines) == 50  # one line per event, each opening with its date
    assert lines[-1].startswith(every[49]["event_date"])
    longer = cli(*base, "--limit", "60").stdout
    assert f"the first 60 of {len(every):,} events" in longer
    assert run_json(cli, *base, "--limit", "3") == every[:3]
    rows = cli(*base, "-f", "csv").stdout.splitlines()[1:]
    assert len(rows) == len(every)
    assert cli(*base, "-f", "csv", "--limit", "3").stdout.count("\n") == 4  # header + 3
