"""Agenda speed on the bench data: `vipctl today`, `upcoming`, the report and the tables.

    python bench/bench_agenda.py --clients 100000

Generates N clients and 2N policies with data/make_sample.py (exported on 2026-11-01), imports
them, then times whole processes three weeks later: the ranked list of every client with
something due (as JSON), the table of its 50 most urgent, the table of the first 50 upcoming
events of 30 days and all of them (as JSON), a year of upcoming events (as CSV) and the
calendar of 90 days, each as the day's first look (from the database as imported, which wrote
the agenda's occasions) and again; the year of events against the sqlite3 shell writing as many
rows of the book as CSV; then the cron report followed by a look at the list. Output goes to
/dev/null, so the figures are computing and formatting, not a terminal's scrolling. Prints a
Markdown table for docs/performance.md.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from bench_import import VIPCTL, arguments, book, run  # same folder: on sys.path

EXPORTED, DAY = "2026-11-01", "2026-11-24"


def main() -> None:
    args = arguments(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        imported = book(Path(tmp), args.clients, "--date", EXPORTED)
        db = str(Path(tmp) / "looked.db")
        base = [VIPCTL, "--db", db]
        day = ["--date", DAY]
        cases = [
            ("`today -f json` (every client with something due)", ["today", "-f", "json", *day]),
            ("`today` (the table of the 50 most urgent)", ["today", *day]),
            ("`upcoming` (the table of the first 50 of 30 days)", ["upcoming", *day]),
            ("`upcoming -f json` (every event of 30 days)", ["upcoming", "-f", "json", *day]),
            ("`upcoming --days 365 -f csv`", ["upcoming", "--days", "365", "-f", "csv", *day]),
            ("`calendar` (every client's 90 days)", ["calendar", *day]),
            ("`report` (text: each table's first 50)", ["report", *day]),
            ("`gaps` (the table of the first 50)", ["gaps"]),
            ("`clients` (the table of the first 50)", ["clients"]),
        ]
        rows = []
        for label, command in cases:
            command = [*base, *command]
            first, again = [], []
            for _ in range(args.repeat):
                fresh(imported, db)  # as imported: no list kept for the day yet
                first.append(run(command))
                again.append(run(command))  # the day's list is kept now (today only)
            rows.append((label, min(first), min(again), _lines(command, Path(tmp) / "out")))
        year = next(lines for label, *_, lines in rows if "365" in label)
        floor = min(run(["sqlite3", "-csv", db, _csv_rows(year)]) for _ in range(args.repeat))
        fresh(imported, db)
        out = str(Path(tmp) / "report.html")
        report = [*base, "report", "--date", DAY, "--limit", "50", "-f", "html", "-o", out]
        morning = run(report)
        after = run([*base, "today", "--date", DAY])
    print(
        f"| {args.clients:,} clients on {DAY} | first look: seconds | peak MB "
        "| again: seconds | peak MB | lines of output |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for label, best, second, lines in rows:
        print(
            f"| {label} | {best[0]:.2f} | {best[1]:.0f} | {second[0]:.2f} | {second[1]:.0f} "
            f"| {lines:,} |"
        )
    print(
        f"\nThe sqlite3 shell writing {year:,} rows of the book as CSV (`-csv`, a client's and a "
        f"policy's columns): {floor[0]:.2f} s, {floor[1]:.0f} MB"
    )
    print(
        f"\n`report --limit 50 -f html` (cron): {morning[0]:.2f} s, {morning[1]:.0f} MB; "
        f"then `today`: {after[0]:.2f} s, {after[1]:.0f} MB"
    )


def _lines(command: list[str], scratch: Path) -> int:
    """Lines the command prints, counted from a file: output held here would count in the
    peaks of the children started after it (Linux carries a parent's peak across exec)."""
    with scratch.open("wb") as out:
        subprocess.run(command, stdout=out, check=True)
    with scratch.open("rb") as written:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: written.read(1 << 20), b""))


def _csv_rows(n: int) -> str:
    """A query of ``n`` rows as wide as upcoming's (a client, a policy, dates, an amount): each
    policy with its client, five times over."""
    return (
        "SELECT c.client_id, c.name, p.policy_no, p.product, p.effective_date, p.premium, "
        "p.frequency FROM policy p JOIN client c ON c.client_id = p.client_id, "
        "(SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5) "
        f"LIMIT {n}"
    )


def fresh(source: str, target: str) -> None:
    """``target`` as a copy of the database ``source``, with nothing beside it."""
    for suffix in ("", "-wal", "-shm"):
        Path(target + suffix).unlink(missing_ok=True)
    shutil.copy(source, target)


if __name__ == "__main__":
    main()
