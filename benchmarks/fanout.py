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
import sys
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


# ------------------------------------------------------------------------------------ emulator process


async def serve_emulator(rate: float) -> None:
    """Child process: run the emulator; stdin commands "chats N" and "stats" answer one JSON line each."""
    from bot.emulator import BotApiEmulator
    from bot.emulator.limits import RateLimits

    limits = RateLimits(overall_per_sec=rate, overall_burst=rate + 5)
    async with BotApiEmulator(rate_limits=limits, record_messages=False) as emulator:
        print(json.dumps({"base_url": emulator.base_url}), flush=True)
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while line := (await reader.readline()).decode().strip():
            command, _, arg = line.partition(" ")
            if command == "chats":
                for chat_id in range(1, int(arg) + 1):
                    await emulator.add_chat(chat_id)
                print(json.dumps({"ok": True}), flush=True)
            elif command == "stats":
                scopes: dict[str, int] = {}
                for v in emulator.violations:
                    scopes[v.scope] = scopes.get(v.scope, 0) + 1
                print(json.dumps({"sent": emulator.sent_count(), "violations": scopes}), flush=True)


class EmulatorProcess:
    """The emulator child process and its line protocol."""

    def __init__(self, proc: asyncio.subprocess.Process, base_url: str) -> None:
        self.proc = proc
        self.base_url = base_url

    @classmethod
    async def start(cls, rate: float) -> EmulatorProcess:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks.fanout",
            "--serve-emulator",
            "--rate",
            str(rate),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert proc.stdout is not None
        hello = json.loads(await proc.stdout.readline())
        return cls(proc, hello["base_url"])

    async def ask(self, line: str) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(line.encode() + b"\n")
        await self.proc.stdin.drain()
        answer: dict[str, Any] = json.loads(await self.proc.stdout.readline())
        return answer

    async def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        await self.proc.wait()


# ------------------------------------------------------------------------------------ the bot side


async def run(chats: int, rate: float, duration: float, workdir: Path) -> dict[str, Any]:
    """Seed, plan and send; returns the figures."""
    from datetime import UTC, datetime

    from pydantic import SecretStr
    from telegram import Bot

    from bot.clock import SystemClock
    from bot.config import Settings
    from bot.delivery import DeliveryService
    from bot.store import ChatDefaults, Database
    from summaries.articles import Article
    from summaries.topics import TopicCatalogue

    emulator = await EmulatorProcess.start(rate)
    await emulator.ask(f"chats {chats}")
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
        now = clock.now()
        for chat_id in range(1, chats + 1):
            await db.chats.register(chat_id, "private", None, ChatDefaults(), now)
            await db.subscriptions.add(chat_id, "topic", "automotive", now)
            if chat_id % 3 == 0:
                await db.subscriptions.add(chat_id, "keyword", "volkswagen", now)
        figures["seed_seconds"] = round(time.perf_counter() - t0, 1)
        articles = []
        for i in range(ARTICLES):
            art = Article(
                url=f"https://news.example/bench/{i}",
                title=f"Carmaker news {i}",
                body="Volkswagen said its electric cars sold well. " * 40,
                source="Bench Wire",
                published=datetime.now(UTC),
                topics=("automotive",),
                summary=("Volkswagen said its electric cars sold well.", "Sales rose.", "Shares rose."),
            )
            stored, _ = await db.articles.add(
                art, content_hash=f"bench{i}", story_signature=None, story_id=None, feed_id=None, now=now
            )
            articles.append(stored)
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
            stats = await emulator.ask("stats")
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
        final = await emulator.ask("stats")
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
    parser.add_argument("--serve-emulator", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_emulator:
        asyncio.run(serve_emulator(args.rate))
        return 0
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        figures = asyncio.run(run(args.chats, args.rate, args.duration, Path(tmp)))
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
