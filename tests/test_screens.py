"""Every screen fits the terminal it is on, down to 60 columns, without breaking a client id, a
policy number or a date: seen through a real pseudo-terminal, as a person at a shell sees it."""

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from helpers import DATA, Cli, screens
from vipctl.views import fit

ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# Anything that starts like an id or a date must be one whole: a fragment is a broken token.
TOKEN_START = re.compile(r"(?<![\w-])(?:C\d+|P\d+|\d{4}-[\d-]*)")
WHOLE = re.compile(r"C\d{6}|P\d{11}|\d{4}-\d{2}-\d{2}")
DAY = "2026-11-24"
COMMANDS = [
    ["today", "--date", DAY],
    ["today", "--explain", "C000168", "--date", DAY],
    ["upcoming", "--date", DAY],
    ["clients"],
    ["show", "C000168"],
    ["review", "C000168", "--date", DAY],
    ["tier"],
    ["tier", "--explain", "C000168"],
    ["tier", "--detail", "--since", "2020-01-01", "--date", DAY],
    ["gaps"],
    ["history", "C000001"],
    ["service", "list", "--all", "--date", DAY],
    ["campaign", "status", "2026分红报告", "--date", DAY],
    ["campaign", "list", "--date", DAY],
    ["standards", "--until", DAY, "--team"],
    ["draft", "C000001", "--occasion", "festival", "--channel", "letter", "--date", DAY],
    ["import", str(DATA / "clients.csv"), "--date", "2026-11-01"],
]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    db = tmp_path_factory.mktemp("screens") / "sample.db"
    cli = Cli(db)
    files = [str(DATA / "clients.csv"), str(DATA / "policies.csv")]
    assert cli("import", *files, "--date", "2026-11-01").exit_code == 0
    note = "asked about the critical illness cover for his daughter"
    logged = cli("log", "C000001", "--channel", "phone", "--date", "2026-11-20", "--note", note)
    assert logged.exit_code == 0
    for args in (
        ("service", "open", "C000001", "--type", "claim", "--note", note, "--date", "2026-11-18"),
        ("service", "open", "C000002", "--type", "change", "--date", "2026-11-22"),
        ("campaign", "new", "2026分红报告", "--kind", "dividend", "--date", "2026-11-20"),
    ):
        assert cli(*args).exit_code == 0
    return db


def _checked(screen: str, columns: int) -> str:
    shown = ESCAPES.sub("", screen)
    for line in shown.splitlines():
        assert cell_len(line) <= columns, f"{cell_len(line)} > {columns}: {line!r}"
    for token in TOKEN_START.findall(shown):
        assert WHOLE.fullmatch(token), f"broken: {token!r}"
    return shown


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_every_screen_fits_the_terminal_and_keeps_ids_and_dates_whole(sample, columns):
    shown = screens([["--db", str(sample), *c] for c in COMMANDS], columns)
    assert len(shown) == len(COMMANDS)
    for command, screen in zip(COMMANDS, shown, strict=True):
        text = _checked(screen, columns)
        assert "Traceback" not in text, command
    today = shown[0]
    piped = Cli(sample)("today", "--date", DAY).stdout
    assert set(re.findall(r"C\d{6}", piped)) <= set(re.findall(r"C\d{6}", today))
    assert "the first 50 of" in today
    if columns < 100:  # the least needed columns gave way, the phone moved under the name
        assert "Score" not in today and "Segment" not in today
    else:
        assert "Segment" in today


def test_columns_is_honoured_and_no_color_keeps_the_layout(sample):
    (narrow,) = screens([["--db", str(sample), "today", "--date", DAY]], 200, {"COLUMNS": "64"})
    _checked(narrow, 64)
    assert "\x1b[" in narrow
    (plain,) = screens([["--db", str(sample), "today", "--date", DAY]], 72, {"NO_COLOR": "1"})
    assert "\x1b[" not in plain
    _checked(plain, 72)


def test_piped_output_keeps_a_row_on_one_line(sample):
    """Whatever COLUMNS says where no terminal is (pytest-xdist's workers set it)."""
    piped = Cli(sample)("today", "--date", DAY, "--limit", "3", env={"COLUMNS": "60"}).stdout
    rows = [line for line in piped.splitlines() if re.match(r"\d+ +C\d{6}", line)]
    assert len(rows) == 3 and all("Best time" not in r for r in rows)
    assert all(re.search(r"1\d\d\*{4}\d{4}", row) for row in rows)  # the phone on the row


def test_reasons_wrap_at_their_separators_first():
    reason = "new-policy callback for 24 d · P20260000366 · new policy effective 2026-02-05"
    assert fit.wrap(reason, 40).splitlines() == [
        "new-policy callback for 24 d ·",
        "  P20260000366 ·",
        "  new policy effective 2026-02-05",
    ]
    assert fit.wrap("广州市天河区珠江新城华夏路10号富力盈凯广场", 12) == (
        "广州市天河区\n珠江新城华夏\n路10号富力盈\n凯广场"
    )
    assert fit.wrap("/home/agent/exports/2026/clients.csv", 24) == (
        "/home/agent/exports/\n  2026/clients.csv"
    )


words = st.lists(
    st.one_of(
        st.from_regex(r"[a-z]{1,12}", fullmatch=True),
        # [0-9], not \d: a full-width digit (０) is a Chinese character, which may break.
        st.from_regex(
            r"C[0-9]{6}|[0-9]{4}-[0-9]{2}-[0-9]{2}|¥[0-9]{1,3}(,[0-9]{3}){0,2}", fullmatch=True
        ),
        st.from_regex(r"[一-龥]{1,5}", fullmatch=True),
        st.just("·"),
    ),
    min_size=1,
    max_size=30,
)


@given(words, st.integers(min_value=0, max_value=40))
def test_a_wrapped_cell_keeps_every_word_whole_within_its_width(parts, extra):
    text = " ".join(parts)
    width = fit.shortest(text) + extra
    lines = fit.wrap(text, width).splitlines()
    assert all(cell_len(line) <= width for line in lines)
    assert " ".join(lines).split() == text.split()


@given(
    st.lists(
        st.tuples(st.from_regex(r"[A-Za-z]{1,9}", fullmatch=True), st.integers(0, 3)),
        min_size=1,
        max_size=8,
    ),
    st.integers(min_value=20, max_value=200),
)
def test_a_fitted_table_fits_or_keeps_only_what_must_stay(spec, width):
    columns = [fit.Col(f"f{i}", name, optional=o) for i, (name, o) in enumerate(spec)]
    rows = [{c.field: f"{c.heading} C000123 2026-01-0{i}" for c in columns} for i in range(1, 4)]
    laid = fit.fit(columns, rows, width, lambda n: 2 * (n - 1))
    overhead = 2 * (len(laid.columns) - 1)
    needed = [fit.shortest(f"{c.heading} C000123 2026-01-01") for c in laid.columns]
    assert {c.field for c in columns if not c.optional} <= {c.field for c in laid.columns}
    if sum(needed) + overhead <= width:  # every word whole, within the width
        assert all(w >= n for w, n in zip(laid.widths, needed, strict=True))
        assert sum(laid.widths) + overhead <= width
    else:  # too narrow even so: only what never goes is left, folded as a last resort
        assert all(c.optional == 0 for c in laid.columns)


def test_tables_show_50_rows_and_count_them_all_scripts_get_every_row(sample):
    cli = Cli(sample)
    gaps = cli("gaps").stdout
    every = json.loads(cli("gaps", "-f", "json").stdout)
    assert len(every) > 50
    clients = len({g["client_id"] for g in every})
    assert f"the first 50 of {len(every)} gaps of {clients} clients" in gaps
    assert len(re.findall(r"^C\d{6}", gaps, re.M)) == 50
    assert len(re.findall(r"^C\d{6}", cli("gaps", "--limit", "7").stdout, re.M)) == 7
    whole = json.loads(cli("report", "--date", DAY, "-f", "json").stdout)
    assert len(whole["todo"]["entries"]) == whole["todo"]["clients"] > 50
    assert len(whole["grace"]) > 50
    for fmt in ("text", "markdown", "html"):
        shown = cli("report", "--date", DAY, "-f", fmt).stdout
        assert f"the first 50 of {whole['todo']['clients']} clients" in shown, fmt
        assert f"the first 50 of {len(whole['grace'])} policies" in shown, fmt
        assert len(set(re.findall(r"C\d{6}", shown))) < whole["todo"]["clients"]
    more = cli("report", "--date", DAY, "--limit", "60").stdout
    assert f"the first 60 of {whole['todo']['clients']} clients" in more


def test_a_client_s_history_and_the_tier_movements_are_cut_too(cli, tmp_path):
    files = [str(DATA / "clients.csv"), str(DATA / "policies.csv")]
    assert cli("import", *files, "--date", "2026-11-01").exit_code == 0
    assert cli("history", "C000001").stdout == "No contact logged with C000001.\n"
    for day in ("2026-11-02", "2026-11-03", "2026-11-04"):
        assert cli("log", "C000001", "--channel", "sms", "--date", day).exit_code == 0
    shown = cli("history", "C000001", "--limit", "2").stdout
    assert "Contacts with C000001: the first 2 of 3 contacts" in shown
    assert "2026-11-04" in shown and "2026-11-02" not in shown
    assert len(json.loads(cli("history", "C000001", "-f", "json").stdout)["contacts"]) == 3
    config = tmp_path / "config.toml"
    config.write_text("[tiers.healthy]\npolicy_quality = 'poor'\n", encoding="utf-8")
    env = {"VIPCTL_CONFIG": str(config)}
    assert cli("tier", "--recompute", "--date", "2026-11-05", env=env).exit_code == 0
    moved = json.loads(
        cli("tier", "--since", "2026-11-05", "--date", "2026-11-05", "-f", "json").stdout
    )
    assert len(moved["movements"]) > 3
    detail = cli(
        "tier", "--detail", "--since", "2026-11-05", "--date", "2026-11-05", "--limit", "3"
    )
    total = len(moved["movements"])
    assert f"The first 3 of {total} clients who moved" in detail.stdout
