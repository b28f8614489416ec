"""Periodic work: poll feeds, plan and send alerts and digests, prune. Scheduled from the database.

One JobQueue job ticks every ``settings.tick_seconds``; every tick asks the database what is due (feeds'
next_poll_at, chats' next_digest_at, deliveries' not_before), so nothing is lost when the process restarts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from bot.context import BotApplication, BotContext, Services
from bot.handlers.errors import log_lost_answers_counted
from bot.logs import FailureLog
from bot.render.text import counted
from summaries.articles import Article

log = logging.getLogger(__name__)

PRUNE_EVERY_SECONDS = 24 * 3600.0
# A prune that failed (a locked or full database) is tried again this soon, not a day later.
PRUNE_RETRY_SECONDS = 60.0
# Articles pruned per tick. A backlog (retention lowered, a year-old database) goes on at the next ticks: pruned in
# one go, 183,000 articles held the tick, so feed polls, alert planning, digests and a stop, for 4 minutes (about
# 1.2-2.2 s a tick for 2,000 of them there; at the longest tick, 10 minutes, still 288,000 a day).
PRUNE_PER_TICK = 2000
# How long a pruned article is remembered after a feed last listed it (every poll that lists it renews this).
# Feeds drop items within weeks; a dated item that comes back later is older than the retention window, so it
# is stored again but never alerted.
FORGET_PRUNED_AFTER_SECONDS = 90 * 86400.0
_STATE_KEY = "scheduler_state"
# Articles planned per tick; a larger backlog (a restart after a long crash) is planned over the next ticks.
PLAN_BATCH = 1000


@dataclass(slots=True)
class TickState:
    """What one application's ticks share: the no-overlap lock and when articles were last pruned."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_prune: float | None = None
    # The day's prune has more to do at the next tick (see PRUNE_PER_TICK), and how many it pruned so far.
    pruning_on: bool = False
    pruned: int = 0
    skipped: int = 0
    file_problem: str | None = None
    # The feed poll under way, so stopping the bot need not wait for the slowest feed's fetch timeout.
    feed_poll: asyncio.Task[list[Article]] | None = None
    stopping: bool = False
    # A step that fails every tick (a full disk) is logged once, then once a minute, not every few seconds.
    starting: FailureLog = field(default_factory=lambda: FailureLog(log, "starting the delivery sender"))
    polling: FailureLog = field(default_factory=lambda: FailureLog(log, "polling feeds"))
    planning: FailureLog = field(default_factory=lambda: FailureLog(log, "planning alerts"))
    releasing_holds: FailureLog = field(
        default_factory=lambda: FailureLog(log, "checking held alerts against the clock")
    )
    # Retried once a minute while it fails: its trace once, then a line an hour, then the recovery.
    pruning: FailureLog = field(default_factory=lambda: FailureLog(log, "pruning old articles", every=3600.0))


async def run_tick(services: Services, state: TickState) -> None:
    """One round of periodic work at ``services.clock.now()``; each step's failure is logged, not fatal."""
    if state.stopping:  # the bot is stopping: start no new work
        return
    now = services.clock.now()
    _check_database_file(services, state)
    try:
        await services.delivery.start()
    except Exception as exc:  # retried next tick: a bot started on a full disk logged a trace every tick
        state.starting.failed(exc)
    else:
        state.starting.succeeded()
    planner = _Planner(services, now)
    try:
        # Each feed's new articles are planned as soon as that feed is read, not after the slowest one.
        poll = state.feed_poll = asyncio.ensure_future(
            services.ingest.poll_due_feeds(now, on_new=planner.request, on_edit=planner.request)
        )
        try:
            await poll
        except asyncio.CancelledError:
            if not poll.cancelled() or _cancelling():
                raise
            # Stopped by stop_feed_polling (shutdown): what was stored stays marked for the next start.
            return
        except Exception as exc:
            state.polling.failed(exc)
        else:
            state.polling.succeeded()
        finally:
            state.feed_poll = None
        await planner.finished()
    finally:
        planner.cancel()  # only when the tick itself was cancelled (shutdown): the articles stay marked
    try:
        # Whatever a failed plan, or a crash before this tick, left unplanned.
        await services.delivery.plan_pending(now, PLAN_BATCH)
    except Exception as exc:
        state.planning.failed(exc)
    else:
        state.planning.succeeded()
    # Thousands of digests at 08:00 take minutes at 30 messages/s: they run beside the ticks so feed polling
    # and alerts go on meanwhile.
    services.delivery.schedule_due_digests(now)
    # A feed this poll marked dead is told to the admins (the notices wait in the database until sent).
    services.delivery.schedule_admin_notices()
    try:
        await services.delivery.release_stale_holds(now)
    except Exception as exc:
        state.releasing_holds.failed(exc)
    else:
        state.releasing_holds.succeeded()
    # Alerts held by quiet hours are rows whose not_before has passed: the sender picks them up when woken.
    services.delivery.wake()
    # A clock put back (a fast clock corrected, an NTP step) leaves last_prune in the future: counting a day
    # from it would stop pruning for as long as the clock was ahead, so a clock that went back prunes now.
    if state.pruning_on or state.last_prune is None or not 0 <= now - state.last_prune < PRUNE_EVERY_SECONDS:
        if not state.pruning_on:
            state.last_prune = now
        try:
            await _prune(services, state, now)
        except Exception as exc:
            state.pruning.failed(exc)
            state.pruning_on = False
            state.last_prune = now - PRUNE_EVERY_SECONDS + PRUNE_RETRY_SECONDS
        else:
            state.pruning.succeeded()


async def _prune(services: Services, state: TickState, now: float) -> None:
    """One tick's share of the day's prune; once it is done, the log line and the other daily clean-ups."""
    days = services.settings.retention_days
    older_than = now - days * 86400.0
    pruned = await services.db.articles.prune(older_than, now, limit=PRUNE_PER_TICK)
    state.pruned += pruned
    state.pruning_on = pruned == PRUNE_PER_TICK
    if state.pruning_on:
        return
    pruned, state.pruned = state.pruned, 0
    if pruned:
        log.info("pruned %s older than %s", counted(pruned, "article"), counted(days, "day"))
    held = await services.db.articles.held_from_pruning(older_than)
    if held:
        # After an outage longer than the retention window: pruned once their deliveries are settled.
        log.warning(
            "kept %s older than %s: their alerts or digests are still queued",
            counted(held, "article"),
            counted(days, "day"),
        )
    forgotten = await services.db.articles.forget_pruned(now - FORGET_PRUNED_AFTER_SECONDS)
    if forgotten:
        log.info("forgot %s no feed has listed for 90 days", counted(forgotten, "pruned article"))
    await services.db.feeds.forget_items(now - FORGET_PRUNED_AFTER_SECONDS)
    # A sent notice is needed no more (its key names the moment it tells of, so it never comes again):
    # kept, a feed failing every night left two rows a day per admin for as long as the bot ran.
    await services.db.notices.forget_finished(older_than)


def _check_database_file(services: Services, state: TickState) -> None:
    """Tell the operator, once, that the database file was deleted or replaced under the running bot."""
    problem = services.db.file_problem()
    if problem != state.file_problem and problem is not None:
        log.error(
            "%s: newsbot goes on with the file it opened, so what it stores from now on is lost when it "
            "stops; stop newsbot and put the database back (or start afresh)",
            problem,
        )
    state.file_problem = problem


class _Planner:
    """Plans the alerts of each feed's new articles as the feed hands them over, one plan at a time; what
    arrives meanwhile goes into the next plan (four feeds finishing together are not four plans).

    Only the articles a feed returned are planned; whatever else is marked waits for the tick's plan_pending.
    """

    def __init__(self, services: Services, now: float) -> None:
        self._services = services
        self._now = now
        self._queue: list[Article] = []
        self._late: set[int] = set()
        self._before: list[Article] = []
        self._task: asyncio.Task[None] | None = None

    def request(
        self, articles: Sequence[Article], late: Collection[int] = (), before: Sequence[Article] = ()
    ) -> None:
        """Plan these articles' alerts now, or right after the plan under way; ``late``: those that are late news;
        ``before``: edited ones before their feed's edit (see DeliveryService.plan_alerts)."""
        self._queue.extend(articles)
        self._late.update(late)
        self._before.extend(before)
        if self._queue and (self._task is None or self._task.done()):
            self._task = asyncio.create_task(self._run(), name="newsbot-plan")

    async def finished(self) -> None:
        """Wait until every requested plan is done."""
        while self._task is not None and not self._task.done():
            await self._task

    def cancel(self) -> None:
        """Stop a plan still under way."""
        if self._task is not None:
            self._task.cancel()

    async def _run(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            late, self._late = self._late, set()
            before, self._before = self._before, []
            try:
                await self._services.delivery.plan_alerts(batch, self._now, late, before)
            except Exception:  # they stay marked: the tick's plan of everything pending tries again
                log.exception("planning the alerts of %s failed", counted(len(batch), "new article"))


def _cancelling() -> bool:
    """Whether the running task itself is being cancelled (not just the feed poll it awaits)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def stop_feed_polling(application: BotApplication) -> None:
    """Cancel the feed poll under way, so stopping does not wait out a slow feed's fetch timeout.

    Each article is stored in its own transaction and stays marked until its alerts are planned, so nothing
    is lost: the feeds not finished are simply due again at the next start (and not counted as failures).
    """
    state: TickState | None = application.bot_data.get(_STATE_KEY)
    if state is not None:
        state.stopping = True  # a tick starting before the job queue stops polls nothing either
        if state.feed_poll is not None:
            state.feed_poll.cancel()


async def _tick(context: BotContext) -> None:
    services: Services | None = context.application.bot_data.get("services")
    if services is None:
        return
    log_lost_answers_counted(context.application.bot_data, services.clock.now())
    state: TickState = context.application.bot_data.setdefault(_STATE_KEY, TickState())
    if state.lock.locked():
        # The previous tick is still running (a slow feed): skip rather than pile up.
        state.skipped += 1
        return
    async with state.lock:
        await run_tick(services, state)


def install_jobs(application: BotApplication) -> None:
    """Install the repeating tick job; its first run (at once) starts the delivery sender."""
    services: Services = application.bot_data["services"]
    application.bot_data.setdefault(_STATE_KEY, TickState())
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError(
            "python-telegram-bot's job-queue extra is required: pip install 'python-telegram-bot[job-queue]'"
        )
    job_queue.run_repeating(
        _tick,
        interval=services.settings.tick_seconds,
        first=0.0,
        name="newsbot-tick",
        # APScheduler drops a job that starts more than 1 s late by default; a busy loop must not lose ticks.
        job_kwargs={"misfire_grace_time": 3600, "coalesce": True, "max_instances": 1},
    )
