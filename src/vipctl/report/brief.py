"""The visit brief of ``vipctl review``: one client's cover against the guidance, premium
burden, next care dates, last contacts and talking points, as one JSON-ready dict (docs/needs.md
documents its shape). It reads the needs analysis' facts (``book.reviewing``) and the agenda's
care dates and contacts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection

from vipctl import agenda
from vipctl.agenda import care, followup
from vipctl.agenda.standing import standing
from vipctl.book import queries
from vipctl.book.reviewing import cover, households
from vipctl.config import Config
from vipctl.rules import details, needs

CARE_KINDS = ("birthday", "wedding_anniversary", "policy_anniversary", "survival_benefit")
CONTACTS = 5  # the last contacts a brief lists


def _lines_json(lines: list[needs.Line]) -> list[dict]:
    return [
        {
            "need": line.need,
            "have": line.have,
            "guidance_min": line.minimum,
            "state": line.state,
            "short_by": line.short_by,
            "guidance": line.guidance,
        }
        for line in lines
    ]


def _care_dates(conn: Connection, config: Config, client_id: str, day: dt.date) -> list[dict]:
    """The next of each care date within a year: birthday, wedding, each policy's anniversary
    and survival benefit."""
    scope = agenda.Scope(clients=[client_id], kinds=CARE_KINDS)
    seen: set[tuple] = set()
    found = []
    for e in agenda.upcoming(conn, config, day, 366, scope):
        if (e.kind, e.policy_no) in seen:
            continue
        seen.add((e.kind, e.policy_no))
        found.append(
            {
                "kind": e.kind,
                "event_date": e.date,
                "policy_no": e.policy_no,
                "days_left": (e.date - day).days,
                "detail": e.detail,
            }
        )
    return found


def review(conn: Connection, config: Config, client_id: str, day: dt.date) -> dict | None:
    """One client's visit brief as data (docs/needs.md documents the shape); None: no client."""
    client = queries.client(conn, client_id)
    if client is None:
        return None
    rules = config.needs
    home = households(conn, {client_id})[client_id]
    lines = needs.coverage(
        cover(conn, {client_id}).get(client_id, {}), home, client["owns_property"], rules
    )
    burden = needs.burden(client["annual_premium"], client["annual_income"], rules)
    policies = queries.policies_of(conn, client_id)
    contacts = followup.history(conn, client_id)[:CONTACTS]
    return {
        **client,
        "off": [n for n in (client["off"] or "").split(",") if n],
        "missing": [n for n in (client["missing"] or "").split(",") if n],
        "high_end": needs.high_end(home, rules),
        "high_end_band": needs.band(home, rules),
        "household": {
            "household_id": client["household_id"],
            "main_earner": home.main_earner,
            "income": home.income,
            "investable_assets": home.assets,
        },
        "policies": policies,
        "coverage": _lines_json(lines),
        "premium_burden": {
            "annual_premium": burden.annual_premium,
            "income": burden.income,
            "percent": burden.percent,
            "risk": burden.risk,
        },
        "care_dates": _care_dates(conn, config, client_id, day),
        "contacts": contacts,
        "standing": standing(conn, client_id, day),
        "gifts": care.gifts(conn, client_id),
        "talking_points": _at_risk(policies, config, day)
        + needs.talking_points(lines, burden, rules),
    }


def _at_risk(policies: list[dict], config: Config, day: dt.date) -> list[str]:
    """Cover about to be lost comes before cover never bought: policies whose unpaid premium's
    date has passed, whatever status the export gave them."""
    grace = dt.timedelta(days=config.agenda.grace_days)
    points = []
    for p in policies:
        if p["next_due_date"] is None or p["next_due_date"] >= day:
            continue
        last_day = p["next_due_date"] + grace
        points.append(
            details.fill(
                details.AT_RISK_PASSED if last_day < day else details.AT_RISK,
                policy_no=p["policy_no"],
                category=(p["category"] or "policy").replace("_", " "),
                amount=needs.yuan(p["sum_assured"]),
                date=p["next_due_date"],
                last_day=last_day,
            )
        )
    return points
