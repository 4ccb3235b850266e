"""Attention tiers A–D from the five indicators (DESIGN "Tiers A–D"), as pure functions.

A client is judged on what is known: an indicator left empty in the export is neither healthy nor
off, it makes the assessment incomplete, and that flag travels with the tier everywhere it is
shown. Counting an unknown as healthy would hide exactly the clients nobody has assessed; a client
of whom no indicator is known has no tier at all (not assessed): their card is to be built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from vipctl.config import INDICATORS, TIERS, TierRules

NAMES = tuple(INDICATORS)


@dataclass(frozen=True, slots=True)
class Assessment:
    tier: str | None  # None: not assessed, no indicator known
    off: tuple[str, ...]  # indicators known and not at their healthy value, in NAMES order
    missing: tuple[str, ...]  # indicators not known

    @property
    def incomplete(self) -> bool:
        return bool(self.missing)


def tier_for(off_count: int, rules: TierRules) -> str:
    for tier in TIERS[:-1]:
        if off_count <= rules.most_off[tier]:
            return tier
    return TIERS[-1]


def assess(values: Mapping[str, str | None], rules: TierRules) -> Assessment:
    """``values``: the client's canonical indicator values (None when unknown)."""
    off = tuple(n for n in NAMES if values.get(n) is not None and values[n] != rules.healthy[n])
    missing = tuple(n for n in NAMES if values.get(n) is None)
    tier = None if len(missing) == len(NAMES) else tier_for(len(off), rules)
    return Assessment(tier, off, missing)


def movement(before: str, after: str) -> str:
    """'up' towards A (less attention needed), 'down' towards D."""
    return "up" if TIERS.index(after) < TIERS.index(before) else "down"


@dataclass
class Recomputed:
    """What a reassessment of the book changed: the counts people are told."""

    clients: int = 0
    first: int = 0  # clients assessed for the first time
    no_indicators: int = 0  # new clients not assessed: no indicator known
    up: int = 0
    down: int = 0
    segment_changes: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.first or self.no_indicators or self.up or self.down or self.segment_changes
        )
