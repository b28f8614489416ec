"""Channels: the bot as a channel administrator takes commands posted there and posts the news there."""

from __future__ import annotations

from bot.clock import FakeClock
from bot.context import BotApplication
from bot.emulator import BotApiEmulator, SentMessage
from tests.conftest import services_of
from tests.conversation.helpers import press, store_news

CHANNEL = -1001700
CHANNEL_ADMIN = 701
SUBSCRIBER = 702


async def _add_bot_to_channel(emulator: BotApiEmulator) -> None:
    """A channel admin adds the bot as an administrator (Telegram announces it with my_chat_member)."""
    await emulator.add_chat(CHANNEL, "channel", "Daily News")
    await emulator.set_member_status(CHANNEL, CHANNEL_ADMIN, "administrator")
    await emulator.set_bot_status(CHANNEL, "administrator")


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
    data = alert.button_data("📄 Full summary")
    toast = await press(emulator, alert, data, user_id=SUBSCRIBER)
    assert (
        toast
        == f"Send /summary {data.removeprefix('sum:')} to @{emulator.bot_username} for the full summary."
    )
    await emulator.wait_for_idle(quiet=0.3)
    assert emulator.messages(CHANNEL)[-1] == alert  # nothing was posted
    await press(emulator, alert, data, user_id=CHANNEL_ADMIN)
    assert "Astronomers find a planet" in (await next_post(emulator)).text


async def test_a_bot_demoted_in_the_channel_deactivates_it(
    emulator: BotApiEmulator, running_bot: BotApplication, clock: FakeClock
) -> None:
    await _add_bot_to_channel(emulator)
    services = services_of(running_bot)
    await post(emulator, "/subscribe business")
    await emulator.set_bot_status(CHANNEL, "member")  # demoted: Telegram says so with my_chat_member
    await emulator.wait_for_idle()
    chat = await services.chats.get(CHANNEL)
    assert chat is not None and not chat.active
    await emulator.set_bot_status(CHANNEL, "administrator")  # promoted again: the news resumes
    await emulator.wait_for_idle()
    chat = await services.chats.get(CHANNEL)
    assert chat is not None and chat.active
    assert await services.subscriptions.topic_ids(CHANNEL) == {"business"}
    # Demoted without an update reaching the bot: the next alert's 400 deactivates the channel.
    await emulator.set_bot_status(CHANNEL, "administrator", can_post=False, announce=False)
    articles = await store_news(
        running_bot, "merger", "Two banks agree to merge", "The banks {k} agreed a merger worth billions."
    )
    await services.delivery.plan_alerts(articles, clock.now())
    await emulator.wait_for_idle(quiet=0.3)
    for _ in range(100):
        chat = await services.chats.get(CHANNEL)
        if chat is not None and not chat.active:
            break
        await emulator.wait_for_idle(quiet=0.05)
    assert (
        chat is not None
        and not chat.active
        and "need administrator rights" in (chat.inactive_reason or "").lower()
    )
    assert not [m for m in emulator.messages(CHANNEL) if "merge" in m.text]
