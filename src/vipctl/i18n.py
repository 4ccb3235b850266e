"""The interface's language: English, or Chinese for the people vipctl is for.

Every sentence people read is English in the code (the message id) and goes through ``_`` (or
``ngettext`` where a number decides the form) when it is shown; the Chinese is in the gettext
catalog ``locale/zh_CN/LC_MESSAGES/vipctl.po``, compiled to ``.mo`` by the build when vipctl is
installed (``hatch_build.py``, with Babel) and read here by the standard library's ``gettext``.
Strings defined before the language is known (column headings, kind labels) are marked with
``N_`` where they are written and translated where they are shown.

Machine output never goes through here: JSON keys, ``kind`` values, CSV headers and exit codes
are the same in every language.

Which language: ``--lang``, else the config's ``[ui] language``, else the locale
(``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``, the first one set): a ``zh`` locale gives
Chinese, any other English.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "vipctl"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "zh_CN")
_ALIASES = {"en": "en", "zh": "zh_CN", "zh_cn": "zh_CN", "zh_hans": "zh_CN", "zh_sg": "zh_CN"}
_ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_catalog: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def known(name: str) -> str | None:
    """``name`` as one of ``LANGUAGES`` (``zh-CN``, ``zh_CN.UTF-8``, ``en_US`` …), or None."""
    folded = name.split(".")[0].split("@")[0].replace("-", "_").lower()
    if folded in _ALIASES:
        return _ALIASES[folded]
    if folded.startswith("en_"):
        return "en"
    return None


def from_locale(environ: Mapping[str, str]) -> str:
    """The language the locale asks for: the first of ``LANGUAGE`` (a list, as GNU gettext
    reads it), ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set."""
    for variable in _ENVIRONMENT:
        value = environ.get(variable, "")
        if not value:
            continue
        for part in value.split(":"):
            if part.split(".")[0].lower().startswith("zh"):
                return "zh_CN"
            if part:
                return "en"
    return "en"


def choose(flag: str | None, configured: str | None, environ: Mapping[str, str]) -> str:
    """``--lang``, else the config's ``[ui] language``, else the locale's."""
    for given in (flag, configured):
        if given:
            return known(given) or "en"
    return from_locale(environ)


def use(language: str) -> None:
    """Speak ``language`` from now on (a catalog missing for it: English)."""
    global _catalog, _language
    _language = language
    if language == "en":
        _catalog = gettext.NullTranslations()
    else:
        _catalog = gettext.translation(DOMAIN, LOCALE_DIR, [language], fallback=True)


def language() -> str:
    return _language


def chinese() -> bool:
    return _language == "zh_CN"


def _(message: str) -> str:
    """``message`` in the chosen language ("" stays "": gettext would give the catalog's
    header)."""
    return _catalog.gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _catalog.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a string for the catalog where it is written; ``_`` translates it where shown."""
    return message
