"""Wiring: build the python-telegram-bot Application with our handlers, services and jobs."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import logging
import sqlite3
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, cast

from telegram import (
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    Update,
)
from telegram.error import Conflict, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, ExtBot, Job
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.clock import Clock, SystemClock
from bot.config import Settings, feed_spec_warnings
from bot.context import BotApplication, BotContext, Services
from bot.delivery import DeliveryService, SharedPacing
from bot.handlers import BOT_COMMANDS, register_handlers
from bot.handlers.errors import log_lost_answers_counted
from bot.logs import hide_token
from bot.render.replies import BOT_DESCRIPTION, BOT_SHORT_DESCRIPTION, command_descriptions
from bot.render.text import counted
from bot.scheduler import install_jobs, stop_feed_polling
from bot.services.admin import AdminService
from bot.services.articles import ArticleService
from bot.services.chats import ChatService
from bot.services.ingest import IngestService, fetcher_for
from bot.services.subscriptions import SubscriptionService
from bot.services.summaries import SummaryCache
from bot.store import Database
from bot.updates import PerChatUpdateProcessor, skip_unreadable_updates
from summaries.topics import TopicCatalogue

if TYPE_CHECKING:
    from telegram._utils.types import ODVInput  # PTB's own annotation of do_request

log = logging.getLogger(__name__)

# How long a stopping bot lets the commands being answered finish (as DeliveryService.aclose, sends in flight).
UPDATE_GRACE_SECONDS = 5.0


class TokenSafeRequest(HTTPXRequest):
    """PTB's HTTP transport, with the token hidden in every answer before PTB reads it.

    PTB copies an answer it cannot parse (a proxy's or firewall's error page, which may echo the request URL)
    into the exception's message, and that message is stored as the reason a chat went away.
    """

    def __init__(self, token: str, *, connection_pool_size: int) -> None:
        super().__init__(connection_pool_size=connection_pool_size)
        self._token = token

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """See ``HTTPXRequest.do_request``; the answer comes back with the token hidden."""
        code, payload = await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        return code, self._answer(code, hide_token(payload, self._token))

    def _answer(self, code: int, payload: bytes) -> bytes:
        """The answer as the bot is to read it (the token already hidden)."""
        return payload


class UpdatesRequest(TokenSafeRequest):
    """The transport of getUpdates: updates python-telegram-bot cannot read are skipped, not retried forever."""

    def _answer(self, code: int, payload: bytes) -> bytes:
        """A successful answer passes ``skip_unreadable_updates``."""
        return skip_unreadable_updates(payload) if code == 200 else payload


class NewsbotApplication(Application):
    """PTB's Application without its memory of every chat and user it has seen.

    PTB 22 notes the chat and user of every update (and the chat of every job) for its persistence to save,
    and only saving empties those sets: with no persistence configured they grow by every chat and user for as
    long as the bot runs. newsbot keeps its state in SQLite, never in PTB's persistence.
    """

    def _mark_for_persistence_update(
        self, *, update: object | None = None, job: Job[Any] | None = None
    ) -> None:
        if self.persistence is not None:
            super()._mark_for_persistence_update(update=update, job=job)


def build_application(settings: Settings, *, clock: Clock | None = None) -> BotApplication:
    """The Application for ``settings``; services are opened in post_init and closed in post_shutdown."""
    if settings.bot_token is None:
        raise ValueError("NEWSBOT_BOT_TOKEN is not set")
    token = settings.bot_token.get_secret_value()
    builder = (
        ApplicationBuilder()
        .application_class(NewsbotApplication)
        .token(token)
        # PTB's defaults: a pool of 256 connections for requests, 1 for getUpdates.
        .request(TokenSafeRequest(token, connection_pool_size=256))
        .get_updates_request(UpdatesRequest(token, connection_pool_size=1))
        .base_url(settings.telegram_api_url)
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(PerChatUpdateProcessor(64))
        # Replies spend the same chats' flood budget as alerts and digests: a 429 to one holds those back too.
        .rate_limiter(SharedPacing())
        .post_init(_on_startup)
        .post_shutdown(_on_shutdown)
    )
    application = cast(BotApplication, builder.build())
    application.bot_data["settings"] = settings
    application.bot_data["clock"] = clock or SystemClock()
    register_handlers(application)
    return application


async def open_services(settings: Settings, clock: Clock, bot: ExtBot[None]) -> Services:
    """Open the database and build every service; the caller closes them with ``close_services``."""
    catalogue = TopicCatalogue.load(settings.topics_file)
    for line in feed_spec_warnings(settings.feeds):  # once a start, where the feeds are first used
        log.warning(line)
    db = await Database.open(settings.db_path)
    try:
        await db.feeds.sync_from_settings([(f.url, f.topics) for f in settings.feeds], clock.now())
    except sqlite3.OperationalError as exc:
        # The first write. Opening passes a write lock another program holds (the sqlite3 shell, a backup
        # tool) on a database already in WAL mode: waited out here, it is one line, not a traceback.
        await db.close()
        raise db.refusal(exc) from exc
    except BaseException:
        await db.close()
        raise
    fetcher = fetcher_for(settings)
    # One cache of summaries at other lengths, for /summary and buttons (ingest) and for alerts (delivery).
    summaries = SummaryCache()
    ingest = IngestService(
        db=db, fetcher=fetcher, catalogue=catalogue, settings=settings, clock=clock, summaries=summaries
    )
    delivery = DeliveryService(
        db=db, bot=bot, settings=settings, clock=clock, catalogue=catalogue, summaries=summaries
    )
    return Services(
        settings=settings,
        clock=clock,
        db=db,
        catalogue=catalogue,
        fetcher=fetcher,
        ingest=ingest,
        delivery=delivery,
        chats=ChatService(db=db, settings=settings, clock=clock, delivery=delivery),
        subscriptions=SubscriptionService(db=db, catalogue=catalogue, clock=clock, delivery=delivery),
        admin=AdminService(db=db, settings=settings, clock=clock, ingest=ingest, catalogue=catalogue),
        articles=ArticleService(db=db, catalogue=catalogue),
    )


async def close_services(services: Services) -> None:
    """Close what ``open_services`` opened (the database's threads keep the process alive otherwise)."""
    try:
        await services.delivery.aclose()
        await services.fetcher.aclose()
    finally:
        services.ingest.close()
        await services.db.close()


async def _on_startup(application: BotApplication) -> None:
    settings: Settings = application.bot_data["settings"]
    clock: Clock = application.bot_data["clock"]
    services = await open_services(settings, clock, application.bot)
    application.bot_data["services"] = services
    if isinstance(application.bot.rate_limiter, SharedPacing):
        application.bot.rate_limiter.share(services.delivery.pacer)
    await application.bot.set_my_commands(BOT_COMMANDS)
    await _register_group_commands(application)
    await _register_admin_commands(application, settings)
    await _describe_bot(application)
    install_jobs(application)
    # What an operator checks first: that it is up, which version, on which database, with how much to do.
    # "newsbot started as" first, as before: what a log watcher may look for.
    log.info(
        "newsbot started as @%s (version %s): database %s, %s, %s",
        application.bot.username,
        _version(),
        services.db.path.resolve(),
        counted(len(await services.db.feeds.list()), "feed"),
        counted((await services.db.chats.count())["active"], "chat"),
    )


def _version() -> str:
    """newsbot's installed version ("unknown" for a source tree that was never installed)."""
    try:
        return importlib.metadata.version("newsbot")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


async def _register_group_commands(application: BotApplication) -> None:
    """Groups' menus: members' without the commands only the group's administrators can use, admins' whole."""
    # Without a group scope every member's menu offered /subscribe and /stop, which refuse them.
    members = [BotCommand(name, text) for name, text in command_descriptions(group_member=True)]
    for scope, commands in (
        (BotCommandScopeAllGroupChats(), members),
        # Telegram picks the group scope over the default one for admins too: they need their own.
        (BotCommandScopeAllChatAdministrators(), BOT_COMMANDS),
    ):
        try:
            await application.bot.set_my_commands(commands, scope=scope)
        except TelegramError as exc:  # only the menu: the bot works without it
            log.warning("group command menu not registered: %s", exc)


async def _describe_bot(application: BotApplication) -> None:
    """Give the bot a description and a short description when it has none (never over the operator's own).

    Without them a person opening the bot sees an empty "What can this bot do?" screen, and a link to the
    bot shared in a chat says nothing about it. What the operator set in @BotFather is kept.
    """
    bot = application.bot
    try:
        if not (await bot.get_my_description()).description:
            await bot.set_my_description(BOT_DESCRIPTION)
    except TelegramError as exc:  # what a person sees first, but the bot must start without it
        log.warning("bot description not set: %s", exc)
    try:
        if not (await bot.get_my_short_description()).short_description:
            await bot.set_my_short_description(BOT_SHORT_DESCRIPTION)
    except TelegramError as exc:
        log.warning("bot short description not set: %s", exc)


async def _register_admin_commands(application: BotApplication, settings: Settings) -> None:
    """Show the admin commands in the command menu of each admin's private chat with the bot."""
    commands = [BotCommand(name, text) for name, text in command_descriptions(admin=True)]
    for admin_id in sorted(settings.admin_ids):
        try:
            await application.bot.set_my_commands(commands, scope=BotCommandScopeChat(admin_id))
        except TelegramError as exc:  # the admin never talked to the bot yet: the menu can wait
            log.info("admin commands not registered for %s: %s", admin_id, exc)


async def _on_shutdown(application: BotApplication) -> None:
    services: Services | None = application.bot_data.get("services")
    if services is not None:
        log_lost_answers_counted(application.bot_data, services.clock.now(), stopping=True)
        # Taken off only once closed: a second stop signal while the sender waits for sends on their way reads
        # them here (it said "no message was on its way") and closes the database before exiting.
        try:
            await close_services(services)
        finally:
            application.bot_data.pop("services", None)
        log.info("newsbot stopped")  # everything recorded and the database closed


def _log_polling_error(exc: TelegramError) -> None:
    """One line per failed getUpdates (PTB retries on its own, waiting up to 30 s between tries)."""
    # Without this callback PTB logs a full traceback at every retry: an outage of an hour fills the log with
    # thousands of lines that all say "cannot connect".
    if isinstance(exc, Conflict):
        log.warning(
            "the Bot API refused to give updates: another program is polling with this token (%s); "
            "stop the other bot; retrying",
            exc,
        )
    else:
        log.warning("getting updates from the Bot API failed (%s); retrying", exc)


def _polling_tasks() -> set[asyncio.Task[object]]:
    return {t for t in asyncio.all_tasks() if t.get_name() == "Updater:start_polling:polling_task"}


@contextlib.asynccontextmanager
async def running_application(
    application: BotApplication, *, poll_timeout: int = 10
) -> AsyncIterator[asyncio.Task[object] | None]:
    """Run ``application`` with long polling inside an event loop we already own (tests, console, run).

    Mirrors ``Application.run_polling``: initialize, post_init, polling, start; and on exit stop,
    post_stop, shutdown, post_shutdown. Yields PTB's polling task: it ends only when polling gave up for good
    (the token was refused), which ``newsbot run`` watches so a deaf bot does not keep running.
    """
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        assert application.updater is not None
        before = _polling_tasks()
        await application.updater.start_polling(
            timeout=poll_timeout, allowed_updates=Update.ALL_TYPES, error_callback=_log_polling_error
        )
        # PTB keeps the task private; its name is the stable handle (other applications may poll in this loop).
        polling = next(iter(_polling_tasks() - before), None)
        await application.start()
        try:
            yield polling
        finally:
            try:
                if application.updater.running:
                    await application.updater.stop()
            except TelegramError as exc:
                # Stopping re-raises what ended the polling task (a refused token); the rest must still stop,
                # or shutdown() refuses ("still running") and the database is never closed.
                log.debug("polling had stopped: %s", exc)
            # Stopping waits for the tick under way: it must not wait for a slow feed too.
            stop_feed_polling(application)
            # Nor for a command's slow page: each command being answered gets what in-flight sends get.
            if isinstance(application.update_processor, PerChatUpdateProcessor):
                await application.update_processor.finish(UPDATE_GRACE_SECONDS)
            if application.running:
                await application.stop()
            if application.post_stop:
                await application.post_stop(application)
    finally:
        if application.updater is not None and application.updater.running:
            # A stop signal while polling started (a slow deleteWebhook) leaves PTB's updater marked running:
            # shutdown() then refused ("This Updater is still running!"), the database was never closed and
            # the process hung at exit on its worker threads until killed.
            await application.updater.stop()
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
