"""Keeping the book safe: backup, restore, check, config."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vipctl.cli.context import app_of, echo
from vipctl.cli.options import DateOption, day_of
from vipctl.i18n import _


def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The backup file to write (replaced whole).")],
) -> None:
    """Copy the database to FILE, safely even while vipctl or cron is using it."""
    from vipctl.store import upkeep

    db = app_of(ctx).open()
    try:
        upkeep.backup(db, file)
    finally:
        db.close()
    echo(_("Backed up {database} to {file}.").format(database=db.name, file=file))


def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A backup made by 'vipctl backup'.")],
) -> None:
    """Replace the database by a backup, after checking the backup's integrity and schema.

    The database as it was is kept beside it.
    """
    from vipctl import store
    from vipctl.store import upkeep

    path = store.resolve(ctx.obj.db)
    kept = upkeep.restore(path, file)
    echo(_("Restored {database} from {file}.").format(database=path, file=file))
    if kept is not None:
        echo(_("The database as it was is kept as {file}.").format(file=kept))


def check(ctx: typer.Context, date: DateOption = None) -> None:
    """Check the database: SQLite's integrity check, then the rules vipctl relies on, then
    the values kept that cannot be true (as the import warned of them).

    Exits 1 when something is wrong; values warned of alone are no failure.
    """
    from vipctl.book import queries
    from vipctl.store import upkeep

    db = app_of(ctx).open()
    try:
        health = upkeep.check(db)
        doubts = []
        if health.readable:
            with db.read() as conn:
                doubts = queries.doubts(conn, day_of(date))
    finally:
        db.close()
    for line in health.advice:
        echo(_("note: {text}").format(text=line))
    for line in doubts:
        echo(_("warning: {doubt}").format(doubt=line))
    if health.problems:
        for line in health.problems:
            echo(_("problem: {text}").format(text=line), err=True)
        raise typer.Exit(1)
    echo(_("{database}: no problems found.").format(database=db.name))


def config_path() -> None:
    """Print where vipctl reads its config file ($VIPCTL_CONFIG overrides it)."""
    from vipctl import config

    echo(str(config.path()))
