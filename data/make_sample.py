"""Generate the bundled sample data, or bench data of any size, from a fixed seed.

    python data/make_sample.py                      # data/clients.csv + data/policies.csv
    python data/make_sample.py --clients 100000 --out /tmp/bench

The clients file is GBK with Chinese headers and mixed date and amount spellings, the policies file
UTF-8 with English headers, as a core-system export and an Excel sheet would be. Both cover every
contract column and every enumerated value. Dates are relative to --as-of (not today), so the same
seed always writes the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from pathlib import Path

from dateutil.relativedelta import relativedelta
from stdnum.cn import ric

CLIENT_HEADERS = [
    "客户号", "客户姓名", "性别", "出生日期", "生日历法", "身份证号", "手机", "邮箱", "地址",
    "单位", "职务", "结婚纪念日", "年收入", "可投资资产", "有房产", "保单品质", "保险意识",
    "满意度", "经济条件", "流动性", "业务员", "业务员状态", "最佳拜访时段", "需预约",
    "兴趣爱好", "阅读刊物", "喜爱运动", "婚姻状况", "子女状况", "个性风格", "家庭编号", "关系",
    "备注",
]  # fmt: skip
POLICY_HEADERS = [
    "policy_no", "client_id", "product", "category", "sum_assured", "premium", "frequency",
    "effective_date", "payment_years", "next_due_date", "status", "survival_benefit_date",
    "participating",
]  # fmt: skip

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋"
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建国志文辉力永健世广海晨宇浩然欣怡子涵"
)
# Region codes that exist in every era, so any birth year gives a believable ID number.
REGIONS = ["110105", "110108", "310104", "120101", "440303", "330102", "320106", "510104"]
CITIES = [
    "北京市朝阳区建国路", "北京市海淀区中关村大街", "上海市徐汇区衡山路", "天津市和平区南京路",
    "深圳市罗湖区深南东路", "杭州市上城区解放路", "南京市鼓楼区中山北路", "成都市锦江区红星路",
]  # fmt: skip
COMPANIES = [
    "华信实业有限公司", "东方建设集团", "恒远贸易公司", "新世纪医院", "明德律师事务所",
    "瑞丰投资管理公司", "长城电子科技", "南方物流集团", "自营餐饮连锁", "市第一中学",
]  # fmt: skip
TITLES = ["董事长", "总经理", "副总裁", "财务总监", "主任医师", "合伙人", "教授", "个体经营者"]
AGENTS = ["李明", "王芳", "张伟", "刘洋", "陈静", "赵磊"]
LEFT_AGENTS = {"刘洋"}
VISIT_TIMES = ["工作日上午", "工作日晚上", "周末上午", "周末下午", "午休时间"]
INTERESTS = ["高尔夫", "书法", "茶道", "摄影", "旅游", "收藏", "红酒", "钓鱼", "围棋", "烹饪"]
READING = ["财经杂志", "哈佛商业评论", "读者", "三联生活周刊", "中国企业家", "历史书籍"]
SPORTS = ["网球", "游泳", "羽毛球", "跑步", "太极拳", "登山", "瑜伽", "乒乓球"]
MARITAL = ["已婚", "未婚", "离异", "丧偶"]
CHILDREN = ["一子", "一女", "一子一女", "两子", "无子女", "子女已成年"]
PERSONALITY = ["稳重型", "外向型", "谨慎型", "果断型", "随和型"]
NOTES = [
    "",
    "",
    "重视子女教育，考虑教育金规划",
    "关注养老规划, 对年金产品感兴趣",
    "上次拜访提到父亲身体欠佳\n需关注重疾保障",
    '客户说"保费压力不大"，可推荐增额寿',
    "VIP活动常客；喜欢参加客户答谢会",
]

PRODUCTS = {
    "life": ["福禄双全两全保险(分红型)", "鑫如意终身寿险", "定期寿险"],
    "critical_illness": ["康宁终身重大疾病保险", "守护百分百重疾险"],
    "medical": ["住院医疗保险", "高端医疗保险"],
    "accident": ["综合意外伤害保险", "交通意外保险"],
    "property": ["家庭财产保险"],
    "annuity": ["鑫享年金保险", "养老年金保险"],
    "universal": ["金账户万能险"],
    "investment_linked": ["稳健投资连结保险"],
}
# Drawn as accident covers, so that adding the category left the rest of the sample as it was.
ACCIDENT_MEDICAL = ["意外伤害医疗保险", "附加意外医疗保险"]
FREQUENCIES = ["annual", "semiannual", "quarterly", "monthly", "single"]
STATUSES = ["in_force", "grace", "lapsed", "terminated"]

ENUM_CN = {
    "gender": ["男", "女"],
    "calendar": ["公历", "农历"],
    "quality": ["好", "差"],
    "awareness": ["强", "弱"],
    "satisfaction": ["高", "低"],
    "economy": ["好", "差"],
    "mobility": ["弱", "强"],
    "yesno": ["是", "否"],
    "relation": ["本人", "配偶", "子女", "父母", "兄弟姐妹"],
}


def id_number(rng: random.Random, birthday: dt.date, male: bool) -> str:
    seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
    base = f"{rng.choice(REGIONS)}{birthday:%Y%m%d}{seq:03d}"
    return base + ric.calc_check_digit(base + "0")


def date_text(rng: random.Random, day: dt.date) -> str:
    """The spellings the data contract accepts, as different people type them."""
    form = rng.randrange(4)
    if form == 0:
        return day.isoformat()
    if form == 1:
        return f"{day.year}/{day.month}/{day.day}"
    if form == 2:
        return f"{day:%Y%m%d}"
    return f"{day.year}年{day.month}月{day.day}日"


def amount_text(rng: random.Random, yuan: int) -> str:
    form = rng.randrange(3)
    if form == 0:
        return f"{yuan // 10_000}万"
    if form == 1:
        return f"{yuan:,}"
    return str(yuan)


def indicator(rng: random.Random, values: list[str], healthy_share: float) -> str:
    if rng.random() < 0.05:
        return ""  # not yet assessed
    return values[0] if rng.random() < healthy_share else values[1]


def make_clients(rng: random.Random, n: int, as_of: dt.date) -> list[list[str]]:
    rows: list[list[str]] = []
    household = 0
    i = 0
    while i < n:
        household += 1
        size = min(n - i, rng.choice([1, 1, 1, 2, 2, 3, 4]))
        hh_id = f"H{household:06d}" if size > 1 else ""
        for member in range(size):
            rows.append(_client(rng, i, as_of, hh_id, member, _agent(i, n)))
            i += 1
    return rows


def _agent(i: int, n: int) -> str:
    """Six agents share a book of up to 100,000 clients (the sample, the benches); a larger one
    is a team's, about 1,000 clients per agent, as a real agent's book is."""
    if n <= 100_000:
        return AGENTS[i % len(AGENTS)]
    return f"业务员{i % (n // 1_000) + 1:04d}"


def _client(
    rng: random.Random, i: int, as_of: dt.date, hh_id: str, member: int, agent: str
) -> list[str]:
    male = rng.random() < 0.55
    age = rng.randint(25, 75)
    birthday = as_of - dt.timedelta(days=age * 365 + rng.randrange(365))
    if i % 97 == 5:
        birthday = dt.date(1980, 2, 29)  # Feb 29 birthdays exist and must be handled
    ident = id_number(rng, birthday, male)
    # Some rows leave birthday and gender to be derived from the ID; some have no ID at all.
    style = i % 5
    show_birthday = "" if style == 0 else date_text(rng, birthday)
    show_gender = "" if style == 0 else ENUM_CN["gender"][0 if male else 1]
    if style == 4:
        ident = ""
    married = rng.random() < 0.7
    wedding = birthday + relativedelta(years=rng.randint(23, 32), days=rng.randrange(200))
    income = rng.choice([30, 45, 60, 80, 120, 200, 350, 500]) * 10_000
    assets = rng.choice([50, 100, 300, 500, 800, 1200, 3000]) * 10_000
    relations = ENUM_CN["relation"]
    relation = "" if not hh_id else relations[member] if member < 2 else rng.choice(relations[2:])
    return [
        f"C{i + 1:06d}",
        rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice([1, 2]))),
        show_gender,
        show_birthday,
        ENUM_CN["calendar"][1 if rng.random() < 0.3 else 0],
        ident,
        f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
        f"client{i + 1}@example.com" if rng.random() < 0.6 else "",
        f"{rng.choice(CITIES)}{rng.randint(1, 300)}号",
        rng.choice(COMPANIES),
        rng.choice(TITLES),
        date_text(rng, wedding) if married and wedding < as_of else "",
        amount_text(rng, income),
        amount_text(rng, assets),
        rng.choice(ENUM_CN["yesno"]),
        indicator(rng, ENUM_CN["quality"], 0.8),
        indicator(rng, ENUM_CN["awareness"], 0.7),
        indicator(rng, ENUM_CN["satisfaction"], 0.8),
        indicator(rng, ENUM_CN["economy"], 0.85),
        indicator(rng, ENUM_CN["mobility"], 0.8),
        agent,
        "离职" if agent in LEFT_AGENTS or agent.endswith("7") else "在职",
        rng.choice(VISIT_TIMES),
        rng.choice(ENUM_CN["yesno"]),
        "、".join(rng.sample(INTERESTS, 2)),
        rng.choice(READING),
        rng.choice(SPORTS),
        MARITAL[0] if married else rng.choice(MARITAL[1:]),
        rng.choice(CHILDREN),
        rng.choice(PERSONALITY),
        hh_id,
        relation,
        rng.choice(NOTES),
    ]


def make_policies(rng: random.Random, clients: int, n: int, as_of: dt.date) -> list[list[str]]:
    rows = []
    categories = list(PRODUCTS)
    for j in range(n):
        # Cycle through every enumerated value first, then draw realistic mixes.
        category = categories[j] if j < len(categories) else rng.choice(categories)
        frequency = FREQUENCIES[j % 5] if j < 10 else rng.choice(FREQUENCIES[:1] * 6 + FREQUENCIES)
        status = STATUSES[j % 4] if j < 8 else rng.choices(STATUSES, [90, 4, 3, 3])[0]
        if status == "grace":  # a missed premium: the policy is at least a year old
            effective = as_of - dt.timedelta(days=rng.randrange(400, 365 * 15))
        elif j % 40 == 7:
            effective = as_of - dt.timedelta(days=rng.randrange(30))  # new policies: callback
        else:
            effective = as_of - dt.timedelta(days=rng.randrange(30, 365 * 15))
        years = 1 if frequency == "single" else rng.choice([5, 10, 15, 20, 20, 30])
        annual_premium = rng.choice([3, 5, 8, 12, 20, 36, 50, 100, 200]) * 1_000
        sum_assured = annual_premium * rng.choice([10, 20, 30, 50])
        per_payment = {"annual": 1, "semiannual": 2, "quarterly": 4, "monthly": 12, "single": 1}
        premium = annual_premium // per_payment[frequency]
        next_due = ""
        if status == "grace":
            next_due = (as_of - dt.timedelta(days=rng.randrange(1, 55))).isoformat()
        survival = ""
        if category == "annuity":
            survival = (effective + relativedelta(years=rng.choice([5, 10, 15]))).isoformat()
        client = f"C{rng.randrange(clients) + 1:06d}" if j >= clients else f"C{j + 1:06d}"
        product = rng.choice(PRODUCTS[category])
        if category == "accident" and j % 2:  # half the accident covers: accident medical
            category, product = "accident_medical", ACCIDENT_MEDICAL[j // 2 % 2]
            sum_assured = (20_000, 50_000, 100_000)[j % 3]
            # A few hundred yuan a year: cover that costs more than it pays out would be
            # an implausible row, which the import warns of.
            premium = sum_assured // 100 // per_payment[frequency]
        rows.append(
            [
                f"P{effective.year}{j + 1:07d}",
                client,
                product,
                category,
                str(sum_assured),
                f"{premium:.2f}" if j % 3 else str(premium),
                frequency,
                effective.isoformat(),
                str(years),
                next_due,
                status,
                survival,
                _participating(product, category, j),
            ]
        )
    return rows


def _participating(product: str, category: str, j: int) -> str:
    """Said for some policies and left out for others, as exports do: a 分红 product left
    blank counts by its name, and some annuities pay dividends without saying so in theirs.
    Worked out from the row's number, so the random draws stay as they were."""
    if "分红" in product:
        return "是" if j % 2 == 0 else ""
    if category == "annuity" and j % 3 == 0:
        return "是"
    return "否" if j % 4 == 0 else ""


def write(path: Path, headers: list[str], rows: list[list[str]], encoding: str) -> None:
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows(rows)


def generate(out: Path, clients: int, seed: int = 20261101, as_of: dt.date | None = None) -> None:
    as_of = as_of or dt.date(2026, 11, 1)
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    write(out / "clients.csv", CLIENT_HEADERS, make_clients(rng, clients, as_of), "gbk")
    policies = make_policies(rng, clients, clients * 2, as_of)
    write(out / "policies.csv", POLICY_HEADERS, policies, "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    parser.add_argument("--seed", type=int, default=20261101)
    args = parser.parse_args()
    generate(args.out, args.clients, args.seed)


if __name__ == "__main__":
    main()
