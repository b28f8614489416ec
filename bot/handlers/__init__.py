"""Chat handlers: one module per area; ``register_handlers`` wires them into the Application."""

from __future__ import annotations

import re

from telegram import BotCommand, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import BotApplication, BotContext
from bot.handlers import admin, articles, errors, settings, start, subscriptions
from bot.handlers.common import Handler, new_message
from bot.render.replies import command_descriptions

BOT_COMMANDS: list[BotCommand] = [BotCommand(name, text) for name, text in command_descriptions()]

# New messages and channel posts are conversation (an admin posting a command in a channel talks to us);
# edits are ignored everywhere, so editing an old command never runs it again. Telegram copies every channel
# post into the channel's discussion group (is_automatic_forward, sent as the channel): the post was answered
# in the channel already, and nobody in the group asked.
_NEW_MESSAGE = (filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST) & ~filters.IS_AUTOMATIC_FORWARD
_CAPTIONED_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?(?:\s|$)")


def _command_table() -> dict[str, Handler]:
    return {
        "start": start.start,
        "help": start.help_command,
        "topics": start.topics,
        "subscribe": subscriptions.subscribe,
        "unsubscribe": subscriptions.unsubscribe,
        "mysubs": subscriptions.mysubs,
        "latest": articles.latest,
        "summary": articles.summary,
        "search": articles.search,
        "digest": articles.digest,
        "settings": settings.settings,
        "stop": settings.stop,
        "stats": admin.stats,
        "feeds": admin.feeds,
        "addfeed": admin.addfeed,
        "removefeed": admin.removefeed,
    }


def _commands() -> list[BaseHandler[Update, BotContext, None]]:
    table = _command_table()
    return [CommandHandler(name, callback, filters=_NEW_MESSAGE) for name, callback in table.items()]


async def captioned_command(update: Update, context: BotContext) -> None:
    """A photo captioned "/summary ..." or "/subscribe ...": run the command like a text one.

    PTB's CommandHandler reads only a message's text, so without this a captioned command got the plain-text
    hint in private chats and silence in groups.
    """
    message = new_message(update)
    if message is None or not message.caption:
        return
    name, _, addressee = message.caption.split(maxsplit=1)[0][1:].partition("@")
    if addressee and addressee.lower() != (context.bot.username or "").lower():
        return  # meant for another bot
    articles.claim_album(context, message)  # the album's other photos get no hint: this answers it
    callback = _command_table().get(name.lower(), errors.unknown_command)
    await callback(update, context)


def register_handlers(application: BotApplication) -> None:
    """Add every conversation handler and the error handler to ``application``."""
    handlers: list[BaseHandler[Update, BotContext, None]] = [
        MessageHandler(filters.StatusUpdate.MIGRATE, settings.migrated),
        ChatMemberHandler(errors.chat_member_changed, ChatMemberHandler.MY_CHAT_MEMBER),
        *_commands(),
        CallbackQueryHandler(start.toggle_topic, pattern=r"^t:"),
        CallbackQueryHandler(articles.summary_button, pattern=r"^sum:"),
        CallbackQueryHandler(articles.latest_page_button, pattern=r"^lat:"),
        CallbackQueryHandler(articles.search_page_button, pattern=r"^sch:"),
        CallbackQueryHandler(settings.settings_button, pattern=r"^set:"),
        CallbackQueryHandler(settings.stop_button, pattern=r"^stop:"),
        CallbackQueryHandler(errors.stale_button),
        MessageHandler(_NEW_MESSAGE & filters.COMMAND, errors.unknown_command),
        MessageHandler(_NEW_MESSAGE & filters.CaptionRegex(_CAPTIONED_COMMAND), captioned_command),
        MessageHandler(_NEW_MESSAGE & ~filters.COMMAND & ~filters.StatusUpdate.ALL, articles.plain_text),
    ]
    application.add_handlers(handlers)
    application.add_error_handler(errors.on_error)
