"""Medical specialties: stable codes that travel between nodes, and their names.

The codes are part of the public contract (JSON API and federation): never rename
one. Names are English msgids; the UI translates them through the catalogs.
"""

from typing import Final

# code -> English name (the gettext msgid). Order is the order lists show.
SPECIALTIES: Final[dict[str, str]] = {
    "general-practice": "General practice",
    "internal-medicine": "Internal medicine",
    "pediatrics": "Pediatrics",
    "gastroenterology": "Gastroenterology",
    "nephrology": "Nephrology",
    "cardiology": "Cardiology",
    "neurology": "Neurology",
    "infectious-diseases": "Infectious diseases",
    "dermatology": "Dermatology",
    "radiology": "Radiology",
    "emergency-medicine": "Emergency medicine",
    "psychiatry": "Psychiatry",
    "oncology": "Oncology",
    "surgery": "Surgery",
    "anesthesiology": "Anesthesiology",
    "endocrinology": "Endocrinology",
    "hematology": "Hematology",
    "pulmonology": "Pulmonology",
    "rheumatology": "Rheumatology",
    "obstetrics-gynecology": "Obstetrics and gynecology",
    "ophthalmology": "Ophthalmology",
    "otorhinolaryngology": "Otorhinolaryngology",
    "orthopedics": "Orthopedics",
    "urology": "Urology",
    "pathology": "Pathology",
    "geriatrics": "Geriatrics",
    "intensive-care": "Intensive care",
    "neonatology": "Neonatology",
    "allergy-immunology": "Allergy and immunology",
    "clinical-genetics": "Clinical genetics",
    "palliative-care": "Palliative care",
    "sports-medicine": "Sports medicine",
    "physical-rehabilitation": "Physical and rehabilitation medicine",
    "occupational-medicine": "Occupational medicine",
    "public-health": "Public health",
    "tropical-medicine": "Tropical medicine",
}


def is_specialty(code: str) -> bool:
    return code in SPECIALTIES
