"""Fitting a table to a terminal's width: which columns stay, how wide each is, where cells wrap.

A client id, a policy number, a date or an amount broken over two lines is misread, and a
renewal collector's terminal may be 60 columns wide. So a cell breaks only between words (at the
`` · `` between a reason's parts first), a column is never narrower than its longest word, and
when the columns do not fit the most optional ones go first, or move under another column
(the phone under the name) so nothing is lost. Pure: the widths in, the cells' lines out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from rich.cells import cell_len

SEPARATOR = " · "
# A word of Chinese (or other double-width) text is a run of characters with no space; Chinese
# breaks between any two characters, but a name or a short term reads best whole: such a word
# asks for at most this many cells and folds between characters beyond them.
WIDE_WORD_CELLS = 12
_PATH_STEP = re.compile(r"[^/]*/|[^/]+$")  # a path breaks after a slash, its folders whole
HANG = "  "  # continuation lines of a wrapped line are indented, so each line's start shows


@dataclass(frozen=True)
class Col:
    """A table column: its field and heading, and how it gives way on a narrow terminal."""

    field: str
    heading: str
    optional: int = 0  # 0: always shown; when the table is too wide the highest go first
    under: str | None = None  # when it goes, its values move under this column's instead
    comfort: int = 0  # a column of sentences wants this many cells before optional ones stay

    def __iter__(self) -> Iterator[str]:
        """Unpacks as (field, heading), as Markdown and HTML documents, which keep every
        column, read it."""
        return iter((self.field, self.heading))


ColumnSpec = Col | tuple[str, str]


def col(spec: ColumnSpec) -> Col:
    return spec if isinstance(spec, Col) else Col(*spec)


def _wide(word: str) -> bool:
    return cell_len(word) > len(word)


def _chunks(line: str) -> list[list[str]]:
    """A line's parts between `` · ``, each as its words; the separator stays at the end of the
    part before it, so a line never starts with it."""
    chunks = [part.split() for part in line.split(SEPARATOR)]
    for chunk in chunks[:-1]:
        if chunk:
            chunk[-1] += " ·"
        else:
            chunk.append("·")
    return chunks


def shortest(text: str) -> int:
    """The fewest cells a column may have to show ``text`` without breaking a word."""
    longest = 0
    for line in text.split("\n"):
        for chunk in _chunks(line):
            for word in chunk:
                for piece in _PATH_STEP.findall(word):
                    cells = cell_len(piece)
                    if _wide(piece):
                        cells = min(cells, WIDE_WORD_CELLS)
                    longest = max(longest, cells)
    return longest


def widest(text: str) -> int:
    """The cells ``text`` takes unwrapped: its longest line."""
    return max((cell_len(line) for line in text.split("\n")), default=0)


def _head(word: str, room: int) -> str:
    """As much of a word as fits ``room`` cells: a file path's folders whole where they fit,
    else at least one character (Chinese, or a last resort on a terminal narrower than the
    word)."""
    steps = _PATH_STEP.findall(word)
    head = ""
    for step in steps[:-1]:
        if cell_len(head + step) > room:
            break
        head += step
    if head:
        return head
    head = word[0]
    for char in word[1:]:
        if cell_len(head + char) > room:
            break
        head += char
    return head


def wrap_line(line: str, width: int, *, hang: bool = True) -> list[str]:
    """One line in lines of at most ``width`` cells: a part between `` · `` that does not fit
    where it would start begins a line of its own; within a part, lines break between words;
    continuation lines hang by two cells where there is room for it."""
    if cell_len(line) <= width or width <= 0:
        return [line]
    indent = HANG if hang and width >= 20 else ""
    out: list[str] = []
    current = ""

    def place(word: str) -> None:
        nonlocal current
        if current.strip():
            if cell_len(current + " " + word) <= width:
                current += " " + word
                return
            room = width - cell_len(current) - 1
            if _wide(word) and cell_len(word) > WIDE_WORD_CELLS and room >= 2:
                head = _head(word, room)  # Chinese prose fills the line, as Chinese is set
                current, word = f"{current} {head}", word[len(head) :]
            out.append(current)
            current = indent
        if current and cell_len(current + word) > width >= cell_len(word):
            current = ""  # a word as wide as the column needs the whole line
        while cell_len(current + word) > width:
            head = _head(word, width - cell_len(current))
            out.append(current + head)
            current, word = indent, word[len(head) :]
        current += word

    for chunk in _chunks(line):
        text = " ".join(chunk)
        fits_alone = cell_len(indent + text) <= width
        if current.strip() and cell_len(current + " " + text) > width and fits_alone:
            out.append(current)  # the whole part on a line of its own
            current = indent + text
            continue
        for word in chunk:
            place(word)
    if current.strip():
        out.append(current)
    return out


def wrap(text: str, width: int, *, hang: bool = True) -> str:
    """A cell's text wrapped to ``width`` cells, its own line breaks kept."""
    lines = text.split("\n")
    return "\n".join(part for line in lines for part in wrap_line(line, width, hang=hang))


@dataclass
class Layout:
    """What fits: the columns kept, their widths, and every row's cells wrapped to them."""

    columns: list[Col]
    widths: list[int]
    rows: list[list[str]]


def fit(
    columns: Sequence[ColumnSpec],
    rows: Sequence[dict[str, str]],
    width: int,
    overhead: Callable[[int], int],
) -> Layout:
    """The columns and widths that fit ``width`` cells, ``overhead(n)`` being what the table's
    padding and rules take around n columns. Columns go, most optional first, only while even
    their narrowest widths do not fit; the room left goes to the columns that would wrap."""
    shown = [col(c) for c in columns]
    cells = {c.field: [row.get(c.field, "") for row in rows] for c in shown}

    def needs(c: Col) -> tuple[int, int, int]:
        """A column's narrowest, comfortable and natural widths."""
        texts = cells[c.field]
        low = max([shortest(c.heading), *map(shortest, texts)])
        natural = max([cell_len(c.heading), *map(widest, texts)])
        comfortable = max(low, min(c.comfort, natural))
        return low, comfortable, natural

    measured = {c.field: needs(c) for c in shown}
    while True:
        total = sum(measured[c.field][1] for c in shown) + overhead(len(shown))
        droppable = [c for c in shown if c.optional]
        if total <= width or not droppable:
            break
        gone = max(reversed(droppable), key=lambda c: c.optional)
        shown.remove(gone)
        host = next((c for c in shown if c.field == gone.under), None)
        if host is not None:
            cells[host.field] = [
                f"{above}\n{below}" if below else above
                for above, below in zip(cells[host.field], cells[gone.field], strict=True)
            ]
            measured[host.field] = needs(host)

    room = width - overhead(len(shown))
    widths = [measured[c.field][1] for c in shown]
    lows = [measured[c.field][0] for c in shown]
    naturals = [measured[c.field][2] for c in shown]
    _squeeze(widths, lows, room)
    _share(widths, naturals, room)
    laid = [
        [wrap(cells[c.field][i], w) for c, w in zip(shown, widths, strict=True)]
        for i in range(len(rows))
    ]
    return Layout(shown, widths, laid)


def _squeeze(widths: list[int], lows: list[int], room: int) -> None:
    """Narrow the comfortable widths to the narrowest a word allows, then (a last resort, on a
    terminal too narrow for the table's longest words) below it, widest column first."""
    for floor in (lows, [4] * len(widths)):
        while sum(widths) > room:
            over = [i for i, w in enumerate(widths) if w > floor[i]]
            if not over:
                break
            widest_column = max(over, key=lambda i: widths[i] - floor[i])
            widths[widest_column] -= 1


def _share(widths: list[int], naturals: list[int], room: int) -> None:
    """The room left, a cell at a time, to the column furthest from its natural width."""
    spare = room - sum(widths)
    while spare > 0:
        short = [i for i, w in enumerate(widths) if w < naturals[i]]
        if not short:
            return
        i = max(short, key=lambda i: naturals[i] - widths[i])
        widths[i] += 1
        spare -= 1
