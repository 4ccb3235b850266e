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
from vipctl.views.words import VOCABULARY

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
    assert i18n.choose(None, None, chinese) == "zh_CN"


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
        shown = re.sub(r"vipctl [a-z]+", "", shown)  # a command to type is as it is typed
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

    found = {
        message for _line, _func, message, _comments in extract(io.BytesIO(b""), KEYWORDS, [], {})
    }
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


def _english_phrases() -> set[str]:
    """Every phrase of two English words or more in the catalog's message ids (the text
    between placeholders), but those a translation keeps as they are (a command to type)."""
    with PO.open("rb") as f:
        catalog = read_po(f)
    kept, phrases = [], set()
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        kept += strings
        for text in ids:
            for part in re.split(r"\{\w*\}|'[^']*'|--[\w-]+|\S+\.(?:csv|db|toml)\b", text):
                phrases.update(re.findall(r"[A-Za-z]{2,}(?: [A-Za-z]{2,})+", part))
    return {p for p in phrases if not any(p in string for string in kept)}


def test_no_english_sentence_under_a_chinese_locale(sample, tmp_path):
    """The main commands and their errors, under LANG=zh_CN.UTF-8 with no --lang: none says a
    phrase of the catalog's English, so a new string shipped without its translation fails."""
    bad = tmp_path / "clients-bad.csv"
    bad.write_text("客户号,姓名,生日\nX1,张三,2024-02-30\nX2,李四,1970-01-01\n", encoding="utf-8")
    odd = tmp_path / "clients-odd.csv"
    odd.write_text("客户号,姓名,生日\nX3,王五,1890-01-01\n", encoding="utf-8")
    runs = [
        ["import", str(DATA / "clients.csv"), "--date", "2026-11-01"],
        ["import", str(bad)],
        ["import", str(odd)],
        ["today", "--date", DAY, "--limit", "500"],
        ["today", "--date", DAY, "--explain", "C000126"],
        ["today", "--date", DAY, "--explain", "C000001"],
        ["upcoming", "--date", DAY, "--days", "60"],
        ["show", "C000126"],
        ["review", "C000126", "--date", DAY],
        ["review", "C000126", "--date", DAY, "-f", "markdown"],
        ["tier", "--date", DAY, "--detail"],
        ["tier", "--explain", "C000168"],
        ["report", "--date", DAY, "--limit", "20"],
        ["report", "--date", DAY, "--limit", "20", "-f", "markdown"],
        ["report", "--date", DAY, "--limit", "20", "-f", "html"],
        ["calendar", "--date", DAY],
        ["gaps", "--limit", "20"],
        ["clients", "--limit", "20"],
        ["history", "C000126"],
        ["show", "C999999"],
        ["today", "--agent", "某人"],
        ["today", "--date", "2026-02-30"],
        ["today", "--dat", DAY],
        ["todya"],
        ["show"],
        ["upcoming", "--days", "-1"],
        ["log", "C000126", "--date", "2031-01-01"],
        ["log", "C000126", "--channel", "phone", "--date", "2031-01-01"],
        ["import", str(bad), "--skip-invalid"],
        ["log", "C000126", "--channel", "phone", "--date", DAY, "--note", "好"],
        ["history", "C000126"],
        ["done", "C000145", "--date", DAY],
        ["done", "C000145", "--date", DAY],
        ["snooze", "C000132", "--until", "2026-12-01", "--date", DAY],
        ["paid", "P20190000132", "--date", DAY],
        ["paid", "P0", "--date", DAY],
        ["clients", "--high-end"],
        ["check"],
        ["backup", str(tmp_path / "book.backup")],
        ["backup", str(tmp_path)],
        ["config", "path"],
        ["export"],
        ["gaps", "--limit", "20"],
        ["log", "C000126", "--channel", "phone", "--outcome", "no_answer", "--date", DAY],
        ["log", "C000126", "--channel", "sms", "--outcome", "visited", "--date", DAY],
        ["remind", "C000126", "--on", DAY, "带分红报告", "--date", DAY],
        ["dates", "add", "C000126", "--kind", "career_anniversary", "--on", "2008-11-26"],
        ["dates", "add", "C000126", "--kind", "custom", "--on", "2008-11-26"],
        ["dates", "list"],
        ["today", "--date", DAY, "--explain", "C000126"],
        ["today", "--date", DAY, "--limit", "5"],
        ["edit", "C000126", "--set", "满意度=低", "--set", "phone=13912345678", "--date", DAY],
        ["edit", "C000126", "--set", "colour=red"],
        ["edit", "C000126", "--set", "birthday=1890-01-01", "--date", DAY],
        ["history", "C000126"],
        ["service", "open", "C000126", "--type", "claim", "--date", "2026-11-20"],
        ["service", "open", "C000126", "--type", "claim", "--policy", "P20190000132"],
        ["service", "list", "--all", "--date", DAY],
        ["today", "--date", DAY, "--explain", "C000126"],
        ["service", "close", "1", "--date", DAY],
        ["service", "close", "1", "--date", DAY],
        [
            "campaign",
            "new",
            "分红",
            "--kind",
            "dividend",
            "--date",
            "2026-11-20",
            "--due",
            "2026-12-31",
        ],
        ["campaign", "new", "分红", "--kind", "news"],
        ["campaign", "new", "联谊会", "--kind", "event"],
        ["campaign", "deliver", "分红", "C000015", "--channel", "visit", "--date", DAY],
        ["campaign", "deliver", "分红", "C000126", "--channel", "visit", "--date", DAY],
        ["campaign", "status", "分红", "--date", DAY],
        ["campaign", "list", "--date", DAY],
        ["standards", "--until", DAY, "--team"],
        ["report", "--date", DAY, "--limit", "5", "--team"],
        ["draft", "C000126", "--occasion", "service_done", "--date", DAY],
        ["draft", "C000126", "--occasion", "wedding_anniversary", "--date", DAY],
        ["draft", "C000126", "--date", "2026-11-25"],
        ["import", str(DATA / "clients.csv"), "--date", "2026-11-01"],
    ]
    phrases = _english_phrases()
    assert len(phrases) > 300  # the catalog is read, not an empty set
    said = []
    for args in runs:
        done = sample(*args, env={"LANG": "zh_CN.UTF-8"})
        text = done.stdout + done.stderr
        said += [f"{' '.join(args)}: {p!r}" for p in phrases if p in text]
        # A stored value's word (maintain, phone, in_force) standing alone, not in a path, the
        # HTML's style, the calendar's categories (the same in every language, as its UIDs) or
        # the values to type that an error names or lists.
        typed = (
            r"<style>.*</style>|\nCATEGORIES:[^\n]*|(可选|可用字段)：[^（\n]*|可搭配：[^）]*"
            r"|--[\w-]+ \S+"
        )
        prose = re.sub(typed, "", text, flags=re.S)
        alone = re.findall(r"(?<![\w/.'-])[a-z][a-z_]+(?![\w/.'-])", prose)
        said += [f"{' '.join(args)}: {w!r}" for w in alone if w in VOCABULARY]
        assert re.search(r"[\u4e00-\u9fff]", text) or args[0] == "config", args
    assert not said, said


def test_the_brief_the_report_and_the_explanation_speak_chinese(sample):
    brief = sample("--lang", "zh_CN", "review", "C000126", "--date", DAY).stdout
    assert brief.startswith("拜访简报：C000126 刘涵，11月24日 周二\n\n客户概况\n--------\n")
    assert "家庭经济支柱≥ ¥100万" in brief and "尚缺¥90万" in brief  # 万 as the trade writes
    assert "- 无重疾保障；建议¥80万–¥150万" in brief
    english = sample("review", "C000126", "--date", DAY).stdout
    assert "- no critical-illness cover; guidance ¥800,000–¥1,500,000" in english
    explained = sample("--lang", "zh_CN", "today", "--date", DAY, "--explain", "C000126").stdout
    assert "C000126，11月24日 周二：紧急程度" in explained and "涉及保费¥37,250" in explained
    assert "承保后回访" in explained and "已过26天 P20260000208" in explained
    html = sample("--lang", "zh_CN", "report", "--date", DAY, "-f", "html").stdout
    assert '<html lang="zh-CN">' in html and "<h2>今日待办</h2>" in html
    assert "<th>客户号</th>" in html
    assert '<html lang="en">' in sample("report", "--date", DAY, "-f", "html").stdout
    markdown = sample("--lang", "zh_CN", "report", "--date", DAY, "-f", "markdown").stdout
    assert markdown.startswith("# vipctl 每日报告：2026年11月24日 周二\n")
    assert "| 客户号 |" in markdown
    wrong = sample("--lang", "zh_CN", "show", "C999999")
    assert wrong.exit_code == 1 and wrong.stderr == "vipctl: 没有客户 'C999999'\n"
    usage = sample("--lang", "zh_CN", "show")
    assert usage.exit_code == 2
    assert "缺少参数 'CLIENT_ID'。（见 'vipctl show --help'）" in usage.stderr


def test_the_mail_subject_speaks_the_language():
    from vipctl.views.report import subject

    data = {"todo": {"clients": 3}, "date": "2026-11-24", "agent": "王芳"}
    try:
        i18n.use("zh_CN")
        assert subject(data) == "vipctl 每日报告（王芳）2026-11-24：需联系3位客户"
    finally:
        i18n.use("en")
    assert subject(data) == "vipctl daily report for 王芳 2026-11-24: 3 clients to contact"
