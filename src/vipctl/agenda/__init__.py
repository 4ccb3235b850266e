"""The agenda: the events of a window read from the book and run through the rules, the day's
ranked list (``lists``, ``daylist``: the package's face), the agenda kept as the book changes
(``occasions``), the list kept for a second look (``snapshots``)
and what closes the loop: contacts, items done, snoozes, payments (``followup``).

May import: ``rules``, ``store``, ``book`` and the top-level modules.
"""

from vipctl.agenda.daylist import day_list, keep, upcoming_shown, upcoming_written
from vipctl.agenda.lists import (
    Scope,
    clients,
    due_today,
    gather,
    last_contacts,
    names,
    ranked,
    scoped,
    today_windows,
    upcoming,
)
from vipctl.agenda.occasions import beside, two_processes

__all__ = [
    "Scope",
    "beside",
    "clients",
    "day_list",
    "due_today",
    "gather",
    "keep",
    "last_contacts",
    "names",
    "ranked",
    "scoped",
    "today_windows",
    "two_processes",
    "upcoming",
    "upcoming_shown",
    "upcoming_written",
]
