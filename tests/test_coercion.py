"""vipctl's option checks without pydantic give every option the value, or the message, that
Typer's own pydantic checks give."""

import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from hypothesis import given, settings
from hypothesis import strategies as st
from typer._click.core import Context
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param

from vipctl.cli import app
from vipctl.cli.coercion import plain
from vipctl.cli.manual import _commands

ROOT = typer.main.get_command(app)
PARAMS = [
    (f"{path or 'vipctl'} {param.name}", command, param)
    for path, command in _commands(ROOT)
    for param in [*command.params, command.get_help_option(Context(command))]
    if param is not None
]

# What people type, right and wrong, for each kind of option vipctl has.
SAMPLES = [
    "", " ", "0", "1", "-1", "+7", " 12 ", "1_000", "12.0", "12.5", "1e3", "0x10", "１２", "٣",
    "99999999999999999999999", "yes", "No", "off", "T", "maybe", "table", "TABLE", "json ", "csv",
    "phone", "reached", "formal", "2026-11-24", "2026-2-30", "2026/11/24", "data/clients.csv",
    "-", "~/book.db", "张伟", "\x1b[31mred", "A,B", "0\x85", "\u3000 7\u3000", "\x1c1", "\x00",
]  # fmt: skip


def _said(check, value, param, command):
    """What a check made of ``value``: the value, or the message it refused it with."""
    try:
        return "value", check.coerce(value, param=param, ctx=Context(command))
    except BadParameter as refused:
        return "refused", refused.message


def _both(command, param, value):
    ours = plain(param)
    assert ours is not None, f"{param.name}: Typer's pydantic checks would be loaded for it"
    typers = build_runtime_param(param.type_descriptor)
    many = param.multiple or param.nargs == -1
    given = (value, value) if many and value is not None else value
    return _said(ours, given, param, command), _said(typers, given, param, command)


def test_every_option_has_a_check_of_its_own():
    assert len(PARAMS) > 200
    missing = [name for name, _command, param in PARAMS if plain(param) is None]
    assert missing == []


@pytest.mark.parametrize(("name", "command", "param"), PARAMS, ids=[name for name, *_ in PARAMS])
def test_every_option_takes_what_typer_takes(name, command, param):
    for value in [*SAMPLES, None]:
        ours, typers = _both(command, param, value)
        assert ours == typers, (name, value)


KINDS = {}
for _name, _command, _param in PARAMS:
    KINDS.setdefault(repr(_param.type_descriptor.annotation), (_command, _param))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(KINDS)), st.text(max_size=12) | st.from_regex(r"\s*[+-]?[\d_.]+\s*"))
def test_any_text_is_taken_as_typer_takes_it(kind, text):
    command, param = KINDS[kind]
    ours, typers = _both(command, param, text)
    assert ours == typers


def test_a_command_loads_no_pydantic(tmp_path):
    """The point of it: a command's start without pydantic's import and schema building."""
    code = (
        "import sys\n"
        "from vipctl.cli import main\n"
        "try:\n    main()\nexcept SystemExit: pass\n"
        "print('pydantic' in sys.modules)\n"
    )
    db = tmp_path / "book.db"
    argv = ["--db", str(db), "clients", "--limit", "3", "-f", "json"]
    done = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.argv = ['vipctl', *{argv!r}]\n{code}"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent,
        check=True,
    )
    assert done.stdout.strip().splitlines()[-1] == "False"
