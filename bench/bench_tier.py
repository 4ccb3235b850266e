"""Tier and segment recompute speed on the bench data.

    python bench/bench_tier.py --clients 100000

Generates N clients and 2N policies with data/make_sample.py, imports them, then times three
whole `vipctl tier --recompute` processes: the first assessment of every client (the stored
assessments cleared), a recompute that changes nothing, and one after a config change that moves
clients between tiers. Prints a Markdown table for the README.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from bench_import import VIPCTL, arguments, book, run  # same folder: on sys.path


def main() -> None:
    args = arguments(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = book(work, args.clients)
        recompute = [VIPCTL, "--db", db, "tier", "--recompute"]
        first, same, moved = [], [], []
        for _ in range(args.repeat):
            with sqlite3.connect(db) as conn:
                conn.execute("DELETE FROM client_tier")
            first.append(run(recompute))
            same.append(run(recompute))
            (work / "config.toml").write_text("[tiers.healthy]\nmobility = 'high'\n")
            moved.append(run(recompute))
            (work / "config.toml").unlink()
            run(recompute)  # back to the defaults for the next round
    print(f"| {args.clients:,} clients, `vipctl tier --recompute` | seconds | peak MB |")
    print("|---|---:|---:|")
    for label, times in (
        ("first assessment of every client", first),
        ("nothing changed", same),
        ("after a config change (clients move, history written)", moved),
    ):
        best = min(times)
        print(f"| {label} | {best[0]:.2f} | {best[1]:.0f} |")


if __name__ == "__main__":
    main()
