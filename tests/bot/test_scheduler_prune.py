"""The running bot prunes old articles every day, not only at start-up nor only after a clock step."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import pytest

from bot.clock import FakeClock
from bot.context import BotApplication
from bot.scheduler import PRUNE_EVERY_SECONDS, PRUNE_RETRY_SECONDS, TickState, run_tick
from bot.store import ChatDefaults, NewArticle
from summaries.articles import Article
from tests.conftest import services_of
from tests.support.files import another_program

FAILED = "pruning old articles failed"


# Up to 10 s: the scheduler's ticks run on a CPU CI may share; a wait that ends early costs nothing.
_WAITS = 500


async def _wait_for_count(application: BotApplication, expected: int) -> int:
    db = services_of(application).db
    for _ in range(_WAITS):
        count = await db.articles.count()
        if count == expected:
            break
        await asyncio.sleep(0.02)
    return count


async def _until(done: Callable[[], bool]) -> None:
    for _ in range(_WAITS):
        if done():
            return
        await asyncio.sleep(0.02)


async def _store_old_article(application: BotApplication, clock: FakeClock, age: float) -> None:
    """One article stored ``age`` seconds ago, then the first few ticks (which prune) have run."""
    services = services_of(application)
    article = Article(
        url=f"https://news.example/old/{age}", title="Old news", body="Shares fell. " * 20, source="Wire"
    )
    await services.db.articles.add(
        article,
        content_hash=f"old{age}",
        story_signature=None,
        story_id=None,
        feed_id=None,
        now=clock.now() - age,
    )
    await asyncio.sleep(0.3)


async def _refuse_prunes(application: BotApplication) -> None:
    """Every prune from now on fails, as on a full disk."""
    await another_program(
        services_of(application).settings.db_path,
        "CREATE TRIGGER refuse_prune BEFORE DELETE ON articles BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    )


def _retention(application: BotApplication) -> float:
    return services_of(application).settings.retention_days * 86400.0


async def test_a_bot_left_running_prunes_articles_past_retention_on_a_later_day(
    running_bot: BotApplication, clock: FakeClock
) -> None:
    # A bot runs for months: if only its first tick pruned, the database would grow without end.
    # Half a day short of the window at the first ticks: nothing is pruned yet.
    await _store_old_article(running_bot, clock, _retention(running_bot) - 43200.0)
    assert await services_of(running_bot).db.articles.count() == 1
    clock.advance(86400.0)  # a day later the article is half a day past the window
    assert await _wait_for_count(running_bot, 0) == 0


async def test_a_prune_of_one_article_logs_it_in_the_singular(
    running_bot: BotApplication, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    # The operator read "pruned 1 articles older than 30 days".
    caplog.set_level(logging.INFO, logger="bot.scheduler")
    await _store_old_article(running_bot, clock, _retention(running_bot) - 43200.0)
    clock.advance(86400.0)
    assert await _wait_for_count(running_bot, 0) == 0
    await _until(lambda: "pruned" in caplog.text)
    assert "pruned 1 article older than 30 days" in caplog.text


async def test_a_failing_prune_is_tried_again_a_minute_later_and_logged_once_not_at_every_tick(
    running_bot: BotApplication, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    # The day's prune was counted as done before it ran: one failure (a locked or full database) left old
    # articles in place for another whole day. Retried at every tick (seconds apart) instead, a database
    # refusing the delete would be tried thousands of times an hour; and each attempt logged a traceback.
    state: TickState = running_bot.bot_data["scheduler_state"]
    await _store_old_article(running_bot, clock, _retention(running_bot))
    await _refuse_prunes(running_bot)
    clock.advance(86400.0)
    await _until(lambda: FAILED in caplog.text)
    await asyncio.sleep(0.5)  # ten ticks with the clock standing still
    clock.advance(61.0)  # the second try
    # It has failed once it set the next retry (a fixed 0.5 s could end before it on a loaded machine).
    await _until(lambda: state.last_prune == clock.now() - PRUNE_EVERY_SECONDS + PRUNE_RETRY_SECONDS)
    await another_program(services_of(running_bot).settings.db_path, "DROP TRIGGER refuse_prune")
    clock.advance(61.0)  # the third works
    assert await _wait_for_count(running_bot, 0) == 0
    await _until(lambda: "works again" in caplog.text)
    assert sum(1 for r in caplog.records if r.exc_info) == 1
    assert "pruning old articles works again after 2 failures" in caplog.text


async def test_the_daily_prune_forgets_admin_notices_sent_long_ago(
    running_bot: BotApplication, clock: FakeClock
) -> None:
    # Every time a feed died or came back, each admin's notice stayed in admin_notices once sent: a feed that
    # fails every night added two rows a day per admin, for as long as the bot ran.
    services = services_of(running_bot)
    await services.db.chats.register(5, "private", None, ChatDefaults(), clock.now())
    old = clock.now() - _retention(running_bot) - 60.0
    async with services.db.write() as conn:
        for key, finished_at in (
            ("feed-dead:1:0", old),
            ("feed-alive:1:1", old),
            ("feed-dead:1:2", clock.now()),
        ):
            await conn.execute(
                "INSERT INTO admin_notices (chat_id, key, text, status, created_at, finished_at)"
                " VALUES (5, ?, 'x', 'sent', ?, ?)",
                (key, finished_at, finished_at),
            )
    await asyncio.sleep(0.3)  # the first ticks (which prune) have run
    clock.advance(86400.0)

    async def keys() -> list[str]:
        return [key for key, _ in await services.db.notices.of_chat(5)]

    for _ in range(100):
        if await keys() == ["feed-dead:1:2"]:
            break
        await asyncio.sleep(0.02)
    # A notice sent within the retention window stays.
    assert await keys() == ["feed-dead:1:2"]


async def _store_five_articles_past_retention(running_bot: BotApplication, clock: FakeClock) -> None:
    """Store five articles a minute older than the retention allows: the next day's prune removes them."""
    old = [
        NewArticle(
            Article(url=f"https://news.example/old/{n}", title=f"Old {n}", body="Shares fell.", source="W"),
            f"o{n}",
        )
        for n in range(5)
    ]
    await services_of(running_bot).db.articles.add_many(old, clock.now() - _retention(running_bot) - 60.0)


async def test_a_big_prune_goes_on_over_several_ticks_and_a_stop_does_not_wait_for_it(
    running_bot: BotApplication,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Retention lowered on a year-old database: the first tick pruned 183,000 articles in one go, and for those
    # 4 minutes no feed was polled, no alert planned, and SIGTERM waited for it (systemd kills after 90 s).
    caplog.set_level(logging.INFO, logger="bot.scheduler")
    monkeypatch.setattr("bot.scheduler.PRUNE_PER_TICK", 2)
    services = services_of(running_bot)
    state: TickState = running_bot.bot_data["scheduler_state"]
    await asyncio.sleep(0.3)  # the first ticks (which prune) have run
    async with state.lock:  # the bot's own ticks wait: this test runs them one by one
        await _store_five_articles_past_retention(running_bot, clock)
        clock.advance(86400.0)  # the next day's prune is due
        await run_tick(services, state)
        assert await services.db.articles.count() == 3  # one tick's share; the rest is left to the next ticks
        state.stopping = True  # stopping: a tick starts nothing new, the prune's rest included
        await run_tick(services, state)
        assert await services.db.articles.count() == 3
        state.stopping = False
        await run_tick(services, state)
        await run_tick(services, state)
        assert await services.db.articles.count() == 0
    # Told once, with the whole count, when it is done.
    assert [r.getMessage() for r in caplog.records if r.getMessage().startswith("pruned")] == [
        "pruned 5 articles older than 30 days"
    ]


async def test_a_big_prune_that_fails_midway_is_tried_again_a_minute_later_not_at_the_next_tick(
    running_bot: BotApplication, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Still marked as going on after the failure, the prune was tried at every tick, seconds apart, against a
    # database that refused it.
    monkeypatch.setattr("bot.scheduler.PRUNE_PER_TICK", 2)
    services = services_of(running_bot)
    state: TickState = running_bot.bot_data["scheduler_state"]
    await asyncio.sleep(0.3)  # the first ticks (which prune) have run
    async with state.lock:  # the bot's own ticks wait: this test runs them one by one
        await _store_five_articles_past_retention(running_bot, clock)
        clock.advance(86400.0)
        await run_tick(services, state)
        assert await services.db.articles.count() == 3
        await _refuse_prunes(running_bot)
        clock.advance(5.0)
        await run_tick(services, state)  # fails
        await another_program(services.settings.db_path, "DROP TRIGGER refuse_prune")
        clock.advance(5.0)
        await run_tick(services, state)  # seconds later: not tried yet
        assert await services.db.articles.count() == 3
        clock.advance(61.0)
        await run_tick(services, state)
        await run_tick(services, state)
        assert await services.db.articles.count() == 0


async def test_the_daily_prune_forgets_what_no_feed_has_listed_for_90_days_and_keeps_the_rest(
    running_bot: BotApplication, clock: FakeClock
) -> None:
    # Pruned articles and feeds' items are remembered while feeds list them, so a feed still listing an old
    # item does not bring it back as news; forgotten at once, it would, and kept for ever, the tables grow.
    services = services_of(running_bot)
    state: TickState = running_bot.bot_data["scheduler_state"]
    await asyncio.sleep(0.3)  # the first ticks (which prune) have run
    day = 86400.0
    async with state.lock:
        now = clock.now()
        async with services.db.write() as conn:
            await conn.executemany(
                "INSERT INTO pruned_articles (key, pruned_at) VALUES (?, ?)",
                [
                    ("https://news.example/pruned-lately", now - 10 * day),
                    ("https://news.example/gone", now - 91 * day),
                ],
            )
        feed, _ = await services.db.feeds.add("https://news.example/rss", (), None, now)
        # Not due in this test: the tick polls no feed.
        await services.db.feeds.record_success(
            feed.id, title=None, etag=None, last_modified=None, next_poll_at=now + 10 * day, now=now
        )
        await services.db.feeds.remember_items(
            feed.id, {"g1": ("https://news.example/1", "One")}, now - 100 * day
        )
        await services.db.feeds.remember_items(
            feed.id, {"g2": ("https://news.example/2", "Two")}, now - 95 * day
        )
        clock.advance(day)
        await run_tick(services, state)
        now = clock.now()
        assert await services.db.articles.remembers_pruned("https://news.example/pruned-lately", now)
        assert not await services.db.articles.remembers_pruned("https://news.example/gone", now)
        # The feed's last listing stays, however old (see FeedRepo.forget_items).
        assert set(await services.db.feeds.known_items(feed.id, ["g1", "g2"], now)) == {"g2"}


async def test_a_database_file_deleted_under_the_running_bot_is_told_once_not_at_every_tick(
    running_bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    services = services_of(running_bot)
    services.settings.db_path.unlink()
    await _until(lambda: "newsbot goes on with the file it opened" in caplog.text)
    await asyncio.sleep(0.5)  # ten more ticks
    told = [r for r in caplog.records if "newsbot goes on with the file it opened" in r.getMessage()]
    assert len(told) == 1 and told[0].levelno == logging.ERROR
