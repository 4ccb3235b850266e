"""Killed mid-write, or three at once: the database is always a whole state, never half of one.

Real processes, because a SIGKILL or a second process's lock cannot be faked in-process.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import DATA, count, dump

BIG = 20_000  # clients; twice as many policies: an import that takes a second or two


def _generator():
    spec = importlib.util.spec_from_file_location("make_sample", DATA / "make_sample.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("big")
    _generator().generate(out, BIG)
    return out


def start(db: Path, *args: str, config: Path) -> subprocess.Popen:
    env = {**os.environ, "VIPCTL_CONFIG": str(config)}
    return subprocess.Popen(
        [sys.executable, "-m", "vipctl", "--db", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


def opens_cleanly(db: Path, config: Path) -> None:
    code, out, err = finish(start(db, "check", config=config))
    assert code == 0, out + err
    assert "Traceback" not in err


def kill_after(proc: subprocess.Popen, seconds: float) -> bool:
    """SIGKILL ``proc`` after ``seconds``; whether it was still running when killed."""
    time.sleep(seconds)
    running = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    return running


def timed(proc: subprocess.Popen) -> float:
    began = time.monotonic()
    code, out, err = finish(proc)
    assert code == 0, out + err
    return time.monotonic() - began


def test_an_import_killed_part_way_leaves_the_database_as_it_was(big, tmp_path, own_config):
    base = tmp_path / "base.db"
    code, out, err = finish(start(base, "import", *map(str, DATA.glob("*.csv")), config=own_config))
    assert code == 0, out + err
    before = dump(base)
    files = [str(big / "clients.csv"), str(big / "policies.csv")]
    whole = tmp_path / "whole.db"
    shutil.copy(base, whole)
    took = timed(start(whole, "import", *files, "--date", "2026-11-01", config=own_config))
    assert count(whole, "policy") > 2 * BIG  # the sample's and the big book's policies

    for share in (0.3, 0.6):  # while reading and checking, and while writing
        db = tmp_path / f"killed-{share}.db"
        shutil.copy(base, db)
        proc = start(db, "import", *files, "--date", "2026-11-01", config=own_config)
        assert kill_after(proc, took * share), "the import ended before it could be killed"
        assert dump(db) == before
        opens_cleanly(db, own_config)
        # And the next import, after the crash, goes through whole.
        code, out, err = finish(
            start(db, "import", *files, "--date", "2026-11-01", config=own_config)
        )
        assert code == 0, out + err
        assert count(db, "policy") == count(whole, "policy")


def test_a_recompute_killed_part_way_changes_no_tier(big, tmp_path, own_config):
    db = tmp_path / "book.db"
    files = [str(big / "clients.csv"), str(big / "policies.csv")]
    code, out, err = finish(start(db, "import", *files, "--date", "2026-11-01", config=own_config))
    assert code == 0, out + err
    before = dump(db)
    # Stricter rules move many clients: the recompute rewrites tiers and writes their history.
    own_config.write_text("[tiers.most_off]\nA = 0\nB = 0\nC = 1\n", encoding="utf-8")
    whole = tmp_path / "whole.db"
    shutil.copy(db, whole)
    took = timed(start(whole, "tier", "--recompute", "--date", "2026-11-24", config=own_config))
    assert count(whole, "tier_history") > count(db, "tier_history") + 1000

    # Before its commit: after it, the run still reads and prints the tiers for a while, so a
    # kill late in the run finds the recompute done (and the process still running).
    proc = start(db, "tier", "--recompute", "--date", "2026-11-24", config=own_config)
    assert kill_after(proc, took * 0.45), "the recompute ended before it could be killed"
    assert dump(db) == before
    opens_cleanly(db, own_config)


def test_two_imports_and_a_report_at_once(big, tmp_path, own_config):
    """Each waits its turn on the busy timeout: all finish, and the book holds both files."""
    db = tmp_path / "shared.db"
    code, out, err = finish(start(db, "import", *map(str, DATA.glob("*.csv")), config=own_config))
    assert code == 0, out + err
    files = [str(big / "clients.csv"), str(big / "policies.csv")]
    sample = list(map(str, DATA.glob("*.csv")))
    serial = []  # the same imports one after the other, in either order
    for order in ((files, sample), (sample, files)):
        path = tmp_path / f"serial-{len(serial)}.db"
        shutil.copy(db, path)
        for step in order:
            code, out, err = finish(start(path, "import", *step, config=own_config))
            assert code == 0, out + err
        serial.append(path)
    running = [
        start(db, "import", *files, config=own_config),
        start(db, "import", *sample, config=own_config),  # overlapping: the first 200 clients
        start(db, "report", "--date", "2026-11-24", "-f", "json", config=own_config),
    ]
    results = [finish(proc) for proc in running]
    for code, out, err in results:
        assert code == 0, out + err
        assert "Traceback" not in err
    tables = ("client", "policy", "premium_due", "client_tier", "agent_departure")
    counts = [[count(path, table) for table in tables] for path in (db, *serial)]
    assert counts[0] in counts[1:]
    assert count(db, "client_tier") == count(db, "client")  # every client assessed
    assert count(db, "report_run") == 1
    opens_cleanly(db, own_config)
