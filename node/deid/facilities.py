"""Hospital and practice names: "Massachusetts General Hospital", "Klinikum Großhadern",
"l'hôpital Necker", "Karolinska universitetssjukhuset", "בית החולים שיבא".

A named hospital places a patient in a town (Safe Harbor removes geography below the
state), and with a rare disease often narrows it to a handful of people. A generic one
("the local hospital", "hospital comarcal", "regionshospitalet") says nothing, so a
finding needs a proper name next to the institution word: a capitalised word that is
not itself generic ("District General Hospital", "Den kórházban" are not reported).
Hebrew has no capitals; there the name must be one of the country's hospitals.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Final

from node.deid.finding import FACILITY, Candidate
from node.deid.lexicon import PROFILES, UPPER, profile_languages
from node.deid.towns import known
from node.deid.view import TextView

# Above towns (40) and addresses (50): "Klinikum Fulda" is one finding, not a town.
PRIORITY: Final = 52

# A capitalised word without hyphens: a hyphen is always a separator in the patterns
# below, so that a run like "A-A-A-…" can be read one way only (CAPWORD, which takes
# hyphens inside, would give the regex engine exponentially many ways to try).
_CAP: Final = rf"[{UPPER}][^\W\d_]*(?:['’][^\W\d_]+)?"
# Up to four capitalised words, with the small words names are made of in between.
_LINK: Final = (
    r"(?:of|de|du|des|del|della|di|dei|degli|la|le|les|los|las|y|e|et|und|der|am|an|im"
    r"|van|von|St\.?)"
)
_NAME: Final = rf"{_CAP}(?:(?:\s+(?:{_LINK}\s+)?|-|\s+[dl]['’]){_CAP}){{0,3}}"


# Words that do not name a hospital by themselves, lower-cased: articles and pronouns
# at the start of a sentence, and the generic kinds of hospital.
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_GENERIC: Final = _words(
    """
    the our this that a an my your their its his her st saint
    district general regional county community local teaching university private public
    children's childrens women's royal central national state city municipal memorial
    psychiatric rehabilitation military veterans
    diabetes headache memory fracture pain heart eye ent skin sleep fertility cancer renal
    kidney liver stroke epilepsy asthma allergy antenatal maternity sexual health mental
    emergency urgent walk-in outpatient outpatients day family travel weight chest breast
    dermatology cardiology neurology oncology rheumatology respiratory orthopaedic
    orthopedic paediatric pediatric gastroenterology hepatology endocrine lipid
    hypertension anticoagulation tb hiv gum sti vascular spinal rehab physiotherapy
    falls wound continence dental specialist specialty teenage adolescent youth
    dental universitaria
    der die das dem den des ein eine einem unser unsere unserem diese dieses dieser
    städtisches städtischen allgemeines allgemeinen evangelisches evangelischen
    katholisches katholischen kreis
    le la les l' un une notre ce cette
    el los las un una nuestro nuestra este esta universitario general comarcal
    il lo gli un una nostro nostra questo questa
    het een ons onze dit deze academisch
    det den et en vores vårt vår denne dette regions amts lokal
    tämä tämän meidän
    wojewódzki wojewódzkim wojewódzkiego powiatowy powiatowym powiatowego miejski miejskim
    miejskiego uniwersytecki uniwersyteckim uniwersyteckiego kliniczny klinicznym
    klinicznego specjalistyczny specjalistycznym specjalistycznego dziecięcy dziecięcym
    a az egy ebben abban városi megyei
    γενικό γενικού γενικά πανεπιστημιακό πανεπιστημιακού το του στο στον
    """
)

_FI_GENITIVE: Final = rf"[{UPPER}][^\W\d_]*(?:-[{UPPER}][^\W\d_]*)?n\b"
_DE_INSTITUTION: Final = (
    r"(?:Universitätsklinikum|Uniklinikum|Klinikum|Kreiskrankenhaus|Krankenhaus|Uniklinik"
    r"|Fachklinik|Klinik|Universitätsspital|Kantonsspital|Spital|Herzzentrum)"
)

# Words dropped from the front of a finding: they belong to the sentence, not the name.
_ARTICLES: Final = _words(
    "the a an our this der die das ein eine le la les un une el los las il lo gli het een "
    "den det et en a az egy"
)

# Per language: patterns whose group "name" holds the proper name, or "town" a name
# that must be a known town.
_PATTERNS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "en": (
            rf"(?P<name>(?:St\.?\s+)?{_NAME})\s+(?:Hospital|Infirmary|Medical Cent(?:er|re)"
            rf"|Clinic|Health Cent(?:er|re)|Hospice|Sanatorium)(?:\s+of\s+(?P<of>{_CAP}))?",
            rf"(?:St\.?|Saint)\s+(?P<name>{_CAP})['’]s\b",
        ),
        "de": (
            # German capitalises every noun ("im Krankenhaus Fieber bis 39 °C"): after
            # the institution word, only a town or a saint names it.
            rf"{_DE_INSTITUTION}\s+(?P<town>{_CAP}(?:-{_CAP})?)",
            rf"{_DE_INSTITUTION}\s+(?P<name>(?:St\.|Sankt)\s*{_CAP})",
            rf"(?P<name>(?:St\.-|Sankt-)?{_CAP}(?:-{_CAP}){{0,2}})-(?:Krankenhaus|Klinikum|Klinik"
            r"|Hospital|Spital)\b",
        ),
        "fr": (
            r"(?i:hôpital|hôpitaux|CHU|CHRU|CHR|clinique|centre hospitalier(?:\s+universitaire)?"
            r"|groupe hospitalier|hospices civils|institut)\s+"
            rf"(?P<name>(?:(?:de|du|des|d['’])\s*)?(?:(?:la|le|les|l['’])\s*)?{_NAME})",
        ),
        "es": (
            r"(?i:hospital|clínica|complejo hospitalario)\s+"
            r"(?:(?i:universitario|general|clínico|infantil|materno-infantil)\s+)*"
            rf"(?P<name>(?:(?:de|del)\s+(?:(?:la|los|las)\s+)?)?{_NAME})",
        ),
        "it": (
            r"(?i:ospedale|policlinico|clinica|azienda ospedaliera|istituto)\s+"
            rf"(?P<name>(?:(?:di|del|della|dei|degli)\s+)?{_NAME})",
        ),
        "nl": (
            rf"(?P<name>{_NAME})\s+(?i:ziekenhuis|gasthuis|medisch centrum|kliniek)\b",
            r"(?i:ziekenhuis|medisch centrum|universitair medisch centrum|UMC)\s+"
            rf"(?P<name>{_NAME})",
            r"\b(?P<name>[A-Z][a-z]+)(?:ziekenhuis|gasthuis)\b",
        ),
        "da": (
            rf"(?P<name>{_NAME})\s+(?i:universitetshospital|hospital|sygehus|hospice)\b",
            r"\b(?P<name>[A-ZÆØÅ][a-zæøå]+)(?:hospitalet|sygehuset)\b",
        ),
        "sv": (
            rf"(?P<name>{_NAME})\s+(?i:universitetssjukhus(?:et)?|sjukhus(?:et)?"
            r"|lasarett(?:et)?)\b",
            r"\b(?P<name>[A-ZÅÄÖ][a-zåäö]+)(?:sjukhuset|lasarettet)\b",
        ),
        "nb": (
            rf"(?P<name>{_NAME})\s+(?i:universitetssykehus(?:et)?|universitetssjukehus(?:et)?"
            r"|sykehus(?:et)?|sjukehus(?:et)?)\b",
            r"\b(?P<name>[A-ZÆØÅ][a-zæøå]+)(?:sykehuset|sjukehuset)\b",
        ),
        "fi": (
            # The name is in the genitive: "Tampereen", "Keski-Suomen" (not "Siirretty").
            rf"(?P<name>{_FI_GENITIVE}(?:\s+{_FI_GENITIVE})?)\s+"
            r"(?:(?i:yliopistollise\w*|yliopistollinen)\s+)?(?i:(?:keskus)?sairaala\w*)",
        ),
        "pl": (
            r"(?i:szpital\w*|klinik\w*|centrum medyczn\w*|instytut\w*)\s+"
            rf"(?P<name>(?:im\.\s+)?{_NAME})",
        ),
        "el": (r"(?i:νοσοκομεί\w*|κλινική\w*)\s+(?P<name>[«\"]?" + _NAME + r"[»\"]?)",),
        "hu": (rf"(?P<name>{_NAME})\s+(?i:kórház\w*|klinik\w*|rendelőintézet\w*)",),
        "he": (
            r"(?<![\u05D0-\u05EA])[בלמוש]?(?:בית החולים|בית חולים|המרכז הרפואי|מרכז רפואי)\s+"
            r"(?P<name>שיבא|איכילוב|הדסה(?:\s+עין כרם|\s+הר הצופים)?|סורוקה|רמב[\"״]ם"
            r"|בילינסון|בלינסון|וולפסון|אסותא|שערי צדק|תל השומר|הלל יפה|זיו|פוריה|העמק"
            r"|מאיר|לניאדו|כרמל|בני ציון|ברזילי|קפלן|אסף הרופא|שמיר|שניידר|מעייני הישועה"
            r"|הגליל|נהריה|יוספטל|לוינשטיין)(?![\u05D0-\u05EA])",
        ),
    }
)


def _compile(profile: str) -> tuple[re.Pattern[str], ...]:
    return tuple(
        re.compile(pattern)
        for language in profile_languages(profile)
        for pattern in _PATTERNS.get(language, ())
    )


_BY_PROFILE: Final = MappingProxyType({profile: _compile(profile) for profile in PROFILES})
_WORD: Final = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def _names_something(name: str) -> bool:
    """Whether the proper-name part holds a word that is not generic."""
    return any(word.lower() not in _GENERIC for word in _WORD.findall(name))


def detect(view: TextView, profile: str) -> Iterator[Candidate]:
    text = view.text
    for pattern in _BY_PROFILE[profile]:
        for match in pattern.finditer(text):
            groups = match.groupdict()
            town = groups.get("town")
            if town is not None:
                found = known(town) or known(town.split("-")[0])
            else:
                found = _names_something(f"{groups['name']} {groups.get('of') or ''}")
            if found:
                yield Candidate(_start(match), match.end(), FACILITY, PRIORITY)


def _start(match: re.Match[str]) -> int:
    """Where the finding starts: a name at the start of the match loses its leading
    article or pronoun ("A Szent János Kórházban" -> "Szent János Kórházban")."""
    start = match.start()
    if match.groupdict().get("name") is None or match.start("name") != start:
        return start
    for word in _WORD.finditer(match.group("name")):
        if word.group().lower() not in _ARTICLES:
            return start + word.start()
    return start
