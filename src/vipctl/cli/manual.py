"""Help that reads like a manual, and usage errors a person can act on.

Typer's own help names values the way Python does (``<str>``, ``<list[Path]>``, ``{files}``,
``[x>=1]``), reads help text as Rich markup (``[team]`` vanished) and puts errors in a box. The
``Manual`` group keeps Click's plain layout and, once for every command, names each value by
what it is, keeps each command's sentence whole in the list, and ends each help with its
examples; a usage error is one line on stderr with exit code 2, Ctrl-C exit code 130.
"""

from __future__ import annotations

import os
import sys
from contextlib import suppress
from typing import Any, ClassVar

import typer
from typer._click import exceptions as click_errors  # Typer carries its own Click
from typer.core import TyperArgument, TyperGroup

from vipctl import i18n

# The help option, everywhere.
CONTEXT = {"help_option_names": ["-h", "--help"]}

# What a value is called when its option did not name it, by how Typer would have shown it.
_VALUE_NAMES = {"int": "N", "float": "NUMBER", "path": "FILE", "list[Path]": "FILE"}


def usage_error(message: str) -> Exception:
    """A mistake in how the command was called (exit code 2), not in the data (exit code 1)."""
    return click_errors.UsageError(message)


def _value_name(param: Any) -> str:
    """A parameter's value named for a person: its choices, FILE, N, or its own name."""
    shown = str(param.display_type(None)).strip("<>")
    if "|" in shown:
        return shown
    return _VALUE_NAMES.get(shown) or _VALUE_NAMES.get(shown.split()[0]) or param.name.upper()


class _Argument(TyperArgument):
    """An argument shown as man pages show one: ``FILE...``, ``[NAME]`` when optional, without
    Typer's ``{NAME}`` and Python type."""

    def _named(self) -> str:
        return self.display_name_raw + ("..." if self.nargs != 1 else "")

    def _usage_display_name(self) -> str:
        return self._named() if self.required else f"[{self._named()}]"

    def _rich_display_name(self) -> str:
        return self._named()

    def display_type_rich(self, ctx: Any) -> str | None:
        return None


def _name_values(params: list[Any]) -> None:
    for param in params:
        if param.metavar is None and not getattr(param, "is_flag", False):
            param.metavar = _value_name(param)
        if isinstance(param, TyperArgument):
            param.__class__ = _Argument


def _as_manual(command: Any, examples: dict[str, list[str]], path: str) -> None:
    if hasattr(command, "commands"):  # a group of its own (vipctl config)
        for name, sub in command.commands.items():
            _as_manual(sub, examples, f"{path} {name}")
    paragraphs = (command.help or "").split("\n\n")
    command.short_help = " ".join(paragraphs[0].split())
    _name_values(command.params)
    if path in examples:
        lines = examples[path]
        title = "Example:" if len(lines) == 1 else "Examples:"
        command.epilog = "\b\n" + "\n".join([title, *(f"  {line}" for line in lines)])


def _one_line(error: Any) -> str:
    """A usage error as one line: which option, what is wrong, where the help is."""
    ctx = getattr(error, "ctx", None)
    where = ctx.command_path if ctx is not None else "vipctl"
    named = isinstance(error, click_errors.BadParameter) and error.param is not None
    if named and not isinstance(error, click_errors.MissingParameter):
        message = f"{'/'.join(error.param.opts)}: {error.message}"
    else:
        message = error.format_message()
    return f"{where}: {' '.join(message.split())} (see '{where} --help')"


class Manual(TyperGroup):
    """The ``vipctl`` group: every command's help as a manual page, errors in one line."""

    examples: ClassVar[dict[str, list[str]]] = {}  # by command path: "today", "config path"

    def _language(self, words: list[str]) -> str:
        """The language to speak before anything is parsed or printed, help included: the
        root's ``--lang``, else the config's ``[ui] language``, else the locale's."""
        flag = None
        for at, word in enumerate(words):
            if word in self.commands:
                break
            if word.startswith("--lang="):
                flag = word.partition("=")[2]
            elif word == "--lang" and at + 1 < len(words):
                flag = words[at + 1]
        configured = None
        if flag is None:
            from vipctl import config
            from vipctl.errors import UserError

            with suppress(UserError):  # said by the command that reads the config
                configured = config.load().ui.language
        return i18n.choose(flag, configured, os.environ)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _name_values(self.params)
        for name, command in self.commands.items():
            _as_manual(command, self.examples, name)

    def main(
        self, args: list[str] | None = None, *rest: Any, standalone_mode: bool = True, **kwargs: Any
    ) -> Any:
        i18n.use(self._language(list(sys.argv[1:] if args is None else args)))
        args_and_rest = (args, *rest)
        if not standalone_mode:
            return super().main(*args_and_rest, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args_and_rest, standalone_mode=False, **kwargs)
        except click_errors.NoArgsIsHelpError as shown:
            shown.show()
            sys.exit(shown.exit_code)
        except click_errors.UsageError as error:
            typer.echo(_one_line(error), err=True)
            sys.exit(2)
        except click_errors.ClickException as error:
            typer.echo(f"vipctl: {error.format_message()}", err=True)
            sys.exit(error.exit_code)
        except typer.Abort:
            sys.exit(130)
        sys.exit(code or 0)
