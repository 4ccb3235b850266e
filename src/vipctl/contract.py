"""The CSV data contract (docs/data-contract.md) as data: columns, aliases, parsers, enumerations.

Keeping the contract in one table means the importer, the sample generator, the docs and the
tests all read the same truth, and a new alias is a one-line change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from vipctl import values as v

Kind = Literal["clients", "policies"]
KINDS: tuple[Kind, ...] = ("clients", "policies")


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    aliases: tuple[str, ...] = ()
    parse: v.Parser = v.parse_text
    required: bool = False
    pii: bool = False  # masked in messages and human output


# Enumerations: canonical value (stored, and used in JSON/CSV output) → accepted spellings.
GENDER = {"M": ("男", "male", "m"), "F": ("女", "female", "f")}
CALENDAR = {"solar": ("公历", "阳历", "新历", "gregorian"), "lunar": ("农历", "阴历", "旧历")}
QUALITY = {"good": ("好",), "poor": ("差",)}
AWARENESS = {"strong": ("强",), "weak": ("弱",)}
SATISFACTION = {"high": ("高",), "low": ("低",)}
ECONOMY = {"good": ("好",), "poor": ("差",)}
MOBILITY = {"low": ("弱", "低"), "high": ("强", "高")}
AGENT_STATUS = {"active": ("在职",), "left": ("离职",)}
RELATION = {
    "self": ("本人",),
    "spouse": ("配偶",),
    "child": ("子女",),
    "parent": ("父母",),
    "sibling": ("兄弟姐妹",),
}
CATEGORY = {
    "life": ("寿险",),
    "critical_illness": ("重疾", "重疾险", "critical illness"),
    "medical": ("医疗", "医疗险"),
    "accident": ("意外", "意外险"),
    # The needs analysis has a guidance of its own for accident medical cover.
    "accident_medical": ("意外医疗", "意外医疗险", "accident medical"),
    "property": ("财产", "财产险"),
    "annuity": ("年金", "年金险"),
    "universal": ("万能", "万能险"),
    "investment_linked": ("投连", "投连险", "investment linked"),
}
FREQUENCY = {
    "annual": ("年缴", "年交", "yearly"),
    "semiannual": ("半年缴", "半年交", "semi-annual", "semi_annual"),
    "quarterly": ("季缴", "季交"),
    "monthly": ("月缴", "月交"),
    "single": ("趸缴", "趸交"),
}
STATUS = {
    "in_force": ("有效", "in force"),
    "grace": ("宽限期",),
    "lapsed": ("中止", "失效"),
    "terminated": ("终止",),
}
# The enumerated columns, for what reads them all (the words people see for stored values).
ENUMERATED = {
    "gender": GENDER, "birthday_calendar": CALENDAR, "policy_quality": QUALITY,
    "awareness": AWARENESS, "satisfaction": SATISFACTION, "economy": ECONOMY,
    "mobility": MOBILITY, "agent_status": AGENT_STATUS, "relation": RELATION,
    "category": CATEGORY, "frequency": FREQUENCY, "status": STATUS,
}  # fmt: skip
ENUMERATIONS = tuple(ENUMERATED.values())
# A policy in its grace period is still in force: cover goes on until it lapses.
NOT_IN_FORCE = frozenset({"lapsed", "terminated"})

CLIENT_COLUMNS: tuple[Column, ...] = (
    Column("client_id", ("客户号", "客户编号"), required=True),
    Column("name", ("客户姓名", "姓名"), required=True),
    Column("gender", ("性别",), v.enum_parser(GENDER)),
    Column("birthday", ("生日", "出生日期"), v.parse_date),
    Column("birthday_calendar", ("生日历法", "历法"), v.enum_parser(CALENDAR)),
    Column("id_number", ("身份证号", "证件号码"), v.parse_id_number, pii=True),
    Column("phone", ("电话", "手机"), v.parse_phone, pii=True),
    Column("email", ("邮箱",), v.parse_email),
    Column("address", ("地址",)),
    Column("company", ("单位",)),
    Column("title", ("职务",)),
    Column("wedding_anniversary", ("结婚纪念日",), v.parse_date),
    Column("annual_income", ("年收入",), v.parse_amount),
    Column("investable_assets", ("可投资资产",), v.parse_amount),
    Column("owns_property", ("有房产",), v.parse_bool),
    Column("policy_quality", ("保单品质",), v.enum_parser(QUALITY)),
    Column("awareness", ("保险意识",), v.enum_parser(AWARENESS)),
    Column("satisfaction", ("满意度",), v.enum_parser(SATISFACTION)),
    Column("economy", ("经济条件",), v.enum_parser(ECONOMY)),
    Column("mobility", ("流动性",), v.enum_parser(MOBILITY)),
    Column("agent", ("业务员",)),
    Column("agent_status", ("业务员状态",), v.enum_parser(AGENT_STATUS)),
    Column("best_visit_time", ("最佳拜访时段",)),
    Column("appointment_required", ("需预约",), v.parse_bool),
    Column("interests", ("兴趣爱好",)),
    Column("reading", ("阅读刊物",)),
    Column("sports", ("喜爱运动",)),
    Column("marital_status", ("婚姻状况",)),
    Column("children", ("子女状况",)),
    Column("personality", ("个性风格",)),
    Column("household_id", ("家庭编号",)),
    Column("relation", ("关系",), v.enum_parser(RELATION)),
    Column("notes", ("备注",)),
)

POLICY_COLUMNS: tuple[Column, ...] = (
    Column("policy_no", ("保单号",), required=True),
    Column("client_id", ("客户号",), required=True),
    Column("product", ("险种", "产品名称")),
    Column("category", ("险种类别",), v.enum_parser(CATEGORY)),
    Column("sum_assured", ("保额",), v.parse_amount),
    Column("premium", ("保费",), v.parse_amount),
    Column("frequency", ("缴费方式",), v.enum_parser(FREQUENCY)),
    Column("effective_date", ("生效日", "承保日期"), v.parse_date, required=True),
    Column("payment_years", ("缴费年期",), v.parse_years),
    Column("next_due_date", ("应缴日",), v.parse_date),
    Column("status", ("保单状态",), v.enum_parser(STATUS)),
    Column("survival_benefit_date", ("生存金领取日",), v.parse_date),
    Column("participating", ("分红型", "是否分红"), v.parse_bool),
)

COLUMNS: dict[Kind, tuple[Column, ...]] = {"clients": CLIENT_COLUMNS, "policies": POLICY_COLUMNS}
KEY: dict[Kind, str] = {"clients": "client_id", "policies": "policy_no"}
PII_COLUMNS = frozenset(c.name for c in CLIENT_COLUMNS if c.pii)

_FOLD = re.compile(r"[\s_\ufeff]+")


def fold(header: str) -> str:
    """Header matching ignores case, spaces and underscores (the contract's rule)."""
    return _FOLD.sub("", header).casefold()


_LOOKUP: dict[Kind, dict[str, Column]] = {
    kind: {fold(alias): col for col in cols for alias in (col.name, *col.aliases)}
    for kind, cols in COLUMNS.items()
}


def match_header(kind: Kind, header: str) -> Column | None:
    return _LOOKUP[kind].get(fold(header))


def guess_kind(headers: list[str]) -> Kind | None:
    """A file with a policy number column holds policies; one with client id and name, clients."""
    folded = {fold(h) for h in headers}

    def has(kind: Kind, name: str) -> bool:
        col = next(c for c in COLUMNS[kind] if c.name == name)
        return any(fold(a) in folded for a in (col.name, *col.aliases))

    if has("policies", "policy_no"):
        return "policies"
    if has("clients", "client_id") and has("clients", "name"):
        return "clients"
    return None
