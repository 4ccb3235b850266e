"""Greetings and letters written for the client (vipctl draft): addressed as Chinese etiquette
wants, in the tone the card's personality calls for, with the occasion's facts, within the
channel's length; a user's template replacing vipctl's; and the list saying a draft is ready."""

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import write_csv
from vipctl.config import Config
from vipctl.report import drafts
from vipctl.rules import letters
from vipctl.store import Database

DAY = "2026-11-24"
HEADERS = ["client_id", "name", "gender", "birthday", "title", "personality", "agent",
           "agent_status", "wedding_anniversary"]  # fmt: skip
CLIENTS = [
    ["C1", "王建国", "男", "1966-11-28", "总经理", "稳重型", "王芳", "active", "1990-12-01"],
    ["C2", "李娜", "女", "1980-05-01", "中学教师", "外向型", "李四", "left", "2008-10-01"],
    ["C3", "欧阳明", "男", "1975-07-07", "个体经营者", "果断型", "王芳", "active", ""],
    ["C4", "司马静", "女", "1990-01-15", "", "", "王芳", "active", "2019-12-20"],
]  # fmt: skip


@pytest.fixture
def people(cli, tmp_path):
    """Four clients with titles and personalities, everything a draft can be about."""
    clients = write_csv(tmp_path / "clients.csv", HEADERS, CLIENTS)
    policies = write_csv(tmp_path / "policies.csv", ["policy_no", "client_id", "effective_date"],
                         [["P1", "C1", "2015-03-01"], ["P2", "C2", "2016-04-01"]])  # fmt: skip
    assert cli("import", str(clients), str(policies), "--date", "2026-11-01").exit_code == 0
    for args in (
        ("dates", "add", "C1", "--kind", "career_anniversary", "--on", "1996-12-01"),
        ("reassign", "--from", "李四", "--to", "王芳", "--date", "2026-11-02"),
        ("service", "open", "C1", "--type", "claim", "--policy", "P1", "--date", "2026-11-10"),
        ("service", "close", "1", "--date", "2026-11-12"),
        ("campaign", "new", "年终答谢会", "--kind", "event", "--client", "C1", "--client", "C2",
         "--due", "2026-12-10", "--date", "2026-11-20"),
    ):  # fmt: skip
        done = cli(*args)
        assert done.exit_code == 0, (args, done.output)
    return cli


def draft(cli, *args):
    result = cli("--as", "张经理", "draft", *args, "--date", DAY)
    assert result.exit_code == 0, (args, result.output)
    return result.stdout.rstrip("\n")


def test_the_address_follows_the_title_and_the_surname():
    assert letters.address("王建国", "总经理", "M") == "王总"
    assert letters.address("李娜", "中学教师", "F") == "李老师"
    assert letters.address("张华", "副总裁", None) == "张总"
    assert letters.address("刘洋", "主任医师", "M") == "刘主任"
    assert letters.address("陈红", "董事长", "F") == "陈董"
    assert letters.address("欧阳明", "个体经营者", "M") == "欧阳先生"
    assert letters.address("司马静", None, "F") == "司马女士"
    assert letters.address("赵六", None, None) == "赵六"  # no guess
    assert letters.english_address("李娜", "教授", "F") == "Professor 李"
    assert letters.english_address("王建国", None, "M") == "Mr. 王"


def test_the_tone_follows_the_personality_style():
    assert letters.tone_of("稳重型") == letters.tone_of("谨慎型") == "formal"
    assert letters.tone_of("外向型") == letters.tone_of("随和型") == "warm"
    assert letters.tone_of("果断型") == letters.tone_of(None) == "neutral"


def test_sms_parts_count_chinese_and_plain_text_apart():
    assert letters.sms_parts("字" * 70) == 1 and letters.sms_parts("字" * 71) == 2
    assert letters.sms_parts("字" * 134) == 2 and letters.sms_parts("字" * 135) == 3
    assert letters.sms_parts("a" * 160) == 1 and letters.sms_parts("a" * 161) == 2


def test_every_occasion_in_every_tone_fits_its_channel(people):
    """Each of the 7 occasions × 3 tones × 4 channels, in Chinese and English: an SMS in at
    most two messages, addressed and signed, the occasion's facts in it. Written in one session
    (the command's own path is the other tests')."""
    facts = {
        "birthday": ("60岁", "60th"),
        "festival": ("元旦", "New Year"),
        "wedding_anniversary": ("36周年", "36th"),
        "career_anniversary": ("30周年", "30 years"),
        "agent_departed": ("李四", "李四"),
        "service_done": ("理赔", "claim"),
        "event_invite": ("年终答谢会", "年终答谢会"),
    }
    day = dt.date(2026, 11, 24)
    db = Database(people.db)
    try:
        with db.read() as conn:
            for occasion, tone, channel, language in itertools.product(
                letters.OCCASIONS, letters.TONES, letters.CHANNELS, ("zh_CN", "en")
            ):
                client = "C2" if occasion == "agent_departed" else "C1"
                written = drafts.write(
                    conn, Config(), client, occasion, day, channel=channel, tone=tone,
                    language=language, signature="张经理",
                )  # fmt: skip
                text, said = written.text, (occasion, tone, channel, language, written.text)
                chinese = language == "zh_CN"
                to = {("C1", True): "王总", ("C2", True): "李老师", ("C1", False): "Mr. 王",
                      ("C2", False): "Ms. 李"}[client, chinese]  # fmt: skip
                assert facts[occasion][0 if chinese else 1] in text, said
                assert to in text and "张经理" in text, said
                if channel == "sms":
                    assert letters.sms_parts(text) <= 2 and "\n" not in text, said
                    assert written.sms_parts == letters.sms_parts(text)
                if channel == "letter" and chinese:
                    assert text.endswith("张经理\n2026年11月24日"), said
    finally:
        db.close()
    formal = draft(people, "C1", "--occasion", "birthday", "--channel", "letter")
    assert formal.startswith("尊敬的王总：") and "此致\n敬礼！" in formal
    warm = draft(people, "C2", "--occasion", "wedding_anniversary", "--channel", "letter")
    assert warm.startswith("李老师，您好！") and "2027年10月1日是您和爱人结婚19周年" in warm
    english = people("--as", "张经理", "--lang", "en", "draft", "C1", "--occasion", "birthday",
                     "--channel", "card", "--date", DAY)  # fmt: skip
    assert english.stdout.startswith("Dear Mr. 王,") and "60th" in english.stdout


def test_the_facts_come_from_the_card(people):
    departed = draft(people, "C2", "--occasion", "agent_departed", "--channel", "letter",
                     "--tone", "formal")  # fmt: skip
    assert "原为您服务的业务员李四已于11月1日离职。今后由王芳继续为您提供服务" in departed
    service = draft(people, "C1", "--occasion", "service_done", "--tone", "neutral")
    assert service == "王总，您的理赔（保单P1）已于11月12日办妥。——张经理"
    spring = draft(people, "C4", "--occasion", "festival", "--festival", "春节")
    assert "春节" in spring and spring.startswith("司马女士")
    english = people("--lang", "en", "draft", "C4", "--occasion", "festival", "--festival",
                     "mid-autumn", "--date", DAY)  # fmt: skip
    assert "Mid-Autumn" in english.stdout


def test_a_draft_the_card_cannot_support_is_refused(people):
    cases = [
        (("C3", "--occasion", "wedding_anniversary"),
         "vipctl: C3 has no wedding anniversary on the card\n"),
        (("C3", "--occasion", "career_anniversary"),
         "vipctl: C3 has no career anniversary: add it with 'vipctl dates add'\n"),
        (("C1", "--occasion", "agent_departed"),
         "vipctl: C1's agent has not left: no departed agent on record\n"),
        (("C2", "--occasion", "service_done"),
         "vipctl: C2 has no closed service request ('vipctl service list')\n"),
        (("C1", "--occasion", "festival", "--festival", "圣诞"), None),
        (("C1", "--occasion", "birthday", "--festival", "春节"),
         "vipctl: --festival goes with --occasion festival\n"),
        (("C9", "--occasion", "birthday"), "vipctl: no client 'C9'\n"),
    ]  # fmt: skip
    for args, said in cases:
        result = people("draft", *args, "--date", DAY)
        assert result.exit_code == 1, (args, result.output)
        if said:
            assert result.stderr == said
        else:
            assert result.stderr.startswith("vipctl: unknown festival '圣诞' (known: new_year")
    assert people("draft", "C1", "--occasion", "anniversary").exit_code == 2


def test_a_template_of_the_users_own_wins(people, own_config):
    own_config.write_text("", encoding="utf-8")
    mine = own_config.parent / "drafts" / "zh_CN"
    mine.mkdir(parents=True)
    (mine / "birthday.formal.j2").write_text(
        "{{ to }}：{{ age }}岁生日快乐！{{ agent }}敬贺", encoding="utf-8"
    )
    assert draft(people, "C1", "--occasion", "birthday") == "王总：60岁生日快乐！张经理敬贺"
    assert "王总" in draft(people, "C1", "--occasion", "birthday", "--tone", "warm")  # vipctl's
    (mine / "birthday.formal.j2").write_text("{{ to }}" + "祝" * 140, encoding="utf-8")
    long = people("draft", "C1", "--occasion", "birthday", "--date", DAY)
    assert long.exit_code == 1
    assert long.stderr.startswith("vipctl: the SMS is 142 characters, more than 2 SMS hold (134)")
    assert str(mine / "birthday.formal.j2") in long.stderr
    (mine / "birthday.formal.j2").write_text("{{ to }}{{ agee }}", encoding="utf-8")
    wrong = people("draft", "C1", "--occasion", "birthday", "--date", DAY)
    assert wrong.exit_code == 1 and "'agee' is undefined" in wrong.stderr


def test_the_list_says_a_draft_is_ready_and_draft_at_n_writes_it(people):
    listed = people("today", "--date", DAY)
    assert listed.exit_code == 0, listed.output
    rows = [line for line in listed.stdout.splitlines() if "draft ready" in line]
    assert rows, listed.stdout
    first = rows[0].split("vipctl draft @")[1].split(")")[0]
    written = draft(people, f"@{first}")
    assert "——张经理" in written
    # The earliest item that calls for one chooses the occasion: the letter after the claim
    # (closed 11-12), then the invitation (since 11-20), then the birthday (11-28).
    assert "理赔" in draft(people, "C1")
    assert "年终答谢会" in people("draft", "C1", "--date", "2026-11-27").stdout
    delivered = people("campaign", "deliver", "年终答谢会", "C1", "--channel", "letter", "--date",
                       "2026-11-27")  # fmt: skip
    assert delivered.exit_code == 0, delivered.output
    assert "60岁" in people("draft", "C1", "--date", "2026-11-27").stdout


def test_festivals_come_early_enough_for_a_card_by_post(cli, tmp_path, own_config):
    clients = write_csv(tmp_path / "c.csv", ["client_id", "name", "annual_income"],
                        [["C1", "王建国", "5000000"]])  # fmt: skip
    policies = write_csv(tmp_path / "p.csv", ["policy_no", "client_id", "effective_date",
                                              "premium", "frequency"],
                         [["P1", "C1", "2015-03-01", "100000", "annual"]])  # fmt: skip
    assert cli("import", str(clients), str(policies), "--date", "2026-11-01").exit_code == 0

    def holiday_from(day):
        return cli("today", "--date", day, "-f", "json").stdout.count('"holiday"')

    assert holiday_from("2026-12-24") == 0 and holiday_from("2026-12-25") == 1  # 7 days ahead
    own_config.write_text("[agenda]\ncard_post_days = 10\n", encoding="utf-8")
    assert holiday_from("2026-12-19") == 0 and holiday_from("2026-12-20") == 1  # 10 + 2


@given(st.dates(dt.date(1950, 1, 1), dt.date(2090, 12, 31)))
def test_the_next_festival_is_the_nearest_ahead(day):
    _key, when = drafts.next_festival(day)
    assert day <= when < day + dt.timedelta(days=366)
    assert when == min(drafts.next_festival(day, other)[1] for other in drafts.FESTIVALS)


@given(
    first=st.dates(dt.date(1940, 1, 1), dt.date(2025, 12, 31)),
    day=st.dates(dt.date(2026, 1, 1), dt.date(2040, 12, 31)),
)
def test_the_next_anniversary_is_within_a_year_and_counts_its_years(first, day):
    when, years = drafts._next_yearly(first, day)
    assert day <= when < day + dt.timedelta(days=366)
    assert years == when.year - first.year and (when.month, when.day) in (
        (first.month, first.day),
        (2, 28),
    )
