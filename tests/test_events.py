"""The agenda's rules on fixed dates. Expected dates come from outside the code under test:
published festival dates, dateutil's month arithmetic, and lunar_python (a second, independent
lunar calendar library, used by the tests only)."""

import datetime as dt
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from lunar_python import Lunar, LunarMonth, LunarYear, Solar

from vipctl.config import AgendaRules, UrgencyWeights
from vipctl.rules import events, lunar, schedule, urgency
from vipctl.rules.events import Cadence, Departure, Due, Person, PolicyDates, Wedding

D = dt.date
RULES = AgendaRules()


def solar_of(year: int, month: int, day: int, leap: bool = False) -> dt.date:
    """lunar_python's solar date of a lunar one (leap months are negative there)."""
    s = Lunar.fromYmd(year, -month if leap else month, day).getSolar()
    return D(s.getYear(), s.getMonth(), s.getDay())


def lunar_of(day: dt.date) -> tuple[int, int, int]:
    lunar_day = Solar.fromYmd(day.year, day.month, day.day).getLunar()
    return lunar_day.getYear(), lunar_day.getMonth(), lunar_day.getDay()


def only(found, kind=None):
    found = [e for e in found if kind is None or e.kind == kind]
    assert len(found) == 1, found
    return found[0]


# --- due dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "effective", [D(2024, 1, 31), D(2023, 8, 31), D(2024, 2, 29), D(2025, 5, 30)]
)
@pytest.mark.parametrize("frequency", ["monthly", "quarterly", "semiannual", "annual"])
def test_due_dates_match_dateutil(effective, frequency):
    months = schedule.PERIOD_MONTHS[frequency]
    for k in range(40):
        assert schedule.due_date(effective, frequency, k) == effective + relativedelta(
            months=k * months
        )


def test_monthly_from_january_31_keeps_the_month_end():
    dues = [
        d for d in schedule.dues(D(2024, 1, 31), "monthly", None, D(2024, 2, 29), D(2024, 5, 1))
    ]
    assert dues == [D(2024, 2, 29), D(2024, 3, 31), D(2024, 4, 30)]


def test_dues_stop_after_the_payment_term():
    dues = list(schedule.dues(D(2020, 3, 1), "annual", 3, D(2021, 3, 1), D(2030, 1, 1)))
    assert dues == [D(2021, 3, 1), D(2022, 3, 1)]  # 3 years: issue + 2 more


@pytest.mark.parametrize(
    ("stated", "status", "paid", "expected"),
    [
        (None, "in_force", None, D(2027, 3, 15)),  # premiums before the export were paid
        (None, "grace", None, D(2026, 3, 15)),  # the export says the last one was missed
        (D(2026, 10, 15), "grace", None, D(2026, 10, 15)),  # the core system's own date wins
        (None, "grace", D(2026, 3, 15), D(2027, 3, 15)),  # recorded as paid since
        (None, "lapsed", None, None),
        (None, "terminated", None, None),
    ],
)
def test_outstanding_premium(stated, status, paid, expected):
    as_of = D(2026, 11, 1)
    got = schedule.outstanding(D(2020, 3, 15), "annual", 20, stated, status, as_of, paid)
    assert got == expected


def test_single_premium_has_nothing_outstanding():
    assert schedule.outstanding(D(2020, 3, 15), "single", 1, None, None, D(2026, 1, 1)) is None


# --- renewals and grace ------------------------------------------------------------------------


def due(day, frequency="annual", effective=None, premium=Decimal(12000)):
    return Due("C1", "P1", effective or D(2020, 12, 10), frequency, 20, day, premium)


def test_renewal_reminders_a_quarter_and_a_month_before_and_on_the_day():
    e = only(
        events.renewals(
            [due(D(2026, 12, 10))], D(2026, 11, 24), D(2026, 11, 24), D(2027, 3, 1), RULES
        )
    )
    assert e.kind == "renewal_due" and e.date == D(2026, 12, 10) and e.lead == 90
    assert e.reminders == (D(2026, 9, 11), D(2026, 11, 10), D(2026, 12, 10))
    assert e.stage(D(2026, 9, 10)) is None
    assert e.stage(D(2026, 11, 24)) == D(2026, 11, 10)
    assert e.stage(D(2026, 12, 10)) == D(2026, 12, 10)
    assert e.stage(D(2026, 12, 11)) is None  # past the date it becomes a grace item
    assert e.amount == 12000


def test_no_reminder_before_the_previous_premium_is_due():
    monthly = due(D(2026, 12, 10), "monthly", effective=D(2026, 1, 10))
    found = list(
        events.renewals([monthly], D(2026, 11, 24), D(2026, 11, 24), D(2027, 1, 31), RULES)
    )
    assert [e.date for e in found] == [D(2026, 12, 10), D(2027, 1, 10)]
    assert all(e.reminders == (e.date,) for e in found)  # no month-before for a monthly premium
    quarterly = due(D(2026, 12, 10), "quarterly", effective=D(2026, 3, 10))
    e = only(events.renewals([quarterly], D(2026, 11, 24), D(2026, 11, 24), D(2027, 1, 31), RULES))
    assert e.reminders == (D(2026, 11, 10), D(2026, 12, 10))


@pytest.mark.parametrize(
    ("today", "shown", "days_left"),
    [
        (D(2026, 10, 1), False, None),  # the due date itself: a renewal, not grace yet
        (D(2026, 10, 2), True, 59),  # first day of grace
        (D(2026, 11, 30), True, 0),  # last day of grace: lapses today
        (D(2026, 12, 1), True, -1),  # past it: lapse risk until the status changes
        (D(2027, 6, 1), True, -183),
    ],
)
def test_grace_window_edges(today, shown, days_left):
    found = list(
        events.renewals([due(D(2026, 10, 1))], today, D.min, today + dt.timedelta(60), RULES)
    )
    grace = [e for e in found if e.kind == "grace" and e.stage(today)]
    assert bool(grace) == shown
    if shown:
        assert grace[0].date == D(2026, 11, 30)
        assert (grace[0].date - today).days == days_left
        assert grace[0].stage(today) == today  # brought up every day


def test_grace_escalates_day_by_day():
    e = only(
        events.renewals([due(D(2026, 10, 1))], D(2026, 10, 20), D.min, D(2026, 12, 31), RULES),
        "grace",
    )
    w = UrgencyWeights()
    factors = [
        urgency.closeness(e, D(2026, 10, 1) + dt.timedelta(n), w.overdue_per_day)
        for n in range(1, 80)
    ]
    assert factors[0] == 1 and factors == sorted(factors) and len(set(factors)) == len(factors)


# --- birthdays ---------------------------------------------------------------------------------


def birthday_events(person, start, end):
    return list(events.birthdays([person], start, end, RULES))


@pytest.mark.parametrize(("year", "expected"), [(2027, D(2027, 2, 28)), (2028, D(2028, 2, 29))])
def test_feb_29_birthday_in_common_and_leap_years(year, expected):
    e = only(birthday_events(Person("C1", D(1980, 2, 29), "solar"), D(year, 2, 1), D(year, 3, 31)))
    assert e.date == expected
    assert e.starts == expected - dt.timedelta(7)  # a greeting never arrives late
    assert e.detail == f"birthday, turns {year - 1980}"


def test_solar_birthday_across_the_year_boundary():
    e = only(birthday_events(Person("C1", D(1970, 1, 2), "solar"), D(2026, 12, 28), D(2027, 1, 5)))
    assert e.date == D(2027, 1, 2) and e.starts == D(2026, 12, 26) and "turns 57" in e.detail


def test_round_ages_are_flagged():
    e = only(birthday_events(Person("C1", D(1966, 12, 1), None), D(2026, 11, 24), D(2026, 12, 31)))
    assert e.round_age == 60 and "round age" in e.detail
    e = only(birthday_events(Person("C1", D(1967, 12, 1), None), D(2026, 11, 24), D(2026, 12, 31)))
    assert e.round_age is None


@pytest.mark.parametrize("born", [D(1966, 11, 26), D(1975, 3, 3), D(1990, 8, 20), D(2001, 1, 5)])
def test_lunar_birthday_matches_the_second_library(born):
    year, month, day = lunar_of(born)
    assert month > 0  # not a leap month: see the next tests for those
    for celebrated_in in (2026, 2027):
        expected = solar_of(
            celebrated_in, month, min(day, LunarMonth.fromYm(celebrated_in, month).getDayCount())
        )
        window = (expected - dt.timedelta(3), expected + dt.timedelta(3))
        e = only(birthday_events(Person("C1", born, "lunar"), *window))
        assert e.date == expected
        assert e.detail.startswith(f"lunar birthday, turns {celebrated_in - year}")


def test_a_leap_month_birth_is_celebrated_in_the_ordinary_month():
    born = D(2023, 4, 1)  # lunar 2023, leap 2nd month, day 11
    assert lunar_of(born) == (2023, -2, 11)
    expected = solar_of(2024, 2, 11)  # 2024 has no leap 2nd month
    e = only(birthday_events(Person("C1", born, "lunar"), D(2024, 1, 1), D(2024, 12, 31)))
    assert e.date == expected == D(2024, 3, 20)


def test_nobody_is_celebrated_on_a_leap_month_day():
    # 2025 has a leap 6th month; a birth on ordinary 6/10 is celebrated once, in the ordinary month.
    born = solar_of(1990, 6, 10)
    found = birthday_events(Person("C1", born, "lunar"), D(2025, 1, 1), D(2025, 12, 31))
    assert [e.date for e in found] == [solar_of(2025, 6, 10)]
    assert solar_of(2025, 6, 10, leap=True) not in [e.date for e in found]


def test_a_30th_day_birth_falls_on_the_29th_in_a_short_month():
    # 2026's 2nd lunar month has 29 days (lunar_python); find a birth on a 2nd-month 30th.
    assert LunarMonth.fromYm(2026, 2).getDayCount() == 29
    year = next(y for y in range(1960, 2000) if LunarMonth.fromYm(y, 2).getDayCount() == 30)
    born = solar_of(year, 2, 30)
    e = only(birthday_events(Person("C1", born, "lunar"), D(2026, 1, 1), D(2026, 12, 31)))
    assert e.date == solar_of(2026, 2, 29)


def test_lunar_birthday_across_the_year_boundary():
    born = solar_of(1970, 12, 10)  # 12th lunar month: the solar January after
    expected = solar_of(2026, 12, 10)
    assert expected.year == 2027
    e = only(birthday_events(Person("C1", born, "lunar"), D(2026, 12, 20), D(2027, 2, 28)))
    assert e.date == expected and "turns 56" in e.detail


def test_every_lunar_day_of_three_years_matches_the_second_library():
    """Lunar days are worked out from their month's first: each checked against lunar_python,
    leap months included, and days a month lacks (the 30th of a 29-day month) are None."""
    for year in (2023, 2025, 2026):  # 2023 and 2025 have leap months
        for month in LunarYear.fromYear(year).getMonthsInYear():
            number, leap = abs(month.getMonth()), month.isLeap()
            count = month.getDayCount()
            for day in range(1, count + 1):
                assert lunar._solar(year, number, day, leap) == solar_of(year, number, day, leap)
            assert lunar._solar(year, number, count + 1, leap) is None
    assert lunar._solar(2026, 6, 1, True) is None  # 2026 has no leap 6th month


def test_lunar_birthdays_lookup_is_complete_for_a_window():
    """Every birth date of five years celebrated in the window, checked one by one with
    lunar_python (slow, hence five years)."""
    start, end = D(2026, 11, 24), D(2026, 12, 1)
    table = lunar.birthdays(start, end, 1960)
    day = D(1960, 1, 1)
    while day <= D(1964, 12, 31):
        _, month, number = lunar_of(day)
        month = abs(month)
        if month in (9, 10, 11):  # only these can fall in late November
            count = LunarMonth.fromYm(2026, month).getDayCount()
            celebrated = solar_of(2026, month, min(number, count))
            if start <= celebrated <= end:
                assert celebrated in [d for d, _ in table.pop(day)], day
        day += dt.timedelta(1)
    assert not [born for born in table if 1960 <= born.year < 1965]  # nothing celebrated wrongly


# --- other care dates --------------------------------------------------------------------------


def test_wedding_and_policy_anniversaries():
    e = only(events.weddings([Wedding("C1", D(2000, 2, 29))], D(2026, 2, 20), D(2026, 3, 5), RULES))
    assert e.date == D(2026, 2, 28) and e.detail == "26 years married"
    policies = [
        PolicyDates("C1", "P1", D(2020, 12, 1), None, "in_force"),
        PolicyDates("C1", "P2", D(2020, 12, 1), None, "lapsed"),
        PolicyDates("C1", "P3", D(2026, 12, 1), None, None),  # no anniversary in its first year
    ]
    e = only(events.policy_anniversaries(policies, D(2026, 11, 24), D(2026, 12, 31), RULES))
    assert (e.policy_no, e.date, e.detail) == ("P1", D(2026, 12, 1), "6 years in force")


def test_survival_benefit_30_days_ahead():
    p = PolicyDates("C1", "P1", D(2016, 1, 1), D(2026, 12, 20), "in_force")
    e = only(events.survival_benefits([p], D(2026, 11, 1), D(2026, 12, 31), RULES))
    assert e.starts == D(2026, 11, 20) and e.until == D(2026, 12, 20)


@pytest.mark.parametrize(
    ("year", "expected"),
    [  # published dates of the festivals
        (
            2026,
            {
                "Spring Festival": D(2026, 2, 17),
                "Dragon Boat": D(2026, 6, 19),
                "Mid-Autumn": D(2026, 9, 25),
            },
        ),
        (
            2027,
            {
                "Spring Festival": D(2027, 2, 6),
                "Dragon Boat": D(2027, 6, 9),
                "Mid-Autumn": D(2027, 9, 15),
            },
        ),
    ],
)
def test_holidays(year, expected):
    found = list(events.holidays(["C1"], D(year, 1, 1), D(year, 12, 31), RULES))
    got = {e.detail: e.date for e in found}
    assert got == {**expected, "New Year": D(year, 1, 1), "National Day": D(year, 10, 1)}
    assert all(e.lead == 7 for e in found)


# --- callbacks and cadence ---------------------------------------------------------------------


def test_new_policy_callback_until_contacted_or_30_days():
    p = PolicyDates("C1", "P1", D(2026, 11, 10), None, "in_force")
    e = only(events.new_policy_callbacks([p], {}, D(2026, 10, 25), D(2026, 11, 24), RULES))
    assert e.stage(D(2026, 11, 10)) == D(2026, 11, 10)
    assert e.stage(D(2026, 12, 10)) == D(2026, 12, 10) and e.stage(D(2026, 12, 11)) is None
    before = {"C1": D(2026, 11, 9)}
    assert list(events.new_policy_callbacks([p], before, D(2026, 10, 25), D(2026, 11, 24), RULES))
    after = {"C1": D(2026, 11, 10)}
    assert not list(
        events.new_policy_callbacks([p], after, D(2026, 10, 25), D(2026, 11, 24), RULES)
    )


def test_departed_agent_callback_until_a_later_contact():
    d = Departure("C1", "王芳", D(2026, 11, 1))
    assert list(
        events.departed_agent_callbacks([d], {"C1": D(2026, 10, 31)}, D.min, D(2026, 11, 24))
    )
    assert not list(
        events.departed_agent_callbacks([d], {"C1": D(2026, 11, 2)}, D.min, D(2026, 11, 24))
    )


def test_contact_overdue_counts_from_import_then_from_the_last_contact():
    cadence = {"A": 90, "B": 60, "C": 30, "D": 14}
    client = Cadence("C1", "D", D(2026, 11, 1))
    e = only(events.contacts_overdue([client], {}, D.min, D(2026, 11, 24), cadence))
    assert e.date == D(2026, 11, 15)
    contacted = {"C1": D(2026, 11, 20)}
    assert not list(events.contacts_overdue([client], contacted, D.min, D(2026, 11, 24), cadence))
    e = only(events.contacts_overdue([client], contacted, D.min, D(2026, 12, 31), cadence))
    assert e.date == D(2026, 12, 4)


# --- ranking -----------------------------------------------------------------------------------


def test_score_terms_and_order():
    w = UrgencyWeights()
    today = D(2026, 11, 24)
    renewal = only(
        events.renewals(
            [due(D(2026, 12, 24), effective=D(2020, 12, 24))], today, today, D(2027, 3, 1), RULES
        )
    )
    grace = only(
        events.renewals([due(D(2026, 11, 1))], today, D.min, D(2027, 3, 1), RULES), "grace"
    )
    # Tier D outranks tier A on the same item; grace outranks a renewal a month off.
    d_score = urgency.score("D", "general", [renewal], today, w)
    a_score = urgency.score("A", "general", [renewal], today, w)
    assert d_score - a_score == pytest.approx(w.tier["D"] - w.tier["A"])
    assert urgency.score("A", "general", [grace], today, w) > a_score
    # The premium at stake counts, up to its cap.
    big = only(
        events.renewals(
            [due(D(2026, 12, 24), effective=D(2020, 12, 24), premium=Decimal(10**7))],
            today,
            today,
            D(2027, 3, 1),
            RULES,
        )
    )
    terms = urgency.terms(None, None, [big], today, w)
    assert [t.name for t in terms] == ["renewal_due", "premium"] and terms[1].value == w.premium_max
    # A closer date weighs more.
    near = urgency.closeness(renewal, D(2026, 12, 20), w.overdue_per_day)
    far = urgency.closeness(renewal, D(2026, 10, 1), w.overdue_per_day)
    assert near > far
