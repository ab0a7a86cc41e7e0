"""Folding personal names from the network's countries into comparable tokens.

Registers and members write the same name differently: "MÜLLER" / "Mueller",
"Sørensen" / "Soerensen", "O'Brien" / "OBrien", "van der Berg" / "Van Der Berg",
"Παπαδόπουλος" / "Papadopoulos". A name becomes a tuple of `Token`s, each with two
ASCII-ish spellings, and `matching` compares those. Nothing here is shown to users.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

# Lower-case particles that sit in front of family names. They are ignored when
# comparing family names ("de Vries" = "Vries") unless nothing else is left
# ("Le", "La" are whole Vietnamese and French family names). Elided forms (d', l',
# dell') come out of tokenising "d'Alembert" as "d" + "alembert".
PARTICLES = frozenset(
    {
        "de", "del", "della", "delle", "dei", "degli", "di", "da", "das", "dos", "do", "du", "des",
        "d", "l", "dell", "dall", "degl", "all", "van", "von", "der", "den", "ter", "ten", "te",
        "het", "t", "zu", "zum", "zur", "le", "la", "les", "lo", "y", "af", "av", "al", "el", "bin",
        "ben", "bat", "ibn",
    }
)  # fmt: skip

# Titles and generational suffixes that people type but registers file elsewhere.
TITLES = frozenset(
    {"dr", "drs", "dra", "prof", "professor", "dott", "dottssa", "mudr", "ir", "med", "md", "phd",
     "jr", "sr", "ii", "iii"}
)  # fmt: skip

# Letters that Unicode does not decompose into a base letter plus accents.
_PLAIN = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i", "ħ": "h"}
)
# German and Scandinavian letters also have a two-letter ASCII spelling that
# registers use ("Mueller", "Soerensen", "Aasen"); a token keeps both spellings.
_EXPANDED = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "å": "aa", "ø": "oe"})

# Greek per ELOT 743 (the transliteration in Greek passports), after accents are
# gone. Digraphs first; a leading "μπ" sounds and is written "b".
_GREEK_DIGRAPHS = (
    ("ου", "ou"),
    ("αυ", "av"),
    ("ευ", "ev"),
    ("γγ", "ng"),
    ("γκ", "gk"),
)
_GREEK = str.maketrans(
    {
        "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
        "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p",
        "ρ": "r", "σ": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o",
    }
)  # fmt: skip
_GREEK_LETTER = re.compile(r"[\u0370-\u03ff]")
# Hebrew is compared in Hebrew: vowel points are dropped (they are combining marks)
# and final letter forms are written as the ordinary letter.
_HEBREW_FINALS = str.maketrans({"ך": "כ", "ם": "מ", "ן": "נ", "ף": "פ", "ץ": "צ"})
_WORD = re.compile(r"[^\W_]+")


class Token(NamedTuple):
    plain: str  # accents dropped: "müller" -> "muller"
    expanded: str  # umlauts spelt out: "müller" -> "mueller"

    def same(self, other: Token) -> bool:
        return (
            self.plain == other.plain
            or self.expanded == other.plain
            or self.plain == other.expanded
            or self.expanded == other.expanded
        )

    @property
    def is_initial(self) -> bool:
        return len(self.plain) == 1


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _greek_to_latin(text: str) -> str:
    if not _GREEK_LETTER.search(text):
        return text
    text = re.sub(r"\bμπ", "b", text)
    for greek, latin in _GREEK_DIGRAPHS:
        text = text.replace(greek, latin)
    return text.translate(_GREEK)


def fold(text: str, *, expand: bool = False) -> str:
    """Lower-case, accent-free, Latin-script form of a name (Hebrew stays Hebrew)."""
    text = text.casefold()  # also ß -> ss and final sigma -> sigma
    if expand:
        text = text.translate(_EXPANDED)
    text = _strip_marks(text.translate(_PLAIN))
    return _greek_to_latin(text).translate(_HEBREW_FINALS)


def tokens(name: str) -> tuple[Token, ...]:
    """A name as comparable tokens; hyphens, apostrophes, dots and titles are gone.

    "Jean-Pierre" gives two tokens and "O'Brien" gives "o" + "brien"; `matching`
    also compares the tokens run together, so "Jeanpierre" and "OBrien" still match.
    """
    plain = _WORD.findall(fold(name))
    expanded = _WORD.findall(fold(name, expand=True))
    if len(plain) != len(expanded):  # cannot happen for letters we know; stay safe
        expanded = plain
    return tuple(Token(p, e) for p, e in zip(plain, expanded, strict=True) if p not in TITLES)


def without_particles(name: tuple[Token, ...]) -> tuple[Token, ...]:
    """Drop particles, unless the name is nothing but particles ("Le", "La")."""
    core = tuple(token for token in name if token.plain not in PARTICLES)
    return core or name


def joined(name: tuple[Token, ...]) -> Token:
    return Token("".join(t.plain for t in name), "".join(t.expanded for t in name))


def split_full_name(full: str, *, family_first: bool) -> tuple[str, str]:
    """Split a register's single name column into (family name, given names).

    "Family, Given" wins when there is a comma ("Berg, Jan van den" gives "van den
    Berg", "Jan"). Otherwise words in capitals mark
    the family name when the rest is not all capitals ("DUPONT Jean Marie",
    "Jan VAN DER BERG"); failing that, the family name is the first or last word
    with the particles in front of it. `matching` tolerates a wrong split of the
    given/family boundary only partly, so registers with separate columns are better.
    """
    if "," in full:
        family_part, given_part = full.split(",", 1)
        family_words, given_words = family_part.split(), given_part.split()
        # "Berg, Jan van den": trailing particles belong to the family name.
        while len(given_words) > 1 and given_words[-1].casefold() in PARTICLES:
            family_words.insert(0, given_words.pop())
        return " ".join(family_words), " ".join(given_words)
    words = full.split()
    if not words:
        return "", ""
    caps = [word.isupper() for word in words]
    if any(caps) and not all(caps):
        family_words = [w for w, is_caps in zip(words, caps, strict=True) if is_caps]
        given_words = [w for w, is_caps in zip(words, caps, strict=True) if not is_caps]
        return " ".join(family_words), " ".join(given_words)
    if family_first:
        end = 0
        while end < len(words) - 1 and words[end].casefold() in PARTICLES:
            end += 1
        return " ".join(words[: end + 1]), " ".join(words[end + 1 :])
    start = len(words) - 1
    while start > 1 and words[start - 1].casefold() in PARTICLES:
        start -= 1
    return " ".join(words[start:]), " ".join(words[:start])
