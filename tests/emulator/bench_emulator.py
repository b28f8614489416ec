"""Throughput of the Bot API emulator: server CPU per sendMessage, measured in a separate process.

Run: /work/venv/bin/python -m tests.emulator.bench_emulator [--messages 5000] [--chats 10000] [--record]
Not collected by pytest (no test_ prefix); keep runs short on shared machines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import time
from multiprocessing.connection import Connection

import httpx

from bot.emulator import BotApiEmulator, RateLimits

TOKEN = "123456:BENCH"
TEXTS = {
    "heavy": "<b>Carmaker plans</b> &amp; markets\n" + "A summary sentence with <i>some</i> markup. " * 12,
    "alert": "<b>Carmaker plans</b>\n<i>Reuters</i> · 2 h · #123\nOne line of summary &amp; context here.",
}
TEXT = TEXTS["heavy"]


def _serve(conn: Connection, chats: int, record: bool) -> None:
    async def main() -> None:
        emu = BotApiEmulator(record_messages=record, rate_limits=RateLimits(enabled=False))
        await emu.start()
        for chat_id in range(1, chats + 1):
            await emu.add_chat(chat_id)
        conn.send(emu.base_url)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, conn.recv)  # "measure"
        start_cpu = time.process_time()
        await loop.run_in_executor(None, conn.recv)  # "done"
        conn.send((time.process_time() - start_cpu, emu.sent_count()))
        await emu.stop()

    asyncio.run(main())


async def _drive(base_url: str, messages: int, chats: int, concurrency: int, method: str, text: str) -> float:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits) as client:
        counter = iter(range(messages))

        async def worker() -> None:
            for i in counter:
                data = {
                    "chat_id": str(1 + i % chats),
                    "text": text,
                    "parse_mode": "HTML",
                    "reply_markup": json.dumps(
                        {"inline_keyboard": [[{"text": "More", "callback_data": f"a:{i}"}]]}
                    ),
                }
                if method == "getMe":
                    r = await client.post(f"{base_url}{TOKEN}/getMe")
                else:
                    r = await client.post(f"{base_url}{TOKEN}/sendMessage", data=data)
                r.raise_for_status()

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - start


def main() -> None:
    """Send --messages sendMessage requests and print wall time and the emulator's CPU per request."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--chats", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--method",
        choices=["sendMessage", "getMe"],
        default="sendMessage",
        help="getMe measures the HTTP baseline without any sending work",
    )
    parser.add_argument("--text", choices=sorted(TEXTS), default="heavy", help="message shape to send")
    parser.add_argument("--record", action="store_true", help="keep message bodies (record_messages=True)")
    args = parser.parse_args()
    parent, child = mp.Pipe()
    proc = mp.Process(target=_serve, args=(child, args.chats, args.record))
    proc.start()
    base_url = parent.recv()
    parent.send("measure")
    wall = asyncio.run(
        _drive(base_url, args.messages, args.chats, args.concurrency, args.method, TEXTS[args.text])
    )
    parent.send("done")
    cpu, sent = parent.recv()
    sent = sent or args.messages  # getMe sends nothing
    proc.join()
    print(
        f"{sent} messages to {args.chats} chats in {wall:.2f}s wall = {sent / wall:.0f} msg/s "
        f"(client and server share the CPU); emulator CPU {cpu:.2f}s = {1e6 * cpu / sent:.0f} µs/message "
        f"-> one core sustains ~{sent / cpu:.0f} msg/s; record_messages={args.record}"
    )


if __name__ == "__main__":
    main()
