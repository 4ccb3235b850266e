"""The user's config file: the rules a team may tune (healthy values, tier boundaries, cadences,
segment cut-offs, reminder lead times, urgency weights), with the seeds' defaults for everything
left out.

TOML, because people edit it by hand; every key is checked, so a typo is an error naming the file
and the key rather than a setting silently ignored.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vipctl import contract
from vipctl.errors import UserError
from vipctl.i18n import _
from vipctl.kinds import KINDS, SERVICE_TYPES, WEIGHTS

ENV_VAR = "VIPCTL_CONFIG"
TIERS = ("A", "B", "C", "D")
NOT_ASSESSED = "no_indicators"  # the config's name for clients with no tier: none known
SEGMENTS = ("key", "important", "general", "maintain")
INDICATORS: dict[str, dict[str, tuple[str, ...]]] = {
    "policy_quality": contract.QUALITY,
    "awareness": contract.AWARENESS,
    "satisfaction": contract.SATISFACTION,
    "economy": contract.ECONOMY,
    "mobility": contract.MOBILITY,
}


@dataclass(frozen=True)
class TierRules:
    healthy: dict[str, str] = field(
        default_factory=lambda: {
            "policy_quality": "good",
            "awareness": "strong",
            "satisfaction": "high",
            "economy": "good",
            "mobility": "low",
        }
    )
    # The most indicators a client may have off and still be in the tier; D takes the rest.
    most_off: dict[str, int] = field(default_factory=lambda: {"A": 0, "B": 1, "C": 2})
    # Not assessed: as often as tier A, to fill in the card before the client drifts away.
    cadence_days: dict[str, int] = field(
        default_factory=lambda: {"A": 90, "B": 60, "C": 30, "D": 14, NOT_ASSESSED: 90}
    )


@dataclass(frozen=True)
class SegmentRules:
    # Cumulative share of the book's annualised premium, in percent, that each segment closes.
    up_to_percent: dict[str, float] = field(
        default_factory=lambda: {"key": 50.0, "important": 80.0, "general": 95.0}
    )
    # A single premium counts as this many years' premium: a tenth of it a year for ten years,
    # about what a regular premium of the same cover brings over a common term.
    single_premium_years: int = 10


@dataclass(frozen=True)
class AgendaRules:
    """When each kind of event starts to be worth a contact (DESIGN "When to start")."""

    renewal_reminders: tuple[int, ...] = (90, 30, 0)  # days before a premium due date
    grace_days: int = 60
    birthday_lead_days: int = 7  # a greeting must never arrive late
    anniversary_lead_days: int = 7
    survival_benefit_lead_days: int = 30
    holiday_lead_days: int = 7
    new_policy_days: int = 30  # how long a new policy waits for its callback
    round_ages: tuple[int, ...] = (30, 40, 50, 60, 70, 80)
    off: tuple[str, ...] = ()  # kinds never brought up (``kinds.KINDS``)
    # Days to close a service request of each type (``kinds.SERVICE_TYPES``), the standard of
    # 100 % fast service: a claim is the client's hour of need and is answered fastest;
    # docs/configuration.md gives the reasons for each.
    service_target_days: dict[str, int] = field(
        default_factory=lambda: {"claim": 3, "benefit": 5, "change": 5, "other": 7}
    )
    service_letter_days: int = 14  # how long the letter after a service item stays on the list
    card_post_days: int = 5  # days a card by post takes: festival items come before that

    @property
    def festival_lead_days(self) -> int:
        """How far ahead a festival is brought up: its lead, or longer when a card by post
        needs it (the post's days, a day to write it and a day to spare)."""
        return max(self.holiday_lead_days, self.card_post_days + 2)

    @property
    def service_target_most(self) -> int:
        """How far ahead of the day a request's target can lie: the longest target."""
        return max(self.service_target_days.values())


@dataclass(frozen=True)
class UrgencyWeights:
    """Coefficients of the urgency score, in the spirit of Taskwarrior's: each term is shown by
    ``vipctl today --explain``, so a team can see why one client outranks another and tune it."""

    tier: dict[str, float] = field(default_factory=lambda: {"A": 0, "B": 1, "C": 2, "D": 3})
    segment: dict[str, float] = field(
        default_factory=lambda: {"key": 3, "important": 2, "general": 1, "maintain": 0}
    )
    kind: dict[str, float] = field(default_factory=lambda: dict(WEIGHTS))  # kinds.REGISTRY
    round_age: float = 2.0  # extra for a birthday at 30, 40, … 80
    attempt: float = 1.5  # per try that reached nobody since the item came up
    overdue_per_day: float = 0.05  # how fast an item's weight grows once its date has passed
    past_target: float = 10.0  # extra for an item past its target (a service request's days)
    premium_per_10k: float = 0.5  # per 10,000 of premium due or in grace
    premium_max: float = 5.0


@dataclass(frozen=True)
class NeedsRules:
    """The seeds' guidance for high-end clients (DESIGN "Needs analysis"), amounts in yuan."""

    life_main_earner: float = 1_000_000
    critical_illness: float = 500_000
    critical_illness_reasonable: tuple[float, float] = (800_000, 1_500_000)
    accident: float = 1_000_000
    accident_medical: float = 50_000
    premium_share_percent: float = 10.0  # of regular income: beyond it, premiums may stop
    high_end_income: float = 300_000  # household income a year
    high_end_assets: tuple[float, float] = (1_000_000, 10_000_000)  # investable, household


@dataclass(frozen=True)
class MailSettings:
    """The SMTP server the report is mailed through. The password is read from the environment
    variable named here, so it is never in the file, on the command line or in shell history."""

    host: str | None = None
    port: int | None = None  # default: 587 with STARTTLS, else 25
    starttls: bool = True
    user: str | None = None
    password_env: str = "VIPCTL_SMTP_PASSWORD"
    sender: str | None = None  # the From address; default: the user
    # Log in without STARTTLS, the password in clear: only when said, for this host (a relay on
    # the same machine); never for a host given with --smtp instead.
    allow_plaintext_auth: bool = False

    @property
    def server_port(self) -> int:
        return self.port or (587 if self.starttls else 25)


@dataclass(frozen=True)
class TeamSettings:
    """Who is using vipctl, on a database a team shares."""

    agent: str | None = None  # the user's agent code, as in the clients' agent column


@dataclass(frozen=True)
class UiSettings:
    """How vipctl speaks to its user."""

    language: str | None = None  # "zh_CN" or "en"; None: the locale's


@dataclass(frozen=True)
class Config:
    tiers: TierRules = field(default_factory=TierRules)
    segments: SegmentRules = field(default_factory=SegmentRules)
    agenda: AgendaRules = field(default_factory=AgendaRules)
    urgency: UrgencyWeights = field(default_factory=UrgencyWeights)
    mail: MailSettings = field(default_factory=MailSettings)
    needs: NeedsRules = field(default_factory=NeedsRules)
    team: TeamSettings = field(default_factory=TeamSettings)
    ui: UiSettings = field(default_factory=UiSettings)


def path() -> Path:
    """``$VIPCTL_CONFIG``, else ``config.toml`` in the user's config directory."""
    chosen = os.environ.get(ENV_VAR)
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_config_path

    return user_config_path("vipctl", appauthor=False) / "config.toml"


def load(where: Path | None = None) -> Config:
    """The config at ``where`` (default: ``path()``); the defaults when there is no file."""
    where = where or path()
    try:
        with where.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        said = _("{file}: cannot read the config file: {why}")
        raise UserError(said.format(file=where, why=exc.strerror)) from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(_("{file}: not valid TOML: {why}").format(file=where, why=exc)) from None
    return _parse(where, data)


class _Reader:
    """Walks one TOML table, naming ``file: [table] key`` in every complaint."""

    def __init__(self, where: Path, name: str, data: Any) -> None:
        self.where, self.name = where, name
        if not isinstance(data, dict):
            self.fail(None, _("must be a table"))
        self.data: dict[str, Any] = data

    def fail(self, key: str | None, problem: str) -> None:
        place = " ".join(p for p in (self.name and f"[{self.name}]", key) if p)
        raise UserError(f"{self.where}: {place}: {problem}")

    def known(self, keys: tuple[str, ...] | list[str]) -> None:
        for key in self.data:
            if key not in keys:
                self.fail(key, _("unknown setting (known: {keys})").format(keys=", ".join(keys)))

    def table(self, key: str) -> _Reader | None:
        if key not in self.data:
            return None
        return _Reader(self.where, f"{self.name}.{key}".lstrip("."), self.data[key])

    def number(self, key: str, low: float, high: float, *, integer: bool = False) -> float:
        value = self.data[key]
        ok = isinstance(value, int) if integer else isinstance(value, int | float)
        if isinstance(value, bool) or not ok or not low <= value <= high:
            said = (
                _("expected a whole number from {low} to {high} (got {value})")
                if integer
                else _("expected a number from {low} to {high} (got {value})")
            )
            self.fail(key, said.format(low=f"{low:g}", high=f"{high:g}", value=repr(value)))
        return value

    def text(self, key: str) -> str:
        value = self.data[key]
        if not isinstance(value, str) or not value.strip():
            self.fail(key, _("expected a non-empty string (got {value})").format(value=repr(value)))
        return value.strip()

    def boolean(self, key: str) -> bool:
        value = self.data[key]
        if not isinstance(value, bool):
            self.fail(key, _("expected true or false (got {value})").format(value=repr(value)))
        return value

    def amount(self, key: str) -> float:
        return float(self.number(key, 0, 1e12))

    def amount_range(self, key: str) -> tuple[float, float]:
        value = self.data[key]
        ok = isinstance(value, list) and len(value) == 2
        if not ok or not all(type(v) in (int, float) and 0 <= v <= 1e12 for v in value):
            said = _("expected [low, high], two amounts (got {value})")
            self.fail(key, said.format(value=repr(value)))
        if value[0] > value[1]:
            self.fail(key, _("expected low ≤ high (got {value})").format(value=repr(value)))
        return float(value[0]), float(value[1])

    def days(self, key: str) -> int:
        return int(self.number(key, 0, 3660, integer=True))

    def day_list(self, key: str) -> tuple[int, ...]:
        value = self.data[key]
        ok = isinstance(value, list) and value
        if not ok or not all(type(v) is int and 0 <= v <= 3660 for v in value):
            said = _("expected a list of whole numbers of days (got {value})")
            self.fail(key, said.format(value=repr(value)))
        return tuple(sorted(set(value)))

    def kinds(self, key: str) -> tuple[str, ...]:
        value = self.data[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(
                key, _("expected a list of agenda kinds (got {value})").format(value=repr(value))
            )
        unknown = [v for v in value if v not in KINDS]
        if unknown:
            said = _("unknown kind {kind} (known: {kinds})")
            self.fail(key, said.format(kind=repr(unknown[0]), kinds=", ".join(KINDS)))
        return tuple(dict.fromkeys(value))

    def settings(
        self, cls: type, read: Callable[[str], Any], special: dict[str, Callable[[str], Any]]
    ) -> dict[str, Any]:
        """The fields of the dataclass ``cls`` that the table sets, each read by ``read`` or,
        for the ``special`` ones, by their own reader; any other key is an error."""
        names = tuple(cls.__dataclass_fields__)
        self.known(names)
        return {k: special.get(k, read)(k) for k in names if k in self.data}

    def weights(self, key: str, names: tuple[str, ...], defaults: dict[str, float]) -> dict:
        table = self.table(key)
        if table is None:
            return defaults
        table.known(names)
        return {**defaults, **{n: float(table.number(n, 0, 1000)) for n in table.data}}


def _parse(where: Path, data: dict[str, Any]) -> Config:
    top = _Reader(where, "", data)
    top.known(("tiers", "segments", "agenda", "urgency", "mail", "needs", "team", "ui"))
    tiers, segments = TierRules(), SegmentRules()
    if (t := top.table("tiers")) is not None:
        t.known(("healthy", "most_off", "cadence_days"))
        healthy = dict(tiers.healthy)
        if (h := t.table("healthy")) is not None:
            h.known(list(INDICATORS))
            for name, raw in h.data.items():
                spellings = {
                    contract.fold(s): canon
                    for canon, alts in INDICATORS[name].items()
                    for s in (canon, *alts)
                }
                canon = spellings.get(contract.fold(str(raw)))
                if canon is None:
                    said = _("expected one of {choices} (got {value})")
                    h.fail(name, said.format(choices=", ".join(INDICATORS[name]), value=repr(raw)))
                healthy[name] = canon
        most_off = dict(tiers.most_off)
        if (b := t.table("most_off")) is not None:
            b.known(TIERS[:-1])
            for name in b.data:
                most_off[name] = int(b.number(name, 0, len(INDICATORS), integer=True))
            if not most_off["A"] <= most_off["B"] <= most_off["C"]:
                b.fail(None, _("A ≤ B ≤ C expected (got {value})").format(value=most_off))
        cadence = dict(tiers.cadence_days)
        if (c := t.table("cadence_days")) is not None:
            c.known((*TIERS, NOT_ASSESSED))
            for name in c.data:
                cadence[name] = int(c.number(name, 1, 3660, integer=True))
        tiers = TierRules(healthy, most_off, cadence)
    if (s := top.table("segments")) is not None:
        s.known(("up_to_percent", "single_premium_years"))
        cuts = dict(segments.up_to_percent)
        if (u := s.table("up_to_percent")) is not None:
            u.known(SEGMENTS[:-1])
            for name in u.data:
                cuts[name] = float(u.number(name, 0, 100))
            if not cuts["key"] <= cuts["important"] <= cuts["general"]:
                said = _("key ≤ important ≤ general expected (got {value})")
                u.fail(None, said.format(value=cuts))
        years = segments.single_premium_years
        if "single_premium_years" in s.data:
            years = int(s.number("single_premium_years", 1, 100, integer=True))
        segments = SegmentRules(cuts, years)
    return Config(
        tiers,
        segments,
        _agenda(top.table("agenda")),
        _urgency(top.table("urgency")),
        _mail(top.table("mail")),
        _needs(top.table("needs")),
        _team(top.table("team")),
        _ui(top.table("ui")),
    )


def _agenda(table: _Reader | None) -> AgendaRules:
    if table is None:
        return AgendaRules()
    lists = ("renewal_reminders", "round_ages")

    def targets(key: str) -> dict[str, int]:
        found = table.table(key)
        assert found is not None
        found.known(tuple(SERVICE_TYPES))
        days = {k: int(found.number(k, 1, 3660, integer=True)) for k in found.data}
        return {**AgendaRules().service_target_days, **days}

    readers = dict.fromkeys(lists, table.day_list) | {
        "off": table.kinds,
        "service_target_days": targets,
    }
    given = table.settings(AgendaRules, table.days, readers)
    if given.get("grace_days") == 0:
        table.fail("grace_days", _("expected at least 1 day"))
    return AgendaRules(**given)


def _urgency(table: _Reader | None) -> UrgencyWeights:
    if table is None:
        return UrgencyWeights()
    defaults = UrgencyWeights()
    scalars = (
        "round_age", "attempt", "overdue_per_day", "past_target", "premium_per_10k",
        "premium_max",
    )  # fmt: skip
    table.known(("tier", "segment", "kind", *scalars))
    return UrgencyWeights(
        tier=table.weights("tier", TIERS, defaults.tier),
        segment=table.weights("segment", SEGMENTS, defaults.segment),
        kind=table.weights("kind", KINDS, defaults.kind),
        **{k: float(table.number(k, 0, 1000)) for k in scalars if k in table.data},
    )


def _mail(table: _Reader | None) -> MailSettings:
    if table is None:
        return MailSettings()
    if "password" in table.data:
        table.fail("password", _("never in the file: put it in the variable named by password_env"))
    table.known(
        ("host", "port", "starttls", "user", "password_env", "from", "allow_plaintext_auth")
    )
    given: dict[str, Any] = {
        name: table.text(key)
        for key, name in (("host", "host"), ("user", "user"), ("password_env", "password_env"),
                          ("from", "sender"))
        if key in table.data
    }  # fmt: skip
    if "port" in table.data:
        given["port"] = int(table.number("port", 1, 65535, integer=True))
    for flag in ("starttls", "allow_plaintext_auth"):
        if flag in table.data:
            given[flag] = table.boolean(flag)
    return MailSettings(**given)


def _needs(table: _Reader | None) -> NeedsRules:
    if table is None:
        return NeedsRules()
    ranges = ("critical_illness_reasonable", "high_end_assets")
    given = table.settings(NeedsRules, table.amount, dict.fromkeys(ranges, table.amount_range))
    if "premium_share_percent" in given and not 0 < given["premium_share_percent"] <= 100:
        table.fail("premium_share_percent", _("expected a percentage above 0, at most 100"))
    return NeedsRules(**given)


def _team(table: _Reader | None) -> TeamSettings:
    if table is None:
        return TeamSettings()
    return TeamSettings(**table.settings(TeamSettings, table.text, {}))


def _ui(table: _Reader | None) -> UiSettings:
    if table is None:
        return UiSettings()

    def language(key: str) -> str:
        from vipctl import i18n

        found = i18n.known(table.text(key))
        if found is None:
            said = _("expected one of {choices} (got {value})")
            table.fail(
                key, said.format(choices=", ".join(i18n.LANGUAGES), value=repr(table.data[key]))
            )
        return found

    return UiSettings(**table.settings(UiSettings, table.text, {"language": language}))
