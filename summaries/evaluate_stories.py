"""Evaluate same-story grouping (summaries.dedup) on the BBC News set: which pairs would be grouped, and are they?

Usage: python -m summaries.evaluate_stories --data /path/to/shared/data [--show]

Every distinct article (exact duplicate bodies dropped, as summaries.evaluate reads them) is compared
with every other one the way a new article meets a stored one: LSH band keys first (story_bands), then
same_story. All articles come from one source, so both rules are scored: "one source" (what the bot does with
two articles of one feed) and "two sources" (as if each came from a different outlet).

The set has a few genuine duplicates (one report stored twice, or revised) and many follow-ups: the next day's
twist on the same people and the same background. JUDGED lists, by file, the pairs at 0.25 or more that a
reader judged to be one event (checked against titles and leads); every other pair at 0.25 or more is a
different story. Pairs are scored deterministically (similarity) and as grouped (sharing a band as well).
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from collections import defaultdict
from pathlib import Path

from summaries.dedup import (
    SAME_SOURCE_THRESHOLD,
    SAME_STORY_THRESHOLD,
    joins_story,
    story_bands,
    story_signature,
    story_similarity,
)
from summaries.evaluate import load_bbc

# Pairs at similarity >= 0.25 that report one event (the rest at >= 0.25 are follow-ups or other stories).
JUDGED = frozenset(
    {
        ("tech/045", "tech/341"),
        ("sport/425", "sport/433"),
        ("entertainment/079", "entertainment/331"),
        ("tech/019", "tech/329"),
        ("tech/095", "tech/311"),
        ("politics/111", "politics/293"),
        ("politics/043", "politics/313"),
        ("business/209", "business/229"),
        ("tech/009", "tech/379"),
        ("politics/175", "politics/349"),
        ("business/065", "business/075"),
        ("tech/101", "tech/123"),
        ("politics/199", "tech/231"),
        ("tech/141", "tech/173"),
    }
)
THRESHOLDS = (0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.75, 0.8)

Doc = tuple[str, str, str]  # (category/file, title, body)


def _precision(rows: list[tuple[float, bool, bool]], threshold: float, banded: bool) -> str:
    hits = [true for sim, band, true in rows if sim >= threshold and (band or not banded)]
    if not hits:
        return "   0 pairs"
    return f"{len(hits):4d} pairs, {sum(hits):2d} true, precision {sum(hits) / len(hits):.2f}"


def evaluate(docs: list[Doc], show: bool) -> None:
    """Print the grouped pairs' precision by threshold, the chains, and random same-category similarities."""
    sigs = [story_signature(title, body) for _, title, body in docs]
    bands = [set(story_bands(sig)) for sig in sigs]
    rows: list[tuple[float, bool, bool]] = []
    listed: list[tuple[float, bool, int, int]] = []
    for i, j in itertools.combinations(range(len(docs)), 2):
        sim = story_similarity(sigs[i], sigs[j])
        if sim < min(THRESHOLDS):
            continue
        true = (docs[i][0], docs[j][0]) in JUDGED
        rows.append((sim, bool(bands[i] & bands[j]), true))
        listed.append((sim, bool(bands[i] & bands[j]), i, j))
    print(f"BBC: {len(docs)} distinct articles, {len(rows)} pairs at similarity >= {min(THRESHOLDS)}")
    print("  threshold | all pairs at or above                 | grouped (sharing a band too)")
    for threshold in THRESHOLDS:
        mark = " <- two sources" if threshold == SAME_STORY_THRESHOLD else ""
        mark = " <- one source" if threshold == SAME_SOURCE_THRESHOLD else mark
        print(
            f"  {threshold:9.2f} | {_precision(rows, threshold, False)} | "
            f"{_precision(rows, threshold, True)}{mark}"
        )
    if show:
        for sim, band, i, j in sorted(listed, reverse=True):
            verdict = "same " if (docs[i][0], docs[j][0]) in JUDGED else "OTHER"
            print(
                f"    {sim:.2f} band={int(band)} {verdict} {docs[i][0]} {docs[i][1]!r} ~ {docs[j][0]} {docs[j][1]!r}"
            )
    for label, one_source in (("one source", True), ("two sources", False)):
        titles = [title for _, title, _ in docs]
        stories = _group(sigs, titles, one_source)
        sizes = sorted((len(m) for m in stories if len(m) > 1), reverse=True)
        chained = sum(
            1
            for members in stories
            for k in members[1:]
            if not _joins(sigs, titles, members[0], k, one_source)
        )
        print(
            f"  grouped in file order as {label}: {len(sizes)} stories of 2+ articles, sizes {sizes}, "
            f"{chained} joined through a later member, not the first"
        )
    _random_pairs(docs, sigs)


def _joins(sigs: list[str], titles: list[str], known: int, new: int, one_source: bool) -> bool:
    """Whether article ``new`` joins article ``known``'s story, as StoryIndex.find decides."""
    return joins_story(sigs[new], titles[new], sigs[known], titles[known], same_source=one_source)


def _group(sigs: list[str], titles: list[str], one_source: bool) -> list[list[int]]:
    """Stories as the ingest service builds them: a new article joins a story when it matches any member
    (from one source, under a headline that agrees with that member's)."""
    by_band: dict[str, list[int]] = defaultdict(list)
    members: list[list[int]] = []
    for k, sig in enumerate(sigs):
        candidates = sorted({story for band in story_bands(sig) for story in by_band[band]})
        story = next(
            (s for s in candidates if any(_joins(sigs, titles, m, k, one_source) for m in members[s])),
            None,
        )
        if story is None:
            story = len(members)
            members.append([])
            for band in story_bands(sig):
                by_band[band].append(story)
        else:
            for band in story_bands(sig):
                if story not in by_band[band]:
                    by_band[band].append(story)
        members[story].append(k)
    return members


def _random_pairs(docs: list[Doc], sigs: list[str], n: int = 20000) -> None:
    rng = random.Random(1)
    by_category: dict[str, list[int]] = defaultdict(list)
    for k, (name, _, _) in enumerate(docs):
        by_category[name.split("/")[0]].append(k)
    categories = sorted(by_category)
    values = []
    for _ in range(n):
        i, j = rng.sample(by_category[rng.choice(categories)], 2)
        values.append(story_similarity(sigs[i], sigs[j]))
    values.sort()
    quantiles = ", ".join(f"p{q:g} {values[min(n - 1, int(q / 100 * n))]:.3f}" for q in (50, 90, 99, 99.9))
    above = ", ".join(f">= {t}: {sum(v >= t for v in values) / n:.3%}" for t in (0.2, 0.3, 0.5))
    print(f"  {n} random same-category pairs: mean {sum(values) / n:.3f}, {quantiles}, max {values[-1]:.3f}")
    print(f"    share {above}")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, required=True, help="the shared data folder (holds bbc-news-summary/)"
    )
    parser.add_argument("--show", action="store_true", help="print every pair with its titles and verdict")
    args = parser.parse_args(argv)
    if not (args.data / "bbc-news-summary" / "articles").is_dir():
        print(
            f"No bbc-news-summary/articles under {args.data}; pass the shared data folder.", file=sys.stderr
        )
        return 2
    # The same distinct articles (exact duplicate bodies dropped) as the summary evaluation reads.
    evaluate([(doc.id, doc.title or "", doc.body) for doc in load_bbc(args.data)], args.show)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
