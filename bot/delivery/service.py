"""The sender: ``DeliveryService`` claims due outbox rows, paces and sends them, retries, parks and records outcomes."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import heapq
import logging
import sqlite3
import time
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from telegram import ReplyParameters
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.delivery.pacing import Pacer
from bot.delivery.planning import (
    catchup_window,
    in_time_order,
    late_articles,
    match_articles,
    plan_outbox_rows,
    story_chunks,
    story_of,
)
from bot.delivery.render_cache import RenderCache
from bot.delivery.transport import NO_PREVIEW, LeanSender
from bot.errors import cannot_post, chat_gone, not_telegrams_answer, retry_after_seconds, topic_gone
from bot.logs import CountedLines, FailureLog
from bot.render.delivery import DigestItem, DigestPart, digest_title, longer_length, render_digest
from bot.render.text import counted
from bot.scheduling import in_quiet_hours, moved_before_quiet_hours, next_digest_at, quiet_hours_end
from bot.services.summaries import SummaryCache
from bot.store import write_refused
from bot.store.deliveries import (
    OVER_DIGEST_CAP,
    RATE_LIMITED,
    Delivery,
    DeliveryKind,
    Finished,
    PlannedRow,
    PlanningTarget,
)
from bot.store.models import Chat
from bot.store.notices import Notice, NoticeStatus
from summaries.articles import Article

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.config import Settings
    from bot.store import Database
    from summaries.topics import TopicCatalogue

# The package's name, as before the split into modules: log lines and log filters stay the same.
log = logging.getLogger("bot.delivery")

MAX_NETWORK_ATTEMPTS = 5
# After MAX_NETWORK_ATTEMPTS quick retries a message waits and tries again, so a Telegram outage of any length
# delays alerts instead of losing them. Past MAX_OUTAGE_ATTEMPTS (about 4 hours) it is failed, but only while
# Telegram takes other messages (see _refused_for_itself): then it is this message Telegram refuses, and
# retrying it every 5 minutes for good would be a loop; while nobody gets through it waits on. The first waits are
# short (FIRST_PARK_SECONDS, doubling up to OUTAGE_RETRY_SECONDS): most outages last a minute or two, and a flat
# 5 minutes kept every alert of a 45-second outage waiting 5 minutes. Each row comes back at its own time,
# through the pacer, so nothing is released in one burst.
OUTAGE_RETRY_SECONDS = 300.0
FIRST_PARK_SECONDS = 30.0
# During an outage every queued alert is parked: the first is logged, then one line at most this often says
# how many more were (one line per alert was thousands of identical lines every OUTAGE_RETRY_SECONDS).
PARKED_LOG_EVERY_SECONDS = 60.0
MAX_OUTAGE_ATTEMPTS = 240
# After this many 429s in a row an alert is parked in the database (and a digest postponed) for at least
# OUTAGE_RETRY_SECONDS instead of holding its place: Telegram said "later", never "no", so nothing is lost.
MAX_RATE_LIMITED = 20
# A digest waits in line for a 429's retry_after up to this long; a longer wait postpones the digest instead,
# so one rate-limited chat never holds a digest slot (and the stories stay queued for the retry).
DIGEST_MAX_RETRY_WAIT = 30.0
# How many digests are sent at once; the shared pacer keeps the overall rate.
DIGEST_CONCURRENCY = 32
# A next digest is at most a day (and a daylight-saving hour) ahead of when it was computed.
DIGEST_HORIZON_SECONDS = 2 * 86400.0
# A chat's first /digest (none sent yet) holds its matching stories of this last stretch, not only those
# planned since it subscribed (render_digest_empty names it when there are none). The newest this many
# articles of it are read: a first digest shows a few per topic, and a day of a big deployment's feeds is more.
FIRST_DIGEST_WINDOW_SECONDS = 86400.0
FIRST_DIGEST_MAX_ARTICLES = 1000
# This many different chats answering 429 within GLOBAL_429_WINDOW seconds: the bot as a whole is limited.
GLOBAL_429_CHATS = 3
GLOBAL_429_WINDOW = 1.0
# Alerts' 429s are logged in full at most this often, then counted: a bot that Telegram allows less than
# NEWSBOT_RATE_OVERALL_PER_SECOND got three lines a second for as long as a fan-out lasted.
RATE_LIMITED_LOG_EVERY_SECONDS = 60.0
# An alert held further ahead than its chat's quiet hours last, plus this (a daylight-saving night's extra
# hour; network parks are 5 minutes), was held while the clock ran ahead: see release_stale_holds.
HOLD_SLACK_SECONDS = 3600.0
# The wall clock going back by more than this between two ticks counts as the clock being put back.
CLOCK_BACK_TOLERANCE = 60.0
# The chat id under which a 429 pause of the whole bot is stored (Telegram chat ids are never 0).
WHOLE_BOT = 0
_RETRY_LATER = "retry after: "
# _send_paced's answer for a message the chat no longer wants (/stop, a pause, a block), followed by why.
_INTERRUPTED = "interrupted: "
# _digest_interrupted's reason when the group became a supergroup that had its own copies of stories in the part
# about to go (merged, the group's are gone): the rest of the digest is rendered again without them.
_MERGED = "merged into a supergroup with its own copies"
# The sender keeps a story's article and "also" sources for a fan-out to many chats, and reads them again after
# this long: a source that joined the story without alerts planned (a /summary link, a first poll's backlog) is
# then named in the alerts still to send.
STORY_CACHE_SECONDS = 60.0
# Articles planned (matched, then written in one transaction) at a time. 200 new articles for 10,000 chats
# can mean a million outbox rows: in one piece that was millions of live objects (full garbage collections
# of 4 s that stopped the event loop) and a minute-long write transaction that held up every other write.
PLAN_CHUNK_ARTICLES = 20
# More than this many alerts held by a chat's quiet hours come, when they end, as one round-up (a digest of
# them all, split only if needed) instead of one message a second; this many or fewer still come as alerts.
ROUNDUP_MORE_THAN = 5
ROUNDUP_TITLE = "While quiet hours were on"
ROUNDUP_MARK = "🌙"
# A story published more than CATCHUP_AGE_SECONDS (or two feed intervals, when longer) before the poll that found
# it, when that feed had not been read for as long or its last read left items over, is late: a feed back after an
# outage, or a bot started again after days, finds every story published meanwhile at once. A chat's late alerts
# are held CATCHUP_GATHER_SECONDS (the other feeds of that round are read meanwhile), and more than
# ROUNDUP_MORE_THAN of them come as one catch-up round-up, as a quiet night's do; a busy feed's fresh news, minutes
# old, still comes as alerts, even when the feed dates it hours back (local time marked as GMT).
CATCHUP_GATHER_SECONDS = 60.0
CATCHUP_TITLE = "Catching up on earlier news"
CATCHUP_MARK = "🕰"
# Admin notices claimed at a time (they are rare: a feed dying tells each admin once).
NOTICE_BATCH = 20
# Rounds of _send_paced's attempts before an admin notice is failed: its waits grow as an alert's, so about 4 hours
# (and, as an alert, not while Telegram takes no message at all).
MAX_NOTICE_ATTEMPTS = MAX_OUTAGE_ATTEMPTS // MAX_NETWORK_ATTEMPTS


@dataclass(slots=True)
class _Item:
    row: Delivery
    chat_id: int
    attempts: int
    rate_limited: int = 0
    unfollows: int = 0  # DeliveryService._unfollows when claimed: an unfollow since passed this row by


@dataclass(slots=True)
class _Story:
    article: Article
    also: tuple[str, ...]
    read_at: (
        float  # when ``also`` was read: a report that joins the story later shows after STORY_CACHE_SECONDS
    )
    # The article with a longer summary than the stored one, by length, for chats that asked for more.
    longer: dict[int, Article] = field(default_factory=dict)
    # Held while one is computed: the chats of a fan-out, sent concurrently, wait for it instead of each
    # summarizing the article again.
    computing: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass(frozen=True, slots=True)
class _NoticeOutcome:
    """An admin notice's outcome to record (NoticeRepo.finish's arguments); ``at``: when it happened."""

    status: NoticeStatus
    attempts: int
    at: float
    error: str | None = None
    not_before: float = 0.0


@dataclass(slots=True)
class _SenderState:
    queues: dict[int, deque[_Item]] = field(default_factory=dict)
    heap: list[tuple[float, int, int]] = field(default_factory=list)
    scheduled: set[int] = field(default_factory=set)
    busy: set[int] = field(default_factory=set)
    chats: dict[int, Chat] = field(default_factory=dict)
    in_window: int = 0


class DeliveryService:
    """Plans alerts and digests into the durable outbox and sends them within Telegram's limits."""

    def __init__(
        self,
        *,
        db: Database,
        bot: Any,
        settings: Settings,
        clock: Clock,
        catalogue: TopicCatalogue,
        summaries: SummaryCache | None = None,
        concurrency: int = 64,
        pacing_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = db
        self._bot = bot
        # The sender uses its own LeanSender on aiohttp with the same token and API URL; it also outlives the
        # application's bot during shutdown, so in-flight sends can finish.
        self._own_transport = bot is not None
        self._sender: Any = None
        self._settings = settings
        self._clock = clock
        self._catalogue = catalogue
        self._summaries = summaries if summaries is not None else SummaryCache()
        self._pacer = Pacer(
            overall_per_second=settings.rate_overall_per_second,
            chat_interval=settings.rate_chat_interval_seconds,
            group_per_minute=settings.rate_group_per_minute,
            clock=pacing_clock,
        )
        self._concurrency = concurrency
        self._window = int(min(2000, max(64, settings.rate_overall_per_second * 2)))
        self._state = _SenderState()
        self._finished: list[Finished] = []
        self._recording: list[Finished] = []  # the outcomes _flush is writing
        # Claimed rows nobody sends any more (a digest or round-up cut short) whose way back to the queue the
        # database refused, id -> (not_before, kind): the flusher writes it, or they stayed 'sending' until a restart.
        self._unreleased: dict[int, tuple[float, DeliveryKind | None]] = {}
        # Round-ups whose rows could not be made held alerts again (a lock, a full disk): chat -> (not_before, its
        # rows' ids); the flusher does it once the database takes writes, or they waited for a restart.
        self._unfolds: dict[int, tuple[float, list[int]]] = {}
        # 429 waits to record with the next flush: chat id (WHOLE_BOT: all) -> (not_before, retry_after).
        self._holds: dict[int, tuple[float, float]] = {}
        # Alerts parked since the last "Telegram unreachable" line, and when that line was written; the ids of the
        # rows this outage parked (a retry parked again is no "more alerts parked": counted, the lines added up
        # to more stories than were held back).
        self._parked = CountedLines(PARKED_LOG_EVERY_SECONDS)
        self._parked_ids: set[int] = set()
        # The reason of the last park, for the count of the minute's last parks, said once that minute is over
        # (or at stop): counted only at the next park to be logged, they came up to 5 minutes late, or never.
        self._parked_reason = ""
        # Messages kept past MAX_OUTAGE_ATTEMPTS (stuck) have lines of their own, at most one a minute: stories
        # stuck since the last such line, the attempts and reason of the last, and when that line was written.
        # Four hours into an outage every held alert is stuck within a minute or so: said in the outage's lines,
        # they were named one, the others neither named nor counted, and a stuck first line of an outage (after
        # a restart) held back its first "unreachable" line without starting it.
        self._stuck = CountedLines(PARKED_LOG_EVERY_SECONDS)
        self._stuck_last: tuple[int, str] = (0, "")
        # When the first "Telegram unreachable" line of an outage was written (None: no outage, or its end was
        # logged), and when Telegram took the first message since its last park (None: none since). A proxy
        # failing every other request parks one send and lets the next through: each send taken ended the outage,
        # so every park after it was named again and its end logged, two lines per failed send. The end is logged
        # once Telegram has taken messages for PARKED_LOG_EVERY_SECONDS with none parked (or at stop); a park
        # before that goes on in the same outage's lines, which count the messages taken too.
        self._outage_since: float | None = None
        self._outage_back_at: float | None = None
        # How many stories the outage held back, read by the flusher when Telegram took a message again.
        self._outage_held: str | None = None
        # Messages Telegram took in this outage since its last park, and those it took between parks since the
        # last line: only the latter make "fails some requests". Taken after the last park, they are Telegram
        # back, and a count said then read as a flapping proxy right before "takes messages again".
        self._taken = 0
        self._went_through = 0
        # When Telegram last took a message of this sender (None: not since the start), by the injected clock.
        self._last_sent_at: float | None = None
        self._stories: dict[int, _Story] = {}
        self._rendered = RenderCache(catalogue)
        self._recent_429: deque[tuple[float, int]] = deque()
        # 429s (and pauses of all sends among them) since the last 429 line, and when that line was written.
        self._429s = CountedLines(RATE_LIMITED_LOG_EVERY_SECONDS)
        self._pauses = CountedLines(RATE_LIMITED_LOG_EVERY_SECONDS)
        self._wake = asyncio.Event()
        self._semaphore = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None
        self._flusher: asyncio.Task[None] | None = None
        self._digest_task: asyncio.Task[None] | None = None
        self._notice_task: asyncio.Task[None] | None = None
        self._notice_sending = FailureLog(log, "sending admin notices")
        # Claimed admin notices whose outcome (or way back to the queue) the database refused, id -> the finish
        # to write: the flusher writes it. Left 'sending', they waited for a restart; a sent one must not go again.
        self._unrecorded_notices: dict[int, _NoticeOutcome] = {}
        # Digests being sent, by chat: each chat's digest runs on its own, so a slow or rate-limited chat never
        # holds up the digests of the others (nor the next tick's), and a chat never gets two at once.
        self._digest_chats: set[int] = set()
        # Scheduled digests whose stories are claimed and on their way, by chat: how many stories they hold.
        self._digests_sending: dict[int, int] = {}
        # Of those, the chats that asked /digest meanwhile: it was told that digest is its answer, so a pause
        # does not cut it short (a paused chat may ask for its digest).
        self._digests_asked: set[int] = set()
        # Chats whose round-up is on its way: their other alerts wait for it (skip_chats), so they come after.
        self._roundup_chats: set[int] = set()
        self._digest_tasks: set[asyncio.Task[int]] = set()
        # The tasks (digests, round-ups, admin notices) whose message is on its way or sent and maybe not yet
        # recorded: from its send until the task waits its turn for another (_send_paced) or ends. Counted by
        # unrecorded_sends: a digest waiting its turn (DIGEST_CONCURRENCY, the pacer) has nothing on its way.
        self._sending: set[asyncio.Task[Any]] = set()
        self._digest_gate = asyncio.Semaphore(DIGEST_CONCURRENCY)
        self._digest_storage = FailureLog(log, "sending digests (the database refuses writes)")
        # A database read that keeps failing fails every tick (seconds apart): once a minute in the log, not each.
        self._digest_finding = FailureLog(log, "finding due digests")
        # Groups that became supergroups while this process ran (old id -> new), and how many moves so far:
        # a plan read before a move is stored under the new id (the old one is gone, its rows skipped).
        self._moved: dict[int, int] = {}
        self._moves = 0
        # Chats that unfollowed something while this process ran (chat -> the count of unfollows then), and how
        # many unfollows so far: a plan read before an unfollow and stored after it is checked again.
        self._unfollowed: dict[int, int] = {}
        self._unfollows = 0
        # Counts chat_changed calls: a chat read that a change overtook may hold the chat as it was before it,
        # so it is not cached (the sender reads the chat again before sending).
        self._chat_changes = 0
        self._stopping = False
        self._last_wall: float | None = None  # the wall clock at the last release_stale_holds
        self._seq = 0
        # The chats whose alert is being parked after a storm of 429s, and those parked since the claim in progress
        # began: that claim may have taken alerts of theirs from behind the parked one before the park was written.
        self._rate_parking: set[int] = set()
        self._rate_parked: set[int] = set()
        self._next_claim = 0.0
        self._started = False
        self._start_lock = asyncio.Lock()

    # ------------------------------------------------------------------------------------------ public API

    def unrecorded_sends(self) -> int:
        """At most how many messages are on their way or sent but not yet recorded as sent: those a process ending
        now (a second stop signal) may send again after the restart."""
        on_the_way = len(self._tasks) + len(self._sending)  # a digest sends one part at a time
        sent = sum(o.status == "sent" for o in (*self._finished, *self._recording))
        return on_the_way + sent + sum(o.status == "sent" for o in self._unrecorded_notices.values())

    @property
    def pacer(self) -> Pacer:
        """The flood-limit schedule of alerts and digests (and of 429s answered to replies: ``SharedPacing``)."""
        return self._pacer

    async def plan_alerts(
        self,
        articles: Sequence[Article],
        now: float,
        late: Collection[int] | None = None,
        before: Sequence[Article] = (),
    ) -> int:
        """Persist outbox rows for every chat that matches one of ``articles``; returns rows planned.

        ``before``: the versions of edited ones before their feed's edit; the chats those matched get no row.

        ``late``: the ids of the articles the poll that found them judged late news (see
        IngestService.poll_due_feeds); None (articles planned after a restart) counts every one published longer
        than the catch-up window ago. The articles leave the store's "alerts to plan" list in the same transaction.
        """
        stored = in_time_order([a for a in articles if a.id is not None])
        if not stored:
            return 0
        for article in stored:
            # A new report of a story read for earlier alerts: the alerts still to send name it as "also".
            self._stories.pop(story_of(article), None)
        unfollows = self._unfollows
        subscriptions, targets = await self._db.deliveries.planning_targets()
        late = (
            late_articles(stored, now, self._settings.feed_interval_seconds)
            if late is None
            else frozenset(late)
        )

        added = 0
        for chunk in story_chunks(stored, PLAN_CHUNK_ARTICLES):
            # Pure but not free for 10,000 chats: keep it off the event loop so /summary stays fast.
            rows = await asyncio.to_thread(
                plan_outbox_rows,
                chunk,
                subscriptions,
                targets,
                now,
                late=late,
                catchup_until=now + CATCHUP_GATHER_SECONDS,
                before=[b for b in before if b.id in {a.id for a in chunk}],
            )
            # Each chunk is its own transaction and clears its own articles' marks: a crash between chunks
            # plans the rest after the restart, and UNIQUE(chat_id, story_id) still sends a story once.
            chunk_added = await self._store_plan(rows, now, [a.id for a in chunk if a.id is not None])
            del rows
            if self._unfollows != unfollows:
                # /unsubscribe while this plan was matched: rows it stored for what the chat no longer follows
                # would wait for its digest or quiet hours' end, as if it had not been said.
                for chat_id in [c for c, at in self._unfollowed.items() if at > unfollows]:
                    await self._recheck_queue(chat_id)
            if chunk_added:
                added += chunk_added
                self.wake()  # the first chunk's alerts go out while the next one is planned
        if added:
            log.info(
                "planned %s for %s",
                counted(added, "delivery", "deliveries"),
                counted(len(stored), "new article"),
            )
        return added

    async def _store_plan(self, rows: list[PlannedRow], now: float, planned_articles: Sequence[int]) -> int:
        """Store planned rows (DeliveryRepo.plan), those of a group that became a supergroup since the plan was
        read under the supergroup's id; returns rows added."""
        added = 0
        while True:
            moves = self._moves
            moved = self._moved
            if moved:
                # Only the moved groups' rows are copied (r[0]: the chat, see PlannedRow): a chunk holds up to
                # 200,000 rows, on the event loop.
                rows = [(moved[r[0]], *r[1:]) if r[0] in moved else r for r in rows]
            added += await self._db.deliveries.plan(rows, now, planned_articles)
            if self._moves == moves:
                return added
            # A group moved while the rows were written: those stored under its old id moved with it, those
            # skipped (the old id gone) go in now; the story's alert mark went with the first write.
            rows = [r for r in rows if r[0] in self._moved]
            planned_articles = ()

    async def unfollowed(self, chat_id: int) -> int:
        """The chat follows less now: its queued stories (waiting for a digest, held by quiet hours, a round-up,
        parked) that match nothing it still follows are dropped, and those that still match another of its
        topics or keywords stay, under that one; returns how many were dropped. Those on their way still go."""
        if len(self._unfollowed) >= 1000:  # bounded; only a plan being matched at that moment needs them
            del self._unfollowed[next(iter(self._unfollowed))]
        self._unfollows += 1
        self._unfollowed.pop(chat_id, None)
        self._unfollowed[chat_id] = self._unfollows
        return await self._recheck_queue(chat_id)

    async def _recheck_if_unfollowed(self, chat_id: int, since: int) -> None:
        """Rows claimed before an unfollow and put back in the queue (parked, held for a digest or quiet hours, a
        digest or round-up Telegram did not take) were on their way when it rechecked the queue: matched now,
        they are not sent hours later."""
        if self._unfollowed.get(chat_id, 0) <= since:
            return
        try:
            await self._recheck_queue(chat_id)
        except Exception as exc:  # the row is safe in the queue: at worst it goes as it would have
            log.warning("chat %d: its queue was not matched again after an unfollow: %s", chat_id, exc)

    async def _recheck_queue(self, chat_id: int) -> int:
        """Match the chat's queued rows against what it follows now, as planning matched them (see unfollowed)."""
        subscriptions = [(s.chat_id, s.kind, s.value) for s in await self._db.subscriptions.for_chat(chat_id)]
        followed = {value for _chat, _kind, value in subscriptions}
        # A row whose match is still followed still matches; the others are matched again, over every article
        # of their story (another source may hold a keyword the first report lacks).
        stale = [r for r in await self._db.deliveries.queued(chat_id) if r.matched not in followed]
        if not stale:
            return 0
        articles: list[Article] = []
        if subscriptions:
            for story_id in sorted({r.story_id for r in stale}):
                articles += await self._db.articles.story_articles(story_id)
        matches = await asyncio.to_thread(match_articles, articles, subscriptions) if articles else {}
        by_story = {m.story_id: m for m in matches.get(chat_id, [])}
        kept = [
            (r.id, m.article_id, m.matched, m.score)
            for r in stale
            if (m := by_story.get(r.story_id)) is not None
        ]
        dropped = [r.id for r in stale if r.story_id not in by_story]
        gone = await self._db.deliveries.rematch(kept, dropped, "unsubscribed", self._clock.now())
        if gone:
            log.info(
                "chat %d unsubscribed: %s it no longer follows dropped",
                chat_id,
                counted(gone, "story", "stories"),
            )
        return gone

    def chat_moved(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: a plan read before, still to be stored, goes to ``new_id``."""
        if len(self._moved) >= 1000:  # bounded; moves are rare and matter only for a plan being stored
            del self._moved[next(iter(self._moved))]
        self._moved[old_id] = new_id
        self._moves += 1

    async def plan_pending(self, now: float, limit: int = 1000) -> int:
        """Plan the alerts of stored articles still waiting for them (up to ``limit``); returns rows planned.

        These are what the last poll stored, and what a crash or a failed plan left behind. An article that
        cannot be planned even on its own (a bug, not the database) is logged and dropped, so it never holds
        up the others; a database error leaves everything for the next try.
        """
        pending = await self._db.articles.alert_pending(limit)
        if not pending:
            return 0
        try:
            return await self.plan_alerts(pending, now)
        except sqlite3.Error:
            raise
        except Exception:
            log.exception(
                "planning alerts for %s failed; planning them one by one", counted(len(pending), "article")
            )
        planned = 0
        for article in pending:
            try:
                planned += await self.plan_alerts([article], now)
            except sqlite3.Error:
                raise
            except Exception:
                log.exception("article %s: its alerts cannot be planned; skipped", article.id)
                await self._db.articles.clear_alert_pending([article.id] if article.id else [])
        return planned

    async def send_digest(
        self,
        chat_id: int,
        now: float,
        *,
        on_demand: bool = False,
        thread_id: int | None = None,
        reply_to: int | None = None,
    ) -> int:
        """Send the chat's digest of what is pending now; returns how many articles it holds (0: nothing).

        ``thread_id``: the forum topic /digest was asked in, where the digest then goes (else "General").
        ``reply_to``: the /digest commented under a channel post, which each part answers to be among its comments.
        """
        chat = await self._db.chats.get(chat_id)
        if chat is None or not chat.active:
            return 0
        if on_demand and chat.mode != "digest":
            # An instant chat's only digest rows are its round-up (a quiet night's or a catch-up), waiting its
            # turn to go with every story listed: /digest sent it as a digest cut at the per-topic cap.
            return 0
        if (
            not on_demand
            and chat.mode == "digest"
            and not chat.paused
            and _quiet(chat, now)
            and not _moved_before_quiet_hours(chat, now)
        ):
            # A digest time inside quiet hours: the digest is held until they end and sent then, once (two
            # digest times in one quiet night make one digest at its end).
            # Held by the quiet hours as stored when the hold is written: changed since the chat was read above,
            # the new ones count (off: due now, sent at the next tick).
            await self._db.chats.record_digest(
                chat.id,
                last_digest_at=None,
                next_digest_at=lambda current: _safe_quiet_hours_end(current, now),
                scheduled=chat.next_digest_at,
            )
            return 0
        if on_demand and chat_id in self._digests_sending:
            # /digest while the scheduled digest is being sent: that digest is its answer. It took every story
            # waiting, so "Nothing new" (or "nothing in the last 24 hours") was told as the digest arrived.
            self._digests_asked.add(chat_id)
            return self._digests_sending[chat_id]
        shown = 0
        retry_at: float | None = None
        if on_demand and chat.mode == "digest" and chat.last_digest_at is None:
            await self._plan_first_digest(chat, now)
        if not chat.paused or on_demand:
            rows = await self._db.deliveries.claim_digest(chat_id)
            if rows:
                if not on_demand:
                    self._digests_sending[chat_id] = len(rows)
                try:
                    topic = thread_id if thread_id is not None else chat.thread_id
                    shown, retry_at = await self._send_digest_rows(
                        chat, rows, now, topic, on_demand=on_demand, reply_to=reply_to
                    )
                except Exception:
                    # An unexpected answer (409, 401, a garbled 200) or a storage error: the rows must not stay
                    # 'sending' until the next restart; they wait for the next digest instead. (Rows already
                    # finished are not touched: hold() only matters for those still claimed.) Rows whose
                    # outcome waits for the flusher stay 'sending' until it is written: back in the queue,
                    # a /digest meanwhile would send them again.
                    recording = self._unrecorded_ids()
                    await self._release([r.id for r in rows if r.id not in recording])
                    raise
                finally:
                    if not on_demand:
                        self._digests_sending.pop(chat_id, None)
                        self._digests_asked.discard(chat_id)
        elif not on_demand:
            # A digest time passed while paused: what that digest held is dropped, as alerts are at the pause,
            # so resuming months later does not bring months-old news (nor keep those articles from pruning).
            await self._db.deliveries.drop_paused_digest(chat.id, now)
        if not on_demand or shown:
            nxt: float | Callable[[Chat], float | None] | None = chat.next_digest_at
            if not on_demand and chat.mode == "digest":

                def following(current: Chat) -> float | None:
                    # Told to wait (429), or Telegram unreachable: the rest of the digest (all of it, or the
                    # parts after those that went out) is tried again after the wait, not at the next digest
                    # time. Otherwise the next time by the chat's schedule as stored when this is recorded:
                    # times or a timezone changed while this digest was due or being sent count from it
                    # (ChatService kept it due).
                    nxt = _safe_next_digest(current, now)
                    if retry_at is not None and (nxt is None or retry_at < nxt):
                        # A retry that would reach the next digest time is that digest: it takes the stories.
                        nxt = retry_at
                    return nxt

                nxt = following
            await self._db.chats.record_digest(
                chat.id,
                last_digest_at=now if shown else None,
                next_digest_at=nxt,
                scheduled=chat.next_digest_at,
            )
        return shown

    async def _plan_first_digest(self, chat: Chat, now: float) -> None:
        """Queue for a chat that never had a digest its matching stories of the last day.

        A newcomer's /digest otherwise finds only what feeds brought since it subscribed (most often nothing),
        and learns nothing of what a digest is. The rows go through the outbox like any other, so a story
        the chat got already (an alert, say) is not planned again and none of these comes again later.
        """
        subscriptions = [(s.chat_id, s.kind, s.value) for s in await self._db.subscriptions.for_chat(chat.id)]
        if not subscriptions:
            return
        articles = await self._db.articles.public_since(
            now - FIRST_DIGEST_WINDOW_SECONDS, FIRST_DIGEST_MAX_ARTICLES
        )
        if not articles:
            return
        target = PlanningTarget(chat.id, chat.mode, chat.timezone, chat.quiet_start, chat.quiet_end)

        def plan() -> list[PlannedRow]:
            return plan_outbox_rows(in_time_order(articles), subscriptions, {chat.id: target}, now)

        await self._db.deliveries.plan(await asyncio.to_thread(plan), now)

    async def send_due_digests(self, now: float) -> int:
        """Send every digest that is due at ``now`` and schedule digest chats that have no next time yet."""
        return sum(await asyncio.gather(*self._start_due_digests(await self._due_digest_chats(now), now)))

    def schedule_due_digests(self, now: float) -> None:
        """Start sending the digests due at ``now`` in the background (those already on their way go on)."""
        task = self._digest_task
        if task is not None and not task.done():
            return
        if task is not None and not task.cancelled():
            exc = task.exception()
            if exc is not None:
                self._digest_finding.failed(exc)
            else:
                self._digest_finding.succeeded()

        async def start_due() -> None:
            self._start_due_digests(await self._due_digest_chats(now), now)

        self._digest_task = asyncio.create_task(start_due(), name="digests")

    def schedule_admin_notices(self) -> None:
        """Start sending the admins' due notices (a feed that died) in the background, unless that runs already."""
        task = self._notice_task
        if not self._started or self._stopping or (task is not None and not task.done()):
            return
        self._notice_task = asyncio.create_task(self._send_admin_notices(), name="admin-notices")

    async def _send_admin_notices(self) -> None:
        """Send every due admin notice, paced like any message; each outcome is recorded as it happens."""
        try:
            while notices := await self._db.notices.claim(self._clock.now(), NOTICE_BATCH):
                for i, notice in enumerate(notices):
                    try:
                        await self._send_admin_notice(notice)
                    except Exception:
                        # The rest of the batch was claimed and never tried: back to the queue (by the flusher
                        # when the database refuses writes now).
                        for rest in notices[i + 1 :]:
                            self._unrecorded_notices[rest.id] = _NoticeOutcome("pending", rest.attempts, 0.0)
                        # This one too unless its outcome is kept already: it failed before Telegram took it (a
                        # refused write as its group moved to a supergroup, say), and stayed 'sending' until a
                        # restart. Not at once, should the failure repeat.
                        retry_at = self._clock.now() + FIRST_PARK_SECONDS
                        self._unrecorded_notices.setdefault(
                            notice.id, _NoticeOutcome("pending", notice.attempts, 0.0, not_before=retry_at)
                        )
                        raise
        except asyncio.CancelledError:
            raise  # the rows still 'sending' go back to the queue in aclose (or at the next start)
        except Exception as exc:
            self._notice_sending.failed(exc)
        else:
            self._notice_sending.succeeded()

    async def _send_admin_notice(self, notice: Notice) -> None:
        chat = await self._db.chats.get(notice.chat_id)
        now = self._clock.now()
        attempts = notice.attempts + 1
        if chat is None or not chat.active:  # /stop or a block since it was queued
            log.warning("admin chat %d is gone; notice %s not sent", notice.chat_id, notice.key)
            await self._finish_notice(notice.id, "dropped", notice.attempts, now, error="chat inactive")
            return
        # Not held by quiet hours, a pause or digest mode: those are the chat's news settings, and this is the
        # bot telling its operator it lost a source.
        result, _chat_id, _thread = await self._send_paced(chat.id, chat.is_group, notice.text)
        now = self._clock.now()
        if result is None:
            await self._finish_notice(notice.id, "sent", attempts, now)
        elif result.startswith("gone"):
            # Blocked (403) or not found: _send_paced deactivated the chat; never tried again.
            log.warning("admin chat %d refused notice %s (%s): not sent", chat.id, notice.key, result)
            await self._finish_notice(notice.id, "dropped", attempts, now, error=result)
        elif result.startswith(("network:", _RETRY_LATER)) and not self._refused_for_itself(
            attempts, MAX_NOTICE_ATTEMPTS
        ):
            wait = (
                float(result[len(_RETRY_LATER) :])
                if result.startswith(_RETRY_LATER)
                else _park_seconds(attempts * MAX_NETWORK_ATTEMPTS)
            )
            log.info("admin notice %s to chat %d: %s; retrying in %.0f s", notice.key, chat.id, result, wait)
            await self._finish_notice(
                notice.id, "pending", attempts, now, error=result, not_before=now + wait
            )
        else:
            log.error("admin notice %s to chat %d failed: %s", notice.key, chat.id, result)
            await self._finish_notice(notice.id, "failed", attempts, now, error=result)

    async def _finish_notice(
        self,
        notice_id: int,
        status: NoticeStatus,
        attempts: int,
        now: float,
        *,
        error: str | None = None,
        not_before: float = 0.0,
    ) -> None:
        """Record a notice's outcome; if the database refuses, the flusher writes it once it takes writes."""
        try:
            await self._db.notices.finish(
                notice_id, status, attempts, now, error=error, not_before=not_before
            )
        except Exception:
            self._unrecorded_notices[notice_id] = _NoticeOutcome(status, attempts, now, error, not_before)
            raise

    async def _due_digest_chats(self, now: float) -> list[Chat]:
        # A next digest further ahead than any schedule can be was set while the clock ran ahead (a clock
        # put right backwards): recompute it, or the chat would get no digest until the clock caught up.
        horizon = now + DIGEST_HORIZON_SECONDS
        for chat, old in await self._db.deliveries.fix_digest_schedule(later_than=horizon):
            nxt = _safe_next_digest(chat, now)
            await self._db.chats.record_digest(
                chat.id, last_digest_at=None, next_digest_at=nxt, scheduled=old
            )
        return await self._db.chats.due_digests(now)

    def _start_due_digests(self, due: Sequence[Chat], now: float) -> list[asyncio.Task[int]]:
        """One task per due chat whose digest is not already being sent."""
        started: list[asyncio.Task[int]] = []
        for chat in due:
            if chat.id in self._digest_chats:
                continue
            self._digest_chats.add(chat.id)
            task = asyncio.create_task(self._one_due_digest(chat, now), name=f"digest-{chat.id}")
            self._digest_tasks.add(task)
            task.add_done_callback(self._digest_tasks.discard)
            started.append(task)
        return started

    async def _one_due_digest(self, chat: Chat, now: float) -> int:
        try:
            async with self._digest_gate:
                if self._stopping:  # still due: it goes out after the restart
                    return 0
                try:
                    current = await self._db.chats.get(chat.id)
                    if current is None or current.next_digest_at is None or current.next_digest_at > now:
                        # Found due as an earlier tick's digest for the chat was being recorded, and started
                        # once that was done: sent again, it held what came in since, a second digest moments
                        # after the first. (A /settings since may have moved it too: due later, sent then.)
                        return 0
                    shown = await self.send_digest(chat.id, now)
                except Exception as exc:
                    if isinstance(exc, sqlite3.Error):
                        # A full disk fails every due chat at every tick: once a minute in the log, not each.
                        self._digest_storage.failed(exc)
                    else:
                        log.exception("digest for chat %d failed", chat.id)
                    try:
                        await self._db.chats.record_digest(
                            chat.id,
                            last_digest_at=None,
                            next_digest_at=lambda current: _safe_next_digest(current, now),
                            scheduled=chat.next_digest_at,
                        )
                    except sqlite3.Error as record_exc:
                        # Still due: tried again at the next tick. Raised here, it would end this background
                        # task with an exception nobody retrieves.
                        self._digest_storage.failed(record_exc)
                    return 0
                self._digest_storage.succeeded()
                return shown
        finally:
            self._digest_chats.discard(chat.id)

    def _start_roundups(self, chat_ids: Sequence[int]) -> None:
        """One task per chat whose alerts held by quiet hours were just made its round-up."""
        for chat_id in chat_ids:
            self._roundup_chats.add(chat_id)
            task = asyncio.create_task(self._send_roundup(chat_id), name=f"roundup-{chat_id}")
            self._digest_tasks.add(task)  # aclose lets a part on its way finish, as a digest's
            task.add_done_callback(self._digest_tasks.discard)

    async def _send_roundup(self, chat_id: int) -> int:
        """Send a chat's round-up; never raises (what is not sent waits, as held alerts, for another try)."""
        claimed: list[int] = []
        try:
            async with self._digest_gate:
                return await self._roundup(chat_id, claimed)
        except Exception as exc:
            if isinstance(exc, sqlite3.Error):
                self._digest_storage.failed(exc)
            else:
                log.exception("round-up for chat %d failed", chat_id)
            # Whichever step failed, what it left pending is tried again later (by the flusher when this write
            # fails too).
            retry_at = self._clock.now() + FIRST_PARK_SECONDS
            try:
                await self._db.deliveries.unfold_roundups(retry_at, chat_id, ids=claimed)
            except Exception:
                self._unfolds[chat_id] = (retry_at, claimed)
            return 0
        finally:
            self._roundup_chats.discard(chat_id)
            self.wake()  # the chat's alerts that came after its quiet hours go now

    async def _roundup(self, chat_id: int, claimed: list[int]) -> int:
        """Send the round-up; ``claimed`` gets its rows' ids (for _send_roundup to unfold if this raises)."""
        if self._stopping:  # its rows wait, pending, for the next start (unfold_roundups)
            return 0
        chat = await self._db.chats.get(chat_id)
        if chat is None:  # /stop deleted its rows with it
            return 0
        rows = await self._db.deliveries.claim_digest(chat_id)
        if not rows:
            return 0
        now = self._clock.now()
        ids = [r.id for r in rows]
        claimed += ids
        if chat.mode == "digest":  # switched to digests since: the stories wait for the next digest
            await self._release(ids)
            return 0
        if not chat.active or chat.paused:  # as the alerts would be
            reason = "chat paused" if chat.paused else "chat inactive"
            await self._db.deliveries.finish(
                [Finished(r.id, "dropped", r.attempts, reason) for r in rows], now
            )
            return 0
        if _quiet(chat, now):  # new quiet hours since the hold ended: held to their end, as alerts are
            end = quiet_hours_end(chat.quiet_start, chat.quiet_end, chat.timezone, now)
            await self._release(ids, end, "alert")
            await self._db.deliveries.unfold_roundups(end, chat_id)
            return 0
        try:
            shown, retry_at = await self._send_digest_rows(chat, rows, now, chat.thread_id, roundup=True)
        except Exception:
            # As send_digest: nothing stays 'sending' until the next restart (outcomes the flusher holds aside).
            # Held alerts again, as _send_roundup's unfold_roundups would make them (which cannot reach rows the
            # flusher puts back later).
            recording = self._unrecorded_ids()
            await self._release(
                [i for i in ids if i not in recording], self._clock.now() + FIRST_PARK_SECONDS, "alert"
            )
            raise
        # Telegram unreachable or a long 429 left parts unsent: they are tried again, as a round-up, after the
        # wait, which grows as an alert's during an outage (nothing is left after a round-up sent whole).
        again = retry_at if retry_at is not None else now + _roundup_wait(rows)
        # By id too: a group that became a supergroup during the round-up took its rows to the new id.
        await self._db.deliveries.unfold_roundups(again, chat_id, ids=ids)
        return shown

    def _unrecorded_ids(self) -> set[int]:
        """Rows whose outcome waits for the flusher or is being written by it: 'sending' until it is written."""
        return {o.id for o in (*self._finished, *self._recording)}

    async def _release(
        self, ids: Sequence[int], not_before: float = 0.0, kind: DeliveryKind | None = None
    ) -> None:
        """Put claimed rows nobody sends any more back in the queue (those still 'sending'), due at ``not_before``
        (as ``kind``); if the database refuses (a full disk, a lock), the flusher does it once it takes writes."""
        try:
            await self._db.deliveries.hold(ids, not_before, kind, status_from="sending")
        except Exception:
            self._unreleased.update(dict.fromkeys(ids, (not_before, kind)))
            raise

    async def stats(self, since: float) -> dict[str, int]:
        """Queue depth now; deliveries sent, failed, dropped and left out of digests since ``since``."""
        return await self._db.deliveries.stats(since)

    def reschedule(self, chat: Chat, now: float) -> Chat:
        """The chat with next_digest_at recomputed from its digest times and timezone (None unless digest)."""
        if chat.mode != "digest":
            return replace(chat, next_digest_at=None)
        return replace(chat, next_digest_at=next_digest_at(chat.digest_times, chat.timezone, now))

    async def release_stale_holds(self, now: float) -> int:
        """On the first call, and whenever the clock went back since the last: alerts held further ahead than
        their chat's quiet hours allow become due again; returns how many.

        A hold is an absolute time: set while the clock ran ahead (then put right), it would keep an alert far
        longer than the quiet hours. Released rows go through the sender, which holds them again until the
        quiet hours end, computed from the chat's settings and the corrected clock, if the chat is quiet now.
        """
        last = self._last_wall
        if last is not None and now >= last - CLOCK_BACK_TOLERANCE:
            self._last_wall = now
            return 0
        released = await self._db.deliveries.release_far_holds(now, HOLD_SLACK_SECONDS)
        self._last_wall = now  # only once done: a failed check is tried again at the next tick
        if released:
            log.warning(
                "%s held beyond quiet hours (the clock was put back): due again", counted(released, "alert")
            )
            self.wake()
        return released

    def chat_changed(self, chat_id: int) -> None:
        """The chat's settings changed or it is gone (/stop): alerts on their way re-read it before sending."""
        self._state.chats.pop(chat_id, None)
        self._chat_changes += 1

    def wake(self) -> None:
        """Tell the sender to look for due rows now (new plans, quiet hours over)."""
        self._next_claim = 0.0
        self._wake.set()

    async def start(self) -> None:
        """Recover rows a crash left 'sending' and start the sender (idempotent; retried by the next tick)."""
        async with self._start_lock:
            if self._started:
                return
            if self._sender is None:
                self._sender = (
                    await self._make_sender()
                )  # may fail (Telegram unreachable): nothing started yet
            recovered = await self._db.deliveries.requeue_sending()
            self._unreleased.clear()  # back in the queue with the rest: claimed again, they must stay so
            recovered += await self._db.notices.requeue_sending()
            self._unrecorded_notices.clear()  # as _unreleased: back in the queue, claimed again they stay so
            self._unfolds.clear()  # unfolded below, every chat's
            if recovered:
                log.warning(
                    "re-queued %s left in flight by the last run",
                    counted(recovered, "delivery", "deliveries"),
                )
            # A round-up the last run did not finish: its unsent stories are due held alerts again, and the
            # sender's first claim makes them the chat's round-up again (the parts sent are marked sent).
            await self._db.deliveries.unfold_roundups(self._clock.now())
            await self._restore_holds()
            self._stopping = False
            self._started = True
            self._runner = asyncio.create_task(self._run(), name="delivery-sender")
            self._flusher = asyncio.create_task(self._flush_loop(), name="delivery-flusher")

    async def aclose(self, grace_seconds: float = 5.0) -> None:
        """Stop the sender: wait briefly for sends in flight, record outcomes, re-queue everything unsent."""
        if not self._started:
            return
        self._stopping = True
        self._wake.set()
        for task in (self._runner, self._flusher, self._digest_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        # Digests as alerts: a part on its way is let finish and be recorded (cancelled, its stories went back
        # to the queue and the restart sent that digest again); the next part is not sent (_send_paced).
        in_flight: set[asyncio.Task[Any]] = set(self._tasks) | set(self._digest_tasks)
        if self._notice_task is not None:  # a notice on its way is let finish and be recorded, like an alert
            in_flight.add(self._notice_task)
        if in_flight:
            _done, pending = await asyncio.wait(in_flight, timeout=grace_seconds)
            for late in pending:
                late.cancel()
            if pending:
                await asyncio.wait(pending, timeout=1.0)
        self._digest_chats.clear()
        self._roundup_chats.clear()
        self._log_429s_of_an_ended_burst(stopping=True)
        self._log_stuck_of_an_ended_minute(stopping=True)
        self._log_parked_of_an_ended_minute(stopping=True)
        await self._log_telegram_back(stopping=True)
        await self._flush()
        await self._db.deliveries.requeue_sending()
        await self._db.notices.requeue_sending()
        self._notice_task = None
        self._state = _SenderState()
        self._started = False
        if self._own_transport and self._sender is not None:
            await self._sender.shutdown()
        self._sender = None

    async def _restore_holds(self) -> None:
        """Wait out what is left of the 429s' retry_after from before a restart (else: refused again at once)."""
        now = self._clock.now()
        holds = await self._db.deliveries.send_holds(now)
        for chat_id, (not_before, retry_after) in holds.items():
            # Never longer than Telegram asked: with the clock put back, not_before is further ahead than meant.
            left = min(not_before - now, retry_after)
            if chat_id == WHOLE_BOT:
                self._pacer.pause_all(left)
            else:
                self._pacer.penalize(chat_id, left)
        if holds:
            log.info(
                "waiting out Telegram's retry_after from before the restart for %s",
                counted(len(holds), "chat"),
            )

    def _hold(self, chat_id: int, retry_after: float) -> None:
        """Remember a 429's wait for the next flush, so a restart within it waits out the rest."""
        not_before = self._clock.now() + retry_after
        old = self._holds.get(chat_id)
        if old is None or not_before > old[0]:
            self._holds[chat_id] = (not_before, retry_after)

    async def _make_sender(self) -> Any:
        if not self._own_transport:
            return self._bot
        sender = LeanSender(
            self._bot.token, self._settings.telegram_api_url, connection_limit=self._concurrency
        )
        await sender.initialize()
        return sender

    # ------------------------------------------------------------------------------------------ the sender

    async def _run(self) -> None:
        """Claim due rows in pages and dispatch them as the pacer allows, until stopped."""
        idle_poll = min(1.0, max(0.05, self._settings.tick_seconds))
        failures = FailureLog(log, "the delivery sender")
        while not self._stopping:
            try:
                await self._step(idle_poll)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures.failed(exc)
                await asyncio.sleep(1.0)
            else:
                failures.succeeded()

    async def _step(self, idle_poll: float) -> None:
        self._log_429s_of_an_ended_burst()
        self._log_stuck_of_an_ended_minute()
        state = self._state
        now = self._pacer.now()
        if state.in_window <= self._window // 2 and now >= self._next_claim:
            claimed = await self._claim(self._window - state.in_window)
            if not claimed:
                self._next_claim = self._pacer.now() + idle_poll
        if not state.heap:
            await self._sleep(idle_poll)
            return
        ready_at, _seq, chat_id = state.heap[0]
        due = max(ready_at, self._pacer.overall_ready_at())
        now = self._pacer.now()
        if due > now:
            await self._sleep(min(due - now, idle_poll))
            return
        heapq.heappop(state.heap)
        state.scheduled.discard(chat_id)
        queue = state.queues.get(chat_id)
        if not queue:
            return
        if self._pacer.chat_ready_at(chat_id) > now:  # penalised since it was scheduled
            self._schedule(chat_id)
            return
        item = queue.popleft()
        if not queue:
            del state.queues[chat_id]
        chat = state.chats.get(chat_id)
        self._pacer.take(chat_id, chat.is_group if chat else chat_id < 0)
        state.busy.add(chat_id)
        await self._semaphore.acquire()
        task = asyncio.create_task(self._deliver(item), name=f"deliver-{item.row.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _sleep(self, seconds: float) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, seconds))

    async def _claim(self, limit: int) -> int:
        state = self._state
        # Before claiming: a chat's alerts held by quiet hours that just ended go as one round-up, not as alerts;
        # so do those an outage kept from it as long as a catch-up's late stories were kept (found hours late).
        # One time for both: a park ending between the two would be claimed as an alert, not folded.
        now = self._clock.now()
        late_before = now - catchup_window(self._settings.feed_interval_seconds)
        folded = await self._db.deliveries.fold_roundups(
            now, ROUNDUP_MORE_THAN, skip_chats=self._roundup_chats, late_before=late_before
        )
        try:
            await self._join_roundups(folded, late_before)
        finally:
            self._start_roundups(folded)
        # A chat whose alerts wait here (held back by a 429, or a group's 20 a minute) gets no more until they
        # are sent: it would fill the window and hold up every other chat's alerts for as long as it waits.
        # Nor does a chat whose round-up is on its way: its news since comes after the round-up.
        waiting = [chat_id for chat_id, queue in state.queues.items() if queue]
        waiting += self._roundup_chats
        self._rate_parked.clear()
        rows = await self._db.deliveries.claim_alerts(
            now, limit, skip_chats=waiting, roundup_more_than=ROUNDUP_MORE_THAN
        )
        if any(r.planned_at < late_before for r in rows):
            # Kept back as long as a catch-up's stories and never parked (an outage's 30 a second never reached
            # the chat): the fold above did not see them, and more than a few are one catch-up too.
            try:
                taken, chats = await self._db.deliveries.fold_late_claims(
                    [r.id for r in rows], late_before, ROUNDUP_MORE_THAN
                )
            except Exception:
                # Claimed, and not yet in the sender's hands: back to the queue (by the flusher, as the database
                # refuses writes now), or they stayed 'sending' until a restart and missed their catch-up.
                self._unreleased.update(dict.fromkeys((r.id for r in rows), (0.0, None)))
                raise
            gone = set(taken)
            rows = [r for r in rows if r.id not in gone]
            self._start_roundups(chats)
        if not rows:
            return 0
        # Fresh chat settings for every claim: a chat paused or given quiet hours since planning is honoured.
        changes = self._chat_changes
        fresh = await self._db.deliveries.chats_by_ids(sorted({r.chat_id for r in rows}))
        if self._chat_changes == changes:
            for chat in fresh:
                state.chats[chat.id] = chat
        if parked := self._rate_parked | self._rate_parking:
            # Alerts of a chat parked after a storm of 429s while this claim ran: they wait for the parked one.
            behind = [r.id for r in rows if r.chat_id in parked]
            self._unreleased.update(dict.fromkeys(behind, (0.0, None)))
            rows = [r for r in rows if r.chat_id not in parked]
        for row in rows:
            state.queues.setdefault(row.chat_id, deque()).append(
                _Item(row, row.chat_id, row.attempts, unfollows=self._unfollows)
            )
            state.in_window += 1
            if row.chat_id not in state.busy:
                self._schedule(row.chat_id)
        return len(rows)

    async def _join_roundups(self, chat_ids: Sequence[int], late_before: float) -> None:
        """The alerts of these chats (just folded) that wait here join their round-up if an outage held them back
        as long as the rest: the fold reads only pending rows, and these came as old alerts beside the catch-up.
        One on its way (a request in flight) goes as it is."""
        state = self._state
        # Out of the queues before the write, so that nothing sends them meanwhile.
        taken = [item for chat_id in chat_ids for item in state.queues.pop(chat_id, deque())]
        if not taken:
            return
        joined: set[int] = set()
        try:
            joined = set(await self._db.deliveries.join_roundups([i.row.id for i in taken], late_before))
        finally:
            kept = [i for i in taken if i.row.id not in joined]
            state.in_window -= len(taken) - len(kept)
            for item in reversed(kept):
                self._requeue_front(item)
            for chat_id in {i.chat_id for i in kept}:
                self._schedule(chat_id)

    def _schedule(self, chat_id: int) -> None:
        state = self._state
        if chat_id in state.scheduled or chat_id in state.busy or not state.queues.get(chat_id):
            return
        self._seq += 1
        heapq.heappush(state.heap, (self._pacer.chat_ready_at(chat_id), self._seq, chat_id))
        state.scheduled.add(chat_id)
        self._wake.set()

    def _requeue_front(self, item: _Item) -> None:
        self._state.queues.setdefault(item.chat_id, deque()).appendleft(item)

    def _done(self, item: _Item, status: str, error: str | None = None, attempts: int | None = None) -> None:
        self._finished.append(
            Finished(item.row.id, status, item.attempts if attempts is None else attempts, error)  # type: ignore[arg-type]
        )
        self._state.in_window -= 1

    async def _deliver(self, item: _Item) -> None:
        """Send one claimed alert and record what happened; never raises."""
        chat_id = item.chat_id
        try:
            await self._attempt(item)
        except asyncio.CancelledError:
            self._requeue_front(item)  # stays 'sending' in the database; aclose re-queues it
            raise
        except Exception as exc:
            if isinstance(exc, sqlite3.OperationalError) and write_refused(exc):
                # A full disk or another program's lock refused a write before the message went (a park, a hold,
                # a blocked chat's drop): no bug, so not failed for good. The flusher puts the row back in the
                # queue once the database takes writes again; its error says why it waited, as a park's does
                # (without one, a parked alert looked held by quiet hours and joined a quiet night's round-up).
                log.warning("alert %d to chat %d waits: %s", item.row.id, chat_id, self._db.refusal(exc))
                self._done(item, "pending", f"storage: {exc}"[:500])
            else:
                log.exception("delivery %d to chat %d failed unexpectedly", item.row.id, chat_id)
                self._done(item, "failed", "internal error", item.attempts + 1)
        finally:
            self._semaphore.release()
            self._state.busy.discard(chat_id)
            self._state.busy.discard(item.chat_id)
            if item.chat_id != chat_id:
                self._schedule(item.chat_id)
            self._schedule(chat_id)
            if len(self._finished) >= 200:
                self._wake.set()

    async def _attempt(self, item: _Item) -> None:
        state = self._state
        chat = state.chats.get(item.chat_id)
        if chat is None:  # changed since it was claimed (paused, /stop, new quiet hours): read it again
            changes = self._chat_changes
            chat = await self._db.chats.get(item.chat_id)
            owner = await self._db.deliveries.chat_of(item.row.id)
            if chat is not None and self._chat_changes != changes:
                # A change overtook the reads (the row's too), which may show the chat from before it: again.
                await self._attempt(item)
                return
            if owner is None:
                # /stop deleted the row with the chat: a /start since made a new chat of that id, which
                # follows nothing yet and must not get what the deleted one followed.
                self._done(item, "dropped", "chat deleted")
                return
            if owner != item.chat_id:
                # The group became a supergroup since this row was claimed: it went along, and so does
                # everything queued for the group.
                await self._on_migrated(item, owner)
                return
            if chat is not None:
                state.chats[item.chat_id] = chat
        if chat is None or not chat.active:
            self._done(item, "dropped", "chat inactive")
            return
        if chat.paused:
            self._done(item, "dropped", "chat paused")
            return
        now = self._clock.now()
        if chat.mode == "digest":  # switched to digests after planning: the story waits for the next digest
            await self._db.deliveries.hold([item.row.id], 0.0, kind="digest")
            self._state.in_window -= 1  # after the write: if it raises, _deliver accounts for the item once
            await self._recheck_if_unfollowed(item.chat_id, item.unfollows)  # back in the queue, as a park
            return
        if chat.quiet_start and chat.quiet_end and _quiet(chat, now):
            await self._db.deliveries.hold(
                [item.row.id], quiet_hours_end(chat.quiet_start, chat.quiet_end, chat.timezone, now)
            )
            self._state.in_window -= 1
            await self._recheck_if_unfollowed(item.chat_id, item.unfollows)
            return
        story = await self._story(item.row)
        if story is None:  # pruned since planning
            self._done(item, "dropped", "article gone")
            return
        article = await self._at_length(story, chat.summary_sentences)
        more = await self._has_more(story, article, chat.summary_sentences)
        if state.chats.get(item.chat_id) != chat:
            # /stop, a pause or new settings while the story was read or a longer summary computed (a thread,
            # maybe seconds): the user has been answered, so this alert follows their new word, not the old.
            # Compared by value: every claim reads the chat again, and an unchanged chat is no reason to redo.
            await self._attempt(item)
            return
        rendered = self._rendered.render(
            article,
            story.also,
            sentences=chat.summary_sentences,
            matched=item.row.matched,
            now=now,
            zone=chat.timezone,
            more=more,
        )
        sender = self._sender
        try:
            await _send_message(
                sender,
                chat_id=item.chat_id,
                text=rendered.text,
                parse_mode=ParseMode.HTML,
                # The lean sender takes the keyboard as JSON, converted once per rendering.
                reply_markup=rendered.markup_json if isinstance(sender, LeanSender) else rendered.keyboard,
                link_preview_options=NO_PREVIEW,
                message_thread_id=chat.thread_id,
            )
        except RetryAfter as exc:
            await self._on_rate_limited(item, retry_after_seconds(exc))
        except ChatMigrated as exc:
            await self._on_migrated(item, int(exc.new_chat_id))
        except Forbidden as exc:
            await self._on_gone(item.chat_id, f"forbidden: {exc.message}")
        except BadRequest as exc:
            if (gone := chat_gone(exc.message)) is not None:
                await self._on_gone(item.chat_id, gone)
            elif cannot_post(exc.message):
                await self._on_gone(item.chat_id, f"muted: {exc.message}")
            elif chat.thread_id is not None and topic_gone(exc.message):
                await self._forget_topic(item.chat_id, exc)
                self._requeue_front(item)  # again at once, in "General"
            else:
                # A rendering bug or similar: retrying would fail the same way.
                log.error("alert %d to chat %d refused: %s", item.row.id, item.chat_id, exc.message)
                self._done(item, "failed", exc.message[:500], item.attempts + 1)
        except NetworkError as exc:  # includes TimedOut
            if self._stopping:
                self._requeue_front(item)
                return
            item.attempts += 1
            # Given up at the end of a round only: one past the limit, tried again when Telegram is back, still
            # gets its quick retries before a refusal counts.
            if item.attempts % MAX_NETWORK_ATTEMPTS == 0 and self._refused_for_itself(
                item.attempts, MAX_OUTAGE_ATTEMPTS
            ):
                log.error(
                    "alert %d to chat %d failed after %d attempts: %s",
                    item.row.id,
                    item.chat_id,
                    item.attempts,
                    exc,
                )
                self._done(item, "failed", f"network: {exc}"[:500])
            elif item.attempts % MAX_NETWORK_ATTEMPTS == 0:
                # Telegram looks unreachable: park the row in the database and free the window for others.
                wait = _park_seconds(item.attempts)
                if item.attempts <= MAX_OUTAGE_ATTEMPTS:
                    stuck = item.attempts if item.attempts == MAX_OUTAGE_ATTEMPTS else 0
                    self._log_parked(
                        f"alert {item.row.id} to chat {item.chat_id}", exc, wait, (item.row.id,), stuck=stuck
                    )
                else:  # said once, at MAX_OUTAGE_ATTEMPTS: a warning every 5 minutes for good read as an outage
                    log.debug("alert %d to chat %d parked again: %s", item.row.id, item.chat_id, exc)
                await self._db.deliveries.park(
                    item.row.id, self._clock.now() + wait, item.attempts, f"network: {exc}"
                )
                self._state.in_window -= 1
                await self._recheck_if_unfollowed(item.chat_id, item.unfollows)
            else:
                # 2, 4, 8 ... s within each round of quick attempts: ``attempts`` counts the rounds before a
                # park too, and back from the outbox every retry would otherwise wait the full minute.
                self._pacer.penalize(item.chat_id, min(60.0, 2.0 ** (item.attempts % MAX_NETWORK_ATTEMPTS)))
                self._requeue_front(item)
        except InvalidToken as exc:
            # 401/404: the token was revoked (or the API URL is wrong). Nothing reached the chat, and no send
            # will until the operator fixes it (`newsbot run` stops): the alert stays queued, not failed, and
            # every other send waits too rather than fail the same way at 30 a second.
            log.error(
                "alert %d to chat %d: the Bot API refused the token (%s); holding all sends for %.0f s",
                item.row.id,
                item.chat_id,
                exc,
                OUTAGE_RETRY_SECONDS,
            )
            self._pacer.pause_all(OUTAGE_RETRY_SECONDS)
            self._requeue_front(item)
        except TelegramError as exc:
            log.error("alert %d to chat %d failed: %s", item.row.id, item.chat_id, exc)
            self._done(item, "failed", str(exc)[:500], item.attempts + 1)
        else:
            self._telegram_took_one()
            self._done(item, "sent", None, item.attempts + 1)

    async def _forget_topic(self, chat_id: int, exc: BadRequest) -> None:
        """The chat's news topic was deleted or closed: its alerts and digests go to "General" from now on."""
        log.warning("chat %d: its forum topic is gone (%s); sending to General", chat_id, exc.message)
        await self._db.chats.set_thread(chat_id, None, self._clock.now())
        self.chat_changed(chat_id)

    def _refused_for_itself(self, tries: int, limit: int) -> bool:
        """Whether a message Telegram has not taken after ``tries`` of ``limit`` (about 4 hours of them, counted as
        the caller counts) is refused for itself, not for an outage, and so given up: Telegram took another
        message in the last OUTAGE_RETRY_SECONDS (the wait between a parked message's tries). Not after a restart
        until something is sent: a message is kept when the bot cannot tell."""
        return (
            tries >= limit
            and self._last_sent_at is not None
            and self._clock.now() - self._last_sent_at <= OUTAGE_RETRY_SECONDS
        )

    def _log_parked(
        self, what: str, exc: object, wait: float, ids: Collection[int], *, stuck: int = 0
    ) -> None:
        """Log the rows ``ids`` parked by an outage (``what``: one alert, or a round-up of them): the first, then
        a count of those not parked before in this outage at most every PARKED_LOG_EVERY_SECONDS.

        ``stuck``: the attempts of a message kept past MAX_OUTAGE_ATTEMPTS only because no other message got
        through to tell an outage from Telegram refusing this one (an idle bot): its line says so, once; those
        stuck within the minute after are counted on the next such line (a minute on, by the sender's loop).
        """
        now = self._clock.now()
        # A proxy's error page, which PTB quotes in the error, is no help in a line said every minute of an outage.
        exc = str(exc).partition(". Parsing the server response ")[0]
        if stuck:  # reached once per message: each counted once, on the lines of stuck messages only
            self._stuck.unlogged += len(ids)
            self._stuck_last = (stuck, exc)
            if self._stuck.due(now):
                if self._stuck.unlogged == len(ids):
                    log.warning(
                        "%s: still not taken after %d attempts (%s); no other message got through meanwhile to "
                        "tell an outage from Telegram refusing this one, so it is kept and tried again every "
                        "%.0f s (not logged again)",
                        what,
                        stuck,
                        exc,
                        OUTAGE_RETRY_SECONDS,
                    )
                    self._stuck.said(now)
                else:
                    self._log_stuck_count(now)
            return
        # The last outage's end, not logged yet by the flusher, is said before this outage's first line.
        if self._outage_over(now):
            self._log_outage_end()
        self._outage_back_at = self._outage_held = None
        self._went_through += self._taken
        self._taken = 0
        count = len(ids) - len(self._parked_ids.intersection(ids))
        self._parked_ids.update(ids)
        self._parked.unlogged += count
        self._parked_reason = exc
        if not self._parked.unlogged:
            return  # parked again, and said already
        if self._parked.due(now):
            if self._outage_since is None:
                self._outage_since = now
            elif self._went_through or self._parked.unlogged != count:
                self._log_parked_count(now)
                return
            log.warning("%s: Telegram unreachable (%s); retrying in %.0f s", what, exc, wait)
            self._parked.said(now)

    def _log_parked_count(self, now: float) -> None:
        """One line for the alerts parked since the last parked line (and the messages taken meanwhile)."""
        if self._went_through:
            log.warning(
                "Telegram fails some requests (%s): in the last %.0f s %s went through and %s parked, "
                "each retried within %.0f s",
                self._parked_reason,
                now - (self._parked.logged_at or now),
                counted(self._went_through, "message", "messages"),
                counted(self._parked.unlogged, "more alert", "more alerts"),
                OUTAGE_RETRY_SECONDS,
            )
            self._went_through = 0
        else:
            log.warning(
                "Telegram unreachable (%s): %s parked, each retried within %.0f s",
                self._parked_reason,
                counted(self._parked.unlogged, "more alert", "more alerts"),
                OUTAGE_RETRY_SECONDS,
            )
        self._parked.said(now)

    def _log_parked_of_an_ended_minute(self, *, stopping: bool = False) -> None:
        """The count of the last parked alerts once their minute is over (or at stop, or as the outage's end is
        said): in a long outage nothing new is parked for 5 minutes, and a stop left them never counted."""
        now = self._clock.now()
        if self._parked.tail_due(now, stopping=stopping):
            self._log_parked_count(now)

    def _log_stuck_count(self, now: float) -> None:
        stuck, exc = self._stuck_last
        log.warning(
            "%s still not taken after %d attempts (%s); no other message got through meanwhile to tell an "
            "outage from Telegram refusing them, so each is kept and tried again every %.0f s (not logged again)",
            counted(self._stuck.unlogged, "more alert", "more alerts"),
            stuck,
            exc,
            OUTAGE_RETRY_SECONDS,
        )
        self._stuck.said(now)

    def _log_stuck_of_an_ended_minute(self, *, stopping: bool = False) -> None:
        """The count of the last stuck messages once their minute is over (or at stop): none of them is logged
        again, so no later one may come to say it."""
        now = self._clock.now()
        if self._stuck.tail_due(now, stopping=stopping):
            self._log_stuck_count(now)

    def _telegram_took_one(self) -> None:
        """Telegram took a message: the end of an outage, if one was logged, is for the flusher to log once no
        message has been parked for PARKED_LOG_EVERY_SECONDS since (_outage_over)."""
        now = self._clock.now()
        self._last_sent_at = now
        if self._outage_since is not None:
            self._taken += 1
            if self._outage_back_at is None:
                self._outage_back_at = now

    def _outage_over(self, now: float, *, stopping: bool = False) -> bool:
        """An outage was logged, and Telegram took a message after its last park a minute ago (or the bot stops)
        with none parked since: its end is to be logged."""
        return (
            self._outage_since is not None
            and self._outage_back_at is not None
            and (stopping or now - self._outage_back_at > PARKED_LOG_EVERY_SECONDS)
        )

    async def _log_telegram_back(self, *, stopping: bool = False) -> None:
        """Say that an outage ended, after how long, and how many stories it held back (they come as their
        retries fall due, not all at once): counted as soon as Telegram takes a message again, said once it has
        taken them for a minute with none parked (or the bot stops). Logged by the flusher before it records
        outcomes: a send that awaited this could be cut short by a stop after Telegram took it, and sent again
        after the restart."""
        back = self._outage_back_at
        if self._outage_since is None or back is None:
            return
        if self._outage_held is None:
            try:  # the stories sent since Telegram came back are not recorded yet: still counted
                held = counted(await self._db.deliveries.parked_count(), "story", "stories")
            except (sqlite3.Error, ValueError):  # locked, or closed by a stop
                held = "the stories"
            if self._outage_back_at != back:  # a message parked meanwhile: the outage goes on
                return
            self._outage_held = held
        if self._outage_over(self._clock.now(), stopping=stopping):
            self._log_outage_end()

    def _log_outage_end(self) -> None:
        """The end line of the outage logged since ``_outage_since``; the next outage's first park is said at once,
        not counted into a line a minute on."""
        assert self._outage_since is not None and self._outage_back_at is not None
        # The alerts parked since the last parked line are counted before the end line, not forgotten with it.
        self._log_parked_of_an_ended_minute(stopping=True)
        since, back, waiting = self._outage_since, self._outage_back_at, self._outage_held or "the stories"
        self._outage_since = self._outage_back_at = self._outage_held = None
        self._parked = CountedLines(PARKED_LOG_EVERY_SECONDS)
        self._parked_ids.clear()
        self._taken = self._went_through = 0
        took = back - since
        log.warning(
            "Telegram takes messages again, %s after it was first found unreachable: %s it held back (for "
            "their chats) go out as their retries fall due, within %.0f s",
            f"{took:.0f} s" if took < 120 else f"{took / 60:.0f} min",
            waiting,
            OUTAGE_RETRY_SECONDS,
        )

    async def _on_rate_limited(self, item: _Item, retry_after: float) -> None:
        """A 429: hold back this chat; when several chats hit it at once, the whole bot backs off."""
        item.rate_limited += 1
        if item.rate_limited >= MAX_RATE_LIMITED:  # as a digest's send counts them
            wait = max(retry_after, OUTAGE_RETRY_SECONDS)
            log.warning(
                "alert %d to chat %d rate limited %d times in a row; retrying in %.0f s",
                item.row.id,
                item.chat_id,
                MAX_RATE_LIMITED,
                wait,
            )
            # The chat's alerts behind it wait for it in the queue (see claim_alerts): sent meanwhile, they came
            # before it, Telegram taking the chat's messages again before its 5 minutes were over.
            behind = self._state.queues.pop(item.chat_id, deque())
            self._rate_parking.add(item.chat_id)
            try:
                await self._db.deliveries.park(
                    item.row.id,
                    self._clock.now() + wait,
                    item.attempts,
                    RATE_LIMITED,
                    behind=[b.row.id for b in behind],
                )
            except BaseException:
                for other in reversed(behind):
                    self._requeue_front(other)
                raise
            finally:
                self._rate_parking.discard(item.chat_id)
            self._rate_parked.add(item.chat_id)
            self._state.in_window -= 1 + len(behind)
            await self._recheck_if_unfollowed(item.chat_id, item.unfollows)
            return
        self._pacer.penalize(item.chat_id, retry_after)
        self._hold(item.chat_id, retry_after)
        now = self._pacer.now()
        self._recent_429.append((now, item.chat_id))
        while self._recent_429 and self._recent_429[0][0] < now - GLOBAL_429_WINDOW:
            self._recent_429.popleft()
        paused = len({c for _t, c in self._recent_429}) >= GLOBAL_429_CHATS
        if paused:
            self._pacer.pause_all(retry_after)
            self._hold(WHOLE_BOT, retry_after)
        self._log_rate_limited(item.chat_id, retry_after, paused)
        self._requeue_front(item)

    def _log_rate_limited(self, chat_id: int, retry_after: float, paused: bool) -> None:
        """Log an alert's 429: the first in full, then a count at most every RATE_LIMITED_LOG_EVERY_SECONDS."""
        now = self._clock.now()
        self._429s.unlogged += 1
        self._pauses.unlogged += paused
        # The first pause of all sends in a while is said at once: counted until the next 429 a minute later,
        # a single burst's pause was never told (or told an hour on, as "in 3600 s").
        if not (self._429s.due(now) or (paused and self._pauses.due(now))):
            log.debug(
                "chat %d rate limited: retrying after %.0f s (paused all: %s)", chat_id, retry_after, paused
            )
            return
        if self._429s.unlogged > 1:
            self._log_429_count(now)
            return
        if paused:
            log.warning(
                "429 from %d chats within %.0f s: pausing all sends for %.0f s",
                GLOBAL_429_CHATS,
                GLOBAL_429_WINDOW,
                retry_after,
            )
        else:
            log.info("chat %d rate limited: retrying after %.0f s", chat_id, retry_after)
        self._429_told(now)

    def _log_429_count(self, now: float) -> None:
        """One line for the 429s counted since the last 429 line."""
        times = counted(self._429s.unlogged, "time")
        since = now - (self._429s.logged_at or now)
        if self._pauses.unlogged:
            log.warning(
                "Telegram answered 429 %s in %.0f s, %d of them pausing all sends; if this goes on, "
                "lower NEWSBOT_RATE_OVERALL_PER_SECOND",
                times,
                since,
                self._pauses.unlogged,
            )
        else:
            log.info(
                "Telegram answered 429 %s in %.0f s, to single chats; each retried after its wait",
                times,
                since,
            )
        self._429_told(now)

    def _429_told(self, now: float) -> None:
        if self._pauses.unlogged:
            self._pauses.said(now)
        self._429s.said(now)

    def _log_429s_of_an_ended_burst(self, *, stopping: bool = False) -> None:
        """The count of a burst's last 429s once its minute is over (or at stop), not only at the next 429."""
        now = self._clock.now()
        if self._429s.tail_due(now, stopping=stopping):
            self._log_429_count(now)

    async def _on_migrated(self, item: _Item, new_id: int) -> None:
        old_id = item.chat_id
        log.info("chat %d migrated to %d: moving it and re-sending", old_id, new_id)
        await self._db.chats.migrate(old_id, new_id, self._clock.now())
        self.chat_moved(old_id, new_id)
        state = self._state
        moved = [item, *state.queues.pop(old_id, deque())]
        # When the supergroup was already registered, its own copy of a story wins and the group's is gone:
        # sending the group's too would deliver the story twice.
        kept = await self._db.deliveries.existing([m.row.id for m in moved])
        for other in moved:
            other.chat_id = new_id
            if other.row.id not in kept:
                self._done(other, "dropped", "the supergroup has its own copy")
        requeued = [m for m in moved if m.row.id in kept]
        if requeued:
            state.queues.setdefault(new_id, deque()).extendleft(reversed(requeued))
        chat = await self._db.chats.get(new_id)
        state.chats.pop(old_id, None)
        if chat is not None:
            state.chats[new_id] = chat

    async def _on_gone(self, chat_id: int, reason: str) -> None:
        """403, chat not found or a deleted group: deactivate the chat and drop everything queued for it."""
        log.info("chat %d is gone (%s): deactivating", chat_id, reason)
        now = self._clock.now()
        await self._db.chats.deactivate(chat_id, reason, now)
        state = self._state
        chat = state.chats.get(chat_id)
        if chat is not None:
            state.chats[chat_id] = replace(chat, active=False)
        await self._db.deliveries.drop_chat(chat_id, reason, now)
        # Only once the database dropped them: if that write fails, _deliver accounts for the item in hand and
        # the queued ones stay queued, each dropped as "chat inactive" in turn instead of left 'sending'.
        queued = state.queues.pop(chat_id, deque())
        state.in_window -= len(queued) + 1  # + the item in hand

    def _all_it_has(self, article: Article) -> bool:
        """Whether the stored summary is every sentence ``article`` has: computed at the default length, it came
        out shorter."""
        return len(article.summary) < self._settings.summary_sentences

    async def _has_more(self, story: _Story, shown: Article, sentences: int) -> bool:
        """Whether the story has more sentences than its alert of ``sentences`` shows (``shown``'s summary)."""
        count = min(len(shown.summary), sentences)
        longer = longer_length(sentences)
        if longer is None or count < sentences:
            return False  # no longer summary to offer, or the alert shows every sentence the article has
        if len(story.article.summary) > count:
            return True
        # The alert shows every stored sentence: only the longer summary (computed once per story, and cached
        # for the button's tap) tells an article with more from a teaser of exactly that many sentences,
        # whose "Longer summary" button only repeated the alert.
        return len((await self._at_length(story, longer)).summary) > count

    async def _at_length(self, story: _Story, sentences: int) -> Article:
        """The story's article with a summary of ``sentences`` sentences where the stored one is shorter.

        Articles are stored with a summary of the default length; a chat that asked for more gets them from
        the summary cache /summary shares (computed once per article and length, in a thread), kept here per
        story as one article object so the render cache knows it. Fewer are the first of the stored ones.
        """
        article = story.article
        stored = len(article.summary)
        if sentences <= stored or self._all_it_has(article):
            return article  # enough already, or the article has no more sentences to give
        async with story.computing:
            longer = story.longer.get(sentences)
            if longer is None:
                try:
                    summary = await self._summaries.summary_for(article, sentences)
                except Exception:  # never lose the alert over it: the stored summary still reads well
                    log.exception(
                        "article %s: no %d-sentence summary; sending the stored one", article.id, sentences
                    )
                    summary = []
                longer = replace(article, summary=tuple(summary) or article.summary)
                story.longer[sentences] = longer
        return longer

    async def _story(self, row: Delivery) -> _Story | None:
        """The article representing a story and the other sources that reported it (cached by story)."""
        now = self._clock.now()

        def fresh() -> _Story | None:
            cached = self._stories.get(row.story_id)
            if (
                cached is not None
                and cached.article.id == row.article_id
                and 0 <= now - cached.read_at < STORY_CACHE_SECONDS
            ):
                return cached
            return None

        cached = fresh()
        if cached is not None:
            return cached
        article = await self._db.articles.get(row.article_id)
        if article is None:
            return None
        others = await self._db.articles.story_articles(row.story_id)
        # Another chat's alert may have read it meanwhile: one story object, so its longer summary is
        # computed once.
        cached = fresh()
        if cached is not None:
            return cached
        also = tuple(dict.fromkeys(a.source for a in others if a.source != article.source))
        story = _Story(article, also, now)
        if len(self._stories) > 1000:
            self._stories.clear()
        self._stories[row.story_id] = story
        return story

    async def _flush_loop(self) -> None:
        failures = FailureLog(log, "recording delivery outcomes")
        while True:
            # Outcomes are recorded every 0.1 s: a crash repeats at most that much besides requests in flight.
            await asyncio.sleep(0.1)
            self._log_parked_of_an_ended_minute()
            await self._log_telegram_back()
            try:
                await self._flush()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures.failed(exc)
            else:
                failures.succeeded()
            self._forget_idle_chats()

    async def _flush(self) -> None:
        # Outcomes first: a message recorded as sent is never sent again, while a 429 wait that is not
        # recorded only costs one more 429 after a restart; a failed holds write must not keep outcomes back.
        if self._finished:
            batch, self._finished = self._finished, []
            self._recording = batch
            try:
                await self._db.deliveries.finish(batch, self._clock.now())
            except BaseException:
                self._finished[:0] = batch
                raise
            finally:
                self._recording = []
        if self._unreleased:
            # After the outcomes, which these never include. One hold at a time, each forgotten once written: a
            # row put back may be claimed again at once, and a second hold would take it from its new sender.
            rows, self._unreleased = self._unreleased, {}
            try:
                for not_before, kind in set(rows.values()):
                    ids = [i for i, due in rows.items() if due == (not_before, kind)]
                    await self._db.deliveries.hold(ids, not_before, kind, status_from="sending")
                    for i in ids:
                        del rows[i]
            finally:
                self._unreleased = rows | self._unreleased
        for chat_id, (not_before, ids) in list(self._unfolds.items()):
            await self._db.deliveries.unfold_roundups(not_before, chat_id, ids=ids)
            if self._unfolds.get(chat_id) == (not_before, ids):  # not a later round-up's, set meanwhile
                del self._unfolds[chat_id]
        # Each forgotten once written, not set aside while written: a sent one counts in unrecorded_sends till then.
        for notice_id, outcome in list(self._unrecorded_notices.items()):
            await self._db.notices.finish(
                notice_id,
                outcome.status,
                outcome.attempts,
                outcome.at,
                error=outcome.error,
                not_before=outcome.not_before,
            )
            if self._unrecorded_notices.get(notice_id) is outcome:
                del self._unrecorded_notices[notice_id]
        if self._holds:
            holds, self._holds = self._holds, {}
            try:
                await self._db.deliveries.save_send_holds(holds, self._clock.now())
            except BaseException:
                for chat_id, (not_before, retry_after) in holds.items():
                    newer = self._holds.get(chat_id)  # recorded meanwhile: the later of the two stays
                    if newer is None or not_before > newer[0]:
                        self._holds[chat_id] = (not_before, retry_after)
                raise

    def _forget_idle_chats(self) -> None:
        state = self._state
        if len(state.chats) > 4 * self._window:
            keep = set(state.queues) | state.busy
            state.chats = {c: chat for c, chat in state.chats.items() if c in keep}

    # ------------------------------------------------------------------------------------------ digests

    async def _send_digest_rows(
        self,
        chat: Chat,
        rows: list[Delivery],
        now: float,
        thread_id: int | None = None,
        *,
        on_demand: bool = False,
        roundup: bool = False,
        reply_to: int | None = None,
    ) -> tuple[int, float | None]:
        """Send a claimed digest: how many stories reached the chat, and when to try the rest again if Telegram
        asked for a long wait (429) or could not be reached. Each part is marked sent as it goes.

        ``roundup``: the alerts a quiet night (or a catch-up, when every row is one) held, under their own heading
        and every one listed (no per-topic cap: a story over it would never reach the chat).
        """
        unfollows = self._unfollows
        items: list[DigestItem] = []
        gone: list[Delivery] = []
        catchup = all(r.catchup for r in rows)
        for row in rows:
            story = await self._story(row)
            if story is None:
                gone.append(row)
                continue
            # "Best first" counts the sources known now: a second source is usually read by a later poll of
            # another feed, after the row was planned, so its score cannot hold them.
            score = row.score + 0.5 * len(story.also)
            items.append(DigestItem(story.article, row.matched, score, story.also, key=row.id))
        parts = (
            render_digest(
                items,
                now=now,
                catalogue=self._catalogue,
                max_per_group=len(items),
                title=CATCHUP_TITLE if catchup else ROUNDUP_TITLE,
                zone=chat.timezone,
                mark=CATCHUP_MARK if catchup else ROUNDUP_MARK,
                count_separator=": ",
            )
            if roundup
            else render_digest(
                items,
                now=now,
                catalogue=self._catalogue,
                max_per_group=self._settings.digest_max_per_topic,
                title=digest_title(chat.type),
                zone=chat.timezone,
            )
        )
        by_id = {r.id: r for r in rows}
        outcomes = [Finished(r.id, "dropped", r.attempts, "article gone") for r in gone]

        def over_cap(later: Sequence[DigestPart], status: Literal["dropped", "pending"]) -> list[Finished]:
            # The stories over the cap go with the message whose "…and N more" names them: until it is
            # read they wait, so a digest cut short before that line counts them in the next one.
            return [
                Finished(key, status, by_id[key].attempts, OVER_DIGEST_CAP if status == "dropped" else None)
                for part in later
                for key in part.over
            ]

        sent = 0
        retry_at: float | None = None
        chat_id = chat.id
        for index, part in enumerate(parts):
            result, chat_id, thread_id = await self._send_paced(
                chat_id,
                chat.is_group,
                part.text,
                thread_id,
                interrupted=functools.partial(
                    self._digest_interrupted, keys=part.keys, on_demand=on_demand, first_id=chat.id
                ),
                reply_to=reply_to,
            )
            if result == f"{_INTERRUPTED}{_MERGED}":
                # Sent as it is, the supergroup would get those stories twice (as the alert path drops such a row).
                if outcomes:
                    await self._db.deliveries.finish(outcomes, self._clock.now())
                kept = await self._db.deliveries.existing(
                    [key for later in parts[index:] for key in (*later.keys, *later.over)]
                )
                moved = await self._db.chats.get(chat_id) or replace(chat, id=chat_id)
                more, retry_at = await self._send_digest_rows(
                    moved,
                    [row for row in rows if row.id in kept],
                    now,
                    thread_id,
                    on_demand=on_demand,
                    roundup=roundup,
                    reply_to=reply_to,
                )
                return sent + more, retry_at
            if result is not None and result.startswith(_INTERRUPTED):
                # /stop, a pause or a block while this part waited its turn (a second or more behind the last
                # part, up to DIGEST_MAX_RETRY_WAIT after a 429): the user was told, so it must not follow. Paused,
                # the rest waits for the first digest after resuming; stopped or blocked, its rows are gone or
                # dropped already.
                held = result[len(_INTERRUPTED) :]
                log.info("digest to chat %d ends after part %d of %d: %s", chat_id, index, len(parts), held)
                # A round-up's rest is the alerts quiet hours held, which a pause drops (resumed, they came).
                paused_digest = held == "chat paused" and not roundup
                status_left: Literal["dropped", "pending"] = "pending" if paused_digest else "dropped"
                outcomes += [
                    Finished(
                        key, status_left, by_id[key].attempts, None if status_left == "pending" else held
                    )
                    for later in parts[index:]
                    for key in later.keys
                ]
                outcomes += over_cap(parts[index:], status_left)
                break
            if result is None:
                # Written at once, so a crash or an outage later in a long digest never sends this part again.
                outcomes += [Finished(key, "sent", by_id[key].attempts + 1) for key in part.keys]
                outcomes += over_cap([part], "dropped")
                try:
                    await self._db.deliveries.finish(outcomes, self._clock.now())
                except Exception:
                    # The part reached the chat: the flusher records that once the database takes writes
                    # again, or the next digest would repeat it. The parts not sent wait for the next digest.
                    self._finished.extend(outcomes)
                    raise
                outcomes = []
                sent += len(part.keys)
                continue
            status: Literal["dropped", "failed", "pending"] = (
                "dropped" if result.startswith("gone") else "failed"
            )
            if result.startswith("network:"):
                # Telegram unreachable: the stories wait and the digest (its parts not sent) is tried again as a
                # parked alert would be, not a day later at the next digest time, which held two days of stories
                # and cut some to "…and N more". Counted with the parked alerts: an outage tries thousands of
                # chats' digests and catch-ups every 5 minutes.
                tries, limit = max(r.attempts for r in rows) + 1, MAX_OUTAGE_ATTEMPTS // MAX_NETWORK_ATTEMPTS
                if not roundup and (on_demand or self._refused_for_itself(tries, limit)):
                    # /digest is not tried again (send_digest schedules only the chat's own digests). Nor is one
                    # refused about 4 hours while Telegram takes other messages (a proxy refusing this one, say):
                    # not an outage, and retried every 5 minutes for good it would be a loop. Either waits for
                    # the chat's next digest time, as before retries.
                    log.warning("digest to chat %d postponed to its next time: %s", chat_id, result)
                else:
                    wait = _roundup_wait(rows)
                    left = [key for later in parts[index:] for key in later.keys]
                    what = f"{'round-up' if roundup else 'digest'} to chat {chat_id}"
                    if tries <= limit:
                        # Kept past the limit (an idle bot), as an alert is: said once, then at DEBUG only.
                        stuck = tries * MAX_NETWORK_ATTEMPTS if tries == limit else 0
                        self._log_parked(what, result.removeprefix("network: "), wait, left, stuck=stuck)
                    else:
                        log.debug("%s parked again: %s", what, result)
                    retry_at = self._clock.now() + wait
                status = "pending"
            elif result.startswith(_RETRY_LATER):
                # A long retry_after: the stories stay queued and the digest is tried again after the wait.
                wait = float(result[len(_RETRY_LATER) :])
                log.info("digest to chat %d rate limited: retrying in %.0f s", chat_id, wait)
                retry_at = self._clock.now() + wait
                status = "pending"
            outcomes += over_cap(parts[index:], "pending" if status == "pending" else "dropped")
            outcomes += [
                Finished(key, status, by_id[key].attempts + 1, result)
                for later in parts[index:]
                for key in later.keys
            ]
            break
        if outcomes:
            await self._db.deliveries.finish(outcomes, self._clock.now())
        await self._recheck_if_unfollowed(chat_id, unfollows)
        return sent, retry_at

    async def _send_paced(
        self,
        chat_id: int,
        is_group: bool,
        text: str,
        thread_id: int | None = None,
        *,
        interrupted: Callable[[int], Awaitable[str | None]] | None = None,
        reply_to: int | None = None,
    ) -> tuple[str | None, int, int | None]:
        """Send one message when the pacer allows: (None or the reason it failed, chat_id, thread_id).

        The chat id changes when the group turned out to be a supergroup now; the forum topic becomes None
        ("General") when the topic turned out to be gone. ``interrupted(chat_id)``, asked right before each
        attempt, gives a reason not to send after all (returned after ``_INTERRUPTED``). ``reply_to``: a message
        each attempt answers (a /digest among a channel post's comments).
        """
        rate_limited = 0
        # Counted apart from 429s (and from moves to a supergroup or to "General"): four short 429s and one
        # network error are one network failure, not the five that postpone a digest to its next time.
        network_failures = 0
        # A reply to a comment deleted meanwhile goes out unquoted rather than not at all.
        replying = (
            {"reply_parameters": ReplyParameters(reply_to, allow_sending_without_reply=True)}
            if reply_to is not None
            else {}
        )
        task = asyncio.current_task()
        assert task is not None  # a coroutine runs in a task
        for _ in range(MAX_NETWORK_ATTEMPTS + MAX_RATE_LIMITED):
            # Waiting its turn, nothing of this task is on its way: its last message was answered and recorded.
            self._sending.discard(task)
            while True:
                if self._stopping or _cancelled():
                    # Not sent: the digest's rows stay claimed until aclose re-queues them, and the chat's
                    # digest, still due, goes out after the restart. (Cancelled: a stop cancelled /digest's
                    # command while the part before was on its way, which _to_the_answer let finish.)
                    raise asyncio.CancelledError
                wait = (
                    max(self._pacer.chat_ready_at(chat_id), self._pacer.overall_ready_at())
                    - self._pacer.now()
                )
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
            # Taken before the check below awaits: other digests waiting for this slot would pass the pacer
            # meanwhile, and all of them would send at once. A slot a chat no longer wants is only one gap.
            self._pacer.take(chat_id, is_group)
            # The wait may have been long (a 429's retry_after, a network error's back-off): the chat may have
            # said /stop or paused meanwhile.
            if interrupted is not None and (why := await interrupted(chat_id)) is not None:
                return f"{_INTERRUPTED}{why}", chat_id, thread_id
            self._sending.add(task)
            # A task that ends before its next turn leaves the set; one callback however many parts it sends
            # (the notice task lives as long as the bot).
            task.remove_done_callback(self._sending.discard)
            task.add_done_callback(self._sending.discard)
            try:
                await _to_the_answer(
                    _send_message(
                        self._sender or self._bot,
                        chat_id=chat_id,
                        text=text,
                        parse_mode=ParseMode.HTML,
                        link_preview_options=NO_PREVIEW,
                        message_thread_id=thread_id,
                        **replying,
                    )
                )
                self._telegram_took_one()
                return None, chat_id, thread_id
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                self._pacer.penalize(chat_id, wait)
                self._hold(chat_id, wait)
                rate_limited += 1
                if wait > DIGEST_MAX_RETRY_WAIT:
                    return f"{_RETRY_LATER}{wait}", chat_id, thread_id
                if rate_limited >= MAX_RATE_LIMITED:
                    return f"{_RETRY_LATER}{max(wait, OUTAGE_RETRY_SECONDS)}", chat_id, thread_id
            except ChatMigrated as exc:
                await self._db.chats.migrate(chat_id, int(exc.new_chat_id), self._clock.now())
                self.chat_moved(chat_id, int(exc.new_chat_id))
                chat_id, is_group = int(exc.new_chat_id), True
            except Forbidden as exc:
                await self._on_gone_digest(chat_id, f"forbidden: {exc.message}")
                return "gone: " + exc.message, chat_id, thread_id
            except BadRequest as exc:
                if (gone := chat_gone(exc.message)) is not None:
                    await self._on_gone_digest(chat_id, gone)
                    return f"gone: {gone}", chat_id, thread_id
                if cannot_post(exc.message):
                    await self._on_gone_digest(chat_id, f"muted: {exc.message}")
                    return f"gone: muted: {exc.message}", chat_id, thread_id
                if thread_id is not None and topic_gone(exc.message):
                    stored = await self._db.chats.get(chat_id)
                    # /digest asked in another topic (one closed since, say) says nothing of the news topic.
                    if stored is not None and stored.thread_id == thread_id:
                        await self._forget_topic(chat_id, exc)
                    thread_id = None
                    continue
                log.error("digest to chat %d refused: %s", chat_id, exc.message)
                return exc.message[:500], chat_id, thread_id
            except NetworkError as exc:
                network_failures += 1
                if network_failures >= MAX_NETWORK_ATTEMPTS:
                    # Each caller says what comes next (postponed, retried, parked): one line, not two.
                    log.debug("message to chat %d not sent: %s", chat_id, exc)
                    return f"network: {exc}"[:500], chat_id, thread_id
                self._pacer.penalize(chat_id, min(60.0, 2.0**network_failures))
        # Reached only when moves (to a supergroup, to "General") took turns besides 429s and network errors
        # each below its limit: Telegram keeps saying "later", so the digest is tried again later.
        return f"{_RETRY_LATER}{OUTAGE_RETRY_SECONDS}", chat_id, thread_id

    async def _digest_interrupted(
        self, chat_id: int, keys: Sequence[int], on_demand: bool, first_id: int
    ) -> str | None:
        """Why the rest of a digest being sent must not go out now (None: it may; /digest works paused).

        ``first_id``: the chat the digest was for; another ``chat_id`` is the supergroup it became meanwhile.
        """
        chat = await self._db.chats.get(chat_id)
        if chat is None:
            # /stop deletes the rows with the chat; a group that became a supergroup meanwhile keeps them
            # under its new id, and the next send is told that id (ChatMigrated) and goes there. Merged into
            # a supergroup that had all of this part's stories, it still has the rest's: it goes there too.
            if chat_id in self._moved or await self._db.deliveries.existing(keys):
                return None
            return "chat deleted"
        if not chat.active:
            return "chat inactive"
        if chat.paused and not on_demand and chat_id not in self._digests_asked:
            return "chat paused"
        if chat_id != first_id and len(await self._db.deliveries.existing(keys)) < len(keys):
            return _MERGED
        return None

    async def _on_gone_digest(self, chat_id: int, reason: str) -> None:
        now = self._clock.now()
        await self._db.chats.deactivate(chat_id, reason, now)
        await self._db.deliveries.drop_chat(chat_id, reason, now)


def _cancelled() -> bool:
    """Whether the running task has been asked to stop (a cancel that ``_to_the_answer`` held back)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def _to_the_answer(send: Awaitable[None]) -> None:
    """Await a digest part's send until Telegram answers, even if the task is cancelled meanwhile.

    A stopping bot cancels /digest's command after a grace: cancelled on its way, a part already in the chat
    was counted unsent and sent again by the next digest. The cancel is honoured before the next part.
    """
    sending = asyncio.ensure_future(send)
    while True:
        try:
            await asyncio.shield(sending)
            return
        except asyncio.CancelledError:
            if sending.cancelled():  # the send itself (the loop closing), not only this task
                raise


def _roundup_wait(rows: Sequence[Delivery]) -> float:
    """How long a round-up or digest Telegram could not take waits: as an alert parked as often as its rows."""
    return _park_seconds((max(r.attempts for r in rows) + 1) * MAX_NETWORK_ATTEMPTS)


def _park_seconds(attempts: int) -> float:
    """How long an alert waits after ``attempts`` failed sends: 30 s, 60 s, 120 s, 240 s, then 300 s each time."""
    rounds = max(1, attempts // MAX_NETWORK_ATTEMPTS)
    return min(OUTAGE_RETRY_SECONDS, FIRST_PARK_SECONDS * 2.0 ** min(rounds - 1, 16))


async def _send_message(sender: Any, **kwargs: Any) -> None:
    """``sender.send_message``, with a 403/400 that is not Telegram's own answer raised as a NetworkError.

    Such an answer (a proxy's error page, say) tells nothing about the chat: it is retried and, if it lasts,
    parked like an outage, instead of deactivating the chat and dropping its queue.
    """
    try:
        await sender.send_message(**kwargs)
    except (Forbidden, BadRequest) as exc:
        if not_telegrams_answer(exc):
            raise NetworkError(f"not a Telegram answer: {exc.message[:200]}") from exc
        raise


def _quiet(chat: Chat, now: float) -> bool:
    try:
        return in_quiet_hours(chat.quiet_start, chat.quiet_end, chat.timezone, now)
    except ValueError:
        return False


def _moved_before_quiet_hours(chat: Chat, now: float) -> bool:
    """The chat's due digest is a time before its quiet hours that a spring-forward gap moved to their start
    (and ``now`` not so late that the quiet hours would hold it on any other night)."""
    if chat.next_digest_at is None:
        return False
    try:
        return moved_before_quiet_hours(
            chat.digest_times, chat.quiet_start, chat.quiet_end, chat.timezone, chat.next_digest_at, now
        )
    except (ValueError, OverflowError, OSError):
        return False


def _safe_quiet_hours_end(chat: Chat, now: float) -> float:
    """When the chat's quiet hours around ``now`` end; ``now`` when it has none, or they are unusable."""
    try:
        return quiet_hours_end(chat.quiet_start, chat.quiet_end, chat.timezone, now)
    except ValueError:
        return now


def _safe_next_digest(chat: Chat, now: float) -> float | None:
    try:
        return next_digest_at(chat.digest_times or ("08:00",), chat.timezone, now)
    except ValueError:
        log.warning(
            "chat %d has unusable digest times %r / timezone %r", chat.id, chat.digest_times, chat.timezone
        )
        return next_digest_at(("08:00",), "UTC", now)
