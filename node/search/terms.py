"""What a member typed, reduced to plain search terms: no query syntax gets through.

Both FTS5 and PostgreSQL's ``to_tsquery`` have their own query languages, where a
stray ``"``, ``NEAR(``, ``*``, ``:`` or ``&`` is a syntax error (a 500 for the member)
or worse, an operator they did not mean. Rather than escape the member's text for
each, we keep only letters and digits and rebuild the query from them:

- a word (``kidney``) must appear;
- letters joined by punctuation (``Guillain-Barré``, ``T2-weighted``) or a quoted
  ``"acute kidney injury"`` must appear as a phrase, words in that order;
- a word ending in ``*`` (``nephr*``) matches words starting with it.

Every term must match (AND). Anything else (operators, brackets, colons) is dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_TERMS = 12
MIN_PREFIX = 2
# Runs of letters and digits; ``_`` counts as punctuation, as in both indexes.
_WORD = re.compile(r"[^\W_]+")
_CHUNK = re.compile(r'"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    """One word, or several words that must appear together in this order."""

    words: tuple[str, ...]
    prefix: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.words)


def parse(raw: str) -> tuple[Term, ...]:
    """The terms in ``raw`` (at most MAX_TERMS, duplicates dropped); () if none."""
    text = unicodedata.normalize("NFKC", raw).lower()
    terms: list[Term] = []
    for match in _CHUNK.finditer(text):
        quoted, bare = match.group(1), match.group(2)
        chunk = quoted if quoted is not None else bare
        words = tuple(_WORD.findall(chunk))
        if not words:
            continue
        prefix = (
            quoted is None
            and len(words) == 1
            and chunk.rstrip().endswith("*")
            and len(words[0]) >= MIN_PREFIX
        )
        term = Term(words=words, prefix=prefix)
        if term not in terms:
            terms.append(term)
    return tuple(terms[:MAX_TERMS])


def fts5_match(terms: tuple[Term, ...]) -> str:
    """An FTS5 MATCH expression: each term a quoted string, so nothing is an operator.

    The words are letters and digits only, so they cannot close the quotes.
    """
    return " ".join(f'"{term.text}"' + (" *" if term.prefix else "") for term in terms)
