"""What the tables' definition (``models``) and the code reading them through ``tables`` share
without the models being built: the schema's version, its column types, the time a row is
stamped with."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Dialect, Numeric, TypeDecorator

SCHEMA_VERSION = 13  # 2: tiers; 3: the agenda; 4: report runs; 5: who did what, premium share;
# 6: the day's list kept; 7: clients not assessed, the premium the segments rank; 8: contacts'
# outcomes, follow-ups, the clients' own dates, the card's changes, undo, gifts; 9: service
# requests, campaigns, participating policies; 10: the agenda's occasions kept; 11: the tier
# counts read from an index; 12: the occasions keep what each item says; 13: the occasions
# indexed by day

Amount = Numeric(16, 2)
TIER_COUNTS = "ix_client_tier_counts"
DAYS = "ix_occasion_day"


def now() -> dt.datetime:
    """The time a row is stamped with: UTC, to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class Stamp(TypeDecorator[dt.datetime]):
    """A moment, stored in UTC and read back as UTC.

    Declared here rather than left to sqlmodel (whose choice for ``datetime`` fields changed
    between its versions) so the kept tables (``tables``) load without importing it. SQLite
    keeps no zone: its stamps are read back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError(f"a stamp needs its zone: {value!r}")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
