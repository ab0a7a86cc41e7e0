"""The current request's language, for templates and for Python code alike.

Each request (and each task it spawns) sets the language once; ``gettext`` and friends
read it from a context variable, so there is no per-request plumbing through every
function and no global "current locale" shared between concurrent requests.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from dataclasses import dataclass

from babel.support import NullTranslations

from i18n.formatting import number_text
from i18n.languages import DEFAULT_LANGUAGE


@dataclass(frozen=True)
class ActiveLanguage:
    code: str
    translations: NullTranslations


_ACTIVE: ContextVar[ActiveLanguage] = ContextVar("curbside_language")
# Outside a request (CLI, workers): the untranslated English msgids.
_FALLBACK = ActiveLanguage(DEFAULT_LANGUAGE, NullTranslations())


def activate(code: str, translations: NullTranslations) -> Token[ActiveLanguage]:
    return _ACTIVE.set(ActiveLanguage(code, translations))


def deactivate(token: Token[ActiveLanguage]) -> None:
    _ACTIVE.reset(token)


def current_language() -> str:
    return _ACTIVE.get(_FALLBACK).code


def translations() -> NullTranslations:
    return _ACTIVE.get(_FALLBACK).translations


def gettext(message: str, **variables: object) -> str:
    text = _ACTIVE.get(_FALLBACK).translations.gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    """``%(num)s`` is ``n`` written the language's way ("10.485.760" in German), as the
    templates' ``number`` filter writes it."""
    active = _ACTIVE.get(_FALLBACK)
    text = active.translations.ngettext(singular, plural, n)
    return text % {"num": number_text(n, active.code), **variables}


def pgettext(context: str, message: str, **variables: object) -> str:
    text = str(_ACTIVE.get(_FALLBACK).translations.pgettext(context, message))
    return text % variables if variables else text


# The conventional short name, so string extraction finds _("...") calls.
_ = gettext


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (translated when shown)."""
    return message
