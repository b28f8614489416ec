"""Groups (only chat administrators change settings), group migration, and the bot's admin commands."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.clock import FakeClock
from bot.config import Settings
from bot.context import BotApplication, Services
from bot.emulator import BotApiEmulator, SentMessage
from summaries.articles import Article
from tests.conftest import ADMIN_ID, USER_CHAT, MakeBot, make_settings, services_of
from tests.conversation.helpers import chat_once, press, say, store_news, store_samples
from tests.delivery.support import wait_until
from tests.support.news_site import NewsSite

GROUP = -500
MEMBER = 501
GROUP_ADMIN = 502


async def test_only_group_admins_change_subscriptions_and_settings(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    await emulator.add_chat(GROUP, "group", "Readers")
    await emulator.set_member_status(GROUP, GROUP_ADMIN, "administrator")
    refused = await say(emulator, "/subscribe business", chat=GROUP, user_id=MEMBER)
    assert "only this group's administrators" in refused.text
    assert (
        "only this group's administrators"
        in (await say(emulator, "/settings digest 09:00", chat=GROUP, user_id=MEMBER)).text
    )
    panel = await say(emulator, "/settings", chat=GROUP, user_id=MEMBER)  # looking is fine
    toast = await press(emulator, panel, "set:pause", user_id=MEMBER)
    assert toast is not None and "administrators" in toast
    chat = await services_of(running_bot).chats.get(GROUP)
    assert chat is not None and not chat.paused
    topics = await say(emulator, "/topics", chat=GROUP, user_id=MEMBER)  # looking is fine
    toast = await press(emulator, topics, "t:science", user_id=MEMBER)
    assert toast is not None and "administrators" in toast
    ok = await say(emulator, "/subscribe business", chat=GROUP, user_id=GROUP_ADMIN)
    assert "Topics: 💼 Business" in ok.text
    assert await services_of(running_bot).subscriptions.topic_ids(GROUP) == {"business"}
    assert "Business" in (await say(emulator, "/mysubs", chat=GROUP, user_id=MEMBER)).text
    # Dropping is changing too: a member cannot unfollow the group's topics, one by one or all at once.
    for words in ("business", "all"):
        refused = await say(emulator, f"/unsubscribe {words}", chat=GROUP, user_id=MEMBER)
        assert "only this group's administrators" in refused.text
    assert await services_of(running_bot).subscriptions.topic_ids(GROUP) == {"business"}
    # /stop's confirmation buttons are the administrators' too: a member can neither confirm nor dismiss.
    assert "administrators" in (await say(emulator, "/stop", chat=GROUP, user_id=MEMBER)).text
    confirm = await say(emulator, "/stop", chat=GROUP, user_id=GROUP_ADMIN)
    for choice in ("stop:no", "stop:yes"):
        toast = await press(emulator, confirm, choice, user_id=MEMBER)
        assert toast is not None and "administrators" in toast
    assert await services_of(running_bot).subscriptions.topic_ids(GROUP) == {"business"}
    await press(emulator, confirm, "stop:no", user_id=GROUP_ADMIN)
    assert any("nothing was deleted" in m.text for m in emulator.messages(GROUP) if m.edited)


async def test_group_confirmations_speak_of_the_group_not_of_the_admin_who_typed(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Every member read "You'll get a digest at 09:00" and "New matching articles will reach you": the group
    # gets them, not each reader (nor the admin in a private chat).
    await emulator.add_chat(GROUP, "group", "Readers")
    await emulator.set_member_status(GROUP, GROUP_ADMIN, "administrator")
    followed = await say(emulator, "/subscribe business", chat=GROUP, user_id=GROUP_ADMIN)
    assert followed.text.endswith(
        "\nThis group will get an alert for each new matching article. /latest shows the newest now; "
        "/mysubs all it follows."
    ), followed.text
    await say(emulator, "/settings quiet 22:00-07:00", chat=GROUP, user_id=GROUP_ADMIN)
    digest = await say(emulator, "/settings digest 06:00", chat=GROUP, user_id=GROUP_ADMIN)
    assert digest.text.startswith(
        "✅ This group will get a digest at 06:00 (UTC). 06:00 falls in its quiet hours: that digest comes "
        "when they end at 07:00.\n"
    )
    paused = await say(emulator, "/settings pause", chat=GROUP, user_id=GROUP_ADMIN)
    assert paused.text.startswith(
        "✅ Paused: nothing will be delivered until it is resumed (/settings resume)."
    )
    toast = await press(emulator, paused, "set:mode:instant", user_id=GROUP_ADMIN)
    assert (
        toast == "This group will get an alert for each new matching article once resumed (/settings resume)."
    )


async def test_group_unsubscribe_speaks_of_what_the_group_follows(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "You don't follow “tesla”. /mysubs shows what you follow." told the admin about their own subscriptions,
    # which the group's /unsubscribe never touches.
    await emulator.add_chat(GROUP, "group", "Readers")
    await emulator.set_member_status(GROUP, GROUP_ADMIN, "administrator")
    await say(emulator, "/subscribe business", chat=GROUP, user_id=GROUP_ADMIN)
    reply = await say(emulator, "/unsubscribe tesla", chat=GROUP, user_id=GROUP_ADMIN)
    assert reply.text == "❓ This group doesn't follow “tesla”.\n/mysubs shows what this group follows."
    dropped = await say(emulator, "/unsubscribe all", chat=GROUP, user_id=GROUP_ADMIN)
    assert dropped.text == "🗑 Dropped this group's one subscription. /topics to follow something again."
    again = await say(emulator, "/unsubscribe all", chat=GROUP, user_id=GROUP_ADMIN)
    assert again.text == "This group was not following anything. /topics to start."


async def test_subscribe_alone_in_a_group_tells_members_who_can_follow_things(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A member's /subscribe was answered "Follow topics or keywords: /subscribe business ... Or tap a topic:",
    # and both the command and every tap were then refused: only administrators can.
    await emulator.add_chat(GROUP, "group", "Readers")
    usage = await say(emulator, "/subscribe", chat=GROUP, user_id=MEMBER)
    assert usage.text == (
        "Only this group's administrators change what it follows: "
        '/subscribe business tesla "electric cars", or the topic buttons below.'
    )
    assert (await emulator.next_message(GROUP)).buttons  # the keyboard, for them
    private = await say(emulator, "/subscribe")
    assert private.text.startswith("Follow topics or keywords: /subscribe business tesla")


async def test_a_groups_settings_panel_says_its_commands_are_the_administrators(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Any member may look at /settings, which listed "Also by command: /settings pause ..." as if for them:
    # each such command was then refused.
    await emulator.add_chat(GROUP, "group", "Readers")
    panel = await say(emulator, "/settings", chat=GROUP, user_id=MEMBER)
    assert "\nAlso by command (this group's administrators):\n<code>/settings digest" in panel.html
    assert "\nAlso by command:\n" in (await say(emulator, "/settings")).text


async def test_when_telegram_cannot_say_who_is_admin_a_group_change_is_refused(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # getChatMember failing (a proxy's 502) proves nothing about the sender: the change waits for an answer.
    # It also proves nothing against them: a real administrator was told "only this group's administrators".
    await emulator.add_chat(GROUP, "group", "Readers")
    await emulator.set_member_status(GROUP, GROUP_ADMIN, "administrator")
    with emulator.answering_as_proxy(502, methods=("getChatMember",)):
        refused = await say(emulator, "/subscribe business", chat=GROUP, user_id=MEMBER)
        unsure = await say(emulator, "/subscribe business", chat=GROUP, user_id=GROUP_ADMIN)
    for reply in (refused, unsure):
        assert reply.text == (
            "⚠️ Telegram could not tell me just now whether you administer this group; please try again in a "
            "minute."
        ), reply.text
    assert await services_of(running_bot).subscriptions.topic_ids(GROUP) == set()


async def test_an_admin_check_telegram_refuses_is_no_outage(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # PTB's BadRequest is a NetworkError: Telegram's own 400 to getChatMember ("user not found") was taken for an
    # outage, and the sender was told to try again in a minute, which gets the same answer every time.
    await emulator.add_chat(GROUP, "group", "Readers")
    refused = {"ok": False, "error_code": 400, "description": "Bad Request: user not found"}
    with emulator.answering_as_proxy(
        400, json.dumps(refused), "application/json", methods=("getChatMember",)
    ):
        reply = await say(emulator, "/subscribe business", chat=GROUP, user_id=MEMBER)
    assert "only this group's administrators" in reply.text, reply.text
    assert await services_of(running_bot).subscriptions.topic_ids(GROUP) == set()


async def _answer_429_once(emulator: BotApiEmulator, method: str, retry_after: int) -> None:
    """Answer ``method`` with a 429 until Telegram's answer has been given once, then normally again."""
    flood = {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {retry_after}"}
    flood["parameters"] = {"retry_after": retry_after}
    with emulator.answering_as_proxy(429, json.dumps(flood), "application/json", methods=(method,)):
        await wait_until(lambda: emulator.requests["proxy"] > 0)


async def test_an_admin_check_telegram_asks_to_wait_for_is_waited_out(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # getChatMember answered 429 (retry after 1 s) made the bot tell a group's administrator "Sorry, only this
    # group's administrators can change its subscriptions and settings."
    await emulator.add_chat(GROUP, "group", "Readers")
    await emulator.set_member_status(GROUP, GROUP_ADMIN, "administrator")
    flood = asyncio.create_task(_answer_429_once(emulator, "getChatMember", 1))
    followed = await say(emulator, "/subscribe business", chat=GROUP, user_id=GROUP_ADMIN)
    await flood
    assert "Topics: 💼 Business" in followed.text, followed.text
    assert emulator.requests["getChatMember"] == 1  # the retry, after the wait
    assert await services_of(running_bot).subscriptions.topic_ids(GROUP) == {"business"}


async def test_an_admin_check_telegram_asks_to_wait_long_for_says_when_to_try_again(
    emulator: BotApiEmulator, running_bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    # Told to wait 40 s before getChatMember, the bot answered an administrator's /settings pause and topic tap
    # with "only this group's administrators can change that".
    await emulator.add_chat(GROUP, "group", "Readers")
    await emulator.set_member_status(GROUP, GROUP_ADMIN, "administrator")
    topics = await say(emulator, "/topics", chat=GROUP, user_id=GROUP_ADMIN)
    flood = {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 40"}
    flood["parameters"] = {"retry_after": 40}
    with emulator.answering_as_proxy(429, json.dumps(flood), "application/json", methods=("getChatMember",)):
        paused = await say(emulator, "/settings pause", chat=GROUP, user_id=GROUP_ADMIN)
        toast = await press(emulator, topics, "t:science", user_id=GROUP_ADMIN)
    wait = "Telegram asks me to wait 40 s before I can check who administers this group; try again then."
    assert paused.text == "⚠️ " + wait
    assert toast == wait
    chat = await services_of(running_bot).chats.get(GROUP)
    assert chat is not None and not chat.paused
    assert await services_of(running_bot).subscriptions.topic_ids(GROUP) == set()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def _answer_429_times(emulator: BotApiEmulator, method: str, retry_after: int, times: int) -> None:
    """Answer ``method`` with a 429 (retry after ``retry_after`` s) ``times`` times in a row, then normally."""
    flood = {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {retry_after}"}
    flood["parameters"] = {"retry_after": retry_after}
    with emulator.answering_as_proxy(429, json.dumps(flood), "application/json", methods=(method,)):
        start = emulator.requests["proxy"]
        await wait_until(lambda: emulator.requests["proxy"] >= start + times, timeout=30)


async def test_a_reply_told_to_wait_is_tried_three_times_then_left_with_one_log_line(
    emulator: BotApiEmulator, running_bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    # Two 429s in a row are waited out and the answer still comes. After a third, Telegram has made its point:
    # one warning, no ERROR trace, and no apology (which would be refused the same way).
    flood = asyncio.create_task(_answer_429_times(emulator, "sendMessage", 1, times=2))
    helped = await say(emulator, "/help", timeout=20)
    await flood
    assert "/subscribe" in helped.text
    caplog.set_level(logging.WARNING)
    flood = asyncio.create_task(_answer_429_times(emulator, "sendMessage", 1, times=3))
    await emulator.send_user_message(USER_CHAT, "/help")
    await flood
    await wait_until(lambda: any(r.name.startswith("bot.") for r in caplog.records), timeout=20)
    await emulator.wait_for_idle()
    assert [r.getMessage() for r in caplog.records if r.name.startswith("bot.")] == [
        f"answer in chat {USER_CHAT} not sent: Telegram asks to wait 1 s"
    ]
    assert [m.text for m in emulator.messages(USER_CHAT)] == [helped.text]


async def test_a_reply_told_to_wait_10_s_is_sent_after_the_wait(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # 10 s is the longest a reply waits for Telegram (the person is still looking at the chat); asked for that
    # long, the bot waits and answers rather than leave the command unanswered.
    flood = asyncio.create_task(_answer_429_times(emulator, "sendMessage", 10, times=1))
    helped = await say(emulator, "/help", timeout=30)
    await flood
    assert "/subscribe" in helped.text


async def test_group_migration_keeps_subscriptions(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    await emulator.add_chat(GROUP, "group", "Readers")
    await emulator.set_member_status(GROUP, GROUP_ADMIN, "creator")
    await say(emulator, "/subscribe science", chat=GROUP, user_id=GROUP_ADMIN)
    await emulator.migrate_chat(GROUP, -100500)
    await emulator.wait_for_idle()
    services = services_of(running_bot)
    assert await services.subscriptions.topic_ids(-100500) == {"science"}
    assert await services.chats.get(GROUP) is None


async def test_an_upgraded_group_is_not_greeted_as_new_in_its_supergroup(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    await emulator.add_chat(GROUP, "group", "Readers")
    await emulator.set_member_status(GROUP, GROUP_ADMIN, "creator")
    await say(emulator, "/subscribe science", chat=GROUP, user_id=GROUP_ADMIN)
    supergroup = {"id": -100500, "type": "supergroup", "title": "Readers"}
    await emulator.add_chat(-100500, "supergroup", "Readers")
    # What Telegram sends on an upgrade: the group's notice, the bot joining the supergroup, the supergroup's
    # notice. The group's notice and the join were handled side by side (two chats), so the join found no
    # such chat yet and the set-up group got the hello for a group the bot was just added to.
    now, bot = int(time.time()), {"id": 123456, "is_bot": True, "first_name": "NewsBot"}
    admin = {"id": GROUP_ADMIN, "is_bot": False, "first_name": "Ann"}
    group = {"id": GROUP, "type": "group", "title": "Readers"}
    await emulator.inject_raw_update(
        {
            "message": {
                "message_id": 90,
                "date": now,
                "chat": group,
                "from": admin,
                "migrate_to_chat_id": -100500,
            }
        }
    )
    await emulator.inject_raw_update(
        {
            "my_chat_member": {
                "chat": supergroup,
                "from": admin,
                "date": now,
                "old_chat_member": {"user": bot, "status": "left"},
                "new_chat_member": {"user": bot, "status": "member"},
            }
        }
    )
    anonymous = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
    await emulator.inject_raw_update(
        {
            "message": {
                "message_id": 1,
                "date": now,
                "chat": supergroup,
                "from": anonymous,
                "sender_chat": supergroup,
                "migrate_from_chat_id": GROUP,
            }
        }
    )
    await emulator.wait_for_idle()
    assert emulator.messages(-100500) == []
    assert await services_of(running_bot).subscriptions.topic_ids(-100500) == {"science"}


async def test_an_upgrade_while_the_groups_last_command_runs_still_comes_before_the_supergroups_join(
    emulator: BotApiEmulator, running_bot: BotApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The group's notice waits for the group's /mysubs to finish; it must hold the supergroup's turn meanwhile,
    # or the bot's join to the supergroup runs first, finds no such chat and greets the set-up group as new.
    await emulator.add_chat(GROUP, "group", "Readers")
    await emulator.set_member_status(GROUP, GROUP_ADMIN, "creator")
    await say(emulator, "/subscribe science", chat=GROUP, user_id=GROUP_ADMIN)
    await emulator.add_chat(-100500, "supergroup", "Readers")
    subscriptions = services_of(running_bot).subscriptions
    for_chat, entered, release = subscriptions.for_chat, asyncio.Event(), asyncio.Event()

    async def busy(chat_id: int) -> object:
        if not entered.is_set():
            entered.set()
            await release.wait()
        return await for_chat(chat_id)

    monkeypatch.setattr(subscriptions, "for_chat", busy)
    await emulator.send_user_message(GROUP, "/mysubs", user_id=GROUP_ADMIN)
    await asyncio.wait_for(entered.wait(), 10)
    now, bot = int(time.time()), {"id": 123456, "is_bot": True, "first_name": "NewsBot"}
    admin = {"id": GROUP_ADMIN, "is_bot": False, "first_name": "Ann"}
    group = {"id": GROUP, "type": "group", "title": "Readers"}
    supergroup = {"id": -100500, "type": "supergroup", "title": "Readers"}
    polls = emulator.requests["getUpdates"]
    notice = {"message_id": 90, "date": now, "chat": group, "from": admin, "migrate_to_chat_id": -100500}
    await emulator.inject_raw_update({"message": notice})
    joined = {"user": bot, "status": "member"}
    await emulator.inject_raw_update(
        {
            "my_chat_member": {
                "chat": supergroup,
                "from": admin,
                "date": now,
                "old_chat_member": {"user": bot, "status": "left"},
                "new_chat_member": joined,
            }
        }
    )
    await wait_until(lambda: emulator.requests["getUpdates"] > polls + 1)  # the bot has both, waiting
    await asyncio.sleep(0.3)
    release.set()
    # Answered in its turn, after the join: the supergroup heard nothing else.
    reply = await say(emulator, "/help@newsbot_emulator_bot", chat=-100500, user_id=GROUP_ADMIN)
    assert [m.text for m in emulator.messages(-100500)] == [reply.text]
    assert await subscriptions.topic_ids(-100500) == {"science"}


async def test_a_group_said_to_move_to_itself_is_still_answered(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A "became a supergroup" notice naming the group itself (never from Telegram) took the group's turn twice
    # and waited on itself: the group was never answered again and the bot could not stop.
    await emulator.add_chat(GROUP, "group", "Readers")
    group = {"id": GROUP, "type": "group", "title": "Readers"}
    admin = {"id": GROUP_ADMIN, "is_bot": False, "first_name": "Ann"}
    notice = {"message_id": 90, "date": int(time.time()), "chat": group, "from": admin}
    await emulator.inject_raw_update({"message": {**notice, "migrate_to_chat_id": GROUP}})
    reply = await say(emulator, "/help@newsbot_emulator_bot", chat=GROUP, user_id=GROUP_ADMIN, timeout=5)
    assert "What I can do" in reply.text


async def test_buttons_from_before_a_group_became_a_supergroup_say_so_and_keep_its_settings(
    emulator: BotApiEmulator, running_bot: BotApplication, clock: FakeClock
) -> None:
    await store_samples(running_bot)
    await emulator.add_chat(GROUP, "group", "Readers")
    await emulator.set_member_status(GROUP, GROUP_ADMIN, "administrator")
    await say(emulator, "/settings timezone Europe/Berlin", chat=GROUP, user_id=GROUP_ADMIN)
    panel = await say(emulator, "/settings length 5", chat=GROUP, user_id=GROUP_ADMIN)
    latest = await say(emulator, "/latest", chat=GROUP, user_id=MEMBER)
    await emulator.migrate_chat(GROUP, -100500)
    await emulator.wait_for_idle()
    clock.advance(3600)
    # The old group's messages, buttons and all, still show in the supergroup's history. An admin's tap was
    # told "Only this group's administrators can change that"; a member's summary tap spun unanswered and
    # reset the supergroup's timezone and summary length to the defaults.
    toast = await press(emulator, panel, panel.button_data("Daily digest"), user_id=GROUP_ADMIN)
    assert toast is not None and "has become a supergroup" in toast
    summary_button = next(data for _label, data in latest.buttons if data.startswith("sum:"))
    toast = await press(emulator, latest, summary_button, user_id=MEMBER)
    assert toast is not None and "has become a supergroup" in toast
    await emulator.wait_for_idle()
    services = services_of(running_bot)
    assert await services.chats.get(GROUP) is None
    chat = await services.chats.get(-100500)
    assert chat is not None
    assert (chat.mode, chat.timezone, chat.summary_sentences) == ("instant", "Europe/Berlin", 5)


async def test_admin_commands_refuse_others(emulator: BotApiEmulator, running_bot: BotApplication) -> None:
    for command in (
        "/stats",
        "/feeds",
        "/addfeed https://example.com/rss",
        "/removefeed https://example.com/rss",
    ):
        reply = await say(emulator, command)
        assert reply.text == "Sorry, that command is only for the bot's administrators."


async def test_a_refused_admin_command_logs_the_senders_id(
    emulator: BotApiEmulator, running_bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    # A new operator's first /stats got "only for the bot's administrators" and nothing anywhere said which
    # number NEWSBOT_ADMIN_IDS wants: the log now names the sender's id.
    caplog.set_level(logging.INFO, logger="bot.handlers.common")
    reply = await say(emulator, "/stats@" + emulator.bot_username)
    assert reply.text == "Sorry, that command is only for the bot's administrators."
    assert f"/stats refused: user {USER_CHAT} is not in NEWSBOT_ADMIN_IDS" in caplog.text


async def test_admin_stats_and_feeds(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    await say(emulator, "/subscribe business tesla")
    stats = await say(emulator, "/stats", chat=ADMIN_ID)
    assert stats.text.splitlines()[1:] == [
        "Chats: 1 (1 active: 1 instant, 0 digest; 0 of them paused)",
        "Subscriptions: 1 topic, 1 keyword",
        "Articles: 0",
        "Feeds: 0",
        "Queue: 0 waiting",
        "Last 24 h: 0 delivered, 0 failed, 0 dropped",
    ]
    await say(emulator, "/settings pause")
    paused = await say(emulator, "/stats", chat=ADMIN_ID)
    # A paused chat is still an instant (or digest) chat: the counts add up to the active ones.
    assert paused.text.splitlines()[1] == "Chats: 1 (1 active: 1 instant, 0 digest; 1 of them paused)"
    await say(emulator, "/settings resume")
    await news_site.publish("business", "Harbor Coffee grows", "Sales rose. Prices too. Investors were calm.")
    wrong = await say(emulator, f"/addfeed {news_site.feed_url('business')} business marsbars", chat=ADMIN_ID)
    assert wrong.text.startswith("⚠️ “marsbars” is not a topic. Topics: automotive, business,"), wrong.text
    assert (
        "Feeds: 0" in (await say(emulator, "/stats", chat=ADMIN_ID)).text
    )  # topics must be catalogue topics
    added = await say(emulator, f"/addfeed {news_site.feed_url('business')} business", chat=ADMIN_ID)
    assert "Added feed" in added.text and "Test News: business" in added.text
    listing = await say(emulator, "/feeds", chat=ADMIN_ID)
    assert news_site.feed_url("business") in listing.text
    assert "Feeds: 1" in (await say(emulator, "/stats", chat=ADMIN_ID)).text
    bad = await say(emulator, f"/addfeed {news_site.url('/nothing.xml')}", chat=ADMIN_ID)
    assert bad.text == "⚠️ The site says that page does not exist (404)."
    assert "Feeds: 1" in (await say(emulator, "/stats", chat=ADMIN_ID)).text  # a feed that fails is not added
    removed = await say(emulator, f"/removefeed <{news_site.feed_url('business')}>", chat=ADMIN_ID)
    assert "Stopped polling" in removed.text
    assert (
        "No feed with that address"
        in (await say(emulator, f"/removefeed {news_site.feed_url('business')}", chat=ADMIN_ID)).text
    )
    assert "Feeds: 0" in (await say(emulator, "/stats", chat=ADMIN_ID)).text


async def test_stats_counts_deliveries_of_the_last_24_hours(
    running_bot: BotApplication, clock: FakeClock
) -> None:
    # "Last 24 h: ..." is what the reply says: the delivery figures are asked for from a day ago, no further.
    asked: list[float] = []

    class Deliveries:
        async def stats(self, since: float) -> dict[str, int]:
            asked.append(since)
            return {}

    await services_of(running_bot).admin.stats(Deliveries())
    assert asked == [clock.now() - 24 * 3600]


async def test_stats_counts_dead_feeds_among_the_feeds(
    emulator: BotApiEmulator, running_bot: BotApplication, clock: FakeClock
) -> None:
    feeds = services_of(running_bot).db.feeds
    for name in ("a", "b"):
        await feeds.add(f"https://news.test/{name}.xml", (), ADMIN_ID, clock.now())
    dead, _ = await feeds.add("https://news.test/c.xml", (), ADMIN_ID, clock.now())
    await feeds.record_failure(
        dead.id, error="gone", next_poll_at=clock.now() + 86400, dead=True, now=clock.now()
    )
    stats = await say(emulator, "/stats", chat=ADMIN_ID)
    assert "Feeds: 3 (1 dead)" in stats.text.splitlines(), stats.text


async def test_stats_counts_subscriptions_of_active_chats_apart_from_inactive_ones(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A user who blocked the bot kept counting in "Subscriptions: 1 topic, 1 keyword", as if news still went there.
    await say(emulator, "/subscribe business tesla")
    await emulator.block_chat(USER_CHAT)
    await chat_once(running_bot, USER_CHAT, active=False)
    stats = await say(emulator, "/stats", chat=ADMIN_ID)
    assert (
        stats.text.splitlines()[2] == "Subscriptions: 0 topics, 0 keywords (2 more kept for inactive chats)"
    )
    # Back, the chat counts again.
    await emulator.unblock_chat(USER_CHAT)
    await say(emulator, "/mysubs")
    stats = await say(emulator, "/stats", chat=ADMIN_ID)
    assert stats.text.splitlines()[2] == "Subscriptions: 1 topic, 1 keyword"


async def test_groups_hear_only_commands_meant_for_the_bot(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    await emulator.add_chat(GROUP, "group", "Readers")
    await emulator.send_user_message(GROUP, "just chatting https://example.com/x", user_id=MEMBER)
    await emulator.send_user_message(GROUP, "/dance", user_id=MEMBER)
    await emulator.send_user_message(GROUP, "/start@some_other_bot", user_id=MEMBER)
    reply = await say(emulator, f"/frobnicate@{emulator.bot_username}", chat=GROUP, user_id=MEMBER)
    assert "I don't know /frobnicate" in reply.text
    await emulator.wait_for_idle()  # a wrong answer could still be on its way: count once all is quiet
    assert [m.text for m in emulator.messages(GROUP)] == [reply.text]


async def test_a_group_command_naming_the_bot_in_other_letters_or_under_a_photo_is_answered(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Telegram matches a bot's username in any case, and a photo's caption can carry the command: both name us.
    await emulator.add_chat(GROUP, "group", "Readers")
    shouted = emulator.bot_username.upper()
    reply = await say(emulator, f"/frobnicate@{shouted}", chat=GROUP, user_id=MEMBER)
    assert "I don't know /frobnicate" in reply.text, reply.text
    await emulator.send_user_media(GROUP, caption=f"/weather@{emulator.bot_username} today", user_id=MEMBER)
    assert "I don't know /weather" in (await emulator.next_message(GROUP)).text


async def test_removed_from_a_group_while_answering(
    emulator: BotApiEmulator, running_bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    await emulator.add_chat(GROUP, "group", "Readers")
    await emulator.set_member_status(GROUP, GROUP_ADMIN, "administrator")
    await say(emulator, "/subscribe business", chat=GROUP, user_id=GROUP_ADMIN)
    caplog.set_level(logging.WARNING)
    # The bot is removed after the command arrived but before its answer went out: the answer gets 403.
    await emulator.block_chat(GROUP, announce=False)
    await emulator.send_user_message(GROUP, "/mysubs", user_id=GROUP_ADMIN)
    await chat_once(running_bot, GROUP, active=False)  # nothing more is delivered there
    await emulator.wait_for_idle()
    services = services_of(running_bot)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no trace: it was not our fault
    assert emulator.requests["sendMessage"] == 2  # no apology sent into the void after the failed answer
    # Back in the group, the chat comes back with what it followed.
    await emulator.unblock_chat(GROUP)
    await say(emulator, "/mysubs", chat=GROUP, user_id=GROUP_ADMIN)
    chat = await services.chats.get(GROUP)
    assert chat is not None and chat.active
    assert await services.subscriptions.topic_ids(GROUP) == {"business"}


async def test_a_user_who_blocked_the_bot_and_comes_back_with_any_command_gets_alerts_again(
    emulator: BotApiEmulator, running_bot: BotApplication, clock: FakeClock
) -> None:
    services = services_of(running_bot)
    await say(emulator, "/subscribe business")
    await emulator.block_chat(USER_CHAT, announce=False)
    first = await store_news(
        running_bot, "b1", "Business one grows", "Business {k} one market grows revenue."
    )
    await services.delivery.plan_alerts(first, services.clock.now())
    deadline = time.monotonic() + 10
    while (chat := await services.chats.get(USER_CHAT)) is not None and chat.active:  # the alert's 403
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    clock.advance(7 * 86_400)
    # Unblocked while the bot was offline for more than a day: Telegram's my_chat_member update is gone. The
    # user's /latest was answered, yet the chat stayed inactive and never got an alert again.
    await emulator.unblock_chat(USER_CHAT, announce=False)
    await say(emulator, "/latest")
    second = await store_news(
        running_bot, "b2", "Business two falls", "Business {k} two market falls profits."
    )
    await services.delivery.plan_alerts(second, services.clock.now())
    alert = await emulator.next_message(USER_CHAT)
    assert alert.text.startswith("💼 Business two falls")
    assert await services.subscriptions.topic_ids(USER_CHAT) == {"business"}


async def test_a_proxys_403_to_an_answer_does_not_drop_the_chat(
    emulator: BotApiEmulator, running_bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    # A reverse proxy in front of the Bot API answering one reply with its own 403 page deactivated the chat
    # as if the user had blocked the bot: no more alerts for it.
    await say(emulator, "/subscribe business")
    caplog.set_level(logging.WARNING, logger="bot.handlers.errors")

    def handled() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "bot.handlers.errors"]

    with emulator.answering_as_proxy(403, methods=("sendMessage",)):
        await emulator.send_user_message(USER_CHAT, "/mysubs")
        # The error handler's last step either way: the apology (refused by the proxy too), or dropping the chat,
        # whose line comes before its write. A quiet emulator came before that write on a loaded machine, so a
        # broken check could pass.
        await wait_until(
            lambda: any(
                m.startswith(("could not send the error apology", f"chat {USER_CHAT} is gone"))
                for m in handled()
            ),
            timeout=60,
        )
    assert [m.partition(":")[0] for m in handled()] == [
        f"error while handling /mysubs in chat {USER_CHAT}",
        "could not send the error apology",
    ]
    chat = await services_of(running_bot).chats.get(USER_CHAT)
    assert chat is not None and chat.active
    assert "Business" in (await say(emulator, "/mysubs")).text


async def test_removed_from_a_group_stops_deliveries_at_once(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    await emulator.add_chat(GROUP, "group", "Readers")
    await emulator.set_member_status(GROUP, GROUP_ADMIN, "administrator")
    await say(emulator, "/subscribe business", chat=GROUP, user_id=GROUP_ADMIN)
    await emulator.block_chat(GROUP)  # Telegram tells the bot with a my_chat_member update
    await chat_once(running_bot, GROUP, active=False)
    services = services_of(running_bot)
    await emulator.unblock_chat(GROUP, announce=True)  # added back: alerts resume without any command
    await chat_once(running_bot, GROUP, active=True)
    assert await services.subscriptions.topic_ids(GROUP) == {"business"}


async def test_an_anonymous_admin_manages_the_group_and_is_not_called_group(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    await emulator.add_chat(-100600, "supergroup", "Readers")
    chat = {"id": -100600, "type": "supergroup", "title": "Readers"}
    # Telegram's placeholder sender for anonymous group admins; the group itself is the sender_chat.
    anonymous = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
    replies = []
    for message_id, text in enumerate(["/start", "/subscribe business"], start=50):
        await emulator.inject_raw_update(
            {
                "message": {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": chat,
                    "from": anonymous,
                    "sender_chat": chat,
                    "text": text,
                    "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
                }
            }
        )
        replies.append(await emulator.next_message(-100600))
    assert replies[0].text.startswith("👋 News summaries for this group"), replies[0].text
    assert "Hello, Group" not in replies[0].text  # the anonymous admin's placeholder name is nobody's
    assert "Topics: 💼 Business" in replies[1].text
    assert await services_of(running_bot).subscriptions.topic_ids(-100600) == {"business"}


async def test_a_member_posting_as_their_own_channel_is_no_group_admin(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Telegram lets any member write in a group on behalf of a channel they own; only the group itself as the
    # sender (an anonymous administrator) stands for an admin.
    await emulator.add_chat(-100600, "supergroup", "Readers")
    chat = {"id": -100600, "type": "supergroup", "title": "Readers"}
    await emulator.inject_raw_update(
        {
            "message": {
                "message_id": 60,
                "date": int(time.time()),
                "chat": chat,
                "from": {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"},
                "sender_chat": {"id": -100700, "type": "channel", "title": "Someone's channel"},
                "text": "/subscribe business",
                "entities": [{"type": "bot_command", "offset": 0, "length": 10}],
            }
        }
    )
    refused = await emulator.next_message(-100600)
    assert "only this group's administrators" in refused.text
    assert await services_of(running_bot).subscriptions.topic_ids(-100600) == set()


async def test_an_admin_new_to_the_bot_gets_the_admin_menu_on_start(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # At start-up the admin had never opened the bot, so Telegram refused their chat's command scope.
    assert emulator.commands_for("chat", ADMIN_ID) == []
    await say(emulator, "/start", chat=ADMIN_ID)
    assert {"start", "stats", "addfeed"} <= {name for name, _ in emulator.commands_for("chat", ADMIN_ID)}
    await say(emulator, "/start")  # an ordinary user's menu stays the default one
    assert emulator.commands_for("chat", USER_CHAT) == []
    # In a group the admin's /start must not put /stats and /addfeed in every member's menu.
    await emulator.add_chat(GROUP, "group", "Readers")
    await say(emulator, "/start", chat=GROUP, user_id=ADMIN_ID)
    assert emulator.commands_for("chat", GROUP) == []


async def test_an_admin_who_already_talked_to_the_bot_has_the_admin_menu_from_start_up(
    emulator: BotApiEmulator, make_bot: MakeBot
) -> None:
    # After a restart the admin should find /stats and /addfeed in their menu without sending /start again.
    await emulator.add_chat(ADMIN_ID, "private")
    async with make_bot():
        admin_menu = {name for name, _ in emulator.commands_for("chat", ADMIN_ID)}
        assert {"start", "stats", "addfeed"} <= admin_menu
        assert "stats" not in {name for name, _ in emulator.commands}  # everybody else's menu


async def test_a_former_admin_gets_the_default_menu_back_on_start(
    emulator: BotApiEmulator, make_bot: MakeBot, settings: Settings
) -> None:
    # Removed from NEWSBOT_ADMIN_IDS, they kept /stats and /addfeed in their menu for good: nothing cleared
    # the menu start-up had set for their chat, and tapping one got a refusal.
    await emulator.add_chat(ADMIN_ID, "private")
    async with make_bot():
        assert "stats" in {name for name, _ in emulator.commands_for("chat", ADMIN_ID)}
    async with make_bot(settings=settings.model_copy(update={"admin_ids": frozenset()})):
        await say(emulator, "/start", chat=ADMIN_ID)
        assert emulator.commands_for("chat", ADMIN_ID) == []  # the default menu shows
        assert "stats" not in {name for name, _ in emulator.commands}
        await say(emulator, "/start")  # someone who never had the admin menu: /start answers as before
        assert emulator.commands_for("chat", USER_CHAT) == []


async def test_group_members_menu_offers_only_what_they_can_use(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Groups had the default menu: every member was offered /subscribe, /unsubscribe and /stop, which only
    # the group's administrators can use, and a member tapping /stop got a refusal.
    members = " ".join(name for name, _ in emulator.commands_for("all_group_chats"))
    assert members == "start help topics mysubs latest summary search digest settings"
    # Telegram prefers the group scope to the default one for a group's administrators too: they need theirs.
    admins = [name for name, _ in emulator.commands_for("all_chat_administrators")]
    assert admins == [name for name, _ in emulator.commands]
    assert {"subscribe", "unsubscribe", "stop"} <= set(admins)
    assert "stats" not in admins  # the bot's admin commands stay in its admins' private menus


async def test_addfeed_knows_a_feed_it_already_polls(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    await news_site.publish("business", "Harbor Coffee grows", "Sales rose. Prices too. Investors were calm.")
    url = news_site.feed_url("business")
    shouted = url.replace("http://", "HTTP://", 1)
    assert "Added feed" in (await say(emulator, f"/addfeed {url} business science", chat=ADMIN_ID)).text
    assert "Already polling" in (await say(emulator, f"/addfeed {shouted}", chat=ADMIN_ID)).text
    # The same topics in another order are the same topics, not a request to change them.
    same = await say(emulator, f"/addfeed {url} science business", chat=ADMIN_ID)
    assert same.text.startswith("Already polling") and "/removefeed" not in same.text, same.text
    other_topics = await say(emulator, f"/addfeed {url} cars", chat=ADMIN_ID)
    assert "Already polling that feed (topics: business, science)" in other_topics.text
    assert [f.url for f in await services_of(running_bot).admin.feeds()] == [url]
    # Two addresses at once is no /removefeed: the usage is shown and nothing stops being polled.
    both = await say(emulator, f"/removefeed {url} {url}2", chat=ADMIN_ID)
    assert "Usage: /removefeed URL" in both.text
    assert [f.url for f in await services_of(running_bot).admin.feeds()] == [url]
    assert "Stopped polling" in (await say(emulator, f"/removefeed {shouted}", chat=ADMIN_ID)).text


async def test_addfeed_of_an_address_in_angle_brackets_with_its_topics_after_an_equals_sign(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # "<URL=business>", as a link is pasted between brackets: the brackets go before the topics are read.
    await news_site.publish("business", "Harbor Coffee grows", "Sales rose. Prices too. Investors were calm.")
    url = news_site.feed_url("business")
    added = await say(emulator, f"/addfeed <{url}=business>", chat=ADMIN_ID)
    assert added.text == "➕ Added feed Test News: business with topics business. It will be polled shortly."
    assert [(f.url, f.topics) for f in await services_of(running_bot).admin.feeds()] == [(url, ("business",))]


async def test_addfeed_with_topics_of_a_polled_feed_without_any_says_it_has_none(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    await news_site.publish("business", "Harbor Coffee grows", "Sales rose. Prices too. Investors were calm.")
    url = news_site.feed_url("business")
    assert "Added feed" in (await say(emulator, f"/addfeed {url}", chat=ADMIN_ID)).text
    refused = await say(emulator, f"/addfeed {url} business", chat=ADMIN_ID)
    assert refused.text == (
        "⚠️ Already polling that feed (topics: none). To change them, /removefeed it and /addfeed it again."
    )


async def test_addfeed_takes_topics_written_as_in_newsbot_feeds(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # "/addfeed URL=business", as NEWSBOT_FEEDS writes a feed, fetched "URL=business" and answered that the
    # page does not exist (404), though the feed was there.
    await news_site.publish("business", "Harbor Coffee grows", "Sales rose. Prices too. Investors were calm.")
    url = news_site.feed_url("business")
    added = await say(emulator, f"/addfeed {url}=business+science", chat=ADMIN_ID)
    assert (
        added.text
        == "➕ Added feed Test News: business with topics business, science. It will be polled shortly."
    )
    services = services_of(running_bot)
    assert [(f.url, f.topics) for f in await services.admin.feeds()] == [(url, ("business", "science"))]
    # A query parameter's value is the feed's own, even when it is a topic's name.
    await say(emulator, f"/removefeed {url}", chat=ADMIN_ID)
    section = await say(emulator, f"/addfeed {url}?section=business", chat=ADMIN_ID)
    assert section.text.startswith("➕ Added feed Test News: business. "), section.text
    assert [(f.url, f.topics) for f in await services.admin.feeds()] == [(f"{url}?section=business", ())]


async def test_addfeed_with_a_misspelt_topic_after_an_equals_sign_names_the_topic_meant(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # "/addfeed URL=busines" fetched "URL=busines" and answered only with the site's 404: nothing said that the
    # typo, no topic, had been read as part of the address. And where that address served a feed, the feed was
    # added without topics, while the same entry in NEWSBOT_FEEDS is refused: "=words" outside a query string are
    # topics, checked as topics written apart are, before anything is fetched.
    await news_site.publish("business", "Harbor Coffee grows", "Sales rose. Prices too. Investors were calm.")
    url = news_site.feed_url("business")
    typo = news_site.add(
        "/feeds/business.xml=busines", news_site.feed_xml("business"), content_type="application/rss+xml"
    )
    assert typo == f"{url}=busines"
    refused = await say(emulator, f"/addfeed {url}=busines", chat=ADMIN_ID)
    assert refused.text.startswith("⚠️ “busines” is not a topic. Did you mean 💼 Business? Topics: "), (
        refused.text
    )
    assert news_site.hits("/feeds/business.xml=busines") == 0
    both = await say(emulator, f"/addfeed {url}=science+busines", chat=ADMIN_ID)
    assert both.text.startswith("⚠️ “busines” is not a topic. Did you mean 💼 Business? Topics: "), both.text
    # Written apart, the typo is named with the topic meant, in the same words.
    apart = await say(emulator, f"/addfeed {url} busines", chat=ADMIN_ID)
    assert apart.text == refused.text
    # A word that is near no topic is named with the topics there are.
    other = await say(emulator, f"/addfeed {url}=harbour", chat=ADMIN_ID)
    assert other.text.startswith("⚠️ “harbour” is not a topic. Topics: automotive, business,"), other.text
    # A query parameter's value is the feed's own: fetched, and the site's answer given.
    query = await say(emulator, f"/addfeed {url}x?section=busines", chat=ADMIN_ID)
    assert query.text == "⚠️ The site says that page does not exist (404).", query.text
    assert await services_of(running_bot).admin.feeds() == []


async def test_feeds_show_a_dead_feed_usefully_and_addfeed_takes_topic_lists(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    await news_site.publish("business", "Harbor Coffee grows", "Sales rose. Prices too. Investors were calm.")
    url = news_site.feed_url("business")
    added = await say(emulator, f"/addfeed {url} autos, business", chat=ADMIN_ID)
    assert "with topics automotive, business" in added.text
    services = services_of(running_bot)
    deadline = time.monotonic() + 10
    while not (await services.admin.feeds())[0].last_success_at:  # the bot's first poll
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    news_site.remove(urlsplit(url).path)
    while not (feed := (await services.admin.feeds())[0]).dead:
        await services.ingest.poll_feed(feed, services.clock.now())
    listing = await say(emulator, "/feeds", chat=ADMIN_ID)
    assert "💀 dead" in listing.text and "last read just now" in listing.text
    failed = "Failed 10 times in a row, last just now: The site says that page does not exist (404)."
    assert failed in listing.text
    assert "Tried once a day until it works again; /addfeed with its address tries it now" in listing.text
    await news_site.publish("business", "Harbor Coffee grows", "Sales rose. Prices too. Investors were calm.")
    assert "works again" in (await say(emulator, f"/addfeed {url}", chat=ADMIN_ID)).text


async def _failing_feed(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite, failures: int
) -> str:
    """The address of a feed an admin added, polled once, then gone from its site and polled ``failures`` times."""
    await news_site.publish("business", "Harbor Coffee grows", "Sales rose. Prices too. Investors were calm.")
    url = news_site.feed_url("business")
    await say(emulator, f"/addfeed {url}", chat=ADMIN_ID)
    services = services_of(running_bot)
    deadline = time.monotonic() + 10
    while not (await services.admin.feeds())[0].last_success_at:  # the bot's first poll, done before ours
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    news_site.remove(urlsplit(url).path)
    for _ in range(failures):
        feed = (await services.admin.feeds())[0]
        await services.ingest.poll_feed(feed, services.clock.now())
    return url


async def test_feeds_say_when_a_failing_feed_is_tried_next(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # Each failure doubles the wait before the next poll (up to a day), and /feeds said only how often and
    # when the feed last failed: the admin could not tell whether the bot would try again in minutes or hours.
    await _failing_feed(emulator, running_bot, news_site, 4)  # waits of 10, 20, 40, then 80 minutes
    listing = await say(emulator, "/feeds", chat=ADMIN_ID)
    assert "Failed 4 times in a row, last just now: " in listing.text
    assert "\nNext try in 1 h." in listing.text, listing.text


async def test_addfeed_of_a_failing_feed_that_works_again_polls_it_at_once(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # /addfeed of a failing feed whose site was fixed answered "Already polling" and the feed kept waiting out its
    # backoff (up to a day) though the check had just read it; only a dead feed was tried again at once.
    url = await _failing_feed(emulator, running_bot, news_site, 8)
    services = services_of(running_bot)
    assert "\nNext try in 21 h." in (await say(emulator, "/feeds", chat=ADMIN_ID)).text
    await news_site.publish("business", "Harbor Coffee grows", "Sales rose. Prices too. Investors were calm.")
    again = await say(emulator, f"/addfeed {url}", chat=ADMIN_ID)
    assert again.text == "♻️ Feed Test News: business works again and will be polled."
    feed = (await services.admin.feeds())[0]
    assert (feed.failures, feed.next_poll_at) == (0, services.clock.now())
    listing = await say(emulator, "/feeds", chat=ADMIN_ID)
    assert "✅ ok" in listing.text and "Next try" not in listing.text, listing.text


async def _a_dead_feed_back_online(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite, topics: str = ""
) -> str:
    """Add the site's business feed (with ``topics``), let it die of 404s, then serve it again; its address."""
    await news_site.publish("business", "Harbor Coffee grows", "Sales rose. Prices too. Investors were calm.")
    url = news_site.feed_url("business")
    await say(emulator, f"/addfeed {url} {topics}".rstrip(), chat=ADMIN_ID)
    services = services_of(running_bot)
    news_site.remove(urlsplit(url).path)
    while not (feed := (await services.admin.feeds())[0]).dead:
        await services.ingest.poll_feed(feed, services.clock.now())
    await news_site.publish("business", "Harbor Coffee grows", "Sales rose. Prices too. Investors were calm.")
    return url


@pytest.mark.parametrize(("topics", "told"), [("science", True), ("business", False), ("", False)])
async def test_addfeed_of_a_dead_feed_says_when_the_topics_it_names_were_not_applied(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite, topics: str, told: bool
) -> None:
    # A live feed with other topics is refused with the way to change them; a dead one was revived with its
    # old topics while the reply let the admin believe the new ones were taken. Naming its own topics again, or
    # none, takes nothing away: the note would send the admin to /removefeed for nothing.
    url = await _a_dead_feed_back_online(emulator, running_bot, news_site, "business")
    services = services_of(running_bot)
    revived = await say(emulator, f"/addfeed {url} {topics}".rstrip(), chat=ADMIN_ID)
    assert "works again" in revived.text
    assert [(f.url, f.topics, f.dead) for f in await services.admin.feeds()] == [(url, ("business",), False)]
    if told:
        assert "topics stay business" in revived.text and "/removefeed" in revived.text
    else:
        assert "topics stay" not in revived.text, revived.text


async def _kill_feed(services: Services, news_site: NewsSite, url: str) -> None:
    """Make the site answer 500 for the feed and poll it until it is marked dead."""
    news_site.add(urlsplit(url).path, "Internal error", status=500)
    while not (feed := (await services.admin.feeds())[0]).dead:
        await services.ingest.poll_feed(feed, services.clock.now())


async def test_admins_are_told_once_when_a_feed_dies_and_when_it_works_again(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, clock: FakeClock, make_bot: MakeBot
) -> None:
    # A feed failing 10 times in a row was marked dead in silence: the operator learnt it only from /feeds or
    # the logs, so the bot could lose its main source for weeks. Each admin with a private chat is now told
    # once per death (not at each daily retry, nor again after a restart), and once when it works again.
    never_started = ADMIN_ID + 1  # an admin who never wrote to the bot: skipped, with a log line
    settings = make_settings(tmp_path, emulator, admin_ids=frozenset({ADMIN_ID, never_started}))
    await news_site.publish("business", "Harbor Coffee grows", "Sales rose. Prices too. Investors were calm.")
    url = news_site.feed_url("business")
    async with make_bot(settings=settings, clock=clock) as app:
        services = services_of(app)
        await say(emulator, "/start", chat=USER_CHAT)
        await say(emulator, "/start", chat=ADMIN_ID)
        await say(emulator, f"/addfeed {url}", chat=ADMIN_ID)
        deadline = time.monotonic() + 10
        while not (await services.admin.feeds())[0].last_success_at:  # the bot's first poll
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        await _kill_feed(services, news_site, url)
        notice = await emulator.next_message(ADMIN_ID, timeout=10)
        assert notice.text.startswith("💀 Feed Test News: business stopped working.\n" + url + "\n")
        assert "Last error: " in notice.text and "500" in notice.text, notice.text
        assert "It failed 10 times in a row, so from now on it is tried once a day" in notice.text
        assert f"/removefeed {url} drops it; /addfeed {url} tries it now." in notice.text
        # The daily retries that fail again tell nobody anything.
        for _ in range(2):
            clock.advance(86_400)
            feed = (await services.admin.feeds())[0]
            await services.ingest.poll_feed(feed, services.clock.now())
        await emulator.wait_for_idle(quiet=0.5)
    async with make_bot(settings=settings, clock=clock) as app:  # a restart sends nothing again
        services = services_of(app)
        await emulator.wait_for_idle(quiet=0.5)
        assert [m.text for m in emulator.messages(ADMIN_ID)][-1] == notice.text
        assert emulator.messages(never_started) == []
        assert len(emulator.messages(USER_CHAT)) == 1  # its /start reply only: not an admin
        # The site is fixed and the next daily try reads the feed: the admin hears it from the bot too.
        news_site.add(urlsplit(url).path, news_site.feed_xml("business"), content_type="application/rss+xml")
        clock.advance(86_400)
        again = await emulator.next_message(ADMIN_ID, timeout=10)
        assert again.text == f"♻️ Feed Test News: business works again and is polled as usual.\n{url}"
        await emulator.wait_for_idle(quiet=0.5)
        assert not (await services.admin.feeds())[0].dead
        # /start's and /addfeed's answers, the death, the recovery.
        assert len(emulator.messages(ADMIN_ID)) == 4


async def test_an_admin_who_blocked_the_bot_is_skipped_when_a_feed_dies(
    emulator: BotApiEmulator,
    running_bot: BotApplication,
    news_site: NewsSite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The notice of a dead feed to an admin who blocked the bot since is refused (403): logged and dropped,
    # never retried, and the bot goes on.
    await news_site.publish("business", "Harbor Coffee grows", "Sales rose. Prices too. Investors were calm.")
    url = news_site.feed_url("business")
    await say(emulator, "/start", chat=ADMIN_ID)
    await say(emulator, f"/addfeed {url}", chat=ADMIN_ID)
    services = services_of(running_bot)
    await emulator.block_chat(ADMIN_ID, announce=False)
    with caplog.at_level(logging.WARNING):
        await _kill_feed(services, news_site, url)
        dropped = [(f"feed-dead:1:{services.clock.now()}", "dropped")]
        deadline = time.monotonic() + 10
        while await services.db.notices.of_chat(ADMIN_ID) != dropped:
            assert time.monotonic() < deadline, await services.db.notices.of_chat(ADMIN_ID)
            await asyncio.sleep(0.05)
    assert f"admin chat {ADMIN_ID} refused notice" in caplog.text
    chat = await services.chats.get(ADMIN_ID)
    assert chat is not None and not chat.active
    assert len(emulator.messages(ADMIN_ID)) == 2  # the answers to /start and /addfeed only


async def test_addfeed_of_a_home_page_adds_the_feed_it_advertises(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    await news_site.publish("business", "Harbor Coffee grows", "Sales rose. Prices too. Investors were calm.")
    await news_site.publish(
        "health", "Clinics open late", "Clinics open late. Patients wait less. Staff agreed."
    )
    home = news_site.add_home_page("/", topics=("business", "health"))
    feed = news_site.feed_url("business")
    added = await say(emulator, f"/addfeed {home} business", chat=ADMIN_ID)
    assert added.text.startswith(
        f"➕ Added feed Test News: business (found on that page: {feed}) with topics business."
    )
    assert f"The page also names another feed: {news_site.feed_url('health')}." in added.text
    assert [(f.url, f.topics) for f in await services_of(running_bot).admin.feeds()] == [
        (feed, ("business",))
    ]
    # The page again, or the feed itself: the feed already polled, never a second copy.
    again = await say(emulator, f"/addfeed {home}", chat=ADMIN_ID)
    assert again.text.startswith(f"Already polling Test News: business (found on that page: {feed}).")
    assert "Already polling" in (await say(emulator, f"/addfeed {feed}", chat=ADMIN_ID)).text
    assert len(await services_of(running_bot).admin.feeds()) == 1

    plain = news_site.add(
        "/about", "<html><head><title>About us</title></head><body><p>We write news.</p></body></html>"
    )
    refused = await say(emulator, f"/addfeed {plain}", chat=ADMIN_ID)
    assert refused.text == (
        "⚠️ That page is not a feed and names none; send the feed's address (often /rss or /feed)."
    )
    assert news_site.hits("/rss") == news_site.hits("/feed") == 0  # no paths are guessed
    broken = news_site.add(
        "/broken",
        '<html><head><link rel="alternate" type="application/atom+xml" href="missing.atom"></head></html>',
    )
    unreadable = await say(emulator, f"/addfeed {broken}", chat=ADMIN_ID)
    assert unreadable.text == (
        f"⚠️ That page names the feed {news_site.url('/missing.atom')}, but it cannot be read: "
        "The site says that page does not exist (404)."
    )
    assert len(await services_of(running_bot).admin.feeds()) == 1


async def _news(application: BotApplication, n: int) -> list[Article]:
    """A new article about the harbour ferry (number ``n``)."""
    sentence = f"The ferry{n} timetable{n} changes{n}x{{k}} from May, the harbour said."
    return await store_news(application, f"ferry-{n}", f"Ferry news {n}", sentence)


async def _group_following_ferries(emulator: BotApiEmulator, application: BotApplication) -> Services:
    """A supergroup whose admin follows the ferry news below; returns the bot's services."""
    await emulator.add_chat(GROUP, "supergroup", "Readers")
    await emulator.set_member_status(GROUP, GROUP_ADMIN, "administrator")
    await say(emulator, "/subscribe ferry1 ferry2", chat=GROUP, user_id=GROUP_ADMIN)
    return services_of(application)


async def test_a_muted_bot_stops_sending_to_the_group_and_resumes_when_it_may_write_again(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    services = await _group_following_ferries(emulator, running_bot)
    await emulator.mute_bot(GROUP)  # an admin takes the bot's right to send messages; Telegram says so
    await chat_once(running_bot, GROUP, active=False)
    sent = emulator.requests["sendMessage"]
    await services.delivery.plan_alerts(await _news(running_bot, 1), services.clock.now())
    await emulator.wait_for_idle()
    assert emulator.requests["sendMessage"] == sent  # nothing is tried where the bot may not write
    await emulator.mute_bot(GROUP, muted=False)
    await chat_once(running_bot, GROUP, active=True)
    await services.delivery.plan_alerts(await _news(running_bot, 2), services.clock.now())
    alert = await emulator.next_message(GROUP, timeout=15)
    assert "Ferry news 2" in alert.text
    assert {s.value for s in await services.subscriptions.for_chat(GROUP)} == {"ferry1", "ferry2"}


async def test_a_bot_muted_unannounced_stops_at_the_first_refusal_instead_of_failing_every_alert(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    services = await _group_following_ferries(emulator, running_bot)
    await emulator.mute_bot(GROUP, announce=False)  # the update was missed (the bot was offline for a day)
    sent = emulator.requests["sendMessage"]
    await services.delivery.plan_alerts(await _news(running_bot, 1), services.clock.now())
    for _ in range(100):
        chat = await services.chats.get(GROUP)
        if chat is not None and not chat.active:
            break
        await asyncio.sleep(0.05)
    assert chat is not None and not chat.active
    await services.delivery.plan_alerts(await _news(running_bot, 2), services.clock.now())
    await emulator.wait_for_idle()
    assert emulator.requests["sendMessage"] == sent + 1  # the one refused alert; the second is not tried


async def test_feeds_in_a_group_hide_the_login_in_a_feed_address(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # An admin who runs /feeds in a group showed every member the password of a feed behind a login.
    services = services_of(running_bot)
    url = "https://reader:s3cretpw@members.example/rss?apikey=k456secret&edition=uk"
    await services.db.feeds.add(url, (), ADMIN_ID, services.clock.now() + 3600)
    await emulator.add_chat(GROUP, "group", "Readers")
    in_group = await say(emulator, "/feeds", chat=GROUP, user_id=ADMIN_ID)
    assert "https://reader:***@members.example/rss?apikey=***&amp;edition=uk" in in_group.html
    assert "s3cretpw" not in in_group.text and "k456secret" not in in_group.text
    in_private = await say(emulator, "/feeds", chat=ADMIN_ID)
    assert url in in_private.text  # the admin alone sees the whole address, to copy it


async def test_addfeed_of_a_polled_feed_with_its_default_port_spelled_out_adds_nothing(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "https://host:443/rss" is the address "https://host/rss": it was added as a second feed, polled twice.
    services = services_of(running_bot)
    await services.db.feeds.add("https://feeds.example/rss", (), ADMIN_ID, services.clock.now() + 3600)
    reply = await say(emulator, "/addfeed HTTPS://Feeds.Example:443/rss", chat=ADMIN_ID)
    assert reply.text == "Already polling https://feeds.example/rss."
    assert [f.url for f in await services.admin.feeds()] == ["https://feeds.example/rss"]
    removed = await say(emulator, "/removefeed https://feeds.example:443/rss", chat=ADMIN_ID)
    assert "Stopped polling" in removed.text


async def test_addfeed_of_a_polled_feed_with_tracking_parameters_adds_nothing(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # "…/rss?utm_source=newsletter" (copied from a mail) is the feed polled at "…/rss": it was added as a
    # second feed and fetched twice at every poll.
    services = services_of(running_bot)
    await services.db.feeds.add("https://feeds.example/rss", (), ADMIN_ID, services.clock.now() + 3600)
    tracked = "https://feeds.example/rss?utm_source=newsletter&utm_medium=email"
    assert (await say(emulator, f"/addfeed {tracked}", chat=ADMIN_ID)).text == (
        "Already polling https://feeds.example/rss."
    )
    assert [f.url for f in await services.admin.feeds()] == ["https://feeds.example/rss"]
    assert "Stopped polling" in (await say(emulator, f"/removefeed {tracked}", chat=ADMIN_ID)).text
    # A new feed is polled without them; the parameters it needs stay as written.
    await news_site.publish("business", "Harbor Coffee grows", "Sales rose. Prices too. Investors were calm.")
    url = news_site.feed_url("business")
    added = await say(emulator, f"/addfeed {url}?edition=uk&utm_campaign=spring&fbclid=abc", chat=ADMIN_ID)
    assert "Added feed" in added.text
    assert [f.url for f in await services.admin.feeds()] == [f"{url}?edition=uk"]


async def test_addfeed_of_a_page_naming_its_feed_with_tracking_parameters_polls_it_without_them(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # The feed a page names is stored as an admin's address is, so a later /addfeed of the plain address (or
    # its /removefeed) finds it.
    await news_site.publish("business", "Harbor Coffee grows", "Sales rose. Prices too. Investors were calm.")
    url = news_site.feed_url("business")
    href = f"{urlsplit(url).path}?utm_source=homepage"
    home = news_site.add(
        "/home", f'<html><head><link rel="alternate" type="application/rss+xml" href="{href}">'
    )
    assert "Added feed" in (await say(emulator, f"/addfeed {home}", chat=ADMIN_ID)).text
    assert [f.url for f in await services_of(running_bot).admin.feeds()] == [url]


async def test_addfeed_of_an_address_that_moved_to_a_polled_feed_adds_nothing(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # The feed's old address (http:// moved for good to https://) was added as a second feed: its first poll
    # cannot move it onto an address polled already, so the same feed was fetched twice at every poll.
    await news_site.publish("business", "Harbor Coffee grows", "Sales rose. Prices too. Investors were calm.")
    url = news_site.feed_url("business")
    assert "Added feed" in (await say(emulator, f"/addfeed {url}", chat=ADMIN_ID)).text
    old = news_site.add_redirect("/old/business.rss", url, status=301)
    again = await say(emulator, f"/addfeed {old}", chat=ADMIN_ID)
    assert again.text == "Already polling Test News: business."
    home = news_site.add(
        "/old-home",
        '<html><head><link rel="alternate" type="application/rss+xml" href="/old/business.rss"></head></html>',
    )
    via_page = await say(emulator, f"/addfeed {home}", chat=ADMIN_ID)
    assert via_page.text.startswith("Already polling Test News: business"), via_page.text
    assert [f.url for f in await services_of(running_bot).admin.feeds()] == [url]


async def test_addfeed_of_an_address_over_2000_characters_is_refused_with_the_limit(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    await news_site.publish("business", "Harbor Coffee grows", "Sales rose. Prices too. Investors were calm.")
    url = news_site.feed_url("business")
    longest = f"{url}?q={'a' * (2000 - len(url) - 3)}"
    assert "Added feed" in (await say(emulator, f"/addfeed {longest}", chat=ADMIN_ID)).text
    refused = await say(emulator, f"/addfeed {longest}b", chat=ADMIN_ID)
    assert refused.text == "⚠️ That address is too long (at most 2000 characters)."
    assert [f.url for f in await services_of(running_bot).admin.feeds()] == [longest]


async def test_addfeed_of_an_old_address_of_a_dead_feed_revives_that_feed_not_a_second_one(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    url = await _a_dead_feed_back_online(emulator, running_bot, news_site)
    services = services_of(running_bot)
    old = news_site.add_redirect("/old/business.rss", url, status=301)
    revived = await say(emulator, f"/addfeed {old}", chat=ADMIN_ID)
    assert "works again" in revived.text, revived.text
    assert [(f.url, f.dead) for f in await services.admin.feeds()] == [(url, False)]


async def test_addfeed_and_removefeed_know_a_newsbot_feeds_feed_written_otherwise(
    emulator: BotApiEmulator, make_bot: MakeBot, tmp_path: Path, news_site: NewsSite
) -> None:
    # NEWSBOT_FEEDS keeps an address as written there ("HTTP://Host/…"): /addfeed of the usual spelling added a
    # second feed, fetched twice at every poll, and /removefeed answered "No feed with that address is polled".
    await news_site.publish("business", "Harbor Coffee grows", "Sales rose. Prices too. Investors were calm.")
    url = news_site.feed_url("business")
    listed = url.replace("http://", "HTTP://", 1) + "?utm_source=env"
    settings = make_settings(tmp_path, emulator, feeds=f"{listed}=business")
    async with make_bot(settings=settings) as application:
        assert (await say(emulator, f"/addfeed {url}", chat=ADMIN_ID)).text.startswith("Already polling")
        other = await say(emulator, f"/addfeed {url} science", chat=ADMIN_ID)
        assert other.text == (
            "⚠️ Already polling that feed (topics: business); its topics are set in NEWSBOT_FEEDS."
        )
        removed = await say(emulator, f"/removefeed {url}", chat=ADMIN_ID)
        assert removed.text == "⚠️ That feed comes from NEWSBOT_FEEDS; remove it there and restart the bot."
        feeds = await services_of(application).admin.feeds()
        assert [(f.url, f.origin) for f in feeds] == [(listed, "settings")]


async def _group_latest(emulator: BotApiEmulator, running_bot: BotApplication) -> tuple[SentMessage, str]:
    """A group's /latest of the sample articles, asked by a member, and its first summary button's data."""
    await emulator.add_chat(GROUP, "group", "Readers")
    await store_samples(running_bot)
    latest = await say(emulator, "/latest", chat=GROUP, user_id=MEMBER)
    return latest, latest.button_data("📄")


async def test_a_summary_button_tapped_by_several_members_posts_the_summary_once(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    latest, data = await _group_latest(emulator, running_bot)
    assert await press(emulator, latest, data, user_id=MEMBER) is None
    summary = await emulator.next_message(GROUP)
    assert summary.reply_to_message_id == latest.message_id
    # Everyone in the group sees the summary posted under the list: each further tap used to post it again,
    # spamming the group and spending its 20 messages a minute.
    for user in (GROUP_ADMIN, MEMBER + 100, MEMBER):
        toast = await press(emulator, latest, data, user_id=user)
        assert toast is not None and "already" in toast
    await emulator.wait_for_idle()
    assert [m.message_id for m in emulator.messages(GROUP)] == [latest.message_id, summary.message_id]
    # A different article's button still posts its own summary.
    other = next(d for _, d in latest.buttons if d and d.startswith("sum:") and d != data)
    assert await press(emulator, latest, other, user_id=MEMBER) is None
    assert (await emulator.next_message(GROUP)).reply_to_message_id == latest.message_id


async def test_a_summary_button_posts_again_after_a_failed_post_and_in_private_chats(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    latest, data = await _group_latest(emulator, running_bot)
    # Telegram refused the post: nothing is in the chat, so the next tap must post it, not say "already".
    with emulator.answering_as_proxy(502, methods=("sendMessage",)):
        toast = await press(emulator, latest, data, user_id=MEMBER)
        assert toast == "Telegram did not take my answer just now; tap again in a minute."
    assert await press(emulator, latest, data, user_id=MEMBER) is None
    assert (await emulator.next_message(GROUP)).reply_to_message_id == latest.message_id
    # In a private chat only the reader sees it: a second tap is a second request, answered again.
    mine = await say(emulator, "/latest")
    for _ in range(2):
        assert await press(emulator, mine, mine.button_data("📄")) is None
        assert (await emulator.next_message(USER_CHAT)).reply_to_message_id == mine.message_id


async def test_added_to_a_group_the_bot_says_once_what_it_is_for(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Added to a group, the bot said nothing until someone guessed /start@bot: members saw a silent bot.
    await emulator.add_chat(GROUP, "group", "Readers")
    await emulator.set_bot_status(GROUP, "left", announce=False)
    await emulator.set_bot_status(GROUP, "member")
    hello = await emulator.next_message(GROUP)
    assert "I read the news" in hello.text and f"/topics@{emulator.bot_username}" in hello.text
    assert not hello.buttons  # members could not use a topic keyboard
    # Made admin, or removed and added back once it is set up: no second hello.
    await emulator.set_bot_status(GROUP, "administrator")
    await emulator.set_member_status(GROUP, GROUP_ADMIN, "administrator")
    await say(emulator, f"/subscribe@{emulator.bot_username} business", chat=GROUP, user_id=GROUP_ADMIN)
    await emulator.set_bot_status(GROUP, "left")
    await emulator.set_bot_status(GROUP, "member")
    await emulator.wait_for_idle()
    assert [m.text for m in emulator.messages(GROUP)].count(hello.text) == 1
    # A channel's subscribers get no hello.
    await emulator.add_chat(-100555, "channel", "Wire")
    await emulator.set_bot_status(-100555, "administrator")
    await emulator.wait_for_idle()
    assert emulator.messages(-100555) == []


async def test_a_supergroup_and_a_group_that_banned_the_bot_get_its_hello_when_it_is_added(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Most groups are supergroups; and a bot banned from a group it never set up arrives there new.
    for chat, before in ((-100700, "left"), (-100701, "kicked")):
        await emulator.add_chat(chat, "supergroup", "Harbour readers")
        await emulator.set_bot_status(chat, before, announce=False)
        await emulator.set_bot_status(chat, "member")
        hello = await emulator.next_message(chat)
        assert "I read the news" in hello.text and f"/topics@{emulator.bot_username}" in hello.text


async def test_start_in_a_group_speaks_to_the_group_not_to_one_person(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # /start in a group said "Hello, <member>! ... Tap topics below ... Send me a link and I'll summarize it":
    # members cannot change topics, and links in a group are not answered unasked.
    await emulator.add_chat(GROUP, "group", "Readers")
    reply = await say(emulator, "/start", chat=GROUP, user_id=MEMBER)
    assert reply.text.startswith("👋 News summaries for this group")
    assert "Admins: tap topics below" in reply.text and "Send me a link" not in reply.text
    assert any("Business" in label for label, _ in reply.buttons)  # the keyboard, for the admins


async def test_start_in_a_group_that_follows_nothing_does_not_call_it_set_up(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A member's /mysubs registered the group, so the admin's first /start read "News summaries for this group
    # (set up already)" while it followed nothing: the admin took it as done and picked no topics.
    await emulator.add_chat(GROUP, "group", "Readers")
    await emulator.set_member_status(GROUP, GROUP_ADMIN, "administrator")
    await say(emulator, "/mysubs", chat=GROUP, user_id=MEMBER)
    first = await say(emulator, "/start", chat=GROUP, user_id=GROUP_ADMIN)
    assert first.text.startswith("👋 News summaries for this group\n"), first.text
    await say(emulator, "/subscribe tesla", chat=GROUP, user_id=GROUP_ADMIN)  # a keyword alone sets it up too
    again = await say(emulator, "/start", chat=GROUP, user_id=GROUP_ADMIN)
    assert again.text.startswith("👋 News summaries for this group (set up already)\n"), again.text
    channel = -100555
    await emulator.add_chat(channel, "channel", "Wire")
    await emulator.set_bot_status(channel, "administrator")
    await emulator.send_channel_post(channel, "/mysubs")
    await emulator.next_message(channel)
    await emulator.send_channel_post(channel, "/start")
    assert (await emulator.next_message(channel)).text.startswith("📰 News summaries for this channel\n")


async def test_help_in_a_group_does_not_promise_to_answer_posted_links(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # /help in a group ended "Tip: send me any link and I'll summarize it", yet a link posted there is ignored.
    await emulator.add_chat(GROUP, "group", "Readers")
    help_text = (await say(emulator, "/help", chat=GROUP, user_id=MEMBER)).text
    assert "send me any link" not in help_text
    assert "reply /summary to a message with a link" in help_text
    await emulator.send_user_message(GROUP, "https://example.com/news/1", user_id=MEMBER)
    await emulator.wait_for_idle()
    assert [m.text for m in emulator.messages(GROUP)] == [help_text]  # the link still goes unanswered
    assert "Tip: send me any link" in (await say(emulator, "/help")).text  # a private chat keeps its tip


async def test_digest_and_mysubs_in_a_group_speak_of_the_group_not_of_the_member(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A member's /digest answered "You don't follow anything yet ... /topics to pick some", which only the
    # group's administrators can do; /mysubs was headed "Your subscriptions".
    await emulator.add_chat(GROUP, "group", "Readers")
    await emulator.set_member_status(GROUP, GROUP_ADMIN, "administrator")
    empty = (await say(emulator, "/digest", chat=GROUP, user_id=MEMBER)).text
    assert empty == (
        "This group follows nothing yet, so there is no digest. Its administrators pick topics with /topics."
    )
    await say(emulator, "/subscribe business", chat=GROUP, user_id=GROUP_ADMIN)
    instant = (await say(emulator, "/digest", chat=GROUP, user_id=MEMBER)).text
    # It ended "... <code>/settings digest 08:00</code> an administrator can switch to a daily digest.".
    assert instant.endswith(
        "/latest shows the newest ones; an administrator can switch to a daily digest with /settings digest 08:00."
    )
    await say(emulator, "/settings digest 08:00", chat=GROUP, user_id=GROUP_ADMIN)
    nothing = (await say(emulator, "/digest", chat=GROUP, user_id=MEMBER)).text
    assert nothing.startswith(
        "Nothing this group follows came in the last 24 hours, so there is no digest yet. This group's first"
    )
    mysubs = (await say(emulator, "/mysubs", chat=GROUP, user_id=MEMBER)).text
    assert mysubs.startswith("This group's subscriptions") and "Your" not in mysubs
    assert (await say(emulator, "/mysubs")).text.startswith("Your subscriptions")  # a private chat is "you"


async def test_latest_with_no_articles_in_a_group_does_not_ask_for_a_link_it_would_ignore(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # It said "meanwhile send me a link to summarize", but a link posted in a group goes unanswered.
    await emulator.add_chat(GROUP, "group", "Readers")
    empty = await say(emulator, "/latest", chat=GROUP, user_id=MEMBER)
    assert empty.text == (
        "No articles yet. New ones arrive as feeds are polled; meanwhile /summary with a link summarizes it."
    )
    assert (await say(emulator, "/latest")).text.endswith("meanwhile send me a link to summarize.")


async def test_a_topic_tap_at_the_subscription_cap_in_a_group_speaks_of_the_group(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # The toast said "You follow 50 things already" to the administrator, where /subscribe at the same cap says
    # "This group reached the limit": what the group follows is the group's.
    await emulator.add_chat(GROUP, "group", "Readers")
    await emulator.set_member_status(GROUP, GROUP_ADMIN, "administrator")
    for start in (0, 25):
        words = " ".join(f"zq{i}xk" for i in range(start, start + 25))
        await say(emulator, f"/subscribe {words}", chat=GROUP, user_id=GROUP_ADMIN)
    topics = await say(emulator, "/topics", chat=GROUP, user_id=GROUP_ADMIN)
    toast = await press(emulator, topics, "t:science", user_id=GROUP_ADMIN)
    assert toast == "This group follows 50 things already; drop some with /unsubscribe first."
    assert await services_of(running_bot).subscriptions.topic_ids(GROUP) == set()


async def test_a_digest_in_a_group_is_the_groups_not_the_readers_own(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Every member read "🗞 Your news digest", as if it were theirs alone; /mysubs there says "This group's".
    await emulator.add_chat(GROUP, "group", "Readers")
    await emulator.set_member_status(GROUP, GROUP_ADMIN, "administrator")
    await say(emulator, "/subscribe business", chat=GROUP, user_id=GROUP_ADMIN)
    await say(emulator, "/settings digest 08:00", chat=GROUP, user_id=GROUP_ADMIN)
    services = services_of(running_bot)
    articles = await store_news(
        running_bot, "bakery", "Bakery chain reports record profit", "The bakery chain {k} said profit rose."
    )
    await services.delivery.plan_alerts(articles, services.clock.now())
    digest = await say(emulator, "/digest", chat=GROUP, user_id=MEMBER)
    assert digest.text.startswith("🗞 This group's news digest — 1 story"), digest.text
    assert "Bakery chain reports record profit" in digest.text


async def test_unsubscribe_alone_in_a_group_says_only_its_administrators_drop_topics(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "Say what to drop: /unsubscribe business ..." sent every member to a command that refuses them, where
    # /subscribe alone says only the group's administrators change what it follows.
    await emulator.add_chat(GROUP, "group", "Readers")
    usage = await say(emulator, "/unsubscribe", chat=GROUP, user_id=MEMBER)
    assert usage.text == (
        "Only this group's administrators change what it follows: /unsubscribe business, or /unsubscribe all."
    )
    assert (await say(emulator, "/unsubscribe")).text.startswith("Say what to drop:")  # a private chat


async def test_a_tap_in_a_group_that_muted_the_bot_is_told_why_nothing_comes(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # An admin took the bot's right to send messages (the update was missed): a member's tap on a summary
    # button deactivated the group, as it should, but the tap itself was never answered and spun until
    # Telegram gave up.
    await emulator.add_chat(GROUP, "supergroup", "Readers")
    await store_samples(running_bot)
    latest = await say(emulator, "/latest", chat=GROUP, user_id=MEMBER)
    await emulator.mute_bot(GROUP, announce=False)
    toast = await press(emulator, latest, latest.button_data("📄"), user_id=MEMBER)
    assert toast == "I'm not allowed to post in this chat, so I can't send that."
    assert emulator.callback_answers[-1].show_alert  # a dialog to dismiss, not a toast that fades unread
    chat = await services_of(running_bot).chats.get(GROUP)
    assert chat is not None and not chat.active
