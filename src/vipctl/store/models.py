"""The stored tables. Column names are the data contract's canonical names, so JSON output,
CSV headers and SQL all speak the same words.

The classes give the schema one typed definition that works the same on SQLite and
PostgreSQL. Every command reads and writes through SQLAlchemy Core, on the tables ``tables``
keeps built from these classes: building them at each start would cost more than a day's list.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from vipctl.store.schema import DAYS, TIER_COUNTS, Amount, Stamp


class Meta(SQLModel, table=True):
    """Key/value facts about the database itself; ``schema_version`` guards against old code."""

    __tablename__ = "vipctl_meta"
    key: str = Field(primary_key=True, max_length=64)
    value: str


class Client(SQLModel, table=True):
    __tablename__ = "client"
    client_id: str = Field(primary_key=True)
    name: str
    gender: str | None = None
    birthday: dt.date | None = None
    birthday_calendar: str | None = None
    id_number: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    company: str | None = None
    title: str | None = None
    wedding_anniversary: dt.date | None = None
    annual_income: Decimal | None = Field(default=None, sa_type=Amount)
    investable_assets: Decimal | None = Field(default=None, sa_type=Amount)
    owns_property: bool | None = None
    policy_quality: str | None = None
    awareness: str | None = None
    satisfaction: str | None = None
    economy: str | None = None
    mobility: str | None = None
    agent: str | None = Field(default=None, index=True)
    agent_status: str | None = None
    best_visit_time: str | None = None
    appointment_required: bool | None = None
    interests: str | None = None
    reading: str | None = None
    sports: str | None = None
    marital_status: str | None = None
    children: str | None = None
    personality: str | None = None
    household_id: str | None = Field(default=None, index=True)
    relation: str | None = None
    notes: str | None = None
    created_at: dt.datetime = Field(sa_type=Stamp)
    updated_at: dt.datetime = Field(sa_type=Stamp)


class Policy(SQLModel, table=True):
    __tablename__ = "policy"
    policy_no: str = Field(primary_key=True)
    client_id: str = Field(foreign_key="client.client_id", index=True)
    product: str | None = None
    category: str | None = None
    sum_assured: Decimal | None = Field(default=None, sa_type=Amount)
    premium: Decimal | None = Field(default=None, sa_type=Amount)
    frequency: str | None = None
    effective_date: dt.date = Field(index=True)  # new policies' callbacks
    payment_years: int | None = None
    next_due_date: dt.date | None = None
    status: str | None = None
    survival_benefit_date: dt.date | None = Field(default=None, index=True)
    # Whether a dividend report is owed (``campaign new --kind dividend``); None: the export
    # does not say, and a product name with 分红 in it counts.
    participating: bool | None = None
    created_at: dt.datetime = Field(sa_type=Stamp)
    updated_at: dt.datetime = Field(sa_type=Stamp)


class ClientTier(SQLModel, table=True):
    """What vipctl works out about a client, kept apart from what the exports say.

    ``off`` and ``missing`` are comma-separated indicator names, so a glance at the table, and
    the history's ``changed``, read without a decoder.
    """

    __tablename__ = "client_tier"
    # The counts per tier and segment (vipctl tier, the report) read from the index alone: a
    # million clients' table is not read. It serves a look by tier as well.
    __table_args__ = (Index(TIER_COUNTS, "tier", "segment", "missing"),)
    client_id: str = Field(primary_key=True, foreign_key="client.client_id")
    # None: not assessed, no indicator is known (a tier of A would claim all five healthy).
    tier: str | None = Field(default=None, max_length=1)
    off: str
    missing: str
    segment: str = Field(index=True)
    # Regular premiums a year of the policies still being paid: what the client's income bears.
    annual_premium: Decimal = Field(sa_type=Amount)
    # What the 80/20 ranking counts: the annual premium plus single premiums spread over years.
    value_premium: Decimal = Field(sa_type=Amount)
    # That premium as a percentage of the client's annual income; None without an income. Kept
    # so the morning list flags a premium that may stop without reading every client's income.
    premium_share: float | None = None
    since: dt.date  # the day the tier or segment last changed
    # The first assessment's day (the first import): the contact cadence counts from it until a
    # contact is logged. Nullable only because schema 3 added it to existing tables.
    first_seen: dt.date | None = None


class TierHistory(SQLModel, table=True):
    """One row per change of tier: the movements a team lead watches month by month."""

    __tablename__ = "tier_history"
    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(foreign_key="client.client_id", index=True)
    date: dt.date = Field(index=True)
    from_tier: str = Field(max_length=1)
    to_tier: str = Field(max_length=1)
    changed: str  # indicators that went off or came back, comma-separated


class PremiumDue(SQLModel, table=True):
    """Each policy's earliest unpaid premium date, kept so the agenda reads an index rather than
    working out 200,000 schedules every morning. Policies with nothing due have no row."""

    __tablename__ = "premium_due"
    policy_no: str = Field(primary_key=True, foreign_key="policy.policy_no")
    client_id: str = Field(foreign_key="client.client_id", index=True)
    due_date: dt.date = Field(index=True)


class Payment(SQLModel, table=True):
    """A premium recorded as paid with ``vipctl paid``, between two exports."""

    __tablename__ = "payment"
    id: int | None = Field(default=None, primary_key=True)
    policy_no: str = Field(foreign_key="policy.policy_no", index=True)
    due_date: dt.date
    paid_on: dt.date
    recorded_at: dt.datetime = Field(sa_type=Stamp)


class AgentDeparture(SQLModel, table=True):
    """Since when a client's agent has been known to have left: their callback is owed from then."""

    __tablename__ = "agent_departure"
    client_id: str = Field(primary_key=True, foreign_key="client.client_id")
    agent: str | None = None
    since: dt.date
    # Kept by a reassignment (``vipctl reassign``) until the callback is made, whatever later
    # exports say of the new agent. Nullable only because schema 8 added it.
    kept: bool | None = False


class Contact(SQLModel, table=True):
    """A contact the user logged: it resets the tier's cadence and settles callbacks."""

    __tablename__ = "contact"
    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(foreign_key="client.client_id", index=True)
    date: dt.date = Field(index=True)
    channel: str
    note: str | None = None
    recorded_at: dt.datetime = Field(sa_type=Stamp)
    by_agent: str | None = None  # who logged it, in a team (the agent code; None: not said)
    # What came of it (``kinds.OUTCOMES``): what it settles (``kinds.activity``). Nullable only
    # because schema 8 added it, and filled in for the contacts logged before.
    outcome: str | None = None


class CardChange(SQLModel, table=True):
    """A field of a client's card changed in vipctl (``vipctl edit``): who, when, old → new.
    A later import keeps an edit made on or after its export's day."""

    __tablename__ = "card_change"
    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(foreign_key="client.client_id", index=True)
    field: str  # the data contract's name
    old: str | None = None  # as people read it (ISO dates, plain amounts); None: empty
    new: str | None = None
    changed_on: dt.date  # the day it counts from (``--date``)
    recorded_at: dt.datetime = Field(sa_type=Stamp)
    by_agent: str | None = None


class UndoStep(SQLModel, table=True):
    """A change made through vipctl, with what takes it back (``store.journal``); an import is
    kept as a step that cannot be taken back, beyond which ``vipctl undo`` does not reach."""

    __tablename__ = "undo_step"
    id: int | None = Field(default=None, primary_key=True)
    what: str  # the command and what it was about: "log C000132"
    steps: str  # JSON: the rows it inserted, the rows as they were before it
    made_at: dt.datetime = Field(sa_type=Stamp)
    by_agent: str | None = None
    undone_at: dt.datetime | None = Field(default=None, sa_type=Stamp)


class Gift(SQLModel, table=True):
    """A small gift given to a client (善送各种小礼品): kept so that the next one differs."""

    __tablename__ = "gift"
    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(foreign_key="client.client_id", index=True)
    date: dt.date
    item: str
    occasion: str | None = None
    cost: Decimal | None = Field(default=None, sa_type=Amount)
    recorded_at: dt.datetime = Field(sa_type=Stamp)
    by_agent: str | None = None


class ServiceRequest(SQLModel, table=True):
    """A policy change (保全), claim (理赔) or benefit collection asked for: open, on the agent's
    list, until closed; closed within its type's target or not (``vipctl standards``)."""

    __tablename__ = "service_request"
    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(foreign_key="client.client_id", index=True)
    type: str  # ``kinds.SERVICE_TYPES``
    policy_no: str | None = Field(default=None, foreign_key="policy.policy_no")
    note: str | None = None
    opened: dt.date = Field(index=True)
    closed: dt.date | None = Field(default=None, index=True)
    close_note: str | None = None
    recorded_at: dt.datetime = Field(sa_type=Stamp)
    by_agent: str | None = None
    closed_by: str | None = None


class Campaign(SQLModel, table=True):
    """A dividend report, company news, a new product or an event, to reach each of its
    clients (``campaign_member``)."""

    __tablename__ = "campaign"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    kind: str  # ``kinds.CAMPAIGN_KINDS``
    created: dt.date
    due: dt.date | None = None  # delivered by then; None: until delivered
    chosen: str  # how its clients were chosen, as the options said it
    recorded_at: dt.datetime = Field(sa_type=Stamp)
    by_agent: str | None = None


class CampaignMember(SQLModel, table=True):
    """A client a campaign is to reach, and when and how it did."""

    __tablename__ = "campaign_member"
    __table_args__ = (Index("ix_campaign_member", "campaign_id", "client_id", unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id")
    client_id: str = Field(foreign_key="client.client_id", index=True)
    delivered: dt.date | None = None
    channel: str | None = None
    by_agent: str | None = None  # who delivered it


class FollowUp(SQLModel, table=True):
    """Something to come back to a client about, on the list from its day until done."""

    __tablename__ = "follow_up"
    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(foreign_key="client.client_id", index=True)
    due: dt.date = Field(index=True)
    text: str
    recorded_at: dt.datetime = Field(sa_type=Stamp)
    by_agent: str | None = None


class ClientDate(SQLModel, table=True):
    """A yearly date of the client's that the exports do not carry: a career anniversary, a
    child's birthday, a day of their own."""

    __tablename__ = "client_date"
    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(foreign_key="client.client_id", index=True)
    kind: str  # the agenda kind it brings (``kinds.DATE_KINDS``)
    date: dt.date  # the first one: a birth, the start of a career
    lunar: bool = False  # kept by the lunar calendar, as a lunar birthday is
    label: str | None = None
    recorded_at: dt.datetime = Field(sa_type=Stamp)
    by_agent: str | None = None


class DoneMark(SQLModel, table=True):
    """An agenda item handled: it stays hidden until its next reminder date comes."""

    __tablename__ = "done_mark"
    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(foreign_key="client.client_id", index=True)
    kind: str
    policy_no: str | None = None
    event_date: dt.date
    done_on: dt.date
    recorded_at: dt.datetime = Field(sa_type=Stamp)
    by_agent: str | None = None


class Snooze(SQLModel, table=True):
    """A client whose agenda items wait until a day the user chose."""

    __tablename__ = "snooze"
    client_id: str = Field(primary_key=True, foreign_key="client.client_id")
    until: dt.date
    by_agent: str | None = None


class ReportRun(SQLModel, table=True):
    """A daily report made: the next one lists the tier movements recorded after it."""

    __tablename__ = "report_run"
    id: int | None = Field(default=None, primary_key=True)
    report_date: dt.date = Field(index=True)
    ran_at: dt.datetime = Field(sa_type=Stamp)
    # The newest tier_history row when it ran: "since the previous report" is exactly the rows
    # after it, whatever their dates. None: there was no movement yet.
    last_movement: int | None = None
    agent: str | None = None  # whose report it was; None: the whole book's


class AgendaSnapshot(SQLModel, table=True):
    """A day's ranked list as it was worked out, kept so that looking at it again that day is a
    read, not the whole book's rules run again (``agenda.snapshots``)."""

    __tablename__ = "agenda_snapshot"
    id: int | None = Field(default=None, primary_key=True)
    day: dt.date
    agent: str | None = None  # whose list; None: the whole book's
    rules: str  # a digest of the config and vipctl version it was made under
    generation: int  # the book as it was then (``store.changes.generation``)
    clients: int  # clients on the list
    tallies: str  # JSON: items per kind and clients per tier of the whole list


class AgendaEntry(SQLModel, table=True):
    """One client's line of a kept list, in rank order."""

    __tablename__ = "agenda_entry"
    __table_args__ = (Index("ix_agenda_entry_client", "snapshot_id", "client_id"),)
    snapshot_id: int = Field(primary_key=True, foreign_key="agenda_snapshot.id")
    position: int = Field(primary_key=True)
    client_id: str
    tier: str | None = None
    segment: str | None = None
    score: float
    items: str  # JSON: the events, each as ``agenda.snapshots`` writes it


class AgendaTouch(SQLModel, table=True):
    """A write that changed only these clients' lists: a kept list stays good for everyone else,
    and only these clients are worked out again."""

    __tablename__ = "agenda_touch"
    generation: int = Field(primary_key=True)
    client_id: str = Field(primary_key=True)


class Occasion(SQLModel, table=True):
    """One item the agenda brings up over the days its cover spans (``agenda.occasions``): what
    the morning list needs to score it in SQL, and what it says, so a whole list is read from the
    rows too. Days are date ordinals, so that closeness is plain integer arithmetic on every
    engine."""

    __tablename__ = "occasion"
    # By day, holding every column ``upcoming``'s table filters and orders on: its count, the
    # day of its 50th event and the events up to that day are read from the index alone, where
    # each scanned the table.
    __table_args__ = (
        Index("ix_occasion_client", "client_id"),
        Index(DAYS, "date", "kind", "starts", "until", "client_id", "policy_no"),
    )
    id: int | None = Field(default=None, primary_key=True)
    client_id: str
    kind: str
    policy_no: str = ""  # "": not about one policy
    date: int  # the event's day
    starts: int  # the first day it is shown
    starts_on: dt.date  # the same, as a date: tries are counted from it
    until: int  # the last day it is shown (a far day: until resolved)
    lead: int
    open: bool  # shown every day until resolved, growing more urgent (``urgency.closeness``)
    amount: float | None = None
    round_age: int | None = None
    detail: str = ""  # as the rules say it (``Event.detail``)
    reminders: str = ""  # the days it is brought up again, ISO dates by commas ("": every day)
