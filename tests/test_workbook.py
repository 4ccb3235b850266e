"""Excel workbooks import as CSV files do: every sheet of clients or policies, cells read as the
values they hold, the same checks, messages naming the sheet, the row and the column."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from helpers import ID_F_19850305, rows

openpyxl = pytest.importorskip("openpyxl")


def workbook(path, sheets: dict[str, list[list]]):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, lines in sheets.items():
        sheet = book.create_sheet(name)
        for line in lines:
            sheet.append(line)
    book.save(path)
    return path


CLIENTS = [
    ["2026年11月 大客户清单"],  # a title above the header, as exports have
    [],
    ["客户号", "姓名", "生日", "身份证号", "电话", "年收入", "有房产", "业务员"],
    ["C1", "张三", dt.date(1985, 3, 5), ID_F_19850305, 13812345678, 500000, True, "王芳"],
    ["C2", "李四", dt.datetime(1980, 1, 31), "", "13900001111", 12000.5, False, "王芳"],
]
POLICIES = [
    ["保单号", "客户号", "险种", "险种类别", "保费", "缴费方式", "生效日", "缴费年期", "保单状态"],
    ["P1", "C1", "康宁终身重大疾病保险", "重疾", 12000, "年缴", dt.date(2024, 1, 31), 20, "有效"],
]


def test_every_sheet_of_clients_and_policies_is_imported_as_values(cli, tmp_path):
    book = workbook(
        tmp_path / "book.xlsx", {"说明": [["这是说明"]], "客户": CLIENTS, "保单": POLICIES}
    )
    done = cli("import", str(book), "--date", "2026-11-01")
    assert done.exit_code == 0, done.output
    assert f"{book}[客户]" in done.stdout and f"{book}[保单]" in done.stdout
    card = json.loads(cli("show", "C1", "-f", "json", "--show-pii").stdout)
    assert card["birthday"] == "1985-03-05" and card["phone"] == "13812345678"
    assert card["annual_income"] == 500000 and card["owns_property"] is True
    assert card["policies"][0]["effective_date"] == "2024-01-31"
    other = json.loads(cli("show", "C2", "-f", "json").stdout)
    assert other["birthday"] == "1980-01-31" and other["annual_income"] == 12000.5
    again = cli("import", str(book), "--date", "2026-11-01")
    assert again.exit_code == 0 and "Nothing changed" in again.stdout


def test_a_bad_cell_names_the_sheet_row_and_column_and_nothing_is_written(cli, tmp_path):
    bad = [*CLIENTS, ["C3", "", "1990-13-01", "", "", "很多", "", ""]]
    book = workbook(tmp_path / "book.xlsx", {"客户": bad})
    done = cli("import", str(book))
    assert done.exit_code == 1
    assert f"{book}[客户]:6: 姓名: required, but empty" in done.stderr
    assert f"{book}[客户]:6: 年收入:" in done.stderr
    assert rows(cli.db, "SELECT count(*) FROM client") == [(0,)]
    skipped = cli("import", str(book), "--skip-invalid")
    assert skipped.exit_code == 0
    rejects = tmp_path / "book.客户.rejects.csv"
    assert rejects.exists() and "C3" in rejects.read_text(encoding="utf-8-sig")


def test_a_workbook_renamed_csv_is_read_as_a_workbook(cli, tmp_path):
    book = workbook(tmp_path / "book.xlsx", {"客户": CLIENTS})
    renamed = tmp_path / "clients.csv"
    book.rename(renamed)
    done = cli("import", str(renamed))
    assert done.exit_code == 0, done.output
    assert rows(cli.db, "SELECT count(*) FROM client") == [(2,)]


def test_only_the_sheet_asked_for(cli, tmp_path):
    book = workbook(tmp_path / "book.xlsx", {"客户": CLIENTS, "保单": POLICIES})
    assert cli("import", str(book), "--sheet", "客户").exit_code == 0
    assert rows(cli.db, "SELECT count(*) FROM policy") == [(0,)]
    missing = cli("import", str(book), "--sheet", "Sheet1")
    assert (
        missing.exit_code == 1 and "no sheet 'Sheet1'; the sheets are: 客户, 保单" in missing.stderr
    )
    notes = workbook(tmp_path / "notes.xlsx", {"说明": [["这是说明"]]})
    nothing = cli("import", str(notes))
    assert nothing.exit_code == 1 and "no sheet with a clients or policies header" in nothing.stderr
    csv_file = tmp_path / "c.csv"
    csv_file.write_text("client_id,name\nC9,王五\n", encoding="utf-8")
    assert cli("import", str(csv_file), "--sheet", "客户").exit_code == 1


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (dt.date(2024, 3, 5), "2024-03-05"),
        (dt.datetime(2024, 3, 5), "2024-03-05"),
        (12000.0, "12000"),
        (12000.5, "12000.5"),
        (0.1 + 0.2, "0.3"),
        (True, "yes"),
        (None, ""),
        ("  王五 ", "王五"),
    ],
)
def test_cells_are_written_as_the_contract_reads_them(value, text):
    from vipctl.ingest.workbook import cell_text

    assert cell_text(value) == text
