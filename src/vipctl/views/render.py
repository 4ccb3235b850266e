"""Turning rows into what people and scripts read: Rich tables, JSON or CSV on stdout.

People get tables; scripts get canonical column names, ISO dates and plain numbers. Colour and
box-drawing only appear on a terminal without NO_COLOR, so piped output and cron mail stay clean.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, TextIO

from vipctl.contract import PII_COLUMNS
from vipctl.i18n import N_, _
from vipctl.rules.privacy import mask
from vipctl.safety import SafeWriter, visible
from vipctl.views import fit, words
from vipctl.views.fit import Col, ColumnSpec

if TYPE_CHECKING:
    from rich.console import Console

Format = Literal["table", "json", "csv"]
# Rows of a listing's table unless --limit says otherwise: a person reads the top of it, and a
# whole book's (60,000 to-do lines, 100,000 clients) took 40-50 s and over 900 MB to lay out;
# scripts get every row.
TABLE_LIMIT = 50


def shown_of(shown: int, total: int, count: str | None = None) -> str:
    """A table's count: "12 clients", or "the first 50 of 100,000 clients"; ``count`` is what
    is counted, ``words.counted`` of ``total`` (default: clients)."""
    count = count or words.counted(total, "{n} client", "{n} clients")
    if shown >= total:
        return count
    return _("the first {shown} of {count}").format(shown=f"{shown:,}", count=count)


def plain() -> bool:
    """True when output must carry no colour or box art: piped, redirected, or NO_COLOR. The
    layout does not change with it: NO_COLOR is about colour (``screen_width`` is the layout)."""
    return not sys.stdout.isatty() or bool(os.environ.get("NO_COLOR"))


PIPED_WIDTH = 1000  # piped tables keep a row on one line: scripts read them as they are


def screen_width() -> int:
    """The width people's output is laid out to: on a terminal, ``COLUMNS`` when it is set, else
    the window's. Piped or redirected output is not wrapped at all, whatever ``COLUMNS`` says:
    scripts read it line by line, and tools export ``COLUMNS`` where no screen is (pytest-xdist's
    workers do)."""
    if not sys.stdout.isatty():
        return PIPED_WIDTH
    import shutil

    return shutil.get_terminal_size().columns  # COLUMNS first, then the terminal


@functools.cache
def _safe_console() -> type[Console]:
    from rich.console import Console

    class SafeConsole(Console):
        """Rich's console that prints strings as the text they are: no markup (a client named
        ``[link=…]`` is words), no emoji codes, control characters shown (``safety.visible``)."""

        def __init__(self, **options: Any) -> None:
            super().__init__(markup=False, highlight=False, emoji=False, **options)

        def render_str(self, text: str, **options: Any) -> Any:
            return super().render_str(visible(text), **options)

    return SafeConsole


def console(stderr: bool = False, **options: Any) -> Console:
    """The console people's output goes through (``options``: Rich's own, e.g. ``file``)."""
    options.setdefault("file", sys.stderr if stderr else sys.stdout)
    options.setdefault("width", screen_width())
    if plain():
        options.setdefault("no_color", True)
    return _safe_console()(**options)


def bullet(text: str, width: int | None = None) -> str:
    """``  • text``, wrapped between words to the screen with its lines under the text."""
    width = screen_width() if width is None else width
    lines = fit.wrap(text, max(width - 4, 20), hang=False).split("\n")
    return "\n".join(("  • " if i == 0 else "    ") + line for i, line in enumerate(lines))


def masked(row: dict, show_pii: bool) -> dict:
    if show_pii:
        return row
    return {k: mask(k, v) if k in PII_COLUMNS and v else v for k, v in row.items()}


def json_value(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def text_value(value: object) -> str:
    """A cell as a person reads it: amounts with thousands separators, yes/no, blanks for None,
    control characters shown, never obeyed (``safety.visible``)."""
    if isinstance(value, Decimal):
        return f"{value:,.2f}".removesuffix(".00")
    return visible(csv_value(value))


def _json_default(value: object) -> object:
    converted = json_value(value)
    if converted is value:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")
    return converted


_JSON_CHUNK = 1_000  # list elements encoded at a time by write_json


def _json_bytes(data: object) -> bytes:
    """Indented JSON in UTF-8, as ``json.dumps(indent=2, ensure_ascii=False)`` writes it (a test
    holds them to that), by orjson: the standard library indents in pure Python, most of the
    time of a whole book's list (a million lines) as JSON."""
    import orjson

    options = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS
    return orjson.dumps(data, default=_json_default, option=options)


def to_json(data: object) -> str:
    return _json_bytes(data).decode() + "\n"


def write_json(data: object) -> None:
    """Streamed a thousand elements at a time: a whole book's list is a million lines. Each
    chunk is encoded as a list of its own, whose lines between the brackets are the whole
    list's lines."""
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None:  # a text-only stream
        sys.stdout.write(to_json(data))
        return
    sys.stdout.flush()  # whatever was written as text goes first
    if not isinstance(data, list) or not data:
        binary.write(_json_bytes(data) + b"\n")
    else:
        binary.write(b"[\n")
        for start in range(0, len(data), _JSON_CHUNK):
            if start:
                binary.write(b",\n")
            binary.write(_json_bytes(data[start : start + _JSON_CHUNK])[2:-2])
        binary.write(b"\n]\n")
    binary.flush()


def write_csv(rows: Iterable[dict], fields: Sequence[str]) -> None:
    write_csv_rows((_csv_ready([row.get(f) for f in fields]) for row in rows), fields)


_SPELLED = {bool, dt.datetime}  # the csv module writes None as "" and dates as YYYY-MM-DD itself


def _csv_ready(row: list) -> list:
    """The row with the values the csv module would spell otherwise (yes/no, times) spelled."""
    if any(type(v) in _SPELLED for v in row):
        return [csv_value(v) for v in row]
    return row


def write_csv_rows(
    rows: Iterable[Sequence], fields: Sequence[str] | None, out: TextIO | None = None
) -> None:
    """Rows of values in ``fields`` order under them (None: no header), as the csv module
    writes them already (strings, numbers, dates, None): a year of events is a million rows,
    written without a look at each value."""
    writer = SafeWriter(sys.stdout if out is None else out)
    if fields is not None:
        writer.writerow(fields)
    writer.writerows(rows)


def table(
    columns: Sequence[ColumnSpec],
    rows: Iterable[dict],
    title: str | None = None,
    caption: str | None = None,
    *,
    bare: bool | None = None,
    width: int | None = None,
):
    """A Rich table of ``columns`` (``fit.Col`` or (field, heading)) fitted to ``width`` cells
    (the screen's by default: ``fit`` says which columns stay and where cells wrap), styled only
    on a terminal (or never, ``bare``)."""
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    bare = plain() if bare is None else bare
    width = screen_width() if width is None else width
    specs = [replace(spec, heading=_(spec.heading)) for spec in map(fit.col, columns)]
    cells = [{c.field: text_value(row.get(c.field)) for c in specs} for row in rows]
    laid = fit.fit(specs, cells, width, lambda n: _overhead(bare, n))
    out = Table(
        # A title wider than a narrow table widens it (the cells are wrapped already), rather
        # than being broken over lines of the table's width.
        min_width=min(cell_len(title), width) if title else None,
        title=title,
        caption=caption,
        box=None if bare else box.SIMPLE_HEAD,
        header_style="" if bare else "bold",
        title_style="" if bare else "bold",
        caption_style="" if bare else "dim",
        pad_edge=False,
    )
    for column, cells_wide in zip(laid.columns, laid.widths, strict=True):
        heading = fit.wrap(column.heading, cells_wide, hang=False)
        out.add_column(heading, width=cells_wide, no_wrap=True, overflow="fold")
    for row in laid.rows:
        # Text, not str: a client's notes must never be read as Rich markup.
        out.add_row(*(Text(cell) for cell in row))
    return out


@functools.cache
def _overhead(bare: bool, columns: int) -> int:
    """The cells a table's padding and rules take around ``columns`` columns, measured on Rich
    itself rather than assumed from its version's drawing."""
    import io

    from rich import box
    from rich.console import Console
    from rich.table import Table

    probe = Table(box=None if bare else box.SIMPLE_HEAD, pad_edge=False, show_header=False)
    for _column in range(columns):
        probe.add_column(width=1)
    probe.add_row(*("x" * columns))
    out = io.StringIO()
    Console(file=out, width=PIPED_WIDTH).print(probe)
    return max(len(line) for line in out.getvalue().splitlines()) - columns


def listing(
    rows: list[dict],
    *,
    fmt: Format,
    fields: Sequence[str],
    columns: Sequence[ColumnSpec],
    show_pii: bool,
    title: str | None = None,
    caption: str | None = None,
) -> None:
    """One listing in the chosen format; JSON and CSV carry ``fields``, the table ``columns``."""
    shown = [masked(r, show_pii) for r in rows]
    if fmt == "json":
        write_json([{f: r.get(f) for f in fields} for r in shown])
    elif fmt == "csv":
        write_csv(shown, fields)
    else:
        console().print(table(columns, [words.worded(r) for r in shown], title, caption))


CARD_SECTIONS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        N_("Contact"),
        (
            ("phone", N_("Phone")),
            ("email", N_("E-mail")),
            ("address", N_("Address")),
            ("company", N_("Company")),
            ("title", N_("Title")),
            ("best_visit_time", N_("Best visit time")),
            ("appointment_required", N_("Appointment needed")),
        ),
    ),
    (
        N_("Person"),
        (
            ("gender", N_("Gender")),
            ("birthday", N_("Birthday")),
            ("birthday_calendar", N_("Celebrates by")),
            ("id_number", N_("ID number")),
            ("marital_status", N_("Marital status")),
            ("wedding_anniversary", N_("Wedding anniversary")),
            ("children", N_("Children")),
            ("household_id", N_("Household")),
            ("relation", N_("Relation")),
        ),
    ),
    (
        N_("Assessment"),
        (
            ("policy_quality", N_("Policy quality")),
            ("awareness", N_("Insurance awareness")),
            ("satisfaction", N_("Satisfaction")),
            ("economy", N_("Economy")),
            ("mobility", N_("Mobility")),
            ("annual_income", N_("Annual income")),
            ("investable_assets", N_("Investable assets")),
            ("owns_property", N_("Owns property")),
        ),
    ),
    (
        N_("Talking points"),
        (
            ("interests", N_("Interests")),
            ("reading", N_("Reads")),
            ("sports", N_("Sports")),
            ("personality", N_("Personality")),
            ("notes", N_("Notes")),
        ),
    ),
    (N_("Agent"), (("agent", N_("Agent")), ("agent_status", N_("Agent status")))),
    (
        N_("Attention"),
        (
            ("tier_shown", N_("Tier")),
            ("off", N_("Indicators off")),
            ("missing", N_("Unknown")),
            ("segment", N_("Value segment")),
            ("annual_premium", N_("Annual premium")),
            ("value_premium", N_("Value a year")),
            ("high_end_shown", N_("High-end client")),
        ),
    ),
)
# Each card field's label, for what names a field alone (the history of the card's changes).
CARD_LABELS = {field: label for _section, fields in CARD_SECTIONS for field, label in fields}


def masked_change(change: dict, show_pii: bool) -> dict:
    """A change to the card with a phone or ID number's old and new values masked."""
    if show_pii or change["field"] not in PII_COLUMNS:
        return change
    field = change["field"]
    return {**change, **{k: mask(field, change[k]) for k in ("old", "new") if change[k]}}


POLICY_TABLE = (
    Col("policy_no", "Policy"),
    Col("product", "Product", comfort=12),
    Col("category", "Category", optional=5),
    Col("sum_assured", "Sum assured", optional=3),
    Col("premium", "Premium"),
    Col("frequency", "Pays", optional=4),
    Col("effective_date", "Effective", optional=6),
    Col("next_due_date", "Next due"),
    Col("status", "Status", optional=2),
    Col("survival_benefit_date", "Survival benefit", optional=1),
)


def high_end_text(high_end: bool | None, band: str | None) -> str:
    """Whether a client is high-end, as people read it: above the seeds' band is said."""
    if high_end is None:
        return _("unknown")
    if not high_end:
        return _("no")
    return _("yes, above the band of investable assets") if band == "above" else _("yes")


def policy_shown(policy: dict) -> dict:
    """A policy's row as people read it: its status, frequency and category in their words."""
    shown = dict(policy)
    for field in ("status", "frequency", "category"):
        if field in shown:
            shown[field] = words.word(shown[field])
    return shown


def card_value(field: str, value: object) -> str:
    """A card's value as people read it, in their language: yes/no, the words of the
    vocabulary (the indicators' names in a list of them)."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field in ("off", "missing"):
        return _(",").join(str(words.word(i)) for i in str(value).split(",") if i)
    if isinstance(value, str) and value in words.VOCABULARY:
        return _(value)
    return text_value(value)


def card(
    client: dict, policies: list[dict], *, show_pii: bool, standing: Sequence[str] = ()
) -> None:
    """The client card: who they are, how to reach them, what to talk about, every policy."""
    from rich.table import Table
    from rich.text import Text

    shown = masked(client, show_pii)
    if "high_end" in shown:
        shown["high_end_shown"] = high_end_text(shown["high_end"], shown.get("high_end_band"))
    out = console()
    out.print(
        Text(text_value(f"{shown['client_id']}  {shown['name']}"), style="" if plain() else "bold")
    )
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="" if plain() else "dim")
    grid.add_column(overflow="fold")
    for section, fields in CARD_SECTIONS:
        filled = [(f, label, shown[f]) for f, label in fields if shown.get(f) not in (None, "")]
        if not filled:
            continue
        grid.add_row(Text(_(section), style="" if plain() else "bold"), "")
        for field, label, value in filled:
            grid.add_row(Text(f"  {_(label)}"), Text(card_value(field, value)))
    out.print(grid)
    if policies:
        title = _("Policies ({n})").format(n=len(policies))
        out.print(table(POLICY_TABLE, [policy_shown(p) for p in policies], title=title))
    else:
        out.print(_("No policies."))
    if standing:
        out.print(Text(_("On the list"), style="" if plain() else "bold"))
        for line in standing:
            out.print(bullet(line), highlight=False, markup=False)
