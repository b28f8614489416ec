"""/start, /help and /topics with its toggling keyboard."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram import Chat as TgChat
from telegram.error import TelegramError

from bot.context import BotContext
from bot.handlers.common import (
    button,
    callback_parts,
    chat_title,
    command,
    edit_keyboard,
    ensure_chat,
    first_name,
    is_bot_admin,
    remember_news_topic,
    require_manager,
    send,
)
from bot.render.replies import (
    Reply,
    command_descriptions,
    render_channel_welcome,
    render_group_welcome,
    render_help,
    render_topic_toggled,
    render_topics,
    render_welcome,
    topic_label,
    topics_keyboard,
)

log = logging.getLogger(__name__)


@command
async def start(update: Update, context: BotContext) -> None:
    """/start: register the chat, greet, explain, show the topic keyboard."""
    assert update.effective_message is not None and update.effective_chat is not None
    tg = update.effective_chat
    services = context.services
    chat, new = await services.chats.register(tg.id, tg.type, chat_title(tg))
    if tg.type == TgChat.PRIVATE and is_bot_admin(update, context):
        await _show_admin_commands(context, tg.id)
    elif tg.type == TgChat.PRIVATE:
        await _hide_admin_commands(context, tg.id)
    subscriptions = await services.subscriptions.for_chat(chat.id)
    on = {s.value for s in subscriptions if s.kind == "topic"}
    topics = services.catalogue.all()
    # Known is not set up: any member's /mysubs registers a group that still follows nothing.
    set_up = bool(subscriptions)
    if tg.type == TgChat.CHANNEL:  # a public post: short, and addressed to nobody in particular
        await send(update.effective_message, render_channel_welcome(topics, on, set_up=set_up))
        return
    if tg.type in (TgChat.GROUP, TgChat.SUPERGROUP):  # read by every member, set up by the admins
        await send(update.effective_message, render_group_welcome(topics, on, set_up=set_up))
        return
    # Any command registers a chat (/mysubs, a link): a first /start after one is no "welcome back" yet.
    await send(
        update.effective_message, render_welcome(first_name(update), topics, on, new=new or not set_up)
    )


async def _show_admin_commands(context: BotContext, chat_id: int) -> None:
    """Add the admin commands to an admin's command menu.

    Start-up does this too, but Telegram refuses a chat scope ("chat not found") for an admin who had never
    opened the bot, so their menu would lack the admin commands until the next restart.
    """
    commands = [BotCommand(name, text) for name, text in command_descriptions(admin=True)]
    try:
        await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:  # only the menu: /start itself must still answer
        log.info("admin commands not registered for %s: %s", chat_id, exc)


async def _hide_admin_commands(context: BotContext, chat_id: int) -> None:
    """Give a private chat the default command menu back.

    Someone removed from NEWSBOT_ADMIN_IDS kept the admin menu an earlier start-up or /start set for their
    chat: nothing else clears a chat's own menu. Deleting one that was never set is a no-op for Telegram.
    """
    try:
        await context.bot.delete_my_commands(scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:  # only the menu: /start itself must still answer
        log.info("command menu not reset for %s: %s", chat_id, exc)


@command
async def help_command(update: Update, context: BotContext) -> None:
    """/help: every command, one line each (admin commands for admins)."""
    assert update.effective_message is not None
    channel = update.channel_post is not None
    chat = update.effective_chat
    group = chat is not None and chat.type in (TgChat.GROUP, TgChat.SUPERGROUP)
    await send(
        update.effective_message,
        render_help(admin=is_bot_admin(update, context), channel=channel, group=group),
    )


@command
async def topics(update: Update, context: BotContext) -> None:
    """/topics: the catalogue as a keyboard; followed topics are ticked."""
    assert update.effective_message is not None
    chat = await ensure_chat(update, context, reading=True)
    on = await context.services.subscriptions.topic_ids(chat.id)
    await send(update.effective_message, render_topics(context.services.catalogue.all(), on))


@button
async def toggle_topic(update: Update, context: BotContext) -> str | None:
    """A tap on a topic button ("t:<id>"): follow or unfollow it and re-draw the keyboard in place."""
    assert update.callback_query is not None
    parts = callback_parts(update, maxsplit=1)  # an operator's topic id may hold a ':' itself
    if len(parts) != 2:
        return "This button no longer works."
    await require_manager(update, context)
    chat = await ensure_chat(update, context)
    services = context.services
    toggle = await services.subscriptions.toggle_topic(chat.id, parts[1], chat_type=chat.type)
    if toggle.on:
        await remember_news_topic(update, context, chat)
    on = await services.subscriptions.topic_ids(chat.id)
    await edit_keyboard(update.callback_query, Reply("", topics_keyboard(services.catalogue.all(), on)))
    topic = services.catalogue.get(parts[1])
    name = topic_label(topic) if topic else parts[1]
    return render_topic_toggled(name, toggle, chat_type=chat.type, mode=chat.mode)
