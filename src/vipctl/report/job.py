"""One run of ``vipctl report``: made under a lock, delivered, and only then recorded.

The order is the guarantee cron needs: a second run waits for nobody (it fails at once), a run
that could not write its file or send its mail leaves no trace in the database, so the next
report's "since the previous report" still covers what this one failed to deliver.
"""

from __future__ import annotations

import datetime as dt
import sys
from contextlib import nullcontext
from pathlib import Path

from vipctl import agenda, files, mailing
from vipctl.config import Config, MailSettings
from vipctl.report import daily
from vipctl.store import Database
from vipctl.views import report as report_view
from vipctl.views.render import TABLE_LIMIT
from vipctl.views.report import ReportFormat


def run(
    db: Database,
    config: Config,
    day: dt.date,
    fmt: ReportFormat,
    *,
    output: Path | None = None,
    mail_to: list[str] | None = None,
    mail: MailSettings | None = None,
    limit: int | None = None,
    show_pii: bool = False,
    agent: str | None = None,
    team: bool = False,
) -> bool:
    """Write the report to ``output``, mail it to ``mail_to`` through ``mail`` (default: the
    config's server), or print it when neither is given; whether it was recorded. A database
    that can only be read here gets its report all the same, unrecorded (and unlocked: nobody
    can record beside it)."""
    recording = db.read_only is None
    with db.exclusive("report") if recording else nullcontext():
        with db.read() as conn:
            # The to-do list and the premiums' tables are cut here for a document (every
            # format but JSON) that is all a reader sees: a whole book's 63,000 lines took
            # minutes to lay out, and its unpaid premiums are tens of thousands.
            tables = None if fmt == "json" else (TABLE_LIMIT if limit is None else limit)
            cut = limit if fmt == "json" else tables
            data, last_movement, listed = daily.build(
                conn, config, day, limit=cut, tables=tables, agent=agent, team=team
            )

        def made(as_format: ReportFormat) -> str:
            shown = limit if limit is not None or as_format == "json" else TABLE_LIMIT
            return report_view.render_report(data, as_format, show_pii=show_pii, limit=shown)

        if output is not None:
            files.write_atomically(output, made(fmt))
        if mail_to is not None:
            subject = report_view.subject(data)
            mailing.send(mail or config.mail, mail_to, subject, made("text"), made("html"))
        if output is None and mail_to is None:
            sys.stdout.write(made(fmt))
        if recording:
            with db.write() as conn:
                daily.record(conn, day, last_movement, agent)
                agenda.keep(conn, config, day, agenda.Scope(agent=agent), listed)
    return recording
