"""What ``review`` and ``gaps`` show: the visit brief as a one-page document (text on screen,
Markdown to print or share, JSON for scripts) and the gap list as a listing."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from typing import Literal

from vipctl.i18n import N_, _
from vipctl.kinds import LABELS as KIND_LABELS
from vipctl.rules.needs import LABELS, yuan
from vipctl.views import layout, render, words
from vipctl.views import tiers as tiers_view
from vipctl.views.agenda import CONTACT_COLUMNS, GIFT_COLUMNS, when
from vipctl.views.care import standing_lines
from vipctl.views.fit import Col
from vipctl.views.layout import Section
from vipctl.views.render import POLICY_TABLE

ReviewFormat = Literal["table", "json", "markdown"]
_POLICY_COLUMNS = [c for c in POLICY_TABLE if c.field != "survival_benefit_date"]
_STATES = {
    "met": N_("met"),
    "short": N_("short"),
    "absent": N_("absent"),
    "n/a": N_("n/a"),
    "unknown": N_("unknown"),
}
_ABOUT = (
    ("phone", N_("Phone")),
    ("best_visit_time", N_("Best visit time")),
    ("appointment_required", N_("Appointment needed")),
    ("agent", N_("Agent")),
    ("interests", N_("Interests")),
    ("reading", N_("Reads")),
    ("sports", N_("Sports")),
    ("personality", N_("Personality")),
    ("notes", N_("Notes")),
)


def _yuan(value: Decimal | None) -> str:
    return words.amount(yuan(value))


def _state(line: dict) -> str:
    if line["state"] == "short":
        return _("short by {amount}").format(amount=_yuan(line["short_by"]))
    return _(_STATES[line["state"]])


def _percent(value: Decimal | None) -> str:
    return _("unknown") if value is None else f"{value}%"


def _about(brief: dict) -> Section:
    tier = tiers_view.shown_tier(brief["tier"], brief["tier_incomplete"])
    off = words.listing([str(words.word(i)) for i in brief["off"]]) or _("none")
    said = (
        _("Tier {tier} (indicators off: {off}) · segment {segment}")
        if brief["tier"]
        else _("{tier} (indicators off: {off}) · segment {segment}")
    )
    segment = tiers_view.segment_label(brief["segment"]) or "—"
    lines = [said.format(tier=tier, off=off, segment=segment)]
    if brief["missing"]:
        missing = words.listing([str(words.word(i)) for i in brief["missing"]])
        lines.append(_("Unknown indicators: {names}").format(names=missing))
    home = brief["household"]
    lines.append(
        _(
            "High-end client: {answer} (household income {income}, investable assets {assets})"
        ).format(
            answer=render.high_end_text(brief["high_end"], brief["high_end_band"]),
            income=_yuan(home["income"]),
            assets=_yuan(home["investable_assets"]),
        )
    )
    for field, label in _ABOUT:
        value = brief.get(field)
        if value not in (None, ""):
            lines.append(
                _("{label}: {value}").format(label=_(label), value=render.card_value(field, value))
            )
    return Section(_("About the client"), lines)


def sections(brief: dict, day: dt.date) -> list[Section]:
    burden = brief["premium_burden"]
    coverage = [
        {
            "need": _(LABELS[line["need"]]),
            "have": _yuan(line["have"]),
            "guidance": words.detail(line["guidance"], day),
            "state": _state(line),
        }
        for line in brief["coverage"]
    ]
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
            _("Policies held"),
            columns=_POLICY_COLUMNS,
            rows=[render.policy_shown(p) for p in brief["policies"]],
            empty=_("No policies."),
        ),
        Section(
            _("Coverage"),
            columns=[
                Col("need", "Need"),
                Col("have", "In force"),
                Col("guidance", "Guidance", comfort=24),
                Col("state", "State"),
            ],
            rows=coverage,
        ),
        Section(
            _("Premium burden"),
            [
                (
                    _(
                        "Annual premium {premium}, income {income}: {percent} of income — a "
                        "risk of premiums stopping."
                    )
                    if burden["risk"]
                    else _("Annual premium {premium}, income {income}: {percent} of income.")
                ).format(
                    premium=_yuan(burden["annual_premium"]),
                    income=_yuan(burden["income"]),
                    percent=_percent(burden["percent"]),
                )
            ],
        ),
        Section(
            _("Next care dates"),
            columns=[
                Col("event_date", "Date"),
                Col("when", "When", optional=2),
                Col("kind", "What"),
                Col("policy_no", "Policy", optional=1, under="detail"),
                Col("detail", "Detail", comfort=20),
            ],
            rows=care,
            empty=_("None in the coming year."),
        ),
        Section(
            _("Last contacts"),
            columns=CONTACT_COLUMNS,
            rows=[words.worded(c) for c in brief["contacts"]],
            empty=_("No contact logged."),
        ),
        Section(
            _("Gifts given"),
            columns=GIFT_COLUMNS,
            rows=brief["gifts"],
            empty=_("No gift recorded."),
        ),
        *(
            [Section(_("On the list"), standing)]
            if (standing := standing_lines(brief["standing"], day))
            else []
        ),
        Section(
            _("Talking points"),
            [f"- {words.detail(point, day)}" for point in brief["talking_points"]]
            or [_("Nothing outstanding.")],
        ),
    ]


def write_review(brief: dict, day: dt.date, fmt: ReviewFormat, *, show_pii: bool) -> None:
    shown = render.masked(brief, show_pii)
    if fmt == "json":
        render.write_json(shown)
        return
    heading = _("Visit brief: {client_id} {name}, {day}").format(
        client_id=shown["client_id"], name=shown["name"], day=words.day(day)
    )
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
    return [
        {**r, "need_label": _(LABELS[r["need"]]), "state": _(_STATES[r["state"]])} for r in rows
    ]


def gaps_title(shown: list[dict], found: list[dict]) -> str:
    """ "12 gaps of 5 clients", or "the first 50 of 365,000 gaps of 100,000 clients"."""
    clients = len({r["client_id"] for r in found})
    gaps = words.counted(len(found), "{n} gap", "{n} gaps")
    return _("{gaps} of {clients}").format(
        gaps=render.shown_of(len(shown), len(found), gaps),
        clients=words.counted(clients, "{n} client", "{n} clients"),
    )
