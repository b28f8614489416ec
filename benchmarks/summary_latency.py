"""End-to-end latency of /summary for a stored article, optionally while a delivery fan-out is sending.

How to run (from the repository root, with /work/venv/bin/python):

    python -m benchmarks.summary_latency --requests 500                                  # (a) idle
    python -m benchmarks.summary_latency --requests 500 --fanout-chats 10000             # (b) fan-out at 30/s
    python -m benchmarks.summary_latency --requests 500 --fanout-chats 10000 --fanout-rate 1000   # (c)
    python -m benchmarks.summary_latency ... --emulator in-process   # old mode: emulator on the bot's loop

The real application runs against the Bot API emulator with Telegram's limits on (1 message/s per chat;
overall ``--fanout-rate`` plus ``--headroom`` for the measured replies, which the bot sends outside its
delivery pacer). By default the emulator runs in a child process (benchmarks/emulator_process.py), which also
injects the requests and times them, so the bot process has its event loop to itself, as in production.

Each request is one user message "/summary ID" in one of ``--chats`` private chats, timed from the moment the
emulator queues the update until the bot's reply arrives there. Requests start every ``--interval`` seconds
(open loop; one at a time). ``--fanout-chats N`` first subscribes N chats to a topic and plans alerts for
``--fanout-articles`` new articles of it; measuring starts ``--fanout-delay`` s after the sender is woken, so
it overlaps the fan-out (at 30/s 10,000 chats take ~17 min: only its first ~30 s are measured; at 1000/s
the 26 s of 500 requests at the default interval fit inside the ~32 s fan-out). A shorter ``--interval``
needs a larger ``--headroom`` (replies/s), or the emulator answers the measured replies with 429.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.emulator_process import EmulatorProcess, handle, seed_fanout
from bot.app import build_application, running_application
from bot.config import Settings
from bot.console import load_samples
from bot.context import Services
from bot.emulator import BotApiEmulator, RateLimits

TOKEN = "123456:BENCH"
FANOUT_FIRST_CHAT = 10_000_000
FANOUT_TOPIC = "automotive"

Ask = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def _in_process_ask(emulator: BotApiEmulator) -> Ask:
    """The child's protocol, answered by an emulator on our own event loop."""

    async def ask(request: dict[str, Any]) -> dict[str, Any]:
        return await handle(emulator, request)

    return ask


async def _prepare_fanout(services: Services, ask: Ask, chats: int, articles: int) -> tuple[int, float]:
    """Subscribe ``chats`` chats to one topic and plan alerts for ``articles`` new articles of it.

    Returns (planned alerts, seeding seconds); the sender is not woken yet.
    """
    t0 = time.perf_counter()
    await ask({"op": "chats", "first": FANOUT_FIRST_CHAT, "count": chats})
    now = services.clock.now()
    stored = await seed_fanout(
        services.db, first=FANOUT_FIRST_CHAT, count=chats, articles=articles, topic=FANOUT_TOPIC, now=now
    )
    seed_seconds = time.perf_counter() - t0
    planned = await services.delivery.plan_alerts(stored, now)
    return planned, seed_seconds


async def _bench(args: argparse.Namespace, base_url: str, ask: Ask, workdir: Path) -> dict[str, Any]:
    """Run the bot against the emulator at ``base_url`` and measure; returns the figures."""
    settings = Settings(
        _env_file=None,
        bot_token=SecretStr(TOKEN),
        telegram_api_url=base_url,
        db_path=workdir / "bench.sqlite3",
        rate_overall_per_second=args.fanout_rate,
    )
    figures: dict[str, Any] = {"emulator": args.emulator}
    application = build_application(settings)
    async with running_application(application, poll_timeout=10):
        services: Services = application.bot_data["services"]
        stored = await services.ingest.ingest_articles(load_samples())
        ids = [a.id for a, _ in stored if a.id is not None]
        await ask({"op": "chats", "first": 1, "count": args.chats})
        if args.fanout_chats:
            planned, seed_seconds = await _prepare_fanout(
                services, ask, args.fanout_chats, args.fanout_articles
            )
            figures["fanout_planned"] = planned
            figures["fanout_seed_seconds"] = round(seed_seconds, 1)
            await services.delivery.start()
            services.delivery.wake()  # what the feed-poll tick does after planning
            await asyncio.sleep(args.fanout_delay)
        before = await ask({"op": "stats"})
        total = args.warmup + args.requests
        t0 = time.perf_counter()
        result = await ask(
            {
                "op": "measure",
                "chats": list(range(1, args.chats + 1)),
                "texts": [f"/summary {ids[i % len(ids)]}" for i in range(total)],
                "warmup": args.warmup,
                "interval": args.interval,
                "timeout": 30.0,
            }
        )
        measured_seconds = time.perf_counter() - t0
        after = await ask({"op": "stats"})
    latencies: list[float] = result["latencies_ms"]
    figures["requests"] = len(latencies)
    figures["timeouts"] = result["timeouts"]
    figures["measured_seconds"] = round(measured_seconds, 1)
    fanout_sent = after["sent"] - before["sent"] - total + result["timeouts"]
    figures["fanout_sent_while_measuring"] = fanout_sent
    figures["fanout_rate_while_measuring"] = round(fanout_sent / measured_seconds, 1)
    figures["violations"] = after["violations"]
    if latencies:
        figures.update(
            p50_ms=round(percentile(latencies, 50), 1),
            p95_ms=round(percentile(latencies, 95), 1),
            p99_ms=round(percentile(latencies, 99), 1),
            max_ms=round(max(latencies), 1),
            mean_ms=round(statistics.fmean(latencies), 1),
        )
    return figures


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Start the emulator (child process or in-process) and the bot, then measure."""
    headroom = args.headroom
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as tmp:
        if args.emulator == "child":
            child = await EmulatorProcess.start(args.fanout_rate, headroom)
            try:
                return await _bench(args, child.base_url, child.ask, Path(tmp))
            finally:
                await child.stop()
        overall = args.fanout_rate + headroom
        limits = RateLimits(overall_per_sec=overall, overall_burst=overall + 5)
        async with BotApiEmulator(rate_limits=limits, record_messages=False) as emulator:
            return await _bench(args, emulator.base_url, _in_process_ask(emulator), Path(tmp))


def _report(figures: dict[str, Any], args: argparse.Namespace) -> None:
    where = "emulator in a child process" if args.emulator == "child" else "emulator in the bot's process"
    fanout = (
        f", during a fan-out of {figures['fanout_planned']} alerts at {args.fanout_rate:g}/s "
        f"({figures['fanout_sent_while_measuring']} sent while measuring, "
        f"{figures['fanout_rate_while_measuring']}/s)"
        if args.fanout_chats
        else ", idle"
    )
    print(f"/summary of a stored article, end to end, {where}: {figures['requests']} requests{fanout}")
    if "p50_ms" in figures:
        print(
            f"  p50 {figures['p50_ms']} ms   p95 {figures['p95_ms']} ms   p99 {figures['p99_ms']} ms   "
            f"max {figures['max_ms']} ms   mean {figures['mean_ms']} ms   "
            f"timeouts {figures['timeouts']}   429s {figures['violations'] or 'none'}   "
            f"({figures['measured_seconds']} s)"
        )


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--chats", type=int, default=50, help="private chats the requests rotate over")
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between request starts")
    parser.add_argument("--emulator", choices=("child", "in-process"), default="child")
    parser.add_argument("--fanout-chats", type=int, default=0, help="chats receiving a fan-out meanwhile")
    parser.add_argument("--fanout-articles", type=int, default=3)
    parser.add_argument(
        "--fanout-rate", type=float, default=30.0, help="overall messages/s, bot and emulator (paid: 1000)"
    )
    parser.add_argument(
        "--fanout-delay", type=float, default=2.0, help="seconds of fan-out before measuring starts"
    )
    parser.add_argument(
        "--headroom",
        type=float,
        default=25.0,
        help="extra overall messages/s the emulator allows for the measured replies (default 25)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    figures = asyncio.run(run(args))
    _report(figures, args)
    if args.json:
        import json

        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
