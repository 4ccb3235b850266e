"""Running a generator in a second process, so that reading and writing a large import overlap.

An import is two jobs of about the same size: reading and checking the CSV (pure Python) and
writing the database. One process does them one after the other; with the reading forked off,
the parent writes batch n while the child reads batch n + 1. The child is forked rather than
spawned: it starts in no time with everything already in memory, and nothing it is given has to
be picklable, only what it yields. Where fork is missing (Windows) the generator simply runs in
the caller's process: the same items in the same order, only slower.

The pipe holds at most one item in flight, so memory stays one batch ahead, not one file. An
exception in the child is raised again in the parent; a parent that stops early, fails or is
killed takes the child with it (it is a daemon, and a pipe with no reader ends its writes).
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import TypeVar

T = TypeVar("T")

_ITEM, _END, _ERROR = range(3)


def _child(produce: Callable[[], Iterator[object]], out: Connection, other: Connection) -> None:
    # The parent's end, inherited by the fork: closed, so that when the parent dies the pipe has
    # no reader left and the next send fails, ending this process instead of leaving it blocked.
    other.close()
    try:
        for item in produce():
            out.send((_ITEM, item))
        out.send((_END, None))
    except BrokenPipeError:  # the parent stopped reading: nobody to tell
        pass
    except BaseException as exc:  # every failure goes back to the parent
        try:
            out.send((_ERROR, exc))
        except Exception:  # an exception that cannot be pickled
            out.send((_ERROR, RuntimeError("".join(traceback.format_exception(exc)))))


def ahead(produce: Callable[[], Iterator[T]]) -> Iterator[T]:
    """The items of ``produce()``, made in a forked child while the caller works on the last."""
    if "fork" not in multiprocessing.get_all_start_methods():
        yield from produce()
        return
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(produce, send, receive), daemon=True)
    child.start()
    send.close()  # the child's end: once it exits, a read here fails instead of waiting
    try:
        while True:
            try:
                what, item = receive.recv()
            except EOFError:
                child.join()
                raise RuntimeError(
                    f"the reading process died (exit code {child.exitcode})"
                ) from None
            if what == _END:
                return
            if what == _ERROR:
                raise item
            yield item
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()
