"""Build the evaluation corpus (``<lang>.jsonl``) from the marked-up sources in ``src/``.

Sources are easier to write and review than offsets: one snippet per line, with each
identifier wrapped as ``[kind|text]`` (see the kind codes below); ``#`` lines are
comments. Lines starting with ``h:`` are the held-out set: written after the detector
and never used to tune it, they get ids ``<lang>-hNNN`` and are reported separately.
Run ``python -m tests.deid.corpus.build`` after editing a source; a test fails if the
JSONL files and the sources disagree.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"

CODES = {
    "n": "name",
    "d": "date",
    "a": "age_over_89",
    "p": "phone",
    "e": "email",
    "id": "national_id",
    "r": "record_number",
    "ad": "address",
    "pc": "postcode",
    "t": "town",
    "u": "url",
    "ip": "ip_address",
    "s": "serial_number",
    "f": "facility",
}
_MARK = re.compile(r"\[(" + "|".join(CODES) + r")\|([^\]]+)\]")


def parse_line(line: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and spans of one marked-up snippet."""
    text_parts: list[str] = []
    spans: list[dict[str, Any]] = []
    pos = 0
    length = 0
    for match in _MARK.finditer(line):
        before = line[pos : match.start()]
        text_parts.append(before)
        length += len(before)
        value = match.group(2)
        spans.append({"start": length, "end": length + len(value), "kind": CODES[match.group(1)]})
        text_parts.append(value)
        length += len(value)
        pos = match.end()
    text_parts.append(line[pos:])
    text = "".join(text_parts)
    if "[" in text and "|" in text:
        raise ValueError(f"unparsed markup in: {line!r}")
    return text, spans


def build_language(source: Path) -> list[dict[str, Any]]:
    language = source.stem
    records = []
    counts = {"": 0, "h": 0}
    for raw in source.read_text("utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        group = ""
        if line.startswith("h:"):
            group, line = "h", line[2:].strip()
        counts[group] += 1
        text, spans = parse_line(line)
        records.append(
            {
                "id": f"{language}-{group}{counts[group]:03d}",
                "language": language,
                "text": text,
                "spans": spans,
            }
        )
    return records


def render(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def main() -> None:
    for source in sorted(SOURCES.glob("*.txt")):
        (HERE / f"{source.stem}.jsonl").write_text(render(build_language(source)), "utf-8")


if __name__ == "__main__":
    main()
