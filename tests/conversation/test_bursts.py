"""Fast bursts: one chat flooding the bot must neither reorder its own answers nor hold up other chats."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest_asyncio

from bot.context import BotApplication
from bot.emulator import BotApiEmulator
from tests.conftest import USER_CHAT
from tests.conversation.helpers import say

FLOODER = 4242


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    """Telegram's real per-chat limit (about 1 message a second): a flood's replies take a while to go out."""
    async with BotApiEmulator() as emu:
        yield emu


async def test_a_flood_in_one_chat_does_not_hold_up_the_others(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    for _ in range(100):  # far more updates than the bot works on at once
        await emulator.send_user_message(FLOODER, "/help")
    await emulator.next_message(FLOODER)  # the flood is being answered, at Telegram's pace
    started = time.monotonic()
    reply = await say(emulator, "/help", chat=USER_CHAT, timeout=20)
    waited = time.monotonic() - started
    await emulator.block_chat(FLOODER, announce=False)  # the rest of the flood now fails fast
    assert "What I can do" in reply.text
    assert waited < 3, f"another chat waited {waited:.1f}s behind the flood"


async def test_a_burst_in_one_chat_is_answered_in_order(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Each command's answer depends on the one before: any reordering shows in the replies.
    for n in range(1, 6):
        await emulator.send_user_message(USER_CHAT, f"/settings length {n}")
    replies = [await emulator.next_message(USER_CHAT, timeout=15) for _ in range(5)]
    assert [r.text.split("\n")[0] for r in replies] == [
        f"✅ Summaries will have {n} sentence{'s' if n > 1 else ''}." for n in range(1, 6)
    ]
