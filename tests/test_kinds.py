"""The registry of agenda kinds is the one declaration of a kind: every part of every kind is
there, the readers and rules bring exactly the registry's kinds, docs/agenda.md lists them
as the registry says, and turning a kind off takes it off every list."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from helpers import DATA, Cli
from vipctl import kinds
from vipctl.agenda import lists
from vipctl.config import AgendaRules, Config, UrgencyWeights
from vipctl.store import Database

README = Path(__file__).resolve().parent.parent / "docs" / "agenda.md"


@pytest.mark.parametrize("kind", kinds.REGISTRY, ids=lambda k: k.name)
def test_every_kind_has_every_part(kind):
    assert re.fullmatch(r"[a-z_]+", kind.name) and kind.label
    assert kind.source in lists.READERS
    assert UrgencyWeights().kind[kind.name] == kind.weight
    rules = AgendaRules()
    for setting in (kind.ahead, kind.lingers):
        if setting not in (None, kinds.FOREVER):
            value = getattr(rules, setting)
            assert isinstance(value, int) or all(isinstance(v, int) for v in value)
    assert kind.cleared_by


def test_every_reader_is_a_source_of_the_registry():
    assert set(lists.READERS) == set(kinds.SOURCES)


def test_the_readers_bring_exactly_the_registry_s_kinds(tmp_path):
    """A year of the sample book, read source by source: each brings its own kinds, and every
    kind comes."""
    cli = Cli(tmp_path / "vipctl.db")
    imported = cli("import", str(DATA / "clients.csv"), str(DATA / "policies.csv"), "--date",
                   "2026-11-01")  # fmt: skip
    assert imported.exit_code == 0, imported.output
    kept = [  # what the agent keeps in vipctl, which no export carries
        ("remind", "C000001", "--on", "2026-12-01", "bring the dividend report"),
        ("dates", "add", "C000001", "--kind", "career_anniversary", "--on", "2008-07-01"),
        ("dates", "add", "C000002", "--kind", "child_birthday", "--on", "2015-03-02", "--lunar"),
        ("dates", "add", "C000003", "--kind", "custom", "--on", "2019-05-20", "--label", "开业"),
        ("service", "open", "C000004", "--type", "claim"),
        ("service", "open", "C000005", "--type", "change"),
        ("service", "close", "2"),
        ("campaign", "new", "news", "--kind", "news", "--client", "C000006"),
        ("campaign", "new", "event", "--kind", "event", "--client", "C000007"),
    ]
    for args in kept:
        done = cli(*args) if args[0] == "dates" else cli(*args, "--date", "2026-11-24")
        assert done.exit_code == 0, done.output
    day = dt.date(2026, 11, 24)
    db = Database(cli.db)
    try:
        with db.read() as conn:
            reading = lists._Reading(conn, Config(), day, lists.Scope(), False)
            seen = set()
            windows = lists.today_windows(Config(), day)
            for source, reader in lists.READERS.items():
                start = min(windows[k.name][0] for k in kinds.REGISTRY if k.source == source)
                brought = {e.kind for e in reader(reading, start, day + dt.timedelta(days=366))}
                assert brought <= {k.name for k in kinds.REGISTRY if k.source == source}
                seen |= brought
    finally:
        db.close()
    assert seen == set(kinds.KINDS)


def _readme_kinds() -> dict[str, str]:
    """docs/agenda.md's table of kinds: each kind in a row's first cell, with its last."""
    text = README.read_text(encoding="utf-8")
    table = text.split("## What makes an event", 1)[1].split("\n\n", 2)[1]
    found = {}
    for row in table.splitlines()[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        for name in re.findall(r"`([a-z_]+)`", cells[0]):
            found[name] = cells[-1]
    return found


def test_the_agenda_page_lists_the_registry():
    listed = _readme_kinds()
    assert list(listed) == list(kinds.KINDS)
    assert listed == {k.name: k.cleared_by for k in kinds.REGISTRY}


def test_a_kind_turned_off_is_on_no_list(book, own_config):
    day = "2026-11-24"
    before = json.loads(
        book("upcoming", "--all", "--date", day, "--days", "60", "-f", "json").stdout
    )
    assert any(e["kind"] == "renewal_due" for e in before)
    own_config.write_text('[agenda]\noff = ["renewal_due", "grace"]\n', encoding="utf-8")
    after = json.loads(
        book("upcoming", "--all", "--date", day, "--days", "60", "-f", "json").stdout
    )
    assert after == [e for e in before if e["kind"] not in ("renewal_due", "grace")]
    today = json.loads(book("today", "--all", "--date", day, "-f", "json").stdout)
    assert not [i for e in today for i in e["items"] if i["kind"] in ("renewal_due", "grace")]
    own_config.write_text('[agenda]\noff = ["birthdays"]\n', encoding="utf-8")
    wrong = book("today", "--date", day)
    assert wrong.exit_code == 1 and "[agenda] off: unknown kind 'birthdays'" in wrong.stderr
