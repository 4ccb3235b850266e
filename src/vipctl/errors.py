"""The one exception type that means "the user can fix this": the CLI prints it and exits 1."""


class UserError(Exception):
    """A bad file, argument or database state, with a message for the person at the terminal."""
