"""Regenerate the shipped name lists in ``node/deid/data/names/`` from Faker.

Run ``python -m node.deid.tools.build_name_lists`` with Faker installed (MIT licence).
Faker is only needed here, at build time: the node reads the generated ``.txt`` files
and never imports Faker, so a node install does not carry Faker's 40 MB of providers.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path

# Network language -> Faker locales whose person providers hold that country's names.
LOCALES: dict[str, tuple[str, ...]] = {
    "en": ("en_US", "en_GB", "en_IE"),
    "es": ("es_ES",),
    "fr": ("fr_FR",),
    "it": ("it_IT",),
    "de": ("de_DE", "de_AT", "de_CH"),
    "nl": ("nl_NL", "nl_BE"),
    "da": ("da_DK",),
    "sv": ("sv_SE",),
    "nb": ("no_NO",),
    "fi": ("fi_FI",),
    "he": ("he_IL",),
    "pl": ("pl_PL",),
    "el": ("el_GR",),
    "hu": ("hu_HU",),
}

DATA = Path(__file__).resolve().parent.parent / "data" / "names"

# Faker attributes that hold surnames; Polish and Greek split them by gender.
LAST_ATTRS = (
    "last_names",
    "last_names_male",
    "last_names_female",
    "male_last_names",
    "unisex_last_names",
)
FIRST_ATTRS = ("first_names", "first_names_male", "first_names_female")


def _words(values: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for value in values:
        # Multi-word Hebrew surnames ("אבו טיר") are kept whole; the matcher checks
        # tokens, so only single tokens are useful and the parts are added too.
        for part in value.replace("-", " ").split():
            if len(part) >= 3 and part != "Doe":
                out.add(part)
    return out


def _polish_feminine(surnames: set[str]) -> set[str]:
    # Faker ships only the masculine -ski/-cki forms; the feminine forms are regular.
    extra = set()
    for name in surnames:
        for male, female in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
            if name.endswith(male):
                extra.add(name[: -len(male)] + female)
    return extra


def build() -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    for lang, locales in LOCALES.items():
        first: set[str] = set()
        last: set[str] = set()
        for locale in locales:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
            for attr in FIRST_ATTRS:
                first |= _words(getattr(provider, attr, ()))
            for attr in LAST_ATTRS:
                last |= _words(getattr(provider, attr, ()))
        if lang == "pl":
            last |= _polish_feminine(last)
        (DATA / f"{lang}.first.txt").write_text("\n".join(sorted(first)) + "\n", "utf-8")
        (DATA / f"{lang}.last.txt").write_text("\n".join(sorted(last)) + "\n", "utf-8")


if __name__ == "__main__":
    build()
