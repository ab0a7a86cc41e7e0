"""JSON API shapes of cases (see CONTRACT.md): what clients send and receive."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from i18n.languages import SUPPORTED_LANGUAGES
from i18n.specialties import is_specialty
from node.privacy.schemas import Acknowledgement

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

TITLE_MAX = 200
BODY_MAX = 20_000
QUESTION_MAX = 2_000
MAX_SPECIALTIES = 5


class AgeBand(StrEnum):
    """Structured age, never a birth date: bands coarse enough not to identify."""

    NEONATE = "neonate"  # 0-28 days
    INFANT = "infant"  # 1-11 months
    AGE_1_4 = "1-4"
    AGE_5_9 = "5-9"
    AGE_10_14 = "10-14"
    AGE_15_17 = "15-17"
    AGE_18_24 = "18-24"
    AGE_25_34 = "25-34"
    AGE_35_44 = "35-44"
    AGE_45_54 = "45-54"
    AGE_55_64 = "55-64"
    AGE_65_74 = "65-74"
    AGE_75_84 = "75-84"
    AGE_85_89 = "85-89"
    AGE_90_PLUS = "90+"  # HIPAA Safe Harbor: ages over 89 are one group


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNDISCLOSED = "undisclosed"


class Audience(StrEnum):
    FEDERATED = "federated"
    NODE = "node"


class CaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[Text, Field(max_length=TITLE_MAX)]
    body: Annotated[Text, Field(max_length=BODY_MAX)]
    question: Annotated[Text, Field(max_length=QUESTION_MAX)]
    specialties: list[str] = Field(min_length=1, max_length=MAX_SPECIALTIES)
    language: str
    audience: Audience = Audience.FEDERATED
    anonymous: bool = False
    age_band: AgeBand | None = None
    sex: Sex | None = None
    acknowledged_findings: list[Acknowledgement] = Field(
        default_factory=list,
        max_length=50,
        description="findings of the de-identification guard you confirm are not identifying",
    )

    @field_validator("specialties")
    @classmethod
    def _known_specialties(cls, codes: list[str]) -> list[str]:
        unknown = [code for code in codes if not is_specialty(code)]
        if unknown:
            raise ValueError(f"unknown specialty code(s): {', '.join(unknown)}")
        if len(set(codes)) != len(codes):
            raise ValueError("each specialty may be listed once")
        return codes

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(SUPPORTED_LANGUAGES)}")
        return value


class AuthorOut(BaseModel):
    anonymous: bool
    name: str | None = None
    pseudonym: str | None = None
    specialty: str
    country: str
    verified_by: str | None = Field(
        default=None, description="the node that verified this physician (its origin URL)"
    )
    status: str = Field(
        default="verified",
        description="verified, or suspended/revoked if the author's node withdrew its attestation",
    )


class CaseOut(BaseModel):
    id: str
    local_id: str
    origin: str
    title: str
    body: str
    question: str
    specialties: list[str]
    language: str
    audience: Audience
    age_band: str | None
    sex: str | None
    status: Literal["open", "resolved"]
    reply_count: int
    created_at: datetime
    author: AuthorOut
    poll: PollOut | None = Field(
        default=None, description="the case's poll; in lists too (null in the new case)"
    )


class CaseList(BaseModel):
    items: list[CaseOut]
    next: str | None = Field(default=None, description="cursor for the next page (pass as before=)")


class CaseQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(
        default=None,
        max_length=200,
        description="full-text search over cases and their replies; results come best match "
        "first and `next` is then a search cursor (see GET /api/v1/search)",
    )
    specialty: str | None = None
    status: Literal["open", "resolved"] | None = None
    language: str | None = Field(default=None, max_length=8, description="the case's language")
    country: str | None = Field(
        default=None, pattern="^[A-Z]{2}$", description="country of origin (ISO 3166-1 alpha-2)"
    )
    open_first: bool = Field(
        default=False, description="open cases before resolved ones, each newest first"
    )
    limit: int = Field(default=20, ge=1, le=100)
    before: str | None = None


REPLY_MAX = 10_000
SUMMARY_MAX = 2_000


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: Annotated[Text, Field(max_length=REPLY_MAX)]
    anonymous: bool | None = Field(
        default=None,
        description=(
            "omitted: anonymous if you posted this case anonymously or your last reply "
            "in it was anonymous, otherwise under your name"
        ),
    )
    in_reply_to: str | None = Field(
        default=None, description="local_id or IRI of the reply answered"
    )
    acknowledged_findings: list[Acknowledgement] = Field(
        default_factory=list,
        max_length=50,
        description="findings of the de-identification guard you confirm are not identifying",
    )


class ReplyEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: Annotated[Text, Field(max_length=REPLY_MAX)]
    acknowledged_findings: list[Acknowledgement] = Field(
        default_factory=list,
        max_length=50,
        description="findings of the de-identification guard you confirm are not identifying",
    )


class CaseEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[Text, Field(max_length=TITLE_MAX)] | None = None
    body: Annotated[Text, Field(max_length=BODY_MAX)] | None = None
    question: Annotated[Text, Field(max_length=QUESTION_MAX)] | None = None
    acknowledged_findings: list[Acknowledgement] = Field(
        default_factory=list,
        max_length=50,
        description="findings of the de-identification guard you confirm are not identifying",
    )

    @model_validator(mode="after")
    def _changes_something(self) -> CaseEdit:
        # An empty edit would still record a revision and send an Update to every peer.
        if self.title is None and self.body is None and self.question is None:
            raise ValueError("give at least one of title, body and question")
        return self


class ReplyOut(BaseModel):
    id: str
    local_id: str
    content: str
    created_at: datetime
    updated_at: datetime | None
    author: AuthorOut
    in_reply_to: str | None = Field(description="local_id of the reply answered (null: the case)")
    helpful_count: int
    position: int | None = Field(description="place in the thread, decided by the case's origin")
    pending: bool = Field(description="written here, not yet confirmed by the case's origin")


class ResolutionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    accepted_reply: str = Field(description="local_id or IRI of the reply that solved the case")
    summary: Annotated[Text, Field(max_length=SUMMARY_MAX)]
    found_what_needed: bool


class ResolutionOut(BaseModel):
    accepted_reply: str | None
    summary: str | None
    found_what_needed: bool | None
    resolved_at: datetime | None


class PollOptionOut(BaseModel):
    name: str
    votes: int | None


class PollOut(BaseModel):
    question: str
    multiple: bool
    closes_at: datetime
    closed: bool
    voters_count: int
    voted: bool
    options: list[PollOptionOut]


class ImageOut(BaseModel):
    local_id: str
    url: str = Field(description="this node's API URL of the file")
    mime: str
    width: int
    height: int
    description: str
    available: bool = Field(
        description="false while this node is still fetching it from the origin"
    )


class CaseDetail(CaseOut):
    replies: list[ReplyOut]
    resolution: ResolutionOut | None = None
    images: list[ImageOut] = Field(default_factory=list)
    view_count: int = Field(description="views on this node")
    network_view_count: int = Field(
        description="views across the network, as the origin counts them"
    )


class HelpfulOut(BaseModel):
    reply: str
    marked: bool
