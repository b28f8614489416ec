"""Soak benchmark: weeks of simulated time through the real application, to show memory and storage stay flat
and every matched story reaches its chat exactly once.

The real PTB Application runs with a FakeClock against the Bot API emulator (in a child process, which also
counts what each chat received) and a local feed server. Every simulated hour each feed publishes one item;
the clock moves in 30-minute steps and each step waits until the bot has polled, planned and sent all that is
due. Chats are instant or digest (one or two local times, several timezones, some with quiet hours), a few
block the bot as the days go by, new users /start each day, one send in ``--every-429`` is answered 429, and
articles are pruned daily after ``--retention-days``. With ``--outage-hours`` one feed answers 503 for that
long, so that the bot finds what it published meanwhile late (a catch-up round-up); with
``--unfollows-per-day`` chats /unsubscribe a topic at midday and must get nothing of it afterwards. With
``--telegram-outage-hours`` the Bot API answers sendMessage 502 (a proxy's page) for that long: the alerts it held
back come when it is back, those held longer than the catch-up window as a catch-up round-up. With
``--lock-minutes M`` another program (a second connection, BEGIN IMMEDIATE, as a backup or ``newsbot ingest``
would) holds the database's write lock for M minutes of real and simulated time (the clock creeps a second a
second) from the step at each ``--lock-at`` hour: the poll, fan-out, digests and sends of that step find their
writes refused once the busy timeout (5 s) ran out, and must lose, repeat or strand nothing once the lock is gone.
With ``--lock-mid-send`` the lock is taken once the step's sends began instead (its poll done, messages on their
way whose outcomes wait for the lock).
The soak's own accounting only reads (WAL readers never wait for the writer), so it never waits on the lock.
A lock that refused a poll leaves its step not settled: the bot holds those feeds an interval, due in the database.

    python -m benchmarks.soak --days 30                  # ~300 chats, 4 feeds, retention 2 days
    python -m benchmarks.soak --days 3 --chats 20 --no-tracemalloc
    python -m benchmarks.soak --days 5 --chats 60 --no-tracemalloc --outage-hours 8 --unfollows-per-day 2
    python -m benchmarks.soak --days 3 --no-tracemalloc --telegram-outage-hours 4 --unfollows-per-day 5
    python -m benchmarks.soak --days 3 --no-tracemalloc --lock-minutes 10 --lock-at 31.5 45 --log-level WARNING

Reports messages delivered (alerts, digests and quiet hours' round-ups), duplicates (a chat getting one story
twice, in whichever kind of message), lost (a story a never-blocked chat subscribed to that it never got), stories
that came in the wrong kind of message (an alert where a digest or round-up was due, or the reverse), alerts sent
inside a chat's quiet hours, how the stories a Telegram outage held back came (alert, catch-up, round-up or
missing), messages over Telegram's 100 entities, rows left stuck in the outbox, and per day:
database size, rows, and RSS; and the largest allocation growths (tracemalloc) between the end of day 2 and the
end.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import random
import re
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as day_time
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from benchmarks.emulator_process import EmulatorProcess

TOKEN = "123456:SOAK"
START = 1_767_225_600.0  # 2026-01-01T00:00:00Z
STEP_SECONDS = 1800.0  # the clock moves half an hour at a time; feeds are polled every step
FEED_ITEMS = 30  # a feed lists its newest items only, as real feeds do
TOPICS = ("business", "technology", "science", "sport")  # one feed each
TIMEZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "Asia/Kolkata")
# Words no topic lexicon knows, so an item carries its feed's topic only and the oracle stays exact.
# (Not "glacier": the science lexicon's "glacier*" tagged 6 % of every feed's items science as well.)
_ROOTS = (  # noqa: SIM905
    "amber violet meadow pebble willow lantern harbor cedar maple copper velvet marble quilt saddle thimble "
    "acorn badger beetle canyon cobble dune ember fern gable hazel ivy juniper kettle lagoon moss nettle "
    "orchard pine quartz reed sparrow thistle tulip umber walnut yarrow zephyr basket candle doorway easel "
    "feather garland hammock inkwell jasmine kite ladle mitten napkin oyster parsley quiver ribbon spindle "
    "teapot urchin vessel wicker yolk almond bramble clover daisy elm fig gorse heather iris lilac mulberry "
    "olive poppy rowan sage sorrel thyme vetch wisteria arbor brook cove dell fjord grove heath inlet knoll"
).split()
# Compounds of those (9,000 of them): random bodies share too few words to look like one story (MinHash).
WORDS = [a + b for a in _ROOTS for b in _ROOTS if a != b]
_KEY = re.compile(r"\bK(\d+)Q\b")  # the key of an item, as its title carries it ("K123Q")
QUIET = ("22:00", "07:00")  # the quiet hours of the chats that have some
ROUNDUP_MORE_THAN = 5  # more alerts than this held by a quiet night come as one round-up (bot.delivery)
# A story found more than this (or two feed intervals) after it was published is late: its alerts are held a
# minute and more than ROUNDUP_MORE_THAN of them come as a catch-up round-up (bot.delivery CATCHUP_AGE_SECONDS).
CATCHUP_AGE_SECONDS = 3600.0
OUTAGE_TOPIC = "science"  # the feed that answers 503 during ``outage`` hours
# What the proxy in front of the Bot API answers sendMessage during ``telegram_outage`` hours.
_BAD_GATEWAY = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
KINDS = ("alert", "digest", "roundup", "catchup")


def rss_mb() -> float:
    """Resident set size of this process in MiB."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


# ------------------------------------------------------------------------------------ the emulator child


async def serve_emulator(every_429: int) -> None:
    """Child process: the emulator, what each chat received, and a JSON-lines protocol on stdin/stdout."""
    from bot.emulator import BotApiEmulator, RateLimits, SentMessage
    from bot.emulator.html_check import MAX_ENTITIES, parse_html
    from bot.emulator.server import ApiError

    # chat -> story key -> (kind of the message that first carried it, simulated time it arrived)
    received: dict[int, dict[int, tuple[int, float]]] = {}
    counts = {"messages": 0, "keyed": 0, "duplicates": 0, "429s": 0, "over_entity_limit": 0}
    counts |= {f"{kind}_messages": 0 for kind in KINDS} | {f"{kind}_stories": 0 for kind in KINDS}
    now = 0.0  # the simulated time, as the driver last told it
    telegram_down = False
    replies: dict[int, asyncio.Future[None]] = {}
    async with BotApiEmulator(rate_limits=RateLimits(enabled=False), record_messages=False) as emulator:
        sends = 0

        def check_rate(method: str, chat: Any) -> None:
            # Pacing is the bot's (and fast here); this stands in for Telegram's occasional "slow down".
            nonlocal sends
            sends += 1
            if every_429 and sends % every_429 == 0:
                counts["429s"] += 1
                raise ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})

        emulator._check_rate = check_rate  # type: ignore[method-assign]

        def arrived(message: SentMessage) -> None:
            counts["messages"] += 1
            # Telegram keeps a message's first 100 entities (the emulator too): past them a link is plain text.
            if (
                len(message.entities) >= MAX_ENTITIES
                and len(parse_html(message.html).entities) > MAX_ENTITIES
            ):
                counts["over_entity_limit"] += 1
            # Every part of a round-up or a digest opens with its name; an alert is one story's title.
            if "While quiet hours were on" in message.text:
                kind = 2
            elif "Catching up on earlier news" in message.text:
                kind = 3
            elif "news digest" in message.text:
                kind = 1
            else:
                kind = 0
            counts[f"{KINDS[kind]}_messages"] += 1
            seen = received.setdefault(message.chat_id, {})
            for key in {int(k) for k in _KEY.findall(message.text)}:
                counts["keyed"] += 1
                counts[f"{KINDS[kind]}_stories"] += 1
                if key in seen:
                    counts["duplicates"] += 1
                else:
                    seen[key] = (kind, now)
            waiter = replies.pop(message.chat_id, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)

        emulator.add_listener(arrived)
        print(json.dumps({"base_url": emulator.base_url}), flush=True)
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while line := (await reader.readline()).decode().strip():
            request = json.loads(line)
            op = request["op"]
            answer: dict[str, Any] = {"ok": True}
            if op == "chats":
                for chat_id, kind in request["chats"]:
                    await emulator.add_chat(chat_id, kind)
            elif op == "say":  # a user message; answered once the bot replied (or after 10 s)
                waiter = loop.create_future()
                replies[request["chat"]] = waiter
                tried = emulator.requests["proxy"]
                await emulator.send_user_message(request["chat"], request["text"])
                try:
                    if telegram_down:  # the reply cannot arrive: the bot's try at it is the answer
                        await _proxied(emulator, tried)
                    else:
                        await asyncio.wait_for(waiter, 10)
                except TimeoutError:
                    answer = {"ok": False}
                replies.pop(request["chat"], None)
            elif op == "telegram":  # sendMessage answered 502 by the proxy in front of the Bot API, or not
                telegram_down = bool(request["down"])
                emulator.answer_as_proxy(
                    502 if telegram_down else None, _BAD_GATEWAY, methods=("sendMessage",)
                )
            elif op == "block":
                await emulator.block_chat(request["chat"], announce=request["announce"])
            elif op == "now":
                now = float(request["now"])
            elif op == "stats":
                answer = dict(counts)
            elif op == "received":
                answer = {
                    "received": {
                        str(c): [[key, kind, at] for key, (kind, at) in sorted(keys.items())]
                        for c, keys in received.items()
                    }
                }
            print(json.dumps(answer), flush=True)


async def _proxied(emulator: Any, before: int) -> None:
    """Until the emulator's proxy has refused a call since it had refused ``before`` (10 s at most)."""
    for _ in range(1000):
        if emulator.requests["proxy"] > before:
            return
        await asyncio.sleep(0.01)


# ------------------------------------------------------------------------------------ the feed server


@dataclass(slots=True)
class Item:
    """One published feed item."""

    key: int
    topic: str
    published: float
    title: str
    body: str


class FeedServer:
    """RSS feeds on 127.0.0.1, one per topic, each listing its newest FEED_ITEMS items (ETag, 304)."""

    def __init__(self, rng: random.Random, now: Callable[[], float], listed: int = FEED_ITEMS) -> None:
        self._rng = rng
        self._now = now
        self._listed = listed
        self.down: set[str] = set()  # topics whose feed answers 503 (an outage)
        # When each feed was read (simulated time): when the bot found each item, for the oracle.
        self.read: dict[str, list[float]] = {t: [] for t in TOPICS}
        self._items: dict[str, list[Item]] = {t: [] for t in TOPICS}
        self.history: list[
            tuple[int, str, float]
        ] = []  # (key, topic, published) of every item, for the oracle
        self._xml: dict[str, bytes] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.published = 0

    async def start(self) -> None:
        """Listen on an ephemeral port."""
        app = web.Application()
        app.router.add_get("/feeds/{topic}.xml", self._feed)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def close(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, topic: str) -> str:
        """The feed URL of ``topic``."""
        return f"http://127.0.0.1:{self.port}/feeds/{topic}.xml"

    def publish(self, topic: str, when: float) -> Item:
        """A new item at the top of ``topic``'s feed, dated ``when``."""
        self.published += 1
        key = self.published
        words = self._rng.sample(WORDS, 60)
        sentences = [" ".join(words[i : i + 10]).capitalize() + "." for i in range(0, 60, 10)]
        title = f"{words[0].capitalize()} {words[1]} report K{key}Q"
        item = Item(key, topic, when, title, f"{title}. " + " ".join(sentences) + f" Ref K{key}Q.")
        self.history.append((key, topic, when))
        items = self._items[topic]
        items.insert(0, item)
        del items[self._listed :]
        self._xml.pop(topic, None)
        return item

    async def _feed(self, request: web.Request) -> web.Response:
        topic = request.match_info["topic"]
        if topic not in self._items:
            return web.Response(status=404)
        if topic in self.down:
            return web.Response(status=503)
        if not self.read[topic] or self.read[topic][-1] != self._now():
            self.read[topic].append(self._now())
        body = self._xml.get(topic)
        if body is None:
            body = self._xml[topic] = self._render(topic)
        etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, content_type="application/rss+xml", headers={"ETag": etag})

    def _render(self, topic: str) -> bytes:
        entries = "".join(
            f"<item><title>{escape(i.title)}</title>"
            f"<link>http://news.soak/{topic}/{i.key}</link><guid>http://news.soak/{topic}/{i.key}</guid>"
            f"<pubDate>{format_datetime(datetime.fromtimestamp(i.published, UTC), usegmt=True)}</pubDate>"
            f"<category>{topic}</category><description>{escape(i.body)}</description></item>"
            for i in self._items[topic]
        )
        return (
            "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>Soak {topic}</title><link>http://news.soak/</link><description>soak</description>"
            f"{entries}</channel></rss>"
        ).encode()


# ------------------------------------------------------------------------------------ the simulation


@dataclass(slots=True)
class SoakChat:
    """A simulated chat: what it follows, since when, and whether it blocked the bot."""

    id: int
    topics: tuple[str, ...]
    since: float
    mode: str
    blocked_at: float | None = None
    zone: str = "UTC"
    quiet: tuple[str, str] | None = None
    unfollowed: dict[str, float] = field(default_factory=dict)  # topic -> when /unsubscribe dropped it


@dataclass(slots=True)
class Figures:
    """What the run measured."""

    days: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    growth: list[str] = field(default_factory=list)
    memory: dict[str, int] = field(default_factory=dict)


async def _count(db: Any, sql: str, params: Sequence[object] = ()) -> int:
    from bot.store.db import fetch_all

    rows = await fetch_all(db.reader, sql, tuple(params))
    return int(rows[0][0] or 0)


async def _settled(db: Any, now: float, timeout: float) -> bool:
    """Wait until everything due at ``now`` is polled, planned, sent and recorded; False on timeout."""
    deadline = time.perf_counter() + timeout
    checks = (
        ("SELECT count(*) FROM feeds WHERE dead = 0 AND next_poll_at <= ?", (now,)),
        ("SELECT count(*) FROM articles WHERE alert_pending = 1", ()),
        (
            "SELECT count(*) FROM deliveries WHERE status = 'sending'"
            " OR (status = 'pending' AND kind = 'alert' AND not_before <= ?)",
            (now,),
        ),
        (
            "SELECT count(*) FROM chats WHERE mode = 'digest' AND active = 1 AND paused = 0"
            " AND (next_digest_at IS NULL OR next_digest_at <= ?)",
            (now,),
        ),
        # A round-up on its way: an instant chat's held alerts, folded into digest rows until claimed.
        (
            "SELECT count(*) FROM deliveries WHERE status = 'pending' AND kind = 'digest' AND chat_id IN"
            " (SELECT id FROM chats WHERE mode = 'instant' AND active = 1 AND paused = 0)",
            (),
        ),
    )
    while time.perf_counter() < deadline:
        if all([await _count(db, sql, params) == 0 for sql, params in checks]):
            return True
        await asyncio.sleep(0.005)
    return False


async def _take_write_lock(db_path: Path) -> sqlite3.Connection:
    """Another program's connection holding the write lock (it waits for the bot's transaction in flight)."""
    conn = sqlite3.connect(db_path, timeout=60, isolation_level=None, check_same_thread=False)
    await asyncio.to_thread(conn.execute, "BEGIN IMMEDIATE")
    return conn


async def _first_send(db: Any, timeout: float) -> None:
    """Until a delivery is on its way (claimed, 'sending'), ``timeout`` real seconds at most."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if await _count(db, "SELECT count(*) FROM deliveries WHERE status = 'sending'"):
            return
        await asyncio.sleep(0.001)


async def _hold_lock(
    conn: sqlite3.Connection, seconds: float, clock: Any, emulator: EmulatorProcess, db: Any
) -> dict[str, int]:
    """Keep the lock ``seconds`` of real time while the simulated clock creeps as much, then let it go.

    Returns what waited for it at its end (read under it).
    """
    try:
        for _ in range(int(seconds)):
            await asyncio.sleep(1.0)
            await emulator.ask({"op": "now", "now": clock.now() + 1.0})
            clock.advance(1.0)
        return await _lock_figures(db, clock.now())
    finally:
        conn.execute("ROLLBACK")
        conn.close()


async def _lock_figures(db: Any, now: float) -> dict[str, int]:
    """What waits for the write lock: feeds not polled, stories not planned, rows claimed or due."""
    return {
        "feeds_due": await _count(
            db, "SELECT count(*) FROM feeds WHERE dead = 0 AND next_poll_at <= ?", (now,)
        ),
        "sending": await _count(db, "SELECT count(*) FROM deliveries WHERE status = 'sending'"),
        "alerts_due": await _count(
            db,
            "SELECT count(*) FROM deliveries WHERE status = 'pending' AND kind = 'alert' AND not_before <= ?",
            (now,),
        ),
        "alert_pending_articles": await _count(db, "SELECT count(*) FROM articles WHERE alert_pending = 1"),
    }


def _db_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


async def run(
    *,
    days: int,
    chats: int,
    retention_days: int,
    every_429: int,
    seed: int,
    workdir: Path,
    trace: bool = True,
    new_users_per_day: int = 3,
    blocks_per_day: int = 2,
    feed_items: int = FEED_ITEMS,
    step_seconds: float = STEP_SECONDS,
    outage: tuple[int, int] = (0, 0),
    unfollows_per_day: int = 0,
    telegram_outage: tuple[int, int] = (0, 0),
    lock: tuple[Sequence[float], float] = ((), 0.0),
    lock_mid_send: bool = False,
) -> Figures:
    """Run the simulation; returns the figures.

    ``outage``: (first hour, hours) during which the OUTAGE_TOPIC feed answers 503; the bot's backoff then finds
    what it published meanwhile late, hours old: a catch-up. ``unfollows_per_day``: private chats following two
    topics /unsubscribe one of them at midday (from day 1). ``telegram_outage``: (first hour, hours) during which
    the proxy in front of the Bot API answers sendMessage 502: alerts park and come back when it ends, those held
    back over the catch-up window as a catch-up. ``lock``: (hours, minutes): from the step at each of those hours a
    second connection holds the write lock that many minutes (real, and simulated as the clock creeps along);
    ``lock_mid_send``: taken once the step's first message is on its way (2 s at most) rather than before its poll.
    """
    import bot.delivery.service as delivery_service
    from bot.app import build_application, running_application
    from bot.clock import FakeClock
    from bot.config import Settings
    from bot.context import Services
    from bot.store import ChatDefaults, Database
    from bot.store.models import Chat

    rng = random.Random(seed)
    clock = FakeClock(START)
    figures = Figures()
    feeds = FeedServer(rng, clock.now, feed_items)
    await feeds.start()
    # The final "received" answer lists every key of every chat on one line.
    emulator = await EmulatorProcess.spawn(
        "benchmarks.soak", "--emulator", "--every-429", str(every_429), line_limit=2**26
    )
    db_path = workdir / "soak.sqlite3"
    settings = Settings(
        _env_file=None,
        bot_token=TOKEN,
        telegram_api_url=emulator.base_url,
        db_path=db_path,
        feeds=",".join(f"{feeds.url(t)}={t}" for t in TOPICS),
        feed_interval_seconds=int(step_seconds),
        allow_private_urls=True,
        retention_days=retention_days,
        # Simulated hours pass in a fraction of a real second: pacing is the emulator's to test, not ours.
        rate_overall_per_second=1000,
        rate_chat_interval_seconds=0.0,
        rate_group_per_minute=1000,
        digest_max_per_topic=50,
        tick_seconds=0.05,
        log_level="WARNING",
    )
    # Seed chats straight into the database (the conversation is exercised by the daily new users).
    sim: dict[int, SoakChat] = {}
    seeded = await Database.open(db_path)
    try:
        for n in range(chats):
            group = n % 10 == 9
            chat_id = -(100_000 + n) if group else 1 + n
            topics = tuple(rng.sample(TOPICS, 2 if n % 3 == 0 else 1))
            mode = "digest" if n % 5 in (1, 3) else "instant"
            tz = TIMEZONES[n % len(TIMEZONES)]
            await seeded.chats.register(chat_id, "group" if group else "private", None, ChatDefaults(), START)
            for topic in topics:
                await seeded.subscriptions.add(chat_id, "topic", topic, START)
            quiet = QUIET if n % 7 == 2 and mode == "instant" else None
            await seeded.chats.save_settings(
                Chat(
                    id=chat_id,
                    type="group" if group else "private",
                    mode=mode,  # type: ignore[arg-type]
                    digest_times=("08:00", "18:00") if n % 2 else ("07:30",),
                    timezone=tz,
                    quiet_start=quiet[0] if quiet else None,
                    quiet_end=quiet[1] if quiet else None,
                ),
                START,
            )
            sim[chat_id] = SoakChat(chat_id, topics, START, mode, zone=tz, quiet=quiet)
    finally:
        await seeded.close()
    await emulator.ask({"op": "chats", "chats": [[c, "group" if c < 0 else "private"] for c in sim]})
    await emulator.ask({"op": "now", "now": START})
    for topic in TOPICS:  # the feeds' backlog: stored on the first poll, never pushed
        feeds.publish(topic, START - 3600)
    stuck_steps = 0
    lock_figures: list[dict[str, int]] = []
    started = time.perf_counter()
    application = build_application(settings, clock=clock)
    baseline: tracemalloc.Snapshot | None = None
    next_user = 50_000
    # A send refused by the outage is retried 4 times 2-16 real seconds apart before it parks: a chat's parked
    # alerts took 30 real seconds each at every simulated step. One try a round parks it at once, as the retries
    # would within the step anyway (the parks themselves, 30 s to 5 min of simulated time, are the bot's).
    network_attempts = delivery_service.MAX_NETWORK_ATTEMPTS
    if telegram_outage[1]:
        delivery_service.MAX_NETWORK_ATTEMPTS = 1
    telegram_down = False
    lock_steps = {round(h * 3600 / step_seconds) for h in lock[0]} if lock[1] else set()
    lock_seconds = lock[1] * 60.0
    if lock_seconds >= step_seconds:
        raise ValueError("a lock must end within its step")
    try:
        async with running_application(application, poll_timeout=1):
            services: Services = application.bot_data["services"]
            db = services.db
            if not await _settled(db, clock.now(), 60):
                stuck_steps += 1
            for hour in range(days * 24 + 24):  # and a day with no news, so every digest goes out
                day, publishing = hour // 24, hour < days * 24
                feeds.down = {OUTAGE_TOPIC} if outage[0] <= hour < outage[0] + outage[1] else set()
                if telegram_down != (telegram_outage[0] <= hour < telegram_outage[0] + telegram_outage[1]):
                    telegram_down = not telegram_down
                    await emulator.ask({"op": "telegram", "down": telegram_down})
                if hour % 24 == 0 and day >= 1:
                    figures.days.append(await _day_figures(day, db, db_path, emulator, started))
                    if trace and day == 2:
                        gc.collect()
                        baseline = tracemalloc.take_snapshot()
                if hour % 24 == 12 and publishing:
                    next_user = await _daily_users(
                        emulator, sim, rng, clock.now(), next_user, new_users_per_day, blocks_per_day, day
                    )
                    if unfollows_per_day and day >= 1:
                        await _unfollow(emulator, sim, rng, clock.now(), unfollows_per_day)
                if publishing:
                    for topic in TOPICS:
                        feeds.publish(topic, clock.now() + 1)
                for _ in range(max(1, int(3600 // step_seconds))):
                    # Told first: what the bot sends once the clock moved arrives at the new time.
                    # The step the clock is in: a lock's creep moved it off the grid, the next step is on it.
                    step = int((clock.now() - START) // step_seconds)
                    await emulator.ask({"op": "now", "now": START + (step + 1) * step_seconds})
                    locking = step + 1 in lock_steps
                    locked = await _take_write_lock(db_path) if locking and not lock_mid_send else None
                    clock.advance(START + (step + 1) * step_seconds - clock.now())
                    if locking and lock_mid_send:
                        await _first_send(db, 2.0)
                        locked = await _take_write_lock(db_path)
                    if locked is not None:
                        lock_figures.append(await _hold_lock(locked, lock_seconds, clock, emulator, db))
                    if not await _settled(db, clock.now(), 60):
                        stuck_steps += 1
            figures.days.append(await _day_figures(days + 1, db, db_path, emulator, started))
            if trace and baseline is not None:
                gc.collect()
                snapshot = tracemalloc.take_snapshot()
                keep = [tracemalloc.Filter(False, __file__), tracemalloc.Filter(False, tracemalloc.__file__)]
                diffs = snapshot.filter_traces(keep).compare_to(baseline.filter_traces(keep), "lineno")
                figures.growth = [str(d) for d in diffs[:10]]
            figures.memory = _memory_sizes(application, services)
            outbox = await db.deliveries.counts_by_status()
            drops = await _drop_reasons(db)
        stats = await emulator.ask({"op": "stats"})
        received = (await emulator.ask({"op": "received"}))["received"]
    finally:
        delivery_service.MAX_NETWORK_ATTEMPTS = network_attempts
        await emulator.stop()
        await feeds.close()
    lost, expected = _lost(sim, feeds.history, received)
    after_unfollow = _after_unfollow(sim, feeds.history, received)
    down = (START + telegram_outage[0] * 3600.0, START + sum(telegram_outage) * 3600.0)
    kinds = _kinds(
        sim, feeds.history, feeds.read, received, step_seconds, down if telegram_outage[1] else None
    )
    figures.summary = {
        "days": days,
        "chats": len(sim),
        "blocked": sum(1 for c in sim.values() if c.blocked_at is not None),
        "items_published": feeds.published,
        "messages_delivered": stats["messages"],
        "stories_delivered": stats["keyed"],
        "expected_for_never_blocked_chats": expected,
        "duplicates": stats["duplicates"],
        "lost": lost,
        "unfollowed_topics": sum(len(c.unfollowed) for c in sim.values()),
        "stories_after_unfollow": after_unfollow,
        "messages_by_kind": {kind: stats[f"{kind}_messages"] for kind in KINDS},
        "stories_by_kind": {kind: stats[f"{kind}_stories"] for kind in KINDS},
        **kinds,
        "messages_over_100_entities": stats["over_entity_limit"],
        "stuck_in_outbox": outbox.get("pending", 0) + outbox.get("sending", 0),
        "steps_not_settled": stuck_steps,
        **({"waiting_at_each_lock_end": lock_figures} if lock[1] else {}),
        "429s_answered": stats["429s"],
        "dropped_or_failed_by_reason": drops,
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    return figures


async def _daily_users(
    emulator: EmulatorProcess,
    sim: dict[int, SoakChat],
    rng: random.Random,
    now: float,
    next_user: int,
    new_users: int,
    blocks: int,
    day: int,
) -> int:
    """New users /start and /subscribe through the real conversation; some chats block the bot."""
    for _ in range(new_users):
        chat_id, next_user = next_user, next_user + 1
        topic = rng.choice(TOPICS)
        await emulator.ask({"op": "chats", "chats": [[chat_id, "private"]]})
        await emulator.ask({"op": "say", "chat": chat_id, "text": "/start"})
        await emulator.ask({"op": "say", "chat": chat_id, "text": f"/subscribe {topic}"})
        sim[chat_id] = SoakChat(chat_id, (topic,), now, "instant")  # no quiet hours
    if day >= 2:
        candidates = sorted(c.id for c in sim.values() if c.blocked_at is None and c.since < now)
        for n, chat_id in enumerate(rng.sample(candidates, min(blocks, len(candidates)))):
            # Half tell the bot (my_chat_member), half are found out by a 403 on the next send.
            await emulator.ask({"op": "block", "chat": chat_id, "announce": n % 2 == 0})
            sim[chat_id].blocked_at = now
    return next_user


async def _unfollow(
    emulator: EmulatorProcess, sim: dict[int, SoakChat], rng: random.Random, now: float, count: int
) -> None:
    """Private chats following two topics /unsubscribe one of them through the real conversation."""
    candidates = sorted(
        c.id
        for c in sim.values()
        if c.id > 0 and len(c.topics) == 2 and c.blocked_at is None and c.since < now
    )
    for chat_id in rng.sample(candidates, min(count, len(candidates))):
        chat = sim[chat_id]
        topic = rng.choice(chat.topics)
        await emulator.ask({"op": "say", "chat": chat_id, "text": f"/unsubscribe {topic}"})
        chat.topics = tuple(t for t in chat.topics if t != topic)
        chat.unfollowed[topic] = now


def _after_unfollow(
    sim: dict[int, SoakChat],
    history: Sequence[tuple[int, str, float]],
    received: dict[str, list[list[Any]]],
) -> int:
    """Stories of a topic a chat unfollowed that reached it after the /unsubscribe: queued ones are dropped."""
    topic_of = {key: topic for key, topic, _ in history}
    return sum(
        1
        for chat in sim.values()
        for key, _, at in received.get(str(chat.id), ())
        if topic_of.get(int(key)) in chat.unfollowed and float(at) > chat.unfollowed[topic_of[int(key)]]
    )


def _lost(
    sim: dict[int, SoakChat],
    history: Sequence[tuple[int, str, float]],
    received: dict[str, list[list[Any]]],
) -> tuple[int, int]:
    """(lost, expected): items of its topics published after a never-blocked chat subscribed, not received.

    A topic the chat unfollowed is no longer its: whatever of it was still queued is dropped by design.
    """
    lost = expected = 0
    for chat in sim.values():
        if chat.blocked_at is not None:
            continue
        got = {int(r[0]) for r in received.get(str(chat.id), ())}
        for key, topic, published in history:
            if topic in chat.topics and published > chat.since:
                expected += 1
                lost += key not in got
    return lost, expected


def _quiet_end(chat: SoakChat, at: float) -> float | None:
    """When the quiet hours ``at`` falls in end (None: not in them). Overnight hours, as QUIET."""
    if chat.quiet is None:
        return None
    zone = ZoneInfo(chat.zone)
    local = datetime.fromtimestamp(at, zone)
    start, end = (day_time.fromisoformat(t) for t in chat.quiet)
    if end <= local.time() < start:
        return None
    day = local.date() + timedelta(days=1) if local.time() >= start else local.date()
    return datetime.combine(day, end, zone).timestamp()


def _found(read: Sequence[float], published: float) -> float | None:
    """When the bot first read an item published at ``published`` (None: not yet)."""
    n = bisect_left(read, published)
    return read[n] if n < len(read) else None


def _kinds(
    sim: dict[int, SoakChat],
    history: Sequence[tuple[int, str, float]],
    read: dict[str, list[float]],
    received: dict[str, list[list[Any]]],
    step_seconds: float,
    telegram: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """Did each story a never-blocked chat received come in the kind of message due, and did quiet hours hold?

    A digest chat's stories come in digests; an instant chat's as alerts, except those held: by its quiet hours
    (found inside them) until they end, or found late (a feed back after an outage) a minute, which the soak's
    clock makes one step. More than ROUNDUP_MORE_THAN held until the same moment come as one round-up (a
    catch-up when every one of them is late), fewer as alerts. No alert arrives inside a chat's quiet hours.

    ``telegram``: (down from, back at): an instant chat's alerts due at the steps after the first up to the second
    wait for the step after it. Those planned longer than the catch-up window before it come as a catch-up when
    more than ROUNDUP_MORE_THAN of them wait, the rest as alerts (one a quiet night or a late feed held as well
    may come in either; counted, not judged). Back inside the chat's quiet hours, all of them wait for their end.
    """
    wrong = held = in_roundups = in_catchups = late_stories = quiet_alerts = 0
    late_age = max(CATCHUP_AGE_SECONDS, 2 * step_seconds)
    back = None if telegram is None else telegram[1] + step_seconds  # the first step Telegram takes messages
    telegram_held = dict.fromkeys(("alert", "catchup", "roundup", "missing"), 0)
    telegram_late = 0
    for chat in sim.values():
        if chat.blocked_at is not None:
            continue
        got = {int(r[0]): (KINDS[int(r[1])], float(r[2])) for r in received.get(str(chat.id), ())}
        due: dict[int, str] = {}
        released: dict[float, list[tuple[int, bool]]] = {}  # when held alerts are due -> (key, late)
        # Held by Telegram -> (planned a window before back, held too).
        outage: dict[int, tuple[bool, bool]] = {}
        for key, topic, published in history:
            dropped_at = chat.unfollowed.get(topic)
            if topic not in chat.topics and dropped_at is None:
                continue
            found = _found(read[topic], published)
            # What the bot finds after the chat started is news to it, however long before that it was published
            # (a feed back from an outage): it shares the chat's catch-up with the rest.
            if (published if found is None else found) <= chat.since:
                continue
            late = found is not None and published < found - late_age
            late_stories += late
            if chat.mode == "digest":
                due[key] = "digest"
                continue
            due[key] = "alert"
            if found is None:
                continue
            at = found + step_seconds if late else found
            end = _quiet_end(chat, at)
            release = at if end is None else end
            # The step it goes at.
            sent_at = START + math.ceil((release - START) / step_seconds) * step_seconds
            if telegram is not None and back is not None and telegram[0] < sent_at <= telegram[1]:
                # Back inside the chat's quiet hours: all it held back waits for their end, in their round-up.
                back_end = _quiet_end(chat, back)
                release = back if back_end is None else back_end
                outage[key] = (found < back - late_age, end is not None or late or back_end is not None)
                del due[key]
            # A topic the chat dropped since still shares the round-ups released before the /unsubscribe.
            if dropped_at is not None and release >= dropped_at:
                due.pop(key, None)  # queued at the /unsubscribe: dropped
                outage.pop(key, None)
                continue
            held += end is not None
            if key in outage:
                continue
            if end is not None or late:
                released.setdefault(end if end is not None else at, []).append((key, late))
        for batch in released.values():
            if len(batch) > ROUNDUP_MORE_THAN:
                kind = "catchup" if all(late for _, late in batch) else "roundup"
                due.update(dict.fromkeys((key for key, _ in batch), kind))
        for key, kind in due.items():
            if key in got:
                wrong += got[key][0] != kind
                in_roundups += got[key][0] == "roundup"
                in_catchups += got[key][0] == "catchup"
        # Held back over the window, with more than ROUNDUP_MORE_THAN so: a catch-up (or a round-up, with a quiet
        # night's); fresh ones stay alerts.
        folded = sum(1 for late, also in outage.values() if late and not also) > ROUNDUP_MORE_THAN
        for key, (late, also) in outage.items():
            kind = got[key][0] if key in got else "missing"
            telegram_held[kind] += 1
            telegram_late += late and folded and not also
            if kind == "missing" or also:
                continue
            if late and folded:
                wrong += kind == "alert"
            elif not late:
                wrong += kind != "alert"
        quiet_alerts += sum(
            1 for kind, at in got.values() if kind == "alert" and _quiet_end(chat, at) is not None
        )
    return {
        "stories_in_wrong_kind_of_message": wrong,
        "stories_held_by_quiet_hours": held,
        "held_stories_received_in_roundups": in_roundups,
        "late_stories_due": late_stories,
        "stories_received_in_catchups": in_catchups,
        "alerts_inside_quiet_hours": quiet_alerts,
        **(
            {}
            if telegram is None
            else {"telegram_held_stories_came_as": telegram_held, "telegram_late_stories_due": telegram_late}
        ),
    }


async def _day_figures(
    day: int, db: Any, db_path: Path, emulator: EmulatorProcess, started: float
) -> dict[str, Any]:
    gc.collect()
    stats = await emulator.ask({"op": "stats"})
    pages = await _count(db, "PRAGMA page_count")
    free = await _count(db, "PRAGMA freelist_count")
    page_size = await _count(db, "PRAGMA page_size")
    return {
        "day": day,
        "db_mb": round(_db_bytes(db_path) / 2**20, 2),
        "db_used_mb": round((pages - free) * page_size / 2**20, 2),
        "articles": await _count(db, "SELECT count(*) FROM articles"),
        "deliveries": await _count(db, "SELECT count(*) FROM deliveries"),
        "pruned_keys": await _count(db, "SELECT count(*) FROM pruned_articles"),
        "rss_mb": round(rss_mb(), 1),
        "messages": stats["messages"],
        "wall_s": round(time.perf_counter() - started, 1),
    }


async def _drop_reasons(db: Any) -> dict[str, int]:
    from bot.store.db import fetch_all

    rows = await fetch_all(
        db.reader,
        "SELECT status || ': ' || coalesce(error, ''), count(*) FROM deliveries"
        " WHERE status IN ('dropped', 'failed') GROUP BY 1",
    )
    return {str(r[0])[:60]: int(r[1]) for r in rows}


def _memory_sizes(application: Any, services: Any) -> dict[str, int]:
    """Sizes of the in-memory structures that grow with chats, articles or time (see the README's audit)."""
    delivery, ingest = services.delivery, services.ingest
    stories = ingest._stories
    return {
        "ptb_chat_ids_marked": len(application._chat_ids_to_be_updated_in_persistence),
        "ptb_user_ids_marked": len(application._user_ids_to_be_updated_in_persistence),
        "ptb_chat_data": len(application.chat_data),
        "update_locks": len(application.update_processor._locks),
        "delivery_stories": len(delivery._stories),
        "render_cache": len(delivery._rendered._entries),
        "pacer_chats": len(delivery._pacer._chat_next),
        "sender_chats": len(delivery._state.chats),
        "sender_queues": len(delivery._state.queues),
        "summary_cache": len(ingest._summaries),
        "story_index_stories": len(stories._signatures) if stories is not None else 0,
        "link_fetches": len(ingest._link_fetches),
    }


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--days", type=int, default=30, help="simulated days of news (default 30)")
    parser.add_argument("--chats", type=int, default=300, help="chats at the start (default 300)")
    parser.add_argument("--retention-days", type=int, default=2, help="NEWSBOT_RETENTION_DAYS (default 2)")
    parser.add_argument("--every-429", type=int, default=500, help="answer 429 to one send in N (0: never)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the allocation diff (faster)")
    parser.add_argument(
        "--outage-hours",
        type=int,
        default=0,
        help=f"the {OUTAGE_TOPIC} feed answers 503 this long (default 0)",
    )
    parser.add_argument("--outage-at", type=int, default=30, help="the outage's first hour (default 30)")
    parser.add_argument(
        "--unfollows-per-day",
        type=int,
        default=0,
        help="chats that /unsubscribe a topic each midday (default 0)",
    )
    parser.add_argument(
        "--telegram-outage-hours",
        type=int,
        default=0,
        help="the Bot API answers sendMessage 502 this long (default 0)",
    )
    parser.add_argument(
        "--telegram-outage-at",
        type=int,
        default=58,
        help="the Telegram outage's first hour (default 58: day 2's midday unfollows fall in it)",
    )
    parser.add_argument(
        "--lock-minutes",
        type=float,
        default=0,
        help="another connection holds the write lock this long, real and simulated (default 0; under 30)",
    )
    parser.add_argument(
        "--lock-at",
        type=float,
        nargs="+",
        default=[31.5, 60.0],
        help="hours the lock starts at, each on a half-hour step (default 31.5 60: day 1's 07:30 digests,"
        " and inside the default Telegram outage)",
    )
    parser.add_argument(
        "--lock-mid-send",
        action="store_true",
        help="take the lock once the step's sends began, after its poll",
    )
    parser.add_argument("--log-level", default="ERROR", help="the bot's log level (default ERROR)")
    parser.add_argument("--emulator", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.emulator:
        asyncio.run(serve_emulator(args.every_429))
        return 0
    from bot.logs import configure_logging

    configure_logging(args.log_level.upper())  # as ``newsbot run`` logs
    if not args.no_tracemalloc:
        tracemalloc.start()
    with tempfile.TemporaryDirectory() as tmp:
        figures = asyncio.run(
            run(
                days=args.days,
                chats=args.chats,
                retention_days=args.retention_days,
                every_429=args.every_429,
                seed=args.seed,
                workdir=Path(tmp),
                trace=not args.no_tracemalloc,
                outage=(args.outage_at, args.outage_hours),
                unfollows_per_day=args.unfollows_per_day,
                telegram_outage=(args.telegram_outage_at, args.telegram_outage_hours),
                lock=(args.lock_at, args.lock_minutes),
                lock_mid_send=args.lock_mid_send,
            )
        )
    print(json.dumps(figures.summary, indent=2))
    print(json.dumps(figures.memory))
    for row in figures.days:
        print(json.dumps(row))
    if figures.growth:
        print("tracemalloc, largest growth from the end of day 2 to the end:")
        print("\n".join(figures.growth))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
