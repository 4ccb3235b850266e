"""Where the database is, opening it, and making sure its schema is one this code understands."""

from __future__ import annotations

import datetime as dt
import glob
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, bindparam, inspect, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError, ProgrammingError

from vipctl.config import INDICATORS
from vipctl.errors import NOW, Busy, UserError
from vipctl.i18n import N_, _
from vipctl.kinds import CHANNELS, outcome_of
from vipctl.store import changes, sqlite, tracking
from vipctl.store.schema import DAYS, SCHEMA_VERSION, TIER_COUNTS
from vipctl.store.tables import (
    AgendaEntry,
    AgendaSnapshot,
    AgendaTouch,
    AgentDeparture,
    Campaign,
    CampaignMember,
    CardChange,
    Client,
    ClientDate,
    ClientTier,
    Contact,
    DoneMark,
    FollowUp,
    Gift,
    Meta,
    Occasion,
    Payment,
    Policy,
    PremiumDue,
    ReportRun,
    ServiceRequest,
    Snooze,
    TierHistory,
    UndoStep,
    metadata,
)

ENV_VAR = "VIPCTL_DB"
_WRITE = "vipctl_write"  # execution option: the transaction takes the engine's write lock first


def _url(text: str) -> URL:
    """The URL, with PostgreSQL's own form (``postgresql://``, as psql and pg_dump take it)
    meaning the driver vipctl installs rather than SQLAlchemy's default one."""
    try:
        url = make_url(text)
    except ArgumentError:
        raise UserError(_("not a database URL: {url}").format(url=repr(text))) from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def _add_tiers(conn: Connection) -> None:
    for table in (ClientTier, TierHistory):
        table.create(conn)  # with its indexes


def _add_agenda(conn: Connection) -> None:
    for table in (PremiumDue, Payment, AgentDeparture, Contact, DoneMark, Snooze):
        table.create(conn)
    existing = {ix["name"] for ix in inspect(conn).get_indexes("policy")}
    for index in Policy.indexes:  # the agenda reads policies by date
        if index.name not in existing:
            index.create(conn)
    # Step 1 builds client_tier from today's model, which has the column already.
    if "first_seen" not in {col["name"] for col in inspect(conn).get_columns("client_tier")}:
        conn.execute(text("ALTER TABLE client_tier ADD COLUMN first_seen DATE"))  # standard SQL
    c, t = Client.c, ClientTier
    first = [
        {"key": k, "day": at.date()} for k, at in conn.execute(select(c.client_id, c.created_at))
    ]
    if first:
        update = t.update().where(t.c.client_id == bindparam("key"))
        conn.execute(update.values(first_seen=bindparam("day")), first)
    tracking.refresh_dues(conn, None)  # as of each policy's last import
    tracking.refresh_departures(conn, None)


def _add_report_runs(conn: Connection) -> None:
    ReportRun.create(conn)


def _add_who_and_share(conn: Connection) -> None:
    """Who logged, did and snoozed; whose report each run was; each client's premium share."""
    added = (("contact", "by_agent", "VARCHAR"), ("done_mark", "by_agent", "VARCHAR"),
             ("snooze", "by_agent", "VARCHAR"), ("report_run", "agent", "VARCHAR"),
             ("client_tier", "premium_share", "FLOAT"))  # fmt: skip
    for table, column, kind in added:
        # Earlier steps build tables from today's model, which has the column already.
        if column not in {col["name"] for col in inspect(conn).get_columns(table)}:
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {kind}"))
    c, t = Client.c, ClientTier
    income = select(c.annual_income).where(c.client_id == t.c.client_id).scalar_subquery()
    conn.execute(
        t.update().where(income > 0).values(premium_share=t.c.annual_premium * 100 / income)
    )


def _add_kept_lists(conn: Connection) -> None:
    for table in (AgendaSnapshot, AgendaEntry, AgendaTouch):
        table.create(conn)


def _add_not_assessed_and_value(conn: Connection) -> None:
    """A client with no indicator known has no tier (it was A, all five counted healthy); the
    segments rank a premium of their own, the annual premium until the next import or
    ``tier --recompute`` works it out (``NOTES``). The unpaid premiums are worked out again by
    the premium schedule's rules as they are now: a paid-up policy owed one before."""
    if "value_premium" not in {col["name"] for col in inspect(conn).get_columns("client_tier")}:
        conn.execute(text("ALTER TABLE client_tier ADD COLUMN value_premium NUMERIC(16, 2)"))
    t = ClientTier
    conn.execute(t.update().values(value_premium=t.c.annual_premium))
    if conn.dialect.name == "sqlite":
        sqlite.rebuild(conn, t)
    else:
        from vipctl.store import postgres

        postgres.rebuild(conn, t)
    conn.execute(t.update().where(t.c.missing == ",".join(INDICATORS)).values(tier=None))
    tracking.refresh_dues(conn, None)  # as of each policy's last import


def _add_outcomes_follow_ups_dates_and_changes(conn: Connection) -> None:
    """Contacts logged before outcomes were asked for took the outcome their channel implies
    (``kinds.outcome_of``): a call reached the client, a visit was made, the rest were sent."""
    if "outcome" not in {col["name"] for col in inspect(conn).get_columns("contact")}:
        conn.execute(text("ALTER TABLE contact ADD COLUMN outcome VARCHAR"))
    if "kept" not in {col["name"] for col in inspect(conn).get_columns("agent_departure")}:
        conn.execute(text("ALTER TABLE agent_departure ADD COLUMN kept BOOLEAN"))
    k = Contact
    for channel in CHANNELS:
        conn.execute(
            k.update()
            .where(k.c.channel == channel, k.c.outcome.is_(None))
            .values(outcome=outcome_of(channel, None))
        )
    for table in (FollowUp, ClientDate, CardChange, UndoStep, Gift):
        table.create(conn, checkfirst=True)


def _add_service_and_campaigns(conn: Connection) -> None:
    """Policies imported before say nothing of being participating: their product names do."""
    if "participating" not in {col["name"] for col in inspect(conn).get_columns("policy")}:
        conn.execute(text("ALTER TABLE policy ADD COLUMN participating BOOLEAN"))
    for table in (ServiceRequest, Campaign, CampaignMember):
        table.create(conn, checkfirst=True)


def _add_occasions(conn: Connection) -> None:
    """Empty: the first look after the upgrade fills it (the upgrade changes the book whole)."""
    Occasion.create(conn, checkfirst=True)


def _index_tier_counts(conn: Connection) -> None:
    """The index on the tier alone gives way to one the counts per tier and segment read."""
    conn.execute(text("DROP INDEX IF EXISTS ix_client_tier_tier"))
    counts = {index.name: index for index in ClientTier.indexes}[TIER_COUNTS]
    counts.create(conn, checkfirst=True)


def _keep_details(conn: Connection) -> None:
    """The occasions made again with what each item says: their rows are derived, so the table
    is made anew, empty, and the first look after the upgrade fills it (the upgrade changes the
    book whole)."""
    Occasion.drop(conn, checkfirst=True)
    Occasion.create(conn)


def _index_occasion_days(conn: Connection) -> None:
    {index.name: index for index in Occasion.indexes}[DAYS].create(conn, checkfirst=True)


# Schema version N -> the step that makes it N + 1. Steps use SQLAlchemy DDL, so they run the
# same on every engine.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    1: _add_tiers,
    2: _add_agenda,
    3: _add_report_runs,
    4: _add_who_and_share,
    5: _add_kept_lists,
    6: _add_not_assessed_and_value,
    7: _add_outcomes_follow_ups_dates_and_changes,
    8: _add_service_and_campaigns,
    9: _add_occasions,
    10: _index_tier_counts,
    11: _keep_details,
    12: _index_occasion_days,
}
# What the user should do after the step from version N, said once when the upgrade runs.
NOTES: dict[int, str] = {
    6: N_(
        "run 'vipctl tier --recompute' once: annual premiums and segments now leave paid-up "
        "policies out and count single premiums spread over years"
    ),
}


def staged_restore(path: Path) -> Path:
    """Where a restore into ``path`` copies and checks the backup first: beside it, private."""
    return path.with_name(f".{path.name}.restore.{os.getpid()}.tmp")


def sweep_restores(path: Path) -> None:
    """Remove what a restore into ``path`` killed part-way left: whole copies of a book (and
    their -wal and -shm), owner-only but still every client's data. A copy whose process still
    runs is a restore at work, and stays."""
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.restore.*.tmp*"):
        pid = leftover.name.removeprefix(f".{path.name}.restore.").split(".")[0]
        if pid.isdigit() and not _running(int(pid)):
            leftover.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    if os.name == "nt":  # signal 0 would end the process there: never look
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: running
        return True
    return True


def default_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("vipctl", appauthor=False) / "vipctl.db"


def resolve(db: str | None) -> Path | str:
    """``--db``, else ``$VIPCTL_DB``, else ``vipctl.db`` in the user's data directory: a file's
    path, or an SQLAlchemy URL (``postgresql+psycopg://user@host/dbname``) kept as a string."""
    chosen = db or os.environ.get(ENV_VAR)
    if chosen and "://" in chosen:
        return chosen
    return Path(chosen).expanduser() if chosen else default_path()


def aside(path: Path, why: str) -> Path:
    """A new name beside ``path`` for a copy kept for ``why``: sortable by time, never taken."""
    base = f"{path.name}.{why}.{dt.datetime.now():%Y%m%d-%H%M%S}"
    n = 0
    while (kept := path.with_name(f"{base}{f'-{n}' if n else ''}.bak")).exists():
        n += 1
    return kept


@dataclass(frozen=True)
class Upgrade:
    """What opening the database did to an older one: worth a line to the user."""

    from_version: int
    kept: Path | None  # the file as it was, or None when no copy was asked for

    @property
    def notes(self) -> list[str]:
        return [
            _(NOTES[step]) for step in range(self.from_version, SCHEMA_VERSION) if step in NOTES
        ]


class Database:
    """An opened, schema-checked database: a SQLite file, or a PostgreSQL database named by its
    URL. ``create`` makes a new file where there is none."""

    def __init__(
        self,
        where: Path | str,
        *,
        create: bool = False,
        keep_old: bool = True,
        shown_as: Path | None = None,
    ) -> None:
        """``shown_as``: the name messages give the file (a restore checks a copy of it)."""
        self.keep_old = keep_old  # copy an older schema's file aside before upgrading it
        self.upgraded: Upgrade | None = None
        self.path: Path | None = None  # the SQLite file; None on a server
        self.read_only: str | None = None  # why it cannot be written here; None: it can
        if isinstance(where, str):
            url = _url(where)
            backend = url.get_backend_name()
            if backend == "sqlite":
                where = Path(url.database or "").expanduser()
            elif backend == "postgresql":
                from vipctl.store import postgres

                self.name = url.render_as_string(hide_password=True)
                try:
                    self.engine: Engine = postgres.engine(url, _WRITE)
                except ImportError:
                    raise UserError(
                        _("PostgreSQL needs its driver: pip install 'vipctl[postgresql]'")
                    ) from None
                self._read_options = postgres.READ_OPTIONS
            else:
                said = _("vipctl runs on SQLite and PostgreSQL, not {backend}: {where}")
                raise UserError(said.format(backend=backend, where=where))
        if isinstance(where, Path):
            self.path = where
            self.name = str(shown_as or where)
            self.read_only = sqlite.read_only(where)
            if self.read_only is None:
                sweep_restores(where)
            self._create_file(where, create)
            self.engine = sqlite.engine(where, _WRITE, writable=self.read_only is None)
            self._read_options = sqlite.READ_OPTIONS
        try:
            self._check_schema()
        except DatabaseError as exc:
            self.engine.dispose()
            said = _("{database}: cannot open as a vipctl database ({why})")
            raise UserError(said.format(database=self.name, why=exc.orig)) from None

    @staticmethod
    def _create_file(path: Path, create: bool) -> None:
        if not path.exists():
            if not create:
                said = _("no database at {path} yet: run 'vipctl import FILE…' first")
                raise UserError(said.format(path=path))
            try:
                sqlite.create_private_file(path)
            except OSError as exc:
                said = _("cannot create the database {path}: {why}")
                raise UserError(said.format(path=path, why=exc.strerror)) from None
        elif path.is_dir():
            raise UserError(_("{path} is a directory, not a database file").format(path=path))

    def _check_schema(self) -> None:
        # Read first: a command that only looks must not wait behind an import's write lock.
        with self.read() as conn:
            found = self._version(conn)
        if found is None:
            with self.write() as conn:
                found = self._version(conn)  # another process may have created it meanwhile
                changes.declare(conn, changes.NOTHING if found else changes.EVERYTHING)
                if found is None:
                    metadata.create_all(conn)
                    meta = Meta.insert()
                    conn.execute(meta.values(key="schema_version", value=str(SCHEMA_VERSION)))
                    return
        if not found.isdigit():
            said = _("{database}: unknown schema version {version}")
            raise UserError(said.format(database=self.name, version=repr(found)))
        if int(found) > SCHEMA_VERSION:
            said = _(
                "{database} was written by a newer vipctl (schema {version}; this one knows up "
                "to {known}): upgrade vipctl to use it"
            )
            raise UserError(said.format(database=self.name, version=found, known=SCHEMA_VERSION))
        if int(found) < SCHEMA_VERSION:
            self._upgrade(int(found))

    def _upgrade(self, found: int) -> None:
        """Bring an older database up to date in place, in one transaction: all steps or none.

        A copy of the file as it was is kept beside it first: an upgrade that turns out wrong
        for someone's data must not cost them their book. (SQLite cannot copy a database from
        inside a write transaction, so the copy is made just before; a write slipping in
        between lands in the upgraded file, not lost.)
        """
        if found < 1:
            said = _("{database}: schema {version} is older than any vipctl can read")
            raise UserError(said.format(database=self.name, version=found))
        if self.read_only is not None:
            said = _(
                "{database} was written by an older vipctl and is upgraded when opened, which "
                "needs writing: {why}"
            )
            raise UserError(said.format(database=self.name, why=self.read_only))
        kept = self._keep_copy(found) if self.keep_old and self.path else None
        with self.write() as conn:
            version = int(self._version(conn) or found)  # another process may have upgraded it
            changes.declare(
                conn, changes.NOTHING if version == SCHEMA_VERSION else changes.EVERYTHING
            )
            if version == SCHEMA_VERSION:
                if kept is not None:
                    kept.unlink()
                return
            for step in range(version, SCHEMA_VERSION):
                MIGRATIONS[step](conn)
            meta = Meta
            conn.execute(
                meta.update()
                .where(meta.c.key == "schema_version")
                .values(value=str(SCHEMA_VERSION))
            )
            self.upgraded = Upgrade(version, kept)

    def _keep_copy(self, version: int) -> Path:
        assert self.path is not None  # a server's database is backed up with its own tools
        kept = aside(self.path, f"schema-{version}")
        raw = self.engine.raw_connection()
        try:
            sqlite.copy(raw.dbapi_connection, kept)
        except OSError as exc:
            said = _(
                "{path} needs an upgrade, but its copy {kept} cannot be written ({why}); nothing "
                "was changed"
            )
            raise UserError(said.format(path=self.path, kept=kept, why=exc.strerror)) from None
        finally:
            raw.close()
        return kept

    def _version(self, conn: Connection) -> str | None:
        """The stored schema version; None for an empty database, an error for a foreign one."""
        tables = set(inspect(conn).get_table_names())
        if Meta.name not in tables:
            if tables:
                said = _("{database} is not a vipctl database (it has other tables)")
                raise UserError(said.format(database=self.name))
            return None
        meta = Meta.c
        found = conn.scalar(select(meta.value).where(meta.key == "schema_version"))
        if found is None:
            raise UserError(_("{database}: no schema version recorded").format(database=self.name))
        return found

    @contextmanager
    def write(self, *, lock: object = True) -> Iterator[Connection]:
        """One transaction that holds the write lock from its start: all of it lands, or none.
        Inside it the work declares what it changes (``changes.declare``), which the book's
        change journal records as it commits; a transaction that declared nothing is refused.
        ``lock=NOW``: raise ``Busy`` rather than wait for another writer."""
        if self.read_only is not None:
            said = _(
                "{database} cannot be written here: {why}. Commands that only read work; to "
                "record, work on a copy you may write, or ask for access"
            )
            raise UserError(said.format(database=self.name, why=self.read_only))
        with self.engine.connect() as conn:
            conn.execution_options(**{_WRITE: lock})
            changes.begin(conn)
            with conn.begin():
                yield conn
                changes.end(conn)

    def write_if_free(self, work: Callable[[Connection], object]) -> bool:
        """Run ``work`` in a write transaction if no other writer holds the lock now and the
        database may be written (a read-only file, a role without write rights); whether it
        ran. For work worth doing but not worth waiting, or failing, for."""
        if self.read_only is not None:
            return False
        try:
            with self.write(lock=NOW) as conn:
                work(conn)
        except (Busy, OperationalError, ProgrammingError):
            return False
        return True

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """One transaction: a consistent snapshot even while an import commits."""
        with self.engine.connect() as conn:
            conn.execution_options(**self._read_options)
            with conn.begin():
                yield conn

    @contextmanager
    def exclusive(self, job: str) -> Iterator[None]:
        """Run ``job`` (e.g. "report") alone on this database: a second one fails at once rather
        than queue (a cron job must not pile up)."""
        if self.path is None:
            from vipctl.store import postgres

            with postgres.exclusive(self.engine, job):
                yield
        else:
            from vipctl import files

            with files.exclusive(
                self.path.with_name(f"{self.path.name}.{job}.lock"), f"vipctl {job}"
            ):
                yield

    def close(self) -> None:
        self.engine.dispose()
