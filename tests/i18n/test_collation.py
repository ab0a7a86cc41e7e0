"""Labels sort in each language's alphabetical order, not by code point."""

from __future__ import annotations

import pytest

from i18n.collation import sort_key


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["Génétique médicale", "Gériatrie", "Gynécologie-obstétrique"]),
        (
            "de",
            ["Ärztliche Leitung", "Augenheilkunde", "Öffentliches Gesundheitswesen", "Pädiatrie"],
        ),
        ("da", ["Akutmedicin", "Zoologi", "Ældremedicin", "Øjensygdomme", "Åndedræt"]),
        ("sv", ["Akutsjukvård", "Zoonos", "Åldrande", "Ämnesomsättning", "Öron"]),
        ("pl", ["Alergologia", "Azot", "Ąb", "Laryngologia", "Łuszczyca", "Medycyna"]),
        ("hu", ["Onkológia", "Ortopédia", "Öregedés", "Urológia", "Üzemorvostan"]),
        ("es", ["Nefrología", "Neurología", "Ñandú", "Oftalmología"]),
        ("el", ["Αιματολογία", "Γαστρεντερολογία", "Γενική Ιατρική", "Δερματολογία"]),
    ],
)
def test_alphabetical_order_per_language(language: str, expected: list[str]) -> None:
    shuffled = list(reversed(expected))
    assert sorted(shuffled, key=lambda label: sort_key(label, language)) == expected


def test_code_point_order_would_be_wrong() -> None:
    # Guard against the test above passing by accident: plain sorting breaks French.
    labels = ["Gynécologie-obstétrique", "Gériatrie", "Génétique médicale"]
    assert sorted(labels) != sorted(labels, key=lambda label: sort_key(label, "fr"))


def test_regional_tags_use_their_language_rules() -> None:
    assert sorted(["Ø", "Z"], key=lambda s: sort_key(s, "nb-NO")) == ["Z", "Ø"]
