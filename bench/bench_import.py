"""Import speed and memory against the floor of sqlite3's own CSV .import.

    python bench/bench_import.py --clients 100000

Generates N clients and 2N policies with data/make_sample.py, imports them with the vipctl
console script into a fresh database (whole process, full validation), then times the sqlite3
shell's `.import` of the same files into plain tables. Prints a Markdown table for the README.

Two more references tell how much of the ratio is writing at all: rows read back from the
imported database and inserted into empty copies of vipctl's tables (their keys, constraints
and indexes, vipctl's pragmas) by the sqlite3 module's executemany, in batches as an import
writes them, the indexes built after the rows, and committed. First the client and policy rows
alone; then every row the import keeps: those, each policy's unpaid premium, each client's tier,
the departed agents, and the agenda's occasions. No CSV, no checks, nothing worked out: what an
import spends beyond the second is reading, checking and working out.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def generate(work: Path, clients: int) -> None:
    """The bench book, made by data/make_sample.py in a process of its own: a child started
    from a bench holding the book in memory would count the bench's pages in its own peak."""
    script = str(ROOT / "data" / "make_sample.py")
    subprocess.run(
        [sys.executable, script, "--clients", str(clients), "--out", str(work)], check=True
    )


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def arguments(doc: str) -> argparse.Namespace:
    """The options every bench script takes. Also compiles vipctl's modules first, as installing
    a package does: with PYTHONDONTWRITEBYTECODE set, every process would compile them again."""
    import vipctl

    subprocess.run([sys.executable, "-m", "compileall", "-q", *vipctl.__path__], check=True)
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    return parser.parse_args()


VIPCTL = str(Path(sys.executable).parent / "vipctl")  # the one installed beside this Python


def book(work: Path, clients: int, *import_options: str) -> str:
    """Generate the bench book in ``work`` and import it into a fresh database; its path."""
    generate(work, clients)
    db = str(work / "bench.db")
    os.environ["VIPCTL_CONFIG"] = str(work / "config.toml")  # the defaults, not the user's
    files = [str(work / "clients.csv"), str(work / "policies.csv")]
    run([VIPCTL, "--db", db, "import", *files, *import_options])
    return db


# What a fresh import keeps: the rows, then what it works out from them (the unpaid premiums,
# the tiers, the departed agents, the agenda's occasions), in the order it writes them.
ROWS = ("client", "policy")
KEPT = (*ROWS, "premium_due", "client_tier", "agent_departure", "occasion")


def write_floor(imported: Path, work: Path, names: tuple[str, ...]) -> float:
    """Seconds to insert and commit ``imported``'s rows of the tables ``names`` into a fresh
    file, and to build their indexes after them, as an import does."""
    import sqlite3

    from vipctl.store import sqlite as vipctl_sqlite

    source = sqlite3.connect(imported)
    tables = {}
    for name in names:
        [ddl] = source.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()
        indexes = source.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",  # an index of its own, not a key's
            (name,),
        ).fetchall()
        read = source.execute(f"SELECT * FROM {name}")
        insert = f"INSERT INTO {name} VALUES ({', '.join('?' * len(read.description))})"
        tables[name] = (ddl, [sql for (sql,) in indexes], insert, read.fetchall())
    source.close()
    path = work / "write_floor.db"
    for stale in work.glob("write_floor.db*"):
        stale.unlink()
    vipctl_sqlite.create_private_file(path)
    engine = vipctl_sqlite.engine(path, "unused")
    conn = engine.raw_connection()
    for ddl, _, _, _ in tables.values():
        conn.execute(ddl)
    gc.disable()  # as in a vipctl process
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for _, indexes, insert, rows in tables.values():  # a table with no rows too (a small book)
        for i in range(0, len(rows), 5_000):
            conn.executemany(insert, rows[i : i + 5_000])
        for index in indexes:
            conn.execute(index)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    gc.enable()
    conn.close()
    engine.dispose()
    return elapsed


def main() -> None:
    args = arguments(__doc__)
    vipctl = shutil.which("vipctl") or VIPCTL
    sqlite3 = shutil.which("sqlite3")
    if sqlite3 is None:
        sys.exit("the sqlite3 shell is needed for the floor: apt-get install sqlite3")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        generate(work, args.clients)
        files = [str(work / "clients.csv"), str(work / "policies.csv")]
        ours, floor = [], []
        for i in range(args.repeat):
            db = work / f"vipctl{i}.db"
            ours.append(run([vipctl, "--db", str(db), "import", *files]))
            plain = work / f"floor{i}.db"
            floor.append(
                run(
                    [
                        sqlite3,
                        str(plain),
                        ".mode csv",
                        f".import {files[0]} clients",
                        f".import {files[1]} policies",
                    ]
                )
            )
        again = run([vipctl, "--db", str(work / "vipctl0.db"), "import", *files])
        imported = work / "vipctl0.db"
        rows = min(write_floor(imported, work, ROWS) for _ in range(args.repeat))
        kept = min(write_floor(imported, work, KEPT) for _ in range(args.repeat))
    best, base = min(ours), min(floor)
    print(f"| {args.clients:,} clients + {2 * args.clients:,} policies | seconds | peak MB |")
    print("|---|---:|---:|")
    print(f"| sqlite3 `.import` (floor) | {base[0]:.2f} | {base[1]:.0f} |")
    print(f"| `vipctl import`, fresh database | {best[0]:.2f} | {best[1]:.0f} |")
    print(f"| `vipctl import` again, nothing changed | {again[0]:.2f} | {again[1]:.0f} |")
    print(f"| ratio to the floor | {best[0] / base[0]:.1f}× | |")
    print(
        f"| inserting the same rows into vipctl's tables, alone (in-process) | {rows:.2f} "
        f"({rows / base[0]:.1f}×) | |"
    )
    print(
        f"| inserting every row the import keeps, with its indexes, alone (in-process) | "
        f"{kept:.2f} ({kept / base[0]:.1f}×) | |"
    )


if __name__ == "__main__":
    main()
