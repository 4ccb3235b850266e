import csv
import datetime as dt
import json
import sqlite3
import stat
from pathlib import Path

import pytest

from helpers import (
    CLIENT_HEADERS,
    DATA,
    ID_F_19850305,
    ID_M_19800131,
    POLICY_HEADERS,
    execute,
    no_clients,
    rows,
    tables,
    write_csv,
)


def snapshot(db: Path) -> list[tuple]:
    return rows(db, "SELECT * FROM client ORDER BY 1") + rows(db, "SELECT * FROM policy ORDER BY 1")


def test_sample_data_imports_and_reimport_changes_nothing(cli):
    first = cli("import", str(DATA / "clients.csv"), str(DATA / "policies.csv"))
    assert first.exit_code == 0, first.output
    assert rows(cli.db, "SELECT count(*) FROM client") == [(200,)]
    assert rows(cli.db, "SELECT count(*) FROM policy") == [(400,)]
    before = snapshot(cli.db)
    again = cli("import", str(DATA / "clients.csv"), str(DATA / "policies.csv"))
    assert again.exit_code == 0
    assert "Nothing changed" in again.output
    assert snapshot(cli.db) == before  # updated_at untouched too


def _without_timestamps(db: Path | str) -> dict[str, list[dict]]:
    return {
        table: [{k: v for k, v in row.items() if not k.endswith("_at")} for row in found]
        for table, found in tables(db).items()
    }


def test_reading_in_this_process_where_fork_is_missing_stores_the_same(cli, tmp_path, monkeypatch):
    files = [str(DATA / "clients.csv"), str(DATA / "policies.csv")]
    assert cli("import", *files).exit_code == 0
    monkeypatch.setattr("multiprocessing.get_all_start_methods", lambda: ["spawn"])
    inline = tmp_path / "inline.db"
    result = cli("--db", str(inline), "import", *files)
    assert result.exit_code == 0, result.output
    assert _without_timestamps(inline) == _without_timestamps(cli.db)


def test_values_are_stored_canonically(cli, clients_csv, policies_csv):
    assert cli("import", str(clients_csv), str(policies_csv)).exit_code == 0
    c1, c2, c3 = rows(
        cli.db, "SELECT client_id, gender, birthday, id_number FROM client ORDER BY 1"
    )
    assert c1 == ("C1", "F", "1985-03-05", ID_F_19850305)
    assert c2 == ("C2", "M", "1980-01-31", ID_M_19800131)  # derived from the ID number
    assert c3 == ("C3", "M", "1970-01-02", None)
    p = rows(
        cli.db,
        "SELECT policy_no, category, premium, frequency, effective_date, status"
        " FROM policy ORDER BY 1",
    )
    assert p == [
        ("P1", "critical_illness", 12000, "annual", "2024-01-31", "in_force"),
        ("P2", "medical", 1200, "monthly", "2024-01-31", "in_force"),
        ("P3", "annuity", 50000, "single", "2020-06-01", "terminated"),
    ]


@pytest.mark.sqlite_only
def test_database_is_owner_only(cli, clients_csv):
    assert cli("import", str(clients_csv)).exit_code == 0
    assert stat.S_IMODE(cli.db.stat().st_mode) == 0o600
    for sidecar in cli.db.parent.glob(cli.db.name + "-*"):
        assert stat.S_IMODE(sidecar.stat().st_mode) == 0o600


def test_changed_row_updates_only_that_record(cli, clients_csv, tmp_path):
    assert cli("import", str(clients_csv)).exit_code == 0
    stamps = dict(rows(cli.db, "SELECT client_id, updated_at FROM client"))
    changed = write_csv(
        tmp_path / "changed.csv",
        CLIENT_HEADERS,
        [
            ["C1", "张三", "女", "1985-03-05", ID_F_19850305, "13812345678"],
            ["C2", "李四", "", "", ID_M_19800131, "13700002222"],  # new phone
        ],
    )
    result = cli("import", str(changed))
    assert result.exit_code == 0, result.output
    assert "Nothing changed" not in result.output
    assert rows(cli.db, "SELECT phone FROM client WHERE client_id='C2'") == [("13700002222",)]
    after = dict(rows(cli.db, "SELECT client_id, updated_at FROM client"))
    assert after["C1"] == stamps["C1"] and after["C3"] == stamps["C3"]
    summary = cli("import", str(changed), "--date", "2026-11-24")
    assert "Nothing changed" in summary.output


def test_columns_missing_from_a_file_keep_their_stored_values(cli, clients_csv, tmp_path):
    assert cli("import", str(clients_csv)).exit_code == 0
    partial = write_csv(
        tmp_path / "agents.csv", ["客户号", "姓名", "业务员"], [["C1", "张三", "李明"]]
    )
    assert cli("import", str(partial)).exit_code == 0
    assert rows(cli.db, "SELECT phone, agent FROM client WHERE client_id='C1'") == [
        ("13812345678", "李明")
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_encodings(cli, tmp_path, encoding):
    path = write_csv(
        tmp_path / "c.csv",
        ["客户号", "客户姓名", "地址", "备注"],
        [
            ["C1", "欧阳娜", "北京市朝阳区建国路88号", "喜欢茶道，每周打高尔夫"],
            ["C2", "李明", "", ""],
        ],
        encoding=encoding,
    )
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert rows(cli.db, "SELECT name, address, notes FROM client ORDER BY client_id")[0] == (
        "欧阳娜",
        "北京市朝阳区建国路88号",
        "喜欢茶道，每周打高尔夫",
    )


def test_gb18030_characters_beyond_gbk(cli, tmp_path):
    path = write_csv(tmp_path / "c.csv", ["客户号", "姓名"], [["C1", "王𠀀"]], encoding="gb18030")
    assert cli("import", str(path)).exit_code == 0
    assert rows(cli.db, "SELECT name FROM client") == [("王𠀀",)]


def test_explicit_encoding(cli, tmp_path):
    path = write_csv(tmp_path / "c.csv", ["client_id", "name"], [["C1", "陳大文"]], encoding="big5")
    result = cli("import", "--encoding", "big5", str(path))
    assert result.exit_code == 0, result.output
    assert rows(cli.db, "SELECT name FROM client") == [("陳大文",)]
    bad = cli("import", "--encoding", "no-such-codec", str(path))
    assert bad.exit_code == 1 and "unknown encoding" in bad.output


def test_a_byte_outside_the_encoding_is_named_at_its_line(cli, tmp_path):
    # Far past the first 8 KB the reader decodes ahead, and past the sample the detector sees.
    good = [[f"C{i}", "欧阳娜", "北京市朝阳区建国路88号" * 20] for i in range(1, 1001)]
    path = write_csv(tmp_path / "c.csv", ["客户号", "姓名", "地址"], good, encoding="gbk")
    data = path.read_bytes().split(b"\r\n")
    data[900] = data[900].replace("欧阳娜".encode("gbk"), b"\x81\x20\x81")  # not GBK/GB18030
    path.write_bytes(b"\r\n".join(data))
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert f"{path}:901: not valid gb18030 at byte" in result.output
    assert "Traceback" not in result.output
    assert no_clients(cli.db)


def test_a_wrong_explicit_encoding_is_a_clear_error(cli, tmp_path):
    path = write_csv(tmp_path / "c.csv", ["客户号", "姓名"], [["C1", "欧阳娜"]], encoding="gbk")
    result = cli("import", "--encoding", "utf-8", str(path))
    assert result.exit_code == 1
    assert f"{path}:1: not valid utf-8 at byte 0" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters_and_quoted_fields(cli, tmp_path, delimiter):
    path = write_csv(
        tmp_path / "c.csv",
        ["client_id", "name", "notes"],
        [["C1", "张三", "likes tea, golf;\nand\tcalligraphy"], ["C2", "李四", ""]],
        delimiter=delimiter,
    )
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert rows(cli.db, "SELECT notes FROM client WHERE client_id='C1'") == [
        ("likes tea, golf;\nand\tcalligraphy",)
    ]


def test_headers_ignore_case_spaces_and_underscores(cli, tmp_path):
    path = write_csv(
        tmp_path / "c.csv", ["Client ID", "NAME", "Birthday_Calendar"], [["C1", "张三", "农历"]]
    )
    assert cli("import", str(path)).exit_code == 0
    assert rows(cli.db, "SELECT birthday_calendar FROM client") == [("lunar",)]


def test_unknown_columns_are_listed_not_silently_dropped(cli, tmp_path):
    path = write_csv(
        tmp_path / "c.csv", ["客户号", "姓名", "微信号", "VIP等级"], [["C1", "张三", "zs", "3"]]
    )
    result = cli("import", str(path))
    assert result.exit_code == 0
    assert "not in the data contract, so not imported: 微信号, VIP等级" in result.stderr


@pytest.mark.parametrize("form", ["2024-03-05", "2024/3/5", "20240305", "2024年3月5日"])
def test_date_forms_through_import(cli, tmp_path, form):
    path = write_csv(
        tmp_path / "c.csv", ["client_id", "name", "wedding_anniversary"], [["C1", "张三", form]]
    )
    assert cli("import", str(path)).exit_code == 0
    assert rows(cli.db, "SELECT wedding_anniversary FROM client") == [("2024-03-05",)]


def test_every_bad_row_is_reported_and_nothing_is_written(cli, clients_csv, tmp_path):
    assert cli("import", str(clients_csv)).exit_code == 0
    before = snapshot(cli.db)
    bad = write_csv(
        tmp_path / "bad.csv",
        ["客户号", "姓名", "出生日期", "身份证号", "年收入", "性别"],
        [
            ["C9", "好人", "1990-01-01", "", "50万", "男"],  # fine, but must not land
            ["C10", "", "1990-13-01", "", "lots", "男"],
            ["C11", "张三", "1985-03-06", ID_F_19850305, "", "女"],
            ["C12", "李四", "", "110105198001310018", "", "unknown"],
            ["C13", "王五", "2099-01-01", "", "", ""],
        ],
    )
    result = cli("import", str(bad))
    assert result.exit_code == 1
    err = result.stderr
    assert f"{bad}:3: 姓名: required, but empty" in err
    assert f"{bad}:3: 出生日期: not a real calendar date" in err and "(got '1990-13-01')" in err
    assert f"{bad}:3: 年收入: expected an amount like 12000" in err and "(got 'lots')" in err
    assert f"{bad}:4: 出生日期: does not match the ID number, which says 1985-03-05" in err
    assert f"{bad}:5: 身份证号: check digit does not match" in err
    assert "(got '110105********0018')" in err  # ID numbers are masked even in errors
    assert f"{bad}:5: 性别: expected one of M (男), F (女) (got 'unknown')" in err
    assert f"{bad}:6:" not in err  # a birthday in the future is doubted, not refused
    assert "problems found: nothing was imported" in err
    assert "Traceback" not in result.output
    assert snapshot(cli.db) == before


def test_gender_clash_with_id_number(cli, tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        ["client_id", "name", "gender", "id_number"],
        [["C1", "张三", "男", ID_F_19850305]],
    )
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert (
        f"{path}:2: gender: does not match the ID number, which says F (got 'M')" in result.stderr
    )


def test_bad_line_numbers_count_physical_lines(cli, tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        ["client_id", "name", "notes", "owns_property"],
        [["C1", "张三", "line one\nline two\nline three", "yes"], ["C2", "李四", "", "perhaps"]],
    )
    result = cli("import", str(path))
    assert f"{path}:5: owns_property: expected yes or no" in result.stderr


def test_wrong_field_count(cli, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        'client_id,name,notes\nC1,张三\nC2,李四,"unclosed\nC3,王五,ok\n', encoding="utf-8"
    )
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert f"{path}:2: expected 3 fields as in the header, got 2" in result.stderr
    assert f"{path}:3: cannot read CSV here: a quoted field that starts in this" in result.stderr


def test_duplicate_keys_in_one_import(cli, tmp_path):
    path = write_csv(tmp_path / "c.csv", ["client_id", "name"], [["C1", "张三"], ["C1", "张三丰"]])
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert f"{path}:3: client_id: C1 appears twice; first at {path}:2" in result.stderr
    assert not rows(cli.db, "SELECT * FROM client")


def test_duplicate_keys_across_batches_and_files(cli, tmp_path, monkeypatch):
    monkeypatch.setattr("vipctl.ingest.importer.BATCH", 2)
    first = write_csv(
        tmp_path / "a.csv", ["client_id", "name"], [["C1", "甲"], ["C2", "乙"], ["C3", "丙"]]
    )
    second = write_csv(tmp_path / "b.csv", ["client_id", "name"], [["C4", "丁"], ["C2", "戊"]])
    result = cli("import", str(first), str(second), str(first))
    assert result.exit_code == 1
    assert f"{second}:3: client_id: C2 appears twice; first at {first}:3" in result.stderr
    for line, key in ((2, "C1"), (3, "C2"), (4, "C3")):  # the same file named twice
        assert f"{first}:{line}: client_id: {key} appears twice; first at {first}:{line}" in (
            result.stderr
        )
    assert f"{second}:2:" not in result.stderr
    assert not rows(cli.db, "SELECT * FROM client")


def test_policy_client_must_exist_in_db_or_same_import(cli, clients_csv, policies_csv, tmp_path):
    # Policies named first still see the clients of the same import.
    assert cli("import", str(policies_csv), str(clients_csv)).exit_code == 0
    orphan = write_csv(
        tmp_path / "orphan.csv",
        POLICY_HEADERS,
        [["P9", "C404", "x", "life", "100", "annual", "2024-01-01", "10", "有效"]],
    )
    result = cli("import", str(orphan))
    assert result.exit_code == 1
    assert (
        f"{orphan}:2: client_id: no client C404 in the database or in this import" in result.stderr
    )


def test_policy_of_a_rejected_client_points_at_the_client_row(cli, tmp_path):
    clients = write_csv(
        tmp_path / "c.csv", ["client_id", "name", "birthday"], [["C1", "张三", "soon"]]
    )
    policies = write_csv(
        tmp_path / "p.csv",
        ["policy_no", "client_id", "effective_date"],
        [["P1", "C1", "2024-01-01"]],
    )
    result = cli("import", str(clients), str(policies))
    assert result.exit_code == 1
    assert f"{policies}:2: client_id: client C1 was rejected at {clients}:2" in result.stderr


def test_next_due_before_effective_is_an_error(cli, clients_csv, tmp_path):
    policies = write_csv(
        tmp_path / "p.csv",
        ["policy_no", "client_id", "effective_date", "next_due_date"],
        [["P1", "C1", "2024-01-01", "2023-01-01"]],
    )
    result = cli("import", str(clients_csv), str(policies))
    assert result.exit_code == 1
    assert "next_due_date: before the effective date 2024-01-01" in result.stderr


def test_skip_invalid_writes_good_rows_and_a_rejects_file(cli, tmp_path):
    bad = write_csv(
        tmp_path / "clients.csv",
        ["客户号", "姓名", "出生日期"],
        [["C1", "张三", "1980-01-01"], ["C2", "李四", "someday"], ["C3", "王五", ""]],
        encoding="gbk",
    )
    result = cli("import", "--skip-invalid", str(bad))
    assert result.exit_code == 0, result.output
    assert rows(cli.db, "SELECT client_id FROM client ORDER BY 1") == [("C1",), ("C3",)]
    rejects = tmp_path / "clients.rejects.csv"
    assert f"written to {rejects}" in result.output
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600
    with rejects.open(encoding="gb18030", newline="") as f:
        got = list(csv.reader(f))
    assert got[0] == ["客户号", "姓名", "出生日期", "error"]
    assert got[1][:3] == ["C2", "李四", "someday"]
    assert got[1][3].startswith("出生日期: expected a date like")
    assert len(got) == 2


def test_file_level_problems(cli, tmp_path):
    missing = cli("import", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 1 and "cannot read" in missing.stderr
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "the file is empty" in cli("import", str(empty)).stderr
    no_key = write_csv(tmp_path / "p.csv", ["policy_no", "effective_date"], [["P1", "2024-01-01"]])
    result = cli("import", str(no_key))
    assert result.exit_code == 1
    assert f"{no_key}:1: missing the required column client_id (client_id/客户号)" in result.stderr
    unknown = write_csv(tmp_path / "u.csv", ["foo", "bar"], [["1", "2"]])
    assert "give --kind clients or --kind policies" in cli("import", str(unknown)).stderr
    twice = write_csv(
        tmp_path / "t.csv", ["客户号", "姓名", "电话", "手机"], [["C1", "a", "1", "2"]]
    )
    assert "columns '电话' and '手机' both mean phone" in cli("import", str(twice)).stderr
    assert no_clients(cli.db)


def test_kind_option_overrides_the_guess(cli, tmp_path):
    # Header-only guesses need policy_no for policies; --kind settles the ambiguous file.
    path = write_csv(tmp_path / "c.csv", ["客户号", "姓名"], [["C1", "张三"]])
    result = cli("import", "--kind", "policies", str(path))
    assert result.exit_code == 1
    assert "missing the required column policy_no" in result.stderr
    assert cli("import", "--kind", "clients", str(path)).exit_code == 0


def test_one_transaction_across_files(cli, clients_csv, tmp_path):
    bad_policies = write_csv(
        tmp_path / "p.csv",
        ["policy_no", "client_id", "effective_date"],
        [["P1", "C1", "not a date"]],
    )
    result = cli("import", str(clients_csv), str(bad_policies))
    assert result.exit_code == 1
    assert not rows(cli.db, "SELECT * FROM client")  # the good clients file did not land either


def test_birthday_derivation_uses_the_date_option(cli, tmp_path):
    path = write_csv(
        tmp_path / "c.csv", ["client_id", "name", "birthday"], [["C1", "婴儿", "2026-11-20"]]
    )
    early = cli("import", "--date", "2026-11-19", str(path))
    assert early.exit_code == 0  # kept, and warned of
    assert f"{path}:2: birthday: born 2026-11-20, after the export date 2026-11-19" in early.stderr
    again = cli("import", "--date", "2026-11-20", str(path))
    assert again.exit_code == 0 and "warning" not in again.stderr


def test_newer_schema_is_refused(cli, clients_csv):
    assert cli("import", str(clients_csv)).exit_code == 0
    execute(cli.db, "UPDATE vipctl_meta SET value='99' WHERE key='schema_version'")
    result = cli("clients")
    assert result.exit_code == 1
    assert "written by a newer vipctl (schema 99" in result.stderr


@pytest.mark.sqlite_only
def test_foreign_files_are_refused(cli, tmp_path):
    cli.db.write_text("client_id,name\n")
    result = cli("clients")
    assert result.exit_code == 1 and "cannot open as a vipctl database" in result.stderr
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    result = cli.runner.invoke(cli_app(), ["--db", str(other), "clients"])
    assert result.exit_code == 1 and "is not a vipctl database" in result.stderr


@pytest.mark.sqlite_only
def test_reading_commands_do_not_create_a_database(cli):
    result = cli("clients")
    assert result.exit_code == 1
    assert "no database at" in result.stderr and not cli.db.exists()


def cli_app():
    from vipctl.cli import app

    return app


def test_json_dates_and_names_are_canonical(cli, clients_csv, policies_csv):
    cli("import", str(clients_csv), str(policies_csv), "--date", "2024-02-01")
    data = json.loads(cli("show", "C1", "--format", "json").stdout)
    assert data["birthday"] == "1985-03-05" and data["gender"] == "F"
    assert [p["policy_no"] for p in data["policies"]] == ["P1", "P2"]
    monthly = data["policies"][1]
    assert monthly["next_due_date"] == "2024-02-29"  # Jan 31 + 1 month, leap year
    assert dt.date.fromisoformat(data["policies"][0]["next_due_date"]) == dt.date(2025, 1, 31)


def test_unwritable_rejects_file_means_nothing_is_imported(cli, tmp_path):
    bad = write_csv(
        tmp_path / "c.csv", ["client_id", "name", "birthday"], [["C1", "a", "x"], ["C2", "b", ""]]
    )
    (tmp_path / "c.rejects.csv").mkdir()  # the rejects file cannot be created
    result = cli("import", "--skip-invalid", str(bad))
    assert result.exit_code == 1
    assert "cannot write the rejects file" in result.stderr and "Traceback" not in result.output
    assert not rows(cli.db, "SELECT * FROM client")
