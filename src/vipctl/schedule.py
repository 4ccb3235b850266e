"""Premium due dates, with calendar-correct month arithmetic.

Every due date is counted from the effective date (effective + k periods), never from the previous
due date, so a policy effective on Jan 31 paying monthly is due Feb 28/29 and then Mar 31 again.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from vipctl.contract import NOT_IN_FORCE

PERIOD_MONTHS = {"annual": 12, "semiannual": 6, "quarterly": 3, "monthly": 1}


def due_date(effective: dt.date, frequency: str, k: int) -> dt.date:
    """The k-th premium date (k = 0 is the first premium, paid at underwriting)."""
    return effective + relativedelta(months=k * PERIOD_MONTHS[frequency])


def next_due(
    effective: dt.date,
    frequency: str | None,
    payment_years: int | None,
    on_or_after: dt.date,
) -> dt.date | None:
    """The first premium date on or after ``on_or_after``, or None once the policy is paid up.

    Without a payment term premiums go on for as long as the policy does. A single-premium policy,
    or one with no known frequency, has nothing further due.
    """
    period = PERIOD_MONTHS.get(frequency or "")
    if period is None:
        return None
    months = (on_or_after.year - effective.year) * 12 + on_or_after.month - effective.month
    k = max(1, months // period)
    while (due := due_date(effective, frequency, k)) < on_or_after:  # type: ignore[arg-type]
        k += 1
    if payment_years is not None and k * period >= payment_years * 12:
        return None
    return due


def policy_next_due(policy: dict, on: dt.date) -> dt.date | None:
    """The due date to show for a stored policy: the export's own date when it gave one."""
    if policy.get("status") in NOT_IN_FORCE:
        return None
    if policy.get("next_due_date") is not None:
        return policy["next_due_date"]
    return next_due(
        policy["effective_date"], policy.get("frequency"), policy.get("payment_years"), on
    )
