"""Reading the CSV files people really have (Excel, core-system exports) and writing rejects.

Knows nothing of clients or policies: it turns bytes into a header and numbered records, telling
the encoding and delimiter, so the importer can name a file, line and column for every problem.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vipctl.errors import UserError
from vipctl.i18n import _
from vipctl.safety import SafeWriter

if TYPE_CHECKING:
    from vipctl.ingest.workbook import Sheet

DELIMITERS = (",", "\t", ";")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SAMPLE = 256 * 1024  # enough text to judge the encoding by
_CHUNK = 1 << 20
# Bounds on the file's shape, checked as it is read, so memory stays bounded whatever arrives:
# no export has a thousand columns, and no cell of one holds a megabyte.
MAX_COLUMNS = 1_000
MAX_LINE = 1 << 20  # characters of a line, and of a field (which may span lines)
csv.field_size_limit(MAX_LINE)
# Two Chinese characters in UTF-8 (a lead byte E4-E9 and two continuation bytes each): a line
# of them in a file that is not UTF-8 is a mixed file. Found by mapping every byte to its class
# and searching for the classes' pattern, both in C: a regex over bytes took 0.6 s for 26 MB.
_BYTE_CLASS = bytes(
    ord("L") if 0xE4 <= b <= 0xE9 else ord("c") if 0x80 <= b <= 0xBF else ord(".")
    for b in range(256)
)
_TWO_CHINESE = b"LccLcc"
# The data contract names these; when the bytes could be one of them, it is the one.
_CONTRACT_FALLBACK = "gb18030"


class BrokenCsv(UserError):
    """The file stops being CSV part-way: what follows cannot be read, so nothing of it counts."""


@dataclass
class CsvFile:
    """A CSV file whose encoding and delimiter are known; records are read lazily from disk.

    Nothing holds the whole text: a 100,000-row export is read as a stream, batch by batch.
    """

    path: Path
    encoding: str
    delimiter: str
    headers: list[str]
    lines: int  # an estimate, for progress bars

    @property
    def out_encoding(self) -> str:
        """What rejects and warnings are written in: the file's own encoding."""
        return self.encoding

    def beside(self, what: str) -> Path:
        """Where a file of this one's ``what`` (rejects, warnings) is written."""
        return self.path.with_name(f"{self.path.stem}.{what}.csv")

    def batches(self, size: int) -> Iterator[list[tuple[int, list[str]]]]:
        """Yield lists of up to ``size`` (start line, fields) records, skipping empty rows.

        A quoted field may hold newlines, so a record's start line is one past the line where
        the previous record ended, which is what a person finds when they open the file. When
        the file breaks, the records before the break are yielded first, so they are still
        checked and reported, and then ``BrokenCsv`` is raised.
        """
        end = 1
        batch: list[tuple[int, list[str]]] = []
        with self.path.open(encoding=self.encoding, newline="") as stream:
            # strict: a quote left open is an error, not a field that swallows the file's rest.
            lines = bounded_lines(stream, self.path)
            reader = csv.reader(lines, delimiter=self.delimiter, strict=True)
            try:
                next(reader)  # the header
                end = reader.line_num
                for row in reader:
                    start, end = end + 1, reader.line_num
                    if any(row):  # blank lines and Excel's empty ",,,," rows
                        batch.append((start, row))
                        if len(batch) == size:
                            yield batch
                            batch = []
            except csv.Error as exc:
                problem = str(exc)
                if "unexpected end of data" in problem:
                    problem = _("a quoted field that starts in this record is never closed")
                elif "field larger than field limit" in problem:
                    said = _("a field longer than {n} characters")
                    problem = said.format(n=f"{MAX_LINE:,}")
                said = _("{file}:{line}: cannot read CSV here: {problem}")
                broken = said.format(file=self.path, line=end + 1, problem=problem)
            except LineTooLong as exc:
                broken = str(exc)
            except UnicodeDecodeError:
                broken = _undecodable(self.path, self.encoding)
            else:
                broken = None
        if batch:
            yield batch
        if broken:
            raise BrokenCsv(broken)


class LineTooLong(UserError):
    pass


def bounded_lines(stream: io.TextIOBase, path: Path) -> Iterator[str]:
    """The stream's lines, each read with a bound: a line of 200 MB is refused when its first
    megabyte has been read, not after the whole of it sits in memory."""
    number = 0
    while line := stream.readline(MAX_LINE + 1):
        number += 1
        if len(line) > MAX_LINE:
            said = _("{file}:{line}: a line longer than {n} characters")
            raise LineTooLong(said.format(file=path, line=number, n=f"{MAX_LINE:,}"))
        yield line


def _first_bad_byte(path: Path, encoding: str) -> int | None:
    """Where the file stops being valid ``encoding``, checked in chunks to keep memory flat."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return offset + exc.start
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset
    return None


def _undecodable(path: Path, encoding: str) -> str:
    """Name the exact line and byte: a text stream decodes ahead of the record being read."""
    bad = _first_bad_byte(path, encoding) or 0
    with path.open("rb") as f:
        line = f.read(bad).decode(encoding, errors="replace").count("\n") + 1
    said = _(
        "{file}:{line}: not valid {encoding} at byte {byte}; save the file as UTF-8 CSV, or "
        "name its encoding with --encoding"
    )
    return said.format(file=path, line=line, encoding=encoding, byte=bad)


def detect_encoding(path: Path, head: bytes, encoding: str | None = None) -> str:
    """The given encoding, else the BOM, else strict UTF-8, else charset-normalizer's reading.

    Only the UTF-8 test reads the whole file (decoding UTF-8 is cheap, and it alone tells UTF-8
    from a GBK file whose Chinese starts late); for any other encoding a byte that does not fit
    is reported at its line when the records are read, and the import is rolled back.
    """
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise UserError(_("unknown encoding {name}").format(name=repr(encoding))) from None
        return encoding
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    first_bad = _first_bad_byte(path, "utf-8")
    if first_bad is None:
        return "utf-8"
    _refuse_mixed(path, first_bad)
    import charset_normalizer

    # Short Chinese files are often scored as Korean or Japanese; the contract says GBK/GB18030,
    # so when GB18030 is among the plausible readings it wins, and the detector decides the rest.
    # The sample ends at a line end: in GBK/GB18030 a 0x0A byte is never inside a character.
    sample = head[: head.rfind(b"\n") + 1 or None] if len(head) == _SAMPLE else head
    names = [m.encoding for m in charset_normalizer.from_bytes(sample)]
    chosen = _CONTRACT_FALLBACK if _CONTRACT_FALLBACK in names else (names[0] if names else None)
    if chosen is None:
        said = _(
            "{file}: cannot tell the text encoding (not UTF-8 nor GBK/GB18030); save it as "
            "UTF-8 CSV or give --encoding"
        )
        raise UserError(said.format(file=path))
    return chosen


def _line_of(path: Path, offset: int) -> int:
    """The line a byte offset is on, counted in chunks."""
    line, done = 1, 0
    with path.open("rb") as f:
        while done < offset and (chunk := f.read(min(_CHUNK, offset - done))):
            line += chunk.count(b"\n")
            done += len(chunk)
    return line


def _utf8_chinese_line(path: Path) -> int | None:
    """The first line that is UTF-8 Chinese through and through, or None; the file is read in
    chunks, and only the lines where two UTF-8 Chinese characters appear are decoded."""
    line, carry = 1, b""
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            text = carry + chunk
            cut = text.rfind(b"\n") + 1 if len(chunk) == _CHUNK else len(text)
            whole, carry = text[:cut], text[cut:]
            if cut == 0:  # one line longer than a chunk: the reader refuses it anyway
                whole, carry = text, b""
            classes = whole.translate(_BYTE_CLASS)
            at = 0
            while (found := classes.find(_TWO_CHINESE, at)) >= 0:
                start = whole.rfind(b"\n", 0, found) + 1
                stop = whole.find(b"\n", found)
                stop = len(whole) if stop < 0 else stop
                try:
                    whole[start:stop].decode("utf-8")
                except UnicodeDecodeError:
                    at = stop + 1  # the line is not UTF-8: on to the next one
                    continue
                return line + whole.count(b"\n", 0, start)
            line += whole.count(b"\n")
    return None


def _refuse_mixed(path: Path, first_bad: int) -> None:
    """A file that is not UTF-8 as a whole yet has lines of UTF-8 Chinese mixes two encodings
    (rows pasted from two exports): read as one, half of it would be stored as mojibake
    (张伟 as 寮犱紵). Refused, naming the line where the second encoding starts."""
    utf8 = _utf8_chinese_line(path)
    if utf8 is None:
        return
    other = _line_of(path, first_bad)
    first, then = sorted((utf8, other))
    said = _(
        "{file}:{line}: this line is in another text encoding than line {first} (UTF-8 and "
        "GBK/GB18030 mixed); save the file in one encoding, or name the one to read it in "
        "with --encoding"
    )
    raise UserError(said.format(file=path, line=then, first=first))


def _utf16_without_bom(head: bytes) -> str | None:
    """The UTF-16 a head of text looks like, when it has no byte-order mark: Latin letters
    and digits are a letter and a zero byte, every other byte zero."""
    if len(head) < 4 or head.count(0) < len(head) // 4:
        return None
    odd, even = head[1::2].count(0), head[0::2].count(0)
    return "utf-16le" if odd > even else "utf-16be"


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read(path: Path, encoding: str | None = None) -> CsvFile:
    """Open a CSV file: its encoding, delimiter and header, and a line estimate for progress."""
    try:
        with path.open("rb") as f:
            head = f.read(_SAMPLE)
            size = os.fstat(f.fileno()).st_size
    except OSError as exc:
        raise UserError(
            _("{file}: cannot read: {why}").format(file=path, why=exc.strerror)
        ) from None
    if encoding is None and not head.startswith(tuple(bom for bom, _ in _BOMS)):
        wide = _utf16_without_bom(head)
        if wide:
            said = _(
                "{file}: looks like {name} text without a byte-order mark; give --encoding {wide}"
            )
            raise UserError(said.format(file=path, name=wide.upper(), wide=wide))
    used = detect_encoding(path, head, encoding)
    try:
        with path.open(encoding=used, newline="") as stream:
            first_line = stream.readline(MAX_LINE + 1)
            if not first_line.strip() and not stream.read(1):
                raise UserError(_("{file}: the file is empty").format(file=path))
            stream.seek(0)
            delimiter = sniff_delimiter(first_line[:MAX_LINE])
            lines = bounded_lines(stream, path)
            try:
                headers = next(csv.reader(lines, delimiter=delimiter, strict=True))
            except (csv.Error, StopIteration) as exc:
                said = _("{file}:1: cannot read the header: {why}")
                raise UserError(said.format(file=path, why=exc)) from None
    except UnicodeDecodeError:
        raise UserError(_undecodable(path, used)) from None
    if len(headers) > MAX_COLUMNS:
        said = _(
            "{file}:1: {n} columns in the header; an export has at most {most} (is this the "
            "right file?)"
        )
        raise UserError(said.format(file=path, n=f"{len(headers):,}", most=f"{MAX_COLUMNS:,}"))
    headers = [h.lstrip("\ufeff").strip() for h in headers]
    # The head's lines per byte, scaled to the file: no extra pass over the whole file for it.
    lines = round(head.count(b"\n") * size / len(head)) + 1
    return CsvFile(path, used, delimiter, headers, lines)


def write_rejects(
    source: CsvFile | Sheet, rows: list[tuple[list[str], str]], target: Path | None = None
) -> Path:
    """Write bad rows, as they were, plus an ``error`` column, in the source's encoding.

    Owner-only (0600): the rows carry the same personal data as the source file.
    """
    target = target or source.beside("rejects")
    table = [[*source.headers, "error"], *([*fields, error] for fields, error in rows)]
    return _write_beside(source, target, table, _("rejects"))


def write_doubts(source: CsvFile | Sheet, doubts: list[tuple[int, str, str, str]]) -> Path:
    """Write the values an import kept but doubts, (line, column, value, why) each, beside the
    source as ``FILE.warnings.csv``, the way rejects are written."""
    target = source.beside("warnings")
    rows = [["line", "column", "value", "warning"]]
    rows += [[str(line), column, value, why] for line, column, value, why in doubts]
    return _write_beside(source, target, rows, _("warnings"))


def _write_beside(
    source: CsvFile | Sheet, target: Path, rows: Iterable[list[str]], what: str
) -> Path:
    """Rows in the source's encoding and delimiter, owner-only (0600): they carry the same
    personal data as the source file. Spreadsheet-safe: they are opened in Excel to be fixed,
    and a cell vipctl marked reads back as it was."""
    buf = io.StringIO(newline="")
    SafeWriter(buf, delimiter=source.delimiter, lineterminator="\r\n").writerows(rows)
    payload = buf.getvalue().encode(source.out_encoding, errors="replace")
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(payload)
        os.chmod(target, 0o600)  # O_CREAT's mode does not apply to a file that already existed
    except OSError as exc:
        said = _("cannot write the {what} file {target}: {why}")
        raise UserError(said.format(what=what, target=target, why=exc.strerror)) from None
    return target
