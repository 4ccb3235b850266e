"""Needs analysis (DESIGN "Needs analysis") as pure functions: cover against the seeds'
guidance, the premium burden, the high-end flag and the talking points they lead to.

They take amounts as the database keeps them (Decimal, None for unknown) and the thresholds from
the config file, so ``review``, ``gaps``, ``clients --high-end`` and the morning list all judge a
client by the same rules. Unknown is never read as zero: a client whose income is not on file has
no burden figure, not a burden of 0 %.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from vipctl.config import NeedsRules
from vipctl.kinds import NEED_LABELS as LABELS
from vipctl.kinds import NEEDS
from vipctl.rules import details

GAPS = ("absent", "short")  # the states that are gaps; the others: met, n/a, unknown
_ZERO = Decimal(0)


def _d(amount: float) -> Decimal:
    return Decimal(str(amount)).normalize() if amount % 1 else Decimal(int(amount))


def yuan(amount: Decimal | float | None) -> str:
    return "—" if amount is None else f"¥{amount:,.0f}"


@dataclass(frozen=True)
class Household:
    """What the rules need of a client's household (the client alone when they have none)."""

    main_earner: bool  # the client is the one whose life cover the family depends on
    income: Decimal | None  # household's annual income; None: nobody's is on file
    assets: Decimal | None  # household's investable assets; None: nobody's are on file


def household(
    client_id: str, members: Iterable[tuple[str, str | None, Decimal | None, Decimal | None]]
) -> Household:
    """``members``: (client id, relation, annual income, investable assets) of everyone in the
    client's household, the client included.

    The main earner is the member with the highest income on file (ties: each of them); when no
    income is on file, the member recorded as ``self``, else everyone (the guidance errs on the
    side of asking).
    """
    members = list(members)
    incomes = [m[2] for m in members if m[2] is not None]
    assets = [m[3] for m in members if m[3] is not None]
    me = next(m for m in members if m[0] == client_id)
    if incomes:
        main = me[2] is not None and me[2] == max(incomes)
    else:
        selves = [m for m in members if m[1] == "self"]
        main = not selves or me in selves
    return Household(
        main, sum(incomes, _ZERO) if incomes else None, sum(assets, _ZERO) if assets else None
    )


@dataclass(frozen=True)
class Line:
    """One row of the coverage table."""

    need: str  # one of NEEDS
    have: Decimal  # in-force sum assured of the category
    minimum: Decimal | None  # the guidance; None where it does not apply or cannot be told
    state: str  # met, short, absent (the gaps), n/a, unknown
    short_by: Decimal | None = None
    guidance: str = ""  # the guidance as a person reads it


def coverage(
    have: Mapping[str, Decimal], home: Household, owns_property: bool | None, rules: NeedsRules
) -> list[Line]:
    """``have``: in-force sum assured per category (a lapsed or terminated policy covers
    nothing; one in its grace period still does)."""
    low, high = rules.critical_illness_reasonable
    minimums = {
        "life": (
            _d(rules.life_main_earner),
            details.fill(details.AT_LEAST_MAIN_EARNER, amount=yuan(rules.life_main_earner)),
        ),
        "critical_illness": (
            _d(rules.critical_illness),
            details.fill(
                details.AT_LEAST_REASONABLE,
                amount=yuan(rules.critical_illness),
                low=yuan(low),
                high=yuan(high),
            ),
        ),
        "accident": (
            _d(rules.accident),
            details.fill(details.AT_LEAST, amount=yuan(rules.accident)),
        ),
        "accident_medical": (
            _d(rules.accident_medical),
            details.fill(details.AT_LEAST, amount=yuan(rules.accident_medical)),
        ),
    }
    lines = []
    for need in NEEDS:
        held = have.get(need, _ZERO)
        if need == "property":
            guidance = details.HOME_COVER
            if owns_property is None:
                lines.append(Line(need, held, None, "met" if held else "unknown", None, guidance))
            elif not owns_property:
                lines.append(Line(need, held, None, "n/a", None, guidance))
            else:
                lines.append(Line(need, held, None, "met" if held else "absent", None, guidance))
            continue
        minimum, guidance = minimums[need]
        if need == "life" and not home.main_earner:
            lines.append(Line(need, held, None, "n/a", None, guidance))
        elif held >= minimum:
            lines.append(Line(need, held, minimum, "met", None, guidance))
        else:
            state = "short" if held > 0 else "absent"
            lines.append(Line(need, held, minimum, state, minimum - held, guidance))
    return lines


@dataclass(frozen=True)
class Burden:
    annual_premium: Decimal  # in-force premiums per year (single premiums do not recur)
    income: Decimal | None  # the client's regular annual income
    percent: Decimal | None  # premium as a share of income; None when income is unknown
    risk: bool  # above the configured share: premiums may stop (保费中断)


def burden(annual_premium: Decimal | None, income: Decimal | None, rules: NeedsRules) -> Burden:
    premium = annual_premium or _ZERO
    if not income or income <= 0:
        return Burden(premium, income, None, False)
    risk = premium * 100 > income * _d(rules.premium_share_percent)
    # Rounded away from the threshold: 10.04 % shows as 10.1 %, never as an "over 10 %" of 10.0.
    rounding = ROUND_CEILING if risk else ROUND_FLOOR
    percent = (premium * 100 / income).quantize(Decimal("0.1"), rounding=rounding)
    return Burden(premium, income, percent, risk)


def share_note(share: float | None, rules: NeedsRules) -> str | None:
    """What a renewal on the morning list adds when the client's premiums, ``share`` percent of
    their income (as assessed and stored), are over the configured share; None when they are
    not. Rounded as ``burden`` rounds."""
    if share is None or share <= rules.premium_share_percent:
        return None
    percent = Decimal(f"{share:.6f}").quantize(Decimal("0.1"), rounding=ROUND_CEILING)
    limit = f"{rules.premium_share_percent:g}"
    return details.fill(details.PREMIUM_SHARE, percent=percent, limit=limit)


def high_end(home: Household, rules: NeedsRules) -> bool | None:
    """Household income and investable assets at the seeds' high end; None when either is
    unknown and the other does not already rule it out.

    The seeds' band of 1–10 million is their narrow definition; a household above it is the
    seeds' very rich key client (关键客户), high-end all the more (``band`` tells them apart).
    """
    low = _d(rules.high_end_assets[0])
    income_ok = None if home.income is None else home.income >= _d(rules.high_end_income)
    assets_ok = None if home.assets is None else home.assets >= low
    if income_ok is False or assets_ok is False:
        return False
    if income_ok is None or assets_ok is None:
        return None
    return True


def band(home: Household, rules: NeedsRules) -> str | None:
    """Where a high-end household's investable assets lie: "within" the seeds' band or "above"
    it; None for a household that is not (known to be) high-end."""
    if not high_end(home, rules):
        return None
    assert home.assets is not None
    return "above" if home.assets > _d(rules.high_end_assets[1]) else "within"


def talking_points(lines: Iterable[Line], b: Burden, rules: NeedsRules) -> list[str]:
    """What to raise at the visit, gaps first: each with the figure and the guidance."""
    points = []
    low, high = rules.critical_illness_reasonable
    for line in lines:
        label = LABELS[line.need]
        if line.state == "absent" and line.need == "property":
            points.append(details.NO_HOME_COVER)
        elif line.state == "absent" and line.need == "critical_illness":
            points.append(details.fill(details.NO_CRITICAL_ILLNESS, low=yuan(low), high=yuan(high)))
        elif line.state == "absent":
            points.append(details.fill(details.NO_COVER, need=label, guidance=line.guidance))
        elif line.state == "short":
            points.append(
                details.fill(
                    details.SHORT,
                    need=label,
                    have=yuan(line.have),
                    short_by=yuan(line.short_by),
                    minimum=yuan(line.minimum),
                )
            )
        elif line.need == "critical_illness" and line.state == "met" and line.have < _d(low):
            points.append(
                details.fill(
                    details.CRITICAL_ILLNESS_LOW,
                    have=yuan(line.have),
                    low=yuan(low),
                    high=yuan(high),
                )
            )
        elif line.state == "unknown" and line.need == "property":
            points.append(details.ASK_PROPERTY)
    if b.risk:
        points.append(
            details.fill(
                details.BURDEN_RISK,
                premium=yuan(b.annual_premium),
                percent=b.percent,
                limit=f"{rules.premium_share_percent:g}",
            )
        )
    elif b.percent is None:
        points.append(details.NO_INCOME)
    return points
