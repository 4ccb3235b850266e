"""What ``vipctl undo`` takes back: each change made through vipctl is kept as a step, the rows
it inserted and the rows it changed as they were before, written in the change's own
transaction. Taking a step back deletes those rows and puts the others back as they were.

An import is kept as a step that cannot be taken back (a backup is for that): ``undo`` stops
there, as what came before it was changed by the import since.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    DateTime,
    Float,
    Numeric,
    Table,
    TypeDecorator,
    and_,
    func,
    select,
)

from vipctl.errors import UserError
from vipctl.i18n import _
from vipctl.store import changes
from vipctl.store.schema import now
from vipctl.store.tables import (
    Campaign,
    CampaignMember,
    CardChange,
    ClientDate,
    Contact,
    DoneMark,
    FollowUp,
    Gift,
    Payment,
    ServiceRequest,
    UndoStep,
    metadata,
)

IMPORT = "import"
# The tables a change inserts numbered rows into: the rows past their largest number before it
# are the change's own.
# A campaign's members come before the campaign: taking it back deletes them first.
NUMBERED = (
    Contact, DoneMark, Payment, FollowUp, ClientDate, CardChange, Gift, ServiceRequest,
    CampaignMember, Campaign,
)  # fmt: skip


def _plain(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _typed(table: Table, row: dict) -> dict:
    """A row read back from JSON, each value of its column's type again."""
    out = {}
    for name, value in row.items():
        kind = table.c[name].type
        kind = kind.impl_instance if isinstance(kind, TypeDecorator) else kind
        if value is None:
            out[name] = value
        elif isinstance(kind, DateTime):
            when = dt.datetime.fromisoformat(value)
            out[name] = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
        elif isinstance(kind, Date):
            out[name] = dt.date.fromisoformat(value)
        elif isinstance(kind, Numeric) and not isinstance(kind, Float):
            out[name] = Decimal(value)
        else:
            out[name] = value
    return out


def _where(table: Table, key: dict) -> ColumnElement[bool]:
    return and_(*(table.c[k] == v for k, v in key.items()))


@dataclass
class Step:
    """One change as it is made: what it will have inserted, and what it alters, as it was."""

    what: str
    clients: set[str] = field(default_factory=set)
    before: list[tuple[str, dict, dict | None]] = field(default_factory=list)
    reassess: bool = False
    _largest: dict[str, int] = field(default_factory=dict)

    def keep(
        self, conn: Connection, table: str, key: dict, columns: Sequence[str] | None = None
    ) -> None:
        """Remember the row of ``table`` with ``key`` (only ``columns`` of it) as it is now."""
        t = metadata.tables[table]
        chosen = [t.c[c] for c in columns] if columns else list(t.c)
        row = conn.execute(select(*chosen).where(_where(t, key))).mappings().first()
        plain = {k: _plain(v) for k, v in row.items()} if row is not None else None
        self.before.append((table, {k: _plain(v) for k, v in key.items()}, plain))


@contextmanager
def step(
    conn: Connection, what: str, clients: Collection[str], *, by: str | None = None
) -> Iterator[Step]:
    """Keep the change made in the block as a step ``vipctl undo`` can take back."""
    made = Step(what, set(clients))
    for table in NUMBERED:
        made._largest[table.name] = conn.scalar(select(func.max(table.c.id))) or 0
    yield made
    inserted = {}
    for table in NUMBERED:
        ids = conn.scalars(select(table.c.id).where(table.c.id > made._largest[table.name]))
        found = sorted(ids)
        if found:
            inserted[table.name] = found
    steps = {
        "inserted": inserted,
        "before": made.before,
        "clients": sorted(made.clients),
        "reassess": made.reassess,
    }
    conn.execute(
        UndoStep.insert().values(
            what=what,
            steps=json.dumps(steps, ensure_ascii=False),
            made_at=now(),
            by_agent=by,
        )
    )


def imported(conn: Connection) -> None:
    """An import: nothing before it can be taken back."""
    conn.execute(UndoStep.insert().values(what=IMPORT, steps="{}", made_at=now()))


@dataclass(frozen=True)
class Undone:
    what: str
    by: str | None
    made_at: dt.datetime
    clients: list[str]
    reassess: bool


def undo(conn: Connection) -> Undone:
    """Take back the latest change not yet taken back; what it was. The caller reassesses the
    clients' tiers when ``reassess`` says the change had moved them."""
    u = UndoStep
    last = (
        conn.execute(select(u).where(u.c.undone_at.is_(None)).order_by(u.c.id.desc()).limit(1))
        .mappings()
        .first()
    )
    if last is None:
        raise UserError(_("nothing to undo: no change made through vipctl is left to take back"))
    if last["what"] == IMPORT:
        raise UserError(
            _(
                "the last change was an import, which undo does not take back: 'vipctl restore "
                "FILE' brings back a backup"
            )
        )
    steps = json.loads(last["steps"])
    for name, ids in steps["inserted"].items():
        table = metadata.tables[name]
        conn.execute(table.delete().where(table.c.id.in_(ids)))
    for name, key, row in reversed(steps["before"]):
        table = metadata.tables[name]
        key = _typed(table, key)
        if row is None:
            conn.execute(table.delete().where(_where(table, key)))
        elif (
            conn.execute(
                table.update().where(_where(table, key)).values(_typed(table, row))
            ).rowcount
            == 0
        ):
            conn.execute(table.insert().values(_typed(table, {**row, **key})))
    conn.execute(u.update().where(u.c.id == last["id"]).values(undone_at=now()))
    changes.declare(conn, steps["clients"])
    return Undone(
        last["what"], last["by_agent"], last["made_at"], steps["clients"], steps["reassess"]
    )
