"""``vipctl export``'s formats: CSV in the data contract's columns, spreadsheet-safe, and JSON."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from vipctl.safety import SafeWriter
from vipctl.views.render import csv_value, json_value, to_json


def to_csv(fields: Sequence[str], found: Iterable[Sequence]) -> str:
    """CSV whose cells a spreadsheet shows as text, never runs: '=HYPERLINK(…)' stays words."""
    out = io.StringIO(newline="")
    writer = SafeWriter(out, lineterminator="\r\n")
    writer.writerow(fields)
    writer.writerows([csv_value(v) for v in row] for row in found)
    return out.getvalue()


def to_json_text(fields: Sequence[str], found: Iterable[Sequence]) -> str:
    return to_json([{f: json_value(v) for f, v in zip(fields, row, strict=True)} for row in found])
