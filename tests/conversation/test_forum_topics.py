"""Forum supergroups: what is asked in a topic is answered in that topic, not in "General"."""

from __future__ import annotations

import sqlite3

from bot.context import BotApplication
from bot.emulator import BotApiEmulator, SentMessage
from tests.conftest import services_of
from tests.conversation.helpers import store_samples

FORUM = -100800
ADMIN = 801


async def _forum(emulator: BotApiEmulator) -> int:
    await emulator.add_chat(FORUM, "supergroup", "Readers")
    await emulator.set_member_status(FORUM, ADMIN, "administrator")
    return await emulator.create_topic(FORUM, "News", user_id=ADMIN)


async def _ask(emulator: BotApiEmulator, text: str, topic: int) -> SentMessage:
    await emulator.send_user_message(FORUM, text, user_id=ADMIN, thread_id=topic)
    return await emulator.next_message(FORUM)


async def test_replies_and_summary_buttons_stay_in_the_topic(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    topic = await _forum(emulator)
    await store_samples(running_bot)
    latest = await _ask(emulator, "/latest", topic)
    assert latest.message_thread_id == topic
    query = await emulator.press_button(FORUM, latest.message_id, latest.button_data("📄"), user_id=ADMIN)
    await emulator.wait_callback_answer(query)
    summary = await emulator.next_message(FORUM)
    assert summary.reply_to_message_id == latest.message_id and summary.message_thread_id == topic


async def test_digest_asked_in_a_topic_arrives_in_that_topic(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    topic = await _forum(emulator)
    await _ask(emulator, "/settings digest 08:00", topic)
    await _ask(emulator, "/subscribe science", topic)
    services = services_of(running_bot)
    await services.delivery.plan_alerts(await store_samples(running_bot), services.clock.now())
    digest = await _ask(emulator, "/digest", topic)
    # It used to go to "General", where nobody reading the "News" topic who asked for it would look.
    assert "Solar-powered sensors" in digest.text
    assert digest.message_thread_id == topic


async def test_an_apology_in_a_topic_stays_in_that_topic(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    topic = await _forum(emulator)
    await _ask(emulator, "/mysubs", topic)
    with sqlite3.connect(services_of(running_bot).settings.db_path) as conn:
        conn.execute("DROP TABLE subscriptions")  # an unexpected failure on our side
    apology = await _ask(emulator, "/mysubs", topic)
    assert apology.text.startswith("Sorry, something went wrong")
    assert apology.message_thread_id == topic
