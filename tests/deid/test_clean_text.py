"""Clinical text without identifiers must come back clean, in every language."""

from __future__ import annotations

import pytest

from node.deid import scan

CLEAN = {
    "en": [
        "Amoxicillin 500 mg 3x/day for 7 days; paracetamol 1 g qds PRN.",
        "CRP 120 mg/L, Hb 9.8 g/dL, pH 7.31, pCO2 6.8 kPa, lactate 4.2 mmol/L, INR 1.2.",
        "GCS 14/15, APGAR 8/9, BP 120/80, HR 110/min, RR 24/min, SpO2 91%.",
        "Crohn disease, Kawasaki disease, Guillain-Barré syndrome, Hashimoto thyroiditis.",
        "Parkinson disease, Alzheimer dementia, Addison crisis, Cushing syndrome, Wilson disease.",
        "Down syndrome, Graves disease, Hodgkin lymphoma, Bell palsy, Marfan syndrome.",
        "Kaposi sarcoma, Reye syndrome, Sjögren syndrome, Tourette syndrome.",
        "Born at 34+2 weeks of gestation; day 3 of fever; ICD-10 J18.9 and I21.4.",
        "About 2/3 of patients respond; the remaining 1/3 need a second line; p < 0.05.",
        "She was diagnosed in 2019 and relapsed in 2021 after 14 days of treatment.",
        "T2N0M0, Gleason 4+3=7, BI-RADS 4, NYHA III, Child-Pugh B, MELD 18.",
        "HbA1c 7.2%, eGFR 48 mL/min/1.73m2, TSH 0.01 mU/L, free T4 38 pmol/L.",
        # Hospital places after place prepositions, and countries (allowed by Safe Harbor).
        "Seen in Casualty and in Resus; sent from Theatre to Recovery, then in Outpatients.",
        "Moved from Bay 3 to a Side Room; reviewed at Home by the Community team.",
        "He is from Poland and works in Construction; she grew up in Portugal.",
        # A sentence after a context word ("boy", "son") does not start with a name.
        "Three-year-old boy. Two weeks of cough. His son. Three episodes since May.",
    ],
    "de": [
        "Amoxicillin 1 g 1-1-1 für 7 Tage, Metamizol 500 mg bei Bedarf.",
        "Morbus Crohn, Morbus Parkinson, Morbus Basedow, Hashimoto-Thyreoiditis, M. Wilson.",
        "Heparin 5000 IE s.c., danach 10000 Einheiten über 24 Stunden.",
        "GCS 14/15, RR 120/80 mmHg, HF 110/min, Temperatur 38,9 °C, SSW 32+4.",
        "In Narkose intubiert, aus Sicht der Chirurgie in Ruhe gelassen, in Bauchlage gelagert.",
        "Verlegung aus der Notaufnahme in die Intensivstation; Essen und Trinken in Ordnung.",
    ],
    "fr": [
        "Maladie de Crohn, maladie de Parkinson, syndrome de Guillain-Barré, maladie de Wilson.",
        "Amoxicilline 1 g 3 fois par jour, Glasgow 14/15, PA 120/80, FC 110/min.",
        "Transféré de Réanimation en Chirurgie, vu aux Urgences, retour à Domicile prévu.",
    ],
    "es": [
        "Enfermedad de Crohn, síndrome de Down, enfermedad de Addison, síndrome de Cushing.",
        "Amoxicilina 500 mg cada 8 horas; PCR 120 mg/L; Glasgow 14/15.",
        "Dolores abdominales difusos. Remedios caseros sin efecto.",
    ],
    "it": [
        "Morbo di Crohn, malattia di Parkinson, sindrome di Guillain-Barré, morbo di Basedow.",
        "Somministrato per via orale 3 volte al giorno; PCR 120 mg/L.",
        "Una paziente di 45 anni. Alla dimissione stava bene.",
    ],
    "nl": [
        "Ziekte van Crohn, ziekte van Parkinson en ziekte van Kawasaki; EMV 14/15.",
        "Dan volgt een controle na 6 weken.",
    ],
    "da": ["Crohns sygdom, Parkinsons sygdom og Hashimotos thyreoiditis; BT 120/80."],
    "sv": ["Crohns sjukdom, Parkinsons sjukdom och Sjögrens syndrom; BT 120/80."],
    "nb": ["Crohns sykdom, Parkinsons sykdom og Addisons sykdom; BT 120/80."],
    "fi": ["Crohnin tauti, Parkinsonin tauti ja Sjögrenin oireyhtymä; RR 120/80."],
    "pl": ["Choroba Leśniowskiego-Crohna, choroba Parkinsona, zespół Downa; RR 120/80."],
    "el": ["Νόσος του Crohn, νόσος Parkinson, σύνδρομο Down· ΑΠ 120/80 mmHg."],
    "hu": ["Crohn-betegség, Parkinson-kór, Down-szindróma; RR 120/80 Hgmm, napi 2x."],
    "he": ['מחלת Crohn, מחלת Parkinson ותסמונת Down; ל"ד 120/80, דופק 110.'],
}


@pytest.mark.parametrize(
    ("language", "text"), [(lang, t) for lang, texts in CLEAN.items() for t in texts]
)
def test_clean_clinical_text_is_not_flagged(language: str, text: str) -> None:
    assert scan(text, language) == []
