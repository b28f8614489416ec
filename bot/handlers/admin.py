"""Admin commands (NEWSBOT_ADMIN_IDS only): /stats, /feeds, /addfeed, /removefeed."""

from __future__ import annotations

from telegram import Chat as TgChat
from telegram import Update

from bot.context import BotContext
from bot.handlers.common import argument_text, command, require_bot_admin, send
from bot.render.replies import (
    render_feed_added,
    render_feed_removed,
    render_feeds,
    render_stats,
    render_usage,
)


@command
async def stats(update: Update, context: BotContext) -> None:
    """/stats: chats, subscriptions, articles, feeds, queue, deliveries of the last 24 h."""
    assert update.effective_message is not None
    require_bot_admin(update, context)
    services = context.services
    await send(update.effective_message, render_stats(await services.admin.stats(services.delivery)))


@command
async def feeds(update: Update, context: BotContext) -> None:
    """/feeds: every polled feed and its state."""
    assert update.effective_message is not None
    require_bot_admin(update, context)
    services = context.services
    # Feed addresses may hold a login or an API key: only a private chat shows them whole.
    private = update.effective_chat is not None and update.effective_chat.type == TgChat.PRIVATE
    listing = render_feeds(await services.admin.feeds(), services.clock.now(), hide_secrets=not private)
    await send(update.effective_message, listing)


@command
async def addfeed(update: Update, context: BotContext) -> None:
    """/addfeed URL [TOPIC...]: check the feed, then poll it."""
    assert update.effective_message is not None
    require_bot_admin(update, context)
    words = argument_text(update.effective_message).split()
    if not words:
        await send(
            update.effective_message,
            render_usage("Usage: /addfeed URL [TOPIC...], e.g. /addfeed https://example.com/rss business"),
        )
        return
    user = update.effective_user
    added = await context.services.admin.add_feed(words[0], words[1:], user.id if user else None)
    await send(update.effective_message, render_feed_added(added))


@command
async def removefeed(update: Update, context: BotContext) -> None:
    """/removefeed URL: stop polling a feed."""
    assert update.effective_message is not None
    require_bot_admin(update, context)
    words = argument_text(update.effective_message).split()
    if len(words) != 1:
        await send(update.effective_message, render_usage("Usage: /removefeed URL (see /feeds)"))
        return
    feed = await context.services.admin.remove_feed(words[0])
    await send(update.effective_message, render_feed_removed(feed))
