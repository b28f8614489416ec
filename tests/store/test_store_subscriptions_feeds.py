"""SubscriptionRepo and FeedRepo."""

from __future__ import annotations

import pytest

from bot.store import Database
from bot.store.notices import NoticeDraft
from tests.store.samples import NOW, add_chat


async def test_subscriptions_add_remove_and_list_in_order(db: Database) -> None:
    await add_chat(db, 1)
    assert await db.subscriptions.add(1, "keyword", "mars", NOW)
    assert await db.subscriptions.add(1, "topic", "science", NOW)
    assert await db.subscriptions.add(1, "topic", "business", NOW)
    assert await db.subscriptions.add(1, "keyword", "electric cars", NOW)
    assert not await db.subscriptions.add(1, "topic", "science", NOW)  # already there
    assert [(s.kind, s.value) for s in await db.subscriptions.for_chat(1)] == [
        ("topic", "business"),
        ("topic", "science"),
        ("keyword", "electric cars"),
        ("keyword", "mars"),
    ]
    assert await db.subscriptions.remove(1, "keyword", "mars")
    assert not await db.subscriptions.remove(1, "keyword", "mars")
    assert await db.subscriptions.count() == {"topic": 2, "keyword": 1, "inactive": 0}
    assert await db.subscriptions.remove_all(1) == 3
    assert await db.subscriptions.for_chat(1) == []
    assert await db.subscriptions.count() == {"topic": 0, "keyword": 0, "inactive": 0}


async def test_subscribing_an_unknown_chat_is_an_error(db: Database) -> None:
    with pytest.raises(LookupError, match="chat 5"):
        await db.subscriptions.add(5, "topic", "sport", NOW)


async def test_planning_input_skips_inactive_and_paused_chats(db: Database) -> None:
    from dataclasses import replace

    for chat_id in (1, 2, 3):
        await add_chat(db, chat_id)
        await db.subscriptions.add(chat_id, "topic", "sport", NOW)
    await db.chats.deactivate(2, "blocked", NOW)
    chat = await db.chats.get(3)
    assert chat is not None
    await db.chats.save_settings(replace(chat, paused=True), NOW)
    assert [s.chat_id for s in await db.subscriptions.for_active_chats()] == [1]
    # /stats counts the paused chat with the active ones, as its chat line does, and the blocked one apart.
    assert await db.subscriptions.count() == {"topic": 2, "keyword": 0, "inactive": 1}


async def test_sync_from_settings_upserts_and_removes_only_settings_feeds(db: Database) -> None:
    admin, created = await db.feeds.add("https://b.example/rss", ("world",), 42, NOW)
    assert created and admin.origin == "admin" and admin.added_by == 42
    await db.feeds.sync_from_settings(
        [("https://a.example/rss", ("science", "health")), ("https://c.example/atom", ())], NOW
    )
    feeds = {f.url: f for f in await db.feeds.list()}
    a_id = feeds["https://a.example/rss"].id
    assert set(feeds) == {"https://a.example/rss", "https://b.example/rss", "https://c.example/atom"}
    assert feeds["https://a.example/rss"].topics == ("science", "health")
    assert feeds["https://a.example/rss"].origin == "settings"

    # Next start: a's topics changed, c is gone, and the settings now also name the admin feed b.
    await db.feeds.sync_from_settings(
        [("https://a.example/rss", ("science",)), ("https://b.example/rss", ("sport",))], NOW + 1
    )
    feeds = {f.url: f for f in await db.feeds.list()}
    assert set(feeds) == {"https://a.example/rss", "https://b.example/rss"}
    assert feeds["https://a.example/rss"].topics == ("science",)
    assert feeds["https://a.example/rss"].id == a_id  # updated in place, not replaced
    assert feeds["https://b.example/rss"] == admin  # untouched

    await db.feeds.sync_from_settings([], NOW + 2)
    assert [f.url for f in await db.feeds.list()] == ["https://b.example/rss"]


async def test_add_existing_feed_returns_it(db: Database) -> None:
    first, created = await db.feeds.add("https://a.example/rss", ("science",), None, NOW)
    again, created_again = await db.feeds.add("https://a.example/rss", ("sport",), 1, NOW + 1)
    assert created and not created_again
    assert again == first
    assert await db.feeds.get(first.id) == first
    assert await db.feeds.get(first.id + 100) is None
    assert await db.feeds.remove("https://a.example/rss")
    assert not await db.feeds.remove("https://a.example/rss")


async def test_polling_state_backoff_death_and_revival(db: Database) -> None:
    feed, _ = await db.feeds.add("https://a.example/rss", (), None, NOW)
    assert [f.id for f in await db.feeds.due(NOW)] == [feed.id]  # new feeds are due at once

    await db.feeds.record_success(
        feed.id,
        title="A News",
        etag='W/"abc"',
        last_modified="Tue, 01 Dec 2026 10:00:00 GMT",
        next_poll_at=NOW + 600,
        now=NOW,
    )
    polled = await db.feeds.get(feed.id)
    assert polled is not None
    assert (polled.title, polled.etag, polled.last_modified) == (
        "A News",
        'W/"abc"',
        "Tue, 01 Dec 2026 10:00:00 GMT",
    )
    assert (polled.last_polled_at, polled.last_success_at, polled.next_poll_at) == (NOW, NOW, NOW + 600)
    assert await db.feeds.due(NOW + 599) == []

    failed = await db.feeds.record_failure(
        feed.id, error="timed out", next_poll_at=NOW + 1200, dead=False, now=NOW + 600
    )
    failed = await db.feeds.record_failure(
        feed.id, error="HTTP 500" + "x" * 5000, next_poll_at=NOW + 2400, dead=False, now=NOW + 1200
    )
    assert failed.failures == 2 and failed.next_poll_at == NOW + 2400 and not failed.dead
    assert (
        failed.last_error is not None
        and failed.last_error.startswith("HTTP 500")
        and len(failed.last_error) <= 1000
    )
    assert failed.last_success_at == NOW and failed.title == "A News"

    dead = await db.feeds.record_failure(
        feed.id, error="HTTP 410 Gone", next_poll_at=NOW + 9e9, dead=True, now=NOW + 2400
    )
    assert dead.dead and dead.failures == 3
    assert await db.feeds.due(NOW + 5000) == []
    assert [f.id for f in await db.feeds.due(NOW + 1e10)] == [feed.id]  # tried at its next (daily) retry
    assert await db.feeds.revive("https://a.example/rss", NOW + 3000)
    assert not await db.feeds.revive("https://a.example/rss", NOW + 3000)  # not dead any more
    revived = await db.feeds.get(feed.id)
    assert revived is not None and not revived.dead and revived.failures == 0 and revived.last_error is None
    assert [f.id for f in await db.feeds.due(NOW + 3000)] == [feed.id]

    # A success after failures resets the count; a feed without a title keeps the old one.
    await db.feeds.record_success(
        feed.id, title=None, etag=None, last_modified=None, next_poll_at=NOW, now=NOW
    )
    ok = await db.feeds.get(feed.id)
    assert ok is not None and ok.failures == 0 and ok.title == "A News" and ok.etag is None


async def test_feeds_are_listed_in_the_order_they_were_added(db: Database) -> None:
    # /feeds shows them in this order: a feed added later comes last, wherever its address sorts.
    for url in ("https://z.example/rss", "https://a.example/rss", "https://m.example/rss"):
        await db.feeds.add(url, (), None, NOW)
    assert [f.url for f in await db.feeds.list()] == [
        "https://z.example/rss",
        "https://a.example/rss",
        "https://m.example/rss",
    ]


async def test_the_most_overdue_feed_is_polled_first(db: Database) -> None:
    # Polls run a few at a time: a feed waiting longest must not wait behind the feeds added before it.
    first, _ = await db.feeds.add("https://a.example/rss", (), None, NOW)
    second, _ = await db.feeds.add("https://b.example/rss", (), None, NOW)
    for feed, next_poll_at in ((first, NOW + 600), (second, NOW + 60)):
        await db.feeds.record_success(
            feed.id, title=None, etag=None, last_modified=None, next_poll_at=next_poll_at, now=NOW
        )
    assert [f.id for f in await db.feeds.due(NOW + 900)] == [second.id, first.id]


async def test_a_feeds_death_and_revival_are_told_once_and_a_poll_naming_no_site_keeps_its_site(
    db: Database,
) -> None:
    await add_chat(db, 1000)
    feed, _ = await db.feeds.add("https://a.example/rss", (), None, NOW)
    await db.feeds.record_success(
        feed.id,
        title="A",
        etag=None,
        last_modified=None,
        next_poll_at=NOW + 600,
        now=NOW,
        link="https://a.example/",
    )
    await db.feeds.record_success(
        feed.id, title=None, etag=None, last_modified=None, next_poll_at=NOW, now=NOW
    )
    kept = await db.feeds.get(feed.id)
    assert kept is not None and kept.link == "https://a.example/"  # what tells a swapped feed's site apart
    # A dead feed is retried daily; each failed retry must not tell the admins again, nor each later success.
    for day in range(3):
        now = NOW + day * 86400
        draft = NoticeDraft(f"feed-dead:{feed.id}:{now}", "The feed stopped working.", (1000,))
        await db.feeds.record_failure(
            feed.id, error="HTTP 410 Gone", next_poll_at=now + 86400, dead=True, now=now, dead_notice=draft
        )
    for day in range(3, 5):
        now = NOW + day * 86400
        revived = NoticeDraft(f"feed-revived:{feed.id}:{now}", "The feed works again.", (1000,))
        await db.feeds.record_success(
            feed.id,
            title=None,
            etag=None,
            last_modified=None,
            next_poll_at=now + 600,
            now=now,
            revived_notice=revived,
        )
    assert [key for key, _ in await db.notices.of_chat(1000)] == [
        f"feed-dead:{feed.id}:{NOW}",
        f"feed-revived:{feed.id}:{NOW + 3 * 86400}",
    ]


async def test_record_failure_of_unknown_feed_is_an_error(db: Database) -> None:
    with pytest.raises(LookupError):
        await db.feeds.record_failure(99, error="x", next_poll_at=NOW, dead=False, now=NOW)


async def test_feed_title_and_error_with_lone_surrogates_are_stored(db: Database) -> None:
    # Text from outside may carry a lone surrogate, which UTF-8 cannot encode: the UPDATE raised.
    feed, _ = await db.feeds.add("https://a.example/feed", (), None, NOW)
    await db.feeds.record_success(
        feed.id, title="Harbour \ud800 Daily", etag='"x\udc00"', last_modified=None, next_poll_at=NOW, now=NOW
    )
    await db.feeds.record_failure(feed.id, error="bad \udfff byte", next_poll_at=NOW, dead=False, now=NOW)
    stored = await db.feeds.get(feed.id)
    assert stored is not None
    assert (stored.title, stored.etag, stored.last_error) == ("Harbour ? Daily", '"x?"', "bad ? byte")


async def test_removing_a_feed_finds_its_articles_by_index_not_by_reading_them_all(db: Database) -> None:
    # Deleting a feed sets its articles' feed_id to NULL (ON DELETE SET NULL), and with no index on feed_id
    # SQLite read every stored article to find them, inside the write lock: /removefeed, or a feed dropped from
    # NEWSBOT_FEEDS at start-up, held every other write for 0.33 s at 100,000 articles (1 s when the feed had
    # half of them).
    from bot.store.articles import NewArticle
    from tests.store.samples import make_article

    kept, _ = await db.feeds.add("https://a.example/feed", (), None, NOW)
    gone, _ = await db.feeds.add("https://b.example/feed", (), None, NOW)
    await db.articles.add_many(
        [NewArticle(make_article(i), f"h{i}", feed_id=kept.id if i % 2 else gone.id) for i in range(1, 5)],
        NOW,
    )
    traced: list[str] = []
    async with db.write() as conn:
        await conn.set_trace_callback(traced.append)
    try:
        assert await db.feeds.remove("https://b.example/feed")
    finally:
        async with db.write() as conn:
            await conn.set_trace_callback(None)
    # The articles stay, no longer tied to the feed.
    rows = await db.reader.execute_fetchall("SELECT url, feed_id FROM articles ORDER BY id")
    assert [(r[0].rsplit("/", 1)[1], r[1]) for r in rows] == [
        ("1", kept.id),
        ("2", None),
        ("3", kept.id),
        ("4", None),
    ]
    delete = next(sql for sql in traced if sql.startswith("DELETE FROM feeds"))
    plan = await db.reader.execute_fetchall("EXPLAIN QUERY PLAN " + delete)
    details = " | ".join(str(r[3]) for r in plan)
    assert "SCAN articles" not in details and "SEARCH articles USING" in details, details


async def test_forgetting_old_feed_items_keeps_each_feeds_last_listing_at_a_cost_that_does_not_grow_with_the_feeds(
    db: Database,
) -> None:
    # Each row was checked against a list of every feed's last listing, one by one: 2,000 feeds of 250 items took
    # 8.5 s in the daily clean-up's write transaction, with every delivery's bookkeeping waiting on it.
    feeds, old, last = 1000, 20, 5
    day = 86400.0
    async with db.write() as conn:
        await conn.executemany(
            "INSERT INTO feeds (id, url, origin, title, created_at, next_poll_at) VALUES (?, ?, 'admin', '', ?, 0)",
            [(f, f"https://site{f}.example/feed", NOW - 400 * day) for f in range(1, feeds + 1)],
        )
        await conn.executemany(
            "INSERT INTO feed_items (feed_id, guid, page, title, seen_at) VALUES (?, ?, '', '', ?)",
            [
                (f, f"g{i}", NOW - (200 if i < old else 100) * day - f)
                for f in range(1, feeds + 1)
                for i in range(old + last)
            ],
        )
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    async with db.write() as conn:
        await conn.set_progress_handler(count, 1000)
    try:
        # A lapsed feed's last listing (100 days ago) outlives the 90 days; what it listed before does not.
        assert await db.feeds.forget_items(NOW - 90 * day) == feeds * old
    finally:
        async with db.write() as conn:
            await conn.set_progress_handler(None, 1000)
    rows = await db.reader.execute_fetchall("SELECT count(*), count(DISTINCT feed_id) FROM feed_items")
    assert tuple(rows[0]) == (feeds * last, feeds)
    assert steps[0] < 10_000, steps[0]  # about 1,000 (thousands of VM instructions); the list took 61,000
