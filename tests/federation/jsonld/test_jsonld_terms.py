"""The Curbside context file and the Python term rules stay in step."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

import pytest

from federation.jsonld import (
    CURBSIDE_NS,
    CURBSIDE_TERMS,
    CURBSIDE_TYPES,
    InvalidValueError,
    as_list,
    bundled_context,
    id_of,
)
from federation.jsonld.terms import Kind

# What each rule kind requires of the term definition in curbside-v1.jsonld.
_EXPECTED_DEFINITION: dict[Kind, dict[str, str]] = {
    Kind.TEXT: {},
    Kind.CHOICE: {},
    Kind.SLUG_SET: {"@container": "@set"},
    Kind.BOOLEAN: {"@type": "xsd:boolean"},
    Kind.COUNT: {"@type": "xsd:integer"},
    Kind.DATETIME: {"@type": "xsd:dateTime"},
    Kind.REFERENCE: {"@type": "@id"},
    Kind.OBJECT: {},
    Kind.OBJECT_SET: {"@container": "@set"},
    Kind.INTEGER_LIST: {"@type": "xsd:integer", "@container": "@list"},
}


def _curbside_definitions() -> dict[str, Any]:
    context: dict[str, Any] = bundled_context("https://w3id.org/curbside/v1")["@context"]
    assert context.pop("cs") == CURBSIDE_NS
    assert context.pop("xsd") == "http://www.w3.org/2001/XMLSchema#"
    return context


def test_every_term_has_a_rule_and_every_rule_a_term() -> None:
    definitions = _curbside_definitions()
    assert set(definitions) == set(CURBSIDE_TERMS) | CURBSIDE_TYPES


@pytest.mark.parametrize("term", sorted(CURBSIDE_TERMS))
def test_term_definition_matches_its_rule(term: str) -> None:
    definition = _curbside_definitions()[term]
    if isinstance(definition, str):
        definition = {"@id": definition}
    assert definition.pop("@id") == f"cs:{term}"
    assert definition == _EXPECTED_DEFINITION[CURBSIDE_TERMS[term].kind]


@pytest.mark.parametrize("name", sorted(CURBSIDE_TYPES))
def test_types_live_in_the_curbside_namespace(name: str) -> None:
    assert _curbside_definitions()[name] == f"cs:{name}"


def test_bundled_copies_are_valid_json() -> None:
    for path in files("federation.contexts").iterdir():
        if path.name.endswith(".jsonld"):
            assert "@context" in json.loads(path.read_text(encoding="utf-8"))


def test_as_list() -> None:
    assert as_list(None) == []
    assert as_list("a") == ["a"]
    assert as_list({"id": "a"}) == [{"id": "a"}]
    assert as_list(["a", "b"]) == ["a", "b"]
    assert as_list([]) == []
    assert as_list(False) == [False]


def test_id_of() -> None:
    assert id_of(None) is None
    assert id_of("https://a.example/x") == "https://a.example/x"
    assert id_of({"id": "https://a.example/x", "type": "Note"}) == "https://a.example/x"
    assert id_of({"type": "Note"}) is None
    for bad in (["https://a.example/x"], 5, {"id": 5}):
        with pytest.raises(InvalidValueError):
            id_of(bad)
