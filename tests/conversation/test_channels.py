"""Channels: the bot as a channel administrator takes commands posted there and posts the news there."""

from __future__ import annotations

import time

import pytest

from bot.clock import FakeClock
from bot.context import BotApplication
from bot.emulator import BotApiEmulator, SentMessage
from tests.conftest import ADMIN_ID, services_of
from tests.conversation.helpers import chat_once, press, say, store_news
from tests.support.news_site import NewsSite

CHANNEL = -1001700
CHANNEL_ADMIN = 701
SUBSCRIBER = 702
DISCUSSION = -1001701  # the channel's linked discussion group


async def _add_bot_to_channel(emulator: BotApiEmulator) -> None:
    """A channel admin adds the bot as an administrator (Telegram announces it with my_chat_member)."""
    await emulator.add_chat(CHANNEL, "channel", "Daily News")
    await emulator.set_member_status(CHANNEL, CHANNEL_ADMIN, "administrator")
    await emulator.set_bot_status(CHANNEL, "administrator")


async def _add_bot_to_channel_with_comments(emulator: BotApiEmulator) -> None:
    """As _add_bot_to_channel, for a channel whose posts take comments in its linked discussion group."""
    await _add_bot_to_channel(emulator)
    await emulator.add_chat(DISCUSSION, "supergroup", "Daily News chat")
    await emulator.link_discussion_group(CHANNEL, DISCUSSION)


async def post(emulator: BotApiEmulator, text: str) -> SentMessage:
    """An admin posts ``text`` in the channel; the bot's next post there."""
    await emulator.send_channel_post(CHANNEL, text)
    return await next_post(emulator)


async def next_post(emulator: BotApiEmulator) -> SentMessage:
    """The bot's next new post in the channel (keyboard edits skipped)."""
    while (message := await emulator.next_message(CHANNEL, timeout=10)).edited:
        pass
    return message


async def test_channel_admin_subscribes_in_the_channel_and_the_channel_gets_alerts(
    emulator: BotApiEmulator, running_bot: BotApplication, clock: FakeClock
) -> None:
    await _add_bot_to_channel(emulator)
    welcome = await post(emulator, "/start")
    assert welcome.text.startswith("📰 News summaries for this channel"), welcome.text
    assert "Hello" not in welcome.text and "Send me a link" not in welcome.text  # a public post, not a chat
    assert len(welcome.text.splitlines()) == 3 and welcome.button_data("💼 Business") == "t:business"
    assert "Topics: 💼 Business" in (await post(emulator, "/subscribe business")).text
    services = services_of(running_bot)
    chat = await services.chats.get(CHANNEL)
    assert chat is not None and chat.type == "channel" and chat.is_group  # paced at 20 a minute
    assert "Business" in (await post(emulator, "/mysubs")).text
    assert "Tip: send me any link" not in (await post(emulator, "/help")).text
    articles = await store_news(
        running_bot, "carmaker", "Carmaker reports record profit", "The carmaker {k} said profit rose."
    )
    assert await services.delivery.plan_alerts(articles, clock.now()) == 1
    alert = await next_post(emulator)
    assert "Carmaker reports record profit" in alert.text
    latest = await post(emulator, "/latest")
    assert "Carmaker reports record profit" in latest.text
    await post(emulator, "/unsubscribe business")
    assert await services.subscriptions.topic_ids(CHANNEL) == set()


async def test_channel_settings_and_its_digest(
    emulator: BotApiEmulator, running_bot: BotApplication, clock: FakeClock
) -> None:
    await _add_bot_to_channel(emulator)
    services = services_of(running_bot)
    await post(emulator, "/subscribe science")
    for line in (
        "/settings timezone Europe/Berlin",
        "/settings quiet 22:00-07:00",
        "/settings length 2",
        "/settings instant",
        "/settings digest 08:00",
    ):
        await post(emulator, line)
    chat = await services.chats.get(CHANNEL)
    assert chat is not None
    assert (chat.timezone, chat.quiet_start, chat.quiet_end) == ("Europe/Berlin", "22:00", "07:00")
    assert (chat.summary_sentences, chat.mode, chat.digest_times) == (2, "digest", ("08:00",))
    assert chat.next_digest_at is not None
    articles = await store_news(
        running_bot, "comet", "Astronomers spot a new comet", "The astronomers {k} saw a comet in the sky."
    )
    assert await services.delivery.plan_alerts(articles, clock.now()) == 1
    await emulator.wait_for_idle(quiet=0.3)
    assert not [m for m in emulator.messages(CHANNEL) if "comet" in m.text]  # it waits for the digest
    clock.set(chat.next_digest_at)
    digest = await next_post(emulator)
    assert "Astronomers spot a new comet" in digest.text
    assert digest.text.startswith("🗞 This channel's news digest")  # not "Your": every subscriber reads it
    # /stop: the confirmation is pressed by an admin reading the channel.
    confirm = await post(emulator, "/stop")
    await press(emulator, confirm, "stop:yes", user_id=CHANNEL_ADMIN)
    assert await services.chats.get(CHANNEL) is None


async def test_only_channel_admins_press_its_buttons(
    emulator: BotApiEmulator, running_bot: BotApplication, clock: FakeClock
) -> None:
    await _add_bot_to_channel(emulator)
    services = services_of(running_bot)
    topics = await post(emulator, "/topics")
    toast = await press(emulator, topics, "t:science", user_id=SUBSCRIBER)
    assert toast == "Only this channel's administrators can change that."
    assert await services.subscriptions.topic_ids(CHANNEL) == set()
    assert await press(emulator, topics, "t:science", user_id=CHANNEL_ADMIN) == "Following 🔬 Science"
    assert await services.subscriptions.topic_ids(CHANNEL) == {"science"}
    # A summary button would post for every subscriber: a subscriber is pointed to a private chat instead.
    articles = await store_news(
        running_bot, "planet", "Astronomers find a planet", "The astronomers {k} saw a planet near a star."
    )
    assert await services.delivery.plan_alerts(articles, clock.now()) == 1
    alert = await next_post(emulator)
    data = alert.button_data("📄 Longer summary")
    article_id, _, length = data.removeprefix("sum:").partition(":")
    toast = await press(emulator, alert, data, user_id=SUBSCRIBER)
    assert toast == (
        f"Send /summary {length} {article_id} to @{emulator.bot_username} for the longer summary."
    )
    await emulator.wait_for_idle(quiet=0.3)
    assert emulator.messages(CHANNEL)[-1] == alert  # nothing was posted
    await press(emulator, alert, data, user_id=CHANNEL_ADMIN)
    assert "Astronomers find a planet" in (await next_post(emulator)).text


_TOWN_NEWS = (
    "Comet visible at dawn",
    "Harbour cranes repainted",
    "Library extends hours",
    "Orchard harvest begins early",
    "Ferry timetable changes",
    "Bakery wins county prize",
    "Bridge lanes reopen",
    "Choir tours the valley",
    "Museum buys old maps",
    "Lifeboat crew honoured",
    "Market square repaved",
    "Allotment waiting list grows",
)


@pytest.mark.parametrize(
    ("command", "stored", "toast", "last_page"),
    [
        ("/latest", 9, "Send /latest to @{bot} to see older articles.", "9, the oldest I have"),
        (
            "/search town said",
            12,
            "Send /search town said to @{bot} to see older matches.",
            "11–12, the oldest matches",
        ),
    ],
)
async def test_only_channel_admins_turn_the_page_of_a_latest_or_search_post(
    emulator: BotApiEmulator,
    running_bot: BotApplication,
    command: str,
    stored: int,
    toast: str,
    last_page: str,
) -> None:
    # "Older ›" edits the post every subscriber sees: a subscriber's tap must not turn it for all of them.
    await _add_bot_to_channel(emulator)
    for n, title in enumerate(_TOWN_NEWS[:stored]):
        await store_news(running_bot, f"item{n}", title, f"{title} {{k}}, the town said on day {n}.")
    listing = await post(emulator, command)
    data = listing.button_data("Older ›")
    assert await press(emulator, listing, data, user_id=SUBSCRIBER) == toast.format(bot=emulator.bot_username)
    await emulator.wait_for_idle(quiet=0.3)
    assert emulator.messages(CHANNEL)[-1] == listing  # not edited
    assert await press(emulator, listing, data, user_id=CHANNEL_ADMIN) is None
    edited = await emulator.next_message(CHANNEL, timeout=10)
    assert edited.edited and last_page in edited.text


async def test_a_bot_demoted_in_the_channel_deactivates_it(
    emulator: BotApiEmulator, running_bot: BotApplication, clock: FakeClock
) -> None:
    await _add_bot_to_channel(emulator)
    services = services_of(running_bot)
    await post(emulator, "/subscribe business")
    await emulator.set_bot_status(CHANNEL, "member")  # demoted: Telegram says so with my_chat_member
    await chat_once(running_bot, CHANNEL, active=False)
    await emulator.set_bot_status(CHANNEL, "administrator")  # promoted again: the news resumes
    await chat_once(running_bot, CHANNEL, active=True)
    assert await services.subscriptions.topic_ids(CHANNEL) == {"business"}
    # Demoted without an update reaching the bot: the next alert's 400 deactivates the channel.
    await emulator.set_bot_status(CHANNEL, "administrator", can_post=False, announce=False)
    articles = await store_news(
        running_bot, "merger", "Two banks agree to merge", "The banks {k} agreed a merger worth billions."
    )
    await services.delivery.plan_alerts(articles, clock.now())
    chat = await chat_once(running_bot, CHANNEL, active=False)
    assert "need administrator rights" in (chat.inactive_reason or "").lower()
    assert not [m for m in emulator.messages(CHANNEL) if "merge" in m.text]


async def test_summary_and_search_in_a_channel(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    await _add_bot_to_channel(emulator)
    [article] = await store_news(
        running_bot, "glacier", "Glacier melts faster", "The glacier {k} lost ice faster than forecast."
    )
    assert "Glacier melts faster" in (await post(emulator, f"/summary {article.id}")).text
    page = news_site.add(
        "/tram.html",
        "<html><head><title>Harbor city approves tram line</title></head><body><article>"
        + "".join(f"<p>The council approved tram line {n} after a long debate.</p>" for n in range(6))
        + "</article></body></html>",
    )
    assert "tram line" in (await post(emulator, f"/summary {page}")).text
    text = " ".join(f"The river {n} flooded the old town after heavy rain." for n in range(5))
    assert "river" in (await post(emulator, f"/summary {text}")).text
    assert "Glacier melts faster" in (await post(emulator, "/search glacier")).text


async def test_bot_admin_commands_in_a_channel_are_refused(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    await _add_bot_to_channel(emulator)
    # A channel post has no sender, so nobody in it is one of NEWSBOT_ADMIN_IDS.
    for line in ("/stats", "/feeds", "/addfeed https://feeds.example/rss business", "/removefeed x"):
        assert (
            await post(emulator, line)
        ).text == "Sorry, that command is only for the bot's administrators."
    assert await services_of(running_bot).admin.feeds() == []


async def test_a_post_signed_by_a_bot_admin_runs_no_admin_command_in_the_channel(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A channel that signs posts with its admins' profiles sends them with ``from`` (the Bot API: "may be
    # empty for messages sent to channels"). Signed by one of NEWSBOT_ADMIN_IDS, /stats was answered with the
    # bot's figures in a post every subscriber reads.
    await _add_bot_to_channel(emulator)
    channel = {"id": CHANNEL, "type": "channel", "title": "Daily News"}
    operator = {"id": ADMIN_ID, "is_bot": False, "first_name": "Op"}
    await emulator.inject_raw_update(
        {
            "channel_post": {
                "message_id": 77,
                "date": int(time.time()),
                "chat": channel,
                "sender_chat": channel,
                "from": operator,
                "author_signature": "Op",
                "text": "/stats",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            }
        }
    )
    assert (await next_post(emulator)).text == "Sorry, that command is only for the bot's administrators."


async def test_channel_posts_that_are_no_command_of_ours_get_no_answer(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    await _add_bot_to_channel(emulator)
    # The channel's own news often carries links: every subscriber would read an answer to each post.
    await emulator.send_channel_post(CHANNEL, "Our story of the day: https://news.example/story")
    await emulator.send_channel_post(CHANNEL, "/follow business")  # not ours, and not addressed to us
    await emulator.wait_for_idle(quiet=0.3)
    assert emulator.messages(CHANNEL) == []
    reply = await post(emulator, f"/follow@{emulator.bot_username} business")  # addressed: a hint
    assert "/subscribe" in reply.text


async def test_a_channel_button_telegram_cannot_check_says_channel(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A tap whose admin check Telegram could not answer (a proxy's 502) is told so, in the channel's words.
    await _add_bot_to_channel(emulator)
    topics = await post(emulator, "/topics")
    with emulator.answering_as_proxy(502, methods=("getChatMember",)):
        toast = await press(emulator, topics, "t:science", user_id=CHANNEL_ADMIN)
    assert toast == (
        "Telegram could not tell me just now whether you administer this channel; please try again in a minute."
    )
    assert await services_of(running_bot).subscriptions.topic_ids(CHANNEL) == set()


async def test_a_subscriber_cannot_confirm_a_channels_stop(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    await _add_bot_to_channel(emulator)
    await post(emulator, "/subscribe business")
    confirm = await post(emulator, "/stop")
    toast = await press(emulator, confirm, "stop:yes", user_id=SUBSCRIBER)
    assert toast == "Only this channel's administrators can change that."
    assert await services_of(running_bot).subscriptions.topic_ids(CHANNEL) == {"business"}


async def test_the_channels_posts_forwarded_into_its_discussion_group_are_not_commands(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    """Telegram copies every channel post into the linked discussion group, from the channel itself."""
    await _add_bot_to_channel(emulator)
    await emulator.add_chat(DISCUSSION, "supergroup", "Daily News chat")
    await post(emulator, "/subscribe business")
    channel = {"id": CHANNEL, "type": "channel", "title": "Daily News"}
    for n, text in enumerate(("/start", "/unsubscribe all", "/stop", "/latest", "/settings pause"), start=1):
        await emulator.inject_raw_update(
            {
                "message": {
                    "message_id": 100 + n,
                    "from": {"id": 777000, "is_bot": False, "first_name": "Telegram"},
                    "sender_chat": channel,
                    "chat": {"id": DISCUSSION, "type": "supergroup", "title": "Daily News chat"},
                    "date": 1767225600,
                    "text": text,
                    "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
                    "is_automatic_forward": True,
                    "forward_origin": {
                        "type": "channel",
                        "chat": channel,
                        "message_id": n,
                        "date": 1767225600,
                    },
                }
            }
        )
    await emulator.wait_for_idle(quiet=0.3)
    assert emulator.messages(DISCUSSION) == []  # the channel's admins already got their answer there
    services = services_of(running_bot)
    assert await services.chats.get(DISCUSSION) is None
    assert await services.subscriptions.topic_ids(CHANNEL) == {"business"}


async def test_a_channel_that_no_longer_exists_is_deactivated(
    emulator: BotApiEmulator, running_bot: BotApplication, clock: FakeClock
) -> None:
    await _add_bot_to_channel(emulator)
    services = services_of(running_bot)
    await post(emulator, "/subscribe business")
    await emulator.delete_chat(CHANNEL)  # deleted: Telegram answers 400 "chat not found"
    articles = await store_news(
        running_bot, "bank", "A bank opens in town", "The bank {k} opened a branch in the old town."
    )
    await services.delivery.plan_alerts(articles, clock.now())
    chat = await chat_once(running_bot, CHANNEL, active=False)
    assert "chat not found" in (chat.inactive_reason or "").lower()


async def test_a_bot_added_without_the_right_to_post_starts_when_given_it(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    await emulator.add_chat(CHANNEL, "channel", "Daily News")
    await emulator.set_bot_status(CHANNEL, "administrator", can_post=False)
    await emulator.send_channel_post(CHANNEL, "/subscribe business")  # its answer is refused: 400
    await chat_once(running_bot, CHANNEL, active=False)
    assert emulator.messages(CHANNEL) == []
    await emulator.set_bot_status(CHANNEL, "administrator")  # now it may post
    await chat_once(running_bot, CHANNEL, active=True)
    services = services_of(running_bot)
    assert await services.subscriptions.topic_ids(CHANNEL) == {"business"}
    assert "Business" in (await post(emulator, "/mysubs")).text


async def test_summary_in_reply_to_the_bots_own_digest_or_summary_post_in_a_channel(
    emulator: BotApiEmulator, running_bot: BotApplication, clock: FakeClock
) -> None:
    # The channel signs the bot's posts as its own (no ``from``): "/summary" in reply to its digest summarized the
    # digest's lines as pasted text, and "/summary 7" in reply to its summary the summary, in public posts.
    await _add_bot_to_channel(emulator)
    await post(emulator, "/settings digest 08:00")
    await post(emulator, "/subscribe business")
    articles = await store_news(running_bot, "bank", "Bank profit rises", "The bank {k} said profit rose.")
    articles += await store_news(
        running_bot, "shop", "Shop sales fall", "The shop {k} said sales fell in business."
    )
    await services_of(running_bot).delivery.plan_alerts(articles, clock.now())
    digest = await post(emulator, "/digest")
    assert digest.text.startswith("🗞 This channel's news digest — 2 stories")
    await emulator.send_channel_post(CHANNEL, "/summary", reply_to_message_id=digest.message_id)
    assert (await next_post(emulator)).text.startswith("⚠️ That message lists several articles")
    summary = await post(emulator, f"/summary 2 {articles[0].id}")
    await emulator.send_channel_post(CHANNEL, "/summary 4", reply_to_message_id=summary.message_id)
    longer = await next_post(emulator)
    assert longer.text.startswith("💼 Bank profit rises") and longer.text.count("said profit rose") == 4


async def test_the_bots_own_posts_copied_into_the_discussion_group_get_no_answer_and_members_set_up_the_group(
    emulator: BotApiEmulator, running_bot: BotApplication, clock: FakeClock
) -> None:
    # Telegram copies every post of the channel, the bot's own alerts and digests with their links and "/summary 1"
    # footers included, into the linked discussion group, where the bot is a member: answering one would post
    # there, and a reply loop would be one step away.
    await _add_bot_to_channel(emulator)
    await emulator.add_chat(DISCUSSION, "supergroup", "Daily News chat")
    await emulator.set_member_status(DISCUSSION, CHANNEL_ADMIN, "administrator")
    await emulator.link_discussion_group(CHANNEL, DISCUSSION)
    services = services_of(running_bot)
    await post(emulator, "/start")
    await post(emulator, "/subscribe business")
    articles = await store_news(running_bot, "bank", "Bank profit rises", "The bank {k} said profit rose.")
    await services.delivery.plan_alerts(articles, clock.now())
    assert "Bank profit rises" in (await next_post(emulator)).text
    await post(emulator, "/settings digest 08:00")
    articles = await store_news(
        running_bot, "shop", "Shop sales fall", "The shop {k} said sales fell in business."
    )
    await services.delivery.plan_alerts(articles, clock.now())
    assert "/summary" in (await post(emulator, "/digest")).text
    await post(emulator, f"/summary {articles[0].id}")
    await emulator.edit_channel_post(CHANNEL, 1, "/stop")  # an edited post is not run again either
    await emulator.wait_for_idle(quiet=0.3)
    copied = [text for group, _, text in emulator.automatic_forwards if group == DISCUSSION]
    assert len(copied) == 11  # each command and each answer
    assert any("Bank profit rises" in text for text in copied) and any(
        "full summary: /summary" in text for text in copied
    )
    assert emulator.messages(DISCUSSION) == [] and await services.chats.get(DISCUSSION) is None
    assert await services.subscriptions.topic_ids(CHANNEL) == {"business"}
    # A member of the discussion group speaks for the group, not for the channel.
    await emulator.send_user_message(DISCUSSION, "/subscribe science", user_id=SUBSCRIBER)
    refusal = await emulator.next_message(DISCUSSION, timeout=10)
    assert refusal.text.startswith("Sorry, only this group's administrators")
    await emulator.send_user_message(DISCUSSION, "/subscribe science", user_id=CHANNEL_ADMIN)
    assert "This group will get" in (await emulator.next_message(DISCUSSION, timeout=10)).text
    assert await services.subscriptions.topic_ids(DISCUSSION) == {"science"}
    assert await services.subscriptions.topic_ids(CHANNEL) == {"business"}


async def test_a_command_commented_under_a_channel_post_is_answered_in_its_comments(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A channel's comments are its discussion group's replies to the post's automatic forward. The answers went
    # to the group's main chat, where the reader who commented under the post never saw them.
    await _add_bot_to_channel_with_comments(emulator)
    await store_news(running_bot, "bank", "Bank profit rises", "The bank {k} said profit rose.")
    await emulator.send_channel_post(
        CHANNEL, "The harbour ferry runs again. The crew said the engine was fixed on Monday."
    )
    [(_, forward, _)] = emulator.automatic_forwards
    await emulator.send_user_message(DISCUSSION, "/latest", user_id=SUBSCRIBER, reply_to_message_id=forward)
    latest = await emulator.next_message(DISCUSSION, timeout=10)
    assert "Bank profit rises" in latest.text
    assert latest.message_thread_id == forward and latest.reply_to_message_id is not None
    await emulator.send_user_message(DISCUSSION, "/summary", user_id=SUBSCRIBER, reply_to_message_id=forward)
    summary = await emulator.next_message(DISCUSSION, timeout=10)
    assert "harbour ferry" in summary.text and summary.message_thread_id == forward
    # Its buttons answer under the post too, since the summary replies to the list there.
    query = await emulator.press_button(
        DISCUSSION, latest.message_id, latest.button_data("📄"), user_id=SUBSCRIBER
    )
    await emulator.wait_callback_answer(query)
    tapped = await emulator.next_message(DISCUSSION, timeout=10)
    assert "Bank profit rises" in tapped.text and tapped.message_thread_id == forward


async def test_summary_commented_under_the_bots_own_digest_post_summarizes_its_story(
    emulator: BotApiEmulator, running_bot: BotApplication, clock: FakeClock
) -> None:
    # The post's copy in the discussion group comes from Telegram's service account, not from the channel: a
    # reader's "/summary" under the channel's one-story digest summarized the digest's lines as pasted text.
    await _add_bot_to_channel_with_comments(emulator)
    await post(emulator, "/settings digest 08:00")
    await post(emulator, "/subscribe business")
    articles = await store_news(running_bot, "bank", "Bank profit rises", "The bank {k} said profit rose.")
    await services_of(running_bot).delivery.plan_alerts(articles, clock.now())
    assert (await post(emulator, "/digest")).text.startswith("🗞 This channel's news digest — 1 story")
    _, forward, _ = emulator.automatic_forwards[-1]
    await emulator.send_user_message(DISCUSSION, "/summary", user_id=SUBSCRIBER, reply_to_message_id=forward)
    summary = await emulator.next_message(DISCUSSION, timeout=10)
    assert summary.text.startswith("💼 Bank profit rises") and summary.message_thread_id == forward


async def test_a_command_replying_to_a_comment_is_answered_in_the_posts_comments(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A reader answering another comment replies to that comment, not to the post's automatic forward: the
    # answer went to the discussion group's main chat, never under the post where the reader asked.
    await _add_bot_to_channel_with_comments(emulator)
    await store_news(running_bot, "bank", "Bank profit rises", "The bank {k} said profit rose.")
    await emulator.send_channel_post(CHANNEL, "The harbour ferry runs again.")
    [(_, forward, _)] = emulator.automatic_forwards
    await emulator.send_user_message(
        DISCUSSION, "Is there more news today?", user_id=CHANNEL_ADMIN, reply_to_message_id=forward
    )
    comment = forward + 1  # message ids count up in each chat
    await emulator.send_user_message(DISCUSSION, "/latest", user_id=SUBSCRIBER, reply_to_message_id=comment)
    latest = await emulator.next_message(DISCUSSION, timeout=10)
    assert "Bank profit rises" in latest.text and latest.message_thread_id == forward
    # In a group that is no channel's discussion group, a reply chain's answer stays as it was: unquoted.
    await emulator.add_chat(-1001702, "supergroup", "Plain group")
    await emulator.send_user_message(-1001702, "Any news?", user_id=SUBSCRIBER)
    await emulator.send_user_message(-1001702, "Let me ask", user_id=CHANNEL_ADMIN, reply_to_message_id=1)
    await emulator.send_user_message(-1001702, "/latest", user_id=SUBSCRIBER, reply_to_message_id=2)
    plain = await emulator.next_message(-1001702, timeout=10)
    assert "Bank profit rises" in plain.text and plain.reply_to_message_id is None


async def test_a_comment_deleted_before_its_answer_is_answered_in_the_discussion_group(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Among the comments the answer quotes the command; a reader who deleted it at once must not make Telegram
    # refuse the answer ("message to be replied not found"): it goes to the group unquoted instead.
    await _add_bot_to_channel_with_comments(emulator)
    await store_news(running_bot, "bank", "Bank profit rises", "The bank {k} said profit rose.")
    await emulator.send_channel_post(CHANNEL, "The harbour ferry runs again.")
    [(_, forward, _)] = emulator.automatic_forwards
    await emulator.send_user_message(DISCUSSION, "/latest", user_id=SUBSCRIBER, reply_to_message_id=forward)
    await emulator.delete_message(DISCUSSION, forward + 1)  # before the bot has read it
    latest = await emulator.next_message(DISCUSSION, timeout=10)
    assert "Bank profit rises" in latest.text and latest.reply_to_message_id is None


async def test_a_reply_in_a_plain_supergroup_is_answered_unquoted_also_when_getchat_fails(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Only a channel's comments need the answer quoted; elsewhere a quote is noise (and a reply thread it would
    # open). A reply to a message that starts no thread, or one whose group Telegram cannot describe just
    # then, is answered as usual.
    group = -1001702
    await emulator.add_chat(group, "supergroup", "Plain group")
    await store_news(running_bot, "bank", "Bank profit rises", "The bank {k} said profit rose.")
    await emulator.send_user_message(group, "Any news?", user_id=SUBSCRIBER)
    first = await say(emulator, "/latest", chat=group, user_id=CHANNEL_ADMIN, reply_to=1)
    assert "Bank profit rises" in first.text and first.reply_to_message_id is None
    await emulator.send_user_message(group, "Let me ask", user_id=CHANNEL_ADMIN, reply_to_message_id=1)
    chain = first.message_id + 1  # message ids count up in each chat
    with emulator.answering_as_proxy(502, "<html><body>Bad Gateway</body></html>", methods=("getChat",)):
        second = await say(emulator, "/latest", chat=group, user_id=SUBSCRIBER, reply_to=chain)
    assert emulator.requests["proxy"] == 1  # the reply chain made the bot ask
    assert "Bank profit rises" in second.text and second.reply_to_message_id is None


async def test_digest_commented_under_a_channel_post_comes_in_its_comments(
    emulator: BotApiEmulator, running_bot: BotApplication, clock: FakeClock
) -> None:
    # /digest asked in the comments went to the discussion group's main chat, where the reader did not look.
    await _add_bot_to_channel(emulator)
    await emulator.add_chat(DISCUSSION, "supergroup", "Daily News chat")
    await emulator.set_member_status(DISCUSSION, CHANNEL_ADMIN, "administrator")
    await emulator.link_discussion_group(CHANNEL, DISCUSSION)
    await emulator.send_user_message(DISCUSSION, "/settings digest 08:00", user_id=CHANNEL_ADMIN)
    await emulator.send_user_message(DISCUSSION, "/subscribe business", user_id=CHANNEL_ADMIN)
    for _ in range(2):
        await emulator.next_message(DISCUSSION, timeout=10)
    articles = await store_news(running_bot, "bank", "Bank profit rises", "The bank {k} said profit rose.")
    await services_of(running_bot).delivery.plan_alerts(articles, clock.now())
    await emulator.send_channel_post(CHANNEL, "The harbour ferry runs again.")
    [(_, forward, _)] = emulator.automatic_forwards
    await emulator.send_user_message(DISCUSSION, "/digest", user_id=SUBSCRIBER, reply_to_message_id=forward)
    digest = await emulator.next_message(DISCUSSION, timeout=10)
    assert "Bank profit rises" in digest.text and digest.message_thread_id == forward
