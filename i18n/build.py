"""Catalog maintenance: ``python -m i18n.build extract|update|compile|check``.

extract  collect msgids from node/ and i18n/ (code and templates) into messages.pot
update   merge messages.pot into every language's messages.po (new strings empty)
compile  write messages.mo next to each .po (packagers; the node compiles in memory)
check    fail if any catalog has an empty or fuzzy translation
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from i18n.catalogs import LOCALES_DIR, po_path
from i18n.languages import SUPPORTED_LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
POT = LOCALES_DIR / "messages.pot"


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract() -> None:
    _pybabel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        "-k",
        "N_",
        "-k",
        "_",
        "-k",
        "gettext",
        "-k",
        "ngettext:1,2",
        "-k",
        "pgettext:1c,2",
        "--no-location",
        "--sort-output",
        "--project",
        "Curbside",
        "-o",
        str(POT),
        str(ROOT / "node"),
        str(ROOT / "i18n"),
    )


def update() -> None:
    for language in SUPPORTED_LANGUAGES:
        target = po_path(language)
        if target.exists():
            _pybabel(
                "update",
                "-i",
                str(POT),
                "-d",
                str(LOCALES_DIR),
                "-l",
                language,
                "--no-fuzzy-matching",
            )
        else:
            _pybabel("init", "-i", str(POT), "-d", str(LOCALES_DIR), "-l", language)


def compile_all() -> None:
    _pybabel("compile", "-d", str(LOCALES_DIR), "--statistics")


def incomplete() -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    # English is the source language: its msgids are the text, its catalog stays empty.
    for language in (code for code in SUPPORTED_LANGUAGES if code != "en"):
        with po_path(language).open("rb") as handle:
            catalog = read_po(handle, locale=language)
        bad = [
            str(message.id)
            for message in catalog
            if message.id
            and (
                message.fuzzy
                or not all(
                    message.string if isinstance(message.string, tuple) else [message.string]
                )
            )
        ]
        if bad:
            problems[language] = bad
    return problems


def main(command: str) -> None:
    if command == "extract":
        extract()
    elif command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "check":
        problems = incomplete()
        for language, ids in problems.items():
            print(f"{language}: {len(ids)} untranslated or fuzzy, e.g. {ids[:3]}")
        sys.exit(1 if problems else 0)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
