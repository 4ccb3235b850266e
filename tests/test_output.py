import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest

from helpers import DATA, ID_F_19850305, write_csv
from vipctl.book import queries
from vipctl.views import render

ANSI = re.compile(r"\x1b\[")
BOX = re.compile(r"[─│╭╮╰╯━┃┏┓┗┛]")


@pytest.fixture
def loaded(cli, clients_csv, policies_csv):
    # Exported on Feb 1 2024: premiums due before then were paid.
    assert cli("import", str(clients_csv), str(policies_csv), "--date", "2024-02-01").exit_code == 0
    return cli


def test_clients_table_is_plain_when_not_a_terminal(loaded):
    result = loaded("clients")
    assert result.exit_code == 0
    assert "3 clients" in result.stdout
    assert "138****5678" in result.stdout and "13812345678" not in result.stdout
    assert not ANSI.search(result.stdout) and not BOX.search(result.stdout)


LISTED = [*queries.CLIENT_FIELDS, "tier", "tier_incomplete", "segment", "policies"]


def test_clients_json_uses_canonical_names_and_masks(loaded):
    data = json.loads(loaded("clients", "--format", "json").stdout)
    assert [c["client_id"] for c in data] == ["C1", "C2", "C3"]
    assert list(data[0]) == [
        *queries.CLIENT_FIELDS,
        "tier",
        "tier_incomplete",
        "segment",
        "policies",
    ]
    assert (data[0]["tier"], data[0]["tier_incomplete"]) == (None, True)  # 5 unknown: no tier
    assert data[0]["birthday"] == "1985-03-05"
    assert data[0]["phone"] == "138****5678"
    assert data[0]["id_number"] == "110105********1248"
    assert data[2]["phone"] is None
    shown = json.loads(loaded("clients", "--format", "json", "--show-pii").stdout)
    assert shown[0]["phone"] == "13812345678" and shown[0]["id_number"] == ID_F_19850305


def test_clients_csv(loaded):
    out = loaded("clients", "-f", "csv").stdout
    got = list(csv.DictReader(io.StringIO(out)))
    assert list(got[0]) == [
        *queries.CLIENT_FIELDS,
        "tier",
        "tier_incomplete",
        "segment",
        "policies",
    ]
    assert [r["client_id"] for r in got] == ["C1", "C2", "C3"]
    assert got[0]["phone"] == "138****5678"


def test_clients_filters(cli, tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        ["client_id", "name", "agent", "company", "phone"],
        [
            ["C1", "张三", "李明", "华信实业", "13812345678"],
            ["C2", "李四", "王芳", "Acme 100%_Corp", "13900001111"],
            ["C3", "王五", "李明", "东方建设", ""],
        ],
    )
    assert cli("import", str(path)).exit_code == 0

    def ids(*args):
        return [c["client_id"] for c in json.loads(cli("clients", "-f", "json", *args).stdout)]

    assert ids("--agent", "李明") == ["C1", "C3"]
    assert ids("--search", "华信") == ["C1"]
    assert ids("--search", "acme") == ["C2"]  # case-insensitive
    assert ids("--search", "100%_") == ["C2"]  # % and _ are text, not wildcards
    assert ids("--search", "0%") == ["C2"]
    assert ids("--search", "1390000") == ["C2"]
    assert ids("--agent", "李明", "--search", "王") == ["C3"]
    assert ids("--search", "nobody") == []


def test_clients_as_a_table_shows_the_first_50_and_scripts_get_every_one(cli, tmp_path):
    ids = [f"C{n:03}" for n in range(1, 62)]
    path = write_csv(tmp_path / "c.csv", ["client_id", "name"], [[i, "张三"] for i in ids])
    assert cli("import", str(path)).exit_code == 0
    table = cli("clients")
    assert table.exit_code == 0, table.output
    assert "the first 50 of 61 clients" in table.stdout
    listed = [line.split()[0] for line in table.stdout.splitlines() if line[:2] == "C0"]
    assert listed == ids[:50]
    assert "the first 60 of 61 clients" in cli("clients", "--limit", "60").stdout
    assert "61 clients" in cli("clients", "--limit", "61").stdout.splitlines()[0]
    every = json.loads(cli("clients", "-f", "json").stdout)
    assert [c["client_id"] for c in every] == ids
    assert [
        c["client_id"] for c in json.loads(cli("clients", "-f", "json", "--limit", "3").stdout)
    ] == ids[:3]
    assert cli("clients", "-f", "csv", "--limit", "2").stdout.count("\n") == 3  # header + 2
    assert cli("clients", "--limit", "0").exit_code == 2


def test_show_card(loaded):
    result = loaded("show", "C1")
    assert result.exit_code == 0
    out = result.stdout
    for text in ("C1  张三", "Contact", "138****5678", "110105********1248", "Policies (2)"):
        assert text in out
    assert "康宁终身重大疾病保险" in out and "2024-02-29" in out
    assert not ANSI.search(out)


def test_show_csv_lists_policies(loaded):
    out = loaded("show", "C1", "-f", "csv").stdout
    got = list(csv.DictReader(io.StringIO(out)))
    assert [p["policy_no"] for p in got] == ["P1", "P2"]
    assert got[0]["premium"] == "12000.00" and got[0]["category"] == "critical_illness"


def test_show_unknown_client(loaded):
    result = loaded("show", "C404")
    assert result.exit_code == 1
    assert result.stderr == "vipctl: no client 'C404'\n"


def test_data_is_never_read_as_markup(cli, tmp_path):
    path = write_csv(
        tmp_path / "c.csv", ["client_id", "name", "notes"], [["C1", "[bold]张三[/]", "[red]x"]]
    )
    assert cli("import", str(path)).exit_code == 0
    assert "[bold]张三[/]" in cli("clients").stdout
    assert "[red]x" in cli("show", "C1").stdout


def test_bad_option_values_are_usage_errors(loaded):
    assert loaded("clients", "--format", "xml").exit_code == 2
    assert loaded("today", "--date", "24/11/2026").exit_code == 2


def test_sample_card_reads_well(cli):
    cli("import", str(DATA / "clients.csv"), str(DATA / "policies.csv"))
    out = cli("show", "C000002").stdout
    assert "Talking points" in out and "Interests" in out


def test_json_is_written_as_the_standard_library_would_write_it():
    """orjson writes the JSON for speed; what scripts get is what json.dumps(indent=2) gives."""
    data = [
        {
            "client_id": "C1",
            "name": '张伟 "引号" \\ / \t\n',
            "date": dt.date(2026, 2, 28),
            "at": dt.datetime(2026, 11, 24, 7, 30, 5, 120000, tzinfo=dt.UTC),
            "naive": dt.datetime(2026, 11, 24, 7, 30),
            "premium": Decimal("12000.00"),
            "share": Decimal("12.5"),
            "score": 48.35,
            "tiny": 0.001,
            "none": None,
            "yes": True,
            "empty": [],
            "nothing": {},
            "nested": {"a": [1, 2, {"b": None}], None: "null key", 3: "int key"},
        },
        [],
        "text",
        -7,
    ]
    expected = json.dumps(data, ensure_ascii=False, indent=2, default=render.json_value) + "\n"
    assert render.to_json(data) == expected


@pytest.mark.parametrize("size", [0, 1, 999, 1000, 1001, 2500])
def test_json_streamed_in_chunks_is_the_whole_document(size, capsysbinary):
    data = [
        {"i": i, "name": "张伟", "day": dt.date(2026, 1, 1), "list": [i, None]} for i in range(size)
    ]
    render.write_json(data)
    assert capsysbinary.readouterr().out.decode() == render.to_json(data)
    render.write_json({"a": data[:3]})
    assert capsysbinary.readouterr().out.decode() == render.to_json({"a": data[:3]})
