"""The languages Curbside's UI speaks, and which of them are written right to left."""

from typing import Final

# The network's languages, in the order the language picker shows them.
SUPPORTED_LANGUAGES: Final = (
    "en", "es", "fr", "it", "de", "nl", "da", "sv", "nb", "fi", "he", "pl", "el", "hu",
)  # fmt: skip

DEFAULT_LANGUAGE: Final = "en"

RIGHT_TO_LEFT: Final = frozenset({"he"})


def is_supported(language: str) -> bool:
    return language in SUPPORTED_LANGUAGES


def text_direction(language: str) -> str:
    """The value for the HTML ``dir`` attribute."""
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"
