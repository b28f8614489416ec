"""Robustness check: parse every file under the shared feeds folder; each is parsed or skipped with a reason.

Usage: python -m summaries.evaluate_feeds /path/to/shared/data [-v]

Prints one line per skipped file (and per parsed file with -v) and the totals: feeds parsed, skipped, items
read, items with a link, with a date, teasers. Never raises on a file: a crash here is a bug.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter
from pathlib import Path

from summaries.sources.feeds import FeedError, is_teaser, item_to_article, parse_feed

log = logging.getLogger("newsbot.evaluate_feeds")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", type=Path, help="shared data folder (holds feeds/)")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per parsed feed too")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    root = args.data / "feeds"
    if not root.is_dir():
        print(f"No feeds/ folder under {args.data}; pass the shared data folder.", file=sys.stderr)
        return 2
    stats: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.name == "LICENSE" or "output" in path.relative_to(root).parts:
            continue  # licences and the other parser's expected outputs are not feeds
        rel = path.relative_to(root)
        try:
            feed = parse_feed(path.read_bytes(), url="")
            articles = [item_to_article(item, feed) for item in feed.items]
        except FeedError as exc:
            stats["skipped"] += 1
            log.info("skipped %s: %s", rel, exc.reason)
            continue
        except Exception:  # the point of this script is to find these
            stats["crashed"] += 1
            log.exception("CRASH on %s", rel)
            continue
        stats["parsed"] += 1
        kinds[feed.kind] += 1
        stats["items"] += len(feed.items)
        stats["with_link"] += sum(1 for i in feed.items if i.url)
        stats["with_date"] += sum(1 for i in feed.items if i.published)
        stats["teasers"] += sum(1 for i in feed.items if is_teaser(i))
        stats["with_topics"] += sum(1 for a in articles if a.topics)
        stats["bozo"] += feed.bozo_reason is not None
        if args.verbose:
            note = f" (warning: {feed.bozo_reason})" if feed.bozo_reason else ""
            log.info("parsed  %s: %s %r, %d items%s", rel, feed.kind, feed.title[:40], len(feed.items), note)
    print(
        f"feeds parsed {stats['parsed']} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}), "
        f"skipped {stats['skipped']}, crashed {stats['crashed']}; items {stats['items']} "
        f"(with link {stats['with_link']}, with date {stats['with_date']}, teasers {stats['teasers']}, "
        f"tagged with a topic {stats['with_topics']}); feeds with parse warnings {stats['bozo']}"
    )
    return 1 if stats["crashed"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
