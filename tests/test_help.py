"""``--help`` reads like a manual: every command and option in words a person uses, brackets as
written, examples at the end; ``-h`` everywhere; usage errors in one line."""

import re

import pytest
import typer
from typer.testing import CliRunner

from vipctl.cli import app
from vipctl.cli.main import VALUED, as_run

ROOT = typer.main.get_command(app)


def _commands(group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*prefix, name)
        if hasattr(command, "commands"):
            yield from _commands(command, (*prefix, name))


COMMANDS = list(_commands(ROOT))
# What Typer or Click write when nobody named a value: <str>, <list[Path]>, {files}, INTEGER
# RANGE, [x>=1], a strftime pattern.
MACHINE_TALK = re.compile(r"<[^>\s]*>|\{\w+\}|\bRANGE\b|\[x[<>]=?|%[YmdHM]|\bTEXT\b|\bINTEGER\b")


def _help(*args: str) -> str:
    done = CliRunner().invoke(app, [*args], prog_name="vipctl", env={"COLUMNS": "80"})
    assert done.exit_code == 0, done.output
    return done.output


@pytest.mark.parametrize("command", [(), *COMMANDS], ids=lambda c: " ".join(c) or "vipctl")
def test_help_reads_like_a_manual(command):
    long, short = _help(*command, "--help"), _help(*command, "-h")
    assert long == short
    assert not MACHINE_TALK.findall(long), long
    assert "╭" not in long and "│" not in long
    groups = (("config",), ("dates",), ("service",), ("campaign",))
    if command and command not in groups:  # groups list their commands
        assert re.search(r"Examples?:\n( +vipctl .+\n)+\Z", long), long


def test_brackets_in_help_appear_as_written():
    assert "[team] agent" in " ".join(_help("--help").split())
    assert "config's [mail]" in " ".join(_help("report", "--help").split())


def test_the_command_list_is_not_truncated():
    listing = _help("--help")
    assert "..." not in listing.split("Commands:")[1]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["today", "--date", "2026-02-30"], "--date: 2026-02-30 is not a date"),
        (["today", "--date", "2026/02/03"], "is not a date written YYYY-MM-DD"),
        (["today", "--agent", "李明", "--all"], "--agent and --all: choose one"),
        (["upcoming", "--days", "-1"], "--days: -1 is out of range"),
        (["today", "--nope"], "No such option: --nope"),
        (["show"], "Missing argument 'CLIENT_ID'"),
    ],
)
def test_a_usage_error_is_one_line_with_exit_code_2(cli, args, said):
    done = cli(*args)
    assert done.exit_code == 2, done.output
    assert done.stderr.count("\n") == 1 and said in done.stderr, done.stderr
    assert "Usage:" not in done.stderr and "╭" not in done.stderr


def test_misleading_silences_are_said(cli, tmp_path):
    from helpers import DATA
    from vipctl.store import Database

    Database(cli.db, create=True).close()
    empty = cli("today")
    assert empty.exit_code == 1 and "no clients in" in empty.stderr
    assert "vipctl import clients.csv policies.csv" in empty.stderr
    header_only = tmp_path / "clients.csv"
    header_only.write_text("client_id,name,agent\n\n")
    done = cli("import", str(header_only))
    assert done.exit_code == 0 and "a header and no rows: nothing to import" in done.stderr
    assert "Nothing changed" not in done.stdout
    files = [str(DATA / "clients.csv"), str(DATA / "policies.csv")]
    assert cli("import", *files, "--date", "2026-11-01").exit_code == 0
    for command in (["today"], ["upcoming"], ["clients"], ["gaps"], ["report"], ["calendar"]):
        unknown = cli(*command, "--agent", "李名")
        assert unknown.exit_code == 1, command
        assert "no client of agent '李名'; the agents are: " in unknown.stderr
        assert "李明" in unknown.stderr
    first = cli("report", "--date", "2026-11-02").stdout
    assert "The first report: from the next one on" in first
    second = cli("report", "--date", "2026-11-03").stdout
    assert "The first report" not in second and " items on the list marked done." in second


def _chinese_help(*command: str) -> str:
    """(Click's test runner lays help out 80 columns wide, whatever COLUMNS says.)"""
    done = CliRunner().invoke(app, ["--lang", "zh_CN", *command, "--help"], prog_name="vipctl")
    assert done.exit_code == 0, done.output
    return done.output


@pytest.mark.parametrize("command", [(), *COMMANDS], ids=lambda c: " ".join(c) or "vipctl")
def test_help_speaks_chinese_when_asked_and_fits_the_terminal(command):
    from rich.cells import cell_len

    from vipctl.cli.manual import help_texts

    shown = _chinese_help(*command)
    assert shown.startswith("用法：vipctl") and "Usage" not in shown
    assert "选项：" in shown and "Options" not in shown
    left = [text for text in help_texts() if " " in text and text.split("\n")[0] in shown]
    assert not left, left
    assert all(cell_len(line) <= 80 for line in shown.splitlines()), shown


def test_chinese_help_fits_a_narrow_terminal():
    from rich.cells import cell_len

    from helpers import screens

    for screen in screens([["--lang", "zh_CN", *c, "--help"] for c in [(), *COMMANDS]], 60):
        assert screen.startswith("用法：vipctl")
        assert all(cell_len(line) <= 60 for line in screen.splitlines()), screen


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_command_run_alone_reads_and_parses_as_in_the_whole_app(command):
    """``main`` builds only the command its words name: its help, and its mistakes, are the
    same as when every command is built."""
    words = ["--db", "x.db", "--lang", "en", *command]
    alone = as_run(words)
    assert alone is not app and len(typer.main.get_command(alone).commands) == 1
    for tail in (["--help"], ["--no-such-option"]):
        whole = CliRunner().invoke(app, [*words, *tail], prog_name="vipctl")
        one = CliRunner().invoke(alone, [*words, *tail], prog_name="vipctl")
        assert (one.exit_code, one.output) == (whole.exit_code, whole.output)


@pytest.mark.parametrize(
    "words",
    [[], ["--help"], ["-h"], ["--version"], ["upcomin"], ["--db"], ["--db=x.db"], ["--x", "today"]],
)
def test_words_naming_no_command_get_the_whole_app(words):
    assert as_run(words) is app


def test_the_root_options_that_take_a_value_are_skipped():
    taking = {o for p in ROOT.params if not getattr(p, "is_flag", False) for o in p.opts}
    assert taking == set(VALUED)
    assert as_run(["--db=x.db", "--as", "李明", "today", "--help"]) is not app
