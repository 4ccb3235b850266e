from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

import books
from vipctl.cli import app

DATA = Path(__file__).resolve().parent.parent / "data"


class Cli:
    """Runs vipctl in-process against one tmp_path database."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict[str, str] | None = None):
        return self.runner.invoke(app, ["--db", str(self.db), *args], env=env)


@pytest.fixture(autouse=True)
def own_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads the real user's config file; write this path to give one."""
    path = tmp_path / "config.toml"
    monkeypatch.setenv("VIPCTL_CONFIG", str(path))
    return path


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "vipctl.db")


def write_csv(
    path: Path,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> Path:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


CLIENT_HEADERS = ["client_id", "name", "gender", "birthday", "id_number", "phone"]
POLICY_HEADERS = [
    "policy_no", "client_id", "product", "category", "premium", "frequency", "effective_date",
    "payment_years", "status",
]  # fmt: skip
# A valid ID for a woman born 1985-03-05 and one for a man born 1980-01-31.
ID_F_19850305 = "110105198503051248"
ID_M_19800131 = "110105198001310019"


@pytest.fixture
def clients_csv(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "clients.csv",
        CLIENT_HEADERS,
        [
            ["C1", "张三", "女", "1985-03-05", ID_F_19850305, "13812345678"],
            ["C2", "李四", "", "", ID_M_19800131, "13900001111"],
            ["C3", "王五", "男", "1970/1/2", "", ""],
        ],
    )


@pytest.fixture
def policies_csv(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "policies.csv",
        POLICY_HEADERS,
        [
            [
                "P1",
                "C1",
                "康宁终身重大疾病保险",
                "重疾",
                "12,000",
                "年缴",
                "2024-01-31",
                "20",
                "有效",
            ],
            ["P2", "C1", "住院医疗", "medical", "1200", "monthly", "2024-01-31", "", "in_force"],
            ["P3", "C2", "鑫享年金", "annuity", "5万", "趸缴", "2020年6月1日", "1", "终止"],
        ],
    )


@pytest.fixture
def book(cli: Cli, tmp_path: Path) -> Cli:
    """The agenda's small book (tests/books.py) imported on its export day."""
    clients = write_csv(tmp_path / "clients.csv", books.HEADERS, books.CLIENTS)
    policies = write_csv(tmp_path / "policies.csv", books.POLICY_HEADERS, books.POLICIES)
    result = cli("import", str(clients), str(policies), "--date", books.IMPORTED)
    assert result.exit_code == 0, result.output
    return cli


def dump(db: Path) -> list[str]:
    """Every row of every table as SQL, as a fresh connection (after any recovery) sees it."""
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()
