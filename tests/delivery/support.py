"""Helpers for delivery tests: a DeliveryService on a real database, talking to the emulator through PTB."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from telegram import Bot

from bot.clock import FakeClock
from bot.config import Settings
from bot.delivery import DeliveryService
from bot.emulator import BotApiEmulator
from bot.store import ChatDefaults, Database
from summaries.articles import Article
from summaries.topics import TopicCatalogue

TOKEN = "123456:TEST-delivery"
_ids = itertools.count(1)


class LoopbackApi:
    """A minimal Bot API on 127.0.0.1 for scripted answers: getMe is answered, every other method goes to
    ``answer`` (override it). Use it where the emulator's realism is in the way (canned errors, 5xx)."""

    def __init__(self) -> None:
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/bot"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["method"].lower() == "getme":
            user = {"id": 1, "is_bot": True, "first_name": "Bot", "username": "loopback_bot"}
            return web.json_response({"ok": True, "result": user})
        return await self.answer(request)

    async def answer(self, request: web.Request) -> web.Response:
        """The answer to any method but getMe."""
        raise NotImplementedError


@dataclass
class Rig:
    """What a delivery test works with."""

    db: Database
    emulator: BotApiEmulator
    clock: FakeClock
    settings: Settings
    delivery: DeliveryService
    bot: Bot


def make_settings(tmp_path: Path, emulator: BotApiEmulator, **overrides: Any) -> Settings:
    """Settings pointing at the emulator with the database in tmp_path."""
    values: dict[str, Any] = {
        "bot_token": TOKEN,
        "telegram_api_url": emulator.base_url,
        "db_path": tmp_path / "newsbot.sqlite3",
        "tick_seconds": 0.05,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@contextlib.asynccontextmanager
async def rig(
    tmp_path: Path,
    emulator: BotApiEmulator,
    clock: FakeClock | None = None,
    pacing_clock: Callable[[], float] | None = None,
    **overrides: Any,
) -> AsyncIterator[Rig]:
    """A started DeliveryService with its own Bot, on a fresh database (``pacing_clock``: the pacer's time)."""
    settings = make_settings(tmp_path, emulator, **overrides)
    clock = clock or FakeClock()
    db = await Database.open(settings.db_path)
    bot = Bot(TOKEN, base_url=settings.telegram_api_url)
    await bot.initialize()
    pacing: dict[str, Any] = {} if pacing_clock is None else {"pacing_clock": pacing_clock}
    delivery = DeliveryService(
        db=db, bot=bot, settings=settings, clock=clock, catalogue=TopicCatalogue.load(None), **pacing
    )
    try:
        yield Rig(db, emulator, clock, settings, delivery, bot)
    finally:
        await delivery.aclose()
        await bot.shutdown()
        await db.close()


async def add_chat(
    r: Rig,
    chat_id: int,
    *,
    topics: tuple[str, ...] = (),
    keywords: tuple[str, ...] = (),
    type: str | None = None,
    in_emulator: bool = True,
    **chat_settings: Any,
) -> None:
    """A chat known to the emulator and registered in the database with subscriptions and settings."""
    kind = type or ("private" if chat_id > 0 else "group")
    if in_emulator:
        await r.emulator.add_chat(chat_id, kind)
    chat, _ = await r.db.chats.register(chat_id, kind, None, ChatDefaults(), r.clock.now())
    if chat_settings:
        await r.db.chats.save_settings(replace(chat, **chat_settings), r.clock.now())
    for topic in topics:
        await r.db.subscriptions.add(chat_id, "topic", topic, r.clock.now())
    for keyword in keywords:
        await r.db.subscriptions.add(chat_id, "keyword", keyword, r.clock.now())


async def store_article(
    r: Rig,
    title: str,
    body: str = "Plain body text about nothing in particular.",
    topics: tuple[str, ...] = (),
    *,
    source: str = "Wire A",
    story_id: int | None = None,
    summary: tuple[str, ...] = ("First sentence.", "Second sentence.", "Third sentence.", "Fourth."),
    age: float = 600.0,
) -> Article:
    """Store an article as ingestion would, published ``age`` seconds ago; return it with id and story_id."""
    n = next(_ids)
    art = Article(
        url=f"https://news.example/{n}",
        title=title,
        body=body,
        source=source,
        published=datetime.fromtimestamp(r.clock.now() - age, UTC),
        topics=topics,
        summary=summary,
    )
    stored, status = await r.db.articles.add(
        art,
        content_hash=hashlib.sha1(f"{n}{title}".encode()).hexdigest(),
        story_signature=None,
        story_id=story_id,
        feed_id=None,
        now=r.clock.now(),
    )
    assert status == "added"
    return stored


async def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll ``predicate`` until true or fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def wait_until_sent(r: Rig, chat_id: int, timeout: float = 10.0) -> None:
    """Wait until every outbox row of ``chat_id`` is recorded 'sent' (the flusher writes outcomes in the
    background, as soon as the database takes them); fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    sql = "SELECT count(*) FROM deliveries WHERE chat_id = ? AND status != 'sent'"
    while (await r.db.reader.execute_fetchall(sql, (chat_id,)))[0][0]:
        if loop.time() > deadline:
            raise AssertionError("outcomes not recorded in time")
        await asyncio.sleep(0.02)


def texts(emulator: BotApiEmulator, chat_id: int) -> list[str]:
    """Visible text of every message a chat received."""
    return [m.text for m in emulator.messages(chat_id)]
