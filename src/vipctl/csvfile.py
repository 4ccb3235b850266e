"""Reading the CSV files people really have (Excel, core-system exports) and writing rejects.

Knows nothing of clients or policies: it turns bytes into a header and numbered records, telling
the encoding and delimiter, so the importer can name a file, line and column for every problem.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from vipctl.errors import UserError

DELIMITERS = (",", "\t", ";")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# The data contract names these; when the bytes could be one of them, it is the one.
_CONTRACT_FALLBACK = "gb18030"


class BrokenCsv(UserError):
    """The file stops being CSV part-way: what follows cannot be read, so nothing of it counts."""


@dataclass
class CsvFile:
    path: Path
    encoding: str
    delimiter: str
    headers: list[str]
    text: str = field(repr=False)
    lines: int

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """Yield (line where the record starts, fields), skipping blank lines.

        A quoted field may hold newlines, so a record's start line is one past the line where
        the previous record ended, which is what a person finds when they open the file.
        """
        # strict: a quote left open must be an error, not a field that swallows the file's rest.
        reader = csv.reader(
            io.StringIO(self.text, newline=""), delimiter=self.delimiter, strict=True
        )
        try:
            next(reader)  # the header
            end = reader.line_num
            for row in reader:
                start, end = end + 1, reader.line_num
                if any(cell.strip() for cell in row):
                    yield start, row
        except csv.Error as exc:
            problem = str(exc)
            if "unexpected end of data" in problem:
                problem = "a quoted field that starts in this record is never closed"
            raise BrokenCsv(f"{self.path}:{end + 1}: cannot read CSV here: {problem}") from None


def decode(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Return (text, encoding). Tries the BOM, then strict UTF-8, then asks charset-normalizer."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise UserError(f"unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as exc:
            raise UserError(
                f"{path}: not valid {encoding} at byte {exc.start}: try another --encoding"
            ) from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    import charset_normalizer

    # Short Chinese files are often scored as Korean or Japanese; the contract says GBK/GB18030,
    # so when GB18030 is among the plausible readings it wins, and the detector decides the rest.
    matches = charset_normalizer.from_bytes(data)
    names = [m.encoding for m in matches]
    chosen = _CONTRACT_FALLBACK if _CONTRACT_FALLBACK in names else (names[0] if names else None)
    if chosen is None:
        raise UserError(
            f"{path}: cannot tell the text encoding (not UTF-8 nor GBK/GB18030); "
            "save it as UTF-8 CSV or give --encoding"
        )
    try:
        return data.decode(chosen), chosen
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{path}: not valid UTF-8 nor {chosen} at byte {exc.start}; "
            "save it as UTF-8 CSV or give --encoding"
        ) from None


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read(path: Path, encoding: str | None = None) -> CsvFile:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    text, used = decode(data, path, encoding)
    if not text.strip():
        raise UserError(f"{path}: the file is empty")
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    try:
        headers = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise UserError(f"{path}:1: cannot read the header: {exc}") from None
    headers = [h.lstrip("\ufeff").strip() for h in headers]
    return CsvFile(path, used, delimiter, headers, text, text.count("\n") + 1)


def write_rejects(
    source: CsvFile, rows: list[tuple[list[str], str]], target: Path | None = None
) -> Path:
    """Write bad rows, as they were, plus an ``error`` column, in the source's encoding.

    Owner-only (0600): the rows carry the same personal data as the source file.
    """
    target = target or source.path.with_name(source.path.stem + ".rejects.csv")
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=source.delimiter, lineterminator="\r\n")
    writer.writerow([*source.headers, "error"])
    for fields, error in rows:
        writer.writerow([*fields, error])
    payload = buf.getvalue().encode(source.encoding, errors="replace")
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(payload)
    os.chmod(target, 0o600)  # O_CREAT's mode does not apply to a file that already existed
    return target
