"""Check-digit validators for the national identifiers we detect.

Each function takes the identifier with separators already removed and answers
whether it is well formed. A valid check digit is what lets us flag a bare run of
digits as a national identifier without flagging every lab accession number.
Algorithms follow the issuing authorities' published descriptions.
"""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType
from typing import Final

_HETU_CHECK: Final = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_DNI_LETTERS: Final = "TRWAGMYFPDXBNJZSQVHLCKE"
# Codice fiscale: value of a character in an odd (1st, 3rd, ...) position.
_CF_ODD: Final = MappingProxyType(
    dict(
        zip(
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            (
                1,
                0,
                5,
                7,
                9,
                13,
                15,
                17,
                19,
                21,
                1,
                0,
                5,
                7,
                9,
                13,
                15,
                17,
                19,
                21,
                2,
                4,
                18,
                20,
                11,
                3,
                6,
                8,
                12,
                14,
                16,
                10,
                22,
                25,
                24,
                23,
            ),
            strict=True,
        )
    )
)
# Omocodia: digits of a code fiscale may be replaced by these letters.
_CF_OMOCODE: Final = "LMNPQRSTUV"


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def luhn(digits: str) -> bool:
    """The Luhn mod-10 check, used by Swedish personnummer and Greek AMKA."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def us_ssn(digits: str) -> bool:
    """US SSN: no check digit, but areas 000, 666 and 9xx, group 00 and serial 0000 are
    never issued, and the well-known advertising number is excluded."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in {"000", "666"} or area.startswith("9") or group == "00" or serial == "0000":
        return False
    return digits not in {"078051120", "123456789"}


def french_nir(value: str) -> bool:
    """French NIR (numéro de sécurité sociale): 13 characters + 2-digit key = 97 - n mod 97.
    Corsican departments 2A/2B count as 19/18 in the key."""
    if len(value) != 15:
        return False
    body, key = value[:13], value[13:]
    body = body.upper().replace("2A", "19", 1) if body[5:7].upper() == "2A" else body
    body = body.upper().replace("2B", "18", 1) if body[5:7].upper() == "2B" else body
    if not body.isdigit() or not key.isdigit() or body[0] not in "1278":
        return False
    return 97 - int(body) % 97 == int(key)


def german_kvnr(value: str) -> bool:
    """German KVNR: letter + 8 digits + check digit. The letter becomes 01..26; the ten
    digits are weighted 1,2,1,2,..., the digit sums of the products added, mod 10."""
    if len(value) != 10 or not value[0].isalpha() or not value[1:].isdigit():
        return False
    letter = ord(value[0].upper()) - ord("A") + 1
    if not 1 <= letter <= 26:
        return False
    digits = f"{letter:02d}" + value[1:9]
    total = 0
    for i, ch in enumerate(digits):
        product = int(ch) * (1 if i % 2 == 0 else 2)
        total += product // 10 + product % 10
    return total % 10 == int(value[9])


def uk_nhs(digits: str) -> bool:
    """UK NHS number: weights 10..2, check = 11 - sum mod 11 (11 -> 0, 10 is invalid)."""
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def danish_cpr(digits: str) -> bool:
    """Danish CPR: DDMMYY-SSSS. The mod-11 check was dropped in 2007, so only the date
    can be checked; the seventh digit picks the century."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    day, month, yy, seventh = int(digits[:2]), int(digits[2:4]), int(digits[4:6]), int(digits[6])
    if seventh <= 3 or (seventh in (4, 9) and yy >= 37) or (seventh >= 5 and yy >= 58):
        century = 1900
    else:
        century = 2000
    if 5 <= seventh <= 8 and yy >= 58:
        century = 1800
    return _valid_date(century + yy, month, day)


def swedish_personnummer(digits: str) -> bool:
    """Swedish personnummer (10 or 12 digits): Luhn over YYMMDDNNNC; a day + 60 is a
    samordningsnummer."""
    if len(digits) == 12:
        digits = digits[2:]
    if len(digits) != 10 or not digits.isdigit():
        return False
    month, day = int(digits[2:4]), int(digits[4:6])
    if day > 60:
        day -= 60
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    return luhn(digits)


def norwegian_fnr(digits: str) -> bool:
    """Norwegian fødselsnummer: DDMMYY + 3-digit individual number + two mod-11 checks.
    D-numbers add 4 to the first digit."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    d = [int(c) for c in digits]
    w1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
    w2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    k1 = 11 - sum(a * b for a, b in zip(d[:9], w1, strict=True)) % 11
    k1 = 0 if k1 == 11 else k1
    k2 = 11 - sum(a * b for a, b in zip(d[:10], w2, strict=True)) % 11
    k2 = 0 if k2 == 11 else k2
    if k1 == 10 or k2 == 10 or k1 != d[9] or k2 != d[10]:
        return False
    day = int(digits[:2])
    day = day - 40 if day > 40 else day
    month = int(digits[2:4])
    return 1 <= day <= 31 and 1 <= month <= 12


def finnish_hetu(value: str) -> bool:
    """Finnish HETU: DDMMYY, century sign, 3 digits, check character = table[n mod 31]."""
    if len(value) != 11:
        return False
    value = value.upper()
    date, sign, individual, check = value[:6], value[6], value[7:10], value[10]
    if not (date.isdigit() and individual.isdigit()) or sign not in "+-ABCDEFUVWXY":
        return False
    century = {"+": 1800, "A": 2000, "B": 2000, "C": 2000, "D": 2000, "E": 2000, "F": 2000}.get(
        sign, 1900
    )
    if not _valid_date(century + int(date[4:6]), int(date[2:4]), int(date[:2])):
        return False
    return _HETU_CHECK[int(date + individual) % 31] == check


def dutch_bsn(digits: str) -> bool:
    """Dutch BSN ("elfproef"): 9*d1 + 8*d2 + ... + 2*d8 - d9 must be divisible by 11."""
    if len(digits) != 9 or not digits.isdigit() or int(digits) == 0:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - int(digits[8])) % 11 == 0


def italian_codice_fiscale(value: str) -> bool:
    """Italian codice fiscale: 15 characters + a check letter from the odd/even tables."""
    value = value.upper()
    if len(value) != 16 or not value.isalnum():
        return False
    # Positions 7-8, 10-11 and 13-15 are digits, or omocodia letters standing for digits.
    for i in (6, 7, 9, 10, 12, 13, 14):
        if not (value[i].isdigit() or value[i] in _CF_OMOCODE):
            return False
    total = 0
    for i, ch in enumerate(value[:15]):
        if i % 2 == 0:
            total += _CF_ODD[ch]
        else:
            total += int(ch) if ch.isdigit() else ord(ch) - ord("A")
    return chr(ord("A") + total % 26) == value[15]


def spanish_dni(value: str) -> bool:
    """Spanish DNI (8 digits + letter) and NIE (X/Y/Z + 7 digits + letter): n mod 23."""
    value = value.upper()
    if len(value) != 9:
        return False
    head = value[:8]
    if head[0] in "XYZ":
        head = str("XYZ".index(head[0])) + head[1:]
    if not head.isdigit():
        return False
    return _DNI_LETTERS[int(head) % 23] == value[8]


def polish_pesel(digits: str) -> bool:
    """Polish PESEL: weights 1,3,7,9,... check = (10 - sum mod 10) mod 10; the month
    carries the century (+80 for 1800s, +20 for 2000s, ...)."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    total = sum(int(d) * w for d, w in zip(digits[:10], weights, strict=True))
    if (10 - total % 10) % 10 != int(digits[10]):
        return False
    month = int(digits[2:4])
    # 01-12 -> 1900s, 21-32 -> 2000s, 41-52 -> 2100s, 61-72 -> 2200s, 81-92 -> 1800s.
    century = (1900, 2000, 2100, 2200, 1800)[month // 20]
    return _valid_date(century + int(digits[:2]), month % 20, int(digits[4:6]))


def israeli_id(digits: str) -> bool:
    """Israeli Teudat Zehut: 9 digits (left-padded), weights 1,2,... digit sums, mod 10."""
    if not digits.isdigit() or not 5 <= len(digits) <= 9 or int(digits) == 0:
        return False
    digits = digits.zfill(9)
    total = 0
    for i, ch in enumerate(digits):
        product = int(ch) * (1 if i % 2 == 0 else 2)
        total += product // 10 + product % 10
    return total % 10 == 0


def greek_amka(digits: str) -> bool:
    """Greek AMKA: DDMMYY + 5 digits, the last a Luhn check digit."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    day, month = int(digits[:2]), int(digits[2:4])
    return 1 <= day <= 31 and 1 <= month <= 12 and luhn(digits)


def hungarian_taj(digits: str) -> bool:
    """Hungarian TAJ: 8 digits weighted 3,7,3,7,...; the 9th digit is the sum mod 10."""
    if len(digits) != 9 or not digits.isdigit() or int(digits) == 0:
        return False
    total = sum(int(d) * (3 if i % 2 == 0 else 7) for i, d in enumerate(digits[:8]))
    return total % 10 == int(digits[8])
