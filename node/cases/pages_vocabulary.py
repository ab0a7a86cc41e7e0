"""The words pages use for a case's structured values, in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping

from babel import Locale

from i18n.collation import sort_key
from i18n.jinja import specialty_name
from i18n.languages import SUPPORTED_LANGUAGES
from i18n.specialties import SPECIALTIES
from i18n.translate import N_, current_language, gettext
from node.cases.schemas import AgeBand, Sex

_AGE_BANDS: Mapping[str, str] = {
    AgeBand.NEONATE: N_("Newborn (0 to 28 days)"),
    AgeBand.INFANT: N_("Infant (1 to 11 months)"),
    AgeBand.AGE_90_PLUS: N_("90 years or older"),
}
_YEARS = N_("%(low)s to %(high)s years")

_SEXES: Mapping[str, str] = {
    Sex.FEMALE: N_("Female"),
    Sex.MALE: N_("Male"),
    Sex.OTHER: N_("Other"),
    Sex.UNDISCLOSED: N_("Not disclosed"),
}

_STATUSES: Mapping[str, str] = {"open": N_("Open"), "resolved": N_("Resolved")}


def age_band_label(code: str) -> str:
    named = _AGE_BANDS.get(code)
    if named is not None:
        return gettext(named)
    low, _, high = code.partition("-")
    return gettext(_YEARS, low=low, high=high) if high else code


def sex_label(code: str) -> str:
    named = _SEXES.get(code)
    return gettext(named) if named else code


def status_label(code: str) -> str:
    named = _STATUSES.get(code)
    return gettext(named) if named else code


def language_name(code: str) -> str:
    """The language's name in the reader's language ("Deutsch", "allemand", "German")."""
    try:
        name = Locale.parse(code).get_display_name(current_language())
    except (ValueError, TypeError):
        return code
    return name[:1].upper() + name[1:] if name else code


def age_band_choices() -> list[tuple[str, str]]:
    return [(band.value, age_band_label(band.value)) for band in AgeBand]


def sex_choices() -> list[tuple[str, str]]:
    return [(sex.value, sex_label(sex.value)) for sex in Sex]


def language_choices() -> list[tuple[str, str]]:
    return [(code, language_name(code)) for code in SUPPORTED_LANGUAGES]


def specialty_choices() -> list[tuple[str, str]]:
    """Alphabetical in the reader's language, so a long list is quick to scan."""
    named = [(code, specialty_name(code)) for code in SPECIALTIES]
    language = current_language()
    return sorted(named, key=lambda item: sort_key(item[1], language))


def vocabulary() -> dict[str, object]:
    """What templates call to put these values into words."""
    return {
        "age_band_label": age_band_label,
        "sex_label": sex_label,
        "status_label": status_label,
        "language_name": language_name,
    }
