"""``vipctl edit CLIENT_ID`` on a terminal without ``--set``: the card opened in the user's
editor as a TOML document, as ``git commit`` and ``kubectl edit`` do; a card with mistakes
opens again with them on top, and one saved as it was changes nothing."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from vipctl.book import editing
from vipctl.errors import UserError
from vipctl.i18n import _

_ERROR = "# error: "


def editor() -> list[str]:
    """The user's editor: ``$VISUAL``, else ``$EDITOR``, else vi."""
    return shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")


def _edited(text: str) -> str:
    """What the user saved of ``text``, in a file only they can read (it holds a card)."""
    fd, name = tempfile.mkstemp(prefix="vipctl-card-", suffix=".toml")
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        command = [*editor(), str(path)]
        try:
            done = subprocess.run(command, check=False)
        except OSError as exc:
            said = _("cannot run the editor {editor}: {why}")
            raise UserError(said.format(editor=command[0], why=exc.strerror)) from None
        if done.returncode != 0:
            said = _("the editor exited with {code}: nothing was changed")
            raise UserError(said.format(code=done.returncode))
        return path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)


def ask(card: dict) -> list[tuple[str, str]]:
    """The fields the user changed in the card; none when they saved it as it was."""
    shown = editing.card_text(card)
    while True:
        edited = _edited(shown)
        if edited == shown or not edited.strip():
            return []
        given, errors = editing.read_card(edited, card)
        if not errors:
            return given
        body = [line for line in edited.splitlines() if not line.startswith(_ERROR)]
        shown = "\n".join([*(_ERROR + e for e in errors), *body]) + "\n"
