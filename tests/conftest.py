"""The fixtures: a book per test on each engine (a tmp_path file, or a schema of its own on a
PostgreSQL test cluster), no real user's config, the small books imported. Helpers tests import
are in ``helpers.py``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import books
import pgserver
from helpers import (
    CLIENT_HEADERS,
    ID_F_19850305,
    ID_M_19800131,
    POLICY_HEADERS,
    Cli,
    new_schema,
    write_csv,
)

ENGINES = ("sqlite", "postgresql")
# "required" (CI sets it): without a PostgreSQL server the run fails instead of skipping.
REQUIRE_POSTGRESQL = "VIPCTL_TEST_POSTGRESQL"


@pytest.fixture(autouse=True)
def own_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads the real user's config file; write this path to give one. Nor does the
    developer's locale choose the language: tests speak English unless they ask otherwise."""
    path = tmp_path / "config.toml"
    monkeypatch.setenv("VIPCTL_CONFIG", str(path))
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    return path


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: about the SQLite file itself; one engine")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of the SQLite file (its mode, copies, crashes) run on that engine only."""
    keep, drop = [], []
    for item in items:
        spec = getattr(item, "callspec", None)
        on_server = spec is not None and spec.params.get("engine") == "postgresql"
        (drop if on_server and item.get_closest_marker("sqlite_only") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def pg_cluster():
    try:
        cluster = pgserver.Cluster()
    except pgserver.Unavailable as exc:
        if os.environ.get(REQUIRE_POSTGRESQL) == "required":
            pytest.fail(f"PostgreSQL is required here: {exc}")
        pytest.skip(f"no PostgreSQL server here: {exc}")
    yield cluster
    cluster.stop()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path | str:
    """Where the test's book lives: a file, or a schema of its own on the test cluster."""
    if engine == "sqlite":
        return tmp_path / "vipctl.db"
    return new_schema(request.getfixturevalue("pg_cluster"))


@pytest.fixture
def cli(database: Path | str) -> Cli:
    return Cli(database)


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
