"""Flood-limit accounting for the Bot API emulator: token buckets per chat, per group and overall.

The rule (every bucket is a token bucket: it holds at most ``burst`` tokens, refills continuously at ``rate``
tokens a second, and a counted request takes one token or is refused with 429):

- per chat: rate ``per_chat_per_sec`` (1/s), burst ``per_chat_burst`` (3). A bot sending exactly
  1 message a second to a chat never runs dry; early or bunched arrivals of up to 2 extra messages
  are tolerated, as Telegram tolerates short bursts.
- overall: rate ``overall_per_sec`` (30/s), burst ``overall_burst`` (35). PTB's ``AIORateLimiter``
  (aiolimiter's leaky bucket of 30 per 1 s) lets up to 30 requests out at once and then 30/s, i.e. at
  most 30 + 30·T in any window T; the 5 extra tokens absorb requests that leave the bot spaced out
  but arrive bunched together.
- groups, supergroups and channels (chat id < 0): additionally rate ``group_per_min``/60 (20/min), burst
  ``group_burst`` (21): aiolimiter's 20-per-60-s bucket plus one token of slack.

A refused request takes no token (it was not sent). ``retry_after`` is the whole number of seconds, rounded up
and at least 1, after which the emptiest violated bucket holds a token again.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Limited", "RateLimiter", "RateLimits", "TokenBucket"]


@dataclass(frozen=True)
class RateLimits:
    """Configuration of the emulator's flood limits; ``RateLimits(enabled=False)`` turns them off."""

    enabled: bool = True
    per_chat_per_sec: float = 1.0
    per_chat_burst: float = 3.0
    overall_per_sec: float = 30.0
    overall_burst: float = 35.0
    group_per_min: float = 20.0
    group_burst: float = 21.0


@dataclass(frozen=True)
class Limited:
    """Why a request was refused: the bucket ("chat", "group" or "overall") and the retry_after to answer."""

    scope: str
    retry_after: int


class TokenBucket:
    """A token bucket; ``level`` is the tokens available at the last update."""

    __slots__ = ("burst", "level", "rate", "stamp")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.level = burst
        self.stamp = now

    def refill(self, now: float) -> None:
        """Add the tokens earned since the last update, capped at ``burst``."""
        if now > self.stamp:
            self.level = min(self.burst, self.level + (now - self.stamp) * self.rate)
            self.stamp = now

    def wait_time(self) -> float:
        """Seconds until one token is available (0 when one is available now)."""
        if self.level >= 1.0:
            return 0.0
        return (1.0 - self.level) / self.rate


class RateLimiter:
    """Counts message-sending requests and decides which must be answered with 429."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._overall = TokenBucket(limits.overall_per_sec, limits.overall_burst, clock())
        self._chats: dict[int, TokenBucket] = {}
        self._groups: dict[int, TokenBucket] = {}

    def acquire(self, chat_id: int) -> Limited | None:
        """Take a token from every bucket that applies to ``chat_id``, or take none and say why not."""
        if not self.limits.enabled:
            return None
        now = self._clock()
        buckets: list[tuple[str, TokenBucket]] = [("overall", self._overall)]
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = TokenBucket(
                self.limits.per_chat_per_sec, self.limits.per_chat_burst, now
            )
        buckets.append(("chat", chat))
        if chat_id < 0:
            group = self._groups.get(chat_id)
            if group is None:
                group = self._groups[chat_id] = TokenBucket(
                    self.limits.group_per_min / 60.0, self.limits.group_burst, now
                )
            buckets.append(("group", group))
        worst: tuple[str, float] | None = None
        for scope, bucket in buckets:
            bucket.refill(now)
            wait = bucket.wait_time()
            if wait > 0 and (worst is None or wait > worst[1]):
                worst = (scope, wait)
        if worst is not None:
            return Limited(worst[0], max(1, math.ceil(worst[1])))
        for _, bucket in buckets:
            bucket.level -= 1.0
        return None
