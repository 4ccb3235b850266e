"""Files vipctl writes for people and cron: whole or not at all, private, one writer at a time."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from vipctl.errors import UserError

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
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
            raise UserError(f"cannot write {path}: there is no directory {path.parent}") from None
        return path
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror}") from None
    if stat.S_ISLNK(found.st_mode):
        raise UserError(
            f"{path} is a symbolic link (to {os.readlink(path)}); vipctl writes only regular "
            "files: give the real file's name"
        )
    for test, what in _KINDS:
        if test(found.st_mode):
            raise UserError(f"{path} is {what}, not a file; give a file's name")
    return path


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so a reader sees the old file or the new one, never half.

    The temporary file is made beside the target (a rename is only atomic within one file
    system) by mkstemp, which creates it readable by its owner only: reports hold client data.
    """
    path = writable_target(path)
    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise UserError(f"cannot write {path}: {exc.strerror}") from None
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
        raise UserError(f"another {what} is running (lock {lock}); try again later") from None
