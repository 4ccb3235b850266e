"""One explainable urgency score per client and day, as a sum of weighted terms.

Like Taskwarrior's urgency: every term is a coefficient from the config file times a plain
factor, so ``--explain`` can list them and a team can tune them. The terms are the tier's need
for attention, the client's value segment, each item by its kind and how close its date is
(growing once it has passed), a round-number birthday, and the premium at stake.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from vipctl.config import UrgencyWeights
from vipctl.events import Event


@dataclass(frozen=True, slots=True)
class Term:
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


def terms(
    tier: str | None,
    segment: str | None,
    items: Sequence[Event],
    today: dt.date,
    w: UrgencyWeights,
) -> list[Term]:
    found = []
    if tier is not None:
        found.append(Term("tier", w.tier[tier], 1, f"tier {tier}"))
    if segment is not None:
        found.append(Term("segment", w.segment[segment], 1, f"{segment} client"))
    at_stake = Decimal(0)
    for e in items:
        days_left = (e.date - today).days
        when = f"in {days_left} d" if days_left >= 0 else f"{-days_left} d past"
        where = f" {e.policy_no}" if e.policy_no else ""
        found.append(
            Term(e.kind, w.kind[e.kind], closeness(e, today, w.overdue_per_day), f"{when}{where}")
        )
        if e.round_age:
            found.append(Term("round_age", w.round_age, 1, f"turns {e.round_age}"))
        at_stake += e.amount or 0
    if at_stake and w.premium_per_10k:
        factor = min(float(at_stake) / 10_000, w.premium_max / w.premium_per_10k)
        found.append(Term("premium", w.premium_per_10k, factor, f"¥{at_stake:,.0f} at stake"))
    return found


def score(found: Sequence[Term]) -> float:
    return round(sum(t.value for t in found), 2)
