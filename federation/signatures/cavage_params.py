"""A strict parser for the parameter list of a cavage ``Signature`` header.

The grammar is RFC 7235 auth-params, as draft-cavage-12 §4.1 says::

    params = param *( OWS "," OWS param )
    param  = token BWS "=" BWS ( token / quoted-string )

Names are case-insensitive (RFC 7235 §2.1) and returned lowercased. A
duplicated parameter makes the whole header unusable (draft §2.2); unknown
parameters are kept and simply never read. Anything else that does not fit
the grammar is a :class:`MalformedSignature`, never a best-effort guess.
"""

from __future__ import annotations

from federation.signatures.errors import MalformedSignature

# RFC 9110 §5.6.2 tchar.
_TCHAR = frozenset("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_WHITESPACE = " \t"


def parse_parameters(value: str) -> dict[str, str]:
    """Parse ``name=value`` pairs; see the module docstring for the rules."""
    params: dict[str, str] = {}
    cursor = _skip_whitespace(value, 0)
    while cursor < len(value):
        name, cursor = _token(value, cursor, "a parameter name")
        cursor = _skip_whitespace(value, cursor)
        if cursor >= len(value) or value[cursor] != "=":
            raise MalformedSignature("Signature parameter has no '='")
        cursor = _skip_whitespace(value, cursor + 1)
        if cursor < len(value) and value[cursor] == '"':
            param, cursor = _quoted_string(value, cursor + 1)
        else:
            param, cursor = _token(value, cursor, "a parameter value")
        key = name.lower()
        if key in params:
            raise MalformedSignature(f"Signature parameter {name!r} appears twice")
        params[key] = param
        cursor = _skip_whitespace(value, cursor)
        if cursor < len(value):
            if value[cursor] != ",":
                raise MalformedSignature("Signature parameters must be separated by commas")
            cursor = _skip_whitespace(value, cursor + 1)
            if cursor >= len(value):
                raise MalformedSignature("Signature header ends with a comma")
    if not params:
        raise MalformedSignature("Signature header is empty")
    return params


def _skip_whitespace(value: str, cursor: int) -> int:
    while cursor < len(value) and value[cursor] in _WHITESPACE:
        cursor += 1
    return cursor


def _token(value: str, cursor: int, what: str) -> tuple[str, int]:
    start = cursor
    while cursor < len(value) and value[cursor] in _TCHAR:
        cursor += 1
    if cursor == start:
        raise MalformedSignature(f"Signature header: expected {what}")
    return value[start:cursor], cursor


def _quoted_string(value: str, cursor: int) -> tuple[str, int]:
    """Read up to the closing quote; ``cursor`` is just past the opening one."""
    chars: list[str] = []
    while cursor < len(value):
        char = value[cursor]
        if char == '"':
            return "".join(chars), cursor + 1
        if char == "\\":
            # quoted-pair (RFC 9110 §5.6.4): the next character stands for itself.
            cursor += 1
            if cursor >= len(value):
                break
            char = value[cursor]
        if (char < " " and char != "\t") or char == "\x7f":
            raise MalformedSignature("Signature parameter contains a control character")
        chars.append(char)
        cursor += 1
    raise MalformedSignature("Signature parameter has an unterminated quoted string")
