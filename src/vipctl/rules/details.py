"""What an agenda item's detail is made of: each part a sentence template, filled in English by
the rules and joined with `` · ``.

The English detail is what JSON and CSV carry and what a kept list stores, so it never changes
with the language; a view says it in the interface's language by reading it back, part by part,
against these same templates (``views.words.detail``). A template here is the catalog's message
id, which is why the details are written only from this registry.
"""

from __future__ import annotations

import re
from functools import cache


def template(text: str) -> str:
    """Marks a template for the translators' catalog (an extraction keyword)."""
    return text


def pair(singular: str, plural: str) -> tuple[str, str]:
    """A template with a singular and a plural form, chosen by the part's first number."""
    return singular, plural


UNPAID = template("premium of {date} unpaid")
LAST_DAY = template("last day to pay {date}")
PREMIUM = template("{frequency} premium")
BIRTHDAY = template("birthday, turns {age}")
BIRTHDAY_ROUND = template("birthday, turns {age} (round age)")
LUNAR_BIRTHDAY = template("lunar birthday, turns {age}")
LUNAR_BIRTHDAY_ROUND = template("lunar birthday, turns {age} (round age)")
MARRIED = pair("{years} year married", "{years} years married")
IN_FORCE = pair("{years} year in force", "{years} years in force")
SURVIVAL = template("survival benefit payable")
NEW_POLICY = template("new policy effective {date}: 100 % callback")
AGENT_LEFT = template("{agent} left (known since {date}): 100 % callback")
AGENT_LEFT_UNNAMED = template("the agent left (known since {date}): 100 % callback")
LAST_CONTACT = template("last contact {date} (tier {tier}: every {days} d)")
NO_CONTACT = template("no contact logged since {date} (tier {tier}: every {days} d)")
LAST_CONTACT_UNASSESSED = template("last contact {date} (not assessed: every {days} d)")
NO_CONTACT_UNASSESSED = template("no contact logged since {date} (not assessed: every {days} d)")
PREMIUM_SHARE = template("premiums {percent}% of income (over {limit}%): may stop")
NEW_YEAR = template("New Year")
SPRING_FESTIVAL = template("Spring Festival")
DRAGON_BOAT = template("Dragon Boat")
MID_AUTUMN = template("Mid-Autumn")
NATIONAL_DAY = template("National Day")
HOLIDAYS = (NEW_YEAR, SPRING_FESTIVAL, DRAGON_BOAT, MID_AUTUMN, NATIONAL_DAY)


SEPARATOR = " · "  # between the parts of a detail
Template = str | tuple[str, str]
TEMPLATES: tuple[Template, ...] = (
    UNPAID, LAST_DAY, PREMIUM, BIRTHDAY_ROUND, BIRTHDAY, LUNAR_BIRTHDAY_ROUND, LUNAR_BIRTHDAY,
    MARRIED, IN_FORCE, SURVIVAL, NEW_POLICY, AGENT_LEFT_UNNAMED, AGENT_LEFT, LAST_CONTACT,
    NO_CONTACT, LAST_CONTACT_UNASSESSED, NO_CONTACT_UNASSESSED, PREMIUM_SHARE, *HOLIDAYS,
)  # fmt: skip


def fill(template: Template, **values: object) -> str:
    """A part in English; a pair's form chosen by its first value."""
    if isinstance(template, tuple):
        template = template[0] if next(iter(values.values())) == 1 else template[1]
    return template.format(**values)


@cache
def _pattern(text: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", text)
    body = "".join(f"(?P<{p}>.+?)" if i % 2 else re.escape(p) for i, p in enumerate(parts))
    return re.compile(body + r"\Z")


def read(part: str) -> tuple[Template, dict[str, str]] | None:
    """Which template a part of a detail was filled from, and with what; None: none of them (an
    amount, or a part made elsewhere)."""
    for template in TEMPLATES:
        for form in template if isinstance(template, tuple) else (template,):
            found = _pattern(form).match(part)
            if found:
                return template, found.groupdict()
    return None
