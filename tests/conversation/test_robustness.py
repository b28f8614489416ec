"""Bad input and odd updates: long and binary arguments, unknown commands, edited messages and posts."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
import time
from pathlib import Path

import pytest

from bot.context import BotApplication
from bot.emulator import BotApiEmulator
from bot.scheduler import TickState, run_tick
from tests.conftest import ADMIN_ID, USER_CHAT, MakeBot, make_settings, services_of
from tests.conversation.helpers import press, press_forged, say, store_samples
from tests.delivery.support import wait_until
from tests.support.files import another_program, locked_by_another_program
from tests.support.news_site import NewsSite


async def test_overlong_arguments_get_a_clear_answer(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    reply = await say(emulator, "/subscribe " + "a" * 4000)
    assert "at most 50 characters" in reply.text
    reply = await say(emulator, "/subscribe " + "b" * 4001)
    assert "That is too long (4,001 characters)" in reply.text
    reply = await say(emulator, "/summary " + "word " * 1000)
    assert len(reply.text) <= 4096


async def test_a_keyword_of_exactly_50_characters_is_followed_and_51_is_not(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # The reply promises "at most 50 characters": the limit holds to the character, both ways.
    reply = await say(emulator, "/subscribe " + "k" * 50)
    assert f"Keywords: “{'k' * 50}”" in reply.text
    reply = await say(emulator, "/subscribe " + "q" * 51)
    assert f"Not followed “{'q' * 51}”: keywords can be at most 50 characters" in reply.text
    assert "q" * 51 not in (await say(emulator, "/mysubs")).text


async def test_binary_junk_and_unknown_commands(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    junk = "".join(chr(c) for c in range(1, 32) if chr(c) not in "\n\r\t ") * 20 + "\ufffd\u202e<b>&"
    reply = await say(emulator, "/summary " + junk)
    assert reply.text.startswith("⚠️")
    reply = await say(emulator, "/subscribe " + junk)
    assert reply.text.startswith("⚠️") or "Not followed" in reply.text
    reply = await say(emulator, "/frobnicate now")
    assert "I don't know /frobnicate" in reply.text and "/help" in reply.text
    assert "Did you mean" not in reply.text
    reply = await say(emulator, "hello there")
    assert "Send me a link" in reply.text


async def test_odd_updates_do_not_crash_anything(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    chat = {"id": USER_CHAT, "type": "private", "first_name": "Ann"}
    user = {"id": USER_CHAT, "is_bot": False, "first_name": "Ann"}
    now = int(time.time())
    await emulator.inject_raw_update(
        {
            "edited_message": {
                "message_id": 900,
                "date": now,
                "edit_date": now,
                "chat": chat,
                "from": user,
                "text": "/subscribe edited",
            }
        }
    )
    channel = {"id": -100123, "type": "channel", "title": "News"}
    await emulator.add_chat(-100123, "channel", "News")
    await emulator.set_bot_status(-100123, "administrator", announce=False)
    await emulator.inject_raw_update(
        {
            "edited_channel_post": {
                "message_id": 900,
                "date": now,
                "edit_date": now,
                "text": "/subscribe edited",
                "entities": [{"type": "bot_command", "offset": 0, "length": 10}],
                "chat": channel,
                "sender_chat": channel,
            }
        }
    )
    command = [{"type": "bot_command", "offset": 0, "length": 6}]
    post = {"message_id": 901, "date": now, "text": "/start", "entities": command, "chat": channel}
    await emulator.inject_raw_update({"channel_post": {**post, "sender_chat": channel}})
    await emulator.inject_raw_update(
        {"message": {"message_id": 902, "date": now, "chat": chat, "text": "/mysubs"}}
    )
    await emulator.inject_raw_update(
        {"callback_query": {"id": "77", "from": user, "chat_instance": "1", "data": "sum:1"}}
    )
    await emulator.inject_raw_update(
        {
            "message": {
                "message_id": 903,
                "date": now,
                "chat": chat,
                "from": user,
                "sticker": {
                    "file_id": "x",
                    "file_unique_id": "y",
                    "type": "regular",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                },
            }
        }
    )
    reply = await emulator.next_message(USER_CHAT)
    assert "Send me a link" in reply.text  # the sticker got a hint; nothing else was answered
    reply = await say(emulator, "/help")
    while "What I can do" not in reply.text:
        reply = await emulator.next_message(USER_CHAT)
    subs = await services_of(running_bot).subscriptions.for_chat(USER_CHAT)
    assert [s.value for s in subs] == []  # the edited /subscribe was not acted on
    # Channel posts are commands now (only a channel's admins post); an edited post is not run again.
    await emulator.wait_for_idle()
    assert [m.text.splitlines()[0] for m in emulator.messages(-100123)] == [
        "📰 News summaries for this channel"
    ]
    assert await services_of(running_bot).subscriptions.for_chat(-100123) == []


async def test_an_update_the_bot_cannot_read_is_skipped_and_the_others_are_answered(
    emulator: BotApiEmulator, running_bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    # A group's update python-telegram-bot cannot read (a shape of a newer Bot API, here a chat without its
    # type) failed the whole getUpdates batch: it was fetched again at once, failed again, and the bot
    # answered nobody, logging a CRITICAL traceback in a tight loop.
    caplog.set_level(logging.WARNING)
    group = {"id": -100777, "title": "Readers"}
    unreadable = {"message_id": 1, "date": int(time.time()), "chat": group, "text": "/latest"}
    update_id = await emulator.inject_raw_update({"message": unreadable})
    # The usual 10 s for a reply: 5 s ran out on a loaded machine (the stalled bot this catches never answers).
    assert "What I can do" in (await say(emulator, "/help")).text
    skipped = [r for r in caplog.records if r.levelno >= logging.WARNING and str(update_id) in r.getMessage()]
    assert len(skipped) == 1 and skipped[0].exc_info is None
    assert not [r for r in caplog.records if r.levelno >= logging.CRITICAL]


async def test_an_unreadable_update_arriving_alone_is_confirmed_not_fetched_again(
    emulator: BotApiEmulator, running_bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    # Dropped from its batch rather than cut down to its id, it was never confirmed: fetched again at once, it
    # was skipped and logged again, hundreds of times a second.
    caplog.set_level(logging.WARNING)
    assert "What I can do" in (await say(emulator, "/help")).text
    chat = {"id": USER_CHAT, "type": "private", "first_name": "Ann"}
    await emulator.inject_raw_update(
        {"message": {"message_id": 5, "date": int(time.time()), "chat": chat, "text": 5}}
    )

    def skipped() -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.getMessage().startswith("skipped update")]

    await wait_until(lambda: bool(skipped()))  # a fixed wait alone could end before the first skip
    await asyncio.sleep(0.5)  # fetched again, it would be skipped again by now
    assert len(skipped()) == 1
    assert "What I can do" in (await say(emulator, "/help")).text


async def test_updates_with_fields_of_the_wrong_type_are_skipped_and_the_others_answered(
    emulator: BotApiEmulator, running_bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    # PTB checks no types. A text that was a number crashed the handler and then the error handler (Ann heard
    # nothing; PTB logged the error handler's own failure); a chat id of null registered "chat 1" as a new
    # subscriber; a replied-to message without its chat got "Sorry, something went wrong".
    caplog.set_level(logging.WARNING)
    now, command = int(time.time()), [{"type": "bot_command", "offset": 0, "length": 5}]
    summary = [{"type": "bot_command", "offset": 0, "length": 8}]
    ann = {"id": USER_CHAT, "is_bot": False, "first_name": "Ann"}
    chat = {"id": USER_CHAT, "type": "private", "first_name": "Ann"}
    message = {"message_id": 900, "date": now, "chat": chat, "from": ann}
    orphan = {"message_id": 899, "date": now, "text": "The council met today. It approved the budget."}
    bad = [
        {"message": {**message, "text": 12345, "entities": command}},
        {
            "message": {
                **message,
                "chat": {"id": None, "type": "private"},
                "text": "/start",
                "entities": command,
            }
        },
        {"message": {**message, "text": "/summary", "entities": summary, "reply_to_message": orphan}},
        {"callback_query": {"id": "9", "from": ann, "chat_instance": "1", "data": 5, "message": message}},
    ]
    # One getUpdates batch: the bad updates, then two people's /help.
    ids = [await emulator.inject_raw_update(update) for update in bad]
    await emulator.send_user_message(USER_CHAT, "/help")
    await emulator.send_user_message(USER_CHAT + 1, "/help")
    for reader in (USER_CHAT, USER_CHAT + 1):
        assert "What I can do" in (await emulator.next_message(reader)).text
    await emulator.wait_for_idle()
    assert [m.text for m in emulator.messages(USER_CHAT) if "What I can do" not in m.text] == []
    # From the message, not the record's args: the token filter, once installed, formats records in place.
    skipped = [re.match(r"skipped update (\d+),", r.getMessage()) for r in caplog.records]
    assert [int(m[1]) for m in skipped if m] == ids
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert await services_of(running_bot).chats.get(1) is None


async def test_updates_with_ids_entities_quotes_or_moves_of_the_wrong_type_are_skipped_too(
    emulator: BotApiEmulator, running_bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    # Each field the handlers read: a chat id of true (a bool is an int to Python: it registered "chat 1"), an
    # entity whose position or link is no number or string, a quote whose text is a number, a "moved to" that
    # is no chat id. Each is skipped and named in the log; the /help after them is answered.
    caplog.set_level(logging.WARNING)
    now, command = int(time.time()), {"type": "bot_command", "offset": 0, "length": 5}
    ann = {"id": USER_CHAT, "is_bot": False, "first_name": "Ann"}
    chat = {"id": USER_CHAT, "type": "private", "first_name": "Ann"}
    message = {"message_id": 900, "date": now, "chat": chat, "from": ann, "text": "/start see this"}
    original = {"message_id": 899, "date": now, "chat": chat, "text": "The council met today."}
    link = {"type": "text_link", "offset": 11, "length": 4, "url": 5}
    bad = [
        {"message": {**message, "chat": {"id": True, "type": "private"}, "entities": [command]}},
        {"message": {**message, "entities": [{**command, "offset": "0"}]}},
        {"message": {**message, "entities": [command, link]}},
        {"message": {**message, "reply_to_message": original, "quote": {"text": 7, "position": 0}}},
        {
            "message": {
                **message,
                "chat": {"id": -100, "type": "group", "title": "G"},
                "migrate_to_chat_id": "7",
            }
        },
    ]
    ids = [await emulator.inject_raw_update(update) for update in bad]
    assert "What I can do" in (await say(emulator, "/help")).text
    await emulator.wait_for_idle()
    skipped = [re.match(r"skipped update (\d+),", r.getMessage()) for r in caplog.records]
    assert [int(m[1]) for m in skipped if m] == ids
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert await services_of(running_bot).chats.get(1) is None


async def test_an_unexpected_failure_gets_an_apology_and_one_logged_trace(
    emulator: BotApiEmulator, running_bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    await say(emulator, "/start")
    db_path = services_of(running_bot).settings.db_path
    # The database breaks under the bot (an operator's mistake).
    await another_program(db_path, "DROP TABLE subscriptions")
    caplog.set_level(logging.ERROR)
    reply = await say(emulator, "/mysubs")
    assert reply.text == "Sorry, something went wrong on my side. Please try again in a moment."
    traces = [r for r in caplog.records if r.exc_info and "no such table" in str(r.exc_info[1])]
    assert len(traces) == 1
    # which command of which chat: "error while handling an update" left nothing to look up or retry
    assert traces[0].getMessage() == f"error while handling /mysubs in chat {USER_CHAT}"
    assert "What I can do" in (await say(emulator, "/help")).text  # and the bot carries on


# A proxy in front of the Bot API while Telegram is down.
_DOWN = (502, "<html><body>502 Bad Gateway</body></html>")


async def test_a_command_answered_while_telegram_is_unreachable_is_one_warning_not_a_trace(
    emulator: BotApiEmulator, running_bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    # During an outage every command's reply failed with a traceback at ERROR, the proxy's whole page in it,
    # and then an apology that failed the same way.
    await say(emulator, "/start")
    caplog.set_level(logging.WARNING)
    page = "<html><head><title>502 Bad Gateway</title></head><body>" + "nginx " * 200 + "</body></html>"
    with emulator.answering_as_proxy(502, page, methods=("sendMessage",)):
        await emulator.send_user_message(USER_CHAT, "/help")
        await emulator.wait_for_idle()
    # PTB's own dump of the page is dropped by the filter `newsbot run` installs (test_run_process).
    ours = [r for r in caplog.records if r.name.startswith("bot.")]
    assert [r.getMessage() for r in ours] == [
        f"answer to /help in chat {USER_CHAT} not sent: Telegram unreachable (Bad Gateway (502))"
    ]
    assert not [r for r in ours if r.exc_info or r.levelno >= logging.ERROR]
    assert "What I can do" in (await say(emulator, "/help")).text  # and the bot answers once it is back


async def test_commands_answered_during_an_outage_are_a_line_then_a_count_a_minute_not_a_line_each(
    emulator: BotApiEmulator, running_bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    # Every command whose answer an outage lost logged its own warning: a busy bot, whose users keep trying,
    # wrote one a command, where the sender's parked alerts write one a minute.
    await say(emulator, "/start")
    caplog.set_level(logging.WARNING)

    def ours() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name.startswith("bot.")]

    with emulator.answering_as_proxy(*_DOWN, methods=("sendMessage",)):
        for _ in range(3):
            await emulator.send_user_message(USER_CHAT, "/help")
            await emulator.wait_for_idle()
        services_of(running_bot).clock.advance(61)
        await wait_until(lambda: len(ours()) >= 2)  # the scheduler's tick counts them
        await emulator.send_user_message(USER_CHAT, "/mysubs")  # within the minute: counted in the next line
        await emulator.wait_for_idle()
    assert ours() == [
        f"answer to /help in chat {USER_CHAT} not sent: Telegram unreachable (Bad Gateway (502))",
        "Telegram unreachable (Bad Gateway (502)): 2 more answers not sent",
    ]
    assert "What I can do" in (await say(emulator, "/help")).text


async def test_the_answers_lost_at_the_end_of_an_outage_are_counted_a_minute_on(
    emulator: BotApiEmulator, running_bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    # The answers lost within a minute of an outage's last line were said only with the next outage's first
    # line, hours or days later, or never: the log showed fewer lost answers than users had seen.
    await say(emulator, "/start")
    caplog.set_level(logging.WARNING)
    with emulator.answering_as_proxy(*_DOWN, methods=("sendMessage",)):
        for text in ("/help", "/mysubs", "/topics"):
            await emulator.send_user_message(USER_CHAT, text)
            await emulator.wait_for_idle()
    assert "What I can do" in (await say(emulator, "/help")).text  # Telegram takes answers again

    def ours() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name.startswith("bot.")]

    services_of(running_bot).clock.advance(61)
    await wait_until(lambda: len(ours()) >= 2)
    assert ours() == [
        f"answer to /help in chat {USER_CHAT} not sent: Telegram unreachable (Bad Gateway (502))",
        "Telegram unreachable (Bad Gateway (502)): 2 more answers not sent",
    ]


async def test_the_answers_lost_in_the_last_minute_before_a_stop_are_counted_as_it_stops(
    emulator: BotApiEmulator, make_bot: MakeBot, caplog: pytest.LogCaptureFixture
) -> None:
    # An operator restarting the bot after an outage: the answers lost since its last line were never said.
    caplog.set_level(logging.INFO)
    async with make_bot():
        await say(emulator, "/start")
        with emulator.answering_as_proxy(*_DOWN, methods=("sendMessage",)):
            for text in ("/help", "/mysubs", "/topics"):
                await emulator.send_user_message(USER_CHAT, text)
                await emulator.wait_for_idle()
    ours = [
        r.getMessage() for r in caplog.records if r.name.startswith("bot.") and r.levelno >= logging.WARNING
    ]
    assert ours == [
        f"answer to /help in chat {USER_CHAT} not sent: Telegram unreachable (Bad Gateway (502))",
        "Telegram unreachable (Bad Gateway (502)): 2 more answers not sent",
    ]
    assert caplog.records[-1].getMessage() == "newsbot stopped"


async def test_an_outage_hours_after_another_names_its_first_lost_answer_again(
    emulator: BotApiEmulator, running_bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    # The count was never reset: the next outage's first line, hours later, was "3 more answers not sent",
    # counting the last outage's unlogged tail with it, and never said which command of which chat failed.
    await say(emulator, "/start")
    caplog.set_level(logging.WARNING)
    clock = services_of(running_bot).clock

    def ours() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name.startswith("bot.")]

    for gap in (0, 3 * 3600):
        clock.advance(gap)
        if gap:
            await wait_until(lambda: len(ours()) >= 2)  # the scheduler's tick counts the last outage's tail
        with emulator.answering_as_proxy(*_DOWN, methods=("sendMessage",)):
            for text in ("/help", "/mysubs", "/topics"):
                await emulator.send_user_message(USER_CHAT, text)
                await emulator.wait_for_idle()
    assert ours() == [
        f"answer to /help in chat {USER_CHAT} not sent: Telegram unreachable (Bad Gateway (502))",
        "Telegram unreachable (Bad Gateway (502)): 2 more answers not sent",
        f"answer to /help in chat {USER_CHAT} not sent: Telegram unreachable (Bad Gateway (502))",
    ]


async def test_a_button_whose_handling_fails_gets_an_apology_toast(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Without an answer the tapped button spins until Telegram gives up, and the user learns nothing.
    topics = await say(emulator, "/topics")
    db_path = services_of(running_bot).settings.db_path
    # The database breaks under the bot (an operator's mistake).
    await another_program(db_path, "DROP TABLE subscriptions")
    toast = await press(emulator, topics, "t:automotive")
    assert toast == "Sorry, something went wrong. Please try again."


async def test_an_error_outside_any_update_is_one_logged_trace(
    running_bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    # A job's failure reaches the error handler with no update: there is no chat to apologize to.
    caplog.set_level(logging.ERROR)
    await running_bot.process_error(None, RuntimeError("the job broke"))
    assert [(r.getMessage(), str(r.exc_info[1]) if r.exc_info else "") for r in caplog.records] == [
        ("error while handling an update", "the job broke")
    ]


async def test_a_tap_while_telegram_is_unreachable_is_told_to_tap_again(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # The summary a tap posts is lost to the outage; the tap's answer is another request that may get through.
    await store_samples(running_bot)
    latest = await say(emulator, "/latest")
    with emulator.answering_as_proxy(*_DOWN, methods=("sendMessage",)):
        toast = await press(emulator, latest, latest.button_data("📄"))
    assert toast == "Telegram did not take my answer just now; tap again in a minute."


async def test_a_plain_message_whose_answer_is_lost_is_logged_without_its_words(
    emulator: BotApiEmulator, running_bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    await say(emulator, "/start")
    caplog.set_level(logging.WARNING)
    with emulator.answering_as_proxy(*_DOWN, methods=("sendMessage",)):
        await emulator.send_user_message(USER_CHAT, "harbour secrets of mine")
        await emulator.wait_for_idle()
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("bot.")]
    assert ours == [
        f"answer to a message in chat {USER_CHAT} not sent: Telegram unreachable (Bad Gateway (502))"
    ]


async def test_a_reply_telegram_refuses_as_malformed_is_our_fault_not_an_outage(
    emulator: BotApiEmulator, running_bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    # PTB's BadRequest is a NetworkError: a reply Telegram refused as malformed (our bug: too long, bad HTML) was
    # logged as "Telegram unreachable" without a trace, the command got no apology, and a tap was told to tap
    # again in a minute, which fails the same way.
    await store_samples(running_bot)
    latest = await say(emulator, "/latest")
    caplog.set_level(logging.WARNING)
    refused = {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
    with emulator.answering_as_proxy(400, json.dumps(refused), "application/json", methods=("sendMessage",)):
        toast = await press(emulator, latest, latest.button_data("📄"))
        await emulator.send_user_message(USER_CHAT, "/help")
        await emulator.wait_for_idle()
    assert toast == "Sorry, something went wrong. Please try again."
    traces = [r for r in caplog.records if r.exc_info and r.levelno == logging.ERROR]
    assert [r.getMessage() for r in traces] == [
        f"error while handling a button in chat {USER_CHAT}",
        f"error while handling /help in chat {USER_CHAT}",
    ]
    assert not [r for r in caplog.records if "Telegram unreachable" in r.getMessage()]


async def test_an_old_button_is_answered(emulator: BotApiEmulator, running_bot: BotApplication) -> None:
    # A keyboard from an older version of the bot: the tap gets a toast saying so (no endless spinner).
    old = await say(emulator, "/help")
    assert await press_forged(emulator, "v1:x", message_id=old.message_id) == "This button no longer works."


async def test_odd_digits_and_malformed_addresses_get_clear_answers(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "²".isdigit() is True but int("²") fails: this used to end in "Sorry, something went wrong".
    reply = await say(
        emulator, "/summary ² The council met today. It approved the budget. Everyone went home."
    )
    assert "went wrong" not in reply.text and "Summary" in reply.text
    reply = await say(emulator, "/addfeed https://[::1/", chat=ADMIN_ID)
    assert reply.text.startswith("⚠️") and "not a valid URL" in reply.text
    # Taken as they were, these failed at every poll, shown in /feeds as an error about the network.
    reply = await say(emulator, "/addfeed https://news.example:99999/rss", chat=ADMIN_ID)
    assert reply.text.startswith("⚠️") and "port that is not a number from 1 to 65535" in reply.text
    reply = await say(emulator, "/addfeed https://reader:pw@/rss", chat=ADMIN_ID)
    assert reply.text.startswith("⚠️") and "no host name" in reply.text
    # A "/" in the password: "a port that is not a number" sent the admin looking in the wrong place.
    reply = await say(emulator, "/addfeed https://reader:pa/ss@news.example/rss", chat=ADMIN_ID)
    assert reply.text.startswith("⚠️") and "user name or password" in reply.text and "%2F" in reply.text
    assert "Polling" not in (await say(emulator, "/feeds", chat=ADMIN_ID)).text


async def test_forged_and_stale_buttons_get_a_clear_answer(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    panel = await say(emulator, "/settings")
    here = {"message_id": panel.message_id}
    # An id too big for the database used to end in "Sorry, something went wrong".
    toast = await press_forged(emulator, "sum:99999999999999999999", **here)
    assert toast is not None and "no article" in toast
    assert "no article" in (await press_forged(emulator, "sum:0", **here) or "")
    assert await press_forged(emulator, "sum:-1", **here) == "This button no longer works."
    # An alert's longer summary names its length: 1 to 10 sentences, nothing after it.
    for forged in ("sum:5:0", "sum:5:11", "sum:5:3:1", "sum:5:x"):
        assert await press_forged(emulator, forged, **here) == "This button no longer works.", forged
    assert "no longer exists" in (await press_forged(emulator, "t:nonexistent", **here) or "")
    # A topic button carries one topic id, which may hold a colon: "science:x" is no topic and changes nothing.
    assert "no longer exists" in (await press_forged(emulator, "t:science:x", **here) or "")
    assert await services_of(running_bot).subscriptions.topic_ids(USER_CHAT) == set()
    assert "1 to 10" in (await press_forged(emulator, "set:len:9999", **here) or "")
    assert await press_forged(emulator, "set:mode:x", **here) == "This button no longer works."
    assert await press_forged(emulator, "v1:x" * 16, **here) == "This button no longer works."
    # Messages sent through inline mode carry no chat: nothing to change, but the tap is answered.
    assert await press_forged(emulator, "stop:yes") == "This button no longer works."
    assert await press_forged(emulator, "sum:1") == "This button no longer works."
    assert not [a for a in emulator.callback_answers if a.text and "went wrong" in a.text]


async def test_a_command_in_a_photo_caption_runs_like_a_text_command(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # It used to get "Send me a link ..." in private chats and nothing at all in groups.
    await emulator.send_user_media(USER_CHAT, caption="/subscribe tesla")
    reply = await emulator.next_message(USER_CHAT)
    assert "Keywords: “tesla”" in reply.text, reply.text
    await emulator.send_user_media(USER_CHAT, caption="/frobnicate")
    assert "I don't know /frobnicate" in (await emulator.next_message(USER_CHAT)).text
    await emulator.add_chat(-500, "group")
    await emulator.send_user_media(-500, caption="/subscribe@otherbot business")
    await emulator.send_user_media(-500, caption="/latest@newsbot_emulator_bot")
    reply = await emulator.next_message(-500)
    assert reply.text.startswith("Latest") or "No articles" in reply.text, reply.text
    assert await services_of(running_bot).subscriptions.for_chat(-500) == []


async def test_buttons_on_an_old_message_still_work(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    topics = await say(emulator, "/topics")
    settings = await say(emulator, "/settings")
    # Days later Telegram sends a tap without the message itself (an InaccessibleMessage, date 0). The tap
    # used to change the subscription and then answer "Sorry, something went wrong. Please try again.",
    # and trying again undid it.
    query = await emulator.press_button(USER_CHAT, topics.message_id, "t:science", inaccessible=True)
    answer = await emulator.wait_callback_answer(query)
    assert answer.text == "Following 🔬 Science"
    assert await services_of(running_bot).subscriptions.topic_ids(USER_CHAT) == {"science"}
    redrawn = emulator.current(USER_CHAT, topics.message_id)
    assert redrawn is not None and redrawn.button_data("✅") == "t:science"
    data = settings.button_data("Daily digest")
    query = await emulator.press_button(USER_CHAT, settings.message_id, data, inaccessible=True)
    answer = await emulator.wait_callback_answer(query)
    assert answer.text is not None and "went wrong" not in answer.text
    redrawn = emulator.current(USER_CHAT, settings.message_id)
    assert redrawn is not None and redrawn.edited


async def test_a_button_on_a_message_deleted_since_the_tap_does_what_it_says(
    emulator: BotApiEmulator, running_bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    # "Yes, delete" tapped, and the prompt deleted before the bot got to the tap (busy, or restarting): the data
    # was deleted, yet the toast said "Sorry, something went wrong. Please try again." and an error was logged.
    await say(emulator, "/subscribe business")
    prompt = await say(emulator, "/stop")
    topics = await say(emulator, "/topics")
    for message in (prompt, topics):
        await running_bot.bot.delete_message(USER_CHAT, message.message_id)
    caplog.set_level(logging.ERROR)
    assert await press_forged(emulator, "stop:yes", message_id=prompt.message_id) == "Deleted."
    assert await services_of(running_bot).subscriptions.for_chat(USER_CHAT) == []
    toast = await press_forged(emulator, "t:science", message_id=topics.message_id)
    assert toast == "Following 🔬 Science"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_summary_tapped_on_a_list_deleted_since_is_posted_all_the_same(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # The summary replies to the list the tap came from; a list deleted before the bot got to the tap must not
    # turn that reply into Telegram's "message to be replied not found" and the tap into "something went wrong".
    await store_samples(running_bot)
    latest = await say(emulator, "/latest")
    await running_bot.bot.delete_message(USER_CHAT, latest.message_id)
    toast = await press_forged(emulator, latest.button_data("📄"), message_id=latest.message_id)
    assert toast is None or "went wrong" not in toast, toast
    summary = await emulator.next_message(USER_CHAT)
    assert summary.reply_to_message_id is None and "Sorry" not in summary.text, summary.text


# An operator's topic "sci:fi" got the button "t:sci:fi", which the handler read as three parts: every tap
# answered "This button no longer works." "t:" and 62 bytes are the 64 Telegram allows: start-up must not
# refuse an id that works (31 accented letters).
@pytest.mark.parametrize("topic_id", ["sci:fi", "é" * 31])
async def test_an_operator_topic_id_with_a_colon_or_of_62_bytes_can_be_tapped(
    emulator: BotApiEmulator, make_bot: MakeBot, tmp_path: Path, topic_id: str
) -> None:
    topics_file = tmp_path / "topics.json"
    topics_file.write_text(
        json.dumps({"topics": [{"id": topic_id, "title": "Sci-fi", "keywords": ["alien"]}]})
    )
    async with make_bot(settings=make_settings(tmp_path, emulator, topics_file=topics_file)) as bot:
        keyboard = await say(emulator, "/topics")
        toast = await press(emulator, keyboard, keyboard.button_data("Sci-fi"))
        assert toast is not None and toast.startswith("Following"), toast
        assert await services_of(bot).subscriptions.topic_ids(USER_CHAT) == {topic_id}


# An emoji beyond the first plane counts twice in Telegram's 200 (UTF-16 units): 150 of them are 300.
@pytest.mark.parametrize("title", ["Regional " + "and municipal " * 16 + "affairs", "Harbour " + "📰" * 150])
async def test_a_topic_with_a_long_title_answers_its_tap(
    emulator: BotApiEmulator, make_bot: MakeBot, tmp_path: Path, title: str
) -> None:
    # "Following <title>" went past the 200 characters a toast may have: Telegram refused the answer, and the
    # user saw the button spin with no word that the topic was followed.
    topics_file = tmp_path / "topics.json"
    topics_file.write_text(json.dumps({"topics": [{"id": "local", "title": title, "keywords": ["council"]}]}))
    async with make_bot(settings=make_settings(tmp_path, emulator, topics_file=topics_file)) as bot:
        keyboard = await say(emulator, "/topics")
        toast = await press(emulator, keyboard, "t:local")
        assert toast is not None and toast.startswith("Following"), toast
        assert len(toast.encode("utf-16-le")) // 2 <= 200, toast
        assert await services_of(bot).subscriptions.topic_ids(USER_CHAT) == {"local"}


async def test_an_unknown_command_suggests_the_one_probably_meant(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Names other feed bots use, and typos, point to ours; nothing is run on a guess.
    reply = await say(emulator, "/follow business")
    assert "I don't know /follow. Did you mean /subscribe?" in reply.text
    assert "Topics: none" in (await say(emulator, "/mysubs")).text  # /follow subscribed nothing
    assert "Did you mean /latest?" in (await say(emulator, "/lates")).text
    assert "Did you mean /unsubscribe?" in (await say(emulator, "/Unfollow tesla")).text
    # Admin commands are suggested only to the bot's admins.
    assert "Did you mean" not in (await say(emulator, "/addfed https://example.org/rss")).text
    assert (
        "Did you mean /addfeed?"
        in (await say(emulator, "/addfed https://example.org/rss", chat=ADMIN_ID)).text
    )


async def test_a_command_cut_short_suggests_the_command_it_starts(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/top" (for /topics) was answered "Did you mean /stop?", the command that deletes the chat's data.
    assert "I don't know /top. Did you mean /topics?" in (await say(emulator, "/top")).text
    assert "Did you mean /settings?" in (await say(emulator, "/set")).text
    assert "Did you mean /summary?" in (await say(emulator, "/sum 12")).text


async def test_a_command_with_its_number_glued_on_suggests_both(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/summary1" was answered "Did you mean /summary?", which alone asks for an article all over again.
    reply = await say(emulator, "/summary1")
    assert reply.text.startswith("I don't know /summary1. Did you mean /summary 1?"), reply.text
    assert "Did you mean /summary 12?" in (await say(emulator, "/summary_12")).text
    assert "Did you mean /summary 3?" in (await say(emulator, "/summery3")).text
    assert "Did you mean /search 2025?" in (await say(emulator, "/search2025")).text
    # A command that takes no number is suggested alone.
    assert "Did you mean /latest?" in (await say(emulator, "/latest2")).text


async def test_a_command_with_a_word_glued_on_by_an_underscore_suggests_both(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/latest_business" (as other bots' tappable commands read) was answered "I don't know /latest_business."
    # with no word of /latest, typed exactly.
    reply = await say(emulator, "/latest_business")
    assert reply.text.startswith("I don't know /latest_business. Did you mean /latest business?"), reply.text
    assert "Did you mean /subscribe tesla?" in (await say(emulator, "/subscribe_tesla")).text
    assert "Did you mean /settings pause?" in (await say(emulator, "/Settings_Pause")).text
    # A command that takes no words is suggested alone, and so is one whose word is a number it does not take.
    assert "Did you mean /help?" in (await say(emulator, "/help_me")).text
    assert "Did you mean /latest?" in (await say(emulator, "/latest_2")).text
    # Admin commands only to the bot's admins, as for any suggestion.
    assert "Did you mean" not in (await say(emulator, "/feeds_all")).text
    assert "Did you mean /feeds?" in (await say(emulator, "/feeds_all", chat=ADMIN_ID)).text


async def test_an_admin_command_cut_short_by_a_non_admin_is_not_taken_for_start(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/stat" (for /stats) from a non-admin was answered "Did you mean /start?"; the admin is pointed to /stats.
    assert "I don't know /stat. /help lists" in (await say(emulator, "/stat")).text
    assert "Did you mean /stats?" in (await say(emulator, "/stat", chat=ADMIN_ID)).text
    assert "Did you mean /start?" in (await say(emulator, "/strat")).text  # a typo of /start still is one


async def test_a_database_file_deleted_while_running_is_reported_to_the_operator(
    running_bot: BotApplication, emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    # The bot goes on with the file it has open: everything it stores from then on is gone at the next start,
    # and nothing used to say so.
    db = services_of(running_bot).db
    await say(emulator, "/subscribe business")
    db.path.unlink()
    deadline = time.monotonic() + 10
    while "was deleted" not in caplog.text:
        assert time.monotonic() < deadline, "the deletion was never reported"
        await asyncio.sleep(0.05)
    reported = [r for r in caplog.records if "was deleted" in r.getMessage()]
    assert reported[0].levelno == logging.ERROR and str(db.path) in reported[0].getMessage()
    await asyncio.sleep(0.3)  # several ticks: said once, not every tick
    assert len([r for r in caplog.records if "was deleted" in r.getMessage()]) == 1
    assert "Business" in (await say(emulator, "/mysubs")).text  # and it still answers


async def test_a_tick_step_that_keeps_failing_is_logged_once_not_every_tick(
    running_bot: BotApplication,
    emulator: BotApiEmulator,
    news_site: NewsSite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A full disk fails alert planning on every tick, a few seconds apart for as long as it lasts: the log used
    # to get a traceback each time. Once there is room, the alert goes out.
    services = services_of(running_bot)
    await say(emulator, "/subscribe business")
    async with services.db.write() as conn:
        await conn.execute(
            "CREATE TEMP TRIGGER disk_full BEFORE INSERT ON deliveries"
            " BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END"
        )
    await services.db.feeds.add(
        news_site.feed_url("business"), ("business",), None, services.clock.now() - 60
    )
    await news_site.publish("business", "Harbor Coffee grows", "Sales rose. Prices too. Investors were calm.")
    deadline = time.monotonic() + 10
    while "planning alerts failed" not in caplog.text:
        assert time.monotonic() < deadline, "the failure was never logged"
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # ten more ticks, each failing
    assert caplog.text.count("planning alerts failed") == 1
    assert "planning alerts still failing" not in caplog.text  # not before a minute has passed
    async with services.db.write() as conn:
        await conn.execute("DROP TRIGGER temp.disk_full")
    alert = await emulator.next_message(USER_CHAT, timeout=10)
    assert "Harbor Coffee grows" in alert.text
    assert "planning alerts works again" in caplog.text


async def test_a_command_the_database_cannot_save_is_told_so_and_logged_in_one_line(
    running_bot: BotApplication, emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    # Another program holds the write lock past the busy timeout (a full disk answers the same way): every
    # command that writes answered "something went wrong on my side" and logged a traceback.
    db = services_of(running_bot).db
    keyboard = await say(emulator, "/topics")
    async with locked_by_another_program(db, "EXCLUSIVE"):
        caplog.clear()
        reply = await say(emulator, "/subscribe business")
        assert (
            reply.text
            == "⚠️ I could not save that just now: my storage is full or busy. Please try again later."
        )
        toast = await press(emulator, keyboard, keyboard.button_data("Business"))
        assert toast is not None and toast.startswith("I could not save that just now"), toast
        assert "Business" not in (await say(emulator, "/mysubs")).text.split("Topics:")[1].split("\n")[0]
        lines = [r for r in caplog.records if r.name == "bot.handlers.errors"]
        assert [r.getMessage() for r in lines] == [
            f"/subscribe in chat {USER_CHAT} not done: {db.path} is locked by another process (waited 0.1 s);"
            " is something else writing to it?",
            f"a button in chat {USER_CHAT} not done: {db.path} is locked by another process (waited 0.1 s);"
            " is something else writing to it?",
        ]
        assert not any(r.exc_info for r in lines)
    assert "✅ Topics: 💼 Business" in (await say(emulator, "/subscribe business")).text


async def test_a_newcomers_reading_commands_are_answered_while_the_database_refuses_writes(
    running_bot: BotApplication, emulator: BotApiEmulator
) -> None:
    # Another program holds the write lock (a full disk answers the same way): a chat's first /mysubs or
    # /summary ID answered "I could not save that just now", though it asked to save nothing; registering the
    # chat was the write refused.
    db = services_of(running_bot).db
    [article, *_] = await store_samples(running_bot)
    newcomer = USER_CHAT + 7
    await emulator.add_chat(newcomer, "private")
    async with locked_by_another_program(db):
        assert "Topics: none" in (await say(emulator, "/mysubs", chat=newcomer)).text
        assert article.title in (await say(emulator, f"/summary {article.id}", chat=newcomer)).text
        # A command that saves something is still told it could not.
        assert "could not save" in (await say(emulator, "/subscribe business", chat=newcomer)).text
    assert await db.chats.get(newcomer) is None
    assert "Business" in (await say(emulator, "/subscribe business", chat=newcomer)).text
    assert await db.chats.get(newcomer) is not None


async def test_a_delivery_sender_that_cannot_start_is_logged_once_not_every_tick(
    running_bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    # Its start re-queues what the last run left in flight, a write: on a database locked (or full) then, every
    # tick, a few seconds apart, logged the same traceback. Once the lock is gone it starts, and says so.
    services = services_of(running_bot)
    state: TickState = running_bot.bot_data["scheduler_state"]
    async with state.lock:  # the bot's own ticks wait: this test runs them one by one
        await services.delivery.aclose()  # as before the first tick
        async with services.db.write() as conn:
            await conn.execute("PRAGMA busy_timeout = 50")
        other = sqlite3.connect(services.db.path, isolation_level=None, check_same_thread=False)
        try:
            await asyncio.to_thread(other.execute, "BEGIN EXCLUSIVE")
            caplog.clear()
            for _ in range(4):
                await run_tick(services, state)
        finally:
            other.execute("ROLLBACK")
            other.close()
        failures = [r for r in caplog.records if "starting the delivery sender" in r.getMessage()]
        assert len(failures) == 1 and failures[0].exc_info is not None
        await run_tick(services, state)
    assert "starting the delivery sender works again after 4 failures" in caplog.text


async def test_an_album_is_answered_once_not_once_per_photo(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Telegram sends each photo of an album as a message of its own, the caption on the first: the caption's
    # command was answered, then every other photo got "Send me a link ..." (nine hints for ten photos).
    await emulator.add_chat(USER_CHAT, "private")
    chat = {"id": USER_CHAT, "type": "private", "first_name": "Ann"}
    user = {"id": USER_CHAT, "is_bot": False, "first_name": "Ann"}
    photo = [{"file_id": "photo-1", "file_unique_id": "p1", "width": 90, "height": 90}]

    async def album(group: str, first_id: int, caption: str | None) -> None:
        for n in range(3):
            message = {"message_id": first_id + n, "date": int(time.time()), "chat": chat, "from": user}
            message |= {"photo": photo, "media_group_id": group}
            if n == 0 and caption is not None:
                entities = [{"type": "bot_command", "offset": 0, "length": caption.index(" ")}]
                message |= {"caption": caption, "caption_entities": entities}
            await emulator.inject_raw_update({"message": message})

    await album("album-1", 500, "/subscribe tesla")
    await album("album-2", 510, None)  # no caption at all: one hint for the album
    await emulator.send_user_message(USER_CHAT, "/help")  # one chat's updates are answered in order
    replies = [(await emulator.next_message(USER_CHAT)).text]
    while "What I can do" not in replies[-1]:
        replies.append((await emulator.next_message(USER_CHAT)).text)
    replies.pop()
    assert len(replies) == 2, replies
    assert "Keywords: “tesla”" in replies[0] and replies[1].startswith("Send me a link")
