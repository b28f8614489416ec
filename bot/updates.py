"""Update processing: unreadable updates skipped; parallel across chats, in order within a chat."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import MaybeInaccessibleMessage, Message, MessageEntity, Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

# PTB's own semaphore is taken before our per-chat lock, so updates queued behind one busy chat would
# hold its slots and stall every other chat; it is made wide enough never to bind and we limit below.
_UNBOUNDED = 1 << 30
# After the grace, how long a stopping bot gives the updates still waiting for their chat's turn to answer
# "send it again" (an instant reply each).
STOPPED_ANSWER_SECONDS = 2.0


def skip_unreadable_updates(payload: bytes) -> bytes:
    """A getUpdates answer with each update python-telegram-bot cannot read cut down to its ``update_id``.

    PTB reads a whole batch at once: one update it cannot read (a shape of a newer Bot API, a mangled field)
    fails the batch before its offset moves on, so the same batch comes back at once, fails again, and the
    bot answers nobody. Reduced to its id, the update is confirmed like any other and changes nothing.
    So is one PTB reads but the handlers could not (``_check_types``).
    """
    try:
        answer = json.loads(payload)
    except ValueError:
        return payload  # not JSON: PTB reports that as the network error it is
    if not isinstance(answer, dict) or not answer.get("ok") or not isinstance(answer.get("result"), list):
        return payload
    kept: list[object] = []
    skipped = False
    for item in answer["result"]:
        try:
            _check_types(Update.de_json(item, None))
        except Exception as exc:
            update_id = item.get("update_id") if isinstance(item, dict) else None
            # Only the error: the update itself may hold what people wrote.
            log.warning("skipped update %s, which cannot be read: %s: %s", update_id, type(exc).__name__, exc)
            skipped = True
            if isinstance(update_id, int):
                kept.append({"update_id": update_id})
        else:
            kept.append(item)
    if not skipped:
        return payload
    answer["result"] = kept
    return json.dumps(answer).encode()


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_types(update: Update) -> None:
    """Raise TypeError when a field the handlers read has a type the Bot API never sends.

    PTB checks no types: a text that is a number crashed the handler and then the error handler (the user
    heard nothing), and a chat id of null or true registered chat 1 as a subscriber.
    """
    for what, who in (("chat", update.effective_chat), ("user", update.effective_user)):
        if who is not None and not _is_id(who.id):
            raise TypeError(f"its {what} id is a {type(who.id).__name__}")
    if update.callback_query is not None and not isinstance(update.callback_query.data, str | None):
        raise TypeError("its button data is no string")
    message: MaybeInaccessibleMessage | None = update.effective_message
    while message is not None:  # and the message it replies to, which /summary reads
        if message.chat is None:
            raise TypeError("a message has no chat")
        if not isinstance(message, Message):
            return
        quote = message.quote.text if message.quote is not None else None
        texts = ((message.text, message.entities), (message.caption, message.caption_entities), (quote, ()))
        for text, entities in texts:
            if not isinstance(text, str | None):
                raise TypeError(f"a message text is a {type(text).__name__}")
            if not all(_entity_readable(entity) for entity in entities):
                raise TypeError("a message entity has a position or link that is no number or string")
        if message.migrate_to_chat_id is not None and not _is_id(message.migrate_to_chat_id):
            raise TypeError("its new supergroup id is no number")
        message = message.reply_to_message


def _entity_readable(entity: MessageEntity) -> bool:
    return _is_id(entity.offset) and _is_id(entity.length) and isinstance(entity.url, str | None)


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Run updates of different chats concurrently but those of one chat one after another.

    A slow ``/summary <link>`` in one chat must not hold up everyone else, yet "/subscribe x" followed by
    "/mysubs" in the same chat must be answered in that order. Only the update a chat is working on counts
    towards ``max_concurrent_updates``: a flood in one chat waits on that chat's lock, not in everyone's way.
    """

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(_UNBOUNDED)
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._running: set[asyncio.Task[Any]] = set()
        self._handling: set[asyncio.Task[Any]] = set()  # those of _running whose handler has begun
        self._stopped: set[asyncio.Task[Any]] = set()
        self._stopping = False

    def cancel_running(self) -> None:
        """Cancel the updates being handled (the console leaving on Ctrl-C, not waiting for a slow fetch)."""
        for task in self._running:
            task.cancel()

    async def wait_running(self) -> None:
        """Wait until no update is being handled (the console's quit: the answers on their way are shown first)."""
        while self._running:
            await asyncio.wait(set(self._running))

    async def finish(self, grace_seconds: float) -> None:
        """The bot is stopping: let the updates being handled finish for up to ``grace_seconds``, then cancel
        the rest, each told so by ``stopped_early`` (as are those still waiting for their chat's turn).

        Waited out, a ``/summary`` of a page that never answers held the stop for NEWSBOT_FETCH_TIMEOUT_SECONDS
        (up to 300 s: past systemd's 90 s, which then kills the bot mid-send).
        """
        if self._running:
            await asyncio.wait(set(self._running), timeout=grace_seconds)
        # Those still waiting for their chat's turn are not cancelled unanswered: Telegram was told at the stop
        # that they were read, so they would never come again. Each runs now as stopped early, which a command
        # or button answers at once with "send it again" (and a membership change still records).
        self._stopping = True
        self._stopped.update(self._handling)
        for task in list(self._handling):
            task.cancel()
        if self._running:
            await asyncio.wait(set(self._running), timeout=STOPPED_ANSWER_SECONDS)
        self._stopped.update(self._running)
        self.cancel_running()

    def stopped_early(self) -> bool:
        """Whether the update being handled here was cancelled by ``finish`` (the bot stopping) before it was done,
        or began only after ``finish`` gave up waiting (it is to be answered "send it again", not handled)."""
        return asyncio.current_task() in self._stopped

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await the handler coroutine while holding this chat's lock and one of the shared slots."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            async with self._slots:
                await self._handle(coroutine)
            return
        keys = [chat.id]
        moved_to = (
            update.message.migrate_to_chat_id if isinstance(update, Update) and update.message else None
        )
        if moved_to and moved_to != chat.id:  # "moved to itself" (never from Telegram) took one lock twice
            # A group's "became a supergroup" notice moves its data to the supergroup: it takes the supergroup's
            # turn (first, even while the group's last update still runs) as well as the group's, so the
            # supergroup's updates after it (the bot's join first) find the group moved already. Only such a
            # notice holds two locks: no deadlock.
            keys.insert(0, moved_to)
        for key in keys:
            self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with contextlib.AsyncExitStack() as held:
                for key in keys:
                    await held.enter_async_context(self._locks.setdefault(key, asyncio.Lock()))
                async with self._slots:
                    await self._handle(coroutine)
        finally:
            # Cancelled while waiting its turn: never awaited, it would be logged as such at exit.
            getattr(coroutine, "close", lambda: None)()
            for key in keys:
                self._waiting[key] -= 1
                if not self._waiting[key]:  # forget idle chats so memory stays flat
                    del self._waiting[key]
                    self._locks.pop(key, None)

    async def _handle(self, coroutine: Awaitable[Any]) -> None:
        """Run the handlers of an update whose turn has come (as stopped early once ``finish`` gave up waiting)."""
        task = asyncio.current_task()
        if task is None:
            await coroutine
            return
        if self._stopping:
            self._stopped.add(task)
        self._handling.add(task)
        try:
            await coroutine
        finally:
            self._handling.discard(task)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
