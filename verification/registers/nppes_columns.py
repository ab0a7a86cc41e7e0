"""The column layout of the NPPES "npidata_pfile" dissemination CSV (330 columns).

Taken from the published file layout: 47 identity, name, address and date columns,
15 taxonomy/licence groups of 4, 50 "other identifier" groups of 4, organisation
and authorized-official fields, 15 taxonomy groups, and the certification date.
The reader looks columns up by name, so it accepts older headers too (before
2025 the sex column was called "Provider Gender Code").
"""

from __future__ import annotations

NPI = "NPI"
ENTITY_TYPE = "Entity Type Code"
LAST_NAME = "Provider Last Name (Legal Name)"
FIRST_NAME = "Provider First Name"
MIDDLE_NAME = "Provider Middle Name"
CREDENTIAL = "Provider Credential Text"
DEACTIVATION_DATE = "NPI Deactivation Date"
REACTIVATION_DATE = "NPI Reactivation Date"
TAXONOMY_GROUPS = 15


def taxonomy_code(n: int) -> str:
    return f"Healthcare Provider Taxonomy Code_{n}"


def licence_number(n: int) -> str:
    return f"Provider License Number_{n}"


def licence_state(n: int) -> str:
    return f"Provider License Number State Code_{n}"


def primary_switch(n: int) -> str:
    return f"Healthcare Provider Primary Taxonomy Switch_{n}"


_LEADING = (
    NPI,
    ENTITY_TYPE,
    "Replacement NPI",
    "Employer Identification Number (EIN)",
    "Provider Organization Name (Legal Business Name)",
    LAST_NAME,
    FIRST_NAME,
    MIDDLE_NAME,
    "Provider Name Prefix Text",
    "Provider Name Suffix Text",
    CREDENTIAL,
    "Provider Other Organization Name",
    "Provider Other Organization Name Type Code",
    "Provider Other Last Name",
    "Provider Other First Name",
    "Provider Other Middle Name",
    "Provider Other Name Prefix Text",
    "Provider Other Name Suffix Text",
    "Provider Other Credential Text",
    "Provider Other Last Name Type Code",
    "Provider First Line Business Mailing Address",
    "Provider Second Line Business Mailing Address",
    "Provider Business Mailing Address City Name",
    "Provider Business Mailing Address State Name",
    "Provider Business Mailing Address Postal Code",
    "Provider Business Mailing Address Country Code (If outside U.S.)",
    "Provider Business Mailing Address Telephone Number",
    "Provider Business Mailing Address Fax Number",
    "Provider First Line Business Practice Location Address",
    "Provider Second Line Business Practice Location Address",
    "Provider Business Practice Location Address City Name",
    "Provider Business Practice Location Address State Name",
    "Provider Business Practice Location Address Postal Code",
    "Provider Business Practice Location Address Country Code (If outside U.S.)",
    "Provider Business Practice Location Address Telephone Number",
    "Provider Business Practice Location Address Fax Number",
    "Provider Enumeration Date",
    "Last Update Date",
    "NPI Deactivation Reason Code",
    DEACTIVATION_DATE,
    REACTIVATION_DATE,
    "Provider Sex Code",
    "Authorized Official Last Name",
    "Authorized Official First Name",
    "Authorized Official Middle Name",
    "Authorized Official Title or Position",
    "Authorized Official Telephone Number",
)

_TAXONOMY = tuple(
    column
    for n in range(1, TAXONOMY_GROUPS + 1)
    for column in (taxonomy_code(n), licence_number(n), licence_state(n), primary_switch(n))
)

_OTHER_IDENTIFIERS = tuple(
    column
    for n in range(1, 51)
    for column in (
        f"Other Provider Identifier_{n}",
        f"Other Provider Identifier Type Code_{n}",
        f"Other Provider Identifier State_{n}",
        f"Other Provider Identifier Issuer_{n}",
    )
)

_TRAILING = (
    "Is Sole Proprietor",
    "Is Organization Subpart",
    "Parent Organization LBN",
    "Parent Organization TIN",
    "Authorized Official Name Prefix Text",
    "Authorized Official Name Suffix Text",
    "Authorized Official Credential Text",
    *(f"Healthcare Provider Taxonomy Group_{n}" for n in range(1, TAXONOMY_GROUPS + 1)),
    "Certification Date",
)

COLUMNS: tuple[str, ...] = _LEADING + _TAXONOMY + _OTHER_IDENTIFIERS + _TRAILING
