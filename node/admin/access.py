"""Who may open the admin pages, and the form helpers they share.

The roles mirror the JSON API: moderators and admins review claims, decide reports and
read the audit log; only admins add or block peers, change a member's status and
reveal pseudonyms. Staff must be verified themselves, like reviewers in the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from i18n.translate import gettext
from node.api.problems import Problem
from node.cases.access import is_moderator
from node.cases.pages_forms import Form, field_errors, text
from node.members.models import Member, Role
from node.web.context import verified_page_member
from node.web.templating import render

Model = TypeVar("Model", bound=BaseModel)
REASON_FIELD = "reason"
# The moderation API asks for at least this much (node/moderation/schemas.Reasoning).
MODERATION_REASON_MIN = 10


def staff_page_member(request: web.Request) -> Member:
    """A verified moderator or admin; visitors go to the login page, members get 403."""
    member = verified_page_member(request)
    if not is_moderator(member):
        raise Problem(
            403, gettext("Only moderators and admins can open this page."), slug="moderators-only"
        )
    return member


def admin_page_member(request: web.Request) -> Member:
    member = staff_page_member(request)
    if member.role != Role.ADMIN:
        raise Problem(403, gettext("Only admins can do this."), slug="admins-only")
    return member


def is_admin(member: Member) -> bool:
    return member.role == Role.ADMIN


def render_admin(
    request: web.Request,
    member: Member,
    section: str,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> web.Response:
    """An admin page: ``section`` marks the current item of the section navigation."""
    page = {
        "section": section,
        "admin": is_admin(member),
        "notice": None,
        "error": None,
        "error_detail": None,  # English technical words, shown apart from ``error``
    }
    page.update(context)
    return render(request, template, page, status=status)


def notice(request: web.Request, notices: Mapping[str, str]) -> str | None:
    """The confirmation named by ``?notice=`` after a redirect (POST, redirect, GET)."""
    message = notices.get(request.query.get("notice", ""))
    return gettext(message) if message else None


def reason_error(minimum: int) -> str:
    if minimum <= 1:
        return gettext("Give a reason; it is kept in the audit log.")
    return gettext(
        "Give a reason of at least %(min)s characters; it is kept in the audit log.", min=minimum
    )


def form_errors(error: ValidationError, *, reason_min: int = 1) -> dict[str, str]:
    """Field messages for a form validated with the API's own model; a short or
    missing reason says how long it must be."""
    errors = field_errors(error)
    if REASON_FIELD in errors:
        errors[REASON_FIELD] = reason_error(reason_min)
    return errors


def validated(model: type[Model], form: Form, *fields: str) -> Model:
    """``model`` built from the named form fields (raises ValidationError)."""
    return model.model_validate({name: text(form, name) for name in fields})
