"""The import's reading process: items, failures and an early stop come through as in-process."""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import os
import subprocess
import sys
import time
from decimal import Decimal

import pytest

from vipctl import readahead
from vipctl.errors import UserError


def _items():
    yield ["plain", 1, 2.5, None, ("a", "b")]  # by marshal
    yield [dt.date(2026, 11, 24), Decimal("12000.50")]  # by pickle
    yield os.getpid()


def test_items_arrive_in_order_and_as_they_were_made_in_another_process():
    got = list(readahead.ahead(_items))
    assert got[:2] == [
        ["plain", 1, 2.5, None, ("a", "b")],
        [dt.date(2026, 11, 24), Decimal("12000.50")],
    ]
    assert got[2] != os.getpid()  # made in the child


def _fails():
    yield 1
    raise UserError("clients.csv:7: cannot read CSV here")


def test_a_failure_in_the_child_is_raised_in_the_parent_after_the_items_before_it():
    got = []
    with pytest.raises(UserError, match=r"clients\.csv:7"):
        for item in readahead.ahead(_fails):
            got.append(item)
    assert got == [1]


class _Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("no")


def _fails_oddly():
    raise _Unpicklable("odd")
    yield  # pragma: no cover


def test_an_exception_that_cannot_travel_arrives_as_its_traceback():
    with pytest.raises(RuntimeError, match="_Unpicklable: odd"):
        list(readahead.ahead(_fails_oddly))


def _endless():
    n = 0
    while True:
        yield ["x" * 1000] * 100, n
        n += 1


def test_a_parent_that_stops_early_leaves_no_child_behind():
    reading = readahead.ahead(_endless)
    assert next(reading)[1] == 0
    assert next(reading)[1] == 1
    reading.close()
    assert multiprocessing.active_children() == []


MADE = multiprocessing.Value("i", 0)  # items the child has made, seen from the parent


def _counted():
    while True:
        MADE.value += 1
        yield "x" * 1_000_000  # far more than a pipe holds


def _made_when_still(most: int) -> int:
    """The child's items made once it stops making more (at ``most``, or 10 s)."""
    deadline = time.monotonic() + 10
    while MADE.value < most and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # and stays there
    return MADE.value


def test_the_child_makes_a_few_items_ahead_of_a_busy_parent_and_no_more():
    """The second core keeps working while this one is busy with the last item: the child
    sends from a thread of its own, so a full pipe does not stop its making; the items waiting
    are bounded, so memory stays a few items ahead."""
    MADE.value = 0
    reading = readahead.ahead(_counted)
    next(reading)
    # One item read, one in the pipe, AHEAD waiting, and the one that waits for room.
    most = 3 + readahead.AHEAD
    assert _made_when_still(most) == most
    next(reading)
    assert _made_when_still(most + 1) == most + 1
    reading.close()
    assert multiprocessing.active_children() == []


def _cannot_send():
    def broken(self, data):
        raise OSError("the pipe cannot be written to")

    multiprocessing.connection.Connection.send_bytes = broken  # in the child only
    while True:
        yield "x" * 1000


def test_a_child_that_cannot_send_ends_instead_of_hanging():
    with pytest.raises(RuntimeError, match="second process died"):
        list(readahead.ahead(_cannot_send))


def _dies():
    yield 1
    os._exit(3)


def test_a_child_that_dies_is_an_error_not_a_hang():
    with pytest.raises(RuntimeError, match="exit code 3"):
        list(readahead.ahead(_dies))


def test_without_fork_the_items_are_made_in_this_process(monkeypatch):
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert list(readahead.ahead(_items))[2] == os.getpid()


HALVES = """
import os, sys
from vipctl import readahead
readahead.forks = lambda: sys.argv[1] == "fork"
mine = os.getpid()
print("before", end="|")  # buffered (stdout is a pipe): the child must not write it again
readahead.in_two(
    lambda into: into.write(f"first {'十' * 5000}|"),
    lambda into: into.write(f"second {os.getpid() != mine}|end"),
    sys.stdout,
)
"""


@pytest.mark.parametrize("fork", [True, False])
def test_two_halves_written_at_once_read_as_one_after_the_other(fork):
    """The second half is written by another process (its pid says so) into a file copied after
    the first; text buffered before the fork is written once; without fork, one after the
    other here."""
    how = "fork" if fork else "none"
    done = subprocess.run(
        [sys.executable, "-c", HALVES, how], capture_output=True, text=True, check=True
    )
    assert done.stdout == f"before|first {'十' * 5000}|second {fork}|end"


def test_a_failure_of_the_second_half_is_raised_here():
    def fails(into):
        into.write("partly")
        raise UserError("policies.csv:3: no such policy")

    with pytest.raises(UserError, match="no such policy"):
        readahead.in_two(lambda into: into.write("first"), fails, io.StringIO())
