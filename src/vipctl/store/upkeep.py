"""Keeping the book safe: copies made while it is in use, restoring one, and checking it.

An agent's whole book is one file; a copy they cannot restore, or a restore that swaps in a
broken file, would be worse than none, so every restore is checked before it replaces anything.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Select, func, select

from vipctl import files
from vipctl.config import TIERS
from vipctl.errors import UserError
from vipctl.i18n import N_, _
from vipctl.store import changes, sqlite
from vipctl.store.database import Database, aside, staged_restore
from vipctl.store.tables import Client, ClientTier, Policy, PremiumDue

SERVER_BACKUP = N_(
    "not on PostgreSQL: back up with pg_dump -Fc and bring it back with pg_restore (docs/team.md)"
)


def backup(db: Database, target: Path) -> None:
    """Copy the database to ``target`` (replaced whole, owner-only), safe while others write."""
    if db.path is None:
        raise UserError(_(SERVER_BACKUP))
    target = target.expanduser()
    if target.exists() and target.resolve() == db.path.resolve():
        said = _("{path} is the database itself: back it up to another file")
        raise UserError(said.format(path=target))
    target = files.writable_target(target)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    raw = db.engine.raw_connection()
    try:
        sqlite.copy(raw.dbapi_connection, temp)
        os.replace(temp, target)
    except (OSError, sqlite.Error) as exc:  # a full disk is sqlite3's error, not an OSError
        temp.unlink(missing_ok=True)
        why = exc.strerror if isinstance(exc, OSError) else str(exc)
        said = _("cannot write the backup {path}: {why}")
        raise UserError(said.format(path=target, why=why)) from None
    finally:
        raw.close()


def restore(path: Path | str, source: Path) -> Path | None:
    """Replace the database at ``path`` by the backup ``source``, once the backup checks out.

    The backup is copied and checked aside (an older schema upgraded in the copy, never in the
    user's file); the database as it was is kept beside it. Returns where that copy is.
    """
    if isinstance(path, str):  # a server's URL
        raise UserError(_(SERVER_BACKUP))
    source = source.expanduser()
    if not source.is_file():
        raise UserError(_("no backup file {path}").format(path=source))
    if path.exists() and source.resolve() == path.resolve():
        raise UserError(_("{path} is the database itself").format(path=source))
    staged = staged_restore(path)
    existed = path.exists()
    try:
        try:
            sqlite.copy_file(source, staged)
        except sqlite.NotADatabase as exc:
            said = _("{path} is not a vipctl backup ({why})")
            raise UserError(said.format(path=source, why=exc)) from None
        checked = Database(staged, keep_old=False, shown_as=source)
        try:
            found = check(checked).problems  # advice and doubts: no reason to refuse
        finally:
            checked.close()
        if found:
            said = _("{path} fails its checks, nothing restored: {problems}")
            raise UserError(said.format(path=source, problems="; ".join(found)))
        kept = None
        db = Database(path, create=True)
        try:
            if db.read_only is not None:
                said = _("cannot restore into {path}: {why}")
                raise UserError(said.format(path=path, why=db.read_only))
            with db.read() as conn:
                replaced = changes.generation(conn)
            raw = db.engine.raw_connection()
            try:
                if existed:
                    kept = aside(path, "before-restore")
                    sqlite.copy(raw.dbapi_connection, kept)
                sqlite.overwrite(staged, raw.dbapi_connection)
            finally:
                raw.close()
            with db.write() as conn:  # a new book: no list worked out before this one holds
                changes.move_past(conn, replaced)
        finally:
            db.close()
        return kept
    except OSError as exc:
        said = _("cannot restore {path}: {why}")
        raise UserError(said.format(path=source, why=exc.strerror)) from None
    finally:
        for leftover in (staged, Path(f"{staged}-wal"), Path(f"{staged}-shm")):
            leftover.unlink(missing_ok=True)


@dataclass(frozen=True)
class Health:
    """What ``check`` found. ``readable``: the pages are sound, so the book's rows can be read
    for more (the values the import warned of)."""

    problems: list[str]
    advice: list[str]  # not broken, but the agenda stays short until the user acts
    readable: bool


def check(db: Database) -> Health:
    """SQLite's own checks first (a server checks its own pages and keys as it writes them),
    then vipctl's rules, which would read broken pages."""
    if db.path is not None:
        raw = db.engine.raw_connection()
        try:
            found = sqlite.damage(raw.dbapi_connection)
        finally:
            raw.close()
        if found:
            return Health(found, [], readable=False)
    with db.read() as conn:
        return Health(consistency(conn), advice(conn), readable=True)


def advice(conn: Connection) -> list[str]:
    c, t = Client.c, ClientTier.c
    unassessed = _count(conn, select(c.client_id).where(c.client_id.not_in(select(t.client_id))))
    if unassessed:
        said = _("{n} clients have no tier yet: run 'vipctl tier --recompute'")
        return [said.format(n=unassessed)]
    return []


def _count(conn: Connection, query: Select) -> int:
    return conn.scalar(select(func.count()).select_from(query.subquery())) or 0


def consistency(conn: Connection) -> list[str]:
    """The rules vipctl relies on that the schema alone does not enforce."""
    c, p, t = Client.c, Policy.c, ClientTier.c
    d = PremiumDue.c
    problems = []

    def count(query: Select) -> int:
        return _count(conn, query)

    orphans = count(select(p.policy_no).where(p.client_id.not_in(select(c.client_id))))
    if orphans:
        problems.append(_("{n} policies belong to no client").format(n=orphans))
    bad_tier = count(select(t.client_id).where(t.tier.not_in(TIERS)))
    if bad_tier:
        said = _("{n} clients have a tier other than {tiers}")
        problems.append(said.format(n=bad_tier, tiers=", ".join(TIERS)))
    mismatched = count(
        select(d.policy_no)
        .join(Policy, p.policy_no == d.policy_no)
        .where(p.client_id != d.client_id)
    )
    if mismatched:
        problems.append(
            _("{n} unpaid premiums are filed under another client").format(n=mismatched)
        )
    return problems
