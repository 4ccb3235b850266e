"""Working as a team (on either engine): who did what, each agent's own list and report, and the
lead's per-agent table. The shared small book: C1 and C3 are 王芳's clients, C2 李四's."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from helpers import DATA, count, rows, write_csv

DAY = "2026-11-24"


@pytest.fixture
def as_wang(own_config):
    own_config.write_text('[team]\nagent = "王芳"\n', encoding="utf-8")


def listed(cli, *args: str) -> list[str]:
    result = cli("today", "--date", DAY, "-f", "json", *args)
    assert result.exit_code == 0, result.output
    return [entry["client_id"] for entry in json.loads(result.stdout)]


def test_without_an_agent_set_everyone_sees_the_whole_book(book):
    assert sorted(listed(book)) == ["C1", "C2", "C3"]


def test_an_agent_sees_their_own_clients_unless_asked_for_more(book, as_wang):
    assert sorted(listed(book)) == ["C1", "C3"]
    assert sorted(listed(book, "--all")) == ["C1", "C2", "C3"]
    assert listed(book, "--agent", "李四") == ["C2"]
    as_li = book("--as", "李四", "today", "--date", DAY, "-f", "json")
    assert [e["client_id"] for e in json.loads(as_li.stdout)] == ["C2"]  # --as wins over config
    both = book("today", "--agent", "李四", "--all")
    assert both.exit_code == 2 and "--agent and --all: choose one" in both.stderr


def test_log_done_and_snooze_record_who_did_them(book, as_wang):
    assert book("log", "C1", "--channel", "phone", "--date", DAY).exit_code == 0
    assert book("--as", "李四", "log", "C2", "--channel", "visit", "--date", DAY).exit_code == 0
    assert book("done", "C3", "--date", DAY).exit_code == 0
    assert (
        book("--as", "陈静", "snooze", "C2", "--until", "2026-12-01", "--date", DAY).exit_code == 0
    )
    assert rows(book.db, "SELECT client_id, by_agent FROM contact ORDER BY 1") == [
        ("C1", "王芳"),
        ("C2", "李四"),
    ]
    assert set(rows(book.db, "SELECT by_agent FROM done_mark")) == {("王芳",)}
    assert rows(book.db, "SELECT client_id, by_agent FROM snooze") == [("C2", "陈静")]
    history = json.loads(book("history", "C2", "-f", "json").stdout)["contacts"]
    assert [h["by"] for h in history] == ["李四"]


def report(cli, *args: str) -> dict:
    result = cli("report", "--date", DAY, "-f", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_an_agent_s_report_covers_their_clients(book, as_wang):
    mine = report(book)
    assert mine["agent"] == "王芳"
    assert sorted(e["client_id"] for e in mine["todo"]["entries"]) == ["C1", "C3"]
    assert [g["policy_no"] for g in mine["grace"]] == ["P2"]  # C3's
    assert sum(mine["tiers"]["counts"].values()) == 2
    assert "team" not in mine
    text = book("report", "--date", DAY).stdout
    assert text.startswith("vipctl daily report for 王芳: Tuesday 2026-11-24")
    whole = report(book, "--all")
    assert whole["agent"] is None and len(whole["todo"]["entries"]) == 3
    assert sum(whole["tiers"]["counts"].values()) == 3


def test_each_agent_s_previous_report_is_their_own(book, as_wang):
    assert report(book, "--all")["previous_report"] is None
    assert book("report", "--date", "2026-11-23").exit_code == 0  # 王芳's
    assert report(book)["previous_report"] == "2026-11-23"
    assert report(book, "--all")["previous_report"] is None  # the whole book's: none yet


def test_the_lead_s_team_table(book, as_wang):
    assert book("done", "C3", "--kind", "contact_overdue", "--date", DAY).exit_code == 0
    team = report(book, "--team")
    assert team["agent"] is None and len(team["todo"]["entries"]) == 3
    assert team["team"] == [
        # C2: the departed agent's callback and the new policy's, both past their date.
        {"agent": "李四", "clients": 1, "items": 2, "overdue": 2, "done": 0, "up": 0, "down": 0},
        # C1: birthday and renewal ahead; C3: the grace item left after the overdue one's done.
        {"agent": "王芳", "clients": 2, "items": 3, "overdue": 0, "done": 1, "up": 0, "down": 0},
    ]
    text = book("report", "--team", "--date", DAY).stdout
    assert "\nTeam\n" in text and "王芳" in text
    mixed = book("report", "--team", "--agent", "王芳")
    assert mixed.exit_code == 2 and "choose one" in mixed.stderr


def test_the_team_table_counts_tier_movements_per_agent(book, own_config):
    # Low satisfaction counted healthy: C1 and C2 (high) each get one indicator off, A -> B;
    # C3 (low) has one fewer off, D -> C.
    own_config.write_text('[tiers.healthy]\nsatisfaction = "low"\n', encoding="utf-8")
    assert book("tier", "--recompute", "--date", DAY).exit_code == 0
    moves = {row["agent"]: (row["up"], row["down"]) for row in report(book, "--team")["team"]}
    assert moves == {"王芳": (1, 1), "李四": (0, 1)}


def test_a_team_at_work_at_once_loses_nothing(cli, tmp_path, own_config):
    """Two agents log contacts while a third imports and the report runs: real processes, all
    started together; each succeeds and every row is there."""
    imported = cli("import", *map(str, DATA.glob("*.csv")), "--date", "2026-11-01")
    assert imported.exit_code == 0, imported.output
    changed = write_csv(
        tmp_path / "more.csv", ["client_id", "name"], [[f"N{i:04d}", "新客户"] for i in range(300)]
    )
    env = {**os.environ, "VIPCTL_CONFIG": str(own_config)}
    base = [sys.executable, "-m", "vipctl", "--db", str(cli.db)]
    commands = [
        [*base, "import", str(changed), "--date", "2026-11-24"],
        *([*base, "log", f"C{n:06d}", "--channel", "visit", "--date", "2026-11-24"]
          for n in range(1, 11)),
        [*base, "report", "--date", "2026-11-24", "-f", "json"],
    ]  # fmt: skip
    running = [subprocess.Popen(c, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for c in commands]  # fmt: skip
    for proc in running:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, out + err
    assert count(cli.db, "client") == 500
    assert count(cli.db, "client_tier") == 500
    assert count(cli.db, "contact") == 10
    assert count(cli.db, "report_run") == 1


def test_upcoming_and_the_calendar_are_the_agent_s_own_too(book, as_wang):
    def clients_of(*args: str) -> set[str]:
        result = book("upcoming", "--date", DAY, "--days", "60", "-f", "json", *args)
        assert result.exit_code == 0, result.output
        return {e["client_id"] for e in json.loads(result.stdout)}

    assert clients_of() == {"C1", "C3"}
    assert clients_of("--all") >= {"C1", "C2", "C3"}
    assert clients_of("--agent", "李四") == {"C2"}
    calendar = book("calendar", "--date", DAY, "--days", "60").stdout
    assert "C1" in calendar and "C2" not in calendar
    assert "C2" in book("calendar", "--date", DAY, "--days", "60", "--all").stdout
