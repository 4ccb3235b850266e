"""One explainable urgency score per client and day, as a sum of weighted terms.

Like Taskwarrior's urgency: every term is a coefficient from the config file times a plain
factor, so ``--explain`` can list them and a team can tune them. The terms are the tier's need
for attention, the client's value segment, each item by its kind and how close its date is
(growing once it has passed), an item past its target, a round-number birthday, the tries that
reached nobody, and the premium at stake.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any, NamedTuple

from vipctl.config import UrgencyWeights
from vipctl.kinds import REGISTRY
from vipctl.rules import details
from vipctl.rules.events import Event

TARGETED = frozenset(kind.name for kind in REGISTRY if kind.targeted)


class Term(NamedTuple):
    name: str
    weight: float
    factor: float
    why: str

    @property
    def value(self) -> float:
        return self.weight * self.factor


def closeness(event: Event, today: dt.date, overdue_per_day: float) -> float:
    """For an event ahead: 1 on its day, less the further ahead within its lead time. For one
    that is owed (a missed premium, a callback, a contact overdue): 1 on the first day, and more
    each day it stays owed."""
    if not event.reminders:
        return 1 + max(0, (today - event.starts).days) * overdue_per_day
    days_left = (event.date - today).days
    return max(0.1, 1 - max(0, days_left) / (event.lead + 1))


def _parts(
    tier: str | None,
    segment: str | None,
    items: Sequence[Event],
    today: dt.date,
    w: UrgencyWeights,
) -> list[tuple[str, float, float, Any]]:
    """(name, weight, factor, what it is about) of each term: plain tuples, as the morning list
    scores tens of thousands of clients and explains one."""
    parts: list[tuple[str, float, float, Any]] = []
    if tier is not None:
        parts.append(("tier", w.tier[tier], 1.0, tier))
    if segment is not None:
        parts.append(("segment", w.segment[segment], 1.0, segment))
    at_stake = 0.0
    for e in items:
        parts.append((e.kind, w.kind[e.kind], closeness(e, today, w.overdue_per_day), e))
        if e.kind in TARGETED and today > e.date:
            parts.append(("past_target", w.past_target, 1.0, e))
        if e.round_age:
            parts.append(("round_age", w.round_age, 1.0, e.round_age))
        if e.amount:
            at_stake += float(e.amount)
    # Tries that reached nobody weigh once per client: one unanswered call is about them all.
    tries = max((e.attempts for e in items), default=0)
    if tries:
        parts.append(("attempts", w.attempt, float(tries), tries))
    if at_stake and w.premium_per_10k:
        factor = min(at_stake / 10_000, w.premium_max / w.premium_per_10k)
        parts.append(("premium", w.premium_per_10k, factor, at_stake))
    return parts


def score(
    tier: str | None,
    segment: str | None,
    items: Sequence[Event],
    today: dt.date,
    w: UrgencyWeights,
) -> float:
    """The rounded sum of the terms' values, exact (``fsum``) so the items' order cannot move
    the last digit."""
    parts = _parts(tier, segment, items, today, w)
    return round(math.fsum(weight * factor for _, weight, factor, _ in parts), 2)


def _why(name: str, about: Any, today: dt.date) -> str:
    """What a term is about, in English from ``rules.details`` (a view says it in Chinese)."""
    if name == "tier":
        return details.fill(details.TERM_TIER, tier=about)
    if name == "segment":
        return details.fill(details.TERM_SEGMENT, segment=about)
    if name == "attempts":
        return details.fill(details.UNANSWERED, n=about)
    if name == "round_age":
        return details.fill(details.TERM_ROUND_AGE, age=about)
    if name == "past_target":
        return details.fill(details.TERM_PAST_TARGET, date=about.date)
    if name == "premium":
        return details.fill(details.TERM_AT_STAKE, amount=f"¥{about:,.0f}")
    days_left = (about.date - today).days
    if days_left >= 0:
        ahead = details.TERM_AHEAD_POLICY if about.policy_no else details.TERM_AHEAD
        return details.fill(ahead, days=days_left, policy_no=about.policy_no)
    past = details.TERM_PAST_POLICY if about.policy_no else details.TERM_PAST
    return details.fill(past, days=-days_left, policy_no=about.policy_no)


def terms(
    tier: str | None,
    segment: str | None,
    items: Sequence[Event],
    today: dt.date,
    w: UrgencyWeights,
) -> list[Term]:
    """The score's terms, each with what it is about: ``score`` is the rounded sum of values."""
    return [
        Term(name, weight, factor, _why(name, about, today))
        for name, weight, factor, about in _parts(tier, segment, items, today, w)
    ]
