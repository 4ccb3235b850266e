"""What vipctl writes carries client data, and the data must never act: no formula a spreadsheet
runs, no escape sequence a terminal obeys, no markup a Markdown reader renders, no full ID or
phone number in a message. Each guard is here once, for every place that writes.

A client's name is whatever the core system exported, so a name like ``=HYPERLINK(…)``,
``\\x1b]0;pwned`` or ``<script>`` is treated as text wherever it goes; the stored value stays as
imported.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any, TextIO

from vipctl.rules.privacy import mask_id, mask_phone

# --- spreadsheets --------------------------------------------------------------------------

# A spreadsheet runs a cell that starts with one of these as a formula: "=cmd|' /C calc'!A0".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def mark_formula(value: str) -> str:
    """Make a cell that a spreadsheet would run as a formula read as text (OWASP's advice: a
    leading apostrophe, which the spreadsheet hides)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def unmark_formula(cell: str) -> str:
    """Undo ``mark_formula`` on import, so a file vipctl wrote reads back as it was."""
    text = cell.strip()
    if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@"):
        return text[1:]
    return cell


_ROWS_AT_A_TIME = 1_000


class SafeWriter:
    """The csv module's writer whose every text cell a spreadsheet shows as text, never runs.

    Rows go out a thousand at a time, each chunk written as the csv module writes it and then
    looked through once for a cell that starts like a formula; only a chunk with one is written
    again with its cells marked. A year of events is a million rows: a look at every cell in
    Python would slow it by seconds, a regular expression over the text by most of one, so the
    text's bytes are mapped to classes (delimiter, formula start, minus, quote) and the classes
    searched for a cell start, all in C. A cell start inside a quoted cell costs a second
    writing, never a miss. Numbers are never marked: -5 days is a number, not a formula.
    """

    def __init__(self, stream: TextIO, *, delimiter: str = ",", lineterminator: str = "\n"):
        self._stream = stream
        self._options = {"delimiter": delimiter, "lineterminator": lineterminator}
        self._lf = lineterminator == "\n"
        classes = bytearray(b"." * 256)
        for byte in b"=+@\t\r":
            classes[byte] = ord("F")
        for byte in (ord(delimiter), ord("\n")):
            classes[byte] = ord("D")
        classes[ord("-")], classes[ord('"')] = ord("M"), ord("Q")
        self._classes = bytes(classes)
        d = re.escape(delimiter)
        # Minus at a cell's start, not a plain number: the rare case, looked at closely.
        self._minus = re.compile(rf'(?:^|{d})"?-(?!\d+(?:\.\d+)?"?(?:{d}|\r?$))', re.MULTILINE)

    def writerow(self, row: Sequence[Any]) -> None:
        self.writerows([row])

    def writerows(self, rows: Iterable[Sequence[Any]]) -> None:
        rows = iter(rows)
        while chunk := list(islice(rows, _ROWS_AT_A_TIME)):  # cut in C: a year is 10^6 rows
            self._write(chunk)

    def _write(self, chunk: list[Sequence[Any]]) -> None:
        text = self._csv(chunk)
        if self._suspect(text):
            text = self._csv(
                [[mark_formula(v) if type(v) is str else v for v in row] for row in chunk]
            )
        self._stream.write(text)

    def _csv(self, rows: list[Sequence[Any]]) -> str:
        buffer = io.StringIO(newline="")
        csv.writer(buffer, **self._options).writerows(rows)
        text = buffer.getvalue()
        if self._lf and "\r" in text:  # a cell with a CR, which LF lines leave unquoted
            text = "".join(map(self._quoting_cr, rows))
        return text

    def _quoting_cr(self, row: Sequence[Any]) -> str:
        """One row written with CR LF, so the csv module quotes a cell holding a lone CR (where
        a spreadsheet would break the row and run what follows), then ended with LF."""
        buffer = io.StringIO(newline="")
        options = {**self._options, "lineterminator": "\r\n"}
        csv.writer(buffer, **options).writerow(row)
        return buffer.getvalue()[:-2] + "\n"

    def _suspect(self, text: str) -> bool:
        """Whether a cell may start like a formula."""
        data = ("\n" + text).encode("utf-8", "surrogatepass")
        if not self._lf:  # a line end's CR starts no cell
            data = data.replace(b"\r\n", b"\n")
        found = data.translate(self._classes)
        # A quoted cell that starts with the delimiter (a tab, in a tab-separated file) too.
        if any(found.find(start) >= 0 for start in (b"DF", b"DQF", b"DQD")):
            return True
        return (found.find(b"DM") >= 0 or found.find(b"DQM") >= 0) and bool(
            self._minus.search(text)
        )


# --- terminals and documents ---------------------------------------------------------------

# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides that
# reorder what a reader sees: each shown as a visible sign, never obeyed. Tabs become spaces.
_VISIBLE = {c: 0x2400 + c for c in range(0x20) if c not in (0x09, 0x0A)}
_VISIBLE |= {0x09: " ", 0x7F: "␡"}
_VISIBLE |= {c: f"<U+{c:04X}>" for c in [*range(0x80, 0xA0), *range(0x202A, 0x202F),
                                         *range(0x2066, 0x206A)]}  # fmt: skip
_ONE_LINE = {**_VISIBLE, 0x0A: "␤"}


def visible(text: str) -> str:
    """``text`` with every control character a terminal could obey shown instead: ESC as ␛, so
    a name with ``\\x1b]0;…`` cannot retitle the window or recolour the screen."""
    return text.translate(_VISIBLE)


def one_line(text: str) -> str:
    """``visible``, and a newline shown too: a message is one line, whatever a value holds."""
    return text.translate(_ONE_LINE)


def markdown_cell(text: str) -> str:
    """Text for a Markdown document: HTML escaped (mail clients and wikis render Markdown to
    HTML, where a client's ``<script>`` must stay words), table pipes escaped, lines joined."""
    escaped = html.escape(visible(text), quote=False).replace("\\", "\\\\").replace("|", "\\|")
    return escaped.replace("\n", "<br>")


# --- messages ------------------------------------------------------------------------------

# A full ID number (18 characters, or 15 digits of before 1999) or a mobile number standing
# alone in a message: wherever it came from (a swapped column, a key), it is masked.
_PERSONAL = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15}|1[3-9]\d{9})(?![0-9A-Za-z])")


def _masked(match: re.Match[str]) -> str:
    number = match[0]
    return mask_phone(number) if len(number) == 11 else mask_id(number)


def scrub(message: str) -> str:
    """A message as it may be shown: ID and phone numbers masked, one visible line."""
    return one_line(_PERSONAL.sub(_masked, message))
