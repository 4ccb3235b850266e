"""Values that are valid but cannot be true, or hardly: each rule a pure function of one record's
plain values, saying which column to look at and why.

Such a value is kept (it is what the core system says, and the user may know better) but never
silently: the import lists each doubt with its file, line and column, and ``vipctl check`` finds
them again in the stored book. The same functions serve both, so the two never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from vipctl.i18n import N_, _
from vipctl.rules import schedule

Doubt = tuple[str, str]  # (column, why)

EARLIEST_BIRTH = dt.date(1900, 1, 1)
WEDDING_AGE = 16  # no wedding anniversary before this birthday
# Protection cover (保障型): a premium above the sum assured buys less than it costs. Annuity,
# universal and unit-linked policies are savings, where premiums can exceed any sum assured.
PROTECTION = frozenset(
    {"life", "critical_illness", "medical", "accident", "accident_medical", "property"}
)


def _birthday(born: dt.date, age: int) -> dt.date:
    """The day one turns ``age``: a Feb 29 birthday falls on Feb 28 in a common year."""
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return born.replace(year=born.year + age, day=28)


def _yuan(amount: Decimal | float) -> str:
    return f"¥{amount:,.0f}"


EXPORT_DATE = N_("the export date")
TODAY = N_("today")


def client(
    birthday: dt.date | None, wedding: dt.date | None, as_of: dt.date, day: str = EXPORT_DATE
) -> Iterator[Doubt]:
    """A client's dates against each other and ``as_of``, which ``day`` names (the export's
    day, or today for a look at the stored book)."""
    if birthday is not None:
        if birthday < EARLIEST_BIRTH:
            said = _("born {birthday}, before {year}: is the year right?")
            yield "birthday", said.format(birthday=birthday, year=EARLIEST_BIRTH.year)
        elif birthday > as_of:
            said = _("born {birthday}, after {day} {as_of}")
            yield "birthday", said.format(birthday=birthday, day=_(day), as_of=as_of)
    if wedding is not None:
        if wedding > as_of:
            said = _("married {wedding}, after {day} {as_of}")
            yield "wedding_anniversary", said.format(wedding=wedding, day=_(day), as_of=as_of)
        elif birthday is not None and wedding < _birthday(birthday, WEDDING_AGE):
            said = _("married {wedding}, before the client's {age}th birthday (born {birthday})")
            yield (
                "wedding_anniversary",
                said.format(wedding=wedding, age=WEDDING_AGE, birthday=birthday),
            )


def policy(
    effective: dt.date,
    category: str | None,
    premium: Decimal | None,
    sum_assured: Decimal | None,
    as_of: dt.date,
    day: str = EXPORT_DATE,
) -> Iterator[Doubt]:
    """A policy's own values against each other and ``as_of``, which ``day`` names."""
    if effective > as_of:
        said = _("in force from {effective}, after {day} {as_of}")
        yield "effective_date", said.format(effective=effective, day=_(day), as_of=as_of)
    if (
        category in PROTECTION
        and premium is not None
        and sum_assured is not None
        and premium > sum_assured
    ):
        said = _("premium {premium} is more than the sum assured {sum_assured} of {category} cover")
        yield (
            "premium",
            said.format(
                premium=_yuan(premium), sum_assured=_yuan(sum_assured), category=_(category)
            ),
        )


def grace_status(
    effective: dt.date,
    frequency: str | None,
    payment_years: int | None,
    stated_due: dt.date | None,
    status: str | None,
    as_of: dt.date,
    grace_days: int = schedule.GRACE_DAYS,
) -> Iterator[Doubt]:
    """A status of grace, without a stated due date, that no premium of the schedule bears out
    on the export's day: what vipctl counts as owed then is said (DESIGN "Premium schedule")."""
    if status != "grace" or stated_due is not None or frequency not in schedule.PERIOD_MONTHS:
        return
    last = schedule.last_due(effective, frequency, payment_years, as_of)
    if last is None:
        return  # only the first premium was due, paid at underwriting: the next one is owed
    last_day = last + dt.timedelta(days=grace_days)
    if last_day >= as_of:
        return
    if schedule.in_grace(effective, frequency, payment_years, as_of, grace_days) is None:
        end = schedule.term_end(effective, payment_years)
        said = _(
            "grace, but the payment term ended {end} and its last premium's last day to pay "
            "was {last_day}: counted as paid up, nothing owed"
        )
        yield "status", said.format(end=end, last_day=last_day)
    else:
        said = _(
            "grace, but the last premium due ({last}) had its last day to pay on {last_day}: "
            "has the policy lapsed?"
        )
        yield "status", said.format(last=last, last_day=last_day)


def income(annual_income: Decimal | float | None, annual_premium: Decimal | float) -> str | None:
    """Why a client's income cannot be right beside their premiums, or None."""
    if annual_income is None or not annual_premium or annual_income >= annual_premium:
        return None
    said = _("annual income {income} is below the annual premium {premium} the client pays")
    return said.format(income=_yuan(annual_income), premium=_yuan(annual_premium))
