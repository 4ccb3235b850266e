"""Cell parsers for the CSV data contract.

Each parser takes the stripped, non-empty text of a cell and returns the stored value, or raises
``ValueError`` whose message says what was expected: the importer puts that message after the
file, line and column, so it must make sense to someone fixing a spreadsheet.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from types import ModuleType

from vipctl.i18n import N_, _

Parser = Callable[[str], object]

_DATE_RE = re.compile(
    r"(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{2})(\d{2}))"
    r"(?:[ T]0{1,2}:00(?::00(?:\.0+)?)?)?"
)
DATE_FORMS = N_("a date like 2024-03-05, 2024/3/5, 20240305 or 2024年3月5日")


def parse_date(text: str) -> dt.date:
    if len(text) == 10 and text[4] == "-" == text[7]:  # 2024-03-05, the commonest form: in C
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass  # the pattern below says what is wrong
    m = _DATE_RE.fullmatch(text)
    if not m:
        raise ValueError(_("expected {forms}").format(forms=_(DATE_FORMS)))
    year = int(m[1])
    month, day = (int(m[2]), int(m[3])) if m[2] else (int(m[4]), int(m[5]))
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(
            _("not a real calendar date (expected {forms})").format(forms=_(DATE_FORMS))
        ) from None


_AMOUNT_JUNK = str.maketrans("", "", ",，  ¥￥元")
_AMOUNT_UNITS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
_CENT = Decimal("0.01")


def parse_amount(text: str) -> Decimal:
    """Amounts as people type them in Chinese spreadsheets: 1,200,000 / ¥12,000.50 / 120万."""
    cleaned = text.translate(_AMOUNT_JUNK)
    factor = _AMOUNT_UNITS.get(cleaned[-1:])
    if factor is not None:
        cleaned = cleaned[:-1]
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_("expected an amount like 12000, 1,200,000.50 or 120万")) from None
    if not value.is_finite() or value < 0:
        raise ValueError(_("expected an amount of zero or more"))
    if factor is not None:
        value *= factor
    if value >= Decimal("1e14"):
        raise ValueError(_("amount is implausibly large"))
    return value.quantize(_CENT)


def parse_years(text: str) -> int:
    cleaned = text.removesuffix("年").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_("expected a whole number of years like 20")) from None
    if value != value.to_integral_value() or not 1 <= value <= 100:
        raise ValueError(_("expected a whole number of years from 1 to 100"))
    return int(value)


def enum_parser(choices: dict[str, tuple[str, ...]]) -> Parser:
    """A parser for an enumerated column: canonical value → accepted spellings (any case)."""
    lookup = {canonical.lower(): canonical for canonical in choices}
    for canonical, spellings in choices.items():
        lookup.update({s.lower(): canonical for s in spellings})
    shown = ", ".join(f"{c} ({'/'.join(s[:1])})" if s else c for c, s in choices.items())

    def parse(text: str) -> str:
        try:
            return lookup[text.lower()]
        except KeyError:
            raise ValueError(_("expected one of {choices}").format(choices=shown)) from None

    return parse


_YES = {"yes", "y", "true", "1", "是", "有", "需要", "需"}
_NO = {"no", "n", "false", "0", "否", "无", "没有", "不需要", "不需"}


def parse_bool(text: str) -> bool:
    low = text.lower()
    if low in _YES:
        return True
    if low in _NO:
        return False
    raise ValueError(_("expected yes or no (是/否)"))


_PHONE_SEPARATORS = str.maketrans("", "", " ()-")


def parse_phone(text: str) -> str:
    if text.isdigit() and text.isascii() and 5 <= len(text) <= 20:
        return text  # the common case, decided without building a new string
    number = text.translate(_PHONE_SEPARATORS)
    digits = number.removeprefix("+")
    if not (digits.isascii() and digits.isdigit() and 5 <= len(digits) <= 20):
        raise ValueError(_("expected a phone number of digits, like 13812345678"))
    return number


_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def parse_email(text: str) -> str:
    if not _EMAIL_RE.fullmatch(text):
        raise ValueError(_("expected an e-mail address like name@example.com"))
    return text


def parse_text(text: str) -> str:
    return text


class IdNumber:
    """An 18-digit PRC resident ID with what it tells: birth date and gender; ``legacy``: it was
    written in the 15-digit form of before 1999 and converted."""

    __slots__ = ("birthday", "gender", "legacy", "number")

    def __init__(self, number: str, birthday: dt.date, gender: str, legacy: bool = False) -> None:
        self.number = number
        self.birthday = birthday
        self.gender = gender
        self.legacy = legacy


@functools.cache
def _ric() -> ModuleType:
    """python-stdnum's ID module, imported on the first ID number: not every command needs it."""
    from stdnum.cn import ric

    return ric


_ID_SEPARATORS = str.maketrans("", "", " -")
_CHECK_CHARS = frozenset("0123456789X")
# The province-level codes of GB/T 2260 that open every region code: Beijing 11 … Macao 82.
PROVINCES = frozenset(
    f"{n}"
    for low, high in ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65), (71, 71),
                      (81, 82))
    for n in range(low, high + 1)
)  # fmt: skip


def parse_id_number(text: str) -> IdNumber:
    """Check length, digits, province, check digit and birth date; the check digit by
    python-stdnum. A 15-digit ID of before 1999 (still in old core systems' exports) becomes the
    18-digit one it was replaced by: 19 before the two-digit birth year, the check digit added.

    Not ``ric.validate``: it also rejects a region code created after the birth year, yet people
    who moved their household registration carry exactly such numbers, and the check digit
    already catches typos. The province alone is checked: no ID starts outside them.
    """
    number = text if text.isalnum() else text.translate(_ID_SEPARATORS)
    number = number.upper()
    legacy = len(number) == 15
    if legacy:
        if not (number.isascii() and number.isdigit()):
            raise ValueError(_("expected a 15-digit ID number of digits only"))
        number = number[:6] + "19" + number[6:]
        number += _ric().calc_check_digit(number + "0")
    elif len(number) != 18:
        raise ValueError(_("expected an 18-character ID number (or a 15-digit one of before 1999)"))
    if not (number[:17].isascii() and number[:17].isdigit()) or number[17] not in _CHECK_CHARS:
        raise ValueError(_("expected 17 digits and a final digit or X"))
    if number[:2] not in PROVINCES:
        raise ValueError(
            _("the region code {code} names no province of GB/T 2260").format(code=number[:6])
        )
    if number[17] != _ric().calc_check_digit(number):
        raise ValueError(_("check digit does not match: the ID number has a typo"))
    try:
        birthday = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValueError(_("the birth date inside the ID number is not a real date")) from None
    return IdNumber(number, birthday, "M" if int(number[16]) % 2 else "F", legacy)
