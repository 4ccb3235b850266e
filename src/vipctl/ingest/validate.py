"""Checking CSV records against the data contract, a batch at a time and column by column.

Column by column, because a 100,000-row export repeats the same few dates, amounts and enumerated
values: each distinct spelling is parsed once per column and looked up afterwards. Every problem
of every row is collected, so the user fixes a file once, not once per error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from vipctl import contract
from vipctl import values as v
from vipctl.contract import Column, Kind
from vipctl.errors import UserError
from vipctl.i18n import _
from vipctl.ingest import csvfile, workbook
from vipctl.ingest.workbook import Sheet
from vipctl.rules import plausible, schedule
from vipctl.rules.plausible import Doubt
from vipctl.rules.privacy import mask
from vipctl.safety import unmark_formula

_MEMO_LIMIT = 50_000  # distinct spellings remembered per column
_RARELY_REPEATED = {v.parse_id_number, v.parse_phone, v.parse_email}
_DERIVED_FROM_ID = ("birthday", "gender")
_NONE_IF_EMPTY = {"": None}


@dataclass
class Source:
    """A read CSV file with its header mapped onto the contract."""

    csv: csvfile.CsvFile | Sheet  # the rows: a CSV file, or a sheet of a workbook
    kind: Kind
    columns: list[tuple[int, Column, str]]  # (position, contract column, header as written)
    ignored: list[str]

    @property
    def stored(self) -> list[str]:
        """Columns this file sets, key first, then in table order.

        A file sets the columns it has (an empty cell clears the value) plus what its ID numbers
        let us derive; columns it lacks keep their stored values.
        """
        names = {col.name for _, col, _ in self.columns}
        if "id_number" in names:
            names.update(_DERIVED_FROM_ID)
        key = contract.KEY[self.kind]
        return [key] + [c.name for c in contract.COLUMNS[self.kind] if c.name in names - {key}]

    def header(self, name: str) -> str | None:
        return next((h for _, col, h in self.columns if col.name == name), None)


def open_sources(
    path: Path, kind: Kind | None, encoding: str | None, sheet: str | None = None
) -> list[Source]:
    """A CSV file's source, or a workbook's, one per sheet of clients or policies (``sheet``:
    that one only), told by the file's first bytes, whatever its name says."""
    if workbook.is_workbook(path):
        return [_mapped(data, found) for data, found in workbook.sheets(path, kind, sheet)]
    if sheet is not None:
        raise UserError(
            _("{file}: --sheet is for workbooks, and this is a CSV file").format(file=path)
        )
    return [open_source(path, kind, encoding)]


def open_source(path: Path, kind: Kind | None, encoding: str | None) -> Source:
    """Read a file and map its header; a problem with the file as a whole is a UserError."""
    data = csvfile.read(path, encoding)
    found = kind or contract.guess_kind(data.headers)
    if found is None:
        said = _(
            "{file}: cannot tell clients from policies by the header; give --kind clients "
            "or --kind policies"
        )
        raise UserError(said.format(file=path))
    return _mapped(data, found)


def _mapped(data: csvfile.CsvFile | Sheet, found: Kind) -> Source:
    """The rows' header mapped onto the contract's columns of ``found``."""
    path = data.path
    columns: list[tuple[int, Column, str]] = []
    ignored: list[str] = []
    seen: dict[str, str] = {}
    for pos, header in enumerate(data.headers):
        col = contract.match_header(found, header)
        if col is None:
            ignored.append(header or _("(column {n}, no header)").format(n=pos + 1))
        elif col.name in seen:
            said = _("{file}:1: columns '{first}' and '{second}' both mean {column}; keep one")
            raise UserError(
                said.format(file=path, first=seen[col.name], second=header, column=col.name)
            )
        else:
            seen[col.name] = header
            columns.append((pos, col, header))
    for col in contract.COLUMNS[found]:
        if col.required and col.name not in seen:
            names = "/".join((col.name, *col.aliases))
            said = _("{file}:1: missing the required column {column} ({names})")
            raise UserError(said.format(file=path, column=col.name, names=names))
    return Source(data, found, columns, ignored)


@dataclass
class Checked:
    """One batch's outcome: the good rows, as one list per ``Source.stored`` column, and the bad
    records. Columns, because the writer converts and ships values column by column."""

    columns: list[list] = field(default_factory=list)
    rows: int = 0  # records in the batch, good and bad
    last_line: int = 0  # where the batch's last record starts
    bad: list[tuple[list[str], str]] = field(default_factory=list)  # (fields, problems)
    messages: list[str] = field(default_factory=list)  # FILE:LINE: column: problem
    # Values kept but doubtful (``plausible``), of good rows: (line, column as headed, value, why)
    doubts: list[tuple[int, str, str, str]] = field(default_factory=list)
    legacy_ids: int = 0  # 15-digit ID numbers converted to 18 digits
    lines: list[int] = field(default_factory=list)  # where each good client row starts

    def plain(self) -> tuple:
        """The fields in order, as plain values: ``Checked(*plain)`` makes it again."""
        return (
            self.columns,
            self.rows,
            self.last_line,
            self.bad,
            self.messages,
            self.doubts,
            self.legacy_ids,
            self.lines,
        )


class Validator:
    """Checks records across a whole import: duplicate keys and policies' clients span files."""

    def __init__(
        self, today: dt.date, clients: set[str], grace_days: int = schedule.GRACE_DAYS
    ) -> None:
        """``clients``: the client ids stored before this import."""
        self.today = today
        self.grace_days = grace_days
        self.clients = clients  # grows with the good client rows of this import
        self._memos: dict[tuple[Kind, str], dict[str, object]] = {}
        self.rejected_clients: dict[str, str] = {}
        # Per file of each kind, in import order: key -> the line where it first appears.
        self._keys: dict[Kind, list[tuple[Source, dict[str, int]]]] = {
            k: [] for k in contract.KINDS
        }

    def _first(self, kind: Kind, key: str) -> tuple[Path, int] | None:
        """Where ``key`` first appeared in this import, if it did."""
        for src, lines in self._keys[kind]:
            if key in lines:
                return src.csv.path, lines[key]
        return None

    def check(self, src: Source, records: list[tuple[int, list[str]]]) -> Checked:
        width = len(src.csv.headers)
        problems: dict[int, list[str]] = {}
        rows_fields = [fields for _, fields in records]
        misfits = {i for i, fields in enumerate(rows_fields) if len(fields) != width}
        for i in misfits:
            got = len(rows_fields[i])
            said = _("expected {width} fields as in the header, got {got}")
            problems[i] = [said.format(width=width, got=got)]
            rows_fields[i] = [""] * width

        def add(i: int, problem: str) -> None:
            if i not in misfits:
                problems.setdefault(i, []).append(problem)

        n = len(records)
        cells = list(zip(*rows_fields, strict=True))  # one transpose in C, then column by column
        cols: dict[str, list] = {}
        for pos, col, header in src.columns:
            cols[col.name] = self._column(src.kind, col, header, cells[pos], add)
        legacy = self._client_rules(src, cols, n, add) if src.kind == "clients" else 0
        self._cross_checks(src, cols, records, problems, add)
        checked = self._outcome(src, cols, records, problems)
        checked.doubts = self._doubts(src, cols, records, problems)
        checked.legacy_ids = legacy
        return checked

    def _doubts(
        self,
        src: Source,
        cols: dict[str, list],
        records: list[tuple[int, list[str]]],
        problems: dict[int, list[str]],
    ) -> list[tuple[int, str, str, str]]:
        """What ``plausible`` doubts in the good rows. Rows are picked by cheap tests first: a
        whole export is walked in a few comprehensions, and only the few suspects row by row."""
        n, today = len(records), self.today
        none = [None] * n

        def get(name: str) -> list:
            return cols.get(name) or none

        found: list[tuple[int, Doubt]] = []
        if src.kind == "clients":
            born, wed = get("birthday"), get("wedding_anniversary")
            early, late, young = plausible.EARLIEST_BIRTH, today, plausible.WEDDING_AGE
            suspects = [
                i
                for i in range(n)
                if (born[i] is not None and not early <= born[i] <= late)
                or (
                    wed[i] is not None
                    and (
                        wed[i] > late
                        or (born[i] is not None and wed[i].year - born[i].year <= young)
                    )
                )
            ]
            for i in suspects:
                found += [(i, d) for d in plausible.client(born[i], wed[i], today)]
        else:
            effective, category = get("effective_date"), get("category")
            premium, assured, status = get("premium"), get("sum_assured"), get("status")
            frequency, years, due = get("frequency"), get("payment_years"), get("next_due_date")
            suspects = [
                i
                for i in range(n)
                if (effective[i] is not None and effective[i] > today)
                or (premium[i] is not None and assured[i] is not None and premium[i] > assured[i])
                or (status[i] == "grace" and due[i] is None)
            ]
            for i in suspects:
                if effective[i] is None:
                    continue  # a required column left empty: a problem already
                found += [
                    (i, d)
                    for d in plausible.policy(
                        effective[i], category[i], premium[i], assured[i], today
                    )
                ]
                found += [
                    (i, d)
                    for d in plausible.grace_status(
                        effective[i], frequency[i], years[i], due[i], status[i], today,
                        self.grace_days,
                    )
                ]  # fmt: skip
        doubts = []
        positions = {col.name: pos for pos, col, _ in src.columns}
        for i, (name, why) in found:
            if i in problems:
                continue  # the row is refused: its doubts do not matter
            line, fields = records[i]
            if name in positions:
                header, value = src.header(name) or name, fields[positions[name]].strip()
            else:  # a birthday read from the ID number
                header, value = src.header("id_number") or name, str(cols[name][i])
            doubts.append((line, header, value, why))
        return doubts

    def _column(
        self,
        kind: Kind,
        col: Column,
        header: str,
        cells: Sequence[str],
        add: Callable[[int, str], None],
    ) -> list:
        """Parse one column of a batch: each distinct cell once, surrounding spaces ignored."""
        parse = col.parse
        joined = "".join(cells)  # looked for in C: both are rare
        if "\x00" in joined:  # binary junk or UTF-16 read as bytes: never a client's data
            for i in [i for i, cell in enumerate(cells) if "\x00" in cell]:
                said = _("{column}: a NUL character (is the file binary, or damaged?)")
                add(i, said.format(column=header))
        if "'" in joined:  # an exported formula cell
            cells = [unmark_formula(cell) for cell in cells]
        if parse is v.parse_text:
            # map() keeps the per-cell work in C: strip, then an empty cell becomes None.
            stripped = list(map(str.strip, cells))
            out: list = list(map(_NONE_IF_EMPTY.get, stripped, stripped))
        else:
            if parse in _RARELY_REPEATED:
                memo: dict[str, object] = {}
            else:
                memo = self._memos.setdefault((kind, col.name), {})
                if len(memo) > _MEMO_LIMIT:
                    memo.clear()
            failures: dict[str, tuple[str, str]] = {}
            for cell in set(cells).difference(memo):
                text = cell.strip()
                try:
                    memo[cell] = parse(text) if text else None
                except ValueError as exc:
                    failures[cell] = (text, str(exc))
            out = list(map(memo.get, cells))  # unparsable cells read as None
            for i in [i for i, cell in enumerate(cells) if cell in failures] if failures else []:
                text, problem = failures[cells[i]]
                shown = mask(col.name, text) if col.pii else text
                add(
                    i,
                    _("{column}: {problem} (got '{value}')").format(
                        column=header, problem=problem, value=shown
                    ),
                )
        if col.required and None in out:  # None: empty, or unparsable and reported above
            for i in [i for i, cell in enumerate(cells) if not cell.strip()]:
                add(i, _("{column}: required, but empty").format(column=header))
        return out

    def _client_rules(
        self, src: Source, cols: dict[str, list], n: int, add: Callable[[int, str], None]
    ) -> int:
        """Birthday and gender come from the ID number when empty, and must agree with it;
        how many 15-digit numbers were converted."""
        ids = cols.get("id_number")
        legacy = 0
        if ids is not None:
            derived_cols = {name: cols.setdefault(name, [None] * n) for name in _DERIVED_FROM_ID}
            for i, ident in enumerate(ids):
                if ident is None:
                    continue
                ids[i] = ident.number
                legacy += ident.legacy
                for name, derived in (("birthday", ident.birthday), ("gender", ident.gender)):
                    given = derived_cols[name][i]
                    if given is None:
                        derived_cols[name][i] = derived
                    elif given != derived:
                        said = _(
                            "{column}: does not match the ID number, which says {derived} "
                            "(got '{value}')"
                        )
                        add(i, said.format(column=src.header(name), derived=derived, value=given))
        return legacy

    def _cross_checks(
        self,
        src: Source,
        cols: dict[str, list],
        records: list[tuple[int, list[str]]],
        problems: dict[int, list[str]],
        add: Callable[[int, str], None],
    ) -> None:
        """Rules that look beyond the row: unique keys, and policies whose client exists.

        Rows with problems already are left out. The common case, no duplicate and every client
        known, is settled with set operations; rows are walked one by one only to name culprits.
        """
        key_name = contract.KEY[src.kind]
        files = self._keys[src.kind]
        if not files or files[-1][0] is not src:
            files.append((src, {}))
        lines = files[-1][1]
        keys = cols[key_name]
        rows = [i for i in range(len(records)) if i not in problems] if problems else None
        indexes = range(len(records)) if rows is None else rows
        batch_keys = keys if rows is None else [keys[i] for i in rows]
        if len(set(batch_keys)) == len(batch_keys) and all(
            known.keys().isdisjoint(batch_keys) for _, known in files
        ):
            starts = map(itemgetter(0), records if rows is None else map(records.__getitem__, rows))
            lines.update(zip(batch_keys, starts, strict=True))
        else:
            key_header = src.header(key_name)
            for i in indexes:
                first = self._first(src.kind, keys[i])
                if first is None:
                    lines[keys[i]] = records[i][0]
                else:
                    said = _("{column}: {key} appears twice; first at {file}:{line}")
                    add(
                        i,
                        said.format(column=key_header, key=keys[i], file=first[0], line=first[1]),
                    )
        if src.kind == "policies":
            self._policy_checks(src, cols, indexes, add)

    def _policy_checks(
        self,
        src: Source,
        cols: dict[str, list],
        indexes: Iterable[int],
        add: Callable[[int, str], None],
    ) -> None:
        client_ids, effective = cols["client_id"], cols["effective_date"]
        rejected = self.rejected_clients
        named = {client_ids[i] for i in indexes}
        unknown = (named - self.clients) | (named & rejected.keys())
        if unknown:
            header = src.header("client_id")
            for i in [i for i in indexes if client_ids[i] in unknown]:
                client = client_ids[i]
                if client in rejected:
                    said = _("{column}: client {client} was rejected at {where}")
                    add(i, said.format(column=header, client=client, where=rejected[client]))
                else:
                    said = _("{column}: no client {client} in the database or in this import")
                    add(i, said.format(column=header, client=client))
        due = cols.get("next_due_date")
        if due is not None:
            for i in [i for i in indexes if due[i] is not None and due[i] < effective[i]]:
                said = _("{column}: before the effective date {effective} (got '{value}')")
                add(
                    i,
                    said.format(
                        column=src.header("next_due_date"), effective=effective[i], value=due[i]
                    ),
                )

    def _outcome(
        self,
        src: Source,
        cols: dict[str, list],
        records: list[tuple[int, list[str]]],
        problems: dict[int, list[str]],
    ) -> Checked:
        checked = Checked(rows=len(records), last_line=records[-1][0])
        key_name = contract.KEY[src.kind]
        for i in sorted(problems):
            line, fields = records[i]
            checked.messages.extend(f"{src.csv.path}:{line}: {p}" for p in problems[i])
            checked.bad.append((fields, "; ".join(problems[i])))
            key = cols[key_name][i]
            if src.kind == "clients" and key and self._first("clients", key) is None:
                self.rejected_clients[key] = f"{src.csv.path}:{line}"
        columns = [cols[name] for name in src.stored]
        if src.kind == "clients":  # where a doubt about a client's income will go
            checked.lines = list(map(itemgetter(0), records))
        if problems:
            good = [i for i in range(len(records)) if i not in problems]
            columns = [[column[i] for i in good] for column in columns]
            checked.lines = [checked.lines[i] for i in good] if checked.lines else []
        checked.columns = columns
        if src.kind == "clients":
            self.clients.update(columns[0])
        return checked
