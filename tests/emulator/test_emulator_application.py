"""A real ``telegram.ext.Application`` polling the emulator end to end."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot.emulator import BotApiEmulator, RateLimits

TOKEN = "123456:TEST-token_for-tests"


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Business", callback_data="topic:business")]])
    await update.effective_message.reply_html("<b>Welcome!</b> Pick a topic:", reply_markup=keyboard)


async def _toggle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Subscribed")
    await query.edit_message_reply_markup(
        InlineKeyboardMarkup([[InlineKeyboardButton("Business ✅", callback_data="topic:business")]])
    )


@contextlib.asynccontextmanager
async def polling(app: Application) -> AsyncIterator[Application]:
    """Run ``app`` with long polling (short timeouts so the test stays fast)."""
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(timeout=1, poll_interval=0)
        await app.start()
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


async def test_application_answers_start_and_button() -> None:
    async with BotApiEmulator() as emu:
        app = ApplicationBuilder().token(TOKEN).base_url(emu.base_url).build()
        app.add_handler(CommandHandler("start", _start))
        app.add_handler(CallbackQueryHandler(_toggle))
        async with polling(app):
            await emu.send_user_message(42, "/start")
            reply = await emu.next_message(42, timeout=5)
            assert reply.text == "Welcome! Pick a topic:"
            assert reply.reply_markup == [[("Business", "topic:business")]]
            query_id = await emu.press_button(42, reply.message_id, "topic:business")
            answer = await emu.wait_callback_answer(query_id, timeout=5)
            assert answer.text == "Subscribed"
            edited = await emu.next_message(42, timeout=5)
            assert edited.edited and edited.message_id == reply.message_id
            assert edited.reply_markup == [[("Business ✅", "topic:business")]]
            await emu.wait_for_idle(quiet=0.1, timeout=5)
        # Shutting down confirmed everything: nothing is left for the next poller.
        assert emu.pending_updates() == 0
        assert emu.violations == []


async def test_group_command_with_bot_username() -> None:
    async with BotApiEmulator() as emu:
        await emu.add_chat(-500, "group", title="Team")
        app = ApplicationBuilder().token(TOKEN).base_url(emu.base_url).build()
        app.add_handler(CommandHandler("start", _start))
        async with polling(app):
            await emu.send_user_message(-500, f"/start@{emu.bot_username}", user_id=9)
            reply = await emu.next_message(-500, timeout=5)
            assert reply.text.startswith("Welcome!")


async def test_aioratelimiter_paced_broadcast_gets_no_429() -> None:
    """45 chats at once through PTB's AIORateLimiter (30/s overall): the emulator must not refuse any."""
    async with BotApiEmulator(record_messages=False, rate_limits=RateLimits()) as emu:
        chats = list(range(1, 46))
        for chat_id in chats:
            await emu.add_chat(chat_id)
        app = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(emu.base_url)
            .rate_limiter(AIORateLimiter(max_retries=0))
            .build()
        )
        async with app:
            await asyncio.gather(
                *(app.bot.send_message(c, f"<i>news {c}</i>", parse_mode=ParseMode.HTML) for c in chats)
            )
        assert emu.sent_count() == 45
        assert emu.violations == []
