"""Help that reads like a manual, and usage errors a person can act on.

Typer's own help names values the way Python does (``<str>``, ``<list[Path]>``, ``{files}``,
``[x>=1]``), reads help text as Rich markup (``[team]`` vanished) and puts errors in a box. The
``Manual`` group keeps Click's plain layout and, once for every command, names each value by
what it is, keeps each command's sentence whole in the list, and ends each help with its
examples; a usage error is one line on stderr with exit code 2, Ctrl-C exit code 130.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import suppress
from typing import TYPE_CHECKING, Any, ClassVar

import typer
import typer.core
from typer._click import exceptions as click_errors  # Typer carries its own Click
from typer._click.core import Context
from typer._click.formatting import HelpFormatter
from typer.core import TyperArgument, TyperGroup

from vipctl import i18n
from vipctl.cli import coercion  # noqa: F401  (Typer's values checked without pydantic)
from vipctl.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from vipctl.config import Config

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


def _commands(command: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every command below ``command`` (and itself), by its path ("today", "config path")."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, f"{path} {name}".strip())


def _speak(command: Any, examples: dict[str, list[str]]) -> None:
    """Every command's help, short help, options' help and examples in the chosen language
    (English: as written), once the language is known and before anything is parsed."""
    for path, each in _commands(command):
        each.help = _(each.help) if each.help else each.help
        paragraphs = (each.help or "").split("\n\n")
        each.short_help = " ".join(paragraphs[0].split())
        for param in each.params:
            if getattr(param, "help", None):
                param.help = _(param.help)
        if path in examples:
            lines = examples[path]
            title = ngettext("Example:", "Examples:", len(lines))
            each.epilog = "\b\n" + "\n".join([title, *(f"  {line}" for line in lines)])


def help_texts() -> Iterator[str]:
    """Every help text of the command line, as written: what the catalog must translate."""
    import typer.main

    from vipctl.cli import app

    for _path, command in _commands(typer.main.get_command(app)):
        yield from filter(None, [command.help, *(getattr(p, "help", None) for p in command.params)])


def extract(
    fileobj: Any, keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str | None, Any, list[str]]]:
    """Babel's extraction method (``babel.cfg``) for the messages no keyword marks: the
    command line's help, which Typer keeps in docstrings and options, and the words of stored
    values (``views.words.VOCABULARY``), which the data contract declares."""
    from babel.messages.extract import extract_python

    from vipctl.views.words import VOCABULARY

    for text in dict.fromkeys([*help_texts(), *sorted(VOCABULARY)]):
        yield 0, None, text, []
    yield from extract_python(fileobj, keywords, comment_tags, options)  # the file's own


class _Formatter(HelpFormatter):
    """Click's help layout with its own words (``Usage:``, the option ``-h`` itself) said in the
    chosen language, as Typer's section titles are through ``i18n``. Chinese is wrapped by the
    cells it takes on the screen (Click counts characters, and a Chinese one takes two) and
    may break between any two characters, as the tables' text does (``views.fit``)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, _("Usage: ") if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        if not i18n.chinese():
            return super().write_heading(heading)
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_text(self, text: str) -> None:
        if not i18n.chinese():
            return super().write_text(text)
        indent = " " * self.current_indent
        lines = _wrapped(text, self.width - self.current_indent)
        self.write("\n".join(indent + line if line else "" for line in lines) + "\n")

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(term, _(text)) for term, text in rows]
        if not i18n.chinese():
            return super().write_dl(rows, col_max, col_spacing)
        first = min(max((len(term) for term, _text in rows), default=0), col_max) + col_spacing
        for term, text in rows:
            self.write(f"{'':>{self.current_indent}}{term}")
            if not text:
                self.write("\n")
                continue
            if len(term) <= first - col_spacing:
                self.write(" " * (first - len(term)))
            else:
                self.write("\n" + " " * (first + self.current_indent))
            lines = _wrapped(text, max(self.width - first - 2, 10))
            pad = " " * (first + self.current_indent)
            self.write("\n".join([lines[0], *(pad + line for line in lines[1:])]) + "\n")


def _wrapped(text: str, width: int) -> list[str]:
    """Help text in lines of ``width`` cells: paragraphs rewrapped, a ``\\b`` one kept as
    written (the examples)."""
    from vipctl.views.fit import wrap

    lines: list[str] = []
    for paragraph in text.split("\n\n"):
        if paragraph.startswith("\b"):
            lines += paragraph.splitlines()[1:]
        else:
            lines += wrap(" ".join(paragraph.split()), width, hang=False).split("\n")
        lines.append("")
    return lines[:-1]


# Words Click and Typer write that the catalog must hold: the help option's own help, and the
# section titles and notes of Typer's help (translated through ``typer.core._`` below).
_THEIRS = (
    N_("Show this message and exit."), N_("Options"), N_("Arguments"), N_("Commands"),
    N_("required"), N_("default: {default}"), N_("env var: {var}"),
)  # fmt: skip
typer.core._ = i18n._  # Typer's section titles and [required], [default: …]
Context.formatter_class = _Formatter


# Click's own usage errors (Typer's copy of Click has no catalog), read back and said in the
# interface's language: the message ids are Click's English, so English is unchanged.
_CLICK_SAYS = tuple(
    (re.compile(pattern), message)
    for pattern, message in (
        (
            r"No such option: (?P<option>\S+) \(Possible options: (?P<options>.+)\)",
            N_("No such option: {option} (Possible options: {options})"),
        ),
        (r"No such option: (?P<option>\S+)", N_("No such option: {option}")),
        (
            r"Missing argument (?P<name>\S+)\. Choose from: (?P<choices>.+)",
            N_("Missing argument {name}. Choose from: {choices}"),
        ),
        (r"Missing argument (?P<name>\S+)\.", N_("Missing argument {name}.")),
        (
            r"Missing option (?P<name>\S+)\. Choose from: (?P<choices>.+)",
            N_("Missing option {name}. Choose from: {choices}"),
        ),
        (r"Missing option (?P<name>\S+)\.", N_("Missing option {name}.")),
        (
            r"Option (?P<option>\S+) requires an argument\.",
            N_("Option {option} requires an argument."),
        ),
        (
            r"No such command (?P<name>\S+)\. Did you mean (?P<suggestion>.+)\?",
            N_("No such command {name}. Did you mean {suggestion}?"),
        ),
        (r"No such command (?P<name>\S+)\.", N_("No such command {name}.")),
        (r"Missing command\.", N_("Missing command.")),
        (
            r"Got unexpected extra argument\(s\) \((?P<args>.*)\)",
            N_("Got unexpected extra argument(s) ({args})"),
        ),
        (
            r"(?:Value error, )?(?P<value>.+) is not one of (?P<choices>.+)\.",
            N_("{value} is not one of {choices}."),
        ),
        (
            r"Input should be a valid integer, unable to parse string as an integer",
            N_("expected a whole number"),
        ),
    )
)


def _click_said(message: str) -> str:
    for pattern, said in _CLICK_SAYS:
        found = pattern.fullmatch(message)
        if found is None:
            continue
        return _(said).format(**found.groupdict())
    return message


def _one_line(error: Any) -> str:
    """A usage error as one line: which option, what is wrong, where the help is."""
    ctx = getattr(error, "ctx", None)
    where = ctx.command_path if ctx is not None else "vipctl"
    named = isinstance(error, click_errors.BadParameter) and error.param is not None
    if named and not isinstance(error, click_errors.MissingParameter):
        message = f"{'/'.join(error.param.opts)}: {_click_said(' '.join(error.message.split()))}"
    else:
        message = _click_said(" ".join(error.format_message().split()))
    return _("{where}: {message} (see '{where} --help')").format(where=where, message=message)


class Manual(TyperGroup):
    """The ``vipctl`` group: every command's help as a manual page, errors in one line."""

    examples: ClassVar[dict[str, list[str]]] = {}  # by command path: "today", "config path"
    config: Config | None = None  # the config file, when it was read to choose the language

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
                self.config = config.load()  # the command's own, read once (``App``)
                configured = self.config.ui.language
        return i18n.choose(flag, configured, os.environ)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for _path, command in _commands(self):
            _name_values(command.params)

    def main(
        self, args: list[str] | None = None, *rest: Any, standalone_mode: bool = True, **kwargs: Any
    ) -> Any:
        i18n.use(self._language(list(sys.argv[1:] if args is None else args)))
        _speak(self, self.examples)
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
