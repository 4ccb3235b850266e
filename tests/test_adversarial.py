"""Hostile files: whatever bytes arrive, import gives an answer, never a traceback, and the
database is unchanged (exit 1) or holds what the file's good rows say (exit 0)."""

from __future__ import annotations

import csv
import io
import shutil
import stat
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import books
from helpers import Cli, count, dump, new_schema, write_csv

NASTY = Path(__file__).parent / "data" / "nasty"
DAY = "--date", books.IMPORTED

# The checked-in corpus: the nastiest cases, each with what import must answer.
CORPUS = {
    "empty.csv": (1, "the file is empty"),
    "headers-only.csv": (0, "a header and no rows"),
    "nul-bytes.csv": (1, "name: a NUL character"),
    "unterminated-quote.csv": (1, "never closed"),
    "stray-quote.csv": (0, ""),
    "formulas.csv": (0, ""),
    "rtl-emoji.csv": (0, ""),
    "10000-columns.csv": (1, "10,000 columns in the header; an export has at most 1,000"),
    "duplicate-keys.csv": (1, "N1 appears twice"),
    "huge-field.csv": (0, ""),
    "truncated-gbk.csv": (1, "expected 5 fields"),
    "binary.csv": (1, "cannot tell the text encoding"),
    "utf16.csv": (0, ""),
}

FORMULAS = ["=cmd|' /C calc'!A0", "+SUM(A1:A9)", "-1", "@x", "=1+1"]
ODD_TEXT = [
    "\u202eمحمد\u202c",
    "😀👨‍👩‍👧",
    "שלום",
    "",
    " ",
    '"',
    "a,b",
    "x\ny",
    "\x00",
    "长" * 5000,
]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The small book, imported once; every case starts from a copy."""
    home = tmp_path_factory.mktemp("template")
    cli = Cli(home / "vipctl.db")
    clients = write_csv(home / "c.csv", books.HEADERS, books.CLIENTS)
    policies = write_csv(home / "p.csv", books.POLICY_HEADERS, books.POLICIES)
    assert cli("import", str(clients), str(policies), *DAY).exit_code == 0
    return cli.db


def copy_of(template: Path, home: Path) -> Path:
    db = home / "vipctl.db"
    shutil.copy(template, db)
    return db


def attempt(db: Path | str, home: Path, data: bytes, *options: str):
    """Import ``data`` into ``db``, a fresh database holding the small book; check the promises
    every outcome keeps."""
    before = dump(db)
    counted = {table: count(db, table) for table in ("client", "policy")}
    source = home / "input.csv"
    source.write_bytes(data)
    cli = Cli(db)
    result = cli("import", str(source), *DAY, *options)
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        assert dump(db) == before
        return result
    if "--skip-invalid" in options:
        exactly_the_good_rows(result.stdout, counted, db, home)
    checked = cli("check")
    assert checked.exit_code == 0, checked.output
    after = dump(db)
    again = cli("import", str(source), *DAY, *options)  # re-importing changes nothing
    assert again.exit_code == 0, again.output
    assert dump(db) == after
    for rejects in home.glob("*.rejects.csv"):
        assert stat.S_IMODE(rejects.stat().st_mode) == 0o600
    return result


def exactly_the_good_rows(
    summary: str, counted: dict[str, int], db: Path | str, home: Path
) -> None:
    """Every row is counted once: written (new, changed or the same) or in the rejects file;
    and the database grew by exactly the rows counted as new."""
    line = next(x for x in summary.splitlines() if x.startswith(str(home / "input.csv")))
    kind, encoding, *numbers = line.split()[1:]
    rows, inserted, updated, unchanged, rejected = map(int, numbers)
    assert rows == inserted + updated + unchanged + rejected
    table = {"clients": "client", "policies": "policy"}[kind]
    assert count(db, table) == counted[table] + inserted
    rejects = list(home.glob("*.rejects.csv"))
    if rejected:
        text = rejects[0].read_text(encoding=encoding)
        for delimiter in ",;\t":
            found = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
            if found and found[0][-1] == "error":
                break
        assert found[0][-1] == "error"
        assert len(found) - 1 == rejected
    else:
        assert not rejects


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_the_corpus(engine, template, tmp_path, request, name):
    code, said = CORPUS[name]
    if engine == "sqlite":
        db: Path | str = copy_of(template, tmp_path)
    else:  # a schema of its own on the test cluster, holding the same book
        db = new_schema(request.getfixturevalue("pg_cluster"))
        clients = write_csv(tmp_path / "c.csv", books.HEADERS, books.CLIENTS)
        policies = write_csv(tmp_path / "p.csv", books.POLICY_HEADERS, books.POLICIES)
        assert Cli(db)("import", str(clients), str(policies), *DAY).exit_code == 0
    result = attempt(db, tmp_path, (NASTY / name).read_bytes())
    assert result.exit_code == code, result.output
    assert said in result.output


def test_the_corpus_is_all_here():
    assert sorted(p.name for p in NASTY.glob("*.csv")) == sorted(CORPUS)


def _cell() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(FORMULAS + ODD_TEXT), st.text(max_size=12))


@st.composite
def hostile_files(draw) -> bytes:
    """A valid clients or policies file, then broken in the ways real files are broken."""
    if draw(st.booleans()):
        headers, rows = list(books.HEADERS), [list(r) for r in books.CLIENTS]
        rows += [[f"H{i}", "新客户", "1990-02-03", "solar", "13600000000", "王芳", "active",
                  *books.HEALTHY] for i in range(draw(st.integers(0, 3)))]  # fmt: skip
    else:
        headers, rows = list(books.POLICY_HEADERS), [list(r) for r in books.POLICIES]
    for _ in range(draw(st.integers(0, 4))):
        row = draw(st.integers(0, len(rows) - 1)) if rows else None
        how = draw(st.sampled_from(["cell", "duplicate", "drop", "extra-column", "short-row"]))
        if row is None:
            break
        if how == "cell":
            col = draw(st.integers(0, len(headers) - 1))
            if col < len(rows[row]):  # a short row has fewer cells than headers
                rows[row][col] = draw(_cell())
        elif how == "duplicate":
            rows.append(list(rows[row]))
        elif how == "drop":
            rows.pop(row)
        elif how == "extra-column":
            headers.append(draw(st.sampled_from(["extra", "备注", "client_id", ""])))
            for r in rows:
                r.append(draw(_cell()))
        else:
            rows[row] = rows[row][: draw(st.integers(0, len(headers) - 1))]
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=draw(st.sampled_from([",", ";", "\t"])))
    writer.writerow(headers)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
    data = buf.getvalue().encode(encoding, errors="replace")
    damage = draw(st.sampled_from(["none", "truncate", "insert", "splice"]))
    if damage == "truncate" and data:
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif damage == "insert":
        at = draw(st.integers(0, len(data)))
        data = (
            data[:at]
            + draw(st.sampled_from([b'"', b"\x00", b"\r", b"\xff\xfe", b"\n,,\n"]))
            + data[at:]
        )
    elif damage == "splice":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=40)) + data[at:]
    return data


# derandomize: CI sees the same 100 files every run, so main cannot turn red by luck; run with
# --hypothesis-seed=N (and without derandomize) to explore further, and add what breaks to CORPUS.
@settings(
    max_examples=100,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=hostile_files(), skip_invalid=st.booleans())
def test_any_hostile_file(template, data, skip_invalid):
    with tempfile.TemporaryDirectory() as home:
        options = ("--skip-invalid",) if skip_invalid else ()
        result = attempt(copy_of(template, Path(home)), Path(home), data, *options)
        event(f"exit {result.exit_code}{' --skip-invalid' if skip_invalid else ''}")
        if skip_invalid and result.exit_code == 0:
            rejects = list(Path(home).glob("*.rejects.csv"))
            assert bool(rejects) == ("rejected row(s)" in result.stdout)
