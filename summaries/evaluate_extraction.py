"""Score page extraction on the Zyte/Scrapinghub article-extraction benchmark, as that benchmark scores it.

Usage: python -m summaries.evaluate_extraction [--data] /path/to/shared/data [--limit N] [--setting NAME ...]

Per document: word 4-gram shingles (multiset, tokens = ``\\w+``) of predicted vs. gold ``articleBody``;
TP/FP/FN normalised per document; precision and recall are means over documents (precision only over documents
with any prediction, as the benchmark does); F1 from those means. ``--stored NAME`` scores one of the
benchmark's stored outputs (e.g. trafilatura) to check this implementation against the published figures.
Every page is an article, so each one ``extract_page`` takes for a list of headlines is printed (a false alarm);
"no-article" counts them with the other refusals.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import trafilatura

from summaries.sources import pages
from summaries.sources.pages import HEADLINE_LIST, ExtractionError, extract_page

_TOKEN = re.compile(r"\w+", re.UNICODE)

SETTINGS: dict[str, dict[str, Any]] = {
    "default": {"include_comments": False},
    "precision": {"include_comments": False, "favor_precision": True},
    "recall": {"include_comments": False, "favor_recall": True},
    "fast": {"include_comments": False, "fast": True},
    "precision-notables": {"include_comments": False, "favor_precision": True, "include_tables": False},
}


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Multiset of word n-grams; a text shorter than n words is one short shingle."""
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def tp_fp_fn(gold: str, pred: str) -> tuple[float, float, float]:
    """Shingle TP/FP/FN for one document, normalised to sum to 1 so long pages do not weigh more."""
    g, p = shingles(gold), shingles(pred)
    tp = float(sum((g & p).values()))
    fp = float(sum((p - g).values()))
    fn = float(sum((g - p).values()))
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def score(counts: list[tuple[float, float, float]]) -> dict[str, float]:
    """Mean precision and recall over documents and the F1 of those means."""
    precision = statistics.mean(_precision(*c) for c in counts if c[0] + c[1] > 0)
    recall = statistics.mean(_recall(*c) for c in counts if c[0] + c[2] > 0)
    return {"f1": 2 * precision * recall / (precision + recall), "precision": precision, "recall": recall}


def run(
    data: Path, extractor: Callable[[bytes, str], str], limit: int | None
) -> tuple[dict[str, float], int]:
    """Score an extractor (html bytes, url) -> text over the benchmark; returns metrics and failures."""
    truth: dict[str, dict[str, str]] = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    keys = sorted(truth)[:limit] if limit else sorted(truth)
    counts = []
    failures = 0
    for key in keys:
        html = gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes())
        try:
            text = extractor(html, truth[key].get("url", ""))
        except ExtractionError as exc:
            text = ""
            failures += 1
            if exc.reason == HEADLINE_LIST:
                # Every page here is an article: each one taken for a list of headlines is a false alarm.
                print(f"taken for a list of headlines: {key} {truth[key].get('url', '')}")
        counts.append(tp_fp_fn(truth[key].get("articleBody", ""), text))
    return score(counts), failures


def _stored(data: Path, name: str) -> dict[str, float]:
    truth: dict[str, dict[str, str]] = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    raw = json.loads((data / "output" / f"{name}.json").read_text(encoding="utf-8"))
    preds = raw.get("output", raw) if isinstance(raw, dict) and "output" in raw else raw
    return score(
        [
            tp_fp_fn(truth[k].get("articleBody", ""), (preds.get(k) or {}).get("articleBody", ""))
            for k in sorted(truth)
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", type=Path, nargs="?", help="shared data folder (holds article-extraction/)")
    parser.add_argument("--data", type=Path, dest="data_option", help="the same, as an option")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N pages")
    parser.add_argument(
        "--setting",
        action="append",
        choices=sorted(SETTINGS),
        help="also score raw trafilatura with these settings (repeatable)",
    )
    parser.add_argument(
        "--stored", action="append", default=[], help="score a stored output, e.g. trafilatura"
    )
    args = parser.parse_args(argv)
    if (args.data or args.data_option) is None:
        parser.error("pass the shared data folder")
    args.data = args.data or args.data_option
    data = args.data / "article-extraction"
    if not (data / "ground-truth.json").exists():
        print(
            f"No article-extraction/ground-truth.json under {args.data}; pass the shared data folder.",
            file=sys.stderr,
        )
        return 2
    for name in args.stored:
        m = _stored(data, name)
        print(f"stored {name:<18} F1 {m['f1']:.3f}  P {m['precision']:.3f}  R {m['recall']:.3f}")
    for name in args.setting or []:
        options = SETTINGS[name]

        def raw(html: bytes, url: str, options: dict[str, Any] = options) -> str:
            return trafilatura.extract(html, url=url, **options) or ""

        started = time.monotonic()
        m, _ = run(data, raw, args.limit)
        print(
            f"trafilatura {name:<13} F1 {m['f1']:.3f}  P {m['precision']:.3f}  R {m['recall']:.3f}"
            f"  ({time.monotonic() - started:.0f} s)"
        )
    started = time.monotonic()
    m, failures = run(data, lambda html, url: extract_page(html, url).text, args.limit)
    print(
        f"extract_page ({', '.join(f'{k}={v}' for k, v in pages.EXTRACT_OPTIONS.items() if v)}) "
        f"F1 {m['f1']:.3f}  P {m['precision']:.3f}  R {m['recall']:.3f}  no-article {failures}"
        f"  ({time.monotonic() - started:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
