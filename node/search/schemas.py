"""JSON API shapes of search: the query, and ranked cases with highlighted excerpts."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from node.cases.schemas import AuthorOut, CaseOut


class SearchQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str = Field(
        min_length=1,
        max_length=200,
        description=(
            'words that must all appear; Guillain-Barré or "a quoted phrase" must appear '
            "as written; a word ending in * matches words starting with it"
        ),
    )
    specialty: str | None = Field(default=None, max_length=64)
    status: Literal["open", "resolved"] | None = None
    language: str | None = Field(default=None, max_length=8, description="the case's language")
    country: str | None = Field(
        default=None, pattern="^[A-Z]{2}$", description="country of origin (ISO 3166-1 alpha-2)"
    )
    limit: int = Field(default=20, ge=1, le=50)
    cursor: str | None = Field(
        default=None, max_length=16, description="the `next` of the previous page"
    )


class Segment(BaseModel):
    """A piece of an excerpt; ``match`` pieces are the words the search found."""

    text: str
    match: bool


class ReplyMatch(BaseModel):
    local_id: str
    created_at: datetime
    author: AuthorOut
    excerpt: list[Segment]


class SearchHit(BaseModel):
    case: CaseOut
    score: float = Field(description="relevance; larger is better, comparable within one search")
    title: list[Segment] = Field(description="the case's title, matched words marked")
    excerpt: list[Segment] = Field(
        description="a passage of the question or history around the matched words"
    )
    replies: list[ReplyMatch] = Field(description="the best matching replies (at most three)")
    matching_replies: int = Field(description="how many of the case's replies match")


class SearchResults(BaseModel):
    items: list[SearchHit]
    terms: list[str] = Field(description="what was searched for, after dropping query syntax")
    next: str | None = Field(default=None, description="cursor for the next page (pass as cursor=)")
