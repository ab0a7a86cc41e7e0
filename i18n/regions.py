"""Country codes, checked against CLDR data shipped with babel (no hand-kept list)."""

from functools import cache

from babel import Locale

from i18n.formatting import babel_locale

# CLDR lists these two-letter codes as territories, but they are not countries a
# medical body could run a node for (unknown region, supranational unions,
# "outlying Oceania", pseudo-locales and exceptional reservations).
_NOT_COUNTRIES = frozenset(
    {"ZZ", "EU", "EZ", "QO", "UN", "XA", "XB", "AC", "CP", "CQ", "DG", "EA", "IC", "TA"}
)


@cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes, upper case."""
    territories: dict[str, str] = dict(Locale("en").territories)
    return frozenset(
        code
        for code in territories
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    )


def is_country_code(code: str) -> bool:
    return code in country_codes()


def country_name(code: str, language: str = "en") -> str:
    """The country's name in ``language`` (falls back to the code itself)."""
    name = babel_locale(language).territories.get(code)
    return name if isinstance(name, str) else code
