"""The error handler, unknown commands, and callbacks nobody else claims."""

from __future__ import annotations

import logging

from telegram import Chat as TgChat
from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.context import BotContext
from bot.handlers.common import answer, button, command, send
from bot.render.replies import render_internal_error, render_unknown_command

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log the trace once and tell the user, briefly, that it was our fault."""
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await answer(update.callback_query, "Sorry, something went wrong. Please try again.")
            return
        chat = update.effective_chat
        if update.message is not None and chat is not None:
            reply = render_internal_error()
            await context.bot.send_message(chat.id, reply.html, parse_mode=ParseMode.HTML)
    except TelegramError as exc:  # the apology itself failed (blocked, flood limit): nothing more to do
        log.warning("could not send the error apology: %s", exc)


@command
async def unknown_command(update: Update, context: BotContext) -> None:
    """A command we don't have: point to /help (in groups only when it was addressed to us)."""
    message = update.message
    assert message is not None and update.effective_chat is not None
    text = message.text or message.caption or ""  # a photo can carry a command in its caption
    word = text.split(maxsplit=1)[0] if text.strip() else ""
    name, _, addressee = word.partition("@")
    if addressee and addressee.lower() != (context.bot.username or "").lower():
        return  # meant for another bot
    if update.effective_chat.type != TgChat.PRIVATE and not addressee:
        return  # groups have other bots; answer only what names us
    await send(message, render_unknown_command(name or word))


@button
async def stale_button(update: Update, context: BotContext) -> str | None:
    """A button whose data we no longer understand (an old keyboard): say so instead of spinning."""
    return "This button no longer works."
