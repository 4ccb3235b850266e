"""The layers hold: the rules are pure, the views never reach the database, and the command line
starts with only what ``--help`` needs. Checked both on the source (every import statement,
lazy ones inside functions too) and by importing each module in a fresh interpreter."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "vipctl"
# Per layer: the libraries and vipctl packages its modules must not import.
FORBIDDEN = {
    "rules": {"sqlalchemy", "sqlmodel", "rich", "typer", "vipctl.store", "vipctl.book",
              "vipctl.agenda", "vipctl.ingest", "vipctl.report", "vipctl.views", "vipctl.cli"},
    "views": {"sqlalchemy", "sqlmodel", "typer", "vipctl.store", "vipctl.book", "vipctl.agenda",
              "vipctl.ingest", "vipctl.report", "vipctl.cli"},
    "store": {"rich", "typer", "vipctl.views", "vipctl.cli", "vipctl.report", "vipctl.book",
              "vipctl.agenda", "vipctl.ingest"},
    "book": {"rich", "typer", "vipctl.views", "vipctl.cli", "vipctl.report", "vipctl.agenda"},
    "ingest": {"typer", "vipctl.views", "vipctl.cli", "vipctl.report", "vipctl.agenda"},
}  # fmt: skip


def _modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


def _imported(path: Path) -> set[str]:
    """Every module an import statement of the file names, wherever it stands."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _breaks(name: str, forbidden: set[str]) -> bool:
    return any(name == f or name.startswith(f + ".") for f in forbidden)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_module_imports_what_its_layer_may_not(layer):
    found = {
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in _modules(layer)
        for name in _imported(path)
        if _breaks(name, FORBIDDEN[layer])
    }
    assert not found


@pytest.mark.parametrize("layer", ["rules", "views"])
def test_importing_the_layer_loads_none_of_it(layer):
    """Through every module it imports, top-level ones included: a rule that imported config,
    and config the database, would pass the first test and fail here."""
    modules = [
        ".".join(("vipctl", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(
            ".__init__"
        )
        for path in _modules(layer)
    ]
    libraries = sorted(n for n in FORBIDDEN[layer] if not n.startswith("vipctl"))
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(sorted(n for n in {libraries!r} if n in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"


def test_only_the_kept_tables_build_the_models():
    """Every command works on ``store.tables``; building the models (sqlmodel, pydantic's
    schemas, the ORM) at a start costs a third of a second, so only the cache's builder may."""
    builders = {"vipctl.store.tables", "vipctl.store.models"}
    found = {
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if ".".join(("vipctl", *path.relative_to(PACKAGE).with_suffix("").parts)) not in builders
        for name in _imported(path)
        if _breaks(name, {"sqlmodel", "vipctl.store.models", "sqlalchemy.orm"})
    }
    assert not found


def test_vipctl_help_loads_no_database_or_screen_library():
    script = (
        "import sys\n"
        "from vipctl.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(n for n in ('sqlalchemy', 'sqlmodel') if n in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert done.strip().splitlines()[-1] == "[]"


def test_every_package_says_what_lives_there():
    for init in sorted(PACKAGE.rglob("__init__.py")):
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), init


@pytest.mark.parametrize("path", _modules("cli"), ids=lambda p: p.name)
def test_the_command_line_stays_wiring(path):
    """A command family a reader takes in at once; its heavy imports inside the commands, so
    that loading it for ``--help`` costs nothing."""
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400
    top = ast.parse(path.read_text(encoding="utf-8")).body
    for node in top:
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
            )
            assert not any(_breaks(n, {"sqlalchemy", "sqlmodel", "rich"}) for n in names), (
                path.name,
                names,
            )
