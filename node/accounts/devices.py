"""A short, human description of a browser from its User-Agent, for the sessions list.

Only the browser family and the operating system: enough for a member to recognise
"the tablet at home", without a parsing library's database of device models.
"""

from __future__ import annotations

import re
from typing import Final

# Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS: Final = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS: Final = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)
_PROGRAM = re.compile(r"^([A-Za-z][A-Za-z0-9._-]{0,40})/")


def describe_device(user_agent: str) -> str | None:
    """E.g. "Firefox · Linux", "Safari · iPhone", a program's name, or None if unknown."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), None)
    if browser and system:
        return f"{browser} · {system}"
    if browser or system:
        return browser or system
    program = _PROGRAM.match(user_agent)
    return program.group(1) if program else None
