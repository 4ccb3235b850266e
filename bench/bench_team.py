"""A team's book on both engines: import and one agent's `vipctl today`, SQLite and PostgreSQL.

    python bench/bench_team.py --clients 1000000

Generates N clients and 2N policies with data/make_sample.py (beyond 100,000 clients, one agent
per 1,000 of them, as in a team), imports them with the vipctl console script into a fresh SQLite
file and into a fresh database of a throwaway PostgreSQL cluster (tests/pgserver.py: the
server's own initdb and pg_ctl, durability off as in the tests), then times one agent's morning
list, as the day's first look and again (reading the list the first one kept). Whole processes;
prints a Markdown table for the README.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from bench_import import ROOT, VIPCTL, arguments, generate, run

sys.path.insert(0, str(ROOT / "tests"))
import pgserver

DAY, EXPORTED = "2026-11-24", "2026-11-01"
AGENT = "业务员0042"


def main() -> None:
    args = arguments(__doc__)
    cluster = pgserver.Cluster()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            os.environ["VIPCTL_CONFIG"] = str(work / "config.toml")  # the defaults
            generate(work, args.clients)
            files = [str(work / "clients.csv"), str(work / "policies.csv")]
            from sqlalchemy import create_engine

            admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql("CREATE DATABASE bench")
            admin.dispose()
            targets = {"SQLite": str(work / "bench.db"), "PostgreSQL": cluster.url("bench")}
            print(f"| {args.clients:,} clients + {2 * args.clients:,} policies | "
                  "seconds | peak MB | again: seconds | peak MB |")  # fmt: skip
            print("|---|---:|---:|---:|---:|")
            for engine, db in targets.items():
                took = run([VIPCTL, "--db", db, "import", *files, "--date", EXPORTED])
                print(f"| {engine}: `vipctl import`, fresh database | {took[0]:.1f} | "
                      f"{took[1]:.0f} | | |")  # fmt: skip
                today = [VIPCTL, "--db", db, "today", "--agent", AGENT, "--date", DAY]
                for label, extra in (("(table)", []), ("-f json", ["-f", "json"])):
                    first, again = [], []
                    for _ in range(args.repeat):
                        forget(db)  # the day's first look: no list kept yet
                        first.append(run([*today, *extra]))
                        again.append(run([*today, *extra]))  # reads the list it kept
                    a, b = min(first), min(again)
                    print(f"| {engine}: `today --agent {AGENT} {label}` | {a[0]:.2f} | "
                          f"{a[1]:.0f} | {b[0]:.2f} | {b[1]:.0f} |")  # fmt: skip
    finally:
        cluster.stop()


def forget(db: str) -> None:
    """No day's list kept in ``db``: the next ``today`` works it out."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db if "://" in db else f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM agenda_entry"))
        conn.execute(text("DELETE FROM agenda_snapshot"))
    engine.dispose()


if __name__ == "__main__":
    main()
