"""JSON API shapes of the metrics: the figures SERMO reports, for two scopes and two
windows, plus the series the metrics page draws."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_DAYS = 30
MAX_DAYS = 366


class MetricsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days: int = Field(
        default=DEFAULT_DAYS,
        ge=1,
        le=MAX_DAYS,
        description="length of the period, ending now, in days",
    )


class Figures(BaseModel):
    """Figures about a set of cases: those posted in the window (all of them for
    ``overall``). Durations are in seconds; shares are fractions between 0 and 1,
    null when there is nothing to divide."""

    cases: int = Field(description="cases posted")
    views: int = Field(description="views of those cases across the network")
    replies: int = Field(description="replies to those cases")
    answered: int = Field(description="cases with a reply from someone other than the author")
    median_first_reply_seconds: float | None = Field(
        description="median time from posting to the first reply by someone else"
    )
    resolved: int = Field(description="cases resolved")
    median_resolution_seconds: float | None = Field(
        description="median time from posting to resolution, over resolved cases"
    )
    share_resolved: float | None = Field(description="resolved / cases")
    found_what_needed: int = Field(description="resolved cases whose author found what they needed")
    share_found_what_needed: float | None = Field(
        description="found_what_needed / resolved cases whose author answered the question"
    )


class WeekCount(BaseModel):
    starts: date = Field(description="first day of the seven-day span (the last one ends now)")
    cases: int
    replies: int = Field(description="replies (so far) to the cases posted in the span")


class ReplyTimeBucket(BaseModel):
    up_to_seconds: int | None = Field(
        description="upper bound of the first-reply time; null: longer than the last bound"
    )
    cases: int


class PeriodFigures(Figures):
    weekly: list[WeekCount] = Field(description="cases and replies per seven days, oldest first")
    first_reply_times: list[ReplyTimeBucket] = Field(
        description="answered cases of the period by time to the first reply"
    )
    unanswered: int = Field(description="cases of the period with no reply from someone else")


class ScopeFigures(BaseModel):
    overall: Figures
    period: PeriodFigures


class Period(BaseModel):
    since: datetime
    until: datetime
    days: int


class Metrics(BaseModel):
    period: Period
    node: ScopeFigures = Field(description="cases posted on this node")
    network: ScopeFigures = Field(
        description="every case this node knows: its own and those its peers sent"
    )
