"""One identifier kind at a time: what is found, what is left alone."""

from __future__ import annotations

import pytest

from node.deid import scan


def kinds(text: str, language: str = "en") -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in scan(text, language)]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Mr. John Smith was seen.", "en", "John Smith"),
        ("Seen by Dr. J. R. Miller today.", "en", "J. R. Miller"),
        ("Frau Dr. med. Hildegard Kowalczyk stellte vor.", "de", "Hildegard Kowalczyk"),
        ("Mme Clémence Vautrin a appelé.", "fr", "Clémence Vautrin"),
        ("La Sra. Maribel Etxeberria llamó.", "es", "Maribel Etxeberria"),
        ("La Sig.ra Loredana Zampieri è reperibile.", "it", "Loredana Zampieri"),
        ("Dhr. Gerrit-Jan Hoogendoorn kwam.", "nl", "Gerrit-Jan Hoogendoorn"),
        ("Fru Signe Kjærsgaard ringede.", "da", "Signe Kjærsgaard"),
        ("Pani Jadwiga Szczepańska zadzwoniła.", "pl", "Jadwiga Szczepańska"),
        ("Ο κ. Παπαδόπουλος προσήλθε.", "el", "Παπαδόπουλος"),
        ("Bodnár Ferenc úr jelentkezett.", "hu", "Bodnár Ferenc"),
        ("מר כהן התלונן על כאב.", "he", "כהן"),
        ("His wife Anna reported the fall.", "en", "Anna"),
        ("Emma Johansson presented with fever.", "en", "Emma Johansson"),
    ],
)
def test_names(text: str, language: str, expected: str) -> None:
    assert ("name", expected) in kinds(text, language)


@pytest.mark.parametrize(
    "text",
    [
        "Crohn disease and Addison's disease in remission.",
        "Ramsay Hunt syndrome and Bell palsy.",
        "Guillain-Barré syndrome after Campylobacter.",
        "Kawasaki disease with coronary aneurysms.",
        "Will be reviewed in clinic.",
    ],
)
def test_eponyms_and_common_words_are_not_names(text: str) -> None:
    assert kinds(text) == []


def test_title_beats_eponym() -> None:
    assert ("name", "Wilson") in kinds("Mr. Wilson has Wilson disease.")


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Admitted on 14 March 2024.", "en", "14 March 2024"),
        ("Seen 03/14/2024.", "en", "03/14/2024"),
        ("Seen on March 14th, 2024.", "en", "March 14th, 2024"),
        ("ISO 2024-03-14 stamp", "en", "2024-03-14"),
        ("Aufnahme am 14. März 2024.", "de", "14. März 2024"),
        ("am 14.3. aufgenommen", "de", "14.3."),
        ("hospitalisée le 14 mars", "fr", "14 mars"),
        ("ingresó el 14 de marzo de 2024", "es", "14 de marzo de 2024"),
        ("opgenomen op 14 maart", "nl", "14 maart"),
        ("felvétel 2024. március 14.", "hu", "2024. március 14."),
        ("εισαγωγή 14 Μαρτίου 2024", "el", "14 Μαρτίου 2024"),
        ("אושפזה ב-14 במרץ 2024", "he", "14 במרץ 2024"),
        ("przyjęta 14 marca 2024 r.", "pl", "14 marca 2024 r."),
        ("since Easter Sunday 2024", "en", "Easter Sunday 2024"),
        ("Chest X-ray 14/02: clear", "en", "14/02"),
    ],
)
def test_dates(text: str, language: str, expected: str) -> None:
    assert ("date", expected) in kinds(text, language)


@pytest.mark.parametrize(
    "text",
    [
        "Diagnosed in 2019.",
        "Fever for 3 days; day 14 of treatment.",
        "GCS 14/15, APGAR 8/9/10, BP 120/80.",
        "3/4 of the cohort; 1/2 tablet.",
        "In March she felt better.",
        "Patients may develop rash.",
    ],
)
def test_not_dates(text: str) -> None:
    assert [k for k, _ in kinds(text)] == []


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("A 92-year-old woman", "en"),
        ("aged 101", "en"),
        ("92 Jahre alt", "de"),
        ("eine 95-jährige Patientin", "de"),
        ("âgée de 93 ans", "fr"),
        ("paciente de 94 años", "es"),
        ("donna di 91 anni", "it"),
        ("een 91-jarige man", "nl"),
        ("en 90-årig kvinde", "da"),
        ("96-vuotias nainen", "fi"),
        ("97-letnia pacjentka", "pl"),
        ("ασθενής 98 ετών", "el"),
        ("99 éves nőbeteg", "hu"),
        ("מטופלת בת 92", "he"),
        ("aged ninety-three, had", "en"),
        ("dreiundneunzig Jahre alt", "de"),
    ],
)
def test_ages_over_89(text: str, language: str) -> None:
    assert [k for k, _ in kinds(text, language)] == ["age_over_89"]


@pytest.mark.parametrize("text", ["An 89-year-old man", "45-year-old", "92 mg twice daily"])
def test_ages_up_to_89_are_fine(text: str) -> None:
    assert kinds(text) == []


@pytest.mark.parametrize(
    ("text", "language", "kind", "value"),
    [
        ("call (617) 555-0134 today", "en", "phone", "(617) 555-0134"),
        ("tel. +44 20 7946 0958.", "en", "phone", "+44 20 7946 0958"),
        ("erreichbar unter 0171 4432198", "de", "phone", "0171 4432198"),
        ("joignable au 06 12 34 56 78", "fr", "phone", "06 12 34 56 78"),
        ("mail anna.smith@example.org now", "en", "email", "anna.smith@example.org"),
        (
            "see https://pacs.example.net/view?id=3.",
            "en",
            "url",
            "https://pacs.example.net/view?id=3",
        ),
        ("server 10.42.17.201 down", "en", "ip_address", "10.42.17.201"),
        ("host fe80::1ff:fe23:4567:890a up", "en", "ip_address", "fe80::1ff:fe23:4567:890a"),
        ("MRN 00482913 on file", "en", "record_number", "00482913"),
        ("Fallnummer 2024-118834", "de", "record_number", "2024-118834"),
        ("NHC 556677 en archivo", "es", "record_number", "556677"),
        ("serial number PZX883120H", "en", "serial_number", "PZX883120H"),
        ("Kennzeichen KA-MH 4471 notiert", "de", "serial_number", "KA-MH 4471"),
        ("VIN 1HGCM82633A004352", "en", "serial_number", "1HGCM82633A004352"),
        ("at 221B Baker Street, London", "en", "address", "221B Baker Street"),
        ("Mühlenstraße 14, 55543 Bad Kreuznach", "de", "address", "Mühlenstraße 14"),
        ("au 12 rue des Tanneurs", "fr", "address", "12 rue des Tanneurs"),
        ("ul. Długa 5/3, Kraków", "pl", "address", "ul. Długa 5/3"),
        ("Mühlenstraße 14, 55543 Bad Kreuznach", "de", "postcode", "55543"),
        ("Kerkstraat 5, 3512 AB Utrecht", "nl", "postcode", "3512 AB"),
        ("NW1 6XE", "en", "postcode", "NW1 6XE"),
        ("wohnhaft in Bad Homburg", "de", "town", "Bad Homburg"),
        ("a fisherman from Inverness with", "en", "town", "Inverness"),
        ("asuu Kajaanissa yksin", "fi", "town", "Kajaanissa"),
    ],
)
def test_other_kinds(text: str, language: str, kind: str, value: str) -> None:
    assert (kind, value) in kinds(text, language)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("SSN 431-26-0181", "en"),
        ("NHS number 943 476 5919", "en"),
        ("NIR 2 82 05 45 040 008 38", "fr"),
        ("KVNR A123456780", "de"),
        ("CPR 180487-3716", "da"),
        ("personnummer 19410510-3198", "sv"),
        ("fødselsnummer 21129590294", "nb"),
        ("henkilötunnus 120249-7506", "fi"),
        ("BSN 453709710", "nl"),
        ("codice fiscale RSSMRA85T10A562S", "it"),
        ("DNI 57853352A", "es"),
        ("PESEL 85070835356", "pl"),
        ("ת.ז. 496331190", "he"),
        ("ΑΜΚΑ 26109767330", "el"),
        ("TAJ 475 893 268", "hu"),
    ],
)
def test_national_ids_with_cue(text: str, language: str) -> None:
    assert [k for k, _ in kinds(text, language)] == ["national_id"]


@pytest.mark.parametrize(
    ("value", "language"),
    [
        ("431-26-0181", "en"),
        ("A123456780", "de"),
        ("RSSMRA85T10A562S", "it"),
        ("120249-7506", "fi"),
        ("453709710", "nl"),
        ("85070835356", "pl"),
    ],
)
def test_national_ids_by_checksum_alone(value: str, language: str) -> None:
    assert kinds(f"number {value} on the form", language) == [("national_id", value)]


def test_bare_nine_digits_only_count_in_their_language() -> None:
    # 453709710 is a valid BSN, but in English text a bare 9-digit number is not enough.
    assert kinds("number 453709710 on the form", "en") == []


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "Transferred to Massachusetts General Hospital on day 3.",
            "en",
            "Massachusetts General Hospital",
        ),
        ("Seen at St Mungo's by neurology.", "en", "St Mungo's"),
        (
            "Referred to the Children's Hospital of Philadelphia.",
            "en",
            "Children's Hospital of Philadelphia",
        ),
        ("Verlegung ins Klinikum Fulda.", "de", "Klinikum Fulda"),
        ("Aufnahme im St.-Georg-Krankenhaus.", "de", "St.-Georg-Krankenhaus"),
        ("Transférée au CHU de Bordeaux.", "fr", "CHU de Bordeaux"),
        ("Ingresó en el Hospital Universitario La Paz.", "es", "Hospital Universitario La Paz"),
        ("Trasferito all'Ospedale San Raffaele.", "it", "Ospedale San Raffaele"),
        ("Opgenomen in het Spaarne Gasthuis.", "nl", "Spaarne Gasthuis"),
        ("Overflyttet til Rigshospitalet.", "da", "Rigshospitalet"),
        (
            "Remitterad till Karolinska universitetssjukhuset.",
            "sv",
            "Karolinska universitetssjukhuset",
        ),
        ("Overført til Ullevål sykehus.", "nb", "Ullevål sykehus"),
        (
            "Siirretty Tampereen yliopistolliseen sairaalaan.",
            "fi",
            "Tampereen yliopistolliseen sairaalaan",
        ),
        ("Przeniesiony do Szpitala Bielańskiego.", "pl", "Szpitala Bielańskiego"),
        ("Μεταφέρθηκε στο Νοσοκομείο Ευαγγελισμός.", "el", "Νοσοκομείο Ευαγγελισμός"),
        ("A Szent János Kórházban kezelték.", "hu", "Szent János Kórházban"),
        ("הועבר לבית החולים שיבא.", "he", "לבית החולים שיבא"),
    ],
)
def test_hospital_names(text: str, language: str, expected: str) -> None:
    assert ("facility", expected) in kinds(text, language)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Admitted to the local hospital; the District General Hospital had no beds.", "en"),
        ("Seen in the Diabetes Clinic, then the Memory Clinic and the Fracture Clinic.", "en"),
        ("Im Krankenhaus Fieber bis 39 °C, in der Klinik für Kardiologie entlassen.", "de"),
        ("Suivi en hôpital de jour.", "fr"),
        ("Trasladado desde el hospital comarcal.", "es"),
        ("Dopo una settimana all'ospedale di zona.", "it"),
        ("Regionshospitalet havde ikke plads.", "da"),
        ("Vårt sjukhus saknar MR-kamera.", "sv"),
        ("Overført fra lokalsykehuset.", "nb"),
        ("Aluesairaalassa ei ollut dialyysiä.", "fi"),
        ("Szpital powiatowy nie miał tomografu. W Szpitalu Wojewódzkim brak miejsc.", "pl"),
        ("A kórházban lázas lett.", "hu"),
        ("בבית החולים קיבל טיפול.", "he"),
    ],
)
def test_generic_hospitals_are_not_names(text: str, language: str) -> None:
    assert "facility" not in [kind for kind, _ in kinds(text, language)]
