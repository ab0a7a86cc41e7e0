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

from verification.registers import nppes_columns as col
from verification.registers.base import StrPath
from verification.registers.nppes import npi_check_digit

_FAMILY = (
    "SMITH",
    "JOHNSON",
    "WILLIAMS",
    "BROWN",
    "JONES",
    "GARCIA",
    "MILLER",
    "DAVIS",
    "RODRIGUEZ",
    "MARTINEZ",
    "HERNANDEZ",
    "LOPEZ",
    "GONZALEZ",
    "WILSON",
    "ANDERSON",
    "THOMAS",
    "TAYLOR",
    "MOORE",
    "JACKSON",
    "MARTIN",
    "LEE",
    "PEREZ",
    "THOMPSON",
    "WHITE",
    "HARRIS",
    "NGUYEN",
    "PATEL",
    "KIM",
    "CHEN",
    "SHAH",
    "COHEN",
    "LEVY",
    "MURPHY",
    "O'BRIEN",
    "MCDONALD",
    "KOWALSKI",
    "MUELLER",
    "SCHMIDT",
    "ROSSI",
    "RUSSO",
    "PAPADOPOULOS",
    "NIELSEN",
    "HANSEN",
    "JOHANSSON",
    "VIRTANEN",
    "NAGY",
    "ABDULLAH",
    "OKAFOR",
    "DE LA CRUZ",
    "VAN DYKE",
    "DA SILVA",
    "ST. JOHN",
    "SMITH-JONES",
)
_GIVEN = (
    "JAMES",
    "MARY",
    "ROBERT",
    "PATRICIA",
    "JOHN",
    "JENNIFER",
    "MICHAEL",
    "LINDA",
    "DAVID",
    "ELIZABETH",
    "WILLIAM",
    "BARBARA",
    "RICHARD",
    "SUSAN",
    "JOSEPH",
    "JESSICA",
    "THOMAS",
    "SARAH",
    "CHRISTOPHER",
    "KAREN",
    "PRIYA",
    "WEI",
    "MOHAMMED",
    "FATIMA",
    "ANNA",
    "LARS",
    "SOFIA",
    "MATTEO",
    "JUAN",
    "MARIA",
    "YOSSI",
    "NOA",
    "PIOTR",
    "AGNIESZKA",
    "DIMITRIOS",
    "ELENI",
    "ZOLTAN",
)
_MIDDLE = ("", "", "", "A", "B", "J", "M", "ANN", "LEE", "MARIE", "JAMES", "ELIZABETH")
_CREDENTIAL_MD = ("MD", "M.D.", "DO", "D.O.", "MD, PHD", "M.D., F.A.C.P.", "")
_CREDENTIAL_OTHER = ("NP", "RN", "PA-C", "DDS", "PHARMD", "DPT", "LCSW", "CRNA", "")
PHYSICIAN_TAXONOMIES = (
    "207Q00000X",
    "207R00000X",
    "208000000X",
    "207RG0100X",
    "207RN0300X",
    "207RC0000X",
    "2084N0400X",
    "207RI0200X",
    "207N00000X",
    "2085R0202X",
    "207P00000X",
    "2084P0800X",
    "207RX0202X",
    "208600000X",
)
OTHER_TAXONOMIES = (
    "363LF0000X",
    "163W00000X",
    "363A00000X",
    "1223G0001X",
    "152W00000X",
    "225100000X",
    "183500000X",
    "1041C0700X",
)
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
_INDEX = {name: n for n, name in enumerate(col.COLUMNS)}


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
    # The 223 columns after the last taxonomy switch are nearly always blank; one
    # prebuilt tail per kind keeps generation cheap without changing row sizes.
    tail_start = _INDEX[col.primary_switch(col.TAXONOMY_GROUPS)] + 1
    blank_tail = '","'.join([""] * (len(col.COLUMNS) - tail_start))
    certified_tail = blank_tail[: -len('","')] + '","06/01/2019'
    with open(path, "wb", buffering=1 << 20) as out:
        out.write(nppes_header(newline))
        write = out.write
        for _ in range(rows):
            head = _row_head(rng, npis.next(), mix)
            tail = certified_tail if rng.random() < 0.5 else blank_tail
            write(('"' + '","'.join(head) + '","' + tail + '"' + newline).encode("utf-8"))


def _row_head(rng: random.Random, npi: str, mix: NppesMix) -> list[str]:
    """Columns 0..106 (NPI through the 15th primary switch) of one row."""
    head = [""] * 107
    head[0] = npi
    roll = rng.random()
    if roll < mix.deactivated:
        head[_INDEX[col.DEACTIVATION_DATE]] = f"0{rng.randrange(1, 10)}/15/2016"
        return head
    city, state, postal = rng.choice(_CITIES)
    street = rng.choice(_STREETS)
    phone = f"{rng.randrange(200, 999)}555{rng.randrange(1000, 9999)}"
    for start in (20, 28):  # mailing, then practice location address
        head[start : start + 7] = [street, "", city, state, postal, "US", phone]
    head[36] = f"{rng.randrange(1, 13):02d}/{rng.randrange(1, 29):02d}/{rng.randrange(2005, 2024)}"
    head[37] = "07/08/2024"
    if roll < mix.deactivated + mix.organisations:
        head[1] = "2"
        head[3] = "<UNAVAIL>"
        head[4] = rng.choice(_ORG_NAMES)
        head[42:47] = [rng.choice(_FAMILY), rng.choice(_GIVEN), "", "PRESIDENT", phone]
        head[47:51] = [rng.choice(_ORG_TAXONOMIES), "", "", "Y"]
        return head
    head[1] = "1"
    physician = rng.random() < mix.physicians
    head[5] = rng.choice(_FAMILY)
    head[6] = rng.choice(_GIVEN)
    head[7] = rng.choice(_MIDDLE)
    head[10] = rng.choice(_CREDENTIAL_MD if physician else _CREDENTIAL_OTHER)
    head[41] = rng.choice("FM")
    pool = PHYSICIAN_TAXONOMIES if physician else OTHER_TAXONOMIES
    licence = f"{rng.choice('ABCGM')}{rng.randrange(10000, 999999)}"
    head[47:51] = [rng.choice(pool), licence, rng.choice(_STATES), "Y"]
    if rng.random() < 0.3:
        head[51:55] = [rng.choice(pool), licence, rng.choice(_STATES), "N"]
    if rng.random() < 0.005:
        head[_INDEX[col.DEACTIVATION_DATE]] = "03/01/2018"
        head[_INDEX[col.REACTIVATION_DATE]] = "04/15/2018"
    if rng.random() < mix.awkward:
        awkward = rng.choice(('BLDG "B"', "FLOOR 2\nROOM 12", 'THE "ANNEX",\nREAR'))
        head[21] = awkward.replace('"', '""')  # the row is joined unescaped
    return head


class _NpiSequence:
    """Distinct NPIs with valid check digits, computed cheaply in sequence."""

    def __init__(self, first_base: int) -> None:
        self._base = first_base

    def next(self) -> str:
        base = str(self._base)
        self._base += 1
        return base + str(npi_check_digit(base))


# -- RPPS -------------------------------------------------------------------------

RPPS_COLUMNS = (
    "Type d'identifiant PP",
    "Identifiant PP",
    "Identification nationale PP",
    "Code civilité d'exercice",
    "Libellé civilité d'exercice",
    "Code civilité",
    "Libellé civilité",
    "Nom d'exercice",
    "Prénom d'exercice",
    "Code profession",
    "Libellé profession",
    "Code catégorie professionnelle",
    "Libellé catégorie professionnelle",
    "Code type savoir-faire",
    "Libellé type savoir-faire",
    "Code savoir-faire",
    "Libellé savoir-faire",
    "Code mode exercice",
    "Libellé mode exercice",
    "Numéro SIRET site",
    "Numéro SIREN site",
    "Numéro FINESS site",
    "Numéro FINESS établissement juridique",
    "Identifiant technique de la structure",
    "Raison sociale site",
    "Enseigne commerciale site",
    "Complément destinataire (coord. structure)",
    "Complément point géographique (coord. structure)",
    "Numéro Voie (coord. structure)",
    "Indice répétition voie (coord. structure)",
    "Code type de voie (coord. structure)",
    "Libellé type de voie (coord. structure)",
    "Libellé Voie (coord. structure)",
    "Mention distribution (coord. structure)",
    "Bureau cedex (coord. structure)",
    "Code postal (coord. structure)",
    "Code commune (coord. structure)",
    "Libellé commune (coord. structure)",
    "Code pays (coord. structure)",
    "Libellé pays (coord. structure)",
    "Téléphone (coord. structure)",
    "Téléphone 2 (coord. structure)",
    "Télécopie (coord. structure)",
    "Adresse e-mail (coord. structure)",
    "Code Département (structure)",
    "Libellé Département (structure)",
    "Ancien identifiant de la structure",
    "Autorité d'enregistrement",
    "Code secteur d'activité",
    "Libellé secteur d'activité",
    "Code section tableau pharmaciens",
    "Libellé section tableau pharmaciens",
    "",
)
_RPPS_INDEX = {name: n for n, name in enumerate(RPPS_COLUMNS)}


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
