"""What ``vipctl tier`` shows: the distribution, the period's movements and one client's
explanation, shaped once as data and then written as a table, JSON or CSV."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from vipctl.config import NOT_ASSESSED, SEGMENTS, TIERS, Config
from vipctl.i18n import N_, _, ngettext
from vipctl.rules import tiers
from vipctl.rules.tiers import Recomputed
from vipctl.views import render, words
from vipctl.views.fit import Col

INCOMPLETE_NOTE = N_("* assessment incomplete: some indicators are unknown")
TIER_FIELDS = ["tier", "tier_incomplete", "segment"]  # what listings add to a client


def recomputed_line(done: Recomputed) -> str:
    """One line on stderr saying what a recompute changed, so stdout stays the listing."""
    clients = words.counted(done.clients, "{n} client", "{n} clients")
    if not done.changed:
        return _("Recomputed {clients}: nothing changed.").format(clients=clients)
    parts = []
    if done.first:
        parts.append(_("{n} assessed for the first time").format(n=done.first))
    if done.no_indicators:
        parts.append(_("{n} not assessed (no indicator known)").format(n=done.no_indicators))
    if done.up or done.down:
        parts.append(_("{up} moved up, {down} moved down").format(up=done.up, down=done.down))
    if done.segment_changes:
        parts.append(_("{n} changed segment").format(n=done.segment_changes))
    return _("Recomputed {clients}: {changes}.").format(
        clients=clients, changes=_("; ").join(parts)
    )


NOT_ASSESSED_TEXT = N_("not assessed")
NO_INDICATORS = N_("no indicator is known (fill them in on the card or in the export)")


def shown_tier(tier: str | None, incomplete: bool | None) -> str:
    """The tier as people read it: an incomplete assessment carries a star; a client without a
    tier (no indicator known, or never assessed) is not assessed, never a tier with a mark."""
    if tier is None:
        return _(NOT_ASSESSED_TEXT)
    return f"{tier}*" if incomplete else tier


def tally_label(key: str) -> str:
    """A key of the lists' clients-per-tier tallies as people read it ("?": no tier)."""
    return _(NOT_ASSESSED_TEXT) if key == "?" else key


def segment_label(segment: str | None) -> str:
    """A value segment as people read it (the name scripts see is the message id)."""
    return str(words.word(segment)) if segment else ""


def with_shown_tier(rows: list[dict]) -> list[dict]:
    return [{**r, "tier_shown": shown_tier(r["tier"], r["tier_incomplete"])} for r in rows]


def incomplete_caption(rows: list[dict]) -> str | None:
    """The note under a listing where a tier carries the star of an incomplete assessment."""
    return _(INCOMPLETE_NOTE) if any(r["tier"] and r["tier_incomplete"] for r in rows) else None


def summary(
    counts: list[dict], moves: list[dict], *, since: dt.date, until: dt.date, unassessed: int
) -> dict:
    """The distribution and movements as one JSON-ready dict (docs/tiers.md documents its shape)."""
    matrix = {t: dict.fromkeys(SEGMENTS, 0) for t in TIERS}
    segments = dict.fromkeys(SEGMENTS, 0)  # of every client, assessed or not
    no_indicators = 0
    for row in counts:
        segments[row["segment"]] += row["clients"]
        if row["tier"] is None:
            no_indicators += row["clients"]
        else:
            matrix[row["tier"]][row["segment"]] += row["clients"]
    arrows = Counter(f"{m['from']}→{m['to']}" for m in moves)
    up = sum(1 for m in moves if tiers.movement(m["from"], m["to"]) == "up")
    return {
        "counts": {t: sum(matrix[t].values()) for t in TIERS},
        "segments": segments,
        "incomplete": sum(row["incomplete"] for row in counts if row["tier"] is not None),
        "unassessed": unassessed,
        "no_indicators": no_indicators,
        "matrix": matrix,
        "since": since,
        "until": until,
        "moved": {"up": up, "down": len(moves) - up, "by_arrow": dict(sorted(arrows.items()))},
        "movements": [
            {k: m[k] for k in ("client_id", "date", "from", "to", "changed")} for m in moves
        ],
    }


MOVEMENT_COLUMNS = [
    Col("client_id", "Client"),
    Col("name", "Name"),
    Col("date", "Date"),
    Col("from", "From"),
    Col("to", "To"),
    Col("changed", "Indicators changed"),
]
MATRIX_COLUMNS = [
    Col("tier", "Tier"),
    Col("key", "Key"),
    Col("important", "Important"),
    Col("general", "General"),
    Col("maintain", "Maintain"),
    Col("total", "Total"),
]
DIRECTIONS = {"up": N_("up"), "down": N_("down")}
EXPLAIN_COLUMNS = [
    Col("indicator", "Indicator"),
    Col("value", "Value"),
    Col("healthy", "Healthy"),
    Col("state", "State"),
]
STATES = {"unknown": N_("unknown"), "off": N_("off"), "healthy": N_("healthy")}


STALE = N_(
    "The tiers were assessed under other tier rules than the config's now: run 'vipctl tier "
    "--recompute' to reassess every client."
)


def moves_shown(moves: list[dict]) -> list[dict]:
    """Tier movements as people read them: the indicators that changed in their language."""
    return [{**m, "changed": render.card_value("off", m["changed"] or "")} for m in moves]


def write_summary(
    data: dict, moves: list[dict], *, fmt: render.Format, detail: bool, limit: int | None = None
) -> None:
    """The distribution and the period's movements; with ``detail`` the first ``limit`` of the
    clients who moved (all when None), the table's title counting them all."""
    matrix = [{"tier": t, **data["matrix"][t], "total": data["counts"][t]} for t in TIERS]
    if fmt == "json":
        render.write_json({**data, "movements": data["movements"][:limit]})
        return
    if fmt == "csv":
        if detail:
            render.write_csv(moves[:limit], [field for field, _ in MOVEMENT_COLUMNS])
        else:
            render.write_csv(matrix, ["tier", *SEGMENTS, "total"])
        return
    out = render.console()
    title = _("Clients per tier and value segment")
    out.print(render.table(MATRIX_COLUMNS, matrix, title=title))
    if data["incomplete"]:
        said = _("{n} of them assessed on incomplete indicators.")
        out.print(said.format(n=data["incomplete"]))
    if data["unassessed"]:
        said = _("{n} clients not assessed yet: run 'vipctl tier --recompute'.")
        out.print(said.format(n=data["unassessed"]))
    if n := data["no_indicators"]:
        clients = words.counted(n, "{n} client", "{n} clients")
        said = _("{clients} not assessed: {why}.")
        out.print(said.format(clients=clients, why=_(NO_INDICATORS)))
    period = _("{since} to {until}").format(since=data["since"], until=data["until"])
    moved = data["moved"]
    if not moves:
        out.print(_("No tier movements from {period}.").format(period=period))
        return
    arrows = [
        {
            "arrow": arrow,
            "clients": n,
            "direction": _(DIRECTIONS[tiers.movement(*arrow.split("→"))]),
        }
        for arrow, n in moved["by_arrow"].items()
    ]
    said = _("Movements from {period}: {up} up, {down} down")
    out.print(said.format(period=period, up=moved["up"], down=moved["down"]))
    columns = [Col("arrow", "Movement"), Col("clients", "Clients"), Col("direction", "")]
    out.print(render.table(columns, arrows))
    if detail:
        moved = words.counted(len(moves), "{n} client who moved", "{n} clients who moved")
        title = render.shown_of(len(moves[:limit]), len(moves), moved)
        out.print(
            render.table(
                MOVEMENT_COLUMNS, moves_shown(moves[:limit]), title=title[:1].upper() + title[1:]
            )
        )


def explanation(client: dict, history: list[dict], config: Config) -> dict:
    """One client's five indicators judged by the current rules, with the stored outcome."""
    rules = config.tiers
    live = tiers.assess(client, rules)
    indicators = {
        name: {
            "value": client.get(name),
            "healthy": rules.healthy[name],
            "state": "unknown"
            if name in live.missing
            else ("off" if name in live.off else "healthy"),
        }
        for name in tiers.NAMES
    }
    return {
        "client_id": client["client_id"],
        "name": client["name"],
        "tier": live.tier,
        "off": list(live.off),
        "missing": list(live.missing),
        "incomplete": live.incomplete,
        "cadence_days": rules.cadence_days[live.tier or NOT_ASSESSED],
        "segment": client.get("segment"),
        "annual_premium": client.get("annual_premium"),
        "value_premium": client.get("value_premium"),
        "stored_tier": client.get("tier"),
        "assessed": client.get("segment") is not None,  # a client_tier row: assessed once
        "indicators": indicators,
        "history": [{k: h[k] for k in ("date", "from", "to", "changed")} for h in history],
    }


def write_explanation(data: dict, *, fmt: render.Format) -> None:
    rows = [{"indicator": name, **v} for name, v in data["indicators"].items()]
    if fmt == "json":
        render.write_json(data)
        return
    if fmt == "csv":
        render.write_csv(rows, ["indicator", "value", "healthy", "state"])
        return
    out = render.console()
    who = f"{data['client_id']}  {data['name']}"
    days = data["cadence_days"]
    if data["tier"]:
        said = _("{client}: tier {tier}, contact every {days} days")
        tier = shown_tier(data["tier"], data["incomplete"])
    else:
        said = _("{client}: {tier}, contact every {days} days")
        tier = shown_tier(None, None)
    out.print(said.format(client=who, tier=tier, days=days))
    shown = [
        {
            **row,
            "indicator": render.card_value("missing", row["indicator"]),
            "value": render.card_value("value", row["value"]) if row["value"] else "",
            "healthy": render.card_value("value", row["healthy"]),
            "state": _(STATES[row["state"]]),
        }
        for row in rows
    ]
    out.print(render.table(EXPLAIN_COLUMNS, shown))
    off = len(data["off"])
    if data["tier"] is None:
        out.print(_("Not assessed: {why}.").format(why=_(NO_INDICATORS)))
    else:
        said = ngettext(
            "{n} indicator off → tier {tier}.", "{n} indicators off → tier {tier}.", off
        )
        out.print(said.format(n=off, tier=data["tier"]))
    if data["incomplete"] and data["tier"] is not None:
        missing = words.listing([render.card_value("missing", m) for m in data["missing"]])
        out.print(_("Assessment incomplete: {missing} unknown.").format(missing=missing))
    if data["segment"]:
        value = render.text_value(data["value_premium"])
        said = _("Value segment: {segment} (premium value {value} a year).")
        out.print(said.format(segment=segment_label(data["segment"]), value=value))
    if data["stored_tier"] is None and not data["assessed"]:
        out.print(_("Not assessed yet: run 'vipctl tier --recompute' to store it."))
    elif data["stored_tier"] != data["tier"]:
        said = _("Stored tier is {tier} (the rules changed since): run 'vipctl tier --recompute'.")
        out.print(said.format(tier=data["stored_tier"]))
    if data["history"]:
        columns = [Col("date", "Date"), Col("from", "From"), Col("to", "To"),
                   Col("changed", "Changed")]  # fmt: skip
        out.print(render.table(columns, data["history"], title=_("Tier history")))
    else:
        out.print(_("No tier changes recorded."))
