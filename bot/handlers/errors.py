"""The error handler, unknown commands, and callbacks nobody else claims."""

from __future__ import annotations

import functools
import logging
import math
import sqlite3
from dataclasses import dataclass

from telegram import Chat as TgChat
from telegram import ChatMember, ChatMemberAdministrator, ChatMemberRestricted, Update
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.context import BotContext
from bot.errors import (
    cannot_post,
    chat_gone,
    not_telegrams_answer,
    retry_after_seconds,
    telegram_unreachable,
    topic_gone,
)
from bot.handlers.common import (
    answer,
    button,
    command,
    ensure_chat,
    is_bot_admin,
    new_message,
    send,
    send_to_chat,
)
from bot.logs import CountedLines
from bot.render.replies import (
    render_group_intro,
    render_internal_error,
    render_not_saved,
    render_not_saved_toast,
    render_unknown_command,
    suggest_command,
)
from bot.store import write_refused

log = logging.getLogger(__name__)

# Answers lost while Telegram is unreachable are logged one, then a count at most this often.
LOST_ANSWERS_LOG_EVERY_SECONDS = 60.0
# A loss this long after the one before starts a new outage, whose first lost answer is named again.
LOST_ANSWERS_NEW_OUTAGE_SECONDS = 300.0

MIGRATED_BUTTON = (
    "This group has become a supergroup, so buttons on its older messages no longer work: "
    "send the command again."
)


async def on_error(update: object, context: BotContext) -> None:
    """Log the trace once and tell the user, briefly, that it was our fault.

    A chat that is gone (the bot was removed or blocked while answering) or became a supergroup is not our
    fault: it is noted, one log line, and nobody is left to apologize to.
    """
    if isinstance(update, Update) and await _chat_left(update, context):
        return
    if isinstance(update, Update) and isinstance(context.error, RetryAfter):
        await _flood_limited(update, context.error)
        return
    if isinstance(update, Update) and await _topic_closed(update, context.error):
        return
    if isinstance(context.error, NetworkError) and telegram_unreachable(context.error):
        # Telegram unreachable while answering (a timeout, a 5xx, a proxy's page): not our fault, and an apology
        # would fail the same way. Logged with a trace (and the proxy's whole page), every command of an outage
        # filled the log.
        reason = str(context.error).partition(". Parsing the server response ")[0]
        _log_lost_answer(update, context, reason[:200])
        if isinstance(update, Update) and update.callback_query is not None:
            # A tap's answer may still get through (it is another request), and its spinner must stop.
            await answer(
                update.callback_query, "Telegram did not take my answer just now; tap again in a minute."
            )
        return
    refused = False
    if isinstance(context.error, sqlite3.OperationalError) and write_refused(context.error):
        # A full disk or another program's lock: no bug, so no trace (one a command filled the log), but the
        # line says what to fix, and the user is told it was not saved rather than "something went wrong".
        refused = True
        log.error("%s not done: %s", _about(update), context.services.db.refusal(context.error))
    else:
        log.error("error while handling %s", _about(update), exc_info=context.error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            toast = render_not_saved_toast() if refused else "Sorry, something went wrong. Please try again."
            await answer(update.callback_query, toast)
            return
        message = new_message(update)
        if message is not None and update.effective_chat is not None:
            # Through the user's message: PTB then addresses a forum topic's apology to that topic, not "General".
            await send(message, render_not_saved() if refused else render_internal_error())
    except TelegramError as exc:  # the apology itself failed (blocked, flood limit): nothing more to do
        log.warning("could not send the error apology: %s", exc)


@dataclass(slots=True)
class _LostAnswers(CountedLines):
    """Answers Telegram was unreachable for since the last line that said so, when that line was written, when
    the last answer was lost, and why."""

    every: float = LOST_ANSWERS_LOG_EVERY_SECONDS
    last_lost_at: float | None = None
    reason: str = ""


def _log_lost_answer(update: object, context: BotContext, reason: str) -> None:
    """Log an answer lost to an outage: the first, then a count at most every LOST_ANSWERS_LOG_EVERY_SECONDS.

    One line per command of an outage flooded the log, where the sender's parked alerts write one a minute.
    """
    services = context.application.bot_data.get("services")
    lost = context.application.bot_data.setdefault("lost_answers", _LostAnswers())
    assert isinstance(lost, _LostAnswers)
    now = services.clock.now() if services is not None else None
    earlier = 0
    if (
        now is not None
        and lost.last_lost_at is not None
        and now - lost.last_lost_at > LOST_ANSWERS_NEW_OUTAGE_SECONDS
    ):
        # A new outage: otherwise its first line, hours later, was a count that took in the last outage's
        # uncounted tail, and never named the command. That tail is said once, in this line.
        earlier, lost.unlogged, lost.logged_at = lost.unlogged, 0, None
    lost.last_lost_at = now
    lost.unlogged += 1
    lost.reason = reason
    if now is not None and not lost.due(now):
        return
    if lost.unlogged == 1:
        plural = "s" if earlier > 1 else ""
        tail = f"; {earlier} more answer{plural} not sent at the end of the last outage" if earlier else ""
        log.warning("answer to %s not sent: Telegram unreachable (%s)%s", _about(update), reason, tail)
    else:
        _log_lost_count(lost)
    lost.logged_at, lost.unlogged = now, 0


def log_lost_answers_counted(bot_data: dict[str, object], now: float, *, stopping: bool = False) -> None:
    """Called every tick, and as the bot stops: count the answers lost since the last line once
    LOST_ANSWERS_LOG_EVERY_SECONDS have passed (stopping: at once). Counted only at the next lost answer, the
    last ones of an outage waited for the next outage, days later, or were never said."""
    lost = bot_data.get("lost_answers")
    if isinstance(lost, _LostAnswers) and lost.tail_due(now, stopping=stopping):
        _log_lost_count(lost)
        lost.said(now)


def _log_lost_count(lost: _LostAnswers) -> None:
    more = "answer" if lost.unlogged == 1 else "answers"
    log.warning("Telegram unreachable (%s): %d more %s not sent", lost.reason, lost.unlogged, more)


def _about(update: object) -> str:
    """What failed and where, for the log: the command (or a button) and the chat, never the user's words.

    "error while handling an update" alone left an operator no way to find the chat or the command to retry.
    """
    if not isinstance(update, Update):
        return "an update"
    chat = update.effective_chat
    where = f" in chat {chat.id}" if chat is not None else ""
    if update.callback_query is not None:
        return f"a button{where}"
    message = update.effective_message
    text = (message.text or message.caption or "") if message is not None else ""
    word = text.split(maxsplit=1)[0][:64] if text.startswith("/") else ""
    return f"{word or 'a message'}{where}"


async def _flood_limited(update: Update, error: RetryAfter) -> None:
    """An answer Telegram told to wait longer than a handler waits (a group's 20 messages a minute are spent).

    Nothing is broken: one log line, no trace. A tap is told how long to wait; an apology in the chat would
    be refused the same way.
    """
    wait = math.ceil(retry_after_seconds(error))
    chat = update.effective_chat
    log.warning("answer in chat %s not sent: Telegram asks to wait %d s", chat.id if chat else None, wait)
    if update.callback_query is not None:
        await answer(
            update.callback_query,
            f"Telegram asks me to wait {wait} s before posting here again; tap again then.",
            alert=True,
        )


async def _topic_closed(update: Update, error: object) -> bool:
    """An answer refused because the forum topic it belongs in is closed to the bot ("General" too, once the
    answer fell back there); False for any other error.

    Not our fault and not the chat gone (other topics still take the news): one log line, no trace, and no
    apology, which the topic would refuse as well. A tap is told why nothing came.
    """
    if not isinstance(error, BadRequest) or not_telegrams_answer(error) or not topic_gone(error.message):
        return False
    chat = update.effective_chat
    log.warning("answer in chat %s not sent: %s", chat.id if chat else None, error.message)
    if update.callback_query is not None:
        await answer(update.callback_query, "I can't post in this topic: it is closed.", alert=True)
    return True


async def _chat_left(update: Update, context: BotContext) -> bool:
    """Handle an answer refused because the chat is gone or migrated; False for any other error."""
    error, chat = context.error, update.effective_chat
    if chat is None or not isinstance(error, Forbidden | ChatMigrated | BadRequest):
        return False
    if not isinstance(error, ChatMigrated) and not_telegrams_answer(error):
        return False  # a proxy's 403 page says nothing about this chat: an error to log, not a chat to drop
    if isinstance(error, BadRequest) and not (chat_gone(error.message) or cannot_post(error.message)):
        return False
    services = context.services
    if isinstance(error, ChatMigrated):
        log.warning("chat %s became supergroup %s while I was answering", chat.id, error.new_chat_id)
        await services.chats.migrate(chat.id, int(error.new_chat_id))
        if update.callback_query is not None:
            # A button on a message from before the upgrade: nothing can be done in the old group, and a tap
            # left unanswered only spins.
            await answer(update.callback_query, MIGRATED_BUTTON, alert=True)
    else:
        log.warning("chat %s is gone while I was answering (%s): deactivating", chat.id, error.message)
        await services.chats.gone(chat.id, error.message)
        if update.callback_query is not None:
            # A member's tap in a group where the bot was muted: unanswered, it spun until Telegram gave up.
            await answer(
                update.callback_query,
                "I'm not allowed to post in this chat, so I can't send that.",
                alert=True,
            )
    return True


async def chat_member_changed(update: Update, context: BotContext) -> None:
    """The bot was removed, blocked or muted: stop delivering there now, not at the next error; and back again."""
    change = update.my_chat_member
    if change is None:
        return
    member, chats = change.new_chat_member, context.services.chats
    status = member.status
    if status == ChatMember.RESTRICTED and isinstance(member, ChatMemberRestricted):
        # Restricted but still a member: only a mute (no text messages) stops the news.
        status = ChatMember.MEMBER if member.can_send_messages and member.is_member else "muted"
    if change.chat.type == TgChat.CHANNEL and not _may_post_in_channel(member):
        # Demoted, or an admin without "Post messages": in a channel only such admins can post at all.
        status = "not a posting admin" if status == ChatMember.MEMBER else status
        await chats.gone(change.chat.id, f"bot {status}")
    elif status in (ChatMember.LEFT, ChatMember.BANNED, "muted"):
        await chats.gone(change.chat.id, f"bot {status}")
    elif status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR):
        known = await chats.get(change.chat.id)
        if known is not None and not known.active:  # re-added or unblocked: it keeps what it followed
            await ensure_chat(update, context)
        elif (
            known is None
            and change.chat.type in (TgChat.GROUP, TgChat.SUPERGROUP)
            and change.old_chat_member.status in (ChatMember.LEFT, ChatMember.BANNED)
        ):
            # Just added to a group: members see a silent bot and wonder what it is for. One short hello (not
            # in a channel, where every subscriber would get it; not when made admin, which is no arrival).
            await send_to_chat(context, change.chat.id, render_group_intro(context.bot.username or ""))


def _may_post_in_channel(member: ChatMember) -> bool:
    """Whether the bot, as this member of a channel, may post there."""
    if isinstance(member, ChatMemberAdministrator):
        return member.can_post_messages is not False  # None: Telegram left it out, assume the usual right
    return member.status == ChatMember.OWNER


def _command_word(update: Update) -> str:
    """The command as typed, with its @addressee if any ("" for no text)."""
    message = new_message(update)
    text = (message.text or message.caption or "") if message is not None else ""  # a photo's caption too
    return text.split(maxsplit=1)[0] if text.strip() else ""


def _unknown_command_for_us(update: Update, context: BotContext) -> bool:
    """Whether a command we don't have is ours to answer: not one for another bot, and in groups (which have
    other bots) only one that names us."""
    _, _, addressee = _command_word(update).partition("@")
    if addressee:
        return addressee.lower() == (context.bot.username or "").lower()
    return update.effective_chat is not None and update.effective_chat.type == TgChat.PRIVATE


@functools.partial(command, answers=_unknown_command_for_us)
async def unknown_command(update: Update, context: BotContext) -> None:
    """A command we don't have: point to /help (in groups only when it was addressed to us)."""
    message = new_message(update)
    assert message is not None and update.effective_chat is not None
    if not _unknown_command_for_us(update, context):
        return
    word = _command_word(update)
    name = word.partition("@")[0]
    suggestion = suggest_command(name, admin=is_bot_admin(update, context))
    await send(message, render_unknown_command(name or word, suggestion))


@button
async def stale_button(update: Update, context: BotContext) -> str | None:
    """A button whose data we no longer understand (an old keyboard): say so instead of spinning."""
    return "This button no longer works."
