"""The ``vipctl`` command: its global options, and every command of the families registered in
the order ``--help`` lists them. The commands themselves live with their family (``book``,
``review``, ``agenda``, ``followup``, ``report``, ``upkeep``) and are wiring only: options in,
calls into the modules that know the rules, output out.
"""

from __future__ import annotations

import copy
import gc
import sys
from typing import Annotated

import typer

from vipctl import __version__
from vipctl.cli import agenda, book, care, followup, report, review, service, upkeep
from vipctl.cli.context import App, echo, silence_stdout, user_errors
from vipctl.cli.manual import CONTEXT, Manual

app = typer.Typer(
    name="vipctl",
    help="Whom to contact today, why, and how urgently: your high-value clients, kept local.",
    cls=Manual,
    context_settings=CONTEXT,
    rich_markup_mode=None,  # help as plain text: brackets as written, no boxes
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals hold client data
)


def _version(value: bool) -> None:
    if value:
        echo(f"vipctl {__version__}")
        raise typer.Exit()


def _check_language(value: str | None) -> str | None:
    """--lang was read before the command line was parsed (``Manual``); here it is checked."""
    from vipctl import i18n

    if value is not None and i18n.known(value) is None:
        said = i18n._("{value}: choose from {choices}")
        raise typer.BadParameter(said.format(value=repr(value), choices=", ".join(i18n.LANGUAGES)))
    return value


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="VIPCTL_DB",
            metavar="FILE|URL",
            help="Database: a file, or a PostgreSQL URL (default: vipctl.db in your user data "
            "directory).",
            show_envvar=True,
        ),
    ] = None,
    as_agent: Annotated[
        str | None,
        typer.Option(
            "--as",
            metavar="AGENT",
            help="Work as this agent (default: [team] agent in the config file).",
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="zh_CN|en",
            callback=_check_language,
            help="The interface's language (default: [ui] language in the config file, else "
            "the locale's).",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    ctx.obj = App(db, as_agent, getattr(ctx.command, "config", None))


# Every command in the order --help lists them.
COMMANDS = (
    ("import", book.import_),
    ("clients", book.clients),
    ("show", book.show),
    ("review", review.review),
    ("gaps", review.gaps),
    ("tier", review.tier),
    ("upcoming", agenda.upcoming),
    ("today", agenda.today),
    ("edit", book.edit),
    ("reassign", book.reassign),
    ("log", followup.log),
    ("remind", followup.remind),
    ("gift", care.gift),
    ("draft", care.draft),
    ("done", followup.done),
    ("snooze", followup.snooze),
    ("paid", followup.paid),
    ("history", followup.history),
    ("standards", service.standards),
    ("undo", followup.undo),
    ("report", report.report),
    ("calendar", agenda.calendar),
    ("backup", upkeep.backup),
    ("restore", upkeep.restore),
    ("check", upkeep.check),
    ("export", book.export),
)
# What each command's help ends with: what a person would type.
EXAMPLES = {
    "import": [
        "vipctl import clients.csv policies.csv",
        "vipctl import --skip-invalid --encoding gbk export.csv",
    ],
    "clients": ["vipctl clients --search 王", "vipctl clients --agent 李明 -f csv"],
    "show": ["vipctl show C000132", "vipctl show C000132 --show-pii"],
    "review": ["vipctl review C000132", "vipctl review C000132 -f markdown > brief.md"],
    "gaps": ["vipctl gaps --tier A,B --need critical_illness", "vipctl gaps -f csv > gaps.csv"],
    "tier": ["vipctl tier --recompute", "vipctl tier --explain C000132"],
    "upcoming": ["vipctl upcoming --days 7", "vipctl upcoming --kind birthday,renewal_due"],
    "today": ["vipctl today", "vipctl today --explain C000132"],
    "reassign": [
        "vipctl reassign --from 张伟 --to 李明",
        "vipctl reassign --from 张伟 --to 李明 --tier A",
    ],
    "edit": ["vipctl edit C000132 --set 满意度=高", "vipctl edit C000132 --set phone="],
    "log": [
        "vipctl log C000132 --channel phone --note 'pays Friday'",
        "vipctl log C000132 --channel phone --outcome no_answer",
        "vipctl log C000132 --channel sms --note '生日祝福'",
    ],
    "gift": ["vipctl gift C000132 茶叶 --occasion 中秋 --cost 300"],
    "draft": [
        "vipctl draft @1",
        "vipctl draft C1 --occasion festival --festival 春节",
        "vipctl draft C1 --occasion birthday --channel letter",
    ],
    "remind": ["vipctl remind C000132 --on 2026-12-20 '送分红报告'"],
    "dates add": ["vipctl dates add C1 --kind child_birthday --on 2015-3-2"],
    "dates list": ["vipctl dates list C000132"],
    "dates remove": ["vipctl dates remove 3"],
    "service open": ["vipctl service open C1 --type claim --policy P2024001"],
    "service list": ["vipctl service list --open", "vipctl service list --overdue --all"],
    "service close": ["vipctl service close 7 --note '已赔付'"],
    "campaign new": [
        "vipctl campaign new 2026分红报告 --kind dividend",
        "vipctl campaign new 答谢会 --kind event --tier A",
    ],
    "campaign deliver": ["vipctl campaign deliver 2026分红报告 C1 --channel visit"],
    "campaign status": ["vipctl campaign status 2026分红报告"],
    "campaign list": ["vipctl campaign list"],
    "done": ["vipctl done C000132", "vipctl done C000132 --kind birthday"],
    "snooze": ["vipctl snooze C000132 --until 2026-12-20"],
    "paid": ["vipctl paid P20240000350"],
    "history": ["vipctl history C000132"],
    "standards": ["vipctl standards --team", "vipctl standards --since 2026-01-01 -f csv"],
    "undo": ["vipctl undo"],
    "report": ["vipctl report", "vipctl report -f html --mail-to lead@example.com"],
    "calendar": ["vipctl calendar -o vipctl.ics"],
    "backup": ["vipctl backup vipctl-2026-12-01.db"],
    "restore": ["vipctl restore vipctl-2026-12-01.db"],
    "check": ["vipctl check"],
    "export": ["vipctl export clients -o clients.csv", "vipctl export contacts -f json"],
    "config path": ["vipctl config path"],
}
Manual.examples.update(EXAMPLES)
for name, command in COMMANDS:
    app.command(name)(user_errors(command))


def _group(name: str, help: str, commands: tuple[tuple[str, object], ...]) -> None:
    """A family of commands under one name (``vipctl dates add``), in the order given."""
    group = typer.Typer(help=help)
    app.add_typer(group, name=name)
    for sub, command in commands:
        group.command(sub)(user_errors(command))


_group(
    "config",
    "The config file: healthy values, tier cadences, segment cut-offs, reminders, urgency.",
    (("path", upkeep.config_path),),
)
_group(
    "dates",
    "The clients' own yearly dates: career anniversaries, children's birthdays, days of "
    "their own. They come on the list as birthdays do.",
    (("add", care.add), ("list", care.list_dates), ("remove", care.remove)),
)
_group(
    "service",
    "Service requests: policy changes (保全), claims (理赔), benefits to collect, each on "
    "the list until closed and held to its target.",
    (("open", service.open_), ("list", service.list_), ("close", service.close)),
)
_group(
    "campaign",
    "Campaigns that must reach every one of their clients: dividend reports, company "
    "news, new products, event invitations.",
    (
        ("new", service.new),
        ("deliver", service.deliver),
        ("status", service.status),
        ("list", service.list_campaigns),
    ),
)


# The root's options that take a value: the word after them is not the command.
VALUED = ("--db", "--as", "--lang")


def as_run(words: list[str]) -> typer.Typer:
    """The app with only the command ``words`` name: Typer builds every command from its
    function's signature at each start (0.06 s for all of vipctl's, a tenth of a command's
    start) where one is run. The whole app when the words name none: the root's help, the
    version, a mistake (its list of commands and its suggestions)."""
    at = 0
    while at < len(words) and words[at].startswith("-"):
        if words[at] not in VALUED and words[at].partition("=")[0] not in VALUED:
            return app
        at += 2 if words[at] in VALUED else 1
    if at >= len(words):
        return app
    commands = [c for c in app.registered_commands if c.name == words[at]]
    groups = [g for g in app.registered_groups if g.name == words[at]]
    if not commands and not groups:
        return app
    one = copy.copy(app)
    one.registered_commands, one.registered_groups = commands, groups
    return one


def main() -> None:
    """The process's entry. A command is one short process whose bulk (rows read, events,
    lines out) makes no reference cycles, yet hundreds of thousands of them set the cycle
    collector off over and over, walking everything still alive each time: a third of the
    day's first ``today`` on 100,000 clients, a fifth of an import. Without it memory is the
    same (measured) and what little a library leaves in cycles goes when the process ends.

    Nor is it run as the process ends: Python's last collection would walk every object the
    libraries still hold (SQLAlchemy's, Typer's, Rich's), a tenth of a second of a table's
    half second, to free what the system frees anyway. Frozen, they are left alone; what
    vipctl writes is closed by then (every file through ``with``, the database by its
    command), and standard output flushed (``_run``)."""
    gc.disable()
    try:
        _run()
    finally:
        gc.freeze()


def _run() -> None:
    """The command the words name, its output flushed: a reader gone is no error."""
    try:
        try:
            as_run(sys.argv[1:])()
        finally:
            sys.stdout.flush()  # what is still buffered fails here, if it fails
    except BrokenPipeError:
        silence_stdout()
        sys.exit(0)
    except OSError as exc:
        from vipctl.i18n import _

        said = _("vipctl: cannot write the output: {why}")
        typer.echo(said.format(why=exc.strerror or exc), err=True)
        silence_stdout()
        sys.exit(1)
