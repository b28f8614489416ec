"""A failed prune is retried a minute later: not at every tick, where a full disk would flood the log."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from bot.clock import FakeClock
from bot.context import BotApplication
from summaries.articles import Article
from tests.conftest import services_of

FAILED = "pruning old articles failed"


def _failures(caplog: pytest.LogCaptureFixture) -> int:
    return sum(1 for r in caplog.records if r.getMessage().startswith(FAILED))


async def test_a_failing_prune_is_tried_once_a_minute_not_at_every_tick(
    running_bot: BotApplication, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    # Each attempt logs a traceback: retried at every tick (seconds apart), a database refusing the delete
    # would fill the operator's log with them.
    services = services_of(running_bot)
    retention = services.settings.retention_days * 86400.0
    article = Article(
        url="https://news.example/old/3", title="Old news", body="Shares fell. " * 20, source="Wire"
    )
    await services.db.articles.add(
        article,
        content_hash="old3",
        story_signature=None,
        story_id=None,
        feed_id=None,
        now=clock.now() - retention,
    )
    await asyncio.sleep(0.3)  # the first ticks have pruned (nothing yet: the article is not past the window)
    with sqlite3.connect(services.settings.db_path) as conn:  # every prune from now on fails
        conn.execute(
            "CREATE TRIGGER refuse_prune BEFORE DELETE ON articles BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
    clock.advance(86400.0)
    for _ in range(100):
        if _failures(caplog):
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.5)  # ten ticks with the clock standing still
    assert _failures(caplog) == 1
    clock.advance(61.0)
    for _ in range(100):
        if _failures(caplog) > 1:
            break
        await asyncio.sleep(0.02)
    assert _failures(caplog) == 2
