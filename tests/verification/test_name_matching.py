from __future__ import annotations

import pytest

from verification.matching import Claim, MatchReason, match_claim, normalise_licence_id
from verification.names import fold, tokens
from verification.registers.base import RegisterEntry


def entry(licence: str, family: str, given: str, *, active: bool = True) -> RegisterEntry:
    return RegisterEntry(licence, family, given, None, None, active, 2)


# (country, register family, register given, claimed family, claimed given)
SAME_PERSON = [
    ("US", "SMITH", "JOHN ANDREW", "Smith", "John"),
    ("US", "SMITH", "JOHN ANDREW", "Smith", "John A."),
    ("US", "O'BRIEN", "MARY", "OBrien", "Mary"),
    ("US", "DE LA CRUZ", "MARIA", "Cruz", "Maria"),
    ("US", "MCDONALD", "ROBERT J", "McDonald", "Robert"),
    ("US", "SMITH-JONES", "ANNA", "Smith Jones", "Anna"),
    ("FR", "DE LA FONTAINE", "Marie-Hélène", "de La Fontaine", "Marie Helene"),
    ("FR", "D'ALEMBERT", "JEAN", "Alembert", "Jean"),
    ("FR", "LEFÈVRE", "JEAN-PIERRE", "Lefevre", "Jeanpierre"),
    ("FR", "LE", "THI HUONG", "Le", "Thi Huong"),
    ("DE", "Müller", "Hans-Peter", "Mueller", "Hans Peter"),
    ("DE", "Strauß", "Jörg", "Strauss", "Joerg"),
    ("DE", "von Weizsäcker", "Carl Friedrich", "Weizsaecker", "Carl"),
    ("DE", "Schmidt", "Anna", "Dr. Schmidt", "Anna"),
    ("NL", "van den Berg", "Jan Willem", "Van Den Berg", "Jan"),
    ("NL", "van der Berg", "Johannes", "Vanderberg", "Johannes"),
    ("NL", "Jansen-de Vries", "Anna", "de Vries", "Anna"),
    ("DK", "Sørensen", "Lars Løkke", "Soerensen", "Lars"),
    ("DK", "Ærø", "Åse", "Aeroe", "Aase"),
    ("SE", "Åström", "Märta", "Astrom", "Marta"),
    ("NO", "Bjørnstad", "Øystein", "Bjornstad", "Oystein"),
    ("FI", "Mäkinen", "Päivi", "Makinen", "Paivi"),
    ("IL", "כֹּהֵן", "שָׁלוֹם", "כהן", "שלום"),
    ("IL", "Ben-David", "Noa", "Ben David", "Noa"),
    ("PL", "Wałęsa", "Lech", "Walesa", "Lech"),
    ("PL", "Łukasiewicz", "Małgorzata", "LUKASIEWICZ", "MALGORZATA"),
    ("GR", "Παπαδόπουλος", "Γεώργιος", "Papadopoulos", "Georgios"),
    ("GR", "ΜΠΑΚΟΓΙΑΝΝΗΣ", "ΔΗΜΗΤΡΙΟΣ", "Bakogiannis", "Dimitrios"),
    ("HU", "Nagy", "László", "Nagy", "Laszlo"),
    ("HU", "Szőke", "Zsófia", "Szoke", "Zsofia"),
    ("ES", "García Márquez", "Gabriel José", "Garcia", "Gabriel"),
    ("ES", "Ortega y Gasset", "José", "Ortega Gasset", "Jose"),
    ("IT", "D'Angelo", "Maria Grazia", "Dangelo", "Maria Grazia"),
    ("IT", "Della Rovere", "Francesco", "Rovere", "Francesco"),
    ("IT", "Rossi", "Anna Maria", "Rossi", "Maria"),
]


@pytest.mark.parametrize(("country", "family", "given", "c_family", "c_given"), SAME_PERSON)
def test_same_person_matches(
    country: str, family: str, given: str, c_family: str, c_given: str
) -> None:
    result = match_claim(Claim("123", c_family, c_given), entry("123", family, given))
    assert result.matched, (country, result)
    assert result.reason is MatchReason.MATCHED


@pytest.mark.parametrize(
    ("family", "given", "c_family", "c_given"),
    [
        ("Nagy", "László", "László", "Nagy"),  # Hungarian order typed into the wrong fields
        ("MARTIN", "SOPHIE", "Sophie", "Martin"),
    ],
)
def test_family_and_given_swapped(family: str, given: str, c_family: str, c_given: str) -> None:
    result = match_claim(Claim("1", c_family, c_given), entry("1", family, given))
    assert result.matched and result.swapped


def test_whole_name_in_one_field() -> None:
    result = match_claim(Claim("1", "Jan van der Berg", ""), entry("1", "van der Berg", "Jan"))
    assert result.matched
    result = match_claim(Claim("1", "van der Berg", "Jan"), entry("1", "Jan van der Berg", ""))
    assert result.matched


# Near misses that must NOT verify automatically (they go to the review queue).
DIFFERENT_PERSON = [
    ("US", "SMITH", "JOHN", "Smith", "Jane", MatchReason.GIVEN_NAMES_DIFFER),
    ("US", "NGUYEN", "VAN AN", "Nguyen", "Thi Mai", MatchReason.GIVEN_NAMES_DIFFER),
    ("FR", "DUPONT", "JEAN", "Dupont", "Pierre", MatchReason.GIVEN_NAMES_DIFFER),
    ("FR", "MARTIN", "JEAN", "Martin", "J.", MatchReason.GIVEN_NAMES_DIFFER),  # initial only
    ("DE", "Müller", "Hans", "Müller", "Hanna", MatchReason.GIVEN_NAMES_DIFFER),
    ("NL", "Jansen", "Jan", "Janssen", "Jan", MatchReason.FAMILY_NAME_DIFFERS),
    ("NL", "de Vries", "Anna", "de Vries", "Anne", MatchReason.GIVEN_NAMES_DIFFER),
    ("DK", "Hansen", "Lars", "Jensen", "Lars", MatchReason.FAMILY_NAME_DIFFERS),
    ("SE", "Andersson", "Erik", "Andersen", "Erik", MatchReason.FAMILY_NAME_DIFFERS),
    ("NO", "Olsen", "Kari", "Olsen", "Kåre", MatchReason.GIVEN_NAMES_DIFFER),
    ("FI", "Virtanen", "Mikko", "Virtanen", "Mika", MatchReason.GIVEN_NAMES_DIFFER),
    ("IL", "כהן", "דוד", "לוי", "דוד", MatchReason.FAMILY_NAME_DIFFERS),
    ("PL", "Kowalski", "Piotr", "Kowalska", "Anna", MatchReason.FAMILY_NAME_DIFFERS),
    ("PL", "Nowak", "Michał", "Nowak", "Michael", MatchReason.GIVEN_NAMES_DIFFER),
    ("GR", "Παπαδόπουλος", "Γεώργιος", "Papadopoulou", "Georgia", MatchReason.FAMILY_NAME_DIFFERS),
    ("HU", "Kovács", "Péter", "Kovács", "Pál", MatchReason.GIVEN_NAMES_DIFFER),
    ("ES", "García", "José", "García", "Josefa", MatchReason.GIVEN_NAMES_DIFFER),
    ("IT", "Rossi", "Marco", "Russo", "Marco", MatchReason.FAMILY_NAME_DIFFERS),
]


@pytest.mark.parametrize(
    ("country", "family", "given", "c_family", "c_given", "reason"), DIFFERENT_PERSON
)
def test_different_person_does_not_match(
    country: str, family: str, given: str, c_family: str, c_given: str, reason: MatchReason
) -> None:
    result = match_claim(Claim("42", c_family, c_given), entry("42", family, given))
    assert not result, country
    assert result.reason is reason, (country, result)
    assert family in result.detail


def test_swapped_digits_in_the_licence_number() -> None:
    register = {e.licence_id: e for e in (entry("1234567893", "SMITH", "JOHN"),)}
    claim = Claim("1234567839", "Smith", "John")
    result = match_claim(claim, register.get(normalise_licence_id(claim.licence_id)))
    assert result.reason is MatchReason.NUMBER_UNKNOWN
    # ...and a transposition that lands on someone else's number fails on the names.
    other = entry("1234567839", "GARCIA", "MARIA")
    assert match_claim(claim, other).reason is MatchReason.FAMILY_NAME_DIFFERS


def test_entry_for_another_number_is_not_trusted() -> None:
    result = match_claim(Claim("111", "Smith", "John"), entry("112", "SMITH", "JOHN"))
    assert result.reason is MatchReason.NUMBER_UNKNOWN


def test_inactive_licence() -> None:
    inactive = entry("99", "SMITH", "JOHN", active=False)
    assert match_claim(Claim("99", "Smith", "John"), inactive).reason is (
        MatchReason.LICENCE_INACTIVE
    )
    # Someone else's names learn nothing about the licence's status.
    assert match_claim(Claim("99", "Doe", "Jane"), inactive).reason is (
        MatchReason.FAMILY_NAME_DIFFERS
    )


def test_licence_numbers_are_normalised() -> None:
    assert normalise_licence_id(" 10 0010-45367 ") == "10001045367"
    assert normalise_licence_id("a.123/45") == "A12345"
    assert normalise_licence_id("0123") != normalise_licence_id("123")
    result = match_claim(
        Claim("1000 1045 367", "Guignard", "Eric"), entry("10001045367", "GUIGNARD", "ERIC")
    )
    assert result.matched


def test_multiple_spaces_and_case() -> None:
    result = match_claim(
        Claim("1", "  van   DER  berg ", "  jan  "), entry("1", "van der Berg", "Jan")
    )
    assert result.matched


def test_folding() -> None:
    assert fold("ŁÓDŹ Ærøskøbing Straße") == "lodz aeroskobing strasse"
    assert fold("Μπακογιάννης") == "bakogiannis"
    assert [t.plain for t in tokens("Dr. Jean-Pierre d'Arc Jr.")] == ["jean", "pierre", "d", "arc"]
    assert [t.expanded for t in tokens("Müller")] == ["mueller"]
