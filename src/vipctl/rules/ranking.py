"""The day's list as data: one entry per client with the items due and the score that ranks
them, the list in rank order with its tallies. Plain values, so the views lay a list out
without a database in reach, and a list kept yesterday reads back as the same data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from vipctl.config import TIERS
from vipctl.kinds import KINDS
from vipctl.rules.events import Event


@dataclass
class Entry:
    """One client's line of ``today``: the client, their items and the score that ranks them."""

    client_id: str
    tier: str | None
    segment: str | None
    items: list[Event]
    score: float
    client: dict = field(default_factory=dict)  # what the line shows: read for shown lines only


def rank(entry: Entry) -> tuple:
    """Most urgent first; then the earliest item, then the client id: never a tie."""
    return -entry.score, min(e.date for e in entry.items), entry.client_id


def tallies(entries: Iterable[Entry]) -> tuple[dict[str, int], dict[str, int]]:
    """Items per kind and clients per tier ("?" unassessed) of a day's list, in their order."""
    kinds: Counter[str] = Counter()
    tiers: Counter[str] = Counter()
    for entry in entries:
        kinds.update(e.kind for e in entry.items)
        tiers[entry.tier or "?"] += 1
    return ordered(kinds, tiers)


def ordered(kinds: Mapping[str, int], tiers: Mapping[str, int]) -> tuple[dict, dict]:
    return (
        {k: kinds[k] for k in KINDS if kinds.get(k)},
        {t: tiers[t] for t in (*TIERS, "?") if tiers.get(t)},
    )


@dataclass
class DayList:
    """A day's list: its entries in rank order (the first ``limit`` with the client's data to
    show; with a limit, maybe only those) and the whole list's size and tallies."""

    entries: list[Entry]
    clients: int
    kinds: dict[str, int]
    tiers: dict[str, int]
    made: int | None = None  # worked out afresh at this generation: worth keeping
    # Clients per tier with a contact overdue, when known without every entry (the report's).
    overdue: dict[str, int] | None = None
