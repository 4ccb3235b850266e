"""The interface's language: chosen by --lang, [ui] language or the locale; the catalog holds every
marked message, compiled as installed; machine output the same in every language."""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from helpers import DATA, screens
from vipctl import i18n

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "src" / "vipctl" / "locale" / "zh_CN" / "LC_MESSAGES" / "vipctl.po"
# The keywords of docs/development.md's extraction command.
KEYWORDS = {
    "_": None, "N_": None, "ngettext": (1, 2), "counted": (2, 3), "Col": (2,), "Kind": (2,),
    "template": None, "pair": (1, 2),
}  # fmt: skip
DAY = "2026-11-24"


@pytest.fixture
def sample(cli):
    files = [str(DATA / "clients.csv"), str(DATA / "policies.csv")]
    assert cli("import", *files, "--date", "2026-11-01").exit_code == 0
    return cli


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
        ({"LANG": "C"}, "en"),
        ({"LANGUAGE": "zh_TW:en", "LANG": "en_US.UTF-8"}, "zh_CN"),
        ({"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LC_MESSAGES": "zh_CN", "LANG": "C"}, "zh_CN"),
        ({}, "en"),
    ],
)
def test_the_locale_asks_for_a_language(environ, language):
    assert i18n.from_locale(environ) == language


def test_the_flag_wins_over_the_config_which_wins_over_the_locale():
    chinese = {"LANG": "zh_CN.UTF-8"}
    assert i18n.choose("en", "zh_CN", chinese) == "en"
    assert i18n.choose(None, "zh-CN", {"LANG": "C"}) == "zh_CN"
    assert i18n.choose(None, None, {"LANG": "en_US.UTF-8"}) == "en"
    # A locale chooses only a language whose catalog covers the whole interface.
    assert i18n.choose(None, None, chinese) == ("zh_CN" if "zh_CN" in i18n.FROM_LOCALE else "en")


def test_the_morning_list_speaks_chinese_when_asked(sample, own_config):
    english = sample("today", "--date", DAY, "--limit", "3").stdout
    assert "To do on Tue 2026-11-24: the first 3 of 135 clients" in english
    chinese = sample("--lang", "zh_CN", "today", "--date", DAY, "--limit", "3").stdout
    assert "11月24日 周二 今日待办：共135位客户，显示前3" in chinese
    assert "客户号" in chinese and "原因" in chinese and "宽限期" in chinese
    assert "To do on" not in chinese and "Items:" not in chinese
    whole = sample("--lang", "zh_CN", "today", "--date", DAY, "--limit", "500").stdout
    year = sample("--lang", "zh_CN", "upcoming", "--date", DAY, "--days", "365", "--limit", "5000")
    for shown in (whole, year.stdout):  # every reason, detail and kind said in Chinese
        assert not re.findall(r"[A-Za-z]{3,}", shown), re.findall(r".*[A-Za-z]{3,}.*", shown)[:5]
    own_config.write_text('[ui]\nlanguage = "zh_CN"\n', encoding="utf-8")
    assert sample("today", "--date", DAY, "--limit", "3").stdout == chinese
    assert sample("--lang", "en", "today", "--date", DAY, "--limit", "3").stdout == english
    own_config.write_text('[ui]\nlanguage = "fr"\n', encoding="utf-8")
    wrong = sample("today", "--date", DAY)
    assert wrong.exit_code == 1 and "[ui] language: expected one of en, zh_CN" in wrong.stderr
    usage = sample("--lang", "fr", "today")
    assert usage.exit_code == 2 and "--lang: 'fr': choose from en, zh_CN" in usage.stderr


def test_the_import_speaks_chinese_when_asked(cli):
    files = [str(DATA / "clients.csv"), str(DATA / "policies.csv")]
    done = cli("--lang", "zh_CN", "import", *files, "--date", "2026-11-01")
    assert "已导入" in done.stdout and "新增" in done.stdout and "客户" in done.stdout
    assert "已重新评估200位客户：200位首次评估。" in done.stdout
    again = cli("--lang", "zh_CN", "import", files[0], "--date", "2026-11-01")
    assert "没有变化：数据库中已有完全相同的数据。" in again.stdout
    english = ("Imported", "File", "Kind", "Encoding", "Inserted", "Nothing", "Recomputed")
    assert not [word for word in english if word in again.stdout + done.stdout]


def test_the_client_card_speaks_chinese_when_asked(sample):
    card = sample("--lang", "zh_CN", "show", "C000168").stdout
    for words in ("联系方式", "最佳拜访时段", "保险意识", "高端客户", "保单（3）", "有效", "男"):
        assert words in card, words
    english = sample("show", "C000168").stdout
    assert "Best visit time" in english and "Policies (3)" in english and "in_force" in english
    assert not re.findall(r"[A-Za-z]{4,}", re.sub(r"\S+@\S+", "", card))


def test_the_tier_screens_speak_chinese_when_asked(sample):
    explained = sample("--lang", "zh_CN", "tier", "--explain", "C000168").stdout
    assert "C000168  肖伟：B类，每60天联系" in explained and "1项指标未达标 → B类。" in explained
    summary = sample("--lang", "zh_CN", "tier", "--date", DAY).stdout
    assert "各类别与价值分群的客户数" in summary and "合计" in summary
    for shown in (explained, summary):
        assert not re.findall(r"[A-Za-z]{3,}", shown), shown


def test_the_calendar_speaks_chinese_and_keeps_its_uids(sample):
    from icalendar import Calendar

    def events(*lang: str) -> list:
        text = sample(*lang, "calendar", "--date", DAY).stdout
        return [c for c in Calendar.from_ical(text).walk() if c.name == "VEVENT"]

    english, chinese = events("--lang", "en"), events("--lang", "zh_CN")
    assert [str(e["uid"]) for e in english] == [str(e["uid"]) for e in chinese]
    assert all(re.fullmatch(r"[a-z -]+: .+ \(C\d{6}\)", str(e["summary"])) for e in english)
    summaries = [str(e["summary"]) for e in chinese]
    assert any(s.startswith("续期保费：") for s in summaries)
    texts = " ".join(summaries + [str(e["description"]) for e in chinese])
    assert not re.findall(r"[A-Za-z]{3,}", texts)


@pytest.mark.parametrize(
    "command",
    [
        ["today", "-f", "json"],
        ["today", "-f", "csv"],
        ["upcoming", "-f", "json"],
        ["clients", "-f", "json"],
        ["gaps", "-f", "csv"],
        ["tier", "-f", "json"],
    ],
)
def test_machine_output_is_the_same_in_every_language(sample, command):
    dated = [*command, "--date", DAY] if command[0] in ("today", "upcoming", "tier") else command
    english = sample("--lang", "en", *dated, env={"LANG": "C"}).stdout_bytes
    chinese = sample("--lang", "zh_CN", *dated, env={"LANG": "zh_CN.UTF-8"}).stdout_bytes
    assert english == chinese and len(english) > 100


def test_the_chinese_list_fits_the_terminal(cli, tmp_path):
    files = [str(DATA / "clients.csv"), str(DATA / "policies.csv")]
    assert cli("import", *files, "--date", "2026-11-01").exit_code == 0
    from rich.cells import cell_len

    for columns in (60, 80):
        (screen,) = screens(
            [["--db", str(cli.db), "--lang", "zh_CN", "today", "--date", DAY]], columns
        )
        shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen)
        assert "今日待办" in shown
        assert all(cell_len(line) <= columns for line in shown.splitlines()), shown


def _extracted() -> set:
    """What docs/development.md's extraction finds: marked strings, and what ``babel.cfg``'s
    method gives for what no keyword marks (the help, the stored values' words)."""
    from vipctl.cli.manual import extract

    found = {message for _line, _func, message, _comments in extract(None, [], [], {})}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "src" / "vipctl"),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
    ):
        found.add(message)
    return found


def test_every_marked_message_is_translated():
    with PO.open("rb") as f:
        catalog = read_po(f)
    translated = {
        m.id
        for m in catalog
        if m.id and all(m.string if isinstance(m.string, tuple) else (m.string,))
    }
    missing = sorted(str(m) for m in _extracted() - translated)
    assert not missing, f"not in {PO.name} (docs/development.md: translations): {missing}"


def test_the_installed_catalog_is_the_po_compiled():
    """pip install (-e) compiles the .po; a .po edited since says to install again."""
    mo = PO.with_suffix(".mo")
    assert mo.exists(), "no compiled catalog: pip install -e . compiles it"
    with PO.open("rb") as f:
        catalog = read_po(f)
    from babel.messages.mofile import write_mo

    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    wanted = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    with mo.open("rb") as f:
        installed = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    assert installed == wanted, "the .po changed since install: run pip install -e . again"
