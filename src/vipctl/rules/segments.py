"""Value segments (DESIGN "Value segment", the 80/20 rule), as pure functions.

Clients are ranked by the premium their in-force policies bring in a year: the regular premiums
still being paid, and each single premium (趸缴) spread evenly over the years the config says (a
¥3,000,000 single premium is worth ¥300,000 a year for ten years, not nothing). Walking down that
ranking, a client belongs to the first segment whose cut-off the premium ranked above them has not
yet reached, so the client who crosses the 50 % line is still key. Clients with the same premium
always share a segment: where a cut-off falls inside a tie, the whole tie is judged by the premium
ranked above it, so the order of client ids never decides anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from itertools import groupby
from operator import itemgetter

from vipctl.config import SEGMENTS, SegmentRules

# How many times a year each frequency is paid. A single premium is paid once, at the start: it
# counts spread over years instead (``assessing.premiums_by_client``).
PER_YEAR = {"annual": 1, "semiannual": 2, "quarterly": 4, "monthly": 12, "single": 0}
VIP = frozenset({"key", "important"})


def segment_all(premiums: Mapping[str, float | Decimal], rules: SegmentRules) -> dict[str, str]:
    """Every client's segment from their annualised premium; no premium means 'maintain'.

    Premiums may come as the database sums them (float on SQLite, Decimal on PostgreSQL); they
    are ranked and added up in whole cents, exactly, so a cut-off that falls on a sum is judged
    the same whatever order the premiums were added in (``book.assessing`` does it in SQL).
    """
    ranked = sorted(((round(float(v) * 100), k) for k, v in premiums.items()), reverse=True)
    total = sum(cents for cents, _ in ranked)
    cuts = [(name, total * float(rules.up_to_percent[name])) for name in SEGMENTS[:-1]]
    out: dict[str, str] = {}
    above = 0  # cents of the clients ranked above the current tie
    for cents, tie in groupby(ranked, key=itemgetter(0)):
        clients = [client for _, client in tie]
        segment = "maintain"
        if cents > 0:
            segment = next((name for name, cut in cuts if above * 100 < cut), "maintain")
        out.update(dict.fromkeys(clients, segment))
        above += cents * len(clients)
    return out
