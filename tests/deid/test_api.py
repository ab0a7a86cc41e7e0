"""The public contract of scan(): offsets, order, kinds, languages, robustness."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import node.deid
from node.deid import KINDS, LANGUAGES, Finding, scan
from node.deid.lexicon import normalise_language

SAMPLE = (
    "Mr. John Smith (MRN 00482913), a 92-year-old from Inverness, was admitted on "
    "14 March 2024; call (617) 555-0134 or j.smith@example.org."
)


def test_kinds_are_the_documented_strings() -> None:
    assert {
        "name", "date", "age_over_89", "phone", "email", "national_id", "record_number",
        "address", "postcode", "town", "url", "ip_address", "serial_number", "facility",
    } == KINDS  # fmt: skip


def test_languages() -> None:
    assert set(LANGUAGES) == set(
        ["en", "es", "fr", "it", "de", "nl", "da", "sv", "nb", "fi", "he", "pl", "el", "hu"]
    )


def test_findings_point_into_the_text_sorted_and_disjoint() -> None:
    found = scan(SAMPLE, "en")
    assert [f.kind for f in found] == [
        "name", "record_number", "age_over_89", "town", "date", "phone", "email",
    ]  # fmt: skip
    for finding in found:
        assert isinstance(finding, Finding)
        assert SAMPLE[finding.start : finding.end] == finding.text
    for a, b in itertools.pairwise(found):
        assert a.end <= b.start


def test_language_tags_are_normalised() -> None:
    assert normalise_language("de-AT") == "de"
    assert normalise_language("nb_NO") == "nb"
    assert normalise_language("no") == "nb"
    assert normalise_language("EN") == "en"
    assert normalise_language("pt-BR") == "*"


def test_unknown_language_uses_every_table() -> None:
    text = "Herr Wolfram Pfisterer wohnt in Görlitz."
    assert [f.kind for f in scan(text, "pt")] == ["name", "town"]


def test_empty_and_whitespace() -> None:
    assert scan("", "en") == []
    assert scan(" \n\t ", "fr") == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400), st.sampled_from([*LANGUAGES, "xx"]))
def test_any_text_gives_valid_findings(text: str, language: str) -> None:
    found = scan(text, language)
    previous = 0
    for finding in found:
        assert finding.kind in KINDS
        assert previous <= finding.start < finding.end <= len(text)
        assert text[finding.start : finding.end] == finding.text
        previous = finding.end


def test_package_imports_nothing_else_from_node() -> None:
    """node.deid is a library the node calls; it must not reach into the node."""
    package = Path(node.deid.__file__).parent
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for item in ast.walk(tree):
            if isinstance(item, ast.ImportFrom) and item.module:
                module = item.module
            elif isinstance(item, ast.Import):
                module = item.names[0].name
            else:
                continue
            if module == "node" or module.startswith("node."):
                assert module.startswith("node.deid"), f"{path.name} imports {module}"
