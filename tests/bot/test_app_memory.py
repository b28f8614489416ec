"""The application forgets the chats and users it served: memory stays flat however many talk to the bot."""

from __future__ import annotations

from bot.context import BotApplication
from bot.emulator import BotApiEmulator

CHATS = range(500, 530)


async def test_served_chats_and_users_are_not_remembered(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    for chat_id in CHATS:
        await emulator.add_chat(chat_id, "private")
        await emulator.send_user_message(chat_id, "/help")
    for chat_id in CHATS:
        await emulator.next_message(chat_id, timeout=10)
    # PTB (no persistence configured) would keep a set of every chat and user id it ever served.
    assert not running_bot._chat_ids_to_be_updated_in_persistence  # type: ignore[attr-defined]
    assert not running_bot._user_ids_to_be_updated_in_persistence  # type: ignore[attr-defined]
    assert not running_bot.chat_data
    assert not running_bot.user_data
