"""Every option and argument more than one command takes, defined once, and the small helpers
that read them. Typer reads the annotations, so each is an ``Annotated`` type."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Literal

import typer

from vipctl.kinds import KINDS

Format = Literal["table", "json", "csv"]

FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="table for people; json or csv for scripts.")
]

ShowPii = Annotated[bool, typer.Option("--show-pii", help="Show phone and ID numbers unmasked.")]

DateOption = Annotated[
    dt.datetime | None,
    typer.Option(
        "--date", formats=["%Y-%m-%d"], help="Act as if today were this day (YYYY-MM-DD)."
    ),
]

ClientArg = Annotated[str, typer.Argument(help="The client's id.")]

ListLimitOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Only the first N (default: 50 in a table; every one in JSON and CSV). "
        "The table's title always counts them all.",
    ),
]

TierOption = Annotated[str | None, typer.Option(metavar="T,…", help="Only these tiers (A,B,C,D).")]

DaysOption = Annotated[int, typer.Option(min=0, max=3660, help="How many days ahead.")]

HighEndOption = Annotated[
    bool,
    typer.Option(
        "--high-end",
        help="Only high-end clients: household income and investable assets at the seeds' "
        "high end, the very rich above their band included (see README).",
    ),
]

EveryoneOption = Annotated[
    bool, typer.Option("--all", help="Every agent's clients, not only yours.")
]

KINDS_HELP = "Only these kinds, comma-separated: " + ", ".join(KINDS)

AgentOption = Annotated[str | None, typer.Option(help="Only this agent's clients.")]

KindOption = Annotated[str | None, typer.Option(metavar="K,…", help=KINDS_HELP)]


def day_of(value: dt.datetime | None) -> dt.date:
    return value.date() if value else dt.date.today()


def choices(allowed: tuple[str, ...]) -> Callable[[str | None], list[str]]:
    """A comma-separated list option whose every item must be one of ``allowed``."""

    def parse(value: str | None) -> list[str]:
        if not value:
            return []
        items = [v.strip() for v in value.split(",") if v.strip()]
        wrong = [v for v in items if v not in allowed]
        if wrong:
            raise typer.BadParameter(f"{', '.join(wrong)} (choose from {', '.join(allowed)})")
        return items

    return parse


def shown_limit(limit: int | None, fmt: str) -> int | None:
    """How many lines a listing shows: a table the first 50 unless told otherwise, as laying
    out a large book's tens of thousands of rows takes minutes; scripts get every one."""
    from vipctl.views.render import TABLE_LIMIT

    return TABLE_LIMIT if limit is None and fmt == "table" else limit
