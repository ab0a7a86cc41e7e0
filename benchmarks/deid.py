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


def run() -> dict[str, Any]:
    records = load_corpus()
    results = evaluate(records)
    results["scan_time"] = {
        lang: time_scan(case_text(records, lang), lang) for lang in TIMING_LANGUAGES
    }
    results["case_chars"] = CASE_CHARS
    results["timing_runs"] = TIMING_RUNS
    results["targets"] = TARGETS
    return results


def report(results: dict[str, Any]) -> str:
    overall = results["overall"]
    lines = [
        "## De-identification",
        "",
        f"Corpus: {results['snippets']} snippets, {results['labelled_spans']} labelled spans"
        f" in {len(results['languages'])} languages. A labelled span counts as found when a"
        " reported span of the same kind overlaps it; *hidden* ignores the kind.",
        "",
        f"Overall: recall **{overall['recall']:.3f}**, precision **{overall['precision']:.3f}**,"
        f" hidden {overall['hidden']:.3f} (targets: recall ≥ {TARGETS['recall']},"
        f" precision ≥ {TARGETS['precision']}, every kind ≥ {TARGETS['kind_recall']}).",
        "",
        f"Names absent from the shipped lists (found only through cues):"
        f" {results['names_not_in_shipped_lists']['labelled']} labelled,"
        f" recall {results['names_not_in_shipped_lists']['recall']:.3f}."
        f" Eponyms reported as names: {len(results['eponyms_flagged'])}.",
        "",
        "| kind | labelled | recall | reported | precision |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for kind, k in results["kinds"].items():
        lines.append(
            f"| {kind} | {k['labelled']} | {k['recall']:.3f} | {k['reported']} |"
            f" {k['precision']:.3f} |"
        )
    lines += ["", "| language | snippets | labelled | recall | precision |"]
    lines.append("| --- | ---: | ---: | ---: | ---: |")
    for lang, v in results["languages"].items():
        lines.append(
            f"| {lang} | {v['snippets']} | {v['labelled']} | {v['recall']:.3f} |"
            f" {v['precision']:.3f} |"
        )
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
