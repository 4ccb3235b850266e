"""The kinds of agenda event and the needs of the needs analysis, by the names scripts see,
with what people read for each.

A module of its own so the command line can list them in its help without loading the rules.
"""

LABELS = {
    "renewal_due": "renewal due",
    "grace": "in grace",
    "birthday": "birthday",
    "wedding_anniversary": "wedding anniversary",
    "policy_anniversary": "policy anniversary",
    "survival_benefit": "survival benefit",
    "callback_new_policy": "new-policy callback",
    "callback_departed_agent": "departed-agent callback",
    "contact_overdue": "contact overdue",
    "holiday": "holiday",
}
KINDS = tuple(LABELS)

NEED_LABELS = {
    "life": "life",
    "critical_illness": "critical illness",
    "accident": "accident",
    "accident_medical": "accident medical",
    "property": "home property",
}
NEEDS = tuple(NEED_LABELS)
