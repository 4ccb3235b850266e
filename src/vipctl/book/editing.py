"""Editing a client's card in vipctl (``vipctl edit``), by the data contract's rules: each value
is read as an import reads it, each change is kept (who, when, old → new), and a change to what
a tier is assessed on reassesses it at once. An import keeps what was edited on or after its
export's day (``kept``), unless told the file wins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, select

from vipctl import contract
from vipctl.book import assessing
from vipctl.config import Config
from vipctl.errors import UserError, happened, no_client
from vipctl.i18n import N_, _
from vipctl.rules import plausible, tiers
from vipctl.rules.tiers import Recomputed
from vipctl.store import changes, journal
from vipctl.store.schema import now
from vipctl.store.tables import AgentDeparture, CardChange, Client, ClientTier

# What a tier or a segment is worked out from: changing one reassesses the client.
ASSESSED_ON = frozenset((*tiers.NAMES, "annual_income"))
FIELDS = tuple(c.name for c in contract.CLIENT_COLUMNS if c.name != "client_id")


@dataclass(frozen=True)
class Change:
    field: str
    old: str | None
    new: str | None


@dataclass
class Edited:
    changes: list[Change]
    doubts: list[str]  # valid, yet implausible: kept, and said
    assessment: Recomputed | None  # when the edit touched what the tier is assessed on


def text(value: object) -> str | None:
    """A stored value as the change history keeps it: ISO dates, plain amounts, yes/no."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value:f}".removesuffix(".00")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def column(name: str) -> contract.Column:
    """The card's field ``name`` (the contract's name or a Chinese alias); an error names the
    fields there are."""
    found = contract.match_header("clients", name)
    if found is None or found.name == "client_id":
        said = _("no card field {field}; the fields are: {fields}")
        raise UserError(said.format(field=repr(name), fields=", ".join(FIELDS)))
    return found


def parse(col: contract.Column, value: str) -> object:
    """``value`` as an import would store it; empty clears the field (a required one cannot be)."""
    value = value.strip()
    if not value:
        if col.required:
            raise UserError(_("{field}: required, but empty").format(field=col.name))
        return None
    try:
        parsed = col.parse(value)
    except ValueError as exc:
        said = _("{field}: {problem} (got '{value}')")
        raise UserError(said.format(field=col.name, problem=exc, value=value)) from None
    return getattr(parsed, "number", parsed)  # an ID number is stored as its 18 characters


def edit(
    conn: Connection,
    config: Config,
    client_id: str,
    given: Iterable[tuple[str, str]],
    day: dt.date,
    *,
    by: str | None = None,
) -> Edited:
    """Set the card's fields ``given`` (field, value as typed), all or none; what changed."""
    happened(day, N_("an edit"))
    c = Client
    wanted: dict[str, object] = {}
    for name, value in given:
        col = column(name)
        wanted[col.name] = parse(col, value)
    row = conn.execute(select(c).where(c.c.client_id == client_id)).mappings().first()
    if row is None:
        raise no_client(client_id)
    made = [Change(f, text(row[f]), text(v)) for f, v in wanted.items() if row[f] != v]
    after = {**row, **wanted}
    doubts = [
        f"{field}: {why}"
        for field, why in plausible.client(
            after["birthday"], after["wedding_anniversary"], day, plausible.TODAY
        )
        if field in wanted
    ]
    if not made:
        changes.declare(conn, changes.NOTHING)
        return Edited([], doubts, None)
    stamp = now()
    values = {ch.field: wanted[ch.field] for ch in made}
    with journal.step(conn, f"edit {client_id}", [client_id], by=by) as step:
        step.keep(conn, "client", {"client_id": client_id}, [*values, "updated_at"])
        step.reassess = bool(ASSESSED_ON & set(values))
        _write(conn, client_id, made, values, day, stamp, by)
    changes.declare(conn, [client_id])
    assessment = None
    if ASSESSED_ON & set(values):  # a tier or segment that moves says so itself (the book's)
        assessment = assessing.recompute(conn, config, day, only={client_id})
    return Edited(made, doubts, assessment)


def _write(
    conn: Connection,
    client_id: str,
    made: list[Change],
    values: dict[str, object],
    day: dt.date,
    stamp: dt.datetime,
    by: str | None,
) -> None:
    c = Client
    conn.execute(c.update().where(c.c.client_id == client_id).values(**values, updated_at=stamp))
    conn.execute(
        CardChange.insert(),
        [
            {
                "client_id": client_id,
                "field": ch.field,
                "old": ch.old,
                "new": ch.new,
                "changed_on": day,
                "recorded_at": stamp,
                "by_agent": by,
            }
            for ch in made
        ],
    )


def undo(conn: Connection, config: Config, day: dt.date) -> journal.Undone:
    """Take back the latest change made through vipctl (``store.journal``), reassessing the
    client when the change had moved their tier."""
    undone = journal.undo(conn)
    if undone.reassess:
        assessing.recompute(conn, config, day, only=set(undone.clients))
    return undone


def history(conn: Connection, client_id: str) -> list[dict]:
    """The card's changes made in vipctl, latest first."""
    k = CardChange.c
    query = (
        select(k.changed_on.label("date"), k.field, k.old, k.new, k.by_agent.label("by"))
        .where(k.client_id == client_id)
        .order_by(k.changed_on.desc(), k.id.desc())
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def kept(conn: Connection, since: dt.date) -> dict[str, set[str]]:
    """The fields edited in vipctl on or after ``since`` (an export's day), by client: an import
    of that export keeps them, as the file was written before the edit was made."""
    k = CardChange.c
    query = select(k.client_id, k.field).where(k.changed_on >= since).distinct()
    found: dict[str, set[str]] = {}
    for client, name in conn.execute(query):
        found.setdefault(client, set()).add(name)
    return found


@dataclass
class Reassigned:
    clients: list[str]
    callbacks: int  # departed-agent callbacks that stay owed, now on the new agent's list


def reassign(
    conn: Connection,
    source: str,
    target: str,
    day: dt.date,
    *,
    clients: Collection[str] = (),
    tiers_wanted: Collection[str] = (),
    by: str | None = None,
) -> Reassigned:
    """Move ``source``'s clients (only ``clients``, only of ``tiers_wanted``, when given) to
    ``target``, as one change: each card's agent edited (and kept by later imports, as an edit
    is), the new agent active. A client whose agent had left keeps the departed-agent callback
    owed, now on the new agent's list, until someone reaches them."""
    happened(day, N_("a reassignment"))
    if source == target:
        raise UserError(_("--from and --to are the same agent: {agent}").format(agent=source))
    c, t, a = Client, ClientTier.c, AgentDeparture
    query = select(c.c.client_id, c.c.agent_status).where(c.c.agent == source)
    if tiers_wanted:
        query = query.join(ClientTier, t.client_id == c.c.client_id).where(
            t.tier.in_(list(tiers_wanted))
        )
    found = dict(conn.execute(query.order_by(c.c.client_id)).all())
    if clients:
        others = [k for k in clients if k not in found]
        if others:
            said = _("not clients of {agent} (or not of those tiers): {clients}")
            raise UserError(said.format(agent=source, clients=", ".join(others)))
        found = {k: found[k] for k in clients}
    if not found:
        raise UserError(_("no client of {agent} to reassign").format(agent=source))
    owed = {
        k for k, v in conn.execute(select(a.c.client_id, a.c.since).where(a.c.client_id.in_(found)))
    }
    stamp = now()
    changes.declare(conn, list(found))
    with journal.step(conn, f"reassign {source} → {target}", found, by=by) as step:
        for client, status in found.items():
            step.keep(
                conn, "client", {"client_id": client}, ["agent", "agent_status", "updated_at"]
            )
            step.keep(conn, "agent_departure", {"client_id": client})
            made = [Change("agent", source, target)]
            if status != "active":
                made.append(Change("agent_status", text(status), "active"))
            values = {"agent": target, "agent_status": "active"}
            _write(conn, client, made, values, day, stamp, by)
            if status == "left" or client in owed:
                _keep_callback(conn, client, source, day, known=client in owed)
    return Reassigned(list(found), sum(1 for k, s in found.items() if s == "left" or k in owed))


def _keep_callback(conn: Connection, client: str, agent: str, day: dt.date, *, known: bool) -> None:
    a = AgentDeparture
    if known:
        conn.execute(a.update().where(a.c.client_id == client).values(kept=True))
    else:
        conn.execute(a.insert().values(client_id=client, agent=agent, since=day, kept=True))


def card_text(card: dict) -> str:
    """The card as a TOML document to edit: every field as text, as an import would read it,
    its Chinese header beside it."""
    head = [
        _(
            "# The card of {client} {name}. Change a value and save; an empty value clears it."
        ).format(client=card["client_id"], name=card["name"]),
        _("# Close without saving, or save it as it was, to change nothing."),
        "",
    ]
    lines = []
    for col in contract.CLIENT_COLUMNS:
        if col.name == "client_id":
            continue
        value = text(card.get(col.name)) or ""
        alias = f"  # {col.aliases[0]}" if col.aliases else ""
        lines.append(f"{col.name} = {_toml_string(value)}{alias}")
    return "\n".join([*head, *lines]) + "\n"


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def read_card(edited: str, card: dict) -> tuple[list[tuple[str, str]], list[str]]:
    """The fields changed in an edited card document (field, value as written) and what is
    wrong with it; each value checked as ``edit`` checks it."""
    import tomllib

    try:
        data = tomllib.loads(edited)
    except tomllib.TOMLDecodeError as exc:
        return [], [_("not a valid card: {why}").format(why=exc)]
    given, errors = [], []
    for name, value in data.items():
        if name not in FIELDS:
            said = _("no card field {field}; the fields are: {fields}")
            errors.append(said.format(field=repr(name), fields=", ".join(FIELDS)))
            continue
        if isinstance(value, bool):
            value = "yes" if value else "no"
        value = str(value)
        if value == (text(card.get(name)) or ""):
            continue
        try:
            parse(column(name), value)
        except UserError as exc:
            errors.append(str(exc))
            continue
        given.append((name, value))
    return given, errors
