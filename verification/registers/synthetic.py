"""Register files shaped like the real ones, for tests, benchmarks and demos.

NPPES-shaped files use the real 330-column header and quoting; rows are made from
a few pools of names, addresses and taxonomy codes so that a million rows (about
1.1 GB, the size of the real file's rows) are written in seconds. Everything is
deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from verification.registers import nppes_columns as col
from verification.registers.base import StrPath

_FAMILY = (
    "SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS", "RODRIGUEZ",
    "MARTINEZ", "HERNANDEZ", "LOPEZ", "GONZALEZ", "WILSON", "ANDERSON", "THOMAS", "TAYLOR",
    "MOORE", "JACKSON", "MARTIN", "LEE", "PEREZ", "THOMPSON", "WHITE", "HARRIS", "NGUYEN",
    "PATEL", "KIM", "CHEN", "SHAH", "COHEN", "LEVY", "MURPHY", "O'BRIEN", "MCDONALD",
    "KOWALSKI", "MUELLER", "SCHMIDT", "ROSSI", "RUSSO", "PAPADOPOULOS", "NIELSEN", "HANSEN",
    "JOHANSSON", "VIRTANEN", "NAGY", "ABDULLAH", "OKAFOR", "DE LA CRUZ", "VAN DYKE",
    "DA SILVA", "ST. JOHN", "SMITH-JONES",
)  # fmt: skip
_GIVEN = (
    "JAMES", "MARY", "ROBERT", "PATRICIA", "JOHN", "JENNIFER", "MICHAEL", "LINDA", "DAVID",
    "ELIZABETH", "WILLIAM", "BARBARA", "RICHARD", "SUSAN", "JOSEPH", "JESSICA", "THOMAS",
    "SARAH", "CHRISTOPHER", "KAREN", "PRIYA", "WEI", "MOHAMMED", "FATIMA", "ANNA", "LARS",
    "SOFIA", "MATTEO", "JUAN", "MARIA", "YOSSI", "NOA", "PIOTR", "AGNIESZKA", "DIMITRIOS",
    "ELENI", "ZOLTAN",
)  # fmt: skip
_MIDDLE = ("", "", "", "A", "B", "J", "M", "ANN", "LEE", "MARIE", "JAMES", "ELIZABETH")
_CREDENTIAL_MD = ("MD", "M.D.", "DO", "D.O.", "MD, PHD", "M.D., F.A.C.P.", "")
_CREDENTIAL_OTHER = ("NP", "RN", "PA-C", "DDS", "PHARMD", "DPT", "LCSW", "CRNA", "")
PHYSICIAN_TAXONOMIES = (
    "207Q00000X", "207R00000X", "208000000X", "207RG0100X", "207RN0300X", "207RC0000X",
    "2084N0400X", "207RI0200X", "207N00000X", "2085R0202X", "207P00000X", "2084P0800X",
    "207RX0202X", "208600000X",
)  # fmt: skip
OTHER_TAXONOMIES = (
    "363LF0000X", "163W00000X", "363A00000X", "1223G0001X", "152W00000X", "225100000X",
    "183500000X", "1041C0700X",
)  # fmt: skip
_ORG_TAXONOMIES = ("261QM1300X", "332B00000X", "282N00000X", "3336C0003X")
_ORG_NAMES = (
    "MERCY HOSPITAL",
    "VALLEY MEDICAL GROUP LLC",
    "CVS PHARMACY INC",
    "NORTHSIDE IMAGING CENTER",
    "ST. LUKE'S CLINIC",
)
_STREETS = (
    "100 MAIN ST",
    "2500 N STATE ST",
    "1 HOSPITAL DR",
    "450 PARK AVE SUITE 210",
    "77 MASSACHUSETTS AVE",
    "9000 W SUNSET BLVD",
)
_CITIES = (
    ("NEW YORK", "NY", "100161234"),
    ("CHICAGO", "IL", "606111234"),
    ("HOUSTON", "TX", "770301234"),
    ("SEATTLE", "WA", "981011234"),
    ("BOSTON", "MA", "021141234"),
    ("LOS ANGELES", "CA", "900271234"),
)
_STATES = ("NY", "IL", "TX", "WA", "MA", "CA", "FL", "PA")
_INDEX = MappingProxyType({name: n for n, name in enumerate(col.COLUMNS)})


def nppes_header(newline: str = "\n") -> bytes:
    return _quoted_line(col.COLUMNS, newline)


def nppes_row(values: Mapping[str, str], newline: str = "\n") -> bytes:
    """One NPPES row with the given columns set (by header name) and the rest blank."""
    fields = [""] * len(col.COLUMNS)
    for name, value in values.items():
        fields[_INDEX[name]] = value
    return _quoted_line(fields, newline)


def _quoted_line(fields: Iterable[str], newline: str) -> bytes:
    quoted = ('"' + field.replace('"', '""') + '"' for field in fields)
    return (",".join(quoted) + newline).encode("utf-8")


@dataclass(frozen=True, slots=True)
class NppesMix:
    """Shares of each kind of row in a generated file."""

    organisations: float = 0.25
    physicians: float = 0.45  # of the individuals; the rest are other professions
    deactivated: float = 0.01
    # Rows with an embedded quote or line break, which the reader's fast path
    # hands to the csv module: rare in the real file, present so they are tested.
    awkward: float = 0.001


def write_nppes(
    path: StrPath,
    rows: int,
    *,
    seed: int = 0,
    mix: NppesMix = NppesMix(),
    newline: str = "\n",
) -> None:
    """Write an NPPES-shaped file with `rows` data rows after the real header."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    npis = _NpiSequence(first_base=100_000_000 + rng.randrange(1_000_000))
    rows_of = _RowMaker(rng, mix, newline)
    with open(path, "wb", buffering=1 << 20) as out:
        out.write(nppes_header(newline))
        write = out.write
        for _ in range(rows):
            write(rows_of.make(npis.next()).encode("utf-8"))


_S = '","'  # the separator between two quoted fields


def _blanks(count: int) -> str:
    """`count` blank fields, each preceded by a separator."""
    return _S * count


class _RowMaker:
    """Builds whole rows from prebuilt segments.

    A row is one opening quote, the field values joined by `_S`, and a closing
    quote; no value here contains a quote except the deliberately awkward ones,
    which are written already escaped.

    One random draw per row picks names, address and codes by slicing its bits,
    which is what keeps a million rows to seconds; the segments below are laid
    out column by column after the real header (indices in comments).
    """

    def __init__(self, rng: random.Random, mix: NppesMix, newline: str) -> None:
        self.rng = rng
        self.mix = mix
        self.newline = newline
        phones = [f"{rng.randrange(200, 999)}555{rng.randrange(1000, 9999)}" for _ in range(64)]
        self.phones = phones
        # 20..35: mailing then practice address, 8 fields each (fax left blank).
        self.addresses = [
            _S.join([street, "", city, state, postal, "US", phone, ""] * 2)
            for street in _STREETS
            for city, state, postal in _CITIES
            for phone in phones[:4]
        ]
        self.dates = [
            f"{month:02d}/{day:02d}/{year}"
            for month in range(1, 13)
            for day in (1, 9, 17, 28)
            for year in range(2005, 2024, 3)
        ]
        self.licences = [f"{letter}{n}" for letter in "ABCGM" for n in range(10_000, 999_999, 7919)]
        blank_tail = '","'.join([""] * (len(col.COLUMNS) - 107))  # 107..329
        self.tails = (blank_tail, blank_tail[: -len(_S)] + _S + "06/01/2019")

    def make(self, npi: str) -> str:
        rng, mix = self.rng, self.mix
        bits = rng.getrandbits(64)
        roll = rng.random()
        tail = self.tails[bits & 1]
        if roll < mix.deactivated:
            # NPPES blanks a deactivated NPI's row except the number and date (39).
            date = f"0{bits % 9 + 1}/15/2016"
            return f'"{npi}{_blanks(38)}{_S}{date}{_blanks(67)}{_S}{tail}"{self.newline}'
        address = self.addresses[(bits >> 8) % len(self.addresses)]
        enumerated = self.dates[(bits >> 16) % len(self.dates)]
        if roll < mix.deactivated + mix.organisations:
            official = _S.join(
                [
                    _FAMILY[(bits >> 24) % len(_FAMILY)],
                    _GIVEN[(bits >> 32) % len(_GIVEN)],
                    "",
                    "PRESIDENT",
                    self.phones[(bits >> 40) % len(self.phones)],
                ]
            )
            taxonomy = _S.join([_ORG_TAXONOMIES[(bits >> 48) % 4], "", "", "Y"]) + _blanks(56)
            return (
                f'"{npi}{_S}2{_S}{_S}<UNAVAIL>{_S}{_ORG_NAMES[(bits >> 52) % len(_ORG_NAMES)]}'
                f"{_blanks(15)}{_S}{address}{_S}{enumerated}{_S}07/08/2024{_blanks(4)}"
                f'{_S}{official}{_S}{taxonomy}{_S}{tail}"{self.newline}'
            )
        physician = rng.random() < mix.physicians
        codes = PHYSICIAN_TAXONOMIES if physician else OTHER_TAXONOMIES
        credentials = _CREDENTIAL_MD if physician else _CREDENTIAL_OTHER
        licence = self.licences[(bits >> 24) % len(self.licences)]
        state = _STATES[(bits >> 40) % len(_STATES)]
        taxonomy = _S.join([codes[(bits >> 44) % len(codes)], licence, state, "Y"])
        if roll > 0.7:
            second = codes[(bits >> 48) % len(codes)]
            taxonomy += _S + _S.join([second, licence, _STATES[(bits >> 52) % 8], "N"])
            taxonomy += _blanks(52)
        else:
            taxonomy += _blanks(56)
        deactivated = reactivated = ""
        if roll > 0.995:
            deactivated, reactivated = "03/01/2018", "04/15/2018"
        if rng.random() < mix.awkward:
            awkward = ('BLDG ""B""', "FLOOR 2\nROOM 12", 'THE ""ANNEX"",\nREAR')[bits % 3]
            address = address.replace(_S + _S, _S + awkward + _S, 1)  # line 2 (21)
        names = _S.join(
            [
                _FAMILY[(bits >> 2) % len(_FAMILY)],
                _GIVEN[(bits >> 10) % len(_GIVEN)],
                _MIDDLE[(bits >> 18) % len(_MIDDLE)],
                "",
                "",
                credentials[(bits >> 28) % len(credentials)],
            ]
        )
        return (
            f'"{npi}{_S}1{_S}{_S}{_S}{_S}{names}{_blanks(9)}{_S}{address}{_S}{enumerated}'
            f"{_S}07/08/2024{_S}{_S}{deactivated}{_S}{reactivated}{_S}{'FM'[bits >> 63]}"
            f'{_blanks(5)}{_S}{taxonomy}{_S}{tail}"{self.newline}'
        )


class _NpiSequence:
    """Distinct NPIs with valid check digits, computed cheaply in sequence.

    The Luhn sum of the 9-digit base splits into its first five and last four
    digits (both blocks start on a doubled position), so the four-digit part comes
    from a table and the five-digit part changes once every 10,000 numbers.
    """

    def __init__(self, first_base: int) -> None:
        self._base = first_base
        self._low = [_luhn_sum(f"{n:04d}") for n in range(10_000)]
        self._high_block = -1
        self._high_sum = 0

    def next(self) -> str:
        base = self._base
        self._base += 1
        high, low = divmod(base, 10_000)
        if high != self._high_block:
            self._high_block, self._high_sum = high, _luhn_sum(str(high))
        check = (10 - (24 + self._high_sum + self._low[low]) % 10) % 10
        return f"{base}{check}"


def _luhn_sum(digits: str) -> int:
    """Luhn sum of a digit block whose last digit sits on a doubled position."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char) * (2 if position % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return total


# -- RPPS -------------------------------------------------------------------------

RPPS_COLUMNS = (
    "Type d'identifiant PP", "Identifiant PP", "Identification nationale PP",
    "Code civilité d'exercice", "Libellé civilité d'exercice", "Code civilité",
    "Libellé civilité", "Nom d'exercice", "Prénom d'exercice", "Code profession",
    "Libellé profession", "Code catégorie professionnelle",
    "Libellé catégorie professionnelle", "Code type savoir-faire", "Libellé type savoir-faire",
    "Code savoir-faire", "Libellé savoir-faire", "Code mode exercice", "Libellé mode exercice",
    "Numéro SIRET site", "Numéro SIREN site", "Numéro FINESS site",
    "Numéro FINESS établissement juridique", "Identifiant technique de la structure",
    "Raison sociale site", "Enseigne commerciale site",
    "Complément destinataire (coord. structure)",
    "Complément point géographique (coord. structure)", "Numéro Voie (coord. structure)",
    "Indice répétition voie (coord. structure)", "Code type de voie (coord. structure)",
    "Libellé type de voie (coord. structure)", "Libellé Voie (coord. structure)",
    "Mention distribution (coord. structure)", "Bureau cedex (coord. structure)",
    "Code postal (coord. structure)", "Code commune (coord. structure)",
    "Libellé commune (coord. structure)", "Code pays (coord. structure)",
    "Libellé pays (coord. structure)", "Téléphone (coord. structure)",
    "Téléphone 2 (coord. structure)", "Télécopie (coord. structure)",
    "Adresse e-mail (coord. structure)", "Code Département (structure)",
    "Libellé Département (structure)", "Ancien identifiant de la structure",
    "Autorité d'enregistrement", "Code secteur d'activité", "Libellé secteur d'activité",
    "Code section tableau pharmaciens", "Libellé section tableau pharmaciens", "",
)  # fmt: skip
_RPPS_INDEX = MappingProxyType({name: n for n, name in enumerate(RPPS_COLUMNS)})


def rpps_header() -> bytes:
    return ("|".join(RPPS_COLUMNS) + "\n").encode("utf-8")


def rpps_row(values: Mapping[str, str]) -> bytes:
    """One RPPS activity row with the given columns set (by header name)."""
    fields = [""] * len(RPPS_COLUMNS)
    for name, value in values.items():
        fields[_RPPS_INDEX[name]] = value
    return ("|".join(fields) + "\n").encode("utf-8")


def rpps_activity(
    pp: str,
    family: str,
    given: str,
    *,
    profession: str = "10",
    specialty: str = "",
    specialty_kind: str = "S",
    site: str = "CABINET MEDICAL",
) -> bytes:
    """A row for one activity of one person, with the fields the reader uses."""
    labels = {"10": "Médecin", "40": "Chirurgien-Dentiste", "60": "Infirmier", "21": "Pharmacien"}
    return rpps_row(
        {
            "Type d'identifiant PP": "8",
            "Identifiant PP": pp,
            "Identification nationale PP": "8" + pp,
            "Code civilité d'exercice": "DR" if profession == "10" else "",
            "Libellé civilité d'exercice": "Docteur" if profession == "10" else "",
            "Nom d'exercice": family,
            "Prénom d'exercice": given,
            "Code profession": profession,
            "Libellé profession": labels.get(profession, "Autre"),
            "Code type savoir-faire": specialty_kind if specialty else "",
            "Libellé type savoir-faire": "Spécialité ordinale" if specialty else "",
            "Libellé savoir-faire": specialty,
            "Raison sociale site": site,
        }
    )
