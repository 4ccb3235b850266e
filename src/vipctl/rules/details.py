"""What an agenda item's detail (and a visit brief's sentence) is made of: each part a sentence
template, filled in English by the rules and joined with `` · ``.

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

CAREER = pair("{years} year in the career", "{years} years in the career")
CHILD = template("a child turns {age}")
CHILD_NAMED = template("{name} turns {age}")
DATE_YEARS = pair("{years} year since", "{years} years since")
LUNAR = template("by the lunar calendar")
UNANSWERED = pair("{n} try unanswered", "{n} tries unanswered")
SERVICE = template("{type} no. {number}")
SERVICE_AGE = pair("open {days} day (target {target} d)", "open {days} days (target {target} d)")
SERVICE_LATE = pair("{days} day past target", "{days} days past target")
SERVICE_LETTER = template("{request} closed {date}: send the letter after service")
CAMPAIGN = template("{campaign}: {kind} to deliver")
CAMPAIGN_DUE = template("deliver by {date}")

# The visit brief's guidance and talking points (``rules.needs``, ``report.brief``), which its
# JSON carries in English as the agenda's details are.
AT_LEAST = template("≥ {amount}")
AT_LEAST_MAIN_EARNER = template("≥ {amount} for the main earner")
AT_LEAST_REASONABLE = template("≥ {amount}; {low}–{high} reasonable")
HOME_COVER = template("home cover for property owners")
NO_HOME_COVER = template("owns property but has no home property cover")
NO_CRITICAL_ILLNESS = template("no critical-illness cover; guidance {low}–{high}")
NO_COVER = template("no {need} cover; guidance {guidance}")
SHORT = template("{need} cover {have}, {short_by} short of {minimum}")
CRITICAL_ILLNESS_LOW = template(
    "critical illness {have} meets the minimum; {low}–{high} is reasonable"
)
ASK_PROPERTY = template("ask whether they own property: home cover is guidance for owners")
BURDEN_RISK = template(
    "premiums {premium} a year are {percent}% of income, over {limit}%: risk of premiums "
    "stopping; fit new cover to the budget"
)
NO_INCOME = template("annual income not on file: the premium burden cannot be judged")
AT_RISK = template(
    "{policy_no} ({category}, {amount}): the premium of {date} is unpaid; last day to pay "
    "{last_day}"
)
AT_RISK_PASSED = template(
    "{policy_no} ({category}, {amount}): the premium of {date} is unpaid; last day to pay "
    "{last_day} (passed)"
)
# What each term of an urgency score is about (``rules.urgency``, ``today --explain``).
TERM_TIER = template("tier {tier}")
TERM_SEGMENT = template("{segment} client")
TERM_ROUND_AGE = template("turns {age}")
TERM_AT_STAKE = template("{amount} at stake")
TERM_AHEAD = template("in {days} d")
TERM_AHEAD_POLICY = template("in {days} d {policy_no}")
TERM_PAST = template("{days} d past")
TERM_PAST_POLICY = template("{days} d past {policy_no}")
TERM_PAST_TARGET = template("past its target {date}")
TERMS = (
    TERM_TIER, TERM_SEGMENT, TERM_ROUND_AGE, TERM_AT_STAKE, TERM_AHEAD, TERM_AHEAD_POLICY,
    TERM_PAST, TERM_PAST_POLICY, TERM_PAST_TARGET,
)  # fmt: skip
BRIEF = (
    AT_LEAST_REASONABLE, AT_LEAST_MAIN_EARNER, AT_LEAST, HOME_COVER, NO_HOME_COVER,
    NO_CRITICAL_ILLNESS, NO_COVER, SHORT, CRITICAL_ILLNESS_LOW, ASK_PROPERTY, BURDEN_RISK,
    NO_INCOME, AT_RISK_PASSED, AT_RISK,
)  # fmt: skip


SEPARATOR = " · "  # between the parts of a detail
Template = str | tuple[str, str]
TEMPLATES: tuple[Template, ...] = (
    UNPAID, LAST_DAY, PREMIUM, BIRTHDAY_ROUND, BIRTHDAY, LUNAR_BIRTHDAY_ROUND, LUNAR_BIRTHDAY,
    MARRIED, IN_FORCE, SURVIVAL, NEW_POLICY, AGENT_LEFT_UNNAMED, AGENT_LEFT, LAST_CONTACT,
    NO_CONTACT, LAST_CONTACT_UNASSESSED, NO_CONTACT_UNASSESSED, PREMIUM_SHARE, *HOLIDAYS, *BRIEF,
    *TERMS, CAREER, CHILD, CHILD_NAMED, DATE_YEARS, LUNAR, UNANSWERED, SERVICE_LETTER, SERVICE,
    SERVICE_AGE, SERVICE_LATE, CAMPAIGN, CAMPAIGN_DUE,
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
