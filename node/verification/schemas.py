"""Request and response bodies of the verification API (also its OpenAPI schemas)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from node.verification.claims import PublicReason
from node.verification.models import ClaimState
from node.verification.review import Decision

# Same shape as `curbside members add --licence`: letters, digits and the separators
# people type; verification.matching normalises them away.
LICENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 ./-]{0,63}$"


class NextStep(StrEnum):
    SUBMIT_CLAIM = "submit-claim"
    UPLOAD_DOCUMENT = "upload-document"
    WAIT_FOR_REVIEW = "wait-for-review"
    NONE = "none"
    CONTACT_OPERATOR = "contact-operator"


class ClaimIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    licence: str = Field(pattern=LICENCE_PATTERN, description="Your licence number")
    family_name: str = Field(min_length=1, max_length=200, description="As registered")
    given_names: str = Field(default="", max_length=200, description="As registered")


class DocumentOut(BaseModel):
    content_type: str
    size: int
    uploaded_at: datetime


class ClaimOut(BaseModel):
    """A claim as its claimant sees it: no register data beyond the reason."""

    id: int
    state: ClaimState
    reason: PublicReason
    message: str
    created_at: datetime
    decided_at: datetime | None
    document: DocumentOut | None


class ClaimResponse(BaseModel):
    status: str = Field(description="Your verification status after the claim")
    claim: ClaimOut
    next_step: NextStep


class VerificationOut(BaseModel):
    status: str
    verified_at: datetime | None
    claim: ClaimOut | None = Field(description="Your latest claim")
    next_step: NextStep
    message: str


class ReviewMember(BaseModel):
    public_id: str
    name: str
    email: str
    specialty: str
    status: str


class ClaimForReview(BaseModel):
    """Everything a reviewer needs, including the register's view of the number."""

    id: int
    state: ClaimState
    licence: str
    family_name: str
    given_names: str
    match_reason: str
    match_detail: str
    listed_in: str | None = Field(description="The register listing the number")
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None
    document: DocumentOut | None
    member: ReviewMember


class ClaimReviewList(BaseModel):
    items: list[ClaimForReview]
    next: int | None = Field(description="Pass as `cursor` for the next page")


class ClaimReviewQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: ClaimState = ClaimState.PENDING
    cursor: int | None = Field(default=None, description="`next` of the previous page")
    limit: int = Field(default=50, ge=1, le=200)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: Decision
    reason: str = Field(min_length=1, max_length=2000)


class MemberStatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: Literal["suspended", "revoked", "verified"]
    reason: str = Field(min_length=1, max_length=2000)


class MemberStatusOut(BaseModel):
    public_id: str
    status: str
    previous_status: str
