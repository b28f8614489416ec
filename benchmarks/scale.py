"""Year-scale benchmark: a database as a busy bot leaves it after a year, and how long users wait on it.

``build`` makes the database (200,000 articles in 5 languages, 20,000 chats with 3-10 subscriptions each,
2,000,000 delivery rows, 300 feeds) with bulk SQL on the store's own connection; ``measure`` times the real
services on it (start-up, /latest, /search, /summary, /mysubs, /stats, planning a poll, an 08:00 digest run,
pruning) and the longest event-loop stall during each. Text comes from a made-up vocabulary plus common
English words, so nothing third-party is involved. ``measure`` prunes, so it works on a copy of the file.

    python -m benchmarks.scale build DIR          # ~5 minutes, ~1.5 GB
    python -m benchmarks.scale measure DIR
    python -m benchmarks.scale stalls DIR [--articles 200]   # the event loop while a big poll is planned
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import random
import shutil
import sqlite3
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from summaries.topics import default_catalogue

T = TypeVar("T")

# 2026-11-27 08:00 UTC: the moment the measurements pretend it is.
NOW = 1_795_766_400.0
DAY = 86400.0
# The built-in catalogue's topics, which chats follow and articles carry.
TOPICS = [t.id for t in default_catalogue().all()]
LANGUAGES = [("en", 0.7), ("de", 0.1), ("es", 0.08), ("fr", 0.07), ("pt", 0.05)]
COMMON = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "was",
    "with",
    "said",
    "it",
    "as",
    "by",
    "at",
    "from",
    "has",
    "have",
    "are",
    "will",
    "be",
    "government",
    "market",
    "company",
    "people",
    "year",
    "new",
    "would",
    "also",
    "more",
    "its",
    "which",
    "their",
    "after",
    "first",
    "two",
    "last",
    "percent",
    "million",
    "could",
    "but",
    "not",
    "one",
    "been",
    "over",
    "who",
    "than",
    "this",
    "they",
    "about",
    "up",
    "other",
    "report",
    "minister",
    "price",
    "week",
    "officials",
]
KEYWORDS = [
    "tesla",
    "inflation",
    "bitcoin",
    "climate change",
    "interest rates",
    "electric cars",
    "vaccine",
    "election",
    "ukraine",
    "semiconductors",
    "football",
    "streaming",
    "amazon",
    "oil prices",
    "artificial intelligence",
]
RARE_WORD = "quillmorrow"  # in 12 articles
# /search shapes: (label, what the user types).
SEARCHES = [
    ("market", "market"),
    ("government report", "government report"),
    (RARE_WORD, RARE_WORD),
    ('"interest rates"', '"interest rates"'),
    ("US", "US"),
    ("tesla inflation", "tesla inflation"),
    ("東京 (unspaced, in no article)", "東京"),
    ("ministère (marks)", "ministère"),
    ("zzyzxq (in no article)", "zzyzxq"),
    ("30 common words", " ".join(COMMON[23:53])),
    ("c++", "c++"),
    (".net", ".net"),
    ("at&t", "at&t"),
    ("$tsla", "$tsla"),
    ("#1", "#1"),
    # The text here has no "c", "net" or "1": a symbol word whose letters most articles hold (as "net" and
    # "1" in real news) reads every such body, as "#1" or ".net" would there.
    (".market (letters in 86%)", ".market"),
    ("market++ (letters in 86%)", "market++"),
]
TIMEZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London", "Asia/Kolkata"]
_SYLLABLES = ["ka", "lo", "mi", "ner", "to", "sa", "vi", "ren", "qu", "del", "ar", "po", "tin", "ex", "ul"]


def _sentences(rng: random.Random, n: int) -> list[str]:
    made_up = ["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(6000)]
    words = COMMON * 3 + made_up + [k for k in KEYWORDS if " " not in k]
    # Zipf-like: early words much more frequent.
    weights = [1.0 / (i + 1) ** 0.9 for i in range(len(words))]
    cum = list(_accumulate(weights))
    out = []
    for _ in range(n):
        ws = rng.choices(words, cum_weights=cum, k=rng.randint(8, 28))
        if rng.random() < 0.03:
            ws.insert(rng.randrange(len(ws)), rng.choice(KEYWORDS))
        out.append(" ".join(ws).capitalize() + ".")
    return out


def _accumulate(values: list[float]) -> list[float]:
    total, out = 0.0, []
    for v in values:
        total += v
        out.append(total)
    return out


async def build(folder: Path, n_articles: int, n_chats: int, n_deliveries: int, n_feeds: int) -> None:
    """Create ``folder``/scale.sqlite3."""
    from bot.store import Database

    path = folder / "scale.sqlite3"
    rng = random.Random(7)
    pools = {lang: _sentences(rng, 20000 if lang == "en" else 5000) for lang, _ in LANGUAGES}
    started = time.perf_counter()
    async with await Database.open(path) as db:
        async with db.write() as conn:
            await conn.executemany(
                "INSERT INTO feeds (id, url, topics, origin, title, created_at, last_polled_at,"
                " last_success_at, next_poll_at) VALUES (?, ?, ?, 'admin', ?, ?, ?, ?, ?)",
                [
                    (
                        f,
                        f"https://feeds{f}.example/rss",
                        rng.choice(TOPICS),
                        f"Feed {f}",
                        NOW - 365 * DAY,
                        NOW - 60,
                        NOW - 60,
                        NOW + 540,
                    )
                    for f in range(1, n_feeds + 1)
                ],
            )
        langs = [lang for lang, _ in LANGUAGES]
        lang_weights = [w for _, w in LANGUAGES]
        rare_ids = set(rng.sample(range(1, n_articles + 1), 12))
        batch: list[tuple[Any, ...]] = []
        topic_rows: list[tuple[str, int]] = []
        for i in range(1, n_articles + 1):
            lang = rng.choices(langs, lang_weights)[0]
            pool = pools[lang]
            # Lengths of news articles: lognormal around ~400 words (some short wire items, a few long reads).
            n_sent = max(3, min(200, int(rng.lognormvariate(math.log(22), 0.6))))
            body_sents = [rng.choice(pool) for _ in range(n_sent)]
            if i in rare_ids:
                body_sents.insert(1, f"The {RARE_WORD} report was published.")
            body = " ".join(body_sents)
            title = rng.choice(pool)[:-1][:90]
            fetched = NOW - 365 * DAY + (i / n_articles) * 365 * DAY
            topics = rng.sample(TOPICS, rng.choice([0, 1, 1, 1, 2, 2, 3]))
            story = i if rng.random() > 0.1 or i < 100 else i - rng.randint(1, 50)
            summary = json.dumps(body_sents[:3])
            batch.append(
                (
                    i,
                    f"https://news{i % 300}.example/{i}",
                    title,
                    f"Source {i % 300}",
                    fetched - rng.uniform(0, 3600),
                    fetched,
                    lang,
                    body,
                    " ".join(topics),
                    "[]",
                    summary,
                    f"hash{i}",
                    f"sig{i}",
                    story,
                    1 + i % n_feeds,
                )
            )
            topic_rows += [(t, i) for t in topics]
            if len(batch) == 5000 or i == n_articles:
                async with db.write() as conn:
                    await conn.executemany(
                        "INSERT INTO articles (id, url, title, source, published_at, fetched_at, language,"
                        " body, topics, categories, summary, content_hash, story_signature, story_id, feed_id)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        batch,
                    )
                    await conn.executemany(
                        "INSERT INTO article_topics (topic, article_id) VALUES (?, ?)", topic_rows
                    )
                batch, topic_rows = [], []
        print(f"articles: {time.perf_counter() - started:.0f} s", flush=True)
        chats, subs = [], []
        for c in range(1, n_chats + 1):
            chat_id = c if c % 10 else -1_000_000_000_000 - c  # every 10th a supergroup
            digest = c <= 6000
            quiet = rng.random() < 0.2
            chats.append(
                (
                    chat_id,
                    "private" if chat_id > 0 else "supergroup",
                    0 if rng.random() < 0.05 else 1,
                    "digest" if digest else "instant",
                    "08:00",
                    "UTC" if c <= 5000 else rng.choice(TIMEZONES),
                    "22:00" if quiet and c > 5000 else None,
                    "07:00" if quiet and c > 5000 else None,
                    1 if rng.random() < 0.02 and c > 5000 else 0,
                    NOW - 300 * DAY,
                    NOW - 300 * DAY,
                    NOW - DAY if digest else None,
                    NOW if c <= 5000 else (NOW + 3600 if digest else None),
                )
            )
            for value in rng.sample(TOPICS, rng.randint(2, 6)):
                subs.append((chat_id, "topic", value, NOW - 300 * DAY))
            for value in rng.sample(KEYWORDS, rng.randint(1, 4)):
                subs.append((chat_id, "keyword", value, NOW - 300 * DAY))
        async with db.write() as conn:
            await conn.executemany(
                "INSERT INTO chats (id, type, active, mode, digest_times, timezone, quiet_start, quiet_end,"
                " paused, created_at, updated_at, last_digest_at, next_digest_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                chats,
            )
            await conn.executemany(
                "INSERT INTO subscriptions (chat_id, kind, value, created_at) VALUES (?, ?, ?, ?)", subs
            )
        chat_ids = [row[0] for row in chats]
        per_chat = n_deliveries // n_chats
        rows: list[tuple[Any, ...]] = []
        written = 0
        last_day_first = min(int(n_articles * (1 - 1 / 365)), n_articles - 40)
        for index, chat_id in enumerate(chat_ids):
            digest_due = index < 5000
            picks = rng.sample(range(1, n_articles + 1), per_chat)
            for article_id in picks:
                planned = NOW - 365 * DAY + (article_id / n_articles) * 365 * DAY + 60
                r = rng.random()
                status = "sent" if r < 0.95 else "dropped" if r < 0.98 else "failed"
                rows.append(
                    (
                        chat_id,
                        article_id,
                        article_id,
                        "digest" if index < 6000 else "alert",
                        status,
                        rng.choice(TOPICS),
                        planned,
                        planned + rng.uniform(1, 600),
                    )
                )
            if digest_due:
                # Today's digest, still to send: 5-20 stories of the last day.
                for article_id in rng.sample(range(last_day_first, n_articles + 1), rng.randint(5, 20)):
                    if article_id in picks:
                        continue
                    rows.append(
                        (
                            chat_id,
                            article_id,
                            article_id,
                            "digest",
                            "pending",
                            rng.choice(TOPICS),
                            NOW - 600,
                            None,
                        )
                    )
            if len(rows) >= 200_000 or index == len(chat_ids) - 1:
                async with db.write() as conn:
                    await conn.executemany(
                        "INSERT OR IGNORE INTO deliveries (chat_id, story_id, article_id, kind, status, matched,"
                        " planned_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        rows,
                    )
                written += len(rows)
                rows = []
        print(f"deliveries ({written}): {time.perf_counter() - started:.0f} s", flush=True)
        async with db.write() as conn:
            await conn.execute("ANALYZE")
    await _checkpoint(path)
    print(f"built {path} in {time.perf_counter() - started:.0f} s, {path.stat().st_size / 2**20:.0f} MiB")


async def _checkpoint(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


class LoopLag:
    """The longest the event loop was unable to run a 5 ms ticker (what a user's update waits for, at least)."""

    def __init__(self) -> None:
        self.worst = 0.0
        self.lates: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(0.005)
            late = loop.time() - before - 0.005
            self.lates.append(late)
            self.worst = max(self.worst, late)

    def summary(self) -> str:
        """Worst and 99th-percentile lateness of the ticker, and how often it was over 50 ms late."""
        lates = sorted(self.lates) or [0.0]
        p99 = lates[min(len(lates) - 1, int(len(lates) * 0.99))]
        over = sum(late > 0.05 for late in lates)
        return f"loop stall worst {self.worst * 1e3:.0f} ms, p99 {p99 * 1e3:.1f} ms, {over} of {len(lates)} ticks > 50 ms"

    def __enter__(self) -> LoopLag:
        self._task = asyncio.get_running_loop().create_task(self._tick())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def timed(label: str, make: Callable[[], Awaitable[T]], runs: int = 5) -> T:
    """Run ``make()`` ``runs`` times; print median, max and the worst loop stall."""
    samples = []
    result: Any = None
    with LoopLag() as lag:
        await asyncio.sleep(0.01)
        for _ in range(runs):
            t0 = time.perf_counter()
            result = await make()
            samples.append(time.perf_counter() - t0)
        await asyncio.sleep(0.01)
    print(
        f"{label:<48} median {statistics.median(samples) * 1e3:8.1f} ms  max {max(samples) * 1e3:8.1f} ms"
        f"  loop stall {lag.worst * 1e3:7.1f} ms",
        flush=True,
    )
    return result  # type: ignore[no-any-return]


async def beside_slow_search(
    label: str, slow: Callable[[], Awaitable[object]], quick: Callable[[], Awaitable[object]], runs: int = 5
) -> None:
    """Start ``slow()``, then time ``quick()`` while it runs; print median and max of ``quick`` alone."""
    samples = []
    for _ in range(runs):
        task = asyncio.ensure_future(slow())
        await asyncio.sleep(0.01)  # the slow one is reading by now
        t0 = time.perf_counter()
        await quick()
        samples.append(time.perf_counter() - t0)
        await task
    print(
        f"{label:<48} median {statistics.median(samples) * 1e3:8.1f} ms  max {max(samples) * 1e3:8.1f} ms",
        flush=True,
    )


async def measure(folder: Path) -> None:
    """Copy the built database and time the real services on the copy."""
    from pydantic import SecretStr
    from telegram import Bot

    from benchmarks.emulator_process import EmulatorProcess
    from bot.app import close_services, open_services
    from bot.clock import FakeClock
    from bot.config import Settings
    from bot.store import NewArticle
    from summaries.articles import Article

    work = folder / "work.sqlite3"
    emulator = await EmulatorProcess.start(1000.0)
    await emulator.ask({"op": "chats", "first": 1, "count": 20000})
    token = "123456:BENCH"
    settings = Settings(
        _env_file=None,
        bot_token=SecretStr(token),
        telegram_api_url=emulator.base_url,
        db_path=work,
        rate_overall_per_second=1000,
        retention_days=30,
        admin_ids=(42,),
    )
    clock = FakeClock(NOW)
    bot = Bot(token, base_url=emulator.base_url)
    await bot.initialize()
    t0 = time.perf_counter()
    with LoopLag() as lag:
        services = await open_services(settings, clock, bot)
        t1 = time.perf_counter()
        await services.delivery.start()
    print(
        f"start-up: open_services {(t1 - t0) * 1e3:.0f} ms, delivery.start {(time.perf_counter() - t1) * 1e3:.0f} ms"
        f", loop stall {lag.worst * 1e3:.0f} ms",
        flush=True,
    )
    await services.delivery.aclose()
    try:
        db = services.db
        chat = 20001 - 1  # an instant private chat
        await timed("/latest", lambda: services.articles.latest("", chat_id=chat))
        await timed("/latest business", lambda: services.articles.latest("business", chat_id=chat))
        await timed("/latest e-commerce", lambda: services.articles.latest("e-commerce", chat_id=chat))
        page = await services.articles.latest("business", chat_id=chat)
        last = page.articles[-1].id
        await timed(
            "/latest business, next page",
            lambda: services.articles.latest_page("business", last, chat_id=chat),
        )
        for label, words in SEARCHES:
            await timed(f"/search {label}", lambda w=words: services.articles.search(w, chat_id=chat))  # type: ignore[misc]
        # Another chat's reads while one chat's slow search runs: on one reader connection they queued behind it.
        other = chat - 1
        for label, read in (
            ("/latest", lambda: services.articles.latest("", chat_id=other)),
            ("/latest business", lambda: services.articles.latest("business", chat_id=other)),
            ("/summary ID", lambda: services.ingest.summarize_article(1000, 3, chat_id=other)),
            ("/mysubs", lambda: services.subscriptions.for_chat(other)),
            ("due digests (08:00)", lambda: db.chats.due_digests(NOW)),
            ("/search market", lambda: services.articles.search("market", chat_id=other)),
        ):
            await beside_slow_search(
                f"{label} during a .market search",
                lambda: services.articles.search(".market", chat_id=chat),
                read,
            )
        found = await services.articles.search("market", chat_id=chat)
        await timed(
            "/search market, next page",
            lambda: services.articles.search("market", chat_id=chat, after=found.articles[-1].id),
        )
        some_id = (await db.articles.count()) * 3 // 4
        await timed("/summary ID", lambda: services.ingest.summarize_article(some_id, 3, chat_id=chat))
        await timed("/mysubs", lambda: services.subscriptions.for_chat(chat))
        await timed("/stats", lambda: services.admin.stats(services.delivery))
        new = [
            NewArticle(
                Article(
                    url=f"https://fresh.example/{i}",
                    title=f"Fresh report {i} on electric cars and inflation",
                    body=("Tesla said electric cars sold well as inflation eased. " * 30),
                    source="Fresh Wire",
                    topics=(TOPICS[i % len(TOPICS)],),
                ),
                content_hash=f"fresh{i}",
                story_signature=f"freshsig{i}",
                alert=True,
            )
            for i in range(50)
        ]
        await timed("poll stores 50 articles (add_many)", lambda: db.articles.add_many(new, NOW), runs=1)
        planned = await timed(
            "plan alerts for 50 new articles", lambda: services.delivery.plan_pending(NOW, 1000), runs=1
        )
        print(f"  planned {planned} rows")
        due = await timed("due digests (08:00)", lambda: db.chats.due_digests(NOW), runs=3)
        print(f"  {len(due)} chats due")
        await services.delivery.start()
        shown = await timed(
            "digest run for the due chats (send at 1000/s)",
            lambda: services.delivery.send_due_digests(NOW),
            runs=1,
        )
        print(f"  {shown} stories shown")
        await services.delivery.aclose()
        await timed(
            "prune, retention 365 days (a day's worth)", lambda: db.articles.prune(NOW - 364 * DAY, NOW), 1
        )
        await timed("prune, nothing old enough", lambda: db.articles.prune(NOW - 400 * DAY, NOW), runs=3)
        pruned = await timed(
            "prune, retention 30 days", lambda: db.articles.prune(NOW - 30 * DAY, NOW), runs=1
        )
        print(f"  pruned {pruned}")
        await timed("held_from_pruning", lambda: db.articles.held_from_pruning(NOW - 30 * DAY), runs=1)
    finally:
        await close_services(services)
        await bot.shutdown()
        await emulator.stop()
    print(f"database file after pruning: {work.stat().st_size / 2**20:.0f} MiB")


async def stalls(folder: Path, n_articles: int) -> None:
    """The event loop while a poll's ``n_articles`` new articles are planned for the 20,000 chats (a copy)."""
    from pydantic import SecretStr
    from telegram import Bot

    from bot.app import close_services, open_services
    from bot.clock import FakeClock
    from bot.config import Settings
    from bot.store import NewArticle
    from summaries.articles import Article

    settings = Settings(_env_file=None, bot_token=SecretStr("123456:BENCH"), db_path=folder / "work.sqlite3")
    bot = Bot("123456:BENCH", base_url="http://127.0.0.1:9/bot")  # never called: nothing is sent
    services = await open_services(settings, FakeClock(NOW), bot)
    try:
        for _ in range(3):  # what every plan reads first (a poll plans each feed's articles as they come)
            with LoopLag() as lag:
                started = time.perf_counter()
                subscriptions, _targets = await services.db.deliveries.planning_targets()
                took = time.perf_counter() - started
            print(
                f"read {len(subscriptions)} subscriptions in {took * 1e3:.0f} ms; {lag.summary()}", flush=True
            )
        if not n_articles:
            return
        # Each article carries two topics and names keywords that chats follow: every chat gets nearly every
        # article, the worst case of a busy news day.
        fresh = [
            NewArticle(
                Article(
                    url=f"https://fresh.example/{i}",
                    title=f"Fresh report {i} on {KEYWORDS[i % len(KEYWORDS)]}",
                    body=" ".join(
                        f"Officials said {KEYWORDS[(i * 7 + n) % len(KEYWORDS)]} and"
                        f" {KEYWORDS[(i * 3 + n) % len(KEYWORDS)]} moved the market in week {n}."
                        for n in range(20)
                    ),
                    source="Fresh Wire",
                    topics=(TOPICS[i % len(TOPICS)], TOPICS[(i * 3 + 1) % len(TOPICS)]),
                ),
                content_hash=f"fresh{i}",
                story_signature=f"freshsig{i}",
                alert=True,
            )
            for i in range(n_articles)
        ]
        await services.db.articles.add_many(fresh, NOW)
        with LoopLag() as lag:
            started = time.perf_counter()
            planned = await services.delivery.plan_pending(NOW, n_articles)
            took = time.perf_counter() - started
        print(f"planned {planned} rows for {n_articles} new articles in {took:.1f} s; {lag.summary()}")
    finally:
        await close_services(services)
        await bot.shutdown()


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("folder", type=Path)
    b.add_argument("--articles", type=int, default=200_000)
    b.add_argument("--chats", type=int, default=20_000)
    b.add_argument("--deliveries", type=int, default=2_000_000)
    b.add_argument("--feeds", type=int, default=300)
    m = sub.add_parser("measure")
    m.add_argument("folder", type=Path)
    st = sub.add_parser("stalls", help="event-loop stalls while a poll's new articles are planned")
    st.add_argument("folder", type=Path)
    st.add_argument("--articles", type=int, default=200)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.command == "build":
        args.folder.mkdir(parents=True, exist_ok=True)
        _remove(args.folder / "scale.sqlite3")
        asyncio.run(build(args.folder, args.articles, args.chats, args.deliveries, args.feeds))
    else:
        src, work = args.folder / "scale.sqlite3", args.folder / "work.sqlite3"
        _remove(work)
        shutil.copyfile(src, work)
        print(f"database file: {src.stat().st_size / 2**20:.0f} MiB", flush=True)
        try:
            if args.command == "stalls":
                asyncio.run(stalls(args.folder, args.articles))
            else:
                asyncio.run(measure(args.folder))
        finally:
            if args.command == "stalls":
                _remove(work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
