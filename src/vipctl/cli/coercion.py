"""Option values checked without pydantic, as Typer would check them.

Typer 0.29 checks every given option through a pydantic ``TypeAdapter``. Importing pydantic and
building the adapters cost about 0.1 s of every command: more than ``upcoming`` or one agent's
list take for their own work. vipctl's options are of a few plain kinds (text, whole numbers,
days, choices, paths). These are checked here with Typer's own helpers, keeping its values and
messages. Any other kind is left to Typer. tests/test_coercion.py holds both to the same answers
for every option of every command.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

from typer._click.exceptions import BadParameter
from typer._click.utils import _escape_control_characters
from typer._coercion import RuntimeParam
from typer._param_types import choice_coercion_annotation, coerce_cli_choice, coerce_cli_path
from typer.core import _TyperParameter

# What pydantic's lax mode takes for an int: ASCII digits with single underscores, a sign, a
# ".0" tail, Unicode's white space around (Python's own also counts U+001C to U+001F).
_WHOLE = re.compile(r"[+-]?[0-9](?:_?[0-9])*(?:\.0*)?", re.ASCII)
_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
_NOT_WHOLE = "Input should be a valid integer, unable to parse string as an integer"
# ... and for a bool, after Typer has taken "" as false.
_TRUE, _FALSE = {"1", "on", "t", "true", "y", "yes"}, {"0", "off", "f", "false", "n", "no"}
_NOT_TRUTH = "Input should be a valid boolean, unable to interpret input"

Check = Callable[[Any, Any, Any], Any]  # (value, param, ctx) -> the value the command gets


def _refused(error: ValueError, param: Any, ctx: Any) -> BadParameter:
    """pydantic's words for a ValueError raised by a check, as Typer passes them on."""
    said = _escape_control_characters(f"Value error, {error}")
    return BadParameter(said, ctx=ctx, param=param)


def _text(value: Any, param: Any, ctx: Any) -> str:
    return str(value)


def _whole(value: Any, param: Any, ctx: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _WHOLE.fullmatch(value.strip(_SPACE)):
        return int(value.strip(_SPACE).partition(".")[0])
    raise BadParameter(_NOT_WHOLE, ctx=ctx, param=param)


def _truth(value: Any, param: Any, ctx: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        said = value.strip().lower()
        if said in _TRUE:
            return True
        if said in _FALSE or not said:
            return False
    elif value in (0, 1):
        return bool(value)
    raise BadParameter(_NOT_TRUTH, ctx=ctx, param=param)


def _parsed(parser: Callable[[Any], Any]) -> Check:
    def check(value: Any, param: Any, ctx: Any) -> Any:
        try:
            return parser(value)
        except ValueError as error:
            raise _refused(error, param, ctx) from error

    return check


def _chosen(choices: tuple[Any, ...], case_sensitive: bool) -> Check:
    def check(value: Any, param: Any, ctx: Any) -> Any:
        try:
            return coerce_cli_choice(value, choices=choices, case_sensitive=case_sensitive, ctx=ctx)
        except ValueError as error:
            raise _refused(error, param, ctx) from error

    return check


def _path(info: Any) -> Check:
    def check(value: Any, param: Any, ctx: Any) -> Any:
        given = value if isinstance(value, Path) else Path(value)
        try:
            return coerce_cli_path(given, info, path_type=Path, param=param, ctx=ctx)
        except ValueError as error:  # a NUL in it
            raise _refused(error, param, ctx) from error

    return check


def _leaf(annotation: Any, info: Any) -> Check | None:
    """The check of one value of a plain kind, or None for Typer's own."""
    if info.parser is not None:
        return _parsed(info.parser)
    choice = choice_coercion_annotation(annotation, info)
    if choice is not None:
        return _chosen(*choice)
    if annotation is str:
        return _text
    if annotation is bool:
        return _truth
    if annotation is int and info.min is None and info.max is None:
        return _whole
    if annotation is Path and info.path_type in (None, Path):
        return _path(info)
    return None


@dataclass(frozen=True)
class _Plain(RuntimeParam):
    check: Check
    many: bool

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        if self.many:
            items = value if isinstance(value, (list, tuple)) else [value]
            return [self.check(item, param, ctx) for item in items]
        return self.check(value, param, ctx)


def plain(param: Any) -> RuntimeParam | None:
    """The runtime check of ``param`` without pydantic, or None when it is not a plain kind."""
    described = param.type_descriptor
    if described.file_annotation is not None:
        return None
    annotation, info = described.annotation, described.parameter_info
    many = get_origin(annotation) is list
    if many:
        (annotation,) = get_args(annotation)
    check = _leaf(annotation, info)
    if check is None:
        return None
    return _Plain(parameter_info=info, annotation=described.annotation, check=check, many=many)


def _runtime_param(param: Any) -> RuntimeParam:
    if param._runtime_param is None:
        param._runtime_param = plain(param) or _typers_own(param)
    return param._runtime_param


# Every option and argument, the help option Click adds on its own included.
_typers_own = _TyperParameter.get_runtime_param
_TyperParameter.get_runtime_param = _runtime_param  # type: ignore[method-assign]
