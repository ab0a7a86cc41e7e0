"""What a member types becomes plain terms: FTS5 accepts every query built from them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node.search.marks import END, START, segments
from node.search.terms import MAX_TERMS, Term, fts5_match, parse


def test_words_phrases_and_prefixes() -> None:
    assert parse("Kidney  STONES") == (Term(("kidney",)), Term(("stones",)))
    assert parse("Guillain-Barré syndrome") == (
        Term(("guillain", "barré")),
        Term(("syndrome",)),
    )
    assert parse('"acute kidney injury" nephr*') == (
        Term(("acute", "kidney", "injury")),
        Term(("nephr",), prefix=True),
    )
    assert parse("a* *") == (Term(("a",)),)  # one letter is too short for a prefix
    assert parse('NEAR( "  ' + "title:x") == (Term(("near",)), Term(("title", "x")))
    assert parse("'\":*&|!()<->^{}") == ()
    assert parse("snake_case") == (Term(("snake", "case")),)
    assert parse("ﬁbrosis") == (Term(("fibrosis",)),)  # NFKC folds the ligature
    assert len(parse(" ".join(f"w{i}" for i in range(40)))) == MAX_TERMS
    assert parse("fever Fever FEVER") == (Term(("fever",)),)


def test_fts5_expression_quotes_every_term() -> None:
    terms = parse('near AND "or not" col:umn xy*')
    assert fts5_match(terms) == '"near" "and" "or not" "col umn" "xy" *'


def test_excerpt_markers_split_into_segments() -> None:
    assert segments(f"a {START}b{END} c {START}d{END}") == [
        ("a ", False),
        ("b", True),
        (" c ", False),
        ("d", True),
    ]
    assert segments("plain") == [("plain", False)]
    assert segments("") == []


@pytest.fixture(scope="module")
def fts() -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE VIRTUAL TABLE t USING fts5(a, b, tokenize='unicode61 remove_diacritics 2')"
    )
    connection.execute("INSERT INTO t VALUES ('Guillain-Barré NEAR kidney', 'AND or NOT')")
    yield connection
    connection.close()


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.sampled_from("\"*:()^-+&|!<>{}[]\\'_ ,.NEARORANDNOT"),
            st.characters(codec="utf-8"),
        ),
        max_size=80,
    )
)
def test_any_input_gives_a_valid_fts5_query(fts: sqlite3.Connection, raw: str) -> None:
    terms = parse(raw)
    if terms:
        fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (fts5_match(terms),)).fetchall()
