"""Compiles vipctl's gettext catalogs when it is built or installed (``pip install .`` and
``pip install -e .`` alike): ``src/vipctl/locale/*/LC_MESSAGES/vipctl.po`` to ``.mo`` beside it,
with Babel, so the repository keeps only the text a translator edits and vipctl reads the
compiled catalog with the standard library's ``gettext``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        src = Path(self.root) / "src"
        for po in sorted((src / "vipctl" / "locale").glob("*/LC_MESSAGES/*.po")):
            with po.open("rb") as text:
                catalog = read_po(text)
            mo = po.with_suffix(".mo")
            with mo.open("wb") as compiled:
                write_mo(compiled, catalog)
            if version != "editable":  # an editable install reads src/ itself
                build_data["force_include"][str(mo)] = str(mo.relative_to(src))
