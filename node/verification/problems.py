"""Problem documents for the verification API, and its role checks."""

from __future__ import annotations

from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from i18n.translate import gettext
from node.api.problems import Problem, forbidden
from node.members.auth import current_member
from node.members.models import Member, Role
from verification.workflow import InvalidTransition

REVIEWER_ROLES = (Role.MODERATOR.value, Role.ADMIN.value)
Model = TypeVar("Model", bound=BaseModel)


def transition_problem(error: InvalidTransition) -> Problem:
    """409 naming the current and the requested state (the graph's own message)."""
    return Problem(409, str(error), slug="invalid-transition")


def reviewer(request: web.Request) -> Member:
    """Moderators and admins review claims; they must be verified themselves."""
    member = current_member(request)
    if member.role not in REVIEWER_ROLES:
        raise forbidden(
            gettext("Only moderators and admins review verification."), slug="reviewers-only"
        )
    if not member.is_verified:
        raise forbidden(
            gettext(
                "Your own verification status is %(status)s; reviewers must be verified.",
                status=repr(member.status),
            ),
            slug="not-verified",
        )
    return member


def admin(request: web.Request) -> Member:
    member = reviewer(request)
    if member.role != Role.ADMIN:
        raise forbidden(gettext("Only admins change a member's status."), slug="admins-only")
    return member


def parse_query(request: web.Request, model: type[Model]) -> Model:
    try:
        return model.model_validate(dict(request.query))
    except ValidationError as error:
        details = [
            {"field": ".".join(map(str, item["loc"])), "message": item["msg"]}
            for item in error.errors(include_url=False, include_input=False)
        ]
        raise Problem(
            400, gettext("Some query parameters are invalid."), slug="invalid-query", errors=details
        ) from None
