"""/subscribe, /unsubscribe and /mysubs."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.handlers.common import (
    argument_text,
    command,
    ensure_chat,
    remember_news_topic,
    require_manager,
    send,
)
from bot.render.replies import (
    render_follow_result,
    render_mysubs,
    render_subscribe_usage,
    render_unfollow_result,
    render_unsubscribe_usage,
)


@command
async def subscribe(update: Update, context: BotContext) -> None:
    """/subscribe WORDS: follow topics (ids, titles, aliases) or keywords and quoted phrases."""
    assert update.effective_message is not None
    text = argument_text(update.effective_message)
    services = context.services
    chat = await ensure_chat(update, context)
    if not text:
        on = await services.subscriptions.topic_ids(chat.id)
        await send(
            update.effective_message,
            render_subscribe_usage(services.catalogue.all(), on, chat_type=chat.type),
        )
        return
    await require_manager(update, context)
    result = await services.subscriptions.follow(chat.id, text)
    if result.changed:
        await remember_news_topic(update, context, chat)
    await send(update.effective_message, render_follow_result(result, chat))


@command
async def unsubscribe(update: Update, context: BotContext) -> None:
    """/unsubscribe WORDS or /unsubscribe all."""
    assert update.effective_message is not None
    text = argument_text(update.effective_message)
    if not text:
        chat_type = update.effective_chat.type if update.effective_chat else "private"
        await send(update.effective_message, render_unsubscribe_usage(chat_type=chat_type))
        return
    await require_manager(update, context)
    chat = await ensure_chat(update, context)
    result = await context.services.subscriptions.unfollow(chat.id, text)
    await send(update.effective_message, render_unfollow_result(result, chat_type=chat.type, mode=chat.mode))


@command
async def mysubs(update: Update, context: BotContext) -> None:
    """/mysubs: topics, keywords and delivery settings of this chat."""
    assert update.effective_message is not None
    chat = await ensure_chat(update, context, reading=True)
    services = context.services
    subs = await services.subscriptions.for_chat(chat.id)
    await send(update.effective_message, render_mysubs(chat, subs, services.catalogue.get))
