"""What ``review`` and ``gaps`` show: the visit brief as a one-page document (text on screen,
Markdown to print or share, JSON for scripts) and the gap list as a listing."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from typing import Literal

from vipctl.i18n import _
from vipctl.kinds import LABELS as KIND_LABELS
from vipctl.rules.needs import LABELS, yuan
from vipctl.views import layout, render, words
from vipctl.views import tiers as tiers_view
from vipctl.views.agenda import when
from vipctl.views.fit import Col
from vipctl.views.layout import Section
from vipctl.views.render import POLICY_TABLE

ReviewFormat = Literal["table", "json", "markdown"]
_POLICY_COLUMNS = [c for c in POLICY_TABLE if c.field != "survival_benefit_date"]
_STATES = {"met": "met", "short": "short", "absent": "absent", "n/a": "n/a", "unknown": "unknown"}


def _state(line: dict) -> str:
    if line["state"] == "short":
        return f"short by {yuan(line['short_by'])}"
    return _STATES[line["state"]]


def _percent(value: Decimal | None) -> str:
    return "unknown" if value is None else f"{value}%"


def _about(brief: dict) -> Section:
    tier = tiers_view.shown_tier(brief["tier"], brief["tier_incomplete"])
    off = ", ".join(brief["off"]) or "none"
    lines = [f"Tier {tier} (indicators off: {off}) · segment {brief['segment'] or '—'}"]
    if brief["missing"]:
        lines.append(f"Unknown indicators: {', '.join(brief['missing'])}")
    home = brief["household"]
    lines.append(
        f"High-end client: {render.high_end_text(brief['high_end'], brief['high_end_band'])} "
        "(household income "
        f"{yuan(home['income'])}, investable assets {yuan(home['investable_assets'])})"
    )
    shown = [
        ("phone", "Phone"),
        ("best_visit_time", "Best visit time"),
        ("appointment_required", "Appointment needed"),
        ("agent", "Agent"),
        ("interests", "Interests"),
        ("reading", "Reads"),
        ("sports", "Sports"),
        ("personality", "Personality"),
        ("notes", "Notes"),
    ]
    for field, label in shown:
        value = brief.get(field)
        if value not in (None, ""):
            lines.append(f"{label}: {render.text_value(value)}")
    return Section("Client", lines)


def sections(brief: dict, day: dt.date) -> list[Section]:
    burden = brief["premium_burden"]
    coverage = [
        {
            "need": LABELS[line["need"]],
            "have": yuan(line["have"]),
            "guidance": line["guidance"],
            "state": _state(line),
        }
        for line in brief["coverage"]
    ]
    risk = " — a risk of premiums stopping" if burden["risk"] else ""
    care = [
        {
            **c,
            "kind": _(KIND_LABELS[c["kind"]]),
            "when": when(c["days_left"], c["event_date"]),
            "detail": words.detail(c["detail"], day),
        }
        for c in brief["care_dates"]
    ]
    return [
        _about(brief),
        Section(
            "Policies",
            columns=_POLICY_COLUMNS,
            rows=[render.policy_shown(p) for p in brief["policies"]],
            empty="No policies.",
        ),
        Section(
            "Coverage",
            columns=[
                Col("need", "Need"),
                Col("have", "In force"),
                Col("guidance", "Guidance", comfort=24),
                Col("state", "State"),
            ],
            rows=coverage,
        ),
        Section(
            "Premium burden",
            [
                f"Annual premium {yuan(burden['annual_premium'])}, income "
                f"{yuan(burden['income'])}: {_percent(burden['percent'])} of income{risk}."
            ],
        ),
        Section(
            "Next care dates",
            columns=[
                Col("event_date", "Date"),
                Col("when", "When", optional=2),
                Col("kind", "What"),
                Col("policy_no", "Policy", optional=1, under="detail"),
                Col("detail", "Detail", comfort=20),
            ],
            rows=care,
            empty="None in the coming year.",
        ),
        Section(
            "Last contacts",
            columns=[
                Col("date", "Date"),
                Col("channel", "Channel"),
                Col("note", "Note", comfort=30),
                Col("by", "By", optional=1, under="channel"),
            ],
            rows=brief["contacts"],
            empty="No contact logged.",
        ),
        Section(
            "Talking points",
            [f"- {point}" for point in brief["talking_points"]] or ["Nothing outstanding."],
        ),
    ]


def write_review(brief: dict, day: dt.date, fmt: ReviewFormat, *, show_pii: bool) -> None:
    shown = render.masked(brief, show_pii)
    if fmt == "json":
        render.write_json(shown)
        return
    heading = f"Visit brief: {shown['client_id']} {shown['name']}, {day}"
    parts = sections(shown, day)
    sys.stdout.write(
        layout.markdown(heading, parts) if fmt == "markdown" else layout.text(heading, parts)
    )


GAP_COLUMNS = [
    Col("client_id", "Client"),
    Col("name", "Name", optional=1, under="client_id"),
    Col("tier", "Tier"),
    Col("segment", "Segment", optional=4),
    Col("agent", "Agent", optional=5),
    Col("need_label", "Need"),
    Col("state", "State", optional=3),
    Col("have", "In force", optional=2),
    Col("guidance_min", "Guidance", optional=6),
    Col("short_by", "Short by"),
]


def gap_rows_for_people(rows: list[dict]) -> list[dict]:
    return [{**r, "need_label": LABELS[r["need"]]} for r in rows]


def gaps_title(shown: list[dict], found: list[dict]) -> str:
    """ "12 gaps of 5 clients", or "the first 50 of 365,000 gaps of 100,000 clients"."""
    clients = len({r["client_id"] for r in found})
    gaps = words.counted(len(found), "{n} gap", "{n} gaps")
    return _("{gaps} of {clients}").format(
        gaps=render.shown_of(len(shown), len(found), gaps),
        clients=words.counted(clients, "{n} client", "{n} clients"),
    )
