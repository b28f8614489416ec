"""What handlers share: guards for malformed updates, UserError replies, chat registration, admin checks."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import re
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, TypeVar

from telegram import CallbackQuery, ChatMember, LinkPreviewOptions, Message, ReplyParameters, Update
from telegram import Chat as TgChat
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, RetryAfter, TelegramError

from bot.context import BotContext
from bot.errors import UserError, retry_after_seconds, telegram_unreachable, topic_gone
from bot.render.replies import (
    Reply,
    render_admin_only,
    render_group_admin_only,
    render_problem,
    render_stopped_early,
    render_stopped_early_toast,
)
from bot.render.text import truncate
from bot.store.models import Chat
from bot.updates import PerChatUpdateProcessor

log = logging.getLogger(__name__)

MAX_ARGUMENT_CHARS = 4000
MAX_RETRY_WAIT_SECONDS = 10.0
MAX_TOAST_CHARS = 200  # answerCallbackQuery's text
RETRIES = 3
T = TypeVar("T")
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_COMMAND_PREFIX = re.compile(r"^/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?")

Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]
ButtonHandler = Callable[[Update, BotContext], Coroutine[Any, Any, str | None]]


class GroupAdminRequired(Exception):
    """A group member who is not an administrator tried to change the group's settings."""


class BotAdminRequired(Exception):
    """Someone not in NEWSBOT_ADMIN_IDS used an admin command."""


def command(func: Handler, *, answers: Callable[[Update, BotContext], bool] | None = None) -> Handler:
    """Wrap a message handler: skip updates without a message or chat; answer UserError with its message.

    ``answers``: whether ``func`` answers this message at all (plain text in a group does not); a stopping bot
    tells only such messages to be sent again.
    """

    @functools.wraps(func)
    async def wrapper(update: Update, context: BotContext) -> None:
        message = new_message(update)
        if message is None or update.effective_chat is None:
            return  # edited messages and other shapes are not conversation
        if _stopped_early(context):  # its turn came after the stop's grace: no time to do it
            if answers is not None and not answers(update, context):
                return  # members talking to each other, a command for another bot: never ours to answer
            # Quoted: several may be waiting (a group's members', one person's burst), and "send it again"
            # unquoted named none of them.
            with contextlib.suppress(TelegramError):
                await send(message, render_stopped_early(), quote=True)
            return
        try:
            await _come_back(update, context)
            await func(update, context)
        except UserError as exc:
            await send(message, render_problem(exc.message))
        except GroupAdminRequired:
            await send(message, render_group_admin_only())
        except BotAdminRequired:
            # A new operator's first /stats lands here: the log is where they learn the id to put in the setting.
            user = update.effective_user
            log.info(
                "%s refused: user %s is not in NEWSBOT_ADMIN_IDS",
                _command_name(message),
                user.id if user is not None else "(none)",
            )
            await send(message, render_admin_only())
        except asyncio.CancelledError:
            if _stopped_early(context):
                # Telegram has been told this message was read: it never comes again, so the sender must know.
                with contextlib.suppress(TelegramError):
                    await send(message, render_stopped_early(), quote=True)
            raise

    return wrapper


def _command_name(message: Message) -> str:
    """The command a message starts with, without arguments or @addressee ("/stats")."""
    match = _COMMAND_PREFIX.match(message.text or message.caption or "")
    return match.group(0).partition("@")[0] if match else "a command"


def _stopped_early(context: BotContext) -> bool:
    """Whether the update being handled was cancelled by the bot stopping (not by the console's Ctrl-C)."""
    processor = context.application.update_processor
    return isinstance(processor, PerChatUpdateProcessor) and processor.stopped_early()


async def _come_back(update: Update, context: BotContext) -> None:
    """A chat deactivated when Telegram refused it (blocked, removed, muted) that writes to us is reachable again.

    Telegram tells of an unblock or a re-add by a my_chat_member update, but that update is lost when the bot
    was offline longer than a day, and a 403 to an alert already on its way can land after it: the chat then
    stayed inactive, with no alerts, however much /help, /latest or /search it sent.
    """
    tg = update.effective_chat
    assert tg is not None
    chat = await context.services.chats.get(tg.id)
    if chat is not None and not chat.active:
        # For reading: a database refusing this write must not keep /latest from its answer (a command that
        # writes is refused by its own write).
        await context.services.chats.ensure_for_reading(tg.id, tg.type, chat_title(tg))


def new_message(update: Update) -> Message | None:
    """The update's new message: one in a private chat or group, or a post in a channel; None for edits."""
    return update.message or update.channel_post


def button(func: ButtonHandler) -> Handler:
    """Wrap a callback-query handler: answer the query once, with the handler's toast or a UserError."""

    @functools.wraps(func)
    async def wrapper(update: Update, context: BotContext) -> None:
        query = update.callback_query
        if query is None:
            return
        if update.effective_chat is None or not query.data:
            await answer(query, "This button no longer works.")
            return
        if _stopped_early(context):  # its turn came after the stop's grace: no time to do it
            await answer(query, render_stopped_early_toast(), alert=True)
            return
        try:
            toast = await func(update, context)
        except UserError as exc:
            await answer(query, exc.message[:190], alert=True)
        except GroupAdminRequired:
            kind = "channel" if update.effective_chat.type == TgChat.CHANNEL else "group"
            await answer(query, f"Only this {kind}'s administrators can change that.", alert=True)
        except asyncio.CancelledError:
            if _stopped_early(context):
                # Unanswered, the tap spun until Telegram gave up, and whether it took effect was anyone's guess.
                await answer(query, render_stopped_early_toast(), alert=True)
            raise
        else:
            await answer(query, toast)

    return wrapper


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def fits_toast(text: str) -> bool:
    """Whether ``text`` fits a callback answer whole (Telegram counts UTF-16 units)."""
    return _utf16_len(text) <= MAX_TOAST_CHARS


async def answer(query: CallbackQuery, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a callback query; network trouble is only logged (the user's spinner just stops later)."""
    if text is not None and _utf16_len(text) > MAX_TOAST_CHARS:
        # Telegram refuses a longer toast outright, and the user would get no answer at all. It measures text
        # in UTF-16 units, where an emoji beyond the first plane counts twice: room is left for each.
        text = truncate(text, MAX_TOAST_CHARS - (_utf16_len(text) - len(text)))
    try:
        await query.answer(text, show_alert=alert)
    except TelegramError as exc:
        log.debug("could not answer callback query: %s", exc)


async def send(message: Message, replies: Reply | Sequence[Reply], *, quote: bool = False) -> list[Message]:
    """Send one or more replies in the message's chat (HTML, no link previews)."""
    items: Sequence[Reply] = [replies] if isinstance(replies, Reply) else replies
    topic = message.message_thread_id if message.is_topic_message else None
    # Only a reply lands among a post's comments (message_thread_id is for forum topics), so a comment is quoted.
    quote = quote or await in_comments(message)
    sent: list[Message] = []
    for reply in items:
        try:
            sent.append(await _reply(message, reply, quote=quote, thread_id=topic))
        except BadRequest as exc:
            if topic is None or not topic_gone(exc.message):
                raise
            # Asked in a forum topic closed to the bot (administrators still post there) or deleted since: the
            # answer goes to "General", as a /digest asked there does, rather than nowhere.
            topic = None
            sent.append(await _reply(message, reply, quote=False, thread_id=None))
    return sent


async def in_comments(message: Message) -> bool:
    """Whether ``message`` is a comment under a channel post: a reply in the thread of the post's copy in the
    channel's discussion group, where only a reply to it reaches the commenter."""
    replied = message.reply_to_message
    if message.is_topic_message or replied is None or message.chat.type != TgChat.SUPERGROUP:
        return False
    if replied.is_automatic_forward:
        return True
    if replied.message_thread_id is None:
        return False  # a reply to a message that is in no reply thread
    # A reply to a comment: the update does not say the thread's first message is a post's copy, but only a
    # channel's discussion group has such threads (other supergroups' reply chains are answered unquoted).
    try:
        return (await message.get_bot().get_chat(message.chat_id)).linked_chat_id is not None
    except TelegramError as exc:
        log.debug("getChat failed for chat %s: %s", message.chat_id, exc)
        return False


async def _reply(message: Message, reply: Reply, *, quote: bool, thread_id: int | None) -> Message:
    """One reply in the message's chat, in forum topic ``thread_id`` (None: "General", or no forum)."""
    # A quoted message deleted meanwhile (a comment, say) would refuse the answer: it goes unquoted instead.
    reply_to = ReplyParameters(message.message_id, allow_sending_without_reply=True) if quote else None
    return await obey_flood_limits(
        lambda: message.reply_html(
            reply.html,
            reply_markup=reply.keyboard,
            link_preview_options=NO_PREVIEW,
            do_quote=quote,
            reply_parameters=reply_to,
            message_thread_id=thread_id,
        )
    )


async def send_to_chat(
    context: BotContext, chat_id: int, replies: Reply | Sequence[Reply], *, reply_to: int | None = None
) -> None:
    """Send replies to a chat by id (callback handlers have no user message to reply to)."""
    items: Sequence[Reply] = [replies] if isinstance(replies, Reply) else replies
    for reply in items:
        try:
            await _send_reply_to(context, chat_id, reply, reply_to)
        except BadRequest as exc:
            if reply_to is None or not topic_gone(exc.message):
                raise
            # A reply lands in the forum topic of the message it answers: one closed to the bot since (or
            # deleted) refuses it, so it goes to "General" instead, as a command's answer does.
            reply_to = None
            await _send_reply_to(context, chat_id, reply, None)


async def _send_reply_to(context: BotContext, chat_id: int, reply: Reply, reply_to: int | None) -> None:
    await obey_flood_limits(
        lambda: context.bot.send_message(
            chat_id,
            reply.html,
            parse_mode=ParseMode.HTML,
            reply_markup=reply.keyboard,
            link_preview_options=NO_PREVIEW,
            reply_to_message_id=reply_to,
            allow_sending_without_reply=True,
        )
    )


async def edit(query: CallbackQuery, reply: Reply, *, saved: bool = True) -> None:
    """Replace the text and keyboard of the message a button belongs to (see ``_redraw``).

    ``saved=False``: the tap changed nothing but this message (a page turn), so a long flood wait is raised for
    the error handler to tell the tapper how long to wait, instead of leaving the tap answered by nothing.
    """
    await _redraw(
        "message",
        lambda: query.edit_message_text(
            reply.html,
            parse_mode=ParseMode.HTML,
            reply_markup=reply.keyboard,
            link_preview_options=NO_PREVIEW,
        ),
        saved=saved,
    )


async def edit_keyboard(query: CallbackQuery, reply: Reply) -> None:
    """Replace only the keyboard of the message a button belongs to (see ``_redraw``)."""
    await _redraw("keyboard", lambda: query.edit_message_reply_markup(reply_markup=reply.keyboard))


async def _redraw(what: str, call: Callable[[], Awaitable[object]], *, saved: bool = True) -> None:
    """Redraw a button's message; "not modified" is fine, and so is a message deleted since the tap.

    A 429 is waited out as for every other reply, or, when Telegram asks for longer, the message is left as it
    was: the change behind the button is saved already (``saved``), and an apology would tell the user it failed.
    """
    try:
        await obey_flood_limits(call)
    except RetryAfter as exc:
        if not saved:
            raise
        log.info("button's %s not redrawn (flood limit, retry after %s s)", what, retry_after_seconds(exc))
    except BadRequest as exc:
        problem = str(exc).lower()
        if "message to edit not found" in problem:
            # Deleted after the tap (while the bot was busy or offline): the change is saved all the same, and
            # "something went wrong, try again" sent the user after a button that no longer exists.
            log.info("button's %s not redrawn: the message was deleted", what)
        elif "not modified" not in problem:
            raise


async def obey_flood_limits(call: Callable[[], Awaitable[T]]) -> T:
    """Run a Bot API call; on 429 wait the retry_after Telegram asked for and try again (a few times)."""
    for attempt in range(RETRIES):
        try:
            return await call()
        except RetryAfter as exc:
            wait = retry_after_seconds(exc)
            if wait > MAX_RETRY_WAIT_SECONDS or attempt == RETRIES - 1:
                raise
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")


def argument_text(message: Message) -> str:
    """The raw text after the command (newlines and quotes intact); UserError when it is too long."""
    text = message.text or message.caption or ""
    rest = _COMMAND_PREFIX.sub("", text, count=1).strip()
    check_length(rest)
    return rest


def check_length(text: str, limit: int = MAX_ARGUMENT_CHARS) -> None:
    """UserError when user input is over our limit."""
    if len(text) > limit:
        raise UserError(f"That is too long ({len(text):,} characters); please send at most {limit:,}.")


async def ensure_chat(update: Update, context: BotContext, *, reading: bool = False) -> Chat:
    """The stored chat of this update, registering it on first contact.

    ``reading``: the command only reads, so a database refusing the registration does not keep it from an answer.
    """
    tg = update.effective_chat
    assert tg is not None  # the decorators only call handlers with a chat
    chats = context.services.chats
    if reading:
        return await chats.ensure_for_reading(tg.id, tg.type, chat_title(tg))
    return await chats.ensure(tg.id, tg.type, chat_title(tg))


def chat_title(tg: TgChat) -> str | None:
    """The name a chat is stored under: a group's title, a private chat's first name or username."""
    return tg.title if tg.type != TgChat.PRIVATE else (tg.first_name or tg.username)


async def remember_news_topic(update: Update, context: BotContext, chat: Chat) -> None:
    """In a forum, alerts and digests go to the topic where an administrator last set the chat up."""
    tg = update.effective_chat
    message = update.effective_message
    if tg is None or not tg.is_forum or message is None:
        return
    thread = message.message_thread_id if message.is_topic_message else None
    if thread != chat.thread_id:
        await context.services.chats.set_news_topic(chat.id, thread)


async def require_manager(update: Update, context: BotContext) -> None:
    """Raise GroupAdminRequired unless the sender may change this chat's settings and subscriptions."""
    if not await may_manage(update, context):
        raise GroupAdminRequired()


async def may_manage(update: Update, context: BotContext) -> bool:
    """Private chats: always. Groups and channels: chat administrators (and anonymous admins posting as the group).

    Only a channel's administrators can post in it, so a channel post is always from one; a button in a
    channel is pressed by a subscriber, whose rights getChatMember tells.
    """
    chat = update.effective_chat
    if chat is None:
        return False
    if chat.type == TgChat.PRIVATE or update.channel_post is not None:
        return True
    message = update.effective_message
    if message is not None and message.sender_chat is not None and update.callback_query is None:
        # Anonymous administrators post as the group itself; a linked channel posting is not an admin.
        return message.sender_chat.id == chat.id
    user = update.effective_user
    if user is None:
        return False
    kind = "channel" if chat.type == TgChat.CHANNEL else "group"
    try:
        member = await obey_flood_limits(lambda: context.bot.get_chat_member(chat.id, user.id))
    except ChatMigrated:
        # A button on a message from before the group became a supergroup: Telegram says nothing of its
        # members any more, which is no refusal of an admin (the error handler answers the tap).
        raise
    except RetryAfter as exc:
        # No answer is no refusal: "only administrators can change that" told a real administrator they were
        # none. The change is not made, and they learn when to ask again.
        wait = math.ceil(retry_after_seconds(exc))
        log.warning("getChatMember in chat %s: Telegram asks to wait %d s", chat.id, wait)
        raise UserError(
            f"Telegram asks me to wait {wait} s before I can check who administers this {kind}; try again then."
        ) from None
    except TelegramError as exc:
        log.warning("getChatMember failed for chat %s: %s", chat.id, exc)
        if telegram_unreachable(exc):
            # A timeout, a 5xx, a proxy's page: nothing was said about the sender either.
            raise UserError(
                f"Telegram could not tell me just now whether you administer this {kind}; "
                "please try again in a minute."
            ) from None
        return False
    return member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER)


def require_bot_admin(update: Update, context: BotContext) -> None:
    """Raise BotAdminRequired unless the sender is one of NEWSBOT_ADMIN_IDS."""
    if not is_bot_admin(update, context):
        raise BotAdminRequired()


def is_bot_admin(update: Update, context: BotContext) -> bool:
    """Whether the sender is one of NEWSBOT_ADMIN_IDS (never in a channel post)."""
    if update.channel_post is not None:
        # A channel that signs posts with its admins' profiles sends their ``from``; whoever signed it, the
        # answer would be a post every subscriber reads.
        return False
    user = update.effective_user
    return context.services.admin.is_admin(user.id if user else None)


def first_name(update: Update) -> str | None:
    """The sender's first name, for greetings; None for a message sent on behalf of a chat."""
    message = update.effective_message
    if message is not None and message.sender_chat is not None:
        # An anonymous admin or a channel: Telegram fills ``from`` with a placeholder bot named "Group" or
        # "Channel", which is nobody's name.
        return None
    user = update.effective_user
    return user.first_name if user else None


def requester_id(update: Update) -> int | None:
    """Who is asking, whatever the chat: the sender's user id, or the chat a message was sent on behalf of.

    Anonymous administrators and channels all post as one placeholder user; counting that user would make
    every such sender share one allowance, so the chat they speak for counts instead.
    """
    message = update.effective_message
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id
    user = update.effective_user
    return user.id if user else None


def callback_parts(update: Update, maxsplit: int = -1) -> list[str]:
    """The callback_data split at ':' (at most ``maxsplit`` times)."""
    query = update.callback_query
    return (query.data or "").split(":", maxsplit) if query else []
