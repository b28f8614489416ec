"""Turning sources into stored, summarized, topic-tagged articles: feeds, pages, files and pasted text."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import functools
import logging
import math
import re
import sqlite3
from collections import Counter
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, ParamSpec, TypeVar
from urllib.parse import urlsplit, urlunsplit

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.delivery.planning import catchup_window, late_articles
from bot.errors import UserError
from bot.render.replies import render_feed_dead, render_feed_swapped, render_feed_works_again
from bot.render.text import counted
from bot.services.admin import MAX_URL_CHARS, normal_feed_url
from bot.services.summaries import SummaryCache
from bot.store import Database, write_refused
from bot.store.articles import RevisableArticle
from bot.store.db import storable_text
from bot.store.models import Feed
from bot.store.notices import NoticeDraft
from summaries.articles import Article
from summaries.dedup import content_fingerprint, joins_story, story_bands, story_signature
from summaries.fetch import Fetched, Fetcher, FetchError, sniff_media_type
from summaries.sources.feeds import (
    FeedError,
    FeedItem,
    ParsedFeed,
    advertised_feeds,
    article_url,
    former_article_url,
    is_teaser,
    item_to_article,
    looks_like_feed,
    parse_feed,
)
from summaries.sources.files import read_source_file
from summaries.sources.pages import ExtractionError, extract_page, page_to_article
from summaries.summarizer import MAX_SENTENCES, MIN_SENTENCES, summarize
from summaries.text import is_unspaced
from summaries.topics import TopicCatalogue
from summaries.urls import canonical_url, site_host

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 100_000  # pasted text beyond this is cut: nobody pastes a book into a chat
# Pasted text of fewer words is no text to condense: it came back as its own summary. A two-sentence wire brief
# ("Fire in Rome. Two hurt.") has five. Words are what holds a letter or digit: "-" or an emoji is none.
MIN_TEXT_WORDS = 5
_HAS_WORD = re.compile(r"\w")
MAX_ITEMS_PER_POLL = 100  # a feed that suddenly lists thousands of items is read in bounded steps
TEASER_FETCHES_PER_POLL = 10
# A first poll alerts only what is dated after the feed was added; a feed added while its site was down can
# have a day of such items, and more than this many is a flood, not news.
FIRST_POLL_MAX_ALERTS = 20
# Dates further ahead than this come from a wrong clock or time zone and say nothing about what is new.
FUTURE_TOLERANCE_SECONDS = 15 * 60
DEAD_AFTER_FAILURES = 10
# A dead feed is still tried this often: a site down for a week's maintenance comes back without the operator.
DEAD_FEED_RETRY_SECONDS = 86400.0
# A slow link holds one of the bot's shared update slots for up to twice the fetch timeout; one person sending
# links in many groups at once must not hold many of them. Two still lets a link and a retry overlap.
LINK_FETCHES_PER_REQUESTER = 2
LINK_FETCHES_BUSY = "I'm still fetching your other links; try again in a moment."
# The bot-wide bound on /summary link fetches. A link holds one of the 64 shared update slots
# (bot.updates.PerChatUpdateProcessor) for up to twice the fetch timeout: 16 leaves 48 for every other chat's
# commands. With the 4 feeds a poll reads at once it also fits the fetcher's pool of 20 connections, so a
# burst of links never makes the poller wait for a connection (nor the links wait for the poller).
LINK_FETCHES_AT_ONCE = 16
LINK_FETCHES_BOT_BUSY = "I'm fetching many links right now; try again in a minute."
FEED_CUT_SHORT = "The feed ended in the middle of an item (the download was cut short)."
NO_FEED_ON_PAGE = "That page is not a feed and names none; send the feed's address (often /rss or /feed)."
# Threads that parse outside content (feeds, pages, files) and prepare its articles. A parse of hostile input
# takes seconds and goes on after its caller timed out, so this work has its own pool: the event loop's default
# executor stays free for alert planning, summaries and time zone lookups. Four matches the feeds a poll reads
# at once; more would only fight the event loop for the GIL (parsing is mostly Python).
PARSE_WORKERS = 4
STORY_WINDOW_SECONDS = 3 * 86400
# A feed's edit of an item it brought (a corrected headline, a live blog's growing text) replaces the stored
# version for this long after it was first stored.
REVISION_WINDOW_SECONDS = 3 * 86400
# Edits taken per poll of a feed, each a tagging and summary (a teaser's also a page fetch, from what the
# poll's new items left of TEASER_FETCHES_PER_POLL): a feed that changes every item at every poll costs no
# more than this. The rest are taken at the next polls.
REVISIONS_PER_POLL = 10
# Edits refused (another article holds that text) remembered this run, so the same edit is not tried again.
REFUSED_EDITS_KEPT = 10_000
# One link of a scheme the bot never fetches, sent as the whole text of /summary.
_OTHER_SCHEME = re.compile(r"(?!https?://)[a-z][a-z0-9+.-]*://\S*", re.IGNORECASE)

_P = ParamSpec("_P")
_T = TypeVar("_T")

Status = Literal["added", "duplicate_url", "duplicate_content", "pruned", "failed"]


def _has_login(url: str) -> bool:
    """Whether an address carries a user name (and password), which the fetcher sends as Basic auth."""
    try:
        return urlsplit(url.strip()).username is not None
    except ValueError:  # a broken IPv6 literal: the fetch refuses it
        return False


class _WalledPage(UserError):
    """A page that shows only a paywall's or sign-in wall's prompt: no article text, the article is behind it."""


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    """What happened to one article (or one unreadable source) during ``newsbot ingest``."""

    source: str
    status: Status
    article: Article | None = None
    reason: str | None = None
    # The database, not the article, refused (locked by another program, a full disk): the rest would fail too.
    storage_failed: bool = False


@dataclass(frozen=True, slots=True)
class Edit:
    """A feed's edit of an article it brought, whose alerts are to be planned for the chats it makes it match."""

    before: Article | None  # None: its first alerts are not planned yet, so it is planned as a new article
    after: Article
    first_stored_at: float


@dataclass(frozen=True, slots=True)
class FeedCheck:
    """A readable feed: its URL (the one to poll), title, and the page it was found on, if it was."""

    url: str
    title: str
    found_on: str | None = None
    others: tuple[str, ...] = ()  # further feeds that page advertises
    moved_to: str | None = None  # where the feed moved for good (301/308), which the first poll will follow


def fetcher_for(settings: Settings) -> Fetcher:
    """The safe fetcher configured by the operator's settings (private addresses, timeout, size cap)."""
    return Fetcher(
        allow_private=settings.allow_private_urls,
        timeout=settings.fetch_timeout_seconds,
        max_bytes=settings.fetch_max_bytes,
    )


@contextlib.asynccontextmanager
async def open_ingest(settings: Settings, *, clock: Clock | None = None) -> AsyncIterator[IngestService]:
    """An IngestService on the settings' database, fetcher and topics, closed with them (``newsbot ingest``)."""
    async with await Database.open(settings.db_path) as db:
        fetcher = fetcher_for(settings)
        service = IngestService(
            db=db,
            fetcher=fetcher,
            catalogue=TopicCatalogue.load(settings.topics_file),
            settings=settings,
            clock=clock or SystemClock(),
        )
        try:
            yield service
        finally:
            service.close()
            await fetcher.aclose()


async def ingest_sources(
    service: IngestService, sources: Iterable[str]
) -> AsyncGenerator[IngestOutcome, None]:
    """The outcomes of each source in turn, each as soon as it is stored; the next source is taken only once
    the previous one is done. Stops after an outcome with ``storage_failed``: every later article would wait
    out the busy timeout and fail the same way.
    """
    for source in sources:
        async with contextlib.aclosing(service.iter_source(source)) as outcomes:
            async for outcome in outcomes:
                yield outcome
                if outcome.storage_failed:
                    return


class IngestService:
    """Fetch, extract, tag, summarize and store; the only place that turns outside text into stored articles.

    Parsing and preparing runs in the service's own PARSE_WORKERS threads; ``close`` stops them.
    """

    def __init__(
        self,
        *,
        db: Database,
        fetcher: Fetcher,
        catalogue: TopicCatalogue,
        settings: Settings,
        clock: Clock,
        summaries: SummaryCache | None = None,
    ) -> None:
        self._db = db
        self._fetcher = fetcher
        self._catalogue = catalogue
        self._settings = settings
        self._clock = clock
        self._summaries = summaries if summaries is not None else SummaryCache()
        self._poll_lock = asyncio.Lock()
        self._store_lock = asyncio.Lock()
        self._stories: StoryIndex | None = None
        self._link_fetches: dict[int, int] = {}  # requester -> links being fetched for them now
        self._link_fetches_total = 0
        # Canonical URL -> the stored article of the /summary fetch of that link in progress (None: it failed).
        self._links_in_flight: dict[str, asyncio.Future[Article | None]] = {}
        self._moves_told: set[int] = set()  # feeds whose permanent move the log named already this run
        # Article id -> the content fingerprint of the feed item whose edit of it was refused (see _revise).
        self._refused_edits: dict[int, str] = {}
        # Feed id -> when it may be polled again, for a poll whose next time the database refused to store (a
        # full disk): still due there, the feed was fetched again at every tick, a few seconds apart.
        self._poll_not_before: dict[int, float] = {}
        self._parser = ThreadPoolExecutor(PARSE_WORKERS, thread_name_prefix="newsbot-parse")

    def close(self) -> None:
        """Stop the parsing threads: queued work is cancelled, and a parse stuck on hostile input is not waited for."""
        self._parser.shutdown(wait=False, cancel_futures=True)

    async def _parse(self, func: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """``asyncio.to_thread``, but in the parsing pool rather than the event loop's default executor."""
        call = functools.partial(contextvars.copy_context().run, func, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._parser, call)

    # -- summaries -------------------------------------------------------------------------------------------

    async def summary_for(self, article: Article, sentences: int) -> list[str]:
        """The article's summary at ``sentences`` length: the stored one when it fits, else computed once."""
        return await self._summaries.summary_for(article, sentences)

    async def summarize_article(
        self, article_id: int, sentences: int, *, chat_id: int
    ) -> tuple[Article, list[str]]:
        """A stored article and its summary; UserError when there is none that chat ``chat_id`` may see."""
        article = await self._db.articles.get(article_id, reader=chat_id)
        if article is None:
            if not await self._db.articles.ever_stored(article_id):
                # A mistyped id, or the "/summary 12" of the examples before there are 12 articles: "it may be
                # older than the 30 days articles are kept" sent the reader looking for an article that never was.
                raise UserError(
                    f"There is no article #{article_id}. /latest shows recent ones with their ids."
                )
            # Mostly a summary button under an old alert or list: its article was pruned, nobody mistyped.
            days = self._settings.retention_days
            kept = f"{days} day{'' if days == 1 else 's'}"
            raise UserError(
                f"There is no article #{article_id}; it may be older than the {kept} articles are kept. "
                "/latest shows recent ones."
            )
        return article, await self.summary_for(article, sentences)

    async def summarize_url(
        self, url: str, sentences: int, *, chat_id: int, requester: int | None = None
    ) -> tuple[Article, list[str]]:
        """Fetch the page at ``url``, extract, store and summarize it; UserError with the reason when it fails.

        The article is stored for chat ``chat_id`` only (and any other chat that sends the link): a link may
        be private, so other chats do not list, search or open it until a feed brings it. ``requester`` (the
        person asking, in whatever chat; by default the chat) gets at most LINK_FETCHES_PER_REQUESTER fetches
        at a time, and the bot at most LINK_FETCHES_AT_ONCE: a further link is refused at once with UserError,
        not queued.
        """
        try:
            canonical = canonical_url(url)
        except ValueError as exc:
            raise UserError(f"That link does not look valid ({exc}).") from None
        if _has_login(url):
            # The page a login opened is the sender's: stored under its address without the login, it was given
            # to any chat that sent the bare address (and to every subscriber once a feed listed it). It is read
            # for this request alone, neither stored nor shared, as a link the database refused is.
            with self._link_fetch_slot(chat_id if requester is None else requester):
                article = await self._fetch_article(url)
            prepared, _hash, _signature = await self._parse(self._prepare, article)
            return prepared, await self.summary_for(prepared, sentences)
        stored = await self._db.articles.get_by_url(canonical)
        # Not shared: deleted meanwhile by the /stop of the one chat that had sent the link, so fetched again.
        if stored is not None and (shown := await self._share_link(stored, chat_id)) is not None:
            return shown, await self.summary_for(shown, sentences)
        # Waiting for another chat's fetch of the link holds an update slot like fetching it: it counts too. But
        # it opens no connection, so the bot-wide bound does not refuse it: it joins the fetch already running.
        joining = canonical in self._links_in_flight
        with self._link_fetch_slot(chat_id if requester is None else requester, joining=joining):
            while (leader := self._links_in_flight.get(canonical)) is not None:
                # Another chat is fetching this link right now (a link pasted in many chats at once): its page
                # and stored article serve this chat too, fetched and stored once. Shielded: this chat's time
                # limit must not cancel the other chat's request.
                try:
                    shared = await asyncio.shield(leader)
                except UserError as exc:
                    raise UserError(exc.message) from None  # the same page: the same reason, to each chat
                if shared is not None and (shown := await self._share_link(shared, chat_id)) is not None:
                    return shown, await self.summary_for(shown, sentences)
                # That request was cancelled or failed unexpectedly (or its chat's /stop deleted the article since):
                # this one tries on its own, which opens a connection, so now the bot-wide bound applies (this
                # request is counted in the total already).
                if self._link_fetches_total > LINK_FETCHES_AT_ONCE:
                    raise UserError(LINK_FETCHES_BOT_BUSY)
            done: asyncio.Future[Article | None] = asyncio.get_running_loop().create_future()
            self._links_in_flight[canonical] = done
            try:
                article = await self._fetch_article(url)
                stored_article = await self._store_link(article, chat_id)
            except UserError as exc:
                done.set_exception(UserError(exc.message))
                done.exception()  # nobody may be waiting: retrieved, so asyncio does not log it
                raise
            except BaseException:
                done.set_result(None)
                raise
            else:
                done.set_result(stored_article)
            finally:
                self._links_in_flight.pop(canonical, None)
        return stored_article, await self.summary_for(stored_article, sentences)

    async def _store_link(self, article: Article, chat_id: int) -> Article:
        """Store a /summary link's article for ``chat_id``; unstored (no id) when the database refuses the write.

        A full disk or another program's lock answered "I could not save that" to a reader who only asked for the
        summary, though the page was fetched and summarized: it is shown, and stored when it is sent again.
        """
        try:
            stored, _ = await self._store(article, feed_id=None, reader=chat_id)
        except (sqlite3.OperationalError, sqlite3.IntegrityError) as exc:
            await self._link_not_kept(exc, chat_id, "stored")
        else:
            return stored
        prepared, _hash, _signature = await self._parse(self._prepare, article)
        return prepared

    async def _share_link(self, stored: Article, chat_id: int) -> Article | None:
        """A stored /summary link's article, shared with ``chat_id``; None when it is gone (or was never stored).

        When the database refuses the write, or the chat is not saved yet (its registration was refused), it is
        shown as an unstored link's is (no id the chat could not open yet), and shared when it is sent again: the
        reader asked only for the summary, and was answered "I could not save that" or an internal error.
        """
        if stored.id is None:
            return None
        try:
            return stored if await self._db.articles.share(stored.id, chat_id) else None
        except (sqlite3.OperationalError, sqlite3.IntegrityError) as exc:
            await self._link_not_kept(exc, chat_id, "shared")
        # Without its stored summary too: summarized at the length asked for, from its text.
        return dataclasses.replace(stored, id=None, summary=())

    async def _link_not_kept(self, exc: sqlite3.Error, chat_id: int, what: str) -> None:
        """Log why a /summary link's article was not ``what`` ("stored", "shared") for ``chat_id``; raise ``exc``
        when it is no reason to show the summary all the same (a bug, not a refusal).

        Reasons: the database refused the write (a full disk, another program's lock), or the chat has no row yet
        (a newcomer whose registration a lock refused, ChatService.ensure_for_reading, the lock gone since).
        """
        if isinstance(exc, sqlite3.IntegrityError):
            if await self._db.chats.get(chat_id) is not None:
                raise exc
            reason = "the chat is not registered yet"
        elif isinstance(exc, sqlite3.OperationalError) and write_refused(exc):
            reason = str(self._db.refusal(exc))
        else:
            raise exc
        log.warning("link for chat %s summarized but not %s: %s", chat_id, what, reason)

    @contextlib.contextmanager
    def _link_fetch_slot(self, requester: int, *, joining: bool = False) -> Iterator[None]:
        """Count one link fetch for ``requester`` while it runs; UserError when they or the bot have too many.

        ``joining``: the link is being fetched already and this request waits for it, so the bot-wide bound
        (which keeps connections and update slots free) does not refuse it; the per-person bound still does.
        """
        running = self._link_fetches.get(requester, 0)
        if running >= LINK_FETCHES_PER_REQUESTER:
            raise UserError(LINK_FETCHES_BUSY)
        if not joining and self._link_fetches_total >= LINK_FETCHES_AT_ONCE:
            raise UserError(LINK_FETCHES_BOT_BUSY)
        self._link_fetches[requester] = running + 1
        self._link_fetches_total += 1
        try:
            yield
        finally:
            # Released on failure and on cancellation too (the handler's time limit cancels a hung fetch).
            self._link_fetches_total -= 1
            left = self._link_fetches[requester] - 1
            if left:
                self._link_fetches[requester] = left
            else:
                del self._link_fetches[requester]  # forget idle requesters so memory stays flat

    async def summarize_text(self, text: str, sentences: int) -> list[str]:
        """Summarize pasted text; UserError when it holds nothing to summarize."""
        text = text[:MAX_TEXT_CHARS]
        if _looks_binary(text):
            raise UserError("That doesn't look like readable text, so there is nothing to summarize.")
        if _OTHER_SCHEME.fullmatch(text.strip()):
            # "ftp://host/x", "file:///etc/hostname": a link, but not one the bot will fetch (SPEC §8).
            raise UserError(
                "I can only fetch http:// and https:// links. Send a web link, or the text itself."
            )
        if not is_unspaced(text) and sum(1 for w in text.split() if _HAS_WORD.search(w)) < MIN_TEXT_WORDS:
            # A few words ("hello", "hello world", "https:// foo") came back as their own summary, which helps
            # nobody. Chinese or Japanese puts no spaces between words, so one run of it can be a whole article.
            raise UserError(
                "That is too short to summarize. Send a few sentences of an article, a link (https://...) "
                "or an article id (/summary 12)."
            )
        result = await asyncio.to_thread(summarize, text, max(MIN_SENTENCES, min(MAX_SENTENCES, sentences)))
        if not result:
            raise UserError("There is nothing to summarize in that text. Send a few sentences of an article.")
        return result

    # -- feeds ----------------------------------------------------------------------------------------------

    async def check_feed(self, url: str) -> FeedCheck:
        """Fetch and parse a feed URL, or the feed an HTML page advertises; UserError saying why there is none."""
        try:
            fetched = await self._fetcher.fetch(url, accept="feed")
        except FetchError as exc:
            raise UserError(exc.reason) from None
        try:
            parsed = await self._parse(parse_feed, fetched.body, fetched.url, charset=fetched.charset)
            return FeedCheck(url, parsed.title or url, moved_to=fetched.moved_to)
        except FeedError as exc:
            if not _is_html_page(fetched):
                raise UserError(f"That address is not a feed I can read: {exc.reason}") from None
        advertised = await self._parse(advertised_feeds, fetched.body, fetched.url, fetched.charset)
        if not advertised:
            raise UserError(NO_FEED_ON_PAGE)
        # The first is the site's main feed by convention (comments and category feeds follow it). It goes
        # through the same fetcher as any URL, so a page cannot point newsbot at a private address.
        found, others = advertised[0], tuple(advertised[1:])
        try:
            fetched, parsed = await self._read_feed(found)
        except (FetchError, FeedError) as exc:
            raise UserError(
                f"That page names the feed {found}, but it cannot be read: {exc.reason}"
            ) from None
        return FeedCheck(found, parsed.title or found, found_on=url, others=others, moved_to=fetched.moved_to)

    async def poll_due_feeds(
        self,
        now: float,
        on_new: Callable[[list[Article], frozenset[int]], None] | None = None,
        on_edit: Callable[[list[Article], frozenset[int], list[Article]], None] | None = None,
    ) -> list[Article]:
        """Poll every feed that is due; the articles that are new (stored for the first time), feed by feed in
        the order each feed lists them (most list newest first; a first poll's capped list is newest first).

        ``on_new`` gets each feed's new articles as soon as that feed is read, so their alerts need not wait
        for the slowest feed of the round (a feed of teasers fetches a page an item), with the ids of those
        that are late news (see _late_news). ``on_edit`` gets likewise the articles the feed edited that may
        alert the chats the edit makes them match, those that are late news, and their versions before the
        edit (the chats those matched are not alerted again).
        """
        async with self._poll_lock:  # one poll at a time, even if a tick runs long
            # No poll is set further ahead than the interval or a day's backoff; the hour covers a slow tick.
            longest_wait = max(float(self._settings.feed_interval_seconds), 86400.0) + 3600.0
            feeds = await self._db.feeds.due(now, longest_wait)
            self._poll_not_before = {k: t for k, t in self._poll_not_before.items() if t > now}
            feeds = [feed for feed in feeds if feed.id not in self._poll_not_before]
            if not feeds:
                return []
            semaphore = asyncio.Semaphore(4)

            async def one(feed: Feed) -> list[Article]:
                edited: list[Edit] = []
                async with semaphore:
                    try:
                        new = await self.poll_feed(feed, now, edited=edited)
                    except Exception as exc:  # never let one feed lose the new articles of the others
                        self._unrecorded_poll(feed, exc, now, self._settings.feed_interval_seconds)
                        new = []
                if new and on_new is not None:
                    on_new(new, await self._late_news(feed, new, now))
                if edited and on_edit is not None:
                    revised = [edit.after for edit in edited]
                    # Stored longer than the catch-up window ago, it is old news for the chats the edit makes it
                    # match, whatever its date says (an undated item has none); else judged as new items are.
                    old = now - catchup_window(self._settings.feed_interval_seconds)
                    late = await self._late_news(feed, revised, now) | {
                        edit.after.id for edit in edited if edit.first_stored_at < old and edit.after.id
                    }
                    on_edit(revised, late, [edit.before for edit in edited if edit.before is not None])
                return new

            batches = await asyncio.gather(*(one(feed) for feed in feeds))
        return [article for batch in batches for article in batch]

    async def _late_news(self, feed: Feed, new: Sequence[Article], now: float) -> frozenset[int]:
        """The ids of ``new``, what the poll at ``now`` of ``feed`` (as it was before the poll) found, that are late
        news: published longer than the catch-up window before the poll, and found after the feed went unread for
        as long (an outage, the bot stopped; never read: since it was added) or in a backlog bigger than a poll
        reads (this poll or the last one left items for later polls).

        A feed read minutes ago otherwise brings news of those minutes whatever its dates say: many write local
        time marked as GMT, which makes every fresh story look hours old.
        """
        interval = self._settings.feed_interval_seconds
        last_read = feed.last_success_at if feed.last_success_at is not None else feed.created_at
        if not feed.items_left and now - last_read <= catchup_window(interval):
            try:
                polled = await self._db.feeds.get(feed.id)
            except sqlite3.Error:  # its dates alone decide, as for articles planned after a restart
                polled = None
            if polled is not None and not polled.items_left:
                return frozenset()
        return late_articles(new, now, interval)

    async def poll_feed(self, feed: Feed, now: float, *, edited: list[Edit] | None = None) -> list[Article]:
        """Poll one feed; new articles in it. ``edited`` gets each article the feed edited whose alerts are to be
        planned (see Edit). The feed's failures are recorded with backoff, never raised (a
        database that cannot record them raises: ``poll_due_feeds`` logs it and goes on with the other feeds).

        On the first successful poll of a feed, items published before the feed was added, undated, dated in
        the future or all dated alike are its backlog: stored for /latest and /search but not returned, so
        adding a feed never floods every subscriber with old news. At most FIRST_POLL_MAX_ALERTS of the rest
        are returned.
        """
        interval = self._settings.feed_interval_seconds
        try:
            fetched = await self._fetcher.fetch(
                feed.url, accept="feed", etag=feed.etag, last_modified=feed.last_modified
            )
            if fetched.not_modified:
                _log_revival(feed)
                if fetched.moved_to is not None:
                    await self._follow_move(feed, fetched.moved_to)
                await self._db.feeds.record_success(
                    feed.id,
                    title=feed.title,
                    etag=feed.etag,
                    last_modified=feed.last_modified,
                    next_poll_at=now + interval,
                    now=now,
                    revived_notice=await self._revived_notice(feed, now),
                    items_left=feed.items_left,  # nothing was read: what was left is left still
                )
                return []
            parsed = await self._parse(parse_feed, fetched.body, fetched.url, charset=fetched.charset)
            _log_revival(feed)
            if fetched.moved_to is not None:
                await self._follow_move(feed, fetched.moved_to)
        except FetchError as exc:
            await self._record_failure(feed, exc.reason, now, retry_after=exc.retry_after, gone=exc.gone)
            return []
        except FeedError as exc:
            await self._record_failure(feed, exc.reason, now)
            return []
        except sqlite3.Error:
            # The database refused a 304's record (a lock, a full disk), not the feed: poll_due_feeds holds it for
            # an interval, as when a full answer cannot be recorded, without a failure charged to the feed.
            raise
        except Exception as exc:  # a hostile feed must never stop the poller
            log.exception("feed %s failed unexpectedly", feed.url)
            await self._record_failure(feed, f"unexpected error: {type(exc).__name__}", now)
            return []
        first_poll = feed.last_success_at is None
        # A feed giving every item one date (the time of the request, as some do) says nothing of what is new.
        same_dates = first_poll and _all_dated_alike(parsed.items)
        # An item this feed listed before under the same guid and title, wherever its link points now.
        guids = _item_guids(parsed.items)
        try:
            known = await self._db.feeds.known_items(feed.id, list(guids), now)
            # The address now serves another site's feed (its domain lapsed and was parked or sold): its list is
            # that site's backlog, often hundreds of spam items, not news for this feed's subscribers. Both a new
            # name or site and a wholly new list: a renamed feed keeps its items, a redesign keeps its site.
            swapped = (
                not first_poll
                and _names_another_site(feed, parsed)
                and not any(
                    item.guid in guids
                    and _listed_before(guids[item.guid], item.published, known.get(item.guid))
                    for item in parsed.items
                )
                and await self._db.feeds.remembers_items(feed.id)
            )
        except sqlite3.Error as exc:
            # Without them an item whose link changed since would be stored and alerted again: poll this feed
            # at the next interval instead, as when storing fails (old validators kept, not a feed failure).
            log.error(
                "could not check the items feed %s gave before (%s); polling it again in %d s",
                feed.url,
                exc,
                interval,
            )
            await self._postpone(feed, now + interval)
            return []
        revisable: dict[str, RevisableArticle] = {}
        if not first_poll:
            try:
                revisable = await self._db.articles.revisable(feed.id, now - REVISION_WINDOW_SECONDS)
            except sqlite3.Error as exc:  # its edits wait for a later poll; its new items are what matters
                log.warning("could not read the recent articles of feed %s: %s", feed.url, exc)
        # In the parsing pool: each listed item's text is fingerprinted (about 50 ms for 200 items of 5 KB).
        edits = await self._parse(_edits_in, parsed, revisable, self._refused_edits)
        seen: dict[str, tuple[str, str]] = {}
        new: list[Article] = []
        teaser_budget = TEASER_FETCHES_PER_POLL
        # Only items still to store count: known ones cost a lookup, and counting them would leave every item
        # past the first MAX_ITEMS_PER_POLL unread for good. The first poll stores the whole backlog at once
        # (it alerts nobody), so no old item is left over for a later poll to alert as new.
        budget = len(parsed.items) if first_poll or swapped else MAX_ITEMS_PER_POLL
        storage_failed = False
        items_left = False
        stale_stored = 0
        dated = Counter((item.title, item.published) for item in parsed.items if item.published is not None)
        same_title_and_date = frozenset(key for key, count in dated.items() if count > 1)
        for item in parsed.items:
            if item.guid in guids and _listed_before(guids[item.guid], item.published, known.get(item.guid)):
                continue
            if budget <= 0:
                items_left = True
                break
            try:
                article, fetched_page = await self._item_article(
                    item,
                    parsed,
                    feed,
                    teaser_budget > 0,
                    now,
                    backlog=first_poll or swapped,
                    same_title_and_date=same_title_and_date,
                )
                if article is None:
                    if item.guid in guids:
                        seen[item.guid] = guids[item.guid]
                    continue
                budget -= 1
                teaser_budget -= fetched_page
                stale = _is_stale(article, now - self._settings.retention_days * 86400.0)
                # Another site's list at the feed's address (swapped) is that site's backlog, as a first poll's is.
                backlog = swapped or (first_poll and (same_dates or _is_backlog(article, feed, now)))
                alert = not stale and not backlog
                # A first poll marks its alerts once capped: cut short by a stop or a crash, it must not leave
                # its whole list marked for the next start to alert.
                stored, status = await self._store(
                    article, feed_id=feed.id, alert=alert and not first_poll, backlog=backlog
                )
                if item.guid in guids:
                    seen[item.guid] = guids[item.guid]
                if status != "added":
                    continue
                stale_stored += stale
                if alert:
                    new.append(stored)
            except sqlite3.Error as exc:
                if isinstance(exc, sqlite3.IntegrityError) and await self._feed_removed(feed):
                    # /removefeed while this poll ran: the rest of its items go with the feed (the ones
                    # stored already are alerted), and nothing is wrong with the database.
                    log.info(
                        "feed %s was removed while it was polled; its other items are not stored", feed.url
                    )
                    if first_poll:  # a first poll cut short is a first poll still: its backlog alerts nobody
                        await self._cap_first_poll(feed, new)
                    return new
                # The database, not the item, failed (a full disk, a lock held too long): the rest would fail
                # the same way. The feed keeps its old validators, or the next poll's 304 would hide these
                # items for good, and stays a first poll if it was one.
                log.error(
                    "could not store the items of feed %s (%s); polling it again in %d s",
                    feed.url,
                    exc,
                    interval,
                )
                storage_failed = True
                break
            except Exception:
                log.exception("skipped an item of feed %s", feed.url)
        revised = waiting = 0
        for item, edited_article in edits:
            if storage_failed or revised >= REVISIONS_PER_POLL:
                waiting += 1
                continue
            try:
                taken = await self._revise(item, parsed, feed, edited_article, teaser_budget > 0, now, edited)
            except sqlite3.Error as exc:
                log.error(
                    "could not store an edit of feed %s (%s); polling it again in %d s",
                    feed.url,
                    exc,
                    interval,
                )
                storage_failed = True
                waiting += 1
                continue
            except Exception:
                log.exception("skipped an edit of an item of feed %s", feed.url)
                taken = True
            if not taken:  # a teaser whose page waits for a poll with page fetches left
                waiting += 1
                continue
            revised += 1
            teaser_budget -= is_teaser(item)
        if revised:  # one line a poll, however many items a feed rewrites at each
            log.info(
                "feed %s: took the edits of %s stored before (%d left for the next polls)",
                feed.url,
                counted(revised, "item"),
                waiting,
            )
        # Edits left for the next poll need a full answer then, as new items left do (only those make the next
        # poll's items late news).
        items_unread = items_left
        items_left = items_left or waiting > 0
        if stale_stored:  # one line a poll: a feed's archive of old items made a line each, up to 1,000
            log.info(
                "feed %s: stored %s published before the retention window, without alerts",
                feed.url,
                counted(stale_stored, "item"),
            )
        # A swap's poll that is not recorded leaves the feed as it was, so the next poll finds the swap again
        # (and the items stored here, known by their links, stay quiet).
        if not (swapped and (storage_failed or parsed.truncated)):
            try:
                await self._db.feeds.remember_items(feed.id, seen, now)
            except sqlite3.Error as exc:
                log.warning("could not remember the items of feed %s: %s", feed.url, exc)
        if first_poll:
            await self._cap_first_poll(feed, new)
        if storage_failed:
            await self._postpone(feed, now + interval)
            return new
        if (first_poll or swapped) and parsed.truncated:
            # A first read cut short stays a first read: the rest of the list, read whole next time, is backlog
            # too. A failure, so that a feed always cut short is marked dead, not a first poll for ever.
            await self._record_failure(feed, FEED_CUT_SHORT, now)
            return new
        # Items left for the next poll need a full answer then: the new validators would get a 304. So does a
        # feed cut short: its validators name the whole document, of which this poll read only the start.
        keep_validators = items_left or parsed.truncated
        if parsed.truncated:
            log.info(
                "feed %s ended before its document did (cut short); read whole at the next poll", feed.url
            )
        try:
            await self._db.feeds.record_success(
                feed.id,
                title=parsed.title or feed.title,
                etag=feed.etag if keep_validators else fetched.etag,
                last_modified=feed.last_modified if keep_validators else fetched.last_modified,
                next_poll_at=now + interval,
                now=now,
                revived_notice=await self._revived_notice(feed, now),
                items_left=items_unread,
                link=parsed.link,
                notice=await self._swap_notice(feed, parsed, now) if swapped else None,
            )
        except Exception as exc:  # the articles are stored: they must still be alerted
            self._unrecorded_poll(feed, exc, now, interval)
        return new

    async def _cap_first_poll(self, feed: Feed, new: list[Article]) -> None:
        """Keep the newest FIRST_POLL_MAX_ALERTS of a first poll's ``new`` articles (stored unmarked) and mark
        their alerts to be planned; the rest alert nobody."""
        if len(new) > FIRST_POLL_MAX_ALERTS:
            log.info(
                "first poll of %s: alerting the newest %d of %d new items",
                feed.url,
                FIRST_POLL_MAX_ALERTS,
                len(new),
            )
            new.sort(key=lambda a: a.published.timestamp() if a.published else 0.0, reverse=True)
            del new[FIRST_POLL_MAX_ALERTS:]
        try:
            await self._db.articles.mark_alert_pending([a.id for a in new if a.id])
        except sqlite3.Error as exc:  # the poll's caller still plans the articles it returns
            log.warning("could not mark the first alerts of feed %s for planning: %s", feed.url, exc)

    async def _feed_removed(self, feed: Feed) -> bool:
        """True when ``feed`` is no longer in the database (an admin removed it)."""
        try:
            return await self._db.feeds.get(feed.id) is None
        except sqlite3.Error:
            return False

    async def _follow_move(self, feed: Feed, moved_to: str) -> None:
        """Poll a feed that moved for good (301/308, and read there just now) at its new address from now on.

        Not a NEWSBOT_FEEDS feed: the next start would bring the old address back as a new feed, so the operator
        is told once per run instead. Nor when the new address would lose the feed's login (a redirect never
        carries it), nor when another feed is polled there already.
        """
        # Spelt as /addfeed stores addresses, so the move finds a feed polled at the same place ("LocalHost").
        moved_to = normal_feed_url(moved_to)
        if moved_to == feed.url or len(moved_to) > MAX_URL_CHARS:
            return  # an address /addfeed would refuse as too long could not even be named to /removefeed
        if feed.origin == "settings":
            if feed.id not in self._moves_told:
                self._moves_told.add(feed.id)
                log.warning(
                    "feed %s moved for good to %s; change it in NEWSBOT_FEEDS to stop the redirect at every poll",
                    feed.url,
                    moved_to,
                )
            return
        if urlsplit(feed.url).username is not None and urlsplit(moved_to).username is None:
            return
        try:
            moved = await self._db.feeds.move(feed.id, moved_to)
        except sqlite3.Error as exc:
            log.warning("could not store the new address of feed %s: %s", feed.url, exc)
            return
        if moved:
            log.info("feed %s moved for good to %s; polled there from now on", feed.url, moved_to)
        elif feed.id not in self._moves_told:
            self._moves_told.add(feed.id)
            log.warning(
                "feed %s moved for good to %s, a feed already polled; /removefeed one", feed.url, moved_to
            )

    async def _item_article(
        self,
        item: FeedItem,
        parsed: ParsedFeed,
        feed: Feed,
        may_fetch: bool,
        now: float,
        *,
        backlog: bool,
        same_title_and_date: frozenset[tuple[str, datetime]] = frozenset(),
    ) -> tuple[Article | None, int]:
        if item.url:
            try:
                url = canonical_url(item.url)
            except ValueError:
                return None, 0
            # Already stored, or stored and pruned since: skip before tagging or any page fetch.
            found = await self._db.articles.lookup_url(url)  # one read: every poll asks it of every item
            if found is not None:
                known, private = found
                if private and known.id is not None:
                    # A link a chat summarized before its feed was read: public now, and its subscribers get
                    # the alert a new item would have brought them (not for a first poll's backlog, nor old news).
                    fresh = not _is_stale(known, now - self._settings.retention_days * 86400.0)
                    await self._db.articles.publish(known.id, alert=not backlog and fresh)
                return None, 0
            if await self._db.articles.remembers_pruned(url, now):
                return None, 0
        article = item_to_article(item, parsed, feed.topics)
        if not item.url:
            if await self._db.articles.get_by_url(article.url) is not None:
                return None, 0
            # Stored by an older newsbot under the identity it had then: the same item, known from now on by
            # its new one.
            former = former_article_url(item, parsed)
            if former is not None and await self._db.articles.rename_url(former, article.url):
                return None, 0
            # Known by its title and text, an item whose text the feed edited (a corrected notice, a sponsor
            # line added to a podcast's notes whose audio moved to another host) was stored and alerted again.
            # Its title and date are that item, unless another item of the listing shares them, or the date
            # has no time of day (two notices of one day under one title).
            if (
                item.published is not None
                and item.published.timestamp() % 86400
                and (item.title, item.published) not in same_title_and_date
                and await self._db.articles.rename_feed_item(
                    feed.id, article.title, item.published, article.url
                )
            ):
                return None, 0
        if item.url and is_teaser(item) and may_fetch:
            try:
                page = await self._fetch_article(item.url)
                article = dataclasses.replace(
                    article, body=page.body, language=article.language or page.language, partial=page.partial
                )
                return article, 1
            except UserError as exc:
                log.info("kept the teaser of %s: %s", item.url, exc.message)
                # A page that shows only its wall: the teaser is all of the article there is to read.
                return dataclasses.replace(article, partial=isinstance(exc, _WalledPage)), 1
        return article, 0

    async def _revise(
        self,
        item: FeedItem,
        parsed: ParsedFeed,
        feed: Feed,
        stored: RevisableArticle,
        may_fetch: bool,
        now: float,
        edited: list[Edit] | None,
    ) -> bool:
        """Replace stored article ``stored`` by the feed's edit of it, a teaser's page fetched again (one of the
        poll's page fetches); False when that page may not be fetched this poll.

        Its alerts are not sent again nor edited: an edit is not news. But a chat the edit makes it match (a
        topic it added, a keyword its new text holds) gets it as a new article of this poll: the (before,
        after) versions go to ``edited``, its alerts marked to be planned. Its summaries at other lengths are
        dropped.
        """
        article_id = stored.id
        before = await self._db.articles.get(article_id)
        if before is None:
            return True
        # As for a new item: news older than the retention window alerts nobody, nor a first poll's backlog
        # (undated, dated alike or before the feed was added: the date alone for one stored before that was
        # recorded), which was never news for anyone.
        alert = not _is_stale(before, now - self._settings.retention_days * 86400.0) and not (
            stored.backlog
            or (before.published is not None and before.published.timestamp() <= feed.created_at)
        )
        article = item_to_article(item, parsed, feed.topics)
        if is_teaser(item):
            if not may_fetch:
                return False
            try:
                page = await self._fetch_article(item.url)
                article = dataclasses.replace(article, body=page.body, partial=page.partial)
            except UserError as exc:
                # The new headline over the text stored before: the teaser must not replace the page's text.
                log.info("kept the stored text of %s: %s", item.url, exc.message)
                article = dataclasses.replace(article, body=before.body, partial=before.partial)
        prepared, content_hash, _ = await self._parse(self._prepare, article)
        if await self._db.articles.revise(article_id, prepared, content_hash=content_hash, alert=alert):
            self._summaries.forget(article_id)
            after = await self._db.articles.get(article_id)
            if alert and after is not None and edited is not None:
                # An article whose first alerts wait still (a failed plan) is planned as a new one.
                edited.append(Edit(None if stored.alert_pending else before, after, stored.fetched_at))
            return True
        # Another article holds that text: tried again at every poll that brought news, the same edit cost a
        # summary, and a teaser's page fetch, each time for as long as edits are taken. A new edit is tried.
        self._refused_edits[article_id] = _edit_key(item)
        if len(self._refused_edits) > REFUSED_EDITS_KEPT:
            del self._refused_edits[next(iter(self._refused_edits))]
        return True

    def _unrecorded_poll(self, feed: Feed, exc: Exception, now: float, interval: int) -> None:
        """A poll whose outcome the database did not record (a full disk, or a bug): the feed is still due there,
        so it is held here for ``interval`` (else every tick, a few seconds apart, fetched it again)."""
        self._poll_not_before[feed.id] = now + interval
        if isinstance(exc, sqlite3.Error):
            log.error(
                "could not record the poll of feed %s (%s); polling it again in %d s", feed.url, exc, interval
            )
        else:
            log.exception("polling feed %s failed", feed.url)

    async def _postpone(self, feed: Feed, next_poll_at: float) -> None:
        try:
            await self._db.feeds.postpone(feed.id, next_poll_at)
        except sqlite3.Error:  # still due in the database: held here, or every tick would fetch it again
            self._poll_not_before[feed.id] = next_poll_at

    async def _record_failure(
        self, feed: Feed, reason: str, now: float, *, retry_after: float | None = None, gone: bool = False
    ) -> None:
        failures = feed.failures + 1
        interval = self._settings.feed_interval_seconds
        # Doubling stops at a day, but never below the interval: a feed polled every two days that failed once
        # must not be polled sooner than a healthy one.
        backoff = min(max(86400.0, interval), interval * math.pow(2, min(failures - 1, 16)))
        if retry_after is not None:
            # A rate-limited or busy site said when to come back: asking sooner only prolongs the ban.
            backoff = max(backoff, min(retry_after, 86400.0))
        # A 410 is the site saying the feed was removed for good: dead at once rather than after days of backoff.
        # It is still tried once a day like any dead feed (sites do answer 410 by mistake), not dropped: only an
        # admin removes a feed.
        dead = gone or failures >= DEAD_AFTER_FAILURES
        if dead:
            backoff = max(backoff, DEAD_FEED_RETRY_SECONDS)
        if gone:
            log.warning("feed %s is gone (410), the site says; marked dead, /removefeed drops it", feed.url)
        elif dead and not feed.dead:  # the line that failed like the nine before it did not say the feed died
            log.warning(
                "feed %s failed (%d in a row): %s; marked dead, tried once a day, /removefeed drops it",
                feed.url,
                failures,
                reason,
            )
        else:
            log.warning("feed %s failed (%d in a row): %s", feed.url, failures, reason)
        notice = None
        if dead and not feed.dead:
            # The operator would otherwise learn of it only from /feeds or the logs, maybe weeks later.
            text = render_feed_dead(feed, reason, failures, gone=gone)
            notice = await self._admin_notice(f"feed-dead:{feed.id}:{now}", text, feed)
        await self._db.feeds.record_failure(
            feed.id, error=reason, next_poll_at=now + backoff, dead=dead, now=now, dead_notice=notice
        )

    async def _admin_notice(self, key: str, text: str, feed: Feed) -> NoticeDraft | None:
        """A notice for every admin with a private chat with the bot; the others are named in the log."""
        admins = self._settings.admin_ids
        if not admins:
            return None
        reachable = await self._db.notices.recipients(sorted(admins))
        for admin in sorted(admins - reachable):
            log.warning(
                "admin %d has no private chat with the bot (never started it, stopped or blocked it): "
                "not told about feed %s",
                admin,
                feed.url,
            )
        return NoticeDraft(key, text, tuple(sorted(reachable))) if reachable else None

    async def _swap_notice(self, feed: Feed, parsed: ParsedFeed, now: float) -> NoticeDraft | None:
        """Log, and tell the admins, that ``feed`` now serves another site's feed (``parsed``), stored unsent."""
        host = site_host(parsed.link or "")
        log.warning(
            "feed %s now looks like a different site (%r of %s, was %r of %s) and lists none of its items from "
            "before: %s stored without alerts; /removefeed it unless the change is legitimate",
            feed.url,
            parsed.title,
            host or "no site",
            feed.title,
            site_host(feed.link or "") or "no site",
            counted(len(parsed.items), "item"),
        )
        text = render_feed_swapped(feed, parsed.title, host, len(parsed.items))
        return await self._admin_notice(f"feed-swapped:{feed.id}:{now}", text, feed)

    async def _revived_notice(self, feed: Feed, now: float) -> NoticeDraft | None:
        """The "works again" notice when ``feed`` was dead (its admins were told it died)."""
        if not feed.dead:
            return None
        return await self._admin_notice(f"feed-alive:{feed.id}:{now}", render_feed_works_again(feed), feed)

    # -- articles -------------------------------------------------------------------------------------------

    async def ingest_articles(self, articles: Sequence[Article]) -> list[tuple[Article, str]]:
        """Store ready-made articles (sample files, ``newsbot ingest``); each with its status."""
        return [await self._store(article, feed_id=None) for article in articles]

    async def ingest_source(self, source: str) -> list[IngestOutcome]:
        """Add the articles of one source: a file, an article URL or a feed URL. Never raises."""
        return [outcome async for outcome in self.iter_source(source)]

    async def iter_source(self, source: str) -> AsyncGenerator[IngestOutcome, None]:
        """Like ``ingest_source``, each outcome as soon as it is stored, so a caller stopped midway has them all."""
        try:
            if source.lower().startswith(("http://", "https://")):
                articles = await self._articles_from_url(source)
            else:
                articles = await self._parse(read_source_file, Path(source))
        except UserError as exc:
            yield IngestOutcome(source, "failed", reason=exc.message)
            return
        except (OSError, ValueError) as exc:
            yield IngestOutcome(source, "failed", reason=getattr(exc, "reason", None) or str(exc))
            return
        for article in articles:
            # Nothing to show but a blank line in /latest: no article.
            if not article.title.strip() and not article.body.strip():
                yield IngestOutcome(source, "failed", reason=f"{article.url}: no title and no text")
                continue
            try:
                stored, status = await self._store(article, feed_id=None)
            except sqlite3.OperationalError as exc:
                # The caller says it once and stops: a traceback per article would bury the reason.
                reason = f"the database cannot store it ({exc})"
                yield IngestOutcome(source, "failed", article, reason, storage_failed=True)
                return
            except Exception as exc:  # keep going: one bad article must not lose the others
                log.exception("could not store %s", article.url)
                yield IngestOutcome(source, "failed", article, f"{type(exc).__name__}: {exc}")
                continue
            yield IngestOutcome(source, status, stored)  # type: ignore[arg-type]

    async def _articles_from_url(self, url: str) -> list[Article]:
        try:
            fetched = await self._fetcher.fetch(url, accept="any")
        except FetchError as exc:
            raise UserError(exc.reason) from None
        if looks_like_feed(fetched.body, fetched.charset):
            try:
                parsed = await self._parse(parse_feed, fetched.body, fetched.url, charset=fetched.charset)
            except FeedError as exc:
                raise UserError(exc.reason) from None
            if not parsed.items:  # else the source would get no line at all
                raise UserError("That feed has no items.")
            # Items without a link are kept under a made-up identity, as feed files and polls keep them.
            return [item_to_article(item, parsed) for item in parsed.items]
        try:
            return [await self._extract(fetched.body, fetched.url, fetched.charset)]
        except UserError as no_article:
            # A page with no article text (a home page, a section front) that names its feed: the feed's
            # items are what the operator wanted. A page with article text stays that one article.
            articles = await self._advertised_articles(fetched)
            if articles is None:
                raise no_article from None
            return articles

    async def _read_feed(self, url: str) -> tuple[Fetched, ParsedFeed]:
        """Fetch and parse a feed a page advertised: the same fetcher, so the same address checks, as any URL."""
        fetched = await self._fetcher.fetch(url, accept="feed")
        return fetched, await self._parse(parse_feed, fetched.body, fetched.url, charset=fetched.charset)

    async def _advertised_articles(self, fetched: Fetched) -> list[Article] | None:
        """The items of the first feed an HTML page advertises; None when it names no readable feed."""
        if not _is_html_page(fetched):
            return None
        advertised = await self._parse(advertised_feeds, fetched.body, fetched.url, fetched.charset)
        if not advertised:
            return None
        try:
            _, parsed = await self._read_feed(advertised[0])
        except (FetchError, FeedError) as exc:
            raise UserError(
                f"That page has no article text; the feed it names ({advertised[0]}) cannot be read: {exc.reason}"
            ) from None
        if not parsed.items:
            raise UserError(
                f"That page has no article text, and the feed it names ({advertised[0]}) is empty."
            )
        return [item_to_article(item, parsed) for item in parsed.items]

    async def _fetch_article(self, url: str) -> Article:
        try:
            fetched = await self._fetcher.fetch(url, accept="page")
        except FetchError as exc:
            raise UserError(exc.reason) from None
        if looks_like_feed(fetched.body, fetched.charset):
            # "An admin" would read as a group's admins, whom /addfeed refuses: it is for the bot's administrators.
            raise UserError(
                "That link is a news feed, not an article. The bot's administrators can add it with /addfeed."
            )
        try:
            return await self._extract(fetched.body, fetched.url, fetched.charset)
        except UserError as no_article:
            if not _is_html_page(fetched):
                raise
            # A home page or section front: the feed it names is what the user can follow instead.
            advertised = await self._parse(advertised_feeds, fetched.body, fetched.url, fetched.charset)
            if not advertised:
                raise
            raise type(no_article)(
                f"{no_article.message} Its news feed is {advertised[0]} (the bot's administrators can add it with /addfeed)."
            ) from None

    async def _extract(self, body: bytes, url: str, charset: str | None = None) -> Article:
        try:
            page = await self._parse(extract_page, body, url, charset)
        except ExtractionError as exc:
            raise (_WalledPage if exc.walled else UserError)(exc.reason) from None
        return page_to_article(page, canonical_url(url))

    async def _store(
        self,
        article: Article,
        *,
        feed_id: int | None,
        alert: bool = False,
        reader: int | None = None,
        backlog: bool = False,
    ) -> tuple[Article, str]:
        """Tag, summarize, group into a story and store (``alert``: its alerts are to be planned; ``backlog``: a
        feed's first poll found it listed already).

        ``reader``: the chat that sent the link, the only one that sees the article (see ``ArticleRepo.add``).
        """
        # Tagging and summarizing cost about 0.1 s an article and a poll prepares up to 100 items a feed: the
        # parsing pool's work, like the parsing that produced the article.
        prepared, content_hash, signature = await self._parse(self._prepare, article)
        # Finding the story and storing must not interleave with another store, or two reports of one story
        # arriving in the same poll would both start a story of their own.
        async with self._store_lock:
            now = self._clock.now()
            stories = await self._story_index(now)
            publisher = outlet(article.source_url or article.url, article.source)
            story_id = stories.find(signature, publisher, article.title)
            stored, status = await self._db.articles.add(
                prepared,
                content_hash=content_hash,
                story_signature=signature,
                story_id=story_id,
                feed_id=feed_id,
                now=now,
                alert=alert,
                reader=reader,
                backlog=backlog,
            )
            if status == "added" and stored.story_id is not None:
                stories.add(stored.story_id, signature, now, publisher, stored.title)
        return stored, status

    async def _story_index(self, now: float) -> StoryIndex:
        if self._stories is None:
            self._stories = StoryIndex(STORY_WINDOW_SECONDS)
            recent = await self._db.articles.recent_signatures(now - STORY_WINDOW_SECONDS)
            for story_id, signature, url, source, title in recent:
                self._stories.add(story_id, signature, now, outlet(url, source), title)
        self._stories.forget_before(now - STORY_WINDOW_SECONDS)
        return self._stories

    def _prepare(self, article: Article) -> tuple[Article, str, str | None]:
        topics = self._catalogue.tag(
            article.title,
            article.body,
            declared=(*article.topics, *article.categories),
            language=article.language,
        )
        summary = article.summary or tuple(
            summarize(
                article.body, self._settings.summary_sentences, title=article.title, language=article.language
            )
        )
        prepared = dataclasses.replace(article, topics=tuple(topics), summary=tuple(summary))
        return (
            prepared,
            content_fingerprint(article.title, article.body),
            story_signature(article.title, article.body),
        )


class StoryIndex:
    """Recent story signatures indexed by LSH band, so grouping compares a new article with a few candidates."""

    def __init__(self, window: float) -> None:
        self._window = window
        self._bands: dict[str, set[int]] = {}
        self._signatures: dict[int, list[tuple[str, float, str, str]]] = {}
        self._swept_at = 0.0

    def find(self, signature: str | None, source: str = "", title: str = "") -> int | None:
        """The story a signature from ``source`` (an ``outlet`` key) belongs to, if a recent one matches.

        An article of the same source must be a revision of the new one under a headline that agrees with it
        (see ``joins_story``): a source's follow-up is news of its own, and so is its next item with the same
        stock text (a podcast's blurb); "also: ..." would not even name it. Another source's article joins
        unless its headline is the same template with other figures (insider filings, episodes).
        """
        if not signature:
            return None
        candidates = {story for band in story_bands(signature) for story in self._bands.get(band, ())}
        for story in sorted(candidates):
            members = self._signatures.get(story, [])
            own = [
                (known, known_title)
                for known, _, known_source, known_title in members
                if source and known_source == source
            ]
            # A story this source already reported takes only a revision of that report: its follow-up would
            # otherwise join through another outlet's account of the first event, which shares the background.
            if own:
                if any(joins_story(signature, title, *known, same_source=True) for known in own):
                    return story
            elif any(
                joins_story(signature, title, known, known_title) for known, _, _, known_title in members
            ):
                return story
        return None

    def add(
        self, story_id: int, signature: str | None, seen_at: float, source: str = "", title: str = ""
    ) -> None:
        """Remember one article's signature (and its source and headline) under its story."""
        if not signature:
            return
        self._signatures.setdefault(story_id, []).append((signature, seen_at, source, title))
        for band in story_bands(signature):
            self._bands.setdefault(band, set()).add(story_id)

    def forget_before(self, cutoff: float) -> None:
        """Drop stories not seen since ``cutoff`` so memory stays bounded (at most one sweep an hour)."""
        # A clock put back leaves _swept_at in the future: sweep then too, or never again until it catches up.
        if 0 <= cutoff - self._swept_at < 3600:
            return
        self._swept_at = cutoff
        stale = [s for s, sigs in self._signatures.items() if max(t for _, t, _, _ in sigs) < cutoff]
        for story_id in stale:
            for signature, _, _, _ in self._signatures.pop(story_id):
                for band in story_bands(signature):
                    members = self._bands.get(band)
                    if members is not None:
                        members.discard(story_id)
                        if not members:
                            del self._bands[band]


def outlet(url: str, source: str) -> str:
    """Who published an article, for story grouping: its site ("bbc.co.uk"), else its source name; "" unknown.

    The site, because one outlet has many feeds under different titles ("BBC News - World", "BBC News -
    Business") and an aggregator's feed carries many outlets' links under one title.
    """
    return site_host(url) or " ".join(source.casefold().split())


def _is_backlog(article: Article, feed: Feed, now: float) -> bool:
    """Old news for this feed's first poll: published before the feed was added, undated, or future-dated.

    When a feed's clock is wrong, its whole list looks newer than the feed; its dates prove nothing.
    """
    if article.published is None:
        return True
    published = article.published.timestamp()
    return published <= feed.created_at or published > now + FUTURE_TOLERANCE_SECONDS


def _names_another_site(feed: Feed, parsed: ParsedFeed) -> bool:
    """Whether ``parsed`` bears another title, or names another site's host, than ``feed`` did at its last read
    (one it did not name then, as before the feed's site was kept, is no change)."""

    def folded(title: str) -> str:
        return " ".join(storable_text(title).split()).casefold()

    retitled = feed.title is not None and folded(parsed.title) != folded(feed.title)
    was, now = site_host(feed.link or ""), site_host(parsed.link or "")
    return retitled or bool(was and now and was != now)


def _log_revival(feed: Feed) -> None:
    # Not only a dead feed's: "failed (3 in a row)" would otherwise be the last the log said of a feed that is fine.
    if feed.failures:
        log.warning("feed %s works again after %s", feed.url, counted(feed.failures, "failed poll"))


def _item_guids(items: Sequence[FeedItem]) -> dict[str, tuple[str, str]]:
    """guid -> (page (``_item_page``), title) of the linked items whose guid no other item of the listing shares.

    Some feeds give every item one guid, or number them by position: a guid counts only with its title and its
    page or date (see ``_listed_before``). Where items of the listing share a path ("article.php?id=12",
    "article.php?id=13"), the query string
    is what tells them apart, so it stays part of their page; an item alone on its path under a reused guid is
    told apart by its title.
    """
    counts = Counter(item.guid for item in items if item.guid)
    linked = [(item, _item_page(item.url, keep_query=False)) for item in items if item.url]
    paths = Counter(path for _, path in linked)
    guids: dict[str, tuple[str, str]] = {}
    for item, path in linked:
        if item.guid and counts[item.guid] == 1 and len(item.guid) <= 1000:
            page = _item_page(item.url, keep_query=True) if paths[path] > 1 else path
            if page and len(page) <= 2000:
                guids[item.guid] = (page, " ".join(item.title.split())[:1000])
    return guids


def _listed_before(
    listed: tuple[str, str], published: datetime | None, known: tuple[str, str, float] | None
) -> bool:
    """Whether an item (page, title, date) under a guid is the one the feed gave that guid before (``known``:
    page, title, when last seen listed).

    The same page and title always are. Under a new page, the guid and title suffice for an item dated before
    the feed last listed that guid: a site that moves its articles (https, a new domain or path scheme) keeps
    their guids and dates, and the page fetched again, or the teaser stored once the poll's page fetches ran
    out, brought each back as news. An item dated since (or undated) is a new one: a feed that reuses guids
    by position gives a recurring title ("Daily briefing") to each new issue, at a new page.
    """
    if known is None:
        return False
    page, title = listed
    known_page, known_title, seen_at = known
    if title != known_title:
        return False
    moved = bool(title) and published is not None and published.timestamp() <= seen_at
    return page == known_page or moved


def _edit_of(
    item: FeedItem, parsed: ParsedFeed, revisable: dict[str, RevisableArticle]
) -> RevisableArticle | None:
    """The stored article (``ArticleRepo.revisable``) that ``item`` is an edit of, if it is one: another
    headline, or another text (a teaser's text is not compared: its article holds its page's).

    Each article is taken from ``revisable`` once, so a feed listing one link twice with two texts does not
    swap them at every poll.
    """
    if not item.url and not item.guid_address:
        return None  # a link-less item is known by its guid, or by its text when it has none
    try:
        # A guid a feed gives as the item's permalink but is no address ("1042"): the item, as its link was
        # once (older versions made one of it, and followed its edits).
        stored = revisable.pop(canonical_url(item.url) if item.url else article_url(item, parsed), None)
    except ValueError:
        return None
    if stored is None:
        return None
    if storable_text(item.title) != stored.title:
        return stored
    if is_teaser(item):
        return None
    return stored if content_fingerprint(item.title, item.text) != stored.content_hash else None


def _edits_in(
    parsed: ParsedFeed, revisable: dict[str, RevisableArticle], refused: Mapping[int, str]
) -> list[tuple[FeedItem, RevisableArticle]]:
    """The items of ``parsed`` that are edits of stored articles (see _edit_of), with those articles, less the
    edits refused before (``refused``: article id -> _edit_key of the edit)."""
    return [
        (item, edited)
        for item in parsed.items
        if (edited := _edit_of(item, parsed, revisable)) and refused.get(edited.id) != _edit_key(item)
    ]


def _edit_key(item: FeedItem) -> str:
    """What tells one edit of ``item`` from another: its headline and text (a teaser's text alone is no edit)."""
    return content_fingerprint(item.title, "" if is_teaser(item) else item.text)


def _item_page(url: str, *, keep_query: bool) -> str:
    """An address without fragment or path parameters, and without its query unless ``keep_query``: what a
    session id in a link does not change."""
    try:
        parts = urlsplit(canonical_url(url))
    except ValueError:
        return ""
    return urlunsplit(
        (parts.scheme, parts.netloc, parts.path.split(";", 1)[0], parts.query if keep_query else "", "")
    )


def _all_dated_alike(items: Sequence[FeedItem]) -> bool:
    """More than two items, and one date (or none) for all of them: the dates are the feed's, not the news'."""
    return len(items) > 2 and len({item.published for item in items}) == 1


def _is_stale(article: Article, cutoff: float) -> bool:
    """Published before the retention window: news too old to alert anyone about."""
    return article.published is not None and article.published.timestamp() < cutoff


def _looks_binary(text: str) -> bool:
    """Mostly control characters or replacement characters: not something a person wrote."""
    if not text:
        return False
    sample = text[:4000]
    bad = sum(1 for ch in sample if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\n\r\t"))
    return bad > len(sample) * 0.1


def _is_html_page(fetched: Fetched) -> bool:
    """An HTML page (by header or by its first bytes) rather than a broken feed."""
    if looks_like_feed(fetched.body, fetched.charset):
        return False
    if fetched.media_type in ("text/html", "application/xhtml+xml"):
        return True
    return sniff_media_type(fetched.body[:2048], fetched.charset) == "text/html"
