"""A chat that blocks the bot (told by a my_chat_member update) loses its queue, so pruning is never held up."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bot.clock import FakeClock
from bot.context import BotApplication
from bot.emulator import BotApiEmulator
from bot.store import ChatDefaults
from summaries.articles import Article
from tests.conftest import services_of

CHAT = 4242


async def test_blocked_digest_chat_drops_its_queue_and_its_articles_are_pruned(
    emulator: BotApiEmulator, running_bot: BotApplication, clock: FakeClock
) -> None:
    services = services_of(running_bot)
    db, now = services.db, clock.now()
    await emulator.add_chat(CHAT, "private")
    chat, _ = await db.chats.register(CHAT, "private", None, ChatDefaults(), now)
    await db.chats.save_settings(replace(chat, mode="digest", digest_times=("08:00",)), now)
    await db.subscriptions.add(CHAT, "topic", "business", now)
    article = Article(
        url="https://news.example/gone/1",
        title="Markets",
        body="Shares rose. " * 20,
        source="Wire",
        topics=("business",),
        summary=("Shares rose.",),
    )
    stored, _ = await db.articles.add(
        article, content_hash="gone1", story_signature=None, story_id=None, feed_id=None, now=now
    )
    assert await services.delivery.plan_alerts([stored], now) == 1

    await emulator.block_chat(CHAT, announce=True)
    for _ in range(200):
        current = await db.chats.get(CHAT)
        if current is not None and not current.active:
            break
        await asyncio.sleep(0.02)
    assert current is not None and not current.active

    assert (await db.deliveries.counts_by_status()).get("pending", 0) == 0
    later = now + 10 * 86400
    assert await db.articles.prune(later - 86400, later) == 1
    assert await db.articles.held_from_pruning(later - 86400) == 0
