"""De-identification: precision and recall on the labelled corpus, and scan time.

Corpus: ``tests/deid/corpus/<lang>.jsonl`` (synthetic case snippets written for this
purpose, built from ``src/<lang>.txt``), with every identifier labelled.

Span matching rule: a labelled span is *found* when the scanner reports a span of the
same kind that overlaps it by at least one character; a reported span is *correct*
when it overlaps a labelled span of the same kind. Overlap rather than exact
boundaries, because what matters is that the identifier gets hidden ("âgée de 93 ans"
and "93 ans" hide the same age). A second, looser figure ("hidden") counts a labelled
span as found when any reported span overlaps it, whatever its kind: that is what
the guard needs in the end, since a phone number reported as a national id is still
kept from leaving the node.

Two sets: development snippets (the detector was tuned on them) and held-out snippets
(ids ``<lang>-hNNN``, written after the last change and never used for tuning), reported
side by side so the development figures are not mistaken for a generalisation estimate.

Scan time: a 5,000-character case assembled from the corpus snippets of one language,
scanned many times; median and 99th percentile of wall time per scan.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from node.deid import KINDS, scan
from node.deid.lexicon import EPONYMS, FIRST_NAMES, LAST_NAMES
from node.deid.view import WORD

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "deid" / "corpus"
CASE_CHARS = 5_000
TIMING_RUNS = 300
TIMING_LANGUAGES = ("en", "de", "fr", "he", "hu")
TARGETS = {"recall": 0.95, "precision": 0.85, "kind_recall": 0.90, "scan_ms": 20.0}


def load_corpus(folder: Path = CORPUS) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            records.extend(json.loads(line) for line in handle if line.strip())
    return records


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _ratio(num: int, den: int) -> float:
    return round(num / den, 4) if den else 1.0


def _listed(name: str) -> bool:
    return any(w in FIRST_NAMES or w in LAST_NAMES for w in WORD.findall(name))


def evaluate(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Counts and ratios per kind, per language and overall, plus the misses."""
    tp_gold: Counter[str] = Counter()
    gold_n: Counter[str] = Counter()
    tp_pred: Counter[str] = Counter()
    pred_n: Counter[str] = Counter()
    lang_counts: dict[str, Counter[str]] = {}
    hidden = 0
    unlisted = Counter[str]()
    misses: list[dict[str, Any]] = []
    false_alarms: list[dict[str, Any]] = []
    eponyms_flagged: list[str] = []
    snippets = 0
    for record in records:
        snippets += 1
        text, lang = record["text"], record["language"]
        counts = lang_counts.setdefault(lang, Counter())
        counts["snippets"] += 1
        found = scan(text, lang)
        gold = [(s["start"], s["end"], s["kind"]) for s in record["spans"]]
        for start, end, kind in gold:
            gold_n[kind] += 1
            counts["gold"] += 1
            same = any(f.kind == kind and _overlaps((start, end), (f.start, f.end)) for f in found)
            if same:
                tp_gold[kind] += 1
                counts["found"] += 1
            else:
                misses.append({"id": record["id"], "kind": kind, "text": text[start:end]})
            if any(_overlaps((start, end), (f.start, f.end)) for f in found):
                hidden += 1
            if kind == "name" and not _listed(text[start:end]):
                unlisted["gold"] += 1
                unlisted["found"] += int(same)
        for f in found:
            pred_n[f.kind] += 1
            counts["reported"] += 1
            if any(k == f.kind and _overlaps((s, e), (f.start, f.end)) for s, e, k in gold):
                tp_pred[f.kind] += 1
                counts["correct"] += 1
            else:
                false_alarms.append({"id": record["id"], "kind": f.kind, "text": f.text})
                if any(w in EPONYMS for w in WORD.findall(f.text)) and f.kind == "name":
                    eponyms_flagged.append(f.text)
    kinds = {
        kind: {
            "labelled": gold_n[kind],
            "found": tp_gold[kind],
            "recall": _ratio(tp_gold[kind], gold_n[kind]),
            "reported": pred_n[kind],
            "precision": _ratio(tp_pred[kind], pred_n[kind]),
        }
        for kind in sorted(KINDS)
    }
    languages = {
        lang: {
            "snippets": c["snippets"],
            "labelled": c["gold"],
            "recall": _ratio(c["found"], c["gold"]),
            "precision": _ratio(c["correct"], c["reported"]),
        }
        for lang, c in sorted(lang_counts.items())
    }
    total_gold = sum(gold_n.values())
    total_pred = sum(pred_n.values())
    return {
        "snippets": snippets,
        "labelled_spans": total_gold,
        "overall": {
            "recall": _ratio(sum(tp_gold.values()), total_gold),
            "precision": _ratio(sum(tp_pred.values()), total_pred),
            "hidden": _ratio(hidden, total_gold),
        },
        "names_not_in_shipped_lists": {
            "labelled": unlisted["gold"],
            "recall": _ratio(unlisted["found"], unlisted["gold"]),
        },
        "kinds": kinds,
        "languages": languages,
        "eponyms_flagged": eponyms_flagged,
        "misses": misses,
        "false_alarms": false_alarms,
    }


def case_text(records: list[dict[str, Any]], language: str, chars: int = CASE_CHARS) -> str:
    """A case of ``chars`` characters made of one language's snippets, repeated."""
    snippets = [r["text"] for r in records if r["language"] == language]
    text = ""
    i = 0
    while len(text) < chars:
        text += snippets[i % len(snippets)] + " "
        i += 1
    return text[:chars]


def time_scan(text: str, language: str, runs: int = TIMING_RUNS) -> dict[str, float]:
    scan(text, language)  # warm-up: first-call costs are not per-post costs
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        scan(text, language)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p99_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.99))], 2),
    }


def is_held_out(record: dict[str, Any]) -> bool:
    """Held-out snippets (ids ``<lang>-hNNN``) were written after the last change to the
    detector and are never used to tune it; the rest is development data."""
    return "-h" in record["id"]


def run() -> dict[str, Any]:
    records = load_corpus()
    development = [r for r in records if not is_held_out(r)]
    held_out = [r for r in records if is_held_out(r)]
    return {
        "development": evaluate(development),
        "held_out": evaluate(held_out),
        "scan_time": {lang: time_scan(case_text(records, lang), lang) for lang in TIMING_LANGUAGES},
        "case_chars": CASE_CHARS,
        "timing_runs": TIMING_RUNS,
        "targets": TARGETS,
    }


def report(results: dict[str, Any]) -> str:
    dev, held = results["development"], results["held_out"]
    lines = [
        "## De-identification",
        "",
        f"Corpus: {dev['snippets']} development snippets ({dev['labelled_spans']} labelled"
        f" spans) and {held['snippets']} held-out snippets ({held['labelled_spans']} spans)"
        f" in {len(dev['languages'])} languages. The held-out snippets were never used to"
        " tune the detector (they predate the hospital-name detector, and hold no hospital"
        " names): they estimate how it does on text it has not seen. A labelled span"
        " counts as found when a reported span of"
        " the same kind overlaps it; *hidden* ignores the kind.",
        "",
        "| set | recall | precision | hidden | names outside the lists (recall) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, part in (("development", dev), ("held-out", held)):
        o, u = part["overall"], part["names_not_in_shipped_lists"]
        lines.append(
            f"| {label} | {o['recall']:.3f} | {o['precision']:.3f} | {o['hidden']:.3f} |"
            f" {u['recall']:.3f} ({u['labelled']}) |"
        )
    lines += [
        "",
        f"Targets (asserted on the development set by tests/deid/test_corpus.py): recall ≥"
        f" {TARGETS['recall']}, precision ≥ {TARGETS['precision']}, every kind ≥"
        f" {TARGETS['kind_recall']}. Eponyms reported as names: development"
        f" {len(dev['eponyms_flagged'])}, held-out {len(held['eponyms_flagged'])}.",
        "",
        "| kind | labelled (dev / held-out) | recall dev | recall held-out |"
        " precision dev | precision held-out |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, k in dev["kinds"].items():
        h = held["kinds"][kind]
        held_recall = f"{h['recall']:.3f}" if h["labelled"] else "–"
        held_precision = f"{h['precision']:.3f}" if h["reported"] else "–"
        lines.append(
            f"| {kind} | {k['labelled']} / {h['labelled']} | {k['recall']:.3f} | {held_recall} |"
            f" {k['precision']:.3f} | {held_precision} |"
        )
    lines += [
        "",
        "| language | snippets (dev / held-out) | recall dev | recall held-out |"
        " precision dev | precision held-out |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for lang, v in dev["languages"].items():
        h = held["languages"].get(lang, {"snippets": 0, "recall": 1.0, "precision": 1.0})
        lines.append(
            f"| {lang} | {v['snippets']} / {h['snippets']} | {v['recall']:.3f} |"
            f" {h['recall']:.3f} | {v['precision']:.3f} | {h['precision']:.3f} |"
        )
    lines += [
        "",
        "Held-out misses and false alarms (left as they are, to keep the set honest):",
        "",
    ]
    lines += [f"- missed {m['kind']}: “{m['text']}” ({m['id']})" for m in held["misses"]]
    lines += [f"- false {m['kind']}: “{m['text']}” ({m['id']})" for m in held["false_alarms"]]
    lines += [
        "",
        f"Scan time for a {results['case_chars']:,}-character case"
        f" ({results['timing_runs']} runs; target < {TARGETS['scan_ms']:.0f} ms):",
        "",
        "| language | median ms | p99 ms |",
        "| --- | ---: | ---: |",
    ]
    for lang, t in results["scan_time"].items():
        lines.append(f"| {lang} | {t['median_ms']} | {t['p99_ms']} |")
    return "\n".join(lines) + "\n"
