"""Fan-out benchmark: 3 new articles to N subscribed chats through the real outbox, PTB and a Bot API emulator.

The emulator runs in a child process (so the bot's own CPU use is measured, as on a real deployment) and
enforces Telegram's limits: 30 messages/s overall, 1/s per chat. Reports planning time, sustained send rate,
429 violations and the bot's RSS at start, middle and end.

    python -m benchmarks.fanout --chats 1000                     # Telegram's 30/s
    python -m benchmarks.fanout --chats 10000 --rate 1000        # paid-broadcast limit: the bot's own speed
    python -m benchmarks.fanout --chats 10000 --duration 60      # stop after 60 s of sending
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

ARTICLES = 3


def rss_mb() -> float:
    """Resident set size of this process in MiB."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


# ------------------------------------------------------------------------------------ the bot side


async def run(chats: int, rate: float, duration: float, workdir: Path) -> dict[str, Any]:
    """Seed, plan and send; returns the figures."""
    from pydantic import SecretStr
    from telegram import Bot

    from benchmarks.emulator_process import EmulatorProcess, seed_fanout
    from bot.clock import SystemClock
    from bot.config import Settings
    from bot.delivery import DeliveryService
    from bot.store import Database
    from summaries.topics import TopicCatalogue

    emulator = await EmulatorProcess.start(rate)
    await emulator.ask({"op": "chats", "first": 1, "count": chats})
    token = "123456:BENCH"
    settings = Settings(
        _env_file=None,
        bot_token=SecretStr(token),
        telegram_api_url=emulator.base_url,
        db_path=workdir / "bench.sqlite3",
        rate_overall_per_second=rate,
        tick_seconds=0.5,
    )
    clock = SystemClock()
    figures: dict[str, Any] = {"chats": chats, "rate_limit": rate}
    db = await Database.open(settings.db_path)
    bot = Bot(token, base_url=emulator.base_url)
    await bot.initialize()
    delivery = DeliveryService(
        db=db, bot=bot, settings=settings, clock=clock, catalogue=TopicCatalogue.load(None)
    )
    try:
        t0 = time.perf_counter()
        articles = await seed_fanout(
            db, first=1, count=chats, articles=ARTICLES, topic="automotive", now=clock.now(), keyword_every=3
        )
        figures["seed_seconds"] = round(time.perf_counter() - t0, 1)
        figures["rss_mb_start"] = round(rss_mb(), 1)
        t0 = time.perf_counter()
        planned = await delivery.plan_alerts(articles, clock.now())
        figures["plan_seconds"] = round(time.perf_counter() - t0, 2)
        figures["planned"] = planned
        start = time.perf_counter()
        await delivery.start()
        samples: list[tuple[float, int]] = []
        expected_seconds = planned / rate
        rss_mid = None
        while True:
            await asyncio.sleep(1.0)
            stats = await emulator.ask({"op": "stats"})
            elapsed = time.perf_counter() - start
            samples.append((elapsed, stats["sent"]))
            if rss_mid is None and stats["sent"] >= planned // 2:
                rss_mid = rss_mb()
            if stats["sent"] >= planned or elapsed >= duration:
                break
            if elapsed > expected_seconds * 3 + 30:
                break
        figures["rss_mb_middle"] = round(rss_mid or rss_mb(), 1)
        figures["rss_mb_end"] = round(rss_mb(), 1)
        final = await emulator.ask({"op": "stats"})
        figures["sent"] = final["sent"]
        figures["violations"] = final["violations"]
        figures["send_seconds"] = round(samples[-1][0], 1)
        # Steady state: between 10% and 90% of what was sent, to leave out start-up and the tail.
        sent = samples[-1][1]
        lo = next((s for s in samples if s[1] >= sent * 0.1), samples[0])
        hi = next((s for s in samples if s[1] >= sent * 0.9), samples[-1])
        if hi[0] > lo[0]:
            figures["sustained_per_second"] = round((hi[1] - lo[1]) / (hi[0] - lo[0]), 1)
            figures["sustained_vs_limit"] = round(figures["sustained_per_second"] / rate, 3)
        figures["overall_per_second"] = round(sent / samples[-1][0], 1)
    finally:
        await delivery.aclose()
        await bot.shutdown()
        await db.close()
        await emulator.stop()
    return figures


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chats", type=int, default=1000, help="subscribed chats (default 1000)")
    parser.add_argument(
        "--rate", type=float, default=30.0, help="overall limit, emulator and bot (default 30/s)"
    )
    parser.add_argument(
        "--duration", type=float, default=3600.0, help="stop after this many seconds of sending"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        figures = asyncio.run(run(args.chats, args.rate, args.duration, Path(tmp)))
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
