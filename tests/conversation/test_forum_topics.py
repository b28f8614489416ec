"""Forum supergroups: what is asked in a topic is answered in that topic, not in "General"."""

from __future__ import annotations

import json
import logging

import pytest

import bot.app
from bot.context import BotApplication
from bot.emulator import BotApiEmulator, SentMessage
from summaries.articles import Article
from tests.conftest import MakeBot, services_of
from tests.conversation.helpers import store_news, store_samples
from tests.delivery.support import wait_until
from tests.support.files import another_program
from tests.support.news_site import NewsSite

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
    # An unexpected failure on our side.
    await another_program(services_of(running_bot).settings.db_path, "DROP TABLE subscriptions")
    apology = await _ask(emulator, "/mysubs", topic)
    assert apology.text.startswith("Sorry, something went wrong")
    assert apology.message_thread_id == topic


async def _glacier_news(application: BotApplication, n: int) -> list[Article]:
    """A new article about glaciers (number ``n``)."""
    place = ("Aletsch", "Rhone", "Morteratsch")[n - 1]
    sentence = f"{place} glacier sensors{n} recorded melt{n} figures{n}x{{k}} this week."
    return await store_news(application, f"glacier-{n}", f"Glacier report {n}", sentence)


async def test_alerts_go_to_the_topic_the_group_was_set_up_in_and_to_general_once_it_is_gone(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    topic = await _forum(emulator)
    await _ask(emulator, "/subscribe glacier", topic)
    services = services_of(running_bot)
    await services.delivery.plan_alerts(await _glacier_news(running_bot, 1), services.clock.now())
    alert = await emulator.next_message(FORUM, timeout=15)
    # It went to "General", away from the topic where the group chose to follow this.
    assert "Glacier report 1" in alert.text and alert.message_thread_id == topic
    await emulator.delete_topic(FORUM, topic)
    await services.delivery.plan_alerts(await _glacier_news(running_bot, 2), services.clock.now())
    alert = await emulator.next_message(FORUM, timeout=15)
    assert "Glacier report 2" in alert.text and alert.message_thread_id is None
    chat = await services.db.chats.get(FORUM)
    assert chat is not None and chat.thread_id is None


async def test_scheduled_digests_go_to_the_topic_where_they_were_set_up(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    await _forum(emulator)
    digests = await emulator.create_topic(FORUM, "Morning digest", user_id=ADMIN)
    await _ask(emulator, "/settings digest 08:00", digests)
    await _ask(emulator, "/subscribe glacier", digests)
    services = services_of(running_bot)
    await services.delivery.plan_alerts(await _glacier_news(running_bot, 1), services.clock.now())
    assert await services.delivery.send_digest(FORUM, services.clock.now()) == 1  # as the schedule does
    digest = await emulator.next_message(FORUM)
    assert "Glacier report 1" in digest.text and digest.message_thread_id == digests


async def test_a_digest_asked_in_a_closed_topic_does_not_move_the_groups_news_topic(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    news = await _forum(emulator)
    await _ask(emulator, "/settings digest 08:00", news)
    await _ask(emulator, "/subscribe glacier", news)
    services = services_of(running_bot)
    await services.delivery.plan_alerts(await _glacier_news(running_bot, 1), services.clock.now())
    archive = await emulator.create_topic(FORUM, "Archive", user_id=ADMIN)
    await emulator.close_topic(FORUM, archive)
    # Administrators may still post in a closed topic; the bot may not, so the digest lands in General.
    digest = await _ask(emulator, "/digest", archive)
    assert "Glacier report 1" in digest.text and digest.message_thread_id is None
    # The topic the group chose for its news is untouched: the next digest goes there, not to General.
    await services.delivery.plan_alerts(await _glacier_news(running_bot, 2), services.clock.now())
    assert await services.delivery.send_digest(FORUM, services.clock.now()) == 1
    digest = await emulator.next_message(FORUM)
    assert "Glacier report 2" in digest.text and digest.message_thread_id == news


async def test_typing_for_a_link_shows_in_the_topic_it_was_asked_in(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    topic = await _forum(emulator)
    page = news_site.add(
        "/tram.html",
        "<html><head><title>Harbor city approves tram line</title></head><body><article>"
        + "".join(
            f"<p>The council approved tram line {n} after a long debate on Monday.</p>" for n in range(6)
        )
        + "</article></body></html>",
    )
    reply = await _ask(emulator, f"/summary {page}", topic)
    assert reply.message_thread_id == topic
    # "typing…" used to show in General, where nobody was waiting for the answer.
    assert (FORUM, "typing", topic) in emulator.chat_actions


async def test_a_command_asked_in_a_closed_topic_is_answered_in_general(
    emulator: BotApiEmulator, running_bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    # Administrators still post in a closed topic; the bot may not. Every answer there was refused: the admin
    # got nothing at all (the apology was refused too) and the log an ERROR trace per command.
    await _forum(emulator)
    archive = await emulator.create_topic(FORUM, "Archive", user_id=ADMIN)
    await emulator.close_topic(FORUM, archive)
    caplog.set_level(logging.ERROR)
    reply = await _ask(emulator, "/subscribe glacier", archive)
    assert "glacier" in reply.text and reply.message_thread_id is None
    assert [s.value for s in await services_of(running_bot).subscriptions.for_chat(FORUM)] == ["glacier"]
    assert "What I can do" in (await _ask(emulator, "/help", archive)).text
    assert not caplog.records


async def test_a_summary_button_in_a_topic_closed_since_posts_the_summary_in_general(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A list posted before its topic was closed: every tap on it answered "Sorry, something went wrong",
    # since the summary, a reply to the list, went to the closed topic and was refused.
    topic = await _forum(emulator)
    await store_samples(running_bot)
    latest = await _ask(emulator, "/latest", topic)
    await emulator.close_topic(FORUM, topic)
    query = await emulator.press_button(FORUM, latest.message_id, latest.button_data("📄"), user_id=802)
    answer = await emulator.wait_callback_answer(query)
    assert answer.text is None or "went wrong" not in answer.text, answer.text
    summary = await emulator.next_message(FORUM)
    assert summary.message_thread_id is None and "Sorry" not in summary.text


async def test_answers_refused_by_a_general_topic_closed_to_the_bot_are_a_logged_skip(
    emulator: BotApiEmulator, running_bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    # An administrator closed "General": every answer there (and the apology after it) was refused, the log got
    # an ERROR trace per command and per tap, and a tap was told "Sorry, something went wrong. Please try again."
    await _forum(emulator)
    await store_samples(running_bot)
    await emulator.send_user_message(FORUM, "/latest", user_id=ADMIN)
    latest = await emulator.next_message(FORUM)
    refusal = json.dumps({"ok": False, "error_code": 400, "description": "Bad Request: TOPIC_CLOSED"})
    caplog.set_level(logging.WARNING)
    with emulator.answering_as_proxy(400, refusal, "application/json", methods=("sendMessage",)):
        await emulator.send_user_message(FORUM, "/help", user_id=ADMIN)
        await emulator.wait_for_idle()
        query = await emulator.press_button(FORUM, latest.message_id, latest.button_data("📄"), user_id=802)
        answer = await emulator.wait_callback_answer(query)
    assert answer.text == "I can't post in this topic: it is closed.", answer.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert [r.getMessage() for r in caplog.records if r.name.startswith("bot.")] == [
        f"answer in chat {FORUM} not sent: Topic_closed"
    ] * 2
    chat = await services_of(running_bot).chats.get(FORUM)
    assert chat is not None and chat.active  # the other topics still take the news


async def test_a_command_in_a_closed_topic_cut_short_by_a_stop_is_told_to_send_it_again_in_general(
    emulator: BotApiEmulator, make_bot: MakeBot, news_site: NewsSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Send it again" quotes the command; a quote lands in the quoted message's topic, which is closed to the
    # bot. The answer in "General" must go unquoted, or it is refused as well and the admin hears nothing.
    monkeypatch.setattr(bot.app, "UPDATE_GRACE_SECONDS", 0.2)
    await _forum(emulator)
    archive = await emulator.create_topic(FORUM, "Archive", user_id=ADMIN)
    await emulator.close_topic(FORUM, archive)
    slow = news_site.add_never_answering("/slow.html")
    async with make_bot():
        await emulator.send_user_message(FORUM, f"/summary {slow}", user_id=ADMIN, thread_id=archive)
        await wait_until(lambda: news_site.hits("/slow.html") >= 1)
    [told] = emulator.messages(FORUM)
    assert told.text == (
        "⚠️ The bot is stopping (to restart, usually) and could not finish this: send it again in a minute."
    )
    assert told.message_thread_id is None and told.reply_to_message_id is None
