"""End-to-end latency of /summary for a stored article: a user's message goes in, the bot's reply comes out.

The real application runs against the loopback Bot API emulator (flood limits off: this measures the bot,
not Telegram's throttling). Each request is one user message "/summary ID" in one of ``--chats`` private
chats, timed from the moment the emulator queues the update until the reply arrives; one request at a time
unless ``--concurrency`` says otherwise. ``--fanout-chats N`` first subscribes N chats to every topic and
plans alerts for ``--fanout-articles`` new articles, so a large delivery fan-out is sending while we measure.

    python benchmarks/summary_latency.py --requests 500
    python benchmarks/summary_latency.py --requests 500 --fanout-chats 2000 --fanout-articles 5
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_application, running_application
from bot.config import Settings
from bot.console import load_samples
from bot.context import Services
from bot.emulator import BotApiEmulator, RateLimits, SentMessage
from bot.store.models import ChatDefaults

TOKEN = "123456:BENCH"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


async def _prepare_fanout(services: Services, emulator: BotApiEmulator, chats: int, articles: int) -> int:
    """Subscribe ``chats`` chats to every topic, store ``articles`` new articles and plan alerts for them."""
    now = services.clock.now()
    topics = [t.id for t in services.catalogue.all()]
    defaults = ChatDefaults()
    for chat_id in range(10_000_000, 10_000_000 + chats):
        await emulator.add_chat(chat_id, "private")
        await services.db.chats.register(chat_id, "private", None, defaults, now)
        for topic in topics:
            await services.db.subscriptions.add(chat_id, "topic", topic, now)
    fresh = [
        replace(a, url=f"{a.url}?fanout={i}", title=f"{a.title} ({i})", body=f"Update {i}. {a.body}")
        for i, a in enumerate(load_samples(datetime.fromtimestamp(now, UTC))[:articles])
    ]
    stored = [a for a, status in await services.ingest.ingest_articles(fresh) if status == "added"]
    planned = await services.delivery.plan_alerts(stored, now)
    services.delivery.wake()  # what the feed-poll tick does after planning
    return planned


async def run(args: argparse.Namespace) -> None:
    """Start the bot, store the sample articles, then time ``args.requests`` /summary requests."""
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as tmp:
        async with BotApiEmulator(rate_limits=RateLimits(enabled=False), record_messages=True) as emulator:
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                bot_token=SecretStr(TOKEN),
                telegram_api_url=emulator.base_url,
                db_path=Path(tmp) / "bench.sqlite3",
                tick_seconds=0.05,
                rate_overall_per_second=args.fanout_rate,
                rate_chat_interval_seconds=0.0,
            )
            application = build_application(settings)
            async with running_application(application, poll_timeout=1):
                services: Services = application.bot_data["services"]
                stored = await services.ingest.ingest_articles(load_samples())
                ids = [a.id for a, _ in stored if a.id is not None]
                chats = list(range(1, args.chats + 1))
                for chat in chats:
                    await emulator.add_chat(chat, "private")
                planned = 0
                if args.fanout_chats:
                    planned = await _prepare_fanout(
                        services, emulator, args.fanout_chats, args.fanout_articles
                    )
                sent_before = emulator.sent_count()
                latencies = await _measure(emulator, chats, ids, args)
                fanout_sent = emulator.sent_count() - sent_before - len(latencies) - args.warmup
        _report(latencies, args, planned, fanout_sent)


async def _measure(
    emulator: BotApiEmulator, chats: list[int], ids: list[int], args: argparse.Namespace
) -> list[float]:
    arrivals: dict[int, asyncio.Future[float]] = {}

    def arrived(message: SentMessage) -> None:
        future = arrivals.pop(message.chat_id, None)
        if future is not None and not future.done():
            future.set_result(time.perf_counter())

    emulator.add_listener(arrived)
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    total = args.warmup + args.requests
    locks = {chat: asyncio.Lock() for chat in chats}

    async def one(i: int) -> None:
        chat = chats[i % len(chats)]
        async with locks[chat]:  # one outstanding request per chat, so replies cannot be confused
            future: asyncio.Future[float] = loop.create_future()
            arrivals[chat] = future
            started = time.perf_counter()
            await emulator.send_user_message(chat, f"/summary {ids[i % len(ids)]}")
            done = await asyncio.wait_for(future, 30)
        if i >= args.warmup:
            latencies.append((done - started) * 1000)

    semaphore = asyncio.Semaphore(args.concurrency)

    async def limited(i: int) -> None:
        async with semaphore:
            await one(i)

    await asyncio.gather(*(limited(i) for i in range(total)))
    return latencies


def _report(latencies: list[float], args: argparse.Namespace, planned: int, fanout_sent: int) -> None:
    print(
        f"/summary of a stored article, end to end: {len(latencies)} requests, concurrency {args.concurrency}, "
        f"{args.chats} chats"
        + (
            f", during a fan-out of {planned} planned alerts ({fanout_sent} sent while measuring)"
            if args.fanout_chats
            else ""
        )
    )
    print(
        f"  p50 {percentile(latencies, 50):.1f} ms   p95 {percentile(latencies, 95):.1f} ms   "
        f"p99 {percentile(latencies, 99):.1f} ms   max {max(latencies):.1f} ms   "
        f"mean {statistics.fmean(latencies):.1f} ms"
    )


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--chats", type=int, default=20, help="private chats the requests rotate over")
    parser.add_argument("--concurrency", type=int, default=1, help="requests in flight at once")
    parser.add_argument("--fanout-chats", type=int, default=0, help="chats receiving a fan-out meanwhile")
    parser.add_argument("--fanout-articles", type=int, default=5)
    parser.add_argument(
        "--fanout-rate",
        type=float,
        default=30.0,
        help="delivery's overall messages/s (Telegram: 30; paid: 1000)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
