"""JSON API shapes of moderation."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)


class Reason(StrEnum):
    IDENTIFIABLE_PATIENT_DATA = "identifiable-patient-data"
    NOT_A_CLINICAL_CASE = "not-a-clinical-case"
    ABUSIVE = "abusive"
    MISINFORMATION = "misinformation"
    SPAM = "spam"
    OTHER = "other"


class Action(StrEnum):
    DISMISS = "dismiss"
    HIDE = "hide"
    REMOVE = "remove"


Reasoning = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    object: str = Field(description="local_id or IRI of the case or reply")
    reason: Reason
    comment: Annotated[str, StringConstraints(max_length=1000)] = Field(
        default="",
        validate_default=True,  # a missing comment is checked like an empty one
        description='required (not blank) when the reason is "other"',
    )

    @field_validator("comment")
    @classmethod
    def _other_is_explained(cls, comment: str, info: ValidationInfo) -> str:
        # "Something else" alone tells the moderators nothing they can act on. The reason
        # is declared first, so it is in info.data when it was valid.
        if info.data.get("reason") is Reason.OTHER and not comment.strip():
            raise ValueError('explain the report in the comment when the reason is "other"')
        return comment


class ReportOut(BaseModel):
    id: int
    object: str
    object_type: str
    reason: Reason
    comment: str
    from_node: str | None = Field(description="set when a peer node forwarded the report")
    created_at: datetime
    state: str
    excerpt: str | None = Field(description="the start of the reported text, if still here")


class ReportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: Literal["open", "dismissed", "hidden", "removed", "restored"] = Field(
        default="open", description="the reports in this state, newest first (at most 200)"
    )


class ReportList(BaseModel):
    items: list[ReportOut]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Action
    reason: Reasoning


class RestoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reasoning


class RevealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reasoning


class RevealOut(BaseModel):
    public_id: str
    name: str
    email: str
    specialty: str
    threads: list[str]


class BlockIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    origin: str
    reason: Reasoning
