"""Cases as ActivityStreams objects (type ``Case`` in Curbside's context), both ways.

Outgoing objects carry only what may leave the node (see DESIGN.md, privacy rules):
for an anonymous author the pseudonym IRI, specialty and country — no name, no member
IRI, no internal id. Incoming objects are checked field by field before they are
stored; anything out of shape is refused with the field named.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from federation.inbound.errors import InboundRejected
from federation.jsonld import CANONICAL_CONTEXT, as_list, id_of, parse_datetime
from federation.origin import origin_of, same_origin
from node.cases.attachments import attachment_objects
from node.cases.models import Case
from node.cases.schemas import BODY_MAX, MAX_SPECIALTIES, QUESTION_MAX, TITLE_MAX, AgeBand, Sex

CONTEXT = list(CANONICAL_CONTEXT)
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def new_activity_id(base_url: str) -> str:
    return f"{base_url}/activities/{uuid.uuid4().hex}"


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def author_object(case: Case) -> dict[str, Any]:
    author: dict[str, Any] = {
        "id": case.author_iri,
        "type": "Pseudonym" if case.anonymous else "Person",
        "specialty": [case.author_specialty],
        "country": case.author_country,
    }
    if case.anonymous:
        author["name"] = case.author_pseudonym
    else:
        author["name"] = case.author_name
    author["attestation"] = attestation_of(case.author_iri)
    return author


def attestation_of(author_iri: str) -> dict[str, Any]:
    """The author's node vouches for the author. For a pseudonym it says nothing else
    (a verification date would be the same in every thread and link pseudonyms)."""
    return {"type": "Attestation", "verifiedBy": f"{origin_of(author_iri)}/actor"}


def case_object(case: Case) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "id": case.iri,
        "type": "Case",
        "attributedTo": author_object(case),
        "anonymous": case.anonymous,
        "nameMap": {case.language: case.title},
        "contentMap": {case.language: case.body},
        "clinicalQuestion": case.question,
        "specialty": case.specialty_codes,
        "caseStatus": case.status,
        "published": iso(case.created_at),
    }
    if case.age_band:
        obj["ageBand"] = case.age_band
    if case.sex:
        obj["sex"] = case.sex
    if case.updated_at:
        obj["updated"] = iso(case.updated_at)
    if case.attachments:
        obj["attachment"] = attachment_objects(case)
    return obj


def create_activity(obj: dict[str, Any], *, base_url: str) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "id": new_activity_id(base_url),
        "type": "Create",
        "actor": obj["attributedTo"]["id"],
        "published": obj["published"],
        "object": obj,
    }


# --- incoming ---------------------------------------------------------------------


@dataclass(frozen=True)
class RemoteAuthor:
    iri: str
    anonymous: bool
    name: str | None
    pseudonym: str | None
    specialty: str
    country: str


@dataclass(frozen=True)
class RemoteCase:
    iri: str
    author: RemoteAuthor
    title: str
    body: str
    question: str
    language: str
    specialties: list[str]
    age_band: str | None
    sex: str | None
    status: str
    published: datetime


def _text(obj: dict[str, Any], key: str, limit: int) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InboundRejected(f"case {key} must be a non-empty string")
    if len(value) > limit:
        raise InboundRejected(f"case {key} is longer than {limit} characters")
    return value


def _single_language(obj: dict[str, Any], key: str, limit: int) -> tuple[str, str]:
    value = obj.get(key)
    if not isinstance(value, dict) or len(value) != 1:
        raise InboundRejected(f"case {key} must hold exactly one language")
    ((language, text),) = value.items()
    if not isinstance(language, str) or not _LANGUAGE.match(language):
        raise InboundRejected(f"case {key} has an invalid language tag")
    return language, _text({key: text}, key, limit)


def parse_author(value: Any, signer_origin: str) -> RemoteAuthor:
    if not isinstance(value, dict):
        raise InboundRejected("attributedTo must be an embedded author object")
    iri = id_of(value)
    if not iri or not same_origin(iri, signer_origin):
        raise InboundRejected("the author must live on the sending node")
    kind = value.get("type")
    if kind not in ("Person", "Pseudonym"):
        raise InboundRejected("the author must be a Person or a Pseudonym")
    specialties = as_list(value.get("specialty"))
    country = value.get("country")
    if (
        len(specialties) != 1
        or not isinstance(specialties[0], str)
        or not _SLUG.match(specialties[0])
    ):
        raise InboundRejected("the author needs exactly one specialty code")
    if not isinstance(country, str) or not _COUNTRY.match(country):
        raise InboundRejected("the author's country must be an ISO 3166-1 alpha-2 code")
    name = _text(value, "name", 200)
    attestation = value.get("attestation")
    if attestation is not None and (
        not isinstance(attestation, dict)
        or id_of(attestation.get("verifiedBy")) != f"{signer_origin}/actor"
    ):
        raise InboundRejected("an author can only be attested by its own node")
    anonymous = kind == "Pseudonym"
    return RemoteAuthor(
        iri=iri,
        anonymous=anonymous,
        name=None if anonymous else name,
        pseudonym=name if anonymous else None,
        specialty=specialties[0],
        country=country,
    )


def parse_case(obj: Any, signer_origin: str) -> RemoteCase:
    if not isinstance(obj, dict) or obj.get("type") != "Case":
        raise InboundRejected("the object must be an embedded Case")
    iri = id_of(obj)
    if not iri:
        raise InboundRejected("the case has no id")
    language, title = _single_language(obj, "nameMap", TITLE_MAX)
    body_language, body = _single_language(obj, "contentMap", BODY_MAX)
    if body_language != language:
        raise InboundRejected("the case title and body must be in the same language")
    specialties = as_list(obj.get("specialty"))
    if not 1 <= len(specialties) <= MAX_SPECIALTIES or not all(
        isinstance(code, str) and _SLUG.match(code) for code in specialties
    ):
        raise InboundRejected(f"a case needs 1 to {MAX_SPECIALTIES} specialty codes")
    age_band = obj.get("ageBand")
    if age_band is not None and age_band not in {band.value for band in AgeBand}:
        raise InboundRejected("unknown ageBand")
    sex = obj.get("sex")
    if sex is not None and sex not in {value.value for value in Sex}:
        raise InboundRejected("unknown sex")
    status = obj.get("caseStatus", "open")
    if status not in ("open", "resolved"):
        raise InboundRejected("caseStatus must be open or resolved")
    try:
        published = parse_datetime(obj.get("published"))
    except ValueError:
        raise InboundRejected("the case needs a published date-time with an offset") from None
    author = parse_author(obj.get("attributedTo"), signer_origin)
    if obj.get("anonymous") is not None and obj.get("anonymous") != author.anonymous:
        raise InboundRejected("anonymous does not match the author type")
    return RemoteCase(
        iri=iri,
        author=author,
        title=title,
        body=body,
        question=_text(obj, "clinicalQuestion", QUESTION_MAX),
        language=language,
        specialties=list(dict.fromkeys(specialties)),
        age_band=age_band,
        sex=sex,
        status=status,
        published=published,
    )
