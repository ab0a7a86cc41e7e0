"""Compiled catalogs are kept per process, and compiled again when their file changes:
nodes start fast, and an edited translation still shows without a stale copy."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from i18n import catalogs
from i18n.catalogs import compile_catalog, po_path

MSGID = 'msgid "Settings"\n'


def test_a_catalog_is_compiled_once_and_again_after_an_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = po_path("de")
    monkeypatch.setattr(catalogs, "LOCALES_DIR", tmp_path)
    copy = po_path("de")
    copy.parent.mkdir(parents=True)
    shutil.copyfile(source, copy)

    first = compile_catalog("de")
    assert first.gettext("Settings") == "Einstellungen"
    assert compile_catalog("de") is first  # unchanged: not compiled again

    text = copy.read_text(encoding="utf-8")
    start = text.index(MSGID) + len(MSGID)
    end = text.index("\n", start)
    copy.write_text(text[:start] + 'msgstr "Optionen"' + text[end:], encoding="utf-8")
    stat = copy.stat()  # a later modification time, even on a coarse clock
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    edited = compile_catalog("de")
    assert edited is not first and edited.gettext("Settings") == "Optionen"

    copy.unlink()
    assert compile_catalog("de").gettext("Settings") == "Settings"  # no file, no catalog
