"""/settings (arguments and buttons), /stop with confirmation, and group -> supergroup migration."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.handlers.common import (
    argument_text,
    button,
    callback_parts,
    command,
    edit,
    ensure_chat,
    fits_toast,
    remember_news_topic,
    require_manager,
    send,
)
from bot.render.replies import (
    describe_change,
    render_settings,
    render_stop_cancelled,
    render_stop_confirm,
    render_stopped,
)
from bot.store.models import Chat


@command
async def settings(update: Update, context: BotContext) -> None:
    """/settings shows the panel; /settings NAME VALUE changes one setting."""
    assert update.effective_message is not None
    text = argument_text(update.effective_message)
    chat = await ensure_chat(update, context, reading=not text)  # the panel alone only reads
    if not text:
        await send(update.effective_message, render_settings(chat))
        return
    await require_manager(update, context)
    updated, changed = await context.services.chats.apply(chat.id, text.split())
    await remember_news_topic(update, context, updated)
    await send(
        update.effective_message, render_settings(updated, saved=describe_change(updated, changed, chat))
    )


@button
async def settings_button(update: Update, context: BotContext) -> str | None:
    """A settings button ("set:mode:digest", "set:len:3", "set:pause", "set:resume", "set:quiet:off")."""
    assert update.callback_query is not None
    parts = callback_parts(update)[1:]
    await require_manager(update, context)
    chat = await ensure_chat(update, context)
    chats = context.services.chats
    updated: Chat
    match parts:
        case ["mode", ("instant" | "digest") as mode]:
            updated, what = await chats.set_mode(chat.id, mode), "mode"
        case ["len", value]:
            updated, what = await chats.set_length(chat.id, value), "length"
        case ["pause"]:
            updated, what = await chats.set_paused(chat.id, True), "pause"
        case ["resume"]:
            updated, what = await chats.set_paused(chat.id, False), "resume"
        case ["quiet", "off"]:
            updated, what = await chats.set_quiet_hours(chat.id, "off"), "quiet"
        case _:
            return "This button no longer works."
    await remember_news_topic(update, context, updated)
    change = describe_change(updated, what, chat)
    if fits_toast(change):
        await edit(update.callback_query, render_settings(updated))
        return change
    # A toast holds 200 characters: a longer confirmation (several digest times held by quiet hours, a paused
    # chat) was cut mid-word, losing when the digests come. The redrawn panel carries it whole instead.
    await edit(update.callback_query, render_settings(updated, saved=change))
    return "Saved: see the settings message."


@command
async def stop(update: Update, context: BotContext) -> None:
    """/stop: ask for confirmation before deleting the chat's data."""
    assert update.effective_message is not None
    await require_manager(update, context)
    await send(update.effective_message, render_stop_confirm())


@button
async def stop_button(update: Update, context: BotContext) -> str | None:
    """The /stop confirmation: "stop:yes" deletes everything, "stop:no" keeps it."""
    assert update.callback_query is not None and update.effective_chat is not None
    parts = callback_parts(update)
    if parts not in (["stop", "no"], ["stop", "yes"]):
        return "This button no longer works."
    # In a group, the prompt belongs to its administrators: a member can neither confirm nor dismiss it.
    await require_manager(update, context)
    if parts == ["stop", "no"]:
        await edit(update.callback_query, render_stop_cancelled(), saved=False)
        return None
    deleted = await context.services.chats.stop(update.effective_chat.id)
    # A double tap finds nothing left: the message already says "Done" and must keep saying it.
    await edit(update.callback_query, render_stopped())
    return "Deleted." if deleted else "There was nothing to delete."


async def migrated(update: Update, context: BotContext) -> None:
    """A group became a supergroup: move its settings and subscriptions to the new chat id."""
    message = update.message
    if message is None:
        return
    if message.migrate_to_chat_id:
        await context.services.chats.migrate(message.chat_id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id:
        await context.services.chats.migrate(message.migrate_from_chat_id, message.chat_id)
