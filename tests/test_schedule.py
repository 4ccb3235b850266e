"""The premium schedule of DESIGN "Premium schedule": the rules one by one on fixed dates, then a
property test holding ``outstanding`` and ``dues`` to an independent reading of the rules (dates
by dateutil's month arithmetic, every premium of the term enumerated) over random policies."""

import datetime as dt
import itertools

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from vipctl.rules import schedule
from vipctl.rules.schedule import dues, next_due, outstanding

D = dt.date
FREQUENCIES = ["annual", "semiannual", "quarterly", "monthly"]


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (D(2024, 2, 1), D(2024, 2, 29)),  # leap year: Jan 31 + 1 month
        (D(2024, 3, 1), D(2024, 3, 31)),  # back to the 31st, not Mar 29
        (D(2024, 4, 30), D(2024, 4, 30)),
        (D(2024, 5, 1), D(2024, 5, 31)),
        (D(2025, 2, 1), D(2025, 2, 28)),  # common year
        (D(2024, 12, 31), D(2024, 12, 31)),  # a due date falling on the day itself
        (D(2025, 1, 1), D(2025, 1, 31)),  # across the year boundary
    ],
)
def test_monthly_from_january_31(on, expected):
    assert next_due(D(2024, 1, 31), "monthly", None, on) == expected


def test_first_premium_is_paid_at_underwriting():
    assert next_due(D(2024, 1, 31), "annual", 20, D(2024, 1, 31)) == D(2025, 1, 31)
    assert next_due(D(2024, 1, 31), "annual", 20, D(2023, 6, 1)) == D(2025, 1, 31)


@pytest.mark.parametrize(
    ("effective", "frequency", "on", "expected"),
    [
        (D(2023, 11, 30), "quarterly", D(2024, 1, 1), D(2024, 2, 29)),
        (D(2023, 11, 30), "quarterly", D(2024, 6, 1), D(2024, 8, 30)),
        (D(2023, 8, 31), "semiannual", D(2024, 3, 1), D(2024, 8, 31)),
        (D(2024, 2, 29), "annual", D(2025, 3, 1), D(2026, 2, 28)),
        (D(2024, 2, 29), "annual", D(2027, 3, 1), D(2028, 2, 29)),
    ],
)
def test_other_frequencies(effective, frequency, on, expected):
    assert next_due(effective, frequency, None, on) == expected


def test_payment_term_ends_premiums():
    # 10 annual premiums: 2015 (at underwriting) … 2024; nothing due from 2025 on.
    assert next_due(D(2015, 6, 1), "annual", 10, D(2024, 1, 1)) == D(2024, 6, 1)
    assert next_due(D(2015, 6, 1), "annual", 10, D(2024, 6, 2)) is None
    # 1 year monthly: 12 premiums, the last on 2024-12-01.
    assert next_due(D(2024, 1, 1), "monthly", 1, D(2024, 12, 1)) == D(2024, 12, 1)
    assert next_due(D(2024, 1, 1), "monthly", 1, D(2024, 12, 2)) is None


def test_single_premium_and_unknown_frequency():
    assert next_due(D(2020, 1, 1), "single", 1, D(2024, 1, 1)) is None
    assert next_due(D(2020, 1, 1), None, None, D(2024, 1, 1)) is None


# --- paid-up policies owe nothing ----------------------------------------------------------

# (frequency, effective, payment years): each term ended in 2025-08, its last premium before.
PAID_UP = [
    ("annual", D(2015, 8, 10), 10),  # last premium 2024-08-10
    ("semiannual", D(2020, 8, 10), 5),  # last 2025-02-10
    ("quarterly", D(2020, 8, 10), 5),  # last 2025-05-10
    ("monthly", D(2020, 8, 10), 5),  # last 2025-07-10
]


@pytest.mark.parametrize(("frequency", "effective", "years"), PAID_UP)
@pytest.mark.parametrize("status", [None, "in_force", "grace"])
def test_a_paid_up_policy_owes_nothing(frequency, effective, years, status):
    as_of = D(2026, 2, 20)  # half a year after the term, past every grace period
    assert outstanding(effective, frequency, years, None, status, as_of) is None
    assert outstanding(effective, frequency, years, None, status, D(2030, 1, 1)) is None


def test_the_reported_paid_up_policies():
    # A quarterly policy whose term ended 2025-08 was shown owing 2026-02-10.
    assert outstanding(D(2020, 8, 10), "quarterly", 5, None, "grace", D(2026, 2, 20)) is None
    # An annual policy whose term ended in 2014 was shown owing 2025-04-01.
    assert outstanding(D(2004, 4, 1), "annual", 10, None, "grace", D(2025, 5, 1)) is None


def test_grace_just_after_the_term_owes_the_terms_last_premium():
    # Monthly, 5 years from 2021-02-15: the last premium 2026-01-15, the term ends 2026-02-15.
    effective = D(2021, 2, 15)
    got = outstanding(effective, "monthly", 5, None, "grace", D(2026, 3, 1))
    assert got == D(2026, 1, 15)  # not 2026-02-15, a month late
    assert got + dt.timedelta(days=60) == D(2026, 3, 16)  # the last day to pay
    # Once that premium's grace is over, the term is done: nothing is owed.
    assert outstanding(effective, "monthly", 5, None, "grace", D(2026, 3, 17)) is None


def test_grace_ended_before_the_export_is_not_grace():
    # Monthly, the term's last premium 2025-12-05 (grace to 2026-02-03), exported 2026-02-10:
    # shown in grace until 2026-04-06 before.
    got = outstanding(D(2021, 1, 5), "monthly", 5, None, "grace", D(2026, 2, 10))
    assert got is None


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (D(2026, 2, 20), D(2026, 2, 15)),  # the last one due on or before the export
        (D(2026, 2, 15), D(2026, 2, 15)),  # due on the export day itself
        (D(2026, 2, 14), D(2026, 1, 15)),
    ],
)
def test_grace_within_the_term_is_the_last_premium_due(as_of, expected):
    assert outstanding(D(2020, 1, 15), "monthly", 20, None, "grace", as_of) == expected


def test_grace_before_any_premium_but_the_first_falls_back_to_the_next_one():
    # The first premium is paid at underwriting, so a status of grace cannot be about it.
    assert outstanding(D(2026, 1, 10), "annual", 10, None, "grace", D(2026, 3, 1)) == D(2027, 1, 10)


@pytest.mark.parametrize(
    ("frequency", "last"),
    [
        ("annual", D(2025, 3, 20)),
        ("semiannual", D(2025, 9, 20)),
        ("quarterly", D(2025, 12, 20)),
        ("monthly", D(2026, 2, 20)),
    ],
)
def test_grace_past_the_term_for_every_frequency(frequency, last):
    effective, end = D(2016, 3, 20), D(2026, 3, 20)  # 10 years: the term's last premium `last`
    last_day = last + dt.timedelta(days=60)
    for as_of in (end, end + dt.timedelta(days=20), last_day, last_day + dt.timedelta(days=1)):
        if as_of < end:
            continue
        got = outstanding(effective, frequency, 10, None, "grace", as_of)
        # After the term, the last premium is owed only while its grace lasts.
        assert got == (last if as_of <= last_day else None), as_of
    # Within the term, the last premium due is owed whatever its grace.
    assert outstanding(effective, frequency, 10, None, "grace", end - dt.timedelta(1)) == last


# --- a stated due date is the insurer's record --------------------------------------------


def test_a_stated_date_off_the_schedule_wins_and_the_schedule_follows_it():
    # Annual ¥12,000 effective 2019-06-15, the insurer says 2026-03-15.
    effective, stated = D(2019, 6, 15), D(2026, 3, 15)
    assert outstanding(effective, "annual", 20, stated, "in_force", D(2026, 1, 1)) == stated
    listed = list(dues(effective, "annual", 20, stated, D(2027, 2, 5)))  # 400 days
    assert listed == [D(2026, 3, 15)]
    listed = list(dues(effective, "annual", 20, stated, D(2028, 12, 31)))
    assert listed == [D(2026, 3, 15), D(2027, 3, 15), D(2028, 3, 15)]


@pytest.mark.parametrize(
    ("frequency", "expected"),
    [
        ("monthly", [D(2026, 3, 10), D(2026, 4, 10), D(2026, 5, 10)]),
        ("quarterly", [D(2026, 3, 10)]),
        ("semiannual", [D(2026, 3, 10)]),
        ("annual", [D(2026, 3, 10)]),
    ],
)
@pytest.mark.parametrize("window", [30, 90, 365, 400])
def test_stated_dates_off_the_schedule_in_windows_of_every_length(frequency, expected, window):
    effective, stated, start = D(2019, 6, 15), D(2026, 3, 10), D(2026, 3, 1)
    end = start + dt.timedelta(days=window)
    months = schedule.PERIOD_MONTHS[frequency]
    wanted = [stated + relativedelta(months=k * months) for k in range(30)]
    wanted = [d for d in wanted if d <= end]
    assert list(dues(effective, frequency, None, stated, end)) == wanted
    assert wanted[: len(expected)] == expected[: len(wanted)]


def test_a_stated_date_on_a_month_end_stays_on_month_ends_cut_short_from_the_31st():
    # Effective on the 31st, stated 2026-02-28 (Feb's end): the 31st comes back in March.
    got = list(dues(D(2019, 5, 31), "monthly", None, D(2026, 2, 28), D(2026, 6, 1)))
    assert got == [D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30), D(2026, 5, 31)]
    # Off the schedule on Apr 30 of a policy of the 15th: the 30th it is, Feb 28 in between.
    got = list(dues(D(2019, 6, 15), "monthly", None, D(2026, 4, 30), D(2026, 7, 1)))
    assert got == [D(2026, 4, 30), D(2026, 5, 30), D(2026, 6, 30)]
    got = list(dues(D(2019, 6, 15), "quarterly", None, D(2025, 11, 30), D(2026, 6, 1)))
    assert got == [D(2025, 11, 30), D(2026, 2, 28), D(2026, 5, 30)]


def test_a_payment_moves_a_stated_date_on_along_its_own_schedule():
    effective, stated = D(2019, 6, 15), D(2026, 3, 10)
    got = outstanding(effective, "monthly", 20, stated, "in_force", D(2026, 1, 1), stated)
    assert got == D(2026, 4, 10)
    assert schedule.following(effective, "monthly", 20, stated, D(2026, 3, 11)) == D(2026, 4, 10)


def test_the_stated_schedule_ends_with_the_term():
    # 10 years from 2016-06-15: nothing is due from 2026-06-15 on.
    got = list(dues(D(2016, 6, 15), "quarterly", 10, D(2025, 11, 1), D(2027, 1, 1)))
    assert got == [D(2025, 11, 1), D(2026, 2, 1), D(2026, 5, 1)]
    assert outstanding(D(2016, 6, 15), "quarterly", 10, D(2026, 5, 1), None, D(2026, 1, 1),
                       D(2026, 5, 1)) is None  # fmt: skip


# --- the property test -------------------------------------------------------------------


def _term_end(effective: dt.date, years: int | None) -> dt.date | None:
    return None if years is None else effective + relativedelta(years=years)


def _schedule_through(effective: dt.date, frequency: str, due: dt.date, until: dt.date):
    """Every premium date from ``due`` to ``until`` of the schedule through ``due``, read from
    DESIGN with dateutil: a date of the effective date's own schedule carries on with it; a date
    off it carries on from itself, a month end cut short from a later day of the month going
    back to that day in longer months."""
    months = schedule.PERIOD_MONTHS[frequency]
    own, k = [], 0
    while (d := effective + relativedelta(months=k * months)) <= max(until, due):
        own.append(d)
        k += 1
    if due in own:
        return [d for d in own if due <= d <= until]
    cut_short = (due + dt.timedelta(days=1)).day == 1 and due.day < effective.day
    day = effective.day if cut_short else due.day
    out, k = [], 0
    while (d := due + relativedelta(months=k * months, day=day)) <= until:
        out.append(d)
        k += 1
    return out


def _expected_outstanding(effective, frequency, years, stated, status, as_of, paid):
    if status in ("lapsed", "terminated"):
        return None
    end = _term_end(effective, years)
    horizon = max(effective, as_of, paid or as_of, stated or as_of) + relativedelta(years=3)
    own = _schedule_through(effective, frequency, effective, horizon)[1:]  # the first: paid
    own = [d for d in own if end is None or d < end]
    due = stated
    if due is None and status == "grace":
        before = [d for d in own if d <= as_of]
        if before:
            due = before[-1]
            if end is not None and as_of >= end and due + dt.timedelta(days=60) < as_of:
                due = None
    if due is None:
        due = next((d for d in own if d >= as_of), None)
    if due is not None and paid is not None and due <= paid:
        later = _schedule_through(effective, frequency, due, horizon)
        due = next((d for d in later if d > paid and (end is None or d < end)), None)
    return due


days = st.dates(D(2000, 1, 1), D(2035, 12, 31))
policy = st.fixed_dictionaries(
    {
        "effective": st.dates(D(2000, 1, 1), D(2030, 12, 31)),
        "frequency": st.sampled_from(FREQUENCIES),
        "years": st.one_of(st.none(), st.integers(1, 30)),
    }
)


@settings(max_examples=400, deadline=None)
@given(
    policy,
    st.one_of(st.none(), days),
    st.sampled_from([None, "in_force", "grace", "lapsed", "terminated"]),
    days,
    st.one_of(st.none(), days),
)
def test_outstanding_follows_the_rules(p, stated, status, as_of, paid):
    if stated is not None and stated < p["effective"]:
        stated = None  # the import refuses a due date before the effective date
    got = outstanding(p["effective"], p["frequency"], p["years"], stated, status, as_of, paid)
    want = _expected_outstanding(
        p["effective"], p["frequency"], p["years"], stated, status, as_of, paid
    )
    assert got == want


def _unpaid(effective: dt.date, frequency: str, k_or_offset: int) -> dt.date:
    """The unpaid premium: a date of the effective date's schedule, or any later stated one."""
    if k_or_offset % 2:
        return schedule.due_date(effective, frequency, k_or_offset // 2 + 1)
    return effective + dt.timedelta(days=k_or_offset * 7)


@settings(max_examples=400, deadline=None)
@given(policy, st.integers(1, 400), days, st.integers(0, 800))
def test_dues_list_the_schedule_through_the_unpaid_premium(p, k_or_offset, start, window):
    effective, frequency, years = p["effective"], p["frequency"], p["years"]
    first = _unpaid(effective, frequency, k_or_offset)
    last = start + dt.timedelta(days=window)
    got = list(dues(effective, frequency, years, first, last))
    end = _term_end(effective, years)
    want = [
        d
        for d in _schedule_through(effective, frequency, first, last)
        if d == first or end is None or d < end
    ]
    assert got == want
    assert all(a < b for a, b in itertools.pairwise(got))


@settings(max_examples=400, deadline=None)
@given(policy, st.integers(1, 400), days, st.integers(0, 800), st.integers(-400, 1200))
def test_dues_since_a_day_are_the_walk_from_it(p, k_or_offset, start, window, later):
    """A year's later months start their walk at their first day, not the unpaid premium: the
    dates are those of the whole walk from that day on, none missed, none added."""
    effective, frequency, years = p["effective"], p["frequency"], p["years"]
    first = _unpaid(effective, frequency, k_or_offset)
    last = start + dt.timedelta(days=window)
    since = first + dt.timedelta(days=later)
    whole = list(dues(effective, frequency, years, first, last))
    assert list(dues(effective, frequency, years, first, last, since)) == [
        d for d in whole if d >= since
    ]
