"""Lunar calendar dates through borax, a maintained library with the official tables 1900–2100.

Lunar birthdays are looked up backwards: for the solar days of a window, which solar dates of
birth are celebrated on them? That costs a few conversions per day of the window, however many
clients there are, where converting every client's birthday would cost one per client each run.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from borax.calendars.lunardate import LCalendars, LunarDate

from vipctl.rules import details

FIRST_YEAR, LAST_YEAR = 1900, 2100  # what borax's tables cover

# (name, lunar month, lunar day) of the lunar festivals vipctl greets clients for.
FESTIVALS = (
    (details.SPRING_FESTIVAL, 1, 1),
    (details.DRAGON_BOAT, 5, 5),
    (details.MID_AUTUMN, 8, 15),
)


@cache
def _lunar(day: dt.date) -> LunarDate:
    return LunarDate.from_solar(day)


@cache
def _month(year: int, month: int, leap: bool) -> tuple[dt.date, int] | None:
    """The solar date a lunar month begins on and its number of days, or None when there is
    no such month."""
    try:
        first = LunarDate(year, month, 1, int(leap)).to_solar_date()
        return first, LCalendars.ndays(year, month, int(leap))
    except ValueError:  # InvalidLunarDateError: no such month, or a year outside the tables
        return None


def _solar(year: int, month: int, day: int, leap: bool) -> dt.date | None:
    """The solar date of a lunar one, or None when that lunar day does not exist.

    The days of a lunar month follow each other, so only its first is converted: a year of
    lunar birthdays asks for some 30,000 days of a few thousand months, and making each a
    LunarDate was most of that year's birthday rule."""
    found = _month(year, month, leap)
    if found is None or not 1 <= day <= found[1]:
        return None
    return found[0] + dt.timedelta(days=day - 1)


def supported(day: dt.date) -> bool:
    return FIRST_YEAR <= day.year < LAST_YEAR


def birthdays(
    start: dt.date, end: dt.date, born_from: int
) -> dict[dt.date, list[tuple[dt.date, int]]]:
    """For every solar date of birth from ``born_from`` on whose lunar birthday falls in
    [start, end]: the days it is celebrated on and the age then (in lunar years).

    A birth in a leap month is celebrated in the ordinary month of that number; a birth on the
    30th is celebrated on the 29th in a year whose month has only 29 days. Days of a leap month
    celebrate nobody, as everyone born in one celebrates in the ordinary month.
    """
    found: dict[dt.date, list[tuple[dt.date, int]]] = {}
    first = max(born_from - 1, FIRST_YEAR)  # a January birth belongs to the lunar year before
    day = max(start, dt.date(FIRST_YEAR, 2, 1))
    while day <= end and day.year < LAST_YEAR:
        lunar = _lunar(day)
        if not lunar.leap:
            days = [lunar.day]
            if lunar.day == 29 and LCalendars.ndays(lunar.year, lunar.month) == 29:
                days.append(30)
            for year in range(first, lunar.year + 1):
                leaps = (False, True) if LCalendars.leap_month(year) == lunar.month else (False,)
                for number in days:
                    for leap in leaps:
                        born = _solar(year, lunar.month, number, leap)
                        if born is not None:
                            found.setdefault(born, []).append((day, lunar.year - year))
        day += dt.timedelta(days=1)
    return found


def festivals(year: int) -> list[tuple[str, dt.date]]:
    """The lunar festivals that fall in a solar year (each lunar year's fall in its own)."""
    days = [(name, _solar(year, month, number, False)) for name, month, number in FESTIVALS]
    return [(name, day) for name, day in days if day is not None]
