"""Output and files that cannot be turned against the user: every CSV spreadsheet-safe, no full
ID or phone number in a message, no escape sequence or markup from the data obeyed, mixed
encodings refused, only regular files written, a full disk or a closed pipe one line or none,
bounded input, a killed restore swept up, a read-only book readable, no password in clear."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import books
from helpers import Cli, write_csv
from vipctl import safety
from vipctl.store import database, sqlite

DAY = "2026-11-24"
HOSTILE = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3"]
FULL_ID = re.compile(r"(?<![0-9])(?:\d{17}[\dX]|\d{15})(?![0-9])")


def vipctl(db: Path, *args: str, **options) -> subprocess.CompletedProcess:
    options.setdefault("stdout", subprocess.PIPE)
    return subprocess.run(
        [sys.executable, "-m", "vipctl", "--db", str(db), *args],
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        **options,
    )


@pytest.fixture
def hostile(tmp_path) -> Cli:
    """A book whose names, products, agents and notes are spreadsheet formulas, terminal
    escapes and HTML."""
    cli = Cli(tmp_path / "vipctl.db")
    rows = [
        [f"C{i}", name, "1966-11-28", "solar", "13812345678", name, "left", *books.HEALTHY]
        for i, name in enumerate([*HOSTILE, "\x1b[31m红\x1b]0;pwned\x07", "<script>x</script>"])
    ]
    clients = write_csv(tmp_path / "c.csv", books.HEADERS, rows)
    policies = write_csv(
        tmp_path / "p.csv",
        [*books.POLICY_HEADERS, "product"],
        [
            [f"P{i}", f"C{i}", "1000", "monthly", "2020-11-24", "20", "", "in_force", name]
            for i, name in enumerate(HOSTILE)
        ],
    )
    assert cli("import", str(clients), str(policies), "--date", DAY).exit_code == 0
    assert (
        cli("log", "C0", "--channel", "phone", "--note", HOSTILE[1], "--date", DAY).exit_code == 0
    )
    return cli


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _runs_as_formula(cell: str) -> bool:
    """What a spreadsheet runs: a formula start, but a plain number is a number."""
    return cell.startswith(safety.FORMULA_STARTS) and not re.fullmatch(r"-\d+(\.\d+)?", cell)


@pytest.mark.parametrize(
    "command",
    [
        ["clients"],
        ["today", "--all", "--date", DAY],
        ["upcoming", "--all", "--date", DAY, "--days", "60"],
        ["show", "C0"],
        ["gaps"],
        ["history", "C0"],
        ["export", "clients"],
        ["export", "policies"],
        ["export", "contacts"],
    ],
)
def test_every_csv_listing_is_spreadsheet_safe(hostile, command):
    result = hostile(*command, "-f", "csv")
    assert result.exit_code == 0, result.output
    cells = _cells(result.stdout.lstrip("\ufeff"))
    assert not [cell for cell in cells if _runs_as_formula(cell)]
    marked = [cell for cell in cells if cell.startswith("'")]
    assert marked, "the hostile values are listed, marked"


def test_the_safe_writer_marks_only_what_a_spreadsheet_runs():
    out = io.StringIO()
    rows = [["C1", -5, "-5", 3.5, None]] * 1500 + [["=1+1", "a,=b", "x"]]
    safety.SafeWriter(out).writerows(rows)
    lines = out.getvalue().splitlines()
    assert lines[0] == "C1,-5,-5,3.5,"  # a number is a number
    assert lines[-1] == '\'=1+1,"a,=b",x'
    back = list(csv.reader(io.StringIO(out.getvalue())))
    assert [safety.unmark_formula(c) for c in back[-1]] == ["=1+1", "a,=b", "x"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("ending", ["\n", "\r\n"])
@pytest.mark.parametrize(
    "cell",
    ["=1+1", "+1", "@SUM(A1)", "-2+3", "-x", "\t=1", "\r=1", "\r\n=1", "=a,b", '="x"', "-"],
)
def test_no_formula_cell_gets_through_in_any_dialect(delimiter, ending, cell):
    out = io.StringIO(newline="")
    rows = [["C1", -5, "", "x"]] * 999 + [["C2", 7, cell, ""]]
    safety.SafeWriter(out, delimiter=delimiter, lineterminator=ending).writerows(rows)
    back = list(csv.reader(io.StringIO(out.getvalue(), newline=""), delimiter=delimiter))
    assert back[-1][2] == "'" + cell
    assert back[0] == ["C1", "-5", "", "x"]


def test_rejects_and_warnings_files_are_spreadsheet_safe(tmp_path):
    cli = Cli(tmp_path / "vipctl.db")
    clients = write_csv(
        tmp_path / "c.csv",
        ["client_id", "name", "birthday"],
        [["=1+1", "@x", "1890-01-01"], ["C2", "=2+2", "not a date"]],
    )
    result = cli("import", "--skip-invalid", str(clients), "--date", DAY)
    assert result.exit_code == 0, result.output
    for written in (tmp_path / "c.rejects.csv", tmp_path / "c.warnings.csv"):
        cells = _cells(written.read_text(encoding="utf-8"))
        assert not [cell for cell in cells if _runs_as_formula(cell)], written


# --- messages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "row"),
    [
        (["client_id", "name", "id_number", "birthday"],  # birthday and ID swapped
         ["C1", "张三", "1976-10-14", "11010519761014711X"]),
        (["client_id", "name", "email"], ["C1", "张三", "11010519761014711X"]),
        (["client_id", "name", "annual_income"], ["C1", "张三", "110105761014711"]),
        (["client_id", "name", "gender"], ["C1", "张三", "11010519761014711X"]),
        (["client_id", "name", "phone"], ["C1", "张三", "call 13812345678 now"]),
    ],
)  # fmt: skip
def test_no_full_id_or_phone_number_in_an_import_error(tmp_path, headers, row):
    cli = Cli(tmp_path / "vipctl.db")
    result = cli("import", str(write_csv(tmp_path / "c.csv", headers, [row])))
    assert result.exit_code == 1
    assert not FULL_ID.search(result.output), result.output
    assert "13812345678" not in result.output


def test_no_full_id_in_the_error_of_a_policy_s_unknown_client(tmp_path):
    cli = Cli(tmp_path / "vipctl.db")
    policies = write_csv(
        tmp_path / "p.csv",
        ["policy_no", "client_id", "effective_date"],
        [["P1", "11010519761014711X", "2020-01-01"]],
    )
    result = cli("import", str(policies))
    assert result.exit_code == 1 and "no client 110105********711X" in result.stderr
    assert not FULL_ID.search(result.output)


def test_the_scrubbed_message_keeps_dates_amounts_and_policy_numbers():
    said = safety.scrub("P20210000123 on 20240305: ¥1200000 (got '11010519761014711X')\nnext")
    assert said == "P20210000123 on 20240305: ¥1200000 (got '110105********711X')␤next"


# --- terminals and documents --------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["show", "C5"], ["clients"], ["today", "--all", "--date", DAY], ["review", "C5"],
     ["report", "--all", "--date", DAY], ["report", "--all", "--date", DAY, "-f", "markdown"],
     ["tier", "--explain", "C5"]],
)  # fmt: skip
def test_escape_sequences_in_the_data_never_reach_the_terminal(hostile, command):
    result = hostile(*command)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    if command[0] in ("show", "clients"):
        assert "␛[31m红␛]0;pwned␇" in result.output  # shown, not obeyed
    stored = json.loads(hostile("show", "C5", "-f", "json").stdout)["name"]
    assert stored == "\x1b[31m红\x1b]0;pwned\x07"  # kept as imported


def test_markup_in_the_data_is_text_on_a_terminal(tmp_path):
    cli = Cli(tmp_path / "vipctl.db")
    clients = write_csv(tmp_path / "c.csv", ["client_id", "name"], [["C1", "[bold]王[/bold] :x:"]])
    assert cli("import", str(clients)).exit_code == 0
    assert "[bold]王[/bold] :x:" in cli("tier", "--explain", "C1").stdout


def test_the_markdown_report_escapes_html(hostile):
    md = hostile("report", "--all", "--date", DAY, "-f", "markdown").stdout
    assert "<script>" not in md and "&lt;script&gt;x&lt;/script&gt;" in md
    brief = hostile("review", "C6", "-f", "markdown").stdout
    assert "<script>" not in brief


# --- the files vipctl reads ---------------------------------------------------------------


def test_a_file_of_two_encodings_is_refused_at_the_line_where_the_second_starts(tmp_path):
    cli = Cli(tmp_path / "vipctl.db")
    path = tmp_path / "mixed.csv"
    rows = "".join(f"C{i},李娜\n" for i in range(1, 500)).encode("gbk")
    path.write_bytes(b"client_id,name\n" + rows + "C999,张伟\n".encode())
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert f"{path}:501: this line is in another text encoding than line 2" in result.stderr
    assert not cli.db.exists() or "C1" not in cli("clients", "-f", "csv").stdout
    # The other way round, and small: UTF-8 first, one GBK row.
    small = tmp_path / "small.csv"
    small.write_bytes("client_id,name\nC1,张伟\n".encode() + "C2,李娜\n".encode("gbk"))
    said = cli("import", str(small)).stderr
    assert f"{small}:3: this line is in another text encoding than line 2" in said
    # --encoding forces one reading: the user has been told, and chose.
    assert cli("import", "--encoding", "gb18030", str(small)).exit_code == 0


def test_a_gbk_file_is_not_mistaken_for_a_mixed_one(tmp_path):
    cli = Cli(tmp_path / "vipctl.db")
    path = tmp_path / "gbk.csv"
    names = ["张伟", "李娜", "王强", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴婷"]
    text = "client_id,name,address\n" + "".join(
        f"C{i},{names[i % 10]}{names[(i * 7) % 10]},北京市朝阳区建国路{i}号\n" for i in range(3000)
    )
    path.write_bytes(text.encode("gbk"))
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output


def test_utf16_without_a_byte_order_mark_says_so(tmp_path):
    cli = Cli(tmp_path / "vipctl.db")
    path = tmp_path / "u16.csv"
    path.write_bytes("client_id,name\nC1,张伟\n".encode("utf-16le"))
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert "looks like UTF-16LE text without a byte-order mark; give --encoding utf-16le" in (
        result.stderr
    )
    assert cli("import", "--encoding", "utf-16le", str(path)).exit_code == 0


def _limited(megabytes: int):
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (megabytes << 20, megabytes << 20))

    return limit


@pytest.mark.sqlite_only
def test_an_oversize_line_or_header_is_refused_in_bounded_memory(tmp_path):
    """Under 300 MB of address space, where reading the 200 MB line whole failed."""
    line = tmp_path / "line.csv"
    with line.open("w") as out:
        out.write("client_id,name\nC1,")
        for _ in range(200):
            out.write("x" * (1 << 20))
        out.write("\n")
    result = vipctl(tmp_path / "a.db", "import", str(line), preexec_fn=_limited(300))
    assert result.returncode == 1, result.stderr
    assert f"{line}:2: a line longer than 1,048,576 characters" in result.stderr
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    line.unlink()
    head = tmp_path / "head.csv"
    head.write_text(",".join(f"c{i}" for i in range(1001)) + "\n")
    result = vipctl(tmp_path / "b.db", "import", str(head))
    assert result.returncode == 1
    assert "1,001 columns in the header; an export has at most 1,000" in result.stderr
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(20_000_000)) + "\n")
    result = vipctl(tmp_path / "c.db", "import", str(wide), preexec_fn=_limited(300))
    assert result.returncode == 1 and f"{wide}:1: a line longer than" in result.stderr


# --- the files vipctl writes --------------------------------------------------------------


@pytest.mark.sqlite_only
def test_o_and_backup_write_only_regular_files_and_new_paths(book, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    real = tmp_path / "real.txt"
    real.write_text("mine")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    missing = tmp_path / "nowhere" / "out.txt"
    for command in (["report", "--date", DAY, "-o"], ["calendar", "--date", DAY, "-o"],
                    ["export", "clients", "-o"], ["backup"]):  # fmt: skip
        said = {}
        for target in (fifo, link, missing, Path("/dev/null")):
            result = book(*command, str(target))
            assert result.exit_code == 1, (command, target, result.output)
            said[target] = result.stderr
        assert "is a named pipe, not a file" in said[fifo]
        assert f"is a symbolic link (to {real})" in said[link]
        assert f"there is no directory {missing.parent}" in said[missing]
        assert "is a character device, not a file" in said[Path("/dev/null")]
    assert real.read_text() == "mine" and link.is_symlink() and fifo.exists()
    assert not missing.parent.exists()
    replaced = tmp_path / "report.txt"
    replaced.write_text("old")
    assert book("report", "--date", DAY, "-o", str(replaced)).exit_code == 0
    assert replaced.read_text().startswith("vipctl daily report")


def _no_bigger_than(size: int):
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past it fails, not the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


@pytest.mark.sqlite_only
def test_a_full_disk_is_one_line(tmp_path):
    db = tmp_path / "vipctl.db"
    data = Path(__file__).resolve().parent.parent / "data"
    imported = vipctl(db, "import", str(data / "clients.csv"), str(data / "policies.csv"))
    assert imported.returncode == 0
    # A file that may grow to 1 MB (the database's own files stay under it), and outputs above.
    for fmt in ("csv", "json"):
        with (tmp_path / "out").open("w") as out:
            result = vipctl(db, "upcoming", "--all", "--days", "3660", "-f", fmt, stdout=out,
                            preexec_fn=_no_bigger_than(1 << 20))  # fmt: skip
        assert result.returncode == 1, result.stderr
        assert result.stderr.splitlines() == ["vipctl: cannot write the output: File too large"]
    result = vipctl(db, "backup", str(tmp_path / "b.db"), preexec_fn=_no_bigger_than(300_000))
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1 and "cannot write the backup" in result.stderr
    assert not list(tmp_path.glob(".b.db.*"))  # the half-written copy is gone
    for command in (["clients", "-f", "csv"], ["today", "--all"], ["export", "clients"]):
        with open("/dev/full", "w") as full:
            result = vipctl(db, *command, stdout=full)
        assert result.returncode == 1, command
        said = result.stderr.splitlines()
        assert said == ["vipctl: cannot write the output: No space left on device"], command


@pytest.mark.sqlite_only
def test_a_closed_pipe_ends_the_listing_quietly(tmp_path):
    db = tmp_path / "vipctl.db"
    data = Path(__file__).resolve().parent.parent / "data"
    assert (
        vipctl(db, "import", str(data / "clients.csv"), str(data / "policies.csv")).returncode == 0
    )
    for command in (["clients", "-f", "csv"], ["upcoming", "--all", "--days", "3660", "-f", "csv"]):
        proc = subprocess.Popen(
            [sys.executable, "-m", "vipctl", "--db", str(db), *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None
        proc.stdout.readline()  # as `| head -1` does
        proc.stdout.close()
        err = proc.stderr.read().decode() if proc.stderr else ""
        assert proc.wait(timeout=60) == 0, err
        assert err == ""


# --- the database ------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_a_killed_restore_s_copies_are_swept_up(cli, clients_csv):
    assert cli("import", str(clients_csv)).exit_code == 0
    db = cli.db
    dead = 2**22 + 12345  # above any pid this machine gives
    assert not database._running(dead)
    left = [db.with_name(f".{db.name}.restore.{dead}.tmp{end}") for end in ("", "-wal", "-shm")]
    alive = db.with_name(f".{db.name}.restore.{os.getpid()}.tmp")
    for path in [*left, alive]:
        path.write_bytes(b"a copy of the book")
    assert cli("clients").exit_code == 0
    assert not any(path.exists() for path in left)
    assert alive.exists()  # a restore at work stays


def test_restoring_a_foreign_sqlite_file_names_that_file(clients_csv, tmp_path):
    cli = Cli(tmp_path / "vipctl.db")  # restore is SQLite's; a server has pg_restore
    assert cli("import", str(clients_csv)).exit_code == 0
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    result = cli("restore", str(foreign))
    assert result.exit_code == 1
    assert f"vipctl: {foreign} is not a vipctl database" in result.stderr
    assert ".restore." not in result.stderr


def _read_only_copy(db: Path, where: Path) -> Path:
    """``db`` copied into a directory nobody may write: a read-only mount for root (who may
    write anywhere else), a directory of mode 0555 for anyone else."""
    where.mkdir()
    if os.geteuid() != 0:
        shutil.copy(db, where / db.name)
        where.chmod(0o555)
        return where / db.name
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=20m", "none", str(where)])
    if mounted.returncode != 0:
        pytest.skip("running as root where no read-only mount can be made")
    shutil.copy(db, where / db.name)
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)
    return where / db.name


@pytest.mark.sqlite_only
def test_a_book_in_a_read_only_directory_can_be_read(book, tmp_path):
    assert book("log", "C1", "--channel", "phone", "--date", DAY).exit_code == 0
    shutil.copy(book.db, tmp_path / "copy.db")  # a checkpointed copy: WAL written into the file
    with sqlite3.connect(tmp_path / "copy.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    source = tmp_path / "copy.db"
    db = _read_only_copy(source, tmp_path / "ro")
    try:
        assert sqlite.read_only(db) is not None
        reader = Cli(db)
        for command in (["today", "--all", "--date", DAY], ["clients"], ["show", "C1"],
                        ["tier"], ["history", "C1"], ["check"], ["review", "C1"],
                        ["report", "--date", DAY, "-f", "json"]):  # fmt: skip
            result = reader(*command)
            assert result.exit_code == 0, (command, result.output)
        said = reader("report", "--date", DAY, "-f", "json").stderr
        assert "the report is not recorded" in said
        for command in (["log", "C1", "--channel", "phone", "--date", DAY],
                        ["paid", "P1", "--date", DAY], ["tier", "--recompute"]):  # fmt: skip
            result = reader(*command)
            assert result.exit_code == 1
            assert f"{db} cannot be written here" in result.stderr
            assert "read-only" in result.stderr and "Traceback" not in result.output
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", str(tmp_path / "ro")])
        else:
            (tmp_path / "ro").chmod(0o755)


# --- mail ----------------------------------------------------------------------------------


def test_no_password_in_clear_unless_the_config_allows_it_for_that_host(book, own_config):
    from test_mail import free_port

    own_config.write_text(
        f'[mail]\nhost = "127.0.0.1"\nport = {free_port()}\nstarttls = false\n'
        'user = "me@example.com"\n'
    )
    env = {"VIPCTL_SMTP_PASSWORD": "s3cret"}
    refused = book("report", "--date", DAY, "--mail-to", "lead@example.com", env=env)
    assert refused.exit_code == 1
    assert "not sending the SMTP password of me@example.com to 127.0.0.1 in clear" in (
        refused.stderr
    )
    own_config.write_text(own_config.read_text() + "allow_plaintext_auth = true\n")
    allowed = book("report", "--date", DAY, "--mail-to", "lead@example.com", env=env)
    assert "warning: the SMTP password of me@example.com goes to 127.0.0.1 without TLS" in (
        allowed.stderr
    )
    assert "cannot mail the report through 127.0.0.1" in allowed.stderr  # nobody listens
    elsewhere = book(
        "report", "--date", DAY, "--mail-to", "lead@example.com", "--smtp", "mail.example.com",
        env=env,
    )  # fmt: skip
    assert "not sending the SMTP password of me@example.com to mail.example.com" in (
        elsewhere.stderr
    )
