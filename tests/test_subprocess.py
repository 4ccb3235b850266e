"""vipctl as a real process: the console script's module entry, exit codes, and terminals."""

import gc
import json
import os
import pty
import subprocess
import sys

from helpers import DATA, drain
from vipctl import cli

ANSI = "\x1b["


def vipctl(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "vipctl", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def on_terminal(*args: str, env: dict) -> str:
    """Run with stdout on a pseudo-terminal, as a person at a shell would."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "vipctl", *args],
        stdout=follower,
        stderr=follower,
        env={**{k: v for k, v in os.environ.items() if k != "NO_COLOR"}, "COLUMNS": "200", **env},
    )
    os.close(follower)
    said = drain(leader)
    proc.wait(timeout=60)
    os.close(leader)
    return said.decode()


def test_import_and_list_as_a_real_process(tmp_path):
    db = str(tmp_path / "v.db")
    done = vipctl("--db", db, "import", str(DATA / "clients.csv"), str(DATA / "policies.csv"))
    assert done.returncode == 0, done.stderr
    assert ANSI not in done.stdout
    listed = vipctl("clients", "--format", "json", env={"VIPCTL_DB": db})
    assert listed.returncode == 0
    assert len(json.loads(listed.stdout)) == 200
    missing = vipctl("--db", db, "show", "NOPE")
    assert missing.returncode == 1
    assert missing.stderr.strip() == "vipctl: no client 'NOPE'"
    assert "Traceback" not in missing.stderr
    usage = vipctl("--db", db, "clients", "--format", "yaml")
    assert usage.returncode == 2


def test_the_morning_list_as_a_real_process(tmp_path):
    """The sample data was exported on 2026-11-01; three weeks on, there is work to do."""
    db = str(tmp_path / "v.db")
    files = [str(DATA / "clients.csv"), str(DATA / "policies.csv")]
    assert vipctl("--db", db, "import", *files, "--date", "2026-11-01").returncode == 0
    shown = vipctl("--db", db, "today", "--date", "2026-11-24", "--limit", "10")
    assert shown.returncode == 0, shown.stderr
    assert ANSI not in shown.stdout and "To do on Tue 2026-11-24: the first 10 of " in shown.stdout
    listed = vipctl("--db", db, "today", "--date", "2026-11-24", "-f", "json")
    entries = json.loads(listed.stdout)
    assert len(entries) > 10
    assert {i["kind"] for e in entries for i in e["items"]} >= {
        "renewal_due", "grace", "birthday", "callback_new_policy", "callback_departed_agent",
        "contact_overdue",
    }  # fmt: skip


def test_terminal_gets_colour_and_boxes_unless_no_color(tmp_path):
    db = str(tmp_path / "v.db")
    assert vipctl("--db", db, "import", str(DATA / "clients.csv")).returncode == 0
    coloured = on_terminal("--db", db, "clients", "--agent", "李明", env={"TERM": "xterm"})
    assert ANSI in coloured and "─" in coloured
    plain = on_terminal("--db", db, "clients", "--agent", "李明", env={"NO_COLOR": "1"})
    assert ANSI not in plain and "─" not in plain
    assert "C000001" in plain


def test_large_files_show_progress_on_a_terminal_only(tmp_path):
    from test_sample import load_generator

    load_generator().generate(tmp_path, 6_000)  # 12,000 policies: over the 10,000-row mark
    files = [str(tmp_path / "clients.csv"), str(tmp_path / "policies.csv")]
    shown = on_terminal("--db", str(tmp_path / "a.db"), "import", *files, env={"TERM": "xterm"})
    assert "policies.csv" in shown and "━" in shown  # the bar, named after the file
    assert "clients.csv ━" not in shown  # 6,000 rows: no bar
    piped = vipctl("--db", str(tmp_path / "b.db"), "import", *files)
    assert piped.returncode == 0 and "━" not in piped.stdout + piped.stderr


def test_the_process_runs_and_ends_without_the_cycle_collector(monkeypatch):
    """A command's rows and events make no cycles; collecting them anyway cost a third of the
    morning list's time on a large book, and Python's last collection as the process ends a
    tenth of a second of a table's (docs/performance.md): everything alive is frozen then."""
    monkeypatch.setattr(sys, "argv", ["vipctl", "--version"])
    try:
        gc.enable()
        gc.unfreeze()
        try:
            cli.main()
        except SystemExit as done:
            assert done.code in (0, None)
        assert not gc.isenabled()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.enable()


def test_ctrl_c_during_an_import_writes_nothing_and_exits_130(tmp_path):
    """Ctrl-C reaches the whole foreground process group, the reading process included."""
    import signal
    import sqlite3

    from test_sample import load_generator

    load_generator().generate(tmp_path, 20_000)
    db = tmp_path / "v.db"
    files = [str(tmp_path / "clients.csv"), str(tmp_path / "policies.csv")]
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "vipctl", "--db", str(db), "import", *files],
        stdout=follower,
        stderr=follower,
        env={**os.environ, "TERM": "xterm"},
        start_new_session=True,
    )
    os.close(follower)
    seen = b""
    while b"\xe2\x94\x81" not in seen:  # the progress bar: the rows are being written
        seen += os.read(leader, 65536)
    os.killpg(proc.pid, signal.SIGINT)
    seen += drain(leader)
    assert proc.wait(timeout=60) == 130
    said = seen.decode(errors="replace")
    assert "import interrupted: nothing was written" in said and "Traceback" not in said
    with sqlite3.connect(db) as conn:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        assert (
            "client" not in tables or conn.execute("SELECT count(*) FROM client").fetchone()[0] == 0
        )
