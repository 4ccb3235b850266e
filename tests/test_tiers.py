import json
from decimal import Decimal

import pytest

from helpers import write_csv
from vipctl import config
from vipctl.config import SegmentRules, TierRules
from vipctl.rules import segments, tiers

HEALTHY = {
    "policy_quality": "good",
    "awareness": "strong",
    "satisfaction": "high",
    "economy": "good",
    "mobility": "low",
}
OFF = {
    "policy_quality": "poor",
    "awareness": "weak",
    "satisfaction": "low",
    "economy": "poor",
    "mobility": "high",
}


@pytest.mark.parametrize(("n_off", "tier"), [(0, "A"), (1, "B"), (2, "C"), (3, "D"), (5, "D")])
def test_tier_boundaries(n_off, tier):
    values = {n: (OFF if i < n_off else HEALTHY)[n] for i, n in enumerate(tiers.NAMES)}
    found = tiers.assess(values, TierRules())
    assert found.tier == tier and len(found.off) == n_off and not found.incomplete


def test_missing_indicators_are_not_counted_healthy():
    values = {**OFF, "policy_quality": None, "awareness": None, "satisfaction": None}
    found = tiers.assess(values, TierRules())
    assert found.tier == "C"  # scored on the two known ones, both off
    assert found.missing == ("policy_quality", "awareness", "satisfaction")
    assert found.incomplete
    # Nothing known: not assessed, not tier A with a mark.
    nothing = tiers.assess({}, TierRules())
    assert nothing.tier is None and nothing.incomplete and len(nothing.missing) == 5
    one = tiers.assess({"mobility": "low"}, TierRules())
    assert one.tier == "A" and len(one.missing) == 4


def test_config_overrides(own_config):
    own_config.write_text(
        "[tiers.healthy]\nmobility = '强'\n"
        "[tiers.most_off]\nA = 1\nB = 2\nC = 3\n"
        "[tiers.cadence_days]\nD = 7\n"
        "[segments.up_to_percent]\nkey = 20\n"
        "[agenda]\nround_ages = [60, 30]\nbirthday_lead_days = 3\n"
        "[team]\nagent = '王芳'\n",
        encoding="utf-8",
    )
    loaded = config.load()
    assert loaded.agenda.round_ages == (30, 60) and loaded.agenda.birthday_lead_days == 3
    assert loaded.agenda.grace_days == 60  # not set: the default
    assert loaded.team.agent == "王芳"
    assert loaded.tiers.healthy["mobility"] == "high"
    assert loaded.tiers.cadence_days == {"A": 90, "B": 60, "C": 30, "D": 7, "no_indicators": 90}
    assert loaded.segments.up_to_percent == {"key": 20.0, "important": 80.0, "general": 95.0}
    values = {**HEALTHY, "mobility": "high", "economy": "poor"}
    assert tiers.assess(values, loaded.tiers).tier == "A"  # one off, and A now allows one


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[tiers]\ncadence = 3\n", "[tiers] cadence: unknown setting"),
        ("[tiers.healthy]\nmobility = 'medium'\n", "[tiers.healthy] mobility: expected one of"),
        ("[tiers.cadence_days]\nA = 0\n", "[tiers.cadence_days] A: expected a whole number"),
        ("[tiers.most_off]\nA = 2\nB = 1\n", "A ≤ B ≤ C expected"),
        ("[segments.up_to_percent]\nkey = 120\n", "key: expected a number from 0 to 100"),
        ("colour = 'red'\n", "colour: unknown setting"),
        ("[agenda]\ngrace_days = 0\n", "[agenda] grace_days: expected at least 1 day"),
        ("[agenda]\nbogus = 1\n", "[agenda] bogus: unknown setting"),
        ("[agenda]\nround_ages = 5\n", "[agenda] round_ages: expected a list of whole numbers"),
        ("[team]\nagent = ''\n", "[team] agent: expected a non-empty string"),
        ("[tiers\n", "not valid TOML"),
    ],
)
def test_config_errors_name_the_file_and_key(cli, own_config, clients_csv, text, problem):
    own_config.write_text(text, encoding="utf-8")
    result = cli("import", str(clients_csv))
    assert result.exit_code == 1
    assert str(own_config) in result.stderr and problem in result.stderr
    assert "Traceback" not in result.output


def test_config_path(cli, own_config):
    result = cli("config", "path")
    assert result.exit_code == 0 and result.stdout.strip() == str(own_config)


def cuts(**premiums: int) -> dict[str, str]:
    return segments.segment_all({k: Decimal(v) for k, v in premiums.items()}, SegmentRules())


def test_pareto_cut_offs():
    # 50 % is reached by a alone; b crosses 80 %; c crosses 95 %; d is the rest.
    assert cuts(a=50, b=30, c=15, d=4, e=1) == {
        "a": "key",
        "b": "important",
        "c": "general",
        "d": "maintain",
        "e": "maintain",
    }
    # The client who crosses a line still belongs above it.
    assert cuts(a=40, b=30, c=30)["b"] == "key"


def test_ties_share_a_segment_and_zero_is_maintain():
    assert cuts(a=40, b=30, c=30) == {"a": "key", "b": "key", "c": "key"}
    assert cuts(z=30, y=30, x=40) == {"x": "key", "y": "key", "z": "key"}
    assert cuts(a=100, b=0, c=0) == {"a": "key", "b": "maintain", "c": "maintain"}
    assert cuts(a=0, b=0) == {"a": "maintain", "b": "maintain"}
    assert cuts() == {}


CLIENTS = ["client_id", "name", "保单品质", "保险意识", "满意度", "经济条件", "流动性"]
POLICIES = ["policy_no", "client_id", "premium", "frequency", "effective_date", "status"]


def book(tmp_path, clients, policies=()):
    paths = [write_csv(tmp_path / "clients.csv", CLIENTS, clients)]
    if policies:
        paths.append(write_csv(tmp_path / "policies.csv", POLICIES, policies))
    return [str(p) for p in paths]


def test_annualised_premium_and_segments_through_import(cli, tmp_path):
    files = book(
        tmp_path,
        [[f"C{i}", f"客户{i}", "好", "强", "高", "好", "低"] for i in range(1, 6)],
        [
            ["P1", "C1", "1000", "月缴", "2020-01-01", "有效"],  # 12,000 a year
            ["P2", "C2", "2500", "quarterly", "2020-01-01", "grace"],  # 10,000, still in force
            ["P3", "C3", "500000", "趸缴", "2020-01-01", "in_force"],  # single: spread
            ["P4", "C4", "9000", "annual", "2020-01-01", "lapsed"],  # lapsed: not counted
            ["P5", "C5", "3000", "semiannual", "2020-01-01", ""],  # 6,000
        ],
    )
    assert cli("import", *files, "--date", "2026-11-24").exit_code == 0
    shown = {c["client_id"]: c for c in json.loads(cli("clients", "-f", "json").stdout)}
    premiums = {
        k: json.loads(cli("tier", "--explain", k, "-f", "json").stdout)["annual_premium"]
        for k in shown
    }
    assert premiums == {"C1": 12000, "C2": 10000, "C3": 0, "C4": 0, "C5": 6000}
    values = {
        k: json.loads(cli("tier", "--explain", k, "-f", "json").stdout)["value_premium"]
        for k in shown
    }
    # The single premium counts a tenth a year for ten years: ¥500,000 is ¥50,000 a year.
    assert values == {"C1": 12000, "C2": 10000, "C3": 50000, "C4": 0, "C5": 6000}
    # Total 78,000: C3 crosses 50 % (key), C1 and C2 reach 79 % (important), C5 92 % (general).
    assert {k: c["segment"] for k, c in shown.items()} == {
        "C1": "important",
        "C2": "important",
        "C3": "key",
        "C4": "maintain",
        "C5": "general",
    }


@pytest.mark.parametrize(
    ("effective", "years", "value"),
    [
        ("2017-01-01", None, 300000),  # ten years from 2017: still counted
        ("2016-11-24", None, 0),  # ten years to the day: spent
        ("2016-11-24", 20, 150000),  # the config spreads it over twenty
    ],
)
def test_a_single_premium_counts_spread_over_the_configured_years(
    cli, tmp_path, own_config, effective, years, value
):
    if years:
        own_config.write_text(f"[segments]\nsingle_premium_years = {years}\n", encoding="utf-8")
    files = book(
        tmp_path,
        [[f"C{i}", f"客户{i}", "好", "强", "高", "好", "低"] for i in (1, 2)],
        [
            ["P1", "C1", "3000000", "趸缴", effective, "有效"],
            ["P2", "C2", "10000", "annual", "2020-01-01", "有效"],
        ],
    )
    assert cli("import", *files, "--date", "2026-11-24").exit_code == 0
    explained = json.loads(cli("tier", "--explain", "C1", "-f", "json").stdout)
    assert (explained["annual_premium"], explained["value_premium"]) == (0, value)
    assert explained["segment"] == ("key" if value else "maintain")


def test_a_paid_up_policy_adds_nothing_to_the_annual_premium(cli, tmp_path):
    (clients,) = book(tmp_path, [["C1", "客户1", "好", "强", "高", "好", "低"]])
    policies = write_csv(
        tmp_path / "policies.csv",
        [*POLICIES, "payment_years"],
        [
            ["P1", "C1", "10000", "annual", "2005-03-01", "有效", "10"],  # paid up in 2015
            ["P2", "C1", "2000", "annual", "2010-03-01", "grace", "10"],  # grace, paid up 2020
            ["P3", "C1", "1500", "quarterly", "2020-03-01", "有效", "20"],  # still paying
        ],
    )
    assert cli("import", clients, str(policies), "--date", "2026-11-24").exit_code == 0
    explained = json.loads(cli("tier", "--explain", "C1", "-f", "json").stdout)
    assert explained["annual_premium"] == 6000 == explained["value_premium"]


def test_history_on_change_only_and_idempotent_recompute(cli, tmp_path):
    files = book(
        tmp_path,
        [
            ["C1", "张三", "good", "weak", "low", "poor", "high"],  # D
            ["C2", "李四", "好", "强", "高", "好", "低"],  # A
        ],
    )
    assert cli("import", *files, "--date", "2026-11-02").exit_code == 0
    again = cli("tier", "--recompute", "--date", "2026-11-03")
    assert "nothing changed" in again.stderr
    # C1's awareness and satisfaction improve: D (4 off) -> B (2 off would be C; 1 off is B).
    files = book(
        tmp_path,
        [
            ["C1", "张三", "good", "strong", "high", "poor", "low"],
            ["C2", "李四", "好", "强", "高", "好", "低"],
        ],
    )
    result = cli("import", *files, "--date", "2026-11-10")
    assert result.exit_code == 0, result.output
    assert "1 moved up, 0 moved down" in result.stdout
    assert "nothing changed" in cli("tier", "--recompute", "--date", "2026-11-11").stderr
    data = json.loads(cli("tier", "--date", "2026-11-20", "-f", "json").stdout)
    assert data["counts"] == {"A": 1, "B": 1, "C": 0, "D": 0}
    assert data["movements"] == [
        {
            "client_id": "C1",
            "date": "2026-11-10",
            "from": "D",
            "to": "B",
            "changed": "awareness,satisfaction,mobility",
        }
    ]
    assert data["moved"] == {"up": 1, "down": 0, "by_arrow": {"D→B": 1}}
    # The period: the default starts on the 1st of the month; --since moves it.
    later = json.loads(cli("tier", "--date", "2026-12-05", "-f", "json").stdout)
    assert later["movements"] == [] and later["since"] == "2026-12-01"
    since = cli("tier", "--date", "2026-12-05", "--since", "2026-11-01", "--detail")
    assert "D→B" in since.stdout and "张三" in since.stdout and "1 up, 0 down" in since.stdout
    detail_csv = cli("tier", "--date", "2026-11-20", "--detail", "-f", "csv").stdout
    assert detail_csv.splitlines()[1].startswith("C1,张三,2026-11-10,D,B,")


def test_config_change_moves_clients_on_recompute(cli, tmp_path, own_config):
    files = book(tmp_path, [["C1", "张三", "good", "strong", "high", "good", "high"]])
    assert cli("import", *files, "--date", "2026-11-02").exit_code == 0
    assert json.loads(cli("tier", "-f", "json").stdout)["counts"]["B"] == 1
    own_config.write_text("[tiers.healthy]\nmobility = 'high'\n", encoding="utf-8")
    stale = json.loads(cli("tier", "--explain", "C1", "-f", "json").stdout)
    assert stale["tier"] == "A" and stale["stored_tier"] == "B"
    assert "1 moved up" in cli("tier", "--recompute", "--date", "2026-11-05").stderr
    assert "nothing changed" in cli("tier", "--recompute", "--date", "2026-11-06").stderr


def test_explain(cli, tmp_path):
    files = book(tmp_path, [["C1", "张三", "差", "", "低", "好", ""]])
    assert cli("import", *files, "--date", "2026-11-02").exit_code == 0
    data = json.loads(cli("tier", "--explain", "C1", "-f", "json").stdout)
    assert {k: data[k] for k in ("client_id", "tier", "off", "incomplete", "segment")} == {
        "client_id": "C1",
        "tier": "C",
        "off": ["policy_quality", "satisfaction"],
        "incomplete": True,
        "segment": "maintain",
    }
    assert data["cadence_days"] == 30
    assert data["missing"] == ["awareness", "mobility"]
    table = cli("tier", "--explain", "C1").stdout
    assert "tier C*" in table and "contact every 30 days" in table
    assert "awareness, mobility unknown" in table
    rows = cli("tier", "--explain", "C1", "-f", "csv").stdout.splitlines()
    assert rows[0] == "indicator,value,healthy,state" and rows[1] == "policy_quality,poor,good,off"
    missing = cli("tier", "--explain", "NOPE")
    assert missing.exit_code == 1 and "no client 'NOPE'" in missing.stderr


def test_distribution_table_and_csv(cli, tmp_path):
    files = book(
        tmp_path,
        [
            ["C1", "张三", "good", "strong", "high", "good", "low"],
            ["C2", "李四", "poor", "weak", "low", "good", "low"],
            ["C3", "王五", "poor", "", "", "", ""],
        ],
    )
    assert cli("import", *files).exit_code == 0
    table = cli("tier").stdout
    assert "Clients per tier and value segment" in table
    assert "2 of them assessed on incomplete indicators" not in table
    assert "1 of them assessed on incomplete indicators" in table
    rows = cli("tier", "-f", "csv").stdout.splitlines()
    assert rows[0] == "tier,key,important,general,maintain,total"
    assert rows[1:] == ["A,0,0,0,1,1", "B,0,0,0,1,1", "C,0,0,0,0,0", "D,0,0,0,1,1"]
    listed = cli("clients").stdout
    assert "B*" in listed and "assessment incomplete" in listed
