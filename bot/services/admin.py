"""Admin commands: statistics and the feeds polled at run time."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from bot.errors import UserError
from bot.render.replies import topic_label
from bot.render.text import quoted
from bot.store.models import Feed
from summaries.urls import address_problem, is_tracking_param

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.config import Settings
    from bot.services.ingest import IngestService
    from bot.store import Database
    from summaries.topics import TopicCatalogue

MAX_URL_CHARS = 2000
DAY_SECONDS = 86400.0
_TOPIC_SPLIT = re.compile(r"[,;+]")
# A word after "=" outside a query string: meant as a topic, as NEWSBOT_FEEDS reads it (config.parse_feed_spec).
_TOPIC_LIKE = re.compile(r"[A-Za-z][A-Za-z-]*")


class DeliveryStatsSource(Protocol):
    """What /stats needs from the delivery engine."""

    async def stats(self, since: float) -> dict[str, int]:
        """Queue depth, and deliveries sent, failed, dropped and capped since ``since``."""
        ...


@dataclass(frozen=True, slots=True)
class Stats:
    """What /stats shows."""

    chats: dict[str, int]
    subscriptions: dict[str, int]
    articles: int
    feeds: int
    feeds_dead: int
    deliveries: dict[str, int] = field(default_factory=dict)  # queued; sent, failed, dropped, capped in 24 h


@dataclass(frozen=True, slots=True)
class FeedAdded:
    """The outcome of /addfeed."""

    feed: Feed
    title: str
    created: bool
    revived: bool = False
    found_on: str | None = None  # the page /addfeed was given, when the feed was found advertised on it
    other_feeds: tuple[str, ...] = ()  # further feeds that page advertises
    # Topics /addfeed named for a dead feed it revived: the feed keeps its own, and the reply says so.
    topics_not_applied: tuple[str, ...] = ()


class AdminService:
    """Operator commands; callers check that the user is an admin (NEWSBOT_ADMIN_IDS)."""

    def __init__(
        self,
        *,
        db: Database,
        settings: Settings,
        clock: Clock,
        ingest: IngestService,
        catalogue: TopicCatalogue,
    ) -> None:
        self._db = db
        self._settings = settings
        self._clock = clock
        self._ingest = ingest
        self._catalogue = catalogue

    def is_admin(self, user_id: int | None) -> bool:
        """Whether this Telegram user may run admin commands."""
        return user_id is not None and user_id in self._settings.admin_ids

    async def stats(self, delivery: DeliveryStatsSource | None = None) -> Stats:
        """Counts of chats, subscriptions, articles, feeds and (with ``delivery``) the last day's sends."""
        feeds = await self._db.feeds.list()
        deliveries: dict[str, int] = {}
        if delivery is not None:
            deliveries = await delivery.stats(self._clock.now() - DAY_SECONDS)
        return Stats(
            chats=await self._db.chats.count(),
            subscriptions=await self._db.subscriptions.count(),
            articles=await self._db.articles.count(),
            feeds=len(feeds),
            feeds_dead=sum(1 for f in feeds if f.dead),
            deliveries=deliveries,
        )

    async def feeds(self) -> list[Feed]:
        """Every polled feed, from settings and added by admins."""
        return await self._db.feeds.list()

    async def add_feed(self, url: str, topic_words: Sequence[str], added_by: int | None) -> FeedAdded:
        """Check that ``url`` is a readable feed, then poll it from now on with the given topics."""
        url, suffix = self._topic_suffix(url.strip().strip("<>"))
        url = _check_url(url)
        named: list[str] = []
        # "business, tech" and "business+tech" (as in NEWSBOT_FEEDS) name two topics, like "business tech".
        for word in (w for words in (suffix, *topic_words) for w in _TOPIC_SPLIT.split(words) if w):
            topic = self._catalogue.resolve(word)
            if topic is None:
                near = self._catalogue.suggest(word)
                hint = f" Did you mean {topic_label(near)}?" if near else ""
                raise UserError(
                    f"{quoted(word)} is not a topic.{hint} Topics: {', '.join(self._topic_ids())}."
                )
            named.append(topic.id)
        topics = tuple(dict.fromkeys(named))
        existing = await self._find(url)
        if (polled := _polled_already(existing, topics)) is not None:
            return FeedAdded(polled, polled.title or url, created=False)
        try:
            check = await self._ingest.check_feed(url)
        except UserError as exc:
            # "URL=busines" was fetched whole, as its typo is no topic, and answered with the site's 404 alone.
            if hint := self._misspelt_topic_suffix(url):
                raise UserError(f"{exc.message} {hint}") from None
            raise
        found_on, others = check.found_on, check.others
        if found_on is not None:
            # A page named its feed: that feed is what gets polled, and it may be one already polled.
            url = normal_feed_url(check.url)
            existing = await self._find(url)
            if (polled := _polled_already(existing, topics)) is not None:
                title = polled.title or check.title
                return FeedAdded(polled, title, created=False, found_on=found_on, other_feeds=others)
        if check.moved_to is not None and (moved := await self._find(check.moved_to)) is not None:
            # The address moved for good to a feed we have (http:// to its https://): a second copy would be
            # fetched at every poll, as the first poll cannot move it onto an address in use.
            if (polled := _polled_already(moved, topics)) is not None:
                title = polled.title or check.title
                return FeedAdded(polled, title, created=False, found_on=found_on, other_feeds=others)
            existing = moved  # dead or failing: revived below
        now = self._clock.now()
        if existing is not None:
            await self._db.feeds.revive(existing.url, now)
            revived = await self._db.feeds.get_by_url(existing.url)
            return FeedAdded(
                revived or existing,
                check.title,
                False,
                revived=True,
                found_on=found_on,
                other_feeds=others,
                topics_not_applied=topics if _other_topics(topics, existing) else (),
            )
        feed, created = await self._db.feeds.add(url, topics, added_by, now)
        return FeedAdded(feed, check.title, created=created, found_on=found_on, other_feeds=others)

    async def remove_feed(self, url: str) -> Feed:
        """Stop polling a feed (its articles stay); UserError when there is no such feed."""
        feed = await self._find(url.strip().strip("<>"))
        if feed is None:
            raise UserError("No feed with that address is polled. /feeds lists them.")
        if feed.origin == "settings":
            raise UserError("That feed comes from NEWSBOT_FEEDS; remove it there and restart the bot.")
        await self._db.feeds.remove(feed.url)
        return feed

    async def _find(self, url: str) -> Feed | None:
        """The feed polled at ``url``, however either was spelt: a NEWSBOT_FEEDS entry is stored as written
        there ("HTTPS://Example.com/rss?utm_source=x"), an admin's as normal_feed_url spells it."""
        if (feed := await self._db.feeds.get_by_url(url)) is not None:
            return feed
        wanted = normal_feed_url(url)
        return next((f for f in await self._db.feeds.list() if normal_feed_url(f.url) == wanted), None)

    def _topic_suffix(self, url: str) -> tuple[str, str]:
        """Split "https://a/rss=business+science", as NEWSBOT_FEEDS writes a feed, into the address and its topics
        (else they were fetched as part of the address: a 404). Only when every word after the last "=" is a topic
        and that "=" does not end a parameter of the query string ("?section=business" is the feed's own)."""
        head, eq, tail = url.rpartition("=")
        try:
            query = urlsplit(url).query
        except ValueError:  # _check_url says what is wrong with it
            return url, ""
        words = [w for w in _TOPIC_SPLIT.split(tail) if w]
        if not eq or not words or query.rpartition("&")[2].count("=") == 1:
            return url, ""
        if all(self._catalogue.resolve(w) is not None for w in words):
            return head, tail
        if not query and all(_TOPIC_LIKE.fullmatch(w) for w in words):
            # "URL=busines" was fetched whole: added without topics when that page loaded, while the same
            # NEWSBOT_FEEDS entry is refused. Its words go to the topic check, which names the topic meant.
            return head, tail
        return url, ""

    def _misspelt_topic_suffix(self, url: str) -> str:
        """For "https://a/rss=busines", whose words after the last "=" are topics but for near misses: the hint
        naming the topics meant; "" otherwise (a query parameter's value is the feed's own, as in _topic_suffix)."""
        _, eq, tail = url.rpartition("=")
        words = [w for w in _TOPIC_SPLIT.split(tail) if w]
        if not eq or not words or urlsplit(url).query.rpartition("&")[2].count("=") == 1:
            return ""
        meant = [self._catalogue.resolve(w) or self._catalogue.suggest(w) for w in words]
        if not all(meant):
            return ""
        ids = "+".join(dict.fromkeys(t.id for t in meant if t is not None))
        what = "a topic" if len(words) == 1 else "topics"
        return f"If {quoted(tail, 40)} after the “=” was meant as {what}: did you mean ={ids}?"

    def _topic_ids(self) -> list[str]:
        return [t.id for t in self._catalogue.all()]


def _check_url(url: str) -> str:
    url = url.strip().strip("<>")
    if len(url) > MAX_URL_CHARS:
        raise UserError(f"That address is too long (at most {MAX_URL_CHARS} characters).")
    try:
        parts = urlsplit(url)
    except ValueError:  # "https://[::1/" and other malformed hosts
        raise UserError("That address is not a valid URL.") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise UserError("Give the feed's full address, starting with http:// or https://.")
    if problem := address_problem(url):
        raise UserError(f"That address has {problem}; check it and send /addfeed again.")
    return normal_feed_url(url)


def normal_feed_url(url: str) -> str:
    """Scheme and host in lower case, without the scheme's default port or tracking parameters (utm_source, ...):
    "HTTPS://Example.com:443/rss?utm_source=x" is the same feed as "https://example.com/rss". A trailing slash or
    http for https may name another resource: kept."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    userinfo, at, host = parts.netloc.rpartition("@")
    host = host.lower()
    try:
        port = parts.port
    except ValueError:  # a port that is no number: the fetcher says why it is no address
        port = None
    if port is not None and port == {"http": 80, "https": 443}.get(scheme):
        host = host.rpartition(":")[0]
    # Only tracking parameters go; the others stay as written and in their order (a feed may need them).
    kept = [p for p in parts.query.split("&") if not is_tracking_param(unquote_plus(p.partition("=")[0]))]
    query = "&".join(kept) if len(kept) < len(parts.query.split("&")) else parts.query
    return urlunsplit(parts._replace(scheme=scheme, netloc=userinfo + at + host, query=query))


def _polled_already(existing: Feed | None, topics: Sequence[str]) -> Feed | None:
    """``existing`` when it is polled already and working (with these topics, or none given); UserError if they
    differ. A dead or failing feed is not: the check just read it, so it is polled again at once, not after the
    backoff of up to a day it was waiting."""
    if existing is None or existing.dead or existing.failures:
        return None
    if _other_topics(topics, existing):
        raise UserError(_topics_kept(existing))
    return existing


def _other_topics(topics: Sequence[str], feed: Feed) -> bool:
    """Whether /addfeed named topics and they are not the feed's ("science business" is "business science")."""
    return bool(topics) and set(topics) != set(feed.topics)


def _topics_kept(feed: Feed) -> str:
    """Why /addfeed of a polled feed with other topics changes nothing, and what to do instead."""
    now = ", ".join(feed.topics) or "none"
    if feed.origin == "settings":
        return f"Already polling that feed (topics: {now}); its topics are set in NEWSBOT_FEEDS."
    return f"Already polling that feed (topics: {now}). To change them, /removefeed it and /addfeed it again."
