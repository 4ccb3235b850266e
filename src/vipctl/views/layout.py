"""A document of titled sections (sentences, then a table) laid out as plain text or Markdown.

The daily report and the visit brief of ``review`` are both such documents: shaped once, then
printed, mailed or saved in whichever layout the reader wants.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len

from vipctl.i18n import _
from vipctl.safety import markdown_cell
from vipctl.views import render


@dataclass
class Section:
    title: str
    lines: list[str] = field(default_factory=list)  # sentences before the table
    columns: Sequence[tuple[str, str]] = ()  # (field, heading)
    rows: list[dict] = field(default_factory=list)
    empty: str = ""  # said instead of an empty table
    chart: list[dict] = field(default_factory=list)  # bars drawn in HTML: label, value, width %


def headings(part: Section) -> list[tuple[str, str]]:
    """The section's columns with their headings in the interface's language."""
    return [(field, _(heading)) for field, heading in part.columns]


WIDTH = 120  # a document's lines at most, on paper and in mail as on a wide screen


def text(heading: str, parts: list[Section], width: int | None = None) -> str:
    """The document as plain text ``width`` cells wide (the screen's, at most ``WIDTH``)."""
    width = min(render.screen_width(), WIDTH) if width is None else width
    out = io.StringIO()
    console = render.console(file=out, no_color=True, width=width)
    console.print(heading)
    for part in parts:
        console.print()
        console.print(part.title)
        console.print("-" * cell_len(part.title))
        for line in part.lines:
            console.print(line)
        if part.columns:
            if part.rows:
                console.print(render.table(part.columns, part.rows, bare=True, width=width))
            else:
                console.print(part.empty)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"


def _md_cell(value: object) -> str:
    return markdown_cell(render.text_value(value))


def markdown(heading: str, parts: list[Section]) -> str:
    out = [f"# {_md_cell(heading)}"]
    for part in parts:
        out += ["", f"## {_md_cell(part.title)}"]
        if part.lines:
            out += ["", *(f"{_md_cell(line)}  " for line in part.lines)]
            out[-1] = out[-1].rstrip()
        if part.columns:
            out.append("")
            if not part.rows:
                out.append(_md_cell(part.empty))
                continue
            out.append("| " + " | ".join(_md_cell(h) for _f, h in headings(part)) + " |")
            out.append("|" + "---|" * len(part.columns))
            for row in part.rows:
                out.append("| " + " | ".join(_md_cell(row.get(f)) for f, _h in part.columns) + " |")
    return "\n".join(out) + "\n"
