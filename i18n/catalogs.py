"""Message catalogs: ``i18n/locales/<lang>/LC_MESSAGES/messages.po``, loaded at start.

The .po files are the source of truth. They are compiled in memory when a node
starts, so a checkout, a wheel and an editable install all behave the same and no
stale .mo file can shadow an edit. ``python -m i18n.build`` also writes .mo files
for packagers who want them.

Compiling all languages takes most of a second, so a process keeps what it compiled
and compiles a file again only when it changed (size or modification time): the
demo's three nodes, and the test suite's thousands, read each file once. The
translations are only read after loading, so nodes in one process can share them.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from i18n.languages import SUPPORTED_LANGUAGES

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"


def po_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


# path -> (the file's size and modification time when compiled, its translations)
_compiled: dict[Path, tuple[tuple[int, int], NullTranslations]] = {}


def compile_catalog(language: str) -> NullTranslations:
    path = po_path(language)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return NullTranslations()
    version = (stat.st_size, stat.st_mtime_ns)
    cached = _compiled.get(path)
    if cached is not None and cached[0] == version:
        return cached[1]
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    translations = Translations(fp=buffer, domain=DOMAIN)
    _compiled[path] = (version, translations)
    return translations


@dataclass(frozen=True)
class Catalogs:
    """Translations for every supported language, read-only once built."""

    by_language: Mapping[str, NullTranslations]

    @classmethod
    def load(cls) -> Catalogs:
        return cls(
            MappingProxyType(
                {language: compile_catalog(language) for language in SUPPORTED_LANGUAGES}
            )
        )

    def get(self, language: str) -> NullTranslations:
        return self.by_language.get(language) or NullTranslations()
