"""Telegram's flood limits as a schedule the sender consults (``Pacer``)."""

from __future__ import annotations

import time
from collections.abc import Callable


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
