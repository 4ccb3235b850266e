"""The rules of the trade as pure functions on plain values: premium schedules, lunar dates,
the agenda's events, tiers, value segments, urgency, the needs analysis, plausibility, masking.

Nothing here touches a database, a terminal or the command line: a rule is called with rows and
dates and returns an answer, so it is tested on fixed dates alone (a test holds this package to
importing none of SQLAlchemy, SQLModel, Rich or Typer). May import: the top-level ``config``,
``contract``, ``kinds`` and ``errors``, and each other.
"""
