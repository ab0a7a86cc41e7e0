"""JSON API shapes of follows, notifications and digest settings."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from i18n.specialties import SPECIALTIES, is_specialty
from node.cases.schemas import AuthorOut
from node.notifications.models import DigestFrequency, Kind

MAX_READ_IDS = 500
PAGE_MAX = 100


class FollowsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    specialties: list[str] = Field(max_length=len(SPECIALTIES))

    @field_validator("specialties")
    @classmethod
    def _known(cls, codes: list[str]) -> list[str]:
        unknown = [code for code in codes if not is_specialty(code)]
        if unknown:
            raise ValueError(
                f"unknown specialty code(s): {', '.join(unknown)}; see GET /api/v1/specialties"
            )
        return list(dict.fromkeys(codes))  # a set: listing one twice is harmless


class FollowsOut(BaseModel):
    specialties: list[str] = Field(description="Followed specialty codes, in the list's order.")


class NotificationSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    digest: DigestFrequency


class NotificationSettingsOut(BaseModel):
    digest: DigestFrequency
    next_digest_at: datetime | None = Field(
        description="When the next digest is due (it is only sent if there is something new)."
    )


class NotificationCase(BaseModel):
    local_id: str
    title: str
    status: Literal["open", "resolved"]
    specialties: list[str]


class NotificationReply(BaseModel):
    local_id: str
    excerpt: str


class NotificationOut(BaseModel):
    id: str
    kind: Kind
    created_at: datetime
    read: bool
    case: NotificationCase
    reply: NotificationReply | None
    actor: AuthorOut | None = Field(
        description="Who wrote the case or reply; an anonymous author only by pseudonym."
    )


class NotificationList(BaseModel):
    items: list[NotificationOut]
    unread_count: int
    next: str | None = Field(description="Pass as ``before`` for the next (older) page.")


class NotificationQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=20, ge=1, le=PAGE_MAX)
    before: str | None = Field(default=None, max_length=32)
    unread: bool = False


class ReadIn(BaseModel):
    """Either ``{"ids": [...]}`` or ``{"all": true}``."""

    model_config = ConfigDict(extra="forbid")

    ids: list[str] | None = Field(default=None, min_length=1, max_length=MAX_READ_IDS)
    all: bool = False

    @model_validator(mode="after")
    def _one_of(self) -> ReadIn:
        if (self.ids is None) == (not self.all):
            raise ValueError('send either "ids" (a non-empty list) or "all": true')
        return self


class ReadOut(BaseModel):
    marked: int
    unread_count: int
