"""The needs-analysis rules at their thresholds (DESIGN "Needs analysis"); figures by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from vipctl.config import NeedsRules
from vipctl.rules import needs

RULES = NeedsRules()
EARNER = needs.Household(main_earner=True, income=D(500_000), assets=D(2_000_000))
NOT_EARNER = needs.Household(main_earner=False, income=D(500_000), assets=D(2_000_000))


def line(have: dict, need: str, home=EARNER, owns: bool | None = True, rules=RULES):
    return next(x for x in needs.coverage(have, home, owns, rules) if x.need == need)


@pytest.mark.parametrize(
    ("need", "minimum"),
    [
        ("life", 1_000_000),
        ("critical_illness", 500_000),
        ("accident", 1_000_000),
        ("accident_medical", 50_000),
    ],
)
def test_each_minimum_is_met_at_the_threshold_and_short_one_yuan_below(need, minimum):
    at = line({need: D(minimum)}, need)
    assert (at.state, at.short_by, at.minimum) == ("met", None, D(minimum))
    below = line({need: D(minimum - 1)}, need)
    assert (below.state, below.short_by) == ("short", D(1))
    none = line({}, need)
    assert (none.state, none.short_by, none.have) == ("absent", D(minimum), D(0))


def test_life_guidance_is_for_the_main_earner_only():
    assert line({}, "life", home=NOT_EARNER).state == "n/a"
    assert line({"life": D(10)}, "life", home=NOT_EARNER).minimum is None


def test_property_cover_is_a_need_only_for_owners():
    assert line({}, "property", owns=True).state == "absent"
    assert line({"property": D(1)}, "property", owns=True).state == "met"
    assert line({}, "property", owns=False).state == "n/a"
    assert line({}, "property", owns=None).state == "unknown"
    assert line({"property": D(300_000)}, "property", owns=None).state == "met"


def test_thresholds_come_from_the_config():
    rules = NeedsRules(critical_illness=800_000)
    assert line({"critical_illness": D(500_000)}, "critical_illness", rules=rules).short_by == D(
        300_000
    )


@pytest.mark.parametrize(
    ("premium", "income", "percent", "risk"),
    [
        (D(30_000), D(300_000), D("10.0"), False),  # exactly 10 %: not above
        (D("30000.01"), D(300_000), D("10.1"), True),  # a cent above: rounded up
        (D("29999.99"), D(300_000), D("9.9"), False),  # a cent below: rounded down
        (D(45_000), D(300_000), D("15.0"), True),
        (D(0), D(300_000), D("0.0"), False),
        (D(45_000), None, None, False),  # unknown income: no figure, not 0 %
        (D(45_000), D(0), None, False),
    ],
)
def test_premium_burden_is_a_risk_above_the_share(premium, income, percent, risk):
    got = needs.burden(premium, income, RULES)
    assert (got.percent, got.risk) == (percent, risk)


def test_premium_burden_share_comes_from_the_config():
    assert needs.burden(D(16_000), D(300_000), NeedsRules(premium_share_percent=5)).risk


@pytest.mark.parametrize(
    ("income", "assets", "expected", "band"),
    [
        (D(300_000), D(1_000_000), True, "within"),  # both lower edges
        (D(300_000), D(10_000_000), True, "within"),  # upper edge of assets
        (D(299_999), D(5_000_000), False, None),
        (D(300_000), D(999_999), False, None),
        # Above the seeds' narrow band: their very rich key clients, high-end all the more.
        (D(300_000), D(10_000_001), True, "above"),
        (D(2_000_000), D(80_000_000), True, "above"),
        (None, D(5_000_000), None, None),
        (D(500_000), None, None, None),
        (None, D(20_000_000), None, None),  # rich, but the income is not known
        (None, D(900_000), False, None),  # assets already rule it out
        (D(100_000), None, False, None),
    ],
)
def test_high_end_band(income, assets, expected, band):
    home = needs.Household(main_earner=True, income=income, assets=assets)
    assert needs.high_end(home, RULES) is expected
    assert needs.band(home, RULES) == band


def member(client, relation, income, assets=None):
    return (client, relation, None if income is None else D(income), assets and D(assets))


def test_household_main_earner_is_the_highest_income_and_sums_are_the_family_s():
    family = [member("H", "self", 400_000, 1_000_000), member("W", "spouse", 600_000, 500_000),
              member("K", "child", None)]  # fmt: skip
    wife = needs.household("W", family)
    assert wife == needs.Household(True, D(1_000_000), D(1_500_000))
    assert needs.household("H", family).main_earner is False
    assert needs.household("K", family).main_earner is False


def test_without_incomes_on_file_the_main_earner_is_self_else_everyone():
    assert needs.household("H", [member("H", "self", None), member("W", "spouse", None)]) == (
        needs.Household(True, None, None)
    )
    assert (
        needs.household("W", [member("H", "self", None), member("W", "spouse", None)]).main_earner
        is False
    )
    assert needs.household("A", [member("A", None, None), member("B", None, None)]).main_earner
    assert needs.household("A", [member("A", None, None)]).main_earner


def test_talking_points_name_the_gap_the_figure_and_the_guidance():
    lines = needs.coverage(
        {"life": D(600_000), "critical_illness": D(500_000), "accident": D(1_000_000),
         "accident_medical": D(50_000)},
        EARNER,
        True,
        RULES,
    )  # fmt: skip
    points = needs.talking_points(lines, needs.burden(D(60_000), D(400_000), RULES), RULES)
    assert points == [
        "life cover ¥600,000, ¥400,000 short of ¥1,000,000",
        "critical illness ¥500,000 meets the minimum; ¥800,000–¥1,500,000 is reasonable",
        "owns property but has no home property cover",
        "premiums ¥60,000 a year are 15.0% of income, over 10%: risk of premiums stopping; "
        "fit new cover to the budget",
    ]
    none = needs.coverage({}, EARNER, None, RULES)
    points = needs.talking_points(none, needs.burden(D(0), None, RULES), RULES)
    assert "no critical-illness cover; guidance ¥800,000–¥1,500,000" in points
    assert "no accident medical cover; guidance ≥ ¥50,000" in points
    assert "ask whether they own property: home cover is guidance for owners" in points
    assert points[-1] == "annual income not on file: the premium burden cannot be judged"


@pytest.mark.parametrize(
    ("share", "note"),
    [
        (None, None),  # no income on file
        (10.0, None),  # exactly the share: not over it
        (10.0000033, "premiums 10.1% of income (over 10%): may stop"),  # rounded up, as burden
        (15.000000000000002, "premiums 15.0% of income (over 10%): may stop"),  # float noise
        (56.0, "premiums 56.0% of income (over 10%): may stop"),
    ],
)
def test_the_morning_list_s_note_from_the_stored_share(share, note):
    assert needs.share_note(share, RULES) == note
