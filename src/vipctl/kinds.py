"""The registry of agenda kinds, and the needs of the needs analysis: each declared once, by the
name scripts see (JSON ``kind``, ``--kind``, the config's keys), with what people read for it.

An agenda kind is one ``Kind``: its label, the reader of the book that brings its events
(``agenda.lists`` holds one reader per source; a source may bring several kinds, as the unpaid
premiums bring renewals and grace), its default urgency weight, the config settings that say how
far ahead it is brought up and how long it lingers, and what clears it. The labels, ``--kind``'s
choices, the config's ``[urgency.kind]`` and ``[agenda] off`` keys, the morning list's windows
and the reading of the book all come from here, and a test holds the readers, the rules and
docs/agenda.md to it: adding a kind is adding an entry here, its reader, its rule and their tests.

A module of its own, importing nothing but the catalog's marker, so the command line can list
kinds in its help without loading the rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from vipctl.i18n import N_

FOREVER = "forever"  # an item that stays until something resolves it


# What a logged activity counts as (``activity``): a conversation, a message, card or gift that
# went out, or an attempt nobody answered. A kind says which of them settle it.
REACHED, SENT, UNANSWERED = "reached", "sent", "unanswered"
TALK = (REACHED,)  # a callback wants the client spoken to
GREETING = (REACHED, SENT)  # a greeting may be said or sent


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    source: str  # the reader in ``agenda.lists`` that brings its events
    weight: float  # default urgency weight (``[urgency.kind]``)
    # The ``[agenda]`` setting of how many days ahead of its date it is first brought up (its
    # largest value, for a list of reminders); None: from its date.
    ahead: str | None
    # How far back from the day an unresolved item lingers: None, not at all (it is shown up to
    # its date); FOREVER; or the ``[agenda]`` setting of how many days.
    lingers: str | None
    cleared_by: str  # what takes it off the list, as docs/agenda.md says it (a test holds it)
    # The activities ``vipctl log`` records that settle it (``activity``); none: a log does not
    # (a premium is settled by a payment, a follow-up by done).
    settled_by: tuple[str, ...] = ()
    # Its date is a target (a service request's days to close): once past it, the item weighs
    # ``[urgency] past_target`` more, so it ranks high.
    targeted: bool = False
    # The occasion ``vipctl draft`` writes for it (``rules.letters.OCCASIONS``); None: none.
    draft: str | None = None


REGISTRY: tuple[Kind, ...] = (
    Kind("renewal_due", "renewal due", "premiums", 6, "renewal_reminders", None,
         "the due date passing (it is then grace), a payment, a promise to pay (held back "
         "until the day promised), or done until the next reminder"),
    Kind("grace", "in grace", "premiums", 10, "grace_days", FOREVER,
         "the premium paid, a promise to pay (held back until the day promised), or the "
         "export's status changing"),
    Kind("birthday", "birthday", "birthdays", 5, "birthday_lead_days", None,
         "the day passing, a greeting sent or said, or done", GREETING, draft="birthday"),
    Kind("wedding_anniversary", "wedding anniversary", "weddings", 3,
         "anniversary_lead_days", None, "the day passing, a greeting sent or said, or done",
         GREETING, draft="wedding_anniversary"),
    Kind("policy_anniversary", "policy anniversary", "policy_anniversaries", 2,
         "anniversary_lead_days", None, "the day passing, a greeting sent or said, or done",
         GREETING),
    Kind("survival_benefit", "survival benefit", "survival_benefits", 4,
         "survival_benefit_lead_days", None, "the day passing, the client reached, or done",
         TALK),
    Kind("callback_new_policy", "new-policy callback", "new_policy_callbacks", 8, None,
         "new_policy_days", "the client reached by phone or a visit, or 30 days passing", TALK),
    Kind("callback_departed_agent", "departed-agent callback", "departed_agent_callbacks",
         8, None, FOREVER,
         "the client reached by phone or a visit after the agent was known to have left", TALK,
         draft="agent_departed"),
    Kind("contact_overdue", "contact overdue", "contacts_overdue", 3, None, FOREVER,
         "a contact logged that reached the client or sent them something", GREETING),
    Kind("holiday", "holiday", "holidays", 1, "festival_lead_days", None,
         "the day passing, a greeting sent or said, or done", GREETING, draft="festival"),
    Kind("follow_up", "follow-up", "follow_ups", 7, None, FOREVER, "done"),
    Kind("career_anniversary", "career anniversary", "client_dates", 3,
         "birthday_lead_days", None, "the day passing, a greeting sent or said, or done",
         GREETING, draft="career_anniversary"),
    Kind("child_birthday", "child's birthday", "client_dates", 3, "birthday_lead_days",
         None, "the day passing, a greeting sent or said, or done", GREETING),
    Kind("client_date", "client's date", "client_dates", 3, "birthday_lead_days", None,
         "the day passing, a greeting sent or said, or done", GREETING),
    Kind("service_request", "service request", "service_requests", 6, "service_target_most",
         FOREVER, "the request closed (vipctl service close)", targeted=True),
    Kind("service_letter", "letter after service", "service_requests", 4, None,
         "service_letter_days", "a letter, card or message sent, done, or its days passing",
         (SENT,), draft="service_done"),
    Kind("campaign", "campaign delivery", "campaigns", 5, None, FOREVER,
         "delivered (vipctl campaign deliver, or log --campaign), or the campaign's due date "
         "passing"),
    Kind("event_invitation", "event invitation", "campaigns", 5, None, FOREVER,
         "delivered (vipctl campaign deliver, or log --campaign), or the campaign's due date "
         "passing", draft="event_invite"),
)  # fmt: skip

# ``vipctl dates add --kind``: the client's own yearly dates, each the agenda kind it brings.
DATE_KINDS = {
    "career_anniversary": "career_anniversary",
    "child_birthday": "child_birthday",
    "custom": "client_date",
}

# ``vipctl service open --type``: what was asked for, as stored, with what people read for it.
SERVICE_TYPES = {
    "change": N_("policy change"),
    "claim": N_("claim"),
    "benefit": N_("benefit collection"),
    "other": N_("other service"),
}
# The types whose completion the seeds answer with a letter (客户重要保全项目办妥后).
LETTER_AFTER = ("change", "claim")

# ``vipctl campaign new --kind``: what a campaign brings its clients.
CAMPAIGN_KINDS = {
    "dividend": N_("dividend report"),
    "news": N_("company news"),
    "product": N_("new product"),
    "event": N_("client event"),
}

BY_NAME = {kind.name: kind for kind in REGISTRY}
LABELS = {kind.name: kind.label for kind in REGISTRY}
KINDS = tuple(BY_NAME)
WEIGHTS = {kind.name: kind.weight for kind in REGISTRY}
SOURCES = tuple(dict.fromkeys(kind.source for kind in REGISTRY))

# How a contact was made (``vipctl log --channel``), as stored and exported: a phone call or a
# visit is a conversation unless it says otherwise; the rest are sent (a WeChat call that got
# through says ``--outcome reached``).
CHANNELS = ("phone", "sms", "email", "wechat", "visit", "letter", "card", "gift")
TALKING = frozenset({"phone", "visit", "wechat"})  # the channels a conversation can be had on
# What came of it (``vipctl log --outcome``); each with the channels it can come of.
OUTCOMES: dict[str, frozenset[str]] = {
    "reached": TALKING,
    "no_answer": TALKING,
    "declined": TALKING,
    "promised": TALKING,
    "visited": frozenset({"visit"}),
    "sent": frozenset(CHANNELS) - {"phone", "visit"},
}


def outcome_of(channel: str, outcome: str | None) -> str:
    """The outcome a contact is recorded with: as given, else a call reached the client, a
    visit was made, and anything else was sent."""
    if outcome is not None:
        return outcome
    return {"phone": "reached", "visit": "visited"}.get(channel, "sent")


def outcomes_of(activities: tuple[str, ...] | frozenset[str] | list[str]) -> tuple[str, ...]:
    """The outcomes that count as one of ``activities``."""
    return tuple(o for o in OUTCOMES if activity(o) in activities)


def activity(outcome: str) -> str:
    """What a contact of ``outcome`` counts as: REACHED, SENT or UNANSWERED."""
    if outcome == "no_answer":
        return UNANSWERED
    return SENT if outcome == "sent" else REACHED


NEED_LABELS = {
    "life": N_("life"),
    "critical_illness": N_("critical illness"),
    "accident": N_("accident"),
    "accident_medical": N_("accident medical"),
    "property": N_("home property"),
}
NEEDS = tuple(NEED_LABELS)
