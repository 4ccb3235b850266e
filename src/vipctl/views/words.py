"""Dates, days and counts in the sentences people read, in the interface's language.

Chinese sentences write a day as ``11月24日 周二`` and a distance in days as ``还有3天`` or
``逾期5天``; English keeps ``Tue 2026-11-24`` and ``in 3 d``. Tables' date columns and JSON and
CSV keep ISO dates in every language.
"""

from __future__ import annotations

import datetime as dt

from vipctl.i18n import _, chinese, ngettext

_WEEKDAYS_ZH = "一二三四五六日"


def weekday(day: dt.date) -> str:
    return f"周{_WEEKDAYS_ZH[day.weekday()]}" if chinese() else f"{day:%a}"


def day(day: dt.date) -> str:
    """A day in a sentence: ``Tue 2026-11-24`` / ``11月24日 周二``."""
    if chinese():
        return f"{day.month}月{day.day}日 {weekday(day)}"
    return f"{weekday(day)} {day}"


def when(days_left: int, date: dt.date) -> str:
    """How far a date is from the day: today, tomorrow, a weekday, in or for N days."""
    if days_left == 0:
        return _("today")
    if days_left == 1:
        return _("tomorrow")
    if 1 < days_left < 7:
        return weekday(date)
    if days_left < 0:
        return _("for {days} d").format(days=-days_left)
    return _("in {days} d").format(days=days_left)


def counted(total: int, singular: str, plural: str) -> str:
    """``singular``/``plural`` (``ngettext`` forms with ``{n}``) for ``total``, with its commas."""
    return ngettext(singular, plural, total).format(n=f"{total:,}")


def listing(items: list[str]) -> str:
    """Items of a sentence's list: ``a, b`` / ``a、b``."""
    return _(", ").join(items)
