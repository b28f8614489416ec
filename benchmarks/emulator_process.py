"""The Bot API emulator in a child process, so its CPU never competes with the bot's event loop.

The parent talks to the child over stdin/stdout, one JSON object a line each way:

    {"op": "chats", "first": 1, "count": 10000}   -> {"ok": true}          make private chats known
    {"op": "stats"}                               -> {"sent": N, "violations": {"overall": n, ...}}
    {"op": "measure", "chats": [...], "texts": [...], "warmup": 20, "interval": 0.05, "timeout": 30}
        -> {"latencies_ms": [...], "timeouts": n}
        the child itself injects each user message and times it until the bot's reply to that chat arrives,
        so the measuring clock is on the emulator's side of the wire, as a user's would be.

    python -m benchmarks.emulator_process --rate 30     # normally started by EmulatorProcess.start()
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.emulator import BotApiEmulator, RateLimits, SentMessage
from bot.store import ChatDefaults, Database
from summaries.articles import Article

REPO_ROOT = Path(__file__).resolve().parent.parent


async def _measure(emulator: BotApiEmulator, request: dict[str, Any]) -> dict[str, Any]:
    """Send ``texts`` one at a time (rotating over ``chats``), ``interval`` s apart; time each reply."""
    chats: list[int] = request["chats"]
    texts: list[str] = request["texts"]
    warmup: int = request.get("warmup", 0)
    interval: float = request.get("interval", 0.0)
    timeout: float = request.get("timeout", 30.0)
    loop = asyncio.get_running_loop()
    arrivals: dict[int, asyncio.Future[float]] = {}

    def arrived(message: SentMessage) -> None:
        future = arrivals.pop(message.chat_id, None)
        if future is not None and not future.done():
            future.set_result(time.perf_counter())

    # The emulator has no remove_listener: after this run ours stays, costing one dict lookup a message.
    emulator.add_listener(arrived)
    latencies: list[float] = []
    timeouts = 0
    next_start = time.perf_counter()
    for i, text in enumerate(texts):
        # Requests start on a fixed schedule (open loop) unless a reply is slower than the interval.
        delay = next_start - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        next_start += interval
        chat = chats[i % len(chats)]
        future: asyncio.Future[float] = loop.create_future()
        arrivals[chat] = future
        started = time.perf_counter()
        await emulator.send_user_message(chat, text)
        try:
            done = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            arrivals.pop(chat, None)
            timeouts += 1
            continue
        if i >= warmup:
            latencies.append(round((done - started) * 1000, 3))
    return {"latencies_ms": latencies, "timeouts": timeouts}


async def serve(rate: float, headroom: float) -> None:
    """Child process: run the emulator with Telegram's limits and answer the line protocol on stdin."""
    # The overall bucket is widened by ``headroom`` so the measured replies (sent by the bot outside its
    # delivery pacer) are not counted as the fan-out breaking the limit; per-chat limits stay Telegram's.
    overall = rate + headroom
    limits = RateLimits(overall_per_sec=overall, overall_burst=overall + 5)
    async with BotApiEmulator(rate_limits=limits, record_messages=False) as emulator:
        print(json.dumps({"base_url": emulator.base_url}), flush=True)
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while line := (await reader.readline()).decode().strip():
            answer = await handle(emulator, json.loads(line))
            print(json.dumps(answer), flush=True)


async def handle(emulator: BotApiEmulator, request: dict[str, Any]) -> dict[str, Any]:
    """Answer one protocol request with ``emulator`` (in the child, or in-process for comparison runs)."""
    op = request["op"]
    if op == "chats":
        for chat_id in range(request["first"], request["first"] + request["count"]):
            await emulator.add_chat(chat_id, "private")
        return {"ok": True}
    if op == "stats":
        scopes: dict[str, int] = {}
        for v in emulator.violations:
            scopes[v.scope] = scopes.get(v.scope, 0) + 1
        return {"sent": emulator.sent_count(), "violations": scopes}
    if op == "measure":
        return await _measure(emulator, request)
    return {"error": f"unknown op {op!r}"}


async def seed_fanout(
    db: Database, *, first: int, count: int, articles: int, topic: str, now: float, keyword_every: int = 0
) -> list[Article]:
    """Register ``count`` chats following ``topic`` (every ``keyword_every``-th also a keyword) and store
    ``articles`` new articles of that topic; the stored articles, ready for ``plan_alerts``."""
    defaults = ChatDefaults()
    for chat_id in range(first, first + count):
        await db.chats.register(chat_id, "private", None, defaults, now)
        await db.subscriptions.add(chat_id, "topic", topic, now)
        if keyword_every and chat_id % keyword_every == 0:
            await db.subscriptions.add(chat_id, "keyword", "volkswagen", now)
    stored = []
    for i in range(articles):
        article = Article(
            url=f"https://news.example/fanout/{i}",
            title=f"Carmaker news {i}",
            body="Volkswagen said its electric cars sold well. " * 40,
            source="Bench Wire",
            published=datetime.now(UTC),
            topics=(topic,),
            summary=("Volkswagen said its electric cars sold well.", "Sales rose.", "Shares rose."),
        )
        added, _ = await db.articles.add(
            article, content_hash=f"fanout{i}", story_signature=None, story_id=None, feed_id=None, now=now
        )
        stored.append(added)
    return stored


class EmulatorProcess:
    """The emulator child process and its JSON-lines protocol: ``await EmulatorProcess.start(rate)``."""

    def __init__(self, proc: asyncio.subprocess.Process, base_url: str) -> None:
        self.proc = proc
        self.base_url = base_url
        self._lock = asyncio.Lock()  # one request/answer pair at a time on the pipe

    @classmethod
    async def start(cls, rate: float, headroom: float = 0.0) -> EmulatorProcess:
        """Start the child with an overall limit of ``rate + headroom`` messages a second."""
        # A "measure" answer carries every latency on one line.
        args = ("benchmarks.emulator_process", "--rate", str(rate), "--headroom", str(headroom))
        return await cls.spawn(*args, line_limit=2**24)

    @classmethod
    async def spawn(cls, *module_and_args: str, line_limit: int) -> EmulatorProcess:
        """Start ``python -m MODULE ARGS...``, a child that prints its base URL first, then answers lines."""
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            *module_and_args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=line_limit,
            cwd=REPO_ROOT,  # so "-m benchmarks..." resolves whatever the caller's directory
        )
        assert proc.stdout is not None
        hello = json.loads(await proc.stdout.readline())
        return cls(proc, hello["base_url"])

    async def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        """Send one request and wait for its answer."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        async with self._lock:
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            await self.proc.stdin.drain()
            answer: dict[str, Any] = json.loads(await self.proc.stdout.readline())
        return answer

    async def stop(self) -> None:
        """Close stdin (the child's signal to stop) and wait for it to exit."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            await asyncio.wait_for(self.proc.wait(), 10)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()


def main(argv: list[str] | None = None) -> int:
    """Child entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=30.0, help="overall messages/s the bot may send")
    parser.add_argument("--headroom", type=float, default=0.0, help="extra overall messages/s allowed")
    args = parser.parse_args(argv)
    asyncio.run(serve(args.rate, args.headroom))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
