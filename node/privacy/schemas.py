"""Shapes of the guard in the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from node.deid import KINDS


class ScanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=50_000)
    language: Annotated[str, StringConstraints(min_length=2, max_length=8)]


class FindingOut(BaseModel):
    start: int
    end: int
    kind: str = Field(description=f"one of {', '.join(sorted(KINDS))}")
    text: str


class FieldFinding(FindingOut):
    field: str = Field(description="which field of the case or reply")


class ScanOut(BaseModel):
    findings: list[FindingOut]


class Acknowledgement(BaseModel):
    """The author confirms a finding is not identifying (e.g. a drug or an eponym)."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    text: Annotated[str, StringConstraints(min_length=1, max_length=300)]


class FlagOut(BaseModel):
    id: int
    object_iri: str
    field: str
    kind: str
    text: str
    created_at: datetime
    reviewed: bool


class FlagList(BaseModel):
    items: list[FlagOut]
