"""A greeting or letter written for one client (vipctl draft): the occasion's facts read from the
book, the address and tone the card calls for (``rules.letters``), laid out by a Jinja2
template per language, occasion and tone that a user may replace with their own.

The templates are files: ``<language>/<occasion>.<tone>.j2`` among vipctl's own
(``views/templates/drafts``), and the same name under ``drafts/`` in the config file's directory
wins over vipctl's, so a team words its letters its own way without touching vipctl.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, RowMapping, Select, select

from vipctl.agenda.followup import client_exists
from vipctl.config import Config
from vipctl.errors import UserError
from vipctl.i18n import _
from vipctl.kinds import BY_NAME, SERVICE_TYPES
from vipctl.rules import details, letters, lunar
from vipctl.rules.letters import Tone
from vipctl.store.tables import (
    AgentDeparture,
    Campaign,
    CampaignMember,
    Client,
    ClientDate,
    ServiceRequest,
)

# The festivals a card is written for, by the name ``--festival`` takes, with the agenda's
# English name (``rules.details``) and the Chinese one, which either also takes.
FESTIVALS = {
    "new_year": (details.NEW_YEAR, "元旦"),
    "spring_festival": (details.SPRING_FESTIVAL, "春节"),
    "dragon_boat": (details.DRAGON_BOAT, "端午"),
    "mid_autumn": (details.MID_AUTUMN, "中秋"),
    "national_day": (details.NATIONAL_DAY, "国庆"),
}
_SERVICE_ZH = {"change": "保全", "claim": "理赔", "benefit": "生存金领取", "other": "服务"}


@dataclass(frozen=True)
class Draft:
    text: str
    occasion: str
    tone: Tone
    channel: str
    language: str
    template: str  # where it came from: vipctl's own, or the user's file
    sms_parts: int | None  # for an SMS, how many it is sent as


def festival_key(name: str) -> str:
    """``--festival`` as one of ``FESTIVALS``: its key, English name or Chinese name."""
    wanted = name.strip().casefold().replace("-", "_").replace(" ", "_")
    for key, (english, chinese) in FESTIVALS.items():
        if wanted in (key, english.casefold().replace("-", "_").replace(" ", "_")):
            return key
        if name.strip() in (chinese, f"{chinese}节"):  # 中秋, 中秋节
            return key
    said = _("unknown festival {name} (known: {known})")
    known = ", ".join(f"{key} ({chinese})" for key, (_english, chinese) in FESTIVALS.items())
    raise UserError(said.format(name=repr(name), known=known))


def _festivals(year: int) -> list[tuple[str, dt.date]]:
    by_name = {english: key for key, (english, _chinese) in FESTIVALS.items()}
    days = [("new_year", dt.date(year, 1, 1)), ("national_day", dt.date(year, 10, 1))]
    days += [(by_name[name], day) for name, day in lunar.festivals(year)]
    return sorted(days, key=lambda d: d[1])


def next_festival(day: dt.date, key: str | None = None) -> tuple[str, dt.date]:
    """The next festival from ``day`` on (that one, when ``key`` is given)."""
    for year in (day.year, day.year + 1):
        for name, when in _festivals(year):
            if when >= day and (key is None or name == key):
                return name, when
    raise AssertionError("every festival comes once a year")


def _next_yearly(first: dt.date, day: dt.date) -> tuple[dt.date, int]:
    """The next anniversary of ``first`` from ``day`` on, and how many years it marks (a 29
    February's falls on the 28th in common years)."""
    for year in (day.year, day.year + 1):
        try:
            when = first.replace(year=year)
        except ValueError:
            when = dt.date(year, 2, 28)
        if when >= day:
            return when, year - first.year
    raise AssertionError("an anniversary comes once a year")


def _birthday(client: dict, day: dt.date) -> dict:
    born = client["birthday"]
    if born is None:
        raise UserError(_("{client} has no birthday on the card").format(client=client["id"]))
    if client["birthday_calendar"] == "lunar" and lunar.supported(born):
        found = lunar.birthdays(day, day + dt.timedelta(days=400), born.year).get(born, [])
        if found:
            when, age = found[0]
            return {"when": when, "age": age, "lunar": True}
    when, age = _next_yearly(born, day)
    return {"when": when, "age": age, "lunar": False}


def _facts(conn: Connection, client: dict, occasion: str, day: dt.date, festival: str | None):
    """What the occasion's draft says beyond the client's name: which birthday, which
    festival, which service item, who the new agent is."""
    cid = client["id"]
    if occasion == "birthday":
        return _birthday(client, day)
    if occasion == "festival":
        key, when = next_festival(day, festival_key(festival) if festival else None)
        english, chinese = FESTIVALS[key]
        return {"festival": key, "festival_en": english, "festival_zh": chinese, "when": when}
    if occasion in ("wedding_anniversary", "career_anniversary"):
        if occasion == "wedding_anniversary":
            first = client["wedding_anniversary"]
            missing = _("{client} has no wedding anniversary on the card")
        else:
            d = ClientDate.c
            first = conn.scalar(
                select(d.date)
                .where(d.client_id == cid, d.kind == "career_anniversary")
                .order_by(d.date)
            )
            missing = _("{client} has no career anniversary: add it with 'vipctl dates add'")
        if first is None:
            raise UserError(missing.format(client=cid))
        when, years = _next_yearly(first, day)
        return {"when": when, "years": years}
    if occasion == "agent_departed":
        a = AgentDeparture.c
        left = conn.execute(select(a.agent, a.since).where(a.client_id == cid)).first()
        if left is None:
            said = _("{client}'s agent has not left: no departed agent on record")
            raise UserError(said.format(client=cid))
        return {"old_agent": left[0], "since": left[1], "new_agent": client["agent"]}
    if occasion == "service_done":
        q = ServiceRequest.c
        found = _latest(
            conn,
            select(q.type, q.policy_no, q.closed)
            .where(q.client_id == cid, q.closed.is_not(None), q.closed <= day)
            .order_by(q.closed.desc(), q.id.desc()),
        )
        if found is None:
            said = _("{client} has no closed service request ('vipctl service list')")
            raise UserError(said.format(client=cid))
        return {
            "service_type": found["type"],
            "service_en": SERVICE_TYPES[found["type"]],
            "service_zh": _SERVICE_ZH[found["type"]],
            "policy_no": found["policy_no"],
            "when": found["closed"],
        }
    k, m = Campaign.c, CampaignMember.c
    event = _latest(
        conn,
        select(k.name, k.due)
        .join(CampaignMember, m.campaign_id == k.id)
        .where(m.client_id == cid, k.kind == "event", k.created <= day)
        .order_by(k.created.desc(), k.id.desc()),
    )
    if event is None:
        said = _("{client} is not invited to an event ('vipctl campaign new --kind event')")
        raise UserError(said.format(client=cid))
    return {"event": event["name"], "reply_by": event["due"]}


def _latest(conn: Connection, query: Select) -> RowMapping | None:
    """The first row of ``query``, as ordered: the latest of what the draft is about."""
    return conn.execute(query.limit(1)).mappings().first()


def _client(conn: Connection, client_id: str) -> dict:
    client_exists(conn, client_id)
    c = Client.c
    row = conn.execute(
        select(
            c.client_id.label("id"), c.name, c.title, c.gender, c.personality, c.agent,
            c.birthday, c.birthday_calendar, c.wedding_anniversary,
        ).where(c.client_id == client_id)
    ).mappings().one()  # fmt: skip
    return dict(row)


def _zh_day(day: dt.date, year: int) -> str:
    return (
        f"{day.month}月{day.day}日" if day.year == year else f"{day.year}年{day.month}月{day.day}日"
    )


def _en_day(day: dt.date, year: int) -> str:
    return f"{day:%B} {day.day}" if day.year == year else f"{day:%B} {day.day}, {day.year}"


def occasion_today(
    conn: Connection, config: Config, client_id: str, day: dt.date
) -> tuple[str, str | None]:
    """The occasion of the client's first item on ``day``'s list that a draft is written for
    (``Kind.draft``), and for a festival which one."""
    from vipctl import agenda

    client_exists(conn, client_id)
    items = agenda.due_today(conn, config, day, agenda.Scope(clients=[client_id]))
    for e in sorted(items, key=lambda e: e.date):
        occasion = BY_NAME[e.kind].draft
        if occasion is not None:
            festival = None
            if occasion == "festival":
                festival = next(k for k, (english, _z) in FESTIVALS.items() if english == e.detail)
            return occasion, festival
    said = _("nothing on {client}'s list on {day} calls for a draft: say --occasion")
    raise UserError(said.format(client=client_id, day=day))


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st: English templates' ``|ordinal``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def templates_dir(config_file: Path) -> Path:
    """Where a user's own templates are: ``drafts/`` beside the config file."""
    return config_file.parent / "drafts"


def write(
    conn: Connection,
    config: Config,
    client_id: str,
    occasion: str,
    day: dt.date,
    *,
    channel: str = "sms",
    tone: Tone | None = None,
    festival: str | None = None,
    language: str = "zh_CN",
    signature: str | None = None,
    user_templates: Path | None = None,
) -> Draft:
    """The draft for ``occasion``; ``signature``: who signs it (default: the client's agent)."""
    if occasion not in letters.OCCASIONS:
        said = _("unknown occasion {occasion} (known: {known})")
        raise UserError(said.format(occasion=repr(occasion), known=", ".join(letters.OCCASIONS)))
    if festival is not None and occasion != "festival":
        raise UserError(_("--festival goes with --occasion festival"))
    client = _client(conn, client_id)
    facts = _facts(conn, client, occasion, day, festival)
    tone = tone or letters.tone_of(client["personality"])
    sign = signature or client["agent"] or ""
    days = _zh_day if language == "zh_CN" else _en_day
    values = {
        **facts,
        "name": client["name"],
        "to": letters.address(client["name"], client["title"], client["gender"])
        if language == "zh_CN"
        else letters.english_address(client["name"], client["title"], client["gender"]),
        "agent": sign,
        "channel": channel,
        "tone": tone,
        "today": days(day, 0),  # a letter is dated in full
    }
    for key in ("when", "since", "reply_by"):
        if values.get(key) is not None:
            values[key] = days(values[key], day.year)
    name = f"{language}/{occasion}.{tone}.j2"
    text, source = _render(name, values, user_templates)
    parts = None
    if channel == "sms":
        parts = letters.sms_parts(text)
        if parts > letters.SMS_PARTS:
            said = _(
                "the SMS is {n} characters, more than {parts} SMS hold ({room}): shorten {template}"
            )
            raise UserError(
                said.format(
                    n=len(text), parts=letters.SMS_PARTS, room=letters.sms_room(text),
                    template=source,
                )
            )  # fmt: skip
    return Draft(text, occasion, tone, channel, language, source, parts)


def _render(name: str, values: dict, user_templates: Path | None) -> tuple[str, str]:
    """The template ``name`` filled: the user's own when there is one, else vipctl's."""
    from jinja2 import (
        ChoiceLoader,
        Environment,
        FileSystemLoader,
        PackageLoader,
        StrictUndefined,
        TemplateError,
    )

    loaders = [PackageLoader("vipctl.views", "templates/drafts")]
    if user_templates is not None:
        loaders.insert(0, FileSystemLoader(user_templates))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=False,  # plain text, never markup: nothing here is read as HTML
        undefined=StrictUndefined,  # a misspelt fact is an error, not a blank in a letter
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["ordinal"] = ordinal
    try:
        template = env.get_template(name)
        text = template.render(values)
    except TemplateError as exc:
        where = getattr(exc, "filename", None) or name
        said = _("template {template}: {problem}")
        raise UserError(said.format(template=where, problem=exc.message or exc)) from None
    source = template.filename or name
    packaged = Path(__file__).parent.parent / "views" / "templates" / "drafts"
    shown = name if Path(source).is_relative_to(packaged) else source
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return "\n".join(lines), shown
