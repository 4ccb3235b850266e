"""``UserError`` means "the user can fix this": the CLI prints it and exits 1. ``Busy`` is for
work that would rather not be done than wait for another writer."""

import datetime as dt

from vipctl.i18n import _


class UserError(Exception):
    """A bad file, argument or database state, with a message for the person at the terminal."""


def happened(day: dt.date, what: str) -> None:
    """What is recorded has happened: a payment dated 2031 would move the next due date years
    on, and a contact to come would silence the cadence until then. ``what`` is a message id."""
    today = dt.date.today()
    if day > today:
        said = _("--date {day} is after today ({today}): {what} is recorded once it has happened")
        raise UserError(said.format(day=day, today=today, what=_(what)))


def no_client(client_id: str) -> UserError:
    """The error every command that takes a client ID gives for one the book does not have."""
    return UserError(_("no client {client}").format(client=repr(client_id)))


NOW = "now"  # the write option's value for a writer that will not wait for the lock


class Busy(Exception):
    """Another writer holds the write lock, and this one said it would not wait (``NOW``)."""
