"""Conversation tests type faster than any person: allow bursts per chat, keep group and overall limits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from bot.emulator import BotApiEmulator, RateLimits


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    """The emulator with a generous per-chat burst (replies to a fast-typing test would hit 1/s otherwise)."""
    async with BotApiEmulator(rate_limits=RateLimits(per_chat_per_sec=20.0, per_chat_burst=50.0)) as emu:
        yield emu
