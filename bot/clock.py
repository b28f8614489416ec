"""Time as a dependency: the bot asks a Clock, so tests can move time forward without sleeping."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current UTC time as epoch seconds."""

    def now(self) -> float:
        """Current UTC time in epoch seconds."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> float:
        """Current UTC time in epoch seconds."""
        return time.time()


class FakeClock:
    """A clock that only moves when told to; for tests and simulations."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self._now = start

    def now(self) -> float:
        """Current fake time."""
        return self._now

    def advance(self, seconds: float) -> float:
        """Move time forward and return the new time."""
        self._now += seconds
        return self._now

    def set(self, when: float) -> None:
        """Jump to an absolute time."""
        self._now = when
