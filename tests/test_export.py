"""vipctl export: the whole book out, unmasked, safe to open in a spreadsheet, and back in."""

from __future__ import annotations

import csv
import io
import json
import stat

import books
from helpers import Cli, write_csv

NASTY = ["=cmd|' /C calc'!A0", "+SUM(A1:A9)", "-2+3", "@SUM(1)", '=HYPERLINK("x")']


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_round_trip_through_a_fresh_database(book, tmp_path):
    out = {}
    for what in ("clients", "policies"):
        target = tmp_path / f"{what}-out.csv"
        result = book("export", what, "-o", str(target))
        assert result.exit_code == 0, result.output
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        assert target.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
        out[what] = target
    other = Cli(tmp_path / "other.db")
    imported = other("import", str(out["clients"]), str(out["policies"]), "--date", books.IMPORTED)
    assert imported.exit_code == 0, imported.output
    assert "not in the data contract" not in imported.stderr  # every column is the contract's
    for what in ("clients", "policies"):
        assert other("export", what).stdout == book("export", what).stdout
    # Every client and policy, not masked: an export is the data itself.
    clients = _cells(out["clients"].read_text(encoding="utf-8-sig"))
    assert len(clients) == len(books.CLIENTS) + 1
    assert "*" not in "".join(row[clients[0].index("phone")] for row in clients[1:])


def test_formula_cells_are_neutralised_and_read_back_as_they_were(cli, tmp_path):
    rows = [[f"C{i}", name, "F", "1980-01-01", "", "13812345678"] for i, name in enumerate(NASTY)]
    source = write_csv(
        tmp_path / "clients.csv",
        ["client_id", "name", "gender", "birthday", "id_number", "phone"],
        rows,
    )
    assert cli("import", str(source), "--date", "2026-11-01").exit_code == 0
    logged = cli("log", "C0", "--channel", "visit", "--note", "=1+1", "--date", "2026-11-02")
    assert logged.exit_code == 0, logged.output
    exported = cli("export", "clients")
    assert exported.exit_code == 0, exported.output
    names = {row[0]: row[1] for row in _cells(exported.stdout)[1:]}
    assert names == {f"C{i}": "'" + name for i, name in enumerate(NASTY)}
    notes = _cells(cli("export", "contacts").stdout)
    assert notes[1][notes[0].index("note")] == "'=1+1"
    # JSON is for programs, not spreadsheets: values exactly as stored.
    as_json = json.loads(cli("export", "clients", "-f", "json").stdout)
    assert [c["name"] for c in as_json] == NASTY
    # vipctl's own export imports back to the same names.
    target = tmp_path / "out.csv"
    assert cli("export", "clients", "-o", str(target)).exit_code == 0
    other = Cli(tmp_path / "other.db")
    assert other("import", str(target)).exit_code == 0
    names_back = [c["name"] for c in json.loads(other("export", "clients", "-f", "json").stdout)]
    assert names_back == NASTY


def test_contacts_and_payments_are_exported(book):
    logged = book(
        "--as", "王芳", "log", "C1", "--channel", "phone", "--note", "回访", "--date", "2026-11-03"
    )
    assert logged.exit_code == 0, logged.output
    policy_no = books.POLICIES[0][0]
    assert book("paid", policy_no, "--date", "2026-11-03").exit_code == 0
    contacts = json.loads(book("export", "contacts", "-f", "json").stdout)
    assert [
        (c["client_id"], c["date"], c["channel"], c["note"], c["by_agent"]) for c in contacts
    ] == [("C1", "2026-11-03", "phone", "回访", "王芳")]
    payments = _cells(book("export", "payments").stdout)
    assert payments[0] == ["policy_no", "due_date", "paid_on", "recorded_at"]
    assert [row[:1] + row[2:3] for row in payments[1:]] == [[policy_no, "2026-11-03"]]


def test_export_of_an_unknown_thing_is_a_usage_error(book):
    result = book("export", "agents")
    assert result.exit_code == 2
    assert "'agents' is not one of 'clients', 'policies', 'contacts', 'payments'" in " ".join(
        result.output.replace("│", " ").split()
    )
