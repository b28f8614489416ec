"""Channels in the emulator: the bot posts only as an administrator, admins' posts arrive as channel_post."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from telegram import Bot, ChatMemberAdministrator
from telegram.error import BadRequest, Forbidden

from bot.emulator import BotApiEmulator, RateLimits

TOKEN = "123456:TEST-token_for-tests"
CHANNEL = -1001500


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """An emulator that knows one channel (the bot not yet in it)."""
    async with BotApiEmulator(rate_limits=RateLimits(enabled=False)) as emulator:
        await emulator.add_chat(CHANNEL, "channel", title="Daily News")
        yield emulator


@pytest_asyncio.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    """A real PTB Bot talking HTTP to the emulator (getMe first, so the emulator knows the bot's id)."""
    async with Bot(TOKEN, base_url=emu.base_url) as ptb_bot:
        yield ptb_bot


async def test_only_an_administrator_that_may_post_posts_in_a_channel(bot: Bot, emu: BotApiEmulator) -> None:
    with pytest.raises(BadRequest, match="Need administrator rights in the channel chat"):
        await bot.send_message(CHANNEL, "hi")
    await emu.set_bot_status(CHANNEL, "administrator", announce=False)
    sent = await bot.send_message(CHANNEL, "hello channel")
    # Posts are signed by the channel, not by the bot.
    assert sent.from_user is None and sent.sender_chat is not None and sent.sender_chat.id == CHANNEL
    assert (await emu.next_message(CHANNEL, timeout=1)).text == "hello channel"
    member = await bot.get_chat_member(CHANNEL, bot.id)
    assert isinstance(member, ChatMemberAdministrator) and member.can_post_messages
    await emu.set_bot_status(CHANNEL, "administrator", can_post=False, announce=False)
    with pytest.raises(BadRequest, match="Need administrator rights"):
        await bot.send_message(CHANNEL, "no right to post")
    await emu.set_bot_status(CHANNEL, "member", announce=False)  # demoted
    with pytest.raises(BadRequest, match="Need administrator rights"):
        await bot.send_message(CHANNEL, "demoted")
    await emu.set_bot_status(CHANNEL, "kicked", announce=False)
    with pytest.raises(Forbidden, match="bot was kicked from the channel chat"):
        await bot.send_message(CHANNEL, "removed")


async def test_bot_status_changes_and_posts_arrive_as_updates(bot: Bot, emu: BotApiEmulator) -> None:
    await emu.set_bot_status(CHANNEL, "administrator")
    await emu.send_channel_post(CHANNEL, "/subscribe business")
    await emu.set_bot_status(CHANNEL, "member")
    added, post, demoted = await bot.get_updates(timeout=0)
    assert added.my_chat_member is not None
    assert added.my_chat_member.chat.type == "channel"
    assert added.my_chat_member.old_chat_member.status == "left"
    assert added.my_chat_member.new_chat_member.status == "administrator"
    assert post.channel_post is not None and post.message is None
    assert post.channel_post.from_user is None
    assert post.channel_post.sender_chat is not None and post.channel_post.sender_chat.id == CHANNEL
    assert post.channel_post.text == "/subscribe business"
    assert post.channel_post.entities[0].type == "bot_command"
    assert demoted.my_chat_member is not None
    assert demoted.my_chat_member.old_chat_member.status == "administrator"
    assert demoted.my_chat_member.new_chat_member.status == "member"


async def test_channel_posts_only_in_channels(emu: BotApiEmulator) -> None:
    await emu.add_chat(-500, "group")
    with pytest.raises(ValueError, match="no channel"):
        await emu.send_channel_post(-500, "/start")


async def test_a_deleted_channel_is_not_found(bot: Bot, emu: BotApiEmulator) -> None:
    await emu.set_bot_status(CHANNEL, "administrator", announce=False)
    await emu.delete_chat(CHANNEL)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(CHANNEL, "anyone there?")
