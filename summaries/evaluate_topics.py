"""Evaluate tag_topics against labelled news: BBC News Summary categories (and CNN/DM as a sanity check).

Usage: python -m summaries.evaluate_topics /path/to/shared/data [--errors N]

Gold labels are single (business, entertainment, politics, sport, tech -> technology); the tagger is
multi-label.
Two scores are printed:
  * top-1 macro-F1: the first of tag_topics' topics (best first) that is one of the five is the prediction;
    no such topic counts as a miss. This is the headline number (gold is single-label).
  * set macro-F1: each of the five classes scored as a binary label present/absent in tag_topics' full output,
    so extra labels cost precision and missing ones recall.
The lexicons are hand-written and not fitted on this data.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from summaries.topics import default_catalogue, tag_topics

BBC_MAP = {
    "business": "business",
    "entertainment": "entertainment",
    "politics": "politics",
    "sport": "sport",
    "tech": "technology",
}


def load_bbc(root: Path) -> list[tuple[str, str, str]]:
    """(gold topic, title, body) for each distinct BBC article."""
    seen: set[str] = set()
    docs: list[tuple[str, str, str]] = []
    for folder, topic in BBC_MAP.items():
        for path in sorted((root / "bbc-news-summary" / "articles" / folder).glob("*.txt")):
            text = path.read_bytes().decode("utf-8", errors="replace")
            title, _, body = text.strip().partition("\n")
            digest = hashlib.sha1(body.strip().encode()).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            docs.append((topic, title.strip(), body.strip()))
    return docs


def macro_f1(gold: list[str], pred: list[set[str]], labels: list[str]) -> tuple[float, dict[str, float]]:
    """Macro-F1 over labels, each a binary decision per document."""
    per: dict[str, float] = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and label in p)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != label and label in p)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and label not in p)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        per[label] = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return sum(per.values()) / len(per), per


def evaluate_bbc(root: Path, show_errors: int = 0) -> dict[str, float]:
    """Print and return top-1 and set-based macro-F1 on BBC."""
    docs = load_bbc(root)
    labels = sorted(set(BBC_MAP.values()))
    gold: list[str] = []
    top1: list[set[str]] = []
    sets: list[set[str]] = []
    n_labels = Counter[int]()
    errors: list[tuple[str, list[str], str]] = []
    for topic, title, body in docs:
        tags = tag_topics(title, body)
        first = next((t for t in tags if t in labels), None)
        gold.append(topic)
        top1.append({first} if first else set())
        sets.append(set(tags) & set(labels))
        n_labels[len(tags)] += 1
        if first != topic:
            errors.append((topic, tags, title))
    f1_top, per_top = macro_f1(gold, top1, labels)
    f1_set, per_set = macro_f1(gold, sets, labels)
    print(f"BBC: {len(docs)} distinct articles")
    print(f"  top-1 macro-F1 {f1_top:.3f}  ({', '.join(f'{k} {v:.3f}' for k, v in per_top.items())})")
    print(f"  set   macro-F1 {f1_set:.3f}  ({', '.join(f'{k} {v:.3f}' for k, v in per_set.items())})")
    avg = sum(k * v for k, v in n_labels.items()) / len(docs)
    print(f"  topics per article: mean {avg:.2f}, distribution {dict(sorted(n_labels.items()))}")
    for topic, tags, title in errors[:show_errors]:
        print(f"    gold {topic:<13} got {tags}  {title}")
    return {"bbc_top1_macro_f1": f1_top, "bbc_set_macro_f1": f1_set}


def evaluate_cnndm(root: Path) -> None:
    """No labels on CNN/DM: print the distribution of topics as a sanity check (no topic, too many)."""
    path = root / "cnndm" / "summeval100.jsonl"
    if not path.exists():
        return
    counts: Counter[str] = Counter()
    none = 0
    docs = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        article = json.loads(line)["article"]
        tags = tag_topics("", article)
        docs += 1
        none += not tags
        counts.update(tags)
    print(
        f"CNN/DM (unlabelled, {docs} articles): no topic {none}; "
        + ", ".join(f"{k} {v}" for k, v in counts.most_common())
    )


def evaluate_feed_categories(root: Path) -> None:
    """On the feed fixtures: how often text tagging alone finds the topic a feed item's category declares."""
    from summaries.sources.feeds import FeedError, parse_feed

    catalogue = default_catalogue()
    hits = total = 0
    per: Counter[str] = Counter()
    for path in sorted((root / "feeds").rglob("*")):
        if not path.is_file() or path.name == "LICENSE" or "output" in path.parts:
            continue
        try:
            feed = parse_feed(path.read_bytes())
        except FeedError:
            continue
        for item in feed.items:
            declared = catalogue.resolve_declared(item.categories)
            if not declared:
                continue
            tags = catalogue.tag(item.title, item.text)
            total += 1
            per[declared[0]] += 1
            hits += declared[0] in tags
    if total:
        print(
            f"Feeds: {total} items whose category names a topic ({dict(per)}); text tagging alone finds "
            f"that topic for {hits} ({hits / total:.0%})"
        )


LANGUAGE_LABELS = Path(__file__).resolve().parent.parent / "benchmarks" / "topics_languages.json"


def evaluate_languages(root: Path, show_errors: int = 0) -> None:
    """German and Portuguese feed items against hand labels (benchmarks/topics_languages.json): set F1."""
    from summaries.sources.feeds import parse_feed

    if not LANGUAGE_LABELS.is_file():
        return
    catalogue = default_catalogue()
    labels = json.loads(LANGUAGE_LABELS.read_text(encoding="utf-8"))["items"]
    feeds: dict[str, Any] = {}
    gold: list[set[str]] = []
    pred: list[set[str]] = []
    for entry in labels:
        path = root / "feeds" / entry["file"]
        if entry["file"] not in feeds:
            feeds[entry["file"]] = parse_feed(path.read_bytes())
        feed = feeds[entry["file"]]
        item = feed.items[entry["item"]]
        gold.append(set(entry["topics"]))
        pred.append(set(catalogue.tag(item.title, item.text, language=feed.language)))
        if show_errors and gold[-1] != pred[-1]:
            print(
                f"  {entry['file']}#{entry['item']} gold {sorted(gold[-1])} got {sorted(pred[-1])}: {item.title}"
            )
    topics = sorted(set().union(*gold))
    per: dict[str, float] = {}
    for topic in topics:
        tp = sum(topic in g and topic in p for g, p in zip(gold, pred, strict=True))
        fp = sum(topic not in g and topic in p for g, p in zip(gold, pred, strict=True))
        fn = sum(topic in g and topic not in p for g, p in zip(gold, pred, strict=True))
        per[topic] = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
    extra = sum(len(p - set(topics)) for p in pred)
    exact = sum(g == p for g, p in zip(gold, pred, strict=True))
    detail = ", ".join(f"{t} {f:.3f}" for t, f in per.items())
    print(
        f"Languages (German, Portuguese; {len(gold)} hand-labelled feed items): set macro-F1 "
        f"{sum(per.values()) / len(per):.3f} ({detail}); exact sets {exact}; tags outside the labelled topics {extra}"
    )


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", type=Path, help="path to the shared data folder (holds bbc-news-summary/)")
    parser.add_argument("--errors", type=int, default=0, help="print this many misclassified titles")
    args = parser.parse_args(argv)
    if not (args.data / "bbc-news-summary" / "articles").is_dir():
        print(
            f"No bbc-news-summary/articles under {args.data}; pass the shared data folder.", file=sys.stderr
        )
        return 2
    default_catalogue()
    evaluate_bbc(args.data, args.errors)
    evaluate_cnndm(args.data)
    evaluate_feed_categories(args.data)
    evaluate_languages(args.data, args.errors)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
