"""One sentence per notification, in the current language, for the page and the email.

An anonymous author is named by pseudonym only: the sentence is built from the
case and reply rows, which for an anonymous post hold nothing else.
"""

from __future__ import annotations

from i18n.jinja import specialty_name
from i18n.regions import country_name
from i18n.translate import current_language, gettext
from node.cases.schemas import AuthorOut
from node.notifications.models import Kind
from node.notifications.service import Entry


def author_label(author: AuthorOut) -> str:
    country = country_name(author.country, current_language())
    if author.anonymous:
        return gettext(
            "Anonymous physician %(pseudonym)s (%(country)s)",
            pseudonym=author.pseudonym or "",
            country=country,
        )
    return gettext("%(name)s (%(country)s)", name=author.name or "", country=country)


def describe(entry: Entry) -> str:
    kind = Kind(entry.notification.kind)
    title = entry.case.title
    if kind == Kind.NEW_CASE:
        return gettext(
            "New case in %(specialties)s by %(author)s: “%(title)s”",
            specialties=", ".join(specialty_name(code) for code in entry.case.specialty_codes),
            author=author_label(entry.actor),
            title=title,
        )
    if kind == Kind.REPLY:
        return gettext(
            "%(author)s replied in “%(title)s”", author=author_label(entry.actor), title=title
        )
    return gettext("“%(title)s” was resolved", title=title)
