"""Value segments (DESIGN "Value segment", the 80/20 rule), as pure functions.

Clients are ranked by the premium their in-force policies bring in a year. Walking down that
ranking, a client belongs to the first segment whose cut-off the premium ranked above them has not
yet reached, so the client who crosses the 50 % line is still key. Clients with the same premium
always share a segment: where a cut-off falls inside a tie, the whole tie is judged by the premium
ranked above it, so the order of client ids never decides anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from itertools import groupby

from vipctl.config import SEGMENTS, SegmentRules
from vipctl.contract import NOT_IN_FORCE

# How many times a year each frequency is paid. A single premium is paid once, at the start:
# it is not income the book can count on every year, so it does not count.
PER_YEAR = {"annual": 1, "semiannual": 2, "quarterly": 4, "monthly": 12, "single": 0}
VIP = frozenset({"key", "important"})


def annualised(premium: Decimal | None, frequency: str | None, status: str | None) -> Decimal:
    """One policy's premium per year; a policy without a known frequency counts as annual."""
    if premium is None or status in NOT_IN_FORCE:
        return Decimal(0)
    return premium * PER_YEAR.get(frequency or "annual", 1)


def segment_all(premiums: Mapping[str, Decimal], rules: SegmentRules) -> dict[str, str]:
    """Every client's segment from their annualised premium; no premium means 'maintain'."""
    total = sum(premiums.values(), Decimal(0))
    cuts = [(name, total * Decimal(str(rules.up_to_percent[name])) / 100) for name in SEGMENTS[:-1]]
    out: dict[str, str] = {}
    above = Decimal(0)  # premium of the clients ranked above the current tie
    ranked = sorted(premiums.items(), key=lambda item: item[1], reverse=True)
    for premium, tie in groupby(ranked, key=lambda item: item[1]):
        clients = [client for client, _ in tie]
        segment = "maintain"
        if premium > 0:
            segment = next((name for name, cut in cuts if above < cut), "maintain")
        out.update(dict.fromkeys(clients, segment))
        above += premium * len(clients)
    return out
