import datetime as dt

import pytest

from vipctl.schedule import next_due

D = dt.date


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
