"""Geography below the state: street addresses, postcodes and towns.

Street addresses are found by their street word in each language (number-first
"12 rue de la Paix" / "221B Baker Street", or name-first "Hauptstraße 12",
"Via Roma 3", "ul. Długa 5", "Rákóczi út 12."). A postcode counts with a town next
to it, after an address, or after a cue ("PLZ", "CP"), because a lone five-digit
number is as likely a dose in units. Distinctive shapes (UK "SW1A 1AA", Dutch
"1012 AB") count alone. Towns are taken after a residence cue ("lives in",
"wohnhaft in", "habite à", "mieszka w") or after a postcode.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Final

from node.deid import towns
from node.deid.finding import ADDRESS, POSTCODE, TOWN, Candidate
from node.deid.lexicon import (
    CAPWORD,
    HEBREW_WORD,
    LANGUAGE_DATA,
    NOT_TOWNS,
    PROFILES,
    cue_alternation,
    merged,
    profile_languages,
)
from node.deid.view import WORD, CueIndex, Piece, TextView

PRIORITY_ADDRESS: Final = 50
PRIORITY_POSTCODE: Final = 45
PRIORITY_TOWN: Final = 40

_PARTICLE: Final = (
    r"(?:de\s+la|de\s+l['’]|del|de|du|des|d['’]|la|le|les|l['’]|di|della|dei|degli|delle|"
    r"da|do|dos|das|van|von|der|den|am|an|zum|zur|of|the)"
)
_STREET_NAME: Final = (
    rf"(?:{_PARTICLE}\s*)?(?:{CAPWORD}|\d{{1,2}})(?:\s+(?:{_PARTICLE}\s+)?{CAPWORD}){{0,3}}"
)
_HOUSE: Final = r"\d{1,4}[a-zA-Z]?(?:\s?[-/]\s?\d{1,4}[a-zA-Z]?)?\.?(?![\d,.]\d)"
_TOWN_LINK: Final = (
    r"(?:am|an\s+der|an|im|ob|bei|upon|on|sur|sous|de\s+la|de\s+las|de\s+los|de|del|la|di|"
    r"aan\s+den|aan|op|en|in)"
)
_TOWN_WORDS: Final = rf"{CAPWORD}(?:\s+{_TOWN_LINK}\s+{CAPWORD}|\s+{CAPWORD}){{0,2}}"
# Postcode shapes, most specific first.
_CODE: Final = (
    r"(?:[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}"  # UK
    r"|\d{4}\s?[A-Z]{2}"  # NL
    r"|\d{2}-\d{3}"  # PL
    r"|\d{3}\s\d{2}"  # SE, GR
    r"|(?:[A-Z]{1,2}-)?\d{4,5}(?:-\d{4})?"  # DE FR ES IT FI US (5), DK NO HU AT CH BE (4)
    r"|\d{7})"  # IL
)
_ALONE: Final = re.compile(r"(?<![\w-])[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}(?![\w-])")
# Dutch "1012 AB": alone only in Dutch text, and never a unit ("5000 IE", "5000 UI").
_NL_ALONE: Final = re.compile(r"(?<![\w-])\d{4}\s?(?!IE|UI|IU|ML|MG|KG|SA|SD|SS)[A-Z]{2}(?![\w-])")
_CODE_TOWN: Final = re.compile(
    rf"(?<![\w-])(?P<code>\d{{4}}\s?(?!IE|UI|IU)[A-Z]{{2}}|\d{{2}}-\d{{3}}|\d{{3}}\s\d{{2}})"
    rf"\s+(?P<town>{_TOWN_WORDS})"
)
# "Boston, MA 02115"
_US: Final = re.compile(
    rf"(?P<town>{CAPWORD}(?:\s+{CAPWORD}){{0,2}}),\s+[A-Z]{{2}}\s+(?P<code>\d{{5}}(?:-\d{{4}})?)(?!\d)"
)
_AFTER_ADDRESS: Final = re.compile(
    rf"\s*,?\s*(?P<code>{_CODE})(?:\s+(?P<town>{_TOWN_WORDS}|{HEBREW_WORD}(?:\s{HEBREW_WORD})?))?(?!\w)"
)
# "Baker Street 221B, London NW1 6XE": a town between the address and the postcode.
_TOWN_THEN_CODE: Final = re.compile(
    rf"\s*,\s*(?P<town>{_TOWN_WORDS}|{HEBREW_WORD}(?:\s{HEBREW_WORD})?)"
    rf"(?:,?\s+(?P<code>{_CODE}))?(?!\w)"
)
# "Kern County", "Orleans Parish": US counties are below the state, so they count.
_COUNTY: Final = re.compile(rf"(?:{CAPWORD}\s+){{1,2}}(?:County|Parish|Borough)(?!\w)")
_HEBREW_TOWN_PREFIX: Final = frozenset(
    {"תל", "באר", "ראשון", "בית", "קריית", "קרית", "רמת", "נס", "כפר", "ראש", "מעלה"}
    | {"גבעת", "פתח", "הוד", "זכרון", "נוף", "אור"}
)


def _street_pattern(profile: str) -> re.Pattern[str]:
    codes = profile_languages(profile)
    before = merged(profile, "street_before")
    after = merged(profile, "street_after")
    fused = merged(profile, "street_fused")
    number_first = any(LANGUAGE_DATA[c].number_first_streets for c in codes)
    branches: list[str] = []
    after_alt = cue_alternation(after, optional_dot=True) if after else None
    before_alt = cue_alternation(before) if before else None
    if number_first:
        lead = r"(?<![\w/.,-])\d{1,5}[a-zA-Z]?(?:\s?(?:bis|ter))?,?\s+"
        if before_alt:
            branches.append(lead + before_alt + r"\s+" + _STREET_NAME)
        if after_alt:
            branches.append(lead + _STREET_NAME + r"\s+" + after_alt)
    if before_alt:
        name = rf"(?:{_STREET_NAME}|{HEBREW_WORD}(?:\s+{HEBREW_WORD})?)"
        branches.append(before_alt + r"\s*" + name + r",?\s*(?:n[º°o]\.?\s*)?" + _HOUSE)
    if after_alt:
        branches.append(rf"(?<!\w){_STREET_NAME}\s+{after_alt}\s*" + _HOUSE)
    if number_first:
        # "Princes Street", "Harley Street": a named street is an address even without
        # a house number, but only with the full street word (not "St", "Dr").
        full = [w for w in after if len(w) > 4 and w[0].isupper()]
        if full:
            branches.append(rf"(?<!\w){_STREET_NAME}\s+{cue_alternation(full)}")
    if fused:
        suffixes = "|".join(re.escape(s) for s in sorted(fused, key=len, reverse=True))
        # Hyphenated names keep their capitals: "Karl-Marx-Allee", "Hans-Sachs-Straße".
        branches.append(
            rf"(?<!\w)(?:{CAPWORD}\s+)?[A-ZÄÖÜÅÆØ][\w-]*?(?i:{suffixes})(?!\w)\s*,?\s*" + _HOUSE
        )
    return re.compile("|".join(f"(?:{b})" for b in branches))


def _town_cue_pattern(profile: str) -> CueIndex:
    cues = cue_alternation(merged(profile, "town_cues"))
    return CueIndex(
        merged(profile, "town_cues"),
        re.compile(
            rf"{cues}\s*:?\s*(?:(?:the|la|le)\s+)?(?:(?P<code>{_CODE})\s+)?(?P<town>{_TOWN_WORDS})"
        ),
    )


def _town_after_pattern(profile: str) -> re.Pattern[str] | None:
    after = merged(profile, "town_cues_after")
    if not after:
        return None
    # Hungarian puts the place before the verb ("Szegeden lakik", "budapesti lakos").
    return re.compile(rf"(?P<town>{CAPWORD}|[^\W\d_]+i)\s+{cue_alternation(after)}")


def _postcode_cue_pattern(profile: str) -> CueIndex:
    cues = cue_alternation(merged(profile, "postcode_cues"))
    return CueIndex(
        merged(profile, "postcode_cues"),
        re.compile(rf"{cues}\s*:?\s*(?P<code>{_CODE})(?:\s+(?P<town>{_TOWN_WORDS}))?(?!\w)"),
    )


_STREETS: Final[Mapping[str, re.Pattern[str]]] = MappingProxyType(
    {p: _street_pattern(p) for p in PROFILES}
)


def _street_words(profile: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """Lower-cased street words (first word of each) and fused suffixes, for anchors."""
    words = set()
    for field in ("street_before", "street_after"):
        for street_word in merged(profile, field):
            first = WORD.search(street_word)
            if first is not None:
                words.add(first.group().lower())
    return frozenset(words), tuple(s.rstrip(".") for s in merged(profile, "street_fused"))


_STREET_WORDS: Final = MappingProxyType({p: _street_words(p) for p in PROFILES})
_AFTER_WORDS: Final = MappingProxyType(
    {p: frozenset(w.rstrip(".").lower() for w in merged(p, "street_after")) for p in PROFILES}
)
_BEFORE_WORDS: Final = MappingProxyType(
    {
        p: frozenset(
            found.group().lower()
            for w in merged(p, "street_before")
            if (found := WORD.search(w)) is not None
        )
        for p in PROFILES
    }
)
_TOWN_CUES: Final = MappingProxyType({p: _town_cue_pattern(p) for p in PROFILES})
_TOWN_AFTER: Final = MappingProxyType({p: _town_after_pattern(p) for p in PROFILES})
_POSTCODE_CUES: Final = MappingProxyType({p: _postcode_cue_pattern(p) for p in PROFILES})
_TOWN_AFTER_WORDS: Final = MappingProxyType(
    {p: frozenset(merged(p, "town_cues_after")) for p in PROFILES}
)
_HE_CUE_WORDS: Final = frozenset(
    {
        "מתגורר",
        "מתגוררת",
        "מתגוררים",
        "גר",
        "גרה",
        "תושב",
        "תושבת",
        "יליד",
        "ילידת",
        "נולד",
        "נולדה",
    }
)
_HE_TOWN_CUE: Final = re.compile(
    r"(?<![\u05D0-\u05EA])(?P<cue>מתגורר|מתגוררת|מתגוררים|גר|גרה|תושב|תושבת|יליד|ילידת|נולד|נולדה)"
    rf"\s+(?P<town>{HEBREW_WORD})(?:\s+(?P<more>{HEBREW_WORD}))?"
)


def _is_town(value: str) -> bool:
    first = value.split()[0].lower()
    return value.lower() not in NOT_TOWNS and first not in NOT_TOWNS


def _code_and_town(match: re.Match[str]) -> Iterator[Candidate]:
    if match.group("code"):
        yield Candidate(match.start("code"), match.end("code"), POSTCODE, PRIORITY_POSTCODE)
    town = match.group("town")
    if town and _is_town(town):
        yield Candidate(match.start("town"), match.end("town"), TOWN, PRIORITY_TOWN)


def _street_anchors(view: TextView, profile: str) -> list[Piece]:
    """Street words that have a house number close by (or, for English, a capital
    before them: "Princes Street"); the full street pattern runs only around these."""
    words, suffixes = _STREET_WORDS[profile]
    after_words = _AFTER_WORDS[profile]
    before_words = _BEFORE_WORDS[profile]
    text = view.text
    anchors = []
    for piece in view.words:
        lowered = piece[2].lower()
        fused = bool(suffixes) and lowered.endswith(suffixes) and piece[2][:1].isupper()
        if not (lowered in words or fused):
            continue
        start, end, word = piece
        after = text[end : end + 60]
        number_before = any(ch.isdigit() for ch in text[max(0, start - 8) : start])
        close_number = any(ch.isdigit() for ch in text[end : end + 8])
        keep = False
        if fused or lowered in after_words:
            # "Hauptstraße 12", "Karl Johans gate 22"; English "Princes Street" may
            # come without a number but is then capitalised.
            keep = close_number or (not fused and word[:1].isupper())
        if not keep and lowered in before_words:
            # "via Roma 3", "ul. Długa 5": a name, then a number ("12 rue des Tanneurs":
            # the number before).
            keep = (number_before or any(ch.isdigit() for ch in after)) and any(
                ch.isupper() or "\u05d0" <= ch <= "\u05ea" for ch in after[:25]
            )
        if keep:
            anchors.append(piece)
    return anchors


def _code_anchors(view: TextView) -> list[Piece]:
    """Numbers shaped like the postcodes that are safe to take with a town after them."""
    text = view.text
    keep = []
    for (start, end, value), n in zip(view.numbers, view.digits, strict=True):
        if n > 5:
            continue
        if (
            (n == 4 and text[end : end + 3].strip()[:2].isupper())  # NL 1012 AB
            or (n == 5 and ("-" in value or " " in value))  # PL 31-147, SE 753 20
            or (n == 5 and text[max(0, start - 4) : start - 1].isupper())  # US MA 02115
            or (n <= 3 and text[start - 1 : start].isalpha())  # UK SW1A 1AA
        ):
            keep.append((start, end, value))
    return keep


def detect(view: TextView, profile: str) -> Iterator[Candidate]:
    text = view.text
    for match in view.near(_STREETS[profile], _street_anchors(view, profile), before=50, after=70):
        end = match.end()
        # A trailing full stop ends the sentence more often than the house number.
        if text[end - 1] == "." and match.group().rstrip(".")[-1:].isdigit() and profile != "hu":
            end -= 1
        yield Candidate(match.start(), end, ADDRESS, PRIORITY_ADDRESS)
        after = _AFTER_ADDRESS.match(text, match.end())
        if after is None:
            after = _TOWN_THEN_CODE.match(text, match.end())
        if after is not None:
            yield from _code_and_town(after)
    for match in _POSTCODE_CUES[profile].matches(view):
        yield from _code_and_town(match)
    codes = _code_anchors(view)
    for pattern in (_CODE_TOWN, _US):
        for match in view.near(pattern, codes, before=40, after=40):
            yield from _code_and_town(match)
    for match in view.near(_ALONE, codes, before=4, after=6):
        yield Candidate(match.start(), match.end(), POSTCODE, PRIORITY_POSTCODE)
    if profile in ("nl", "*"):
        for match in view.near(_NL_ALONE, codes, before=0, after=4):
            yield Candidate(match.start(), match.end(), POSTCODE, PRIORITY_POSTCODE)
    for match in _TOWN_CUES[profile].matches(view):
        if _is_town(match.group("town")):
            yield from _code_and_town(match)
    counties = [w for w in view.words if w[2] in ("County", "Parish", "Borough")]
    for match in view.near(_COUNTY, counties, before=40, after=0):
        yield Candidate(match.start(), match.end(), TOWN, PRIORITY_TOWN)
    after_pattern = _TOWN_AFTER[profile]
    if after_pattern is not None:
        cues = _TOWN_AFTER_WORDS[profile]
        anchors = [w for w in view.words if w[2] in cues]
        for match in view.near(after_pattern, anchors, before=40, after=0):
            # "Szegeden lakik" but not "Egyedül él" (alone): the place must be a town.
            if _is_town(match.group("town")) and towns.known_form(match.group("town"), profile):
                yield Candidate(match.start("town"), match.end("town"), TOWN, PRIORITY_TOWN)
    if profile in ("he", "*"):
        anchors = [w for w in view.words if w[2] in _HE_CUE_WORDS]
        yield from _hebrew_towns(view, anchors)


def _hebrew_towns(view: TextView, anchors: list[Piece]) -> Iterator[Candidate]:
    for match in view.near(_HE_TOWN_CUE, anchors, before=0, after=40):
        town = match.group("town")
        start, end = match.start("town"), match.end("town")
        living = match.group("cue") in {"מתגורר", "מתגוררת", "מתגוררים", "גר", "גרה"}
        if living:
            # "גר בחיפה": the town carries the preposition ב; "גר עם אשתו" has none.
            if not town.startswith("ב") or len(town) < 3 or town in {"בבית", "בגפו", "בגפה"}:
                continue
            start += 1
            town = town[1:]
        more = match.group("more")
        if more and town in _HEBREW_TOWN_PREFIX:
            end = match.end("more")
        yield Candidate(start, end, TOWN, PRIORITY_TOWN)
