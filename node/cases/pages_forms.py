"""HTML forms in, the API's pydantic models out; validation errors and refusals back
into words a member can act on, next to the field they concern.

The pages validate with the same models as the JSON API (``CaseIn``, ``ReplyIn``...),
so a form can never accept what the API refuses, or the other way round.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from multidict import MultiDictProxy
from pydantic import ValidationError

from i18n.translate import N_, gettext
from node.api.numbers import whole_number
from node.api.problems import Problem
from node.privacy.guard import findings_in

Form = MultiDictProxy[Any]
# field name -> message shown next to that field
FieldErrors = dict[str, str]

FILL_IN = N_("Please fill in this field.")
TOO_LONG = N_("Please shorten this to at most %(max)s characters.")
CHOOSE_ONE = N_("Please choose one of the options.")
NOT_VALID = N_("This value is not valid.")

# Messages for one field, by pydantic error type; anything else gets the generic ones.
_FIELD_MESSAGES: Mapping[tuple[str, str], str] = {
    ("specialties", "too_short"): N_("Choose at least one specialty."),
    ("specialties", "too_long"): N_("Choose at most %(max)s specialties."),
    ("specialties", "value_error"): N_("Choose specialties from the list, each once."),
    ("language", "value_error"): N_("Choose a language from the list."),
    ("options", "too_short"): N_("Give at least two options."),
    ("options", "too_long"): N_("Give at most %(max)s options."),
    ("options", "value_error"): N_("The options must differ from each other."),
    ("choices", "too_short"): N_("Choose an option before voting."),
    ("found_what_needed", "missing"): N_("Please answer this question."),
    ("found_what_needed", "bool_parsing"): N_("Please answer this question."),
    ("accepted_reply", "missing"): N_("Choose the reply that solved the case."),
    ("accepted_reply", "string_too_short"): N_("Choose the reply that solved the case."),
}
_GENERIC: Mapping[str, str] = {
    "missing": FILL_IN,
    "string_too_short": FILL_IN,
    "string_too_long": TOO_LONG,
    "too_long": TOO_LONG,
    "enum": CHOOSE_ONE,
    "literal_error": CHOOSE_ONE,
    "int_parsing": CHOOSE_ONE,
    "bool_parsing": CHOOSE_ONE,
}

# Refusals by the shared actions (Problem slugs), in the member's language. The
# actions word their details for API clients in English; a page says it like this.
_REFUSALS: Mapping[str, str] = {
    "not-author": N_("Only the author can do that."),
    "forbidden": N_("You cannot do this."),
    "not-found": N_("This no longer exists; it may have been deleted."),
    "already-resolved": N_("This case is already resolved."),
    "own-reply": N_("You cannot mark your own reply helpful."),
    "already-marked": N_("You already marked this reply helpful."),
    "already-voted": N_("You already voted in this poll."),
    "poll-exists": N_("This case already has a poll."),
    "vote-refused": N_(
        "Your vote could not be counted: the poll has closed, or the choice does not fit it."
    ),
    "invalid-body": N_("Please check what you entered."),
    "identifying-details": N_(
        "This text may identify a patient. Remove or change the details listed, "
        "or confirm each one is not identifying."
    ),
    "csrf": N_("This form has expired or did not come from this site. Reload and try again."),
}

# What the de-identification guard found, by kind (node/deid/finding.py).
FINDING_KINDS: Mapping[str, str] = {
    "name": N_("Name"),
    "date": N_("Date"),
    "age_over_89": N_("Age over 89"),
    "phone": N_("Phone number"),
    "email": N_("Email address"),
    "national_id": N_("National identity number"),
    "record_number": N_("Record number"),
    "address": N_("Street address"),
    "postcode": N_("Postcode"),
    "town": N_("Town"),
    "url": N_("Web address"),
    "ip_address": N_("IP address"),
    "serial_number": N_("Serial number"),
    "facility": N_("Hospital or practice"),
}

# An acknowledged finding travels in a checkbox value as "kind:text".
_ACK_SEPARATOR = ":"


def text(form: Form, name: str) -> str:
    """The field's text without surrounding blanks (as the API models keep it, so the
    guard's offsets into the text are offsets into this value)."""
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def optional(form: Form, name: str) -> str | None:
    """A select whose empty option means "not stated"."""
    return text(form, name).strip() or None


def flag(form: Form, name: str) -> bool:
    """A checkbox: present means ticked."""
    return bool(text(form, name))


def yes_no(form: Form, name: str) -> bool | None:
    """A pair of radio buttons with the values ``yes`` and ``no``; None if neither."""
    return {"yes": True, "no": False}.get(text(form, name))


def texts(form: Form, name: str) -> list[str]:
    return [value for value in form.getall(name, []) if isinstance(value, str)]


def field_errors(error: ValidationError) -> FieldErrors:
    """One message per field (the first problem found in it)."""
    errors: FieldErrors = {}
    for item in error.errors(include_url=False, include_input=False):
        field = str(item["loc"][0]) if item["loc"] else "form"
        if field in errors:
            continue
        context = item.get("ctx") or {}
        message = _FIELD_MESSAGES.get((field, item["type"])) or _GENERIC.get(
            item["type"], NOT_VALID
        )
        limit = context.get("max_length", "")
        errors[field] = gettext(message, max=limit) if "%(max)s" in message else gettext(message)
    return errors


def refusal(problem: Problem) -> str:
    """What to tell the member when an action refused."""
    message = _REFUSALS.get(problem.slug or "")
    if message is not None:
        return gettext(message)
    return problem.detail or gettext("Something went wrong on this node.")


def acknowledgements(form: Form) -> list[dict[str, str]]:
    """Findings of the de-identification guard the author confirmed are not identifying."""
    acks = []
    for value in texts(form, "acknowledge"):
        kind, separator, found = value.partition(_ACK_SEPARATOR)
        if separator and kind and found:
            acks.append({"kind": kind, "text": found})
    return acks[:50]


def findings(problem: Problem) -> list[dict[str, Any]]:
    """The guard's findings from its refusal, each with the value its checkbox sends."""
    if problem.slug != "identifying-details":
        return []
    return [
        {
            **finding,
            "ack": f"{finding['kind']}{_ACK_SEPARATOR}{finding['text']}",
            "label": gettext(FINDING_KINDS.get(finding["kind"], finding["kind"])),
        }
        for finding in problem.extra.get("findings", [])
        if isinstance(finding, dict)
    ]


# A one-click redaction replaces the identifying detail by this mark.
REDACTED = "[…]"


def redaction(form: Form) -> tuple[str, int, int] | None:
    """The detail a "Redact" button named, as (field, start, end), if one was pressed."""
    value = form.get("redact")
    if not isinstance(value, str):
        return None
    field, _, span = value.partition(":")
    start, _, end = span.partition(":")
    first, last = whole_number(start), whole_number(end)
    if first is None or last is None or first >= last:
        return None
    return field, first, last


def apply_redaction(values: dict[str, Any], where: tuple[str, int, int]) -> bool:
    """Replace the named span in ``values``; False if it does not fit the text."""
    field, start, end = where
    current = values.get(field)
    if not isinstance(current, str) or end > len(current):
        return False
    values[field] = current[:start] + REDACTED + current[end:]
    return True


def scan_findings(fields: Mapping[str, str], language: str) -> list[dict[str, Any]]:
    """What the guard finds in ``fields`` now, shaped like the findings of a refusal."""
    return [
        {
            **finding.model_dump(),
            "ack": f"{finding.kind}{_ACK_SEPARATOR}{finding.text}",
            "label": gettext(FINDING_KINDS.get(finding.kind, finding.kind)),
        }
        for finding in findings_in(fields, language)
    ]
