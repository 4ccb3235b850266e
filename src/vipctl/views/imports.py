"""What ``vipctl import`` says: the table of the files and what became of their rows, then the
notes (rejects written, IDs converted, warnings, nothing changed), each meant for stdout or for
stderr."""

from __future__ import annotations

from typing import Any

from vipctl.i18n import N_, _
from vipctl.views import render, words
from vipctl.views.fit import Col

# An import's outcome, ``ingest.importer.ImportResult``: views take it as data and do not
# import the layer that made it.
ImportResult = Any

# Narrow: the kind and encoding move under the file; the rows and unchanged counts, which the
# others add up to, go.
COLUMNS = [
    Col("file", "File"),
    Col("kind", "Kind", optional=4, under="file"),
    Col("encoding", "Encoding", optional=3, under="file"),
    Col("rows", "Rows", optional=1),
    Col("inserted", "Inserted"),
    Col("updated", "Updated"),
    Col("unchanged", "Unchanged", optional=2),
    Col("rejected", "Rejected"),
]
KINDS = {"clients": N_("clients"), "policies": N_("policies")}
_IGNORED_SHOWN = 20


def write_table(result: ImportResult, db_name: str) -> None:
    rows = [
        {
            "file": str(r.path),
            "kind": _(KINDS[r.kind]),
            "encoding": r.encoding,
            "rows": r.rows,
            "inserted": r.inserted,
            "updated": r.updated,
            "unchanged": r.unchanged,
            "rejected": r.rejected,
        }
        for r in result.files
    ]
    title = _("Imported into {database}").format(database=db_name)
    render.console().print(render.table(COLUMNS, rows, title=title))


def ignored(result: ImportResult) -> list[str]:
    """The columns of each file that the data contract does not know (said before anything)."""
    lines = []
    for report in result.files:
        names = report.ignored_columns
        if not names:
            continue
        listed = words.listing(names[:_IGNORED_SHOWN])
        if len(names) > _IGNORED_SHOWN:
            more = len(names) - _IGNORED_SHOWN
            listed = _("{names} and {more} more").format(names=listed, more=more)
        lines.append(
            _("warning: {file}: not in the data contract, so not imported: {names}").format(
                file=report.path, names=listed
            )
        )
    return lines


def notes(result: ImportResult, doubts: dict[int, list[str]]) -> list[tuple[str, bool]]:
    """What follows the table, each line with whether it goes to stderr; ``doubts``: each
    file's warnings, by its place in ``result.files``."""
    out: list[tuple[str, bool]] = []
    for n, r in enumerate(result.files):
        if r.rows == 0:  # a month with nothing new can be an empty export: said, not refused
            out.append(
                (
                    _("warning: {file}: a header and no rows: nothing to import from it").format(
                        file=r.path
                    ),
                    True,
                )
            )
        if r.rejects_path:
            said = _("{n} rejected row(s) of {file} written to {rejects}")
            out.append((said.format(n=r.rejected, file=r.path, rejects=r.rejects_path), False))
        if r.legacy_ids:
            said = _("{file}: {n} 15-digit ID number(s) converted to the 18-digit form")
            out.append((said.format(file=r.path, n=r.legacy_ids), False))
        out += [(line, True) for line in doubts.get(n, [])]
    out += [(_("warning: {doubt}").format(doubt=line), True) for line in result.book_doubts]
    if result.kept_edits:
        kept = words.counted(
            result.kept_edits,
            "Kept {n} edit made in vipctl since the export (--overwrite-edits lets the file win).",
            "Kept {n} edits made in vipctl since the export (--overwrite-edits lets the file win).",
        )
        out.append((kept, False))
    read = any(r.rows for r in result.files)
    if read and result.changed == 0 and not any(r.rejected for r in result.files):
        out.append((_("Nothing changed: the database already holds exactly these rows."), False))
    return out
