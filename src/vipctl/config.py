"""The user's config file: the rules a team may tune (healthy values, tier boundaries, cadences,
segment cut-offs), with the seeds' defaults for everything left out.

TOML, because people edit it by hand; every key is checked, so a typo is an error naming the file
and the key rather than a setting silently ignored.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vipctl import contract
from vipctl.errors import UserError

ENV_VAR = "VIPCTL_CONFIG"
TIERS = ("A", "B", "C", "D")
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
    cadence_days: dict[str, int] = field(
        default_factory=lambda: {"A": 90, "B": 60, "C": 30, "D": 14}
    )


@dataclass(frozen=True)
class SegmentRules:
    # Cumulative share of the book's annualised premium, in percent, that each segment closes.
    up_to_percent: dict[str, float] = field(
        default_factory=lambda: {"key": 50.0, "important": 80.0, "general": 95.0}
    )


@dataclass(frozen=True)
class Config:
    tiers: TierRules = field(default_factory=TierRules)
    segments: SegmentRules = field(default_factory=SegmentRules)


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
        raise UserError(f"{where}: cannot read the config file: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{where}: not valid TOML: {exc}") from None
    return _parse(where, data)


class _Reader:
    """Walks one TOML table, naming ``file: [table] key`` in every complaint."""

    def __init__(self, where: Path, name: str, data: Any) -> None:
        self.where, self.name = where, name
        if not isinstance(data, dict):
            self.fail(None, "must be a table")
        self.data: dict[str, Any] = data

    def fail(self, key: str | None, problem: str) -> None:
        place = " ".join(p for p in (self.name and f"[{self.name}]", key) if p)
        raise UserError(f"{self.where}: {place}: {problem}")

    def known(self, keys: tuple[str, ...] | list[str]) -> None:
        for key in self.data:
            if key not in keys:
                self.fail(key, f"unknown setting (known: {', '.join(keys)})")

    def table(self, key: str) -> _Reader | None:
        if key not in self.data:
            return None
        return _Reader(self.where, f"{self.name}.{key}".lstrip("."), self.data[key])

    def number(self, key: str, low: float, high: float, *, integer: bool = False) -> float:
        value = self.data[key]
        ok = isinstance(value, int) if integer else isinstance(value, int | float)
        if isinstance(value, bool) or not ok or not low <= value <= high:
            kind = "a whole number" if integer else "a number"
            self.fail(key, f"expected {kind} from {low:g} to {high:g} (got {value!r})")
        return value


def _parse(where: Path, data: dict[str, Any]) -> Config:
    top = _Reader(where, "", data)
    top.known(("tiers", "segments"))
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
                    h.fail(name, f"expected one of {', '.join(INDICATORS[name])} (got {raw!r})")
                healthy[name] = canon
        most_off = dict(tiers.most_off)
        if (b := t.table("most_off")) is not None:
            b.known(TIERS[:-1])
            for name in b.data:
                most_off[name] = int(b.number(name, 0, len(INDICATORS), integer=True))
            if not most_off["A"] <= most_off["B"] <= most_off["C"]:
                b.fail(None, f"A ≤ B ≤ C expected (got {most_off})")
        cadence = dict(tiers.cadence_days)
        if (c := t.table("cadence_days")) is not None:
            c.known(TIERS)
            for name in c.data:
                cadence[name] = int(c.number(name, 1, 3660, integer=True))
        tiers = TierRules(healthy, most_off, cadence)
    if (s := top.table("segments")) is not None:
        s.known(("up_to_percent",))
        cuts = dict(segments.up_to_percent)
        if (u := s.table("up_to_percent")) is not None:
            u.known(SEGMENTS[:-1])
            for name in u.data:
                cuts[name] = float(u.number(name, 0, 100))
            if not cuts["key"] <= cuts["important"] <= cuts["general"]:
                u.fail(None, f"key ≤ important ≤ general expected (got {cuts})")
        segments = SegmentRules(cuts)
    return Config(tiers, segments)
