"""How a greeting or letter addresses the client and in what tone (DESIGN "Letters and cards";
the seeds: 针对不同性格的客户…语言、措辞、色彩上的用心琢磨), and what fits an SMS.

Chinese etiquette addresses a person by surname and title: 王总 for a general manager or a
director, 李老师 for a teacher, 张教授, 刘主任; without such a title, 先生 or 女士. The tone follows
the card's personality style: the steady and the cautious read a formal letter best, the
outgoing and easygoing a warm one, anyone else a plain and courteous one.
"""

from __future__ import annotations

from typing import Literal

Tone = Literal["formal", "warm", "neutral"]
TONES: tuple[Tone, ...] = ("formal", "warm", "neutral")

# The occasions a draft is written for; kinds.Kind.draft names which items bring each.
OCCASIONS = (
    "birthday",
    "festival",
    "wedding_anniversary",
    "career_anniversary",
    "agent_departed",
    "service_done",
    "event_invite",
)
CHANNELS = ("sms", "wechat", "letter", "card")

# 复姓: the surnames of two characters a list of clients meets.
_DOUBLE_SURNAMES = frozenset(
    ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
     "司徒", "夏侯", "轩辕", "令狐", "钟离", "端木", "南宫", "西门")
)  # fmt: skip

# A title's words, in the order they are looked for, and how the client is then addressed:
# the first that the title contains wins (副总裁 is 总, 主任医师 is 主任).
_ADDRESS = (
    ("董事长", "董"),
    ("总裁", "总"),
    ("总经理", "总"),
    ("总监", "总"),
    ("总", "总"),
    ("教授", "教授"),
    ("老师", "老师"),
    ("教师", "老师"),
    ("校长", "校长"),
    ("院长", "院长"),
    ("主任", "主任"),
    ("医生", "医生"),
    ("医师", "医生"),
    ("律师", "律师"),
    ("局长", "局长"),
    ("处长", "处长"),
    ("经理", "经理"),
)
_ENGLISH_ADDRESS = (("教授", "Professor"), ("医", "Dr."))

_FORMAL = ("稳重", "严谨", "谨慎", "保守", "内向", "理性", "传统", "沉稳")
_WARM = ("热情", "外向", "开朗", "活泼", "随和", "爽快", "幽默", "健谈")


def surname(name: str) -> str:
    name = name.strip()
    return name[:2] if name[:2] in _DOUBLE_SURNAMES else name[:1]


def address(name: str, title: str | None, gender: str | None) -> str:
    """How a Chinese greeting names the client: surname and title (王总, 李老师), else 先生 or
    女士 by gender, else the full name (it cannot guess wrong)."""
    for word, said in _ADDRESS:
        if title and word in title:
            return surname(name) + said
    if gender == "M":
        return surname(name) + "先生"
    if gender == "F":
        return surname(name) + "女士"
    return name.strip()


def english_address(name: str, title: str | None, gender: str | None) -> str:
    """The same in English: Professor 王, Dr. 王, Mr. or Ms. 王, else the full name; the surname
    as the card writes it, since a romanisation vipctl guessed could be wrong."""
    for word, said in _ENGLISH_ADDRESS:
        if title and word in title:
            return f"{said} {surname(name)}"
    if gender == "M":
        return f"Mr. {surname(name)}"
    if gender == "F":
        return f"Ms. {surname(name)}"
    return name.strip()


def tone_of(personality: str | None) -> Tone:
    """The tone for a personality style as the card words it (稳重型, 外向型, …)."""
    if personality:
        if any(word in personality for word in _FORMAL):
            return "formal"
        if any(word in personality for word in _WARM):
            return "warm"
    return "neutral"


# An SMS of GSM-7 characters holds 160 of them, of others (Chinese) 70; a message in parts
# loses room to the header joining them: 153 and 67 a part.
_GSM = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
SMS_PARTS = 2  # at most: a greeting in three parts arrives as three, often out of order


def sms_parts(text: str) -> int:
    """How many SMS the text is sent as."""
    single, part = (160, 153) if set(text) <= _GSM else (70, 67)
    if len(text) <= single:
        return 1
    return -(-len(text) // part)


def sms_room(text: str) -> int:
    """How many characters ``SMS_PARTS`` SMS of the text's kind hold."""
    return SMS_PARTS * (153 if set(text) <= _GSM else 67)
