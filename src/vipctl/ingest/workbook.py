"""Excel and OpenDocument workbooks read as the import reads CSV: a sheet is a source of rows.

Core systems and colleagues hand over .xlsx, .xls and .ods files as often as CSV. python-calamine
reads all three (a Rust reader: fast, and no macro or formula is ever run) and gives each cell as
the value it holds: a date cell is a date, a number a number. They are written here as the text
the contract's parsers read (``2024-03-05``, ``12000``), so the same rules check every row, and a
message names the workbook, the sheet, the row as Excel numbers it, and the column.

A file is a workbook by its first bytes, not its name: one renamed ``.csv`` is read as what it
is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from vipctl import contract
from vipctl.contract import Kind
from vipctl.errors import UserError
from vipctl.i18n import _

# A zip archive (.xlsx, .xlsm, .xlsb, .ods) or an OLE2 compound file (.xls).
_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
_HEADER_WITHIN = 10  # rows a header may sit below (a title, a date, a blank line above it)


def is_workbook(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise UserError(
            _("{file}: cannot read: {why}").format(file=path, why=exc.strerror)
        ) from None
    return head.startswith(_SIGNATURES)


def cell_text(value: object) -> str:
    """A cell as the contract's parsers read it: dates ISO, whole numbers without ``.0``, yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(value, ".15g")  # what Excel shows, without binary noise
    return str(value).strip() if isinstance(value, str) else str(value)


@dataclass
class Sheet:
    """One sheet of a workbook, shaped as ``csvfile.CsvFile`` is: its name for messages, the
    header, and the rows below it in batches, each with its row number in the sheet."""

    workbook: Path
    name: str
    format: str  # what the summary says the file was: xlsx, xls, ods
    headers: list[str]
    header_row: int  # 0-based, within the sheet's used range
    first_row: int  # the Excel row number of the used range's first row
    lines: int

    delimiter = ","
    out_encoding = "utf-8-sig"  # rejects and warnings, beside the workbook, as Excel opens them

    @property
    def path(self) -> Path:
        """How messages name the sheet: ``book.xlsx[客户]:12: 姓名: …``."""
        return Path(f"{self.workbook}[{self.name}]")

    @property
    def encoding(self) -> str:
        return self.format

    def beside(self, what: str) -> Path:
        return self.workbook.with_name(f"{self.workbook.stem}.{self.name}.{what}.csv")

    def batches(self, size: int) -> Iterator[list[tuple[int, list[str]]]]:
        """Lists of up to ``size`` (row number, cells) below the header, empty rows skipped."""
        rows = _open(self.workbook).get_sheet_by_name(self.name).iter_rows()
        batch: list[tuple[int, list[str]]] = []
        width = len(self.headers)
        for index, row in enumerate(rows):
            if index <= self.header_row:
                continue
            cells = [cell_text(v) for v in row]
            if len(cells) > width and not any(cells[width:]):
                del cells[width:]  # the used range runs wider than the header, empty there
            if any(cells):
                batch.append((self.first_row + index, cells))
                if len(batch) == size:
                    yield batch
                    batch = []
        if batch:
            yield batch


def _open(path: Path):
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        said = _("{file}: cannot read the workbook: {why}")
        raise UserError(said.format(file=path, why=exc)) from None


def _format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("xlsx", "xlsm", "xlsb", "xls", "ods"):
        return suffix
    with path.open("rb") as f:
        return "xls" if f.read(8).startswith(_SIGNATURES[1]) else "xlsx"


def _header(rows: list[list[str]], kind: Kind | None) -> tuple[int, Kind] | None:
    """The first row near the top that is a clients or policies header (or ``kind``'s)."""
    for index, row in enumerate(rows[:_HEADER_WITHIN]):
        found = contract.guess_kind(row)
        if found is not None and (kind is None or kind == found):
            return index, found
        if kind is not None and all(
            any(contract.match_header(kind, h) is c for h in row)
            for c in contract.COLUMNS[kind]
            if c.required
        ):
            return index, kind
    return None


def sheets(path: Path, kind: Kind | None, only: str | None = None) -> list[tuple[Sheet, Kind]]:
    """The sheets of a workbook whose header is a clients or policies header (or ``only`` that
    sheet, which must be one), each with its kind; sheets of notes and pivot tables are passed
    over, and a workbook with no such sheet is an error that names what it has."""
    book = _open(path)
    names = list(book.sheet_names)
    if only is not None and only not in names:
        said = _("{file}: no sheet {sheet}; the sheets are: {names}")
        raise UserError(said.format(file=path, sheet=repr(only), names=", ".join(names)))
    found: list[tuple[Sheet, Kind]] = []
    for name in [only] if only is not None else names:
        sheet = book.get_sheet_by_name(name)
        rows = sheet.iter_rows()
        top = [[cell_text(v) for v in row] for row in islice(rows, _HEADER_WITHIN)]
        header = _header(top, kind)
        if header is None:
            if only is not None:
                said = _(
                    "{file}[{sheet}]: no clients or policies header in its first {n} rows; give "
                    "--kind, or check the sheet"
                )
                raise UserError(said.format(file=path, sheet=name, n=_HEADER_WITHIN))
            continue
        row, sheet_kind = header
        headers = top[row]
        while headers and not headers[-1]:
            headers.pop()  # the used range may run wider than the header
        start = sheet.start[0] + 1 if sheet.start else 1
        lines = max(sheet.height - row - 1, 0)
        found.append((Sheet(path, name, _format(path), headers, row, start, lines), sheet_kind))
    if not found:
        said = _(
            "{file}: no sheet with a clients or policies header (sheets: {names}); give --sheet "
            "NAME and --kind"
        )
        raise UserError(said.format(file=path, names=", ".join(names)))
    return found
