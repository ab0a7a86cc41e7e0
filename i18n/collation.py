"""Alphabetical order as readers of each UI language expect it.

Python sorts by code point, so "Gériatrie" lands after "Gynécologie" and Danish "Øre"
before "Akut". A full collation library (ICU) needs a C build; the lists we sort are
short labels, so per-language letter rules are enough:

* a letter with diacritics sorts with its base letter (é with e) unless the language
  treats it as a letter of its own;
* such own letters sort right after their base letter (Polish ł after l) or after z
  (Danish and Norwegian æ ø å, Swedish and Finnish å ä ö), in the alphabet's order.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Final

# Sorts after every letter, so "l" + _AFTER + "1" comes after any "l…" word.
_AFTER: Final = "\uffff"


def _after(base: str, letters: str) -> dict[str, str]:
    """Each of ``letters`` as its own letter following ``base``, in the order given."""
    return {letter: f"{base}{_AFTER}{rank}" for rank, letter in enumerate(letters)}


_OWN_LETTERS: Final[Mapping[str, Mapping[str, str]]] = {
    "da": _after("z", "æøå"),
    "nb": _after("z", "æøå"),
    "sv": _after("z", "åäö"),
    "fi": _after("z", "åäö"),
    "pl": {
        **_after("a", "ą"),
        **_after("c", "ć"),
        **_after("e", "ę"),
        **_after("l", "ł"),
        **_after("n", "ń"),
        **_after("o", "ó"),
        **_after("s", "ś"),
        **_after("z", "źż"),
    },
    "hu": {**_after("o", "öő"), **_after("u", "üű")},
    "es": _after("n", "ñ"),
    "de": {"ß": "ss"},
}


def _base(letter: str) -> str:
    """The letter without its diacritics ("é" -> "e", "ά" -> "α")."""
    decomposed = unicodedata.normalize("NFD", letter)
    return "".join(c for c in decomposed if not unicodedata.combining(c)) or letter


def sort_key(text: str, language: str) -> tuple[str, str]:
    """A key that orders ``text`` alphabetically for readers of ``language``. Ties on
    letters are broken by the exact text, so the order is stable and total."""
    own = _OWN_LETTERS.get(language.split("-", 1)[0], {})
    folded = unicodedata.normalize("NFC", text.casefold())
    primary = "".join(own.get(letter) or _base(letter) for letter in folded)
    return primary, folded
