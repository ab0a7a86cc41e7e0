"""Jinja2 wired to the current language: gettext calls, dates, numbers, names."""

from __future__ import annotations

from datetime import datetime

import jinja2
from markupsafe import Markup

from i18n import formatting
from i18n.languages import text_direction
from i18n.regions import country_name
from i18n.specialties import SPECIALTIES
from i18n.translate import current_language, gettext, translations


def specialty_name(code: str) -> str:
    name = SPECIALTIES.get(code)
    return gettext(name) if name else code


def _datetime(value: datetime, fmt: str = "medium") -> str:
    return formatting.datetime_text(value, current_language(), fmt=fmt)


def _timeago(value: datetime) -> Markup:
    """Relative time in a <time> element whose ``datetime`` holds the exact moment.

    Each date is formatted once: the exact time used to be formatted by babel too, for
    a ``title``, which doubled the cost of every date on a page (50 replies, 50 dates)
    for a tooltip. The machine-readable ``datetime`` attribute carries it, and app.js
    writes it into the tooltip with the browser's formatter, in the page's language.
    """
    text = formatting.time_ago(value, current_language())
    return Markup('<time datetime="{iso}">{text}</time>').format(iso=value.isoformat(), text=text)


def make_environment(loader: jinja2.BaseLoader) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        enable_async=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # newstyle: _("Hello %(name)s", name=x) formats and escapes inside the call, so
    # the callables hand Jinja the untouched translated text of the current request.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: translations().gettext(message),
        ngettext=lambda singular, plural, n: translations().ngettext(singular, plural, n),
        pgettext=lambda context, message: translations().pgettext(context, message),
        npgettext=lambda context, singular, plural, n: translations().npgettext(
            context, singular, plural, n
        ),
        newstyle=True,
    )
    env.filters.update(
        datetime=_datetime,
        timeago=_timeago,
        number=lambda value: formatting.number_text(value, current_language()),
        percent=lambda value: formatting.percent_text(value, current_language()),
        specialty=specialty_name,
        country=lambda code: country_name(code, current_language()),
    )
    env.globals.update(current_language=current_language, text_direction=text_direction)
    return env
