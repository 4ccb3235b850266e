"""What every command works with: the options given before the command (the database, who is
at work) as one typed object, and the way errors and messages reach the user.

Heavy modules (SQLAlchemy, SQLModel, Rich, the config reader) are imported when first used, so
``vipctl --help`` starts with Typer alone.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import typer

from vipctl.errors import UserError
from vipctl.i18n import _

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from vipctl.config import Config
    from vipctl.store import Database


@dataclass
class App:
    """The options given before the command, and what they lead to: the database, the config,
    the agent at work."""

    db: str | None  # --db / $VIPCTL_DB
    as_agent: str | None  # --as
    _config: Config | None = field(default=None, repr=False)

    def config(self) -> Config:
        """The config file, read once."""
        if self._config is None:
            from vipctl import config

            self._config = config.load()
        return self._config

    def open(self, *, create: bool = False) -> Database:
        """The database, its schema checked (and upgraded, which the user is told of)."""
        from vipctl.store import Database, resolve

        db = Database(resolve(self.db), create=create)
        if db.upgraded is not None:
            from vipctl.store.schema import SCHEMA_VERSION

            kept = db.upgraded.kept
            said = (
                _(
                    "vipctl: upgraded {database} from schema {old} to {new}; the file as it was "
                    "is kept as {kept}"
                )
                if kept
                else _("vipctl: upgraded {database} from schema {old} to {new}")
            )
            values = {"old": db.upgraded.from_version, "new": SCHEMA_VERSION, "kept": kept}
            echo(said.format(database=db.name, **values), err=True)
            for note in db.upgraded.notes:
                echo(f"vipctl: {note}", err=True)
        return db

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Connection]:
        """One read or write transaction on the database, closed after."""
        db = self.open()
        try:
            with db.write() if write else db.read() as conn:
                yield conn
        finally:
            db.close()

    def me(self) -> str | None:
        """Who is at work: --as, else the config's [team] agent; None when neither says."""
        return self.as_agent or self.config().team.agent

    def whose(self, agent: str | None, everyone: bool) -> str | None:
        """The agent whose clients a listing shows: --agent, else nobody in particular with
        --all, else the user's own when they are known."""
        if agent is not None and everyone:
            from vipctl.cli.manual import usage_error

            raise usage_error(_("--agent and --all: choose one"))
        return agent if agent is not None or everyone else self.me()


def app_of(ctx: typer.Context) -> App:
    found = ctx.find_root().obj
    assert isinstance(found, App)
    return found


def echo(message: str, *, err: bool = False) -> None:
    """One line for a person: ID and phone numbers masked, control characters shown, whatever
    a value in it holds (``safety.scrub``). On a terminal it wraps between words at the
    screen's width, where the terminal itself would cut a word, an id or a date in two."""
    from vipctl.safety import scrub

    text = scrub(message)
    stream = sys.stderr if err else sys.stdout
    if stream.isatty():
        from vipctl.views.fit import wrap
        from vipctl.views.render import screen_width

        text = wrap(text, screen_width(), hang=False)
    typer.echo(text, err=err)


def warn(doubt: str) -> None:
    """A warning on stderr: valid, yet worth a look; the command goes on."""
    echo(_("warning: {doubt}").format(doubt=doubt), err=True)


def fail(message: str) -> typer.Exit:
    echo(f"vipctl: {message}", err=True)
    return typer.Exit(1)


def user_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the errors a user can fix into one clear line on stderr and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from sqlalchemy.exc import DatabaseError, OperationalError

        try:
            return command(*args, **kwargs)
        except UserError as exc:
            raise fail(str(exc)) from None
        except BrokenPipeError:  # `| head` read what it wanted: nothing to say
            silence_stdout()
            raise typer.Exit(0) from None
        except OSError as exc:  # the output cannot be written (a full disk), or a file read
            said = _("{file}: {why}") if exc.filename else _("cannot write the output: {why}")
            raise fail(said.format(file=exc.filename, why=exc.strerror or exc)) from None
        except OperationalError as exc:
            if "locked" in str(exc.orig):
                raise fail(
                    _("the database is busy (another vipctl is writing); try again")
                ) from None
            raise fail(_("database error: {why}").format(why=exc.orig)) from None
        except DatabaseError as exc:
            said = _(
                "database error: {why} ('vipctl check' tells more; 'vipctl restore FILE' brings "
                "back a backup)"
            )
            raise fail(said.format(why=exc.orig)) from None

    return wrapper


def silence_stdout() -> None:
    """Point stdout at the null device, so the flush at exit does not fail again on a pipe
    nobody reads any more."""
    with suppress(OSError, ValueError):  # ValueError: a stream without a file (tests)
        sys.stdout.flush()
    with suppress(OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
