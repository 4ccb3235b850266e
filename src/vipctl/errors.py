"""``UserError`` means "the user can fix this": the CLI prints it and exits 1. ``Busy`` is for
work that would rather not be done than wait for another writer."""

from vipctl.i18n import _


class UserError(Exception):
    """A bad file, argument or database state, with a message for the person at the terminal."""


def no_client(client_id: str) -> UserError:
    """The error every command that takes a client ID gives for one the book does not have."""
    return UserError(_("no client {client}").format(client=repr(client_id)))


NOW = "now"  # the write option's value for a writer that will not wait for the lock


class Busy(Exception):
    """Another writer holds the write lock, and this one said it would not wait (``NOW``)."""
