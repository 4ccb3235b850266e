"""Every option and argument more than one command takes, defined once, and the small helpers
that read them. Typer reads the annotations, so each is an ``Annotated`` type."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

import typer

from vipctl.i18n import _
from vipctl.kinds import KINDS

Format = Literal["table", "json", "csv"]

FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="table for people; json or csv for scripts.")
]

ShowPii = Annotated[bool, typer.Option("--show-pii", help="Show phone and ID numbers unmasked.")]


def parse_day(value: str) -> dt.date:
    """A day as people write it in vipctl, YYYY-MM-DD; a day that does not exist says so
    rather than blaming the format."""
    if not re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value.strip()):
        said = _("{value} is not a date written YYYY-MM-DD")
        raise typer.BadParameter(said.format(value=repr(value)))
    year, month, day = (int(part) for part in value.strip().split("-"))
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise typer.BadParameter(_("{value} is not a date").format(value=value)) from None


def whole_number(low: int, high: int | None = None) -> Callable[[int | None], int | None]:
    """An option's bounds checked with a sentence (Click would print its range as [x>=1])."""

    def check(value: int | None) -> int | None:
        if value is not None and (value < low or (high is not None and value > high)):
            said = (
                _("{value} is out of range: give a number from {low} to {high}")
                if high is not None
                else _("{value} is out of range: give a number of {low} or more")
            )
            raise typer.BadParameter(said.format(value=value, low=low, high=high))
        return value

    return check


DateOption = Annotated[
    dt.date | None,
    typer.Option(
        "--date",
        parser=parse_day,
        metavar="YYYY-MM-DD",
        help="Act as if today were this day.",
    ),
]


def _client_of(ctx: typer.Context, value: str) -> str:
    """A client id as given, or ``@N``: row N of the last list shown, said on stderr."""
    if not value.startswith("@"):
        return value
    from vipctl.agenda import rows
    from vipctl.cli.context import app_of, echo, fail
    from vipctl.errors import UserError

    try:  # before the command runs: its own handling of user errors is not there yet
        with app_of(ctx).session() as conn:
            found = rows.resolve(conn, value)
    except UserError as exc:
        raise fail(str(exc)) from None
    if found is None:
        return value
    echo(f"{value} = {found[0]} {found[1]}", err=True)
    return found[0]


ClientArg = Annotated[
    str,
    typer.Argument(
        help="The client's id, or @N: row N of the last list 'vipctl today' showed.",
        callback=_client_of,
    ),
]


def limit_option(help: str) -> Any:
    """A ``--limit N`` option (N ≥ 1) with its command's own words for what is limited."""
    return Annotated[int | None, typer.Option(callback=whole_number(1), metavar="N", help=help)]


ListLimitOption = limit_option(
    "Only the first N (default: 50 in a table; every one in JSON and CSV). "
    "The table's title always counts them all."
)

TierOption = Annotated[str | None, typer.Option(metavar="T,…", help="Only these tiers (A,B,C,D).")]

DaysOption = Annotated[
    int, typer.Option(callback=whole_number(0, 3660), metavar="N", help="How many days ahead.")
]

HighEndOption = Annotated[
    bool,
    typer.Option(
        "--high-end",
        help="Only high-end clients: household income and investable assets at the seeds' "
        "high end, the very rich above their band included (see docs/needs.md).",
    ),
]

EveryoneOption = Annotated[
    bool, typer.Option("--all", help="Every agent's clients, not only yours.")
]

KINDS_HELP = "Only these kinds, comma-separated: " + ", ".join(KINDS)

AgentOption = Annotated[str | None, typer.Option(help="Only this agent's clients.")]

KindOption = Annotated[str | None, typer.Option(metavar="K,…", help=KINDS_HELP)]


def day_of(value: dt.date | None) -> dt.date:
    return value or dt.date.today()


def choices(allowed: tuple[str, ...]) -> Callable[[str | None], list[str]]:
    """A comma-separated list option whose every item must be one of ``allowed``."""

    def parse(value: str | None) -> list[str]:
        if not value:
            return []
        items = [v.strip() for v in value.split(",") if v.strip()]
        wrong = [v for v in items if v not in allowed]
        if wrong:
            said = _("{wrong} (choose from {choices})")
            raise typer.BadParameter(
                said.format(wrong=", ".join(wrong), choices=", ".join(allowed))
            )
        return items

    return parse


def shown_limit(limit: int | None, fmt: str) -> int | None:
    """How many lines a listing shows: a table the first 50 unless told otherwise, as laying
    out a large book's tens of thousands of rows takes minutes; scripts get every one."""
    from vipctl.views.render import TABLE_LIMIT

    return TABLE_LIMIT if limit is None and fmt == "table" else limit
