"""Storage benchmark (not a test): ingest speed, outbox churn, and read latency while the outbox churns.

Run: /work/venv/bin/python -m tests.store.bench_store [--articles N] [--deliveries N] [DIR]
Text is generated from a made-up vocabulary, so nothing third-party is involved.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from bot.store import ChatDefaults, Database, NewArticle
from summaries.articles import Article

NOW = 1_800_000_000.0
_SYLLABLES = ["ka", "lo", "mi", "ner", "to", "sa", "vi", "ren", "qu", "del", "ar", "po", "tin", "ex", "ul"]


def _vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    return ["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4))) for _ in range(size)]


def _article(rng: random.Random, words: list[str], n: int) -> NewArticle:
    body = " ".join(rng.choice(words) for _ in range(500))  # ~3 KB
    title = " ".join(rng.choice(words) for _ in range(8))
    article = Article(url=f"https://bench.example/{n}", title=title, body=body, source="Bench")
    return NewArticle(article, content_hash=f"hash-{n}", story_signature=f"sig-{n}")


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    p50 = statistics.median(ordered)
    return f"p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms, max {ordered[-1] * 1000:.2f} ms"


async def _read_latencies(
    db: Database, ids: list[int], stop: asyncio.Event, rng: random.Random
) -> list[float]:
    samples: list[float] = []
    while not stop.is_set():
        started = time.perf_counter()
        await db.articles.get(rng.choice(ids))
        samples.append(time.perf_counter() - started)
        await asyncio.sleep(0.002)
    return samples


async def main(folder: Path, n_articles: int, n_deliveries: int, plan_chunk: int) -> None:
    """Run the benchmark in ``folder`` and print figures."""
    rng = random.Random(1)
    words = _vocabulary(rng)
    async with await Database.open(folder / "bench.sqlite3") as db:
        items = [_article(rng, words, n) for n in range(n_articles)]
        started = time.perf_counter()
        for item in items[:200]:
            await db.articles.add(
                item.article,
                content_hash=item.content_hash,
                story_signature=item.story_signature,
                story_id=None,
                feed_id=None,
                now=NOW,
            )
        one_by_one = 200 / (time.perf_counter() - started)
        started = time.perf_counter()
        for i in range(200, n_articles, 100):
            await db.articles.add_many(items[i : i + 100], NOW)
        batched = (n_articles - 200) / (time.perf_counter() - started)
        print(f"ingest: add() {one_by_one:.0f} articles/s; add_many(100) {batched:.0f} articles/s")

        ids = [a.id for a in await db.articles.since_id(0, limit=n_articles) if a.id is not None]
        idle = await _read_latencies_for(db, ids, rng, 0.5)
        print(f"get(id) idle: {_ms(idle)}")
        for label, query in [
            ("latest(10)", None),
            ("search 1 common word", words[0]),
            ("search 2 words", None),
        ]:
            samples = []
            for _ in range(30):
                started = time.perf_counter()
                if query is None and label.startswith("latest"):
                    await db.articles.latest(10)
                elif query is None:
                    await db.articles.search(f"{rng.choice(words)} {rng.choice(words)}")
                else:
                    await db.articles.search(query)
                samples.append(time.perf_counter() - started)
            print(f"{label} over {n_articles} articles: {_ms(samples)}")

        n_chats = max(1, n_deliveries // 10)
        async with db.write() as conn:
            await conn.executemany(
                "INSERT INTO chats (id, created_at, updated_at) VALUES (?, ?, ?)",
                [(c, NOW, NOW) for c in range(1, n_chats + 1)],
            )
        await db.chats.register(0, "private", None, ChatDefaults(), NOW)

        stop = asyncio.Event()
        reader = asyncio.create_task(_read_latencies(db, ids, stop, rng))
        rows = [
            (1 + i % n_chats, ids[i % len(ids)] + (i // len(ids)) * 10**6, ids[i % len(ids)], NOW)
            for i in range(n_deliveries)
        ]
        started = time.perf_counter()
        async with db.write() as conn:
            for i in range(0, len(rows), plan_chunk):
                await conn.executemany(
                    "INSERT OR IGNORE INTO deliveries (chat_id, story_id, article_id, kind, planned_at)"
                    " VALUES (?, ?, ?, 'alert', ?)",
                    rows[i : i + plan_chunk],
                )
        plan_s = time.perf_counter() - started
        delivery_ids = [
            r[0] for r in await db.reader.execute_fetchall("SELECT id FROM deliveries ORDER BY id")
        ]
        started = time.perf_counter()
        for i in range(0, len(delivery_ids), 50):
            async with db.write() as conn:
                await conn.executemany(
                    "UPDATE deliveries SET status = 'sent', attempts = 1, finished_at = ? WHERE id = ?",
                    [(NOW, d) for d in delivery_ids[i : i + 50]],
                )
        mark_s = time.perf_counter() - started
        stop.set()
        busy = await reader
        label = f"plan {n_deliveries} outbox rows in one transaction ({plan_chunk}/executemany)"
        print(f"{label}: {plan_s * 1e3:.0f} ms")
        print(f"mark sent in batches of 50: {len(delivery_ids) / mark_s:.0f} rows/s")
        print(f"get(id) while planning + marking ({len(busy)} reads): {_ms(busy)}")

        started = time.perf_counter()
        pruned = await db.articles.prune(NOW + 1, NOW + 2)
        print(
            f"prune {pruned} articles (+ their outbox rows): {(time.perf_counter() - started) * 1000:.0f} ms"
        )


async def _read_latencies_for(
    db: Database, ids: list[int], rng: random.Random, seconds: float
) -> list[float]:
    stop = asyncio.Event()
    task = asyncio.create_task(_read_latencies(db, ids, stop, rng))
    await asyncio.sleep(seconds)
    stop.set()
    return await task


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--deliveries", type=int, default=30000)
    parser.add_argument("--plan-chunk", type=int, default=30000, help="rows per executemany when planning")
    args = parser.parse_args()
    if args.folder is None:
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(main(Path(tmp), args.articles, args.deliveries, args.plan_chunk))
    else:
        args.folder.mkdir(parents=True, exist_ok=True)
        asyncio.run(main(args.folder, args.articles, args.deliveries, args.plan_chunk))
