"""``review``, ``gaps``, ``clients --high-end``, the card's high-end line and the burden on the
morning list, on a small book whose figures are worked out by hand below."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from helpers import rows, write_csv

CLIENT_HEADERS = [
    "client_id", "name", "phone", "birthday", "wedding_anniversary", "household_id", "relation",
    "annual_income", "investable_assets", "owns_property", "best_visit_time", "interests",
    "notes", "agent", "policy_quality", "awareness", "satisfaction", "economy", "mobility",
]  # fmt: skip
HEALTHY = ["good", "strong", "high", "good", "low"]
CLIENTS = [
    # A household: he earns most (main earner); together 1,000,000 a year and 4,000,000 of
    # assets, so both are high-end.
    ["R1", "王大伟", "13812345678", "1970-12-01", "1998-12-05", "H1", "本人", "80万", "300万",
     "是", "周末上午", "高尔夫", "关注子女教育 | 留学", "王芳", *HEALTHY],
    ["R2", "李静", "13900001111", "1972-03-03", "", "H1", "配偶", "20万", "100万", "", "",
     "", "", "王芳", *HEALTHY],
    # Alone, 100,000 a year: premiums of 15,000 are 15 % of it.
    ["R3", "赵小", "13700002222", "1990-01-15", "", "", "", "100000", "500000", "否", "", "",
     "", "李四", "poor", "weak", "high", "good", "low"],
]  # fmt: skip
POLICY_HEADERS = [
    "policy_no", "client_id", "category", "sum_assured", "premium", "frequency", "effective_date",
    "payment_years", "status",
]  # fmt: skip
POLICIES = [
    ["L1", "R1", "寿险", "600000", "60000", "annual", "2019-03-01", "20", "有效"],
    ["C1", "R1", "重疾", "500000", "20000", "annual", "2018-06-01", "20", "宽限期"],
    ["A1", "R1", "意外", "1000000", "1000", "annual", "2018-06-01", "20", "中止"],  # lapsed
    ["M1", "R1", "意外医疗", "50000", "300", "annual", "2018-06-01", "20", "有效"],
    ["L3", "R3", "life", "100000", "15000", "annual", "2020-12-10", "20", "in_force"],
]
DAY = "2026-11-24"


@pytest.fixture
def needs_book(cli, tmp_path):
    clients = write_csv(tmp_path / "clients.csv", CLIENT_HEADERS, CLIENTS)
    policies = write_csv(tmp_path / "policies.csv", POLICY_HEADERS, POLICIES)
    result = cli("import", str(clients), str(policies), "--date", "2026-11-01")
    assert result.exit_code == 0, result.output
    return cli


def brief(cli, client_id: str) -> dict:
    result = cli("review", client_id, "--date", DAY, "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_brief_as_json(needs_book):
    got = brief(needs_book, "R1")
    coverage = {c["need"]: (c["state"], c["have"], c["short_by"]) for c in got["coverage"]}
    assert coverage == {
        "life": ("short", 600000, 400000),
        "critical_illness": ("met", 500000, None),  # in its grace period: still cover
        "accident": ("absent", 0, 1000000),  # the lapsed policy covers nothing
        "accident_medical": ("met", 50000, None),
        "property": ("absent", 0, None),
    }
    # 60,000 + 20,000 + 300 a year (the lapsed policy's does not count) against 800,000:
    # 10.04 %, shown rounded away from the 10 % it is over.
    assert got["premium_burden"] == {
        "annual_premium": 80300,
        "income": 800000,
        "percent": 10.1,
        "risk": True,
    }
    assert got["household"] == {
        "household_id": "H1",
        "main_earner": True,
        "income": 1000000,
        "investable_assets": 4000000,
    }
    assert got["high_end"] is True
    assert got["tier"] == "A" and got["off"] == [] and got["missing"] == []
    assert got["phone"] == "138****5678"
    assert [p["policy_no"] for p in got["policies"]] == ["A1", "C1", "M1", "L1"]
    assert [(c["kind"], c["event_date"], c["policy_no"]) for c in got["care_dates"]][:3] == [
        ("birthday", "2026-12-01", None),
        ("wedding_anniversary", "2026-12-05", None),
        ("policy_anniversary", "2027-03-01", "L1"),
    ]
    assert got["talking_points"][:3] == [
        "C1 (critical illness, ¥500,000): the premium of 2026-06-01 is unpaid; last day to pay "
        "2026-07-31 (passed)",
        "life cover ¥600,000, ¥400,000 short of ¥1,000,000",
        "critical illness ¥500,000 meets the minimum; ¥800,000–¥1,500,000 is reasonable",
    ]


def test_the_spouse_is_not_the_main_earner_and_her_property_is_unknown(needs_book):
    got = brief(needs_book, "R2")
    states = {c["need"]: c["state"] for c in got["coverage"]}
    assert states["life"] == "n/a" and states["property"] == "unknown"
    assert got["high_end"] is True  # the household's figures
    assert got["premium_burden"]["percent"] == 0.0


def test_the_brief_lists_the_last_five_contacts(needs_book):
    for day in range(1, 8):
        assert needs_book("log", "R1", "--channel", "phone", "--note", f"n{day}",
                          "--date", f"2026-11-0{day}").exit_code == 0  # fmt: skip
    got = brief(needs_book, "R1")
    assert [c["note"] for c in got["contacts"]] == ["n7", "n6", "n5", "n4", "n3"]


def test_the_brief_on_screen_and_in_markdown(needs_book):
    shown = needs_book("review", "R1", "--date", DAY)
    assert shown.exit_code == 0, shown.output
    out = shown.stdout
    for heading in ("About the client", "Policies held", "Coverage", "Premium burden",
                    "Next care dates", "Last contacts", "Talking points"):  # fmt: skip
        assert f"\n{heading}\n" in out
    assert "Tier A (indicators off: none) · segment" in out
    assert "Best visit time: 周末上午" in out and "Interests: 高尔夫" in out
    assert "138****5678" in out and "13812345678" not in out
    assert "- owns property but has no home property cover" in out
    assert "10.1% of income — a risk of premiums stopping" in out
    assert "13812345678" in needs_book("review", "R1", "--date", DAY, "--show-pii").stdout

    md = needs_book("review", "R1", "--date", DAY, "-f", "markdown").stdout
    assert md.startswith("# Visit brief: R1 王大伟, Tue 2026-11-24\n")
    assert "| Need | In force | Guidance | State |" in md
    assert "| life | ¥600,000 | ≥ ¥1,000,000 for the main earner | short by ¥400,000 |" in md
    assert "Notes: 关注子女教育 \\| 留学" in md  # a pipe in client data cannot break a table


def test_review_of_an_unknown_client(needs_book):
    result = needs_book("review", "NOPE")
    assert result.exit_code == 1
    assert "no client 'NOPE'" in result.stderr


def gap_rows(cli, *args: str) -> list[tuple]:
    result = cli("gaps", *args, "-f", "json")
    assert result.exit_code == 0, result.output
    return [
        (r["client_id"], r["need"], r["state"], r["short_by"]) for r in json.loads(result.stdout)
    ]


def test_gaps_lists_every_absent_or_short_cover_largest_first(needs_book):
    assert gap_rows(needs_book) == [
        ("R1", "accident", "absent", 1000000),  # a tie: by client
        ("R2", "accident", "absent", 1000000),
        ("R3", "accident", "absent", 1000000),
        ("R3", "life", "short", 900000),
        ("R2", "critical_illness", "absent", 500000),
        ("R3", "critical_illness", "absent", 500000),
        ("R1", "life", "short", 400000),
        ("R2", "accident_medical", "absent", 50000),
        ("R3", "accident_medical", "absent", 50000),
        ("R1", "property", "absent", None),  # no amount: last
    ]


def test_gaps_sorted_and_filtered(needs_book):
    by_client = gap_rows(needs_book, "--sort", "client")
    assert [r[:2] for r in by_client] == [
        ("R1", "life"), ("R1", "accident"), ("R1", "property"),
        ("R2", "critical_illness"), ("R2", "accident"), ("R2", "accident_medical"),
        ("R3", "life"), ("R3", "critical_illness"), ("R3", "accident"), ("R3", "accident_medical"),
    ]  # fmt: skip
    shortfall = gap_rows(needs_book)
    amounts = [r[3] if r[3] is not None else -1 for r in shortfall]
    assert amounts == sorted(amounts, reverse=True) and sorted(shortfall) == sorted(by_client)
    assert gap_rows(needs_book, "--need", "life") == [
        ("R3", "life", "short", 900000),
        ("R1", "life", "short", 400000),
    ]
    assert {r[0] for r in gap_rows(needs_book, "--agent", "李四")} == {"R3"}
    assert {r[0] for r in gap_rows(needs_book, "--tier", "A")} == {"R1", "R2"}
    # Narrowed to R2 without R1, R2 is still judged with her household: not the main earner.
    segment = json.loads(needs_book("review", "R2", "-f", "json").stdout)["segment"]
    assert segment != json.loads(needs_book("review", "R1", "-f", "json").stdout)["segment"]
    narrowed = gap_rows(needs_book, "--segment", segment)
    assert "R2" in {r[0] for r in narrowed}
    assert narrowed == [r for r in shortfall if r[0] in {r[0] for r in narrowed}]
    assert needs_book("gaps", "--need", "boat").exit_code == 2
    assert needs_book("gaps", "--sort", "size").exit_code == 2


def test_gaps_as_csv_and_table(needs_book):
    out = needs_book("gaps", "--need", "property", "-f", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["client_id"], r["state"], r["short_by"]) for r in rows] == [("R1", "absent", "")]
    table = needs_book("gaps", "--need", "property").stdout
    assert "1 gap of 1 client" in table and "home property" in table


def test_thresholds_from_the_config_file(needs_book, own_config):
    own_config.write_text("[needs]\nlife_main_earner = 700000\n", encoding="utf-8")
    assert ("R1", "life", "short", 100000) in gap_rows(needs_book, "--need", "life")
    own_config.write_text("[needs]\nlife_main_earner = -1\n", encoding="utf-8")
    result = needs_book("gaps")
    assert result.exit_code == 1
    assert "[needs] life_main_earner: expected a number from 0" in result.stderr
    own_config.write_text("[needs]\nhigh_end_assets = [5, 1]\n", encoding="utf-8")
    assert "expected low ≤ high" in needs_book("gaps").stderr
    own_config.write_text("[needs]\nlife = 1\n", encoding="utf-8")
    assert "[needs] life: unknown setting" in needs_book("gaps").stderr


def test_clients_high_end_and_the_card(needs_book):
    result = needs_book("clients", "--high-end", "-f", "json")
    assert [c["client_id"] for c in json.loads(result.stdout)] == ["R1", "R2"]
    first = needs_book("clients", "--high-end", "--limit", "1").stdout
    assert "the first 1 of 2 clients" in first and "R1" in first and "R2" not in first
    assert re.search(r"High-end client +no\b", needs_book("show", "R3").stdout)
    assert json.loads(needs_book("show", "R1", "-f", "json").stdout)["high_end"] is True


def test_the_morning_list_says_when_a_renewal_weighs_on_income(needs_book):
    items = {
        i["policy_no"]: i["detail"]
        for entry in json.loads(needs_book("today", "--date", DAY, "-f", "json").stdout)
        for i in entry["items"]
        if i["policy_no"]
    }
    assert items["L3"].endswith("· premiums 15.0% of income (over 10%): may stop")
    assert items["C1"].endswith("· premiums 10.1% of income (over 10%): may stop")  # grace
    assert "L1" not in items  # its reminder is still to come


def test_the_docs_document_the_brief_s_json_as_it_is(needs_book):
    readme = (Path(__file__).resolve().parent.parent / "docs" / "needs.md").read_text(
        encoding="utf-8"
    )
    block = readme.split("`review -f json` is one object", 1)[1].split("```json\n", 1)[1]
    documented = json.loads(block.split("```", 1)[0])
    got = brief(needs_book, "R1")
    assert documented.keys() <= got.keys()
    for key in ("household", "premium_burden"):
        assert documented[key].keys() == got[key].keys()
    needs_book("log", "R1", "--channel", "phone", "--note", "n7", "--date", "2026-11-07")
    got = brief(needs_book, "R1")
    for key in ("coverage", "care_dates", "contacts"):
        assert documented[key][0].keys() == got[key][0].keys()
    assert documented["contacts"] == got["contacts"]
    assert documented["care_dates"][0] == got["care_dates"][0]
    assert documented["coverage"][0] == {**got["coverage"][0]}
    assert documented["premium_burden"] == got["premium_burden"]


def test_a_new_income_changes_the_morning_list_s_note(needs_book, tmp_path):
    richer = write_csv(tmp_path / "richer.csv", ["client_id", "name", "annual_income"],
                       [["R3", "赵小", "300000"]])  # fmt: skip
    assert needs_book("import", str(richer), "--date", "2026-11-02").exit_code == 0
    assert rows(needs_book.db, "SELECT premium_share FROM client_tier WHERE client_id = 'R3'") == [
        (5.0,)
    ]
    entries = json.loads(needs_book("today", "--date", DAY, "-f", "json").stdout)
    details = [i["detail"] for e in entries for i in e["items"] if i["policy_no"] == "L3"]
    assert details and not any("of income" in d for d in details)
