"""A chat that blocks the bot (told by a my_chat_member update) loses its queue, so pruning is never held up."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bot.clock import FakeClock
from bot.config import Settings
from bot.context import BotApplication
from bot.emulator import BotApiEmulator
from bot.scheduling import utc
from bot.store import ChatDefaults, Database
from summaries.articles import Article
from tests.conftest import MakeBot, services_of
from tests.conversation.helpers import say

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


async def test_a_digest_chat_back_after_blocking_the_bot_gets_its_next_digest_at_its_time_not_a_stale_one(
    emulator: BotApiEmulator, make_bot: MakeBot, settings: Settings, clock: FakeClock
) -> None:
    # A digest chat that blocked the bot kept the next digest time it had then: back a month later, /settings
    # showed "Next digest" a month ago, and a story planned before the next tick went out as a digest at once.
    hourly = settings.model_copy(update={"tick_seconds": 3600})  # digests are sent by hand below
    async with make_bot(settings=hourly) as bot:
        services = services_of(bot)
        db = services.db
        await emulator.add_chat(CHAT, "private")
        await say(emulator, "/start", chat=CHAT)
        await services.chats.set_digest_times(CHAT, ["08:00"])
        await db.subscriptions.add(CHAT, "topic", "business", clock.now())
        await emulator.block_chat(CHAT, announce=True)
        await _wait_inactive(db)

        clock.set(utc(2026, 1, 31, 12, 0))
        away = await _business_story(db, "away", clock.now())
        await services.delivery.plan_alerts([away], clock.now())  # a poll while it was away
        await emulator.unblock_chat(CHAT)
        await say(emulator, "/start", chat=CHAT)
        chat = await db.chats.get(CHAT)
        assert chat is not None and chat.active and chat.next_digest_at == utc(2026, 2, 1, 8, 0)
        assert "Next digest: Sun 1 Feb, 08:00" in (await say(emulator, "/settings", chat=CHAT)).text

        back = await _business_story(db, "back", clock.now())
        await services.delivery.plan_alerts([back], clock.now())  # a poll before the next tick
        assert await services.delivery.send_due_digests(clock.now()) == 0
        clock.set(utc(2026, 2, 1, 8, 0))
        # Its chosen time: what came since it is back, not what matched while it was away (its queue went).
        assert await services.delivery.send_due_digests(clock.now()) == 1
        digest = await emulator.next_message(CHAT, timeout=10)
        assert "Story back" in digest.text and "Story away" not in digest.text


async def _wait_inactive(db: Database) -> None:
    for _ in range(200):
        current = await db.chats.get(CHAT)
        if current is not None and not current.active:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the chat was not deactivated")


async def _business_story(db: Database, name: str, now: float) -> Article:
    article = Article(
        url=f"https://news.example/gone/{name}",
        title=f"Story {name}",
        body=f"Shares rose on {name} day. " * 20,
        source="Wire",
        topics=("business",),
        summary=(f"Shares rose on {name} day.",),
    )
    stored, _ = await db.articles.add(
        article, content_hash=f"gone-{name}", story_signature=None, story_id=None, feed_id=None, now=now
    )
    return stored
