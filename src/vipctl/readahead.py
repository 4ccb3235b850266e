"""Running a generator in a second process: reading and writing a large import overlap, and
most of the agenda's occasions are made on the second core while this process writes them.
A long text written in two parts at once (``in_two``): a year of upcoming events, a calendar.

An import is two jobs of about the same size: reading and checking the CSV (pure Python) and
writing the database. One process does them one after the other; with the reading forked off,
the parent writes batch n while the child reads batch n + 1. The child is forked rather than
spawned: it starts in no time with everything already in memory, and nothing it is given has to
be picklable, only what it yields. Where fork is missing (Windows) the generator simply runs in
the caller's process: the same items in the same order, only slower.

A child makes at most ``AHEAD`` items ahead of the one its parent is reading (a thread of its
own sends them), so memory stays a few batches ahead, not one file. An exception in the child
is raised again in the parent; a parent that stops early, fails or is killed takes the child
with it (it is a daemon, and a pipe with no reader ends its writes).
"""

from __future__ import annotations

import marshal
import multiprocessing
import pickle
import queue
import shutil
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import suppress
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TextIO, TypeVar

T = TypeVar("T")

_MARSHALLED, _PICKLED, _ERROR, _END = b"m", b"p", b"e", b"."
AHEAD = 8  # items a child makes ahead of the one its parent is reading


def _pack(item: object) -> bytes:
    """Plain values (str, int, float, None, lists, tuples) go by marshal: a batch of 5,000 rows
    loads four times faster than by pickle, which the parent waited on. Anything else (a
    driver's dates or decimals) by pickle."""
    try:
        return _MARSHALLED + marshal.dumps(item)
    except ValueError:
        return _PICKLED + pickle.dumps(item, pickle.HIGHEST_PROTOCOL)


class _Gone(Exception):
    """The parent stopped reading: nobody is left to send to."""


class _Sender(threading.Thread):
    """Sends the child's items while it makes the next ones. With the making and the sending
    in one thread, a parent busy with the last item held up the making of the next (a pipe
    holds 64 KB, an item megabytes): the second core sat idle while the first worked."""

    def __init__(self, out: Connection) -> None:
        super().__init__(daemon=True)
        self.out = out
        self.outbox: queue.Queue[bytes | None] = queue.Queue(AHEAD)
        self.gone = False

    def run(self) -> None:
        while (data := self.outbox.get()) is not None:
            if self.gone:
                continue  # taken and dropped, so that the making side is never left waiting
            try:
                self.out.send_bytes(data)
            except Exception:  # the parent stopped reading (a broken pipe), or cannot be read to
                self.gone = True  # the making side stops; the parent finds this process ended

    def send(self, data: bytes) -> None:
        if self.gone:
            raise _Gone
        self.outbox.put(data)

    def close(self) -> None:
        self.outbox.put(None)
        self.join()


def _failure(exc: BaseException) -> bytes:
    try:
        return _ERROR + pickle.dumps(exc)
    except Exception:  # an exception that cannot be pickled: its traceback
        return _ERROR + pickle.dumps(RuntimeError("".join(traceback.format_exception(exc))))


def _child(produce: Callable[[], Iterator[object]], out: Connection, other: Connection) -> None:
    # The parent's end, inherited by the fork: closed, so that when the parent dies the pipe has
    # no reader left and the next send fails, ending this process instead of leaving it blocked.
    other.close()
    sender = _Sender(out)
    sender.start()
    try:
        for item in produce():
            sender.send(_pack(item))
        sender.send(_END)
    except _Gone:  # the parent stopped reading: nobody to tell
        pass
    except BaseException as exc:  # every failure goes back to the parent
        with suppress(_Gone):
            sender.send(_failure(exc))
    finally:
        sender.close()


def forks() -> bool:
    """Whether ``ahead`` runs its generator in a second process here."""
    return "fork" in multiprocessing.get_all_start_methods()


def ahead(produce: Callable[[], Iterator[T]]) -> Iterator[T]:
    """The items of ``produce()``, made in a forked child while the caller works on the last.
    The child starts at once, so the caller may do work of its own before the first item."""
    if not forks():
        return produce()
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(produce, send, receive), daemon=True)
    child.start()
    send.close()  # the child's end: once it exits, a read here fails instead of waiting
    return _received(child, receive)


def _received(child: BaseProcess, receive: Connection) -> Iterator[Any]:
    try:
        while True:
            try:
                data = receive.recv_bytes()
            except EOFError:
                child.join()
                raise RuntimeError(
                    f"the second process died (exit code {child.exitcode})"
                ) from None
            what, body = data[:1], memoryview(data)[1:]
            if what == _END:
                return
            if what == _ERROR:
                raise pickle.loads(body)
            yield marshal.loads(body) if what == _MARSHALLED else pickle.loads(body)
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()


def in_two(first: Callable[[TextIO], None], second: Callable[[TextIO], None], out: TextIO) -> None:
    """``first``'s text written to ``out``, then ``second``'s, as if one ran after the other;
    ``second`` runs meanwhile in a forked child, into a temporary file (owner-only, and gone
    once closed) copied to ``out`` when ``first`` is done. Where there is no fork, one runs
    after the other here."""
    if not forks():
        first(out)
        second(out)
        return
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as held:

        def apart() -> Iterator[None]:
            second(held)
            held.flush()
            yield None

        done = ahead(apart)
        first(out)
        for _ in done:  # the child's end, or its exception raised here
            pass
        held.seek(0)
        shutil.copyfileobj(held, out, 1 << 20)
