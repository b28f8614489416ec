"""Telegram's flood limits as a schedule the sender consults (``Pacer``), told of 429s answered to the bot's
replies too (``SharedPacing``)."""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.errors import retry_after_seconds

# The Bot API methods that spend a chat's flood budget (Telegram counts edits as well as new messages).
_SPENDING = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})


class Pacer:
    """Telegram's flood limits as a schedule keyed by (monotonic) time: overall, per chat and per group.

    Nothing here sleeps; the sender asks when a chat may send next and records each send.
    """

    def __init__(
        self,
        *,
        overall_per_second: float,
        chat_interval: float,
        group_per_minute: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._overall_gap = 1.0 / overall_per_second
        # A little burst at high rates lets the sender catch up after an event-loop hiccup, still within
        # the average; at Telegram's 30/s it is a single message.
        self._overall_burst = max(1.0, overall_per_second * 0.01) * self._overall_gap
        self._chat_interval = chat_interval
        self._group_interval = max(chat_interval, 60.0 / group_per_minute)
        self._clock = clock
        self._overall_tat = 0.0  # theoretical arrival time (GCRA)
        self._chat_next: dict[int, float] = {}
        self._paused_until = 0.0

    def now(self) -> float:
        """The pacer's notion of now."""
        return self._clock()

    def overall_ready_at(self) -> float:
        """Earliest time the next message may go out, whatever the chat."""
        return max(self._overall_tat - self._overall_burst, self._paused_until)

    def chat_ready_at(self, chat_id: int) -> float:
        """Earliest time ``chat_id`` may get its next message (per-chat interval, 429 penalties)."""
        return self._chat_next.get(chat_id, 0.0)

    def take(self, chat_id: int, is_group: bool) -> None:
        """Record a message to ``chat_id`` leaving now."""
        now = self._clock()
        self._overall_tat = max(self._overall_tat, now) + self._overall_gap
        interval = self._group_interval if is_group else self._chat_interval
        self._chat_next[chat_id] = max(self._chat_next.get(chat_id, 0.0), now) + interval
        if len(self._chat_next) > 50_000:
            self._forget_old(now)

    def penalize(self, chat_id: int, seconds: float) -> None:
        """Hold ``chat_id`` back for ``seconds`` (a 429 for it, or a retry backoff)."""
        until = self._clock() + seconds
        self._chat_next[chat_id] = max(self._chat_next.get(chat_id, 0.0), until)

    def pause_all(self, seconds: float) -> None:
        """Hold every chat back (the bot as a whole was rate limited)."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def _forget_old(self, now: float) -> None:
        # Entries in the past constrain nothing; dropping them keeps memory flat over millions of chats.
        self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}


class SharedPacing(BaseRateLimiter[None]):
    """python-telegram-bot's hook on every request of the application's bot: a 429 answered to a reply or a
    button's edit holds that chat's alerts and digests back in the delivery ``Pacer`` too, and keeps the first
    slot after the wait for the reply's own retry (the handlers wait out a 429 themselves).

    Without it the sender, paced to use every message a group may get, took each slot Telegram freed, and a
    reply refused three times in a row was never sent. Replies are not otherwise counted: the pacer spaces a
    group's messages evenly (3 s apart), where Telegram allows a burst, so counting every reply would hold a
    group's alerts back long after a few commands that left most of its budget unspent.
    """

    def __init__(self) -> None:
        self._pacer: Pacer | None = None

    def share(self, pacer: Pacer) -> None:
        """Tell ``pacer`` of 429s from now on (the delivery service's, built at start-up)."""
        self._pacer = pacer

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Make the request at once; a 429 to a message-spending request holds the chat in the pacer."""
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            pacer, chat_id = self._pacer, data.get("chat_id")
            if pacer is not None and endpoint in _SPENDING and isinstance(chat_id, int):
                pacer.penalize(chat_id, retry_after_seconds(exc))
                pacer.take(chat_id, is_group=chat_id < 0)  # the first slot after the wait: the reply's retry
            raise
