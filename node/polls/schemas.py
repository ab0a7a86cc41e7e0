"""JSON API shapes of polls."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Option = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

MAX_OPTIONS = 10


class PollIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    options: list[Option] = Field(min_length=2, max_length=MAX_OPTIONS)
    multiple: bool = False
    closes_at: datetime

    @field_validator("options")
    @classmethod
    def _distinct(cls, options: list[str]) -> list[str]:
        if len({option.casefold() for option in options}) != len(options):
            raise ValueError("options must be different from each other")
        return options

    @field_validator("closes_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("closes_at needs a time zone offset, e.g. 2026-12-01T18:00:00Z")
        return value


class VoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    choices: list[int] = Field(min_length=1, max_length=MAX_OPTIONS)


class VoteOut(BaseModel):
    choices: list[int]
