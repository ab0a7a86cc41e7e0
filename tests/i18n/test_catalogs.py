"""The UI catalogs are complete, consistent and valid in every language."""

from __future__ import annotations

import re

import pytest
from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from i18n.catalogs import LOCALES_DIR, po_path
from i18n.languages import SUPPORTED_LANGUAGES

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w+)\}")
TRANSLATED = [language for language in SUPPORTED_LANGUAGES if language != "en"]


def catalog(language: str) -> Catalog:
    with po_path(language).open("rb") as handle:
        return read_po(handle, locale=language)


def template_ids() -> set[str]:
    with (LOCALES_DIR / "messages.pot").open("rb") as handle:
        return {
            str(message.id if isinstance(message.id, str) else message.id[0])
            for message in read_po(handle)
            if message.id
        }


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_catalog_has_every_string(language: str) -> None:
    have = {str(m.id if isinstance(m.id, str) else m.id[0]) for m in catalog(language) if m.id}
    missing = template_ids() - have
    assert not missing, f"{language}: {len(missing)} strings missing, e.g. {sorted(missing)[:5]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_empty_or_fuzzy_translation(language: str) -> None:
    bad = []
    for message in catalog(language):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            bad.append(message.id)
    assert not bad, f"{language}: {len(bad)} empty or fuzzy, e.g. {bad[:5]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_match(language: str) -> None:
    wrong = []
    for message in catalog(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        expected = {
            name for match in PLACEHOLDER.finditer(ids[-1]) for name in match.groups() if name
        }
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            found = {
                name for match in PLACEHOLDER.finditer(text) for name in match.groups() if name
            }
            # A plural form may leave out the count (e.g. "one reply") but never invent names.
            if found - expected or (len(ids) == 1 and found != expected):
                wrong.append((message.id, text))
    assert not wrong, f"{language}: placeholders differ, e.g. {wrong[:3]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_plural_forms_are_the_languages_own(language: str) -> None:
    po = catalog(language)
    expected = get_plural(language)
    assert (po.num_plurals, po.plural_expr) == (expected.num_plurals, expected.plural_expr), (
        language
    )
    for message in po:
        if message.id and isinstance(message.id, tuple):
            assert len(message.string) == po.num_plurals, (language, message.id)
