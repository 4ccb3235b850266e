"""What ``upcoming``, ``today`` and ``history`` show: events and entries shaped once as data
(docs/agenda.md documents the JSON), then written as a table, JSON or CSV."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from operator import attrgetter, itemgetter
from typing import TextIO

from vipctl.config import UrgencyWeights
from vipctl.i18n import N_, _
from vipctl.kinds import BY_NAME, LABELS
from vipctl.rules import details, urgency
from vipctl.rules.events import Event
from vipctl.rules.ranking import DayList, Entry
from vipctl.rules.urgency import Term
from vipctl.views import render, words
from vipctl.views import tiers as tiers_view
from vipctl.views.fit import Col

ITEM_FIELDS = ["kind", "event_date", "policy_no", "days_left", "detail"]
UPCOMING_FIELDS = ["client_id", "name", *ITEM_FIELDS]
TODAY_FIELDS = ["client_id", "name", "tier", "segment", "score"]


when = words.when


def label(kind: str) -> str:
    """A kind as people read it, in their language (the registry's label is the message id)."""
    return _(LABELS[kind])


def reason(event: Event, day: dt.date) -> str:
    """One reason for contacting a client, as a person reads it."""
    return reason_of(event.kind, event.date, event.policy_no, event.detail, day, event.attempts)


def reason_of(
    kind: str,
    date: dt.date,
    policy_no: str | None,
    detail: str,
    day: dt.date,
    attempts: int = 0,
) -> str:
    days_left = (date - day).days
    if kind == "grace":  # dated its last day to pay, which the detail gives
        head = label(kind) + (_(", last day to pay passed") if days_left < 0 else "")
    elif BY_NAME[kind].targeted:  # dated its target, and past it the detail says by how much
        head = (
            _("{kind}, target {when}").format(kind=label(kind), when=when(days_left, date))
            if days_left >= 0
            else label(kind)
        )
    else:
        head = f"{label(kind)} {when(days_left, date)}"
    if attempts:
        detail = details.SEPARATOR.join([detail, details.fill(details.UNANSWERED, n=attempts)])
    return " · ".join([head, *filter(None, [policy_no]), words.detail(detail, day)])


def _values(event: Event, day: dt.date) -> tuple:
    """An item's values in ``ITEM_FIELDS`` order."""
    return event.kind, event.date, event.policy_no, (event.date - day).days, event.detail


def item(event: Event, day: dt.date) -> dict:
    """An item of today's list for scripts: with its tries that reached nobody, and the
    occasion ``vipctl draft`` writes for it."""
    return {
        **dict(zip(ITEM_FIELDS, _values(event, day), strict=True)),
        "attempts": event.attempts,
        "draft": BY_NAME[event.kind].draft,
    }


def _with_draft(reasons: list[str], items: Sequence[Event], rank: int) -> list[str]:
    """The reasons, and when an item calls for a greeting or letter, that one is ready."""
    if any(BY_NAME[e.kind].draft for e in items):
        return [*reasons, _("draft ready (vipctl draft @{n})").format(n=rank)]
    return reasons


def write_upcoming_header() -> None:
    render.write_csv_rows((), UPCOMING_FIELDS)


def write_upcoming_rows(
    day: dt.date, found: Sequence[Event], names: dict[str, str], out: TextIO
) -> None:
    """``found`` as CSV rows under ``UPCOMING_FIELDS``, the header left to the caller: a long
    list is written in parts (``agenda.upcoming_written``)."""
    # Columns zipped into rows by map and zip, in C: a Python loop over a year's million
    # events cost the writing a third of its time. Each date is spelled once.
    dates = list(map(attrgetter("date"), found))
    spelled = {date: (date.isoformat(), (date - day).days) for date in set(dates)}
    when = list(map(spelled.__getitem__, dates))  # (the date, days from the day) of each
    clients = list(map(attrgetter("client_id"), found))
    rows = zip(
        clients,
        map(names.get, clients),
        map(attrgetter("kind"), found),
        map(itemgetter(0), when),
        map(attrgetter("policy_no"), found),
        map(itemgetter(1), when),
        map(attrgetter("detail"), found),
        strict=True,
    )
    render.write_csv_rows(rows, None, out)


def write_upcoming(
    found: Sequence[Event],
    total: int,
    names: dict[str, str],
    day: dt.date,
    days: int,
    fmt: render.Format,
) -> None:
    """The events shown, of ``total``: a table's title counts them all."""
    if fmt == "csv":
        write_upcoming_header()
        write_upcoming_rows(day, found, names, sys.stdout)
        return
    rows = [
        {
            "client_id": e.client_id,
            "name": names.get(e.client_id),
            **dict(zip(ITEM_FIELDS, _values(e, day), strict=True)),
        }
        for e in found
    ]
    if fmt == "json":
        render.write_json(rows)
    else:
        for row, e in zip(rows, found, strict=True):
            row["what"] = label(e.kind)
            row["detail"] = words.detail(e.detail, day)
        columns = [
            Col("event_date", "Date"),
            Col("days_left", "Days", optional=3),
            Col("what", "What"),
            Col("client_id", "Client"),
            Col("name", "Name", optional=1, under="client_id"),
            Col("policy_no", "Policy", optional=2, under="detail"),
            Col("detail", "Detail", comfort=24),
        ]
        end = day + dt.timedelta(days=days)
        count = render.shown_of(len(rows), total, words.counted(total, "{n} event", "{n} events"))
        title = _("{count} from {start} to {end}").format(count=count, start=day, end=end)
        render.console().print(render.table(columns, rows, title=title))


def _footer(listed: DayList) -> str:
    by_kind = words.listing([f"{label(k)} {n}" for k, n in listed.kinds.items()])
    by_tier = words.listing([f"{tiers_view.tally_label(t)} {n}" for t, n in listed.tiers.items()])
    items = _("Items: {kinds}").format(kinds=by_kind)
    return items + "\n" + _("Clients per tier: {tiers}").format(tiers=by_tier)


# On a narrow terminal the score and segment go first, then the phone and best time move
# under the name; the rank, client, tier, reasons and days always stay (views.fit).
TODO_COLUMNS = [
    Col("rank", "#"),
    Col("client_id", "Client"),
    Col("name", "Name"),
    Col("tier_shown", "Tier"),
    Col("segment_shown", "Segment", optional=3),
    Col("score", "Score", optional=4),
    Col("reasons", "Why", comfort=40),
    Col("days_left", "Days"),
    Col("phone", "Phone", optional=2, under="name"),
    Col("best_visit_time", "Best time", optional=1, under="name"),
]
NOTHING_DUE = N_("Nothing due: every reminder is handled.")


def todo_row(rank: int, client: dict, score: float, reasons: list[str], days_left: int) -> dict:
    """A line of the to-do table (``TODO_COLUMNS``), for ``today`` and the report alike."""
    return {
        **client,
        "rank": rank,
        "tier_shown": tiers_view.shown_tier(client["tier"], client["tier_incomplete"]),
        "segment_shown": tiers_view.segment_label(client["segment"]),
        "score": f"{score:.1f}",
        "reasons": "\n".join(reasons),
        "days_left": days_left,
    }


def write_today(
    listed: DayList,
    day: dt.date,
    fmt: render.Format,
    *,
    limit: int | None = None,
    show_pii: bool,
) -> None:
    """The first ``limit`` entries; the table's footer counts the whole day's list."""
    entries = listed.entries[:limit]
    if fmt == "json":
        render.write_json(
            [
                {
                    **{f: entry.client[f] for f in TODAY_FIELDS[:-1]},
                    "score": entry.score,
                    "items": [item(e, day) for e in entry.items],
                }
                for entry in entries
            ]
        )
    elif fmt == "csv":
        rows = [
            {**entry.client, "score": entry.score, **item(e, day)}
            for entry in entries
            for e in entry.items
        ]
        render.write_csv(rows, [*TODAY_FIELDS, *ITEM_FIELDS, "attempts"])
    else:
        rows = [
            todo_row(
                rank,
                render.masked(entry.client, show_pii),
                entry.score,
                _with_draft([reason(e, day) for e in entry.items], entry.items, rank),
                min((e.date - day).days for e in entry.items),
            )
            for rank, entry in enumerate(entries, 1)
        ]
        count = render.shown_of(len(rows), listed.clients)
        title = _("To do on {day}: {count}").format(day=words.day(day), count=count)
        caption = _footer(listed) if listed.clients else _(NOTHING_DUE)
        render.console().print(render.table(TODO_COLUMNS, rows, title=title, caption=caption))


EXPLAIN_COLUMNS = [
    Col("term", "Term"),
    Col("weight", "Weight"),
    Col("factor", "Factor"),
    Col("value", "Value"),
    Col("why", "Why", comfort=30),
]
# The terms of a score that are not an agenda kind (those are said by their kind's label).
TERM_LABELS = {
    "tier": N_("tier"),
    "segment": N_("segment"),
    "round_age": N_("round age"),
    "attempts": N_("tries unanswered"),
    "past_target": N_("past target"),
    "premium": N_("premium at stake"),
}


def term_label(name: str) -> str:
    """A score's term as people read it: its kind's label, or what the term weighs."""
    return _(LABELS.get(name) or TERM_LABELS[name])


def write_explanation(
    entry: Entry | None,
    client_id: str,
    day: dt.date,
    fmt: render.Format,
    weights: UrgencyWeights,
) -> None:
    """How a client's score on ``day`` was made, term by term."""
    terms: Sequence[Term] = []
    if entry is not None:
        terms = urgency.terms(entry.tier, entry.segment, entry.items, day, weights)
    rows = [
        {
            "term": t.name,
            "weight": t.weight,
            "factor": round(t.factor, 3),
            "value": round(t.value, 2),
            "why": t.why,
        }
        for t in terms
    ]
    score = entry.score if entry else 0
    if fmt == "json":
        render.write_json({"client_id": client_id, "date": day, "score": score, "terms": rows})
    elif fmt == "csv":
        render.write_csv(rows, ["term", "weight", "factor", "value", "why"])
    elif entry is None:
        said = _("{client} has nothing on the list for {day}.")
        render.console().print(said.format(client=client_id, day=words.day(day)))
    else:
        title = _("{client} on {day}: score {score} = Σ weight × factor").format(
            client=client_id, day=words.day(day), score=f"{score:.2f}"
        )
        shown = [
            {**row, "term": term_label(row["term"]), "why": words.detail(row["why"], day)}
            for row in rows
        ]
        render.console().print(render.table(EXPLAIN_COLUMNS, shown, title=title))
        for e in entry.items:
            render.console().print(render.bullet(reason(e, day)), highlight=False, markup=False)


# The contacts with a client, as ``history`` and the visit brief list them.
CONTACT_COLUMNS = [
    Col("date", "Date"),
    Col("channel", "Channel"),
    Col("outcome", "Outcome", optional=2, under="channel"),
    Col("note", "Note", comfort=30),
    Col("by", "By", optional=1, under="channel"),
]
HISTORY_FIELDS = [
    "date", "what", "channel", "outcome", "note", "field", "old", "new", "item", "occasion",
    "cost", "by",
]  # fmt: skip
GIFT_COLUMNS = [
    Col("date", "Date"),
    Col("item", "Gift", comfort=20),
    Col("occasion", "Occasion", optional=1),
    Col("cost", "Cost", optional=2),
    Col("by", "By", optional=3),
]


def write_history(
    client_id: str,
    contacts: list[dict],
    changes: list[dict],
    gifts: list[dict],
    fmt: render.Format,
    *,
    limit: int | None = None,
    show_pii: bool = False,
) -> None:
    """The contacts, the card's changes and the gifts, latest first: JSON has the three lists,
    CSV one line per contact, change or gift, and a table the first ``limit`` of each (all when
    None), its title counting them all."""
    changes = [render.masked_change(c, show_pii) for c in changes]
    if fmt == "json":
        render.write_json({"contacts": contacts, "changes": changes, "gifts": gifts})
        return
    if fmt == "csv":
        rows = [{**c, "what": "contact"} for c in contacts]
        rows += [{**c, "what": "change"} for c in changes]
        rows += [{**g, "what": "gift"} for g in gifts]
        rows.sort(key=lambda r: r["date"], reverse=True)
        render.write_csv(rows, HISTORY_FIELDS)
        return
    out = render.console()
    if not contacts:
        out.print(_("No contact logged with {client}.").format(client=client_id))
    else:
        count = words.counted(len(contacts), "{n} contact", "{n} contacts")
        shown = render.shown_of(len(contacts[:limit]), len(contacts), count)
        title = _("Contacts with {client}: {count}").format(client=client_id, count=shown)
        rows = [words.worded(c) for c in contacts[:limit]]
        out.print(render.table(CONTACT_COLUMNS, rows, title=title))
    if changes:
        count = words.counted(len(changes), "{n} change", "{n} changes")
        shown = render.shown_of(len(changes[:limit]), len(changes), count)
        title = _("Changes to {client}'s card: {count}").format(client=client_id, count=shown)
        columns = [
            Col("date", "Date"),
            Col("field_shown", "Field"),
            Col("old", "Old", comfort=16),
            Col("new", "New", comfort=16),
            Col("by", "By", optional=1, under="field_shown"),
        ]
        labels = render.CARD_LABELS
        rows = [
            {
                **c,
                "field_shown": _(labels.get(c["field"], c["field"])),
                "old": words.word(c["old"]),
                "new": words.word(c["new"]),
            }
            for c in changes[:limit]
        ]
        out.print(render.table(columns, rows, title=title))
    if gifts:
        count = words.counted(len(gifts), "{n} gift", "{n} gifts")
        shown = render.shown_of(len(gifts[:limit]), len(gifts), count)
        title = _("Gifts to {client}: {count}").format(client=client_id, count=shown)
        out.print(render.table(GIFT_COLUMNS, gifts[:limit], title=title))
