"""Files vipctl writes for people and cron: whole or not at all, private, one writer at a time."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from vipctl.errors import UserError
from vipctl.i18n import N_, _

_KINDS = (
    (stat.S_ISDIR, N_("{path} is a directory, not a file; give a file's name")),
    (stat.S_ISCHR, N_("{path} is a character device, not a file; give a file's name")),
    (stat.S_ISBLK, N_("{path} is a block device, not a file; give a file's name")),
    (stat.S_ISFIFO, N_("{path} is a named pipe, not a file; give a file's name")),
    (stat.S_ISSOCK, N_("{path} is a socket, not a file; give a file's name")),
)


def writable_target(path: Path) -> Path:
    """``path`` when vipctl may write a file there: a new name in a directory that exists, or a
    regular file to replace. Anything else is refused, saying what is there: replacing a symbolic
    link, a device or a named pipe by a regular file (as a rename would) breaks what the user set
    up, and a missing directory is most often a typo, not a wish for new folders."""
    path = path.expanduser()
    try:
        found = path.lstat()
    except FileNotFoundError:
        if not path.parent.is_dir():
            said = _("cannot write {path}: there is no directory {directory}")
            raise UserError(said.format(path=path, directory=path.parent)) from None
        return path
    except OSError as exc:
        raise cannot_write(path, exc) from None
    if stat.S_ISLNK(found.st_mode):
        said = _(
            "{path} is a symbolic link (to {target}); vipctl writes only regular files: give "
            "the real file's name"
        )
        raise UserError(said.format(path=path, target=os.readlink(path)))
    for test, what in _KINDS:
        if test(found.st_mode):
            raise UserError(_(what).format(path=path))
    return path


def cannot_write(path: Path, exc: OSError) -> UserError:
    return UserError(_("cannot write {path}: {why}").format(path=path, why=exc.strerror))


def write_atomically(path: Path, text: str | Iterable[str]) -> None:
    """Write ``text`` (or its parts, in turn) to ``path`` so a reader sees the old file or the
    new one, never half (``replacing``)."""
    with replacing(path) as out:
        out.writelines([text] if isinstance(text, str) else text)


@contextmanager
def replacing(path: Path) -> Iterator[TextIO]:
    """A file to write that replaces ``path`` once the block ends well, so a reader sees the old
    file or the new one, never half; left out when the block fails.

    The temporary file is made beside the target (a rename is only atomic within one file
    system) by mkstemp, which creates it readable by its owner only: reports hold client data.
    """
    path = writable_target(path)
    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise cannot_write(path, exc) from None
        raise


@contextmanager
def exclusive(lock: Path, what: str) -> Iterator[None]:
    """Hold ``lock`` while the block runs; if another process holds it, fail at once with a
    clear message rather than queue behind it (a cron job must not pile up)."""
    from filelock import FileLock, Timeout

    try:
        with FileLock(lock, timeout=0, mode=0o600):
            yield
    except Timeout:
        said = _("another {what} is running (lock {lock}); try again later")
        raise UserError(said.format(what=what, lock=lock)) from None
