"""Medical specialties: stable codes that travel between nodes, and their names.

The codes are part of the public contract (JSON API and federation): never rename
one. Names are English msgids; the UI translates them through the catalogs.
"""

from typing import Final

from i18n.translate import N_

# code -> English name (the gettext msgid). Order is the order lists show.
SPECIALTIES: Final[dict[str, str]] = {
    "general-practice": N_("General practice"),
    "internal-medicine": N_("Internal medicine"),
    "pediatrics": N_("Pediatrics"),
    "gastroenterology": N_("Gastroenterology"),
    "nephrology": N_("Nephrology"),
    "cardiology": N_("Cardiology"),
    "neurology": N_("Neurology"),
    "infectious-diseases": N_("Infectious diseases"),
    "dermatology": N_("Dermatology"),
    "radiology": N_("Radiology"),
    "emergency-medicine": N_("Emergency medicine"),
    "psychiatry": N_("Psychiatry"),
    "oncology": N_("Oncology"),
    "surgery": N_("Surgery"),
    "anesthesiology": N_("Anesthesiology"),
    "endocrinology": N_("Endocrinology"),
    "hematology": N_("Hematology"),
    "pulmonology": N_("Pulmonology"),
    "rheumatology": N_("Rheumatology"),
    "obstetrics-gynecology": N_("Obstetrics and gynecology"),
    "ophthalmology": N_("Ophthalmology"),
    "otorhinolaryngology": N_("Otorhinolaryngology"),
    "orthopedics": N_("Orthopedics"),
    "urology": N_("Urology"),
    "pathology": N_("Pathology"),
    "geriatrics": N_("Geriatrics"),
    "intensive-care": N_("Intensive care"),
    "neonatology": N_("Neonatology"),
    "allergy-immunology": N_("Allergy and immunology"),
    "clinical-genetics": N_("Clinical genetics"),
    "palliative-care": N_("Palliative care"),
    "sports-medicine": N_("Sports medicine"),
    "physical-rehabilitation": N_("Physical and rehabilitation medicine"),
    "occupational-medicine": N_("Occupational medicine"),
    "public-health": N_("Public health"),
    "tropical-medicine": N_("Tropical medicine"),
}


def is_specialty(code: str) -> bool:
    return code in SPECIALTIES
