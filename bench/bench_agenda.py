"""Agenda speed on the bench data: `vipctl today` and `vipctl upcoming --days 365`.

    python bench/bench_agenda.py --clients 100000

Generates N clients and 2N policies with data/make_sample.py (exported on 2026-11-01), imports
them, then times whole processes three weeks later: the ranked list of every client with
something due (as JSON), its top 50 as a table, and a year of upcoming events (as CSV). Output
goes to /dev/null, so the figures are computing and formatting, not a terminal's scrolling.
Prints a Markdown table for the README.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from bench_import import VIPCTL, arguments, book, run  # same folder: on sys.path

EXPORTED, DAY = "2026-11-01", "2026-11-24"


def main() -> None:
    args = arguments(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        db = book(Path(tmp), args.clients, "--date", EXPORTED)
        base = [VIPCTL, "--db", db]
        cases = [
            ("`today -f json` (every client with something due)", ["today", "-f", "json"]),
            ("`today --limit 50` (table)", ["today", "--limit", "50"]),
            ("`upcoming --days 365 -f csv`", ["upcoming", "--days", "365", "-f", "csv"]),
        ]
        rows = []
        for label, command in cases:
            command = [*base, *command, "--date", DAY]
            times = [run(command) for _ in range(args.repeat)]
            out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            lines = out.count("\n")
            rows.append((label, min(times), lines))
    print(f"| {args.clients:,} clients on {DAY} | seconds | peak MB | lines of output |")
    print("|---|---:|---:|---:|")
    for label, best, lines in rows:
        print(f"| {label} | {best[0]:.2f} | {best[1]:.0f} | {lines:,} |")


if __name__ == "__main__":
    main()
