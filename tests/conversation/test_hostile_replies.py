"""Replies built from hostile or huge input still reach the user: valid HTML, under 4,096 characters."""

from __future__ import annotations

from bot.context import BotApplication
from bot.emulator import BotApiEmulator
from tests.conversation.helpers import say


async def test_unsubscribe_from_hundreds_of_unknown_words_gets_an_answer_that_fits(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # 4,000 characters of short words: one "You don't follow" line each used to exceed 4,096 characters.
    words = " ".join(f"w{i}" for i in range(1000))[:4000]
    reply = await say(emulator, "/unsubscribe " + words)
    assert "You don't follow “w0”" in reply.text
    assert "more" in reply.text and "/mysubs" in reply.text
    assert len(reply.text) <= 4096


async def test_subscribe_with_thirty_near_misses_gets_an_answer_that_fits(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Each near miss of a topic name gets a long "Did you mean" line; 30 of them used to exceed 4,096.
    reply = await say(emulator, "/subscribe " + " ".join(["enterrtainmentz"] * 30))
    assert reply.text.count("Did you mean 🎬 Entertainment?") == 1
    reply = await say(
        emulator, "/subscribe " + " ".join(f"enterrtainment{c}" for c in "abcdefghijklmnopqrstuvwxyz")
    )
    assert "Did you mean 🎬 Entertainment?" in reply.text
    assert len(reply.text) <= 4096
