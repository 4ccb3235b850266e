"""Dates, days and counts in the sentences people read, in the interface's language.

Chinese sentences write a day as ``11月24日 周二`` and a distance in days as ``还有3天`` or
``逾期5天``; English keeps ``Tue 2026-11-24`` and ``in 3 d``. Tables' date columns and JSON and
CSV keep ISO dates in every language.
"""

from __future__ import annotations

import datetime as dt
import re

from vipctl import contract
from vipctl.config import INDICATORS, SEGMENTS
from vipctl.i18n import _, chinese, ngettext
from vipctl.kinds import CAMPAIGN_KINDS, CHANNELS, NEED_LABELS, OUTCOMES, SERVICE_TYPES
from vipctl.rules import details

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


# The words stored values are made of: the data contract's enumerations, the value segments
# and the five indicators' names. Each is its own message id (``cli.manual.extract`` hands
# them to the catalog), said in the interface's language where a person reads it.
VOCABULARY = frozenset(
    (
        *SEGMENTS,
        *INDICATORS,
        *CHANNELS,
        *OUTCOMES,
        *(value for values in contract.ENUMERATIONS for value in values),
    )
)
# The fields of a listing whose values are words of the vocabulary (the others are as written).
WORDED = frozenset((*contract.ENUMERATED, "segment", "channel", "outcome"))


def worded(row: dict) -> dict:
    """A listing's row as people read it: its enumerated values in their language."""
    return {k: word(v) if k in WORDED else v for k, v in row.items()}


def word(value: object) -> object:
    """A stored value as people read it: a word of the ``VOCABULARY`` in their language, any
    other value as it is."""
    return _(value) if isinstance(value, str) and value in VOCABULARY else value


def date_in_sentence(iso: str, year: int) -> str:
    """An ISO date inside a Chinese sentence: ``10月9日``, the year only when it is not
    ``year``'s."""
    try:
        when = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    return (
        f"{when.month}月{when.day}日"
        if when.year == year
        else f"{when.year}年{when.month}月{when.day}日"
    )


_AMOUNT = re.compile(r"¥(\d{1,3}(?:,\d{3})*)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def amount(text: str) -> str:
    """An amount in a Chinese sentence as the seeds write it: whole ten-thousands as ``¥100万``,
    any other as it is (``¥25,000``); anything that is not an amount, as it is."""
    found = _AMOUNT.fullmatch(text)
    if not chinese() or found is None:
        return text
    yuan = int(found.group(1).replace(",", ""))
    return f"¥{yuan // 10_000:,}万" if yuan >= 10_000 and yuan % 10_000 == 0 else text


# What rules write into details by their English label: needs, service types, campaign kinds.
_LABELS = frozenset((*NEED_LABELS.values(), *SERVICE_TYPES.values(), *CAMPAIGN_KINDS.values()))


def _value(value: str, year: int) -> str:
    """A value a template was filled with, said in Chinese: a date, an amount, a word of the
    vocabulary (or a need's name), a sentence of its own."""
    if _ISO_DATE.fullmatch(value):
        return date_in_sentence(value, year)
    if _AMOUNT.fullmatch(value):
        return amount(value)
    for known in (value, value.replace(" ", "_")):
        if known in VOCABULARY or known in _LABELS:
            return _(known)
    return _sentence(value, year) if details.read(value) else value


def _sentence(part: str, year: int) -> str:
    found = details.read(part)
    if found is None:
        return amount(part)
    template, values = found
    values = {key: _value(value, year) for key, value in values.items()}
    if isinstance(template, tuple):
        first = next(iter(values.values()))
        if not first.isdigit():  # not a number: a part of the user's own that looks alike
            return part
        return ngettext(*template, int(first)).format(**values)
    return _(template).format(**values)


def detail(text: str, day: dt.date) -> str:
    """An agenda item's detail, or a sentence of the visit brief, in the interface's language:
    each part read back against the template the rules filled it from (``rules.details``) and
    filled again in translation, its dates, amounts and words said in the language too; a part
    no template made stays as it is (an amount as Chinese writes it)."""
    if not chinese():
        return text
    return details.SEPARATOR.join(
        _sentence(part, day.year) for part in text.split(details.SEPARATOR)
    )
