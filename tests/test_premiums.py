"""Premiums and dates an agent can trust, through the command line: paid-up policies owe nothing
in any listing, the insurer's stated due date carries its schedule in every window, the last
day to pay is named so, data that cannot be true is warned of, dates to come are refused."""

import datetime as dt
import json
import stat

import pytest
from dateutil.relativedelta import relativedelta

from helpers import Cli, write_csv

EXPORTED = "2026-03-01"
CLIENTS = ["client_id", "name", "phone", "policy_quality", "awareness", "satisfaction",
           "economy", "mobility"]  # fmt: skip
HEALTHY = ["good", "strong", "high", "good", "low"]
POLICIES = ["policy_no", "client_id", "premium", "frequency", "effective_date", "payment_years",
            "next_due_date", "status"]  # fmt: skip

# Paid up by the export of 2026-03-01, every frequency, exported with a stale status of grace.
PAID_UP = [
    ["PA", "C1", "5000", "annual", "2004-04-01", "10", "", "grace"],  # term ended 2014
    ["PS", "C1", "4000", "semiannual", "2015-06-10", "10", "", "grace"],  # 2025-06
    ["PQ", "C1", "3000", "quarterly", "2020-08-10", "5", "", "grace"],  # 2025-08
    ["PM", "C1", "1000", "monthly", "2020-11-05", "5", "", "in_force"],  # 2025-11
]
# Within the last premium's grace after the term (monthly: last 2026-01-15, term to 02-15).
JUST_ENDED = ["PJ", "C2", "1000", "monthly", "2021-02-15", "5", "", "grace"]
# The insurer's stated dates, off the effective date's schedule.
STATED = [
    ["SA", "C3", "12000", "annual", "2019-06-15", "20", "2026-03-15", "in_force"],
    ["SM", "C3", "800", "monthly", "2019-06-15", "20", "2026-03-10", "in_force"],
    ["SQ", "C3", "2400", "quarterly", "2019-06-15", "20", "2026-03-20", "in_force"],
]


@pytest.fixture
def premiums(tmp_path) -> Cli:
    cli = Cli(tmp_path / "vipctl.db")
    clients = write_csv(
        tmp_path / "clients.csv",
        CLIENTS,
        [[f"C{i}", f"客户{i}", "13800000000", *HEALTHY] for i in (1, 2, 3)],
    )
    policies = write_csv(tmp_path / "policies.csv", POLICIES, [*PAID_UP, JUST_ENDED, *STATED])
    result = cli("import", str(clients), str(policies), "--date", EXPORTED)
    assert result.exit_code == 0, result.output
    return cli


def _json(cli: Cli, *args: str):
    result = cli(*args, "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _items(cli: Cli, day: str) -> list[tuple]:
    return [
        (e["client_id"], i["kind"], i["policy_no"], i["event_date"])
        for e in _json(cli, "today", "--all", "--date", day)
        for i in e["items"]
    ]


def test_paid_up_policies_owe_nothing_anywhere(premiums):
    card = _json(premiums, "show", "C1")
    assert {p["policy_no"]: p["next_due_date"] for p in card["policies"]} == dict.fromkeys(
        ("PA", "PS", "PQ", "PM"), None
    )
    for day in ("2026-03-02", "2026-04-11", "2026-06-01"):
        assert not [i for i in _items(premiums, day) if i[1] in ("grace", "renewal_due") and
                    i[0] == "C1"]  # fmt: skip
    report = _json(premiums, "report", "--all", "--date", "2026-03-02")
    owed = {p["policy_no"] for p in report["grace"] + report["lapse_risk"]}
    assert owed == {"PJ"}
    assert card["annual_premium"] == 0  # and no premium weighs on the client's income
    events = _json(
        premiums, "upcoming", "--all", "--date", EXPORTED, "--days", "400",
        "--kind", "renewal_due,grace",
    )  # fmt: skip
    assert not [e for e in events if e["client_id"] == "C1"]


def test_the_terms_last_premium_is_owed_while_its_grace_lasts(premiums):
    card = _json(premiums, "show", "C2")
    assert card["policies"][0]["next_due_date"] == "2026-01-15"  # not 2026-02-15
    assert ("C2", "grace", "PJ", "2026-03-16") in _items(premiums, "2026-03-02")
    table = premiums("today", "--all", "--date", "2026-03-02").stdout
    assert "premium of 2026-01-15 unpaid · ¥1,000 · last day to pay 2026-03-16" in table
    assert "lapses" not in table and "lapse risk" not in table
    # Past its last day to pay: the same kind, the same name, the date said as passed.
    late = premiums("today", "--all", "--date", "2026-03-20").stdout
    assert "in grace, last day to pay passed" in late
    assert ("C2", "grace", "PJ", "2026-03-16") in _items(premiums, "2026-03-20")
    # Paid: the term is over, nothing more is due, and the policy weighs on no income.
    paid = premiums("paid", "PJ", "--date", "2026-03-05")
    assert paid.exit_code == 0 and "nothing more is due" in paid.stdout


@pytest.mark.parametrize("days", [30, 90, 365, 400])
def test_stated_dates_off_the_schedule_are_listed_in_every_window(premiums, days):
    events = _json(premiums, "upcoming", "--all", "--date", EXPORTED, "--days", str(days))
    got = {(e["policy_no"], e["event_date"]) for e in events if e["kind"] == "renewal_due"}
    end = dt.date(2026, 3, 1) + dt.timedelta(days=days)

    def schedule(first: dt.date, months: int) -> set:
        dates = (first + relativedelta(months=k * months) for k in range(40))
        return {d.isoformat() for d in dates if d <= end}

    want = {("SA", d) for d in schedule(dt.date(2026, 3, 15), 12)}
    want |= {("SM", d) for d in schedule(dt.date(2026, 3, 10), 1)}
    want |= {("SQ", d) for d in schedule(dt.date(2026, 3, 20), 3)}
    assert got == want
    assert ("SA", "2026-06-15") not in got  # the effective date's schedule is not the record


def test_stated_dates_are_on_the_list_on_their_day_and_in_the_calendar(premiums, tmp_path):
    for policy, day in (("SM", "2026-03-10"), ("SQ", "2026-03-20"), ("SA", "2026-03-15")):
        assert ("C3", "renewal_due", policy, day) in _items(premiums, day)
    # Paid, the monthly one comes back a month after the stated date, not on the 15th.
    assert premiums("paid", "SM", "--date", "2026-03-10").exit_code == 0
    assert ("C3", "renewal_due", "SM", "2026-04-10") in _items(premiums, "2026-04-10")
    ics = tmp_path / "cal.ics"
    made = premiums("calendar", "--all", "--date", EXPORTED, "--days", "400", "-o", str(ics))
    assert made.exit_code == 0, made.output
    text = ics.read_text(encoding="utf-8")
    assert "renewal_due.C3.SA.20260315@vipctl" in text
    assert "renewal_due.C3.SA.20270315@vipctl" in text
    assert "renewal_due.C3.SA.20260615@vipctl" not in text  # the effective date's schedule


def test_the_grace_kind_has_one_name_in_every_format(premiums, tmp_path):
    table = premiums("today", "--all", "--date", "2026-03-02").stdout
    assert "in grace" in table and "Items: " in table and "in grace 1" in table
    upcoming = premiums("upcoming", "--all", "--date", "2026-03-02", "--kind", "grace").stdout
    assert "in grace" in upcoming and "grace period" not in upcoming
    report = premiums("report", "--all", "--date", "2026-03-02").stdout
    assert "\nIn grace\n" in report and "Last day to pay" in report
    ics = tmp_path / "g.ics"
    premiums("calendar", "--all", "--date", "2026-03-02", "--kind", "grace", "-o", str(ics))
    assert "SUMMARY:in grace: 客户2 (C2)" in ics.read_text(encoding="utf-8")
    data = _json(premiums, "report", "--all", "--date", "2026-03-02")
    assert data["grace"][0]["last_day_to_pay"] == "2026-03-16"


@pytest.mark.parametrize("command", [["log", "C3", "--channel", "phone"], ["done", "C3"],
                                     ["paid", "SM"]])  # fmt: skip
def test_dates_to_come_are_refused(premiums, command):
    later = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    result = premiums(*command, "--date", later)
    assert result.exit_code == 1
    assert f"--date {later} is after today" in result.stderr
    assert "Traceback" not in result.output
    card = _json(premiums, "show", "C3")
    assert {p["policy_no"]: p["next_due_date"] for p in card["policies"]}["SM"] == "2026-03-10"


def test_paid_on_2031_does_not_move_the_due_date(premiums):
    result = premiums("paid", "SA", "--date", "2031-01-01")
    assert result.exit_code == 1 and "after today" in result.stderr
    assert _json(premiums, "show", "C3")["policies"][0]["next_due_date"] == "2026-03-15"


# --- data that cannot be true -----------------------------------------------------------

DOUBT_CLIENTS = ["client_id", "name", "birthday", "id_number", "wedding_anniversary",
                 "annual_income"]  # fmt: skip
DOUBT_POLICIES = ["policy_no", "client_id", "category", "premium", "sum_assured", "frequency",
                  "effective_date", "payment_years"]  # fmt: skip


@pytest.fixture
def doubtful(tmp_path) -> tuple[Cli, object]:
    cli = Cli(tmp_path / "vipctl.db")
    clients = write_csv(
        tmp_path / "clients.csv",
        DOUBT_CLIENTS,
        [
            ["D1", "老人", "1899-12-31", "", "", ""],
            ["D2", "新生", "2026-05-01", "", "", ""],
            ["D3", "早婚", "1990-06-01", "", "2005-06-01", ""],
            ["D4", "收入", "1980-01-01", "", "2010-01-01", "10000"],
            ["D5", "旧证", "", "110105761014711", "", ""],
            ["D6", "正常", "1985-01-01", "", "2012-05-01", "500000"],
        ],
    )
    policies = write_csv(
        tmp_path / "policies.csv",
        DOUBT_POLICIES,
        [
            ["Q1", "D4", "life", "20000", "1000000", "annual", "2020-01-01", "20"],
            ["Q2", "D6", "accident", "90000", "50000", "annual", "2020-01-01", "20"],
            ["Q3", "D6", "annuity", "90000", "50000", "annual", "2020-01-01", "20"],  # savings
            ["Q4", "D6", "medical", "1200", "", "annual", "2026-04-01", "20"],
        ],
    )
    return cli, (clients, policies)


def test_implausible_values_are_kept_and_warned_of(doubtful, tmp_path):
    cli, (clients, policies) = doubtful
    result = cli("import", str(clients), str(policies), "--date", EXPORTED)
    assert result.exit_code == 0, result.output
    err = result.stderr
    for where, what in [
        (f"{clients}:2: birthday", "born 1899-12-31, before 1900"),
        (f"{clients}:3: birthday", "born 2026-05-01, after the export date 2026-03-01"),
        (f"{clients}:4: wedding_anniversary", "before the client's 16th birthday"),
        (f"{clients}:5: annual_income", "annual income ¥10,000 is below the annual premium"),
        (f"{policies}:3: premium", "premium ¥90,000 is more than the sum assured ¥50,000"),
        (f"{policies}:5: effective_date", "in force from 2026-04-01, after the export date"),
    ]:
        said = [line for line in err.splitlines() if line.startswith(f"warning: {where}: ")]
        assert len(said) == 1 and what in said[0], (where, err)
    assert f"{policies}:4:" not in err  # an annuity may cost more than its sum assured
    assert f"{clients}:7:" not in err
    # Every row is kept.
    assert len(_json(cli, "clients")) == 6
    # The warnings file, beside the input like the rejects: owner-only, every warning.
    written = tmp_path / "clients.warnings.csv"
    assert f"written to {written}" in err
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    lines = written.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "line,column,value,warning" and len(lines) == 5
    assert lines[1].startswith("2,birthday,1899-12-31,")
    # The 15-digit ID became its 18-digit form, counted in the summary.
    assert f"{clients}: 1 15-digit ID number(s) converted" in result.stdout
    card = _json(cli, "show", "D5", "--show-pii")
    assert card["id_number"] == "11010519761014711X" and card["birthday"] == "1976-10-14"
    # vipctl check lists them again, and fails for none of them.
    check = cli("check", "--date", EXPORTED)
    assert check.exit_code == 0, check.output
    assert "warning: client D1: birthday: born 1899-12-31" in check.stdout
    assert "warning: client D4: annual_income: annual income ¥10,000" in check.stdout
    assert "warning: policy Q2: premium: premium ¥90,000" in check.stdout
    assert "warning: policy Q4: effective_date: in force from 2026-04-01, after today" in (
        check.stdout
    )
    assert "no problems found" in check.stdout
    # Re-importing the same files changes nothing and warns the same.
    again = cli("import", str(clients), str(policies), "--date", EXPORTED)
    assert "Nothing changed" in again.stdout and again.stderr.count("warning:") == 6


def test_a_bad_region_code_is_refused_with_the_line(tmp_path):
    cli = Cli(tmp_path / "vipctl.db")
    clients = write_csv(tmp_path / "c.csv", ["client_id", "name", "id_number"],
                        [["C1", "张三", "000000199101010074"]])  # fmt: skip
    result = cli("import", str(clients))
    assert result.exit_code == 1
    assert f"{clients}:2: id_number: the region code 000000 names no province" in result.stderr
    assert "000000199101010074" not in result.output  # masked even here


def test_a_client_with_no_indicator_is_not_assessed(premiums, tmp_path):
    clients = write_csv(tmp_path / "more.csv", ["client_id", "name"], [["N1", "无指标"]])
    assert premiums("import", str(clients), "--date", EXPORTED).exit_code == 0
    listed = premiums("clients").stdout
    row = next(line for line in listed.splitlines() if "N1" in line)
    assert "not assessed" in row and " A*" not in row
    assert _json(premiums, "show", "N1")["tier"] is None
    explained = premiums("tier", "--explain", "N1").stdout
    assert "not assessed, contact every 90 days" in explained
    assert "1 client not assessed: no indicator is known" in premiums("tier").stdout
    data = _json(premiums, "tier")
    assert data["no_indicators"] == 1 and sum(data["counts"].values()) == 3


# --- the seeds' rules -------------------------------------------------------------------


def test_clients_above_the_high_end_band_are_high_end(tmp_path):
    cli = Cli(tmp_path / "vipctl.db")
    clients = write_csv(
        tmp_path / "c.csv",
        ["client_id", "name", "annual_income", "investable_assets"],
        [
            ["H1", "中产", "500000", "5000000"],
            ["H2", "巨富", "3000000", "80000000"],  # the seeds' 关键客户: very rich
            ["H3", "普通", "100000", "200000"],
        ],
    )
    assert cli("import", str(clients)).exit_code == 0
    assert [c["client_id"] for c in _json(cli, "clients", "--high-end")] == ["H1", "H2"]
    gaps = _json(cli, "gaps", "--high-end")
    assert {g["client_id"] for g in gaps} == {"H1", "H2"}
    card = _json(cli, "show", "H2")
    assert (card["high_end"], card["high_end_band"]) == (True, "above")
    assert "yes, above the band" in cli("show", "H2").stdout
    brief = _json(cli, "review", "H2", "--date", EXPORTED)
    assert brief["high_end"] is True and brief["high_end_band"] == "above"
    assert "High-end client: yes, above the band" in cli("review", "H2").stdout


def test_accident_medical_is_a_contract_category(tmp_path):
    cli = Cli(tmp_path / "vipctl.db")
    clients = write_csv(tmp_path / "c.csv", ["client_id", "name"], [["C1", "张三"]])
    policies = write_csv(
        tmp_path / "p.csv",
        ["policy_no", "client_id", "险种类别", "保额", "effective_date"],
        [["P1", "C1", "意外医疗", "80000", "2020-01-01"]],
    )
    assert cli("import", str(clients), str(policies)).exit_code == 0
    assert _json(cli, "show", "C1")["policies"][0]["category"] == "accident_medical"
    gaps = {g["need"] for g in _json(cli, "gaps")}
    assert "accident_medical" not in gaps  # ¥80,000 meets the ¥50,000 guidance


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_an_income_below_new_premiums_is_doubted_by_id(engine, tmp_path, request):
    db = tmp_path / "vipctl.db"
    if engine == "postgresql":
        from helpers import new_schema

        db = new_schema(request.getfixturevalue("pg_cluster"))
    cli = Cli(db)
    clients = write_csv(tmp_path / "c.csv", ["client_id", "name", "annual_income"],
                        [["C1", "张三", "10000"], ["C2", "李四", "900000"]])  # fmt: skip
    assert cli("import", str(clients), "--date", EXPORTED).stderr == ""
    policies = write_csv(tmp_path / "p.csv", POLICIES,
                         [["P1", "C1", "20000", "annual", "2020-01-01", "20", "", ""],
                          ["P2", "C2", "20000", "annual", "2020-01-01", "20", "", ""]])  # fmt: skip
    result = cli("import", str(policies), "--date", EXPORTED)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "warning: client C1: annual_income: annual income ¥10,000 is below the annual premium "
        "¥20,000 the client pays"
    ]
