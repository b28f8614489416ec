"""The running bot prunes old articles every day, not only at start-up nor only after a clock step."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from bot.clock import FakeClock
from bot.context import BotApplication
from summaries.articles import Article
from tests.conftest import services_of


async def _wait_for_count(application: BotApplication, expected: int) -> int:
    db = services_of(application).db
    for _ in range(100):
        count = await db.articles.count()
        if count == expected:
            break
        await asyncio.sleep(0.02)
    return count


async def test_a_bot_left_running_prunes_articles_past_retention_on_a_later_day(
    running_bot: BotApplication, clock: FakeClock
) -> None:
    # A bot runs for months: if only its first tick pruned, the database would grow without end.
    services = services_of(running_bot)
    retention = services.settings.retention_days * 86400.0
    article = Article(
        url="https://news.example/old/1", title="Old news", body="Shares rose. " * 20, source="Wire"
    )
    await services.db.articles.add(
        article,
        content_hash="old1",
        story_signature=None,
        story_id=None,
        feed_id=None,
        now=clock.now() - retention + 43200.0,
    )
    await asyncio.sleep(0.3)  # a few ticks at the start: half a day short of the window, nothing is pruned
    assert await services.db.articles.count() == 1
    clock.advance(86400.0)  # a day later the article is half a day past the window
    assert await _wait_for_count(running_bot, 0) == 0


async def test_a_prune_that_failed_is_tried_again_within_minutes_not_a_day_later(
    running_bot: BotApplication, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    # The day's prune was counted as done before it ran: one failure (a locked or full database) left old
    # articles in place for another whole day.
    services = services_of(running_bot)
    retention = services.settings.retention_days * 86400.0
    article = Article(
        url="https://news.example/old/2", title="Old news", body="Shares fell. " * 20, source="Wire"
    )
    await services.db.articles.add(
        article,
        content_hash="old2",
        story_signature=None,
        story_id=None,
        feed_id=None,
        now=clock.now() - retention,
    )
    await asyncio.sleep(0.3)  # the first ticks have pruned (nothing yet: the article is not past the window)
    with sqlite3.connect(services.settings.db_path) as conn:  # the next prune fails, as on a full disk
        conn.execute(
            "CREATE TRIGGER refuse_prune BEFORE DELETE ON articles BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
    clock.advance(86400.0)
    for _ in range(100):
        if "pruning old articles failed" in caplog.text:
            break
        await asyncio.sleep(0.02)
    assert "pruning old articles failed" in caplog.text
    with sqlite3.connect(services.settings.db_path) as conn:
        conn.execute("DROP TRIGGER refuse_prune")
    clock.advance(120.0)  # two minutes later, not a day
    assert await _wait_for_count(running_bot, 0) == 0
