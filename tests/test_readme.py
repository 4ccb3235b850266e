"""The README's commands work as written: the quick start's vipctl steps on the sample data, and
the morning's tour step by step, the list it shows being what vipctl prints at 80 columns."""

import re
import shlex
from pathlib import Path

import pytest

from helpers import DATA, screens
from vipctl.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", README, re.S)
VIPCTL = ".venv/bin/vipctl"


@pytest.fixture
def here(tmp_path, monkeypatch):
    """A fresh checkout's working directory: the sample data, no database yet."""
    (tmp_path / "data").symlink_to(DATA)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VIPCTL_DB", raising=False)
    return tmp_path


def _run(command: str, **env: str):
    from typer.testing import CliRunner

    words = shlex.split(command)
    assert words[0] == VIPCTL, command
    done = CliRunner().invoke(app, words[1:], prog_name="vipctl", env=env)
    assert done.exit_code == 0, f"{command}: {done.output}"
    return done.stdout


def test_the_two_set_up_commands_come_first():
    (lang, install), (_, tests) = BLOCKS[:2]
    assert lang == "sh" and install.startswith("python3 -m venv .venv && .venv/bin/pip install")
    assert tests.strip() == ".venv/bin/python -m pytest"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().endswith(".venv/bin/python -m pytest")


def test_the_quick_start_imports_the_sample_and_prints_the_list(here):
    steps = [s.strip() for s in BLOCKS[0][1].split("&&") if s.strip().startswith(VIPCTL)]
    assert [shlex.split(s)[1:3] for s in steps] == [["--db", "sample.db"]] * 2
    outputs = [_run(step) for step in steps]
    assert "Imported into sample.db" in outputs[0]
    assert "To do on" in outputs[1]


def test_the_morning_tour_runs_and_shows_what_vipctl_prints(here):
    tour = README.split("## A morning with vipctl", 1)[1].split("\n## ", 1)[0]
    ran = 0
    for lang, block in re.findall(r"```(\w+)\n(.*?)```", tour, re.S):
        if lang == "sh":
            for line in block.strip().splitlines():
                _run(line)
                ran += 1
            continue
        command, *shown = block.rstrip("\n").splitlines()
        words = shlex.split(command.removeprefix("$ "))
        (printed,) = screens([words[1:]], 80, {"NO_COLOR": "1"})  # a terminal, no colour
        assert [line.rstrip() for line in printed.rstrip("\n").splitlines()] == shown
        ran += 1
    assert ran >= 8
    assert (here / "today.html").exists()
