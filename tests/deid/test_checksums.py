"""Check-digit validators: a valid example of each identifier, and a one-digit typo."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from node.deid import checksums as c

VALID: list[tuple[Callable[[str], bool], str]] = [
    (c.us_ssn, "431260181"),
    (c.french_nir, "282054504000838"),
    (c.french_nir, "1850578006084" + "91"),
    (c.german_kvnr, "A123456780"),
    (c.uk_nhs, "9434765919"),
    (c.danish_cpr, "1804873716"),
    (c.swedish_personnummer, "8112189876"),
    (c.swedish_personnummer, "194105103198"),
    (c.norwegian_fnr, "01010750160"),
    (c.finnish_hetu, "131052-308T"),
    (c.finnish_hetu, "010594Y9032"),
    (c.dutch_bsn, "111222333"),
    (c.italian_codice_fiscale, "RSSMRA85T10A562S"),
    (c.spanish_dni, "12345678Z"),
    (c.spanish_dni, "X1234567L"),
    (c.polish_pesel, "44051401359"),
    (c.israeli_id, "000000018"),
    (c.greek_amka, "26109767330"),
    (c.hungarian_taj, "123456788"),
]


@pytest.mark.parametrize(("validator", "value"), VALID)
def test_valid(validator: Callable[[str], bool], value: str) -> None:
    assert validator(value)


def _typo(value: str) -> str:
    """Change the last digit that is not the check character (or the check digit)."""
    chars = list(value)
    for i in range(len(chars) - 2, -1, -1):
        if chars[i].isdigit():
            chars[i] = str((int(chars[i]) + 1) % 10)
            return "".join(chars)
    raise AssertionError(value)


@pytest.mark.parametrize(
    ("validator", "value"),
    [(v, x) for v, x in VALID if v not in (c.us_ssn, c.danish_cpr)],
)
def test_typo_is_rejected(validator: Callable[[str], bool], value: str) -> None:
    assert not validator(_typo(value))


@pytest.mark.parametrize(
    "value", ["000123456", "666123456", "900123456", "123001234", "123450000", "078051120"]
)
def test_ssn_never_issued(value: str) -> None:
    assert not c.us_ssn(value)


def test_cpr_checks_the_date() -> None:
    assert not c.danish_cpr("3102871234")  # 31 February
    assert not c.danish_cpr("0113871234")  # month 13


@pytest.mark.parametrize(
    ("validator", "value"),
    [(c.uk_nhs, "1111111111"), (c.dutch_bsn, "000000000"), (c.hungarian_taj, "000000000")],
)
def test_degenerate_numbers_are_rejected(validator: Callable[[str], bool], value: str) -> None:
    assert not validator(value)


def test_luhn() -> None:
    assert c.luhn("79927398713")
    assert not c.luhn("79927398710")
