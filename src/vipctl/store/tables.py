"""The stored tables as SQLAlchemy Core sees them, loaded without building ``models``.

Every command reads and writes through Core (``Client.c.name``, ``Client.insert()``). Building
the SQLModel classes takes about 0.3 s of each start (sqlmodel, pydantic's schemas, SQLAlchemy's
ORM and its mappers), more than a day's list's own work on a large book, and all a command needs
of them is their tables. So the tables are built from the classes once, kept pickled in the
user's cache under a digest of everything they are built from (the models' source and this
module's, the Python and library versions), and loaded from there at each start in a
millisecond. A file that is not the user's own, or that others may write, is not loaded: a
pickle can run code.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy
from sqlalchemy import MetaData, String, Table

_HERE = Path(__file__).parent
_SOURCES = ("models.py", "schema.py", "tables.py")
_LIBRARIES = (("sqlmodel", "__init__.py"), ("pydantic", "version.py"))  # their versions
_STALE = 30 * 86400  # an older cache of other sources is removed when one is written


def _digest() -> str | None:
    """What the tables are built from, digested; None when a source cannot be read."""
    digest = hashlib.sha256(f"{sys.version}\n{sqlalchemy.__version__}\n".encode())
    try:
        for name in _SOURCES:
            digest.update((_HERE / name).read_bytes())
        for package, file in _LIBRARIES:
            spec = importlib.util.find_spec(package)
            if spec is None or spec.origin is None:
                return None
            digest.update(Path(spec.origin).with_name(file).read_bytes())
    except OSError:
        return None
    return digest.hexdigest()[:24]


def build() -> MetaData:
    """The models' tables, each column typed by SQLAlchemy or ``schema`` alone: sqlmodel's
    ``AutoString`` differs from ``String`` only on MySQL, which vipctl does not speak."""
    from sqlmodel import SQLModel
    from sqlmodel.sql.sqltypes import AutoString

    from vipctl.store import models  # noqa: F401  (defines the tables on SQLModel.metadata)

    built = MetaData()
    for table in SQLModel.metadata.sorted_tables:
        copy = table.to_metadata(built)
        for column in copy.c:
            if isinstance(column.type, AutoString):
                column.type = String(column.type.length)
            elif type(column.type).__module__.split(".")[0] == "sqlmodel":
                raise TypeError(f"{table.name}.{column.name}: no plain type for {column.type!r}")
    return built


def _cache_dir() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path("vipctl", appauthor=False)


def _load(path: Path) -> MetaData | None:
    try:
        with path.open("rb") as kept:
            found = os.fstat(kept.fileno())
            if hasattr(os, "getuid") and (found.st_uid != os.getuid() or found.st_mode & 0o022):
                return None
            loaded = pickle.load(kept)
    except Exception:  # none yet, or a torn or stale one, whatever reading it raised: built again
        return None
    return loaded if isinstance(loaded, MetaData) else None


def _keep(metadata: MetaData, path: Path) -> None:
    """Write the cache whole or not at all (other processes may be loading it), and leave a
    cache that cannot be written unwritten: the next start builds the tables again."""
    temp = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tables.", suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            pickle.dump(metadata, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, path)
        for old in path.parent.glob("tables-*.pickle"):
            if old != path and time.time() - old.stat().st_mtime > _STALE:
                old.unlink(missing_ok=True)
    except OSError:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)


def _metadata() -> MetaData:
    key = _digest()
    path = None if key is None else _cache_dir() / f"tables-{key}.pickle"
    found = None if path is None else _load(path)
    if found is None:
        found = build()
        if path is not None:
            _keep(found, path)
    return found


metadata = _metadata()
Meta: Table = metadata.tables["vipctl_meta"]
Client: Table = metadata.tables["client"]
Policy: Table = metadata.tables["policy"]
ClientTier: Table = metadata.tables["client_tier"]
TierHistory: Table = metadata.tables["tier_history"]
PremiumDue: Table = metadata.tables["premium_due"]
Payment: Table = metadata.tables["payment"]
AgentDeparture: Table = metadata.tables["agent_departure"]
Contact: Table = metadata.tables["contact"]
CardChange: Table = metadata.tables["card_change"]
UndoStep: Table = metadata.tables["undo_step"]
Gift: Table = metadata.tables["gift"]
ServiceRequest: Table = metadata.tables["service_request"]
Campaign: Table = metadata.tables["campaign"]
CampaignMember: Table = metadata.tables["campaign_member"]
FollowUp: Table = metadata.tables["follow_up"]
ClientDate: Table = metadata.tables["client_date"]
DoneMark: Table = metadata.tables["done_mark"]
Snooze: Table = metadata.tables["snooze"]
ReportRun: Table = metadata.tables["report_run"]
AgendaSnapshot: Table = metadata.tables["agenda_snapshot"]
AgendaEntry: Table = metadata.tables["agenda_entry"]
AgendaTouch: Table = metadata.tables["agenda_touch"]
Occasion: Table = metadata.tables["occasion"]
