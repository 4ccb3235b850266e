import datetime as dt
from decimal import Decimal

import pytest
from stdnum.cn import ric

from vipctl import contract
from vipctl import values as v


@pytest.mark.parametrize(
    "text",
    ["2024-03-05", "2024/3/5", "2024/03/05", "20240305", "2024年3月5日", "2024.3.5",
     "2024-03-05 00:00:00", "2024 年 3 月 5 日"],
)  # fmt: skip
def test_dates_in_every_contract_form(text):
    assert v.parse_date(text) == dt.date(2024, 3, 5)


@pytest.mark.parametrize("text", ["03/05/2024", "2024-3", "5 March 2024", "2024-03-05 13:45"])
def test_other_date_forms_are_refused_not_guessed(text):
    with pytest.raises(ValueError, match="expected a date like"):
        v.parse_date(text)


def test_impossible_dates_are_refused():
    assert v.parse_date("2024-02-29") == dt.date(2024, 2, 29)
    with pytest.raises(ValueError, match="not a real calendar date"):
        v.parse_date("2023-02-29")
    with pytest.raises(ValueError, match="not a real calendar date"):
        v.parse_date("20241301")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12000", "12000"),
        ("1,200,000", "1200000"),
        ("1,200,000.50", "1200000.50"),
        ("¥12,000", "12000"),
        ("120万", "1200000"),
        ("12.5万", "125000"),
        ("3亿", "300000000"),
        ("８０００", "8000"),
        ("5000元", "5000"),
        ("1，000", "1000"),
    ],
)
def test_amounts(text, expected):
    assert v.parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["-5", "abc", "12w", "NaN", "Infinity", "1e20"])
def test_bad_amounts(text):
    with pytest.raises(ValueError):
        v.parse_amount(text)


def test_years():
    assert v.parse_years("20") == 20
    assert v.parse_years("20年") == 20
    assert v.parse_years("10.0") == 10
    for bad in ("0", "10.5", "ten", "101"):
        with pytest.raises(ValueError, match="whole number of years"):
            v.parse_years(bad)


def test_booleans_in_both_languages():
    assert v.parse_bool("是") is True and v.parse_bool("YES") is True
    assert v.parse_bool("否") is False and v.parse_bool("no") is False
    with pytest.raises(ValueError, match="yes or no"):
        v.parse_bool("maybe")


@pytest.mark.parametrize(
    ("column", "text", "expected"),
    [
        ("gender", "男", "M"),
        ("gender", "f", "F"),
        ("birthday_calendar", "农历", "lunar"),
        ("birthday_calendar", "Solar", "solar"),
        ("policy_quality", "差", "poor"),
        ("awareness", "强", "strong"),
        ("satisfaction", "低", "low"),
        ("economy", "GOOD", "good"),
        ("mobility", "弱", "low"),
        ("mobility", "强", "high"),
        ("agent_status", "离职", "left"),
        ("relation", "兄弟姐妹", "sibling"),
    ],
)
def test_client_enumerations(column, text, expected):
    col = next(c for c in contract.CLIENT_COLUMNS if c.name == column)
    assert col.parse(text) == expected


@pytest.mark.parametrize(
    ("column", "text", "expected"),
    [
        ("category", "重疾", "critical_illness"),
        ("category", "投连", "investment_linked"),
        ("frequency", "半年缴", "semiannual"),
        ("frequency", "趸缴", "single"),
        ("status", "宽限期", "grace"),
        ("status", "中止", "lapsed"),
        ("status", "In_Force", "in_force"),
    ],
)
def test_policy_enumerations(column, text, expected):
    col = next(c for c in contract.POLICY_COLUMNS if c.name == column)
    assert col.parse(text) == expected


def test_enumeration_error_lists_the_choices():
    col = next(c for c in contract.POLICY_COLUMNS if c.name == "frequency")
    with pytest.raises(ValueError, match=r"expected one of annual \(年缴\), semiannual"):
        col.parse("weekly")


# GB 11643-1999 check digit (ISO 7064 MOD 11-2), written out independently of python-stdnum.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def gb11643(first17: str) -> str:
    return (
        first17
        + "10X98765432"[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]
    )


def test_check_digit_matches_the_standard():
    for first17 in ("11010519491231002", "44030519750101001", "32010619630522123"):
        assert v.parse_id_number(gb11643(first17)).number == gb11643(first17)


def test_id_number_published_examples():
    # Examples printed in python-stdnum's docs and in GB 11643's textbook explanations.
    ident = v.parse_id_number("360426199101010071")
    assert (ident.birthday, ident.gender) == (dt.date(1991, 1, 1), "M")
    ident = v.parse_id_number("11010519491231002x")
    assert ident.number == "11010519491231002X"
    assert (ident.birthday, ident.gender) == (dt.date(1949, 12, 31), "F")


def test_a_15_digit_id_of_before_1999_becomes_its_18_digit_form():
    ident = v.parse_id_number("110105761014711")
    assert ident.number == "11010519761014711X" and ident.legacy
    assert (ident.birthday, ident.gender) == (dt.date(1976, 10, 14), "M")
    assert ric.is_valid(ident.number)  # python-stdnum agrees with the check digit
    assert not v.parse_id_number(ident.number).legacy


@pytest.mark.parametrize("province", sorted(v.PROVINCES))
def test_every_province_of_gb_t_2260_is_accepted(province):
    number = f"{province}0101199001010011"[:17]
    number += ric.calc_check_digit(number + "0")
    assert v.parse_id_number(number).number == number


def test_id_number_region_created_after_birth_is_accepted():
    # 440305 (Shenzhen Nanshan) dates from 1990; people born earlier who registered there have it.
    assert v.parse_id_number("440305197501010015").birthday == dt.date(1975, 1, 1)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("360426199101010072", "check digit does not match"),
        ("36042619910101007", "18-character"),
        ("3604269101010", "18-character"),
        ("36042691010A007", "15-digit"),
        ("000000199101010074", "names no province"),  # a valid check digit, no region
        ("19042619910101007X", "names no province"),  # 19: no province has it
        ("360426911301007", "not a real date"),
        ("36042619910101A071", "17 digits"),
        ("360426199113010079", "not a real date"),
    ],
)
def test_bad_id_numbers(text, problem):
    with pytest.raises(ValueError, match=problem):
        v.parse_id_number(text)


def test_phone_and_email():
    assert v.parse_phone("138-1234-5678") == "13812345678"
    assert v.parse_phone("+86 138 1234 5678") == "+8613812345678"
    with pytest.raises(ValueError, match="phone number"):
        v.parse_phone("call me")
    assert v.parse_email("a@b.cn") == "a@b.cn"
    with pytest.raises(ValueError, match="e-mail"):
        v.parse_email("a@b")


def test_header_matching_ignores_case_spaces_and_underscores():
    assert contract.match_header("clients", "Client ID").name == "client_id"
    assert contract.match_header("clients", "CLIENT_ID").name == "client_id"
    assert contract.match_header("clients", " 客户 姓名 ").name == "name"
    assert contract.match_header("policies", "Next_Due_Date").name == "next_due_date"
    assert contract.match_header("clients", "favourite colour") is None


def test_guess_kind():
    assert contract.guess_kind(["保单号", "客户号", "生效日"]) == "policies"
    assert contract.guess_kind(["客户号", "姓名"]) == "clients"
    assert contract.guess_kind(["foo", "bar"]) is None
