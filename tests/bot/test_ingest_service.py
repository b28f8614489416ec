"""Ingestion as the bot runs it: feeds polled from a real HTTP server into a real SQLite file."""

from __future__ import annotations

import asyncio
import codecs
import gzip
import hashlib
import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
import pytest_asyncio

from bot.clock import FakeClock
from bot.config import Settings
from bot.delivery import DeliveryService
from bot.errors import UserError
from bot.logs import RedactTokenFilter
from bot.render.replies import render_feeds
from bot.scheduler import FORGET_PRUNED_AFTER_SECONDS
from bot.services.ingest import DEAD_AFTER_FAILURES, IngestService, StoryIndex
from bot.store import ChatDefaults, Database, load_migrations
from summaries.articles import Article
from summaries.dedup import story_signature
from summaries.fetch import Fetcher
from summaries.topics import TopicCatalogue
from tests.delivery.support import wait_until
from tests.support.news_site import NewsSite

CAR_TITLE = "Carmaker Voltra plans to double its sales in Asia"
CAR_BODY = (
    "The electric carmaker Voltra said on Monday it plans to double its vehicle sales in Asia by 2028.\n\n"
    "The company will open two factories and expand its dealer network to reach new customers.\n\n"
    "Investors welcomed the plan, and the shares rose eight percent in early trading on the stock market.\n\n"
    "Analysts said the expansion could lift the carmaker's revenue and profit margins over the next years.\n\n"
    "Voltra's chief executive told reporters the new models would be cheaper than its current cars.\n\n"
    "Rival automakers are also investing heavily in battery plants and electric vehicles in the region."
)
HEALTH_TITLE = "Hospitals report fewer flu cases this winter"
HEALTH_BODY = (
    "Hospitals across the country reported fewer flu cases this winter than last year, health officials said.\n\n"
    "Doctors credited the higher vaccination rate among older patients and children.\n\n"
    "The health ministry said emergency wards had more free beds than in any winter of the past decade.\n\n"
    "Nurses warned that staff shortages remain a problem in rural clinics and smaller hospitals.\n\n"
    "Officials urged people who have not been vaccinated to see their doctor before the season ends."
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest_asyncio.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "news.sqlite3")
    yield database
    await database.close()


@pytest_asyncio.fixture
async def service(db: Database, clock: FakeClock, tmp_path: Path) -> AsyncIterator[IngestService]:
    settings = Settings(_env_file=None, db_path=tmp_path / "news.sqlite3", allow_private_urls=True)  # type: ignore[call-arg]
    fetcher = Fetcher(allow_private=True, timeout=3.0, max_bytes=1_000_000)
    service = IngestService(
        db=db, fetcher=fetcher, catalogue=TopicCatalogue.load(), settings=settings, clock=clock
    )
    yield service
    service.close()
    await fetcher.aclose()


@pytest_asyncio.fixture
async def admin_service(db: Database, clock: FakeClock, tmp_path: Path) -> AsyncIterator[IngestService]:
    """As ``service``, for a bot whose admin is user 5 (who is told of dead and swapped feeds)."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, db_path=tmp_path / "news.sqlite3", allow_private_urls=True, admin_ids=frozenset({5})
    )
    fetcher = Fetcher(allow_private=True, timeout=3.0, max_bytes=5_000_000)
    service = IngestService(
        db=db, fetcher=fetcher, catalogue=TopicCatalogue.load(), settings=settings, clock=clock
    )
    yield service
    service.close()
    await fetcher.aclose()


async def test_poll_stores_new_articles_once_with_topics_and_summary(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    await db.feeds.add(news_site.feed_url("business"), ("business",), None, clock.now() - 60)
    await news_site.publish("business", CAR_TITLE, CAR_BODY)

    new = await service.poll_due_feeds(clock.now())

    assert [a.title for a in new] == [CAR_TITLE]
    article = new[0]
    assert article.id is not None and article.story_id == article.id
    assert {"automotive", "business"} <= set(article.topics)
    assert 1 <= len(article.summary) <= 3
    assert all(sentence in CAR_BODY for sentence in article.summary)
    # not due again until the interval passed; then a 304 brings nothing new
    assert await service.poll_due_feeds(clock.now()) == []
    clock.advance(601)
    assert await service.poll_due_feeds(clock.now()) == []
    assert any(r.headers.get("If-None-Match") for r in news_site.requests)
    # a 304 keeps the validators: the poll after it is conditional too, not a full download
    clock.advance(601)
    assert await service.poll_due_feeds(clock.now()) == []
    assert news_site.requests[-1].headers.get("If-None-Match")
    # a second article appears: only it is new
    await news_site.publish("business", HEALTH_TITLE, HEALTH_BODY)
    clock.advance(601)
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == [HEALTH_TITLE]
    assert await db.articles.count() == 2


async def test_a_feed_with_only_last_modified_is_asked_if_modified_since_its_newest_value(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # A static feed file served with Last-Modified and no ETag: each poll must ask If-Modified-Since with the
    # newest value the site sent, and a 304 must keep it, or every poll downloads and parses the whole feed.
    first = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    second = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    await db.feeds.add(news_site.feed_url("business"), ("business",), None, clock.now() - 60)
    await news_site.publish("business", CAR_TITLE, CAR_BODY, feed_last_modified=first)
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == [CAR_TITLE]
    await news_site.publish("business", HEALTH_TITLE, HEALTH_BODY, feed_last_modified=second)
    clock.advance(601)
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == [HEALTH_TITLE]
    for _ in range(2):  # the 304 and the poll after it
        clock.advance(601)
        assert await service.poll_due_feeds(clock.now()) == []
    polls = news_site.requests_for("/feeds/business.xml")
    assert [r.headers.get("If-Modified-Since") for r in polls] == [
        None,
        format_datetime(first, usegmt=True),
        format_datetime(second, usegmt=True),
        format_datetime(second, usegmt=True),
    ]
    assert not any(r.headers.get("If-None-Match") for r in polls)
    assert await db.articles.count() == 2


async def test_a_304_to_a_feeds_first_unconditional_poll_does_not_turn_its_backlog_into_news(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # A broken cache answered 304 to a request without validators: that poll counted as the feed's first, read
    # and empty, so the next real answer's whole list of old items was alerted as news.
    await news_site.publish("business", CAR_TITLE, CAR_BODY, published=datetime(2025, 12, 30, tzinfo=UTC))
    feed_url = news_site.feed_url("business")
    listing = news_site.feed_xml("business")
    news_site.add("/feeds/business.xml", b"", status=304, content_type=None)
    await db.feeds.add(feed_url, ("business",), None, clock.now() - 60)
    assert await service.poll_due_feeds(clock.now()) == []
    [feed] = await db.feeds.list()
    assert feed.last_success_at is None and feed.last_error and "304" in feed.last_error
    news_site.add("/feeds/business.xml", listing, content_type="application/rss+xml")
    clock.advance(86400)
    assert await service.poll_due_feeds(clock.now()) == []  # the item predates the feed: backlog
    assert [a.title for a in await db.articles.latest(10)] == [CAR_TITLE]
    assert await db.articles.alert_pending() == []


async def test_first_poll_keeps_old_backlog_quiet(
    service: IngestService, db: Database, news_site: NewsSite
) -> None:
    await news_site.publish("health", HEALTH_TITLE, HEALTH_BODY)
    # the feed is added long after the item was published: the item is backlog, stored but not pushed
    late = FakeClock(start=4_102_444_800.0)  # 2100-01-01
    await db.feeds.add(news_site.feed_url("health"), (), None, late.now())
    assert await service.poll_due_feeds(late.now()) == []
    assert [a.title for a in await db.articles.latest(10)] == [HEALTH_TITLE]
    assert await db.articles.alert_pending() == []


async def test_articles_stored_just_before_a_crash_are_alerted_after_it(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite, tmp_path: Path
) -> None:
    # The poll stored the article, then the process died before its alerts were planned: later polls saw a
    # known article, and no subscriber ever heard of it.
    await db.chats.register(7, "private", None, ChatDefaults(), clock.now())
    await db.subscriptions.add(7, "topic", "business", clock.now())
    await db.feeds.add(news_site.feed_url("business"), ("business",), None, clock.now() - 60)
    await news_site.publish("business", CAR_TITLE, CAR_BODY)
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == [CAR_TITLE]
    await db.close()  # the crash

    async with await Database.open(tmp_path / "news.sqlite3") as reopened:
        settings = Settings(_env_file=None, db_path=tmp_path / "news.sqlite3")  # type: ignore[call-arg]
        delivery = DeliveryService(
            db=reopened, bot=None, settings=settings, clock=clock, catalogue=TopicCatalogue.load()
        )
        assert await delivery.plan_pending(clock.now()) == 1
        assert await delivery.plan_pending(clock.now()) == 0  # planned once, not at every start
        assert await reopened.deliveries.counts_by_status() == {"pending": 1}


async def test_a_feed_with_a_clock_in_the_future_does_not_flood_its_first_poll(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # Every item of a feed whose clock runs years ahead looked newer than the feed: all of them were alerted.
    ahead = [_story(n, news_site, published="2099-01-01T10:00:00Z") for n in range(30, 0, -1)]
    url = news_site.add("/ahead.json", _json_feed("Ahead", ahead), content_type="application/json")
    await db.feeds.add(url, (), None, clock.now())
    assert await service.poll_due_feeds(clock.now()) == []
    assert await db.articles.count() == 30  # stored for /latest and /search all the same
    # after the first poll, an item the feed did not list before is news, whatever its date says
    news_site.add(
        "/ahead.json", _json_feed("Ahead", [_story(31, news_site, published="2099-01-02T10:00:00Z")])
    )
    clock.advance(601)
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == ["Harbour report number 31"]


@pytest.mark.parametrize(
    ("kind", "placeholder"),
    [
        ("json", "1970-01-01T00:00:00Z"),
        ("json", "1970-01-01T01:00:00+01:00"),
        ("rss", "Thu, 01 Jan 1970 00:00:00 GMT"),
        ("rss", "Mon, 01 Jan 0001 00:00:00 GMT"),
    ],
)
async def test_an_item_with_a_placeholder_date_is_news_not_old_news(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite, kind: str, placeholder: str
) -> None:
    # A feed with no date for an item often writes the Unix epoch (or .NET's year 1). Read as a date, the item
    # was older than the retention window: stored without an alert, so subscribers never heard of it, and
    # listed as "1 Jan 1970". Such a date is no date: a new item under it is news, like any undated one.
    def listing(*stories: dict[str, str]) -> tuple[bytes, str]:
        if kind == "json":
            return _json_feed("Placeholder", list(stories)), "application/json"
        items = "".join(
            f"<item><guid>{s['id']}</guid><title>{s['title']}</title><link>{s['url']}</link>"
            f"<description>{s['content_text']}</description><pubDate>{s['date_published']}</pubDate></item>"
            for s in stories
        )
        rss = f"<rss version='2.0'><channel><title>Placeholder</title><link>http://x/</link>{items}</channel></rss>"
        return rss.encode(), "application/rss+xml"

    dated = _story(1, news_site, published=STORY_TIME if kind == "json" else _rfc822(clock.now()))
    body, content_type = listing(dated)
    url = news_site.add("/placeholder", body, content_type=content_type)
    await db.feeds.add(url, (), None, clock.now() - 60)
    assert len(await service.poll_due_feeds(clock.now())) == 1
    clock.advance(601)
    body, content_type = listing(_story(2, news_site, published=placeholder), dated)
    news_site.add("/placeholder", body, content_type=content_type)
    [new] = await service.poll_due_feeds(clock.now())
    assert new.title == "Harbour report number 2" and new.published is None


async def test_a_feed_that_dates_every_item_at_the_time_of_the_request_does_not_flood_its_first_poll(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # Some feeds stamp every item with the time it was fetched: on the first poll, moments after the feed was
    # added, its whole backlog looked newer than the feed and twenty old stories were pushed to subscribers.
    def listing(count: int) -> bytes:
        return _json_feed(
            "Stamped", [_story(n, news_site, published=_iso(clock.now())) for n in range(count, 0, -1)]
        )

    await db.feeds.add(news_site.url("/stamped.json"), (), None, clock.now())
    clock.advance(5)
    news_site.add("/stamped.json", listing(12), content_type="application/json")
    assert await service.poll_due_feeds(clock.now()) == []
    assert await db.articles.count() == 12
    # later, the item the feed did not list before is the news, whatever the dates say
    clock.advance(601)
    news_site.add("/stamped.json", listing(13), content_type="application/json")
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == ["Harbour report number 13"]


async def test_a_first_poll_alerts_only_what_is_dated_after_the_feed_was_added(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # Last evening's items are recent (well inside the retention window) but older than the feed: backlog.
    evening = [_story(n, news_site, published=f"2025-12-31T{18 + n}:00:00Z") for n in range(3, 0, -1)]
    stories = [_story(4, news_site), *evening]
    await db.feeds.add(news_site.url("/evening.json"), (), None, clock.now())
    news_site.add("/evening.json", _json_feed("Evening", stories), content_type="application/json")
    clock.advance(60)
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == ["Harbour report number 4"]
    assert await db.articles.count() == 4


async def test_a_first_poll_stores_a_backlog_of_more_than_a_hundred_items_at_once(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # Read in steps of 100 like later polls, the last old items came with the second poll, alerted as news.
    backlog = [_story(n, news_site, published=_iso(clock.now() - 3600 - n * 60)) for n in range(1, 106)]
    await db.feeds.add(news_site.url("/archive.json"), (), None, clock.now())
    news_site.add("/archive.json", _json_feed("Archive", backlog), content_type="application/json")
    assert await service.poll_due_feeds(clock.now()) == []
    assert await db.articles.count() == 105
    assert news_site.hits("/s/1") == 0  # full-text items: no page fetched
    clock.advance(601)
    assert await service.poll_due_feeds(clock.now()) == []


async def test_a_backlog_longer_than_a_poll_is_late_news_and_a_feed_read_minutes_ago_brings_none(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # A feed read every 10 minutes whose dates are hours behind (local time written as GMT) had every story
    # taken for late news: held a minute and folded into a catch-up. Only a backlog is late news.
    found = _Found()
    items = [_story(0, news_site, published=_iso(clock.now() - 60))]
    await db.feeds.add(news_site.url("/busy.json"), (), None, clock.now())
    news_site.add("/busy.json", _json_feed("Busy", items), content_type="application/json")
    await service.poll_due_feeds(clock.now(), on_new=found)
    clock.advance(601)
    misdated = [_story(n, news_site, published=_iso(clock.now() - 5 * 3600 - n)) for n in (1, 2, 3)]
    news_site.add("/busy.json", _json_feed("Busy", misdated + items), content_type="application/json")
    await service.poll_due_feeds(clock.now(), on_new=found)
    assert found.pop() == ([f"Harbour report number {n}" for n in (1, 2, 3)], set())
    clock.advance(601)
    # 130 new items, hours old: read 100 a poll, all of them a catch-up (the rest too, 10 minutes later).
    backlog = [_story(n, news_site, published=_iso(clock.now() - 3 * 3600 - n * 60)) for n in range(10, 140)]
    news_site.add(
        "/busy.json", _json_feed("Busy", backlog + misdated + items), content_type="application/json"
    )
    await service.poll_due_feeds(clock.now(), on_new=found)
    clock.advance(601)
    await service.poll_due_feeds(clock.now(), on_new=found)
    assert [len(new) for new, _ in found] == [100, 30]
    assert all(set(new) == late for new, late in found)
    found.clear()
    clock.advance(601)
    fresh = [_story(n, news_site, published=_iso(clock.now() - 5 * 3600)) for n in (200, 201)]
    news_site.add(
        "/busy.json", _json_feed("Busy", fresh + backlog + misdated + items), content_type="application/json"
    )
    await service.poll_due_feeds(clock.now(), on_new=found)
    assert found == [(["Harbour report number 200", "Harbour report number 201"], set())]


async def test_a_feed_polled_hourly_brings_the_last_hours_news_as_news_not_late(
    db: Database, clock: FakeClock, news_site: NewsSite, tmp_path: Path
) -> None:
    # NEWSBOT_FEED_INTERVAL_SECONDS=3600: a poll comes a little over an hour after the last, and a story
    # published just after that one is over an hour old. The catch-up window is two intervals, so it is news.
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, db_path=tmp_path / "news.sqlite3", allow_private_urls=True, feed_interval_seconds=3600
    )
    fetcher = Fetcher(allow_private=True, timeout=3.0, max_bytes=1_000_000)
    service = IngestService(
        db=db, fetcher=fetcher, catalogue=TopicCatalogue.load(), settings=settings, clock=clock
    )
    found = _Found()
    try:
        items = [_story(0, news_site, published=_iso(clock.now() - 60))]
        await db.feeds.add(news_site.url("/hourly.json"), (), None, clock.now())
        news_site.add("/hourly.json", _json_feed("Hourly", items), content_type="application/json")
        await service.poll_due_feeds(clock.now(), on_new=found)
        last_poll = clock.now()
        clock.advance(3630)
        fresh = [_story(1, news_site, published=_iso(last_poll + 10))]
        news_site.add("/hourly.json", _json_feed("Hourly", fresh + items), content_type="application/json")
        await service.poll_due_feeds(clock.now(), on_new=found)
    finally:
        service.close()
        await fetcher.aclose()
    assert found == [(["Harbour report number 1"], set())]


async def test_the_stories_of_a_feed_first_read_hours_after_it_was_added_are_late_news(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # A feed added, then unread for 5 hours (down, or the bot stopped): what it published meanwhile comes at
    # once at its first read, a catch-up, not a run of hours-old alerts. Never read, it was last "read" when added.
    found = _Found()
    added = clock.now()
    await db.feeds.add(news_site.url("/new.json"), (), None, added)
    clock.advance(5 * 3600)
    items = [_story(n, news_site, published=_iso(added + n * 3600)) for n in (1, 2, 3)]
    news_site.add("/new.json", _json_feed("New", items), content_type="application/json")
    await service.poll_due_feeds(clock.now(), on_new=found)
    titles = {f"Harbour report number {n}" for n in (1, 2, 3)}
    assert [(set(new), late) for new, late in found] == [(titles, titles)]


async def test_an_undated_story_is_never_late_news(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # A feed back after 5 hours: its dated stories of those hours are a catch-up, but an undated one may be
    # minutes old, so it comes as an alert.
    found = _Found()
    items = [_story(0, news_site, published=_iso(clock.now() - 60))]
    await db.feeds.add(news_site.url("/back.json"), (), None, clock.now())
    news_site.add("/back.json", _json_feed("Back", items), content_type="application/json")
    await service.poll_due_feeds(clock.now(), on_new=found)
    clock.advance(5 * 3600)
    undated = {k: v for k, v in _story(1, news_site).items() if k != "date_published"}
    dated = _story(2, news_site, published=_iso(clock.now() - 3 * 3600))
    news_site.add("/back.json", _json_feed("Back", [undated, dated, *items]), content_type="application/json")
    await service.poll_due_feeds(clock.now(), on_new=found)
    assert found == [(["Harbour report number 1", "Harbour report number 2"], {"Harbour report number 2"})]


async def test_edits_left_for_the_next_poll_do_not_make_its_fresh_news_late(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # Only new items left unread make the next poll's stories late news: a poll that took 10 of a feed's 12
    # edits and left 2 must not fold the next poll's news (dated hours back, local time written as GMT) into a
    # catch-up.
    found = _Found()
    await db.feeds.add(news_site.url("/live.json"), (), None, clock.now())
    items = [_story(n, news_site, published=_iso(clock.now() - 60)) for n in range(12)]
    news_site.add("/live.json", _json_feed("Live", items), content_type="application/json")
    await service.poll_due_feeds(clock.now(), on_new=found)
    clock.advance(601)
    edited = [
        _story(n, news_site, title=f"Harbour report {n} corrected", published=_iso(clock.now() - 660))
        for n in range(12)
    ]
    news_site.add("/live.json", _json_feed("Live", edited), content_type="application/json")
    await service.poll_due_feeds(clock.now(), on_new=found)
    clock.advance(601)
    misdated = [_story(n, news_site, published=_iso(clock.now() - 5 * 3600)) for n in (20, 21)]
    news_site.add("/live.json", _json_feed("Live", misdated + edited), content_type="application/json")
    await service.poll_due_feeds(clock.now(), on_new=found)
    assert found == [(["Harbour report number 20", "Harbour report number 21"], set())]


async def test_a_first_poll_alerts_at_most_twenty_items(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # A feed added while its site was down: its first poll finds a whole day of items dated after it was added.
    await db.feeds.add(news_site.url("/day.json"), (), None, clock.now())
    # listed oldest first, as some feeds do
    stories = [_story(n, news_site, published=f"2026-01-01T{n:02d}:00:00Z") for n in range(1, 24)]
    news_site.add("/day.json", _json_feed("Day", stories), content_type="application/json")
    clock.advance(86_400)
    new = await service.poll_due_feeds(clock.now())
    assert [a.title for a in new] == [f"Harbour report number {n}" for n in range(23, 3, -1)]  # newest 20
    assert await db.articles.count() == 23
    assert {a.title for a in await db.articles.alert_pending()} == {a.title for a in new}


async def test_a_first_poll_cut_short_by_a_stop_leaves_no_flood_for_the_next_start(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # The bot stopped while a feed's first poll waited for a teaser's page, 25 items in: those 25 stayed marked
    # for alerts and the next start alerted all of them, past the cap of 20 a first poll may alert.
    await db.feeds.add(news_site.url("/day.json"), (), None, clock.now())
    stories = [_story(n, news_site, published=f"2026-01-01T{n:02d}:00:00Z") for n in range(30, 0, -1)]
    stories[25] |= {"url": news_site.url("/slow.html"), "content_text": "The quay closes. Read more..."}
    news_site.add("/day.json", _json_feed("Day", stories), content_type="application/json")
    news_site.hold("/slow.html")
    clock.advance(86_400)
    poll = asyncio.create_task(service.poll_due_feeds(clock.now()))
    await wait_until(lambda: news_site.hits("/slow.html") == 1)
    poll.cancel()  # what stopping the bot does (scheduler.stop_feed_polling)
    with pytest.raises(asyncio.CancelledError):
        await poll
    news_site.release("/slow.html")
    assert await db.articles.count() == 25
    assert await db.articles.alert_pending() == []
    # The next start polls the feed again: what the first run stored is known, the rest is capped as ever.
    new = await service.poll_due_feeds(clock.now())
    assert len(new) == 5
    assert {a.title for a in await db.articles.alert_pending()} == {a.title for a in new}


@pytest.mark.parametrize(
    ("column", "stored"),
    [
        ("next_poll_at", "soon"),
        ("created_at", "2026-01-01"),
        ("failures", "x"),
        ("last_polled_at", "yesterday"),
        ("last_success_at", "yesterday"),
    ],
)
async def test_a_feed_row_edited_by_hand_stops_no_feeds_polling(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite, column: str, stored: str
) -> None:
    # Text typed into a number column of one feed in the sqlite3 shell raised as the due feeds were read: no
    # feed was polled any more (nor listed by /feeds). It is read as unset, so that feed is polled too.
    edited, _ = await db.feeds.add(news_site.feed_url("health"), (), None, clock.now() - 60)
    await db.feeds.add(news_site.feed_url("business"), (), None, clock.now() - 60)
    async with db.write() as conn:
        await conn.execute(f"UPDATE feeds SET {column} = ? WHERE id = ?", (stored, edited.id))
    assert "Feeds (2)" in render_feeds(await db.feeds.list(), clock.now())[0].html
    await news_site.publish("health", HEALTH_TITLE, HEALTH_BODY)
    await news_site.publish("business", CAR_TITLE, CAR_BODY)
    new = await service.poll_due_feeds(clock.now())
    assert sorted(a.title for a in new) == sorted([CAR_TITLE, HEALTH_TITLE])
    assert len(await db.feeds.list()) == 2


async def test_failing_feed_backs_off_and_is_marked_dead(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    url = news_site.add("/broken.xml", "<html><body>not a feed</body></html>", content_type="text/html")
    feed, _ = await db.feeds.add(url, (), None, clock.now())
    waits = []
    for _ in range(10):
        await service.poll_due_feeds(clock.now())
        current = await db.feeds.get(feed.id)
        assert current is not None
        waits.append(current.next_poll_at - clock.now())
        clock.set(current.next_poll_at)
    assert waits[1] > waits[0]  # exponential backoff
    assert current.failures == 10 and current.dead
    assert current.last_error
    # A dead feed is still tried once a day (the clock is now at that try): when its site is back, so is its news.
    assert waits[-1] == 86_400 and await db.feeds.due(clock.now() - 1) == []
    item = (
        f"<item><title>{HEALTH_TITLE}</title><link>{news_site.url('/flu')}</link>"
        f"<description>{HEALTH_BODY}</description><pubDate>{_rfc822(clock.now())}</pubDate></item>"
    )
    news_site.add(
        "/broken.xml",
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>Back</title>{item}</channel></rss>",
        content_type="application/rss+xml",
    )
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == [HEALTH_TITLE]
    revived = await db.feeds.get(feed.id)
    assert revived is not None and not revived.dead and revived.failures == 0


async def test_a_feed_polled_every_two_days_that_fails_waits_no_less_than_two_days(
    db: Database, clock: FakeClock, news_site: NewsSite, tmp_path: Path
) -> None:
    # The doubling wait is capped at a day: with NEWSBOT_FEED_INTERVAL_SECONDS=172800 one failure brought the
    # next poll a day on, sooner than the feed would have been polled had it worked.
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        db_path=tmp_path / "news.sqlite3",
        allow_private_urls=True,
        feed_interval_seconds=172800,
    )
    fetcher = Fetcher(allow_private=True, timeout=3.0, max_bytes=1_000_000)
    service = IngestService(
        db=db, fetcher=fetcher, catalogue=TopicCatalogue.load(), settings=settings, clock=clock
    )
    url = news_site.add("/slow-broken.xml", "<html><body>not a feed</body></html>", content_type="text/html")
    feed, _ = await db.feeds.add(url, (), None, clock.now())
    try:
        waits = []
        for _ in range(3):
            await service.poll_due_feeds(clock.now())
            current = await db.feeds.get(feed.id)
            assert current is not None and current.failures == len(waits) + 1
            waits.append(current.next_poll_at - clock.now())
            clock.set(current.next_poll_at)
    finally:
        service.close()
        await fetcher.aclose()
    assert waits == [172800, 172800, 172800]


async def test_a_feed_the_site_says_is_gone_is_dead_at_once(
    service: IngestService,
    db: Database,
    clock: FakeClock,
    news_site: NewsSite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A 410 was taken for a 404: the feed was polled ten more times over days of backoff before /feeds called
    # it dead, and the reason said "does not exist" instead of what the site said.
    url = news_site.add("/closed.xml", "gone", status=410, content_type="text/plain")
    feed, _ = await db.feeds.add(url, (), None, clock.now())
    await service.poll_due_feeds(clock.now())
    current = await db.feeds.get(feed.id)
    assert current is not None and current.dead and current.failures == 1
    assert current.last_error == "The site says that address is gone for good (410)."
    assert current.next_poll_at - clock.now() == 86_400  # like any dead feed, tried once a day
    assert "is gone (410)" in caplog.text and "/removefeed" in caplog.text


def _site_rss(title: str, site: str, stories: list[dict[str, str]]) -> str:
    """The stories as the RSS 2.0 feed of the site at ``site``, titled ``title``."""
    return _rss_feed(stories).replace(
        "<title>Harbour</title>", f"<title>{title}</title><link>{site}</link>", 1
    )


async def test_a_feed_whose_domain_changed_hands_is_read_as_a_new_feed_and_the_admins_are_told(
    db: Database,
    clock: FakeClock,
    news_site: NewsSite,
    admin_service: IngestService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A feed's lapsed domain, parked or sold, served another site's feed at its address: every item of it was
    # news for the feed's subscribers, tagged with its topics, 100 alerts a poll.
    await db.chats.register(5, "private", "Admin", ChatDefaults(), clock.now())
    body = _site_rss("Harbour Post", "https://www.harbour.example/", [_story(n, news_site) for n in (2, 1)])
    url = news_site.add("/harbour.xml", body, content_type="application/rss+xml")
    await db.feeds.add(url, ("business",), 5, clock.now())
    assert len(await admin_service.poll_due_feeds(clock.now())) == 2
    clock.advance(601)
    spam = [
        _story(n, news_site, title=f"Cheap watch deal {n}", published=_iso(clock.now() - 60))
        for n in range(100, 220)
    ]
    swapped = _site_rss("Best Deals Online", "https://deals.example/shop", spam)
    news_site.add("/harbour.xml", swapped, content_type="application/rss+xml")
    caplog.set_level(logging.WARNING)

    assert await admin_service.poll_due_feeds(clock.now()) == []

    assert await db.articles.count() == 122  # stored for /latest and /search, all at once
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert f"feed {url} now looks like a different site" in warning
    assert "'Best Deals Online' of deals.example, was 'Harbour Post' of harbour.example" in warning
    [notice] = await db.notices.claim(clock.now(), 10)
    assert (notice.chat_id, notice.key) == (5, f"feed-swapped:1:{clock.now()}")
    assert notice.text == (
        "⚠️ Feed <b>Harbour Post</b> now looks like a different site: it is called <b>Best Deals Online "
        "(deals.example)</b> and lists none of the items it listed before (its domain may have changed "
        f"hands).\n{url}\nThe 120 items it lists now were stored but not sent to anyone.\n"
        f"<code>/removefeed {url}</code> drops it; if the change is legitimate, do nothing: later polls "
        "alert its new items as usual."
    )
    # From now on it is that site's feed: what it adds is news as for any feed, and nobody is told again.
    clock.advance(601)
    fresh = _story(300, news_site, title="Deals site opens a harbour shop", published=_iso(clock.now() - 60))
    news_site.add(
        "/harbour.xml",
        _site_rss("Best Deals Online", "https://deals.example/shop", [fresh, *spam]),
        content_type="application/rss+xml",
    )
    assert [a.title for a in await admin_service.poll_due_feeds(clock.now())] == [
        "Deals site opens a harbour shop"
    ]
    assert await db.notices.claim(clock.now(), 10) == []


async def test_another_sites_feed_first_read_cut_short_stays_quiet_when_read_whole(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # The swap's read cut short must not leave the rest of the other site's list to alert at the next poll.
    body = _site_rss("Harbour Post", "https://harbour.example/", [_story(n, news_site) for n in (2, 1)])
    url = news_site.add("/harbour.xml", body, content_type="application/rss+xml")
    await db.feeds.add(url, (), None, clock.now())
    assert len(await service.poll_due_feeds(clock.now())) == 2
    clock.advance(601)
    spam = [
        _story(n, news_site, title=f"Cheap watch deal {n}", published=_iso(clock.now() - 60))
        for n in range(10, 20)
    ]
    whole = _site_rss("Best Deals Online", "https://deals.example/", spam)
    news_site.add("/harbour.xml", whole[: whole.index("figure15x20")], content_type="application/rss+xml")
    assert await service.poll_due_feeds(clock.now()) == []
    clock.advance(601 * 2)
    news_site.add("/harbour.xml", whole, content_type="application/rss+xml")
    assert await service.poll_due_feeds(clock.now()) == []
    assert await db.articles.count() == 12
    feed = await db.feeds.get(1)
    assert feed is not None and (feed.title, feed.link, feed.failures) == (
        "Best Deals Online",
        "https://deals.example/",
        0,
    )


@pytest.mark.parametrize("before", ["dead", "not modified"])
async def test_another_sites_feed_months_after_the_feed_was_last_read_whole_is_read_as_a_new_feed(
    before: str, service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # A lapsed domain is sold months after its site went down (or after months of 304s from a site left alone):
    # the daily clean-up had forgotten every item the feed listed after 90 days, so the swap check, which needs
    # them, was skipped and the other site's 60 items alerted every subscriber of the feed.
    body = _site_rss("Harbour Post", "https://harbour.example/", [_story(n, news_site) for n in (2, 1)])
    url = news_site.add("/harbour.xml", body, content_type="application/rss+xml", auto_etag=True)
    await db.feeds.add(url, (), None, clock.now())
    assert len(await service.poll_due_feeds(clock.now())) == 2
    for _month in range(4):
        clock.advance(30 * 86400)
        if before == "dead":
            news_site.add("/harbour.xml", "gone", status=410, content_type="text/plain")
        assert await service.poll_due_feeds(clock.now()) == []  # a 410, or a 304
        await db.feeds.forget_items(clock.now() - FORGET_PRUNED_AFTER_SECONDS)  # the daily clean-up
    feed = await db.feeds.get(1)
    assert feed is not None and feed.dead == (before == "dead")
    clock.advance(86400)
    spam = [
        _story(n, news_site, title=f"Cheap watch deal {n}", published=_iso(clock.now() - 60))
        for n in range(100, 160)
    ]
    news_site.add(
        "/harbour.xml",
        _site_rss("Best Deals Online", "https://deals.example/", spam),
        content_type="application/rss+xml",
    )

    assert await service.poll_due_feeds(clock.now()) == []

    assert await db.articles.count() == 62
    feed = await db.feeds.get(1)
    assert feed is not None and (feed.title, feed.dead) == ("Best Deals Online", False)


@pytest.mark.parametrize("change", ["renamed", "moved", "redesigned"])
async def test_a_renamed_moved_or_redesigned_feed_still_alerts_its_new_items(
    change: str, service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # A new name or a new site with the items kept, or all items replaced on the same site: the same feed.
    before = [_story(n, news_site) for n in (2, 1)]
    url = news_site.add(
        "/harbour.xml",
        _site_rss("Harbour Post", "https://harbour.example/", before),
        content_type="application/rss+xml",
    )
    await db.feeds.add(url, (), None, clock.now())
    assert len(await service.poll_due_feeds(clock.now())) == 2
    clock.advance(601)
    fresh = [_story(n, news_site, published=_iso(clock.now() - 60)) for n in (4, 3)]
    if change == "renamed":
        body = _site_rss("The Harbour Post Daily", "https://harbour.example/", [*fresh, *before])
    elif change == "moved":
        body = _site_rss("Harbour Post", "https://harbourpost.example/", [*fresh, *before])
    else:
        body = _site_rss("Harbour Post", "https://harbour.example/new/", fresh)
    news_site.add("/harbour.xml", body, content_type="application/rss+xml")
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == [
        "Harbour report number 4",
        "Harbour report number 3",
    ]
    assert await db.notices.claim(clock.now(), 10) == []


async def test_a_feed_that_moved_for_good_is_polled_at_its_new_address(
    service: IngestService,
    db: Database,
    clock: FakeClock,
    news_site: NewsSite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A feed moved with a 301 was fetched through the redirect at every poll forever, and /feeds kept showing
    # the old address. A temporary redirect (302) leaves the address alone.
    caplog.set_level(logging.INFO)
    await news_site.publish("business", CAR_TITLE, CAR_BODY)
    news_site.add_redirect("/old.xml", "/feeds/business.xml", status=301)
    news_site.add_redirect("/maintenance.xml", "/feeds/business.xml", status=302)
    moved, _ = await db.feeds.add(news_site.url("/old.xml"), (), None, clock.now())
    kept, _ = await db.feeds.add(news_site.url("/maintenance.xml"), (), None, clock.now())
    await service.poll_due_feeds(clock.now())
    after = await db.feeds.get(moved.id)
    assert after is not None and after.url == news_site.feed_url("business") and after.last_success_at
    assert "moved for good" in caplog.text
    still = await db.feeds.get(kept.id)
    assert still is not None and still.url == news_site.url("/maintenance.xml")
    clock.advance(3600)
    await service.poll_due_feeds(clock.now())
    assert news_site.hits("/old.xml") == 1 and news_site.hits("/maintenance.xml") == 2


async def test_a_settings_feed_that_moved_keeps_its_address_and_the_operator_is_told(
    service: IngestService,
    db: Database,
    clock: FakeClock,
    news_site: NewsSite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # NEWSBOT_FEEDS lives in the environment: the next start would put the old address back as a new feed.
    await news_site.publish("business", CAR_TITLE, CAR_BODY)
    old = news_site.add_redirect("/old.xml", "/feeds/business.xml", status=308)
    await db.feeds.sync_from_settings([(old, ())], clock.now())
    for _ in range(2):
        await service.poll_due_feeds(clock.now())
        clock.advance(3600)
    assert [f.url for f in await db.feeds.list()] == [old]
    told = [r.getMessage() for r in caplog.records if "NEWSBOT_FEEDS" in r.getMessage()]
    assert len(told) == 1 and news_site.feed_url("business") in told[0]


async def test_a_feed_behind_a_login_that_moved_keeps_the_address_with_its_login(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # The new address would lose the login the feed needs: the old one, which still works, is kept.
    await news_site.publish("business", CAR_TITLE, CAR_BODY)
    target = news_site.feed_url("business").replace("127.0.0.1", "localhost")
    old = news_site.add_redirect("/old.xml", target, status=301).replace("http://", "http://reader:pw@")
    feed, _ = await db.feeds.add(old, (), None, clock.now())
    await service.poll_due_feeds(clock.now())
    after = await db.feeds.get(feed.id)
    assert after is not None and after.url == old and after.last_success_at


async def test_a_feeds_credentials_never_reach_the_log(
    service: IngestService,
    db: Database,
    clock: FakeClock,
    news_site: NewsSite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A feed behind a login or an API key is added with it in its address; failures and the recovery are
    # logged with the address, through the filter configure_logging installs.
    caplog.handler.addFilter(RedactTokenFilter())
    caplog.set_level(logging.INFO)
    url = news_site.add("/private.xml", "<html><body>log in</body></html>", content_type="text/html")
    url = url.replace("http://", "http://reader:s3cretpw@") + "?apikey=k456secret&edition=uk"
    feed, _ = await db.feeds.add(url, (), None, clock.now())
    for _ in range(DEAD_AFTER_FAILURES):
        await service.poll_due_feeds(clock.now())
        current = await db.feeds.get(feed.id)
        assert current is not None
        clock.set(current.next_poll_at)
    news_site.add(
        "/private.xml",
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Back</title></channel></rss>",
        content_type="application/rss+xml",
    )
    await service.poll_due_feeds(clock.now())
    failed = [r.getMessage() for r in caplog.records if "failed (" in r.getMessage()]
    assert failed and "works again" in caplog.text
    assert "s3cretpw" not in caplog.text and "k456secret" not in caplog.text
    assert "reader:***@" in failed[0] and "/private.xml?apikey=***&edition=uk" in failed[0]
    assert current.last_error and "s3cretpw" not in current.last_error


async def test_the_log_says_when_a_failing_feed_is_marked_dead(
    service: IngestService,
    db: Database,
    clock: FakeClock,
    news_site: NewsSite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The tenth failure in a row was logged like the nine before it: an operator without a private chat with
    # the bot never learned from the log that the feed was now dead and polled only once a day.
    url = news_site.add("/down.xml", "gone fishing", status=404, content_type="text/plain")
    feed, _ = await db.feeds.add(url, (), None, clock.now())
    caplog.set_level(logging.INFO, logger="bot")
    for _ in range(DEAD_AFTER_FAILURES + 1):
        await service.poll_due_feeds(clock.now())
        current = await db.feeds.get(feed.id)
        assert current is not None
        clock.set(current.next_poll_at)
    told = [r.getMessage() for r in caplog.records if r.getMessage().startswith(f"feed {url} ")]
    assert len(told) == DEAD_AFTER_FAILURES + 1
    assert [line for line in told if "marked dead" in line] == [told[DEAD_AFTER_FAILURES - 1]]
    assert "(10 in a row)" in told[DEAD_AFTER_FAILURES - 1] and "once a day" in told[DEAD_AFTER_FAILURES - 1]


async def test_the_log_says_when_a_feed_that_failed_a_few_times_works_again(
    service: IngestService,
    db: Database,
    clock: FakeClock,
    news_site: NewsSite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A feed's site down for an hour logged "failed (1 in a row)", "(2 in a row)" and then nothing once it was
    # back: only a dead feed's recovery was logged, so the last word of the log was that the feed was failing.
    await news_site.publish("business", CAR_TITLE, CAR_BODY)
    url = news_site.add("/feeds/business.xml", "Service Unavailable", status=503, content_type="text/plain")
    feed, _ = await db.feeds.add(url, (), None, clock.now())
    caplog.set_level(logging.INFO, logger="bot")
    for _ in range(2):
        await service.poll_due_feeds(clock.now())
        current = await db.feeds.get(feed.id)
        assert current is not None
        clock.set(current.next_poll_at)
    news_site.add("/feeds/business.xml", news_site.feed_xml("business"), content_type="application/rss+xml")
    await service.poll_due_feeds(clock.now())
    told = [r.getMessage() for r in caplog.records if r.getMessage().startswith(f"feed {url} ")]
    assert told[-1] == f"feed {url} works again after 2 failed polls", told


async def test_a_rate_limited_feed_is_asked_again_only_when_the_site_said(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # A 429 with "Retry-After: 7200" was polled again after 10 minutes, and again at each backoff step: a site
    # that rate-limits keeps refusing (or bans) a client that ignores it, and its news never arrives.
    url = news_site.add(
        "/busy.xml",
        "Too many requests",
        status=429,
        headers={"Retry-After": "7200"},
        content_type="text/plain",
    )
    await db.feeds.add(url, ("business",), None, clock.now() - 60)
    assert await service.poll_due_feeds(clock.now()) == []
    for _ in range(11):
        clock.advance(600)
        await service.poll_due_feeds(clock.now())
    assert news_site.hits("/busy.xml") == 1
    await news_site.publish("business", CAR_TITLE, CAR_BODY)
    news_site.add("/busy.xml", news_site.feed_xml("business"), content_type="application/rss+xml")
    clock.advance(600)
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == [CAR_TITLE]


async def test_a_feed_served_as_a_gzip_file_is_read(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # A static host serving a pre-compressed feed.xml.gz as itself (no Content-Encoding), or a proxy that
    # labels the compressed answer application/x-gzip: "That link leads to a compressed archive", every poll.
    await news_site.publish("business", CAR_TITLE, CAR_BODY)
    packed = gzip.compress(news_site.feed_xml("business").encode())
    untyped = news_site.add("/s3.xml", packed, content_type="application/octet-stream")
    labelled = news_site.add(
        "/proxy.xml", packed, content_type="application/x-gzip", headers={"Content-Encoding": "gzip"}
    )
    for url in (untyped, labelled):
        await db.feeds.add(url, (), None, clock.now() - 60)
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == [CAR_TITLE]
    assert all(f.failures == 0 and f.last_success_at for f in await db.feeds.list())


@pytest.mark.parametrize(
    ("content_type", "prolog", "title", "encoded"),
    [
        # The charset named only by the Content-Type: a guess read this short feed as Windows-1252 ("Wa³êsa").
        (
            "application/rss+xml; charset=ISO-8859-2",
            '<?xml version="1.0"?>',
            "Lech Wałęsa meets reporters in Gdańsk",
            lambda xml: xml.encode("iso-8859-2"),
        ),
        # Declared UTF-8, and so it is but for one stray Latin-1 byte: read as ISO-8859-15, every accent of it
        # came out garbled ("CafÃ© owners in ZÃŒrich").
        (
            "application/rss+xml; charset=utf-8",
            '<?xml version="1.0" encoding="utf-8"?>',
            "Café owners in Zürich welcome the vote",
            lambda xml: xml.encode().replace(b"Tuesday.", b"Tuesday in Gen\xe8ve."),
        ),
        # UTF-16 with no byte order mark, said by the server, by the declaration (whose NULs show how it is
        # written, as XML reads it), or by both: refused as binary data at every poll ("That is binary data").
        (
            "application/rss+xml; charset=utf-16le",
            "",
            "Café owners in Zürich welcome the vote",
            lambda xml: xml.encode("utf-16-le"),
        ),
        (
            "application/rss+xml",
            '<?xml version="1.0" encoding="UTF-16BE"?>',
            "Café owners in Zürich welcome the vote",
            lambda xml: xml.encode("utf-16-be"),
        ),
        (
            "application/rss+xml; charset=utf-16",
            '<?xml version="1.0" encoding="utf-16"?>\n',
            "Café owners in Zürich welcome the vote",
            lambda xml: xml.encode("utf-16-le"),
        ),
        # Labelled with the older name of the code page it is written in, read as browsers read such labels: one
        # Windows-31J or UHC letter outside Shift_JIS or EUC-KR and a short feed was guessed, its headline
        # mojibake ("îà‹´‚³‚ñŽ«”C" for "髙橋さん辞任").
        (
            "application/rss+xml; charset=Shift_JIS",
            '<?xml version="1.0"?>',
            "髙橋さん辞任",
            lambda xml: xml.encode("cp932"),
        ),
        (
            "application/rss+xml; charset=euc-kr",
            '<?xml version="1.0"?>',
            "똠방각하",
            lambda xml: xml.encode("cp949"),
        ),
        # UTF-32BE's first "<" is three NULs and 0x3C: refused as "a media file" (an MP4's start) at every poll.
        (
            "application/rss+xml",
            '<?xml version="1.0" encoding="UTF-32BE"?>',
            "Café owners in Zürich welcome the vote",
            lambda xml: xml.encode("utf-32-be"),
        ),
    ],
)
async def test_a_feed_not_in_its_declared_encoding_keeps_its_letters(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite, content_type: str, prolog: str,
    title: str, encoded: Callable[[str], bytes],
) -> None:  # fmt: skip
    item = f"<item><title>{title}</title><link>{news_site.url('/press/1')}</link><description>"
    item += "The council voted on Tuesday.</description></item>"
    xml = f'{prolog}<rss version="2.0"><channel><title>Press</title>{item}</channel></rss>'
    url = news_site.add("/press.xml", encoded(xml), content_type=content_type)
    await db.feeds.add(url, (), None, clock.now() - 60)
    await service.poll_due_feeds(clock.now())
    assert [a.title for a in await db.articles.latest(10)] == [title]


async def test_a_json_feed_is_read_in_the_charset_its_server_names(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # The server's charset was used for RSS and Atom but not JSON Feed: guessed, the title came out "Wa³êsa".
    def feed(n: int, title: str) -> str:
        item = {
            "id": str(n),
            "url": news_site.url(f"/press/{n}"),
            "title": title,
            "content_text": "He spoke.",
        }
        doc = {"version": "https://jsonfeed.org/version/1.1", "title": "Press", "items": [item]}
        return json.dumps(doc, ensure_ascii=False)

    title = "Lech Wałęsa meets reporters in Gdańsk"
    latin2 = news_site.add(
        "/press.json",
        feed(1, title).encode("iso-8859-2"),
        content_type="application/feed+json; charset=ISO-8859-2",
    )
    # A server's default "iso-8859-1" does not garble a feed that is UTF-8, as the standard says it is.
    utf8 = news_site.add(
        "/utf8.json",
        feed(2, "Café owners in Zürich").encode(),
        content_type="application/json; charset=iso-8859-1",
    )
    for url in (latin2, utf8):
        await db.feeds.add(url, (), None, clock.now() - 60)
    await service.poll_due_feeds(clock.now())
    assert sorted(a.title for a in await db.articles.latest(10)) == ["Café owners in Zürich", title]


@pytest.mark.parametrize(
    ("content_type", "encoded"),
    [
        # Saved by a Windows tool, with a byte order mark: its first bytes are no "{".
        ("application/feed+json", lambda doc: doc.encode("utf-16")),
        ("application/feed+json", lambda doc: codecs.BOM_UTF16_BE + doc.encode("utf-16-be")),
        ("application/feed+json", lambda doc: doc.encode("utf-32")),
        # No byte order mark, its charset named by the server: "{" and a NUL, read as UTF-8, was invalid JSON.
        ("application/feed+json; charset=utf-16le", lambda doc: doc.encode("utf-16-le")),
        ("application/feed+json; charset=utf-16be", lambda doc: doc.encode("utf-16-be")),
    ],
)
async def test_a_json_feed_in_utf16_or_utf32_is_read(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite, content_type: str,
    encoded: Callable[[str], bytes],
) -> None:  # fmt: skip
    # Refused at every poll: "That is not a news feed (no RSS, Atom or JSON Feed found)."
    title = "Café owners in Zürich welcome the vote"
    item = {"id": "1", "url": news_site.url("/press/1"), "title": title, "content_text": "The council voted."}
    doc = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "Press", "items": [item]})
    url = news_site.add("/press.json", encoded(doc), content_type=content_type)
    await db.feeds.add(url, (), None, clock.now() - 60)
    await service.poll_due_feeds(clock.now())
    [feed] = await db.feeds.list()
    assert feed.last_error is None and feed.title == "Press"
    assert [a.title for a in await db.articles.latest(10)] == [title]


async def test_a_feed_a_page_names_is_read_in_the_charset_its_server_names(
    service: IngestService, news_site: NewsSite
) -> None:
    # /addfeed of a site's page: the feed it names, in ISO-8859-2 said only by its Content-Type, was added under
    # a title guessed in Windows-1252 ("Wa³êsa").
    title = "Lech Wałęsa's Gdańsk"
    xml = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title></channel></rss>'
    feed = news_site.add(
        "/gdansk.xml", xml.encode("iso-8859-2"), content_type="application/rss+xml; charset=ISO-8859-2"
    )
    page = news_site.add(
        "/gdansk.html",
        f'<html><head><title>News</title><link rel="alternate" type="application/rss+xml" href="{feed}"></head></html>',
    )
    check = await service.check_feed(page)
    assert (check.url, check.title) == (feed, title)


async def test_a_feeds_declared_topics_tag_every_item_of_it(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # NEWSBOT_FEEDS "URL=science" or "/addfeed URL science": every item carries the topic, even one whose own
    # text and categories name another (the news site's feeds carry categories, so they cannot show this).
    def rss(title: str, link: str, body: str) -> str:
        item = (
            f"<item><title>{title}</title><link>{link}</link><description>{body}</description>"
            f"<pubDate>{_rfc822(clock.now())}</pubDate></item>"
        )
        return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Lab</title>{item}</channel></rss>"

    lab = news_site.add(
        "/lab.xml",
        rss("Lab report", news_site.url("/lab/1"), HEALTH_BODY),
        content_type="application/rss+xml",
    )
    plain = news_site.add(
        "/plain.xml",
        rss("Car report", news_site.url("/plain/1"), CAR_BODY),
        content_type="application/rss+xml",
    )
    await db.feeds.add(lab, ("science",), None, clock.now() - 60)
    await db.feeds.add(plain, (), None, clock.now() - 60)
    new = {a.title: a.topics for a in await service.poll_due_feeds(clock.now())}
    assert "science" in new["Lab report"] and "health" in new["Lab report"]
    assert "science" not in new["Car report"] and "automotive" in new["Car report"]


def _health_page(news_site: NewsSite, headline: str) -> str:
    """An article page at /story.html with the health story as its text; returns its URL."""
    paragraphs = "".join(f"<p>{s}</p>" for s in HEALTH_BODY.split("\n\n"))
    return news_site.add(
        "/story.html",
        f"<html><head><title>{headline}</title></head><body><article><h1>{headline}</h1>{paragraphs}"
        "</article></body></html>",
    )


async def _poll_one_teaser(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite, page: str
) -> Article:
    """Poll a feed whose one item, "Chip plant opens", links to ``page`` with only "Read more..." as its text."""
    rss = (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Teasers</title><link>http://x/</link>"
        f"<item><title>Chip plant opens</title><link>{page}</link><description>Read more...</description>"
        f"<pubDate>{_rfc822(clock.now())}</pubDate></item></channel></rss>"
    )
    feed_url = news_site.add("/teasers.xml", rss, content_type="application/rss+xml")
    await db.feeds.add(feed_url, (), None, clock.now() - 60)
    [article] = await service.poll_due_feeds(clock.now())
    return article


async def test_a_feed_item_link_cannot_write_a_line_of_its_own_into_the_log(
    service: IngestService,
    db: Database,
    clock: FakeClock,
    news_site: NewsSite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # An item's link is logged when its page fails ("kept the teaser of ..."), and a feed's link may hold line
    # breaks: the text after one stood in the log as a line of its own, which passed for one of the bot's.
    caplog.handler.addFilter(RedactTokenFilter())
    caplog.set_level(logging.INFO)
    forged = "2026-11-28 06:00:00,000 ERROR bot.run: database corrupt, delete newsbot.sqlite3"
    # https: a link of the feed's own scheme is resolved against its address, which drops line breaks.
    link = news_site.url("/gone.html").replace("http://", "https://") + f"&#13;&#10;{forged}&#27;[2J"
    article = await _poll_one_teaser(service, db, clock, news_site, link)
    assert article.title == "Chip plant opens"
    [kept] = [r.getMessage() for r in caplog.records if "kept the teaser" in r.getMessage()]
    assert "\n" not in kept and "\r" not in kept and "\x1b" not in kept, kept
    assert "\\r\\n" + forged in kept and "\\x1b[2J" in kept, kept
    assert not any(line.startswith(forged) for line in caplog.text.splitlines())


async def test_teaser_items_get_their_page_fetched(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    page = _health_page(news_site, "Chip plant opens")
    article = await _poll_one_teaser(service, db, clock, news_site, page)
    assert "vaccination rate" in article.body
    assert news_site.hits("/story.html") == 1


async def test_a_teaser_whose_page_is_a_bot_check_keeps_its_teaser(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # The page's "Checking your browser before accessing ..." was stored as the article and alerted to the
    # feed's followers under the item's headline.
    page = news_site.add(
        "/story.html",
        "<html><head><title>Just a moment...</title></head><body><h2>Checking your browser before accessing "
        "chips.example.</h2><p>This process is automatic. Your browser will redirect to your requested content "
        "shortly.</p><p>Please allow up to 5 seconds...</p></body></html>",
    )
    article = await _poll_one_teaser(service, db, clock, news_site, page)
    assert article.title == "Chip plant opens" and article.body == "Read more..."
    with pytest.raises(UserError, match=r"^That page is the site's check for robots"):
        await service.summarize_url(news_site.url("/story.html?again"), 3, chat_id=7)


async def test_a_teaser_whose_page_is_behind_a_paywall_is_stored_as_only_its_start(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # The page's visible paragraphs replaced the teaser, and their summary (by id or button) read as the article's.
    paragraphs = "".join(f"<p>{s}</p>" for s in HEALTH_BODY.split("\n\n")[:2])
    page = news_site.add(
        "/story.html",
        f"<html><head><title>Chip plant opens</title></head><body><article><h1>Chip plant opens</h1>{paragraphs}"
        "<div class='paywall'><p>Subscribe to continue reading.</p></div></article></body></html>",
    )
    article = await _poll_one_teaser(service, db, clock, news_site, page)
    assert HEALTH_BODY.split("\n\n")[0] in article.body
    stored = await db.articles.get_by_url(article.url)
    assert stored is not None and stored.partial


async def test_a_teaser_whose_page_shows_only_the_wall_keeps_its_teaser_as_only_the_start(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # The wall's "This article is only available to subscribers." replaced the teaser and was alerted as the
    # story's summary. The teaser stays, and is known to be only the start of an article behind a wall.
    page = news_site.add(
        "/story.html",
        "<html><head><title>Chip plant opens</title></head><body><article><h1>Chip plant opens</h1>"
        "<div class='paywall'><p>This article is only available to subscribers. Subscribe to continue reading."
        "</p></div></article></body></html>",
    )
    article = await _poll_one_teaser(service, db, clock, news_site, page)
    assert article.body == "Read more..."
    stored = await db.articles.get_by_url(article.url)
    assert stored is not None and stored.partial


async def test_a_poll_fetches_at_most_ten_teaser_pages(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # A feed of teasers costs a page fetch an item: one poll must not hammer the site (or stall the poller).
    items = []
    for n in range(1, 13):
        page = news_site.add(f"/t/{n}.html", f"<html><body><article><p>Item {n}.</p></article></body></html>")
        items.append(
            f"<item><title>Plant {n} opens</title><link>{page}</link><description>Read more...</description>"
            f"<pubDate>{_rfc822(clock.now() + n)}</pubDate></item>"
        )
    rss = "<?xml version='1.0'?><rss version='2.0'><channel><title>Teasers</title><link>http://x/</link>"
    url = news_site.add("/many-teasers.xml", rss + "".join(items) + "</channel></rss>")
    await db.feeds.add(url, (), None, clock.now() - 60)
    await service.poll_due_feeds(clock.now() + 30)
    assert sum(news_site.hits(f"/t/{n}.html") for n in range(1, 13)) == 10
    assert await db.articles.count() == 12  # the other two keep their teaser


async def test_teaser_pages_that_fail_still_count_toward_the_ten_a_poll(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    items = [
        f"<item><title>Plant {n} opens</title><link>{news_site.url(f'/gone/{n}.html')}</link>"
        f"<description>Read more...</description><pubDate>{_rfc822(clock.now() + n)}</pubDate></item>"
        for n in range(1, 13)
    ]
    rss = "<?xml version='1.0'?><rss version='2.0'><channel><title>Teasers</title><link>http://x/</link>"
    url = news_site.add("/gone-teasers.xml", rss + "".join(items) + "</channel></rss>")
    await db.feeds.add(url, (), None, clock.now() - 60)
    await service.poll_due_feeds(clock.now() + 30)
    assert sum(news_site.hits(f"/gone/{n}.html") for n in range(1, 13)) == 10
    assert await db.articles.count() == 12


async def test_a_teaser_page_that_redirects_to_a_mail_address_keeps_the_item_and_explains_a_link(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # httpx raised InvalidURL on such a Location: the item was dropped with a traceback at every poll, and
    # /summary of the link answered "something went wrong".
    page = news_site.add_redirect("/moved.html", "mailto:desk@example.com")
    article = await _poll_one_teaser(service, db, clock, news_site, page)
    assert article.title == "Chip plant opens" and article.body == "Read more..."
    with pytest.raises(UserError, match="redirected to an address newsbot cannot fetch"):
        await service.summarize_url(news_site.url("/moved.html?again"), 3, chat_id=7)


async def test_a_feed_archive_of_old_items_is_one_log_line_naming_the_feed(
    service: IngestService,
    db: Database,
    clock: FakeClock,
    news_site: NewsSite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A feed listing years of posts logged one INFO line per item older than the retention window (up to
    # 1,000 on its first poll), and none of them said which feed it was.
    old = _iso(clock.now() - 400 * 86400.0)
    url = news_site.add(
        "/archive.json",
        _json_feed("Archive", [_story(n, news_site, published=old) for n in range(1, 13)]),
        content_type="application/json",
    )
    await db.feeds.add(url, (), None, clock.now() - 60)
    caplog.set_level(logging.INFO, logger="bot")
    assert await service.poll_due_feeds(clock.now()) == []
    assert await db.articles.count() == 12
    told = [r.getMessage() for r in caplog.records if "retention window" in r.getMessage()]
    assert told == [f"feed {url}: stored 12 items published before the retention window, without alerts"]


async def test_pruned_items_are_not_fetched_again_and_old_news_is_not_alerted(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    day = 86400.0

    def item(title: str, link: str, when: float, body: str) -> str:
        date = format_datetime(datetime.fromtimestamp(when, UTC), usegmt=True)
        return f"<item><title>{title}</title><link>{link}</link><description>{body}</description><pubDate>{date}</pubDate></item>"

    def publish(*items: str) -> str:
        rss = "<?xml version='1.0'?><rss version='2.0'><channel><title>Teasers</title><link>http://x/</link>"
        return news_site.add(
            "/teasers.xml", rss + "".join(items) + "</channel></rss>", content_type="application/rss+xml"
        )

    page = news_site.add(
        "/story.html",
        "<html><head><title>Flu</title></head><body><article><h1>Fewer flu cases</h1>"
        + "".join(f"<p>{s}</p>" for s in HEALTH_BODY.split("\n\n"))
        + "</article></body></html>",
    )
    teaser = item("Fewer flu cases", page, clock.now() + 60, "Read more...")
    await db.feeds.add(publish(teaser), (), None, clock.now())
    clock.advance(120)
    [stored] = await service.poll_due_feeds(clock.now())
    # The running bot plans its alerts in the same tick (nobody subscribes here); until then pruning keeps it.
    assert stored.id is not None
    await db.articles.clear_alert_pending([stored.id])
    # 31 days on, the article is pruned; the feed still lists it, with an old item that is new to us.
    clock.advance(31 * day)
    assert await db.articles.prune(clock.now() - 30 * day, clock.now()) == 1
    old_news = item(
        CAR_TITLE, news_site.url("/old-car"), clock.now() - 40 * day, CAR_BODY.replace("\n\n", " ")
    )
    publish(teaser, old_news)
    assert await service.poll_due_feeds(clock.now()) == []
    # The pruned teaser was neither fetched nor stored again; the old item is stored for /search, unalerted.
    assert news_site.hits("/story.html") == 1
    assert [a.title for a in await db.articles.latest(10)] == [CAR_TITLE]
    # Listed again today, the pruned teaser is remembered 90 more days.
    assert await db.articles.forget_pruned(clock.now() - 90 * day) == 0


async def test_an_item_whose_link_gets_a_new_session_id_at_every_fetch_is_not_news_again(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # Each fetch of the feed put a new session id in every link, under the same guid: every item looked new,
    # its page was fetched at every poll, and once those fetches were used up an old item was stored again
    # from its teaser and alerted a second time.
    def page(n: int) -> str:
        text = "".join(
            f"<p>Paragraph {k}: quay{n} saw cargo{n}x{k} arrive at the harbour today.</p>" for k in range(12)
        )
        return news_site.add(
            f"/p/{n}", f"<html><body><article><h1>Story {n}</h1>{text}</article></body></html>"
        )

    pages = [page(n) for n in range(12)]

    def listing(session: int, count: int) -> str:
        items = "".join(
            f"<item><title>Story {n}</title><link>{pages[n]}?PHPSESSID={session}</link><guid>item-{n}</guid>"
            f"<description>Read more...</description><pubDate>{_rfc822(clock.now() - n)}</pubDate></item>"
            for n in range(count - 1, -1, -1)
        )
        return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Port</title>{items}</channel></rss>"

    url = news_site.add("/port.xml", listing(1, 10), content_type="application/rss+xml")
    await db.feeds.add(url, (), None, clock.now() - 60)
    assert len(await service.poll_due_feeds(clock.now())) == 10
    clock.advance(601)
    news_site.add("/port.xml", listing(2, 11), content_type="application/rss+xml")
    [article] = await service.poll_due_feeds(clock.now())
    assert article.title == "Story 10" and "cargo10x3" in article.body
    assert sum(news_site.hits(f"/p/{n}") for n in range(12)) == 11  # each page once


def _moved_site_listing(news_site: NewsSite, prefix: str, count: int, now: float) -> str:
    """A feed of ``count`` teasers (guids item-N, titles "Story N", dated the hour before ``now``) whose pages
    live under ``prefix``: a site that moves its articles changes the prefix and keeps guids, titles and dates."""

    def page(n: int) -> str:
        text = "".join(
            f"<p>Paragraph {k}: quay{n} saw cargo{n}x{k} arrive at the harbour today.</p>" for k in range(12)
        )
        return news_site.add(
            f"{prefix}/p/{n}", f"<html><body><article><h1>Story {n}</h1>{text}</article></body></html>"
        )

    items = "".join(
        f"<item><title>Story {n}</title><link>{page(n)}</link>"
        f"<guid isPermaLink='false'>item-{n}</guid><description>Read more...</description>"
        f"<pubDate>{_rfc822(now - 3600 + n)}</pubDate></item>"
        for n in range(count - 1, -1, -1)
    )
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Port</title>{items}</channel></rss>"


async def test_items_a_site_moved_to_new_addresses_under_their_guids_are_not_news_again(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # The site moved its articles from /p/N to /news/p/N; the feed kept each item's guid and title. Every item
    # looked new: its page was fetched again, and once the poll's ten page fetches were used up the next old
    # item was stored again from its teaser and alerted a second time.
    def listing(prefix: str, count: int) -> str:
        return _moved_site_listing(news_site, prefix, count, clock.now())

    url = news_site.add("/port.xml", listing("", 10), content_type="application/rss+xml")
    await db.feeds.add(url, (), None, clock.now() - 86400)
    assert len(await service.poll_due_feeds(clock.now())) == 10
    clock.advance(601)
    news_site.add("/port.xml", listing("", 11), content_type="application/rss+xml")
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == ["Story 10"]
    clock.advance(601)
    news_site.add("/port.xml", listing("/news", 11), content_type="application/rss+xml")
    assert await service.poll_due_feeds(clock.now()) == []
    assert sum(news_site.hits(f"/news/p/{n}") for n in range(11)) == 0  # nothing fetched again
    assert await db.articles.count() == 11
    # A new item under the new addresses is news as before.
    clock.advance(601)
    news_site.add("/port.xml", listing("/news", 12), content_type="application/rss+xml")
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == ["Story 11"]


async def test_a_feed_numbering_items_by_position_with_query_string_links_still_brings_new_items(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # guid "1" is whatever item is on top; the links differ only in their query string. The newest item takes
    # the guid and the path of an older one: it is news all the same, not an item seen before.
    def listing(ids: list[int]) -> str:
        items = "".join(
            f"<item><title>Notice {n}</title><link>{news_site.url('/article.php')}?id={n}</link>"
            f"<guid isPermaLink='false'>{pos}</guid><description>The harbour office published notice {n} about"
            f" berth {n * 3} and the cargo of ship number {n} arriving on pier {n + 1} this week.</description>"
            f"<pubDate>{_rfc822(clock.now() - pos)}</pubDate></item>"
            for pos, n in enumerate(ids, start=1)
        )
        return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Port</title>{items}</channel></rss>"

    url = news_site.add("/notices.xml", listing([2, 1]), content_type="application/rss+xml")
    await db.feeds.add(url, (), None, clock.now() - 60)
    assert len(await service.poll_due_feeds(clock.now())) == 2
    clock.advance(601)
    news_site.add("/notices.xml", listing([3, 2, 1]), content_type="application/rss+xml")
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == ["Notice 3"]


async def test_a_new_item_under_a_reused_guid_and_an_unshared_path_is_news(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # A feed of the latest notice only: guid "1", the notice's id in the query. Its one item shares its path
    # with no other, so the query is left out of its page; the next notice, under guid "1" and the same path,
    # was passed over as known and never stored nor alerted.
    def listing(n: int) -> str:
        item = (
            f"<item><title>Notice {n}</title><link>{news_site.url('/article.php')}?id={n}</link>"
            f"<guid isPermaLink='false'>1</guid><description>The harbour office published notice {n} about"
            f" berth {n * 3} and the cargo of ship number {n} arriving on pier {n + 1} this week.</description>"
            f"<pubDate>{_rfc822(clock.now())}</pubDate></item>"
        )
        return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Port</title>{item}</channel></rss>"

    url = news_site.add("/latest.xml", listing(1), content_type="application/rss+xml")
    await db.feeds.add(url, (), None, clock.now() - 60)
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == ["Notice 1"]
    clock.advance(601)
    news_site.add("/latest.xml", listing(2), content_type="application/rss+xml")
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == ["Notice 2"]
    clock.advance(601)
    # The same notice again, its link under a new session id: no second alert.
    news_site.add(
        "/latest.xml", listing(2).replace("?id=2", "?id=2&amp;sid=77"), content_type="application/rss+xml"
    )
    assert await service.poll_due_feeds(clock.now()) == []


async def test_a_new_issue_under_a_reused_guid_and_its_recurring_title_is_news(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # A feed of the latest briefing only: guid "1", the title "Daily briefing" every day, a new link and date.
    # Known by guid and title alone, every briefing after the first was passed over and never stored.
    def listing(day: int) -> str:
        link = news_site.add(
            f"/briefing/{day}",
            "<html><body><article><h1>Daily briefing</h1>"
            + "".join(
                f"<p>Paragraph {k}: on day {day} the ferry{day} carried crates{day}x{k} across the bay.</p>"
                for k in range(8)
            )
            + "</article></body></html>",
        )
        item = (
            f"<item><title>Daily briefing</title><link>{link}</link><guid isPermaLink='false'>1</guid>"
            f"<description>Read more...</description><pubDate>{_rfc822(clock.now())}</pubDate></item>"
        )
        return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Bay</title>{item}</channel></rss>"

    url = news_site.add("/briefing.xml", listing(1), content_type="application/rss+xml")
    await db.feeds.add(url, (), None, clock.now() - 60)
    assert [a.url for a in await service.poll_due_feeds(clock.now())] == [news_site.url("/briefing/1")]
    clock.advance(86400)
    news_site.add("/briefing.xml", listing(2), content_type="application/rss+xml")
    assert [a.url for a in await service.poll_due_feeds(clock.now())] == [news_site.url("/briefing/2")]
    clock.advance(601)
    assert await service.poll_due_feeds(clock.now()) == []


async def test_every_episode_of_a_podcast_linking_each_to_the_shows_home_page_is_news(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # Every item links to the show's site, told apart only by its guid: the first episode was stored under the
    # home page's address and every later one skipped as its duplicate, so subscribers never heard of them.
    home = news_site.url("/")

    def listing(numbers: list[int]) -> str:
        items = "".join(
            f"<item><title>Harbour Hour {n}</title><link>{home}</link><guid isPermaLink='false'>hh-{n}</guid>"
            f"<description>Episode {n}: the crew talks about berth {n * 3} and the ferry timetable.</description>"
            f"<pubDate>{_rfc822(clock.now() - 10 + n)}</pubDate></item>"
            for n in numbers
        )
        return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Harbour Hour</title><link>{home}</link>{items}</channel></rss>"

    url = news_site.add("/podcast.xml", listing([2, 1]), content_type="application/rss+xml")
    await db.feeds.add(url, (), None, clock.now() - 60)
    assert sorted(a.title for a in await service.poll_due_feeds(clock.now())) == [
        "Harbour Hour 1",
        "Harbour Hour 2",
    ]
    clock.advance(601)
    news_site.add("/podcast.xml", listing([3, 2, 1]), content_type="application/rss+xml")
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == ["Harbour Hour 3"]
    clock.advance(601)
    assert await service.poll_due_feeds(clock.now()) == []


def _episodes_rss(home: str, episodes: list[tuple[str, str, str]]) -> str:
    """A podcast feed whose episodes (title, show notes, audio address) have no link and no guid, only audio."""
    items = "".join(
        f"<item><title>{title}</title><description>{notes}</description>"
        f"<enclosure url='{audio}' length='1000' type='audio/mpeg'/></item>"
        for title, notes, audio in episodes
    )
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>Dock Talk</title><link>{home}</link>"
        f"{items}</channel></rss>"
    )


async def test_a_podcast_episode_known_only_by_its_audio_is_not_news_again_when_its_notes_are_edited(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # Episodes with no link and no guid were known by their title and the start of their notes: a publisher
    # adding a sponsor line to the notes (and the audio host signing each download address anew) made every
    # edited episode a new story, stored twice and alerted to every follower again. The audio is the episode.
    home = news_site.url("/")

    def episodes(notes: str, signature: int) -> list[tuple[str, str, str]]:
        return [
            (
                f"Dock Talk {n}",
                f"Episode {n}: the crew discusses berth {n * 3}. {notes}",
                news_site.url(f"/audio/dock-{n}.mp3?sig={signature}{n}"),
            )
            for n in (2, 1)
        ]

    url = news_site.add("/dock.xml", _episodes_rss(home, episodes("", 1)), content_type="application/rss+xml")
    await db.feeds.add(url, (), None, clock.now() - 60)
    await service.poll_due_feeds(clock.now())
    assert await db.articles.count() == 2
    clock.advance(601)
    edited = episodes("Sponsored by the Harbour Bakery.", 7)
    news_site.add("/dock.xml", _episodes_rss(home, edited), content_type="application/rss+xml")
    assert await service.poll_due_feeds(clock.now()) == []
    assert await db.articles.count() == 2
    # A new episode is still news, and two episodes served from one download address stay two.
    clock.advance(601)
    newer = [
        ("Dock Talk 4", "Episode 4: tugboats.", news_site.url("/audio/play?ep=4")),
        ("Dock Talk 3", "Episode 3: cranes.", news_site.url("/audio/play?ep=3")),
        *edited,
    ]
    news_site.add("/dock.xml", _episodes_rss(home, newer), content_type="application/rss+xml")
    assert sorted(a.title for a in await service.poll_due_feeds(clock.now())) == [
        "Dock Talk 3",
        "Dock Talk 4",
    ]
    assert await db.articles.count() == 4


async def test_podcast_episodes_stored_by_an_older_newsbot_are_recognised_and_not_alerted_after_an_edit(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # An older newsbot named an episode without link or guid after its title and notes. After the upgrade the
    # episode it stored is still that episode: not stored or alerted again, now or when its notes are edited.
    home = news_site.url("/")

    def episodes(notes: str) -> list[tuple[str, str, str]]:
        return [
            (
                f"Dock Talk {n}",
                f"Episode {n}: the crew discusses berth {n * 3}.{notes}",
                news_site.url(f"/audio/dock-{n}.mp3"),
            )
            for n in (2, 1)
        ]

    url = news_site.add("/dock.xml", _episodes_rss(home, episodes("")), content_type="application/rss+xml")
    await db.feeds.add(url, (), None, clock.now() - 60)
    await service.poll_due_feeds(clock.now())
    async with db.write() as conn:  # the names the older newsbot gave them
        for title, notes, _ in episodes(""):
            former = hashlib.sha1(f"{home}\n{title}\n{notes}".encode()).hexdigest()[:20]
            await conn.execute(
                "UPDATE articles SET url = ? WHERE title = ?", (f"urn:newsbot:{former}", title)
            )
    clock.advance(601)
    news_site.add("/dock.xml", _episodes_rss(home, episodes("")), content_type="application/rss+xml")
    assert await service.poll_due_feeds(clock.now()) == []
    clock.advance(601)
    news_site.add(
        "/dock.xml",
        _episodes_rss(home, episodes(" Sponsored by the Harbour Bakery.")),
        content_type="application/rss+xml",
    )
    assert await service.poll_due_feeds(clock.now()) == []
    assert await db.articles.count() == 2


async def test_items_an_older_newsbot_linked_to_their_guid_that_is_no_address_are_not_news_again(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # An older newsbot stored an item with no link and the guid "1042" under http://site/1042, the link feedparser
    # made of it. After the upgrade it is that item still, renamed: not stored or alerted again, nor once edited.
    def notices(title: str) -> str:
        item = f"<item><title>{title}</title><guid>1042</guid><description>Berth 4 is closed.</description></item>"
        return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Port notices</title>{item}</channel></rss>"

    url = news_site.add("/notices.xml", notices("Berth 4 closed"), content_type="application/rss+xml")
    await db.feeds.add(url, (), None, clock.now() - 60)
    await service.poll_due_feeds(clock.now())
    async with db.write() as conn:  # the address the older newsbot gave it
        await conn.execute("UPDATE articles SET url = ?", (news_site.url("/1042"),))
    for title in ("Berth 4 closed", "Berth 4 closed for repairs"):
        clock.advance(601)
        news_site.add("/notices.xml", notices(title), content_type="application/rss+xml")
        assert await service.poll_due_feeds(clock.now()) == []
    assert await db.articles.count() == 1
    assert await db.articles.get_by_url(news_site.url("/1042")) is None
    assert news_site.hits("/1042") == 0


async def test_an_item_with_no_link_guid_or_audio_is_not_news_again_when_its_text_is_edited(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # Known by its title and the start of its text, a notice the feed corrected was stored a second time and
    # every follower alerted again. Its title and date are the notice; a recurring title on another date, or
    # two notices under one title and date, are news.
    def notices(listed: list[tuple[str, str, float]]) -> str:
        items = "".join(
            f"<item><title>{title}</title><description>{text}</description><pubDate>{_rfc822(when)}</pubDate></item>"
            for title, text, when in listed
        )
        return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Port notices</title>{items}</channel></rss>"

    start = clock.now()
    url = news_site.add(
        "/notices.xml",
        notices([("Berth 4 closed", "Berth 4 is closed for repairs.", start - 30)]),
        content_type="application/rss+xml",
    )
    await db.feeds.add(url, (), None, start - 60)
    await service.poll_due_feeds(clock.now())
    clock.advance(601)
    corrected = ("Berth 4 closed", "Berth 4 is closed for repairs until Monday.", start - 30)
    news_site.add("/notices.xml", notices([corrected]), content_type="application/rss+xml")
    assert await service.poll_due_feeds(clock.now()) == []
    assert await db.articles.count() == 1
    clock.advance(601)
    later = [
        ("Berth 4 closed", "Berth 4 is closed again: a crane broke.", start + 900),
        ("Storm warning", "Gusts reach the outer buoy tonight.", start + 1000),
        ("Storm warning", "Small craft stay in the inner harbour.", start + 1000),
        corrected,
    ]
    news_site.add("/notices.xml", notices(later), content_type="application/rss+xml")
    assert sorted(a.title for a in await service.poll_due_feeds(clock.now())) == [
        "Berth 4 closed",
        "Storm warning",
        "Storm warning",
    ]
    clock.advance(601)
    assert await service.poll_due_feeds(clock.now()) == []
    assert await db.articles.count() == 4
    # A date without a time of day (written as midnight) does not tell a day's second notice from the first.
    midnight = start - start % 86400
    for text in ("High water at 06:10.", "High water at 18:40."):
        clock.advance(601)
        news_site.add(
            "/notices.xml", notices([("Tide table", text, midnight)]), content_type="application/rss+xml"
        )
        assert [a.title for a in await service.poll_due_feeds(clock.now())] == ["Tide table"]


async def test_summarize_url_stores_the_page_and_explains_failures(
    service: IngestService, db: Database, news_site: NewsSite
) -> None:
    await db.chats.register(7, "private", "Reader", ChatDefaults(), 0.0)
    published = await news_site.publish("automotive", CAR_TITLE, CAR_BODY)
    article, summary = await service.summarize_url(published.url + "?utm_source=x", 2, chat_id=7)
    assert article.id is not None and article.title == CAR_TITLE
    assert len(summary) == 2
    again, _ = await service.summarize_url(published.url, 2, chat_id=7)
    assert again.id == article.id  # canonical URL: stored once

    login = news_site.add(
        "/login", "<html><body><form><input name=user><input name=pw type=password></form></body></html>"
    )
    with pytest.raises(UserError, match=r"^That page has no article text \(it looks like a login page\)\.$"):
        await service.summarize_url(login, 3, chat_id=7)
    image = news_site.add("/photo.png", b"\x89PNG\r\n\x1a\n" + bytes(1000), content_type="image/png")
    with pytest.raises(UserError, match=r"^That link leads to an image, not a web page\.$"):
        await service.summarize_url(image, 3, chat_id=7)
    assert await db.articles.count() == 1  # failures store nothing


async def test_a_page_in_a_charset_only_its_header_names_is_read_in_that_charset(
    service: IngestService, db: Database, news_site: NewsSite
) -> None:
    # The server's charset was dropped and the bytes guessed at: this Polish page came out "ogģosiģ w ķrodę".
    await db.chats.register(7, "private", "Reader", ChatDefaults(), 0.0)
    sentences = [
        "Burmistrz miasta ogłosił w środę, że prace przy nowym moście rozpoczną się latem.",
        "Mieszkańcy wyrazili zaniepokojenie hałasem i ruchem przez dwa lata.",
        "Rada miejska jednogłośnie przyjęła budżet po długiej debacie.",
    ]
    paragraphs = "".join(f"<p>{s}</p>" for s in sentences * 2)
    page = f"<html><head><title>Nowy most</title></head><body><article>{paragraphs}</article></body></html>"
    url = news_site.add("/most.html", page.encode("iso-8859-2"), content_type="text/html; charset=ISO-8859-2")
    article, _ = await service.summarize_url(url, 3, chat_id=7)
    assert article.body.startswith(sentences[0])
    # A page that is UTF-8 stays UTF-8 whatever the server's default charset says
    url = news_site.add("/most-utf8.html", page.encode(), content_type="text/html; charset=iso-8859-1")
    article, _ = await service.summarize_url(url, 3, chat_id=7)
    assert article.body.startswith(sentences[0])


def _idna_labels_decoded(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The labels Python's idna codec decodes from now on (an "xn--" one costs time quadratic in its length)."""
    import encodings.idna

    labels: list[bytes] = []
    decode_label = encodings.idna.ToUnicode

    def spy(label: bytes | str) -> str:
        labels.append(label if isinstance(label, bytes) else label.encode("utf-8", "replace"))
        return decode_label(label)

    monkeypatch.setattr(encodings.idna, "ToUnicode", spy)
    return labels


async def test_a_page_or_feed_in_the_idna_codec_is_not_decoded_by_it(
    service: IngestService, db: Database, news_site: NewsSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Python's idna codec decodes an "xn--" label in quadratic time, as punycode does: a 100 kB page served as
    # "charset=idna" (or a feed declaring it, also behind a byte order mark, which hid punycode too) held a
    # parsing thread for seconds, a 5 MB one for hours, at every poll of such a feed or /summary of such a page.
    await db.chats.register(7, "private", "Reader", ChatDefaults(), 0.0)
    label = "xn--" + ("\u00e9\u4e00" * 1000).encode("punycode").decode("ascii")
    decoded = _idna_labels_decoded(monkeypatch)
    sentences = [
        "The harbour caf\u00e9 reopened on Monday after a long winter of repairs.",
        "Its owners said the new terrace doubles the number of seats by the water.",
        "The council granted the permit after neighbours backed the plan.",
    ]
    paragraphs = "".join(f"<p>{s}</p>" for s in sentences * 2)
    head = f'<title>Harbour cafe reopens</title><meta name="keywords" content="harbour.{label}.cafe">'
    page = f"<html><head>{head}</head><body><article>{paragraphs}</article></body></html>"
    url = news_site.add("/idna.html", page.encode("cp1252"), content_type="text/html; charset=idna")
    article, _ = await service.summarize_url(url, 3, chat_id=7)
    assert article.body.startswith(sentences[0])
    assert [name for name in decoded if name.startswith(b"xn--")] == []
    for prefix in (b"", b"\xef\xbb\xbf"):
        for codec in ("idna", "punycode"):
            feed = (
                f'<?xml version="1.0" encoding="{codec}"?><rss version="2.0"><channel><title>Harbour</title>'
                f"<item><title>Caf\u00e9 reopens</title><description>.{label}.</description></item></channel></rss>"
            )
            url = news_site.add(
                f"/{codec}{len(prefix)}.xml", prefix + feed.encode("ascii", "xmlcharrefreplace")
            )
            with pytest.raises(UserError, match=f"it declares the {codec} encoding"):
                await service.check_feed(url)
    assert [name for name in decoded if name.startswith(b"xn--")] == []


async def test_summarize_text_rejects_junk(service: IngestService) -> None:
    assert len(await service.summarize_text(CAR_BODY, 2)) == 2
    with pytest.raises(UserError):
        await service.summarize_text("\x00\x01\x02\x03" * 500, 3)
    with pytest.raises(UserError):
        await service.summarize_text("   ", 3)


async def test_same_story_from_two_feeds_shares_a_story(
    service: IngestService, clock: FakeClock, db: Database
) -> None:
    first = Article(url="https://a.example/1", title=CAR_TITLE, body=CAR_BODY, source="A")
    rewrite = Article(
        url="https://b.example/2",
        title="Voltra aims to double Asian car sales",
        body=CAR_BODY.replace("said on Monday", "announced on Monday").replace("eight percent", "8%"),
        source="B",
    )
    other = Article(url="https://c.example/3", title=HEALTH_TITLE, body=HEALTH_BODY, source="C")
    (a, status_a), (b, status_b), (c, _) = await service.ingest_articles([first, rewrite, other])
    assert (status_a, status_b) == ("added", "added")
    assert b.story_id == a.id
    assert c.story_id == c.id


async def test_short_or_templated_items_of_two_outlets_are_each_a_story_of_their_own(
    service: IngestService,
) -> None:
    from tests.summaries.test_dedup import FILING_CFO, FILING_DIRECTOR

    # Grouped, each second item was never alerted on its own: a chat following "apple" never saw the layoffs,
    # one following the director's filing got the CFO's under "also".
    (earnings, _), (layoffs, _), (cfo, _), (director, _) = await service.ingest_articles(
        [
            Article(url="https://a.example/apple-1", title="Apple earnings", body="", source="A"),
            Article(url="https://b.example/apple-2", title="Apple layoffs", body="", source="B"),
            Article(url="https://c.example/f1", title=FILING_CFO[0], body=FILING_CFO[1], source="C"),
            Article(
                url="https://d.example/f2", title=FILING_DIRECTOR[0], body=FILING_DIRECTOR[1], source="D"
            ),
        ]
    )
    assert layoffs.story_id == layoffs.id != earnings.id
    assert director.story_id == director.id != cfo.id


async def test_a_sources_follow_up_is_a_story_of_its_own(service: IngestService) -> None:
    from tests.summaries.test_dedup import HARBOUR_A, HARBOUR_B, HARBOUR_FOLLOW_UP, HARBOUR_REVISION

    def article(url: str, text: tuple[str, str], source: str) -> Article:
        return Article(url=url, title=text[0], body=text[1], source=source)

    (a, _), (b, _), (follow_up, status), (revision, _) = await service.ingest_articles(
        [
            article("https://harbourpost.example/strike", HARBOUR_A, "Harbour Post - Local"),
            article("https://coastwire.example/1", HARBOUR_B, "Coast Wire"),
            # Close to both reports of Monday's strike, but its outlet already told that story: new news, even
            # from another of its feeds.
            article("https://www.harbourpost.example/talks", HARBOUR_FOLLOW_UP, "Harbour Post - Business"),
            article("https://harbourpost.example/strike-updated", HARBOUR_REVISION, "Harbour Post - Local"),
        ]
    )
    assert b.story_id == a.id
    assert status == "added" and follow_up.story_id == follow_up.id
    assert revision.story_id == a.id


# A podcast's stock text, under every episode (more than 50 words, which once made the text alone its identity).
SHOW_BLURB = (
    "Harbour Hour is the weekly show about life on the Brightwater waterfront. Every Monday our hosts sit down "
    "with the people who keep the harbour running, from ferry crews and lock keepers to fishmongers and "
    "lifeboat volunteers. Subscribe wherever you get your podcasts, leave us a review, and send your questions "
    "for the next episode to the studio by Friday."
)


async def test_items_that_share_a_stock_text_are_each_stored_and_alerted(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # Every episode carries the show's blurb, under its own headline and link: each is news of its own. The
    # second was skipped as a duplicate of the first, unstored and never alerted.
    await db.feeds.add(news_site.feed_url("entertainment"), (), None, clock.now() - 60)
    await news_site.publish("entertainment", "Harbour Hour 12: The lighthouse keepers", SHOW_BLURB)
    first = await service.poll_due_feeds(clock.now())
    await news_site.publish("entertainment", "Harbour Hour 13: Night ferries", SHOW_BLURB)
    clock.advance(601)
    second = await service.poll_due_feeds(clock.now())

    assert [a.title for a in first + second] == [
        "Harbour Hour 12: The lighthouse keepers",
        "Harbour Hour 13: Night ferries",
    ]
    assert [a.story_id for a in first + second] == [a.id for a in first + second]
    assert await db.articles.count() == 2


async def test_an_edited_headline_republished_at_a_new_address_joins_its_story(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    await db.feeds.add(news_site.feed_url("business"), (), None, clock.now() - 60)
    await news_site.publish("business", CAR_TITLE, CAR_BODY)
    [first] = await service.poll_due_feeds(clock.now())
    await news_site.publish("business", "Carmaker Voltra plans to double its car sales in Asia", CAR_BODY)
    clock.advance(601)
    # Stored, but the story its subscribers were alerted to already: one alert per chat and story.
    assert [a.story_id for a in await service.poll_due_feeds(clock.now())] == [first.id]


async def test_one_aggregator_feed_still_groups_two_outlets_reports(service: IngestService) -> None:
    from tests.summaries.test_dedup import HARBOUR_A, HARBOUR_B

    # One feed title, links to two outlets: two reports of one event, grouped as from two sources.
    (a, _), (b, _) = await service.ingest_articles(
        [
            Article(
                url="https://harbourpost.example/s", title=HARBOUR_A[0], body=HARBOUR_A[1], source="Port News"
            ),
            Article(
                url="https://coastwire.example/s", title=HARBOUR_B[0], body=HARBOUR_B[1], source="Port News"
            ),
        ]
    )
    assert b.story_id == a.id


async def test_an_aggregators_items_are_named_and_grouped_by_the_outlet_each_item_names(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    from tests.summaries.test_dedup import HARBOUR_A, HARBOUR_B

    # Google News style: every link goes through the aggregator, each item names its outlet in <source>. Both
    # were stored as "Port Digest" from one site, so the second outlet's report of the event stood alone
    # (one outlet never reports a story twice) and "also: ..." could name nobody.
    def item(n: int, story: tuple[str, str], outlet: str) -> str:
        return (
            f"<item><title>{story[0]}</title><link>{news_site.url(f'/rss/articles/{n}?oc=5')}</link>"
            f"<guid>a{n}</guid><pubDate>{_rfc822(clock.now())}</pubDate><description>{story[1]}</description>"
            f'<source url="https://{outlet.lower().replace(" ", "")}.example">{outlet}</source></item>'
        )

    url = news_site.add(
        "/digest.xml",
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Port Digest</title>"
        f"{item(1, HARBOUR_A, 'Harbour Post')}{item(2, HARBOUR_B, 'Coast Wire')}</channel></rss>",
        content_type="application/rss+xml",
    )
    await db.feeds.add(url, (), None, clock.now() - 60)
    first, second = await service.poll_due_feeds(clock.now())
    assert (first.source, second.source) == ("Harbour Post", "Coast Wire")
    assert second.story_id == first.id
    assert await db.articles.other_sources([first]) == {first.id: ("Coast Wire",)}


# Half a minute after the test clock's start, when the tests add their feeds: news for a first poll.
STORY_TIME = "2026-01-01T00:00:30Z"


def _json_feed(title: str, items: list[dict[str, str]]) -> bytes:
    return json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": title, "items": items}
    ).encode()


class _Found(list[tuple[list[str], set[str]]]):
    """An ``on_new`` that notes each poll's news: its titles, and the titles of those found late."""

    def __call__(self, new: list[Article], late: frozenset[int]) -> None:
        self.append(([a.title for a in new], {a.title for a in new if a.id in late}))


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat()


def _rfc822(timestamp: float) -> str:
    return format_datetime(datetime.fromtimestamp(timestamp, UTC), usegmt=True)


def _story(
    n: int, site: NewsSite, *, title: str | None = None, published: str = STORY_TIME
) -> dict[str, str]:
    return {
        "id": f"s{n}",
        "url": site.url(f"/s/{n}"),
        "title": title or f"Harbour report number {n}",
        # long enough not to be a teaser, distinct enough not to be the same story
        "content_text": " ".join(
            f"Harbour{n} quay{n} figure{n}x{k} shipment {k} arrived." for k in range(40)
        ),
        "date_published": published,
    }


async def test_lone_surrogates_in_a_feed_do_not_stop_the_poller(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # A JSON Feed titled "Harbour \ud800 Daily" failed the feed's UPDATE after its items were stored: the
    # whole poll raised, so the articles of every feed polled with it were stored but never alerted.
    hostile = _story(1, news_site, title="Quay \\ud800 closes")
    body = _json_feed("Harbour \\udc00 Daily", [hostile]).replace(b"\\\\u", b"\\u")
    bad = news_site.add("/bad.json", body, content_type="application/feed+json")
    good = news_site.add(
        "/good.json", _json_feed("Fine", [_story(2, news_site)]), content_type="application/json"
    )
    for url in (bad, good):
        await db.feeds.add(url, (), None, clock.now())

    new = await service.poll_due_feeds(clock.now())

    assert sorted(a.title for a in new) == ["Harbour report number 2", "Quay \ufffd closes"]
    feeds = {f.url: f for f in await db.feeds.list()}
    assert feeds[bad].title == "Harbour \ufffd Daily" and feeds[bad].failures == 0
    assert [a.title for a in await db.articles.search("quay closes")] == ["Quay \ufffd closes"]


async def test_a_feed_with_more_new_items_than_one_poll_takes_is_read_in_steps(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # Each poll took the first 100 items, known or not: once they were stored, items 101+ were never read.
    # And with an ETag, the poll after the first 100 got a 304: the other 50 waited for the feed to change.
    url = news_site.add(
        "/busy.json",
        _json_feed("Busy", [_story(0, news_site)]),
        content_type="application/json",
        auto_etag=True,
    )
    await db.feeds.add(url, (), None, clock.now())
    assert len(await service.poll_due_feeds(clock.now())) == 1
    news_site.add(
        "/busy.json",
        _json_feed("Busy", [_story(n, news_site) for n in range(150, -1, -1)]),
        content_type="application/json",
        auto_etag=True,
    )
    seen: list[str] = []
    for _ in range(3):
        clock.advance(601)
        seen += [a.title for a in await service.poll_due_feeds(clock.now())]
    assert len(seen) == len(set(seen)) == 150
    assert await db.articles.count() == 151


def _rss_feed(stories: list[dict[str, str]]) -> str:
    """The stories as an RSS 2.0 document, in the given order."""
    items = "".join(
        f"<item><title>{s['title']}</title><link>{s['url']}</link><guid>{s['url']}</guid>"
        f"<pubDate>{_rfc822(datetime.fromisoformat(s['date_published']).timestamp())}</pubDate>"
        f"<description>{s['content_text']}</description></item>"
        for s in stories
    )
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Harbour</title>{items}</channel></rss>"


async def test_a_feed_cut_short_under_the_whole_feeds_etag_brings_the_rest_at_the_next_poll(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # A download cut mid-list came with the ETag of the whole feed (a cache that kept a cut copy, a connection
    # closed early): kept, it got a 304 at every later poll, and the items after the cut waited for the feed
    # to change, or never came if they left its list first.
    url = news_site.add("/harbour.xml", _rss_feed([_story(0, news_site)]), etag='"v1"')
    await db.feeds.add(url, (), None, clock.now())
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == ["Harbour report number 0"]
    stories = [_story(n, news_site, published=_iso(clock.now() + 60 * n)) for n in (4, 3, 2, 1, 0)]
    whole = _rss_feed(stories)
    news_site.add("/harbour.xml", whole[: whole.index("figure2x20")], etag='"E"')
    clock.advance(601)
    # the items before the cut (the one cut in its text waits to be read whole)
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == [
        "Harbour report number 4",
        "Harbour report number 3",
    ]
    news_site.add("/harbour.xml", whole, etag='"E"')
    clock.advance(601)
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == [
        "Harbour report number 2",
        "Harbour report number 1",
    ]
    clock.advance(601)
    assert await service.poll_due_feeds(clock.now()) == []
    assert [r.headers.get("If-None-Match") for r in news_site.requests_for("/harbour.xml")] == [
        None,
        '"v1"',
        '"v1"',
        '"E"',
    ]


async def test_the_item_a_feed_download_was_cut_in_is_not_stored_until_read_whole(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # Cut after an item's headline, before its link: the headline alone was stored and alerted under a made-up
    # address, and the whole item read at the next poll came as another story (a second alert, two in /latest).
    url = news_site.add("/harbour.xml", _rss_feed([_story(0, news_site)]), etag='"v1"')
    await db.feeds.add(url, (), None, clock.now())
    await service.poll_due_feeds(clock.now())
    whole = _rss_feed([_story(n, news_site, published=_iso(clock.now() + 60 * n)) for n in (4, 3, 2, 1, 0)])
    cut = whole.index("</title>", whole.index("number 3")) + len("</title>")
    news_site.add("/harbour.xml", whole[:cut], etag='"E"')
    clock.advance(601)
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == ["Harbour report number 4"]
    news_site.add("/harbour.xml", whole, etag='"E"')
    clock.advance(601)
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == [
        "Harbour report number 3",
        "Harbour report number 2",
        "Harbour report number 1",
    ]
    stored = await db.articles.latest(10)
    assert len(stored) == 5 and all(a.url.startswith(news_site.url("/s/")) and a.body for a in stored)


async def test_a_first_poll_cut_short_keeps_the_rest_of_the_backlog_quiet(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # The rest of a new feed's list, read whole at the next poll, was alerted to every subscriber as news.
    yesterday = clock.now() - 86400
    stories = [_story(n, news_site, published=_iso(yesterday + 60 * n)) for n in range(6, 0, -1)]
    whole = _rss_feed(stories)
    url = news_site.add("/harbour.xml", whole[: whole.index("figure3x20")], etag='"E"')
    await db.feeds.add(url, (), None, clock.now())
    assert await service.poll_due_feeds(clock.now()) == []
    assert await db.articles.count() == 3  # not the one cut in its text
    [feed] = await db.feeds.list()
    assert (
        feed.last_success_at is None
        and feed.last_error == "The feed ended in the middle of an item (the download was cut short)."
    )
    news_site.add("/harbour.xml", whole, etag='"E"')
    clock.advance(601)
    assert await service.poll_due_feeds(clock.now()) == []
    assert await db.articles.count() == 6
    assert await db.articles.alert_pending() == []
    [feed] = await db.feeds.list()
    assert feed.last_success_at is not None and feed.failures == 0 and feed.etag == '"E"'


async def test_ingest_source_takes_urls_whatever_the_case_of_the_scheme(
    service: IngestService, news_site: NewsSite
) -> None:
    # "HTTP://host/page" was taken for a file name: "There is no file HTTP:/host/page."
    published = await news_site.publish("automotive", CAR_TITLE, CAR_BODY)
    [outcome] = await service.ingest_source(published.url.replace("http://", "HTTP://"))
    assert (outcome.status, outcome.article and outcome.article.title) == ("added", CAR_TITLE)


async def test_a_link_summarized_before_its_feed_is_read_is_still_alerted(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    page = _health_page(news_site, "Vaccination drive")

    def rss(*links: str) -> str:
        items = "".join(
            f"<item><title>Story {n}</title><link>{link}</link><description>Read more...</description>"
            f"<pubDate>{_rfc822(clock.now())}</pubDate></item>"
            for n, link in enumerate(links)
        )
        return (
            f"<?xml version='1.0'?><rss version='2.0'><channel><title>Health</title>{items}</channel></rss>"
        )

    feed_url = news_site.add("/health.xml", rss(), content_type="application/rss+xml")
    await db.feeds.add(feed_url, (), None, clock.now() - 60)
    await service.poll_due_feeds(clock.now())  # the first poll: nothing yet
    # A reader sends the link before the feed lists it: stored for that chat only, and alerting nobody.
    await db.chats.register(77, "private", None, ChatDefaults(), clock.now())
    article, _ = await service.summarize_url(page, 3, chat_id=77)
    assert await db.articles.alert_pending() == []
    news_site.add("/health.xml", rss(page), content_type="application/rss+xml")
    clock.advance(3600)
    await service.poll_due_feeds(clock.now())
    # The feed used to find it known and skip it: the story's subscribers never heard of it.
    assert [a.id for a in await db.articles.alert_pending()] == [article.id]
    assert [a.id for a in await db.articles.latest(10, reader=5)] == [article.id]  # and every chat sees it


async def test_a_linked_page_in_a_new_feeds_first_listing_is_backlog_not_news(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # A reader summarized the link before the operator added its feed: the first poll's whole listing is
    # backlog, this item too, so it becomes public without an alert.
    page = _health_page(news_site, "Vaccination drive")
    await db.chats.register(77, "private", None, ChatDefaults(), clock.now())
    article, _ = await service.summarize_url(page, 3, chat_id=77)
    rss = (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Health</title><item><title>Story</title>"
        f"<link>{page}</link><description>Read more...</description><pubDate>{_rfc822(clock.now())}</pubDate>"
        "</item></channel></rss>"
    )
    feed_url = news_site.add("/health.xml", rss, content_type="application/rss+xml")
    await db.feeds.add(feed_url, (), None, clock.now() - 60)
    await service.poll_due_feeds(clock.now())
    assert [a.id for a in await db.articles.latest(10, reader=5)] == [article.id]
    assert await db.articles.alert_pending() == []


async def test_undated_items_of_a_first_poll_are_backlog(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    undated = [{k: v for k, v in _story(n, news_site).items() if k != "date_published"} for n in (1, 2)]
    await db.feeds.add(news_site.url("/undated.json"), (), None, clock.now())
    news_site.add("/undated.json", _json_feed("Undated", undated), content_type="application/json")
    assert await service.poll_due_feeds(clock.now() + 60) == []
    assert await db.articles.count() == 2


async def fill_disk(db: Database) -> None:
    """The disk is full: the database file may not grow, and its free pages are used up."""
    async with db.write() as conn:
        await conn.execute("CREATE TABLE IF NOT EXISTS ballast (b BLOB)")
    async with db.write() as conn:
        rows = await conn.execute_fetchall("PRAGMA page_count")
        await conn.execute(f"PRAGMA max_page_count = {int(next(iter(rows))[0])}")
    for size in (4096, 512, 64, 8):
        while True:
            try:
                async with db.write() as conn:
                    await conn.execute("INSERT INTO ballast VALUES (randomblob(?))", (size,))
            except sqlite3.OperationalError:
                break


async def free_disk(db: Database) -> None:
    """Room on the disk again."""
    async with db.write() as conn:
        await conn.execute("PRAGMA max_page_count = 1073741823")


async def test_articles_a_full_disk_kept_out_are_stored_once_it_has_room(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # The feed answers conditional requests: a poll that could not store its items must not keep the new
    # ETag, or every later poll gets a 304 and those items are never stored or alerted.
    await db.feeds.add(news_site.feed_url("business"), ("business",), None, clock.now() - 60)
    await news_site.publish("business", HEALTH_TITLE, HEALTH_BODY)
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == [HEALTH_TITLE]
    # Long enough to need new pages: a short row may still fit in the free space of a page.
    long_body = CAR_BODY + "".join(
        f"\n\nIn region {n} the dealers expect {n * 7} new customers to test the cars in month {n}."
        for n in range(300)
    )
    await news_site.publish("business", CAR_TITLE, long_body)
    await fill_disk(db)
    clock.advance(601)

    assert await service.poll_due_feeds(clock.now()) == []
    assert await db.articles.count() == 1

    await free_disk(db)
    clock.advance(601)
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == [CAR_TITLE]
    assert await db.articles.count() == 2


async def test_a_feed_whose_next_poll_cannot_be_stored_is_not_fetched_again_at_every_tick(
    service: IngestService,
    db: Database,
    clock: FakeClock,
    news_site: NewsSite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # On a full disk the poll's "next poll at" is refused as well as its items: the feed stayed due, and every
    # tick (5 s) fetched it again and logged it again, while the log said "polling it again in 600 s".
    await db.feeds.add(news_site.feed_url("business"), ("business",), None, clock.now() - 60)
    # Long enough to need new pages: a short row may still fit in the free space of a page.
    long_body = HEALTH_BODY + "".join(
        f"\n\nIn region {n} clinics saw {n * 7} fewer cases in week {n}." for n in range(300)
    )
    await news_site.publish("business", HEALTH_TITLE, long_body)
    await fill_disk(db)
    async with db.write() as conn:
        await conn.execute(
            "CREATE TEMP TRIGGER disk_full BEFORE UPDATE ON feeds"
            " BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END"
        )
    assert await service.poll_due_feeds(clock.now()) == []
    for _ in range(3):
        clock.advance(5)
        assert await service.poll_due_feeds(clock.now()) == []
    assert news_site.hits("/feeds/business.xml") == 1
    assert caplog.text.count("polling it again in 600 s") == 1

    async with db.write() as conn:
        await conn.execute("DROP TRIGGER temp.disk_full")
    await free_disk(db)
    clock.advance(600)
    await service.poll_due_feeds(clock.now())
    assert news_site.hits("/feeds/business.xml") == 2
    assert [a.title for a in await db.articles.latest(10)] == [HEALTH_TITLE]


async def test_ingest_of_a_home_page_reads_the_feed_it_names_but_an_article_page_stays_one_article(
    service: IngestService, news_site: NewsSite
) -> None:
    await news_site.publish("automotive", CAR_TITLE, CAR_BODY)
    await news_site.publish("health", HEALTH_TITLE, HEALTH_BODY)
    home = news_site.add_home_page("/", topics=("health", "automotive"))
    outcomes = await service.ingest_source(home)
    # The front page has no article text: the first feed it names is read instead, through the same fetcher.
    assert [(o.status, o.article and o.article.title) for o in outcomes] == [("added", HEALTH_TITLE)]
    assert news_site.hits("/feeds/health.xml") == 1 and news_site.hits("/feeds/automotive.xml") == 0
    # An article page that also names a feed (most do) is still the one article.
    article_page = news_site.add(
        "/articles/with-feed.html",
        news_site_page_with_feed_link(CAR_TITLE, CAR_BODY),
    )
    [outcome] = await service.ingest_source(article_page)
    assert outcome.article is not None and outcome.article.url.endswith("/articles/with-feed.html")
    assert news_site.hits("/feeds/automotive.xml") == 0
    bare = news_site.add(
        "/bare", "<html><head><title>Menu</title></head><body><ul><li>Home</li></ul></body></html>"
    )
    [failed] = await service.ingest_source(bare)
    assert failed.status == "failed" and "no article text" in (failed.reason or "")


def news_site_page_with_feed_link(title: str, body: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    return (
        f"<html><head><title>{title}</title>"
        '<link rel="alternate" type="application/rss+xml" href="/feeds/automotive.xml"></head>'
        f"<body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    )


async def test_a_feed_declaring_an_encoding_that_fails_is_told_unreadable(
    service: IngestService, news_site: NewsSite
) -> None:
    # The idna codec fails with a bare UnicodeError ("xn--a-" is no round trip): it escaped the feed parser, so
    # /addfeed answered with the generic error (and each poll logged a traceback), not that the feed is unreadable.
    feed = b'<?xml version="1.0" encoding="idna"?><rss version="2.0"><channel><title>T.xn--a-.</title></channel></rss>'
    url = news_site.add("/odd.xml", feed, content_type="application/rss+xml")
    with pytest.raises(UserError, match="not a feed I can read: The feed could not be read"):
        await service.check_feed(url)


async def test_a_feed_a_page_names_is_fetched_with_the_same_private_address_checks(
    db: Database, clock: FakeClock, tmp_path: Path, news_site: NewsSite
) -> None:
    settings = Settings(_env_file=None, db_path=tmp_path / "news.sqlite3")  # type: ignore[call-arg]
    # The test site is trusted; every other private address stays refused, as in production.
    fetcher = Fetcher(timeout=3.0, allowed_networks=["127.0.0.1/32"])
    service = IngestService(
        db=db, fetcher=fetcher, catalogue=TopicCatalogue.load(), settings=settings, clock=clock
    )
    try:
        await news_site.publish("business", "Harbor Coffee grows", "Sales rose. Prices too.")
        home = news_site.add_home_page("/", topics=("business",))
        check = await service.check_feed(home)
        assert (check.url, check.title, check.found_on) == (
            news_site.feed_url("business"),
            "Test News: business",
            home,
        )
        port = news_site.port
        for target in (
            f"http://127.0.0.2:{port}/feeds/business.xml",
            "http://10.0.0.1/rss",
            "http://[::1]/feed",
        ):
            page = news_site.add(
                "/internal",
                f'<html><head><link rel="alternate" type="application/atom+xml" href="{target}"></head></html>',
            )
            with pytest.raises(UserError, match="private network"):
                await service.check_feed(page)
            with pytest.raises(UserError, match="private network"):
                [outcome] = await service.ingest_source(page)
                raise UserError(outcome.reason or "")
        assert news_site.hits("/feeds/business.xml") == 1  # 127.0.0.2 was never asked
    finally:
        service.close()
        await fetcher.aclose()


async def test_a_feed_moved_to_another_spelling_of_a_polled_feeds_address_stays(
    service: IngestService,
    db: Database,
    clock: FakeClock,
    news_site: NewsSite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The redirect named the feed an admin polls already with its host in capitals: the move took it as a new
    # address, and both feeds fetched the same one at every poll (what /addfeed refuses as "Already polling").
    await news_site.publish("business", CAR_TITLE, CAR_BODY)
    polled = news_site.feed_url("business").replace("127.0.0.1", "localhost")
    await db.feeds.add(polled, (), None, clock.now())
    old = news_site.add_redirect("/old.xml", polled.replace("localhost", "LocalHost"), status=301)
    await db.feeds.add(old, (), None, clock.now())
    await service.poll_due_feeds(clock.now())
    assert sorted(f.url for f in await db.feeds.list()) == sorted([polled, old])
    assert "a feed already polled" in caplog.text


async def test_a_feed_moved_to_an_address_too_long_to_type_keeps_its_own(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # A site that moved its feed to a 5,000-character address (a session blob in the query) had the feed
    # stored there: /feeds showed it, and /removefeed could not name it within a Telegram message.
    await news_site.publish("business", CAR_TITLE, CAR_BODY)
    old = news_site.add_redirect("/old.xml", "/feeds/business.xml?s=" + "x" * 5000, status=301)
    feed, _ = await db.feeds.add(old, (), None, clock.now())
    await service.poll_due_feeds(clock.now())
    after = await db.feeds.get(feed.id)
    assert after is not None and after.url == old and after.last_success_at


async def test_stories_older_than_the_window_stop_grouping_after_a_fast_clock_is_put_right(
    service: IngestService, clock: FakeClock
) -> None:
    # A report four days after the first is news of its own (the story window is three days). After the bot
    # ran with a clock a year ahead, the window stopped sweeping: every story stayed in memory and swallowed
    # later reports as "also: ..." until the clock caught up with the fast one.

    right = clock.now()
    clock.set(right + 365 * 86400.0)
    other = Article(url="https://c.example/3", title=HEALTH_TITLE, body=HEALTH_BODY, source="C")
    await service.ingest_articles([other])
    clock.set(right)
    first = Article(url="https://a.example/1", title=CAR_TITLE, body=CAR_BODY, source="A")
    [(a, _)] = await service.ingest_articles([first])
    clock.advance(4 * 86400.0)
    rewrite = Article(
        url="https://b.example/2",
        title="Voltra aims to double Asian car sales",
        body=CAR_BODY.replace("said on Monday", "announced on Monday").replace("eight percent", "8%"),
        source="B",
    )
    [(b, status)] = await service.ingest_articles([rewrite])
    assert status == "added"
    assert b.story_id == b.id != a.id


async def test_feeds_are_polled_again_soon_after_a_fast_clock_is_put_right(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # Polled while the clock ran a year ahead, each feed's next poll was set a year ahead: once NTP put the
    # clock right, no feed was polled (no news at all) for a year.
    right = clock.now()
    await db.feeds.add(news_site.feed_url("business"), ("business",), None, right - 60)
    await news_site.publish(
        "business", HEALTH_TITLE, HEALTH_BODY, published=datetime.fromtimestamp(right - 3600, UTC)
    )
    clock.set(right + 365 * 86400.0)
    await service.poll_due_feeds(clock.now())
    clock.set(right)
    await news_site.publish(
        "business", CAR_TITLE, CAR_BODY, published=datetime.fromtimestamp(right + 30, UTC)
    )
    clock.advance(601)
    new = await service.poll_due_feeds(clock.now())
    assert [a.title for a in new] == [CAR_TITLE]


async def test_feeds_are_polled_on_time_after_the_clock_steps_back_an_hour(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # NTP put the clock back an hour (or a machine's clock kept local time): each feed's next poll, set by the
    # clock before the step, lay an hour and ten minutes ahead, and no news was read for that hour.
    await db.feeds.add(news_site.feed_url("business"), ("business",), None, clock.now() - 60)
    await news_site.publish("business", HEALTH_TITLE, HEALTH_BODY)
    await service.poll_due_feeds(clock.now())
    clock.advance(-3600.0)
    await news_site.publish(
        "business", CAR_TITLE, CAR_BODY, published=datetime.fromtimestamp(clock.now() + 30, UTC)
    )
    clock.advance(601)
    new = await service.poll_due_feeds(clock.now())
    assert [a.title for a in new] == [CAR_TITLE]
    clock.advance(60)  # polled at the corrected clock: the interval counts from that poll again
    assert await service.poll_due_feeds(clock.now()) == []
    feed = (await db.feeds.list())[0]
    assert feed.next_poll_at == clock.now() - 60 + 600


async def test_a_feed_removed_while_it_is_polled_is_no_database_error(
    service: IngestService,
    db: Database,
    clock: FakeClock,
    news_site: NewsSite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = news_site.feed_url("business")
    await db.feeds.add(url, ("business",), None, clock.now() - 60)
    await news_site.publish("business", CAR_TITLE, CAR_BODY)
    await service.poll_due_feeds(clock.now())
    await news_site.publish("business", HEALTH_TITLE, HEALTH_BODY)
    clock.advance(601)
    path = url.split(str(news_site.port), 1)[1]
    news_site.hold(path)  # the poll has asked for the feed; an admin sends /removefeed meanwhile
    poll = asyncio.create_task(service.poll_due_feeds(clock.now()))
    await wait_until(lambda: news_site.hits(path) == 2)
    assert await db.feeds.remove(url)
    news_site.release(path)
    with caplog.at_level(logging.INFO, logger="bot"):
        assert await poll == []
    # The operator used to read "could not store the items of feed ... (FOREIGN KEY constraint failed);
    # polling it again in 600 s" at ERROR: about a feed they had just removed, that is never polled again.
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert "was removed while it was polled" in caplog.text
    assert await db.feeds.list() == []


async def test_a_feed_added_while_a_removed_one_is_polled_gets_none_of_its_state(
    db: Database, clock: FakeClock, news_site: NewsSite, admin_service: IngestService
) -> None:
    # /removefeed of the newest feed while it was polled, then /addfeed of another: the new feed got the freed
    # id, so the old feed's poll, ending after, stored its title, site and items as the new feed's. The new
    # feed's first poll then looked like a domain that changed hands: the admin was told to /removefeed the
    # feed they had just added, and it was no first poll any more.
    await db.chats.register(5, "private", "Admin", ChatDefaults(), clock.now())
    old = _site_rss("Harbour Post", "https://harbour.example/", [_story(n, news_site) for n in (2, 1)])
    old_url = news_site.add("/harbour.xml", old, content_type="application/rss+xml")
    await db.feeds.add(old_url, (), 5, clock.now())
    assert len(await admin_service.poll_due_feeds(clock.now())) == 2
    clock.advance(601)
    fresh = _story(3, news_site, published=_iso(clock.now() - 60))
    news_site.add(
        "/harbour.xml",
        _site_rss(
            "Harbour Post", "https://harbour.example/", [fresh, *(_story(n, news_site) for n in (2, 1))]
        ),
        content_type="application/rss+xml",
    )
    backlog = [
        _story(n, news_site, title=f"Deals digest number {n}", published=_iso(clock.now() - 7200))
        for n in (11, 10)
    ]
    new_url = news_site.add(
        "/deals.xml",
        _site_rss("Deals Daily", "https://deals.example/", backlog),
        content_type="application/rss+xml",
    )
    news_site.hold("/harbour.xml")
    poll = asyncio.create_task(admin_service.poll_due_feeds(clock.now()))
    await wait_until(lambda: news_site.hits("/harbour.xml") == 2)
    assert await db.feeds.remove(old_url)
    added, _ = await db.feeds.add(new_url, (), 5, clock.now())
    news_site.release("/harbour.xml")
    await poll

    feed = await db.feeds.get(added.id)
    assert feed is not None and (feed.title, feed.last_success_at) == (None, None)
    # Its first poll: a backlog, alerted to nobody.
    assert await admin_service.poll_due_feeds(clock.now()) == []
    assert await db.notices.claim(clock.now(), 10) == []
    feed = await db.feeds.get(added.id)
    assert feed is not None and feed.title == "Deals Daily"


async def test_a_feed_removed_during_its_first_poll_still_alerts_at_most_twenty_items(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # /removefeed during a first poll ended it before the first-poll cap: every item stored by then was
    # alerted, a whole day's backlog of a feed the operator had just removed.
    url = news_site.add("/day.json", b"", content_type="application/json")
    await db.feeds.add(url, (), None, clock.now())
    stories = [_story(n, news_site, published=f"2026-01-01T01:{n:02d}:00Z") for n in range(1, 26)]
    page = _health_page(news_site, "Chip plant opens")
    teaser = {
        "id": "teaser",
        "url": page,
        "title": "Chip plant opens",
        "content_text": "Read more...",
        "date_published": "2026-01-01T02:00:00Z",
    }
    news_site.add("/day.json", _json_feed("Day", [*stories, teaser]), content_type="application/json")
    clock.advance(86_400)
    news_site.hold("/story.html")  # the poll reaches the teaser's page; an admin sends /removefeed meanwhile
    poll = asyncio.create_task(service.poll_due_feeds(clock.now()))
    await wait_until(lambda: news_site.hits("/story.html") == 1, timeout=10)
    assert await db.feeds.remove(url)
    news_site.release("/story.html")
    new = await poll
    assert await db.articles.count() == 25
    assert len(new) == 20  # the newest twenty, as any first poll
    assert [a.title for a in new] == [f"Harbour report number {n}" for n in range(25, 5, -1)]
    assert {a.title for a in await db.articles.alert_pending()} == {a.title for a in new}


def test_a_story_still_being_reported_stays_groupable_after_its_first_report_ages_out() -> None:
    # A story first reported 5,000 s ago and again just now: the next report joins it ("also: ..."), not a
    # second alert, even though the first report is older than the grouping window.
    index = StoryIndex(window=4000.0)
    sig = story_signature("Harbour strike", " ".join(f"lead{i}" for i in range(80)))
    index.add(1, sig, seen_at=0.0, source="a.example")
    index.add(1, sig, seen_at=5000.0, source="b.example")
    index.forget_before(4000.0)
    assert index.find(sig, "c.example") == 1
    index.forget_before(9001.0)  # nobody reported it for a whole window: it is forgotten
    assert index.find(sig, "c.example") is None


async def test_link_less_items_of_two_feeds_that_share_an_id_are_both_stored(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # An item without a link is named after its id alone ("urn:newsbot:" + hash of the id): JSON Feed items
    # need an id but no url, and two small sites numbering theirs "1", "2", ... gave their items one name. The
    # second feed's item was a "duplicate" of the first's: never listed, searched or alerted.
    def item(n: int, word: str) -> dict[str, str]:
        story = _story(n, news_site, title=f"{word} council approves the new ferry timetable")
        del story["url"]
        story["id"] = "1"
        return story

    tide = news_site.add(
        "/tide.json", _json_feed("Tide Post", [item(1, "Tide")]), content_type="application/json"
    )
    quay = news_site.add(
        "/quay.json", _json_feed("Quay Herald", [item(2, "Quay")]), content_type="application/json"
    )
    await db.feeds.add(tide, (), None, clock.now())
    await db.feeds.add(quay, (), None, clock.now())
    await service.poll_due_feeds(clock.now())
    assert sorted(a.title.split()[0] for a in await db.articles.latest(10)) == ["Quay", "Tide"]
    # Polled again, each feed's item is still the one stored: nothing new, nothing stored twice.
    clock.advance(601)
    assert await service.poll_due_feeds(clock.now()) == []
    assert await db.articles.count() == 2


async def test_link_less_items_of_two_same_titled_feeds_that_share_an_id_are_both_stored(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # Small sites often share a title ("News"): their home links, not their titles, tell their items apart.
    def feed(home: str, n: int, word: str) -> bytes:
        story = _story(n, news_site, title=f"{word} council approves the new ferry timetable")
        del story["url"]
        story["id"] = "1"
        document = json.loads(_json_feed("News", [story]))
        document["home_page_url"] = news_site.url(home)
        return json.dumps(document).encode()

    tide = news_site.add("/tide.json", feed("/tide/", 1, "Tide"), content_type="application/json")
    quay = news_site.add("/quay.json", feed("/quay/", 2, "Quay"), content_type="application/json")
    await db.feeds.add(tide, (), None, clock.now())
    await db.feeds.add(quay, (), None, clock.now())
    await service.poll_due_feeds(clock.now())
    assert sorted(a.title.split()[0] for a in await db.articles.latest(10)) == ["Quay", "Tide"]


async def test_a_poll_that_cannot_read_which_items_the_feed_gave_before_stores_and_alerts_nothing(
    service: IngestService,
    db: Database,
    clock: FakeClock,
    news_site: NewsSite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Reading the feed's known items failed (the database locked): the poll went on as if the feed had listed
    # nothing before, so items whose links had changed since (a site moved its articles) were stored and
    # alerted a second time.
    start = clock.now()

    def listing(prefix: str, count: int) -> str:
        return _moved_site_listing(news_site, prefix, count, start)

    url = news_site.add("/port.xml", listing("", 10), content_type="application/rss+xml")
    await db.feeds.add(url, (), None, clock.now() - 86400)
    assert len(await service.poll_due_feeds(clock.now())) == 10
    clock.advance(601)
    news_site.add("/port.xml", listing("", 11), content_type="application/rss+xml")
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == ["Story 10"]
    clock.advance(2 * 86400)  # long enough for the poll to refresh when each known item was last listed
    news_site.add("/port.xml", listing("/news", 11), content_type="application/rss+xml")
    async with db.write() as conn:
        await conn.execute(
            "CREATE TEMP TRIGGER cannot_read BEFORE UPDATE OF seen_at ON feed_items"
            " BEGIN SELECT RAISE(FAIL, 'database is locked'); END"
        )
    with caplog.at_level(logging.WARNING, logger="bot"):
        assert await service.poll_due_feeds(clock.now()) == []
    assert await db.articles.count() == 11
    assert sum(news_site.hits(f"/news/p/{n}") for n in range(11)) == 0
    assert "could not check the items feed" in caplog.text and "database is locked" in caplog.text
    [feed] = await db.feeds.list()
    assert feed.failures == 0 and feed.last_error is None  # the database failed, not the feed
    async with db.write() as conn:
        await conn.execute("DROP TRIGGER temp.cannot_read")
    assert await service.poll_due_feeds(clock.now()) == []  # not due before the next interval
    clock.advance(601)
    assert await service.poll_due_feeds(clock.now()) == []
    assert await db.articles.count() == 11


async def test_a_304_poll_the_database_could_not_record_is_no_failure_of_the_feed(
    service: IngestService,
    db: Database,
    clock: FakeClock,
    news_site: NewsSite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Another program held the write lock as a 304 was to be recorded: the log said "feed ... failed unexpectedly"
    # with a stack trace and "failed (1 in a row): unexpected error: OperationalError", and once the lock was gone
    # the feed carried that failure (in /feeds, and doubling the backoff of its next real failure).
    url = news_site.feed_url("business")
    await news_site.publish("business", CAR_TITLE, CAR_BODY)
    await db.feeds.add(url, ("business",), None, clock.now() - 60)
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == [CAR_TITLE]
    clock.advance(601)
    async with db.write() as conn:  # the 304's write refused; the lock is gone by the next write
        await conn.execute(
            "CREATE TEMP TRIGGER locked BEFORE UPDATE OF last_success_at ON feeds"
            " BEGIN SELECT RAISE(FAIL, 'database is locked'); END"
        )
    with caplog.at_level(logging.WARNING, logger="bot"):
        assert await service.poll_due_feeds(clock.now()) == []
    assert news_site.requests[-1].headers.get("If-None-Match")  # it was a 304
    assert "failed unexpectedly" not in caplog.text and "in a row" not in caplog.text
    assert f"could not record the poll of feed {url} (database is locked); polling it again in 600 s" in (
        caplog.text
    )
    [feed] = await db.feeds.list()
    assert feed.failures == 0 and feed.last_error is None  # the database failed, not the feed
    async with db.write() as conn:
        await conn.execute("DROP TRIGGER temp.locked")
    clock.advance(5)
    assert await service.poll_due_feeds(clock.now()) == []  # held for the interval, not fetched at every tick
    assert news_site.hits("/feeds/business.xml") == 2
    clock.advance(600)
    await news_site.publish("business", HEALTH_TITLE, HEALTH_BODY)
    assert [a.title for a in await service.poll_due_feeds(clock.now())] == [HEALTH_TITLE]


async def test_a_feeds_edit_of_an_item_replaces_the_stored_version_without_a_second_alert(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # The feed corrected a headline and a figure in an item it had listed: the bot kept the first version for
    # good, so /latest, /search, /summary and digests still showed the wrong one.
    await db.feeds.add(news_site.feed_url("business"), ("business",), None, clock.now() - 60)
    published = await news_site.publish("business", CAR_TITLE, CAR_BODY)
    [first] = await service.poll_due_feeds(clock.now())
    assert first.id is not None
    before = await service.summary_for(first, 5)
    corrected_title = "Carmaker Voltra plans to triple its sales in Asia"
    corrected_body = CAR_BODY.replace("double its vehicle sales", "triple its vehicle sales").replace(
        "two factories", "three factories"
    )
    news_site.revise(published, title=corrected_title, body=corrected_body)
    clock.advance(601)

    assert await service.poll_due_feeds(clock.now()) == []  # an edit is not news: no alert

    assert await db.articles.count() == 1
    stored = await db.articles.get(first.id)
    assert stored is not None and (stored.title, stored.body) == (corrected_title, corrected_body)
    assert stored.story_id == first.story_id and stored.published == first.published
    assert any("triple" in sentence for sentence in stored.summary)
    assert [a.id for a in await db.articles.search("triple factories")] == [first.id]
    assert await db.articles.search("double") == []
    longer = await service.summary_for(stored, 5)
    assert any("triple" in sentence for sentence in longer) and not any("double" in s for s in longer)
    assert any("double" in sentence for sentence in before)
    # The next poll of the unchanged feed (a 304) changes nothing.
    clock.advance(601)
    assert await service.poll_due_feeds(clock.now()) == []
    assert await db.articles.get(first.id) == stored
    # Three days on, the article is settled: a later edit is not taken.
    news_site.revise(published, title="Carmaker Voltra plans to quadruple its sales in Asia")
    clock.advance(3 * 86400)
    assert await service.poll_due_feeds(clock.now()) == []
    assert await db.articles.get(first.id) == stored


async def test_a_feeds_edit_that_changes_what_the_story_is_about_changes_its_topics_without_an_alert(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # The feed listed the wrong text under an item and corrected it: /latest politics kept showing a football
    # match, and /latest sport never showed it, for as long as the article was kept.
    await db.feeds.add(news_site.feed_url("news"), (), None, clock.now() - 60)
    published = await news_site.publish(
        "news",
        "Parliament votes on the new budget",
        "Lawmakers in parliament voted on the government's budget on Tuesday. The opposition said the minister's"
        " plans would raise taxes, and the prime minister urged every party to back the bill before the election.",
    )
    [first] = await service.poll_due_feeds(clock.now())
    assert first.id is not None and "politics" in first.topics and "sport" not in first.topics
    news_site.revise(
        published,
        title="Harbour FC beat Millbrook in the cup final",
        body="The striker scored twice in the second half as Harbour FC won the cup final at their stadium. The"
        " goalkeeper saved a penalty and the fans sang until the final whistle; the coach praised his players.",
    )
    clock.advance(601)

    assert await service.poll_due_feeds(clock.now()) == []  # an edit is not news: no alert

    stored = await db.articles.get(first.id)
    assert stored is not None and stored.topics == ("sport",)
    assert [a.id for a in await db.articles.latest(topic="sport")] == [first.id]
    assert await db.articles.latest(topic="politics") == []


class _Edited(list[tuple[list[str], set[str], list[str]]]):
    """An ``on_edit`` that notes each poll's edits: their titles, those found late, the titles before."""

    def __call__(self, edited: list[Article], late: frozenset[int], before: list[Article]) -> None:
        self.append(
            ([a.title for a in edited], {a.title for a in edited if a.id in late}, [a.title for a in before])
        )


_FOOTBALL = (
    " Harbour FC's striker scored twice in the cup final at the stadium, and the coach praised the team."
)


def _serve_json_feed(
    site: NewsSite, path: str, title: str, items: list[dict[str, str]], *, add_sport: bool = False
) -> None:
    """Serve a JSON Feed at ``path``; ``add_sport``: the feed's edit of every item, its text now about football."""
    if add_sport:
        items = [dict(item, content_text=item["content_text"] + _FOOTBALL) for item in items]
    site.add(path, _json_feed(title, items), content_type="application/json")


async def test_a_feeds_edit_is_planned_once_with_its_version_before_and_not_again_when_listed_again(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite, tmp_path: Path
) -> None:
    # An edit that adds a topic reached none of its followers. It is handed over for planning once, with the
    # version before (whose chats get nothing more), marked so a crash before the plan does not lose it; a
    # feed listing the same edit at every poll (no ETag) hands over nothing more.
    delivery = _delivery(db, clock, tmp_path)
    await db.chats.register(7, "private", None, ChatDefaults(), clock.now())
    await db.subscriptions.add(7, "topic", "sport", clock.now())
    edited = _Edited()
    item = _story(1, news_site, published=_iso(clock.now() - 30))
    await db.feeds.add(news_site.url("/edits.json"), (), None, clock.now() - 60)
    _serve_json_feed(news_site, "/edits.json", "Edits", [item])
    [first] = await service.poll_due_feeds(clock.now(), on_edit=edited)
    assert "sport" not in first.topics
    assert await delivery.plan_pending(clock.now()) == 0
    _serve_json_feed(news_site, "/edits.json", "Edits", [item], add_sport=True)
    clock.advance(601)
    assert await service.poll_due_feeds(clock.now(), on_edit=edited) == []
    assert edited == [(["Harbour report number 1"], set(), ["Harbour report number 1"])]
    assert [(a.id, "sport" in a.topics) for a in await db.articles.alert_pending()] == [(first.id, True)]
    assert await delivery.plan_pending(clock.now()) == 1  # after a crash: planned, not lost
    for _ in range(2):
        clock.advance(601)
        await service.poll_due_feeds(clock.now(), on_edit=edited)
    assert len(edited) == 1 and await db.articles.alert_pending() == []


async def test_a_feeds_edit_of_an_item_stored_hours_ago_is_late_news_for_the_chats_it_reaches(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite, tmp_path: Path
) -> None:
    # A feed read every 10 minutes edited a story it listed two hours before: a chat following the topic the
    # edit added must not get two-hour-old news as a fresh alert. It is late news, held for a catch-up.
    delivery = _delivery(db, clock, tmp_path)
    await db.chats.register(7, "private", None, ChatDefaults(), clock.now())
    await db.subscriptions.add(7, "topic", "sport", clock.now())
    edited = _Edited()
    item = _story(2, news_site, published=_iso(clock.now() - 30))
    await db.feeds.add(news_site.url("/old.json"), (), None, clock.now() - 60)
    _serve_json_feed(news_site, "/old.json", "Old", [item])
    [first] = await service.poll_due_feeds(clock.now())
    await delivery.plan_pending(clock.now())
    for _ in range(12):  # read every 10 minutes, unchanged
        clock.advance(601)
        await service.poll_due_feeds(clock.now(), on_edit=edited)
    _serve_json_feed(news_site, "/old.json", "Old", [item], add_sport=True)
    clock.advance(601)
    await service.poll_due_feeds(clock.now(), on_edit=edited)
    assert edited == [(["Harbour report number 2"], {"Harbour report number 2"}, ["Harbour report number 2"])]

    after = await db.articles.get(first.id or 0)
    assert after is not None
    assert await delivery.plan_alerts([after], clock.now(), {first.id or 0}, [first]) == 1
    rows = await db.reader.execute_fetchall(
        "SELECT chat_id, catchup, not_before > ? FROM deliveries", (clock.now(),)
    )
    assert [tuple(r) for r in rows] == [(7, 1, 1)]


async def test_a_feeds_edit_of_its_first_polls_backlog_alerts_nobody(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # An item of last week, stored when the feed was added and never pushed to anyone: its edit, minutes
    # later, must not bring last week's news as a fresh alert to the followers of the topic it added.
    edited = _Edited()
    item = _story(3, news_site, published=_iso(clock.now() - 7 * 86400))
    await db.feeds.add(news_site.url("/week.json"), (), None, clock.now())
    _serve_json_feed(news_site, "/week.json", "Week", [item])
    assert await service.poll_due_feeds(clock.now()) == []
    _serve_json_feed(news_site, "/week.json", "Week", [item], add_sport=True)
    clock.advance(601)
    await service.poll_due_feeds(clock.now(), on_edit=edited)
    [stored] = await db.articles.search("Harbour3")
    assert "sport" in stored.topics  # the edit is taken
    assert edited == [] and await db.articles.alert_pending() == []


@pytest.mark.parametrize("dates", ["none", "alike"])
async def test_a_feeds_edit_of_its_first_polls_undated_or_alike_dated_backlog_alerts_nobody(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite, dates: str
) -> None:
    # A feed without dates (or giving every item the time of the request) lists its archive when it is added:
    # all backlog, pushed to nobody. An edit of one of them minutes later brought it to the followers of the
    # topic the edit added, as news.
    edited = _Edited()
    items = [_story(n, news_site, published=_iso(clock.now())) for n in (4, 5, 6)]
    for item in items:
        if dates == "none":
            del item["date_published"]
    await db.feeds.add(news_site.url("/archive.json"), (), None, clock.now() - 60)
    _serve_json_feed(news_site, "/archive.json", "Archive", items)
    assert await service.poll_due_feeds(clock.now()) == []
    items[0] = dict(items[0], content_text=items[0]["content_text"] + _FOOTBALL)
    _serve_json_feed(news_site, "/archive.json", "Archive", items)
    clock.advance(601)
    await service.poll_due_feeds(clock.now(), on_edit=edited)
    [stored] = await db.articles.search("Harbour4")
    assert "sport" in stored.topics  # the edit is taken
    assert edited == [] and await db.articles.alert_pending() == []


async def test_a_feeds_edit_of_an_undated_backlog_item_stored_before_the_upgrade_alerts_nobody(
    clock: FakeClock, news_site: NewsSite, tmp_path: Path
) -> None:
    # Yesterday's newsbot (schema 21) stored a feed's undated archive at its first poll, pushed to nobody, with
    # no backlog mark. After the upgrade, an edit of one adding a topic brought that archive item to the
    # topic's followers as news. A second item, alerted before the upgrade, is news for the chats the edit
    # makes it match, as today's code would plan it.
    path = tmp_path / "news.sqlite3"
    async with await Database.open(path, migrations=load_migrations()[:21]) as old:
        assert old.schema_version == 21
    items = [_story(n, news_site) for n in (7, 8)]
    for item in items:
        del item["date_published"]
    stored_at = clock.now() - 3600
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO chats (id, created_at, updated_at) VALUES (7, ?, ?), (8, ?, ?)",
            (stored_at, stored_at, stored_at, stored_at),
        )
        conn.execute(
            "INSERT INTO subscriptions (chat_id, kind, value, created_at) VALUES (7, 'topic', 'sport', ?),"
            " (8, 'keyword', 'harbour8', ?)",
            (stored_at, stored_at),
        )
        conn.execute(
            "INSERT INTO feeds (id, url, origin, title, created_at, last_polled_at, last_success_at, next_poll_at)"
            " VALUES (1, ?, 'admin', 'Archive', ?, ?, ?, 0)",
            (news_site.url("/archive.json"), stored_at - 60, stored_at, stored_at),
        )
        for n, item in zip((1, 2), items, strict=True):
            conn.execute(
                "INSERT INTO articles (id, url, title, source, fetched_at, body, content_hash, story_id, feed_id)"
                " VALUES (?, ?, ?, 'Archive', ?, ?, ?, ?, 1)",
                (n, item["url"], item["title"], stored_at, item["content_text"], f"h{n}", n),
            )
        conn.execute(
            "INSERT INTO deliveries (chat_id, story_id, article_id, kind, status, planned_at, finished_at)"
            " VALUES (8, 2, 2, 'alert', 'sent', ?, ?)",
            (stored_at, stored_at),
        )
    conn.close()
    _serve_json_feed(news_site, "/archive.json", "Archive", items, add_sport=True)
    edited = _Edited()
    async with await Database.open(path) as db:
        settings = Settings(_env_file=None, db_path=path, allow_private_urls=True)  # type: ignore[call-arg]
        fetcher = Fetcher(allow_private=True, timeout=3.0, max_bytes=1_000_000)
        service = IngestService(
            db=db, fetcher=fetcher, catalogue=TopicCatalogue.load(), settings=settings, clock=clock
        )
        try:
            assert await service.poll_due_feeds(clock.now(), on_edit=edited) == []
            assert ["sport" in a.topics for a in await db.articles.search("Harbour")] == [True, True]
            assert edited == [(["Harbour report number 8"], set(), ["Harbour report number 8"])]
            assert [a.id for a in await db.articles.alert_pending()] == [2]
        finally:
            service.close()
            await fetcher.aclose()


def _delivery(db: Database, clock: FakeClock, tmp_path: Path) -> DeliveryService:
    settings = Settings(_env_file=None, db_path=tmp_path / "news.sqlite3")  # type: ignore[call-arg]
    return DeliveryService(db=db, bot=None, settings=settings, clock=clock, catalogue=TopicCatalogue.load())


async def test_a_feeds_edit_of_an_items_text_alone_replaces_the_stored_text(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # A figure corrected (or a live blog grown) under the same headline is an edit too: /latest, /search and
    # digests must show the corrected text (the feed carries the whole text, so no page is fetched).
    await db.feeds.add(news_site.url("/full.json"), (), None, clock.now() - 60)
    item = _story(1, news_site, published=_iso(clock.now() - 30))
    _serve_json_feed(news_site, "/full.json", "Full", [item])
    await service.poll_due_feeds(clock.now())
    [first] = await db.articles.search("quay1")
    corrected = dict(item, content_text=item["content_text"].replace("shipment 7 arrived", "shipment 7 sank"))
    news_site.add("/full.json", _json_feed("Full", [corrected]), content_type="application/json")
    clock.advance(601)

    assert await service.poll_due_feeds(clock.now()) == []  # an edit is not news: no alert

    stored = await db.articles.get(first.id or 0)
    assert stored is not None and stored.title == "Harbour report number 1"
    assert "shipment 7 sank" in stored.body and "shipment 7 arrived" not in stored.body
    assert [a.id for a in await db.articles.search("sank")] == [first.id]


async def test_a_feed_listing_one_link_twice_with_two_texts_is_no_edit_at_every_poll(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # Two items with one link and two texts: the article stored from the first is not rewritten with the
    # second's text (and back) at every poll, a summary each time.
    await db.feeds.add(news_site.url("/twice.json"), (), None, clock.now() - 60)
    first = _story(1, news_site, published=_iso(clock.now() - 30))
    second = dict(first, id="s1-copy", content_text=first["content_text"].replace("arrived", "left"))
    news_site.add("/twice.json", _json_feed("Twice", [first, second]), content_type="application/json")
    await service.poll_due_feeds(clock.now())
    [stored] = await db.articles.search("quay1")
    for _ in range(2):
        clock.advance(601)
        await service.poll_due_feeds(clock.now())
        assert await db.articles.get(stored.id or 0) == stored


async def test_a_poll_taking_one_edit_logs_it_in_the_singular(
    service: IngestService,
    db: Database,
    clock: FakeClock,
    news_site: NewsSite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The operator read "took the edits of 1 items stored before".
    await db.feeds.add(news_site.feed_url("business"), ("business",), None, clock.now() - 60)
    published = await news_site.publish("business", CAR_TITLE, CAR_BODY)
    await service.poll_due_feeds(clock.now())
    news_site.revise(published, title="Carmaker Voltra plans to triple its sales in Asia")
    caplog.set_level(logging.INFO, logger="bot")
    clock.advance(601)
    await service.poll_due_feeds(clock.now())
    told = [r.getMessage() for r in caplog.records if "edits" in r.getMessage()]
    assert told == [
        f"feed {news_site.feed_url('business')}: took the edits of 1 item stored before (0 left for the next polls)"
    ]


async def test_a_teasers_corrected_headline_fetches_its_page_again_and_an_unchanged_one_does_not(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # A teaser's stored text is its page's: the feed's "Read more..." must never replace it, and the page is
    # fetched again only when the feed edits the item.
    page = _health_page(news_site, "Chip plant opens")
    article = await _poll_one_teaser(service, db, clock, news_site, page)
    assert article.id is not None and news_site.hits("/story.html") == 1
    clock.advance(601)
    assert await service.poll_due_feeds(clock.now()) == []
    assert news_site.hits("/story.html") == 1
    # The site corrects the headline and the page.
    item = (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Teasers</title><link>http://x/</link>"
        f"<item><title>Chip plant opens in May</title><link>{page}</link><description>Read more...</description>"
        f"<pubDate>{_rfc822(clock.now() - 601)}</pubDate></item></channel></rss>"
    )
    news_site.add("/teasers.xml", item, content_type="application/rss+xml")
    news_site.add(
        "/story.html",
        "<html><body><article><h1>Chip plant opens in May</h1>"
        + "".join(f"<p>{s.replace('vaccination', 'booster')}</p>" for s in HEALTH_BODY.split("\n\n"))
        + "</article></body></html>",
    )
    clock.advance(601)
    assert await service.poll_due_feeds(clock.now()) == []
    stored = await db.articles.get(article.id)
    assert stored is not None and stored.title == "Chip plant opens in May"
    assert "booster rate" in stored.body and "Read more" not in stored.body
    assert news_site.hits("/story.html") == 2


async def test_a_teasers_corrected_headline_keeps_the_stored_text_when_its_page_fails(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # The page of a teaser whose headline the feed corrected answers an error: the new headline goes over the
    # page's text stored before, never over the feed's "Read more..." (its summary would be that teaser).
    page = _health_page(news_site, "Chip plant opens")
    article = await _poll_one_teaser(service, db, clock, news_site, page)
    assert article.id is not None
    item = (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Teasers</title><link>http://x/</link>"
        f"<item><title>Chip plant opens in May</title><link>{page}</link><description>Read more...</description>"
        f"<pubDate>{_rfc822(clock.now() - 601)}</pubDate></item></channel></rss>"
    )
    news_site.add("/teasers.xml", item, content_type="application/rss+xml")
    news_site.add("/story.html", "gone", status=500)
    clock.advance(601)
    assert await service.poll_due_feeds(clock.now()) == []
    stored = await db.articles.get(article.id)
    assert stored is not None and stored.title == "Chip plant opens in May"
    assert "vaccination" in stored.body and "Read more" not in stored.body
    assert not any("Read more" in sentence for sentence in stored.summary)


async def test_a_paywalled_teasers_corrected_headline_keeps_it_partial_when_its_page_fails(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # The stored start of a paywalled page kept under the new headline lost its mark: its summary no longer
    # said that only the start of the article could be read.
    paragraphs = "".join(f"<p>{s}</p>" for s in HEALTH_BODY.split("\n\n")[:2])
    page = news_site.add(
        "/story.html",
        f"<html><head><title>Chip plant opens</title></head><body><article><h1>Chip plant opens</h1>{paragraphs}"
        "<div class='paywall'><p>Subscribe to continue reading.</p></div></article></body></html>",
    )
    article = await _poll_one_teaser(service, db, clock, news_site, page)
    assert article.id is not None
    item = (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Teasers</title><link>http://x/</link>"
        f"<item><title>Chip plant opens in May</title><link>{page}</link><description>Read more...</description>"
        f"<pubDate>{_rfc822(clock.now() - 601)}</pubDate></item></channel></rss>"
    )
    news_site.add("/teasers.xml", item, content_type="application/rss+xml")
    news_site.add("/story.html", "gone", status=500)
    clock.advance(601)
    await service.poll_due_feeds(clock.now())
    stored = await db.articles.get(article.id)
    assert stored is not None and stored.title == "Chip plant opens in May"
    assert stored.partial


async def test_a_feed_that_edits_every_item_at_every_poll_costs_ten_edits_a_poll(
    service: IngestService,
    db: Database,
    clock: FakeClock,
    news_site: NewsSite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Each edit is a tagging and a summary: a feed rewriting its whole list at each poll must not cost a
    # summary per item per poll, nor starve its new items; the edits left are taken at the next polls.
    start = clock.now()

    def listing(version: int, count: int = 15) -> bytes:
        # news of the minute the feed was first read (dated alike, a first read's list would be backlog)
        stories = [
            _story(
                n, news_site, title=f"Harbour report number {n}, version {version}", published=_iso(start - n)
            )
            for n in range(count)
        ]
        return _json_feed("Busy", stories)

    url = news_site.add("/edits.json", listing(1), content_type="application/json", auto_etag=True)
    await db.feeds.add(url, (), None, clock.now() - 60)
    await service.poll_due_feeds(clock.now())
    assert await db.articles.count() == 15
    news_site.add("/edits.json", listing(2, 16), content_type="application/json", auto_etag=True)
    caplog.set_level(logging.INFO, logger="bot")
    clock.advance(601)
    # Planned for the chats they make the stories match: ten a poll too, not the whole list at every poll.
    edited = _Edited()
    assert [a.title for a in await service.poll_due_feeds(clock.now(), on_edit=edited)] == [
        "Harbour report number 15, version 2"
    ]
    told = [r.getMessage() for r in caplog.records if "edits" in r.getMessage()]
    assert told == [f"feed {url}: took the edits of 10 items stored before (5 left for the next polls)"]
    # The five left are taken at the next poll: the feed's old ETag is kept, so the site answers in full.
    clock.advance(601)
    assert await service.poll_due_feeds(clock.now(), on_edit=edited) == []
    assert [len(titles) for titles, _, _ in edited] == [10, 5]
    titles = [a.title for a in await db.articles.latest(20)]
    assert len(titles) == 16 and all(t.endswith("version 2") for t in titles)


async def test_a_teasers_edit_onto_another_items_text_is_not_fetched_again_at_every_poll(
    service: IngestService, db: Database, clock: FakeClock, news_site: NewsSite
) -> None:
    # A teaser whose corrected headline made it the same article as another item of the feed (a copy of its
    # page under that headline) is refused, as two articles cannot hold one text: the bot fetched its page again
    # at every poll that brought anything new, for the 3 days an item's edits are taken.
    paragraphs = [*HEALTH_BODY.split("\n\n"), *CAR_BODY.split("\n\n")]
    page = news_site.add(
        "/story.html",
        "<html><body><article>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article></body></html>",
    )

    def listing(teaser_title: str, extra: int = 0) -> str:
        items = [
            f"<item><title>{teaser_title}</title><link>{page}</link><description>{extra} comments. Read more..."
            f"</description><pubDate>{_rfc822(clock.now())}</pubDate></item>",
            f"<item><title>Chip plant opens in May</title><link>{news_site.url('/copy.html')}</link>"
            f"<description>{' '.join(paragraphs)}</description><pubDate>{_rfc822(clock.now())}</pubDate></item>",
        ]
        for n in range(extra):
            story = _story(n, news_site)
            items.append(
                f"<item><title>{story['title']}</title><link>{story['url']}</link>"
                f"<description>{story['content_text']}</description></item>"
            )
        return (
            "<?xml version='1.0'?><rss version='2.0'><channel><title>Teasers</title><link>http://x/</link>"
            + "".join(items)
            + "</channel></rss>"
        )

    feed_url = news_site.add("/teasers.xml", listing("Chip plant opens"), content_type="application/rss+xml")
    await db.feeds.add(feed_url, (), None, clock.now() - 60)
    assert len(await service.poll_due_feeds(clock.now())) == 2
    assert news_site.hits("/story.html") == 1
    news_site.add("/teasers.xml", listing("Chip plant opens in May"), content_type="application/rss+xml")
    clock.advance(601)
    await service.poll_due_feeds(clock.now())
    assert news_site.hits("/story.html") == 2  # the edit is tried once, and refused
    rows = await db.reader.execute_fetchall("SELECT title FROM articles ORDER BY id")
    assert [r[0] for r in rows] == ["Chip plant opens", "Chip plant opens in May"]
    # News at each poll, and the teaser's own text changing; its headline stays as it was edited.
    for extra in (1, 2, 3):
        news_site.add(
            "/teasers.xml", listing("Chip plant opens in May", extra), content_type="application/rss+xml"
        )
        clock.advance(601)
        await service.poll_due_feeds(clock.now())
    assert news_site.hits("/story.html") == 2
    assert await db.articles.count() == 5
