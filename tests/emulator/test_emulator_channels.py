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


async def test_a_linked_discussion_group_gets_each_new_post_as_an_automatic_forward(
    bot: Bot, emu: BotApiEmulator
) -> None:
    group = -1001501
    await emu.add_chat(group, "supergroup", title="Daily News chat")
    await emu.set_bot_status(CHANNEL, "administrator", announce=False)
    with pytest.raises(ValueError, match="supergroup"):
        await emu.link_discussion_group(group, CHANNEL)
    await emu.link_discussion_group(CHANNEL, group)
    assert (await bot.get_chat(CHANNEL)).linked_chat_id == group
    assert (await bot.get_chat(group)).linked_chat_id == CHANNEL
    await emu.send_channel_post(CHANNEL, "/start")
    sent = await bot.send_message(CHANNEL, "an alert of the bot")  # the bot's own posts are copied too
    post, copy_of_post, copy_of_alert = await bot.get_updates(timeout=0)
    assert post.channel_post is not None and post.channel_post.text == "/start"
    for update, text, origin_id in (
        (copy_of_post, "/start", post.channel_post.message_id),
        (copy_of_alert, "an alert of the bot", sent.message_id),
    ):
        copied = update.message
        assert copied is not None and copied.chat.id == group and copied.text == text
        assert copied.is_automatic_forward and copied.from_user is not None and copied.from_user.id == 777000
        assert copied.sender_chat is not None and copied.sender_chat.id == CHANNEL
        assert copied.forward_origin is not None and copied.forward_origin.message_id == origin_id
    await emu.block_chat(group, announce=False)  # the bot left the group: nothing reaches it
    await emu.send_channel_post(CHANNEL, "/help")
    [only_post] = await bot.get_updates(offset=copy_of_alert.update_id + 1, timeout=0)
    assert only_post.channel_post is not None


async def test_an_edited_channel_post_arrives_as_edited_channel_post(bot: Bot, emu: BotApiEmulator) -> None:
    await emu.set_bot_status(CHANNEL, "administrator", announce=False)
    await emu.send_channel_post(CHANNEL, "/subscribe business")
    first = await emu.send_channel_post(CHANNEL, "/digest")
    await emu.send_channel_post(CHANNEL, "/summary", reply_to_message_id=1)
    await emu.edit_channel_post(CHANNEL, 1, "/subscribe science")
    with pytest.raises(KeyError):
        await emu.edit_channel_post(CHANNEL, 99, "/start")
    updates = await bot.get_updates(offset=first, timeout=0)
    reply, edited = updates[1], updates[2]
    assert reply.channel_post is not None and reply.channel_post.reply_to_message is not None
    assert reply.channel_post.reply_to_message.text == "/subscribe business"
    assert edited.edited_channel_post is not None and edited.channel_post is None
    assert (
        edited.edited_channel_post.message_id == 1 and edited.edited_channel_post.text == "/subscribe science"
    )
    assert edited.edited_channel_post.edit_date is not None
