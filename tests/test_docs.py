"""The manual keeps up with the program: every command has its section in docs/commands.md, and
every option a command takes is named in that section (in the spirit of sqlite-utils'
``tests/test_docs.py``). A new option without a word for the user fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from vipctl import kinds
from vipctl.cli import app

ROOT = Path(__file__).resolve().parent.parent
COMMANDS_MD = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
ROOT_COMMAND = typer.main.get_command(app)


def _commands(group=ROOT_COMMAND, path: tuple[str, ...] = ()):
    for name, command in getattr(group, "commands", {}).items():
        if hasattr(command, "commands"):  # a group, such as `config`
            yield from _commands(command, (*path, name))
        else:
            yield " ".join((*path, name)), command


def _section(heading: str) -> str:
    """The text under a heading, up to the next heading of any level."""
    found = re.search(rf"^#+ {re.escape(heading)}\n(.*?)(?=^#)", COMMANDS_MD + "\n#", re.M | re.S)
    assert found, f"docs/commands.md has no section '{heading}'"
    return found.group(1)


def _long_options(command) -> list[str]:
    return [
        opt
        for param in command.params
        if param.param_type_name == "option"
        for opt in param.opts
        if opt.startswith("--") and opt != "--help"
    ]


def _named(option: str, text: str) -> bool:
    return re.search(rf"`{re.escape(option)}(?![\w-])", text) is not None


COMMANDS = dict(_commands())


def test_the_commands_are_found():
    assert {"import", "today", "tier", "report", "config path"} <= set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_a_section_naming_each_of_its_options(name):
    section = _section(f"vipctl {name}")
    missing = [opt for opt in _long_options(COMMANDS[name]) if not _named(opt, section)]
    assert not missing, f"vipctl {name}: {missing} not in its section of docs/commands.md"
    assert f"vipctl {name}" in section or "```sh" in section, "an example"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_in_the_readme(name):
    assert f"vipctl {name}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_global_options_are_documented():
    section = _section("Options for every command")
    missing = [opt for opt in _long_options(ROOT_COMMAND) if not _named(opt, section)]
    assert not missing


def test_the_documented_kinds_are_the_registry():
    row = next(line for line in COMMANDS_MD.splitlines() if line.startswith("| `--kind K,…`"))
    assert re.findall(r"`([a-z_]+)`", row) == [kind.name for kind in kinds.REGISTRY]


def _anchors(path: Path) -> set[str]:
    """GitHub's anchors for a Markdown file's headings."""
    headings = re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize(
    "page", [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))], ids=lambda p: p.name
)
def test_every_link_between_the_pages_leads_somewhere(page):
    text = page.read_text(encoding="utf-8")
    for target, anchor in re.findall(r"\]\(([^)#\s]*)(?:#([^)\s]*))?\)", text):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        linked = (page.parent / target).resolve() if target else page
        assert linked.exists(), f"{page.name}: {target}"
        if anchor:
            assert anchor in _anchors(linked), f"{page.name}: {target}#{anchor}"


def test_the_data_contract_page_is_the_contract():
    """Each column of ``vipctl.contract`` has its row in docs/data-contract.md, naming every alias
    and every spelling of its values that the importer accepts."""
    from vipctl import contract

    page = (ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8")
    clients_part, policies_part = page.split("## Policies")

    def rows(part: str) -> dict[str, str]:
        return {m.group(1): m.group(0) for m in re.finditer(r"^\| `(\w+)` \|.*$", part, re.M)}

    enums = {
        "gender": contract.GENDER, "birthday_calendar": contract.CALENDAR,
        "policy_quality": contract.QUALITY, "awareness": contract.AWARENESS,
        "satisfaction": contract.SATISFACTION, "economy": contract.ECONOMY,
        "mobility": contract.MOBILITY, "agent_status": contract.AGENT_STATUS,
        "relation": contract.RELATION, "category": contract.CATEGORY,
        "frequency": contract.FREQUENCY, "status": contract.STATUS,
    }  # fmt: skip
    for columns, part in (
        (contract.CLIENT_COLUMNS, clients_part),
        (contract.POLICY_COLUMNS, policies_part),
    ):
        documented = rows(part)
        assert set(documented) == {c.name for c in columns}
        for column in columns:
            row = documented[column.name]
            assert all(alias in row for alias in column.aliases), row
            assert ("| required" in row) == column.required, row
            for value, spellings in enums.get(column.name, {}).items():
                assert f"`{value}`" in row, row
                assert all(s in row for s in spellings if not s.isascii()), row
